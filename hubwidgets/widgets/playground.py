"""Playground: try 1 to 6 models on one input (text, image or audio), side by side.

The widget holds the task, the models and the status in traits and hands every run to the core,
:class:`hubwidgets.core.inference.playground.PlaygroundSession`, which keeps the history (one row
per model
per run, :attr:`Playground.history`). A run from the page happens in a background thread, so the
kernel keeps handling messages (Stop, uploads) while models run.

Messages from the page (custom messages):

- ``{"type": "run", "text": str, "question": str, "context": str, "labels": str,
  "file": upload id | null, "sample": index | null}``: run the input on every model;
- ``{"type": "upload", "id": u, "name", "mime", "size", "offset"}`` + one buffer: a chunk of a
  file. Files go in chunks of at most :data:`CHUNK_BYTES` (1 MiB), well under the 10 MiB that
  tornado (and so jupyter_server, which keeps tornado's default ``websocket_max_message_size``)
  accepts in one websocket message; a file over :data:`MAX_FILE_BYTES` (50 MiB) is refused;
- ``{"type": "url", "url": str}``: fetch an image or sound from the web (only when online);
- ``{"type": "stop"}``, ``{"type": "reset_chat"}``, ``{"type": "view"}``.

Messages to the page:

- ``{"type": "uploaded", "id", "name", "size", "sha256", "mime"}`` (+ the bytes for a sample or a
  URL, for the preview) or ``{"type": "upload_error", "id", "message"}``;
When a run starts, one state update sets ``running``, ``status`` and ``_run_info`` =
``{"run", "models", "stream", "text", "echo"}`` (``text``: the input text, or a question's
context, so the page can highlight spans in it; for a run started from Python, ``echo``, an
image input comes along in ``_echo_image`` so boxes and masks can be drawn over it). One message,
not a state update and a custom message: every message before a cell's delays that cell.
- ``{"type": "piece", "run", "index", "text"}``: streamed text, batched so that none waits more
  than :data:`BATCH_SECONDS` (16 ms) and the first piece goes at once;
- ``{"type": "cell", "run", "index", "model", "backend", "provider", "latency_ms", "error",
  "fell_back_from", "output", "conversation"}`` + buffers: a model's result. Binary parts of the
  output (generated images and audio, segmentation masks) are buffers, referred to in ``output``
  as ``{"$buffer": i, "mime": ...}``;
- ``{"type": "done", "run", "stopped"}``.

Bad input never raises in the page: an empty prompt, an unsupported or corrupt file, a file too
big, a task a model cannot do: each cell says what was wrong and the history keeps the run.
"""

from __future__ import annotations

import base64
import contextlib
import html
import math
import os
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import pandas as pd
import traitlets

from ..core.inference.backends._base import (
    AUDIO_TASKS,
    IMAGE_TASKS,
    INFERENCE_TASKS,
    NEEDS_CANDIDATE_LABELS,
    STREAMING_TASKS,
    Backend,
    check_task,
)
from ..core.inference.playground import (
    MAX_FILE_BYTES,
    MAX_MODELS,
    Cell,
    PlaygroundSession,
    Upload,
    check_models,
    history_frame,
)
from ..core.inference.samples import sample_inputs, sample_params
from ._base import RunningWidget
from ._traits import ModelIds
from .search import SearchWidget

__all__ = ["BATCH_SECONDS", "CHUNK_BYTES", "Playground", "input_kind"]

#: Largest chunk of a file in one message from the page (tornado's limit is 10 MiB a message).
CHUNK_BYTES = 1024 * 1024
#: A run that has not answered by then is announced in the page ("Running..."); a quicker one
#: sends its first cell first (see ``_run_cells``).
ANNOUNCE_AFTER_S = 0.1

#: Longest a streamed piece waits before it is sent (pieces arriving faster are batched).
BATCH_SECONDS = 0.016

_TRUE = frozenset({"1", "true", "yes", "on"})


def input_kind(task: str) -> str:
    """What the page asks for: "image", "audio", "qa", "similarity", "chat" or "text"."""
    if task in IMAGE_TASKS:
        return "image"
    if task in AUDIO_TASKS:
        return "audio"
    return {
        "question-answering": "qa",
        "sentence-similarity": "similarity",
        "chat-completion": "chat",
    }.get(task, "text")


