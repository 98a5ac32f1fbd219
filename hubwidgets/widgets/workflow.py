"""WorkflowWidget: compose a pipeline of models step by step, try it on a sample, then run it over a
DataFrame column with live progress and Cancel.

Each user action calls one core function: a change to the steps composes the pipeline
(:func:`~hubwidgets.core.workflows.spec.compose`: a bad link names both steps, shown under the
later one); "Run on the sample" calls :meth:`Pipeline.run`; "Apply" calls :meth:`Pipeline.apply`
in the background run of :class:`~hubwidgets.widgets._base.RunningWidget`, its ``progress=``
moving the bar (:func:`~hubwidgets.core.workflows.display.progress_reporter`) and its
``cancel=`` Event set by Cancel. What the page shows of them (cells as text, outcomes in words)
is :mod:`hubwidgets.core.workflows.display`'s.

The page writes the composition and the setup: ``steps`` (a list of ``{task, model, input,
name}``), ``sample_text``, ``sample_from``, ``sample_row`` and ``column``; it sends the notices
``run`` (apply) and ``cancel``, and the requests ``sample`` (run on the sample, an uploaded file's
bytes inside its body) and ``rows`` (a window of the result table). What a view shows is synced
state the kernel writes, so a view drawn from saved state alone shows the steps, the sample's
outputs (``_sample``) and the first window of the last result (``_result``, Arrow IPC).

A composition the core refuses is kept as it is: the steps stay, the problem shows under the
step it concerns (``_problems``) and in :attr:`~WorkflowWidget.error`, and :attr:`pipeline` is
None until it is fixed.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import traitlets

from ..core.catalog.searchable import Searchable
from ..core.inference.backends import INFERENCE_TASKS
from ..core.workflows import Pipeline, PipelineRun, Step, display
from ..core.workflows import spec as specs
from ._base import RunningWidget
from ._protocol import RequestError, request
from ._search_state import window_bounds
from ._serialization import Table, to_ipc

__all__ = ["SAMPLE_COLUMNS", "WorkflowWidget"]

#: The columns of the sample's table (one row per step), as :meth:`Pipeline.run` gives them.
SAMPLE_COLUMNS: tuple[str, ...] = PipelineRun.COLUMNS


class WorkflowWidget(RunningWidget):
    """Compose a pipeline (task, then model, per step), run it on a sample with each step's
    output and latency, then apply it to a DataFrame column with live progress and Cancel.

    >>> w = hw.WorkflowWidget(data=df, column="text")          # doctest: +SKIP
    >>> w                          # add steps in the page, or:
    >>> w.pipeline = hw.Pipeline([hw.Step("text-classification", "my/model")])
    >>> w.run_sample("I loved it")  # each step's output and latency
    >>> w.apply(wait=True)          # the result, also in w.result

    Args:
        pipeline: an :class:`hw.Pipeline` (or a list of :class:`hw.Step`) to start from.
            Default: none (compose it in the page).
        source: a widget with a selection (a SearchWidget...): its selected models are offered
            for each step.
        data: the DataFrame to apply the pipeline to (also :attr:`df`).
        column: its column of inputs (default: its first column of text).
        catalog: where each task's models are offered from (default: the source's, else
            ``hw.open_catalog()``; the most downloaded :attr:`CHOICES` per task).
        backend: the backend of steps that name none ("local", "remote", "auto" or an object).
        checkpoint: a folder for :meth:`Pipeline.apply`'s checkpoints (resume after a Cancel).

    Raises:
        traitlets.TraitError: bad steps or an unknown column from Python.
        TypeError: ``source`` is not a widget with a selection, ``catalog`` is not a catalog,
            ``pipeline`` or ``data`` is of the wrong kind, or a misspelled keyword argument.
    """

    WIDGET = "workflow"

    steps = traitlets.List[dict[str, Any]]().tag(sync=True)
    """The composed steps, in order: ``{"task", "model", "input", "name"}`` each (``input`` and
    ``name`` may be ``""``: the natural input, the default name; ``params`` too, from Python),
    as :meth:`Pipeline.to_spec` gives them."""

    column = traitlets.Unicode("").tag(sync=True)
    """The column of :attr:`df` the pipeline is applied to."""

    sample_from = traitlets.Enum(display.SAMPLE_SOURCES, default_value="text").tag(sync=True)
    """Where "Run on the sample" takes its input: ``"text"`` (:attr:`sample_text`), ``"row"``
    (row :attr:`sample_row` of :attr:`column`) or ``"file"`` (the last uploaded file)."""

    sample_text = traitlets.Unicode("").tag(sync=True)
    """The sample text typed in the page."""

    sample_row = traitlets.Int(0, min=0).tag(sync=True)
    """The row (by position) of :attr:`df` to use as the sample."""

    # the tasks a step may have, and the models offered for the steps' tasks: {task: [[id,
    # downloads]]}
    _tasks = traitlets.List(traitlets.Unicode()).tag(sync=True, kernel=True)
    _choices = traitlets.Dict().tag(sync=True, kernel=True)
    # the linked widget's selection, offered for every step
    _linked = traitlets.List(traitlets.Unicode()).tag(sync=True, kernel=True)
    # pipeline.describe() as JSON rows (step, name, task, model, takes, gives); [] when unbuilt
    _plan = traitlets.List(traitlets.Dict()).tag(sync=True, kernel=True)
    # {step index (str): what is wrong with it}: shown under that step
    _problems = traitlets.Dict().tag(sync=True, kernel=True)
    # {"rows": n, "columns": [names]} of the data; {} without data
    _data = traitlets.Dict().tag(sync=True, kernel=True)
    # the sample's file: {"name": str} or {}
    _file = traitlets.Dict().tag(sync=True, kernel=True)
    # the last sample run, one row per step (SAMPLE_COLUMNS, cells as text)
    _sample = Table(columns=SAMPLE_COLUMNS)
    # the first window of the last result (cells as text), and {"total", "columns"} of it
    _result = Table()
    _result_info = traitlets.Dict().tag(sync=True, kernel=True)

    #: Models offered per task (the most downloaded of the catalog).
    CHOICES: ClassVar[int] = 8
    #: Rows of the result in the first window (saved with the widget) and per "rows" request.
    WINDOW: ClassVar[int] = 50
    #: Seconds between two progress updates sent to the page (the last always is).
    PROGRESS_EVERY: ClassVar[float] = 0.2

    def __init__(
        self,
        pipeline: Pipeline | Sequence[Step] | None = None,
        source: Any = None,
        *,
        data: pd.DataFrame | None = None,
        column: str | None = None,
        catalog: Searchable | None = None,
        backend: Any = None,
        checkpoint: str | Path | None = None,
        **kwargs: Any,
    ) -> None:
        self._check_arguments(kwargs)
        self._ready = False
        self._pipeline: Pipeline | None = None
        self._df: pd.DataFrame | None = None
        self._full: pd.DataFrame | None = None  # the last result, whole
        self._sample_full: pd.DataFrame | None = None
        self._offered: dict[str, list[list[Any]]] = {}  # task -> [[id, downloads]]
        self._objects: dict[str, Any] = {}  # label -> a model object (an Ensemble) of a step
        self._backend = backend
        self._checkpoint = checkpoint
        self._file_path: str | None = None
        self._failure: BaseException | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="hubwidgets-workflow-")
        super().__init__(_tasks=list(INFERENCE_TASKS), **kwargs)
        self._catalog = self._link_catalog(source, catalog)
        try:
            if data is not None:
                self.df = data
            if column is not None:
                self.column = column
            if pipeline is not None:
                self.steps = self._steps_of(pipeline)
        except Exception:
            self.close()
            raise
        if source is not None:
            self._linked = list(source.selection)
        self._ready = True
        self._build()

    # -- Python API ------------------------------------------------------------------------------
    @property
    def pipeline(self) -> Pipeline | None:
        """The :class:`hw.Pipeline` of the composed steps; None while they are incomplete or
        cannot connect (:attr:`error` says why)."""
        return self._pipeline

    @pipeline.setter
    def pipeline(self, value: Pipeline | Sequence[Step]) -> None:
        self.steps = self._steps_of(value)

    @property
    def result(self) -> pd.DataFrame | None:
        """The last :meth:`apply`'s DataFrame (:meth:`Pipeline.apply`), None before one."""
        return self._full

    @property
    def sample_result(self) -> pd.DataFrame | None:
        """The last :meth:`run_sample`'s DataFrame (:meth:`Pipeline.run`), None before one."""
        return self._sample_full

    @property
    def catalog(self) -> Searchable:
        """The catalog each task's models are offered from."""
        return self._catalog

    @property
    def df(self) -> pd.DataFrame | None:
        """The DataFrame :meth:`apply` runs over (set it to change the data)."""
        return self._df

    @df.setter
    def df(self, frame: pd.DataFrame | None) -> None:
        if frame is not None and not isinstance(frame, pd.DataFrame):
            raise TypeError(f"data must be a pandas DataFrame, not {type(frame).__name__}")
        self._df = frame
        columns = [str(c) for c in frame.columns] if frame is not None else []
        with self.hold_sync():
            self._data = {"rows": len(frame), "columns": columns} if frame is not None else {}
            if self.column not in columns:
                self.column = display.text_column(frame) if frame is not None else ""
        self._idle_status()

    def run_sample(self, x: Any = None, *, wait: bool = True) -> pd.DataFrame | None:
        """Run the pipeline once (:meth:`Pipeline.run`) on ``x``, else on the sample chosen in
        the page (:attr:`sample_from`): one row per step with its output and latency.

        With ``wait=True`` (the default) block and return the table, raising ``ValueError``
        when there is no pipeline or no sample; without, return None at once (the status says
        what happened).
        """
        try:
            pipeline = self._ready_pipeline()
            item = self._sample_item() if x is None else x
        except ValueError as err:
            return self._refuse(err, wait)
        started = self._start(lambda _cancel: self._run_sample(pipeline, item), name="sample")
        return self._after_start(started, wait, lambda: self._sample_full)

    def apply(self, *, wait: bool = False) -> pd.DataFrame | None:
        """Run the pipeline over :attr:`column` of :attr:`df` (:meth:`Pipeline.apply`) in the
        background, as the Apply button does; Cancel (or :meth:`cancel`) stops it after the
        batch under way.

        With ``wait=True`` block and return the result (or raise what stopped it); without,
        return None at once and never raise: the status says what happened.
        """
        try:
            pipeline = self._ready_pipeline()
            frame, column = self._apply_input()
        except ValueError as err:
            return self._refuse(err, wait)
        work = lambda cancel: self._apply(pipeline, frame, column, cancel)  # noqa: E731
        started = self._start(work, name="workflow")
        return self._after_start(started, wait, lambda: self._full)

    def cancel(self) -> None:
        """Stop the run after the batch under way (as the Cancel button does)."""
        if self.running:
            super().cancel()
            self._progress(self.progress, "cancelling after the batch under way...")

    def close(self) -> None:
        """Cancel a run, close the widget and stop following the source."""
        with contextlib.suppress(AttributeError):  # __init__ failed early
            self._cancel.set()
        super().close()

    # -- the steps -------------------------------------------------------------------------------
    def _steps_of(self, pipeline: Any) -> list[dict[str, Any]]:
        """A pipeline (or a list of steps) as the page's step dicts; model objects kept."""
        spec = specs.pipeline_spec(pipeline)
        self._objects.update(specs.spec_models(pipeline))
        return spec

    @traitlets.observe("steps")
    def _on_steps(self, _change: Any) -> None:
        if self._ready:
            self._build()

    @traitlets.observe("column", "sample_from", "sample_row", "sample_text")
    def _on_setup(self, _change: Any) -> None:
        if self._ready and not self.running:
            self._idle_status()

    @traitlets.validate("steps")
    def _valid_steps(self, proposal: Any) -> list[dict[str, Any]]:
        try:
            return specs.check_spec(proposal["value"])
        except (TypeError, ValueError) as err:
            raise traitlets.TraitError(str(err)) from None

    @traitlets.validate("column")
    def _valid_column(self, proposal: Any) -> str:
        try:
            return display.data_column(self._df, str(proposal["value"]))
        except ValueError as err:
            raise traitlets.TraitError(str(err)) from None

    def _build(self) -> None:
        """Build the pipeline of the steps (:func:`~hubwidgets.core.workflows.spec.compose`); a
        problem goes under its step, and the steps stay as they are."""
        steps = list(self.steps)
        self._offer([e["task"] for e in steps])
        built, found = specs.compose(steps, models=self._objects, backend=self._backend)
        problems = {str(i): p for i, p in found.items()}
        self._pipeline = built
        with self.hold_sync():
            self._problems = problems
            self._plan = display.text_records(built.describe()) if built is not None else []
            self.error = specs.refusal(found)
            if self.error:
                self.status = self.error
            else:
                self._idle_status()
        self._update_report()

    def _offer(self, tasks: Sequence[str]) -> None:
        """Offer the most downloaded models of each of ``tasks`` (looked up once per task, when
        a step first has it: a live Hub catalog answers each look-up with a request)."""
        for task in dict.fromkeys(t for t in tasks if t and t not in self._offered):
            self._offered[task] = specs.offered_models(self._catalog, task, self.CHOICES)
        self._choices = dict(self._offered)  # synced only when it changed

    def _on_source_selection(self, ids: list[str]) -> None:
        self._linked = list(ids)

    # -- the status line -------------------------------------------------------------------------
    def _idle_status(self) -> None:
        if not (self.error or self.running):
            rows = None if self._df is None else len(self._df)
            self.status = display.compose_status(len(self.steps), self._pipeline, rows, self.column)

    # -- runs ------------------------------------------------------------------------------------
    def _ready_pipeline(self) -> Pipeline:
        if self.running:
            raise ValueError("a run is already going on: wait for it, or Cancel it first")
        if self._pipeline is None:
            if not self.steps:
                raise ValueError("add at least one step first")
            at, problem = next(iter(self._problems.items()), ("0", "incomplete"))
            raise ValueError(f"fix the steps first: {specs.problem_text(int(at), problem)}")
        return self._pipeline

    def _sample_item(self) -> Any:
        frame, column = self._apply_input() if self.sample_from == "row" else (None, "")
        return display.sample_item(
            self.sample_from,
            text=self.sample_text,
            file=self._file_path,
            frame=frame,
            column=column,
            row=self.sample_row,
        )

    def _apply_input(self) -> tuple[pd.DataFrame, str]:
        if self._df is None:
            raise ValueError("no data: set widget.df = a DataFrame (or pass data=)")
        if not self.column:
            raise ValueError(f"choose a column of the data: {', '.join(map(str, self._df))}")
        return self._df, self.column

    def _refuse(self, problem: Exception, wait: bool) -> pd.DataFrame | None:
        """Say why a run did not start; raise it when the caller waits for the run, else
        return None (no result)."""
        self._fail(str(problem))
        if wait:
            raise problem
        return None

    def _after_start(self, started: bool, wait: bool, result: Any) -> pd.DataFrame | None:
        if not started:
            busy = "a run is already going on: wait for it, or Cancel it first"
            return self._refuse(RuntimeError(busy), wait)
        if wait:
            self.wait()
            if self._failure is not None:
                raise self._failure
        return result() if wait else None

    def _run_sample(self, pipeline: Pipeline, item: Any) -> None:
        self._failure = None
        self._progress(0.0, "running the sample through each step...")
        try:
            out = pipeline.run(item)
        except Exception as err:  # the widget outlives whatever a model raises
            self._failure = err
            self._fail(f"the sample did not run: {err}")
            return
        self._sample_full = out.steps
        text = display.run_summary(out)
        with self.hold_sync():
            self._sample = display.shown(out.steps)
            self.error = "" if out.ok else text
            self.status = text
            self._progress(1.0, "sample done")
        self._update_report()

    def _apply(
        self, pipeline: Pipeline, frame: pd.DataFrame, column: str, cancel: threading.Event
    ) -> None:
        self._failure = None
        started = time.perf_counter()
        with self.hold_sync():
            self.error = ""
            self.status = f"Applying the pipeline to {len(frame):,} rows of {column}"
        progress = display.progress_reporter(self._progress, every=self.PROGRESS_EVERY)
        try:
            out = pipeline.apply(
                frame, column, progress=progress, cancel=cancel, checkpoint=self._checkpoint
            )
        except Exception as err:  # shown; what was shown before stays
            self._failure = err
            self._fail(f"the pipeline did not run: {err}")
            return
        cancelled = bool(out.attrs.get("cancelled")) or cancel.is_set()
        text = display.apply_summary(out, time.perf_counter() - started, cancelled=cancelled)
        self._full = out
        first = display.shown(out.iloc[: self.WINDOW])
        with self.hold_sync():
            self._result = first
            self._result_info = {"total": len(out), "columns": list(first.columns)}
            self.status = text
            self.progress = self.progress if cancelled else 1.0
            self.progress_text = "cancelled" if cancelled else "done"
        self._update_report()

    # -- requests from the page ------------------------------------------------------------------
    @request("run")
    def _on_run(self, _body: dict[str, Any]) -> None:
        self.apply(wait=False)

    @request("cancel")
    def _on_cancel(self, _body: dict[str, Any]) -> None:
        self.cancel()

    @request("sample")
    def _on_sample(self, body: dict[str, Any]) -> None:
        """Run on the sample; an upload comes along as ``{"file": {"name", "data"}}``."""
        upload = body.get("file")
        if upload is not None:
            upload = upload if isinstance(upload, dict) else {}
            if not (isinstance(upload.get("name"), str) and isinstance(upload.get("data"), bytes)):
                raise RequestError("the upload did not arrive whole: choose the file again")
            path = display.save_sample(self._tmp.name, upload["name"], upload["data"])
            self._file_path = str(path)
            with self.hold_sync():
                self._file = {"name": path.name}
                self.sample_from = "file"
        self.run_sample(wait=False)

    @request("rows")
    def _on_rows(self, body: dict[str, Any]) -> dict[str, Any]:
        """Rows ``[start, stop)`` of the last result, as Arrow IPC bytes in ``table``."""
        full = self._full
        if full is None:
            raise RequestError("no result yet: apply the pipeline first")
        start, stop = window_bounds(body, self.WINDOW)
        window = display.shown(full.iloc[start:stop])
        return {
            "start": start,
            "stop": start + len(window),
            "total": len(full),
            "table": to_ipc(window),
        }

    # -- display ---------------------------------------------------------------------------------
    def _report_html(self) -> str:
        """The steps, the sample's outputs and the first rows of the result, for exports."""
        total = self._result_info.get("total")
        sample, result = self._sample, self._result
        return display.workflow_html(self.status, self.steps, sample, result, total=total)
