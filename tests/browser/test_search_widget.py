"""SearchWidget in JupyterLab: render, search, facets, selection and virtual scrolling."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from . import conftest as jl

STARTER_CELL = "import hubwidgets as hw\nw = hw.SearchWidget(hw.starter_catalog())\nw"

#: Data rows of the grid's canvas that are shown and loaded, as ``[[index, id, task], ...]``
#: in grid order (the header row and the pooled, hidden rows are left out).
_ROWS_JS = """grid => Array.from(grid.querySelectorAll('.hw-grid-canvas [role=row]'))
    .filter(row => !row.hidden && !row.hasAttribute('aria-busy'))
    .map(row => {
        const cells = row.querySelectorAll('[role=gridcell]');
        return [Number(row.dataset.index), cells[1].textContent, cells[2].textContent];
    })
    .sort((a, b) => a[0] - b[0])"""

#: True once the grid shows loaded rows and each has the needle in the column (any case).
_ALL_ROWS_JS = """([grid, column, needle]) => {
    const rows = Array.from(grid.querySelectorAll('.hw-grid-canvas [role=row]'))
        .filter(row => !row.hidden);
    return rows.length > 0 && rows.every(row => !row.hasAttribute('aria-busy')
        && row.querySelectorAll('[role=gridcell]')[column].textContent.toLowerCase()
            .includes(needle.toLowerCase()));
}"""


def _open_search(page: Page, lab: jl.Lab, name: str, *cells: str) -> Locator:
    """Write and run a notebook whose last cell shows a SearchWidget; return the widget."""
    jl.open_notebook(page, lab, jl.write_notebook(lab, name, *(cells or (STARTER_CELL,))))
    jl.run_all(page)
    assert jl.error_outputs(page) == []
    widget = jl.notebook_panel(page).locator(".hubwidgets-search")
    expect(widget).to_have_count(1)
    expect(widget.get_by_role("grid", name="Models")).to_be_visible()
    return widget


def _rows(grid: Locator) -> list[list[object]]:
    rows: list[list[object]] = grid.evaluate(_ROWS_JS)
    return rows


def _wait_all_rows(page: Page, grid: Locator, column: int, needle: str) -> None:
    """Wait until every shown row of ``grid`` has ``needle`` in cell ``column`` (1: id, 2: task),
    ignoring case (queries are case-insensitive)."""
    page.wait_for_function(_ALL_ROWS_JS, arg=[grid.element_handle(), column, needle])


def _row(grid: Locator, index: int) -> Locator:
    return grid.locator(f".hw-grid-canvas [role=row][data-index='{index}']")


def test_search_widget_renders(page: Page, lab: jl.Lab) -> None:
    widget = _open_search(page, lab, "search-render.ipynb")

    expect(widget.get_by_role("searchbox", name="Search models")).to_be_visible()
    expect(widget.get_by_role("combobox", name="Sort by")).to_have_value("downloads")
    expect(widget.get_by_role("status")).to_contain_text("437 models")
    grid = widget.get_by_role("grid", name="Models")
    expect(grid).to_have_attribute("aria-rowcount", "438")  # the header row counts too
    first = _row(grid, 0)
    expect(first).not_to_have_attribute("aria-busy", "true")
    expect(first.get_by_role("gridcell").nth(1)).not_to_have_text("")
    assert len(_rows(grid)) >= 10
    # the facets show counts, e.g. the most frequent task
    expect(
        widget.get_by_role("checkbox", name=re.compile(r"^text-generation\s*104$"))
    ).to_be_visible()

    jl.screenshot_notebook(page, jl.ARTIFACTS / "search_widget.png")


def test_typing_a_query_filters_rows(page: Page, lab: jl.Lab) -> None:
    widget = _open_search(page, lab, "search-query.ipynb")
    expected = int(jl.kernel_eval(page, "print(hw.starter_catalog().count(query='whisper'))"))
    assert 0 < expected < 437

    widget.get_by_role("searchbox", name="Search models").fill("whisper")

    expect(widget.get_by_role("status")).to_contain_text(f"{expected} models")
    grid = widget.get_by_role("grid", name="Models")
    expect(grid).to_have_attribute("aria-rowcount", str(expected + 1))
    _wait_all_rows(page, grid, 1, "whisper")
    rows = _rows(grid)
    assert rows[0][0] == 0
    assert len(rows) >= min(expected, 10)  # the grid shows about 15 rows at a time
    assert jl.kernel_eval(page, "print(w.query, w.total)") == f"whisper {expected}\n"


def test_facet_checkbox_narrows_rows(page: Page, lab: jl.Lab) -> None:
    widget = _open_search(page, lab, "search-facet.ipynb")
    task = "automatic-speech-recognition"
    expected = int(jl.kernel_eval(page, f"print(hw.starter_catalog().count(task={task!r}))"))

    box = widget.get_by_role("checkbox", name=re.compile(rf"^{task}\b"))
    box.check()

    expect(box).to_be_checked()
    expect(widget.get_by_role("status")).to_contain_text(f"{expected} models")
    grid = widget.get_by_role("grid", name="Models")
    expect(grid).to_have_attribute("aria-rowcount", str(expected + 1))
    _wait_all_rows(page, grid, 2, task)
    assert len(_rows(grid)) >= min(expected, 10)  # the grid shows about 15 rows at a time
    assert jl.kernel_eval(page, "print(w.task, w.total)") == f"['{task}'] {expected}\n"
    assert jl.kernel_eval(page, "print(sorted(set(w.results['task'])))") == f"['{task}']\n"


def test_click_shift_click_and_keyboard_select_rows(page: Page, lab: jl.Lab) -> None:
    widget = _open_search(page, lab, "search-select.ipynb")
    grid = widget.get_by_role("grid", name="Models")
    for index in range(4):
        expect(_row(grid, index)).not_to_have_attribute("aria-busy", "true")
    ids = [str(row[1]) for row in _rows(grid)[:4]]

    _row(grid, 0).click()
    expect(_row(grid, 0)).to_have_attribute("aria-selected", "true")
    _row(grid, 2).click(modifiers=["Shift"])
    for index in range(3):
        expect(_row(grid, index)).to_have_attribute("aria-selected", "true")
    expect(_row(grid, 3)).to_have_attribute("aria-selected", "false")
    expect(widget.get_by_text("3 selected")).to_be_visible()
    assert jl.kernel_eval(page, "print(w.selected['id'].tolist())") == f"{ids[:3]}\n"

    # the keyboard: the focus is on row 2 after the shift-click; ArrowDown, then Space
    expect(grid).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(_row(grid, 3)).to_have_class(re.compile(r"\bhw-focused\b"))
    page.keyboard.press("Space")
    expect(_row(grid, 3)).to_have_attribute("aria-selected", "true")
    expect(widget.get_by_text("4 selected")).to_be_visible()
    assert jl.kernel_eval(page, "print(w.selected_ids)") == f"{ids}\n"
    page.keyboard.press("Space")  # toggles it off again
    expect(_row(grid, 3)).to_have_attribute("aria-selected", "false")
    expect(widget.get_by_text("3 selected")).to_be_visible()


def test_scroll_to_the_end_of_a_long_result(page: Page, lab: jl.Lab) -> None:
    widget = _open_search(
        page,
        lab,
        "search-scroll.ipynb",
        "import hubwidgets as hw\n"
        "# synthetic rows: 20,000 models, downloads = i, so the last row is model 0\n"
        "big = hw.Catalog.from_records(\n"
        '    [{"id": f"org{i % 97}/model-{i:06d}", "downloads": i} for i in range(20000)]\n'
        ")\n"
        "w = hw.SearchWidget(big)\n"
        "w",
    )
    expect(widget.get_by_role("status")).to_contain_text("20,000 models")
    grid = widget.get_by_role("grid", name="Models")
    expect(grid).to_have_attribute("aria-rowcount", "20001")
    expect(_row(grid, 0).get_by_role("gridcell").nth(1)).to_have_text("org17/model-019999")

    grid.evaluate("el => { el.scrollTop = el.scrollHeight; }")

    last = _row(grid, 19999)
    expect(last.get_by_role("gridcell").nth(1)).to_have_text("org0/model-000000")
    expect(last).to_be_in_viewport()
    # it lies inside the grid's scrolled view, not only in the DOM
    inside = grid.evaluate(
        """el => {
            const last = el.querySelector(".hw-grid-canvas [data-index='19999']");
            const row = last.getBoundingClientRect();
            const view = el.getBoundingClientRect();
            return row.top >= view.top - 1 && row.bottom <= view.bottom + 1;
        }"""
    )
    assert inside
    # and the keyboard goes back to the top
    _row(grid, 19999).click()
    page.keyboard.press("Home")
    expect(_row(grid, 0).get_by_role("gridcell").nth(1)).to_have_text("org17/model-019999")


def test_sort_access_and_parameter_controls(page: Page, lab: jl.Lab) -> None:
    widget = _open_search(page, lab, "search-controls.ipynb")
    grid = widget.get_by_role("grid", name="Models")
    status = widget.get_by_role("status")

    widget.get_by_role("combobox", name="Sort by").select_option("likes")
    top = jl.kernel_eval(page, "print(hw.starter_catalog().search(sort='likes', limit=1).id[0])")
    expect(_row(grid, 0).get_by_role("gridcell").nth(1)).to_have_text(top.strip())
    assert jl.kernel_eval(page, "print(w.sort)") == "likes\n"

    widget.get_by_role("combobox", name="Access").select_option(label="Gated only")
    gated = int(jl.kernel_eval(page, "print(hw.starter_catalog().count(gated=True))"))
    expect(status).to_contain_text(f"{gated} models")
    assert jl.kernel_eval(page, "print(w.gated)") == "True\n"

    low = widget.get_by_role("textbox", name="Minimum parameters")
    low.fill("7b")
    low.press("Enter")
    both = int(
        jl.kernel_eval(page, "print(hw.starter_catalog().count(gated=True, min_params=7e9))")
    )
    expect(status).to_contain_text(f"{both} model")
    assert jl.kernel_eval(page, "print(w.min_params)") == "7000000000\n"
    expect(low).to_have_value("7b")  # kept as typed

    # a value that is no parameter count is refused in place, and nothing else changes
    high = widget.get_by_role("textbox", name="Maximum parameters")
    high.fill("lots")
    high.press("Enter")
    expect(high).to_have_attribute("aria-invalid", "true")
    assert jl.kernel_eval(page, "print(w.max_params, w.total)") == f"None {both}\n"


def test_no_match_names_the_filters_and_clears_them(page: Page, lab: jl.Lab) -> None:
    widget = _open_search(page, lab, "search-nomatch.ipynb")
    widget.get_by_role("checkbox", name=re.compile(r"^text-generation\b")).check()
    expect(widget.get_by_role("status")).to_contain_text("104 models")

    widget.get_by_role("searchbox", name="Search models").fill("no-such-model-anywhere")

    message = widget.get_by_text("No models match")
    expect(message).to_contain_text("“no-such-model-anywhere”")
    expect(message).to_contain_text("task text-generation")
    expect(widget.get_by_role("grid", name="Models")).to_be_hidden()
    widget.get_by_role("button", name="Clear filters").click()
    expect(widget.get_by_role("status")).to_contain_text("437 models")
    expect(widget.get_by_role("searchbox", name="Search models")).to_have_value("")
    expect(
        widget.get_by_role("checkbox", name=re.compile(r"^text-generation\b"))
    ).not_to_be_checked()
    assert jl.kernel_eval(page, "print(w.query == '', w.task, w.total)") == "True [] 437\n"


def test_python_changes_show_in_the_page(page: Page, lab: jl.Lab) -> None:
    widget = _open_search(page, lab, "search-python.ipynb")
    jl.kernel_eval(page, "w.search(query='bert', sort='likes')")

    expect(widget.get_by_role("searchbox", name="Search models")).to_have_value("bert")
    expect(widget.get_by_role("combobox", name="Sort by")).to_have_value("likes")
    grid = widget.get_by_role("grid", name="Models")
    _wait_all_rows(page, grid, 1, "bert")
    # the view drawn at first is the one that follows: no second copy appears
    expect(jl.notebook_panel(page).locator(".hubwidgets-search")).to_have_count(1)

    # a bad value from Python is refused with the valid choices, and the page keeps its state
    refused = jl.kernel_eval(
        page, "try:\n    w.sort = 'best'\nexcept Exception as e:\n    print(e)"
    )
    assert "downloads" in refused and "likes" in refused
    expect(widget.get_by_role("combobox", name="Sort by")).to_have_value("likes")


CARD_CELL = """import hubwidgets as hw
card = '''---
license: mit
---
# Tiny model

A **small** model. <script>window.pwned = 1</script>

| split | accuracy |
|---|---|
| test | 0.91 |

[evil](javascript:window.pwned=2) and [the paper](https://arxiv.org/abs/1706.03762)
'''
# tiny-model is a finetune of base-llm, offered under looser terms than its base's (a conflict)
records = [
    {"id": "acme/tiny-model", "pipeline_tag": "text-classification", "downloads": 10,
     "tags": ["pytorch", "en", "base_model:finetune:acme/base-llm"], "card": card,
     "cardData": {"license": "mit", "base_model": "acme/base-llm"}},
    {"id": "acme/no-card", "pipeline_tag": "fill-mask", "downloads": 5},
    {"id": "acme/base-llm", "pipeline_tag": "text-generation", "downloads": 1,
     "cardData": {"license": "llama2"}},
]
w = hw.SearchWidget(hw.Catalog.from_records(records))
w"""


def test_details_of_the_focused_model(page: Page, lab: jl.Lab) -> None:
    widget = _open_search(page, lab, "search-detail.ipynb", CARD_CELL)
    grid = widget.get_by_role("grid", name="Models")
    details = widget.get_by_role("region", name="Model details")
    expect(details).to_be_hidden()

    _row(grid, 0).click()
    expect(details.get_by_role("heading", name="acme/tiny-model")).to_be_visible()
    hub = details.get_by_role("link", name=re.compile("Open on the Hub"))
    expect(hub).to_have_attribute("href", "https://huggingface.co/acme/tiny-model")
    expect(details.get_by_role("list", name="Tags")).to_contain_text("pytorch")
    card = details.get_by_role("region", name="Model card")
    expect(card.get_by_role("heading", name="Tiny model")).to_be_visible()
    expect(card.get_by_role("table")).to_contain_text("0.91")
    expect(card.get_by_role("link", name="the paper")).to_have_attribute("target", "_blank")
    # the card's script is text, its javascript: link no link, and nothing ran
    expect(card.get_by_role("link", name="evil")).to_have_count(0)
    assert page.evaluate("() => window.pwned === undefined")

    # above the card, hw.check's verdict, license, model tree and scan of the model
    governance = details.get_by_role("region", name="Governance")
    verdict = jl.kernel_eval(
        page, "print(hw.check(['acme/tiny-model'], catalog=w.catalog).verdict[0])"
    )
    badge = governance.locator(".hw-verdict")
    expect(badge).to_have_attribute("data-verdict", verdict.strip())
    expect(badge).to_have_text(re.compile(rf"{verdict.strip()}$"))
    expect(badge).to_have_css("border-top-style", "solid")  # styled as the GovernanceWidget's
    expect(governance.get_by_role("list", name="Reasons")).to_contain_text("license conflict")
    expect(governance.locator(".hw-gov-license")).to_contain_text("commercial use: yes")
    chain = governance.get_by_role("list", name="Base models, the model first")
    expect(chain.get_by_role("listitem")).to_have_count(2)
    expect(chain.get_by_role("listitem").nth(1)).to_contain_text("finetuned from")
    expect(chain.get_by_role("listitem").nth(1)).to_contain_text("acme/base-llm")
    expect(chain.get_by_role("listitem").nth(1)).to_contain_text("llama2")
    expect(chain.get_by_role("link", name="acme/base-llm")).to_have_attribute(
        "href", "https://huggingface.co/acme/base-llm"
    )
    conflict = governance.get_by_role("note")
    expect(conflict).to_contain_text("License conflict: acme/tiny-model is offered under mit")
    expect(governance.locator(".hw-gov-scanline")).to_contain_text("not scanned")
    # nothing of the pane is cut at 1280 px: the section is no wider than the pane
    assert governance.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert details.evaluate("el => el.scrollWidth <= el.clientWidth")
    jl.screenshot_notebook(page, jl.ARTIFACTS / "search_widget_details.png")

    # the keyboard moves the details along (the new section took no focus); Escape closes them
    expect(grid).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(details.get_by_role("heading", name="acme/no-card")).to_be_visible()
    expect(details).to_contain_text("No model card in this catalog")
    assert jl.kernel_eval(page, "print(w.focused_id)") == "acme/no-card\n"
    page.keyboard.press("Escape")
    expect(details).to_be_hidden()


def _start_run_all(page: Page) -> None:
    """Run > Run All Cells, without waiting for the cells to finish."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    item = page.locator(".lm-Menu-item[data-command='runmenu:run-all']")
    expect(item).not_to_have_class(re.compile(r"\blm-mod-disabled\b"))
    item.click()


