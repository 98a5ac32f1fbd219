"""Writes notebooks/04-playground.ipynb (python scripts/make_playground_tour.py; then execute it).

The tour runs offline: it makes tiny random-weight models in a temporary folder with
``hubwidgets.testing.models`` and tries them in a Playground.
"""

from _tour import CHECK, code, md, write_tour

cells = [
    md(
        "# Try models in a playground\n\n"
        "`hw.Playground` runs one input (a text, an image or a sound) on one to six models side "
        "by side and shows each answer the way the task calls for: score bars for "
        "classification, highlighted spans for entities, text that streams in for generation, "
        "boxes over the image for object detection... Each cell says how long the model took, "
        "which backend answered and any error. Every run is kept as DataFrame rows in "
        "`pg.history`, so a session of trying models ends as a table you can analyse.\n\n"
        "This tour runs offline. So that it needs no download, it makes **tiny models with "
        "random weights** on this machine (`hubwidgets.testing.models`): they exercise the real "
        "transformers code paths in milliseconds, but **their answers mean nothing**. Swap in "
        "real model ids (or folders) to try real models."
    ),
    code(
        "import tempfile\n\n"
        "import transformers\n\n"
        "import hubwidgets as hw\n"
        "from hubwidgets.testing import models as tiny\n\n"
        "# the tiny image model has no fast (torchvision) processor: transformers says so; hush\n"
        "transformers.utils.logging.set_verbosity_error()\n\n"
        "root = tempfile.mkdtemp(prefix='hubwidgets-tour-')\n"
        'sentiment = tiny.tiny_text_classifier(f"{root}/sentiment")\n'
        'topics = tiny.tiny_text_classifier(f"{root}/topics", labels=("sports", "politics", '
        '"science"))\n'
        'vit = tiny.tiny_vit_classifier(f"{root}/vit")\n'
        'gpt2 = tiny.tiny_gpt2(f"{root}/gpt2")\n'
        'backend = hw.LocalBackend(device="cpu")  # transformers on this machine, on the CPU'
    ),
    md(
        "## Two text classifiers side by side\n\n"
        "Type a text (or click a sample) and press **Run**: each model gets a cell with its "
        "labels as score bars, its latency and the backend that answered."
    ),
    code('pg = hw.Playground("text-classification", [sentiment, topics], backend=backend)\npg'),
    md(
        "`pg.run(...)` does from Python what the Run button does (the cells above show it too) "
        "and returns the new history rows, one per model:"
    ),
    code(
        'rows = pg.run("I loved this film: the acting was superb.")\n'
        'rows[["run", "model", "backend", "provider", "latency_ms", "error"]].assign(\n'
        '    model=rows["model"].str.rsplit("/", n=1).str[-1]\n'
        ")"
    ),
    md(
        "The `output` column holds each model's normalized answer as JSON text (the shapes of "
        "the Hub's task schemas), so it can be parsed back:"
    ),
    code(
        CHECK + "import json\n\n"
        'labels = [sorted(d["label"] for d in json.loads(o)) for o in rows["output"]]\n'
        "print(labels)"
    ),
    md(
        "## Bad input is a message, not a traceback\n\n"
        "An empty prompt, a file of the wrong type, a corrupt image: every model's cell says "
        "what was wrong, and the history keeps the failed run with its error."
    ),
    code(CHECK + 'bad = pg.run("   ")\nprint(bad["error"].tolist())'),
    md(
        "## Images\n\n"
        "Image tasks take a file: upload it, drop it on the widget, paste it, or pick a "
        "built-in sample. From Python, pass a path, bytes, or an `Upload(name, bytes)`. The "
        "history summarizes a file by its name, size and sha256, never its bytes."
    ),
    code(
        "from hubwidgets.core.inference.playground import Upload\n"
        "from hubwidgets.core.inference.samples import sample_image\n\n"
        'images = hw.Playground("image-classification", [vit], backend=backend)\n'
        'images.run(Upload("disc.png", sample_image()))\n'
        'images.run(Upload("notes.txt", b"not a picture"))\n'
        "images"
    ),
    code(
        CHECK + 'for text in images.history["input"]:\n    print(text.partition(" (")[0])\n'
        'print(images.history["error"].iloc[1])'
    ),
    md(
        "## Streaming generation\n\n"
        "For text generation and chat the text appears as the model produces it, with a "
        "**Stop** button; a stopped run keeps the partial text. (Random weights: expect "
        "gibberish.) Here the run comes before the display: a playground shows its last run "
        "whoever started it, the Run button or `run(...)`, in every view of it."
    ),
    code(
        'gen = hw.Playground("text-generation", [gpt2], backend=backend,\n'
        '                    params={"max_new_tokens": 24, "min_new_tokens": 24})\n'
        'gen.run("Once upon a time")\n'
        "gen"
    ),
    md(
        "## The history\n\n"
        "Every run of a playground, one row per model: when, which model on which backend, "
        "the input, the output, the latency and any error. `fell_back_from` says why a backend "
        'failed before the one that answered (with `backend="auto"`: remote first, then '
        "local), and `cost_usd` stays missing: no provider price table is available offline, "
        "and prices are never guessed (pass `prices={(provider, model): usd}` to fill it)."
    ),
    code(
        'history = pg.history\nhistory["model"] = history["model"].str.rsplit("/", n=1).str[-1]\n'
        'history[["run", "model", "input", "latency_ms", "error", "cost_usd"]]'
    ),
    code(
        CHECK + 'print(list(pg.history.columns))\nprint(pg.history.groupby("run").size().tolist())'
    ),
]

write_tour("04-playground.ipynb", cells)
