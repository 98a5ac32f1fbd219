"""``hw.apply(..., executor=client)``: partitions run on a dask cluster's workers.

Each worker process keeps its backends in :data:`_WORKER_BACKENDS`, keyed by (model, task,
backend kind, a digest of the backend's settings): the model is loaded once per worker, however
many partitions it runs, and two backends of one kind set up differently (two providers, two
devices) are never taken for each other.

**Spend** (remote backends): a pandas frame's run is metered like a run on this machine, by the
client: it checks the active budget (:func:`hw.use_budget`) against the whole run's predicted
cost before sending anything, each partition sends back its remote calls' billed tokens with its
rows, and the client writes the run's one usage-ledger line, priced with ``prices=``. The client,
not the workers, writes it because workers need not share its filesystem (nor its
``HUBWIDGETS_HOME``, nor :func:`hw.set_usage_path`): a line written there would be lost to
:func:`hw.usage` and to the budget. A dask frame runs later, on ``.compute()``, out of
``hw.apply``'s hands: there each partition is metered on its worker (``prices`` are shipped with
the partition), one ledger line per partition, in the worker's ledger.
"""

from __future__ import annotations

import hashlib
import math
import pickle
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..inference.backends import Backend, make_backend

#: (model, task, backend kind, settings digest) -> the backend holding the loaded model, here
_WORKER_BACKENDS: dict[tuple[str, str, str, str], Backend] = {}
_LOCK = threading.Lock()


def worker_backend(model: str, task: str, spec: Backend | str | None) -> Backend:
    """This process's backend for (model, task, ``spec``), made on first use.

    A backend object is told apart by its settings (what it sends to another process: its
    pickle), so ``RemoteBackend(provider="a")`` and ``RemoteBackend(provider="b")`` get a backend
    each, while the same settings sent again with the next partition find the loaded one."""
    if isinstance(spec, str) or spec is None:
        kind, settings = spec or "local", ""
    else:
        kind = type(spec).__name__
        settings = hashlib.sha256(pickle.dumps(spec)).hexdigest()[:16]
    key = (model, task, kind, settings)
    with _LOCK:
        if key not in _WORKER_BACKENDS:
            _WORKER_BACKENDS[key] = make_backend(spec)
        return _WORKER_BACKENDS[key]


def loaded_here() -> list[tuple[str, str, str, str]]:
    """The keys of the backends this process holds (for ``client.run(loaded_here)``)."""
    return sorted(_WORKER_BACKENDS)


def _partition(
    part: pd.DataFrame,
    model: str,
    spec: Backend | str | None,
    options: Mapping[str, Any],
    prices: Any = None,
) -> pd.DataFrame:
    """One partition of a dask frame, metered here, on the worker (see the module docstring)."""
    from .apply import _run_local  # noqa: PLC0415

    backend = worker_backend(model, options["task"], spec)
    return _run_local(
        part,
        model,
        backend=backend,
        progress=False,
        checkpoint=None,
        cancel=None,
        prices=prices,
        **options,
    )


