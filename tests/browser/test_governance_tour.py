"""The governance tour (notebooks/05-governance.ipynb), run top to bottom in JupyterLab as a
person would: no error, the trapped folder denied and never run, the widget's verdicts drawn."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from . import conftest as jl

TOUR = "05-governance.ipynb"


def test_governance_tour_runs_clean_in_jupyterlab(page: Page, lab: jl.Lab) -> None:
    jl.open_notebook(page, lab, TOUR)
    jl.run_all(page)

    assert jl.error_outputs(page) == []
    # the trapped folder: denied by the scan, refused by LocalBackend, and nothing of it ran
    markers = jl.cell_output_text(page, jl.find_cell(lab, TOUR, "pickle marker written"))
    assert "markers written: []" in markers
    refused = jl.cell_output_text(page, jl.find_cell(lab, TOUR, "except hw.PolicyError"))
    assert "PolicyError: 'evil-model' is denied" in refused
    assert "tiny-classifier answered" in refused

    # the widget follows the policy set from Python after it was drawn (the legal team's)
    widget = jl.notebook_panel(page).locator(".hubwidgets-governance")
    expect(widget).to_have_count(1)
    expect(widget.locator("table.hw-governance-table tbody tr")).to_have_count(7)
    expect(widget.get_by_role("status")).to_contain_text("7 models: 2 allow, 2 review, 3 deny")
    gpt2 = widget.locator("tr[data-model='openai-community/gpt2'] .hw-verdict")
    expect(gpt2).to_contain_text("allow")
    folder = jl.kernel_eval(page, "print(evil.folder)").strip()
    expect(widget.locator(f"tr[data-model='{folder}'] .hw-verdict")).to_contain_text("deny")

    jl.screenshot_notebook(page, jl.ARTIFACTS / "governance_tour.png")
    assert jl.kernel_eval(page, "print(evil.markers_written())") == "[]\n"
