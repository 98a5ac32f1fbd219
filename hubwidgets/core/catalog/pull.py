"""Pull a snapshot of the Hub's model list into a parquet file, resumably.

Why a snapshot: notebooks and widgets must work offline, fast and reproducibly, and the live
``/api/models`` listing is slow to walk (over a thousand pages for the whole Hub) and changes
under you. ``pull_snapshot`` walks it once, page by page, and writes a
:class:`~hubwidgets.core.catalog.catalog.Catalog` snapshot whose provenance says where and when it
was
taken and with which query.

Why resumable: a full crawl takes long enough that a dropped connection, a rate limit outlasting
the client's retries or a Ctrl-C is likely. Every finished page is therefore kept on disk in a
sidecar folder ``<path>.partial/`` (``page-00001.jsonl``... plus ``state.json`` with the
arguments and the next cursor URL of every crawl), each file written atomically, so re-running
the same command continues from the saved cursor instead of starting over.

The HTTP is ``huggingface_hub``'s own session and headers (``build_hf_headers``) with the
retry schedule of its ``http_backoff``, so proxies, user agent, tokens and offline mode behave as
everywhere else in the ecosystem; :mod:`._http` adds what a crawl needs to always end: a
deadline per page (retries and waits included), a cap on ``Retry-After``, loop detection along
the next-page links, and no token sent to another origin (see there). The page validation is
shared with the live catalog (:func:`._http.model_page`).

Only pandas, pyarrow and huggingface_hub are used: this module must import without any widget
library.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypedDict, cast
from urllib.parse import urlencode, urlsplit

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from huggingface_hub import constants
from huggingface_hub.utils import build_hf_headers

from .. import _redact
from . import _http, _store, vocab
from ._progress import PullProgress
from .catalog import Catalog, open_snapshot
from .hub import EXPAND, HUB_SORT
from .schema import arrow_schema, table_to_frame

__all__ = [
    "EXPAND",
    "MAX_PAGE_SIZE",
    "SORTS",
    "PullError",
    "partial_dir",
    "pull_snapshot",
    "snapshot_info",
]

logger = logging.getLogger(__name__)

#: Public sort names (those of ``hubwidgets.core.catalog.schema.SORT_KEYS`` the Hub can sort on)
#: and the
#: ``sort=`` value the Hub's ``/api/models`` expects for each.
#: Our sort keys and the Hub's names for them (the Hub cannot sort by parameter count).
SORTS: dict[str, str] = HUB_SORT

#: The Hub serves at most 1000 models per page of ``/api/models``.
MAX_PAGE_SIZE = 1000

#: Seconds to wait for a connection or a read before retrying. The client's session has no
#: timeout at all, and a crawl must not hang forever on a stalled connection; a page of 1000
#: expanded models takes a few seconds on the Hub, so this leaves a wide margin.
REQUEST_TIMEOUT = 60.0

#: Seconds one page may take in all (retries and rate-limit waits included) by default: a
#: server that trickles its answer a byte at a time is given up after this.
PAGE_DEADLINE = 300.0

#: The longest ``Retry-After`` (seconds) a pull waits by default; a server asking for more is
#: reported at once (the finished pages are kept, so re-running later resumes).
MAX_RETRY_WAIT = 120.0

_STATE_FORMAT = 1
_STATE_FILE = "state.json"


class PullError(RuntimeError):
    """A page could not be fetched even after retries; the pages before it are kept.

    Attributes:
        page: the 1-based number of the page that failed (counted across all tasks).
        task: the pipeline tag being crawled, or None for the whole listing.
        partial: the folder holding the finished pages, from which a re-run resumes.
    """

    def __init__(self, message: str, *, page: int, task: str | None, partial: Path) -> None:
        super().__init__(message)
        self.page = page
        self.task = task
        self.partial = partial


class _Crawl(TypedDict):
    """One listing walked page by page: the whole Hub, or one pipeline tag."""

    task: str | None
    next_url: str | None  # None once the crawl is finished
    pages: int
    rows: int


class _State(TypedDict):
    """The content of ``state.json``: enough to continue a pull exactly where it stopped."""

    format: int
    args: dict[str, Any]
    started_at: str
    pages: int
    rows: int
    crawls: list[_Crawl]


def partial_dir(path: str | os.PathLike[str]) -> Path:
    """The sidecar folder where an unfinished pull of ``path`` keeps its pages and cursor."""
    path = Path(path)
    return path.with_name(path.name + ".partial")


def pull_snapshot(
    path: str | os.PathLike[str],
    *,
    limit: int | None = None,
    sort: str = "downloads",
    tasks: Sequence[str] | None = None,
    endpoint: str | None = None,
    token: str | bool | None = None,
    page_size: int = MAX_PAGE_SIZE,
    progress: bool = True,
    resume: bool = True,
    timeout: float | None = PAGE_DEADLINE,
    max_retry_wait: float = MAX_RETRY_WAIT,
    since: str | os.PathLike[str] | None = None,
    full: bool = False,
) -> Path:
    """Crawl the Hub's model listing into a snapshot file at ``path``; return ``path``.

    Args:
        path: the parquet file to write (its folder is created if needed). The file is replaced
            atomically at the very end, so a failed pull never leaves a half-written snapshot.
        limit: the most models to keep in total (across all ``tasks``), in ``sort`` order.
            None walks the whole listing.
        sort: ``downloads``, ``likes``, ``trending``, ``created`` or ``modified``; always
            descending, so a ``limit`` keeps the top models.
        tasks: pipeline tags (e.g. ``["text-generation"]``); each is crawled separately with
            ``pipeline_tag=`` so the Hub does the filtering. None crawls every model.
        endpoint: the Hub's URL; defaults to ``huggingface_hub.constants.ENDPOINT`` (which
            honours ``HF_ENDPOINT``).
        token: as for ``huggingface_hub``: a token, False to send none, None for the local one.
            It is never written to disk and is not part of the resume key.
        page_size: models per request (1..1000). The Hub's maximum, 1000, means fewest requests.
        progress: show on stderr the models fetched so far, the rate and the task being
            crawled (an incremental pull: how far back in ``lastModified`` it has gone, and
            where it stops): a line redrawn in place on a terminal, a plain line every 10 s
            elsewhere (CI logs, notebooks), and the totals at the end.
        resume: continue an interrupted pull of the same arguments from ``<path>.partial/``.
            False discards any such folder and starts afresh.
        timeout: seconds one page may take in all, retries and waits included (None: no
            limit; each connection and read still times out after ``REQUEST_TIMEOUT``).
        max_retry_wait: the longest ``Retry-After`` to wait when rate limited; a longer one
            stops the pull with the server's message (re-run later to resume).
        since: an earlier complete snapshot of the same endpoint (or a directory of dated
            snapshots: the newest one in it). Without ``full``, only the
            models modified since it was taken are fetched (newest first, stopping at the first
            older one) and merged into its rows: new ids added, changed ones replaced. Deleted
            models are not seen this way; a periodic ``full`` pull finds them. ``sort`` is then
            ``modified`` and ``tasks`` those of ``since``.
        full: with ``since``: pull everything, then compare ids with ``since`` and record the
            models that were removed (``removed``/``removed_ids`` in the snapshot's metadata).

    Raises:
        ValueError: invalid arguments (unknown sort key or task, bad limit or endpoint).
        PullError: a page failed for good (after the retries, or past ``timeout``), was not a
            valid answer, or the server's pagination loops (a link back to a page already read,
            pages bringing no new model). Finished pages are kept and re-running the same call
            resumes. The message is one line; server text in it is redacted.
        KeyboardInterrupt: passed through; finished pages are kept likewise.
    """
    path = Path(path)
    args = _arguments(limit=limit, sort=sort, tasks=tasks, endpoint=endpoint, page_size=page_size)
    if since is not None:
        args = _since_arguments(args, Path(since), full=full, tasks_given=tasks is not None)
    elif full:
        raise ValueError("full=True compares with an earlier snapshot: give it as since=")
    _http.Deadline(timeout)  # a bad timeout fails before any request
    if not (
        isinstance(max_retry_wait, (int, float))
        and not isinstance(max_retry_wait, bool)
        and max_retry_wait >= 0
    ):
        raise ValueError(f"max_retry_wait must be seconds >= 0, not {max_retry_wait!r}")
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a directory; give the snapshot file to write")
    partial = partial_dir(path)
    state = _load_or_start(partial, args, resume=resume)
    headers = build_hf_headers(token=token)
    _redact.remember(token)
    limits = _Limits(timeout=timeout, max_retry_wait=float(max_retry_wait), token=token)
    bar = PullProgress(
        enabled=progress,
        total=args["limit"],
        initial=state["rows"],
        cutoff=(args.get("since") or {}).get("cutoff"),
    )
    try:
        _crawl(state, partial, headers, bar, limits)
    except BaseException:  # a failure or Ctrl-C: its message goes on a line of its own
        bar.close(finished=False)
        raise
    bar.close()
    return _finish(path, partial, state)


def snapshot_info(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Describe a snapshot file from its parquet footer alone, without loading the table.

    Why: listing or checking snapshots (``hubwidgets snapshot info``) must be instant even for
    millions of rows. Returns the provenance stored by :meth:`Catalog.to_parquet` plus ``path``,
    ``size_bytes`` and ``columns``; the keys ``rows``, ``taken_at``, ``origin``, ``source``,
    ``name``, ``query``, ``note`` and ``approximate`` are always present (None when unknown).

    Raises ValueError for a missing, unreadable or non-snapshot file, with the messages of
    :meth:`Catalog.read_parquet`.
    """
    path = Path(path)
    pfile, meta = open_snapshot(path)
    schema, rows = pfile.schema_arrow, int(pfile.metadata.num_rows)
    info: dict[str, Any] = {
        key: meta.get(key)
        for key in ("taken_at", "origin", "source", "name", "query", "note", "approximate")
    }
    info.update({k: v for k, v in meta.items() if k not in info})
    info["name"] = info["name"] or path.stem
    info.update(
        path=str(path), rows=rows, size_bytes=path.stat().st_size, columns=list(schema.names)
    )
    return info


