"""The playground core: runs on several models, history rows, bad input, streaming, fallback."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from hubwidgets.core.inference.backends import (
    BackendError,
    FallbackBackend,
    InferenceResult,
    LocalBackend,
    RemoteBackend,
    make_backend,
)
from hubwidgets.core.inference.playground import (
    HISTORY_COLUMNS,
    MAX_FILE_BYTES,
    MAX_MODELS,
    PlaygroundSession,
    Upload,
    cell_record,
    output_json,
    page_output,
    prepare_input,
    run_strict,
    summarize_input,
)
from hubwidgets.core.inference.samples import sample_audio, sample_image
from hubwidgets.testing.models import tiny_gpt2, tiny_text_classifier, tiny_vit_classifier


class FakeBackend:
    """Answers every call with a fixed classification, or fails for models named 'broken'."""

    name = "fake"
    provider = "test-provider"

    def __init__(self, pieces: tuple[str, ...] = ("Hel", "lo", "!")) -> None:
        self.pieces = pieces
        self.calls: list[tuple[str, str, Any]] = []

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        self.calls.append((task, model, inputs))
        if "broken" in model:
            raise BackendError("provider down", backend=self.name, reason="http", status=503)
        if task == "text-to-image":
            output: Any = {"image": b"\x89PNG fake"}
        elif task == "chat-completion":
            output = {"role": "assistant", "content": f"reply {len(inputs)}"}
        else:
            output = [{"label": "positive", "score": 0.9}, {"label": "negative", "score": 0.1}]
        return InferenceResult(
            task=task, model=model, outputs=[output], backend=self.name, provider=self.provider,
            latency_ms=12.5,
        )  # fmt: skip

    def stream(self, task: str, model: str, inputs: Any, **params: Any) -> Iterator[str]:
        if "broken" in model:
            raise BackendError("provider down", backend=self.name, reason="http", status=503)
        yield from self.pieces


class DownBackend(FakeBackend):
    name = "remote"

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        raise BackendError("timed out after 10 s", backend=self.name, reason="timeout")

    def stream(self, task: str, model: str, inputs: Any, **params: Any) -> Iterator[str]:
        raise BackendError("timed out after 10 s", backend=self.name, reason="timeout")


def test_one_row_per_model_with_every_column() -> None:
    session = PlaygroundSession("text-classification", ["a/one", "b/two"], FakeBackend())
    rows = session.run("I loved it")
    assert list(rows.columns) == list(HISTORY_COLUMNS)
    assert rows["model"].tolist() == ["a/one", "b/two"]
    assert rows["run"].tolist() == [1, 1]
    assert (rows["backend"] == "fake").all() and (rows["provider"] == "test-provider").all()
    assert rows["input"].tolist() == ["I loved it"] * 2
    assert json.loads(rows["output"].iloc[0])[0] == {"label": "positive", "score": 0.9}
    assert rows["latency_ms"].tolist() == [12.5, 12.5]
    assert (rows["error"] == "").all() and (rows["fell_back_from"] == "").all()
    assert rows["cost_usd"].isna().all()  # no price table offline: never invented
    assert str(rows["time"].dt.tz) == "UTC"
    session.run("again")
    assert session.history["run"].tolist() == [1, 1, 2, 2]


def test_cost_only_from_given_prices() -> None:
    prices = {("test-provider", "a/one"): 0.002}
    rows = PlaygroundSession(
        "text-classification", ["a/one", "b/two"], FakeBackend(), prices=prices
    )
    out = rows.run("hi")
    assert out["cost_usd"].iloc[0] == 0.002
    assert math.isnan(out["cost_usd"].iloc[1])


@pytest.mark.parametrize(
    ("task", "item", "needle"),
    [
        ("text-classification", "   ", "the text is empty"),
        ("image-classification", Upload("notes.txt", b"hello"), "unsupported file type '.txt'"),
        ("image-classification", Upload("broken.png", b"\x89PNG nope"), "not a readable image"),
        ("automatic-speech-recognition", Upload("bad.wav", b"RIFFxx"), "not a readable audio"),
        ("audio-classification", Upload("a.png", sample_image()), "unsupported file type"),
        ("text-classification", Upload("a.png", sample_image()), "takes text, not a file"),
        ("image-classification", Upload("empty.png", b""), "is empty"),
    ],
)
def test_bad_input_is_a_row_per_model_never_a_raise(task: str, item: Any, needle: str) -> None:
    backend = FakeBackend()
    session = PlaygroundSession(task, ["m/1", "m/2"], backend)
    rows = session.run(item)
    assert len(rows) == 2
    assert all(needle in e for e in rows["error"]), rows["error"].tolist()
    assert rows["output"].tolist() == ["", ""] and rows["latency_ms"].isna().all()
    assert backend.calls == []  # refused once, before any model ran
    assert len(session.history) == 2
    with pytest.raises(ValueError, match=r"\w"):
        prepare_input(task, item)


def test_file_over_the_limit_is_refused_with_the_limit() -> None:
    big = Upload("huge.png", b"\0" * (MAX_FILE_BYTES + 1))
    rows = PlaygroundSession("image-classification", ["m"], FakeBackend()).run(big)
    assert "up to 50 MiB" in rows["error"].iloc[0]


def test_a_failing_model_keeps_its_error_and_the_others_run() -> None:
    rows = PlaygroundSession("text-classification", ["ok/1", "broken/2"], FakeBackend()).run("x")
    assert rows["error"].tolist() == ["", "provider down"]
    assert rows["output"].iloc[1] == ""


def test_fallback_is_recorded() -> None:
    backend = FallbackBackend([DownBackend(), FakeBackend()])
    rows = PlaygroundSession("text-classification", ["m"], backend).run("x")
    assert rows["backend"].iloc[0] == "fake" and rows["error"].iloc[0] == ""
    assert rows["fell_back_from"].iloc[0] == "remote (timeout): timed out after 10 s"


def test_every_backend_failing_is_one_error_row() -> None:
    backend = FallbackBackend([DownBackend()])
    rows = PlaygroundSession("text-classification", ["m"], backend).run("x")
    assert "every backend failed" in rows["error"].iloc[0]


def test_file_inputs_are_summarized_with_name_size_and_sha256() -> None:
    upload = Upload("cat.png", sample_image())
    rows = PlaygroundSession("image-classification", ["m"], FakeBackend()).run(upload)
    assert rows["input"].iloc[0] == upload.summary()
    assert upload.sha256 in rows["input"].iloc[0] and "cat.png" in rows["input"].iloc[0]
    assert summarize_input(b"abc").startswith("<3 bytes, sha256=ba7816bf")


def test_binary_outputs_are_summarized_not_inlined() -> None:
    rows = PlaygroundSession("text-to-image", ["m"], FakeBackend()).run("a lighthouse")
    assert json.loads(rows["output"].iloc[0]) == {
        "image": {"bytes": 9, "sha256": Upload("x", b"\x89PNG fake").sha256}
    }
    mask = output_json([{"label": "sky", "score": 1.0, "mask": "aGVsbG8="}])
    assert json.loads(mask)[0]["mask"]["bytes"] == 5


def test_models_are_checked() -> None:
    with pytest.raises(ValueError, match="at most 6"):
        PlaygroundSession("text-classification", [f"m{i}" for i in range(MAX_MODELS + 1)])
    with pytest.raises(ValueError, match="at least one"):
        PlaygroundSession("text-classification", [])
    with pytest.raises(ValueError, match="unknown task"):
        PlaygroundSession("text-clasification", ["m"])


def test_stream_yields_pieces_then_the_cell() -> None:
    session = PlaygroundSession("text-generation", ["a", "b"], FakeBackend())
    events = list(session.stream("Once upon a time"))
    assert [(e.model, e.piece) for e in events if e.cell is None] == [
        ("a", "Hel"), ("a", "lo"), ("a", "!"), ("b", "Hel"), ("b", "lo"), ("b", "!"),
    ]  # fmt: skip
    cells = [e.cell for e in events if e.cell is not None]
    assert [json.loads(c.row["output"]) for c in cells] == [{"generated_text": "Hello!"}] * 2
    assert len(session.history) == 2


def test_stop_keeps_the_partial_text_and_skips_the_rest() -> None:
    session = PlaygroundSession("text-generation", ["a", "b"], FakeBackend())
    stop = threading.Event()
    events = []
    for event in session.stream("Once", stop=stop):
        events.append(event)
        stop.set()
    rows = session.history
    assert json.loads(rows["output"].iloc[0]) == {"generated_text": "Hel", "stopped": True}
    assert rows["error"].iloc[1] == "stopped before this model ran"


def test_stream_fallback_says_who_answered() -> None:
    backend = FallbackBackend([DownBackend(), FakeBackend()])
    session = PlaygroundSession("text-generation", ["m"], backend)
    list(session.stream("Once"))
    row = session.history.iloc[0]
    assert row["backend"] == "fake" and "timed out" in row["fell_back_from"]


def test_chat_keeps_one_conversation_per_model() -> None:
    backend = FakeBackend()
    session = PlaygroundSession("chat-completion", ["m"], backend)
    session.run("hello")
    session.run("and again")
    assert backend.calls[-1][2][-1] == {"role": "user", "content": "and again"}
    assert len(backend.calls[-1][2]) == 3  # user, assistant, user
    assert session.history["input"].tolist() == ["hello", "and again"]
    session.reset_chat()
    session.run("fresh")
    assert len(backend.calls[-1][2]) == 1


def test_run_strict_raises() -> None:
    with pytest.raises(ValueError, match="empty"):
        run_strict("text-classification", ["m"], "", backend=FakeBackend())
    with pytest.raises(BackendError, match="provider down"):
        run_strict("text-classification", ["broken"], "x", backend=FakeBackend())
    assert len(run_strict("text-classification", ["m"], "x", backend=FakeBackend())) == 1


# -- real tiny models (random weights) -----------------------------------------------------------


@pytest.fixture(scope="module")
def local() -> LocalBackend:
    return LocalBackend(device="cpu")


def test_tiny_models_side_by_side(tmp_path_factory: pytest.TempPathFactory, local: Any) -> None:
    root = tmp_path_factory.mktemp("pg-models")
    one = tiny_text_classifier(root / "one")
    two = tiny_text_classifier(root / "two", labels=("yes", "no", "maybe"))
    rows = PlaygroundSession("text-classification", [one, two], local).run("good movie")
    assert (rows["error"] == "").all(), rows["error"].tolist()
    assert (rows["backend"] == "local").all() and (rows["provider"] == "cpu").all()
    assert {d["label"] for d in json.loads(rows["output"].iloc[1])} == {"yes", "no", "maybe"}


def test_tiny_vit_on_an_upload_and_a_corrupt_one(
    tmp_path_factory: pytest.TempPathFactory, local: Any
) -> None:
    vit = tiny_vit_classifier(tmp_path_factory.mktemp("pg-vit"))
    session = PlaygroundSession("image-classification", [vit], local)
    good = session.run(Upload("shapes.png", sample_image()))
    assert good["error"].iloc[0] == "" and json.loads(good["output"].iloc[0])
    bad = session.run(Upload("shapes.png", sample_image()[:40]))
    assert "not a readable image" in bad["error"].iloc[0]
    wrong = session.run(Upload("tone.wav", sample_audio()))
    assert "unsupported file type '.wav'" in wrong["error"].iloc[0]
    assert session.history["run"].tolist() == [1, 2, 3]


def test_tiny_gpt2_streams(tmp_path_factory: pytest.TempPathFactory, local: Any) -> None:
    gpt2 = tiny_gpt2(tmp_path_factory.mktemp("pg-gpt2"))
    session = PlaygroundSession("text-generation", [gpt2], local, params={"max_new_tokens": 8})
    pieces = [e.piece for e in session.stream("Once upon") if e.cell is None]
    row = session.history.iloc[0]
    assert row["error"] == "" and len(pieces) >= 2
    assert json.loads(row["output"]) == {"generated_text": "".join(pieces)}
    # a task the model does not support: a row with the error, not a raise
    wrong = PlaygroundSession("image-classification", [gpt2], local)
    assert wrong.run(Upload("x.png", sample_image()))["error"].iloc[0] != ""


def test_history_of_nothing_has_the_columns() -> None:
    history = PlaygroundSession("text-classification", ["m"], FakeBackend()).history
    assert list(history.columns) == list(HISTORY_COLUMNS) and len(history) == 0
    assert isinstance(history, pd.DataFrame)


def test_make_backend_by_name_or_object() -> None:
    assert isinstance(make_backend(), LocalBackend) and isinstance(make_backend(None), LocalBackend)
    assert isinstance(make_backend("local"), LocalBackend)
    assert isinstance(make_backend("remote"), RemoteBackend)
    auto = make_backend("auto")
    assert isinstance(auto, FallbackBackend)
    assert [type(b) for b in auto.backends] == [RemoteBackend, LocalBackend]
    given = FakeBackend()
    assert make_backend(given) is given
    for bad in ("cloud", 3, object()):
        with pytest.raises(TypeError, match="backend must be 'local', 'remote', 'auto'"):
            make_backend(bad)  # type: ignore[arg-type]


def test_cell_record_is_what_a_page_draws() -> None:
    session = PlaygroundSession("text-to-image", ["ok", "broken"], FakeBackend())
    good, bad = session.iter_run("a lighthouse")
    record = cell_record(good)
    assert record == {
        "model": "ok",
        "backend": "fake",
        "provider": "test-provider",
        "latency_ms": 12.5,
        "error": "",
        "fell_back_from": "",
        "input": "a lighthouse",
        "output": {"image": b"\x89PNG fake"},  # bytes stay bytes: they travel as buffers
    }
    failed = cell_record(bad)
    assert failed["latency_ms"] is None and failed["error"] == "provider down"
    assert failed["output"] is None
    chat = cell_record(good, conversation=[{"role": "user", "content": "hi"}])
    assert chat["conversation"] == [{"role": "user", "content": "hi"}]
    json.dumps({**failed})  # JSON-able apart from the bytes


def test_page_output_decodes_masks_and_drops_nan() -> None:
    out = page_output([{"label": "sky", "score": math.nan, "mask": "aGVsbG8="}, (1, 2.0)])
    assert out == [{"label": "sky", "score": None, "mask": b"hello"}, [1, 2.0]]
    assert page_output(bytearray(b"ab")) == b"ab"
