"""hw.dataset_rows: a dataset sample through the dataset viewer's rows API (a local server
speaking its JSON, started here), or from a local table."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

import hubwidgets as hw

DATASET = "acme/reviews"
TOTAL = 230  # rows in the served split


def _row(i: int) -> dict[str, Any]:
    return {"text": f"review number {i}", "label": i % 2}


class Viewer:
    """A dataset viewer: ``/splits`` and ``/rows`` answered as datasets-server does (the shapes
    of its documented answers), every request recorded."""

    def __init__(self) -> None:
        self.requests: list[dict[str, list[str]]] = []
        viewer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                viewer.requests.append({"path": [url.path], **query})
                status, body = viewer.answer(url.path, {k: v[0] for k, v in query.items()})
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def answer(self, path: str, q: dict[str, str]) -> tuple[int, Any]:
        if q.get("dataset") != DATASET:
            return 404, {"error": "The dataset does not exist on the Hub."}
        if path == "/splits":
            return 200, {
                "splits": [
                    {"dataset": DATASET, "config": "plain_text", "split": "train"},
                    {"dataset": DATASET, "config": "plain_text", "split": "test"},
                ],
                "pending": [],
                "failed": [],
            }
        if path == "/rows":
            if q.get("config") != "plain_text" or q.get("split") not in ("train", "test"):
                return 404, {"error": "Not found."}
            offset, length = int(q["offset"]), int(q["length"])
            if length > 100:
                return 422, {"error": "Parameter 'length' must not be greater than 100"}
            rows = [
                {"row_idx": i, "row": _row(i), "truncated_cells": []}
                for i in range(offset, min(offset + length, TOTAL))
            ]
            return 200, {
                "features": [
                    {
                        "feature_idx": 0,
                        "name": "text",
                        "type": {"dtype": "string", "_type": "Value"},
                    },
                    {
                        "feature_idx": 1,
                        "name": "label",
                        "type": {"names": ["neg", "pos"], "_type": "ClassLabel"},
                    },
                ],
                "rows": rows,
                "num_rows_total": TOTAL,
                "num_rows_per_page": 100,
                "partial": False,
            }
        return 404, {"error": "Not found."}

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def viewer(monkeypatch: pytest.MonkeyPatch) -> Iterator[Viewer]:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    server = Viewer()
    yield server
    server.close()


def test_rows_come_in_pages_of_at_most_100(viewer: Viewer) -> None:
    rows = hw.dataset_rows(DATASET, split="train", n=250, endpoint=viewer.url)
    assert len(rows) == TOTAL  # the split has fewer than asked
    assert list(rows.columns) == ["text", "label"]
    assert rows["text"].iloc[0] == "review number 0"
    assert rows["text"].iloc[-1] == f"review number {TOTAL - 1}"
    pages = [r for r in viewer.requests if r["path"] == ["/rows"]]
    assert [(p["offset"][0], p["length"][0]) for p in pages] == [
        ("0", "100"),
        ("100", "100"),
        ("200", "50"),
    ]
    assert rows.attrs["source"] == "dataset viewer"
    assert rows.attrs["config"] == "plain_text"  # the first config with a train split
    assert rows.attrs["num_rows_total"] == TOTAL
    assert rows.attrs["partial"] is False


def test_the_endpoint_can_come_from_the_environment(
    viewer: Viewer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBWIDGETS_DATASETS_SERVER", viewer.url)
    rows = hw.dataset_rows(DATASET, split="test", n=5, config="plain_text")
    assert len(rows) == 5
    assert not [r for r in viewer.requests if r["path"] == ["/splits"]]  # config given


def test_unknown_dataset_or_split_says_what_there_is(viewer: Viewer) -> None:
    with pytest.raises(ValueError, match=r"no split 'validation'.*plain_text/test"):
        hw.dataset_rows(DATASET, split="validation", endpoint=viewer.url)
    with pytest.raises(ValueError, match="no dataset 'acme/nothing'"):
        hw.dataset_rows("acme/nothing", endpoint=viewer.url)


def test_offline_a_dataset_id_asks_for_a_local_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ValueError, match="pass a local table instead"):
        hw.dataset_rows(DATASET)


def test_an_unreachable_viewer_asks_for_a_local_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ValueError, match=r"could not read.*pass a local table instead"):
        hw.dataset_rows(DATASET, config="plain_text", endpoint=f"http://127.0.0.1:{port}")


def test_local_tables(tmp_path: Path) -> None:
    df = pd.DataFrame({"text": [f"t{i}" for i in range(10)]})
    assert hw.dataset_rows(df, n=3)["text"].tolist() == ["t0", "t1", "t2"]
    path = tmp_path / "sample.parquet"
    df.to_parquet(path)
    from_file = hw.dataset_rows(str(path), n=4)
    assert from_file["text"].tolist() == ["t0", "t1", "t2", "t3"]
    assert from_file.attrs["source"] == "parquet"
    assert len(hw.dataset_rows(path, n=None)) == 10
    with pytest.raises(ValueError, match="no parquet file"):
        hw.dataset_rows(tmp_path / "missing.parquet")
    with pytest.raises(TypeError, match="n must be"):
        hw.dataset_rows(df, n=0)
    with pytest.raises(TypeError, match="source must be"):
        hw.dataset_rows(42)


def test_a_datasets_dataset() -> None:
    datasets = pytest.importorskip("datasets", reason="the datasets package is not installed")
    ds = datasets.DatasetDict({"test": datasets.Dataset.from_dict({"text": ["a", "b", "c"]})})
    assert hw.dataset_rows(ds, split="test", n=2)["text"].tolist() == ["a", "b"]


def test_a_batch_job_starts_from_a_dataset_sample(viewer: Viewer, tmp_path: Path) -> None:
    pytest.importorskip("transformers", reason="local models need transformers")
    from hubwidgets.testing.models import tiny_text_classifier  # noqa: PLC0415

    model = tiny_text_classifier(tmp_path / "tc")
    rows = hw.dataset_rows(DATASET, n=12, endpoint=viewer.url)
    out = hw.apply(rows, model, column="text", output="model", progress=False)
    assert len(out) == 12 and (out["model_error"] == "").all()
    assert set(out["model_label"]) <= {"negative", "positive"}
    assert out["label"].tolist() == rows["label"].tolist()  # the dataset's own labels stay
