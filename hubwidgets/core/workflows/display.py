"""What a workflow shows, in words and tables: cells as short text, progress and outcomes in
words, the column of text to run on, the sample to try, and a report for exported notebooks.

The WorkflowWidget shows these; a script can print them too:

>>> rate_text(120, 500, seconds=3.4)    # '120 / 500 rows · 35.3 rows/s · ETA 11 s'
>>> shown(result.head(50))              # every cell as text, numbers as numbers
>>> text_column(df)                     # the first column of text
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..report import Column, html_table
from .apply import _check_column
from .pipeline import Pipeline, PipelineRun

__all__ = [
    "CELL_CHARS",
    "SAMPLE_SOURCES",
    "apply_summary",
    "cell_text",
    "compose_status",
    "data_column",
    "progress_reporter",
    "rate_text",
    "run_summary",
    "sample_item",
    "save_sample",
    "shown",
    "text_column",
    "text_records",
    "workflow_html",
]

#: Characters of one cell shown (a long generation or an embedding is cut).
CELL_CHARS = 300

#: Where a sample comes from: a text typed in, a row of the data, or a file.
SAMPLE_SOURCES: tuple[str, ...] = ("text", "row", "file")


def cell_text(value: Any, limit: int = CELL_CHARS) -> str:
    """A value as text for a table cell: missing values "", dicts as ``key: value, ...``, lists
    joined with "; ", arrays as lists, floats to 4 significant digits, bytes as their size;
    text longer than ``limit`` cut with "…"."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, Mapping):
        out = ", ".join(f"{k}: {cell_text(v, limit)}" for k, v in value.items())
    elif isinstance(value, (list, tuple)):
        out = "; ".join(cell_text(v, limit) for v in value)
    elif hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        listed = value.tolist()
        out = cell_text(listed, limit) if isinstance(listed, list) else str(listed)
    elif isinstance(value, float):
        out = f"{value:.4g}"
    elif isinstance(value, bytes):
        out = f"<{len(value):,} bytes>"
    else:
        out = str(value)
    return out if len(out) <= limit else out[: limit - 1] + "…"


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as a page shows it: every cell as text (:func:`cell_text`), but numbers
    (``latency_ms``, scores, the data's own numbers) as float64; column names as text."""
    out: dict[str, list[Any]] = {}
    for column in frame.columns:
        name = str(column)
        values = frame[column]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        if numeric or name == "latency_ms" or name.endswith(".latency_ms"):
            out[name] = pd.to_numeric(values, errors="coerce").astype("float64").tolist()
        else:
            out[name] = [cell_text(v) for v in values]
    return pd.DataFrame(out, columns=list(out))


def text_records(frame: pd.DataFrame) -> list[dict[str, str]]:
    """``frame``'s rows as JSON-able dicts of text (:func:`cell_text`), e.g. a pipeline's
    :meth:`~hubwidgets.Pipeline.describe`."""
    return [{str(k): cell_text(v) for k, v in row.items()} for row in frame.to_dict("records")]


def data_column(frame: pd.DataFrame | None, column: str) -> str:
    """``column`` if ``frame`` has a column of that name (no column yet, or no frame yet,
    passes).

    Raises:
        ValueError: ``frame`` has no such column, said as :meth:`~hubwidgets.Pipeline.apply`
            says it (with its columns, and the close match).
    """
    if column and frame is not None and column not in map(str, frame.columns):
        _check_column(frame, column)
    return column


def text_column(frame: pd.DataFrame) -> str:
    """The first column whose first value (missing ones skipped) is a text, else the first
    column; "" for a frame without columns."""
    for column in frame.columns:
        values = frame[column].dropna()
        if len(values) and isinstance(values.iloc[0], str):
            return str(column)
    return str(frame.columns[0]) if len(frame.columns) else ""


def compose_status(steps: int, pipeline: Pipeline | None, rows: int | None, column: str) -> str:
    """A pipeline being composed, in words: ``"Pipeline asr → sentiment (ready) · data: 120
    rows, column audio"``. ``steps``: how many are composed; ``pipeline``: what they built
    (None while they cannot); ``rows``: of the data (None without data); ``column``: its
    column of inputs.
    """
    if steps == 0:
        return "No steps yet: add a step, choose its task, then its model"
    names = " → ".join(str(s.name) for s in pipeline.steps) if pipeline is not None else ""
    data = "" if rows is None else f" · data: {rows:,} rows, column {column or '(none)'}"
    ready = "incomplete" if pipeline is None else "ready"
    return f"Pipeline {names or f'{steps} steps'} ({ready}){data}"


def rate_text(done: int, total: int, seconds: float) -> str:
    """Progress in words: ``"120 / 500 rows · 35.2 rows/s · ETA 11 s"`` (no rate before the
    first row, no ETA once done)."""
    rate = done / seconds if seconds > 0 else 0.0
    text = f"{done:,} / {total:,} rows"
    if done and rate > 0:
        text += f" · {rate:,.1f} rows/s"
        if done < total:
            text += f" · ETA {math.ceil((total - done) / rate):,} s"
    return text


def progress_reporter(
    report: Callable[[float, str], Any], *, every: float = 0.2
) -> Callable[[int, int], None]:
    """A ``progress=`` callable for :meth:`~hubwidgets.Pipeline.apply` (or ``hw.apply``) that
    calls ``report(fraction done, words)`` (:func:`rate_text`, timed from now) at most every
    ``every`` seconds, and always for the last rows."""
    started = time.perf_counter()
    last = -math.inf

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.perf_counter()
        if done < total and now - last < every:
            return
        last = now
        report(done / total if total else 1.0, rate_text(done, total, now - started))

    return progress


def apply_summary(out: pd.DataFrame, seconds: float, *, cancelled: bool = False) -> str:
    """How a :meth:`~hubwidgets.Pipeline.apply` went, in words: ``"70 rows in 1.2 s (58.3
    rows/s); 2 rows with an error"``, or ``"cancelled: 16 of 64 rows done in 0.4 s"`` when
    ``cancelled`` (or ``out.attrs["cancelled"]``)."""
    cancelled = cancelled or bool(out.attrs.get("cancelled"))
    has_errors = "error" in out
    errors = int(out["error"].astype(str).str.len().gt(0).sum()) if has_errors else 0
    if cancelled:
        done = int((out["error"].astype(str) != "cancelled").sum()) if has_errors else len(out)
        return f"cancelled: {done:,} of {len(out):,} rows done in {seconds:.1f} s"
    rate = len(out) / seconds if seconds > 0 else 0.0
    text = f"{len(out):,} rows in {seconds:.1f} s ({rate:,.1f} rows/s)"
    if errors:
        text += f"; {errors:,} row{'' if errors == 1 else 's'} with an error"
    return text


def run_summary(run: PipelineRun) -> str:
    """How a :meth:`~hubwidgets.Pipeline.run` on a sample went: ``"the sample ran through 2
    steps in 35 ms"``, or ``"the sample stopped at step asr: see its error"``."""
    if not run.ok:
        return f"the sample stopped at step {run.failed_step}: see its error"
    n = len(run)
    return f"the sample ran through {n} step{'' if n == 1 else 's'} in {run.total_ms:.0f} ms"


def sample_item(
    source: str,
    *,
    text: str = "",
    file: str | None = None,
    frame: pd.DataFrame | None = None,
    column: str = "",
    row: int = 0,
) -> Any:
    """The input to try a pipeline on: ``text``, the ``file``'s path, or row ``row`` (by
    position) of ``frame[column]``, as ``source`` (one of :data:`SAMPLE_SOURCES`) says.

    Raises:
        ValueError: that source has nothing to give (no text typed, no file, no data, a row
            past the end), or an unknown source.
    """
    if source == "text":
        if not text.strip():
            raise ValueError("type a sample text first (or choose a row or a file)")
        return text
    if source == "file":
        if file is None:
            raise ValueError("upload a file first (or type a sample text)")
        return file
    if source != "row":
        raise ValueError(f"unknown sample source {source!r}: one of {', '.join(SAMPLE_SOURCES)}")
    if frame is None or column not in frame.columns:
        raise ValueError(f"no column {column!r} of data to take row {row} from")
    if row >= len(frame):
        raise ValueError(f"row {row} is past the end: the data has {len(frame):,} rows")
    return frame[column].iloc[row]


def save_sample(folder: str | Path, name: str, data: bytes) -> Path:
    """An uploaded sample file written into ``folder`` under its own base name (a name with
    folders in it stays in ``folder``; an empty one, or "..", is "sample"); its path."""
    base = Path(name.replace("\\", "/")).name
    path = Path(folder) / (base if base not in ("", "..") else "sample")
    path.write_bytes(data)
    return path


def workflow_html(
    status: str,
    steps: Sequence[Mapping[str, Any]],
    sample: pd.DataFrame | None,
    result: pd.DataFrame | None,
    *,
    total: int | None = None,
) -> str:
    """A workflow as HTML for exported notebooks: the status, the steps (``task: model``), the
    sample's outputs (:func:`shown` of a run's ``steps``) and the first rows of a result
    (:func:`shown`; ``total`` is the result's whole length)."""
    parts = [f"<p>{html.escape(status)}</p>"]
    if steps:
        items = "".join(
            f"<li>{html.escape(s['task'] or '(no task)')}: "
            f"{html.escape(s['model'] or '(no model)')}</li>"
            for s in steps
        )
        parts.append(f"<ol>{items}</ol>")
    if sample is not None and len(sample):
        columns = [
            Column("name", "Step", header=True),
            Column("model", "Model"),
            Column("output", "Output"),
            Column("latency_ms", "Latency (ms)", numeric=True, format=_ms),
            Column("error", "Error"),
        ]
        parts.append(html_table(sample, columns, caption="The sample", css_class=""))
    if result is not None and len(result):
        caption = f"The result: first {len(result):,} of {total or len(result):,} rows"
        columns = [Column(str(c), str(c)) for c in result.columns]
        parts.append(html_table(result, columns, caption=caption, css_class=""))
    return f'<div class="hubwidgets-workflow">{"".join(parts)}</div>'


def _ms(value: Any) -> str:
    try:
        return f"{float(value):.1f}"
    except (TypeError, ValueError):
        return ""
