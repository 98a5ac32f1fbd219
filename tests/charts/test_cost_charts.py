"""The cost chart: $/month against requests a day per option, with the break-even crossovers.

Specs are checked through ``to_dict()`` (validated against Altair's Vega-Lite schema) and strict
JSON; the numbers are recomputed from the ``hw.estimate_cost`` frame. Prices: the bundled pricing
page and a provider table written in the test.
"""

from __future__ import annotations

import json
from typing import Any

import altair as alt
import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.charts.cost import MAX_DEDICATED, cost_vs_volume
from hubwidgets.charts.svg import to_svg
from hubwidgets.core.cost.estimate import DAYS_PER_MONTH

QWEN = "Qwen/Qwen2.5-7B-Instruct"
SMOL = "HuggingFaceTB/SmolLM3-3B"
WORK = hw.Workload(requests_per_day=20_000, input_tokens=500, output_tokens=200)


def estimate(price_in: float, price_out: float, **kw: Any) -> pd.DataFrame:
    providers = pd.DataFrame(
        {
            "model": [QWEN, QWEN, QWEN],
            "provider": ["together", "pricey", "featherless-ai"],
            "input_usd_per_1m": [price_in, price_in * 3, None],
            "output_usd_per_1m": [price_out, price_out * 3, None],
        }
    )
    return hw.estimate_cost(
        [QWEN, SMOL],
        kw.pop("work", WORK),
        catalog=hw.starter_catalog(),
        prices=hw.hardware_prices("bundled"),
        provider_table=providers,
        **kw,
    )


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    d: dict[str, Any] = chart.to_dict()
    json.dumps(d, allow_nan=False)
    return d


def rows(d: dict[str, Any], i: int) -> list[dict[str, Any]]:
    layer = d["layer"][i]
    name = layer.get("data", d.get("data", {})).get("name")
    return list(d["datasets"][name])


def test_the_chart_draws_the_estimate() -> None:
    df = estimate(0.3, 0.3)
    d = spec(cost_vs_volume(df))
    assert [layer["mark"]["type"] for layer in d["layer"]][:2] == ["line", "line"]
    assert d["layer"][0]["mark"]["interpolate"] == "step-after"  # replicas step up
    enc = d["layer"][0]["encoding"]
    assert enc["x"]["scale"]["type"] == "log" and enc["y"]["scale"]["type"] == "log"
    assert "Requests a day" in enc["x"]["title"] and "$ a month" in enc["y"]["title"]
    curves = pd.DataFrame(rows(d, 0))
    assert set(curves["model"]) == {QWEN}  # the first model by default
    # at the workload's volume each curve is the estimate's $/month
    here = curves[curves["requests_per_day"] == WORK.requests_per_day].drop_duplicates("label")
    qwen = df[df["model"] == QWEN]
    for _, point in here.iterrows():
        kind, name = point["label"].split(": ")
        column = "provider" if kind == "serverless" else "instance"
        row = qwen[qwen[column] == name].iloc[0]
        assert point["usd_per_month"] == pytest.approx(row["usd_per_month"])
    # the subtitle says what was left out and why
    subtitle = " | ".join(d["title"]["subtitle"])
    assert "of unknown throughput left out" in subtitle
    assert f"{MAX_DEDICATED} dedicated endpoints cheapest at this volume drawn" in subtitle
    assert "1 option without a price left out" in subtitle  # featherless-ai
    assert "20,000 requests/day" in subtitle
    drawn = set(curves["label"])
    assert "serverless: featherless-ai" not in drawn
    assert {"serverless: together", "serverless: pricey"} <= drawn
    assert len([x for x in drawn if x.startswith("dedicated")]) == MAX_DEDICATED


def test_crossovers_are_marked_where_the_costs_meet() -> None:
    # pricey tokens: a flat dedicated endpoint beats serverless above some volume
    df = estimate(
        20.0, 60.0, work=hw.Workload(200, 500, 200), options=["aws-nvidia-a100-x1", "together"]
    )
    d = spec(cost_vs_volume(df))
    marks = [layer["mark"]["type"] for layer in d["layer"]]
    assert "point" in marks
    points = rows(d, marks.index("point"))
    assert len(points) == 1
    cross = points[0]
    assert cross["dedicated"] == "dedicated: aws-nvidia-a100-x1"
    assert cross["serverless"] == "serverless: together"
    # the estimate's break-even, where the endpoint (one replica) meets the serverless price
    row = df[(df["model"] == QWEN) & (df["option"] == "dedicated")].iloc[0]
    assert cross["requests_per_day"] == pytest.approx(row["break_even_requests_per_day"], rel=1e-6)
    per_request = (500 * 20.0 + 200 * 60.0) / 1e6
    assert cross["usd_per_month"] == pytest.approx(
        cross["requests_per_day"] * per_request * DAYS_PER_MONTH, rel=1e-6
    )
    assert "1 crossover with the cheapest serverless provider marked" in " ".join(
        d["title"]["subtitle"]
    )


def test_no_serverless_price_no_crossover_said() -> None:
    df = estimate(0.3, 0.3)
    d = spec(cost_vs_volume(df, model=SMOL))
    assert "no serverless price known" in " ".join(d["title"]["subtitle"])
    assert "point" not in [layer["mark"]["type"] for layer in d["layer"]]


def test_bad_input_is_refused() -> None:
    df = estimate(0.3, 0.3)
    with pytest.raises(TypeError, match=r"hw\.estimate_cost"):
        cost_vs_volume([1, 2])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="attrs"):
        cost_vs_volume(pd.DataFrame(df))  # a copy without the workload
    with pytest.raises(ValueError, match="not in the estimate"):
        cost_vs_volume(df, model="nobody/model")
    with pytest.raises(ValueError, match="max_dedicated"):
        cost_vs_volume(df, max_dedicated=0)


def test_the_chart_draws_offline_as_svg() -> None:
    svg = to_svg({"cost": cost_vs_volume(estimate(0.3, 0.3))})
    assert svg["cost"].startswith("<svg") and "Cost against volume" in svg["cost"]
