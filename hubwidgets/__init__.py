"""hubwidgets: find, compare, measure and try Hugging Face Hub models from a notebook.

>>> import hubwidgets as hw
>>> catalog = hw.open_catalog()          # live Hub, else a snapshot, and it says which
>>> catalog.search("llama", task="text-generation", sort="likes", limit=10)
"""

from typing import Any

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
    compare,
    hardware,
    open_catalog,
    pull_snapshot,
    recommend,
    snapshot_info,
    starter_catalog,
)

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # the widgets load anywidget/ipywidgets: only on first use, so hubwidgets.core stays free
    if name == "SearchWidget":
        from .widgets import SearchWidget  # noqa: PLC0415

        return SearchWidget
    if name == "CompareWidget":
        from .widgets import CompareWidget  # noqa: PLC0415

        return CompareWidget
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "COLUMNS",
    "SORT_KEYS",
    "TASKS",
    "Catalog",
    "CompareWidget",
    "HubCatalog",
    "HubError",
    "PullError",
    "SearchWidget",
    "UnknownModelError",
    "__version__",
    "cache_catalog",
    "compare",
    "hardware",
    "open_catalog",
    "pull_snapshot",
    "recommend",
    "snapshot_info",
    "starter_catalog",
]
