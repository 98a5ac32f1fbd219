"""JupyterLab in Chromium, driven by Playwright: what the browser tests and benchmarks share.

``tests/browser/conftest.py`` wraps these in pytest fixtures; ``benchmarks/widget.py`` uses them
directly. Needs the ``test`` extra (``jupyterlab``, ``playwright``, ``websocket-client``,
``nbformat``) and Debian's Chromium (``/usr/bin/chromium``, or ``$HUBWIDGETS_CHROMIUM``):
Playwright never downloads a browser of its own here.

- :func:`start_lab` / :meth:`Lab.stop`: a JupyterLab server on a free 127.0.0.1 port with no
  token, quiet settings (no news, no update checks, every cell kept in the DOM) and offline
  kernels (``HF_HUB_OFFLINE=1``).
- :func:`launch_chromium`: headless Chromium with the flags this machine needs.
- :func:`open_notebook`, :func:`run_all`, :func:`cell_output_text`, :func:`error_outputs`,
  :func:`find_cell`, :func:`write_notebook`, :func:`screenshot_notebook`: the notebook as a
  person uses it.
- :func:`kernel_eval`: run code in a notebook's kernel beside the page and get what it printed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.parse import quote, unquote, urlsplit
from urllib.request import urlopen

import nbformat
import websocket
from playwright.sync_api import (
    Browser,
    Locator,
    Page,
    Playwright,
    ViewportSize,
    expect,
)
from playwright.sync_api import (
    TimeoutError as PlaywrightTimeoutError,
)

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "ERROR_OUTPUTS",
    "LAB_SETTINGS",
    "LAB_START_TIMEOUT_S",
    "MAX_SCREENSHOT_HEIGHT",
    "VIEWPORT",
    "KernelEvalError",
    "Lab",
    "LabError",
    "cell_output_text",
    "chromium_missing",
    "error_outputs",
    "find_cell",
    "kernel_eval",
    "launch_chromium",
    "notebook_panel",
    "open_notebook",
    "run_all",
    "screenshot_notebook",
    "start_lab",
    "write_notebook",
]

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
LAB_START_TIMEOUT_S = 90.0
#: A full-notebook screenshot is at most this tall (Chromium's limit is 16,384 px).
MAX_SCREENSHOT_HEIGHT = 16_000

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


class LabError(RuntimeError):
    """JupyterLab did not start (the message carries the end of its log)."""


def chromium_missing() -> str | None:
    """Why Chromium cannot be launched here, or None when it can."""
    if os.access(CHROMIUM, os.X_OK):
        return None
    return (
        f"Chromium not found at {CHROMIUM}: run .ci/install-browser (Debian's chromium package) "
        "or set HUBWIDGETS_CHROMIUM; Playwright's own browser downloads are not used"
    )


def launch_chromium(playwright: Playwright) -> Browser:
    """Headless Chromium (:data:`CHROMIUM`) with :data:`CHROMIUM_ARGS`."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


# ---------------------------------------------------------------------------------------------
# JupyterLab
# ---------------------------------------------------------------------------------------------


@dataclass
class Lab:
    """A running JupyterLab server (no token) rooted in ``root``."""

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

    def stop(self) -> None:
        """SIGTERM lets the server shut its kernels down; SIGKILL the group if it hangs."""
        process = self.process
        if process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _get_json(url: str, timeout: float = 10.0) -> Any:
    # only ever a JupyterLab this module started, on 127.0.0.1
    with urlopen(url, timeout=timeout) as response:  # noqa: S310
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


def start_lab(
    base: Path,
    *,
    env: Mapping[str, str | None] | None = None,
    timeout: float = LAB_START_TIMEOUT_S,
) -> Lab:
    """Start JupyterLab on a free loopback port, rooted in ``base / "root"`` (made if missing).

    Its settings, workspaces, runtime files and log go under ``base`` too. Kernels inherit this
    process's environment with ``HF_HUB_OFFLINE=1`` and without ``HUBWIDGETS_SNAPSHOT`` (so they
    use the bundled starter snapshot), then ``env`` (a value of None removes the variable).
    Returns once the server answers ``/api/status``; raises :class:`LabError` (the server
    stopped) if it does not within ``timeout`` seconds. Stop it with :meth:`Lab.stop`.
    """
    root = base / "root"
    root.mkdir(parents=True, exist_ok=True)
    settings = base / "user-settings"
    _write_lab_settings(settings)
    (base / "workspaces").mkdir(exist_ok=True)

    environ = {**os.environ, "HF_HUB_OFFLINE": "1", "JUPYTER_RUNTIME_DIR": str(base / "runtime")}
    environ.pop("HUBWIDGETS_SNAPSHOT", None)
    for key, value in (env or {}).items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
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
            cmd, stdout=log, stderr=subprocess.STDOUT, cwd=root, env=environ, start_new_session=True
        )
    lab = Lab(
        url=f"http://127.0.0.1:{port}", root=root, port=port, process=process, log_path=log_path
    )
    try:
        _wait_until_serving(lab, timeout)
    except BaseException:
        lab.stop()
        raise
    return lab


def _wait_until_serving(lab: Lab, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        code = lab.process.poll()
        if code is not None:
            raise LabError(f"JupyterLab exited with code {code} before serving:\n{lab.log_tail()}")
        try:
            lab.api("status", timeout=2)
        except (URLError, OSError):
            pass
        else:
            return
        if time.monotonic() > deadline:
            raise LabError(
                f"JupyterLab did not answer /api/status within {timeout:.0f} s:\n{lab.log_tail()}"
            )
        time.sleep(0.2)  # polling a server that is starting: there is no event to wait for


# ---------------------------------------------------------------------------------------------
# Notebooks in the page
# ---------------------------------------------------------------------------------------------


def notebook_panel(page: Page) -> Locator:
    """The notebook panel on screen (the current tab of the main area)."""
    return page.locator(".jp-NotebookPanel").filter(visible=True)


def _accept_kernel_dialog(dialog: Locator) -> None:
    dialog.locator(".jp-mod-accept").click()


_KERNEL_WS = re.compile(r"/api/kernels/([0-9a-f-]+)/channels")


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
    workspace = uuid.uuid4().hex[:12]  # a fresh workspace: no tabs restored from earlier runs
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
    yet is never taken for a finished one (saved notebooks keep their execution counts). A cell
    that raises stops the run there; the wait ends then too.
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
    """Write a notebook of code cells (one per source) into ``lab.root``; returns ``name``."""
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
