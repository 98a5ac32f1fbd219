"""Inference through ``huggingface_hub.InferenceClient``: Inference Providers or an endpoint.

:class:`RemoteBackend` makes one client call per input item and normalizes what the client
returns (its ``...OutputElement`` dataclasses, numpy arrays, PIL images, raw bytes) to the plain
shapes listed in :mod:`hubwidgets.core.inference.backends._base`. Every failure of the call itself
becomes
a :class:`BackendError` with a ``reason`` ("http", "timeout", "connection", "auth",
"unsupported") and, for HTTP replies, the ``status``; bad inputs stay ``ValueError``/``TypeError``
and are raised before any request is made.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ... import _redact
from ...cost.ledger import reply_tokens
from ._base import (
    AUDIO_TASKS,
    IMAGE_TASKS,
    STREAMING_TASKS,
    BackendError,
    InferenceResult,
    chat_messages,
    check_inputs,
    check_task,
    load_image,
    looks_like_path,
)

if TYPE_CHECKING:
    from huggingface_hub import InferenceClient

__all__ = ["RemoteBackend"]

#: Our task names -> the names ``huggingface_hub``'s provider helpers use.
_CLIENT_TASK = {"chat-completion": "conversational"}

_HOW_TO_AUTHENTICATE = (
    "Create a token at https://huggingface.co/settings/tokens (with the 'Make calls to Inference "
    "Providers' permission) and set it in the HF_TOKEN environment variable, run "
    "`hf auth login`, or pass RemoteBackend(token=...)."
)


class RemoteBackend:
    """Runs models remotely with ``huggingface_hub.InferenceClient``.

    ``provider`` is an Inference Provider ("hf-inference", "together", "fal-ai"...) or "auto"
    (the first provider the Hub lists for the model; server-side routing for chat).
    ``base_url`` points at a deployed endpoint (Inference Endpoint, TGI, vLLM...) instead; the
    ``model`` given to :meth:`run` is then only sent as the chat payload's ``model``.
    ``token`` defaults to the locally saved token / ``HF_TOKEN``. ``timeout`` is in seconds.
    """

    name = "remote"

    def __init__(
        self,
        provider: str = "auto",
        token: str | None = None,
        base_url: str | None = None,
        timeout: float | None = 30.0,
        *,
        bill_to: str | None = None,
    ) -> None:
        if not isinstance(provider, str) or not provider:
            raise TypeError(f"provider must be a provider name such as 'auto', not {provider!r}")
        if base_url is None and provider != "auto":
            _check_provider(provider)
        if timeout is not None and timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.provider = provider
        self.token = token
        _redact.remember(token)  # an error body echoing it is redacted (BackendError)
        self.base_url = base_url
        self.timeout = timeout
        self.bill_to = bill_to

    def __repr__(self) -> str:
        where = f"base_url={self.base_url!r}" if self.base_url else f"provider={self.provider!r}"
        return f"RemoteBackend({where}, timeout={self.timeout})"

    def _client(self) -> InferenceClient:
        from huggingface_hub import InferenceClient  # noqa: PLC0415

        return InferenceClient(
            provider=self.provider,  # type: ignore[arg-type]
            token=self.token,
            timeout=self.timeout,
            base_url=self.base_url,
            bill_to=self.bill_to,
        )

    # -- run -----------------------------------------------------------------------------------

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        """Run ``model`` on each item of ``inputs``; one client call per item."""
        task = check_task(task)
        items = check_inputs(task, inputs, params=params)
        self._check_model(model)
        call = _CALLS[task]
        prepared = [_prepare_item(task, item, i) for i, item in enumerate(items)]
        metrics: dict[str, float] = {}
        outputs: list[Any] = []
        elapsed = 0.0
        with self._client() as client:
            for item in prepared:
                start = time.perf_counter()
                once = partial(call, client, item, self._model(model, task), params)
                raw = self._guard(task, model, once)
                elapsed += time.perf_counter() - start
                output, tokens = _normalize(task, raw)
                if tokens is not None:
                    metrics["generated_tokens"] = metrics.get("generated_tokens", 0.0) + tokens
                # what the provider bills: input_tokens / output_tokens from the reply's usage
                for key, count in reply_tokens(raw).items():
                    metrics[key] = metrics.get(key, 0.0) + count
                outputs.append(output)
        return InferenceResult(
            task=task,
            model=model,
            outputs=outputs,
            backend=self.name,
            provider=self._served_by(task, model),
            latency_ms=elapsed * 1000.0,
            metrics=metrics,
        )

    def _check_model(self, model: str) -> None:
        """A local folder cannot run remotely: say so (a fallback chain then moves on)."""
        if not self.base_url and looks_like_path(model):
            raise BackendError(
                f"{model!r} is a local folder: remote inference needs a Hub model id such as "
                "'org/name' (or base_url= an endpoint)",
                backend=self.name,
                reason="unsupported",
            )

    def _model(self, model: str, task: str = "") -> str | None:
        # With base_url the client routes on its own URL and a per-call model would override it;
        # chat is the exception: there the model only names what goes in the payload.
        return None if self.base_url and task != "chat-completion" else model

    # -- stream --------------------------------------------------------------------------------

    def stream(self, task: str, model: str, inputs: Any, **params: Any) -> Iterator[str]:
        """Yield the generated text as it comes (text-generation, chat-completion; one item).

        Inputs are checked now; the request is made on the first ``next()``, and a failure
        before the first piece is a :class:`BackendError` like in :meth:`run`. Once the stream
        is over, its ``usage`` holds the billed ``input_tokens`` / ``output_tokens`` when the
        provider reported them in its chunks ({} otherwise), and its ``provider`` who served it
        (as :meth:`run`'s result would say).
        """
        task = check_task(task)
        if task not in STREAMING_TASKS:
            raise ValueError(f"{task} cannot stream; tasks that can: {', '.join(STREAMING_TASKS)}")
        items = check_inputs(task, inputs, params=params)
        if len(items) != 1:
            raise ValueError(f"stream takes one input item, got {len(items)}")
        self._check_model(model)
        usage: dict[str, float] = {}
        served_by = partial(self._served_by, task, model)  # asked once the stream has answered
        return _Stream(self._stream(task, model, items[0], params, usage), usage, served_by)

    def _stream(
        self, task: str, model: str, item: Any, params: dict[str, Any], usage: dict[str, float]
    ) -> Iterator[str]:
        client = self._client()
        try:
            if task == "chat-completion":
                pieces = self._guard(
                    task,
                    model,
                    lambda: iter(
                        client.chat_completion(
                            chat_messages(item), model=model, stream=True, **params
                        )
                    ),
                )
            else:
                pieces = self._guard(
                    task,
                    model,
                    lambda: iter(
                        client.text_generation(
                            item, model=self._model(model), stream=True, details=False, **params
                        )
                    ),
                )
            while True:
                chunk = self._guard(task, model, lambda: next(pieces, None))
                if chunk is None:
                    return
                usage.update(reply_tokens(chunk))  # the last chunk that has them: the totals
                text = _delta_text(chunk)
                if text:
                    yield text
        finally:
            client.close()

    # -- errors and provenance -------------------------------------------------------------------

    def _guard(self, task: str, model: str, fn: Callable[[], Any]) -> Any:
        """``fn()``, with the client's failures turned into :class:`BackendError`."""
        try:
            return fn()
        except BackendError:
            raise
        except Exception as exc:
            error = _backend_error(exc, task=task, model=model, where=self._where())
            if error is None:
                raise
            raise error from exc

    def _where(self) -> str:
        return self.base_url or f"provider {self.provider!r}"

    def _served_by(self, task: str, model: str) -> str:
        if self.base_url:
            return "endpoint"
        if self.provider != "auto" or task == "chat-completion":
            return self.provider  # chat "auto" is routed server-side; the reply does not say
        try:
            from huggingface_hub.inference._providers import get_provider_helper  # noqa: PLC0415

            # the mapping is cached by the client's own call: no second request
            return str(get_provider_helper("auto", _CLIENT_TASK.get(task, task), model).provider)
        except Exception:  # provenance is best effort: the call itself already served
            return self.provider


def _check_provider(provider: str) -> None:
    from huggingface_hub.inference._providers import PROVIDERS  # noqa: PLC0415

    if provider not in PROVIDERS:
        from hubwidgets.core.catalog.vocab import close_matches  # noqa: PLC0415

        near = close_matches(provider, list(PROVIDERS))
        hint = f" Did you mean {', '.join(map(repr, near))}?" if near else ""
        raise ValueError(
            f"unknown inference provider {provider!r}.{hint} This huggingface_hub knows: "
            f"'auto', {', '.join(map(repr, PROVIDERS))}"
        )


# -----------------------------------------------------------------------------------------------
# Errors
# -----------------------------------------------------------------------------------------------


def _http_status(exc: BaseException) -> tuple[int, str] | None:
    """(status, what the server said) when ``exc`` (or what caused it) is an HTTP reply."""
    from huggingface_hub.errors import HfHubHTTPError  # noqa: PLC0415

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, HfHubHTTPError) and seen.response is not None:
            said = seen.server_message or ""
            if not said:
                try:
                    said = seen.response.text.strip()
                except Exception:  # a streamed body may be unread
                    said = ""
            if seen is not exc:  # text-generation errors carry the parsed server message
                said = str(exc) or said
            # server text enters here: redacted, without escape codes, one line
            return seen.response.status_code, _redact.clean(said, limit=500)
        seen = seen.__cause__
    return None


