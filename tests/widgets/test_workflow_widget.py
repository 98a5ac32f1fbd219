"""WorkflowWidget without a browser: composing steps (from Python and from the page), a bad link
shown under its step with the steps kept, a sample run with each step's output and latency, an
apply over a DataFrame with progress, Cancel, result windows, linking, and the synced state a
saved view shows.

The models are tiny random-weight ones made on this machine (hubwidgets.testing.models) and run
for real; the page's updates are played with ``set_state`` and its requests with messages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import traitlets

import hubwidgets as hw
from hubwidgets.core.workflows import Pipeline, Step
from hubwidgets.widgets._protocol import VERSION
from hubwidgets.widgets._serialization import from_ipc
from hubwidgets.widgets.workflow import SAMPLE_COLUMNS, WorkflowWidget

from .conftest import Picker

pytest.importorskip("torch", reason="the tiny models need torch (hubwidgets[inference])")
pytest.importorskip("transformers", reason="the tiny models need transformers")


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A tiny text classifier, speech recognizer, and a short WAV file."""
    from hubwidgets.testing import models  # noqa: PLC0415

    root = tmp_path_factory.mktemp("workflow-models")
    return {
        "clf": models.tiny_text_classifier(root / "clf"),
        "asr": models.tiny_speech_recognizer(root / "asr"),
        "wav": models.sample_wav(root / "hello.wav", seconds=0.5),
    }


@pytest.fixture(scope="module")
def catalog() -> hw.Catalog:
    return hw.starter_catalog()


@pytest.fixture
def make(catalog: hw.Catalog, made: list[Any]) -> Callable[..., WorkflowWidget]:
    def build(*args: Any, **kwargs: Any) -> WorkflowWidget:
        kwargs.setdefault("catalog", catalog)
        widget = WorkflowWidget(*args, **kwargs)
        made.append(widget)
        return widget

    return build


def frame(n: int = 20) -> pd.DataFrame:
    words = ["good movie", "bad food", "i love paris", "terrible day"]
    return pd.DataFrame({"id": range(n), "review": [words[i % 4] for i in range(n)]})


def state(widget: WorkflowWidget, name: str) -> pd.DataFrame:
    value = widget.get_state([name])[name]
    assert isinstance(value, bytes)
    return from_ipc(value)


