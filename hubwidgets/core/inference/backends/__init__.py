"""Inference backends: one interface, ``backend.run(task, model, inputs, **params)``.

- :class:`LocalBackend`: transformers pipelines on this machine.
- :class:`RemoteBackend`: ``huggingface_hub.InferenceClient`` (Inference Providers, endpoints).
- :class:`FallbackBackend`: tries several in turn and records why the earlier ones failed.

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

__all__ = [
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
]
