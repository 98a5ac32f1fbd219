"""hw.compare: one row per model, every derived figure with its source, and clear errors; the
matrix a view shows of it (hubwidgets.core.choose.matrix)."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.catalog.catalog import Catalog
from hubwidgets.core.catalog.hub import HubCatalog
from hubwidgets.core.catalog.schema import COLUMN_NAMES
from hubwidgets.core.choose._best import best_for, best_values
from hubwidgets.core.choose.compare import DERIVED, TIDY_COLUMNS, parse_model_index
from hubwidgets.core.choose.hardware import available_memory
from hubwidgets.core.choose.matrix import MATRIX_COLUMNS, by_metric, matrix, matrix_and_badges
from hubwidgets.testing.hub_server import HubServer

from .test_memory import TINY_CONFIG, save_tiny_model

DTYPES = ("fp32", "fp16/bf16", "int8", "int4")

CARD = """---
license: mit
model-index:
- name: gpt2
  results:
  - task: {type: text-generation, name: Text Generation}
    dataset: {name: WikiText-103, type: wikitext}
    metrics:
    - {type: perplexity, value: 37.5, name: Perplexity}
    - {type: bpb, value: 1.1}
  - task: {type: text-generation}
    dataset: {name: LAMBADA, type: lambada}
    metrics:
    - {type: accuracy, value: 45.99, name: Accuracy}
---
# GPT-2
"""


@pytest.fixture(autouse=True)
def empty_hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Hugging Face cache, so that what this machine downloaded changes no result."""
    from huggingface_hub import constants  # noqa: PLC0415

    cache = tmp_path / "hf-cache"
    cache.mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    return cache


@pytest.fixture
def carded(tiny_catalog: Catalog) -> Catalog:
    return Catalog(tiny_catalog.df, cards={"gpt2": CARD}, meta={"name": "tiny"})


def wide_columns() -> list[str]:
    out = list(COLUMN_NAMES)
    for name in DERIVED:
        if name not in COLUMN_NAMES:
            out.append(name)
        out.append(f"{name}_source")
    return [*out, "warning"]


def test_one_row_per_model_in_the_order_given(tiny_catalog: Catalog) -> None:
    ids = ["gpt2", "acme/Llama-2-7B-Chat", "beta/Qwen2-0.5B-GGUF"]
    df = hw.compare(ids, catalog=tiny_catalog)
    assert list(df["id"]) == ids
    assert list(df.columns) == wide_columns()
    for name in DERIVED:
        assert df[f"{name}_source"].notna().all(), name


def test_memory_per_dtype_from_the_parameter_count(tiny_catalog: Catalog) -> None:
    df = hw.compare(["gpt2", "acme/Llama-2-7B-Chat", "t5"], catalog=tiny_catalog)
    gpt2, llama, t5 = (df.iloc[i] for i in range(3))
    assert gpt2["params"] == 137_022_720
    assert gpt2["memory_fp32"] == 4 * 137_022_720
    assert gpt2["memory_fp16/bf16"] == 2 * 137_022_720
    assert gpt2["memory_int8"] == 137_022_720
    assert gpt2["memory_int4"] == 137_022_720 // 2
    assert llama["memory_fp16/bf16"] == 2 * 6_738_415_616
    assert "params x 2 bytes" in llama["memory_fp16/bf16_source"]
    # t5's parameter count is unknown: nothing is guessed, and the source says why
    for d in DTYPES:
        assert pd.isna(t5[f"memory_{d}"])
        assert pd.isna(t5[f"fits_{d}"])
        assert t5[f"memory_{d}_source"].startswith("unknown")


def test_fits_flags_against_this_machine(tiny_catalog: Catalog) -> None:
    room, _ = available_memory()
    assert room is not None
    df = hw.compare(["gpt2", "acme/llama-2-70b"], catalog=tiny_catalog)
    gpt2, big = df.iloc[0], df.iloc[1]
    assert bool(gpt2["fits_int4"])  # 68 MB fits any test machine
    for d in DTYPES:
        expected = big[f"memory_{d}"] <= room
        assert bool(big[f"fits_{d}"]) == bool(expected), d
        assert "RAM available" in big[f"fits_{d}_source"] or "cuda" in big[f"fits_{d}_source"]
    assert not bool(big["fits_fp32"])  # 276 GB


