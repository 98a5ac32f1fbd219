"""registry.drift(): what changed upstream since each pin, against the Hub-compatible test
server where the test moves main on (a new license, a pickle file, a scan verdict, gating) and
takes a model away."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from hubwidgets.core.registry import DRIFT_COLUMNS, FLAGS, Registry
from hubwidgets.testing.hub_server import HubServer

from .registry_support import (  # noqa: F401 - fixtures
    by_model,
    hub_fixture,
    own_home_fixture,
    records_fixture,
    sqlite_reg_fixture,
)

UNSAFE = {"scansDone": True, "filesWithIssues": [{"path": "pytorch_model.bin", "level": "unsafe"}]}


def test_drift_flags_what_changed_since_each_pin(
    reg: Registry, hub: HubServer, records: list[dict[str, Any]]
) -> None:
    changed, gone, steady = records
    pin = reg.register(changed["id"], alias="production")["revision"]
    reg.register(gone["id"], alias="candidate")
    reg.register(steady["id"])

    hub.commit(changed["id"], {"likes": 7}, title="a card tweak")
    head = hub.commit(
        changed["id"],
        {
            "cardData": {**changed["cardData"], "license": "cc-by-nc-4.0"},
            "siblings": [*changed["siblings"], {"rfilename": "pytorch_model.bin"}],
            "securityRepoStatus": UNSAFE,
            "gated": "manual",
        },
        title="relicense, add PyTorch weights, gate",
    )
    hub.remove(gone["id"])

    frame = reg.drift()

    assert list(frame.columns) == list(DRIFT_COLUMNS)
    for flag in FLAGS:
        assert str(frame[flag].dtype) == "boolean", flag
    rows = by_model(frame)

    moved = rows[changed["id"]]
    assert moved["revision"] == pin
    assert moved["upstream_sha"] == head
    assert moved["commits_since"] == 2
    assert moved["aliases"] == ["production"]
    assert moved["license_changed"]
    assert moved["pickle_files_added"]
    assert moved["scan_changed"]
    was_gated = changed.get("gated") not in (None, False)  # the starter's Llama 2 is gated
    assert bool(moved["gated"]) is not was_gated
    assert ("became gated" in moved["flags"]) is not was_gated
    assert not pd.isna(moved["gone"])
    assert not moved["gone"]
    assert {"license changed", "pickle files added", "scan verdict changed"} <= set(moved["flags"])
    assert any(c.startswith("license: ") and "cc-by-nc-4.0" in c for c in moved["changes"])
    assert "2 commit(s) on main since the pin" in moved["drift_source"]

    lost = rows[gone["id"]]
    assert lost["gone"]
    assert lost["flags"] == ["gone upstream"]
    assert "not found" in lost["drift_source"]
    assert pd.isna(lost["license_changed"])  # unknown, not "unchanged"
    assert pd.isna(lost["upstream_sha"])

    same = rows[steady["id"]]
    assert same["commits_since"] == 0
    assert same["upstream_sha"] == same["revision"]
    assert same["flags"] == []
    assert not same["license_changed"]
    assert not same["pickle_files_added"]
    assert "up to date" in same["drift_source"]


def test_deprecated_pins_are_left_out_unless_asked(
    reg: Registry, records: list[dict[str, Any]]
) -> None:
    reg.register(records[0]["id"])
    reg.register(records[1]["id"])
    reg.deprecate(records[1]["id"])
    assert reg.drift()["model"].tolist() == [records[0]["id"]]
    assert sorted(reg.drift(include_deprecated=True)["model"]) == sorted(
        [records[0]["id"], records[1]["id"]]
    )


def test_a_hub_that_cannot_answer_gives_unknown_flags_not_clean_ones(
    reg: Registry, hub: HubServer, records: list[dict[str, Any]]
) -> None:
    reg.register(records[0]["id"])
    hub.fail_next(500, times=50)  # the Hub erroring on everything (retries included)
    frame = reg.drift()
    row = frame.iloc[0]
    for flag in FLAGS:
        assert pd.isna(row[flag]), flag
    assert row["flags"] == []
    assert row["drift_source"].startswith("unknown")
    hub.clear_faults()


def test_a_model_already_gated_at_the_pin_is_no_gating_drift(
    reg: Registry, hub: HubServer, records: list[dict[str, Any]]
) -> None:
    model = records[0]["id"]
    hub.commit(model, {"gated": "manual"}, title="gate the model")
    reg.register(model)
    hub.commit(model, {"likes": 3}, title="later edit")
    row = reg.drift().iloc[0]
    assert row["commits_since"] == 1
    assert not pd.isna(row["gated"])
    assert not row["gated"]
    assert "became gated" not in row["flags"]


def test_a_pin_whose_commit_is_gone_upstream_is_flagged_gone(
    tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    record = records[0]
    path = tmp_path / "registry.sqlite"
    with HubServer([record]) as before, Registry(path, endpoint=before.endpoint) as reg:
        reg.register(record["id"], alias="production")
    rewritten = {**record, "sha": "f" * 40}  # main's history rewritten: the pinned sha is gone
    with HubServer([rewritten]) as after, Registry(path, endpoint=after.endpoint) as reg:
        row = reg.drift().iloc[0]
    assert row["gone"]
    assert row["upstream_sha"] == "f" * 40
    assert pd.isna(row["commits_since"])
    assert "no longer on the Hub" in row["drift_source"]
    assert row["flags"] == ["gone upstream"]
