"""Try models on one input, side by side, every run kept as DataFrame rows (pandas only).

A :class:`PlaygroundSession` runs one input on 1 to :data:`MAX_MODELS` models through a backend
(``backend.run`` / ``backend.stream``, see :mod:`hubwidgets.core.inference.backends`) and keeps one
history row per model per run, with the columns of :data:`HISTORY_COLUMNS`:

- ``time`` (UTC), ``run`` (1, 2, ...), ``task``, ``model``;
- ``backend`` and ``provider``: who served the call (after any fallback);
- ``input``: a summary: the text itself, or ``name (N bytes, sha256=...)`` for a file;
- ``output``: the normalized output as JSON text; images, audio and segmentation masks are
  summarized (``{"bytes": n, "sha256": ...}``), never inlined;
- ``latency_ms`` (the backend's own time, loading excluded), ``error`` (empty when it worked);
- ``fell_back_from``: why the backends tried before the one that answered failed;
- ``cost_usd``: no provider price table is available offline, so it stays missing (``NA``)
  unless the session is given ``prices={(provider, model): usd_per_call}`` or a
  :func:`hw.provider_prices` table (then priced from the tokens the provider's reply reports).
  Prices are never invented.

A remote call (an Inference Provider or an endpoint) is written to the usage ledger
(:func:`hw.usage`, kind "playground"). With an active budget (:func:`hw.use_budget`) a run's cost
is predicted first: a hard budget refuses a run that would pass it (``BudgetExceededError`` out of
:meth:`PlaygroundSession.run`, before any call; the history is unchanged), a soft one leaves its
warning in :attr:`PlaygroundSession.budget_warning`.

Bad input (an empty prompt, an unsupported file type, a corrupt image or audio file, a task the
model cannot do) never raises out of :meth:`PlaygroundSession.run`: every model gets a row whose
``error`` says what was wrong. :func:`run_strict` is the raising variant for API users.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import threading
import time
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .backends._base import (
    _AUDIO_SUFFIXES,
    _IMAGE_SUFFIXES,
    AUDIO_TASKS,
    IMAGE_TASKS,
    STREAMING_TASKS,
    Attempt,
    Backend,
    BackendError,
    InferenceResult,
    check_inputs,
    check_task,
    describe_item,
    load_audio,
    load_image,
)

__all__ = [
    "HISTORY_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_MODELS",
    "Cell",
    "PlaygroundSession",
    "StreamEvent",
    "Upload",
    "cell_record",
    "fallback_note",
    "output_json",
    "page_output",
    "run_strict",
    "summarize_input",
]

#: Most models one run compares side by side.
MAX_MODELS = 6
#: Largest file a playground accepts (bytes). Larger files are refused with a message.
MAX_FILE_BYTES = 50 * 1024 * 1024

#: The columns of :attr:`PlaygroundSession.history`, in order.
HISTORY_COLUMNS: tuple[str, ...] = (
    "time",
    "run",
    "task",
    "model",
    "backend",
    "provider",
    "input",
    "output",
    "latency_ms",
    "error",
    "fell_back_from",
    "cost_usd",
)

_MIME_SUFFIX = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/bmp": ".bmp",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/wave": ".wav",
    "audio/flac": ".flac",
    "audio/ogg": ".ogg",
    "audio/mpeg": ".mp3",
}


@dataclass(frozen=True)
class Upload:
    """A file given by name and content (from a browser upload, a sample, a URL)."""

    name: str
    data: bytes
    mime: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def suffix(self) -> str:
        suffix = Path(self.name).suffix.lower()
        return suffix or _MIME_SUFFIX.get(self.mime.lower(), "")

    def summary(self) -> str:
        """``name (N bytes, sha256=...)``: what the history's ``input`` column holds."""
        return f"{self.name} ({len(self.data):,} bytes, sha256={self.sha256})"

    @classmethod
    def from_path(cls, path: str | Path) -> Upload:
        path = Path(path)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValueError(_too_big(path.name, size))
        return cls(path.name, path.read_bytes())


@dataclass
class Cell:
    """One model's answer to one run: what the history row says, plus the raw output."""

    model: str
    row: dict[str, Any]
    #: the normalized output as the backend returned it (with bytes), None on error
    output: Any = None
    #: what the stream yielded, for streamed runs
    streamed: str = ""

    @property
    def error(self) -> str:
        return str(self.row["error"])


