"""hw.apply: a model over a DataFrame column, on tiny random-weight models run for real."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.inference.backends import InferenceResult, LocalBackend
from hubwidgets.core.workflows import CANCELLED, auto_batch_size, default_task

pytest.importorskip("torch", reason="local models need torch (hubwidgets[inference])")
pytest.importorskip("transformers", reason="local models need transformers")

from hubwidgets.testing import models as tiny

TEXTS = ["a good day", "the film was bad", "fine words here", "not great", "lovely", "dull"]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("apply-models")
    return {
        "text-classification": tiny.tiny_text_classifier(root / "tc"),
        "token-classification": tiny.tiny_token_classifier(root / "tok"),
        "feature-extraction": tiny.tiny_feature_extractor(root / "fe"),
        "text-generation": tiny.tiny_gpt2(root / "gen"),
        "image-classification": tiny.tiny_vit_classifier(root / "vit"),
        "audio-classification": tiny.tiny_audio_classifier(root / "audio"),
        "summarization": tiny.tiny_seq2seq(root / "seq2seq"),
    }


class CountingBackend(LocalBackend):
    """The real local backend, counting the items of each call (and setting ``stop`` after
    ``stop_after`` calls, to interrupt a run as a user's Cancel would)."""

    def __init__(self, stop: threading.Event | None = None, stop_after: int = 0) -> None:
        super().__init__()
        self.calls: list[list[Any]] = []
        self.stop, self.stop_after = stop, stop_after

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        self.calls.append(list(inputs))
        result = super().run(task, model, inputs, **params)
        if self.stop is not None and len(self.calls) >= self.stop_after:
            self.stop.set()
        return result


def frame(n: int = 12) -> pd.DataFrame:
    texts = [TEXTS[i % len(TEXTS)] for i in range(n)]
    return pd.DataFrame({"text": texts, "id": range(n)}, index=[f"r{i}" for i in range(n)])


# -- each task family ---------------------------------------------------------------------------


def test_text_classification_adds_label_score_error_latency(models: dict[str, str]) -> None:
    df = frame()
    out = hw.apply(df, models["text-classification"], column="text", progress=False)
    assert list(out.columns) == ["text", "id", "label", "score", "error", "latency_ms"]
    assert out.index.equals(df.index)
    assert set(out["label"]) <= {"negative", "positive"}
    assert out["score"].between(0, 1).all()
    assert (out["error"] == "").all()
    assert (out["latency_ms"] > 0).all()
    assert out.attrs["task"] == "text-classification"  # from the folder's config
    assert out.attrs["model"] == models["text-classification"]
    assert out.attrs["backend"] == "local"
    assert out.attrs["revision"] is None
    assert "local folder" in out.attrs["revision_source"]
    assert out.attrs["rows_per_s"] > 0
    assert out.attrs["started"] <= out.attrs["finished"]
    assert out.attrs["cancelled"] is False
    assert list(df.columns) == ["text", "id"]  # the input is left alone


def test_token_classification_gives_entity_lists(models: dict[str, str]) -> None:
    out = hw.apply(frame(4), models["token-classification"], column="text", progress=False)
    assert all(isinstance(e, list) for e in out["entities"])
    entity = next(e for row in out["entities"] for e in row)
    assert {"entity_group", "score", "word", "start", "end"} <= set(entity)


def test_feature_extraction_gives_fixed_size_float32_arrays(models: dict[str, str]) -> None:
    out = hw.apply(frame(5), models["feature-extraction"], column="text", progress=False)
    vectors = list(out["embedding"])
    assert all(isinstance(v, np.ndarray) and v.dtype == np.float32 for v in vectors)
    assert len({v.shape for v in vectors}) == 1 and vectors[0].ndim == 1


def test_text_generation_gives_generated_text_one_row_at_a_time(models: dict[str, str]) -> None:
    backend = CountingBackend()
    out = hw.apply(
        frame(3),
        models["text-generation"],
        column="text",
        backend=backend,
        params={"max_new_tokens": 3},
        progress=False,
    )
    assert all(isinstance(t, str) for t in out["generated_text"])
    assert out.attrs["batch_size"] == auto_batch_size("text-generation") == 1
    assert [len(c) for c in backend.calls] == [1, 1, 1]


def test_image_classification_records_a_corrupt_file_and_runs_the_others(
    models: dict[str, str], tmp_path: Path
) -> None:
    good = [tiny.sample_image(tmp_path / f"{i}.png") for i in range(3)]
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png at all")
    df = pd.DataFrame({"image": [good[0], str(broken), good[1], good[2]]})
    out = hw.apply(df, models["image-classification"], column="image", progress=False)
    assert list(out["error"] == "") == [True, False, True, True]
    assert "broken.png" in out["error"][1] or "image" in out["error"][1].lower()
    assert out["label"].notna().sum() == 3 and pd.isna(out["score"][1])


def test_audio_classification_runs_on_wav_paths(models: dict[str, str], tmp_path: Path) -> None:
    waves = [
        tiny.sample_wav(tmp_path / f"{i}.wav", seconds=0.3, frequency=220.0 * (i + 1))
        for i in range(3)
    ]
    out = hw.apply(
        pd.DataFrame({"clip": waves}),
        models["audio-classification"],
        column="clip",
        task="audio-classification",
        progress=False,
    )
    assert (out["error"] == "").all() and out["label"].map(type).eq(str).all()


def test_summarization_gives_generated_text(models: dict[str, str]) -> None:
    out = hw.apply(
        frame(2),
        models["summarization"],
        column="text",
        task="summarization",
        params={"max_new_tokens": 4},
        progress=False,
    )
    assert (out["error"] == "").all()
    assert all(isinstance(t, str) for t in out["generated_text"])


# -- bad rows, bad input -------------------------------------------------------------------------


def test_a_bad_row_fails_alone_after_its_batch_is_retried_row_by_row(
    models: dict[str, str],
) -> None:
    df = frame(8)
    df.loc["r5", "text"] = "   "
    df.loc["r2", "text"] = None
    backend = CountingBackend()
    out = hw.apply(
        df, models["text-classification"], column="text", backend=backend, progress=False
    )
    assert out.loc["r2", "error"] == "missing value"
    assert "r5" not in out.index[out["error"] == ""]
    assert out.loc["r5", "error"] != ""
    assert (out.drop(index=["r2", "r5"])["error"] == "").all()
    # the batch of 7 live rows failed once, then each ran alone
    assert [len(c) for c in backend.calls] == [7, 1, 1, 1, 1, 1, 1, 1]


def test_a_missing_column_lists_the_columns(models: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"no column 'txt'.*'text'.*Its columns: text, id"):
        hw.apply(frame(), models["text-classification"], column="txt")


def test_a_column_of_the_wrong_modality_names_the_first_bad_row(models: dict[str, str]) -> None:
    df = pd.DataFrame({"text": ["fine", "ok", 3.5, 7]}, index=["a", "b", "c", "d"])
    with pytest.raises(ValueError, match=r"runs on texts, but row 'c' .* float"):
        hw.apply(df, models["text-classification"], column="text")
    with pytest.raises(ValueError, match=r"runs on images .* row 'a'"):
        hw.apply(df, models["image-classification"], column="text")


def test_an_empty_frame_gives_an_empty_result_with_the_output_columns(
    models: dict[str, str],
) -> None:
    out = hw.apply(frame(0), models["text-classification"], column="text")
    assert len(out) == 0
    assert list(out.columns) == ["text", "id", "label", "score", "error", "latency_ms"]


def test_bad_arguments_say_what_is_valid(models: dict[str, str], tmp_path: Path) -> None:
    model = models["text-classification"]
    with pytest.raises(ValueError, match="batch_size must be 'auto' or a whole number"):
        hw.apply(frame(), model, column="text", batch_size=0)
    with pytest.raises(ValueError, match="unknown task 'text-clasification'"):
        hw.apply(frame(), model, column="text", task="text-clasification")
    empty = tmp_path / "no-config"
    empty.mkdir()
    with pytest.raises(ValueError, match=r"cannot tell the task.*text-classification"):
        hw.apply(frame(), str(empty), column="text")
    with pytest.raises(TypeError, match="pandas DataFrame"):
        hw.apply(TEXTS, model, column="text")
    clash = frame().assign(label="x")
    with pytest.raises(ValueError, match=r"already has column.*'label'.*output='prefix'"):
        hw.apply(clash, model, column="text")
    out = hw.apply(clash, model, column="text", output="sentiment", progress=False)
    assert {"sentiment_label", "sentiment_score", "sentiment_error"} <= set(out.columns)


def test_the_hub_accessor_is_there_after_import_hubwidgets(models: dict[str, str]) -> None:
    out = frame(3).hub.apply(models["text-classification"], column="text", progress=False)
    assert list(out.columns)[-4:] == ["label", "score", "error", "latency_ms"]


# -- cancellation, checkpoints --------------------------------------------------------------------


def test_cancel_stops_between_batches_and_marks_the_rest(models: dict[str, str]) -> None:
    stop = threading.Event()
    backend = CountingBackend(stop, stop_after=2)
    out = hw.apply(
        frame(20),
        models["text-classification"],
        column="text",
        backend=backend,
        batch_size=4,
        cancel=stop,
        progress=False,
    )
    assert out.attrs["cancelled"] is True
    assert len(backend.calls) == 2
    assert (out["error"].iloc[:8] == "").all()
    assert (out["error"].iloc[8:] == CANCELLED).all()
    assert out["label"].iloc[8:].isna().all()


def test_an_interrupted_run_resumes_from_its_checkpoint_doing_nothing_twice(
    models: dict[str, str], tmp_path: Path
) -> None:
    model, df = models["text-classification"], frame(22)
    stop = threading.Event()
    first = CountingBackend(stop, stop_after=3)
    kwargs: dict[str, Any] = {"column": "text", "batch_size": 4, "progress": False}
    partial = hw.apply(df, model, backend=first, checkpoint=tmp_path / "ck", cancel=stop, **kwargs)
    assert partial.attrs["cancelled"] and (partial["error"] == CANCELLED).sum() == 10
    assert len(list((tmp_path / "ck").glob("part-*.parquet"))) == 3

    second = CountingBackend()
    resumed = hw.apply(df, model, backend=second, checkpoint=tmp_path / "ck", **kwargs)
    done_first = [t for call in first.calls for t in call]
    done_second = [t for call in second.calls for t in call]
    assert len(done_first) + len(done_second) == len(df)  # every row once, none twice
    assert resumed.attrs["rows_resumed"] == 12 and resumed.attrs["rows_run"] == 10
    assert (resumed["error"] == "").all()

    whole = hw.apply(df, model, **kwargs)
    assert list(resumed["label"]) == list(whole["label"])
    assert np.allclose(resumed["score"], whole["score"], atol=1e-5)


def test_a_checkpoint_resumes_embeddings_as_arrays(models: dict[str, str], tmp_path: Path) -> None:
    kwargs: dict[str, Any] = {"column": "text", "checkpoint": tmp_path / "fe", "progress": False}
    first = hw.apply(frame(4), models["feature-extraction"], **kwargs)
    again = hw.apply(frame(4), models["feature-extraction"], **kwargs)
    assert again.attrs["rows_run"] == 0
    for a, b in zip(first["embedding"], again["embedding"], strict=True):
        assert isinstance(b, np.ndarray) and b.dtype == np.float32 and np.allclose(a, b)


def test_a_checkpoint_of_another_run_is_refused(models: dict[str, str], tmp_path: Path) -> None:
    kwargs: dict[str, Any] = {"column": "text", "checkpoint": tmp_path / "ck", "progress": False}
    hw.apply(frame(4), models["text-classification"], **kwargs)
    with pytest.raises(ValueError, match=r"different run.*input_hash"):
        hw.apply(frame(5).iloc[1:], models["text-classification"], **kwargs)
    with pytest.raises(ValueError, match=r"different run.*model"):
        hw.apply(frame(4), models["token-classification"], **kwargs)


def test_the_task_of_a_hub_id_comes_from_the_starter_catalog() -> None:
    assert default_task("ProsusAI/finbert") == "text-classification"
    assert default_task("nobody/no-such-model") is None
    with pytest.raises(ValueError, match=r"cannot tell the task of 'nobody/no-such-model'"):
        hw.apply(frame(), "nobody/no-such-model", column="text")


def test_the_progress_bar_shows_rows_per_second(
    models: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    hw.apply(frame(16), models["text-classification"], column="text", batch_size=4)
    bar = capsys.readouterr().err
    assert "16/16" in bar and "rows/s" in bar
    hw.apply(frame(16), models["text-classification"], column="text", progress=False)
    assert capsys.readouterr().err == ""


def test_progress_can_be_a_callable_given_done_and_total_rows(models: dict[str, str]) -> None:
    seen: list[tuple[int, int]] = []
    hw.apply(
        frame(10),
        models["text-classification"],
        column="text",
        batch_size=4,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(4, 10), (8, 10), (10, 10)]
    with pytest.raises(TypeError, match="progress must be True, False or a callable"):
        hw.apply(frame(2), models["text-classification"], column="text", progress="bar")
