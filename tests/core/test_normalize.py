"""The normalizer: every record vintage -> one schema row, with missing kept missing.

Records here are invented (not Hub data) unless a test says it reads the recorded Hub data.
"""

from __future__ import annotations

import copy
import math
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from huggingface_hub.hf_api import ModelInfo

from hubwidgets.core.catalog.catalog import Catalog
from hubwidgets.core.catalog.normalize import normalize_record, normalize_records
from hubwidgets.core.catalog.schema import COLUMN_NAMES
from hubwidgets.testing import load_shared_records

UTC = timezone.utc
WHEN = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A DataFrame cell or normalize_record value as plain Python (NA/NaT/nan -> None)."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def row_of(df: pd.DataFrame, model_id: str) -> dict[str, Any]:
    """One row of a normalized frame as plain Python values."""
    hits = df.index[df["id"] == model_id]
    assert len(hits) == 1, f"{model_id!r} occurs {len(hits)} times"
    return {c: plain(df.at[hits[0], c]) for c in df.columns}


def norm(raw: Any) -> dict[str, Any]:
    row, _card = normalize_record(raw, fetched_at=WHEN)
    return {k: plain(v) for k, v in row.items()}


def ts(text: str) -> datetime:
    return pd.Timestamp(text).tz_convert("UTC").to_pydatetime()


ALL_MISSING: dict[str, Any] = dict.fromkeys(COLUMN_NAMES)

# ---------------------------------------------------------------------------------------------
# vintages
# ---------------------------------------------------------------------------------------------

MODERN: dict[str, Any] = {
    "_id": "650000000000000000000001",
    "id": "acme/Llama-3-8B-Instruct",
    "modelId": "acme/Llama-3-8B-Instruct",
    "author": "acme",
    "sha": "c" * 40,
    "createdAt": "2024-04-17T09:35:12.000Z",
    "lastModified": "2024-09-27T15:52:39.000Z",
    "private": False,
    "disabled": False,
    "gated": "manual",
    "downloads": 123_456,
    "downloadsAllTime": 9_876_543,
    "likes": 3210,
    "trendingScore": 42,
    "library_name": "transformers",
    "pipeline_tag": "text-generation",
    "tags": [
        "transformers",
        "safetensors",
        "llama",
        "text-generation",
        "conversational",
        "en",
        "de",
        "base_model:acme/Llama-3-8B",
        "base_model:finetune:acme/Llama-3-8B",
        "license:llama3",
        "region:us",
    ],
    "cardData": {
        "license": "llama3",
        "language": ["en", "de"],
        "base_model": "acme/Llama-3-8B",
        "pipeline_tag": "text-generation",
    },
    "safetensors": {"parameters": {"BF16": 8_030_261_248}, "total": 8_030_261_248},
    "inference": "warm",
    "inferenceProviderMapping": [
        {"provider": "together", "providerId": "a/b", "status": "live", "task": "conversational"},
        {"provider": "novita", "providerId": "c/d", "status": "staging", "task": "conversational"},
        {"provider": "nebius", "providerId": "e/f", "status": "live", "task": "conversational"},
    ],
    "siblings": [{"rfilename": "README.md"}, {"rfilename": "model.safetensors"}],
}

MODERN_ROW: dict[str, Any] = {
    "id": "acme/Llama-3-8B-Instruct",
    "author": "acme",
    "task": "text-generation",
    "library": "transformers",
    "languages": ["en", "de"],
    "license": "llama3",
    "tags": MODERN["tags"],
    "downloads": 123_456,
    "downloads_all_time": 9_876_543,
    "likes": 3210,
    "trending_score": 42,
    "created_at": datetime(2024, 4, 17, 9, 35, 12, tzinfo=UTC),
    "last_modified": datetime(2024, 9, 27, 15, 52, 39, tzinfo=UTC),
    "params": 8_030_261_248,
    "gated": True,
    "private": False,
    "base_models": ["acme/Llama-3-8B"],
    "inference": True,
    "providers": ["together", "nebius"],
    "sha": "c" * 40,
    "files": ["README.md", "model.safetensors"],
    "remote_code": None,  # no config in the record
    "scans_done": None,  # no securityRepoStatus: unknown
    "files_with_issues": None,
    "source": "records",
    "fetched_at": WHEN,
}

#: The 2022 ``/api/models?full=true`` shape (modelId, no author, no createdAt).
LEGACY_2022: dict[str, Any] = {
    "modelId": "bert-base-uncased",
    "sha": "0a6aa9128b6194f4f3c4db429b6cb4891cdb421b",
    "lastModified": "2021-05-18T16:20:08.000Z",
    "tags": [
        "pytorch",
        "tf",
        "jax",
        "rust",
        "bert",
        "fill-mask",
        "en",
        "dataset:bookcorpus",
        "dataset:wikipedia",
        "arxiv:1810.04805",
        "transformers",
        "exbert",
        "license:apache-2.0",
        "autotrain_compatible",
        "infinity_compatible",
    ],
    "pipeline_tag": "fill-mask",
    "siblings": [{"rfilename": ".gitattributes"}, {"rfilename": "config.json"}],
    "config": {"architectures": ["BertForMaskedLM"], "model_type": "bert"},
    "private": False,
    "downloads": 21_117_914,
    "likes": 126,
}

