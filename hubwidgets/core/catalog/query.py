"""Search arguments: validated once, the same way for every catalog source."""

from __future__ import annotations

import functools
import inspect
import itertools
import math
import re
import warnings
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from ..choose.licenses import LICENSE_CLASSES, LICENSE_IDS, license_class
from .schema import SORT_KEYS
from .vocab import TASKS, close_matches

__all__ = [
    "FACETS",
    "RISING",
    "Query",
    "UnknownValueWarning",
    "make_query",
    "parse_params",
    "resolve_values",
    "strict_kwargs",
]


class UnknownValueWarning(UserWarning):
    """A filter value this package does not know, sent to the live Hub anyway (it may exist
    only there)."""


#: Filters whose values are checked against what the catalog holds (a value no model has is a
#: typo far more often than a wish for zero rows). Authors and providers are open-ended.
CHECKED = ("library", "language", "license", "tags")

#: The most license ids a license class may stand for on the live Hub (one request per id,
#: as many as ``hub._MAX_REQUESTS`` allows).
UPSTREAM_LICENSE_IDS = 16

# Language names people type for the codes the Hub lists ("english" -> "en"), for hints.
_LANGUAGE_NAMES = {
    "english": "en", "french": "fr", "german": "de", "spanish": "es", "italian": "it",
    "portuguese": "pt", "dutch": "nl", "russian": "ru", "chinese": "zh", "japanese": "ja",
    "korean": "ko", "arabic": "ar", "hindi": "hi", "bengali": "bn", "turkish": "tr",
    "polish": "pl", "swedish": "sv", "danish": "da", "norwegian": "no", "finnish": "fi",
    "greek": "el", "czech": "cs", "hungarian": "hu", "romanian": "ro", "ukrainian": "uk",
    "vietnamese": "vi", "thai": "th", "indonesian": "id", "malay": "ms", "hebrew": "he",
    "persian": "fa", "farsi": "fa", "urdu": "ur", "tamil": "ta", "telugu": "te",
    "swahili": "sw", "catalan": "ca", "bulgarian": "bg", "croatian": "hr", "serbian": "sr",
    "slovak": "sk", "slovenian": "sl", "estonian": "et", "latvian": "lv", "lithuanian": "lt",
}  # fmt: skip

#: The sort key of a catalog with history attached: largest gain over the window first.
RISING = "rising"

#: Facets the catalogs count: the facet name and the filter argument it narrows.
FACETS: dict[str, str] = {
    "task": "task",
    "library": "library",
    "language": "languages",
    "license": "license",
    "author": "author",
}

#: The most values one filter list may hold, and the longest query (in characters): far above
#: any real use (the Hub has a few hundred thousand authors), low enough that an absurd input
#: is refused at once instead of being worked through.
MAX_VALUES = 1_000_000
MAX_QUERY_CHARS = 1_000_000

_UNITS = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}
_PARAMS_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmbt]?)\s*$", re.IGNORECASE)


def parse_params(value: Any, name: str) -> int | None:
    """A parameter count from an int, a float or a string such as '7B', '300M', '1.5b'."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number of parameters such as 7_000_000_000 or '7B'")
    if isinstance(value, int):
        number: float = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, not {value}")
        number = value
    elif isinstance(value, str):
        match = _PARAMS_RE.match(value)
        if not match:
            shown = value if len(value) <= 40 else value[:40] + "..."
            raise ValueError(
                f"{name}={shown!r} is not a parameter count; use e.g. 7e9, '7B', '300M'"
            )
        number = float(match.group(1)) * _UNITS[match.group(2).lower()]
    else:
        raise TypeError(
            f"{name} must be a number or a string like '7B', not {type(value).__name__}"
        )
    if number < 0:
        raise ValueError(f"{name} must be >= 0, not {value!r}")
    if not math.isfinite(number):  # '9' * 400 parses to infinity
        shown = str(value) if len(str(value)) <= 40 else str(value)[:40] + "..."
        raise ValueError(
            f"{name}={shown!r} is too large to be a number; use e.g. 7e9, '7B', '300M' "
            "(any count above the largest model works as no bound)"
        )
    return int(number)


def _values(value: Any, name: str) -> tuple[str, ...] | None:
    """One value or a list of values (any of) -> a tuple of strings; None means no filter."""
    if value is None:
        return None
    if isinstance(value, str):
        _text(value, name)
        return (value,)
    if isinstance(value, Iterable) and not isinstance(value, (bytes, dict)):
        given = list(itertools.islice(value, MAX_VALUES + 1))  # an endless iterator ends here
        if len(given) > MAX_VALUES:
            raise ValueError(
                f"{name} holds more than {MAX_VALUES:,} values; narrow it (a list this long "
                "is not a filter)"
            )
        for v in given:
            if not isinstance(v, str):
                raise TypeError(f"{name} takes strings; got {v!r}")
        # duplicates dropped, order kept: every later step is linear in the distinct values
        out = tuple(dict.fromkeys(given))
        for v in out:
            _text(v, name)
        return out or None
    raise TypeError(f"{name} must be a string or a list of strings, not {type(value).__name__}")


def _text(value: str, name: str) -> None:
    """ValueError unless ``value`` is valid text (a lone surrogate such as '\\ud800' is not:
    it cannot be encoded, compared with the ids' bytes, nor sent to the Hub)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        raise ValueError(
            f"{name} is not valid text: it holds {value[err.start]!r} at position {err.start}, "
            "a lone surrogate that no model id can contain"
        ) from None


