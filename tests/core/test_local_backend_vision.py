"""LocalBackend on the four vision tasks that had no model to run: object detection, image
segmentation, image-to-text and zero-shot image classification, end to end.

The models are invented by :mod:`hubwidgets.testing.models` (random weights, made here, no
network) and the images are the built-in samples of :mod:`hubwidgets.core.inference.samples`.
The outputs mean nothing: the tests check that they come in the shapes of the Hub task schema
listed in :mod:`hubwidgets.core.inference.backends._base`, one per image, the same for an image
alone or in a batch.
"""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from hubwidgets.core.inference.backends import BackendError, InferenceResult, LocalBackend
from hubwidgets.core.inference.samples import (
    IMAGE_KINDS,
    sample_image,
    sample_inputs,
    sample_params,
)
from hubwidgets.testing.models import tiny_blip_captioner

pytest.importorskip("torch", reason="LocalBackend needs torch (pip install hubwidgets[inference])")
pytest.importorskip("transformers", reason="LocalBackend needs transformers")

VISION_TASKS = (
    "object-detection",
    "image-segmentation",
    "image-to-text",
    "zero-shot-image-classification",
)
SIZE = 64  # the side of the sample images, in pixels


@pytest.fixture(scope="session")
def tiny(tiny_models: dict[str, str]) -> dict[str, str]:
    return tiny_models  # made once per session in tests/conftest.py


@pytest.fixture(scope="session")
def backend() -> LocalBackend:
    return LocalBackend(device="cpu")


def labels_of(model: str) -> set[str]:
    config = json.loads((Path(model) / "config.json").read_text(encoding="utf-8"))
    return set(config["id2label"].values())


# -- shape checks ---------------------------------------------------------------------------------


def assert_detections(out: Any, labels: set[str]) -> None:
    assert isinstance(out, list) and out, "the tiny detector always finds something"
    for found in out:
        assert set(found) == {"label", "score", "box"}
        assert found["label"] in labels
        assert type(found["score"]) is float and 0.5 <= found["score"] <= 1.0
        box = found["box"]
        assert list(box) == ["xmin", "ymin", "xmax", "ymax"]
        assert all(type(v) is int for v in box.values())
        assert 0 <= box["xmin"] <= box["xmax"] <= SIZE and 0 <= box["ymin"] <= box["ymax"] <= SIZE
    scores = [d["score"] for d in out]
    assert scores == sorted(scores, reverse=True)


def decode_mask(mask: str) -> Any:
    data = base64.b64decode(mask, validate=True)
    assert data.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(data)) as image:
        assert image.mode == "L" and image.size == (SIZE, SIZE)
        return np.asarray(image)


def assert_segments(out: Any, labels: set[str]) -> None:
    assert isinstance(out, list) and out
    masks = []
    for segment in out:
        assert set(segment) == {"label", "score", "mask"}
        assert segment["label"] in labels
        assert segment["score"] is None  # semantic segmentation scores no segment
        assert isinstance(segment["mask"], str)
        masks.append(decode_mask(segment["mask"]))
    assert len({s["label"] for s in out}) == len(out)
    # a semantic segmentation: every pixel in exactly one mask, masks black or white
    stacked = np.stack(masks)
    assert set(np.unique(stacked)) <= {0, 255}
    assert ((stacked == 255).sum(axis=0) == 1).all()


def assert_caption(out: Any) -> None:
    assert set(out) == {"generated_text"}
    text = out["generated_text"]
    # the tiny captioner writes letters and spaces only (it is told to), stripped
    assert re.fullmatch(r"[a-z]([a-z ]*[a-z])?", text), text


def assert_zero_shot(out: Any, candidates: list[str]) -> None:
    assert isinstance(out, list) and sorted(e["label"] for e in out) == sorted(candidates)
    for entry in out:
        assert set(entry) == {"label", "score"} and type(entry["score"]) is float
    scores = [e["score"] for e in out]
    assert scores == sorted(scores, reverse=True)
    assert sum(scores) == pytest.approx(1.0, abs=1e-5)  # CLIP: a softmax over the candidates


def check(task: str, out: Any, model: str) -> None:
    if task == "object-detection":
        assert_detections(out, labels_of(model))
    elif task == "image-segmentation":
        assert_segments(out, labels_of(model))
    elif task == "image-to-text":
        assert_caption(out)
    else:
        assert_zero_shot(out, sample_params(task)["candidate_labels"])