def test_license_class_and_freshness(tiny_catalog: Catalog) -> None:
    before = datetime.now(timezone.utc)
    df = hw.compare(
        ["gpt2", "acme/Llama-2-7B-Chat", "beta/sd-turbo", "gamma/empty"], catalog=tiny_catalog
    )
    assert list(df["license_class"]) == [
        "permissive",
        "gated-or-custom",
        "gated-or-custom",
        "unknown",
    ]
    assert "'mit'" in df.iloc[0]["license_class_source"]
    days = (before - pd.Timestamp("2024-02-19T00:00:00Z")).days
    assert df.iloc[0]["days_since_update"] in (days, days + 1)
    assert "2024-02-19" in df.iloc[0]["days_since_update_source"]
    assert pd.isna(df.iloc[3]["days_since_update"])


def test_popularity_within_the_task_matches_a_brute_force_count(tiny_catalog: Catalog) -> None:
    ids = ["acme/Llama-2-7B-Chat", "gpt2", "beta/Qwen2-0.5B-GGUF", "zeta/bert-tiny"]
    df = hw.compare(ids, catalog=tiny_catalog)
    full = tiny_catalog.df
    for model_id, pct in zip(ids, df["popularity_pct"], strict=True):
        row = full[full["id"] == model_id].iloc[0]
        same = full[(full["task"] == row["task"]) & full["downloads"].notna()]
        expected = 100 * (same["downloads"] <= row["downloads"]).sum() / len(same)
        assert pct == pytest.approx(expected, abs=0.01), model_id
    # text-generation with known downloads: 5000, 5000, 9M, 250 -> Llama-2-7B-Chat ties at 75%
    assert df.iloc[0]["popularity_pct"] == 75.0
    assert "4 text-generation models" in df.iloc[0]["popularity_pct_source"]


def test_unknown_downloads_give_no_percentile(tiny_catalog: Catalog) -> None:
    df = hw.compare(["zeta/whisper-large-v3", "gpt2"], catalog=tiny_catalog)
    assert pd.isna(df.iloc[0]["popularity_pct"])
    assert "downloads is not known" in df.iloc[0]["popularity_pct_source"]


def test_inference_and_model_tree(tiny_catalog: Catalog) -> None:
    df = hw.compare(["acme/Llama-2-7B-Chat", "gpt2"], catalog=tiny_catalog)
    llama = df.iloc[0]
    assert bool(llama["inference"])
    assert list(llama["providers"]) == ["together"]
    assert list(llama["base_models"]) == ["meta-llama/Llama-2-7b-hf"]
    assert pd.isna(llama["children_count"])
    assert "offline" in llama["children_count_source"]


def test_different_tasks_warn_on_every_row(tiny_catalog: Catalog) -> None:
    df = hw.compare(["gpt2", "zeta/bert-tiny", "acme/llama-2-70b"], catalog=tiny_catalog)
    assert set(df["warning"]) == {"different tasks: fill-mask, text-generation"}
    same = hw.compare(["gpt2", "acme/llama-2-70b"], catalog=tiny_catalog)
    assert set(same["warning"]) == {""}


def test_evals_from_the_cards_model_index(carded: Catalog) -> None:
    df = hw.compare(["gpt2", "acme/llama-2-70b"], catalog=carded)
    evals = df.iloc[0]["evals"]
    assert evals == [
        {"model": "gpt2", "task": "text-generation", "dataset": "WikiText-103",
         "metric": "Perplexity", "value": 37.5},
        {"model": "gpt2", "task": "text-generation", "dataset": "WikiText-103",
         "metric": "bpb", "value": 1.1},
        {"model": "gpt2", "task": "text-generation", "dataset": "LAMBADA",
         "metric": "Accuracy", "value": 45.99},
    ]  # fmt: skip
    assert df.iloc[0]["evals_source"] == "model-index in the card's front matter"
    assert pd.isna(df.iloc[1]["evals"])
    tidy = hw.compare(["gpt2", "acme/llama-2-70b"], catalog=carded, tidy=True)
    rows = tidy[tidy["metric"].str.startswith("eval:")]
    assert list(rows["metric"]) == [
        "eval: WikiText-103 / Perplexity",
        "eval: WikiText-103 / bpb",
        "eval: LAMBADA / Accuracy",
    ]
    assert list(rows["value"]) == [37.5, 1.1, 45.99]


