"""SearchWidget without a browser: traits, state, validation, requests, the Python API.

The front-end's messages are played by calling the widget's handlers directly (``set_state`` for
trait updates, ``_on_message`` for protocol messages) and ``send`` is captured.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import traitlets

import hubwidgets as hw
from hubwidgets.core.catalog.hub import HubCatalog
from hubwidgets.core.catalog.query import Query
from hubwidgets.core.catalog.schema import COLUMN_NAMES
from hubwidgets.core.catalog.searchable import Searchable
from hubwidgets.testing.hub_server import HubServer
from hubwidgets.widgets import SearchWidget
from hubwidgets.widgets import search as search_module
from hubwidgets.widgets._protocol import unpack
from hubwidgets.widgets._serialization import from_ipc
from hubwidgets.widgets.search import ROW_COLUMNS

Sent = list[tuple[dict[str, Any], list[bytes] | None]]


@pytest.fixture(scope="module")
def catalog() -> hw.Catalog:
    return hw.starter_catalog()


@pytest.fixture
def make(catalog: hw.Catalog) -> Iterator[Callable[..., SearchWidget]]:
    """Build widgets (on the starter catalog unless told otherwise) and close them afterwards."""
    made: list[SearchWidget] = []

    def build(*args: Any, **kwargs: Any) -> SearchWidget:
        widget = SearchWidget(*(args or (catalog,)), **kwargs)
        made.append(widget)
        return widget

    yield build
    for widget in made:
        widget.close()


def capture(widget: SearchWidget, monkeypatch: pytest.MonkeyPatch) -> Sent:
    """Custom messages the widget sends, as (content, buffers)."""
    sent: Sent = []

    def send(content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        sent.append((content, buffers))

    monkeypatch.setattr(widget, "send", send)
    return sent


def capture_updates(widget: SearchWidget, monkeypatch: pytest.MonkeyPatch) -> Sent:
    """State updates the widget sends, as (message, buffers)."""
    sent: Sent = []

    def send(msg: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        sent.append((msg, buffers))

    monkeypatch.setattr(widget, "_send", send)
    return sent


def ask(
    w: SearchWidget, kind: str, body: Any, request_id: int | None = 7
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Play a protocol request from the page; the widget's whole answer (the message) and its
    body with binary parts put back (None for an error reply)."""
    with pytest.MonkeyPatch.context() as patch:
        sent = capture(w, patch)
        w._on_message(w, {"hw": 1, "kind": kind, "id": request_id, "body": body}, [])
    if request_id is None:
        assert sent == []  # a notice: no reply
        return {}, None
    [(content, buffers)] = sent
    assert content["hw"] == 1
    assert content["kind"] == kind
    assert content["id"] == request_id  # every request gets an answer, with its id
    if "error" in content:
        assert set(content["error"]) == {"message", "type"}
        assert buffers is None
        return content, None
    return content, unpack(content["body"], content["paths"], list(buffers or []))


def first_rows(w: SearchWidget) -> pd.DataFrame:
    """The first rows as the page gets them: the Table trait's bytes in the widget state."""
    state = w.get_state("_first_rows")
    return from_ipc(state["_first_rows"])


