"""hw.Registry on each backend (a SQLite file; PostgreSQL where HUBWIDGETS_TEST_POSTGRES_URL
is set, as .ci/run does): register, aliases, stages, history, bad input, two processes at once.
Revisions are resolved on the Hub-compatible test server serving real recorded records."""

from __future__ import annotations

import getpass
import json
import multiprocessing
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.registry import ENTRY_COLUMNS, HISTORY_COLUMNS, STAGES, Registry
from hubwidgets.core.registry.store import OUTCOME_COLUMNS
from hubwidgets.testing.hub_server import HubServer

from .registry_support import (  # noqa: F401 - fixtures
    db_url_fixture,
    hub_fixture,
    own_home_fixture,
    records_fixture,
    register_many,
)


@pytest.fixture
def reg(db_url: str, hub: HubServer) -> Any:
    registry = Registry(db_url, endpoint=hub.endpoint)
    yield registry
    registry.close()


def test_register_pins_the_sha_with_license_and_verdict_from_check(
    reg: Registry, hub: HubServer, records: list[dict[str, Any]]
) -> None:
    record = records[0]
    entry = reg.register(record["id"], alias="production", stage="production", note="first pin")

    assert entry["model"] == record["id"]
    assert entry["revision"] == record["sha"]  # main resolved to its sha, never a branch name
    assert entry["requested_revision"] == "main"
    assert entry["aliases"] == ["production"]
    assert entry["stage"] == "production"
    assert entry["note"] == "first pin"
    assert entry["registered_by"] == getpass.getuser()  # no Hub login: the OS user
    assert entry["endpoint"] == hub.endpoint
    assert entry["registered_at"].tzinfo is not None
    # the license and verdict hw.check gives at that revision
    assert entry["license"] == record["cardData"]["license"]
    assert entry["license_class"] in {"permissive", "copyleft", "non-commercial", "gated-or-custom"}
    assert entry["verdict"] in {"allow", "review", "deny"}

    frame = reg.df
    assert list(frame.columns) == list(ENTRY_COLUMNS)
    assert len(frame) == 1
    assert frame.loc[0, "revision"] == record["sha"]
    assert str(frame["registered_at"].dt.tz) == "UTC"
    assert len(reg) == 1


def test_registering_several_keeps_going_past_a_model_that_fails(
    reg: Registry, records: list[dict[str, Any]]
) -> None:
    ids = [records[0]["id"], "nobody/no-such-model", records[1]["id"]]
    out = reg.register_many(ids, stage="candidate")
    assert list(out.columns) == list(OUTCOME_COLUMNS)
    assert out["outcome"].tolist() == ["ok", "error", "ok"]
    assert out.loc[1, "revision"] == "" and "no-such-model" in out.loc[1, "error"]
    assert out.loc[2, "revision"] == records[1]["sha"]
    assert len(reg) == 2
    with pytest.raises(ValueError, match="an alias names one entry"):
        reg.register_many(ids, alias="production")


def test_register_by_tag_or_sha_and_get_by_alias(
    reg: Registry, hub: HubServer, records: list[dict[str, Any]]
) -> None:
    record = records[0]
    first = record["sha"]
    hub.tag(record["id"], "v1.0")
    second = hub.commit(record["id"], {"likes": 1}, title="a second revision")

    by_tag = reg.register(record["id"], "v1.0", alias="production")
    by_sha = reg.register(record["id"], second, alias="candidate")

    assert by_tag["revision"] == first
    assert by_tag["requested_revision"] == "v1.0"
    assert by_sha["revision"] == second
    assert reg.get("production")["revision"] == first
    assert reg.get("candidate")["revision"] == second
    assert reg.aliases() == {
        "candidate": (record["id"], second),
        "production": (record["id"], first),
    }
    assert sorted(reg.df["revision"]) == sorted([first, second])


def test_set_alias_moves_it_and_history_keeps_every_step(
    reg: Registry, hub: HubServer, records: list[dict[str, Any]]
) -> None:
    a, b = records[0]["id"], records[1]["id"]
    reg.register(a, alias="production")
    reg.register(b, alias="candidate")

    moved = reg.set_alias("production", b)

    assert moved["model"] == b
    assert sorted(moved["aliases"]) == ["candidate", "production"]
    assert reg.get("production")["model"] == b
    assert reg.df.set_index("model").loc[a, "aliases"] == []
    history = reg.history(b)
    assert list(history.columns) == list(HISTORY_COLUMNS)
    assert history["action"].tolist() == ["register", "set_alias"]
    assert history["alias"].tolist() == ["candidate", "production"]
    assert reg.history(a)["action"].tolist() == ["register"]

    reg.unset_alias("candidate")
    with pytest.raises(ValueError, match="no alias 'candidate'"):
        reg.get("candidate")
    assert reg.get("production")["aliases"] == ["production"]


def test_deprecate_and_stages_append_rows_and_never_rewrite_them(
    reg: Registry, records: list[dict[str, Any]]
) -> None:
    model = records[0]["id"]
    reg.register(model, alias="production", stage="staging")
    before = reg.history()

    promoted = reg.set_stage(model, "production", note="load tested")
    assert promoted["stage"] == "production"
    assert promoted["note"] == "load tested"
    assert promoted["license_class"] == before.loc[0, "license_class"]  # facts carried along

    changed = reg.deprecate(model, note="superseded")
    assert changed["stage"].tolist() == ["deprecated"]
    assert reg.get("production")["stage"] == "deprecated"  # the alias still says where it was

    after = reg.history()
    assert after["action"].tolist() == ["register", "set_stage", "deprecate"]
    # the first row is exactly what it was: the history is append-only
    pd.testing.assert_frame_equal(after.iloc[:1], before)


