"""BenchmarkWidget: measure models on your inputs, live, and compare them in a table and charts.

Run asks :func:`hubwidgets.core.inference.benchmark_setup.prepare_benchmark` for the engine's
arguments (it says what is missing, and checks the budget), then calls one core function,
:func:`hubwidgets.core.inference.benchmark.benchmark`, in the background run of
:class:`~hubwidgets.widgets._base.RunningWidget` (the kernel keeps handling messages, so Cancel
reaches it); its progress callback moves the bar and puts each finished job in the results table
(:class:`~hubwidgets.core.inference.benchmark_setup.LiveRows`).

What a view shows is synced state: the results table (``_summary``, a
:class:`~hubwidgets.widgets._serialization.Table` of
:data:`~hubwidgets.core.inference.results.RESULTS_COLUMNS`), the charts as SVG drawn in the
kernel (``_charts``), ``running``/``progress``/``progress_text``, ``status``/``error``. So a run
started from Python shows live in every view, and a view drawn later or from saved widget state
(no kernel) shows the table and charts. The page writes the setup traits and sends the notices
``run`` and ``cancel`` and the request ``files`` (``{"files": [{"name", "data"}]}``, an upload).

Inputs come from the constructor (a list, a Series, ``(DataFrame, column)``), uploaded files, or
the built-in :func:`~hubwidgets.core.inference.samples.sample_inputs` of the task. Bad input never
breaks the widget: what the engine refuses goes to :attr:`BenchmarkWidget.error` with what to
do; a model that fails has its error in its row.
"""

from __future__ import annotations

import contextlib
import html
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd
import traitlets

from ..core.cost.budget import BudgetExceededError, budget_line
from ..core.inference import samples
from ..core.inference.benchmark_setup import (
    LiveRows,
    NotReadyError,
    inference_task,
    prepare_benchmark,
    read_upload,
    setup_text,
)
from ..core.inference.results import (
    RESULTS_COLUMNS,
    done_text,
    main_quality_metric,
    quality_info,
    results_html,
    results_table,
)
from ..core.report import svg_divs
from ._base import RunningWidget
from ._benchmark_state import INPUT_SOURCES, BatchSizes, Models
from ._protocol import request
from ._serialization import Table

if TYPE_CHECKING:
    import altair as alt

    from ..core.inference.benchmark import BenchmarkProgress, BenchmarkResult

__all__ = ["SUMMARY_COLUMNS", "BenchmarkWidget", "results_table"]

#: The columns of the results table (the name this module exported before the core had them).
SUMMARY_COLUMNS = RESULTS_COLUMNS