class Calls:
    """Counts the core calls a widget makes."""

    def __init__(self, catalog: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self.facets = 0
        self.search = 0
        for name in ("count", "facets", "search"):
            monkeypatch.setattr(catalog, name, self._spy(name, getattr(catalog, name)))

    def _spy(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def spy(*args: Any, **kwargs: Any) -> Any:
            setattr(self, name, getattr(self, name) + 1)
            return method(*args, **kwargs)

        return spy


class FlakyHub(Searchable):
    """The starter catalog behind a pretend live Hub that fails on demand."""

    def __init__(self, inner: hw.Catalog) -> None:
        self.inner = inner
        self.fail = False

    def _check(self) -> None:
        if self.fail:
            raise hw.HubError("the Hub at https://hub.test answered HTTP 503 (a server error)")

    def _known_tasks(self) -> list[str]:
        return self.inner._known_tasks()

    def _search(self, q: Query) -> pd.DataFrame:
        self._check()
        return self.inner._search(q)

    def _count(self, q: Query) -> int:
        self._check()
        return self.inner._count(q)

    def _facets(self, q: Query, top: int | None) -> pd.DataFrame:
        self._check()
        return self.inner._facets(q, top)

    def describe_source(self) -> str:
        return "live Hub at https://hub.test"


# -- construction ---------------------------------------------------------------------------------


def test_a_new_widget_shows_the_whole_catalog(make: Callable[..., SearchWidget]) -> None:
    w = make()
    assert w.total == 437
    assert w.error == ""
    assert w.status.startswith("437 models · ")
    assert " ms · snapshot 'starter'" in w.status
    assert w.revision == 1
    assert set(w.facets) == {"task", "library", "language", "license", "author"}
    value, count = w.facets["library"][0]
    assert (value, count) == ("transformers", 274)
    assert w.sort == "downloads"
    assert w.selected_ids == []
    assert w.focused_id == ""
    assert w.selection == []


def test_the_first_rows_are_in_state(
    make: Callable[..., SearchWidget], catalog: hw.Catalog
) -> None:
    """What the page draws first is synced state: a view from saved state shows it offline."""
    w = make(task="text-generation", sort="likes")
    rows = first_rows(w)
    assert list(rows.columns) == list(ROW_COLUMNS)
    expected = catalog.search(task="text-generation", sort="likes", limit=SearchWidget.FIRST_ROWS)
    assert rows["id"].tolist() == expected["id"].tolist()
    assert rows["downloads"].tolist() == expected["downloads"].tolist()
    state = w.get_state()
    for name in ("_first_rows", "total", "status", "revision", "facets", "_task_modality"):
        assert name in state
    assert state["total"] == w.total > SearchWidget.FIRST_ROWS


def test_the_comm_opens_with_the_first_results(
    monkeypatch: pytest.MonkeyPatch, catalog: hw.Catalog
) -> None:
    """The search runs before the comm opens: its first message holds the results."""
    from ipywidgets.widgets import widget as ipywidget  # noqa: PLC0415

    opened: list[dict[str, Any]] = []
    real = ipywidget.comm.create_comm

    def create_comm(**kwargs: Any) -> Any:
        opened.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(ipywidget.comm, "create_comm", create_comm)
    w = SearchWidget(catalog, query="whisper")
    try:
        [args] = [a for a in opened if a["data"]["state"].get("_widget") == "search"]
        state = args["data"]["state"]
        assert state["total"] == catalog.count("whisper") > 0
        assert state["revision"] == 1
        assert state["facets"]["task"]
        where = args["data"]["buffer_paths"].index(["_first_rows"])
        rows = from_ipc(args["buffers"][where])
        assert rows["id"].tolist() == w.results["id"].tolist()[:50]
    finally:
        w.close()


def test_a_search_sends_rows_total_and_revision_as_one_update(
    monkeypatch: pytest.MonkeyPatch, make: Callable[..., SearchWidget]
) -> None:
    """A keystroke's answer reaches the page as one message; the facet counts follow."""
    w = make()
    sent = capture_updates(w, monkeypatch)
    w.set_state({"query": "bert"})
    assert [c["method"] for c, _ in sent] == ["echo_update", "update", "update"]
    updates = [c for c, _ in sent if c["method"] == "update"]  # never the query back
    # (binary values travel as buffers: their names are in buffer_paths, not in state)
    assert [sorted(u["state"]) + [p[0] for p in u["buffer_paths"]] for u in updates] == [
        ["revision", "status", "total", "_first_rows"],
        ["_task_modality", "facets"],
    ]
    _update, buffers = sent[1]
    assert buffers is not None
    assert from_ipc(buffers[0])["id"].tolist() == w.results["id"].head(50).tolist()
    assert all(c.get("method") != "custom" for c, _ in sent)  # no rows message of their own


def test_no_catalog_opens_one(
    monkeypatch: pytest.MonkeyPatch, catalog: hw.Catalog, make: Callable[..., SearchWidget]
) -> None:
    monkeypatch.setattr(search_module, "open_catalog", lambda: catalog)
    w = SearchWidget()
    try:
        assert w.catalog is catalog
        assert w.total == len(catalog)
    finally:
        w.close()


def test_filters_as_arguments_are_the_search_filters(
    make: Callable[..., SearchWidget], catalog: hw.Catalog
) -> None:
    w = make(catalog, task="text-generation", max_params="8B", gated=False, sort="likes")
    assert w.task == ["text-generation"]  # one string is a list of one
    assert w.max_params == 8_000_000_000
    assert w.gated is False
    assert w.total == catalog.count(task="text-generation", max_params="8B", gated=False)
    assert w.total > 0


def test_construction_calls_the_core_once(
    monkeypatch: pytest.MonkeyPatch, catalog: hw.Catalog, make: Callable[..., SearchWidget]
) -> None:
    calls = Calls(catalog, monkeypatch)
    make(catalog, query="bert", library=["transformers"], license="apache-2.0")
    assert (calls.count, calls.facets, calls.search) == (1, 1, 1)  # search: the first rows


def test_misspelled_argument_names_the_valid_ones(make: Callable[..., SearchWidget]) -> None:
    with pytest.raises(TypeError, match=r"'taks' \(did you mean 'task'\?\); valid arguments: "):
        make(taks="text-generation")
    with pytest.raises(TypeError, match="unexpected argument 'total'"):
        make(total=3)  # results are the kernel's to say


def test_catalog_must_be_a_catalog() -> None:
    with pytest.raises(TypeError, match="catalog must be a hubwidgets catalog"):
        SearchWidget("hub")  # type: ignore[arg-type]


# -- validation -----------------------------------------------------------------------------------


def test_unknown_task_lists_close_matches(make: Callable[..., SearchWidget]) -> None:
    w = make(task="translation")
    with pytest.raises(traitlets.TraitError, match="did you mean 'text-generation'") as err:
        w.task = ["text-generaton"]
    assert "text-classification" in str(err.value)  # and every valid task
    assert w.task == ["translation"]


def test_unknown_sort_lists_the_keys(make: Callable[..., SearchWidget]) -> None:
    w = make()
    with pytest.raises(traitlets.TraitError, match=r"did you mean 'likes'\?\); choose one of: "):
        w.sort = "likess"
    with pytest.raises(traitlets.TraitError, match="downloads, likes, trending, created"):
        w.sort = None
    assert w.sort == "downloads"


def test_params_take_counts_or_strings(make: Callable[..., SearchWidget]) -> None:
    w = make()
    w.min_params = "300M"
    assert w.min_params == 300_000_000
    w.max_params = 7e9
    assert w.max_params == 7_000_000_000
    with pytest.raises(traitlets.TraitError, match="not a parameter count"):
        w.max_params = "lots"
    with pytest.raises(traitlets.TraitError, match=r"min_params \(300,000,000\) is greater"):
        w.max_params = "100M"
    w.search(min_params=None, max_params="100M")  # together: fine
    assert (w.min_params, w.max_params) == (None, 100_000_000)


def test_lists_drop_repeats_and_refuse_non_strings(make: Callable[..., SearchWidget]) -> None:
    w = make()
    w.library = ("gguf", "mlx", "gguf")
    assert w.library == ["gguf", "mlx"]
    with pytest.raises(traitlets.TraitError):
        w.library = [3]


# -- filters -> total, status, facets -------------------------------------------------------------


def test_a_filter_change_counts_and_facets_once(
    monkeypatch: pytest.MonkeyPatch, catalog: hw.Catalog, make: Callable[..., SearchWidget]
) -> None:
    w = make()
    calls = Calls(catalog, monkeypatch)
    w.library = ["gguf"]
    assert (calls.count, calls.facets, calls.search) == (1, 1, 1)
    assert w.total == catalog.count(library="gguf")
    assert w.revision == 2
    assert w.status.startswith(f"{w.total} models · ")
    expected = catalog.facets(library="gguf", top=SearchWidget.FACET_TOP)
    tasks = expected[expected["facet"] == "task"]
    pairs = zip(tasks["value"], tasks["count"], strict=True)
    assert w.facets["task"] == [[value, int(count)] for value, count in pairs]
    # each facet counts under the other filters: the library list is not narrowed by itself
    assert len(w.facets["library"]) > 1


def test_one_model_is_not_models(make: Callable[..., SearchWidget], catalog: hw.Catalog) -> None:
    model_id = str(catalog.search(limit=1)["id"].iloc[0])
    w = make(query=model_id)
    assert w.total == 1
    assert w.status.startswith("1 model · ")


def test_sort_changes_the_order_without_counting_again(
    monkeypatch: pytest.MonkeyPatch, catalog: hw.Catalog, make: Callable[..., SearchWidget]
) -> None:
    w = make()
    calls = Calls(catalog, monkeypatch)
    w.sort = "likes"
    assert (calls.count, calls.facets, calls.search) == (0, 0, 1)
    assert w.revision == 2
    assert w.results["id"].tolist() == catalog.search(sort="likes", limit=None)["id"].tolist()
    assert first_rows(w)["id"].tolist() == w.results["id"].head(50).tolist()


def test_no_match_is_zero_not_an_error(make: Callable[..., SearchWidget]) -> None:
    w = make(query="zzzz-no-such-model")
    assert w.total == 0
    assert w.error == ""
    assert w.status.startswith("0 models · ")
    assert w.results.empty


def test_search_sets_several_filters_with_one_core_call(
    monkeypatch: pytest.MonkeyPatch, catalog: hw.Catalog, make: Callable[..., SearchWidget]
) -> None:
    w = make(query="llama")
    calls = Calls(catalog, monkeypatch)
    w.search(task="text-generation", library=["transformers", "gguf"], sort="likes")
    assert (calls.count, calls.facets) == (1, 1)
    assert w.query == "llama"  # not named: kept
    assert w.total == catalog.count(
        "llama", task="text-generation", library=["transformers", "gguf"]
    )
    expected = catalog.search(
        "llama", task="text-generation", library=["transformers", "gguf"], sort="likes", limit=None
    )
    assert w.results["id"].tolist() == expected["id"].tolist()


def test_search_refuses_bad_input_and_changes_nothing(make: Callable[..., SearchWidget]) -> None:
    w = make(query="llama")
    before = (w.query, w.task, w.total, w.revision)
    with pytest.raises(TypeError, match=r"'querry' \(did you mean 'query'\?\)"):
        w.search(querry="bert")
    with pytest.raises(TypeError, match="valid arguments: query, task"):
        w.search(selected_ids=["a"])  # a filter method sets filters only
    with pytest.raises(traitlets.TraitError, match="unknown task"):
        w.search(query="bert", task="text-generaton")
    assert (w.query, w.task, w.total, w.revision) == before


# -- requests ------------------------------------------------------------------------------------


def rows_request(w: SearchWidget, start: Any, stop: Any) -> tuple[dict[str, Any], Any]:
    return ask(w, "rows", {"start": start, "stop": stop})


def test_rows_reply_carries_only_the_window(
    make: Callable[..., SearchWidget], catalog: hw.Catalog
) -> None:
    w = make(task="text-generation", sort="likes")
    _content, body = rows_request(w, 55, 62)
    assert body is not None
    assert {k: v for k, v in body.items() if k != "table"} == {
        "start": 55,
        "stop": 62,
        "total": w.total,
        "revision": w.revision,
    }
    frame = from_ipc(body["table"])
    assert list(frame.columns) == list(ROW_COLUMNS)
    expected = catalog.search(task="text-generation", sort="likes", offset=55, limit=7)
    assert frame["id"].tolist() == expected["id"].tolist()
    assert frame["downloads"].tolist() == expected["downloads"].tolist()


def test_rows_window_is_clamped(
    monkeypatch: pytest.MonkeyPatch, make: Callable[..., SearchWidget]
) -> None:
    w = make()
    _, body = rows_request(w, 430, 1000)  # past the end: what there is
    assert body is not None
    assert (body["start"], body["stop"]) == (430, 437)
    assert len(from_ipc(body["table"])) == 7
    monkeypatch.setattr(SearchWidget, "MAX_WINDOW", 50)
    _, body = rows_request(w, 0, 10_000)  # more than one reply carries
    assert body is not None
    assert (body["start"], body["stop"]) == (0, 50)
    assert len(from_ipc(body["table"])) == 50


@pytest.mark.parametrize(
    ("start", "stop"), [(5, 2), (-1, 3), ("0", 10), (0, None), (True, 4), (1.5, 3)]
)
def test_bad_rows_request_gets_an_error_reply(
    make: Callable[..., SearchWidget], start: Any, stop: Any
) -> None:
    w = make()
    content, body = rows_request(w, start, stop)
    assert body is None
    assert "bad window" in content["error"]["message"]
    assert content["error"]["type"] == "RequestError"
    assert w.error == ""  # the front-end's bug, not the search's


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("rows", {}),
        ("rows", {"start": 0}),
        ("select", {"start": 0, "stop": 2}),  # no revision
        ("select", {"start": 2, "stop": 1, "revision": 1}),
        ("detail", {}),
        ("detail", {"model": "nobody/nothing"}),
        ("nonsense", {}),
    ],
)
def test_every_request_gets_its_answer(
    make: Callable[..., SearchWidget], kind: str, body: dict[str, Any]
) -> None:
    """A request the widget cannot honour gets a structured error with its id, never silence."""
    w = make()
    before = (w.selected_ids, w.revision, w.status)
    content, reply = ask(w, kind, body, request_id=41)
    assert reply is None
    assert content["error"]["message"]
    assert (w.selected_ids, w.revision, w.status) == before


