"""Code to run or deploy a model: transformers, InferenceClient, an Inference Endpoint, TGI, vLLM.

>>> hw.deploy_snippets("Qwen/Qwen2.5-7B-Instruct")

One row per way of serving the model (:data:`SNIPPET_COLUMNS`), each with the code to paste and a
note saying why a snippet is missing or what to adjust. Every snippet names the model and the
revision it was written for (the one given, else the catalog's commit sha, else "main" with a
note). No token is ever written: the code reads ``HF_TOKEN`` from the environment.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

__all__ = ["SNIPPET_COLUMNS", "SNIPPET_KINDS", "deploy_snippets"]

#: The columns of :func:`deploy_snippets`, in order.
SNIPPET_COLUMNS: tuple[str, ...] = ("kind", "provider", "language", "code", "note")

#: The kinds of snippet, in the order of the rows. A model that transformers does not load gets
#: its own library's snippet after the transformers row ("diffusers", "sentence-transformers",
#: "llama.cpp", or "download" for any other library).
SNIPPET_KINDS: tuple[str, ...] = (
    "transformers",
    "inference_client",
    "inference_endpoint",
    "tgi",
    "vllm",
)

#: The tasks ``transformers.pipeline`` takes (transformers 5), as the snippets write them.
PIPELINE_TASKS = frozenset(
    {
        "any-to-any",
        "audio-classification",
        "automatic-speech-recognition",
        "depth-estimation",
        "document-question-answering",
        "feature-extraction",
        "fill-mask",
        "image-classification",
        "image-feature-extraction",
        "image-segmentation",
        "image-text-to-text",
        "keypoint-matching",
        "mask-generation",
        "object-detection",
        "table-question-answering",
        "text-classification",
        "text-generation",
        "text-to-audio",
        "token-classification",
        "video-classification",
        "zero-shot-audio-classification",
        "zero-shot-classification",
        "zero-shot-image-classification",
        "zero-shot-object-detection",
    }
)
#: Hub tasks served by a pipeline of another name.
_PIPELINE_ALIASES = {
    "text-to-speech": "text-to-audio",
    "sentence-similarity": "feature-extraction",
    "conversational": "text-generation",
}
#: The model class for the tasks without a pipeline.
_AUTO_CLASSES = {
    "summarization": "AutoModelForSeq2SeqLM",
    "translation": "AutoModelForSeq2SeqLM",
    "text2text-generation": "AutoModelForSeq2SeqLM",
    "question-answering": "AutoModelForQuestionAnswering",
    "image-to-text": "AutoModelForImageTextToText",
    "visual-question-answering": "AutoModelForImageTextToText",
}

#: Tasks a text-generation server (TGI, vLLM) serves.
GENERATION_TASKS = frozenset({"text-generation", "image-text-to-text", "conversational"})

#: The InferenceClient method of each task and the positional arguments of an example call.
CLIENT_METHODS: dict[str, tuple[str, str]] = {
    "text-generation": ("chat_completion", '[{"role": "user", "content": "Hello!"}]'),
    "conversational": ("chat_completion", '[{"role": "user", "content": "Hello!"}]'),
    "image-text-to-text": (
        "chat_completion",
        '[{"role": "user", "content": [{"type": "text", "text": "Describe this image."}, '
        '{"type": "image_url", "image_url": {"url": "https://huggingface.co/datasets/'
        'huggingface/documentation-images/resolve/main/cat.png"}}]}]',
    ),
    "text-classification": ("text_classification", '"I love this!"'),
    "token-classification": ("token_classification", '"My name is Sarah and I live in London"'),
    "zero-shot-classification": (
        "zero_shot_classification",
        '"I love this!", ["positive", "negative"]',
    ),
    "feature-extraction": ("feature_extraction", '"Today is a sunny day."'),
    "sentence-similarity": (
        "sentence_similarity",
        '"That is a happy person", ["That is a happy dog", "Today is a sunny day"]',
    ),
    "fill-mask": ("fill_mask", '"The goal of life is [MASK]."'),
    "question-answering": (
        "question_answering",
        '"What is my name?", "My name is Clara and I live in Berkeley."',
    ),
    "summarization": ("summarization", '"A long text to summarize..."'),
    "translation": ("translation", '"My name is Wolfgang and I live in Berlin"'),
    "text-to-image": ("text_to_image", '"An astronaut riding a horse on the moon."'),
    "text-to-video": ("text_to_video", '"A young man walking on the street"'),
    "text-to-speech": ("text_to_speech", '"Hello world"'),
    "automatic-speech-recognition": ("automatic_speech_recognition", '"sample.flac"'),
    "audio-classification": ("audio_classification", '"sample.flac"'),
    "image-classification": ("image_classification", '"cat.jpg"'),
    "image-segmentation": ("image_segmentation", '"cat.jpg"'),
    "object-detection": ("object_detection", '"cat.jpg"'),
    "image-to-text": ("image_to_text", '"cat.jpg"'),
    "image-to-image": ("image_to_image", '"cat.jpg", prompt="Turn the cat into a tiger."'),
    "zero-shot-image-classification": (
        "zero_shot_image_classification",
        '"cat.jpg", candidate_labels=["cat", "dog"]',
    ),
    "visual-question-answering": ("visual_question_answering", '"cat.jpg", "What animal is it?"'),
    "document-question-answering": (
        "document_question_answering",
        '"invoice.png", "What is the total?"',
    ),
    "table-question-answering": (
        "table_question_answering",
        '{"Repository": ["Transformers", "Datasets"], "Stars": ["36542", "4512"]}, '
        '"How many stars does the transformers repository have?"',
    ),
}

#: A region to start from where the price table has none (the user adjusts it).
_DEFAULT_REGIONS = {"aws": "us-east-1", "gcp": "us-central1", "azure": "eastus"}


def deploy_snippets(
    model: str,
    *,
    revision: str | None = None,
    catalog: Any = None,
    providers: Sequence[str] | None = None,
    task: str | None = None,
    prices: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Code to run or deploy ``model``, one row per way (:data:`SNIPPET_COLUMNS`).

    Args:
        model: a model id the catalog holds.
        revision: the commit, branch or tag the snippets pin (default: the catalog's commit sha,
            else "main", and the notes say it is not pinned).
        catalog: where the model's task, library, files, providers and size come from (default
            ``hw.open_catalog()``).
        providers: the Inference Providers to write an InferenceClient row for (default: the
            catalog's ``providers``, the ones serving the model live).
        task: the pipeline task (default: the catalog's ``task``).
        prices: the instances to choose the endpoint's from (default ``hw.hardware_prices()``).

    The rows, by ``kind``:

    - ``"transformers"``: ``pipeline(task, model=..., revision=...)``. A model transformers does
      not load (a GGUF repository, another ``library``) gets a note here and a row of its own
      library after it: ``"llama.cpp"``, ``"diffusers"``, ``"sentence-transformers"``, or
      ``"download"`` (``snapshot_download``, then the library's own loader).
    - ``"inference_client"``: one per provider, ``InferenceClient(provider=...,
      api_key=os.environ["HF_TOKEN"])`` and the task's method (``chat_completion`` for chat
      models, ``text_classification``, ``text_to_image``...). A provider serves its own copy:
      the revision cannot be pinned, the note says so.
    - ``"inference_endpoint"``: ``HfApi().create_inference_endpoint(...)`` on the cheapest
      instance (bundled or live price) whose memory holds the model as ``hw.estimate_cost``
      computes it (fp16/bf16 weights plus overhead; a GPU for text generation); none when the
      size is unknown or nothing fits, and the note says why.
    - ``"tgi"``, ``"vllm"``: ``docker run`` commands for text-generation tasks; for other tasks a
      note saying these servers do not serve them.

    Raises:
        ValueError: an unknown model (with close matches), an unknown task (with the close ones).
        TypeError: ``model``, ``revision``, ``task`` not strings, ``providers`` not a list of
            names.
    """
    if not isinstance(model, str) or not model:
        raise TypeError(f"model must be a model id string, not {model!r}")
    if revision is not None and (not isinstance(revision, str) or not revision):
        raise TypeError(f"revision must be a commit sha, branch or tag string, not {revision!r}")
    if task is not None and (not isinstance(task, str) or not task):
        raise TypeError(f"task must be a pipeline task string, not {task!r}")
    chosen_providers = _check_providers(providers)
    record = _record(model, catalog)
    task = task or _text(record.get("task"))
    if task is not None and task not in CLIENT_METHODS and task not in _KNOWN_TASKS:
        close = difflib.get_close_matches(task, sorted(CLIENT_METHODS), n=3)
        hint = f" (close: {', '.join(close)})" if close else ""
        raise ValueError(f"unknown task {task!r}{hint}; valid: {', '.join(sorted(CLIENT_METHODS))}")
    pin_note = ""
    if revision is None:
        revision = _text(record.get("sha"))
        if revision is None:
            revision = "main"
            pin_note = (
                'revision not pinned: the catalog has no commit sha, so "main" (the latest), '
                "pass revision= to pin one"
            )
    spec = _Spec(model, revision, task, _text(record.get("library")), _files(record), pin_note)
    rows: list[dict[str, Any]] = []
    rows.extend(_local(spec))
    served = chosen_providers if chosen_providers is not None else _list(record.get("providers"))
    rows.extend(_clients(spec, served, given=chosen_providers is not None))
    rows.append(_endpoint(spec, catalog, prices))
    rows.extend(_servers(spec))
    out = pd.DataFrame(rows, columns=list(SNIPPET_COLUMNS))
    out.attrs["model"] = model
    out.attrs["revision"] = revision
    out.attrs["task"] = task
    return out


