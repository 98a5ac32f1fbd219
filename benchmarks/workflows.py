"""Workflows benchmark: ``hw.apply`` against a hand-written batched loop (issue 15).

Both run a tiny random-weight BERT text classifier (``hubwidgets.testing.models``, made in a
temporary folder) over the same N short texts (generated from a fixed word list: not real
data), with the same batch size, on the same transformers pipeline object: the loop is

    for k in range(0, n, batch):
        outputs += pipe(texts[k : k + batch], batch_size=batch, top_k=None)

which is what ``LocalBackend`` asks of the pipeline too (``top_k=None``: every label's score).
Each side runs ``--repeats`` times alternately after one warm-up of each; the median wall
times give ``apply_ratio = loop_time / apply_time`` (1.0: as fast as the loop).

    .venv/bin/python benchmarks/workflows.py            # 2,000 texts, batch 8
    .venv/bin/python benchmarks/workflows.py --quick    # 400 texts

Goal (issue 15): apply_ratio >= 0.90. Last line:
``workflows apply_ratio=<float> pipeline_p95_ms=<float> pipeline_overhead_pct=<float>``
"""

# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

WORDS = [
    "the",
    "a",
    "good",
    "bad",
    "film",
    "day",
    "was",
    "not",
    "very",
    "quite",
    "lovely",
    "dull",
    "words",
    "here",
    "plot",
    "actor",
    "scene",
    "music",
    "story",
    "ending",
    "slow",
    "fast",
    "funny",
    "sad",
    "long",
    "short",
    "great",
    "awful",
    "fine",
]


def make_texts(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14))) for _ in range(n)]


def hand_loop(pipe: Any, texts: list[str], batch: int) -> list[Any]:
    outputs: list[Any] = []
    for k in range(0, len(texts), batch):
        outputs += pipe(texts[k : k + batch], batch_size=batch, top_k=None)
    return outputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="texts (default 2,000)")
    parser.add_argument("--batch", type=int, default=8, help="batch size (default 8)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each (default 3)")
    parser.add_argument("--quick", action="store_true", help="400 texts")
    args = parser.parse_args()
    n = 400 if args.quick else args.n

    import pandas as pd
    import torch

    import hubwidgets as hw
    from hubwidgets.core.inference.backends import LocalBackend
    from hubwidgets.testing.models import tiny_text_classifier

    with tempfile.TemporaryDirectory() as tmp:
        model = tiny_text_classifier(Path(tmp) / "classifier")
        backend = LocalBackend()
        pipe = backend.pipeline("text-classification", model)  # the object both sides use
        texts = make_texts(n)
        df = pd.DataFrame({"text": texts})

        def run_apply() -> float:
            started = time.perf_counter()
            out = hw.apply(
                df, model, column="text", backend=backend, batch_size=args.batch, progress=False
            )
            elapsed = time.perf_counter() - started
            assert (out["error"] == "").all(), out["error"].unique()
            return elapsed

        def run_loop() -> float:
            started = time.perf_counter()
            outputs = hand_loop(pipe, texts, args.batch)
            elapsed = time.perf_counter() - started
            assert len(outputs) == n
            return elapsed

        run_apply(), run_loop()  # warm-up: the first calls pay for lazy initialisation
        apply_times, loop_times = [], []
        for _ in range(args.repeats):
            apply_times.append(run_apply())
            loop_times.append(run_loop())

    apply_s, loop_s = statistics.median(apply_times), statistics.median(loop_times)
    ratio = loop_s / apply_s
    print(
        f"# {platform.python_implementation()} {platform.python_version()}, torch "
        f"{torch.__version__}, {torch.get_num_threads()} threads, n={n}, batch={args.batch}, "
        f"repeats={args.repeats}"
    )
    print(f"hand-written loop  median {loop_s * 1000:8.1f} ms  {n / loop_s:8.0f} rows/s")
    print(f"hw.apply           median {apply_s * 1000:8.1f} ms  {n / apply_s:8.0f} rows/s")
    print(f"apply_ratio (loop time / apply time) = {ratio:.3f}  (goal >= 0.90)")
    # the pipeline parts (hw.Pipeline, issue 15 item 2) are not built yet: nan until they are
    print(f"workflows apply_ratio={ratio:.3f} pipeline_p95_ms=nan pipeline_overhead_pct=nan")


if __name__ == "__main__":
    main()