# ---------------------------------------------------------------------------------------------
# Arguments and state
# ---------------------------------------------------------------------------------------------


def _arguments(
    *,
    limit: int | None,
    sort: str,
    tasks: Sequence[str] | None,
    endpoint: str | None,
    page_size: int,
) -> dict[str, Any]:
    """Validate the arguments (before any request or file is touched) and return the resume key.

    The key holds everything that changes which models land in the snapshot, so a re-run with
    other arguments never continues a different pull by mistake.
    """
    if sort not in SORTS:
        hint = vocab.close_matches(sort, list(SORTS), n=1)
        did_you_mean = f"did you mean {hint[0]!r}? " if hint else ""
        raise ValueError(f"unknown sort key {sort!r}; {did_you_mean}valid keys: {', '.join(SORTS)}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a positive integer or None, not {limit!r}")
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise ValueError(f"page_size must be an integer from 1 to {MAX_PAGE_SIZE}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be from 1 to {MAX_PAGE_SIZE}, not {page_size}")
    task_list = _validate_tasks(tasks)
    base = (endpoint or constants.ENDPOINT).rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"endpoint must be an http(s) URL such as https://huggingface.co: {base!r}"
        )
    return {
        "endpoint": base,
        "sort": sort,
        "tasks": task_list,
        "limit": limit,
        "page_size": page_size,
        "expand": list(EXPAND),
    }