class _Spec:
    def __init__(
        self,
        model: str,
        revision: str,
        task: str | None,
        library: str | None,
        files: list[str],
        pin_note: str,
    ) -> None:
        self.model = model
        self.revision = revision
        self.task = task
        self.library = library
        self.files = files
        self.pin_note = pin_note

    @property
    def gguf_only(self) -> bool:
        if self.library == "gguf":
            return True
        weights = [f for f in self.files if f.endswith((".safetensors", ".bin", ".pt", ".pth"))]
        return any(f.endswith(".gguf") for f in self.files) and not weights

    def note(self, *parts: str) -> str:
        return "; ".join(p for p in (*parts, self.pin_note) if p)


def _row(
    kind: str, language: str, code: str, note: str, provider: str | None = None
) -> dict[str, Any]:
    if not code:  # no snippet: the note says why, not which revision it would have pinned
        note = "; ".join(p for p in note.split("; ") if not p.startswith("revision not pinned"))
    return {"kind": kind, "provider": provider, "language": language, "code": code, "note": note}


# -- local: transformers or the model's own library --------------------------------------------
def _local(spec: _Spec) -> list[dict[str, Any]]:
    m, r = json.dumps(spec.model), json.dumps(spec.revision)
    if spec.gguf_only:
        return [
            _row(
                "transformers",
                "python",
                "",
                spec.note(
                    "GGUF weights: transformers does not run them; the llama.cpp snippet below does"
                ),
            ),
            _llama_cpp(spec),
        ]
    library = spec.library
    if library in (None, "transformers"):
        task = _PIPELINE_ALIASES.get(spec.task or "", spec.task)
        assumed = "" if library else "library not in the catalog: transformers assumed"
        if task in PIPELINE_TASKS:
            code = (
                "from transformers import pipeline\n\n"
                f"pipe = pipeline({json.dumps(task)}, model={m}, revision={r})\n"
                f"print(pipe({_pipeline_input(task)}))\n"
            )
            why = "" if task == spec.task else f"the {task} pipeline serves {spec.task}"
            return [_row("transformers", "python", code, spec.note(why, assumed))]
        auto = _AUTO_CLASSES.get(spec.task or "", "AutoModel")
        code = (
            f"from transformers import {auto}, AutoTokenizer\n\n"
            f"tokenizer = AutoTokenizer.from_pretrained({m}, revision={r})\n"
            f"model = {auto}.from_pretrained({m}, revision={r})\n"
        )
        why = (
            f"transformers has no pipeline for {spec.task}: the model and its tokenizer"
            if spec.task
            else "no task in the catalog: the bare model (pass task= for a pipeline)"
        )
        return [_row("transformers", "python", code, spec.note(why, assumed))]
    not_tf = f"library {library}: transformers does not load it"
    if library == "diffusers":
        prompt = '"An astronaut riding a horse on the moon."'
        code = (
            "import torch\nfrom diffusers import DiffusionPipeline\n\n"
            f"pipe = DiffusionPipeline.from_pretrained({m}, revision={r}, "
            'torch_dtype=torch.float16).to("cuda")\n'
            f"image = pipe({prompt}).images[0]\n"
            'image.save("out.png")\n'
        )
        own = _row(
            "diffusers",
            "python",
            code,
            spec.note('needs a GPU (cuda); on CPU drop torch_dtype and .to("cuda")'),
        )
    elif library == "sentence-transformers":
        code = (
            "from sentence_transformers import SentenceTransformer\n\n"
            f"model = SentenceTransformer({m}, revision={r})\n"
            'embeddings = model.encode(["Today is a sunny day.", "It rains."])\n'
            "print(embeddings.shape)\n"
        )
        own = _row("sentence-transformers", "python", code, spec.note(""))
    else:
        code = (
            "from huggingface_hub import snapshot_download\n\n"
            f"path = snapshot_download({m}, revision={r})\n"
            "print(path)  # load it from there with the library's own loader\n"
        )
        own = _row(
            "download",
            "python",
            code,
            spec.note(f"the files at this revision; {library}'s loading code is on the model card"),
        )
    return [
        _row(
            "transformers",
            "python",
            "",
            spec.note(f"{not_tf}; the {own['kind']} snippet below instead"),
        ),
        own,
    ]


