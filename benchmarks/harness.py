"""The benchmark engine's own cost: hw.benchmark against a bare timing loop, in the same run.

Both time the same thing: a transformers text-classification pipeline (a tiny random-weight
BERT made here, see hubwidgets.testing.models) called on one sentence at a time.

- bare: ``t = perf_counter(); pipe(text, top_k=None); perf_counter() - t`` in a plain loop, on
  the very pipeline object the engine calls (``LocalBackend.pipeline``);
- engine: ``hw.benchmark(model, "text-classification", texts, backend=LocalBackend("cpu"))``,
  through a thin wrapper that records when each call the engine makes starts and ends (the
  engine has LocalBackend check and load once per batch, ``prepare``, then repeats the call).

Rounds alternate (bare, engine, bare, engine...) so drift on a shared machine hits both alike.

- overhead per call = start of call i+1 - start of call i - the latency the engine reports for
  call i: everything the engine and the backend do around the model call (input checks, output
  normalization, the result row, progress and cancel checks). Its median, in % of the bare p50.
- p50 agreement = |median over rounds of (engine p50 / bare p50) - 1|: each round's two sides
  run back to back, so the ratio within a round is free of the machine's drift between rounds
  (the pooled p50s are printed too).

    .venv/bin/python benchmarks/harness.py            # 20 rounds of 100 calls each way
    .venv/bin/python benchmarks/harness.py --quick    # 4 rounds of 100

Last line: ``harness overhead_pct=<float> p50_agreement_pct=<float>``
"""

# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

TEXTS = [
    "I loved this film: the acting was superb and the ending made me smile.",
    "The service was slow and the food arrived cold. Never again.",
    "The new library opens on Monday and will stay open late on weekdays.",
    "The battery died after two hours, which is really disappointing.",
]

GOAL_OVERHEAD_PCT = 1.0
GOAL_AGREEMENT_PCT = 5.0


class Recorder:
    """A backend that forwards to another and records when each call starts and ends."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.starts: list[float] = []
        self.ends: list[float] = []

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> Any:
        self.starts.append(time.perf_counter())
        result = self.inner.run(task, model, inputs, **params)
        self.ends.append(time.perf_counter())
        return result

    def prepare(self, task: str, model: str, inputs: Any, **params: Any) -> Any:
        call = self.inner.prepare(task, model, inputs, **params)

        def recorded() -> Any:
            self.starts.append(time.perf_counter())
            result = call()
            self.ends.append(time.perf_counter())
            return result

        return recorded

    def stream(self, task: str, model: str, inputs: Any, **params: Any) -> Any:
        return self.inner.stream(task, model, inputs, **params)


def stats(ms: np.ndarray) -> str:
    p50, p90, p99 = np.percentile(ms, [50, 90, 99])
    return f"p50 {p50:7.3f} ms  p90 {p90:7.3f} ms  p99 {p99:7.3f} ms  (n={len(ms)})"


def bare_round(pipe: Any, calls: int) -> np.ndarray:
    out = np.empty(calls)
    for i in range(calls):
        text = TEXTS[i % len(TEXTS)]
        t = time.perf_counter()
        pipe(text, top_k=None)
        out[i] = (time.perf_counter() - t) * 1e3
    return out


def engine_round(model: str, backend: Any, calls: int) -> tuple[np.ndarray, np.ndarray]:
    import hubwidgets as hw

    rec = Recorder(backend)
    result = hw.benchmark(
        model,
        "text-classification",
        TEXTS,
        backend=rec,
        warmup=3,
        min_iterations=calls,
        min_duration_s=0.0,
        progress=False,
    )
    runs = result.runs
    measured = runs.index[runs["phase"] == "measure"].to_numpy()
    latency = runs["latency_ms"].to_numpy(dtype=float)
    starts = np.array(rec.starts)
    # call i's overhead: from its start to the next call's start, less its model time
    idx = measured[:-1]
    overhead = (starts[idx + 1] - starts[idx]) * 1e3 - latency[idx]
    return latency[measured], overhead


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    # many short rounds, alternating: this machine's speed drifts by tens of % within a minute,
    # and drift shared by both sides of a round cancels out of the comparison
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="4 rounds of 100 calls")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.calls = 4, 100

    import torch
    import transformers

    from hubwidgets.core.inference.backends.local import LocalBackend
    from hubwidgets.testing.models import tiny_text_classifier

    print(
        f"harness: {platform.processor() or platform.machine()}, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), transformers {transformers.__version__}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        model = tiny_text_classifier(Path(tmp) / "tiny-bert")
        backend = LocalBackend(device="cpu")
        pipe = backend.pipeline("text-classification", model)
        print(f"model: a tiny random-weight BERT made here ({model}), one sentence per call")
        bare_round(pipe, 20)  # warm both paths before the timed rounds
        engine_round(model, backend, 20)
        bare: list[np.ndarray] = []
        engine: list[np.ndarray] = []
        overhead: list[np.ndarray] = []
        for r in range(args.rounds):
            bare.append(bare_round(pipe, args.calls))
            lat, over = engine_round(model, backend, args.calls)
            engine.append(lat)
            overhead.append(over)
            print(
                f"  round {r + 1}: bare p50 {np.median(bare[-1]):.3f} ms, engine p50 "
                f"{np.median(lat):.3f} ms, overhead p50 {np.median(over) * 1e3:.1f} µs"
            )
    b, e, o = np.concatenate(bare), np.concatenate(engine), np.concatenate(overhead)
    bare_p50, engine_p50 = float(np.median(b)), float(np.median(e))
    overhead_pct = float(np.median(o)) / bare_p50 * 100
    ratios = np.array([np.median(x) / np.median(y) for x, y in zip(engine, bare, strict=True)])
    agreement_pct = abs(float(np.median(ratios)) - 1) * 100
    print(f"bare perf_counter loop:      {stats(b)}")
    print(f"hw.benchmark (reported):     {stats(e)}")
    print(
        f"engine overhead per call:    p50 {np.median(o) * 1e3:7.1f} µs  p90 "
        f"{np.percentile(o, 90) * 1e3:7.1f} µs  = {overhead_pct:.2f}% of the bare p50"
    )
    print(
        f"p50 agreement: engine/bare p50 per round, median {np.median(ratios):.4f} "
        f"(range {ratios.min():.3f}-{ratios.max():.3f}) = {agreement_pct:.2f}%; pooled p50s "
        f"{engine_p50:.3f} vs {bare_p50:.3f} ms"
    )
    met = "met" if overhead_pct <= GOAL_OVERHEAD_PCT else "NOT met"
    print(f"goal: overhead <= {GOAL_OVERHEAD_PCT:g}% of p50: {met}")
    met = "met" if agreement_pct <= GOAL_AGREEMENT_PCT else "NOT met"
    print(f"goal: p50 agreement within {GOAL_AGREEMENT_PCT:g}%: {met}")
    print(f"harness overhead_pct={overhead_pct:.3f} p50_agreement_pct={agreement_pct:.3f}")


if __name__ == "__main__":
    main()
