"""hw.check: one row per model, each column with its source, verdicts under a policy."""

from __future__ import annotations

import json
import os
import pickle
import struct
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.catalog.catalog import Catalog
from hubwidgets.core.governance import CHECK_COLUMNS, Policy, check
from hubwidgets.core.governance.scan import FINDING_COLUMNS

LLAMA = "meta-llama/Llama-2-7b-hf"
SHA = "a" * 40


def _rec(model_id: str, lic: str | None, bases: Any = None, **extra: Any) -> dict[str, Any]:
    card: dict[str, Any] = {}
    if lic:
        card["license"] = lic
    if bases:
        card["base_model"] = bases
    return {"id": model_id, "cardData": card, "tags": extra.pop("tags", []), **extra}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    records = [
        _rec(
            LLAMA,
            "llama2",
            gated="manual",
            private=False,
            sha=SHA,
            lastModified="2024-01-01T00:00:00Z",
        ),
        _rec("org/ft", "apache-2.0", LLAMA, tags=[f"base_model:finetune:{LLAMA}"]),
        _rec("org/orphan", "mit", "ghost/missing"),
        _rec("org/plain", "mit", gated=False, private=False),
        _rec("org/nolicense", None),
    ]
    return Catalog.from_records(records, fetched_at=datetime(2026, 1, 1, tzinfo=timezone.utc))


def _safetensors(path: Path) -> None:
    header = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
    path.write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 8)


class _Evil:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.marker}",))


def test_exported() -> None:
    assert hw.check is check
    assert hw.core.check is check


def test_columns_of_a_starter_model() -> None:
    out = check("openai-community/gpt2")
    assert list(out.columns) == list(CHECK_COLUMNS)
    row = out.iloc[0]
    assert (row["id"], row["kind"], row["license"], row["license_class"]) == (
        "openai-community/gpt2",
        "hub",
        "mit",
        "permissive",
    )
    assert row["license_name"] == "MIT" and row["license_link"].startswith("https://")
    assert row["commercial_use"] == "yes" and "permissive" in row["commercial_use_reason"]
    assert "catalog record" in row["license_source"]
    assert row["base_chain"] == [] and "no base model" in row["base_chain_source"]
    assert row["license_conflict"] is None
    # the starter has no file list and no scan verdicts: unknown, and said so
    assert row["formats"] is None and pd.isna(row["pickle_only"]) and pd.isna(row["safetensors"])
    assert "no file list" in row["formats_source"]
    assert row["custom_code"] is None and "unknown" in row["custom_code_source"]
    assert row["scan_status"] == "unscanned" and pd.isna(row["scans_done"])
    assert "securityRepoStatus" in row["scan_source"]
    assert row["gated"] is False or not row["gated"]
    assert row["gated_source"] == "the catalog record"
    assert row["private_source"] == "the catalog record"
    assert "license" in row["card_fields"] and "catalog" in row["card_fields_source"]
    assert isinstance(row["checked_at"], pd.Timestamp) and row["checked_at"].tzinfo is not None
    assert row["verdict"] == "review"  # never allow on unknown facts
    assert any("not scanned" in r for r in row["reasons"])
    assert list(out.attrs["findings"].columns) == list(FINDING_COLUMNS)
    assert isinstance(out.attrs["policy"], Policy)


def test_dtypes() -> None:
    out = check(["openai-community/gpt2", "meta-llama/Llama-2-7b-hf"])
    for column in ("pickle_only", "safetensors", "scans_done", "gated", "private"):
        assert str(out[column].dtype) == "boolean"
    assert str(out["last_modified"].dtype).startswith("datetime64")
    assert list(out["verdict"].cat.categories) == ["allow", "review", "deny"]
    assert out.loc[1, "gated"]


def test_inputs_ids_dataframe_series(catalog: Catalog) -> None:
    frame = pd.DataFrame({"id": ["org/ft", "org/plain"], "downloads": [1, 2]})
    by_frame = check(frame, catalog=catalog)
    assert by_frame["id"].tolist() == ["org/ft", "org/plain"]
    assert check(pd.Series(["org/ft", "org/ft"]), catalog=catalog)["id"].tolist() == ["org/ft"]
    with pytest.raises(ValueError, match="'id' column"):
        check(pd.DataFrame({"model": ["org/ft"]}), catalog=catalog)
    with pytest.raises(ValueError, match="no models"):
        check([], catalog=catalog)
    with pytest.raises(TypeError):
        check(3, catalog=catalog)
    with pytest.raises(TypeError):
        check([None], catalog=catalog)


