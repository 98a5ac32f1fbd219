"""hw.estimate_cost for 8 models x every instance, against the same arithmetic as bare pandas.

- hubwidgets: ``hw.estimate_cost(models, workload, options="all", catalog=starter,
  prices=hw.hardware_prices("bundled"), provider_table=...)``: dedicated endpoints on every one
  of the 55 instances of the bundled pricing page that fits, serverless per provider, this
  machine; sources, cheapest and break-even included.
- peer: the same figures for the dedicated and serverless rows as one pandas cross join
  (models x instances), a merge on the accelerator figures and another on the provider
  prices, vectorized arithmetic, a groupby for the cheapest: what a data scientist would write
  by hand, with no sources, no checks and no notes.

Both get the same inputs (parameter counts from the bundled starter catalog; the provider prices
are written here for the benchmark: two providers for each of 4 models, made-up values). Rounds
alternate (peer, hubwidgets, ...) so drift on a shared machine hits both alike. Wall-clock
p50/p95 per call, and CPU time of the calling thread (less sensitive to other processes).
Correctness: the peer's $/month per (model, instance) and per (model, provider) must equal the
estimate's.

    .venv/bin/python benchmarks/cost.py            # 60 timed calls each way
    .venv/bin/python benchmarks/cost.py --quick    # 15

Last line: ``cost estimate_p95_ms=<float> prediction_error_pct=<float>``; the prediction error is
the MEDIAN over the recorded chat completions (:func:`prediction_error_pct`; the max is printed
above it).
"""

# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from typing import Any

import numpy as np
import pandas as pd

MODELS = [
    "Qwen/Qwen2.5-7B-Instruct",
    "HuggingFaceTB/SmolLM3-3B",
    "Qwen/Qwen3-235B-A22B",
    "Qwen/QwQ-32B",
    "HuggingFaceH4/zephyr-7b-beta",
    "openai/whisper-tiny",
    "BAAI/bge-m3",
    "sentence-transformers/all-MiniLM-L6-v2",
]
GOAL_P95_MS = 100.0
DTYPE_BYTES = 2.0  # fp16/bf16
OVERHEAD = 1.2


def provider_table() -> pd.DataFrame:
    """Two providers for each of the first four models: made-up prices for the benchmark."""
    rows = []
    for k, model in enumerate(MODELS[:4]):
        rows.append((model, "provider-a", 0.1 * (k + 1), 0.3 * (k + 1)))
        rows.append((model, "provider-b", 0.15 * (k + 1), 0.2 * (k + 1)))
    return pd.DataFrame(
        rows, columns=["model", "provider", "input_usd_per_1m", "output_usd_per_1m"]
    )


