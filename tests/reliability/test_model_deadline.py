"""``HubCatalog.model(id)`` ends within its deadline like every other live-Hub call.

It used to go through ``HfApi.model_info`` with a per-read timeout only: a server sending one
byte a second, or retrying connections, kept a widget's detail pane waiting for minutes. The
servers are the purpose-built misbehaving ones of ``servers.py``; the bound is generous (see
``test_servers.py``): it tells a call that ends from one that hangs.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from huggingface_hub import constants as hf_constants

import hubwidgets as hw
from hubwidgets.core.catalog.hub import HubCatalog, HubError
from hubwidgets.testing.hub_server import HubServer

from .servers import Misbehaving, Reply, Request, Timer

TOKEN = "hf_ReliabilityTestToken0123456789"
BOUND = 10.0


def record_a_byte_a_second(req: Request) -> Reply:
    return Reply(body={"id": "a/x", "downloads": 1}, trickle=1.0)


def record_after_30_s(req: Request) -> Reply:
    return Reply(body={"id": "a/x", "downloads": 1}, delay=30.0)


@pytest.mark.parametrize("behaviour", [record_a_byte_a_second, record_after_30_s])
def test_model_lookup_has_the_catalogs_overall_deadline(
    behaviour: Callable[[Request], Reply],
) -> None:
    with Misbehaving(behaviour) as server, Timer() as t, pytest.raises(HubError) as err:
        HubCatalog(endpoint=server.endpoint, token=TOKEN, timeout=1.0, deadline=3.0).model("a/x")
    assert t.seconds < BOUND, f"took {t.seconds:.1f} s"
    message = str(err.value)
    assert "\n" not in message and TOKEN not in message
    assert f"the Hub at {server.endpoint} did not answer for 'a/x' within 3 s" in message
    assert "open_catalog('snapshot')" in message  # what to do instead: work offline


def test_a_per_call_deadline_overrides_the_catalogs() -> None:
    with Misbehaving(record_a_byte_a_second) as server, Timer() as t:
        hub = HubCatalog(endpoint=server.endpoint, timeout=1.0, deadline=None)  # no limit...
        with pytest.raises(HubError, match="within 2 s"):
            hub.model("a/x", deadline=2.0)  # ...but this look-up has one
    assert t.seconds < BOUND
    with pytest.raises(ValueError, match="deadline must be a positive number"):
        hub.model("a/x", deadline=0)


def test_model_lookup_on_the_test_hub_still_returns_the_record_and_files() -> None:
    record = {
        "id": "acme/tiny",
        "pipeline_tag": "fill-mask",
        "downloads": 5,
        "siblings": [{"rfilename": "config.json"}, {"rfilename": "model.safetensors"}],
    }
    with HubServer([record]) as server:
        hub = HubCatalog(endpoint=server.endpoint, deadline=5.0)
        row = hub.model("acme/tiny")
        with pytest.raises(hw.UnknownModelError, match="not on the Hub"):
            hub.model("acme/missing")
        with pytest.raises(ValueError, match="Repo id must be"):  # refused before any request
            hub.model("acme/../admin")
    assert row["id"] == "acme/tiny" and row["task"] == "fill-mask"
    assert row["downloads"] == 5
    assert "model.safetensors" in list(row["files"])  # the file list comes with one model


def test_offline_mode_is_a_one_line_hub_error_pointing_at_snapshots(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HF_HUB_OFFLINE used to escape as huggingface_hub's error quoting the whole URL."""
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", True)
    with HubServer([{"id": "acme/tiny"}]) as server:
        hub = HubCatalog(endpoint=server.endpoint)
        for call in (lambda: hub.model("acme/tiny"), lambda: hub.search("tiny")):
            with pytest.raises(HubError) as err:
                call()
            message = str(err.value)
            assert "offline mode is on (HF_HUB_OFFLINE)" in message and "expand" not in message
            assert "open_catalog('snapshot')" in message
        assert server.requests == []