def apply_on_cluster(
    df: Any,
    model: Any,
    client: Any,
    *,
    column: str,
    task: str | None,
    backend: Backend | str | None,
    batch_size: int | str,
    output: str | None,
    params: Mapping[str, Any] | None,
    checkpoint: str | Path | None = None,
    cancel: threading.Event | None = None,
    progress: bool | Callable[[int, int], Any] = False,
    prices: Any = None,
) -> Any:
    """:func:`apply` with the partitions of ``df`` on ``client``'s workers: a pandas frame in,
    a pandas frame out; a dask frame in, a dask frame out (lazy: ``.compute()`` runs it).

    A pandas frame's rows go out in partitions: one per worker thread, or, with ``checkpoint``
    or ``cancel``, smaller ones (four per thread at least) so that a cancel or an interrupt
    loses little. Only the input column is sent. The client saves each finished partition in
    the checkpoint folder (the same parts and manifest as a run on this machine: either can
    resume the other), submits at most two partitions per thread ahead, and on ``cancel``
    submits no more and cancels those not finished (their rows say ``"cancelled"``). Remote
    spend is metered as the module docstring says (``prices``: as :func:`hw.apply`'s).
    """
    try:
        import dask.dataframe as dd  # noqa: PLC0415
        from distributed import Client  # noqa: PLC0415
    except ImportError as exc:
        raise ImportError(
            "executor= needs dask: pip install 'hubwidgets[workflows]' (dask[distributed])"
        ) from exc
    from .apply import _ensemble_as_backend, _output_names, _resolve  # noqa: PLC0415

    model, backend, task = _ensemble_as_backend(model, backend, task)
    if not isinstance(client, Client):
        raise TypeError(f"executor must be a dask.distributed.Client, not {client!r}")
    is_dask = isinstance(df, dd.DataFrame)
    if not is_dask and not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas or dask DataFrame, not {type(df).__name__}")
    sample = df._meta if is_dask else df
    model, column, task, size = _resolve(sample, model, column, task, batch_size)
    names = _output_names(sample, task, output, backend)
    if isinstance(backend, str) or backend is None:
        make_backend(backend)  # a bad name fails here, not on every worker
    if cancel is not None and not isinstance(cancel, threading.Event):
        raise TypeError(f"cancel must be a threading.Event, not {cancel!r}")
    options = {
        "column": column,
        "task": task,
        "batch_size": size,
        "output": output,
        "params": dict(params) if params else None,
    }
    if is_dask:
        if checkpoint is not None or cancel is not None:
            raise ValueError(
                "checkpoint= and cancel= with executor= need a pandas DataFrame (the rows are "
                "sent in partitions the client tracks); a dask DataFrame runs lazily on "
                ".compute(): pass df.compute(), or run without them"
            )
        meta = _partition_meta(sample, task, output, backend)
        return df.map_partitions(_partition, model, backend, options, prices, meta=meta)
    cluster_run = _ClusterRun(client, df, model, backend, options, names, prices)
    return cluster_run.run(checkpoint, cancel, progress)


#: the name of the one column a partition sends (the user's own may clash with outputs)
_INPUT = "__hubwidgets_input__"