def test_messages_of_others_are_ignored(
    monkeypatch: pytest.MonkeyPatch, make: Callable[..., SearchWidget]
) -> None:
    w = make()
    sent = capture(w, monkeypatch)
    w._on_message(w, {"type": "rows", "id": 1, "start": 0, "stop": 5}, [])  # the old protocol
    w._on_message(w, ["not", "a", "dict"], [])
    w._on_message(w, {"hw": 1, "kind": "view", "id": None, "body": {}}, [])  # a notice
    assert sent == []
    assert w._viewed


def test_rows_follow_the_filters(make: Callable[..., SearchWidget], catalog: hw.Catalog) -> None:
    w = make()
    w.set_state({"query": "whisper"})
    _, body = rows_request(w, 0, 100)
    assert body is not None
    ids = from_ipc(body["table"])["id"].tolist()
    assert ids == catalog.search("whisper", limit=None)["id"].tolist()
    assert body["total"] == len(ids) == w.total
    assert body["revision"] == 2


# -- selection ------------------------------------------------------------------------------------


def test_selected_is_in_selection_order(
    make: Callable[..., SearchWidget], catalog: hw.Catalog
) -> None:
    w = make()
    assert w.selected.empty
    assert list(w.selected.columns) == list(COLUMN_NAMES)
    ids = catalog.search(limit=5)["id"].tolist()
    w.selected_ids = [ids[3], ids[0], ids[3]]
    assert w.selected_ids == [ids[3], ids[0]]
    selected = w.selected
    assert selected["id"].tolist() == [ids[3], ids[0]]
    assert list(selected.columns) == list(COLUMN_NAMES)
    # the schema's dtypes (categoricals holding only their own values)
    assert selected.dtypes.astype(str).tolist() == catalog.df.dtypes.astype(str).tolist()


