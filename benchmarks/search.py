"""Search benchmark: hubwidgets' Catalog.search against plain pandas, DuckDB and Polars.

The catalog is RESAMPLED from the real Hub records in ../shared/data (about 30k of them) to
--rows rows, every row with a fresh unique id: the value distributions are real, the rows are not
Hub data. See benchmarks/README.md.

    .venv/bin/python benchmarks/search.py            # 3.1M rows (the Hub's size in 2026)
    .venv/bin/python benchmarks/search.py --quick    # 200k rows

Every engine runs every query in the same process on the same data; every result (ids, in
order) is checked against hubwidgets'. The last line is machine-readable:

    search p95_ms=... duckdb_p95_ms=... duckdb_ratio=... load_s=... rss_gb=... rows=...

and the line before it gives the worst cases of hostile input (issue 18), best of 3 runs each:
a count filtered by a list of 100,000 authors, and a search for a query of 100,000 words:

    hardening author_list_100k_s=... query_100k_words_s=...
"""

# Imports inside functions are deliberate: duckdb and polars load only after the load and RSS
# measurement, and the catalog modules only after the shared data is found.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import functools
import operator
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _catalog import (  # noqa: E402
    NOTE,
    add_catalog_arguments,
    announce,
    cache_path,
    shared_data_dir,
)

GB = 1e9  # memory is reported in GB of 10^9 bytes

# Public sort keys -> columns (restated here on purpose: the baselines implement the documented
# semantics independently of hubwidgets' code)
SORT_COLUMNS = {
    "downloads": "downloads",
    "likes": "likes",
    "trending": "trending_score",
    "created": "created_at",
    "modified": "last_modified",
    "params": "params",
}
SCALAR_FILTERS = {"task": "task", "library": "library", "license": "license", "author": "author"}
LIST_FILTERS = {"language": "languages", "tags": "tags", "provider": "providers"}


@dataclass(frozen=True)
class Q:
    """One benchmark query: a label and the keyword arguments of Catalog.search."""

    label: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def words(self) -> list[str]:
        return [w.lower() for w in self.kwargs.get("query", "").split()]

    def values(self, name: str) -> list[str] | None:
        v = self.kwargs.get(name)
        return None if v is None else ([v] if isinstance(v, str) else list(v))

    @property
    def sort_column(self) -> str:
        return SORT_COLUMNS[self.kwargs.get("sort", "downloads")]

    @property
    def limit(self) -> int:
        return self.kwargs.get("limit", 50)

    @property
    def offset(self) -> int:
        return self.kwargs.get("offset", 0)

    def params_range(self) -> tuple[int | None, int | None]:
        return _params(self.kwargs.get("min_params")), _params(self.kwargs.get("max_params"))