def _values_partition(
    values: list[Any], model: str, spec: Backend | str | None, options: Mapping[str, Any]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One partition's rows run on a worker (its own columns, unprefixed), and its remote calls
    (``apply._calls``: provider, billed tokens) for the client's usage ledger."""
    from .apply import _run_local  # noqa: PLC0415

    backend = worker_backend(model, options["task"], spec)
    calls: list[dict[str, Any]] = []
    frame = _run_local(
        pd.DataFrame({_INPUT: values}),
        model,
        column=_INPUT,
        task=options["task"],
        backend=backend,
        batch_size=options["batch_size"],
        output=None,
        checkpoint=None,
        progress=False,
        cancel=None,
        params=options["params"],
        remote_calls=calls,
    )
    return frame, calls[0]


class _ClusterRun:
    """A pandas frame's run on a cluster: partitions out, results (and checkpoint parts) in."""

    def __init__(
        self,
        client: Any,
        df: pd.DataFrame,
        model: str,
        backend: Any,
        options: Mapping[str, Any],
        names: dict[str, str],
        prices: Any = None,
    ) -> None:
        self.client, self.df, self.model, self.backend = client, df, model, backend
        self.options, self.names, self.prices = options, names, prices
        #: each finished partition's remote calls (``apply._calls``), for the usage ledger
        self.calls: list[dict[str, Any]] = []
        self.values = df[options["column"]]
        n = len(self.values)
        self.results: dict[str, list[Any]] = {c: [None] * n for c in names}
        self.done = [False] * n
        self.attrs: dict[str, Any] | None = None

    def run(
        self,
        checkpoint: str | Path | None,
        cancel: threading.Event | None,
        progress: bool | Callable[[int, int], Any],
    ) -> pd.DataFrame:
        from ._checkpoint import Checkpoint, column_hash  # noqa: PLC0415
        from .apply import _check_budget, _progress, _record_usage, _resume  # noqa: PLC0415

        started, clock = datetime.now(UTC), time.perf_counter()
        n, task = len(self.values), self.options["task"]
        store = None
        if checkpoint is not None:
            store = Checkpoint(
                checkpoint,
                {
                    "model": self.model,
                    "task": task,
                    "column": str(self.values.name),
                    "rows": n,
                    "input_hash": column_hash(self.values),
                },
            )
            _resume(store, self.results, self.done)
        todo = [i for i in range(n) if not self.done[i]]
        items = self.values.tolist()
        runner = make_backend(self.backend)  # what the workers will use, for its kind
        todo_items = [items[p] for p in todo]
        params = self.options["params"] or {}
        _check_budget(runner, self.model, task, todo_items, params, self.prices)
        threads = sum(self.client.nthreads().values()) or 1
        small = checkpoint is not None or cancel is not None
        per = max(1, math.ceil(len(todo) / threads))
        if small:
            per = max(1, min(per, max(self.options["batch_size"], len(todo) // (threads * 4))))
        chunks = deque(todo[k : k + per] for k in range(0, len(todo), per))
        partitions = len(chunks)
        bar = _progress(progress, n, n - len(todo), f"{task} · {Path(self.model).name} · dask")
        ran, cancelled = 0, False
        try:
            ran, cancelled = self._loop(chunks, store, cancel, bar, threads * 2 if small else 0)
        finally:
            bar.close()
            # what the finished partitions spent is recorded even if a later one failed
            _record_usage(self.calls, self.model, self.prices)
        return self._frame(started, clock, ran, n - len(todo), partitions, cancelled)

    def _loop(
        self,
        chunks: deque[list[int]],
        store: Any,
        cancel: threading.Event | None,
        bar: Any,
        ahead: int,
    ) -> tuple[int, bool]:
        from distributed import wait  # noqa: PLC0415

        items = self.values.tolist()
        pending: dict[Any, list[int]] = {}
        ran = 0
        try:
            while chunks or pending:
                if cancel is not None and cancel.is_set():
                    return ran, True
                while chunks and (not ahead or len(pending) < ahead):
                    positions = chunks.popleft()
                    future = self.client.submit(
                        _values_partition,
                        [items[p] for p in positions],
                        self.model,
                        self.backend,
                        self.options,
                        pure=False,
                    )
                    pending[future] = positions
                try:
                    finished = wait(list(pending), timeout=0.2, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    continue
                for future in finished.done:
                    positions = pending.pop(future)
                    part, calls = future.result()
                    self.calls.append(calls)
                    ran += self._take(part, positions, store)
                    bar.update(len(positions))
            return ran, False
        finally:
            if pending:
                self.client.cancel(list(pending))

    def _take(self, part: pd.DataFrame, positions: list[int], store: Any) -> int:
        if self.attrs is None:
            self.attrs = {str(k): v for k, v in part.attrs.items()}
        rows = {c: part[c].tolist() for c in self.names}
        for c, values in rows.items():
            column = self.results[c]
            for p, v in zip(positions, values, strict=True):
                column[p] = v
        for p in positions:
            self.done[p] = True
        if store is not None:
            store.write(positions, rows)
        return len(positions)

    def _frame(
        self,
        started: datetime,
        clock: float,
        ran: int,
        resumed: int,
        partitions: int,
        cancelled: bool,
    ) -> pd.DataFrame:
        from ._outputs import empty_values  # noqa: PLC0415
        from .apply import CANCELLED, _frame  # noqa: PLC0415

        task = self.options["task"]
        not_run = {**empty_values(task), "error": CANCELLED, "latency_ms": math.nan}
        for p in (p for p in range(len(self.done)) if not self.done[p]):
            for c in self.names:
                self.results[c][p] = not_run.get(c)
        out = _frame(self.df, task, self.results, self.names)
        if self.attrs is None:  # nothing ran here: the provenance of an empty run
            empty, _ = _values_partition([], self.model, self.backend, self.options)
            self.attrs = {str(k): v for k, v in empty.attrs.items()}
        elapsed = time.perf_counter() - clock
        out.attrs = {
            **self.attrs,  # type: ignore[dict-item]
            "column": str(self.values.name),
            "executor": repr(self.client),
            "partitions": partitions,
            "rows_run": ran,
            "rows_resumed": resumed,
            "rows_per_s": ran / elapsed if elapsed > 0 and ran else math.nan,
            "cancelled": cancelled,
            "started": started.isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "error_column": self.names["error"],
        }
        return out


def _partition_meta(
    sample: pd.DataFrame, task: str, output: str | None, backend: Any = None
) -> pd.DataFrame:
    from .apply import _output_names  # noqa: PLC0415

    meta = sample.iloc[:0].copy()
    for c, name in _output_names(sample, task, output, backend).items():
        numeric = c.rsplit(".", 1)[-1] in ("score", "latency_ms", "agreement")
        meta[name] = pd.Series(dtype="float64" if numeric else "object")
    return meta
