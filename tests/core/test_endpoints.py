"""Inference Endpoints from Python (issue 14 item 4): hw.endpoints and its actions, through the
real huggingface_hub HfApi endpoint methods against the test server's fake endpoints API (built
from ../shared/data/endpoints/api-fixtures.json)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.cost.endpoints import (
    CREATE_COLUMNS,
    ENDPOINT_COLUMNS,
    EndpointError,
    create_endpoint,
    delete_endpoint,
    endpoints,
    pause_endpoint,
    resume_endpoint,
    scale_endpoint_to_zero,
    wait_endpoint,
)
from hubwidgets.core.cost.prices import hardware_prices
from hubwidgets.core.registry.audit import audit_log, audit_path
from hubwidgets.testing.hub_server import HubServer

NS = "data-team"
TOKEN = "hf_TestSecretToken0123456789abcdef"  # a fake, checked never to leak
SMALL = "distilbert/distilbert-base-uncased"  # 67M parameters: fits every instance
BIG = "HuggingFaceH4/zephyr-7b-beta"  # 7B: not in a 2 GB CPU instance
CPU = "aws-us-east-1-intel-spr-x1"  # $0.033/hour in the recorded catalog
A100 = "gcp-us-east4-nvidia-a100-x8"  # 8 GPUs; the recorded quota allows 2


@pytest.fixture
def hub(shared_data: Path) -> Iterator[HubServer]:
    with HubServer([]) as server:
        yield server


@pytest.fixture(scope="module")
def catalog() -> Any:
    return hw.starter_catalog()


def kw(server: HubServer) -> dict[str, Any]:
    return {"namespace": NS, "endpoint": server.endpoint, "token": TOKEN}


def _records(action: str) -> pd.DataFrame:
    return audit_log(action=action)


def test_list_reads_the_recorded_shapes_without_their_secrets(hub: HubServer) -> None:
    hub.endpoints_api.add(NS, "MOCK_RUNNING", name="chat")
    hub.endpoints_api.add(NS, "MOCK_FAILED", name="broken")
    hub.endpoints_api.add("someone-else", "MOCK_RUNNING", name="theirs")

    live = endpoints(**kw(hub))

    assert list(live.columns) == list(ENDPOINT_COLUMNS)
    assert list(live["name"]) == ["chat", "broken"]
    chat = live.set_index("name").loc["chat"]
    assert chat["model"] == "gpt2"
    assert chat["revision"] == "11c5a3d5811f50298f278a704980280950aedb10"
    assert chat["status"] == "running"
    assert chat["message"] == "Endpoint is ready"
    assert str(chat["url"]).startswith("https://")
    assert (chat["vendor"], chat["region"], chat["accelerator"]) == ("aws", "us-east-1", "cpu")
    assert (chat["min_replicas"], chat["max_replicas"]) == (0, 1)
    assert chat["created"] == pd.Timestamp("2023-10-26T12:41:53.263Z")
    # intel-icl is not in the recorded live catalog: no price, and why
    assert pd.isna(chat["price_per_hour_usd"])
    assert "not in the price table" in chat["price_source"]
    assert live.set_index("name").loc["broken", "message"] == "Endpoint failed to deploy"
    # the recordings carry the model's token secret: it never reaches the table
    assert "my-token" not in live.to_json(date_format="iso")


def test_the_hourly_price_is_matched_by_instance(hub: HubServer) -> None:
    hub.endpoints_api.add(NS, "MOCK_RUNNING", name="chat")
    bundled = hardware_prices("bundled")
    row = endpoints(**kw(hub), prices=bundled).iloc[0]
    page = bundled.set_index("instance").loc["aws-intel-icl-x2"]
    assert row["instance"] == "aws-intel-icl-x2"
    assert row["price_per_hour_usd"] == page["price_per_hour_usd"]
    assert row["price_source"] == page["source"]


def test_create_shows_the_cost_first_then_deploys_and_is_followed_to_running(
    hub: HubServer, catalog: Any
) -> None:
    hub.endpoints_api.step_s = 0.3  # pending 0.3 s, initializing 0.3 s, then running
    plan = create_endpoint(SMALL, instance=CPU, confirm=False, catalog=catalog, **kw(hub))
    assert list(plan.columns) == list(CREATE_COLUMNS)
    first = plan.iloc[0]
    assert not first["created_now"]
    assert first["status"] == "not created"
    assert first["price_per_hour_usd"] == pytest.approx(0.033)
    assert first["usd_per_month_running"] == pytest.approx(0.033 * 730)
    assert first["memory_needed_gb"] < first["memory_available_gb"]
    assert endpoints(**kw(hub)).empty  # a preview creates nothing

    made = create_endpoint(
        SMALL, instance=CPU, name="sentiment", max_replica=2, catalog=catalog, **kw(hub)
    ).iloc[0]
    assert made["created_now"]
    assert (made["name"], made["status"]) == ("sentiment", "pending")
    assert made["usd_per_month_max"] == pytest.approx(0.033 * 730 * 2)
    posted = [r for r in hub.requests if r["method"] == "POST"]
    assert [r["path"] for r in posted] == [f"/v2/endpoint/{NS}"]

    seen: list[str] = []
    done = wait_endpoint(
        "sentiment",
        30,
        poll=0.05,
        on_update=lambda df: seen.append(df["status"].iloc[0]),
        **kw(hub),
    ).iloc[0]
    assert done["status"] == "running"
    assert done["ready_replicas"] == 1
    assert str(done["url"]).startswith("https://sentiment.")
    assert seen[0] == "pending"
    assert set(seen) <= {"pending", "initializing", "running"}
    assert seen[-1] == "running"
    # polled with backoff: far fewer reads than one every 50 ms over the 0.6 s deploy
    reads = [r for r in hub.requests if r["path"] == f"/v2/endpoint/{NS}/sentiment"]
    assert len(reads) == len(seen) <= 8

    record = _records("endpoint.create").iloc[-1]
    assert record["model"] == SMALL
    assert record["outcome"] == "ok"
    assert record["params"]["instance"] == CPU


def test_a_failed_deploy_says_the_apis_message(hub: HubServer, catalog: Any) -> None:
    hub.endpoints_api.fail_models = {SMALL}
    create_endpoint(SMALL, instance=CPU, name="doomed", catalog=catalog, **kw(hub))
    with pytest.raises(EndpointError, match="Endpoint failed to deploy") as info:
        wait_endpoint("doomed", 10, poll=0.01, **kw(hub))
    assert info.value.name == "doomed"
    assert endpoints(**kw(hub)).set_index("name").loc["doomed", "status"] == "failed"


def test_a_quota_error_is_refused_with_the_apis_message(hub: HubServer, catalog: Any) -> None:
    with pytest.raises(EndpointError, match="Quota exceeded") as info:
        create_endpoint(SMALL, instance=A100, name="huge", catalog=catalog, **kw(hub))
    assert info.value.status_code == 400
    assert "2 of 2 available" in info.value.api_message
    assert endpoints(**kw(hub)).empty
    record = _records("endpoint.create").iloc[-1]
    assert record["outcome"].startswith("error: Quota exceeded")


def test_pause_resume_scale_to_zero_and_delete(hub: HubServer, catalog: Any) -> None:
    create_endpoint(SMALL, instance=CPU, name="svc", catalog=catalog, **kw(hub))
    assert wait_endpoint("svc", 10, poll=0.01, **kw(hub))["status"].iloc[0] == "running"

    paused = pause_endpoint("svc", **kw(hub)).iloc[0]
    assert paused["status"] == "paused"
    assert pd.isna(paused["url"])
    assert resume_endpoint("svc", **kw(hub))["status"].iloc[0] in ("pending", "running")
    assert wait_endpoint("svc", 10, poll=0.01, **kw(hub))["status"].iloc[0] == "running"
    # resuming a running endpoint leaves it running (huggingface_hub's running_ok)
    assert resume_endpoint("svc", **kw(hub))["status"].iloc[0] == "running"
    zero = scale_endpoint_to_zero("svc", **kw(hub)).iloc[0]
    assert (zero["status"], zero["ready_replicas"]) == ("scaledToZero", 0)

    gone = delete_endpoint("svc", confirm_name="svc", **kw(hub)).iloc[0]
    assert gone["status"] == "deleted"
    assert endpoints(**kw(hub)).empty
    actions = list(_records("endpoint.*")["action"])
    for action in ("pause", "resume", "scale_to_zero", "delete"):
        assert f"endpoint.{action}" in actions


def test_delete_needs_the_name_typed_again(hub: HubServer) -> None:
    hub.endpoints_api.add(NS, "MOCK_RUNNING", name="keep-me")
    with pytest.raises(ValueError, match="typed again"):
        delete_endpoint("keep-me", confirm_name="keep-m", **kw(hub))
    assert list(endpoints(**kw(hub))["name"]) == ["keep-me"]
    assert not [r for r in hub.requests if r["method"] == "DELETE"]


def test_an_instance_that_does_not_fit_lists_the_valid_ones(hub: HubServer, catalog: Any) -> None:
    with pytest.raises(ValueError, match="unknown instance") as info:
        create_endpoint(SMALL, instance="aws-us-east-1-intel-spr-x9", catalog=catalog, **kw(hub))
    assert "did you mean 'aws-us-east-1-intel-spr-x1'" in str(info.value)
    assert "aws-us-east-1-nvidia-l4-x1" in str(info.value)
    with pytest.raises(ValueError, match=f"cannot serve {BIG}: it does not hold it") as info:
        create_endpoint(BIG, instance=CPU, catalog=catalog, **kw(hub))
    assert A100 in str(info.value)
    assert CPU not in str(info.value).split("hold")[-1]
    assert not [r for r in hub.requests if r["method"] == "POST"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"min_replica": -1}, "min_replica must be an int >= 0"),
        ({"max_replica": 0}, "max_replica must be an int >= 1"),
        ({"min_replica": 2, "max_replica": 1}, "at least min_replica"),
        ({"scale_to_zero_timeout": 0}, "scale_to_zero_timeout must be minutes"),
    ],
)
def test_bad_replicas_are_refused(
    hub: HubServer, catalog: Any, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        create_endpoint(SMALL, instance=CPU, catalog=catalog, **kw(hub), **changes)


def test_an_unknown_endpoint_and_a_slow_one_say_so(hub: HubServer) -> None:
    with pytest.raises(EndpointError, match="not found") as info:
        pause_endpoint("nope", **kw(hub))
    assert info.value.status_code == 404
    hub.endpoints_api.step_s = 60
    hub.endpoints_api.add(NS, "MOCK_RUNNING", name="slow")
    pause_endpoint("slow", **kw(hub))
    resume_endpoint("slow", **kw(hub))
    with pytest.raises(EndpointError, match=r"still pending after 0\.2 s"):
        wait_endpoint("slow", 0.2, poll=0.05, **kw(hub))


def test_no_token_in_any_record_or_message(hub: HubServer, catalog: Any) -> None:
    create_endpoint(SMALL, instance=CPU, name="quiet", catalog=catalog, **kw(hub))
    with pytest.raises(EndpointError) as info:
        create_endpoint(SMALL, instance=A100, name="loud", catalog=catalog, **kw(hub))
    pause_endpoint("quiet", **kw(hub))
    delete_endpoint("quiet", confirm_name="quiet", **kw(hub))
    # the token went to the API, as the client sends it
    assert any(TOKEN in json.dumps(r["headers"]) for r in hub.requests)
    assert TOKEN not in str(info.value)
    assert TOKEN not in Path(audit_path()).read_text()
    usage = pytest.importorskip("hubwidgets.core.cost.ledger")
    ledger = Path(usage.usage_path())
    assert ledger.exists()
    lines = [json.loads(x) for x in ledger.read_text().splitlines()]
    mine = [x for x in lines if x.get("kind") == "endpoint" and x.get("endpoint") == "quiet"]
    assert {x["action"] for x in mine} >= {"create", "pause", "delete"}
    assert TOKEN not in ledger.read_text()


def test_the_namespace_defaults_to_the_tokens_user(hub: HubServer) -> None:
    hub.add_user(TOKEN, NS)
    hub.endpoints_api.add(NS, "MOCK_RUNNING", name="mine")
    mine = endpoints(endpoint=hub.endpoint, token=TOKEN)
    assert list(mine["name"]) == ["mine"]
    assert list(mine["namespace"]) == [NS]
    with pytest.raises(EndpointError, match="401") as info:
        endpoints(endpoint=hub.endpoint, token="hf_not_a_known_token")
    assert info.value.status_code == 401
    assert "hf_not_a_known_token" not in str(info.value)
