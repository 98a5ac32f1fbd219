"""Where catalogs come from: the live Hub, a snapshot file, the bundled starter, the local cache.

:func:`open_catalog` is the one entry point; with no arguments it picks the best source that
answers and says in one line which one and why.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from huggingface_hub import constants
from huggingface_hub.utils import build_hf_headers

from . import _http
from .catalog import Catalog
from .history import open_newest
from .hub import HubCatalog
from .schema import COLUMN_NAMES

__all__ = ["SNAPSHOT_ENV", "cache_catalog", "open_catalog", "starter_catalog"]

#: Environment variable naming the snapshot file ``open_catalog()`` falls back to when offline.
SNAPSHOT_ENV = "HUBWIDGETS_SNAPSHOT"

Kind = Literal["auto", "hub", "snapshot", "cache"]
_KINDS = ("auto", "hub", "snapshot", "cache")


@cache
def _starter() -> Catalog:
    text = (
        resources.files("hubwidgets.core")
        .joinpath("data", "starter_models.jsonl")
        .read_text("utf-8")
    )
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    meta = dict(lines[0]["_meta"]) if lines and "_meta" in lines[0] else {}
    records = lines[1:] if meta else lines
    as_of = datetime.fromisoformat(meta.get("as_of", "2026-08-01")).replace(tzinfo=timezone.utc)
    meta.update(name="starter", origin=meta.get("origin", "bundled with hubwidgets"))
    catalog = Catalog.from_records(records, source="snapshot", fetched_at=as_of, meta=meta)
    _ = catalog.index
    return catalog


def starter_catalog() -> Catalog:
    """The starter snapshot bundled in the package: a few hundred well-known models across all
    modalities, written from public facts; downloads and likes are approximate (see ``meta``)."""
    return _starter()


def _say(message: str, verbose: bool) -> None:
    if verbose:
        print(f"hubwidgets: {message}", file=sys.stdout)


class _ThisThread(logging.Filter):
    """Drops the records logged by one thread (the probe's), lets every other through."""

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread != self.thread


# huggingface_hub logs a failed request itself ("'[Errno -2] Name or service not known' thrown
# while requesting GET ..."): during the probe that line would come before our own one-line
# reason, so the probe's thread is kept out of these loggers (other threads' lines still show).
_HUB_LOGGERS = ("huggingface_hub", "huggingface_hub.utils._http")


@contextmanager
def _quiet_hub_logs() -> Iterator[None]:
    quiet = _ThisThread()
    loggers = [logging.getLogger(name) for name in _HUB_LOGGERS]
    for logger in loggers:
        logger.addFilter(quiet)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(quiet)


def _probe(endpoint: str, token: str | bool | None, timeout: float) -> str | None:
    """None when the Hub answers a one-model listing within ``timeout`` s in all, else why not
    (in words, with nothing logged on the way)."""
    with _quiet_hub_logs():
        return _probe_once(endpoint, token, timeout)


def _probe_once(endpoint: str, token: str | bool | None, timeout: float) -> str | None:  # noqa: PLR0911
    """None when the Hub answers a one-model listing within ``timeout`` s in all, else why not.

    ``timeout`` is a deadline for the whole answer, not per read: a server that sends its
    headers and then a byte a second is given up after ``timeout`` seconds too.
    """
    try:
        data, _ = _http.get_json(
            f"{endpoint}/api/models",
            params={"limit": 1},
            headers=build_hf_headers(token=token),
            deadline=_http.Deadline(timeout),
            timeout=timeout,
            max_retries=0,
            max_retry_wait=0,
            secrets=[token],
        )
        _http.model_page(data)
    except _http.FetchError as err:
        if err.kind in ("timeout", "deadline"):
            return f"the Hub at {endpoint} did not answer within {timeout:g} s"
        if err.kind in ("http", "rate") and err.status is not None:
            return f"the Hub at {endpoint} answered HTTP {err.status}"
        if err.kind == "connection":
            cause = str(err).split(":", 1)[0]
            return f"the Hub at {endpoint} could not be reached ({cause})"
        return f"the Hub at {endpoint} gave an unusable answer ({err})"
    except ValueError as err:  # not a list of models
        return f"the Hub at {endpoint} gave an unusable answer ({err})"
    except Exception as err:  # offline mode, an unusable proxy: the other sources still work
        return f"the Hub at {endpoint} could not be reached ({type(err).__name__})"
    return None


def _offline() -> bool:
    value = os.environ.get("HF_HUB_OFFLINE", "")
    return value.upper() in ("1", "ON", "YES", "TRUE") or constants.HF_HUB_OFFLINE


def _snapshot(path: str | os.PathLike[str] | None) -> Catalog:
    if path is None:
        return starter_catalog()
    # a directory of dated snapshots (snapshot pull --dir): its newest readable one
    catalog = open_newest(path) if Path(path).is_dir() else Catalog.read_parquet(path)
    _ = catalog.index  # build the search index now, not on the first keystroke
    return catalog


def _fallback(reason: str, verbose: bool) -> Catalog:
    env = os.environ.get(SNAPSHOT_ENV)
    if env:
        try:
            catalog = _snapshot(env)
        except ValueError as err:
            reason += f"; {SNAPSHOT_ENV} is set but unusable ({err})"
        else:
            _say(f"using snapshot {catalog.describe_source()} ({reason})", verbose)
            catalog.meta["reason"] = reason
            return catalog
    catalog = starter_catalog()
    _say(f"using the bundled {catalog.describe_source()} ({reason})", verbose)
    catalog.meta["reason"] = reason
    return catalog


def open_catalog(
    kind: Kind = "auto",
    *,
    path: str | os.PathLike[str] | None = None,
    endpoint: str | None = None,
    token: str | bool | None = None,
    timeout: float = 3.0,
    verbose: bool = True,
) -> Catalog | HubCatalog:
    """Open a catalog of Hub models.

    Args:
        kind: ``"hub"`` (live, through ``huggingface_hub.HfApi``), ``"snapshot"`` (a parquet
            snapshot file at ``path``, or the newest dated snapshot of a directory; the bundled
            starter when no path), ``"cache"`` (models in
            the local Hugging Face cache, enriched from snapshot data), or ``"auto"``: the live
            Hub when it answers within ``timeout`` seconds, else the snapshot named by
            ``HUBWIDGETS_SNAPSHOT``, else the bundled starter. ``HF_HUB_OFFLINE=1`` skips the
            Hub. Auto says in one line which it chose and why (``verbose=False`` silences it).
        path: snapshot file for ``kind="snapshot"`` (or the cache folder for ``kind="cache"``).
        endpoint, token: for the live Hub (default ``HF_ENDPOINT`` / the saved token).
        timeout: seconds the live Hub gets to answer (auto: the probe's whole answer, a
            deadline, not a per-read timeout).
    """
    if kind not in _KINDS:
        raise ValueError(f"unknown catalog kind {kind!r}; choose one of: {', '.join(_KINDS)}")
    if kind == "snapshot":
        return _snapshot(path)
    if kind == "hub":
        return HubCatalog(endpoint=endpoint, token=token, timeout=timeout * 4)
    if kind == "cache":
        return cache_catalog(path)
    if path is not None:
        raise ValueError("path= is for kind='snapshot' or kind='cache'; auto picks its own source")
    if _offline():
        return _fallback("HF_HUB_OFFLINE is set", verbose)
    where = (endpoint or constants.ENDPOINT).rstrip("/")
    why = _probe(where, token, timeout)
    if why is not None:
        return _fallback(why, verbose)
    _say(f"using the live Hub at {where}", verbose)
    return HubCatalog(endpoint=where, token=token, timeout=max(timeout * 4, 10.0))


# -- the local cache ---------------------------------------------------------------------------
def _front_matter(readme: Path) -> dict[str, Any]:
    try:
        text = readme.read_text("utf-8", errors="replace")
    except OSError:
        return {}
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    if end < 0:
        return {}
    try:
        data = yaml.safe_load(text[3:end])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _safetensors_params(folder: Path) -> int | None:
    """Total parameter count from the headers of the folder's .safetensors files."""
    total = 0
    found = False
    for file in sorted(folder.glob("*.safetensors")):
        try:
            with file.open("rb") as fh:
                (size,) = struct.unpack("<Q", fh.read(8))
                header = json.loads(fh.read(size))
        except (OSError, ValueError, struct.error):
            continue
        for name, info in header.items():
            if name == "__metadata__" or not isinstance(info, dict):
                continue
            count = 1
            for dim in info.get("shape", []):
                count *= int(dim)
            total += count
            found = True
    return total if found else None


def _cached_records(cache_dir: str | os.PathLike[str] | None) -> Iterator[dict[str, Any]]:
    from huggingface_hub import scan_cache_dir  # noqa: PLC0415 - only this source needs it

    try:
        info = scan_cache_dir(None if cache_dir is None else Path(cache_dir))
    except Exception as err:
        raise ValueError(f"cannot read the Hugging Face cache ({err})") from None
    for repo in sorted(info.repos, key=lambda r: r.repo_id):
        if repo.repo_type != "model":
            continue
        main = next((r for r in repo.revisions if "main" in r.refs), None)
        revision = main or max(repo.revisions, key=lambda r: r.last_modified, default=None)
        record: dict[str, Any] = {"id": repo.repo_id}
        if revision is not None:
            record["sha"] = revision.commit_hash
            card = _front_matter(revision.snapshot_path / "README.md")
            if card:
                record["cardData"] = card
                for key in ("pipeline_tag", "library_name"):
                    if isinstance(card.get(key), str):
                        record[key] = card[key]
                tags = card.get("tags")
                if isinstance(tags, list):
                    record["tags"] = [str(t) for t in tags]
            params = _safetensors_params(revision.snapshot_path)
            if params is not None:
                record["safetensors"] = {"total": params}
        yield record


def cache_catalog(
    cache_dir: str | os.PathLike[str] | None = None, *, enrich: Catalog | None = None
) -> Catalog:
    """The models in the local Hugging Face cache (``huggingface_hub.scan_cache_dir``).

    What the cache itself tells (id, revision sha, the card's metadata, parameter counts from the
    safetensors headers) is completed from snapshot data: ``enrich``, else the snapshot named by
    ``HUBWIDGETS_SNAPSHOT``, else the bundled starter. A value from the cache wins.
    """
    catalog = Catalog.from_records(list(_cached_records(cache_dir)), source="cache")
    if enrich is None:
        env = os.environ.get(SNAPSHOT_ENV)
        enrich = Catalog.read_parquet(env) if env else starter_catalog()
    mine = catalog.df.set_index("id")
    theirs = enrich.df[enrich.df["id"].isin(mine.index)].set_index("id")
    # as objects, so that missing values of any dtype are filled from the snapshot's row;
    # Catalog() then conforms the columns back to the schema's dtypes
    merged = mine.astype(object).combine_first(theirs.astype(object)).reindex(mine.index)
    merged["source"] = "cache"
    merged["fetched_at"] = mine["fetched_at"]
    df = merged.reset_index()[list(COLUMN_NAMES)]
    meta = {
        "name": "local cache",
        "origin": str(cache_dir or constants.HF_HUB_CACHE),
        "enriched_from": enrich.describe_source(),
    }
    return Catalog(df, source="cache", fetched_at=datetime.now(timezone.utc), meta=meta)