def ask(widget: WorkflowWidget, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """A request from the page; the reply (or error) the kernel sent back."""
    sent: list[dict[str, Any]] = []
    widget.send = lambda content, buffers=None: sent.append({**content, "buffers": buffers})  # type: ignore[method-assign]
    try:
        widget._on_message(widget, {"hw": VERSION, "kind": kind, "id": 1, "body": body}, [])
    finally:
        del widget.send
    assert sent, f"no reply to {kind}"
    return sent[-1]


def test_no_steps(make: Callable[..., WorkflowWidget]) -> None:
    w = make()
    assert w.steps == [] and w.pipeline is None and w.result is None
    assert w.status.startswith("No steps yet")
    with pytest.raises(ValueError, match="add at least one step"):
        w.run_sample("hello")
    assert w.error == "add at least one step first"


def test_models_offered_per_task_from_the_catalog(
    make: Callable[..., WorkflowWidget], catalog: hw.Catalog
) -> None:
    w = make()
    assert w._choices == {}  # looked up when a step has the task, not for every task
    w.set_state({"steps": [{"task": "text-classification", "model": "", "input": "", "name": ""}]})
    assert list(w._choices) == ["text-classification"]
    offered = w._choices["text-classification"]
    assert 0 < len(offered) <= WorkflowWidget.CHOICES
    top = catalog.search(task="text-classification", sort="downloads", limit=1)
    assert offered[0][0] == top["id"].iloc[0]
    known = [d for _, d in offered if d is not None]
    assert known and known == sorted(known, reverse=True)
    assert [d for _, d in offered][: len(known)] == known  # unknown counts come last


def test_a_pipeline_from_python(
    make: Callable[..., WorkflowWidget], folders: dict[str, str]
) -> None:
    pipeline = Pipeline(
        [
            Step("automatic-speech-recognition", folders["asr"], name="asr"),
            Step("text-classification", folders["clf"], name="sentiment"),
        ]
    )
    w = make(pipeline)
    assert [s["name"] for s in w.steps] == ["asr", "sentiment"]
    assert w.steps[1] == {
        "task": "text-classification",
        "model": folders["clf"],
        "input": "",
        "name": "sentiment",
    }
    assert isinstance(w.pipeline, Pipeline)
    assert [p["name"] for p in w._plan] == ["asr", "sentiment"]
    assert w._plan[0]["takes"] == "audio" and "label" in w._plan[1]["gives"]
    assert w.error == "" and "asr → sentiment (ready)" in w.status
    with pytest.raises(TypeError, match=r"hw\.Pipeline or a list of hw\.Step"):
        make("not a pipeline")


def test_a_bad_link_shows_under_its_step_and_the_steps_stay(
    make: Callable[..., WorkflowWidget], folders: dict[str, str]
) -> None:
    w = make([Step("text-classification", folders["clf"], name="sentiment")])
    composed = [
        *w.steps,
        {"task": "image-classification", "model": folders["clf"], "input": "", "name": "vision"},
    ]
    w.set_state({"steps": composed})  # from the page
    assert w.steps == composed  # kept as composed
    assert w.pipeline is None
    assert list(w._problems) == ["1"]
    problem = w._problems["1"]
    assert "sentiment" in problem and "vision" in problem  # names both steps
    assert w.error == problem and w.status == problem
    with pytest.raises(ValueError, match="fix the steps first"):
        w.run_sample("good movie")
    # fixed: rebuilt, the problem gone
    w.set_state({"steps": [composed[0], {**composed[1], "task": "text-classification"}]})
    assert isinstance(w.pipeline, Pipeline) and w._problems == {} and w.error == ""


def test_an_incomplete_step_asks_for_what_is_missing(make: Callable[..., WorkflowWidget]) -> None:
    w = make()
    w.set_state({"steps": [{"task": "text-classification", "model": "", "input": "", "name": ""}]})
    assert w._problems == {"0": "choose a model (from the list, or type an id or a folder)"}
    assert w.pipeline is None and "(incomplete)" in w.status and w.error == ""
    w.set_state({"steps": [*w.steps, {"task": "", "model": "", "input": "", "name": ""}]})
    assert w._problems["1"] == "choose a task"


def test_bad_steps_are_refused_with_the_valid_ones(
    make: Callable[..., WorkflowWidget], folders: dict[str, str]
) -> None:
    w = make([Step("text-classification", folders["clf"])])
    before = list(w.steps)
    with pytest.raises(traitlets.TraitError, match="did you mean 'text-classification'"):
        w.steps = [{"task": "text-clasification", "model": "x"}]
    with pytest.raises(traitlets.TraitError, match="unknown key 'modle'"):
        w.steps = [{"task": "text-classification", "modle": "x"}]
    # from the page: refused, said in the status, the steps kept
    w.set_state({"steps": [{"task": "nope", "model": "x"}]})
    assert w.steps == before and "unknown task 'nope'" in w.error


def test_run_on_a_text_sample(make: Callable[..., WorkflowWidget], folders: dict[str, str]) -> None:
    w = make([Step("text-classification", folders["clf"], name="sentiment")])
    out = w.run_sample("good movie")
    assert out is w.sample_result and list(out.columns) == list(SAMPLE_COLUMNS)
    assert out["error"].tolist() == [""]
    shown = state(w, "_sample")
    assert shown["name"].tolist() == ["sentiment"]
    assert shown["output"].iloc[0].startswith("label: ")
    assert shown["latency_ms"].iloc[0] > 0
    assert w.status.startswith("the sample ran through 1 step") and w.error == ""
    # the page's text, through the request
    w.sample_text = "bad food"
    ask(w, "sample", {})
    assert w.wait(60)
    assert "bad food" in str(w.sample_result["input"].iloc[0])
    # nothing typed: said, and nothing run
    w.sample_text = ""
    reply = ask(w, "sample", {})
    assert reply.get("error") is None  # a notice: the status says it
    assert "type a sample text first" in w.error


def test_run_on_an_uploaded_audio_file(
    make: Callable[..., WorkflowWidget], folders: dict[str, str]
) -> None:
    pipeline = [
        Step("automatic-speech-recognition", folders["asr"], name="asr"),
        Step("text-classification", folders["clf"], name="sentiment"),
    ]
    w = make(pipeline)
    data = Path(folders["wav"]).read_bytes()
    ask(w, "sample", {"file": {"name": "hello.wav", "data": data}})
    assert w.wait(60)
    assert w.sample_from == "file" and w._file == {"name": "hello.wav"}
    out = w.sample_result
    assert out is not None and out["name"].tolist() == ["asr", "sentiment"]
    assert out["error"].tolist() == ["", ""], out["error"].tolist()
    assert state(w, "_sample")["latency_ms"].gt(0).all()
    refused = ask(w, "sample", {"file": {"name": "x.wav"}})
    assert "did not arrive whole" in refused["error"]["message"]


def test_a_row_of_the_data_as_the_sample(
    make: Callable[..., WorkflowWidget], folders: dict[str, str]
) -> None:
    w = make([Step("text-classification", folders["clf"])], data=frame(), column="review")
    w.sample_from, w.sample_row = "row", 2
    out = w.run_sample()
    assert out is not None and "i love paris" in str(out["input"].iloc[0])
    w.sample_row = 99
    with pytest.raises(ValueError, match="row 99 is past the end: the data has 20 rows"):
        w.run_sample()


def test_data_and_column(make: Callable[..., WorkflowWidget]) -> None:
    w = make(data=frame())
    assert w.column == "review"  # the first column of text
    assert w._data == {"rows": 20, "columns": ["id", "review"]}
    with pytest.raises(traitlets.TraitError, match="Did you mean 'review'"):
        w.column = "reveiw"
    w.df = pd.DataFrame({"text": ["a"]})
    assert w.column == "text" and w._data["rows"] == 1
    with pytest.raises(TypeError, match="pandas DataFrame"):
        w.df = [1, 2]  # type: ignore[assignment]
    with pytest.raises(TypeError, match="did you mean 'column'"):
        make(colum="text")


def test_apply_with_progress_and_result_windows(
    make: Callable[..., WorkflowWidget], folders: dict[str, str]
) -> None:
    w = make([Step("text-classification", folders["clf"], name="sentiment")])
    with pytest.raises(ValueError, match="no data"):
        w.apply(wait=True)
    w.df = frame(70)
    texts: list[str] = []
    w.observe(lambda change: texts.append(change["new"]), names="progress_text")
    w.PROGRESS_EVERY = 0.0
    out = w.apply(wait=True)
    assert out is w.result and len(out) == 70
    assert {"sentiment.label", "sentiment.score", "error", "latency_ms"} <= set(out.columns)
    assert out["error"].eq("").all()
    assert w.progress == 1.0 and w.progress_text == "done"
    assert any("rows/s" in t and "ETA" in t for t in texts), texts  # live, mid-run
    assert w.status.startswith("70 rows in") and "rows/s" in w.status
    first = state(w, "_result")  # what a saved view shows: the first window
    assert len(first) == WorkflowWidget.WINDOW and first["review"].iloc[0] == "good movie"
    assert w._result_info["total"] == 70
    reply = ask(w, "rows", {"start": 50, "stop": 100})
    assert reply["body"]["start"] == 50 and reply["body"]["stop"] == 70
    assert from_ipc(reply["buffers"][0])["id"].tolist() == list(range(50, 70))


def test_cancel_stops_after_the_batch_under_way(
    make: Callable[..., WorkflowWidget], folders: dict[str, str]
) -> None:
    w = make([Step("text-classification", folders["clf"])], data=frame(64))
    w.PROGRESS_EVERY = 0.0
    first_batch = threading.Event()

    def on_progress(change: Any) -> None:
        if change["new"] > 0 and not first_batch.is_set():
            first_batch.set()
            w.cancel()  # as the Cancel button does, while the run goes on

    w.observe(on_progress, names="progress")
    ask(w, "run", {})
    assert w.wait(60)
    out = w.result
    assert out is not None and out.attrs["cancelled"] is True
    cancelled = out["error"].eq("cancelled")
    assert 0 < cancelled.sum() < 64  # some rows ran, the rest were not started
    assert w.status.startswith("cancelled:") and w.progress_text == "cancelled"
    assert w.steps and w.pipeline is not None  # the composition is intact


def test_a_failing_apply_keeps_what_was_shown(
    make: Callable[..., WorkflowWidget], folders: dict[str, str]
) -> None:
    w = make([Step("automatic-speech-recognition", folders["asr"])], data=frame())
    with pytest.raises(ValueError, match="row"):  # texts are not audio: the core names the row
        w.apply(wait=True)
    assert w.error.startswith("the pipeline did not run") and w.result is None
    assert w.steps and not w.running


def test_linked_selection_is_offered(make: Callable[..., WorkflowWidget]) -> None:
    picker = Picker(picked=["org/a"])
    try:
        w = make(source=picker)
        assert w._linked == ["org/a"]
        picker.picked = ["org/b", "org/c"]
        assert w._linked == ["org/b", "org/c"]
        with pytest.raises(TypeError, match="widget with a selection"):
            make(source="nope")
    finally:
        picker.close()


def test_report_keeps_steps_sample_and_result(
    make: Callable[..., WorkflowWidget], folders: dict[str, str]
) -> None:
    w = make([Step("text-classification", folders["clf"], name="sentiment")], data=frame(5))
    w.run_sample("good movie")
    w.apply(wait=True)
    report = w._report_html()
    assert "text-classification" in report and folders["clf"] in report
    assert "The sample" in report and "first 5 of 5 rows" in report
    assert "sentiment.label" in report


def test_an_ensemble_step_stays_an_ensemble(
    make: Callable[..., WorkflowWidget], folders: dict[str, str], tmp_path: Path
) -> None:
    from hubwidgets.testing import models  # noqa: PLC0415

    upbeat = models.tiny_text_classifier(tmp_path / "upbeat", favour="positive")
    panel = hw.Ensemble([folders["clf"], upbeat], "text-classification", strategy="mean")
    w = make([Step("text-classification", panel, name="panel")])
    assert w.steps[0]["model"] == panel.id  # shown in words in the page
    assert w.pipeline is not None and w.pipeline.steps[0].model is panel
    out = w.run_sample("good movie")
    assert out is not None and out["error"].tolist() == [""]
    assert "agreement" in str(out["output"].iloc[0])
    # renamed in the page: rebuilt with the same ensemble
    w.set_state({"steps": [{**w.steps[0], "name": "voters"}]})
    assert w.pipeline is not None and w.pipeline.steps[0].model is panel
    assert w._plan[0]["name"] == "voters"
