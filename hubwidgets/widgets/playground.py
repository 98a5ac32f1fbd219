"""Playground: try 1 to 6 models on one input (text, image or audio), side by side.

The widget holds the task, the models and the status in traits and hands every run to the core,
:class:`hubwidgets.core.inference.playground.PlaygroundSession`, which keeps the history (one row
per model per run, :attr:`Playground.history`).

**The last run is state.** ``_last_run`` holds the run (``run``, ``task``, ``models``,
``stream``, ``text``: the text to highlight spans in, ``stopped``) and one slot per model,
filled with the finished cell (:func:`hubwidgets.core.inference.playground.cell_record`: model,
backend, provider, latency, error, fell_back_from, input, output, conversation) as each model
answers: one state update per cell, binary outputs (generated images and audio, masks) as bytes
inside it, which ipywidgets sends as binary buffers. ``_run_image`` holds the input image that
boxes and masks are drawn over. So the page shows the latest run whoever started it (the Run
button or ``pg.run(...)``, before or after the display), and a view created later (a second
display, a reopened notebook) draws it from the state alone. Streamed text goes as ``piece``
events (``{"run", "index", "text"}``, batched so that none waits more than
:data:`BATCH_SECONDS`); the final text lands in the state with the cell.

A quick run's first message to the page is its first cell (with the run's layout): a state
update sent just before it would hold it back for the browser's delayed ACK (jupyter_server's
kernel websockets keep Nagle's algorithm on). A run still going after :data:`ANNOUNCE_AFTER_S`
(or a stream) is announced ("Running...") first.

Requests from the page (see ``_protocol``): notices ``run`` (``text``, ``question``,
``context``, ``labels``, ``file``), ``stop`` and ``reset_chat``; requests ``upload`` (one chunk
of a file: ``id``, ``name``, ``mime``, ``size``, ``offset``, ``data``; chunks of at most
:data:`CHUNK_BYTES`, well under the 10 MiB tornado accepts in one websocket message; the reply
to the last one is the file's info), ``sample`` (``index``) and ``url`` (``url``), whose replies
are the file's info with its bytes (``data``) for the preview.

Bad input never raises in the page: an empty prompt, an unsupported or corrupt file, a file too
big, a task a model cannot do: each cell says what was wrong and the history keeps the run.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import pandas as pd
import traitlets

from ..core.cost.budget import BudgetExceededError, budget_line
from ..core.inference.backends import Backend, make_backend
from ..core.inference.backends._base import (
    AUDIO_TASKS,
    IMAGE_TASKS,
    INFERENCE_TASKS,
    NEEDS_CANDIDATE_LABELS,
    STREAMING_TASKS,
    check_task,
)
from ..core.inference.playground import (
    MAX_FILE_BYTES,
    MAX_MODELS,
    Cell,
    PlaygroundSession,
    cell_record,
    check_models,
    history_frame,
)
from ..core.inference.samples import sample_params
from ..core.report import Column, html_table
from ._base import HubWidget, RunningWidget
from ._playground_io import (
    BATCH_SECONDS,
    CHUNK_BYTES,
    Batcher,
    ShownRun,
    Uploads,
    fetch_url,
    file_info,
    from_python,
    highlight_text,
    input_kind,
    model_link,
    new_upload_id,
    offline,
    overlay_image,
    page_input,
    sample_upload,
    samples_for,
    source_task,
)
from ._protocol import RequestError, request
from ._traits import ModelIds

__all__ = ["ANNOUNCE_AFTER_S", "BATCH_SECONDS", "CHUNK_BYTES", "Playground", "input_kind"]

#: A run that has not answered by then is announced in the page ("Running..."); a quicker one
#: sends its first cell first.
ANNOUNCE_AFTER_S = 0.1
#: How long a run request waits for the previous run to wrap up once its cells are all out.
_FINISHING_WAIT_S = 2.0


class _Models(ModelIds):
    """0 to :data:`MAX_MODELS` model ids or folders."""

    def check(self, ids: list[str]) -> list[str]:
        if not ids:
            return []
        try:
            return check_models(ids)
        except ValueError as err:
            raise traitlets.TraitError(str(err)) from None


class Playground(RunningWidget):
    """Try models on text, images or audio, 1 to 6 side by side; every run a DataFrame row.

    >>> pg = hw.Playground("text-classification", ["./my-model", "./other"])  # doctest: +SKIP
    >>> pg                      # type or drop an input, press Run
    >>> pg.run("I loved it")    # the same from Python (the page shows it): the new rows
    >>> pg.history              # one row per model per run

    Args:
        task: a task of ``hubwidgets.core.inference.backends.INFERENCE_TASKS`` (default: the
            task of the source's first selected model, else "text-classification"; the page
            can change it).
        models: 1 to 6 model ids or local folders (default: the source's selection).
        backend: a backend object, or "local" (default: transformers on this machine),
            "remote" (Inference Providers) or "auto" (remote, falling back to local).
        source: a widget with a selection (``hw.SearchWidget``...) whose selected models (the
            first 6) the playground follows.
        prices: ``{(provider, model): usd_per_call}`` for the history's ``cost_usd`` (no price
            table is available offline: without it the cost stays missing).
        params: parameters every call gets (default: the task's sample parameters, e.g.
            ``max_new_tokens=20`` for generation).
        allow_denied: let the local backend load models the session's policy denies
            (:func:`hw.use_policy`); otherwise a denied model's cell says why it was refused.

    Raises:
        traitlets.TraitError: an unknown task, more than 6 models.
        TypeError: a bad backend or source, a misspelled argument.
    """

    WIDGET = "playground"
    SELECTION = "models"

    #: Largest file accepted from the page (bytes).
    MAX_FILE_BYTES: ClassVar[int] = MAX_FILE_BYTES

    task = traitlets.Unicode("text-classification").tag(sync=True)
    """The task the models run (the page's task menu writes it too)."""

    models = _Models().tag(sync=True)
    """Ids or folders of the models, one grid cell each (at most 6)."""

    params = traitlets.Dict().tag(sync=True)
    """Parameters every call gets (``max_new_tokens``, ``candidate_labels``...)."""

    stream = traitlets.Bool(True).tag(sync=True)
    """Stream text as it is generated (text-generation, chat-completion)."""

    budget = traitlets.Unicode("").tag(sync=True, kernel=True)
    """Spend against the session's budget (:func:`hw.use_budget`): "spent $x of $y this month",
    with the soft budget's warning about the last run; "" when no budget is active."""

    _input_kind = traitlets.Unicode("text").tag(sync=True, kernel=True)
    _samples: traitlets.List[Any] = traitlets.List().tag(sync=True, kernel=True)
    _tasks = traitlets.List(traitlets.Unicode(), default_value=list(INFERENCE_TASKS)).tag(
        sync=True, kernel=True
    )
    _online = traitlets.Bool(False).tag(sync=True, kernel=True)
    _max_file_bytes = traitlets.Int(MAX_FILE_BYTES).tag(sync=True, kernel=True)
    _chunk_bytes = traitlets.Int(CHUNK_BYTES).tag(sync=True, kernel=True)
    _needs_labels = traitlets.Bool(False).tag(sync=True, kernel=True)
    _backend_name = traitlets.Unicode("").tag(sync=True, kernel=True)
    # the last run and its finished cells (see the module docstring); {} before the first run
    _last_run = traitlets.Dict().tag(sync=True, kernel=True)
    # the last run's input image, for boxes and masks drawn over it (b"" for other tasks)
    _run_image = traitlets.Bytes(b"").tag(sync=True, kernel=True)

    def __init__(
        self,
        task: str | None = None,
        models: Sequence[str] | str | None = None,
        backend: Backend | str | None = None,
        source: HubWidget | None = None,
        *,
        prices: Mapping[tuple[str, str], float] | None = None,
        params: Mapping[str, Any] | None = None,
        allow_denied: bool = False,
        **kwargs: Any,
    ) -> None:
        self._check_arguments(
            kwargs, [*self._writable_traits(), "backend", "source", "prices", "allow_denied"]
        )
        from ..core.workflows.ensemble import route  # noqa: PLC0415 - hw.Ensemble as a model

        models, routed = route(models, backend, allow_denied=allow_denied)
        if routed is not backend:
            backend, allow_denied = routed, False
        self._backend = make_backend(backend, allow_denied=allow_denied)
        self._user_params = params is not None
        self._uploads = Uploads()
        self._finishing = threading.Event()  # the run's cells are all out: it is wrapping up
        self._ready = False
        if source is not None and task is None:
            task = source_task(source)
        try:
            task = check_task(task or "text-classification")
        except (TypeError, ValueError) as err:
            raise traitlets.TraitError(str(err)) from None
        if models is None and isinstance(source, HubWidget) and source.SELECTION:
            models = source.selection[:MAX_MODELS]
        super().__init__(task=task, **kwargs)
        self._session = PlaygroundSession(
            task, ["(none)"], self._backend, prices=prices, params=params
        )
        self._session.models = []
        self._ready = True
        try:
            self._link_source(source)
            self.models = (
                [] if models is None else [models] if isinstance(models, str) else list(models)
            )
        except Exception:
            self.close()
            raise
        self.params = dict(self._session.params)
        self._on_task({"new": task})
        self._show_budget()

    # -- Python API ------------------------------------------------------------------------------
    @property
    def history(self) -> pd.DataFrame:
        """Every run so far, one row per model per run: time, run, task, model, backend,
        provider, input, output (JSON), latency_ms, error, fell_back_from, cost_usd."""
        return self._session.history

    @property
    def backend(self) -> Backend:
        """The backend the models run on."""
        return self._backend

    def run(self, inputs: Any, **params: Any) -> pd.DataFrame:
        """Run ``inputs`` (one item: a text, a file path, bytes, an ``Upload``...) on every
        model, as the Run button does; every view of the widget shows the cells. Returns the new
        history rows.

        Raises:
            RuntimeError: a run started in the page is still going (press Stop or wait).
            ValueError: there are no models.
        """
        if not self.models:
            raise ValueError("no models: set pg.models = ['org/model', ...] first")
        self._wait_if_finishing()
        self._check_budget(from_python(inputs), params)
        if not self._run_lock.acquire(blocking=False):
            raise RuntimeError("a run is in progress in the page: wait for it, or press Stop")
        try:
            self._cancel = threading.Event()
            self._finishing = threading.Event()
            cells = self._execute(from_python(inputs), params, self._cancel, self._finishing)
        finally:
            self._run_lock.release()
        return history_frame([c.row for c in cells])

    def stop(self) -> None:
        """Stop the run in progress (streamed text so far is kept)."""
        self.cancel()

    def reset_chat(self) -> None:
        """Forget the chat conversations (chat-completion), and the cells that showed them."""
        self._session.reset_chat()
        if self.task == "chat-completion" and not self._run_lock.locked():
            self._last_run = {}

    def close(self) -> None:
        """Stop any run and stop following the source's selection."""
        cancel = getattr(self, "_cancel", None)  # None when __init__ failed early
        if cancel is not None:
            cancel.set()
        super().close()

    # -- validation and changes ------------------------------------------------------------------
    @traitlets.validate("task")
    def _valid_task(self, proposal: Any) -> str:
        try:
            return check_task(proposal["value"])
        except (TypeError, ValueError) as err:
            raise traitlets.TraitError(str(err)) from None

    @traitlets.observe("task")
    def _on_task(self, change: Any) -> None:
        if not self._ready:
            return
        task = change["new"]
        self._session.task = task
        self._session.reset_chat()
        if not self._user_params:
            self._session.params = dict(sample_params(task))
        with self.hold_sync():
            self._input_kind = input_kind(task)
            self._samples = samples_for(task)
            self._needs_labels = task in NEEDS_CANDIDATE_LABELS
            self._online = not offline() and task in IMAGE_TASKS + AUDIO_TASKS
            self._backend_name = str(getattr(self._backend, "name", type(self._backend).__name__))
            self.params = dict(self._session.params)
            self._describe()

    @traitlets.observe("models")
    def _on_models(self, change: Any) -> None:
        if self._ready:
            self._session.models = list(change["new"])
            self._session.reset_chat()
            self._describe()

    @traitlets.observe("params")
    def _on_params(self, change: Any) -> None:
        if self._ready:
            self._session.params = dict(change["new"])

    def _describe(self) -> None:
        n = len(self.models)
        if not n:
            self.status = "No models yet: set pg.models = ['org/model', ...] (up to 6)"
            return
        where = self._backend_name or "local"
        self.status = f"{self.task} · {n} model{'s' if n != 1 else ''} · {where} backend"
        self._update_report()

    def _on_source_selection(self, ids: list[str]) -> None:
        self.models = ids[:MAX_MODELS]

    # -- requests from the page ------------------------------------------------------------------
    @request("run")
    def _on_run(self, body: dict[str, Any]) -> None:
        if not self.models:
            raise RequestError("No models yet: set pg.models = ['org/model', ...] (up to 6)")
        self._wait_if_finishing()
        item, params = page_input(self.task, body, self._uploads)
        self._check_budget(item, params)
        finishing = threading.Event()

        def work(cancel: threading.Event) -> None:
            self._execute(item, params, cancel, finishing)

        if not self._start(work, name="playground", announce=False):
            raise RequestError("A run is in progress: wait for it, or press Stop")
        self._finishing = finishing  # requests are handled one at a time: none came between

    @request("stop")
    def _on_stop(self, _body: dict[str, Any]) -> None:
        self.cancel()

    @request("reset_chat")
    def _on_reset_chat(self, _body: dict[str, Any]) -> None:
        self.reset_chat()

    @request("upload")
    def _on_upload(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._uploads.chunk(body)

    @request("sample")
    def _on_sample(self, body: dict[str, Any]) -> dict[str, Any]:
        upload = sample_upload(self.task, int(body.get("index", 0)))
        return self._hold_with_data(new_upload_id("sample"), upload)

    @request("url")
    def _on_url(self, body: dict[str, Any]) -> dict[str, Any]:
        upload = fetch_url(str(body.get("url", "")))
        return self._hold_with_data(new_upload_id("url"), upload)

    def _hold_with_data(self, upload_id: str, upload: Any) -> dict[str, Any]:
        """Hold a file the kernel made; its info and bytes (the page previews them)."""
        self._uploads.keep(upload_id, upload)
        return {**file_info(upload_id, upload), "data": upload.data}

    # -- a run -----------------------------------------------------------------------------------
    def _check_budget(self, item: Any, params: Mapping[str, Any]) -> None:
        """The run's predicted cost against the active budget, before anything runs: a hard
        budget's refusal becomes the widget's error (what the page shows stays as it was)."""
        try:
            self._session.check_budget(item, **params)
        except BudgetExceededError as err:
            self._fail(str(err))
            self._show_budget()
            raise

    def _show_budget(self) -> None:
        line = budget_line()
        warning = self._session.budget_warning
        self.budget = f"{line} · {warning}" if line and warning else line

    def _wait_if_finishing(self) -> None:
        """A run whose cells are all out is only wrapping up: a click (or call) right after its
        last cell waits for it rather than being refused as overlapping."""
        if self._finishing.is_set() and self._run_lock.locked():
            self.wait(_FINISHING_WAIT_S)

    def _execute(
        self,
        item: Any,
        params: Mapping[str, Any],
        cancel: threading.Event,
        finishing: threading.Event,
    ) -> list[Cell]:
        """Run ``item`` on every model (the caller holds the run lock), each finished cell
        put in the state as it comes; ``finishing`` is set once the cells are all out."""
        session = self._session
        task = self.task
        models = list(self.models)
        streaming = self.stream and task in STREAMING_TASKS
        run = session.runs + 1  # the session numbers it the same way when it starts
        shown: dict[str, Any] = {
            "run": run,
            "task": task,
            "models": models,
            "stream": streaming,
            "text": highlight_text(item),
            "cells": [None] * len(models),
            "stopped": False,
        }
        publish = ShownRun(self, shown, overlay_image(task, item))
        timer = threading.Timer(ANNOUNCE_AFTER_S, publish.announce)
        timer.daemon = True
        if streaming:
            publish.announce()
        else:
            timer.start()
        batcher = Batcher(lambda index, text: self.emit("piece", _piece(run, index, text)))
        cells: list[Cell] = []
        try:
            if streaming:
                for event in session.stream(item, stop=cancel, **params):
                    if event.cell is None:
                        batcher.add(event.index, event.piece)
                        continue
                    batcher.flush()
                    cells.append(event.cell)
                    publish.cell(event.index, self._record(event.cell))
            else:
                for k, cell in enumerate(session.iter_run(item, **params)):
                    cells.append(cell)
                    publish.cell(k, self._record(cell))
                    if cancel.is_set():
                        break
        finally:
            timer.cancel()
            batcher.flush()
            finishing.set()
            failed = sum(1 for c in cells if c.error)
            outcome = f"run {run}: {len(cells) - failed} answered, {failed} failed"
            if cancel.is_set():
                outcome += " (stopped)"
            status = f"{task} · {self._backend_name} backend · {outcome}"
            publish.finish(status, stopped=cancel.is_set())
            self._show_budget()
            self._update_report()
        return cells

    def _record(self, cell: Cell) -> dict[str, Any]:
        chat = self.task == "chat-completion"
        conversation = self._session.conversations.get(cell.model, []) if chat else None
        return cell_record(cell, conversation=conversation)

    # -- display: the widget, and a table for reports --------------------------------------------
    def _report_html(self) -> str:
        """The last run as an HTML table (model, backend, latency, output or error)."""
        history = self._session.history
        last = history[history["run"] == history["run"].max()] if len(history) else history
        frame = last.assign(
            answer=[
                str(error) or str(output)[:300]
                for error, output in zip(last["error"], last["output"], strict=True)
            ]
        )
        return html_table(
            frame,
            [
                Column("model", "Model", link=model_link, header=True),
                Column("backend", "Backend"),
                Column("latency_ms", "Latency", numeric=True, format=lambda v: f"{v:.0f} ms"),
                Column("answer", "Output"),
            ],
            caption=self.status,
            css_class="hubwidgets-playground",
        )


def _piece(run: int, index: int, text: str) -> dict[str, Any]:
    return {"run": run, "index": index, "text": text}