def _llama_cpp(spec: _Spec) -> dict[str, Any]:
    ggufs = sorted(f for f in spec.files if f.endswith(".gguf"))
    pick = next((f for f in ggufs if "q4_k_m" in f.lower()), ggufs[0] if ggufs else None)
    m, r = json.dumps(spec.model), json.dumps(spec.revision)
    why = "" if pick else "the catalog lists no .gguf file: set filename to one of the repo's"
    filename = json.dumps(pick or "model-Q4_K_M.gguf")
    code = (
        "import os\n\n"
        "from huggingface_hub import snapshot_download\nfrom llama_cpp import Llama\n\n"
        f"folder = snapshot_download({m}, revision={r}, allow_patterns=[{filename}])\n"
        f"path = os.path.join(folder, {filename})\n"
        "llm = Llama(model_path=path, n_ctx=4096)\n"
        'print(llm.create_chat_completion(messages=[{"role": "user", "content": "Hello!"}]))\n'
    )
    return _row("llama.cpp", "python", code, spec.note("pip install llama-cpp-python", why))


def _pipeline_input(task: str) -> str:
    method = CLIENT_METHODS.get(task)
    if task == "image-text-to-text":
        return (
            'text=[{"role": "user", "content": [{"type": "image", "url": "https://huggingface.co/'
            'datasets/huggingface/documentation-images/resolve/main/cat.png"}, '
            '{"type": "text", "text": "Describe this image."}]}], max_new_tokens=64'
        )
    if task in GENERATION_TASKS:
        return '[{"role": "user", "content": "Hello!"}], max_new_tokens=64'
    if task == "table-question-answering":
        table, query = method[1].split("}, ") if method else ("{}", '"..."')
        return f"table={table}}}, query={query}"
    if task == "document-question-answering":
        return 'image="invoice.png", question="What is the total?"'
    return '"..."' if method is None else method[1]


