"""``hw.Pipeline``: chain models across tasks and modalities, checked when it is built.

>>> pipe = hw.Pipeline([
...     hw.Step("automatic-speech-recognition", "openai/whisper-tiny", name="asr"),
...     hw.Step("translation", "Helsinki-NLP/opus-mt-fr-en"),
...     hw.Step("text-classification", "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
...             name="sentiment"),
... ])
>>> pipe.describe()                 # step, name, task, model, takes, gives
>>> pipe.run("call.wav").output     # the last step's fields; .steps: one row per step
>>> pipe.apply(df, "audio_path")    # over a column: asr.text, translation.generated_text,
...                                 # sentiment.label, sentiment.score, ..., error, latency_ms

What each step gives (the fields of its output, as in :mod:`._outputs`) and takes:

| task                                   | takes     | gives (natural field first)          |
|----------------------------------------|-----------|--------------------------------------|
| text tasks                             | text      |                                      |
| image tasks                            | image     |                                      |
| audio tasks                            | audio     |                                      |
| classification (text, image, audio...) |           | ``label`` (text), ``score`` (number) |
| token-classification                   |           | ``entities``                         |
| generation, translation, image-to-text |           | ``generated_text`` (text)            |
| automatic-speech-recognition           |           | ``text`` (text)                      |
| feature-extraction                     |           | ``embedding``                        |
| ``nearest-neighbors`` (see below)      | embedding | ``neighbors``, ``nearest``,          |
|                                        |           | ``similarity``                       |

A step feeds on the previous step's natural field, or on the one its ``input=`` names; the
kinds must match, else :class:`PipelineError` names both steps and what each gives and takes.

**Nearest neighbours in a table.** ``hw.Step("nearest-neighbors", table, params={"k": 5,
"column": "embedding"})`` takes an embedding (a feature-extraction step before it) and gives
the ``k`` rows of ``table`` (a DataFrame with a column of equal-length vectors) closest by
cosine similarity: ``neighbors`` (a list of ``{"row": index label, "similarity": float, ...the
row's other columns}``, best first), ``nearest`` (the best row's index label, or its value in
``params["label"]`` when given) and ``similarity`` (the best one's).
"""

from __future__ import annotations

import copy
import functools
import html
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..inference.backends import (
    Backend,
    BackendError,
    InferenceResult,
    check_inputs,
    check_task,
    make_backend,
)
from ..inference.backends._base import AUDIO_TASKS, IMAGE_TASKS, TEXT_TASKS, describe_item
from ._checkpoint import Checkpoint, column_hash
from ._outputs import CLASSIFICATION_TASKS, GENERATION_TASKS, output_columns
from .apply import (
    CANCELLED,
    _check_column,
    _check_modality,
    _progress,
    _resume,
    _revision,
    _Run,
    auto_batch_size,
)

__all__ = ["NEAREST_NEIGHBORS", "Pipeline", "PipelineError", "PipelineRun", "Step"]

#: The task of a step that looks an embedding up in a table (no model: a DataFrame).
NEAREST_NEIGHBORS = "nearest-neighbors"


class PipelineError(ValueError):
    """Steps that cannot connect (or a bad step): raised when the pipeline is built.

    ``step`` is the 0-based index of the step it is about (of a bad link, the later step), or
    None when it is about the whole list.
    """

    def __init__(self, message: str, *, step: int | None = None) -> None:
        super().__init__(message)
        self.step = step


# -- what steps take and give ------------------------------------------------------------------


def takes(task: str) -> str:
    """The kind of input a task's step takes: text, image, audio, embedding or structured."""
    if task in TEXT_TASKS:
        return "text"
    if task in IMAGE_TASKS:
        return "image"
    if task in AUDIO_TASKS:
        return "audio"
    if task == NEAREST_NEIGHBORS:
        return "embedding"
    return "structured"


