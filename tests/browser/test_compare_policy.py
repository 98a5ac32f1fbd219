"""CompareWidget in JupyterLab under a team policy: the verdict row drawn as badges, and a
policy set from Python (the ``policy`` setter) redrawn in the page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from . import conftest as jl


def test_the_verdict_row_follows_the_policy(page: Page, lab: jl.Lab) -> None:
    panel = jl.run_notebook(
        page,
        lab,
        "compare-policy.ipynb",
        "import hubwidgets as hw\n"
        "ids = ['openai-community/gpt2', 'Qwen/Qwen3-0.6B']\n"
        "c = hw.CompareWidget(ids, catalog=hw.starter_catalog(), "
        "policy={'deny_licenses': ['mit']})\nc",
    )
    compare = panel.locator(".hubwidgets-compare")
    expect(compare).to_have_count(1)
    row = compare.locator('tr[data-metric="verdict"]')
    badges = row.locator("td .hw-verdict")
    expect(badges).to_have_count(2)
    expect(badges.nth(0)).to_have_attribute("data-verdict", "deny")
    expect(badges.nth(0)).to_contain_text("deny")
    expect(badges.nth(1)).to_have_attribute("data-verdict", "review")
    # the policy's reasons are the cell's source, for the mouse and for screen readers
    expect(row.locator("td").nth(0)).to_have_attribute(
        "title", re.compile(re.escape("license mit is in deny_licenses"))
    )
    expect(compare.get_by_role("status")).to_contain_text("1 denied by the policy")
    jl.screenshot_notebook(page, jl.ARTIFACTS / "compare_policy.png")

    jl.kernel_eval(page, "c.policy = {'deny_licenses': ['apache-2.0']}")
    expect(badges.nth(0)).to_have_attribute("data-verdict", "review")
    expect(badges.nth(1)).to_have_attribute("data-verdict", "deny")
