"""A benchmark's results as people read them: one row per model x batch size, the best marked.

:func:`results_table` turns a benchmark summary (``BenchmarkResult.summary``, or the rows
finished so far) into the table the BenchmarkWidget shows and exports (:data:`RESULTS_COLUMNS`):
the timings, the main quality metric as ``quality`` with its confidence interval, and which
rows are best. :func:`live_rows` is that summary while a run goes on (finished rows, the one
being measured, the ones waiting); :func:`results_html` the table for exported reports;
:func:`done_text` the line that says how a run went.

Pure pandas: the widget and any other front-end call these, and they are tested without one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..report import Column, html_table, hub_url, missing
from ._quality import LOWER_IS_BETTER

__all__ = [
    "CV_LIMIT",
    "P50_SPREAD_LIMIT",
    "QUALITY_METRICS",
    "RESULTS_COLUMNS",
    "done_text",
    "live_rows",
    "main_quality_metric",
    "pending_rows",
    "quality_info",
    "results_html",
    "results_table",
    "spread_flags",
    "unreliable",
]

#: A benchmark job whose latency coefficient of variation (std / mean) is above this is too
#: spread to trust (issue 14: "CV above 0.5").
CV_LIMIT = 0.5
#: ... and so are identical jobs (same model, backend, batch size: a repeated run) whose median
#: latencies differ by more than this factor.
P50_SPREAD_LIMIT = 2.0

#: The columns of :func:`results_table` (one row per model x batch size).
RESULTS_COLUMNS: tuple[str, ...] = (
    "model",
    "backend",
    "batch_size",
    "status",
    "error",
    "p50_ms",
    "p90_ms",
    "p99_ms",
    "items_per_s",
    "tokens_per_s",
    "peak_rss_mb",
    "quality",
    "quality_lo",
    "quality_hi",
    "best_p50",
    "best_quality",
    "reliable",
    "spread_note",
)

_TEXT = ("model", "backend", "status", "error")
_FIGURES = ("p50_ms", "p90_ms", "p99_ms", "items_per_s", "tokens_per_s", "peak_rss_mb")

#: Quality columns of a benchmark summary, in the order one is picked as the main one, with the
#: words people read for them.
QUALITY_METRICS: dict[str, str] = {
    "accuracy": "Accuracy",
    "f1": "F1 (macro)",
    "exact_match": "Exact match",
    "qa_f1": "F1 (token overlap)",
    "wer": "Word error rate",
    "cer": "Character error rate",
}


def main_quality_metric(summary: pd.DataFrame) -> str | None:
    """The first of :data:`QUALITY_METRICS` the summary has a value for, else None."""
    for metric in QUALITY_METRICS:
        if metric in summary.columns and np.isfinite(_numbers(summary[metric])).any():
            return metric
    return None


def quality_info(metric: str | None) -> dict[str, Any]:
    """``{"metric", "label", "lower_is_better"}`` of a quality column; {} for none."""
    if not metric:
        return {}
    return {
        "metric": metric,
        "label": QUALITY_METRICS.get(metric, metric),
        "lower_is_better": metric in LOWER_IS_BETTER,
    }


def results_table(summary: pd.DataFrame, metric: str | None = None) -> pd.DataFrame:
    """The results as people read them (:data:`RESULTS_COLUMNS`).

    The summary's figures (missing columns empty, not an error), the quality ``metric`` (default:
    :func:`main_quality_metric`) as ``quality`` with its confidence interval, and whether each
    row has the best median latency (``best_p50``) and the best quality (``best_quality``; lower
    is better for error rates) among the rows that ran. Nothing is marked best with fewer than
    two rows to compare. ``reliable`` and ``spread_note`` are :func:`spread_flags`' verdict on the
    latency spread (NA and "" while a run goes on).

    Raises:
        TypeError: ``summary`` is not a DataFrame.
    """
    if not isinstance(summary, pd.DataFrame):
        raise TypeError(f"results_table() expects a DataFrame, got {type(summary).__name__}")
    frame = summary.reset_index(drop=True)
    metric = metric or main_quality_metric(frame)
    out = pd.DataFrame(index=frame.index)
    for name in _TEXT:
        values = frame[name] if name in frame.columns else pd.Series("", index=frame.index)
        out[name] = ["" if missing(v) else str(v) for v in values.astype(object)]
    out["batch_size"] = _column(frame, "batch_size")
    for name in _FIGURES:
        out[name] = _column(frame, name)
    for suffix in ("", "_lo", "_hi"):
        out[f"quality{suffix}"] = _column(frame, f"{metric}{suffix}" if metric else "")
    ran = out["status"] == "ok"
    out["best_p50"] = best_rows(out["p50_ms"], ran, lower=True)
    out["best_quality"] = best_rows(out["quality"], ran, lower=metric in LOWER_IS_BETTER)
    # spread_flags' verdict: NA where there was nothing to judge (or before a run ends)
    given = (
        frame["reliable"] if "reliable" in frame.columns else pd.Series(pd.NA, index=frame.index)
    )
    out["reliable"] = pd.array([None if missing(v) else bool(v) for v in given], dtype="boolean")
    notes = (
        frame["spread_note"] if "spread_note" in frame.columns else pd.Series("", index=frame.index)
    )
    out["spread_note"] = ["" if missing(v) else str(v) for v in notes.astype(object)]
    return out[list(RESULTS_COLUMNS)]


def best_rows(values: pd.Series[Any], ran: pd.Series[bool], *, lower: bool) -> pd.Series[bool]:
    """Whether each row holds the best of ``values`` among the rows that ``ran`` (ties all
    best); all False when fewer than two rows have a value: there is nothing to beat."""
    usable = _numbers(values).where(ran.astype(bool))
    if usable.notna().sum() < 2:
        return pd.Series(False, index=values.index, dtype=bool)
    target = usable.min() if lower else usable.max()
    best: pd.Series[bool] = (usable == target).fillna(False).astype(bool)
    return best


def unreliable(jobs: pd.DataFrame) -> str:
    """Why the latencies of these identical jobs are too spread to trust, or "" when they are not.

    ``jobs`` are rows of a benchmark summary for the same model, backend and batch size (one row,
    or several from repeated runs). Untrustworthy: a CV (``cv``) above :data:`CV_LIMIT`, or
    medians (``p50_ms``) more than :data:`P50_SPREAD_LIMIT` times apart. The one rule for the
    benchmark summary's ``reliable`` column and for ``hw.estimate_cost``'s measured throughput.
    """
    cv = _column(jobs, "cv").dropna()
    if (cv > CV_LIMIT).any():
        return f"CV {float(cv.max()):.2f} > {CV_LIMIT}"
    p50 = _column(jobs, "p50_ms").dropna()
    if len(p50) > 1 and p50.min() > 0 and p50.max() / p50.min() > P50_SPREAD_LIMIT:
        return (
            f"p50 of identical runs {p50.min():.4g}..{p50.max():.4g} ms, "
            f"more than {P50_SPREAD_LIMIT:g}x apart"
        )
    return ""


def spread_flags(summary: pd.DataFrame) -> pd.DataFrame:
    """``reliable`` and ``spread_note`` for each row of a benchmark summary (same index).

    Rows that ran (status "ok") are grouped with their identical jobs (model, backend, batch
    size) and judged by :func:`unreliable`: ``reliable`` False with the reason in
    ``spread_note`` ("latency spread too wide: CV 0.83 > 0.5"). A row with no timings to judge
    (failed, cancelled, a single call) is not reported reliable: ``reliable`` is NA and the note
    says why.
    """
    index = summary.index
    reliable = pd.Series(pd.NA, index=index, dtype="boolean")
    notes = pd.Series("", index=index, dtype=object)
    status = (
        summary["status"].astype(str)
        if "status" in summary.columns
        else pd.Series("ok", index=index)
    )
    iterations = _column(summary, "iterations")
    keys = [c for c in ("model", "backend", "batch_size") if c in summary.columns]
    for i in index:
        if status[i] != "ok":
            notes[i] = f"no timings to judge ({status[i]})"
            continue
        if not iterations.isna()[i] and iterations[i] < 2:
            notes[i] = "one timed call: too few to judge the spread"
            continue
        same = summary[status == "ok"]
        for key in keys:
            same = same[same[key].astype(object) == summary.at[i, key]]
        why = unreliable(same)
        reliable[i] = not why
        notes[i] = f"latency spread too wide: {why}" if why else ""
    # the notes as a list: pandas gives them the dtype of the summary's other text columns
    return pd.DataFrame({"reliable": reliable, "spread_note": notes.tolist()}, index=index)


def pending_rows(models: Sequence[str], batch_sizes: Sequence[int]) -> pd.DataFrame:
    """The summary before any job finished: one "pending" row per model x batch size."""
    return live_rows(models, batch_sizes, {}, None)


def live_rows(
    models: Sequence[str],
    batch_sizes: Sequence[int],
    finished: Mapping[tuple[str, int], Mapping[str, Any]],
    current: tuple[str, int] | None,
) -> pd.DataFrame:
    """The summary while a run goes on, in the run's order: each finished job's row (from
    ``finished``, by (model, batch size)), the job being measured ("running"), and the others
    ("pending")."""
    rows: list[Mapping[str, Any]] = []
    for model in models:
        for size in batch_sizes:
            key = (model, size)
            state = "running" if key == current else "pending"
            rows.append(finished.get(key, {"model": model, "batch_size": size, "status": state}))
    if not rows:
        return pd.DataFrame(columns=["model", "batch_size", "status"])
    return pd.DataFrame([dict(r) for r in rows])


def done_text(summary: pd.DataFrame, took: float, *, cancelled: bool, machine: str = "") -> str:
    """How a run went, in one line: "Done · 3 of 4 ran in 2.1 s · 1 failed (see their rows)",
    and how many jobs' latencies are too spread to trust (``reliable`` False)."""
    status = summary["status"].astype(str) if "status" in summary.columns else pd.Series([])
    ok = int((status == "ok").sum())
    failed = int((status == "error").sum())
    parts = ["Cancelled" if cancelled else "Done", f"{ok} of {len(summary)} ran in {took:.1f} s"]
    if failed:
        parts.append(f"{failed} failed (see their rows)")
    if "reliable" in summary.columns:
        # NA (nothing to judge) is not counted as untrusted
        spread = int((~summary["reliable"].astype("boolean")).fillna(False).sum())
        if spread:
            parts.append(f"{spread} too spread to trust (see spread_note)")
    if machine:
        parts.append(machine)
    return " · ".join(parts)


