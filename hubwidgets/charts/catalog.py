"""Altair charts of a catalog DataFrame: what is in it, by task, size and age.

Each builder takes a DataFrame in the catalog schema (``Catalog.search(...)``) and returns an
``altair.Chart``; no widgets are involved, so the charts work in any notebook, in a static HTML
export and inside the widgets alike.

Why the data handling looks the way it does:

- The schema's dtypes (categoricals, Arrow list columns, ``Int64`` with ``<NA>``) are not what
  Vega-Lite's JSON can hold, so every builder converts what it needs to plain strings, floats and
  datetimes first, and aggregates in pandas: the spec embeds one row per bar, not per model, so a
  chart of a three-million-model catalog stays a few kilobytes. The scatter plot, which needs a
  row per model, samples (``max_points``) and says so.
- Charts are honest about what they leave out: a model with no value for what a chart shows
  (no params on a log axis, no creation date) is not plotted and is counted in the subtitle.
- Modalities keep one colour across charts (:data:`MODALITY_COLORS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from hubwidgets.core.catalog.vocab import task_modality


def _widget_and_picture(spec: dict[str, Any], **metadata: Any) -> Any:
    """Altair renderer: the interactive chart (``jupyter``, offline) plus an SVG picture of it.

    JupyterLab draws the widget; an HTML export without a kernel or widget state, which cannot,
    shows the SVG instead of an empty box (a few tens of KB per chart).
    """
    from altair.vegalite.v6.display import jupyter_renderer, svg_renderer  # noqa: PLC0415

    data, meta = _bundle_parts(jupyter_renderer(spec, offline=True, **metadata))
    try:
        picture, picture_meta = _bundle_parts(svg_renderer(spec))
    except Exception:  # a picture is a bonus: never lose the chart for it
        return data, meta
    return {**picture, **data}, {**picture_meta, **meta}


def _bundle_parts(bundle: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    if isinstance(bundle, tuple):
        return dict(bundle[0]), dict(bundle[1] or {})
    return dict(bundle), {}


def _offline_renderer() -> None:
    """Draw charts without a CDN: Altair's default renderer loads vega from the internet, and
    JupyterLab 4's own renderer reads vega-lite up to v5 only, so offline (and on Binder behind
    a proxy) charts showed "Error loading script". The ``jupyter`` renderer in offline mode
    serves vega from the vl-convert package instead; an SVG beside it keeps the chart in exported
    reports. A renderer the user chose is kept."""
    if alt.renderers.active != "default":
        return
    try:
        import vl_convert  # noqa: F401, PLC0415 (the offline renderer needs it)
    except ImportError:  # vl-convert missing: keep Altair's default
        return
    alt.renderers.register("hubwidgets", _widget_and_picture)
    alt.renderers.enable("hubwidgets")


_offline_renderer()

__all__ = [
    "MODALITY_COLORS",
    "NO_TASK",
    "OTHER_TASKS",
    "catalog_charts",
    "created_per_month",
    "downloads_vs_params",
    "task_distribution",
]

#: Chart width in pixels (a notebook cell's comfortable width).
WIDTH = 500

#: The label of models without a task.
NO_TASK = "(no task)"

#: The colour group of tasks outside the scatter plot's top ten. Not "other": that is one of the
#: Hub's own tasks.
OTHER_TASKS = "(other tasks)"

#: The modality of a task the Hub's task list does not know, and of models without a task.
UNKNOWN_MODALITY = "unknown"

#: Modality -> colour, fixed so a modality has the same colour in every chart (and legend order).
MODALITY_COLORS: dict[str, str] = {
    "nlp": "#4c78a8",
    "cv": "#f58518",
    "audio": "#54a24b",
    "multimodal": "#b279a2",
    "tabular": "#e45756",
    "rl": "#72b7b2",
    "other": "#eeca3b",
    UNKNOWN_MODALITY: "#bab0ac",
}

#: Colours of the scatter plot's top ten tasks; the rest share grey.
_TASK_COLORS = (
    "#4c78a8",
    "#f58518",
    "#e45756",
    "#72b7b2",
    "#54a24b",
    "#eeca3b",
    "#b279a2",
    "#ff9da6",
    "#9d755d",
    "#439894",
)
_OTHER_COLOR = "#bab0ac"

#: Tasks coloured individually in the scatter plot.
_TOP_COLORED_TASKS = len(_TASK_COLORS)

#: Axis labels in SI units with B for billions ("7B params", not Vega's "7G").
_SI_LABELS = "replace(format(datum.value, '~s'), 'G', 'B')"


def task_distribution(df: pd.DataFrame, top: int = 20) -> alt.Chart:
    """Horizontal bars: how many models each task has, coloured by modality, largest first.

    Models without a task are counted as ``"(no task)"``. Only the ``top`` largest tasks get a
    bar; the subtitle says how many models the other tasks hold, so the bars never silently
    sum to less than the catalog.
    """
    frame = _check_frame(df, "task_distribution", ("task",))
    top = _positive_int(top, "top")
    counts = _task_counts(frame["task"])
    total = int(counts.sum())
    shown = counts.iloc[:top]
    data = pd.DataFrame(
        {
            "task": [str(t) for t in shown.index],
            "modality": [_modality(t) for t in shown.index],
            "models": shown.to_numpy(dtype="int64"),
            "share": shown.to_numpy(dtype="float64") / max(total, 1),
        }
    )
    if total == 0:
        title = _title("Models per task: no models", [])
    else:
        notes = [f"{total:,} models in {_plural(len(counts), 'task')}"]
        if NO_TASK in counts.index:
            notes[0] += f"; {int(counts[NO_TASK]):,} without a task shown as {NO_TASK}"
        hidden = counts.iloc[top:]
        if len(hidden):
            notes.append(
                f"top {_plural(top, 'task')} shown; {_plural(int(hidden.sum()), 'model')} in "
                f"{len(hidden):,} other {'task' if len(hidden) == 1 else 'tasks'} left out"
            )
        title = _title("Models per task", notes)
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("models:Q", title="Models (count)", axis=alt.Axis(format="~s")),
            y=alt.Y("task:N", title="Task (pipeline tag)", sort=list(data["task"])),
            color=_modality_color(data["modality"]),
            tooltip=[
                alt.Tooltip("task:N", title="Task"),
                alt.Tooltip("modality:N", title="Modality"),
                alt.Tooltip("models:Q", title="Models", format=","),
                alt.Tooltip("share:Q", title="Share of models", format=".1%"),
            ],
        )
        .properties(title=title, width=WIDTH, height=alt.Step(18))
    )
    return chart


def downloads_vs_params(df: pd.DataFrame, *, max_points: int = 5000, seed: int = 0) -> alt.Chart:
    """Scatter of downloads against parameter count, both on log scales, coloured by task.

    A log axis cannot show a missing, zero or negative value, so those models are left out and
    counted in the subtitle. When more than ``max_points`` models remain, the chart shows the
    ``max_points // 2`` most downloaded (the models people look for) plus a random sample of the
    rest drawn with ``seed`` (the same frame and seed give the same points; the spec stays a few
    hundred kilobytes however large the catalog). The subtitle says it sampled.
    Colours: the ten most frequent tasks among the points, the others as ``"(other tasks)"``.

    Altair's default data transformer refuses more than 5,000 rows; a larger ``max_points``
    needs ``alt.data_transformers.disable_max_rows()`` (or another transformer).
    """
    frame = _check_frame(df, "downloads_vs_params", ("id", "task", "params", "downloads", "likes"))
    max_points = _positive_int(max_points, "max_points")
    seed = _int(seed, "seed")
    params = _floats(frame["params"])
    downloads = _floats(frame["downloads"])
    # NaN compares False; inf is left out too (a log scale cannot place it either)
    plottable = np.flatnonzero((params > 0) & (downloads > 0) & np.isfinite(params * downloads))
    total, kept = len(frame), len(plottable)
    rows, sample_note = _sample(plottable, downloads, max_points, seed)
    tasks = _labels(frame["task"].iloc[rows], NO_TASK)
    colored, domain = _top_tasks_or_other(tasks)
    data = pd.DataFrame(
        {
            "id": _labels(frame["id"].iloc[rows], "(no id)"),
            "task": tasks,
            "color": colored,
            "params": params[rows],
            "downloads": downloads[rows],
            "likes": _floats(frame["likes"].iloc[rows]),
        }
    )
    left_out = total - kept
    why = "params or downloads missing or not positive (log scales)"
    if total == 0:
        title = _title("Downloads vs parameters: no models", [])
    elif kept == 0:
        title = _title(
            "Downloads vs parameters: no models with params and downloads",
            [f"all {total:,} models left out: {why}"],
        )
    else:
        notes = [f"{kept:,} of {total:,} models plotted", f"{left_out:,} left out: {why}"]
        if sample_note:
            notes.append(sample_note)
        title = _title("Downloads vs parameters", notes)
    palette = [_OTHER_COLOR if c == OTHER_TASKS else _TASK_COLORS[i] for i, c in enumerate(domain)]
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_circle(size=40, opacity=0.7)
        .encode(
            x=alt.X(
                "params:Q",
                title="Parameters (count, log scale)",
                scale=alt.Scale(type="log"),
                axis=alt.Axis(labelExpr=_SI_LABELS),
            ),
            y=alt.Y(
                "downloads:Q",
                title="Downloads (last 30 days, log scale)",
                scale=alt.Scale(type="log"),
                axis=alt.Axis(labelExpr=_SI_LABELS),
            ),
            color=_color("color:N", "Task", domain, palette),
            tooltip=[
                alt.Tooltip("id:N", title="Model"),
                alt.Tooltip("task:N", title="Task"),
                alt.Tooltip("params:Q", title="Parameters", format=","),
                alt.Tooltip("downloads:Q", title="Downloads (30 days)", format=","),
                alt.Tooltip("likes:Q", title="Likes", format=","),
            ],
        )
        .properties(title=title, width=WIDTH, height=WIDTH * 3 // 5)
    )
    return chart


def created_per_month(df: pd.DataFrame) -> alt.Chart:
    """Bars of models created per calendar month (UTC), stacked by modality.

    Months are taken in UTC and drawn with Vega-Lite's UTC time units, so a model created on
    the 1st does not slide into the previous month for a reader west of Greenwich. Models
    without a creation date are left out and counted in the subtitle.
    """
    frame = _check_frame(df, "created_per_month", ("created_at", "task"))
    created = _utc_datetimes(frame["created_at"])
    dated = created.notna().to_numpy()
    total, kept = len(frame), int(dated.sum())
    months = created[dated].dt.tz_localize(None).to_numpy().astype("datetime64[M]")
    by_task = (
        pd.DataFrame({"month": months, "task": frame["task"][dated].array})
        .groupby(["month", "task"], dropna=False, observed=True, sort=False)
        .size()
        .reset_index(name="models")
    )
    by_task["modality"] = [
        _modality(NO_TASK if pd.isna(t) else str(t)) for t in by_task["task"].tolist()
    ]
    counts = by_task.groupby(["month", "modality"], sort=True)["models"].sum().reset_index()
    order = list(MODALITY_COLORS)
    data = pd.DataFrame(
        {
            "month": pd.to_datetime(counts["month"].to_numpy()).tz_localize("UTC"),
            "modality": counts["modality"].astype(str).to_numpy(),
            "rank": [order.index(m) for m in counts["modality"]],
            "models": counts["models"].to_numpy(dtype="int64"),
        }
    )
    left_out = total - kept
    if total == 0:
        title = _title("Models created per month: no models", [])
    elif kept == 0:
        title = _title(
            "Models created per month: no models with a creation date",
            [f"all {total:,} models left out: no creation date"],
        )
    else:
        first, last = data["month"].min(), data["month"].max()
        title = _title(
            "Models created per month (UTC)",
            [
                f"{kept:,} of {total:,} models, {first:%b %Y} to {last:%b %Y}; "
                f"{left_out:,} without a creation date left out"
            ],
        )
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("month:T", timeUnit="utcyearmonth", title="Month created (UTC)"),
            y=alt.Y("models:Q", title="Models created (count per month)", stack="zero"),
            color=_modality_color(data["modality"]),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("month:T", timeUnit="utcyearmonth", title="Month", format="%b %Y"),
                alt.Tooltip("modality:N", title="Modality"),
                alt.Tooltip("models:Q", title="Models created", format=","),
            ],
        )
        .properties(title=title, width=WIDTH, height=WIDTH * 3 // 5)
    )
    return chart


def catalog_charts(df: pd.DataFrame) -> dict[str, alt.Chart]:
    """The overview charts of a catalog, by name: "tasks", "downloads_vs_params",
    "created_per_month" (for a dashboard that lays them out)."""
    frame = _check_frame(df, "catalog_charts", ())
    return {
        "tasks": task_distribution(frame),
        "downloads_vs_params": downloads_vs_params(frame),
        "created_per_month": created_per_month(frame),
    }


# ---------------------------------------------------------------------------------------------
# helpers: validation
# ---------------------------------------------------------------------------------------------


def _check_frame(df: object, fn: str, needed: Sequence[str]) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        hint = " (for a Catalog, pass catalog.search(limit=None))" if hasattr(df, "search") else ""
        raise TypeError(
            f"{fn}() expects a pandas DataFrame of models in the hubwidgets schema, "
            f"got {type(df).__name__}{hint}"
        )
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ValueError(
            f"{fn}() needs the columns {missing}; the DataFrame has {list(df.columns)}"
        )
    return df


def _int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    return int(value)


def _positive_int(value: object, name: str) -> int:
    number = _int(value, name)
    if number < 1:
        raise ValueError(f"{name} must be at least 1, got {number}")
    return number


# ---------------------------------------------------------------------------------------------
# helpers: schema dtypes -> plain values
# ---------------------------------------------------------------------------------------------


def _floats(series: pd.Series[Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Numbers as float64 with NaN for missing (Int64's <NA> included); counts stay exact below
    2**53. A column that is all None (object dtype) is all NaN."""
    values = series
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        values = pd.to_numeric(values.astype(object), errors="raise")
    return values.to_numpy(dtype="float64", na_value=np.nan)


