"""``hw.apply``: run a model over a DataFrame column, in batches, on this machine or a dask cluster.

>>> out = hw.apply(df, "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
...                column="review")          # adds label, score, error, latency_ms
>>> out = df.hub.apply(model, column="review")  # the same, as a pandas accessor

The columns each task adds are listed in :mod:`hubwidgets.core.workflows._outputs`.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..inference.backends import (
    INFERENCE_TASKS,
    Backend,
    BackendError,
    LocalBackend,
    PolicyError,
    check_inputs,
    check_task,
    make_backend,
)
from ..inference.backends._base import AUDIO_TASKS, IMAGE_TASKS, TEXT_TASKS
from ._checkpoint import POSITION, Checkpoint, column_hash
from ._outputs import ALWAYS, ONE_AT_A_TIME, empty_values, output_columns, tidy

__all__ = ["HubAccessor", "apply", "auto_batch_size", "default_task"]

#: What a cancelled row's ``error`` says.
CANCELLED = "cancelled"

# transformers architecture name endings -> the task a folder's model runs
_ARCHITECTURE_TASKS = (
    ("ForSequenceClassification", "text-classification"),
    ("ForTokenClassification", "token-classification"),
    ("ForQuestionAnswering", "question-answering"),
    ("ForMaskedLM", "fill-mask"),
    ("ForCausalLM", "text-generation"),
    ("LMHeadModel", "text-generation"),
    ("ForImageClassification", "image-classification"),
    ("ForAudioClassification", "audio-classification"),
    ("ForCTC", "automatic-speech-recognition"),
    ("ForObjectDetection", "object-detection"),
    ("Model", "feature-extraction"),
)


def default_task(model: str) -> str | None:
    """The task ``model`` is for: a folder's config (its ``pipeline_tag``, else its
    architecture), else the starter catalog's ``task``; None when neither says."""
    folder = Path(model).expanduser()
    if folder.is_dir():
        config_path = folder / "config.json"
        if config_path.is_file():
            config = json.loads(config_path.read_text(encoding="utf-8"))
            tag = config.get("pipeline_tag")
            if tag in INFERENCE_TASKS:
                return str(tag)
            for arch in config.get("architectures") or []:
                for ending, task in _ARCHITECTURE_TASKS:
                    if str(arch).endswith(ending):
                        return task
        return None
    from ..catalog.sources import starter_catalog  # noqa: PLC0415

    df = starter_catalog().df
    found = df.loc[df["id"] == model, "task"]
    if len(found) and isinstance(found.iloc[0], str) and found.iloc[0] in INFERENCE_TASKS:
        return str(found.iloc[0])
    return None


def auto_batch_size(task: str) -> int:
    """``batch_size="auto"``: 1 for tasks that generate (text, speech, images: each item's
    output has its own length, and padding to the longest rarely pays), else 8."""
    return 1 if task in ONE_AT_A_TIME else 8


def _batch_size(batch_size: object, task: str) -> int:
    if batch_size == "auto":
        return auto_batch_size(task)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be 'auto' or a whole number >= 1, not {batch_size!r}")
    return batch_size


def _check_column(df: pd.DataFrame, column: object) -> str:
    if not isinstance(column, str) and column not in df.columns:
        raise TypeError(f"column must name a column of the DataFrame, not {column!r}")
    if column not in df.columns:
        from ..catalog.vocab import close_matches  # noqa: PLC0415

        names = [str(c) for c in df.columns]
        near = close_matches(str(column), names)
        hint = f" Did you mean {', '.join(map(repr, near))}?" if near else ""
        raise ValueError(
            f"no column {column!r} in the DataFrame.{hint} Its columns: {', '.join(names)}"
        )
    return str(column) if isinstance(column, str) else column  # type: ignore[return-value]


def _missing(value: Any) -> bool:
    if value is None:
        return True
    return isinstance(value, float) and math.isnan(value)


