"""hw.apply(executor=client): partitions on a real 2-worker dask LocalCluster (processes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import hubwidgets as hw

pytest.importorskip("torch", reason="local models need torch (hubwidgets[inference])")
pytest.importorskip("transformers", reason="local models need transformers")
pytest.importorskip("distributed", reason="executor= needs dask: pip install hubwidgets[workflows]")
dd = pytest.importorskip("dask.dataframe", reason="executor= needs dask.dataframe")

from distributed import Client, LocalCluster  # noqa: E402

from hubwidgets.core.workflows._dask import loaded_here  # noqa: E402
from hubwidgets.testing.models import tiny_text_classifier  # noqa: E402


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
    assert all(keys == [(classifier, "text-classification", "local")] for keys in loaded.values())


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
    with pytest.raises(ValueError, match="checkpoint= and cancel= work on this machine only"):
        hw.apply(texts(4), classifier, column="text", executor=client, checkpoint="ck/")
    with pytest.raises(TypeError, match=r"dask.distributed.Client"):
        hw.apply(texts(4), classifier, column="text", executor="cluster")
