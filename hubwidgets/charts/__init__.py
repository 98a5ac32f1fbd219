"""DataFrame -> Altair chart builders (no widgets): :mod:`hubwidgets.charts.catalog` for catalog
search results, :mod:`hubwidgets.charts.compare` for ``hw.compare`` results,
:mod:`hubwidgets.charts.benchmark` for ``hw.benchmark`` results.

The builders are imported on first use (PEP 562 ``__getattr__``) rather than here, because
``import altair`` is slow (seconds: its JSON-schema validator's dependencies) and, when anywidget
is installed, imports anywidget, ipywidgets and traitlets itself. So ``import hubwidgets.charts``
stays cheap and widget-free; the widget stack arrives only with Altair, when a chart is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

if TYPE_CHECKING:
    from .benchmark import (
        benchmark_charts,
        latency_distribution,
        pareto_front,
        quality_vs_latency,
        throughput_vs_batch,
    )
    from .catalog import catalog_charts, created_per_month, downloads_vs_params, task_distribution
    from .compare import compare_charts, memory_by_dtype, params_vs_popularity

#: Public name -> the module (relative) that defines it.
_MODULES: dict[str, str] = {
    "benchmark_charts": ".benchmark",
    "latency_distribution": ".benchmark",
    "pareto_front": ".benchmark",
    "quality_vs_latency": ".benchmark",
    "throughput_vs_batch": ".benchmark",
    "catalog_charts": ".catalog",
    "created_per_month": ".catalog",
    "downloads_vs_params": ".catalog",
    "task_distribution": ".catalog",
    "compare_charts": ".compare",
    "memory_by_dtype": ".compare",
    "params_vs_popularity": ".compare",
}

__all__ = [
    "benchmark_charts",
    "catalog_charts",
    "compare_charts",
    "created_per_month",
    "downloads_vs_params",
    "latency_distribution",
    "memory_by_dtype",
    "params_vs_popularity",
    "pareto_front",
    "quality_vs_latency",
    "task_distribution",
    "throughput_vs_batch",
]


__getattr__ = lazy_attributes(__name__, _MODULES)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