def _validate_tasks(tasks: Sequence[str] | None) -> list[str] | None:
    """Known pipeline tags, de-duplicated in order; a typo gets a 'did you mean'."""
    if tasks is None:
        return None
    if isinstance(tasks, str):
        tasks = [tasks]
    out: list[str] = []
    for task in tasks:
        if task not in vocab.TASKS:
            hints = vocab.close_matches(str(task), vocab.TASKS)
            did_you_mean = f"; did you mean {' or '.join(map(repr, hints))}?" if hints else ""
            raise ValueError(
                f"unknown task {task!r}{did_you_mean} (the Hub's pipeline tags are listed in "
                "hubwidgets.core.catalog.vocab.TASKS)"
            )
        if task not in out:
            out.append(task)
    if not out:
        raise ValueError("tasks is empty; give at least one pipeline tag, or None for all models")
    return out


def _first_url(args: Mapping[str, Any], task: str | None) -> str:
    """The URL of a crawl's first page; later pages come from the ``Link`` header."""
    limit = args["limit"]
    per_page = args["page_size"] if limit is None else min(args["page_size"], limit)
    params: list[tuple[str, str]] = []
    if task is not None:
        params.append(("pipeline_tag", task))
    params += [("sort", SORTS[args["sort"]]), ("direction", "-1"), ("limit", str(per_page))]
    params += [("expand[]", prop) for prop in args["expand"]]
    return f"{args['endpoint']}/api/models?{urlencode(params)}"


