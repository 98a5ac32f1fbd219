"""JupyterLab in Chromium: the fixtures and helpers every browser test uses (see README.md).

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
  ``kernel_eval(page_or_lab, code)``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.parse import quote, unquote, urlsplit
from urllib.request import urlopen

import nbformat
import pytest
import websocket
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Locator,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)
from playwright.sync_api import (
    TimeoutError as PlaywrightTimeoutError,
)

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
NOTEBOOKS = REPO_ROOT / "notebooks"
ARTIFACTS = HERE / "artifacts"

#: Debian's Chromium; Playwright must never download a browser of its own here.
CHROMIUM = Path(os.environ.get("HUBWIDGETS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
DEFAULT_TIMEOUT_MS = 30_000
LAB_START_TIMEOUT_S = 90.0
#: A full-notebook screenshot is at most this tall (Chromium's limit is 16,384 px).
MAX_SCREENSHOT_HEIGHT = 16_000

BROWSER_MARKER = "browser: drives JupyterLab in Chromium"

#: JupyterLab user settings for a quiet, predictable lab: no news or update toasts (no network
#: here), the notebook's kernel started without asking, every cell kept in the DOM so that
#: prompts, outputs and screenshots are complete, and no blank space past the last cell.
LAB_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {
        "windowingMode": "none",
        "autoStartDefaultKernel": True,
        "scrollPastEnd": False,
    },
}

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
    if os.access(CHROMIUM, os.X_OK):
        return None
    return (
        f"Chromium not found at {CHROMIUM}: run .ci/install-browser (Debian's chromium package) "
        "or set HUBWIDGETS_CHROMIUM; Playwright's own browser downloads are not used"
    )


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
# JupyterLab
# ---------------------------------------------------------------------------------------------


@dataclass
class Lab:
    """A running JupyterLab server (no token) rooted in a temporary copy of ``notebooks/``."""

    url: str
    root: Path
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    token: str = ""

    def api(self, path: str, timeout: float = 10.0) -> Any:
        """GET ``/api/<path>`` and decode its JSON."""
        return _get_json(f"{self.url}/api/{path}", timeout)

    def log_tail(self, lines: int = 80) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _get_json(url: str, timeout: float = 10.0) -> Any:
    with urlopen(url, timeout=timeout) as response:
        return json.load(response)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write_lab_settings(folder: Path) -> None:
    for plugin, values in LAB_SETTINGS.items():
        path = folder / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM lets the server shut its kernels down; SIGKILL the group if it hangs."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """Start JupyterLab on a free loopback port; stop it (and its kernels) at the end."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "root"
    root.mkdir()
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        shutil.copy2(notebook, root / notebook.name)
    settings = base / "user-settings"
    _write_lab_settings(settings)
    (base / "workspaces").mkdir()

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "JUPYTER_RUNTIME_DIR": str(base / "runtime")}
    env.pop("HUBWIDGETS_SNAPSHOT", None)  # the bundled starter snapshot, whatever the caller has
    port = _free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    cmd = [
        str(jupyter),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = base / "jupyterlab.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, cwd=root, env=env, start_new_session=True
        )
    server = Lab(
        url=f"http://127.0.0.1:{port}", root=root, port=port, process=process, log_path=log_path
    )
    try:
        _wait_until_serving(server)
        yield server
    finally:
        _stop(process)


def _wait_until_serving(lab: Lab) -> None:
    deadline = time.monotonic() + LAB_START_TIMEOUT_S
    while True:
        code = lab.process.poll()
        if code is not None:
            pytest.fail(
                f"JupyterLab exited with code {code} before serving:\n{lab.log_tail()}",
                pytrace=False,
            )
        try:
            lab.api("status", timeout=2)
        except (URLError, OSError):
            pass
        else:
            return
        if time.monotonic() > deadline:
            pytest.fail(
                f"JupyterLab did not answer /api/status within {LAB_START_TIMEOUT_S:.0f} s:\n"
                f"{lab.log_tail()}",
                pytrace=False,
            )
        time.sleep(0.2)  # polling a server that is starting: there is no event to wait for


