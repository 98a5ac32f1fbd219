"""The benchmark engine: how fast and how good a model is, here, on your data.

It follows optimum-benchmark's method:

- each (model, backend, batch size) is one *job*: the first call (which loads the model; the
  load time and the first call's time are reported apart), ``warmup`` calls, then measured calls
  until both ``min_iterations`` and ``min_duration_s`` are met;
- the latency of a call is the backend's own timing of the model call (input checks, model
  loading and output normalization excluded), so the numbers match a bare timing loop around the
  same pipeline call (``benchmarks/harness.py`` checks it);
- latency p50/p90/p99, mean, standard deviation and coefficient of variation; throughput in
  items/s, and for generation tokens/s, time to first token and time per output token;
- peak memory sampled while the job runs (process RSS; CUDA max allocated on a GPU);
- an environment fingerprint (``result.env``) and every model's commit sha;
- quality when ``labels`` are given, per group with ``groups`` (see :mod:`._quality`).

Jobs run one after another in this process by default, so timings are not disturbed. Any
``concurrent.futures.Executor`` (or a ``dask.distributed.Client``) runs one model per task.
A model that fails to load or run is reported with its error; the others still run.
"""

from __future__ import annotations

import io
import json
import math
import os
import platform
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._quality import LOWER_IS_BETTER, QUALITY_TASKS, metrics_for, score, score_groups
from .backends._base import Backend, BackendError, check_inputs, check_task
from .benchmark_setup import guard_benchmark
from .results import spread_flags

__all__ = [
    "RUN_COLUMNS",
    "SUMMARY_COLUMNS",
    "BenchmarkProgress",
    "BenchmarkResult",
    "benchmark",
    "check_batch_sizes",
    "model_label",
]

#: The columns of ``result.runs``: one row per call.
RUN_COLUMNS: tuple[str, ...] = (
    "model",
    "backend",
    "provider",
    "batch_size",
    "phase",
    "iteration",
    "latency_ms",
    "items",
    "items_per_s",
    "generated_tokens",
    "ttft_ms",
    "tpot_ms",
    "error",
)

#: What :meth:`_Job.call` keeps of each call (the other run columns are derived from them).
_CALL_FIELDS = (
    "backend",
    "provider",
    "phase",
    "iteration",
    "latency_ms",
    "items",
    "generated_tokens",
    "ttft_ms",
    "error",
)

#: The columns of ``result.summary`` always present (quality columns follow when scored).
SUMMARY_COLUMNS: tuple[str, ...] = (
    "model",
    "backend",
    "provider",
    "batch_size",
    "status",
    "error",
    "load_ms",
    "first_call_ms",
    "iterations",
    "duration_s",
    "p50_ms",
    "p90_ms",
    "p99_ms",
    "mean_ms",
    "std_ms",
    "cv",
    "items_per_s",
    "tokens_per_s",
    "ttft_ms",
    "tpot_ms",
    "peak_rss_mb",
    "peak_cuda_mb",
    "model_sha",
    "reliable",
    "spread_note",
)

_GROUP_COLUMNS = ("model", "backend", "batch_size", "group", "n", "metric", "value", "lo", "hi")

#: How often peak memory is sampled while a job runs.
MEMORY_SAMPLE_S = 0.02


@dataclass
class BenchmarkProgress:
    """What a ``progress`` callable is given after every call and when each job ends."""

    model: str
    batch_size: int
    #: "load", "warmup", "measure", "quality", "done", "error" or "cancelled"
    phase: str
    #: jobs (model x batch size) finished so far, and in all
    done: int
    total: int
    #: an estimate of the whole run's progress, 0..1
    fraction: float
    #: e.g. "bert-tiny · batch 4 · measuring 7/10"
    message: str
    #: when a job ends ("done", "error", "cancelled"): its row of ``result.summary``
    summary_row: dict[str, Any] | None = None


