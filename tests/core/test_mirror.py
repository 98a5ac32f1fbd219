"""The Hub-compatible mirror (issue 17 item 4): ``Mirror`` / ``hubwidgets serve SNAPSHOT``.

Clients are the real ones: ``huggingface_hub.HfApi(endpoint=mirror)`` and hubwidgets' live
catalog (``open_catalog("hub", endpoint=mirror)``), over real HTTP on 127.0.0.1. Expected answers
come from the snapshot itself (plain Python over its records, or the snapshot's own Catalog
search). Records are invented, not Hub data.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

import hubwidgets as hw
from hubwidgets.core.catalog.catalog import Catalog
from hubwidgets.core.catalog.serve import MAX_PAGE_SIZE, Mirror

N = 2600  # three pages of 1000
TASKS = ("text-classification", "fill-mask", "text-generation")
ORIGIN = "https://huggingface.co"


def _records() -> list[dict[str, Any]]:
    out = []
    for i in range(N):
        task = TASKS[i % 3]
        lang = ["en"] if i % 4 else ["fr", "de"]
        license_ = "apache-2.0" if i % 5 else "cc-by-nc-4.0"
        out.append(
            {
                "id": f"org{i % 9}/{'bert' if i % 2 else 'gpt'}-model-{i:04d}",
                "author": f"org{i % 9}",
                "sha": f"{i:040x}",
                "createdAt": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T00:00:00.000Z",
                "lastModified": f"2025-{1 + (i * 7) % 12:02d}-{1 + i % 28:02d}T01:00:00.000Z",
                "private": False,
                "gated": "manual" if i % 10 == 0 else False,
                "downloads": (i * 7919) % 10_007,
                "downloadsAllTime": (i * 7919) % 10_007 * 3,
                "likes": (i * 31) % 97,
                "trendingScore": i % 13,
                "pipeline_tag": task,
                "library_name": "transformers" if i % 7 else "peft",
                "tags": ["transformers" if i % 7 else "peft", task, f"license:{license_}", *lang],
                "cardData": {"license": license_, "language": lang},
                "safetensors": {
                    "parameters": {"F32": 10**6 * (1 + i % 50)},
                    "total": 10**6 * (1 + i % 50),
                }
                if i % 3
                else None,
                "inference": "warm" if i % 11 == 0 else None,
                "inferenceProviderMapping": [
                    {"provider": "together", "providerId": f"t/{i}", "status": "live", "task": task}
                ]
                if i % 11 == 0
                else None,
                "siblings": [{"rfilename": "config.json"}, {"rfilename": "model.safetensors"}],
            }
        )
    out.append({"id": "acme/secret", "private": True, "downloads": 10**9, "tags": []})
    return out


RECORDS = _records()
PUBLIC = [r for r in RECORDS if not r.get("private")]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mirror") / "models.parquet"
    Catalog.from_records(RECORDS, source="snapshot").to_parquet(path, origin=ORIGIN)
    return path


@pytest.fixture(scope="module")
def log() -> io.StringIO:
    return io.StringIO()


@pytest.fixture(scope="module")
def mirror(snapshot: Path, log: io.StringIO) -> Iterator[Mirror]:
    with Mirror(snapshot, log=log) as served:
        yield served


@pytest.fixture
def api(mirror: Mirror) -> HfApi:
    return HfApi(endpoint=mirror.endpoint, token=False)


def _expected(
    key: str, keep: Any = lambda r: True, n: int | None = None
) -> list[str]:  # the Hub's order: descending, ties by id ascending
    rows = sorted((r for r in PUBLIC if keep(r)), key=lambda r: r["id"])
    rows.sort(key=lambda r: r[key], reverse=True)
    return [r["id"] for r in rows][:n]


def test_list_models_search_filter_sort_limit(api: HfApi) -> None:
    got = [m.id for m in api.list_models(search="bert", sort="downloads", limit=7)]
    assert got == _expected("downloads", lambda r: "bert" in r["id"], 7)

    got = [m.id for m in api.list_models(filter="fill-mask", author="org1", sort="likes")]
    want = _expected("likes", lambda r: r["pipeline_tag"] == "fill-mask" and r["author"] == "org1")
    assert got == want and len(want) > 50

    # several filters must all match: a library, a license tag and a language
    got = [m.id for m in api.list_models(filter=["peft", "license:cc-by-nc-4.0", "fr"])]
    want_ids = {
        r["id"]
        for r in PUBLIC
        if r["library_name"] == "peft"
        and r["cardData"]["license"] == "cc-by-nc-4.0"
        and "fr" in r["cardData"]["language"]
    }
    assert set(got) == want_ids and want_ids

    got = [
        m.id for m in api.list_models(pipeline_tag="text-generation", sort="created_at", limit=5)
    ]
    assert got == _expected("createdAt", lambda r: r["pipeline_tag"] == "text-generation", 5)

    models = list(api.list_models(gated=True, num_parameters="min:40M", limit=3000))
    assert {m.id for m in models} == {
        r["id"]
        for r in PUBLIC
        if r["gated"] == "manual" and r["safetensors"] and r["safetensors"]["total"] >= 40 * 10**6
    }

    warm = list(api.list_models(inference_provider="together", expand=["inferenceProviderMapping"]))
    assert len(warm) == sum(1 for r in PUBLIC if r["inferenceProviderMapping"])
    assert warm[0].inference_provider_mapping[0].provider == "together"


def test_paging_walks_every_model_through_link_headers(api: HfApi, mirror: Mirror) -> None:
    every = [m.id for m in api.list_models(sort="downloads")]
    assert every == _expected("downloads")  # three pages, nothing lost or repeated
    assert "acme/secret" not in every

    answer = httpx.get(f"{mirror.endpoint}/api/models", params={"limit": 5000, "search": "gpt"})
    assert answer.status_code == 200
    assert len(answer.json()) == MAX_PAGE_SIZE  # the page size is capped like the Hub's
    link = answer.headers["Link"]
    assert re.fullmatch(
        rf'<{re.escape(mirror.endpoint)}/api/models\?[^>]*cursor=[^>]+>; rel="next"', link
    )
    rest = httpx.get(link[1 : link.index(">")])
    assert len(rest.json()) == N // 2 - MAX_PAGE_SIZE and "Link" not in rest.headers


def test_list_items_have_the_hubs_shape(mirror: Mirror) -> None:
    plain = httpx.get(f"{mirror.endpoint}/api/models", params={"limit": 1}).json()[0]
    assert set(plain) <= {
        "id",
        "likes",
        "trendingScore",
        "private",
        "downloads",
        "tags",
        "pipeline_tag",
        "library_name",
        "createdAt",
        "modelId",
    }
    assert plain["id"] == plain["modelId"] and plain["createdAt"].endswith("Z")
    expanded = httpx.get(
        f"{mirror.endpoint}/api/models",
        params=[("limit", "1"), ("expand[]", "downloads"), ("expand[]", "safetensors")],
    ).json()[0]
    assert set(expanded) <= {"id", "downloads", "safetensors"}


def test_model_info_in_the_hubs_shape(api: HfApi) -> None:
    record = PUBLIC[11]
    info = api.model_info(record["id"])
    assert info.id == record["id"] and info.sha == record["sha"]
    assert info.downloads == record["downloads"] and info.likes == record["likes"]
    assert info.pipeline_tag == record["pipeline_tag"]
    assert info.library_name == record["library_name"] and info.tags == record["tags"]
    assert info.card_data is not None and info.card_data.license == record["cardData"]["license"]
    assert info.safetensors is not None and info.safetensors.total == record["safetensors"]["total"]
    assert [s.rfilename for s in info.siblings or []] == ["config.json", "model.safetensors"]
    assert info.inference == "warm"
    assert info.last_modified is not None and info.last_modified.isoformat().startswith("2025-")
    assert api.model_info(record["id"], revision="main").id == record["id"]
    assert api.model_info(record["id"], revision=record["sha"]).id == record["id"]
    with pytest.raises(RevisionNotFoundError):
        api.model_info(record["id"], revision="v2.0")
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("org1/no-such-model")
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("acme/secret")  # private: as if it did not exist


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"sort": "popularity"}, "Invalid sort parameter"),
        ({"limit": "many"}, "Invalid limit"),
        ({"limit": "0"}, "Invalid limit"),
        ({"cursor": "not-a-cursor"}, "Invalid cursor"),
        ({"expand[]": "everything"}, "Invalid expand value"),
        ({"expand[]": "likes", "full": "true"}, "cannot be combined"),
        ({"num_parameters": "lots"}, "Invalid num_parameters"),
        ({"gated": "maybe"}, "Invalid gated value"),
        ({"sort": "likes", "direction": "1"}, "Invalid direction"),
    ],
)
def test_bad_parameters_answer_400_in_the_hubs_error_shape(
    mirror: Mirror, params: dict[str, str], said: str
) -> None:
    answer = httpx.get(f"{mirror.endpoint}/api/models", params=params)
    assert answer.status_code == 400
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert list(body) == ["error"] and said in body["error"]


def test_read_only_unknown_routes_and_404_shape(mirror: Mirror) -> None:
    answer = httpx.post(f"{mirror.endpoint}/api/models", json={})
    assert answer.status_code == 405 and "read-only" in answer.json()["error"]
    missing = httpx.get(f"{mirror.endpoint}/api/models/nobody/nothing")
    assert missing.status_code == 404
    assert missing.json() == {"error": "Repository not found"}
    assert missing.headers["X-Error-Code"] == "RepoNotFound"
    assert httpx.get(f"{mirror.endpoint}/api/spaces").status_code == 404


def test_every_request_is_logged_in_one_line(mirror: Mirror, log: io.StringIO) -> None:
    before = log.getvalue().count("\n")
    httpx.get(f"{mirror.endpoint}/api/models", params={"search": "bert", "limit": 3})
    httpx.get(f"{mirror.endpoint}/api/models/nobody/nothing")
    lines = log.getvalue().splitlines()[before:]
    assert len(lines) == 2
    assert re.search(
        r"127\.0\.0\.1 GET /api/models\?search=bert&limit=3 200 [\d.]+ms 3 models", lines[0]
    )
    assert " 404 " in lines[1] and "Repository not found" in lines[1]


def test_the_live_catalog_searches_through_the_mirror(mirror: Mirror, snapshot: Path) -> None:
    live = hw.open_catalog("hub", endpoint=mirror.endpoint, verbose=False)
    local = Catalog.read_parquet(snapshot)
    for query, kwargs in [
        ("bert", {"sort": "downloads", "limit": 20}),
        ("model-01", {"task": "fill-mask", "sort": "likes", "limit": 10}),
        ("", {"author": "org3", "library": "peft", "sort": "created", "limit": 10}),
        ("gpt", {"license": "cc-by-nc-4.0", "language": "fr", "limit": 10}),
        ("", {"gated": True, "min_params": "20M", "sort": "modified", "limit": 10}),
    ]:
        want = local.search(query, **kwargs)
        got = live.search(query, **kwargs)
        assert got["id"].tolist() == want["id"].tolist(), (query, kwargs)
        columns = ["downloads", "likes", "params", "gated", "license", "task", "library"]
        assert got[columns].astype(str).values.tolist() == want[columns].astype(str).values.tolist()
    row = live.model(PUBLIC[11]["id"])
    assert row["providers"] == ["together"] and row["files"] == ["config.json", "model.safetensors"]


def test_cli_serve_runs_until_interrupted(snapshot: Path) -> None:
    env = {**os.environ, "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    code = "import sys; from hubwidgets.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", str(snapshot), "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        found = re.search(r"HF_ENDPOINT=(http://127\.0\.0\.1:\d+)", first)
        assert found, first
        endpoint = found.group(1)
        models = list(HfApi(endpoint=endpoint, token=False).list_models(search="gpt", limit=2))
        assert len(models) == 2
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        rest = proc.stderr.read()
        assert "GET /api/models?" in rest  # the request log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_bad_snapshot_or_port_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hubwidgets.cli import main  # noqa: PLC0415

    assert main(["serve", str(tmp_path / "missing.parquet")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["serve", "x.parquet", "--port", "70000"]) == 2
    bad = tmp_path / "bad.parquet"
    bad.write_text(json.dumps({"not": "parquet"}))
    with pytest.raises(ValueError, match="not a readable snapshot"):
        Mirror(bad)


def test_next_links_point_where_the_client_reached_the_mirror(mirror: Mirror) -> None:
    """Served on a network (--host 0.0.0.0), a client on another machine reaches it by a name:
    the next page must be asked of that name, not of the server's own loopback."""
    url = f"{mirror.endpoint}/api/models?limit=10"
    answer = httpx.get(url, headers={"Host": "mirror.lan:8000"})
    assert answer.headers["Link"].startswith("<http://mirror.lan:8000/api/models?limit=10&cursor=")
    odd = httpx.get(url, headers={"Host": "evil>; rel=x"})
    assert odd.headers["Link"].startswith(f"<{mirror.endpoint}/api/models?")
