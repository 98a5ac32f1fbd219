"""BenchmarkWidget in JupyterLab: Run and watch it, the table and charts; Cancel; a bad model; a
run from Python, shown live and in a view drawn after it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest
from playwright.sync_api import Locator, Page, expect

from . import conftest as jl

#: The notebook every test here writes its cells into (one kernel for them all).
NOTEBOOK = "benchmark-widget.ipynb"

#: Records what the widget shows on every change of its progress text, class or status line,
#: so a run that is over before Playwright looks still leaves a trace of what it showed.
_WATCH_JS = """root => {
    const bar = root.querySelector('progress');
    const text = root.querySelector('.hw-progress-text');
    const status = root.querySelector('[role=status]');
    root.hwSeen = [];
    const note = () => root.hwSeen.push({
        value: bar.value,
        text: text.textContent,
        running: root.classList.contains('hw-running'),
        status: status.textContent,
    });
    new MutationObserver(note).observe(
        root, {subtree: true, childList: true, characterData: true, attributes: true}
    );
}"""


@pytest.fixture(scope="module")
def classifiers(tiny_models: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Two tiny text classifier folders (the kernel runs on this machine: paths work there)."""
    from hubwidgets.testing.models import tiny_text_classifier  # noqa: PLC0415

    other = tiny_text_classifier(tmp_path_factory.mktemp("classifier-b") / "model", ("no", "yes"))
    return [tiny_models["text-classification"], other]


@pytest.fixture(scope="module")
def notebook(lab: jl.Lab) -> Iterator[str]:
    """One notebook for every test here, so they share a warm kernel (torch imported once);
    each test writes its own cells into it. Its kernel is shut down at the end."""
    yield NOTEBOOK
    # the server wants its _xsrf cookie echoed in a header on a DELETE
    cookies = CookieJar()
    opener = build_opener(HTTPCookieProcessor(cookies))
    opener.open(f"{lab.url}/lab", timeout=10).close()
    xsrf = next((c.value or "" for c in cookies if c.name == "_xsrf"), "")
    for session in lab.api("sessions"):
        if session.get("path") == NOTEBOOK:
            url = f"{lab.url}/api/sessions/{session['id']}"
            request = Request(url, method="DELETE", headers={"X-XSRFToken": xsrf})
            opener.open(request, timeout=10).close()


def _notebook(lab: jl.Lab, name: str, models: list[str], **options: Any) -> str:
    args = ", ".join(f"{key}={value!r}" for key, value in options.items())
    return jl.write_notebook(
        lab,
        name,
        "import hubwidgets as hw",
        f'w = hw.BenchmarkWidget(models={models!r}, task="text-classification", {args})\nw',
    )


def _open(page: Page, lab: jl.Lab, name: str) -> Locator:
    jl.open_notebook(page, lab, name)
    jl.run_all(page)
    assert jl.error_outputs(page) == []
    widget = jl.notebook_panel(page).locator(".hubwidgets-benchmark")
    expect(widget).to_have_count(1)
    expect(widget.get_by_role("button", name="Run")).to_be_enabled()
    expect(widget.get_by_role("button", name="Cancel")).to_be_disabled()
    return widget


def _rows(widget: Locator) -> Locator:
    return widget.get_by_role("table").locator("tbody tr")


def _row(widget: Locator, model: str) -> Locator:
    return widget.get_by_role("table").locator(f"tbody tr[data-model='{model}']")


def _number(text: str) -> float:
    return float(text.replace(",", "").split()[0])


