"""Compare and recommend benchmark: ``hw.compare`` of 8 models and ``hw.recommend`` on a
Hub-sized catalog, with the same recommend filtering + ranking in plain pandas and DuckDB.

The catalog is RESAMPLED from the real Hub records in ../shared/data to --rows rows (see
benchmarks/README.md and _catalog.py): the value distributions are real, the rows are not Hub
data.

    .venv/bin/python benchmarks/compare.py            # 3.1M rows
    .venv/bin/python benchmarks/compare.py --quick    # 200k rows

The last line is machine-readable:

    compare compare_p95_ms=<float> recommend_p95_ms=<float>
"""

# Imports inside functions are deliberate: the catalog modules load only after the shared data
# is found, duckdb only after the catalog is open.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import math
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _catalog import NOTE, add_catalog_arguments, announce, cache_path  # noqa: E402

#: Tasks of the 8 compared models: the most downloaded model of each.
COMPARE_TASKS = (
    "text-generation",
    "text-classification",
    "fill-mask",
    "automatic-speech-recognition",
    "token-classification",
    "feature-extraction",
    "image-classification",
    "translation",
)

#: recommend() calls: task + constraints + priorities (hardware as bytes where given, so every
#: engine applies the same limit; "local" is resolved per call by hubwidgets).
RECOMMEND: list[tuple[str, dict[str, Any]]] = [
    ("text-generation, local RAM", {"task": "text-generation"}),
    (
        "text-generation, permissive, 16 GB",
        {"task": "text-generation", "license": "permissive", "hardware": 16e9},
    ),
    (
        "text-classification, en",
        {"task": "text-classification", "language": "en", "hardware": None},
    ),
    (
        "text-classification, mit/apache, en",
        {
            "task": "text-classification",
            "license": ["mit", "apache-2.0"],
            "language": "en",
            "hardware": None,
        },
    ),
    ("fill-mask, fr", {"task": "fill-mask", "language": "fr", "hardware": None}),
    (
        "token-classification, <=1B",
        {"task": "token-classification", "max_params": "1B", "hardware": None},
    ),
    (
        "asr, permissive, 16 GB",
        {"task": "automatic-speech-recognition", "license": "permissive", "hardware": 16e9},
    ),
    (
        "text-to-image, gated-or-custom",
        {"task": "text-to-image", "license": "gated-or-custom", "hardware": None},
    ),
    (
        "feature-extraction, popularity x2",
        {
            "task": "feature-extraction",
            "priorities": {"popularity": 2, "cost": 1},
            "hardware": None,
        },
    ),
    (
        "translation, de/fr, permissive, <=1B",
        {
            "task": "translation",
            "language": ["de", "fr"],
            "license": "permissive",
            "max_params": "1B",
            "hardware": None,
        },
    ),
    (
        "summarization, copyleft/non-commercial",
        {"task": "summarization", "license": ["copyleft", "non-commercial"], "hardware": None},
    ),
]

POOL = 500
K = 5


# -- the peers: the same constraints, counts, pool and scores ------------------------------------


def resolve(spec: dict[str, Any], df: pd.DataFrame) -> dict[str, Any]:
    """The constraints of one recommend() call in plain values (untimed, shared by the peers)."""
    from hubwidgets.core.catalog.query import parse_params
    from hubwidgets.core.choose.licenses import LICENSE_CLASSES, license_class
    from hubwidgets.core.choose.recommend import local_memory_bytes, params_for_memory

    out: dict[str, Any] = {"task": spec["task"]}
    lang = spec.get("language")
    if lang is not None:
        out["language"] = [lang] if isinstance(lang, str) else list(lang)
    lic = spec.get("license")
    if lic is not None:
        wanted = [lic] if isinstance(lic, str) else list(lic)
        ids: list[str] = []
        for item in wanted:
            cats = [str(v) for v in df["license"].cat.categories]
            if item in LICENSE_CLASSES:
                ids += [v for v in cats if license_class(v) == item]
            else:
                ids += [v for v in cats if v.lower() == item.lower()]
        out["license"] = ids
    limits = []
    if spec.get("max_params") is not None:
        limits.append(parse_params(spec["max_params"], "max_params"))
    hardware = spec.get("hardware", "local")
    if hardware == "local":
        limits.append(params_for_memory(local_memory_bytes()[0] or 0))
    elif hardware is not None:
        limits.append(params_for_memory(hardware))
    if limits:
        out["max_params"] = min(limits)
    weights = dict.fromkeys(("quality", "speed", "cost", "popularity"), 1.0)
    if spec.get("priorities"):
        weights = {c: float(spec["priorities"].get(c, 0)) for c in weights}
    out["weights"] = weights
    return out


