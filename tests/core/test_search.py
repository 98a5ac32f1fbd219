"""Catalog.search / count / facets / model against a plain pandas reference of the semantics.

The reference below is the specification written as boolean masks and one ``sort_values``; the
catalog's index, planner and kernels must give exactly the same ids in the same order.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hubwidgets.core import _index
from hubwidgets.core.catalog.catalog import Catalog, UnknownModelError
from hubwidgets.core.catalog.vocab import TASKS

# ---------------------------------------------------------------------------------------------
# the reference
# ---------------------------------------------------------------------------------------------

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
FACET_COLUMNS = {
    "task": "task",
    "library": "library",
    "language": "languages",
    "license": "license",
    "author": "author",
}
_UNITS = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}


def ref_params(value: Any) -> float:
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmbt]?)\s*", value, re.IGNORECASE)
        assert m, value
        return float(m.group(1)) * _UNITS[m.group(2).lower()]
    return float(value)


def _many(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _as_set(value: Any) -> frozenset[str] | None:
    if isinstance(value, (list, tuple, np.ndarray)):
        return frozenset(str(v) for v in value)
    return None


class Reference:
    """The search semantics over a catalog's DataFrame, in plain pandas."""

    def __init__(self, df: pd.DataFrame):
        self.df = df
        self.lower_ids = df["id"].astype(object).str.lower()
        self.scalars = {col: df[col].astype(object) for col in SCALAR_FILTERS.values()}
        self.sets = {col: [_as_set(v) for v in df[col].tolist()] for col in LIST_FILTERS.values()}
        self.params = df["params"].astype("Float64")
        # Each sort order once, over every row: filtering a total order (ties are broken by the
        # unique id) gives the same order as sorting the filtered rows.
        self.ids = np.array([str(i) for i in df["id"]], dtype=object)
        keys = df[[*SORT_COLUMNS.values()]].assign(id=self.ids).reset_index(drop=True)
        self.orders = {
            sort: keys.sort_values(
                [col, "id"], ascending=[False, True], na_position="last"
            ).index.to_numpy()
            for sort, col in SORT_COLUMNS.items()
        }

    def mask(self, query: str = "", **filters: Any) -> np.ndarray:
        df = self.df
        keep = np.ones(len(df), dtype=bool)
        for word in query.split():
            keep &= self.lower_ids.str.contains(word.lower(), regex=False).to_numpy(dtype=bool)
        for name, col in SCALAR_FILTERS.items():
            if filters.get(name) is not None:
                keep &= self.scalars[col].isin(_many(filters[name])).to_numpy(dtype=bool)
        for name, col in LIST_FILTERS.items():
            if filters.get(name) is not None:
                wanted = set(_many(filters[name]))
                keep &= np.array(
                    [s is not None and bool(s & wanted) for s in self.sets[col]], dtype=bool
                )
        lo, hi = filters.get("min_params"), filters.get("max_params")
        if lo is not None or hi is not None:
            ok = self.params.notna()
            if lo is not None:
                ok &= self.params >= ref_params(lo)
            if hi is not None:
                ok &= self.params <= ref_params(hi)
            keep &= ok.fillna(False).to_numpy(dtype=bool)
        if filters.get("gated") is not None:
            keep &= (df["gated"] == filters["gated"]).fillna(False).to_numpy(dtype=bool)
        return keep

    def search(
        self,
        query: str = "",
        *,
        sort: str = "downloads",
        limit: int | None = 50,
        offset: int = 0,
        **filters: Any,
    ) -> list[str]:
        order = self.orders[sort]
        hits = list(self.ids[order[self.mask(query, **filters)[order]]])
        return hits[offset:] if limit is None else hits[offset : offset + limit]

    def count(self, query: str = "", **filters: Any) -> int:
        return int(self.mask(query, **filters).sum())

    def facets(self, query: str = "", **filters: Any) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for facet, col in FACET_COLUMNS.items():
            others = {k: v for k, v in filters.items() if k != facet}
            counts: Counter[str] = Counter()
            for value in self.df[col][self.mask(query, **others)].tolist():
                if isinstance(value, str):
                    counts[value] += 1
                elif (values := _as_set(value)) is not None:
                    counts.update(values)
            out[facet] = dict(counts)
        return out


@pytest.fixture(scope="module")
def tiny_ref(tiny_catalog: Catalog) -> Reference:
    return Reference(tiny_catalog.df)


@pytest.fixture(scope="module")
def real_ref(real_catalog: Catalog) -> Reference:
    return Reference(real_catalog.df)


def ids(df: pd.DataFrame) -> list[str]:
    return [str(i) for i in df["id"]]


def check(
    catalog: Catalog, ref: Reference, query: str = "", *, count: bool = True, **kwargs: Any
) -> list[str]:
    """search (and count, unless told not to) equal the reference; returns the ids."""
    got = catalog.search(query, **kwargs)
    want = ref.search(query, **kwargs)
    assert ids(got) == want, (query, kwargs)
    if count:
        filters = {k: v for k, v in kwargs.items() if k not in ("sort", "limit", "offset")}
        assert catalog.count(query, **filters) == ref.count(query, **filters), (query, filters)
    return want


