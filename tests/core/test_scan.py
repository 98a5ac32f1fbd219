"""Security scanning (hubwidgets.core.governance.scan): weight formats, custom code, the Hub's
verdicts and local scans of files the tests make. No test ever unpickles a file it built: the
malicious pickle's payload would only write a marker file, and the tests check it never does."""

from __future__ import annotations

import collections
import gzip
import json
import pickle
import struct
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hubwidgets.core.governance.scan import (
    FINDING_COLUMNS,
    SCAN_STATUSES,
    SEVERITIES,
    custom_code,
    hub_scan,
    local_scan,
    scan_findings_frame,
    weight_formats,
    worst_status,
)
from hubwidgets.testing.malicious import MarkerPayload

# -- files the tests make ----------------------------------------------------------------------


def malicious_pickle(marker: Path) -> bytes:
    return pickle.dumps(collections.OrderedDict(weight=MarkerPayload(marker)), protocol=4)


def clean_pickle() -> bytes:
    return pickle.dumps(collections.OrderedDict(weight=b"\0" * 64, bias=[0.0, 1.0]))


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def save_safetensors(path: Path) -> Path:
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file  # noqa: PLC0415

    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({"w": torch.zeros(16, 4), "b": torch.ones(4)}, str(path))
    return path


def save_torch_zip(path: Path) -> Path:
    torch = pytest.importorskip("torch")
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(collections.OrderedDict(w=torch.zeros(8, 8), b=torch.ones(8)), path)
    return path


def frame_ok(findings: pd.DataFrame) -> None:
    assert tuple(findings.columns) == FINDING_COLUMNS
    assert set(findings["severity"]) <= set(SEVERITIES)


# -- weight_formats ----------------------------------------------------------------------------


def test_weight_formats_safetensors_and_pickles() -> None:
    got = weight_formats(
        ["config.json", "model.safetensors", "pytorch_model.bin", "tf_model.h5", "README.md"]
    )
    assert got == {
        "formats": ["h5", "pickle", "safetensors"],
        "pickle_files": ["pytorch_model.bin"],
        "pickle_only": False,
        "safetensors": True,
    }


@pytest.mark.parametrize("ext", [".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle"])
def test_weight_formats_pickle_only(ext: str) -> None:
    got = weight_formats(["config.json", f"sub/weights{ext}", "training_args.bin"])
    assert got["formats"] == ["pickle"]
    assert got["pickle_files"] == sorted([f"sub/weights{ext}", "training_args.bin"])
    assert got["pickle_only"] is True
    assert got["safetensors"] is False


def test_weight_formats_other_formats_and_bin_exceptions() -> None:
    files = [
        "model.gguf",
        "onnx/model.onnx",
        "onnx/model.onnx_data",
        "openvino/openvino_model.xml",
        "openvino/openvino_model.bin",
        "ggml-model-q4_0.bin",
        "flax_model.msgpack",
        "model.keras",
    ]
    got = weight_formats(files)
    assert got["formats"] == ["flax", "ggml", "gguf", "keras", "onnx", "openvino"]
    assert got["pickle_files"] == []
    assert got["pickle_only"] is False
    # a pickle beside another format is not "pickle only"
    assert weight_formats(["model.gguf", "extra.pt"])["pickle_only"] is False


def test_weight_formats_accepts_siblings() -> None:
    files: list[Any] = [
        "RepoSibling(rfilename='model.safetensors', size=None, blob_id=None, lfs=None)",
        {"rfilename": "pytorch_model.bin"},
        {"path": "x/y.ckpt"},
    ]
    got = weight_formats(files)
    assert got["pickle_files"] == ["pytorch_model.bin", "x/y.ckpt"]
    assert got["safetensors"] is True


def test_weight_formats_empty_and_bad_input() -> None:
    assert weight_formats([]) == {
        "formats": [],
        "pickle_files": [],
        "pickle_only": False,
        "safetensors": False,
    }
    with pytest.raises(TypeError, match="list of repo paths"):
        weight_formats("model.safetensors")