def test_selected_keeps_models_of_earlier_searches(
    make: Callable[..., SearchWidget], catalog: hw.Catalog
) -> None:
    w = make(query="whisper")
    first = str(w.results["id"].iloc[0])
    w.selected_ids = [first]
    w.query = "bert"
    assert first not in set(w.results["id"])
    assert w.selected["id"].tolist() == [first]


def test_observe_selection(make: Callable[..., SearchWidget]) -> None:
    w = make()
    seen: list[list[str]] = []
    w.observe(lambda change: seen.append(change["new"]), names="selected_ids")
    ids = w.results["id"].head(2).tolist()
    w.set_state({"selected_ids": ids})  # as the front-end does
    assert seen == [ids]


def test_range_selection_adds_rows_in_order(
    make: Callable[..., SearchWidget], catalog: hw.Catalog
) -> None:
    w = make()
    ids = catalog.search(limit=10)["id"].tolist()
    w.selected_ids = [ids[8], ids[3]]
    _, body = ask(w, "select", {"start": 2, "stop": 5, "revision": w.revision})
    assert body == {"added": 2}
    assert w.selected_ids == [ids[8], ids[3], ids[2], ids[4]]
    assert w.selection == w.selected_ids
    content, body = ask(w, "select", {"start": 0, "stop": 1, "revision": 0})  # stale
    assert body is None
    assert "no longer shown" in content["error"]["message"]
    assert w.selected_ids == [ids[8], ids[3], ids[2], ids[4]]


# -- what the front-end sends ---------------------------------------------------------------------


def watch_resends(w: SearchWidget, monkeypatch: pytest.MonkeyPatch, into: list[list[str]]) -> None:
    """Record the states sent back to the front-end to undo what it set (lists of names; the
    ordinary trait syncs ipywidgets sends name one trait as a str, or a set)."""
    original = w.send_state

    def send_state(key: Any = None) -> None:
        if isinstance(key, list):
            into.append(key)
        original(key)

    monkeypatch.setattr(w, "send_state", send_state)


