"""The estimate as a person reads it (hubwidgets.core.cost.options): options named and ranked per
model, found by key, weighed against a budget; and workloads and budgets given as plain values.

Prices: the bundled pricing page and a provider table written here (one provider without a
price: it must stay unpriced, never cheap).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.cost.budget import as_budget
from hubwidgets.core.cost.estimate import as_workload
from hubwidgets.core.cost.options import (
    budget_fit,
    find_option,
    option_key,
    option_label,
    options_html,
    options_line,
    price_sources,
    rank_options,
)

QWEN = "Qwen/Qwen2.5-7B-Instruct"
SMOL = "HuggingFaceTB/SmolLM3-3B"
WORK = hw.Workload(requests_per_day=20_000, input_tokens=500, output_tokens=200)
PROVIDERS = pd.DataFrame(
    {
        "model": [QWEN, QWEN, SMOL],
        "provider": ["together", "featherless-ai", "hf-inference"],
        "input_usd_per_1m": [0.3, None, 0.1],
        "output_usd_per_1m": [0.3, None, 0.2],
    }
)


@pytest.fixture(scope="module")
def estimate() -> pd.DataFrame:
    return hw.estimate_cost(
        [QWEN, SMOL],
        WORK,
        catalog=hw.starter_catalog(),
        prices=hw.hardware_prices("bundled"),
        provider_table=PROVIDERS,
        options=["dedicated", "serverless"],  # this machine's memory is measured: slower
    )


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HUBWIDGETS_HOME", str(tmp_path))
    monkeypatch.delenv("HUBWIDGETS_BUDGET_USD", raising=False)
    return tmp_path


def test_scripts_get_them_from_hw() -> None:
    assert hw.rank_options is rank_options and hw.budget_fit is budget_fit
    assert {"rank_options", "budget_fit"} <= set(hw.__all__)


def test_options_are_named_in_words() -> None:
    assert option_label({"option": "dedicated", "instance": "aws-nvidia-l4-x1"}) == (
        "dedicated: aws-nvidia-l4-x1"
    )
    assert option_label({"option": "dedicated", "instance": pd.NA}) == "dedicated: none fits"
    assert option_label(pd.Series({"option": "serverless", "provider": "together"})) == (
        "serverless: together"
    )
    assert option_label({"option": "serverless", "provider": None}) == "serverless: none known"
    assert option_label({"option": "this machine"}) == "this machine"
    assert option_key({"model": QWEN, "option": "this machine"}) == f"{QWEN} · this machine"
    with pytest.raises(ValueError, match="no 'option'"):
        option_label({"instance": "x"})
    with pytest.raises(TypeError, match=r"a row of hw\.estimate_cost"):
        option_key("Qwen · this machine")  # type: ignore[arg-type]


def test_ranked_per_model_cheapest_first_unpriced_last(estimate: pd.DataFrame) -> None:
    ranked = rank_options(estimate)
    assert list(ranked.columns) == ["key", "label", *estimate.columns]
    assert len(ranked) == len(estimate) and list(ranked.index) == list(range(len(ranked)))
    assert ranked.attrs == estimate.attrs  # the workload and the price notes go along
    assert list(dict.fromkeys(ranked["model"])) == [QWEN, SMOL]  # the order given
    assert ranked["key"].is_unique
    for model in (QWEN, SMOL):
        mine = ranked[ranked["model"] == model].reset_index(drop=True)
        assert bool(mine["cheapest"].iloc[0]) and int(mine["cheapest"].sum()) == 1
        month = mine["usd_per_month"]
        priced = int(month.notna().sum())
        assert month.iloc[:priced].notna().all()  # no priced option after an unpriced one
        assert month.iloc[1:priced].is_monotonic_increasing
    # the provider without a price: unpriced, its key and label in words, never the cheapest
    nothing = ranked[ranked["key"] == f"{QWEN} · serverless: featherless-ai"].iloc[0]
    assert nothing["label"] == "serverless: featherless-ai"
    assert pd.isna(nothing["usd_per_month"]) and not bool(nothing["cheapest"])
    assert options_line(estimate) == (
        f"2 models, {len(estimate):,} options · cheapest marked for 2"
    )


def test_an_option_is_found_by_its_key(estimate: pd.DataFrame) -> None:
    key = f"{QWEN} · serverless: together"
    row = find_option(estimate, key)
    assert row is not None and row["provider"] == "together" and row["model"] == QWEN
    ranked = find_option(rank_options(estimate), key)
    assert ranked is not None and ranked["key"] == key
    assert find_option(estimate, "") is None and find_option(estimate, "nope") is None
    with pytest.raises(TypeError, match="a str"):
        find_option(estimate, 3)  # type: ignore[arg-type]


def test_not_an_estimate_is_refused_with_words() -> None:
    with pytest.raises(TypeError, match=r"rank_options takes hw\.estimate_cost's DataFrame"):
        rank_options([1, 2])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"no columns \['option'"):
        rank_options(pd.DataFrame({"model": ["m"]}))


def test_where_the_prices_come_from(estimate: pd.DataFrame) -> None:
    said = price_sources(estimate)
    assert said.startswith("instances: ") and "as of 2026-05-19" in said
    assert " · serverless: " in said
    assert price_sources(pd.DataFrame()) == "instances: unknown · serverless: none known"


def test_an_option_against_the_budget(home: Path, estimate: pd.DataFrame) -> None:
    ranked = rank_options(estimate)
    assert budget_fit(None, ranked.iloc[0]) == {}
    for usd in (12.5, None):
        hw.record_usage(
            kind="playground", action="run", model=QWEN, cost_usd=usd, cost_source="t", audit=False
        )
    together = find_option(ranked, f"{QWEN} · serverless: together")
    assert together is not None
    fit = budget_fit(hw.Budget(300), together)
    month = float(together["usd_per_month"])
    assert fit["budget"] == 300.0 and fit["spent"] == 12.5 and fit["remaining"] == 287.5
    assert fit["hard"] is False and fit["unpriced_calls"] == 1
    assert fit["option"] == f"{QWEN} · serverless: together"
    assert fit["option_usd"] == pytest.approx(month)
    assert fit["note"] == f"fits: ${287.5 - month:,.2f} would remain this month"
    # far over a small budget: by how much
    dear = ranked.dropna(subset=["usd_per_month"]).iloc[-1]
    over = budget_fit(hw.Budget(20, hard=True), dear)
    assert over["hard"] is True
    assert over["note"] == f"over the budget by ${float(dear['usd_per_month']) - 7.5:,.2f} a month"
    # no price: never taken as fitting; nothing chosen: said so
    nothing = find_option(ranked, f"{QWEN} · serverless: featherless-ai")
    unpriced = budget_fit(hw.Budget(300), nothing)
    assert unpriced["option_usd"] is None and unpriced["note"].startswith("no $ for this option (")
    assert budget_fit(hw.Budget(300), None)["note"] == "no option selected"
    with pytest.raises(TypeError, match=r"budget must be a hw\.Budget"):
        budget_fit(300, together)


def test_the_report_table(estimate: pd.DataFrame) -> None:
    html = options_html(rank_options(estimate), caption="Qwen & friends")
    assert html.startswith('<table class="hubwidgets-cost"><caption>Qwen &amp; friends')
    assert html.count("★ cheapest") == 2 and "serverless: together" in html
    with pytest.raises(ValueError, match="no columns"):
        options_html(estimate, caption="not ranked")  # no label column


def test_a_workload_from_plain_values() -> None:
    work = as_workload({"requests_per_day": 40_000.0, "input_tokens": 500.0, "output_tokens": 0})
    assert work == hw.Workload(40_000, 500, 0) and isinstance(work.input_tokens, int)
    given = {**vars(WORK), "peak_requests_per_s": None, "latency_slo_ms": 800}
    assert as_workload(given).latency_slo_ms == 800  # None: the field's default
    assert as_workload(WORK) is WORK
    with pytest.raises(ValueError, match="requests_per_day is required: a number > 0"):
        as_workload({"input_tokens": 5, "output_tokens": 5})
    with pytest.raises(ValueError, match="requests_per_day must be > 0, not 0"):
        as_workload({"requests_per_day": 0, "input_tokens": 5, "output_tokens": 5})
    with pytest.raises(TypeError, match=r"unknown workload fields \['requests'\]; valid: "):
        as_workload({"requests": 5})
    with pytest.raises(TypeError, match=r"a hw\.Workload or a dict of its fields, not list"):
        as_workload([1, 2, 3])  # type: ignore[arg-type]


def test_a_budget_from_plain_values() -> None:
    assert as_budget(None) is None
    budget = hw.Budget(50, hard=True)
    assert as_budget(budget) is budget
    soft = as_budget(25)
    assert isinstance(soft, hw.Budget) and soft.monthly_usd == 25.0 and soft.hard is False
    with pytest.raises(TypeError, match=r"budget must be a hw.Budget or \$ a month, not str"):
        as_budget("lots")
    with pytest.raises(TypeError, match="not bool"):
        as_budget(True)
    with pytest.raises(ValueError, match="positive number of dollars"):
        as_budget(0)
