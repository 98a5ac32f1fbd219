"""The live Hub as a catalog: every search is pushed to the Hub's ``/api/models``.

Filters, the query and the sort go to the server (``search``, ``pipeline_tag``, ``filter``,
``author``, ``gated``, ``num_parameters``, ``inference_provider``, ``sort``, ``limit``,
``expand``); results are read page by page with the Hub's cursor pagination, lazily, and never
crawled to be filtered here. What the Hub API cannot do is done over the fetched results and
said in each docstring:

- a query of several words: the longest word is sent as ``search``, the others are checked on
  the ids the Hub returns;
- "any of" lists for filters that the Hub combines with AND (task, author, library, language,
  license, tags, provider): one request per value, merged in sort order;
- ``sort="params"``: the Hub cannot sort by parameter count; the first ``max_results`` matches
  are sorted here;
- ``count`` and ``facets``: the Hub returns no totals; both are computed over the first
  ``max_results`` matches (``count`` is then a lower bound, flagged by :attr:`HubCatalog.capped`).
"""

from __future__ import annotations

import heapq
import itertools
import math
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any, Literal

import numpy as np
import pandas as pd
from huggingface_hub import HfApi, constants
from huggingface_hub.utils import build_hf_headers, validate_repo_id

from .. import _redact
from . import _http
from ._index import sort_key
from .catalog import Catalog, UnknownModelError
from .normalize import normalize_records
from .query import FACETS, Query
from .schema import SORT_KEYS, empty_frame
from .searchable import Searchable, empty_facets

__all__ = ["EXPAND", "HubCatalog", "HubError", "hub_sort", "iter_model_pages"]

#: Every model property the schema needs, asked for with ``expand``.
EXPAND: tuple[str, ...] = (
    "author",
    "cardData",
    "createdAt",
    "downloads",
    "downloadsAllTime",
    "gated",
    "gguf",
    "inference",
    "inferenceProviderMapping",
    "lastModified",
    "library_name",
    "likes",
    "pipeline_tag",
    "private",
    "safetensors",
    "sha",
    "tags",
    "trendingScore",
)

#: Our sort keys and the Hub's names for them (it cannot sort by parameter count).
HUB_SORT: dict[str, str] = {
    "downloads": "downloads",
    "likes": "likes",
    "trending": "trendingScore",
    "created": "createdAt",
    "modified": "lastModified",
}
_MAX_REQUESTS = 16
#: The most pages one request of a search may walk (1000 models each at most): a server whose
#: pagination never ends is cut off here even when each page brings new models.
MAX_PAGES = 100


class HubError(RuntimeError):
    """The Hub could not answer (unreachable, timed out, an HTTP error after retries, bad JSON)."""


def hub_sort(sort: str) -> str | None:
    """The Hub's sort parameter for one of our sort keys (None: the Hub cannot sort by it)."""
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort key {sort!r}; choose one of: {', '.join(SORT_KEYS)}")
    return HUB_SORT.get(sort)


def iter_model_pages(
    endpoint: str,
    params: list[tuple[str, Any]],
    *,
    token: str | bool | None = None,
    timeout: float | None = 10.0,
    next_url: str | None = None,
    deadline: _http.Deadline | None = None,
    max_retry_wait: float = 10.0,
    max_pages: int | None = MAX_PAGES,
) -> Iterator[tuple[list[dict[str, Any]], str | None]]:
    """Pages of ``GET {endpoint}/api/models``: yields (records, url of the next page or None).

    Uses huggingface_hub's session and headers with the retries of ``http_backoff``, within
    ``deadline`` (the whole walk, retries and waits included; see :mod:`._http`), a
    ``Retry-After`` over ``max_retry_wait`` seconds given up at once, and the walk guarded
    against pagination that never ends. A next-page link to another origin is followed without
    the token. Every failure is a :class:`HubError` of one line.
    """
    deadline = deadline or _http.Deadline(None)
    home = endpoint.rstrip("/")
    headers = build_hf_headers(token=token)
    _redact.remember(token)
    url: str | None = next_url or f"{home}/api/models"
    first = next_url is None
    walk = _http.PageWalk(max_pages=max_pages)
    seen: set[str] = set()
    while url is not None:
        try:
            data, response = _http.get_json(
                url,
                params=params if first else None,
                headers=_http.headers_for(url, home, headers),
                deadline=deadline,
                timeout=timeout,
                max_retry_wait=max_retry_wait,
                secrets=[token],
            )
            page = _http.model_page(data)
            nxt = _http.next_link(response)
            fresh = [rec["id"] for rec in page if rec["id"] not in seen]
            seen.update(fresh)
            walk.step(str(response.url), len(fresh), nxt)
        except _http.FetchError as err:
            raise HubError(_fetch_message(home, err)) from None
        except ValueError as err:  # not a page of models
            raise HubError(f"the Hub at {home} sent a bad page: {err}") from None
        url, first = nxt, False
        yield page, url


