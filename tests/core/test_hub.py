"""The live source, through real huggingface_hub HTTP calls to a Hub-compatible local server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.catalog.hub import EXPAND, HubCatalog, HubError
from hubwidgets.testing.clock import FakeClock
from hubwidgets.testing.hub_server import HubServer, load_shared_records, shared_data_dir

RECORDS: list[dict[str, Any]] = [
    {
        "id": "acme/bert-tiny",
        "author": "acme",
        "pipeline_tag": "fill-mask",
        "library_name": "transformers",
        "tags": ["transformers", "fill-mask", "en", "license:mit"],
        "downloads": 500,
        "likes": 5,
        "createdAt": "2024-01-02T00:00:00.000Z",
        "safetensors": {"parameters": {"F32": 4_400_000}, "total": 4_400_000},
        "gated": False,
    },
    {
        "id": "acme/bert-large",
        "author": "acme",
        "pipeline_tag": "fill-mask",
        "library_name": "transformers",
        "tags": ["transformers", "fill-mask", "en", "license:apache-2.0"],
        "downloads": 900,
        "likes": 50,
        "createdAt": "2023-01-02T00:00:00.000Z",
        "safetensors": {"parameters": {"F32": 335_000_000}, "total": 335_000_000},
        "gated": False,
    },
    {
        "id": "zeta/llama-mini",
        "author": "zeta",
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "tags": ["transformers", "text-generation", "fr", "license:llama3"],
        "downloads": 700,
        "likes": 70,
        "createdAt": "2025-03-01T00:00:00.000Z",
        "safetensors": {"parameters": {"BF16": 1_000_000_000}, "total": 1_000_000_000},
        "gated": "manual",
        "inference": "warm",
        "inferenceProviderMapping": [{"provider": "together", "status": "live"}],
    },
    {
        "id": "zeta/whisper-small",
        "author": "zeta",
        "pipeline_tag": "automatic-speech-recognition",
        "library_name": "transformers",
        "tags": ["transformers", "en", "license:apache-2.0"],
        "downloads": 800,
        "likes": 8,
        "gated": False,
    },
]


@pytest.fixture
def server() -> Iterator[HubServer]:
    with HubServer(RECORDS) as srv:
        yield srv


@pytest.fixture
def no_sleep(backoff_clock: FakeClock) -> list[float]:
    """The waits huggingface_hub's backoff would have slept."""
    return backoff_clock.sleeps


def _queries(server: HubServer) -> list[dict[str, list[str]]]:
    return [r["query"] for r in server.requests if r["path"] == "/api/models"]


def test_search_is_pushed_to_the_server(server: HubServer) -> None:
    hub = HubCatalog(endpoint=server.endpoint)
    df = hub.search("bert", task="fill-mask", license="mit", sort="likes", limit=5)
    assert list(df["id"]) == ["acme/bert-tiny"]
    (sent,) = _queries(server)
    assert sent["search"] == ["bert"]
    assert sent["pipeline_tag"] == ["fill-mask"]
    assert sent["filter"] == ["license:mit"]
    assert sent["sort"] == ["likes"]
    assert sent["limit"] == ["5"]
    assert sorted(sent["expand[]"]) == sorted(EXPAND)


def test_params_gated_provider_go_to_the_server(server: HubServer) -> None:
    hub = HubCatalog(endpoint=server.endpoint)
    df = hub.search(min_params="100M", max_params="2B", gated=True, provider="together")
    assert list(df["id"]) == ["zeta/llama-mini"]
    (sent,) = _queries(server)
    assert sent["num_parameters"] == ["min:100000000,max:2000000000"]
    assert sent["gated"] == ["true"]
    assert sent["inference_provider"] == ["together"]
    row = df.iloc[0]
    assert row["gated"] is True or bool(row["gated"])
    assert list(row["providers"]) == ["together"]
    assert bool(row["inference"])


def test_any_of_lists_become_one_request_each_merged_in_order(server: HubServer) -> None:
    hub = HubCatalog(endpoint=server.endpoint)
    df = hub.search(task=["fill-mask", "automatic-speech-recognition"], sort="downloads")
    assert list(df["id"]) == ["acme/bert-large", "zeta/whisper-small", "acme/bert-tiny"]
    assert len(_queries(server)) == 2


def test_same_results_as_the_snapshot_source(server: HubServer) -> None:
    hub = HubCatalog(endpoint=server.endpoint)
    snap = hw.Catalog.from_records(RECORDS)
    for kwargs in (
        {"query": "bert"},
        {"task": "fill-mask", "sort": "created"},
        {"language": "en", "sort": "likes"},
        {"author": "zeta"},
        {"query": "a", "sort": "params"},
    ):
        live = hub.search(**kwargs)["id"].tolist()
        offline = snap.search(**kwargs)["id"].tolist()
        assert live == offline, kwargs


def test_results_page_lazily_with_the_cursor(server: HubServer) -> None:
    hub = HubCatalog(endpoint=server.endpoint)
    df = hub.search(limit=1, offset=2)
    assert list(df["id"]) == ["zeta/llama-mini"]
    sent = _queries(server)
    assert sent[0]["limit"] == ["3"]  # only as many as needed, in one page


