"""hw.health: one row per service, each check bounded by the deadline, never "ok" unless it
answered. Everything goes over real HTTP on 127.0.0.1: the test Hub server (whoami), a small
router + Inference Endpoints server (the shapes the real ones answer), a closed port and a
socket that accepts and never answers."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import hubwidgets as hw
from hubwidgets.core.connect import HEALTH_COLUMNS, STATUSES
from hubwidgets.testing import HubServer

TOKEN = "hf_healthcheckTOKEN0123456789"

#: The router's /v1/models shape (trimmed): two models, three providers.
ROUTER_MODELS = {
    "object": "list",
    "data": [
        {
            "id": "acme/chat-7b",
            "providers": [
                {"provider": "together", "status": "live"},
                {"provider": "novita", "status": "staging"},
            ],
        },
        {"id": "acme/other", "providers": [{"provider": "fal-ai", "status": "live"}]},
    ],
}

#: The Inference Endpoints API's list shape (fields trimmed from huggingface_hub's fixtures).
ENDPOINTS = {
    "items": [
        {"name": "chat", "status": {"state": "running", "message": "Endpoint is ready"}},
        {"name": "old", "status": {"state": "failed", "message": "Endpoint failed to start"}},
    ]
}


class _Services(BaseHTTPRequestHandler):
    """The router's model list and the endpoints API (``/v2/endpoint/alice`` for TOKEN)."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        if self.path == "/v1/models":
            self._json(200, ROUTER_MODELS)
        elif self.path == "/v2/endpoint/alice":
            ok = self.headers.get("Authorization") == f"Bearer {TOKEN}"
            self._json(200 if ok else 401, ENDPOINTS if ok else {"error": "unauthorized"})
        else:
            self._json(404, {"error": "not found"})

    def _json(self, status: int, body: Any) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture(scope="module")
def services() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Services)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def hub() -> Iterator[HubServer]:
    with HubServer([{"id": "acme/chat-7b"}]) as server:
        server.add_user(TOKEN, "alice", orgs=["acme"])
        yield server


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there any more


@pytest.fixture
def silent() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    try:
        yield f"http://127.0.0.1:{s.getsockname()[1]}"
    finally:
        s.close()


@pytest.fixture(autouse=True)
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)


def _by_target(df: Any) -> dict[str, dict[str, Any]]:
    return {f"{r['service']}:{r['target']}": r for r in df.to_dict("records")}


def test_every_service_answering(hub: HubServer, services: str) -> None:
    df = hw.health(
        endpoint=hub.endpoint, router=services, endpoints_api=services, token=TOKEN, timeout=10
    )
    assert list(df.columns) == list(HEALTH_COLUMNS)
    rows = _by_target(df)
    assert rows[f"hub:{hub.endpoint}"]["status"] == "ok"
    assert rows[f"router:{services}"]["status"] == "ok"
    # every provider the router lists: live for one model is ok, staging only is not
    assert rows["provider:together"]["status"] == "ok"
    assert rows["provider:fal-ai"]["status"] == "ok"
    assert rows["provider:novita"]["status"] == "error"
    assert "staging" in rows["provider:novita"]["last_error"]
    # the user's endpoints (namespace from whoami): running is ok, failed says why
    assert rows[f"endpoints:{services}"]["status"] == "ok"
    assert rows["endpoint:alice/chat"]["status"] == "ok"
    assert rows["endpoint:alice/old"]["status"] == "error"
    assert "failed" in rows["endpoint:alice/old"]["last_error"]
    assert set(df["status"]) <= set(STATUSES)
    assert df.loc[df["status"] == "ok", "latency_ms"].notna().all()
    assert df["checked_at"].str.match(r"\d{4}-\d\d-\d\dT").all()
    # the token is sent, never shown
    assert not df.astype(str).apply(lambda c: c.str.contains(TOKEN)).any().any()


def test_providers_of_the_models_in_view(hub: HubServer, services: str) -> None:
    df = hw.health(
        endpoint=hub.endpoint,
        router=services,
        endpoints_api=services,
        models=["acme/chat-7b"],
        providers=["together", "fal-ai"],
        token=TOKEN,
        timeout=10,
    )
    rows = _by_target(df)
    providers = [r for r in rows if r.startswith("provider:")]
    assert providers == ["provider:together", "provider:fal-ai"]
    assert rows["provider:together"]["status"] == "ok"
    # fal-ai serves another model, not the one in view: not reported as fine
    assert rows["provider:fal-ai"]["status"] == "error"


