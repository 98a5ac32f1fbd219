"""The built-in samples: valid inputs for every task, real PNG and WAV files."""

from __future__ import annotations

import io
import wave

import pytest

from hubwidgets.core.inference.backends import INFERENCE_TASKS, check_inputs
from hubwidgets.core.inference.samples import (
    IMAGE_KINDS,
    sample_image,
    sample_inputs,
    sample_labels,
    sample_params,
)


@pytest.mark.parametrize("task", INFERENCE_TASKS)
def test_every_tasks_samples_pass_the_backends_checks(task: str) -> None:
    items = sample_inputs(task)
    assert 1 <= len(items) <= 8
    assert check_inputs(task, items, params=sample_params(task)) == items
    labels = sample_labels(task)
    assert labels is None or len(labels) == len(items)


def test_sample_images_and_sounds_are_real_files() -> None:
    image_module = pytest.importorskip("PIL.Image")
    for data in sample_inputs("image-classification"):
        with image_module.open(io.BytesIO(data)) as image:
            assert image.size == (64, 64) and image.mode == "RGB"
    for data in sample_inputs("automatic-speech-recognition"):
        with wave.open(io.BytesIO(data)) as sound:
            assert sound.getframerate() == 16000 and sound.getnframes() == 16000


def test_unknown_sample_kinds_say_which_exist() -> None:
    with pytest.raises(ValueError, match=", ".join(IMAGE_KINDS)):
        sample_image("cat")
