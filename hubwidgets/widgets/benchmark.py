"""BenchmarkWidget: measure models on your inputs, live, and compare them in a table and charts.

The widget gathers its traits and calls one core function,
:func:`hubwidgets.core.inference.benchmark.
benchmark`, in a background thread: the kernel keeps handling messages while it runs, so the
page's Cancel reaches it (a ``threading.Event`` the engine checks between calls). The engine's
progress callback moves the ``progress`` bar and adds each finished model to the results table.

What goes to the page:

- ``_summary``: the results table as Arrow IPC bytes (:data:`SUMMARY_COLUMNS`, one row per model
  x batch size: small), resent as each model finishes;
- ``_charts``: the charts of :mod:`hubwidgets.charts.benchmark` as SVG strings, drawn in the
  kernel by vl-convert (offline) when the run ends;
- ``running``, ``progress``, ``progress_text``, ``status``, ``error``.

The page writes the models, the task, the options and ``input_source``, and sends custom
messages: ``{"type": "run"}``, ``{"type": "cancel"}``, and ``{"type": "files", "names": [...]}``
with the files' bytes as buffers (an upload).

Inputs come from the constructor (a list, a pandas Series, or ``(DataFrame, column)``), from
files uploaded in the page, or from :func:`hubwidgets.core.inference.samples.sample_inputs`, a few
built-in items per task (images and sounds made in memory: nothing to download).

Bad input never breaks the widget: what the engine refuses (a task, inputs, labels of the wrong
length) goes to :attr:`BenchmarkWidget.error` with what to do; the models and inputs stay. A
model that fails has its error in its row of the table.
"""

from __future__ import annotations

import contextlib
import html
import json
import math
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
import traitlets

from ..core.inference.samples import sample_inputs, sample_params
from ._base import RunningWidget
from ._card import hub_url
from ._serialization import to_ipc
from ._traits import ModelIds
from .search import SearchWidget

if TYPE_CHECKING:
    from ..core.inference.benchmark import BenchmarkProgress, BenchmarkResult

__all__ = ["SUMMARY_COLUMNS", "BenchmarkWidget", "results_table"]

#: The columns of the results table sent to the page (one row per model x batch size).
SUMMARY_COLUMNS: tuple[str, ...] = (
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
)

#: Where the inputs of a run come from.
INPUT_SOURCES = ("samples", "column", "files")


# ---------------------------------------------------------------------------------------------
# the results table
# ---------------------------------------------------------------------------------------------


def results_table(summary: pd.DataFrame, metric: str | None = None) -> pd.DataFrame:
    """The results as the widget shows them (:data:`SUMMARY_COLUMNS`): the summary's figures,
    the main quality metric as ``quality`` (with its confidence interval), and whether each row
    has the best median latency (``best_p50``) and the best quality (``best_quality``, lower is
    better for error rates) among the rows that ran."""
    from ..charts.benchmark import (  # noqa: PLC0415 (altair is slow to import)
        LOWER_IS_BETTER,
        main_quality_metric,
    )

    frame = summary.reset_index(drop=True)
    metric = metric or main_quality_metric(frame)
    out = pd.DataFrame(index=frame.index)
    for column in SUMMARY_COLUMNS[:11]:
        if column in frame.columns:
            out[column] = frame[column]
        elif column in {"model", "backend", "status", "error"}:
            out[column] = ""
        else:
            out[column] = np.nan
    for name in ("model", "backend", "status", "error"):
        out[name] = [("" if _missing(v) else str(v)) for v in out[name].astype(object)]
    for name in SUMMARY_COLUMNS[5:11]:
        out[name] = pd.to_numeric(out[name].astype(object), errors="coerce").astype("float64")
    out["batch_size"] = pd.to_numeric(out["batch_size"], errors="coerce").astype("float64")
    for suffix in ("", "_lo", "_hi"):
        source = f"{metric}{suffix}" if metric else ""
        values = frame[source] if source in frame.columns else np.nan
        out[f"quality{suffix}"] = pd.to_numeric(pd.Series(values, index=frame.index), "coerce")
    ran = out["status"] == "ok"
    out["best_p50"] = _best(out["p50_ms"], ran, lower=True)
    lower = metric in LOWER_IS_BETTER if metric else False
    out["best_quality"] = _best(out["quality"], ran, lower=lower)
    return out[list(SUMMARY_COLUMNS)]