def test_run_fills_the_table_and_draws_charts(
    page: Page, lab: jl.Lab, notebook: str, classifiers: list[str]
) -> None:
    name = _notebook(lab, notebook, classifiers, min_iterations=5, min_duration_s=0.5, warmup=1)
    widget = _open(page, lab, name)
    status = widget.get_by_role("status")
    expect(status).to_contain_text("2 models · text-classification")
    widget.evaluate(_WATCH_JS)

    widget.get_by_role("button", name="Run").click()
    expect(status).to_contain_text(re.compile(r"^Done · 2 of 2 ran in"), timeout=60_000)
    seen: list[dict[str, Any]] = widget.evaluate("root => root.hwSeen")
    # while it ran: the widget was marked running, the status said so, the bar moved
    running = [s for s in seen if s["running"]]
    assert running, seen
    assert any(s["status"].startswith("Running 2 model(s) on") for s in running), running
    assert any(0 < s["value"] < 1 for s in running), running
    assert len({s["text"] for s in running}) >= 3, running  # the progress text changed
    expect(widget.get_by_role("button", name="Run")).to_be_enabled()
    expect(widget.get_by_role("button", name="Cancel")).to_be_disabled()
    expect(widget.locator("progress")).to_have_js_property("value", 1)

    # one row per model, ok, with numbers; the same p50 as the kernel's result
    expect(_rows(widget)).to_have_count(2)
    summary = json.loads(
        jl.kernel_eval(
            page,
            "print(w.result.summary[['model', 'batch_size', 'status', 'p50_ms']]"
            ".to_json(orient='records'))",
        )
    )
    assert sorted(r["model"] for r in summary) == sorted(classifiers)
    for record in summary:
        row = _row(widget, record["model"])
        expect(row.locator("td.hw-status-cell")).to_have_text("ok")
        p50_text = row.locator("td[data-column='p50_ms']").inner_text()
        assert record["status"] == "ok" and record["p50_ms"] > 0
        # the page rounds to 0.1 ms: the same value, whichever way a tie rounds
        assert abs(_number(p50_text) - record["p50_ms"]) <= 0.05 + 1e-9, (p50_text, record)
        for column in ("p90_ms", "items_per_s"):
            assert _number(row.locator(f"td[data-column='{column}']").inner_text()) > 0
    # the fastest model is marked
    expect(widget.locator("td.hw-best[data-column='p50_ms']")).to_have_count(1)

    # the charts, drawn in the kernel, show as SVG pictures
    charts = widget.locator(".hw-charts figure.hw-chart")
    expect(charts.first.locator("svg")).to_be_visible()
    expect(charts.locator("svg[role=img][aria-label='Latency per call']")).to_have_count(1)
    assert jl.kernel_eval(page, "print(sorted(w._charts))").startswith("['latency'")
    assert jl.error_outputs(page) == []
    jl.screenshot_notebook(page, jl.ARTIFACTS / "benchmark_widget.png")


def test_cancel_stops_a_long_run(
    page: Page, lab: jl.Lab, notebook: str, classifiers: list[str]
) -> None:
    name = _notebook(lab, notebook, classifiers, min_iterations=5, min_duration_s=30, warmup=1)
    widget = _open(page, lab, name)
    run = widget.get_by_role("button", name="Run")
    cancel = widget.get_by_role("button", name="Cancel")
    status = widget.get_by_role("status")

    run.click()
    expect(cancel).to_be_enabled()
    expect(run).to_be_disabled()
    expect(status).to_contain_text("Running 2 model(s)")
    # let it reach the measuring of the first model, then cancel
    expect(widget.locator(".hw-progress-text")).to_contain_text("measuring", timeout=20_000)
    cancel.click()
    expect(status).to_contain_text(re.compile(r"^Cancelled"), timeout=5_000)
    expect(run).to_be_enabled()
    expect(cancel).to_be_disabled()
    expect(widget.locator(".hw-progress-text")).to_have_text("cancelled")
    assert jl.kernel_eval(page, "print(w.result.cancelled, w.running)") == "True False\n"
    # the model that was cut short and the one never started both say so
    expect(_rows(widget)).to_have_count(2)
    expect(_row(widget, classifiers[1]).locator("td.hw-status-cell")).to_have_text("cancelled")
    assert jl.error_outputs(page) == []