LEGACY_2022_ROW: dict[str, Any] = {
    **ALL_MISSING,
    "id": "bert-base-uncased",
    "task": "fill-mask",
    "library": "transformers",
    "languages": ["en"],
    "license": "apache-2.0",
    "tags": LEGACY_2022["tags"],
    "downloads": 21_117_914,
    "likes": 126,
    "last_modified": datetime(2021, 5, 18, 16, 20, 8, tzinfo=UTC),
    "private": False,
    "sha": "0a6aa9128b6194f4f3c4db429b6cb4891cdb421b",
    "files": [".gitattributes", "config.json"],
    "remote_code": [],  # a config without auto_map: no remote code
    "source": "records",
    "fetched_at": WHEN,
}

#: A dict in snake_case, as serialized from a ModelInfo (card data as a YAML string).
SNAKE: dict[str, Any] = {
    "id": "zeta/tiny-gguf",
    "author": "zeta",
    "sha": "d" * 40,
    "created_at": "2024-02-03 04:05:06+00:00",
    "last_modified": "2024-02-04 00:00:00+00:00",
    "private": False,
    "gated": False,
    "downloads": 17,
    "downloads_all_time": 170,
    "likes": 0,
    "trending_score": 0,
    "library_name": "gguf",
    "pipeline_tag": "text-generation",
    "tags": ["gguf", "text-generation", "license:mit"],
    "card_data": "license: apache-2.0\nlanguage: fr\nbase_model:\n- org/a\n- org/b\n",
    "gguf": {"total": 494_032_768, "architecture": "qwen2", "context_length": 32768},
    "inference": "cold",
    "inference_provider_mapping": {"featherless-ai": {"status": "live", "task": "x"}},
}

SNAKE_ROW: dict[str, Any] = {
    "id": "zeta/tiny-gguf",
    "author": "zeta",
    "task": "text-generation",
    "library": "gguf",
    "languages": ["fr"],
    "license": "apache-2.0",
    "tags": ["gguf", "text-generation", "license:mit"],
    "downloads": 17,
    "downloads_all_time": 170,
    "likes": 0,
    "trending_score": 0,
    "created_at": datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC),
    "last_modified": datetime(2024, 2, 4, tzinfo=UTC),
    "params": 494_032_768,
    "gated": False,
    "private": False,
    "base_models": ["org/a", "org/b"],
    "inference": False,
    "providers": ["featherless-ai"],
    "sha": "d" * 40,
    "files": None,
    "remote_code": None,
    "scans_done": None,
    "files_with_issues": None,
    "source": "records",
    "fetched_at": WHEN,
}

#: A line of hub-model-info-2025.jsonl.gz: the model_info() fields under "metadata" (snake_case
#: plus a few camelCase duplicates, card data as YAML, siblings as reprs) and the card text.
WRAPPED: dict[str, Any] = {
    "model_id": "lllyasviel/sd-controlnet-canny",
    "family": "ControlNet",
    "depth": 0,
    "children_count": 3,
    "metadata": {
        "id": "lllyasviel/sd-controlnet-canny",
        "author": "lllyasviel",
        "sha": "e" * 40,
        "last_modified": "2023-04-24 22:30:18+00:00",
        "created_at": "2023-02-24 06:55:23+00:00",
        "private": False,
        "gated": False,
        "disabled": False,
        "downloads": 51_000,
        "downloads_all_time": None,
        "likes": 700,
        "library_name": "diffusers",
        "gguf": None,
        "inference": None,
        "tags": [
            "diffusers",
            "safetensors",
            "art",
            "controlnet",
            "image-to-image",
            "arxiv:2302.05543",
            "base_model:runwayml/stable-diffusion-v1-5",
            "base_model:adapter:runwayml/stable-diffusion-v1-5",
            "license:openrail",
            "region:us",
        ],
        "pipeline_tag": "image-to-image",
        "trending_score": None,
        "card_data": "license: openrail\nbase_model: runwayml/stable-diffusion-v1-5\ntags:\n- art",
        "siblings": ["RepoSibling(rfilename='README.md', size=None, blob_id=None, lfs=None)"],
        "safetensors": {"parameters": {"F32": 361_278_086}, "total": 361_278_086},
        "lastModified": "2023-04-24 22:30:18+00:00",
        "cardData": "license: openrail\nbase_model: runwayml/stable-diffusion-v1-5\ntags:\n- art",
        "_id": "63f85b2b4a1a3e0a0a0a0a0a",
        "modelId": "lllyasviel/sd-controlnet-canny",
    },
    "card": "---\nlicense: openrail\n---\n\n# Controlnet - Canny Version\n",
}

