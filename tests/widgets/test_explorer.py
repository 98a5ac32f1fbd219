"""HubExplorer in the kernel: the search it is made of, its panels' requests (each answered
with its id or a structured error, a failing source said in place), its Python API
(``focused``, ``details``, ``performance``, ``selected``) and the widgets it opens below."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import traitlets

import hubwidgets as hw
from hubwidgets.core.catalog.hub import HubCatalog
from hubwidgets.testing.hub_server import HubServer
from hubwidgets.widgets import WIDGETS
from hubwidgets.widgets._protocol import unpack
from hubwidgets.widgets.explorer import HubExplorer
from hubwidgets.widgets.playground import Playground

Sent = list[tuple[dict[str, Any], list[bytes] | None]]


@pytest.fixture(scope="module")
def catalog() -> hw.Catalog:
    return hw.starter_catalog()


@pytest.fixture
def make(catalog: hw.Catalog) -> Iterator[Callable[..., HubExplorer]]:
    made: list[HubExplorer] = []

    def build(*args: Any, **kwargs: Any) -> HubExplorer:
        widget = HubExplorer(*(args or (catalog,)), **kwargs)
        made.append(widget)
        return widget

    yield build
    for widget in made:
        for opened in widget.opened:
            opened.close()
        widget.close()


@pytest.fixture
def records() -> list[dict[str, Any]]:
    """Two records of the bundled starter (recorded from public model pages), each given a sha."""
    path = Path(hw.core.__file__).with_name("data") / "starter_models.jsonl"
    lines = path.read_text("utf-8").splitlines()
    records = [r for r in (json.loads(line) for line in lines if line.strip()) if "id" in r][:2]
    for record in records:
        record["sha"] = hashlib.sha1(record["id"].encode(), usedforsecurity=False).hexdigest()
        record.pop("safetensors", None)  # huggingface_hub needs per-dtype counts it lacks
    return records


@pytest.fixture
def hub(records: list[dict[str, Any]]) -> Iterator[HubServer]:
    with HubServer(records) as server:
        yield server


def performance(w: HubExplorer, model: str) -> dict[str, Any]:
    """Ask for the Performance panel as the page does; the ``performance`` event's body."""
    events: list[dict[str, Any]] = []
    arrived = threading.Event()

    def emit(kind: str, body: dict[str, Any]) -> None:
        if kind == "performance":
            events.append(dict(body))
            arrived.set()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(w, "emit", emit)
        assert ask(w, "performance", {"model": model}) == {"pending": True}
        assert arrived.wait(30)
    [event] = events
    return event


def ask(w: HubExplorer, kind: str, body: Any) -> dict[str, Any]:
    """Play a request from the page; the reply's body, or ``{"error": message}``."""
    sent: Sent = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(w, "send", lambda content, buffers=None: sent.append((content, buffers)))
        w._on_message(w, {"hw": 1, "kind": kind, "id": 3, "body": body}, [])
    [(content, buffers)] = sent
    assert content["id"] == 3 and content["kind"] == kind
    if "error" in content:
        return {"error": content["error"]["message"]}
    out: dict[str, Any] = unpack(content["body"], content["paths"], list(buffers or []))
    return out


def test_registered_and_made_of_the_search(make: Callable[..., HubExplorer]) -> None:
    assert WIDGETS["HubExplorer"] == ".explorer"
    assert hw.HubExplorer is HubExplorer
    w = make(query="bert")
    assert w._widget == "explorer"
    assert w.total > 0
    assert all("bert" in i.lower() for i in w.results["id"])
    with pytest.raises(TypeError, match="did you mean 'query'"):
        make(querry="bert")


def test_toggles_set_the_sort_and_follow_it(make: Callable[..., HubExplorer]) -> None:
    w = make()
    assert w.view_mode == "popular" and w.sort == "downloads"
    w.view_mode = "recent"
    assert w.sort == "created"
    w.sort = "likes"  # no toggle for it: none pressed
    assert w.view_mode == ""
    with pytest.raises(traitlets.TraitError, match="trending, popular, recent"):
        w.view_mode = "hot"


def test_nothing_focused_gives_empty_frames(make: Callable[..., HubExplorer]) -> None:
    w = make()
    assert w.focused.empty and w.details.empty and w.performance.empty
    assert w.selected.empty


def test_focused_details_and_performance(make: Callable[..., HubExplorer]) -> None:
    w = make(task="sentence-similarity")
    model = str(w.results["id"].iloc[0])
    w.focused_id = model
    w.selected_ids = [model]
    assert isinstance(w.focused, pd.Series) and w.focused["id"] == model
    details = w.details
    assert details["verdict"] in {"allow", "review", "deny"}
    assert "limitations" in details.index and "pipeline_source" in details.index
    perf = w.performance
    assert set(perf["section"]) == {"benchmark", "alternative", "quality", "cost"}
    assert list(w.selected["id"]) == [model]


