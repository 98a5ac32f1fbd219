"""What every inference backend shares: the task list, the input checks, the result type.

One interface, ``backend.run(task, model, inputs, **params) -> InferenceResult``:

- ``inputs`` is one item or a list of items; the result has one output per item, normalized to
  the Hub's task output schema (huggingface.js ``packages/tasks``; see :data:`OUTPUT_KINDS`).
- Item kinds by task (checked by :func:`check_inputs`, which names the index of a bad item):

  text tasks           ``str`` (non-empty)
  question-answering   ``{"question": str, "context": str}``
  sentence-similarity  ``{"source_sentence": str, "sentences": [str, ...]}``
  chat-completion      a conversation: ``[{"role": ..., "content": ...}, ...]`` (or a ``str``,
                       taken as one user message)
  image tasks          a path (``str``/``Path``) to an image file, ``bytes`` of one, or a
                       ``PIL.Image.Image``
  audio tasks          a path to an audio file, ``bytes`` of one, or
                       ``{"array": 1-D float numpy array, "sampling_rate": int}``

- Outputs, one per item (JSON-able except where binary):

  classification tasks (text, zero-shot, image, zero-shot-image, audio)
                       ``[{"label": str, "score": float}, ...]`` highest score first
  token-classification ``[{"entity_group": str, "score", "word", "start", "end"}, ...]``
  fill-mask            ``[{"sequence", "score", "token", "token_str"}, ...]``
  question-answering   ``[{"answer", "score", "start", "end"}, ...]``
  summarization        ``{"summary_text": str}``; translation ``{"translation_text": str}``
  text-generation      ``{"generated_text": str}`` (the new text only, not the prompt)
  chat-completion      ``{"role": "assistant", "content": str}`` (the reply message)
  feature-extraction   ``[[float, ...], ...]`` (tokens x dims) or ``[float, ...]`` (pooled)
  sentence-similarity  ``[float, ...]`` one score per sentence
  object-detection     ``[{"label", "score", "box": {"xmin", "ymin", "xmax", "ymax"}}, ...]``
  image-segmentation   ``[{"label", "score", "mask": base64 PNG str}, ...]``
  image-to-text        ``{"generated_text": str}``
  automatic-speech-recognition ``{"text": str, "chunks": [{"text", "timestamp": [s, e]}]?}``
  text-to-speech       ``{"audio": bytes (WAV), "sampling_rate": int}``
  text-to-image        ``{"image": bytes (PNG)}``
"""

from __future__ import annotations

import dataclasses
import io
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ... import _redact

__all__ = [
    "AUDIO_TASKS",
    "IMAGE_TASKS",
    "INFERENCE_TASKS",
    "STREAMING_TASKS",
    "TEXT_TASKS",
    "Attempt",
    "Backend",
    "BackendError",
    "InferenceResult",
    "PolicyError",
    "check_inputs",
    "check_task",
]

#: Tasks whose items are text.
TEXT_TASKS = (
    "text-classification",
    "token-classification",
    "zero-shot-classification",
    "fill-mask",
    "summarization",
    "translation",
    "text-generation",
    "feature-extraction",
    "text-to-speech",
    "text-to-image",
)
#: Tasks whose items are images.
IMAGE_TASKS = (
    "image-classification",
    "object-detection",
    "image-segmentation",
    "image-to-text",
    "zero-shot-image-classification",
)
#: Tasks whose items are audio.
AUDIO_TASKS = ("automatic-speech-recognition", "audio-classification")
#: Tasks whose items are structured (see the module docstring).
STRUCTURED_TASKS = ("question-answering", "sentence-similarity", "chat-completion")

#: Every task a backend may be asked for, in the order the docs list them.
INFERENCE_TASKS: tuple[str, ...] = TEXT_TASKS + IMAGE_TASKS + AUDIO_TASKS + STRUCTURED_TASKS

#: Tasks that can stream text as it is generated (``backend.stream``).
STREAMING_TASKS = ("text-generation", "chat-completion")

#: Tasks that need ``candidate_labels=[...]`` among the params.
NEEDS_CANDIDATE_LABELS = ("zero-shot-classification", "zero-shot-image-classification")

_IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm"}
)
_AUDIO_SUFFIXES = frozenset({".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif", ".au", ".opus"})