def score_and_rank(pool: pd.DataFrame, weights: dict[str, float], k: int) -> list[str]:
    """The documented formulas, written again in pandas: popularity = mean percentile of
    downloads and likes, cost = log-scaled min-max of params (no speed/quality data)."""

    def pct(s: pd.Series) -> pd.Series:
        x = s.astype("float64")
        n = int(x.notna().sum())
        return x.where(x.isna(), 1.0) if n <= 1 else (x.rank() - 1) / (n - 1)

    pop = pd.concat([pct(pool["downloads"]), pct(pool["likes"])], axis=1).mean(axis=1)
    lp = np.log10(pool["params"].astype("float64").where(lambda p: p > 0))
    lo, hi = lp.min(), lp.max()
    cost = lp.where(lp.isna(), 1.0) if not (hi > lo) else (hi - lp) / (hi - lo)
    parts = pd.DataFrame({"cost": cost, "popularity": pop})
    w = pd.Series({"cost": weights["cost"], "popularity": weights["popularity"]})
    known = parts.notna()
    den = known.mul(w).sum(axis=1)
    num = parts.fillna(0).mul(w).sum(axis=1)
    total = sum(weights.values())
    ranked = pool.assign(
        score=(num / den).where(den > 0), coverage=den / total, popularity=pop
    ).sort_values(
        ["score", "coverage", "popularity", "downloads", "id"],
        ascending=[False, False, False, False, True],
        na_position="last",
        kind="mergesort",
    )
    return ranked["id"].head(k).astype(str).tolist()


class PandasPeer:
    """Boolean masks on cat.df (list column via pyarrow, as in search.py), counts per
    constraint, stable sorts for the top 500 by downloads and by likes, then the scores."""

    name = "pandas"

    def __init__(self, df: pd.DataFrame):
        import pyarrow as pa

        self.df = df
        self.n = len(df)
        self.languages = pa.chunked_array(pa.array(df["languages"].array)).combine_chunks()

    def _language(self, values: list[str]) -> np.ndarray:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = self.languages
        hit = pc.is_in(pc.list_flatten(arr), value_set=pa.array(values, pa.string()))
        rows = pc.list_parent_indices(arr).filter(hit).to_numpy()
        m = np.zeros(self.n, dtype=bool)
        m[rows] = True
        return m

    def run(self, c: dict[str, Any]) -> tuple[int, list[int], list[str]]:
        df = self.df
        task = (df["task"] == c["task"]).to_numpy(dtype=bool, na_value=False)
        masks = []
        if "language" in c:
            masks.append(self._language(c["language"]))
        if "license" in c:
            masks.append(df["license"].isin(c["license"]).to_numpy(dtype=bool))
        if "max_params" in c:
            masks.append((df["params"] <= c["max_params"]).to_numpy(dtype=bool, na_value=False))
        every = task.copy()
        for m in masks:
            every &= m
        removed = []
        for i in range(len(masks)):
            others = task.copy()
            for j, m in enumerate(masks):
                if j != i:
                    others &= m
            removed.append(int(others.sum()) - int(every.sum()))
        sub = df.loc[every, ["id", "downloads", "likes", "params", "license"]]
        tops = [
            sub.sort_values(col, ascending=False, na_position="last", kind="stable").head(POOL)
            for col in ("downloads", "likes")
        ]
        pool = pd.concat(tops).drop_duplicates("id")
        return int(every.sum()), removed, score_and_rank(pool, c["weights"], K)