def _fresh_state(args: dict[str, Any]) -> _State:
    tasks: list[str | None] = list(args["tasks"]) if args["tasks"] else [None]
    return {
        "format": _STATE_FORMAT,
        "args": args,
        "started_at": datetime.now(timezone.utc).isoformat(),
        "pages": 0,
        "rows": 0,
        "crawls": [
            {"task": task, "next_url": _first_url(args, task), "pages": 0, "rows": 0}
            for task in tasks
        ],
    }


def _load_or_start(partial: Path, args: dict[str, Any], *, resume: bool) -> _State:
    """The saved state when it belongs to the same arguments, else a fresh start (said aloud)."""
    if partial.exists() and not resume:
        logger.warning(
            "discarding the unfinished pull in %s (resume=False); starting afresh", partial
        )
        _discard(partial)
    elif partial.exists():
        saved, problem = _read_state(partial)
        if saved is not None and saved["args"] == args:
            logger.info(
                "resuming the pull saved in %s at page %d (%d models already fetched)",
                partial,
                saved["pages"] + 1,
                saved["rows"],
            )
            return saved
        if saved is not None:
            changed = sorted(
                key
                for key in set(args) | set(saved["args"])
                if args.get(key) != saved["args"].get(key)
            )
            problem = f"it was started with different arguments ({', '.join(changed)})"
        logger.warning(
            "not resuming the unfinished pull in %s: %s; starting afresh", partial, problem
        )
        _discard(partial)
    state = _fresh_state(args)
    partial.mkdir(parents=True, exist_ok=True)
    _save_state(partial, state)
    return state


def _read_state(partial: Path) -> tuple[_State | None, str]:
    """Read and check ``state.json`` and the pages it counts; (None, why) when unusable."""
    try:
        raw = json.loads((partial / _STATE_FILE).read_text(encoding="utf-8"))
        if not isinstance(raw, dict) or raw.get("format") != _STATE_FORMAT:
            return None, "its state.json has an unknown format"
        state = cast(_State, raw)
        datetime.fromisoformat(state["started_at"])
        pages = int(state["pages"])
        if not all(isinstance(c["pages"], int) for c in state["crawls"]):
            return None, "its state.json is damaged"
    except FileNotFoundError:
        return None, "it has no state.json"
    except (OSError, ValueError, KeyError, TypeError) as err:
        return None, f"its state.json is unreadable ({err})"
    missing = [n for n in range(1, pages + 1) if not _page_file(partial, n).is_file()]
    if missing:
        return None, f"page files are missing ({_page_file(partial, missing[0]).name}...)"
    return state, ""


