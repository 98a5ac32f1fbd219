"""Exported notebooks show the widgets' results, opened offline in Chromium.

One small notebook (a SearchWidget, a CompareWidget and a GovernanceWidget of two models, a
BenchmarkWidget run and a Playground run on a tiny random-weight classifier made in the kernel)
is exported twice with
``jupyter nbconvert --to html --execute``, the two runs side by side:

- with nbconvert's default options, which store the widget state: the page draws the widgets
  from that state alone with the widget manager's embed script. The page is opened from its
  file with every request that would leave the machine intercepted: the CDN files it asks for
  (require.js, ``@jupyter-widgets/html-manager``, ``anywidget``) are served from the npm
  packages at the versions the page names (:mod:`hubwidgets.testing.embed`), anything else is
  aborted. The results must be text drawn by the widget views, not by the ``text/html``
  fallback;
- with ``--ExecutePreprocessor.store_widget_state=False``: no state, so the page shows each
  widget's ``text/html`` report instead.

Needs npm (to fetch the embed files; its cache makes later runs quick and offline): without it
the tests are skipped, except under ``CI=true`` where that is a failure.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect

from hubwidgets.core.catalog.searchable import Searchable
from hubwidgets.testing.embed import EmbedAssets, npm_missing

from . import conftest as jl

QUERY = "whisper"
COMPARED = ("openai-community/gpt2", "Qwen/Qwen2.5-1.5B-Instruct")
LABELS = ("calm", "storm")
#: Seconds one export (a kernel, torch imported, four widgets, two tiny runs) may take.
EXPORT_TIMEOUT_S = 240  # under pytest-timeout's 300 s
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: The widget views each export draws: all five from the state, none without it.
VIEWS = {"state": 5, "no-state": 0}


def _cells(model_dir: Path) -> list[str]:
    return [
        "import hubwidgets as hw\ncatalog = hw.starter_catalog()",
        f"s = hw.SearchWidget(catalog, query={QUERY!r})\ns",
        f"c = hw.CompareWidget({list(COMPARED)!r}, catalog=catalog)\nc",
        f"g = hw.GovernanceWidget({list(COMPARED)!r}, catalog=catalog)\ng",
        "from hubwidgets.testing import models as tiny\n"
        f"model = tiny.tiny_text_classifier({str(model_dir)!r}, {LABELS!r})",
        'b = hw.BenchmarkWidget(models=[model], task="text-classification",\n'
        '                       inputs=["a good film", "a bad film"],\n'
        "                       warmup=0, min_iterations=2, min_duration_s=0)\n"
        "b.run(wait=True)\n"
        "b",
        'p = hw.Playground("text-classification", [model], backend="local")\n'
        'p.run("a good film")\n'
        "p",
    ]


@dataclass
class Export:
    """One exported notebook: its HTML, the tiny model's folder, and what making it took."""

    html: Path
    model: str
    seconds: float


def _on_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> EmbedAssets:
    """The embed files, fetched from npm into a folder of this run (skipped without npm, except
    on CI)."""
    missing = npm_missing()
    if missing:
        if _on_ci():
            pytest.fail(f"CI=true and {missing}", pytrace=False)
        pytest.skip(missing)
    return EmbedAssets(tmp_path_factory.mktemp("npm-packs"))


@pytest.fixture(scope="module")
def exports(assets: EmbedAssets, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Export]:
    """The notebook exported with its widget state ("state") and without ("no-state"), the two
    nbconvert runs side by side."""
    base = tmp_path_factory.mktemp("exports")
    variants = {"state": [], "no-state": ["--ExecutePreprocessor.store_widget_state=False"]}
    environ = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    environ.pop("HUBWIDGETS_SNAPSHOT", None)
    # the venv's jupyter, with its defaults but for a variant's options: what a user types
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute"]
    running: dict[str, tuple[subprocess.Popen[bytes], Path, float]] = {}
    with ExitStack() as stack:
        for name, options in variants.items():
            folder = base / name
            folder.mkdir()
            model = folder / "calm-model"
            notebook = nbformat.v4.new_notebook(
                cells=[nbformat.v4.new_code_cell(source) for source in _cells(model)]
            )
            notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
            nbformat.write(notebook, folder / "export.ipynb")
            log = stack.enter_context((folder / "nbconvert.log").open("wb"))
            process = subprocess.Popen(
                [*command, *options, "export.ipynb"],
                cwd=folder,
                env=environ,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # stopped by its group's id (_stop)
            )
            stack.callback(_stop, process)
            running[name] = (process, model, time.perf_counter())
        done: dict[str, Export] = {}
        for name, (process, model, start) in running.items():
            with suppress(subprocess.TimeoutExpired):  # a timeout is reported below
                process.wait(timeout=max(1.0, EXPORT_TIMEOUT_S - (time.perf_counter() - start)))
            html = model.parent / "export.html"
            if process.returncode != 0 or not html.is_file():
                log_text = (model.parent / "nbconvert.log").read_text(errors="replace")
                why = f"exit {process.returncode}" if process.returncode is not None else "timeout"
                pytest.fail(f"nbconvert ({name}) failed ({why}):\n{log_text[-4000:]}", False)
            done[name] = Export(html, str(model), time.perf_counter() - start)
    print(", ".join(f"export {name}: {e.seconds:.1f} s" for name, e in done.items()))
    return done


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop an nbconvert run still going (a failed or timed-out export); its kernel watches
    it and exits with it."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass
