"""Audit trail benchmark: the cost of one ``append`` and the speed of ``audit_verify``.

In a temporary folder (deleted afterwards), with nothing else than the log on the path:

- **append**: ``--records`` (10,000) calls of ``hubwidgets.core.registry.audit.append`` with the
  fields an inference run records (task, two models, a few params), each timed alone; p50, p95
  and p99 in microseconds. Every call takes the file lock, reads the chain's last hash, builds
  and hashes the canonical JSON, scrubs secrets and writes its line with one ``write``. The
  peers, timed the same way in the same run on the same records: a bare
  ``f.write(json.dumps(record) + "\\n")`` into a file kept open (buffered: most calls make no
  system call at all), and the same followed by ``f.flush()`` (one ``write`` per record, as
  an append makes; no lock, no hash, no scrub).
- **contended append**: two processes appending ``--records / 5`` records each at once through
  the same file lock (p50, p95), and the chain they leave is verified.
- **verify**: ``audit_verify()`` over those records (median of ``--repeat`` runs), in records/s.
  The peer reads the same files and computes ``hashlib.sha256`` over every line's bytes: the
  least any check of every record must do.

    .venv/bin/python benchmarks/audit.py
    .venv/bin/python benchmarks/audit.py --records 100000 --repeat 3

Goals (issue 13): append <= 1 ms p95, verify >= 100,000 records/s. The last line is
machine-readable:

    audit append_p95_us=<float> verify_records_s=<float>

``bench_append`` and ``bench_verify`` return the numbers for ``benchmarks/registry.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from hubwidgets.core.registry.audit import DEFAULT_MAX_BYTES, append, audit_verify, set_audit_path

MODELS = ["acme/bert-base-uncased-finetuned-sst2", "acme/distilbert-base-uncased"]


def record_fields(i: int) -> dict[str, Any]:
    """What an inference run records (see audit.audit_run), varied a little per record."""
    return {
        "model": MODELS,
        "params": {
            "task": "text-classification",
            "models": MODELS,
            "n_inputs": 1 + i % 7,
            "backend": "LocalBackend",
            "max_new_tokens": 32,
            "run": i,
        },
        "outcome": "ok" if i % 10 else "partial",
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed_each(n: int, call: Any) -> list[float]:
    """Microseconds of each of ``n`` calls of ``call(i)``."""
    out = []
    clock = time.perf_counter_ns
    for i in range(n):
        started = clock()
        call(i)
        out.append((clock() - started) / 1000)
    return out


def bench_append(folder: Path, n: int) -> dict[str, float]:
    """p50/p95/p99 (µs) of ``append`` and of the two bare-write peers, ``n`` records each."""
    set_audit_path(folder / "audit" / "audit.jsonl", max_bytes=DEFAULT_MAX_BYTES)
    for i in range(200):  # warm: imports, the identity cache, the page cache
        append("inference.benchmark", actor="warm-up", **record_fields(i))
    # the warm-up log goes, so verify counts exactly n records
    for p in (folder / "audit").glob("audit*.jsonl"):
        p.unlink()
    ours = timed_each(n, lambda i: append("inference.playground", **record_fields(i)))

    rows = [{"action": "inference.playground", **record_fields(i)} for i in range(n)]
    with (folder / "bare.jsonl").open("w", encoding="utf-8") as fh:
        bare = timed_each(n, lambda i: fh.write(json.dumps(rows[i]) + "\n"))
    with (folder / "flushed.jsonl").open("w", encoding="utf-8") as fh:

        def write_flush(i: int) -> None:
            fh.write(json.dumps(rows[i]) + "\n")
            fh.flush()

        flushed = timed_each(n, write_flush)
    out: dict[str, float] = {}
    for name, values in (("append", ours), ("bare", bare), ("flushed", flushed)):
        for q in (50, 95, 99):
            out[f"{name}_p{q}_us"] = percentile(values, q)
    return out


def _contend(folder: str, n: int, start: Any, out: Any) -> None:
    set_audit_path(Path(folder) / "audit.jsonl", max_bytes=DEFAULT_MAX_BYTES)
    append("inference.benchmark", actor="warm-up")
    start.wait()
    out.put(timed_each(n, lambda i: append("inference.playground", **record_fields(i))))


def bench_contended(folder: Path, n: int, processes: int = 2) -> dict[str, float]:
    """p95 (µs) of an append while ``processes`` processes append at once (one file lock)."""
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    start, out = ctx.Barrier(processes), ctx.Queue()
    target = folder / "contended"
    workers = [
        ctx.Process(target=_contend, args=(str(target), n, start, out)) for _ in range(processes)
    ]
    for w in workers:
        w.start()
    times = [t for _ in workers for t in out.get(timeout=600)]
    for w in workers:
        w.join()
    report = audit_verify(path=target / "audit.jsonl")
    assert report.ok and report.records == processes * (n + 1), repr(report)
    return {"p50_us": percentile(times, 50), "p95_us": percentile(times, 95)}


def bench_verify(folder: Path, repeat: int) -> dict[str, float]:
    """records/s of ``audit_verify`` and of a bare sha256 over every line (median runs)."""
    log = folder / "audit" / "audit.jsonl"
    files = sorted(log.parent.glob("audit*.jsonl"))
    report = audit_verify(path=log)
    assert report.ok, repr(report)
    records = report.records

    def peer() -> None:
        for file in files:
            with file.open("rb") as fh:
                for line in fh.readlines():
                    hashlib.sha256(line).hexdigest()

    ours, bare = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        audit_verify(path=log)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        peer()
        bare.append(time.perf_counter() - started)
    return {
        "records": float(records),
        "verify_records_s": records / statistics.median(ours),
        "sha256_records_s": records / statistics.median(bare),
        "log_mb": sum(f.stat().st_size for f in files) / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hw-audit-bench-") as tmp:
        folder = Path(tmp)
        a = bench_append(folder, args.records)
        v = bench_verify(folder, args.repeat)
        c = bench_contended(folder, args.records // 5)
        set_audit_path(None)

    n = args.records
    print(f"audit trail benchmark: {n:,} records, {v['log_mb']:.1f} MB of log")
    print("append (µs per record; each call timed alone)")
    print(f"  {'':28}{'p50':>9}{'p95':>9}{'p99':>9}")
    labels = {
        "append": "hubwidgets append",
        "bare": "bare f.write(json.dumps)",
        "flushed": "f.write + flush",
    }
    for key, label in labels.items():
        cells = "".join(f"{a[f'{key}_p{q}_us']:9.1f}" for q in (50, 95, 99))
        print(f"  {label:28}{cells}")
    print(
        f"  append p95 / bare write p95 = {a['append_p95_us'] / a['bare_p95_us']:.1f}x; "
        f"/ write+flush p95 = {a['append_p95_us'] / a['flushed_p95_us']:.1f}x "
        f"(goal: append p95 <= 1000 µs: {'met' if a['append_p95_us'] <= 1000 else 'MISSED'})"
    )
    print(
        f"  with 2 processes appending at once ({args.records // 5:,} records each): "
        f"p50 {c['p50_us']:.1f} µs, p95 {c['p95_us']:.1f} µs; the chain verifies"
    )
    print(f"verify ({args.repeat} runs, median)")
    print(f"  hubwidgets audit_verify   {v['verify_records_s']:>12,.0f} records/s")
    print(f"  bare sha256 of each line  {v['sha256_records_s']:>12,.0f} records/s")
    met = "met" if v["verify_records_s"] >= 100_000 else "MISSED"
    print(
        f"  verify / bare sha256 = {v['verify_records_s'] / v['sha256_records_s']:.2f}x "
        f"(goal: >= 100,000 records/s: {met})"
    )
    print(
        f"audit append_p95_us={a['append_p95_us']:.3f} verify_records_s={v['verify_records_s']:.3f}"
    )


if __name__ == "__main__":
    main()
