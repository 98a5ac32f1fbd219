"""What the Playground widget reads from the page and from Python, and sends as it streams.

Private helpers of :mod:`hubwidgets.widgets.playground`: the input fields a task asks for, the
built-in samples as the page lists them, files arriving in chunks, a URL or a sample as a file,
the run's input as the core takes it, and streamed pieces batched for the page.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..core.inference.backends._base import (
    AUDIO_TASKS,
    IMAGE_TASKS,
    INFERENCE_TASKS,
    NEEDS_CANDIDATE_LABELS,
)
from ..core.inference.playground import MAX_FILE_BYTES, Upload
from ..core.inference.samples import sample_inputs
from ..core.report import hub_url

__all__ = [
    "BATCH_SECONDS",
    "CHUNK_BYTES",
    "OVERLAY_TASKS",
    "Batcher",
    "ShownRun",
    "Uploads",
    "fetch_url",
    "file_info",
    "from_python",
    "highlight_text",
    "input_kind",
    "model_link",
    "new_upload_id",
    "offline",
    "overlay_image",
    "page_input",
    "sample_upload",
    "samples_for",
    "source_task",
]

#: Largest chunk of a file in one message from the page (tornado's limit is 10 MiB a message).
CHUNK_BYTES = 1024 * 1024
#: Longest a streamed piece waits before it is sent (pieces arriving faster are batched).
BATCH_SECONDS = 0.016
#: Tasks whose outputs are drawn over the input image (boxes, masks): the run keeps the image
#: in the widget's state so every view can draw them.
OVERLAY_TASKS = ("object-detection", "image-segmentation")
#: Largest input image kept in the state for drawing over.
_OVERLAY_MAX_BYTES = CHUNK_BYTES * 8
#: How many finished uploads the kernel holds (the last few files only).
_KEEP_UPLOADS = 4

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


def samples_for(task: str) -> list[dict[str, Any]]:
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


def offline() -> bool:
    """Whether the Hub is off limits (``HF_HUB_OFFLINE`` or ``TRANSFORMERS_OFFLINE`` set)."""
    flags = (os.environ.get("HF_HUB_OFFLINE", ""), os.environ.get("TRANSFORMERS_OFFLINE", ""))
    return any(flag.strip().lower() in _TRUE for flag in flags)


# -- files from the page ------------------------------------------------------------------------
def _too_big(name: str, size: int) -> str:
    return (
        f"{name} is {size / 2**20:.1f} MiB: the playground takes files up to "
        f"{MAX_FILE_BYTES / 2**20:.0f} MiB"
    )


def file_info(upload_id: str, upload: Upload) -> dict[str, Any]:
    """What the page hears of a file the kernel holds."""
    return {
        "id": upload_id,
        "name": upload.name,
        "size": len(upload.data),
        "sha256": upload.sha256,
        "mime": upload.mime,
    }


class Uploads:
    """Files from the page: chunks put together in order, the last few finished files kept."""

    def __init__(self) -> None:
        self._files: dict[str, Upload] = {}
        self._partial: dict[str, bytearray] = {}

    def chunk(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Add one chunk (``id``, ``name``, ``mime``, ``size``, ``offset``, ``data``): the
        file's info once it is complete, else ``{}``.

        Raises:
            ValueError: the file is too big, or a chunk went missing (upload it again).
        """
        upload_id = str(body.get("id", ""))
        name = str(body.get("name", "file"))
        size = int(body.get("size", 0))
        offset = int(body.get("offset", 0))
        if size > MAX_FILE_BYTES:
            self._partial.pop(upload_id, None)
            raise ValueError(_too_big(name, size))
        data = self._partial.setdefault(upload_id, bytearray())
        if offset != len(data):
            self._partial.pop(upload_id, None)
            raise ValueError(f"{name}: a chunk went missing; upload it again")
        chunk = body.get("data")
        data += bytes(chunk) if isinstance(chunk, (bytes, bytearray, memoryview)) else b""
        if len(data) < size:
            return {}
        self._partial.pop(upload_id, None)
        return self.keep(upload_id, Upload(name, bytes(data), str(body.get("mime", ""))))

    def keep(self, upload_id: str, upload: Upload) -> dict[str, Any]:
        """Hold ``upload`` under ``upload_id``; its info for the page."""
        while len(self._files) >= _KEEP_UPLOADS:
            self._files.pop(next(iter(self._files)))
        self._files[upload_id] = upload
        return file_info(upload_id, upload)

    def get(self, upload_id: str) -> Upload:
        """The file held under ``upload_id``.

        Raises:
            ValueError: the kernel no longer holds it (add it again).
        """
        upload = self._files.get(upload_id)
        if upload is None:
            raise ValueError("the file is no longer held by the kernel: add it again")
        return upload


