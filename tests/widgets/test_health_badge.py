"""The health badge every widget carries beside its status line (issue 16 item 4), through the
shared base: the ``health`` trait and the ``check_health`` request of ``HubWidget``. Nothing is
checked until asked; offline the badge says "unreachable" within the timeout; the page can ask
for a check but never write the summary."""

from __future__ import annotations

import socket
from typing import Any

import pytest

import hubwidgets as hw
from hubwidgets.widgets import WIDGETS
from hubwidgets.widgets._base import HubWidget
from hubwidgets.widgets._protocol import pack, unpack
from hubwidgets.widgets.search import SearchWidget

#: The widgets issue 16 names (the explorer is built from their parts).
BADGED = [
    "SearchWidget",
    "CompareWidget",
    "BenchmarkWidget",
    "Playground",
    "GovernanceWidget",
    "RegistryWidget",
    "CostWidget",
    "EndpointsWidget",
    "WorkflowWidget",
    "LoginWidget",
]


def _closed_port() -> str:
    """An address where nothing listens (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class Nowhere(SearchWidget):
    """A SearchWidget whose checks go to a Hub, router and endpoints API that do not answer,
    keeping what it would send to the page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.sent: list[tuple[Any, list[Any]]] = []
        self.nowhere = _closed_port()
        super().__init__(*args, **kwargs)

    def _health_arguments(self) -> dict[str, Any]:
        return {
            "endpoint": self.nowhere,
            "router": self.nowhere,
            "endpoints_api": self.nowhere,
            "token": False,
        }

    def send(self, content: Any, buffers: Any = None) -> None:
        self.sent.append((content, list(buffers or [])))


def _page(widget: Nowhere, kind: str, body: dict[str, Any], rid: int = 1) -> dict[str, Any]:
    """Send a request as the page does; the reply's body (or its error)."""
    packed, paths, buffers = pack(body)
    widget._on_message(
        widget, {"hw": 1, "kind": kind, "id": rid, "body": packed, "paths": paths}, buffers
    )
    for sent, bufs in reversed(widget.sent):
        if isinstance(sent, dict) and sent.get("id") == rid and sent.get("kind") == kind:
            if "error" in sent:
                return {"error": sent["error"]}
            out: dict[str, Any] = unpack(sent.get("body") or {}, sent.get("paths"), bufs)
            return out
    raise AssertionError(f"no reply to {kind}")


@pytest.mark.parametrize("name", BADGED)
def test_every_widget_has_the_badge_from_the_base(name: str) -> None:
    assert name in WIDGETS
    cls = getattr(hw, name)
    assert issubclass(cls, HubWidget)
    assert cls._handlers.get("check_health") == "_check_health"
    assert "health" in cls.class_trait_names(sync=True)
    assert "health" in cls._kernel_only()  # the page asks for a check, never writes one
    assert callable(cls.check_health)


@pytest.fixture
def widget() -> Any:
    w = Nowhere(hw.starter_catalog())
    yield w
    w.close()


def test_nothing_is_checked_until_asked(widget: Nowhere) -> None:
    assert widget.health == {}
    assert not [
        c for c, _ in widget.sent if isinstance(c, dict) and c.get("kind") == "check_health"
    ]


def test_a_check_from_the_page_says_unreachable_when_nothing_answers(widget: Nowhere) -> None:
    reply = _page(widget, "check_health", {"timeout": 2})
    assert reply == widget.health
    assert widget.health["status"] == "unreachable"
    assert widget.health["ok"] == 0
    assert widget.health["total"] >= 1
    # one line per service not ok, the Hub's first (endpoints, with no token: unauthorized)
    assert len(widget.health["problems"]) == widget.health["total"]
    assert widget.health["problems"][0].startswith(f"hub {widget.nowhere}: unreachable (")
    assert widget.health["checked_at"]
    # the widget's own work is untouched
    assert len(widget.results) > 0 and widget.error == ""


def test_offline_every_row_is_unreachable(widget: Nowhere, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    df = widget.check_health(timeout=1)
    assert set(df["status"]) == {"unreachable"}
    assert widget.health["status"] == "unreachable"
    assert widget.health["total"] == len(df)


def test_a_bad_timeout_from_the_page_falls_back_to_the_default(
    widget: Nowhere, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    reply = _page(widget, "check_health", {"timeout": "soon"})
    assert reply["status"] == "unreachable"


def test_the_page_cannot_write_the_summary(widget: Nowhere) -> None:
    widget.set_state({"health": {"status": "ok", "ok": 3, "total": 3}})
    assert widget.health == {}
    assert "only the kernel" in widget.error