def test_parse_model_index_skips_malformed_entries() -> None:
    assert parse_model_index(None) == []
    assert parse_model_index([{"name": "x", "results": [{"metrics": [{"type": "acc"}]}]}]) == []
    assert parse_model_index(["junk", {"results": "junk"}]) == []


def test_tidy_long_form(tiny_catalog: Catalog) -> None:
    tidy = hw.compare(["gpt2", "zeta/bert-tiny"], catalog=tiny_catalog, tidy=True)
    assert tuple(tidy.columns) == TIDY_COLUMNS
    gpt2 = tidy[tidy["model"] == "gpt2"].set_index("metric")
    assert gpt2.loc["memory_fp32", "value"] == 4 * 137_022_720
    assert gpt2.loc["memory_fp32", "unit"] == "bytes"
    assert gpt2.loc["popularity_pct", "unit"] == "percent"
    assert gpt2.loc["license_class", "value"] == "permissive"
    assert gpt2.loc["warning", "value"] == "different tasks: fill-mask, text-generation"
    assert tidy["source"].notna().all()
    # a missing figure is None in the value column, with the reason in its source
    assert gpt2.loc["weights_bytes", "value"] is None
    assert gpt2.loc["weights_bytes", "source"].startswith("unknown offline")
    wide = hw.compare(["gpt2", "zeta/bert-tiny"], catalog=tiny_catalog)
    assert set(tidy["metric"]) - {"warning"} == set(DERIVED)
    assert len(tidy) == 2 * (len(DERIVED) + 1)
    assert gpt2.loc["params", "value"] == wide.iloc[0]["params"]


def test_a_dataframe_with_an_id_column(tiny_catalog: Catalog) -> None:
    picked = tiny_catalog.search(task="text-generation", limit=3)
    df = hw.compare(picked, catalog=tiny_catalog)
    assert list(df["id"]) == list(picked["id"])
    with pytest.raises(TypeError, match="'id' column"):
        hw.compare(picked.drop(columns="id"), catalog=tiny_catalog)


def test_unknown_ids_are_listed_with_close_matches(tiny_catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="unknown model ids") as err:
        hw.compare(["acme/Llama-2-7B-Chatt", "gpt2", "nobody/nothing-at-all"], catalog=tiny_catalog)
    message = str(err.value)
    assert "'acme/Llama-2-7B-Chatt' (close: acme/Llama-2-7B-Chat" in message
    assert "'nobody/nothing-at-all'" in message
    assert "'gpt2'" not in message


@pytest.mark.parametrize("count", [0, 1, 9])
def test_two_to_eight_models(tiny_catalog: Catalog, count: int) -> None:
    ids = list(tiny_catalog.df["id"][:count])
    with pytest.raises(ValueError, match=f"2 to 8 models, got {count}"):
        hw.compare(ids, catalog=tiny_catalog)


def test_bad_arguments(tiny_catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="got one"):
        hw.compare("gpt2", catalog=tiny_catalog)
    with pytest.raises(ValueError, match="more than once: 'gpt2'"):
        hw.compare(["gpt2", "gpt2"], catalog=tiny_catalog)
    with pytest.raises(TypeError, match="id string"):
        hw.compare(["gpt2", 3], catalog=tiny_catalog)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="context_length must be a positive int"):
        hw.compare(["gpt2", "t5"], catalog=tiny_catalog, context_length=0)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        hw.compare(["gpt2", "t5"], catalog=tiny_catalog, batch_size=True)
    with pytest.raises(TypeError, match="tidy"):
        hw.compare(["gpt2", "t5"], catalog=tiny_catalog, tidy="yes")  # type: ignore[arg-type]


# -- saved models in local folders -------------------------------------------------------------
@pytest.fixture
def saved(tmp_path: Path) -> dict[str, Any]:
    fp32, fp16 = tmp_path / "tiny-fp32", tmp_path / "tiny-fp16"
    params = save_tiny_model(fp32, "float32")
    save_tiny_model(fp16, "float16")
    (fp16 / "README.md").write_text(
        "---\nlicense: apache-2.0\npipeline_tag: text-generation\n---\n"
    )
    (fp16 / "optimizer.pt").write_bytes(b"0" * 1000)  # training state is not weights
    return {"fp32": str(fp32), "fp16": str(fp16), "params": params}