def sample_upload(task: str, index: int) -> Upload:
    """The task's built-in sample file ``index`` (wrapping around).

    Raises:
        ValueError: the task's samples are texts, not files.
    """
    items = sample_inputs(task)
    item = items[index % len(items)]
    if not isinstance(item, bytes):
        raise ValueError(f"{task} samples are texts: pick one in the page")
    suffix, mime = (".png", "image/png") if task in IMAGE_TASKS else (".wav", "audio/wav")
    return Upload(f"sample-{index % len(items) + 1}{suffix}", item, mime)


def fetch_url(url: str) -> Upload:
    """An image or a sound from the web (http or https, at most ``MAX_FILE_BYTES``).

    Raises:
        ValueError: offline, not a web address, unreachable or too big.
    """
    if offline():
        raise ValueError("offline (HF_HUB_OFFLINE is set): upload the file")
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not a web address: {url!r}")
    import urllib.request  # noqa: PLC0415 (only for URLs)

    try:
        with urllib.request.urlopen(url, timeout=15) as reply:  # noqa: S310 (http(s) only)
            data = reply.read(MAX_FILE_BYTES + 1)
            mime = str(reply.headers.get_content_type() or "")
    except OSError as err:
        raise ValueError(f"could not fetch {url}: {err}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"{url} is over {MAX_FILE_BYTES / 2**20:.0f} MiB")
    name = url.rsplit("/", 1)[-1].split("?", 1)[0] or "download"
    return Upload(name, data, mime)


def new_upload_id(prefix: str) -> str:
    """An id for a file the kernel made (a sample, a download)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# -- the run's input ------------------------------------------------------------------------------
def page_input(task: str, body: Mapping[str, Any], uploads: Uploads) -> tuple[Any, dict[str, Any]]:
    """The item and extra params a run request from the page describes (``text``,
    ``question``, ``context``, ``labels``, ``file``).

    Raises:
        ValueError: the file is no longer held by the kernel.
    """
    params: dict[str, Any] = {}
    labels = body.get("labels")
    if task in NEEDS_CANDIDATE_LABELS and isinstance(labels, str):
        params["candidate_labels"] = [x.strip() for x in labels.split(",") if x.strip()]
    kind = input_kind(task)
    if kind in ("image", "audio"):
        file_id = body.get("file")
        if file_id is None:
            return "", params  # refused by the core: "expected an image..."
        return uploads.get(str(file_id)), params
    text = str(body.get("text", ""))
    if kind == "qa":
        question = str(body.get("question", ""))
        return {"question": question, "context": str(body.get("context", text))}, params
    if kind == "similarity":
        lines = [line for line in text.splitlines() if line.strip()]
        first = lines[0] if lines else ""
        return {"source_sentence": first, "sentences": lines[1:]}, params
    return text, params


def from_python(inputs: Any) -> Any:
    """A file path given from Python becomes an :class:`Upload` (its name kept for the row)."""
    if isinstance(inputs, Path) or (
        isinstance(inputs, str) and "\n" not in inputs and len(inputs) < 1024
        and Path(inputs).suffix and Path(inputs).is_file()
    ):  # fmt: skip
        try:
            return Upload.from_path(inputs)
        except ValueError:
            return inputs  # too big: the core's check says so in the row
    return inputs


def highlight_text(item: Any) -> str:
    """The text the page highlights spans in: the text itself, or a question's context."""
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping):
        if "context" in item:
            return str(item["context"])
        if "sentences" in item:
            return "\n".join([str(item.get("source_sentence", "")), *map(str, item["sentences"])])
    return ""