def _best(values: pd.Series[Any], ran: pd.Series[bool], *, lower: bool) -> pd.Series[bool]:
    usable = values.where(ran)
    if usable.notna().sum() < 2:  # nothing to beat: no highlight
        return pd.Series(False, index=values.index, dtype=bool)
    target = usable.min() if lower else usable.max()
    best: pd.Series[bool] = (usable == target).fillna(False).astype(bool)
    return best


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _pending_rows(models: Sequence[str], batch_sizes: Sequence[int]) -> pd.DataFrame:
    """The table before any model finished: one "pending" row per model x batch size."""
    rows = [
        {"model": m, "backend": "", "batch_size": b, "status": "pending"}
        for m in models
        for b in batch_sizes
    ]
    return pd.DataFrame(rows, columns=["model", "backend", "batch_size", "status"])


# ---------------------------------------------------------------------------------------------
# traits
# ---------------------------------------------------------------------------------------------


class _Models(ModelIds):
    """Model ids or local paths: repeats and blanks dropped."""

    def check(self, ids: list[str]) -> list[str]:
        return list(dict.fromkeys(i.strip() for i in ids if i.strip()))


class _BatchSizes(traitlets.List[int]):
    """Batch sizes, each at least 1; one int is a list of one; sorted, repeats dropped."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_value=[1], **kwargs)

    def validate(self, obj: Any, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = [value]
        elif isinstance(value, tuple):
            value = list(value)
        checked = super().validate(obj, value) or []
        bad = [
            v
            for v in checked
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1
        ]
        if bad or not checked:
            raise traitlets.TraitError(
                f"batch_sizes must be a non-empty list of ints >= 1, e.g. [1, 8]; got {value!r}"
            )
        return sorted({int(v) for v in checked})


# ---------------------------------------------------------------------------------------------
# the widget
# ---------------------------------------------------------------------------------------------


class BenchmarkWidget(RunningWidget):
    """Measure models on your inputs: latency (p50/p90/p99), throughput, memory and, given
    labels, quality with confidence intervals; live as each model finishes, then charts.

    >>> b = hw.BenchmarkWidget(["prajjwal1/bert-tiny"], "text-classification")  # doctest: +SKIP
    >>> b                                # Run in the page, or:
    >>> result = b.run(wait=True)        # the same from Python: a BenchmarkResult
    >>> result.summary                   # one row per model x batch size

    Args:
        models: model ids or local paths. Default: the source's selection, else none (type
            them in the page).
        task: what to run them for (one of ``hubwidgets.core.inference.backends.INFERENCE_TASKS``).
            Default: the source's task filter when it is one, else none (pick it in the page).
        inputs: a list of items, a pandas Series (``df["text"]``) or ``(DataFrame, column)``.
            Default: the built-in :func:`hubwidgets.core.inference.samples.sample_inputs` of the
            task.
        source: a SearchWidget or CompareWidget whose models the widget follows.
        backend: passed to the engine (default: its own choice, local transformers).
        labels, groups: the true answer of each input, and a group per input: quality metrics
            and their gap between groups (only with ``inputs``).
        params: task parameters for every call (``candidate_labels=[...]``, ``max_new_tokens``).
        warmup, min_iterations, min_duration_s, batch_sizes: the measurement options (traits).

    Raises:
        traitlets.TraitError: a bad option from Python (an unknown task lists the valid ones).
        TypeError: ``source`` is not a SearchWidget or CompareWidget; bad ``inputs``.
    """

    WIDGET = "benchmark"

    models = _Models().tag(sync=True)
    """Model ids (or local paths) to measure, in table order (the page adds and removes them)."""

    task = traitlets.Unicode("").tag(sync=True)
    """The task the models run (``""`` until one is chosen; Run asks for one)."""

    input_source = traitlets.Enum(INPUT_SOURCES, default_value="samples").tag(sync=True)
    """Where the inputs come from: ``"samples"`` (built in, per task), ``"column"`` (the
    ``inputs`` given to the constructor) or ``"files"`` (uploaded in the page)."""

    warmup = traitlets.Int(3, min=0).tag(sync=True)
    """Calls per model and batch size before measuring (not counted)."""

    min_iterations = traitlets.Int(10, min=1).tag(sync=True)
    """Measured calls at least, per model and batch size."""

    min_duration_s = traitlets.Float(5.0, min=0.0).tag(sync=True)
    """Seconds of measured calls at least, per model and batch size."""

    batch_sizes = _BatchSizes().tag(sync=True)
    """Items per call to measure, each a row of the table (e.g. ``[1, 8, 32]``)."""

    # the results table (SUMMARY_COLUMNS) as Arrow IPC bytes; empty before a run
    _summary = traitlets.Bytes(b"").tag(sync=True, kernel=True)
    # {chart name: SVG}, drawn in the kernel (offline) when a run ends
    _charts = traitlets.Dict().tag(sync=True, kernel=True)
    # {"samples": n, "column": n, "column_label": str, "files": [names]}: what each source holds
    _inputs = traitlets.Dict().tag(sync=True, kernel=True)
    # the tasks a model can run, for the page's select
    _tasks = traitlets.List(traitlets.Unicode()).tag(sync=True, kernel=True)
    # {"metric": name, "label": words, "lower_is_better": bool} of the quality column, or {}
    _quality = traitlets.Dict().tag(sync=True, kernel=True)

    #: Seconds between two progress updates sent to the page (finished models always are).
    PROGRESS_EVERY: ClassVar[float] = 0.1

    def __init__(
        self,
        models: Sequence[str] | None = None,
        task: str | None = None,
        inputs: Any = None,
        source: Any = None,
        *,
        backend: Any = None,
        labels: Any = None,
        groups: Any = None,
        params: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        from ..core.inference.backends._base import INFERENCE_TASKS  # noqa: PLC0415

        self._source = _check_source(source)
        self._column, column_label = _column_items(inputs)
        self._labels, self._groups = _listed(labels, "labels"), _listed(groups, "groups")
        self._backend = backend
        self._params = dict(params or {})
        self._files: list[tuple[str, bytes]] = []
        self._result: BenchmarkResult | None = None
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._failure: BaseException | None = None
        self._rows: dict[tuple[str, int], dict[str, Any]] = {}
        self._plan: tuple[list[str], list[int]] = ([], [])
        self._current: tuple[str, int] | None = None  # the model x batch size being measured
        self._last_progress = 0.0
        self._lock = threading.Lock()
        if self._column is not None:
            kwargs.setdefault("input_source", "column")
        if task is None and self._source is not None:
            task = _source_task(self._source)
        super().__init__(task=task or "", **kwargs)
        self._tasks = list(INFERENCE_TASKS)
        if models is not None:
            self.models = [models] if isinstance(models, str) else list(models)
        elif self._source is not None:
            self._on_source({"new": _source_models(self._source)})
        if self._source is not None:
            self._source.observe(self._on_source, names=_source_trait(self._source))
        self._column_label = column_label
        self._send_inputs()
        self.on_msg(self._on_custom_msg)
        self._idle_status()

    # -- Python API ------------------------------------------------------------------------------
    @property
    def result(self) -> BenchmarkResult | None:
        """The last run's :class:`~hubwidgets.core.inference.benchmark.BenchmarkResult` (None
        before a
        run, or when the last one could not start)."""
        return self._result

    @property
    def source(self) -> Any:
        """The widget whose models this one follows, or None."""
        return self._source

    def inputs(self) -> list[Any]:
        """The items the next run will measure on (from :attr:`input_source`)."""
        return self._items()

    def run(self, *, wait: bool = False) -> BenchmarkResult | None:
        """Start a run, as the Run button does: in a background thread.

        With ``wait=True``, block until it ends and return its result (or raise what stopped
        it: ``ValueError`` for inputs, a task or labels the engine refuses, ``RuntimeError``
        when a run is already going on). Without, return None at once and never raise: the
        status says what happened.
        """
        problem = self._why_not_run()
        if problem:
            self._fail(problem)
            if wait:
                raise (RuntimeError if self.running else ValueError)(problem)
            return None
        self._start()
        if wait:
            self.wait()
            if self._failure is not None:
                raise self._failure
            return self._result
        return None

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the current run ends (at most ``timeout`` seconds); whether it ended."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def cancel(self) -> None:
        """Stop the run after the call in progress (as the Cancel button does)."""
        if self.running:
            self._cancel.set()
            self.progress_text = "cancelling after the current call..."

    def charts(self) -> list[Any]:
        """Altair charts of the last result (:func:`hubwidgets.charts.benchmark.
        benchmark_charts`); empty before a run."""
        from ..charts.benchmark import benchmark_charts  # noqa: PLC0415

        return benchmark_charts(self._result) if self._result is not None else []

    def close(self) -> None:
        """Cancel a run, close the widget and stop following the source."""
        with contextlib.suppress(AttributeError):  # __init__ failed early
            self._cancel.set()
        source = getattr(self, "_source", None)
        if source is not None:
            with contextlib.suppress(ValueError):
                source.unobserve(self._on_source, names=_source_trait(source))
        super().close()

    # -- validation ------------------------------------------------------------------------------
    @traitlets.validate("task")
    def _valid_task(self, proposal: Any) -> str:
        from ..core.inference.backends._base import INFERENCE_TASKS, check_task  # noqa: PLC0415

        value = proposal["value"]
        if value == "":
            return ""
        try:
            return check_task(value)
        except (ValueError, TypeError):
            raise traitlets.TraitError(
                f"unknown task {value!r}: choose one of {', '.join(INFERENCE_TASKS)}"
            ) from None

    @traitlets.observe("task", "input_source", "models", "batch_sizes")
    def _on_setup(self, change: Any) -> None:
        if change["name"] in {"task", "input_source"}:
            self._send_inputs()
        if not self.running and hasattr(self, "_column_label"):
            self.error = ""  # the setup changed: what was wrong may be fixed
            self._idle_status()

    # -- state and messages from the front-end -----------------------------------------------------
    def _on_custom_msg(self, _widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        if isinstance(content, dict) and content.get("type") == "view":
            self._viewed = True
        kind = content.get("type")
        if kind == "run":
            self.run(wait=False)
        elif kind == "cancel":
            self.cancel()
        elif kind == "files":
            self._receive_files(content, list(buffers or []))

    def _receive_files(self, content: dict[str, Any], buffers: list[Any]) -> None:
        names = content.get("names")
        if not isinstance(names, list) or len(names) != len(buffers):
            self._fail("the upload did not arrive whole: choose the files again")
            return
        self._files = [(str(n), bytes(b)) for n, b in zip(names, buffers, strict=True)]
        with self.hold_sync():
            self.error = ""
            self.input_source = "files"
            self._send_inputs()
            self._idle_status()

    # -- the source ------------------------------------------------------------------------------
    def _on_source(self, change: Any) -> None:
        self.models = list(change["new"])

    # -- inputs ----------------------------------------------------------------------------------
    def _items(self) -> list[Any]:
        if self.input_source == "column":
            return list(self._column or [])
        if self.input_source == "files":
            return _file_items(self.task, self._files)
        return sample_inputs(self.task) if self.task else []

    def _send_inputs(self) -> None:
        if not hasattr(self, "_files"):
            return
        try:
            from_files = len(_file_items(self.task, self._files))
        except ValueError:
            from_files = 0
        self._inputs = {
            "samples": len(sample_inputs(self.task)) if self.task else 0,
            "column": len(self._column) if self._column is not None else 0,
            "column_label": getattr(self, "_column_label", ""),
            "files": [n for n, _ in self._files],
            "file_items": from_files,
        }

    def _describe_inputs(self) -> str:
        source = self.input_source
        if source == "samples":
            n = len(sample_inputs(self.task)) if self.task else 0
            return f"{n} built-in samples" if self.task else "the built-in samples"
        if source == "column":
            n = len(self._column or [])
            return f"{n:,} inputs from {self._column_label or 'the given inputs'}"
        try:
            n = len(_file_items(self.task, self._files))
        except ValueError:
            n = 0
        return f"{n:,} inputs from {len(self._files)} uploaded file(s)"

    # -- running ---------------------------------------------------------------------------------
    def _why_not_run(self) -> str:
        if self.running:
            return "a run is already going on: wait for it, or Cancel it first"
        if not self.models:
            where = " (or select some in the linked widget)" if self._source else ""
            return f"add at least one model to measure{where}"
        if not self.task:
            return "choose a task first"
        if self.input_source == "column" and self._column is None:
            return "no inputs were given: pass inputs=df['text'], or use the samples or files"
        if self.input_source == "files" and not self._files:
            return "no files uploaded yet: choose some, or use the samples"
        return ""

    def _start(self) -> None:
        models, batch_sizes = list(self.models), list(self.batch_sizes)
        self._cancel = threading.Event()
        self._failure = None
        self._rows = {}
        self._current = None
        self._plan = (models, batch_sizes)
        what = self._describe_inputs()
        with self.hold_sync():
            self.running = True
            self.progress = 0.0
            self.progress_text = "starting..."
            self.error = ""
            self._charts = {}
            self._summary = to_ipc(results_table(_pending_rows(models, batch_sizes)))
            self.status = f"Running {len(models)} model(s) on {what}"
        self._thread = threading.Thread(
            target=self._work, args=(models, batch_sizes), name="hubwidgets-benchmark", daemon=True
        )
        self._thread.start()

    def _engine_arguments(self, models: list[str], batch_sizes: list[int]) -> dict[str, Any]:
        with_labels = self.input_source == "column"
        defaults = sample_params(self.task) if self.task and self.input_source == "samples" else {}
        params = {**defaults, **self._params}
        return {
            "models": models,
            "task": self.task,
            "inputs": self._items(),
            "backend": self._backend,
            "warmup": self.warmup,
            "min_iterations": self.min_iterations,
            "min_duration_s": self.min_duration_s,
            "batch_sizes": tuple(batch_sizes),
            "labels": self._labels if with_labels else None,
            "groups": self._groups if with_labels else None,
            "progress": self._on_progress,
            "cancel": self._cancel,
            "params": params or None,
        }

    def _work(self, models: list[str], batch_sizes: list[int]) -> None:
        started = time.perf_counter()
        try:
            from ..core.inference.benchmark import benchmark  # noqa: PLC0415

            result = benchmark(**self._engine_arguments(models, batch_sizes))
        except (ValueError, TypeError) as err:
            self._failure = err
            self._finish(None, f"{err}. Fix it and press Run again.", failed=True)
            return
        except Exception as err:  # the widget must outlive whatever the engine raises
            self._failure = err
            self._finish(None, f"the benchmark stopped: {type(err).__name__}: {err}", failed=True)
            return
        took = time.perf_counter() - started
        cancelled = bool(getattr(result, "cancelled", False)) or self._cancel.is_set()
        self._finish(result, self._done_text(result, took, cancelled), cancelled=cancelled)

    def _done_text(self, result: BenchmarkResult, took: float, cancelled: bool) -> str:
        summary = result.summary
        status = summary["status"].astype(str) if "status" in summary.columns else pd.Series([])
        ok = int((status == "ok").sum())
        parts = [f"{ok} of {len(summary)} ran in {took:.1f} s"]
        failed = int((status == "error").sum())
        if failed:
            parts.append(f"{failed} failed (see their rows)")
        if cancelled:
            parts.insert(0, "Cancelled")
        else:
            parts.insert(0, "Done")
        env = getattr(result, "env", None) or {}
        machine = env.get("gpu") or env.get("cpu")
        if machine:
            parts.append(str(machine))
        return " · ".join(parts)

    def _finish(
        self,
        result: BenchmarkResult | None,
        text: str,
        *,
        failed: bool = False,
        cancelled: bool = False,
    ) -> None:
        if result is not None:
            self.progress_text = "drawing the charts..."
        charts = self._svg_charts(result) if result is not None else {}
        with self._lock, self.hold_sync():
            if result is not None:
                self._result = result
                self._send_table(result.summary)
            elif not self._rows:
                self._summary = b""
            self._charts = charts
            self.error = text if failed else ""
            self.status = text
            self.progress = self.progress if (failed or cancelled) else 1.0
            self.progress_text = "cancelled" if cancelled else ("" if failed else "done")
            self.running = False
        self._update_report()

    def _on_progress(self, event: BenchmarkProgress) -> None:
        """The engine's callback, in the run's thread: the bar, and each finished row."""
        phase = getattr(event, "phase", "")
        row = getattr(event, "summary_row", None)
        now = time.perf_counter()
        finished = phase in {"done", "error", "cancelled"}
        current = (str(getattr(event, "model", "")), int(getattr(event, "batch_size", 1) or 1))
        started = not finished and current != self._current
        if not (finished or started) and now - self._last_progress < self.PROGRESS_EVERY:
            return
        self._last_progress = now
        with self._lock, self.hold_sync():
            self.progress = float(min(max(getattr(event, "fraction", 0.0), 0.0), 1.0))
            self.progress_text = str(getattr(event, "message", ""))
            if isinstance(row, dict) and row.get("model") is not None:
                self._rows[(str(row["model"]), int(row.get("batch_size") or 1))] = dict(row)
            self._current = None if finished else current
            if finished or started:
                self._send_live_table()

    def _send_live_table(self) -> None:
        models, batch_sizes = self._plan
        rows = [
            self._rows.get(
                (m, b),
                {
                    "model": m,
                    "batch_size": b,
                    "status": "running" if (m, b) == self._current else "pending",
                },
            )
            for m in models
            for b in batch_sizes
        ]
        self._send_table(pd.DataFrame(rows))

    def _send_table(self, summary: pd.DataFrame) -> None:
        from ..charts.benchmark import LOWER_IS_BETTER, QUALITY_METRICS  # noqa: PLC0415

        metric = _quality_metric(summary)
        shown = results_table(summary, metric)
        self._summary = to_ipc(shown)
        self._quality = (
            {
                "metric": metric,
                "label": QUALITY_METRICS.get(metric, metric),
                "lower_is_better": metric in LOWER_IS_BETTER,
            }
            if metric
            else {}
        )

    def _svg_charts(self, result: BenchmarkResult) -> dict[str, str]:
        """The charts of a result as SVG, drawn in the kernel (offline). A chart is a bonus:
        when it cannot be drawn the table still shows."""
        try:
            import vl_convert  # noqa: PLC0415 (slow to import; only after a run)

            from ..charts.benchmark import benchmark_charts  # noqa: PLC0415

            names = ("latency", "throughput", "quality")
            return {
                name: str(vl_convert.vegalite_to_svg(chart.to_dict()))
                for name, chart in zip(names, benchmark_charts(result), strict=False)
            }
        except Exception:  # whatever the chart stack raises, the table stays
            return {}

    def _fail(self, message: str) -> None:
        with self.hold_sync():
            self.error = message
            self.status = message

    def _idle_status(self) -> None:
        if self.error:
            return
        n = len(self.models)
        task = self.task or "no task chosen"
        models = f"{n} model{'' if n == 1 else 's'}"
        batches = ", ".join(map(str, self.batch_sizes))
        self.status = f"{models} · {task} · {self._describe_inputs()} · batch size {batches}"

    # -- display: the widget, and a table for reports ---------------------------------------------
    def _report_html(self) -> str:
        """The results table as HTML, and the charts' SVGs, for exported reports."""
        if self._result is None:
            return f'<p class="hubwidgets-benchmark">{html.escape(self.status)}</p>'
        shown = results_table(self._result.summary)
        label = str(self._quality.get("label", "")) if self._quality else ""
        return _html_table(shown, self.status, label) + "".join(
            f"<div>{svg}</div>" for svg in self._charts.values()
        )


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _quality_metric(summary: pd.DataFrame) -> str | None:
    from ..charts.benchmark import main_quality_metric  # noqa: PLC0415

    return main_quality_metric(summary)


