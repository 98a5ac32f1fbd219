"""hubwidgets: find, compare, measure and try Hugging Face Hub models from a notebook.

>>> import hubwidgets as hw
>>> catalog = hw.open_catalog()          # live Hub, else a snapshot, and it says which
>>> catalog.search("llama", task="text-generation", sort="likes", limit=10)
"""

from .core import (
    COLUMNS,
    SORT_KEYS,
    TASKS,
    Catalog,
    HubCatalog,
    HubError,
    PullError,
    UnknownModelError,
    cache_catalog,
    open_catalog,
    pull_snapshot,
    snapshot_info,
    starter_catalog,
)

__version__ = "0.1.0"

__all__ = [
    "COLUMNS",
    "SORT_KEYS",
    "TASKS",
    "Catalog",
    "HubCatalog",
    "HubError",
    "PullError",
    "UnknownModelError",
    "__version__",
    "cache_catalog",
    "open_catalog",
    "pull_snapshot",
    "snapshot_info",
    "starter_catalog",
]