@dataclass(frozen=True)
class Query:
    """Normalized search arguments (see ``Catalog.search`` for their meaning)."""

    words: tuple[str, ...] = ()
    task: tuple[str, ...] | None = None
    library: tuple[str, ...] | None = None
    language: tuple[str, ...] | None = None
    license: tuple[str, ...] | None = None
    author: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None
    min_params: int | None = None
    max_params: int | None = None
    gated: bool | None = None
    provider: tuple[str, ...] | None = None
    include_unknown_params: bool = False
    sort: str = "downloads"
    limit: int | None = 50
    offset: int = 0

    def without(self, facet: str) -> Query:
        """The same query with one facet's filter removed (how a facet's counts narrow)."""
        field = "language" if facet == "language" else facet
        changes: dict[str, Any] = {field: None}
        return replace(self, **changes)

    def filters(self) -> dict[str, Any]:
        """The active filters, for messages ('no models match task=..., library=...')."""
        out: dict[str, Any] = {}
        if self.words:
            out["query"] = " ".join(self.words)
        for name in ("task", "library", "language", "license", "author", "tags", "provider"):
            value = getattr(self, name)
            if value is not None:
                out[name] = list(value)
        for name in ("min_params", "max_params", "gated"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.include_unknown_params:
            out["include_unknown_params"] = True
        return out


def make_query(
    query: str | None = "",
    *,
    task: Any = None,
    library: Any = None,
    language: Any = None,
    license: Any = None,  # noqa: A002 - the Hub's own name for the filter
    author: Any = None,
    tags: Any = None,
    min_params: Any = None,
    max_params: Any = None,
    gated: Any = None,
    provider: Any = None,
    sort: str = "downloads",
    limit: int | None = 50,
    offset: int = 0,
    known_tasks: Iterable[str] = (),
    rising: bool = False,
    include_unknown_params: Any = False,
) -> Query:
    """Validate search arguments (their values against a catalog: :func:`resolve_values`).

    ``rising``: the catalog has a history attached (``Catalog.with_history``), so
    ``sort="rising"`` (largest gain over the history's window first) is valid too.

    Raises ValueError/TypeError saying what is wrong and what is valid.
    """
    if query is None:
        query = ""
    if not isinstance(query, str):
        raise TypeError(f"query must be a string, not {type(query).__name__}")
    if len(query) > MAX_QUERY_CHARS:
        raise ValueError(
            f"query is {len(query):,} characters long, more than {MAX_QUERY_CHARS:,}; a query "
            "is words that must all appear in a model id"
        )
    _text(query, "query")
    tasks = _values(task, "task")
    if tasks:
        valid = set(TASKS) | set(known_tasks)
        for t in tasks:
            if t not in valid:
                hint = close_matches(t, sorted(valid))
                also = f"; did you mean {', '.join(map(repr, hint))}?" if hint else "."
                raise ValueError(
                    f"unknown task {t!r}{also} Valid tasks are the Hub's pipeline tags: "
                    + ", ".join(TASKS)
                )
    _check_sort(sort, rising)
    _check_window(limit, offset)
    lo = parse_params(min_params, "min_params")
    hi = parse_params(max_params, "max_params")
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"min_params ({min_params!r}) is greater than max_params ({max_params!r})")
    if gated is not None and not isinstance(gated, bool):
        raise TypeError(f"gated must be True, False or None, not {gated!r}")
    if not isinstance(include_unknown_params, bool):
        raise TypeError(
            f"include_unknown_params must be True or False, not {include_unknown_params!r}"
        )
    return Query(
        words=tuple(dict.fromkeys(w.lower() for w in query.split())),  # each word once
        task=tasks,
        library=_values(library, "library"),
        language=_values(language, "language"),
        license=_values(license, "license"),
        author=_values(author, "author"),
        tags=_values(tags, "tags"),
        min_params=lo,
        max_params=hi,
        gated=gated,
        provider=_values(provider, "provider"),
        include_unknown_params=include_unknown_params,
        sort=sort,
        limit=limit,
        offset=offset,
    )