WRAPPED_ROW: dict[str, Any] = {
    "id": "lllyasviel/sd-controlnet-canny",
    "author": "lllyasviel",
    "task": "image-to-image",
    "library": "diffusers",
    "languages": None,
    "license": "openrail",
    "tags": WRAPPED["metadata"]["tags"],
    "downloads": 51_000,
    "downloads_all_time": None,
    "likes": 700,
    "trending_score": None,
    "created_at": datetime(2023, 2, 24, 6, 55, 23, tzinfo=UTC),
    "last_modified": datetime(2023, 4, 24, 22, 30, 18, tzinfo=UTC),
    "params": 361_278_086,
    "gated": False,
    "private": False,
    "base_models": ["runwayml/stable-diffusion-v1-5"],
    "inference": None,
    "providers": None,
    "sha": "e" * 40,
    "files": ["README.md"],  # from the RepoSibling repr
    "remote_code": None,
    "scans_done": None,
    "files_with_issues": None,
    "source": "records",
    "fetched_at": WHEN,
}


def test_modern_camelcase_record() -> None:
    row, card = normalize_record(copy.deepcopy(MODERN), fetched_at=WHEN)
    assert list(row) == list(COLUMN_NAMES)
    assert {k: plain(v) for k, v in row.items()} == MODERN_ROW
    assert card is None


def test_legacy_2022_record() -> None:
    assert norm(copy.deepcopy(LEGACY_2022)) == LEGACY_2022_ROW


def test_snake_case_record_with_yaml_card_data() -> None:
    assert norm(copy.deepcopy(SNAKE)) == SNAKE_ROW


def test_wrapped_2025_recording() -> None:
    row, card = normalize_record(copy.deepcopy(WRAPPED), fetched_at=WHEN)
    assert {k: plain(v) for k, v in row.items()} == WRAPPED_ROW
    assert card == WRAPPED["card"]


def test_model_info_object_normalizes_like_its_json() -> None:
    info = ModelInfo(**copy.deepcopy(MODERN))
    assert norm(info) == MODERN_ROW


def test_model_info_with_provider_dict_and_gguf() -> None:
    raw = copy.deepcopy(MODERN)
    del raw["safetensors"]
    raw["gguf"] = {"total": 1_234, "architecture": "llama"}
    raw["inferenceProviderMapping"] = {
        "together": {"status": "live", "providerId": "x", "task": "conversational"},
        "hyperbolic": {"status": "error", "providerId": "y", "task": "conversational"},
        "sambanova": {"status": "live", "providerId": "z", "task": "conversational"},
    }
    raw["gated"] = False
    raw["inference"] = "cold"
    expected = {
        **MODERN_ROW,
        "params": 1_234,
        "providers": ["together", "sambanova"],
        "gated": False,
        "inference": False,
    }
    assert norm(raw) == expected
    assert norm(ModelInfo(**copy.deepcopy(raw))) == expected


def test_model_info_with_few_fields_keeps_missing_missing() -> None:
    info = ModelInfo(id="solo/bare")
    assert norm(info) == {
        **ALL_MISSING,
        "id": "solo/bare",
        "author": "solo",
        "source": "records",
        "fetched_at": WHEN,
    }


def test_model_info_objects_through_normalize_records() -> None:
    infos = [ModelInfo(**copy.deepcopy(MODERN)), ModelInfo(id="solo/bare", downloads=0)]
    df, cards = normalize_records(infos, fetched_at=WHEN)
    assert cards == {}
    assert row_of(df, "acme/Llama-3-8B-Instruct") == MODERN_ROW
    assert row_of(df, "solo/bare")["downloads"] == 0


def test_all_vintages_in_one_call() -> None:
    records = [
        copy.deepcopy(MODERN),
        copy.deepcopy(LEGACY_2022),
        copy.deepcopy(SNAKE),
        copy.deepcopy(WRAPPED),
    ]
    df, cards = normalize_records(records, fetched_at=WHEN)
    assert len(df) == 4
    assert row_of(df, MODERN_ROW["id"]) == MODERN_ROW
    assert row_of(df, LEGACY_2022_ROW["id"]) == LEGACY_2022_ROW
    assert row_of(df, SNAKE_ROW["id"]) == SNAKE_ROW
    assert row_of(df, WRAPPED_ROW["id"]) == WRAPPED_ROW
    assert cards == {WRAPPED_ROW["id"]: WRAPPED["card"]}


def test_source_and_fetched_at_are_stamped() -> None:
    df, _ = normalize_records([{"id": "a/b"}], source="snapshot", fetched_at=WHEN)
    assert row_of(df, "a/b")["source"] == "snapshot"
    assert row_of(df, "a/b")["fetched_at"] == WHEN


def test_fetched_at_defaults_to_now() -> None:
    before = datetime.now(UTC)
    df, _ = normalize_records([{"id": "a/b"}])
    after = datetime.now(UTC)
    stamp = row_of(df, "a/b")["fetched_at"]
    assert before <= stamp <= after


