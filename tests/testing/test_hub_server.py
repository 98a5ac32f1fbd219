"""Tests of the local Hub server, always through the real ``huggingface_hub`` client.

The point of :class:`HubServer` is that code under test cannot tell it from the Hub, so every
assertion here goes through ``HfApi(endpoint=server.endpoint)`` (or the client's own session and
paginator) and checks both what the client got back and what the server was asked -- the request
log is how a test proves filtering was pushed to the server rather than done client-side.

Tests on hand-written records run everywhere; tests on the recorded Hub data (29k 2022 records,
1k 2025 records) live in :class:`TestSharedData`, which skips when the shared folder is absent.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from huggingface_hub import HfApi, get_session, hf_hub_download
from huggingface_hub.errors import (
    EntryNotFoundError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils._pagination import paginate

from hubwidgets.testing import (
    DEFAULT_LIST_FIELDS,
    MAX_PAGE_SIZE,
    HubServer,
    load_shared_records,
    shared_data_dir,
    to_api_record,
)
from hubwidgets.testing.clock import FakeClock

# ---------------------------------------------------------------------------------------------
# Hand-written records: invented fixtures (not Hub data), small enough to reason about exactly.
# ---------------------------------------------------------------------------------------------

SHA_A = "a" * 40
CARD_A = "---\nlicense: mit\n---\n\n# Acme Llama\n\nA test card.\n"

HAND_RECORDS: list[dict[str, Any]] = [
    {
        "_id": "000000000000000000000001",
        "id": "acme/llama-7b",
        "modelId": "acme/llama-7b",
        "author": "acme",
        "sha": SHA_A,
        "createdAt": "2024-01-02T03:04:05.000Z",
        "lastModified": "2024-06-01T00:00:00.000Z",
        "private": False,
        "gated": "manual",
        "disabled": False,
        "downloads": 100,
        "likes": 50,
        "trendingScore": 7,
        "library_name": "transformers",
        "pipeline_tag": "text-generation",
        "tags": ["transformers", "safetensors", "llama", "text-generation", "license:mit"],
        "cardData": {"license": "mit"},
        "safetensors": {"parameters": {"BF16": 6_738_415_616}, "total": 6_738_415_616},
        "inference": "warm",
        "inferenceProviderMapping": [
            {
                "provider": "together",
                "providerId": "acme/Llama-7B",
                "status": "live",
                "task": "conversational",
            }
        ],
        "siblings": [{"rfilename": "README.md"}, {"rfilename": "model.safetensors"}],
        "_card": CARD_A,
    },
    {
        "_id": "000000000000000000000002",
        "id": "acme/bert-tiny",
        "modelId": "acme/bert-tiny",
        "author": "acme",
        "sha": "b" * 40,
        "createdAt": "2023-05-05T00:00:00.000Z",
        "private": False,
        "gated": False,
        "downloads": 5000,
        "likes": 50,
        "library_name": "transformers",
        "pipeline_tag": "fill-mask",
        "tags": ["transformers", "pytorch", "bert", "fill-mask"],
        "safetensors": {"parameters": {"F32": 4_400_000}, "total": 4_400_000},
    },
    {
        "_id": "000000000000000000000003",
        "id": "zeta/Whisper-Large",
        "modelId": "zeta/Whisper-Large",
        "author": "zeta",
        "createdAt": "2022-11-11T00:00:00.000Z",
        "private": False,
        "gated": "auto",
        "downloads": 42,
        "likes": 9,
        "library_name": "transformers",
        "pipeline_tag": "automatic-speech-recognition",
        "tags": ["transformers", "whisper", "automatic-speech-recognition"],
        "gguf": {"total": 1_550_000_000, "architecture": "whisper"},
    },
    {
        "id": "gpt2",
        "modelId": "gpt2",
        "private": False,
        "downloads": 9_000_000,
        "likes": 2000,
        "library_name": "transformers",
        "pipeline_tag": "text-generation",
        "tags": ["transformers", "gpt2", "text-generation"],
    },
    {
        "id": "solo/no-counts",
        "modelId": "solo/no-counts",
        "author": "solo",
        "private": False,
        "tags": [],
    },
    {
        "id": "acme/secret",
        "modelId": "acme/secret",
        "author": "acme",
        "private": True,
        "downloads": 10**9,
        "likes": 10**6,
        "tags": ["transformers"],
    },
]


@pytest.fixture
def hand_server() -> Iterator[HubServer]:
    with HubServer(HAND_RECORDS) as server:
        yield server


def _api(server: HubServer) -> HfApi:
    # token=False: never send (or even look up) a local token; the server is anonymous anyway.
    return HfApi(endpoint=server.endpoint, token=False)


def _ids(models: Any) -> list[str]:
    return [m.id for m in models]


def _model_requests(server: HubServer) -> list[dict[str, Any]]:
    return [dict(r) for r in server.requests if r["path"] == "/api/models"]


# ---------------------------------------------------------------------------------------------
# Record conversion (no server, no shared data)
# ---------------------------------------------------------------------------------------------


def test_to_api_record_converts_a_2025_client_serialization() -> None:
    raw = {
        "model_id": "org/model",
        "family": "model",
        "depth": 0,
        "children_count": 2,
        "card": "---\nlicense: mit\n---\nhello",
        "metadata": {
            "id": "org/model",
            "author": "org",
            "sha": SHA_A,
            "created_at": "2023-04-12 22:41:03+00:00",
            "last_modified": "2023-04-25 22:46:12.123456+00:00",
            "private": False,
            "gated": "auto",
            "downloads": 3,
            "downloads_all_time": None,
            "likes": 1,
            "trending_score": None,
            "tags": ["license:mit"],
            "card_data": "license: mit\ndate: 2024-01-01\n",
            "safetensors": {"parameters": {"BF16": 10}, "total": 10},
            "siblings": [
                "RepoSibling(rfilename='README.md', size=None, blob_id=None, lfs=None)",
                'RepoSibling(rfilename="it\'s.txt", size=None, blob_id=None, lfs=None)',
            ],
            "lastModified": "2023-04-25 22:46:12.123456+00:00",
            "cardData": "license: mit\ndate: 2024-01-01\n",
            "_id": "6437337f535846fc73640937",
            "modelId": "org/model",
            "usedStorage": 123,
        },
    }
    rec = to_api_record(raw)
    assert rec["id"] == rec["modelId"] == "org/model"
    assert rec["_id"] == "6437337f535846fc73640937"
    assert rec["createdAt"] == "2023-04-12T22:41:03.000Z"
    assert rec["lastModified"] == "2023-04-25T22:46:12.123Z"
    assert rec["gated"] == "auto"
    assert rec["cardData"] == {"license": "mit", "date": "2024-01-01"}
    assert rec["siblings"] == [{"rfilename": "README.md"}, {"rfilename": "it's.txt"}]
    assert rec["safetensors"] == {"parameters": {"BF16": 10}, "total": 10}
    assert rec["usedStorage"] == 123
    assert rec["_card"].endswith("hello")
    # None in the source means "not recorded": the key stays absent rather than invented.
    for absent in ("downloadsAllTime", "trendingScore", "gguf", "inference", "config"):
        assert absent not in rec
    client_names = {"created_at", "last_modified", "card_data", "used_storage", "model_id"}
    assert not client_names & set(rec)


def test_to_api_record_2022_derives_author_only_from_namespaced_ids() -> None:
    base = {"sha": SHA_A, "lastModified": "2022-01-20T12:13:34.000Z", "tags": [], "likes": 0}
    with_ns = to_api_record({"modelId": "007J/smile", "pipeline_tag": None, **base})
    assert with_ns["author"] == "007J"
    assert with_ns["id"] == with_ns["modelId"] == "007J/smile"
    assert "pipeline_tag" not in with_ns
    assert "createdAt" not in with_ns  # 2022 list records never had it
    legacy = to_api_record({"modelId": "gpt2", **base})
    assert "author" not in legacy


def test_to_api_record_rejects_a_failed_recording() -> None:
    with pytest.raises(ValueError, match="no metadata"):
        to_api_record({"model_id": "x/y", "metadata": {"raw": "N/A"}, "card": "N/A"})


def test_shared_data_dir_honours_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HUBWIDGETS_SHARED_DATA", str(tmp_path))
    assert shared_data_dir() == tmp_path
    monkeypatch.setenv("HUBWIDGETS_SHARED_DATA", str(tmp_path / "missing"))
    assert shared_data_dir() is None
    with pytest.raises(FileNotFoundError):
        load_shared_records()


# ---------------------------------------------------------------------------------------------
# Hand-written records through the real client
# ---------------------------------------------------------------------------------------------


def test_hand_records_filters_and_default_fields(hand_server: HubServer) -> None:
    api = _api(hand_server)
    assert _ids(api.list_models(author="acme")) == ["acme/llama-7b", "acme/bert-tiny"]
    assert _ids(api.list_models(search="WHISPER")) == ["zeta/Whisper-Large"]
    assert _ids(api.list_models(filter=["transformers", "text-generation"])) == [
        "acme/llama-7b",
        "gpt2",
    ]
    assert _ids(api.list_models(gated=True)) == ["acme/llama-7b", "zeta/Whisper-Large"]
    # gguf totals count as parameters too; models without any total are excluded.
    assert _ids(api.list_models(num_parameters="min:1B")) == [
        "acme/llama-7b",
        "zeta/Whisper-Large",
    ]
    assert _ids(api.list_models(num_parameters="max:1.5B")) == ["acme/bert-tiny"]
    assert _ids(api.list_models(inference="warm")) == ["acme/llama-7b"]
    assert _ids(api.list_models(inference_provider="together")) == ["acme/llama-7b"]
    assert _ids(api.list_models(inference_provider="all")) == ["acme/llama-7b"]
    assert _ids(api.list_models(inference_provider="fal-ai")) == []
    # The private repo is invisible to an anonymous caller, as on the Hub.
    assert "acme/secret" not in _ids(api.list_models())

    raw = get_session().get(f"{hand_server.endpoint}/api/models", params={"search": "llama"})
    (item,) = raw.json()
    assert list(item) == [f for f in DEFAULT_LIST_FIELDS if f in HAND_RECORDS[0]]


def test_hand_records_sort_puts_missing_last_and_breaks_ties_by_id(
    hand_server: HubServer,
) -> None:
    api = _api(hand_server)
    # likes: gpt2 2000, then the 50/50 tie by id ascending, then 9; no-likes record last.
    expected = ["gpt2", "acme/bert-tiny", "acme/llama-7b", "zeta/Whisper-Large", "solo/no-counts"]
    assert _ids(api.list_models(sort="likes")) == expected
    assert _ids(api.list_models(sort="created_at")) == [
        "acme/llama-7b",
        "acme/bert-tiny",
        "zeta/Whisper-Large",
        "gpt2",
        "solo/no-counts",
    ]
    assert _model_requests(hand_server)[-1]["query"]["sort"] == ["createdAt"]
    ascending = get_session().get(
        f"{hand_server.endpoint}/api/models", params={"sort": "downloads", "direction": "1"}
    )
    assert [m["id"] for m in ascending.json()] == [
        "zeta/Whisper-Large",
        "acme/llama-7b",
        "acme/bert-tiny",
        "gpt2",
        "solo/no-counts",
    ]


def test_hand_records_cursor_pagination_through_the_client_paginator(
    hand_server: HubServer,
) -> None:
    items = list(
        paginate(
            f"{hand_server.endpoint}/api/models",
            params={"limit": 2, "sort": "likes", "author": "acme"},
            headers={},
        )
    )
    assert [m["id"] for m in items] == ["acme/bert-tiny", "acme/llama-7b"]
    hand_server.clear_requests()
    items = list(paginate(f"{hand_server.endpoint}/api/models", params={"limit": 2}, headers={}))
    assert len(items) == 5
    log = _model_requests(hand_server)
    assert len(log) == 3
    assert "cursor" not in log[0]["query"]
    for req in log[1:]:
        assert req["query"]["limit"] == ["2"]  # the next URL keeps the original query
        assert req["query"]["cursor"]


def test_hand_records_expand_and_provider_mapping_shapes(hand_server: HubServer) -> None:
    api = _api(hand_server)
    (model,) = api.list_models(search="llama", expand=["safetensors", "inferenceProviderMapping"])
    assert model.safetensors is not None and model.safetensors.total == 6_738_415_616
    assert model.downloads is None  # not requested, so not sent
    mapping = model.inference_provider_mapping
    assert mapping is not None and mapping[0].provider == "together"

    url = f"{hand_server.endpoint}/api/models"
    listed = get_session().get(url, params={"search": "llama", "expand[]": "gated"}).json()
    assert listed == [{"_id": HAND_RECORDS[0]["_id"], "id": "acme/llama-7b", "gated": "manual"}]
    expanded = get_session().get(
        f"{url}/acme/llama-7b", params={"expand": "inferenceProviderMapping"}
    )
    # The Hub serves the mapping as a list in listings but as a dict keyed by provider here.
    assert expanded.json()["inferenceProviderMapping"] == {
        "together": {"providerId": "acme/Llama-7B", "status": "live", "task": "conversational"}
    }
    bad = get_session().get(url, params={"expand": "nonsense"})
    assert bad.status_code == 400


def test_hand_records_model_info_revision_and_not_found(hand_server: HubServer) -> None:
    api = _api(hand_server)
    info = api.model_info("acme/llama-7b")
    assert info.sha == SHA_A
    assert info.gated == "manual"
    assert info.card_data is not None and info.card_data.license == "mit"
    assert "_card" not in get_session().get(f"{hand_server.endpoint}/api/models/gpt2").json()
    assert api.model_info("gpt2").author is None
    assert api.model_info("acme/llama-7b", revision=SHA_A).id == "acme/llama-7b"
    with pytest.raises(RevisionNotFoundError):
        api.model_info("acme/llama-7b", revision="v9")
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("acme/nope")
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("acme/secret")
    raw = get_session().get(f"{hand_server.endpoint}/api/models/acme/nope")
    assert raw.status_code == 404
    assert raw.headers["X-Error-Code"] == "RepoNotFound"
    assert raw.json() == {"error": "Repository not found"}


def test_hand_records_readme_resolve(hand_server: HubServer, tmp_path: Path) -> None:
    path = hf_hub_download(
        "acme/llama-7b", "README.md", endpoint=hand_server.endpoint, cache_dir=tmp_path, token=False
    )
    assert Path(path).read_text(encoding="utf-8") == CARD_A
    assert f"snapshots/{SHA_A}/README.md" in Path(path).as_posix()
    head = get_session().head(f"{hand_server.endpoint}/acme/llama-7b/resolve/main/README.md")
    assert head.status_code == 200
    assert head.headers["X-Repo-Commit"] == SHA_A
    assert head.headers["Content-Length"] == str(len(CARD_A.encode()))
    assert head.headers["ETag"].startswith('"')
    assert head.content == b""
    with pytest.raises(EntryNotFoundError):
        hf_hub_download(
            "acme/bert-tiny",
            "README.md",
            endpoint=hand_server.endpoint,
            cache_dir=tmp_path,
            token=False,
        )


def test_request_log_records_method_path_query_headers(hand_server: HubServer) -> None:
    list(_api(hand_server).list_models(filter=["a", "b"], pipeline_tag="fill-mask", limit=3))
    (req,) = hand_server.requests
    assert req["method"] == "GET"
    assert req["path"] == "/api/models"
    assert req["query"] == {"filter": ["a", "b"], "pipeline_tag": ["fill-mask"], "limit": ["3"]}
    assert "hf_hub" in {k.lower(): v for k, v in req["headers"].items()}["user-agent"]
    hand_server.clear_requests()
    assert hand_server.requests == []


def test_429_with_retry_after_is_retried_honouring_the_wait(
    hand_server: HubServer, backoff_clock: FakeClock
) -> None:
    hand_server.fail_next(429, headers={"Retry-After": "3"})
    assert _ids(_api(hand_server).list_models(author="zeta")) == ["zeta/Whisper-Large"]
    # http_backoff waits Retry-After + 1 s "to avoid rounding issues" -- not its 1 s default.
    assert backoff_clock.sleeps == [4.0]
    log = _model_requests(hand_server)
    assert len(log) == 2 and log[0]["query"] == log[1]["query"]


def test_5xx_are_retried_with_exponential_backoff(
    hand_server: HubServer, backoff_clock: FakeClock
) -> None:
    hand_server.fail_next(503, times=2)
    assert len(list(_api(hand_server).list_models())) == 5
    assert backoff_clock.sleeps == [1, 2]
    assert len(hand_server.requests) == 3


def test_model_info_error_is_not_retried_and_carries_the_server_message(
    hand_server: HubServer,
) -> None:
    hand_server.fail_next(500, body={"error": "database on fire"})
    with pytest.raises(HfHubHTTPError, match="database on fire"):
        _api(hand_server).model_info("gpt2")
    assert _api(hand_server).model_info("gpt2").id == "gpt2"


def test_malformed_json_raises_a_decode_error(hand_server: HubServer) -> None:
    hand_server.malformed_next(times=2)
    with pytest.raises(json.JSONDecodeError):
        list(_api(hand_server).list_models())
    with pytest.raises(json.JSONDecodeError):
        _api(hand_server).model_info("gpt2")
    assert _api(hand_server).model_info("gpt2").id == "gpt2"  # faults are consumed in order


def test_delay_provokes_a_client_timeout(hand_server: HubServer) -> None:
    hand_server.delay_next(0.5)
    with pytest.raises(httpx2.TimeoutException):
        _api(hand_server).model_info("gpt2", timeout=0.1)
    assert _api(hand_server).model_info("gpt2", timeout=5).id == "gpt2"


def test_stop_closes_the_endpoint() -> None:
    server = HubServer(HAND_RECORDS).start()
    endpoint = server.endpoint
    assert get_session().get(f"{endpoint}/api/models").status_code == 200
    server.stop()
    with pytest.raises(httpx2.TransportError):
        get_session().get(f"{endpoint}/api/models", timeout=2)
    with pytest.raises(RuntimeError):
        _ = server.endpoint


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        HubServer([{"id": "a/b"}, {"id": "a/b"}])


# ---------------------------------------------------------------------------------------------
# Recorded Hub data (skips without /work/shared/data)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_records() -> list[dict[str, Any]]:
    return load_shared_records()


@pytest.fixture(scope="module")
def shared_server(shared_records: list[dict[str, Any]]) -> Iterator[HubServer]:
    with HubServer(shared_records) as server:
        yield server


@pytest.fixture
def shared(shared_server: HubServer) -> HubServer:
    """The module-wide server with a clean request log and no pending faults."""
    shared_server.clear_requests()
    shared_server.clear_faults()
    return shared_server


class TestSharedData:
    """The same contract on the real recorded catalog (29,432 + 999 records)."""

    pytestmark = pytest.mark.skipif(
        shared_data_dir() is None,
        reason="recorded Hub data not found: set HUBWIDGETS_SHARED_DATA or provide "
        "<repo>/../shared/data (see /work/shared/data/README.md)",
    )

    def test_records_load_in_the_modern_shape(self, shared_records: list[dict[str, Any]]) -> None:
        assert len(shared_records) == 29_432 + 999
        modern = [r for r in shared_records if "createdAt" in r]
        assert len(modern) == 999
        assert all(r["createdAt"].endswith(".000Z") for r in modern)
        assert all(isinstance(r.get("cardData", {}), dict) for r in shared_records)
        assert sum("_card" in r for r in shared_records) > 900

    def test_search_author_filter_pipeline_tag(
        self, shared: HubServer, shared_records: list[dict[str, Any]]
    ) -> None:
        api = _api(shared)
        bert = _ids(api.list_models(search="BeRt"))
        assert bert and len(bert) == sum("bert" in r["id"].lower() for r in shared_records)

        google = _ids(api.list_models(author="google"))
        assert google == [r["id"] for r in shared_records if r.get("author") == "google"]

        wanted = ["pytorch", "text-classification"]
        shared.clear_requests()
        both = _ids(api.list_models(filter=wanted))
        assert len(both) > MAX_PAGE_SIZE  # several pages, all fetched by the client
        assert both == [
            r["id"]
            for r in shared_records
            if all(
                w in r["tags"] or w in (r.get("pipeline_tag"), r.get("library_name"))
                for w in wanted
            )
        ]
        log = _model_requests(shared)
        assert len(log) == -(-len(both) // MAX_PAGE_SIZE)  # one request per page, no more
        assert all(req["query"]["filter"] == wanted for req in log)

        gen = list(api.list_models(pipeline_tag="text-generation", author="deepseek-ai"))
        assert gen and all(m.pipeline_tag == "text-generation" for m in gen)

    def test_gated_and_num_parameters(
        self, shared: HubServer, shared_records: list[dict[str, Any]]
    ) -> None:
        api = _api(shared)
        gated = list(api.list_models(gated=True, expand=["gated"]))
        assert len(gated) == 36 and {m.gated for m in gated} == {"auto", "manual"}
        assert _model_requests(shared)[-1]["query"]["gated"] == ["true"]

        sized = list(api.list_models(num_parameters="min:6B,max:8B", expand=["safetensors"]))
        assert sized
        for m in sized:
            assert m.safetensors is not None and 6e9 <= m.safetensors.total <= 8e9
        expected = sum(
            6e9 <= r["safetensors"]["total"] <= 8e9 for r in shared_records if "safetensors" in r
        )
        assert len(sized) == expected

    def test_sort_and_limit(self, shared: HubServer, shared_records: list[dict[str, Any]]) -> None:
        api = _api(shared)
        top = _ids(api.list_models(sort="likes", limit=10))
        by_likes = sorted(shared_records, key=lambda r: (-r["likes"], r["id"]))
        assert top == [r["id"] for r in by_likes[:10]]
        assert len(_model_requests(shared)) == 1
        assert _model_requests(shared)[0]["query"]["limit"] == ["10"]

        # 2022 records have no createdAt: they sort after every dated record.
        newest = _ids(api.list_models(sort="created_at", limit=3))
        dated = [r for r in shared_records if "createdAt" in r]
        dated.sort(key=lambda r: r["id"])
        dated.sort(key=lambda r: r["createdAt"], reverse=True)
        assert newest == [r["id"] for r in dated[:3]]
        oldest_first = get_session().get(
            f"{shared.endpoint}/api/models",
            params={"sort": "createdAt", "direction": "1", "limit": "1000"},
        )
        ascending = sorted(dated, key=lambda r: (r["createdAt"], r["id"]))
        assert [m["id"] for m in oldest_first.json()[:3]] == [r["id"] for r in ascending[:3]]

    def test_cursor_pagination_is_lazy(self, shared: HubServer) -> None:
        api = _api(shared)
        first = list(itertools.islice(api.list_models(), 2500))
        assert len({m.id for m in first}) == 2500
        log = _model_requests(shared)
        assert len(log) == 3  # 1000 + 1000 + the page holding item 2500; no more
        assert "cursor" not in log[0]["query"] and all(r["query"]["cursor"] for r in log[1:])

        shared.clear_requests()
        capped = list(api.list_models(limit=2500))
        assert [m.id for m in capped] == [m.id for m in first]
        log = _model_requests(shared)
        assert len(log) == 3  # the server caps each page at 1000 like the Hub
        assert all(r["query"]["limit"] == ["2500"] for r in log)

    def test_expand_returns_only_requested_properties(self, shared: HubServer) -> None:
        raw = get_session().get(
            f"{shared.endpoint}/api/models",
            params=[("author", "deepseek-ai"), ("expand", "createdAt"), ("expand", "likes")],
        )
        items = raw.json()
        assert items
        assert all(set(item) <= {"_id", "id", "createdAt", "likes"} for item in items)
        assert all("likes" in item and "createdAt" in item for item in items)

    def test_model_info_and_readme(
        self, shared: HubServer, shared_records: list[dict[str, Any]], tmp_path: Path
    ) -> None:
        api = _api(shared)
        record = next(r for r in shared_records if "_card" in r and "safetensors" in r)
        info = api.model_info(record["id"])
        assert info.sha == record["sha"]
        assert info.safetensors is not None
        assert info.safetensors.total == record["safetensors"]["total"]
        assert info.siblings is not None and len(info.siblings) == len(record["siblings"])
        assert info.card_data is not None
        with pytest.raises(RepositoryNotFoundError):
            api.model_info("definitely/not-a-model")

        path = hf_hub_download(
            record["id"], "README.md", endpoint=shared.endpoint, cache_dir=tmp_path, token=False
        )
        assert Path(path).read_text(encoding="utf-8") == record["_card"]

        old = next(r for r in shared_records if "createdAt" not in r)
        with pytest.raises(EntryNotFoundError):
            hf_hub_download(
                old["id"], "README.md", endpoint=shared.endpoint, cache_dir=tmp_path, token=False
            )
