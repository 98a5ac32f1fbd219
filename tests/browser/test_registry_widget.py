"""RegistryWidget in JupyterLab, and exported: the models a linked GovernanceWidget holds are
registered from the page; a stage change happens only after its confirmation; a refused alias
shows its error in the dialog, which keeps what was typed; Escape closes a dialog; drift is
checked from its button; the selected model's audit timeline follows. Then the same widget
exported with ``jupyter nbconvert --to html --execute`` (widget state stored) and opened
offline draws its table and timeline from the saved state alone (the approach of
test_export.py, whose page helper it reuses).

The kernel serves the Hub from the test server (hubwidgets.testing.hub_server) on 127.0.0.1
and keeps the registry in a temporary folder.
"""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest
from playwright.sync_api import Browser, Page, expect

from hubwidgets.testing.embed import EmbedAssets, npm_missing

from . import conftest as jl
from .test_export import Export, _open

GPT2 = "openai-community/gpt2"
QWEN = "Qwen/Qwen2.5-0.5B-Instruct"

SETUP = (
    "import os, tempfile\n"
    "from pathlib import Path\n"
    "root = Path(tempfile.mkdtemp())\n"
    'os.environ["HUBWIDGETS_HOME"] = str(root / "home")\n'
    'os.environ.pop("HF_HUB_OFFLINE", None)  # the Hub is the test server on 127.0.0.1\n'
    "import hubwidgets as hw\n"
    "from hubwidgets.testing.hub_server import HubServer\n"
    "from hubwidgets.testing.registry_demo import starter_records\n"
    "hub = HubServer(starter_records()).start()\n"
    'reg = hw.Registry(root / "registry.sqlite", endpoint=hub.endpoint)\n'
)
LIVE = (
    f"g = hw.GovernanceWidget([{GPT2!r}, {QWEN!r}], catalog=hw.starter_catalog())\n"
    "r = hw.RegistryWidget(reg, source=g)\n"
    "r"
)
EXPORTED = (
    f"reg.register({GPT2!r}, alias='production', note='launch')\n"
    f"reg.register({QWEN!r})\n"
    f"reg.set_stage({QWEN!r}, 'staging')\n"
    "w = hw.RegistryWidget(reg)\n"
    f"w.select({QWEN!r})\n"
    "w"
)
#: Seconds the export (a kernel, a test server, one widget) may take.
EXPORT_TIMEOUT_S = 180


def test_register_promote_with_confirmation_and_timeline(page: Page, lab: jl.Lab) -> None:
    panel = jl.run_notebook(page, lab, "registry.ipynb", SETUP, LIVE)
    widget = panel.locator(".hubwidgets-registry")
    expect(widget).to_have_count(1)
    expect(widget.get_by_text("No registered models yet.")).to_be_visible()

    # register what the linked widget holds: both pinned at main's sha
    widget.get_by_role("button", name="Register 2 selected").click()
    rows = widget.locator("table.hw-registry-table tbody tr")
    expect(rows).to_have_count(2)
    expect(widget.locator(".hw-outcome-ok")).to_have_count(2)
    assert jl.kernel_eval(page, "print(sorted(reg.df['model']))").strip() == str(
        sorted([GPT2, QWEN])
    )

    # select gpt2: its timeline shows its registration
    widget.get_by_role("button", name=f"Select {GPT2}", exact=False).click()
    gpt2 = widget.locator(f"tr[data-model='{GPT2}']")
    expect(gpt2).to_have_class("hw-selected")
    timeline = widget.get_by_role("list", name=f"Audit trail of {GPT2}")
    expect(timeline.locator("li")).to_have_count(1)
    expect(timeline.locator("li").first).to_contain_text("registry.register")

    # a stage change: nothing happens until it is confirmed
    widget.get_by_role("button", name="Set stage…").click()
    dialog = widget.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Stage").select_option("production")
    expect(dialog).to_contain_text("from candidate to production")
    assert jl.kernel_eval(page, "print(set(reg.df['stage']))").strip() == "{'candidate'}"
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog).to_be_hidden()
    expect(gpt2.locator(".hw-col-stage")).to_have_text("production")
    expect(timeline.locator("li").first).to_contain_text("registry.stage")
    printed = jl.kernel_eval(page, f"print(reg.df.set_index('model').loc[{GPT2!r}, 'stage'])")
    assert printed.strip() == "production"

    # a refused alias: the error in the dialog, the typed name kept; Escape closes
    widget.get_by_role("button", name="Set alias…").click()
    alias = dialog.get_by_label("Alias")
    expect(alias).to_be_focused()
    alias.fill("9-not-a-name")
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog.get_by_role("alert")).to_contain_text("an alias is a name")
    expect(alias).to_have_value("9-not-a-name")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(gpt2.locator(".hw-col-aliases")).to_have_text("—")

    # drift, from its button: nothing changed upstream
    widget.get_by_role("button", name="Check drift").click()
    expect(widget.get_by_role("status")).to_contain_text("drift checked: 0 of 2")
    expect(widget.locator(".hw-drift-none")).to_have_count(2)
    jl.screenshot_notebook(page, jl.ARTIFACTS / "registry_widget.png")
    jl.kernel_eval(page, "hub.stop()")


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> EmbedAssets:
    """The embed files, fetched from npm (skipped without npm, except on CI)."""
    missing = npm_missing()
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and {missing}", pytrace=False)
        pytest.skip(missing)
    return EmbedAssets(tmp_path_factory.mktemp("npm-packs"))


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Export:
    """The registry notebook executed and exported with nbconvert's defaults (state stored)."""
    folder = tmp_path_factory.mktemp("registry-export")
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in (SETUP, EXPORTED, "hub.stop()")]
    )
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, folder / "registry.ipynb")
    environ = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute"]
    done = subprocess.run(
        [*command, "registry.ipynb"],
        cwd=folder,
        env=environ,
        capture_output=True,
        text=True,
        timeout=EXPORT_TIMEOUT_S,
        check=False,
    )
    html = folder / "registry.html"
    if done.returncode != 0 or not html.is_file():
        pytest.fail(f"nbconvert failed ({done.returncode}):\n{done.stdout[-3000:]}", False)
    return Export(html, "", 0.0)


def test_an_export_draws_the_table_and_timeline_from_the_state(
    browser: Browser, export: Export, assets: EmbedAssets
) -> None:
    with _open(browser, export, assets.cache, views=1) as opened:
        view = opened.page.locator(".jupyter-widgets .hubwidgets-registry")
        expect(view).to_have_count(1)
        rows = view.locator("table.hw-registry-table tbody tr")
        expect(rows).to_have_count(2)
        expect(view.locator(f"tr[data-model='{GPT2}'] .hw-col-aliases")).to_have_text("production")
        expect(view.locator(f"tr[data-model='{QWEN}'] .hw-col-stage")).to_have_text("staging")
        expect(view.locator(f"tr[data-model='{QWEN}']")).to_have_class("hw-selected")
        items = view.get_by_role("list", name=f"Audit trail of {QWEN}").locator("li")
        expect(items).to_have_count(2)  # newest first
        expect(items.nth(0)).to_contain_text("registry.stage")
        expect(items.nth(1)).to_contain_text("registry.register")
        # drawn by the view, not by the text/html report beside it
        reports = opened.page.locator(".jp-RenderedHTMLCommon")
        expect(reports.get_by_text("registry.stage", exact=True)).to_have_count(0)
        assert opened.errors == []