class BackendError(RuntimeError):
    """A backend could not serve a call (model not loadable, provider refused, timed out...).

    ``status`` is the HTTP status when a remote answered with one (401, 429, 503...), ``reason``
    a short word for what went wrong ("timeout", "connection", "http", "load", "run").

    The message is cleaned where it is made, since it carries server and library text into
    histories, benchmark results and widgets: tokens are redacted (a server's error body may
    echo the ``Authorization`` header) and terminal colour codes (torch's) are dropped.
    """

    def __init__(
        self, message: str, *, backend: str = "", reason: str = "run", status: int | None = None
    ) -> None:
        super().__init__(_redact.strip_ansi(_redact.redact(str(message))))
        self.backend = backend
        self.reason = reason
        self.status = status


class PolicyError(BackendError, PermissionError):
    """The team policy denies loading a model (``reason="policy"``): raised before anything of
    it is loaded. ``model`` is the model refused, ``verdict`` "deny", ``reasons`` the policy's
    reasons. Also a ``PermissionError``; a ``BackendError``, so a benchmark or a playground
    records it as that model's error and goes on with the others.
    """

    def __init__(
        self, message: str, *, model: str, reasons: Sequence[str], backend: str = ""
    ) -> None:
        super().__init__(message, backend=backend, reason="policy")
        self.model = model
        self.verdict = "deny"
        self.reasons = list(reasons)


@dataclass(frozen=True)
class Attempt:
    """One backend's failed try at a call, kept on the result that another backend served."""

    backend: str
    reason: str
    message: str
    status: int | None = None


@dataclass(slots=True)
class InferenceResult:
    """What ``backend.run`` returns.

    ``outputs`` has one normalized output per input item. ``latency_ms`` is the wall time of the
    call itself (model loading excluded, reported apart in ``load_ms`` on the call that loaded it).
    ``backend`` names who served it ("local", "remote"), ``provider`` the inference provider or
    device ("hf-inference", "cpu"...). ``attempts`` lists the backends that failed before it.
    """

    task: str
    model: str
    outputs: list[Any]
    backend: str
    provider: str | None = None
    latency_ms: float = math.nan
    load_ms: float | None = None
    model_sha: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    #: extra figures some tasks give: generated token counts, time to first token (ms)...
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def fell_back(self) -> bool:
        """Whether an earlier backend failed before this one served the call."""
        return bool(self.attempts)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@runtime_checkable
class Backend(Protocol):
    """The interface of :class:`LocalBackend`, :class:`RemoteBackend`, :class:`FallbackBackend`."""

    #: short name recorded on every result ("local", "remote", "fallback")
    name: str

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        """Run ``model`` on ``inputs`` (one item or a list of items) for ``task``."""
        ...

    def stream(self, task: str, model: str, inputs: Any, **params: Any) -> Iterator[str]:
        """Yield generated text as it comes (text-generation, chat-completion; one item)."""
        ...


def check_task(task: object) -> str:
    """``task`` if a backend can run it, else ``ValueError`` naming the ones it can."""
    if not isinstance(task, str):
        raise TypeError(f"task must be a string such as 'text-classification', not {task!r}")
    if task == "conversational":
        return "chat-completion"
    if task not in INFERENCE_TASKS:
        from hubwidgets.core.catalog.vocab import close_matches  # noqa: PLC0415

        near = close_matches(task, list(INFERENCE_TASKS))
        hint = f" Did you mean {', '.join(map(repr, near))}?" if near else ""
        raise ValueError(
            f"unknown task {task!r}.{hint} Tasks that can run: {', '.join(INFERENCE_TASKS)}"
        )
    return task


def as_list(inputs: Any) -> tuple[list[Any], bool]:
    """The items of ``inputs`` and whether it was a single item (so the caller can unwrap)."""
    if isinstance(inputs, (str, bytes, Path, Mapping)) or _is_image(inputs):
        return [inputs], True
    if hasattr(inputs, "tolist") and not isinstance(inputs, (list, tuple)):
        inputs = inputs.tolist()  # a pandas Series or numpy array of items
    if isinstance(inputs, (list, tuple)):
        # a chat conversation is a list of messages, i.e. one item
        if inputs and all(isinstance(m, Mapping) and "role" in m for m in inputs):
            return [list(inputs)], True
        return list(inputs), False
    return [inputs], True


