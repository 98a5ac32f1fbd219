"""Writes notebooks/08-workflows.ipynb (python scripts/make_workflow_tour.py; then execute it).

The tour runs offline on tiny random-weight models it makes in a temporary directory
(``hubwidgets.testing.models``): their answers mean nothing, but every code path is the real
one (transformers pipelines, batching, checkpoints), and it runs in seconds. The same calls take
Hub ids (``"distilbert/distilbert-base-uncased-finetuned-sst-2-english"``) unchanged.
"""

from _tour import CHECK, code, md, write_tour

cells = [
    md(
        "# Run models over your data: batches, checkpoints, pipelines, ensembles\n\n"
        "After choosing a model comes the real job: run it over the data. Label every row of "
        "a table, transcribe then classify a folder of recordings, combine three classifiers. "
        "This tour does each of those with one call:\n\n"
        "1. `hw.apply`: one model over a DataFrame column, in batches, with a progress bar "
        "(rows/s, ETA) and a per-row `error`;\n"
        "2. checkpoints: stop a run half-way, start it again, nothing done twice;\n"
        "3. `hw.Pipeline`: models chained across modalities (audio → text → text → label), "
        "the connections checked when it is built;\n"
        "4. `hw.Ensemble`: several classifiers answering as one, with their agreement;\n"
        "5. `hw.WorkflowWidget`: the same, composed and run in the notebook.\n\n"
        "It runs offline, on tiny models with random weights made below in a temporary "
        "folder: their labels mean nothing, but every code path is the real one. Replace "
        "each folder with a Hub id to run real models."
    ),
    code(
        "import os\n"
        "import tempfile\n"
        "import threading\n"
        "from pathlib import Path\n\n"
        'os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"\n'
        "import pandas as pd\n"
        "import transformers\n\n"
        "import hubwidgets as hw\n"
        "from hubwidgets.testing import models as tiny\n\n"
        "transformers.utils.logging.set_verbosity_error()\n"
        'pd.set_option("display.max_colwidth", 40)\n'
        'pd.set_option("display.width", 160)\n\n'
        "work = Path(tempfile.mkdtemp())\n"
        'sentiment = tiny.tiny_text_classifier(work / "sentiment")\n'
        'speech = tiny.tiny_speech_recognizer(work / "speech")\n'
        'translator = tiny.tiny_translator(work / "translator")\n'
        'print("models made in", work)'
    ),
    md(
        "## 1. One model over a column: `hw.apply`\n\n"
        "A table of 100 reviews. `hw.apply` runs the model over the `review` column in "
        "batches and gives the frame back with the task's columns (`label`, `score` for a "
        "classifier), `error` (empty when the row ran) and `latency_ms`. The same call is "
        "available as `reviews.hub.apply(model, column=...)`. In JupyterLab the progress bar "
        "moves once per batch with rows/s and the time left."
    ),
    code(
        'words = ["a good film", "the food was bad", "i love paris", "a terrible day", "fine"]\n'
        'reviews = pd.DataFrame({"review": [words[i % len(words)] for i in range(100)]})\n\n'
        'labelled = hw.apply(reviews, sentiment, column="review", progress=False)\n'
        "labelled.head()"
    ),
    md(
        "Where each row came from is in `attrs`: the model, its revision, the backend, the "
        "task, and how fast it went. `progress=` also takes a function `progress(done, "
        "total)`, called after every batch (this is what the widget's bar uses):"
    ),
    code(
        CHECK + "seen = []\n"
        'again = reviews.hub.apply(sentiment, column="review", batch_size=25,\n'
        '                          progress=lambda done, total: seen.append(f"{done}/{total}"))\n'
        'print("progress calls:", seen)\n'
        'print({k: labelled.attrs[k] for k in ("task", "backend", "rows_run", "cancelled")})'
    ),
    md(
        "## 2. Stop half-way, resume without redoing a row\n\n"
        'With `checkpoint="folder/"` each finished batch is saved as a parquet part. Here a '
        "`cancel=` Event is set after the second batch, as a Cancel button or an interrupt "
        "would: the rows not run say `cancelled`. The second call, with the same checkpoint, "
        "runs only those."
    ),
    code(
        CHECK + 'checkpoint = work / "checkpoint"\n'
        "stop = threading.Event()\n\n\n"
        "def stop_after_two_batches(done, total):\n"
        "    if done >= 40:\n"
        "        stop.set()\n\n\n"
        'first = hw.apply(reviews, sentiment, column="review", batch_size=20,\n'
        "                 checkpoint=checkpoint, cancel=stop, progress=stop_after_two_batches)\n"
        'print("first run:", first.attrs["rows_run"], "rows run,",\n'
        '      (first["error"] == "cancelled").sum(), "cancelled")\n\n'
        'resumed = hw.apply(reviews, sentiment, column="review", batch_size=20,\n'
        "                   checkpoint=checkpoint, progress=False)\n"
        'print("second run:", resumed.attrs["rows_resumed"], "rows from the checkpoint,",\n'
        '      resumed.attrs["rows_run"], "run now")\n'
        'print("same labels as one run:", resumed["label"].equals(labelled["label"]))'
    ),
    md(
        "## 3. A pipeline across modalities: audio → text → text → label\n\n"
        "`hw.Pipeline` chains steps, each a task and a model: a speech recognizer, a "
        "translator, then the sentiment classifier. Each step takes its natural input from "
        "the previous one's output (the transcription's text, the translation's text), or the "
        "field named by `input=`. The connections are checked when the pipeline is built:"
    ),
    code(
        "pipeline = hw.Pipeline(\n"
        "    [\n"
        '        hw.Step("automatic-speech-recognition", speech, name="asr"),\n'
        '        hw.Step("translation", translator, name="translate"),\n'
        '        hw.Step("text-classification", sentiment, name="sentiment"),\n'
        "    ]\n"
        ")\n"
        "pipeline.describe()"
    ),
    md(
        "Steps that cannot connect are refused at once, naming both steps and what each "
        "gives and takes (a classifier's label is text, not an image):"
    ),
    code(
        CHECK + "try:\n"
        "    hw.Pipeline(\n"
        '        [hw.Step("text-classification", sentiment), '
        'hw.Step("image-classification", sentiment)]\n'
        "    )\n"
        "except hw.PipelineError as err:\n"
        '    print("PipelineError:", err)'
    ),
    md(
        "`pipeline.run(x)` runs one input through every step: `.output` is the last step's "
        "answer, `.steps` each step's output and latency (`.ok`, `.error` and `.failed_step` "
        "say whether all ran). A few short recordings (sine waves, made here):"
    ),
    code(
        "recordings = [\n"
        '    tiny.sample_wav(work / f"clip-{hz}.wav", seconds=0.2, frequency=hz)\n'
        "    for hz in (220, 330, 440, 550)\n"
        "]\n"
        "one = pipeline.run(recordings[0])\n"
        'print("ok:", one.ok, "| output:", one.output)\n'
        'one.steps[["name", "task", "output", "latency_ms", "error"]]'
    ),
    md(
        "`pipeline.apply(df, column)` runs it over a column like `hw.apply`: each step's "
        'fields as `"<step>.<field>"` columns, the first failing step\'s `error`, and the '
        "total `latency_ms`:"
    ),
    code(
        'clips = pd.DataFrame({"audio": recordings})\n'
        'heard = pipeline.apply(clips, "audio", progress=False)\n'
        'heard[["audio", "asr.text", "translate.generated_text", "sentiment.label", '
        '"latency_ms"]]'
    ),
    md(
        "## 4. Several classifiers as one: `hw.Ensemble`\n\n"
        "Three classifiers (two of them biased on purpose, so they disagree), combined by "
        "vote. An ensemble goes wherever a model goes: `hw.apply`, `hw.benchmark`, the "
        "Playground, a pipeline step. Next to the combined `label` and `score` come "
        "`agreement` (the share of models whose own answer is the combined one) and each "
        "model's own answer:"
    ),
    code(
        'upbeat = tiny.tiny_text_classifier(work / "upbeat", favour="positive")\n'
        'gloomy = tiny.tiny_text_classifier(work / "gloomy", favour="negative")\n'
        'panel = hw.Ensemble([sentiment, upbeat, gloomy], "text-classification", '
        'strategy="vote")\n'
        'voted = hw.apply(reviews.head(5), panel, column="review", progress=False)\n'
        'voted.drop(columns=[c for c in voted.columns if c.endswith(".score")])'
    ),
    md(
        "## 5. The same in a widget: `hw.WorkflowWidget`\n\n"
        "Compose the steps in the page (a task, then a model: the catalog's most downloaded "
        "for that task, one selected in a linked `hw.SearchWidget(...)` with `source=`, or a "
        "folder typed in), try them on a sample (a text, a row of the data, or an uploaded "
        "file: each step's output and latency), then **Apply to every row** with a live "
        "progress bar (rows done, rows/s, ETA) and **Cancel**. A link that cannot connect "
        "is named under its step, and the steps stay as composed. From Python: "
        "`w.pipeline` is the `hw.Pipeline` of the steps and `w.result` the last result.\n\n"
        "Here it starts from the pipeline above and the clips, and the cell runs the sample "
        "and the apply from Python, so the saved notebook shows both:"
    ),
    code(
        'w = hw.WorkflowWidget(pipeline, data=clips, column="audio")\n'
        "w.run_sample(recordings[1])\n"
        "w.apply(wait=True)\n"
        "w"
    ),
    code(
        CHECK + "print(w.pipeline)\n"
        'print(len(w.result), "rows;", w.result["error"].eq("").sum(), "without an error")'
    ),
    md(
        "Next: point `hw.apply` at a Hub model id and your own DataFrame; for a table too big "
        "for one machine, pass `executor=` a `dask.distributed.Client` and the partitions run "
        "on its workers, the model loaded once per worker."
    ),
]

write_tour("08-workflows.ipynb", cells)
