"""Playground in JupyterLab, on tiny random-weight models made in the kernel (offline).

One notebook and one kernel serve the tests (importing torch and transformers takes ~10 s per
kernel): a text classifier, an image classifier, a streaming tiny GPT-2, two models side by
side, and runs started from Python (after the display, before it, and shown twice), each its own
Playground. The models are invented (random weights): their outputs mean nothing; the tests
check what the page shows and what the history records.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from hubwidgets.core.inference.samples import sample_image

from . import conftest as jl

SETUP = (
    jl.MODEL_SETUP
    + """\
sentiment = tiny.tiny_text_classifier(f"{root}/sentiment")
topics = tiny.tiny_text_classifier(f"{root}/topics", labels=("sports", "politics", "science"))
vit = tiny.tiny_vit_classifier(f"{root}/vit")
gpt2 = tiny.tiny_gpt2(f"{root}/gpt2")"""
)

CELLS = (
    SETUP,
    'text = hw.Playground("text-classification", [sentiment], backend=backend)\ntext',
    'image = hw.Playground("image-classification", [vit], backend=backend)\nimage',
    # min_new_tokens: random weights could end the text at once with the end-of-text token
    'gen = hw.Playground("text-generation", [gpt2], backend=backend,\n'
    '                    params={"max_new_tokens": 48, "min_new_tokens": 48})\ngen',
    'pair = hw.Playground("text-classification", [sentiment, topics], backend=backend)\npair',
    # a run from Python after the display (the test runs it once the widget is drawn)
    'later = hw.Playground("text-classification", [sentiment], backend=backend)\nlater',
    # a run from Python before the display, then the same widget displayed a second time
    'early = hw.Playground("text-classification", [sentiment, topics], backend=backend)\n'
    'early.run("I loved it")\nearly',
    "early",
)


@pytest.fixture(scope="module")
def shared(browser: Browser, lab: jl.Lab) -> Iterator[Page]:
    """One page with the notebook run: the tests share its kernel."""
    with jl.shared_page(browser, lab, "playground.ipynb", *CELLS) as page:
        yield page


def _widget(page: Page, index: int) -> Locator:
    return jl.notebook_panel(page).locator(".hubwidgets-playground").nth(index)


@pytest.fixture
def page(shared: Page, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield shared
    jl.screenshot_if_failed(shared, request)


def test_type_text_and_see_a_classification_bar_chart(page: Page) -> None:
    widget = _widget(page, 0)
    prompt = widget.get_by_role("textbox", name="Prompt")
    prompt.fill("a good movie")
    widget.get_by_role("button", name="Run", exact=True).click()
    cell = widget.locator(".hw-cell")
    expect(cell).to_have_count(1)
    bars = cell.get_by_role("list", name="Scores").locator(".hw-bar")
    expect(bars).to_have_count(2)  # negative, positive
    expect(cell.locator(".hw-bar-label")).to_contain_text(["", ""])
    labels = sorted(cell.locator(".hw-bar-label").all_inner_texts())
    assert labels == ["negative", "positive"]
    expect(cell.locator(".hw-cell-meta")).to_contain_text(re.compile(r"\d+ ms · local / cpu"))
    history = jl.kernel_eval(
        page, "print(text.history[['input', 'backend', 'error']].values.tolist())"
    )
    assert history == "[['a good movie', 'local', '']]\n"
    # an empty prompt: a message in the cell, and the history keeps the failed run
    prompt.fill("")
    widget.get_by_role("button", name="Run", exact=True).click()
    expect(cell.get_by_role("alert")).to_contain_text("the text is empty")
    assert jl.kernel_eval(page, "print(len(text.history))") == "2\n"


def test_upload_an_image_and_see_labels(page: Page, tmp_path: Path) -> None:
    widget = _widget(page, 1)
    picture = tmp_path / "shapes.png"
    picture.write_bytes(sample_image())
    widget.get_by_label("Choose an image", exact=True).set_input_files(picture)
    expect(widget.locator(".hw-hint")).to_contain_text("shapes.png ready")
    expect(widget.get_by_role("img", name="Chosen image: shapes.png")).to_be_visible()
    widget.get_by_role("button", name="Run", exact=True).click()
    labels = widget.locator(".hw-cell .hw-bar-label")
    expect(labels).to_have_count(3)
    assert sorted(labels.all_inner_texts()) == ["bird", "cat", "dog"]
    out = jl.kernel_eval(page, "print(image.history['input'].iloc[-1])")
    assert out.startswith("shapes.png (") and "sha256=" in out
    # a file that is not an image: refused in the cell, kept in the history
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")
    widget.get_by_label("Choose an image", exact=True).set_input_files(notes)
    expect(widget.locator(".hw-hint")).to_contain_text("notes.txt ready")
    widget.get_by_role("button", name="Run", exact=True).click()
    expect(widget.get_by_role("alert")).to_contain_text("unsupported file type '.txt'")
    assert jl.kernel_eval(page, "print(image.history['error'].iloc[-1] != '')") == "True\n"


WATCH_STREAM_JS = """(root) => {
  const seen = [];
  const observer = new MutationObserver(() => {
    const cell = root.querySelector('.hw-cell');
    if (!cell) return;
    const text = cell.querySelector('.hw-generated')?.textContent ?? '';
    seen.push([text.length, cell.classList.contains('hw-streaming')]);
  });
  observer.observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
  window.__hwStream = seen;
}"""


def test_stream_a_tiny_gpt2_and_see_the_text_grow(page: Page) -> None:
    widget = _widget(page, 2)
    widget.get_by_role("textbox", name="Prompt").fill("Once upon a time")
    widget.evaluate(WATCH_STREAM_JS)
    widget.get_by_role("button", name="Run", exact=True).click()
    cell = widget.locator(".hw-cell")
    expect(cell).to_have_class(re.compile(r"\bhw-done\b"), timeout=60_000)
    seen: list[list[Any]] = page.evaluate("() => window.__hwStream")
    growing = sorted({length for length, streaming in seen if streaming and length > 0})
    assert len(growing) >= 3, seen  # the text grew several times before the run finished
    final = len(cell.locator(".hw-generated").inner_text())
    assert growing[0] < final
    out = jl.kernel_eval(
        page,
        "import json; print(len(json.loads(gen.history['output'].iloc[-1])['generated_text']))",
    )
    assert int(out) >= growing[-1]


def test_two_models_side_by_side(page: Page) -> None:
    widget = _widget(page, 3)
    widget.get_by_role("button", name=re.compile("I loved this film")).click()
    widget.get_by_role("button", name="Run", exact=True).click()
    cells = widget.get_by_role("listitem").filter(has=page.locator(".hw-cell-model"))
    expect(widget.locator(".hw-cell.hw-done")).to_have_count(2)
    first, second = widget.locator(".hw-cell").nth(0), widget.locator(".hw-cell").nth(1)
    assert sorted(first.locator(".hw-bar-label").all_inner_texts()) == ["negative", "positive"]
    assert sorted(second.locator(".hw-bar-label").all_inner_texts()) == [
        "politics",
        "science",
        "sports",
    ]
    for cell in (first, second):
        expect(cell.locator(".hw-cell-meta")).to_contain_text(re.compile(r"\d+ ms · local / cpu"))
    assert cells.count() == 2
    rows = jl.kernel_eval(page, "print(pair.history[['run', 'model']].values.tolist())")
    assert rows.count("[1, ") == 2
    widget.scroll_into_view_if_needed()
    jl.screenshot_notebook(page, jl.ARTIFACTS / "playground_two_models.png")


def _labels(cell: Locator) -> list[str]:
    return sorted(cell.locator(".hw-bar-label").all_inner_texts())


def test_a_run_from_python_after_the_display_shows_in_the_page(page: Page) -> None:
    widget = _widget(page, 4)
    expect(widget.get_by_role("button", name="Run", exact=True)).to_be_visible()
    expect(widget.locator(".hw-cell")).to_have_count(0)
    jl.kernel_eval(page, 'later.run("I loved it")')
    cell = widget.locator(".hw-cell.hw-done")
    expect(cell).to_have_count(1)
    assert _labels(cell) == ["negative", "positive"]
    expect(cell.locator(".hw-cell-meta")).to_contain_text(re.compile(r"\d+ ms · local / cpu"))
    expect(widget.get_by_role("status")).to_contain_text("run 1: 1 answered, 0 failed")
    # a second run from Python replaces the cells
    jl.kernel_eval(page, 'later.run("   ")')
    expect(widget.locator(".hw-cell").get_by_role("alert")).to_contain_text("the text is empty")
    expect(widget.locator(".hw-cell")).to_have_count(1)


def test_a_run_from_python_before_the_display_is_shown(page: Page) -> None:
    widget = _widget(page, 5)
    cells = widget.locator(".hw-cell.hw-done")
    expect(cells).to_have_count(2)
    assert _labels(cells.nth(0)) == ["negative", "positive"]
    assert _labels(cells.nth(1)) == ["politics", "science", "sports"]
    expect(widget.get_by_role("status")).to_contain_text("run 1: 2 answered, 0 failed")


def test_a_second_display_shows_the_same_cells(page: Page) -> None:
    first, second = _widget(page, 5), _widget(page, 6)
    expect(second.locator(".hw-cell.hw-done")).to_have_count(2)
    for k in range(2):
        assert _labels(first.locator(".hw-cell").nth(k)) == _labels(
            second.locator(".hw-cell").nth(k)
        )
    # a new run (from either view's Run button) shows in both views
    second.get_by_role("textbox", name="Prompt").fill("a dull film")
    second.get_by_role("button", name="Run", exact=True).click()
    for view in (first, second):
        expect(view.get_by_role("status")).to_contain_text("run 2: 2 answered, 0 failed")
        expect(view.locator(".hw-cell.hw-done")).to_have_count(2)
    inputs = jl.kernel_eval(page, "print(early.history['input'].tolist())")
    assert inputs == "['I loved it', 'I loved it', 'a dull film', 'a dull film']\n"