def check_inputs(task: str, inputs: Any, *, params: Mapping[str, Any] | None = None) -> list[Any]:
    """The items of ``inputs``, checked for ``task``; ``ValueError`` names the first bad index.

    Files are checked to exist and to have a suffix of the task's kind; their content is read by
    the backend (a corrupt file is a ``ValueError`` from :func:`load_image` / :func:`load_audio`).
    """
    task = check_task(task)
    items = _plain_texts(task, inputs)
    if items is None:
        items = _checked_items(task, inputs)
    if task in NEEDS_CANDIDATE_LABELS:
        labels = (params or {}).get("candidate_labels")
        if not labels or isinstance(labels, str) or not all(isinstance(x, str) for x in labels):
            raise ValueError(
                f"{task} needs candidate_labels=[...]: a list of at least one label, e.g. "
                "candidate_labels=['positive', 'negative']"
            )
    return items


def _plain_texts(task: str, inputs: Any) -> list[str] | None:
    """``inputs`` if it is a non-empty list of ordinary texts for a text task, else None.

    The common case, on every call of a benchmark, checked cheaply; anything else goes through
    :func:`_checked_items`.
    """
    if type(inputs) is not list or not inputs or task not in TEXT_TASKS:
        return None
    for item in inputs:
        if type(item) is not str or not item.strip() or _looks_like_file(item):
            return None
    return inputs


def _checked_items(task: str, inputs: Any) -> list[Any]:
    items, _single = as_list(inputs)
    if not items:
        raise ValueError(f"no inputs given for {task}: pass at least one item")
    check = _CHECKS.get(task, _check_text)
    for i, item in enumerate(items):
        problem = check(item)
        if problem:
            raise ValueError(f"input {i} for {task}: {problem}")
    return items


def _check_text(item: Any) -> str | None:
    if isinstance(item, Path) or (isinstance(item, str) and _looks_like_file(item)):
        suffix = Path(item).suffix.lower()
        if suffix in _IMAGE_SUFFIXES or suffix in _AUDIO_SUFFIXES:
            return f"expected text, got the file path {str(item)!r}"
    if not isinstance(item, str):
        return f"expected text (a str), got {type(item).__name__}"
    if not item.strip():
        return "the text is empty"
    return None


def _looks_like_file(text: str) -> bool:
    # the cheap tests first: this runs on every text of every call
    return " " not in text and "\n" not in text and len(text) < 1024 and Path(text).suffix != ""


def _is_image(item: Any) -> bool:
    return type(item).__module__.startswith("PIL.") and hasattr(item, "convert")


def _check_image(item: Any) -> str | None:
    if _is_image(item) or isinstance(item, (bytes, bytearray)):
        return None
    if isinstance(item, (str, Path)):
        path = Path(item)
        if path.suffix.lower() in _AUDIO_SUFFIXES:
            return f"expected an image, got the audio file {str(item)!r}"
        if not path.is_file():
            return f"no image file at {str(item)!r}"
        return None
    return f"expected an image (a file path, bytes or a PIL image), got {type(item).__name__}"


def _check_audio(item: Any) -> str | None:  # noqa: PLR0911
    if isinstance(item, (bytes, bytearray)):
        return None
    if isinstance(item, Mapping):
        if "array" not in item or "sampling_rate" not in item:
            return "an audio dict needs 'array' and 'sampling_rate'"
        return None
    if isinstance(item, (str, Path)):
        path = Path(item)
        if path.suffix.lower() in _IMAGE_SUFFIXES:
            return f"expected audio, got the image file {str(item)!r}"
        if not path.is_file():
            return f"no audio file at {str(item)!r}"
        return None
    return (
        "expected audio (a file path, bytes, or {'array': ..., 'sampling_rate': ...}), "
        f"got {type(item).__name__}"
    )


def _check_qa(item: Any) -> str | None:
    if not isinstance(item, Mapping) or not {"question", "context"} <= set(item):
        return "expected {'question': str, 'context': str}"
    for key in ("question", "context"):
        if not isinstance(item[key], str) or not item[key].strip():
            return f"{key!r} must be non-empty text"
    return None


