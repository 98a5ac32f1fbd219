"""Writes notebooks/01-discover.ipynb (run: python scripts/make_tour.py; then execute it)."""

from _tour import CHECK, code, md, write_tour

cells = [
    md(
        "# Discover Hub models from a notebook\n\n"
        "A tour of hubwidgets: open a catalog of Hugging Face Hub models, search it with the "
        "`SearchWidget`, select models, and analyse them with pandas and charts. Every result is "
        "a `pandas.DataFrame`.\n\n"
        "It works online (the live Hub) and offline (a snapshot file, or the starter snapshot "
        "bundled in the package)."
    ),
    md(
        "## Open a catalog\n\n"
        "`open_catalog()` uses the live Hub when it answers within a few seconds, else the "
        "snapshot named by `HUBWIDGETS_SNAPSHOT`, else the bundled starter, and says in one "
        "line which it chose and why. `HF_HUB_OFFLINE=1` skips the Hub."
    ),
    code("import hubwidgets as hw\n\ncatalog = hw.open_catalog()\ncatalog"),
    md(
        "## Search with the widget\n\n"
        "Type in the box (words must all appear in the model id), tick facets (each counted "
        "under the *other* filters), bound the parameter count (`1B`, `300M`...), choose the "
        "access and the order. The grid scrolls through any number of results, fetching only "
        "the rows it shows.\n\n"
        "Select rows with a click, a range with shift-click, or with the keyboard (up/down to "
        "move, Space to select). The focused model's details (metadata, tags, its model card "
        "when the catalog has it, a link to its Hub page) open below the grid."
    ),
    code('w = hw.SearchWidget(catalog, task="automatic-speech-recognition")\nw'),
    md(
        "Every control is a trait you can read and set from Python, and `w.search(...)` sets "
        "several at once. The widget above follows: run the next cell and look at it again."
    ),
    code(
        CHECK + 'w.search(query="whisper", max_params="1B", sort="params")\n'
        'print(w.total, "models match")\n'
        'print(w.results["id"].tolist())'
    ),
    md(
        "## Select, then analyse with pandas\n\n"
        "`w.selected` is a DataFrame of the selected models, in the order they were selected; "
        "`w.results` holds every current result. Here we select from Python what a click would; "
        '`w.observe(callback, "selected_ids")` calls you back on each change.'
    ),
    code(
        "picked = []\n"
        'w.observe(lambda change: picked.append(len(change["new"])), "selected_ids")\n'
        'w.selected_ids = w.results["id"].head(3).tolist()\n'
        'w.selected[["id", "params", "downloads", "likes", "license"]]'
    ),
    code(
        CHECK + "# Downloads per million parameters: which small model punches above its weight?\n"
        "sel = w.selected\n"
        'per_m = (sel["downloads"] / (sel["params"] / 1e6)).round(1)\n'
        'print(per_m.set_axis(sel["id"]).sort_values(ascending=False).index[0])\n'
        'print("selection changes seen:", picked)'
    ),
    code(
        "# Any question pandas can answer: which languages do the speech models cover?\n"
        'w.search(query="", max_params=None, sort="downloads")\n'
        'w.results["languages"].explode().astype("string").value_counts().head(8)'
    ),
    md(
        "## Pictures\n\n"
        "`w.charts()` draws the current results with Altair: the task distribution, downloads "
        "against parameter count (log scales), and models created per month. Each title says "
        "what was left out (models without a parameter count, say). "
        "`hubwidgets.charts.catalog_charts(df)` does the same for any result DataFrame."
    ),
    code('w.search(task=[], sort="downloads")\npictures = w.charts()\npictures["tasks"]'),
    code('pictures["downloads_vs_params"]'),
    code('pictures["created_per_month"]'),
    md(
        "## The same, without a widget\n\n"
        "The catalog answers the same questions directly: `search`, `count`, `facets` and "
        "`model`. Filters take one value or a list (any of); sorting is always best first, "
        "ties broken by id."
    ),
    code(
        "# Speech recognition models under 1B parameters with a permissive license\n"
        "catalog.search(\n"
        '    task="automatic-speech-recognition",\n'
        '    license=["apache-2.0", "mit"],\n'
        '    max_params="1B",\n'
        '    sort="params",\n'
        ')[["id", "library", "params", "languages"]]'
    ),
    code(
        'facets = catalog.facets(language="fr", top=4)\n'
        'facets.groupby("facet", sort=False).head(4).set_index(["facet", "value"])'
    ),
    code('catalog.model("openai/whisper-large-v3")'),
    md(
        "## The bundled starter snapshot\n\n"
        "A few hundred well-known models across every modality, written from public facts "
        "(ids, tasks, libraries, licenses, parameter counts, languages). Downloads and likes are "
        "rough and marked approximate."
    ),
    code(
        CHECK + "starter = hw.starter_catalog()\n"
        'print(starter.describe_source(), "- approximate:", starter.meta["approximate"])\n'
        'print(starter.count(task="text-generation"), "text-generation models")\n'
        'print(starter.search("whisper", limit=3)["id"].tolist())'
    ),
    md(
        "## Keep a snapshot, share a report\n\n"
        "Any catalog can be written to a snapshot file and opened again offline. To take a "
        "larger one from the Hub, use the command line: "
        "`hubwidgets snapshot pull --limit 100000 -o models.parquet` "
        "(paged 1000 at a time, resumable), and `hubwidgets snapshot info models.parquet`.\n\n"
        "Exported to HTML with the widgets' state (`jupyter nbconvert --to html --execute`, "
        "or Save Widget State in JupyterLab before exporting), each SearchWidget draws its "
        "first 50 results, facets and status from that state alone, with no kernel. Without "
        "widget state, a table of its first results stands in for it; run headless "
        "(`--ExecutePreprocessor.store_widget_state=False`), the table follows the last search."
    ),
    code(
        CHECK + "import tempfile\n"
        "from pathlib import Path\n\n"
        'path = Path(tempfile.mkdtemp()) / "starter.parquet"\n'
        'starter.to_parquet(path, note="written by the tour")\n'
        'again = hw.open_catalog("snapshot", path=path)\n'
        'print(len(again), again.meta["note"])'
    ),
]

write_tour(
    "01-discover.ipynb",
    cells,
    then="and clear the chart cells' outputs (offline charts embed vega, about 1 MB each)",
)