def test_later_duplicate_replaces_earlier() -> None:
    df, _ = normalize_records(
        [{"id": "a/b", "downloads": 1}, {"id": "c/d"}, {"id": "a/b", "downloads": 2}]
    )
    assert sorted(df["id"]) == ["a/b", "c/d"]
    assert row_of(df, "a/b")["downloads"] == 2


# ---------------------------------------------------------------------------------------------
# derivation rules, one at a time
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"cardData": {"license": "mit"}, "tags": ["license:apache-2.0"]}, "mit"),
        ({"cardData": {"license": ["cc-by-4.0"]}}, "cc-by-4.0"),
        ({"cardData": {"language": "en"}, "tags": ["license:apache-2.0"]}, "apache-2.0"),
        ({"cardData": {"license": None}, "tags": ["license:apache-2.0"]}, "apache-2.0"),
        ({"card_data": "license: bsd-3-clause"}, "bsd-3-clause"),
        ({"tags": ["license:other", "license:mit"]}, "other"),
        ({"tags": ["mit", "licence:mit"]}, None),
        ({"tags": []}, None),
        ({}, None),
    ],
)
def test_license(extra: dict[str, Any], expected: str | None) -> None:
    assert norm({"id": "a/b", **extra})["license"] == expected


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"cardData": {"language": "fr"}, "tags": ["en"]}, ["fr"]),
        ({"cardData": {"language": ["en", "zh", "yue"]}}, ["en", "zh", "yue"]),
        ({"card_data": "language:\n- de\n- it\n"}, ["de", "it"]),
        ({"tags": ["transformers", "en", "fr", "license:mit"]}, ["en", "fr"]),
        ({"tags": ["multilingual", "bert"]}, ["multilingual"]),
        ({"cardData": {"language": []}, "tags": ["ja"]}, ["ja"]),
        # three-letter tags are not taken as languages (bare 'gpt', 'vit' are not languages)
        ({"tags": ["eng", "deu", "gpt", "vit"]}, None),
        ({"tags": ["xx", "EN", "en-US"]}, None),
        ({"tags": []}, None),
        ({}, None),
    ],
)
def test_languages(extra: dict[str, Any], expected: list[str] | None) -> None:
    assert norm({"id": "a/b", **extra})["languages"] == expected


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"cardData": {"base_model": "org/x"}, "tags": ["base_model:org/y"]}, ["org/x"]),
        ({"cardData": {"base_model": ["org/x", "org/z"]}}, ["org/x", "org/z"]),
        ({"card_data": "base_model: org/q\n"}, ["org/q"]),
        ({"tags": ["base_model:org/y"]}, ["org/y"]),
        ({"tags": ["base_model:org/y", "base_model:finetune:org/y"]}, ["org/y"]),
        ({"tags": ["base_model:finetune:org/y"]}, ["org/y"]),
        ({"tags": ["base_model:quantized:org/y", "base_model:adapter:org/y"]}, ["org/y"]),
        ({"tags": ["base_model:merge:org/m1", "base_model:merge:org/m2"]}, ["org/m1", "org/m2"]),
        # a plain tag wins over relation tags naming other models
        ({"tags": ["base_model:finetune:org/other", "base_model:org/y"]}, ["org/y"]),
        ({"tags": ["base-model:org/y"]}, None),
        ({}, None),
    ],
)
def test_base_models(extra: dict[str, Any], expected: list[str] | None) -> None:
    assert norm({"id": "a/b", **extra})["base_models"] == expected


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"safetensors": {"parameters": {"F16": 10, "F32": 5}, "total": 15}}, 15),
        ({"gguf": {"total": 7_241_732_096, "architecture": "llama"}}, 7_241_732_096),
        ({"safetensors": {"total": 15}, "gguf": {"total": 99}}, 15),
        ({"safetensors": {"parameters": {}, "total": None}, "gguf": {"total": 99}}, 99),
        ({"safetensors": {"total": 0}}, 0),
        ({"gguf": {"architecture": "llama"}}, None),
        ({"config": {"num_parameters": 12}}, None),
        ({}, None),
    ],
)
def test_params(extra: dict[str, Any], expected: int | None) -> None:
    assert norm({"id": "a/b", **extra})["params"] == expected


@pytest.mark.parametrize(
    ("gated", "expected"),
    [(False, False), (True, True), ("auto", True), ("manual", True), (None, None)],
)
def test_gated(gated: Any, expected: bool | None) -> None:
    raw = {"id": "a/b"} if gated is None else {"id": "a/b", "gated": gated}
    assert norm(raw)["gated"] is expected


