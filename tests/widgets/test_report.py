"""Exported reports keep each SearchWidget's results: a table next to the widget view.

JupyterLab draws the widget; where no widget can be drawn (an HTML export without a kernel or
saved widget state) the ``text/html`` table of the same output shows instead. A notebook run
headless keeps that table on the widget's last search.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import IPython.display
import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

import hubwidgets as hw
from hubwidgets.core.catalog.hub import HubError
from hubwidgets.widgets import SearchWidget

ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "notebooks" / "01-discover.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def widget() -> Iterator[SearchWidget]:
    w = SearchWidget(hw.starter_catalog(), query="whisper", sort="params")
    yield w
    w.close()


def test_display_bundle_has_the_widget_and_a_results_table(widget: SearchWidget) -> None:
    bundle = widget._repr_mimebundle_()
    assert bundle is not None
    data, _metadata = bundle
    assert data[WIDGET_VIEW]["model_id"] == widget.model_id
    table = data["text/html"]
    assert table.startswith('<table class="hubwidgets-results">')
    first = widget.results["id"].iloc[0]
    assert (
        f'<th scope="row" style="text-align:left"><a href="https://huggingface.co/{first}">'
        in table
    )
    assert '<th scope="col" style="text-align:right">Downloads</th>' in table
    assert "models match" not in table  # the caption is the status line
    assert widget.status.split(" · ")[0] in table


def test_report_table_has_at_most_report_rows(widget: SearchWidget) -> None:
    widget.search(query="")
    data, _ = widget._repr_mimebundle_() or ({}, {})
    assert data["text/html"].count("<tr>") == 1 + SearchWidget.REPORT_ROWS  # header + rows


def test_a_closed_widget_displays_nothing(widget: SearchWidget) -> None:
    widget.close()
    widget._ipython_display_()  # no error, no output
    assert widget._displayed is False


def _execute(path: Path, tmp_path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
        store_widget_state=False,
    )
    env = {"HF_HUB_OFFLINE": "1"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        client.execute()
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return nb


def _widget_outputs(nb: nbformat.NotebookNode) -> list[dict[str, object]]:
    return [
        output["data"]
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]


def test_headless_run_keeps_the_last_results(tmp_path: Path) -> None:
    """Displayed, then searched from later cells: the exported table shows the last search."""
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import hubwidgets as hw\n"
                'w = hw.SearchWidget(hw.starter_catalog(), task="translation")\nw'
            ),
            nbformat.v4.new_code_cell('w.search(task=[], query="whisper", sort="params")'),
        ]
    )
    path = tmp_path / "report.ipynb"
    nbformat.write(nb, path)
    ran = _execute(path, tmp_path)

    (data,) = _widget_outputs(ran)
    table = str(data["text/html"])
    whisper = hw.starter_catalog().search("whisper", sort="params", limit=3)["id"].tolist()
    for model_id in whisper:
        assert model_id in table
    assert "translation" not in table  # the first search's rows are gone


@pytest.mark.slow
def test_exported_tour_shows_each_widgets_results(tmp_path: Path) -> None:
    ran = _execute(TOUR, tmp_path)
    body, _ = HTMLExporter().from_notebook_node(ran)

    # the widget's output became a table in the page (no saved widget state: no empty box)
    tables = re.findall(r'<table class="hubwidgets-results">.*?</table>', body, flags=re.S)
    assert tables, "no SearchWidget table in the exported HTML"
    assert 'type="application/vnd.jupyter.widget-view+json"' not in body
    # ... on the tour's last search: every model, most downloaded first
    top = hw.starter_catalog().search(sort="downloads", limit=5)["id"].tolist()
    for model_id in top:
        assert f">{model_id}</a>" in tables[0]
    # and its charts became pictures: three SVGs drawn by vl-convert, not empty widget boxes
    assert body.count('data-mime-type="image/svg+xml"') == 3


def test_a_live_view_stops_display_updates(
    widget: SearchWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under a live page an update would draw the widget again: the display is left alone."""
    updates: list[str] = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: None)
    monkeypatch.setattr(
        IPython.display, "update_display", lambda *a, **k: updates.append(k["display_id"])
    )
    widget._ipython_display_()
    widget.search(query="bert")
    assert updates == [widget._display_id]  # headless so far: the table follows

    widget._on_message(widget, {"hw": 1, "kind": "view", "id": None, "body": {}}, [])  # drawn
    widget.search(query="llama")
    widget.set_state({"query": "qwen"})
    assert updates == [widget._display_id]  # no more


def test_the_widget_displays_when_the_hub_fails_for_the_report(
    widget: SearchWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*_args: object, **_kwargs: object) -> str:
        raise HubError("the Hub at http://127.0.0.1:9 did not answer")

    monkeypatch.setattr(widget, "to_html", down)
    bundle = widget._repr_mimebundle_()
    assert bundle is not None
    data, _ = bundle
    assert WIDGET_VIEW in data
    assert "rows unavailable" in data["text/html"] and "did not answer" in data["text/html"]