class DuckDBPeer:
    """One SQL statement for the counts (FILTER aggregates over the task's rows) and one for the
    pool (two ORDER BY ... LIMIT 500 top-Ns, UNION); the ~1000 pooled rows are scored in pandas."""

    name = "duckdb"

    def __init__(self, table: Any):
        import duckdb

        self.con = duckdb.connect(":memory:")
        self.con.register("src", table)
        self.con.execute("CREATE TABLE models AS SELECT * FROM src")
        self.con.unregister("src")

    @staticmethod
    def _conditions(c: dict[str, Any]) -> list[str]:
        def s(v: str) -> str:
            return "'" + v.replace("'", "''") + "'"

        out = []
        if "language" in c:
            either = " OR ".join(f"list_contains(languages, {s(v)})" for v in c["language"])
            out.append(f"coalesce({either}, false)")
        if "license" in c:
            ids = ", ".join(map(s, c["license"])) or "NULL"
            out.append(f"coalesce(license IN ({ids}), false)")
        if "max_params" in c:
            out.append(f"coalesce(params <= {c['max_params']}, false)")
        return out

    def run(self, c: dict[str, Any]) -> tuple[int, list[int], list[str]]:
        conds = self._conditions(c)
        every = " AND ".join(conds) or "true"
        aggs = [f"count(*) FILTER (WHERE {every})"]
        for i in range(len(conds)):
            others = " AND ".join(x for j, x in enumerate(conds) if j != i) or "true"
            aggs.append(f"count(*) FILTER (WHERE {others})")
        task = "'" + c["task"].replace("'", "''") + "'"
        query = f"SELECT {', '.join(aggs)} FROM models WHERE task = {task}"
        counts = self.con.execute(query).fetchall()[0]
        n_all = int(counts[0])
        removed = [int(x) - n_all for x in counts[1:]]
        cols = "id, downloads, likes, params, license"
        where = f"task = {task} AND {every}"
        sql = " UNION ".join(
            f"(SELECT {cols} FROM models WHERE {where} "
            f"ORDER BY {key} DESC NULLS LAST, id ASC LIMIT {POOL})"
            for key in ("downloads", "likes")
        )
        pool = self.con.sql(sql).df()
        return n_all, removed, score_and_rank(pool, c["weights"], K)


# -- main ------------------------------------------------------------------------------------------