# -- custom_code -------------------------------------------------------------------------------


def test_custom_code_from_auto_map_and_py_files() -> None:
    config = {
        "auto_map": {
            "AutoConfig": "configuration_evil.EvilConfig",
            "AutoModel": "modeling_evil.EvilModel",
            "AutoTokenizer": ["tokenization_evil.EvilTokenizer", None],
            "AutoModelForCausalLM": "other/repo--modeling_x.XForCausalLM",
            "AutoProcessor": "sub.processing_evil.EvilProcessor",
        },
        "custom_pipelines": {"my-task": {"impl": "pipeline_evil.EvilPipeline"}},
    }
    got = custom_code(config, ["config.json", "handler.py", "modeling_evil.py"])
    assert got == [
        "configuration_evil.py",
        "handler.py",
        "modeling_evil.py",
        "other/repo--modeling_x.py",
        "pipeline_evil.py",
        "sub/processing_evil.py",
        "tokenization_evil.py",
    ]


def test_custom_code_none() -> None:
    assert custom_code(None, ["config.json", "model.safetensors"]) == []
    assert custom_code({"model_type": "bert"}, []) == []
    assert custom_code(None, ["tools/convert.py"]) == ["tools/convert.py"]
    with pytest.raises(TypeError, match="mapping"):
        custom_code(["auto_map"], [])  # type: ignore[arg-type]


# -- hub_scan ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shapes(shared_data: Path) -> dict[str, Any]:
    path = shared_data / "security" / "hub-scan-shapes.json"
    if not path.is_file():
        pytest.skip(f"{path} not found: the Hub's scan shapes are not recorded on this machine")
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def test_hub_scan_real_safe_record(shapes: dict[str, Any]) -> None:
    record = shapes["per_file_safe_example"]
    summary, findings = hub_scan(
        "openai-community/gpt2",
        {"scansDone": True, "filesWithIssues": []},
        {"pytorch_model.bin": record},
    )
    assert summary == {"scan_status": "safe", "scans_done": True, "files_with_issues": []}
    frame_ok(findings)
    assert findings.empty
    assert set(shapes["per_file_scanners"]) <= set(record)


def test_hub_scan_repo_shape(shapes: dict[str, Any]) -> None:
    summary, findings = hub_scan("m", shapes["repo_level_shape"])
    assert summary["scan_status"] == "unsafe"
    assert summary["files_with_issues"] == ["pytorch_model.bin"]
    assert findings.to_dict("records") == [
        {
            "model": "m",
            "file": "pytorch_model.bin",
            "scanner": "hub",
            "severity": "unsafe",
            "detail": "the Hub flags this file as unsafe",
        }
    ]


def test_hub_scan_every_repo_level(shapes: dict[str, Any]) -> None:
    assert set(shapes["repo_level_levels"]) == set(SCAN_STATUSES)
    for level in shapes["repo_level_levels"]:
        status = {"scansDone": True, "filesWithIssues": [{"path": "a.bin", "level": level}]}
        summary, findings = hub_scan("m", status)
        assert summary["scan_status"] == level
        assert summary["files_with_issues"] == ([] if level == "safe" else ["a.bin"])
        frame_ok(findings)
        assert len(findings) == (0 if level == "safe" else 1)
        if level in ("unscanned", "queued"):
            assert findings["severity"].tolist() == ["info"]


@pytest.mark.parametrize(
    ("repo_status", "expected"),
    [
        (None, "unscanned"),
        ({}, "unscanned"),
        ({"scansDone": False, "filesWithIssues": []}, "queued"),
        ({"scansDone": None}, "unscanned"),
        ({"scans_done": True, "files_with_issues": []}, "safe"),
        (
            {"scansDone": False, "filesWithIssues": [{"path": "x.pt", "level": "caution"}]},
            "caution",
        ),
        ({"scansDone": True, "filesWithIssues": [{"path": "x.pt", "level": "nonsense"}]}, "error"),
        ({"scansDone": True, "filesWithIssues": ["x.pt"]}, "error"),
    ],
)
def test_hub_scan_missing_is_never_safe(repo_status: Any, expected: str) -> None:
    summary, _ = hub_scan("m", repo_status)
    assert summary["scan_status"] == expected


