"""CompareWidget without a browser: traits, validation, linking to a widget with a selection,
the synced state (the matrix as a Table trait), the report.

The front-end's messages are played by calling the widget's handlers directly (``set_state`` for
trait updates, ``_on_message`` for protocol messages). Drawing the charts (vl-convert) takes
seconds, so only the tests with svg in their name draw them. The matrix itself is tested in the
core (tests/core/test_compare.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import IPython.display
import nbformat
import pandas as pd
import pytest
import traitlets
from nbclient import NotebookClient

import hubwidgets as hw
from hubwidgets.core.catalog.hub import HubError
from hubwidgets.core.choose import matrix as core_matrix
from hubwidgets.widgets import CompareWidget, SearchWidget
from hubwidgets.widgets import compare as module
from hubwidgets.widgets._base import HubWidget
from hubwidgets.widgets._protocol import VERSION
from hubwidgets.widgets._serialization import from_ipc
from hubwidgets.widgets.compare import MATRIX_COLUMNS, matrix

from .conftest import Picker

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def catalog() -> hw.Catalog:
    return hw.starter_catalog()


@pytest.fixture(scope="module")
def ids(catalog: hw.Catalog) -> list[str]:
    """Ten text-generation models, most downloaded first."""
    found: list[str] = catalog.search(task="text-generation", limit=10)["id"].tolist()
    assert len(found) == 10
    return found


@pytest.fixture(autouse=True)
def no_charts(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if "svg" not in request.node.name:
        monkeypatch.setattr(CompareWidget, "_chart_svgs", lambda self: {})


@pytest.fixture
def make(catalog: hw.Catalog, made: list[Any]) -> Callable[..., Any]:
    """Build widgets (on the starter catalog unless told otherwise); closed afterwards."""

    def build(cls: type[Any] = CompareWidget, *args: Any, **kwargs: Any) -> Any:
        if cls is SearchWidget:
            widget = SearchWidget(catalog, *args, **kwargs)
        else:
            kwargs.setdefault("catalog", catalog)
            widget = cls(*args, **kwargs)
        made.append(widget)
        return widget

    return build


def matrix_of(widget: CompareWidget) -> pd.DataFrame:
    """The matrix as the page gets it: the Table trait's Arrow IPC bytes, read back."""
    state = widget.get_state(["_matrix"])["_matrix"]
    assert isinstance(state, bytes)
    return from_ipc(state)


def viewed(widget: HubWidget) -> None:
    """A live page draws the widget (the view notice every front-end sends)."""
    widget._on_message(widget, {"hw": VERSION, "kind": "view", "id": None, "body": {}}, [])


# -- construction and traits ------------------------------------------------------------------
def test_lazy_export() -> None:
    assert hw.CompareWidget is CompareWidget
    assert "CompareWidget" in hw.__all__
    # the matrix lives in the core; the widget module re-exports it for notebooks
    assert matrix is core_matrix.matrix and MATRIX_COLUMNS is core_matrix.MATRIX_COLUMNS


def test_compares_the_models_given(make: Callable[..., Any], ids: list[str]) -> None:
    w = make(models=ids[:3])
    assert w.models == ids[:3]
    assert w.status.startswith("Comparing 3 models")
    assert w.error == ""
    shown = matrix_of(w)
    assert tuple(shown.columns) == MATRIX_COLUMNS
    assert list(dict.fromkeys(shown["model"])) == ids[:3]
    assert {"params", "memory_int4", "downloads", "fits_fp16/bf16"} <= set(shown["metric"])
    assert "warning" not in set(shown["metric"])  # same task: no warning row
    assert set(w._badges) == set(ids[:3])


def test_table_is_the_core_comparison(make: Callable[..., Any], ids: list[str]) -> None:
    w = make(models=ids[:2], context_length=1024)
    expected = hw.compare(ids[:2], catalog=w.catalog, context_length=1024)
    assert list(w.table.columns) == list(expected.columns)
    # (the fits_* sources name the RAM available now, which moves between two calls)
    stable = [c for c in expected.columns if not c.startswith("fits_")]
    pd.testing.assert_frame_equal(w.table[stable], expected[stable])
    table = w.table
    table["id"] = "changed"  # a copy: the widget's cache is not touched
    assert w.table["id"].tolist() == ids[:2]


