"""The widget base every hubwidgets widget stands on: requests and replies, kernel-only traits,
keyword checks, linking, runs, the report beside the view.

A toy widget exercises the base alone, as the page would through custom messages.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import pandas as pd
import pytest
import traitlets

from hubwidgets.widgets._base import HubWidget, RequestError, RunningWidget
from hubwidgets.widgets._protocol import pack, request, unpack
from hubwidgets.widgets._serialization import Table, from_ipc


class Toy(HubWidget):
    WIDGET = "toy"
    SELECTION: ClassVar[str | None] = "picked"

    picked = traitlets.List(traitlets.Unicode()).tag(sync=True)
    """Ids picked in the page."""

    size = traitlets.Int(3, min=1).tag(sync=True)
    """A page-writable option."""

    table = Table(columns=("id", "n"))

    def __init__(self, **kwargs: Any) -> None:
        self._check_arguments(kwargs)
        self.sent: list[tuple[dict[str, Any], list[Any]]] = []
        self.followed: list[list[str]] = []
        super().__init__(**kwargs)

    def send(self, content: Any, buffers: Any = None) -> None:  # what would go to the page
        self.sent.append((content, list(buffers or [])))

    @request("echo")
    def _echo(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"got": body.get("x"), "blob": body.get("blob", b"")[::-1]}

    @request("refuse")
    def _refuse(self, body: dict[str, Any]) -> None:
        raise RequestError(f"no {body.get('what')!r} here: ask for something else")

    @request("crash")
    def _crash(self, body: dict[str, Any]) -> None:
        raise KeyError("bug")

    def _on_source_selection(self, ids: list[str]) -> None:
        self.followed.append(ids)


@pytest.fixture
def toy() -> Iterator[Toy]:
    w = Toy()
    yield w
    w.close()


def _page(widget: Toy, kind: str, rid: int | None, body: dict[str, Any]) -> None:
    packed, paths, buffers = pack(body)
    content = {"hw": 1, "kind": kind, "id": rid, "body": packed, "paths": paths}
    widget._on_message(widget, content, buffers)


def _replies(widget: Toy) -> list[dict[str, Any]]:
    out = []
    for content, buffers in widget.sent:
        if isinstance(content, dict) and content.get("hw") == 1:
            body = unpack(content.get("body") or {}, content.get("paths"), buffers)
            out.append({**content, "body": body})
    return out


def test_a_request_is_answered_with_its_id_and_bytes_travel_as_buffers(toy: Toy) -> None:
    _page(toy, "echo", 7, {"x": [1, 2], "blob": b"abc"})
    (reply,) = _replies(toy)
    assert (reply["kind"], reply["id"]) == ("echo", 7)
    assert reply["body"] == {"got": [1, 2], "blob": b"cba"}
    assert toy.sent[0][1] == [b"cba"]  # the bytes went as a buffer, not in the JSON


@pytest.mark.parametrize(
    ("kind", "body", "error_type", "words"),
    [
        ("refuse", {"what": "x"}, "RequestError", "no 'x' here"),
        ("nope", {}, "RequestError", "unknown request 'nope'"),
        ("crash", {}, "KeyError", "KeyError"),
    ],
)
def test_a_failed_request_gets_a_structured_error(
    toy: Toy, kind: str, body: dict[str, Any], error_type: str, words: str
) -> None:
    _page(toy, kind, 3, body)
    (reply,) = _replies(toy)
    assert reply["id"] == 3
    assert reply["error"]["type"] == error_type
    assert words in reply["error"]["message"]


def test_a_failed_notice_goes_to_the_status_line(toy: Toy) -> None:
    _page(toy, "refuse", None, {"what": "y"})
    assert _replies(toy) == []  # a notice wants no reply
    assert "no 'y' here" in toy.error
    assert toy.status == toy.error


def test_messages_of_another_protocol_are_ignored(toy: Toy) -> None:
    toy._on_message(toy, {"type": "rows"}, [])
    toy._on_message(toy, "text", [])
    assert toy.sent == []


def test_the_view_notice_marks_a_live_page(toy: Toy) -> None:
    assert not toy._viewed
    _page(toy, "view", None, {})
    assert toy._viewed
    assert toy.error == ""


def test_kernel_only_traits_are_refused_from_the_page(toy: Toy) -> None:
    toy.status = "3 things"
    toy.set_state({"status": "hacked", "size": 5})
    assert toy.status == "3 things"  # what the widget shows stays
    assert toy.size == 5  # the writable part of the update applies
    assert "cannot set status" in toy.error
    # a bad value leaves every trait as it was and says why
    toy.error = ""
    toy.set_state({"size": 0, "picked": ["a"]})
    assert (toy.size, toy.picked) == (5, [])
    assert "size" in toy.error


def test_a_misspelled_argument_names_close_matches() -> None:
    with pytest.raises(TypeError, match=r"'sise' \(did you mean 'size'\?\)"):
        Toy(sise=3)


def test_a_table_trait_serializes_itself_to_arrow() -> None:
    w = Toy()
    try:
        w.table = pd.DataFrame({"id": ["a", "b"], "n": [1, 2], "extra": [0.5, 0.7]})
        state = w.get_state("table")
        assert list(from_ipc(state["table"]).columns) == ["id", "n"]  # only the columns sent
        w.table = None
        assert w.get_state("table")["table"] is None
        with pytest.raises(traitlets.TraitError, match="lacks columns"):
            w.table = pd.DataFrame({"id": ["a"]})
    finally:
        w.close()


def test_a_widget_follows_the_selection_of_its_source_until_closed() -> None:
    source, follower = Toy(), Toy()
    try:
        assert follower._link_source(source) is source
        source.picked = ["m/1", "m/2"]
        assert follower.followed == [["m/1", "m/2"]]
        assert follower.source is source
        assert source.selection == ["m/1", "m/2"]
        follower.close()
        source.picked = ["m/3"]
        assert follower.followed == [["m/1", "m/2"]]
    finally:
        source.close()
        follower.close()


def test_a_source_without_a_selection_is_refused(toy: Toy) -> None:
    with pytest.raises(TypeError, match="widget with a selection"):
        toy._link_source("not a widget")


def test_the_display_carries_a_report_for_exports(toy: Toy) -> None:
    toy.status = "3 models <shown>"
    bundle = toy._repr_mimebundle_()
    assert bundle is not None
    data, _ = bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/html"] == "<p>3 models &lt;shown&gt;</p>"


class Runner(RunningWidget):
    WIDGET = "runner"

    def go(self, steps: int, gate: threading.Event) -> bool:
        def work(cancel: threading.Event) -> None:
            for k in range(steps):
                if cancel.is_set():
                    self.status = f"cancelled after {k}"
                    return
                self._progress((k + 1) / steps, f"step {k + 1}")
                gate.wait(5)
            self.status = "done"

        return self._start(work, name="test")


def test_a_run_goes_in_the_background_with_progress_and_cancel() -> None:
    w = Runner()
    try:
        gate = threading.Event()
        assert w.go(3, gate)
        assert w.running
        assert not w.go(3, gate)  # one run at a time
        w.cancel()
        gate.set()
        assert w.wait(5)
        assert not w.running
        assert w.status.startswith("cancelled after")
        assert w.go(2, gate)
        assert w.wait(5)
        assert (w.status, w.progress, w.progress_text) == ("done", 1.0, "step 2")
    finally:
        w.close()


def test_no_widget_imports_another_widgets_private_names() -> None:
    """What widgets share lives in the base (or a private helper module), never in a widget."""
    import ast  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    from hubwidgets.widgets import WIDGETS  # noqa: PLC0415

    folder = Path(__file__).resolve().parents[2] / "hubwidgets" / "widgets"
    widget_modules = {module.lstrip(".") for module in WIDGETS.values()}
    offenders = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.ImportFrom)
                and node.level == 1
                and node.module in widget_modules
                and node.module != path.stem
            ):
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private:
                    offenders.append(f"{path.name}: from .{node.module} import {private}")
    assert offenders == []