def test_a_refused_token_is_unauthorized(hub: HubServer, services: str) -> None:
    df = hw.health(
        endpoint=hub.endpoint, router=services, endpoints_api=services, token="hf_wrong", timeout=10
    )
    rows = _by_target(df)
    assert rows[f"hub:{hub.endpoint}"]["status"] == "unauthorized"
    assert rows[f"endpoints:{services}"]["status"] == "unauthorized"
    assert "hf_wrong" not in df.to_string()


def test_without_a_token_the_endpoints_row_says_log_in(hub: HubServer, services: str) -> None:
    df = hw.health(
        endpoint=hub.endpoint, router=services, endpoints_api=services, token=False, timeout=10
    )
    rows = _by_target(df)
    assert rows[f"hub:{hub.endpoint}"]["status"] == "ok"  # a cheap model list instead of whoami
    assert rows[f"endpoints:{services}"]["status"] == "unauthorized"
    assert "log in" in rows[f"endpoints:{services}"]["last_error"]


def test_a_closed_port_is_unreachable_at_once() -> None:
    closed = _closed_port()
    started = time.monotonic()
    df = hw.health(
        endpoint=closed,
        router=closed,
        endpoints_api=closed,
        providers=["together"],
        token=TOKEN,
        timeout=20,
    )
    assert time.monotonic() - started < 20  # refused, not waited for
    assert list(df["service"]) == ["hub", "router", "provider", "endpoints"]
    assert set(df["status"]) == {"unreachable"}
    assert df["latency_ms"].isna().all()
    assert df["last_error"].str.len().gt(0).all()


def test_a_server_that_never_answers_is_bounded_by_the_timeout(silent: str) -> None:
    started = time.monotonic()
    df = hw.health(
        1, endpoint=silent, router=silent, endpoints_api=silent, providers=["x"], token=TOKEN
    )
    took = time.monotonic() - started
    assert took < 10  # one deadline for every check (in parallel), not one per request
    assert set(df["status"]) == {"unreachable"}
    assert len(df) == 4


def test_offline_nothing_is_contacted(monkeypatch: pytest.MonkeyPatch, hub: HubServer) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hub.clear_requests()
    df = hw.health(endpoint=hub.endpoint, token=TOKEN)
    assert set(df["status"]) == {"unreachable"}
    assert df["last_error"].str.contains("HF_HUB_OFFLINE").all()
    assert hub.requests == []


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"timeout": "3"}, TypeError, "timeout must be a number"),
        ({"timeout": 0}, ValueError, "between 0 and 600"),
        ({"providers": "together"}, TypeError, "providers must be a list"),
        ({"models": [1]}, TypeError, "models must be a list"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        hw.health(**kwargs)


def test_recorded_endpoint_states_from_the_test_hub_server(
    hub: HubServer, services: str, shared_data: Any
) -> None:
    """The user's endpoints as the test Hub server's Inference Endpoints API answers them,
    from the recorded API shapes (running, failed, initializing)."""
    hub.endpoints_api.clear()
    hub.endpoints_api.add("alice", "MOCK_RUNNING", name="live")
    hub.endpoints_api.add("alice", "MOCK_FAILED", name="broken")
    hub.endpoints_api.add("alice", "MOCK_INITIALIZING", name="starting")
    starting = hub.endpoints_api.state("alice", "starting")  # as recorded ("pending")
    try:
        df = hw.health(
            endpoint=hub.endpoint, router=services, endpoints_api=hub.endpoint, token=TOKEN
        )
    finally:
        hub.endpoints_api.clear()
    rows = _by_target(df)
    assert rows[f"endpoints:{hub.endpoint}"]["status"] == "ok"
    assert rows["endpoint:alice/live"]["status"] == "ok"
    assert rows["endpoint:alice/broken"]["status"] == "error"
    assert rows["endpoint:alice/starting"]["status"] == "error"  # not serving yet: not "ok"
    assert f"state: {starting}" in rows["endpoint:alice/starting"]["last_error"]
