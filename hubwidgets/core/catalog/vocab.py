"""The Hub's vocabularies the package keeps its own copy of: pipeline tasks, libraries, languages.

The task and library lists are copied from huggingface.js (``packages/tasks``, MIT); see the
``source`` field of each JSON file in ``hubwidgets/core/data``.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["TASKS", "close_matches", "is_language_code", "libraries", "task_modality"]


@cache
def _load(name: str) -> dict[str, Any]:
    text = resources.files("hubwidgets.core").joinpath("data", name).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _tasks() -> dict[str, dict[str, str]]:
    return {t["task"]: t for t in _load("tasks.json")["tasks"]}


#: The Hub's pipeline tags (57 as of 2026-08), in the Hub's order.
TASKS: tuple[str, ...] = tuple(_tasks())


def task_modality(task: str) -> str | None:
    """The modality the Hub files a task under: nlp, cv, audio, multimodal, tabular, rl, other."""
    info = _tasks().get(task)
    return info["modality"] if info else None


def task_name(task: str) -> str | None:
    """The display name of a task, e.g. 'Text Classification'."""
    info = _tasks().get(task)
    return info["name"] if info else None


@cache
def libraries() -> frozenset[str]:
    """The Hub's model library ids (``library_name`` values)."""
    return frozenset(_load("libraries.json")["libraries"])


def close_matches(word: str, choices: tuple[str, ...] | list[str], n: int = 3) -> list[str]:
    """Up to ``n`` choices that look like ``word`` (for 'did you mean' messages)."""
    lowered = {c.lower(): c for c in choices}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=0.6)
    if not found:
        found = [c for c in lowered if word.lower() in c][:n]
    return [lowered[f] for f in found]


# ISO 639-1 codes: the Hub lists a model's languages as bare two-letter tags. Three-letter codes
# are only taken from card data, where they are explicit, because bare three-letter tags are
# often not languages (e.g. "gpt", "vit").
_ISO_639_1 = frozenset(
    [
        "aa",
        "ab",
        "ae",
        "af",
        "ak",
        "am",
        "an",
        "ar",
        "as",
        "av",
        "ay",
        "az",
        "ba",
        "be",
        "bg",
        "bh",
        "bi",
        "bm",
        "bn",
        "bo",
        "br",
        "bs",
        "ca",
        "ce",
        "ch",
        "co",
        "cr",
        "cs",
        "cu",
        "cv",
        "cy",
        "da",
        "de",
        "dv",
        "dz",
        "ee",
        "el",
        "en",
        "eo",
        "es",
        "et",
        "eu",
        "fa",
        "ff",
        "fi",
        "fj",
        "fo",
        "fr",
        "fy",
        "ga",
        "gd",
        "gl",
        "gn",
        "gu",
        "gv",
        "ha",
        "he",
        "hi",
        "ho",
        "hr",
        "ht",
        "hu",
        "hy",
        "hz",
        "ia",
        "id",
        "ie",
        "ig",
        "ii",
        "ik",
        "io",
        "is",
        "it",
        "iu",
        "ja",
        "jv",
        "ka",
        "kg",
        "ki",
        "kj",
        "kk",
        "kl",
        "km",
        "kn",
        "ko",
        "kr",
        "ks",
        "ku",
        "kv",
        "kw",
        "ky",
        "la",
        "lb",
        "lg",
        "li",
        "ln",
        "lo",
        "lt",
        "lu",
        "lv",
        "mg",
        "mh",
        "mi",
        "mk",
        "ml",
        "mn",
        "mr",
        "ms",
        "mt",
        "my",
        "na",
        "nb",
        "nd",
        "ne",
        "ng",
        "nl",
        "nn",
        "no",
        "nr",
        "nv",
        "ny",
        "oc",
        "oj",
        "om",
        "or",
        "os",
        "pa",
        "pi",
        "pl",
        "ps",
        "pt",
        "qu",
        "rm",
        "rn",
        "ro",
        "ru",
        "rw",
        "sa",
        "sc",
        "sd",
        "se",
        "sg",
        "si",
        "sk",
        "sl",
        "sm",
        "sn",
        "so",
        "sq",
        "sr",
        "ss",
        "st",
        "su",
        "sv",
        "sw",
        "ta",
        "te",
        "tg",
        "th",
        "ti",
        "tk",
        "tl",
        "tn",
        "to",
        "tr",
        "ts",
        "tt",
        "tw",
        "ty",
        "ug",
        "uk",
        "ur",
        "uz",
        "ve",
        "vi",
        "vo",
        "wa",
        "wo",
        "xh",
        "yi",
        "yo",
        "za",
        "zh",
        "zu",
    ]
)


def is_language_code(tag: str) -> bool:
    """True for a tag the Hub uses to mark a language ('en', 'fr', 'multilingual')."""
    return tag in _ISO_639_1 or tag == "multilingual"