# ---------------------------------------------------------------------------------------------
# the reference itself, pinned on hand-computed orders of the tiny catalog
# ---------------------------------------------------------------------------------------------

TINY_ORDERS = {
    "downloads": [
        "gpt2",
        "acme/Llama-2-7B-Chat",
        "acme/llama-2-70b",
        "beta/sd-turbo",
        "zeta/bert-tiny",
        "t5",
        "beta/Qwen2-0.5B-GGUF",
        "Delta/UPPER-CASE-Model",
        "epsilon/x",
        "delta/bert-base-multilingual-cased-finetuned",
        "gamma/secret-model",
        "gamma/empty",
        "zeta/whisper-large-v3",
    ],
    "likes": [
        "gpt2",
        "acme/llama-2-70b",
        "acme/Llama-2-7B-Chat",
        "beta/sd-turbo",
        "Delta/UPPER-CASE-Model",
        "zeta/whisper-large-v3",
        "beta/Qwen2-0.5B-GGUF",
        "zeta/bert-tiny",
        "delta/bert-base-multilingual-cased-finetuned",
        "gamma/secret-model",
        "epsilon/x",
        "gamma/empty",
        "t5",
    ],
    "trending": [
        "acme/Llama-2-7B-Chat",
        "beta/sd-turbo",
        "zeta/whisper-large-v3",
        "gpt2",
        "zeta/bert-tiny",
        "beta/Qwen2-0.5B-GGUF",
        "delta/bert-base-multilingual-cased-finetuned",
        "gamma/secret-model",
        "Delta/UPPER-CASE-Model",
        "acme/llama-2-70b",
        "epsilon/x",
        "gamma/empty",
        "t5",
    ],
    "created": [
        "gamma/secret-model",
        "beta/Qwen2-0.5B-GGUF",
        "Delta/UPPER-CASE-Model",
        "epsilon/x",
        "delta/bert-base-multilingual-cased-finetuned",
        "beta/sd-turbo",
        "zeta/whisper-large-v3",
        "acme/llama-2-70b",
        "acme/Llama-2-7B-Chat",
        "t5",
        "zeta/bert-tiny",
        "gamma/empty",
        "gpt2",
    ],
    "modified": [
        "gamma/secret-model",
        "beta/Qwen2-0.5B-GGUF",
        "Delta/UPPER-CASE-Model",
        "delta/bert-base-multilingual-cased-finetuned",
        "gpt2",
        "zeta/whisper-large-v3",
        "acme/Llama-2-7B-Chat",
        "beta/sd-turbo",
        "acme/llama-2-70b",
        "zeta/bert-tiny",
        "epsilon/x",
        "gamma/empty",
        "t5",
    ],
    "params": [
        "acme/llama-2-70b",
        "delta/bert-base-multilingual-cased-finetuned",
        "acme/Llama-2-7B-Chat",
        "zeta/whisper-large-v3",
        "beta/Qwen2-0.5B-GGUF",
        "gamma/secret-model",
        "gpt2",
        "Delta/UPPER-CASE-Model",
        "zeta/bert-tiny",
        "beta/sd-turbo",
        "epsilon/x",
        "gamma/empty",
        "t5",
    ],
}


@pytest.mark.parametrize("sort", list(TINY_ORDERS))
def test_sort_orders_hand_computed(tiny_catalog: Catalog, tiny_ref: Reference, sort: str) -> None:
    assert tiny_ref.search(sort=sort, limit=None) == TINY_ORDERS[sort]
    assert ids(tiny_catalog.search(sort=sort, limit=None)) == TINY_ORDERS[sort]


TINY_COUNTS: list[tuple[dict[str, Any], set[str]]] = [
    (
        {"task": "text-generation"},
        {"acme/Llama-2-7B-Chat", "acme/llama-2-70b", "gpt2", "beta/Qwen2-0.5B-GGUF"},
    ),
    (
        {"task": ["text-to-image", "fill-mask"]},
        {"beta/sd-turbo", "zeta/bert-tiny", "delta/bert-base-multilingual-cased-finetuned"},
    ),
    ({"library": "setfit"}, {"Delta/UPPER-CASE-Model"}),
    ({"library": "gguf"}, {"beta/Qwen2-0.5B-GGUF"}),
    ({"language": "fr"}, {"acme/llama-2-70b", "t5"}),
    (
        {"language": "multilingual"},
        {"zeta/whisper-large-v3", "delta/bert-base-multilingual-cased-finetuned"},
    ),
    ({"license": "mit"}, {"zeta/bert-tiny", "gpt2"}),
    ({"license": "cc-by-4.0"}, {"Delta/UPPER-CASE-Model"}),
    ({"author": "Delta"}, {"Delta/UPPER-CASE-Model"}),
    ({"author": "delta"}, {"delta/bert-base-multilingual-cased-finetuned"}),
    ({"provider": "together"}, {"acme/Llama-2-7B-Chat", "acme/llama-2-70b"}),
    ({"provider": "fal-ai"}, {"beta/sd-turbo"}),  # the 7B-Chat fal-ai mapping is only staging
    ({"provider": "replicate"}, set()),  # status 'error'
    ({"provider": "hf-inference"}, {"zeta/whisper-large-v3", "epsilon/x"}),
    ({"tags": "conversational"}, {"acme/Llama-2-7B-Chat"}),
    ({"gated": True}, {"acme/Llama-2-7B-Chat", "acme/llama-2-70b", "gamma/secret-model"}),
    (
        {"min_params": "300M", "max_params": "7B"},
        {
            "delta/bert-base-multilingual-cased-finetuned",
            "acme/Llama-2-7B-Chat",
            "zeta/whisper-large-v3",
            "beta/Qwen2-0.5B-GGUF",
            "gamma/secret-model",
        },
    ),
    (
        {"max_params": 300_000_000},
        {"gamma/secret-model", "gpt2", "Delta/UPPER-CASE-Model", "zeta/bert-tiny"},
    ),
    ({"min_params": "68.976648192b"}, {"acme/llama-2-70b"}),
]