def test_saved_folders_agree_with_their_files(tiny_catalog: Catalog, saved: dict[str, Any]) -> None:
    df = hw.compare([saved["fp32"], saved["fp16"]], catalog=tiny_catalog, context_length=128)
    fp32, fp16 = df.iloc[0], df.iloc[1]
    for row, key in ((fp32, "memory_fp32"), (fp16, "memory_fp16/bf16")):
        on_disk = (Path(row["id"]) / "model.safetensors").stat().st_size
        assert row["params"] == saved["params"]
        assert "safetensors headers" in row["params_source"]
        assert row["weights_bytes"] == on_disk
        assert "safetensors files in the local folder" in row["weights_bytes_source"]
        assert abs(row[key] - on_disk) / on_disk < 0.01
    # the hand computation: 2 x 2 layers x 2 kv heads x (64 / 4) dims x 128 tokens x 2 bytes
    kv = 2 * TINY_CONFIG["num_hidden_layers"] * 2 * 16 * 128 * 2
    assert fp32["kv_cache_bytes"] == kv  # no task known: a *ForCausalLM config counts
    assert fp16["kv_cache_bytes"] == kv  # its README says text-generation
    assert "config.json in local folder" in fp16["kv_cache_bytes_source"]
    assert fp16["license_class"] == "permissive"
    assert pd.isna(fp32["popularity_pct"])


def test_a_folder_and_a_catalog_model(tiny_catalog: Catalog, saved: dict[str, Any]) -> None:
    df = hw.compare(["gpt2", saved["fp16"]], catalog=tiny_catalog, tidy=True)
    assert set(df["model"]) == {"gpt2", saved["fp16"]}


def test_a_catalog_without_files_says_so(tiny_catalog: Catalog) -> None:
    df = hw.compare(["gpt2", "acme/llama-2-70b"], catalog=tiny_catalog)
    assert pd.isna(df.iloc[0]["kv_cache_bytes"])
    assert df.iloc[0]["kv_cache_bytes_source"] == (
        "unknown offline: the model is not in the local Hugging Face cache"
    )


def test_files_and_config_from_the_local_hf_cache(
    tiny_catalog: Catalog, empty_hf_cache: Path
) -> None:
    # the cache layout huggingface_hub writes: models--org--name/{refs,snapshots/<sha>}
    repo = empty_hf_cache / "models--gpt2"
    snapshot = repo / "snapshots" / ("a" * 40)
    save_tiny_model(snapshot, "float16")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("a" * 40)
    (repo / "blobs").mkdir()
    df = hw.compare(["gpt2", "acme/llama-2-70b"], catalog=tiny_catalog, context_length=10)
    gpt2 = df.iloc[0]
    assert gpt2["weights_bytes"] == (snapshot / "model.safetensors").stat().st_size
    assert "local HF cache" in gpt2["weights_bytes_source"]
    assert gpt2["kv_cache_bytes"] == 2 * 2 * 2 * 16 * 10 * 2
    assert gpt2["params"] == 137_022_720  # the catalog's count wins over the cached files
    assert pd.isna(df.iloc[1]["weights_bytes"])


# -- the live Hub, through a Hub-compatible local server ---------------------------------------
#: A tiny grouped-query Llama config the test Hub serves as acme/tiny-llama's config.json.
LLAMA_CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "num_hidden_layers": 4,
    "num_attention_heads": 8,
    "num_key_value_heads": 2,
    "hidden_size": 128,
}