def test_table_is_cached(
    make: Callable[..., Any], ids: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    real = module.compare

    def spy(models: list[str], **kwargs: Any) -> pd.DataFrame:
        calls.append(list(models))
        return real(models, **kwargs)

    monkeypatch.setattr(module, "compare", spy)
    w = make(models=ids[:2])
    _ = w.table, w.table
    w.models = ids[:3]
    w.models = ids[:2]  # back: from the cache
    assert calls == [ids[:2], ids[:3]]
    w.context_length = 2048  # new options: computed again
    assert len(calls) == 3


def test_fewer_than_two_models_is_a_message_not_an_error(
    make: Callable[..., Any], ids: list[str]
) -> None:
    w = make()
    assert w.models == []
    assert "select at least 2 models" in w.status
    assert w._matrix is None and w.get_state(["_matrix"])["_matrix"] is None
    w.models = ids[:1]
    assert w.status.startswith("1 model: select at least 2 models")
    with pytest.raises(ValueError, match="needs 2 to 8 models"):
        _ = w.table


def test_more_than_eight_models_raise_from_python(make: Callable[..., Any], ids: list[str]) -> None:
    w = make(models=ids[:2])
    with pytest.raises(traitlets.TraitError, match="at most 8 models, got 9"):
        w.models = ids[:9]
    assert w.models == ids[:2]


def test_unknown_ids_raise_with_close_matches(make: Callable[..., Any], ids: list[str]) -> None:
    w = make(models=ids[:2])
    typo = ids[0][:-1]
    with pytest.raises(traitlets.TraitError, match="unknown model ids") as info:
        w.models = [typo, ids[1]]
    assert ids[0] in str(info.value)  # a close match
    assert w.models == ids[:2]
    with pytest.raises(traitlets.TraitError, match="unknown model ids"):
        CompareWidget(["nope/nope", ids[0]], catalog=w.catalog)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [("context_length", 0, "positive int"), ("batch_size", "2", "positive int")],
)
def test_bad_options_raise(make: Callable[..., Any], name: str, value: Any, message: str) -> None:
    w = make()
    with pytest.raises(traitlets.TraitError, match=message):
        setattr(w, name, value)


def test_bad_arguments_raise_type_errors(catalog: hw.Catalog) -> None:
    with pytest.raises(TypeError, match="source must be a hubwidgets widget with a selection"):
        CompareWidget(source="w", catalog=catalog)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="catalog must be a hubwidgets catalog"):
        CompareWidget(catalog=pd.DataFrame())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"unexpected argument 'sourc'.*did you mean 'source'"):
        CompareWidget(catalog=catalog, sourc=None)
    with pytest.raises(TypeError, match="did you mean 'context_length'"):
        CompareWidget(catalog=catalog, context_lenght=1024)


def test_tasks_that_differ_show_a_warning_row(
    make: Callable[..., Any], ids: list[str], catalog: hw.Catalog
) -> None:
    other = catalog.search(task="fill-mask", limit=1)["id"].iloc[0]
    w = make(models=[ids[0], other])
    assert "different tasks" in w.status
    shown = matrix_of(w)
    warning = shown[shown["metric"] == "warning"]
    assert len(warning) == 2 and warning["text"].str.contains("fill-mask").all()


def test_best_cells_and_badges(make: Callable[..., Any], ids: list[str]) -> None:
    w = make(models=ids[:4])
    shown = matrix_of(w)
    params = w.table.set_index("id")["params"]
    smallest = str(params.idxmin())
    best = shown[(shown["metric"] == "params") & shown["best"]]
    assert best["model"].tolist() == [smallest]
    assert "smallest" in w._badges[smallest]
    assert not shown[shown["metric"] == "task"]["best"].any()  # no direction, never best