def gives(task: str) -> dict[str, str]:  # noqa: PLR0911 - one return per task family
    """The fields of a task's output and their kinds, the natural one (what feeds the next step
    by default) first."""
    if task in CLASSIFICATION_TASKS:
        return {"label": "text", "score": "number"}
    if task == "token-classification":
        return {"entities": "entities"}
    if task in GENERATION_TASKS:
        return {"generated_text": "text"}
    if task == "automatic-speech-recognition":
        return {"text": "text"}
    if task == "feature-extraction":
        return {"embedding": "embedding"}
    if task == NEAREST_NEIGHBORS:
        return {"neighbors": "neighbors", "nearest": "text", "similarity": "number"}
    return {"output": "json"}


def _short_task(task: str) -> str:
    return task


# -- steps ---------------------------------------------------------------------------------------


@dataclass(eq=False)
class Step:
    """One step of a :class:`Pipeline`.

    Args:
        task: one of ``hw.INFERENCE_TASKS``, or ``"nearest-neighbors"`` (see the module doc).
        model: a Hub id, a model folder, an ``hw.Ensemble``; for ``"nearest-neighbors"`` the
            DataFrame to search.
        input: the field of the previous step's output this one takes (``"label"``,
            ``"generated_text"``...); None takes its natural one.
        params: keyword arguments for each call (``candidate_labels``, ``max_new_tokens``...;
            for ``"nearest-neighbors"``: ``k`` (5), ``column`` ("embedding"), ``label``).
        backend: "local" (the default), "remote", "auto" or a backend object.
        name: the step's name (its columns in ``pipeline.apply`` are ``"<name>.<field>"``); by
            default the task, de-duplicated by the pipeline ("text-classification-2").
    """

    task: str
    model: Any
    input: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    backend: Backend | str | None = None
    name: str | None = None

    def __init__(
        self,
        task: str,
        model: Any,
        *,
        input: str | None = None,  # noqa: A002 - the agreed argument name
        params: Mapping[str, Any] | None = None,
        backend: Backend | str | None = None,
        name: str | None = None,
    ) -> None:
        if task != NEAREST_NEIGHBORS:
            try:
                task = check_task(task)
            except ValueError as exc:
                raise PipelineError(f"{exc}, or {NEAREST_NEIGHBORS!r}") from None
        if input is not None and (not isinstance(input, str) or not input):
            raise TypeError(f"input must name a field of the previous step's output, not {input!r}")
        if params is not None and not isinstance(params, Mapping):
            raise TypeError(f"params must be a dict of keyword arguments, not {params!r}")
        if name is not None and (not isinstance(name, str) or not name.strip() or "." in name):
            raise TypeError(f"name must be a non-empty text without '.', not {name!r}")
        self.task, self.model, self.input = task, model, input
        self.params = dict(params or {})
        self.backend, self.name = backend, name
        if task == NEAREST_NEIGHBORS:
            #: the table's vectors, unit length (for a nearest-neighbors step)
            self.matrix = _check_table(model, self.params)
        elif _is_ensemble(model):
            if model.task != task:
                raise PipelineError(
                    f"the ensemble is for {model.task}, but the step's task is {task}"
                )
        elif not isinstance(model, str) or not model.strip():
            raise TypeError(
                "model must be a Hub id such as 'org/name', a model folder's path or an "
                f"hw.Ensemble (a DataFrame for {NEAREST_NEIGHBORS!r}), not {model!r}"
            )

    @property
    def takes(self) -> str:
        """The kind of input this step takes."""
        return takes(self.task)

    @property
    def gives(self) -> dict[str, str]:
        """The fields of this step's output and their kinds (the natural one first)."""
        return gives(self.task)

    @property
    def model_name(self) -> str:
        """The model as text (an ensemble's description, a table's size)."""
        if self.task == NEAREST_NEIGHBORS:
            return f"table of {len(self.model)} rows"
        if _is_ensemble(self.model):
            return str(self.model.id)
        return str(self.model)

    def __repr__(self) -> str:
        named = f", name={self.name!r}" if self.name else ""
        return f"Step({self.task!r}, {self.model_name!r}{named})"