class HubCatalog(Searchable):
    """The live Hub, with the same search methods as :class:`Catalog`.

    Args:
        endpoint: the Hub's URL (default: ``HF_ENDPOINT`` or https://huggingface.co).
        token: a Hugging Face token, or None to use the saved one.
        timeout: seconds to wait for each connection and each read.
        max_results: how many matches ``count``, ``facets`` and ``sort="params"`` look at.
        deadline: seconds one call (a search, a count, a facets, a model look-up) may take in
            all, retries and waits included; None for no limit.
        max_retry_wait: the longest ``Retry-After`` (seconds) a rate-limited call waits; a
            server asking for more is reported at once with what it said.
    """

    source = "hub"

    def __init__(
        self,
        endpoint: str | None = None,
        token: str | bool | None = None,
        *,
        timeout: float | None = 10.0,
        max_results: int = 1000,
        deadline: float | None = 30.0,
        max_retry_wait: float = 10.0,
    ):
        self.endpoint = (endpoint or constants.ENDPOINT).rstrip("/")
        self.token = token
        _redact.remember(token)
        self.timeout = timeout
        self.max_results = max_results
        _http.Deadline(deadline)  # checked now, not at the first search
        if not (isinstance(max_retry_wait, (int, float)) and max_retry_wait >= 0):
            raise ValueError(f"max_retry_wait must be seconds >= 0, not {max_retry_wait!r}")
        self.deadline = deadline
        self.max_retry_wait = float(max_retry_wait)
        self.api = HfApi(endpoint=self.endpoint, token=token)
        self.fetched_at = datetime.now(timezone.utc)
        self.meta: dict[str, Any] = {"origin": self.endpoint}
        #: True when the last count/facets stopped at ``max_results`` (the Hub has more).
        self.capped = False
        self._fetched: list[pd.DataFrame] = []  # each page of results, as fetched
        self._ids: set[str] = set()
        self._cards: dict[str, str] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<HubCatalog live from {self.endpoint}>"

    def __len__(self) -> int:
        """How many models this session has fetched (the Hub's total is not known)."""
        return len(self._ids)

    @property
    def df(self) -> pd.DataFrame:
        """Every model fetched so far in this session, in the schema's columns (sorted by id)."""
        with self._lock:
            frames = list(self._fetched)
        if not frames:
            return empty_frame()
        # Catalog keeps the latest row of each id, sorted by id
        return Catalog(pd.concat(frames, ignore_index=True), source="hub").df

    def describe_source(self) -> str:
        return f"live Hub at {self.endpoint}"

    def to_parquet(self, path: str, **meta: Any) -> Any:
        """Write the models fetched so far as a snapshot file."""
        return Catalog(self.df, source="hub", meta=self.meta).to_parquet(path, **meta)

    # -- requests ----------------------------------------------------------------------------
    def _requests(self, q: Query) -> list[list[tuple[str, Any]]]:
        """The query as Hub requests: one per combination of the any-of values."""
        words = sorted(q.words, key=len, reverse=True)
        base: list[tuple[str, Any]] = [("expand[]", p) for p in EXPAND]
        if words:
            base.append(("search", words[0]))
        sort = hub_sort(q.sort)
        if sort is not None:
            base += [("sort", sort), ("direction", -1)]
        if q.gated is not None:
            base.append(("gated", str(q.gated).lower()))
        if q.min_params is not None or q.max_params is not None:
            bounds = []
            if q.min_params is not None:
                bounds.append(f"min:{q.min_params}")
            if q.max_params is not None:
                bounds.append(f"max:{q.max_params}")
            base.append(("num_parameters", ",".join(bounds)))
        choices: list[list[tuple[str, str]]] = []
        for field, param, prefix in (
            ("task", "pipeline_tag", ""),
            ("author", "author", ""),
            ("library", "filter", ""),
            ("language", "filter", ""),
            ("license", "filter", "license:"),
            ("tags", "filter", ""),
            ("provider", "inference_provider", ""),
        ):
            values = getattr(q, field)
            if values is not None:
                choices.append([(param, prefix + v) for v in values])
        needed = math.prod(len(c) for c in choices)  # counted before any is built
        if needed > _MAX_REQUESTS:
            raise ValueError(
                f"the live Hub combines filters with AND, so these any-of lists need {needed:,} "
                f"requests (at most {_MAX_REQUESTS}); narrow them, or search a snapshot"
            )
        combos = list(itertools.product(*choices)) if choices else [()]
        return [base + list(combo) for combo in combos]

    def _stream(
        self, params: list[tuple[str, Any]], page_size: int, deadline: _http.Deadline
    ) -> Iterator[dict[str, Any]]:
        for page, _ in iter_model_pages(
            self.endpoint,
            [*params, ("limit", page_size)],
            token=self.token,
            timeout=self.timeout,
            deadline=deadline,
            max_retry_wait=self.max_retry_wait,
        ):
            yield from page

    def _deadline(self) -> _http.Deadline:
        return _http.Deadline(self.deadline)

    def _matches(self, q: Query, want: int, deadline: _http.Deadline | None = None) -> pd.DataFrame:
        """Up to ``want`` matching models, in the query's order, as schema rows."""
        page_size = max(1, min(1000, want))
        deadline = deadline or self._deadline()
        streams = [self._stream(p, page_size, deadline) for p in self._requests(q)]
        words = tuple(sorted(q.words, key=len, reverse=True)[1:])  # the longest went to the Hub
        key = SORT_KEYS[q.sort]
        records: list[dict[str, Any]] = []
        seen: set[str] = set()
        merged = streams[0] if len(streams) == 1 else heapq.merge(*streams, key=_merge_key(q.sort))
        for rec in merged:
            model_id = rec.get("id") or rec.get("modelId")
            if not model_id or model_id in seen:
                continue
            if not all(w in model_id.lower() for w in words):
                continue
            seen.add(model_id)
            records.append(rec)
            if len(records) >= want:
                break
        now = datetime.now(timezone.utc)
        df, cards = normalize_records(records, source="hub", fetched_at=now)
        if len(df):
            with self._lock:
                self._fetched.append(df)
                self._ids.update(str(i) for i in df["id"])
                self._cards.update(cards)
        if hub_sort(q.sort) is None and len(df):
            values = df[key]
            order = np.lexsort((df["id"].to_numpy(dtype=object), sort_key(values)))
            df = df.iloc[order].reset_index(drop=True)
        return df

    # -- the Catalog API ---------------------------------------------------------------------
    def _search(self, q: Query) -> pd.DataFrame:
        stop = self.max_results if q.limit is None else q.offset + q.limit
        # sort="params" is sorted here, over the first max_results matches
        want = stop if hub_sort(q.sort) is not None else max(stop, self.max_results)
        return self._matches(q, want).iloc[q.offset : stop].reset_index(drop=True)

    def _count(self, q: Query) -> int:
        n = len(self._matches(q, self.max_results))
        self.capped = n >= self.max_results
        return n

    def _facets(self, q: Query, top: int | None) -> pd.DataFrame:
        frames = []
        capped = False
        deadline = self._deadline()  # one deadline for the whole call
        for facet in FACETS:
            rows = self._matches(q.without(facet), self.max_results, deadline)
            capped |= len(rows) >= self.max_results
            if len(rows):
                part = Catalog(rows, source="hub").facets(top=top)
                frames.append(part[part["facet"] == facet])
        self.capped = capped
        return pd.concat(frames, ignore_index=True) if frames else empty_facets()

    def model(
        self, model_id: str, *, deadline: float | Literal["catalog"] | None = "catalog"
    ) -> pd.Series:
        """One model's full record from ``/api/models/{id}``, with its card text (README.md).

        Args:
            model_id: the model's id (``owner/name``).
            deadline: seconds the whole look-up (record and card, retries and waits included)
                may take; ``"catalog"`` (the default): the catalog's ``deadline`` (30 s
                unless set), as for ``search``, ``count`` and ``facets``; None for no limit.

        Raises:
            UnknownModelError: the Hub does not have it (or it is private to another account).
            HubError: the Hub did not answer within the deadline (the message says what to do),
                answered with an error after retries, or sent something that is not a record.
        """
        if not isinstance(model_id, str):
            raise TypeError(f"model id must be a string, not {type(model_id).__name__}")
        validate_repo_id(model_id)  # a ValueError naming what is wrong with the id
        clock = self._deadline() if deadline == "catalog" else _http.Deadline(deadline)
        url = f"{self.endpoint}/api/models/{model_id}"
        # one model: its file list too (list queries leave it out: too heavy)
        params = [("expand", p) for p in (*EXPAND, "siblings", "config")]  # as model_info asks
        try:
            data, _ = _http.get_json(
                url,
                params=params,
                headers=build_hf_headers(token=self.token),
                deadline=clock,
                timeout=self.timeout,
                max_retry_wait=self.max_retry_wait,
                secrets=[self.token],
            )
        except _http.FetchError as err:
            raise self._model_error(model_id, err, clock) from None
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise HubError(
                f"the Hub at {self.endpoint} sent a bad record for {model_id!r}: "
                f"not a model with an id (got {type(data).__name__})"
            )
        df, cards = normalize_records([data], source="hub")
        row = df.iloc[0].copy()
        row["card"] = cards.get(model_id) or self._card(model_id, clock)
        return row

    def _model_error(
        self, model_id: str, err: _http.FetchError, clock: _http.Deadline
    ) -> Exception:
        """What a failed look-up of one model raises: unknown, out of time, or the Hub's error."""
        # the Hub answers 401 for a repo it will not show this caller (as 404: not found),
        # except when the token itself is refused
        refused = "invalid credentials" in err.said.lower()
        if err.kind == "http" and (err.status == 404 or (err.status == 401 and not refused)):
            return UnknownModelError(
                f"{model_id!r} is not on the Hub at {self.endpoint} (or is private or gated "
                "for this token)"
            )
        if err.kind == "deadline":
            return HubError(
                f"the Hub at {self.endpoint} did not answer for {model_id!r} within "
                f"{clock} (the deadline); try again later, allow longer with "
                "HubCatalog(deadline=...) or model(..., deadline=...), or work offline from a "
                "snapshot: hw.open_catalog('snapshot') (refresh one with "
                "'hubwidgets snapshot pull')"
            )
        return HubError(_fetch_message(self.endpoint, err))

    def _card(self, model_id: str, clock: _http.Deadline | None = None) -> Any:
        if model_id in self._cards:
            return self._cards[model_id]
        url = f"{self.endpoint}/{model_id}/resolve/main/README.md"
        try:
            body, response = _http.get(
                url,
                headers=build_hf_headers(token=self.token),
                deadline=clock or self._deadline(),
                timeout=self.timeout,
                max_retries=1,
                max_retry_wait=self.max_retry_wait,
            )
        except _http.FetchError:
            return pd.NA
        if response.status_code != 200:
            return pd.NA
        text = body.decode("utf-8", errors="replace")
        self._cards[model_id] = text
        return text