# -- serverless: InferenceClient per provider --------------------------------------------------
def _clients(spec: _Spec, providers: list[str], *, given: bool) -> list[dict[str, Any]]:
    method = CLIENT_METHODS.get(spec.task or "")
    if method is None:
        why = (
            f"InferenceClient has no method for the task {spec.task!r}"
            if spec.task
            else "no task in the catalog: pass task= for an InferenceClient call"
        )
        return [_row("inference_client", "python", "", why)]
    if not providers:
        return [
            _row(
                "inference_client",
                "python",
                "",
                "no Inference Provider serves it live (the catalog's providers): deploy an "
                "endpoint below, or pass providers=",
            )
        ]
    name, args = method
    out = []
    for provider in providers:
        call = f"client.{name}({args}, model={json.dumps(spec.model)})"
        if name == "chat_completion":
            call = f"client.{name}({args}, model={json.dumps(spec.model)}, max_tokens=256)"
            show = "print(result.choices[0].message.content)"
        elif name in ("text_to_image",):
            show = 'result.save("out.png")'
        elif name in ("text_to_speech", "text_to_video"):
            ext = "flac" if name == "text_to_speech" else "mp4"
            show = f'open("out.{ext}", "wb").write(result)'
        else:
            show = "print(result)"
        code = (
            "import os\n\nfrom huggingface_hub import InferenceClient\n\n"
            f"client = InferenceClient(provider={json.dumps(provider)}, "
            'api_key=os.environ["HF_TOKEN"])\n'
            f"result = {call}\n{show}\n"
        )
        note = (
            f"{provider} serves its own copy of {spec.model}: the revision "
            f"({spec.revision}) cannot be pinned"
        )
        if given:
            note += "; provider given (providers=), not checked against the catalog"
        out.append(_row("inference_client", "python", code, note, provider))
    return out