# ---------------------------------------------------------------------------------------------
# Chromium
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium through Playwright (headless)."""
    missing = _chromium_missing()
    if missing:  # only reached on CI: elsewhere the tests were marked skipped at collection
        pytest.fail(f"CI=true and {missing}; .ci/install-browser should have installed it")
    playwright: Playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
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
# Helpers
# ---------------------------------------------------------------------------------------------


def notebook_panel(page: Page) -> Locator:
    """The notebook panel on screen (the current tab of the main area)."""
    return page.locator(".jp-NotebookPanel").filter(visible=True)


def _accept_kernel_dialog(dialog: Locator) -> None:
    dialog.locator(".jp-mod-accept").click()


def open_notebook(page: Page, lab: Lab, name: str, *, timeout_ms: float = 60_000) -> Locator:
    """Open ``name`` (relative to ``lab.root``) in a new empty workspace; wait for its kernel.

    Waits until this page has opened a websocket to the notebook's kernel, the server reports
    that kernel idle, and the notebook's toolbar shows it idle (before a kernel is attached the
    toolbar says "idle" too, so that alone proves nothing). If JupyterLab asks which kernel to
    start ("Select Kernel"), the dialog is accepted, now or whenever it shows up later on this
    page. Returns the notebook panel.
    """
    kernel_dialog = page.locator(".jp-Dialog").filter(has_text="Select Kernel")
    page.add_locator_handler(kernel_dialog, _accept_kernel_dialog)
    kernels: list[str] = []  # ids of the kernels this page connected to, latest last
    page.on("websocket", lambda ws: kernels.extend(_KERNEL_WS.findall(ws.url)))
    workspace = uuid.uuid4().hex[:12]  # a fresh workspace: no tabs restored from earlier tests
    page.goto(f"{lab.url}/lab/workspaces/{workspace}/tree/{quote(name)}")
    panel = notebook_panel(page)
    expect(panel).to_be_visible(timeout=timeout_ms)
    accept = kernel_dialog.locator(".jp-mod-accept")
    deadline = time.monotonic() + timeout_ms / 1000
    while not (kernels and _kernel_idle(lab, name, kernels[-1])):
        if accept.is_visible():
            accept.click()
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{name}: no idle kernel connected within {timeout_ms / 1000:.0f} s; page "
                f"connected to {kernels or 'no kernel'}; sessions: {lab.api('sessions')}"
            )
        page.wait_for_timeout(100)  # polls the server; lets Playwright deliver page events
    expect(panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_be_visible(
        timeout=timeout_ms
    )
    return panel


_KERNEL_WS = re.compile(r"/api/kernels/([0-9a-f-]+)/channels")


def _kernel_idle(lab: Lab, name: str, kernel_id: str) -> bool:
    """Whether the server's session for notebook ``name`` has kernel ``kernel_id``, idle."""
    return any(
        session.get("path") == name
        and (session.get("kernel") or {}).get("id") == kernel_id
        and session["kernel"].get("execution_state") == "idle"
        for session in lab.api("sessions")
    )


#: Watches the panel until some cell shows ``[*]``, then sets ``panel.hwRunStarted``.
_WATCH_RUN_JS = """panel => {
    const running = () => Array.from(panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))
        .some(el => el.textContent.includes('*'));
    panel.hwRunStarted = false;
    const observer = new MutationObserver(() => {
        if (running()) { panel.hwRunStarted = true; observer.disconnect(); }
    });
    observer.observe(panel, {subtree: true, childList: true, characterData: true});
}"""

_RUN_DONE_JS = """panel => {
    const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
    return panel.hwRunStarted === true
        && indicator !== null && indicator.dataset.status === 'idle'
        && !Array.from(panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))
            .some(el => el.textContent.includes('*'));
}"""