@pytest.mark.parametrize(("filters", "expected"), TINY_COUNTS, ids=lambda v: str(v)[:40])
def test_filters_hand_computed(
    tiny_catalog: Catalog, tiny_ref: Reference, filters: dict[str, Any], expected: set[str]
) -> None:
    assert set(tiny_ref.search(limit=None, **filters)) == expected
    assert set(ids(tiny_catalog.search(limit=None, **filters))) == expected
    assert tiny_catalog.count(**filters) == len(expected)


def test_gated_false_excludes_unknown(tiny_catalog: Catalog) -> None:
    open_ids = set(ids(tiny_catalog.search(gated=False, limit=None)))
    assert "gpt2" not in open_ids  # gated unknown
    assert "gamma/empty" not in open_ids
    assert len(open_ids) == 8


def test_params_filter_excludes_unknown_params(tiny_catalog: Catalog) -> None:
    found = set(ids(tiny_catalog.search(min_params=0, limit=None)))
    assert found.isdisjoint({"beta/sd-turbo", "epsilon/x", "gamma/empty", "t5"})
    assert len(found) == 9


# ---------------------------------------------------------------------------------------------
# every filter, sort and query against the reference: the tiny catalog
# ---------------------------------------------------------------------------------------------

TINY_FILTERS: list[dict[str, Any]] = [
    {},
    {"task": "text-generation"},
    {"task": ["fill-mask", "automatic-speech-recognition"]},
    {"task": "translation"},  # a valid task no model has
    {"library": "transformers"},
    {"library": ["diffusers", "gguf", "no-such-library"]},
    {"language": "en"},
    {"language": ["de", "zh"]},
    {"language": ["xx", "en"]},  # a value no model has, beside one they have (any of)
    {"license": "apache-2.0"},
    {"license": ["llama2", "other"]},
    {"author": "acme"},
    {"author": ["beta", "gamma", "nobody"]},
    {"tags": "en"},
    {"tags": ["safetensors", "gguf"]},
    {"tags": "license:llama2"},
    {"provider": "together"},
    {"provider": ["fal-ai", "hf-inference"]},
    {"min_params": "1B"},
    {"max_params": "1b"},
    {"min_params": 300_000_000, "max_params": 7_000_000_000},
    {"min_params": "300M", "max_params": "300M"},
    {"min_params": 4.4e6, "max_params": "0.5B"},
    {"min_params": "1k"},
    {"max_params": "100T"},
    {"gated": True},
    {"gated": False},
    {"task": "text-generation", "library": "transformers"},
    {"task": "text-generation", "gated": False},
    {"language": "en", "license": "apache-2.0"},
    {"author": "acme", "provider": "together", "min_params": "10B"},
    {"tags": "transformers", "language": "en", "max_params": "1B", "gated": False},
    {"task": "fill-mask", "language": "multilingual", "author": "delta", "license": "apache-2.0"},
    {"library": "transformers", "provider": "hf-inference", "gated": False, "min_params": "1B"},
]

TINY_QUERIES = [
    "",
    "llama",
    "LLaMA",
    "Llama-2",
    "llama 70",
    "70 llama",
    "  llama\t2  ",
    "acme llama chat",
    "bert",
    "BERT base",
    "t5",
    "ta",
    "ZE",
    "x",
    "b",
    "-",
    "/",
    "2",
    "gguf",
    "upper-case",
    "zzz",
    "llama zzz",
    "acme/",
    "a/b",
    "cased-finetuned",
    "e/x",
]


@pytest.mark.parametrize("filters", TINY_FILTERS, ids=lambda f: str(f)[:50])
def test_tiny_filters_and_sorts(
    tiny_catalog: Catalog, tiny_ref: Reference, filters: dict[str, Any]
) -> None:
    check(tiny_catalog, tiny_ref, limit=None, **filters)
    for sort in SORT_COLUMNS:
        check(tiny_catalog, tiny_ref, sort=sort, limit=None, count=False, **filters)
        check(tiny_catalog, tiny_ref, sort=sort, limit=3, offset=1, count=False, **filters)


@pytest.mark.parametrize("query", TINY_QUERIES)
def test_tiny_queries(tiny_catalog: Catalog, tiny_ref: Reference, query: str) -> None:
    for sort in SORT_COLUMNS:
        check(tiny_catalog, tiny_ref, query, sort=sort, limit=None, count=sort == "likes")
    check(tiny_catalog, tiny_ref, query, limit=2)
    check(tiny_catalog, tiny_ref, query, task="text-generation", limit=None)
    check(tiny_catalog, tiny_ref, query, language="en", min_params="100M", limit=None)


