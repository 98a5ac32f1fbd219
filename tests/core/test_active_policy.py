"""One policy per session: hw.use_policy / hw.active_policy / $HUBWIDGETS_POLICY, followed by
every ``policy=None``, and LocalBackend (so the Playground and hw.benchmark) refusing a denied
model before loading anything of it. The folders here are real files on disk; the denied ones
need no torch (nothing of them is ever loaded)."""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest

import hubwidgets as hw
from hubwidgets.core.governance import POLICY_ENV, as_policy
from hubwidgets.core.inference.backends import local as local_module
from hubwidgets.core.inference.playground import PlaygroundSession

STRICT = {"require_safetensors": True, "allow_license_classes": ["permissive"]}


@pytest.fixture(autouse=True)
def _no_session_policy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts (and ends) with no session policy and no $HUBWIDGETS_POLICY."""
    monkeypatch.delenv(POLICY_ENV, raising=False)
    hw.use_policy(None)
    yield
    monkeypatch.delenv(POLICY_ENV, raising=False)
    hw.use_policy(None)


def custom_code_folder(root: Path) -> Path:
    """A model folder whose config maps to its own code (the default policy denies it)."""
    folder = root / "needs-code"
    folder.mkdir()
    auto_map = {"AutoModelForSequenceClassification": "modeling_x.XModel"}
    (folder / "config.json").write_text(json.dumps({"model_type": "x", "auto_map": auto_map}))
    (folder / "modeling_x.py").write_text("raise SystemExit('imported')\n")
    return folder


def pickle_folder(root: Path) -> Path:
    """A clean pickle-only folder: the default policy lets it load, require_safetensors not."""
    folder = root / "pickle-only"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "bert"}))
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps({"w": [1.0, 2.0]}, protocol=2))
    return folder


# -- the session's policy -----------------------------------------------------------------------
def test_set_for_the_session_then_reset() -> None:
    assert hw.active_policy() == hw.Policy()
    scope = hw.use_policy(STRICT)
    assert scope.policy == hw.Policy(STRICT) == hw.active_policy() == as_policy(None)
    assert hw.check(["openai-community/gpt2"]).attrs["policy"] == hw.Policy(STRICT)
    hw.use_policy(None)
    assert hw.active_policy() == hw.Policy()


def test_a_with_block_puts_the_previous_policy_back() -> None:
    hw.use_policy({"require_safetensors": True})
    outer = hw.active_policy()
    with hw.use_policy({"allow_custom_code": True}) as inner:
        assert hw.active_policy() == inner == hw.Policy(allow_custom_code=True)
        with pytest.raises(RuntimeError), hw.use_policy(STRICT):
            raise RuntimeError("inside")
        assert hw.active_policy() == inner
    assert hw.active_policy() == outer


def test_a_yaml_file_and_a_bad_value_leave_the_policy_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text("require_safetensors: true\nallow_gated: false\n")
    hw.use_policy(path)
    assert hw.active_policy() == hw.Policy(require_safetensors=True, allow_gated=False)
    with pytest.raises(ValueError, match="did you mean require_safetensors"):
        hw.use_policy({"require_safetensor": True})
    with pytest.raises(TypeError, match="policy must be"):
        hw.use_policy(42)  # type: ignore[arg-type]
    assert hw.active_policy() == hw.Policy(require_safetensors=True, allow_gated=False)


def test_the_environment_names_the_team_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "team.yaml"
    path.write_text("require_commercial_use: true\n")
    monkeypatch.setenv(POLICY_ENV, str(path))
    assert hw.active_policy() == hw.Policy(require_commercial_use=True)
    path.write_text("require_commercial_use: true\nallow_gated: false\n")  # read again
    assert hw.active_policy() == hw.Policy(require_commercial_use=True, allow_gated=False)
    with hw.use_policy({}):  # the session's policy wins over the file
        assert hw.active_policy() == hw.Policy()
    assert hw.active_policy().allow_gated is False


def test_a_bad_environment_file_says_file_line_and_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("require_safetensors: true\nallow_licenses: [mit\n")
    monkeypatch.setenv(POLICY_ENV, str(path))
    with pytest.raises(ValueError, match=r"broken\.yaml.*not valid YAML: line \d+"):
        hw.active_policy()
    with pytest.raises(ValueError, match=r"broken\.yaml"):
        hw.check(["openai-community/gpt2"])
    monkeypatch.setenv(POLICY_ENV, str(tmp_path / "missing.yaml"))
    with pytest.raises(ValueError, match=r"HUBWIDGETS_POLICY.*missing\.yaml.*does not exist"):
        hw.active_policy()


# -- LocalBackend -------------------------------------------------------------------------------
def test_a_denied_folder_is_refused_before_loading(tmp_path: Path) -> None:
    folder = custom_code_folder(tmp_path)
    backend = hw.LocalBackend(device="cpu")
    with pytest.raises(hw.PolicyError) as info:
        backend.run("text-classification", str(folder), "hi")
    error = info.value
    assert isinstance(error, PermissionError) and error.reason == "policy"
    assert "needs custom code: modeling_x.py" in error.reasons
    assert "is denied by the default policy" in str(error)
    assert "allow_denied=True" in str(error) and backend.loaded() == []
    assert backend.verdicts[str(folder)] == ("deny", error.reasons)


def test_the_session_policy_and_the_backends_own(tmp_path: Path) -> None:
    folder = str(pickle_folder(tmp_path))
    with hw.use_policy(STRICT):
        with pytest.raises(hw.PolicyError, match="denied by the session's policy") as info:
            hw.LocalBackend(device="cpu").run("text-classification", folder, "hi")
        assert "pickle weights only" in str(info.value)
    own = hw.LocalBackend(device="cpu", policy={"require_safetensors": True})
    assert own.policy == hw.Policy(require_safetensors=True)
    with pytest.raises(hw.PolicyError, match="denied by the backend's policy"):
        own.run("text-classification", folder, "hi")


def test_review_loads_and_is_recorded(tmp_path: Path) -> None:
    """Under the default policy the pickle folder is "review" (no license): the backend goes
    on to load it (and transformers fails on this fake model, as a load error, not a policy
    one)."""
    pytest.importorskip("transformers", reason="loading needs transformers")
    folder = str(pickle_folder(tmp_path))
    backend = hw.LocalBackend(device="cpu")
    with pytest.raises(hw.BackendError) as info:
        backend.run("text-classification", folder, "hi")
    assert not isinstance(info.value, hw.PolicyError) and info.value.reason == "load"
    verdict, reasons = backend.verdicts[folder]
    assert verdict == "review" and any("license" in r for r in reasons)


def test_allow_denied_lets_it_through_and_still_records_the_verdict(tmp_path: Path) -> None:
    pytest.importorskip("transformers", reason="loading needs transformers")
    folder = str(custom_code_folder(tmp_path))
    backend = hw.LocalBackend(device="cpu", allow_denied=True)
    with pytest.raises(hw.BackendError) as info:  # transformers refuses: no trust_remote_code
        backend.run("text-classification", folder, "hi")
    assert info.value.reason == "load"
    assert backend.verdicts[folder][0] == "deny"
    with pytest.raises(TypeError, match="allow_denied must be True or False"):
        hw.LocalBackend(allow_denied="yes")  # type: ignore[arg-type]


def test_the_verdict_is_cached_until_the_folder_changes(tmp_path: Path) -> None:
    folder = custom_code_folder(tmp_path)
    rules = hw.Policy()
    first = local_module.policy_verdict(folder, rules)
    entries = len(local_module._verdict_cache)
    assert local_module.policy_verdict(folder, rules) == first
    assert len(local_module._verdict_cache) == entries  # the same entry: no second check
    (folder / "modeling_x.py").unlink()
    (folder / "config.json").write_text(json.dumps({"model_type": "x"}))
    verdict, reasons = local_module.policy_verdict(folder, rules)
    assert verdict != "deny" and not any("custom code" in r for r in reasons)


def test_a_loaded_model_is_checked_again_under_a_new_policy(
    tmp_path: Path, tiny_models: dict[str, str]
) -> None:
    model = tiny_models["text-classification"]
    backend = hw.LocalBackend(device="cpu")
    assert backend.run("text-classification", model, "hi").outputs
    assert backend.verdicts[model][0] == "review"  # no license in the folder
    with hw.use_policy({"allow_license_classes": ["permissive"], "allow_licenses": []}):
        # an unknown license stays review under any policy: still admitted, without reloading
        assert backend.run("text-classification", model, "hi").load_ms is None
    with hw.use_policy({"deny_licenses": ["mit"], "require_card_fields": ["license"]}):
        assert backend.run("text-classification", model, "hi").outputs
    assert backend.verdicts[model] == (
        "review",
        ["license not given: its terms are unknown", "card lacks license"],
    )


# -- the Playground and hw.benchmark ------------------------------------------------------------
def test_a_playground_cell_says_why_a_model_was_refused(tmp_path: Path) -> None:
    folder = str(custom_code_folder(tmp_path))
    session = PlaygroundSession(
        "text-classification", [folder], backend=hw.LocalBackend(device="cpu")
    )
    rows = session.run("hi")
    assert "needs custom code: modeling_x.py" in rows["error"].iloc[0]
    assert "allow_denied=True" in rows["error"].iloc[0]
    assert PlaygroundSession("text-classification", [folder], allow_denied=True).backend
    with pytest.raises(ValueError, match="set it there instead"):
        PlaygroundSession(
            "text-classification", [folder], backend=hw.LocalBackend(), allow_denied=True
        )


def test_benchmark_reports_a_denied_model_as_its_error_row(tmp_path: Path) -> None:
    folder = str(custom_code_folder(tmp_path))
    result = hw.benchmark(
        [folder],
        "text-classification",
        ["hi"],
        backend=hw.LocalBackend(device="cpu"),
        warmup=0,
        min_iterations=1,
        min_duration_s=0,
        progress=False,
    )
    row = result.summary.iloc[0]
    assert row["status"] == "error" and "is denied by the default policy" in row["error"]
    with pytest.raises(ValueError, match="set it there instead"):
        hw.benchmark(
            [folder], "text-classification", ["hi"], backend=hw.LocalBackend(), allow_denied=True
        )


def test_a_repo_not_in_the_cache_is_fetched_then_checked_before_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Online, a repo id the cache lacks is downloaded into the cache first (config, code,
    weights in one format: only the files a load needs), so the check sees what would load.
    The test Hub serves an invented repo whose config maps to its own code."""
    from hubwidgets.testing.hub_server import HubServer  # noqa: PLC0415

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    import huggingface_hub.constants  # noqa: PLC0415

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    auto_map = {"AutoModelForSequenceClassification": "modeling_x.XModel"}
    files = {
        "config.json": json.dumps({"model_type": "x", "auto_map": auto_map}),
        "modeling_x.py": "raise SystemExit('imported')\n",
    }
    record = {
        "id": "acme/needs-code",
        "sha": "0123456789abcdef0123456789abcdef01234567",
        "siblings": [{"rfilename": n} for n in [*files, "README.md", "flax_model.msgpack"]],
        "_files": files,
    }
    with HubServer([record]) as server:
        backend = hw.LocalBackend(device="cpu", cache_dir=tmp_path, endpoint=server.endpoint)
        with pytest.raises(hw.PolicyError, match=r"needs custom code: modeling_x\.py"):
            backend.run("text-classification", "acme/needs-code", "hi")
        fetched = [r["path"].rsplit("/", 1)[-1] for r in server.requests if r["method"] == "GET"]
    assert sorted(set(fetched) & {"config.json", "modeling_x.py", "flax_model.msgpack"}) == [
        "config.json",
        "modeling_x.py",
    ]
    folder = backend.model_folder("acme/needs-code")
    assert folder is not None and (folder / "modeling_x.py").is_file()
    assert backend.verdicts["acme/needs-code"][0] == "deny"