def test_an_unknown_model_fails_in_its_row_only(
    page: Page, lab: jl.Lab, notebook: str, classifiers: list[str], tmp_path: Path
) -> None:
    good = classifiers[0]
    missing = str(tmp_path / "no-such-model")
    name = _notebook(lab, notebook, [good], min_iterations=3, min_duration_s=0.2, warmup=1)
    widget = _open(page, lab, name)
    box = widget.get_by_role("textbox", name="Add model by id or path")
    box.fill(missing)
    box.press("Enter")
    expect(box).to_have_value("")
    expect(widget.locator(f"li.hw-model-item[data-model='{missing}']")).to_be_visible()
    assert jl.kernel_eval(page, "print(w.models)") == f"{[good, missing]}\n"

    widget.get_by_role("button", name="Run").click()
    status = widget.get_by_role("status")
    expect(status).to_contain_text(
        re.compile(r"^Done · 1 of 2 ran in .* · 1 failed"), timeout=60_000
    )
    expect(_rows(widget)).to_have_count(2)
    expect(_row(widget, good).locator("td.hw-status-cell")).to_have_text("ok")
    bad = _row(widget, missing)
    expect(bad.locator("td.hw-status-cell")).to_contain_text(re.compile(r"^error \S"))
    expect(bad.locator(".hw-row-error")).to_be_visible()
    expect(bad.locator("td[data-column='p50_ms']")).to_have_text("—")
    assert "Traceback" not in bad.inner_text()
    # nothing went to the output area but the widget: no traceback, no stderr
    assert jl.error_outputs(page) == []
    expect(jl.notebook_panel(page).get_by_text("Traceback")).to_have_count(0)
    assert jl.kernel_eval(page, "print(w.error == '', w.result.summary['status'].tolist())") == (
        "True ['ok', 'error']\n"
    )


def test_a_run_from_python_shows_live_in_the_page(
    page: Page, lab: jl.Lab, notebook: str, classifiers: list[str]
) -> None:
    """``w.run(wait=True)`` in the kernel, not the page's Run: the view follows the run (its
    progress, then the table and charts) from the synced state."""
    name = _notebook(lab, notebook, classifiers, min_iterations=3, min_duration_s=0.5, warmup=1)
    widget = _open(page, lab, name)
    widget.evaluate(_WATCH_JS)
    printed = jl.kernel_eval(
        page, "r = w.run(wait=True)\nprint(r.summary['status'].tolist())", timeout=120
    )
    assert printed == "['ok', 'ok']\n"
    status = widget.get_by_role("status")
    expect(status).to_contain_text(re.compile(r"^Done · 2 of 2 ran in"), timeout=20_000)
    seen: list[dict[str, Any]] = widget.evaluate("root => root.hwSeen")
    running = [s for s in seen if s["running"]]
    assert any(s["status"].startswith("Running 2 model(s) on") for s in running), seen
    assert len({s["text"] for s in running}) >= 3, running  # the progress text moved
    expect(_rows(widget)).to_have_count(2)
    for model in classifiers:
        expect(_row(widget, model).locator("td.hw-status-cell")).to_have_text("ok")
    expect(widget.locator(".hw-charts figure.hw-chart svg").first).to_be_visible()
    expect(widget.get_by_role("button", name="Run")).to_be_enabled()
    assert jl.error_outputs(page) == []


def test_a_view_drawn_after_a_python_run_shows_its_results(
    page: Page, lab: jl.Lab, notebook: str, classifiers: list[str]
) -> None:
    """The run ends before the widget is displayed: the view is drawn from state alone."""
    name = jl.write_notebook(
        lab,
        notebook,
        "import hubwidgets as hw",
        f"w = hw.BenchmarkWidget(models={classifiers!r}, task='text-classification', "
        "min_iterations=3, min_duration_s=0.2, warmup=1)\nr = w.run(wait=True)",
        "w",
    )
    widget = _open(page, lab, name)
    expect(widget.get_by_role("status")).to_contain_text(re.compile(r"^Done · 2 of 2 ran in"))
    expect(_rows(widget)).to_have_count(2)
    expect(widget.locator("td.hw-best[data-column='p50_ms']")).to_have_count(1)
    expect(widget.locator(".hw-charts figure.hw-chart svg").first).to_be_visible()
    expect(widget.locator("progress")).to_have_js_property("value", 1)
    assert jl.error_outputs(page) == []
