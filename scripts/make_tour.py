"""Writes notebooks/01-discover.ipynb (run: python scripts/make_tour.py; then execute it)."""

from pathlib import Path

import nbformat as nbf

md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell
CHECK = "# NBVAL_CHECK_OUTPUT\n"

cells = [
    md(
        "# Discover Hub models from a notebook\n\n"
        "A tour of the hubwidgets catalog core: open a catalog of Hugging Face Hub models, search "
        "and filter it, read one model's record, and analyse the results with pandas. Every "
        "result is a `pandas.DataFrame`.\n\n"
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
        "## Search\n\n"
        "Words must all appear in the model id (case-insensitive). Filters take one value or a "
        "list (any of). Sort by `downloads`, `likes`, `trending`, `created`, `modified` or "
        "`params` - always best first, ties broken by id."
    ),
    code(
        'catalog.search("llama", task="text-generation", sort="likes", limit=10)[\n'
        '    ["id", "license", "params", "likes", "gated"]\n]'
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
    md(
        "## Facets\n\n"
        "How many models each task, library, language, license and author has under the "
        "current filters. A facet is counted under the *other* filters, the way the Hub's "
        "sidebar narrows."
    ),
    code(
        'facets = catalog.facets(language="fr", top=4)\n'
        'facets.groupby("facet", sort=False).head(4).set_index(["facet", "value"])'
    ),
    md("## One model's full record\n\nWith its model card text when the source has it."),
    code('whisper = catalog.model("openai/whisper-large-v3")\nwhisper'),
    md(
        "## Analyse with pandas\n\n"
        "`limit=None` returns every match. The results keep the schema's types: nullable "
        "integers, UTC timestamps, lists of languages and tags. Missing values stay missing."
    ),
    code(
        "models = catalog.search(limit=None)\n"
        "by_task = (\n"
        '    models.groupby("task", observed=True)\n'
        '    .agg(models=("id", "size"), median_params=("params", "median"))\n'
        '    .sort_values("models", ascending=False)\n'
        ")\n"
        "by_task.head(10)"
    ),
    code(
        "# Which languages do the text-generation models cover?\n"
        'gen = models[models["task"] == "text-generation"]\n'
        'gen["languages"].explode().astype("string").value_counts().head(8)'
    ),
    md(
        "## Pictures\n\n"
        "`hubwidgets.charts` turns any result DataFrame into Altair charts: the task "
        "distribution, downloads against parameter count (log scales), and models created per "
        "month. Each title says what was left out (models without a parameter count, say)."
    ),
    code(
        "from hubwidgets import charts\n\n"
        "pictures = charts.catalog_charts(models)\n"
        'pictures["tasks"]'
    ),
    code('pictures["downloads_vs_params"]'),
    code('pictures["created_per_month"]'),
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
        "## Keep a snapshot\n\n"
        "Any catalog can be written to a snapshot file and opened again offline. To take a "
        "larger one from the Hub, use the command line: "
        "`hubwidgets snapshot pull --limit 100000 -o models.parquet` "
        "(paged 1000 at a time, resumable), and `hubwidgets snapshot info models.parquet`."
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

nb = nbf.v4.new_notebook(cells=cells)
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nb.metadata["language_info"] = {"name": "python"}
out = Path(__file__).resolve().parents[1] / "notebooks" / "01-discover.ipynb"
nbf.write(nb, out)
print(f"wrote {out}")
print(
    "then: HF_HUB_OFFLINE=1 jupyter nbconvert --to notebook --execute --inplace "
    "--ExecutePreprocessor.store_widget_state=False notebooks/01-discover.ipynb, and clear "
    "the chart cells' outputs (offline charts embed vega, about 1 MB each)"
)
