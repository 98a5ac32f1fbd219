"""Thin anywidget front-ends over the core.

The widgets are imported on first use, so that :mod:`hubwidgets.widgets._serialization` (pure
pandas and pyarrow) can be imported without the widget stack or a built front-end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .benchmark import BenchmarkWidget
    from .compare import CompareWidget
    from .playground import Playground
    from .search import SearchWidget

__all__ = ["BenchmarkWidget", "CompareWidget", "Playground", "SearchWidget"]


def __getattr__(name: str) -> Any:
    if name == "SearchWidget":
        from .search import SearchWidget  # noqa: PLC0415 - lazy on purpose (see module doc)

        return SearchWidget
    if name == "CompareWidget":
        from .compare import CompareWidget  # noqa: PLC0415 - lazy on purpose (see module doc)

        return CompareWidget
    if name == "BenchmarkWidget":
        from .benchmark import BenchmarkWidget  # noqa: PLC0415 - lazy on purpose (see module doc)

        return BenchmarkWidget
    if name == "Playground":
        from .playground import Playground  # noqa: PLC0415 - lazy on purpose (see module doc)

        return Playground
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