def _check_modality(task: str, values: pd.Series, params: Mapping[str, Any]) -> None:
    """``ValueError`` naming the first row whose value is not of the task's kind (missing
    values pass: those rows record an error and the others run)."""
    kind = (
        "texts"
        if task in TEXT_TASKS
        else "images (paths, bytes or PIL images)"
        if task in IMAGE_TASKS
        else "audio (paths, bytes or {'array', 'sampling_rate'})"
        if task in AUDIO_TASKS
        else "items"
    )
    for label, value in values.items():
        if _missing(value):
            continue
        if task in TEXT_TASKS:
            bad = not isinstance(value, str)
            why = f"a {type(value).__name__}"
        else:
            try:
                check_inputs(task, [value], params=params)
                bad, why = False, ""
            except (ValueError, TypeError) as exc:
                bad, why = True, str(exc)
        if bad:
            raise ValueError(
                f"{task} runs on {kind}, but row {label!r} of the column holds {why}: "
                f"{_short(value)}"
            )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class _Run:
    """One run over some rows: batches, retries row by row, the results per position."""

    def __init__(
        self,
        backend: Backend,
        model: str,
        task: str,
        params: Mapping[str, Any],
        batch_size: int,
    ) -> None:
        self.backend, self.model, self.task = backend, model, task
        self.params = dict(params)
        if isinstance(backend, LocalBackend) and batch_size > 1:
            self.params.setdefault("batch_size", batch_size)
        self.ensemble: Any = None
        own = output_columns(task)
        if getattr(backend, "is_ensemble", False) is True:
            self.ensemble = backend
            own = self.ensemble.output_columns()
        self.columns = (*own, *ALWAYS)
        #: items per backend call when a pipeline hands this run a larger batch
        self.chunk = batch_size
        self.sha: str | None = None
        self.sha_known = False
        self.served_by: str | None = None
        #: the billed token counts of each remote call (for the usage ledger)
        self.remote: list[dict[str, float]] = []
        self.provider: str | None = None

    def batch(self, items: list[Any]) -> list[dict[str, Any]]:
        """The rows of one batch; a failed batch is run again row by row to find the bad one."""
        rows: list[dict[str, Any] | None] = [None] * len(items)
        live = [i for i, item in enumerate(items) if not _missing(item)]
        for i in set(range(len(items))) - set(live):
            rows[i] = {**empty_values(self.task), "error": "missing value", "latency_ms": math.nan}
        if live:
            try:
                outs = self._call([items[i] for i in live])
                for i, row in zip(live, outs, strict=True):
                    rows[i] = row
            except (BackendError, ValueError, TypeError) as exc:
                if len(live) == 1 or not _row_level(exc):
                    if not _row_level(exc):
                        raise
                    rows[live[0]] = _failed(self.task, exc)
                else:
                    for i in live:
                        try:
                            rows[i] = self._call([items[i]])[0]
                        except (BackendError, ValueError, TypeError) as one:
                            if not _row_level(one):
                                raise
                            rows[i] = _failed(self.task, one)
        return [r for r in rows if r is not None]

    def _call(self, items: list[Any]) -> list[dict[str, Any]]:
        if self.ensemble is not None:
            self.served_by = self.ensemble.name
            rows, latency = self.ensemble.detailed(items, **self.params)
            return [{**row, "error": "", "latency_ms": latency / len(items)} for row in rows]
        result = self.backend.run(self.task, self.model, items, **self.params)
        if not self.sha_known:
            self.sha, self.sha_known = result.model_sha, True
            self.served_by = result.backend
        if result.backend == "remote":
            self.remote.append(result.metrics)
            self.provider = result.provider
        each = result.latency_ms / len(items)
        return [{**tidy(self.task, out), "error": "", "latency_ms": each} for out in result.outputs]


def _row_level(exc: BaseException) -> bool:
    """Whether ``exc`` may be one row's fault (not a model that cannot load, nor a policy)."""
    if isinstance(exc, PolicyError):
        return False
    return not (isinstance(exc, BackendError) and exc.reason == "load")


def _failed(task: str, exc: BaseException) -> dict[str, Any]:
    return {**empty_values(task), "error": f"{type(exc).__name__}: {exc}", "latency_ms": math.nan}