def test_hub_scan_per_file_dangerous_imports(shapes: dict[str, Any]) -> None:
    record = json.loads(json.dumps(shapes["per_file_safe_example"]))
    record["status"] = "unsafe"
    record["pickleImportScan"]["status"] = "unsafe"
    record["pickleImportScan"]["pickleImports"].append(
        {"module": "builtins", "name": "exec", "safety": "dangerous"}
    )
    record["pickleImportScan"]["pickleImports"].append(
        {"module": "mylib", "name": "Thing", "safety": "suspicious"}
    )
    record["avScan"] = {"status": "unsafe", "message": "Pickle.Malware.SysAccess found"}
    record["jFrogScan"] = {"status": "queued"}
    summary, findings = hub_scan(
        "m",
        {"scansDone": True, "filesWithIssues": [{"path": "evil.bin", "level": "unsafe"}]},
        {"evil.bin": record, "model.safetensors": {"status": "safe"}},
    )
    assert summary["scan_status"] == "unsafe"
    assert summary["files_with_issues"] == ["evil.bin"]
    frame_ok(findings)
    by_scanner = findings.set_index("scanner")
    assert set(by_scanner.index) == {"pickleImportScan", "avScan", "jFrogScan"}
    assert "builtins.exec" in str(by_scanner.loc["pickleImportScan", "detail"])
    assert "mylib.Thing" in str(by_scanner.loc["pickleImportScan", "detail"])
    assert by_scanner.loc["pickleImportScan", "severity"] == "unsafe"
    assert by_scanner.loc["avScan", "detail"] == "Pickle.Malware.SysAccess found"
    assert by_scanner.loc["jFrogScan", "severity"] == "info"


def test_hub_scan_per_file_levels_and_shapes() -> None:
    files: dict[str, Any] = {
        "a.bin": {"status": "queued"},  # overall only
        "b.bin": None,  # no record
        "c.bin": {"safe": True, "avScan": {"virusFound": False, "virusNames": []}},  # older shape
        "d.bin": {
            "safe": False,
            "avScan": {"virusFound": True, "virusNames": ["Eicar"]},
            "pickleImportScan": {"highestSafetyLevel": "dangerous", "imports": []},
        },
        # huggingface_hub's BlobSecurityInfo keys
        "e.bin": {"safe": True, "status": "safe", "av_scan": {"status": "safe"}},
        "f.bin": {"status": "safe", "protectAiScan": {"status": "error", "message": "timeout"}},
        "g.bin": {"status": "safe", "virusTotalScan": {"status": "caution"}},
    }
    summary, findings = hub_scan("m", None, files)
    frame_ok(findings)
    assert summary["scans_done"] is None
    assert summary["scan_status"] == "unsafe"
    assert summary["files_with_issues"] == ["a.bin", "b.bin", "d.bin", "f.bin", "g.bin"]
    rows = {(r["file"], r["scanner"]): r for r in findings.to_dict("records")}
    assert rows[("a.bin", "hub")]["severity"] == "info"
    assert rows[("b.bin", "hub")]["severity"] == "info"
    assert "Eicar" in rows[("d.bin", "avScan")]["detail"]
    assert rows[("d.bin", "pickleImportScan")]["severity"] == "unsafe"
    assert rows[("f.bin", "protectAiScan")]["severity"] == "error"
    assert rows[("g.bin", "virusTotalScan")]["severity"] == "caution"
    assert not any(f in ("c.bin", "e.bin") for f, _ in rows)
    # a file queued alone is not safe
    assert hub_scan("m", None, {"a.bin": {"status": "queued"}})[0]["scan_status"] == "queued"