QUERIES: list[Q] = [
    # text only
    Q("text: common word", {"query": "bert"}),
    Q("text: common, mixed case", {"query": "RoBERTa"}),
    Q("text: rare word", {"query": "controlnet"}),
    Q("text: very rare word", {"query": "lionheart"}),
    Q("text: 2-char word", {"query": "t5"}),
    Q("text: 2-char word (ko)", {"query": "ko"}),
    Q("text: 3-char word", {"query": "gpt"}),
    Q("text: multi-word", {"query": "bert base uncased"}),
    Q("text: punctuation", {"query": "opus-mt-en"}),
    Q("text: matches nothing", {"query": "zzqxjv"}),
    # text + filters
    Q("text + task", {"query": "gpt2", "task": "text-generation"}),
    Q("text + task (token-cls)", {"query": "bert", "task": "token-classification"}),
    Q(
        "text + task + language",
        {"query": "distil", "task": "text-classification", "language": "en"},
    ),
    Q("text + author", {"query": "t5", "author": "google"}),
    Q("text + license, sort likes", {"query": "base", "license": "apache-2.0", "sort": "likes"}),
    # filters only
    Q("filter: task", {"task": "text-classification"}),
    Q(
        "filter: task+library+language",
        {"task": "token-classification", "library": "transformers", "language": "de"},
    ),
    Q("filter: license", {"license": "mit"}),
    Q("filter: author", {"author": "google"}),
    Q("filter: 3 authors", {"author": ["google", "facebook", "microsoft"]}),
    Q("filter: tags", {"tags": "jax"}),
    Q("filter: 2 tags", {"tags": ["tensorboard", "generated_from_trainer"]}),
    Q("filter: 2 languages", {"language": ["fr", "de"]}),
    Q("filter: license+tags (big)", {"license": "apache-2.0", "tags": "pytorch"}),
    Q("filter: params 1B..10B", {"min_params": "1B", "max_params": "10B"}),
    Q("filter: params >= 300M", {"min_params": "300M", "sort": "params"}),
    Q("filter: gated=False", {"gated": False}),
    Q("filter: gated=True, likes", {"gated": True, "sort": "likes"}),
    Q("filter: provider (none here)", {"provider": "hf-inference"}),
    Q("filter: task, params sort", {"task": "text-generation", "sort": "params"}),
    # every sort key over all rows
    Q("all, sort downloads", {"sort": "downloads"}),
    Q("all, sort likes", {"sort": "likes"}),
    Q("all, sort trending", {"sort": "trending"}),
    Q("all, sort created", {"sort": "created"}),
    Q("all, sort modified", {"sort": "modified"}),
    Q("all, sort params", {"sort": "params"}),
    Q("text, sort created", {"query": "bert", "sort": "created"}),
    Q("text, sort params", {"query": "llama", "sort": "params"}),
    # paging
    Q("text, offset 1000", {"query": "bert", "offset": 1000}),
    Q("filter, offset 1000", {"task": "text-classification", "offset": 1000}),
    Q("all, modified, offset 1000", {"sort": "modified", "offset": 1000}),
]

_UNITS = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}


def _params(value: Any) -> int | None:
    """'7B' / '300M' / 1e9 -> int (the baselines' own parser)."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmbt]?)\s*", value, re.IGNORECASE)
    if not m:
        raise ValueError(value)
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


# ------------------------------------------------------------------------------------------------
# Engines. Each takes a Q and returns a page of full rows (every schema column), like
# Catalog.search does; ids are pulled out of the page afterwards, untimed.
# ------------------------------------------------------------------------------------------------


class PandasEngine:
    """Plain pandas over cat.df: boolean masks, then one sort.

    Idioms: str.contains(word, regex=False) on an id column lower-cased once outside the timing;
    isin on the categorical columns; list membership with pyarrow.compute on the Arrow list arrays
    (is_in over the flattened values, then the parent row of each hit); comparisons on the nullable
    Int64/boolean columns with NA -> False. Sort: the rows are already in id order, so a *stable*
    descending sort_values on the key column alone (na_position="last") gives exactly
    sort_values([col, "id"], ascending=[False, True], na_position="last") at a fraction of the
    cost (no string comparisons); then iloc for the page.
    """

    name = "pandas"

    def __init__(self, df):
        import pyarrow as pa

        self.df = df
        self.n = len(df)
        self.id_lower = df["id"].str.lower()  # precomputed once: fair, an index of sorts
        # zero-copy handles on the Arrow data of the list columns (one chunk each)
        self.lists = {
            col: pa.chunked_array(pa.array(df[col].array)).combine_chunks()
            for col in LIST_FILTERS.values()
        }

    def mask(self, q: Q) -> np.ndarray | None:
        import pyarrow as pa
        import pyarrow.compute as pc

        df = self.df
        masks: list[np.ndarray] = []
        for word in q.words:
            masks.append(
                self.id_lower.str.contains(word, regex=False).to_numpy(dtype=bool, na_value=False)
            )
        for arg, col in SCALAR_FILTERS.items():
            values = q.values(arg)
            if values is not None:
                masks.append(df[col].isin(values).to_numpy(dtype=bool))
        for arg, col in LIST_FILTERS.items():
            values = q.values(arg)
            if values is not None:
                arr = self.lists[col]
                hit = pc.is_in(pc.list_flatten(arr), value_set=pa.array(values, pa.string()))
                rows = pc.list_parent_indices(arr).filter(hit).to_numpy()
                m = np.zeros(self.n, dtype=bool)
                m[rows] = True
                masks.append(m)
        lo, hi = q.params_range()
        if lo is not None or hi is not None:
            p = df["params"]
            m = p.notna()
            if lo is not None:
                m &= p >= lo
            if hi is not None:
                m &= p <= hi
            masks.append(m.to_numpy(dtype=bool, na_value=False))
        if q.kwargs.get("gated") is not None:
            masks.append((df["gated"] == q.kwargs["gated"]).to_numpy(dtype=bool, na_value=False))
        if not masks:
            return None
        return functools.reduce(operator.and_, masks)

    def search(self, q: Q):
        mask = self.mask(q)
        key = self.df[q.sort_column]
        if mask is not None:
            key = key[mask]
        ordered = key.sort_values(ascending=False, na_position="last", kind="stable")
        page = ordered.index[q.offset : q.offset + q.limit]  # labels are row positions
        return self.df.iloc[page]

    @staticmethod
    def ids(page) -> list[str]:
        return page["id"].tolist()


def engine_table(df):
    """The catalog as a plain Arrow table in the schema's documented types (strings, not
    dictionaries, whatever cat.df holds in memory) plus the lower-cased id."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from hubwidgets.core.catalog.schema import arrow_schema

    schema = arrow_schema()
    table = pa.Table.from_pandas(df, preserve_index=False)
    table = pa.table([table.column(f.name).cast(f.type) for f in schema], schema=schema)
    return table.append_column("id_lower", pc.utf8_lower(table.column("id")))


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


