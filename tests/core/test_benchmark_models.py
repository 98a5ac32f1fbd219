"""hw.benchmark on real models: tiny local ones, the fallback chain, a dask cluster.

The statistics themselves are checked exactly in test_benchmark.py with scripted timings.
"""

from __future__ import annotations

import socket
from typing import Any

import numpy as np
import pytest

import hubwidgets as hw
from hubwidgets.core.inference.backends import FallbackBackend, LocalBackend, RemoteBackend
from hubwidgets.core.inference.samples import sample_audio

QUICK: dict[str, Any] = {"warmup": 1, "min_iterations": 3, "min_duration_s": 0.0, "progress": False}


@pytest.fixture(scope="module")
def local() -> LocalBackend:
    return LocalBackend(device="cpu")


def test_two_models_two_batch_sizes_with_quality(
    tiny_models: dict[str, str], local: LocalBackend
) -> None:
    texts = ["a good film", "a bad film", "good food", "terrible food", "i love it", "i hate it"]
    labels = ["positive", "negative", "positive", "negative", "positive", "negative"]
    models = [tiny_models["text-classification"], tiny_models["zero-shot-classification"]]
    result = hw.benchmark(
        models,
        "text-classification",
        texts,
        backend=local,
        batch_sizes=(1, 4),
        labels=labels,
        groups=["film", "film", "food", "food", "x", "x"],
        **QUICK,
    )
    s = result.summary
    assert len(s) == 4 and (s["status"] == "ok").all()
    assert (s["p50_ms"] > 0).all() and (s["items_per_s"] > 0).all()
    assert s["load_ms"].notna().sum() == 2  # each model loads once, for its first batch size
    assert (s["peak_rss_mb"] > 50).all()
    # random weights: any accuracy, but a real number in [0, 1] with its interval
    assert s["accuracy"].between(0, 1).all()
    assert (s["accuracy_lo"] <= s["accuracy"]).all() and (s["accuracy"] <= s["accuracy_hi"]).all()
    assert set(result.quality_by_group["group"]) == {"film", "food", "x"}
    assert result.env["torch"] and result.env["transformers"]
    # the zero-shot model's own labels are contradiction/neutral/entailment: never right
    zero = s[s["model"] == models[1]]
    assert (zero["accuracy"] == 0).all()


def test_generation_reports_tokens_per_second(
    tiny_models: dict[str, str], local: LocalBackend
) -> None:
    result = hw.benchmark(
        tiny_models["text-generation"],
        "text-generation",
        ["the cat", "the dog is"],
        backend=local,
        params={"max_new_tokens": 8, "do_sample": False},
        **QUICK,
    )
    row = result.summary.iloc[0]
    assert row["status"] == "ok"
    assert row["tokens_per_s"] > 0
    measured = result.runs[result.runs["phase"] == "measure"]
    assert (measured["generated_tokens"] > 0).all()


def test_speech_recognition_word_error_rate(
    tiny_models: dict[str, str], local: LocalBackend
) -> None:
    audio = [sample_audio("tone", 0.5), sample_audio("chord", 0.3)]
    result = hw.benchmark(
        tiny_models["automatic-speech-recognition"],
        "automatic-speech-recognition",
        audio,
        backend=local,
        labels=["hello world", "good day"],
        **QUICK,
    )
    row = result.summary.iloc[0]
    assert row["status"] == "ok"
    # a random-weight model does not transcribe: its error rate is high, and it is a number
    assert row["wer"] >= 0.5
    assert not np.isnan(row["cer"])


def test_a_missing_model_is_one_error_row(
    tiny_models: dict[str, str], local: LocalBackend, tmp_path
) -> None:
    missing = str(tmp_path / "no-such-model")
    result = hw.benchmark(
        [missing, tiny_models["text-classification"]],
        "text-classification",
        ["good"],
        backend=local,
        **QUICK,
    )
    rows = result.summary.set_index("model")
    assert rows.loc[missing, "status"] == "error"
    assert rows.loc[missing, "error"]
    assert rows.loc[tiny_models["text-classification"], "status"] == "ok"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_fallback_from_an_unreachable_remote_to_local(
    tiny_models: dict[str, str], local: LocalBackend
) -> None:
    remote = RemoteBackend(base_url=f"http://127.0.0.1:{_closed_port()}", timeout=2.0)
    chain = FallbackBackend([remote, local])
    model = tiny_models["text-classification"]
    served = chain.run("text-classification", model, ["a good film"])
    assert served.backend == "local"
    assert served.fell_back
    assert served.attempts[0].backend == "remote"
    assert served.attempts[0].reason == "connection"
    result = hw.benchmark(model, "text-classification", ["a good film"], backend=chain, **QUICK)
    row = result.summary.iloc[0]
    assert row["status"] == "ok"
    assert row["backend"] == "local"


def test_models_run_on_a_dask_cluster(tiny_models: dict[str, str]) -> None:
    distributed = pytest.importorskip("distributed")
    models = [tiny_models["text-classification"], tiny_models["zero-shot-classification"]]
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        result = hw.benchmark(
            models,
            "text-classification",
            ["a good film", "a bad film"],
            backend=LocalBackend(device="cpu"),
            executor=client,
            **QUICK,
        )
    assert result.summary["model"].tolist() == models
    assert (result.summary["status"] == "ok").all()
    assert (result.summary["p50_ms"] > 0).all()


def test_generation_time_to_first_token_and_per_token(
    tiny_models: dict[str, str], local: LocalBackend
) -> None:
    result = hw.benchmark(
        tiny_models["text-generation"],
        "text-generation",
        ["the cat"],
        backend=local,
        params={"max_new_tokens": 6, "do_sample": False, "min_new_tokens": 6},
        **QUICK,
    )
    row = result.summary.iloc[0]
    measured = result.runs[result.runs["phase"] == "measure"]
    # one sequence per call: generate's streamer counts the 6 new tokens and times the first
    assert (measured["generated_tokens"] == 6).all()
    assert (measured["ttft_ms"] > 0).all() and (measured["ttft_ms"] < measured["latency_ms"]).all()
    assert 0 < row["ttft_ms"] < row["p50_ms"]
    assert row["tpot_ms"] > 0