@dataclass(frozen=True)
class StreamEvent:
    """What :meth:`PlaygroundSession.stream` yields: a ``piece`` of text for ``model``, or the
    finished ``cell`` (``piece`` empty) once that model is done."""

    model: str
    index: int
    piece: str = ""
    cell: Cell | None = None
    #: perf_counter() when the backend yielded the piece
    at: float = field(default=0.0, compare=False)


def _too_big(name: str, size: int) -> str:
    return (
        f"{name} is {size / 2**20:.1f} MiB: the playground takes files up to "
        f"{MAX_FILE_BYTES / 2**20:.0f} MiB"
    )


def summarize_input(item: Any) -> str:  # noqa: PLR0911
    """A short summary of one input: the text itself, or a file's name, size and sha256."""
    if isinstance(item, Upload):
        return item.summary()
    if isinstance(item, (bytes, bytearray)):
        return f"<{len(item):,} bytes, sha256={hashlib.sha256(bytes(item)).hexdigest()}>"
    if isinstance(item, Path) and item.is_file():
        data = item.read_bytes()
        return Upload(item.name, data).summary()
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping) and "question" in item and "context" in item:
        return json.dumps({"question": item["question"], "context": item["context"]})
    if isinstance(item, Mapping) and "source_sentence" in item:
        return json.dumps(dict(item), default=str)
    if isinstance(item, Sequence) and item and isinstance(item[-1], Mapping):
        return str(item[-1].get("content", ""))  # a conversation: its last message
    return describe_item(item)