# -- the front-end path -------------------------------------------------------------------------
def test_remove_and_add_from_the_page(make: Callable[..., Any], ids: list[str]) -> None:
    w = make(models=ids[:3])
    w.set_state({"models": [ids[0], ids[2]]})
    assert w.models == [ids[0], ids[2]]
    w.set_state({"models": [ids[0], ids[2], ids[5]]})
    assert w.models == [ids[0], ids[2], ids[5]]
    assert w.status.startswith("Comparing 3 models")


def test_an_unknown_id_from_the_page_goes_to_the_status(
    make: Callable[..., Any], ids: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make(models=ids[:2])
    sent: list[Any] = []
    monkeypatch.setattr(w, "send_state", lambda key=None: sent.append(key))
    w.set_state({"models": [*ids[:2], "nope/nope"]})  # no exception
    assert w.models == ids[:2]
    assert "unknown model ids" in w.error and "nope/nope" in w.status
    assert "showing the previous comparison" in w.status
    # the page gets the models back (the status and error go as ordinary changes)
    assert [keys for keys in sent if isinstance(keys, list)] == [["models"]]
    w.set_state({"models": ids[:9]})  # more than 8 from the page: refused the same way
    assert w.models == ids[:2] and "at most 8" in w.status


def test_the_page_cannot_write_kernel_traits(
    make: Callable[..., Any], ids: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make(models=ids[:2])
    sent: list[Any] = []
    monkeypatch.setattr(w, "send_state", lambda key=None: sent.append(key))
    status = w.status
    w.set_state({"status": "hacked"})
    assert w.status == status  # the page gets it back, and is told why
    assert [keys for keys in sent if isinstance(keys, list)] == [["status"]]
    assert w.error == "the page cannot set status: only the kernel does"


def test_the_hub_down_is_a_status_not_a_crash(
    make: Callable[..., Any], ids: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make(models=ids[:2])

    def down(models: list[str], **kwargs: Any) -> pd.DataFrame:
        raise HubError("the Hub at http://127.0.0.1:9 did not answer")

    monkeypatch.setattr(module, "compare", down)
    w.set_state({"models": ids[:3]})  # from the page: no exception
    assert w.models == ids[:3]
    assert w.status.startswith("the Hub did not answer") and "try again" in w.status
    assert "showing the previous comparison" in w.status
    report = w._report_html()  # the previous comparison, its caption saying why
    assert "the Hub did not answer" in report and f">{ids[1]}</a>" in report
    assert f">{ids[2]}</a>" not in report
    with pytest.raises(HubError):
        _ = w.table


# -- linked to a widget with a selection ---------------------------------------------------------
def test_follows_the_selection_of_a_search(make: Callable[..., Any], ids: list[str]) -> None:
    s = make(SearchWidget)
    c = make(source=s)
    assert c.source is s and c.catalog is s.catalog
    assert c.models == [] and "in the linked search" in c.status
    s.selected_ids = ids[:1]
    assert c.models == ids[:1] and c.status.startswith("1 model")
    s.selected_ids = ids[:3]
    assert c.models == ids[:3] and c.status.startswith("Comparing 3 models")
    s.selected_ids = ids[:9]
    assert c.models == ids[:8]
    assert c.status.startswith("9 selected: comparing the first 8")
    s.selected_ids = ids[:10]  # the first 8 again: the note still follows
    assert c.status.startswith("10 selected: comparing the first 8")
    s.selected_ids = ids[:2]
    assert c.models == ids[:2] and "selected:" not in c.status


def test_starts_from_the_current_selection(make: Callable[..., Any], ids: list[str]) -> None:
    s = make(SearchWidget, selected_ids=ids[:2])
    c = make(source=s)
    assert c.models == ids[:2]
    explicit = make(models=ids[2:4], source=s)
    assert explicit.models == ids[2:4]


def test_follows_any_widget_with_a_selection(
    make: Callable[..., Any], ids: list[str], catalog: hw.Catalog
) -> None:
    picker = Picker(picked=ids[:9])
    try:
        c = make(source=picker)  # no catalog of its own: the one given (by make) is used
        assert c.source is picker and c.catalog is catalog
        assert c.models == ids[:8] and c.status.startswith("9 selected: comparing the first 8")
        picker.picked = ids[3:5]
        assert c.models == ids[3:5] and "in the linked" not in c.status
        picker.picked = []
        assert "select at least 2 models to compare (in the linked picker" in c.status
    finally:
        picker.close()


def test_a_compare_follows_another_compare(make: Callable[..., Any], ids: list[str]) -> None:
    """A CompareWidget has a selection too (its models): others follow it, its catalog too."""
    first = make(models=ids[:2])
    second = make(CompareWidget, source=first, catalog=None)
    assert CompareWidget.SELECTION == "models" and first.selection == ids[:2]
    assert second.catalog is first.catalog and second.models == ids[:2]
    first.models = ids[1:4]
    assert second.models == ids[1:4] and second.status.startswith("Comparing 3 models")
    second.models = ids[:2]  # changed here: the source is not touched
    assert first.models == ids[1:4]


def test_a_selection_the_catalog_does_not_hold_goes_to_the_status(
    make: Callable[..., Any], ids: list[str], catalog: hw.Catalog
) -> None:
    other = hw.Catalog.from_records([{"id": "org/a"}, {"id": "org/b"}, {"id": "org/c"}])
    s = SearchWidget(other, selected_ids=["org/a", "org/b"])
    try:
        c = make(source=s, catalog=catalog)  # compared in another catalog: no exception
        assert c.models == [] and "unknown model ids" in c.status and "org/a" in c.error
        s.selected_ids = ["org/c", "org/b"]
        assert c.models == [] and "org/c" in c.status
        c.models = ids[:2]  # the widget still works
        assert c.status.startswith("Comparing 2 models")
    finally:
        s.close()


def test_close_unlinks(make: Callable[..., Any], ids: list[str]) -> None:
    s = make(SearchWidget)
    c = make(source=s)
    c.close()
    s.selected_ids = ids[:3]  # no error from the closed widget
    assert c.models == []


# -- charts and reports ------------------------------------------------------------------------
@pytest.mark.slow
def test_charts_go_to_the_page_as_svg(make: Callable[..., Any], ids: list[str]) -> None:
    w = make(models=ids[:3])
    assert set(w._charts) == {"memory", "popularity"}
    assert all(svg.lstrip().startswith("<svg") for svg in w._charts.values())
    assert set(w.charts()) == {"memory", "popularity"}
    html = w._report_html()
    assert html.count("<svg") == 2


def test_charts_are_redrawn_only_when_the_comparison_changes(
    make: Callable[..., Any], ids: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[list[str]] = []

    def draw(self: CompareWidget) -> dict[str, str]:
        drawn.append(list(self.models))
        return {"memory": f"<svg>{len(self.models)}</svg>"}

    monkeypatch.setattr(CompareWidget, "_chart_svgs", draw)
    w = make(models=ids[:2])
    assert w._charts == {"memory": "<svg>2</svg>"}
    s = make(SearchWidget)
    w2 = make(source=s)
    s.selected_ids = ids[:9]
    s.selected_ids = ids[:10]  # the same 8 compared: a new note, the same charts
    assert w2._charts == {"memory": "<svg>8</svg>"}
    assert drawn == [ids[:2], ids[:8]]
    w.context_length = 2048  # another comparison: drawn again
    assert len(drawn) == 3
    w.models = ids[:1]  # no comparison, no charts
    assert w._charts == {}


def test_a_view_from_saved_state_has_everything(make: Callable[..., Any], ids: list[str]) -> None:
    """What the page draws is all in synced state: saved widget state shows the comparison."""
    w = make(models=ids[:3])
    state = w.get_state()
    assert state["_widget"] == "compare" and state["models"] == ids[:3]
    shown = from_ipc(state["_matrix"])
    assert tuple(shown.columns) == MATRIX_COLUMNS
    assert list(dict.fromkeys(shown["model"])) == ids[:3]
    assert set(state["_badges"]) == set(ids[:3])
    assert "_charts" in state and state["status"].startswith("Comparing 3 models")


def test_report_html_is_the_matrix(make: Callable[..., Any], ids: list[str]) -> None:
    w = make(models=ids[:3])
    bundle = w._repr_mimebundle_()
    assert bundle is not None
    data, _ = bundle
    assert data[WIDGET_VIEW]["model_id"] == w.model_id
    table = data["text/html"]
    assert table.startswith('<table class="hubwidgets-compare">')
    for model_id in ids[:3]:  # a column per model, its first row a link to its Hub page
        assert f'<th scope="col" style="text-align:left">{model_id}</th>' in table
        assert f'<a href="https://huggingface.co/{model_id}">{model_id}</a>' in table
    assert ">Memory to load (int4) (weights only)</th>" in table and "★" in table
    assert w.status.replace("'", "&#x27;") in table  # the caption
    w.models = []
    assert "select at least 2 models" in w._report_html()


def test_headless_changes_update_the_report(
    make: Callable[..., Any], ids: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    updates: list[str] = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: None)
    monkeypatch.setattr(
        IPython.display, "update_display", lambda *a, **k: updates.append(k["display_id"])
    )
    w = make(models=ids[:2])
    w._ipython_display_()
    w.models = ids[:3]
    assert updates and set(updates) == {w._display_id}
    count = len(updates)
    viewed(w)
    w.models = ids[:4]
    assert len(updates) == count  # a live page draws it: no more updates


@pytest.mark.slow
def test_exported_notebook_keeps_the_comparison(tmp_path: Any) -> None:
    """Run headless, the selection made in a later cell: the report shows that comparison."""
    picked = hw.starter_catalog().search(task="fill-mask", limit=3)["id"].tolist()
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import hubwidgets as hw\n"
                "s = hw.SearchWidget(hw.starter_catalog())\n"
                "c = hw.CompareWidget(source=s)\nc"
            ),
            nbformat.v4.new_code_cell(f"s.selected_ids = {picked!r}"),
        ]
    )
    NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=False).execute(
        cwd=str(tmp_path)
    )
    (output,) = [o for o in nb.cells[0].outputs if WIDGET_VIEW in o.get("data", {})]
    report = str(output["data"]["text/html"])
    assert report.startswith('<table class="hubwidgets-compare">')
    for model_id in picked:
        assert f">{model_id}</a>" in report
    assert report.count("<svg") == 2  # the charts, as pictures