def test_tiny_queries_hand_computed(tiny_catalog: Catalog) -> None:
    assert ids(tiny_catalog.search("LLAMA")) == ["acme/Llama-2-7B-Chat", "acme/llama-2-70b"]
    assert ids(tiny_catalog.search("llama 70")) == ["acme/llama-2-70b"]
    assert ids(tiny_catalog.search("t5")) == ["t5"]
    assert ids(tiny_catalog.search("x")) == ["epsilon/x"]
    assert ids(tiny_catalog.search("Zzz")) == []
    assert tiny_catalog.count("/") == 11
    assert tiny_catalog.count("") == len(tiny_catalog) == 13


@pytest.mark.parametrize("sort", list(SORT_COLUMNS))
def test_tiny_paging(tiny_catalog: Catalog, tiny_ref: Reference, sort: str) -> None:
    everything = ids(tiny_catalog.search(sort=sort, limit=None))
    assert everything == tiny_ref.search(sort=sort, limit=None)
    for size in (1, 2, 5):
        pages = [
            ids(tiny_catalog.search(sort=sort, limit=size, offset=start))
            for start in range(0, len(everything) + size, size)
        ]
        assert list(itertools.chain(*pages)) == everything
        assert pages[-1] == []
    assert ids(tiny_catalog.search(sort=sort, limit=0)) == []
    assert ids(tiny_catalog.search(sort=sort, offset=13)) == []
    assert ids(tiny_catalog.search(sort=sort, offset=10_000, limit=None)) == []
    assert ids(tiny_catalog.search(sort=sort, limit=10_000)) == everything


def test_default_limit_is_50(real_catalog: Catalog, real_ref: Reference) -> None:
    got = real_catalog.search()
    assert len(got) == 50
    assert ids(got) == real_ref.search()


def test_search_returns_whole_rows_in_the_schema(tiny_catalog: Catalog) -> None:
    got = tiny_catalog.search("llama", sort="likes")
    assert list(got.columns) == list(tiny_catalog.df.columns)
    assert got.index.equals(pd.RangeIndex(len(got)))
    assert (got.dtypes == tiny_catalog.df.dtypes).all()
    expected = tiny_catalog.df.set_index("id").loc[ids(got)].reset_index()
    pd.testing.assert_frame_equal(got, expected[got.columns])


def test_search_does_not_change_the_catalog(tiny_catalog: Catalog) -> None:
    before = tiny_catalog.df.copy()
    got = tiny_catalog.search("llama", limit=None)
    got.loc[0, "downloads"] = -1
    pd.testing.assert_frame_equal(tiny_catalog.df, before)


def test_tasks_present_in_the_catalog_are_accepted(tiny_records: list[dict[str, Any]]) -> None:
    tiny_records[0]["pipeline_tag"] = "my-custom-task"
    catalog = Catalog.from_records(tiny_records)
    assert ids(catalog.search(task="my-custom-task")) == ["acme/Llama-2-7B-Chat"]
    assert catalog.count(task=["my-custom-task", "text-generation"]) == 4


def test_empty_catalog() -> None:
    empty = Catalog.from_records([])
    assert len(empty) == 0
    assert empty.search("bert", task="fill-mask").empty
    assert list(empty.search().columns) == list(empty.df.columns)
    assert empty.count() == 0
    assert empty.facets().empty
    with pytest.raises(UnknownModelError):
        empty.model("a/b")


def test_non_ascii_ids() -> None:
    records = [
        {"id": "ünï/Modèle-Français", "downloads": 3},
        {"id": "acme/ÉCOLE-bert", "downloads": 5},
        {"id": "x/ascii-bert", "downloads": 1},
        {"id": "ü", "downloads": 9},
    ]
    catalog = Catalog.from_records(records)
    ref = Reference(catalog.df)
    for query in ("français", "FRANÇAIS", "école", "bert", "ü", "ÜN", "è", "modèle-fr", "x", "é"):
        check(catalog, ref, query, limit=None)
    assert ids(catalog.search("FRANÇAIS")) == ["ünï/Modèle-Français"]
    assert ids(catalog.search("école")) == ["acme/ÉCOLE-bert"]


# ---------------------------------------------------------------------------------------------
# the real catalog against the reference
# ---------------------------------------------------------------------------------------------


def _top_values(df: pd.DataFrame, col: str, n: int) -> list[str]:
    counts: Counter[str] = Counter()
    for value in df[col].tolist():
        if isinstance(value, str):
            counts[value] += 1
        elif (values := _as_set(value)) is not None:
            counts.update(values)
    return [v for v, _ in counts.most_common(n)]


