"""The numpy kernels (small catalogs) and the numba kernels (large ones) give the same answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core import _index

QUERIES: list[dict[str, object]] = [
    {"query": "bert"},
    {"query": "BERT base"},
    {"query": "t5"},
    {"query": "e", "limit": 100},
    {"query": "opus-mt en", "sort": "likes"},
    {"query": "zzzzqqq"},
    {"task": "translation", "sort": "modified", "limit": 200},
    {"task": ["fill-mask", "text-classification"], "library": "transformers", "offset": 30},
    {"language": ["fr", "de"], "license": "apache-2.0"},
    {"tags": ["pytorch", "tf"], "sort": "created"},
    {"min_params": "100M", "max_params": "10B", "sort": "params"},
    {"gated": False, "query": "llama"},
    {"author": "Helsinki-NLP", "query": "de", "limit": None},
]


def _catalog(records: list[dict[str, object]], small: bool, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_index, "SMALL_BYTES", 10**12 if small else 0)
    catalog = hw.Catalog.from_records(records)
    assert catalog.index.k.__name__.endswith("_np" if small else "_kernels")
    return catalog


def test_numpy_and_numba_kernels_agree(
    raw_2022_records: list[dict[str, object]],
    raw_2025_records: list[dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    records = raw_2022_records[:4000] + raw_2025_records
    small = _catalog(records, True, monkeypatch)
    large = _catalog(records, False, monkeypatch)
    ix_small, ix_large = small.index, large.index
    np.testing.assert_array_equal(ix_small.trigrams.starts, ix_large.trigrams.starts)
    np.testing.assert_array_equal(ix_small.trigrams.rows, ix_large.trigrams.rows)
    for name, col in ix_small.columns.items():
        np.testing.assert_array_equal(col.postings.rows, ix_large.columns[name].postings.rows)
    for q in QUERIES:
        a = small.search(**q)["id"].tolist()
        b = large.search(**q)["id"].tolist()
        assert a == b, q
        filters = {k: v for k, v in q.items() if k not in ("sort", "limit", "offset")}
        assert small.count(**filters) == large.count(**filters), q
    pd.testing.assert_frame_equal(small.facets("bert"), large.facets("bert"))
