"""Altair charts of a comparison (``hw.compare(models)``, wide form): memory and popularity.

- :func:`memory_by_dtype`: the memory to load each model at each dtype, the KV cache stacked on
  top where it is known, against a rule at the memory of this machine: what fits, at a glance.
- :func:`params_vs_popularity`: size against downloads (or popularity percentile), a labelled
  point per model.

Like the catalog charts (:mod:`hubwidgets.charts.catalog`), they take plain pandas, embed small
plain data, and say in the subtitle which models they left out and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from hubwidgets.core.choose.hardware import available_memory

from .catalog import (
    _OTHER_COLOR,
    _SI_LABELS,
    _TASK_COLORS,
    NO_TASK,
    OTHER_TASKS,
    WIDTH,
    _color,
    _floats,
    _int,
    _labels,
    _plural,
    _title,
    _top_tasks_or_other,
)

__all__ = ["DTYPE_COLORS", "KV_CACHE", "compare_charts", "memory_by_dtype", "params_vs_popularity"]

#: Height of the comparison charts in pixels.
HEIGHT = 300

#: Bytes in a GB as the charts count it (decimal, as disk and Hub sizes are quoted).
GB = 1e9

#: The dtypes of :func:`hubwidgets.core.choose.compare.compare`, largest first, with their colours.
DTYPE_COLORS: dict[str, str] = {
    "fp32": "#4c78a8",
    "fp16/bf16": "#f58518",
    "int8": "#54a24b",
    "int4": "#b279a2",
}

#: The colour group of the KV cache segments stacked on the weights.
KV_CACHE = "KV cache (fp16)"
_KV_COLOR = "#bab0ac"

#: The y columns :func:`params_vs_popularity` can plot, with their axis titles.
_POPULARITY_AXES: dict[str, str] = {
    "downloads": "Downloads (last 30 days, log scale)",
    "popularity_pct": "Popularity (percentile of downloads within the task, %)",
}

#: The machine's memory is drawn as a rule only within this many times the largest bar.
RULE_SPAN = 4

#: Ids named in a subtitle before "and N more".
_NAMED = 3


def memory_by_dtype(wide: pd.DataFrame, ram_bytes: int | None = None) -> alt.LayerChart:
    """Grouped horizontal bars: GB to load each model's weights at fp32, fp16/bf16, int8 and
    int4, with the KV cache (``kv_cache_bytes``, when known) stacked on each bar, and a rule at
    ``ram_bytes``, the memory of this machine (said in the subtitle instead when it is more than
    ``RULE_SPAN`` times the largest bar, where it would squash the bars).

    ``ram_bytes`` defaults to :func:`hubwidgets.core.choose.hardware.available_memory` (the largest
    GPU's memory, else the RAM available now): the same figure ``hw.compare``'s ``fits_*``
    columns test against, so a bar that ends below the rule is a ``fits`` of True. When it
    cannot be measured there is no rule, and the subtitle says so.

    Models with an unknown parameter count have no memory figures: they are left out and named
    in the subtitle. GB are decimal (10^9 bytes); weights only, activations not counted.
    """
    frame = _check_wide(wide, "memory_by_dtype", ("id", *_memory_columns()))
    ram, ram_label, ram_note = _machine_memory(ram_bytes)
    ids = _labels(frame["id"], "(no id)")
    memory = {d: _floats(frame[f"memory_{d}"]) for d in DTYPE_COLORS}
    known = np.logical_and.reduce([np.isfinite(m) for m in memory.values()])
    kv = _floats(frame["kv_cache_bytes"]) if "kv_cache_bytes" in frame.columns else None
    records: list[dict[str, Any]] = []
    for k in np.flatnonzero(known):
        kv_gb = None if kv is None or not np.isfinite(kv[k]) else float(kv[k]) / GB
        for dtype in DTYPE_COLORS:
            weights_gb = float(memory[dtype][k]) / GB
            total_gb = weights_gb + (kv_gb or 0.0)
            common = {
                "id": ids[k],
                "dtype": dtype,
                "weights_gb": weights_gb,
                "kv_gb": kv_gb,
                "total_gb": total_gb,
                "fits": None if ram is None else bool(total_gb * GB <= ram),
            }
            records.append({**common, "part": dtype, "y0": 0.0, "y1": weights_gb})
            if kv_gb:
                records.append({**common, "part": KV_CACHE, "y0": weights_gb, "y1": total_gb})
    columns = ["id", "dtype", "weights_gb", "kv_gb", "total_gb", "fits", "part", "y0", "y1"]
    data = pd.DataFrame.from_records(records, columns=columns)
    # a rule far above every bar would squash them to slivers: then say it instead of drawing it
    largest = float(data["total_gb"].max()) if len(data) else 0.0
    if ram is not None and largest > 0 and ram / GB > RULE_SPAN * largest:
        ram_note = f"{ram_label}: over {RULE_SPAN}x the largest bar, every model fits (no rule)"
        ram = None
    title = _memory_title(frame, ids, known, kv, ram_note)
    shown = [ids[k] for k in np.flatnonzero(known)]
    parts = [*DTYPE_COLORS, *([KV_CACHE] if (data["part"] == KV_CACHE).any() else [])]
    palette = [DTYPE_COLORS.get(p, _KV_COLOR) for p in parts]
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            # models down the side: ids read horizontally, however long
            y=alt.Y("id:N", title=None, sort=shown, axis=alt.Axis(labelLimit=320)),
            yOffset=alt.YOffset("dtype:N", sort=list(DTYPE_COLORS), title="dtype"),
            x=alt.X("y1:Q", title="Memory to load (GB, 1 GB = 10^9 bytes)"),
            x2="y0:Q",
            color=_color("part:N", "dtype / KV cache", parts if len(data) else [], palette),
            tooltip=[
                alt.Tooltip("id:N", title="Model"),
                alt.Tooltip("dtype:N", title="dtype"),
                alt.Tooltip("weights_gb:Q", title="Weights (GB)", format=".2f"),
                alt.Tooltip("kv_gb:Q", title="KV cache (GB)", format=".2f"),
                alt.Tooltip("total_gb:Q", title="Total (GB)", format=".2f"),
                alt.Tooltip("fits:N", title="Fits this machine"),
            ],
        )
    )
    layers: list[alt.Chart] = [bars]
    if ram is not None:
        line = pd.DataFrame({"gb": [ram / GB], "label": [ram_label]})
        rule = alt.Chart(line).mark_rule(color="#e45756", strokeDash=[6, 3], size=2)
        layers.append(
            rule.encode(x="gb:Q", tooltip=[alt.Tooltip("label:N", title="Memory")]),
        )
        # the label over a white outline of itself, readable where it crosses a bar
        for look in ({"stroke": "white", "strokeWidth": 4}, {"color": "#e45756"}):
            mark = alt.MarkDef(
                type="text", align="right", baseline="top", dx=-4, dy=2, fontWeight="bold", **look
            )
            layers.append(
                alt.Chart(line, mark=mark).encode(x="gb:Q", y=alt.value(0), text="label:N")
            )
    return alt.LayerChart(layer=layers, title=title, width=WIDTH, height=HEIGHT)


def params_vs_popularity(wide: pd.DataFrame, *, y: str = "downloads") -> alt.LayerChart:
    """Scatter of parameter count (log x) against ``y``, a point per model labelled with its id
    and coloured by task.

    ``y`` is ``"downloads"`` (30-day downloads, log scale) or ``"popularity_pct"`` (the
    percentile of the model's downloads among its task's models, from ``hw.compare``; NA on the
    live Hub). Models whose params or ``y`` are missing (or not positive, on a log scale) are
    left out and named in the subtitle.
    """
    if y not in _POPULARITY_AXES:
        raise ValueError(f"y must be one of {list(_POPULARITY_AXES)}, got {y!r}")
    frame = _check_wide(wide, "params_vs_popularity", ("id", "task", "params", y))
    ids = _labels(frame["id"], "(no id)")
    params = _floats(frame["params"])
    values = _floats(frame[y])
    log_y = y == "downloads"
    # NaN compares False; inf has no place on a log scale either
    ok = (params > 0) & np.isfinite(params) & np.isfinite(values)
    if log_y:
        ok &= values > 0
    rows = np.flatnonzero(ok)
    all_tasks = _labels(frame["task"], NO_TASK)
    tasks = [all_tasks[k] for k in rows]
    colored, domain = _top_tasks_or_other(tasks)
    data = pd.DataFrame(
        {
            "id": [ids[k] for k in rows],
            "task": tasks,
            "color": colored,
            "params": params[rows],
            "y": values[rows],
        }
    )
    extra = [c for c in ("downloads", "likes", "popularity_pct", "license") if c in frame.columns]
    for col in extra:
        if col == "license":
            licenses = _labels(frame[col], "unknown")
            data[col] = [licenses[k] for k in rows]
        else:
            data[col] = _floats(frame[col])[rows]
    total, kept = len(frame), len(rows)
    what = "Downloads" if log_y else "Popularity percentile"
    why = f"params or {y} missing" + (" or not positive (log scales)" if log_y else "")
    left = [ids[k] for k in np.flatnonzero(~ok)]
    if total == 0:
        title = _title(f"{what} vs parameters: no models", [])
    elif kept == 0:
        title = _title(
            f"{what} vs parameters: no models with params and {y}",
            [f"all {_plural(total, 'model')} left out: {why}"],
        )
    else:
        notes = [f"{kept:,} of {_plural(total, 'model')} plotted"]
        if left:
            notes.append(f"{len(left):,} left out, {why}: {_names(left)}")
        title = _title(f"{what} vs parameters", notes)
    palette = [_OTHER_COLOR if c == OTHER_TASKS else _TASK_COLORS[i] for i, c in enumerate(domain)]
    y_axis = (
        alt.Y(
            "y:Q",
            title=_POPULARITY_AXES[y],
            scale=alt.Scale(type="log"),
            axis=alt.Axis(labelExpr=_SI_LABELS),
        )
        if log_y
        else alt.Y("y:Q", title=_POPULARITY_AXES[y], scale=alt.Scale(domain=[0, 100]))
    )
    base = alt.Chart(data).encode(
        x=alt.X(
            "params:Q",
            title="Parameters (count, log scale)",
            scale=alt.Scale(type="log"),
            axis=alt.Axis(labelExpr=_SI_LABELS),
        ),
        y=y_axis,
    )
    tooltip = [
        alt.Tooltip("id:N", title="Model"),
        alt.Tooltip("task:N", title="Task"),
        alt.Tooltip("params:Q", title="Parameters", format=","),
        *[_extra_tooltip(c) for c in extra],
    ]
    points = base.mark_circle(size=90, opacity=0.8).encode(
        color=_color("color:N", "Task", domain, palette), tooltip=tooltip
    )
    labels = base.mark_text(align="left", dx=8, fontSize=11).encode(text="id:N")
    return alt.LayerChart(layer=[points, labels], title=title, width=WIDTH, height=HEIGHT)


def compare_charts(wide: pd.DataFrame, ram_bytes: int | None = None) -> dict[str, alt.LayerChart]:
    """The charts of a comparison, by name: ``"memory"`` (:func:`memory_by_dtype`) and
    ``"popularity"`` (:func:`params_vs_popularity`)."""
    frame = _check_wide(wide, "compare_charts", ())
    return {
        "memory": memory_by_dtype(frame, ram_bytes),
        "popularity": params_vs_popularity(frame),
    }


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _memory_columns() -> list[str]:
    return [f"memory_{d}" for d in DTYPE_COLORS]


def _check_wide(wide: object, fn: str, needed: Sequence[str]) -> pd.DataFrame:
    if not isinstance(wide, pd.DataFrame):
        raise TypeError(
            f"{fn}() expects the DataFrame of hw.compare(models) (wide form), "
            f"got {type(wide).__name__}"
        )
    missing = [c for c in needed if c not in wide.columns]
    if missing:
        hint = (
            " (this is the long form: call hw.compare(models) without tidy=True)"
            if "metric" in wide.columns
            else ""
        )
        raise ValueError(
            f"{fn}() needs the columns {missing}; the DataFrame has {list(wide.columns)}{hint}"
        )
    return wide


def _machine_memory(ram_bytes: object) -> tuple[int | None, str, str]:
    """(bytes, the rule's label, a note for the subtitle) of the memory the bars are held to."""
    if ram_bytes is not None:
        ram = _int(ram_bytes, "ram_bytes")
        if ram < 1:
            raise ValueError(f"ram_bytes must be positive, got {ram}")
        label = f"this machine: {ram / GB:.1f} GB RAM"
        return ram, label, f"rule: {label} (given)"
    found, where = available_memory()
    if found is None:
        return None, "", f"no rule: this machine's memory is unknown ({where})"
    gb = f"{found / GB:.1f} GB"
    if where.startswith("RAM"):
        return found, f"this machine: {gb} RAM", f"rule: {where}, as in the fits_* columns"
    device = where.removesuffix(" total memory")
    return found, f"this machine: {gb} GPU {device}", f"rule: {where}, as in the fits_* columns"


def _memory_title(
    frame: pd.DataFrame,
    ids: list[str],
    known: np.ndarray[Any, np.dtype[np.bool_]],
    kv: np.ndarray[Any, np.dtype[np.float64]] | None,
    ram_note: str,
) -> alt.TitleParams:
    total, kept = len(frame), int(known.sum())
    if total == 0:
        return _title("Memory to load by dtype: no models", [ram_note])
    left = [ids[k] for k in np.flatnonzero(~known)]
    if kept == 0:
        return _title(
            "Memory to load by dtype: no models with a parameter count",
            [f"all {_plural(total, 'model')} left out: parameter count unknown", ram_note],
        )
    notes = [f"{kept:,} of {_plural(total, 'model')}; weights only, activations not counted"]
    if left:
        notes.append(f"{len(left):,} left out, parameter count unknown: {_names(left)}")
    if kv is not None:
        with_kv = known & np.isfinite(kv) & (kv > 0)
        text_gen = known.copy()
        if "task" in frame.columns:
            text_gen &= np.array(_labels(frame["task"], NO_TASK)) == "text-generation"
        no_kv = [ids[k] for k in np.flatnonzero(text_gen & ~with_kv)]
        if with_kv.any():
            notes.append(f"KV cache stacked on {_plural(int(with_kv.sum()), 'model')}")
        if no_kv:
            notes.append(
                f"KV cache unknown, not drawn, for {_names(no_kv)} (see kv_cache_bytes_source)"
            )
    notes.append(ram_note)
    return _title("Memory to load by dtype", notes)


def _names(ids: list[str]) -> str:
    shown = ", ".join(ids[:_NAMED])
    return shown if len(ids) <= _NAMED else f"{shown} and {len(ids) - _NAMED:,} more"


def _extra_tooltip(col: str) -> alt.Tooltip:
    if col == "license":
        return alt.Tooltip("license:N", title="License")
    if col == "popularity_pct":
        return alt.Tooltip("popularity_pct:Q", title="Popularity percentile (task)", format=".1f")
    title = "Downloads (30 days)" if col == "downloads" else "Likes"
    return alt.Tooltip(f"{col}:Q", title=title, format=",")
