"""The comparison charts: memory by dtype against this machine's memory, params vs popularity.

Specs are checked through ``to_dict()`` (validated against Altair's Vega-Lite schema) and
strict JSON; the expected numbers are recomputed from the ``hw.compare`` frame.
"""

from __future__ import annotations

import json
from typing import Any

import altair as alt
import pandas as pd
import pytest

import hubwidgets as hw
import hubwidgets.charts
from hubwidgets.charts import compare as charts_compare
from hubwidgets.charts import compare_charts, memory_by_dtype, params_vs_popularity
from hubwidgets.charts.compare import DTYPE_COLORS, KV_CACHE, RULE_SPAN
from hubwidgets.core.choose.hardware import available_memory

IDS = [
    "openai-community/gpt2",
    "Qwen/Qwen2.5-7B-Instruct",
    "mistralai/Mistral-7B-Instruct-v0.3",
    "google/flan-t5-base",
]
RAM = 24_600_000_000
KV = 458_752_000  # a made-up KV cache for the second model


@pytest.fixture(scope="module")
def wide() -> pd.DataFrame:
    df = hw.compare(IDS, catalog=hw.starter_catalog())
    df["kv_cache_bytes"] = pd.array([None, KV, None, None], dtype="Int64")
    return df


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    d: dict[str, Any] = chart.to_dict()
    json.dumps(d, allow_nan=False)
    return d


def layer_rows(d: dict[str, Any], i: int) -> list[dict[str, Any]]:
    return list(d["datasets"][d["layer"][i]["data"]["name"]])


def title_text(d: dict[str, Any]) -> str:
    return " | ".join([d["title"]["text"], *d["title"].get("subtitle", [])])


def marks(d: dict[str, Any]) -> list[str]:
    return [layer["mark"]["type"] for layer in d["layer"]]


# ---------------------------------------------------------------------------------------------
# memory_by_dtype
# ---------------------------------------------------------------------------------------------


def test_memory_by_dtype_spec(wide: pd.DataFrame) -> None:
    d = spec(memory_by_dtype(wide, ram_bytes=RAM))
    assert marks(d) == ["bar", "rule", "text", "text"]  # the label and its white outline
    enc = d["layer"][0]["encoding"]
    # models down the side (long ids read horizontally), memory along
    assert (enc["y"]["field"], enc["y"]["type"]) == ("id", "nominal")
    assert enc["y"]["sort"] == IDS  # the order of the comparison
    assert (enc["yOffset"]["field"], enc["yOffset"]["sort"]) == ("dtype", list(DTYPE_COLORS))
    assert (enc["x"]["field"], enc["x2"]["field"]) == ("y1", "y0")
    assert "GB" in enc["x"]["title"] and "10^9 bytes" in enc["x"]["title"]
    assert enc["color"]["field"] == "part"
    assert enc["color"]["scale"]["domain"] == [*DTYPE_COLORS, KV_CACHE]
    assert d["width"] == 500

    bars = layer_rows(d, 0)
    weights = [r for r in bars if r["part"] != KV_CACHE]
    assert len(weights) == len(IDS) * 4
    for r in weights:
        row = wide.set_index("id").loc[r["id"]]
        assert r["y0"] == 0
        assert r["y1"] == pytest.approx(row[f"memory_{r['dtype']}"] / 1e9)
        assert r["part"] == r["dtype"]
    kv = [r for r in bars if r["part"] == KV_CACHE]
    assert {r["id"] for r in kv} == {IDS[1]} and len(kv) == 4  # stacked on each dtype's bar
    for r in kv:
        assert r["y1"] - r["y0"] == pytest.approx(KV / 1e9)
        assert r["y0"] == r["weights_gb"] and r["y1"] == r["total_gb"]
        assert r["fits"] == (r["total_gb"] * 1e9 <= RAM)
    assert all(r["kv_gb"] is None for r in bars if r["id"] != IDS[1])


def test_memory_rule_is_the_given_ram(wide: pd.DataFrame) -> None:
    d = spec(memory_by_dtype(wide, ram_bytes=RAM))
    rule, label = d["layer"][1], d["layer"][3]
    assert rule["encoding"]["x"]["field"] == "gb"
    assert layer_rows(d, 1) == [{"gb": 24.6, "label": "this machine: 24.6 GB RAM"}]
    assert label["encoding"]["text"]["field"] == "label"
    assert "rule: this machine: 24.6 GB RAM (given)" in title_text(d)


def test_memory_rule_defaults_to_this_machine(wide: pd.DataFrame) -> None:
    found, where = available_memory()
    d = spec(memory_by_dtype(wide))
    if found is None:
        assert marks(d) == ["bar"]
        assert "no rule" in title_text(d)
        return
    largest = max(float(wide[f"memory_{d}"].max()) for d in DTYPE_COLORS)
    if found > RULE_SPAN * largest:  # a big machine: said, not drawn (see the test below)
        assert "every model fits (no rule)" in title_text(d)
        return
    (line,) = layer_rows(d, 1)
    # the chart asks the machine again: available memory moves a little in between (other
    # processes run), so the same figure within 10%
    assert line["gb"] == pytest.approx(found / 1e9, rel=0.1)
    assert line["label"].startswith(f"this machine: {line['gb']:.1f} GB")
    assert where in title_text(d)
    # the same memory as the comparison's fits_* columns
    for r in layer_rows(d, 0):
        fits = wide.set_index("id").loc[r["id"], f"fits_{r['dtype']}"]
        if r["kv_gb"] is None:
            assert r["fits"] == bool(fits)


