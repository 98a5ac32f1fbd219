"""modelscan, the optional second scanner of pickles (``pip install hubwidgets[scan]``): its
issues join picklescan's as findings of scanner "modelscan"; without it a local scan says so.
Every file here is written by the test; nothing is unpickled (markers would show it)."""

from __future__ import annotations

import collections
import pickle
import sys
from pathlib import Path

import pytest

import hubwidgets as hw
from hubwidgets.core.governance.scan import MODELSCAN_MISSING, local_scan
from hubwidgets.testing.malicious import MarkerPayload


@pytest.fixture
def modelscan() -> None:
    pytest.importorskip(
        "modelscan", reason="modelscan is an optional extra (pip install hubwidgets[scan])"
    )


def test_modelscan_flags_an_exec_pickle(tmp_path: Path, modelscan: None) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    marker = tmp_path / "MARKER"
    payload = collections.OrderedDict(w=MarkerPayload(marker))
    (folder / "weights.pkl").write_bytes(pickle.dumps(payload, protocol=4))
    summary, findings = local_scan("m", folder)
    assert not marker.exists()
    assert summary["scan_status"] == "unsafe"
    assert summary["scanners"] == ["modelscan", "picklescan"] and summary["scan_note"] == ""
    ours = findings[findings["scanner"] == "modelscan"].to_dict("records")
    assert [(r["file"], r["severity"]) for r in ours] == [("weights.pkl", "unsafe")]
    assert "'exec' from module 'builtins'" in ours[0]["detail"]
    assert "CRITICAL" in ours[0]["detail"]


def test_modelscan_looks_inside_a_torch_checkpoint(tmp_path: Path, modelscan: None) -> None:
    torch = pytest.importorskip("torch", reason="writing a torch checkpoint needs torch")
    folder = tmp_path / "m"
    folder.mkdir()
    marker = tmp_path / "MARKER"
    torch.save({"w": MarkerPayload(marker)}, folder / "model.pt")
    torch.save({"w": torch.zeros(2)}, folder / "clean.pt")
    summary, findings = local_scan("m", folder)
    assert not marker.exists()
    ours = findings[findings["scanner"] == "modelscan"].to_dict("records")
    assert [(r["file"], r["severity"]) for r in ours] == [("model.pt", "unsafe")]
    assert "(in model/data.pkl)" in ours[0]["detail"]
    assert summary["files_with_issues"] == ["model.pt"]


def test_a_clean_pickle_adds_no_modelscan_finding(tmp_path: Path, modelscan: None) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps({"w": [0.0, 1.0]}))
    summary, findings = local_scan("m", folder)
    assert summary["scan_status"] == "safe" and findings.empty
    assert "modelscan" in summary["scanners"]


def test_without_modelscan_the_summary_says_how_to_add_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "modelscan", None)  # as if not installed
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps({"w": [0.0, 1.0]}))
    summary, findings = local_scan("m", folder)
    assert (
        summary["scan_note"]
        == MODELSCAN_MISSING
        == ("modelscan not installed (pip install hubwidgets[scan])")
    )
    assert summary["scanners"] == ["picklescan"] and summary["scan_status"] == "safe"
    assert findings.empty  # a note, not a finding: the pickle itself was scanned
    (folder / "pytorch_model.bin").unlink()
    (folder / "model.gguf").write_bytes(b"GGUF" + b"\0" * 16)
    summary, _ = local_scan("m", folder)  # no pickles: nothing for modelscan to add
    assert (summary["scanners"], summary["scan_note"]) == (["gguf"], "")


def test_without_modelscan_check_says_so_in_scan_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "modelscan", None)  # as if not installed
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps({"w": [0.0, 1.0]}))
    row = hw.check(folder, scan="local").iloc[0]
    assert row["scan_source"] == (
        f"local scan of the folder {folder} "
        "(modelscan not installed (pip install hubwidgets[scan]))"
    )