HUB_RECORDS: list[dict[str, Any]] = [
    {
        "id": "acme/tiny-llama",
        "author": "acme",
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "tags": ["transformers", "text-generation", "license:apache-2.0"],
        "downloads": 700,
        "likes": 7,
        "lastModified": "2025-01-01T00:00:00.000Z",
        "childrenModelCount": 12,
        "safetensors": {"parameters": {"BF16": 1_000_000}, "total": 1_000_000},
        "siblings": [
            {"rfilename": "config.json", "size": 600},
            {"rfilename": "model.safetensors", "size": 2_000_300},
            {"rfilename": "pytorch_model.bin", "size": 2_000_900},
        ],
        "_card": CARD.replace("gpt2", "tiny-llama"),
        "_files": {"config.json": json.dumps(LLAMA_CONFIG)},
        "sha": "0123456789abcdef0123456789abcdef01234567",  # hf_hub_download needs a commit
    },
    {
        "id": "acme/bert",
        "author": "acme",
        "pipeline_tag": "fill-mask",
        "tags": ["transformers", "fill-mask", "license:cc-by-nc-4.0"],
        "downloads": 5,
        "safetensors": {"parameters": {"F32": 10, "I64": 2}, "total": 12},
        "siblings": [{"rfilename": "README.md"}],
    },
]


@pytest.fixture
def hub() -> Iterator[HubCatalog]:
    with HubServer(HUB_RECORDS) as server:
        yield HubCatalog(endpoint=server.endpoint)


def test_the_live_hub(hub: HubCatalog) -> None:
    df = hw.compare(["acme/tiny-llama", "acme/bert"], catalog=hub)
    llama, bert = df.iloc[0], df.iloc[1]
    assert llama["weights_bytes"] == 2_000_300  # safetensors, not safetensors + pickle
    assert llama["weights_bytes_source"].startswith("safetensors files in the Hub file list")
    assert llama["memory_fp16/bf16"] == 2_000_000
    # the KV cache from the repo's config.json, fetched from the Hub (GQA: 2 of 8 heads)
    assert llama["kv_cache_bytes"] == 2 * 4 * 2 * 16 * 4096 * 1 * 2
    assert "config.json" in llama["kv_cache_bytes_source"]
    assert pd.isna(llama["popularity_pct"])
    assert "live Hub" in llama["popularity_pct_source"]
    assert len(llama["evals"]) == 3
    assert llama["children_count"] == 12
    assert pd.isna(bert["children_count"])
    assert "did not give childrenModelCount" in bert["children_count_source"]
    assert llama["license_class"] == "permissive"
    # no weight files listed: the Hub's dtype breakdown gives the size (10 x 4 + 2 x 8 bytes)
    assert bert["weights_bytes"] == 56
    assert "F32: 10, I64: 2" in bert["weights_bytes_source"]
    assert bert["license_class"] == "non-commercial"
    assert set(df["warning"]) == {"different tasks: fill-mask, text-generation"}


def test_unknown_on_the_live_hub(hub: HubCatalog) -> None:
    with pytest.raises(ValueError, match="'acme/nope' is not on the Hub"):
        hw.compare(["acme/tiny-llama", "acme/nope"], catalog=hub)


# -- real records ------------------------------------------------------------------------------
# (speed is benchmarks/compare.py's business, never a timed test)
def test_eight_real_models(real_catalog: Catalog) -> None:
    ids = list(real_catalog.search(limit=8)["id"])
    wide = hw.compare(ids, catalog=real_catalog)
    assert wide["id"].tolist() == ids
    tidy = hw.compare(ids, catalog=real_catalog, tidy=True)
    assert set(tidy["model"]) == set(ids)
    json.dumps(tidy["metric"].tolist())  # plain strings: the long form travels as JSON


# -- the matrix: the comparison as a view shows it (hubwidgets.core.choose.matrix) --------------
def test_matrix_one_row_per_metric_and_model(tiny_catalog: Catalog) -> None:
    ids = ["gpt2", "acme/Llama-2-7B-Chat", "acme/llama-2-70b"]
    wide = hw.compare(ids, catalog=tiny_catalog, context_length=1024, batch_size=2)
    shown = matrix(wide, context_length=1024, batch_size=2)
    assert tuple(shown.columns) == MATRIX_COLUMNS
    assert list(dict.fromkeys(shown["model"])) == ids
    metrics = list(dict.fromkeys(shown["metric"]))
    assert metrics[:4] == ["task", "library", "license", "license_class"]
    # the governance rows follow the license class (hw.check)
    assert metrics[4:9] == [
        "commercial_use",
        "license_conflict",
        "scan_status",
        "verdict",
        "params",
    ]
    assert "warning" not in metrics  # same task: no warning row
    assert (shown.groupby("metric", sort=False).size() == len(ids)).all()
    kv = shown[shown["metric"] == "kv_cache_bytes"]
    assert set(kv["unit"]) == {"1,024 tokens, 2 sequences"}
    assert shown["best"].dtype == bool
    # each figure says where it comes from: the wide form's <metric>_source
    params = shown[shown["metric"] == "params"].set_index("model")["source"]
    assert params["gpt2"] == str(wide.set_index("id")["params_source"]["gpt2"])


