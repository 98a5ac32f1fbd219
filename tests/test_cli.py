"""Tests of the ``hubwidgets`` command line, called as ``main([...])`` against the local Hub server.

What matters to a terminal user: the exit status, one clear line on stderr for every error (never
a traceback), how to resume after Ctrl-C, and readable ``info`` output.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hubwidgets.cli import main
from hubwidgets.core import pull
from hubwidgets.core.catalog.catalog import Catalog
from hubwidgets.core.catalog.pull import partial_dir
from hubwidgets.testing import HubServer
from hubwidgets.testing.clock import FakeClock

# Invented records (not Hub data): 30 models over two tasks, distinct download counts.
RECORDS: list[dict[str, Any]] = [
    {
        "id": f"org/model-{i:02d}",
        "author": "org",
        "downloads": 1000 - i,
        "likes": i,
        "pipeline_tag": "fill-mask" if i % 2 else "text-generation",
        "tags": ["transformers"],
        "private": False,
        "createdAt": f"2024-01-{1 + i % 28:02d}T00:00:00.000Z",
    }
    for i in range(30)
]


@pytest.fixture(scope="module")
def module_server() -> Iterator[HubServer]:
    with HubServer(RECORDS) as server:
        yield server


@pytest.fixture
def server(module_server: HubServer) -> HubServer:
    module_server.clear_requests()
    module_server.clear_faults()
    return module_server


@pytest.fixture(autouse=True)
def clock(backoff_clock: FakeClock) -> FakeClock:
    """Autouse: no test in this file may ever sleep for real in a retry."""
    return backoff_clock


def _pull_args(server: HubServer, out: Path, *extra: str) -> list[str]:
    base = ["snapshot", "pull", "--endpoint", server.endpoint, "-o", str(out), "--no-progress"]
    return [*base, *extra]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _assert_one_error_line(err: str, *fragments: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


# ---------------------------------------------------------------------------------------------
# pull
# ---------------------------------------------------------------------------------------------


def test_pull_writes_a_snapshot_and_says_so(
    server: HubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "hub.parquet"
    status, stdout, err = _run(_pull_args(server, out, "--page-size", "10"), capsys)
    assert status == 0, err
    assert stdout.startswith(f"wrote {out}: 30 models from {server.endpoint} (")
    assert "KB)" in stdout
    assert len(Catalog.read_parquet(out)) == 30
    queries = [r["query"] for r in server.requests]
    assert len(queries) == 3 and all(q["limit"] == ["10"] for q in queries)


def test_pull_options_reach_the_server(
    server: HubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sub" / "tasks.parquet"  # the folder is created
    argv = _pull_args(
        server,
        out,
        "--task",
        "fill-mask",
        "--task",
        "text-generation",
        "--sort",
        "likes",
        "--limit",
        "20",
        "--token",
        "hf_cli_token",
    )
    status, _, err = _run(argv, capsys)
    assert status == 0, err
    queries = [r["query"] for r in server.requests]
    assert [q["pipeline_tag"] for q in queries] == [["fill-mask"], ["text-generation"]]
    assert all(q["sort"] == ["likes"] for q in queries)
    headers = {k.lower(): v for k, v in server.requests[0]["headers"].items()}
    assert headers["authorization"] == "Bearer hf_cli_token"
    df = Catalog.read_parquet(out).df
    assert len(df) == 20
    assert (df["task"] == "fill-mask").sum() == 15  # the first crawl in full, then 5 more


def test_pull_failure_is_one_line_exit_2_and_resumable(
    server: HubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "hub.parquet"
    argv = _pull_args(server, out, "--page-size", "10")
    server.fail_next(500, times=6, body={"error": "database on fire"})
    status, stdout, err = _run(argv, capsys)
    assert status == 2
    assert stdout == ""
    # huggingface_hub logs its retries through its own logger; our error is the last line.
    last = err.strip().splitlines()[-1]
    assert last.startswith("hubwidgets snapshot pull: error: pulling the model list failed")
    assert "page 1" in last and "database on fire" in last and "re-run the same command" in last
    assert "Traceback" not in err

    status, stdout, err = _run(argv, capsys)
    assert status == 0, err
    assert len(Catalog.read_parquet(out)) == 30


def test_ctrl_c_exits_130_and_says_how_to_resume(
    server: HubServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "hub.parquet"
    argv = _pull_args(server, out, "--page-size", "10")
    real = pull._fetch_page
    calls = 0

    def interrupt_on_page_2(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(pull, "_fetch_page", interrupt_on_page_2)
    status, _, err = _run(argv, capsys)
    assert status == 130
    _assert_one_error_line(
        err, "interrupted", str(partial_dir(out)), "re-run the same command to resume"
    )

    server.clear_requests()
    status, _, err = _run(argv, capsys)
    assert status == 0
    assert "hubwidgets: resuming the pull" in err  # the library's note, shown by the CLI
    assert len(server.requests) == 2  # pages 2 and 3 only
    assert len(Catalog.read_parquet(out)) == 30


def test_pull_with_other_arguments_says_it_starts_afresh(
    server: HubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "hub.parquet"
    server.fail_next(503, times=6)
    assert _run(_pull_args(server, out), capsys)[0] == 2
    status, _, err = _run(_pull_args(server, out, "--limit", "5"), capsys)
    assert status == 0
    assert "different arguments (limit)" in err and "starting afresh" in err


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (["--sort", "popular"], ["--sort", "invalid choice", "downloads"]),
        (["--task", "text-generaton"], ["did you mean 'text-generation'"]),
        (["--limit", "0"], ["--limit", "positive integer"]),
        (["--page-size", "5000"], ["page_size must be from 1 to 1000"]),
    ],
)
def test_pull_argument_errors_are_one_line(
    server: HubServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    fragments: list[str],
) -> None:
    status, stdout, err = _run(_pull_args(server, tmp_path / "x.parquet", *argv), capsys)
    assert status == 2
    assert stdout == ""
    _assert_one_error_line(err, "hubwidgets snapshot pull", *fragments)
    assert server.requests == []


def test_pull_needs_an_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(["snapshot", "pull"], capsys)
    assert status == 2
    _assert_one_error_line(err, "-o/--output", "--help")


# ---------------------------------------------------------------------------------------------
# info
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def snapshot(server: HubServer, tmp_path: Path) -> Path:
    out = tmp_path / "top.parquet"
    pull.pull_snapshot(
        out, endpoint=server.endpoint, token=False, progress=False, limit=12, sort="likes"
    )
    return out


def test_info_is_human_readable(snapshot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, stdout, err = _run(["snapshot", "info", str(snapshot)], capsys)
    assert status == 0, err
    lines = dict(line.split(":", 1) for line in stdout.splitlines())
    assert lines["rows"].strip() == "12 models"
    assert lines["name"].strip() == "top"
    assert lines["taken at"].strip().endswith("UTC")
    assert lines["origin"].strip().endswith("(snapshot)")
    assert "sort=likes direction=-1 limit=12" in lines["query"]
    assert "expand=[18 properties]" in lines["query"]
    assert lines["size"].strip().endswith("KB")


def test_info_json(snapshot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, stdout, _ = _run(["snapshot", "info", str(snapshot), "--json"], capsys)
    assert status == 0
    info = json.loads(stdout)
    assert info["rows"] == 12
    assert info["size_bytes"] == snapshot.stat().st_size
    assert info["query"]["sort"] == "likes"
    assert info["origin"].startswith("http://127.0.0.1:")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(None, "does not exist"), (b"not parquet", "is not a readable snapshot")],
)
def test_info_errors_are_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, fragment: str
) -> None:
    path = tmp_path / "bad.parquet"
    if content is not None:
        path.write_bytes(content)
    status, stdout, err = _run(["snapshot", "info", str(path)], capsys)
    assert status == 2
    assert stdout == ""
    _assert_one_error_line(err, "hubwidgets snapshot info: error:", fragment)


# ---------------------------------------------------------------------------------------------
# The parser itself
# ---------------------------------------------------------------------------------------------


def test_missing_or_unknown_commands_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in ([], ["snapshot"], ["snapshot", "push"], ["bogus"]):
        status, _, err = _run(argv, capsys)
        assert status == 2, argv
        _assert_one_error_line(err, "error:")


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    status, stdout, _ = _run(["snapshot", "pull", "--help"], capsys)
    assert status == 0
    assert "re-running the same command" in stdout
    assert "--task" in stdout and "trending" in stdout
