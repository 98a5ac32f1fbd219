"""CostWidget in JupyterLab: the options with the cheapest highlighted, a zero volume refused in
place with the core's words (the typed value kept), a new volume re-estimated, an option chosen
and weighed against the budget, and the cost chart with its break-even points -- offline, on the
bundled pricing page and a provider table written in the kernel."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from . import conftest as jl

QWEN = "Qwen/Qwen2.5-7B-Instruct"
SMOL = "HuggingFaceTB/SmolLM3-3B"
# offline there are no serverless prices: a table of example prices (SmolLM3's dear enough for
# dedicated endpoints to win at high volume, so its chart has crossovers)
SETUP = (
    "import pandas as pd\n"
    "import hubwidgets as hw\n"
    f"providers = pd.DataFrame({{'model': [{QWEN!r}, {QWEN!r}, {SMOL!r}],"
    " 'provider': ['together', 'novita', 'example'],"
    " 'input_usd_per_1m': [0.3, 0.6, 0.5], 'output_usd_per_1m': [0.3, 0.6, 2.0]})\n"
    "work = hw.Workload(requests_per_day=20_000, input_tokens=500, output_tokens=200,"
    " latency_slo_ms=5_000)\n"
    f"c = hw.CostWidget([{QWEN!r}, {SMOL!r}], workload=work,"
    " budget=hw.Budget(500), catalog=hw.starter_catalog(),"
    " prices=hw.hardware_prices('bundled'), provider_table=providers)\n"
    "c"
)


def test_estimate_refuse_reestimate_and_weigh_an_option(page: Page, lab: jl.Lab) -> None:
    panel = jl.run_notebook(page, lab, "cost.ipynb", SETUP)
    widget = panel.locator(".hubwidgets-cost")
    expect(widget).to_have_count(1)
    expect(widget.get_by_role("status")).to_contain_text("2 models")
    expect(widget.locator(".hw-cost-sources")).to_contain_text("as of 2026-05-19")

    # the cheapest of each model highlighted, first in its group
    cheapest = widget.locator("tr.hw-cheapest")
    expect(cheapest).to_have_count(2)
    together = widget.locator(f"tr[data-key='{QWEN} · serverless: together']")
    expect(together).to_have_class("hw-cost-option hw-cheapest hw-selected")
    month = together.locator(".hw-col-month")
    expect(month).to_have_text("$127.75")  # 700 tokens x $0.3/M x 20,000 a day x 365/12

    # the chart, drawn in the kernel, with its crossovers
    chart = widget.locator("figure.hw-chart[data-chart='cost'] svg")
    expect(chart).to_be_visible()
    expect(chart).to_contain_text(f"Cost against volume: {QWEN}")
    expect(chart).to_contain_text("no crossover in this range")  # together is cheaper throughout

    # zero requests: refused in place with the core's words, the typed 0 kept
    requests = widget.get_by_label("Requests per day")
    requests.fill("0")
    widget.get_by_role("button", name="Estimate").click()
    alert = widget.get_by_role("alert")
    expect(alert).to_have_text("requests_per_day must be > 0, not 0")
    expect(requests).to_have_attribute("aria-invalid", "true")
    expect(requests).to_have_value("0")
    expect(month).to_have_text("$127.75")  # the estimate stays

    # twice the volume, with Enter: serverless doubles, the message goes
    requests.fill("40000")
    requests.press("Enter")
    expect(month).to_have_text("$255.50")
    expect(alert).to_be_hidden()  # empty: nothing to say
    expect(requests).to_have_attribute("aria-invalid", "false")
    assert jl.kernel_eval(page, "print(c.workload.requests_per_day)").strip() == "40000"

    # choose a dedicated endpoint: the budget bar weighs its month cost
    budget = widget.locator(".hw-budget")
    expect(budget).to_have_attribute("data-state", "within")
    dear = widget.locator(f"tr[data-key='{QWEN} · dedicated: aws-nvidia-l4-x1'] button")
    dear.click()
    expect(dear).to_have_attribute("aria-pressed", "true")
    expect(budget).to_have_attribute("data-state", "over")
    expect(budget.locator(".hw-budget-note")).to_contain_text("over the budget by $")
    printed = jl.kernel_eval(page, "print(c.selected_option['instance'])")
    assert printed.strip() == "aws-nvidia-l4-x1"

    # back to the first workload and the cheapest, for the picture
    requests.fill("20000")
    requests.press("Enter")
    expect(month).to_have_text("$127.75")
    together.get_by_role("button").click()
    expect(budget).to_have_attribute("data-state", "within")
    # SmolLM3's cheapest option: the chart follows its model, whose lines cross
    widget.locator(f"tr.hw-cheapest[data-key^='{SMOL}'] button").click()
    expect(chart).to_contain_text(f"Cost against volume: {SMOL}")
    expect(chart).to_contain_text(re.compile(r"\d+ crossovers? with the cheapest serverless"))
    jl.screenshot_notebook(page, jl.ARTIFACTS / "cost_widget.png")