def _discard(partial: Path) -> None:
    if partial.is_dir():
        shutil.rmtree(partial)
    elif partial.exists():
        partial.unlink()


def _page_file(partial: Path, number: int) -> Path:
    return partial / f"page-{number:05d}.jsonl"


def _write_atomic(target: Path, text: str) -> None:
    """Write via a temporary file and ``os.replace``: a reader or a resume never sees half."""
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)


def _save_state(partial: Path, state: _State) -> None:
    _write_atomic(partial / _STATE_FILE, json.dumps(state, indent=1))


def _read_pages(partial: Path, pages: int) -> Iterable[dict[str, Any]]:
    for number in range(1, pages + 1):
        with _page_file(partial, number).open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)


def _label(task: str | None) -> str:
    return task if task is not None else "all tasks"


# ---------------------------------------------------------------------------------------------
# Crawling
# ---------------------------------------------------------------------------------------------


class _Limits(TypedDict):
    timeout: float | None
    max_retry_wait: float
    token: str | bool | None


def _crawl(
    state: _State, partial: Path, headers: dict[str, str], bar: PullProgress, limits: _Limits
) -> None:
    """Fetch every remaining page of every crawl, saving each page and the cursor as it goes.

    The page file is written before the state that counts it, so an interruption between the
    two merely fetches that page again. Models already seen (a live listing can shift between
    pages) are dropped so that ``limit`` counts distinct models. Each crawl is guarded by a
    :class:`._http.PageWalk`: a next link back to a page read in this run, or a run of pages
    bringing no new model, stops the pull with "the server's pagination loops".
    """
    limit: int | None = state["args"]["limit"]
    seen = {str(record["id"]) for record in _read_pages(partial, state["pages"])}
    for crawl in state["crawls"]:
        bar.task(_label(crawl["task"]))
        walk = _http.PageWalk(max_pages=None)
        while crawl["next_url"] is not None:
            if limit is not None and state["rows"] >= limit:
                for other in state["crawls"]:
                    other["next_url"] = None
                _save_state(partial, state)
                return
            number = state["pages"] + 1
            items, next_url = _fetch_page(crawl["next_url"], headers, state, crawl, partial, limits)
            if state["args"].get("since"):  # incremental: stop at the first unchanged model
                items, reached = _modified_since(items, state["args"]["since"]["cutoff"])
                next_url = None if reached else next_url
            fresh: list[dict[str, Any]] = []
            for item in items:
                if item["id"] not in seen:
                    seen.add(item["id"])
                    fresh.append(item)
            if limit is not None:
                fresh = fresh[: limit - state["rows"]]
            lines = "".join(json.dumps(item, separators=(",", ":")) + "\n" for item in fresh)
            _write_atomic(_page_file(partial, number), lines)
            try:
                walk.step(crawl["next_url"], len(fresh), next_url)
            except _http.PaginationError as err:
                raise _failure(state, crawl, partial, str(err)) from None
            crawl["next_url"] = next_url
            crawl["pages"] += 1
            crawl["rows"] += len(fresh)
            state["pages"] = number
            state["rows"] += len(fresh)
            _save_state(partial, state)
            bar.update(len(fresh), _oldest_modified(fresh, state["args"]["sort"]))


def _oldest_modified(items: list[dict[str, Any]], sort: str) -> str | None:
    """How far back a crawl by ``lastModified`` (newest first) has gone: the page's last date."""
    if sort != "modified":
        return None
    for item in reversed(items):
        stamp = item.get("lastModified")
        if isinstance(stamp, str) and stamp:
            return stamp
    return None


def _what(crawl: _Crawl) -> str:
    task = f" for task {crawl['task']!r}" if crawl["task"] else ""
    return f"pulling the model list{task} failed"


