"""The benchmark charts on hand-made BenchmarkResult-shaped tables: valid specs, the Pareto front,
failed and empty rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import pytest

from hubwidgets.charts.benchmark import (
    MAX_CALLS,
    benchmark_charts,
    latency_distribution,
    main_quality_metric,
    named_benchmark_charts,
    pareto_front,
    quality_vs_latency,
    throughput_vs_batch,
)


@dataclass
class Result:
    """The parts of a BenchmarkResult the charts read."""

    runs: pd.DataFrame
    summary: pd.DataFrame
    env: dict[str, Any] = field(default_factory=dict)


def make_result(
    models: tuple[str, ...] = ("org/a", "org/b", "org/c"),
    batch_sizes: tuple[int, ...] = (1,),
    *,
    quality: bool = True,
    failed: str | None = None,
    calls: int = 20,
) -> Result:
    rng = np.random.default_rng(0)
    runs: list[dict[str, Any]] = []
    summary: list[dict[str, Any]] = []
    for i, model in enumerate(models):
        for b in batch_sizes:
            base = {"model": model, "backend": "fake", "provider": "cpu", "batch_size": b}
            if model == failed:
                runs.append({**base, "phase": "first", "latency_ms": np.nan, "error": "boom"})
                summary.append({**base, "status": "error", "error": "boom", "p50_ms": np.nan})
                continue
            latency = rng.lognormal(np.log(5 * (i + 1) * b**0.5), 0.2, calls)
            runs.append({**base, "phase": "warmup", "latency_ms": 100.0, "error": None})
            runs += [
                {**base, "phase": "measure", "latency_ms": float(x), "error": None} for x in latency
            ]
            row = {
                **base,
                "status": "ok",
                "error": None,
                "p50_ms": float(np.median(latency)),
                "items_per_s": b / float(np.median(latency)) * 1000,
            }
            if quality:
                row |= {"accuracy": 0.7 + 0.1 * i, "accuracy_lo": 0.6, "accuracy_hi": 0.95}
            summary.append(row)
    return Result(pd.DataFrame(runs), pd.DataFrame(summary))


def data_of(chart: alt.LayerChart, layer: int = 0) -> pd.DataFrame:
    data = chart.layer[layer].data
    if not isinstance(data, pd.DataFrame):  # data shared by every layer sits on the chart
        data = chart.data
    assert isinstance(data, pd.DataFrame)
    return data


def subtitle(chart: alt.LayerChart) -> str:
    return " ".join(chart.to_dict()["title"].get("subtitle", []))


# -- the Pareto front --------------------------------------------------------------------------
def test_pareto_front_higher_is_better() -> None:
    summary = pd.DataFrame(
        {
            "model": list("abcdefg"),
            "status": ["ok"] * 6 + ["error"],
            "p50_ms": [1.0, 2.0, 3.0, 3.0, 2.0, 5.0, 0.5],
            "accuracy": [0.5, 0.7, 0.9, 0.8, 0.7, np.nan, 1.0],
        },
        index=[10, 11, 12, 13, 14, 15, 16],
    )
    front = pareto_front(summary, "accuracy")
    assert list(front.index) == list(summary.index)
    # a: fastest; b and e tie on both (both stay); c: best; d: beaten by c (same latency, worse);
    # f: no quality; g: failed, and beats nothing although it looks best on both
    assert front.tolist() == [True, True, True, False, True, False, False]
    assert front.dtype == bool


def test_pareto_front_lower_is_better() -> None:
    summary = pd.DataFrame(
        {"model": list("abc"), "p50_ms": [1.0, 2.0, 3.0], "wer": [0.3, 0.1, 0.2]}
    )
    assert pareto_front(summary, "wer").tolist() == [True, True, False]
    # the same numbers as accuracy: higher is better now, and a beats both others
    renamed = summary.rename(columns={"wer": "accuracy"})
    assert pareto_front(renamed, "accuracy").tolist() == [True, False, False]


def test_pareto_front_of_nothing() -> None:
    empty = pd.DataFrame({"p50_ms": [], "accuracy": []})
    assert pareto_front(empty, "accuracy").tolist() == []
    with pytest.raises(ValueError, match="needs the columns"):
        pareto_front(empty, "f1")
    with pytest.raises(TypeError, match="expects a DataFrame"):
        pareto_front([1, 2], "accuracy")  # type: ignore[arg-type]


def test_main_quality_metric() -> None:
    assert main_quality_metric(pd.DataFrame({"f1": [0.5], "accuracy": [0.6]})) == "accuracy"
    assert main_quality_metric(pd.DataFrame({"accuracy": [np.nan], "wer": [0.2]})) == "wer"
    assert main_quality_metric(pd.DataFrame({"p50_ms": [1.0]})) is None


# -- the charts ----------------------------------------------------------------------------------
def test_benchmark_charts_are_valid_specs() -> None:
    charts = benchmark_charts(make_result(batch_sizes=(1, 4)))
    assert len(charts) == 3
    for chart in charts:
        spec = chart.to_dict()  # validates against the Vega-Lite schema
        assert spec["title"]["text"]
    titles = [c.to_dict()["title"]["text"] for c in charts]
    assert titles == ["Latency per call", "Throughput vs batch size", "Accuracy vs latency"]


def test_charts_that_do_not_apply_are_left_out() -> None:
    assert len(benchmark_charts(make_result(quality=False))) == 2
    # by name, so a widget tells them apart whichever apply
    assert list(named_benchmark_charts(make_result(quality=False))) == ["latency", "throughput"]
    assert list(named_benchmark_charts(make_result())) == ["latency", "throughput", "quality"]
    everything_failed = make_result(models=("org/x",), failed="org/x")
    assert benchmark_charts(everything_failed) == []
    with pytest.raises(TypeError, match="BenchmarkResult"):
        benchmark_charts(pd.DataFrame())


def test_latency_uses_the_measured_calls_only() -> None:
    result = make_result(failed="org/b", calls=MAX_CALLS + 50)
    chart = latency_distribution(result.runs)
    stats = data_of(chart)
    assert stats["row"].tolist() == ["org/a", "org/c"]  # fastest median first; failed left out
    assert stats["n"].tolist() == [MAX_CALLS + 50] * 2  # warm-up calls not counted
    assert (stats["high"] < 100).all()
    calls = data_of(chart, 2)
    assert calls.groupby("row").size().max() <= MAX_CALLS
    assert "1 call failed" in subtitle(chart)
    narrow = latency_distribution(make_result(models=("org/a",)).runs)
    assert narrow.to_dict()["layer"][0]["encoding"]["x"]["scale"] == {"zero": True}


def test_latency_turns_logarithmic_over_a_wide_spread() -> None:
    result = make_result(models=("org/a", "org/b", "org/c", "org/d", "org/e"), batch_sizes=(1, 16))
    chart = latency_distribution(result.runs)
    assert chart.to_dict()["layer"][0]["encoding"]["x"]["scale"] == {"type": "log"}
    assert "log scale" in chart.to_dict()["layer"][0]["encoding"]["x"]["title"]
    assert "org/a · batch 16" in set(data_of(chart)["row"])


def test_latency_of_no_calls() -> None:
    chart = latency_distribution(pd.DataFrame({"model": [], "latency_ms": []}))
    assert chart.to_dict()["title"]["text"] == "Latency per call: no measured calls"


def test_throughput_line_or_bars() -> None:
    lines = throughput_vs_batch(make_result(batch_sizes=(1, 4, 16)).summary)
    spec = lines.to_dict()
    assert spec["layer"][0]["mark"]["type"] == "line"
    assert spec["layer"][0]["encoding"]["x"]["field"] == "batch_size"
    assert len(data_of(lines)) == 9
    bars = throughput_vs_batch(make_result(failed="org/c").summary)
    assert bars.to_dict()["layer"][0]["mark"]["type"] == "bar"
    assert data_of(bars)["model"].tolist() == ["org/a", "org/b"]
    assert "left out (failed or no throughput): org/c (batch 1)" in subtitle(bars)


def test_quality_vs_latency_marks_the_front() -> None:
    chart = quality_vs_latency(make_result(failed="org/b").summary)
    points = next(
        layer.data
        for layer in chart.layer
        if isinstance(layer.data, pd.DataFrame) and "front" in layer.data.columns
    )
    assert points["row"].tolist() == ["org/a", "org/c"]
    assert points["front"].tolist() == ["Pareto front", "Pareto front"]
    spec = chart.to_dict()
    assert any(layer["mark"].get("interpolate") == "step-after" for layer in spec["layer"])
    assert "higher is better" in str(spec)
    assert "1 left out" in subtitle(chart)


def test_quality_vs_latency_error_rates_and_missing_metric() -> None:
    summary = make_result(quality=False).summary.assign(wer=[0.3, 0.2, 0.1])
    chart = quality_vs_latency(summary)
    assert chart.to_dict()["title"]["text"] == "Word error rate vs latency"
    assert "lower is better" in str(chart.to_dict())
    with pytest.raises(ValueError, match="labels="):
        quality_vs_latency(make_result(quality=False).summary)