class DuckDBEngine:
    """DuckDB on an in-memory table created once (CREATE TABLE AS from the Arrow table).

    Idioms: contains(id_lower, 'word') on a lower-cased id column stored in the table (cheaper
    than ILIKE '%word%', which folds case per row); IN (...) on the scalar columns;
    list_contains(col, 'v') OR-ed over the wanted values on the list columns (measured ~3.5x
    faster than list_has_any(col, [...]) here, same result); BETWEEN for params; literals inlined
    in the SQL (constant folding, no bind step); ORDER BY col DESC NULLS LAST, id ASC LIMIT k
    OFFSET o (a top-N); the page fetched as Arrow with con.sql(...).to_arrow_table() (no DB-API
    copy). Default threads (all cores).
    """

    name = "duckdb"

    def __init__(self, table, columns: list[str]):
        import duckdb

        self.con = duckdb.connect(":memory:")
        self.con.register("src", table)
        self.con.execute("CREATE TABLE models AS SELECT * FROM src")
        self.con.unregister("src")
        self.select = ", ".join(f'"{c}"' for c in columns)

    def sql(self, q: Q) -> str:
        where: list[str] = [f"contains(id_lower, {_sql_str(w)})" for w in q.words]
        for arg, col in SCALAR_FILTERS.items():
            values = q.values(arg)
            if values is not None:
                where.append(f'"{col}" IN ({", ".join(map(_sql_str, values))})')
        for arg, col in LIST_FILTERS.items():
            values = q.values(arg)
            if values is not None:
                either = " OR ".join(f'list_contains("{col}", {_sql_str(v)})' for v in values)
                where.append(f"({either})")
        lo, hi = q.params_range()
        if lo is not None and hi is not None:
            where.append(f"params BETWEEN {lo} AND {hi}")
        elif lo is not None:
            where.append(f"params >= {lo}")
        elif hi is not None:
            where.append(f"params <= {hi}")
        if q.kwargs.get("gated") is not None:
            where.append(f"gated = {'true' if q.kwargs['gated'] else 'false'}")
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        return (
            f"SELECT {self.select} FROM models{clause} "
            f'ORDER BY "{q.sort_column}" DESC NULLS LAST, id ASC '
            f"LIMIT {q.limit} OFFSET {q.offset}"
        )

    def search(self, q: Q):
        return self.con.sql(self.sql(q)).to_arrow_table()

    @staticmethod
    def ids(page) -> list[str]:
        return page.column("id").to_pylist()


