"""hw.versions and hw.diff against the Hub-compatible test server, on real recorded records
given a second revision by the test (a commit with a new license, a pickle file, a scan
verdict)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.registry import DIFF_COLUMNS, DIFF_FACTS, VERSION_COLUMNS
from hubwidgets.testing.hub_server import HubServer

from .registry_support import hub_fixture, own_home_fixture, records_fixture  # noqa: F401

UNSAFE_SCAN = {
    "scansDone": True,
    "filesWithIssues": [{"path": "pytorch_model.bin", "level": "unsafe"}],
}


def _relicense(server: HubServer, record: dict[str, Any]) -> str:
    """A second revision: non-commercial license, a pickle weights file the Hub flags unsafe,
    a new dtype in the config."""
    return server.commit(
        record["id"],
        {
            "cardData": {**record["cardData"], "license": "cc-by-nc-4.0"},
            "siblings": [*record["siblings"], {"rfilename": "pytorch_model.bin"}],
            "securityRepoStatus": UNSAFE_SCAN,
            "config": {**record["config"], "torch_dtype": "bfloat16"},
        },
        title="Relicense and add PyTorch weights",
        authors=["alice", "bob"],
        date=dt.datetime(2025, 6, 1, 12, tzinfo=dt.timezone.utc),
    )


def _row(frame: pd.DataFrame, what: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = frame[frame["what"] == what].to_dict("records")
    assert len(rows) == 1, what
    return rows[0]


def test_versions_lists_commits_newest_first_with_their_refs(
    hub: HubServer, records: list[dict[str, Any]]
) -> None:
    record = records[0]
    first = record["sha"]
    second = _relicense(hub, record)
    hub.tag(record["id"], "v1.0", first)

    frame = hw.versions(record["id"], endpoint=hub.endpoint)

    assert list(frame.columns) == list(VERSION_COLUMNS)
    assert frame["sha"].tolist() == [second, first]
    assert frame["refs"].tolist() == [["main"], ["v1.0"]]
    assert frame.loc[0, "title"] == "Relicense and add PyTorch weights"
    assert frame.loc[0, "authors"] == ["alice", "bob"]
    assert frame.loc[0, "date"] == pd.Timestamp("2025-06-01 12:00", tz="UTC")
    assert isinstance(frame["date"].dtype, pd.DatetimeTZDtype)
    assert str(frame["date"].dt.tz) == "UTC"
    refs = frame.attrs["refs"]
    assert set(zip(refs["name"], refs["kind"], refs["sha"], strict=True)) == {
        ("main", "branch", second),
        ("v1.0", "tag", first),
    }

    assert hw.versions(record["id"], limit=1, endpoint=hub.endpoint)["sha"].tolist() == [second]


def test_versions_bad_input_says_what_is_wrong(hub: HubServer) -> None:
    with pytest.raises(ValueError, match=r"model 'nobody/nothing' not found on the Hub"):
        hw.versions("nobody/nothing", endpoint=hub.endpoint)
    with pytest.raises(TypeError, match="limit must be a positive int"):
        hw.versions("a/b", limit=0, endpoint=hub.endpoint)
    with pytest.raises(TypeError, match="model must be a Hub model id"):
        hw.versions(["a/b"], endpoint=hub.endpoint)  # type: ignore[arg-type]


def test_diff_reports_what_matters_between_two_revisions(
    hub: HubServer, records: list[dict[str, Any]]
) -> None:
    record = records[0]
    first = record["sha"]
    second = _relicense(hub, record)

    frame = hw.diff(record["id"], first, "main", endpoint=hub.endpoint)

    assert list(frame.columns) == list(DIFF_COLUMNS)
    assert frame["what"].tolist() == list(DIFF_FACTS)
    assert frame.attrs["sha_a"] == first
    assert frame.attrs["sha_b"] == second
    assert str(frame["changed"].dtype) == "boolean"

    lic = _row(frame, "license")
    assert (lic["before"], lic["after"], lic["changed"]) == (
        record["cardData"]["license"],
        "cc-by-nc-4.0",
        True,
    )
    assert _row(frame, "license_class")["after"] == "non-commercial"
    assert _row(frame, "commercial_use")["changed"]

    weights = _row(frame, "weight_files")
    assert sorted(set(weights["after"]) - set(weights["before"])) == ["pytorch_model.bin"]
    assert "added: pytorch_model.bin" in weights["source"]
    assert _row(frame, "pickle_files")["after"] == ["pytorch_model.bin"]
    assert "pickle" in _row(frame, "formats")["after"]
    assert "pickle" not in _row(frame, "formats")["before"]

    dtype = _row(frame, "dtype")
    assert dtype["after"] == "bfloat16"
    assert "config.torch_dtype" in dtype["source"]

    scan = _row(frame, "scan_status")
    assert (scan["before"], scan["after"], scan["changed"]) == ("unscanned", "unsafe", True)
    assert "never safe" in scan["source"]  # the first revision carries no verdict

    for same in ("architecture", "params", "base_model"):
        changed = _row(frame, same)["changed"]
        assert not pd.isna(changed) and not changed, same
    assert _row(frame, "architecture")["after"] == sorted(record["config"]["architectures"])
    assert _row(frame, "params")["after"] == record["safetensors"]["total"]


def test_diff_accepts_tags_and_shas_and_unknown_facts_are_unknown(
    hub: HubServer, records: list[dict[str, Any]]
) -> None:
    record = next(r for r in records if not r.get("config"))  # a real record without config
    record_id = record["id"]
    first = record["sha"]
    hub.tag(record_id, "v1", first)
    hub.commit(record_id, {"safetensors": None, "config": None}, title="drop metadata")

    frame = hw.diff(record_id, "v1", "main", endpoint=hub.endpoint)

    assert frame.attrs["sha_a"] == first
    # no config on either side: the architecture is unknown, so is whether it changed
    arch = _row(frame, "architecture")
    assert arch["before"] is None
    assert arch["after"] is None
    assert pd.isna(arch["changed"])
    assert arch["source"].startswith("unknown")
    # same revision on both sides: nothing changed that is known
    same = hw.diff(record_id, first, first, endpoint=hub.endpoint)
    known = same["changed"].dropna()
    assert not known.any()


def test_diff_unknown_revision_names_model_revision_and_refs(
    hub: HubServer, records: list[dict[str, Any]]
) -> None:
    record_id = records[0]["id"]
    hub.tag(record_id, "v1.0")
    with pytest.raises(ValueError, match=r"revision 'v9' of '.*' not found") as err:
        hw.diff(record_id, "v9", "main", endpoint=hub.endpoint)
    assert record_id in str(err.value)
    assert "main, v1.0" in str(err.value)
    with pytest.raises(ValueError, match="not found on the Hub"):
        hw.diff("nobody/nothing", "main", "main", endpoint=hub.endpoint)
    with pytest.raises(TypeError, match="a revision of"):
        hw.diff(record_id, "", "main", endpoint=hub.endpoint)


def test_an_unreachable_hub_is_a_hub_error_in_words(backoff_clock: Any) -> None:
    server = HubServer([{"id": "acme/model", "sha": "1" * 40}]).start()
    endpoint = server.endpoint
    server.stop()  # nothing listens there any more
    with pytest.raises(hw.HubError, match=r"could not answer for 'acme/model'"):
        hw.versions("acme/model", endpoint=endpoint)
    with pytest.raises(hw.HubError, match=endpoint):
        hw.diff("acme/model", "main", "main", endpoint=endpoint)


def test_versions_reads_only_the_pages_it_needs(
    hub: HubServer, records: list[dict[str, Any]]
) -> None:
    record_id = records[1]["id"]
    shas = [hub.commit(record_id, {"likes": i}, title=f"edit {i}") for i in range(120)]
    pages = lambda: [  # noqa: E731
        r for r in hub.requests if r["path"].startswith(f"/api/models/{record_id}/commits/")
    ]

    newest = shas[::-1]
    hub.clear_requests()
    first = hw.versions(record_id, limit=5, endpoint=hub.endpoint)
    assert first["sha"].tolist() == newest[:5]
    assert len(pages()) == 1

    hub.clear_requests()
    every = hw.versions(record_id, limit=500, endpoint=hub.endpoint)
    assert len(every) == 121  # the recorded revision and 120 edits, over three pages
    assert every["sha"].tolist()[:120] == newest
    assert len(pages()) == 3
