"""The search API every catalog source offers, declared once.

:class:`~hubwidgets.core.catalog.catalog.Catalog` (snapshots, records, the local cache) and
:class:`~hubwidgets.core.catalog.hub.HubCatalog` (the live Hub) subclass :class:`Searchable`: the
public
methods validate their arguments into a :class:`~hubwidgets.core.catalog.query.Query` here, the
same way
for every source, and each source answers the validated query.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from ..choose.licenses import LICENSE_IDS
from .query import Query, make_query, resolve_values, strict_kwargs
from .vocab import _ISO_639_1, libraries

__all__ = ["Searchable"]

Values = str | list[str] | tuple[str, ...] | None
Params = int | float | str | None


class Searchable(ABC):
    """Search, count and facet a catalog of models; every result is a pandas object."""

    def _known_tasks(self) -> list[str]:
        """Tasks this catalog holds besides the Hub's pipeline tags (old ones, say)."""
        return []

    #: True for a source that may hold values this package does not know (the live Hub): an
    #: unknown library, language or license is then a warning, not an error.
    _upstream = True

    def _vocabulary(self) -> Mapping[str, Collection[str]]:
        """Per checked filter (see ``query.CHECKED``), the values a model can have: here the
        package's own lists of the Hub's libraries, language codes and license ids."""
        return {
            "library": libraries(),
            "language": _ISO_639_1 | {"multilingual"},
            "license": LICENSE_IDS,
        }

    def _make(self, query: str, filters: dict[str, Any]) -> Query:
        return make_query(query, known_tasks=self._known_tasks(), **filters)

    def _query(self, query: str, args: dict[str, Any]) -> Query:
        """The validated query of a public method's ``locals()``, its values checked against
        the catalog's (license classes resolved to ids)."""
        q = self._make(query, _filters(args))
        return resolve_values(q, self._vocabulary(), upstream=self._upstream)

    def _notes(self, q: Query) -> dict[str, Any]:
        """What a search result says besides its rows (``DataFrame.attrs``):
        ``params_unknown_left_out``, the models matching every other filter whose parameter
        count is unknown, left out by min_params/max_params (None when the source cannot
        count them: the live Hub)."""
        if q.min_params is None and q.max_params is None:
            return {}
        if q.include_unknown_params:
            return {"params_unknown_left_out": 0}
        if self._upstream:
            return {"params_unknown_left_out": None}
        unbounded = replace(q, min_params=None, max_params=None, limit=None, offset=0)
        known = replace(unbounded, min_params=0)
        return {"params_unknown_left_out": self._count(unbounded) - self._count(known)}

    @abstractmethod
    def _search(self, q: Query) -> pd.DataFrame: ...

    @abstractmethod
    def _count(self, q: Query) -> int: ...

    @abstractmethod
    def _facets(self, q: Query, top: int | None) -> pd.DataFrame: ...

    @strict_kwargs
    def search(
        self,
        query: str = "",
        *,
        task: Values = None,
        library: Values = None,
        language: Values = None,
        license: Values = None,  # noqa: A002 - the Hub's own name for the filter
        author: Values = None,
        tags: Values = None,
        min_params: Params = None,
        max_params: Params = None,
        gated: bool | None = None,
        provider: Values = None,
        include_unknown_params: bool = False,
        sort: str = "downloads",
        limit: int | None = 50,
        offset: int = 0,
    ) -> pd.DataFrame:
        """Models matching a query and filters, best first, as a DataFrame in the schema.

        Args:
            query: words that must all appear in the model id (case-insensitive substrings).
            task, library, language, license, author, tags, provider: one value or a list;
                a model matches when it has any of them. ``task`` must be a Hub pipeline tag.
            min_params, max_params: parameter-count range (ints or strings like '7B', '300M');
                models with an unknown count are left out when either is set (how many:
                ``result.attrs["params_unknown_left_out"]``) unless ``include_unknown_params``.
            include_unknown_params: keep the models of unknown size under a params range.
            gated: True for gated models only, False for open ones only.
            sort: downloads, likes, trending, created, modified or params; descending, missing
                values last, ties broken by id.
            limit, offset: the window of results (``limit=None``: all of them; on the live Hub,
                at most ``max_results``).

        ``license`` takes license ids and the classes of :mod:`hubwidgets.core.choose.licenses`
        (``"permissive"``, ``"copyleft"``, ...). A library, language, license or tag that no
        model of the catalog has is refused with close matches (on the live Hub, which may have
        it, a one-line warning).

        Raises:
            ValueError, TypeError: an argument is not valid; the message lists valid choices.
        """
        args = dict(locals())
        q = self._query(query, args)
        found = self._search(q)
        found.attrs.update(self._notes(q))
        return found

    @strict_kwargs
    def count(
        self,
        query: str = "",
        *,
        task: Values = None,
        library: Values = None,
        language: Values = None,
        license: Values = None,  # noqa: A002
        author: Values = None,
        tags: Values = None,
        min_params: Params = None,
        max_params: Params = None,
        gated: bool | None = None,
        provider: Values = None,
        include_unknown_params: bool = False,
    ) -> int:
        """How many models match (same arguments as :meth:`search`).

        On the live Hub, which returns no totals, this counts the first ``max_results``
        matches: a count equal to ``max_results`` is a lower bound (``capped`` says so).
        """
        args = dict(locals())
        return self._count(self._query(query, args))

    @strict_kwargs
    def facets(
        self,
        query: str = "",
        *,
        task: Values = None,
        library: Values = None,
        language: Values = None,
        license: Values = None,  # noqa: A002
        author: Values = None,
        tags: Values = None,
        min_params: Params = None,
        max_params: Params = None,
        gated: bool | None = None,
        provider: Values = None,
        include_unknown_params: bool = False,
        top: int | None = 50,
    ) -> pd.DataFrame:
        """Counts per value of task, library, language, license and author.

        Each facet is counted under all the *other* active filters, the way the Hub's sidebar
        narrows: choosing task='text-classification' leaves the task counts as they were and
        narrows the library counts. Returns columns ``facet, value, count``: the ``top`` values of
        each facet by count (all when None), values with a zero count left out. On the live Hub,
        which has no facet counts, they are computed over the first ``max_results`` matches of
        each narrowed query.
        """
        args = dict(locals())
        top = args.pop("top")
        if top is not None and (isinstance(top, bool) or not isinstance(top, int)):
            raise TypeError(f"top must be an int or None, not {top!r}")
        if top is not None and top < 0:
            raise ValueError(f"top must be >= 0 (or None for every value), not {top}")
        return self._facets(self._query(query, args), top)


def _filters(args: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of a search-like method, from its ``locals()``."""
    return {k: v for k, v in args.items() if k not in ("self", "query", "__class__")}


def empty_facets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "facet": pd.Series(dtype="string"),
            "value": pd.Series(dtype="string"),
            "count": pd.Series(dtype="int64"),
        }
    )