def results_html(shown: pd.DataFrame, *, caption: str, quality_label: str = "") -> str:
    """The :func:`results_table` as a self-contained HTML table, for exported reports."""
    frame = shown.copy()
    frame["status_text"] = [
        f"{s} ({e})" if e else str(s) for s, e in zip(frame["status"], frame["error"], strict=True)
    ]
    frame["quality_text"] = [_with_interval(*v) for v in _triples(frame)]
    columns = [
        Column("model", "Model", link=_model_link, header=True),
        Column("batch_size", "Batch", numeric=True, format=lambda v: f"{v:,.0f}"),
        Column("status_text", "Status"),
        *(
            Column(key, label, numeric=True, format=_fixed(digits), best=best)
            for key, label, digits, best in _REPORT_FIGURES
        ),
    ]
    if quality_label and frame["quality"].notna().any():
        label = f"{quality_label} (95% CI)"
        columns.append(Column("quality_text", label, numeric=True, best="best_quality"))
    return html_table(frame, columns, caption=caption, css_class="hubwidgets-benchmark")


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

#: The figures of the report table: column, header, fraction digits, its "best" column.
_REPORT_FIGURES: tuple[tuple[str, str, int, str | None], ...] = (
    ("p50_ms", "p50 (ms)", 1, "best_p50"),
    ("p90_ms", "p90 (ms)", 1, None),
    ("p99_ms", "p99 (ms)", 1, None),
    ("items_per_s", "items/s", 1, None),
    ("tokens_per_s", "tokens/s", 1, None),
    ("peak_rss_mb", "peak RSS (MB)", 0, None),
)


def _numbers(values: Any) -> pd.Series[Any]:
    """Numbers as float64, NaN for missing or not a number."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    return pd.to_numeric(series.astype(object), errors="coerce").astype("float64")


def _column(frame: pd.DataFrame, name: str) -> pd.Series[Any]:
    if name and name in frame.columns:
        return _numbers(frame[name])
    return pd.Series(np.nan, index=frame.index, dtype="float64")


def _fixed(digits: int) -> Any:
    return lambda value: f"{float(value):,.{digits}f}"


def _model_link(model: Any) -> str | None:
    """A Hub id links to its page; a local folder has none."""
    text = str(model)
    if text.startswith(("/", ".", "~")) or "\\" in text or text.count("/") > 1:
        return None
    return hub_url(text)


def _triples(frame: pd.DataFrame) -> zip[tuple[Any, Any, Any]]:
    return zip(frame["quality"], frame["quality_lo"], frame["quality_hi"], strict=True)


def _with_interval(value: Any, lo: Any, hi: Any) -> str | None:
    if missing(value):
        return None
    text = f"{float(value):.3f}"
    if not missing(lo) and not missing(hi):
        text += f" ({float(lo):.3f} to {float(hi):.3f})"
    return text