def _samples(task: str) -> list[dict[str, Any]]:
    """The built-in samples as the page lists them (texts in full; files by name)."""
    kind = input_kind(task)
    out: list[dict[str, Any]] = []
    for k, item in enumerate(sample_inputs(task)):
        if kind in ("image", "audio"):
            suffix = ".png" if kind == "image" else ".wav"
            out.append({"label": f"sample-{k + 1}{suffix}", "file": True})
        elif kind == "qa":
            out.append({"label": item["question"], **item})
        elif kind == "similarity":
            text = "\n".join([item["source_sentence"], *item["sentences"]])
            out.append({"label": item["source_sentence"], "text": text})
        elif kind == "chat":
            content = str(item[-1]["content"])
            out.append({"label": content, "text": content})
        else:
            out.append({"label": str(item), "text": str(item)})
    return out


def _offline() -> bool:
    flags = (os.environ.get("HF_HUB_OFFLINE", ""), os.environ.get("TRANSFORMERS_OFFLINE", ""))
    return any(flag.strip().lower() in _TRUE for flag in flags)


def _make_backend(backend: Backend | str | None) -> Backend:
    if backend is None or backend == "local":
        from ..core.inference.backends.local import LocalBackend  # noqa: PLC0415

        return LocalBackend()
    if backend == "remote":
        from ..core.inference.backends.remote import RemoteBackend  # noqa: PLC0415

        return RemoteBackend()
    if backend == "auto":
        from ..core.inference.backends import FallbackBackend, LocalBackend, RemoteBackend  # noqa: PLC0415

        return FallbackBackend([RemoteBackend(), LocalBackend()])
    if isinstance(backend, str) or not isinstance(backend, Backend):
        raise TypeError(
            "backend must be 'local', 'remote', 'auto' (remote, falling back to local) or a "
            f"backend object with run and stream, not {backend!r}"
        )
    return backend


def _wire_output(output: Any, buffers: list[bytes]) -> Any:
    """``output`` JSON-able for the page, its binary parts moved to ``buffers``."""
    if isinstance(output, (bytes, bytearray)):
        buffers.append(bytes(output))
        return {"$buffer": len(buffers) - 1}
    if isinstance(output, Mapping):
        out: dict[str, Any] = {}
        for key, value in output.items():
            if key == "mask" and isinstance(value, str):
                buffers.append(base64.b64decode(value))
                out[key] = {"$buffer": len(buffers) - 1, "mime": "image/png"}
            elif key == "image" and isinstance(value, (bytes, bytearray)):
                buffers.append(bytes(value))
                out[key] = {"$buffer": len(buffers) - 1, "mime": "image/png"}
            elif key == "audio" and isinstance(value, (bytes, bytearray)):
                buffers.append(bytes(value))
                out[key] = {"$buffer": len(buffers) - 1, "mime": "audio/wav"}
            else:
                out[key] = _wire_output(value, buffers)
        return out
    if isinstance(output, (list, tuple)):
        return [_wire_output(v, buffers) for v in output]
    if isinstance(output, float) and math.isnan(output):  # NaN is not JSON
        return None
    return output