def _labels(series: pd.Series[Any], missing: str) -> list[str]:
    """Values as plain str, ``missing`` for NA (for the few rows a chart shows)."""
    return [missing if pd.isna(v) else str(v) for v in series.astype(object).tolist()]


def _utc_datetimes(series: pd.Series[Any]) -> pd.Series[Any]:
    """Timestamps as datetime64[UTC]; tz-naive values are taken as UTC (the schema's zone)."""
    out: pd.Series[Any]
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        out = series.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_dtype(series.dtype):
        out = series.dt.tz_localize("UTC")
    else:  # e.g. an all-None object column
        out = pd.to_datetime(series.astype(object), utc=True)
    return out


def _task_counts(tasks: pd.Series[Any]) -> pd.Series[Any]:
    """Models per task label (NA -> "(no task)"), largest first, ties by name; one row per task,
    computed on the categorical's codes so millions of rows cost milliseconds."""
    counts = tasks.value_counts(dropna=False, sort=False)
    labels = [NO_TASK if pd.isna(t) else str(t) for t in counts.index]
    out = (
        pd.Series(counts.to_numpy(dtype="int64"), index=labels, dtype="int64")
        .groupby(level=0)
        .sum()
    )
    out = out[out > 0]
    order = sorted(out.index, key=lambda t: (-int(out[t]), t))
    return out.reindex(order)


