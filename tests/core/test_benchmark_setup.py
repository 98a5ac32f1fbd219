"""A benchmark set up piece by piece without a widget (core/inference/benchmark_setup.py): what a
run still needs, its arguments for inputs from one source, uploads, the budget check before it
starts, and the results table while it goes on."""

from __future__ import annotations

from typing import Any

import pytest

import hubwidgets as hw
from hubwidgets.core.inference.benchmark import (
    BenchmarkProgress,
    BenchmarkResult,
    check_batch_sizes,
)
from hubwidgets.core.inference.benchmark_setup import (
    LiveRows,
    NotReadyError,
    guard_benchmark,
    inference_task,
    missing_to_run,
    prepare_benchmark,
    read_upload,
    setup_text,
    source_arguments,
)
from hubwidgets.core.inference.samples import Inputs, sample_inputs

TASK = "text-classification"


def test_what_a_run_still_needs_in_words() -> None:
    given = Inputs(["a", "b"], "column 'text'")
    assert missing_to_run([], TASK, given, "column") == "add at least one model to measure"
    assert missing_to_run([], TASK, given, "column", linked=True).endswith(
        "(or select some in the linked widget)"
    )
    assert missing_to_run(["org/a"], "", given, "column") == "choose a task first"
    assert "no files uploaded" in missing_to_run(["org/a"], TASK, given, "files")
    assert "no inputs were given" in missing_to_run(["org/a"], TASK, Inputs(), "column")
    assert missing_to_run(["org/a"], TASK, given, "column") == ""


def test_prepare_gives_the_engine_arguments_or_says_what_is_missing() -> None:
    given = Inputs(["a", "b"], "the given list")
    with pytest.raises(NotReadyError, match="choose a task first"):
        prepare_benchmark(["org/a"], "", given, "column")
    with pytest.raises(ValueError, match="add at least one model"):  # NotReadyError is one
        prepare_benchmark([], TASK, given, "column")
    arguments, warning = prepare_benchmark(
        ["org/a"], TASK, given, "column", labels=["x", "y"], allow_denied=True, batch_sizes=[1, 8]
    )
    assert warning is None  # no budget
    assert arguments == {
        "models": ["org/a"],
        "task": TASK,
        "backend": None,
        "allow_denied": True,
        "warmup": 3,
        "min_iterations": 10,
        "min_duration_s": 5.0,
        "batch_sizes": (1, 8),
        "inputs": ["a", "b"],
        "labels": ["x", "y"],
        "groups": None,
        "params": None,
    }


def test_labels_go_with_the_given_inputs_and_samples_bring_their_params() -> None:
    given = Inputs(["a", "b"], "the given list")
    labels, groups = ["x", "y"], ["g", "h"]
    column = source_arguments(given, "column", TASK, labels=labels, groups=groups)
    assert column == {"inputs": ["a", "b"], "labels": labels, "groups": groups, "params": None}
    task = "zero-shot-classification"
    samples = source_arguments(given, "samples", task, labels=labels, params={"top_k": 1})
    assert samples["inputs"] == sample_inputs(task) and samples["labels"] is None
    assert samples["params"]["top_k"] == 1 and "candidate_labels" in samples["params"]
    mine = {"candidate_labels": ["mine"]}
    assert source_arguments(given, "samples", task, params=mine)["params"] == mine


def test_an_upload_is_read_or_refused_in_words() -> None:
    files, items = read_upload(TASK, [{"name": "a.txt", "data": b"one\ntwo\n"}])
    assert files == [("a.txt", b"one\ntwo\n")] and items == ["one", "two"]
    for broken in (None, [], [{"name": "a.txt"}], [{"name": 1, "data": b"x"}]):
        with pytest.raises(ValueError, match="did not arrive whole"):
            read_upload(TASK, broken)
    with pytest.raises(ValueError, match=r"no inputs in empty\.txt"):
        read_upload(TASK, [{"name": "empty.txt", "data": b"\n"}])


def test_the_one_task_a_search_filter_names() -> None:
    assert inference_task(TASK) == TASK
    assert inference_task([TASK]) == TASK
    assert inference_task([TASK, "translation"]) is None  # two: none chosen
    assert inference_task(["not-a-task"]) is None and inference_task(None) is None


class Paid:
    """A remote backend (never called here: the budget is checked before any call)."""

    name = "remote"
    provider = "together"


def test_a_hard_budget_refuses_the_run_before_it_starts(home: Any) -> None:
    prices = {("together", "org/a"): 0.1}
    run: dict[str, Any] = {"backend": Paid(), "warmup": 0, "min_iterations": 2, "prices": prices}
    with hw.use_budget(hw.Budget(1.0, hard=True)):
        # 1 input x (first call + 2 measured) x batch size 1: $0.30
        assert guard_benchmark(["org/a"], TASK, ["hi"], **run) is None
        with pytest.raises(hw.BudgetExceededError, match=r"\$0.20 over the hard budget"):
            guard_benchmark(["org/a"], TASK, ["hi"], **run, batch_sizes=(1, 3))  # 3 + 9 calls
    with hw.use_budget(hw.Budget(0.2)):
        warning = guard_benchmark(["org/a"], TASK, ["hi"], **run)
        assert warning is not None and "over the soft budget" in warning
    assert guard_benchmark(["org/a"], TASK, ["hi"], **run) is None  # no budget: nothing to say


@pytest.fixture
def home(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("HUBWIDGETS_HOME", str(tmp_path))
    monkeypatch.delenv("HUBWIDGETS_BUDGET_USD", raising=False)
    return tmp_path


def test_the_setup_in_words() -> None:
    given = Inputs(["a", "b"], "column 'text'")
    assert setup_text(["a", "b"], TASK, given, "column", [1, 8]) == (
        f"2 models · {TASK} · 2 inputs from column 'text' · batch size 1, 8"
    )
    assert setup_text(["a"], "", given, "samples", [1]).startswith("1 model · no task chosen")


def test_the_table_while_a_run_goes_on() -> None:
    live = LiveRows(["org/a", "org/b"], [1])
    assert list(live.frame()["status"]) == ["pending", "pending"]
    measuring = BenchmarkProgress("org/a", 1, "measure", 1, 2, 0.2, "measuring")
    assert live.changes(measuring) and live.update(measuring)
    assert list(live.frame()["status"]) == ["running", "pending"]
    assert not live.changes(measuring)  # the same job: nothing new to draw
    row = {"model": "org/a", "batch_size": 1, "status": "ok", "p50_ms": 2.0}
    done = BenchmarkProgress("org/a", 1, "done", 1, 2, 0.5, "done", summary_row=row)
    assert live.update(done)
    assert live.current is None and live.finished[("org/a", 1)]["p50_ms"] == 2.0
    assert list(live.frame()["status"]) == ["ok", "pending"]


def test_batch_sizes_and_the_machine() -> None:
    assert check_batch_sizes(8) == [8] and check_batch_sizes([8, 1, 8]) == [8, 1]
    with pytest.raises(ValueError, match="at least 1"):
        check_batch_sizes([0])
    with pytest.raises(TypeError, match="integer"):
        check_batch_sizes([True])
    with pytest.raises(ValueError, match="empty"):
        check_batch_sizes([])
    result = BenchmarkResult(None, None, env={"cpu": "x86", "gpu": None})  # type: ignore[arg-type]
    assert result.machine == "x86"
    assert BenchmarkResult(None, None, env={"gpu": "A100"}).machine == "A100"  # type: ignore[arg-type]
    assert BenchmarkResult(None, None).machine == ""  # type: ignore[arg-type]