def resolve_values(q: Query, vocabulary: Mapping[str, Collection[str]], *, upstream: bool) -> Query:
    """``q`` with its filter values checked against what a catalog holds.

    ``vocabulary``: for each of :data:`CHECKED`, the values the catalog's models have. A filter
    none of whose values is in it could only match nothing: a ValueError with close matches,
    unless ``upstream`` (the live Hub, where the value may exist): then a one-line
    :class:`UnknownValueWarning`. ``license`` also takes the classes of
    :mod:`hubwidgets.core.choose.licenses` (``"permissive"``...), each standing for the
    catalog's license ids of that class.
    """
    if q.include_unknown_params and upstream and (q.min_params, q.max_params) != (None, None):
        raise ValueError(
            "include_unknown_params=True cannot be asked of the live Hub (its num_parameters "
            "filter always leaves out models of unknown size); search a snapshot instead"
        )
    changes: dict[str, Any] = {}
    licenses = _licenses(q.license, vocabulary.get("license"))
    if licenses != q.license:
        changes["license"] = licenses
        if upstream and licenses is not None and len(licenses) > UPSTREAM_LICENSE_IDS:
            raise ValueError(
                f"license={'/'.join(q.license or ())} stands for {len(licenses)} license ids, "
                f"and the live Hub takes one request per id (at most {UPSTREAM_LICENSE_IDS}): "
                "name the ids you accept (e.g. license=['apache-2.0', 'mit']) or search a "
                "snapshot, where a class costs nothing"
            )
    for name in CHECKED:
        values = changes.get(name, getattr(q, name))
        if values and name in vocabulary:
            _check_known(name, values, vocabulary[name], upstream=upstream)
    return replace(q, **changes) if changes else q


def _licenses(
    values: tuple[str, ...] | None, known: Collection[str] | None
) -> tuple[str, ...] | None:
    """License ids with each class name (``"permissive"``...) replaced by the ids of that class
    (the catalog's, else every id the classification knows). A class no id of the catalog
    belongs to leaves an empty tuple: a filter that matches nothing, not no filter."""
    if values is None or not any(v.strip().lower() in LICENSE_CLASSES for v in values):
        return values
    pool = list(known) if known is not None else list(LICENSE_IDS)
    out: list[str] = []
    for value in values:
        key = value.strip().lower()
        if key in LICENSE_CLASSES:
            out += [p for p in pool if license_class(p) == key]
        else:
            out.append(value)
    return tuple(dict.fromkeys(out))


def _hints(name: str, value: str, known: Collection[str]) -> list[str]:
    """Close matches of ``value`` among ``known`` (language names too: 'english' -> 'en')."""
    hints: list[str] = []
    if name == "language":
        code = _LANGUAGE_NAMES.get(value.strip().lower())
        if code is not None and code in known:
            hints.append(code)
    pool = [str(k) for k in known]
    if len(pool) > 20_000:  # difflib is quadratic-ish: look among the same first letter
        first = value[:1].lower()
        pool = [k for k in pool if k[:1].lower() == first][:20_000]
    if name == "license":
        pool += list(LICENSE_CLASSES)
    return list(dict.fromkeys(hints + close_matches(value, pool)))[:3]


def _check_known(
    name: str, values: tuple[str, ...], known: Collection[str], *, upstream: bool
) -> None:
    """ValueError (a warning when ``upstream``) when none of ``values`` is known."""
    unknown = [v for v in values if v not in known]
    if not unknown or len(unknown) < len(values):
        return  # any of: the known values still select models
    value = unknown[0]
    hint = _hints(name, value, known)
    also = f" (did you mean {', '.join(map(repr, hint))}?)" if hint else ""
    classes = f" or a license class ({', '.join(LICENSE_CLASSES)})" if name == "license" else ""
    if upstream:
        warnings.warn(
            f"{name}={value!r} is not a {name} value hubwidgets knows{also}; asking the Hub anyway",
            UnknownValueWarning,
            stacklevel=6,  # the caller of search(), count(), facets()
        )
        return
    where = "a tag its models carry" if name == "tags" else "a value that facets() lists"
    label = "tag" if name == "tags" else name
    raise ValueError(f"no model in this catalog has {label} {value!r}{also}; give {where}{classes}")


def _check_sort(sort: Any, rising: bool) -> None:
    if not isinstance(sort, str):
        raise TypeError(f"sort must be one of {', '.join(SORT_KEYS)}, not {sort!r}")
    if sort == RISING and not rising:
        raise ValueError(
            "sort='rising' needs a history of the models: attach one with "
            "catalog.with_history(hw.history(source=...)); without history, choose one of: "
            + ", ".join(SORT_KEYS)
        )
    if sort not in SORT_KEYS and sort != RISING:
        keys = [*SORT_KEYS, *([RISING] if rising else [])]
        hint = close_matches(str(sort), keys)
        also = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ValueError(f"unknown sort key {sort!r}{also}; choose one of: {', '.join(keys)}")


def _check_window(limit: Any, offset: Any) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
        raise TypeError(f"limit must be an int or None, not {type(limit).__name__}")
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0 (or None for all results), not {limit}")
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise TypeError(f"offset must be an int, not {type(offset).__name__}")
    if offset < 0:
        raise ValueError(f"offset must be >= 0, not {offset}")


F = TypeVar("F", bound=Callable[..., Any])


def strict_kwargs(func: F) -> F:
    """Reject misspelled keyword arguments with a TypeError naming the valid ones."""
    sig = inspect.signature(func)
    names = [p for p in sig.parameters if p != "self"]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        unknown = [k for k in kwargs if k not in sig.parameters]
        if unknown:
            hint = close_matches(unknown[0], names)
            also = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise TypeError(
                f"{func.__name__}() got an unexpected argument {unknown[0]!r}{also}; "
                f"valid arguments: {', '.join(names)}"
            )
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