def overlay_image(task: str, item: Any) -> bytes:
    """The input image a run's outputs are drawn over (boxes, masks), b"" when there is none
    or it is too big to keep in the state."""
    if task not in OVERLAY_TASKS:
        return b""
    data = item.data if isinstance(item, Upload) else item
    if isinstance(data, (bytes, bytearray)) and len(data) <= _OVERLAY_MAX_BYTES:
        return bytes(data)
    return b""


def source_task(source: Any) -> str | None:
    """The task of the source's first selected model (or its one task filter), if a
    playground can run it."""
    with contextlib.suppress(Exception):  # any widget with a selection: it may not say
        selected = source.selected
        if len(selected) and "task" in selected.columns:
            task = str(selected["task"].iloc[0])
            if task in INFERENCE_TASKS:
                return task
    with contextlib.suppress(Exception):
        filters = list(getattr(source, "task", []))
        if len(filters) == 1 and filters[0] in INFERENCE_TASKS:
            return str(filters[0])
    return None


# -- streaming ------------------------------------------------------------------------------------
class Batcher:
    """Streamed pieces to the page: the first at once, then at most one message per
    :data:`BATCH_SECONDS`, and none held longer than that (a timer flushes)."""

    def __init__(self, send: Callable[[int, str], None]) -> None:
        self._send = send
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
                self._send(index, "".join(pieces))
        self._pending.clear()
        self._last = time.perf_counter()


class ShownRun:
    """The run the page shows (``_last_run``), one state update per finished cell.

    Until the run is announced (or its first cell is out) the page hears nothing of it; the
    first update carries the run's layout, the input image and the first cell at once."""

    def __init__(self, widget: Any, shown: dict[str, Any], image: bytes) -> None:
        self._widget = widget
        self._shown = shown
        self._image = image
        self._lock = threading.Lock()
        self._announced = False
        self._finished = False
        self._done = 0

    def announce(self) -> None:
        """Say "running" (a stream at once, a slow run after a moment)."""
        with self._lock:
            if self._announced or self._finished:
                return
            self._announced = True
            n = len(self._shown["models"])
            self._send(running=True, error="", status=f"Running {n} model{'s' if n != 1 else ''}…")

    def cell(self, index: int, record: dict[str, Any]) -> None:
        with self._lock:
            cells = list(self._shown["cells"])
            cells[index] = record
            self._shown = {**self._shown, "cells": cells}
            self._announced = True
            self._done += 1
            n = len(cells)
            self._send(progress=self._done / n, progress_text=f"{self._done} of {n} models")

    def finish(self, status: str, *, stopped: bool) -> None:
        with self._lock:
            self._finished = True
            if stopped:
                self._shown = {**self._shown, "stopped": True}
            self._send(running=False, error="", status=status, progress=1.0, progress_text="")

    def _send(self, **traits: Any) -> None:
        widget = self._widget
        with widget.hold_sync():  # one state update (an unchanged trait is not sent)
            widget._run_image = self._image
            widget._last_run = self._shown
            for name, value in traits.items():
                setattr(widget, name, value)


def model_link(model: Any) -> str | None:
    """The model's Hub page; None for a local folder."""
    name = str(model)
    if name.startswith(("/", ".", "~")) or "\\" in name or Path(name).exists():
        return None
    return hub_url(name)