def rounded(value: Any) -> Any:
    """``value`` with its floats rounded to 4 decimals."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


# -- end to end -----------------------------------------------------------------------------------


@pytest.mark.parametrize("task", VISION_TASKS)
def test_each_vision_task_end_to_end(task: str, tiny: dict[str, str]) -> None:
    model = tiny[task]
    fresh = LocalBackend(device="cpu")
    params = sample_params(task)

    first = fresh.run(task, model, [sample_image()], **params)
    assert isinstance(first, InferenceResult)
    assert (first.task, first.model, first.backend, first.provider) == (task, model, "local", "cpu")
    assert len(first.outputs) == 1
    check(task, first.outputs[0], model)
    assert first.load_ms is not None and first.load_ms > 0 and first.latency_ms > 0
    json.dumps(first.outputs)  # plain Python types only (masks are base64 text)

    # every sample image, in batches of two: one output each, the same as alone
    images = sample_inputs(task)
    batch = fresh.run(task, model, images, batch_size=2, **params)
    assert batch.load_ms is None
    assert len(batch.outputs) == len(IMAGE_KINDS)
    for out in batch.outputs:
        check(task, out, model)
    # in a batch, float sums run in another order: scores may differ in the last bits
    assert rounded(batch.outputs[0]) == rounded(first.outputs[0])
    assert fresh.loaded() == [(model, task, "cpu")]


@pytest.mark.parametrize("task", VISION_TASKS)
def test_image_as_bytes_path_or_pil(
    task: str, tiny: dict[str, str], backend: LocalBackend, tmp_path: Path
) -> None:
    data = sample_image("stripes")
    path = tmp_path / "stripes.png"
    path.write_bytes(data)
    with Image.open(path) as opened:
        image = opened.copy()
    params = sample_params(task)
    outs = [backend.run(task, tiny[task], item, **params).outputs for item in (data, path, image)]
    assert outs[0] == outs[1] == outs[2]
    assert len(outs[0]) == 1  # a single item is one output


def test_detection_threshold_is_passed_on(tiny: dict[str, str], backend: LocalBackend) -> None:
    model = tiny["object-detection"]
    every = backend.run("object-detection", model, sample_image()).outputs[0]
    strict = backend.run("object-detection", model, sample_image(), threshold=0.999).outputs[0]
    loose = backend.run("object-detection", model, sample_image(), threshold=0.0).outputs[0]
    assert len(strict) < len(every) <= len(loose)
    assert all(d["score"] >= 0.999 for d in strict)


def test_captions_count_tokens_and_take_generation_params(
    tiny: dict[str, str], backend: LocalBackend
) -> None:
    model = tiny["image-to-text"]
    images = sample_inputs("image-to-text")
    result = backend.run("image-to-text", model, images, max_new_tokens=3, min_new_tokens=3)
    # each new token of the byte-level vocabulary is one letter or space
    assert result.metrics["generated_tokens"] == 3 * len(images)
    assert all(1 <= len(o["generated_text"]) <= 3 for o in result.outputs)
    # the images differ, and so do the captions of a captioner that looks at them
    whole = backend.run("image-to-text", model, images).outputs
    assert len({o["generated_text"] for o in whole}) > 1


def test_blip_captioner(tmp_path: Path, backend: LocalBackend) -> None:
    """A captioner with a multimodal processor, whose decoder starts from a [CLS] prompt."""
    model = tiny_blip_captioner(tmp_path / "blip")
    images = sample_inputs("image-to-text")
    result = backend.run("image-to-text", model, images, batch_size=2, max_new_tokens=4)
    assert len(result.outputs) == len(IMAGE_KINDS)
    for out in result.outputs:
        assert set(out) == {"generated_text"} and out["generated_text"]
        assert "[CLS]" not in out["generated_text"] and "[SEP]" not in out["generated_text"]
    assert 0 < result.metrics["generated_tokens"] <= 4 * len(images)


def test_zero_shot_labels_are_the_candidates(tiny: dict[str, str], backend: LocalBackend) -> None:
    model = tiny["zero-shot-image-classification"]
    for candidates in (["a cat", "a dog"], ["été", "冬", "a very long label with many words"]):
        (out,) = backend.run(
            "zero-shot-image-classification", model, sample_image(), candidate_labels=candidates
        ).outputs
        assert_zero_shot(out, candidates)
    with pytest.raises(ValueError, match="candidate_labels"):
        backend.run("zero-shot-image-classification", model, sample_image())


@pytest.mark.parametrize("task", VISION_TASKS)
def test_a_bad_image_names_its_index(
    task: str, tiny: dict[str, str], backend: LocalBackend
) -> None:
    items = [sample_image(), b"not an image at all"]
    with pytest.raises(ValueError, match=r"input 1.*not a readable image"):
        backend.run(task, tiny[task], items, **sample_params(task))


@pytest.mark.parametrize("task", VISION_TASKS)
def test_a_model_for_another_task_fails_to_load(
    task: str, tiny: dict[str, str], backend: LocalBackend
) -> None:
    """A text classifier is no vision model: a load error naming the model, not a crash."""
    model = tiny["text-classification"]
    with pytest.raises(BackendError) as info:
        backend.run(task, model, sample_image(), **sample_params(task))
    assert info.value.reason == "load" and model in str(info.value)
