"""A local, Hub-compatible HTTP server for offline tests.

The machines that build and test hubwidgets cannot reach https://huggingface.co, yet the code
under test talks to the Hub through the real ``huggingface_hub`` client. Mocking the client would
test our assumptions about it, not its behaviour; so instead this module serves real Hub records
(recorded earlier, see ``/work/shared/data/README.md``) over real HTTP on 127.0.0.1, with the
same URLs, query parameters, JSON shapes, pagination ``Link`` headers and error headers the Hub
uses. Point ``HfApi(endpoint=server.endpoint)`` at it and every request, retry and page the
client makes really happens, and is logged so tests can assert *what* was asked of the server.

Only the standard library and PyYAML are used, so the module imports without pandas.

What the real Hub does that this server does not (see also each docstring):

* It answers as an anonymous caller: ``private`` records are hidden, tokens are ignored.
* A missing repo answers ``404`` (the real Hub answers ``401`` to anonymous callers, with the
  same ``X-Error-Code: RepoNotFound``); ``huggingface_hub`` raises ``RepositoryNotFoundError``
  for both.
* Only ``README.md`` (the recorded card text) and the files a record lists under its private
  ``_files`` key (``{name: text}``, e.g. a test's ``config.json``) can be resolved; others answer
  ``EntryNotFound`` even when they are listed in ``siblings``.
* Without ``sort`` the order is the order of the records given (the Hub's own default order is
  undocumented). The cursor is an opaque offset, not a keyset: it is only stable because the
  records never change while the server runs.
* ``apps`` and the full-text ranking of ``search`` are not implemented (``apps`` answers 400 so
  a test never passes by accident).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import itertools
import json
import os
import re
import socket
import threading
import time
import traceback
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, TypedDict
from urllib.parse import parse_qs, parse_qsl, unquote, urlencode, urlsplit

import yaml

from hubwidgets.core.catalog._hub_api import (
    EXPAND_PROPERTIES,
    MAX_PAGE_SIZE,
    decode_cursor,
    encode_cursor,
    expand_list,
    parse_num_parameters,
)
from hubwidgets.core.catalog._hub_api import ApiError as _HubError
from hubwidgets.core.catalog._hub_api import single as _single
from hubwidgets.core.catalog._hub_api import truthy as _truthy

from .endpoints_api import FakeEndpointsAPI

__all__ = [
    "DEFAULT_LIST_FIELDS",
    "EXPAND_PROPERTIES",
    "MAX_PAGE_SIZE",
    "HubServer",
    "RecordedRequest",
    "load_shared_records",
    "shared_data_dir",
    "to_api_record",
]

#: Files of the shared data folder, by the name ``load_shared_records(which=...)`` knows them.
SHARED_FILES: dict[str, str] = {
    "2022": "hub-models-2022.jsonl.gz",
    "2025": "hub-model-info-2025.jsonl.gz",
}

#: Fields of a ``/api/models`` list object when neither ``expand`` nor ``full`` is given, in the
#: Hub's order. A field the record lacks is left out, never filled.
DEFAULT_LIST_FIELDS: tuple[str, ...] = (
    "_id",
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

#: Extra list fields with ``full=true`` ("all tags, the files, etc." in the Hub docs).
FULL_LIST_FIELDS: tuple[str, ...] = (
    "author",
    "sha",
    "lastModified",
    "gated",
    "disabled",
    "siblings",
)

#: ``sort=`` values and the record key they sort on; snake_case forms are accepted like the
#: client's ``ModelSort_T`` names (the client translates them, other callers may not).
SORT_KEYS: dict[str, str] = {
    "downloads": "downloads",
    "likes": "likes",
    "trendingScore": "trendingScore",
    "trending_score": "trendingScore",
    "createdAt": "createdAt",
    "created_at": "createdAt",
    "lastModified": "lastModified",
    "last_modified": "lastModified",
    "id": "id",
    "author": "author",
}

_SIBLING_RE = re.compile(r"""rfilename=('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")
_MODEL_API_RE = re.compile(r"^/api/models/(?P<id>[^/]+(?:/[^/]+)?)(?:/revision/(?P<rev>[^/]+))?$")
_TREE_RE = re.compile(
    r"^/api/models/(?P<id>[^/]+(?:/[^/]+)?)/tree/(?P<rev>[^/]+)(?:/(?P<path>.*))?$"
)
_PATHS_INFO_RE = re.compile(r"^/api/models/(?P<id>[^/]+(?:/[^/]+)?)/paths-info/(?P<rev>[^/]+)$")
_RESOLVE_RE = re.compile(r"^/(?P<id>[^/]+(?:/[^/]+)?)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")

# ---------------------------------------------------------------------------------------------
# Shared data: locate, read, convert to today's API shape
# ---------------------------------------------------------------------------------------------


def shared_data_dir() -> Path | None:
    """Return the folder of recorded Hub data, or None when this machine does not have it.

    ``HUBWIDGETS_SHARED_DATA`` wins so CI can point elsewhere; otherwise the folder sits next to
    the repository (``<repo>/../shared/data``), found from this file's path rather than the
    working directory so it works from any cwd. The files are never copied into the repo.
    """
    env = os.environ.get("HUBWIDGETS_SHARED_DATA")
    candidate = Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


def load_shared_records(
    which: str | Sequence[str] = ("2022", "2025"), limit: int | None = None
) -> list[dict[str, Any]]:
    """Read recorded Hub records and return them in today's ``/api/models`` JSON shape.

    ``which`` names the files (``"2022"``: 29,432 list records, ``"2025"``: ~1,000 full
    ``model_info`` records with their cards). ``limit`` caps the records read *from each file*,
    so a quick test can take a few of every era. 2025 lines whose fetch failed when they were
    recorded (metadata ``{"raw": "N/A"}``) carry no data and are skipped. Should an id occur in
    two files, the later file in ``which`` wins, being the newer recording.

    Raises ``FileNotFoundError`` when the shared data folder is absent: callers that can live
    without it check :func:`shared_data_dir` first and skip.
    """
    folder = shared_data_dir()
    if folder is None:
        raise FileNotFoundError(
            "shared Hub data not found: set HUBWIDGETS_SHARED_DATA or provide <repo>/../shared/data"
        )
    names = [which] if isinstance(which, str) else list(which)
    by_id: dict[str, dict[str, Any]] = {}
    for name in names:
        if name not in SHARED_FILES:
            raise ValueError(f"unknown shared file {name!r}; expected one of {list(SHARED_FILES)}")
        count = 0
        with gzip.open(folder / SHARED_FILES[name], "rt", encoding="utf-8") as fh:
            for line in fh:
                if limit is not None and count >= limit:
                    break
                if not line.strip():
                    continue
                raw = json.loads(line)
                if _is_failed_recording(raw):
                    continue
                record = to_api_record(raw)
                by_id[record["id"]] = record
                count += 1
    return list(by_id.values())


def _is_failed_recording(raw: Mapping[str, Any]) -> bool:
    """A 2025 line whose metadata fetch failed has only ``{"raw": "N/A"}`` and no id."""
    meta = raw.get("metadata")
    return isinstance(meta, Mapping) and "id" not in meta


def to_api_record(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Convert one recorded record (2022 list shape or 2025 ``model_info`` line) to today's shape.

    The result uses the Hub's JSON keys (``_id``, ``id``, ``modelId``, ``lastModified``,
    ``createdAt`` as ``2023-04-12T22:41:03.000Z``, ``cardData`` as a dict, ``siblings`` as
    ``[{"rfilename": ...}]``...). Values are never invented: a key the source lacks stays absent,
    and keys whose value is None are dropped, because the Hub omits them too. The one derived
    value is ``author``, the part of the id before ``/``, which is how the Hub defines it.

    The 2025 card text is kept under the private key ``_card`` (served only as ``README.md``)
    and the model-tree counts under ``_tree``; keys starting with ``_`` other than ``_id`` are
    never served as JSON.
    """
    if "metadata" in raw:
        return _from_2025(raw)
    if "modelId" in raw or "id" in raw:
        return _from_2022(raw)
    raise ValueError(f"not a recorded model record: keys {sorted(raw)}")


def _from_2022(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The 2022 ``/api/models?full=true`` shape: already camelCase, only ``id`` is missing."""
    model_id = str(raw.get("id") or raw["modelId"])
    out: dict[str, Any] = {
        "_id": raw.get("_id"),
        "id": model_id,
        "modelId": model_id,
        "author": raw.get("author") or _author_of(model_id),
        "sha": raw.get("sha"),
        "lastModified": _iso(raw.get("lastModified")),
        "createdAt": _iso(raw.get("createdAt")),
        "private": raw.get("private"),
        "gated": raw.get("gated"),
        "disabled": raw.get("disabled"),
        "downloads": raw.get("downloads"),
        "downloadsAllTime": raw.get("downloadsAllTime"),
        "likes": raw.get("likes"),
        "trendingScore": raw.get("trendingScore"),
        "library_name": raw.get("library_name"),
        "pipeline_tag": raw.get("pipeline_tag"),
        "tags": raw.get("tags"),
        "cardData": raw.get("cardData") if isinstance(raw.get("cardData"), dict) else None,
        "config": raw.get("config"),
        "siblings": _siblings(raw.get("siblings")),
    }
    return _drop_none(out)


def _from_2025(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The 2025 line: a ModelInfo serialized by the client (snake_case, repr'd siblings)."""
    meta: Mapping[str, Any] = raw["metadata"]
    if "id" not in meta:
        raise ValueError(f"recording of {raw.get('model_id')!r} has no metadata (fetch failed)")

    def pick(*keys: str) -> Any:
        for key in keys:
            if meta.get(key) is not None:
                return meta[key]
        return None

    model_id = str(meta["id"])
    safetensors = meta.get("safetensors")
    transformers_info = pick("transformers_info", "transformersInfo")
    mapping = pick("inference_provider_mapping", "inferenceProviderMapping")
    card = raw.get("card")
    tree = {
        key: raw[key]
        for key in (
            "family",
            "depth",
            "children_count",
            "adapters_count",
            "quantized_count",
            "merges_count",
            "spaces_count",
        )
        if raw.get(key) is not None
    }
    out: dict[str, Any] = {
        "_id": meta.get("_id"),
        "id": model_id,
        "modelId": model_id,
        "author": meta.get("author") or _author_of(model_id),
        "sha": meta.get("sha"),
        "lastModified": _iso(pick("last_modified", "lastModified")),
        "createdAt": _iso(pick("created_at", "createdAt")),
        "private": meta.get("private"),
        "gated": meta.get("gated"),
        "disabled": meta.get("disabled"),
        "downloads": meta.get("downloads"),
        "downloadsAllTime": pick("downloads_all_time", "downloadsAllTime"),
        "likes": meta.get("likes"),
        "trendingScore": pick("trending_score", "trendingScore"),
        "library_name": meta.get("library_name"),
        "pipeline_tag": meta.get("pipeline_tag"),
        "mask_token": meta.get("mask_token"),
        "tags": meta.get("tags"),
        "cardData": _card_data(pick("card_data", "cardData")),
        "widgetData": pick("widget_data", "widgetData"),
        "model-index": pick("model_index", "model-index"),
        "config": meta.get("config"),
        "transformersInfo": (
            _drop_none(dict(transformers_info)) if isinstance(transformers_info, dict) else None
        ),
        "safetensors": (
            {"parameters": safetensors.get("parameters"), "total": safetensors.get("total")}
            if isinstance(safetensors, dict)
            else None
        ),
        "gguf": meta.get("gguf"),
        "inference": meta.get("inference"),
        "inferenceProviderMapping": mapping if isinstance(mapping, (dict, list)) else None,
        "siblings": _siblings(meta.get("siblings")),
        "spaces": meta.get("spaces"),
        "usedStorage": pick("used_storage", "usedStorage"),
        "securityRepoStatus": pick("security_repo_status", "securityRepoStatus"),
        "_card": card if isinstance(card, str) and card and card != "N/A" else None,
        "_tree": tree or None,
    }
    return _drop_none(out)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _author_of(model_id: str) -> str | None:
    """The Hub's author is the namespace; legacy ids without one have no author."""
    return model_id.split("/", 1)[0] if "/" in model_id else None


def _iso(value: Any) -> str | None:
    """Format a recorded timestamp the way the Hub's JSON does: UTC, milliseconds, ``Z``."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = str(value).strip()
        # Python 3.10's fromisoformat does not read a trailing "Z"
        moment = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    moment = moment.astimezone(dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _siblings(value: Any) -> list[dict[str, Any]] | None:
    """Siblings as the Hub serves them; the 2025 client stored ``RepoSibling(...)`` reprs."""
    if not isinstance(value, list):
        return None
    out: list[dict[str, Any]] = []
    for item in value:
        if isinstance(item, dict) and "rfilename" in item:
            # Fast path: the 2022 records hold only the name (hundreds of thousands of them).
            out.append({"rfilename": item["rfilename"]} if len(item) == 1 else _drop_none(item))
        elif isinstance(item, str):
            match = _SIBLING_RE.search(item)
            if match:
                out.append({"rfilename": _unrepr(match.group(1))})
    return out


def _unrepr(quoted: str) -> str:
    """Undo Python's repr() of a str (the quotes and backslash escapes) without eval."""
    body = quoted[1:-1]
    if "\\" not in body:
        return body
    return body.encode("latin-1", "backslashreplace").decode("unicode_escape")


def _card_data(value: Any) -> dict[str, Any] | None:
    """The 2025 client stored card data as a YAML string; the Hub serves the parsed mapping."""
    parsed: object = value
    if isinstance(value, str) and value.strip():
        try:
            parsed = yaml.load(value, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader (the C one when built)
        except yaml.YAMLError:
            return None
    if not isinstance(parsed, dict):
        return None
    cleaned: dict[str, Any] = _jsonable(parsed)
    return cleaned


def _jsonable(value: Any) -> Any:
    """YAML gives dates and non-string keys that JSON cannot hold; stringify them like the Hub."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# ---------------------------------------------------------------------------------------------
# Query semantics (pure functions, so they are testable without HTTP)
# ---------------------------------------------------------------------------------------------


def _num_parameters(record: Mapping[str, Any]) -> float | None:
    for key in ("safetensors", "gguf"):
        info = record.get(key)
        if isinstance(info, Mapping) and isinstance(info.get("total"), (int, float)):
            return float(info["total"])
    return None


def _provider_list(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Provider mappings as a list; the Hub serves a list in listings, a dict on model_info."""
    mapping = record.get("inferenceProviderMapping")
    if isinstance(mapping, dict):
        return [{"provider": name, **dict(value)} for name, value in mapping.items()]
    if isinstance(mapping, list):
        return [dict(item) for item in mapping if isinstance(item, Mapping)]
    return []


def _provider_dict(record: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in _provider_list(record):
        rest = {k: v for k, v in item.items() if k != "provider"}
        out[str(item.get("provider"))] = rest
    return out


def _matches(  # noqa: C901, PLR0911, PLR0912 - one early exit per Hub filter reads best
    record: Mapping[str, Any], query: Mapping[str, list[str]]
) -> bool:
    """Whether a record passes every filter of a ``/api/models`` query (all filters AND)."""
    search = _single(query, "search")
    if search and search.lower() not in str(record["id"]).lower():
        return False
    author = _single(query, "author")
    if author and record.get("author") != author:
        return False
    tags = record.get("tags") or []
    for wanted in query.get("filter", []):
        if (
            wanted not in tags
            and wanted != record.get("pipeline_tag")
            and wanted != record.get("library_name")
        ):
            return False
    pipeline_tag = _single(query, "pipeline_tag")
    if pipeline_tag and record.get("pipeline_tag") != pipeline_tag:
        return False
    gated = _single(query, "gated")
    if gated is not None:
        is_gated = record.get("gated") in ("auto", "manual")
        if is_gated != (gated.strip().lower() == "true"):
            return False
    inference = _single(query, "inference")
    if inference and record.get("inference") != inference:
        return False
    providers = [p for v in query.get("inference_provider", []) for p in v.split(",") if p]
    if providers:
        have = {str(item.get("provider")) for item in _provider_list(record)}
        if not have or ("all" not in providers and not have.intersection(providers)):
            return False
    spec = _single(query, "num_parameters")
    if spec:
        low, high = parse_num_parameters(spec)
        count = _num_parameters(record)
        if count is None:
            return False
        if (low is not None and count < low) or (high is not None and count > high):
            return False
    return True


def _sorted(
    records: list[dict[str, Any]], sort: str | None, direction: str | None
) -> list[dict[str, Any]]:
    """Sort like the Hub: descending unless ``direction`` is given and not ``-1``; missing last.

    Ties are broken by id ascending so pages never overlap or skip.
    """
    if not sort:
        return records
    if sort not in SORT_KEYS:
        raise _HubError(400, f"Invalid sort parameter: {sort!r}")
    key = SORT_KEYS[sort]
    descending = direction is None or direction.strip() == "-1"
    present = sorted((r for r in records if r.get(key) is not None), key=lambda r: str(r["id"]))
    missing = sorted((r for r in records if r.get(key) is None), key=lambda r: str(r["id"]))
    present.sort(key=lambda r: r[key], reverse=descending)  # stable: id order kept within ties
    return present + missing


def _public(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as JSON may show it: private helper keys (``_card``, ``_tree``, ``_files``)
    removed."""
    return {k: v for k, v in record.items() if not k.startswith("_") or k == "_id"}


def _project(
    record: Mapping[str, Any], fields: Iterable[str], *, provider_as_dict: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        if name not in record or name in out:
            continue
        if name == "inferenceProviderMapping":
            out[name] = _provider_dict(record) if provider_as_dict else _provider_list(record)
        else:
            out[name] = record[name]
    return out


def _list_item(
    record: Mapping[str, Any], query: Mapping[str, list[str]], expand: list[str] | None
) -> dict[str, Any]:
    if expand is not None:
        return _project(record, ["_id", "id", *expand], provider_as_dict=False)
    fields = list(DEFAULT_LIST_FIELDS)
    if _truthy(query.get("full")):
        fields.extend(FULL_LIST_FIELDS)
    if _truthy(query.get("config")):
        fields.append("config")
    if _truthy(query.get("cardData")):
        fields.append("cardData")
    return _project(record, fields, provider_as_dict=False)


def _git_blob_sha1(data: bytes) -> str:
    """The ETag the Hub sends for a regular (non-LFS) file is its git blob id."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------


class RecordedRequest(TypedDict):
    """One request as the server received it (``path`` is the raw, still-quoted path)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    #: the fields of a form-encoded body (POST paths-info), as ``parse_qs`` gives them
    form: dict[str, list[str]]


@dataclass
class _Fault:
    kind: str  # "fail" | "delay" | "malformed"
    remaining: int
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    seconds: float = 0.0
    match: str | None = None  # only requests whose path?query contains this take the fault


@dataclass
class _Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class _Server(ThreadingHTTPServer):
    """The socket server; it knows its HubServer and its open connections (to cut on stop)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], hub: HubServer) -> None:
        self.hub = hub
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    """Routes every method through HubServer._respond; keeps connections alive like the Hub."""

    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections are closed after this many seconds
    # headers and body go out in two writes: with Nagle on, the body waits for the client's
    # delayed ACK (~40 ms per request on a kept-alive connection), which the Hub never adds
    disable_nagle_algorithm = True
    server: _Server

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

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Silence the default stderr access log; ``HubServer.requests`` is the log."""

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        # read the body whole, which also keeps the keep-alive connection usable
        body = self.rfile.read(length) if length else b""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True  # a chunked body is not parsed: do not reuse the socket
        try:
            response = self.server.hub._respond(
                self.command, self.path, dict(self.headers.items()), body
            )
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError):
            # The client gave up (e.g. a timeout provoked with delay_next): nothing to answer.
            self.close_connection = True

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle


class HubServer:
    """A Hub-compatible HTTP server on 127.0.0.1 serving the given model records.

    ``records`` are dicts in today's Hub JSON shape (see :func:`to_api_record` and
    :func:`load_shared_records`), each with a unique ``id``. Served endpoints:

    * ``GET /api/models`` -- filters ``search``, ``author``, ``filter`` (repeatable, AND),
      ``pipeline_tag``, ``gated``, ``num_parameters``, ``inference``, ``inference_provider``;
      ``sort``/``direction``; ``limit`` (page size, default and max 1000); ``full``, ``config``,
      ``cardData`` and ``expand``; cursor pagination through a ``Link: <...>; rel="next"`` header.
    * ``GET /api/models/{repo_id}`` and ``.../revision/{rev}`` -- the full record, or ``expand``;
      ``securityStatus=true`` adds ``securityRepoStatus`` (given, or derived from the record's
      per-file verdicts under ``_file_security``), which is otherwise left out, as on the Hub.
    * ``GET /api/models/{repo_id}/tree/{rev}[/{path}]`` (``recursive``, ``expand``) and
      ``POST .../paths-info/{rev}`` (form ``paths``, ``expand``) -- file entries; with expand
      they carry ``securityFileStatus`` from ``_file_security`` (``{path: record}``).
    * ``GET``/``HEAD /{repo_id}/resolve/{rev}/README.md`` -- the recorded card text.
    * ``GET /api/models/{repo_id}/commits/{rev}`` and ``.../refs`` -- the model's history: one
      commit (its sha) until :meth:`commit` adds revisions, :meth:`tag` names them and
      :meth:`remove` takes the model away; model_info and files answer at any of them.

    Every request is logged in :attr:`requests`; :meth:`fail_next`, :meth:`delay_next` and
    :meth:`malformed_next` queue faults that the next requests (any path) consume in order.
    Use it as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, records: Iterable[Mapping[str, Any]], *, port: int = 0) -> None:
        self._records: list[dict[str, Any]] = []
        self._by_id: dict[str, dict[str, Any]] = {}
        for record in records:
            if "id" not in record:
                raise ValueError(f"record without 'id': keys {sorted(record)}")
            model_id = str(record["id"])
            if model_id in self._by_id:
                raise ValueError(f"duplicate record id {model_id!r}")
            item = dict(record)
            self._records.append(item)
            self._by_id[model_id] = item
        self._port = port
        self._lock = threading.Lock()
        self._users: dict[str, dict[str, Any]] = {}  # accounts (issue 16): see add_user
        self._log: list[RecordedRequest] = []
        self._faults: deque[_Fault] = deque()
        self._request_ids = itertools.count(1)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        # -- Inference Endpoints (issue 14): the fake /v2 API, see endpoints_api.py
        self.endpoints_api = FakeEndpointsAPI()
        """The fake Inference Endpoints API answering ``/v2/...`` (its endpoints, timing)."""

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> HubServer:
        """Bind 127.0.0.1 (an ephemeral port unless one was given) and serve in a daemon thread."""
        if self._httpd is not None:
            return self
        self._httpd = _Server(("127.0.0.1", self._port), self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"HubServer:{self._httpd.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and cut open keep-alive connections, so no pooled client can reach a
        stopped server through a lingering handler thread."""
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
        self._httpd = None
        self._thread = None

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("HubServer is not running; call start() or use it with `with`")
        return int(self._httpd.server_address[1])

    @property
    def endpoint(self) -> str:
        """Base URL to give ``HfApi(endpoint=...)``, e.g. ``http://127.0.0.1:54321``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def records(self) -> list[dict[str, Any]]:
        """The served records, in serving order (a shallow copy of the list)."""
        return list(self._records)

    # -- request log ---------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy, safe to keep)."""
        with self._lock:
            return [
                RecordedRequest(
                    method=r["method"],
                    path=r["path"],
                    query={k: list(v) for k, v in r["query"].items()},
                    headers=dict(r["headers"]),
                    form={k: list(v) for k, v in r["form"].items()},
                )
                for r in self._log
            ]

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    # -- fault injection -----------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | Mapping[str, Any] | list[Any] | None = None,
        match: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests with ``status`` (e.g. 429 + ``Retry-After``, 503).

        ``body`` defaults to the Hub's ``{"error": ...}`` JSON; a str/bytes body is sent as is.
        ``match``: only requests whose ``path?query`` contains it (e.g. ``"/paths-info/"`` or
        ``"securityStatus="``) take the fault; other requests are answered meanwhile.
        """
        if body is None:
            payload = json.dumps({"error": f"Injected failure (HTTP {status})"}).encode()
        elif isinstance(body, bytes):
            payload = body
        elif isinstance(body, str):
            payload = body.encode()
        else:
            payload = json.dumps(body).encode()
        self._queue(
            _Fault(
                "fail",
                times,
                status=status,
                headers=dict(headers or {}),
                body=payload,
                match=match,
            )
        )

    def delay_next(self, seconds: float, times: int = 1) -> None:
        """Sleep ``seconds`` before answering the next ``times`` requests (to provoke timeouts)."""
        self._queue(_Fault("delay", times, seconds=seconds))

    def malformed_next(self, times: int = 1) -> None:
        """Answer the next ``times`` requests 200 with the real JSON body cut in half."""
        self._queue(_Fault("malformed", times))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _queue(self, fault: _Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, target: str = "") -> _Fault | None:
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            if fault.match is not None and fault.match not in target:
                return None
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.popleft()
            return fault

    # -- dispatch ------------------------------------------------------------------------------

    def _respond(
        self, method: str, target: str, headers: dict[str, str], body: bytes = b""
    ) -> _Response:
        """Log the request, apply a queued fault if any, else answer it like the Hub."""
        parts = urlsplit(target)
        query = parse_qs(parts.query, keep_blank_values=True)
        form = _form(headers, body)
        with self._lock:
            self._log.append(
                RecordedRequest(
                    method=method, path=parts.path, query=query, headers=headers, form=form
                )
            )
        request_id = f"hubserver-{next(self._request_ids)}"
        fault = self._take_fault(target)
        if fault is not None and fault.kind == "fail":
            out_headers = [("Content-Type", "application/json; charset=utf-8")]
            out_headers += [(k, v) for k, v in fault.headers.items()]
            out_headers.append(("X-Request-Id", request_id))
            return _Response(fault.status, out_headers, fault.body or b"")
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.seconds)
        if parts.path == "/api/whoami-v2":  # accounts (issue 16): see add_user
            return self._whoami(headers, request_id)
        if self.endpoints_api.handles(parts.path):  # Inference Endpoints (issue 14)
            status, payload = self.endpoints_api.respond(method, parts.path, body)
            json_type = [("Content-Type", "application/json; charset=utf-8")]
            return _Response(status, [*json_type, ("X-Request-Id", request_id)], payload)
        try:
            response = self._route(method, parts.path, parts.query, query, form)
        except Exception as exc:
            traceback.print_exc()
            response = _error(_HubError(500, f"HubServer internal error: {exc!r}"))
        response.headers.append(("X-Request-Id", request_id))
        if fault is not None and fault.kind == "malformed":
            cut = response.body[: len(response.body) // 2] or b"{"
            kept = [(k, v) for k, v in response.headers if k.lower() != "content-type"]
            kept.append(("Content-Type", "application/json; charset=utf-8"))
            return _Response(200, kept, cut)
        return response

    def _route(  # noqa: PLR0911 - one return per endpoint reads best
        self,
        method: str,
        path: str,
        raw_query: str,
        query: dict[str, list[str]],
        form: dict[str, list[str]] | None = None,
    ) -> _Response:
        try:
            match = _PATHS_INFO_RE.match(path)  # security scans (issue 12): per-file verdicts
            if match and method == "POST":
                return self._paths_info(unquote(match["id"]), unquote(match["rev"]), form or {})
            if method not in ("GET", "HEAD"):
                raise _HubError(405, f"Method {method} not allowed on this test server")
            if path in ("/api/models", "/api/models/"):
                return self._list_models(raw_query, query)
            match = _GIT_API_RE.match(path)  # revisions (issue 13): commits and refs
            if match:
                return self._git_api(unquote(match["id"]), match["what"], match["rev"], query)
            match = _TREE_RE.match(path)  # security scans (issue 12): the file tree
            if match:
                return self._tree(unquote(match["id"]), unquote(match["rev"]), match, query)
            match = _MODEL_API_RE.match(path)
            if match:
                rev = unquote(match["rev"]) if match["rev"] else None
                return self._model_info(unquote(match["id"]), rev, query)
            match = _RESOLVE_RE.match(path)
            if match:
                return self._resolve(unquote(match["id"]), unquote(match["rev"]), match["file"])
            raise _HubError(404, "Not Found")
        except _HubError as err:
            return _error(err)

    def _visible(self, repo_id: str) -> dict[str, Any]:
        """Look a repo up as an anonymous caller would: private repos do not exist."""
        record = self._by_id.get(repo_id)
        if record is None or record.get("private") is True:
            raise _HubError(404, "Repository not found", "RepoNotFound")
        return record

    def _check_revision(self, record: Mapping[str, Any], revision: str | None) -> None:
        if revision is None or revision in ("main", "refs/heads/main"):
            return
        if revision == record.get("sha"):
            return
        raise _HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")

    def _list_models(self, raw_query: str, query: dict[str, list[str]]) -> _Response:
        if query.get("apps"):
            raise _HubError(400, "The 'apps' filter is not supported by this test server")
        expand = expand_list(query)
        if expand is not None and any(
            _truthy(query.get(k)) for k in ("full", "config", "cardData")
        ):
            raise _HubError(400, "'expand' cannot be combined with 'full', 'config' or 'cardData'")
        limit_text = _single(query, "limit")
        try:
            limit = MAX_PAGE_SIZE if limit_text is None else int(limit_text)
        except ValueError as exc:
            raise _HubError(400, f"Invalid limit: {limit_text!r}") from exc
        if limit < 1:
            raise _HubError(400, f"Invalid limit: {limit_text!r}")
        page_size = min(limit, MAX_PAGE_SIZE)
        cursor = _single(query, "cursor")
        offset = decode_cursor(cursor) if cursor else 0

        hits = [r for r in self._records if r.get("private") is not True and _matches(r, query)]
        hits = _sorted(hits, _single(query, "sort"), _single(query, "direction"))
        page = hits[offset : offset + page_size]
        body = json.dumps([_list_item(r, query, expand) for r in page]).encode()
        headers = [("Content-Type", "application/json; charset=utf-8")]
        if offset + page_size < len(hits):
            pairs = [
                (k, v) for k, v in parse_qsl(raw_query, keep_blank_values=True) if k != "cursor"
            ]
            pairs.append(("cursor", encode_cursor(offset + page_size)))
            next_url = f"{self.endpoint}/api/models?{urlencode(pairs)}"
            headers.append(("Link", f'<{next_url}>; rel="next"'))
        return _Response(200, headers, body)

    def _model_info(
        self, repo_id: str, revision: str | None, query: dict[str, list[str]]
    ) -> _Response:
        record = self._at_revision(self._visible(repo_id), revision)
        expand = expand_list(query)
        public = _public(record)
        # the Hub sends the repo's scan verdict only when asked (securityStatus=true)
        security = _repo_security(record) if _truthy(query.get("securityStatus")) else None
        public.pop("securityRepoStatus", None)
        fields = ["_id", "id", *expand] if expand is not None else list(public)
        data = _project(public, fields, provider_as_dict=True)
        if security is not None:
            data["securityRepoStatus"] = security
        return _Response(
            200,
            [("Content-Type", "application/json; charset=utf-8")],
            json.dumps(data).encode(),
        )

    def _resolve(self, repo_id: str, revision: str, filename: str) -> _Response:
        record = self._at_revision(self._visible(repo_id), revision)
        files = record.get("_files") or {}
        card = record.get("_card")
        if filename in files:  # files a test gives its record (config.json, say)
            data = str(files[filename]).encode("utf-8")
        elif filename == "README.md" and isinstance(card, str):
            data = card.encode("utf-8")
        else:
            raise _HubError(404, "Entry not found", "EntryNotFound")
        headers = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("ETag", f'"{_git_blob_sha1(data)}"'),
            ("Accept-Ranges", "bytes"),
        ]
        if isinstance(record.get("sha"), str):
            headers.append(("X-Repo-Commit", record["sha"]))
        return _Response(200, headers, data)

    # -- security scans (issue 12): the Hub's verdicts, repo level and per file
    # A record may carry ``securityRepoStatus`` (served with ``?securityStatus=true``) and, under
    # the private key ``_file_security``, the per-file ``securityFileStatus`` records by path
    # (served by the tree and paths-info endpoints with expand). Without ``securityRepoStatus``
    # the repo level is derived from the per-file records, as the Hub derives it; without
    # either, none is sent (the client then has ``security_repo_status=None``).

    def _tree(
        self, repo_id: str, revision: str, match: re.Match[str], query: dict[str, list[str]]
    ) -> _Response:
        """``GET /api/models/{id}/tree/{rev}[/{path}]``: the files (and folders) under ``path``,
        all of them with ``recursive=true``; ``expand=true`` adds ``securityFileStatus`` and
        ``lastCommit``. One page (the Hub pages by 1000, 50 with expand; the client follows
        ``Link`` either way)."""
        record = self._at_revision(self._visible(repo_id), revision)
        base = unquote(match["path"] or "").strip("/")
        recursive = _truthy(query.get("recursive"))
        expand = _truthy(query.get("expand"))
        names = _sibling_names(record)
        prefix = f"{base}/" if base else ""
        if base and base in names:
            raise _HubError(404, f"{base} is a file, not a folder", "EntryNotFound")
        under = [n for n in names if n.startswith(prefix)]
        if base and not under:
            raise _HubError(404, f"Entry not found: {base}", "EntryNotFound")
        entries: list[dict[str, Any]] = []
        folders: set[str] = set()
        for name in under:
            parts = name[len(prefix) :].split("/")
            for depth in range(1, len(parts)):
                if recursive or depth == 1:
                    folders.add(prefix + "/".join(parts[:depth]))
            if recursive or len(parts) == 1:
                entries.append(_file_entry(record, name, expand))
        for folder in folders:
            entries.append(_folder_entry(record, folder, expand))
        entries.sort(key=lambda e: (e["type"] != "directory", e["path"]))
        return _Response(
            200,
            [("Content-Type", "application/json; charset=utf-8")],
            json.dumps(entries).encode(),
        )

    def _paths_info(self, repo_id: str, revision: str, form: Mapping[str, list[str]]) -> _Response:
        """``POST /api/models/{id}/paths-info/{rev}`` with form fields ``paths`` (repeated)
        and ``expand``: one entry per path that exists, in the order asked (others are left
        out, as on the Hub)."""
        record = self._at_revision(self._visible(repo_id), revision)
        expand = _truthy(form.get("expand"))
        names = set(_sibling_names(record))
        entries: list[dict[str, Any]] = []
        for path in dict.fromkeys(form.get("paths", [])):
            clean = path.strip("/")
            if clean in names:
                entries.append(_file_entry(record, clean, expand))
            elif any(n.startswith(clean + "/") for n in names):
                entries.append(_folder_entry(record, clean, expand))
        return _Response(
            200,
            [("Content-Type", "application/json; charset=utf-8")],
            json.dumps(entries).encode(),
        )

    # -- end of security scans

    # -- revisions: commits, refs and a record at a revision (issue 13, hubwidgets.core.registry)
    # A record served as given has one commit (its own sha) and one branch, main. commit() makes
    # a new revision of a model from the one main points at, tag() names a revision, remove()
    # makes a model disappear (its pins go "gone"). model_info, README and the files a record
    # lists answer for any branch, tag or full sha of the model's history.

    def commit(
        self,
        model_id: str,
        changes: Mapping[str, Any],
        *,
        title: str = "Update model",
        authors: Sequence[str] = ("hubwidgets-tests",),
        date: dt.datetime | str | None = None,
    ) -> str:
        """Commit a new revision of ``model_id`` on main: the current record with ``changes``
        applied (a value of None removes the key). Returns the new sha (derived from the
        content, so the same commit gives the same sha)."""
        with self._lock:
            old = self._by_id.get(model_id)
            if old is None:
                raise ValueError(f"no record {model_id!r} on this server to commit to")
            history = _git_history(old)
            snapshot = {k: v for k, v in old.items() if k not in _GIT_KEYS}
            for key, value in changes.items():
                if value is None:
                    snapshot.pop(key, None)
                else:
                    snapshot[key] = value
            when = _iso(date or dt.datetime.now(dt.timezone.utc))
            seed = json.dumps([old.get("sha"), snapshot, title, when], sort_keys=True, default=str)
            sha = hashlib.sha1(seed.encode(), usedforsecurity=False).hexdigest()
            snapshot["sha"] = sha
            snapshot["lastModified"] = when
            entry = {
                "id": sha,
                "title": title,
                "message": "",
                "authors": [{"user": str(a)} for a in authors],
                "date": when,
                "record": snapshot,
            }
            self._replace(
                model_id, {**snapshot, "_commits": [entry, *history], "_tags": _tags(old)}
            )
        return sha

    def tag(self, model_id: str, name: str, revision: str = "main") -> str:
        """Point tag ``name`` at ``revision`` of ``model_id``; returns the sha it points at."""
        with self._lock:
            old = self._by_id.get(model_id)
            if old is None:
                raise ValueError(f"no record {model_id!r} on this server to tag")
            sha = _git_resolve(old, revision)
            updated = dict(old)
            updated["_commits"] = _git_history(old)
            updated["_tags"] = {**_tags(old), name: sha}
            self._replace(model_id, updated)
        return sha

    def remove(self, model_id: str) -> None:
        """Take ``model_id`` off the server: it answers RepoNotFound from now on."""
        with self._lock:
            if self._by_id.pop(model_id, None) is None:
                raise ValueError(f"no record {model_id!r} on this server to remove")
            self._records = [r for r in self._records if r.get("id") != model_id]

    # -- incremental pulls (issue 17 item 3): a model appears -----------------------------------
    def add(self, record: Mapping[str, Any]) -> None:
        """Publish a new model: ``record`` in the Hub's JSON shape, with an ``id`` not served
        yet; ``lastModified`` and ``createdAt`` default to now (so a pull sorted by
        ``lastModified`` sees it first)."""
        item = dict(record)
        if "id" not in item:
            raise ValueError(f"record without 'id': keys {sorted(item)}")
        now = _iso(dt.datetime.now(dt.timezone.utc))
        item.setdefault("lastModified", now)
        item.setdefault("createdAt", now)
        with self._lock:
            if str(item["id"]) in self._by_id:
                raise ValueError(f"a model {item['id']!r} is already on this server")
            self._records.append(item)
            self._by_id[str(item["id"])] = item

    def _replace(self, model_id: str, record: dict[str, Any]) -> None:
        self._records = [record if r.get("id") == model_id else r for r in self._records]
        self._by_id[model_id] = record

    def _at_revision(self, record: dict[str, Any], revision: str | None) -> dict[str, Any]:
        """The record as it was at ``revision`` (a branch, tag or full sha; None: main)."""
        if revision in (None, "main", "refs/heads/main") and not _git_history(record):
            return record  # a record without a sha has no history, but main is the record
        sha = _git_resolve(record, revision)
        for entry in _git_history(record):
            if entry["id"] == sha:
                found: dict[str, Any] = entry["record"]
                return found
        raise _HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")

    def _git_api(
        self, repo_id: str, what: str, rev: str | None, query: dict[str, list[str]]
    ) -> _Response:
        """``/api/models/{id}/refs`` and ``/api/models/{id}/commits/{rev}``: commits newest
        first, :data:`COMMITS_PAGE_SIZE` a page (page ``p``, from 0), the next page in a
        ``Link: <...>; rel="next"`` header as on the Hub."""
        record = self._visible(repo_id)
        history = _git_history(record)
        headers = [("Content-Type", "application/json; charset=utf-8")]
        if what == "refs":
            ref = lambda name, kind, sha: {  # noqa: E731 - a one-line shape
                "name": name,
                "ref": f"refs/{kind}/{name}",
                "targetCommit": sha,
            }
            data: Any = {
                "branches": [ref("main", "heads", history[0]["id"])] if history else [],
                "converts": [],
                "tags": [ref(name, "tags", sha) for name, sha in sorted(_tags(record).items())],
            }
            if query.get("include_prs"):
                data["pullRequests"] = []
        else:
            if rev is None:
                raise _HubError(404, "Not Found")
            sha = _git_resolve(record, unquote(rev))
            ids = [entry["id"] for entry in history]
            reachable = history[ids.index(sha) :]
            page_text = _single(query, "p") or "0"
            if not page_text.isdigit():
                raise _HubError(400, f"Invalid page: {page_text!r}")
            page = int(page_text)
            start = page * COMMITS_PAGE_SIZE
            data = [
                {k: v for k, v in entry.items() if k != "record"}
                for entry in reachable[start : start + COMMITS_PAGE_SIZE]
            ]
            if start + COMMITS_PAGE_SIZE < len(reachable):
                url = f"{self.endpoint}/api/models/{repo_id}/commits/{rev}?p={page + 1}"
                headers.append(("Link", f'<{url}>; rel="next"'))
        return _Response(200, headers, json.dumps(data).encode())

    # -- end of revisions

    # -- accounts (issue 16): whoami for the tokens a test adds ------------------------------

    def add_user(
        self,
        token: str,
        name: str,
        *,
        orgs: Sequence[str] = (),
        fullname: str | None = None,
        token_name: str = "hubwidgets-test",  # noqa: S107 (the token's name, not a token)
        role: str = "read",
    ) -> None:
        """Let ``token`` be ``name``'s: ``GET /api/whoami-v2`` with ``Authorization: Bearer
        <token>`` answers the account (with ``orgs``) as the Hub does; any other token, or
        none, answers ``401``."""
        with self._lock:
            self._users[token] = {
                "type": "user",
                "id": hashlib.sha1(name.encode()).hexdigest()[:24],  # noqa: S324 (an id, not a secret)
                "name": name,
                "fullname": fullname or name,
                "isPro": False,
                "orgs": [{"type": "org", "name": org, "fullname": org} for org in orgs],
                "auth": {
                    "type": "access_token",
                    "accessToken": {"displayName": token_name, "role": role},
                },
            }

    def _whoami(self, headers: Mapping[str, str], request_id: str) -> _Response:
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        token = auth[len("Bearer ") :].strip() if auth.startswith("Bearer ") else ""
        with self._lock:
            user = self._users.get(token) if token else None
        if user is None:
            response = _error(_HubError(401, "Invalid credentials in Authorization header"))
        else:
            json_type = [("Content-Type", "application/json; charset=utf-8")]
            response = _Response(200, json_type, json.dumps(user).encode())
        response.headers.append(("X-Request-Id", request_id))
        return response

    # -- end of accounts


def _error(err: _HubError) -> _Response:
    headers = [("Content-Type", "application/json; charset=utf-8")]
    if err.error_code:
        headers.append(("X-Error-Code", err.error_code))
        # Header values must be latin-1; keep the message readable but ASCII-safe.
        safe = err.message.encode("ascii", "backslashreplace").decode("ascii")
        headers.append(("X-Error-Message", safe))
    return _Response(err.status, headers, json.dumps({"error": err.message}).encode())


# ---------------------------------------------------------------------------------------------
# Revisions (issue 13): a record's git history, kept under private keys of the record
# ---------------------------------------------------------------------------------------------

#: Commits per page of ``/api/models/{id}/commits/{rev}`` (the Hub's page size).
COMMITS_PAGE_SIZE = 50

_GIT_API_RE = re.compile(
    r"^/api/models/(?P<id>[^/]+(?:/[^/]+)?)/(?P<what>commits|refs)(?:/(?P<rev>[^/]+))?$"
)
#: Private record keys of the history: ``_commits`` (newest first, each with the record as it
#: was) and ``_tags`` ({name: sha}); never served as JSON (see ``_public``).
_GIT_KEYS = ("_commits", "_tags")


def _tags(record: Mapping[str, Any]) -> dict[str, str]:
    return dict(record.get("_tags") or {})


def _git_history(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Commits newest first; a record never committed to has one: its own sha, dated when it
    was last modified (no sha: no history, so every revision is unknown)."""
    commits = record.get("_commits")
    if commits:
        return list(commits)
    sha = record.get("sha")
    if not isinstance(sha, str):
        return []
    when = (
        record.get("lastModified")
        or record.get("createdAt")
        or _iso(dt.datetime.now(dt.timezone.utc))
    )
    return [
        {
            "id": sha,
            "title": "recorded snapshot",
            "message": "",
            "authors": [],
            "date": when,
            "record": record,
        }
    ]


def _git_resolve(record: Mapping[str, Any], revision: str | None) -> str:
    """The sha a branch (main), tag or full sha names; RevisionNotFound otherwise."""
    history = _git_history(record)
    tags = _tags(record)
    if history and revision in (None, "main", "refs/heads/main"):
        return str(history[0]["id"])
    if revision is not None:
        name = revision.removeprefix("refs/tags/")
        if name in tags:
            return tags[name]
        if any(entry["id"] == revision for entry in history):
            return revision
    raise _HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")


# ---------------------------------------------------------------------------------------------
# Security scans (issue 12): file entries of the tree and paths-info endpoints
# ---------------------------------------------------------------------------------------------

#: Private record key: ``{path: securityFileStatus}`` (the Hub's per-file scan records).
_FILE_SECURITY_KEY = "_file_security"


def _form(headers: Mapping[str, str], body: bytes) -> dict[str, list[str]]:
    """The fields of a form-encoded body (``{}`` for any other body)."""
    kind = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if not body or "application/x-www-form-urlencoded" not in kind:
        return {}
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


def _sibling_names(record: Mapping[str, Any]) -> list[str]:
    return [
        str(s["rfilename"])
        for s in record.get("siblings") or []
        if isinstance(s, Mapping) and s.get("rfilename")
    ]


def _file_security(record: Mapping[str, Any]) -> dict[str, Any]:
    value = record.get(_FILE_SECURITY_KEY)
    return dict(value) if isinstance(value, Mapping) else {}


def _repo_security(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The record's ``securityRepoStatus``, else one derived from its per-file records (the
    files whose status is not "safe", with that status as their level), else None."""
    given = record.get("securityRepoStatus")
    if isinstance(given, Mapping):
        return dict(given)
    per_file = _file_security(record)
    if not per_file:
        return None
    issues = [
        {"path": path, "level": str(status.get("status"))}
        for path, status in sorted(per_file.items())
        if isinstance(status, Mapping) and status.get("status") != "safe"
    ]
    return {"scansDone": True, "filesWithIssues": issues}


def _last_commit(record: Mapping[str, Any]) -> dict[str, Any] | None:
    if not isinstance(record.get("sha"), str) or not record.get("lastModified"):
        return None
    return {"id": record["sha"], "title": "recorded snapshot", "date": record["lastModified"]}


def _file_entry(record: Mapping[str, Any], path: str, expand: bool) -> dict[str, Any]:
    """A file as the tree and paths-info endpoints list it. Its size and oid come from the
    record (a sibling's ``size``/``blobId``, or a ``_files`` text); unknown ones are null,
    never invented."""
    sibling = next(
        (
            s
            for s in record.get("siblings") or []
            if isinstance(s, Mapping) and s.get("rfilename") == path
        ),
        {},
    )
    text = (record.get("_files") or {}).get(path)
    data = str(text).encode("utf-8") if text is not None else None
    entry: dict[str, Any] = {
        "type": "file",
        "oid": sibling.get("blobId") or (_git_blob_sha1(data) if data is not None else None),
        "size": sibling.get("size", len(data) if data is not None else None),
        "path": path,
    }
    if isinstance(sibling.get("lfs"), Mapping):
        entry["lfs"] = sibling["lfs"]
    if expand:
        commit = _last_commit(record)
        if commit is not None:
            entry["lastCommit"] = commit
        security = _file_security(record).get(path)
        if security is not None:
            entry["securityFileStatus"] = security
    return entry


def _folder_entry(record: Mapping[str, Any], path: str, expand: bool) -> dict[str, Any]:
    # a folder's tree id is not in the records: null, never invented
    entry: dict[str, Any] = {"type": "directory", "oid": None, "size": 0, "path": path}
    commit = _last_commit(record) if expand else None
    if commit is not None:
        entry["lastCommit"] = commit
    return entry