def _check_source(source: Any) -> Any:
    if source is None:
        return None
    from .compare import CompareWidget  # noqa: PLC0415

    if not isinstance(source, (SearchWidget, CompareWidget)):
        raise TypeError(
            f"source must be a hw.SearchWidget or hw.CompareWidget, not {type(source).__name__}"
        )
    return source


def _source_trait(source: Any) -> str:
    return "selected_ids" if isinstance(source, SearchWidget) else "models"


def _source_models(source: Any) -> list[str]:
    return list(getattr(source, _source_trait(source)))


def _source_task(source: Any) -> str | None:
    from ..core.inference.backends._base import INFERENCE_TASKS  # noqa: PLC0415

    task = getattr(source, "task", None)  # a SearchWidget filters on a list of tasks
    tasks = [task] if isinstance(task, str) else list(task or [])
    return tasks[0] if len(tasks) == 1 and tasks[0] in INFERENCE_TASKS else None


def _column_items(inputs: Any) -> tuple[list[Any] | None, str]:
    """The given inputs as a list, and words for where they come from."""
    if inputs is None:
        return None, ""
    if isinstance(inputs, tuple) and len(inputs) == 2 and isinstance(inputs[0], pd.DataFrame):
        frame, column = inputs
        if column not in frame.columns:
            raise TypeError(
                f"inputs=(df, column): {column!r} is not a column; the columns: "
                f"{', '.join(map(str, frame.columns))}"
            )
        return frame[column].tolist(), f"column {column!r}"
    if isinstance(inputs, pd.Series):
        name = f"column {inputs.name!r}" if inputs.name is not None else "the given Series"
        return inputs.tolist(), name
    if isinstance(inputs, pd.DataFrame):
        raise TypeError("inputs: pass one column, inputs=df['text'] or inputs=(df, 'text')")
    if isinstance(inputs, (str, bytes, dict)):
        return [inputs], "the given input"
    if isinstance(inputs, (list, tuple)) or hasattr(inputs, "tolist"):
        items = inputs.tolist() if hasattr(inputs, "tolist") else list(inputs)
        return list(items), "the given list"
    raise TypeError(
        "inputs must be a list, a pandas Series (df['text']) or (DataFrame, column), "
        f"not {type(inputs).__name__}"
    )