class _Batcher:
    """Streamed pieces to the page: the first at once, then at most one message per
    :data:`BATCH_SECONDS`, and none held longer than that (a timer flushes)."""

    def __init__(self, send: Any, run: int) -> None:
        self._send = send
        self._run = run
        self._lock = threading.Lock()
        self._pending: dict[int, list[str]] = {}
        self._last = 0.0
        self._timer: threading.Timer | None = None

    def add(self, index: int, piece: str) -> None:
        with self._lock:
            self._pending.setdefault(index, []).append(piece)
            wait = self._last + BATCH_SECONDS - time.perf_counter()
            if wait <= 0:
                self._flush_locked()
            elif self._timer is None:
                self._timer = threading.Timer(wait, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for index, pieces in self._pending.items():
            if pieces:
                self._send(
                    {"type": "piece", "run": self._run, "index": index, "text": "".join(pieces)}
                )
        self._pending.clear()
        self._last = time.perf_counter()


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
    >>> pg.run("I loved it")    # the same from Python: the new history rows
    >>> pg.history              # one row per model per run (see
    hubwidgets.core.inference.playground)

    Args:
        task: a task of ``hubwidgets.core.inference.backends.INFERENCE_TASKS`` (default: the task
        of the
            source's first selected model, else "text-classification"; the page can change it).
        models: 1 to 6 model ids or local folders (default: the source's selection).
        backend: a backend object, or "local" (default: transformers on this machine),
            "remote" (Inference Providers) or "auto" (remote, falling back to local).
        source: a SearchWidget whose selected models (the first 6) the playground follows.
        prices: ``{(provider, model): usd_per_call}`` for the history's ``cost_usd`` (no price
            table is available offline: without it the cost stays missing).
        params: parameters every call gets (default: the task's sample parameters, e.g.
            ``max_new_tokens=20`` for generation).

    Raises:
        traitlets.TraitError: an unknown task, more than 6 models.
        TypeError: a bad backend or source.
    """

    WIDGET = "playground"

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
    # the run in progress or last run: {"run", "models", "stream", "text", "echo"}
    _run_info = traitlets.Dict().tag(sync=True, kernel=True)
    # the image input of a run started from Python (b"" otherwise)
    _echo_image = traitlets.Bytes(b"").tag(sync=True, kernel=True)

    def __init__(
        self,
        task: str | None = None,
        models: Sequence[str] | str | None = None,
        backend: Backend | str | None = None,
        source: SearchWidget | None = None,
        *,
        prices: Mapping[tuple[str, str], float] | None = None,
        params: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if source is not None and not isinstance(source, SearchWidget):
            raise TypeError(f"source must be a hw.SearchWidget, not {type(source).__name__}")
        self._source = source
        self._backend = _make_backend(backend)
        self._user_params = params is not None
        self._uploads: dict[str, Upload] = {}
        self._partial: dict[str, bytearray] = {}
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        # (announced, lock, run info) while a run has not yet told the page it started
        self._pending_info: tuple[threading.Event, threading.Lock, dict[str, Any]] | None = None
        self._busy = threading.Lock()
        self._ready = False
        if task is None:
            task = _source_task(source) if source is not None else None
        try:
            task = check_task(task or "text-classification")
        except (TypeError, ValueError) as err:
            raise traitlets.TraitError(str(err)) from None
        if models is None and source is not None:
            models = list(source.selected_ids[:MAX_MODELS])
        super().__init__(task=task, **kwargs)
        self._session = PlaygroundSession(
            task, ["(none)"], self._backend, prices=prices, params=params
        )
        self._session.models = []
        self._ready = True
        try:
            self.models = (
                [] if models is None else [models] if isinstance(models, str) else list(models)
            )
        except Exception:
            self.close()
            raise
        self.params = dict(self._session.params)
        self._on_task({"new": task})
        self.on_msg(self._on_custom_msg)
        if source is not None:
            source.observe(self._on_source, names="selected_ids")

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

    @property
    def source(self) -> SearchWidget | None:
        """The SearchWidget whose selection the playground follows, or None."""
        return self._source

    def run(self, inputs: Any, **params: Any) -> pd.DataFrame:
        """Run ``inputs`` (one item: a text, a file path, bytes, an ``Upload``...) on every
        model, as the Run button does; the page shows the cells. Returns the new history rows.

        Raises:
            RuntimeError: a run started in the page is still going (press Stop or wait).
            ValueError: there are no models.
        """
        if not self.models:
            raise ValueError("no models: set pg.models = ['org/model', ...] first")
        if not self._busy.acquire(blocking=False):
            raise RuntimeError("a run is in progress in the page: wait for it, or press Stop")
        try:
            item = _from_python(inputs)
        except BaseException:
            self._busy.release()
            raise
        cells = self._run(item, params, echo=True)  # releases the lock
        return history_frame([c.row for c in cells])

    def stop(self) -> None:
        """Stop the run in progress (streamed text so far is kept)."""
        self._stop.set()

    def reset_chat(self) -> None:
        """Forget the chat conversations (chat-completion)."""
        self._session.reset_chat()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a run started in the page to end; whether it has."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
            return not worker.is_alive()
        return True

    def close(self) -> None:
        """Stop any run and stop following the source's selection."""
        stop = getattr(self, "_stop", None)  # None when __init__ failed early
        if stop is not None:
            stop.set()
        source = getattr(self, "_source", None)
        if source is not None:
            with contextlib.suppress(ValueError):
                source.unobserve(self._on_source, names="selected_ids")
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
            self._samples = _samples(task)
            self._needs_labels = task in NEEDS_CANDIDATE_LABELS
            self._online = not _offline() and task in IMAGE_TASKS + AUDIO_TASKS
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

    def _on_source(self, change: Any) -> None:
        try:
            self.models = list(change["new"])[:MAX_MODELS]
        except traitlets.TraitError as err:
            self._fail(str(err))

    # -- messages from the page ------------------------------------------------------------------
    def _on_custom_msg(self, _widget: Any, content: Any, buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "view":
            self._viewed = True
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        try:
            if kind == "upload":
                self._on_upload(content, list(buffers or []))
            elif kind == "url":
                self._on_url(str(content.get("url", "")))
            elif kind == "sample":
                self._on_sample(int(content.get("index", 0)))
            elif kind == "run":
                self._start_run(content)
            elif kind == "stop":
                self._stop.set()
            elif kind == "reset_chat":
                self._session.reset_chat()
        except Exception as err:  # never a traceback in the page: say it in the status
            self._fail(f"{type(err).__name__}: {err}")

    def _on_upload(self, content: dict[str, Any], buffers: list[Any]) -> None:
        upload_id = str(content.get("id", ""))
        name = str(content.get("name", "file"))
        size = int(content.get("size", 0))
        offset = int(content.get("offset", 0))
        if size > MAX_FILE_BYTES:
            self._partial.pop(upload_id, None)
            self._upload_error(
                upload_id,
                f"{name} is {size / 2**20:.1f} MiB: the playground takes files up to "
                f"{MAX_FILE_BYTES / 2**20:.0f} MiB",
            )
            return
        chunk = bytes(buffers[0]) if buffers else b""
        data = self._partial.setdefault(upload_id, bytearray())
        if offset != len(data):
            self._partial.pop(upload_id, None)
            self._upload_error(upload_id, f"{name}: a chunk went missing; upload it again")
            return
        data += chunk
        if len(data) < size:
            return
        self._partial.pop(upload_id, None)
        upload = Upload(name, bytes(data), str(content.get("mime", "")))
        self._keep_upload(upload_id, upload, preview=False)

    def _keep_upload(self, upload_id: str, upload: Upload, *, preview: bool) -> None:
        while len(self._uploads) >= 4:  # the last few files only
            self._uploads.pop(next(iter(self._uploads)))
        self._uploads[upload_id] = upload
        reply = {
            "type": "uploaded",
            "id": upload_id,
            "name": upload.name,
            "size": len(upload.data),
            "sha256": upload.sha256,
            "mime": upload.mime,
        }
        self.send(reply, [upload.data] if preview else None)

    def _upload_error(self, upload_id: str, message: str) -> None:
        self.send({"type": "upload_error", "id": upload_id, "message": message})

    def _on_sample(self, index: int) -> None:
        items = sample_inputs(self.task)
        item = items[index % len(items)]
        if not isinstance(item, bytes):
            return
        suffix = ".png" if self.task in IMAGE_TASKS else ".wav"
        mime = "image/png" if suffix == ".png" else "audio/wav"
        upload = Upload(f"sample-{index % len(items) + 1}{suffix}", item, mime)
        self._keep_upload(f"sample-{uuid.uuid4().hex[:8]}", upload, preview=True)

    def _on_url(self, url: str) -> None:
        upload_id = f"url-{uuid.uuid4().hex[:8]}"
        if _offline():
            self._upload_error(upload_id, "offline (HF_HUB_OFFLINE is set): upload the file")
            return
        if not url.startswith(("https://", "http://")):
            self._upload_error(upload_id, f"not a web address: {url!r}")
            return
        import urllib.request  # noqa: PLC0415

        try:
            with urllib.request.urlopen(url, timeout=15) as reply:  # noqa: S310 (http(s) only)
                data = reply.read(MAX_FILE_BYTES + 1)
                mime = str(reply.headers.get_content_type() or "")
        except OSError as err:
            self._upload_error(upload_id, f"could not fetch {url}: {err}")
            return
        if len(data) > MAX_FILE_BYTES:
            self._upload_error(upload_id, f"{url} is over {MAX_FILE_BYTES / 2**20:.0f} MiB")
            return
        name = url.rsplit("/", 1)[-1].split("?", 1)[0] or "download"
        self._keep_upload(upload_id, Upload(name, data, mime), preview=True)

    def _page_input(self, content: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
        """The item and extra params a run message describes."""
        params: dict[str, Any] = {}
        labels = content.get("labels")
        if self.task in NEEDS_CANDIDATE_LABELS and isinstance(labels, str):
            params["candidate_labels"] = [x.strip() for x in labels.split(",") if x.strip()]
        kind = input_kind(self.task)
        if kind in ("image", "audio"):
            file_id = content.get("file")
            if file_id is None:
                return "", params  # refused by the core: "expected an image..."
            upload = self._uploads.get(str(file_id))
            if upload is None:
                raise ValueError("the file is no longer held by the kernel: add it again")
            return upload, params
        text = str(content.get("text", ""))
        if kind == "qa":
            return {
                "question": str(content.get("question", "")),
                "context": str(content.get("context", "")),
            }, params
        if kind == "similarity":
            lines = [line for line in text.splitlines() if line.strip()]
            first = lines[0] if lines else ""
            return {"source_sentence": first, "sentences": lines[1:]}, params
        return text, params

    def _start_run(self, content: Mapping[str, Any]) -> None:
        if not self.models:
            self._fail("No models yet: set pg.models = ['org/model', ...] (up to 6)")
            return
        if not self._busy.acquire(blocking=False):
            self._fail("A run is in progress: wait for it, or press Stop")
            return
        try:
            item, params = self._page_input(content)
        except ValueError as err:
            self._busy.release()
            self._fail(str(err))
            return

        released = threading.Event()

        def work() -> None:
            try:
                self._run(item, params, released)
            except Exception as err:  # a bug must not leave the page waiting forever
                self._fail(f"{type(err).__name__}: {err}")
                with self.hold_sync():
                    self.running = False

        self._worker = threading.Thread(target=work, name="hubwidgets-playground", daemon=True)
        self._worker.start()

    # -- a run -----------------------------------------------------------------------------------
    def _run(
        self,
        item: Any,
        params: Mapping[str, Any],
        released: threading.Event | None = None,
        *,
        echo: bool = False,
    ) -> list[Cell]:
        """Run ``item`` on every model, sending each cell to the page as it finishes.

        The caller holds ``self._busy``; this releases it (and sets ``released``) once the run
        is over, before the page hears "done"."""
        released = released or threading.Event()
        try:
            return self._run_cells(item, params, released, echo=echo)
        finally:
            if not released.is_set():
                released.set()
                self._busy.release()

    def _run_cells(
        self, item: Any, params: Mapping[str, Any], released: threading.Event, *, echo: bool
    ) -> list[Cell]:
        self._stop.clear()
        session = self._session
        run = session.runs + 1  # the session numbers it the same way when it starts
        streaming = self.stream and self.task in STREAMING_TASKS
        image = (_image_bytes(self.task, item) if echo else None) or b""
        info = {
            "run": run,
            "models": list(self.models),
            "stream": streaming,
            "text": _input_text(item),
            "echo": echo,
        }
        timer = self._begin(info, image, at_once=streaming or bool(image))
        cells: list[Cell] = []
        batcher = _Batcher(self.send, run)
        try:
            if streaming:
                for event in session.stream(item, stop=self._stop, **params):
                    if event.cell is None:
                        batcher.add(event.index, event.piece)
                        continue
                    batcher.flush()
                    cells.append(event.cell)
                    self._send_cell(run, event.index, event.cell)
            else:
                for k, cell in enumerate(session.iter_run(item, **params)):
                    cells.append(cell)
                    self._send_cell(run, k, cell)
                    if self._stop.is_set():
                        break
        finally:
            timer.cancel()
            self._pending_info = None
            batcher.flush()
            failed = sum(1 for c in cells if c.error)
            stopped = self._stop.is_set()
            outcome = f"run {run}: {len(cells) - failed} answered, {failed} failed"
            if stopped:
                outcome += " (stopped)"
            with self.hold_sync():
                self.running = False
                self.error = ""
                self._run_info = info
                self.status = f"{self.task} · {self._backend_name} backend · {outcome}"
            # free for the next run before the page hears "done", so a click right after it
            # is not refused as overlapping this run
            released.set()
            self._busy.release()
            self.send({"type": "done", "run": run, "stopped": stopped})
            self._update_report()
        return cells

    def _begin(self, info: dict[str, Any], image: bytes, *, at_once: bool) -> threading.Timer:
        """Say "running" in the page: at once for a stream (or an echoed image), else only for
        a run slower than :data:`ANNOUNCE_AFTER_S` (the returned timer; cancel it at the end).

        A quick run's first message is then its cell, which carries the run's layout: a state
        update sent just before it would hold the cell back for the browser's delayed ACK
        (jupyter_server's kernel websockets keep Nagle's algorithm on)."""
        announced = threading.Event()
        lock = threading.Lock()

        def announce() -> None:
            with lock:
                if announced.is_set():
                    return
                announced.set()
                with self.hold_sync():
                    self.running = True
                    self.error = ""
                    n = len(self.models)
                    self.status = f"Running {n} model{'s' if n != 1 else ''}…"
                    if image or self._echo_image:
                        self._echo_image = image
                    self._run_info = info

        self._pending_info = (announced, lock, info)
        timer = threading.Timer(ANNOUNCE_AFTER_S, announce)
        if at_once:
            announce()
        else:
            timer.start()
        return timer

    def _send_cell(self, run: int, index: int, cell: Cell) -> None:
        buffers: list[bytes] = []
        row = cell.row
        latency = row["latency_ms"]
        message = {
            "type": "cell",
            "run": run,
            "index": index,
            "model": cell.model,
            "backend": row["backend"],
            "provider": row["provider"],
            "latency_ms": None if math.isnan(latency) else float(latency),
            "error": row["error"],
            "fell_back_from": row["fell_back_from"],
            "input": row["input"],
            "output": _wire_output(cell.output, buffers),
        }
        if self.task == "chat-completion":
            message["conversation"] = self._session.conversations.get(cell.model, [])
        pending = self._pending_info
        if pending is not None:
            announced, lock, info = pending
            with lock:
                if not announced.is_set():
                    # the run was quick: this cell is its first word to the page
                    announced.set()
                    message["run_info"] = info
                self.send(message, buffers or None)
            return
        self.send(message, buffers or None)

    # -- display: the widget, and a table for reports --------------------------------------------
    def _report_html(self) -> str:
        """The last run as an HTML table (model, backend, latency, output or error)."""
        history = self._session.history
        status = html.escape(self.status)
        if history.empty:
            return f'<p class="hubwidgets-playground">{status}</p>'
        last = history[history["run"] == history["run"].max()]
        rows = "".join(
            "<tr>"
            f"<td>{html.escape(str(r.model))}</td><td>{html.escape(str(r.backend))}</td>"
            f"<td>{'' if math.isnan(r.latency_ms) else f'{r.latency_ms:.0f} ms'}</td>"
            f"<td>{html.escape(str(r.error) or str(r.output)[:300])}</td>"
            "</tr>"
            for r in last.itertuples(index=False)
        )
        return (
            f'<table class="hubwidgets-playground"><caption>{status}</caption>'
            "<thead><tr><th>Model</th><th>Backend</th><th>Latency</th><th>Output</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )


def _from_python(inputs: Any) -> Any:
    """A file path given from Python becomes an :class:`Upload` (its name kept for the row)."""
    from pathlib import Path  # noqa: PLC0415

    if isinstance(inputs, Path) or (
        isinstance(inputs, str) and "\n" not in inputs and len(inputs) < 1024
        and Path(inputs).suffix and Path(inputs).is_file()
    ):  # fmt: skip
        try:
            return Upload.from_path(inputs)
        except ValueError:
            return inputs  # too big: the core's check says so in the row
    return inputs


def _input_text(item: Any) -> str:
    """The text the page highlights spans in: the text itself, or a question's context."""
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping):
        if "context" in item:
            return str(item["context"])
        if "sentences" in item:
            return "\n".join([str(item.get("source_sentence", "")), *map(str, item["sentences"])])
    return ""


def _image_bytes(task: str, item: Any) -> bytes | None:
    """The bytes of an image input (for the page to draw over), if small enough to send."""
    if task not in IMAGE_TASKS:
        return None
    data = item.data if isinstance(item, Upload) else item
    if isinstance(data, (bytes, bytearray)) and len(data) <= CHUNK_BYTES * 8:
        return bytes(data)
    return None


def _source_task(source: SearchWidget) -> str | None:
    """The task of the source's first selected model, if a playground can run it."""
    with contextlib.suppress(Exception):
        selected = source.selected
        if len(selected) and "task" in selected.columns:
            task = str(selected["task"].iloc[0])
            if task in INFERENCE_TASKS:
                return task
    filters = list(source.task)
    if len(filters) == 1 and filters[0] in INFERENCE_TASKS:
        return filters[0]
    return None
