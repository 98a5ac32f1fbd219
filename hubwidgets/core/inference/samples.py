"""Built-in sample inputs per task, for trying a model or a benchmark before bringing your own,
and reading the inputs people bring (:func:`given_inputs`, :func:`uploaded_inputs`).

The texts are written for this package; the images and sounds are drawn and synthesized here
(numpy, zlib, wave), so nothing is downloaded and nothing binary is stored in the repository.
"""

from __future__ import annotations

import io
import json
import struct
import wave
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from .backends._base import AUDIO_TASKS, IMAGE_TASKS, check_task

__all__ = [
    "IMAGE_KINDS",
    "SOUND_KINDS",
    "Inputs",
    "given_inputs",
    "per_input",
    "sample_audio",
    "sample_image",
    "sample_inputs",
    "sample_labels",
    "sample_params",
    "uploaded_inputs",
]

_SENTENCES = [
    "I loved this film: the acting was superb and the ending made me smile.",
    "The service was slow and the food arrived cold. Never again.",
    "Ada Lovelace worked with Charles Babbage in London on the Analytical Engine.",
    "The new library opens on Monday and will stay open late on weekdays.",
    "What a wonderful surprise, thank you so much!",
    "The battery died after two hours, which is really disappointing.",
]

_LABELS = ["positive", "negative", "neutral", "neutral", "positive", "negative"]

_SUMMARIZE = [
    "The Hugging Face Hub hosts millions of machine learning models, data sets and demo "
    "applications. Researchers publish their work there, companies share production models, and "
    "students learn by trying models in the browser. Each model has a card that describes how it "
    "was trained, what it is good at and where it fails, and a licence that says how it may be "
    "used."
]

_QA = [
    {
        "question": "Where did Ada Lovelace work with Charles Babbage?",
        "context": "Ada Lovelace worked with Charles Babbage in London on the Analytical Engine.",
    },
    {
        "question": "When does the library open?",
        "context": "The new library opens on Monday and will stay open late on weekdays.",
    },
]
_QA_ANSWERS = ["London", "Monday"]

_SIMILARITY = [
    {
        "source_sentence": "A man is eating food.",
        "sentences": [
            "A man is eating a piece of bread.",
            "A woman is playing the violin.",
            "The stock market fell sharply today.",
        ],
    }
]

_PROMPTS = ["Once upon a time, in a small village by the sea,", "The three most useful tips are"]

_CHAT = [[{"role": "user", "content": "Give me three ideas for a rainy Sunday afternoon."}]]

_MASK = ["Paris is the [MASK] of France.", "The cat sat on the [MASK]."]

_TRANSLATE = ["The weather is lovely today.", "Where is the train station?"]

_IMAGE_PROMPTS = ["A watercolour painting of a lighthouse at sunrise"]

_SPEAK = ["Hello! This sentence was read aloud by a model."]


def _png(rgb: np.ndarray[Any, np.dtype[np.uint8]]) -> bytes:
    """A PNG file's bytes (8-bit RGB, height x width x 3), written with zlib: no imaging library."""
    height, width = rgb.shape[:2]

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + rgb[y].tobytes() for y in range(height))  # filter 0 per row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


#: The pictures :func:`sample_image` draws.
IMAGE_KINDS = ("disc", "stripes", "checkerboard", "gradient")


