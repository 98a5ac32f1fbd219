"""Run models over data: :func:`apply` runs a model over a DataFrame column in batches, on this
machine or a dask cluster, with progress, cancellation, checkpoints and provenance;
:class:`Pipeline` chains models across tasks and modalities (:class:`Step` by step);
:class:`Ensemble` makes several classifiers answer as one model; :func:`dataset_rows` gives a
sample of a Hub dataset (or a local table) to start from.

Importing this registers the ``df.hub`` pandas accessor (``df.hub.apply(model, column=...)``);
torch, transformers and dask load only when a run needs them.
"""

from .apply import CANCELLED, HubAccessor, apply, auto_batch_size, default_task
from .datasets import dataset_rows
from .ensemble import ENSEMBLE_TASKS, STRATEGIES, Ensemble
from .pipeline import NEAREST_NEIGHBORS, Pipeline, PipelineError, PipelineRun, Step

__all__ = [
    "CANCELLED",
    "ENSEMBLE_TASKS",
    "NEAREST_NEIGHBORS",
    "STRATEGIES",
    "Ensemble",
    "HubAccessor",
    "Pipeline",
    "PipelineError",
    "PipelineRun",
    "Step",
    "apply",
    "auto_batch_size",
    "dataset_rows",
    "default_task",
]