def _listed(values: Any, name: str) -> list[Any] | None:
    if values is None:
        return None
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a list or a pandas Series, one per input")
    return values.tolist() if hasattr(values, "tolist") else list(values)


def _file_items(task: str, files: list[tuple[str, bytes]]) -> list[Any]:
    """The items of uploaded files: image and audio files as bytes (one item each); text
    files one item per non-empty line; JSON (a list) or JSON Lines for structured tasks."""
    from ..core.inference.backends._base import AUDIO_TASKS, IMAGE_TASKS  # noqa: PLC0415

    if task in IMAGE_TASKS or task in AUDIO_TASKS or not task:
        return [data for _name, data in files]
    items: list[Any] = []
    for name, data in files:
        text = data.decode("utf-8", errors="replace")
        lower = name.lower()
        if lower.endswith(".json"):
            loaded = json.loads(text)
            items.extend(loaded if isinstance(loaded, list) else [loaded])
        elif lower.endswith(".jsonl"):
            items.extend(json.loads(line) for line in text.splitlines() if line.strip())
        else:
            items.extend(line.strip() for line in text.splitlines() if line.strip())
    return items


def _cell(value: Any, digits: int = 1) -> str:
    if _missing(value):
        return "—"
    return f"{float(value):,.{digits}f}"


