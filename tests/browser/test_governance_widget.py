"""GovernanceWidget in JupyterLab: verdict badges per model, a policy edited in the page
re-evaluates them live, a model's tree with each base's license, and a malicious folder's
findings -- with nothing it scanned ever run."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from . import conftest as jl

SETUP = (
    "import tempfile\n"
    "import hubwidgets as hw\n"
    "from hubwidgets.testing.malicious import malicious_folder\n"
    "cat = hw.starter_catalog()\n"
    "nc = next(i for i, lic in zip(cat.df['id'], cat.df['license'])"
    " if str(lic).startswith('cc-by-nc'))\n"
    "evil = malicious_folder(tempfile.mkdtemp())\n"
    "g = hw.GovernanceWidget(['openai-community/gpt2', nc, 'HuggingFaceTB/SmolVLM2-2.2B-Instruct',"
    " str(evil.folder)], catalog=cat)\n"
    "g"
)
FINETUNE = "HuggingFaceTB/SmolVLM2-2.2B-Instruct"


def test_unticking_a_license_class_denies_in_the_page(page: Page, lab: jl.Lab) -> None:
    panel = jl.run_notebook(page, lab, "governance.ipynb", SETUP)
    widget = panel.locator(".hubwidgets-governance")
    expect(widget).to_have_count(1)
    nc = jl.kernel_eval(page, "print(nc)").strip()
    rows = widget.locator("table.hw-governance-table tbody tr")
    expect(rows).to_have_count(4)
    gpt2 = widget.locator("tr[data-model='openai-community/gpt2'] .hw-verdict")
    restricted = widget.locator(f"tr[data-model='{nc}'] .hw-verdict")
    expect(gpt2).to_be_visible()
    expect(restricted).to_be_visible()
    expect(restricted).not_to_contain_text("deny")
    expect(widget.get_by_role("status")).to_contain_text("4 models")

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

    # a finetune of a finetune: every base down to the root, each with its license
    widget.get_by_role("button", name=f"Show the tree and findings of {FINETUNE}").click()
    nodes = widget.locator(".hw-tree-node")
    expect(nodes).to_have_count(4)
    expect(nodes.nth(1)).to_contain_text("HuggingFaceTB/SmolVLM-Instruct")
    expect(nodes.nth(3)).to_contain_text("HuggingFaceTB/SmolLM2-1.7B")
    expect(nodes.nth(3)).to_have_attribute("data-depth", "3")

    # the malicious folder: denied, its dangerous pickle import and its custom code listed
    folder = jl.kernel_eval(page, "print(evil.folder)").strip()
    evil = widget.locator(f"tr[data-model='{folder}']")
    expect(evil.locator(".hw-verdict")).to_contain_text("deny")
    expect(evil.locator(".hw-col-formats")).to_contain_text("pickle only")
    expect(evil.locator(".hw-col-formats")).to_contain_text("custom code")
    evil.get_by_role("button").click()
    findings = widget.get_by_role("table", name=f"Findings of {folder}")
    expect(findings).to_contain_text("pytorch_model.bin")
    expect(findings).to_contain_text("picklescan")
    expect(findings.locator("td[data-severity]").first).to_be_visible()
    assert jl.kernel_eval(page, "print(evil.markers_written())").strip() == "[]"
    jl.screenshot_notebook(page, jl.ARTIFACTS / "governance_widget.png")
