"""RegistryWidget without a browser, on a real SQLite registry and the Hub-compatible test
server: the table, registering a linked widget's selection (a model that fails does not stop
the others), alias / stage / deprecate asked by the page (refusals reported, state kept), the
drift check (flags, and the Hub unreachable), the audit timeline, a locked database, the saved
state and the report.

The page's requests are played with ``_on_message``, its trait updates with ``set_state``.
The registry itself is tested in the core (tests/core/test_registry*.py).
"""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import traitlets

import hubwidgets as hw
from hubwidgets.testing.hub_server import HubServer
from hubwidgets.testing.registry_demo import DEMO_IDS, starter_records
from hubwidgets.widgets import RegistryWidget
from hubwidgets.widgets._protocol import pack, unpack
from hubwidgets.widgets._serialization import from_ipc
from hubwidgets.widgets.registry import ENTRY_SHOWN, TIMELINE_COLUMNS

from .conftest import Picker

#: Two starter models as the Hub serves them (a sha and a file list added).
RECORDS = starter_records(DEMO_IDS[:2])
FIRST, SECOND = RECORDS[0]["id"], RECORDS[1]["id"]


@pytest.fixture(autouse=True)
def own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine's registries, audit log and Hub token stay out of the tests."""
    monkeypatch.setenv("HUBWIDGETS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("HUBWIDGETS_AUDIT", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    monkeypatch.setenv("HF_TOKEN_PATH", str(tmp_path / "no-token"))


@pytest.fixture
def hub() -> Iterator[HubServer]:
    with HubServer(copy.deepcopy(RECORDS)) as server:
        yield server


@pytest.fixture
def reg(tmp_path: Path, hub: HubServer) -> Iterator[Any]:
    registry = hw.Registry(tmp_path / "registry.sqlite", endpoint=hub.endpoint, timeout=0.3)
    yield registry
    registry.close()


@pytest.fixture
def make(reg: Any, made: list[Any]) -> Callable[..., RegistryWidget]:
    def build(**kwargs: Any) -> RegistryWidget:
        kwargs.setdefault("registry", reg)
        widget = RegistryWidget(**kwargs)
        made.append(widget)
        return widget

    return build


def shown(widget: RegistryWidget, name: str = "_entries") -> pd.DataFrame:
    state = widget.get_state([name])[name]
    if state is None:
        return pd.DataFrame()
    assert isinstance(state, bytes)
    return from_ipc(state)


def page(widget: Any, kind: str, body: dict[str, Any] | None = None) -> Any:
    """The page sends a request; the reply's body, or the error reply."""
    sent: list[tuple[dict[str, Any], list[Any]]] = []
    widget.comm.send = lambda data=None, buffers=None, **_: sent.append((data, list(buffers or [])))
    packed, paths, buffers = pack(body or {})
    content = {"hw": 1, "kind": kind, "id": 7, "body": packed, "paths": paths}
    widget._on_message(widget, content, buffers)
    for data, sent_buffers in sent:
        message = data.get("content") if data.get("method") == "custom" else None
        if message and message.get("id") == 7:
            if "error" in message:
                return message
            return unpack(message.get("body") or {}, message.get("paths"), sent_buffers)
    raise AssertionError(f"no reply to {kind!r}")


def test_lazy_export_and_arguments(make: Callable[..., RegistryWidget], tmp_path: Path) -> None:
    assert hw.RegistryWidget is RegistryWidget and "RegistryWidget" in hw.__all__
    w = make()
    assert w.df.empty and w.selected.empty and w.drift is None
    assert w.status.startswith("0 entries of 0 models in ") and w.error == ""
    assert shown(w).empty and w.timeline.empty
    with pytest.raises(TypeError, match="did you mean 'registry'"):
        make(registri=None)
    with pytest.raises(TypeError, match=r"registry must be a hw\.Registry"):
        RegistryWidget(registry=42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="source must be"):
        make(source=object())
    # a path opens a SQLite registry there
    other = RegistryWidget(tmp_path / "other.sqlite")
    try:
        assert other.registry.path == tmp_path / "other.sqlite"
    finally:
        other.close()
        other.registry.close()


def test_register_the_linked_selection_one_failing(
    make: Callable[..., RegistryWidget], hub: HubServer
) -> None:
    picker = Picker(picked=[FIRST])
    try:
        w = make(source=picker)
        assert w.pending == [FIRST]
        picker.picked = [FIRST, "org/not-on-the-hub", SECOND]
        assert w.pending == [FIRST, "org/not-on-the-hub", SECOND]
        reply = page(w, "register", {"revision": "main", "stage": "candidate", "note": "demo"})
    finally:
        picker.close()
    outcomes = {o["model"]: o for o in reply["outcomes"]}
    assert outcomes[FIRST]["outcome"] == "ok" and outcomes[SECOND]["outcome"] == "ok"
    assert outcomes[FIRST]["revision"] == RECORDS[0]["sha"]  # main resolved to its sha
    assert outcomes["org/not-on-the-hub"]["outcome"] == "error"
    assert "not found" in outcomes["org/not-on-the-hub"]["error"]
    # the others are registered all the same, the error is shown
    assert sorted(w.registry.df["model"]) == sorted([FIRST, SECOND])
    assert "org/not-on-the-hub" in w.error and "registered 2 of 3" in w.status
    table = shown(w)
    assert tuple(table.columns) == ENTRY_SHOWN
    assert sorted(table["model"]) == sorted([FIRST, SECOND])
    assert set(table["drift"]) == {"not checked"}  # unknown is never "no drift"
    assert set(table["note"]) == {"demo"}
    assert w.selected_key == f"{SECOND}@{RECORDS[1]['sha']}"
    assert list(w.selected["model"]) == [SECOND]
    assert list(w.outcomes["outcome"]) == ["ok", "error", "ok"]


def test_bad_register_input_is_refused_and_nothing_written(
    make: Callable[..., RegistryWidget],
) -> None:
    w = make()
    refused = page(w, "register", {})
    assert "no models to register" in refused["error"]["message"]
    out = w.register([FIRST], revision="no-such-branch")
    assert list(out["outcome"]) == ["error"]
    assert "no-such-branch" in out["error"][0] and "no-such-branch" in w.error
    assert w.registry.df.empty and shown(w).empty
    with pytest.raises(ValueError, match="an alias names one entry"):
        w.register([FIRST, SECOND], alias="production")
    assert w.registry.df.empty


def test_promote_alias_deprecate_from_the_page(make: Callable[..., RegistryWidget]) -> None:
    w = make()
    w.register([FIRST])
    key = f"{FIRST}@{RECORDS[0]['sha']}"
    assert w.selected_key == key
    assert page(w, "set_stage", {"key": key, "stage": "production"}) == {}
    assert w.registry.df["stage"].tolist() == ["production"]
    assert "is now production" in w.status and w.error == ""
    assert page(w, "set_alias", {"key": key, "alias": "prod"}) == {}
    assert shown(w)["aliases"].tolist() == ["prod"]
    assert w.registry.get("prod")["revision"] == RECORDS[0]["sha"]
    assert page(w, "deprecate", {"key": key, "note": "superseded"}) == {}
    assert shown(w)["stage"].tolist() == ["deprecated"]
    # the timeline of the selected model, newest first
    timeline = shown(w, "_timeline")
    assert tuple(timeline.columns) == TIMELINE_COLUMNS
    assert list(timeline["action"]) == [
        "registry.deprecate",
        "registry.set_alias",
        "registry.stage",
        "registry.register",
    ]
    assert "note=superseded" in timeline["details"][0]
    assert w.timeline["action"].iloc[0] == "registry.deprecate"


def test_refusals_keep_the_state(make: Callable[..., RegistryWidget]) -> None:
    w = make()
    w.register([FIRST], alias="production")
    key = w.selected_key
    before = shown(w)
    bad = page(w, "set_alias", {"key": key, "alias": "9-not-a-name"})
    assert "an alias is a name" in bad["error"]["message"] and "an alias is a name" in w.error
    bad = page(w, "set_stage", {"key": key, "stage": "prodution"})
    assert "did you mean production" in bad["error"]["message"]
    unknown = page(w, "find", {"alias": "prodution"})
    assert "the aliases are: production" in unknown["error"]["message"]
    assert "did you mean production" in w.error
    pd.testing.assert_frame_equal(shown(w), before)
    assert page(w, "find", {"alias": "production"}) == {} and w.selected_key == key
    # a selection the table does not hold is refused, the old one kept
    w.set_state({"selected_key": "org/nope@" + "0" * 40})
    assert "not an entry of the registry" in w.error and w.selected_key == key
    assert page(w, "set_stage", {"key": "", "stage": "production"}) == {}  # the selected one


def test_a_locked_database_is_an_error_in_the_widget(
    make: Callable[..., RegistryWidget], reg: Any
) -> None:
    w = make()
    w.register([FIRST])
    before = shown(w)
    holder = sqlite3.connect(reg.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing, for longer than we wait
    try:
        w.set_stage("production")
        assert "is locked by another process" in w.error and str(reg.path) in w.error
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    pd.testing.assert_frame_equal(shown(w), before)
    w.set_stage("production")
    assert w.error == "" and shown(w)["stage"].tolist() == ["production"]


def test_drift_flags_and_an_unreachable_hub(
    make: Callable[..., RegistryWidget], hub: HubServer
) -> None:
    w = make()
    w.register([FIRST, SECOND])
    assert page(w, "drift") == {}
    assert w.wait(60)
    assert w.error == "" and "drift checked: 0 of 2" in w.status
    assert set(shown(w)["drift"]) == {"no drift"}
    card = {**RECORDS[0]["cardData"], "license": "cc-by-nc-4.0"}
    hub.commit(FIRST, {"cardData": card}, title="relicense")
    w.check_drift(wait=True)
    rows = shown(w).set_index("model")
    assert "license changed" in rows.loc[FIRST, "drift"]
    assert rows.loc[FIRST, "commits_since"] == "1"
    assert rows.loc[SECOND, "drift"] == "no drift"
    assert bool(w.df.set_index("model").loc[FIRST, "license_changed"]) is True
    assert w.drift is not None and len(w.drift) == 2
    before = shown(w)
    hub.stop()  # the Hub cannot be reached: an error in place, the table kept
    w.check_drift(wait=True)
    assert "drift not checked" in w.error
    assert list(shown(w)["model"]) == list(before["model"])
    assert set(shown(w)["drift"]) == {"unknown"}


def test_saved_state_and_report(make: Callable[..., RegistryWidget]) -> None:
    w = make()
    w.register([FIRST], alias="production", note="<b>not html</b>")
    state = w.get_state()
    assert state["_widget"] == "registry"
    assert list(from_ipc(state["_entries"])["model"]) == [FIRST]
    assert list(from_ipc(state["_timeline"])["action"]) == ["registry.register"]
    # the page cannot write what the kernel draws
    w.set_state({"pending": ["x/y"]})
    assert "only the kernel" in w.error and w.pending == []
    report = w._report_html()
    assert report.startswith('<table class="hubwidgets-registry">')
    assert f'<a href="https://huggingface.co/{FIRST}">{FIRST}</a>' in report
    assert "Audit trail of" in report and "registry.register" in report


def test_selecting_and_refreshing(make: Callable[..., RegistryWidget], reg: Any) -> None:
    w = make()
    w.register([FIRST])
    reg.register(SECOND)  # another notebook, the same database
    assert SECOND not in set(shown(w)["model"])
    assert page(w, "refresh") == {}
    assert SECOND in set(shown(w)["model"])
    w.select(SECOND)
    assert w.selected_key == f"{SECOND}@{RECORDS[1]['sha']}"
    with pytest.raises(ValueError, match="not an entry"):
        w.select("org/nope")
    with pytest.raises(traitlets.TraitError):
        w.selected_key = "nope@nope"