def _html_table(shown: pd.DataFrame, caption: str, quality_label: str) -> str:
    numbers: list[tuple[str, str, int]] = [
        ("p50_ms", "p50 (ms)", 1),
        ("p90_ms", "p90 (ms)", 1),
        ("p99_ms", "p99 (ms)", 1),
        ("items_per_s", "items/s", 1),
        ("tokens_per_s", "tokens/s", 1),
        ("peak_rss_mb", "peak RSS (MB)", 0),
    ]
    has_quality = bool(quality_label) and shown["quality"].notna().any()
    heads = ["Model", "Batch", "Status", *(h for _c, h, _d in numbers)]
    if has_quality:
        heads.append(f"{quality_label} (95% CI)")
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in heads)
    body = []
    right = ' style="text-align:right"'
    for row in shown.itertuples(index=False):
        model = str(row.model)
        link = f'<a href="{html.escape(hub_url(model), quote=True)}">{html.escape(model)}</a>'
        status = html.escape(str(row.status))
        if row.error:
            status += f" <small>{html.escape(str(row.error))}</small>"
        cells = [f'<th scope="row" style="text-align:left">{link}</th>']
        cells.append(f"<td{right}>{_cell(row.batch_size, 0)}</td>")
        cells.append(f"<td>{status}</td>")
        for column, _h, digits in numbers:
            text = _cell(getattr(row, column), digits)
            if column == "p50_ms" and row.best_p50:
                text = f"<strong>{text}</strong> ★"
            cells.append(f"<td{right}>{text}</td>")
        if has_quality:
            text = _cell(row.quality, 3)
            if not _missing(row.quality_lo) and not _missing(row.quality_hi):
                text += f" ({row.quality_lo:.3f} to {row.quality_hi:.3f})"
            if row.best_quality:
                text = f"<strong>{text}</strong> ★"
            cells.append(f"<td{right}>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        '<table class="hubwidgets-benchmark">'
        f"<caption>{html.escape(caption)} (★ best)</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
