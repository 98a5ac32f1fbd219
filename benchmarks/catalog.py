"""Catalog benchmark (issue 17): opening a Hub-sized snapshot, history queries, the mirror.

The catalog is RESAMPLED from the real Hub records in ../shared/data to --rows rows (3.1M by
default), every row with a fresh unique id: see benchmarks/README.md and _catalog.py.

    .venv/bin/python benchmarks/catalog.py            # 3.1M rows
    .venv/bin/python benchmarks/catalog.py --quick    # 200k rows

Every open is measured in a fresh Python process (time from ``Catalog.read_parquet`` to a built
index, peak RSS from ``resource.getrusage``), with a private empty ``HUBWIDGETS_CACHE``. The last
line is machine-readable:

    catalog cold_open_s=... cold_peak_gb=... warm_open_s=... history_query_ms=... serve_rps=...
    serve_p95_ms=...

(one line). Who fills what (issue 17): ``cold_open_s``/``cold_peak_gb``/``warm_open_s`` item 1
(stored index); ``history_query_ms`` item 2 (history and trends); ``serve_rps``/``serve_p95_ms``
item 4 (the mirror, ``hubwidgets serve``). A figure not measured yet is ``nan``. To add one, write
a ``measure_<name>(snapshot: Path) -> dict[str, float]`` function and call it in ``main``.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _catalog import add_catalog_arguments, announce, cache_path  # noqa: E402

GB = 1024**3

_OPEN = (
    "import resource, sys, time\n"
    "from hubwidgets.core.catalog.catalog import Catalog\n"
    "t = time.perf_counter(); cat = Catalog.read_parquet(sys.argv[1]); cat.index\n"
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
)


def open_in_fresh_process(snapshot: Path, cache: Path) -> tuple[float, float]:
    """(seconds, peak RSS GB) of ``Catalog.read_parquet(snapshot)`` plus its index, measured in
    a new process whose snapshot cache (``HUBWIDGETS_CACHE``) is ``cache``."""
    env = {**os.environ, "HUBWIDGETS_CACHE": str(cache), "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", _OPEN, str(snapshot)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout.split()
    return float(out[-2]), float(out[-1]) * 1024 / GB


def _store_index(snapshot: Path, cache: Path) -> float | None:
    """Store the index with ``snapshot`` as ``hubwidgets snapshot pull`` does at its end, in a
    child process with the user cache ``cache``; its seconds, or None when this version of
    hubwidgets has no stored index."""
    code = (
        "import sys, time\n"
        "from hubwidgets.core.catalog import _store\n"
        "if not hasattr(_store, 'write_stored_index'): print('none'); raise SystemExit\n"
        "t = time.perf_counter(); _store.write_stored_index(sys.argv[1])\n"
        "print(time.perf_counter() - t)\n"
    )
    env = {**os.environ, "HUBWIDGETS_CACHE": str(cache), "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(snapshot)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout.split()
    return None if out[-1] == "none" else float(out[-1])


# -- item 1 (stored index) ----------------------------------------------------------------------
def measure_open(snapshot: Path, work: Path) -> dict[str, float]:
    """cold_open_s, cold_peak_gb: the first open of a freshly pulled snapshot (its index stored
    with it at the end of the pull, on this machine, with the same user cache). warm_open_s: a
    snapshot written elsewhere, without a stored index, opened a second time (its first open
    built the index and filled the user cache). Also printed: the first open of a copy of the
    snapshot and its index (every byte of the index checked)."""
    pulled = work / "pulled" / snapshot.name
    pulled.parent.mkdir()
    shutil.copyfile(snapshot, pulled)
    stored_s = _store_index(pulled, work / "cache-pulled")
    if stored_s is not None:
        print(f"index stored with the snapshot (end of pull): {stored_s:.2f}s", flush=True)
    cold_s, cold_gb = open_in_fresh_process(pulled, work / "cache-pulled")
    print(f"first open of a pulled snapshot: {cold_s:.3f}s, peak RSS {cold_gb:.3f} GB", flush=True)
    if stored_s is not None:
        copy = work / "copy" / snapshot.name
        copy.parent.mkdir()
        shutil.copy2(pulled, copy)
        index = pulled.with_name(pulled.name + ".index")
        shutil.copytree(index, copy.with_name(copy.name + ".index"))
        shutil.rmtree(index, ignore_errors=True)
        copy_s, copy_gb = open_in_fresh_process(copy, work / "cache-copy")
        print(
            f"first open of a copied snapshot with its index (index checked in full): "
            f"{copy_s:.3f}s, peak RSS {copy_gb:.3f} GB",
            flush=True,
        )
        shutil.rmtree(copy.parent, ignore_errors=True)

    bare = work / "bare" / snapshot.name
    bare.parent.mkdir()
    shutil.copyfile(snapshot, bare)
    first_s, first_gb = open_in_fresh_process(bare, work / "cache-bare")
    print(
        f"first open without a stored index (parquet decoded, index built, cache written): "
        f"{first_s:.3f}s, peak RSS {first_gb:.3f} GB",
        flush=True,
    )
    warm_s, warm_gb = open_in_fresh_process(bare, work / "cache-bare")
    print(f"warm open (user cache memory-mapped): {warm_s:.3f}s, peak RSS {warm_gb:.3f} GB")
    return {"cold_open_s": cold_s, "cold_peak_gb": cold_gb, "warm_open_s": warm_s}


# -- item 2 (history and trends): fills history_query_ms ----------------------------------------
HISTORY_SERIES = "trending-feature-extraction-2024-2026.parquet"


def _p95_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]


def measure_history(snapshot: Path, repeat: int = 21) -> dict[str, float]:
    """p95 of ``hw.history`` over the recorded daily series (111,873 real daily values, not
    resampled): every model's downloads, the figure reported; a narrowed query and trends on
    it are printed beside it. ``snapshot`` is unused: history reads its own source."""
    import hubwidgets as hw  # noqa: PLC0415
    from hubwidgets.testing import shared_data_dir  # noqa: PLC0415

    data = shared_data_dir()
    series = None if data is None else data / HISTORY_SERIES
    if series is None or not series.exists():
        print(f"history: SKIPPED ({HISTORY_SERIES} not found in ../shared/data)")
        return {"history_query_ms": math.nan}
    full = hw.history(source=series)
    models = list(full["model"].drop_duplicates().sample(10, random_state=0))
    all_ms = _p95_ms(lambda: hw.history(source=series), repeat)
    some_ms = _p95_ms(
        lambda: hw.history(models, metric="likes", since="2025-06-01", source=series), repeat
    )
    trends_ms = _p95_ms(lambda: hw.starter_catalog().trends(history=full), repeat)
    print(
        f"history: {len(full):,} daily values of {full['model'].nunique()} models (recorded, "
        f"not resampled); p95 of {repeat} runs: all models {all_ms:.1f} ms, 10 models since "
        f"2025-06-01 {some_ms:.1f} ms, trends(window='30D') {trends_ms:.1f} ms"
    )
    return {"history_query_ms": all_ms}


# -- item 4 (the mirror, hubwidgets serve): fills serve_rps and serve_p95_ms --------------------
_SERVE = (
    "import os, sys\n"
    "from hubwidgets.core.catalog.serve import Mirror\n"
    "m = Mirror(sys.argv[1], host='127.0.0.1', port=0, log=open(os.devnull, 'w')).start()\n"
    "print(m.port, flush=True)\n"
    "m.wait()\n"
)
SERVE_CLIENTS = 8


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    """A process's resident memory in MB: all of it (VmRSS), or its heap alone (RssAnon: what
    a leak would grow; file pages of a memory-mapped snapshot are RssFile)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return math.nan


