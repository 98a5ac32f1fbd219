"""The registry at a glance (core/registry/overview.py): entries with a drift check joined on
and what drifted in words, the same as text for a table, the summaries, looking entries up by
model or key, and the audit timeline as text; on a real registry and the Hub-compatible test
server, where the test moves a model's main branch on and then makes the Hub unreachable.

The RegistryWidget shows exactly these (tests/widgets/test_registry_widget.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hubwidgets.core.registry import (
    DRIFT_ADDED,
    ENTRY_COLUMNS,
    FLAGS,
    OVERVIEW_TEXT_COLUMNS,
    TIMELINE_COLUMNS,
    Registry,
    as_registry,
    audit_log,
    drift_answered,
    drift_summary,
    entries_with_drift,
    find_pin,
    overview_html,
    overview_summary,
    overview_text,
    pin_key,
    pin_label,
    pin_rows,
    register_summary,
    timeline_text,
)
from hubwidgets.testing.hub_server import HubServer

from .registry_support import (  # noqa: F401 - fixtures
    by_model,
    db_url_fixture,
    hub_fixture,
    own_home_fixture,
    records_fixture,
    sqlite_reg_fixture,
)


def test_the_overview_joins_a_drift_check_and_says_what_drifted(
    db_url: str, hub: HubServer, records: list[dict[str, Any]]
) -> None:
    changed, steady, old = (r["id"] for r in records)
    reg = Registry(db_url, endpoint=hub.endpoint)
    try:
        pin = str(reg.register(changed, alias="production", note="<b>not html</b>")["revision"])
        reg.register(steady)
        reg.register(old)

        before = reg.overview()
        assert list(before.columns) == [*ENTRY_COLUMNS, *DRIFT_ADDED, "drift_note"]
        assert set(before["drift_note"]) == {"not checked"}
        for flag in FLAGS:  # not checked is unknown, never False
            assert str(before[flag].dtype) == "boolean" and before[flag].isna().all(), flag

        card = {**records[0]["cardData"], "license": "cc-by-nc-4.0"}
        hub.commit(changed, {"cardData": card}, title="relicense")
        reg.deprecate(old)
        found = reg.drift()  # the deprecated entry is left out of the check
        assert drift_answered(found)
        assert drift_summary(found) == "drift checked: 1 of 2 pinned entries flagged"

        rows = by_model(reg.overview(found))
        assert rows[changed]["drift_note"] == "license changed"
        assert rows[changed]["license_changed"] is True and rows[changed]["commits_since"] == 1
        assert rows[steady]["drift_note"] == "no drift"
        assert rows[steady]["license_changed"] is False
        assert rows[old]["drift_note"] == "not checked (deprecated)"
        assert pd.isna(rows[old]["license_changed"])

        text = overview_text(reg.overview(found))
        assert tuple(text.columns) == OVERVIEW_TEXT_COLUMNS
        assert all(isinstance(v, str) for v in text.to_numpy().ravel())
        first = text.set_index("model").loc[changed]
        assert first["key"] == f"{changed}@{pin}" == pin_key(changed, pin)
        assert first["drift"] == "license changed" and first["commits_since"] == "1"
        assert first["aliases"] == "production" and first["note"] == "<b>not html</b>"
        assert first["registered_at"].endswith(" UTC")
        assert text.set_index("model").loc[old, "commits_since"] == ""  # unknown is blank

        where = reg.where
        checked = "2026-12-05T07:00:00+00:00"
        assert overview_summary(reg.overview(found), where, checked) == (
            f"3 entries of 3 models in {where} · drift checked {checked}"
        )
        one = reg.overview()[lambda f: f["model"] == steady]
        assert overview_summary(one, where) == f"1 entry of 1 model in {where} · drift not checked"

        report = overview_html(text, caption="the registry")
        assert report.startswith('<table class="hubwidgets-registry">')
        assert f'<a href="https://huggingface.co/{changed}">{changed}</a>' in report
        assert overview_html(text.iloc[0:0], caption="0 entries") == (
            '<p class="hubwidgets-registry">0 entries</p>'
        )

        hub.stop()  # the Hub cannot answer: every flag unknown, and said so
        lost = reg.drift()
        assert not drift_answered(lost)
        assert drift_summary(lost).startswith(
            "drift not checked: the Hub could not answer for any pinned model ("
        )
        assert set(reg.overview(lost)["drift_note"]) == {"unknown", "not checked (deprecated)"}
    finally:
        reg.close()


def test_entries_are_found_by_model_revision_or_key(
    reg: Registry, records: list[dict[str, Any]]
) -> None:
    model, other = records[0]["id"], records[1]["id"]
    sha = str(reg.register(model)["revision"])
    reg.register(other)
    frame = reg.overview()
    key = f"{model}@{sha}"
    assert find_pin(frame, model) == key
    assert find_pin(frame, model, sha[:7]) == key
    assert list(pin_rows(frame, key)["model"]) == [model]
    assert pin_rows(frame, "").empty and list(pin_rows(frame, "").columns) == list(frame.columns)
    assert pin_label(pin_rows(frame, key).iloc[0]) == f"{model}@{sha[:12]}"
    misspelled = model[:-1]
    with pytest.raises(ValueError, match=r"is not an entry of the registry \(did you mean"):
        find_pin(frame, misspelled)
    listed = f"at 'ffff' is not an entry.*registered: .*{re.escape(other)}"
    with pytest.raises(ValueError, match=listed):
        find_pin(frame, model, "ffff")
    with pytest.raises(ValueError, match=r"'org/nope' at '0+' is not an entry"):
        pin_rows(frame, "org/nope@" + "0" * 40)
    with pytest.raises(TypeError, match="model and revision must be str"):
        find_pin(frame, 3)  # type: ignore[arg-type]


def test_the_timeline_is_the_audit_trail_in_words_newest_first(
    reg: Registry, records: list[dict[str, Any]]
) -> None:
    model = records[0]["id"]
    sha = str(reg.register(model, note="first")["revision"])
    reg.set_stage(model, "production", note="ready")
    log = audit_log(model=model, newest_first=True)
    shown = timeline_text(log)
    assert tuple(shown.columns) == TIMELINE_COLUMNS
    assert list(shown["action"]) == ["registry.stage", "registry.register"]
    assert set(shown["revision"]) == {sha[:12]}
    assert "stage=production" in shown["details"][0] and "note=ready" in shown["details"][0]
    assert all(t.endswith(" UTC") for t in shown["time"])
    assert timeline_text(log.iloc[0:0]).empty


def test_register_summary_says_what_was_registered_and_why_not(
    reg: Registry, records: list[dict[str, Any]]
) -> None:
    model = records[0]["id"]
    out = reg.register_many([model, "org/not-on-the-hub"])
    sha = out.loc[0, "revision"]
    words = register_summary(out)
    assert words.startswith("registered 1 of 2; not registered: org/not-on-the-hub: ")
    assert register_summary(out.iloc[:1]) == f"registered 1 of 1: {model}@{sha[:12]}"


def test_as_registry_opens_a_path_and_refuses_anything_else(tmp_path: Path, reg: Registry) -> None:
    assert as_registry(reg) is reg
    opened = as_registry(tmp_path / "other.sqlite")
    try:
        assert opened.path == tmp_path / "other.sqlite" and opened.where == str(opened.path)
    finally:
        opened.close()
    with pytest.raises(TypeError, match=r"registry must be a hw\.Registry.*not int"):
        as_registry(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: entries_with_drift("entries"), TypeError, "entries must be a DataFrame, not str"),
        (
            lambda: entries_with_drift(pd.DataFrame({"model": ["a"]})),
            ValueError,
            r"entries lacks the column\(s\) revision, stage",
        ),
        (
            lambda: entries_with_drift(
                pd.DataFrame(columns=list(ENTRY_COLUMNS)), pd.DataFrame({"model": []})
            ),
            ValueError,
            r"drift lacks the column\(s\) revision, flags, drift_source",
        ),
        (
            lambda: overview_text(pd.DataFrame(columns=list(ENTRY_COLUMNS))),
            ValueError,
            r"overview lacks the column\(s\) drift_note",
        ),
        (lambda: drift_summary([]), TypeError, "drift must be a DataFrame, not list"),
        (lambda: timeline_text(pd.DataFrame()), ValueError, r"log lacks the column\(s\) time"),
    ],
)
def test_bad_frames_are_refused_in_words(call: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()
