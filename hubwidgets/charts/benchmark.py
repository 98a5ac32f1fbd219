"""Altair charts of a benchmark (``hw.benchmark(...)``): latency, throughput and quality.

- :func:`latency_distribution`: how the measured calls' latencies spread, per model (and batch
  size): a box from the 25th to the 75th percentile, whiskers from the fastest to the slowest
  call, the median marked, each call a faint tick.
- :func:`throughput_vs_batch`: items per second against the batch size, a line per model (a bar
  per model when only one batch size was measured).
- :func:`quality_vs_latency`: the median latency against the quality metric, a labelled point
  per model, with the Pareto front (:func:`pareto_front`): the models no other one beats on both.

They take the plain DataFrames of a ``BenchmarkResult`` (``runs``, ``summary``), embed small
data (summary statistics computed in pandas, at most :data:`MAX_CALLS` calls per model drawn),
and say in the subtitle what they left out and why: rows that failed, were cancelled, or have
no value for what the chart shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from hubwidgets.core.inference._quality import LOWER_IS_BETTER
from hubwidgets.core.inference.benchmark import model_label
from hubwidgets.core.inference.results import QUALITY_METRICS, main_quality_metric

from .catalog import _TASK_COLORS, WIDTH, _color, _floats, _labels, _plural, _title

__all__ = [
    "LOWER_IS_BETTER",
    "QUALITY_METRICS",
    "benchmark_charts",
    "latency_distribution",
    "main_quality_metric",
    "named_benchmark_charts",
    "pareto_front",
    "quality_vs_latency",
    "throughput_vs_batch",
]

#: Individual calls drawn per model and batch size (evenly spaced through the sorted latencies;
#: the box and whiskers are computed on every call).
MAX_CALLS = 300

#: A latency axis turns logarithmic when its largest value is over this many times its smallest.
LOG_SPREAD = 10.0

#: Height of the benchmark charts in pixels (the latency chart grows with its rows).
HEIGHT = 280

#: The front's colour, and the colour of the points behind it.
_FRONT_COLOR = "#e45756"
_BEHIND_COLOR = "#4c78a8"

#: Ids named in a subtitle before "and N more".
_NAMED = 3


def pareto_front(summary: pd.DataFrame, metric: str) -> pd.Series[bool]:
    """Whether each row is on the Pareto front of median latency (``p50_ms``, lower is better)
    and ``metric`` (higher is better, lower for :data:`LOWER_IS_BETTER`): no other row is at
    least as good on both and better on one.

    Rows that did not run (``status`` other than ``"ok"``) or lack either value are never on the
    front and dominate nothing. Rows tied on both values are all on the front (none beats the
    other). The result has the summary's index.
    """
    frame = _check_frame(summary, "pareto_front", ("p50_ms", metric))
    latency = _floats(frame["p50_ms"])
    quality = _floats(frame[metric])
    if metric in LOWER_IS_BETTER:
        quality = -quality  # from here on, higher is better
    usable = np.isfinite(latency) & np.isfinite(quality) & _ok(frame)
    front = np.zeros(len(frame), dtype=bool)
    rows = np.flatnonzero(usable)
    for k in rows:
        others = rows[rows != k]
        as_good = (latency[others] <= latency[k]) & (quality[others] >= quality[k])
        better = (latency[others] < latency[k]) | (quality[others] > quality[k])
        front[k] = not bool((as_good & better).any())
    return pd.Series(front, index=frame.index, dtype=bool, name="pareto")


def latency_distribution(runs: pd.DataFrame) -> alt.LayerChart:
    """Horizontal box plots of ``latency_ms`` over the measured calls (``phase == "measure"``,
    no error), a row per model, or per model and batch size when several were measured.

    The box spans the 25th to 75th percentile, the whiskers the fastest and slowest call, a white
    tick marks the median (p50) and faint ticks the calls themselves (at most :data:`MAX_CALLS`
    per row). The axis is logarithmic when the slowest call is more than :data:`LOG_SPREAD`
    times the fastest.
    """
    frame = _check_frame(runs, "latency_distribution", ("model", "latency_ms"))
    measured = frame
    if "phase" in frame.columns:
        measured = measured[[p == "measure" for p in _labels(measured["phase"], "")]]
    if "error" in measured.columns:
        measured = measured[_no_error(measured["error"])]
    latency = _floats(measured["latency_ms"]) if len(measured) else np.zeros(0)
    keep = np.isfinite(latency) & (latency > 0)
    measured, latency = measured[keep], latency[keep]
    rows = _row_labels(measured)
    stats, calls = _latency_stats(rows, latency)
    log = bool(len(latency)) and float(latency.max()) > LOG_SPREAD * float(latency.min())
    order = list(stats["row"])
    scale = alt.Scale(type="log") if log else alt.Scale(zero=True)
    x_title = "Latency per call (ms" + (", log scale)" if log else ")")
    title = _latency_title(stats, frame, len(measured), log)
    y = alt.Y("row:N", title=None, sort=order, axis=alt.Axis(labelLimit=320))
    tooltip = [
        alt.Tooltip("row:N", title="Model"),
        alt.Tooltip("n:Q", title="Measured calls", format=","),
        alt.Tooltip("p50:Q", title="p50 (ms)", format=".2f"),
        alt.Tooltip("q1:Q", title="p25 (ms)", format=".2f"),
        alt.Tooltip("q3:Q", title="p75 (ms)", format=".2f"),
        alt.Tooltip("p90:Q", title="p90 (ms)", format=".2f"),
        alt.Tooltip("p99:Q", title="p99 (ms)", format=".2f"),
        alt.Tooltip("low:Q", title="fastest (ms)", format=".2f"),
        alt.Tooltip("high:Q", title="slowest (ms)", format=".2f"),
    ]
    base = alt.Chart(stats).encode(y=y)
    whiskers = base.mark_rule(color="#6f6f6f").encode(
        x=alt.X("low:Q", title=x_title, scale=scale), x2="high:Q", tooltip=tooltip
    )
    boxes = base.mark_bar(size=14, color=_BEHIND_COLOR, opacity=0.75).encode(
        x="q1:Q", x2="q3:Q", tooltip=tooltip
    )
    medians = base.mark_tick(color="white", thickness=2, size=14).encode(x="p50:Q", tooltip=tooltip)
    ticks = (
        alt.Chart(calls)
        .mark_tick(color="#333333", opacity=0.25, size=8, thickness=1)
        .encode(
            x="latency_ms:Q",
            y=alt.Y("row:N", sort=order),
            tooltip=[
                alt.Tooltip("row:N", title="Model"),
                alt.Tooltip("latency_ms:Q", title="Latency (ms)", format=".2f"),
            ],
        )
    )
    height = max(60, 28 * len(stats)) if len(stats) else HEIGHT // 2
    return alt.LayerChart(
        layer=[whiskers, boxes, ticks, medians],
        title=title,
        width=WIDTH,
        height=height,
        # browsers draw the ids a little wider than vl-convert measures them
        padding={"left": 16, "top": 5, "right": 5, "bottom": 5},
    )


def throughput_vs_batch(summary: pd.DataFrame) -> alt.LayerChart:
    """Items per second (``items_per_s``) against the batch size, a line and points per model;
    with a single batch size, a horizontal bar per model instead. Rows that failed or have no
    throughput are left out and named in the subtitle."""
    frame = _check_frame(summary, "throughput_vs_batch", ("model", "batch_size", "items_per_s"))
    models = _model_names(frame)
    batch = _floats(frame["batch_size"])
    rate = _floats(frame["items_per_s"])
    ok = _ok(frame) & np.isfinite(rate) & (rate > 0) & np.isfinite(batch)
    rows = np.flatnonzero(ok)
    data = pd.DataFrame(
        {
            "model": [models[k] for k in rows],
            "batch_size": batch[rows].astype("int64"),
            "items_per_s": rate[rows],
            "p50_ms": _optional(frame, "p50_ms")[rows],
        }
    )
    order = list(dict.fromkeys(data["model"]))
    left = [f"{models[k]} (batch {_batch(batch[k])})" for k in np.flatnonzero(~ok)]
    notes = [f"{_plural(len(order), 'model')}; higher is better"] if order else []
    if left:
        notes.append(f"{len(left):,} left out (failed or no throughput): {_names(left)}")
    tooltip = [
        alt.Tooltip("model:N", title="Model"),
        alt.Tooltip("batch_size:Q", title="Batch size"),
        alt.Tooltip("items_per_s:Q", title="Throughput (items/s)", format=",.1f"),
        alt.Tooltip("p50_ms:Q", title="p50 latency per call (ms)", format=".2f"),
    ]
    x_title = "Throughput (items/s)"
    if data["batch_size"].nunique() > 1:
        color = _color("model:N", "Model", order, _palette(len(order)))
        base = alt.Chart(data).encode(
            x=alt.X("batch_size:O", title="Batch size (items per call)", sort="ascending"),
            y=alt.Y("items_per_s:Q", title=x_title),
            color=color,
        )
        layers = [base.mark_line(), base.mark_point(filled=True, size=60).encode(tooltip=tooltip)]
        text = "Throughput vs batch size" if len(data) else "Throughput: no model ran"
        return alt.LayerChart(layer=layers, title=_title(text, notes), width=WIDTH, height=HEIGHT)
    if len(data):
        notes.insert(0, f"batch size {int(data['batch_size'].iloc[0])}")
    bars = (
        alt.Chart(data)
        .mark_bar(color=_BEHIND_COLOR)
        .encode(
            x=alt.X("items_per_s:Q", title=x_title),
            y=alt.Y("model:N", title=None, sort="-x", axis=alt.Axis(labelLimit=320)),
            tooltip=tooltip,
        )
    )
    text = "Throughput per model" if len(data) else "Throughput: no model ran"
    return alt.LayerChart(
        layer=[bars], title=_title(text, notes), width=WIDTH, height=max(60, 24 * len(data))
    )


def quality_vs_latency(summary: pd.DataFrame, metric: str | None = None) -> alt.LayerChart:
    """Median latency (``p50_ms``, x) against a quality metric (y), a labelled point per model
    and batch size, its confidence interval (``<metric>_lo``/``_hi``) as a vertical bar when
    known, and the Pareto front (:func:`pareto_front`) as a step line through its highlighted
    points: the models to pick from, each faster or better than the others.

    ``metric`` defaults to :func:`main_quality_metric`; error rates (:data:`LOWER_IS_BETTER`)
    are plotted as they are, lower being better, and the axis says so.

    Raises:
        ValueError: the summary has no quality column (run the benchmark with ``labels=``).
    """
    frame = _check_frame(summary, "quality_vs_latency", ("model", "p50_ms"))
    metric = metric if metric is not None else main_quality_metric(frame)
    if metric is None or metric not in frame.columns:
        raise ValueError(
            "quality_vs_latency() needs a quality column "
            f"({', '.join(QUALITY_METRICS)}); run the benchmark with labels=[...] to get one"
        )
    front = pareto_front(frame, metric).to_numpy()
    latency, quality = _floats(frame["p50_ms"]), _floats(frame[metric])
    ok = _ok(frame) & np.isfinite(latency) & (latency > 0) & np.isfinite(quality)
    rows = np.flatnonzero(ok)
    labels = _row_labels(frame)
    data = pd.DataFrame(
        {
            "row": [labels[k] for k in rows],
            "p50_ms": latency[rows],
            "quality": quality[rows],
            "lo": _optional(frame, f"{metric}_lo")[rows],
            "hi": _optional(frame, f"{metric}_hi")[rows],
            "items_per_s": _optional(frame, "items_per_s")[rows],
            "front": ["Pareto front" if front[k] else "dominated" for k in rows],
        }
    )
    lower = metric in LOWER_IS_BETTER
    name = QUALITY_METRICS.get(metric, metric)
    y_title = f"{name} ({'lower' if lower else 'higher'} is better)"
    log = len(rows) > 1 and float(data["p50_ms"].max()) > LOG_SPREAD * float(data["p50_ms"].min())
    x = alt.X(
        "p50_ms:Q",
        title="Median latency per call, p50 (ms" + (", log scale)" if log else ")"),
        # points, not bars: the axis hugs them, zero would squash close latencies together
        scale=alt.Scale(type="log") if log else alt.Scale(zero=False, padding=24),
    )
    tooltip = [
        alt.Tooltip("row:N", title="Model"),
        alt.Tooltip("p50_ms:Q", title="p50 latency (ms)", format=".2f"),
        alt.Tooltip("quality:Q", title=name, format=".3f"),
        alt.Tooltip("lo:Q", title="95% CI low", format=".3f"),
        alt.Tooltip("hi:Q", title="95% CI high", format=".3f"),
        alt.Tooltip("items_per_s:Q", title="Throughput (items/s)", format=",.1f"),
        alt.Tooltip("front:N", title="Pareto"),
    ]
    y = alt.Y("quality:Q", title=y_title, scale=alt.Scale(zero=False))
    base = alt.Chart(data).encode(x=x, y=y)
    layers: list[alt.Chart] = []
    with_ci = data.dropna(subset=["lo", "hi"])
    if len(with_ci):
        layers.append(
            alt.Chart(with_ci)
            .mark_rule(color="#9d9d9d")
            .encode(x=x, y=alt.Y("lo:Q", title=y_title, scale=alt.Scale(zero=False)), y2="hi:Q")
        )
    on_front = data[data["front"] == "Pareto front"].sort_values("p50_ms")
    if len(on_front) > 1:
        layers.append(
            alt.Chart(on_front)
            .mark_line(color=_FRONT_COLOR, interpolate="step-after", strokeDash=[4, 3])
            .encode(x=x, y="quality:Q", order="p50_ms:Q")
        )
    domain = [d for d in ("Pareto front", "dominated") if (data["front"] == d).any()]
    palette = [_FRONT_COLOR if d == "Pareto front" else _BEHIND_COLOR for d in domain]
    layers.append(
        base.mark_point(filled=True, size=90).encode(
            color=_color("front:N", "", domain, palette).legend(orient="bottom"),
            tooltip=tooltip,
        )
    )
    layers.append(base.mark_text(align="left", dx=8, fontSize=11).encode(text="row:N"))
    title = _quality_title(frame, labels, ok, int(front.sum()), name)
    return alt.LayerChart(layer=layers, title=title, width=WIDTH, height=HEIGHT)


def benchmark_charts(result: Any) -> list[alt.LayerChart]:
    """The charts that apply to a ``BenchmarkResult`` (anything with ``runs`` and ``summary``
    DataFrames): the latency distribution when calls were measured, the throughput when a model
    ran, quality vs latency when a quality metric was computed."""
    return list(named_benchmark_charts(result).values())


def named_benchmark_charts(result: Any) -> dict[str, alt.LayerChart]:
    """:func:`benchmark_charts` by name: ``"latency"``, ``"throughput"``, ``"quality"`` (those
    that apply, in that order)."""
    runs, summary = getattr(result, "runs", None), getattr(result, "summary", None)
    if not isinstance(runs, pd.DataFrame) or not isinstance(summary, pd.DataFrame):
        raise TypeError(
            "benchmark_charts() expects a BenchmarkResult (with runs and summary DataFrames), "
            f"got {type(result).__name__}"
        )
    charts: dict[str, alt.LayerChart] = {}
    if {"model", "latency_ms"} <= set(runs.columns) and len(runs):
        measured = runs if "phase" not in runs.columns else runs[runs["phase"] == "measure"]
        if len(measured) and np.isfinite(_floats(measured["latency_ms"])).any():
            charts["latency"] = latency_distribution(runs)
    needed = {"model", "batch_size", "items_per_s"}
    if needed <= set(summary.columns) and (_ok(summary) & (_floats_or_nan(summary) > 0)).any():
        charts["throughput"] = throughput_vs_batch(summary)
    metric = main_quality_metric(summary) if "p50_ms" in summary.columns else None
    if metric is not None and "model" in summary.columns:
        charts["quality"] = quality_vs_latency(summary, metric)
    return charts


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _check_frame(df: object, fn: str, needed: Sequence[str]) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"{fn}() expects a DataFrame of a BenchmarkResult (result.runs or result.summary), "
            f"got {type(df).__name__}"
        )
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ValueError(
            f"{fn}() needs the columns {missing}; the DataFrame has {list(df.columns)}"
        )
    return df


def _ok(frame: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Rows that ran: ``status == "ok"`` (all rows when there is no status column)."""
    if "status" not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    return np.array([s == "ok" for s in _labels(frame["status"], "")], dtype=bool)


