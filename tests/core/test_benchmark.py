"""hw.benchmark with backends whose timings are known, so every statistic can be checked exactly.

The real-model runs (tiny local models, the fallback chain, a dask cluster) are in
test_benchmark_models.py.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hubwidgets.core.inference.backends import BackendError, InferenceResult
from hubwidgets.core.inference.benchmark import (
    RUN_COLUMNS,
    SUMMARY_COLUMNS,
    BenchmarkProgress,
    BenchmarkResult,
    benchmark,
)

FAST = {"warmup": 2, "min_iterations": 5, "min_duration_s": 0.0, "progress": False}


class ScriptedBackend:
    """Answers every call with the next latency of a script; labels by a keyword rule."""

    name = "scripted"

    def __init__(self, latencies: list[float], *, fail: dict[str, str] | None = None) -> None:
        self.latencies = latencies
        self.calls: list[tuple[str, list[Any]]] = []
        self.fail = fail or {}
        self.loaded: set[str] = set()

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        if model in self.fail:
            raise BackendError(self.fail[model], backend=self.name, reason="load")
        items = list(inputs)
        self.calls.append((model, items))
        latency = self.latencies[(len(self.calls) - 1) % len(self.latencies)]
        load = None if model in self.loaded else 123.0
        self.loaded.add(model)
        outputs = [
            [
                {"label": "positive" if "good" in t else "negative", "score": 0.9},
                {"label": "negative" if "good" in t else "positive", "score": 0.1},
            ]
            for t in items
        ]
        metrics = {}
        if task == "text-generation":
            metrics = {"generated_tokens": 11.0 * len(items), "ttft_ms": 2.0}
            outputs = [{"generated_text": "x"} for _ in items]
        return InferenceResult(
            task=task,
            model=model,
            outputs=outputs,
            backend=self.name,
            provider="cpu",
            latency_ms=latency,
            load_ms=load,
            model_sha="abc123",
            metrics=metrics,
        )

    def stream(self, task: str, model: str, inputs: Any, **params: Any) -> Any:
        raise NotImplementedError


TEXTS = ["a good film", "a bad film", "good fun", "dull and bad"]
LABELS = ["positive", "negative", "positive", "positive"]


def test_phases_and_latency_statistics() -> None:
    # first call 50 ms, 2 warmups 40 ms, then 10, 20, 30, 40, 50 ms measured
    backend = ScriptedBackend([50, 40, 40, 10, 20, 30, 40, 50])
    result = benchmark("m", "text-classification", TEXTS, backend=backend, **FAST)
    assert list(result.runs.columns) == list(RUN_COLUMNS)
    assert list(result.summary.columns)[: len(SUMMARY_COLUMNS)] == list(SUMMARY_COLUMNS)
    assert result.runs["phase"].tolist() == ["first", "warmup", "warmup"] + ["measure"] * 5
    row = result.summary.iloc[0]
    assert row["status"] == "ok"
    assert row["iterations"] == 5
    assert row["load_ms"] == 123.0
    assert row["first_call_ms"] == 50.0
    lat = np.array([10, 20, 30, 40, 50.0])
    assert row["p50_ms"] == pytest.approx(30.0)
    assert row["p90_ms"] == pytest.approx(np.percentile(lat, 90))
    assert row["p99_ms"] == pytest.approx(np.percentile(lat, 99))
    assert row["mean_ms"] == pytest.approx(30.0)
    assert row["std_ms"] == pytest.approx(lat.std(ddof=1))
    assert row["cv"] == pytest.approx(lat.std(ddof=1) / 30.0)
    assert row["items_per_s"] == pytest.approx(5 / 0.150)
    assert row["model_sha"] == "abc123"
    assert row["peak_rss_mb"] > 10
    assert result.env["model_sha"] == {"m": "abc123"}
    for key in ("cpu", "cores", "ram_gb", "python", "torch", "transformers", "huggingface_hub"):
        assert key in result.env


def test_measures_until_both_iterations_and_duration() -> None:
    backend = ScriptedBackend([1.0])
    result = benchmark(
        "m",
        "text-classification",
        TEXTS,
        backend=backend,
        warmup=0,
        min_iterations=3,
        min_duration_s=0.2,
        progress=False,
    )
    # the scripted calls take no time: the 0.2 s floor makes it run more than 3
    assert result.summary.iloc[0]["iterations"] > 3
    assert result.summary.iloc[0]["duration_s"] >= 0.2


def test_batches_go_round_the_inputs() -> None:
    backend = ScriptedBackend([5.0])
    result = benchmark(
        "m", "text-classification", TEXTS, backend=backend, batch_sizes=(1, 3), **FAST
    )
    assert result.summary["batch_size"].tolist() == [1, 3]
    sizes = {len(items) for model, items in backend.calls}
    assert sizes == {1, 3}
    batch3 = [items for _, items in backend.calls if len(items) == 3]
    assert batch3[0] == TEXTS[:3]
    assert batch3[1] == [TEXTS[3], TEXTS[0], TEXTS[1]]
    row3 = result.summary.set_index("batch_size").loc[3]
    assert row3["items_per_s"] == pytest.approx(3 / 0.005)


def test_generation_tokens_per_second_and_time_per_token() -> None:
    backend = ScriptedBackend([22.0])
    result = benchmark("gpt", "text-generation", ["Once upon a time"], backend=backend, **FAST)
    row = result.summary.iloc[0]
    assert row["tokens_per_s"] == pytest.approx(11 / 0.022)
    assert row["ttft_ms"] == 2.0
    assert row["tpot_ms"] == pytest.approx((22 - 2) / 10)


def test_quality_with_interval_and_groups() -> None:
    backend = ScriptedBackend([5.0])
    result = benchmark(
        "m",
        "text-classification",
        TEXTS,
        backend=backend,
        labels=LABELS,
        groups=["en", "en", "fr", "fr"],
        **FAST,
    )
    row = result.summary.iloc[0]
    # predictions: positive, negative, positive, negative -> 3 of 4 right
    assert row["accuracy"] == pytest.approx(0.75)
    assert row["accuracy_lo"] <= 0.75 <= row["accuracy_hi"]
    assert row["f1"] == pytest.approx((4 / 5 + 2 / 3) / 2)  # macro: positive 4/5, negative 2/3
    assert result.quality_metric == "accuracy"
    by = result.quality_by_group
    acc = by[by["metric"] == "accuracy"].set_index("group")["value"]
    assert acc.to_dict() == {"en": 1.0, "fr": 0.5}
    assert row["accuracy_gap"] == pytest.approx(0.5)


def test_quality_scores_every_input_even_with_few_iterations() -> None:
    texts = [f"good {i}" for i in range(9)] + ["bad"]
    labels = ["positive"] * 9 + ["negative"]
    backend = ScriptedBackend([5.0])
    result = benchmark(
        "m",
        "text-classification",
        texts,
        backend=backend,
        labels=labels,
        warmup=0,
        min_iterations=1,
        min_duration_s=0,
        progress=False,
    )
    assert result.summary.iloc[0]["accuracy"] == 1.0
    assert (result.runs["phase"] == "quality").any()
    assert (result.runs["phase"] == "measure").sum() == 1


def test_a_failing_model_is_reported_and_the_others_run() -> None:
    backend = ScriptedBackend([5.0], fail={"broken": "no such model in the cache"})
    result = benchmark(["broken", "ok"], "text-classification", TEXTS, backend=backend, **FAST)
    rows = result.summary.set_index("model")
    assert rows.loc["broken", "status"] == "error"
    assert "no such model" in rows.loc["broken", "error"]
    assert rows.loc["ok", "status"] == "ok"
    assert np.isnan(rows.loc["broken", "p50_ms"])


def test_progress_events_and_cancel_between_calls() -> None:
    backend = ScriptedBackend([1.0])
    cancel = threading.Event()
    events: list[BenchmarkProgress] = []

    def on_progress(event: BenchmarkProgress) -> None:
        events.append(event)
        if event.phase == "measure" and len(backend.calls) > 6:
            cancel.set()

    result = benchmark(
        ["a", "b"],
        "text-classification",
        TEXTS,
        backend=backend,
        warmup=1,
        min_iterations=1000,
        min_duration_s=0,
        progress=on_progress,
        cancel=cancel,
    )
    assert result.cancelled
    assert result.summary["status"].tolist() == ["cancelled", "cancelled"]
    assert len(backend.calls) < 20
    assert all(0 <= e.fraction <= 1 for e in events)
    assert events[-1].phase == "cancelled" and events[-1].summary_row is not None
    assert {e.phase for e in events} >= {"load", "warmup", "measure"}


def test_executor_runs_one_model_per_task() -> None:
    backend = ScriptedBackend([4.0])
    seen: list[str] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        result = benchmark(
            ["a", "b", "c"],
            "text-classification",
            TEXTS,
            backend=backend,
            executor=pool,
            progress=lambda e: seen.append(e.model),
            **{k: v for k, v in FAST.items() if k != "progress"},
        )
    assert result.summary["model"].tolist() == ["a", "b", "c"]
    assert (result.summary["status"] == "ok").all()
    assert seen == ["a", "b", "c"]


def test_parquet_round_trip(tmp_path) -> None:
    backend = ScriptedBackend([5.0, 6.0])
    result = benchmark(
        ["m", "n"],
        "text-classification",
        TEXTS,
        backend=backend,
        labels=LABELS,
        groups=["x", "y", "x", "y"],
        **FAST,
    )
    path = result.to_parquet(tmp_path / "bench.parquet")
    back = BenchmarkResult.read_parquet(path)
    pd.testing.assert_frame_equal(back.runs, result.runs)
    pd.testing.assert_frame_equal(back.summary, result.summary)
    pd.testing.assert_frame_equal(back.quality_by_group, result.quality_by_group)
    assert back.env == result.env
    assert pd.read_parquet(path)["latency_ms"].notna().all()  # an ordinary Parquet file too
    pd.DataFrame({"a": [1]}).to_parquet(tmp_path / "other.parquet")
    with pytest.raises(ValueError, match="not written by"):
        BenchmarkResult.read_parquet(tmp_path / "other.parquet")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"task": "text-clasification"}, ValueError, "did you mean 'text-classification'"),
        ({"inputs": []}, ValueError, "no inputs"),
        ({"inputs": ["fine", ""]}, ValueError, "input 1 .*empty"),
        ({"inputs": ["fine", "photo.png"]}, ValueError, "input 1 .*file path"),
        ({"labels": ["positive"]}, ValueError, "labels has 1 entries but there are 4 inputs"),
        ({"labels": LABELS, "groups": ["a"]}, ValueError, "groups has 1 entries"),
        ({"groups": ["a"] * 4}, ValueError, "groups need labels"),
        ({"models": []}, ValueError, "no models"),
        ({"batch_sizes": (0,)}, ValueError, "at least 1"),
        ({"min_iterations": 0}, ValueError, "min_iterations must be at least 1"),
        ({"warmup": 1.5}, TypeError, "warmup must be an integer"),
        ({"min_duration_s": -1}, ValueError, "min_duration_s"),
        (
            {"labels": LABELS, "task": "summarization"},
            ValueError,
            "cannot be scored for summarization",
        ),
    ],
)
def test_bad_input_says_what_and_where(kwargs: dict[str, Any], error: type, match: str) -> None:
    args: dict[str, Any] = {"models": ["m"], "task": "text-classification", "inputs": TEXTS}
    args.update(kwargs)
    with pytest.raises(error, match=f"(?i){match}"):
        benchmark(
            args.pop("models"),
            args.pop("task"),
            args.pop("inputs"),
            backend=ScriptedBackend([1.0]),
            progress=False,
            **args,
        )


class AllocatingBackend(ScriptedBackend):
    """Holds ``model`` megabytes (the model name is a number) during each call."""

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        held = np.ones(int(model) * 2**20 // 8)  # float64: 8 bytes each
        try:
            return super().run(task, "m", inputs, **params)
        finally:
            del held


def test_peak_memory_is_per_model() -> None:
    result = benchmark(
        ["300", "20"], "text-classification", TEXTS, backend=AllocatingBackend([1.0]), **FAST
    )
    peak = result.summary.set_index("model")["peak_rss_mb"]
    # the second model's peak does not inherit the first's: each job measures its own
    assert peak["300"] - peak["20"] > 200
