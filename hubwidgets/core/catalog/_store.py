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
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ._index import SearchIndex
from .schema import COLUMN_NAMES, frame_from_columns

__all__ = ["CACHE_ENV", "MIN_ROWS", "cache_root", "load", "save"]

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
        table = pa.ipc.open_file(pa.memory_map(str(entry / "table.arrow"))).read_all()
        df = frame_from_columns(table.column)
        arrays = {
            name: np.load(entry / f"{name}.npy", mmap_mode="r", allow_pickle=False)
            for name in meta["arrays"]
        }
        index = SearchIndex.restore(df, arrays, meta["values"])
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return None
    return df, index, meta.get("extras", {})


def save(path: Path, df: pd.DataFrame, index: SearchIndex, extras: dict[str, Any]) -> None:
    """Write the cache entry of ``path``; failures (a read-only home, a full disk) are ignored:
    the cache only saves time."""
    try:
        entry = _entry(path)
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=entry.parent, prefix=".tmp-"))
        table = pa.Table.from_pandas(df[list(COLUMN_NAMES)], preserve_index=False)
        table = table.replace_schema_metadata(None)
        with (
            pa.OSFile(str(tmp / "table.arrow"), "wb") as sink,
            pa.ipc.new_file(sink, table.schema) as writer,
        ):
            writer.write_table(table)
        arrays, values = index.arrays()
        for name, arr in arrays.items():
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(arr), allow_pickle=False)
        meta = {"arrays": sorted(arrays), "values": values, "extras": extras, "source": str(path)}
        (tmp / "meta.json").write_text(json.dumps(meta))
        if entry.exists():
            shutil.rmtree(entry, ignore_errors=True)
        os.replace(tmp, entry)  # readers see a whole entry or none
    except (OSError, pa.ArrowException, TypeError, ValueError):
        shutil.rmtree(locals().get("tmp", entry.parent / ".none"), ignore_errors=True)
