"""Inference backends: one interface, ``backend.run(task, model, inputs, **params)``.

- :class:`LocalBackend`: transformers pipelines on this machine.
- :class:`RemoteBackend`: ``huggingface_hub.InferenceClient`` (Inference Providers, endpoints).
- :class:`FallbackBackend`: tries several in turn and records why the earlier ones failed.
- :func:`make_backend`: one of them by name ("local", "remote", "auto"), or a given object.

The heavy libraries (torch, transformers) load on first use, never on import.
"""

from ._base import (
    INFERENCE_TASKS,
    STREAMING_TASKS,
    Attempt,
    Backend,
    BackendError,
    InferenceResult,
    PolicyError,
    check_inputs,
    check_task,
)
from .fallback import FallbackBackend
from .local import LocalBackend
from .remote import RemoteBackend

#: The backends :func:`make_backend` knows by name.
BACKEND_NAMES = ("local", "remote", "auto")

__all__ = [
    "BACKEND_NAMES",
    "INFERENCE_TASKS",
    "STREAMING_TASKS",
    "Attempt",
    "Backend",
    "BackendError",
    "FallbackBackend",
    "InferenceResult",
    "LocalBackend",
    "PolicyError",
    "RemoteBackend",
    "check_inputs",
    "check_task",
    "make_backend",
]


def make_backend(spec: Backend | str | None = None, *, allow_denied: bool = False) -> Backend:
    """The backend ``spec`` names: "local" (the default, also for None: transformers on this
    machine), "remote" (Inference Providers), "auto" (remote, falling back to local), or a
    backend object (anything with ``run`` and ``stream``), returned as it is.

    ``allow_denied=True`` lets the local backend load models the session's policy denies (see
    :class:`LocalBackend`); a backend object given brings its own setting.

    Raises:
        TypeError: anything else (the message lists what is accepted).
        ValueError: ``allow_denied=True`` with a backend object (set it on that backend).
    """
    if not isinstance(allow_denied, bool):
        raise TypeError(f"allow_denied must be True or False, not {allow_denied!r}")
    if spec is None or spec == "local":
        return LocalBackend(allow_denied=allow_denied)
    if spec == "remote":
        return RemoteBackend()
    if spec == "auto":
        return FallbackBackend([RemoteBackend(), LocalBackend(allow_denied=allow_denied)])
    if isinstance(spec, str) or not isinstance(spec, Backend):
        raise TypeError(
            "backend must be 'local', 'remote', 'auto' (remote, falling back to local) or a "
            f"backend object with run and stream, not {spec!r}"
        )
    if allow_denied:
        raise ValueError(
            "allow_denied=True applies to the backend made here: with your own backend, set it "
            "there instead, e.g. LocalBackend(allow_denied=True)"
        )
    return spec
