"""EndpointsWidget without a browser, against the test server's fake endpoints API: the table
from hw.endpoints, each page request answered by its core function, the status followed live
from the kernel until it settles, failures with the API's message while the table keeps its last
good rows, and no token anywhere in the widget's state.

The page's requests are played through the widget's message handler, as the page sends them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.testing.hub_server import HubServer
from hubwidgets.widgets._protocol import VERSION
from hubwidgets.widgets._serialization import from_ipc
from hubwidgets.widgets.endpoints import TABLE_COLUMNS, EndpointsWidget

NS = "data-team"
TOKEN = "hf_WidgetSecretToken9876543210"
SMALL = "distilbert/distilbert-base-uncased"
CPU = "aws-us-east-1-intel-spr-x1"
A100 = "gcp-us-east4-nvidia-a100-x8"


@pytest.fixture
def hub(shared_data: Path) -> Iterator[HubServer]:
    with HubServer([]) as server:
        yield server


@pytest.fixture(scope="module")
def catalog() -> hw.Catalog:
    return hw.starter_catalog()


@pytest.fixture
def make(hub: HubServer, catalog: hw.Catalog, made: list[Any]) -> Callable[..., EndpointsWidget]:
    def build(**kwargs: Any) -> EndpointsWidget:
        kwargs.setdefault("catalog", catalog)
        kwargs.setdefault("poll", 0.02)
        widget = EndpointsWidget(NS, endpoint=hub.endpoint, token=TOKEN, **kwargs)
        sent: list[dict[str, Any]] = []
        # what would go to the page
        widget.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
        widget.sent = sent  # type: ignore[attr-defined]
        made.append(widget)
        return widget

    return build


def ask(widget: EndpointsWidget, kind: str, **body: Any) -> dict[str, Any]:
    """Send a request as the page does; the reply (or error) the page gets back."""
    widget._on_message(widget, {"hw": VERSION, "kind": kind, "id": 7, "body": body}, [])
    reply: dict[str, Any] = widget.sent[-1]  # type: ignore[attr-defined]
    assert reply["id"] == 7
    return reply


def shown(widget: EndpointsWidget) -> pd.DataFrame:
    state = widget.get_state(["_table"])["_table"]
    assert isinstance(state, bytes)
    return from_ipc(state)


def test_the_table_is_hw_endpoints(hub: HubServer, make: Callable[..., EndpointsWidget]) -> None:
    hub.endpoints_api.add(NS, "MOCK_RUNNING", name="chat")
    w = make()
    assert w.status == f"1 endpoint in {NS}: running 1"
    assert list(w.table["name"]) == ["chat"]
    table = shown(w)
    assert list(table.columns) == list(TABLE_COLUMNS)
    assert table.loc[0, "status"] == "running"
    assert table.loc[0, "replicas"] == "1/1 ready · 0 to 1 replicas"


def test_misspelled_arguments_are_refused() -> None:
    with pytest.raises(TypeError, match="unexpected argument 'pol'"):
        EndpointsWidget(NS, pol=1, load=False)  # type: ignore[call-arg]


def test_create_goes_model_instances_review_confirm_and_is_followed_to_running(
    hub: HubServer, make: Callable[..., EndpointsWidget]
) -> None:
    hub.endpoints_api.step_s = 0.1
    w = make()
    assert ask(w, "instances", model=SMALL)["body"] == {"count": 3}
    rows = w._instances["rows"]
    assert rows[0]["instance"] == CPU  # cheapest first
    assert rows[0]["price_per_hour_usd"] == pytest.approx(0.033)

    reply = ask(w, "preview", model=SMALL, instance=CPU, name="sentiment", max_replica="2")
    plan = reply["body"]["plan"]
    assert plan["usd_per_month_running"] == pytest.approx(0.033 * 730)
    assert plan["usd_per_month_max"] == pytest.approx(0.033 * 730 * 2)
    assert w._plan["name"] == "sentiment"
    assert "confirm to create it" in w.status
    assert w.table.empty  # the review created nothing

    ask(w, "create", model=SMALL, instance=CPU, name="sentiment", max_replica="2")
    assert w._plan == {}
    assert w.following == ["sentiment"]
    assert w.wait(20)
    assert w.following == []
    assert shown(w).set_index("name").loc["sentiment", "status"] == "running"
    assert not w.error


def test_a_failed_deploy_is_said_with_the_apis_message(
    hub: HubServer, make: Callable[..., EndpointsWidget]
) -> None:
    hub.endpoints_api.fail_models = {SMALL}
    w = make()
    ask(w, "create", model=SMALL, instance=CPU, name="doomed")
    assert w.wait(20)
    assert w.error == "doomed failed: Endpoint failed to deploy"
    assert shown(w).set_index("name").loc["doomed", "status"] == "failed"


def test_an_api_error_keeps_the_last_good_table(
    hub: HubServer, make: Callable[..., EndpointsWidget]
) -> None:
    hub.endpoints_api.add(NS, "MOCK_RUNNING", name="chat")
    w = make()
    before = shown(w)
    reply = ask(w, "create", model=SMALL, instance=A100, name="huge")
    assert "Quota exceeded" in reply["error"]["message"]
    assert "Quota exceeded" in w.error
    pd.testing.assert_frame_equal(shown(w), before)
    hub.fail_next(503, body={"error": "Service temporarily unavailable"})
    assert not w.refresh()
    assert "503: Service temporarily unavailable" in w.error
    pd.testing.assert_frame_equal(shown(w), before)


def test_pause_resume_scale_to_zero_and_delete_from_the_page(
    hub: HubServer, make: Callable[..., EndpointsWidget]
) -> None:
    hub.endpoints_api.add(NS, "MOCK_RUNNING", name="chat")
    w = make()
    state = lambda: shown(w).set_index("name").loc["chat", "status"]  # noqa: E731
    assert ask(w, "pause", name="chat")["body"] == {"status": "paused"}
    assert state() == "paused"
    ask(w, "resume", name="chat")
    assert w.wait(20)
    assert state() == "running"
    ask(w, "scale_to_zero", name="chat")
    assert state() == "scaledToZero"
    refused = ask(w, "delete", name="chat", confirm_name="chta")
    assert "typed again" in refused["error"]["message"]
    assert state() == "scaledToZero"
    ask(w, "delete", name="chat", confirm_name="chat")
    assert shown(w).empty
    assert w.status == "deleted chat"


def test_no_token_in_the_widgets_state(
    hub: HubServer, make: Callable[..., EndpointsWidget]
) -> None:
    hub.endpoints_api.add(NS, "MOCK_RUNNING", name="chat")
    w = make()
    ask(w, "instances", model=SMALL)
    ask(w, "preview", model=SMALL, instance=CPU, name="x")
    ask(w, "create", model=SMALL, instance=A100, name="y")  # refused: its error in the state
    state = w.get_state()
    text = json.dumps(
        {k: v.hex() if isinstance(v, bytes) else v for k, v in state.items()}, default=str
    )
    assert TOKEN not in text
    assert TOKEN.encode().hex() not in text
    assert "my-token" not in text  # the recorded endpoint's secret
    assert TOKEN not in w._report_html()


def test_the_report_lists_the_endpoints(
    hub: HubServer, make: Callable[..., EndpointsWidget]
) -> None:
    hub.endpoints_api.add(NS, "MOCK_RUNNING", name="chat")
    page = make()._report_html()
    assert "hubwidgets-endpoints" in page
    assert "chat" in page
    assert "running" in page


def test_several_endpoints_are_followed_by_one_run(
    hub: HubServer, make: Callable[..., EndpointsWidget]
) -> None:
    hub.endpoints_api.step_s = 0.2
    hub.endpoints_api.add(NS, "MOCK_RUNNING", name="a")
    hub.endpoints_api.add(NS, "MOCK_RUNNING", name="b")
    w = make()
    w.pause("a")
    w.pause("b")
    w.resume("a")
    w.resume("b")  # while a is followed: the same run reads it too
    assert set(w.following) <= {"a", "b"}
    assert w.wait(20)
    assert w.following == []
    assert list(shown(w)["status"]) == ["running", "running"]
    w.resume("a")  # running already: settled at the first read
    assert w.wait(20)
    assert not w.error