def run_all(page: Page, *, timeout_ms: float = 120_000, start_timeout_ms: float = 15_000) -> None:
    """Run > Run All Cells, then wait until no cell shows ``[*]`` and the kernel is idle.

    A mutation observer first waits for some cell to show ``[*]``, so a run that has not started
    yet is never taken for a finished one (the tour's cells keep their saved execution counts).
    A cell that raises stops the run there; the wait ends then too.
    """
    panel = notebook_panel(page)
    panel.evaluate(_WATCH_RUN_JS)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    item = page.locator(".lm-Menu-item[data-command='runmenu:run-all']")
    expect(item).not_to_have_class(re.compile(r"\blm-mod-disabled\b"))
    item.click()
    handle = panel.element_handle()
    try:
        page.wait_for_function(
            "panel => panel.hwRunStarted === true", arg=handle, timeout=start_timeout_ms
        )
    except PlaywrightTimeoutError as error:
        raise AssertionError(
            f"Run All Cells started no cell within {start_timeout_ms / 1000:.0f} s"
        ) from error
    page.wait_for_function(_RUN_DONE_JS, arg=handle, timeout=timeout_ms, polling=100)


def cell_output_text(page: Page, index: int) -> str:
    """The rendered output text of cell ``index`` (as in the .ipynb: markdown cells count)."""
    outputs = (
        notebook_panel(page).locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-OutputArea")
    )
    return "\n".join(outputs.all_inner_texts())


#: Outputs a person sees as errors. JupyterLab renders tracebacks, stderr streams (warnings
#: included) and its own renderer failures ("Javascript Error: ...") with the stderr MIME type;
#: Altair/vega-embed HTML outputs that cannot draw put a red ``div.error`` in place of the chart.
ERROR_OUTPUTS = ", ".join(
    [
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
        ".jp-OutputArea-output [id^='altair-viz'] > .error",
        ".jp-OutputArea-output .vega-embed .error",
    ]
)


def error_outputs(page: Page) -> list[str]:
    """The texts of every output of the notebook on screen that shows an error."""
    return notebook_panel(page).locator(ERROR_OUTPUTS).all_inner_texts()


def find_cell(lab: Lab, name: str, contains: str) -> int:
    """Index of the first cell of notebook ``name`` whose source contains ``contains``."""
    notebook = json.loads((lab.root / name).read_text(encoding="utf-8"))
    for index, cell in enumerate(notebook["cells"]):
        source = cell["source"]
        if contains in ("".join(source) if isinstance(source, list) else source):
            return index
    raise LookupError(f"no cell of {name} contains {contains!r}")


def write_notebook(lab: Lab, name: str, *sources: str) -> str:
    """Write a notebook of code cells (one per source) into ``lab.root``; returns ``name``.

    For tests that need a notebook of their own rather than one of ``notebooks/``.
    """
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in sources],
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
    )
    nbformat.write(notebook, lab.root / name)
    return name


#: How many pixels of the notebook are scrolled out of sight.
_HIDDEN_HEIGHT_JS = """panel => {
    const outer = panel.querySelector('.jp-WindowedPanel-outer');
    return outer ? outer.scrollHeight - outer.clientHeight : 0;
}"""


def screenshot_notebook(page: Page, path: Path) -> Path:
    """A screenshot of the whole notebook: the window is made tall enough to show every cell
    (JupyterLab scrolls inside its panel, so a plain full-page screenshot shows only one screen).
    """
    size = page.viewport_size or VIEWPORT
    panel = notebook_panel(page)
    hidden: int = panel.evaluate(_HIDDEN_HEIGHT_JS)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if hidden > 0:
            height = min(size["height"] + hidden, MAX_SCREENSHOT_HEIGHT)
            page.set_viewport_size({"width": size["width"], "height": height})
            if height < MAX_SCREENSHOT_HEIGHT:
                page.wait_for_function(
                    f"panel => ({_HIDDEN_HEIGHT_JS})(panel) <= 1", arg=panel.element_handle()
                )
        page.screenshot(path=path, full_page=True)
    finally:
        page.set_viewport_size({"width": size["width"], "height": size["height"]})
    return path


# ---------------------------------------------------------------------------------------------
# Running code in the notebook's kernel
# ---------------------------------------------------------------------------------------------