@dataclass
class BenchmarkResult:
    """What :func:`benchmark` returns: DataFrames and the environment they were measured in."""

    #: one row per call (see :data:`RUN_COLUMNS`)
    runs: pd.DataFrame
    #: one row per model x backend x batch size (see :data:`SUMMARY_COLUMNS`, plus quality)
    summary: pd.DataFrame
    #: CPU, cores, RAM, GPU, library versions, model shas
    env: dict[str, Any] = field(default_factory=dict)
    #: per-group quality: model, backend, batch_size, group, n, metric, value, lo, hi
    quality_by_group: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(_GROUP_COLUMNS))
    )
    #: whether the run was cancelled before every job finished
    cancelled: bool = False

    @property
    def quality_metric(self) -> str | None:
        """The main quality column present ("accuracy", "exact_match", "wer"), else None."""
        for metrics in QUALITY_TASKS.values():
            if metrics[0] in self.summary.columns:
                return metrics[0]
        return None

    @property
    def lower_is_better(self) -> bool:
        """Whether a lower :attr:`quality_metric` is better (error rates)."""
        return self.quality_metric in LOWER_IS_BETTER

    @property
    def machine(self) -> str:
        """The machine it ran on, in words: its GPU, else its CPU ("" when unknown)."""
        env = self.env or {}
        return str(env.get("gpu") or env.get("cpu") or "")

    def to_parquet(self, path: str | Path) -> Path:
        """Write one Parquet file: the runs as its table, the rest in its metadata."""
        import pyarrow as pa  # noqa: PLC0415
        import pyarrow.parquet as pq  # noqa: PLC0415

        def ipc(df: pd.DataFrame) -> bytes:
            sink = io.BytesIO()
            table = pa.Table.from_pandas(df, preserve_index=False)
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            return sink.getvalue()

        table = pa.Table.from_pandas(self.runs, preserve_index=False)
        meta = dict(table.schema.metadata or {})
        meta[b"hubwidgets.benchmark.summary"] = ipc(self.summary)
        meta[b"hubwidgets.benchmark.groups"] = ipc(self.quality_by_group)
        meta[b"hubwidgets.benchmark.env"] = json.dumps(self.env, default=str).encode()
        meta[b"hubwidgets.benchmark.cancelled"] = b"1" if self.cancelled else b"0"
        path = Path(path)
        pq.write_table(table.replace_schema_metadata(meta), path)
        return path

    @classmethod
    def read_parquet(cls, path: str | Path) -> BenchmarkResult:
        """Read back what :meth:`to_parquet` wrote."""
        import pyarrow as pa  # noqa: PLC0415
        import pyarrow.parquet as pq  # noqa: PLC0415

        table = pq.read_table(path)
        meta = table.schema.metadata or {}
        if b"hubwidgets.benchmark.summary" not in meta:
            raise ValueError(f"{path} was not written by BenchmarkResult.to_parquet")

        def frame(key: bytes) -> pd.DataFrame:
            with pa.ipc.open_stream(meta[key]) as reader:
                df: pd.DataFrame = reader.read_all().to_pandas()
            return df

        return cls(
            runs=table.to_pandas(),
            summary=frame(b"hubwidgets.benchmark.summary"),
            env=json.loads(meta[b"hubwidgets.benchmark.env"]),
            quality_by_group=frame(b"hubwidgets.benchmark.groups"),
            cancelled=meta.get(b"hubwidgets.benchmark.cancelled") == b"1",
        )

    def _repr_html_(self) -> str:
        html = self.summary.to_html(index=False, na_rep="", float_format=lambda v: f"{v:,.4g}")
        return f"<p>{self!r}</p>{html}".replace("<BenchmarkResult", "&lt;BenchmarkResult")

    def __repr__(self) -> str:
        jobs = len(self.summary)
        ok = int((self.summary["status"] == "ok").sum()) if jobs else 0
        return f"<BenchmarkResult: {jobs} jobs ({ok} ok), {len(self.runs)} calls>"


@dataclass(frozen=True)
class _Settings:
    task: str
    warmup: int
    min_iterations: int
    min_duration_s: float
    params: Mapping[str, Any]
    score: bool
    #: prices for the usage ledger (remote calls): hw.provider_prices() or {(provider, model): usd}
    prices: Any = None


# --------------------------------------------------------------------------------------- memory


