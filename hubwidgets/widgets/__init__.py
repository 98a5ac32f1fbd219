"""Thin anywidget front-ends over the core.

The widgets are imported on first use, so that :mod:`hubwidgets.widgets._serialization` (pure
pandas and pyarrow) can be imported without the widget stack or a built front-end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .compare import CompareWidget
    from .search import SearchWidget

__all__ = ["CompareWidget", "SearchWidget"]


def __getattr__(name: str) -> Any:
    if name == "SearchWidget":
        from .search import SearchWidget  # noqa: PLC0415 - lazy on purpose (see module doc)

        return SearchWidget
    if name == "CompareWidget":
        from .compare import CompareWidget  # noqa: PLC0415 - lazy on purpose (see module doc)

        return CompareWidget
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
