"""Browsing a catalog search without a widget (core/catalog/browse.py): the count, first rows and
status of a search, windows of its rows in the same order, another order, the facet counts and
the selected models by id: what the SearchWidget shows, available to a script."""

from __future__ import annotations

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.catalog.browse import (
    facet_counts,
    first_results,
    has_history,
    models_by_id,
    resorted,
    result_ids,
    result_rows,
    search_filters,
    search_status,
    searchable,
    sort_keys,
)
from hubwidgets.core.catalog.query import FACETS
from hubwidgets.core.catalog.schema import SORT_KEYS


@pytest.fixture(scope="module")
def catalog() -> hw.Catalog:
    return hw.starter_catalog()


def test_first_results_count_and_fetch_the_first_rows(catalog: hw.Catalog) -> None:
    filters = {"task": ["text-classification"]}
    results, first = first_results(catalog, filters, "likes", 5)
    assert results.total == catalog.count(**filters) > 5
    assert results.filters == filters and results.sort == "likes"
    expected = catalog.search(**filters, sort="likes", limit=5)
    assert list(first["id"]) == list(expected["id"])
    assert results.status.startswith(f"{results.total:,} models · ")
    assert results.status.endswith(catalog.describe_source())


def test_windows_of_the_results_keep_their_order(catalog: hw.Catalog) -> None:
    results, _ = first_results(catalog, {}, "downloads", 3)
    every = result_rows(catalog, results)
    assert len(every) == results.total
    window = result_rows(catalog, results, offset=4, limit=3)
    assert list(window["id"]) == list(every["id"][4:7])
    assert result_ids(catalog, results, 4, 7) == list(every["id"][4:7])
    assert result_ids(catalog, results, 5, 5) == []  # an empty window asks nothing
    assert list(result_rows(catalog, results, limit=2)["id"]) == list(every["id"][:2])
    assert result_rows(catalog, None).empty  # nothing searched yet: no rows


def test_another_order_of_the_same_models(catalog: hw.Catalog) -> None:
    results, _ = first_results(catalog, {"library": ["transformers"]}, "downloads", 4)
    again, first = resorted(catalog, results, "likes", 4)
    assert (again.sort, again.total, again.status) == ("likes", results.total, results.status)
    expected = catalog.search(library=["transformers"], sort="likes", limit=4)
    assert list(first["id"]) == list(expected["id"])


def test_a_search_the_catalog_refuses_raises_its_words(catalog: hw.Catalog) -> None:
    with pytest.raises(ValueError, match="sort"):
        first_results(catalog, {}, "no-such-order", 5)


def test_the_status_says_how_many_how_long_and_what_was_left_out() -> None:
    class Capped:
        capped = True

        def describe_source(self) -> str:
            return "the Hub"

    assert search_status(object(), 1, 3.14159) == "1 model · 3.1 ms · object"
    assert search_status(Capped(), 1000, 42.0, left_out=12) == (
        "at least 1,000 models (counted up to the first 1,000 matches) · 42 ms · the Hub"
        " · 12 of unknown size left out by the params range"
    )


def test_facet_counts_list_every_facet_most_frequent_first(catalog: hw.Catalog) -> None:
    counts = facet_counts(catalog, {"task": ["text-classification"]}, 3)
    assert set(FACETS) <= set(counts)
    libraries = counts["library"]
    assert 0 < len(libraries) <= 3
    assert [n for _, n in libraries] == sorted((n for _, n in libraries), reverse=True)
    assert all(isinstance(v, str) and isinstance(n, int) for v, n in libraries)


def test_models_by_id_in_the_order_asked(catalog: hw.Catalog) -> None:
    ids = list(catalog.search(limit=3)["id"])[::-1]
    rows = models_by_id(catalog, ids)
    assert list(rows["id"]) == ids and "card" not in rows.columns
    assert models_by_id(catalog, []).empty
    with pytest.raises(hw.UnknownModelError):
        models_by_id(catalog, ["nobody/nothing"])
    with pytest.raises(TypeError, match="cannot look up models by id"):
        models_by_id(pd.DataFrame(), ["a/b"])


def test_rising_is_a_sort_key_only_with_a_history(catalog: hw.Catalog) -> None:
    assert not has_history(catalog)
    assert sort_keys(catalog) == list(SORT_KEYS)


def test_filter_values_as_search_arguments_and_the_catalog_checked(catalog: hw.Catalog) -> None:
    values = {"query": "bert", "task": [], "library": ("x",), "author": ["a"], "gated": None}
    assert search_filters(values) == {
        "query": "bert",
        "task": None,
        "library": ("x",),
        "author": ["a"],
        "gated": None,
    }
    assert searchable(catalog) is catalog
    with pytest.raises(TypeError, match="not DataFrame"):
        searchable(pd.DataFrame())