@pytest.mark.parametrize(
    ("inference", "expected"),
    [("warm", True), ("cold", False), ("frozen", False), (None, None)],
)
def test_inference(inference: Any, expected: bool | None) -> None:
    raw = {"id": "a/b"} if inference is None else {"id": "a/b", "inference": inference}
    assert norm(raw)["inference"] is expected


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        (
            [
                {"provider": "together", "status": "live"},
                {"provider": "fal-ai", "status": "staging"},
                {"provider": "replicate", "status": "error"},
                {"provider": "hf-inference"},
            ],
            ["together", "hf-inference"],
        ),
        (
            {
                "together": {"status": "live"},
                "fal-ai": {"status": "staging"},
                "nscale": {"providerId": "x"},
            },
            ["together", "nscale"],
        ),
        ([{"provider": "fal-ai", "status": "staging"}], []),
        ([], []),
        ({}, []),
        (None, None),
    ],
)
def test_providers(mapping: Any, expected: list[str] | None) -> None:
    raw: dict[str, Any] = {"id": "a/b"}
    if mapping is not None:
        raw["inferenceProviderMapping"] = mapping
    assert norm(raw)["providers"] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"id": "acme/model", "author": "Acme-Org"}, "Acme-Org"),
        ({"id": "acme/model"}, "acme"),
        ({"modelId": "acme/model", "author": None}, "acme"),
        ({"id": "gpt2"}, None),
    ],
)
def test_author(raw: dict[str, Any], expected: str | None) -> None:
    assert norm(raw)["author"] == expected


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"library_name": "timm", "tags": ["transformers"]}, "timm"),
        ({"tags": ["pytorch", "diffusers", "safetensors"]}, "diffusers"),
        ({"tags": ["setfit", "en"]}, "setfit"),
        ({"tags": ["sentence-transformers", "transformers"]}, "sentence-transformers"),
        ({"tags": ["pytorch", "safetensors", "en"]}, None),
        ({}, None),
    ],
)
def test_library(extra: dict[str, Any], expected: str | None) -> None:
    assert norm({"id": "a/b", **extra})["library"] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-04-17T09:35:12.000Z", datetime(2024, 4, 17, 9, 35, 12, tzinfo=UTC)),
        ("2024-04-17T11:35:12+02:00", datetime(2024, 4, 17, 9, 35, 12, tzinfo=UTC)),
        ("2023-04-12 22:41:03+00:00", datetime(2023, 4, 12, 22, 41, 3, tzinfo=UTC)),
        ("2024-04-17T09:35:12", datetime(2024, 4, 17, 9, 35, 12, tzinfo=UTC)),
        (datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC)),
        ("not a date", None),
        ("", None),
    ],
)
def test_timestamps_are_utc(value: Any, expected: datetime | None) -> None:
    assert norm({"id": "a/b", "createdAt": value})["created_at"] == expected
    assert norm({"id": "a/b", "lastModified": value})["last_modified"] == expected


def test_task_and_counts() -> None:
    row = norm(
        {
            "id": "a/b",
            "pipeline_tag": "image-classification",
            "downloads": 5,
            "likes": 0,
            "downloadsAllTime": 50,
            "trendingScore": 3,
        }
    )
    assert (row["task"], row["downloads"], row["likes"]) == ("image-classification", 5, 0)
    assert (row["downloads_all_time"], row["trending_score"]) == (50, 3)


# ---------------------------------------------------------------------------------------------
# missing stays missing
# ---------------------------------------------------------------------------------------------


def test_record_with_only_an_id_is_all_missing() -> None:
    assert norm({"id": "solo/bare"}) == {
        **ALL_MISSING,
        "id": "solo/bare",
        "author": "solo",
        "source": "records",
        "fetched_at": WHEN,
    }


def test_missing_is_na_in_the_frame_never_zero_or_empty() -> None:
    df, _ = normalize_records([{"id": "solo/bare"}, {"id": "gpt2"}], fetched_at=WHEN)
    bare = df[df["id"] == "solo/bare"].iloc[0]
    for col in COLUMN_NAMES:
        if col in ("id", "author", "source", "fetched_at"):
            continue
        assert plain(bare[col]) is None, col
    assert pd.isna(df.loc[df["id"] == "gpt2", "author"]).all()
    for col in ("downloads", "likes", "params", "downloads_all_time", "trending_score"):
        assert df[col].isna().all()
        assert (df[col].fillna(-1) != 0).all()
    for col in ("task", "library", "license", "sha"):
        assert df[col].isna().all()
        assert not (df[col].astype("string").fillna("<missing>") == "").any()


def test_zero_and_false_and_empty_lists_are_values_not_missing() -> None:
    row = norm(
        {
            "id": "a/b",
            "downloads": 0,
            "likes": 0,
            "trendingScore": 0,
            "gated": False,
            "private": False,
            "tags": [],
            "inferenceProviderMapping": [],
        }
    )
    assert (row["downloads"], row["likes"], row["trending_score"]) == (0, 0, 0)
    assert row["gated"] is False
    assert row["private"] is False
    assert row["tags"] == []
    assert row["providers"] == []
    # an empty tag list is not evidence of languages, a license or base models
    assert (row["languages"], row["license"], row["base_models"]) == (None, None, None)