def test_front_end_values_that_fail_validation_become_status(
    monkeypatch: pytest.MonkeyPatch, make: Callable[..., SearchWidget]
) -> None:
    w = make(query="llama")
    resent: list[list[str]] = []
    watch_resends(w, monkeypatch, resent)
    before = (w.total, w.revision, w.results["id"].tolist())
    w.set_state({"task": ["text-generaton"], "query": "qwen"})  # no exception
    assert "unknown task 'text-generaton'; did you mean 'text-generation'" in w.error
    assert w.status.startswith(w.error)
    assert w.status.endswith("showing the previous results")
    assert (w.query, w.task) == ("llama", [])  # the whole update is refused
    assert (w.total, w.revision, w.results["id"].tolist()) == before
    assert resent == [["task", "query"]]  # and the front-end gets the kernel's values back
    w.set_state({"query": "qwen"})  # the next good update clears the error
    assert w.error == ""
    assert w.total == w.catalog.count("qwen")


def test_front_end_cannot_write_results(
    monkeypatch: pytest.MonkeyPatch, make: Callable[..., SearchWidget]
) -> None:
    w = make()
    resent: list[list[str]] = []
    watch_resends(w, monkeypatch, resent)
    w.set_state({"total": 3, "status": "hacked", "sort": "likes"})
    assert w.total == 437
    assert w.status != "hacked"
    assert w.sort == "likes"
    assert resent == [["total", "status"]]


def test_front_end_update_of_several_filters_calls_the_core_once(
    monkeypatch: pytest.MonkeyPatch, catalog: hw.Catalog, make: Callable[..., SearchWidget]
) -> None:
    w = make(query="llama", task="text-generation", min_params="1B")
    calls = Calls(catalog, monkeypatch)
    w.set_state(  # what "Clear filters" sends
        {"query": "", "task": [], "min_params": None, "max_params": None, "gated": None}
    )
    assert (calls.count, calls.facets) == (1, 1)
    assert w.total == len(catalog)


def test_front_end_params_may_be_floats(make: Callable[..., SearchWidget]) -> None:
    w = make()
    w.set_state({"min_params": 7e9})  # JSON numbers from JS
    assert w.min_params == 7_000_000_000
    assert w.error == ""


# -- a live Hub that fails ------------------------------------------------------------------------


def test_hub_error_keeps_the_last_results(
    monkeypatch: pytest.MonkeyPatch, catalog: hw.Catalog, make: Callable[..., SearchWidget]
) -> None:
    hub = FlakyHub(catalog)
    w = make(hub, query="llama")
    shown = (w.total, w.revision, w.facets)
    ids = w.results["id"].tolist()
    assert w.status.endswith("live Hub at https://hub.test")

    hub.fail = True
    w.query = "qwen"  # no exception
    assert w.error == (
        "the Hub did not answer: the Hub at https://hub.test answered HTTP 503 (a server error)"
    )
    assert w.status == f"{w.error}; showing the previous results"
    assert (w.total, w.revision, w.facets) == shown
    content, body = rows_request(w, 0, 10)
    assert body is None
    assert "HTTP 503" in content["error"]["message"]

    hub.fail = False
    assert w.results["id"].tolist() == ids  # the results shown are still llama's
    _, body = rows_request(w, 0, 10)
    assert body is not None
    assert from_ipc(body["table"])["id"].tolist() == ids[:10]
    w.query = "llama"  # back to what is shown: nothing to ask, the error goes
    assert w.error == ""
    assert w.status.startswith(f"{len(ids)} models")
    w.query = "qwen"
    assert w.total == catalog.count("qwen")
    assert w.revision == shown[1] + 1


def test_hub_error_on_the_first_search(
    monkeypatch: pytest.MonkeyPatch, make: Callable[..., SearchWidget], catalog: hw.Catalog
) -> None:
    hub = FlakyHub(catalog)
    hub.fail = True
    w = make(hub)
    assert w.total == 0
    assert w.error.startswith("the Hub did not answer")
    assert not w.status.endswith("previous results")
    assert w.results.empty
    assert "<tbody></tbody>" in w.to_html()
    assert w.get_state("_first_rows")["_first_rows"] is None  # no rows in state: null
    _, body = rows_request(w, 0, 50)  # nothing shown yet: an empty window, not an error
    assert body is not None
    assert (body["start"], body["stop"], body["total"]) == (0, 0, 0)
    assert from_ipc(body["table"]).empty


def test_selecting_asks_the_catalog_nothing(
    monkeypatch: pytest.MonkeyPatch, catalog: hw.Catalog, make: Callable[..., SearchWidget]
) -> None:
    hub = FlakyHub(catalog)
    w = make(hub)
    hub.fail = True
    w.set_state({"query": "qwen"})  # fails: the error stays until the filters change
    calls = Calls(hub, monkeypatch)
    w.set_state({"selected_ids": ["org/a"], "focused_id": "org/a"})
    assert (calls.count, calls.facets, calls.search) == (0, 0, 0)
    assert w.error.startswith("the Hub did not answer")


# -- HTML -----------------------------------------------------------------------------------------


def test_to_html_is_a_table_of_the_first_results(
    make: Callable[..., SearchWidget], catalog: hw.Catalog
) -> None:
    w = make(sort="likes")
    page = w.to_html()
    assert page.startswith('<table class="hubwidgets-results"><caption>437 models · ')
    assert page.count("<tr>") == 51  # the header and 50 models
    first = str(catalog.search(sort="likes", limit=1)["id"].iloc[0])
    assert f'<a href="https://huggingface.co/{first}">{first}</a></th>' in page  # row header
    assert '<td style="text-align:right">' in page  # numbers right-aligned
    assert "&#x27;starter&#x27;" in page  # the caption is escaped
    assert w.to_html(limit=3).count("<tr>") == 4


# -- the detail pane ------------------------------------------------------------------------------

