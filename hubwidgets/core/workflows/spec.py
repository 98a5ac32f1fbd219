"""A pipeline as JSON: one dict per step, to save a pipeline and load it again, or to compose it
a step at a time (as the WorkflowWidget's page does).

>>> spec = pipeline.to_spec()          # [{"task", "model", "input", "name"}, ...]
>>> Path("pipeline.json").write_text(json.dumps(spec))
>>> hw.Pipeline.from_spec(json.loads(Path("pipeline.json").read_text()))

A step's keys are :data:`STEP_KEYS`, each a text: ``task`` (one of :data:`STEP_TASKS`),
``model`` (a Hub id or a model folder), ``input`` (the field of the previous step's output it
takes; "" for its natural one) and ``name`` ("" for the default); ``params`` (a dict) when the
step has any. A model that is an object (an ``hw.Ensemble``, a nearest-neighbors table) is
written as its description (:attr:`Step.model_name`): give the object back in ``models=``
(:func:`spec_models` gathers them), keyed by that description.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..catalog.hub import HubError
from ..catalog.vocab import close_matches
from ..inference.backends import INFERENCE_TASKS
from .pipeline import NEAREST_NEIGHBORS, Pipeline, PipelineError, Step

__all__ = [
    "STEP_KEYS",
    "STEP_TASKS",
    "check_spec",
    "compose",
    "from_spec",
    "offered_models",
    "pipeline_spec",
    "problem_text",
    "refusal",
    "spec_models",
]

#: The keys of a step (``params`` too, when the step has any).
STEP_KEYS: tuple[str, ...] = ("task", "model", "input", "name")

#: The tasks a step may have: the inference tasks, and a search in a given table.
STEP_TASKS: tuple[str, ...] = (*INFERENCE_TASKS, NEAREST_NEIGHBORS)

#: What :func:`compose` says of a step without a task, or without a model.
NO_TASK = "choose a task"
NO_MODEL = "choose a model (from the list, or type an id or a folder)"


def check_spec(spec: Any) -> list[dict[str, Any]]:
    """``spec`` as clean step dicts: every :data:`STEP_KEYS` present, as text without
    surrounding spaces (a missing one ""), and ``params`` (a dict) only when not empty.

    A step without a task or a model yet passes (:func:`compose` says what it lacks).

    Raises:
        TypeError: ``spec`` is not a list, a step is not a dict, or its ``params`` not a dict.
        ValueError: a step has an unknown key or task (saying the valid ones, and the close
            match when there is one).
    """
    if isinstance(spec, tuple):
        spec = list(spec)
    if not isinstance(spec, list):
        raise TypeError(f"a pipeline's spec is a list of step dicts, not {type(spec).__name__}")
    out: list[dict[str, Any]] = []
    for i, step in enumerate(spec):
        if not isinstance(step, Mapping):
            raise TypeError(f"step {i + 1} must be a dict of {', '.join(STEP_KEYS)}, not {step!r}")
        unknown = [k for k in step if k not in (*STEP_KEYS, "params")]
        if unknown:
            raise ValueError(
                f"step {i + 1} has an unknown key {unknown[0]!r}"
                f"{_did_you_mean(str(unknown[0]), STEP_KEYS)}; a step has {', '.join(STEP_KEYS)}"
            )
        clean: dict[str, Any] = {
            k: "" if step.get(k) is None else str(step.get(k)).strip() for k in STEP_KEYS
        }
        task = clean["task"]
        if task and task not in STEP_TASKS:
            raise ValueError(
                f"step {i + 1}: unknown task {task!r}{_did_you_mean(task, STEP_TASKS)}; choose "
                f"one of {', '.join(STEP_TASKS)}"
            )
        params = step.get("params")
        if params:
            if not isinstance(params, Mapping):
                raise TypeError(f"step {i + 1}: params must be a dict, not {params!r}")
            clean["params"] = dict(params)
        out.append(clean)
    return out


def pipeline_spec(pipeline: Pipeline | Sequence[Step]) -> list[dict[str, Any]]:
    """The spec of a pipeline, or of a list of steps not (yet) joined into one: a step's
    ``name`` is "" when it has none (a pipeline names every step).

    Raises:
        TypeError: ``pipeline`` is neither a ``hw.Pipeline`` nor a list of ``hw.Step``.
    """
    out = []
    for step in _steps(pipeline):
        entry: dict[str, Any] = {
            "task": str(step.task),
            "model": step.model_name,
            "input": str(step.input or ""),
            "name": str(step.name or ""),
        }
        if step.params:
            entry["params"] = dict(step.params)
        out.append(entry)
    return out


def spec_models(pipeline: Pipeline | Sequence[Step]) -> dict[str, Any]:
    """The steps' models that are objects (an ``hw.Ensemble``, a table), keyed by the
    description :func:`pipeline_spec` gives them: the ``models=`` of :func:`from_spec`."""
    return {s.model_name: s.model for s in _steps(pipeline) if not isinstance(s.model, str)}


def compose(
    spec: Any,
    *,
    models: Mapping[str, Any] | None = None,
    backend: Any = None,
    name: str | None = None,
) -> tuple[Pipeline | None, dict[int, str]]:
    """The pipeline of a spec being composed, or what is wrong with it, step by step.

    Returns:
        ``(pipeline, {})`` when the steps connect; else ``(None, problems)``: ``{step index
        (0-based): what is wrong}``, one entry per step without a task (:data:`NO_TASK`) or a
        model (:data:`NO_MODEL`), else one for the step the core refused (a bad link is the
        later step's). No steps: ``(None, {})``.

    Raises:
        TypeError, ValueError: as :func:`check_spec` (a spec that is not one at all), or
            ``models`` is not a dict.
    """
    steps = check_spec(spec)
    if models is not None and not isinstance(models, Mapping):
        raise TypeError(f"models must be a dict of {{description: model object}}, not {models!r}")
    objects = models or {}
    problems: dict[int, str] = {}
    for i, entry in enumerate(steps):
        if not entry["task"]:
            problems[i] = NO_TASK
        elif not entry["model"]:
            problems[i] = NO_MODEL
    if not steps or problems:
        return None, problems
    made: list[Step] = []
    try:
        for entry in steps:  # a step the core refuses is the one being made
            made.append(
                Step(
                    entry["task"],
                    objects.get(entry["model"], entry["model"]),
                    input=entry["input"] or None,
                    params=entry.get("params") or None,
                    backend=backend,
                    name=entry["name"] or None,
                )
            )
        return Pipeline(made, name=name), {}
    except (ValueError, TypeError) as err:  # PipelineError is a ValueError
        at = getattr(err, "step", None) if len(made) == len(steps) else len(made)
        return None, {len(steps) - 1 if at is None else at: str(err)}


def from_spec(
    spec: Any,
    *,
    models: Mapping[str, Any] | None = None,
    backend: Any = None,
    name: str | None = None,
) -> Pipeline:
    """The pipeline of ``spec`` (:meth:`Pipeline.from_spec`).

    Raises:
        TypeError, ValueError: as :func:`check_spec`.
        PipelineError: no steps, a step without a task or a model, a step the core refuses
            or steps that cannot connect; its message names the step, ``.step`` is its index.
    """
    pipeline, problems = compose(spec, models=models, backend=backend, name=name)
    if pipeline is not None:
        return pipeline
    if not problems:
        raise PipelineError("a pipeline needs at least one step")
    at, problem = next(iter(problems.items()))
    if problem == NO_TASK:
        problem = f"no task: choose one of {', '.join(STEP_TASKS)}"
    elif problem == NO_MODEL:
        problem = "no model: give a Hub id or a model folder (an object: in models=)"
    raise PipelineError(problem_text(at, problem), step=at)


def offered_models(catalog: Any, task: str, limit: int) -> list[list[Any]]:
    """The ``limit`` most downloaded models of ``catalog`` for ``task``, to offer for a step:
    ``[[id, downloads or None], ...]``; ``[]`` when the catalog cannot say (an unknown task, a
    Hub that does not answer): a model id or folder can still be typed.
    """
    try:
        found = catalog.search(task=task, sort="downloads", limit=limit)
    except (ValueError, TypeError, KeyError, HubError):
        return []
    downloads = found["downloads"] if "downloads" in found else [None] * len(found)
    return [
        [str(i), None if pd.isna(d) else float(d)]
        for i, d in zip(found["id"], downloads, strict=False)
    ]


def problem_text(index: int, problem: str) -> str:
    """A step's problem in words that name the step (the core's messages about a link already
    do): ``"step 2: choose a task"``."""
    return problem if problem.startswith("step ") else f"step {index + 1}: {problem}"


def refusal(problems: Mapping[int, str]) -> str:
    """What the core refused in the problems :func:`compose` found, naming the step (a bad
    link, a bad model...); "" when the steps only lack a task or a model (not yet composed).
    """
    refused = [(i, p) for i, p in problems.items() if p not in (NO_TASK, NO_MODEL)]
    return problem_text(*refused[0]) if refused else ""


def _steps(pipeline: Any) -> list[Step]:
    if isinstance(pipeline, Pipeline):
        return list(pipeline.steps)
    if isinstance(pipeline, (list, tuple)) and all(isinstance(s, Step) for s in pipeline):
        return list(pipeline)
    raise TypeError(
        f"pipeline must be a hw.Pipeline or a list of hw.Step, not {type(pipeline).__name__}"
    )


def _did_you_mean(word: str, valid: Sequence[str]) -> str:
    hint = close_matches(word, list(valid))
    return f" (did you mean {hint[0]!r}?)" if hint else ""