def _is_ensemble(model: Any) -> bool:
    """Whether ``model`` is an ``hw.Ensemble`` (it says so: no import of ensemble.py here)."""
    return getattr(model, "is_ensemble", False) is True


def _check_table(table: Any, params: Mapping[str, Any]) -> np.ndarray:
    """The table's vectors made unit length; ValueError/TypeError for a bad table or params."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(
            f"a {NEAREST_NEIGHBORS} step searches a DataFrame with a column of vectors: pass "
            f"it as the model, not {type(table).__name__}"
        )
    column = params.get("column", "embedding")
    k = params.get("k", 5)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"params['k'] must be a whole number >= 1, not {k!r}")
    names = [str(c) for c in table.columns]
    if column not in table.columns:
        raise ValueError(
            f"the {NEAREST_NEIGHBORS} table has no column {column!r} (params['column']); its "
            f"columns: {', '.join(names)}"
        )
    label = params.get("label")
    if label is not None and label not in table.columns:
        raise ValueError(
            f"params['label'] names no column of the table: {label!r}; its columns: "
            f"{', '.join(names)}"
        )
    unknown = set(params) - {"k", "column", "label"}
    if unknown:
        raise ValueError(
            f"unknown {NEAREST_NEIGHBORS} params {sorted(unknown)}: it takes k, column, label"
        )
    if len(table) == 0:
        raise ValueError(f"the {NEAREST_NEIGHBORS} table is empty")
    try:
        matrix = np.stack([np.asarray(v, dtype=np.float32).ravel() for v in table[column]])
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"column {column!r} of the {NEAREST_NEIGHBORS} table must hold vectors of one "
            f"length ({exc})"
        ) from None
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.asarray(matrix / np.where(norms == 0, 1, norms), dtype=np.float32)


class TableSearch:
    """The backend of a ``nearest-neighbors`` step: cosine similarity against a table."""

    name = "table"

    def __init__(self, table: pd.DataFrame, params: Mapping[str, Any], matrix: np.ndarray) -> None:
        self.table = table
        self.matrix = matrix
        self.k = min(int(params.get("k", 5)), len(table))
        self.column = params.get("column", "embedding")
        self.label = params.get("label")
        self.others = [c for c in table.columns if c != self.column]

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        started = time.perf_counter()
        items = inputs if isinstance(inputs, list) else [inputs]
        outputs = [self._one(i, item) for i, item in enumerate(items)]
        latency = (time.perf_counter() - started) * 1000
        return InferenceResult(task, model, outputs, backend="table", latency_ms=latency)

    def stream(self, task: str, model: str, inputs: Any, **params: Any) -> Any:
        raise BackendError("a table search does not stream", backend="table")

    def _one(self, index: int, item: Any) -> dict[str, Any]:
        try:
            vector = np.asarray(item, dtype=np.float32).ravel()
        except (ValueError, TypeError):
            raise ValueError(f"input {index}: expected an embedding vector") from None
        if vector.shape[0] != self.matrix.shape[1]:
            raise ValueError(
                f"input {index}: an embedding of {vector.shape[0]} numbers, but the table's "
                f"{self.column!r} vectors have {self.matrix.shape[1]}"
            )
        norm = float(np.linalg.norm(vector)) or 1.0
        sims = self.matrix @ (vector / norm)
        order = np.argsort(-sims, kind="stable")[: self.k]
        rows: list[dict[str, Any]] = []
        for j in order:
            row: dict[str, Any] = {"row": self.table.index[j], "similarity": float(sims[j])}
            row.update({str(c): _plain(self.table.iloc[j][c]) for c in self.others})
            rows.append(row)
        best = rows[0]
        nearest = best.get(self.label) if self.label else best["row"]
        return {
            "neighbors": rows,
            "nearest": None if nearest is None else str(nearest),
            "similarity": float(best["similarity"]),
        }


# -- the pipeline ------------------------------------------------------------------------------


def _default_names(steps: Sequence[Step]) -> list[str]:
    names: list[str] = []
    for i, step in enumerate(steps):
        base = step.name or _short_task(step.task)
        name, k = base, 2
        while name in names:
            if step.name:
                raise PipelineError(f"two steps are named {base!r}: step names must differ", step=i)
            name, k = f"{base}-{k}", k + 1
        names.append(name)
    return names


class PipelineRun:
    """What :meth:`Pipeline.run` gives for one input.

    Attributes:
        records: one dict per step, with the columns of :attr:`steps`.
        output: the last step's output (a dict of its fields), or None if a step failed.
        failed_step: the name of the step that failed, or None.
        total_ms: the time of the whole run, in milliseconds.
        pipeline: the pipeline's name (None if it has none).

    :attr:`steps` is the same as a DataFrame, built on first access: a run pays for its models
    and not for pandas (on tiny models, a DataFrame per input would cost more than the
    pipeline's own bookkeeping).
    """

    COLUMNS = ("step", "name", "task", "model", "input", "output", "latency_ms", "error")

    def __init__(
        self,
        records: list[dict[str, Any]],
        *,
        failed_step: str | None,
        total_ms: float,
        pipeline: str | None = None,
    ) -> None:
        self.records = records
        self.failed_step = failed_step
        self.output: dict[str, Any] | None = (
            self.records[-1]["output"] if failed_step is None and self.records else None
        )
        self.total_ms = float(total_ms)
        self.pipeline = pipeline

    @property
    def ok(self) -> bool:
        """Whether every step ran."""
        return self.failed_step is None

    @property
    def error(self) -> str:
        """The failed step's error ("" when every step ran)."""
        return next((str(r["error"]) for r in self.records if r["error"]), "")

    @functools.cached_property
    def steps(self) -> pd.DataFrame:
        """One row per step: ``step``, ``name``, ``task``, ``model``, ``input`` (a short
        description of what it took), ``output`` (its fields, a dict), ``latency_ms``, ``error``
        ("" when it ran; a step after a failed one says it was skipped). ``attrs`` holds
        ``output``, ``total_ms`` and ``pipeline``."""
        out = pd.DataFrame(self.records, columns=list(self.COLUMNS))
        out.attrs.update(output=self.output, total_ms=self.total_ms, pipeline=self.pipeline)
        return out

    def __len__(self) -> int:
        return len(self.records)

    def __repr__(self) -> str:
        n = len(self.records)
        head = f"<PipelineRun: {n} step{'' if n == 1 else 's'}"
        if self.ok:
            return f"{head} in {self.total_ms:,.1f} ms, output {self.output!r}>"
        return f"{head}, step {self.failed_step!r} failed: {self.error}>"

    def _repr_html_(self) -> str:
        table = self.steps.to_html(index=False, na_rep="")
        return f"<p>{html.escape(repr(self))}</p>{table}"


class Pipeline:
    """Models chained across tasks: each step's output feeds the next.

    Args:
        steps: the :class:`Step` objects, in order (at least one).
        name: a name for the pipeline (shown by widgets and audit records).

    Raises:
        PipelineError: two steps cannot connect (naming both and what each gives and takes), an
            ``input=`` naming no field of the previous step, a bad step list.
    """

    def __init__(self, steps: Sequence[Step], *, name: str | None = None) -> None:
        if isinstance(steps, Step):
            steps = [steps]
        if not isinstance(steps, Sequence):
            raise TypeError(f"steps must be a list of hw.Step, not {steps!r}")
        steps = list(steps)
        if not steps:
            raise PipelineError("a pipeline needs at least one hw.Step")
        for i, step in enumerate(steps):
            if not isinstance(step, Step):
                raise TypeError(f"step {i + 1} must be an hw.Step, not {step!r}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a text, not {name!r}")
        self.name = name
        self.names = _default_names(steps)
        steps = [copy.copy(step) for step in steps]  # the given steps keep their own names
        for step, step_name in zip(steps, self.names, strict=True):
            step.name = step_name
        self.steps: list[Step] = steps
        self.fields: list[str | None] = [None]  # the field of the previous output each takes
        for position in range(1, len(steps)):
            self.fields.append(_connect(steps[position - 1], steps[position], position))
        if steps[0].input is not None:
            raise PipelineError(
                f"step 1 {steps[0].name!r} has input={steps[0].input!r}, but the first step "
                "takes the pipeline's input: leave input=None",
                step=0,
            )
        self._backends: dict[int, Any] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        chain = " -> ".join(f"{s.name} ({s.task})" for s in self.steps)
        return f"Pipeline({chain})"

    def __len__(self) -> int:
        return len(self.steps)

    # -- describing ----------------------------------------------------------------------------

    def describe(self) -> pd.DataFrame:
        """One row per step: ``step`` (1-based), ``name``, ``task``, ``model``, ``takes``
        (the kind of input, and the field of the previous output it reads), ``gives`` (its
        output fields)."""
        rows = []
        for i, (step, fld) in enumerate(zip(self.steps, self.fields, strict=True)):
            took = step.takes if fld is None else f"{step.takes} ({self.steps[i - 1].name}.{fld})"
            rows.append(
                {
                    "step": i + 1,
                    "name": step.name,
                    "task": step.task,
                    "model": step.model_name,
                    "takes": took,
                    "gives": ", ".join(step.gives),
                }
            )
        return pd.DataFrame(rows, columns=["step", "name", "task", "model", "takes", "gives"])

    def to_spec(self) -> list[dict[str, Any]]:
        """The pipeline as JSON, to save it and load it again with :meth:`from_spec`: one dict
        per step, ``task``, ``model``, ``input`` ("" for the natural one), ``name`` (and
        ``params`` when it has any). A model that is an object (an ``hw.Ensemble``, a table) is
        its description, as in :meth:`describe`: :meth:`from_spec` takes it back in ``models=``
        (see :mod:`hubwidgets.core.workflows.spec`)."""
        from .spec import pipeline_spec  # noqa: PLC0415 - spec.py builds on this module

        return pipeline_spec(self)

    @classmethod
    def from_spec(
        cls,
        spec: Sequence[Mapping[str, Any]],
        *,
        models: Mapping[str, Any] | None = None,
        backend: Backend | str | None = None,
        name: str | None = None,
    ) -> Pipeline:
        """The pipeline of a list of step dicts, as :meth:`to_spec` gives them.

        >>> hw.Pipeline.from_spec([{"task": "text-classification", "model": "org/model"}])

        Args:
            spec: one dict per step: ``task``, ``model``, and optionally ``input``, ``name``,
                ``params``.
            models: the model objects of the steps whose ``model`` describes one (an
                ``hw.Ensemble``, a nearest-neighbors table), keyed by that description.
            backend: the backend of every step ("local", "remote", "auto" or an object).
            name: the pipeline's name.

        Raises:
            TypeError: ``spec`` is not a list of dicts, or a step's ``params`` not a dict.
            ValueError: a step has an unknown key or task (with the valid ones).
            PipelineError: no steps, a step without a task or a model, or steps that cannot
                connect; the message names the step, ``.step`` is its index.
        """
        from .spec import from_spec  # noqa: PLC0415 - spec.py builds on this module

        return from_spec(spec, models=models, backend=backend, name=name)

    def columns(self) -> list[str]:
        """The columns :meth:`apply` adds, in order."""
        out: list[str] = []
        for i, step in enumerate(self.steps):
            out += [f"{step.name}.{c}" for c in self._runner_columns(i)]
        return [*out, "error", "latency_ms"]

    # -- running -------------------------------------------------------------------------------

    def backend(self, i: int) -> Any:
        """The backend object of step ``i`` (0-based), made on first use and kept."""
        with self._lock:
            if i not in self._backends:
                step = self.steps[i]
                if step.task == NEAREST_NEIGHBORS:
                    self._backends[i] = TableSearch(step.model, step.params, step.matrix)
                elif _is_ensemble(step.model):
                    self._backends[i] = step.model
                else:
                    self._backends[i] = make_backend(step.backend)
            return self._backends[i]

    def _runner(self, i: int, batch_size: int) -> Any:
        step = self.steps[i]
        params = {} if step.task == NEAREST_NEIGHBORS else dict(step.params)
        return _Run(self.backend(i), step.model_name, step.task, params, batch_size)

    def _runner_columns(self, i: int) -> tuple[str, ...]:
        step = self.steps[i]
        if _is_ensemble(step.model):
            return (*step.model.output_columns(), "error", "latency_ms")
        return (*output_columns(step.task), "error", "latency_ms")

    def run(self, x: Any) -> PipelineRun:
        """Run every step on one input ``x``.

        Returns:
            A :class:`PipelineRun`: ``.output`` (the last step's output, a dict; None if a step
            failed), ``.ok``, ``.error``, ``.failed_step``, ``.total_ms``, and ``.steps``, one
            row per step: ``step``, ``name``, ``task``, ``model``, ``input`` (a short
            description of what it took), ``output`` (its fields, a dict), ``latency_ms``,
            ``error`` ("" when it ran; a step after a failed one says it was skipped).
        """
        started = time.perf_counter()
        first = self.steps[0]
        if first.task != NEAREST_NEIGHBORS:
            check_inputs(first.task, [x], params=first.params)
        elif not isinstance(x, (list, np.ndarray)):
            raise TypeError(f"{NEAREST_NEIGHBORS} takes an embedding vector, not {x!r}")
        rows: list[dict[str, Any]] = []
        value: Any = x
        failed: str | None = None
        for i, step in enumerate(self.steps):
            row: dict[str, Any] = {
                "step": i + 1,
                "name": step.name,
                "task": step.task,
                "model": step.model_name,
                "input": _describe(value) if failed is None else None,
                "output": None,
                "latency_ms": math.nan,
                "error": "",
            }
            if failed is not None:
                row["error"] = f"skipped: step {failed!r} failed"
                rows.append(row)
                continue
            result = self._runner(i, 1).batch([value])[0]
            if result["error"]:
                failed = step.name
                row["error"] = result["error"]
            else:
                output = {k: v for k, v in result.items() if k not in ("error", "latency_ms")}
                row["output"] = output
                if i + 1 < len(self.steps):
                    value = output.get(self.fields[i + 1] or "")
            row["latency_ms"] = result["latency_ms"]
            rows.append(row)
        total_ms = (time.perf_counter() - started) * 1000
        return PipelineRun(rows, failed_step=failed, total_ms=total_ms, pipeline=self.name)

    def apply(
        self,
        df: pd.DataFrame,
        column: str,
        *,
        batch_size: int | str = "auto",
        progress: bool | Callable[[int, int], Any] = True,
        cancel: threading.Event | None = None,
        checkpoint: str | Path | None = None,
    ) -> pd.DataFrame:
        """Run the pipeline over ``df[column]``, like ``hw.apply``.

        Rows go through all the steps a batch at a time (``batch_size`` rows; "auto" is 8, with
        the steps that generate called one row at a time). A row whose step fails records the
        error and skips the later steps; the other rows run.

        Args:
            progress: a progress bar (True), none (False), or ``progress(done_rows,
                total_rows)`` called after each batch.
            cancel: a ``threading.Event``: set, the run stops after the batch under way; rows
                not run have ``error="cancelled"`` and ``attrs["cancelled"]`` is True.
            checkpoint: a folder: finished batches are saved there, and a second call with the
                same pipeline and input runs only the rows not done.

        Returns:
            ``df`` with the columns ``"<step name>.<field>"`` (e.g. ``asr.text``,
            ``sentiment.label``, ``sentiment.error``, ``sentiment.latency_ms``) of each step,
            then ``error`` (the first failing step's, ``"<step>: <message>"``; "" when all ran)
            and ``latency_ms`` (the sum over the steps). ``attrs``: ``steps`` (one provenance
            dict per step: name, task, model, revision, backend), ``rows_run``,
            ``rows_resumed``, ``rows_per_s``, ``cancelled``, ``started``, ``finished``. The run
            is written to the audit trail (action ``inference.batch``, one row per step).
        """
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"df must be a pandas DataFrame, not {type(df).__name__}")
        column = _check_column(df, column)
        if cancel is not None and not isinstance(cancel, threading.Event):
            raise TypeError(f"cancel must be a threading.Event, not {cancel!r}")
        size = _pipeline_batch(batch_size)
        names = self.columns()
        clash = [c for c in names if c in df.columns]
        if clash:
            raise ValueError(
                f"the DataFrame already has column(s) {', '.join(map(repr, clash))}: rename "
                "them or give the steps other names"
            )
        values = df[column]
        _check_modality(self.steps[0].task, values, self.steps[0].params)
        runners = [
            self._runner(i, size if batch_size != "auto" else _auto(step.task))
            for i, step in enumerate(self.steps)
        ]
        started, clock = datetime.now(UTC), time.perf_counter()
        n = len(values)
        results: dict[str, list[Any]] = {c: [None] * n for c in names}
        done = [False] * n
        store = None
        if checkpoint is not None:
            store = Checkpoint(
                checkpoint,
                {
                    "pipeline": [f"{s.name}|{s.task}|{s.model_name}" for s in self.steps],
                    "column": str(column),
                    "rows": n,
                    "input_hash": column_hash(values),
                },
            )
            _resume(store, results, done)
        todo = [i for i in range(n) if not done[i]]
        resumed = n - len(todo)
        items = values.tolist()
        bar = _progress(progress, n, resumed, self.name or "pipeline")
        cancelled, ran = False, 0
        try:
            for start in range(0, len(todo), size):
                if cancel is not None and cancel.is_set():
                    cancelled = True
                    break
                positions = todo[start : start + size]
                rows = self._batch(runners, [items[p] for p in positions])
                for pos, row in zip(positions, rows, strict=True):
                    done[pos] = True
                    for c in names:
                        results[c][pos] = row.get(c)
                if store is not None:
                    store.write(positions, {c: [row.get(c) for row in rows] for c in names})
                ran += len(positions)
                bar.update(len(positions))
        finally:
            bar.close()
        for pos in (p for p in range(n) if not done[p]):
            for c in names:
                results[c][pos] = math.nan if c.endswith(("latency_ms", "score")) else None
            results["error"][pos] = CANCELLED
        out = _frame(df, names, results)
        elapsed = time.perf_counter() - clock
        out.attrs.update(
            {
                "pipeline": self.name,
                "steps": self._provenance(runners),
                "column": str(column),
                "batch_size": size,
                "started": started.isoformat(timespec="seconds"),
                "finished": datetime.now(UTC).isoformat(timespec="seconds"),
                "rows_run": ran,
                "rows_resumed": resumed,
                "rows_per_s": ran / elapsed if elapsed > 0 and ran else math.nan,
                "cancelled": cancelled,
            }
        )
        _audit_pipeline(self, out, n)
        return out

    def _provenance(self, runners: list[Any]) -> list[dict[str, Any]]:
        """Per step: name, task, model, revision (and where it came from), backend."""
        provenance = []
        for i, (step, runner) in enumerate(zip(self.steps, runners, strict=True)):
            sha, sha_source = (None, "a table has no revision")
            if step.task != NEAREST_NEIGHBORS:
                sha, sha_source = _revision(self.backend(i), step.model_name, runner.sha)
            provenance.append(
                {
                    "name": step.name,
                    "task": step.task,
                    "model": step.model_name,
                    "revision": sha,
                    "revision_source": sha_source,
                    "backend": runner.served_by or getattr(self.backend(i), "name", "?"),
                }
            )
        return provenance

    def _batch(self, runners: list[Any], items: list[Any]) -> list[dict[str, Any]]:
        """The rows of one batch through every step."""
        rows: list[dict[str, Any]] = [{} for _ in items]
        failed: list[str | None] = [None] * len(items)
        values = list(items)
        for i, (step, runner) in enumerate(zip(self.steps, runners, strict=True)):
            live = [j for j in range(len(items)) if failed[j] is None]
            outs: list[dict[str, Any]] = []
            chunk = max(1, getattr(runner, "chunk", len(live)) or 1)
            live_values = [values[j] for j in live]
            for k in range(0, len(live), chunk):
                outs += runner.batch(live_values[k : k + chunk])
            columns = self._runner_columns(i)
            for j in range(len(items)):
                if failed[j] is not None:
                    rows[j].update({f"{step.name}.{c}": None for c in columns if c != "latency_ms"})
                    rows[j][f"{step.name}.latency_ms"] = math.nan
                    rows[j][f"{step.name}.error"] = f"skipped: step {failed[j]!r} failed"
            for j, out in zip(live, outs, strict=True):
                rows[j].update({f"{step.name}.{c}": out.get(c) for c in columns})
                if out["error"]:
                    failed[j] = step.name
                    rows[j].setdefault("error", f"{step.name}: {out['error']}")
                elif i + 1 < len(self.steps):
                    values[j] = out.get(self.fields[i + 1] or "")
        for row in rows:
            row.setdefault("error", "")
            total = [
                row[f"{s.name}.latency_ms"]
                for s in self.steps
                if not _nan(row.get(f"{s.name}.latency_ms"))
            ]
            row["latency_ms"] = sum(total) if total else math.nan
        return rows


