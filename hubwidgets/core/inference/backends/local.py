"""LocalBackend: run models on this machine with transformers pipelines.

``LocalBackend().run(task, model, inputs)`` loads ``model`` (a local directory, or a Hub repo id
the Hugging Face cache already holds) once per (model, task, device), runs it on the items and
normalizes the outputs to the shapes listed in :mod:`hubwidgets.core.inference.backends._base`.

torch and transformers are imported inside the methods: importing this module costs nothing.

Notes on tasks:

- transformers 5 removed the summarization, translation and question-answering pipelines; this
  backend runs those with the model classes directly (``AutoModelForSeq2SeqLM.generate``,
  ``AutoModelForQuestionAnswering`` span scoring).
- feature-extraction gives each text's last hidden states (tokens x dims), computed with the
  feature-extraction pipeline's model and tokenizer under the attention mask: the pipeline
  itself keeps a batch's padding rows. sentence-similarity is the cosine similarity of their
  means (what sentence-transformers models with mean pooling compute; other poolings differ).
- fill-mask on a text with several masks gives one candidate list per mask (a list of lists).
- ``metrics["generated_tokens"]`` and ``metrics["ttft_ms"]`` (time to first token) come from a
  streamer that watches ``generate`` for one item; a batch re-encodes the new text to count
  its tokens (exact for ordinary text) and has no time to first token.
- chat-completion needs a chat template: a model without one is a ``BackendError`` telling to
  use text-generation instead (no template is invented).
- image-to-text (captioning) runs the model's ``generate`` on its image processor's pixels, as
  transformers 4's image-to-text pipeline did: transformers 5 folded that pipeline into
  image-text-to-text, which wants a text prompt and a multimodal processor, so it cannot load
  the vision-encoder-decoder captioners (ViT + GPT-2, TrOCR, Donut) that have neither.
  BLIP captioners run the same way (and GIT, as transformers 4 ran it). Chat vision-language
  models, which need a prompt, are not captioners here. text-to-image is remote only.
- audio at another sampling rate than the model's is resampled by linear interpolation, so
  torchaudio is not needed.

The team policy: before loading a model (before any ``from_pretrained``), the backend runs
:func:`hw.check` with ``scan="local"`` on the folder or HF-cache snapshot it is about to load
(scanning reads files, it never unpickles or imports them), under its ``policy=`` or else the
session's policy (:func:`hw.use_policy`). "deny" raises :class:`PolicyError` naming the model,
the reasons and how to override (``allow_denied=True``); "review" loads, and the verdict is kept
in :attr:`LocalBackend.verdicts`. Verdicts are cached per (folder, files' sizes and times,
policy), so loading again, or for another task, does not scan again. A repo id not in the cache
yet (and the Hub reachable) is downloaded into the cache first, so what is checked is what loads.
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...governance.check import check as _check
from ...governance.policy import Policy, active_policy_source, as_policy
from ...governance.scan import weight_formats
from ._base import (
    AUDIO_TASKS,
    IMAGE_TASKS,
    STREAMING_TASKS,
    BackendError,
    InferenceResult,
    PolicyError,
    chat_messages,
    check_inputs,
    check_task,
    load_audio,
    load_image,
    looks_like_path,
)

__all__ = ["LocalBackend"]

#: The transformers pipeline each task loads (tasks missing here load model classes directly).
PIPELINE_TASKS = {
    "text-classification": "text-classification",
    "token-classification": "token-classification",
    "zero-shot-classification": "zero-shot-classification",
    "fill-mask": "fill-mask",
    "text-generation": "text-generation",
    "chat-completion": "text-generation",
    "feature-extraction": "feature-extraction",
    "sentence-similarity": "feature-extraction",
    "text-to-speech": "text-to-audio",
    "image-classification": "image-classification",
    "object-detection": "object-detection",
    "image-segmentation": "image-segmentation",
    "zero-shot-image-classification": "zero-shot-image-classification",
    "automatic-speech-recognition": "automatic-speech-recognition",
    "audio-classification": "audio-classification",
}
#: Tasks run with model classes, since transformers 5 has no pipeline for them.
MODEL_TASKS = {
    "summarization": "AutoModelForSeq2SeqLM",
    "translation": "AutoModelForSeq2SeqLM",
    "question-answering": "AutoModelForQuestionAnswering",
    "image-to-text": "AutoModelForImageTextToText",
}
#: Tasks this backend refuses, with why.
REMOTE_ONLY = {
    "text-to-image": "text-to-image runs remotely only: diffusion models are not run by "
    "LocalBackend (use RemoteBackend)",
}
_CLASSIFICATION = (
    "text-classification",
    "image-classification",
    "audio-classification",
    "zero-shot-image-classification",
)
_TRUE = frozenset({"1", "true", "yes", "on"})


@dataclass
class _Loaded:
    pipe: Any
    load_ms: float
    sha: str | None
    policy: Policy  # the policy it was admitted under: another one checks it again


#: Files fetched into the cache before a check of a repo id that is not there yet, besides the
#: weights (safetensors, else pickles): config, tokenizer, chat template and code files.
_FETCH_SUFFIXES = (".json", ".txt", ".model", ".tiktoken", ".jinja", ".py")
_SKIP_DIRS = frozenset({".git", ".cache", "__pycache__"})
#: Verdicts kept (shared by every LocalBackend of the process: a new Playground does not rescan).
_VERDICTS_KEPT = 256
_verdict_cache: dict[tuple[str, tuple[int, int, int], Policy], tuple[str, list[str]]] = {}
_verdict_lock = threading.Lock()


def _files_to_fetch(names: list[str]) -> list[str]:
    """Of a repository's files, those a load needs: config, tokenizer and code files, and the
    weights in one format (safetensors when there are, else the pickles)."""
    formats = weight_formats(names)
    weights = (
        [n for n in names if n.endswith(".safetensors")]
        if formats["safetensors"]
        else list(formats["pickle_files"])
    )
    other = [n for n in names if n.lower().endswith(_FETCH_SUFFIXES)]
    return sorted(set(other) | set(weights))


def _stamp(folder: Path) -> tuple[int, int, int]:
    """(files, total bytes, newest mtime in ns) of ``folder``: changes when its files do."""
    count = size = newest = 0
    for base, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
        for name in names:
            try:
                st = (Path(base) / name).stat()  # through a cache symlink: the blob
            except OSError:
                continue
            count, size, newest = count + 1, size + st.st_size, max(newest, st.st_mtime_ns)
    return count, size, newest


def policy_verdict(folder: str | Path, policy: Policy) -> tuple[str, list[str]]:
    """``(verdict, reasons)`` of :func:`hw.check` (``scan="local"``) on ``folder`` under
    ``policy``, cached until a file of the folder changes."""
    root = Path(folder).expanduser().resolve()
    key = (str(root), _stamp(root), policy)
    hit = _verdict_cache.get(key)
    if hit is not None:
        return hit[0], list(hit[1])
    row = _check(root, policy=policy, scan="local").iloc[0]
    found = (str(row["verdict"]), [str(r) for r in row["reasons"]])
    with _verdict_lock:
        if len(_verdict_cache) >= _VERDICTS_KEPT:
            _verdict_cache.pop(next(iter(_verdict_cache)))
        _verdict_cache[key] = found
    return found[0], list(found[1])


def _offline() -> bool:
    """Whether the Hub must not be reached (read at call time, unlike huggingface_hub's flag)."""
    from huggingface_hub import is_offline_mode  # noqa: PLC0415

    flags = (os.environ.get("HF_HUB_OFFLINE", ""), os.environ.get("TRANSFORMERS_OFFLINE", ""))
    return is_offline_mode() or any(flag.strip().lower() in _TRUE for flag in flags)


@contextlib.contextmanager
def quiet_progress_bars() -> Iterator[None]:
    """transformers' own progress bars off for a while ("Loading weights" for every load).

    A benchmark or a playground reports its own progress; a bar per model load only buries it.
    The setting is global in transformers, so it is put back as it was.
    """
    from transformers.utils import logging as tf_logging  # noqa: PLC0415

    was_enabled = tf_logging.is_progress_bar_enabled()
    tf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            tf_logging.enable_progress_bar()


def _floats(value: Any) -> Any:
    """``value`` with numpy/torch scalars and arrays turned into plain Python numbers."""
    if isinstance(value, Mapping):
        return {k: _floats(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_floats(v) for v in value]
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def _ranked(scores: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = [{"label": str(s["label"]), "score": float(s["score"])} for s in scores]
    return sorted(out, key=lambda s: s["score"], reverse=True)


def _png_base64(image: Any) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _wav_bytes(audio: Any, rate: int) -> bytes:
    import numpy as np  # noqa: PLC0415
    import soundfile  # noqa: PLC0415

    array = np.asarray(audio, dtype=np.float32).squeeze()
    if array.ndim == 2 and array.shape[0] < array.shape[1]:
        array = array.T  # (channels, samples) -> (samples, channels)
    buffer = io.BytesIO()
    soundfile.write(buffer, array, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def _resample(audio: dict[str, Any], rate: int) -> dict[str, Any]:
    """``audio`` at ``rate`` Hz, resampled by linear interpolation when it differs."""
    import numpy as np  # noqa: PLC0415

    source = int(audio["sampling_rate"])
    array = audio["array"]
    if source != rate and len(array):
        n = max(round(len(array) * rate / source), 1)
        positions = np.linspace(0, len(array) - 1, n)
        array = np.interp(positions, np.arange(len(array)), array).astype(np.float32)
    return {"raw": array, "sampling_rate": rate}


def _batched(items: list[Any], size: int | None) -> Iterator[list[Any]]:
    step = max(int(size or len(items)), 1)
    for start in range(0, len(items), step):
        yield items[start : start + step]


class LocalBackend:
    """Run models with transformers on this machine (CPU, CUDA or Apple MPS).

    ``device="auto"`` picks CUDA, then MPS, then the CPU. Loaded pipelines are kept per
    (model, task, device) until :meth:`unload`. ``trust_remote_code`` stays off unless given:
    a model whose code lives in its repository then fails to load instead of running that code.

    Every model is checked against a team policy before it loads: ``policy`` (a
    :class:`hw.Policy`, a dict of its keys or a YAML file; default: the session's, see
    :func:`hw.use_policy`). A "deny" verdict raises :class:`PolicyError` unless
    ``allow_denied=True``; every verdict is kept in :attr:`verdicts`.
    """

    name = "local"

    def __init__(
        self,
        device: str = "auto",
        *,
        trust_remote_code: bool = False,
        cache_dir: str | Path | None = None,
        revision: str | None = None,
        policy: Policy | Mapping[str, Any] | str | os.PathLike[str] | None = None,
        allow_denied: bool = False,
        endpoint: str | None = None,
    ) -> None:
        if not isinstance(allow_denied, bool):
            raise TypeError(f"allow_denied must be True or False, not {allow_denied!r}")
        self._requested = device
        self._device = device
        self.trust_remote_code = trust_remote_code
        self.cache_dir = str(cache_dir) if cache_dir is not None else None
        self.revision = revision
        self._policy = None if policy is None else as_policy(policy)
        self.allow_denied = allow_denied
        self.endpoint = endpoint  # the Hub a repo id not in the cache is fetched from
        #: ``{model: (verdict, reasons)}`` of every model checked before loading ("review":
        #: loaded, with the policy's reasons to look at; "deny": refused, or loaded under
        #: ``allow_denied``)
        self.verdicts: dict[str, tuple[str, list[str]]] = {}
        self._cache: dict[tuple[str, str, str], _Loaded] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LocalBackend(device={self._device!r}, loaded={len(self._cache)})"

    # Sent to another process (a dask worker, a process pool), a backend travels as its settings:
    # the worker loads its own models on its own device ("auto" is resolved again there).
    # The policy travels too, the session's when none was given: a worker obeys the notebook's.
    def __getstate__(self) -> dict[str, Any]:
        return {
            "device": self._requested,
            "trust_remote_code": self.trust_remote_code,
            "cache_dir": self.cache_dir,
            "revision": self.revision,
            "policy": self.policy.to_dict(),
            "allow_denied": self.allow_denied,
            "endpoint": self.endpoint,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(  # type: ignore[misc]
            state["device"],
            trust_remote_code=state["trust_remote_code"],
            cache_dir=state["cache_dir"],
            revision=state["revision"],
            policy=state.get("policy"),
            allow_denied=state.get("allow_denied", False),
            endpoint=state.get("endpoint"),
        )

    @property
    def policy(self) -> Policy:
        """The policy models are checked against: the one given, else the session's."""
        return self._policy if self._policy is not None else active_policy_source()[0]

    @property
    def device(self) -> str:
        """The torch device name the models run on ("cpu", "cuda", "mps")."""
        if self._device == "auto":
            import torch  # noqa: PLC0415

            if torch.cuda.is_available():
                self._device = "cuda"
            elif torch.backends.mps.is_available():
                self._device = "mps"
            else:
                self._device = "cpu"
        return self._device

    # -- loading -------------------------------------------------------------------------------

    def loaded(self) -> list[tuple[str, str, str]]:
        """The (model, task, device) of every model held in memory."""
        return list(self._cache)

    def unload(self, model: str | None = None) -> int:
        """Forget the loaded pipelines of ``model`` (all when ``None``); how many were dropped."""
        with self._lock:
            keys = [k for k in self._cache if model is None or k[0] == model]
            for key in keys:
                del self._cache[key]
        if keys:
            import gc  # noqa: PLC0415

            gc.collect()
            if self.device == "cuda":
                import torch  # noqa: PLC0415

                torch.cuda.empty_cache()
        return len(keys)

    def model_sha(self, model: str) -> str | None:
        """The commit of ``model`` in the Hugging Face cache (``None`` for a local folder)."""
        if looks_like_path(model):
            return None
        from huggingface_hub import try_to_load_from_cache  # noqa: PLC0415

        found = try_to_load_from_cache(
            model, "config.json", cache_dir=self.cache_dir, revision=self.revision
        )
        if not isinstance(found, str):
            return None
        parts = Path(found).parts
        return parts[-2] if len(parts) >= 2 and parts[-3] == "snapshots" else None

    def pipeline_kwargs(self, task: str, model: str) -> dict[str, Any]:
        """The keyword arguments the transformers loader gets for ``model`` (a seam for tests)."""
        kwargs: dict[str, Any] = {
            "device": self.device,
            "trust_remote_code": self.trust_remote_code,
        }
        if self.revision is not None and not looks_like_path(model):
            kwargs["revision"] = self.revision
        if self.cache_dir is not None:
            kwargs["model_kwargs"] = {"cache_dir": self.cache_dir}
        return kwargs

    def _check_source(self, model: str) -> str | None:
        """The cached commit of ``model``; ``BackendError`` if it cannot be found offline."""
        if looks_like_path(model):
            if not Path(model).expanduser().is_dir():
                raise BackendError(
                    f"no model folder at {model!r}", backend=self.name, reason="load"
                )
            return None
        sha = self.model_sha(model)
        if sha is None and _offline():
            raise BackendError(
                f"model {model!r} is not in the local Hugging Face cache and the Hub is offline "
                f"(HF_HUB_OFFLINE is set). Download it first where the Hub is reachable, "
                f"e.g. `hf download {model}`, or pass the path of a folder holding the model.",
                backend=self.name,
                reason="load",
            )
        return sha

    def pipeline(self, task: str, model: str) -> Any:
        """The loaded transformers pipeline (or model wrapper) that :meth:`run` calls for
        (model, task), loading it if needed: to call it yourself, or time it bare."""
        return self._load(check_task(task), model)[0]

    def _load(self, task: str, model: str) -> tuple[Any, float | None, str | None]:
        """The pipeline for (model, task), loading it if needed; its load time if it was."""
        key = (model, task, self.device)
        rules, where = self._rules()
        hit = self._cache.get(key)  # a dict read needs no lock: the common case stays cheap
        if hit is not None and hit.policy == rules:
            return hit.pipe, None, hit.sha
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit.policy == rules:
                return hit.pipe, None, hit.sha
            sha = self._check_source(model)
            self._admit(model, rules, where)
            if sha is None and not looks_like_path(model):
                sha = self.model_sha(model)  # downloaded by the check just now
            if hit is not None:  # loaded under another policy, which admits it too
                self._cache[key] = _Loaded(hit.pipe, hit.load_ms, hit.sha, rules)
                return hit.pipe, None, hit.sha
            started = time.perf_counter()
            try:
                with quiet_progress_bars():
                    pipe = self._build(task, model)
            except BackendError:
                raise
            except Exception as exc:
                raise BackendError(
                    f"could not load {model!r} for {task}: {type(exc).__name__}: {exc}",
                    backend=self.name,
                    reason="load",
                ) from exc
            load_ms = (time.perf_counter() - started) * 1000
            self._cache[key] = _Loaded(pipe, load_ms, sha, rules)
            return pipe, load_ms, sha

    # -- the policy ----------------------------------------------------------------------------

    def _rules(self) -> tuple[Policy, str]:
        """The policy to check against, and its name in messages."""
        if self._policy is not None:
            return self._policy, "the backend's policy"
        rules, where = active_policy_source()
        session = "the session's policy (hw.use_policy)"
        return rules, (session if where == "hw.use_policy" else where)

    def model_folder(self, model: str) -> Path | None:
        """The folder ``model`` loads from: itself for a local folder, its snapshot in the
        Hugging Face cache for a repo id (``None``: not in the cache)."""
        if looks_like_path(model):
            return Path(model).expanduser()
        from huggingface_hub import try_to_load_from_cache  # noqa: PLC0415

        found = try_to_load_from_cache(
            model, "config.json", cache_dir=self.cache_dir, revision=self.revision
        )
        return Path(found).parent if isinstance(found, str) else None

    def _fetch(self, model: str) -> Path:
        """Download ``model``'s config, tokenizer, code and weights files (safetensors, else
        pickles; no other framework's) into the cache, loading nothing: the check then sees
        the files that will load. Its snapshot folder."""
        from huggingface_hub import HfApi, hf_hub_download  # noqa: PLC0415

        try:
            info = HfApi(endpoint=self.endpoint).model_info(model, revision=self.revision)
            names = [s.rfilename for s in info.siblings or []]
            wanted = _files_to_fetch(names)
            if not wanted:
                raise ValueError(f"the repository lists no files to load ({len(names)} files)")
            path = ""
            for name in wanted:
                path = hf_hub_download(
                    model,
                    name,
                    revision=self.revision,
                    cache_dir=self.cache_dir,
                    endpoint=self.endpoint,
                )
        except Exception as exc:
            raise BackendError(
                f"could not download {model!r} to check it before loading: "
                f"{type(exc).__name__}: {exc}",
                backend=self.name,
                reason="load",
            ) from exc
        return Path(path[: -len(wanted[-1])])  # .../snapshots/<sha>/ + the last name

    def _admit(self, model: str, rules: Policy, where: str) -> None:
        """Check ``model``'s files against ``rules`` before anything of it loads: a "deny" is
        a :class:`PolicyError` unless ``allow_denied``."""
        folder = self.model_folder(model)
        if folder is None:
            folder = self._fetch(model)
        try:
            verdict, reasons = policy_verdict(folder, rules)
        except (OSError, ValueError) as exc:  # a check that cannot run admits nothing
            raise BackendError(
                f"could not check {model!r} against {where} before loading: {exc}",
                backend=self.name,
                reason="load",
            ) from exc
        self.verdicts[model] = (verdict, reasons)
        if verdict == "deny" and not self.allow_denied:
            raise PolicyError(
                f"{model!r} is denied by {where}, so nothing of it was loaded: "
                f"{'; '.join(reasons)}. To load it anyway, pass allow_denied=True "
                "(LocalBackend(allow_denied=True), hw.Playground(..., allow_denied=True), "
                "hw.benchmark(..., allow_denied=True)) or change the policy (hw.use_policy).",
                model=model,
                reasons=reasons,
                backend=self.name,
            )

    def _build(self, task: str, model: str) -> Any:
        import transformers  # noqa: PLC0415

        kwargs = self.pipeline_kwargs(task, model)
        source = str(Path(model).expanduser()) if looks_like_path(model) else model
        if task in MODEL_TASKS:
            hub = {k: v for k, v in kwargs.items() if k not in {"device", "model_kwargs"}}
            hub.update(kwargs.get("model_kwargs", {}))
            tokenizer = transformers.AutoTokenizer.from_pretrained(source, **hub)
            images = None
            if task in IMAGE_TASKS:
                images = transformers.AutoImageProcessor.from_pretrained(source, **hub)
            auto = getattr(transformers, MODEL_TASKS[task])
            loaded = auto.from_pretrained(source, **hub).to(kwargs["device"]).eval()
            return _ModelPipe(loaded, tokenizer, kwargs["device"], images)
        make: Any = transformers.pipeline  # its overloads want a literal task name
        return make(PIPELINE_TASKS[task], model=source, **kwargs)

    # -- running -------------------------------------------------------------------------------

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        """Run ``model`` for ``task`` on ``inputs`` (one item or a list); one output per item.

        ``params`` go to the pipeline call (``max_new_tokens``, ``candidate_labels``,
        ``batch_size``...). Bad items are a ``ValueError`` naming their index; a model that
        cannot load is a ``BackendError`` with ``reason="load"``, a failed run ``reason="run"``.
        """
        return self.prepare(task, model, inputs, **params)()

    def prepare(
        self, task: str, model: str, inputs: Any, **params: Any
    ) -> Callable[[], InferenceResult]:
        """Check the inputs, decode files and load the model once; the function returned runs
        only the model call, as :meth:`run` would, each time it is called.

        What a benchmark repeats: the engine (``hw.benchmark``) calls it once per batch, then
        times the model alone. The first result carries the load time, if this loaded it.
        """
        task = check_task(task)
        items = check_inputs(task, inputs, params=params)
        if task in REMOTE_ONLY:
            raise BackendError(REMOTE_ONLY[task], backend=self.name, reason="run")
        items = self._prepare(task, items)
        pipe, load_ms, sha = self._load(task, model)
        runner = _RUNNERS.get(task, _run_pipeline)
        name, provider = self.name, self.device
        pending_load = [load_ms]

        def call() -> InferenceResult:
            started = time.perf_counter()
            try:
                outputs, metrics = runner(task, pipe, items, dict(params))
            except BackendError:
                raise
            except Exception as exc:
                raise BackendError(
                    f"{model!r} failed on {task}: {type(exc).__name__}: {exc}",
                    backend=name,
                    reason="run",
                ) from exc
            latency_ms = (time.perf_counter() - started) * 1000
            loaded, pending_load[0] = pending_load[0], None
            return InferenceResult(
                task, model, outputs, name, provider, latency_ms, loaded, sha, [], metrics
            )

        return call

    def _prepare(self, task: str, items: list[Any]) -> list[Any]:
        """Images and audio decoded (a corrupt file is a ``ValueError`` naming its index)."""
        if task in IMAGE_TASKS:
            return [load_image(item, i) for i, item in enumerate(items)]
        if task in AUDIO_TASKS:
            return [load_audio(item, i) for i, item in enumerate(items)]
        if task == "chat-completion":
            return [chat_messages(item) for item in items]
        return items

    def stream(self, task: str, model: str, inputs: Any, **params: Any) -> Iterator[str]:
        """Yield the generated text piece by piece (text-generation, chat-completion; one item).

        Generation runs in a thread feeding a ``TextIteratorStreamer``; the pieces joined are
        the text :meth:`run` returns for the same greedy parameters.
        """
        task = check_task(task)
        if task not in STREAMING_TASKS:
            raise ValueError(f"{task} cannot stream: only {', '.join(STREAMING_TASKS)} can")
        items = check_inputs(task, inputs, params=params)
        if len(items) != 1:
            raise ValueError(f"stream takes one item, got {len(items)}")
        item = self._prepare(task, items)[0]
        pipe, _load_ms, _sha = self._load(task, model)
        return self._stream(task, model, pipe, item, params)

    def _stream(
        self, task: str, model: str, pipe: Any, item: Any, params: dict[str, Any]
    ) -> Iterator[str]:
        from transformers import (  # noqa: PLC0415
            StoppingCriteria,
            StoppingCriteriaList,
            TextIteratorStreamer,
        )

        tokenizer = pipe.tokenizer
        if task == "chat-completion":
            _require_chat_template(pipe, model)
            encoded = tokenizer.apply_chat_template(
                item, add_generation_prompt=True, return_tensors="pt", return_dict=True
            )
        else:
            encoded = tokenizer(item, return_tensors="pt")
        encoded = {k: v.to(pipe.model.device) for k, v in encoded.items()}
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
        failure: list[BaseException] = []
        closed = threading.Event()

        class Closed(StoppingCriteria):
            """Ends generate() at the next token once the consumer stops reading (a Stop)."""

            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> bool:
                return closed.is_set()

        def generate() -> None:
            try:
                pipe.model.generate(
                    **encoded,
                    **_generation_params(params),
                    streamer=streamer,
                    stopping_criteria=StoppingCriteriaList([Closed()]),
                )
            except Exception as exc:  # handed to the consuming thread below
                failure.append(exc)
                streamer.end()

        thread = threading.Thread(target=generate, name="hubwidgets-stream", daemon=True)
        thread.start()
        try:
            for piece in streamer:
                if piece:
                    yield piece
        finally:
            closed.set()  # the consumer closed the generator early: stop generating too
            thread.join()
        if failure:
            raise BackendError(
                f"{model!r} failed while streaming {task}: {failure[0]}",
                backend=self.name,
                reason="run",
            ) from failure[0]


@dataclass
class _ModelPipe:
    """A model and its tokenizer (and image processor), for the tasks transformers 5 has no
    pipeline for."""

    model: Any
    tokenizer: Any
    device: str
    image_processor: Any = None


_Runner = Callable[[str, Any, list[Any], dict[str, Any]], tuple[list[Any], dict[str, float]]]


def _generation_params(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k not in {"batch_size", "return_full_text"}}


def _call(pipe: Any, items: list[Any], params: dict[str, Any]) -> list[Any]:
    """The pipeline on ``items`` (always a list, so there is one result per item)."""
    batch_size = params.pop("batch_size", None)
    if len(items) == 1:
        # a pipeline unwraps a one-item list for some tasks but not others: pass the item
        return [pipe(items[0], **params)]
    if batch_size is not None:
        params["batch_size"] = int(batch_size)
    return list(pipe(items, **params))


def _run_pipeline(
    task: str, pipe: Any, items: list[Any], params: dict[str, Any]
) -> tuple[list[Any], dict[str, float]]:
    if task in _CLASSIFICATION:
        params.setdefault("top_k", None)
    if task in AUDIO_TASKS:
        rate = int(pipe.feature_extractor.sampling_rate)
        items = [_resample(item, rate) for item in items]
    raw = _call(pipe, items, params)
    return [_NORMALIZE.get(task, _floats)(out) for out in raw], {}


def _first(out: Any) -> Any:
    return out[0] if isinstance(out, list) and len(out) == 1 else out


def _classification(out: Any) -> list[dict[str, Any]]:
    if isinstance(out, Mapping):
        out = [out]
    return _ranked(out)


def _zero_shot(out: Mapping[str, Any]) -> list[dict[str, Any]]:
    return _ranked(
        [{"label": a, "score": b} for a, b in zip(out["labels"], out["scores"], strict=True)]
    )


def _entities(out: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "entity_group": str(e.get("entity_group", e.get("entity", ""))),
            "score": float(e["score"]),
            "word": str(e["word"]),
            "start": None if e.get("start") is None else int(e["start"]),
            "end": None if e.get("end") is None else int(e["end"]),
        }
        for e in out
    ]


def _fill_mask(out: list[Any]) -> list[Any]:
    def one(c: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "sequence": str(c["sequence"]),
            "score": float(c["score"]),
            "token": int(c["token"]),
            "token_str": str(c["token_str"]),
        }

    # several [MASK]s give one candidate list per mask
    return [[one(c) for c in mask] if isinstance(mask, list) else one(mask) for mask in out]


def _detections(out: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    found = [
        {
            "label": str(d["label"]),
            "score": float(d["score"]),
            "box": {k: int(d["box"][k]) for k in ("xmin", "ymin", "xmax", "ymax")},
        }
        for d in out
    ]
    return sorted(found, key=lambda d: d["score"], reverse=True)


def _segments(out: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "label": str(s["label"]),
            "score": None if s.get("score") is None else float(s["score"]),
            "mask": _png_base64(s["mask"]),
        }
        for s in out
    ]


def _speech(out: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"text": str(out["text"])}
    if out.get("chunks") is not None:
        result["chunks"] = [
            {"text": str(c["text"]), "timestamp": [_floats(t) for t in c["timestamp"]]}
            for c in out["chunks"]
        ]
    return result


def _speech_out(out: Mapping[str, Any]) -> dict[str, Any]:
    rate = int(out["sampling_rate"])
    return {"audio": _wav_bytes(out["audio"], rate), "sampling_rate": rate}


_NORMALIZE: dict[str, Callable[[Any], Any]] = {
    **dict.fromkeys(_CLASSIFICATION, _classification),
    "zero-shot-classification": _zero_shot,
    "token-classification": _entities,
    "fill-mask": _fill_mask,
    "object-detection": _detections,
    "image-segmentation": _segments,
    "automatic-speech-recognition": _speech,
    "text-to-speech": _speech_out,
}


def _run_token_classification(
    task: str, pipe: Any, items: list[Any], params: dict[str, Any]
) -> tuple[list[Any], dict[str, float]]:
    params.setdefault("aggregation_strategy", "simple")
    return _run_pipeline(task, pipe, items, params)


def _ensure_pad_token(pipe: Any) -> None:
    """Batching left-pads prompts: a model without a pad token pads with its end token."""
    if pipe.tokenizer.pad_token_id is None:
        eos = pipe.model.generation_config.eos_token_id
        pipe.tokenizer.pad_token_id = eos[0] if isinstance(eos, list) else eos


def _count_tokens(pipe: Any, texts: list[str]) -> int:
    """How many tokens ``texts`` encode to: the new tokens, re-counted from the new text.

    Exact for ordinary text; a model that emits bytes which are not valid UTF-8 decodes them to
    U+FFFD, which may re-encode to more tokens than were generated.
    """
    return sum(len(pipe.tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts)


def _token_clock() -> Any:
    """A ``generate()`` streamer that notes when the first new token comes and counts them.

    ``generate`` hands a streamer the prompt first, then each new token as it is chosen: the
    time of the second ``put`` is the time to first token, and the count of later ones is exact.
    Streamers work for one sequence at a time, so batches are timed as a whole only.
    """
    from transformers.generation.streamers import BaseStreamer  # noqa: PLC0415

    class TokenClock(BaseStreamer):
        def __init__(self) -> None:
            self.started = time.perf_counter()
            self.first: float | None = None
            self.tokens = 0
            self._prompt_seen = False

        def put(self, value: Any) -> None:
            if not self._prompt_seen:
                self._prompt_seen = True
                return
            if self.first is None:
                self.first = time.perf_counter()
            self.tokens += int(value.numel())

        def end(self) -> None:
            pass

    return TokenClock()


def _generate(pipe: Any, items: list[Any], params: dict[str, Any]) -> tuple[list[Any], Any]:
    """The pipeline on ``items``, with a :func:`_token_clock` when there is one item."""
    clock = None
    if len(items) == 1 and "streamer" not in params and params.get("num_beams", 1) == 1:
        clock = _token_clock()
        params["streamer"] = clock
    return _call(pipe, items, params), clock


def _generation_metrics(pipe: Any, texts: list[str], clock: Any) -> dict[str, float]:
    if clock is None or clock.first is None:
        return {"generated_tokens": float(_count_tokens(pipe, texts))}
    return {
        "generated_tokens": float(clock.tokens),
        "ttft_ms": (clock.first - clock.started) * 1000,
    }


def _run_generation(
    task: str, pipe: Any, items: list[Any], params: dict[str, Any]
) -> tuple[list[Any], dict[str, float]]:
    params.setdefault("return_full_text", False)
    _ensure_pad_token(pipe)
    raw, clock = _generate(pipe, items, params)
    texts = [str(_first(out)["generated_text"]) for out in raw]
    return [{"generated_text": t} for t in texts], _generation_metrics(pipe, texts, clock)


def _require_chat_template(pipe: Any, model: str) -> None:
    if not getattr(pipe.tokenizer, "chat_template", None):
        raise BackendError(
            f"{model!r} has no chat template, so it cannot chat: run it for text-generation "
            "with a plain prompt instead",
            backend="local",
            reason="run",
        )


def _run_chat(
    task: str, pipe: Any, items: list[Any], params: dict[str, Any]
) -> tuple[list[Any], dict[str, float]]:
    _require_chat_template(pipe, str(pipe.model.name_or_path))
    params.setdefault("return_full_text", False)
    _ensure_pad_token(pipe)
    raw, clock = _generate(pipe, items, params)
    replies = []
    for out in raw:
        text = _first(out)["generated_text"]
        if isinstance(text, list):  # the whole conversation: the last message is the reply
            text = text[-1]["content"]
        replies.append(str(text))
    outputs = [{"role": "assistant", "content": t} for t in replies]
    return outputs, _generation_metrics(pipe, replies, clock)


def _token_vectors(pipe: Any, texts: list[str], batch_size: int | None) -> list[Any]:
    """The last hidden states of each text, padding removed (tokens x dims float arrays).

    The feature-extraction pipeline keeps the padding rows of a batch, so a text's vectors would
    depend on its batch mates: the model is called here with the attention mask instead.
    """
    import torch  # noqa: PLC0415

    vectors: list[Any] = []
    for batch in _batched(texts, batch_size):
        encoded = pipe.tokenizer(batch, return_tensors="pt", padding=True, truncation=True)
        encoded = encoded.to(pipe.model.device)
        with torch.inference_mode():
            hidden = pipe.model(**encoded)[0].float().cpu()
        mask = encoded["attention_mask"].bool().cpu()
        vectors.extend(hidden[i][mask[i]].numpy() for i in range(len(batch)))
    return vectors


def _run_features(
    task: str, pipe: Any, items: list[Any], params: dict[str, Any]
) -> tuple[list[Any], dict[str, float]]:
    vectors = _token_vectors(pipe, items, params.get("batch_size"))
    return [v.astype(float).tolist() for v in vectors], {}


def _run_similarity(
    task: str, pipe: Any, items: list[Any], params: dict[str, Any]
) -> tuple[list[Any], dict[str, float]]:
    import numpy as np  # noqa: PLC0415

    outputs = []
    for item in items:
        texts = [item["source_sentence"], *item["sentences"]]
        tokens = _token_vectors(pipe, texts, params.get("batch_size"))
        pooled = np.stack([t.astype(np.float64).mean(axis=0) for t in tokens])
        norms = np.linalg.norm(pooled, axis=1)
        norms[norms == 0] = 1.0
        unit = pooled / norms[:, None]
        outputs.append([float(x) for x in unit[1:] @ unit[0]])
    return outputs, {}


def _generate_texts(
    pipe: _ModelPipe,
    items: list[Any],
    params: dict[str, Any],
    key: str,
    encode: Callable[[list[Any]], Any],
) -> tuple[list[Any], dict[str, float]]:
    """``{key: text}`` per item: ``generate`` on each batch of ``encode(items)``, decoded.

    ``generated_tokens`` counts the tokens that are not special (the start, end and padding).
    """
    import torch  # noqa: PLC0415

    batch_size = params.pop("batch_size", None)
    outputs: list[Any] = []
    generated = 0
    for batch in _batched(items, batch_size):
        with torch.inference_mode():
            ids = pipe.model.generate(**encode(batch).to(pipe.device), **params)
        texts = pipe.tokenizer.batch_decode(ids, skip_special_tokens=True)
        special = torch.tensor(pipe.tokenizer.all_special_ids, device=ids.device)
        generated += int((~torch.isin(ids, special)).sum())
        outputs.extend({key: t.strip()} for t in texts)
    return outputs, {"generated_tokens": float(generated)}


def _run_seq2seq(
    task: str, pipe: _ModelPipe, items: list[Any], params: dict[str, Any]
) -> tuple[list[Any], dict[str, float]]:
    key = "summary_text" if task == "summarization" else "translation_text"

    def encode(batch: list[str]) -> Any:
        return pipe.tokenizer(batch, return_tensors="pt", padding=True, truncation=True)

    return _generate_texts(pipe, items, params, key, encode)


def _run_captions(
    task: str, pipe: _ModelPipe, items: list[Any], params: dict[str, Any]
) -> tuple[list[Any], dict[str, float]]:
    """image-to-text: the image processor's pixels (in the model's dtype) into ``generate``."""

    def encode(batch: list[Any]) -> Any:
        # a BatchFeature casts its float tensors only (a half-precision model gets half pixels)
        return pipe.image_processor(images=batch, return_tensors="pt").to(pipe.model.dtype)

    return _generate_texts(pipe, items, params, "generated_text", encode)


def _run_qa(
    task: str, pipe: _ModelPipe, items: list[Any], params: dict[str, Any]
) -> tuple[list[Any], dict[str, float]]:
    top_k = int(params.get("top_k", 1))
    max_answer_len = int(params.get("max_answer_len", 15))
    return [_answer(pipe, item, top_k, max_answer_len) for item in items], {}


def _answer(pipe: _ModelPipe, item: Mapping[str, str], top_k: int, max_len: int) -> list[Any]:
    """The best ``top_k`` answer spans of the context (start/end logits, softmax scores)."""
    import torch  # noqa: PLC0415

    context = item["context"]
    limit = min(int(getattr(pipe.tokenizer, "model_max_length", 512)), 512)
    encoded = pipe.tokenizer(
        item["question"],
        context,
        return_tensors="pt",
        truncation="only_second",
        max_length=limit,
        return_offsets_mapping=True,
    )
    offsets = encoded.pop("offset_mapping")[0].tolist()
    in_context = [s == 1 for s in encoded.sequence_ids(0)]
    with torch.inference_mode():
        out = pipe.model(**encoded.to(pipe.device))
    start = torch.softmax(out.start_logits[0].float(), -1).tolist()
    end = torch.softmax(out.end_logits[0].float(), -1).tolist()
    spans = [
        (start[i] * end[j], i, j)
        for i in range(len(start))
        if in_context[i]
        for j in range(i, min(i + max_len, len(end)))
        if in_context[j]
    ]
    spans.sort(reverse=True)
    return [
        {
            "answer": context[offsets[i][0] : offsets[j][1]],
            "score": float(score),
            "start": int(offsets[i][0]),
            "end": int(offsets[j][1]),
        }
        for score, i, j in spans[:top_k]
    ]


_RUNNERS: dict[str, _Runner] = {
    "token-classification": _run_token_classification,
    "text-generation": _run_generation,
    "chat-completion": _run_chat,
    "feature-extraction": _run_features,
    "sentence-similarity": _run_similarity,
    "summarization": _run_seq2seq,
    "translation": _run_seq2seq,
    "question-answering": _run_qa,
    "image-to-text": _run_captions,
}