def test_matrix_texts_are_for_people() -> None:
    wide = pd.DataFrame(
        {
            "id": ["a/x", "b/y"],
            "params": pd.array([7_241_000_000, None], dtype="Int64"),
            "weights_bytes": pd.array([3_500_000_000, 14_000_000_000], dtype="Int64"),
            "fits_int4": pd.array([True, False], dtype="boolean"),
            "popularity_pct": [87.4, float("nan")],
            "providers": [["hf-inference", "together"], []],
        }
    )
    shown = matrix(wide).set_index(["metric", "model"])["text"]
    assert shown["params", "a/x"] == "7.2B" and shown["params", "b/y"] == ""
    assert shown["weights_bytes", "a/x"] == "3.50 GB"
    assert (shown["fits_int4", "a/x"], shown["fits_int4", "b/y"]) == ("yes", "no")
    assert shown["popularity_pct", "a/x"] == "87%" and shown["popularity_pct", "b/y"] == ""
    assert shown["providers", "a/x"] == "hf-inference, together"
    assert set(matrix(wide)["source"]) == {"catalog"}  # no source column: said plainly


def test_matrix_marks_the_best_of_each_row_and_badges_agree(tiny_catalog: Catalog) -> None:
    ids = ["gpt2", "acme/Llama-2-7B-Chat", "acme/llama-2-70b"]
    wide = hw.compare(ids, catalog=tiny_catalog)
    shown, badges = matrix_and_badges(wide)
    best = best_values(wide).set_index("metric")["best"]
    for metric, rows in shown.groupby("metric"):
        marked = rows.loc[rows["best"], "model"].tolist()
        assert marked == (list(best[metric]) if metric in best.index else []), metric
    assert badges == best_for(wide)
    smallest = str(wide.set_index("id")["params"].astype(float).idxmin())
    assert "smallest" in badges[smallest]
    pd.testing.assert_frame_equal(shown, matrix(wide, best=best_values(wide)))


def test_matrix_warns_when_tasks_differ(tiny_catalog: Catalog) -> None:
    wide = hw.compare(["gpt2", "zeta/bert-tiny"], catalog=tiny_catalog)
    shown = matrix(wide)
    warning = shown[shown["metric"] == "warning"]
    assert len(warning) == 2 and warning["text"].str.contains("fill-mask").all()
    assert list(dict.fromkeys(shown["metric"]))[-1] == "warning"  # read last


def test_matrix_shows_a_cards_evaluations_compactly() -> None:
    """What each card's model-index reports, compactly; unknown stays blank."""
    ids = ["acme/a", "acme/b"]
    wide = hw.compare(
        ids,
        catalog=hw.Catalog.from_records([{"id": i, "pipeline_tag": "fill-mask"} for i in ids]),
    )
    wide["evals"] = pd.Series(
        [[{"dataset": "GLUE", "metric": "accuracy", "value": 0.8771}], pd.NA], dtype="object"
    )
    shown = matrix(wide)
    row = shown[shown["metric"] == "evals"].set_index("model")["text"]
    assert row.to_dict() == {"acme/a": "GLUE accuracy 0.877", "acme/b": ""}


def test_matrix_needs_the_wide_form() -> None:
    with pytest.raises(ValueError, match="'id' column"):
        matrix(pd.DataFrame({"model": ["a"]}))


def test_by_metric_pivots_one_row_per_metric(tiny_catalog: Catalog) -> None:
    ids = ["gpt2", "acme/llama-2-70b"]
    shown = matrix(hw.compare(ids, catalog=tiny_catalog))
    frame, order = by_metric(shown)
    assert order == ids
    assert frame["metric"].tolist() == list(dict.fromkeys(shown["metric"]))
    assert list(frame.columns) == [
        "metric", "label",
        "model_0", "model_0_best", "model_0_source",
        "model_1", "model_1_best", "model_1_source",
    ]  # fmt: skip
    row = frame.set_index("metric").loc["downloads"]
    assert row["label"] == "Downloads (last 30 days)"
    cells = shown[shown["metric"] == "downloads"].set_index("model")
    assert row["model_1"] == cells.loc["acme/llama-2-70b", "text"]
    assert bool(row["model_1_best"]) == bool(cells.loc["acme/llama-2-70b", "best"])
    assert frame.set_index("metric").loc["task", "label"] == "Task"  # no unit: no brackets
    with pytest.raises(ValueError, match="columns of matrix"):
        by_metric(shown.drop(columns="best"))