class Opened:
    """An export opened in the browser, and what its page reported."""

    page: Page
    assets: EmbedAssets
    errors: list[str]


@contextmanager
def _open(browser: Browser, export: Export, cache: Path, *, views: int) -> Iterator[Opened]:
    """Open ``export`` offline; wait until ``views`` widget views are drawn."""
    context = browser.new_context(viewport=jl.VIEWPORT)
    context.set_default_timeout(jl.DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    # only the export itself is read from disk: anything else local is aborted like the web
    assets = EmbedAssets(cache, allow=(export.html.as_uri(),))
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        url = message.location.get("url", "")
        # an aborted request's own console line is expected (MathJax, require.js' local try)
        if message.type == "error" and not any(a.startswith(url) for a in assets.aborted if url):
            errors.append(f"{message.text} ({url}:{message.location.get('line')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"[pageerror] {error}"))
    assets.route(page)
    where = export.html.parent.name
    start = time.perf_counter()
    try:
        fetched = assets.prefetch(export.html.read_text(encoding="utf-8"))
    except RuntimeError as error:  # npm is here (else skipped) but cannot fetch: say why
        pytest.fail(str(error), pytrace=False)
    print(f"\n{where}: npm packs {fetched} ready in {time.perf_counter() - start:.1f} s")
    try:
        start = time.perf_counter()
        page.goto(export.html.as_uri(), wait_until="load")
        try:
            expect(page.locator(".jupyter-widgets .hubwidgets")).to_have_count(views)
        except AssertionError as error:  # say what the page could not get (npm offline...)
            raise AssertionError(f"{error}\naborted: {assets.aborted}\nerrors: {errors}") from None
        print(f"{where}: {views} views drawn {time.perf_counter() - start:.1f} s after opening")
        yield Opened(page, assets, errors)
    finally:
        served = "".join(f"\n  {s.url} <- npm {s.package} ({s.version})" for s in assets.served)
        aborted = "".join(f"\n  {url}" for url in assets.aborted)
        print(f"\n{where}: served:{served or ' nothing'}\n{where}: aborted:{aborted}")
        context.close()


@pytest.fixture(scope="module")
def pages(
    browser: Browser, exports: dict[str, Export], assets: EmbedAssets
) -> Iterator[dict[str, Opened]]:
    """Both exports opened, each in its own page: with state its four views drawn, without
    none."""
    with ExitStack() as stack:
        yield {
            name: stack.enter_context(_open(browser, export, assets.cache, views=VIEWS[name]))
            for name, export in exports.items()
        }


@pytest.fixture
def with_state(pages: dict[str, Opened], request: pytest.FixtureRequest) -> Iterator[Opened]:
    yield pages["state"]
    _screenshot_if_failed(pages["state"], request)


@pytest.fixture
def without_state(pages: dict[str, Opened], request: pytest.FixtureRequest) -> Iterator[Opened]:
    yield pages["no-state"]
    _screenshot_if_failed(pages["no-state"], request)


def _screenshot_if_failed(opened: Opened, request: pytest.FixtureRequest) -> None:
    """The shared page of a failed test, and its errors (the conftest's ``page`` is not used)."""
    if any(r.failed for r in request.node.stash.get(jl._REPORTS, {}).values()):
        jl.ARTIFACTS.mkdir(exist_ok=True)
        path = jl.ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', request.node.name)}.png"
        opened.page.screenshot(path=path, full_page=True)
        path.with_suffix(".console.log").write_text("\n".join(opened.errors) + "\n")


@cache
def _catalog() -> Searchable:
    import hubwidgets as hw  # noqa: PLC0415 (pandas: only when the tests run)

    return hw.starter_catalog()


def _first_ids(n: int) -> list[str]:
    """The first ``n`` ids the SearchWidget lists: the catalog's own answer, best first."""
    found = _catalog().search(QUERY, sort="downloads", limit=n)
    return [str(i) for i in found["id"]]


def _view(page: Page, widget: str) -> Locator:
    """The view a widget drew in its output (anywidget's element, under the manager's)."""
    return page.locator(f".jupyter-widgets .hubwidgets-{widget}")


def _expect_drawn(page: Page, widget: str, texts: list[str]) -> None:
    """Each of ``texts`` is shown by ``widget``'s view, and nowhere by a text/html report."""
    view = _view(page, widget)
    expect(view).to_have_count(1)
    for text in texts:
        expect(view.get_by_text(text, exact=True).first).to_be_visible()
    reports = page.locator(".jp-RenderedHTMLCommon")
    for text in texts:
        expect(reports.get_by_text(text, exact=True)).to_have_count(0)


# ---------------------------------------------------------------------------------------------
# With widget state (nbconvert's default)
# ---------------------------------------------------------------------------------------------


def test_the_default_export_holds_the_state_of_every_view(exports: dict[str, Export]) -> None:
    html = exports["state"].html.read_text(encoding="utf-8")
    found = re.search(rf'<script type="{re.escape(WIDGET_STATE)}">\s*(.*?)\s*</script>', html, re.S)
    assert found, "the export holds no widget state"
    state = json.loads(found.group(1))["state"]
    views = re.findall(r'"model_id": "([0-9a-f]+)"', html)
    assert len(views) == 5
    assert all(model_id in state for model_id in views)
    names = sorted(state[m]["state"].get("_widget") for m in views)
    assert names == ["benchmark", "compare", "governance", "playground", "search"]


def test_search_draws_its_first_results_from_the_state(with_state: Opened) -> None:
    page = with_state.page
    _expect_drawn(page, "search", _first_ids(3))
    view = _view(page, "search")
    expect(view).to_contain_text(f"{_catalog().count(QUERY)} models")  # the status line
    # the facets count what matches
    expect(view.get_by_text("automatic-speech-recognition", exact=True).first).to_be_visible()


def test_compare_draws_its_matrix_from_the_state(with_state: Opened) -> None:
    _expect_drawn(with_state.page, "compare", list(COMPARED))


def test_governance_draws_its_verdicts_from_the_state(with_state: Opened) -> None:
    _expect_drawn(with_state.page, "governance", list(COMPARED))
    view = _view(with_state.page, "governance")
    expect(view.locator("table.hw-governance-table tbody tr")).to_have_count(2)
    expect(view.locator(".hw-verdict").first).to_be_visible()  # a badge per model
    expect(view.locator(".hw-tree-node").first).to_be_visible()  # the first model's tree


def test_benchmark_draws_its_summary_from_the_state(
    with_state: Opened, exports: dict[str, Export]
) -> None:
    page = with_state.page
    model = exports["state"].model
    row = _view(page, "benchmark").locator("tbody tr").filter(has_text=model)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("ok")
    _expect_drawn(page, "benchmark", [model])


def test_playground_draws_its_last_run_from_the_state(with_state: Opened) -> None:
    _expect_drawn(with_state.page, "playground", list(LABELS))


def test_no_widget_error(with_state: Opened) -> None:
    """Runs last in the module: every view drew without an error on the page or in the views."""
    page = with_state.page
    for widget in ("search", "compare", "governance", "benchmark", "playground"):
        expect(_view(page, widget)).to_have_count(1)
    expect(page.locator(".jupyter-widgets .hw-error")).to_have_count(0)
    expect(page.get_by_text("Error displaying widget")).to_have_count(0)
    expect(page.get_by_text(re.compile("front-end code did not arrive"))).to_have_count(0)
    assert with_state.errors == []
    served = [s.package for s in with_state.assets.served]
    for package in ("requirejs@", "@jupyter-widgets/html-manager@", "anywidget@"):
        assert any(p.startswith(package) for p in served), served


# ---------------------------------------------------------------------------------------------
# Without widget state: the text/html reports
# ---------------------------------------------------------------------------------------------


def test_an_export_without_state_shows_the_reports(
    without_state: Opened, exports: dict[str, Export]
) -> None:
    page = without_state.page
    html = exports["no-state"].html.read_text(encoding="utf-8")
    assert f'<script type="{WIDGET_STATE}">' not in html
    expect(page.locator(".jupyter-widgets .hubwidgets")).to_have_count(0)
    reports = page.locator(".jp-RenderedHTMLCommon")
    for text in [*_first_ids(3), *COMPARED, exports["no-state"].model]:
        expect(reports.filter(has_text=text).first).to_be_visible()
    expect(reports.filter(has_text=LABELS[1]).first).to_be_visible()
    # the GovernanceWidget's report: its verdicts table, captioned by its status line
    expect(reports.filter(has_text=re.compile(r"2 models: \d+ allow")).first).to_be_visible()
    assert without_state.errors == []