def test_unknown_ids_have_close_matches(catalog: Catalog) -> None:
    with pytest.raises(ValueError, match=r"org/plan.*close: org/plain"):
        check(["org/ft", "org/plan"], catalog=catalog)
    with pytest.raises(ValueError, match="openai-community/gpt2"):
        check("openai-communty/gpt2")


def test_bad_scan_revision_policy(catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="did you mean local"):
        check("org/ft", catalog=catalog, scan="locl")
    with pytest.raises(TypeError, match="revision"):
        check("org/ft", catalog=catalog, revision="")
    with pytest.raises(TypeError, match="policy"):
        check("org/ft", catalog=catalog, policy=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown policy key"):
        check("org/ft", catalog=catalog, policy={"allow_gatd": True})


def test_tree_columns(catalog: Catalog) -> None:
    rows: dict[str, dict[Any, Any]] = {
        r["id"]: r for r in check(["org/ft", "org/orphan"], catalog=catalog).to_dict("records")
    }
    ft, orphan = rows["org/ft"], rows["org/orphan"]
    assert ft["base_chain"] == [f"{LLAMA} (llama2)"]
    assert "apache-2.0" in ft["license_conflict"] and "llama2" in ft["license_conflict"]
    assert ft["verdict"] == "review"
    assert any("license conflict" in r for r in ft["reasons"])
    assert orphan["base_chain"] == ["ghost/missing (unknown: not in the catalog)"]
    assert "not in the catalog" in orphan["base_chain_source"]
    assert set(check(["org/ft"], catalog=catalog).attrs["trees"]) == {"org/ft"}


def test_missing_facts_say_so(catalog: Catalog) -> None:
    row = check("org/nolicense", catalog=catalog).iloc[0]
    assert row["license"] is None and row["license_class"] == "unknown"
    assert row["commercial_use"] == "unknown"
    assert row["license_source"] == "no license in the catalog record"
    assert pd.isna(row["gated"]) and "unknown" in row["gated_source"]
    assert row["revision"] is None and "no sha" in row["revision_source"]
    assert pd.isna(row["last_modified"]) and "unknown" in row["last_modified_source"]


def test_revision_and_last_modified(catalog: Catalog) -> None:
    row = check(LLAMA, catalog=catalog).iloc[0]
    assert (row["revision"], row["revision_source"]) == (SHA, "the catalog record")
    assert row["last_modified"] == pd.Timestamp("2024-01-01", tz="UTC")
    other = check(LLAMA, catalog=catalog, revision="b" * 40).iloc[0]
    assert other["revision"] == SHA and "not the requested" in other["revision_source"]


def test_policy_argument_forms(catalog: Catalog, tmp_path: Path) -> None:
    keys = {"allow_gated": False, "require_scans_done": False, "allow_custom_code": True}
    by_dict = check(LLAMA, catalog=catalog, policy=keys)
    assert by_dict["verdict"].tolist() == ["deny"]
    path = tmp_path / "p.yaml"
    path.write_text(Policy(keys).to_yaml())
    assert check(LLAMA, catalog=catalog, policy=path)["verdict"].tolist() == ["deny"]
    assert check(LLAMA, catalog=catalog, policy=Policy(keys)).attrs["policy"] == Policy(keys)
    relaxed = {"require_scans_done": False, "allow_custom_code": True}
    assert check("org/plain", catalog=catalog, policy=relaxed)["verdict"].tolist() == ["allow"]


def _good_folder(root: Path) -> Path:
    folder = root / "good-model"
    folder.mkdir()
    _safetensors(folder / "model.safetensors")
    (folder / "config.json").write_text(json.dumps({"model_type": "llama"}))
    (folder / "README.md").write_text(
        "---\nlicense: other\nlicense_name: acme-1.0\nlicense_link: https://acme.example/LICENSE\n"
        f"base_model: {LLAMA}\ntags:\n- base_model:adapter:{LLAMA}\nlanguage: en\n---\n# Model\n"
    )
    return folder


def test_a_safe_folder(catalog: Catalog, tmp_path: Path) -> None:
    folder = _good_folder(tmp_path)
    out = check(folder, catalog=catalog)
    row = out.iloc[0]
    assert (row["id"], row["kind"]) == (str(folder), "folder")
    assert (row["license"], row["license_name"], row["license_link"]) == (
        "other",
        "acme-1.0",
        "https://acme.example/LICENSE",
    )
    assert "the model card" in row["license_source"]
    assert row["base_chain"] == [f"{LLAMA} (llama2)"]
    assert row["license_conflict"] is None  # other (custom) over llama2: not looser
    assert row["formats"] == ["safetensors"] and row["safetensors"] and not row["pickle_only"]
    assert row["custom_code"] == []
    assert row["scan_status"] == "safe" and "local scan" in row["scan_source"]
    assert row["card_fields"] == sorted(
        ["license", "license_name", "license_link", "base_model", "tags", "language"]
    )
    assert row["revision"] is None and "local folder" in row["revision_source"]
    assert pd.notna(row["last_modified"])
    assert row["verdict"] == "review"  # the license 'other' is unknown terms
    assert [n.id for n in out.attrs["trees"][str(folder)]] == [str(folder), LLAMA]
    assert check(str(folder), catalog=catalog)["kind"].tolist() == ["folder"]


def test_scan_none_and_hub_on_a_folder(catalog: Catalog, tmp_path: Path) -> None:
    folder = _good_folder(tmp_path)
    none = check(folder, catalog=catalog, scan="none").iloc[0]
    assert none["scan_status"] == "unscanned" and "scan='none'" in none["scan_source"]
    assert none["formats"] == ["safetensors"]  # the file list is read whatever the scan
    hub = check(folder, catalog=catalog, scan="hub").iloc[0]
    assert hub["scan_status"] == "unscanned"
    every = check(folder, catalog=catalog, scan="all").iloc[0]
    assert every["scan_status"] == "safe" and "Hub verdicts" in every["scan_source"]


def test_scan_local_without_a_local_copy(catalog: Catalog) -> None:
    row = check("org/plain", catalog=catalog, scan="local").iloc[0]
    assert row["scan_status"] == "unscanned" and "no local copy" in row["scan_source"]


def test_a_malicious_folder_is_denied_and_nothing_runs(catalog: Catalog, tmp_path: Path) -> None:
    folder = tmp_path / "evil"
    folder.mkdir()
    pickle_marker = tmp_path / "pickle-ran"
    code_marker = tmp_path / "code-ran"
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps(_Evil(pickle_marker)))
    (folder / "config.json").write_text(
        json.dumps({"auto_map": {"AutoModel": "modeling_evil.EvilModel"}})
    )
    (folder / "modeling_evil.py").write_text(
        f"from pathlib import Path\nPath({str(code_marker)!r}).touch()\nclass EvilModel: ...\n"
    )
    (folder / "README.md").write_text("---\nlicense: mit\n---\n")
    out = check(folder, catalog=catalog, scan="auto")
    row = out.iloc[0]
    assert not pickle_marker.exists() and not code_marker.exists()
    assert row["pickle_only"] and row["pickle_files"] == ["pytorch_model.bin"]
    assert row["custom_code"] == ["modeling_evil.py"]
    assert row["scan_status"] == "unsafe"
    assert row["verdict"] == "deny"
    assert any("custom code" in r for r in row["reasons"])
    assert any("unsafe" in r for r in row["reasons"])
    findings = out.attrs["findings"]
    assert (findings["model"] == str(folder)).all()
    assert "pytorch_model.bin" in set(findings["file"])
    assert not pickle_marker.exists() and not code_marker.exists()


