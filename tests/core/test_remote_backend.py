"""RemoteBackend through the real InferenceClient, answered from recorded cassettes.

Every case replays a cassette of huggingface_hub's own test-suite (``CassetteReplay``): the
client really routes, builds the request, parses the reply; no byte leaves the process. The
inputs are the ones huggingface_hub's tests sent, read back from the recorded request, and the
expected outputs are read from the recorded reply, not from what the client made of it.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from huggingface_hub import constants
from huggingface_hub.utils import _http
from PIL import Image

from hubwidgets.core.inference.backends import BackendError, InferenceResult, RemoteBackend
from hubwidgets.testing.replay import CassetteReplay, Exchange, load_cassette

from .spend_support import cassettes_fixture  # noqa: F401

TOKEN = "hf_replayed_not_a_real_token"
SYSTEM_AND_QUESTION = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is deep learning?"},
]


def _post(exchanges: list[Exchange]) -> Exchange:
    return next(e for e in exchanges if e.method == "POST")


def _reply(exchanges: list[Exchange], url_part: str = "") -> Any:
    """The recorded JSON reply of the (first) POST whose URL contains ``url_part``."""
    return json.loads(
        next(e for e in exchanges if e.method == "POST" and url_part in e.url).content
    )


def _model_of(exchanges: list[Exchange]) -> str:
    """The Hub model id the recorded test asked for (its first model-info request)."""
    first = next(e for e in exchanges if e.method == "GET" and "/api/models/" in e.url)
    return first.url.split("/api/models/", 1)[1].split("?", 1)[0]


def _pixels(data: bytes) -> tuple[tuple[int, int], bytes]:
    with Image.open(io.BytesIO(data)) as image:
        rgb = image.convert("RGB")
        return rgb.size, rgb.tobytes()


def _scored(elements: list[dict[str, Any]]) -> list[tuple[str, float]]:
    return sorted(((e["label"], e["score"]) for e in elements), key=lambda t: -t[1])


@dataclass
class Case:
    """One replayed call: what to run and how to check it against the recording."""

    cassette: str
    provider: str
    task: str
    #: (exchanges) -> the input item; default: the recorded JSON body's "inputs"
    inputs: Callable[[list[Exchange]], Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    #: (output, exchanges, result) -> None, asserting on the normalized output
    check: Callable[[Any, list[Exchange], InferenceResult], None] | None = None
    model: str | None = None


def _json_inputs(exchanges: list[Exchange]) -> Any:
    return _post(exchanges).json_body["inputs"]


def _binary_inputs(exchanges: list[Exchange]) -> bytes:
    body = _post(exchanges).body
    assert isinstance(body, bytes)
    return body


def _check_text_classification(out: Any, ex: list[Exchange], _: InferenceResult) -> None:
    assert _scored(out) == _scored(_reply(ex)[0])
    assert out[0]["label"] == "POSITIVE"


def _check_same_list(out: Any, ex: list[Exchange], _: InferenceResult) -> None:
    assert out == _reply(ex)


def _check_scored(out: Any, ex: list[Exchange], _: InferenceResult) -> None:
    assert _scored(out) == _scored(_reply(ex))
    assert out == sorted(out, key=lambda d: -d["score"])  # highest first


def _check_summary(out: Any, ex: list[Exchange], _: InferenceResult) -> None:
    assert out == {"summary_text": _reply(ex)[0]["summary_text"]}


def _check_translation(out: Any, ex: list[Exchange], _: InferenceResult) -> None:
    assert out == {"translation_text": _reply(ex)[0]["translation_text"]}


def _check_features(out: Any, ex: list[Exchange], _: InferenceResult) -> None:
    recorded = _reply(ex)  # [1 text][tokens][dims]
    assert out == recorded[0]
    assert isinstance(out[0][0], float)
    assert len(out) > 1 and len(out[0]) == 768  # tokens x dims (bart-base)


def _check_detection(out: Any, ex: list[Exchange], _: InferenceResult) -> None:
    recorded = _reply(ex)
    key = lambda d: (d["label"], d["score"])  # noqa: E731
    assert sorted(out, key=key) == sorted(recorded, key=key)
    assert set(out[0]["box"]) == {"xmin", "ymin", "xmax", "ymax"}


def _check_segmentation(out: Any, ex: list[Exchange], _: InferenceResult) -> None:
    recorded = _reply(ex)
    assert [(o["label"], o["score"]) for o in out] == [(r["label"], r["score"]) for r in recorded]
    for got, want in zip(out, recorded, strict=True):
        assert isinstance(got["mask"], str)
        got_size, got_pixels = _pixels(base64.b64decode(got["mask"]))
        want_size, want_pixels = _pixels(base64.b64decode(want["mask"]))
        assert got_size == want_size and got_pixels == want_pixels


def _check_caption(out: Any, ex: list[Exchange], _: InferenceResult) -> None:
    assert out == {"generated_text": _reply(ex)[0]["generated_text"]}


def _check_transcript(out: Any, ex: list[Exchange], _: InferenceResult) -> None:
    recorded = _reply(ex)
    assert out["text"] == recorded["text"]
    # fal-ai's reply has timestamped chunks, but huggingface_hub keeps only its text
    assert "chunks" not in out


def _check_speech(out: Any, ex: list[Exchange], _: InferenceResult) -> None:
    # a streamed FLAC of unknown length: kept as sent, its rate read from the header
    assert out["audio"][:4] == b"fLaC"
    assert out["audio"] == _post(ex).content
    assert out["sampling_rate"] == 22050


def _image_check(url_part: str, decode: Callable[[bytes], bytes]) -> Callable[..., None]:
    def check(out: Any, ex: list[Exchange], _: InferenceResult) -> None:
        recorded = next(e for e in ex if url_part in e.url and e.status < 300)
        assert out["image"][:8] == b"\x89PNG\r\n\x1a\n"
        assert _pixels(out["image"]) == _pixels(decode(recorded.content))

    return check


def _together_image(content: bytes) -> bytes:
    return base64.b64decode(json.loads(content)["data"][0]["b64_json"])


def _check_chat(out: Any, ex: list[Exchange], result: InferenceResult) -> None:
    recorded = _reply(ex, "chat/completions")
    assert out == {"role": "assistant", "content": recorded["choices"][0]["message"]["content"]}
    assert result.metrics["generated_tokens"] == recorded["usage"]["completion_tokens"]


def _recorded_generation(out: Any, ex: list[Exchange], result: InferenceResult) -> None:
    recorded = _reply(ex)[0]
    assert out == {"generated_text": recorded["generated_text"]}
    assert result.metrics["generated_tokens"] == recorded["details"]["generated_tokens"]


def _check_regression(out: Any, ex: list[Exchange], result: InferenceResult) -> None:
    # the first reply was 400 (non-TGI model); the client retried without those parameters
    assert out == {"generated_text": "I am at work"}
    assert "generated_tokens" not in result.metrics


def _check_similarity(out: Any, ex: list[Exchange], _: InferenceResult) -> None:
    assert out == _reply(ex)


def _similarity_inputs(ex: list[Exchange]) -> dict[str, Any]:
    body = _post(ex).json_body
    return {"source_sentence": body["source_sentence"], "sentences": body["sentences"]}


def _zero_shot_image_inputs(ex: list[Exchange]) -> bytes:
    return base64.b64decode(_post(ex).json_body["inputs"])


def _tc(name: str) -> str:
    return f"TestInferenceClient.test_{name}.yaml"


CHAT_PROVIDERS = ("cerebras", "fireworks-ai", "hf-inference", "novita", "together")
IMAGE_PROVIDERS: dict[str, Callable[..., None]] = {
    "hf-inference": _image_check("hf-inference/models", lambda b: b),
    "fal-ai": _image_check("v3.fal.media", lambda b: b),
    "together": _image_check("images/generations", _together_image),
    "replicate": _image_check("replicate.delivery", lambda b: b),
}

CASES: dict[str, Case] = {
    "text-classification": Case(
        _tc("text_classification[hf-inference,text-classification]"),
        "hf-inference",
        "text-classification",
        check=_check_text_classification,
    ),
    "token-classification": Case(
        _tc("token_classification[hf-inference,token-classification]"),
        "hf-inference",
        "token-classification",
        check=_check_same_list,
    ),
    "summarization": Case(
        _tc("summarization[hf-inference,summarization]"),
        "hf-inference",
        "summarization",
        check=_check_summary,
    ),
    "translation": Case(
        _tc("translation[hf-inference,translation]"),
        "hf-inference",
        "translation",
        check=_check_translation,
    ),
    "translation-src-tgt": Case(
        _tc("translation_with_source_and_target_language[hf-inference,translation]"),
        "hf-inference",
        "translation",
        params={"src_lang": "en_XX", "tgt_lang": "fr_XX"},
        check=_check_translation,
    ),
    "feature-extraction": Case(
        _tc("feature_extraction_with_transformers[hf-inference,feature-extraction]"),
        "hf-inference",
        "feature-extraction",
        check=_check_features,
    ),
    "feature-extraction-st": Case(
        _tc("feature_extraction_with_sentence_transformers[hf-inference,feature-extraction]"),
        "hf-inference",
        "feature-extraction",
        check=_check_features,
    ),
    "sentence-similarity": Case(
        _tc("sentence_similarity[hf-inference,sentence-similarity]"),
        "hf-inference",
        "sentence-similarity",
        inputs=_similarity_inputs,
        check=_check_similarity,
    ),
    "image-classification": Case(
        _tc("image_classification[hf-inference,image-classification]"),
        "hf-inference",
        "image-classification",
        inputs=_binary_inputs,
        check=_check_scored,
    ),
    "object-detection": Case(
        _tc("object_detection[hf-inference,object-detection]"),
        "hf-inference",
        "object-detection",
        inputs=_binary_inputs,
        check=_check_detection,
    ),
    "image-segmentation": Case(
        _tc("image_segmentation[hf-inference,image-segmentation]"),
        "hf-inference",
        "image-segmentation",
        inputs=_binary_inputs,
        check=_check_segmentation,
    ),
    "image-to-text": Case(
        _tc("image_to_text[hf-inference,image-to-text]"),
        "hf-inference",
        "image-to-text",
        inputs=_binary_inputs,
        check=_check_caption,
    ),
    "zero-shot-image-classification": Case(
        _tc("zero_shot_image_classification[hf-inference,zero-shot-image-classification]"),
        "hf-inference",
        "zero-shot-image-classification",
        inputs=_zero_shot_image_inputs,
        params={"candidate_labels": ["tree", "woman", "cat"]},
        check=_check_scored,
    ),
    "audio-classification": Case(
        _tc("audio_classification[hf-inference,audio-classification]"),
        "hf-inference",
        "audio-classification",
        inputs=_binary_inputs,
        check=_check_scored,
    ),
    "asr-hf-inference": Case(
        _tc("automatic_speech_recognition[hf-inference,automatic-speech-recognition]"),
        "hf-inference",
        "automatic-speech-recognition",
        inputs=_binary_inputs,
        check=_check_transcript,
    ),
    "asr-fal-ai": Case(
        _tc("automatic_speech_recognition[fal-ai,automatic-speech-recognition]"),
        "fal-ai",
        "automatic-speech-recognition",
        # fal-ai gets the audio as a data URL; the same clip the hf-inference test sent
        inputs=lambda ex: base64.b64decode(_post(ex).json_body["audio_url"].split(",", 1)[1]),
        check=_check_transcript,
    ),
    "text-to-speech": Case(
        _tc("text_to_speech[hf-inference,text-to-speech]"),
        "hf-inference",
        "text-to-speech",
        check=_check_speech,
    ),
    "text-generation-details": Case(
        "TestTextGenerationClientVCR.test_generate_with_details.yaml",
        "hf-inference",
        "text-generation",
        params={"max_new_tokens": 1, "do_sample": False},
        check=_recorded_generation,
    ),
    "text-generation-non-tgi-retry": Case(
        "TestTextGenerationClientVCR.test_generate_non_tgi_endpoint_regression_test.yaml",
        "hf-inference",
        "text-generation",
        params={"max_new_tokens": 20, "do_sample": False},
        check=_check_regression,
    ),
    **{
        f"chat-{provider}": Case(
            _tc(f"chat_completion_no_stream[{provider},conversational]"),
            provider,
            "chat-completion",
            inputs=lambda ex: SYSTEM_AND_QUESTION,
            check=_check_chat,
        )
        for provider in CHAT_PROVIDERS
    },
    **{
        f"text-to-image-{provider}": Case(
            _tc(f"text_to_image_default[{provider},text-to-image]"),
            provider,
            "text-to-image",
            inputs=lambda ex: "An astronaut riding a horse on the moon.",
            check=check,
        )
        for provider, check in IMAGE_PROVIDERS.items()
    },
}


@pytest.mark.filterwarnings("ignore:API endpoint/model for text-generation is not served via TGI")
@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_replayed_task(case: Case, cassettes: Path) -> None:
    exchanges = load_cassette(cassettes / case.cassette)
    model = case.model or _model_of(exchanges)
    item = (case.inputs or _json_inputs)(exchanges)
    with CassetteReplay(exchanges) as replay:
        result = RemoteBackend(provider=case.provider, token=TOKEN).run(
            case.task, model, item, **case.params
        )
    assert result.backend == "remote"
    assert result.provider == case.provider
    assert result.task == case.task and result.model == model
    assert len(result.outputs) == 1
    assert result.latency_ms >= 0
    assert not result.attempts
    assert case.check is not None
    case.check(result.outputs[0], exchanges, result)
    # the inference call really went out, once per attempt the recording made
    assert len(replay.sent("POST")) == len([e for e in exchanges if e.method == "POST"])
    json.dumps(result.outputs[0], default=lambda b: "<bytes>")  # plain types only


# -- streaming ------------------------------------------------------------------------------------


def _recorded_stream_text(content: bytes) -> str:
    text = []
    for line in content.decode("utf-8").splitlines():
        if not line.startswith("data:") or line.strip() == "data: [DONE]":
            continue
        payload = json.loads(line[len("data:") :])
        if "choices" in payload:
            for choice in payload["choices"]:
                text.append((choice.get("delta") or {}).get("content") or "")
        else:
            text.append(payload["token"]["text"])
    return "".join(text)


@pytest.mark.parametrize("provider", CHAT_PROVIDERS)
def test_stream_chat_yields_the_recorded_text(provider: str, cassettes: Path) -> None:
    path = cassettes / _tc(f"chat_completion_with_stream[{provider},conversational]")
    exchanges = load_cassette(path)
    with CassetteReplay(path) as replay:
        pieces = list(
            RemoteBackend(provider=provider, token=TOKEN).stream(
                "chat-completion", _model_of(exchanges), SYSTEM_AND_QUESTION, max_tokens=20
            )
        )
    assert len(pieces) >= 3
    assert all(isinstance(p, str) and p for p in pieces)
    assert "".join(pieces) == _recorded_stream_text(_post(exchanges).content)
    assert replay.sent()[0].json["stream"] is True


def test_stream_text_generation(cassettes: Path) -> None:
    path = cassettes / "test_async_generate_stream_with_details.yaml"
    exchanges = load_cassette(path)
    with CassetteReplay(path):
        pieces = list(
            RemoteBackend(provider="hf-inference", token=TOKEN).stream(
                "text-generation", "openai-community/gpt2", "test", max_new_tokens=1
            )
        )
    assert pieces == ["."]
    assert "".join(pieces) == _recorded_stream_text(_post(exchanges).content)


def test_stream_checks_inputs_before_any_request(cassettes: Path) -> None:
    backend = RemoteBackend(provider="hf-inference", token=TOKEN)
    with CassetteReplay(cassettes / _tc("text_classification[hf-inference,text-classification]")):
        with pytest.raises(ValueError, match="cannot stream"):
            backend.stream("text-classification", "m", "hi")
        with pytest.raises(ValueError, match="one input item"):
            backend.stream("text-generation", "m", ["a", "b"])


# -- errors ---------------------------------------------------------------------------------------


def test_401_says_the_token_is_missing_or_invalid(cassettes: Path) -> None:
    with (
        CassetteReplay(cassettes / _tc("chat_completion_unprocessable_entity")),
        pytest.raises(BackendError) as info,
    ):
        RemoteBackend(provider="hf-inference", token=TOKEN).run(
            "chat-completion",
            "meta-llama/Meta-Llama-3-70B-Instruct",
            "please output 'Observation'",
            max_tokens=200,
            stop=["Observation", "Final Answer"],
        )
    error = info.value
    assert (error.backend, error.reason, error.status) == ("remote", "http", 401)
    assert "token" in str(error) and "HF_TOKEN" in str(error)
    assert "Invalid username or password" in str(error)  # what the server said


def test_422_carries_the_servers_message(cassettes: Path) -> None:
    with (
        CassetteReplay(
            cassettes / "TestTextGenerationClientVCR.test_generate_validation_error.yaml"
        ),
        pytest.raises(BackendError) as info,
    ):
        RemoteBackend(provider="hf-inference", token=TOKEN).run(
            "text-generation", "google/flan-t5-xxl", "test", max_new_tokens=10000
        )
    assert (info.value.reason, info.value.status) == ("http", 422)
    assert "`inputs` tokens + `max_new_tokens` must be <= 1512" in str(info.value)


def test_a_provider_without_a_token_is_an_auth_failure(
    cassettes: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _no_local_token(monkeypatch, tmp_path)
    path = cassettes / _tc("chat_completion_no_stream[together,conversational]")
    with CassetteReplay(path) as replay, pytest.raises(BackendError) as info:
        RemoteBackend(provider="together").run(
            "chat-completion", "meta-llama/Meta-Llama-3-8B-Instruct", SYSTEM_AND_QUESTION
        )
    assert info.value.reason == "auth"
    assert "HF_TOKEN" in str(info.value)
    assert not replay.sent("POST")


def test_unknown_provider_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match=r"unknown inference provider 'togther'.*'together'"):
        RemoteBackend(provider="togther")


def test_bad_inputs_stay_value_errors_and_send_nothing(cassettes: Path) -> None:
    backend = RemoteBackend(provider="hf-inference", token=TOKEN)
    with CassetteReplay(
        cassettes / _tc("image_classification[hf-inference,image-classification]")
    ) as replay:
        with pytest.raises(ValueError, match="input 0"):
            backend.run("text-classification", "m", "   ")
        with pytest.raises(ValueError, match="not a readable image"):
            backend.run("image-classification", "google/vit-base-patch16-224", b"not an image")
        with pytest.raises(ValueError, match="candidate_labels"):
            backend.run("zero-shot-classification", "m", "text")
    assert replay.requests == []


# -- requests: auth header, batches, auto provider, endpoints --------------------------------------


def _no_local_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "token"))
    monkeypatch.setattr(constants, "HF_STORED_TOKENS_PATH", str(tmp_path / "stored_tokens"))


def test_run_sends_the_token_only_when_given(
    cassettes: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _no_local_token(monkeypatch, tmp_path)
    path = cassettes / _tc("text_classification[hf-inference,text-classification]")
    model = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    with CassetteReplay(path) as replay:
        RemoteBackend(provider="hf-inference", token=TOKEN).run("text-classification", model, "x")
    assert replay.sent()[0].headers["authorization"] == f"Bearer {TOKEN}"
    with CassetteReplay(path) as replay:
        RemoteBackend(provider="hf-inference").run("text-classification", model, "x")
    assert "authorization" not in replay.sent()[0].headers


def test_one_call_per_item(cassettes: Path) -> None:
    path = cassettes / _tc("text_classification[hf-inference,text-classification]")
    model = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    with CassetteReplay(path) as replay:
        result = RemoteBackend(provider="hf-inference", token=TOKEN).run(
            "text-classification", model, ["I like you", "I like you too"]
        )
    assert len(result.outputs) == 2
    assert [r.json["inputs"] for r in replay.sent()] == ["I like you", "I like you too"]


def test_auto_reports_the_provider_that_served(cassettes: Path) -> None:
    path = cassettes / _tc("text_classification[hf-inference,text-classification]")
    model = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    with CassetteReplay(path) as replay:
        result = RemoteBackend(token=TOKEN).run("text-classification", model, "I like you")
    assert result.provider == "hf-inference"
    assert result.outputs[0][0]["label"] == "POSITIVE"
    # the cassette has no provider mapping (recorded with provider="hf-inference"): made up
    assert replay.synthesized == [
        f"https://huggingface.co/api/models/{model}?expand=inferenceProviderMapping"
    ]


def test_auto_mapping_from_the_recording(cassettes: Path) -> None:
    path = cassettes / _tc("text_to_image_default[fal-ai,text-to-image]")
    with CassetteReplay(path) as replay:
        result = RemoteBackend(token=TOKEN).run(
            "text-to-image",
            "black-forest-labs/FLUX.1-dev",
            "An astronaut riding a horse on the moon.",
        )
    assert result.provider == "fal-ai"  # the first provider the recorded mapping lists
    assert not replay.synthesized


def test_base_url_calls_the_endpoint_directly(cassettes: Path) -> None:
    path = cassettes / _tc("text_classification[hf-inference,text-classification]")
    url = "https://router.huggingface.co/hf-inference/models/distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    with CassetteReplay(path) as replay:
        result = RemoteBackend(base_url=url, token=TOKEN).run("text-classification", "x", "hi")
    assert result.provider == "endpoint"
    assert result.outputs[0][0]["label"] == "POSITIVE"
    assert [r.method for r in replay.requests if "agent-harnesses" not in r.url] == ["POST"]


def test_replay_restores_the_client_factory(cassettes: Path) -> None:
    before = _http._GLOBAL_CLIENT_FACTORY
    with CassetteReplay(cassettes / _tc("text_classification[hf-inference,text-classification]")):
        assert _http._GLOBAL_CLIENT_FACTORY is not before
    assert _http._GLOBAL_CLIENT_FACTORY is before


def test_a_local_folder_is_refused_before_any_request(tmp_path: Path) -> None:
    # in a FallbackBackend([remote, local]) chain the local backend then serves the folder
    with pytest.raises(BackendError, match="local folder") as info:
        RemoteBackend().run("text-classification", str(tmp_path), "a good film")
    assert info.value.reason == "unsupported"
