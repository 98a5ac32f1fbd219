"""A pipeline as JSON (Pipeline.to_spec / from_spec, spec.compose) and what a workflow shows of
it (display): checked without a widget and without running a model (steps name models that are
never loaded; a nearest-neighbors table and an ensemble are real objects)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.workflows import Pipeline, PipelineError, PipelineRun, Step, display, spec

CLASSIFY = "text-classification"


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame({"embedding": [[1.0, 0.0], [0.0, 1.0]], "doc": ["x", "y"]})


# -- to_spec / from_spec -----------------------------------------------------------------------


def test_a_pipeline_saved_as_json_loads_back_the_same() -> None:
    pipeline = Pipeline(
        [
            Step(CLASSIFY, "org/sentiment", name="sentiment"),
            Step("zero-shot-classification", "org/zs", params={"candidate_labels": ["a", "b"]}),
        ],
        name="reviews",
    )
    saved = json.dumps(pipeline.to_spec())
    assert json.loads(saved) == [
        {"task": CLASSIFY, "model": "org/sentiment", "input": "", "name": "sentiment"},
        {
            "task": "zero-shot-classification",
            "model": "org/zs",
            "input": "",
            "name": "zero-shot-classification",
            "params": {"candidate_labels": ["a", "b"]},
        },
    ]
    loaded = Pipeline.from_spec(json.loads(saved), name="reviews")
    assert loaded.to_spec() == pipeline.to_spec() and loaded.name == "reviews"
    pd.testing.assert_frame_equal(loaded.describe(), pipeline.describe())
    # input= survives: the second step reads the first one's label
    chained = Pipeline([Step(CLASSIFY, "a/b"), Step(CLASSIFY, "c/d", input="label")])
    assert Pipeline.from_spec(chained.to_spec()).fields == [None, "label"]


def test_model_objects_come_back_through_models(table: pd.DataFrame) -> None:
    panel = hw.Ensemble(["org/a", "org/b"], CLASSIFY, strategy="vote")
    pipeline = Pipeline(
        [
            Step("feature-extraction", "org/embedder"),
            Step("nearest-neighbors", table, params={"k": 1}, name="nearest"),
        ]
    )
    saved = pipeline.to_spec()
    assert saved[1]["model"] == "table of 2 rows"  # in words, as describe() says it
    objects = spec.spec_models(pipeline)
    assert list(objects) == ["table of 2 rows"] and objects["table of 2 rows"] is table
    loaded = Pipeline.from_spec(saved, models=objects)
    assert loaded.steps[1].model is table
    voted = Pipeline([Step(CLASSIFY, panel)])
    again = Pipeline.from_spec(voted.to_spec(), models=spec.spec_models(voted))
    assert again.steps[0].model is panel
    with pytest.raises(TypeError, match="models must be a dict"):
        Pipeline.from_spec(saved, models=[table])  # type: ignore[arg-type]


def test_a_bad_spec_is_refused_naming_the_step() -> None:
    with pytest.raises(PipelineError, match="at least one step"):
        Pipeline.from_spec([])
    with pytest.raises(PipelineError, match="step 1: no model") as info:
        Pipeline.from_spec([{"task": CLASSIFY}])
    assert info.value.step == 0
    with pytest.raises(PipelineError, match="step 2: no task: choose one of"):
        Pipeline.from_spec([{"task": CLASSIFY, "model": "a/b"}, {"model": "c/d"}])
    with pytest.raises(PipelineError, match=r"step 2 'image-classification'.*takes image") as info:
        Pipeline.from_spec(
            [{"task": CLASSIFY, "model": "a/b"}, {"task": "image-classification", "model": "c/d"}]
        )
    assert info.value.step == 1  # the later step of the bad link
    with pytest.raises(PipelineError, match=r"step 1: name must be .* without '\.'"):
        Pipeline.from_spec([{"task": CLASSIFY, "model": "a/b", "name": "a.b"}])
    with pytest.raises(ValueError, match="did you mean 'text-classification'"):
        Pipeline.from_spec([{"task": "text-clasification", "model": "a/b"}])
    with pytest.raises(TypeError, match="list of step dicts, not str"):
        Pipeline.from_spec("text-classification")  # type: ignore[arg-type]


# -- check_spec / compose ------------------------------------------------------------------------


def test_check_spec_cleans_the_steps_and_refuses_bad_ones() -> None:
    given: tuple[dict[str, object], ...] = (
        {"task": f" {CLASSIFY} ", "model": "a/b", "input": None, "params": {}},
    )
    assert spec.check_spec(given) == [{"task": CLASSIFY, "model": "a/b", "input": "", "name": ""}]
    assert spec.check_spec([{"model": "a/b", "params": {"k": 1}}])[0]["params"] == {"k": 1}
    with pytest.raises(TypeError, match=r"step 1 must be a dict of task, model, input, name"):
        spec.check_spec(["a/b"])
    with pytest.raises(ValueError, match=r"unknown key 'modle' \(did you mean 'model'\?\)"):
        spec.check_spec([{"task": CLASSIFY, "modle": "a/b"}])
    with pytest.raises(ValueError, match=r"step 2: unknown task 'nope'; choose one of .*nearest"):
        spec.check_spec([{}, {"task": "nope"}])
    with pytest.raises(TypeError, match="params must be a dict"):
        spec.check_spec([{"task": CLASSIFY, "params": ["k"]}])


def test_compose_says_what_each_step_lacks_or_which_one_is_refused() -> None:
    assert spec.compose([]) == (None, {})
    built, problems = spec.compose([{"task": CLASSIFY}, {"model": "a/b"}])
    assert built is None and problems == {0: spec.NO_MODEL, 1: spec.NO_TASK}
    assert spec.refusal(problems) == ""  # not composed yet: nothing refused
    steps = [{"task": CLASSIFY, "model": "a/b"}, {"task": "image-classification", "model": "c"}]
    built, problems = spec.compose(steps)
    assert built is None and list(problems) == [1]
    assert "step 1" in problems[1] and "step 2" in problems[1]  # both steps of the link
    assert spec.refusal(problems) == problems[1]
    built, problems = spec.compose([{"task": CLASSIFY, "model": "a/b", "name": "bad.name"}])
    assert problems == {0: "name must be a non-empty text without '.', not 'bad.name'"}
    assert spec.refusal(problems).startswith("step 1: name must be")
    built, problems = spec.compose(steps[:1], backend="remote")
    assert isinstance(built, Pipeline) and problems == {}
    assert built.steps[0].backend == "remote"


def test_pipeline_spec_of_loose_steps_keeps_their_names_empty() -> None:
    loose = [Step(CLASSIFY, "a/b"), Step(CLASSIFY, "c/d", name="second")]
    assert [s["name"] for s in spec.pipeline_spec(loose)] == ["", "second"]
    with pytest.raises(TypeError, match=r"hw\.Pipeline or a list of hw\.Step, not str"):
        spec.pipeline_spec("a/b")  # type: ignore[arg-type]


def test_models_offered_for_a_task_are_the_most_downloaded() -> None:
    catalog = hw.starter_catalog()
    offered = spec.offered_models(catalog, CLASSIFY, 3)
    top = catalog.search(task=CLASSIFY, sort="downloads", limit=3)
    assert [i for i, _ in offered] == top["id"].tolist()
    assert spec.offered_models(catalog, "no-such-task", 3) == []  # a model can still be typed


# -- display ---------------------------------------------------------------------------------------


def test_cells_as_text() -> None:
    assert [display.cell_text(v) for v in (None, pd.NA, math.nan)] == ["", "", ""]
    assert display.cell_text({"label": "pos", "score": 0.912345}) == "label: pos, score: 0.9123"
    assert display.cell_text(["a", 1]) == "a; 1"
    assert display.cell_text(np.array([1.5, 2.0])) == "1.5; 2"
    assert display.cell_text(b"\x00" * 2048) == "<2,048 bytes>"
    cut = display.cell_text("x" * 500)
    assert len(cut) == display.CELL_CHARS and cut.endswith("…")
    assert display.cell_text("abcdef", limit=4) == "abc…"


def test_shown_keeps_numbers_as_numbers() -> None:
    frame = pd.DataFrame(
        {
            "id": [1, 2],
            "ok": [True, False],
            "sentiment.score": [0.5, math.nan],
            "latency_ms": [None, 3],
            "out": [{"label": "a"}, None],
        }
    )
    out = display.shown(frame)
    assert out["id"].tolist() == [1.0, 2.0] and out["id"].dtype == "float64"
    assert out["ok"].tolist() == ["True", "False"]  # a flag is text, not 1/0
    assert math.isnan(out["sentiment.score"].iloc[1])
    assert out["latency_ms"].dtype == "float64" and out["latency_ms"].iloc[1] == 3.0
    assert out["out"].tolist() == ["label: a", ""]
    described = Pipeline([Step(CLASSIFY, "a/b", name="s")]).describe()
    assert display.text_records(described)[0] == {
        "step": "1",
        "name": "s",
        "task": CLASSIFY,
        "model": "a/b",
        "takes": "text",
        "gives": "label, score",
    }


def test_text_column_and_data_column() -> None:
    frame = pd.DataFrame({"id": [1, 2], "note": [None, "hi"], "text": ["a", "b"]})
    assert display.text_column(frame) == "note"  # missing values skipped
    assert display.text_column(pd.DataFrame({"n": [1]})) == "n"
    assert display.text_column(pd.DataFrame()) == ""
    assert display.data_column(frame, "text") == "text"
    assert display.data_column(None, "anything") == "anything"  # no data yet
    assert display.data_column(pd.DataFrame({0: ["a"]}), "0") == "0"  # labels as text
    with pytest.raises(ValueError, match="Did you mean 'text'"):
        display.data_column(frame, "txet")


def test_progress_and_outcomes_in_words() -> None:
    assert display.rate_text(0, 500, 0.0) == "0 / 500 rows"
    assert display.rate_text(120, 500, 3.4) == "120 / 500 rows · 35.3 rows/s · ETA 11 s"
    assert display.rate_text(500, 500, 10.0) == "500 / 500 rows · 50.0 rows/s"
    out = pd.DataFrame({"error": ["", "boom", ""]})
    assert display.apply_summary(out, 2.0) == ("3 rows in 2.0 s (1.5 rows/s); 1 row with an error")
    stopped = pd.DataFrame({"error": ["", "cancelled", "cancelled"]})
    stopped.attrs["cancelled"] = True
    assert display.apply_summary(stopped, 1.0) == "cancelled: 1 of 3 rows done in 1.0 s"
    assert display.apply_summary(out, 1.0, cancelled=True).startswith("cancelled: 3 of 3")
    record = {"step": 1, "name": "s", "task": CLASSIFY, "model": "a/b", "input": "hi"}
    ran = PipelineRun(
        [{**record, "output": {}, "latency_ms": 3.0, "error": ""}], failed_step=None, total_ms=12.4
    )
    assert display.run_summary(ran) == "the sample ran through 1 step in 12 ms"
    failed = PipelineRun(
        [{**record, "output": None, "latency_ms": 1.0, "error": "x"}], failed_step="s", total_ms=1
    )
    assert display.run_summary(failed) == "the sample stopped at step s: see its error"
    assert display.compose_status(0, None, None, "").startswith("No steps yet")
    pipeline = Pipeline([Step(CLASSIFY, "a/b", name="s"), Step(CLASSIFY, "c/d", name="t")])
    assert display.compose_status(2, pipeline, 1200, "review") == (
        "Pipeline s → t (ready) · data: 1,200 rows, column review"
    )
    assert display.compose_status(3, None, None, "") == "Pipeline 3 steps (incomplete)"


def test_progress_reporter_reports_the_first_and_last_and_not_every_batch() -> None:
    seen: list[tuple[float, str]] = []
    progress = display.progress_reporter(lambda f, t: seen.append((f, t)), every=3600)
    for done in (8, 16, 24, 32):
        progress(done, 32)
    assert [f for f, _ in seen] == [0.25, 1.0]  # the rest came sooner than `every`
    assert seen[-1][1].startswith("32 / 32 rows")
    every_batch: list[float] = []
    progress = display.progress_reporter(lambda f, _t: every_batch.append(f), every=0)
    for done in (1, 2):
        progress(done, 2)
    progress(0, 0)
    assert every_batch == [0.5, 1.0, 1.0]


def test_the_sample_and_where_an_upload_goes(tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": ["a", "b"]})
    assert display.sample_item("text", text="hi") == "hi"
    assert display.sample_item("row", frame=frame, column="text", row=1) == "b"
    assert display.sample_item("file", file="/x.wav") == "/x.wav"
    with pytest.raises(ValueError, match="type a sample text first"):
        display.sample_item("text", text="  ")
    with pytest.raises(ValueError, match="upload a file first"):
        display.sample_item("file")
    with pytest.raises(ValueError, match="row 5 is past the end: the data has 2 rows"):
        display.sample_item("row", frame=frame, column="text", row=5)
    with pytest.raises(ValueError, match="unknown sample source 'url'"):
        display.sample_item("url")
    saved = display.save_sample(tmp_path, "../../escape.wav", b"RIFF")
    assert saved == tmp_path / "escape.wav" and saved.read_bytes() == b"RIFF"
    assert display.save_sample(tmp_path, "..", b"").name == "sample"
    assert display.save_sample(tmp_path, "c:\\music\\a.wav", b"").name == "a.wav"


def test_the_report_escapes_what_it_shows() -> None:
    steps = [{"task": CLASSIFY, "model": "<b>org/m</b>"}, {"task": "", "model": ""}]
    sample = display.shown(
        pd.DataFrame(
            [{"name": "s", "model": "m", "output": "<i>", "latency_ms": 2.25, "error": ""}]
        )
    )
    page = display.workflow_html("done & dusted", steps, sample, sample, total=40)
    assert "&lt;b&gt;org/m" in page and "(no task): (no model)" in page
    assert "done &amp; dusted" in page and "&lt;i&gt;" in page and "<i>" not in page
    assert "first 1 of 40 rows" in page and ">2.2<" in page  # latency to 0.1 ms