def test_panel_requests(make: Callable[..., HubExplorer]) -> None:
    w = make(task="sentence-similarity")
    model = str(w.results["id"].iloc[0])
    detail = ask(w, "detail", {"model": model})
    assert detail["model"] == model and detail["governance"]["verdict"]
    assert detail["sections"]["card_source"].startswith("unknown")  # the starter has no cards
    perf = performance(w, model)
    first = perf["rows"][0]
    assert first["section"] == "benchmark" and first["value"] is None
    assert first["source"] == "no benchmark yet in this session"
    assert "10,000 requests a day" in perf["workload"]
    snippets = ask(w, "integration", {"model": model})["snippets"]
    assert {"transformers", "inference_client"} <= {s["kind"] for s in snippets}
    assert all(s["code"] or s["note"] for s in snippets)  # code, or why there is none


def test_bad_requests_are_answered_in_words(make: Callable[..., HubExplorer]) -> None:
    w = make()
    assert "need a model id" in ask(w, "performance", {})["error"]
    assert "nobody/nothing" in performance(w, "nobody/nothing")["error"]  # said in the panel
    assert "nobody/nothing" in ask(w, "integration", {"model": "nobody/nothing"})["error"]
    error = ask(w, "open", {"what": "deploy", "model": "google-bert/bert-base-uncased"})["error"]
    assert error == "cannot open 'deploy': valid: playground, benchmark, register"


def test_a_loaded_benchmark_fills_the_performance_panel(make: Callable[..., HubExplorer]) -> None:
    w = make(task="sentence-similarity")
    model = str(w.results["id"].iloc[0])
    summary = pd.DataFrame(
        [{"model": model, "backend": "local", "batch_size": 1, "status": "ok", "p50_ms": 9.0}]
    )
    with pytest.raises(TypeError, match="BenchmarkResult"):
        w.load_benchmark(summary)
    w.load_benchmark(hw.BenchmarkResult(runs=pd.DataFrame(), summary=summary))
    rows = performance(w, model)["rows"]
    assert {k: rows[0][k] for k in ("section", "metric", "value")} == {
        "section": "benchmark",
        "metric": "p50_ms",
        "value": 9.0,
    }


def test_try_in_a_playground_opens_one_below(make: Callable[..., HubExplorer]) -> None:
    w = make(task="text-classification")
    model = str(w.results["id"].iloc[0])
    assert ask(w, "open", {"what": "playground", "model": model}) == {"opened": "Playground"}
    [playground] = w.opened
    assert isinstance(playground, Playground)
    assert playground.models == [model] and playground.task == "text-classification"
    # displayed into the output under the explorer (what the page shows below it)
    assert w.below.outputs[-1]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] == (
        playground.model_id
    )
    with pytest.raises(ValueError, match="focus a result first"):
        w.open_below("benchmark")


def test_versions_come_later_as_an_event(
    hub: Any, records: list[dict[str, Any]], make: Callable[..., HubExplorer]
) -> None:
    live = HubCatalog(endpoint=hub.endpoint)
    w = make(live)
    events: list[dict[str, Any]] = []
    arrived = threading.Event()

    def emit(kind: str, body: dict[str, Any]) -> None:
        events.append({"kind": kind, **body})
        arrived.set()

    w.emit = emit  # type: ignore[method-assign]
    assert ask(w, "versions", {"model": records[0]["id"]}) == {"pending": True}
    assert arrived.wait(30)
    [event] = events
    assert event["kind"] == "versions" and event["model"] == records[0]["id"]
    assert [row["sha"] for row in event["rows"]] == [records[0]["sha"]]

    events.clear()
    arrived.clear()
    ask(w, "versions", {"model": "nobody/nothing-here"})
    assert arrived.wait(30)
    assert events[0]["error"].startswith("versions unavailable:")


def test_benchmark_and_register_open_below(
    hub: HubServer, records: list[dict[str, Any]], make: Callable[..., HubExplorer], tmp_path: Path
) -> None:
    from hubwidgets.widgets.benchmark import BenchmarkWidget  # noqa: PLC0415
    from hubwidgets.widgets.registry import RegistryWidget  # noqa: PLC0415

    w = make(HubCatalog(endpoint=hub.endpoint), registry=str(tmp_path / "registry.db"))
    model = records[0]["id"]
    assert ask(w, "open", {"what": "benchmark", "model": model}) == {"opened": "BenchmarkWidget"}
    assert ask(w, "open", {"what": "register", "model": model}) == {"opened": "RegistryWidget"}
    bench, registry = w.opened
    assert isinstance(bench, BenchmarkWidget) and bench.models == [model]
    assert isinstance(registry, RegistryWidget)
    assert w._registry.models() == [model]
    assert len(w.below.outputs) == 2


def test_register_offline_says_so(make: Callable[..., HubExplorer], tmp_path: Path) -> None:
    w = make(registry=str(tmp_path / "registry.db"))
    w._registry = hw.Registry(str(tmp_path / "registry.db"), endpoint="http://127.0.0.1:9")
    reply = ask(w, "open", {"what": "register", "model": "google-bert/bert-base-uncased"})
    assert reply["error"].startswith("could not register google-bert/bert-base-uncased:")
    assert w.opened == []
