"""Clean text that comes from outside (a server's error body, a library's exception) before
hubwidgets keeps or shows it.

Why here, once: a server's error body may echo the request's ``Authorization`` header, and that
text used to travel on into ``BackendError`` messages, playground histories, benchmark results,
saved parquet files and widget state. Redacting where the text *enters* (the catalog's HTTP
helpers, snapshot pulls, the inference backends' errors) protects everything downstream.

- :func:`redact` replaces tokens: the ones hubwidgets was configured with (registered with
  :func:`remember`, plus ``HF_TOKEN`` and the token saved by ``hf auth login``) and anything
  shaped like one (``hf_...``, ``Bearer ...``, ``Authorization: ...``).
- :func:`strip_ansi` drops terminal colour codes (torch puts them in its error strings).
- :func:`printable` also drops the other control characters, for text printed on a terminal
  (an ``origin`` of ``"\\x1b]0;pwn\\x07"`` would otherwise set the terminal's title).
- :func:`clean` does all of it and folds the text to one line.

Only the standard library (and huggingface_hub's token look-up, imported lazily) is used.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable

__all__ = ["REDACTED", "clean", "printable", "redact", "remember", "strip_ansi"]

#: What a token is replaced with.
REDACTED = "[redacted]"

# Hugging Face user and org tokens (hf_ + 30-odd letters/digits), and api_org_ ones
_HF_TOKEN = re.compile(r"\b(?:hf|api_org)_[A-Za-z0-9]{8,}")
# "Bearer <credential>", "token=<credential>", "api_key: <credential>" (a credential has a digit,
# so that prose such as "Bearer tokens expire" is left alone), and the value of an
# "Authorization" header echoed in JSON or header style, quoted or not
_CREDENTIAL = r"(?=[A-Za-z._~+/=-]*\d)[A-Za-z0-9._~+/=-]{8,}"
_BEARER = re.compile(
    r"(?i)\b(bearer\s+|(?:access_token|api_key|token)['\"]?\s*[=:]\s*['\"]?)" + _CREDENTIAL
)
_AUTH_HEADER = re.compile(
    r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(?!\[redacted\])[^\s'\",}]+(\s+[^\s'\",}]+)?"
)
# CSI sequences (colours, cursor moves), OSC sequences (window title, hyperlinks), and lone ESCs
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
# C0 and C1 control characters except tab and newline
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_known: set[str] = set()
_lock = threading.Lock()


def remember(token: object) -> None:
    """Register a token hubwidgets was given, so that :func:`redact` removes it anywhere."""
    if isinstance(token, str) and len(token) >= 6:
        with _lock:
            _known.add(token)


def _secrets(extra: Iterable[object]) -> list[str]:
    found = {t for t in extra if isinstance(t, str) and len(t) >= 6}
    with _lock:
        found |= _known
    env = os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN")
    if env and len(env) >= 6:
        found.add(env)
    try:
        from huggingface_hub import get_token  # noqa: PLC0415 - only when redacting

        saved = get_token()
    except Exception:  # no saved token, an unreadable file: nothing to add
        saved = None
    if saved and len(saved) >= 6:
        found.add(saved)
    return sorted(found, key=len, reverse=True)  # longest first: no partial replacement


def redact(text: str, secrets: Iterable[object] = ()) -> str:
    """``text`` with every token replaced by ``[redacted]``: ``secrets``, the registered and
    saved tokens, and anything shaped like a token or a credential header."""
    if not text:
        return text
    for secret in _secrets(secrets):
        text = text.replace(secret, REDACTED)
    text = _AUTH_HEADER.sub(lambda m: m.group(1) + REDACTED, text)
    text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
    return _HF_TOKEN.sub(REDACTED, text)


def strip_ansi(text: str) -> str:
    """``text`` without terminal escape sequences (colours, titles, cursor moves)."""
    return _ANSI.sub("", text) if "\x1b" in text else text


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: escape sequences and control characters removed
    (newlines and tabs kept)."""
    return _CONTROL.sub("", strip_ansi(text))


def clean(text: str, secrets: Iterable[object] = (), *, limit: int | None = 500) -> str:
    """Server or library text as hubwidgets keeps it: tokens redacted, escape sequences and
    control characters removed, whitespace folded to one line, at most ``limit`` characters."""
    one = " ".join(printable(redact(str(text), secrets)).split())
    if limit is not None and len(one) > limit:
        one = one[: limit - 1].rstrip() + "…"
    return one