def verdicts_of(widget: CompareWidget) -> dict[str, tuple[str, str]]:
    """The verdict row as the page gets it: ``{model: (text, source)}``."""
    shown = matrix_of(widget)
    rows = shown[shown["metric"] == "verdict"]
    return {str(r["model"]): (str(r["text"]), str(r["source"])) for _, r in rows.iterrows()}


def test_the_policy_sets_the_verdict_row_and_setting_it_compares_again(
    make: Callable[..., Any], ids: list[str]
) -> None:
    models = ["openai-community/gpt2", *[i for i in ids if i != "openai-community/gpt2"][:2]]
    w = make(models=models, policy={"deny_licenses": ["mit"]})
    assert w.policy == hw.Policy(deny_licenses=["mit"])
    assert w.table.attrs["policy"] == w.policy.to_dict()
    shown = verdicts_of(w)
    assert shown["openai-community/gpt2"][0] == "deny"
    assert "license mit is in deny_licenses" in shown["openai-community/gpt2"][1]
    assert {shown[m][0] for m in models[1:]} == {"review"}
    assert "1 denied by the policy" in w.status
    w.policy = None  # the session's policy again: the default here
    assert w.policy == hw.Policy() and {t for t, _ in verdicts_of(w).values()} == {"review"}
    assert "denied" not in w.status
    with hw.use_policy({"deny_licenses": ["apache-2.0"]}):
        w.policy = None  # follows the session's policy as it is at each comparison
        assert verdicts_of(w)["openai-community/gpt2"][0] == "review"
        assert "denied by the policy" in w.status
    with pytest.raises(ValueError, match="did you mean deny_licenses"):
        w.policy = {"deny_license": ["mit"]}
    with pytest.raises(TypeError, match="policy must be"):
        make(models=models, policy=3)
    with pytest.raises(TypeError, match="did you mean 'policy'"):
        make(models=models, polcy={})
