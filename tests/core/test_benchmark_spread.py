"""The unreliable-benchmark flag (issue 14 item 2): a job whose latency spread is too wide to
trust (CV above 0.5, or the medians of identical runs more than 2x apart) says so in
``hw.benchmark``'s own summary, and ``hw.estimate_cost`` applies the same rule."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from hubwidgets.core.cost import estimate
from hubwidgets.core.inference import benchmark as bench
from hubwidgets.core.inference.results import (
    CV_LIMIT,
    P50_SPREAD_LIMIT,
    done_text,
    spread_flags,
    unreliable,
)

# latencies (ms) of measured calls as a CPU run recorded them: a steady job, and one where the
# machine was busy half way through (a few calls 6-9x slower)
STEADY = [41.2, 40.8, 42.0, 41.5, 40.9, 41.7, 41.1, 42.3, 41.0, 41.4]
NOISY = [41.2, 40.8, 350.0, 41.5, 298.0, 41.7, 377.0, 42.3, 41.0, 41.4]


def _summary_row(model: str, batch_size: int, latencies: list[float]) -> dict[str, object]:
    """A job's summary row, computed the way hw.benchmark computes it, from recorded calls."""
    job = bench._Job(SimpleNamespace(name="local"), model, batch_size, ["x"])
    for i, ms in enumerate(latencies):
        job.rows.append(("local", None, "measure", i, ms, batch_size, math.nan, math.nan, None))
    return job.summary(None, sum(latencies) / 1e3)


def _result(rows: list[dict[str, object]]) -> bench.BenchmarkResult:
    return bench._result(([pd.DataFrame()], rows, []), cancelled=False)


def test_a_wide_spread_is_flagged_in_the_benchmark_summary(tmp_path: Path) -> None:
    result = _result([_summary_row("org/steady", 1, STEADY), _summary_row("org/noisy", 1, NOISY)])
    summary = result.summary.set_index("model")
    assert {"reliable", "spread_note"} <= set(result.summary.columns)
    assert summary.at["org/steady", "reliable"]
    assert summary.at["org/steady", "spread_note"] == ""
    assert summary.at["org/noisy", "cv"] > CV_LIMIT
    assert not summary.at["org/noisy", "reliable"]
    assert summary.at["org/noisy", "spread_note"].startswith("latency spread too wide: CV ")
    # the flag survives the saved result
    again = bench.BenchmarkResult.read_parquet(result.to_parquet(tmp_path / "run.parquet"))
    assert list(again.summary["reliable"]) == list(result.summary["reliable"])


def test_identical_runs_whose_medians_differ_more_than_twice_are_flagged() -> None:
    slow = [3 * ms for ms in STEADY]  # the same job, run again on a throttled machine
    result = _result(
        [
            _summary_row("org/a", 1, STEADY),
            _summary_row("org/a", 1, slow),
            _summary_row("org/a", 4, STEADY),
        ]
    )
    rows = result.summary
    assert list(rows["reliable"]) == [False, False, True]
    assert f"more than {P50_SPREAD_LIMIT:g}x apart" in rows["spread_note"].iloc[0]


def test_jobs_without_timings_are_not_reported_reliable() -> None:
    failed = _summary_row("org/broken", 1, [])
    failed.update(status="error", error="cannot load org/broken")
    single = _summary_row("org/once", 1, [40.0])
    flags = spread_flags(pd.DataFrame([failed, single]))
    assert flags["reliable"].isna().all()
    assert flags["spread_note"].iloc[0] == "no timings to judge (error)"
    assert "too few" in flags["spread_note"].iloc[1]


def test_estimate_cost_uses_the_benchmark_rule() -> None:
    noisy = pd.DataFrame([_summary_row("org/noisy", 1, NOISY)])
    steady = pd.DataFrame([_summary_row("org/steady", 1, STEADY)])
    assert estimate.unreliable is unreliable
    assert unreliable(noisy).startswith("CV ")
    assert unreliable(steady) == ""
    measured = estimate._measured(_result([noisy.iloc[0].to_dict()]), ["org/noisy"])
    assert measured["org/noisy"].throughput is None
    assert "latency spread too wide" in measured["org/noisy"].source


def test_the_line_saying_how_a_run_went_counts_the_untrusted_jobs() -> None:
    result = _result([_summary_row("org/steady", 1, STEADY), _summary_row("org/noisy", 1, NOISY)])
    assert done_text(result.summary, 1.0, cancelled=False) == (
        "Done · 2 of 2 ran in 1.0 s · 1 too spread to trust (see spread_note)"
    )
    steady = _result([_summary_row("org/steady", 1, STEADY)])
    assert done_text(steady.summary, 1.0, cancelled=False) == "Done · 1 of 1 ran in 1.0 s"
