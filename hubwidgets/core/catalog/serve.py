"""A read-only, Hub-compatible mirror of a snapshot: ``hubwidgets serve SNAPSHOT``.

Why: a snapshot makes the Hub's model list available offline to hubwidgets, but nothing else on
an air-gapped network can use it. :class:`Mirror` serves the Hub's model listing and model info
routes over a snapshot, so any ``huggingface_hub`` client pointed at it (``HF_ENDPOINT`` or
``HfApi(endpoint=...)``) lists and searches models, and ``hw.open_catalog("hub", endpoint=...)``
works against it.

Served (GET and HEAD; anything else answers 405):

* ``/api/models`` -- ``search`` (words that must all appear in the id, as on the Hub), ``author``,
  ``filter`` (repeatable, all must match: a tag, a library, a pipeline tag, ``license:x`` or a
  language), ``pipeline_tag``, ``gated``, ``num_parameters`` (``min:7B,max:70B``),
  ``inference`` (``warm``), ``inference_provider``; ``sort`` (``downloads``, ``likes``,
  ``trendingScore``, ``createdAt``, ``lastModified``; the client's snake_case names too) with
  ``direction=-1`` (descending, the only order the Hub's clients ask for); ``limit`` (the page
  size, at most :data:`MAX_PAGE_SIZE`); cursor paging through ``Link: <...>; rel="next"``;
  ``expand``/``expand[]``, ``full``, ``cardData`` and ``config`` accepted.
* ``/api/models/{id}`` and ``/api/models/{id}/revision/{rev}`` (``main`` or the snapshot's sha)
  -- the model's record in the Hub's JSON shape.
* ``/{id}/resolve/{rev}/README.md`` -- the model card when the snapshot holds it.

Errors have the Hub's shape: ``{"error": "..."}`` with the Hub's status (400 for bad parameters,
404 with ``X-Error-Code: RepoNotFound`` for an unknown model). Each request is logged in one line.

Searches use the catalog's index (no pandas scans), so a page over millions of models answers in
milliseconds. What a snapshot does not hold is left out of the JSON, never invented; the few
values the schema keeps coarser than the Hub (``gated`` is a yes/no, served as ``"auto"``;
``inference`` False is served as ``"cold"``; a provider's own model id is unknown, ``null``) are
documented here.

Only the standard library, numpy and pandas: this module imports without any widget library.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, parse_qsl, unquote, urlencode, urlsplit

import numpy as np
import pandas as pd
import pyarrow as pa

from ._hub_api import MAX_PAGE_SIZE
from ._hub_api import ApiError as HubError
from ._hub_api import decode_cursor as _decode_cursor
from ._hub_api import encode_cursor as _encode_cursor
from ._hub_api import expand_list as _expand
from ._hub_api import parse_num_parameters as _num_parameters
from ._hub_api import single as _single
from ._hub_api import truthy as _truthy
from ._index import intersect
from .catalog import Catalog

__all__ = ["MAX_PAGE_SIZE", "Mirror", "serve"]

logger = logging.getLogger(__name__)

#: ``sort=`` values (the Hub's names and huggingface_hub's snake_case ones) -> our sort keys.
SORTS: dict[str, str] = {
    "downloads": "downloads",
    "likes": "likes",
    "trendingScore": "trending",
    "trending_score": "trending",
    "createdAt": "created",
    "created_at": "created",
    "lastModified": "modified",
    "last_modified": "modified",
}

DEFAULT_FIELDS = (
    "id",
    "likes",
    "trendingScore",
    "private",
    "downloads",
    "tags",
    "pipeline_tag",
    "library_name",
    "createdAt",
    "modelId",
)
FULL_FIELDS = ("author", "sha", "lastModified", "gated", "siblings")
#: Every field a model info answer carries (those the snapshot knows).
INFO_FIELDS = (
    "id",
    "modelId",
    "author",
    "sha",
    "lastModified",
    "createdAt",
    "private",
    "gated",
    "downloads",
    "downloadsAllTime",
    "likes",
    "trendingScore",
    "tags",
    "pipeline_tag",
    "library_name",
    "cardData",
    "safetensors",
    "inference",
    "inferenceProviderMapping",
    "siblings",
)

_HOST_RE = re.compile(r"[A-Za-z0-9.\-]{1,253}(:\d{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?")
_INFO_RE = re.compile(r"^/api/models/(?P<id>[^/]+(?:/[^/]+)?)(?:/revision/(?P<rev>[^/]+))?/?$")
_RESOLVE_RE = re.compile(r"^/(?P<id>[^/]+(?:/[^/]+)?)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")
_COLUMNS = (
    "id",
    "author",
    "task",
    "library",
    "languages",
    "license",
    "tags",
    "downloads",
    "downloads_all_time",
    "likes",
    "trending_score",
    "created_at",
    "last_modified",
    "params",
    "gated",
    "private",
    "base_models",
    "inference",
    "providers",
    "sha",
    "files",
    "scans_done",
    "files_with_issues",
)


class Mirror:
    """A snapshot served over HTTP as a read-only, Hub-compatible model API.

    Args:
        snapshot: a snapshot file (or an open :class:`Catalog`).
        host: the address to listen on (default: loopback only).
        port: the port (0: any free one; see :attr:`endpoint`).
        log: a text stream for the request log (one line per request); None logs through the
            ``hubwidgets.core.catalog.serve`` logger at INFO.
        max_page_size: the most models one page holds (``limit`` above it is capped).

    Use it as a context manager, or :meth:`start` / :meth:`stop` (and :meth:`wait` to block).
    """

    def __init__(
        self,
        snapshot: str | Path | Catalog,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log: TextIO | None = None,
        max_page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an integer from 0 to 65535, not {port!r}")
        if isinstance(max_page_size, bool) or not isinstance(max_page_size, int):
            raise TypeError(f"max_page_size must be an int, not {max_page_size!r}")
        if not 1 <= max_page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"max_page_size must be from 1 to {MAX_PAGE_SIZE}")
        if isinstance(snapshot, Catalog):
            self.catalog = snapshot
        elif isinstance(snapshot, (str, Path)):
            self.catalog = Catalog.read_parquet(snapshot)
        else:
            raise TypeError(
                f"snapshot must be a snapshot file or a Catalog, not {type(snapshot).__name__}"
            )
        self.host = host
        self.max_page_size = max_page_size
        self._port = port
        self._log = log
        self._log_lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        index = self.catalog.index  # built now, not during the first request
        self._ix = index
        self._n = len(self.catalog)
        ids = self.catalog.df["id"]
        self._positions = pd.Index(ids.astype(str).to_numpy(dtype=object))
        self._ids = ids.astype(str).to_numpy(dtype=object)
        self._all = np.arange(self._n, dtype=np.int32)
        # private models are never listed (an anonymous caller of the Hub does not see them)
        private = self.catalog.df["private"].to_numpy(dtype="int8", na_value=0) == 1
        self._private = np.flatnonzero(private).astype(np.int32)
        self._public = np.flatnonzero(~private).astype(np.int32) if private.any() else None
        self._union_cache: dict[str, np.ndarray] = {}
        self._cache_lock = threading.Lock()
        if self._n:
            self._positions.get_loc(self._ids[0])  # builds the id hash table now
        self.requests = 0  #: requests answered so far

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> Mirror:
        """Listen and serve in a daemon thread; returns self. OSError when the port is taken."""
        if self._httpd is not None:
            return self
        self._httpd = _Server((self.host, self._port), self)
        self._stopped.clear()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"hubwidgets-mirror:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every open connection."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        httpd.shutdown()
        with httpd.connections_lock:
            connections = list(httpd.connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._httpd = self._thread = None
        self._stopped.set()

    def wait(self) -> None:
        """Block until :meth:`stop` (from another thread) or Ctrl-C."""
        while not self._stopped.wait(0.5):
            pass

    def __enter__(self) -> Mirror:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the mirror is not running; call start() or use it with `with`")
        return int(self._httpd.server_address[1])

    @property
    def endpoint(self) -> str:
        """The base URL to give clients (``HF_ENDPOINT``), e.g. ``http://127.0.0.1:8000``."""
        host = self.host if self.host not in ("", "0.0.0.0", "::") else "127.0.0.1"  # noqa: S104
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def describe(self) -> str:
        return self.catalog.describe_source()

    # -- answering -----------------------------------------------------------------------------
    def handle(
        self, method: str, target: str, host: str | None = None
    ) -> tuple[int, list[tuple[str, str]], bytes, str]:
        """Answer one request: (status, headers, body, a note for the log line). ``host`` is
        the request's ``Host`` header: next-page links point where the client reached the
        mirror (another machine of the network, not this one's loopback)."""
        parts = urlsplit(target)
        try:
            if method not in ("GET", "HEAD"):
                raise HubError(405, f"Method {method} not allowed: this mirror is read-only")
            path = parts.path
            if path in ("/api/models", "/api/models/"):
                base = f"http://{host}" if host and _HOST_RE.fullmatch(host) else self.endpoint
                return self._list(parts.query, base)
            match = _INFO_RE.match(path)
            if match:
                rev = unquote(match["rev"]) if match["rev"] else None
                return self._info(unquote(match["id"]), rev, parts.query)
            match = _RESOLVE_RE.match(path)
            if match:
                return self._resolve(unquote(match["id"]), unquote(match["rev"]), match["file"])
            raise HubError(404, "Not Found")
        except HubError as err:
            headers = [("Content-Type", "application/json; charset=utf-8")]
            if err.code:
                headers.append(("X-Error-Code", err.code))
                safe = err.message.encode("ascii", "backslashreplace").decode("ascii")
                headers.append(("X-Error-Message", safe))
            body = json.dumps({"error": err.message}).encode()
            return err.status, headers, body, err.message

    def _list(self, raw: str, base: str) -> tuple[int, list[tuple[str, str]], bytes, str]:
        query = parse_qs(raw, keep_blank_values=True)
        expand = _expand(query)
        if expand is not None and any(
            _truthy(query.get(k)) for k in ("full", "config", "cardData")
        ):
            raise HubError(400, "'expand' cannot be combined with 'full', 'config' or 'cardData'")
        limit_text = _single(query, "limit")
        try:
            limit = self.max_page_size if limit_text is None else int(limit_text)
        except ValueError:
            raise HubError(400, f"Invalid limit: {limit_text!r} is not an integer") from None
        if limit < 1:
            raise HubError(400, f"Invalid limit: {limit_text!r} (must be at least 1)")
        size = min(limit, self.max_page_size)
        cursor = _single(query, "cursor")
        offset = _decode_cursor(cursor) if cursor else 0
        sort = self._sort(query)
        picked, more = self._page(query, sort, offset, size)
        if expand is not None:
            fields: tuple[str, ...] = ("id", *expand)
        else:
            fields = DEFAULT_FIELDS
            if _truthy(query.get("full")):
                fields += FULL_FIELDS
            if _truthy(query.get("cardData")):
                fields += ("cardData",)
        items = [_record(row, fields, listing=True) for row in self._row_dicts(picked)]
        headers = [("Content-Type", "application/json; charset=utf-8")]
        if more:
            pairs = [(k, v) for k, v in parse_qsl(raw, keep_blank_values=True) if k != "cursor"]
            pairs.append(("cursor", _encode_cursor(offset + size)))
            headers.append(("Link", f'<{base}/api/models?{urlencode(pairs)}>; rel="next"'))
        return 200, headers, json.dumps(items).encode(), f"{len(items)} models"

    def _sort(self, query: Mapping[str, list[str]]) -> str:
        sort = _single(query, "sort")
        direction = _single(query, "direction")
        if direction is not None and direction.strip() != "-1":
            raise HubError(400, f"Invalid direction: {direction!r} (this mirror sorts with -1)")
        if sort is None or sort == "":
            return "trending"
        if sort not in SORTS:
            raise HubError(
                400, f"Invalid sort parameter: {sort!r} (valid: {', '.join(sorted(SORTS))})"
            )
        return SORTS[sort]

    def _rows(self, query: Mapping[str, list[str]]) -> np.ndarray | None:  # noqa: C901, PLR0912
        """Row positions matching every filter (None: all rows), ascending."""
        ix = self._ix
        cols = ix.columns
        sets: list[np.ndarray] = []

        def values(col: str, wanted: list[str]) -> np.ndarray:
            return cols[col].rows_for(wanted)

        author = _single(query, "author")
        if author:
            sets.append(values("author", [author]))
        task = _single(query, "pipeline_tag")
        if task:
            sets.append(values("task", [task]))
        for wanted in query.get("filter", []):
            for value in (v for v in wanted.split(",") if v):
                found = [values("tags", [value]), values("library", [value])]
                found += [values("task", [value]), values("languages", [value])]
                if value.startswith("license:"):
                    found.append(values("license", [value.split(":", 1)[1]]))
                sets.append(self._union(value, found))
        providers = [p for v in query.get("inference_provider", []) for p in v.split(",") if p]
        if providers:
            if "all" in providers:
                have = cols["providers"].values
                sets.append(values("providers", list(have)))
            else:
                sets.append(values("providers", providers))
        rows: np.ndarray | None = None
        for s in sorted(sets, key=len):
            rows = s if rows is None else intersect(rows, s, ix.k)
        if self._private.size:  # never listed: an anonymous caller of the Hub does not see them
            rows = self._public if rows is None else rows[~np.isin(rows, self._private)]
        gated = _single(query, "gated")
        if gated is not None:
            flag = gated.strip().lower()
            if flag not in ("true", "false"):
                raise HubError(400, f"Invalid gated value: {gated!r} (true or false)")
            part = ix.gated.get(1 if flag == "true" else 0)
            rows = part if rows is None else intersect(rows, part, ix.k)
        inference = _single(query, "inference")
        if inference:
            if inference not in ("warm", "cold"):
                raise HubError(400, f"Invalid inference value: {inference!r} (warm or cold)")
            flags = self.catalog.df["inference"].to_numpy(dtype="int8", na_value=-1)
            part = np.flatnonzero(flags == (1 if inference == "warm" else 0)).astype(np.int32)
            rows = part if rows is None else intersect(rows, part, ix.k)
        spec = _single(query, "num_parameters")
        if spec:
            lo, hi = _num_parameters(spec)
            rows = ix.params_rows(
                None if lo is None else int(lo), None if hi is None else int(hi), rows
            )
        return rows

    def _union(self, value: str, parts: list[np.ndarray]) -> np.ndarray:
        """Ascending rows in any of ``parts`` (each ascending): the rows one ``filter`` value
        matches. A union over millions of rows is kept for the next request (filter values are
        few: libraries, tasks, licenses), at most 16 of them."""
        parts = [p for p in parts if p.size]
        if len(parts) <= 1:
            return parts[0] if parts else self._all[:0]
        with self._cache_lock:
            cached = self._union_cache.get(value)
        if cached is not None:
            return cached
        mask = np.zeros(self._n, dtype=bool)
        for part in parts:
            mask[part] = True
        found = np.flatnonzero(mask).astype(np.int32)
        with self._cache_lock:
            if len(self._union_cache) >= 16:
                self._union_cache.pop(next(iter(self._union_cache)))
            self._union_cache[value] = found
        return found

    def _page(
        self, query: Mapping[str, list[str]], sort: str, offset: int, size: int
    ) -> tuple[np.ndarray, bool]:
        """The rows of one page in ``sort`` order, and whether more follow. Search words are
        matched by walking the sort order when that is cheap (a common word, a first page), else
        through the trigram index, as the catalog's own search does."""
        ix = self._ix
        rows = self._rows(query)
        words = list(dict.fromkeys((_single(query, "search") or "").lower().split()))
        stop = offset + size + 1  # one more than the page: whether a next page exists
        picked = None
        if words:
            budget = min(self._n, max(stop * 64, 100_000))
            found = ix.scan(sort, words, rows, stop, budget)
            if found is not None:
                picked = found[offset:stop]
        if picked is None:
            for word in sorted(words, key=ix.estimate):
                if rows is not None and rows.size == 0:
                    break
                rows = ix.word_rows(word, within=rows)
            total = self._n if rows is None else int(rows.size)
            picked = ix.top(rows, sort, offset, stop) if offset < total else self._all[:0]
        return picked[:size], len(picked) > size

    def _row_dicts(self, positions: np.ndarray) -> list[dict[str, Any]]:
        """The rows at ``positions`` as dicts of plain Python values (None for missing),
        converted column by column through Arrow (a page of 1000 in a few milliseconds)."""
        arrays = self.catalog._arrays
        columns: dict[str, list[Any]] = {}
        for name in _COLUMNS:
            taken = arrays[name].take(positions)
            if name in ("created_at", "last_modified"):  # ISO text as the Hub writes it
                naive = taken.tz_convert("UTC").tz_localize(None).to_numpy()
                text = np.datetime_as_string(naive.astype("datetime64[ms]"), unit="ms")
                columns[name] = [None if t == "NaT" else f"{t}Z" for t in text.tolist()]
            else:
                columns[name] = pa.array(taken, from_pandas=True).to_pylist()
        return [
            dict(zip(columns, vals, strict=True)) for vals in zip(*columns.values(), strict=True)
        ]

    def _lookup(self, model_id: str) -> dict[str, Any]:
        try:
            pos = self._positions.get_loc(model_id)
        except KeyError:
            raise HubError(404, "Repository not found", "RepoNotFound") from None
        if not isinstance(pos, (int, np.integer)):
            raise HubError(404, "Repository not found", "RepoNotFound")
        row = self._row_dicts(np.array([pos], dtype=np.int32))[0]
        if row.get("private") is True:
            raise HubError(404, "Repository not found", "RepoNotFound")
        return row

    def _info(
        self, model_id: str, revision: str | None, raw: str
    ) -> tuple[int, list[tuple[str, str]], bytes, str]:
        row = self._lookup(model_id)
        _check_revision(row, revision)
        query = parse_qs(raw, keep_blank_values=True)
        expand = _expand(query)
        fields = ("id", *expand) if expand is not None else INFO_FIELDS
        data = _record(row, fields, listing=False)
        if _truthy(query.get("securityStatus")):
            status = _security(row)
            if status is not None:
                data["securityRepoStatus"] = status
        headers = [("Content-Type", "application/json; charset=utf-8")]
        return 200, headers, json.dumps(data).encode(), model_id

    def _resolve(
        self, model_id: str, revision: str, filename: str
    ) -> tuple[int, list[tuple[str, str]], bytes, str]:
        row = self._lookup(model_id)
        _check_revision(row, revision)
        card = self.catalog._cards.get(model_id)
        if filename != "README.md" or card is None:
            raise HubError(
                404,
                f"{filename} is not in this mirror (it holds model cards only)",
                "EntryNotFound",
            )
        headers = [("Content-Type", "text/plain; charset=utf-8")]
        return 200, headers, card.encode("utf-8"), filename

    # -- the request log -----------------------------------------------------------------------
    def log_request(
        self, client: str, method: str, target: str, status: int, ms: float, note: str
    ) -> None:
        shown = target if len(target) <= 300 else target[:300] + "..."
        line = f"{client} {method} {shown} {status} {ms:.1f}ms {note}".rstrip()
        line = line.encode("ascii", "backslashreplace").decode("ascii")  # no escapes reach a tty
        if self._log is None:
            logger.info("%s", line)
            return
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._log_lock:
            try:
                self._log.write(f"{stamp} {line}\n")
                self._log.flush()
            except (OSError, ValueError):
                pass