def test_multi_word_query_checks_the_other_words_here(server: HubServer) -> None:
    hub = HubCatalog(endpoint=server.endpoint)
    df = hub.search("bert large")
    assert list(df["id"]) == ["acme/bert-large"]
    assert _queries(server)[0]["search"] == ["large"]  # the longest word went to the Hub


def test_count_and_facets_over_fetched_results(server: HubServer) -> None:
    hub = HubCatalog(endpoint=server.endpoint, max_results=1000)
    assert hub.count(task="fill-mask") == 2
    assert hub.capped is False
    facets = hub.facets(task="fill-mask")
    tasks = facets[facets["facet"] == "task"].set_index("value")["count"]
    assert tasks["fill-mask"] == 2  # a facet's own filter does not narrow it
    assert tasks["automatic-speech-recognition"] == 1
    libraries = facets[facets["facet"] == "library"].set_index("value")["count"]
    assert libraries["transformers"] == 2  # narrowed by the task filter
    capped = HubCatalog(endpoint=server.endpoint, max_results=2)
    assert capped.count() == 2
    assert capped.capped is True


def test_model_with_card_and_unknown_model(server: HubServer) -> None:
    hub = HubCatalog(endpoint=server.endpoint)
    row = hub.model("acme/bert-tiny")
    assert row["id"] == "acme/bert-tiny"
    assert row["params"] == 4_400_000
    assert pd.isna(row["card"])
    with pytest.raises(hw.UnknownModelError, match="not on the Hub"):
        hub.model("acme/nope")


def test_df_holds_what_was_fetched(server: HubServer) -> None:
    hub = HubCatalog(endpoint=server.endpoint)
    assert len(hub) == 0
    hub.search("whisper")
    assert list(hub.df["id"]) == ["zeta/whisper-small"]
    assert hub.df["source"].astype(str).tolist() == ["hub"]


def test_429_retry_after_is_honoured(server: HubServer, no_sleep: list[float]) -> None:
    server.fail_next(429, headers={"Retry-After": "2"})
    hub = HubCatalog(endpoint=server.endpoint)
    assert len(hub.search()) == 4
    assert no_sleep == [3.0]  # huggingface_hub waits Retry-After + 1 s


def test_500_is_retried_then_reported(server: HubServer, no_sleep: list[float]) -> None:
    server.fail_next(500)
    hub = HubCatalog(endpoint=server.endpoint)
    assert len(hub.search()) == 4
    server.fail_next(500, times=10)
    with pytest.raises(HubError, match=r"answered HTTP 500 \(a server error; retried"):
        hub.search()
    assert len(no_sleep) == 1 + 5


def test_404_and_malformed_json_are_clear(server: HubServer) -> None:
    hub = HubCatalog(endpoint=server.endpoint)
    server.fail_next(404, headers={"X-Error-Code": "RepoNotFound"})
    with pytest.raises(HubError, match="answered HTTP 404"):
        hub.search()
    server.malformed_next()
    with pytest.raises(HubError, match="malformed JSON"):
        hub.search()


def test_timeout_is_clear(server: HubServer, no_sleep: list[float]) -> None:
    hub = HubCatalog(endpoint=server.endpoint, timeout=0.3)
    server.delay_next(2.0, times=10)
    with pytest.raises(HubError, match="did not answer"):
        hub.search()


def test_model_lookup_timeout_is_a_hub_error(server: HubServer, no_sleep: list[float]) -> None:
    """One model's record too: a timeout is a HubError (which widgets show), not an httpx one."""
    hub = HubCatalog(endpoint=server.endpoint, timeout=0.3)
    server.delay_next(2.0, times=10)
    with pytest.raises(HubError, match="did not answer"):
        hub.model("openai/whisper-large-v3")


def test_bad_arguments_fail_before_any_request(server: HubServer) -> None:
    hub = HubCatalog(endpoint=server.endpoint)
    with pytest.raises(ValueError, match="unknown sort key"):
        hub.search(sort="stars")
    with pytest.raises(ValueError, match="did you mean 'text-classification'"):
        hub.search(task="text-clasification")
    with pytest.raises(ValueError, match="requests"):
        hub.search(task=list(hw.TASKS[:5]), language=["en", "fr", "de", "es"])
    assert _queries(server) == []


@pytest.mark.skipif(
    shared_data_dir() is None, reason="../shared/data (recorded Hub records) absent"
)
def test_live_equals_snapshot_on_real_records() -> None:
    records = load_shared_records(limit=3000)
    snap = hw.Catalog.from_records(records)
    with HubServer(records) as srv:
        hub = HubCatalog(endpoint=srv.endpoint)
        for kwargs in (
            {"query": "bert", "limit": 20},
            {"task": "translation", "sort": "likes", "limit": 10},
            {"query": "base", "library": "transformers", "limit": 30},
        ):
            live = hub.search(**kwargs)["id"].tolist()
            assert live == snap.search(**kwargs)["id"].tolist(), kwargs
            assert len(live) > 0
