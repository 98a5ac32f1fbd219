"""hw.Pipeline / hw.Step: models chained across modalities, on tiny random-weight models."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.workflows import CANCELLED, NEAREST_NEIGHBORS, Pipeline, PipelineError, Step

pytest.importorskip("torch", reason="local models need torch (hubwidgets[inference])")
pytest.importorskip("transformers", reason="local models need transformers")

from hubwidgets.testing import models as tiny

ASR, TRANSLATION, CLASSIFY = "automatic-speech-recognition", "translation", "text-classification"


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("pipeline-models")
    return {
        "asr": tiny.tiny_speech_recognizer(root / "asr"),
        "translator": tiny.tiny_translator(root / "translator"),
        "classifier": tiny.tiny_text_classifier(root / "tc"),
        "captioner": tiny.tiny_captioner(root / "cap"),
        "zero-shot": tiny.tiny_zero_shot(root / "zs"),
        "embedder": tiny.tiny_feature_extractor(root / "fe"),
    }


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("pipeline-media")
    return {
        # short clips: the tiny recognizer spells noise, and the tiny BART reads 256 tokens
        "wav": tiny.sample_wav(root / "a.wav", seconds=0.25),
        "wav2": tiny.sample_wav(root / "b.wav", seconds=0.25, frequency=220.0),
        "png": tiny.sample_image(root / "a.png"),
    }


@pytest.fixture(scope="module")
def speech(models: dict[str, str]) -> Pipeline:
    return Pipeline(
        [
            Step(ASR, models["asr"], name="asr"),
            Step(TRANSLATION, models["translator"], params={"max_new_tokens": 6}),
            Step(CLASSIFY, models["classifier"], name="sentiment"),
        ],
        name="calls",
    )


# -- building ----------------------------------------------------------------------------------


def test_describe_says_what_each_step_takes_and_gives(speech: Pipeline) -> None:
    d = speech.describe()
    assert list(d.columns) == ["step", "name", "task", "model", "takes", "gives"]
    assert d["name"].tolist() == ["asr", "translation", "sentiment"]
    assert d["takes"].tolist() == [
        "audio",
        "text (asr.text)",
        "text (translation.generated_text)",
    ]
    assert d["gives"].tolist() == ["text", "generated_text", "label, score"]
    assert [s.name for s in speech.steps] == ["asr", "translation", "sentiment"]


def test_steps_that_cannot_connect_fail_at_build_naming_both(models: dict[str, str]) -> None:
    with pytest.raises(PipelineError) as info:
        Pipeline([Step(CLASSIFY, models["classifier"]), Step("image-classification", "x/y")])
    message = str(info.value)
    assert "step 2 'image-classification'" in message and "takes image" in message
    assert "step 1 'text-classification'" in message and "label (text)" in message
    assert isinstance(info.value, ValueError)
    assert info.value.step == 1  # the later step of the bad link (0-based), for a UI to mark
    # an embedding does not feed a text task
    with pytest.raises(PipelineError, match=r"feature-extraction.*embedding"):
        Pipeline([Step("feature-extraction", models["embedder"]), Step(CLASSIFY, "a/b")])
    # input= naming a field the previous step does not give
    with pytest.raises(PipelineError, match="no field 'summary'"):
        Pipeline([Step(ASR, models["asr"]), Step(CLASSIFY, "a/b", input="summary")])
    with pytest.raises(PipelineError, match="its field 'score' is number"):
        Pipeline([Step(CLASSIFY, "a/b"), Step(CLASSIFY, "c/d", input="score")])
    with pytest.raises(PipelineError, match="at least one"):
        Pipeline([])
    with pytest.raises(PipelineError, match="unknown task 'text-clasification'"):
        Step("text-clasification", "a/b")
    with pytest.raises(TypeError, match=r"hw\.Step"):
        Pipeline(["text-classification"])  # type: ignore[list-item]


def test_default_names_are_the_task_deduplicated_and_input_picks_a_field() -> None:
    given = [Step(CLASSIFY, "a/b"), Step(CLASSIFY, "c/d", input="label")]
    p = Pipeline(given)
    assert [s.name for s in p.steps] == ["text-classification", "text-classification-2"]
    assert [s.name for s in given] == [None, None]  # the steps given are left as they were
    assert p.describe()["takes"].iloc[1] == "text (text-classification.label)"
    with pytest.raises(PipelineError, match="two steps are named 'x'"):
        Pipeline([Step(CLASSIFY, "a/b", name="x"), Step(CLASSIFY, "c/d", name="x")])


# -- running one input ---------------------------------------------------------------------------


def test_speech_to_text_to_translation_to_sentiment_run(
    speech: Pipeline, media: dict[str, str]
) -> None:
    run = speech.run(media["wav"])
    assert run.ok and run.error == "" and run.failed_step is None
    r = run.steps
    assert list(r.columns) == [
        "step",
        "name",
        "task",
        "model",
        "input",
        "output",
        "latency_ms",
        "error",
    ]
    assert (r["error"] == "").all(), r["error"].tolist()
    assert (r["latency_ms"] > 0).all()
    text = r["output"][0]["text"]
    assert isinstance(text, str) and text
    assert r["input"][1][:60] == text[:60]  # the transcription fed the translation (shortened)
    assert r["input"][2] == r["output"][1]["generated_text"]
    assert run.output is not None and run.output["label"] in {"negative", "positive"}
    assert run.output == r["output"][2] == r.attrs["output"]
    assert run.total_ms == r.attrs["total_ms"] >= r["latency_ms"].sum()
    assert len(run) == 3 and run.records[2]["output"] == run.output
    assert "3 steps" in repr(run) and "<table" in run._repr_html_()


def test_image_caption_then_zero_shot_labels(models: dict[str, str], media: dict[str, str]) -> None:
    p = Pipeline(
        [
            Step("image-to-text", models["captioner"], name="caption"),
            Step(
                "zero-shot-classification",
                models["zero-shot"],
                params={"candidate_labels": ["cat", "dog", "car"]},
            ),
        ]
    )
    run = p.run(media["png"])
    assert run.ok, run.error
    assert isinstance(run.records[0]["output"]["generated_text"], str)
    assert run.output is not None and run.output["label"] in {"cat", "dog", "car"}


def test_text_to_embedding_to_nearest_neighbours_in_a_table(models: dict[str, str]) -> None:
    docs = ["a good day", "the film was bad", "lovely music here"]
    embedded = hw.apply(
        pd.DataFrame({"text": docs, "doc_id": [10, 11, 12]}),
        models["embedder"],
        column="text",
        progress=False,
    )
    table = embedded[["doc_id", "text", "embedding"]]
    p = Pipeline(
        [
            Step("feature-extraction", models["embedder"]),
            Step(NEAREST_NEIGHBORS, table, params={"k": 2, "label": "text"}, name="nearest"),
        ]
    )
    assert p.describe()["model"].iloc[1] == "table of 3 rows"
    assert p.steps[1].params == {"k": 2, "label": "text"}  # as given: JSON for a widget
    out = p.run("the film was bad").output
    assert out is not None
    assert out["nearest"] == "the film was bad"  # its own embedding is the closest
    assert out["similarity"] == pytest.approx(1.0, abs=1e-4)
    assert out["neighbors"][0]["doc_id"] == 11
    assert len(out["neighbors"]) == 2 and "embedding" not in out["neighbors"][0]
    got = p.apply(pd.DataFrame({"q": docs}), "q", progress=False)
    assert got["nearest.nearest"].tolist() == docs
    with pytest.raises(ValueError, match=r"no column 'vector'.*doc_id, text, embedding"):
        Step(NEAREST_NEIGHBORS, table, params={"column": "vector"})
    with pytest.raises(TypeError, match="DataFrame"):
        Step(NEAREST_NEIGHBORS, "org/table")


def test_a_failing_step_names_itself_and_skips_the_rest(speech: Pipeline) -> None:
    run = speech.run({"array": np.zeros(0, dtype=np.float32), "sampling_rate": 16_000})
    assert not run.ok and run.failed_step == "asr"
    r = run.steps
    assert r["error"][0] and run.error == r["error"][0]
    assert r["error"][1] == "skipped: step 'asr' failed"
    assert run.output is None and r.attrs["output"] is None
    assert "step 'asr' failed" in repr(run)


# -- running over a column ---------------------------------------------------------------------


def test_apply_adds_each_steps_columns_error_and_latency(
    speech: Pipeline, media: dict[str, str]
) -> None:
    df = pd.DataFrame({"audio": [media["wav"], None, media["wav2"]]}, index=["a", "b", "c"])
    seen: list[tuple[int, int]] = []
    out = speech.apply(df, "audio", progress=lambda done, total: seen.append((done, total)))
    assert list(out.columns) == ["audio", *speech.columns()]
    assert speech.columns()[:3] == ["asr.text", "asr.error", "asr.latency_ms"]
    assert {"sentiment.label", "sentiment.score", "translation.generated_text"} <= set(out)
    assert out.index.equals(df.index)
    assert out.loc["a", "error"] == "" and out.loc["c", "error"] == ""
    assert out.loc["a", "sentiment.label"] in {"negative", "positive"}
    assert out.loc["b", "error"] == "asr: missing value"
    assert out.loc["b", "sentiment.error"] == "skipped: step 'asr' failed"
    assert out.loc["a", "latency_ms"] == pytest.approx(
        sum(out.loc["a", f"{s}.latency_ms"] for s in ("asr", "translation", "sentiment"))
    )
    assert seen[-1] == (3, 3)
    assert [s["name"] for s in out.attrs["steps"]] == ["asr", "translation", "sentiment"]
    assert out.attrs["steps"][0]["backend"] == "local"
    assert out.attrs["rows_run"] == 3 and out.attrs["cancelled"] is False
    # the same rows as one run() each
    one = speech.run(media["wav"]).output
    assert one is not None
    assert one["label"] == out.loc["a", "sentiment.label"]


def test_apply_bad_input(speech: Pipeline, media: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"no column 'sound'.*audio"):
        speech.apply(pd.DataFrame({"audio": [media["wav"]]}), "sound")
    with pytest.raises(ValueError, match="row 1"):
        speech.apply(pd.DataFrame({"audio": [media["wav"], media["png"]]}), "audio")
    empty = speech.apply(pd.DataFrame({"audio": pd.Series([], dtype=object)}), "audio")
    assert len(empty) == 0 and list(empty.columns) == ["audio", *speech.columns()]
    with pytest.raises(TypeError, match="progress must be"):
        speech.apply(pd.DataFrame({"audio": [media["wav"]]}), "audio", progress="yes")  # type: ignore[arg-type]


def test_cancel_then_resume_from_the_checkpoint(
    speech: Pipeline, media: dict[str, str], tmp_path: Path
) -> None:
    df = pd.DataFrame({"audio": [media["wav"], media["wav2"]] * 3})
    stop = threading.Event()
    first = speech.apply(
        df,
        "audio",
        batch_size=2,
        cancel=stop,
        checkpoint=tmp_path / "ck",
        progress=lambda done, total: stop.set(),  # the user presses Cancel after one batch
    )
    assert first.attrs["cancelled"] is True and first.attrs["rows_run"] == 2
    assert (first["error"].iloc[2:] == CANCELLED).all()
    assert (first["error"].iloc[:2] == "").all()
    second = speech.apply(df, "audio", batch_size=2, checkpoint=tmp_path / "ck", progress=False)
    assert second.attrs["rows_resumed"] == 2 and second.attrs["rows_run"] == 4
    assert (second["error"] == "").all()
    fresh = speech.apply(df, "audio", batch_size=2, progress=False)
    pd.testing.assert_series_equal(second["sentiment.label"], fresh["sentiment.label"])
    pd.testing.assert_series_equal(second["asr.text"], fresh["asr.text"])


def test_apply_and_pipeline_write_an_audit_record(
    speech: Pipeline, media: dict[str, str], models: dict[str, str]
) -> None:
    speech.apply(pd.DataFrame({"audio": [media["wav"]]}), "audio", progress=False)
    hw.apply(pd.DataFrame({"t": ["a day"]}), models["classifier"], column="t", progress=False)
    log = hw.audit_log(action="inference.batch")
    assert len(log) >= 2
    pipeline_record, apply_record = log.iloc[-2], log.iloc[-1]
    assert pipeline_record["params"]["kind"] == "pipeline.apply"
    assert apply_record["params"]["kind"] == "hw.apply"
    assert apply_record["outcome"] == "ok"