def peer(
    models: pd.DataFrame,
    prices: pd.DataFrame,
    specs: pd.DataFrame,
    providers: pd.DataFrame,
    work: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The dedicated and serverless $/month as bare pandas (same formulas, no sources)."""
    ded = models.merge(prices, how="cross")
    ded["need_gb"] = ded["params"] * DTYPE_BYTES * OVERHEAD / 1e9
    ded["room_gb"] = np.where(
        ded["accelerator"] == "cpu", ded["memory_gb"], ded["accelerator_memory_gb"]
    ).astype(float)
    ded = ded[ded["room_gb"] >= ded["need_gb"]]
    ded = ded.merge(specs, on="instance_type", how="left")
    n = ded["num_accelerators"].fillna(1).astype(float)
    bandwidth = ded["bandwidth_gb_per_s"] * 1e9 * n
    flops = ded["tflops_16bit"] * 1e12 * n
    weights = ded["params"] * DTYPE_BYTES
    prefill = np.maximum(2 * ded["params"] * work.input_tokens / flops, weights / bandwidth)
    seconds = prefill + work.output_tokens * weights / bandwidth
    thr = 1 / seconds
    base = np.maximum(1, np.ceil(work.average_requests_per_s / thr - 1e-9)).fillna(1)
    peak = np.maximum(base, np.ceil(work.peak_rps / thr - 1e-9)).fillna(1)
    minutes = math.ceil(work.hours_per_day * 60 - 1e-9) * base + (
        math.ceil(work.peak_hours_per_day * 60 - 1e-9) * (peak - base)
    )
    day = (ded["price_per_hour_usd"].astype(float) * minutes / 60).round(9)
    ded["usd_per_month"] = day * 365 / 12
    served = providers.merge(models, left_on="model", right_on="id")
    per = (
        work.input_tokens * served["input_usd_per_1m"]
        + work.output_tokens * served["output_usd_per_1m"]
    ) / 1e6
    served["usd_per_month"] = per * work.requests_per_day * 365 / 12
    both = pd.concat([ded[["id", "usd_per_month"]], served[["id", "usd_per_month"]]])
    both.groupby("id")["usd_per_month"].idxmin()  # the cheapest per model
    return ded[["id", "instance", "usd_per_month"]], served[["id", "provider", "usd_per_month"]]


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--calls", type=int, default=None)
    args = parser.parse_args()
    calls = args.calls or (15 if args.quick else 60)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the bundled prices: no network in the loop

    import hubwidgets as hw
    from hubwidgets.core.cost.prices import accelerator_specs

    catalog = hw.starter_catalog()
    prices = hw.hardware_prices("bundled")
    providers = hw.provider_prices(table=provider_table())
    specs = accelerator_specs()[["instance_type", "bandwidth_gb_per_s", "tflops_16bit"]]
    work = hw.Workload(
        requests_per_day=50_000, input_tokens=500, output_tokens=200, peak_requests_per_s=3.0
    )
    models = catalog.df[catalog.df["id"].isin(MODELS)][["id", "params"]].reset_index(drop=True)
    models["params"] = models["params"].astype(float)
    assert len(models) == len(MODELS) and models["params"].notna().all()

    def ours() -> pd.DataFrame:
        return hw.estimate_cost(
            MODELS,
            work,
            options="all",
            catalog=catalog,
            prices=prices,
            provider_table=providers,
        )

    def theirs() -> tuple[pd.DataFrame, pd.DataFrame]:
        return peer(models, prices, specs, provider_table(), work)

    for _ in range(3):  # warm up: imports, this machine's memory, caches
        ours()
        theirs()
    wall: dict[str, list[float]] = {"hubwidgets": [], "peer (bare pandas)": []}
    cpu: dict[str, list[float]] = {"hubwidgets": [], "peer (bare pandas)": []}
    for _ in range(calls):
        for name, fn in (("peer (bare pandas)", theirs), ("hubwidgets", ours)):
            t0, c0 = time.perf_counter(), time.thread_time()
            fn()
            cpu[name].append(time.thread_time() - c0)
            wall[name].append(time.perf_counter() - t0)

    result = ours()
    ded, served = theirs()
    mine = result[result["option"] == "dedicated"].dropna(subset=["usd_per_month"])
    a = mine.set_index(["model", "instance"])["usd_per_month"].astype(float).sort_index()
    b = ded.set_index(["id", "instance"])["usd_per_month"].sort_index()
    mine_s = result[result["option"] == "serverless"].dropna(subset=["usd_per_month"])
    c = mine_s.set_index(["model", "provider"])["usd_per_month"].astype(float).sort_index()
    d = served.set_index(["id", "provider"])["usd_per_month"].sort_index()
    same = (
        a.index.tolist() == b.index.tolist()
        and np.allclose(a.to_numpy(), b.to_numpy(), rtol=1e-9)
        and c.index.tolist() == d.index.tolist()
        and np.allclose(c.to_numpy(), d.to_numpy(), rtol=1e-9)
    )

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"inputs: {len(MODELS)} starter models x {len(prices)} instances of the bundled pricing "
        f"page ({prices['as_of'].iloc[0]}), {len(providers)} provider prices (made up for the "
        f"benchmark); {len(result)} estimate rows, {len(a)} priced dedicated rows"
    )
    print(f"per call, {calls} calls each way (alternating):")
    for name in wall:
        w50, w95, c50, c95 = (pct(t[name], q) for t in (wall, cpu) for q in (50, 95))
        print(
            f"  {name:>20}: wall p50 {w50:7.2f} ms  p95 {w95:7.2f} ms"
            f"  | cpu p50 {c50:7.2f} ms  p95 {c95:7.2f} ms"
        )
    ratio = pct(wall["hubwidgets"], 50) / pct(wall["peer (bare pandas)"], 50)
    print(
        f"hubwidgets / peer (wall p50): {ratio:.2f}x "
        "(sources, checks, notes and this machine's row on top)"
    )
    print(
        "correctness: "
        + (
            "the peer's $/month per (model, instance) and (model, provider) equal the estimate's"
            if same
            else "MISMATCH between the peer's $/month and the estimate's"
        )
    )
    p95 = pct(wall["hubwidgets"], 95)
    print(f"goal: estimate p95 <= {GOAL_P95_MS:g} ms: {'met' if p95 <= GOAL_P95_MS else 'NOT met'}")
    error = prediction_error_pct()
    print(f"cost estimate_p95_ms={p95:.3f} prediction_error_pct={error:.3f}")
    return 0 if same else 1


def prediction_error_pct() -> float:
    """The MEDIAN absolute error (%) of the cost predicted from our own token count against the
    cost of the provider's reported usage, over the recorded chat completions (Llama 3 models) of
    ../shared/data/inference-cassettes (hubwidgets.testing.cost_cassettes); the max and each
    provider's error are printed above the last line. nan when the cassettes or the Llama 3
    tokenizer (llama-models, tiktoken) are not on this machine."""
    from pathlib import Path

    from hubwidgets.testing.cost_cassettes import prediction_error, prediction_table

    env = os.environ.get("HUBWIDGETS_SHARED_DATA")
    data = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"
    cassettes = data / "inference-cassettes"
    if not cassettes.is_dir():
        print(f"prediction: no cassettes in {data}")
        return math.nan
    try:
        table = prediction_table(cassettes)
    except RuntimeError as err:
        print(f"prediction: {err}")
        return math.nan
    summary = prediction_error(table)
    print(
        f"cost prediction on {int(summary['n'])} recorded chat completions "
        f"({table.attrs.get('prices', 'given prices')}): median error "
        f"{summary['median_pct']:.3f}%, max {summary['max_pct']:.3f}%"
    )
    for _, row in table.iterrows():
        print(
            f"  {row['provider']:<13} {row['model']:<38} input {row['counted_input_tokens']}"
            f"/{row['billed_input_tokens']}  output {row['counted_output_tokens']}"
            f"/{row['billed_output_tokens']}  (ours/billed)  error {row['error_pct']:.3f}%"
        )
    return float(summary["median_pct"])


if __name__ == "__main__":
    sys.exit(main())
