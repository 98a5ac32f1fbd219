"""SearchWidget's "rising" sort: offered when the catalog has a history, refused in words when
not. The history is the recorded daily series of the Hub website's feature-extraction listing
(``../shared/data``, skipped with a reason when absent); the catalog is the bundled starter,
which holds ten of its models."""

from __future__ import annotations

import pandas as pd
import pytest
import traitlets

import hubwidgets as hw
from hubwidgets.testing import shared_data_dir
from hubwidgets.widgets import SearchWidget

SERIES = "trending-feature-extraction-2024-2026.parquet"


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    data = shared_data_dir()
    if data is None or not (data / SERIES).exists():
        pytest.skip(f"the recorded daily series {SERIES} is not on this machine (../shared/data)")
    return hw.load_history(data / SERIES)


def test_rising_is_offered_and_orders_by_gain(history: pd.DataFrame) -> None:
    catalog = hw.starter_catalog().with_history(history)
    widget = SearchWidget(catalog, sort="rising")
    try:
        assert "rising" in widget._sort_keys
        expected = catalog.trends().growth
        expected = expected[expected["model"].isin(set(catalog.df["id"]))]
        first = widget._first_rows["id"].tolist()
        # the starter's models the listing recorded come first, largest gain first
        assert first[: len(expected)] == expected["model"].tolist()
        assert widget.error == ""
        # the page switching back and forth: the same models, another order
        widget.set_state({"sort": "downloads"})
        assert widget.sort == "downloads"
        widget.set_state({"sort": "rising"})
        assert widget._first_rows["id"].tolist()[: len(expected)] == expected["model"].tolist()
    finally:
        widget.close()


def test_rising_without_history_is_refused_and_not_offered() -> None:
    widget = SearchWidget(hw.starter_catalog())
    try:
        assert "rising" not in widget._sort_keys
        with pytest.raises(traitlets.TraitError, match="needs a history"):
            widget.sort = "rising"
        assert widget.sort == "downloads"  # the user's sort is kept
    finally:
        widget.close()
