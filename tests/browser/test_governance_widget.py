"""GovernanceWidget in JupyterLab: verdict badges per model, and a policy edited in the page
re-evaluates them live."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from . import conftest as jl

SETUP = (
    "import hubwidgets as hw\n"
    "cat = hw.starter_catalog()\n"
    "nc = next(i for i, lic in zip(cat.df['id'], cat.df['license'])"
    " if str(lic).startswith('cc-by-nc'))\n"
    "g = hw.GovernanceWidget(['openai-community/gpt2', nc], catalog=cat)\n"
    "g"
)


def test_unticking_a_license_class_denies_in_the_page(page: Page, lab: jl.Lab) -> None:
    panel = jl.run_notebook(page, lab, "governance.ipynb", SETUP)
    widget = panel.locator(".hubwidgets-governance")
    expect(widget).to_have_count(1)
    nc = jl.kernel_eval(page, "print(nc)").strip()
    rows = widget.locator("table.hw-governance-table tbody tr")
    expect(rows).to_have_count(2)
    gpt2 = widget.locator("tr[data-model='openai-community/gpt2'] .hw-verdict")
    restricted = widget.locator(f"tr[data-model='{nc}'] .hw-verdict")
    expect(gpt2).to_be_visible()
    expect(restricted).to_be_visible()
    expect(restricted).not_to_contain_text("deny")
    expect(widget.get_by_role("status")).to_contain_text("2 models")

    box = widget.get_by_role("checkbox", name="non-commercial")
    expect(box).to_be_checked()
    box.uncheck()  # a real checkbox: the policy is saved, the kernel re-evaluates
    expect(restricted).to_contain_text("deny")
    expect(restricted).to_have_class("hw-verdict hw-verdict-deny")
    expect(gpt2).not_to_contain_text("deny")
    printed = jl.kernel_eval(page, "print(list(g.table['verdict'].astype(str))[1])")
    assert printed == "deny\n"
    # the tree of the focused model lists its license
    widget.get_by_role("button", name=f"Show the tree and findings of {nc}").click()
    expect(widget.locator(".hw-tree-node").first).to_contain_text("license: cc-by-nc")
    jl.screenshot_notebook(page, jl.ARTIFACTS / "governance_widget.png")
