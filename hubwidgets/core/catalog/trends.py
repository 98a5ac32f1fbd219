"""Trends in a history: growth over a window, models new each week per task, rising models.

Everything here is computed from a history (:func:`hubwidgets.history`: ``model, date, value``),
over the last ``window`` of it (``"30D"``, ``"12W"``...), ending on the history's last date:

- a model's **start** value is its last value on or before the window's first day (when it has
  none, it appeared inside the window: its first value there, and ``new_in_window`` is True);
  its **end** value its last value in the window; **gain** = end - start; **growth** = gain /
  start (missing when start is 0 or the model is new: no rate from nothing);
- **new per week**: models first seen in the history in each week (Monday-based), per task
  (the history's first date is left out: everything is "new" on the day a history starts);
- **rising**: the models with the largest gains.

Downloads on the Hub are a count over the last 30 days, so a downloads gain is the growth of
that monthly count, not of a running total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import altair as alt

__all__ = ["Trends", "by_task", "gains_for", "growth", "new_per_week", "parse_window", "trends"]


def parse_window(window: Any) -> pd.Timedelta:
    """A window such as ``"30D"``, ``"12W"``, ``"90 days"`` or a ``Timedelta``, as a Timedelta."""
    if isinstance(window, pd.Timedelta):
        value = window
    elif isinstance(window, str):
        try:
            parsed = pd.Timedelta(window)
        except ValueError:
            parsed = None
        if parsed is None or pd.isna(parsed):
            raise ValueError(
                f"window={window!r} is not a length of time; use e.g. '30D', '12W', '90 days'"
            )
        value = parsed
    else:
        raise TypeError(f"window must be a string such as '30D' or a Timedelta, not {window!r}")
    if value <= pd.Timedelta(0):
        raise ValueError(f"window must be a positive length of time, not {window!r}")
    return pd.Timedelta(value)


def _check_history(history: Any) -> pd.DataFrame:
    if not isinstance(history, pd.DataFrame):
        raise TypeError(
            "history must be a DataFrame from hw.history(...) or hw.load_history(...), not "
            f"{type(history).__name__}"
        )
    missing = [c for c in ("model", "date", "value") if c not in history.columns]
    if missing:
        raise ValueError(
            f"history needs the columns model, date, value (hw.history's); it lacks {missing}"
        )
    if "metric" in history.columns and history["metric"].nunique() > 1:
        raise ValueError(
            "history holds several metrics ("
            + ", ".join(map(str, history["metric"].dropna().unique()))
            + "); pick one, e.g. hw.history(..., metric='downloads')"
        )
    return history


def growth(history: pd.DataFrame, window: Any = "30D") -> pd.DataFrame:
    """Each model's gain and growth rate over the last ``window`` of ``history``.

    Columns: ``model, task, start_date, start_value, end_date, end_value, gain, growth,
    new_in_window``, largest gain first (ties by model id).
    """
    history = _check_history(history)
    span = parse_window(window)
    columns = [
        "model",
        "task",
        "start_date",
        "start_value",
        "end_date",
        "end_value",
        "gain",
        "growth",
        "new_in_window",
    ]
    if history.empty:
        return pd.DataFrame({c: pd.Series(dtype=_DTYPES[c]) for c in columns})
    frame = history.dropna(subset=["value"]).sort_values(["model", "date"], kind="stable")
    end = frame["date"].max()
    first_day = end - span
    before = frame[frame["date"] <= first_day]
    inside = frame[(frame["date"] > first_day) & (frame["date"] <= end)]
    last_before = before.groupby("model", sort=False).tail(1).set_index("model")
    first_inside = inside.groupby("model", sort=False).head(1).set_index("model")
    last_inside = inside.groupby("model", sort=False).tail(1).set_index("model")
    models = last_inside.index
    start = last_before.reindex(models)
    is_new = start["value"].isna().to_numpy()
    start_value = np.where(is_new, first_inside["value"].reindex(models), start["value"])
    start_date = np.where(
        is_new, first_inside["date"].reindex(models).to_numpy(), start["date"].to_numpy()
    )
    end_value = last_inside["value"].to_numpy(dtype="float64")
    gain = end_value - start_value.astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(is_new | (start_value == 0), np.nan, gain / start_value)
    task = (
        last_inside["task"].astype("string")
        if "task" in last_inside.columns
        else pd.Series(pd.NA, index=models, dtype="string")
    )
    out = pd.DataFrame(
        {
            "model": pd.array(models, dtype="string"),
            "task": task.to_numpy(),
            "start_date": pd.to_datetime(start_date),
            "start_value": start_value.astype("float64"),
            "end_date": last_inside["date"].to_numpy(),
            "end_value": end_value,
            "gain": gain,
            "growth": rate.astype("float64"),
            "new_in_window": is_new,
        }
    )
    out = out.sort_values(["gain", "model"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True).astype({c: _DTYPES[c] for c in columns})


_DTYPES = {
    "model": "string",
    "task": "string",
    "start_date": "datetime64[ns]",
    "start_value": "float64",
    "end_date": "datetime64[ns]",
    "end_value": "float64",
    "gain": "float64",
    "growth": "float64",
    "new_in_window": "bool",
}


def new_per_week(history: pd.DataFrame, window: Any = None) -> pd.DataFrame:
    """Models first seen in ``history`` each week (weeks starting on Monday), per task.

    Columns ``week, task, new_models``; only weeks inside the last ``window`` when given. The
    history's first date is left out (every model is new on it).
    """
    history = _check_history(history)
    if history.empty:
        return pd.DataFrame(
            {
                "week": pd.Series(dtype="datetime64[ns]"),
                "task": pd.Series(dtype="string"),
                "new_models": pd.Series(dtype="int64"),
            }
        )
    first = history.sort_values("date", kind="stable").groupby("model", sort=False).head(1)
    first = first[first["date"] > history["date"].min()]
    if window is not None:
        first = first[first["date"] > history["date"].max() - parse_window(window)]
    week = first["date"].dt.to_period("W-SUN").dt.start_time
    task = first["task"].astype("string") if "task" in first.columns else pd.NA
    counts = (
        pd.DataFrame({"week": week, "task": pd.Series(task, index=first.index).fillna("(unknown)")})
        .groupby(["week", "task"], sort=True)
        .size()
        .rename("new_models")
        .reset_index()
    )
    return counts.astype({"week": "datetime64[ns]", "task": "string", "new_models": "int64"})


def by_task(table: pd.DataFrame) -> pd.DataFrame:
    """Growth per task from :func:`growth`'s rows: models, summed start and end values, gain,
    growth rate (of the sums), largest gain first."""
    if table.empty:
        return pd.DataFrame(
            {
                "task": pd.Series(dtype="string"),
                "models": pd.Series(dtype="int64"),
                "start_value": pd.Series(dtype="float64"),
                "end_value": pd.Series(dtype="float64"),
                "gain": pd.Series(dtype="float64"),
                "growth": pd.Series(dtype="float64"),
            }
        )
    grouped = table.assign(task=table["task"].fillna("(unknown)")).groupby("task")
    out = grouped.agg(
        models=("model", "size"),
        start_value=("start_value", "sum"),
        end_value=("end_value", "sum"),
        gain=("gain", "sum"),
    ).reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["growth"] = np.where(
            out["start_value"] > 0, out["gain"] / out["start_value"], np.nan
        ).astype("float64")
    out = out.sort_values(["gain", "task"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True).astype({"task": "string", "models": "int64"})


@dataclass
class Trends:
    """Trends over the last ``window`` of a history (see the module docstring for the terms).

    Attributes:
        growth: one row per model: start and end values, ``gain``, ``growth`` (a rate).
        tasks: growth per task (sums over its models).
        new_per_week: models first seen in the history, per week and task.
        rising: the ``top`` models with the largest gains.
        window: the window, as a Timedelta; start, end: its first and last day.
        metric: what the values count (``downloads``, ``likes``...).
    """

    growth: pd.DataFrame
    tasks: pd.DataFrame
    new_per_week: pd.DataFrame
    rising: pd.DataFrame
    window: pd.Timedelta
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    metric: str
    history: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        if self.end is None:
            return f"<Trends of {self.metric}: empty history>"
        return (
            f"<Trends of {self.metric} from {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}: "
            f"{len(self.growth):,} models, {len(self.tasks)} tasks, top riser "
            f"{self.rising['model'].iloc[0] if len(self.rising) else '-'}>"
        )

    def charts(self) -> dict[str, alt.Chart]:
        """Altair charts by name: ``"rising"`` (gains of the rising models), ``"series"`` (their
        values over the window), ``"new_per_week"`` (new models per week and task), ``"tasks"``
        (growth per task). See :mod:`hubwidgets.charts.trends`."""
        from ...charts.trends import trend_charts  # noqa: PLC0415 - Altair only when charted

        charts: dict[str, alt.Chart] = trend_charts(self)
        return charts


def trends(
    history: pd.DataFrame,
    *,
    task: str | list[str] | None = None,
    window: Any = "30D",
    top: int = 20,
) -> Trends:
    """Growth rates, new models per task per week and rising models over the last ``window``.

    Args:
        history: from :func:`hubwidgets.history` (one metric).
        task: only models of these tasks (as the history records them).
        window: how far back from the history's last date: ``"30D"``, ``"12W"``...
        top: how many rising models.
    """
    history = _check_history(history)
    span = parse_window(window)
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"top must be a positive int, not {top!r}")
    if task is not None:
        tasks = [task] if isinstance(task, str) else list(task)
        known = set(history["task"].dropna().unique()) if "task" in history.columns else set()
        unknown = [t for t in tasks if t not in known]
        if unknown:
            from .vocab import close_matches  # noqa: PLC0415

            hint = close_matches(unknown[0], sorted(known))
            also = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise ValueError(
                f"no model of task {unknown[0]!r} in this history{also}; its tasks: "
                + (", ".join(sorted(known)) or "none recorded")
            )
        history = history[history["task"].isin(tasks)]
    table = growth(history, span)
    metric = (
        str(history["metric"].dropna().iloc[0])
        if "metric" in history.columns and history["metric"].notna().any()
        else "value"
    )
    end = history["date"].max() if len(history) else None
    return Trends(
        growth=table,
        tasks=by_task(table),
        new_per_week=new_per_week(history, span),
        rising=table[table["gain"] > 0].head(top).reset_index(drop=True),
        window=span,
        start=None if end is None else end - span,
        end=end,
        metric=metric,
        history=history,
    )


def gains_for(ids: pd.Series, history: pd.DataFrame, window: Any) -> np.ndarray:
    """The gain over ``window`` of each id (NaN where the history has none): the rising sort."""
    table = growth(history, window)
    return (
        table.set_index("model")["gain"]
        .reindex(pd.Index(ids.astype("string")))
        .to_numpy(dtype="float64", na_value=np.nan)
    )


def rising_positions(
    gains: np.ndarray, rows: np.ndarray | None, offset: int, stop: int
) -> np.ndarray:
    """Positions ``[offset, stop)`` of ``rows`` (None: all rows) ordered by gain, largest first;
    rows without a gain (no history) last; ties by position (the catalog's rows are sorted by
    id, so: by id)."""
    candidates = np.arange(gains.size) if rows is None else np.asarray(rows)
    keys = gains[candidates]
    # NaN last: sort on (has no gain, -gain), stable so equal gains keep the id order
    order = np.lexsort((-np.nan_to_num(keys, nan=0.0), np.isnan(keys)))
    return candidates[order[offset:stop]]
