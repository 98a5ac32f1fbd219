"""A catalog search as someone browses it: the filters the catalog last answered, how many models
match, their first rows, any window of them later, and a status line saying what was searched
where. The SearchWidget calls these (one per user action); a script can too.

>>> results, first = first_results(hw.open_catalog(), {"task": ["translation"]}, "downloads", 50)
>>> results.status                      # '1,234 models · 3.1 ms · snapshot of 2026-12-01 (...)'
>>> result_rows(catalog, results, offset=50, limit=50)     # the next 50, in the same order
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, runtime_checkable

import pandas as pd

from .query import FACETS, RISING
from .schema import SORT_KEYS, conform, empty_frame
from .searchable import Searchable

__all__ = [
    "ModelLookup",
    "Results",
    "facet_counts",
    "first_results",
    "has_history",
    "models_by_id",
    "resorted",
    "result_ids",
    "result_rows",
    "search_filters",
    "search_status",
    "searchable",
    "sort_keys",
]


@runtime_checkable
class ModelLookup(Protocol):
    """A catalog that looks up one model by id (Catalog and HubCatalog do)."""

    def model(self, model_id: str) -> pd.Series: ...


@dataclass(frozen=True)
class Results:
    """The last filters that the catalog answered, and what it said: the results shown."""

    #: ``catalog.search`` keyword arguments (``None`` for a filter not set)
    filters: dict[str, Any]
    #: the order of the rows (a sort key, or "rising")
    sort: str
    #: how many models match (a lower bound when the catalog counts up to a cap)
    total: int
    #: the status line: how many, how long it took, what was searched
    status: str


def searchable(catalog: object) -> Searchable:
    """``catalog``, checked to be one a search can browse.

    Raises:
        TypeError: something that is not a hubwidgets catalog (says what is).
    """
    if not isinstance(catalog, Searchable):
        raise TypeError(
            "catalog must be a hubwidgets catalog (hw.open_catalog(), hw.starter_catalog(), "
            f"hw.Catalog...), not {type(catalog).__name__}"
        )
    return catalog


def search_filters(values: Mapping[str, Any]) -> dict[str, Any]:
    """Filter values as ``catalog.search`` keyword arguments: an empty list is no filter
    (None), a list a new list, anything else as it is."""
    return {
        name: (list(value) or None) if isinstance(value, list) else value
        for name, value in values.items()
    }


def has_history(catalog: object) -> bool:
    """True when ``catalog`` has a history attached (``Catalog.with_history``): it can sort by
    "rising"."""
    return getattr(catalog, "_gains", None) is not None


def sort_keys(catalog: object) -> list[str]:
    """The orders ``catalog`` can sort by: ``SORT_KEYS``, and "rising" when a history is
    attached."""
    return [*SORT_KEYS, *([RISING] if has_history(catalog) else [])]


def search_status(catalog: object, total: int, ms: float, *, left_out: int = 0) -> str:
    """The status line of a search: "1,234 models · 3.1 ms · <where>".

    A catalog that counts up to a cap (the live Hub, ``capped``) says "at least"; ``left_out``:
    models of unknown size a params range dropped (said when there are any).
    """
    models = f"{total:,} model{'' if total == 1 else 's'}"
    if getattr(catalog, "capped", False):  # the live Hub: counted up to max_results
        models = f"at least {models} (counted up to the first {total:,} matches)"
    describe = getattr(catalog, "describe_source", None)
    source = describe() if callable(describe) else type(catalog).__name__
    took = f"{ms:.1f}" if ms < 10 else f"{ms:.0f}"  # "0 ms" would read as not timed
    status = f"{models} · {took} ms · {source}"
    if left_out:  # a params range drops the models of unknown size: say how many
        status += f" · {left_out:,} of unknown size left out by the params range"
    return status


def first_results(
    catalog: Searchable, filters: Mapping[str, Any], sort: str, rows: int
) -> tuple[Results, pd.DataFrame]:
    """Count the models that match ``filters`` and fetch the first ``rows`` of them in ``sort``
    order: ``(results, first_rows)``, the results' status timed over both calls.

    Raises:
        ValueError, TypeError: filters the catalog refuses (in its words).
        hubwidgets.HubError: the live Hub did not answer.
    """
    started = time.perf_counter()
    total = int(catalog.count(**filters))
    first = catalog.search(**filters, sort=sort, limit=rows)
    ms = (time.perf_counter() - started) * 1000
    left_out = int(first.attrs.get("params_unknown_left_out") or 0)
    status = search_status(catalog, total, ms, left_out=left_out)
    return Results(dict(filters), sort, total, status), first


def resorted(
    catalog: Searchable, results: Results, sort: str, rows: int
) -> tuple[Results, pd.DataFrame]:
    """The same models in another order (no count): ``(results, first_rows)``.

    Raises:
        hubwidgets.HubError: the live Hub did not answer.
    """
    first = catalog.search(**results.filters, sort=sort, limit=rows)
    return replace(results, sort=sort), first


def result_rows(
    catalog: Searchable,
    results: Results | None,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> pd.DataFrame:
    """Rows of ``results`` in their order: ``limit`` of them (None: all) from ``offset``; the
    catalog's empty frame when there are no results (None) or ``limit`` is below 1.

    Raises:
        hubwidgets.HubError: the live Hub did not answer.
    """
    if results is None or (limit is not None and limit < 1):
        return empty_frame()
    return catalog.search(**results.filters, sort=results.sort, limit=limit, offset=offset)


def result_ids(catalog: Searchable, results: Results | None, start: int, stop: int) -> list[str]:
    """The ids of rows ``[start, stop)`` of ``results``, in their order."""
    rows = result_rows(catalog, results, offset=start, limit=stop - start)
    return [str(i) for i in rows["id"]]


def models_by_id(catalog: object, ids: Sequence[str]) -> pd.DataFrame:
    """The models ``ids`` (rows in the catalog's schema, no card), in that order.

    Raises:
        TypeError: a catalog that cannot look models up by id.
        hubwidgets.UnknownModelError: an id the catalog does not hold.
    """
    if not ids:
        return empty_frame()
    if not isinstance(catalog, ModelLookup):
        raise TypeError(f"{type(catalog).__name__} cannot look up models by id")
    rows = [catalog.model(model_id).drop("card") for model_id in ids]
    return conform(pd.DataFrame(rows).reset_index(drop=True))


def facet_counts(
    catalog: Searchable, filters: Mapping[str, Any], top: int
) -> dict[str, list[list[Any]]]:
    """``catalog.facets`` as ``{facet: [[value, count], ...]}``: every facet (maybe empty), the
    ``top`` most frequent values of each, counted under the other filters.

    Raises:
        hubwidgets.HubError: the live Hub did not answer.
    """
    counts = catalog.facets(**filters, top=top)
    out: dict[str, list[list[Any]]] = {facet: [] for facet in FACETS}
    for facet, value, count in counts[["facet", "value", "count"]].itertuples(index=False):
        out.setdefault(str(facet), []).append([str(value), int(count)])
    return out