def _no_error(errors: pd.Series[Any]) -> np.ndarray[Any, np.dtype[np.bool_]]:
    return np.array([pd.isna(e) or str(e) == "" for e in errors.astype(object)], dtype=bool)


def _optional(frame: pd.DataFrame, column: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    if column in frame.columns:
        return _floats(frame[column])
    return np.full(len(frame), np.nan)


def _floats_or_nan(summary: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.float64]]:
    values = _optional(summary, "items_per_s")
    return np.where(np.isfinite(values), values, 0.0)


def _batch(value: float) -> str:
    return str(int(value)) if np.isfinite(value) else "?"


def _model_names(frame: pd.DataFrame) -> list[str]:
    """Each row's model, a local folder by its last two parts: a whole temporary path only
    pushes the plot aside."""
    return [model_label(m) for m in _labels(frame["model"], "(no model)")]


def _row_labels(frame: pd.DataFrame) -> list[str]:
    """The model, with " · batch N" when the frame holds several batch sizes."""
    models = _model_names(frame)
    if "batch_size" not in frame.columns:
        return models
    batch = _floats(frame["batch_size"]) if len(frame) else np.zeros(0)
    if len(set(batch[np.isfinite(batch)].tolist())) <= 1:
        return models
    return [f"{m} · batch {_batch(b)}" for m, b in zip(models, batch, strict=True)]


