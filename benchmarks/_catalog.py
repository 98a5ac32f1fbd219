"""A big catalog for benchmarks, resampled from real Hub records (NOT Hub data).

The Hub holds about 3.1 million public models; the recorded data in ``../shared/data`` holds about
30 thousand. ``build_big_catalog`` normalizes the real records once (``Catalog.from_records``),
draws ``rows`` of them with replacement (numpy, seeded) and gives every drawn row a fresh unique id
(``<original id>-r<hex counter>``), so the value distributions (tasks, libraries, tags, counts,
id shapes) are the real ones while every id is new. The result is written once as a snapshot
parquet under ``benchmarks/.cache`` and reused (cached by rows, seed and build version).

Run directly to build (or find) the file:  ``.venv/bin/python benchmarks/_catalog.py --rows 200000``
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CACHE = REPO / "benchmarks" / ".cache"
BUILD_VERSION = 1  # bump when the way rows are drawn changes: old cache files are then ignored

RECORDS_2022 = "hub-models-2022.jsonl.gz"  # 29k records, 2022 `modelId` shape
RECORDS_2025 = "hub-model-info-2025.jsonl.gz"  # 1,030 lines {"metadata": {...}, "card": ...}

NOTE = "resampled from real Hub records with fresh ids; not Hub data"


class SharedDataMissingError(RuntimeError):
    """The recorded Hub data (../shared/data) is not on this machine."""


def shared_data_dir() -> Path:
    """``$HUBWIDGETS_SHARED_DATA``, else ``<repo>/../shared/data`` (SharedDataMissingError if
    absent)."""
    env = os.environ.get("HUBWIDGETS_SHARED_DATA")
    folder = Path(env) if env else REPO.parent / "shared" / "data"
    missing = [n for n in (RECORDS_2022, RECORDS_2025) if not (folder / n).is_file()]
    if missing:
        raise SharedDataMissingError(
            f"recorded Hub data not found: {folder} lacks {', '.join(missing)} "
            "(set HUBWIDGETS_SHARED_DATA or provide <repo>/../shared/data)"
        )
    return folder


def add_catalog_arguments(ap: argparse.ArgumentParser) -> None:
    """The options every benchmark over the resampled catalog takes."""
    ap.add_argument("--rows", type=int, default=3_100_000, help="catalog size (default 3.1M)")
    ap.add_argument("--quick", action="store_true", help="200k rows instead of --rows")
    ap.add_argument("--seed", type=int, default=0, help="resampling seed")
    ap.add_argument("--cache-dir", type=Path, default=None, help="where the catalog is cached")


def announce(args: argparse.Namespace) -> int | None:
    """Say what the catalog is, and return its row count; None (after saying why) when the
    recorded data is missing and the benchmark should exit 0 as SKIPPED."""
    rows = 200_000 if args.quick else int(args.rows)
    print(
        f"NOTE: the catalog is RESAMPLED from real Hub records (../shared/data) to {rows:,} "
        "rows, every row with a fresh unique id; it is not Hub data.",
        flush=True,
    )
    try:
        shared_data_dir()
    except SharedDataMissingError as err:
        print(f"SKIPPED (exit 0): {err}")
        return None
    return rows


def label(rows: int) -> str:
    """3_100_000 -> '3.1M', 200_000 -> '200k'."""
    if rows >= 1_000_000:
        return f"{rows / 1e6:g}M"
    if rows >= 1_000:
        return f"{rows / 1e3:g}k"
    return str(rows)


def cache_path(rows: int, seed: int, cache_dir: Path | str | None = None) -> Path:
    folder = Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE
    return folder / f"resampled-{rows}-seed{seed}-v{BUILD_VERSION}.parquet"


def load_real_records(folder: Path) -> list[dict]:
    """The real records of both files, as the raw dicts ``Catalog.from_records`` takes."""
    records: list[dict] = []
    with gzip.open(folder / RECORDS_2022, "rt", encoding="utf-8") as f:
        records.extend(json.loads(line) for line in f if line.strip())
    with gzip.open(folder / RECORDS_2025, "rt", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            meta = json.loads(line).get("metadata")
            # 31 lines are failed recordings ({"raw": "N/A"}): no metadata worth the name
            if isinstance(meta, dict) and (meta.get("id") or meta.get("modelId")):
                records.append(meta)
    return records


def _hex_suffixes(count: int) -> pa.Array:
    """'-r' + fixed-width lower-case hex of 0..count-1, built from one numpy byte matrix."""
    width = max(1, len(f"{max(count - 1, 0):x}"))
    counter = np.arange(count, dtype=np.int64)
    chars = np.empty((count, 2 + width), dtype=np.uint8)
    chars[:, 0] = ord("-")
    chars[:, 1] = ord("r")
    hexdigits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    for j in range(width):
        chars[:, 2 + j] = hexdigits[(counter >> (4 * (width - 1 - j))) & 15]
    offsets = np.arange(count + 1, dtype=np.int32) * (2 + width)
    return pa.Array.from_buffers(
        pa.string(), count, [None, pa.py_buffer(offsets), pa.py_buffer(chars.reshape(-1))]
    )


def build_big_catalog(
    rows: int = 3_100_000,
    seed: int = 0,
    cache_dir: Path | str | None = None,
    *,
    verbose: bool = True,
) -> Path:
    """Path of a snapshot parquet of ``rows`` resampled models (built on first use, then cached).

    Raises SharedDataMissingError when ../shared/data is absent.
    """
    path = cache_path(rows, seed, cache_dir)
    if path.exists():
        return path
    folder = shared_data_dir()

    # imported here so that a machine without the data skips without loading the package
    from hubwidgets.core.catalog.catalog import Catalog  # noqa: PLC0415
    from hubwidgets.core.catalog.schema import table_to_frame  # noqa: PLC0415

    t0 = time.perf_counter()
    records = load_real_records(folder)
    base = Catalog.from_records(records)  # normalize the real records once
    table = pa.Table.from_pandas(base.df, preserve_index=False)
    n = table.num_rows
    if verbose:
        print(
            f"[catalog] {n:,} real records normalized in {time.perf_counter() - t0:.1f}s; "
            f"drawing {rows:,} rows (seed {seed})",
            file=sys.stderr,
            flush=True,
        )

    rng = np.random.default_rng(seed)
    picks = pa.array(rng.integers(0, n, size=rows, dtype=np.int64))
    sampled = table.take(picks)  # Arrow take: every column at once, no Python loop over rows
    ids = pc.binary_join_element_wise(
        sampled.column("id").cast(pa.string()), _hex_suffixes(rows), ""
    )
    sampled = sampled.set_column(sampled.schema.get_field_index("id"), "id", ids)
    # snapshots are stored sorted by id; sort here with Arrow so Catalog() finds them sorted
    sampled = sampled.take(pc.sort_indices(sampled.column("id")))

    big = Catalog(
        table_to_frame(sampled),
        source="snapshot",
        meta={"name": f"resampled-{label(rows)}", "note": NOTE},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    big.to_parquet(
        path,
        origin=f"../shared/data/{RECORDS_2022} + {RECORDS_2025}",
        seed=seed,
        real_records=n,
        build_version=BUILD_VERSION,
    )
    if verbose:
        size = path.stat().st_size / 1e6
        print(
            f"[catalog] wrote {path} ({size:.0f} MB) in {time.perf_counter() - t0:.1f}s",
            file=sys.stderr,
            flush=True,
        )
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=3_100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache-dir", type=Path, default=None)
    args = ap.parse_args(argv)
    try:
        path = build_big_catalog(args.rows, args.seed, args.cache_dir)
    except SharedDataMissingError as err:
        print(f"SKIPPED (exit 0): {err}")
        return 0
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
