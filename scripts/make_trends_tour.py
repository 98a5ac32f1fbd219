"""Writes notebooks/09-trends.ipynb (python scripts/make_trends_tour.py; then execute it).

The tour runs offline on the recorded daily series of the Hub website's feature-extraction
listing (``trending-feature-extraction-2024-2026.parquet`` in ``../shared/data``, or the folder
``HUBWIDGETS_SHARED_DATA`` names): 111,873 real daily values of 276 models, May 2024 to May
2026. Without it every cell says it skipped, and the tour still runs. The dated-snapshot section
writes two snapshots of the bundled starter catalog into a temporary directory.
"""

from _tour import code, md, write_tour

SKIP = '    print("skipped: the recorded daily series is not on this machine (see above)")\n'

cells = [
    md(
        "# Trends: downloads and likes over time\n\n"
        "The Hub's API tells how many downloads (over the last 30 days) and likes a model has "
        "*now*; it keeps no history. hubwidgets builds one from snapshots taken over time, or "
        "reads a recorded daily series, and answers: which models are rising, how fast is "
        "each task growing, how many new models appear each week?\n\n"
        "- `hw.history(models, metric=..., since=..., source=...)`: one metric over time, one "
        "row per model and day (`model, date, value, metric, task, source`);\n"
        '- `catalog.trends(task=None, window="30D", history=...)`: growth rates, new models per '
        "task per week and the rising models, as DataFrames, with Altair charts;\n"
        '- `catalog.with_history(h)`: the same catalog with a `"rising"` sort.\n\n'
        "This tour runs offline on a **recorded** daily series: the Hub website's listing of "
        "feature-extraction models for transformers.js, one snapshot a day from May 2024 to May "
        "2026 (`do-me/trending-huggingface-models`, MIT), kept beside the repository."
    ),
    code(
        "import tempfile\n"
        "from datetime import datetime, timezone\n\n"
        "import pandas as pd\n\n"
        "import hubwidgets as hw\n"
        "from hubwidgets.testing import shared_data_dir\n\n"
        'pd.set_option("display.width", 160)\n\n'
        "folder = shared_data_dir()  # <repo>/../shared/data, or $HUBWIDGETS_SHARED_DATA\n"
        'series = folder / "trending-feature-extraction-2024-2026.parquet" if folder else None\n'
        "if series is None or not series.exists():\n"
        "    series = None\n"
        '    print("the recorded daily series is not here: the cells below skip "\n'
        '          "(set HUBWIDGETS_SHARED_DATA to the folder that holds it)")\n'
        "else:\n"
        "    print(series.name)"
    ),
    md(
        "## 1. Load a daily series as a history\n\n"
        "`hw.load_history` reads the file's `id`, its day (`mined_date`, written DD-MM-YYYY) "
        "and the metric's column, and nothing else. Each value says which file it came from; "
        "a model missing on a day is absent that day, never zero."
    ),
    code(
        "if series is None:\n" + SKIP + "else:\n"
        "    h = hw.load_history(series)  # metric='downloads': the Hub's 30-day count\n"
        '    print(f"{len(h):,} daily values of {h.model.nunique()} models, "\n'
        '          f"{h.date.min():%Y-%m-%d} to {h.date.max():%Y-%m-%d}")\n'
        "    display(h.head())"
    ),
    md(
        "Ask for a few models, another metric, from a date on. The result is a long table; "
        "pivot it for a wide one:"
    ),
    code(
        "if series is None:\n" + SKIP + "else:\n"
        "    likes = hw.history(\n"
        '        ["Xenova/all-MiniLM-L6-v2", "nomic-ai/nomic-embed-text-v1.5"],\n'
        '        metric="likes",\n'
        '        since="2026-04-01",\n'
        "        source=series,\n"
        "    )\n"
        '    display(likes.pivot(index="date", columns="model", values="value").tail())'
    ),
    md(
        "## 2. Trends over the last 30 days\n\n"
        "`trends` looks at the last `window` of the history. A model's **gain** is its last "
        "value minus its value on the window's first day (a model that appeared inside the "
        "window starts from its first value, and has no growth *rate*: no rate from nothing). "
        "Downloads on the Hub are a 30-day count, so a downloads gain is the growth of that "
        "monthly count."
    ),
    code(
        "if series is None:\n" + SKIP + "else:\n"
        "    catalog = hw.starter_catalog()\n"
        '    t = catalog.trends(window="30D", history=h)\n'
        "    print(t)\n"
        '    display(t.rising[["model", "task", "start_value", "end_value", "gain", "growth"]]'
        ".head(10))"
    ),
    md("Growth per task (sums over its models), and the models first seen each week:"),
    code(
        "if series is None:\n" + SKIP + "else:\n"
        "    display(t.tasks)\n"
        '    year = catalog.trends(window="365D", history=h)\n'
        "    weekly = year.new_per_week.pivot_table(\n"
        '        index="week", columns="task", values="new_models", aggfunc="sum", fill_value=0\n'
        "    )\n"
        "    display(weekly.astype(int).tail(8))"
    ),
    md("One task only (the history records each model's task):"),
    code(
        "if series is None:\n" + SKIP + "else:\n"
        '    similar = catalog.trends("sentence-similarity", window="90D", history=h)\n'
        '    display(similar.rising[["model", "start_value", "end_value", "gain", "growth"]]'
        ".head(5))"
    ),
    md("## 3. Charts\n\n`Trends.charts()` gives Altair charts by name:"),
    code(
        "if series is None:\n" + SKIP + "else:\n"
        "    charts = t.charts()\n"
        "    print(sorted(charts))\n"
        '    display(charts["rising"])'
    ),
    code(
        "if series is None:\n" + SKIP + "else:\n"
        '    display(charts["series"])\n'
        '    display(year.charts()["new_per_week"])'
    ),
    md(
        "## 4. The rising sort\n\n"
        "Attach a history to a catalog and search it by gain: the models the history knows, "
        "largest gain over the window first, the others after them. Ten of the listing's "
        "models are in the bundled starter catalog:"
    ),
    code(
        "if series is None:\n" + SKIP + "else:\n"
        "    rising = catalog.with_history(h)  # window='30D'\n"
        '    display(rising.search(sort="rising", limit=10)[["id", "task", "downloads"]])'
    ),
    md("Without a history, the sort is refused in words:"),
    code(
        "try:\n"
        '    hw.starter_catalog().search(sort="rising")\n'
        "except ValueError as err:\n"
        "    print(err)"
    ),
    md("The search widget offers *Rising* in its sort menu when its catalog has a history:"),
    code(
        "if series is None:\n" + SKIP + 'else:\n    display(hw.SearchWidget(rising, sort="rising"))'
    ),
    md(
        "## 5. Your own history: dated snapshots\n\n"
        "Pull a snapshot on a schedule (a daily cron job) into one directory; each file is "
        "named by when it was taken, and `--keep N` removes the oldest beyond N:\n\n"
        "```bash\n"
        "hubwidgets snapshot pull --dir ~/hub-snapshots --keep 30 --limit 100000\n"
        "```\n\n"
        '`hw.open_catalog("snapshot", path=DIR)` opens the newest, and '
        "`hw.history(source=DIR)` reads one column of each (or set `HUBWIDGETS_SNAPSHOTS=DIR` "
        "and call `hw.history()`). A corrupt or foreign file is named in a warning and "
        "skipped. Here, two copies of the bundled starter catalog stand in for two pulls (so "
        "their values are the same on both days):"
    ),
    code(
        "from hubwidgets.core.catalog.history import dated_snapshot_path\n\n"
        "snapshots = tempfile.mkdtemp()\n"
        "for day in (1, 2):\n"
        "    when = datetime(2026, 12, day, 6, 0, tzinfo=timezone.utc)\n"
        "    hw.starter_catalog().to_parquet(dated_snapshot_path(snapshots, when))\n\n"
        'print(hw.open_catalog("snapshot", path=snapshots).describe_source())\n'
        'hw.history(["openai-community/gpt2"], source=snapshots)'
    ),
]

write_tour("09-trends.ipynb", cells)
