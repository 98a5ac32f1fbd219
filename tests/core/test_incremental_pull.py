"""Incremental pulls (issue 17 item 3): ``pull_snapshot(since=...)`` / ``snapshot pull --since``.

Against the local Hub server over real HTTP: a full pull, then models change (``commit``), appear
(``add``) and disappear (``remove``) on the server; an incremental pull asks for
``sort=lastModified&direction=-1``, stops at the first unchanged model and merges; a full pull
``since`` the old snapshot reports the removed ones. Records are invented (not Hub data).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hubwidgets.cli import main
from hubwidgets.core.catalog.catalog import Catalog
from hubwidgets.core.catalog.pull import partial_dir, pull_snapshot, snapshot_info
from hubwidgets.testing import HubServer
from hubwidgets.testing.clock import FakeClock

N = 300


def _records(n: int = N) -> list[dict[str, Any]]:
    """Invented records, all last modified in 2025 (long before any snapshot of a test)."""
    return [
        {
            "id": f"org{i % 5}/model-{i:04d}",
            "author": f"org{i % 5}",
            "sha": f"{i:040x}",
            "createdAt": f"2024-{1 + i % 12:02d}-01T00:00:00.000Z",
            "lastModified": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00.000Z",
            "private": False,
            "downloads": (i * 7919) % 10_007,
            "likes": i % 97,
            "pipeline_tag": "text-classification" if i % 2 else "fill-mask",
            "library_name": "transformers",
            "tags": ["transformers", "license:mit"],
        }
        for i in range(n)
    ]


@pytest.fixture(autouse=True)
def clock(backoff_clock: FakeClock) -> FakeClock:
    """No retry in this file sleeps for real."""
    return backoff_clock


@pytest.fixture
def server() -> Iterator[HubServer]:
    with HubServer(_records()) as hub:
        yield hub


def _pull(server: HubServer, path: Path, **kwargs: Any) -> Path:
    kwargs.setdefault("progress", False)
    return pull_snapshot(path, endpoint=server.endpoint, token=False, **kwargs)


def _listings(server: HubServer) -> list[dict[str, list[str]]]:
    return [r["query"] for r in server.requests if r["path"] == "/api/models"]


def _row(path: Path, model_id: str) -> Any:
    return Catalog.read_parquet(path).model(model_id)


def test_since_fetches_only_changed_models_newest_first_and_merges(
    server: HubServer, tmp_path: Path
) -> None:
    old = _pull(server, tmp_path / "old.parquet")
    server.commit("org1/model-0001", {"likes": 5000})
    server.commit("org2/model-0002", {"downloads": 123_456})
    server.add({"id": "newco/fresh", "author": "newco", "downloads": 7, "tags": ["x"]})
    server.clear_requests()

    new = _pull(server, tmp_path / "new.parquet", since=old, page_size=100)

    asked = _listings(server)
    assert len(asked) == 1  # three changed models: the first page already reaches older ones
    assert asked[0]["sort"] == ["lastModified"] and asked[0]["direction"] == ["-1"]
    info = snapshot_info(new)
    assert info["rows"] == N + 1
    assert info["incremental"]["fetched"] == 3
    assert info["incremental"]["added"] == 1 and info["incremental"]["updated"] == 2
    assert info["incremental"]["kept"] == N - 2
    assert info["origin"] == server.endpoint
    assert "incremental" in info["note"]
    assert int(_row(new, "org1/model-0001")["likes"]) == 5000
    assert int(_row(new, "org2/model-0002")["downloads"]) == 123_456
    assert int(_row(new, "newco/fresh")["downloads"]) == 7
    # unchanged rows are the old snapshot's, value for value
    before, after = Catalog.read_parquet(old).df, Catalog.read_parquet(new).df
    same = before[~before["id"].isin(["org1/model-0001", "org2/model-0002"])]
    merged = after.set_index("id").loc[same["id"]]
    assert merged["downloads"].tolist() == same["downloads"].tolist()
    assert snapshot_info(old)["rows"] == N  # the earlier snapshot is left as it was


def test_nothing_changed_gives_the_same_rows_from_one_request(
    server: HubServer, tmp_path: Path
) -> None:
    old = _pull(server, tmp_path / "old.parquet")
    server.clear_requests()
    new = _pull(server, tmp_path / "new.parquet", since=old)
    assert len(_listings(server)) == 1
    assert snapshot_info(new)["incremental"]["fetched"] == 0
    assert (
        Catalog.read_parquet(new).df["id"].tolist() == Catalog.read_parquet(old).df["id"].tolist()
    )


def test_an_interrupted_incremental_pull_resumes_from_its_cursor(
    server: HubServer, tmp_path: Path
) -> None:
    old = _pull(server, tmp_path / "old.parquet")
    changed = [f"org{i % 5}/model-{i:04d}" for i in range(10, 17)]
    for k, model_id in enumerate(changed):
        server.commit(model_id, {"likes": 1000 + k})
    target = tmp_path / "new.parquet"
    server.clear_requests()
    server.fail_next(404, match="cursor=")  # the second page fails for good (404: no retry)
    with pytest.raises(RuntimeError, match="resume"):
        _pull(server, target, since=old, page_size=3)
    assert partial_dir(target).is_dir() and not target.exists()
    first = _listings(server)
    assert len(first) == 2

    server.clear_requests()
    _pull(server, target, since=old, page_size=3)
    again = _listings(server)
    assert all("cursor" in q for q in again)  # page 1 was not asked for again
    info = snapshot_info(target)
    assert info["incremental"]["updated"] == len(changed)
    assert info["rows"] == N
    assert not partial_dir(target).exists()
    assert [int(_row(target, m)["likes"]) for m in changed] == [1000 + k for k in range(7)]


def test_full_since_reports_removed_models(server: HubServer, tmp_path: Path) -> None:
    old = _pull(server, tmp_path / "old.parquet")
    server.remove("org3/model-0003")
    server.remove("org4/model-0004")
    server.add({"id": "newco/fresh", "downloads": 1})
    new = _pull(server, tmp_path / "new.parquet", since=old, full=True)
    info = snapshot_info(new)
    assert info["compared_with"]["removed"] == 2 and info["compared_with"]["added"] == 1
    assert info["removed_ids"] == ["org3/model-0003", "org4/model-0004"]
    assert info["rows"] == N - 1
    assert "2 model(s) removed" in info["note"]


def test_cli_since_and_full_say_what_changed(
    server: HubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.parquet"
    base = ["snapshot", "pull", "--endpoint", server.endpoint, "--no-progress"]
    assert main([*base, "-o", str(old)]) == 0
    server.commit("org1/model-0001", {"likes": 1})
    server.remove("org2/model-0002")
    capsys.readouterr()
    assert main([*base, "-o", str(tmp_path / "inc.parquet"), "--since", str(old)]) == 0
    out = capsys.readouterr().out
    assert "incremental: 1 model(s) modified since" in out and "0 new, 1 updated" in out
    assert main([*base, "-o", str(tmp_path / "full.parquet"), "--since", str(old), "--full"]) == 0
    out = capsys.readouterr().out
    assert "1 model(s) removed: org2/model-0002" in out


def test_since_a_snapshot_of_another_endpoint_is_refused(
    server: HubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _pull(server, tmp_path / "old.parquet")
    with HubServer(_records(5)) as other:
        with pytest.raises(ValueError, match=r"refusing --since .*pulled from http://127\.0\.0\.1"):
            pull_snapshot(tmp_path / "x.parquet", endpoint=other.endpoint, token=False, since=old)
        assert other.requests == []  # refused before any request
        target = str(tmp_path / "y.parquet")
        base = ["snapshot", "pull", "--endpoint", other.endpoint, "--no-progress"]
        status = main([*base, "-o", target, "--since", str(old)])
    assert status == 2
    err = capsys.readouterr().err
    assert "refusing --since" in err and server.endpoint in err


def test_since_refuses_top_n_snapshots_other_tasks_and_non_snapshots(
    server: HubServer, tmp_path: Path
) -> None:
    top = _pull(server, tmp_path / "top.parquet", limit=10)
    with pytest.raises(ValueError, match="limited to the top models"):
        _pull(server, tmp_path / "a.parquet", since=top)
    whole = _pull(server, tmp_path / "whole.parquet")
    with pytest.raises(ValueError, match="holds all tasks, not tasks fill-mask"):
        _pull(server, tmp_path / "b.parquet", since=whole, tasks=["fill-mask"])
    with pytest.raises(ValueError, match="limited to the top"):
        _pull(server, tmp_path / "c.parquet", since=whole, limit=5)
    with pytest.raises(ValueError, match="does not exist"):
        _pull(server, tmp_path / "d.parquet", since=tmp_path / "missing.parquet")
    with pytest.raises(ValueError, match="give it as since="):
        _pull(server, tmp_path / "e.parquet", full=True)


def test_since_keeps_the_task_scope_of_the_earlier_snapshot(
    server: HubServer, tmp_path: Path
) -> None:
    old = _pull(server, tmp_path / "old.parquet", tasks=["fill-mask"])
    server.commit("org1/model-0001", {"likes": 1})  # text-classification: out of scope
    server.commit("org0/model-0000", {"likes": 2})  # fill-mask
    server.clear_requests()
    new = _pull(server, tmp_path / "new.parquet", since=old)
    assert all(q["pipeline_tag"] == ["fill-mask"] for q in _listings(server))
    info = snapshot_info(new)
    assert info["incremental"]["fetched"] == 1 and info["rows"] == N // 2


def test_since_a_directory_starts_from_its_newest_snapshot(
    server: HubServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "snapshots"
    folder.mkdir()
    _pull(server, folder / "a.parquet")
    server.commit("org1/model-0001", {"likes": 11})
    newest = _pull(server, folder / "b.parquet")
    (folder / "junk.parquet").write_bytes(b"not a snapshot")
    server.commit("org2/model-0002", {"likes": 22})
    with caplog.at_level("WARNING", logger="hubwidgets"):
        new = _pull(server, tmp_path / "new.parquet", since=folder)
    assert "junk.parquet" in caplog.text
    info = snapshot_info(new)
    assert info["incremental"]["since"] == str(newest.resolve())
    assert int(_row(new, "org1/model-0001")["likes"]) == 11  # from b, the newest
    assert int(_row(new, "org2/model-0002")["likes"]) == 22  # fetched
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="holds no snapshot"):
        _pull(server, tmp_path / "x.parquet", since=empty)


def test_cli_dated_snapshots_kept_fresh_with_since_dir(
    server: HubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["snapshot", "pull", "--endpoint", server.endpoint, "--no-progress"]
    assert main([*base, "--dir", str(tmp_path / "full")]) == 0
    server.commit("org3/model-0003", {"likes": 33})
    capsys.readouterr()
    fresh = tmp_path / "fresh"
    assert main([*base, "--dir", str(fresh), "--since", str(tmp_path / "full")]) == 0
    assert "incremental: 1 model(s) modified since" in capsys.readouterr().out
    (written,) = fresh.glob("models-*.parquet")
    assert snapshot_info(written)["rows"] == N