CARD = """---
license: mit
---
# Tiny LLM <!-- name -->

<script>alert(1)</script>

![logo](assets/logo.png) See [the config](config.json).

| Benchmark | Score |
|---|---|
| MMLU | 61.2 |
"""


@pytest.fixture(scope="module")
def carded() -> hw.Catalog:
    """Two hand-written models, one with a card."""
    return hw.Catalog.from_records(
        [
            {
                "id": "acme/tiny-llm",
                "createdAt": "2024-05-01T08:00:00.000Z",
                "lastModified": "2024-06-02T09:30:00.000Z",
                "pipeline_tag": "text-generation",
                "library_name": "transformers",
                "tags": ["transformers", "text-generation", "en", "license:mit"],
                "downloads": 1234,
                "likes": 5,
                "gated": "manual",
                "sha": "a" * 40,
                "cardData": {"license": "mit", "language": ["en"], "base_model": "acme/base"},
                "card": CARD,
            },
            {
                "id": "acme/no-card",
                "pipeline_tag": "text-to-image",
                "tags": ["diffusers"],
                "downloads": 7,
            },
        ]
    )


def detail(w: SearchWidget, model: Any, request_id: int = 3) -> dict[str, Any]:
    """The answer to a detail request (checked to be JSON): the reply's body, or for a refused
    request ``{"error": message}``."""
    content, body = ask(w, "detail", {"model": model}, request_id)
    assert json.loads(json.dumps(content)) == content
    if body is None:
        return {"error": content["error"]["message"]}
    return body


def test_detail_of_a_model_with_a_card(
    make: Callable[..., SearchWidget], carded: hw.Catalog
) -> None:
    w = make(carded)
    reply = detail(w, "acme/tiny-llm")
    assert reply["model"] == "acme/tiny-llm"
    assert reply["url"] == "https://huggingface.co/acme/tiny-llm"
    assert "error" not in reply
    record = reply["record"]
    assert record["task"] == "text-generation"
    assert record["modality"] == "Natural Language Processing"
    assert record["author"] == "acme"
    assert record["license"] == "mit"
    assert record["downloads"] == 1234
    assert record["gated"] is True
    assert record["created_at"] == "2024-05-01T08:00:00+00:00"
    assert record["base_models"] == ["acme/base"]
    assert record["sha"] == "a" * 40
    assert record["params"] is None
    html = reply["card_html"]
    assert html.startswith("<h1>Tiny LLM</h1>")  # no front matter, no comment
    assert "&lt;script&gt;" in html
    assert "<script" not in html
    assert 'src="https://huggingface.co/acme/tiny-llm/resolve/main/assets/logo.png"' in html
    assert 'href="https://huggingface.co/acme/tiny-llm/blob/main/config.json"' in html
    assert "<table>" in html


def test_detail_of_a_model_without_a_card(
    make: Callable[..., SearchWidget], carded: hw.Catalog, catalog: hw.Catalog
) -> None:
    reply = detail(make(carded), "acme/no-card")
    assert reply["card_html"] is None
    assert reply["record"]["modality"] == "Computer Vision"
    assert reply["record"]["likes"] is None
    model_id = str(catalog.search(limit=1)["id"].iloc[0])
    reply = detail(make(), model_id)  # the starter catalog has no cards
    assert reply["card_html"] is None
    assert reply["record"]["downloads"] > 0


def test_detail_of_a_recorded_card(
    make: Callable[..., SearchWidget], raw_2025_records: list[dict[str, Any]]
) -> None:
    with_card = [r for r in raw_2025_records if isinstance(r.get("card"), str)]
    model_id = with_card[0]["metadata"]["id"]
    w = make(hw.Catalog.from_records(with_card[:20]))
    reply = detail(w, model_id)
    assert reply["card_html"]
    assert reply["record"]["author"] == model_id.split("/")[0]


def test_detail_of_an_unknown_id_says_so(make: Callable[..., SearchWidget]) -> None:
    reply = detail(make(), "nobody/nothing")
    assert "'nobody/nothing'" in reply["error"]
    assert "not in this catalog" in reply["error"]
    assert "record" not in reply


@pytest.mark.parametrize("model", [None, "", 3, ["a/b"]])
def test_bad_detail_request_gets_an_error_reply(
    make: Callable[..., SearchWidget], model: Any
) -> None:
    w = make()
    reply = detail(w, model)
    assert "bad detail request" in reply["error"]
    assert w.error == ""  # the front-end's bug, not the search's


class FlakyModelHub(FlakyHub):
    """FlakyHub that also looks models up (and fails at it too)."""

    def model(self, model_id: str) -> pd.Series:
        self._check()
        return self.inner.model(model_id)


def test_detail_when_the_hub_is_down(
    make: Callable[..., SearchWidget], catalog: hw.Catalog
) -> None:
    hub = FlakyModelHub(catalog)
    w = make(hub)
    model_id = str(w.results["id"].iloc[0])
    hub.fail = True
    reply = detail(w, model_id)
    assert reply["error"].startswith("the Hub did not answer: ")
    assert "HTTP 503" in reply["error"]
    assert w.error == ""  # the search results are still good
    hub.fail = False
    assert detail(w, model_id)["record"]["task"] is not None


def test_detail_needs_a_catalog_that_looks_models_up(
    make: Callable[..., SearchWidget], catalog: hw.Catalog
) -> None:
    reply = detail(make(FlakyHub(catalog)), "org/a")
    assert reply["error"] == "FlakyHub cannot look up models by id"


