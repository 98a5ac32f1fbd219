"""The comparison as people read it: a matrix of metrics x models, the best value of each row
marked.

:func:`matrix` turns the wide form of :func:`hubwidgets.compare` (one row per model) into the
long matrix a view draws: one row per metric and model (:data:`MATRIX_COLUMNS`), each value
already formatted for people (``"7.2B"``, ``"3.50 GB"``, ``"yes"``), with where the figure comes
from and whether it is the best of its row (:func:`~hubwidgets.core.choose._best.best_values`).
:func:`by_metric` pivots that matrix into one row per metric and one column per model, the shape
of a printed table.

>>> wide = hw.compare(["org/a", "org/b"], catalog=catalog)     # doctest: +SKIP
>>> matrix(wide)                                               # one row per metric and model
>>> by_metric(matrix(wide))                                    # one row per metric
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..report import compact
from ._best import best_for, best_values

__all__ = ["MATRIX_COLUMNS", "by_metric", "matrix", "matrix_and_badges"]

#: The columns of :func:`matrix` (one row per metric and model): ``metric`` (the wide form's
#: column), ``label`` and ``unit`` (for people), ``model``, ``text`` (the value formatted, ""
#: when unknown), ``source`` (where the figure comes from) and ``best`` (the best of its row).
MATRIX_COLUMNS: tuple[str, ...] = ("metric", "label", "unit", "model", "text", "source", "best")


def _rows(context_length: int, batch_size: int) -> list[tuple[str, str, str]]:
    """The matrix's rows, in order: ``(column of the wide form, label, unit)``."""
    fits = [
        (f"fits_{d}", f"Fits this machine ({d})", "weights + KV cache")
        for d in ("fp32", "fp16/bf16", "int8", "int4")
    ]
    memory = [
        (f"memory_{d}", f"Memory to load ({d})", "weights only")
        for d in ("fp32", "fp16/bf16", "int8", "int4")
    ]
    sequences = f"{batch_size} sequence{'s' if batch_size != 1 else ''}"
    return [
        ("task", "Task", ""),
        ("library", "Library", ""),
        ("license", "License", ""),
        ("license_class", "License class", ""),
        ("commercial_use", "Commercial use", ""),
        ("license_conflict", "License conflict", "along the base models"),
        ("scan_status", "Scan status", ""),
        ("verdict", "Verdict", "team policy"),
        ("params", "Parameters", ""),
        ("weights_bytes", "Weights on disk", ""),
        *memory,
        ("kv_cache_bytes", "KV cache", f"{context_length:,} tokens, {sequences}"),
        *fits,
        ("downloads", "Downloads", "last 30 days"),
        ("likes", "Likes", ""),
        ("popularity_pct", "Popularity", "percentile in its task"),
        ("days_since_update", "Last updated", "days ago"),
        ("inference", "Inference API", ""),
        ("providers", "Providers", ""),
        ("base_models", "Base models", ""),
        ("children_count", "Fine-tunes, quantizations…", "model tree"),
        ("evals", "Evaluations", "the card's model-index"),
        ("warning", "Warning", ""),
    ]


def _text(column: str, value: Any) -> str:
    """A value as people read it ('' when unknown)."""
    if value is None or value is pd.NA or (not isinstance(value, (str, list)) and pd.isna(value)):
        text = ""
    elif column == "license_conflict" and value == "":  # checked, and none found
        text = "none"
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif column in {"weights_bytes", "kv_cache_bytes"} or column.startswith("memory_"):
        text = f"{int(value) / 1e9:.2f} GB"
    elif column in {"params", "downloads", "likes"}:
        text = compact(int(value))
    elif column == "popularity_pct":
        text = f"{float(value):.0f}%"
    elif column == "evals":  # [{dataset, metric, value, ...}]: what a card reports, compactly
        text = "; ".join(_eval_text(e) for e in value if isinstance(e, Mapping))
    elif isinstance(value, (list, tuple)):
        text = ("; " if column == "reasons" else ", ").join(map(str, value))
    else:
        text = str(value)
    return text


#: Rows whose source is preceded by the wide form's explanation: ``{row: column of the why}``.
_WHY = {"commercial_use": "commercial_use_reason", "verdict": "reasons"}


def _with_why(wide: pd.DataFrame, column: str, sources: list[Any]) -> list[Any]:
    """``sources`` of a row, each preceded by why the value is what it is (the commercial-use
    reason, the policy's reasons) when the wide form has it."""
    why_column = _WHY.get(column)
    if why_column is None or why_column not in wide.columns:
        return sources
    out: list[Any] = []
    for why, source in zip(wide[why_column].tolist(), sources, strict=True):
        words = _text(why_column, why)
        out.append(f"{words} ({source})" if words and source else words or source)
    return out