def test_missing_keys_and_none_values_are_the_same() -> None:
    nones = {
        "id": "a/b",
        "author": None,
        "pipeline_tag": None,
        "library_name": None,
        "downloads": None,
        "likes": None,
        "createdAt": None,
        "gated": None,
        "private": None,
        "cardData": None,
        "safetensors": None,
        "gguf": None,
        "inference": None,
        "inferenceProviderMapping": None,
        "tags": None,
        "sha": None,
    }
    assert norm(nones) == norm({"id": "a/b"})


def test_empty_strings_are_missing() -> None:
    row = norm({"id": "a/b", "pipeline_tag": "", "sha": "", "library_name": "", "author": ""})
    assert (row["task"], row["sha"], row["library"]) == (None, None, None)
    assert row["author"] == "a"


# ---------------------------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------------------------

LIST_DTYPE = pd.ArrowDtype(pa.list_(pa.dictionary(pa.int32(), pa.string())))
EXPECTED_DTYPES: dict[str, Any] = {
    "id": "string",
    "author": "category",
    "task": "category",
    "library": "category",
    "languages": LIST_DTYPE,
    "license": "category",
    "tags": LIST_DTYPE,
    "downloads": pd.Int64Dtype(),
    "downloads_all_time": pd.Int64Dtype(),
    "likes": pd.Int64Dtype(),
    "trending_score": pd.Int64Dtype(),
    "created_at": pd.DatetimeTZDtype("us", "UTC"),
    "last_modified": pd.DatetimeTZDtype("us", "UTC"),
    "params": pd.Int64Dtype(),
    "gated": pd.BooleanDtype(),
    "private": pd.BooleanDtype(),
    "base_models": LIST_DTYPE,
    "inference": pd.BooleanDtype(),
    "providers": LIST_DTYPE,
    "sha": "string",
    "source": "category",
    "fetched_at": pd.DatetimeTZDtype("us", "UTC"),
}


def assert_schema_dtypes(df: pd.DataFrame) -> None:
    assert list(df.columns) == list(COLUMN_NAMES)
    for col, want in EXPECTED_DTYPES.items():
        have = df[col].dtype
        if want == "string":
            assert isinstance(have, pd.StringDtype), (col, have)
            assert have.na_value is pd.NA, (col, have)
        elif want == "category":
            assert isinstance(have, pd.CategoricalDtype), (col, have)
        else:
            assert have == want, (col, have, want)


@pytest.mark.parametrize(
    "records",
    [
        pytest.param([MODERN, LEGACY_2022, SNAKE, WRAPPED], id="mixed"),
        pytest.param([{"id": "solo/bare"}], id="all-missing"),
        pytest.param([], id="empty"),
    ],
)
def test_dtypes_of_every_column(records: list[dict[str, Any]]) -> None:
    df, _ = normalize_records(copy.deepcopy(records), fetched_at=WHEN)
    assert_schema_dtypes(df)
    assert_schema_dtypes(Catalog(df).df)


def test_catalog_from_plain_rows_has_schema_dtypes(tiny_records: list[dict[str, Any]]) -> None:
    rows = [normalize_record(r, fetched_at=WHEN)[0] for r in tiny_records]
    catalog = Catalog(pd.DataFrame(rows))
    assert_schema_dtypes(catalog.df)


def test_catalog_df_dtypes(tiny_catalog: Catalog) -> None:
    assert_schema_dtypes(tiny_catalog.df)
    assert tiny_catalog.df["id"].is_monotonic_increasing
    assert tiny_catalog.df.index.equals(pd.RangeIndex(len(tiny_catalog)))


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [{"modelId": None, "downloads": 3}, {"downloads": 3}, {"id": ""}, {"id": 42}],
    ids=["none", "absent", "empty", "not-a-string"],
)
def test_record_without_id_names_its_index(bad: dict[str, Any]) -> None:
    records = [{"id": "a/b"}, {"id": "c/d"}, bad, {"id": "e/f"}]
    with pytest.raises(ValueError, match=r"record 2\b.*\bid\b"):
        normalize_records(records)
    with pytest.raises(ValueError, match=r"\bid\b"):
        normalize_record(bad)


@pytest.mark.parametrize("bad", [42, "acme/model", None, 3.5, b"{}"])
def test_non_record_is_a_type_error(bad: Any) -> None:
    with pytest.raises(TypeError, match="record"):
        normalize_record(bad)
    with pytest.raises(TypeError):
        normalize_records([{"id": "a/b"}, bad])


@pytest.mark.parametrize("bad", [42, None])
def test_non_iterable_records_is_a_type_error(bad: Any) -> None:
    with pytest.raises(TypeError):
        normalize_records(bad)


@pytest.mark.parametrize("bad", ["acme/model", {"id": "a/b"}, b"x"])
def test_catalog_from_records_rejects_a_single_record(bad: Any) -> None:
    with pytest.raises(TypeError, match="iterable of model records"):
        Catalog.from_records(bad)


# ---------------------------------------------------------------------------------------------
# bugs found (strict xfail: they fail today; fix the code, then drop the mark)
# ---------------------------------------------------------------------------------------------


