"""Playground without a browser: traits, the protocol with the page, runs, uploads, streaming.

The page's requests are played through the widget's message handler (``_on_message``, with the
protocol's packing of binary values); trait updates from the page through ``set_state``. What
the widget sends (state updates, replies and events) is recorded by replacing its ``_send``, the
one door to the comm.
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
from hubwidgets.widgets._protocol import pack, unpack
from hubwidgets.widgets.playground import BATCH_SECONDS, CHUNK_BYTES, input_kind


class FakeBackend:
    name = "fake"
    provider = "test"

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        if "broken" in model:
            raise BackendError("provider down", backend=self.name, reason="http", status=503)
        if self.delay:
            time.sleep(self.delay)
        if task == "text-to-image":
            output: Any = {"image": b"\x89PNG-bytes"}
        elif task == "image-segmentation":
            output = [{"label": "sky", "score": 1.0, "mask": "aGVsbG8="}]
        elif task == "object-detection":
            box = {"xmin": 1, "ymin": 2, "xmax": 30, "ymax": 40}
            output = [{"label": "disc", "score": 0.9, "box": box}]
        else:
            output = [{"label": "positive", "score": 0.75}]
        return InferenceResult(task, model, [output], self.name, self.provider, latency_ms=3.0)

    def stream(self, task: str, model: str, inputs: Any, **params: Any) -> Iterator[str]:
        for k in range(5):
            if self.delay:
                time.sleep(self.delay)
            yield f"w{k} "


class Down(FakeBackend):
    name = "remote"

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        raise BackendError(
            "HTTP 503 from the provider", backend="remote", reason="http", status=503
        )


class Recorder:
    """Every message the widget sends: state updates and protocol messages, in order."""

    def __init__(self, widget: Playground) -> None:
        self.sent: list[tuple[dict[str, Any], list[bytes]]] = []
        self.lock = threading.Lock()
        widget._send = self.send

    def send(self, msg: dict[str, Any], buffers: Any = None) -> None:
        with self.lock:
            self.sent.append((msg, [bytes(b) for b in buffers or []]))

    def updates(self, key: str | None = None) -> list[dict[str, Any]]:
        """The state updates (that set ``key``)."""
        return [
            m["state"]
            for m, _ in self.sent
            if m.get("method") == "update" and (key is None or key in m["state"])
        ]

    def messages(self, kind: str) -> list[dict[str, Any]]:
        """Protocol messages of ``kind`` (replies and events), binary values put back."""
        out = []
        for m, buffers in self.sent:
            content = m.get("content") if m.get("method") == "custom" else None
            if isinstance(content, dict) and content.get("kind") == kind:
                body = unpack(content.get("body") or {}, content.get("paths"), buffers)
                out.append({**content, "body": body})
        return out

    def events(self, kind: str) -> list[dict[str, Any]]:
        return [m["body"] for m in self.messages(kind) if m["id"] is None]

    def reply(self, kind: str, rid: int) -> dict[str, Any]:
        return next(m for m in self.messages(kind) if m["id"] == rid)


def make(task: str = "text-classification", models: Any = ("a/one", "b/two"), **kw: Any) -> Any:
    pg = Playground(task, list(models), backend=kw.pop("backend", FakeBackend()), **kw)
    return pg, Recorder(pg)


_ids = iter(range(1, 1_000_000))


def page(
    pg: Playground, kind: str, body: dict[str, Any] | None = None, *, ask: bool = False
) -> int:
    """A message from the page: a notice, or (``ask``) a request; its id."""
    rid = next(_ids) if ask else None
    packed, paths, buffers = pack(body or {})
    message = {"hw": 1, "kind": kind, "id": rid, "body": packed, "paths": paths}
    pg._on_message(pg, message, list(buffers))
    return rid or 0


def cells(pg: Playground) -> list[dict[str, Any]]:
    return [c for c in pg._last_run.get("cells", []) if c is not None]


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
    assert pg._widget == "playground" and Playground.SELECTION == "models"


def test_bad_values_from_python_raise() -> None:
    with pytest.raises(traitlets.TraitError, match="unknown task"):
        Playground("text-clasification", ["m"], backend=FakeBackend())
    with pytest.raises(traitlets.TraitError, match="at most 6"):
        Playground("text-classification", [f"m{i}" for i in range(7)], backend=FakeBackend())
    with pytest.raises(TypeError, match="backend must be"):
        Playground("text-classification", ["m"], backend="cloud")
    with pytest.raises(TypeError, match="source must be"):
        Playground("text-classification", ["m"], source="nope", backend=FakeBackend())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="did you mean 'stream'"):
        Playground("text-classification", ["m"], backend=FakeBackend(), streem=False)


def test_a_run_from_python_puts_its_cells_in_the_synced_state() -> None:
    """The bug: runs started from Python never reached the page. The cells are state now."""
    pg, rec = make()
    rows = pg.run("I loved it")
    assert rows["model"].tolist() == ["a/one", "b/two"] and (rows["error"] == "").all()
    last = pg._last_run
    assert {k: last[k] for k in ("run", "task", "models", "stream", "text", "stopped")} == {
        "run": 1,
        "task": "text-classification",
        "models": ["a/one", "b/two"],
        "stream": False,
        "text": "I loved it",
        "stopped": False,
    }
    first = last["cells"][0]
    assert first["output"] == [{"label": "positive", "score": 0.75}]
    assert (first["model"], first["backend"], first["provider"]) == ("a/one", "fake", "test")
    assert (first["latency_ms"], first["error"], first["input"]) == (3.0, "", "I loved it")
    # synced: what a view drawn later gets, and what went to the page as the cells finished
    assert pg.get_state()["_last_run"] == last
    assert pg.trait_metadata("_last_run", "sync") and pg.trait_metadata("_last_run", "kernel")
    updates = rec.updates("_last_run")
    assert [len([c for c in u["_last_run"]["cells"] if c]) for u in updates] == [1, 2]
    # one message per cell, the first cell being the run's first message; then the status
    assert rec.sent[0][0]["state"] is updates[0]
    assert len(rec.sent) == 3 and "2 answered, 0 failed" in rec.sent[-1][0]["state"]["status"]
    assert not rec.messages("cell") and not rec.messages("done")  # no custom messages
    assert not pg.running and "2 answered, 0 failed" in pg.status
    assert len(pg.history) == 2
    report = pg._report_html()
    assert "<table" in report and "a/one" in report and "3 ms" in report


def test_a_slow_run_is_announced_then_each_cell_is_one_update() -> None:
    pg, rec = make(backend=FakeBackend(delay=0.15))
    pg.run("slow")
    first = rec.updates()[0]
    assert first["running"] is True and first["status"].startswith("Running 2 models")
    assert first["_last_run"]["cells"] == [None, None]
    assert [sum(c is not None for c in u["_last_run"]["cells"]) for u in rec.updates("_last_run")][
        1:
    ] == [1, 2]
    assert rec.updates()[-1]["running"] is False


def test_a_second_view_gets_the_last_run_from_the_state() -> None:
    pg, _ = make("text-to-image", ["m"])
    pg.run("a lighthouse")
    state, buffer_paths, buffers = _state_with_buffers(pg)
    assert state["_last_run"]["cells"][0]["output"] == {}  # the bytes went out as a buffer
    assert ["_last_run", "cells", 0, "output", "image"] in buffer_paths
    assert b"\x89PNG-bytes" in [bytes(b) for b in buffers]


def _state_with_buffers(pg: Playground) -> tuple[dict[str, Any], list[Any], list[Any]]:
    from ipywidgets.widgets.widget import _remove_buffers  # type: ignore[import-untyped]  # noqa: PLC0415

    state, paths, buffers = _remove_buffers(pg.get_state())
    return state, paths, buffers


def test_run_from_the_page_runs_in_a_thread() -> None:
    pg, rec = make()
    page(pg, "run", {"text": "great"})
    assert pg.wait(10)
    assert pg.history["input"].tolist() == ["great", "great"]
    assert [c["input"] for c in cells(pg)] == ["great", "great"]
    assert not rec.messages("run")  # a notice: no reply, the cells come as state


def test_empty_prompt_is_an_error_in_each_cell_and_kept() -> None:
    pg, _ = make()
    page(pg, "run", {"text": "  "})
    assert pg.wait(10)
    assert [c["error"] for c in cells(pg)] == ["text-classification: the text is empty"] * 2
    assert pg.history["error"].tolist() == ["text-classification: the text is empty"] * 2
    assert "0 answered, 2 failed" in pg.status


def test_a_failing_model_and_a_fallback_are_shown_in_their_cells() -> None:
    pg, _ = make(models=["ok/1", "broken/2"])
    pg.run("x")
    assert [c["error"] for c in cells(pg)] == ["", "provider down"]
    assert cells(pg)[1]["latency_ms"] is None
    pg2, _ = make(backend=FallbackBackend([Down(), FakeBackend()]), models=["m"])
    pg2.run("x")
    cell = cells(pg2)[0]
    assert cell["backend"] == "fake" and "remote (http, HTTP 503)" in cell["fell_back_from"]


def test_chunked_upload_then_run() -> None:
    pg, rec = make("image-classification", ["m"])
    data = sample_image()
    size = len(data)
    asked = []
    for offset in range(0, size, 500):
        meta = {"id": "u1", "name": "shapes.png", "mime": "image/png", "size": size}
        chunk = {**meta, "offset": offset, "data": data[offset : offset + 500]}
        asked.append(page(pg, "upload", chunk, ask=True))
    replies = [rec.reply("upload", rid)["body"] for rid in asked]
    assert all(r == {} for r in replies[:-1])
    assert replies[-1]["size"] == size and len(replies[-1]["sha256"]) == 64
    page(pg, "run", {"file": "u1"})
    assert pg.wait(10)
    row = pg.history.iloc[0]
    assert row["error"] == "" and row["input"].startswith(f"shapes.png ({size:,} bytes, sha256=")
    assert CHUNK_BYTES < 10 * 1024 * 1024  # under tornado's websocket message limit


def test_upload_over_the_limit_and_a_lost_chunk_are_refused() -> None:
    pg, rec = make("image-classification", ["m"])
    meta = {"id": "big", "name": "huge.png", "mime": "image/png", "size": MAX_FILE_BYTES + 1}
    rid = page(pg, "upload", {**meta, "offset": 0, "data": b"x"}, ask=True)
    assert "up to 50 MiB" in rec.reply("upload", rid)["error"]["message"]
    meta = {"id": "gap", "name": "a.png", "mime": "image/png", "size": 10}
    rid = page(pg, "upload", {**meta, "offset": 5, "data": b"12345"}, ask=True)
    assert "chunk went missing" in rec.reply("upload", rid)["error"]["message"]
    assert pg.error == ""  # a refused request is its reply, not the status line


def test_corrupt_and_wrong_files_are_errors_in_the_cells() -> None:
    pg, _ = make("image-classification", ["m"])
    page(pg, "upload", {"id": "c", "name": "c.png", "size": 4, "offset": 0, "data": b"nope"})
    page(pg, "run", {"file": "c"})
    assert pg.wait(10)
    assert "not a readable image" in cells(pg)[-1]["error"]
    page(pg, "upload", {"id": "t", "name": "t.txt", "size": 2, "offset": 0, "data": b"hi"})
    page(pg, "run", {"file": "t"})
    assert pg.wait(10)
    assert "unsupported file type '.txt'" in cells(pg)[-1]["error"]
    page(pg, "run", {"file": None})
    assert pg.wait(10)
    assert cells(pg)[-1]["error"]  # no file chosen
    assert len(pg.history) == 3
    page(pg, "run", {"file": "gone"})
    assert "no longer held" in pg.status and len(pg.history) == 3


def test_a_sample_is_sent_back_for_the_preview() -> None:
    pg, rec = make("image-classification", ["m"])
    rid = page(pg, "sample", {"index": 1}, ask=True)
    reply = rec.reply("sample", rid)
    assert reply["paths"] == [["data"]]  # the bytes travel as a buffer
    body = reply["body"]
    assert body["name"] == "sample-2.png" and body["data"].startswith(b"\x89PNG")
    page(pg, "run", {"file": body["id"]})
    assert pg.wait(10) and pg.history["error"].iloc[0] == ""
    text, trec = make()
    rid = page(text, "sample", {"index": 0}, ask=True)
    assert "texts" in trec.reply("sample", rid)["error"]["message"]


def test_a_url_offline_is_refused_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    pg, rec = make("image-classification", ["m"])
    rid = page(pg, "url", {"url": "https://example.com/a.png"}, ask=True)
    assert "offline" in rec.reply("url", rid)["error"]["message"]


def test_binary_outputs_are_bytes_in_the_state() -> None:
    pg, rec = make("text-to-image", ["m"])
    pg.run("a lighthouse")
    assert cells(pg)[0]["output"] == {"image": b"\x89PNG-bytes"}
    message, buffers = next((m, b) for m, b in rec.sent if "_last_run" in m.get("state", {}))
    assert ["_last_run", "cells", 0, "output", "image"] in message["buffer_paths"]
    assert b"\x89PNG-bytes" in buffers
    assert json.loads(pg.history["output"].iloc[0])["image"]["bytes"] == len(b"\x89PNG-bytes")
    pg.task = "image-segmentation"
    pg.run(sample_image())
    assert cells(pg)[0]["output"][0]["mask"] == b"hello"
    assert pg._run_image == sample_image()  # masks are drawn over the input image


def test_streamed_pieces_are_batched_events_never_held_long() -> None:
    pg, rec = make("text-generation", ["m"], backend=FakeBackend(delay=0.03))
    pg.run("Once upon a time")
    pieces = rec.events("piece")
    assert "".join(p["text"] for p in pieces) == "w0 w1 w2 w3 w4 "
    assert pieces[0] == {"run": 1, "index": 0, "text": "w0 "}  # the first piece goes at once
    # a stream is announced first; the final text lands in the state
    assert rec.updates()[0]["running"] is True
    assert cells(pg)[0]["output"] == {"generated_text": "w0 w1 w2 w3 w4 "}
    fast, frec = make("text-generation", ["m"], backend=FakeBackend(delay=0.0))
    fast.run("Once")
    batched = frec.events("piece")
    assert "".join(p["text"] for p in batched) == "w0 w1 w2 w3 w4 "
    assert len(batched) < 5  # pieces closer than BATCH_SECONDS go together
    assert BATCH_SECONDS <= 0.016
    assert json.loads(fast.history["output"].iloc[0]) == {"generated_text": "w0 w1 w2 w3 w4 "}


def test_stop_from_the_page() -> None:
    pg, rec = make("text-generation", ["m", "n"], backend=FakeBackend(delay=0.05))
    page(pg, "run", {"text": "Once"})
    deadline = time.monotonic() + 5
    while not rec.events("piece") and time.monotonic() < deadline:
        time.sleep(0.005)
    page(pg, "stop")
    assert pg.wait(10)
    assert pg._last_run["stopped"] is True and "(stopped)" in pg.status
    history = pg.history
    assert json.loads(history["output"].iloc[0]).get("stopped") is True
    assert history["error"].iloc[1] == "stopped before this model ran"


def test_a_second_run_while_one_runs_is_refused() -> None:
    pg, _ = make("text-generation", ["m"], backend=FakeBackend(delay=0.05))
    page(pg, "run", {"text": "Once"})
    page(pg, "run", {"text": "Twice"})
    assert "in progress" in pg.status
    with pytest.raises(RuntimeError, match="in progress"):
        pg.run("Thrice")
    assert pg.wait(10)
    assert pg.history["run"].unique().tolist() == [1]


def test_a_run_right_after_the_last_cell_is_not_refused() -> None:
    pg, _ = make()
    for k in range(20):
        page(pg, "run", {"text": f"x{k}"})
        deadline = time.monotonic() + 5
        while len(pg.history) < 2 * (k + 1) and time.monotonic() < deadline:
            time.sleep(0.0005)
    assert pg.wait(10)
    assert pg.history["run"].nunique() == 20 and "in progress" not in pg.status


def test_kernel_only_traits_are_refused_and_the_task_can_change_from_the_page() -> None:
    pg, _ = make()
    pg.set_state({"status": "hacked", "task": "image-classification"})
    assert pg.status != "hacked" and pg._input_kind == "image"
    pg.set_state({"_last_run": {"run": 9}})
    assert pg._last_run == {} and "_last_run" in pg.error
    pg.set_state({"task": "not-a-task"})
    assert "unknown task" in pg.error and pg.task == "image-classification"


def test_follows_a_widget_with_a_selection() -> None:
    leader = Playground("text-classification", ["x/1", "x/2"], backend=FakeBackend())
    pg = Playground(source=leader, backend=FakeBackend())
    assert pg.source is leader and pg.models == ["x/1", "x/2"]
    leader.models = ["x/3"]
    assert pg.models == ["x/3"]
    pg.close()
    leader.models = ["x/4"]
    assert pg.models == ["x/3"]


@pytest.mark.skipif(SearchWidget.SELECTION is None, reason="SearchWidget has no selection yet")
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
    page(pg, "run", {"text": "x"})
    assert "No models yet" in pg.status
    with pytest.raises(ValueError, match="no models"):
        pg.run("x")


def test_chat_keeps_history_and_puts_the_conversation_in_the_cell() -> None:
    class Chat(FakeBackend):
        def stream(self, task: str, model: str, inputs: Any, **params: Any) -> Iterator[str]:
            yield f"reply to {len(inputs)} messages"

    pg, _ = make("chat-completion", ["m"], backend=Chat())
    pg.run("hello")
    pg.run("more")
    conversation = cells(pg)[-1]["conversation"]
    assert [m["role"] for m in conversation] == ["user", "assistant", "user", "assistant"]
    assert conversation[-1]["content"] == "reply to 3 messages"
    page(pg, "reset_chat")
    assert pg._last_run == {}  # the cells that showed the conversation are gone too
    pg.run("again")
    assert cells(pg)[-1]["conversation"][-1]["content"] == "reply to 1 messages"


def test_old_style_messages_are_not_ours() -> None:
    pg, rec = make()
    pg._on_message(pg, {"type": "run", "text": "x"}, [])
    assert pg.history.empty and not rec.sent
    assert not hasattr(pg, "_on_custom_msg")


def test_the_input_image_and_text_are_kept_for_the_page_to_draw_on() -> None:
    pg, _ = make("object-detection", ["m"])
    image = sample_image()
    pg.run(image)
    assert pg._run_image == image and cells(pg)[0]["output"][0]["box"]["xmax"] == 30
    pg.task = "image-classification"
    pg.run(image)
    assert pg._run_image == b""  # nothing is drawn over a classified image
    text, _ = make("token-classification", ["m"])
    text.run("John lives in Paris")
    assert text._last_run["text"] == "John lives in Paris"
    page(text, "run", {"text": "Mary"})
    assert text.wait(10)
    assert text._last_run["text"] == "Mary"


def test_a_model_the_policy_denies_shows_why_in_its_cell(tmp_path: Any, made: list[Any]) -> None:
    """A real LocalBackend refuses a folder whose config maps to its own code (the default
    policy denies custom code) before loading anything; the cell and the status say so."""
    folder = tmp_path / "needs-code"
    folder.mkdir()
    auto_map = {"AutoModelForSequenceClassification": "modeling_x.XModel"}
    (folder / "config.json").write_text(json.dumps({"model_type": "x", "auto_map": auto_map}))
    (folder / "modeling_x.py").write_text("raise SystemExit('imported')\n")
    with hw.use_policy(None):
        pg, _ = make(models=[str(folder)], backend=hw.LocalBackend(device="cpu"))
        pg.run("hi")
    (cell,) = cells(pg)
    assert "is denied by the default policy" in cell["error"]
    assert "needs custom code: modeling_x.py" in cell["error"]
    assert "allow_denied=True" in cell["error"] and "0 answered, 1 failed" in pg.status
    allowed = Playground("text-classification", [str(folder)], allow_denied=True)
    made.extend([pg, allowed])
    assert getattr(allowed.backend, "allow_denied", None) is True


class PaidBackend(FakeBackend):
    """A remote provider's answer, with the billed tokens its reply reports."""

    name = "remote"
    provider = "together"

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        result = super().run(task, model, inputs, **params)
        result.metrics = {"input_tokens": 10.0, "output_tokens": 5.0}
        return result


def test_spend_against_the_budget_and_a_hard_refusal_keeps_the_last_run(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBWIDGETS_HOME", str(tmp_path))
    monkeypatch.delenv("HUBWIDGETS_BUDGET_USD", raising=False)
    prices = {("together", "a/one"): 0.3, ("together", "b/two"): 0.3}
    pg, _ = make(backend=PaidBackend(), prices=prices)
    assert pg.budget == ""
    with hw.use_budget(hw.Budget(1.0, hard=True)):
        pg.run("great")
        assert pg.budget == "spent $0.60 of $1.00 this month (hard budget)"
        shown = pg._last_run
        page(pg, "run", {"text": "again"})  # $0.60 more: $0.20 over
        assert not pg.running
        assert "$0.20 over the hard budget" in pg.error
        assert pg._last_run == shown and len(pg.history) == 2
        with pytest.raises(hw.BudgetExceededError):
            pg.run("again")
    assert hw.usage()["cost_usd"].sum() == pytest.approx(0.6)
