"""The health badge beside every widget's status line, in JupyterLab: nothing is checked when
the widget first paints; "Check the Hub" asks the kernel, and offline (the test kernels have
HF_HUB_OFFLINE=1) the badge says "unreachable", styled as a problem, never as fine."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from . import conftest as jl

SETUP = (
    "import hubwidgets as hw\n"
    "cat = hw.starter_catalog()\n"
    "c = hw.CompareWidget(['openai-community/gpt2', 'distilbert/distilgpt2'], catalog=cat)\n"
    "c"
)


def test_check_the_hub_from_a_widget_status_line(page: Page, lab: jl.Lab) -> None:
    panel = jl.run_notebook(page, lab, "health_badge.ipynb", SETUP)
    widget = panel.locator(".hubwidgets-compare")
    expect(widget).to_have_count(1)
    line = widget.locator(".hw-status-line")
    expect(line.get_by_role("status")).to_contain_text("2 models")
    badge = line.locator(".hw-health-badge")
    expect(badge).to_be_hidden()  # not checked at first paint
    assert jl.kernel_eval(page, "print(c.health)") == "{}\n"

    line.get_by_role("button", name="Check the Hub").click()
    expect(badge).to_be_visible()
    expect(badge).to_contain_text("Hub unreachable")
    expect(badge).to_have_class("hw-health-badge hw-verdict-deny")
    # when, and what is wrong, in the badge's title
    expect(badge).to_have_attribute("title", re.compile(r"^checked \d{4}-.*\nhub .*unreachable"))
    assert jl.kernel_eval(page, "print(c.health['status'])") == "unreachable\n"
    # the widget's own work is untouched
    expect(widget.locator("table").first).to_contain_text("openai-community/gpt2")