def _backend_error(  # noqa: PLR0911
    exc: BaseException, *, task: str, model: str, where: str
) -> BackendError | None:
    import httpx2  # noqa: PLC0415
    from huggingface_hub.errors import InferenceTimeoutError, OfflineModeIsEnabled  # noqa: PLC0415

    head = f"remote {task} with {model!r} ({where})"
    http = _http_status(exc)
    if http is not None:
        status, said = http
        return BackendError(
            f"{head}: {_explain_status(status)}" + (f" Server said: {said}" if said else ""),
            backend="remote",
            reason="http",
            status=status,
        )
    if isinstance(exc, (InferenceTimeoutError, httpx2.TimeoutException, TimeoutError)):
        return BackendError(
            f"{head}: no answer in time ({exc})", backend="remote", reason="timeout"
        )
    if isinstance(exc, OfflineModeIsEnabled):
        return BackendError(f"{head}: {exc}", backend="remote", reason="connection")
    if isinstance(exc, (httpx2.TransportError, ConnectionError)):
        return BackendError(
            f"{head}: could not connect ({type(exc).__name__}: {exc})",
            backend="remote",
            reason="connection",
        )
    if isinstance(exc, ValueError):
        text = str(exc)
        if "api_key" in text or "non-Hugging Face API key" in text:
            return BackendError(
                f"{head}: no token. {_HOW_TO_AUTHENTICATE}", backend="remote", reason="auth"
            )
        if any(hint in text for hint in _UNSUPPORTED_HINTS):
            # huggingface_hub's routing: the provider does not serve this model or task
            return BackendError(f"{head}: {text}", backend="remote", reason="unsupported")
        # anything else the client raises after the request is a reply it could not read
        return BackendError(
            f"{head}: the reply could not be read ({text[:300]})",
            backend="remote",
            reason="response",
        )
    return None