# -- governance: commercial use, license conflict, scan status, verdict (one hw.check) ----------
LLAMA = "meta-llama/Llama-2-7b-hf"


def _gov_record(model_id: str, lic: str, bases: Any = None, **extra: Any) -> dict[str, Any]:
    card: dict[str, Any] = {"license": lic}
    if bases:
        card["base_model"] = bases
    return {
        "id": model_id,
        "cardData": card,
        "pipeline_tag": "text-generation",
        "tags": extra.pop("tags", []),
        **extra,
    }


@pytest.fixture(scope="module")
def governed() -> Catalog:
    records = [
        _gov_record(LLAMA, "llama2", gated="manual"),
        _gov_record("org/ft", "apache-2.0", LLAMA, tags=[f"base_model:finetune:{LLAMA}"]),
        _gov_record("org/plain", "mit", gated=False),
        _gov_record("org/nc", "cc-by-nc-4.0", gated=False),
    ]
    return Catalog.from_records(records, fetched_at=datetime(2026, 1, 1, tzinfo=timezone.utc))


GOV = ("commercial_use", "commercial_use_reason", "license_conflict", "scan_status", "verdict")


def test_governance_columns_with_their_sources(governed: Catalog) -> None:
    ids = ["org/ft", "org/plain", "org/nc", LLAMA]
    wide = hw.compare(ids, catalog=governed)
    assert list(wide.columns) == wide_columns()
    for name in (*GOV, "reasons"):
        assert wide[f"{name}_source"].notna().all(), name
        assert (wide[f"{name}_source"].str.len() > 0).all(), name
    rows = wide.set_index("id")
    assert rows.loc["org/plain", "commercial_use"] == "yes"
    assert rows.loc["org/nc", "commercial_use"] == "no"
    assert "non-commercial" in rows.loc["org/nc", "commercial_use_reason"]
    # a fine-tune under apache-2.0 of a llama2 model: the chain's license binds it
    conflict = rows.loc["org/ft", "license_conflict"]
    assert "apache-2.0" in conflict and "llama2" in conflict
    assert rows.loc["org/plain", "license_conflict"] == ""  # checked: none
    assert "base-model chain" in rows.loc["org/plain", "license_conflict_source"]
    # no file list, no Hub verdicts in the catalog: unscanned, never "safe"
    assert set(wide["scan_status"]) == {"unscanned"}
    assert "scan" in rows.loc["org/plain", "scan_status_source"].lower()
    assert str(wide["verdict"].dtype) == "category"
    assert list(wide["verdict"].cat.categories) == ["allow", "review", "deny"]
    assert all(isinstance(r, list) for r in wide["reasons"])
    assert any("license conflict" in r for r in rows.loc["org/ft", "reasons"])
    assert "Policy(default)" in rows.loc["org/ft", "verdict_source"]
    assert wide.attrs["policy"] == hw.Policy().to_dict()
    assert wide["commercial_use"].dtype == "string"


def test_governance_agrees_with_check(governed: Catalog) -> None:
    ids = ["org/ft", "org/plain", "org/nc"]
    policy = {"allow_license_classes": ["permissive"], "require_commercial_use": True}
    wide = hw.compare(ids, catalog=governed, policy=policy)
    checked = hw.check(ids, catalog=governed, policy=policy, scan="auto")
    assert wide["verdict"].astype(str).tolist() == checked["verdict"].astype(str).tolist()
    assert wide["reasons"].tolist() == checked["reasons"].tolist()
    assert wide["commercial_use"].tolist() == checked["commercial_use"].tolist()
    assert wide["scan_status"].tolist() == checked["scan_status"].tolist()


