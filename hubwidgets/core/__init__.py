"""The pandas core of hubwidgets: catalogs of Hub models and search over them.

Nothing here imports ipywidgets, anywidget or traitlets (a test keeps it that way).
"""

from .backends import (
    INFERENCE_TASKS,
    BackendError,
    FallbackBackend,
    InferenceResult,
    LocalBackend,
    RemoteBackend,
)
from .benchmark import BenchmarkProgress, BenchmarkResult, benchmark
from .catalog import Catalog, UnknownModelError
from .compare import compare
from .hardware import hardware
from .hub import HubCatalog, HubError
from .playground import PlaygroundSession
from .pull import PullError, pull_snapshot, snapshot_info
from .recommend import recommend
from .schema import COLUMNS, SORT_KEYS
from .sources import cache_catalog, open_catalog, starter_catalog
from .vocab import TASKS

__all__ = [
    "COLUMNS",
    "INFERENCE_TASKS",
    "SORT_KEYS",
    "TASKS",
    "BackendError",
    "BenchmarkProgress",
    "BenchmarkResult",
    "Catalog",
    "FallbackBackend",
    "HubCatalog",
    "HubError",
    "InferenceResult",
    "LocalBackend",
    "PlaygroundSession",
    "PullError",
    "RemoteBackend",
    "UnknownModelError",
    "benchmark",
    "cache_catalog",
    "compare",
    "hardware",
    "open_catalog",
    "pull_snapshot",
    "recommend",
    "snapshot_info",
    "starter_catalog",
]
