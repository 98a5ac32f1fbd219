"""hw.login() in JupyterLab against the test Hub server: a refused token says "invalid token"
and stays only in the page's field; the right one, submitted from the keyboard, shows the user
and organizations. Then the notebook is saved with its widget state and exported, and none of
the token is found anywhere it must not be: the .ipynb, the exported HTML, the audit trail, the
JupyterLab server's log, or the Hub server's log outside the Authorization header of whoami.
"""

from __future__ import annotations

import hashlib
import http.cookiejar
import json
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hubwidgets.testing import HubServer

from . import conftest as jl

TOKEN = f"hf_{secrets.token_hex(16)}"
BAD = f"hf_{secrets.token_hex(16)}"
WIDGETS_PLUGIN = "@jupyter-widgets/jupyterlab-manager:plugin"


@pytest.fixture(scope="module")
def hub() -> Iterator[HubServer]:
    with HubServer([{"id": "acme/model"}]) as server:
        server.add_user(TOKEN, "alice", orgs=["acme", "bigscience"], token_name="lab")
        yield server


def _put_setting(lab: jl.Lab, raw: str) -> None:
    """Set the widget manager's settings through JupyterLab's settings API (with its XSRF
    cookie, as the page would)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{lab.url}/lab", timeout=30).read()
    xsrf = next((c.value for c in jar if c.name == "_xsrf"), "")
    request = urllib.request.Request(
        f"{lab.url}/lab/api/settings/{WIDGETS_PLUGIN}",
        data=json.dumps({"raw": raw}).encode(),
        method="PUT",
        headers={"X-XSRFToken": xsrf, "Content-Type": "application/json"},
    )
    with opener.open(request, timeout=30) as response:
        assert response.status in (200, 204)


@pytest.fixture
def save_state(lab: jl.Lab) -> Iterator[None]:
    """JupyterLab saves widget state in the notebook (put back as it was afterwards)."""
    _put_setting(lab, '{"saveState": true}')
    try:
        yield
    finally:
        _put_setting(lab, "{}")


def _cells(endpoint: str) -> list[str]:
    return [
        "import os, tempfile\n"
        'os.environ.pop("HF_HUB_OFFLINE", None)  # the Hub is the test server on 127.0.0.1\n'
        'os.environ["HF_HOME"] = tempfile.mkdtemp()  # a token store of this test\n'
        'os.environ.pop("HF_TOKEN", None)\n'
        "import hubwidgets as hw\n"
        f"w = hw.login(endpoint={endpoint!r})\n"
        "w",
    ]


def _saved_with_state(path: Path) -> str:
    """The notebook file once it holds the widget state."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        text = path.read_text(encoding="utf-8")
        if "application/vnd.jupyter.widget-state+json" in text and "alice" in text:
            return text
        time.sleep(0.2)
    raise AssertionError(f"{path.name} was not saved with the widget state")


def test_login_in_the_page_leaves_the_token_nowhere(
    page: Page, lab: jl.Lab, hub: HubServer, save_state: None, tmp_path: Path
) -> None:
    name = "login.ipynb"
    panel = jl.run_notebook(page, lab, name, *_cells(hub.endpoint))
    widget = panel.locator(".hubwidgets-login")
    expect(widget).to_have_count(1)
    field = widget.get_by_label("Hugging Face access token")
    expect(field).to_have_attribute("type", "password")

    # a refused token: "invalid token", kept in the field (the page only) to correct
    field.fill(BAD)
    widget.get_by_role("button", name="Log in").click()
    expect(widget.get_by_role("alert")).to_have_text("invalid token: the Hub refused it")
    expect(field).to_have_value(BAD)
    expect(field).to_have_attribute("aria-invalid", "true")

    # the right one, from the keyboard
    field.fill(TOKEN)
    field.press("Enter")
    account = widget.get_by_role("region", name="Hugging Face account")
    expect(account).to_be_visible()
    expect(account.locator(".hw-login-name")).to_have_text("alice")
    expect(account.get_by_role("list", name="Organizations")).to_contain_text("acme")
    expect(widget.get_by_role("status")).to_contain_text("Logged in as alice")
    expect(widget.locator("form")).to_be_hidden()
    expect(widget.get_by_role("button", name="Log out")).to_be_focused()
    # stored as hf auth login stores it (compared by digest: the token is not sent back)
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    stored = jl.kernel_eval(
        page,
        "import hashlib, huggingface_hub\n"
        "print(hashlib.sha256(huggingface_hub.get_token().encode()).hexdigest())",
    )
    assert stored.strip() == digest
    audit = Path(
        jl.kernel_eval(
            page, "from hubwidgets.core.registry import audit\nprint(audit.audit_path())"
        ).strip()
    )

    # saved with its widget state, then exported
    page.keyboard.press("Control+s")
    notebook = _saved_with_state(lab.root / name)
    export = tmp_path / "login.html"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "html",
            str(lab.root / name),
            "--output",
            str(export),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    exported = export.read_text(encoding="utf-8")
    assert "alice" in exported  # the export shows who logged in...

    # ...and nothing holds the token, nor a piece of it, nor the refused one
    trail = audit.read_text(encoding="utf-8")
    assert "auth.login" in trail
    server_log = lab.log_path.read_text(encoding="utf-8", errors="replace")
    for secret in (TOKEN, BAD):
        for where, text in [
            ("the notebook", notebook),
            ("the export", exported),
            ("the audit trail", trail),
            ("the JupyterLab log", server_log),
        ]:
            assert secret not in text, f"the token is in {where}"
            assert secret[3:19] not in text, f"part of the token is in {where}"
    # the Hub server saw it in the Authorization header of whoami only
    for seen in hub.requests:
        where = json.dumps([seen["path"], seen["query"], seen["form"]])
        assert TOKEN not in where
        others = {k: v for k, v in seen["headers"].items() if k.lower() != "authorization"}
        assert TOKEN not in json.dumps(others)
    assert any(r["path"] == "/api/whoami-v2" for r in hub.requests)

    jl.screenshot_notebook(page, jl.ARTIFACTS / "login_widget.png")

    # Log out: the token leaves the store, the field is back
    widget.get_by_role("button", name="Log out").click()
    expect(widget.locator("form")).to_be_visible()
    assert jl.kernel_eval(page, "print(huggingface_hub.get_token())").strip() == "None"