def test_hub_scan_bad_input() -> None:
    with pytest.raises(TypeError, match="model id"):
        hub_scan("", None)
    with pytest.raises(TypeError, match="mapping"):
        hub_scan("m", ["scansDone"])  # type: ignore[arg-type]


def test_hub_scan_modern_records(shared_data: Path) -> None:
    path = shared_data / "hub-model-info-2025.jsonl.gz"
    if not path.is_file():
        pytest.skip(f"{path} not found: modern Hub records are not recorded on this machine")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    pickles = 0
    for rec in records:
        meta = rec["metadata"]
        summary, findings = hub_scan(rec["model_id"], meta.get("security_repo_status"))
        frame_ok(findings)
        assert summary["scan_status"] in SCAN_STATUSES
        if meta.get("security_repo_status") is None:
            assert summary["scan_status"] == "unscanned"
        formats = weight_formats(meta.get("siblings") or [])
        pickles += bool(formats["pickle_files"])
        config = meta.get("config") if isinstance(meta.get("config"), dict) else None
        assert isinstance(custom_code(config, meta.get("siblings") or []), list)
    assert pickles > 0  # e.g. ControlNet's .pth files
    control = next(r for r in records if r["model_id"] == "lllyasviel/ControlNet-v1-1")
    got = weight_formats(control["metadata"]["siblings"])
    assert got["pickle_only"] is True
    assert "control_v11p_sd15_canny.pth" in got["pickle_files"]


# -- local_scan --------------------------------------------------------------------------------


def test_local_scan_clean_pickle(tmp_path: Path) -> None:
    write(tmp_path / "m" / "pytorch_model.bin", clean_pickle())
    summary, findings = local_scan("m", tmp_path / "m")
    frame_ok(findings)
    assert findings.empty
    assert summary["scan_status"] == "safe"
    assert summary["scans_done"] is True
    assert summary["files_scanned"] == 1
    assert summary["bytes_scanned"] == (tmp_path / "m" / "pytorch_model.bin").stat().st_size
    assert summary["seconds"] >= 0
    assert summary["custom_code"] == []