_RUNNING = "a run is already going on: wait for it, or Cancel it first"


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
        source: any hubwidgets widget with a selection (a SearchWidget, a CompareWidget...):
            the widget measures the models selected there.
        backend: passed to the engine (default: its own choice, local transformers).
        allow_denied: load models the session's policy denies (``hw.use_policy``); by default
            such a model is not loaded and its row says why (``hw.PolicyError``).
        labels, groups: the true answer of each input, and a group per input: quality metrics
            and their gap between groups (only with ``inputs``).
        params: task parameters for every call (``candidate_labels=[...]``, ``max_new_tokens``).
        prices: for a remote backend, a :func:`hw.provider_prices` table or
            ``{(provider, model): usd_per_call}``: each run's cost in the usage ledger
            (:func:`hw.usage`). With an active :func:`hw.use_budget`, a run that would pass a
            hard budget is refused before it starts (the widget's error; the results stay).
        warmup, min_iterations, min_duration_s, batch_sizes: the measurement options (traits).

    Raises:
        traitlets.TraitError: a bad option from Python (an unknown task lists the valid ones).
        TypeError: a misspelled argument (naming close matches); ``source`` is not a widget
            with a selection; bad ``inputs``.
    """

    WIDGET = "benchmark"
    SELECTION = "models"

    models = Models().tag(sync=True)
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

    batch_sizes = BatchSizes().tag(sync=True)
    """Items per call to measure, each a row of the table (e.g. ``[1, 8, 32]``)."""

    budget = traitlets.Unicode("").tag(sync=True, kernel=True)
    """Spend against the session's budget (:func:`hw.use_budget`): "spent $x of $y this month",
    with the soft budget's warning about the last run; "" when no budget is active."""

    # the results table (RESULTS_COLUMNS): pending rows, then each finished one; None before a run
    _summary = Table(columns=RESULTS_COLUMNS)
    # {chart name: SVG}, drawn in the kernel (offline) when a run ends
    _charts = traitlets.Dict().tag(sync=True, kernel=True)
    # {"samples": n, "column": n, "column_label": str, "files": [names], "file_items": n}
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
        allow_denied: bool = False,
        labels: Any = None,
        groups: Any = None,
        params: dict[str, Any] | None = None,
        prices: Any = None,
        **kwargs: Any,
    ) -> None:
        from ..core.inference.backends._base import INFERENCE_TASKS  # noqa: PLC0415

        self._check_arguments(kwargs)
        self._ready = False  # the setup observers wait for the end of __init__
        self._inputs_by_source = samples.Inputs(*samples.given_inputs(inputs))
        self._labels = samples.per_input(labels, "labels")
        self._groups = samples.per_input(groups, "groups")
        if not isinstance(allow_denied, bool):
            raise TypeError(f"allow_denied must be True or False, not {allow_denied!r}")
        self._backend = backend
        self._allow_denied = allow_denied
        self._params = dict(params or {})
        # remote calls' prices for the usage ledger (hw.provider_prices() or {(provider, model): $})
        self._prices = prices
        self._budget_warning = ""
        self._result: BenchmarkResult | None = None
        self._failure: BaseException | None = None
        self._live = LiveRows()  # the results table while a run goes on
        self._last_progress = 0.0
        self._lock = threading.Lock()
        if self._inputs_by_source.given is not None:
            kwargs.setdefault("input_source", "column")
        if task is None:
            task = inference_task(getattr(source, "task", None))
        super().__init__(task=task or "", _tasks=list(INFERENCE_TASKS), **kwargs)
        try:
            self._link_source(source)
        except TypeError:
            self.close()
            raise
        if models is not None:
            self.models = [models] if isinstance(models, str) else list(models)
        elif self.source is not None:
            self.models = self.source.selection
        self._ready = True
        self._send_inputs()
        self._idle_status()
        self._show_budget()

    # -- Python API ------------------------------------------------------------------------------
    @property
    def result(self) -> BenchmarkResult | None:
        """The last run's :class:`~hubwidgets.core.inference.benchmark.BenchmarkResult` (None
        before a run, or when the last one could not start)."""
        return self._result

    def inputs(self) -> list[Any]:
        """The items the next run will measure on (from :attr:`input_source`)."""
        return self._inputs_by_source.items(self.input_source, self.task)

    def run(self, *, wait: bool = False) -> BenchmarkResult | None:
        """Start a run, as the Run button does: in a background thread.

        With ``wait=True``, block until it ends and return its result (or raise what stopped
        it: ``ValueError`` for inputs, a task or labels the engine refuses,
        ``hw.BudgetExceededError`` when a hard budget refuses it, ``RuntimeError`` when a run is
        already going on). Without, return None at once and never raise: the
        status says what happened.
        """
        arguments, problem, refused = self._prepare()
        if problem:
            self._fail(problem)
            if wait and refused is not None:
                raise refused
            if wait:
                raise (RuntimeError if self.running else ValueError)(problem)
            return None
        self._begin(arguments["models"], list(arguments["batch_sizes"]))
        if not self._start(lambda cancel: self._work(cancel, arguments), name="benchmark"):
            self._fail(_RUNNING)  # another thread started one since the check above
            if wait:
                raise RuntimeError(_RUNNING)
            return None
        if wait:
            self.wait()
            if self._failure is not None:
                raise self._failure
            return self._result
        return None

    def cancel(self) -> None:
        """Stop the run after the call in progress (as the Cancel button does)."""
        if self.running:
            super().cancel()
            self._progress(self.progress, "cancelling after the current call...")

    def charts(self) -> dict[str, alt.TopLevelMixin]:
        """Altair charts of the last result by name (``latency``, ``throughput``, ``quality``:
        those that apply, see :mod:`hubwidgets.charts.benchmark`); empty before a run."""
        from ..charts.benchmark import named_benchmark_charts  # noqa: PLC0415 (altair is slow)

        return dict(named_benchmark_charts(self._result)) if self._result is not None else {}

    def close(self) -> None:
        """Cancel a run, close the widget and stop following the source."""
        with contextlib.suppress(AttributeError):  # __init__ failed early
            self._cancel.set()
        super().close()

    # -- validation and the setup ------------------------------------------------------------------
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
        if not self._ready:
            return
        if change["name"] in {"task", "input_source"}:
            self._send_inputs()
        if not self.running:
            self.error = ""  # the setup changed: what was wrong may be fixed
            self._idle_status()

    def _on_source_selection(self, ids: list[str]) -> None:
        self.models = ids

    # -- requests from the page -------------------------------------------------------------------
    @request("run")
    def _on_run(self, _body: dict[str, Any]) -> None:
        self.run(wait=False)

    @request("cancel")
    def _on_cancel(self, _body: dict[str, Any]) -> None:
        self.cancel()

    @request("files")
    def _on_files(self, body: dict[str, Any]) -> dict[str, Any]:
        """An upload: ``{"files": [{"name": str, "data": bytes}, ...]}``; the reply says how
        many inputs they hold. Files that hold none, or bad JSON, are refused (kept: the last
        good upload)."""
        uploaded, items = read_upload(self.task, body.get("files"))  # ValueError: in words
        self._inputs_by_source.files = uploaded
        with self.hold_sync():
            self.error = ""
            self.input_source = "files"
            self._send_inputs()
            self._idle_status()
        return {"items": len(items)}

    # -- inputs and the status ---------------------------------------------------------------------
    def _send_inputs(self) -> None:
        self._inputs = self._inputs_by_source.counts(self.task)

    def _idle_status(self) -> None:
        if self.error:
            return
        setup = self._inputs_by_source, self.input_source, self.batch_sizes
        self.status = setup_text(self.models, self.task, *setup)

    # -- running -----------------------------------------------------------------------------------
    def _prepare(self) -> tuple[dict[str, Any], str, BudgetExceededError | None]:
        """:func:`~hubwidgets.core.inference.benchmark.benchmark`'s arguments for the setup
        (:func:`~hubwidgets.core.inference.benchmark_setup.prepare_benchmark`), or what stops
        the run: in words, and a hard budget's refusal (the results shown stay: nothing ran)."""
        if self.running:
            return {}, _RUNNING, None
        warning: str | None = None  # None: the budget was not checked, its line stays
        options = ("warmup", "min_iterations", "min_duration_s", "batch_sizes")
        try:
            arguments, found = prepare_benchmark(
                self.models,
                self.task,
                self._inputs_by_source,
                self.input_source,
                linked=self.source is not None,
                labels=self._labels,
                groups=self._groups,
                params=self._params,
                backend=self._backend,
                allow_denied=self._allow_denied,
                prices=self._prices,
                **{name: getattr(self, name) for name in options},
            )
            warning = found or ""
        except NotReadyError as err:
            return {}, str(err), None
        except BudgetExceededError as err:
            warning = ""
            return {}, str(err), err
        except ValueError as err:
            return {}, f"{err}. Fix it and press Run again.", None
        finally:
            if warning is not None:
                self._budget_warning = warning
                self._show_budget()
        return arguments, "", None

    def _show_budget(self) -> None:
        line = budget_line()
        warning = self._budget_warning
        self.budget = f"{line} · {warning}" if line and warning else line

    def _begin(self, models: list[str], batch_sizes: list[int]) -> None:
        """The page before the run's thread starts: every job pending, no charts."""
        self._failure = None
        self._live = LiveRows(models, batch_sizes)
        what = self._inputs_by_source.describe(self.input_source, self.task)
        with self.hold_sync():
            self.error = ""
            self._charts = {}
            self._show(self._live.frame())
            self.status = f"Running {len(models)} model(s) on {what}"

    def _work(self, cancel: threading.Event, arguments: dict[str, Any]) -> None:
        from ..core.inference.benchmark import benchmark  # noqa: PLC0415

        started = time.perf_counter()
        try:
            result = benchmark(**arguments, progress=self._on_progress, cancel=cancel)
        except (ValueError, TypeError) as err:
            self._failure = err
            self._finish(None, f"{err}. Fix it and press Run again.", "failed")
            return
        except Exception as err:  # the widget must outlive whatever the engine raises
            self._failure = err
            self._finish(None, f"the benchmark stopped: {type(err).__name__}: {err}", "failed")
            return
        cancelled = bool(result.cancelled) or cancel.is_set()
        took = time.perf_counter() - started
        text = done_text(result.summary, took, cancelled=cancelled, machine=result.machine)
        self._finish(result, text, "cancelled" if cancelled else "done")

    def _finish(self, result: BenchmarkResult | None, text: str, end: str = "done") -> None:
        """Show how the run ended (``end``: "done", "cancelled" or "failed")."""
        failed, cancelled = end == "failed", end == "cancelled"
        charts: dict[str, str] = {}
        if result is not None:
            self._result = result
            self._progress(self.progress, "drawing the charts...")
            charts = self._chart_svgs()
        with self._lock, self.hold_sync():
            if result is not None:
                self._show(result.summary)
            elif not self._live.finished:
                self._summary = None
            self._charts = charts
            self.error = text if failed else ""
            self.status = text
            self.progress = self.progress if (failed or cancelled) else 1.0
            self.progress_text = "cancelled" if cancelled else ("" if failed else "done")
        self._show_budget()
        self._update_report()

    def _on_progress(self, event: BenchmarkProgress) -> None:
        """The engine's callback, in the run's thread: the bar, and each finished row."""
        now = time.perf_counter()
        if not self._live.changes(event) and now - self._last_progress < self.PROGRESS_EVERY:
            return
        self._last_progress = now
        with self._lock, self.hold_sync():
            self._progress(event.fraction, event.message)
            if self._live.update(event):
                self._show(self._live.frame())

    def _show(self, summary: pd.DataFrame) -> None:
        """Put a summary (finished or live) in the results table."""
        metric = main_quality_metric(summary)
        with self.hold_sync():
            self._summary = results_table(summary, metric)
            self._quality = quality_info(metric)

    # -- display: the widget, and a table for reports ---------------------------------------------
    def _report_html(self) -> str:
        """The results table as HTML, and the charts' SVGs, for exported reports."""
        shown = self._summary
        if shown is None or not len(shown):
            return f'<p class="hubwidgets-benchmark">{html.escape(self.status)}</p>'
        label = str(self._quality.get("label", ""))
        table = results_html(shown, caption=self.status, quality_label=label)
        return table + svg_divs(self._charts)
