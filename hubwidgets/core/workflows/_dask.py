"""``hw.apply(..., executor=client)``: partitions run on a dask cluster's workers.

Each worker process keeps its backends in :data:`_WORKER_BACKENDS`, keyed by (model, task,
backend kind): the model is loaded once per worker, however many partitions it runs.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from ..inference.backends import Backend, make_backend

#: (model, task, backend kind) -> the backend holding the loaded model, in this process
_WORKER_BACKENDS: dict[tuple[str, str, str], Backend] = {}
_LOCK = threading.Lock()


def worker_backend(model: str, task: str, spec: Backend | str | None) -> Backend:
    """This process's backend for (model, task, kind), made on first use."""
    kind = spec if isinstance(spec, str) or spec is None else type(spec).__name__
    key = (model, task, str(kind or "local"))
    with _LOCK:
        if key not in _WORKER_BACKENDS:
            _WORKER_BACKENDS[key] = make_backend(spec)
        return _WORKER_BACKENDS[key]


def loaded_here() -> list[tuple[str, str, str]]:
    """The keys of the backends this process holds (for ``client.run(loaded_here)``)."""
    return sorted(_WORKER_BACKENDS)


def _partition(
    part: pd.DataFrame,
    model: str,
    spec: Backend | str | None,
    options: Mapping[str, Any],
) -> pd.DataFrame:
    from .apply import _run_local  # noqa: PLC0415

    backend = worker_backend(model, options["task"], spec)
    return _run_local(
        part, model, backend=backend, progress=False, checkpoint=None, cancel=None, **options
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
) -> Any:
    """:func:`apply` with the partitions of ``df`` on ``client``'s workers: a pandas frame in,
    a pandas frame out (split into one partition per worker thread); a dask frame in, a dask
    frame out (lazy: ``.compute()`` runs it)."""
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
    _output_names(sample, task, output, backend)
    if isinstance(backend, str) or backend is None:
        make_backend(backend)  # a bad name fails here, not on every worker
    options = {
        "column": column,
        "task": task,
        "batch_size": size,
        "output": output,
        "params": dict(params) if params else None,
    }
    if is_dask:
        meta = _partition_meta(sample, task, output, backend)
        return df.map_partitions(_partition, model, backend, options, meta=meta)
    threads = sum(client.nthreads().values()) or 1
    n = len(df)
    if n == 0:
        return _partition(df, model, backend, options)
    bounds = [round(i * n / threads) for i in range(threads + 1)]
    parts = [df.iloc[a:b] for a, b in itertools.pairwise(bounds) if b > a]
    started, clock = datetime.now(UTC), time.perf_counter()
    futures = client.map(_partition, parts, model=model, spec=backend, options=options, pure=False)
    results = client.gather(futures)
    out = pd.concat(results)
    out.attrs = {**results[0].attrs, "executor": repr(client), "partitions": len(parts)}
    elapsed = time.perf_counter() - clock
    out.attrs["rows_run"] = ran = sum(r.attrs.get("rows_run", 0) for r in results)
    out.attrs["rows_per_s"] = ran / elapsed if elapsed > 0 else math.nan
    out.attrs["started"] = started.isoformat(timespec="seconds")
    out.attrs["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
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