#: What huggingface_hub's ValueErrors say when a provider does not serve a model or task.
_UNSUPPORTED_HINTS = (
    "not supported",
    "No provider mapping",
    "doesn't support",
    "Please provide an HF model ID",
    "no recommended model",
    "not served via TGI",
)


def _explain_status(status: int) -> str:
    if status == 401:
        return f"HTTP 401: the token is missing or invalid. {_HOW_TO_AUTHENTICATE}"
    if status == 403:
        return "HTTP 403: the token may not call this provider or model (check its permissions)."
    if status == 404:
        return "HTTP 404: the model is not served there (check the model id and the provider)."
    if status == 429:
        return "HTTP 429: rate limited; wait a little, or use another provider or a local backend."
    if status >= 500:
        return f"HTTP {status}: the provider is down or overloaded; try again later or elsewhere."
    return f"HTTP {status}: the server rejected the request."


# -----------------------------------------------------------------------------------------------
# Inputs
# -----------------------------------------------------------------------------------------------


def _prepare_item(task: str, item: Any, index: int) -> Any:
    """What the client is given for one checked item (images checked readable, audio as bytes)."""
    if task in IMAGE_TASKS:
        if isinstance(item, (bytes, bytearray)):
            load_image(item, index)  # a corrupt image is bad input, not a provider failure
            return bytes(item)
        if isinstance(item, (str, Path)):
            load_image(item, index)
            return Path(item)
        buffer = io.BytesIO()
        load_image(item, index).save(buffer, format="PNG")
        return buffer.getvalue()
    if task in AUDIO_TASKS:
        if isinstance(item, Mapping):
            return _wav_bytes(item, index)
        return bytes(item) if isinstance(item, (bytes, bytearray)) else Path(item)
    return item


def _wav_bytes(item: Mapping[str, Any], index: int) -> bytes:
    import soundfile  # noqa: PLC0415

    from ._base import load_audio  # noqa: PLC0415

    audio = load_audio(item, index)
    buffer = io.BytesIO()
    soundfile.write(buffer, audio["array"], audio["sampling_rate"], format="WAV")
    return buffer.getvalue()


# -----------------------------------------------------------------------------------------------
# Calls: one per task, (client, item, model, params) -> what the client returned
# -----------------------------------------------------------------------------------------------

_Call = Callable[["InferenceClient", Any, "str | None", dict[str, Any]], Any]


