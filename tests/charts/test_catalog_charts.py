"""The catalog charts: valid Vega-Lite specs of small, plain data that count what they leave out.

Specs are checked through ``Chart.to_dict()``, which validates them against Altair's Vega-Lite
schema; the expected numbers are recomputed here from the DataFrame with plain pandas.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import pytest

import hubwidgets as hw
import hubwidgets.charts
from hubwidgets.charts import catalog as charts_catalog
from hubwidgets.charts import (
    catalog_charts,
    created_per_month,
    downloads_vs_params,
    task_distribution,
)
from hubwidgets.charts.catalog import MODALITY_COLORS, NO_TASK, OTHER_TASKS
from hubwidgets.core.catalog.schema import empty_frame
from hubwidgets.core.catalog.vocab import task_modality

REPO_ROOT = Path(__file__).resolve().parents[2]
WIDGET_MODULES = ("ipywidgets", "anywidget", "traitlets")


@pytest.fixture(scope="module")
def starter() -> pd.DataFrame:
    return hw.starter_catalog().search(limit=None)


def spec(chart: alt.Chart) -> dict[str, Any]:
    """The validated spec, also checked to be strict JSON (no NaN: Vega cannot parse it)."""
    d = chart.to_dict()
    json.dumps(d, allow_nan=False)
    return d


def rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    return list(d["datasets"][d["data"]["name"]])


def title_text(d: dict[str, Any]) -> str:
    title = d["title"]
    return " | ".join([title["text"], *title.get("subtitle", [])])


def tooltip_fields(d: dict[str, Any]) -> list[str]:
    return [t["field"] for t in d["encoding"]["tooltip"]]


def plottable(df: pd.DataFrame) -> pd.Series:
    """Rows the scatter can show, recomputed independently of the module."""
    params = df["params"].astype("Float64")
    downloads = df["downloads"].astype("Float64")
    return ((params > 0) & (downloads > 0)).fillna(False).astype(bool)


def synthetic(n: int, seed: int = 7) -> pd.DataFrame:
    """n schema-typed rows with distinct ids and plottable params/downloads."""
    rng = np.random.default_rng(seed)
    tasks = ["text-generation", "fill-mask", "image-classification", None]
    return pd.DataFrame(
        {
            "id": pd.array([f"org/m{i:05d}" for i in range(n)], dtype="string"),
            "task": pd.Categorical([tasks[i % len(tasks)] for i in range(n)]),
            "params": pd.array(rng.integers(1_000, 10**10, n), dtype="Int64"),
            "downloads": pd.array(rng.integers(1, 10**7, n), dtype="Int64"),
            "likes": pd.array([None if i % 3 else i for i in range(n)], dtype="Int64"),
            "created_at": pd.Series(
                pd.date_range("2021-01-01", periods=n, freq="h", tz="UTC")
            ).astype("datetime64[us, UTC]"),
        }
    )


# ---------------------------------------------------------------------------------------------
# task_distribution
# ---------------------------------------------------------------------------------------------


def test_task_distribution_spec(starter: pd.DataFrame) -> None:
    d = spec(task_distribution(starter))
    assert d["mark"]["type"] == "bar"
    enc = d["encoding"]
    assert (enc["x"]["field"], enc["x"]["type"]) == ("models", "quantitative")
    assert (enc["y"]["field"], enc["y"]["type"]) == ("task", "nominal")
    assert enc["color"]["field"] == "modality"
    assert {"task", "modality", "models"} <= set(tooltip_fields(d))
    assert d["width"] == 500
    assert enc["x"]["title"] and enc["y"]["title"]

    expected = starter["task"].astype(object).fillna(NO_TASK).value_counts()
    data = rows(d)
    assert len(data) == 20
    assert [r["models"] for r in data] == sorted(expected.to_numpy(), reverse=True)[:20]
    assert enc["y"]["sort"] == [r["task"] for r in data]  # bars in count order
    for r in data:
        assert r["models"] == expected[r["task"]]
        assert r["modality"] == (task_modality(r["task"]) or "unknown")
    assert {r["modality"] for r in data} <= set(MODALITY_COLORS)
    assert enc["color"]["scale"]["domain"] == [
        m for m in MODALITY_COLORS if m in enc["color"]["scale"]["domain"]
    ]


def test_task_distribution_counts_no_task_and_hidden_tasks(starter: pd.DataFrame) -> None:
    no_task = int(starter["task"].isna().sum())
    assert no_task > 0  # the starter has models without a task, or this test proves nothing
    d = spec(task_distribution(starter, top=5))
    data = rows(d)
    assert len(data) == 5
    shown = sum(r["models"] for r in data)
    n_tasks = starter["task"].astype(object).fillna(NO_TASK).nunique()
    text = title_text(d)
    assert f"{len(starter):,} models in {n_tasks} tasks" in text
    assert f"{no_task} without a task" in text
    assert f"{len(starter) - shown} models in {n_tasks - 5} other tasks left out" in text

    all_tasks = rows(spec(task_distribution(starter, top=1000)))
    assert sum(r["models"] for r in all_tasks) == len(starter)
    assert {r["task"]: r["models"] for r in all_tasks}[NO_TASK] == no_task
    assert "left out" not in title_text(spec(task_distribution(starter, top=1000)))


@pytest.mark.parametrize(
    ("top", "error"),
    [(0, ValueError), (-3, ValueError), ("5", TypeError), (True, TypeError), (2.0, TypeError)],
)
def test_task_distribution_validates_top(
    starter: pd.DataFrame, top: Any, error: type[Exception]
) -> None:
    with pytest.raises(error, match="top"):
        task_distribution(starter, top=top)


# ---------------------------------------------------------------------------------------------
# downloads_vs_params
# ---------------------------------------------------------------------------------------------


def test_downloads_vs_params_spec(starter: pd.DataFrame) -> None:
    d = spec(downloads_vs_params(starter))
    assert d["mark"]["type"] == "circle"
    enc = d["encoding"]
    assert (enc["x"]["field"], enc["y"]["field"]) == ("params", "downloads")
    assert enc["x"]["scale"]["type"] == enc["y"]["scale"]["type"] == "log"
    assert "log" in enc["x"]["title"] and "log" in enc["y"]["title"]
    assert set(tooltip_fields(d)) >= {"id", "task", "params", "downloads", "likes"}
    assert d["width"] == 500

    mask = plottable(starter)
    data = rows(d)
    assert len(data) == int(mask.sum()) > 0
    assert {r["id"] for r in data} == set(starter.loc[mask, "id"])
    assert all(r["params"] > 0 and r["downloads"] > 0 for r in data)
    by_id = starter.set_index("id")
    for r in data[:20]:
        assert r["params"] == by_id.loc[r["id"], "params"]
        likes = by_id.loc[r["id"], "likes"]
        assert r["likes"] == (None if pd.isna(likes) else likes)  # NA -> null, not NaN

    left_out = len(starter) - int(mask.sum())
    text = title_text(d)
    assert f"{int(mask.sum())} of {len(starter)} models plotted" in text
    assert f"{left_out} left out" in text
    assert "showing" not in text  # nothing sampled


def test_downloads_vs_params_colours_top_ten_tasks(starter: pd.DataFrame) -> None:
    d = spec(downloads_vs_params(starter))
    data = rows(d)
    domain = d["encoding"]["color"]["scale"]["domain"]
    tasks = pd.Series([r["task"] for r in data]).value_counts()
    assert len(tasks) > 10  # so "(other tasks)" is exercised
    assert domain[-1] == OTHER_TASKS and len(domain) == 11
    assert set(domain[:10]) <= set(tasks.index)
    assert min(tasks[t] for t in domain[:10]) >= max(
        tasks[t] for t in tasks.index if t not in domain
    )
    for r in data:
        assert r["color"] == (r["task"] if r["task"] in domain else OTHER_TASKS)
    assert len(d["encoding"]["color"]["scale"]["range"]) == 11


def test_downloads_vs_params_leaves_out_non_positive_and_missing() -> None:
    df = synthetic(8)
    df["params"] = pd.array([0, -5, None, 10, 20, 30, 40, 50], dtype="Int64")
    df["downloads"] = pd.array([1, 1, 1, 0, None, 3, 4, 5], dtype="Int64")
    d = spec(downloads_vs_params(df))
    assert sorted(r["params"] for r in rows(d)) == [30, 40, 50]
    assert "3 of 8 models plotted" in title_text(d)
    assert "5 left out" in title_text(d)

    floats = synthetic(2)
    floats["params"] = [np.inf, 1e9]  # float params (a hand-made frame): inf has no log either
    assert "1 of 2 models plotted" in title_text(spec(downloads_vs_params(floats)))


def test_downloads_vs_params_samples_at_most_max_points() -> None:
    df = synthetic(3000)
    d = spec(downloads_vs_params(df, max_points=400))
    data = rows(d)
    assert len(data) == 400
    assert len({r["id"] for r in data}) == 400
    text = title_text(d)
    assert "showing 400" in text and "top 200 by downloads" in text and "seed 0" in text
    assert "3,000 of 3,000 models plotted" in text
    top_ids = set(df.sort_values("downloads", ascending=False)["id"].iloc[:200])
    assert top_ids <= {r["id"] for r in data}

    again = rows(spec(downloads_vs_params(df, max_points=400)))
    assert again == data  # deterministic
    other = rows(spec(downloads_vs_params(df, max_points=400, seed=1)))
    assert {r["id"] for r in other} != {r["id"] for r in data}
    assert top_ids <= {r["id"] for r in other}

    # the default cap, and a frame at the cap is not sampled
    assert len(rows(spec(downloads_vs_params(synthetic(5001))))) == 5000
    assert "showing" not in title_text(spec(downloads_vs_params(df, max_points=3000)))


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"max_points": 0}, ValueError), ({"max_points": 1.5}, TypeError), ({"seed": "x"}, TypeError)],
)
def test_downloads_vs_params_validates(
    starter: pd.DataFrame, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        downloads_vs_params(starter, **kwargs)


# ---------------------------------------------------------------------------------------------
# created_per_month
# ---------------------------------------------------------------------------------------------


def test_created_per_month_spec(starter: pd.DataFrame) -> None:
    d = spec(created_per_month(starter))
    assert d["mark"]["type"] == "bar"
    enc = d["encoding"]
    assert (enc["x"]["field"], enc["x"]["type"], enc["x"]["timeUnit"]) == (
        "month",
        "temporal",
        "utcyearmonth",
    )
    assert (enc["y"]["field"], enc["y"]["type"]) == ("models", "quantitative")
    assert enc["color"]["field"] == "modality"
    assert "UTC" in enc["x"]["title"] and "count" in enc["y"]["title"]
    assert d["width"] == 500

    data = rows(d)
    dated = int(starter["created_at"].notna().sum())
    missing = len(starter) - dated
    assert missing > 0
    assert sum(r["models"] for r in data) == dated
    # one row per (month, modality): the spec holds aggregates, not models
    assert len(data) == len({(r["month"], r["modality"]) for r in data}) < dated
    months = starter["created_at"].dropna().dt.strftime("%Y-%m-01T00:00:00+00:00")
    assert {r["month"] for r in data} == set(months)
    per_month = months.value_counts()
    for month, count in per_month.items():
        assert sum(r["models"] for r in data if r["month"] == month) == count
    text = title_text(d)
    assert f"{dated} of {len(starter)} models" in text
    assert f"{missing} without a creation date left out" in text


def test_created_per_month_uses_utc_months() -> None:
    df = synthetic(3)
    paris = pd.Series(
        pd.to_datetime(["2024-02-01 00:30", "2024-02-01 01:30", "2024-03-15 12:00"]).tz_localize(
            "Europe/Paris"
        )
    )
    df["created_at"] = paris  # 2024-01-31 23:30 UTC, 2024-02-01 00:30 UTC, 2024-03-15 11:00 UTC
    data = rows(spec(created_per_month(df)))
    per_month: dict[str, int] = {}
    for r in data:
        per_month[r["month"]] = per_month.get(r["month"], 0) + r["models"]
    assert per_month == {
        "2024-01-01T00:00:00+00:00": 1,
        "2024-02-01T00:00:00+00:00": 1,
        "2024-03-01T00:00:00+00:00": 1,
    }


# ---------------------------------------------------------------------------------------------
# all charts: empty and missing data, wrong input, size, layering
# ---------------------------------------------------------------------------------------------


def test_empty_frame_gives_charts_that_say_no_models() -> None:
    charts = catalog_charts(empty_frame())
    assert list(charts) == ["tasks", "downloads_vs_params", "created_per_month"]
    for chart in charts.values():
        d = spec(chart)
        assert "no models" in d["title"]["text"]
        assert rows(d) == []


def test_all_missing_columns(starter: pd.DataFrame) -> None:
    """Columns of None (object dtype, as a hand-made frame has) and schema-typed NA both work."""
    for fill in ("none", "typed"):
        df = starter.copy()
        for col in ("task", "params", "downloads", "likes", "created_at"):
            df[col] = (
                None
                if fill == "none"
                else pd.Series(pd.NA, index=df.index).astype(starter[col].dtype)
            )
        charts = {k: spec(c) for k, c in catalog_charts(df).items()}
        tasks = rows(charts["tasks"])
        assert tasks == [{"task": NO_TASK, "modality": "unknown", "models": len(df), "share": 1.0}]
        assert rows(charts["downloads_vs_params"]) == []
        assert f"all {len(df)} models left out" in title_text(charts["downloads_vs_params"])
        assert "no models" in charts["downloads_vs_params"]["title"]["text"]
        assert rows(charts["created_per_month"]) == []
        assert f"all {len(df)} models left out" in title_text(charts["created_per_month"])


@pytest.mark.parametrize(
    "builder", [task_distribution, downloads_vs_params, created_per_month, catalog_charts]
)
@pytest.mark.parametrize("bad", [None, [1, 2], {"task": ["x"]}, "models"])
def test_wrong_input_type(builder: Any, bad: object) -> None:
    with pytest.raises(TypeError, match="expects a pandas DataFrame"):
        builder(bad)


def test_catalog_input_gets_a_hint() -> None:
    with pytest.raises(TypeError, match=r"catalog\.search\(limit=None\)"):
        task_distribution(hw.starter_catalog())  # type: ignore[arg-type]


def test_missing_columns_are_named(starter: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="params"):
        downloads_vs_params(starter.drop(columns=["params"]))


def test_specs_stay_small_and_plain(starter: pd.DataFrame) -> None:
    big = pd.concat([synthetic(20_000), synthetic(20_000, seed=8)], ignore_index=True)
    big["id"] = pd.array([f"org/m{i}" for i in range(len(big))], dtype="string")
    for name, chart in catalog_charts(big).items():
        d = spec(chart)
        size = len(json.dumps(d))
        limit = 1_000_000 if name == "downloads_vs_params" else 50_000
        assert size < limit, (name, size)
        assert d["title"]["text"] and d["width"] == 500
        for row in rows(d):
            assert all(v is None or isinstance(v, str | int | float) for v in row.values())


def test_package_reexports_the_builders() -> None:
    catalog_builders = {
        "catalog_charts",
        "created_per_month",
        "downloads_vs_params",
        "task_distribution",
    }
    assert catalog_builders <= set(hubwidgets.charts.__all__)  # the compare charts: their tests
    for name in sorted(catalog_builders):
        assert getattr(hubwidgets.charts, name) is getattr(charts_catalog, name)
        assert name in dir(hubwidgets.charts)
    with pytest.raises(AttributeError):
        hubwidgets.charts.nope  # noqa: B018


def test_import_charts_does_not_import_the_widget_stack() -> None:
    """In a fresh interpreter, since this one has imported altair (which imports anywidget)."""
    code = (
        "import json, sys\n"
        "import hubwidgets.charts\n"
        f"print(json.dumps([m for m in {(*WIDGET_MODULES, 'altair')!r} if m in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_chart_modules_import_nothing_from_the_widget_stack() -> None:
    """Altair itself may import anywidget; this package's chart code must not."""
    for path in (REPO_ROOT / "hubwidgets" / "charts").glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in (*WIDGET_MODULES, "IPython"), (path.name, name)
                assert not name.startswith("hubwidgets.widgets"), (path.name, name)


def test_charts_display_as_a_widget_with_a_picture_for_reports() -> None:
    """JupyterLab draws the interactive chart; an HTML export without widget state, the SVG."""
    if alt.renderers.active != "hubwidgets":
        pytest.skip(f"another Altair renderer is active: {alt.renderers.active}")
    frame = hw.starter_catalog().search(limit=None)
    data, _ = task_distribution(frame)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["image/svg+xml"].lstrip().startswith("<svg")