class _PeakMemory:
    """This process's peak RSS while a job runs (and CUDA's peak allocation when in use).

    On Linux the kernel keeps the peak itself (``VmHWM`` in /proc/self/status), and writing 5 to
    /proc/self/clear_refs resets it: exact, and nothing runs beside the timed calls. Elsewhere a
    thread samples the RSS every :data:`MEMORY_SAMPLE_S` seconds.
    """

    _STATUS = Path("/proc/self/status")
    _CLEAR = Path("/proc/self/clear_refs")

    def __init__(self, interval: float = MEMORY_SAMPLE_S) -> None:
        self.interval = interval
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._cuda = False
        self._kernel = False

    def _rss(self) -> int:
        try:
            import psutil  # noqa: PLC0415

            return int(psutil.Process().memory_info().rss)
        except ImportError:  # /proc is enough on Linux
            statm = Path("/proc/self/statm")
            if statm.is_file():
                return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            return 0

    def _high_water_mark(self) -> int | None:
        try:
            for line in self._STATUS.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return None
        return None

    def _reset_high_water_mark(self) -> bool:
        try:
            self._CLEAR.write_text("5")
        except OSError:
            return False
        return self._high_water_mark() is not None

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_rss = max(self.peak_rss, self._rss())

    def __enter__(self) -> _PeakMemory:
        torch = sys.modules.get("torch")
        if torch is not None and torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
            self._cuda = True
        self._kernel = self._reset_high_water_mark()
        self.peak_rss = self._rss()
        if not self._kernel:
            self._thread = threading.Thread(
                target=self._loop, name="hubwidgets-memory", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        mark = self._high_water_mark() if self._kernel else None
        self.peak_rss = max(self.peak_rss, mark or 0, self._rss())

    @property
    def peak_cuda_mb(self) -> float:
        torch = sys.modules.get("torch")
        if not self._cuda or torch is None:
            return math.nan
        return float(torch.cuda.max_memory_allocated()) / 2**20


# ------------------------------------------------------------------------------------------ jobs


class _Job:
    """One (model, batch size): its calls, its summary row, its quality."""

    def __init__(self, backend: Backend, model: str, batch_size: int, items: list[Any]) -> None:
        self.backend = backend
        self.model = model
        self.batch_size = batch_size
        self.items = items
        self.rows: list[tuple[Any, ...]] = []
        self.load_ms: float = math.nan
        self.first_ms: float = math.nan
        self.model_sha: str | None = None
        self.outputs: dict[int, Any] = {}
        self.status = "ok"
        self.error: str | None = None
        self._next = 0
        self._cycle: list[tuple[list[int], list[Any]]] | None = None
        # a backend that can prepare a call (LocalBackend) checks and loads once per batch;
        # the measured calls then run the model alone
        self._prepare = getattr(backend, "prepare", None)
        self._prepared: dict[int, Callable[[], Any]] = {}
        # the billed token counts of each remote call (for the usage ledger)
        self.remote: list[dict[str, float]] = []

    def batch(self) -> tuple[list[int], list[Any], int]:
        """The next ``batch_size`` items, going round the inputs (made once, handed out after),
        and the batch's place in the round."""
        if self._cycle is None:
            n, size = len(self.items), self.batch_size
            # after lcm(n, size) / size batches the round starts again at item 0
            count = n // math.gcd(n, size)
            self._cycle = []
            for b in range(count):
                idx = [(b * size + k) % n for k in range(size)]
                self._cycle.append((idx, [self.items[i] for i in idx]))
        slot = self._next
        self._next = (slot + 1) % len(self._cycle)
        return (*self._cycle[slot], slot)

    def call(
        self,
        settings: _Settings,
        phase: str,
        iteration: int,
        idx: list[int],
        batch: list[Any],
        slot: int | None = None,
    ) -> float:
        # as little as possible between two calls: a tuple per call, the columns derived later
        run = self._prepared.get(slot) if slot is not None else None
        if run is None and slot is not None and self._prepare is not None:
            run = self._prepared[slot] = self._prepare(
                settings.task, self.model, batch, **settings.params
            )
        if run is not None:
            result = run()
        else:
            result = self.backend.run(settings.task, self.model, batch, **settings.params)
        if result.load_ms is not None:
            self.load_ms = result.load_ms
            self.model_sha = result.model_sha
        if settings.score:
            for i, output in zip(idx, result.outputs, strict=False):
                self.outputs.setdefault(i, output)
        metrics = result.metrics
        latency = result.latency_ms
        if result.backend == "remote":
            self.remote.append(metrics)
        self.rows.append(
            (
                result.backend,
                result.provider,
                phase,
                iteration,
                latency,
                len(batch),
                metrics.get("generated_tokens", math.nan) if metrics else math.nan,
                metrics.get("ttft_ms", math.nan) if metrics else math.nan,
                None,
            )
        )
        return float(latency)

    def frame(self) -> pd.DataFrame:
        """The calls as rows of :data:`RUN_COLUMNS`."""
        raw = pd.DataFrame(self.rows, columns=list(_CALL_FIELDS))
        latency = raw["latency_ms"].astype(float)
        tokens = raw["generated_tokens"].astype(float)
        per_item = tokens / raw["items"].where(raw["items"] > 0)
        out = raw.assign(
            model=self.model,
            batch_size=self.batch_size,
            latency_ms=latency,
            generated_tokens=tokens,
            ttft_ms=raw["ttft_ms"].astype(float),
            items_per_s=raw["items"] / latency.where(latency > 0) * 1e3,
            # time per output token: the decode time after the first token, per further token
            tpot_ms=(latency - raw["ttft_ms"].astype(float)) / (per_item - 1).where(per_item > 1),
        )
        return out[list(RUN_COLUMNS)]

    def summary(self, peak: _PeakMemory | None, duration_s: float) -> dict[str, Any]:
        runs = self.frame()
        measured = runs[runs["phase"] == "measure"]
        lat = measured["latency_ms"].to_numpy(dtype=float)
        total_s = lat.sum() / 1e3
        tokens = measured["generated_tokens"].to_numpy(dtype=float)
        row: dict[str, Any] = {
            "model": self.model,
            "backend": getattr(self.backend, "name", type(self.backend).__name__),
            "provider": None,
            "batch_size": self.batch_size,
            "status": self.status,
            "error": self.error,
            "load_ms": self.load_ms,
            "first_call_ms": self.first_ms,
            "iterations": len(lat),
            "duration_s": duration_s,
            "p50_ms": math.nan,
            "p90_ms": math.nan,
            "p99_ms": math.nan,
            "mean_ms": math.nan,
            "std_ms": math.nan,
            "cv": math.nan,
            "items_per_s": math.nan,
            "tokens_per_s": math.nan,
            "ttft_ms": math.nan,
            "tpot_ms": math.nan,
            "peak_rss_mb": peak.peak_rss / 2**20 if peak else math.nan,
            "peak_cuda_mb": peak.peak_cuda_mb if peak else math.nan,
            "model_sha": self.model_sha,
        }
        served = runs["backend"].dropna()
        if len(served):
            row["backend"] = served.iloc[-1]
            row["provider"] = (
                runs["provider"].dropna().iloc[-1] if runs["provider"].notna().any() else None
            )
        if len(lat):
            p50, p90, p99 = np.percentile(lat, [50, 90, 99])
            mean = float(lat.mean())
            std = float(lat.std(ddof=1)) if len(lat) > 1 else 0.0
            row.update(
                p50_ms=float(p50),
                p90_ms=float(p90),
                p99_ms=float(p99),
                mean_ms=mean,
                std_ms=std,
                cv=std / mean if mean > 0 else math.nan,
                items_per_s=float(measured["items"].sum()) / total_s if total_s > 0 else math.nan,
            )
            if np.isfinite(tokens).any() and total_s > 0:
                row["tokens_per_s"] = float(np.nansum(tokens)) / total_s
                row["ttft_ms"] = (
                    float(np.nanmedian(measured["ttft_ms"]))
                    if measured["ttft_ms"].notna().any()
                    else math.nan
                )
                row["tpot_ms"] = (
                    float(np.nanmedian(measured["tpot_ms"]))
                    if measured["tpot_ms"].notna().any()
                    else math.nan
                )
        return row


def model_label(model: str) -> str:
    """A short name for progress messages: a repo id as it is, a folder by its last two parts."""
    name = model.rstrip("/").replace("\\", "/")
    if os.path.isabs(name) or name.startswith(("./", "../", "~")):
        return "/".join(name.rsplit("/", 2)[-2:])
    return name


def _run_job(
    job: _Job,
    settings: _Settings,
    cancel: threading.Event | None,
    report: Callable[[str, float, str], None] | None,
) -> dict[str, Any]:
    """Run one job to the end (or its error, or a cancel) and return its summary row."""
    started = time.perf_counter()
    label = f"{model_label(job.model)} · batch {job.batch_size}"
    stop = cancel if cancel is not None else threading.Event()
    peak = _PeakMemory()
    with peak:
        try:
            if report:
                report("load", 0.0, f"{label} · loading")
            idx, batch, slot = job.batch()
            job.first_ms = job.call(settings, "first", 0, idx, batch, slot)
            for i in range(settings.warmup):
                if stop.is_set():
                    break
                if report:
                    report("warmup", 0.05, f"{label} · warmup {i + 1}/{settings.warmup}")
                idx, batch, slot = job.batch()
                job.call(settings, "warmup", i, idx, batch, slot)
            _measure(job, settings, stop, report, label)
            if settings.score:
                _predict_the_rest(job, settings, stop, report, label)
            if stop.is_set():
                job.status = "cancelled"
        except BackendError as exc:
            job.status, job.error = "error", str(exc)
        except (ValueError, TypeError):
            raise
        except Exception as exc:  # one model's crash must not end the others
            job.status, job.error = "error", f"{type(exc).__name__}: {exc}"
    if job.status == "error":
        name = getattr(job.backend, "name", None)
        job.rows.append((name, None, "error", 0, math.nan, 0, math.nan, math.nan, job.error))
    return job.summary(peak, time.perf_counter() - started)


def _predict_the_rest(
    job: _Job,
    settings: _Settings,
    stop: threading.Event,
    report: Callable[[str, float, str], None] | None,
    label: str,
) -> None:
    """Outputs for the inputs the measured calls did not cover, to score every one."""
    missing = [i for i in range(len(job.items)) if i not in job.outputs]
    for k in range(0, len(missing), job.batch_size):
        if stop.is_set():
            return
        if report:
            report("quality", 0.9, f"{label} · scoring {k + 1}/{len(missing)}")
        chunk = missing[k : k + job.batch_size]
        job.call(settings, "quality", k, chunk, [job.items[i] for i in chunk])


def _measure(
    job: _Job,
    settings: _Settings,
    stop: threading.Event,
    report: Callable[[str, float, str], None] | None,
    label: str,
) -> None:
    """The measured calls: until both ``min_iterations`` and ``min_duration_s`` are met.

    Between two calls only a clock read, a cancel check and the next batch: the progress
    message is built only for a listener.
    """
    clock = time.perf_counter
    start = clock()
    wanted, seconds = settings.min_iterations, settings.min_duration_s
    n = 0
    while not stop.is_set():
        elapsed = clock() - start
        if n >= wanted and elapsed >= seconds:
            break
        if report:
            share = min(n / wanted, elapsed / seconds if seconds > 0 else 1.0, 1.0)
            report("measure", 0.1 + 0.8 * share, f"{label} · measuring {n + 1}/{wanted}")
        idx, batch, slot = job.batch()
        job.call(settings, "measure", n, idx, batch, slot)
        n += 1


def _score_job(
    job: _Job,
    row: dict[str, Any],
    settings: _Settings,
    labels: list[Any] | None,
    groups: list[Any] | None,
) -> pd.DataFrame:
    """Add the quality columns to ``row``; return the per-group table."""
    if labels is None or job.status != "ok" or len(job.outputs) < len(job.items):
        return pd.DataFrame(columns=list(_GROUP_COLUMNS))
    outputs = [job.outputs[i] for i in range(len(job.items))]
    row.update(score(settings.task, outputs, labels))
    if groups is None:
        return pd.DataFrame(columns=list(_GROUP_COLUMNS))
    table, gaps = score_groups(settings.task, outputs, labels, groups)
    row.update(gaps)
    table.insert(0, "batch_size", job.batch_size)
    table.insert(0, "backend", row["backend"])
    table.insert(0, "model", job.model)
    return table


def _model_jobs(
    backend: Backend,
    model: str,
    items: list[Any],
    batch_sizes: Sequence[int],
    settings: _Settings,
    labels: list[Any] | None,
    groups: list[Any] | None,
    cancel: threading.Event | None = None,
    on_event: Callable[[BenchmarkProgress], None] | None = None,
    done_before: int = 0,
    total: int = 1,
) -> _Parts:
    """Every batch size of one model: (runs rows, summary rows, group tables). Picklable."""
    runs: list[pd.DataFrame] = []
    summary: list[dict[str, Any]] = []
    groups_out: list[pd.DataFrame] = []
    for k, batch_size in enumerate(batch_sizes):
        done = done_before + k
        if cancel is not None and cancel.is_set():
            summary.append(_cancelled_row(backend, model, batch_size))
            continue
        job = _Job(backend, model, batch_size, items)

        def report(
            phase: str, share: float, message: str, _done: int = done, _bs: int = batch_size
        ) -> None:
            if on_event is not None:
                on_event(
                    BenchmarkProgress(
                        model, _bs, phase, _done, total, (_done + share) / total, message
                    )
                )

        row = _run_job(job, settings, cancel, report if on_event is not None else None)
        groups_out.append(_score_job(job, row, settings, labels, groups))
        runs.append(job.frame())
        summary.append(row)
        _record_usage(job, row, settings)
        if on_event is not None:
            on_event(_finished(model, row, done + 1, total))
    return runs, summary, groups_out


def _record_usage(job: _Job, row: Mapping[str, Any], settings: _Settings) -> None:
    """One usage-ledger line per (model, batch size) that called remotely (every call priced)."""
    if not job.remote:
        return
    from ..cost.meter import record_call, sum_metrics  # noqa: PLC0415

    record_call(
        "benchmark",
        {
            "backend": "remote",
            "provider": row.get("provider"),
            "model": job.model,
            "metrics": sum_metrics(job.remote),
        },
        settings.prices,
        calls=len(job.remote),
    )


# ------------------------------------------------------------------------------------ environment


def _version(name: str) -> str | None:
    from importlib import metadata  # noqa: PLC0415

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def environment(model_shas: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """The fingerprint of this machine and its libraries, stored on every result."""
    from ..choose.hardware import _cpu_name, _gpus, _ram  # noqa: PLC0415

    total, _available, _how = _ram()
    # a GPU matters only to a backend that loaded torch: do not import it (seconds) to look
    gpus = [str(g["name"]) for g in _gpus()[0]] if "torch" in sys.modules else []
    return {
        "cpu": _cpu_name() or platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "ram_gb": round(total / 2**30, 1) if total else None,
        "gpu": ", ".join(gpus) or None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": _version("torch"),
        "transformers": _version("transformers"),
        "huggingface_hub": _version("huggingface_hub"),
        "hubwidgets": _version("hubwidgets"),
        "model_sha": dict(model_shas or {}),
        "measured_at": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
    }


# --------------------------------------------------------------------------------------- progress


class _TextProgress:
    """A one-line progress bar on stderr (the default ``progress=True``), no widgets."""

    def __init__(self) -> None:
        self._last = 0.0

    def __call__(self, event: BenchmarkProgress) -> None:
        now = time.monotonic()
        final = event.phase in ("done", "error", "cancelled")
        if not final and now - self._last < 0.25:
            return
        self._last = now
        width = 24
        filled = round(width * min(max(event.fraction, 0.0), 1.0))
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if final else ""
        sys.stderr.write(f"\r[{bar}] {event.done}/{event.total} {event.message:<60.60}{end}")
        sys.stderr.flush()


# ------------------------------------------------------------------------------------ the entry


def _check_models(models: Any) -> list[str]:
    if isinstance(models, (str, Path)):
        models = [models]
    if not isinstance(models, Iterable):
        raise TypeError(f"models must be a model id, a path, or a list of them, not {models!r}")
    out = [str(m) for m in models]
    if not out:
        raise ValueError("no models given: pass at least one model id or local path")
    for i, m in enumerate(out):
        if not m.strip():
            raise ValueError(f"model {i} is an empty string")
    return list(dict.fromkeys(out))


def _check_count(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, not {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return int(value)


def check_batch_sizes(batch_sizes: Any) -> list[int]:
    """Batch sizes as a list of ints >= 1, repeats dropped (one int is a list of one).

    Raises:
        TypeError: a size that is not an integer.
        ValueError: a size below 1, or none.
    """
    if isinstance(batch_sizes, (int, np.integer)) and not isinstance(batch_sizes, bool):
        batch_sizes = [batch_sizes]
    sizes = [_check_count("each batch size", b, 1) for b in batch_sizes]
    if not sizes:
        raise ValueError("batch_sizes is empty: give at least one, e.g. (1,)")
    return list(dict.fromkeys(sizes))


def benchmark(
    models: str | Sequence[str],
    task: str,
    inputs: Any,
    *,
    backend: Backend | None = None,
    warmup: int = 3,
    min_iterations: int = 10,
    min_duration_s: float = 5.0,
    batch_sizes: int | Sequence[int] = (1,),
    labels: Sequence[Any] | None = None,
    groups: Sequence[Any] | None = None,
    executor: Any = None,
    progress: bool | Callable[[BenchmarkProgress], None] = True,
    cancel: threading.Event | None = None,
    params: Mapping[str, Any] | None = None,
    allow_denied: bool = False,
    prices: Any = None,
) -> BenchmarkResult:
    """Measure how fast (and, with ``labels``, how good) each model is on ``inputs``.

    >>> result = hw.benchmark(["./tiny-bert", "./tiny-distil"], "text-classification",
    ...                       df["text"], labels=df["label"], batch_sizes=(1, 8))
    >>> result.summary[["model", "batch_size", "p50_ms", "items_per_s", "accuracy"]]

    ``backend`` defaults to a :class:`~hubwidgets.core.inference.backends.LocalBackend`. ``params``
    go to
    every call (e.g. ``{"max_new_tokens": 16}``, ``{"candidate_labels": [...]}``). ``progress``
    is True (a bar on stderr), False, or a callable given a :class:`BenchmarkProgress`; ``cancel``
    is an event that stops the run cleanly between two calls. ``executor``: any
    ``concurrent.futures.Executor`` or ``dask.distributed.Client`` runs one model per task (then
    progress is reported per model, and cancelling skips the models not yet started).

    The default backend checks each model against the session's policy before loading it
    (:func:`hw.use_policy`): a denied model is a row with status "error" saying why, unless
    ``allow_denied=True``.

    Remote calls are written to the usage ledger (:func:`hw.usage`, kind "benchmark", one line
    per model and batch size), priced with ``prices`` (a :func:`hw.provider_prices` table or
    ``{(provider, model): usd_per_call}``; without it the cost is NA, never 0). With an active
    budget (:func:`hw.use_budget`) the cost of the run's fewest calls (1 + warmup + min_iterations
    per batch size; a run that lasts ``min_duration_s`` makes more) is predicted first, and a
    hard budget refuses the run before any call (``BudgetExceededError``).

    Bad input raises ``ValueError`` / ``TypeError`` saying what and where (the index of the bad
    item); a model that fails to load or run is a row with status "error" and its message.
    """
    task = check_task(task)
    params = dict(params or {})
    items = check_inputs(task, inputs, params=params)
    from ..workflows.ensemble import route  # noqa: PLC0415 - hw.Ensemble objects among models

    models, routed = route(models, backend, allow_denied=allow_denied)
    if routed is not backend:
        backend, allow_denied = routed, False
    model_list = _check_models(models)
    sizes = check_batch_sizes(batch_sizes)
    settings = _Settings(
        task,
        _check_count("warmup", warmup, 0),
        _check_count("min_iterations", min_iterations, 1),
        _check_seconds(min_duration_s),
        params,
        labels is not None,
        prices,
    )
    label_list = None if labels is None else _as_list(labels, "labels", len(items))
    group_list = None if groups is None else _as_list(groups, "groups", len(items))
    if group_list is not None and label_list is None:
        raise ValueError("groups need labels: quality per group is measured against labels")
    if label_list is not None:
        metrics_for(task)
    if backend is None:
        from .backends import make_backend  # noqa: PLC0415

        backend = make_backend("local", allow_denied=allow_denied)
    elif allow_denied:
        raise ValueError(
            "allow_denied=True applies to the default backend: with your own backend, set it "
            "there instead, e.g. LocalBackend(allow_denied=True)"
        )
    if not callable(getattr(backend, "run", None)):
        raise TypeError(f"backend must have a run(task, model, inputs) method, not {backend!r}")
    warning = guard_benchmark(
        model_list,
        task,
        items,
        backend=backend,
        batch_sizes=sizes,
        warmup=settings.warmup,
        min_iterations=settings.min_iterations,
        params=params,
        prices=prices,
    )
    if warning:
        warnings.warn(warning, UserWarning, stacklevel=2)
    on_event = _TextProgress() if progress is True else (progress or None)
    plan = _Plan(backend, items, sizes, settings, label_list, group_list)
    if executor is None:
        parts = plan.run_here(model_list, cancel, on_event)
    else:
        parts = plan.run_on(executor, model_list, cancel, on_event)
    result = _result(parts, cancelled=bool(cancel is not None and cancel.is_set()))
    from ..registry.audit import audit_run  # noqa: PLC0415 - one record per run, never raises

    rows = result.summary.to_dict("records")
    audit_run("inference.benchmark", task=task, rows=rows, n_inputs=len(items), backend=backend)
    return result


def _check_seconds(value: Any) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise TypeError(f"min_duration_s must be a number of seconds, not {value!r}")
    if not value >= 0:
        raise ValueError(f"min_duration_s must be >= 0, not {value}")
    return float(value)


#: (calls per job, summary rows, per-group quality tables)
_Parts = tuple[list[pd.DataFrame], list[dict[str, Any]], list[pd.DataFrame]]


@dataclass
class _Plan:
    """What every model is run with; runs them here, or on an executor."""

    backend: Backend
    items: list[Any]
    sizes: list[int]
    settings: _Settings
    labels: list[Any] | None
    groups: list[Any] | None

    def run_here(
        self,
        models: list[str],
        cancel: threading.Event | None,
        on_event: Callable[[BenchmarkProgress], None] | None,
    ) -> _Parts:
        runs: list[pd.DataFrame] = []
        summary: list[dict[str, Any]] = []
        tables: list[pd.DataFrame] = []
        total = len(models) * len(self.sizes)
        for m, model in enumerate(models):
            r, s, g = _model_jobs(
                self.backend,
                model,
                self.items,
                self.sizes,
                self.settings,
                self.labels,
                self.groups,
                cancel,
                on_event,
                m * len(self.sizes),
                total,
            )
            runs += r
            summary += s
            tables += g
        return runs, summary, tables

    def run_on(
        self,
        executor: Any,
        models: list[str],
        cancel: threading.Event | None,
        on_event: Callable[[BenchmarkProgress], None] | None,
    ) -> _Parts:
        futures = [
            executor.submit(
                _model_jobs,
                self.backend,
                model,
                self.items,
                self.sizes,
                self.settings,
                self.labels,
                self.groups,
            )
            for model in models
        ]
        runs: list[pd.DataFrame] = []
        summary: list[dict[str, Any]] = []
        tables: list[pd.DataFrame] = []
        total = len(models) * len(self.sizes)
        for m, (model, future) in enumerate(zip(models, futures, strict=True)):
            if cancel is not None and cancel.is_set():
                future.cancel()
                summary += [_cancelled_row(self.backend, model, b) for b in self.sizes]
                continue
            r, s, g = future.result()
            runs += r
            summary += s
            tables += g
            for k, row in enumerate(s):
                done = m * len(self.sizes) + k + 1
                if on_event is not None:
                    on_event(_finished(model, row, done, total))
        return runs, summary, tables


def _cancelled_row(backend: Backend, model: str, batch_size: int) -> dict[str, Any]:
    row = _Job(backend, model, batch_size, []).summary(None, 0.0)
    row["status"] = "cancelled"
    return row


def _finished(model: str, row: dict[str, Any], done: int, total: int) -> BenchmarkProgress:
    status = str(row["status"])
    return BenchmarkProgress(
        model,
        int(row["batch_size"]),
        "done" if status == "ok" else status,
        done,
        total,
        done / total,
        f"{model_label(model)} · batch {row['batch_size']} · {status}",
        row,
    )


def _result(parts: _Parts, *, cancelled: bool) -> BenchmarkResult:
    runs, summary, tables = parts
    summary_df = pd.DataFrame(summary)
    if len(summary_df):
        # a job whose latency spread is too wide to trust is flagged, never silently used
        flags = spread_flags(summary_df)
        summary_df["reliable"] = flags["reliable"]
        summary_df["spread_note"] = flags["spread_note"]
    for col in SUMMARY_COLUMNS:
        if col not in summary_df.columns:
            summary_df[col] = None
    extra = [c for c in summary_df.columns if c not in SUMMARY_COLUMNS]
    summary_df = summary_df[list(SUMMARY_COLUMNS) + extra]
    filled = [t for t in tables if len(t)]
    groups_df = (
        pd.concat(filled, ignore_index=True)
        if filled
        else pd.DataFrame(columns=list(_GROUP_COLUMNS))
    )
    shas = {str(r["model"]): r["model_sha"] for r in summary}
    return BenchmarkResult(
        runs=(
            pd.concat([r for r in runs if len(r)], ignore_index=True)
            if any(len(r) for r in runs)
            else pd.DataFrame(columns=list(RUN_COLUMNS))
        ),
        summary=summary_df,
        env=environment(shas),
        quality_by_group=groups_df,
        cancelled=cancelled,
    )


def _as_list(values: Any, name: str, n: int) -> list[Any]:
    if isinstance(values, (str, bytes)) or not (
        isinstance(values, Iterable) or hasattr(values, "tolist")
    ):
        raise TypeError(
            f"{name} must be a list with one entry per input, not {type(values).__name__}"
        )
    out = list(values.tolist() if hasattr(values, "tolist") else values)
    if len(out) != n:
        raise ValueError(
            f"{name} has {len(out)} entries but there are {n} inputs: give one per input"
        )
    for i, v in enumerate(out):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            raise ValueError(f"{name} entry {i} is missing: give every input a value")
    return out
