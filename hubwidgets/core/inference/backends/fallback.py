"""Try several backends in turn; the result records why the earlier ones failed.

``FallbackBackend([RemoteBackend(), LocalBackend()])`` serves a call with the first backend that
can. A :class:`BackendError` (timeout, rate limit, provider down, no connection, model not
loadable...) moves on to the next backend and is kept as an :class:`Attempt` on the result; bad
inputs (``ValueError``/``TypeError``) are raised at once, since every backend would refuse them.

A stream (:meth:`FallbackBackend.stream`) says the same things as a result: which backend served
it, the attempts before, and (once it is over) the billed tokens the serving stream reported, so
a streamed run is metered like the same run unstreamed (:class:`FallbackStream`). When every
backend fails, the :class:`AllBackendsFailedError` keeps the attempts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ._base import Attempt, Backend, BackendError, InferenceResult

__all__ = ["AllBackendsFailedError", "FallbackBackend", "FallbackStream"]


class AllBackendsFailedError(BackendError):
    """Every backend of a :class:`FallbackBackend` failed; ``attempts`` says how, in order."""

    def __init__(self, message: str, attempts: Sequence[Attempt]) -> None:
        super().__init__(message, backend="fallback", reason="all failed")
        self.attempts: list[Attempt] = list(attempts)


class FallbackStream:
    """What :meth:`FallbackBackend.stream` returns: the text pieces of the backend that served,
    and what a result would say about it.

    - ``served_by``: that backend; ``backend`` its name ("remote", "local"...);
    - ``attempts``: the backends that failed before it (:class:`Attempt`);
    - ``usage``: the billed ``input_tokens`` / ``output_tokens`` the served stream reported
      (complete once the stream is over; {} when it reports none, e.g. a local model);
    - ``provider``: who served it, as the served stream says (a remote stream names the provider
      the unstreamed call would), else None.
    """

    def __init__(
        self,
        served_by: Backend,
        first: str | None,
        rest: Iterator[str],
        attempts: Sequence[Attempt],
    ) -> None:
        self.served_by = served_by
        self.backend = str(served_by.name)
        self.attempts: list[Attempt] = list(attempts)
        self._first = first
        self._rest = rest

    def __repr__(self) -> str:
        return f"FallbackStream(backend={self.backend!r}, attempts={len(self.attempts)})"

    @property
    def usage(self) -> dict[str, float]:
        return dict(getattr(self._rest, "usage", None) or {})

    @property
    def provider(self) -> str | None:
        found = getattr(self._rest, "provider", None)
        return found if isinstance(found, str) and found else None

    def __iter__(self) -> FallbackStream:
        return self

    def __next__(self) -> str:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        return next(self._rest)

    def close(self) -> None:
        """Stop the served stream (a remote one closes its connection)."""
        self._first = None
        close = getattr(self._rest, "close", None)
        if callable(close):
            close()


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

    def stream(self, task: str, model: str, inputs: Any, **params: Any) -> FallbackStream:
        """The first backend's stream that yields a first piece; no fallback after that.

        The returned :class:`FallbackStream` says who served it, who failed before, and the
        tokens the served stream reported.
        """
        attempts: list[Attempt] = []
        for backend in self.backends:
            try:
                pieces = iter(backend.stream(task, model, inputs, **params))
                first = next(pieces, None)
            except BackendError as exc:
                attempts.append(_attempt(backend, exc))
                continue
            return FallbackStream(backend, first, pieces, attempts)
        raise _all_failed(task, model, attempts)


def _attempt(backend: Backend, exc: BackendError) -> Attempt:
    return Attempt(
        backend=exc.backend or backend.name, reason=exc.reason, message=str(exc), status=exc.status
    )


def _all_failed(task: str, model: str, attempts: list[Attempt]) -> AllBackendsFailedError:
    lines = "\n".join(
        f"- {a.backend} ({a.reason}{f', HTTP {a.status}' if a.status else ''}): {a.message}"
        for a in attempts
    )
    return AllBackendsFailedError(
        f"every backend failed to run {task} with {model!r}:\n{lines}", attempts
    )
