"""Altair charts of trends: ``catalog.trends(...)``, a
:class:`~hubwidgets.core.catalog.trends.Trends`.

- ``rising``: the gain of each rising model over the window, largest first (bars);
- ``series``: those models' values day by day over the window (lines);
- ``new_per_week``: models first seen in the history per week, stacked by task;
- ``tasks``: the gain per task.

Like the other charts they take plain pandas, embed small plain data (the window only), and say
in the subtitle what the values are and what was left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from .catalog import WIDTH, _plural, _title

if TYPE_CHECKING:
    from hubwidgets.core.catalog.trends import Trends

__all__ = ["trend_charts"]

#: Rising models drawn as lines (the bars show all of ``Trends.rising``).
MAX_SERIES = 8


def _window_note(trends: Trends) -> str:
    if trends.end is None or trends.start is None:
        return "empty history"
    return f"{trends.start:%Y-%m-%d} to {trends.end:%Y-%m-%d}"


def rising_bars(trends: Trends) -> alt.Chart:
    """The gain of each rising model over the window, largest first."""
    data = trends.rising[["model", "task", "start_value", "end_value", "gain", "growth"]].copy()
    notes = [
        f"{trends.metric}, gain over {_window_note(trends)}; "
        f"{_plural(len(data), 'model')} of {len(trends.growth):,} with a gain"
    ]
    chart: alt.Chart = (
        alt.Chart(data.astype({"model": str, "task": str}), width=WIDTH)
        .mark_bar()
        .encode(
            x=alt.X("gain:Q", title=f"gain in {trends.metric}"),
            y=alt.Y("model:N", sort="-x", title=None),
            color=alt.Color("task:N", title="task"),
            tooltip=[
                "model:N",
                "task:N",
                alt.Tooltip("start_value:Q", format=",.0f", title="start"),
                alt.Tooltip("end_value:Q", format=",.0f", title="end"),
                alt.Tooltip("gain:Q", format=",.0f"),
                alt.Tooltip("growth:Q", format=".1%"),
            ],
        )
        .properties(title=_title("Rising models", notes))
    )
    return chart


def rising_series(trends: Trends) -> alt.Chart:
    """The top rising models' values over the window, one line each."""
    top = list(trends.rising["model"].head(MAX_SERIES))
    history = trends.history
    inside = history[history["model"].isin(top)]
    if trends.start is not None:
        inside = inside[inside["date"] >= trends.start]
    data = pd.DataFrame(
        {
            "model": inside["model"].astype(str),
            "date": inside["date"],
            "value": inside["value"],
        }
    )
    left = len(trends.rising) - len(top)
    notes = [f"{trends.metric}, {_window_note(trends)}"]
    if left > 0:
        notes.append(f"the top {len(top)} rising models; {left} more in Trends.rising")
    chart: alt.Chart = (
        alt.Chart(data, width=WIDTH)
        .mark_line(point=len(data) < 400)
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("value:Q", title=trends.metric),
            color=alt.Color("model:N", sort=top, title="model"),
            tooltip=["model:N", alt.Tooltip("date:T"), alt.Tooltip("value:Q", format=",.0f")],
        )
        .properties(title=_title("Rising models over time", notes))
    )
    return chart


def new_per_week(trends: Trends) -> alt.Chart:
    """Models first seen in the history per week, stacked by task."""
    data = trends.new_per_week.astype({"task": str})
    notes = [
        f"{_plural(int(data['new_models'].sum()), 'model')} first seen in the history, "
        f"{_window_note(trends)}"
    ]
    chart: alt.Chart = (
        alt.Chart(data, width=WIDTH)
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="week"),
            y=alt.Y("new_models:Q", title="new models"),
            color=alt.Color("task:N", title="task"),
            tooltip=[alt.Tooltip("week:T"), "task:N", "new_models:Q"],
        )
        .properties(title=_title("New models per week", notes))
    )
    return chart


def task_growth(trends: Trends) -> alt.Chart:
    """The gain per task over the window (sums over its models)."""
    data = trends.tasks.astype({"task": str})
    notes = [f"{trends.metric}, {_window_note(trends)}; {_plural(len(data), 'task')}"]
    chart: alt.Chart = (
        alt.Chart(data, width=WIDTH)
        .mark_bar()
        .encode(
            x=alt.X("gain:Q", title=f"gain in {trends.metric}"),
            y=alt.Y("task:N", sort="-x", title=None),
            tooltip=[
                "task:N",
                "models:Q",
                alt.Tooltip("gain:Q", format=",.0f"),
                alt.Tooltip("growth:Q", format=".1%"),
            ],
        )
        .properties(title=_title("Growth per task", notes))
    )
    return chart


def trend_charts(trends: Trends) -> dict[str, alt.Chart]:
    """All four charts by name: ``rising``, ``series``, ``new_per_week``, ``tasks``."""
    return {
        "rising": rising_bars(trends),
        "series": rising_series(trends),
        "new_per_week": new_per_week(trends),
        "tasks": task_growth(trends),
    }
