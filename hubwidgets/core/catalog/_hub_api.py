"""The Hub's model API as a server speaks it, shared by the mirror (serve.py) and the test server.

hubwidgets answers the Hub's ``/api/models`` routes in two places: ``hubwidgets serve`` (a
read-only mirror over a snapshot) and :mod:`hubwidgets.testing.hub_server` (the tests' Hub). Both
take the same query parameters and refuse bad ones with the same error shape, so the rules live
here once: the page cap, the ``expand`` properties, ``num_parameters`` bounds, the cursor.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping

__all__ = [
    "EXPAND_PROPERTIES",
    "MAX_PAGE_SIZE",
    "ApiError",
    "decode_cursor",
    "encode_cursor",
    "expand_list",
    "parse_num_parameters",
    "single",
    "truthy",
]

#: The most models one page holds, as on the Hub.
MAX_PAGE_SIZE = 1000

#: Properties the Hub accepts in ``expand`` for models (``ExpandModelProperty_T`` of
#: huggingface_hub 2.4). Anything else answers 400, as on the Hub.
EXPAND_PROPERTIES: frozenset[str] = frozenset(
    {
        "author",
        "baseModels",
        "cardData",
        "childrenModelCount",
        "config",
        "createdAt",
        "disabled",
        "downloads",
        "downloadsAllTime",
        "evalResults",
        "gated",
        "gguf",
        "inference",
        "inferenceProviderMapping",
        "lastModified",
        "library_name",
        "likes",
        "mask_token",
        "model-index",
        "pipeline_tag",
        "private",
        "resourceGroup",
        "safetensors",
        "sha",
        "siblings",
        "spaces",
        "tags",
        "transformersInfo",
        "trendingScore",
        "usedStorage",
        "widgetData",
    }
)

_UNITS = {"": 1.0, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
_COUNT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMBT]?)\s*$", re.IGNORECASE)


class ApiError(Exception):
    """An error answer in the Hub's shape: status, ``{"error": message}``, ``X-Error-Code``."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code

    @property
    def error_code(self) -> str | None:
        return self.code


def single(query: Mapping[str, list[str]], key: str) -> str | None:
    """The last value of ``key`` in a parsed query string, or None."""
    values = query.get(key)
    return values[-1] if values else None


def truthy(values: list[str] | None) -> bool:
    """Whether a query flag is on (``true``, ``1`` or ``yes``; the last value counts)."""
    return bool(values) and values[-1].strip().lower() in ("true", "1", "yes")  # type: ignore[index]


def expand_list(query: Mapping[str, list[str]]) -> list[str] | None:
    """``expand=a,b``, ``expand=a&expand=b`` and ``expand[]=a``, as on the Hub; None if absent.

    Raises:
        ApiError: 400 naming the properties the Hub does not know.
    """
    given = [*query.get("expand", []), *query.get("expand[]", [])]
    if not given:
        return None
    names = [n.strip() for value in given for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in EXPAND_PROPERTIES]
    if unknown:
        raise ApiError(400, f"Invalid expand value(s): {', '.join(unknown)}")
    return list(dict.fromkeys(names))


def _count(text: str, spec: str) -> float:
    match = _COUNT_RE.match(text)
    if not match:
        raise ApiError(400, f"Invalid num_parameters value: {spec!r}")
    return float(match.group(1)) * _UNITS[match.group(2).upper()]


def parse_num_parameters(spec: str) -> tuple[float | None, float | None]:
    """``"min:6B,max:128B"`` -> (6e9, 1.28e11); either bound may be absent.

    Raises:
        ApiError: 400 for anything else, with an example.
    """
    lo: float | None = None
    hi: float | None = None
    for part in (p for p in spec.split(",") if p.strip()):
        key, sep, value = part.partition(":")
        key = key.strip().lower()
        if not sep or key not in ("min", "max"):
            raise ApiError(400, f"Invalid num_parameters value: {spec!r} (e.g. min:1B,max:8B)")
        if key == "min":
            lo = _count(value, spec)
        else:
            hi = _count(value, spec)
    return lo, hi


def encode_cursor(offset: int) -> str:
    """The opaque ``cursor`` of the page that starts at ``offset``."""
    raw = json.dumps({"offset": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> int:
    """The offset an :func:`encode_cursor` token stands for.

    Raises:
        ApiError: 400 for a token this server did not make.
    """
    try:
        offset = json.loads(base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode()))
        offset = offset["offset"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise ApiError(400, "Invalid cursor") from None
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ApiError(400, "Invalid cursor")
    return offset
