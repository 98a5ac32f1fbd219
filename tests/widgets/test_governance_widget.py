"""GovernanceWidget without a browser: construction, validation, the policy edited from the
page (re-evaluated, or refused with the reason in the status), linking to a widget with a
selection, the synced state (Table traits) and the report.

The page's trait updates are played with ``set_state``. The checks themselves are tested in
the core (tests/core/governance).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
import traitlets

import hubwidgets as hw
from hubwidgets.widgets import GovernanceWidget
from hubwidgets.widgets._serialization import from_ipc
from hubwidgets.widgets.governance import FINDING_COLUMNS, TABLE_COLUMNS

from .conftest import Picker

GPT2 = "openai-community/gpt2"


@pytest.fixture(scope="module")
def catalog() -> hw.Catalog:
    return hw.starter_catalog()


@pytest.fixture(scope="module")
def nc_id(catalog: hw.Catalog) -> str:
    """A cc-by-nc model of the starter catalog."""
    df = catalog.df
    found = df[df["license"].astype(str).str.startswith("cc-by-nc")]["id"].tolist()
    assert found
    return str(found[0])


@pytest.fixture
def make(catalog: hw.Catalog, made: list[Any]) -> Callable[..., Any]:
    def build(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("catalog", catalog)
        widget = GovernanceWidget(*args, **kwargs)
        made.append(widget)
        return widget

    return build


def shown(widget: GovernanceWidget, name: str = "_table") -> pd.DataFrame:
    state = widget.get_state([name])[name]
    assert isinstance(state, bytes)
    return from_ipc(state)


def test_construction(make: Callable[..., Any], nc_id: str) -> None:
    w = make([GPT2, nc_id])
    assert w.models == [GPT2, nc_id] and w.selection == [GPT2, nc_id]
    assert isinstance(w.policy, hw.Policy) and w.policy == hw.Policy()
    table = w.table
    assert list(table["id"]) == [GPT2, nc_id]
    assert {"verdict", "reasons", "license_class", "base_chain"} <= set(table.columns)
    assert list(table["license_class"]) == ["permissive", "non-commercial"]
    assert set(w.findings.columns) >= set(FINDING_COLUMNS)
    assert w.charts() == {}
    assert w.status.startswith("2 models:") and w.error == ""
    assert w.get_state(["policy"])["policy"] == hw.Policy().to_dict()
    one = make(GPT2, policy={"require_safetensors": True})
    assert one.models == [GPT2] and one.policy.require_safetensors is True


def test_no_models(make: Callable[..., Any]) -> None:
    w = make()
    assert w.models == [] and w._table is None and w.table.empty
    assert w.status.startswith("No models")


def test_bad_arguments(make: Callable[..., Any], catalog: hw.Catalog) -> None:
    with pytest.raises(TypeError, match="did you mean 'policy'"):
        make([GPT2], polcy={})
    with pytest.raises(TypeError, match="did you mean 'source'"):
        make([GPT2], sourc=None)
    with pytest.raises(traitlets.TraitError, match="gpt2"):
        make(["openai-community/gpt3"])
    with pytest.raises(traitlets.TraitError, match="did you mean permissive"):
        make([GPT2], policy={"allow_license_classes": ["permisive"]})
    with pytest.raises(traitlets.TraitError, match="unknown policy key"):
        make([GPT2], policy={"require_safetensor": True})
    with pytest.raises(TypeError, match="source must be"):
        make([GPT2], source=object())
    with pytest.raises(TypeError, match="catalog must be"):
        GovernanceWidget([GPT2], catalog="nope")  # type: ignore[arg-type]
    w = make([GPT2])
    with pytest.raises(traitlets.TraitError):
        w.policy = {"require_safetensors": "yes"}
    assert w.policy == hw.Policy()


def test_policy_edit_from_the_page_re_evaluates(
    make: Callable[..., Any], nc_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make([GPT2, nc_id])
    before = list(shown(w)["verdict"])
    assert before[1] != "deny"
    calls: list[Any] = []
    real = hw.check

    def counted(*args: Any, **kwargs: Any) -> pd.DataFrame:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr("hubwidgets.widgets.governance.check", counted)
    policy = {**w.policy.to_dict(), "allow_license_classes": ["permissive", "copyleft"]}
    w.set_state({"policy": policy})
    assert w.error == ""
    assert list(shown(w)["verdict"]) == [before[0], "deny"]
    assert w.policy.allow_license_classes == ("permissive", "copyleft")
    assert list(w.table["verdict"].astype(str)) == [before[0], "deny"]
    assert "deny" in w.status
    assert calls == []  # cached per models: a policy edit only re-evaluates
    reasons = shown(w)["reasons"][1]
    assert isinstance(reasons, str) and "non-commercial" in reasons


def test_bad_policy_from_the_page_is_refused(make: Callable[..., Any], nc_id: str) -> None:
    w = make([GPT2, nc_id])
    before = shown(w)
    w.set_state({"policy": {"allow_license_classes": ["permisive"]}})
    assert "did you mean permissive" in w.error and "did you mean permissive" in w.status
    assert w.policy == hw.Policy()
    pd.testing.assert_frame_equal(shown(w), before)
    w.set_state({"policy": {"require_scans_done": False}})  # a good one clears the error
    assert w.error == "" and w.policy.require_scans_done is False


def test_follows_a_source(make: Callable[..., Any], nc_id: str) -> None:
    p = Picker(picked=[GPT2])
    try:
        w = make(source=p)
        assert w.source is p and w.models == [GPT2]
        p.picked = [GPT2, nc_id]
        assert w.models == [GPT2, nc_id] and list(shown(w)["id"]) == [GPT2, nc_id]
        p.picked = ["org/unknown-model"]  # refused: the status says so
        assert w.models == [GPT2, nc_id] and "org/unknown-model" in w.error
    finally:
        p.close()


def test_saved_state_holds_the_table(make: Callable[..., Any], nc_id: str) -> None:
    w = make([GPT2, nc_id])
    state = w.get_state()
    assert state["_widget"] == "governance"
    table = from_ipc(state["_table"])
    assert tuple(table.columns) == TABLE_COLUMNS
    assert list(table["id"]) == [GPT2, nc_id]
    assert all(isinstance(v, str) for v in table["formats"])
    assert tuple(from_ipc(state["_findings"]).columns) == FINDING_COLUMNS
    trees = state["_trees"]
    assert set(trees) == {GPT2, nc_id}
    assert trees[GPT2][0] == {
        "id": GPT2,
        "relation": "",
        "license": "mit",
        "license_class": "permissive",
        "depth": 0,
        "source": "the catalog",
        "note": "",
    }
    assert state["policy"]["require_scans_done"] is True
    # the page cannot write what the kernel draws
    w.set_state({"_trees": {}})
    assert "only the kernel" in w.error and set(w._trees) == {GPT2, nc_id}


def test_report_html(make: Callable[..., Any], nc_id: str) -> None:
    w = make([GPT2, nc_id])
    bundle = w._repr_mimebundle_()
    assert bundle is not None
    report = bundle[0]["text/html"]
    assert report.startswith('<table class="hubwidgets-governance">')
    assert f'<a href="https://huggingface.co/{GPT2}">{GPT2}</a>' in report
    assert "cc-by-nc" in report and ">Verdict</th>" in report
    w.models = []
    assert "No models" in w._report_html()


def test_the_session_policy_is_the_default(make: Callable[..., Any], tmp_path: Any) -> None:
    strict = {"require_safetensors": True, "allow_license_classes": ["permissive"]}
    with hw.use_policy(strict):
        g = make([GPT2])
        assert g.policy.to_dict()["require_safetensors"] is True
        assert g.policy.to_dict()["allow_license_classes"] == ["permissive"]
        # an explicit policy wins over the session's
        assert make([GPT2], policy={}).policy.to_dict()["require_safetensors"] is False
    # a team's YAML file
    team = tmp_path / "team.yaml"
    team.write_text("require_safetensors: true\n")
    assert make([GPT2], policy=team).policy.to_dict()["require_safetensors"] is True
    assert make([GPT2]).policy == hw.Policy()


def test_a_folder_in_the_report_has_no_hub_link(make: Callable[..., Any], tmp_path: Any) -> None:
    from hubwidgets.testing.malicious import malicious_folder  # noqa: PLC0415

    evil = malicious_folder(tmp_path)
    report = make([GPT2, str(evil.folder)])._report_html()
    assert 'href="https://huggingface.co/openai-community/gpt2"' in report
    assert f"huggingface.co/{evil.folder}" not in report and "huggingface.co//" not in report
    assert str(evil.folder) in report and evil.markers_written() == []