def _text_generation(c: InferenceClient, item: Any, model: str | None, p: dict[str, Any]) -> Any:
    params = {"details": True, "return_full_text": False, **p}
    return c.text_generation(item, model=model, stream=False, **params)


def _chat(c: InferenceClient, item: Any, model: str | None, p: dict[str, Any]) -> Any:
    return c.chat_completion(chat_messages(item), model=model, stream=False, **p)


_CALLS: dict[str, _Call] = {
    "text-classification": lambda c, x, m, p: c.text_classification(x, model=m, **p),
    "token-classification": lambda c, x, m, p: c.token_classification(x, model=m, **p),
    "zero-shot-classification": lambda c, x, m, p: c.zero_shot_classification(x, model=m, **p),
    "fill-mask": lambda c, x, m, p: c.fill_mask(x, model=m, **p),
    "question-answering": lambda c, x, m, p: c.question_answering(
        x["question"], x["context"], model=m, **p
    ),
    "summarization": lambda c, x, m, p: c.summarization(x, model=m, **p),
    "translation": lambda c, x, m, p: c.translation(x, model=m, **p),
    "text-generation": _text_generation,
    "chat-completion": _chat,
    "feature-extraction": lambda c, x, m, p: c.feature_extraction(x, model=m, **p),
    "sentence-similarity": lambda c, x, m, p: c.sentence_similarity(
        x["source_sentence"], list(x["sentences"]), model=m, **p
    ),
    "image-classification": lambda c, x, m, p: c.image_classification(x, model=m, **p),
    "object-detection": lambda c, x, m, p: c.object_detection(x, model=m, **p),
    "image-segmentation": lambda c, x, m, p: c.image_segmentation(x, model=m, **p),
    "image-to-text": lambda c, x, m, p: c.image_to_text(x, model=m, **p),
    "zero-shot-image-classification": lambda c, x, m, p: c.zero_shot_image_classification(
        x, model=m, **p
    ),
    "automatic-speech-recognition": lambda c, x, m, p: c.automatic_speech_recognition(
        x, model=m, **p
    ),
    "audio-classification": lambda c, x, m, p: c.audio_classification(x, model=m, **p),
    "text-to-speech": lambda c, x, m, p: c.text_to_speech(x, model=m, **p),
    "text-to-image": lambda c, x, m, p: c.text_to_image(x, model=m, **p),
}


# -----------------------------------------------------------------------------------------------
# Outputs
# -----------------------------------------------------------------------------------------------


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _scored(elements: Any) -> list[dict[str, Any]]:
    out = [{"label": str(_get(e, "label")), "score": float(_get(e, "score"))} for e in elements]
    return sorted(out, key=lambda d: -d["score"])


def _one(value: Any) -> Any:
    """The first element when the client handed back a list for one item."""
    return value[0] if isinstance(value, list) and value else value


def _normalize(task: str, raw: Any) -> tuple[Any, float | None]:  # noqa: C901, PLR0911, PLR0912
    """(the normalized output of one item, generated token count when the reply says)."""
    if task in (
        "text-classification",
        "zero-shot-classification",
        "image-classification",
        "zero-shot-image-classification",
        "audio-classification",
    ):
        return _scored(raw), None
    if task == "token-classification":
        return [
            {
                "entity_group": str(_get(e, "entity_group") or _get(e, "entity")),
                "score": float(_get(e, "score")),
                "word": str(_get(e, "word")),
                "start": _int(_get(e, "start")),
                "end": _int(_get(e, "end")),
            }
            for e in raw
        ], None
    if task == "fill-mask":
        return [
            {
                "sequence": str(_get(e, "sequence")),
                "score": float(_get(e, "score")),
                "token": _int(_get(e, "token")),
                "token_str": _get(e, "token_str"),
            }
            for e in raw
        ], None
    if task == "question-answering":
        elements = raw if isinstance(raw, list) else [raw]
        return [
            {
                "answer": str(_get(e, "answer")),
                "score": float(_get(e, "score")),
                "start": _int(_get(e, "start")),
                "end": _int(_get(e, "end")),
            }
            for e in elements
        ], None
    if task == "summarization":
        return {"summary_text": str(_get(_one(raw), "summary_text"))}, None
    if task == "translation":
        return {"translation_text": str(_get(_one(raw), "translation_text"))}, None
    if task == "text-generation":
        if isinstance(raw, str):
            return {"generated_text": raw}, None
        details = _get(raw, "details")
        return (
            {"generated_text": str(_get(raw, "generated_text"))},
            _float(_get(details, "generated_tokens")),
        )
    if task == "chat-completion":
        message = _get(_get(raw, "choices")[0], "message")
        usage = _get(raw, "usage")
        return (
            {
                "role": str(_get(message, "role") or "assistant"),
                "content": _get(message, "content") or "",
            },
            _float(_get(usage, "completion_tokens")),
        )
    if task == "feature-extraction":
        return _embedding(raw), None
    if task == "sentence-similarity":
        return [float(x) for x in raw], None
    if task == "object-detection":
        return [
            {
                "label": str(_get(e, "label")),
                "score": float(_get(e, "score")),
                "box": {k: _int(_get(_get(e, "box"), k)) for k in ("xmin", "ymin", "xmax", "ymax")},
            }
            for e in raw
        ], None
    if task == "image-segmentation":
        return [
            {
                "label": str(_get(e, "label")),
                "score": _float(_get(e, "score")),
                "mask": _mask_b64(_get(e, "mask")),
            }
            for e in raw
        ], None
    if task == "image-to-text":
        text = _get(_one(raw), "generated_text")
        return {"generated_text": str(_one(text))}, None
    if task == "automatic-speech-recognition":
        return _transcript(raw), None
    if task == "text-to-speech":
        return _speech(raw), None
    if task == "text-to-image":
        buffer = io.BytesIO()
        raw.save(buffer, format="PNG")
        return {"image": buffer.getvalue()}, None
    raise AssertionError(f"no normalizer for {task}")  # pragma: no cover -- _CALLS has them all