def test_first_rows_show_while_the_kernel_is_busy(page: Page, lab: jl.Lab) -> None:
    """The first rows, the facets and the status are state: they draw with no kernel answer
    (the next cell keeps the kernel busy while the page draws the widget)."""
    busy = "import time\ntime.sleep(30)  # the kernel answers nothing meanwhile"
    jl.open_notebook(page, lab, jl.write_notebook(lab, "search-busy.ipynb", STARTER_CELL, busy))
    _start_run_all(page)
    widget = jl.notebook_panel(page).locator(".hubwidgets-search")
    grid = widget.get_by_role("grid", name="Models")
    first = _row(grid, 0)
    expect(first).not_to_have_attribute("aria-busy", "true", timeout=20_000)
    expect(first.get_by_role("gridcell").nth(1)).not_to_have_text("")
    assert len(_rows(grid)) >= 10
    expect(widget.get_by_role("status")).to_contain_text("437 models")
    expect(
        widget.get_by_role("checkbox", name=re.compile(r"^text-generation\s*104$"))
    ).to_be_visible()
    # ... and all that while the second cell still runs
    prompts = jl.notebook_panel(page).locator(".jp-InputArea-prompt")
    expect(prompts.nth(1)).to_have_text(re.compile(r"\[\*\]"))


def test_a_second_widget_draws_with_the_first_ones_code(page: Page, lab: jl.Lab) -> None:
    """Only the first widget carries the front-end code; the next one (a stub) draws too."""
    jl.open_notebook(
        page,
        lab,
        jl.write_notebook(
            lab,
            "search-second.ipynb",
            STARTER_CELL,
            'w2 = hw.SearchWidget(hw.starter_catalog(), query="whisper")\nw2',
        ),
    )
    jl.run_all(page)
    assert jl.error_outputs(page) == []
    widgets = jl.notebook_panel(page).locator(".hubwidgets-search")
    expect(widgets).to_have_count(2)
    second = widgets.nth(1)
    expect(second.get_by_role("status")).to_contain_text("models")
    _wait_all_rows(page, second.get_by_role("grid", name="Models"), 1, "whisper")
    assert jl.kernel_eval(page, "print(len(w2._esm) < 2000 < len(w._esm))") == "True\n"