class KernelEvalError(AssertionError):
    """The code raised in the kernel (the message carries the traceback)."""


def _kernel_id(base_url: str, notebook: str | None) -> str:
    sessions: list[dict[str, Any]] = _get_json(f"{base_url}/api/sessions")
    if notebook is not None:
        matches = [s for s in sessions if s.get("path") == notebook]
    else:
        matches = [s for s in sessions if s.get("type") == "notebook"]
    if len(matches) != 1:
        open_paths = [s.get("path") for s in sessions]
        raise LookupError(
            f"expected one session for notebook {notebook or '(any)'}, found {len(matches)}; "
            f"open sessions: {open_paths}"
        )
    return str(matches[0]["kernel"]["id"])


def _execute_request(code: str, session: str) -> tuple[str, str]:
    msg_id = uuid.uuid4().hex
    message = {
        "header": {
            "msg_id": msg_id,
            "msg_type": "execute_request",
            "session": session,
            "username": "hubwidgets-tests",
            "date": datetime.now(timezone.utc).isoformat(),
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "content": {
            "code": code,
            "silent": False,
            "store_history": False,  # leaves the notebook's execution counts alone
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": False,
        },
        "channel": "shell",
        "buffers": [],
    }
    return msg_id, json.dumps(message)


def kernel_eval(
    target: Page | Lab, code: str, *, notebook: str | None = None, timeout: float = 30.0
) -> str:
    """Run ``code`` in the kernel of an open notebook and return what it printed to stdout.

    ``target`` is the page showing the notebook (its URL names the notebook and the server) or
    the ``lab`` (then ``notebook`` names it, or the one open notebook is used). The code runs
    over the kernel's websocket beside the browser's own connection, without touching the
    notebook's cells or execution counts. If its last line is an expression, its ``text/plain``
    value follows the printed text, as in a notebook. Raises ``KernelEvalError`` if it raises.
    """
    if isinstance(target, Lab):
        base_url = target.url
    else:
        parts = urlsplit(target.url)
        base_url = f"{parts.scheme}://{parts.netloc}"
        if notebook is None and "/tree/" in parts.path:  # /lab/[workspaces/<id>/]tree/<path>
            notebook = unquote(parts.path.split("/tree/", 1)[1])
    kernel_id = _kernel_id(base_url, notebook)
    session = uuid.uuid4().hex
    ws_url = base_url.replace("http", "ws", 1)
    connection = websocket.create_connection(
        f"{ws_url}/api/kernels/{kernel_id}/channels?session_id={session}", timeout=timeout
    )
    try:
        msg_id, request = _execute_request(code, session)
        connection.send(request)
        return _collect_reply(connection, msg_id, code, timeout)
    finally:
        connection.close()


def _collect_reply(connection: websocket.WebSocket, msg_id: str, code: str, timeout: float) -> str:
    """Read messages until both the shell reply and iopub's ``idle`` for ``msg_id`` arrived."""
    stdout: list[str] = []
    stderr: list[str] = []
    result: list[str] = []
    error: dict[str, Any] | None = None
    replied = idle = False
    deadline = time.monotonic() + timeout
    while not (replied and idle):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"kernel gave no complete reply within {timeout} s to:\n{code}")
        connection.settimeout(remaining)
        frame = connection.recv()
        if isinstance(frame, bytes):  # messages with binary buffers (widget comms): not ours
            continue
        message = json.loads(frame)
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = message["msg_type"]
        content = message["content"]
        if kind == "stream":
            (stdout if content["name"] == "stdout" else stderr).append(content["text"])
        elif kind == "execute_result":
            result.append(content["data"].get("text/plain", "") + "\n")
        elif kind == "error":
            error = content
        elif kind == "execute_reply":
            replied = True
        elif kind == "status" and content["execution_state"] == "idle":
            idle = True
    if error is not None:
        traceback = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error["traceback"]))
        raise KernelEvalError(
            f"{error['ename']}: {error['evalue']} while running:\n{code}\n{traceback}\n"
            f"stderr: {''.join(stderr)}"
        )
    return "".join(stdout) + "".join(result)