def _progress_bar(total: int, initial: int, enabled: bool, desc: str) -> Any:
    from tqdm.auto import tqdm  # type: ignore[import-untyped]  # noqa: PLC0415

    return tqdm(
        total=total, initial=initial, unit="rows", desc=desc, disable=not enabled, leave=True
    )


class _Progress:
    """A progress callable as a bar: ``update(n)`` calls ``progress(done, total)``."""

    def __init__(self, callback: Callable[[int, int], Any], total: int, initial: int) -> None:
        self.callback, self.total, self.done = callback, total, initial

    def update(self, n: int) -> None:
        self.done += n
        self.callback(self.done, self.total)

    def close(self) -> None:
        pass


def _progress(progress: Any, total: int, initial: int, desc: str) -> Any:
    """``progress=`` as an object with ``update(n)`` and ``close()``: a bar, or the callable."""
    if callable(progress):
        return _Progress(progress, total, initial)
    if not isinstance(progress, bool):
        raise TypeError(
            f"progress must be True, False or a callable progress(done_rows, total_rows), not "
            f"{progress!r}"
        )
    return _progress_bar(total, initial, progress and total > 0, desc)


def _revision(backend: Backend, model: str, seen: str | None) -> tuple[str | None, str]:
    """The model's commit and where it came from (or why it is unknown)."""
    if seen:
        return seen, "the Hugging Face cache"
    if Path(model).expanduser().is_dir():
        return None, "a local folder has no Hub revision"
    if isinstance(backend, LocalBackend):
        sha = backend.model_sha(model)
        if sha:
            return sha, "the Hugging Face cache"
    return None, f"the {getattr(backend, 'name', 'given')} backend did not report one"


def _resolve(
    df: Any, model: object, column: object, task: object, batch_size: object
) -> tuple[str, str, str, int]:
    if not isinstance(model, str) or not model.strip():
        raise TypeError(
            f"model must be a Hub id such as 'org/name' or a model folder's path, not {model!r}"
        )
    column = _check_column(df, column)
    if task is None:
        task = default_task(model)
        if task is None:
            raise ValueError(
                f"cannot tell the task of {model!r} (not in the starter catalog, no config saying "
                f"so): pass task=..., one of {', '.join(INFERENCE_TASKS)}"
            )
    task = check_task(task)
    return model, column, task, _batch_size(batch_size, task)


