"""CostWidget without a browser: the estimate it shows is hw.estimate_cost's, the workload edited
from the page (applied, or refused with the core's words and nothing lost), the option chosen
for the budget bar, linking to a widget with a selection, the chart, and the report.

Prices: the bundled pricing page and a provider table written here (offline there is no
serverless price unless one is given). The page's requests are played with ``_on_message``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import pandas as pd
import pytest
import traitlets

import hubwidgets as hw
from hubwidgets.widgets._protocol import unpack
from hubwidgets.widgets._serialization import from_ipc
from hubwidgets.widgets.cost import DEFAULT_WORKLOAD, TABLE_COLUMNS, CostWidget

from .conftest import Picker

QWEN = "Qwen/Qwen2.5-7B-Instruct"
SMOL = "HuggingFaceTB/SmolLM3-3B"
WORK = hw.Workload(requests_per_day=20_000, input_tokens=500, output_tokens=200)


@pytest.fixture(scope="module")
def catalog() -> hw.Catalog:
    return hw.starter_catalog()


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return hw.hardware_prices("bundled")


PROVIDERS = pd.DataFrame(
    {
        "model": [QWEN, QWEN, SMOL],
        "provider": ["together", "featherless-ai", "hf-inference"],
        "input_usd_per_1m": [0.3, None, 0.1],
        "output_usd_per_1m": [0.3, None, 0.2],
    }
)


@pytest.fixture
def make(catalog: hw.Catalog, prices: pd.DataFrame, made: list[Any]) -> Callable[..., CostWidget]:
    def build(*args: Any, **kwargs: Any) -> CostWidget:
        kwargs.setdefault("catalog", catalog)
        kwargs.setdefault("prices", prices)
        kwargs.setdefault("provider_table", PROVIDERS)
        widget = CostWidget(*args, **kwargs)
        made.append(widget)
        return widget

    return build


def shown(widget: CostWidget) -> pd.DataFrame:
    state = widget.get_state(["_table"])["_table"]
    assert isinstance(state, bytes)
    return from_ipc(state)


def ask(w: CostWidget, kind: str, body: Any) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Play a request from the page: (the reply's body, None on an error; the whole message)."""
    sent: list[tuple[dict[str, Any], Any]] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(w, "send", lambda content, buffers=None: sent.append((content, buffers)))
        w._on_message(w, {"hw": 1, "kind": kind, "id": 3, "body": body}, [])
    [(content, buffers)] = sent
    assert content["id"] == 3
    if "error" in content:
        return None, content
    return unpack(content["body"], content["paths"], list(buffers or [])), content


def test_the_widget_shows_estimate_cost(
    make: Callable[..., CostWidget], catalog: hw.Catalog, prices: pd.DataFrame
) -> None:
    w = make([QWEN, SMOL], workload=WORK)
    assert w.models == [QWEN, SMOL] and w.selection == [QWEN, SMOL]
    assert w.workload == WORK
    expected = hw.estimate_cost(
        [QWEN, SMOL], WORK, catalog=catalog, prices=prices, provider_table=PROVIDERS
    )
    pd.testing.assert_frame_equal(w.result, expected)
    assert w.result.attrs["workload"] == asdict(WORK)
    table = shown(w)
    assert list(table.columns) == list(TABLE_COLUMNS)
    assert len(table) == len(expected)
    # per model in the order given, the cheapest first, then by $/month, unpriced last
    assert list(dict.fromkeys(table["model"])) == [QWEN, SMOL]
    for model in (QWEN, SMOL):
        mine = table[table["model"] == model].reset_index(drop=True)
        assert bool(mine["cheapest"].iloc[0]) and int(mine["cheapest"].sum()) == 1
        month = mine["usd_per_month"]
        priced = month[month.notna()]
        assert priced.iloc[1:].is_monotonic_increasing
        assert month.notna().iloc[: len(priced)].all()  # no priced row after an unpriced one
    # together at $0.3/M in and out: 700 tokens x 20,000 requests a day
    together = table[table["key"] == f"{QWEN} · serverless: together"].iloc[0]
    assert together["usd_per_month"] == pytest.approx(700 * 0.3e-6 * 20_000 * 365 / 12)
    assert bool(together["cheapest"])
    # a provider without a price: NA with the reason, never 0
    nothing = table[table["key"] == f"{QWEN} · serverless: featherless-ai"].iloc[0]
    assert pd.isna(nothing["usd_per_month"]) and "unknown" in str(nothing["price_source"])
    # the first model's cheapest is selected; the bundled prices are named with their date
    assert w.selected == f"{QWEN} · serverless: together"
    assert w.selected_option is not None and w.selected_option["provider"] == "together"
    assert "as of 2026-05-19" in w.get_state(["_sources"])["_sources"]
    assert w.status.startswith("2 models,") and w.error == ""
    # the chart, drawn in the kernel, and its Altair spec from Python
    assert list(w._charts) == ["cost"] and "<svg" in w._charts["cost"]
    spec = w.chart().to_dict()
    assert QWEN in str(spec["title"])
    assert SMOL in str(w.chart(SMOL).to_dict()["title"])


