"""A benchmark set up piece by piece, as the BenchmarkWidget does: what it still needs, the
arguments of :func:`~hubwidgets.core.inference.benchmark.benchmark` for inputs from one source,
the uploaded files it reads, and its predicted cost against the session's budget.

>>> inputs = Inputs(*given_inputs(df["text"]))
>>> missing_to_run(["org/a"], "text-classification", inputs, "column")   # "" : ready
>>> args = source_arguments(inputs, "column", "text-classification", labels=df["label"])
>>> hw.benchmark(["org/a"], "text-classification", **args)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from .backends._base import INFERENCE_TASKS
from .results import live_rows
from .samples import Inputs, sample_params, uploaded_inputs

if TYPE_CHECKING:
    from .benchmark import BenchmarkProgress

__all__ = [
    "LiveRows",
    "NotReadyError",
    "guard_benchmark",
    "inference_task",
    "missing_to_run",
    "prepare_benchmark",
    "read_upload",
    "setup_text",
    "source_arguments",
]


class NotReadyError(ValueError):
    """A run cannot start yet: something it needs is missing (the message says what to do)."""


def prepare_benchmark(
    models: Sequence[str],
    task: str,
    inputs: Inputs,
    source: str,
    *,
    linked: bool = False,
    labels: Sequence[Any] | None = None,
    groups: Sequence[Any] | None = None,
    params: Mapping[str, Any] | None = None,
    backend: Any = None,
    allow_denied: bool = False,
    prices: Any = None,
    warmup: int = 3,
    min_iterations: int = 10,
    min_duration_s: float = 5.0,
    batch_sizes: Sequence[int] = (1,),
) -> tuple[dict[str, Any], str | None]:
    """Check a run set up piece by piece and give ``benchmark()``'s keyword arguments (but the
    progress callback and the cancel event, which belong to the run) and the soft budget's
    warning (None when there is none): what is missing (:func:`missing_to_run`), the inputs of
    ``source`` (:func:`source_arguments`), then the predicted cost (:func:`guard_benchmark`).

    Raises:
        NotReadyError: no models, no task, or no inputs from ``source`` (what to do).
        ValueError: uploaded files the task cannot read.
        hubwidgets.BudgetExceededError: a hard budget the run would pass.
    """
    problem = missing_to_run(models, task, inputs, source, linked=linked)
    if problem:
        raise NotReadyError(problem)
    arguments: dict[str, Any] = {
        "models": list(models),
        "task": task,
        "backend": backend,
        **({"allow_denied": True} if allow_denied else {}),
        "warmup": warmup,
        "min_iterations": min_iterations,
        "min_duration_s": min_duration_s,
        "batch_sizes": tuple(batch_sizes),
        **source_arguments(inputs, source, task, labels=labels, groups=groups, params=params),
        **({"prices": prices} if prices is not None else {}),
    }
    guarded = ("models", "task", "inputs", "backend", "batch_sizes", "warmup", "min_iterations")
    given = {key: arguments[key] for key in (*guarded, "params")}
    return arguments, guard_benchmark(**given, prices=prices)


def missing_to_run(
    models: Sequence[str], task: str, inputs: Inputs, source: str, *, linked: bool = False
) -> str:
    """What a run still needs before it can start, in words; "" when nothing.

    ``inputs``: where the inputs can come from, ``source`` the one chosen (see
    :class:`~hubwidgets.core.inference.samples.Inputs`); ``linked``: the models come from the
    selection of another widget (the words say to select some there).
    """
    if not models:
        where = " (or select some in the linked widget)" if linked else ""
        return f"add at least one model to measure{where}"
    if not task:
        return "choose a task first"
    return inputs.missing(source)


def setup_text(
    models: Sequence[str], task: str, inputs: Inputs, source: str, batch_sizes: Sequence[int]
) -> str:
    """A run's setup in words: "2 models · text-classification · 8 built-in samples · batch
    size 1, 8"."""
    n = len(models)
    what = f"{n} model{'' if n == 1 else 's'}"
    batches = ", ".join(map(str, batch_sizes))
    described = inputs.describe(source, task)
    return f"{what} · {task or 'no task chosen'} · {described} · batch size {batches}"


