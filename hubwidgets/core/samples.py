"""Built-in sample inputs per task, for trying a model or a benchmark before bringing your own.

The texts are written for this package; the images and sounds are drawn and synthesized here
(PIL, numpy), so nothing is downloaded and nothing binary is stored in the repository.
"""

from __future__ import annotations

import io
import math
from functools import cache
from typing import Any

from .backends._base import AUDIO_TASKS, IMAGE_TASKS, check_task

__all__ = ["sample_audio", "sample_image", "sample_inputs", "sample_labels", "sample_params"]

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


@cache
def sample_image(kind: str = "shapes", size: int = 224) -> bytes:
    """A PNG drawn here: "shapes" (a red disc and a blue square on white) or "stripes"."""
    from PIL import Image, ImageDraw  # noqa: PLC0415

    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    if kind == "stripes":
        for x in range(0, size, size // 8):
            draw.rectangle((x, 0, x + size // 16, size), fill=(30, 120, 60))
    else:
        draw.ellipse((size * 0.1, size * 0.1, size * 0.55, size * 0.55), fill=(220, 40, 40))
        draw.rectangle((size * 0.5, size * 0.5, size * 0.9, size * 0.9), fill=(40, 70, 200))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@cache
def sample_audio(seconds: float = 1.0, rate: int = 16_000, pitch: float = 440.0) -> bytes:
    """A WAV synthesized here: a tone at ``pitch`` Hz that fades in and out (16-bit mono)."""
    import wave  # noqa: PLC0415

    n = int(seconds * rate)
    frames = bytearray()
    for i in range(n):
        envelope = math.sin(math.pi * i / n)
        value = int(0.4 * 32767 * envelope * math.sin(2 * math.pi * pitch * i / rate))
        frames += value.to_bytes(2, "little", signed=True)
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(bytes(frames))
    return out.getvalue()


def sample_inputs(task: str) -> list[Any]:
    """A few inputs of the right kind for ``task`` (see ``hubwidgets.core.backends``)."""
    task = check_task(task)
    if task in IMAGE_TASKS:
        return [sample_image("shapes"), sample_image("stripes")]
    if task in AUDIO_TASKS:
        return [sample_audio(1.0, pitch=440.0), sample_audio(0.5, pitch=660.0)]
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
        return {"candidate_labels": ["a red disc", "green stripes", "a cat"]}
    if task in ("text-generation", "chat-completion"):
        return {"max_new_tokens": 20}
    return {}
