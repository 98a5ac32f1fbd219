"""LoginWidget without a browser: the page's login request (played as the custom message the
page sends) against the test Hub server's whoami, the token store, Log out, and what the widget
keeps: the account in synced state, never the token (state, replies, status, report)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from huggingface_hub import constants, get_token

import hubwidgets as hw
from hubwidgets.testing import HubServer
from hubwidgets.widgets import LoginWidget
from hubwidgets.widgets._protocol import pack, unpack

TOKEN = "hf_widgetTestTOKENabcdef012345"


class Recording(LoginWidget):
    """A LoginWidget that keeps what it would send to the page."""

    def __init__(self, **kwargs: Any) -> None:
        self.sent: list[tuple[Any, list[Any]]] = []
        super().__init__(**kwargs)

    def send(self, content: Any, buffers: Any = None) -> None:
        self.sent.append((content, list(buffers or [])))


@pytest.fixture
def token_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "token"))
    monkeypatch.setattr(constants, "HF_STORED_TOKENS_PATH", str(tmp_path / "stored_tokens"))
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture(scope="module")
def hub() -> Iterator[HubServer]:
    with HubServer([{"id": "acme/model"}]) as server:
        server.add_user(TOKEN, "alice", orgs=["acme"], token_name="notebook", role="write")
        yield server


@pytest.fixture
def widget(token_store: Path, hub: HubServer) -> Iterator[Recording]:
    w = Recording(endpoint=hub.endpoint)
    yield w
    w.close()


def _page(widget: LoginWidget, kind: str, body: dict[str, Any], rid: int = 1) -> dict[str, Any]:
    """Send a request as the page does; the reply's body (or its error)."""
    packed, paths, buffers = pack(body)
    content = {"hw": 1, "kind": kind, "id": rid, "body": packed, "paths": paths}
    widget._on_message(widget, content, buffers)
    assert isinstance(widget, Recording)
    for sent, bufs in reversed(widget.sent):
        if isinstance(sent, dict) and sent.get("id") == rid and sent.get("kind") == kind:
            if "error" in sent:
                return {"error": sent["error"]}
            out: dict[str, Any] = unpack(sent.get("body") or {}, sent.get("paths"), bufs)
            return out
    raise AssertionError(f"no reply to {kind}")


def _everything_said(widget: Recording) -> str:
    """All the widget holds or sent: its synced state, its messages, its report."""
    state = widget.get_state()
    return json.dumps([state, [c for c, _ in widget.sent]], default=str) + widget._report_html()


def test_hw_login_shows_the_form(token_store: Path, hub: HubServer) -> None:
    w = hw.login(endpoint=hub.endpoint)
    try:
        assert isinstance(w, LoginWidget)
        assert w.user == {} and not w.logged_in
        assert w.endpoint == hub.endpoint
        assert "Not logged in" in w.status
    finally:
        w.close()


def test_logging_in_from_the_page(widget: Recording, token_store: Path) -> None:
    reply = _page(widget, "login", {"token": TOKEN})
    assert reply["ok"] is True
    assert reply["user"]["name"] == "alice"
    assert widget.user["orgs"] == ["acme"]
    assert widget.user["token_name"] == "notebook"
    assert widget.logged_in
    assert "Logged in as alice (acme)" in widget.status
    assert get_token() == TOKEN  # stored, as hf auth login stores it
    assert TOKEN not in _everything_said(widget)
    assert all(TOKEN not in str(v) for v in vars(widget).values())  # not kept in the kernel

    reply = _page(widget, "logout", {}, rid=2)
    assert reply == {"ok": True}
    assert widget.user == {} and get_token() is None
    assert "Logged out" in widget.status


def test_a_bad_token_says_invalid_token_without_echoing_it(widget: Recording) -> None:
    bad = "hf_typoTOKEN_doesNotExist42"
    reply = _page(widget, "login", {"token": bad})
    assert reply == {"ok": False, "error": "invalid token: the Hub refused it"}
    assert widget.error == "invalid token: the Hub refused it"
    assert widget.user == {}
    assert get_token() is None
    assert bad not in _everything_said(widget)
    assert bad[3:10] not in _everything_said(widget)  # no part of it either


def test_an_empty_or_missing_token_is_refused(widget: Recording) -> None:
    assert _page(widget, "login", {"token": "   "})["error"] == "invalid token: it is empty"
    assert _page(widget, "login", {}, rid=2)["error"] == "invalid token: it is empty"


def test_an_unreachable_hub_is_said(token_store: Path) -> None:
    w = Recording(endpoint="http://127.0.0.1:9")
    try:
        reply = _page(w, "login", {"token": TOKEN})
        assert reply["ok"] is False
        assert "did not answer" in reply["error"]
        assert TOKEN not in _everything_said(w)
    finally:
        w.close()


def test_a_stored_token_is_looked_up_on_open(token_store: Path, hub: HubServer) -> None:
    first = Recording(endpoint=hub.endpoint)
    _page(first, "login", {"token": TOKEN})
    first.close()
    again = Recording(endpoint=hub.endpoint)
    try:
        for _ in range(200):  # the check runs in the background
            if again.user:
                break
            time.sleep(0.05)
        assert again.user["name"] == "alice"
        assert TOKEN not in _everything_said(again)
    finally:
        again.logout()
        again.close()


def test_the_token_is_not_a_trait_the_page_can_write(widget: Recording) -> None:
    widget.set_state({"user": {"name": "mallory"}})
    assert widget.user == {}
    assert "only the kernel" in widget.error
    with pytest.raises(TypeError, match="unexpected argument 'token'"):
        LoginWidget(token=TOKEN)  # type: ignore[call-arg]


class LocalServices(Recording):
    """Every service of the health check on the test server (which has no router: 404)."""

    def _health_arguments(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "router": self.endpoint, "endpoints_api": self.endpoint}


def test_the_health_badge_is_checked_on_demand(token_store: Path, hub: HubServer) -> None:
    widget = LocalServices(endpoint=hub.endpoint)
    try:
        assert widget.health == {}  # nothing checked until asked
        _page(widget, "login", {"token": TOKEN})
        reply = _page(widget, "check_health", {"timeout": 5}, rid=2)
        assert reply == widget.health
        # the Hub and the endpoints API answer, the router does not: degraded, and why
        assert widget.health["status"] == "degraded"
        assert (widget.health["ok"], widget.health["total"]) == (2, 3)
        assert widget.health["problems"] == [f"router {hub.endpoint}: error (HTTP 404: Not Found)"]
        assert TOKEN not in _everything_said(widget)
    finally:
        widget.close()


def test_offline_the_badge_says_unreachable(
    widget: Recording, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    df = widget.check_health(timeout=1)
    assert set(df["status"]) == {"unreachable"}
    assert widget.health["status"] == "unreachable"
    assert widget.health["ok"] == 0
    assert widget.health["total"] == len(df)