class PolarsEngine:
    """Polars on a DataFrame built once from the Arrow table, queried lazily.

    Idioms: pl.col("id_lower").str.contains(word, literal=True); is_in on the scalar columns;
    list.eval(pl.element().is_in(values)).list.any() on the list columns (measured ~25x faster
    than OR-ing list.contains(value) here);
    is_between for params (closed on both sides); one filter with all predicates AND-ed; then
    sort([col, "id"], descending=[True, False], nulls_last=True).slice(offset, limit) in a lazy
    query, which the optimizer turns into a top-k.
    """

    name = "polars"

    def __init__(self, table, columns: list[str]):
        import polars as pl

        self.pl = pl
        self.df = pl.from_arrow(table)
        self.columns = columns

    def search(self, q: Q):
        pl = self.pl
        preds = [pl.col("id_lower").str.contains(w, literal=True) for w in q.words]
        for arg, col in SCALAR_FILTERS.items():
            values = q.values(arg)
            if values is not None:
                preds.append(pl.col(col).is_in(values))
        for arg, col in LIST_FILTERS.items():
            values = q.values(arg)
            if values is not None:
                preds.append(pl.col(col).list.eval(pl.element().is_in(values)).list.any())
        lo, hi = q.params_range()
        if lo is not None or hi is not None:
            preds.append(
                pl.col("params").is_between(
                    lo if lo is not None else 0, hi if hi is not None else 2**63 - 1, closed="both"
                )
            )
        if q.kwargs.get("gated") is not None:
            preds.append(pl.col("gated") == q.kwargs["gated"])
        lf = self.df.lazy()
        if preds:
            lf = lf.filter(pl.all_horizontal(preds))
        return (
            lf.sort([q.sort_column, "id"], descending=[True, False], nulls_last=True)
            .slice(q.offset, q.limit)
            .select(self.columns)
            .collect()
        )

    @staticmethod
    def ids(page) -> list[str]:
        return page["id"].to_list()


class HubwidgetsEngine:
    name = "hubwidgets"

    def __init__(self, cat):
        self.cat = cat

    def search(self, q: Q):
        return self.cat.search(**q.kwargs)

    @staticmethod
    def ids(page) -> list[str]:
        return page["id"].tolist()


# ------------------------------------------------------------------------------------------------


def first_difference(a: list[str], b: list[str]) -> int | None:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return None if len(a) == len(b) else min(len(a), len(b))


def warm_kernels() -> None:
    """Compile (or refresh) numba's on-disk cache in a throwaway process, so the timings measure
    a normal start (cached machine code), not a one-off compilation after an install."""
    code = (
        "import gzip, json, sys\n"
        "from hubwidgets.core import _index\n"
        "from hubwidgets.core.catalog.catalog import Catalog\n"
        "_index.SMALL_BYTES = 0  # the numba kernels, as a large catalog uses\n"
        "recs = [json.loads(l)['metadata'] for l in gzip.open(sys.argv[1], 'rt')]\n"
        "cat = Catalog.from_records([r for r in recs if r.get('id')])\n"
        "cat.search('bert'); cat.search('t5', task='text-generation'); cat.count(tags='pytorch')\n"
        "cat.search('', sort='likes', offset=3); cat.facets('a')\n"
    )
    path = shared_data_dir() / "hub-model-info-2025.jsonl.gz"
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)