def _frame(df: pd.DataFrame, names: list[str], results: Mapping[str, list[Any]]) -> pd.DataFrame:
    out = df.copy()
    for c in names:
        numeric = c.endswith(("latency_ms", ".score", ".similarity", ".agreement"))
        series = pd.Series(results[c], index=df.index, dtype="float64" if numeric else "object")
        out[c] = series.fillna("") if c == "error" or c.endswith(".error") else series
    return out


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _nan(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _auto(task: str) -> int:
    return auto_batch_size(task)


def _pipeline_batch(batch_size: object) -> int:
    if batch_size == "auto":
        return 8
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be 'auto' or a whole number >= 1, not {batch_size!r}")
    return batch_size


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"<vector of {value.size}>"
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return f"<{len(value)} items>"
    return describe_item(value)


def _connect(before: Step, after: Step, position: int) -> str:
    """The field of ``before``'s output that ``after`` takes; PipelineError when none fits."""
    offered = before.gives
    wanted = after.takes
    where = (
        f"step {position + 1} {after.name!r} ({after.task}) takes {wanted}, but step "
        f"{position} {before.name!r} ({before.task}) gives "
        + ", ".join(f"{k} ({v})" for k, v in offered.items())
    )
    if after.input is not None:
        if after.input not in offered:
            raise PipelineError(f"{where}: it has no field {after.input!r} (input=)", step=position)
        if offered[after.input] != wanted:
            raise PipelineError(
                f"{where}: its field {after.input!r} is {offered[after.input]}", step=position
            )
        return after.input
    natural = next(iter(offered))
    if offered[natural] == wanted:
        return natural
    fits = [k for k, v in offered.items() if v == wanted]
    hint = f" Pass input={fits[0]!r} to take its {fits[0]}." if fits else ""
    raise PipelineError(f"{where}: they cannot connect.{hint}", step=position)


def _audit_pipeline(pipeline: Pipeline, out: pd.DataFrame, n: int) -> None:
    from ..registry.audit import audit_run  # noqa: PLC0415 - one record per run, never raises

    rows = []
    for step in out.attrs["steps"]:
        errors = out.get(f"{step['name']}.error")
        first = ""
        if errors is not None:
            bad = [e for e in errors if e and not str(e).startswith("skipped")]
            first = bad[0] if bad and len(bad) == len(errors) else ""
        rows.append(
            {
                "model": step["model"],
                "model_sha": step["revision"],
                "status": "cancelled" if out.attrs["cancelled"] else ("error" if first else "ok"),
                "error": first,
            }
        )
    audit_run(
        "inference.batch",
        task=" -> ".join(s.task for s in pipeline.steps),
        rows=rows,
        n_inputs=n,
        kind="pipeline.apply",
        pipeline=pipeline.name,
        rows_run=out.attrs["rows_run"],
    )
