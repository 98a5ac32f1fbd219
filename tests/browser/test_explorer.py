"""HubExplorer in JupyterLab: search, focus a result, every panel filled, F6 between the panels,
and "Try in a playground" opening a working Playground under the explorer, on a tiny random-
weight text classifier added to the starter catalog (offline). Saves docs/explorer.png, the
README's first screenshot of a real starter model when HUBWIDGETS_DOCS_SCREENSHOT=1 (else
under tests/browser/artifacts/, so a test run leaves the repository as it was)."""

from __future__ import annotations

import os
import re

from playwright.sync_api import Page, expect

from . import conftest as jl

SETUP = (
    jl.MODEL_SETUP
    + """\
import json, pathlib
sentiment = tiny.tiny_text_classifier(f"{root}/sentiment")
starter = pathlib.Path(hw.core.__file__).with_name("data") / "starter_models.jsonl"
records = [json.loads(line) for line in starter.read_text().splitlines() if line.strip()]
records = [r for r in records if "id" in r]
card = '''---
license: mit
widget:
- text: I loved this film
  example_title: Positive
---
# Tiny sentiment
## How to use
Run it with `pipeline("text-classification")`.
## Limitations
Random weights: its labels mean nothing.
'''
records.append({"id": sentiment, "pipeline_tag": "text-classification",
                "library_name": "transformers", "downloads": 10**9, "likes": 7,
                "cardData": {"license": "mit"}, "card": card,
                "safetensors": {"parameters": {"F32": 4_000_000}, "total": 4_000_000}})
cat = hw.Catalog.from_records(records)"""
)
CELL = "explorer = hw.HubExplorer(catalog=cat, backend=backend)\nexplorer"


def test_search_focus_panels_and_try_in_a_playground(page: Page, lab: jl.Lab) -> None:
    page.set_viewport_size({"width": 1700, "height": 1000})  # wide enough for four columns
    panel = jl.run_notebook(page, lab, "explorer.ipynb", SETUP, CELL)
    widget = panel.locator(".hubwidgets.hubwidgets-explorer")
    expect(widget).to_have_count(1)
    regions = {
        name: widget.get_by_role("region", name=name, exact=True)
        for name in ("Explorer", "Details", "Performance", "Integration")
    }
    for region in regions.values():
        expect(region).to_be_visible()
    explorer = regions["Explorer"]
    expect(explorer.get_by_role("status")).to_contain_text("models")

    # search, then focus the first result with a click
    explorer.get_by_role("searchbox", name="Search models").fill("sentiment")
    explorer.get_by_role("searchbox", name="Search models").press("Enter")
    first = explorer.locator(".hw-grid-canvas [role=row][data-index='0']")
    expect(first).to_contain_text("sentiment")
    sentiment = jl.kernel_eval(page, "print(sentiment)").strip()
    expect(first).to_contain_text(sentiment)
    first.click()

    details = regions["Details"]
    expect(details).to_contain_text(sentiment)
    expect(details).to_contain_text("Random weights: its labels mean nothing.")
    expect(details).to_contain_text("Positive: I loved this film")
    expect(details.locator(".hw-verdict").first).to_be_visible()  # hw.check's verdict
    performance = regions["Performance"]
    expect(performance).to_contain_text("no benchmark yet in this session")
    expect(performance.locator("[data-section=cost]")).to_contain_text("/month")
    expect(performance.locator("[data-section=alternative] button").first).to_be_visible()
    integration = regions["Integration"]
    expect(integration.locator(".hw-explorer-snippet").first).to_contain_text("transformers")
    # Copy says what happened: copied, or (clipboard blocked) the code selected for Ctrl+C
    integration.get_by_role("button", name="Copy").first.click()
    said = re.compile(r"^(Copied\.|The browser blocked copying: the code is selected.*)$")
    expect(integration.locator(".hw-copy-status").first).to_have_text(said)

    jl.screenshot_notebook(page, jl.ARTIFACTS / "explorer_panels.png")

    # versions: the test lab is offline, so the panel says so in place, the rest stays
    details.get_by_role("button", name="Show versions").click()
    expect(details).to_contain_text(re.compile("versions unavailable|Asking the Hub"))

    # F6 moves between the panels
    explorer.focus()
    page.keyboard.press("F6")
    expect(details).to_be_focused()
    page.keyboard.press("Shift+F6")
    page.keyboard.press("Shift+F6")
    expect(integration).to_be_focused()

    # the Python side: DataFrames and Series of what is shown
    printed = jl.kernel_eval(
        page,
        "print(explorer.focused['id'] == sentiment, type(explorer.details).__name__,"
        " sorted(set(explorer.performance['section'])))",
    )
    assert printed.strip() == "True Series ['alternative', 'benchmark', 'cost', 'quality']"

    # stacked on a narrow screen: Details under Explorer, not beside it
    page.set_viewport_size({"width": 900, "height": 1000})
    page.wait_for_function(
        """el => { const [a, b] = el.querySelectorAll('[role=region]');
                   return b.getBoundingClientRect().top >= a.getBoundingClientRect().bottom; }""",
        arg=widget.element_handle(),
    )
    page.set_viewport_size({"width": 1700, "height": 1000})

    # try in a playground: one opens below the explorer, and runs the model
    integration.get_by_role("button", name="Try in a playground").click()
    expect(integration).to_contain_text("Opened Playground")
    playground = panel.locator(".hubwidgets-playground")
    expect(playground).to_have_count(1)
    playground.get_by_role("textbox", name="Prompt").fill("a good movie")
    playground.get_by_role("button", name="Run", exact=True).click()
    bars = playground.get_by_role("list", name="Scores").locator(".hw-bar")
    expect(bars).to_have_count(2)
    assert jl.error_outputs(page) == []

    # the README's screenshot: the four panels filled for a real model of the starter catalog
    real = explorer.locator(".hw-grid-canvas [role=row]", has_text="cardiffnlp/")
    real.first.click()
    expect(details).to_contain_text("cardiffnlp/")
    expect(performance.locator("[data-section=cost]")).to_contain_text("/month")
    docs = os.environ.get("HUBWIDGETS_DOCS_SCREENSHOT") == "1"
    shot = jl.REPO_ROOT / "docs" / "explorer.png" if docs else jl.ARTIFACTS / "explorer.png"
    widget.screenshot(path=str(shot))