# -- tasks grouped by modality --------------------------------------------------------------------


def test_task_modality_names_every_listed_task(make: Callable[..., SearchWidget]) -> None:
    w = make()
    listed = [value for value, _ in w.facets["task"]]
    assert list(w._task_modality) == listed
    assert w._task_modality["text-to-image"] == "Computer Vision"
    assert w._task_modality["text-generation"] == "Natural Language Processing"
    assert w._task_modality["automatic-speech-recognition"] == "Audio"
    w.search(task="depth-estimation", library="gguf")  # chosen: listed even if it counts nothing
    assert w._task_modality["depth-estimation"] == "Computer Vision"


def test_task_modality_is_the_kernels(
    monkeypatch: pytest.MonkeyPatch, make: Callable[..., SearchWidget]
) -> None:
    w = make()
    before = dict(w._task_modality)
    resent: list[list[str]] = []
    watch_resends(w, monkeypatch, resent)
    w.set_state({"_task_modality": {"text-generation": "Audio"}})
    assert w._task_modality == before
    assert resent == [["_task_modality"]]


# -- charts ---------------------------------------------------------------------------------------


def test_charts_are_of_the_results(make: Callable[..., SearchWidget]) -> None:
    w = make(task="text-generation")
    charts = w.charts()
    assert set(charts) == {"tasks", "downloads_vs_params", "created_per_month"}
    spec = charts["tasks"].to_dict()
    [dataset] = spec["datasets"].values()
    assert [row["task"] for row in dataset] == ["text-generation"]
    assert dataset[0]["models"] == w.total
    w.query = "zzzz-no-such-model"  # no results: empty charts that say so
    title = w.charts()["tasks"].to_dict()["title"]
    assert "no models" in title["text"]


def test_detail_answers_whatever_the_lookup_raises(
    monkeypatch: pytest.MonkeyPatch, make: Callable[..., SearchWidget], catalog: hw.Catalog
) -> None:
    hub = FlakyModelHub(catalog)
    w = make(hub)

    def broken(model_id: str) -> pd.Series:
        raise ConnectionError("connection refused")  # e.g. httpx's, not wrapped in HubError

    monkeypatch.setattr(hub, "model", broken)
    reply = detail(w, "org/a")
    assert reply["error"] == "could not look up 'org/a': ConnectionError('connection refused')"