def _serve_paths(snapshot: Path, n: int = 400) -> list[str]:
    """A mix of what clients ask a mirror: searches by a word of a real id, with a task filter,
    other sorts, deeper pages of a cursor walk's size, and model info of known ids."""
    import random  # noqa: PLC0415
    from urllib.parse import quote, urlencode  # noqa: PLC0415

    import pyarrow.parquet as pq  # noqa: PLC0415

    table = pq.read_table(snapshot, columns=["id", "task"])
    rng = random.Random(0)
    picks = rng.sample(range(table.num_rows), n)
    ids = [str(table.column("id")[i]) for i in picks]
    tasks = sorted({str(t) for t in table.column("task").unique().to_pylist() if t})[:20]
    paths: list[str] = []
    for i, model_id in enumerate(ids):
        word = model_id.rsplit("/", 1)[-1].split("-")[0][:12] or "model"
        kind = i % 5
        if kind == 0:
            q = [("search", word), ("sort", "downloads"), ("direction", "-1"), ("limit", "20")]
        elif kind == 1:
            q = [("pipeline_tag", rng.choice(tasks)), ("sort", "likes"), ("limit", "50")]
        elif kind == 2:
            q = [("search", word), ("filter", "transformers"), ("limit", "20"), ("full", "true")]
        elif kind == 3:
            q = [("author", model_id.split("/")[0]), ("sort", "lastModified"), ("limit", "100")]
        else:
            paths.append(f"/api/models/{quote(model_id)}")
            continue
        paths.append(f"/api/models?{urlencode(q)}")
    return paths


