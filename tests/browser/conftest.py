"""JupyterLab in Chromium: the fixtures and helpers every browser test uses (see README.md).

The harness itself lives in :mod:`hubwidgets.testing.lab` (``benchmarks/widget.py`` uses it
too); this file wraps it in fixtures and re-exports its helpers.

Fixtures
- ``lab`` (session): a JupyterLab server on 127.0.0.1 with no token, rooted in a temporary copy of
  ``notebooks/*.ipynb``, its kernels offline (``HF_HUB_OFFLINE=1``: the bundled starter snapshot).
- ``browser`` (session): Debian's Chromium (``/usr/bin/chromium``) driven by Playwright. Without
  it the folder is skipped, except under ``CI=true``, where that is an error.
- ``page``: a fresh 1280x900 browser context and page; on failure its screenshot, console log and
  HTML are saved to ``tests/browser/artifacts/``.

Helpers (import them with ``from .conftest import ...``)
- ``open_notebook(page, lab, name)``, ``run_all(page)``, ``cell_output_text(page, index)``,
  ``error_outputs(page)``, ``find_cell(lab, name, contains)``,
  ``write_notebook(lab, name, *sources)``, ``screenshot_notebook(page, path)``,
  ``kernel_eval(page_or_lab, code)``;
- ``run_notebook(page, lab, name, *cells)``: write, open and run a notebook, no error outputs;
  ``shared_page(browser, lab, name, *cells)``: one run notebook for a module's tests, with
  ``screenshot_if_failed(page, request)``; ``MODEL_SETUP``: the kernel preamble for tiny models.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Locator,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from hubwidgets.testing.lab import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ERROR_OUTPUTS,
    LAB_SETTINGS,
    LAB_START_TIMEOUT_S,
    MAX_SCREENSHOT_HEIGHT,
    VIEWPORT,
    KernelEvalError,
    Lab,
    LabError,
    cell_output_text,
    chromium_missing,
    error_outputs,
    find_cell,
    kernel_eval,
    launch_chromium,
    notebook_panel,
    open_notebook,
    run_all,
    screenshot_notebook,
    start_lab,
    write_notebook,
)

__all__ = [
    "ARTIFACTS",
    "BROWSER_MARKER",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "DEFAULT_TIMEOUT_MS",
    "ERROR_OUTPUTS",
    "LAB_SETTINGS",
    "LAB_START_TIMEOUT_S",
    "MAX_SCREENSHOT_HEIGHT",
    "MODEL_SETUP",
    "NOTEBOOKS",
    "REPO_ROOT",
    "VIEWPORT",
    "KernelEvalError",
    "Lab",
    "cell_output_text",
    "error_outputs",
    "find_cell",
    "kernel_eval",
    "notebook_panel",
    "open_notebook",
    "run_all",
    "run_notebook",
    "screenshot_if_failed",
    "screenshot_notebook",
    "shared_page",
    "write_notebook",
]

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
NOTEBOOKS = REPO_ROOT / "notebooks"
ARTIFACTS = HERE / "artifacts"

DEFAULT_TIMEOUT_MS = 30_000

BROWSER_MARKER = "browser: drives JupyterLab in Chromium"

expect.set_options(timeout=DEFAULT_TIMEOUT_MS)

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


# ---------------------------------------------------------------------------------------------
# Marker, skip and failure reports
# ---------------------------------------------------------------------------------------------


def _in_this_folder(item: pytest.Item) -> bool:
    return HERE in item.path.parents


def _on_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    return chromium_missing()


def pytest_configure(config: pytest.Config) -> None:
    # pyproject.toml registers the marker too; this keeps --strict-markers happy without it.
    if not any(line.split(":")[0].strip() == "browser" for line in config.getini("markers")):
        config.addinivalue_line("markers", BROWSER_MARKER)


@pytest.hookimpl(tryfirst=True)  # before -m "not browser" deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = _chromium_missing()
    for item in items:
        if not _in_this_folder(item):
            continue
        item.add_marker(pytest.mark.browser)
        if missing and not _on_ci():  # on CI the ``browser`` fixture fails instead
            item.add_marker(pytest.mark.skip(reason=missing))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    if _in_this_folder(item):
        item.stash.setdefault(_REPORTS, {})[report.when] = report
        lab = getattr(item, "funcargs", {}).get("lab")
        if report.failed and isinstance(lab, Lab):
            report.sections.append(("JupyterLab log (last 80 lines)", lab.log_tail(80)))
            ARTIFACTS.mkdir(exist_ok=True)
            shutil.copyfile(lab.log_path, ARTIFACTS / f"{_safe_name(item.nodeid)}.jupyterlab.log")
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    return any(r.failed for r in request.node.stash.get(_REPORTS, {}).values())


def _safe_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """Start JupyterLab on a free loopback port; stop it (and its kernels) at the end."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "root"
    root.mkdir()
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        shutil.copy2(notebook, root / notebook.name)
    try:
        server = start_lab(base)
    except LabError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium through Playwright (headless)."""
    missing = _chromium_missing()
    if missing:  # only reached on CI: elsewhere the tests were marked skipped at collection
        pytest.fail(f"CI=true and {missing}; .ci/install-browser should have installed it")
    playwright: Playwright = sync_playwright().start()
    try:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A new 1280x900 page; its screenshot, console log and HTML are kept when the test fails."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    new_page = context.new_page()
    console: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        where = message.location
        console.append(f"[{message.type}] {message.text} ({where.get('url')}:{where.get('line')})")

    new_page.on("console", on_console)
    new_page.on("pageerror", lambda error: console.append(f"[pageerror] {error}"))
    try:
        yield new_page
    finally:
        if _failed(request):
            _save_artifacts(new_page, console, _safe_name(request.node.nodeid))
        context.close()


def _save_artifacts(page: Page, console: list[str], name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{name}.console.log").write_text("\n".join(console) + "\n", encoding="utf-8")
    try:
        page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True, timeout=10_000)
        (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
    except Error as error:  # a crashed or closed page: keep what we have
        (ARTIFACTS / f"{name}.screenshot-error.txt").write_text(str(error), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Notebooks several tests share
# ---------------------------------------------------------------------------------------------

#: The start of a notebook whose kernel runs tiny local models (made by later lines into
#: ``root``): transformers quiet, the package imported, one CPU backend for every widget.
MODEL_SETUP = """\
import os
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
import tempfile
import transformers
transformers.utils.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()
import hubwidgets as hw
from hubwidgets.core.inference.backends import LocalBackend
from hubwidgets.testing import models as tiny
root = tempfile.mkdtemp()
backend = LocalBackend(device="cpu")
"""


def run_notebook(page: Page, lab: Lab, name: str, *cells: str) -> Locator:
    """Write a notebook of ``cells``, open it, run it all; its panel, once no output is an
    error."""
    open_notebook(page, lab, write_notebook(lab, name, *cells))
    run_all(page)
    assert error_outputs(page) == []
    return notebook_panel(page)


@contextmanager
def shared_page(browser: Browser, lab: Lab, name: str, *cells: str) -> Iterator[Page]:
    """One page with a notebook run, for the tests of a module to share (one kernel: torch is
    imported once). A page error during the tests fails the last one."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    console: list[str] = []
    page.on("pageerror", lambda error: console.append(f"[pageerror] {error}"))
    try:
        run_notebook(page, lab, name, *cells)
        yield page
        assert console == [], console
    finally:
        context.close()


def screenshot_if_failed(page: Page, request: pytest.FixtureRequest) -> None:
    """A screenshot of a shared page after a failed test (the ``page`` fixture, which keeps
    one, is not used with a shared page)."""
    if _failed(request):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
