"""hw.check on catalog models: formats and custom code from the record's file list and config,
scan verdicts from its securityRepoStatus, and, on the live Hub, asked per model.

Records here are invented (not Hub data) except the per-file scan record of gpt2's
pytorch_model.bin (../shared/data/security/hub-scan-shapes.json) and the tests that read the
2025 recordings; those skip when the shared data is absent. The live Hub is the local
Hub-compatible server, reached through the real huggingface_hub client.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pandas as pd
import pytest

from hubwidgets.core.catalog.catalog import Catalog
from hubwidgets.core.catalog.hub import HubCatalog
from hubwidgets.core.governance import check
from hubwidgets.testing.hub_server import HubServer, shared_data_dir

WHEN = datetime(2026, 8, 1, tzinfo=timezone.utc)
CATALOG_FILES = "the catalog record's file list"
RELAXED = {"allow_custom_code": True}


def _siblings(*names: str) -> list[dict[str, str]]:
    return [{"rfilename": n} for n in names]


def _rec(model_id: str, *files: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": model_id,
        "sha": extra.pop("sha", "c" * 40),
        "cardData": {"license": "mit"},
        "siblings": _siblings(*files),
        **extra,
    }


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    records = [
        _rec("org/pth-only", ".gitattributes", "README.md", "control_canny.pth", "canny.yaml"),
        _rec("org/both", "config.json", "pytorch_model.bin", "model.safetensors"),
        _rec("org/py", "config.json", "model.safetensors", "modeling_x.py"),
        _rec(
            "org/auto-map",
            "config.json",
            "model.safetensors",
            config={"auto_map": {"AutoModel": "org/code--modeling_y.Y"}},
        ),
        _rec("org/plain-config", "config.json", "model.safetensors", config={"model_type": "x"}),
        _rec(
            "org/clean",
            "model.safetensors",
            config={},
            securityRepoStatus={"scansDone": True, "filesWithIssues": []},
        ),
        _rec(
            "org/flagged",
            "pytorch_model.bin",
            config={},
            securityRepoStatus={
                "scansDone": True,
                "filesWithIssues": [{"path": "pytorch_model.bin", "level": "unsafe"}],
            },
        ),
        _rec(
            "org/queued",
            "model.safetensors",
            config={},
            securityRepoStatus={"scansDone": False, "filesWithIssues": []},
        ),
        {"id": "org/nothing", "cardData": {"license": "mit"}},
    ]
    return Catalog.from_records(records, fetched_at=WHEN)


def _row(catalog: Any, model: str, **kwargs: Any) -> pd.Series:
    return check(model, catalog=catalog, **kwargs).iloc[0]


# -- the catalog record's file list --------------------------------------------------------------


def test_a_pth_only_repo_is_pickle_only(catalog: Catalog) -> None:
    row = _row(catalog, "org/pth-only")
    assert row["formats"] == ["pickle"] and row["pickle_files"] == ["control_canny.pth"]
    assert row["pickle_only"] and not row["safetensors"]
    assert row["formats_source"] == CATALOG_FILES
    # no *.py files, and no config to read an auto_map from: unknown, said why
    assert row["custom_code"] is None
    assert "config not in the catalog" in row["custom_code_source"]
    denied = _row(catalog, "org/pth-only", policy={"require_safetensors": True})
    assert denied["verdict"] == "deny"
    assert any("pickle weights only" in r for r in denied["reasons"])


def test_safetensors_beside_a_pickle(catalog: Catalog) -> None:
    row = _row(catalog, "org/both")
    assert row["formats"] == ["pickle", "safetensors"]
    assert row["safetensors"] and not row["pickle_only"]
    assert row["pickle_files"] == ["pytorch_model.bin"]


def test_python_files_are_custom_code_for_sure(catalog: Catalog) -> None:
    row = _row(catalog, "org/py")
    assert row["custom_code"] == ["modeling_x.py"]
    assert "*.py files" in row["custom_code_source"]
    assert row["verdict"] == "deny"  # the default policy allows no custom code
    assert any("custom code" in r for r in row["reasons"])


def test_config_auto_map_names_code_in_another_repo(catalog: Catalog) -> None:
    row = _row(catalog, "org/auto-map")
    assert row["custom_code"] == ["org/code--modeling_y.py"]
    assert "config auto_map" in row["custom_code_source"]
    plain = _row(catalog, "org/plain-config")
    assert plain["custom_code"] == [] and "config auto_map" in plain["custom_code_source"]


def test_no_file_list_stays_unknown(catalog: Catalog) -> None:
    row = _row(catalog, "org/nothing")
    assert row["formats"] is None and pd.isna(row["pickle_only"])
    assert "no file list" in row["formats_source"]
    assert row["custom_code"] is None and "unknown" in row["custom_code_source"]


# -- the catalog record's scan verdict -----------------------------------------------------------


def test_a_clean_repo_verdict_from_the_record(catalog: Catalog) -> None:
    row = _row(catalog, "org/clean", policy=RELAXED)
    assert (row["scan_status"], row["scans_done"], row["files_with_issues"]) == ("safe", True, [])
    assert row["scan_source"] == "the Hub's securityRepoStatus (catalog record)"
    assert row["verdict"] == "allow"


def test_a_flagged_file_is_unsafe_and_denied(catalog: Catalog) -> None:
    out = check("org/flagged", catalog=catalog, policy=RELAXED)
    row = out.iloc[0]
    assert row["scan_status"] == "unsafe" and row["files_with_issues"] == ["pytorch_model.bin"]
    assert row["verdict"] == "deny"
    found = out.attrs["findings"]
    assert found[["model", "file", "scanner", "severity"]].values.tolist() == [
        ["org/flagged", "pytorch_model.bin", "hub", "unsafe"]
    ]


def test_queued_scans_are_never_safe(catalog: Catalog) -> None:
    row = _row(catalog, "org/queued", policy=RELAXED)
    assert (row["scan_status"], row["scans_done"]) == ("queued", False)
    assert row["verdict"] == "review"


def test_without_a_verdict_the_scan_is_unscanned(catalog: Catalog) -> None:
    row = _row(catalog, "org/both", policy=RELAXED)
    assert row["scan_status"] == "unscanned" and "securityRepoStatus" in row["scan_source"]
    assert row["verdict"] == "review"
    assert _row(catalog, "org/clean", scan="none")["scan_status"] == "unscanned"
    local = _row(catalog, "org/clean", scan="local")
    assert local["scan_status"] == "unscanned" and "no local copy" in local["scan_source"]


def test_a_snapshot_keeps_what_check_reads(catalog: Catalog, tmp_path: Any) -> None:
    back = Catalog.read_parquet(catalog.to_parquet(tmp_path / "s.parquet"))
    models = ["org/pth-only", "org/auto-map", "org/flagged", "org/queued"]
    columns = ["formats", "pickle_only", "custom_code", "scan_status", "files_with_issues"]
    a = check(models, catalog=catalog)[columns]
    b = check(models, catalog=back)[columns]
    pd.testing.assert_frame_equal(a, b)


# -- real recorded models (2025 model_info recordings) ---------------------------------------------


def test_real_2025_models_get_real_formats(raw_2025_records: list[dict[str, Any]]) -> None:
    real = Catalog.from_records(raw_2025_records)
    out = check(["lllyasviel/ControlNet-v1-1", "deepseek-ai/DeepSeek-R1"], catalog=real).set_index(
        "id"
    )
    controlnet = out.loc["lllyasviel/ControlNet-v1-1"]
    assert controlnet["formats"] == ["pickle"] and controlnet["pickle_only"]
    assert len(controlnet["pickle_files"]) == 14
    assert controlnet["formats_source"] == CATALOG_FILES
    deepseek = out.loc["deepseek-ai/DeepSeek-R1"]
    assert deepseek["safetensors"] and not deepseek["pickle_only"]
    # the recorded config's auto_map names the repo's own modeling code
    assert {"configuration_deepseek.py", "modeling_deepseek.py"} <= set(deepseek["custom_code"])
    assert deepseek["verdict"] == "deny"
    # the recordings carry no securityRepoStatus: never reported safe
    assert set(out["scan_status"]) == {"unscanned"}


def test_real_2025_catalog_knows_formats_of_most_models(
    raw_2025_records: list[dict[str, Any]],
) -> None:
    real = Catalog.from_records(raw_2025_records)
    out = check(real.df["id"].tolist()[:200], catalog=real)
    known = out["pickle_only"].notna()
    assert known.mean() > 0.9
    assert (out.loc[known, "formats_source"] == CATALOG_FILES).all()
    assert set(out["verdict"]) <= {"review", "deny"}


# -- the live Hub, asked per model -----------------------------------------------------------------


def _scan_shapes() -> dict[str, Any]:
    folder = shared_data_dir()
    path = folder / "security" / "hub-scan-shapes.json" if folder else None
    if path is None or not path.is_file():
        pytest.skip("needs ../shared/data/security/hub-scan-shapes.json (recorded Hub data)")
    shapes: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return shapes


EVIL_FILE = {  # an invented per-file record in the Hub's shape: a dangerous pickle import
    "status": "unsafe",
    "protectAiScan": {"status": "unsafe", "message": "Arbitrary code execution on load"},
    "avScan": {"status": "safe", "message": "No security issues detected"},
    "pickleImportScan": {
        "status": "unsafe",
        "pickleImports": [
            {"module": "collections", "name": "OrderedDict", "safety": "innocuous"},
            {"module": "os", "name": "system", "safety": "dangerous"},
        ],
    },
}


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[HubServer, HubCatalog]]:
    gpt2_bin = _scan_shapes()["per_file_safe_example"]
    records = [
        {
            **_rec(
                "openai-community/gpt2",
                "config.json",
                "pytorch_model.bin",
                "model.safetensors",
                sha="a" * 40,
            ),
            "config": {"model_type": "gpt2"},
            "_file_security": {"pytorch_model.bin": gpt2_bin},
        },
        {
            **_rec("evil/model", "config.json", "pytorch_model.bin", sha="b" * 40),
            "config": {"model_type": "x"},
            "_file_security": {"pytorch_model.bin": EVIL_FILE},
        },
        {
            **_rec("org/queued", "model.safetensors", sha="d" * 40),
            "securityRepoStatus": {"scansDone": False, "filesWithIssues": []},
        },
        _rec("org/never-scanned", "model.safetensors", "modeling_z.py", sha="e" * 40),
    ]
    with HubServer(records) as server:
        yield server, HubCatalog(endpoint=server.endpoint, timeout=5)


def test_live_hub_gpt2_is_safe_from_its_real_per_file_record(
    live: tuple[HubServer, HubCatalog],
) -> None:
    server, hub = live
    server.clear_requests()
    out = check("openai-community/gpt2", catalog=hub, scan="hub", policy=RELAXED)
    row = out.iloc[0]
    assert row["formats"] == ["pickle", "safetensors"] and row["safetensors"]
    assert row["formats_source"].startswith("the file list the Hub at ")
    assert row["custom_code"] == [] and "config auto_map" in row["custom_code_source"]
    assert (row["scan_status"], row["scans_done"], row["files_with_issues"]) == ("safe", True, [])
    assert "securityRepoStatus and per-file scans" in row["scan_source"]
    assert row["revision"] == "a" * 40 and "model_info" in row["revision_source"]
    assert len(out.attrs["findings"]) == 0
    assert row["verdict"] == "allow"
    # what was asked: model_info with securityStatus, then the pickle file's verdict only
    asked = server.requests
    infos = [r for r in asked if r["query"].get("securityStatus") == ["true"]]
    assert len(infos) == 1 and infos[0]["path"] == "/api/models/openai-community/gpt2"
    (paths,) = [r for r in asked if "/paths-info/" in r["path"]]
    assert paths["method"] == "POST"
    assert paths["path"] == f"/api/models/openai-community/gpt2/paths-info/{'a' * 40}"
    assert paths["form"] == {"paths": ["pytorch_model.bin"], "expand": ["true"]}
    # one look-up of the record for every fact read from it (the Hub rate-limits callers)
    lookups = [r for r in asked if r["query"].get("expand")]
    assert len(lookups) == 1


def test_live_hub_dangerous_import_is_unsafe_with_findings(
    live: tuple[HubServer, HubCatalog],
) -> None:
    _, hub = live
    out = check("evil/model", catalog=hub, scan="auto", policy=RELAXED)
    row = out.iloc[0]
    assert row["pickle_only"] and row["scan_status"] == "unsafe"
    assert row["files_with_issues"] == ["pytorch_model.bin"]
    assert row["verdict"] == "deny"
    found = out.attrs["findings"].set_index("scanner")
    assert set(found.index) == {"protectAiScan", "pickleImportScan"}  # the scanners not safe
    assert "os.system" in found.loc["pickleImportScan", "detail"]
    assert (found["severity"] == "unsafe").all() and (found["file"] == "pytorch_model.bin").all()


def test_live_hub_queued_and_never_scanned_are_not_safe(
    live: tuple[HubServer, HubCatalog],
) -> None:
    _, hub = live
    out = check(["org/queued", "org/never-scanned"], catalog=hub, scan="all").set_index("id")
    assert (out.loc["org/queued", "scan_status"], out.loc["org/queued", "scans_done"]) == (
        "queued",
        False,
    )
    never = out.loc["org/never-scanned"]
    assert never["scan_status"] == "unscanned" and never["custom_code"] == ["modeling_z.py"]
    assert set(out["verdict"]) <= {"review", "deny"}


def test_live_hub_failures_are_errors_in_words_never_crashes(
    live: tuple[HubServer, HubCatalog],
) -> None:
    server, hub = live
    server.fail_next(503, match="securityStatus=", times=1)
    row = check("openai-community/gpt2", catalog=hub, scan="hub", policy=RELAXED).iloc[0]
    assert row["scan_status"] == "error" and row["verdict"] == "review"
    assert "model_info" in row["scan_source"] and "503" in row["scan_source"]
    # the catalog's own look-up of the model still lists its files
    assert row["formats"] == ["pickle", "safetensors"] and row["formats_source"] == CATALOG_FILES

    server.fail_next(500, match="/paths-info/", times=1)
    row = check("evil/model", catalog=hub, scan="hub", policy=RELAXED).iloc[0]
    # the repo verdict (derived from the per-file records by the Hub) still says unsafe
    assert row["scan_status"] == "unsafe"
    assert "per-file scans" in row["scan_source"] and "500" in row["scan_source"]
    server.fail_next(500, match="/paths-info/", times=1)
    row = check("openai-community/gpt2", catalog=hub, scan="hub", policy=RELAXED).iloc[0]
    assert row["scan_status"] == "error" and row["verdict"] == "review"
    server.clear_faults()


def test_live_hub_local_scan_mode_asks_no_verdicts(live: tuple[HubServer, HubCatalog]) -> None:
    server, hub = live
    server.clear_requests()
    row = check("openai-community/gpt2", catalog=hub, scan="local").iloc[0]
    assert row["scan_status"] == "unscanned" and "no local copy" in row["scan_source"]
    assert not [r for r in server.requests if r["query"].get("securityStatus")]
    assert not [r for r in server.requests if "/paths-info/" in r["path"]]
    # the single-model look-up carries the file list, so the formats are still known
    assert row["formats"] == ["pickle", "safetensors"] and row["formats_source"] == CATALOG_FILES


def test_live_hub_and_a_local_copy_all_takes_the_worse(
    live: tuple[HubServer, HubCatalog], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants  # noqa: PLC0415

    server, hub = live
    sha = "b" * 40  # evil/model's revision, here in the HF cache with a clean safetensors file
    repo = tmp_path / "models--evil--model"
    snap = repo / "snapshots" / sha
    snap.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(sha)
    header = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
    (snap / "model.safetensors").write_bytes(len(header).to_bytes(8, "little") + header + bytes(8))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))

    server.clear_requests()
    auto = check("evil/model", catalog=hub, scan="auto", policy=RELAXED).iloc[0]
    assert auto["scan_status"] == "safe" and auto["scan_source"].startswith("local scan of")
    assert auto["formats"] == ["safetensors"]  # the files on disk, not the Hub's list
    assert not [r for r in server.requests if r["query"].get("securityStatus")]

    every = check("evil/model", catalog=hub, scan="all", policy=RELAXED)
    row = every.iloc[0]
    assert row["scan_status"] == "unsafe" and row["verdict"] == "deny"
    assert "local scan" in row["scan_source"] and "per-file scans" in row["scan_source"]
    assert row["files_with_issues"] == ["pytorch_model.bin"]
    assert row["revision"] == sha and "HF cache" in row["revision_source"]
    assert "pickleImportScan" in set(every.attrs["findings"]["scanner"])
