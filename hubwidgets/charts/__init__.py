"""DataFrame -> Altair chart builders (no widgets): see :mod:`hubwidgets.charts.catalog`.

The builders are imported on first use (PEP 562 ``__getattr__``) rather than here, because
``import altair`` is slow (seconds: its JSON-schema validator's dependencies) and, when anywidget
is installed, imports anywidget, ipywidgets and traitlets itself. So ``import hubwidgets.charts``
stays cheap and widget-free; the widget stack arrives only with Altair, when a chart is built.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .catalog import catalog_charts, created_per_month, downloads_vs_params, task_distribution

__all__ = ["catalog_charts", "created_per_month", "downloads_vs_params", "task_distribution"]


def __getattr__(name: str) -> object:
    if name in __all__:
        value = getattr(importlib.import_module(".catalog", __name__), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