def _fetch_message(endpoint: str, err: _http.FetchError) -> str:
    """One line for a failed page: which Hub, what happened, what it said (redacted)."""
    if err.kind == "http" and err.status is not None:
        head = f"the Hub at {endpoint} answered HTTP {err.status}"
        if err.status == 429:
            head += " (rate limited; retried after Retry-After and still refused)"
        elif err.status >= 500:
            head += " (a server error; retried with backoff)"
        return head + (f": {err.said}" if err.said else "")
    if err.kind == "json":
        return f"the Hub at {endpoint} sent {err}"
    if err.kind == "deadline":
        return f"the Hub at {endpoint} {err}"
    if err.kind in ("timeout", "connection"):
        return f"the Hub at {endpoint} did not answer: {err}"
    return f"the Hub at {endpoint}: {err}"


def _merge_key(sort: str) -> Any:
    """Key for merging several Hub result streams that are each sorted descending by ``sort``."""
    field = {
        "downloads": "downloads",
        "likes": "likes",
        "trending": "trendingScore",
        "created": "createdAt",
        "modified": "lastModified",
        "params": None,
    }[sort]

    def key(rec: dict[str, Any]) -> tuple[Any, ...]:
        value = rec.get(field) if field else None
        if value is None:
            return (1, 0, rec.get("id", ""))
        if isinstance(value, str):  # ISO dates: invert so that the newest comes first
            stamp = pd.Timestamp(value).value
            return (0, -stamp, rec.get("id", ""))
        return (0, -float(value), rec.get("id", ""))

    return key
