"""Registry benchmark: register and get on a SQLite registry holding 10,000 entries.

The registry file is filled with 10,000 generated entries (ids ``bench/model-NNNNN``, random
shas, every tenth with an alias: generated rows, not Hub data) through the registry's own
table, then opened with ``hw.Registry`` (so the Alembic check on open is measured too).

- ``register``: ``reg.register(model, alias=...)`` of a real recorded model (shared data, else
  the bundled starter's first record with a sha added) served by the Hub-compatible test
  server on 127.0.0.1: the Hub request, hw.check at that revision, the append and the entry read
  back (and the audit record, where the audit trail is installed).
- ``register`` cold: the same, with the registry's cache of hw.check facts per revision
  emptied before each call (the first register of a revision).
- ``set_alias``: the registry's own write path alone (resolve a registered revision, append,
  read the entry back): no Hub, no check.
- ``get``: ``reg.get(alias)`` of random aliases among the 1,000.

Peers, in the same run on the same file settings (WAL, one transaction per operation): a bare
``sqlite3`` INSERT + COMMIT of one row and a bare indexed SELECT of one alias's newest row.

    .venv/bin/python benchmarks/registry.py            # 10,000 entries, 200 registers
    .venv/bin/python benchmarks/registry.py --quick    # 2,000 entries, 50 registers

Goal (issue 13): register and get <= 20 ms p95. Last line:
``registry register_p95_ms=<float> get_p95_ms=<float>``
"""

# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import random
import sqlite3
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

GOAL_MS = 20.0


def _p95(samples: list[float]) -> float:
    return float(np.percentile(np.array(samples) * 1000.0, 95))


def _p50(samples: list[float]) -> float:
    return float(np.percentile(np.array(samples) * 1000.0, 50))


def _record() -> tuple[dict[str, Any], str]:
    from hubwidgets.testing.hub_server import load_shared_records, shared_data_dir

    if shared_data_dir() is not None:
        for record in load_shared_records("2025"):
            if record.get("sha") and record.get("siblings") and record.get("cardData"):
                return record, "a real 2025 model_info record (shared data)"
    starter = Path(__file__).resolve().parents[1] / "hubwidgets/core/data/starter_models.jsonl"
    for line in starter.read_text("utf-8").splitlines():
        record = json.loads(line)
        if "id" in record:
            record = copy.deepcopy(record)
            record["sha"] = "0" * 40  # the starter records carry no sha: one is given here
            return record, "the bundled starter's first record (a sha added)"
    raise SystemExit("no record to serve")


def _fill(path: Path, entries: int) -> list[str]:
    """``entries`` generated registrations through the registry's own table; their aliases."""
    import sqlalchemy as sa

    from hubwidgets.core.registry import Registry
    from hubwidgets.core.registry.store import EVENTS

    Registry(path).close()  # the schema, by the migrations
    rng = random.Random(13)
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    rows = []
    aliases = []
    for i in range(entries):
        alias = f"alias-{i:05d}" if i % 10 == 0 else None
        if alias:
            aliases.append(alias)
        rows.append(
            {
                "at": at,
                "action": "register",
                "model": f"bench/model-{i:05d}",
                "revision": f"{rng.getrandbits(160):040x}",
                "requested_revision": "main",
                "alias": alias,
                "stage": "candidate",
                "license": "apache-2.0",
                "license_class": "permissive",
                "verdict": "review",
                "actor": "bench",
                "actor_source": "given",
            }
        )
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(EVENTS.insert(), rows)
    engine.dispose()
    return aliases


