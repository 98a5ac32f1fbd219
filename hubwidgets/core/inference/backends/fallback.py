"""Try several backends in turn; the result records why the earlier ones failed.

``FallbackBackend([RemoteBackend(), LocalBackend()])`` serves a call with the first backend that
can. A :class:`BackendError` (timeout, rate limit, provider down, no connection, model not
loadable...) moves on to the next backend and is kept as an :class:`Attempt` on the result; bad
inputs (``ValueError``/``TypeError``) are raised at once, since every backend would refuse them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ._base import Attempt, Backend, BackendError, InferenceResult

__all__ = ["FallbackBackend"]


class FallbackBackend:
    """Runs a call on the first of ``backends`` that serves it."""

    name = "fallback"

    def __init__(self, backends: Sequence[Backend]) -> None:
        if not backends:
            raise ValueError("FallbackBackend needs at least one backend")
        for i, backend in enumerate(backends):
            if not isinstance(backend, Backend):
                raise TypeError(
                    f"backends[{i}] is a {type(backend).__name__}, not a backend "
                    "(an object with name, run and stream)"
                )
        self.backends: list[Backend] = list(backends)

    def __repr__(self) -> str:
        return f"FallbackBackend({self.backends!r})"

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        """The first backend's result that serves the call, with the earlier failures."""
        attempts: list[Attempt] = []
        for backend in self.backends:
            try:
                result = backend.run(task, model, inputs, **params)
            except BackendError as exc:
                attempts.append(_attempt(backend, exc))
                continue
            result.attempts = [*attempts, *result.attempts]
            return result
        raise _all_failed(task, model, attempts)

    def stream(self, task: str, model: str, inputs: Any, **params: Any) -> Iterator[str]:
        """The first backend's stream that yields a first piece; no fallback after that."""
        attempts: list[Attempt] = []
        for backend in self.backends:
            try:
                pieces = iter(backend.stream(task, model, inputs, **params))
                first = next(pieces, None)
            except BackendError as exc:
                attempts.append(_attempt(backend, exc))
                continue
            return _chain(first, pieces)
        raise _all_failed(task, model, attempts)


def _chain(first: str | None, rest: Iterator[str]) -> Iterator[str]:
    if first is not None:
        yield first
    yield from rest


def _attempt(backend: Backend, exc: BackendError) -> Attempt:
    return Attempt(
        backend=exc.backend or backend.name, reason=exc.reason, message=str(exc), status=exc.status
    )


def _all_failed(task: str, model: str, attempts: list[Attempt]) -> BackendError:
    lines = "\n".join(
        f"- {a.backend} ({a.reason}{f', HTTP {a.status}' if a.status else ''}): {a.message}"
        for a in attempts
    )
    return BackendError(
        f"every backend failed to run {task} with {model!r}:\n{lines}",
        backend="fallback",
        reason="all failed",
    )
