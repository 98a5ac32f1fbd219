"""The trapped folder is a real trap: loading it does write the markers, so a scan that leaves
them absent has really not run it (the governance tour and the no-execution tests rely on it)."""

from __future__ import annotations

import importlib.util
import json
import pickle
from pathlib import Path

import pytest

import hubwidgets as hw
from hubwidgets.testing.malicious import malicious_folder


def test_the_folder_looks_like_a_saved_model_and_writing_it_runs_nothing(tmp_path: Path) -> None:
    evil = malicious_folder(tmp_path / "root")
    assert sorted(p.name for p in evil.folder.iterdir()) == [
        "config.json",
        "modeling_evil.py",
        "pytorch_model.bin",
    ]
    config = json.loads((evil.folder / "config.json").read_text("utf-8"))
    assert config["auto_map"]["AutoConfig"] == "modeling_evil.EvilConfig"
    assert evil.markers_written() == []
    # the markers sit beside the folder, where a scan of the folder does not look
    assert evil.pickle_marker.parent == evil.folder.parent == evil.code_marker.parent


def test_unpickling_the_weights_writes_the_pickle_marker(tmp_path: Path) -> None:
    evil = malicious_folder(tmp_path)
    pickle.loads((evil.folder / "pytorch_model.bin").read_bytes())  # what a scan must never do
    assert evil.markers_written() == [evil.pickle_marker.name]


def test_importing_the_repo_code_writes_the_code_marker(tmp_path: Path) -> None:
    evil = malicious_folder(tmp_path)
    spec = importlib.util.spec_from_file_location("modeling_evil", evil.folder / "modeling_evil.py")
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    assert evil.markers_written() == [evil.code_marker.name]


def test_check_denies_it_and_runs_nothing(tmp_path: Path) -> None:
    evil = malicious_folder(tmp_path)
    row = hw.check(evil.folder).iloc[0]
    assert row["verdict"] == "deny"
    assert row["scan_status"] == "unsafe" and row["custom_code"] == ["modeling_evil.py"]
    assert evil.markers_written() == []


def test_an_existing_folder_is_not_overwritten(tmp_path: Path) -> None:
    malicious_folder(tmp_path, name="twice")
    with pytest.raises(FileExistsError):
        malicious_folder(tmp_path, name="twice")