# -- dedicated: an Inference Endpoint on the cheapest instance that fits -----------------------
def _endpoint(spec: _Spec, catalog: Any, prices: pd.DataFrame | None) -> dict[str, Any]:
    from .estimate import Workload, estimate_cost  # noqa: PLC0415 - estimate imports the catalog
    from .prices import PROVIDER_COLUMNS  # noqa: PLC0415

    if spec.gguf_only:
        return _row(
            "inference_endpoint",
            "python",
            "",
            spec.note(
                "GGUF weights: deploy with the llama.cpp container (the model page's Deploy "
                "button); the pytorch framework does not run them"
            ),
        )
    no_providers = pd.DataFrame(columns=list(PROVIDER_COLUMNS))
    no_providers.attrs["note"] = "not needed for the instance"
    options = estimate_cost(
        spec.model,
        Workload(requests_per_day=1, input_tokens=1, output_tokens=1),
        options="dedicated",
        catalog=catalog,
        prices=prices,
        provider_table=no_providers,
    )
    usable = (
        options["fits"].fillna(False).astype(bool)
        & (options["status"].astype(object).fillna("") != "deprecated")
        & options["price_per_hour_usd"].notna()
    )
    gpu_note = ""
    if spec.task in GENERATION_TASKS:
        usable &= options["accelerator"].astype(object).fillna("") == "gpu"
        gpu_note = "a GPU instance for text generation"
    fits = options[usable.to_numpy(dtype=bool)]
    if not len(fits):
        why = str(options["note"].dropna().iloc[0]) if options["note"].notna().any() else ""
        return _row(
            "inference_endpoint",
            "python",
            "",
            spec.note(
                "no instance chosen: " + (why or "none that fits has a price"),
                "pick one from hw.hardware_prices()",
            ),
        )
    best = fits.sort_values(["price_per_hour_usd", "instance"]).iloc[0]
    vendor = str(best["vendor"])
    region = _text(best["region"])
    region_note = ""
    if region is None:
        region = _DEFAULT_REGIONS.get(vendor, "us-east-1")
        region_note = f"region {region} is a default (the price table has none): choose yours"
    name = _endpoint_name(spec.model)
    task_arg = f"    task={json.dumps(spec.task)},\n" if spec.task else ""
    code = (
        "from huggingface_hub import HfApi\n\n"
        "endpoint = HfApi().create_inference_endpoint(\n"
        f"    {json.dumps(name)},\n"
        f"    repository={json.dumps(spec.model)},\n"
        f"    revision={json.dumps(spec.revision)},\n"
        '    framework="pytorch",\n'
        f"{task_arg}"
        f"    accelerator={json.dumps(str(best['accelerator']))},\n"
        f"    vendor={json.dumps(vendor)},\n"
        f"    region={json.dumps(region)},\n"
        '    type="authenticated",\n'
        f"    instance_size={json.dumps(str(best['instance_size']))},\n"
        f"    instance_type={json.dumps(str(best['instance_type']))},\n"
        ")\n"
        "endpoint.wait()  # until it is running\n"
        "print(endpoint.url)\n"
    )
    price = float(best["price_per_hour_usd"])
    why = (
        f"{best['instance']}: the cheapest {'' if not gpu_note else 'GPU '}instance that holds "
        f"{float(best['memory_needed_gb']):,.1f} GB (fp16/bf16 weights plus overhead) in "
        f"{float(best['memory_available_gb']):,.0f} GB, ${price:,.3f}/hour "
        f"({best['price_source']}); billed while running"
    )
    return _row("inference_endpoint", "python", code, spec.note(why, region_note))


