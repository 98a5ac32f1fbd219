"""Trends over a history: growth, new models per week, rising models, the rising sort, charts.

A small history written out by hand checks the arithmetic; the recorded daily series of the
Hub website's feature-extraction listing (``../shared/data``, skipped with a reason when absent)
checks the same on 111,873 real daily values.
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.catalog.trends import trends
from hubwidgets.testing import shared_data_dir

SERIES = "trending-feature-extraction-2024-2026.parquet"


def _history() -> pd.DataFrame:
    """Downloads of four models over 60 days (2026-01-01 .. 2026-03-01), by hand."""
    days = pd.date_range("2026-01-01", "2026-03-01", freq="D")
    rows = []
    for i, day in enumerate(days):
        rows.append(("org/steady", day, 1000.0, "fill-mask"))
        rows.append(("org/climber", day, 100.0 + 10 * i, "fill-mask"))
        rows.append(("org/faller", day, 5000.0 - 20 * i, "text-generation"))
        if day >= pd.Timestamp("2026-02-20"):  # appears inside the last 30 days
            rows.append(("org/newcomer", day, 50.0 * (i - 49), "text-generation"))
    frame = pd.DataFrame(rows, columns=["model", "date", "value", "task"])
    return frame.assign(metric="downloads", source="by hand")


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    data = shared_data_dir()
    if data is None or not (data / SERIES).exists():
        pytest.skip(f"the recorded daily series {SERIES} is not on this machine (../shared/data)")
    return hw.load_history(data / SERIES)


def test_growth_over_the_window_by_hand() -> None:
    t = trends(_history(), window="30D")
    assert (t.start, t.end) == (pd.Timestamp("2026-01-30"), pd.Timestamp("2026-03-01"))
    g = t.growth.set_index("model")
    # climber: 100 + 10 * day index; 2026-01-30 is index 29, 2026-03-01 index 59
    assert g.loc["org/climber", ["start_value", "end_value", "gain"]].tolist() == [390, 690, 300]
    assert g.loc["org/climber", "growth"] == pytest.approx(300 / 390)
    assert g.loc["org/steady", "gain"] == 0
    assert g.loc["org/faller", "gain"] == -600
    # newcomer: no value before the window, so no rate from nothing
    assert bool(g.loc["org/newcomer", "new_in_window"])
    assert g.loc["org/newcomer", "start_date"] == pd.Timestamp("2026-02-20")
    assert np.isnan(g.loc["org/newcomer", "growth"])
    assert t.rising["model"].tolist() == ["org/newcomer", "org/climber"]  # gains > 0 only


def test_tasks_and_new_models_per_week() -> None:
    t = trends(_history(), window="30D")
    tasks = t.tasks.set_index("task")
    assert tasks.loc["fill-mask", "models"] == 2
    assert tasks.loc["fill-mask", "gain"] == 300
    assert t.new_per_week.to_dict("records") == [
        {"week": pd.Timestamp("2026-02-16"), "task": "text-generation", "new_models": 1}
    ]
    only = trends(_history(), task="fill-mask", window="30D")
    assert set(only.growth["model"]) == {"org/steady", "org/climber"}


def test_bad_windows_tasks_and_histories_are_refused() -> None:
    with pytest.raises(ValueError, match="not a length of time"):
        trends(_history(), window="a month")
    with pytest.raises(ValueError, match="positive"):
        trends(_history(), window="-3D")
    with pytest.raises(ValueError, match=r"did you mean 'fill-mask'"):
        trends(_history(), task="fill-mas")
    with pytest.raises(ValueError, match="lacks"):
        trends(pd.DataFrame({"model": ["a"]}))
    with pytest.raises(TypeError, match="DataFrame"):
        trends("history.parquet")  # type: ignore[arg-type]


def test_rising_sort_needs_history_and_orders_by_gain() -> None:
    records = [
        {"id": m, "downloads": d, "pipeline_tag": "fill-mask"}
        for m, d in [
            ("org/steady", 1000),
            ("org/climber", 690),
            ("org/faller", 3800),
            ("org/newcomer", 500),
            ("org/unrecorded", 10**6),
        ]
    ]
    catalog = hw.Catalog.from_records(records)
    with pytest.raises(ValueError, match="sort='rising' needs a history"):
        catalog.search(sort="rising")
    with pytest.raises(ValueError, match="trends need a history"):
        catalog.trends()
    rising = catalog.with_history(_history())
    ids = rising.search(sort="rising", limit=None)["id"].tolist()
    # largest gain first, the model without history last
    assert ids == ["org/newcomer", "org/climber", "org/steady", "org/faller", "org/unrecorded"]
    # with a query and a window of the results: "er" leaves org/steady out
    assert rising.search("er", sort="rising", limit=2, offset=1)["id"].tolist() == [
        "org/climber",
        "org/faller",
    ]
    assert catalog.search(sort="downloads", limit=1)["id"].tolist() == ["org/unrecorded"]
    assert rising.trends(window="30D").rising["model"].iloc[0] == "org/newcomer"
    with pytest.raises(ValueError, match="did you mean 'rising'"):
        rising.search(sort="risng")


def test_the_recorded_series_trends(series: pd.DataFrame) -> None:
    t = trends(series, window="30D")
    assert t.end == pd.Timestamp("2026-05-07")
    assert len(t.growth) == series[series["date"] > t.start]["model"].nunique()
    top = t.rising.iloc[0]
    assert top["gain"] == top["end_value"] - top["start_value"] > 0
    assert t.rising["gain"].is_monotonic_decreasing
    assert set(t.tasks["task"]) <= set(series["task"].dropna())
    # every model of the listing is new once; the first day's are not counted
    year = trends(series, window="800D")
    assert year.new_per_week["new_models"].sum() == series["model"].nunique() - (
        series[series["date"] == series["date"].min()]["model"].nunique()
    )


def test_charts_are_altair_and_say_the_window(series: pd.DataFrame) -> None:
    t = trends(series, window="90D")
    charts = t.charts()
    assert set(charts) == {"rising", "series", "new_per_week", "tasks"}
    for chart in charts.values():
        assert isinstance(chart, alt.Chart)
    spec = charts["rising"].to_dict()
    assert "2026-02-06 to 2026-05-07" in str(spec["title"]["subtitle"])


def test_catalog_trends_take_tasks_from_the_catalog_when_history_has_none(tmp_path: Path) -> None:
    history = _history().drop(columns="task").assign(task=pd.NA)
    catalog = hw.Catalog.from_records(
        [{"id": "org/climber", "pipeline_tag": "fill-mask"}, {"id": "org/faller"}]
    )
    t = catalog.trends(history=history)
    assert t.growth.set_index("model").loc["org/climber", "task"] == "fill-mask"