def source_arguments(
    inputs: Inputs,
    source: str,
    task: str,
    *,
    labels: Sequence[Any] | None = None,
    groups: Sequence[Any] | None = None,
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``inputs``, ``labels``, ``groups`` and ``params`` of ``benchmark()`` for a run on the
    inputs of ``source``: labels and groups go with the given inputs (``"column"``) only, and
    the built-in samples bring their task's parameters (``params`` win over them).

    Raises:
        ValueError: uploaded files the task cannot read (in words).
    """
    with_labels = source == "column"
    defaults = sample_params(task) if source == "samples" else {}
    merged = {**defaults, **(params or {})}
    return {
        "inputs": inputs.items(source, task),
        "labels": labels if with_labels else None,
        "groups": groups if with_labels else None,
        "params": merged or None,
    }


def read_upload(task: str, files: Any) -> tuple[list[tuple[str, bytes]], list[Any]]:
    """Uploaded files as a page sends them (``[{"name": str, "data": bytes}, ...]``):
    ``(files as (name, bytes), the inputs they hold for task)``.

    Raises:
        ValueError: files that did not arrive whole, that the task cannot read, or that hold
            no input (in words: what to do).
    """
    if not isinstance(files, list) or not files or not all(map(_is_file, files)):
        raise ValueError("the upload did not arrive whole: choose the files again")
    uploaded = [(str(f["name"]), bytes(f["data"])) for f in files]
    items = uploaded_inputs(task, uploaded)
    if not items:
        names = ", ".join(name for name, _ in uploaded)
        raise ValueError(f"no inputs in {names}: put one input per line")
    return uploaded, items


def _is_file(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("name"), str)
        and isinstance(value.get("data"), bytes)
    )


def inference_task(task_filter: Any) -> str | None:
    """The task a model can run that a task filter names (a task, or a list of exactly one, as
    a SearchWidget's ``task``), else None."""
    if isinstance(task_filter, str):
        tasks = [task_filter]
    else:
        tasks = list(task_filter) if isinstance(task_filter, list) else []
    return tasks[0] if len(tasks) == 1 and tasks[0] in INFERENCE_TASKS else None


def guard_benchmark(
    models: Sequence[str],
    task: str,
    inputs: Sequence[Any],
    *,
    backend: Any,
    batch_sizes: Sequence[int] = (1,),
    warmup: int = 3,
    min_iterations: int = 10,
    params: Mapping[str, Any] | None = None,
    prices: Any = None,
) -> str | None:
    """A run's predicted cost against the active budget (:func:`hw.use_budget`), before it
    starts: the soft budget's warning, else None (no budget, a local backend, or within it).
    The arguments are ``benchmark()``'s.

    The prediction counts the run's fewest calls: per batch size ``b``, the first call, the
    warmup and the measured ones, each sending ``b`` items (a run that lasts ``min_duration_s``
    makes more).

    Raises:
        hubwidgets.BudgetExceededError: a hard budget the run would pass (or whose cost cannot
            be predicted).
    """
    from ..cost.meter import guard_run  # noqa: PLC0415 - the ledger only when a run is checked

    item_calls = sum((1 + warmup + min_iterations) * b for b in batch_sizes)
    _, warning = guard_run(
        backend,
        task,
        models,
        inputs,
        params,
        prices,
        "this benchmark run",
        calls_per_item=item_calls / max(len(inputs), 1),
    )
    return warning


class LiveRows:
    """The results table of a run while it goes on, from its progress events: every job of the
    plan (models x batch sizes) pending, the one being measured running, each finished one its
    summary row (:func:`~hubwidgets.core.inference.results.live_rows`)."""

    def __init__(self, models: Sequence[str] = (), batch_sizes: Sequence[int] = ()) -> None:
        self.models, self.batch_sizes = list(models), list(batch_sizes)
        #: the finished jobs' summary rows by (model, batch size)
        self.finished: dict[tuple[str, int], dict[str, Any]] = {}
        #: the job being measured, or None
        self.current: tuple[str, int] | None = None

    def changes(self, event: BenchmarkProgress) -> bool:
        """Whether ``event`` changes the table: a job ended, or another one started."""
        if event.phase in {"done", "error", "cancelled"}:
            return True
        return (str(event.model), int(event.batch_size or 1)) != self.current

    def update(self, event: BenchmarkProgress) -> bool:
        """Take ``event`` in (its summary row when a job ended); whether the table changed."""
        changed = self.changes(event)
        row = event.summary_row
        if isinstance(row, dict) and row.get("model") is not None:
            self.finished[(str(row["model"]), int(row.get("batch_size") or 1))] = dict(row)
        finished = event.phase in {"done", "error", "cancelled"}
        self.current = None if finished else (str(event.model), int(event.batch_size or 1))
        return changed

    def frame(self) -> pd.DataFrame:
        """The table now, in the plan's order."""
        return live_rows(self.models, self.batch_sizes, self.finished, self.current)