def real_filters(df: pd.DataFrame) -> list[dict[str, Any]]:
    tasks = _top_values(df, "task", 4)
    libraries = _top_values(df, "library", 4)
    languages = _top_values(df, "languages", 4)
    licenses = _top_values(df, "license", 4)
    authors = _top_values(df, "author", 4)
    tags = _top_values(df, "tags", 12)
    rare_task = _top_values(df, "task", 100)[-1]
    return [
        {"task": tasks[0]},
        {"task": tasks[1:3]},
        {"task": rare_task},
        {"library": libraries[0]},
        {"library": libraries[1:4]},
        {"language": languages[0]},
        {"language": languages[1:4]},
        {"license": licenses[0]},
        {"license": licenses[1:3]},
        {"author": authors[0]},
        {"author": authors[1:4]},
        {"tags": tags[5]},
        {"tags": tags[8:11]},
        {"provider": "hf-inference"},
        {"min_params": "1B"},
        {"max_params": "300M"},
        {"min_params": "100m", "max_params": 2e9},
        {"gated": True},
        {"gated": False},
        {"task": tasks[0], "language": languages[:2]},
        {"library": libraries[0], "license": licenses[0], "task": tasks[1]},
        {"author": authors[0], "tags": tags[0]},
        {"license": licenses[0], "min_params": "10M", "gated": False},
        {"task": tasks, "library": libraries[:2], "language": languages, "license": licenses},
    ]


REAL_QUERIES = [
    "",
    "bert",
    "BERT",
    "bert base",
    "base bert cased",
    "opus-mt en",
    "mt",
    "en",
    "e",
    "-",
    "/",
    "gpt",
    "t5",
    "llama",
    "deepseek r1",
    "xlnet cola",
    "stable-diffusion",
    "zzzzqqq",
    "bert zzzzqqq",
    "Helsinki-NLP/",
]


def test_real_every_filter_and_sort(real_catalog: Catalog, real_ref: Reference) -> None:
    for filters in real_filters(real_catalog.df):
        for sort in SORT_COLUMNS:
            check(real_catalog, real_ref, sort=sort, limit=20, count=False, **filters)
        check(real_catalog, real_ref, limit=None, **filters)


@pytest.mark.parametrize("query", REAL_QUERIES)
def test_real_queries(real_catalog: Catalog, real_ref: Reference, query: str) -> None:
    for sort in SORT_COLUMNS:
        check(real_catalog, real_ref, query, sort=sort, limit=10, count=False)
    check(real_catalog, real_ref, query, limit=None)
    check(real_catalog, real_ref, query, limit=7, offset=40, count=False)
    check(real_catalog, real_ref, query, task="translation", limit=25)
    check(real_catalog, real_ref, query, library="transformers", language="en", limit=25)


def test_real_paging(real_catalog: Catalog, real_ref: Reference) -> None:
    for query, sort in (
        ("", "downloads"),
        ("bert", "likes"),
        ("opus", "modified"),
        ("e", "params"),
    ):
        everything = real_ref.search(query, sort=sort, limit=None)
        for offset in (0, 1, 49, 50, 51, 333, len(everything) - 1, len(everything)):
            got = ids(real_catalog.search(query, sort=sort, limit=50, offset=offset))
            assert got == everything[offset : offset + 50], (query, sort, offset)


def test_real_random_combinations(real_catalog: Catalog, real_ref: Reference) -> None:
    """Seeded random mixes of words, filters, sorts and windows."""
    rng = np.random.default_rng(20260801)
    df = real_catalog.df
    all_ids = [str(i) for i in df["id"]]
    filters = real_filters(df)
    for _ in range(60):
        model_id = all_ids[int(rng.integers(len(all_ids)))]
        size = int(rng.choice([1, 2, 3, 4, 6]))
        start = int(rng.integers(max(1, len(model_id) - size + 1)))
        word = model_id[start : start + size]
        query = word.upper() if rng.random() < 0.3 else word
        chosen = filters[int(rng.integers(len(filters)))] if rng.random() < 0.5 else {}
        sort = str(rng.choice(list(SORT_COLUMNS)))
        limit = [None, 1, 5, 50][int(rng.integers(4))]
        offset = int(rng.choice([0, 0, 3, 60]))
        check(real_catalog, real_ref, query, sort=sort, limit=limit, offset=offset, **chosen)


# ---------------------------------------------------------------------------------------------
# facets
# ---------------------------------------------------------------------------------------------


def facet_dict(frame: pd.DataFrame) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {f: {} for f in FACET_COLUMNS}
    for facet, value, count in frame.itertuples(index=False):
        assert value not in out[facet], (facet, value)
        out[facet][str(value)] = int(count)
    return out


def check_facets(catalog: Catalog, ref: Reference, query: str = "", **filters: Any) -> None:
    frame = catalog.facets(query, top=None, **filters)
    assert list(frame.columns) == ["facet", "value", "count"]
    assert set(frame["facet"]) <= set(FACET_COLUMNS)
    assert (frame["count"] > 0).all()
    for facet in FACET_COLUMNS:
        counts = frame.loc[frame["facet"] == facet, "count"].tolist()
        assert counts == sorted(counts, reverse=True), facet
    assert facet_dict(frame) == ref.facets(query, **filters), (query, filters)


