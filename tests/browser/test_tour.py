"""The tour notebook, run top to bottom in JupyterLab as a person would."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from . import conftest as jl

TOUR = "01-discover.ipynb"


def test_tour_runs_clean_in_jupyterlab(page: Page, lab: jl.Lab) -> None:
    jl.open_notebook(page, lab, TOUR)
    jl.run_all(page)

    assert jl.error_outputs(page) == []
    panel = jl.notebook_panel(page)
    # Offline, the catalog is the bundled starter snapshot, and the first cell says so.
    opened = jl.cell_output_text(page, jl.find_cell(lab, TOUR, "hw.open_catalog()"))
    assert "using the bundled snapshot 'starter'" in opened
    assert "HF_HUB_OFFLINE is set" in opened
    expect(panel.get_by_text("snapshot 'starter' as of").first).to_be_visible()
    starter = jl.cell_output_text(page, jl.find_cell(lab, TOUR, "hw.starter_catalog()"))
    assert "snapshot 'starter'" in starter
    assert "openai/whisper-large-v3" in starter
    model = jl.cell_output_text(
        page, jl.find_cell(lab, TOUR, 'catalog.model("openai/whisper-large-v3")')
    )
    assert "openai/whisper-large-v3" in model
    # the tour's SearchWidget followed its searches from Python: all models, three selected
    widget = panel.locator(".hubwidgets-search")
    expect(widget).to_have_count(1)
    expect(widget.get_by_role("status")).to_contain_text("437 models")
    expect(widget.get_by_text("3 selected")).to_be_visible()
    expect(widget.get_by_role("grid", name="Models")).to_be_visible()

    jl.screenshot_notebook(page, jl.ARTIFACTS / "tour.png")

    # The kernel that ran the tour answers from Python, beside the browser.
    assert jl.kernel_eval(page, "print(len(hw.starter_catalog()))") == "437\n"
    assert jl.kernel_eval(page, "len(catalog)") == "437\n"  # a last expression's value, too
    with pytest.raises(jl.KernelEvalError, match="ZeroDivisionError"):
        jl.kernel_eval(page, "1 / 0")


def test_charts_draw_offline(page: Page, lab: jl.Lab) -> None:
    name = jl.write_notebook(
        lab,
        "charts-offline.ipynb",
        "import hubwidgets as hw\nfrom hubwidgets import charts\n\n"
        'charts.catalog_charts(hw.starter_catalog().search(limit=None))["tasks"]',
    )
    jl.open_notebook(page, lab, name)
    jl.run_all(page)

    output = jl.notebook_panel(page).locator(".jp-OutputArea-output")
    drawn = output.locator("canvas, svg.marks")
    expect(drawn.or_(output.locator(".error")).first).to_be_visible()
    assert jl.error_outputs(page) == []
    expect(drawn).to_have_count(1)