def apply(
    df: Any,
    model: Any,
    *,
    column: str,
    task: str | None = None,
    backend: Backend | str | None = None,
    batch_size: int | str = "auto",
    output: str | None = None,
    executor: Any = None,
    checkpoint: str | Path | None = None,
    progress: bool | Callable[[int, int], Any] = True,
    cancel: threading.Event | None = None,
    params: Mapping[str, Any] | None = None,
    prices: Any = None,
) -> Any:
    """Run ``model`` over ``df[column]`` in batches; the frame comes back with output columns.

    Args:
        df: a pandas DataFrame (or, with ``executor=``, a dask DataFrame).
        model: a Hub id, a model folder, or an ``hw.Ensemble`` (then the columns are the
            combined ones, ``agreement`` and each member's, see
            :mod:`hubwidgets.core.workflows.ensemble`).
        column: the column of inputs: texts, image paths/bytes, or audio, by task.
        task: one of ``hw.INFERENCE_TASKS``; by default the model's own (its folder's config,
            else the starter catalog's ``task``).
        backend: "local" (the default), "remote", "auto", or a backend object.
        batch_size: rows per backend call; "auto" is 1 for tasks that generate, else 8.
        output: a prefix for the added columns (``output="sentiment"`` gives
            ``sentiment_label``...), needed when a column of the same name exists.
        executor: a ``dask.distributed.Client``: partitions run on its workers, each loading
            the model once; with ``checkpoint``/``cancel`` (a pandas frame only) the client
            saves each finished partition and a cancel stops sending more. The usage ledger
            is written by the client (a pandas frame; see :mod:`._dask`).
        checkpoint: a folder: each finished batch is saved there and a second call with the
            same input and model runs only the rows not done.
        progress: a progress bar (rows/s and ETA) moving once per batch (True), none (False),
            or a callable ``progress(done_rows, total_rows)`` called after each batch.
        cancel: a ``threading.Event``: when set, the run stops after the batch under way; the
            rows not run have ``error="cancelled"`` and ``result.attrs["cancelled"]`` is True.
        params: passed to each backend call (``candidate_labels``, ``max_new_tokens``...).
        prices: for a remote backend, a :func:`hw.provider_prices` table or
            ``{(provider, model): usd_per_call}``: the run's cost in the usage ledger
            (:func:`hw.usage`, kind "batch"; NA without it, never 0). With an active
            :func:`hw.use_budget` the cost is predicted first and a hard budget refuses the run.

    Returns:
        The input frame (same index) with the task's columns (see
        :mod:`hubwidgets.core.workflows._outputs`), ``error`` ("" when the row ran) and
        ``latency_ms`` (its batch's time over its rows); provenance in ``result.attrs``. The
        run is written to the audit trail (action ``inference.batch``, see ``hw.audit_log``).

    Raises:
        ValueError: a missing column (the message lists the columns), a value of the wrong kind
            for the task (naming the row), an unknown task, a bad batch_size, a checkpoint of a
            different run.
        BackendError: the model cannot load (nothing ran).
    """
    _check_prices(prices)
    if executor is not None:
        from ._dask import apply_on_cluster  # noqa: PLC0415

        result = apply_on_cluster(
            df,
            model,
            executor,
            column=column,
            task=task,
            backend=backend,
            batch_size=batch_size,
            output=output,
            params=params,
            checkpoint=checkpoint,
            cancel=cancel,
            progress=progress,
            prices=prices,
        )
        if isinstance(result, pd.DataFrame):  # a dask frame runs later, on .compute()
            _audit_apply(result, len(result))
        return result
    out = _run_local(
        df,
        model,
        column=column,
        task=task,
        backend=backend,
        batch_size=batch_size,
        output=output,
        checkpoint=checkpoint,
        progress=progress,
        cancel=cancel,
        params=params,
        prices=prices,
    )
    _audit_apply(out, len(df))
    return out