@cache
def sample_image(kind: str = "disc", size: int = 64) -> bytes:
    """A PNG drawn here (no file, no download): a disc, stripes, a checkerboard or a gradient."""
    if kind not in IMAGE_KINDS:
        raise ValueError(f"unknown sample image {kind!r}: choose one of {', '.join(IMAGE_KINDS)}")
    y, x = np.mgrid[0:size, 0:size]
    if kind == "gradient":
        channel = (x * 255 // max(size - 1, 1)).astype(np.uint8)
        rgb = np.stack([channel, channel[::-1], np.full_like(channel, 128)], axis=-1)
    else:
        value = {
            "disc": np.where(
                ((x - size / 2) ** 2 + (y - size / 2) ** 2) < (size / 3) ** 2, 220, 30
            ),
            "stripes": np.where((x // 8) % 2 == 0, 200, 40),
            "checkerboard": np.where(((x // 8) + (y // 8)) % 2 == 0, 250, 10),
        }[kind]
        rgb = np.stack([value, value // 2, 255 - value], axis=-1)
    return _png(np.ascontiguousarray(rgb, dtype=np.uint8))


#: The sounds :func:`sample_audio` synthesizes.
SOUND_KINDS = ("tone", "chord", "sweep")


@cache
def sample_audio(kind: str = "tone", seconds: float = 1.0, rate: int = 16_000) -> bytes:
    """A mono 16-bit WAV synthesized here: a 440 Hz tone, a C major chord or a rising sweep."""
    if kind not in SOUND_KINDS:
        raise ValueError(f"unknown sample sound {kind!r}: choose one of {', '.join(SOUND_KINDS)}")
    t = np.arange(int(seconds * rate)) / rate
    if kind == "tone":
        wave_ = 0.4 * np.sin(2 * np.pi * 440 * t)
    elif kind == "chord":
        wave_ = 0.2 * np.sin(2 * np.pi * np.outer((262, 330, 392), t)).sum(axis=0)
    else:
        wave_ = 0.4 * np.sin(2 * np.pi * (200 + 400 * t) * t)
    pcm = (np.clip(wave_, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(pcm)
    return out.getvalue()


def sample_inputs(task: str) -> list[Any]:
    """A few inputs of the right kind for ``task`` (see ``hubwidgets.core.inference.backends``)."""
    task = check_task(task)
    if task in IMAGE_TASKS:
        return [sample_image(kind) for kind in IMAGE_KINDS]
    if task in AUDIO_TASKS:
        return [sample_audio(kind) for kind in SOUND_KINDS]
    table: dict[str, list[Any]] = {
        "question-answering": _QA,
        "sentence-similarity": _SIMILARITY,
        "chat-completion": _CHAT,
        "text-generation": _PROMPTS,
        "fill-mask": _MASK,
        "summarization": _SUMMARIZE,
        "translation": _TRANSLATE,
        "text-to-image": _IMAGE_PROMPTS,
        "text-to-speech": _SPEAK,
    }
    return [dict(x) if isinstance(x, dict) else x for x in table.get(task, _SENTENCES)]


def sample_labels(task: str) -> list[str] | None:
    """Reference labels for :func:`sample_inputs` where quality can be scored, else None."""
    task = check_task(task)
    if task == "question-answering":
        return list(_QA_ANSWERS)
    if task in ("text-classification", "zero-shot-classification"):
        return list(_LABELS)
    return None


def sample_params(task: str) -> dict[str, Any]:
    """Parameters the task needs with :func:`sample_inputs` (zero-shot candidate labels)."""
    task = check_task(task)
    if task == "zero-shot-classification":
        return {"candidate_labels": ["positive", "negative", "neutral"]}
    if task == "zero-shot-image-classification":
        return {"candidate_labels": ["a disc", "stripes", "a checkerboard", "a gradient"]}
    if task in ("text-generation", "chat-completion"):
        return {"max_new_tokens": 20}
    return {}


# ---------------------------------------------------------------------------------------------
# the inputs people bring
# ---------------------------------------------------------------------------------------------


def given_inputs(inputs: Any) -> tuple[list[Any] | None, str]:
    """Inputs given from Python as a list, and words for where they come from.

    Accepts a list (or tuple, or array), a pandas Series (``df["text"]``), ``(DataFrame,
    column)``, or one item (a text, bytes, a dict). None gives ``(None, "")``.

    Raises:
        TypeError: a whole DataFrame, a column it does not have, or something else.
    """
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


def per_input(values: Any, name: str) -> list[Any] | None:
    """Values given one per input (``labels``, ``groups``) as a list; None stays None.

    Raises:
        TypeError: one text instead of a list.
    """
    if values is None:
        return None
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a list or a pandas Series, one per input")
    return values.tolist() if hasattr(values, "tolist") else list(values)


def uploaded_inputs(task: str, files: Sequence[tuple[str, bytes | memoryview]]) -> list[Any]:
    """The inputs in uploaded files, as ``task`` takes them.

    Image and audio files (and any file before a task is chosen) are one input each, as bytes.
    Otherwise a ``.json`` file holds a list of inputs (or one), a ``.jsonl`` file one per line,
    and any other file one text per non-empty line.

    Raises:
        ValueError: a JSON file that is not valid JSON, named with the line at fault.
    """
    if not task or task in IMAGE_TASKS or task in AUDIO_TASKS:
        return [bytes(data) for _name, data in files]
    items: list[Any] = []
    for name, data in files:
        text = bytes(data).decode("utf-8", errors="replace")
        lower = name.lower()
        if lower.endswith(".json"):
            loaded = _json(name, text, 0)
            items.extend(loaded if isinstance(loaded, list) else [loaded])
        elif lower.endswith(".jsonl"):
            lines = enumerate(text.splitlines())
            items.extend(_json(name, line, n) for n, line in lines if line.strip())
        else:
            items.extend(line.strip() for line in text.splitlines() if line.strip())
    return items


def _json(name: str, text: str, line: int) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(
            f"{name} is not valid JSON (line {line + err.lineno}: {err.msg}); "
            "fix it, or upload plain text, one input per line"
        ) from None


@dataclass
class Inputs:
    """The inputs a run can take, by source: ``"samples"`` (built in, per task), ``"column"``
    (given from Python, see :func:`given_inputs`) or ``"files"`` (uploaded, read as the task
    takes them by :func:`uploaded_inputs`)."""

    #: the inputs given from Python, or None
    given: list[Any] | None = None
    #: words for where :attr:`given` comes from ("column 'text'")
    label: str = ""
    #: uploaded files: (name, bytes)
    files: list[tuple[str, bytes]] = field(default_factory=list)

    def items(self, source: str, task: str) -> list[Any]:
        """The inputs of ``source`` for ``task`` (none for the samples before a task is chosen).

        Raises:
            ValueError: uploaded files the task cannot read (see :func:`uploaded_inputs`).
        """
        if source == "column":
            return list(self.given or [])
        if source == "files":
            return uploaded_inputs(task, self.files)
        return sample_inputs(task) if task else []

    def count(self, source: str, task: str) -> int:
        """How many inputs ``source`` holds for ``task`` (0 for files it cannot read)."""
        try:
            return len(self.items(source, task))
        except ValueError:
            return 0

    def missing(self, source: str) -> str:
        """What to do when ``source`` has nothing to run on, else ""."""
        if source == "column" and self.given is None:
            return "no inputs were given: pass inputs=df['text'], or use the samples or files"
        if source == "files" and not self.files:
            return "no files uploaded yet: choose some, or use the samples"
        return ""

    def describe(self, source: str, task: str) -> str:
        """The inputs of ``source`` in words: "4 inputs from column 'text'"."""
        n = self.count(source, task)
        if source == "samples":
            return f"{n} built-in samples" if task else "the built-in samples"
        if source == "column":
            return f"{n:,} inputs from {self.label or 'the given inputs'}"
        return f"{n:,} inputs from {len(self.files)} uploaded file(s)"

    def counts(self, task: str) -> dict[str, Any]:
        """What each source holds: ``{"samples", "column", "column_label", "files" (names),
        "file_items"}``."""
        return {
            "samples": self.count("samples", task),
            "column": len(self.given) if self.given is not None else 0,
            "column_label": self.label,
            "files": [name for name, _ in self.files],
            "file_items": self.count("files", task),
        }