def stats(ms: list[float]) -> tuple[float, float, float]:
    a = np.asarray(ms)
    return float(np.percentile(a, 50)), float(np.percentile(a, 95)), float(a.max())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="hw.compare and hw.recommend on a Hub-sized catalog")
    ap.add_argument("--repeat", type=int, default=20, help="timed runs per call (default 20)")
    ap.add_argument("--no-duckdb", action="store_true", help="skip the DuckDB peer")
    add_catalog_arguments(ap)
    args = ap.parse_args(argv)
    rows = announce(args)
    if rows is None:
        return 0
    path = cache_path(rows, args.seed, args.cache_dir)
    if not path.exists():
        print(f"building the resampled catalog ({rows:,} rows, once; at {path}) ...", flush=True)
        cmd = [sys.executable, str(HERE / "_catalog.py"), "--rows", str(rows)]
        cmd += ["--seed", str(args.seed)]
        if args.cache_dir is not None:
            cmd += ["--cache-dir", str(args.cache_dir)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    import hubwidgets as hw
    from hubwidgets.core.catalog.catalog import Catalog

    t0 = time.perf_counter()
    cat = Catalog.read_parquet(path)
    _ = cat.index
    print(f"catalog: {cat!r} -- {path.name}; {NOTE}; opened in {time.perf_counter() - t0:.1f}s")
    print(
        f"machine: {platform.machine()}, {psutil.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 1e9:.0f} GB; python {platform.python_version()}; "
        f"pandas {pd.__version__}",
        flush=True,
    )

    # -- compare ------------------------------------------------------------------------------
    compare = getattr(hw, "compare", None)
    models = [str(cat.search(task=t, limit=1)["id"].iloc[0]) for t in COMPARE_TASKS]
    compare_ms: list[float] = []
    if compare is None:
        print("hw.compare is not available in this checkout: compare_p95_ms=nan")
    else:
        print(f"compare: {len(models)} models, the most downloaded of {', '.join(COMPARE_TASKS)}")
        compare(models, catalog=cat)  # warm-up
        for _ in range(args.repeat):
            t = time.perf_counter()
            compare(models, catalog=cat)
            compare_ms.append((time.perf_counter() - t) * 1e3)
        p50, p95, mx = stats(compare_ms)
        print(
            f"   compare: p50 {p50:8.2f} ms  p95 {p95:8.2f} ms  max {mx:8.2f} ms  "
            f"({len(compare_ms)} timed runs)",
            flush=True,
        )

    # -- recommend ----------------------------------------------------------------------------
    t0 = time.perf_counter()
    peers: list[Any] = [PandasPeer(cat.df)]
    if not args.no_duckdb:
        from search import engine_table

        peers.append(DuckDBPeer(engine_table(cat.df)))
    print(
        f"peers set up in {time.perf_counter() - t0:.1f}s (untimed): "
        + ", ".join(p.name for p in peers)
        + f"; {len(RECOMMEND)} recommend calls x {args.repeat} timed runs per engine after 1 "
        "untimed warm-up, interleaved\n",
        flush=True,
    )
    names = ["hubwidgets", *(p.name for p in peers)]
    times: dict[str, list[list[float]]] = {n: [] for n in names}
    mismatches: list[str] = []
    matched: list[int] = []
    for label, spec in RECOMMEND:
        resolved = resolve(spec, cat.df)
        kwargs = {k: v for k, v in spec.items() if k != "task"}
        ours = hw.recommend(spec["task"], catalog=cat, k=K, pool=POOL, **kwargs)
        matched.append(int(ours.attrs["candidates"]))
        for peer in peers:
            _, removed, ids = peer.run(resolved)
            if ids != ours["id"].tolist():
                mismatches.append(f"{label}: {peer.name} top {K} {ids} vs {ours['id'].tolist()}")
            ours_left = [c["left_out"] for c in ours.attrs["constraints"]]
            if len(ours_left) == len(removed) and ours_left != removed:
                mismatches.append(f"{label}: {peer.name} left out {removed} vs {ours_left}")
        per: dict[str, list[float]] = {n: [] for n in names}
        for _ in range(args.repeat):
            t = time.perf_counter()
            hw.recommend(spec["task"], catalog=cat, k=K, pool=POOL, **kwargs)
            per["hubwidgets"].append((time.perf_counter() - t) * 1e3)
            for peer in peers:
                t = time.perf_counter()
                peer.run(resolve(spec, cat.df))
                per[peer.name].append((time.perf_counter() - t) * 1e3)
        for n in names:
            times[n].append(per[n])

    width = max(len(label) for label, _ in RECOMMEND)
    head = f"{'recommend':<{width}}  {'scored':>6}  " + "  ".join(f"{n:>10}" for n in names)
    print("per call: median ms over the timed runs")
    print(head)
    print("-" * len(head))
    for i, (label, _) in enumerate(RECOMMEND):
        cells = "  ".join(f"{float(np.median(times[n][i])):>10.2f}" for n in names)
        print(f"{label:<{width}}  {matched[i]:>6,}  {cells}")
    print()
    summary = {}
    for n in names:
        flat = [x for per in times[n] for x in per]
        summary[n] = stats(flat)
        p50, p95, mx = summary[n]
        print(
            f"{n:>10}: p50 {p50:8.2f} ms  p95 {p95:8.2f} ms  max {mx:8.2f} ms  "
            f"({len(flat)} timed runs)"
        )
    if mismatches:
        for m in mismatches:
            print(f"MISMATCH {m}")
    else:
        print(
            f"correctness: the {len(peers)} peers give the same top {K} ids and the same "
            "left-out counts as hw.recommend on every call"
        )
    compare_p95 = stats(compare_ms)[1] if compare_ms else math.nan
    recommend_p95 = summary["hubwidgets"][1]
    goals = [
        ("compare p95 <= 200 ms", compare_p95 <= 200),
        ("recommend p95 <= 200 ms", recommend_p95 <= 200),
    ]
    print("goals: " + "; ".join(f"{g}: {'met' if ok else 'NOT met'}" for g, ok in goals))
    print(f"compare compare_p95_ms={compare_p95:.3f} recommend_p95_ms={recommend_p95:.3f}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
