"""The audit trail: append, read and filter, the hash chain and each way of tampering with it,
rotation, two processes appending at once, secrets kept out, where the log lives, and the
records the playground and the benchmark leave."""

from __future__ import annotations

import getpass
import hashlib
import json
import multiprocessing
import os
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import platformdirs
import pytest

import hubwidgets as hw
from hubwidgets.core.inference.backends import LocalBackend
from hubwidgets.core.inference.benchmark import benchmark
from hubwidgets.core.inference.playground import PlaygroundSession
from hubwidgets.core.registry import audit
from hubwidgets.core.registry.audit import (
    AUDIT_COLUMNS,
    DEFAULT_MAX_BYTES,
    GENESIS,
    AuditError,
    append,
    audit_log,
    audit_path,
    audit_verify,
    remember_hub_user,
    set_audit_path,
)
from hubwidgets.testing.models import tiny_text_classifier


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own $HUBWIDGETS_HOME, a known user and no token."""
    monkeypatch.setenv("HUBWIDGETS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("HUBWIDGETS_AUDIT", raising=False)
    monkeypatch.setenv("HF_USER", "tester")
    monkeypatch.setenv("HF_TOKEN", "")
    set_audit_path(None, max_bytes=DEFAULT_MAX_BYTES, fsync=False)
    yield tmp_path / "home"
    set_audit_path(None, max_bytes=DEFAULT_MAX_BYTES, fsync=False)


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def write_lines(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"".join(lines))


def some_records(n: int = 5) -> list[dict[str, Any]]:
    return [
        append("registry.register", model=f"acme/m{i}", revision=f"{i:040x}", params={"i": i})
        for i in range(n)
    ]


# -- append and read ------------------------------------------------------------------------------


def test_append_writes_one_chained_line_per_record(home: Path) -> None:
    first = append("policy.set", params={"policy": "team.yaml"})
    second = append("registry.register", model="acme/bert", revision="a" * 40, cost=0.25)
    log = home / "audit" / "audit.jsonl"
    assert audit_path() == log
    lines = lines_of(log)
    assert len(lines) == 2
    assert first["prev"] == GENESIS
    assert second["prev"] == first["hash"]
    stored = json.loads(lines[1])
    assert stored == second
    # the hash is the SHA-256 of the canonical JSON of the record without it
    body = {k: v for k, v in stored.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert stored["hash"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert stored["actor"] == "tester"
    assert stored["actor_source"] == "HF_USER"
    assert stored["cost"] == 0.25
    when = datetime.fromisoformat(stored["time"])
    assert when.tzinfo is not None and when.utcoffset() == timedelta(0)


def test_audit_log_is_one_row_per_record_with_filters() -> None:
    append("registry.register", model="acme/bert", params={"stage": "candidate"})
    append("inference.playground", model=["acme/bert", "acme/gpt"], params={"task": "x"})
    append("inference.benchmark", model="acme/gpt", outcome="partial")
    append("policy.set", params={"rules": 3})

    log = audit_log()
    assert list(log.columns) == list(AUDIT_COLUMNS)
    assert len(log) == 4
    assert log["action"].tolist() == [
        "registry.register",
        "inference.playground",
        "inference.benchmark",
        "policy.set",
    ]
    assert isinstance(log["time"].dtype, pd.DatetimeTZDtype) and str(log["time"].dt.tz) == "UTC"
    assert log.loc[0, "params"] == {"stage": "candidate"}
    assert log["line"].tolist() == [1, 2, 3, 4]

    assert audit_log(action="policy.set")["params"].tolist() == [{"rules": 3}]
    assert len(audit_log(action="inference.*")) == 2
    assert len(audit_log(action=["policy.set", "registry.register"])) == 2
    # a record of several models matches any of them
    assert audit_log(model="acme/bert")["action"].tolist() == [
        "registry.register",
        "inference.playground",
    ]
    assert audit_log(model="nobody/none").empty
    assert len(audit_log(since="1d")) == 4
    assert len(audit_log(since=timedelta(hours=1))) == 4
    assert len(audit_log(since=pd.Timedelta("30min"), model="acme/gpt")) == 2
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
    assert audit_log(since=tomorrow).empty
    assert len(audit_log(since="2000-01-01")) == 4
    assert audit_log(since=tomorrow.strftime("%Y-%m-%dT%H:%M:%S")).empty  # naive = UTC


def test_an_empty_log_reads_as_an_empty_frame() -> None:
    log = audit_log()
    assert log.empty and list(log.columns) == list(AUDIT_COLUMNS)
    report = audit_verify()
    assert report.ok and report.records == 0 and report.head == GENESIS
    assert "no records yet" in repr(report)


def test_audit_log_newest_first_and_the_newest_few() -> None:
    some_records(5)
    newest = audit_log(newest_first=True)
    assert newest["params"].tolist() == [{"i": i} for i in (4, 3, 2, 1, 0)]
    assert newest.index.tolist() == [0, 1, 2, 3, 4]  # a fresh index, row 0 the newest
    # limit keeps the newest records, in the order asked for
    assert audit_log(limit=2)["params"].tolist() == [{"i": 3}, {"i": 4}]
    assert audit_log(limit=2, newest_first=True)["line"].tolist() == [5, 4]
    assert audit_log(limit=99)["line"].tolist() == [1, 2, 3, 4, 5]
    # after the filters: the newest records of that model
    assert audit_log(model="acme/m1", limit=1, newest_first=True)["line"].tolist() == [2]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"newest_first": "yes"}, TypeError, "newest_first must be True or False"),
        ({"limit": 2.5}, TypeError, "limit must be a whole number"),
        ({"limit": True}, TypeError, "limit must be a whole number"),
        ({"limit": 0}, ValueError, "limit must be at least 1"),
        ({"action": "registry.regster"}, ValueError, "did you mean 'registry.register'"),
        ({"action": 3}, TypeError, "action must be"),
        ({"since": "last tuesday-ish"}, ValueError, "duration back from now"),
        ({"since": 7}, TypeError, "since must be"),
        ({"since": timedelta(days=-1)}, ValueError, "negative"),
        ({"model": 5}, TypeError, "model must be"),
    ],
)
def test_audit_log_bad_arguments_say_what_is_valid(
    kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    append("registry.register", model="acme/bert")
    with pytest.raises(error, match=match):
        audit_log(**kwargs)


def test_audit_log_names_the_valid_actions() -> None:
    append("registry.register", model="acme/bert")
    with pytest.raises(ValueError, match=r"valid actions: .*inference\.playground"):
        audit_log(action="nothing.like.it")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"action": "Register Model"}, ValueError, "dotted lower-case name"),
        ({"action": "registry.register", "params": ["a"]}, TypeError, "params must be a mapping"),
        ({"action": "registry.register", "model": 3}, TypeError, "model must be"),
        ({"action": "registry.register", "outcome": ""}, TypeError, "outcome must be"),
        ({"action": "registry.register", "revision": 1}, TypeError, "revision must be"),
    ],
)
def test_append_rejects_bad_arguments_and_writes_nothing(
    kwargs: dict[str, Any], error: type[Exception], match: str, home: Path
) -> None:
    with pytest.raises(error, match=match):
        append(**kwargs)
    assert not (home / "audit" / "audit.jsonl").exists()


# -- verify: each kind of tampering ---------------------------------------------------------------


def test_an_untouched_log_verifies() -> None:
    records = some_records(6)
    report = audit_verify()
    assert report.ok and bool(report)
    assert report.records == 6
    assert report.head == records[-1]["hash"]
    assert report.problems.empty
    assert "OK: 6 records" in repr(report)


def test_an_edited_record_is_found_with_its_line(home: Path) -> None:
    some_records(5)
    log = home / "audit" / "audit.jsonl"
    lines = lines_of(log)
    lines[2] = lines[2].replace(b'"i":2', b'"i":9')
    write_lines(log, lines)
    report = audit_verify()
    assert not report.ok
    assert report.problems[["file", "line", "kind"]].values.tolist() == [
        ["audit.jsonl", 3, "edited"]
    ]
    assert "BROKEN: 1 edited" in repr(report)


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(home: Path) -> None:
    some_records(5)
    log = home / "audit" / "audit.jsonl"
    lines = lines_of(log)
    record = json.loads(lines[2])
    record["params"] = {"i": 9}
    del record["hash"]
    body = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    lines[2] = body[:-1] + b',"hash":"' + hashlib.sha256(body).hexdigest().encode() + b'"}\n'
    write_lines(log, lines)
    problems = audit_verify().problems
    assert problems[["line", "kind"]].values.tolist() == [[4, "removed"]]


def test_a_removed_record_leaves_a_gap(home: Path) -> None:
    some_records(5)
    log = home / "audit" / "audit.jsonl"
    lines = lines_of(log)
    del lines[2]
    write_lines(log, lines)
    problems = audit_verify().problems
    assert problems[["line", "kind"]].values.tolist() == [[3, "removed"]]
    assert "audit.jsonl line 2" in problems.loc[0, "detail"]


def test_removing_the_first_record_is_found(home: Path) -> None:
    some_records(3)
    log = home / "audit" / "audit.jsonl"
    write_lines(log, lines_of(log)[1:])
    problems = audit_verify().problems
    assert problems[["line", "kind"]].values.tolist() == [[1, "removed"]]
    assert "start of the log" in problems.loc[0, "detail"]


def test_reordered_records_are_found(home: Path) -> None:
    some_records(5)
    log = home / "audit" / "audit.jsonl"
    lines = lines_of(log)
    lines[1], lines[2] = lines[2], lines[1]
    write_lines(log, lines)
    problems = audit_verify().problems
    assert set(problems["kind"]) == {"reordered"}
    assert 2 in problems["line"].tolist()
    assert "audit.jsonl line 3" in problems.loc[0, "detail"]


def test_a_duplicated_record_is_found(home: Path) -> None:
    some_records(4)
    log = home / "audit" / "audit.jsonl"
    lines = lines_of(log)
    write_lines(log, [*lines[:3], lines[1], *lines[3:]])
    problems = audit_verify().problems
    assert "duplicated" in problems["kind"].tolist()
    assert problems.loc[problems["kind"] == "duplicated", "line"].tolist() == [4]


def test_a_truncated_last_line_is_named_and_blocks_appends(home: Path) -> None:
    some_records(4)
    log = home / "audit" / "audit.jsonl"
    data = log.read_bytes()
    log.write_bytes(data[: len(data) - 40])
    problems = audit_verify().problems
    assert problems[["file", "line", "kind"]].values.tolist() == [["audit.jsonl", 4, "unreadable"]]
    assert "cut short" in problems.loc[0, "detail"]
    # nothing is written after a damaged line, and the log is never reset
    with pytest.raises(AuditError, match=r"audit\.jsonl is damaged: its last line \(line 4\)"):
        append("policy.set")
    assert log.read_bytes() == data[: len(data) - 40]
    with pytest.raises(AuditError, match="line 4"):
        audit_log()


def test_a_garbage_line_is_named(home: Path) -> None:
    some_records(4)
    log = home / "audit" / "audit.jsonl"
    lines = lines_of(log)
    write_lines(log, [*lines[:2], b"this is not a record\n", *lines[2:]])
    problems = audit_verify().problems
    assert problems[["line", "kind"]].values.tolist() == [[3, "unreadable"]]
    assert "not JSON" in problems.loc[0, "detail"]


def test_records_cut_from_the_end_are_found_with_an_anchor(home: Path) -> None:
    some_records(5)
    anchor = audit_verify().head
    log = home / "audit" / "audit.jsonl"
    write_lines(log, lines_of(log)[:3])
    assert audit_verify().ok  # a shorter chain is still a chain...
    report = audit_verify(anchor=anchor)  # ...but the kept head is gone
    assert report.problems["kind"].tolist() == ["anchor"]
    with pytest.raises(ValueError, match="64 hex digits"):
        audit_verify(anchor="abc")


# -- rotation --------------------------------------------------------------------------------------


def test_rotation_keeps_one_chain_across_files(home: Path) -> None:
    set_audit_path(home / "audit", max_bytes=2048)
    records = some_records(30)
    folder = home / "audit"
    names = sorted(p.name for p in folder.glob("audit*.jsonl"))
    assert "audit.1.jsonl" in names and "audit.2.jsonl" in names and "audit.jsonl" in names
    for p in folder.glob("audit*.jsonl"):
        assert p.stat().st_size <= 2048
    rotated = sorted(folder.glob("audit.*.jsonl"), key=lambda p: int(p.name.split(".")[1]))
    last_of_rotated = json.loads(lines_of(rotated[-1])[-1])
    first_of_current = json.loads(lines_of(folder / "audit.jsonl")[0])
    assert first_of_current["prev"] == last_of_rotated["hash"]

    report = audit_verify()
    assert report.ok and report.records == 30
    assert report.files[-1] == "audit.jsonl" and report.files[0] == "audit.1.jsonl"
    log = audit_log()
    assert log["hash"].tolist() == [r["hash"] for r in records]

    # a rotated file deleted: said so, and the gap shows in the chain
    (folder / "audit.1.jsonl").unlink()
    kinds = audit_verify().problems["kind"].tolist()
    assert kinds[0] == "missing file" and "removed" in kinds


def test_a_record_edited_in_a_rotated_file_names_that_file(home: Path) -> None:
    set_audit_path(home / "audit", max_bytes=2048)
    some_records(20)
    older = home / "audit" / "audit.1.jsonl"
    lines = lines_of(older)
    lines[1] = lines[1].replace(b"acme/m1", b"acme/XX")
    write_lines(older, lines)
    problems = audit_verify().problems
    assert problems[["file", "line", "kind"]].values.tolist() == [["audit.1.jsonl", 2, "edited"]]


# -- concurrency -----------------------------------------------------------------------------------


def _append_many(home: str, who: str, n: int, max_bytes: int, start: Any) -> None:
    os.environ["HUBWIDGETS_HOME"] = home
    set_audit_path(None, max_bytes=max_bytes)
    start.wait()  # both processes begin together, so their appends overlap
    for i in range(n):
        append("inference.playground", model=f"{who}/model", params={"i": i}, actor=who)


@pytest.mark.parametrize("max_bytes", [DEFAULT_MAX_BYTES, 16_384])
def test_two_processes_appending_at_once_keep_one_valid_chain(home: Path, max_bytes: int) -> None:
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    ctx = multiprocessing.get_context(method)
    start = ctx.Barrier(2)
    workers = [
        ctx.Process(target=_append_many, args=(str(home), who, 200, max_bytes, start))
        for who in ("alice", "bob")
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    report = audit_verify()
    assert report.ok, repr(report)
    assert report.records == 400
    log = audit_log()
    for who in ("alice", "bob"):
        mine = log[log["actor"] == who]
        assert [p["i"] for p in mine["params"]] == list(range(200))


def test_threads_appending_at_once_keep_one_valid_chain() -> None:
    def work(k: int) -> None:
        for i in range(50):
            append("inference.playground", params={"thread": k, "i": i})

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = audit_verify()
    assert report.ok and report.records == 200


# -- secrets, actor, location ------------------------------------------------------------------


def test_tokens_are_never_written(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hf_token = "hf_" + "A1b2C3d4" * 4 + "zz"
    odd_token = "my-very-own-secret-value-42"  # no known shape: scrubbed as the current token
    monkeypatch.setenv("HF_TOKEN", odd_token)
    record = append(
        "endpoint.create",
        model="acme/bert",
        params={
            "token": "abc12345",
            "hf_token": hf_token,
            "api_key": "sk-" + "x" * 30,
            "headers": {"Authorization": "Bearer eyJhbGciOi.JIUzI1NiJ9xx.abcdefghijk"},
            "accessToken": "whatever-it-is",
            "note": f"called with {hf_token} and {odd_token}",
            "url": "https://user:pa55word@example.com/x?token=t0k3n&page=2",
            "max_new_tokens": 32,
            "tokenizer": "bert-base",
        },
        outcome=f"error: 401 for token {hf_token}",
    )
    raw = (home / "audit" / "audit.jsonl").read_text()
    for secret in (hf_token, odd_token, "abc12345", "sk-xxxx", "eyJhbGciOi", "pa55word", "t0k3n"):
        assert secret not in raw
    assert "whatever-it-is" not in raw
    params = record["params"]
    assert params["token"] == params["hf_token"] == params["api_key"] == "***"
    assert params["headers"] == {"Authorization": "***"}
    assert params["note"] == "called with *** and ***"
    assert params["url"] == "https://***@example.com/x?token=***&page=2"
    assert params["max_new_tokens"] == 32  # not a secret
    assert params["tokenizer"] == "bert-base"
    assert record["outcome"] == "error: 401 for token ***"
    assert audit_verify().ok


def test_the_actor_is_the_hub_user_when_known_else_the_os_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert append("policy.set")["actor"] == "tester"
    monkeypatch.delenv("HF_USER")
    token = "hf_" + "Q" * 34
    monkeypatch.setenv("HF_TOKEN", token)
    record = append("policy.set")
    assert (record["actor"], record["actor_source"]) == (getpass.getuser(), "os")
    remember_hub_user("alice")  # learned once (e.g. after a whoami), offline afterwards
    record = append("policy.set")
    assert (record["actor"], record["actor_source"]) == ("alice", "hub")
    assert append("policy.set", actor="ci-bot")["actor_source"] == "given"
    users = (Path(os.environ["HUBWIDGETS_HOME"]) / "hub_users.json").read_text()
    assert token not in users


def test_where_the_log_lives(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert audit_path() == home / "audit" / "audit.jsonl"
    # $HUBWIDGETS_AUDIT: a file...
    monkeypatch.setenv("HUBWIDGETS_AUDIT", str(tmp_path / "team" / "trail.jsonl"))
    append("policy.set")
    assert (tmp_path / "team" / "trail.jsonl").is_file()
    assert len(audit_log()) == 1
    # ...or a folder
    (tmp_path / "shared").mkdir()
    monkeypatch.setenv("HUBWIDGETS_AUDIT", str(tmp_path / "shared"))
    append("policy.set")
    assert (tmp_path / "shared" / "audit.jsonl").is_file()
    # set_audit_path wins over the environment, None goes back
    chosen = set_audit_path(tmp_path / "mine.jsonl")
    assert chosen == tmp_path / "mine.jsonl"
    append("policy.set")
    assert audit_path() == chosen and len(audit_log()) == 1
    set_audit_path(None)
    assert audit_path() == tmp_path / "shared" / "audit.jsonl"
    # reading another log than the current one
    assert audit_log(path=tmp_path / "team").empty  # a folder: its audit.jsonl (none there)
    assert len(audit_log(path=tmp_path / "team" / "trail.jsonl")) == 1
    assert audit_verify(path=tmp_path / "mine.jsonl").records == 1
    with pytest.raises(ValueError, match="at least 1024"):
        set_audit_path(max_bytes=10)


def test_without_any_setting_the_log_is_in_the_user_data_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HUBWIDGETS_HOME")
    expected = Path(platformdirs.user_data_dir("hubwidgets", appauthor=False))
    assert audit_path() == (expected / "audit" / "audit.jsonl").absolute()


# -- hooks: an audit failure never breaks the user's action ----------------------------------------


def test_safe_append_logs_a_warning_instead_of_raising(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    some_records(2)
    log = home / "audit" / "audit.jsonl"
    log.write_bytes(log.read_bytes()[:-10])  # damaged: appends refuse
    assert audit.safe_append("policy.set") is None
    assert "could not write the audit record 'policy.set'" in caplog.text


@pytest.fixture(scope="module")
def tiny_classifier(tmp_path_factory: pytest.TempPathFactory) -> str:
    pytest.importorskip("torch", reason="local models need torch (hubwidgets[inference])")
    pytest.importorskip("transformers", reason="local models need transformers")
    return tiny_text_classifier(tmp_path_factory.mktemp("audit-model"))


def test_a_playground_run_leaves_one_record(tiny_classifier: str, tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-model")
    session = PlaygroundSession("text-classification", [tiny_classifier, missing], LocalBackend())
    rows = session.run("I loved it")
    assert rows["error"].tolist()[0] == "" and rows["error"].tolist()[1] != ""
    log = audit_log(action="inference.playground")
    assert len(log) == 1
    row = log.iloc[0]
    assert row["model"] == [tiny_classifier, missing]
    assert row["outcome"] == "partial"
    assert row["params"]["task"] == "text-classification"
    assert row["params"]["n_inputs"] == 1
    assert list(row["params"]["errors"]) == [missing]
    session.run("again")
    assert len(audit_log(action="inference.playground")) == 2


def test_a_benchmark_run_leaves_one_record(tiny_classifier: str, tmp_path: Path) -> None:
    fast = {"warmup": 0, "min_iterations": 1, "min_duration_s": 0.0, "progress": False}
    result = benchmark(tiny_classifier, "text-classification", ["good", "bad", "fine"], **fast)
    assert result.summary["status"].tolist() == ["ok"]
    log = audit_log(action="inference.benchmark", model=tiny_classifier)
    assert len(log) == 1
    row = log.iloc[0]
    assert row["model"] == tiny_classifier
    assert row["outcome"] == "ok"
    assert row["params"]["n_inputs"] == 3
    assert row["params"]["backend"] == "LocalBackend"

    missing = str(tmp_path / "gone")
    benchmark([tiny_classifier, missing], "text-classification", ["good"], **fast)
    row = audit_log(action="inference.benchmark").iloc[-1]
    assert row["model"] == [tiny_classifier, missing]
    assert row["outcome"] == "partial"
    assert list(row["params"]["errors"]) == [missing]


@pytest.mark.parametrize(
    ("rows", "outcome"),
    [
        ([{"model": "a", "status": "ok"}, {"model": "b", "status": "ok"}], "ok"),
        ([{"model": "a", "status": "ok"}, {"model": "b", "status": "cancelled"}], "cancelled"),
        ([{"model": "a", "error": "boom"}, {"model": "b", "error": "bang"}], "error"),
        ([{"model": "a", "error": ""}, {"model": "b", "error": "bang"}], "partial"),
    ],
)
def test_one_record_per_run_says_how_the_run_went(rows: list[dict[str, Any]], outcome: str) -> None:
    audit.audit_run("inference.batch", task="text-classification", rows=rows, n_inputs=4)
    record = audit_log().iloc[-1]
    assert record["outcome"] == outcome
    assert record["model"] == ["a", "b"]
    assert record["params"]["n_inputs"] == 4


def test_a_run_records_its_cost_only_when_known() -> None:
    rows = [{"model": "a", "error": "", "cost_usd": 0.002}, {"model": "b", "error": ""}]
    audit.audit_run("inference.playground", task="text-generation", rows=rows, n_inputs=1)
    rows = [{"model": "a", "error": "", "cost_usd": float("nan")}]
    audit.audit_run("inference.playground", task="text-generation", rows=rows, n_inputs=1)
    assert audit_log()["cost"].tolist()[0] == 0.002
    assert pd.isna(audit_log()["cost"].tolist()[1])  # unknown, never 0


def test_the_public_names() -> None:
    assert hw.audit_log is audit_log
    assert hw.audit_verify is audit_verify
    assert hw.set_audit_path is set_audit_path
    append("policy.set")
    assert "audit trail OK" in audit_verify()._repr_html_()


def test_a_run_still_works_when_the_log_cannot_be_written(
    tiny_classifier: str, home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    some_records(1)
    log = home / "audit" / "audit.jsonl"
    log.write_bytes(log.read_bytes()[:-5])
    rows = PlaygroundSession("text-classification", [tiny_classifier], LocalBackend()).run("hi")
    assert rows["error"].tolist() == [""]
    assert "could not write the audit record 'inference.playground'" in caplog.text


def test_setting_the_session_policy_leaves_a_record() -> None:
    with hw.use_policy({"require_safetensors": True}):
        pass
    log = audit_log(action="policy.set")
    assert len(log) == 1
    params = log.iloc[0]["params"]
    assert params["given"] == "dict"
    assert params["require_safetensors"] is True