def test_a_truncated_file_is_review_not_safe(catalog: Catalog, tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(struct.pack("<Q", 10_000) + b"{")
    row = check(folder, catalog=catalog, policy={"allow_custom_code": True}).iloc[0]
    assert row["scan_status"] == "error"
    assert row["verdict"] == "review"


def test_the_hf_cache_gives_files_and_revision(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants  # noqa: PLC0415

    repo = tmp_path / "models--org--plain"
    snap = repo / "snapshots" / SHA
    snap.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(SHA)
    _safetensors(snap / "model.safetensors")
    (snap / "config.json").write_text("{}")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    row = check("org/plain", catalog=catalog).iloc[0]
    assert row["formats"] == ["safetensors"] and "HF cache" in row["formats_source"]
    assert row["custom_code"] == []
    assert (row["revision"], row["revision_source"]) == (SHA, "the HF cache snapshot checked")
    assert row["scan_status"] == "safe"
    assert check("org/plain", catalog=catalog, revision=SHA).iloc[0]["revision"] == SHA
    missing = check("org/plain", catalog=catalog, revision="v2").iloc[0]
    assert missing["formats"] is None
    relaxed = {"require_scans_done": True, "allow_custom_code": False}
    assert check("org/plain", catalog=catalog, policy=relaxed)["verdict"].tolist() == ["allow"]


def test_real_2025_records(raw_2025_records: list[dict[str, Any]]) -> None:
    real = Catalog.from_records(raw_2025_records)
    ids = real.df["id"].tolist()[:50]
    out = check(ids, catalog=real)
    assert len(out) == 50
    assert set(out["verdict"]) <= {"review", "deny"}  # nothing unscanned is allowed
    others = out[out["license"] == "other"]
    for _, row in others.iterrows():
        assert row["license_name"]
    with_card = out[out["card_fields_source"] == "the model card's metadata"]
    assert len(with_card) > 0