def _check_similarity(item: Any) -> str | None:
    if not isinstance(item, Mapping) or not {"source_sentence", "sentences"} <= set(item):
        return "expected {'source_sentence': str, 'sentences': [str, ...]}"
    sentences = item["sentences"]
    if not isinstance(item["source_sentence"], str) or not item["source_sentence"].strip():
        return "'source_sentence' must be non-empty text"
    if (
        isinstance(sentences, str)
        or not isinstance(sentences, Sequence)
        or not sentences
        or not all(isinstance(s, str) and s.strip() for s in sentences)
    ):
        return "'sentences' must be a non-empty list of non-empty texts"
    return None


def _check_chat(item: Any) -> str | None:
    if isinstance(item, str):
        return None if item.strip() else "the message is empty"
    if not isinstance(item, Sequence) or not item:
        return "expected a conversation: a list of {'role': ..., 'content': ...} messages"
    for j, message in enumerate(item):
        if not isinstance(message, Mapping) or "role" not in message or "content" not in message:
            return f"message {j} needs 'role' and 'content'"
    return None


_CHECKS = {
    **dict.fromkeys(IMAGE_TASKS, _check_image),
    **dict.fromkeys(AUDIO_TASKS, _check_audio),
    "question-answering": _check_qa,
    "sentence-similarity": _check_similarity,
    "chat-completion": _check_chat,
}


def looks_like_path(model: str) -> bool:
    """A repo id is ``name`` or ``owner/name``; anything else is meant as a local folder."""
    return (
        model.startswith(("/", ".", "~"))
        or "\\" in model
        or model.count("/") > 1
        or Path(model).exists()
    )


def chat_messages(item: Any) -> list[dict[str, Any]]:
    """A chat item as a list of messages (a bare string is one user message)."""
    if isinstance(item, str):
        return [{"role": "user", "content": item}]
    return [dict(m) for m in item]


def load_image(item: Any, index: int = 0) -> Any:
    """A ``PIL.Image.Image`` in RGB from a path, bytes or image; ``ValueError`` if unreadable."""
    from PIL import Image, UnidentifiedImageError  # noqa: PLC0415

    if _is_image(item):
        return item.convert("RGB")
    try:
        source = io.BytesIO(bytes(item)) if isinstance(item, (bytes, bytearray)) else item
        with Image.open(source) as image:
            image.load()
            return image.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        name = "the image bytes" if isinstance(item, (bytes, bytearray)) else repr(str(item))
        raise ValueError(f"input {index}: {name} is not a readable image ({exc})") from exc


def load_audio(item: Any, index: int = 0) -> dict[str, Any]:
    """``{"array": float32 mono array, "sampling_rate": int}``; ``ValueError`` if unreadable."""
    import numpy as np  # noqa: PLC0415

    if isinstance(item, Mapping):
        array = np.asarray(item["array"], dtype=np.float32)
        if array.ndim == 2:
            array = array.mean(axis=1)
        return {"array": array, "sampling_rate": int(item["sampling_rate"])}
    import soundfile  # noqa: PLC0415

    try:
        source = io.BytesIO(bytes(item)) if isinstance(item, (bytes, bytearray)) else str(item)
        array, rate = soundfile.read(source, dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError, OSError) as exc:
        name = "the audio bytes" if isinstance(item, (bytes, bytearray)) else repr(str(item))
        raise ValueError(f"input {index}: {name} is not a readable audio file ({exc})") from exc
    return {"array": array.mean(axis=1), "sampling_rate": int(rate)}


def describe_item(item: Any) -> str:  # noqa: PLR0911
    """A short human summary of one input item (for tables and error messages)."""
    if isinstance(item, str):
        return item if len(item) <= 80 else item[:77] + "..."
    if isinstance(item, Path):
        return item.name
    if isinstance(item, (bytes, bytearray)):
        return f"<{len(item):,} bytes>"
    if _is_image(item):
        return f"<image {item.size[0]}x{item.size[1]}>"
    if isinstance(item, Mapping):
        if "question" in item:
            return describe_item(str(item["question"]))
        if "source_sentence" in item:
            return describe_item(str(item["source_sentence"]))
        if "array" in item:
            seconds = len(item["array"]) / max(int(item["sampling_rate"]), 1)
            return f"<audio {seconds:.1f} s>"
    if isinstance(item, Sequence) and item and isinstance(item[-1], Mapping):
        return describe_item(str(item[-1].get("content", "")))
    return type(item).__name__