def _eval_text(result: Mapping[str, Any]) -> str:
    """'mmlu accuracy 0.68' from one evaluation result of a card."""
    value = result.get("value")
    shown = f"{value:.3g}" if isinstance(value, (int, float)) else str(value)
    parts = (result.get("dataset"), result.get("metric"), shown)
    return " ".join(str(p) for p in parts if p not in (None, ""))


def matrix(
    wide: pd.DataFrame,
    *,
    context_length: int = 4096,
    batch_size: int = 1,
    best: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The wide form of :func:`hubwidgets.compare` as a view shows it: one row per metric and
    model, with :data:`MATRIX_COLUMNS`, metrics in a fixed reading order and models in
    ``wide``'s order. The ``warning`` row is left out when the models' tasks agree.

    Args:
        wide: :func:`hubwidgets.compare`'s wide form (an ``id`` column, one row per model).
        context_length, batch_size: what the KV cache was sized for (the row's unit says it).
        best: :func:`~hubwidgets.core.choose._best.best_values` of ``wide`` when already
            computed.

    Raises:
        ValueError: ``wide`` has no ``id`` column.
    """
    winners = best_values(wide) if best is None else best
    best_ids = {str(m): set(w) for m, w in zip(winners["metric"], winners["best"], strict=True)}
    ids = [str(i) for i in wide["id"]]
    origin = (
        [f"catalog ({s})" for s in wide["source"].astype("object").fillna("unknown")]
        if "source" in wide.columns
        else ["catalog"] * len(ids)
    )
    records: list[tuple[Any, ...]] = []
    for column, label, unit in _rows(context_length, batch_size):
        if column not in wide.columns:
            continue
        values = wide[column].tolist()
        if column == "warning" and not any(values):
            continue
        sources = (
            wide[f"{column}_source"].astype("object").fillna("").tolist()
            if f"{column}_source" in wide.columns
            else origin
        )
        sources = _with_why(wide, column, sources)
        winners_here = best_ids.get(column, set())
        for k, model_id in enumerate(ids):
            text = _text(column, values[k])
            records.append(
                (column, label, unit, model_id, text, str(sources[k]), model_id in winners_here)
            )
    out = pd.DataFrame.from_records(records, columns=list(MATRIX_COLUMNS))
    out["best"] = out["best"].astype(bool)
    return out


def by_metric(shown: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """:func:`matrix` pivoted for a printed table: one row per metric, one column per model.

    Returns the frame and the model ids in column order. The frame has ``metric``, ``label``
    (with the unit in brackets when there is one) and, for the k-th model, ``model_<k>`` (its
    text), ``model_<k>_best`` (whether it is the best of the row) and ``model_<k>_source``.
    Columns are numbered rather than named by id, so no id can clash with another column.

    Raises:
        ValueError: ``shown`` lacks some of :data:`MATRIX_COLUMNS`.
    """
    missing = [c for c in MATRIX_COLUMNS if c not in shown.columns]
    if missing:
        raise ValueError(f"by_metric needs the columns of matrix(); {missing} are missing")
    ids = [str(m) for m in dict.fromkeys(shown["model"])]
    slots = {model_id: f"model_{k}" for k, model_id in enumerate(ids)}
    rows: dict[str, dict[str, Any]] = {}
    for r in shown.itertuples(index=False):
        metric = str(r.metric)
        row = rows.get(metric)
        if row is None:
            name, unit = str(r.label), str(r.unit)
            label = f"{name} ({unit})" if unit else name
            row = rows[metric] = {"metric": metric, "label": label}
            for slot in slots.values():  # a model missing from a row shows as unknown
                row.update({slot: "", f"{slot}_best": False, f"{slot}_source": ""})
        slot = slots[str(r.model)]
        row.update(
            {slot: str(r.text), f"{slot}_best": bool(r.best), f"{slot}_source": str(r.source)}
        )
    columns = ["metric", "label"]
    for slot in slots.values():
        columns += [slot, f"{slot}_best", f"{slot}_source"]
    return pd.DataFrame(list(rows.values()), columns=columns), ids


def matrix_and_badges(
    wide: pd.DataFrame, *, context_length: int = 4096, batch_size: int = 1
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """What a comparison view shows of ``wide``: its :func:`matrix` and the badges each model
    earns (:func:`~hubwidgets.core.choose._best.best_for`), the best values computed once.

    Raises:
        ValueError: ``wide`` has no ``id`` column.
    """
    best = best_values(wide)
    shown = matrix(wide, context_length=context_length, batch_size=batch_size, best=best)
    return shown, best_for(wide, best)
