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
    "RemoteBackend",
    "check_inputs",
    "check_task",
    "make_backend",
]


def make_backend(spec: Backend | str | None = None) -> Backend:
    """The backend ``spec`` names: "local" (the default, also for None: transformers on this
    machine), "remote" (Inference Providers), "auto" (remote, falling back to local), or a
    backend object (anything with ``run`` and ``stream``), returned as it is.

    Raises:
        TypeError: anything else (the message lists what is accepted).
    """
    if spec is None or spec == "local":
        return LocalBackend()
    if spec == "remote":
        return RemoteBackend()
    if spec == "auto":
        return FallbackBackend([RemoteBackend(), LocalBackend()])
    if isinstance(spec, str) or not isinstance(spec, Backend):
        raise TypeError(
            "backend must be 'local', 'remote', 'auto' (remote, falling back to local) or a "
            f"backend object with run and stream, not {spec!r}"
        )
    return spec