def test_a_new_order_sends_its_first_rows_in_one_update(
    make: Callable[..., SearchWidget], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new order is a new result set: its first rows and revision in one update, and no count
    or facets (the same models)."""
    w = make(query="bert")
    sent = capture_updates(w, monkeypatch)
    w.set_state({"sort": "likes"})
    [(echo, _), (update, buffers)] = sent
    assert echo["method"] == "echo_update"
    assert sorted(update["state"]) == ["revision"]
    assert update["buffer_paths"] == [["_first_rows"]]
    assert buffers is not None
    assert from_ipc(buffers[0])["id"].tolist() == w.results["id"].head(50).tolist()
    sent.clear()
    w.search(query="no-such-model-anywhere")  # nothing matches: no rows, still in state
    [(query, _), (update, buffers)] = sent[:2]
    assert query["state"] == {"query": "no-such-model-anywhere"}  # from Python: the page follows
    assert update["buffer_paths"] == [["_first_rows"]]
    assert buffers is not None
    assert from_ipc(buffers[0]).empty
    assert w.total == 0


# -- the detail pane's governance -----------------------------------------------------------------


def test_detail_carries_the_governance_of_a_model(
    make: Callable[..., SearchWidget], catalog: hw.Catalog
) -> None:
    reply = detail(make(), "meta-llama/Llama-2-7b-hf")
    gov = reply["governance"]
    assert "error" not in gov
    assert gov["license"] == "llama2"
    assert gov["license_name"] == "Llama 2 Community License Agreement"
    assert gov["license_link"].startswith("https://")
    assert gov["license_class"] == "gated-or-custom"
    assert gov["commercial_use"] == "conditional"
    assert "700 million" in gov["commercial_use_reason"]
    assert gov["license_source"].startswith("the catalog record")
    # the same verdict and reasons as hw.check under the same (default) policy
    row = hw.check(["meta-llama/Llama-2-7b-hf"], catalog=catalog).iloc[0]
    assert gov["verdict"] == row["verdict"] == "review"
    assert gov["reasons"] == list(row["reasons"])
    assert gov["policy"] == "Policy(default)"
    assert gov["policy_source"] == "the default policy"
    # no base model: the chain is the model alone, and says why
    assert [node["id"] for node in gov["chain"]] == ["meta-llama/Llama-2-7b-hf"]
    assert gov["base_chain"] == []
    assert gov["base_chain_source"] == "no base model in the catalog record"
    assert gov["license_conflict"] is None
    # unknown is said to be unknown, with where it came from, never left out or called safe
    assert gov["scan_status"] == "unscanned"
    assert gov["scan_source"]
    assert gov["formats"] is None
    assert gov["formats_source"].startswith("unknown")
    assert gov["custom_code"] is None
    assert gov["custom_code_source"].startswith("unknown")
    assert reply["record"]["license"] == "llama2"  # the rest of the pane is all there


def test_detail_of_a_finetune_shows_its_base_chain(make: Callable[..., SearchWidget]) -> None:
    w = make()
    gov = detail(w, "TheBloke/Llama-2-7B-Chat-GGUF")["governance"]
    [model, base] = gov["chain"]
    assert (model["id"], model["depth"], model["license"]) == (
        "TheBloke/Llama-2-7B-Chat-GGUF",
        0,
        "llama2",
    )
    assert base == {
        "id": "meta-llama/Llama-2-7b-chat-hf",
        "depth": 1,
        "parent": "TheBloke/Llama-2-7B-Chat-GGUF",
        "relation": "quantized",
        "license": "llama2",
        "license_class": "gated-or-custom",
        "source": "the catalog",
        "note": None,
    }
    assert gov["base_chain"] == ["meta-llama/Llama-2-7b-chat-hf (llama2)"]

    # three levels up, the last base not in the catalog: its license is unknown, and says so
    gov = detail(w, "HuggingFaceTB/SmolVLM2-2.2B-Instruct")["governance"]
    assert [(n["id"], n["depth"], n["license"]) for n in gov["chain"]] == [
        ("HuggingFaceTB/SmolVLM2-2.2B-Instruct", 0, "apache-2.0"),
        ("HuggingFaceTB/SmolVLM-Instruct", 1, "apache-2.0"),
        ("HuggingFaceTB/SmolLM2-1.7B-Instruct", 2, "apache-2.0"),
        ("HuggingFaceTB/SmolLM2-1.7B", 3, None),
    ]
    last = gov["chain"][-1]
    assert (last["license_class"], last["source"]) == ("unknown", "not in the catalog")
    assert "HuggingFaceTB/SmolLM2-1.7B" in gov["base_chain_source"]


CONFLICTED = [
    {
        "id": "acme/base",
        "sha": "a" * 40,
        "pipeline_tag": "text-generation",
        "tags": ["license:llama2"],
        "cardData": {"license": "llama2"},
    },
    {
        "id": "acme/finetune",
        "sha": "b" * 40,
        "pipeline_tag": "text-generation",
        "tags": ["license:mit", "base_model:finetune:acme/base"],
        "cardData": {"license": "mit", "base_model": "acme/base"},
    },
]


def test_detail_says_when_a_license_conflicts_with_a_base(
    make: Callable[..., SearchWidget],
) -> None:
    gov = detail(make(hw.Catalog.from_records(CONFLICTED)), "acme/finetune")["governance"]
    assert gov["license"] == "mit"
    assert gov["chain"][1]["relation"] == "finetune"
    assert gov["license_conflict"].startswith("acme/finetune is offered under mit (permissive)")
    assert "acme/base's llama2" in gov["license_conflict"]


def test_detail_on_the_live_hub_looks_each_model_up_once(
    make: Callable[..., SearchWidget],
) -> None:
    """On the live Hub a lookup is a request, and the check asks for one fact at a time: the
    pane's record of the model serves the check too, and each base is looked up once (the
    check may also ask the Hub for the model's scan verdicts: one more request at most)."""
    with HubServer(CONFLICTED) as server:
        w = make(HubCatalog(endpoint=server.endpoint))
        server.clear_requests()
        reply = detail(w, "acme/finetune")
        asked = [r["path"] for r in server.requests if r["path"].startswith("/api/models/")]
    assert asked.count("/api/models/acme/base") == 1
    assert asked.count("/api/models/acme/finetune") <= 2  # before: 36 requests in all
    assert "acme/base's llama2" in reply["governance"]["license_conflict"]


class BaseDownHub(FlakyModelHub):
    """FlakyModelHub that answers for some models and fails for the others."""

    def __init__(self, inner: hw.Catalog, answers: set[str]) -> None:
        super().__init__(inner)
        self.answers = answers

    def model(self, model_id: str) -> pd.Series:
        if model_id not in self.answers:
            raise hw.HubError("the Hub at https://hub.test answered HTTP 503 (a server error)")
        return self.inner.model(model_id)


def test_a_failing_check_keeps_the_rest_of_the_pane(
    make: Callable[..., SearchWidget], catalog: hw.Catalog
) -> None:
    model_id = "TheBloke/Llama-2-7B-Chat-GGUF"
    w = make(BaseDownHub(catalog, {model_id}))  # the model answers, its base does not
    reply = detail(w, model_id)
    assert reply["governance"] == {
        "error": "the Hub at https://hub.test answered HTTP 503 (a server error)"
    }
    assert reply["record"]["license"] == "llama2"
    assert reply["url"] == f"https://huggingface.co/{model_id}"
    assert "card_html" in reply
    assert w.error == ""


def test_detail_follows_the_session_policy(make: Callable[..., SearchWidget]) -> None:
    w = make()  # made before the policy is set: each request reads the session's policy
    with hw.use_policy({"deny_licenses": ["llama2"]}):
        gov = detail(w, "meta-llama/Llama-2-7b-hf")["governance"]
    assert gov["verdict"] == "deny"
    assert any("llama2" in reason for reason in gov["reasons"])
    assert gov["policy"].startswith("Policy(deny_licenses=")
    assert gov["policy_source"] == "hw.use_policy"
    assert detail(w, "meta-llama/Llama-2-7b-hf")["governance"]["verdict"] == "review"


def test_a_bad_policy_file_keeps_the_rest_of_the_pane(
    make: Callable[..., SearchWidget], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "team-policy.yaml"
    bad.write_text("require_safetensors: perhaps\n")
    monkeypatch.setenv("HUBWIDGETS_POLICY", str(bad))
    reply = detail(make(), "meta-llama/Llama-2-7b-hf")
    [(key, why)] = reply["governance"].items()
    assert key == "error"
    assert "require_safetensors" in why
    assert reply["record"]["license"] == "llama2"