def _endpoint_name(model: str) -> str:
    """An endpoint name from the model's: lowercase letters, digits and dashes, at most 32."""
    slug = re.sub(r"[^a-z0-9]+", "-", model.rsplit("/", 1)[-1].lower()).strip("-")
    return slug[:32].rstrip("-") or "endpoint"


# -- containers: TGI and vLLM ------------------------------------------------------------------
def _servers(spec: _Spec) -> list[dict[str, Any]]:
    if spec.task not in GENERATION_TASKS:
        what = f"the task {spec.task!r}" if spec.task else "a model with no task in the catalog"
        why = f"serves text generation only, not {what}"
        if spec.task in ("feature-extraction", "sentence-similarity", "text-classification"):
            why += " (text-embeddings-inference serves embeddings and classifiers)"
        return [_row("tgi", "bash", "", "TGI " + why), _row("vllm", "bash", "", "vLLM " + why)]
    if spec.gguf_only:
        why = "GGUF weights: serve them with llama.cpp (llama-server) instead"
        return [_row("tgi", "bash", "", why), _row("vllm", "bash", "", why)]
    m, r = spec.model, spec.revision
    tgi = (
        "docker run --gpus all --shm-size 1g -p 8080:80 \\\n"
        '    -e HF_TOKEN="$HF_TOKEN" -v "$HOME/.cache/huggingface:/data" \\\n'
        "    ghcr.io/huggingface/text-generation-inference:latest \\\n"
        f"    --model-id {m} --revision {r}\n"
    )
    vllm = (
        "docker run --gpus all --ipc=host -p 8000:8000 \\\n"
        '    -e HF_TOKEN="$HF_TOKEN" -v "$HOME/.cache/huggingface:/root/.cache/huggingface" \\\n'
        "    vllm/vllm-openai:latest \\\n"
        f"    --model {m} --revision {r}\n"
    )
    return [
        _row("tgi", "bash", tgi, spec.note("OpenAI-compatible API on http://localhost:8080/v1")),
        _row("vllm", "bash", vllm, spec.note("OpenAI-compatible API on http://localhost:8000/v1")),
    ]


# -- inputs --------------------------------------------------------------------------------------
_KNOWN_TASKS = frozenset(
    {
        "text2text-generation",
        "image-to-video",
        "audio-to-audio",
        "tabular-classification",
        "tabular-regression",
        "depth-estimation",
        "mask-generation",
        "video-classification",
        "image-feature-extraction",
        "any-to-any",
        "text-to-audio",
        "reinforcement-learning",
        "robotics",
        "unconditional-image-generation",
        "zero-shot-object-detection",
        "image-to-3d",
        "text-to-3d",
        "keypoint-detection",
        "video-text-to-text",
        "visual-document-retrieval",
        "text-ranking",
        "other",
    }
)


def _check_providers(providers: Any) -> list[str] | None:
    if providers is None:
        return None
    if isinstance(providers, str):
        return _check_providers([providers])
    if not isinstance(providers, Iterable):
        raise TypeError(
            f"providers must be a list of provider names, not {type(providers).__name__}"
        )
    names = list(providers)
    bad = [p for p in names if not isinstance(p, str) or not p]
    if bad:
        raise TypeError(f"each provider must be a name string, not {bad[0]!r}")
    return list(dict.fromkeys(names))


def _record(model: str, catalog: Any) -> dict[str, Any]:
    from ..catalog.sources import open_catalog  # noqa: PLC0415 - the catalog is heavy to import

    if catalog is None:
        catalog = open_catalog(verbose=False)
    # UnknownModelError is a ValueError naming the close ids (as hw.check and hw.compare say)
    row = catalog.model(model)
    return dict(row.items()) if hasattr(row, "items") else dict(row)


def _text(value: Any) -> str | None:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = str(value)
    return text or None


def _list(value: Any) -> list[str]:
    if value is None or value is pd.NA or isinstance(value, (str, float)):
        return []
    try:
        return [str(v) for v in value if v]
    except TypeError:
        return []


def _files(record: dict[str, Any]) -> list[str]:
    return _list(record.get("files"))