def _latency_stats(
    rows: list[str], latency: np.ndarray[Any, np.dtype[np.float64]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per row label: the box plot's statistics; and up to MAX_CALLS calls to draw."""
    columns = ["row", "n", "low", "q1", "p50", "q3", "p90", "p99", "high"]
    records: list[tuple[Any, ...]] = []
    drawn: list[pd.DataFrame] = []
    groups: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(row, []).append(i)
    for row, positions in groups.items():
        values = np.sort(latency[positions])
        q = np.percentile(values, [25, 50, 75, 90, 99])
        records.append((row, len(values), values[0], *q[:3], q[3], q[4], values[-1]))
        picked = np.unique(np.linspace(0, len(values) - 1, min(len(values), MAX_CALLS)).round())
        drawn.append(pd.DataFrame({"row": row, "latency_ms": values[picked.astype(int)]}))
    stats = pd.DataFrame.from_records(records, columns=columns).sort_values("p50", kind="stable")
    calls = pd.concat(drawn) if drawn else pd.DataFrame({"row": [], "latency_ms": []})
    return stats.reset_index(drop=True), calls.reset_index(drop=True)


def _latency_title(
    stats: pd.DataFrame, frame: pd.DataFrame, measured: int, log: bool
) -> alt.TitleParams:
    if not len(stats):
        return _title("Latency per call: no measured calls", _failed_notes(frame))
    notes = [
        f"{measured:,} measured calls over {_plural(len(stats), 'row')}, fastest median first",
        "box p25-p75, white tick p50, whiskers fastest to slowest call",
    ]
    if log:
        notes.append(f"log scale: the slowest call is over {LOG_SPREAD:.0f}x the fastest")
    notes.extend(_failed_notes(frame))
    return _title("Latency per call", notes)


def _failed_notes(frame: pd.DataFrame) -> list[str]:
    """'N calls failed' from the runs' error column."""
    if "error" not in frame.columns or not len(frame):
        return []
    failed = int((~_no_error(frame["error"])).sum())
    return [f"{_plural(failed, 'call')} failed, not drawn"] if failed else []


def _quality_title(
    frame: pd.DataFrame,
    labels: list[str],
    ok: np.ndarray[Any, np.dtype[np.bool_]],
    on_front: int,
    name: str,
) -> alt.TitleParams:
    kept = int(ok.sum())
    if not kept:
        return _title(f"{name} vs latency: no model with both", [])
    notes = [
        f"{_plural(kept, 'point')}; {on_front:,} on the Pareto front (no other point is both "
        "faster and better)",
        "grey bars: 95% confidence intervals",
    ]
    left = [labels[k] for k in np.flatnonzero(~ok)]
    if left:
        notes.append(f"{len(left):,} left out (failed, or no latency or quality): {_names(left)}")
    return _title(f"{name} vs latency", notes)


def _names(ids: list[str]) -> str:
    shown = ", ".join(ids[:_NAMED])
    return shown if len(ids) <= _NAMED else f"{shown} and {len(ids) - _NAMED:,} more"


def _palette(n: int) -> list[str]:
    return [_TASK_COLORS[i % len(_TASK_COLORS)] for i in range(n)]
