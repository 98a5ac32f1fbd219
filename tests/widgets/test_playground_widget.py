"""Playground without a browser: traits, messages to and from the page, runs, uploads, streaming.

The page's messages are played by calling the widget's handlers directly (``_on_custom_msg`` for
custom messages, ``set_state`` for trait updates); what the widget sends is recorded by
replacing its ``send``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import traitlets

import hubwidgets as hw
from hubwidgets.core.inference.backends import BackendError, FallbackBackend, InferenceResult
from hubwidgets.core.inference.playground import MAX_FILE_BYTES
from hubwidgets.core.inference.samples import sample_image
from hubwidgets.widgets import Playground, SearchWidget
from hubwidgets.widgets.playground import BATCH_SECONDS, CHUNK_BYTES, input_kind


class FakeBackend:
    name = "fake"
    provider = "test"

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.release = threading.Event()

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        if "broken" in model:
            raise BackendError("provider down", backend=self.name, reason="http", status=503)
        if task == "text-to-image":
            output: Any = {"image": b"\x89PNG-bytes"}
        elif task == "image-segmentation":
            output = [{"label": "sky", "score": 1.0, "mask": "aGVsbG8="}]
        else:
            output = [{"label": "positive", "score": 0.75}]
        return InferenceResult(task, model, [output], self.name, self.provider, latency_ms=3.0)

    def stream(self, task: str, model: str, inputs: Any, **params: Any) -> Iterator[str]:
        for k in range(5):
            if self.delay:
                time.sleep(self.delay)
            yield f"w{k} "
        if self.delay < 0:  # pragma: no cover
            self.release.wait()


class Down(FakeBackend):
    name = "remote"

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        raise BackendError(
            "HTTP 503 from the provider", backend="remote", reason="http", status=503
        )


class Recorder:
    def __init__(self, widget: Playground) -> None:
        self.sent: list[tuple[dict[str, Any], list[bytes]]] = []
        self.times: list[float] = []
        widget.send = self.send  # type: ignore[method-assign]

    def send(self, content: dict[str, Any], buffers: Any = None) -> None:
        self.sent.append((content, [bytes(b) for b in buffers or []]))
        self.times.append(time.perf_counter())

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [c for c, _ in self.sent if c.get("type") == kind]


def make(task: str = "text-classification", models: Any = ("a/one", "b/two"), **kw: Any) -> Any:
    pg = Playground(task, list(models), backend=kw.pop("backend", FakeBackend()), **kw)
    return pg, Recorder(pg)


def page(pg: Playground, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
    pg._on_custom_msg(pg, content, buffers or [])


def test_traits_follow_the_task() -> None:
    pg, _ = make()
    assert pg.task == "text-classification" and pg._input_kind == "text"
    assert pg._samples and all("text" in s for s in pg._samples)
    assert "2 models" in pg.status and "fake backend" in pg.status
    pg.task = "image-classification"
    assert pg._input_kind == "image" and pg._samples[0] == {"label": "sample-1.png", "file": True}
    pg.task = "zero-shot-classification"
    assert pg._needs_labels and pg.params["candidate_labels"]
    assert input_kind("question-answering") == "qa" and input_kind("chat-completion") == "chat"
    assert hw.Playground is Playground


def test_bad_values_from_python_raise() -> None:
    with pytest.raises(traitlets.TraitError, match="unknown task"):
        Playground("text-clasification", ["m"], backend=FakeBackend())
    with pytest.raises(traitlets.TraitError, match="at most 6"):
        Playground("text-classification", [f"m{i}" for i in range(7)], backend=FakeBackend())
    with pytest.raises(TypeError, match="backend must be"):
        Playground("text-classification", ["m"], backend="cloud")
    with pytest.raises(TypeError, match="source must be"):
        Playground("text-classification", ["m"], source="nope")  # type: ignore[arg-type]


def test_run_from_python_returns_rows_and_draws_cells() -> None:
    pg, rec = make()
    rows = pg.run("I loved it")
    assert rows["model"].tolist() == ["a/one", "b/two"] and (rows["error"] == "").all()
    assert [c["type"] for c, _ in rec.sent] == ["cell", "cell", "done"]
    assert pg._run_info == {
        "run": 1,
        "models": ["a/one", "b/two"],
        "stream": False,
        "text": "I loved it",
        "echo": True,
    }
    cell = rec.of("cell")[0]
    assert cell["output"] == [{"label": "positive", "score": 0.75}]
    assert (cell["backend"], cell["provider"], cell["latency_ms"]) == ("fake", "test", 3.0)
    assert not pg.running and "2 answered, 0 failed" in pg.status
    assert len(pg.history) == 2
    assert "<table" in pg._report_html() and "a/one" in pg._report_html()


def test_run_from_the_page_runs_in_a_thread() -> None:
    pg, rec = make()
    page(pg, {"type": "run", "text": "great"})
    assert pg.wait(10)
    assert pg.history["input"].tolist() == ["great", "great"]
    assert rec.of("done")[0]["stopped"] is False


def test_empty_prompt_is_an_error_in_each_cell_and_kept() -> None:
    pg, rec = make()
    page(pg, {"type": "run", "text": "  "})
    assert pg.wait(10)
    assert [c["error"] for c in rec.of("cell")] == ["text-classification: the text is empty"] * 2
    assert pg.history["error"].tolist() == ["text-classification: the text is empty"] * 2
    assert "0 answered, 2 failed" in pg.status


def test_a_failing_model_and_a_fallback_are_shown_in_their_cells() -> None:
    pg, rec = make(models=["ok/1", "broken/2"])
    pg.run("x")
    assert [c["error"] for c in rec.of("cell")] == ["", "provider down"]
    pg2, rec2 = make(backend=FallbackBackend([Down(), FakeBackend()]), models=["m"])
    pg2.run("x")
    cell = rec2.of("cell")[0]
    assert cell["backend"] == "fake" and "remote (http, HTTP 503)" in cell["fell_back_from"]


def test_chunked_upload_then_run() -> None:
    pg, rec = make("image-classification", ["m"])
    data = sample_image()
    size = len(data)
    for offset in range(0, size, 500):
        chunk = data[offset : offset + 500]
        meta = {"id": "u1", "name": "shapes.png", "mime": "image/png", "size": size}
        page(pg, {"type": "upload", **meta, "offset": offset}, [chunk])
    done = rec.of("uploaded")
    assert len(done) == 1 and done[0]["size"] == size and len(done[0]["sha256"]) == 64
    page(pg, {"type": "run", "file": "u1"})
    assert pg.wait(10)
    row = pg.history.iloc[0]
    assert row["error"] == "" and row["input"].startswith(f"shapes.png ({size:,} bytes, sha256=")
    assert CHUNK_BYTES < 10 * 1024 * 1024  # under tornado's websocket message limit


def test_upload_over_the_limit_and_a_lost_chunk_are_refused() -> None:
    pg, rec = make("image-classification", ["m"])
    meta = {"id": "big", "name": "huge.png", "mime": "image/png", "size": MAX_FILE_BYTES + 1}
    page(pg, {"type": "upload", **meta, "offset": 0}, [b"x"])
    assert "up to 50 MiB" in rec.of("upload_error")[0]["message"]
    meta = {"id": "gap", "name": "a.png", "mime": "image/png", "size": 10}
    page(pg, {"type": "upload", **meta, "offset": 5}, [b"12345"])
    assert "chunk went missing" in rec.of("upload_error")[1]["message"]


def test_corrupt_and_wrong_files_are_errors_in_the_cells() -> None:
    pg, rec = make("image-classification", ["m"])
    page(pg, {"type": "upload", "id": "c", "name": "c.png", "size": 4, "offset": 0}, [b"nope"])
    page(pg, {"type": "run", "file": "c"})
    assert pg.wait(10)
    assert "not a readable image" in rec.of("cell")[-1]["error"]
    page(pg, {"type": "upload", "id": "t", "name": "t.txt", "size": 2, "offset": 0}, [b"hi"])
    page(pg, {"type": "run", "file": "t"})
    assert pg.wait(10)
    assert "unsupported file type '.txt'" in rec.of("cell")[-1]["error"]
    page(pg, {"type": "run", "file": None})
    assert pg.wait(10)
    assert rec.of("cell")[-1]["error"]  # no file chosen
    assert len(pg.history) == 3


def test_a_sample_is_sent_back_for_the_preview() -> None:
    pg, rec = make("image-classification", ["m"])
    page(pg, {"type": "sample", "index": 1})
    content, buffers = rec.sent[-1]
    assert content["type"] == "uploaded" and content["name"] == "sample-2.png"
    assert buffers and buffers[0].startswith(b"\x89PNG")
    page(pg, {"type": "run", "file": content["id"]})
    assert pg.wait(10) and pg.history["error"].iloc[0] == ""


def test_binary_outputs_go_as_buffers() -> None:
    pg, rec = make("text-to-image", ["m"])
    pg.run("a lighthouse")
    content, buffers = next((c, b) for c, b in rec.sent if c["type"] == "cell")
    assert content["output"] == {"image": {"$buffer": 0, "mime": "image/png"}}
    assert buffers == [b"\x89PNG-bytes"]
    assert json.loads(pg.history["output"].iloc[0])["image"]["bytes"] == len(b"\x89PNG-bytes")
    pg.task = "image-segmentation"
    pg.run(sample_image())
    content, buffers = [(c, b) for c, b in rec.sent if c["type"] == "cell"][-1]
    assert content["output"][0]["mask"] == {"$buffer": 0, "mime": "image/png"}
    assert buffers == [b"hello"]


def test_streamed_pieces_are_batched_never_held_long() -> None:
    pg, rec = make("text-generation", ["m"], backend=FakeBackend(delay=0.03))
    pg.run("Once upon a time")
    pieces = rec.of("piece")
    assert "".join(p["text"] for p in pieces) == "w0 w1 w2 w3 w4 "
    assert pieces[0]["text"] == "w0 "  # the first piece goes at once
    fast, frec = make("text-generation", ["m"], backend=FakeBackend(delay=0.0))
    fast.run("Once")
    batched = frec.of("piece")
    assert "".join(p["text"] for p in batched) == "w0 w1 w2 w3 w4 "
    assert len(batched) < 5  # pieces closer than BATCH_SECONDS go together
    assert BATCH_SECONDS <= 0.016
    assert json.loads(fast.history["output"].iloc[0]) == {"generated_text": "w0 w1 w2 w3 w4 "}


def test_stop_from_the_page() -> None:
    pg, rec = make("text-generation", ["m", "n"], backend=FakeBackend(delay=0.05))
    page(pg, {"type": "run", "text": "Once"})
    deadline = time.monotonic() + 5
    while not rec.of("piece") and time.monotonic() < deadline:
        time.sleep(0.005)
    page(pg, {"type": "stop"})
    assert pg.wait(10)
    assert rec.of("done")[0]["stopped"] is True
    history = pg.history
    assert json.loads(history["output"].iloc[0]).get("stopped") is True
    assert history["error"].iloc[1] == "stopped before this model ran"


def test_a_second_run_while_one_runs_is_refused() -> None:
    pg, _ = make("text-generation", ["m"], backend=FakeBackend(delay=0.05))
    page(pg, {"type": "run", "text": "Once"})
    page(pg, {"type": "run", "text": "Twice"})
    assert "in progress" in pg.status
    with pytest.raises(RuntimeError, match="in progress"):
        pg.run("Thrice")
    assert pg.wait(10)
    assert pg.history["run"].unique().tolist() == [1]


def test_kernel_only_traits_are_refused_and_the_task_can_change_from_the_page() -> None:
    pg, _ = make()
    pg.set_state({"status": "hacked", "task": "image-classification"})
    assert pg.status != "hacked" and pg._input_kind == "image"
    pg.set_state({"task": "not-a-task"})
    assert "unknown task" in pg.error and pg.task == "image-classification"


def test_follows_a_search_widget_selection() -> None:
    search = SearchWidget(hw.starter_catalog(), task="text-classification")
    ids = search.results["id"].tolist()[:3]
    search.selected_ids = ids[:2]
    pg = Playground(source=search, backend=FakeBackend())
    assert pg.models == ids[:2] and pg.task == "text-classification"
    search.selected_ids = ids
    assert pg.models == ids
    pg.close()
    search.selected_ids = ids[:1]
    assert pg.models == ids


def test_no_models_says_what_to_do() -> None:
    pg = Playground("text-classification", backend=FakeBackend())
    assert "No models yet" in pg.status
    page(pg, {"type": "run", "text": "x"})
    assert "No models yet" in pg.status
    with pytest.raises(ValueError, match="no models"):
        pg.run("x")


def test_chat_keeps_history_and_sends_the_conversation() -> None:
    class Chat(FakeBackend):
        def stream(self, task: str, model: str, inputs: Any, **params: Any) -> Iterator[str]:
            yield f"reply to {len(inputs)} messages"

    pg, rec = make("chat-completion", ["m"], backend=Chat())
    pg.run("hello")
    pg.run("more")
    conversation = rec.of("cell")[-1]["conversation"]
    assert [m["role"] for m in conversation] == ["user", "assistant", "user", "assistant"]
    assert conversation[-1]["content"] == "reply to 3 messages"
    page(pg, {"type": "reset_chat"})
    pg.run("again")
    assert rec.of("cell")[-1]["conversation"][-1]["content"] == "reply to 1 messages"


def test_the_front_end_is_the_built_bundle() -> None:
    from hubwidgets.widgets.playground import STATIC  # noqa: PLC0415

    pg, _ = make()
    assert pg._esm == (STATIC / "playground.js").read_text("utf-8")
    assert pg._css == (STATIC / "playground.css").read_text("utf-8")


def test_a_run_from_python_sends_its_input_for_the_page_to_draw_on() -> None:
    pg, _ = make("image-classification", ["m"])
    image = sample_image()
    pg.run(image)
    assert pg._run_info["echo"] is True and pg._echo_image == image
    text, _ = make("token-classification", ["m"])
    text.run("John lives in Paris")
    assert text._run_info["text"] == "John lives in Paris"
    page(text, {"type": "run", "text": "Mary"})
    assert text.wait(10)
    assert text._run_info["echo"] is False  # the page knows what it sent
