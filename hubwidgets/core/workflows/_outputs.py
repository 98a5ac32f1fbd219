"""Backend outputs turned into tidy columns, one family of tasks at a time.

| task family                                             | columns              |
|---------------------------------------------------------|----------------------|
| classification (text, zero-shot, image, audio)          | ``label``, ``score`` |
| token-classification                                    | ``entities``         |
| text-generation, chat-completion, summarization,        | ``generated_text``   |
| translation, image-to-text                              |                      |
| automatic-speech-recognition                            | ``text``             |
| feature-extraction                                      | ``embedding``        |
| nearest-neighbors (a pipeline step searching a table)   | ``neighbors``,       |
|                                                         | ``nearest``,         |
|                                                         | ``similarity``       |
| anything else                                           | ``output`` (JSON)    |

Every result also has ``error`` ("" when the row ran) and ``latency_ms``.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

CLASSIFICATION_TASKS = (
    "text-classification",
    "zero-shot-classification",
    "image-classification",
    "zero-shot-image-classification",
    "audio-classification",
)
GENERATION_TASKS = (
    "text-generation",
    "chat-completion",
    "summarization",
    "translation",
    "image-to-text",
)
#: Tasks whose ``batch_size="auto"`` is 1: each item generates its own length of output, so
#: batching them pads every item to the longest and rarely pays on a CPU.
ONE_AT_A_TIME = (
    *GENERATION_TASKS,
    "automatic-speech-recognition",
    "text-to-speech",
    "text-to-image",
)

#: Columns every result has, after the task's own.
ALWAYS = ("error", "latency_ms")


def output_columns(task: str) -> tuple[str, ...]:  # noqa: PLR0911 - one per task family
    """The task's own output columns (without ``error`` and ``latency_ms``)."""
    if task in CLASSIFICATION_TASKS:
        return ("label", "score")
    if task == "token-classification":
        return ("entities",)
    if task in GENERATION_TASKS:
        return ("generated_text",)
    if task == "automatic-speech-recognition":
        return ("text",)
    if task == "feature-extraction":
        return ("embedding",)
    if task == "nearest-neighbors":
        return ("neighbors", "nearest", "similarity")
    return ("output",)


def empty_values(task: str) -> dict[str, Any]:
    """The values of a row that did not run (an error, a cancelled row)."""
    values: dict[str, Any] = dict.fromkeys(output_columns(task))
    for name in ("score", "similarity"):
        if name in values:
            values[name] = math.nan
    return values


def tidy(task: str, out: Any) -> dict[str, Any]:  # noqa: PLR0911 - one per task family
    """One backend output as the task's columns."""
    if task in CLASSIFICATION_TASKS:
        best = out[0] if out else {}
        return {"label": best.get("label"), "score": float(best.get("score", math.nan))}
    if task == "token-classification":
        return {"entities": [dict(e) for e in out]}
    if task in GENERATION_TASKS:
        return {"generated_text": _generated(out)}
    if task == "automatic-speech-recognition":
        return {"text": out.get("text") if isinstance(out, Mapping) else str(out)}
    if task == "feature-extraction":
        return {"embedding": pooled(out)}
    if task == "nearest-neighbors":
        return dict(out)  # already the step's fields (pipeline.TableSearch)
    return {"output": json.dumps(out, default=_jsonable)}


def _generated(out: Any) -> str | None:
    """The text of a generation-like output (generated, summary, translation, chat reply)."""
    if not isinstance(out, Mapping):
        return str(out)
    for key in ("generated_text", "summary_text", "translation_text", "content"):
        if key in out:
            return None if out[key] is None else str(out[key])
    return None


def pooled(out: Any) -> np.ndarray:
    """A fixed-size float32 vector: a pooled output as it is, token vectors averaged."""
    array = np.asarray(out, dtype=np.float32)
    while array.ndim > 1:
        array = array.mean(axis=0)
    return array


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return str(value)