def test_facets_hand_computed(tiny_catalog: Catalog) -> None:
    got = facet_dict(tiny_catalog.facets(top=None))
    assert got["task"] == {
        "text-generation": 4,
        "fill-mask": 2,
        "text2text-generation": 1,
        "automatic-speech-recognition": 1,
        "text-to-image": 1,
        "text-classification": 1,
        "sentence-similarity": 1,
    }
    assert got["language"]["en"] == 8
    assert got["author"] == {
        "acme": 2,
        "beta": 2,
        "gamma": 2,
        "zeta": 2,
        "delta": 1,
        "Delta": 1,
        "epsilon": 1,
    }
    narrowed = facet_dict(tiny_catalog.facets(task="text-generation", top=None))
    # the task facet is not narrowed by the task filter ...
    assert narrowed["task"] == got["task"]
    # ... the others are
    assert narrowed["library"] == {"transformers": 3, "gguf": 1}
    assert narrowed["license"] == {"llama2": 2, "mit": 1, "apache-2.0": 1}
    assert narrowed["language"] == {"en": 4, "fr": 1, "zh": 1}
    both = facet_dict(tiny_catalog.facets(task="text-generation", library="gguf", top=None))
    assert both["task"] == {"text-generation": 1}
    assert both["library"] == {"transformers": 3, "gguf": 1}
    assert both["author"] == {"beta": 1}


def test_facets_dtypes_and_top(tiny_catalog: Catalog) -> None:
    frame = tiny_catalog.facets()
    assert isinstance(frame["value"].dtype, pd.StringDtype)
    assert frame["count"].dtype == np.int64
    top2 = tiny_catalog.facets(top=2)
    assert (top2.groupby("facet")["count"].size() <= 2).all()
    full = facet_dict(tiny_catalog.facets(top=None))
    for facet, group in top2.groupby("facet"):
        best = sorted(full[str(facet)].values(), reverse=True)[:2]
        assert sorted(group["count"], reverse=True) == best
        for value, count in zip(group["value"], group["count"], strict=True):
            assert full[str(facet)][value] == count
    assert tiny_catalog.facets(top=0).empty


TINY_FACET_CASES: list[tuple[str, dict[str, Any]]] = [
    ("", {}),
    ("", {"task": "text-generation"}),
    ("", {"language": "en"}),
    ("", {"language": ["en", "fr"], "license": "llama2"}),
    ("", {"author": "acme", "library": "transformers"}),
    ("bert", {}),
    ("", {"gated": False, "min_params": "100M"}),
    ("a", {"tags": "transformers", "provider": "together"}),
    ("zzz", {}),
]


@pytest.mark.parametrize(("query", "filters"), TINY_FACET_CASES, ids=lambda v: str(v)[:40])
def test_tiny_facets_match_reference(
    tiny_catalog: Catalog, tiny_ref: Reference, query: str, filters: dict[str, Any]
) -> None:
    check_facets(tiny_catalog, tiny_ref, query, **filters)


def test_real_facets_match_reference(real_catalog: Catalog, real_ref: Reference) -> None:
    df = real_catalog.df
    task = _top_values(df, "task", 1)[0]
    language = _top_values(df, "languages", 2)
    license_ = _top_values(df, "license", 1)[0]
    author = _top_values(df, "author", 1)[0]
    cases: list[tuple[str, dict[str, Any]]] = [
        ("", {}),
        ("", {"task": task}),
        ("", {"language": language}),
        ("bert", {"license": license_}),
        ("", {"task": task, "language": language[0], "author": author}),
        ("opus", {"min_params": "1M"}),
    ]
    for query, filters in cases:
        check_facets(real_catalog, real_ref, query, **filters)


# ---------------------------------------------------------------------------------------------
# model()
# ---------------------------------------------------------------------------------------------


def test_model_found(tiny_catalog: Catalog) -> None:
    row = tiny_catalog.model("acme/Llama-2-7B-Chat")
    assert isinstance(row, pd.Series)
    assert list(row.index) == [*tiny_catalog.df.columns, "card"]
    assert row["id"] == "acme/Llama-2-7B-Chat"
    assert row["downloads"] == 5000
    assert row["params"] == 6_738_415_616
    assert list(row["providers"]) == ["together"]
    assert row["card"] is pd.NA


def test_model_card(real_catalog: Catalog) -> None:
    row = real_catalog.model("lllyasviel/ControlNet-v1-1")
    assert row["card"].startswith("---\nlicense: openrail")
    assert row["license"] == "openrail"


def test_model_unknown_suggests_close_ids(tiny_catalog: Catalog) -> None:
    with pytest.raises(UnknownModelError) as info:
        tiny_catalog.model("acme/llama-2-7b-chat")
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, KeyError)
    message = str(info.value)
    assert "acme/llama-2-7b-chat" in message
    assert "acme/Llama-2-7B-Chat" in message


def test_model_unknown_without_close_ids(tiny_catalog: Catalog) -> None:
    with pytest.raises(KeyError, match="nobody/nothing-like-it"):
        tiny_catalog.model("nobody/nothing-like-it")


def test_model_unknown_real(real_catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="lllyasviel/ControlNet-v1-1") as info:
        real_catalog.model("lllyasviel/ControlNet-v1.1")
    assert "lllyasviel/ControlNet-v1.1" in str(info.value)


@pytest.mark.parametrize("bad", [5, None, ["a/b"]])
def test_model_id_must_be_a_string(tiny_catalog: Catalog, bad: Any) -> None:
    with pytest.raises(TypeError, match="string"):
        tiny_catalog.model(bad)


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------

SORT_LIST = "downloads, likes, trending, created, modified, params"


