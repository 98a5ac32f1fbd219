"""hw.deploy_snippets (issue 14 item 5): code to run or deploy a model. Every Python snippet
parses and names the model and the revision it pins; every shell command does too; no token is
ever written into the code."""

from __future__ import annotations

import ast
import inspect
from datetime import datetime, timezone

import pandas as pd
import pytest
from huggingface_hub import HfApi
from huggingface_hub._inference_endpoints import InferenceEndpointType

import hubwidgets as hw
from hubwidgets.core.catalog.catalog import Catalog
from hubwidgets.core.cost.snippets import SNIPPET_COLUMNS

LLM = "org/chat-3b"
CLASSIFIER = "org/sentiment"
GGUF = "org/chat-3b-GGUF"
IMAGES = "org/painter"
HUGE = "org/giant-2t"
SHA = "0123456789abcdef0123456789abcdef01234567"


def _record(model_id: str, task: str, library: str, **extra: object) -> dict[str, object]:
    files = extra.pop("files", ["config.json", "model.safetensors"])
    return {
        "id": model_id,
        "pipeline_tag": task,
        "library_name": library,
        "sha": SHA,
        "siblings": [{"rfilename": f} for f in files],  # type: ignore[attr-defined]
        "tags": [],
        **extra,
    }


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    live = {"status": "live", "providerId": "x", "task": "conversational"}
    records = [
        _record(
            LLM,
            "text-generation",
            "transformers",
            safetensors={"total": 3_000_000_000},
            inferenceProviderMapping={"together": live, "novita": live},
        ),
        _record(
            CLASSIFIER,
            "text-classification",
            "transformers",
            safetensors={"total": 125_000_000},
            inferenceProviderMapping={"hf-inference": {"status": "live", "task": "x"}},
        ),
        _record(
            GGUF,
            "text-generation",
            "gguf",
            files=["chat-3b-Q8_0.gguf", "chat-3b-Q4_K_M.gguf"],
            gguf={"total": 3_000_000_000},
        ),
        _record(IMAGES, "text-to-image", "diffusers", safetensors={"total": 2_600_000_000}),
        _record(HUGE, "text-generation", "transformers", safetensors={"total": 2 * 10**12}),
    ]
    return Catalog.from_records(records, fetched_at=datetime(2026, 1, 1, tzinfo=timezone.utc))