def test_wrapped_recording_card_na_marker_is_missing() -> None:
    raw = copy.deepcopy(WRAPPED)
    raw["card"] = "N/A"
    _row, card = normalize_record(raw)
    assert card is None
    _df, cards = normalize_records([raw])
    assert cards == {}


def test_failed_wrapped_recording_is_rejected() -> None:
    failed = {
        "model_id": "https://huggingface.co/RedHatAI/DeepSeek-R1-quantized.w4a16",
        "family": "DeepSeek-R1",
        "depth": 1,
        "metadata": {"raw": "N/A"},
        "card": "N/A",
    }
    with pytest.raises(ValueError, match=r"record 1\b"):
        normalize_records([{"id": "a/b"}, failed])


# ---------------------------------------------------------------------------------------------
# the recorded Hub data (skips without /work/shared/data)
# ---------------------------------------------------------------------------------------------


def test_recorded_2025_vintages_agree(raw_2025_records: list[dict[str, Any]]) -> None:
    """The same 2025 records as recorded (wrapped, snake_case), converted to today's camelCase
    API JSON, and as ModelInfo objects normalize to the same frame."""
    api = load_shared_records("2025")
    wrapped, wrapped_cards = normalize_records(raw_2025_records, fetched_at=WHEN)
    camel, _ = normalize_records(api, fetched_at=WHEN)
    infos = [ModelInfo(**{k: v for k, v in r.items() if not k.startswith("_")}) for r in api]
    objects, _ = normalize_records(infos, fetched_at=WHEN)
    wrapped = Catalog(wrapped).df
    pd.testing.assert_frame_equal(wrapped, Catalog(camel).df, check_categorical=False)
    pd.testing.assert_frame_equal(wrapped, Catalog(objects).df, check_categorical=False)
    assert len(wrapped) == len(raw_2025_records)
    assert set(wrapped_cards) <= set(wrapped["id"])


def test_recorded_2025_known_record(raw_2025_records: list[dict[str, Any]]) -> None:
    raw = next(r for r in raw_2025_records if r["metadata"]["id"] == "lllyasviel/ControlNet-v1-1")
    row, card = normalize_record(raw, fetched_at=WHEN)
    got = {k: plain(v) for k, v in row.items()}
    files = got.pop("files")  # 30 RepoSibling reprs: 14 .pth checkpoints and their .yaml
    assert files[:3] == [".gitattributes", "README.md", "control_v11e_sd15_ip2p.pth"]
    assert len(files) == 30 and sum(f.endswith(".pth") for f in files) == 14
    assert got == {
        **{k: v for k, v in ALL_MISSING.items() if k != "files"},
        "id": "lllyasviel/ControlNet-v1-1",
        "author": "lllyasviel",
        "license": "openrail",
        "tags": ["license:openrail", "region:us"],
        "downloads": 0,
        "likes": 3804,
        "created_at": datetime(2023, 4, 12, 22, 41, 3, tzinfo=UTC),
        "last_modified": datetime(2023, 4, 25, 22, 46, 12, tzinfo=UTC),
        "gated": False,
        "private": False,
        "sha": "69fc48b9cbd98661f6d0288dc59b59a5ccb32a6b",
        "source": "records",
        "fetched_at": WHEN,
    }
    assert card is not None
    assert card.startswith("---\nlicense: openrail\n---")


