"""Inference Endpoints as a person reads them (hubwidgets.core.cost.endpoint_summary): on
hw.endpoints' real DataFrames, read from the test server's fake endpoints API (built from
../shared/data/endpoints/api-fixtures.json)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.cost.endpoint_summary import (
    SUMMARY_COLUMNS,
    endpoints_html,
    endpoints_line,
    endpoints_summary,
    instance_choices,
    plan_line,
    plan_record,
    still_changing,
)
from hubwidgets.core.cost.endpoints import create_endpoint, endpoint_instances, endpoints
from hubwidgets.testing.hub_server import HubServer

NS = "data-team"
SMALL = "distilbert/distilbert-base-uncased"
CPU = "aws-us-east-1-intel-spr-x1"  # $0.033/hour in the recorded catalog


@pytest.fixture
def hub(shared_data: Path) -> Iterator[HubServer]:
    with HubServer([]) as server:
        yield server


def kw(server: HubServer) -> dict[str, Any]:
    return {"namespace": NS, "endpoint": server.endpoint, "token": "hf_fake"}


def test_the_table_in_words(hub: HubServer) -> None:
    hub.endpoints_api.add(NS, "MOCK_RUNNING", name="chat")
    hub.endpoints_api.add(NS, "MOCK_FAILED", name="broken")
    df = endpoints(**kw(hub))
    shown = endpoints_summary(df)
    assert list(shown.columns) == list(SUMMARY_COLUMNS)
    chat = shown.set_index("name").loc["chat"]
    assert (chat["model"], chat["status"]) == ("gpt2", "running")
    assert chat["replicas"].endswith("0 to 1 replicas") and " ready" in chat["replicas"]
    assert chat["updated"].endswith(" UTC")  # a date in words, never "NaT"
    # no price known: NA (and why, in price_source), never 0
    assert pd.isna(chat["price_per_hour_usd"]) and "not in the price table" in chat["price_source"]
    assert shown["price_per_hour_usd"].dtype == "Float64"
    assert endpoints_line(df, NS) == f"2 endpoints in {NS}: running 1, failed 1"
    assert endpoints_line(df.iloc[:0]) == "0 endpoints in your namespace"
    html = endpoints_html(shown, caption="mine")
    assert html.startswith('<table class="hubwidgets-endpoints">') and "broken" in html


def test_which_followed_endpoints_are_still_changing(hub: HubServer) -> None:
    hub.endpoints_api.add(NS, "MOCK_RUNNING", name="chat")
    hub.endpoints_api.add(NS, "MOCK_FAILED", name="broken")
    hub.endpoints_api.step_s = 30  # a new one stays pending for the test
    create_endpoint(SMALL, instance=CPU, name="new", catalog=hw.starter_catalog(), **kw(hub))
    df = endpoints(**kw(hub))
    changing, failed = still_changing(df, {"chat", "broken", "new", "gone"})
    assert changing == ["new"]  # running settled; a deleted one ("gone") is not followed
    assert failed == ["broken failed: Endpoint failed to deploy"]
    with pytest.raises(ValueError, match=r"no columns \['status', 'message'\]"):
        still_changing(df[["name"]], ["chat"])


def test_the_create_forms_choices_and_preview(hub: HubServer) -> None:
    catalog = hw.starter_catalog()
    found = endpoint_instances(SMALL, catalog=catalog, **kw(hub))
    choices = instance_choices(found)
    assert len(choices) == len(found) and choices[0]["instance"] == found["instance"].iloc[0]
    assert all(isinstance(c["price_per_hour_usd"], float) for c in choices)
    assert set(choices[0]) == {
        "instance",
        "accelerator",
        "region",
        "memory_needed_gb",
        "memory_available_gb",
        "price_per_hour_usd",
        "usd_per_month_running",
    }
    plan = plan_record(
        create_endpoint(SMALL, instance=CPU, confirm=False, catalog=catalog, **kw(hub))
    )
    assert plan["instance"] == CPU and plan["status"] == "not created"
    assert plan["price_per_hour_usd"] == pytest.approx(0.033) and plan["created_now"] is False
    assert plan_line(plan).endswith(
        f"on {CPU}: $0.033/hour, ${0.033 * 730:,.2f} a month with one replica running; "
        "confirm to create it"
    )
    with pytest.raises(ValueError, match="one-row DataFrame"):
        plan_record(pd.DataFrame())


def test_not_the_endpoints_table_is_refused_with_words() -> None:
    with pytest.raises(TypeError, match=r"endpoints_summary takes hw\.endpoints's DataFrame"):
        endpoints_summary([{"name": "x"}])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="this one has no columns"):
        endpoints_summary(pd.DataFrame({"name": ["x"]}))
