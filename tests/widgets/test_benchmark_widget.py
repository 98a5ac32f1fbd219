"""BenchmarkWidget without a browser: traits, inputs, runs on a fake backend, Cancel, the link to
a SearchWidget or CompareWidget, the synced state a view draws, the report.

The front-end's messages are played as the page sends them: ``set_state`` for trait updates,
protocol messages (``_on_message``) for the notices and requests; what the widget sends back is
read from its comm. The runs use a fake backend (no model is loaded); drawing the charts
(vl-convert) takes seconds, so only the tests with svg in their name draw them.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest
import traitlets

import hubwidgets as hw
from hubwidgets.core.inference import results
from hubwidgets.core.inference.backends._base import INFERENCE_TASKS, InferenceResult
from hubwidgets.core.inference.samples import sample_inputs
from hubwidgets.widgets import BenchmarkWidget, CompareWidget, SearchWidget
from hubwidgets.widgets._protocol import pack, unpack
from hubwidgets.widgets._serialization import from_ipc
from hubwidgets.widgets.benchmark import SUMMARY_COLUMNS, results_table

TEXTS = ["great film", "awful food", "lovely day", "broken app"]
LABELS = ["positive", "negative", "positive", "negative"]


class FakeBackend:
    """Models whose id ends in "good" answer each of TEXTS right, the others always "negative";
    fails for the models in ``fail``; can block each call until ``gate`` is set (for Cancel)."""

    name = "fake"

    def __init__(
        self,
        *,
        delay: float = 0.0,
        fail: tuple[str, ...] = (),
        gate: threading.Event | None = None,
    ) -> None:
        self.delay = delay
        self.fail = set(fail)
        self.gate = gate
        self.started = threading.Event()

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        self.started.set()
        began = time.perf_counter()
        if model in self.fail:
            raise RuntimeError(f"cannot load {model}")
        if self.gate is not None:
            self.gate.wait(5)
        time.sleep(self.delay)
        items = inputs if isinstance(inputs, list) else [inputs]
        answers = dict(zip(TEXTS, LABELS, strict=True)) if model.endswith("good") else {}
        outputs = [[{"label": answers.get(str(i), "negative"), "score": 0.9}] for i in items]
        return InferenceResult(
            task=task,
            model=model,
            outputs=outputs,
            backend="fake",
            provider="cpu",
            latency_ms=(time.perf_counter() - began) * 1000 + 0.01,
        )

    def stream(self, task: str, model: str, inputs: Any, **params: Any) -> Iterator[str]:
        raise NotImplementedError


FAST = {"warmup": 0, "min_iterations": 3, "min_duration_s": 0.0}


@pytest.fixture(autouse=True)
def no_charts(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if "svg" not in request.node.name:
        monkeypatch.setattr(BenchmarkWidget, "_chart_svgs", lambda self: {})


@pytest.fixture
def make(made: list[Any]) -> Callable[..., Any]:
    """Build widgets; closed afterwards (which cancels a run left going)."""

    def build(*args: Any, cls: type[Any] = BenchmarkWidget, **kwargs: Any) -> Any:
        widget = cls(*args, **kwargs)
        made.append(widget)
        return widget

    return build


def table_of(widget: BenchmarkWidget) -> pd.DataFrame:
    """The results table as a view gets it: the synced state, decoded."""
    return from_ipc(widget.get_state("_summary")["_summary"])


def record(widget: Any) -> list[tuple[dict[str, Any], list[Any]]]:
    """What the widget sends to its views from now on (state updates and messages)."""
    sent: list[tuple[dict[str, Any], list[Any]]] = []
    widget.comm.send = lambda data=None, buffers=None, **_: sent.append((data, list(buffers or [])))
    return sent


def page(widget: Any, kind: str, body: dict[str, Any] | None = None, rid: int | None = None) -> Any:
    """The page sends a protocol message (a notice without ``rid``); the reply, if any."""
    sent = record(widget)
    packed, paths, buffers = pack(body or {})
    content = {"hw": 1, "kind": kind, "id": rid, "body": packed, "paths": paths}
    widget._on_message(widget, content, buffers)
    for data, sent_buffers in sent:
        message = data.get("content") if data.get("method") == "custom" else None
        if message and message.get("id") == rid and rid is not None:
            if "error" in message:
                return message
            return unpack(message.get("body") or {}, message.get("paths"), sent_buffers)
    return None


def upload(widget: Any, *files: tuple[str, bytes | memoryview]) -> Any:
    body = {"files": [{"name": name, "data": data} for name, data in files]}
    return page(widget, "files", body, rid=1)


# -- construction and traits ------------------------------------------------------------------
def test_lazy_export() -> None:
    assert hw.BenchmarkWidget is BenchmarkWidget
    assert "BenchmarkWidget" in hw.__all__


def test_defaults_and_status(make: Callable[..., Any]) -> None:
    w = make(models=["org/a", "org/a", " org/b "], task="text-classification")
    assert w.models == ["org/a", "org/b"]
    assert w.input_source == "samples"
    assert (w.warmup, w.min_iterations, w.min_duration_s, w.batch_sizes) == (3, 10, 5.0, [1])
    assert not w.running and w.progress == 0.0 and w.error == ""
    assert w.result is None
    n = len(sample_inputs("text-classification"))
    assert w.status == f"2 models · text-classification · {n} built-in samples · batch size 1"
    assert w._inputs["samples"] == len(sample_inputs("text-classification"))
    assert w._tasks == list(INFERENCE_TASKS)
    assert w._summary is None and w.get_state("_summary") == {"_summary": None}


def test_unknown_task_lists_the_choices(make: Callable[..., Any]) -> None:
    with pytest.raises(traitlets.TraitError, match="choose one of text-classification"):
        make(models=["org/a"], task="text-clasification")
    w = make(models=["org/a"])
    assert w.task == ""
    w.task = "conversational"  # the Hub's old name
    assert w.task == "chat-completion"


@pytest.mark.parametrize(("value", "expected"), [(4, [4]), ((8, 1, 8), [1, 8]), ([32, 2], [2, 32])])
def test_batch_sizes(make: Callable[..., Any], value: Any, expected: list[int]) -> None:
    w = make(batch_sizes=value)
    assert w.batch_sizes == expected


@pytest.mark.parametrize("value", [[0], [], [1.5], [True], ["8"]])
def test_bad_batch_sizes_raise(make: Callable[..., Any], value: Any) -> None:
    w = make()
    with pytest.raises(traitlets.TraitError, match="batch_sizes must be"):
        w.batch_sizes = value
    assert w.batch_sizes == [1]


@pytest.mark.parametrize(
    ("name", "value"), [("warmup", -1), ("min_iterations", 0), ("min_duration_s", -1.0)]
)
def test_bad_options_raise(make: Callable[..., Any], name: str, value: Any) -> None:
    with pytest.raises(traitlets.TraitError):
        make(**{name: value})


def test_bad_arguments_raise_type_errors() -> None:
    with pytest.raises(TypeError, match="widget with a selection"):
        BenchmarkWidget(source="not a widget")
    with pytest.raises(TypeError, match=r"'min_iteration' \(did you mean 'min_iterations'\?\)"):
        BenchmarkWidget(min_iteration=3)
    with pytest.raises(TypeError, match="not a column"):
        BenchmarkWidget(inputs=(pd.DataFrame({"text": ["a"]}), "txt"))
    with pytest.raises(TypeError, match="pass one column"):
        BenchmarkWidget(inputs=pd.DataFrame({"text": ["a"]}))


# -- inputs ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("inputs", "where"),
    [
        (TEXTS, "the given list"),
        (pd.Series(TEXTS, name="text"), "column 'text'"),
        ((pd.DataFrame({"text": TEXTS}), "text"), "column 'text'"),
    ],
)
def test_given_inputs(make: Callable[..., Any], inputs: Any, where: str) -> None:
    w = make(models=["org/a"], task="text-classification", inputs=inputs)
    assert w.input_source == "column"
    assert w.inputs() == TEXTS
    assert f"4 inputs from {where}" in w.status
    assert w._inputs["column"] == 4 and w._inputs["column_label"] == where
    w.input_source = "samples"
    assert w.inputs() == sample_inputs("text-classification")


def test_uploaded_files(make: Callable[..., Any]) -> None:
    w = make(models=["org/a"], task="text-classification")
    reply = upload(w, ("a.txt", b"one\n\ntwo\n"), ("b.txt", b"three"))
    assert reply == {"items": 3}
    assert w.input_source == "files"
    assert w.inputs() == ["one", "two", "three"]
    assert w._inputs["files"] == ["a.txt", "b.txt"] and w._inputs["file_items"] == 3
    assert "3 inputs from 2 uploaded file(s)" in w.status
    w.task = "image-classification"  # images stay bytes, one item per file
    png = sample_inputs("image-classification")[0]
    assert upload(w, ("cat.png", memoryview(png))) == {"items": 1}
    assert w.inputs() == [png]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"files": []}, "did not arrive whole"),
        ({"files": [{"name": "x.txt"}]}, "did not arrive whole"),
        ({"names": ["x.txt"]}, "did not arrive whole"),
        ({"files": [{"name": "x.json", "data": b"[1,"}]}, "x.json is not valid JSON"),
        ({"files": [{"name": "x.txt", "data": b"\n \n"}]}, "no inputs in x.txt"),
    ],
)
def test_a_bad_upload_is_refused_in_words(
    make: Callable[..., Any], body: dict[str, Any], words: str
) -> None:
    w = make(models=["org/a"], task="text-classification")
    assert upload(w, ("a.txt", b"kept")) == {"items": 1}
    reply = page(w, "files", body, rid=2)
    assert words in reply["error"]["message"]
    assert w.inputs() == ["kept"]  # the last good upload stays


def test_run_refuses_what_is_missing(make: Callable[..., Any]) -> None:
    w = make()
    page(w, "run")
    assert "add at least one model" in w.error
    w.models = ["org/a"]
    assert w.error == ""  # a new setup: the status describes it
    assert w.status.startswith("1 model · no task chosen")
    page(w, "run")
    assert w.error == "choose a task first"
    w.task = "text-classification"
    w.input_source = "files"
    with pytest.raises(ValueError, match="no files uploaded"):
        w.run(wait=True)
    assert w.result is None and not w.running


# -- state from the page -----------------------------------------------------------------------
def test_the_page_sets_the_setup(make: Callable[..., Any]) -> None:
    w = make(models=["org/a"])
    w.set_state(
        {
            "models": ["org/a", "org/b"],
            "task": "question-answering",
            "batch_sizes": [1, 4],
            "warmup": 1,
        }
    )
    assert w.models == ["org/a", "org/b"]
    assert w.task == "question-answering" and w.batch_sizes == [1, 4] and w.warmup == 1
    n = len(sample_inputs("question-answering"))
    assert w.status == f"2 models · question-answering · {n} built-in samples · batch size 1, 4"


def test_a_bad_value_from_the_page_goes_to_the_error(make: Callable[..., Any]) -> None:
    w = make(models=["org/a"], task="text-classification")
    w.set_state({"task": "no-such-task", "warmup": 1})
    assert "unknown task 'no-such-task'" in w.error
    assert w.task == "text-classification" and w.warmup == 3  # nothing applied


def test_the_page_cannot_write_kernel_traits(make: Callable[..., Any]) -> None:
    w = make(models=["org/a"], task="text-classification")
    before = w.status
    w.set_state({"running": True, "progress": 0.5, "status": "hacked", "_summary": b"x"})
    assert (w.running, w.progress, w.status, w._summary) == (False, 0.0, before, None)
    assert "cannot set" in w.error


# -- runs ----------------------------------------------------------------------------------------
def test_run_from_python_returns_the_result(make: Callable[..., Any]) -> None:
    backend = FakeBackend()
    w = make(
        ["org/a-good", "org/b"],
        "text-classification",
        inputs=TEXTS,
        labels=LABELS,
        backend=backend,
        batch_sizes=[1, 2],
        **FAST,
    )
    seen: list[float] = []
    tables: list[pd.DataFrame] = []
    w.observe(lambda c: seen.append(c["new"]), names="progress")
    w.observe(lambda c: tables.append(c["new"]), names="_summary")
    result = w.run(wait=True)
    assert result is w.result and result is not None
    assert not w.running and w.progress == 1.0 and w.progress_text == "done"
    assert w.status.startswith("Done · 4 of 4 ran in")
    assert seen and seen == sorted(seen)  # the bar only moves forward
    # the table: pending rows first, then one more row each time a combination finishes
    assert len(tables) >= 1 + 4
    first = tables[0]
    assert first["status"].tolist() == ["pending"] * 4
    statuses = [t["status"].tolist() for t in tables]
    assert ["running", "pending", "pending", "pending"] in statuses
    assert ["ok", "running", "pending", "pending"] in statuses
    shown = table_of(w)
    assert tuple(shown.columns) == SUMMARY_COLUMNS
    assert shown["model"].tolist() == ["org/a-good", "org/a-good", "org/b", "org/b"]
    assert shown["status"].tolist() == ["ok"] * 4
    assert w._quality == {"metric": "accuracy", "label": "Accuracy", "lower_is_better": False}
    good = shown[shown["model"] == "org/a-good"]
    assert good["quality"].tolist() == [1.0, 1.0] and good["best_quality"].all()
    assert not shown.loc[shown["model"] == "org/b", "best_quality"].any()
    assert shown["quality_lo"].notna().all()


def test_a_failing_model_has_its_error_in_its_row(make: Callable[..., Any]) -> None:
    w = make(
        ["org/a", "org/broken"],
        "text-classification",
        backend=FakeBackend(fail=("org/broken",)),
        **FAST,
    )
    w.run(wait=True)
    shown = table_of(w)
    broken = shown[shown["model"] == "org/broken"].iloc[0]
    assert broken["status"] == "error" and "cannot load org/broken" in broken["error"]
    assert w.error == ""  # the run itself went fine
    assert "1 failed (see their rows)" in w.status


def test_what_the_engine_refuses_shows_and_keeps_the_setup(make: Callable[..., Any]) -> None:
    w = make(
        ["org/a"],
        "text-classification",
        inputs=TEXTS,
        labels=LABELS[:3],  # one label short
        backend=FakeBackend(),
        **FAST,
    )
    page(w, "run")  # from the page: never raises
    assert w.wait(10)
    assert "labels" in w.error and "press Run again" in w.error
    assert w.status == w.error and not w.running
    assert w.models == ["org/a"] and w.inputs() == TEXTS
    assert w.result is None
    with pytest.raises(ValueError, match="labels"):  # from Python: raises too
        w.run(wait=True)


def test_a_second_run_is_refused_while_running(make: Callable[..., Any]) -> None:
    gate = threading.Event()
    backend = FakeBackend(gate=gate)
    w = make(["org/a"], "text-classification", backend=backend, **FAST)
    page(w, "run")
    assert backend.started.wait(5)
    assert w.running
    page(w, "run")
    assert "already going on" in w.status
    with pytest.raises(RuntimeError, match="already going on"):
        w.run(wait=True)
    gate.set()
    assert w.wait(10)
    assert not w.running and w.status.startswith("Done")
    assert w.error == ""


def test_cancel_stops_the_run(make: Callable[..., Any]) -> None:
    backend = FakeBackend(delay=0.01)
    w = make(
        ["org/a", "org/b", "org/c"],
        "text-classification",
        backend=backend,
        warmup=0,
        min_iterations=1,
        min_duration_s=30.0,
    )
    page(w, "cancel")  # nothing running: nothing to do
    assert w.progress_text == ""
    started = time.perf_counter()
    page(w, "run")
    assert backend.started.wait(5)
    page(w, "cancel")
    assert w.wait(10)
    assert time.perf_counter() - started < 10
    assert w.status.startswith("Cancelled") and w.progress_text == "cancelled"
    assert not w.running and w.error == ""
    assert w.result is not None and w.result.cancelled
    assert "ok" not in set(table_of(w)["status"])


def test_follows_the_selection_of_a_search(make: Callable[..., Any]) -> None:
    catalog = hw.starter_catalog()
    ids = catalog.search(task="text-classification", limit=3)["id"].tolist()
    search = make(catalog, cls=SearchWidget, task="text-classification")
    search.selected_ids = ids[:1]
    w = make(source=search)
    assert w.models == ids[:1]
    assert w.task == "text-classification"  # the search's task filter
    search.selected_ids = ids
    assert w.models == ids
    w.close()
    search.selected_ids = ids[:2]
    assert w.models == ids  # unlinked


def test_follows_the_models_of_a_comparison(make: Callable[..., Any]) -> None:
    catalog = hw.starter_catalog()
    ids = catalog.search(task="text-generation", limit=3)["id"].tolist()
    compare = make(ids[:2], cls=CompareWidget, catalog=catalog)
    compare._chart_svgs = lambda *args: {}
    w = make(source=compare, task="text-generation")
    assert w.models == ids[:2]
    compare.models = ids
    assert w.models == ids


# -- the results table and the report ----------------------------------------------------------
def test_the_table_functions_are_the_core_ones() -> None:
    """Earlier code imported them from here; the core has them now (tests/core/test_results.py)."""
    assert results_table is results.results_table
    assert SUMMARY_COLUMNS == results.RESULTS_COLUMNS


def test_report_html_is_the_table(make: Callable[..., Any]) -> None:
    w = make(
        ["org/a-good", "org/broken"],
        "text-classification",
        inputs=TEXTS,
        labels=LABELS,
        backend=FakeBackend(fail=("org/broken",)),
        **FAST,
    )
    assert w._report_html().startswith('<p class="hubwidgets-benchmark">')
    w.run(wait=True)
    report = w._report_html()
    assert report.startswith('<table class="hubwidgets-benchmark">')
    assert "org/a-good" in report and "cannot load org/broken" in report
    assert 'href="https://huggingface.co/org/a-good"' in report
    assert "p50 (ms)" in report and "Accuracy (95% CI)" in report
    assert "★" in report
    assert f"<caption>{w.status}" in report


def test_charts_go_to_the_page_as_svg(make: Callable[..., Any]) -> None:
    w = make(
        ["org/a-good", "org/b"],
        "text-classification",
        inputs=TEXTS,
        labels=LABELS,
        backend=FakeBackend(),
        **FAST,
    )
    w.run(wait=True)
    assert set(w._charts) == {"latency", "throughput", "quality"}
    assert all(svg.lstrip().startswith("<svg") for svg in w._charts.values())
    assert list(w.charts()) == ["latency", "throughput", "quality"]
    assert w.get_state("_charts")["_charts"] == w._charts  # synced: a view draws them
    assert '<div data-chart="latency"><svg' in w._report_html()


def test_a_run_from_python_updates_the_state_every_view_draws(make: Callable[..., Any]) -> None:
    """A run started in Python, not by the page's Run: its progress and results are synced
    state, so every view (one drawn after the run too) shows them."""
    w = make(["org/a-good", "org/b"], "text-classification", backend=FakeBackend(), **FAST)
    sent = record(w)
    w.run(wait=True)
    messages = [data for data, _ in sent if data.get("method") == "update"]
    updates = [data["state"] for data in messages]
    # binary values (the table) travel as buffers, named in buffer_paths
    tables = [b for data, b in sent if ["_summary"] in data.get("buffer_paths", [])]
    assert len(tables) >= 3 and all(len(b) == 1 for b in tables)
    assert any("progress_text" in state for state in updates)
    running = [state["running"] for state in updates if "running" in state]
    assert running[0] is True and running[-1] is False
    progress = [state["progress"] for state in updates if "progress" in state]
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert from_ipc(tables[0][0])["status"].tolist() == ["pending", "pending"]
    # what a view drawn now gets: the finished table, the status, no run
    state = w.get_state()
    assert state["running"] is False and state["status"].startswith("Done · 2 of 2")
    shown = from_ipc(state["_summary"])
    assert shown["status"].tolist() == ["ok", "ok"]
    assert shown["model"].tolist() == ["org/a-good", "org/b"]


def test_a_failed_run_leaves_no_pending_table(make: Callable[..., Any]) -> None:
    w = make(
        ["org/a"],
        "text-classification",
        inputs=TEXTS,
        labels=LABELS[:1],
        backend=FakeBackend(),
        **FAST,
    )
    with pytest.raises(ValueError, match="labels"):
        w.run(wait=True)
    assert w._summary is None and w._charts == {}
    assert w.progress_text == ""


def test_uploaded_files_a_new_task_cannot_read_say_so_at_run(make: Callable[..., Any]) -> None:
    w = make(["org/a"], "image-classification", backend=FakeBackend(), **FAST)
    assert upload(w, ("notes.json", b"not json")) == {"items": 1}  # an image task: bytes
    w.task = "text-classification"
    assert w._inputs["file_items"] == 0
    assert "0 inputs from 1 uploaded file(s)" in w.status
    page(w, "run")
    assert "notes.json is not valid JSON" in w.error and "press Run again" in w.error
    assert not w.running


def test_a_model_the_policy_denies_is_not_loaded_and_its_row_says_why(
    make: Callable[..., Any], tmp_path: Any
) -> None:
    """The default local backend checks the folder first: the default policy denies custom
    code, so the model is not loaded and its row carries the PolicyError; allow_denied=True
    reaches the engine (which then loads it on purpose: here transformers refuses the code)."""
    folder = tmp_path / "needs-code"
    folder.mkdir()
    auto_map = {"AutoModelForSequenceClassification": "modeling_x.XModel"}
    (folder / "config.json").write_text(json.dumps({"model_type": "x", "auto_map": auto_map}))
    (folder / "modeling_x.py").write_text("raise SystemExit('imported')\n")
    with hw.use_policy(None):
        w = make([str(folder)], "text-classification", inputs=["hi"], **FAST)
        w.run(wait=True)
    row = table_of(w).iloc[0]
    assert row["status"] == "error"
    assert "denied by the default policy" in row["error"] and "allow_denied=True" in row["error"]
    arguments, _, _ = make([str(folder)], "text-classification", allow_denied=True)._prepare()
    assert arguments["allow_denied"]
    with pytest.raises(TypeError, match="allow_denied must be True or False"):
        BenchmarkWidget([str(folder)], "text-classification", allow_denied="yes")


class PaidBackend(FakeBackend):
    """A remote provider: each call is billed (prices per call in the test)."""

    name = "remote"
    provider = "together"

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        result = super().run(task, model, inputs, **params)
        result.backend, result.provider = "remote", "together"
        return result


def test_the_table_says_which_rows_are_reliable(make: Callable[..., Any]) -> None:
    w = make(["org/a"], "text-classification", backend=FakeBackend(), **FAST)
    w.run(wait=True)
    row = table_of(w).iloc[0]
    summary = w.result.summary.iloc[0]
    assert bool(row["reliable"]) == bool(summary["reliable"])
    assert row["spread_note"] == summary["spread_note"]


def test_spend_against_the_budget_and_a_hard_refusal_keeps_the_results(
    make: Callable[..., Any], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBWIDGETS_HOME", str(tmp_path))
    monkeypatch.delenv("HUBWIDGETS_BUDGET_USD", raising=False)
    options = {"warmup": 0, "min_iterations": 2, "min_duration_s": 0.0}
    w = make(
        ["org/a"],
        "text-classification",
        inputs=TEXTS[:1],
        backend=PaidBackend(),
        prices={("together", "org/a"): 0.1},
        **options,
    )
    with hw.use_budget(hw.Budget(1.0, hard=True)):
        w.run(wait=True)  # 3 calls (the first, unmeasured one is billed too): $0.30
        assert w.budget == "spent $0.30 of $1.00 this month (hard budget)"
        shown = table_of(w)
        w.min_iterations = 10  # 11 calls at least: $1.10 more, $0.40 over
        page(w, "run")
        assert not w.running
        assert "$0.40 over the hard budget" in w.error
        pd.testing.assert_frame_equal(table_of(w), shown)  # the last results stay
        with pytest.raises(hw.BudgetExceededError):
            w.run(wait=True)
    assert hw.usage(kind="benchmark")["cost_usd"].sum() == pytest.approx(0.3)
