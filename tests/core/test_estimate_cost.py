"""hw.Workload and hw.estimate_cost: the endpoints' billing (the pricing page's worked examples
exactly), fits, throughput (estimated or measured), replicas, serverless, cheapest, break-even.

Parameter counts come from the bundled starter catalog or a ``params`` column; prices from the
bundled pricing page and a provider table written in the test (no live prices offline).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.cost.estimate import (
    CV_LIMIT,
    DAYS_PER_MONTH,
    ESTIMATE_COLUMNS,
    INFERENCE_OVERHEAD,
    cost_at_volumes,
    endpoint_cost,
)
from hubwidgets.core.inference.benchmark import BenchmarkResult

QWEN = "Qwen/Qwen2.5-7B-Instruct"  # 7,615,616,512 parameters in the starter catalog
MINILM = "sentence-transformers/all-MiniLM-L6-v2"
SMOL = "HuggingFaceTB/SmolLM3-3B"  # 3,075,098,624 parameters: 7.4 GB at fp16 with overhead
WORK = hw.Workload(requests_per_day=20_000, input_tokens=500, output_tokens=200)


@pytest.fixture(scope="module")
def catalog() -> hw.Catalog:
    return hw.starter_catalog()


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return hw.hardware_prices("bundled")


@pytest.fixture(scope="module")
def providers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": [QWEN, QWEN, QWEN],
            "provider": ["together", "nebius", "featherless-ai"],
            "input_usd_per_1m": [0.30, 0.20, None],
            "output_usd_per_1m": [0.30, 0.60, None],
        }
    )


def estimate(
    models: object,
    work: hw.Workload,
    catalog: hw.Catalog,
    prices: pd.DataFrame,
    providers: pd.DataFrame | None = None,
    **kw: object,
) -> pd.DataFrame:
    table = (
        providers
        if providers is not None
        else pd.DataFrame(columns=["model", "provider", "input_usd_per_1m", "output_usd_per_1m"])
    )
    return hw.estimate_cost(
        models,
        work,
        catalog=catalog,
        prices=prices,
        provider_table=table,
        **kw,  # type: ignore[arg-type]
    )


# -- the billing formula: the pricing page's worked examples --------------------------------------
def test_the_pricing_pages_worked_examples_exactly() -> None:
    # intel-spr x2 at $0.067/h, one replica: $0.067 an hour
    assert endpoint_cost(0.067, 1) == 0.067
    # a $0.5/h GPU at 1 to 3 replicas, 15 minutes of 3 replicas each hour: $0.75 an hour...
    assert endpoint_cost(0.5, 1, min_replicas=1, scale_up_hours=0.25, extra_replicas=2) == 0.75
    # ...and $547.50 over a 730-hour month
    assert endpoint_cost(0.5, 730, 1, 730 * 0.25, 2) == 547.50


def test_billing_is_per_started_minute() -> None:
    assert endpoint_cost(0.6, 1 / 60) == 0.01  # one minute
    assert endpoint_cost(0.6, 61 / 3600) == 0.02  # a minute and a second: two minutes
    assert endpoint_cost(0.6, 0) == 0
    assert endpoint_cost(1.2, 2, min_replicas=0) == 0  # scaled to zero
    with pytest.raises(ValueError, match="price_per_hour must be a number >= 0"):
        endpoint_cost(-1, 1)
    with pytest.raises(ValueError, match="extra_replicas must be an int >= 0"):
        endpoint_cost(1, 1, 1, 1, -2)


def test_estimate_reproduces_the_intel_spr_example(
    catalog: hw.Catalog, prices: pd.DataFrame
) -> None:
    df = estimate([MINILM], WORK, catalog, prices, options=["aws-intel-spr-x2"])
    assert df["option"].tolist() == ["dedicated"]
    row = df.iloc[0]
    assert row["usd_per_hour"] == 0.067
    assert row["usd_per_month"] == pytest.approx(0.067 * 730, abs=1e-9)
    # no published CPU figures: one replica, said to be a floor, not reported as enough
    assert pd.isna(row["throughput_rps"]) and pd.isna(row["replicas_needed_at_peak"])
    assert "more may be needed" in row["cost_source"]
    assert row["throughput_source"].startswith("unknown")


def test_estimate_reproduces_the_scaling_example(catalog: hw.Catalog, prices: pd.DataFrame) -> None:
    """A $0.5/h GPU at 1 to 3 replicas, 3 replicas a quarter of the time: $0.75/h, $547.50."""
    gpu = prices[prices["instance"] == "gcp-nvidia-t4-x1"]
    assert gpu["price_per_hour_usd"].tolist() == [0.5]
    first = estimate([SMOL], WORK, catalog, gpu)
    thr = float(first["throughput_rps"].iloc[0])
    # the average needs one replica, the peak three; the peak lasts 6 hours a day (15 min/h)
    work = hw.Workload(
        requests_per_day=thr * 0.5 * 86_400,
        input_tokens=500,
        output_tokens=200,
        peak_requests_per_s=thr * 2.5,
        peak_hours_per_day=6,
    )
    row = estimate([SMOL], work, catalog, gpu).iloc[0]
    assert (row["min_replicas"], row["max_replicas"], row["replicas_needed_at_peak"]) == (1, 3, 3)
    assert row["usd_per_hour"] == pytest.approx(0.75, abs=1e-12)
    assert row["usd_per_month"] == pytest.approx(547.50, abs=1e-9)
    assert "+ 6 h x 2 extra" in row["cost_source"]


# -- the workload ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"requests_per_day": 0}, "requests_per_day must be > 0"),
        ({"requests_per_day": -5}, "requests_per_day must be > 0"),
        ({"input_tokens": 0}, "input_tokens must be > 0"),
        ({"output_tokens": -1}, "output_tokens must be >= 0"),
        ({"hours_per_day": 0}, "hours_per_day must be > 0"),
        ({"hours_per_day": 25}, "hours_per_day must be at most 24"),
        ({"latency_slo_ms": 0}, "latency_slo_ms must be > 0"),
        ({"peak_requests_per_s": -1}, "peak_requests_per_s must be > 0"),
        ({"peak_requests_per_s": 0.01}, "below the average"),
        ({"peak_hours_per_day": 30}, "peak_hours_per_day"),
    ],
)
def test_a_zero_or_negative_workload_is_refused(kwargs: dict[str, float], message: str) -> None:
    base: dict[str, float] = {"requests_per_day": 10_000, "input_tokens": 100, "output_tokens": 50}
    with pytest.raises(ValueError, match=message):
        hw.Workload(**(base | kwargs))  # type: ignore[arg-type]


def test_workload_types_and_rates() -> None:
    with pytest.raises(TypeError, match="input_tokens must be an int"):
        hw.Workload(100, 1.5, 10)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="requests_per_day must be a number"):
        hw.Workload("100", 10, 10)  # type: ignore[arg-type]
    w = hw.Workload(86_400, 10, 0, hours_per_day=12)
    assert w.average_requests_per_s == 2.0 and w.peak_rps == 2.0
    assert hw.Workload(86_400, 10, 0, peak_requests_per_s=5).peak_rps == 5
    assert w.scaled(172_800).average_requests_per_s == 4.0


# -- options, fits, too large ---------------------------------------------------------------------
def test_dedicated_rows_on_every_instance_that_fits(
    catalog: hw.Catalog, prices: pd.DataFrame
) -> None:
    df = estimate([QWEN], WORK, catalog, prices, options="dedicated")
    assert tuple(df.columns) == ESTIMATE_COLUMNS
    need = 7_615_616_512 * 2 * INFERENCE_OVERHEAD / 1e9
    assert df["memory_needed_gb"].eq(need).all()
    assert (df["memory_available_gb"] >= need).all() and df["fits"].all()
    memory = prices.set_index("instance")
    room = memory["accelerator_memory_gb"].fillna(memory["memory_gb"])
    assert set(df["instance"]) == set(room[room >= need].index)
    assert "aws-nvidia-t4-x1" not in set(df["instance"])  # 14 GB: too small
    # multi-GPU sizes count the memory of all their accelerators
    t4x4 = df.set_index("instance").loc["aws-nvidia-t4-x4"]
    assert t4x4["memory_available_gb"] == 56
    assert "params x 2 bytes (fp16/bf16) x 1.2" in df["memory_source"].iloc[0]


def test_a_model_too_large_for_every_instance_says_so(
    catalog: hw.Catalog, prices: pd.DataFrame
) -> None:
    huge = pd.DataFrame({"id": ["big/model"], "params": [2e12]})
    df = estimate(huge, WORK, catalog, prices, options="dedicated")
    assert len(df) == 1
    row = df.iloc[0]
    assert row["fits"] is False or not bool(row["fits"])
    assert "too large for every instance" in row["note"]
    assert "aws-nvidia-b200-x8 with 2,048 GB" in row["note"]
    assert pd.isna(row["usd_per_month"]) and not bool(row["cheapest"])


def test_a_model_without_a_parameter_count_is_not_said_to_fit(
    catalog: hw.Catalog, prices: pd.DataFrame
) -> None:
    df = estimate(["2Noise/ChatTTS"], WORK, catalog, prices, options="dedicated")
    assert len(df) == 1 and pd.isna(df["fits"].iloc[0])
    assert "no parameter count" in df["note"].iloc[0]


def test_dtype_changes_what_fits(catalog: hw.Catalog, prices: pd.DataFrame) -> None:
    fp16 = estimate([QWEN], WORK, catalog, prices, options="gpu")
    int4 = estimate([QWEN], WORK, catalog, prices, options="gpu", dtype="int4")
    assert "aws-nvidia-t4-x1" in set(int4["instance"]) - set(fp16["instance"])
    assert (int4["accelerator"] == "gpu").all()
    with pytest.raises(ValueError, match=r"unknown dtype 'fp16' \(did you mean 'fp16/bf16'\?\)"):
        estimate([QWEN], WORK, catalog, prices, dtype="fp16")


def test_unknown_options_models_and_inputs_are_refused(
    catalog: hw.Catalog, prices: pd.DataFrame, providers: pd.DataFrame
) -> None:
    with pytest.raises(ValueError, match=r"unknown option 'nvidia-l5' \(did you mean 'nvidia-l4'"):
        estimate([QWEN], WORK, catalog, prices, options="nvidia-l5")
    with pytest.raises(ValueError, match="providers: featherless-ai, nebius, together"):
        estimate([QWEN], WORK, catalog, prices, providers, options=["together", "groq"])
    with pytest.raises(ValueError, match=r"instance types .*nvidia-a100"):
        estimate([QWEN], WORK, catalog, prices, options="dedicatd")
    with pytest.raises(ValueError, match="unknown model ids"):
        estimate(["Qwen/Qwen2.5-7B-Instruc"], WORK, catalog, prices)
    with pytest.raises(TypeError, match=r"hw\.Workload"):
        estimate([QWEN], {"requests_per_day": 1}, catalog, prices)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="more than once"):
        estimate([QWEN, QWEN], WORK, catalog, prices)
    with pytest.raises(ValueError, match="prices needs the columns"):
        estimate([QWEN], WORK, catalog, prices.drop(columns="price_per_hour_usd"))


def test_options_pick_instances_and_providers(
    catalog: hw.Catalog, prices: pd.DataFrame, providers: pd.DataFrame
) -> None:
    df = estimate([QWEN], WORK, catalog, prices, providers, options=["nvidia-a100", "nebius"])
    assert set(df["option"]) == {"dedicated", "serverless"}
    assert set(df["instance_type"].dropna()) == {"nvidia-a100"}
    assert df["provider"].dropna().tolist() == ["nebius"]
    local = estimate([QWEN], WORK, catalog, prices, options="local")
    assert local["option"].tolist() == ["this machine"]


# -- throughput, replicas, SLO --------------------------------------------------------------------
def test_the_estimate_follows_the_formula_in_the_docstring(
    catalog: hw.Catalog, prices: pd.DataFrame
) -> None:
    df = estimate([QWEN], WORK, catalog, prices, options=["aws-nvidia-a100-x2"])
    row = df.iloc[0]
    params = 7_615_616_512
    bandwidth, flops = 2 * 2039e9, 2 * 312e12  # two A100s (datasheet figures)
    weights = params * 2
    seconds = max(2 * params * 500 / flops, weights / bandwidth) + 200 * weights / bandwidth
    assert row["latency_ms"] == pytest.approx(seconds * 1000, rel=1e-12)
    assert row["throughput_rps"] == pytest.approx(1 / seconds, rel=1e-12)
    assert row["throughput_source"].startswith("estimate: batch 1")
    assert "nvidia.com" in row["throughput_source"]


def test_replicas_follow_the_peak(catalog: hw.Catalog, prices: pd.DataFrame) -> None:
    one = prices[prices["instance"] == "aws-nvidia-l4-x1"]
    thr = float(estimate([QWEN], WORK, catalog, one)["throughput_rps"].iloc[0])
    work = hw.Workload(thr * 86_400 * 1.5, 500, 200, peak_requests_per_s=thr * 4.2)
    row = estimate([QWEN], work, catalog, one).iloc[0]
    assert (row["min_replicas"], row["max_replicas"]) == (2, 5)
    day = 0.8 * (24 * 2 + 1 * 3)  # the default peak lasts an hour
    assert row["usd_per_month"] == pytest.approx(day * DAYS_PER_MONTH)
    assert row["usd_per_1k_requests"] == pytest.approx(day / work.requests_per_day * 1000)


def test_fewer_hours_scale_to_zero(catalog: hw.Catalog, prices: pd.DataFrame) -> None:
    one = prices[prices["instance"] == "aws-intel-spr-x2"]
    work = hw.Workload(1_000, 50, 0, hours_per_day=8)
    row = estimate([MINILM], work, catalog, one).iloc[0]
    assert bool(row["scale_to_zero"])
    assert row["usd_per_month"] == pytest.approx(0.067 * 8 * DAYS_PER_MONTH)
    assert "scaled to zero" in row["cost_source"]


def test_meets_slo(catalog: hw.Catalog, prices: pd.DataFrame) -> None:
    gpus = prices[prices["instance"].isin(["aws-nvidia-l4-x1", "aws-nvidia-h200-x8"])]
    loose = hw.Workload(20_000, 500, 200, latency_slo_ms=60_000)
    tight = hw.Workload(20_000, 500, 200, latency_slo_ms=1_000)
    same = {"options": "dedicated"}
    assert estimate([QWEN], loose, catalog, gpus, **same)["meets_slo"].tolist() == [True, True]
    df = estimate([QWEN], tight, catalog, gpus, **same).set_index("instance")
    assert not df.loc["aws-nvidia-l4-x1", "meets_slo"]
    assert df.loc["aws-nvidia-h200-x8", "meets_slo"]
    # the cheapest is the one that meets the target, though the other costs less
    assert df.loc["aws-nvidia-h200-x8", "cheapest"]
    assert (
        df.loc["aws-nvidia-l4-x1", "usd_per_month"] < df.loc["aws-nvidia-h200-x8", "usd_per_month"]
    )
    no_target = estimate([QWEN], WORK, catalog, gpus, **same)
    assert no_target["meets_slo"].isna().all()
    assert (no_target["meets_slo_source"] == "no latency_slo_ms in the workload").all()


# -- serverless, cheapest, break-even -------------------------------------------------------------
def test_serverless_rows_per_provider(
    catalog: hw.Catalog, prices: pd.DataFrame, providers: pd.DataFrame
) -> None:
    df = estimate([QWEN], WORK, catalog, prices, providers, options="serverless")
    by = df.set_index("provider")
    per_request = (500 * 0.30 + 200 * 0.30) / 1e6
    assert by.loc["together", "usd_per_1k_requests"] == pytest.approx(per_request * 1000)
    assert by.loc["together", "usd_per_month"] == pytest.approx(
        per_request * 20_000 * DAYS_PER_MONTH
    )
    # a provider without a price: NA with the reason, never 0, never the cheapest
    feather = by.loc["featherless-ai"]
    assert pd.isna(feather["usd_per_month"]) and not feather["cheapest"]
    assert feather["price_source"] == "unknown: no price in your table"
    assert by["cheapest"].sum() == 1 and by.loc["together", "cheapest"]


def test_no_provider_known_is_a_row_that_says_why(
    catalog: hw.Catalog, prices: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    df = hw.estimate_cost([MINILM], WORK, catalog=catalog, options="serverless")
    assert len(df) == 1 and pd.isna(df["usd_per_month"].iloc[0])
    assert "HF_HUB_OFFLINE" in df["price_source"].iloc[0]
    assert "HF_HUB_OFFLINE" in df.attrs["providers_note"]
    assert "HF_HUB_OFFLINE" in df.attrs["prices_note"]


def test_cheapest_and_break_even(
    catalog: hw.Catalog, prices: pd.DataFrame, providers: pd.DataFrame
) -> None:
    df = estimate([QWEN, MINILM], WORK, catalog, prices, providers)
    for model, rows in df.groupby("model"):
        assert rows["cheapest"].sum() == 1, model
        priced = rows[rows["usd_per_month"].notna() & (rows["status"].fillna("") != "deprecated")]
        assert rows.loc[rows["cheapest"], "usd_per_month"].iloc[0] == priced["usd_per_month"].min()
    qwen = df[df["model"] == QWEN]
    cheapest_request = (500 * 0.30 + 200 * 0.30) / 1e6  # together
    dedicated = qwen[qwen["option"] == "dedicated"]
    day = dedicated["usd_per_month"] / DAYS_PER_MONTH
    assert dedicated["break_even_requests_per_day"].to_numpy() == pytest.approx(
        (day / cheapest_request).to_numpy()
    )
    # at the break-even volume the two cost the same
    a100 = dedicated.set_index("instance").loc["aws-nvidia-a100-x1"]
    volume = float(a100["break_even_requests_per_day"])
    assert volume * cheapest_request == pytest.approx(float(a100["usd_per_month"]) / DAYS_PER_MONTH)
    served = qwen[(qwen["option"] == "serverless") & qwen["usd_per_month"].notna()]
    eligible = dedicated[dedicated["status"].fillna("") != "deprecated"]
    best_day = float(eligible["usd_per_month"].min()) / DAYS_PER_MONTH
    for _, row in served.iterrows():
        per_request = float(row["usd_per_1k_requests"]) / 1000
        assert row["break_even_requests_per_day"] == pytest.approx(best_day / per_request)
    # no serverless price for MiniLM: its break-even is unknown and says so
    mini = df[(df["model"] == MINILM) & (df["option"] == "dedicated")]
    assert mini["break_even_requests_per_day"].isna().all()
    assert mini["break_even_source"].str.contains("no serverless price").all()


def test_cost_at_volumes_for_the_chart(
    catalog: hw.Catalog, prices: pd.DataFrame, providers: pd.DataFrame
) -> None:
    df = estimate(
        [QWEN], WORK, catalog, prices, providers, options=["aws-nvidia-l4-x1", "together"]
    )
    curve = cost_at_volumes(df, [WORK.requests_per_day, 10 * WORK.requests_per_day])
    here = curve[curve["requests_per_day"] == WORK.requests_per_day].set_index("label")
    mine = df.assign(label=["dedicated: aws-nvidia-l4-x1", "serverless: together"]).set_index(
        "label"
    )
    for label in here.index:  # at the workload's volume, the curve is the estimate
        assert here.loc[label, "usd_per_month"] == pytest.approx(mine.loc[label, "usd_per_month"])
    tenfold = curve[curve["requests_per_day"] > WORK.requests_per_day].set_index("label")
    assert tenfold.loc["serverless: together", "usd_per_month"] == pytest.approx(
        10 * mine.loc["serverless: together", "usd_per_month"]
    )
    assert (
        tenfold.loc["dedicated: aws-nvidia-l4-x1", "usd_per_month"]
        > mine.loc["dedicated: aws-nvidia-l4-x1", "usd_per_month"]
    )
    with pytest.raises(ValueError, match=r"hw\.estimate_cost"):
        cost_at_volumes(pd.DataFrame(), [1])


# -- measured throughput --------------------------------------------------------------------------
def _result(rows: list[dict[str, object]], gpu: str | None = None) -> BenchmarkResult:
    base = {"backend": "local", "status": "ok", "batch_size": 1, "p50_ms": 40.0, "p90_ms": 55.0}
    summary = pd.DataFrame([base | r for r in rows])
    return BenchmarkResult(runs=pd.DataFrame(), summary=summary, env={"gpu": gpu, "cpu": "x86"})


def test_a_trusted_benchmark_measures_this_machine_and_its_accelerator(
    catalog: hw.Catalog, prices: pd.DataFrame
) -> None:
    bench = _result([{"model": QWEN, "items_per_s": 12.5, "cv": 0.1}], gpu="NVIDIA L4")
    df = estimate([QWEN], WORK, catalog, prices, benchmark=bench, options=["local", "nvidia-l4"])
    local = df[df["option"] == "this machine"].iloc[0]
    assert (local["throughput_rps"], local["latency_ms"]) == (12.5, 55.0)
    assert local["throughput_source"].startswith("measured: hw.benchmark")
    assert pd.isna(local["usd_per_month"]) and local["cost_source"].startswith("no $")
    assert local["replicas_needed_at_peak"] == math.ceil(WORK.peak_rps / 12.5)
    l4 = df[df["option"] == "dedicated"]
    assert (l4["throughput_rps"] == 12.5).all()
    assert l4["throughput_source"].str.endswith("on the same accelerator").all()
    other = estimate([QWEN], WORK, catalog, prices, benchmark=bench, options="nvidia-a100")
    assert other["throughput_source"].str.startswith("estimate").all()


@pytest.mark.parametrize(
    ("rows", "why"),
    [
        ([{"model": QWEN, "items_per_s": 12.5, "cv": CV_LIMIT + 0.3}], "CV 0.80 > 0.5"),
        (
            [
                {"model": QWEN, "items_per_s": 12.5, "cv": 0.1, "p50_ms": 40.0},
                {"model": QWEN, "items_per_s": 4.0, "cv": 0.1, "p50_ms": 130.0},
            ],
            "more than 2x apart",
        ),
    ],
)
def test_an_untrustworthy_benchmark_is_flagged_not_used(
    catalog: hw.Catalog, prices: pd.DataFrame, rows: list[dict[str, object]], why: str
) -> None:
    bench = _result(rows, gpu="NVIDIA L4")
    df = estimate([QWEN], WORK, catalog, prices, benchmark=bench, options=["local", "nvidia-l4"])
    local = df[df["option"] == "this machine"].iloc[0]
    assert pd.isna(local["throughput_rps"])
    assert "not used" in local["throughput_source"] and why in local["throughput_source"]
    assert df[df["option"] == "dedicated"]["throughput_source"].str.startswith("estimate").all()


def test_a_model_missing_from_the_benchmark_says_so(
    catalog: hw.Catalog, prices: pd.DataFrame
) -> None:
    bench = _result([{"model": MINILM, "items_per_s": 100.0, "cv": 0.05}])
    df = estimate([QWEN], WORK, catalog, prices, benchmark=bench, options="local")
    assert "not in the benchmark" in df["throughput_source"].iloc[0]
    with pytest.raises(TypeError, match="BenchmarkResult"):
        estimate([QWEN], WORK, catalog, prices, benchmark=[1, 2], options="local")


def test_models_as_a_dataframe_with_params(prices: pd.DataFrame) -> None:
    models = pd.DataFrame({"id": ["my/llm"], "params": [8_000_000_000]})
    df = hw.estimate_cost(
        models,
        WORK,
        prices=prices,
        provider_table=pd.DataFrame(
            columns=["model", "provider", "input_usd_per_1m", "output_usd_per_1m"]
        ),
        options="dedicated",
    )
    assert df["memory_needed_gb"].iloc[0] == pytest.approx(8e9 * 2 * 1.2 / 1e9)
    assert df["memory_source"].str.contains("params column").all()
    assert df.attrs["workload"]["requests_per_day"] == 20_000