def test_recorded_2022_records(raw_2022_records: list[dict[str, Any]]) -> None:
    df, cards = normalize_records(raw_2022_records, fetched_at=WHEN)
    assert cards == {}
    assert len(df) == len({r["modelId"] for r in raw_2022_records})
    assert_schema_dtypes(df)
    first = raw_2022_records[0]
    assert row_of(df, "007J/smile") == {
        **ALL_MISSING,
        "id": "007J/smile",
        "author": "007J",
        "tags": [],
        "downloads": 0,
        "likes": 0,
        "last_modified": datetime(2022, 1, 20, 12, 13, 34, tzinfo=UTC),
        "private": False,
        "sha": first["sha"],
        "files": [".gitattributes"],
        "source": "records",
        "fetched_at": WHEN,
    }
    # the 2022 list records have no creation date, card data, params or gating
    for col in ("created_at", "params", "gated", "downloads_all_time", "providers"):
        assert df[col].isna().all(), col
    # every value that is there came from the record
    by_id = {r["modelId"]: r for r in raw_2022_records}
    sample = df.iloc[:: max(1, len(df) // 300)]
    for _, row in sample.iterrows():
        raw = by_id[row["id"]]
        assert plain(row["task"]) == raw.get("pipeline_tag")
        assert plain(row["downloads"]) == raw.get("downloads")
        assert plain(row["likes"]) == raw.get("likes")
        assert plain(row["tags"]) == raw.get("tags")
        if raw.get("library_name"):
            assert row["library"] == raw["library_name"]
        license_tags = [t[8:] for t in raw.get("tags") or [] if t.startswith("license:")]
        assert plain(row["license"]) == (license_tags[0] if license_tags else None)


# ---------------------------------------------------------------------------------------------
# files, remote code and the Hub's repo-level scan verdict (issue 12)
# ---------------------------------------------------------------------------------------------

SECURITY = {
    "scansDone": True,
    "filesWithIssues": [
        {"path": "pytorch_model.bin", "level": "unsafe"},
        {"path": "odd (name).pt", "level": "suspicious"},
    ],
}
SECURE_FIELDS: dict[str, Any] = {
    "files": ["config.json", "pytorch_model.bin", "odd (name).pt", "modeling_x.py"],
    "remote_code": ["modeling_x.py", "org/other--tokenization_y.py"],
    "scans_done": True,
    "files_with_issues": ["pytorch_model.bin (unsafe)", "odd (name).pt (suspicious)"],
}
CONFIG = {
    "model_type": "x",
    "auto_map": {
        "AutoModel": "modeling_x.XModel",
        "AutoTokenizer": ["org/other--tokenization_y.YTokenizer", None],
    },
}


def _files_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in SECURE_FIELDS}


def test_files_and_security_from_api_json() -> None:
    raw = {
        "id": "acme/x",
        "siblings": [{"rfilename": f} for f in SECURE_FIELDS["files"]],
        "config": CONFIG,
        "securityRepoStatus": SECURITY,
    }
    assert _files_fields(norm(raw)) == SECURE_FIELDS


def test_files_and_security_from_a_model_info_object() -> None:
    info = ModelInfo(
        id="acme/x",
        siblings=[{"rfilename": f} for f in SECURE_FIELDS["files"]],
        config=CONFIG,
        securityRepoStatus=SECURITY,
    )
    assert info.security_repo_status == SECURITY  # what the client keeps of the JSON
    assert _files_fields(norm(info)) == SECURE_FIELDS


def test_files_and_security_from_a_2025_recording_with_repr_siblings() -> None:
    reprs = [
        f"RepoSibling(rfilename={name!r}, size=None, blob_id=None, lfs=None)"
        for name in SECURE_FIELDS["files"]
    ]
    raw = {
        "metadata": {
            "id": "acme/x",
            "siblings": reprs,
            "config": CONFIG,
            "security_repo_status": SECURITY,
        },
        "card": "N/A",
    }
    assert _files_fields(norm(raw)) == SECURE_FIELDS


def test_repr_siblings_with_quotes_and_escapes() -> None:
    names = ["it's.bin", 'say "hi".txt', "back\\slash.pt"]
    raw = {"id": "a/b", "siblings": [f"RepoSibling(rfilename={n!r}, size=1)" for n in names]}
    assert norm(raw)["files"] == names


def test_missing_file_list_and_verdict_stay_missing_never_empty() -> None:
    row = norm({"id": "a/b"})
    assert (row["files"], row["remote_code"], row["scans_done"], row["files_with_issues"]) == (
        None,
        None,
        None,
        None,
    )
    clean = norm({"id": "a/b", "securityRepoStatus": {"scansDone": True, "filesWithIssues": []}})
    assert (clean["scans_done"], clean["files_with_issues"]) == (True, [])
    queued = norm({"id": "a/b", "securityRepoStatus": {"scansDone": False}})
    assert (queued["scans_done"], queued["files_with_issues"]) == (False, [])
    no_level = norm({"id": "a/b", "securityRepoStatus": {"filesWithIssues": [{"path": "w.pt"}]}})
    assert (no_level["scans_done"], no_level["files_with_issues"]) == (None, ["w.pt (unknown)"])


def test_new_columns_survive_a_snapshot_and_an_older_snapshot_loads(tmp_path: Any) -> None:
    import pyarrow.parquet as pq  # noqa: PLC0415

    raw = {
        "id": "acme/x",
        "siblings": [{"rfilename": f} for f in SECURE_FIELDS["files"]],
        "config": CONFIG,
        "securityRepoStatus": SECURITY,
    }
    cat = Catalog.from_records([raw, {"id": "acme/y"}], fetched_at=WHEN)
    path = cat.to_parquet(tmp_path / "s.parquet")
    back = Catalog.read_parquet(path)
    assert _files_fields(row_of(back.df, "acme/x")) == SECURE_FIELDS
    assert _files_fields(row_of(back.df, "acme/y")) == dict.fromkeys(SECURE_FIELDS)
    # a snapshot written before these columns existed: they load as missing
    table = pq.read_table(path)
    old = table.drop_columns(list(SECURE_FIELDS))
    pq.write_table(old.replace_schema_metadata(table.schema.metadata), tmp_path / "old.parquet")
    older = Catalog.read_parquet(tmp_path / "old.parquet")
    assert list(older.df.columns) == list(COLUMN_NAMES)
    assert _files_fields(row_of(older.df, "acme/x")) == dict.fromkeys(SECURE_FIELDS)
    assert row_of(older.df, "acme/x")["sha"] is None and len(older) == 2