def test_bad_input_is_refused_and_nothing_is_written(
    reg: Registry, hub: HubServer, records: list[dict[str, Any]]
) -> None:
    model = records[0]["id"]
    with pytest.raises(ValueError, match=r"revision 'v9' of '.*' not found") as err:
        reg.register(model, "v9")
    assert model in str(err.value)
    with pytest.raises(ValueError, match="'nobody/nothing' not found on the Hub"):
        reg.register("nobody/nothing")
    with pytest.raises(ValueError, match=r"stage must be one of .*did you mean production"):
        reg.register(model, stage="prodution")
    with pytest.raises(ValueError, match="an alias is a name"):
        reg.register(model, alias="has spaces")
    assert len(reg.history()) == 0
    assert len(reg.df) == 0

    reg.register(model, alias="production")
    with pytest.raises(ValueError, match=r"no alias 'prod'.*did you mean production.*production"):
        reg.get("prod")
    with pytest.raises(ValueError, match="is not registered"):
        reg.history("nobody/nothing")
    with pytest.raises(ValueError, match="is not registered"):
        reg.set_alias("candidate", records[1]["id"])
    with pytest.raises(ValueError, match="not registered at 'deadbeef'"):
        reg.set_alias("candidate", model, "deadbeef")
    assert STAGES[-1] == "deprecated"


def test_a_reopened_registry_has_everything(
    db_url: str, hub: HubServer, records: list[dict[str, Any]]
) -> None:
    with Registry(db_url, endpoint=hub.endpoint) as first:
        first.register(records[0]["id"], alias="production")
        expected = first.df
    with Registry(db_url, endpoint=hub.endpoint) as again:
        pd.testing.assert_frame_equal(again.df, expected)
        assert again.get("production")["model"] == records[0]["id"]


def test_two_processes_registering_at_once_both_keep_their_records(
    db_url: str, hub: HubServer, records: list[dict[str, Any]], tmp_path: Path
) -> None:
    model = records[0]["id"]
    # no schema yet: both processes also open (and migrate) a fresh database at about once
    count = 8
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    workers = [
        ctx.Process(
            target=register_many,
            args=(db_url, hub.endpoint, model, n, count, barrier, str(tmp_path / "home")),
        )
        for n in (1, 2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=240)
    assert [w.exitcode for w in workers] == [0, 0]

    with Registry(db_url, endpoint=hub.endpoint) as reg:
        history = reg.history(model)
        assert len(history) == 2 * count
        assert sorted(reg.aliases()) == sorted(f"w{n}-{i}" for n in (1, 2) for i in range(count))
        assert history["note"].value_counts().to_dict() == {"worker 1": count, "worker 2": count}
        assert history["id"].is_unique


def test_default_location_is_under_hubwidgets_home(
    hub: HubServer, tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    with hw.Registry(endpoint=hub.endpoint) as reg:
        reg.register(records[0]["id"])
        assert reg.path == tmp_path / "home" / "registry.sqlite"
    assert (tmp_path / "home" / "registry.sqlite").is_file()


def test_registry_changes_reach_the_audit_trail(
    reg: Registry, records: list[dict[str, Any]]
) -> None:
    audit = pytest.importorskip(
        "hubwidgets.core.registry.audit", reason="the audit trail (issue 13 item 4) is not here"
    )
    model = records[0]["id"]
    entry = reg.register(model, alias="production")
    reg.deprecate(model)
    with pytest.raises(ValueError, match="not found"):
        reg.register(model, "v9")
    log = audit.audit_log(model=model)
    assert log["action"].tolist() == [
        "registry.register",
        "registry.deprecate",
        "registry.register",
    ]
    assert log["revision"].tolist()[:2] == [entry["revision"], entry["revision"]]
    assert log["outcome"].tolist() == ["ok", "ok", "error"]


class _HubWithAccounts(HubServer):
    """The test Hub plus ``/api/whoami-v2`` for one token (the Hub's answer: 401 otherwise)."""

    TOKEN = "hf_registry_test_token"

    def _respond(self, method: str, target: str, headers: dict[str, str], *rest: Any) -> Any:
        if target.startswith("/api/whoami-v2"):
            from hubwidgets.testing.hub_server import _Response  # noqa: PLC0415

            auth = {k.lower(): v for k, v in headers.items()}.get("authorization")
            ok = auth == f"Bearer {self.TOKEN}"
            body = {"type": "user", "name": "alice"} if ok else {"error": "Invalid credentials"}
            status = 200 if ok else 401
            return _Response(
                status, [("Content-Type", "application/json")], json.dumps(body).encode()
            )
        return super()._respond(method, target, headers, *rest)


def test_who_is_the_hub_user_when_logged_in(
    tmp_path: Path, records: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", _HubWithAccounts.TOKEN)  # logged in, as far as the client knows
    model = records[0]["id"]
    with (
        _HubWithAccounts(records) as hub,
        Registry(tmp_path / "r.sqlite", endpoint=hub.endpoint) as reg,
    ):
        entry = reg.register(model, alias="production")
        assert entry["registered_by"] == "alice"
        assert reg.history(model).loc[0, "actor_source"] == "the Hub account of the token"
    try:
        from hubwidgets.core.registry import audit  # noqa: PLC0415
    except ImportError:
        return
    # the audit trail never asks the Hub: it names the user the registry learned
    assert audit.audit_log(model=model)["actor"].tolist()[-1] == "alice"


def test_who_is_the_os_user_when_the_token_is_refused(
    tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    with (
        _HubWithAccounts(records) as hub,
        Registry(tmp_path / "r.sqlite", endpoint=hub.endpoint, token="hf_not_a_token") as reg,
    ):
        assert reg.register(records[0]["id"])["registered_by"] == getpass.getuser()
        assert reg.history().loc[0, "actor_source"] == "the OS user"