def _run_local(
    df: Any,
    model: Any,
    *,
    column: str,
    task: str | None,
    backend: Backend | str | None,
    batch_size: int | str,
    output: str | None,
    checkpoint: str | Path | None,
    progress: bool | Callable[[int, int], Any],
    cancel: threading.Event | None,
    params: Mapping[str, Any] | None,
    prices: Any = None,
    remote_calls: list[dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """:func:`apply` on this machine, without the audit record (a cluster's partitions run
    this: the client writes one record for the whole run).

    ``remote_calls``: given by a cluster's client, which checked the budget for the whole run
    and writes its usage-ledger line; the run's remote calls are added to it (:func:`_calls`)
    instead of being recorded here."""
    model, backend, task = _ensemble_as_backend(model, backend, task)
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"df must be a pandas DataFrame (or a dask one with executor=), not {type(df).__name__}"
        )
    model, column, task, size = _resolve(df, model, column, task, batch_size)
    if params is not None and not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of keyword arguments, not {params!r}")
    if cancel is not None and not isinstance(cancel, threading.Event):
        raise TypeError(f"cancel must be a threading.Event, not {cancel!r}")
    runner = make_backend(backend)
    names = _output_names(df, task, output, runner)
    values = df[column]
    _check_modality(task, values, params or {})
    return _apply_here(
        df,
        values,
        runner,
        model,
        task,
        size,
        names,
        params or {},
        checkpoint,
        progress,
        cancel,
        prices,
        remote_calls,
    )


def _audit_apply(out: pd.DataFrame, n_inputs: int) -> None:
    """One audit record for one batch run (never raises)."""
    from ..registry.audit import audit_run  # noqa: PLC0415 - one record per run, never raises

    attrs = out.attrs
    errors = out[attrs["error_column"]] if attrs.get("error_column") in out else None
    failed = [e for e in errors if e and e != CANCELLED] if errors is not None else []
    everything_failed = n_inputs > 0 and len(failed) == n_inputs
    status = "cancelled" if attrs.get("cancelled") else "error" if everything_failed else "ok"
    audit_run(
        "inference.batch",
        task=str(attrs.get("task")),
        rows=[
            {
                "model": attrs.get("model"),
                "model_sha": attrs.get("revision"),
                "status": status,
                "error": failed[0] if failed else "",
            }
        ],
        n_inputs=n_inputs,
        backend=attrs.get("backend"),
        kind="hw.apply",
        rows_run=attrs.get("rows_run"),
        rows_failed=len(failed),
        executor=attrs.get("executor"),
    )


def _ensemble_as_backend(model: Any, backend: Any, task: str | None) -> tuple[Any, Any, Any]:
    """An ``hw.Ensemble`` given as the model: (its id, itself as the backend, its task)."""
    if getattr(model, "is_ensemble", False) is not True:
        return model, backend, task
    if backend is not None and backend is not model:
        raise ValueError(
            "an hw.Ensemble runs its models with its own backend: pass backend= to "
            "hw.Ensemble(...), not to hw.apply"
        )
    if task is not None and check_task(task) != model.task:
        raise ValueError(f"the ensemble is for {model.task}, not task={task!r}")
    return model.id, model, model.task


def _output_names(
    df: pd.DataFrame, task: str, output: object, backend: Any = None
) -> dict[str, str]:
    ensemble = getattr(backend, "is_ensemble", False) is True
    own = (*(backend.output_columns() if ensemble else output_columns(task)), *ALWAYS)
    if output is None:
        names = {c: c for c in own}
    elif isinstance(output, str) and output.strip():
        names = {c: f"{output}_{c}" for c in own}
    else:
        raise TypeError(f"output must be a prefix for the added columns, not {output!r}")
    clash = [n for n in names.values() if n in df.columns]
    if clash:
        raise ValueError(
            f"the DataFrame already has column(s) {', '.join(map(repr, clash))}: pass "
            "output='prefix' to name the added ones prefix_label, prefix_error..."
        )
    return names


def _apply_here(
    df: pd.DataFrame,
    values: pd.Series,
    backend: Backend,
    model: str,
    task: str,
    size: int,
    names: dict[str, str],
    params: Mapping[str, Any],
    checkpoint: str | Path | None,
    progress: bool | Callable[[int, int], Any],
    cancel: threading.Event | None,
    prices: Any = None,
    remote_calls: list[dict[str, Any]] | None = None,
) -> pd.DataFrame:
    started = datetime.now(UTC)
    clock = time.perf_counter()
    run = _Run(backend, model, task, params, size)
    n = len(values)
    results: dict[str, list[Any]] = {c: [None] * n for c in run.columns}
    done = [False] * n
    store: Checkpoint | None = None
    if checkpoint is not None:
        store = Checkpoint(
            checkpoint,
            {
                "model": model,
                "task": task,
                "column": str(values.name),
                "rows": n,
                "input_hash": column_hash(values),
            },
        )
        _resume(store, results, done)
    todo = [i for i in range(n) if not done[i]]
    resumed = n - len(todo)
    items = values.tolist()
    if remote_calls is None:  # else the cluster's client checked the whole run
        _check_budget(backend, model, task, [items[p] for p in todo], params, prices)
    cancelled = False
    ran = 0
    bar = _progress(progress, n, resumed, f"{task} · {Path(model).name or model}")
    try:
        for start in range(0, len(todo), size):
            if cancel is not None and cancel.is_set():
                cancelled = True
                break
            positions = todo[start : start + size]
            rows = run.batch([items[p] for p in positions])
            for pos, row in zip(positions, rows, strict=True):
                done[pos] = True
                for c in run.columns:
                    results[c][pos] = row.get(c)
            if store is not None:
                store.write(positions, {c: [row.get(c) for row in rows] for c in run.columns})
            ran += len(positions)
            bar.update(len(positions))
    finally:
        bar.close()
    not_run = {**empty_values(task), "error": CANCELLED, "latency_ms": math.nan}
    for pos in (p for p in range(n) if not done[p]):
        for c in run.columns:
            results[c][pos] = not_run.get(c)
    elapsed = time.perf_counter() - clock
    if remote_calls is None:
        _record_usage([_calls(run)], model, prices)
    else:
        remote_calls.append(_calls(run))
    out = _frame(df, task, results, names)
    sha, sha_source = _revision(backend, model, run.sha)
    out.attrs.update(
        {
            "model": model,
            "revision": sha,
            "revision_source": sha_source,
            "backend": run.served_by or getattr(backend, "name", type(backend).__name__),
            "task": task,
            "column": str(values.name),
            "batch_size": size,
            "started": started.isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "rows_run": ran,
            "rows_resumed": resumed,
            "rows_per_s": ran / elapsed if elapsed > 0 and ran else math.nan,
            "cancelled": cancelled,
            "error_column": names["error"],
        }
    )
    return out


def _resume(store: Checkpoint, results: dict[str, list[Any]], done: list[bool]) -> None:
    """The checkpoint's finished rows put in ``results`` and marked in ``done``."""
    for record in store.done().to_dict("records"):
        pos = int(record[POSITION])
        if 0 <= pos < len(done):
            done[pos] = True
            for c, values in results.items():
                values[pos] = record.get(c)


def _frame(
    df: pd.DataFrame, task: str, results: Mapping[str, list[Any]], names: Mapping[str, str]
) -> pd.DataFrame:
    out = df.copy()
    for c, values in results.items():
        if c.rsplit(".", 1)[-1] in ("score", "latency_ms", "agreement"):
            out[names[c]] = pd.Series(values, index=df.index, dtype="float64")
        elif c == "error":
            out[names[c]] = pd.Series(values, index=df.index, dtype="object").fillna("")
        else:
            out[names[c]] = pd.Series(values, index=df.index, dtype="object")
    return out


@pd.api.extensions.register_dataframe_accessor("hub")
class HubAccessor:
    """``df.hub.apply(model, column=...)``: :func:`hw.apply` on this frame."""

    def __init__(self, df: pd.DataFrame) -> None:
        self._df = df

    def apply(self, model: str, *, column: str, **kwargs: Any) -> Any:
        """:func:`hubwidgets.apply` on this DataFrame (same arguments after ``df``)."""
        return apply(self._df, model, column=column, **kwargs)


def _check_budget(
    backend: Any, model: str, task: str, items: list[Any], params: Mapping[str, Any], prices: Any
) -> None:
    """The active budget against the run's predicted cost (hard: raises before any call)."""
    from ..cost.meter import guard_run  # noqa: PLC0415

    _, warning = guard_run(
        backend, task, [model], items, params, prices, f"this batch run of {len(items)} rows"
    )
    if warning:
        import warnings  # noqa: PLC0415

        warnings.warn(warning, UserWarning, stacklevel=4)


def _check_prices(prices: Any) -> None:
    """A ``prices=`` of the wrong kind refused before the run, not after it (when it is used)."""
    if prices is not None and not isinstance(prices, (pd.DataFrame, Mapping)):
        from ..cost.ledger import call_cost  # noqa: PLC0415

        call_cost(prices, None, "", None, None)  # its TypeError says what prices= may be


def _calls(run: _Run) -> dict[str, Any]:
    """A run's remote calls as plain data (a cluster's worker sends them to the client):
    ``provider`` (who served the last one) and ``metrics`` (each call's billed tokens)."""
    return {"provider": run.provider, "metrics": list(run.remote)}


def _record_usage(calls: Sequence[Mapping[str, Any]], model: str, prices: Any) -> None:
    """One usage-ledger line for the remote calls of a run, gathered from one or several
    :func:`_calls` (a cluster's partitions); none ran remotely: nothing."""
    metrics = [m for c in calls for m in c["metrics"]]
    if not metrics:
        return
    from ..cost.meter import record_call, sum_metrics  # noqa: PLC0415

    provider = next((c["provider"] for c in reversed(calls) if c["metrics"]), None)
    record_call(
        "batch",
        {
            "backend": "remote",
            "provider": provider,
            "model": model,
            "metrics": sum_metrics(metrics),
        },
        prices,
        calls=len(metrics),
    )
