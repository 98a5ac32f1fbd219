"""WorkflowWidget in JupyterLab: compose a two-step pipeline in the page (task, then a model
folder typed in), see a bad link named under its step and fix it without losing the steps, run
it on a sample text (each step's output and latency), then apply it to a DataFrame and page
through the result -- all on tiny random-weight models made in the kernel."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from . import conftest as jl

SETUP = jl.MODEL_SETUP + (
    "import pandas as pd\n"
    "clf = tiny.tiny_text_classifier(root + '/clf')\n"
    "words = ['good movie', 'bad food', 'i love paris', 'terrible day']\n"
    "df = pd.DataFrame({'review': [words[i % 4] for i in range(120)]})\n"
    "w = hw.WorkflowWidget(data=df, catalog=hw.starter_catalog(), backend=backend)\n"
    "w"
)


def _choose(step: Locator, task: str, model: str) -> None:
    step.get_by_label("Task of step").select_option(task)
    field = step.get_by_label("Model of step")
    field.fill(model)
    field.press("Enter")
    field.blur()  # a text field reports its change when it loses focus


def test_compose_run_and_apply_in_the_page(page: Page, lab: jl.Lab) -> None:
    panel = jl.run_notebook(page, lab, "workflow.ipynb", SETUP)
    widget = panel.locator(".hubwidgets-workflow")
    expect(widget).to_have_count(1)
    clf = jl.kernel_eval(page, "print(clf)").strip()
    status = widget.get_by_role("status")
    expect(status).to_contain_text("No steps yet")

    # step 1: a task, then a model folder typed in
    widget.get_by_role("button", name="Add step").click()
    first = widget.locator("li.hw-step").nth(0)
    _choose(first, "text-classification", clf)
    expect(first.locator(".hw-step-flow")).to_contain_text("takes text")
    expect(status).to_contain_text("(ready)")

    # step 2 cannot take step 1's labels: said under step 2, naming both steps
    widget.get_by_role("button", name="Add step").click()
    second = widget.locator("li.hw-step").nth(1)
    _choose(second, "image-classification", clf)
    problem = second.get_by_role("alert")
    expect(problem).to_contain_text("step 2")
    expect(problem).to_contain_text("step 1")
    expect(status).to_have_class("hw-status hw-error")
    assert jl.kernel_eval(page, "print(w.pipeline)").strip() == "None"
    # fixed from the page: the first step was kept as it was
    second.get_by_role("button", name="Remove step 2").click()
    expect(widget.get_by_role("alert")).to_have_count(0)
    expect(widget.locator("li.hw-step")).to_have_count(1)
    expect(first.get_by_label("Model of step")).to_have_value(clf)

    # a sample: each step's output and latency
    widget.get_by_label("Sample text").fill("good movie")
    widget.get_by_role("button", name="Run on the sample").click()
    sample = widget.get_by_role("table", name="Each step's output on the sample")
    expect(sample.locator("td[data-column=output]")).to_contain_text("label:")
    expect(sample.locator("td[data-column=latency_ms]")).not_to_be_empty()

    # apply to the data: progress to done, then the result a window at a time
    expect(widget.get_by_label("Column of inputs")).to_have_value("review")
    widget.get_by_role("button", name="Apply to every row").click()
    expect(widget.locator(".hw-progress-text")).to_have_text("done", timeout=60_000)
    expect(status).to_contain_text("120 rows in")
    result = widget.get_by_role("table", name="The result: the data with each step's output")
    expect(result.locator("tbody tr")).to_have_count(50)
    expect(widget.locator(".hw-pager-text")).to_have_text("rows 1\u201350 of 120")
    widget.get_by_role("button", name="Next rows").click()
    expect(widget.locator(".hw-pager-text")).to_have_text("rows 51\u2013100 of 120")
    printed = jl.kernel_eval(page, "print(len(w.result), w.result['error'].eq('').all())")
    assert printed.strip() == "120 True"
    jl.screenshot_notebook(page, jl.ARTIFACTS / "workflow_widget.png")