def test_defaults_and_no_models(make: Callable[..., CostWidget]) -> None:
    w = make()
    assert w.models == [] and w._table is None and w.result.empty
    assert w.workload == DEFAULT_WORKLOAD
    assert w.status.startswith("No models") and w.charts() == {}
    with pytest.raises(ValueError, match="no models"):
        w.chart()
    one = make(SMOL, workload={"requests_per_day": 100, "input_tokens": 50, "output_tokens": 0})
    assert one.models == [SMOL] and one.workload.output_tokens == 0


def test_bad_input_from_python(make: Callable[..., CostWidget]) -> None:
    with pytest.raises(traitlets.TraitError, match="requests_per_day must be > 0, not 0"):
        make([QWEN], workload={"requests_per_day": 0, "input_tokens": 5, "output_tokens": 5})
    with pytest.raises(traitlets.TraitError, match=r"unknown model ids.*Qwen/Qwen2.5-7B-Instruct"):
        make(["Qwen/Qwen2.5-7B-Instruc"])
    with pytest.raises(TypeError, match="did you mean 'workload'"):
        make([QWEN], workloud=WORK)
    with pytest.raises(TypeError, match="budget must be"):
        make([QWEN], budget="lots")
    with pytest.raises(traitlets.TraitError, match="unknown dtype 'fp17'; valid: fp32"):
        make([QWEN], dtype="fp17")
    w = make([QWEN], workload=WORK)
    before = shown(w)
    with pytest.raises(traitlets.TraitError, match="input_tokens must be > 0"):
        w.workload = {"requests_per_day": 10, "input_tokens": 0, "output_tokens": 1}
    assert w.workload == WORK  # nothing changed
    pd.testing.assert_frame_equal(shown(w), before)


def test_the_page_edits_the_workload(make: Callable[..., CostWidget]) -> None:
    w = make([QWEN], workload=WORK)
    before = shown(w)
    # zero and negative: the core's words, nothing lost
    for field, value, words in [
        ("requests_per_day", 0, "requests_per_day must be > 0, not 0"),
        ("output_tokens", -5, "output_tokens must be >= 0, not -5"),
        ("hours_per_day", 30, "hours_per_day must be at most 24"),
        ("requests_per_day", None, "requests_per_day is required"),
    ]:
        reply, message = ask(w, "workload", {"workload": {**asdict(WORK), field: value}})
        assert reply is None, field
        assert words in message["error"]["message"]
        assert w.workload == WORK
        pd.testing.assert_frame_equal(shown(w), before)
    # a peak below the average of the new volume is refused too, naming the peak
    reply, message = ask(
        w, "workload", {"workload": {"requests_per_day": 864_000, "peak_requests_per_s": 1}}
    )
    assert reply is None and "peak_requests_per_s" in message["error"]["message"]
    # accepted: JSON floats that are whole become the ints the Workload wants; re-estimated
    reply, _ = ask(
        w,
        "workload",
        {"workload": {"requests_per_day": 40_000.0, "input_tokens": 500.0, "latency_slo_ms": 800}},
    )
    assert reply is not None and reply["workload"]["requests_per_day"] == 40_000
    assert w.workload.requests_per_day == 40_000 and w.workload.latency_slo_ms == 800
    assert isinstance(w.workload.input_tokens, int)
    assert w.result.attrs["workload"]["requests_per_day"] == 40_000
    doubled = shown(w)
    served = doubled[doubled["option"] == "serverless"]["usd_per_month"].dropna().iloc[0]
    was = before[before["option"] == "serverless"]["usd_per_month"].dropna().iloc[0]
    assert served == pytest.approx(2 * was)  # serverless grows with the volume
    assert doubled["meets_slo"].notna().any()  # the latency target is weighed now
    assert w.get_state(["workload"])["workload"]["latency_slo_ms"] == 800


