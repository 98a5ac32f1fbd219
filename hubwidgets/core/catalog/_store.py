"""An on-disk cache that makes re-opening a large snapshot instant.

Parquet is the snapshot format: compact, portable, what ``hubwidgets snapshot pull`` writes.
Decoding it and building the search index costs seconds on millions of models, and a notebook
opens the same snapshot in every new kernel. So the first open of a large snapshot also writes,
under ``$HUBWIDGETS_CACHE`` (default ``~/.cache/hubwidgets``), its table as uncompressed Arrow IPC
and its index as ``.npy`` arrays; later opens memory-map both. Only pages a query touches are
read from disk, which also keeps the resident memory of a large catalog low.

The cache is keyed by the snapshot's absolute path, size and modification time, and by the
formats of both files: a changed snapshot or a new hubwidgets version never reads a stale entry.
Anything unreadable in the cache is ignored and rebuilt.

A snapshot can also carry its index with it: ``hubwidgets snapshot pull`` writes the same files
into ``<snapshot>.index/`` beside the parquet (:func:`write_stored_index`), so that even the first
open of a freshly pulled snapshot only memory-maps. That folder travels with the snapshot, so it
is never trusted: its manifest names the format version, the snapshot it was built from (size and
SHA-256 of the whole parquet file) and every file's size and checksum, all checked on every open
(:func:`load_stored`); anything that does not match is reported and rebuilt. Reading every
byte of a 1.4 GB index takes a second on a busy machine, so files this machine wrote or already
checked in full, and that were not written to since (same inode, size and modification time,
noted in the user cache), are not read again: a copy from elsewhere or any change is.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ._index import SearchIndex
from .schema import COLUMN_NAMES, frame_from_columns

__all__ = [
    "CACHE_ENV",
    "MIN_ROWS",
    "STORED_SUFFIX",
    "cache_root",
    "load",
    "load_stored",
    "save",
    "save_stored",
    "stored_index_path",
    "write_stored_index",
]

CACHE_ENV = "HUBWIDGETS_CACHE"
#: Smaller snapshots are read and indexed in well under a second: not worth a cache entry.
MIN_ROWS = 200_000
_VERSION = "2"  # 2: the schema gained files, remote_code, scans_done, files_with_issues


def cache_root() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "hubwidgets")


def _entry(path: Path) -> Path:
    st = path.stat()
    key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{_VERSION}"
    return cache_root() / "snapshots" / hashlib.sha256(key.encode()).hexdigest()[:32]


def load(path: Path) -> tuple[pd.DataFrame, SearchIndex, dict[str, Any]] | None:
    """(DataFrame, index, extras) from the cache entry of ``path``, or None when there is none."""
    try:
        entry = _entry(path)
        meta = json.loads((entry / "meta.json").read_text())
        return _read_entry(entry, meta)
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return None


def _read_entry(
    entry: Path, meta: dict[str, Any]
) -> tuple[pd.DataFrame, SearchIndex, dict[str, Any]]:
    """Memory-map the table and the arrays of an entry whose meta.json says ``meta``."""
    table = pa.ipc.open_file(pa.memory_map(str(entry / "table.arrow"))).read_all()
    df = frame_from_columns(table.column)
    arrays = {
        name: np.load(entry / f"{name}.npy", mmap_mode="r", allow_pickle=False)
        for name in meta["arrays"]
    }
    index = SearchIndex.restore(df, arrays, meta["values"])
    return df, index, meta.get("extras", {})


def save(path: Path, df: pd.DataFrame, index: SearchIndex, extras: dict[str, Any]) -> None:
    """Write the cache entry of ``path``; failures (a read-only home, a full disk) are ignored:
    the cache only saves time."""
    try:
        entry = _entry(path)
        entry.parent.mkdir(parents=True, exist_ok=True)
        _write_entry(entry, df, index, {"extras": extras, "source": str(path)})
    except (OSError, pa.ArrowException, TypeError, ValueError):
        pass


def _write_entry(
    entry: Path,
    df: pd.DataFrame,
    index: SearchIndex,
    meta: dict[str, Any],
    manifest: Callable[[Path], dict[str, Any]] | None = None,
) -> None:
    """Write table.arrow, one .npy per index array and meta.json into a temporary folder beside
    ``entry``, then (with ``manifest``: after writing the manifest it returns for the folder)
    move it to ``entry`` in one rename: readers see a whole entry or none."""
    tmp = Path(tempfile.mkdtemp(dir=entry.parent, prefix=f".{entry.name}.tmp-"))
    try:
        table = pa.Table.from_pandas(df[list(COLUMN_NAMES)], preserve_index=False)
        table = table.replace_schema_metadata(None)
        with (
            pa.OSFile(str(tmp / "table.arrow"), "wb") as sink,
            pa.ipc.new_file(sink, table.schema) as writer,
        ):
            writer.write_table(table)
        del table
        arrays, values = index.arrays()
        for name, arr in arrays.items():
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(arr), allow_pickle=False)
        meta = {**meta, "arrays": sorted(arrays), "values": values}
        (tmp / "meta.json").write_text(json.dumps(meta))
        if manifest is not None:
            (tmp / MANIFEST).write_text(json.dumps(manifest(tmp)))
        if entry.exists():
            shutil.rmtree(entry, ignore_errors=True)
        os.replace(tmp, entry)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# -- the index stored with a snapshot -----------------------------------------------------------

#: ``<snapshot file name><STORED_SUFFIX>`` is the folder holding a snapshot's stored index.
STORED_SUFFIX = ".index"
MANIFEST = "manifest.json"
STORED_FORMAT = "hubwidgets.stored-index"
#: bumped with any change of what the files hold (and with the cache's ``_VERSION``)
STORED_VERSION = f"2.{_VERSION}"  # 2: the sum64 checksum
_CHUNK = 16 * 1024 * 1024


def stored_index_path(path: str | os.PathLike[str]) -> Path:
    """The folder that holds (or would hold) the stored index of the snapshot ``path``."""
    path = Path(path)
    return path.with_name(path.name + STORED_SUFFIX)


def _digest(path: Path, algorithm: str) -> tuple[int, str]:
    """(size, checksum) of a file, read in blocks into one reused buffer (the file's pages never
    count in this process's memory). ``sha256``, or ``sum64``: per 16 MiB block the wrapping
    sum of its 64-bit words, chained over the blocks with their lengths. sum64 changes with a
    flipped bit, a changed word, a zeroed page or a truncation, and runs at memory speed: the
    stored index of a 3.1M-model snapshot (1.4 GB) is checked in a few tenths of a second."""
    words = np.empty(_CHUNK // 8, dtype=np.uint64)
    view = memoryview(words.view(np.uint8))  # type: ignore[arg-type]
    size, chained = 0, 0
    sha = hashlib.sha256() if algorithm == "sha256" else None
    with path.open("rb", buffering=0) as f:
        while True:
            got = 0
            while got < _CHUNK:  # whole blocks: the sums must not depend on how reads split
                n = f.readinto(view[got:])
                if not n:
                    break
                got += n
            if not got:
                break
            size += got
            if sha is not None:
                sha.update(view[:got])
                continue
            if got % 8:
                view[got : got + 8 - got % 8] = bytes(8 - got % 8)
            block = int(words[: (got + 7) // 8].sum(dtype=np.uint64))
            chained = (chained * 1_000_003 + block + got) % (1 << 64)
    return size, (sha.hexdigest() if sha is not None else f"{chained:016x}")


def _snapshot_fingerprint(path: Path) -> dict[str, Any]:
    size, sha = _digest(path, "sha256")
    return {"size": size, "sha256": sha}


def _manifest_for(snapshot: Path) -> Callable[[Path], dict[str, Any]]:
    def manifest(folder: Path) -> dict[str, Any]:
        files = {}
        for file in sorted(folder.iterdir()):
            size, checksum = _digest(file, "sum64")
            files[file.name] = {"size": size, "sum64": checksum}
        return {
            "format": STORED_FORMAT,
            "version": STORED_VERSION,
            "snapshot": {"name": snapshot.name, **_snapshot_fingerprint(snapshot)},
            "files": files,
        }

    return manifest


def save_stored(
    path: str | os.PathLike[str], df: pd.DataFrame, index: SearchIndex, extras: dict[str, Any]
) -> Path:
    """Store ``index`` (built over ``df``, the snapshot ``path`` as read) beside the snapshot;
    returns the folder. OSError (a read-only folder, a full disk) is raised: the caller decides
    whether that matters."""
    path = Path(path)
    entry = stored_index_path(path)
    _write_entry(entry, df, index, {"extras": extras}, manifest=_manifest_for(path))
    # Stamp the files with one modification time in the past: any later write to them sets it to
    # "now", so this process's own files are known unchanged (see _remember_checked)
    stamp = time.time_ns() - 2 * SETTLED_NS - 123_457
    for file in entry.iterdir():
        os.utime(file, ns=(stamp, stamp))
    _remember_checked(entry)
    return entry


#: Files last modified longer ago than this are "settled": a later write would change their
#: modification time (file systems stamp writes with a clock of a few ms granularity at worst).
SETTLED_NS = 2_000_000_000


def _checked_marker(entry: Path) -> Path:
    key = hashlib.sha256(str(entry.resolve()).encode()).hexdigest()[:32]
    return cache_root() / "checked" / f"{key}.json"


def _identity(entry: Path) -> dict[str, list[int]]:
    """(inode, size, modification time in ns) of every file of a stored index."""
    out = {}
    for file in sorted(entry.iterdir()):
        st = file.stat()
        out[file.name] = [st.st_ino, st.st_size, st.st_mtime_ns]
    return out


def _remember_checked(entry: Path) -> None:
    """Note in the user cache that the files of ``entry``, as they are now, were written or fully
    checked here, so that the next open checks sizes and identities instead of every byte.
    Only settled files are noted (a write in the same clock tick could not be told apart);
    a copy elsewhere (new inodes) or any write since (a new modification time) is checked in
    full again. Failures are ignored: the note only saves time."""
    with contextlib.suppress(OSError):
        identity = _identity(entry)
        settled = time.time_ns() - SETTLED_NS
        if all(mtime < settled for _, _, mtime in identity.values()):
            marker = _checked_marker(entry)
            marker.parent.mkdir(parents=True, exist_ok=True)
            tmp = marker.with_name(f".{marker.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"entry": str(entry.resolve()), "files": identity}))
            os.replace(tmp, marker)


def _checked_before(entry: Path) -> bool:
    try:
        noted = json.loads(_checked_marker(entry).read_text())
        return bool(noted["files"] == _identity(entry))
    except (OSError, ValueError, KeyError, TypeError):
        return False


class StaleIndexError(ValueError):
    """A stored index that must not be used; the message says why, in a few words."""


def _read_manifest(entry: Path) -> tuple[int, str, dict[str, tuple[int, str]]]:
    """(snapshot size, snapshot SHA-256, {file: (size, sum64)}) from a stored index's manifest."""
    try:
        manifest = json.loads((entry / MANIFEST).read_text())
    except FileNotFoundError:
        raise StaleIndexError(f"incomplete (no {MANIFEST})") from None
    except (OSError, ValueError) as err:
        raise StaleIndexError(f"corrupted ({MANIFEST} unreadable: {err})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != STORED_FORMAT:
        raise StaleIndexError(f"not a hubwidgets stored index ({MANIFEST} of another format)")
    if manifest.get("version") != STORED_VERSION:
        raise StaleIndexError(
            f"of another hubwidgets version (format {manifest.get('version')!r}, this version "
            f"reads {STORED_VERSION!r})"
        )
    try:
        snap, files = manifest["snapshot"], manifest["files"]
        expected = {str(n): (int(f["size"]), str(f["sum64"])) for n, f in files.items()}
        return int(snap["size"]), str(snap["sha256"]), expected
    except (KeyError, TypeError, ValueError, AttributeError):
        raise StaleIndexError(f"corrupted ({MANIFEST} lacks fields)") from None


def _check_stored(path: Path, entry: Path) -> dict[str, Any]:
    """meta.json of a stored index after checking everything the manifest promises;
    StaleIndexError saying what did not match otherwise."""
    want_size, want_sha, expected = _read_manifest(entry)
    if path.stat().st_size != want_size:
        raise StaleIndexError(
            "stale: built for another snapshot file (the snapshot's size differs); "
            "the snapshot was replaced or the folder copied from elsewhere"
        )
    present = {p.name for p in entry.iterdir()} - {MANIFEST}
    if present != set(expected) or "meta.json" not in expected:
        missing = sorted(set(expected) - present) or sorted(present - set(expected))
        raise StaleIndexError(f"corrupted (files missing or unexpected: {', '.join(missing[:3])})")
    for name, (size, _) in expected.items():
        if (entry / name).stat().st_size != size:
            raise StaleIndexError(f"corrupted ({name} has the wrong size)")
    if _snapshot_fingerprint(path)["sha256"] != want_sha:
        raise StaleIndexError(
            "stale: built for another snapshot file (the snapshot's SHA-256 differs); "
            "the snapshot was replaced or the folder copied from elsewhere"
        )
    if not _checked_before(entry):
        for name, (_, checksum) in expected.items():
            if _digest(entry / name, "sum64")[1] != checksum:
                raise StaleIndexError(f"corrupted ({name} fails its checksum)")
        _remember_checked(entry)
    meta: dict[str, Any] = json.loads((entry / "meta.json").read_text())
    return meta


def load_stored(
    path: str | os.PathLike[str], rows: int
) -> tuple[tuple[pd.DataFrame, SearchIndex, dict[str, Any]] | None, str | None]:
    """(the stored index of the snapshot ``path`` with its table, None) when it is there and
    checks out; (None, None) when there is none; (None, why) when one is there but must not be
    used. ``rows`` is the snapshot's row count (from its footer)."""
    path = Path(path)
    entry = stored_index_path(path)
    if not entry.is_dir():
        return None, None
    try:
        meta = _check_stored(path, entry)
        found = _read_entry(entry, meta)
    except StaleIndexError as err:
        return None, str(err)
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as err:
        return None, f"unreadable ({type(err).__name__}: {err})"
    if len(found[0]) != rows:
        return None, f"stale: it holds {len(found[0])} rows, the snapshot {rows}"
    return found, None


def write_stored_index(path: str | os.PathLike[str]) -> Path:
    """Read the snapshot ``path``, build its index and store both beside it (what
    ``hubwidgets snapshot pull`` does at its end); returns the index folder."""
    from .catalog import Catalog  # noqa: PLC0415 - catalog imports this module

    path = Path(path)
    catalog = Catalog._decode_snapshot(path, progress=False)
    return save_stored(path, catalog.df, catalog.index, {"cards": catalog._cards})