def _mask_b64(mask: Any) -> str | None:
    """The mask as a base64 PNG string (huggingface_hub >= 1.0 hands back a decoded PIL image)."""
    if mask is None or isinstance(mask, str):
        return mask
    import base64  # noqa: PLC0415

    buffer = io.BytesIO()
    mask.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _embedding(raw: Any) -> Any:
    """Tokens x dims, or one pooled vector; the batch axis of one text is dropped."""
    import numpy as np  # noqa: PLC0415

    array = np.asarray(raw, dtype=float)
    while array.ndim > 1 and array.shape[0] == 1:
        array = array[0]
    return array.tolist()


def _transcript(raw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"text": str(_get(raw, "text"))}
    chunks = _get(raw, "chunks")
    if chunks:
        out["chunks"] = [
            {
                "text": str(_get(c, "text")),
                "timestamp": [_float(t) for t in (_get(c, "timestamp") or [])],
            }
            for c in chunks
        ]
    return out


def _speech(raw: bytes) -> dict[str, Any]:
    """WAV bytes and their rate.

    Audio libsndfile cannot decode whole (e.g. a streamed FLAC of unknown length) is kept as the
    provider sent it, with the rate read from its header, or ``None`` when even that is unknown.
    """
    import soundfile  # noqa: PLC0415

    if raw[:4] == b"RIFF":
        try:
            return {"audio": raw, "sampling_rate": int(soundfile.info(io.BytesIO(raw)).samplerate)}
        except (RuntimeError, ValueError, OSError):
            return {"audio": raw, "sampling_rate": None}
    try:
        array, rate = soundfile.read(io.BytesIO(raw), dtype="float32")
    except (RuntimeError, ValueError, OSError):
        try:
            rate = soundfile.info(io.BytesIO(raw)).samplerate
        except (RuntimeError, ValueError, OSError):
            return {"audio": raw, "sampling_rate": None}
        return {"audio": raw, "sampling_rate": int(rate)}
    buffer = io.BytesIO()
    soundfile.write(buffer, array, rate, format="WAV")
    return {"audio": buffer.getvalue(), "sampling_rate": int(rate)}


def _delta_text(chunk: Any) -> str:
    """The text of one streamed piece (a text-generation token or a chat delta)."""
    if isinstance(chunk, str):
        return chunk
    choices = _get(chunk, "choices") or []
    if not choices:
        return ""
    return str(_get(_get(choices[0], "delta"), "content") or "")


class _Stream:
    """A stream's text pieces, (``usage``) the billed tokens its chunks reported, and
    (``provider``) who served it."""

    def __init__(
        self, pieces: Iterator[str], usage: dict[str, float], served_by: Callable[[], str]
    ) -> None:
        self._pieces = pieces
        self.usage = usage
        self._served_by = served_by
        self._provider: str | None = None

    @property
    def provider(self) -> str:
        """Who served the stream (best read once it has answered: "auto" is resolved then)."""
        if self._provider is None:
            self._provider = self._served_by()
        return self._provider

    def __iter__(self) -> _Stream:
        return self

    def __next__(self) -> str:
        return next(self._pieces)

    def close(self) -> None:
        close = getattr(self._pieces, "close", None)
        if callable(close):
            close()
