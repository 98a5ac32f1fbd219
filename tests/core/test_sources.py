"""open_catalog's sources: auto choice, snapshot files, the bundled starter, the local cache."""

from __future__ import annotations

import contextlib
import json
import struct
from pathlib import Path

import pandas as pd
import pytest
from huggingface_hub import hf_hub_download

import hubwidgets as hw
from hubwidgets.core.catalog.hub import HubCatalog
from hubwidgets.core.catalog.vocab import TASKS, libraries
from hubwidgets.testing.hub_server import HubServer

CARD = (
    "---\nlicense: mit\nlanguage: [en, fr]\npipeline_tag: fill-mask\n"
    "library_name: transformers\n---\n# hi\n"
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HUBWIDGETS_SNAPSHOT", raising=False)


def test_starter_is_small_and_factual() -> None:
    starter = hw.starter_catalog()
    path = Path(hw.__file__).parent / "core" / "data" / "starter_models.jsonl"
    assert path.stat().st_size < 200 * 1024
    assert 300 <= len(starter) <= 1000
    assert starter.meta["as_of"] == "2026-08-01"
    assert set(starter.meta["approximate"]) == {"downloads", "likes"}
    df = starter.df
    assert set(df["task"].dropna().astype(str)) <= set(TASKS)
    assert set(df["library"].dropna().astype(str)) <= set(libraries()) | {"gguf"}
    modalities = {hw.core.vocab.task_modality(t) for t in df["task"].dropna().astype(str)}
    assert {"nlp", "cv", "audio", "multimodal"} <= modalities
    assert df["params"].notna().sum() > 100
    assert (df["downloads"].dropna() > 0).all()  # unknown is NA, never 0


def test_offline_goes_straight_to_the_starter(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    catalog = hw.open_catalog()
    assert isinstance(catalog, hw.Catalog)
    assert catalog.meta["name"] == "starter"
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert "starter" in out[0]
    assert "HF_HUB_OFFLINE" in out[0]


def test_auto_uses_the_live_hub_when_it_answers(capsys: pytest.CaptureFixture[str]) -> None:
    with HubServer([{"id": "a/b", "downloads": 1}]) as srv:
        catalog = hw.open_catalog(endpoint=srv.endpoint)
        assert isinstance(catalog, HubCatalog)
        assert list(catalog.search()["id"]) == ["a/b"]
        assert f"live Hub at {srv.endpoint}" in capsys.readouterr().out


def test_auto_falls_back_to_the_named_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    snap = tmp_path / "mine.parquet"
    hw.Catalog.from_records([{"id": "x/y", "downloads": 3}]).to_parquet(snap, name="mine")
    monkeypatch.setenv("HUBWIDGETS_SNAPSHOT", str(snap))
    with HubServer([]) as srv:
        srv.delay_next(2.0, times=5)
        catalog = hw.open_catalog(endpoint=srv.endpoint, timeout=0.3)
    assert isinstance(catalog, hw.Catalog)
    assert list(catalog.df["id"]) == ["x/y"]
    line = capsys.readouterr().out.strip()
    assert "mine" in line
    assert "did not answer within 0.3 s" in line
    assert "Traceback" not in line


def test_auto_unreachable_and_bad_env_snapshot_fall_to_starter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUBWIDGETS_SNAPSHOT", str(tmp_path / "missing.parquet"))
    catalog = hw.open_catalog(endpoint="http://127.0.0.1:9", timeout=0.5)
    assert catalog.meta["name"] == "starter"
    line = capsys.readouterr().out
    assert "could not be reached" in line
    assert "HUBWIDGETS_SNAPSHOT is set but unusable" in line


def test_snapshot_kind_and_errors(tmp_path: Path) -> None:
    assert hw.open_catalog("snapshot").meta["name"] == "starter"
    path = hw.starter_catalog().to_parquet(tmp_path / "s.parquet")
    again = hw.open_catalog("snapshot", path=path)
    pd.testing.assert_frame_equal(again.df, hw.starter_catalog().df)
    with pytest.raises(ValueError, match="does not exist"):
        hw.open_catalog("snapshot", path=tmp_path / "nope.parquet")
    with pytest.raises(ValueError, match="unknown catalog kind 'hubb'"):
        hw.open_catalog("hubb")  # type: ignore[arg-type]


def _safetensors(path: Path, shapes: dict[str, list[int]]) -> None:
    header = {k: {"dtype": "F32", "shape": v, "data_offsets": [0, 0]} for k, v in shapes.items()}
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw)


def test_cache_source_reads_the_cache_and_enriches(tmp_path: Path) -> None:
    cache = tmp_path / "hub"
    records = [
        {"id": "acme/tiny", "sha": "a" * 40},
        {"id": "google-bert/bert-base-uncased", "sha": "b" * 40},
    ]
    with HubServer(records) as srv:
        for rec in records:
            # no card on the server for these: the repo folder it leaves is enough
            with contextlib.suppress(Exception):
                hf_hub_download(rec["id"], "README.md", cache_dir=cache, endpoint=srv.endpoint)
    # a card and weights, as a real download would leave them
    snap = cache / "models--acme--tiny" / "snapshots" / ("a" * 40)
    snap.mkdir(parents=True, exist_ok=True)
    (snap / "README.md").write_text(CARD)
    _safetensors(snap / "model.safetensors", {"w": [10, 20], "b": [20]})
    refs = cache / "models--acme--tiny" / "refs"
    refs.mkdir(parents=True, exist_ok=True)
    (refs / "main").write_text("a" * 40)
    bert = cache / "models--google-bert--bert-base-uncased"
    (bert / "snapshots" / ("b" * 40)).mkdir(parents=True, exist_ok=True)
    (bert / "refs").mkdir(parents=True, exist_ok=True)
    (bert / "refs" / "main").write_text("b" * 40)

    catalog = hw.open_catalog("cache", path=cache)
    df = catalog.df.set_index("id")
    assert set(df.index) == {"acme/tiny", "google-bert/bert-base-uncased"}
    tiny = df.loc["acme/tiny"]
    assert tiny["license"] == "mit"
    assert list(tiny["languages"]) == ["en", "fr"]
    assert tiny["task"] == "fill-mask"
    assert tiny["params"] == 220
    assert tiny["sha"] == "a" * 40
    bert_row = df.loc["google-bert/bert-base-uncased"]
    assert bert_row["task"] == "fill-mask"  # from the starter snapshot
    assert bert_row["params"] > 100_000_000
    assert bert_row["source"] == "cache"
    assert catalog.source == "cache"
    assert catalog.search("bert")["id"].tolist() == ["google-bert/bert-base-uncased"]


def test_cache_source_missing_folder_is_clear(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read the Hugging Face cache"):
        hw.open_catalog("cache", path=tmp_path / "nothing")
