"""CompareWidget in JupyterLab, linked to a SearchWidget: select there, compare here."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from . import conftest as jl


def _row(grid: Locator, index: int) -> Locator:
    return grid.locator(f".hw-grid-canvas [role=row][data-index='{index}']")


def test_selecting_in_a_search_fills_a_linked_compare(page: Page, lab: jl.Lab) -> None:
    panel = jl.run_notebook(
        page,
        lab,
        "compare-linked.ipynb",
        "import hubwidgets as hw\ns = hw.SearchWidget(hw.starter_catalog())\ns",
        "c = hw.CompareWidget(source=s)\nc",
    )
    search = panel.locator(".hubwidgets-search")
    compare = panel.locator(".hubwidgets-compare")
    expect(compare).to_have_count(1)
    status = compare.get_by_role("status")
    expect(status).to_contain_text("select at least 2 models")

    grid = search.get_by_role("grid", name="Models")
    ids = []
    for index in range(3):
        row = _row(grid, index)
        expect(row).not_to_have_attribute("aria-busy", "true")
        ids.append(row.get_by_role("gridcell").nth(1).inner_text().strip())
        row.click()
        expect(row).to_have_attribute("aria-selected", "true")
        expect(search.get_by_text(f"{index + 1} selected")).to_be_visible()

    # three model columns, in selection order, each a link to its Hub page
    expect(status).to_contain_text("Comparing 3 models")
    heads = compare.locator("thead th.hw-model")
    expect(heads).to_have_count(3)
    for k, model_id in enumerate(ids):
        expect(heads.nth(k)).to_have_attribute("data-model", model_id)
        link = heads.nth(k).get_by_role("link", name=model_id)
        expect(link).to_have_attribute("href", f"https://huggingface.co/{model_id}")
    assert jl.kernel_eval(page, "print(c.models)") == f"{ids}\n"
    # the best value of the parameters row is marked, and badges and charts are drawn
    expect(compare.locator("tr[data-metric=params] td.hw-best")).not_to_have_count(0)
    expect(compare.locator(".hw-badge").first).to_be_visible()
    expect(compare.locator("figure.hw-chart svg")).to_have_count(2)
    jl.screenshot_notebook(page, jl.ARTIFACTS / "compare_widget.png")

    # remove a model from the comparison with its button
    compare.get_by_role("button", name=f"Remove {ids[1]}").click()
    expect(heads).to_have_count(2)
    assert jl.kernel_eval(page, "print(c.models)") == f"{[ids[0], ids[2]]}\n"

    # an unknown id typed in "Add model" is refused in the status line, the text kept
    box = compare.get_by_role("textbox", name="Add model by id")
    box.fill(f"{ids[1]}x")
    box.press("Enter")
    expect(status).to_contain_text(re.compile(r"unknown model ids.*showing the previous"))
    expect(box).to_have_value(f"{ids[1]}x")
    expect(heads).to_have_count(2)
    # ... and a known one is added
    box.fill(ids[1])
    compare.get_by_role("button", name="Add model").click()
    expect(heads).to_have_count(3)
    expect(box).to_have_value("")
    assert jl.kernel_eval(page, "print(c.models)") == f"{[ids[0], ids[2], ids[1]]}\n"
