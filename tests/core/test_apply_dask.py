"""hw.apply(executor=client): partitions on a real 2-worker dask LocalCluster (processes)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubwidgets as hw

pytest.importorskip("torch", reason="local models need torch (hubwidgets[inference])")
pytest.importorskip("transformers", reason="local models need transformers")
pytest.importorskip("distributed", reason="executor= needs dask: pip install hubwidgets[workflows]")
dd = pytest.importorskip("dask.dataframe", reason="executor= needs dask.dataframe")

from distributed import Client, LocalCluster  # noqa: E402

from hubwidgets.core.cost.ledger import usage_path  # noqa: E402
from hubwidgets.core.inference.backends import RemoteBackend  # noqa: E402
from hubwidgets.core.workflows._dask import loaded_here, worker_backend  # noqa: E402
from hubwidgets.testing.models import tiny_text_classifier  # noqa: E402
from hubwidgets.testing.replay import CassetteReplay  # noqa: E402

from .spend_support import price_table  # noqa: E402


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> str:
    return tiny_text_classifier(Path(tmp_path_factory.mktemp("dask-model")) / "tc")


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


def texts(n: int) -> pd.DataFrame:
    words = ["a good day", "bad film", "fine words", "dull", "lovely"]
    return pd.DataFrame({"text": [words[i % 5] for i in range(n)]}, index=range(1000, 1000 + n))


def test_a_pandas_frame_runs_on_the_workers_and_comes_back_pandas(
    client: Client, classifier: str
) -> None:
    df = texts(40)
    out = hw.apply(df, classifier, column="text", executor=client)
    assert isinstance(out, pd.DataFrame)
    assert out.index.equals(df.index)
    assert (out["error"] == "").all()
    here = hw.apply(df, classifier, column="text", progress=False)
    assert list(out["label"]) == list(here["label"])
    assert out.attrs["partitions"] == 2 and out.attrs["rows_run"] == 40
    assert out.attrs["task"] == "text-classification" and out.attrs["rows_per_s"] > 0
    # once more: each worker loaded the model once, and keeps it
    hw.apply(texts(10), classifier, column="text", executor=client)
    loaded = client.run(loaded_here)
    assert len(loaded) == 2
    assert all(
        [key[:3] for key in keys] == [(classifier, "text-classification", "local")]
        for keys in loaded.values()
    )


def test_a_dask_frame_comes_back_a_dask_frame(client: Client, classifier: str) -> None:
    df = texts(30)
    ddf = dd.from_pandas(df, npartitions=3)
    out = hw.apply(ddf, classifier, column="text", executor=client)
    assert isinstance(out, dd.DataFrame)
    assert {"label", "score", "error", "latency_ms"} <= set(out.columns)
    done = out.compute()
    assert len(done) == 30 and (done["error"] == "").all()
    assert done.index.equals(df.index)


def test_bad_input_fails_before_anything_is_sent(client: Client, classifier: str) -> None:
    with pytest.raises(ValueError, match=r"no column 'txt'.*Its columns: text"):
        hw.apply(texts(4), classifier, column="txt", executor=client)
    lazy = dd.from_pandas(texts(4), npartitions=2)
    with pytest.raises(ValueError, match=r"need a pandas DataFrame.*df\.compute\(\)"):
        hw.apply(lazy, classifier, column="text", executor=client, checkpoint="ck/")
    with pytest.raises(TypeError, match=r"dask.distributed.Client"):
        hw.apply(texts(4), classifier, column="text", executor="cluster")


def test_cancel_then_resume_on_the_cluster_from_the_checkpoint(
    client: Client, classifier: str, tmp_path: Path
) -> None:
    df = texts(40)
    folder = tmp_path / "run"
    stop = threading.Event()
    seen: list[tuple[int, int]] = []

    def press_cancel(done: int, total: int) -> None:  # the user's Cancel after one partition
        seen.append((done, total))
        stop.set()

    first = hw.apply(
        df,
        classifier,
        column="text",
        executor=client,
        checkpoint=folder,
        cancel=stop,
        progress=press_cancel,
    )
    assert first.attrs["cancelled"] is True
    ran = first.attrs["rows_run"]
    assert 0 < ran < 40 and first.attrs["partitions"] >= 4  # small partitions with a cancel
    assert (first["error"] == "cancelled").sum() == 40 - ran
    assert seen[0][1] == 40
    assert list(folder.glob("part-*.parquet"))  # the client saved the finished partitions
    # resumed on the cluster: only the rows not done run, and the result is a whole run's
    second = hw.apply(df, classifier, column="text", executor=client, checkpoint=folder)
    assert second.attrs["rows_resumed"] == ran and second.attrs["rows_run"] == 40 - ran
    assert second.attrs["cancelled"] is False and (second["error"] == "").all()
    here = hw.apply(df, classifier, column="text", progress=False)
    assert second["label"].tolist() == here["label"].tolist()
    assert second["score"].tolist() == pytest.approx(here["score"].tolist(), abs=1e-6)
    assert second.index.equals(df.index)
    # the checkpoint is the same as one made on this machine: resumed here, nothing runs
    third = hw.apply(df, classifier, column="text", checkpoint=folder, progress=False)
    assert third.attrs["rows_resumed"] == 40 and third.attrs["rows_run"] == 0


def _replay_here(cassette: str) -> None:
    """On a worker: its huggingface_hub requests answered from the recording (as the client's)."""
    CassetteReplay(cassette).__enter__()


def _stop_replay_here() -> None:
    from huggingface_hub.utils import _http  # noqa: PLC0415 - where CassetteReplay installs itself

    replay = getattr(_http._GLOBAL_CLIENT_FACTORY, "__self__", None)
    if isinstance(replay, CassetteReplay):
        replay.__exit__(None, None, None)


def _ledger_lines_here(model: str) -> int:
    path = usage_path()
    lines = path.read_text().splitlines() if path.exists() else []
    return sum(f'"model":"{model}"' in line for line in lines)


def test_remote_spend_on_the_cluster_is_in_the_clients_ledger_like_a_run_here(
    client: Client, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = "meta-llama/Meta-Llama-3-8B-Instruct"
    cassette = (
        shared_data
        / "inference-cassettes"
        / "TestInferenceClient.test_chat_completion_no_stream[together,conversational].yaml"
    )
    if not cassette.is_file():
        pytest.skip(f"no recorded chat completion at {cassette}")
    # the client's ledger only: the workers keep the session's (they need not share a disk)
    monkeypatch.setenv("HUBWIDGETS_HOME", str(tmp_path))
    monkeypatch.delenv("HUBWIDGETS_BUDGET_USD", raising=False)
    prices = price_table(model, "together")
    df = pd.DataFrame({"question": ["What is deep learning?", "And machine learning?"]})
    kw: dict[str, Any] = {
        "column": "question",
        "task": "chat-completion",
        "backend": RemoteBackend(provider="together", token="hf_replayed_not_a_real_token"),
        "batch_size": 1,
        "progress": False,
        "prices": hw.provider_prices(table=prices),
    }
    with CassetteReplay(cassette):
        hw.apply(df, model, **kw)
    client.run(_replay_here, str(cassette))
    try:
        there = hw.apply(df, model, executor=client, **kw)
        # a hard budget on the client refuses the cluster's run before anything is sent
        flat = {**kw, "prices": {("together", model): 0.01}}
        with hw.use_budget(hw.Budget(0.015, hard=True)), pytest.raises(hw.BudgetExceededError):
            hw.apply(df, model, executor=client, **flat)
    finally:
        client.run(_stop_replay_here)
    assert (there["error"] == "").all() and there.attrs["partitions"] == 2
    here_line, there_line = hw.usage(kind="batch").to_dict("records")  # one line per run
    same = ["model", "provider", "input_tokens", "output_tokens", "cost_usd", "cost_source"]
    assert [there_line[c] for c in same] == [here_line[c] for c in same]
    assert there_line["provider"] == "together" and there_line["cost_usd"] > 0
    assert there_line["input_tokens"] > 0 and "per-token" in there_line["cost_source"]
    assert set(client.run(_ledger_lines_here, model).values()) == {0}  # the workers wrote none


def test_a_worker_tells_two_providers_of_one_model_apart() -> None:
    # what a worker does with the backend each partition brings: the same settings find the
    # backend already there; another provider for the same model and task gets its own, so its
    # calls are not served (nor logged) under the first provider
    model, task = "meta-llama/Meta-Llama-3-8B-Instruct", "chat-completion"
    together = worker_backend(model, task, RemoteBackend(provider="together", token="hf_x"))
    again = worker_backend(model, task, RemoteBackend(provider="together", token="hf_x"))
    novita = worker_backend(model, task, RemoteBackend(provider="novita", token="hf_x"))
    assert again is together
    assert novita is not together
    assert (together.provider, novita.provider) == ("together", "novita")