def test_unknown_sort_key_lists_the_valid_ones(tiny_catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="unknown sort key 'popularity'") as info:
        tiny_catalog.search(sort="popularity")
    assert SORT_LIST in str(info.value)
    with pytest.raises(ValueError, match="did you mean 'likes'"):
        tiny_catalog.search(sort="like")
    with pytest.raises(ValueError, match="unknown sort key"):
        tiny_catalog.search(sort="Downloads")


def test_unknown_task_suggests_close_matches(tiny_catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="unknown task 'text-generatoin'") as info:
        tiny_catalog.search(task="text-generatoin")
    assert "did you mean 'text-generation'" in str(info.value)
    with pytest.raises(ValueError, match=r"unknown task 'fill_mask'.*'fill-mask'"):
        tiny_catalog.count(task=["text-generation", "fill_mask"])
    with pytest.raises(ValueError, match="unknown task") as info:
        tiny_catalog.facets(task="qqqqq")
    message = str(info.value)
    for task in ("text-classification", "text-to-image", "automatic-speech-recognition"):
        assert task in message
    assert len(TASKS) == 57


@pytest.mark.parametrize(("lo", "hi"), [("7B", "1B"), (2, 1), ("1.5b", "1499M"), (1e9, "999.9M")])
def test_min_params_above_max_params(tiny_catalog: Catalog, lo: Any, hi: Any) -> None:
    with pytest.raises(ValueError, match=r"min_params.*greater than max_params"):
        tiny_catalog.search(min_params=lo, max_params=hi)
    with pytest.raises(ValueError, match="min_params"):
        tiny_catalog.count(min_params=lo, max_params=hi)


@pytest.mark.parametrize("value", ["7X", "seven", "-1", "7 B B", "B7"])
def test_unparseable_params(tiny_catalog: Catalog, value: str) -> None:
    with pytest.raises(ValueError, match="min_params"):
        tiny_catalog.search(min_params=value)


@pytest.mark.parametrize("value", [-1, -0.5, float("nan"), float("inf")])
def test_bad_numeric_params(tiny_catalog: Catalog, value: float) -> None:
    with pytest.raises(ValueError, match="max_params"):
        tiny_catalog.search(max_params=value)


def test_negative_limit_and_offset(tiny_catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="limit must be >= 0"):
        tiny_catalog.search(limit=-1)
    with pytest.raises(ValueError, match="offset must be >= 0"):
        tiny_catalog.search(offset=-5)
    with pytest.raises(ValueError, match="top"):
        tiny_catalog.facets(top=-1)


WRONG_TYPES: list[tuple[Callable[[Catalog], Any], str]] = [
    (lambda c: c.search(5), "query"),
    (lambda c: c.search(b"bert"), "query"),
    (lambda c: c.count(["bert"]), "query"),
    (lambda c: c.search(limit="10"), "limit"),
    (lambda c: c.search(limit=1.5), "limit"),
    (lambda c: c.search(limit=True), "limit"),
    (lambda c: c.search(offset="1"), "offset"),
    (lambda c: c.search(offset=None), "offset"),
    (lambda c: c.search(offset=2.0), "offset"),
    (lambda c: c.search(gated="yes"), "gated"),
    (lambda c: c.search(gated=1), "gated"),
    (lambda c: c.search(task=5), "task"),
    (lambda c: c.search(task={"text-generation": 1}), "task"),
    (lambda c: c.search(library=[1, 2]), "library"),
    (lambda c: c.count(language=3.0), "language"),
    (lambda c: c.count(tags=["en", None]), "tags"),
    (lambda c: c.facets(author=7), "author"),
    (lambda c: c.facets(provider=[b"together"]), "provider"),
    (lambda c: c.search(min_params=[1]), "min_params"),
    (lambda c: c.search(min_params=True), "min_params"),
    (lambda c: c.search(max_params=b"7B"), "max_params"),
]


@pytest.mark.parametrize(("call", "name"), WRONG_TYPES, ids=[n for _, n in WRONG_TYPES])
def test_wrong_types_are_type_errors(
    tiny_catalog: Catalog, call: Callable[[Catalog], Any], name: str
) -> None:
    with pytest.raises(TypeError, match=name):
        call(tiny_catalog)


@pytest.mark.parametrize(
    ("call", "wrong", "hint", "valid"),
    [
        (lambda c: c.search(sortby="likes"), "sortby", "sort", "limit"),
        (lambda c: c.search(min_param="1B"), "min_param", "min_params", "max_params"),
        (lambda c: c.search(languages="en"), "languages", "language", "provider"),
        (lambda c: c.count(licence="mit"), "licence", "license", "gated"),
        (lambda c: c.facets(providers="x"), "providers", "provider", "top"),
    ],
)
def test_misspelled_keyword_names_valid_ones(
    tiny_catalog: Catalog, call: Callable[[Catalog], Any], wrong: str, hint: str, valid: str
) -> None:
    with pytest.raises(TypeError) as info:
        call(tiny_catalog)
    message = str(info.value)
    assert repr(wrong) in message
    assert f"did you mean {hint!r}" in message
    assert "valid arguments" in message
    assert valid in message


