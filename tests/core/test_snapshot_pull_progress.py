"""What ``hubwidgets snapshot pull`` shows while it pages through the Hub.

A pull of the whole Hub takes long: a user (or a CI log) must see that it moves, how fast, and,
for ``--since``, how far back it has gone. Against the local Hub server over real HTTP, with
pytest's captured stderr (not a terminal: plain lines, as in a CI log). Records are invented.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hubwidgets.cli import main
from hubwidgets.core.catalog._progress import PullProgress
from hubwidgets.testing import HubServer
from hubwidgets.testing.clock import FakeClock

N = 250


def _records() -> list[dict[str, Any]]:
    return [
        {
            "id": f"org{i % 5}/model-{i:04d}",
            "author": f"org{i % 5}",
            "lastModified": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00.000Z",
            "downloads": (i * 7919) % 10_007,
            "pipeline_tag": "fill-mask",
            "tags": ["transformers"],
        }
        for i in range(N)
    ]


@pytest.fixture(autouse=True)
def clock(backoff_clock: FakeClock) -> FakeClock:
    """No retry in this file sleeps for real."""
    return backoff_clock


@pytest.fixture
def server() -> Iterator[HubServer]:
    with HubServer(_records()) as hub:
        yield hub


def _pull(server: HubServer, out: Path, *extra: str) -> int:
    args = ["snapshot", "pull", "--endpoint", server.endpoint, "--page-size", "100"]
    return main([*args, "-o", str(out), *extra])


def test_pull_prints_plain_progress_lines_on_stderr_when_it_is_not_a_terminal(
    server: HubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _pull(server, tmp_path / "s.parquet") == 0
    captured = capsys.readouterr()
    assert "\r" not in captured.err  # a log gets lines, not a redrawn bar
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert lines, "no progress at all"
    assert all(line.startswith("hubwidgets: all tasks: ") for line in lines), lines
    assert re.search(r"\d+ models, [\d.,]+/s", lines[0])  # the first page is said at once
    assert re.search(rf"all tasks: {N} models, [\d.,]+/s, done in [\d.]+ s$", lines[-1])
    assert len(lines) <= 4  # occasional lines, not one per page: 3 pages here
    assert "progress" not in captured.out and f"{N} models" in captured.out  # the result


def test_quiet_and_no_progress_silence_it(
    server: HubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _pull(server, tmp_path / "q.parquet", "--quiet") == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "wrote " in captured.out  # the result is still said
    assert _pull(server, tmp_path / "n.parquet", "--no-progress") == 0
    assert capsys.readouterr().err == ""


def test_since_says_how_far_back_it_has_gone_and_where_it_stops(
    server: HubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.parquet"
    assert _pull(server, old, "--quiet") == 0
    server.commit("org1/model-0001", {"likes": 5})
    server.commit("org2/model-0002", {"likes": 6})
    capsys.readouterr()
    assert _pull(server, tmp_path / "new.parquet", "--since", str(old)) == 0
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "all tasks: 2 models" in last
    # the two models were modified just now; the pull stops an hour before the old snapshot
    moment = r"\d{4}-\d\d-\d\d \d\d:\d\d UTC"
    assert re.search(rf"modified back to {moment}, stops at {moment}, done in", last), last


def test_on_a_terminal_one_status_line_is_redrawn_in_place() -> None:
    screen = io.StringIO()
    bar = PullProgress(total=2000, stream=screen, tty=True)
    bar.task("text-generation")
    bar.update(1000)
    bar.close()
    text = screen.getvalue()
    assert text.startswith("\rtext-generation: 1,000 of 2,000 models, ")
    assert "\rtext-generation: 1,000 of 2,000 models" in text.split("\n")[0][1:]  # redrawn
    assert text.endswith(" s\n")  # the status line is ended for what follows
    quiet = io.StringIO()
    off = PullProgress(enabled=False, stream=quiet, tty=True)
    off.update(5)
    off.close()
    assert quiet.getvalue() == ""
