"""Writes notebooks/00-explorer.ipynb, the front door (python scripts/make_explorer_tour.py; then
execute it).

The tour runs offline on the bundled starter catalog (``hw.open_catalog()`` falls back to it
when the Hub does not answer) and needs nothing outside the repository: the Hub Explorer, its
DataFrames, the ``%hub`` magics and ``hw.health()`` (offline every row says ``unreachable``).
"""

from _tour import code, md, write_tour

cells = [
    md(
        "# The Hugging Face Hub Explorer\n\n"
        "The front door of hubwidgets: one app with four linked panels.\n\n"
        "- **Explorer**: a search box, categories by modality, filters (task, library, "
        "language, license, parameters, access) with *trending* / *popular* / *recent* "
        "toggles, and the results;\n"
        "- **Details**: the focused model's metadata, capabilities, the card's examples and "
        "limitations, its license chain and scan verdict (`hw.check`), its versions;\n"
        "- **Performance**: benchmarks from this session, its nearest alternatives, quality "
        "metrics and the cost of a default workload (`hw.estimate_cost`);\n"
        "- **Integration**: code to use it (transformers, `InferenceClient`, Inference "
        "Endpoints, TGI/vLLM) and buttons that open a playground, a benchmark or the "
        "registry below.\n\n"
        "Click a result to fill the other three panels; F6 / Shift+F6 move between panels. "
        "Every widget's status line has a **Check the Hub** button: the health badge.\n\n"
        "This notebook runs online (the live Hub) and offline (the starter catalog bundled "
        "in the package, which is what you see when the Hub does not answer). In JupyterLab, "
        "the Launcher's *Hugging Face Hub Explorer* card (or the command palette entry of "
        "the same name) opens a new notebook with the first cell below."
    ),
    code("import hubwidgets as hw\n\nexplorer = hw.HubExplorer()\nexplorer"),
    md(
        "## The explorer from Python\n\n"
        "Everything the panels show is a DataFrame or a Series too. Search and focus from "
        "Python (the panels above follow), or click in the app and read the result here:"
    ),
    code(
        "import pandas as pd\n\n"
        'pd.set_option("display.width", 160)\n\n'
        'explorer.search(query="gpt2")\n'
        'explorer.focused_id = "openai-community/gpt2"\n'
        'explorer.selected_ids = ["openai-community/gpt2", "distilbert/distilgpt2"]\n'
        'explorer.results[["id", "task", "params", "downloads", "license"]].head()'
    ),
    md("`explorer.selected`: the selected models, one row each, in selection order:"),
    code('explorer.selected[["id", "task", "params", "license"]]'),
    md("`explorer.focused`: the focused model's catalog record (a Series):"),
    code(
        'explorer.focused[["id", "author", "task", "library", "license", "params", '
        '"downloads", "source"]]'
    ),
    md(
        "`explorer.details`: the Details panel: the record, then capabilities, the card's "
        "sections and the governance check. Each fact says where it came from, and an unknown "
        'one says *unknown* (the starter catalog has no cards, so the verdict is "review", '
        "never allow):"
    ),
    code(
        'explorer.details[["pipeline", "pipeline_source", "card_source", "license_class", '
        '"scan_status", "verdict"]]'
    ),
    md(
        "`explorer.performance`: the Performance panel, one row per fact: benchmarks from "
        "this session (none yet), the nearest alternatives, quality and cost, each with its "
        "source:"
    ),
    code("explorer.performance"),
    md(
        "## `%hub`: one line per question\n\n"
        "`%load_ext hubwidgets` registers the `%hub` magic: `search`, `explore`, `compare`, "
        "`check`, `login` and `health`. `%hub --help` lists them; Tab completes commands, "
        "options, tasks and model ids; a mistake is one line naming what is valid."
    ),
    code("%load_ext hubwidgets"),
    code("%hub --help"),
    code("%hub search gpt2 --task text-generation --max-params 1B"),
    code("%hub compare openai-community/gpt2 distilbert/distilgpt2"),
    code("%hub check openai-community/gpt2"),
    md(
        "`%hub explore llama` opens another explorer on a query; `%hub login` shows "
        "`hw.login()`'s widget (the token never enters the notebook)."
    ),
    md(
        "## Is the Hub up?\n\n"
        "`hw.health()` checks the Hub API, each inference provider serving the models in "
        "view and your Inference Endpoints, all at once within `timeout` seconds: status, "
        "latency, last error, when. Offline, every row says `unreachable` (never ok); the "
        "badge in each widget's status line shows the same summary when you press *Check "
        "the Hub*."
    ),
    code("hw.health(timeout=3)"),
]

write_tour("00-explorer.ipynb", cells)