def _constants(code: str) -> set[str]:
    return {
        n.value
        for n in ast.walk(ast.parse(code))
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def _check_snippets(rows: pd.DataFrame, model: str, revision: str) -> None:
    assert tuple(rows.columns) == SNIPPET_COLUMNS
    for row in rows.itertuples():
        assert "hf_" not in row.code and "hf_" not in row.note  # never a token literal
        if not row.code:
            assert row.note, f"{row.kind}: no snippet and no note saying why"
            continue
        if row.language == "python":
            names = _constants(row.code)  # parses, and names the model as a string
            assert model in names, row.code
            if row.kind != "inference_client":  # a provider serves its own copy
                assert revision in names, row.code
        else:
            assert row.language == "bash"
            assert model in row.code.split() and revision in row.code.split()


def test_a_text_generation_model_gets_every_snippet(catalog: Catalog) -> None:
    rows = hw.deploy_snippets(LLM, catalog=catalog)
    _check_snippets(rows, LLM, SHA)
    assert list(rows["kind"]) == [
        "transformers",
        "inference_client",
        "inference_client",
        "inference_endpoint",
        "tgi",
        "vllm",
    ]
    by_kind = rows.set_index("kind")
    assert 'pipeline("text-generation"' in by_kind.at["transformers", "code"]
    clients = rows[rows["kind"] == "inference_client"]
    assert set(clients["provider"]) == {"together", "novita"}
    for code, provider in zip(clients["code"], clients["provider"], strict=True):
        assert "client.chat_completion(" in code
        assert f'InferenceClient(provider="{provider}", api_key=os.environ["HF_TOKEN"])' in code
    assert all("cannot be pinned" in n for n in clients["note"])
    assert "ghcr.io/huggingface/text-generation-inference" in by_kind.at["tgi", "code"]
    assert "--model-id" in by_kind.at["tgi", "code"]
    assert "vllm/vllm-openai" in by_kind.at["vllm", "code"]
    assert "--model " in by_kind.at["vllm", "code"]


def test_the_endpoint_is_the_cheapest_gpu_instance_that_fits(catalog: Catalog) -> None:
    code = (
        hw.deploy_snippets(LLM, catalog=catalog).set_index("kind").at["inference_endpoint", "code"]
    )
    call = next(
        n
        for n in ast.walk(ast.parse(code))
        if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "create_inference_endpoint"
    )
    kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    assert kwargs["repository"] == LLM and kwargs["revision"] == SHA
    assert kwargs["framework"] == "pytorch"
    # a type huggingface_hub accepts (it refuses others with a ValueError before any request)
    assert kwargs["type"] in {t.value for t in InferenceEndpointType}
    assert kwargs["type"] == "authenticated"
    assert kwargs["task"] == "text-generation" and kwargs["accelerator"] == "gpu"
    # the cheapest GPU instance in the bundled prices whose memory holds it, as estimate_cost says
    est = hw.estimate_cost(
        LLM, hw.Workload(1, 1, 1), options="gpu", catalog=catalog, provider_table=None
    )
    fits = est[est["fits"].fillna(False).astype(bool) & (est["status"].fillna("") != "deprecated")]
    best = fits.sort_values(["price_per_hour_usd", "instance"]).iloc[0]
    assert (kwargs["instance_type"], kwargs["instance_size"], kwargs["vendor"]) == (
        best["instance_type"],
        best["instance_size"],
        best["vendor"],
    )
    # the real signature takes these arguments
    params = inspect.signature(HfApi.create_inference_endpoint).parameters
    assert set(kwargs) <= set(params)


def test_a_classifier_gets_notes_instead_of_tgi_and_vllm(catalog: Catalog) -> None:
    rows = hw.deploy_snippets(CLASSIFIER, catalog=catalog, revision="v1.0")
    _check_snippets(rows, CLASSIFIER, "v1.0")
    by_kind = rows.set_index("kind")
    assert 'pipeline("text-classification"' in by_kind.at["transformers", "code"]
    assert "client.text_classification(" in by_kind.at["inference_client", "code"]
    assert by_kind.at["inference_client", "provider"] == "hf-inference"
    for server in ("tgi", "vllm"):
        assert by_kind.at[server, "code"] == ""
        assert "text generation only" in by_kind.at[server, "note"]


def test_providers_override_the_catalog_and_none_is_said(catalog: Catalog) -> None:
    rows = hw.deploy_snippets(CLASSIFIER, catalog=catalog, providers=["groq", "together"])
    assert list(rows.loc[rows["kind"] == "inference_client", "provider"]) == ["groq", "together"]
    none = hw.deploy_snippets(IMAGES, catalog=catalog)
    client = none[none["kind"] == "inference_client"].iloc[0]
    assert client["code"] == "" and "no Inference Provider" in client["note"]
    with pytest.raises(TypeError, match="provider"):
        hw.deploy_snippets(LLM, catalog=catalog, providers=[3])


def test_gguf_and_other_libraries_get_their_own_snippet(catalog: Catalog) -> None:
    rows = hw.deploy_snippets(GGUF, catalog=catalog)
    _check_snippets(rows, GGUF, SHA)
    by_kind = rows.set_index("kind")
    assert by_kind.at["transformers", "code"] == ""
    assert "GGUF" in by_kind.at["transformers", "note"]
    assert "chat-3b-Q4_K_M.gguf" in _constants(by_kind.at["llama.cpp", "code"])
    assert by_kind.at["tgi", "code"] == "" and by_kind.at["inference_endpoint", "code"] == ""
    images = hw.deploy_snippets(IMAGES, catalog=catalog)
    _check_snippets(images, IMAGES, SHA)
    assert "DiffusionPipeline" in images.set_index("kind").at["diffusers", "code"]


def test_a_model_too_large_for_every_instance_gets_no_endpoint(catalog: Catalog) -> None:
    row = hw.deploy_snippets(HUGE, catalog=catalog).set_index("kind").loc["inference_endpoint"]
    assert row["code"] == ""
    assert "too large for every instance" in row["note"]


def test_revision_defaults_to_the_sha_else_main_with_a_note() -> None:
    bare = Catalog.from_records([{"id": "org/nosha", "pipeline_tag": "fill-mask"}])
    rows = hw.deploy_snippets("org/nosha", catalog=bare)
    _check_snippets(rows, "org/nosha", "main")
    assert "not pinned" in rows.set_index("kind").at["transformers", "note"]


def test_unknown_model_or_task_says_what_is_close(catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="org/chat-3b"):
        hw.deploy_snippets("org/chat-3", catalog=catalog)
    with pytest.raises(ValueError, match="text-classification"):
        hw.deploy_snippets(CLASSIFIER, catalog=catalog, task="text-clasification")
    with pytest.raises(TypeError, match="model"):
        hw.deploy_snippets(None, catalog=catalog)  # type: ignore[arg-type]


def test_the_pipeline_task_is_one_transformers_takes() -> None:
    pipelines = pytest.importorskip("transformers.pipelines", reason="transformers not installed")
    supported = set(pipelines.SUPPORTED_TASKS) | set(pipelines.TASK_ALIASES)
    tasks = ["text-generation", "sentence-similarity", "text-to-speech", "summarization"]
    records = [{"id": f"org/{t}", "pipeline_tag": t, "library_name": "transformers"} for t in tasks]
    catalog = Catalog.from_records(records)
    for task in tasks:
        code = hw.deploy_snippets(f"org/{task}", catalog=catalog).at[0, "code"]
        calls = [
            n
            for n in ast.walk(ast.parse(code))
            if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "pipeline"
        ]
        if calls:
            assert ast.literal_eval(calls[0].args[0]) in supported, code
        else:  # no pipeline for the task: the model class, pinned
            assert ".from_pretrained(" in code and f"org/{task}" in _constants(code)
