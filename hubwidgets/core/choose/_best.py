"""Which compared model is best on each metric, and the badges that follow ("smallest", ...).

Works on the wide form of :func:`hubwidgets.compare` (one row per model). A metric has a
direction (:data:`DIRECTIONS`):

- ``higher`` is better: ``downloads``, ``likes``, ``popularity_pct``, ``children_count`` (a
  bigger model tree: more fine-tunes and quantizations to pick from), and ``fits_<dtype>`` (True
  beats False);
- ``lower`` is better: ``params``, ``weights_bytes``, ``memory_<dtype>``, ``kv_cache_bytes``
  (smaller is cheaper to run, as the ``cost`` criterion of :func:`hubwidgets.recommend` counts
  it) and ``days_since_update`` (fresher);
- ``license_class`` is ranked in the order of
:data:`~hubwidgets.core.choose.licenses.LICENSE_CLASSES`
  (the most permissive is best).

Other columns (task, library, providers, ...) have no better or worse value. A metric has a best
value only when at least two models have a known value and they are not all equal; ties share
it. Nothing here guesses: a missing value is never best.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .licenses import LICENSE_CLASSES
from .memory import BYTES_PER_PARAM

__all__ = ["BADGES", "DIRECTIONS", "best_for", "best_values"]

_DTYPES = tuple(BYTES_PER_PARAM)

#: ``{metric: "higher" | "lower"}``: which way is better (``license_class``: see module doc).
DIRECTIONS: dict[str, str] = {
    "params": "lower",
    "downloads": "higher",
    "likes": "higher",
    "weights_bytes": "lower",
    **{f"memory_{d}": "lower" for d in _DTYPES},
    "kv_cache_bytes": "lower",
    **{f"fits_{d}": "higher" for d in _DTYPES},
    "license_class": "higher",
    "days_since_update": "lower",
    "popularity_pct": "higher",
    "children_count": "higher",
}

#: ``license_class`` values scored by permissiveness (the order of ``LICENSE_CLASSES``).
_LICENSE_RANK = {name: len(LICENSE_CLASSES) - k for k, name in enumerate(LICENSE_CLASSES)}

#: ``{metric: badge}``: a model best on the metric (and not tied with every other) earns it.
BADGES: dict[str, str] = {
    "params": "smallest",
    "downloads": "most downloaded",
    "likes": "most liked",
    "license_class": "most permissive",
    "days_since_update": "freshest",
    "kv_cache_bytes": "smallest KV cache",
}


def _scores(wide: pd.DataFrame, metric: str) -> pd.Series[Any]:
    """The metric as float scores (NaN when unknown), oriented as in the data."""
    column = wide[metric]
    if metric == "license_class":
        return column.astype("object").map(lambda v: _LICENSE_RANK.get(v, float("nan")))
    return pd.to_numeric(column.astype("object").where(column.notna()), errors="coerce").astype(
        float
    )


def best_values(wide: pd.DataFrame) -> pd.DataFrame:
    """One row per metric of :data:`DIRECTIONS` present in ``wide``: ``metric``,
    ``direction``, ``best`` (the ids of the models with the best value, in ``wide``'s order;
    empty when there is no best value) and ``value`` (that value, else None).

    Raises:
        ValueError: ``wide`` has no ``id`` column.
    """
    if "id" not in wide.columns:
        raise ValueError(
            "best_values needs the wide form of compare() (an 'id' column); "
            f"got {list(wide.columns)}"
        )
    ids = [str(i) for i in wide["id"]]
    records: list[dict[str, Any]] = []
    for metric, direction in DIRECTIONS.items():
        if metric not in wide.columns:
            continue
        scores = _scores(wide, metric).reset_index(drop=True)
        known = scores.dropna()
        best: list[str] = []
        value: Any = None
        if len(known) >= 2 and known.nunique() > 1:
            top = known.max() if direction == "higher" else known.min()
            best = [ids[k] for k in known.index if known[k] == top]
            value = wide[metric].iloc[int(known.index[known == top][0])]
            value = None if value is pd.NA else value
        records.append({"metric": metric, "direction": direction, "best": best, "value": value})
    return pd.DataFrame.from_records(records, columns=["metric", "direction", "best", "value"])


def best_for(wide: pd.DataFrame, best: pd.DataFrame | None = None) -> dict[str, list[str]]:
    """``{model id: [badge, ...]}`` for every model of ``wide`` (maybe no badges), from
    :data:`BADGES`: e.g. ``{"a/x": ["smallest", "freshest"], "b/y": ["most downloaded"]}``.

    ``best`` is :func:`best_values` of ``wide`` when already computed.
    """
    if best is None:
        best = best_values(wide)
    out: dict[str, list[str]] = {str(i): [] for i in wide["id"]}
    for metric, winners in zip(best["metric"], best["best"], strict=True):
        badge = BADGES.get(str(metric))
        if badge is None:
            continue
        for model_id in winners:
            out[model_id].append(badge)
    return out
