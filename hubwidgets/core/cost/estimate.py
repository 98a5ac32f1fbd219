"""What serving a model costs: dedicated Inference Endpoints, serverless providers, this machine.

>>> work = hw.Workload(requests_per_day=20_000, input_tokens=500, output_tokens=200)
>>> hw.estimate_cost(["Qwen/Qwen2.5-7B-Instruct", "HuggingFaceTB/SmolLM3-3B"], work)

One row per model and option, every figure with where it came from (``*_source``). Nothing is
guessed: a price, a throughput or a fit that is not known stays NA and its source says why.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from ..choose.memory import BYTES_PER_PARAM
from ..inference.results import CV_LIMIT, unreliable
from .options import option_label
from .prices import (
    HARDWARE_COLUMNS,
    PROVIDER_COLUMNS,
    _accelerator_specs,
    hardware_prices,
    provider_prices,
)

__all__ = [
    "CV_LIMIT",
    "DAYS_PER_MONTH",
    "ESTIMATE_COLUMNS",
    "INFERENCE_OVERHEAD",
    "OPTION_KINDS",
    "Workload",
    "as_workload",
    "cost_at_volumes",
    "endpoint_cost",
    "estimate_cost",
]

#: Days in the month of the pricing page (730 hours: 24 x 365 / 12).
DAYS_PER_MONTH = 365 / 12

#: Memory to serve a model, as a multiple of its weights at the dtype: about 20 % on top for
#: activations, the KV cache of a short context and the runtime (EleutherAI's "Transformer Math
#: 101" rule, which huggingface/accelerate's model memory estimator also applies).
INFERENCE_OVERHEAD = 1.2


#: The kinds of option, as ``options=`` takes them (with "local" for "this machine").
OPTION_KINDS: tuple[str, ...] = ("dedicated", "serverless", "this machine")

#: The columns of :func:`estimate_cost`, in order.
ESTIMATE_COLUMNS: tuple[str, ...] = (
    "model",
    "option",
    "instance",
    "provider",
    "vendor",
    "region",
    "accelerator",
    "instance_type",
    "instance_size",
    "status",
    "dtype",
    "memory_needed_gb",
    "memory_available_gb",
    "fits",
    "memory_source",
    "price_per_hour_usd",
    "input_usd_per_1m",
    "output_usd_per_1m",
    "price_source",
    "throughput_rps",
    "latency_ms",
    "throughput_source",
    "min_replicas",
    "max_replicas",
    "replicas_needed_at_peak",
    "scale_to_zero",
    "usd_per_hour",
    "usd_per_month",
    "usd_per_1k_requests",
    "cost_source",
    "meets_slo",
    "meets_slo_source",
    "cheapest",
    "break_even_requests_per_day",
    "break_even_source",
    "note",
)

_FLOATS = (
    "memory_needed_gb",
    "memory_available_gb",
    "price_per_hour_usd",
    "input_usd_per_1m",
    "output_usd_per_1m",
    "throughput_rps",
    "latency_ms",
    "usd_per_hour",
    "usd_per_month",
    "usd_per_1k_requests",
    "break_even_requests_per_day",
)
_INTS = ("min_replicas", "max_replicas", "replicas_needed_at_peak")
_BOOLS = ("fits", "scale_to_zero", "meets_slo", "cheapest")
_SIZED = re.compile(r"-x\d+$")  # an instance id ends with its size
_ALIASES = {"local": "this machine", "machine": "this machine", "all": "all"}


def endpoint_cost(
    price_per_hour: float,
    hours: float,
    min_replicas: int = 1,
    scale_up_hours: float = 0.0,
    extra_replicas: int = 0,
) -> float:
    """The Inference Endpoints bill: hourly rate x (hours x min replicas + scale-up hours x extra
    replicas), each replica billed per started minute.

    The pricing page's worked examples: ``endpoint_cost(0.067, 1)`` is 0.067 (intel-spr x2, one
    replica for an hour); ``endpoint_cost(0.5, 1, 1, 0.25, 2)`` is 0.75 (a $0.5/h GPU at 1 to 3
    replicas, 15 minutes of 3 replicas each hour), and over a 730-hour month
    ``endpoint_cost(0.5, 730, 1, 730 * 0.25, 2)`` is 547.50.
    """
    for name, value in (
        ("price_per_hour", price_per_hour),
        ("hours", hours),
        ("scale_up_hours", scale_up_hours),
    ):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not value >= 0:
            raise ValueError(f"{name} must be a number >= 0, not {value!r}")
    for name, count in (("min_replicas", min_replicas), ("extra_replicas", extra_replicas)):
        if not isinstance(count, (int, np.integer)) or isinstance(count, bool) or count < 0:
            raise ValueError(f"{name} must be an int >= 0, not {count!r}")
    return _billed(price_per_hour, hours, int(min_replicas), scale_up_hours, int(extra_replicas))


def _billed(price: float, hours: float, base: int, scale_up_hours: float, extra: int) -> float:
    # a replica is billed per started minute; 1e-9 keeps 0.25 h from rounding up to 16 minutes
    minutes = math.ceil(hours * 60 - 1e-9) * base + math.ceil(scale_up_hours * 60 - 1e-9) * extra
    return round(price * minutes / 60, 9)


@dataclass(frozen=True)
class Workload:
    """The traffic to serve: requests a day, tokens a request, the peak and the latency target.

    Args:
        requests_per_day: requests in a day (> 0).
        input_tokens, output_tokens: tokens in and out of one request (input > 0; output >= 0,
            0 for models that generate nothing, such as embeddings or classifiers).
        peak_requests_per_s: the busiest rate to serve (default: the average over the active
            hours, ``requests_per_day / (hours_per_day x 3600)``); at least that average.
        hours_per_day: hours a day the traffic comes in (0 < h <= 24); below 24 a dedicated
            endpoint scales to zero the other hours.
        latency_slo_ms: the longest a request may take (``meets_slo``); None: no target.
        peak_hours_per_day: how long the peak lasts each day (extra replicas are billed that
            long); at most ``hours_per_day``.

    Raises ValueError for a zero or negative figure, saying which.
    """

    requests_per_day: float
    input_tokens: int
    output_tokens: int
    peak_requests_per_s: float | None = None
    hours_per_day: float = 24
    latency_slo_ms: float | None = None
    peak_hours_per_day: float = 1.0

    def __post_init__(self) -> None:
        _positive("requests_per_day", self.requests_per_day)
        _count("input_tokens", self.input_tokens, minimum=1)
        _count("output_tokens", self.output_tokens, minimum=0)
        _positive("hours_per_day", self.hours_per_day)
        if self.hours_per_day > 24:
            raise ValueError(f"hours_per_day must be at most 24, not {self.hours_per_day!r}")
        if self.latency_slo_ms is not None:
            _positive("latency_slo_ms", self.latency_slo_ms)
        _positive("peak_hours_per_day", self.peak_hours_per_day)
        if self.peak_hours_per_day > self.hours_per_day:
            raise ValueError(
                f"peak_hours_per_day ({self.peak_hours_per_day!r}) must be at most "
                f"hours_per_day ({self.hours_per_day!r})"
            )
        if self.peak_requests_per_s is not None:
            _positive("peak_requests_per_s", self.peak_requests_per_s)
            if self.peak_requests_per_s < self.average_requests_per_s * (1 - 1e-9):
                raise ValueError(
                    f"peak_requests_per_s ({self.peak_requests_per_s!r}) is below the average "
                    f"rate over the active hours ({self.average_requests_per_s:.4g}/s)"
                )

    @property
    def average_requests_per_s(self) -> float:
        """Requests a second over the active hours."""
        return float(self.requests_per_day) / (float(self.hours_per_day) * 3600)

    @property
    def peak_rps(self) -> float:
        """The peak rate: ``peak_requests_per_s``, else the average."""
        if self.peak_requests_per_s is None:
            return self.average_requests_per_s
        return float(self.peak_requests_per_s)

    def scaled(self, requests_per_day: float) -> Workload:
        """The same workload at another volume (the peak scaled in proportion)."""
        factor = requests_per_day / float(self.requests_per_day)
        peak = None if self.peak_requests_per_s is None else self.peak_requests_per_s * factor
        return Workload(
            requests_per_day,
            self.input_tokens,
            self.output_tokens,
            peak,
            self.hours_per_day,
            self.latency_slo_ms,
            self.peak_hours_per_day,
        )


def as_workload(value: Workload | Mapping[str, Any]) -> Workload:
    """``value`` as a :class:`Workload`: one already, or a dict of its fields (from JSON, a
    config file, a form): None leaves a field at its default (no peak, no SLO, 24 hours a day),
    and whole floats (500.0) are taken as the ints the token counts must be.

    Raises:
        ValueError: a zero or negative figure, a missing required field (``requests_per_day is
            required: a number > 0``).
        TypeError: not a Workload nor a dict, an unknown field (with the valid ones).
    """
    if isinstance(value, Workload):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(
            f"workload must be a hw.Workload or a dict of its fields, not {type(value).__name__}"
        )
    valid = [f.name for f in fields(Workload)]
    unknown = [k for k in value if k not in valid]
    if unknown:
        raise TypeError(f"unknown workload fields {unknown}; valid: {', '.join(valid)}")
    missing = [k for k in valid[:3] if value.get(k) is None]
    if missing:
        raise ValueError(f"{missing[0]} is required: a number > 0")
    return Workload(**{k: _whole(v) for k, v in value.items() if v is not None})


def _whole(value: Any) -> Any:
    # JSON has one number type: 500.0 from a page is the int 500
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    if not (math.isfinite(float(value)) and value > 0):
        raise ValueError(f"{name} must be > 0, not {value!r}")


def _count(name: str, value: object, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < minimum:
        what = "> 0" if minimum == 1 else ">= 0"
        raise ValueError(f"{name} must be {what}, not {value!r}")


# -- the estimate ---------------------------------------------------------------------------------
def estimate_cost(
    models: str | Sequence[str] | pd.DataFrame,
    workload: Workload,
    *,
    options: str | Sequence[str] = "all",
    benchmark: Any = None,
    catalog: Any = None,
    prices: pd.DataFrame | None = None,
    provider_table: pd.DataFrame | None = None,
    dtype: str = "fp16/bf16",
) -> pd.DataFrame:
    """What serving each model under ``workload`` costs: one row per model and option.

    Args:
        models: model ids, or a DataFrame with an ``id`` column (a search's results,
            ``hw.compare``'s output); a ``params`` column there is used as the parameter count.
        workload: a :class:`Workload`.
        options: ``"all"``, or any of ``"dedicated"``, ``"serverless"``, ``"this machine"``
            (``"local"``), an accelerator (``"gpu"``, ``"cpu"``, ``"neuron"``), an instance type
            (``"nvidia-l4"``), an instance (``"aws-nvidia-l4-x1"``) or a provider
            (``"together"``), or a list of them.
        benchmark: a :class:`hw.BenchmarkResult` of these models: its measured throughput and
            p90 latency replace the estimate for this machine, and for the instances whose
            accelerator is the one it ran on (``env["gpu"]``). A job whose latency spread is too
            wide to trust (CV above :data:`CV_LIMIT`, or the median latencies of repeated runs
            more than 2x apart) is not used, and ``throughput_source`` says so.
        catalog: where the parameter counts come from (default ``hw.open_catalog()``).
        prices: the instances (default ``hw.hardware_prices()``: live, else bundled).
        provider_table: serverless prices (default ``hw.provider_prices()``: live, else none).
        dtype: the weights' dtype on the instances: ``"fp32"``, ``"fp16/bf16"``, ``"int8"``,
            ``"int4"``.

    Returns :data:`ESTIMATE_COLUMNS`. The options:

    - ``"dedicated"``: an Inference Endpoint on each instance whose memory holds the model
      (``memory_needed_gb`` = parameters x bytes at ``dtype`` x :data:`INFERENCE_OVERHEAD`,
      against the accelerators' memory together, or the RAM of a CPU instance; multi-GPU sizes
      included); a model too large for every instance gets one row that says so. Replicas:
      ``min_replicas`` serve the average rate, ``max_replicas`` (= ``replicas_needed_at_peak``)
      the peak; with ``hours_per_day`` below 24 the endpoint scales to zero the rest of the day.
      The bill is :func:`endpoint_cost` per day: rate x (active hours x min replicas + peak hours
      x extra replicas), per started minute; ``usd_per_hour`` is that over 24 hours and
      ``usd_per_month`` over :data:`DAYS_PER_MONTH` days.
    - ``"serverless"``: one row per provider with a price for the model: per request
      ``input_tokens x input price + output_tokens x output price`` (per 1M tokens); a provider
      without a price has NA costs and says why. No provider known: one row that says so.
    - ``"this machine"``: memory fit against :func:`hw.hardware`, the measured throughput from
      ``benchmark``; no $.

    Throughput per replica (``throughput_rps``, requests a second) is ``"measured"`` (the
    benchmark's ``items_per_s``; latency its ``p90_ms``) or an ``"estimate"`` at batch 1 from
    the accelerators' datasheet figures (:func:`hubwidgets.core.cost.accelerator_specs`), with
    P parameters, W = P x bytes per parameter, B the memory bandwidth and F the 16-bit FLOPs of
    all the replica's accelerators (tensor parallelism taken as perfect)::

        latency = max(2 x P x input_tokens / F, W / B) + output_tokens x W / B
        throughput = 1 / latency

    (the prompt is read in one compute-bound pass, each generated token reads every weight
    once). Batching serves several requests at once, so a real server does better on
    throughput; this is the rate one request at a time, at peak datasheet speed. Unknown where
    the accelerator's figures are not published (A10G, B200, CPUs): then the cost is for one
    replica and ``cost_source`` says more may be needed.

    ``meets_slo``: the latency is within ``workload.latency_slo_ms`` (NA with no target or no
    latency). ``cheapest``: per model, the lowest ``usd_per_month`` among the options that fit,
    are not deprecated and do not miss the SLO. ``break_even_requests_per_day``: on a dedicated
    row, the daily volume at which the cheapest serverless provider of the model costs as much
    as this endpoint (at its replica count); on a serverless row, the volume at which the
    cheapest dedicated option costs as much as this provider. Below it serverless is cheaper.

    The workload is kept in ``result.attrs["workload"]``; the notes of the price tables in
    ``result.attrs["prices_note"]`` and ``["providers_note"]``.

    Raises:
        ValueError: an unknown model (with close matches), option, instance or provider (with
            the valid ones), dtype, or a price table without its columns.
        TypeError: a ``workload`` that is not a :class:`Workload`, ``models`` not ids.
    """
    if not isinstance(workload, Workload):
        raise TypeError(
            f"workload must be a hw.Workload(requests_per_day, input_tokens, output_tokens), "
            f"not {type(workload).__name__}"
        )
    if dtype not in BYTES_PER_PARAM:
        close = difflib.get_close_matches(str(dtype), list(BYTES_PER_PARAM), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown dtype {dtype!r}{hint}; valid: {', '.join(BYTES_PER_PARAM)}")
    specs = _models(models, catalog)
    ids = [m.id for m in specs]
    hardware = _hardware_table(prices)
    providers = _provider_table(provider_table, ids)
    kinds, instances, provider_names = _options(options, hardware, providers)
    measured = _measured(benchmark, ids)
    table = _Instances(
        hardware if instances is None else hardware[hardware["instance"].isin(instances)]
    )
    offers: dict[str, list[dict[str, Any]]] = {}
    for offer in _records(providers):
        if provider_names is None or offer["provider"] in provider_names:
            offers.setdefault(offer["model"], []).append(offer)
    why = providers.attrs.get("note", "")
    rows: list[dict[str, Any]] = []
    for spec in specs:
        if "dedicated" in kinds:
            rows.extend(_dedicated(spec, workload, table, dtype, measured, benchmark))
        if "serverless" in kinds:
            rows.extend(_serverless(spec, workload, offers.get(spec.id, []), why))
        if "this machine" in kinds:
            rows.append(_this_machine(spec, workload, dtype, measured))
    df = _frame(rows)
    _mark(df, workload)
    df.attrs["workload"] = asdict(workload)
    df.attrs["prices_note"] = hardware.attrs.get("note", "your table (prices=)")
    df.attrs["providers_note"] = providers.attrs.get("note", "")
    return df


@dataclass
class _Model:
    id: str
    params: float | None
    params_source: str


def _models(models: object, catalog: Any) -> list[_Model]:  # noqa: PLR0912 - one branch per input form
    given: dict[str, Any] = {}
    if isinstance(models, pd.DataFrame):
        if "id" not in models.columns:
            raise TypeError(
                f"a DataFrame of models needs an 'id' column; it has {list(models.columns)}"
            )
        ids = [str(i) for i in models["id"].tolist()]
        if "params" in models.columns:
            given = {
                i: p for i, p in zip(ids, models["params"].tolist(), strict=True) if not _na(p)
            }
    elif isinstance(models, str):
        ids = [models]
    elif isinstance(models, Iterable):
        ids = list(models)
        bad = [m for m in ids if not isinstance(m, str) or not m]
        if bad:
            raise TypeError(f"each model must be an id string, not {bad[0]!r}")
    else:
        raise TypeError(f"models must be ids or a DataFrame, not {type(models).__name__}")
    if not ids:
        raise ValueError("no models given")
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ValueError(f"models listed more than once: {', '.join(map(repr, twice))}")
    out: list[_Model] = []
    needed = [i for i in ids if i not in given]
    found: dict[str, tuple[float | None, str]] = {}
    if needed:
        found = _catalog_params(needed, catalog)
    for i in ids:
        if i in given:
            out.append(_Model(i, float(given[i]), "params column of the models given"))
        else:
            out.append(_Model(i, *found[i]))
    return out


def _catalog_params(  # noqa: PLR0912 - a Catalog takes the fast path
    ids: list[str], catalog: Any
) -> dict[str, tuple[float | None, str]]:
    from ..catalog.catalog import Catalog, UnknownModelError  # noqa: PLC0415
    from ..catalog.sources import open_catalog  # noqa: PLC0415

    if catalog is None:
        catalog = open_catalog(verbose=False)
    found: dict[str, tuple[Any, Any]] = {}
    unknown: list[str] = []
    if isinstance(catalog, Catalog):
        # the id index compare() keeps on the catalog: one lookup for all, no row copies
        if catalog._positions is None:
            catalog._positions = pd.Index(catalog.df["id"])
        at = catalog._positions.get_indexer(pd.Index(ids))
        taken = catalog.df.iloc[at[at >= 0]]
        params = iter(taken["params"].tolist())
        sources = iter(taken["source"].tolist())
        for i, p in zip(ids, at, strict=True):
            if p >= 0:
                found[i] = (next(params), next(sources))
            else:
                unknown.append(i)
        if unknown:
            raise ValueError(f"unknown model ids: {catalog._unknown_message(unknown)}")
    else:
        messages = []
        for i in ids:
            try:
                row = catalog.model(i)
            except UnknownModelError as err:
                messages.append(str(err))
                continue
            found[i] = (row.get("params"), row.get("source"))
        if messages:
            raise ValueError(f"unknown model ids: {'; '.join(messages)}")
    out: dict[str, tuple[float | None, str]] = {}
    for i, (params, source) in found.items():
        where = f"catalog ({source})"
        if _na(params):
            out[i] = (None, f"unknown: no parameter count in the {where}")
        else:
            out[i] = (float(params), f"{where}: parameter count")
    return out


def _na(value: Any) -> bool:
    """A missing scalar: None, NA, NaN, NaT (cheap: called per cell)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _hardware_table(prices: pd.DataFrame | None) -> pd.DataFrame:
    if prices is None:
        return hardware_prices()
    if not isinstance(prices, pd.DataFrame):
        raise TypeError(f"prices must be a DataFrame (hw.hardware_prices()), not {type(prices)}")
    needed = ("instance", "accelerator", "instance_type", "price_per_hour_usd")
    missing = [c for c in needed if c not in prices.columns]
    if missing:
        raise ValueError(
            f"prices needs the columns of hw.hardware_prices(); missing {missing} "
            f"(it has {list(prices.columns)})"
        )
    out = prices.reset_index(drop=True)
    for col in HARDWARE_COLUMNS:
        if col not in out.columns:
            out[col] = pd.NA
    return out


def _provider_table(table: pd.DataFrame | None, ids: list[str]) -> pd.DataFrame:
    if table is None:
        return provider_prices(models=ids)
    if isinstance(table, pd.DataFrame) and all(c in table.columns for c in PROVIDER_COLUMNS):
        note = table.attrs.get("note", "your table (provider_table=)")
        out = table[table["model"].isin(ids)].reset_index(drop=True)
        out.attrs["note"] = note
        return out
    return provider_prices(table=table, models=ids)


def _options(
    options: str | Sequence[str], hardware: pd.DataFrame, providers: pd.DataFrame
) -> tuple[set[str], set[str] | None, set[str] | None]:
    """(kinds, the instances to keep or None for all, the providers to keep or None for all)."""
    wanted = [options] if isinstance(options, str) else list(options)
    if not wanted:
        raise ValueError("options is empty; pass 'all' or some of " + ", ".join(OPTION_KINDS))
    instance_ids = hardware["instance"].astype(str).tolist()
    by_word: dict[str, set[str]] = {}
    for col in ("instance", "instance_type", "accelerator"):
        for word, inst in zip(hardware[col].astype(str), instance_ids, strict=True):
            by_word.setdefault(word, set()).add(inst)
    provider_set = {str(p) for p in providers["provider"].dropna()}
    kinds: set[str] = set()
    instances: set[str] = set()
    names: set[str] = set()
    all_dedicated = all_serverless = False
    for item in wanted:
        if not isinstance(item, str):
            raise TypeError(f"each option must be a string, not {item!r}")
        word = _ALIASES.get(item.strip().lower(), item.strip())
        if word == "all":
            kinds |= set(OPTION_KINDS)
            all_dedicated = all_serverless = True
        elif word in OPTION_KINDS:
            kinds.add(word)
            all_dedicated |= word == "dedicated"
            all_serverless |= word == "serverless"
        elif word in by_word:
            kinds.add("dedicated")
            instances |= by_word[word]
        elif word in provider_set:
            kinds.add("serverless")
            names.add(word)
        else:
            raise ValueError(_unknown_option(item, by_word, provider_set, providers))
    return (
        kinds,
        None if all_dedicated else instances,
        None if all_serverless else names,
    )


def _unknown_option(
    item: str, by_word: dict[str, set[str]], provider_set: set[str], providers: pd.DataFrame
) -> str:
    kinds = [*OPTION_KINDS, "local", "all"]
    types = sorted(w for w in by_word if "-" in w and not _SIZED.search(w))
    accelerators = sorted(w for w in by_word if "-" not in w)
    pool = [*kinds, *by_word, *provider_set]
    close = difflib.get_close_matches(item, pool, n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
    provider_note = (
        ", ".join(sorted(provider_set))
        if provider_set
        else f"none known ({providers.attrs.get('note', 'no provider prices')})"
    )
    example = next(iter(sorted(w for w in by_word if _SIZED.search(w))), "")
    return (
        f"unknown option {item!r}{hint}. Valid: {', '.join(kinds)}; accelerators "
        f"{', '.join(accelerators)}; instance types {', '.join(types)}; an instance id "
        f"(e.g. {example!r}); providers: {provider_note}"
    )


# -- benchmark ------------------------------------------------------------------------------------
@dataclass
class _Measured:
    throughput: float | None
    latency_ms: float | None
    source: str


def _measured(benchmark: Any, ids: list[str]) -> dict[str, _Measured]:
    if benchmark is None:
        return {}
    summary = getattr(benchmark, "summary", None)
    if not isinstance(summary, pd.DataFrame):
        raise TypeError(f"benchmark must be a hw.BenchmarkResult, not {type(benchmark).__name__}")
    out: dict[str, _Measured] = {}
    for model_id in ids:
        jobs = summary[summary["model"] == model_id]
        ok = jobs[jobs["status"] == "ok"] if "status" in jobs.columns else jobs
        if not len(ok):
            why = "no finished job" if len(jobs) else "not in the benchmark"
            out[model_id] = _Measured(None, None, f"unknown: {model_id} {why}")
            continue
        # one request at a time: the smallest batch size measured
        smallest = ok[ok["batch_size"] == ok["batch_size"].min()]
        distrust = unreliable(smallest)  # the benchmark summary's own rule
        if distrust:
            out[model_id] = _Measured(
                None, None, f"measured throughput not used: {distrust} (latency spread too wide)"
            )
            continue
        row = smallest.iloc[0]
        thr = float(row["items_per_s"]) if not _na(row["items_per_s"]) else None
        lat = float(row["p90_ms"]) if not _na(row["p90_ms"]) else None
        out[model_id] = _Measured(
            thr,
            lat,
            f"measured: hw.benchmark, batch {int(row['batch_size'])}, {row['backend']} "
            f"(items_per_s; latency p90, CV {float(row['cv']):.2f})",
        )
    return out


def _same_accelerator(benchmark: Any, architecture: str) -> bool:
    gpu = (getattr(benchmark, "env", None) or {}).get("gpu")
    if not gpu or not architecture:
        return False
    token = architecture.rsplit(maxsplit=1)[-1]
    return re.search(rf"\b{re.escape(token)}\b", str(gpu), re.IGNORECASE) is not None


# -- rows -----------------------------------------------------------------------------------------
def _blank(model: str, option: str) -> dict[str, Any]:
    return dict.fromkeys(ESTIMATE_COLUMNS) | {"model": model, "option": option}


class _Instances:
    """The instances as plain Python values, read once per estimate (pandas per row is slow)."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.records = _records(table[list(_READ)])
        cpu = (table["accelerator"] == "cpu").to_numpy(dtype=bool, na_value=False)
        ram = pd.to_numeric(table["memory_gb"], errors="coerce").to_numpy(float, na_value=np.nan)
        acc = pd.to_numeric(table["accelerator_memory_gb"], errors="coerce")
        self.memory = np.where(cpu, ram, acc.to_numpy(float, na_value=np.nan))


# what a dedicated row repeats of its instance, and what the estimate reads of the price table
_INSTANCE_COLUMNS = (
    "instance",
    "vendor",
    "region",
    "accelerator",
    "instance_type",
    "instance_size",
    "status",
)
_READ = (*_INSTANCE_COLUMNS, "architecture", "num_accelerators", "price_per_hour_usd", "source")


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of Python values, NA as None."""
    columns = {c: [None if _na(v) else v for v in table[c].tolist()] for c in table.columns}
    return [
        dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)
    ]


def _dedicated(
    spec: _Model,
    work: Workload,
    table: _Instances,
    dtype: str,
    measured: dict[str, _Measured],
    benchmark: Any,
) -> list[dict[str, Any]]:
    if spec.params is None:
        row = _blank(spec.id, "dedicated")
        row["memory_source"] = spec.params_source
        row["note"] = "memory unknown: no parameter count, so no instance can be said to fit"
        return [row]
    weights = spec.params * BYTES_PER_PARAM[dtype]
    need_gb = weights * INFERENCE_OVERHEAD / 1e9
    memory_source = (
        f"{spec.params:,.0f} params x {BYTES_PER_PARAM[dtype]:g} bytes ({dtype}) x "
        f"{INFERENCE_OVERHEAD:g} (activations, KV cache, runtime); {spec.params_source}"
    )
    avail = table.memory
    fits = avail >= need_gb  # NaN: False, never said to fit
    if not fits.any():
        row = _blank(spec.id, "dedicated")
        row |= {"dtype": dtype, "memory_needed_gb": need_gb, "fits": False}
        row["memory_source"] = memory_source
        if np.isfinite(avail).any():
            k = int(np.nanargmax(avail))
            row["note"] = (
                f"too large for every instance: needs {need_gb:,.1f} GB at {dtype}; the largest "
                f"is {table.records[k]['instance']} with {avail[k]:,.0f} GB"
            )
        else:
            row["note"] = "no instance to fit on: the prices list no instance with known memory"
        return [row]
    specs = _spec_map()
    m = measured.get(spec.id)
    out = []
    for k in np.flatnonzero(fits).tolist():
        inst = table.records[k]
        row = _blank(spec.id, "dedicated")
        for col in _INSTANCE_COLUMNS:
            row[col] = inst.get(col)
        on = " vs the instance's RAM" if inst["accelerator"] == "cpu" else " vs its accelerators"
        row |= {
            "dtype": dtype,
            "memory_needed_gb": need_gb,
            "memory_available_gb": float(avail[k]),
            "fits": True,
            "memory_source": memory_source + on,
            "price_per_hour_usd": inst.get("price_per_hour_usd"),
            "price_source": inst.get("source") or "your prices table",
        }
        thr: float | None
        lat: float | None
        if m and m.throughput and _same_accelerator(benchmark, str(inst.get("architecture") or "")):
            thr, lat, thr_source = m.throughput, m.latency_ms, m.source + " on the same accelerator"
        else:
            thr, lat, thr_source = _estimate(spec.params, weights, work, inst, specs)
        row |= {"throughput_rps": thr, "latency_ms": lat, "throughput_source": thr_source}
        _bill(row, work, thr)
        out.append(row)
    return out


@cache
def _spec_map() -> dict[str, tuple[float, float, str]]:
    specs = _accelerator_specs()
    return {
        str(t): (float(b), float(f), str(src))
        for t, b, f, src in specs[
            ["instance_type", "bandwidth_gb_per_s", "tflops_16bit", "source"]
        ].itertuples(index=False)
    }


def _estimate(
    params: float,
    weights: float,
    work: Workload,
    inst: dict[str, Any],
    specs: dict[str, tuple[float, float, str]],
) -> tuple[float | None, float | None, str]:
    kind = str(inst.get("instance_type"))
    if kind not in specs:
        return None, None, f"unknown: no published bandwidth and FLOPs for {kind}"
    count = inst.get("num_accelerators")
    n = 1 if count is None else int(count)
    bw, tflops, where = specs[kind]
    bandwidth = bw * 1e9 * n
    flops = tflops * 1e12 * n
    prefill = max(2 * params * work.input_tokens / flops, weights / bandwidth)
    seconds = prefill + work.output_tokens * weights / bandwidth
    return (
        1 / seconds,
        seconds * 1000,
        _estimate_source(work.input_tokens, work.output_tokens, n, where),
    )


@cache
def _estimate_source(input_tokens: int, output_tokens: int, n: int, where: str) -> str:
    return (
        f"estimate: batch 1, max(2 x params x {input_tokens} / FLOPs, weights / bandwidth) "
        f"+ {output_tokens} x weights / bandwidth, {n} x {where}"
    )


def _bill(row: dict[str, Any], work: Workload, thr: float | None) -> None:
    price = row["price_per_hour_usd"]
    if thr:
        base = max(1, math.ceil(work.average_requests_per_s / thr - 1e-9))
        peak = max(base, math.ceil(work.peak_rps / thr - 1e-9))
        row["replicas_needed_at_peak"] = peak
        replicas_note = f"{base} for the average rate, {peak} at the peak"
    else:
        base = peak = 1
        replicas_note = "one replica: throughput unknown, more may be needed"
    row["min_replicas"], row["max_replicas"] = base, peak
    row["scale_to_zero"] = work.hours_per_day < 24
    if price is None:
        row["cost_source"] = "unknown: no price for the instance"
        return
    day = _billed(
        float(price),
        work.hours_per_day,
        base,
        work.peak_hours_per_day if peak > base else 0.0,
        peak - base,
    )
    row["usd_per_hour"] = day / 24
    row["usd_per_month"] = day * DAYS_PER_MONTH
    row["usd_per_1k_requests"] = day / work.requests_per_day * 1000
    zero = ", scaled to zero the other hours" if work.hours_per_day < 24 else ""
    extra = f" + {work.peak_hours_per_day:g} h x {peak - base} extra" if peak > base else ""
    row["cost_source"] = (
        f"${price:g}/h x ({work.hours_per_day:g} h x {base}{extra}) a day, billed per minute"
        f"{zero}; replicas: {replicas_note}"
    )
    _slo(row, work)


def _slo(row: dict[str, Any], work: Workload) -> None:
    if work.latency_slo_ms is None:
        row["meets_slo_source"] = "no latency_slo_ms in the workload"
    elif row["latency_ms"] is None:
        row["meets_slo_source"] = "unknown: latency not known"
    else:
        row["meets_slo"] = bool(row["latency_ms"] <= work.latency_slo_ms)
        row["meets_slo_source"] = (
            f"latency {row['latency_ms']:,.0f} ms vs {work.latency_slo_ms:,.0f} ms"
        )


def _serverless(
    spec: _Model, work: Workload, mine: list[dict[str, Any]], why: str
) -> list[dict[str, Any]]:
    if not mine:
        row = _blank(spec.id, "serverless")
        row["price_source"] = f"unknown: no provider prices for the model ({why})"
        row["note"] = "no serverless provider known for the model"
        return [row]
    out = []
    for p in mine:
        row = _blank(spec.id, "serverless")
        row["provider"] = p["provider"]
        row["status"] = p.get("status")
        pin, pout = p["input_usd_per_1m"], p["output_usd_per_1m"]
        row["scale_to_zero"] = True
        row["throughput_source"] = "not applicable: the provider scales"
        ttft: Any = p.get("latency_s")
        tps: Any = p.get("throughput_tokens_per_s")
        if not _na(ttft) and not _na(tps) and float(tps) > 0:
            row["latency_ms"] = (float(ttft) + work.output_tokens / float(tps)) * 1000
            row["throughput_source"] = (
                f"router: time to first token {float(ttft):g} s + {work.output_tokens} tokens at "
                f"{float(tps):g} tokens/s"
            )
        if _na(pin) or _na(pout):
            row["price_source"] = p.get("price_reason") or "unknown: no price"
            row["cost_source"] = "unknown: no price for the provider"
        else:
            row["input_usd_per_1m"], row["output_usd_per_1m"] = float(pin), float(pout)
            per = (work.input_tokens * float(pin) + work.output_tokens * float(pout)) / 1e6
            day = per * work.requests_per_day
            row["usd_per_hour"] = day / 24
            row["usd_per_month"] = day * DAYS_PER_MONTH
            row["usd_per_1k_requests"] = per * 1000
            row["price_source"] = p.get("source")
            row["cost_source"] = (
                f"{work.input_tokens} x ${float(pin):g} + {work.output_tokens} x ${float(pout):g} "
                "per 1M tokens, per request"
            )
        _slo(row, work)
        out.append(row)
    return out


def _this_machine(
    spec: _Model, work: Workload, dtype: str, measured: dict[str, _Measured]
) -> dict[str, Any]:
    from ..choose.hardware import available_memory  # noqa: PLC0415

    row = _blank(spec.id, "this machine")
    row["dtype"] = dtype
    room, where = _machine_memory(available_memory)
    if spec.params is not None:
        need = spec.params * BYTES_PER_PARAM[dtype] * INFERENCE_OVERHEAD / 1e9
        row["memory_needed_gb"] = need
        if room is not None:
            row["memory_available_gb"] = room / 1e9
            row["fits"] = bool(need * 1e9 <= room)
        row["memory_source"] = (
            f"params x {BYTES_PER_PARAM[dtype]:g} x {INFERENCE_OVERHEAD:g} vs {where}"
        )
    else:
        row["memory_source"] = spec.params_source
    m = measured.get(spec.id)
    if m is None:
        row["throughput_source"] = "unknown: no benchmark given (benchmark=hw.benchmark(...))"
    else:
        row |= {"throughput_rps": m.throughput, "latency_ms": m.latency_ms}
        row["throughput_source"] = m.source
    if row["throughput_rps"]:
        row["replicas_needed_at_peak"] = math.ceil(work.peak_rps / row["throughput_rps"] - 1e-9)
    row["price_source"] = "no $: this machine"
    row["cost_source"] = "no $: this machine is yours (power and hardware not counted)"
    _slo(row, work)
    return row


_MACHINE: list[tuple[int | None, str]] = []


def _machine_memory(available_memory: Any) -> tuple[int | None, str]:
    # measured once a process: hw.hardware() may import torch, seconds the first time
    if not _MACHINE or os.environ.get("HUBWIDGETS_REMEASURE"):
        _MACHINE[:] = [available_memory()]
    return _MACHINE[0]


# -- the frame, the cheapest and the break-even ------------------------------------------------
def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns: dict[str, Any] = {}
    for col in ESTIMATE_COLUMNS:
        values = [r[col] for r in rows]
        # the rows hold Python values and None only (NA is turned to None where read)
        if col in _FLOATS:
            columns[col] = pd.array(values, dtype="Float64")
        elif col in _INTS:
            columns[col] = pd.array(values, dtype="Int64")
        elif col in _BOOLS:
            columns[col] = pd.array(values, dtype="boolean")
        else:
            columns[col] = pd.array(values, dtype="string")
    return pd.DataFrame(columns)


def _mark(df: pd.DataFrame, work: Workload) -> None:
    month = df["usd_per_month"].to_numpy(dtype=float, na_value=np.nan)
    eligible = (
        np.isfinite(month)
        & (df["status"].fillna("") != "deprecated").to_numpy(dtype=bool)
        & df["meets_slo"].fillna(True).to_numpy(dtype=bool)
        & (df["fits"].fillna(df["option"] == "serverless")).to_numpy(dtype=bool)
    )
    cheapest = np.zeros(len(df), dtype=bool)
    even = np.full(len(df), np.nan)
    even_source: list[str | None] = [None] * len(df)
    per_request = df["usd_per_1k_requests"].to_numpy(dtype=float, na_value=np.nan) / 1000
    day = month / DAYS_PER_MONTH
    models = df["model"].to_numpy(dtype=object)
    options = df["option"].to_numpy(dtype=object)
    provider = df["provider"].to_numpy(dtype=object)
    instance = df["instance"].to_numpy(dtype=object)
    replicas = df["max_replicas"].to_numpy(dtype=object)
    for model in pd.unique(models):
        mine = models == model
        pick = mine & eligible
        if pick.any():
            best = np.flatnonzero(pick)[int(np.argmin(month[pick]))]
            cheapest[best] = True
        served = mine & (options == "serverless") & np.isfinite(per_request) & eligible
        dedicated = mine & (options == "dedicated") & np.isfinite(day) & eligible
        if served.any():
            s = np.flatnonzero(served)[int(np.argmin(per_request[served]))]
            for k in np.flatnonzero(mine & (options == "dedicated") & np.isfinite(day)):
                even[k] = day[k] / per_request[s]
                even_source[k] = (
                    f"this endpoint's ${day[k]:,.2f} a day / {provider[s]}'s "
                    f"${per_request[s]:.6g} a request (at {replicas[k]} "
                    f"replica{'' if replicas[k] == 1 else 's'})"
                )
        if dedicated.any():
            d = np.flatnonzero(dedicated)[int(np.argmin(day[dedicated]))]
            for k in np.flatnonzero(mine & (options == "serverless") & np.isfinite(per_request)):
                even[k] = day[d] / per_request[k]
                even_source[k] = (
                    f"{instance[d]}'s ${day[d]:,.2f} a day / this provider's "
                    f"${per_request[k]:.6g} a request"
                )
        for k in np.flatnonzero(mine & np.isnan(even) & np.isin(options, OPTION_KINDS[:2])):
            other = "serverless price" if options[k] == "dedicated" else "dedicated option"
            even_source[k] = f"unknown: no {other} known for the model"
    df["cheapest"] = pd.array(cheapest, dtype="boolean")
    df["break_even_requests_per_day"] = pd.array(
        [None if np.isnan(v) else float(v) for v in even], dtype="Float64"
    )
    df["break_even_source"] = pd.array(even_source, dtype="string")


def cost_at_volumes(estimate: pd.DataFrame, volumes: Sequence[float]) -> pd.DataFrame:
    """Each priced option's $/month at other daily volumes, the rest of the workload kept:
    ``model, label, option, requests_per_day, usd_per_month`` (a long table for charts).

    Serverless grows in proportion; a dedicated endpoint keeps its price until its replicas
    are full, then adds replicas (its throughput per replica from the estimate); one whose
    throughput is unknown stays at its replica count.
    """
    if "workload" not in estimate.attrs:
        raise ValueError("cost_at_volumes needs the DataFrame of hw.estimate_cost (its attrs)")
    work = Workload(**estimate.attrs["workload"])
    records = []
    priced = estimate[estimate["usd_per_month"].notna()]
    for row in _records(priced):
        label = option_label(row)
        for v in volumes:
            month = _month_at(row, work.scaled(float(v)))
            records.append((row["model"], label, row["option"], float(v), month))
    return pd.DataFrame.from_records(
        records, columns=["model", "label", "option", "requests_per_day", "usd_per_month"]
    )


def _month_at(row: dict[str, Any], at: Workload) -> float:
    if row["option"] == "serverless":
        return float(row["usd_per_1k_requests"]) / 1000 * at.requests_per_day * DAYS_PER_MONTH
    price = float(row["price_per_hour_usd"])
    thr = row["throughput_rps"]
    if thr is None:  # unknown throughput: the replicas of the estimate, whatever the volume
        base = int(row["min_replicas"])
        return _billed(price, at.hours_per_day, base, 0.0, 0) * DAYS_PER_MONTH
    scratch: dict[str, Any] = {"price_per_hour_usd": price, "latency_ms": None}
    _bill(scratch, at, float(thr))
    return float(scratch["usd_per_month"])