def _modality(task: str) -> str:
    return (task_modality(task) if task != NO_TASK else None) or UNKNOWN_MODALITY


def _top_tasks_or_other(tasks: list[str]) -> tuple[list[str], list[str]]:
    """Each task if it is among the ten most frequent (ties by name), else "(other tasks)"; and
    the colour domain: those tasks, most frequent first, then "(other tasks)" if used."""
    counts = pd.Series(tasks, dtype=object).value_counts()
    ranked = sorted(counts.index, key=lambda t: (-int(counts[t]), str(t)))
    top = ranked[:_TOP_COLORED_TASKS]
    keep = set(top)
    colored = [t if t in keep else OTHER_TASKS for t in tasks]
    return colored, top + ([OTHER_TASKS] if len(ranked) > len(top) else [])


# ---------------------------------------------------------------------------------------------
# helpers: chart pieces
# ---------------------------------------------------------------------------------------------


def _title(text: str, notes: list[str]) -> alt.TitleParams:
    """A title whose subtitle carries the counts: what is shown, what was left out and why."""
    if notes:
        return alt.TitleParams(text=text, subtitle=notes, anchor="start")
    return alt.TitleParams(text=text, anchor="start")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _modality_color(modalities: pd.Series[Any]) -> alt.Color:
    """Colour by modality, the legend listing only the modalities present, in a fixed order."""
    present = set(modalities)
    domain = [m for m in MODALITY_COLORS if m in present]
    return _color("modality:N", "Modality", domain, [MODALITY_COLORS[m] for m in domain])