def measure_serve(snapshot: Path, seconds: float = 60.0) -> dict[str, float]:
    """serve_rps, serve_p95_ms: ``hubwidgets serve`` (a Mirror in its own process) under
    SERVE_CLIENTS concurrent keep-alive clients on 127.0.0.1 for ``seconds``: requests per
    second, the 95th percentile latency, errors (must be 0) and the server's RSS along the way
    (must stay flat). Bounded: loopback only, a fixed time, 10 s per request at most."""
    import http.client  # noqa: PLC0415
    import threading  # noqa: PLC0415
    import time  # noqa: PLC0415

    env = {**os.environ, "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVE, str(snapshot)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        paths = _serve_paths(snapshot)
        latencies: list[list[float]] = [[] for _ in range(SERVE_CLIENTS)]
        errors: list[str] = []

        def client(k: int, until: float, record: bool) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            i = k
            while time.perf_counter() < until:
                path = paths[i % len(paths)]
                i += SERVE_CLIENTS
                t = time.perf_counter()
                try:
                    conn.request("GET", path)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except OSError as err:
                    errors.append(f"{path}: {err!r}")
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                    continue
                if record:
                    latencies[k].append(time.perf_counter() - t)
                    if status != 200:
                        errors.append(f"{path}: HTTP {status}")
            conn.close()

        def run(duration: float, record: bool) -> None:
            until = time.perf_counter() + duration
            threads = [
                threading.Thread(target=client, args=(k, until, record))
                for k in range(SERVE_CLIENTS)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(duration + 30)

        run(min(5.0, seconds / 4), record=False)  # warm-up: every path's first answer
        rss = [_rss_mb(server.pid)]
        heap = [_rss_mb(server.pid, "RssAnon")]
        sampler_stop = threading.Event()

        def sample() -> None:
            while not sampler_stop.wait(1.0):
                rss.append(_rss_mb(server.pid))
                heap.append(_rss_mb(server.pid, "RssAnon"))

        sampler = threading.Thread(target=sample)
        sampler.start()
        start = time.perf_counter()
        run(seconds, record=True)
        elapsed = time.perf_counter() - start
        sampler_stop.set()
        sampler.join()
        rss.append(_rss_mb(server.pid))
        heap.append(_rss_mb(server.pid, "RssAnon"))
    finally:
        server.terminate()
        server.wait(timeout=30)
    done = sorted(x for part in latencies for x in part)
    rps = len(done) / elapsed
    p95 = done[int(0.95 * (len(done) - 1))] * 1000 if done else math.nan
    p50 = done[len(done) // 2] * 1000 if done else math.nan
    print(
        f"mirror under {SERVE_CLIENTS} concurrent clients for {elapsed:.0f}s on 127.0.0.1: "
        f"{len(done):,} requests, {rps:.0f} req/s, p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"{len(errors)} errors; server RSS {rss[0]:.0f} MB after warm-up, max {max(rss):.0f} MB, "
        f"{rss[-1]:.0f} MB at end (heap alone: {heap[0]:.0f} -> {heap[-1]:.0f} MB, max "
        f"{max(heap):.0f} MB)",
        flush=True,
    )
    for line in errors[:5]:
        print(f"  error: {line}")
    return {"serve_rps": rps, "serve_p95_ms": p95}


FIELDS = (
    "cold_open_s",
    "cold_peak_gb",
    "warm_open_s",
    "history_query_ms",
    "serve_rps",
    "serve_p95_ms",
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_catalog_arguments(ap)
    args = ap.parse_args(argv)
    rows = announce(args)
    if rows is None:
        return 0
    path = cache_path(rows, args.seed, args.cache_dir)
    if not path.exists():
        print(f"building the resampled catalog ({rows:,} rows, once; cached at {path}) ...")
        cmd = [sys.executable, str(HERE / "_catalog.py"), "--rows", str(rows)]
        cmd += ["--seed", str(args.seed)]
        if args.cache_dir is not None:
            cmd += ["--cache-dir", str(args.cache_dir)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    print(f"snapshot: {path.name} ({path.stat().st_size / 1e6:.0f} MB)", flush=True)

    figures: dict[str, float] = {}
    work = Path(tempfile.mkdtemp(prefix="catalog-bench-", dir=path.parent))
    try:
        figures.update(measure_open(path, work))
        figures.update(measure_history(path))
        figures.update(measure_serve(path, seconds=10.0 if args.quick else 60.0))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("catalog " + " ".join(f"{k}={figures.get(k, math.nan):.3f}" for k in FIELDS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