def test_count_and_facets_take_no_window(tiny_catalog: Catalog) -> None:
    with pytest.raises(TypeError, match=r"'limit'.*valid arguments"):
        tiny_catalog.count(limit=5)
    with pytest.raises(TypeError, match=r"'sort'.*valid arguments"):
        tiny_catalog.facets(sort="likes")


def test_filters_are_keyword_only(tiny_catalog: Catalog) -> None:
    with pytest.raises(TypeError):
        tiny_catalog.search("llama", "text-generation")  # type: ignore[misc]


@pytest.mark.parametrize("bad", [5, None])
def test_sort_of_wrong_type_is_type_error(tiny_catalog: Catalog, bad: Any) -> None:
    with pytest.raises(TypeError, match="sort"):
        tiny_catalog.search(sort=bad)


@pytest.mark.parametrize("bad", ["5", 2.5])
def test_facets_top_of_wrong_type_is_type_error(tiny_catalog: Catalog, bad: Any) -> None:
    with pytest.raises(TypeError, match="top"):
        tiny_catalog.facets(top=bad)


# ---------------------------------------------------------------------------------------------
# the compiled (numba) kernels give the same answers as the numpy ones
# ---------------------------------------------------------------------------------------------


def _numba_catalog(df: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> Catalog:
    """A catalog whose index uses the numba kernels whatever its size."""
    monkeypatch.setattr(_index, "SMALL_BYTES", 0)
    catalog = Catalog(df.copy())
    catalog.count("warm-up")  # builds the index with the patched threshold
    assert catalog.index.k.__name__.endswith("_kernels")
    return catalog


@pytest.mark.slow
def test_numba_kernels_tiny(
    tiny_catalog: Catalog, tiny_ref: Reference, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = _numba_catalog(tiny_catalog.df, monkeypatch)
    for query in TINY_QUERIES:
        check(catalog, tiny_ref, query, limit=None)
    for filters in TINY_FILTERS:
        for sort in SORT_COLUMNS:
            check(catalog, tiny_ref, sort=sort, limit=4, offset=1, **filters)
    for query, filters in TINY_FACET_CASES:
        check_facets(catalog, tiny_ref, query, **filters)


@pytest.mark.slow
def test_numba_kernels_real(
    real_catalog: Catalog, real_ref: Reference, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = _numba_catalog(real_catalog.df, monkeypatch)
    for query in REAL_QUERIES:
        check(catalog, real_ref, query, limit=10)
        check(catalog, real_ref, query, sort="created", limit=None)
    for filters in real_filters(real_catalog.df)[:12]:
        check(catalog, real_ref, "bert", sort="likes", limit=10, **filters)


@pytest.mark.slow
@pytest.mark.parametrize("huge", [1e30, "99999999999T"])
def test_huge_max_params_with_numba_kernels(
    tiny_catalog: Catalog, monkeypatch: pytest.MonkeyPatch, huge: Any
) -> None:
    assert tiny_catalog.count(max_params=huge) == 9  # the numpy kernels
    catalog = _numba_catalog(tiny_catalog.df, monkeypatch)
    assert catalog.count(max_params=huge) == 9


# ---------------------------------------------------------------------------------------------
# catalogs made from a DataFrame
# ---------------------------------------------------------------------------------------------


def test_catalog_from_frame_is_sorted_and_deduplicated(tiny_catalog: Catalog) -> None:
    df = tiny_catalog.df
    newer = df[df["id"] == "gpt2"].assign(downloads=pd.array([1], dtype="Int64"))
    shuffled = pd.concat([df.iloc[::-1], newer], ignore_index=True)
    catalog = Catalog(shuffled, source="records", meta={"name": "shuffled"})
    assert catalog.df["id"].tolist() == df["id"].tolist()
    assert catalog.df.index.equals(pd.RangeIndex(len(df)))
    assert catalog.model("gpt2")["downloads"] == 1  # the later row wins
    assert catalog.meta == {"name": "shuffled"}
    assert catalog.source == "records"
    ref = Reference(catalog.df)
    for sort in SORT_COLUMNS:
        check(catalog, ref, sort=sort, limit=None)


def test_catalog_needs_the_schema_columns(tiny_catalog: Catalog) -> None:
    with pytest.raises(ValueError, match=r"missing \['likes', 'params'\]"):
        Catalog(tiny_catalog.df.drop(columns=["params", "likes"]))
    with pytest.raises(ValueError, match="id"):
        Catalog(tiny_catalog.df.assign(id=pd.array([None] * 13, dtype="string")))


def test_a_language_listed_twice_in_one_model_counts_once() -> None:
    cat = Catalog.from_records(
        [
            {"id": "a/one", "cardData": {"language": ["en", "en", "fr"]}},
            {"id": "a/two", "cardData": {"language": ["fr", "de", "fr"]}},
            {"id": "a/three", "cardData": {"language": ["en"]}},
        ]
    )
    counts = cat.facets()
    languages = counts[counts["facet"] == "language"].set_index("value")["count"]
    assert languages.to_dict() == {"en": 2, "fr": 2, "de": 1}
    # under a filter too (the counting path that masks rows)
    some = cat.facets(query="t")  # a/two, a/three
    languages = some[some["facet"] == "language"].set_index("value")["count"]
    assert languages.to_dict() == {"de": 1, "en": 1, "fr": 1}
