"""The JupyterLab launcher extension (labextension/, issue 16 item 5), installed with the package:
a "Hugging Face Hub Explorer" card in the Launcher and entry in the command palette, which open a
new notebook whose first cell is the explorer, ready to run."""

from __future__ import annotations

import uuid

from playwright.sync_api import Locator, Page, expect

from .conftest import Lab

LABEL = "Hugging Face Hub Explorer"
EXPLORER_CELL = "import hubwidgets as hw\nhw.HubExplorer()"


def _accept(dialog: Locator) -> None:
    dialog.locator(".jp-mod-accept").click()


def _fresh_lab(page: Page, lab: Lab) -> None:
    """JupyterLab in a new, empty workspace (which shows the Launcher)."""
    page.add_locator_handler(page.locator(".jp-Dialog").filter(has_text="Select Kernel"), _accept)
    page.goto(f"{lab.url}/lab/workspaces/{uuid.uuid4().hex[:12]}")


def _first_cell_source(page: Page) -> str:
    cell = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell").first
    lines = cell.locator(".cm-content .cm-line")
    expect(lines.first).to_have_text("import hubwidgets as hw")
    return "\n".join(lines.all_inner_texts())


def test_launcher_card_opens_a_notebook_with_the_explorer_cell(page: Page, lab: Lab) -> None:
    _fresh_lab(page, lab)
    card = page.locator(".jp-LauncherCard").filter(has_text=LABEL)
    expect(card).to_be_visible()
    before = {item["name"] for item in lab.api("contents")["content"]}
    card.click()
    assert _first_cell_source(page) == EXPLORER_CELL
    # a real new notebook on the server, in the Launcher's folder, with a kernel
    expect(
        page.locator(".jp-NotebookPanel:visible .jp-Notebook-ExecutionIndicator")
    ).to_be_visible()
    after = {item["name"] for item in lab.api("contents")["content"]}
    assert [n for n in after - before if n.endswith(".ipynb")], after - before


def test_palette_entry_opens_the_same_notebook(page: Page, lab: Lab) -> None:
    _fresh_lab(page, lab)
    expect(page.locator(".jp-LauncherCard").first).to_be_visible()
    page.keyboard.press("Control+Shift+c")
    palette = page.locator(".lm-CommandPalette")
    palette.locator("input").fill("Hub Explorer")
    entry = palette.locator(".lm-CommandPalette-item").filter(has_text=LABEL)
    expect(entry).to_have_count(1)
    entry.click()
    assert _first_cell_source(page) == EXPLORER_CELL
