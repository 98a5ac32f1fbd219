"""EndpointsWidget in JupyterLab, against the test server's fake endpoints API started in the
kernel (recorded API shapes, ../shared/data/endpoints/api-fixtures.json): a model's instances
with their price, the month's cost reviewed before the confirmation, the new endpoint followed
live from pending to running, a quota error shown with the API's message while the table stays,
a pause, and a delete confirmed by typing the name."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from . import conftest as jl

SMALL = "distilbert/distilbert-base-uncased"
SETUP = (
    "import os\n"
    'os.environ.pop("HF_HUB_OFFLINE", None)  # the endpoints API is the test server on 127.0.0.1\n'
    "import hubwidgets as hw\n"
    "from hubwidgets.testing.hub_server import HubServer\n"
    "hub = HubServer([]).start()\n"
    "hub.endpoints_api.step_s = 1.0\n"
    "hub.endpoints_api.add('data-team', 'MOCK_RUNNING', name='chat')\n"
    "w = hw.EndpointsWidget('data-team', endpoint=hub.endpoint, token='hf_browser_test',"
    " catalog=hw.starter_catalog(), poll=0.25)\n"
    "w"
)


@pytest.mark.usefixtures("shared_data")
def test_create_follow_refuse_pause_and_delete(page: Page, lab: jl.Lab, shared_data: Path) -> None:
    panel = jl.run_notebook(page, lab, "endpoints.ipynb", SETUP)
    widget = panel.locator(".hubwidgets-endpoints")
    expect(widget).to_have_count(1)
    expect(widget.get_by_role("status")).to_contain_text("1 endpoint in data-team")
    chat = widget.locator("tr[data-endpoint='chat']")
    expect(chat.locator(".hw-endpoint-state")).to_have_text("running")

    # the model, then only the instances that hold it, cheapest first, with their price
    widget.get_by_label("Model", exact=True).fill(SMALL)
    widget.get_by_role("button", name="Find instances").click()
    instance = widget.get_by_label("Instance", exact=True)
    expect(instance.locator("option")).to_have_count(4)  # the prompt and three instances
    expect(instance).to_have_value("aws-us-east-1-intel-spr-x1")
    expect(instance.locator("option").nth(1)).to_contain_text("$0.033/hour")

    # the cost is shown before anything is created
    widget.get_by_label("Endpoint name").fill("sentiment")
    widget.get_by_role("button", name="Review cost").click()
    plan = widget.locator(".hw-plan")
    expect(plan).to_contain_text("$0.033 per replica-hour")
    expect(plan).to_contain_text("$24.09")  # one replica all month: 730 h x $0.033
    expect(widget.locator("tr[data-endpoint='sentiment']")).to_have_count(0)
    plan.get_by_role("button", name="Create endpoint").click()

    # followed live from the kernel: pending, then running
    created = widget.locator("tr[data-endpoint='sentiment'] .hw-endpoint-state")
    expect(created).to_have_text("pending")
    expect(widget.locator(".hw-following")).to_contain_text("Following sentiment")
    expect(created).to_have_text("running", timeout=15_000)
    expect(widget.locator(".hw-following")).to_have_text("")

    # a quota error: the API's message in the form, the typed values and the table kept
    instance.select_option("gcp-us-east4-nvidia-a100-x8")
    widget.get_by_label("Endpoint name").fill("huge")
    widget.get_by_role("button", name="Review cost").click()
    expect(plan).to_contain_text("$28.80 per replica-hour")
    expect(plan).to_contain_text("$21,024.00")  # 730 h x $28.8
    plan.get_by_role("button", name="Create endpoint").click()
    alert = widget.locator(".hw-form-error")
    expect(alert).to_contain_text("Quota exceeded for gcp-us-east4-nvidia-a100-x8")
    expect(instance).to_have_attribute("aria-invalid", "true")
    expect(widget.get_by_label("Endpoint name")).to_have_value("huge")
    expect(widget.locator("tbody tr")).to_have_count(2)

    # pause, then delete with the name typed again
    chat.get_by_role("button", name="Pause chat").click()
    expect(chat.locator(".hw-endpoint-state")).to_have_text("paused")
    chat.get_by_role("button", name="Delete chat").click()
    confirm = widget.get_by_label("Type chat to delete it for good")
    expect(confirm).to_be_focused()
    go = widget.get_by_role("button", name="Delete endpoint")
    confirm.fill("cha")
    expect(go).to_be_disabled()
    confirm.fill("chat")
    go.click()
    expect(chat).to_have_count(0)
    expect(widget.get_by_role("status")).to_contain_text("deleted chat")
    printed = jl.kernel_eval(page, "print(sorted(w.table['name']))")
    assert printed == "['sentiment']\n"
    jl.screenshot_notebook(page, jl.ARTIFACTS / "endpoints_widget.png")