def _binary(data: bytes) -> dict[str, Any]:
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _summarized(value: Any) -> Any:
    """``value`` with bytes and base64 masks replaced by their size and sha256."""
    if isinstance(value, (bytes, bytearray)):
        return _binary(bytes(value))
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if key == "mask" and isinstance(item, str):
                out[key] = _binary(base64.b64decode(item))
            else:
                out[key] = _summarized(item)
        return out
    if isinstance(value, (list, tuple)):
        return [_summarized(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def output_json(output: Any) -> str:
    """A normalized output as JSON text, binary parts summarized (see the module docstring)."""
    return json.dumps(_summarized(output), default=str, ensure_ascii=False)


def page_output(output: Any) -> Any:
    """A normalized output as a page draws it: JSON-able, with its binary parts as ``bytes``
    (generated images and audio as they are, base64 segmentation masks decoded to PNG bytes),
    NaN as None. Bytes nested in a widget's state travel as binary buffers, never as text."""
    if isinstance(output, (bytes, bytearray, memoryview)):
        return bytes(output)
    if isinstance(output, Mapping):
        out: dict[str, Any] = {}
        for key, value in output.items():
            if key == "mask" and isinstance(value, str):
                out[str(key)] = base64.b64decode(value)
            else:
                out[str(key)] = page_output(value)
        return out
    if isinstance(output, (list, tuple)):
        return [page_output(v) for v in output]
    if isinstance(output, float) and not math.isfinite(output):  # NaN is not JSON
        return None
    return output


def cell_record(
    cell: Cell, *, conversation: Sequence[Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """One finished cell as a page draws it: ``model``, ``backend``, ``provider``,
    ``latency_ms`` (None when the model did not answer), ``error``, ``fell_back_from``,
    ``input`` (the history's summary), ``output`` (:func:`page_output`) and, for chat, the
    ``conversation`` so far."""
    row = cell.row
    latency = row["latency_ms"]
    record: dict[str, Any] = {
        "model": cell.model,
        "backend": str(row["backend"]),
        "provider": str(row["provider"]),
        "latency_ms": None if latency is None or math.isnan(latency) else float(latency),
        "error": str(row["error"]),
        "fell_back_from": str(row["fell_back_from"]),
        "input": str(row["input"]),
        "output": page_output(cell.output),
    }
    if conversation is not None:
        record["conversation"] = [
            {"role": str(m.get("role", "")), "content": str(m.get("content", ""))}
            for m in conversation
        ]
    return record


def fallback_note(attempts: Sequence[Attempt]) -> str:
    """Why the earlier backends failed, one ``backend (reason[, HTTP n]): message`` each."""
    return "; ".join(
        f"{a.backend} ({a.reason}{f', HTTP {a.status}' if a.status else ''}): {a.message}"
        for a in attempts
    )


def _check_file(task: str, item: Upload) -> None:
    if len(item.data) > MAX_FILE_BYTES:
        raise ValueError(_too_big(item.name, len(item.data)))
    if not item.data:
        raise ValueError(f"{item.name} is empty (0 bytes)")
    suffix = item.suffix
    if task in IMAGE_TASKS:
        allowed, kind = _IMAGE_SUFFIXES, "an image"
    elif task in AUDIO_TASKS:
        allowed, kind = _AUDIO_SUFFIXES, "an audio file"
    else:
        raise ValueError(f"{task} takes text, not a file ({item.name})")
    if suffix not in allowed:
        raise ValueError(
            f"unsupported file type {suffix or '(no suffix)'!r} ({item.name}): {task} takes "
            f"{kind}: {', '.join(sorted(allowed))}"
        )


def prepare_input(task: str, item: Any, params: Mapping[str, Any] | None = None) -> Any:
    """``item`` checked for ``task`` and ready for a backend; ``ValueError`` says what is wrong.

    An :class:`Upload` becomes its bytes after its type is checked and its content decoded once
    (a corrupt image or audio file is refused here, before any model runs).
    """
    task = check_task(task)
    if isinstance(item, Upload):
        _check_file(task, item)
        decode = load_image if task in IMAGE_TASKS else load_audio
        try:
            decode(item.data)
        except ValueError as err:
            what = "image" if task in IMAGE_TASKS else "audio file"
            raise ValueError(f"{item.name} is not a readable {what}: {err}") from None
        item = item.data
    elif task in IMAGE_TASKS + AUDIO_TASKS and isinstance(item, (bytes, bytearray)):
        decode = load_image if task in IMAGE_TASKS else load_audio
        decode(bytes(item))
    try:
        check_inputs(task, [item], params=params)
    except ValueError as err:
        raise ValueError(str(err).replace("input 0 for ", "", 1)) from None
    return item


class PlaygroundSession:
    """Runs of one input on several models, kept as history rows (see the module docstring).

    >>> s = PlaygroundSession("text-classification", ["./tiny-model"])   # doctest: +SKIP
    >>> s.run("I loved it")      # one row per model
    >>> s.history                # every run so far

    Args:
        task: a task of ``hubwidgets.core.inference.backends.INFERENCE_TASKS``.
        models: 1 to :data:`MAX_MODELS` model ids or local folders.
        backend: anything with ``run``/``stream`` (default: a ``LocalBackend``).
        prices: ``{(provider, model): usd_per_call}``, or a :func:`hw.provider_prices` table
            ($ per 1M tokens), to fill ``cost_usd``; missing otherwise.
        params: parameters every call gets (e.g. ``max_new_tokens``); default: the task's
            :func:`hubwidgets.core.inference.samples.sample_params`.
        allow_denied: let the default backend load models the session's policy denies (see
            :func:`hw.use_policy`); otherwise a denied model's cell says why it was refused.

    For chat-completion the session keeps one conversation per model: each run adds the user's
    message and the model's reply (:meth:`reset_chat` forgets them).
    """

    def __init__(
        self,
        task: str,
        models: Sequence[str] | str,
        backend: Backend | None = None,
        *,
        prices: Mapping[tuple[str, str], float] | pd.DataFrame | None = None,
        params: Mapping[str, Any] | None = None,
        allow_denied: bool = False,
    ) -> None:
        from .backends import make_backend  # noqa: PLC0415
        from .samples import sample_params  # noqa: PLC0415

        self.task = check_task(task)
        from ..workflows.ensemble import route  # noqa: PLC0415 - hw.Ensemble objects as models

        models, routed = route(models, backend, allow_denied=allow_denied)
        if routed is not backend:
            backend, allow_denied = routed, False
        self.models = check_models(models)
        if backend is None:
            backend = make_backend("local", allow_denied=allow_denied)
        elif allow_denied:
            raise ValueError(
                "allow_denied=True applies to the default backend: with your own backend, set "
                "it there instead, e.g. LocalBackend(allow_denied=True)"
            )
        self.backend: Backend = backend
        self.prices: Any = prices if isinstance(prices, pd.DataFrame) else dict(prices or {})
        #: the soft budget's warning about the last run ("" when none)
        self.budget_warning = ""
        self._predicted: dict[str, float] = {}
        self.params = dict(sample_params(self.task) if params is None else params)
        self.conversations: dict[str, list[dict[str, Any]]] = {}
        self._rows: list[dict[str, Any]] = []
        self._runs = 0
        self._lock = threading.Lock()
        self._summary = ""  # the input of the current run, summarized

    def __repr__(self) -> str:
        return f"PlaygroundSession({self.task!r}, {self.models!r}, runs={self._runs})"

    @property
    def history(self) -> pd.DataFrame:
        """Every run so far, one row per model per run (:data:`HISTORY_COLUMNS`)."""
        with self._lock:
            return history_frame(list(self._rows))

    @property
    def runs(self) -> int:
        """How many runs have started so far (the ``run`` of the last one)."""
        return self._runs

    def reset_chat(self) -> None:
        """Forget the chat conversations (chat-completion)."""
        self.conversations.clear()

    # -- running ---------------------------------------------------------------------------------
    def run(self, inputs: Any, **params: Any) -> pd.DataFrame:
        """Run ``inputs`` (one item) on every model; the new history rows. Never raises for a
        bad input or a failing model: the row's ``error`` says what happened."""
        return history_frame([c.row for c in self.iter_run(inputs, **params)])

    def iter_run(self, inputs: Any, **params: Any) -> Iterator[Cell]:
        """Like :meth:`run`, one :class:`Cell` per model as each finishes."""
        self.check_budget(inputs, **params)
        run, item, problem = self._start(inputs, params)
        merged = {**self.params, **params}
        for model in self.models:
            if problem:
                cell = self._failed(run, model, item, problem)
            else:
                cell = self._run_one(run, model, item, merged)
            self._keep(cell)
            yield cell

    def stream(
        self, inputs: Any, *, stop: threading.Event | None = None, **params: Any
    ) -> Iterator[StreamEvent]:
        """Stream ``inputs`` through every model in turn (text-generation, chat-completion):
        ``StreamEvent(model, index, piece)`` as the text comes, then one with the finished
        ``cell`` (kept in the history) per model. Setting ``stop`` ends the current model's
        generation early (its row keeps the partial text, output ``"stopped": true``) and skips
        the models after it. Other tasks yield only the finished cells."""
        stop = stop or threading.Event()
        if self.task not in STREAMING_TASKS:
            for k, cell in enumerate(self.iter_run(inputs, **params)):
                yield StreamEvent(cell.model, k, cell=cell)
            return
        self.check_budget(inputs, **params)
        run, item, problem = self._start(inputs, params)
        merged = {**self.params, **params}
        for k, model in enumerate(self.models):
            if problem or stop.is_set():
                why = problem or "stopped before this model ran"
                cell = self._failed(run, model, item, why)
            else:
                cell = yield from self._stream_one(run, k, model, item, merged, stop)
            self._keep(cell)
            yield StreamEvent(model, k, cell=cell)

    # -- internals -------------------------------------------------------------------------------
    def check_budget(self, inputs: Any, **params: Any) -> str:
        """Predict the cost of running ``inputs`` on every model and check it against the active
        budget (:func:`hw.use_budget`); what :meth:`run` does first. Returns the soft budget's
        warning ("" when none, also kept in :attr:`budget_warning`).

        Raises:
            BudgetExceededError: a hard budget that the run would pass, or whose cost cannot be
                predicted (no price, no token count).
        """
        from ..cost.budget import active_budget  # noqa: PLC0415
        from ..cost.meter import may_call_remote, predict_call, provider_of  # noqa: PLC0415

        self.budget_warning = ""
        self._predicted = {}
        budget = active_budget()
        if budget is None or not may_call_remote(self.backend):
            return ""
        provider = provider_of(self.backend)
        merged = {**self.params, **params}
        total: float | None = 0.0
        for model in self.models:
            item = self._conversation(model, inputs)
            cost, _ = predict_call(self.prices, provider, model, self.task, item, merged)
            if cost is None or total is None:
                total = None
                continue
            self._predicted[model] = cost
            total += cost
        what = f"this run of {len(self.models)} model(s)"
        self.budget_warning = budget.check(total, what) or ""
        return self.budget_warning

    def _start(self, inputs: Any, params: Mapping[str, Any]) -> tuple[int, Any, str]:
        with self._lock:
            self._runs += 1
            run = self._runs
        self._summary = _input_text(inputs)
        try:
            item = prepare_input(self.task, inputs, {**self.params, **params})
        except (ValueError, TypeError) as err:
            return run, inputs, str(err)
        return run, item, ""

    def _conversation(self, model: str, item: Any) -> Any:
        if self.task != "chat-completion":
            return item
        new = [{"role": "user", "content": item}] if isinstance(item, str) else list(item)
        return [*self.conversations.get(model, []), *new]

    def _remember(self, model: str, item: Any, reply: str) -> None:
        if self.task == "chat-completion":
            self.conversations[model] = [
                *self._conversation(model, item),
                {"role": "assistant", "content": reply},
            ]

    def _run_one(self, run: int, model: str, item: Any, params: dict[str, Any]) -> Cell:
        try:
            result = self.backend.run(self.task, model, self._conversation(model, item), **params)
        except (BackendError, ValueError, TypeError) as err:
            attempts = _attempts_of(err)
            return self._failed(run, model, item, _error_text(err), attempts=attempts)
        except Exception as err:  # a backend bug must not sink the other models' cells
            return self._failed(run, model, item, f"{type(err).__name__}: {err}")
        output = result.outputs[0] if result.outputs else None
        if self.task == "chat-completion" and isinstance(output, Mapping):
            self._remember(model, item, str(output.get("content", "")))
        return Cell(model, self._row(run, model, item, result=result, output=output), output)

    def _stream_one(
        self,
        run: int,
        index: int,
        model: str,
        item: Any,
        params: dict[str, Any],
        stop: threading.Event,
    ) -> Generator[StreamEvent, None, Cell]:
        attempts: list[Attempt] = []
        conversation = self._conversation(model, item)
        started = time.perf_counter()
        first: float | None = None
        pieces: list[str] = []
        stopped = False
        try:
            served, stream = _open_stream(self.backend, self.task, model, conversation, params)
            attempts = served[1]
            for piece in stream:
                now = time.perf_counter()
                first = now if first is None else first
                pieces.append(piece)
                yield StreamEvent(model, index, piece, at=now)
                if stop.is_set():
                    stopped = True
                    close = getattr(stream, "close", None)
                    if callable(close):
                        close()
                    break
        except (BackendError, ValueError, TypeError) as err:
            attempts = [*attempts, *_attempts_of(err)]
            return self._failed(run, model, item, _error_text(err), attempts=attempts)
        except Exception as err:
            return self._failed(run, model, item, f"{type(err).__name__}: {err}")
        text = "".join(pieces)
        output: dict[str, Any] = (
            {"role": "assistant", "content": text}
            if self.task == "chat-completion"
            else {"generated_text": text}
        )
        if stopped:
            output["stopped"] = True
        self._remember(model, item, text)
        result = InferenceResult(
            task=self.task,
            model=model,
            outputs=[output],
            backend=served[0],
            # who served it, as a remote stream says once over (as the unstreamed result would)
            provider=getattr(stream, "provider", None) or served[2],
            latency_ms=(time.perf_counter() - started) * 1000,
            attempts=attempts,
            metrics={
                **({} if first is None else {"first_token_ms": (first - started) * 1000}),
                # the billed tokens, when the provider reported them in its chunks (remote)
                **(getattr(stream, "usage", None) or {}),
            },
        )
        row = self._row(run, model, item, result=result, output=output)
        return Cell(model, row, output, streamed=text)

    def _failed(
        self, run: int, model: str, item: Any, error: str, attempts: Sequence[Attempt] = ()
    ) -> Cell:
        row = self._row(run, model, item, error=error or "failed", attempts=attempts)
        return Cell(model, row)

    def _row(
        self,
        run: int,
        model: str,
        item: Any,
        *,
        result: InferenceResult | None = None,
        output: Any = None,
        error: str = "",
        attempts: Sequence[Attempt] = (),
    ) -> dict[str, Any]:
        backend = result.backend if result else ""
        provider = (result.provider or "") if result else ""
        price: float | None = None
        if result is not None and backend == "remote":
            from ..cost.meter import record_call  # noqa: PLC0415

            # the run's audit record (inference.playground) carries the cost: audit=False
            found = record_call(
                "playground",
                result,
                self.prices,
                predicted_usd=self._predicted.get(model),
                audit=False,
            )
            price = found[0] if found else None
        elif result is not None and isinstance(self.prices, Mapping):
            price = self.prices.get((provider, model))
        return {
            "time": pd.Timestamp.now(tz="UTC"),
            "run": run,
            "task": self.task,
            "model": model,
            "backend": backend,
            "provider": provider,
            "input": self._summary,
            "output": output_json(output) if result else "",
            "latency_ms": float(result.latency_ms) if result else math.nan,
            "error": error,
            "fell_back_from": fallback_note(result.attempts if result else attempts),
            "cost_usd": float(price) if price is not None else math.nan,
        }

    def _keep(self, cell: Cell) -> None:
        n = len(self.models)
        with self._lock:
            recent = self._rows[max(0, len(self._rows) - n + 1) :] if n > 1 else []
            run = [*(r for r in recent if r["run"] == cell.row["run"]), cell.row]
        if len(run) == n:  # the run's last cell: one audit record per run
            from ..registry.audit import audit_run  # noqa: PLC0415 - never raises

            # written before the cell shows in the history: once a user sees the run's last
            # cell, the run is over and a new one is not refused as "in progress"
            audit_run("inference.playground", task=self.task, rows=run, n_inputs=1)
        with self._lock:
            self._rows.append(cell.row)


def _input_text(item: Any) -> str:
    try:
        return summarize_input(item)
    except OSError:
        return describe_item(item)


def _error_text(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    return text.replace("input 0 for ", "", 1) if text.startswith("input 0 for ") else text


def _attempts_of(err: BaseException) -> list[Attempt]:
    found = getattr(err, "attempts", None)
    return list(found) if isinstance(found, list) else []


def _provider_of(backend: Any) -> str:
    for name in ("provider", "device"):
        value = getattr(backend, name, None)
        if isinstance(value, str):
            return value
    return ""


def _open_stream(
    backend: Any, task: str, model: str, item: Any, params: dict[str, Any]
) -> tuple[tuple[str, list[Attempt], str], Iterator[str]]:
    """The backend's stream, who served it and who failed before (a fallback chain's stream,
    :class:`~.backends.fallback.FallbackStream`, says; its error keeps the attempts)."""
    stream = iter(backend.stream(task, model, item, **params))
    served = getattr(stream, "served_by", backend)
    attempts = list(getattr(stream, "attempts", None) or [])
    return (str(served.name), attempts, _provider_of(served)), stream


def check_models(models: Sequence[str] | str) -> list[str]:
    """1 to :data:`MAX_MODELS` model ids, repeats dropped; ``ValueError`` otherwise."""
    if isinstance(models, (str, Path)):
        models = [str(models)]
    ids = list(dict.fromkeys(str(m) for m in models))
    if any(not m.strip() for m in ids):
        raise ValueError("a model id cannot be empty")
    if not ids:
        raise ValueError("give at least one model")
    if len(ids) > MAX_MODELS:
        raise ValueError(
            f"a playground runs at most {MAX_MODELS} models side by side, got {len(ids)}: "
            f"pick fewer (e.g. models[:{MAX_MODELS}])"
        )
    return ids


def history_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Rows as a history DataFrame with :data:`HISTORY_COLUMNS` and their dtypes."""
    frame = pd.DataFrame.from_records(list(rows), columns=list(HISTORY_COLUMNS))
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    frame["run"] = frame["run"].astype("int64")
    for column in ("latency_ms", "cost_usd"):
        frame[column] = frame[column].astype("float64")
    for column in ("task", "model", "backend", "provider", "input", "output", "error"):
        frame[column] = frame[column].astype("object")
    frame["fell_back_from"] = frame["fell_back_from"].astype("object")
    return frame


def run_strict(
    task: str,
    models: Sequence[str] | str,
    inputs: Any,
    backend: Backend | None = None,
    **params: Any,
) -> pd.DataFrame:
    """Run ``inputs`` on ``models`` once and return the rows; raises instead of recording errors.

    Raises:
        ValueError: the input is bad for ``task`` (empty, wrong file type, corrupt file...).
        hubwidgets.core.inference.backends.BackendError: a model failed (the first failure).
    """
    session = PlaygroundSession(task, models, backend)
    prepare_input(session.task, inputs, {**session.params, **params})
    rows = session.run(inputs, **params)
    failed = rows[rows["error"] != ""]
    if len(failed):
        first = failed.iloc[0]
        raise BackendError(f"{first['model']}: {first['error']}", reason="run")
    return rows
