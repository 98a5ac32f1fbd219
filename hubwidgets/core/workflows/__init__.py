"""Run models over data: :func:`apply` runs a model over a DataFrame column in batches, on this
machine or a dask cluster, with progress, cancellation, checkpoints and provenance.

Importing this registers the ``df.hub`` pandas accessor (``df.hub.apply(model, column=...)``);
torch, transformers and dask load only when a run needs them.
"""

from .apply import CANCELLED, HubAccessor, apply, auto_batch_size, default_task

__all__ = ["CANCELLED", "HubAccessor", "apply", "auto_batch_size", "default_task"]