def serve(
    snapshot: str | Path, *, host: str = "127.0.0.1", port: int = 8000, log: TextIO | None = None
) -> None:
    """Serve ``snapshot`` until Ctrl-C (what ``hubwidgets serve`` runs)."""
    mirror = Mirror(snapshot, host=host, port=port, log=log).start()
    try:
        mirror.wait()
    finally:
        mirror.stop()


# ---------------------------------------------------------------------------------------------
# The HTTP server
# ---------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], mirror: Mirror) -> None:
        self.mirror = mirror
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle keep-alive connection is closed after this
    disable_nagle_algorithm = True
    server: _Server
    server_version = "hubwidgets-mirror"

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """The default access log is replaced by :meth:`Mirror.log_request`."""

    def _handle(self) -> None:
        start = time.perf_counter()
        mirror = self.server.mirror
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, 1 << 20))
            if length > 1 << 20:
                self.close_connection = True
        try:
            status, headers, body, note = mirror.handle(
                self.command, self.path, self.headers.get("Host")
            )
        except Exception as err:  # a bug must answer 500, not drop the connection
            logger.exception("mirror: error answering %s %s", self.command, self.path)
            status, body, note = 500, json.dumps({"error": "Internal error"}).encode(), repr(err)
            headers = [("Content-Type", "application/json; charset=utf-8")]
        try:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError):
            self.close_connection = True
        mirror.requests += 1
        ms = (time.perf_counter() - start) * 1000
        mirror.log_request(self.client_address[0], self.command, self.path, status, ms, note)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle


# ---------------------------------------------------------------------------------------------
# Parameters and the Hub's JSON shape
# ---------------------------------------------------------------------------------------------


def _check_revision(row: Mapping[str, Any], revision: str | None) -> None:
    if revision in (None, "main", "refs/heads/main") or revision == row.get("sha"):
        return
    raise HubError(
        404,
        f"Invalid rev id: {revision} (this mirror holds one revision of each model: main)",
        "RevisionNotFound",
    )


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and np.isnan(value)


def _iso(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        moment = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(
            timezone.utc
        )
    else:
        moment = pd.Timestamp(value).tz_convert("UTC").to_pydatetime()
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _card_data(row: Mapping[str, Any]) -> dict[str, Any] | None:
    card = {
        "license": row["license"],
        "language": list(row["languages"]) if row["languages"] is not None else None,
        "base_model": list(row["base_models"]) if row["base_models"] else None,
    }
    return {k: v for k, v in card.items() if v is not None} or None


def _providers(row: Mapping[str, Any], listing: bool) -> Any:
    """The list shape in listings, the dict shape in model info (as on the Hub); the provider's
    own model id is not kept in a snapshot: null."""
    if row["providers"] is None:
        return None
    if listing:
        return [
            {"provider": p, "providerId": None, "status": "live", "task": row["task"]}
            for p in row["providers"]
        ]
    return {
        p: {"providerId": None, "status": "live", "task": row["task"]} for p in row["providers"]
    }


def _flag(value: Any, yes: Any, no: Any) -> Any:
    return None if value is None else (yes if value else no)


_FIELDS: dict[str, Any] = {
    "id": lambda r, _: r["id"],
    "modelId": lambda r, _: r["id"],
    "author": lambda r, _: r["author"],
    "sha": lambda r, _: r["sha"],
    "lastModified": lambda r, _: _iso(r["last_modified"]),
    "createdAt": lambda r, _: _iso(r["created_at"]),
    "private": lambda r, _: r["private"],
    "gated": lambda r, _: _flag(r["gated"], "auto", False),
    "downloads": lambda r, _: r["downloads"],
    "downloadsAllTime": lambda r, _: r["downloads_all_time"],
    "likes": lambda r, _: r["likes"],
    "trendingScore": lambda r, _: r["trending_score"],
    "tags": lambda r, _: None if r["tags"] is None else list(r["tags"]),
    "pipeline_tag": lambda r, _: r["task"],
    "library_name": lambda r, _: r["library"],
    "cardData": lambda r, _: _card_data(r),
    "safetensors": lambda r, _: _flag(
        r["params"] is not None, {"parameters": {}, "total": r["params"]}, None
    ),
    "inference": lambda r, _: _flag(r["inference"], "warm", "cold"),
    "inferenceProviderMapping": _providers,
    "siblings": lambda r, _: None if r["files"] is None else [{"rfilename": f} for f in r["files"]],
}


def _record(
    row: Mapping[str, Any], fields: tuple[str, ...] | list[str], *, listing: bool
) -> dict[str, Any]:
    """A model in the Hub's JSON shape, with the fields asked for that the snapshot knows (the
    others, and expand properties a snapshot does not keep, are left out)."""
    out: dict[str, Any] = {}
    for name in fields:
        get = _FIELDS.get(name)
        if get is not None and name not in out:
            value = get(row, listing)
            if value is not None:
                out[name] = value
    return out


def _security(row: Mapping[str, Any]) -> dict[str, Any] | None:
    """``securityRepoStatus`` from the snapshot's scan columns (None: not known)."""
    if row["scans_done"] is None and row["files_with_issues"] is None:
        return None
    issues = []
    for text in row["files_with_issues"] or []:
        path, _, level = str(text).rpartition(" (")
        issues.append({"path": path or text, "level": level.rstrip(")") or "unknown"})
    out: dict[str, Any] = {"filesWithIssues": issues}
    if row["scans_done"] is not None:
        out["scansDone"] = row["scans_done"]
    return out