def cold_open(path: Path) -> tuple[float, float]:
    """(seconds, peak RSS GB) of a first open in a fresh process: parquet decoded, index built,
    and the on-disk cache (HUBWIDGETS_CACHE, set by main) written for the next opens."""
    code = (
        "import resource, sys, time\n"
        "from hubwidgets.core.catalog.catalog import Catalog\n"
        "t = time.perf_counter(); cat = Catalog.read_parquet(sys.argv[1]); cat.index\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), float(out[1]) * 1024 / GB


def hardening(cat: Any) -> tuple[float, float]:
    """Seconds (best of 3) for ``count(author=<100,000 authors>)`` and for a search whose query
    has 100,000 distinct words: both were quadratic before issue 18 (minutes at this size)."""
    known = list(cat.index.columns["author"].values[:100_000])
    authors = known + [f"no-such-author-{i}" for i in range(100_000 - len(known))]
    query = " ".join(f"w{i}" for i in range(100_000))
    out = []
    for call in (lambda: cat.count(author=authors), lambda: cat.search(query)):
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            call()
            best = min(best, time.perf_counter() - t)
        out.append(best)
    return out[0], out[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="hubwidgets search vs pandas, DuckDB and Polars")
    ap.add_argument("--repeat", type=int, default=7, help="timed runs per query and engine")
    add_catalog_arguments(ap)
    args = ap.parse_args(argv)
    rows = announce(args)
    if rows is None:
        return 0

    # Build in a child process: its memory must not count in this process's peak RSS.
    path = cache_path(rows, args.seed, args.cache_dir)
    if not path.exists():
        print(
            f"building the resampled catalog ({rows:,} rows, once; cached at {path}) ...",
            flush=True,
        )
        cmd = [
            sys.executable,
            str(HERE / "_catalog.py"),
            "--rows",
            str(rows),
            "--seed",
            str(args.seed),
        ]
        if args.cache_dir is not None:
            cmd += ["--cache-dir", str(args.cache_dir)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    warm_kernels()
    # a private, empty snapshot cache: the cold open below fills it, the measured open reads it
    index_cache = Path(tempfile.mkdtemp(prefix="index-", dir=path.parent))
    os.environ["HUBWIDGETS_CACHE"] = str(index_cache)
    cold_s, cold_gb = cold_open(path)
    print(
        f"first open (cold: parquet decoded, index built, cache written): {cold_s:.3f}s, "
        f"peak RSS {cold_gb:.3f} GB",
        flush=True,
    )

    from hubwidgets.core.catalog.catalog import Catalog
    from hubwidgets.core.catalog.schema import COLUMN_NAMES

    # -- load ------------------------------------------------------------------------------------
    t0 = time.perf_counter()
    cat = Catalog.read_parquet(path)
    t1 = time.perf_counter()
    _ = cat.index  # builds the search index
    t2 = time.perf_counter()
    read_s, index_s, load_s = t1 - t0, t2 - t1, t2 - t0
    shutil.rmtree(index_cache, ignore_errors=True)  # mapped files stay readable until closed
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GB  # KiB on Linux
    rss_gb = psutil.Process().memory_info().rss / GB
    print(f"catalog: {cat!r} -- {path.name} ({path.stat().st_size / 1e6:.0f} MB); {NOTE}")
    print(
        f"machine: {platform.machine()}, {psutil.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / GB:.0f} GB; python {platform.python_version()}"
    )
    print(
        f"load (warm: table and index memory-mapped from the cache): read_parquet {read_s:.3f}s "
        f"+ index {index_s:.3f}s = load_s {load_s:.3f}s; "
        f"RSS after load: peak {peak_gb:.3f} GB, current {rss_gb:.3f} GB"
    )
    assert len(cat) == rows, (len(cat), rows)

    # -- the other engines, set up once, untimed (they hold their own copies of the data) ---------
    t0 = time.perf_counter()
    columns = list(COLUMN_NAMES)
    table = engine_table(cat.df)
    engines = [
        HubwidgetsEngine(cat),
        PandasEngine(cat.df),
        DuckDBEngine(table, columns),
        PolarsEngine(table, columns),
    ]
    del table
    import duckdb
    import polars as pl

    print(
        f"baselines set up in {time.perf_counter() - t0:.1f}s (untimed): pandas "
        f"{__import__('pandas').__version__}, duckdb {duckdb.__version__}, polars "
        f"{pl.__version__}; RSS now {psutil.Process().memory_info().rss / GB:.2f} GB"
    )
    print(
        f"{len(QUERIES)} queries x {args.repeat} timed runs per engine (after 1 untimed warm-up "
        "each); runs interleaved across engines\n",
        flush=True,
    )

    # -- run ------------------------------------------------------------------------------------
    names = [e.name for e in engines]
    times: dict[str, list[list[float]]] = {n: [] for n in names}
    matched: list[int] = []
    mismatches: list[str] = []
    for q in QUERIES:
        matched.append(
            cat.count(**{k: v for k, v in q.kwargs.items() if k not in ("sort", "limit", "offset")})
        )
        # warm-up (untimed); its results are the ones checked
        ids = {e.name: e.ids(e.search(q)) for e in engines}
        ref = ids["hubwidgets"]
        for name in names[1:]:
            pos = first_difference(ref, ids[name])
            if pos is not None:
                a = ref[pos] if pos < len(ref) else "<end>"
                b = ids[name][pos] if pos < len(ids[name]) else "<end>"
                line = (
                    f"MISMATCH {name} vs hubwidgets: query {q.label!r} search({q.kwargs}) "
                    f"first differs at position {pos}: hubwidgets={a!r} {name}={b!r} "
                    f"(lengths {len(ref)} vs {len(ids[name])})"
                )
                print(line, flush=True)
                mismatches.append(line)
        pandas_total = PandasEngine.mask(engines[1], q)
        pandas_total = rows if pandas_total is None else int(pandas_total.sum())
        if pandas_total != matched[-1]:
            line = (
                f"MISMATCH count: query {q.label!r} count({q.kwargs}) = {matched[-1]} "
                f"but pandas matches {pandas_total}"
            )
            print(line, flush=True)
            mismatches.append(line)
        per = {n: [] for n in names}
        for _ in range(args.repeat):
            for e in engines:
                t = time.perf_counter()
                e.search(q)
                per[e.name].append((time.perf_counter() - t) * 1e3)
        for n in names:
            times[n].append(per[n])

    # -- report -----------------------------------------------------------------------------------
    med = {n: [float(np.median(t)) for t in times[n]] for n in names}
    width = max(len(q.label) for q in QUERIES)
    head = f"{'query':<{width}}  {'matched':>9}  " + "  ".join(f"{n:>10}" for n in names)
    print("per query: median ms over the timed runs")
    print(head)
    print("-" * len(head))
    for i, q in enumerate(QUERIES):
        cells = "  ".join(f"{med[n][i]:>10.2f}" for n in names)
        print(f"{q.label:<{width}}  {matched[i]:>9,}  {cells}")
    print()
    stats = {}
    for n in names:
        flat = np.concatenate([np.asarray(t) for t in times[n]])
        stats[n] = (
            float(np.percentile(flat, 50)),
            float(np.percentile(flat, 95)),
            float(flat.max()),
        )
        print(
            f"{n:>10}: p50 {stats[n][0]:8.2f} ms  p95 {stats[n][1]:8.2f} ms  "
            f"max {stats[n][2]:8.2f} ms  ({flat.size} timed runs)"
        )
    slow = sorted(range(len(QUERIES)), key=lambda i: -med["hubwidgets"][i])[:5]
    print(
        "slowest for hubwidgets: "
        + "; ".join(f"{QUERIES[i].label} {med['hubwidgets'][i]:.2f} ms" for i in slow)
    )
    hw = stats["hubwidgets"][1]
    goals = [
        ("hubwidgets p95 <= 10 ms", hw <= 10),
        ("5x faster than DuckDB (p95)", stats["duckdb"][1] / hw >= 5),
        ("load <= 3 s", load_s <= 3),
        ("RSS <= 1.5 GB (peak after load)", peak_gb <= 1.5),
    ]
    print("goals: " + "; ".join(f"{g}: {'met' if ok else 'NOT met'}" for g, ok in goals))
    if mismatches:
        print(f"{len(mismatches)} MISMATCH(ES) -- see the MISMATCH lines above")
    else:
        print(
            f"correctness: all {len(QUERIES)} queries give the same ids in the same order "
            "in all engines, and count() agrees with pandas"
        )
    author_s, words_s = hardening(cat)
    print(
        f"pandas_p95_ms={stats['pandas'][1]:.3f} pandas_ratio={stats['pandas'][1] / hw:.2f} "
        f"polars_p95_ms={stats['polars'][1]:.3f} polars_ratio={stats['polars'][1] / hw:.2f}"
    )
    print(f"hardening author_list_100k_s={author_s:.3f} query_100k_words_s={words_s:.3f}")
    print(
        f"search p95_ms={hw:.3f} duckdb_p95_ms={stats['duckdb'][1]:.3f} "
        f"duckdb_ratio={stats['duckdb'][1] / hw:.2f} load_s={load_s:.3f} rss_gb={peak_gb:.3f} "
        f"rows={rows}",
        flush=True,
    )
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
