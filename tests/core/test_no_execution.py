"""Scanning never runs what it scans: a folder with a malicious pickle (its reduce writes a marker
file) and a config whose ``auto_map`` points at code that writes a marker at import. The scan
finds both problems; neither the scan, nor LocalBackend (which the default policy stops before
loading, and which fails safely when allowed to load it), nor compare writes a marker."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest

import hubwidgets as hw
from hubwidgets.core.governance.scan import local_scan
from hubwidgets.testing.malicious import malicious_folder


@pytest.fixture
def evil(tmp_path: Path) -> dict[str, Path]:
    """The malicious folder and its two marker paths (weights, code)."""
    made = malicious_folder(tmp_path)
    return {"folder": made.folder, "weights": made.pickle_marker, "code": made.code_marker}


def no_markers(evil: dict[str, Path]) -> None:
    assert not evil["weights"].exists(), "the malicious pickle was unpickled"
    assert not evil["code"].exists(), "the repository's code was imported"


def test_local_scan_finds_both_and_runs_neither(evil: dict[str, Path]) -> None:
    summary, findings = local_scan("evil-model", evil["folder"])
    no_markers(evil)
    assert summary["scan_status"] == "unsafe"
    assert summary["custom_code"] == ["modeling_evil.py"]
    rows = {(r["file"], r["scanner"]): r for r in findings.to_dict("records")}
    assert rows[("pytorch_model.bin", "picklescan")]["severity"] == "unsafe"
    assert "builtins.exec" in rows[("pytorch_model.bin", "picklescan")]["detail"]
    assert "auto_map" in rows[("modeling_evil.py", "custom_code")]["detail"]


def test_local_backend_refuses_it_by_policy_before_loading(evil: dict[str, Path]) -> None:
    """The default policy denies it (an unsafe pickle, custom code): nothing is loaded, and the
    error says why and how to override."""
    backend = hw.LocalBackend(device="cpu")  # no torch or transformers needed: nothing loads
    with pytest.raises(hw.PolicyError) as info:
        backend.run("text-classification", str(evil["folder"]), ["hi"])
    no_markers(evil)
    error = info.value
    assert isinstance(error, PermissionError) and isinstance(error, hw.BackendError)
    assert (error.reason, error.verdict, error.model) == ("policy", "deny", str(evil["folder"]))
    message = str(error)
    assert "scan verdict unsafe" in message and "needs custom code: modeling_evil.py" in message
    assert "allow_denied=True" in message and str(evil["folder"]) in message
    assert backend.loaded() == []
    assert backend.verdicts[str(evil["folder"])][0] == "deny"


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_local_backend_allowed_to_load_it_still_runs_neither(evil: dict[str, Path]) -> None:
    pytest.importorskip(
        "torch", reason="LocalBackend needs torch (pip install hubwidgets[inference])"
    )
    pytest.importorskip("transformers", reason="LocalBackend needs transformers")
    backend = hw.LocalBackend(device="cpu", allow_denied=True)  # trust_remote_code stays off
    with pytest.raises(hw.BackendError) as info:
        backend.run("text-classification", str(evil["folder"]), ["hi"])
    no_markers(evil)
    assert not isinstance(info.value, hw.PolicyError)
    # transformers loads .bin weights with torch.load(weights_only=True), which refuses exec
    message = str(info.value)
    assert "UnpicklingError" in message or "weights_only" in message or "remote code" in message


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_torch_load_weights_only_refuses_the_pickle(evil: dict[str, Path]) -> None:
    """What transformers relies on for .bin weights: torch.load(weights_only=True) refuses."""
    torch = pytest.importorskip("torch")
    with pytest.raises(pickle.UnpicklingError):
        torch.load(evil["folder"] / "pytorch_model.bin", weights_only=True)
    no_markers(evil)


def test_compare_reads_the_folder_without_running_it(evil: dict[str, Path], tmp_path: Path) -> None:
    other = tmp_path / "other-model"
    other.mkdir()
    (other / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_size": 8}))
    result = hw.compare([str(evil["folder"]), str(other)])  # reads file sizes and config.json
    no_markers(evil)
    assert len(result) == 2


def test_local_scan_never_calls_an_unpickler(
    evil: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan disassembles pickles; any loader being called is a failure in itself."""
    torch = pytest.importorskip("torch")
    torch.save({"w": torch.zeros(2)}, evil["folder"] / "extra.pt")  # a clean zip checkpoint too

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("local_scan called a pickle loader")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, forbidden)
    monkeypatch.setattr(torch, "load", forbidden)
    summary, findings = local_scan("evil-model", evil["folder"])
    assert summary["scan_status"] == "unsafe"
    assert summary["files_scanned"] == 2
    assert "extra.pt" not in set(findings["file"])
    no_markers(evil)