def test_memory_rule_on_a_gpu_machine_names_the_gpu(
    wide: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    def gpu() -> tuple[int, str]:
        return 80_000_000_000, "cuda:0 (NVIDIA A100) total memory"

    monkeypatch.setattr(charts_compare, "available_memory", gpu)
    d = spec(memory_by_dtype(wide))
    assert layer_rows(d, 1)[0]["label"] == "this machine: 80.0 GB GPU cuda:0 (NVIDIA A100)"


def test_memory_without_a_known_machine_draws_no_rule(
    wide: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(charts_compare, "available_memory", lambda: (None, "RAM available unknown"))
    d = spec(memory_by_dtype(wide))
    assert marks(d) == ["bar"]
    assert "no rule: this machine's memory is unknown (RAM available unknown)" in title_text(d)


def test_memory_leaves_out_unknown_params_and_names_them(wide: pd.DataFrame) -> None:
    df = wide.copy()
    for col in ("params", *(f"memory_{d}" for d in DTYPE_COLORS)):
        df.loc[2, col] = pd.NA
    d = spec(memory_by_dtype(df, ram_bytes=RAM))
    assert IDS[2] not in {r["id"] for r in layer_rows(d, 0)}
    assert d["layer"][0]["encoding"]["y"]["sort"] == [IDS[0], IDS[1], IDS[3]]
    text = title_text(d)
    assert "3 of 4 models" in text
    assert f"1 left out, parameter count unknown: {IDS[2]}" in text


def test_memory_notes_unknown_kv_cache_of_text_generation_models(wide: pd.DataFrame) -> None:
    text = title_text(spec(memory_by_dtype(wide, ram_bytes=RAM)))
    assert "KV cache stacked on 1 model" in text
    # flan-t5-base is tagged text-generation in the starter: named too
    unknown = [i for i, t in zip(IDS, wide["task"], strict=True) if t == "text-generation"]
    assert f"KV cache unknown, not drawn, for {', '.join(unknown[:1])}" in text
    assert IDS[1] not in text.split("KV cache unknown")[1]

    no_kv = wide.drop(columns=["kv_cache_bytes"])
    d = spec(memory_by_dtype(no_kv, ram_bytes=RAM))
    assert "KV cache" not in title_text(d)
    assert KV_CACHE not in d["layer"][0]["encoding"]["color"]["scale"]["domain"]


def test_memory_empty_and_all_unknown(wide: pd.DataFrame) -> None:
    d = spec(memory_by_dtype(wide.iloc[:0], ram_bytes=RAM))
    assert d["title"]["text"] == "Memory to load by dtype: no models"
    assert layer_rows(d, 0) == []
    assert layer_rows(d, 1)[0]["gb"] == 24.6  # the rule still shows what this machine holds

    unknown = wide.copy()
    for col in (f"memory_{d}" for d in DTYPE_COLORS):
        unknown[col] = pd.array([None] * len(unknown), dtype="Int64")
    d = spec(memory_by_dtype(unknown, ram_bytes=RAM))
    assert "no models with a parameter count" in d["title"]["text"]
    assert "all 4 models left out" in title_text(d)
    assert layer_rows(d, 0) == []


@pytest.mark.parametrize(
    ("ram", "error"), [(0, ValueError), (-1, ValueError), ("24GB", TypeError), (True, TypeError)]
)
def test_memory_validates_ram_bytes(wide: pd.DataFrame, ram: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="ram_bytes"):
        memory_by_dtype(wide, ram_bytes=ram)


# ---------------------------------------------------------------------------------------------
# params_vs_popularity
# ---------------------------------------------------------------------------------------------


def test_params_vs_popularity_spec(wide: pd.DataFrame) -> None:
    d = spec(params_vs_popularity(wide))
    assert marks(d) == ["circle", "text"]
    points, labels = d["layer"]
    assert (points["encoding"]["x"]["field"], points["encoding"]["y"]["field"]) == ("params", "y")
    assert points["encoding"]["x"]["scale"]["type"] == "log"
    assert points["encoding"]["y"]["scale"]["type"] == "log"
    assert "Downloads" in points["encoding"]["y"]["title"]
    assert points["encoding"]["color"]["field"] == "color"
    assert labels["encoding"]["text"]["field"] == "id"
    tooltip = {t["field"] for t in points["encoding"]["tooltip"]}
    assert {"id", "task", "params", "downloads", "likes", "popularity_pct"} <= tooltip

    data = d["datasets"][d["data"]["name"]]
    by_id = wide.set_index("id")
    assert [r["id"] for r in data] == [i for i in IDS if pd.notna(by_id.loc[i, "downloads"])]
    for r in data:
        assert r["params"] == by_id.loc[r["id"], "params"]
        assert r["y"] == by_id.loc[r["id"], "downloads"]
        assert r["task"] == by_id.loc[r["id"], "task"]
    assert f"{len(data)} of 4 models plotted" in title_text(d)


def test_params_vs_popularity_names_left_out_models(wide: pd.DataFrame) -> None:
    df = wide.copy()
    df["downloads"] = pd.array([5, 0, None, 7], dtype="Int64")
    d = spec(params_vs_popularity(df))
    assert [r["id"] for r in d["datasets"][d["data"]["name"]]] == [IDS[0], IDS[3]]
    text = title_text(d)
    assert "2 of 4 models plotted" in text
    assert (
        f"2 left out, params or downloads missing or not positive (log scales): {IDS[1]}, {IDS[2]}"
        in text
    )


def test_params_vs_popularity_percentile_axis(wide: pd.DataFrame) -> None:
    d = spec(params_vs_popularity(wide, y="popularity_pct"))
    enc = d["layer"][0]["encoding"]
    assert enc["y"]["scale"] == {"domain": [0, 100]}
    assert "percentile" in enc["y"]["title"]
    data = d["datasets"][d["data"]["name"]]
    expected = wide.dropna(subset=["popularity_pct"])
    assert [r["id"] for r in data] == expected["id"].tolist()
    assert [r["y"] for r in data] == expected["popularity_pct"].tolist()
    with pytest.raises(ValueError, match="y must be one of"):
        params_vs_popularity(wide, y="likes")


def test_params_vs_popularity_colours_by_task(wide: pd.DataFrame) -> None:
    df = wide.copy()
    df["task"] = ["text-generation", "fill-mask", "text-generation", None]
    df["downloads"] = pd.array([1, 2, 3, 4], dtype="Int64")
    d = spec(params_vs_popularity(df))
    color = d["layer"][0]["encoding"]["color"]
    assert color["scale"]["domain"] == ["text-generation", "(no task)", "fill-mask"]
    assert [r["task"] for r in d["datasets"][d["data"]["name"]]][-1] == "(no task)"


def test_params_vs_popularity_empty_and_all_left_out(wide: pd.DataFrame) -> None:
    d = spec(params_vs_popularity(wide.iloc[:0]))
    assert d["title"]["text"] == "Downloads vs parameters: no models"
    assert d["datasets"][d["data"]["name"]] == []
    assert "legend" in d["layer"][0]["encoding"]["color"]  # legend hidden, no empty domain

    df = wide.copy()
    df["downloads"] = pd.array([None] * 4, dtype="Int64")
    d = spec(params_vs_popularity(df))
    assert "no models with params and downloads" in d["title"]["text"]
    assert "all 4 models left out" in title_text(d)


# ---------------------------------------------------------------------------------------------
# compare_charts, input checks, exports
# ---------------------------------------------------------------------------------------------


def test_compare_charts(wide: pd.DataFrame) -> None:
    charts = compare_charts(wide, ram_bytes=RAM)
    assert list(charts) == ["memory", "popularity"]
    assert spec(charts["memory"]) == spec(memory_by_dtype(wide, ram_bytes=RAM))
    assert spec(charts["popularity"]) == spec(params_vs_popularity(wide))


@pytest.mark.parametrize("builder", [memory_by_dtype, params_vs_popularity, compare_charts])
@pytest.mark.parametrize("bad", [None, IDS, {"id": IDS}, "models"])
def test_wrong_input_type(builder: Any, bad: object) -> None:
    with pytest.raises(TypeError, match=r"expects the DataFrame of hw\.compare"):
        builder(bad)


def test_missing_columns_are_named(wide: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="memory_int4"):
        memory_by_dtype(wide.drop(columns=["memory_int4"]), ram_bytes=RAM)
    with pytest.raises(ValueError, match="'downloads'"):
        params_vs_popularity(wide.drop(columns=["downloads"]))


def test_the_long_form_gets_a_hint() -> None:
    tidy = hw.compare(IDS[:2], catalog=hw.starter_catalog(), tidy=True)
    with pytest.raises(ValueError, match="without tidy=True"):
        memory_by_dtype(tidy)


def test_package_reexports_the_compare_builders() -> None:
    for name in ("compare_charts", "memory_by_dtype", "params_vs_popularity"):
        assert name in hubwidgets.charts.__all__
        assert getattr(hubwidgets.charts, name) is getattr(charts_compare, name)
        assert name in dir(hubwidgets.charts)


def test_memory_far_above_every_bar_is_said_not_drawn(wide: pd.DataFrame) -> None:
    """A rule 100x past the largest bar would squash the bars to slivers."""
    largest = max(float(wide[f"memory_{d}"].max()) for d in DTYPE_COLORS)
    d = spec(memory_by_dtype(wide, ram_bytes=int(largest * 100)))
    assert marks(d) == ["bar"]
    assert "every model fits (no rule)" in title_text(d)