def test_local_scan_torch_checkpoints(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    save_torch_zip(tmp_path / "zip" / "pytorch_model.bin")
    legacy = tmp_path / "legacy" / "model.pt"
    legacy.parent.mkdir()
    torch.save({"w": torch.zeros(3)}, legacy, _use_new_zipfile_serialization=False)
    for name in ("zip", "legacy"):
        summary, findings = local_scan(name, tmp_path / name)
        assert summary["scan_status"] == "safe", findings
        assert summary["files_scanned"] == 1


def test_local_scan_malicious_pickle(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    write(tmp_path / "m" / "pytorch_model.bin", malicious_pickle(marker))
    summary, findings = local_scan("m", tmp_path / "m")
    frame_ok(findings)
    assert summary["scan_status"] == "unsafe"
    assert summary["files_with_issues"] == ["pytorch_model.bin"]
    row = findings.iloc[0]
    assert (row["scanner"], row["severity"]) == ("picklescan", "unsafe")
    assert "builtins.exec" in row["detail"]
    assert not marker.exists()


def test_local_scan_malicious_pickle_inside_torch_zip(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    marker = tmp_path / "MARKER"
    path = tmp_path / "m" / "model.pt"
    path.parent.mkdir()
    torch.save({"w": torch.zeros(2), "x": MarkerPayload(marker)}, path)
    summary, findings = local_scan("m", path)  # one file
    assert summary["scan_status"] == "unsafe"
    assert "builtin__.exec" in findings["detail"].iloc[0]  # protocol 2 spells builtins so
    assert not marker.exists()


def test_local_scan_suspicious_import(tmp_path: Path) -> None:
    data = pickle.dumps(collections.Counter(a=1))  # collections.Counter: unknown to picklescan
    write(tmp_path / "m" / "state.pkl", data)
    summary, findings = local_scan("m", tmp_path / "m")
    assert summary["scan_status"] == "suspicious"
    assert findings["severity"].tolist() == ["suspicious"]
    assert "collections.Counter" in findings["detail"].iloc[0]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("plain", pickle.dumps({"a": list(range(100))})[:50]),
        ("globals", clean_pickle()[:40]),
        ("empty", b""),
        ("garbage", b"\xff\xfe not a pickle at all"),
    ],
)
def test_local_scan_broken_pickles_are_errors(tmp_path: Path, name: str, data: bytes) -> None:
    write(tmp_path / name / "pytorch_model.bin", data)
    summary, findings = local_scan(name, tmp_path / name)
    frame_ok(findings)
    assert summary["scan_status"] == "error"
    assert summary["scans_done"] is False
    assert summary["files_scanned"] == 0
    assert summary["bytes_scanned"] == 0
    assert "error" in set(findings["severity"])


def test_local_scan_truncated_torch_zip(tmp_path: Path) -> None:
    full = save_torch_zip(tmp_path / "full.bin").read_bytes()
    write(tmp_path / "m" / "pytorch_model.bin", full[: len(full) // 2])
    summary, findings = local_scan("m", tmp_path / "m")
    assert summary["scan_status"] == "error"
    assert findings["severity"].tolist() == ["error"]


def test_local_scan_safetensors(tmp_path: Path) -> None:
    path = save_safetensors(tmp_path / "m" / "model.safetensors")
    summary, findings = local_scan("m", tmp_path / "m")
    assert findings.empty
    assert summary["scan_status"] == "safe"
    assert summary["bytes_scanned"] == path.stat().st_size


def _header(obj: Any) -> bytes:
    raw = json.dumps(obj).encode()
    return struct.pack("<Q", len(raw)) + raw


@pytest.mark.parametrize(
    ("case", "match"),
    [
        ("truncated_data", "truncated: the header needs"),
        ("truncated_header", "truncated: the header declares"),
        ("short", "shorter than the 8-byte"),
        ("huge_length", "allows 100 MB"),
        ("not_json", "not JSON"),
        ("not_object", "not a JSON object"),
        ("bad_offsets", "data_offsets"),
    ],
)
def test_local_scan_broken_safetensors(tmp_path: Path, case: str, match: str) -> None:
    full = save_safetensors(tmp_path / "full.safetensors").read_bytes()
    data = {
        "truncated_data": full[:-10],
        "truncated_header": full[:20],
        "short": full[:5],
        "huge_length": struct.pack("<Q", 2**40) + b"{}",
        "not_json": struct.pack("<Q", 4) + b"\xff{{{",
        "not_object": _header([1, 2]),
        "bad_offsets": _header({"w": {"dtype": "F32", "shape": [1], "data_offsets": [4]}}),
    }[case]
    write(tmp_path / "m" / "model.safetensors", data)
    summary, findings = local_scan("m", tmp_path / "m")
    assert summary["scan_status"] == "error"
    assert findings["scanner"].tolist() == ["safetensors"]
    assert findings["severity"].tolist() == ["error"]
    assert match in findings["detail"].iloc[0]


def test_local_scan_gguf_and_unscanned_formats(tmp_path: Path) -> None:
    write(tmp_path / "g" / "model.gguf", b"GGUF\x03\x00\x00\x00" + b"\0" * 16)
    assert local_scan("g", tmp_path / "g")[0]["scan_status"] == "safe"
    write(tmp_path / "bad" / "model.gguf", b"NOPE")
    summary, findings = local_scan("bad", tmp_path / "bad")
    assert summary["scan_status"] == "error"
    assert findings["scanner"].tolist() == ["gguf"]
    save_safetensors(tmp_path / "o" / "model.safetensors")
    write(tmp_path / "o" / "onnx" / "model.onnx", b"\x08\x07")
    summary, findings = local_scan("o", tmp_path / "o")
    assert summary["scan_status"] == "unscanned"  # onnx is not vouched for
    assert summary["scans_done"] is False
    assert findings[["file", "severity"]].values.tolist() == [["onnx/model.onnx", "info"]]


def test_local_scan_no_weights_and_missing_path(tmp_path: Path) -> None:
    write(tmp_path / "m" / "README.md", b"# hello")
    summary, findings = local_scan("m", tmp_path / "m")
    assert summary["scan_status"] == "unscanned"
    assert summary["scans_done"] is False
    assert findings.empty
    with pytest.raises(ValueError, match="no file or folder"):
        local_scan("m", tmp_path / "nowhere")
    with pytest.raises(TypeError, match="model id"):
        local_scan("", tmp_path)


def test_local_scan_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "pytorch_model.bin").symlink_to(tmp_path / "gone.bin")  # dangling
    summary, findings = local_scan("m", tmp_path / "m")
    assert summary["scan_status"] == "error"
    assert findings[["scanner", "severity"]].values.tolist() == [["local", "error"]]
    assert "unreadable" in findings["detail"].iloc[0]


def test_local_scan_worst_over_files_and_custom_code(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    folder = tmp_path / "m"
    save_safetensors(folder / "model.safetensors")
    write(folder / "extra" / "optimizer.pt", malicious_pickle(marker))
    write(folder / "broken.bin", b"\x80\x04")
    write(folder / "config.json", json.dumps({"auto_map": {"AutoModel": "mod.M"}}).encode())
    write(folder / "helpers.py", b"raise SystemExit('never imported')\n")
    write(folder / ".git" / "objects" / "x.bin", b"ignored")
    summary, findings = local_scan("m", folder)
    assert summary["scan_status"] == "unsafe"
    assert summary["files_with_issues"] == ["broken.bin", "extra/optimizer.pt"]
    assert summary["custom_code"] == ["helpers.py", "mod.py"]
    code = findings[findings["scanner"] == "custom_code"]
    assert code["severity"].tolist() == ["caution", "caution"]
    assert "missing from the folder" in code["detail"].iloc[1]
    assert summary["files_scanned"] == 2  # safetensors + the (unsafe, but scanned) pickle
    assert not marker.exists()


def test_local_scan_bad_config(tmp_path: Path) -> None:
    save_safetensors(tmp_path / "m" / "model.safetensors")
    write(tmp_path / "m" / "config.json", b"{not json")
    summary, findings = local_scan("m", tmp_path / "m")
    assert summary["scan_status"] == "error"
    assert findings["scanner"].tolist() == ["config"]


# -- helpers -----------------------------------------------------------------------------------


def test_scan_findings_frame_and_worst_status() -> None:
    empty = scan_findings_frame([])
    assert tuple(empty.columns) == FINDING_COLUMNS
    assert empty.empty
    row = {"model": "m", "file": "f", "scanner": "s", "severity": "info", "detail": "d"}
    assert scan_findings_frame([row]).to_dict("records") == [row]
    with pytest.raises(ValueError, match="severity"):
        scan_findings_frame([{**row, "severity": "bad"}])
    assert worst_status([]) == "unscanned"
    assert worst_status(["safe", "queued"]) == "queued"
    assert worst_status(["error", "caution", "safe"]) == "caution"
    assert worst_status(["unsafe", "suspicious"]) == "unsafe"
    with pytest.raises(ValueError, match="scan status"):
        worst_status(["fine"])


def test_local_scan_follows_cache_symlinks(tmp_path: Path) -> None:
    """The Hugging Face cache's snapshots hold symlinks to blobs: they are scanned."""
    blob = save_safetensors(tmp_path / "blobs" / "abc123")
    snapshot = tmp_path / "snapshots" / "sha"
    snapshot.mkdir(parents=True)
    (snapshot / "model.safetensors").symlink_to(blob)
    summary, _ = local_scan("m", snapshot)
    assert summary["scan_status"] == "safe"
    assert summary["bytes_scanned"] == blob.stat().st_size
