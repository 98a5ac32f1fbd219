"""What :class:`~hubwidgets.widgets.search.SearchWidget` is made of besides the widget itself:
its trait types, the detail of one model, and its report table (the results it shows are
the core's: :mod:`hubwidgets.core.catalog.browse`).

Kept apart so that ``search.py`` holds the widget (its traits, its Python API, its requests)
and nothing else.
"""

from __future__ import annotations

import operator
from typing import Any

import pandas as pd
import traitlets

from ..core.catalog.browse import ModelLookup, has_history
from ..core.catalog.catalog import UnknownModelError
from ..core.catalog.hub import HubError
from ..core.catalog.query import RISING, make_query, parse_params
from ..core.catalog.schema import SORT_KEYS
from ..core.report import Column, compact, hub_url
from ._card import card_html, detail_record, governance_part, modality_label
from ._protocol import RequestError
from ._traits import ModelIds

__all__ = [
    "FILTERS",
    "REPORT_COLUMNS",
    "ROW_COLUMNS",
    "Params",
    "SortKey",
    "SortOrRising",
    "Values",
    "detail_body",
    "task_modalities",
    "window_bounds",
]

#: The traits that filter the results (each one a keyword argument of ``catalog.search``).
FILTERS: tuple[str, ...] = (
    "query",
    "task",
    "library",
    "language",
    "license",
    "author",
    "min_params",
    "max_params",
    "gated",
)

#: The columns of the rows the page gets (the first rows in state, and each window): what the
#: grid shows, nothing more.
ROW_COLUMNS: tuple[str, ...] = (
    "id",
    "task",
    "library",
    "license",
    "params",
    "downloads",
    "likes",
    "last_modified",
)


def _day(value: Any) -> str:
    return str(pd.Timestamp(value).strftime("%Y-%m-%d"))


#: The report table's columns (the grid's, in the grid's order of the page's first columns).
REPORT_COLUMNS: tuple[Column, ...] = (
    Column("id", "Model", link=hub_url, header=True),
    Column("task", "Task"),
    Column("library", "Library"),
    Column("license", "License"),
    Column("params", "Params", numeric=True, format=compact),
    Column("downloads", "Downloads", numeric=True, format=compact),
    Column("likes", "Likes", numeric=True, format=compact),
    Column("last_modified", "Updated", format=_day),
)


class Values(ModelIds):
    """Filter values (any of): a list of strings; one string is a list of one, repeats are
    dropped."""


class Params(traitlets.Int[int | None, Any]):
    """A parameter count or None: an int, or a number or string such as 7e9, '7B', '300M'."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, allow_none=True, **kwargs)

    def validate(self, obj: Any, value: Any) -> int | None:
        try:
            return parse_params(value, self.name or "params")
        except (TypeError, ValueError) as err:
            raise traitlets.TraitError(str(err)) from None


class SortKey(traitlets.Enum[str]):
    """One of ``SORT_KEYS``; a wrong key is refused with the core's message ('did you mean')."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(tuple(SORT_KEYS), default_value="downloads", **kwargs)

    def validate(self, obj: Any, value: Any) -> str:
        if isinstance(value, str) and value in SORT_KEYS:
            return value
        try:
            make_query(sort=value)
        except (TypeError, ValueError) as err:
            raise traitlets.TraitError(str(err)) from None
        raise traitlets.TraitError(f"sort must be one of {', '.join(SORT_KEYS)}")  # not reached


class SortOrRising(SortKey):
    """A sort key of ``SORT_KEYS``, or ``"rising"`` when the widget's catalog has a history;
    without one, "rising" is refused with the core's message (it names ``with_history``)."""

    def validate(self, obj: Any, value: Any) -> str:
        if value == RISING and has_history(getattr(obj, "_catalog", None)):
            return RISING
        key: str = super().validate(obj, value)
        return key


def task_modalities(counts: list[list[Any]], chosen: list[str]) -> dict[str, str]:
    """``{task: modality name}`` for the tasks of the task facet and the chosen ones."""
    tasks = [str(value) for value, _count in counts] + list(chosen)
    return {task: modality_label(task) for task in tasks}


def window_bounds(body: dict[str, Any], most: int) -> tuple[int, int]:
    """``(start, stop)`` of a request body, ``stop`` capped at ``start + most``.

    Raises:
        RequestError: the bounds are not integers ``0 <= start <= stop``.
    """
    start, stop = body.get("start"), body.get("stop")
    lo, hi = _index(start), _index(stop)
    if lo is None or hi is None or lo > hi:
        raise RequestError(
            f"bad window: start={start!r}, stop={stop!r} (need integers 0 <= start <= stop)"
        )
    return lo, min(hi, lo + most)


def _index(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None  # JSON gives ints; a float, a string or a bool is the page's bug
    index = operator.index(value)
    return index if index >= 0 else None


def detail_body(catalog: object, model_id: object) -> dict[str, Any]:
    """The reply to a detail request: ``{"model", "url", "record", "governance", "card_html"}``.

    ``record`` holds the model's :data:`~._card.DETAIL_FIELDS` as JSON values, ``governance``
    ``hw.check``'s verdict, license, model tree and scan of it (or ``{"error": why}`` when the
    check failed: see :func:`~._card.governance_part`), ``card_html`` its card as safe HTML
    (None when the catalog has no card).

    Raises:
        RequestError: a bad id, an id the catalog does not hold, a catalog that cannot look
            models up, or a failed lookup (the live Hub down), in words.
    """
    if not isinstance(model_id, str) or not model_id:
        raise RequestError(f"bad detail request: model={model_id!r} (need an id)")
    if not isinstance(catalog, ModelLookup):
        raise RequestError(f"{type(catalog).__name__} cannot look up models by id")
    try:
        row = catalog.model(model_id)
    except UnknownModelError as err:
        raise RequestError(str(err)) from None
    except HubError as err:
        raise RequestError(f"the Hub did not answer: {err}") from None
    except Exception as err:  # whatever else a catalog raises: the page gets it in words
        raise RequestError(f"could not look up {model_id!r}: {err!r}") from None
    card = row.get("card")
    html_card = card_html(card, model_id) if isinstance(card, str) and card.strip() else None
    return {
        "model": model_id,
        "url": hub_url(model_id),
        "record": detail_record(row),
        "governance": governance_part(catalog, model_id, row),
        "card_html": html_card,
    }