def test_policy_changes_the_verdict(governed: Catalog, tmp_path: Path) -> None:
    ids = ["org/plain", "org/nc"]
    default = hw.compare(ids, catalog=governed).set_index("id")
    assert default.loc["org/nc", "verdict"] != "deny"  # non-commercial is allowed by default
    strict = {"allow_license_classes": ["permissive"]}
    for policy in (strict, hw.Policy(strict), tmp_path / "policy.yaml"):
        if isinstance(policy, Path):
            policy.write_text(hw.Policy(strict).to_yaml())
        rows = hw.compare(ids, catalog=governed, policy=policy).set_index("id")
        assert rows.loc["org/nc", "verdict"] == "deny"
        assert any("not an allowed class" in r for r in rows.loc["org/nc", "reasons"])
        assert "allow_license_classes=['permissive']" in rows.loc["org/nc", "verdict_source"]


def test_a_bad_policy_is_refused(governed: Catalog) -> None:
    ids = ["org/plain", "org/nc"]
    with pytest.raises(ValueError, match="unknown policy key"):
        hw.compare(ids, catalog=governed, policy={"allow_gatd": True})
    with pytest.raises(ValueError, match="allow_license_classes"):
        hw.compare(ids, catalog=governed, policy={"allow_license_classes": ["permisive"]})
    with pytest.raises(TypeError, match="policy"):
        hw.compare(ids, catalog=governed, policy=3)  # type: ignore[arg-type]


def test_one_check_per_compare(governed: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    module = importlib.import_module("hubwidgets.core.choose.compare")
    calls: list[list[str]] = []
    real = module.check

    def counting(models: Any, **kwargs: Any) -> pd.DataFrame:
        calls.append(list(models))
        assert kwargs["scan"] == "auto"
        return real(models, **kwargs)

    monkeypatch.setattr(module, "check", counting)
    hw.compare(["org/ft", "org/plain", "org/nc"], catalog=governed)
    assert calls == [["org/ft", "org/plain", "org/nc"]]


def test_a_failed_check_leaves_governance_unknown(
    governed: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = importlib.import_module("hubwidgets.core.choose.compare")

    def broken(models: Any, **kwargs: Any) -> pd.DataFrame:
        raise OSError("disk on fire")

    monkeypatch.setattr(module, "check", broken)
    wide = hw.compare(["org/plain", "org/nc"], catalog=governed)
    assert wide["params_source"].notna().all()  # the rest of the comparison is there
    for name in (*GOV, "reasons"):
        assert wide[name].isna().all(), name
        assert wide[f"{name}_source"].str.contains("hw.check failed.*disk on fire").all(), name


def test_governance_in_the_long_form(governed: Catalog) -> None:
    tidy = hw.compare(["org/ft", "org/plain"], catalog=governed, tidy=True)
    ft = tidy[tidy["model"] == "org/ft"].set_index("metric")
    assert ft.loc["commercial_use", "value"] == "yes"
    assert ft.loc["verdict", "unit"] == "allow/review/deny"
    assert "llama2" in ft.loc["license_conflict", "value"]
    assert isinstance(ft.loc["reasons", "value"], list)
    assert set(GOV) <= set(tidy["metric"])


def test_matrix_governance_rows(governed: Catalog) -> None:
    wide = hw.compare(["org/ft", "org/plain"], catalog=governed)
    shown = matrix(wide)
    rows = {m: g.set_index("model") for m, g in shown.groupby("metric", sort=False)}
    assert rows["commercial_use"]["label"].iloc[0] == "Commercial use"
    assert rows["license_conflict"].loc["org/plain", "text"] == "none"
    assert "llama2" in rows["license_conflict"].loc["org/ft", "text"]
    assert rows["scan_status"].loc["org/plain", "text"] == "unscanned"
    assert rows["verdict"].loc["org/ft", "text"] == "review"
    # the cell's source says why: the policy's reasons, the commercial-use reason
    assert "license conflict" in rows["verdict"].loc["org/ft", "source"]
    assert "Policy(default)" in rows["verdict"].loc["org/ft", "source"]
    reason = str(wide.set_index("id").loc["org/plain", "commercial_use_reason"])
    assert rows["commercial_use"].loc["org/plain", "source"].startswith(reason)
    assert not shown[shown["metric"].isin(GOV)]["best"].any()  # no better or worse