def _color(field: str, title: str, domain: list[str], palette: list[str]) -> alt.Color:
    """A nominal colour with an explicit domain and palette (stable colours, legend in domain
    order). With no data the scale is left to Vega-Lite and the legend hidden: an empty domain
    is not worth the risk of a renderer choking on it."""
    if not domain:
        return alt.Color(field, title=title, legend=None)
    return alt.Color(field, title=title, scale=alt.Scale(domain=domain, range=palette), sort=domain)


def _sample(
    rows: np.ndarray[Any, np.dtype[np.intp]],
    downloads: np.ndarray[Any, np.dtype[np.float64]],
    max_points: int,
    seed: int,
) -> tuple[np.ndarray[Any, np.dtype[np.intp]], str]:
    """At most ``max_points`` of ``rows``: the top half by downloads, then a sample of the rest
    drawn with ``seed``. Returns the positions and a note when it sampled.

    Deterministic: the same frame and seed give the same points. Ties in downloads are broken by
    row order (a stable sort on numbers only: sorting millions of ids as strings would cost
    seconds, and ``Catalog.search`` returns rows in a defined order anyway).
    """
    if len(rows) <= max_points:
        return rows, ""
    ordered = rows[np.argsort(-downloads[rows], kind="stable")]
    n_top = max_points // 2
    n_random = max_points - n_top
    rest = ordered[n_top:]
    picked = np.random.default_rng(seed).choice(len(rest), size=n_random, replace=False)
    chosen = np.concatenate([ordered[:n_top], rest[np.sort(picked)]])
    note = (
        f"showing {max_points:,} of them: the top {n_top:,} by downloads and "
        f"{n_random:,} of the other {len(rest):,} at random (seed {seed})"
    )
    return chosen, note