def test_the_budget_bar(make: Callable[..., CostWidget]) -> None:
    w = make([QWEN], workload=WORK)
    assert w.budget is None and w._budget == {}  # no budget: the bar says so in the page
    hw.record_usage(
        kind="playground",
        action="run",
        model=QWEN,
        provider="together",
        cost_usd=12.5,
        cost_source="test",
    )
    budget = hw.Budget(300)
    spent = float(budget.status()["spent"])
    assert spent >= 12.5
    with hw.use_budget(budget):
        w.selected = f"{QWEN} · serverless: together"  # any change redraws the bar
        w.selected = shown(w)["key"].iloc[1]
        bar = w._budget
        option = w.selected_option
        assert option is not None
        assert bar["budget"] == 300 and bar["spent"] == pytest.approx(spent)
        assert bar["option_usd"] == pytest.approx(float(option["usd_per_month"]))
        left = 300 - spent - float(option["usd_per_month"])
        if left >= 0:
            assert bar["note"] == f"fits: ${left:,.2f} would remain this month"
        else:
            assert bar["note"] == f"over the budget by ${-left:,.2f} a month"
    # a budget given to the widget; an option far over it says by how much
    w.budget = 1.0
    dear = shown(w).dropna(subset=["usd_per_month"]).iloc[-1]
    w.selected = str(dear["key"])
    over = float(dear["usd_per_month"]) - (1.0 - w._budget["spent"])
    assert w._budget["note"] == f"over the budget by ${over:,.2f} a month"
    assert w._budget["budget"] == 1.0 and w._budget["hard"] is False
    # an option without $ (this machine) says why
    w.selected = f"{QWEN} · this machine"
    assert w._budget["option_usd"] is None and w._budget["note"].startswith("no $")


def test_selected_from_the_page(make: Callable[..., CostWidget]) -> None:
    w = make([QWEN, SMOL], workload=WORK)
    key = shown(w)[lambda t: t["model"] == SMOL]["key"].iloc[0]
    w.set_state({"selected": key})
    assert w.selected == key and w.error == ""
    assert w.selected_option is not None and w.selected_option["model"] == SMOL
    assert SMOL in w._charts["cost"]  # the chart follows the selected option's model
    # a key that is not (any more) in the table falls back to the default on the next estimate
    w.set_state({"selected": "nope"})
    assert w.selected_option is None
    w.workload = hw.Workload(requests_per_day=30_000, input_tokens=500, output_tokens=200)
    assert w.selected == f"{QWEN} · serverless: together"
    # the page may not write the kernel's traits
    w.set_state({"workload": {"requests_per_day": 1}})
    assert w.workload.requests_per_day == 30_000 and "only the kernel" in w.error


def test_linked_to_a_source(make: Callable[..., CostWidget]) -> None:
    picker = Picker(picked=[SMOL])
    try:
        w = make(source=picker)
        assert w.source is picker and w.models == [SMOL]
        picker.picked = [QWEN, SMOL]
        assert w.models == [QWEN, SMOL] and set(shown(w)["model"]) == {QWEN, SMOL}
        picker.picked = ["no/such-model"]  # refused; the status says why, the estimate stays
        assert w.models == [QWEN, SMOL] and w.error and "previous estimate" in w.status
        with pytest.raises(TypeError, match="source must be"):
            make(source="a search")
    finally:
        picker.close()


def test_the_report_keeps_the_table_and_the_chart(make: Callable[..., CostWidget]) -> None:
    w = make([QWEN], workload=WORK)
    report = w._report_html()
    assert report.startswith('<table class="hubwidgets-cost">')
    assert "serverless: together" in report and "★ cheapest" in report
    assert "as of 2026-05-19" in report
    assert 'data-chart="cost"' in report and "<svg" in report
    data, _ = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data and data["text/html"] == report