def _bare_sqlite(path: Path, aliases: list[str], n: int) -> tuple[list[float], list[float]]:
    """The peer: one INSERT + COMMIT, and one indexed SELECT, with the stdlib driver."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    now = datetime.now(timezone.utc).isoformat(" ")
    inserts: list[float] = []
    for i in range(n):
        t = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO registry_events (at, action, model, revision, alias, actor) "
            "VALUES (?, 'register', ?, ?, ?, 'bench')",
            (now, f"bare/model-{i}", f"{i:040x}", f"bare-{i}"),
        )
        conn.execute("COMMIT")
        inserts.append(time.perf_counter() - t)
    rng = random.Random(7)
    selects: list[float] = []
    for _ in range(n):
        alias = rng.choice(aliases)
        t = time.perf_counter()
        conn.execute(
            "SELECT * FROM registry_events WHERE alias = ? ORDER BY id DESC LIMIT 1", (alias,)
        ).fetchall()
        selects.append(time.perf_counter() - t)
    conn.close()
    return inserts, selects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--registers", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="2,000 entries, 50 registers")
    args = parser.parse_args()
    entries, registers = (2_000, 50) if args.quick else (args.entries, args.registers)

    with tempfile.TemporaryDirectory(prefix="hw-registry-bench-") as tmp:
        os.environ["HUBWIDGETS_HOME"] = str(Path(tmp) / "home")  # audit log, default registry
        from hubwidgets.core.registry import Registry
        from hubwidgets.testing.hub_server import HubServer

        record, origin = _record()
        path = Path(tmp) / "registry.sqlite"
        t = time.perf_counter()
        aliases = _fill(path, entries)
        fill_s = time.perf_counter() - t
        print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cpus")
        print(f"filled {entries:,} generated entries in {fill_s:.2f} s; served model: {origin}")

        with HubServer([record]) as hub:
            t = time.perf_counter()
            reg = Registry(path, endpoint=hub.endpoint)
            open_ms = (time.perf_counter() - t) * 1000
            reg.register(record["id"])  # first call: imports, connection, actor
            reg_times: list[float] = []
            for i in range(registers):
                t = time.perf_counter()
                reg.register(record["id"], alias=f"bench-{i % 20}")
                reg_times.append(time.perf_counter() - t)
            # the first register of a revision runs hw.check; later ones reuse its facts
            # (Registry._facts_of): forgetting them before each call measures the cold path
            cold_times: list[float] = []
            for i in range(max(registers // 4, 10)):
                reg._facts.clear()
                t = time.perf_counter()
                reg.register(record["id"], alias=f"cold-{i % 20}")
                cold_times.append(time.perf_counter() - t)
            alias_times: list[float] = []
            for i in range(registers):
                t = time.perf_counter()
                reg.set_alias(f"moved-{i % 20}", record["id"])
                alias_times.append(time.perf_counter() - t)
            rng = random.Random(3)
            get_times: list[float] = []
            for _ in range(registers * 5):
                alias = rng.choice(aliases)
                t = time.perf_counter()
                reg.get(alias)
                get_times.append(time.perf_counter() - t)
            total = len(reg)
            reg.close()

        bare_insert, bare_select = _bare_sqlite(path, aliases, registers * 5)

    reg_p95, alias_p95, get_p95 = _p95(reg_times), _p95(alias_times), _p95(get_times)
    ins_p95, sel_p95 = _p95(bare_insert), _p95(bare_select)
    print(f"open (Alembic at head): {open_ms:.1f} ms; entries after the run: {total:,}")
    print(
        f"register  p50 {_p50(reg_times):7.2f} ms  p95 {reg_p95:7.2f} ms   "
        "(Hub request on loopback + hw.check + append + read back)"
    )
    print(
        f"register  p50 {_p50(cold_times):7.2f} ms  p95 {_p95(cold_times):7.2f} ms   "
        "(cold: the revision's hw.check not cached yet)"
    )
    print(
        f"set_alias p50 {_p50(alias_times):7.2f} ms  p95 {alias_p95:7.2f} ms   "
        f"(the registry's write path alone) = {alias_p95 / ins_p95:.1f}x bare sqlite3 INSERT"
    )
    print(
        f"get       p50 {_p50(get_times):7.2f} ms  p95 {get_p95:7.2f} ms   "
        f"= {get_p95 / sel_p95:.1f}x bare sqlite3 SELECT"
    )
    print(
        f"peer: bare sqlite3 INSERT+COMMIT p95 {ins_p95:.3f} ms, "
        f"indexed SELECT p95 {sel_p95:.3f} ms"
    )
    cold_p95 = _p95(cold_times)
    for name, value in (("register", reg_p95), ("register cold", cold_p95), ("get", get_p95)):
        verdict = "meets" if value <= GOAL_MS else "MISSES"
        print(f"goal {name} <= {GOAL_MS:g} ms p95: {verdict} ({value:.2f} ms)")
    print(f"registry register_p95_ms={reg_p95:.2f} get_p95_ms={get_p95:.2f}")

    # the audit trail's side (benchmarks/audit.py measures it at length, with its peers)
    import audit as audit_bench  # the sibling script: benchmarks/ is on sys.path when run

    with tempfile.TemporaryDirectory() as tmp:
        appended = audit_bench.bench_append(Path(tmp), 10_000)
        verified = audit_bench.bench_verify(Path(tmp), 3)
    print(
        f"audit append p95 {appended['append_p95_us']:.1f} µs "
        f"(bare f.write p95 {appended['bare_p95_us']:.1f} µs); verify "
        f"{verified['verify_records_s']:,.0f} records/s "
        f"(bare sha256 {verified['sha256_records_s']:,.0f} records/s), 10,000 records"
    )
    print(
        f"registry register_p95_ms={reg_p95:.2f} "
        f"audit_append_p95_us={appended['append_p95_us']:.1f} "
        f"verify_records_s={verified['verify_records_s']:.0f}"
    )


if __name__ == "__main__":
    main()