def _fetch_page(
    url: str,
    headers: dict[str, str],
    state: _State,
    crawl: _Crawl,
    partial: Path,
    limits: _Limits,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page, with retries, within the page's deadline; every failure becomes PullError."""
    number = state["pages"] + 1
    home = state["args"]["endpoint"]
    host = urlsplit(url).netloc
    try:
        data, response = _http.get_json(
            url,
            headers=_http.headers_for(url, home, headers),
            deadline=_http.Deadline(limits["timeout"]),
            timeout=REQUEST_TIMEOUT,
            max_retry_wait=limits["max_retry_wait"],
            secrets=[limits["token"]],
        )
    except _http.FetchError as err:
        if err.kind == "offline":
            cause = "huggingface_hub's offline mode is on; unset HF_HUB_OFFLINE to pull"
        elif err.kind in ("http", "rate"):
            cause = f"the server answered {err}"
        elif err.kind == "json":
            cause = f"the server's answer is not valid JSON ({err})"
        elif err.kind == "deadline":
            cause = f"{host} {err}"
        elif err.kind == "timeout":
            cause = f"{host} did not answer: {err}"
        else:
            cause = f"could not reach {host}: {err}"
        raise _failure(state, crawl, partial, cause) from None
    except OSError as err:
        cause = f"could not reach {host}: {_one_line(str(err)) or type(err).__name__}"
        raise _failure(state, crawl, partial, cause) from err
    try:
        items = _http.model_page(data)
    except ValueError as err:
        raise _failure(state, crawl, partial, str(err)) from None
    next_url = _http.next_link(response)
    logger.debug("page %d: %d models, next %s", number, len(items), next_url)
    return items, next_url


def _failure(state: _State, crawl: _Crawl, partial: Path, cause: str) -> PullError:
    number = state["pages"] + 1
    kept = (
        f"the {state['pages']} page(s) fetched so far ({state['rows']} models) are kept in "
        f"{partial}; re-run the same command to resume from page {number}"
        if state["pages"]
        else f"re-run the same command to retry (progress is saved in {partial})"
    )
    return PullError(
        f"{_what(crawl)} at page {number} ({state['args']['endpoint']}): "
        f"{cause.rstrip('. ')}. {kept}",
        page=number,
        task=crawl["task"],
        partial=partial,
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------------------------
# Writing the snapshot
# ---------------------------------------------------------------------------------------------


def _finish(path: Path, partial: Path, state: _State) -> Path:
    """Normalize every page into a Catalog, write the snapshot atomically, drop the sidecar."""
    args = state["args"]
    started = datetime.fromisoformat(state["started_at"])
    catalog = Catalog.from_records(
        _read_pages(partial, state["pages"]), source="snapshot", fetched_at=started
    )
    catalog, since_meta, since_note = _apply_since(catalog, args)
    tasks = args["tasks"]
    scope = f"tasks {', '.join(tasks)}" if tasks else "all tasks"
    capped = f", top {args['limit']}" if args["limit"] is not None else ""
    finished = datetime.now(timezone.utc)
    note = (
        f"pulled from {args['endpoint']}/api/models by hubwidgets: {scope}, sorted by "
        f"{args['sort']} descending{capped}; {state['pages']} page(s) fetched between "
        f"{started.isoformat(timespec='seconds')} and {finished.isoformat(timespec='seconds')}"
        f"{since_note}"
    )
    query = {
        "sort": SORTS[args["sort"]],
        "direction": -1,
        "pipeline_tag": tasks,
        "limit": args["limit"],
        "page_size": args["page_size"],
        "expand": args["expand"],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog.to_parquet(
        path,
        origin=args["endpoint"],
        query=query,
        name=path.stem,
        note=note,
        pages=state["pages"],
        finished_at=finished.isoformat(),
        **since_meta,
    )
    del catalog  # the index is built from the file as written; free the records' copy first
    _discard(partial)
    store_index(path)
    return path


def store_index(path: Path) -> None:
    """Build the snapshot's search index and store it beside the file (``<file>.index/``), so
    that the first open only memory-maps it. A failure (a full disk, a read-only folder) costs
    only time: the first open then builds the index, so it is logged, not raised."""
    try:
        _store.write_stored_index(path)
    except (OSError, ValueError, pa.ArrowException) as err:
        logger.warning("could not store the index beside %s (%s); it is built on open", path, err)


# ---------------------------------------------------------------------------------------------
# Incremental pulls (issue 17 item 3): --since an earlier snapshot, and --full comparisons
# ---------------------------------------------------------------------------------------------

#: Models modified up to this long before the earlier snapshot was taken are fetched again: the
#: Hub's clock and ours may differ, and fetching a model twice only costs a little time (the merge
#: keeps the newer row), whereas missing a change would keep a stale row for good.
SINCE_MARGIN = timedelta(hours=1)

#: The most removed ids written into a snapshot's metadata (the count is always exact).
MAX_REMOVED_IDS = 10_000


def _since_arguments(
    args: dict[str, Any], since: Path, *, full: bool, tasks_given: bool
) -> dict[str, Any]:
    """The resume key of a pull ``since`` an earlier snapshot, after checking that the earlier
    snapshot can be updated or compared: same endpoint, a complete listing, same tasks."""
    if not isinstance(full, bool):
        raise TypeError(f"full must be True or False, not {full!r}")
    if since.is_dir():
        since = _newest_snapshot(since)
    info = snapshot_info(since)  # ValueError naming the file when it is not a snapshot
    origin = info.get("origin")
    shown = str(since)
    if not origin:
        raise ValueError(
            f"refusing --since {shown!r}: it records no origin (it was not pulled from a Hub), "
            "so what changed since cannot be asked of one"
        )
    if str(origin).rstrip("/") != args["endpoint"]:
        raise ValueError(
            f"refusing --since {shown!r}: it was pulled from {origin}, not {args['endpoint']}; "
            "models modified on one Hub say nothing about another (pull from "
            f"{origin} or start a new snapshot without --since)"
        )
    raw_query = info.get("query")
    query: dict[str, Any] = raw_query if isinstance(raw_query, dict) else {}
    if args["limit"] is not None or query.get("limit") is not None:
        which = "this pull" if args["limit"] is not None else f"{shown!r}"
        raise ValueError(
            f"refusing --since: {which} is limited to the top models (limit), and a change or "
            "removal can only be told from a model leaving the top by comparing complete "
            "listings; pull without a limit"
        )
    old_tasks = query.get("pipeline_tag") or None
    if tasks_given and args["tasks"] != old_tasks:
        raise ValueError(
            f"refusing --since {shown!r}: it holds {_scope(old_tasks)}, not {_scope(args['tasks'])}"
        )
    taken = info.get("taken_at")
    if not taken:
        raise ValueError(f"refusing --since {shown!r}: it records no date (taken_at)")
    moment = datetime.fromisoformat(str(taken))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    base = {"path": str(since.resolve()), "taken_at": str(taken), "rows": info["rows"]}
    if full:
        return {**args, "compare": base}
    cutoff = (moment - SINCE_MARGIN).astimezone(timezone.utc).isoformat()
    return {**args, "sort": "modified", "tasks": old_tasks, "since": {**base, "cutoff": cutoff}}


def _newest_snapshot(folder: Path) -> Path:
    """The snapshot taken last among the ``*.parquet`` files of ``folder`` (a directory of dated
    snapshots); files that are not snapshots are named in a warning and skipped."""
    best: tuple[str, Path] | None = None
    for path in sorted(folder.glob("*.parquet")):
        try:
            taken = snapshot_info(path).get("taken_at")
        except ValueError as err:
            logger.warning("skipping %s: %s", path.name, err)
            continue
        if taken and (best is None or _when_taken(str(taken)) > _when_taken(best[0])):
            best = (str(taken), path)
    if best is None:
        raise ValueError(f"refusing --since {str(folder)!r}: it holds no snapshot to start from")
    logger.info("pulling the changes since %s (the newest snapshot in %s)", best[1].name, folder)
    return best[1]


def _when_taken(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _scope(tasks: Sequence[str] | None) -> str:
    return f"tasks {', '.join(tasks)}" if tasks else "all tasks"


def _modified_since(items: list[dict[str, Any]], cutoff: str) -> tuple[list[dict[str, Any]], bool]:
    """The models of a page (sorted by lastModified, newest first) modified at or after
    ``cutoff``, and whether an older one was reached (the crawl then stops). A model without a
    ``lastModified`` is kept: nothing says it is unchanged."""
    limit = datetime.fromisoformat(cutoff)
    for n, item in enumerate(items):
        stamp = _when_modified(item.get("lastModified"))
        if stamp is not None and stamp < limit:
            return items[:n], True
    return items, False


def _when_modified(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _apply_since(catalog: Catalog, args: Mapping[str, Any]) -> tuple[Catalog, dict[str, Any], str]:
    """(the catalog to write, metadata to add, a sentence for the note) for a ``since`` pull:
    the fetched models merged into the earlier snapshot, or the ids compared with it."""
    if args.get("since"):
        since = args["since"]
        old = _reopen(since["path"])
        fetched = catalog.df
        fetched_ids = set(fetched["id"].astype(str))
        old_ids = old.df["id"].astype(str)
        kept = old.df[~old_ids.isin(fetched_ids).to_numpy()]
        updated = int(len(old.df) - len(kept))
        added = len(fetched_ids) - updated
        merged_df = table_to_frame(pa.concat_tables([_schema_table(kept), _schema_table(fetched)]))
        cards = {**old._cards, **catalog._cards}
        merged = Catalog(merged_df, source="snapshot", fetched_at=catalog.fetched_at, cards=cards)
        meta: dict[str, Any] = {
            "incremental": {
                "since": since["path"],
                "since_taken_at": since["taken_at"],
                "modified_after": since["cutoff"],
                "fetched": len(fetched_ids),
                "added": added,
                "updated": updated,
                "kept": len(kept),
            }
        }
        note = (
            f"; incremental: the {len(fetched_ids)} model(s) modified since {since['cutoff']} "
            f"({added} new, {updated} updated) merged into {since['path']} ({len(kept)} rows "
            "kept as they were; removed models are only found by a full pull)"
        )
        return merged, meta, note
    if args.get("compare"):
        compare = args["compare"]
        before = set(_ids_of(compare["path"]))
        after = {str(i) for i in catalog.df["id"]}
        removed = sorted(before - after)
        added_ids = after - before
        meta = {
            "compared_with": {
                "path": compare["path"],
                "taken_at": compare["taken_at"],
                "removed": len(removed),
                "added": len(added_ids),
            },
            "removed_ids": removed[:MAX_REMOVED_IDS],
        }
        cut = f" (the first {MAX_REMOVED_IDS} listed)" if len(removed) > MAX_REMOVED_IDS else ""
        note = (
            f"; compared with {compare['path']}: {len(removed)} model(s) removed{cut}, "
            f"{len(added_ids)} new"
        )
        return catalog, meta, note
    return catalog, {}, ""


def _schema_table(df: pd.DataFrame) -> pa.Table:
    """Rows as an Arrow table in the schema's types (categoricals and dictionary-coded lists
    decoded), so that two catalogs' rows concatenate whatever their dictionaries."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    return pa.table(
        [table.column(f.name).cast(f.type) for f in arrow_schema()], schema=arrow_schema()
    )


def _reopen(path: str) -> Catalog:
    try:
        return Catalog.read_parquet(path)
    except ValueError as err:
        raise ValueError(f"cannot merge into the earlier snapshot: {err}") from None


def _ids_of(path: str) -> list[str]:
    try:
        return [str(i) for i in pq.read_table(path, columns=["id"]).column("id").to_pylist()]
    except (OSError, pa.ArrowException) as err:
        raise ValueError(f"cannot compare with the earlier snapshot {path!r}: {err}") from None
