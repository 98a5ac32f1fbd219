"""Writes notebooks/02-compare.ipynb (run: python scripts/make_compare_tour.py; then execute it).

Pass ``--no-widget`` to leave out the "In the widget" section (when hw.CompareWidget is not
available).
"""

import sys

from _tour import CHECK, code, md, write_tour

IDS = (
    "ids = [\n"
    '    "openai-community/gpt2",\n'
    '    "Qwen/Qwen2.5-1.5B-Instruct",\n'
    '    "Qwen/Qwen2.5-7B-Instruct",\n'
    '    "mistralai/Mistral-7B-Instruct-v0.3",\n'
    "]\n"
)

cells = [
    md(
        "# Compare Hub models before you download them\n\n"
        "Which model should I use, and will it fit on this machine? This tour shortlists "
        "text-generation models with `hw.recommend`, compares a few side by side with "
        "`hw.compare` (parameters, memory at each dtype, license, popularity, each figure with "
        "its source), checks them against this machine (`hw.hardware()`), and draws the "
        "comparison. Every result is a `pandas.DataFrame`.\n\n"
        "It runs offline on the starter snapshot bundled in the package; online, the same "
        "cells ask the live Hub."
    ),
    code("import hubwidgets as hw\n\ncatalog = hw.open_catalog()\ncatalog"),
    md(
        "## A shortlist: `hw.recommend`\n\n"
        "Constraints are hard filters: the task, a size limit (`max_params`), a license or "
        'license class (`"permissive"`, `"copyleft"`, `"non-commercial"`...), and by default '
        '`hardware="local"`: the fp16 weights plus 20% must fit this machine\'s RAM. '
        "Priorities are weights over quality, speed, cost (size) and popularity; by default all "
        "four count the same, and a criterion without data (speed and quality need a "
        "benchmark) is named in the reasons instead of guessed."
    ),
    code(
        'rec = hw.recommend("text-generation", max_params="8B", license="permissive", k=5, '
        "catalog=catalog)\n"
        'rec[["rank", "id", "score", "coverage", "best_for", "cost", "popularity", "params", '
        '"license"]]'
    ),
    md(
        'Each row says why it is where it is, and `attrs["summary"]` what each constraint '
        "left out (with the most downloaded examples, so you know what you are missing):"
    ),
    code('print(rec["reasons"].iloc[0])\nprint()\nprint(rec.attrs["summary"])'),
    md(
        "Cost (fewer parameters) counts as much as popularity, so small models lead. Weigh "
        "popularity alone and the well-known 7B models come up:"
    ),
    code(
        "popular = hw.recommend(\n"
        '    "text-generation",\n'
        '    max_params="8B",\n'
        '    license="permissive",\n'
        '    priorities="popularity",\n'
        "    k=5,\n"
        "    catalog=catalog,\n"
        ")\n"
        'popular[["rank", "id", "score", "params", "downloads", "license"]]'
    ),
    md(
        "## Side by side: `hw.compare`\n\n"
        "Two to eight models, one row each: the catalog's columns, then derived figures, each "
        "`X` with an `X_source` column that says where it came from. A figure that cannot be "
        "known stays `<NA>` and its source says why (offline, for example, the KV cache needs "
        "the model's config.json from the Hub or the local Hugging Face cache)."
    ),
    code(
        IDS + "\n"
        "df = hw.compare(ids, catalog=catalog)\n"
        'df[["id", "params", "license_class", "popularity_pct", "kv_cache_bytes", '
        '"kv_cache_bytes_source"]]'
    ),
    code(
        CHECK + "# Memory to load the weights, in GB (10^9 bytes), per dtype\n"
        'dtypes = ["fp32", "fp16/bf16", "int8", "int4"]\n'
        'memory = df.set_index("id")[[f"memory_{d}" for d in dtypes]].set_axis(dtypes, axis=1)\n'
        "print((memory / 1e9).round(2).to_string())\n"
        'print(df.loc[0, "memory_int4_source"])'
    ),
    code(
        CHECK + "# License and popularity, with where each figure comes from\n"
        "for _, row in df.iterrows():\n"
        "    pct = row.popularity_pct\n"
        '    print(f"{row.id}: {row.license_class}; downloads at or above {pct}% of its task")\n'
        'print(df.loc[0, "license_class_source"])\n'
        'print(df.loc[0, "popularity_pct_source"])'
    ),
    md(
        "Which fit in fp16/bf16 here? `fits_<dtype>` compares the weights (plus the KV cache, "
        "when known) with this machine's memory: the largest GPU, else the RAM available now. "
        "The answer depends on the machine that runs the notebook."
    ),
    code(
        'fits = df.set_index("id")[["fits_fp32", "fits_fp16/bf16", "fits_int8", "fits_int4"]]\nfits'
    ),
    code(
        'print(df.loc[df["fits_fp16/bf16"].fillna(False), "id"].tolist())\n'
        'print(df.loc[2, "fits_fp16/bf16_source"])'
    ),
    md(
        "The long form (`tidy=True`) has one row per model and metric, `model, metric, value, "
        "unit, source`: the shape for `groupby`, `pivot` and plotting libraries."
    ),
    code(
        CHECK + "long = hw.compare(ids, catalog=catalog, tidy=True)\n"
        "print(long.columns.tolist())\n"
        'params = long[long["metric"] == "params"].set_index("model")["value"]\n'
        "print((params / 1e9).round(2).to_string())"
    ),
    md(
        "## This machine: `hw.hardware()`\n\n"
        "One row per memory device: the CPU's RAM, then each CUDA GPU (found through torch when "
        "it is installed); `source` says how each figure was measured."
    ),
    code("hw.hardware()"),
    md(
        "## Pictures\n\n"
        "`hubwidgets.charts.compare_charts(df)` draws the comparison with Altair: memory by "
        "dtype, with the KV cache stacked where it is known and this machine's memory as a "
        "rule line (a bar below the line fits), and parameters against downloads. Each title "
        "says which models were left out and why."
    ),
    code(
        "from hubwidgets.charts import compare_charts\n\n"
        "charts = compare_charts(df)\n"
        'charts["memory"]'
    ),
    code('charts["popularity"]'),
]

widget_cells = [
    md(
        "## In the widget\n\n"
        "`hw.CompareWidget(source=s)` follows the models selected in a `SearchWidget`: tick "
        "models in the grid above and the comparison below follows (the first 8). The best "
        "value of each row is highlighted; `c.table` is the same DataFrame as `hw.compare`, "
        "and `c.charts()` the same charts."
    ),
    code('s = hw.SearchWidget(catalog, task="text-generation")\ns'),
    code("c = hw.CompareWidget(source=s)\nc"),
    md("Select from Python what a click would; the compare widget above follows:"),
    code(
        CHECK + "s.selected_ids = ids\n"
        "print(c.models)\n"
        'print(c.table[["id", "params"]].to_string(index=False))'
    ),
]

if "--no-widget" not in sys.argv:
    cells += widget_cells

write_tour("02-compare.ipynb", cells)
