"""The pandas core of hubwidgets: catalogs of Hub models and search over them.

Nothing here imports ipywidgets, anywidget or traitlets (a test keeps it that way).
"""

import importlib

from ._moved import MOVED as _MOVED
from ._moved import install as _install_moved
from .catalog.catalog import Catalog, UnknownModelError
from .catalog.hub import HubCatalog, HubError
from .catalog.pull import PullError, pull_snapshot, snapshot_info
from .catalog.schema import COLUMNS, SORT_KEYS
from .catalog.sources import cache_catalog, open_catalog, starter_catalog
from .catalog.vocab import TASKS
from .choose.compare import compare
from .choose.hardware import hardware
from .choose.recommend import recommend
from .governance import Policy, check
from .inference.backends import (
    INFERENCE_TASKS,
    BackendError,
    FallbackBackend,
    InferenceResult,
    LocalBackend,
    RemoteBackend,
)
from .inference.benchmark import BenchmarkProgress, BenchmarkResult, benchmark
from .inference.playground import PlaygroundSession

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
    "Policy",
    "PullError",
    "RemoteBackend",
    "UnknownModelError",
    "benchmark",
    "cache_catalog",
    "check",
    "compare",
    "hardware",
    "open_catalog",
    "pull_snapshot",
    "recommend",
    "snapshot_info",
    "starter_catalog",
]

# old module paths (hubwidgets.core.compare, hubwidgets.core.backends.local...) keep working
_install_moved()


def __getattr__(name: str) -> object:
    # hubwidgets.core.vocab and the like, as attributes too (PEP 562): the module at its new place
    if name in _MOVED:
        return importlib.import_module(f"{__name__}.{_MOVED[name]}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
