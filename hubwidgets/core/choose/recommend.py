"""Recommend models for a task: hard constraints, weighted priorities, and reasons in words.

>>> rec = recommend("text-classification", license="permissive", max_params="1B", k=5)
>>> rec[["rank", "id", "score", "best_for"]]
>>> rec[["id", "alt_smaller", "alt_more_permissive"]]   # alternatives to each row
>>> print(rec.attrs["summary"])      # what each constraint left out, what data is missing

**Constraints are hard filters**, applied through the catalog's own search (so a 3.1M-model
catalog answers from its index): ``task``, ``language``, ``license`` (license ids *or* the
classes of :mod:`~hubwidgets.core.choose.licenses`, e.g. ``"permissive"``), ``max_params`` and
``hardware``. ``hardware="local"`` keeps the models whose fp16 weights, plus 20% headroom for
activations and the runtime, fit this machine's total RAM (:func:`params_for_memory`); a number
is a memory size in bytes; None sets no limit. A size limit leaves out models of *unknown* size
too, since they cannot be shown to fit, and the summary counts them apart.

**Priorities are weights** over four criteria, each a score in [0, 1] (1 is best) computed
among the candidates:

``popularity``
    The mean of the percentile ranks of 30-day downloads and of likes (whichever are known):
    ``(rank - 1) / (n - 1)`` among the candidates that have the value, so the most downloaded
    gets 1 and the least 0.
``cost``
    Smaller is cheaper, on a log scale: ``(log p_max - log p) / (log p_max - log p_min)`` over
    the candidates' parameter counts ``p``. NA when the count is unknown (never 0).
``speed``
    Only from measured latency: ``benchmark=`` (one row per model or per run, the median is
    taken) with a ``model`` (or ``id``) column and a latency column such as ``p50_ms``;
    ``(log l_max - log l) / (log l_max - log l_min)``. Without measurements speed is NA and the
    reasons say "no speed data" -- parameter counts are not passed off as speed (``cost`` already
    ranks by size).
``quality``
    Only from ``benchmark=`` with a quality column (``quality``, ``accuracy``, ``f1``,
    ``exact_match``; higher is better): ``(q - q_min) / (q_max - q_min)``. Eval results in model
    cards are not compared: they use different datasets and metrics per model.

With one known value (or all equal) a criterion scores 1. ``score`` is the weighted mean over the
criteria *known for that model*; the reasons name the ones that were missing, and ``coverage``
is the share of the priority weight that had data (1.0: every weighted criterion known; a score
from popularity alone when cost and speed were weighted too has a lower coverage). Models are
ranked by score (NA last), then coverage, popularity, downloads and id.

**Policy** (``policy=``, a :class:`hw.Policy`, a dict of its keys or a YAML file): after
ranking, the best-ranked candidates go through :func:`hw.check` (``scan="hub"``: the catalog's
scan verdicts, no files read) in batches of ``max(50, 4 * k)`` until ``k`` of them pass or
:data:`POLICY_MAX_CHECKS` (500) have been checked; the ones whose verdict is ``deny`` are
removed, ``review`` ones are kept with the policy's reasons in ``reasons`` and a ``verdict``
column, and candidates that were never checked are left out (nothing unchecked is shown as
passing). The summary says how many models each policy rule removed.

**Candidates**: the ``pool`` (default 500) most downloaded and ``pool`` most liked models that
meet every constraint, taken from the index, plus benchmarked models that meet them; scoring is
vectorized over that union.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from ..catalog.query import parse_params, strict_kwargs
from ..catalog.searchable import Searchable
from ..catalog.vocab import close_matches
from ..governance import Policy, check
from ..governance.policy import as_policy, session_policy
from .licenses import LICENSE_CLASSES, LICENSE_IDS, license_class, license_classes

__all__ = [
    "ALTERNATIVES",
    "CRITERIA",
    "LATENCY_COLUMNS",
    "QUALITY_COLUMNS",
    "hardware_presets",
    "local_memory_bytes",
    "params_for_memory",
    "recommend",
]

#: The criteria ``priorities`` weighs, in the order of the output columns.
CRITERIA: tuple[str, ...] = ("quality", "speed", "cost", "popularity")
#: Labels of ``best_for``.
BEST_FOR: tuple[str, ...] = ("overall", "quality", "speed", "cost")
#: Columns of ``benchmark=`` naming the model, tried in order.
MODEL_COLUMNS: tuple[str, ...] = ("model", "id", "model_id")
#: Latency columns of ``benchmark=`` (milliseconds, lower is faster), tried in order.
LATENCY_COLUMNS: tuple[str, ...] = (
    "p50_ms",
    "latency_p50_ms",
    "median_ms",
    "latency_ms",
    "mean_ms",
    "p95_ms",
)
#: Quality columns of ``benchmark=`` (higher is better), tried in order.
QUALITY_COLUMNS: tuple[str, ...] = ("quality", "accuracy", "f1", "exact_match")

#: Bytes per parameter at fp16/bf16, and the headroom on top of the weights.
FP16_BYTES = 2
HEADROOM = 1.2
#: How many of the most downloaded and of the most liked models are scored.
POOL = 500
#: With ``policy=``: the best-ranked candidates are checked in batches of
#: ``max(POLICY_BATCH, 4 * k)``, at most ``POLICY_MAX_CHECKS`` (or ``k``, when larger) in all.
POLICY_BATCH = 50
POLICY_MAX_CHECKS = 500

#: The policy rules a ``deny`` comes from, recognised in :meth:`Policy.reasons`' words.
POLICY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("deny_licenses", re.compile(r"^license \S+ is in deny_licenses")),
    ("allow_license_classes", re.compile(r"^license .* not an allowed class")),
    ("require_commercial_use", re.compile(r"^commercial use is not allowed")),
    ("require_safetensors", re.compile(r"^pickle weights only")),
    ("allow_custom_code", re.compile(r"^needs custom code")),
    ("allow_gated", re.compile(r"^gated model")),
    ("unsafe scan", re.compile(r"^scan verdict (unsafe|dangerous|malicious|infected)")),
)

_NO_SPEED = "no speed data: benchmark the candidates (hw.benchmark) and pass benchmark="
_NO_QUALITY = (
    "no quality data: pass benchmark= with a quality column (card eval results are not "
    "compared: their datasets and metrics differ)"
)

OUTPUT_COLUMNS: tuple[str, ...] = (
    "rank",
    "id",
    "score",
    "coverage",
    "best_for",
    *CRITERIA,
    "task",
    "downloads",
    "likes",
    "params",
    "license",
    "license_class",
    "latency_ms",
    "quality_value",
    "alt_faster",
    "alt_smaller",
    "alt_more_permissive",
    "alt_more_popular",
    "reasons",
)


# -- hardware ------------------------------------------------------------------------------------


def local_memory_bytes() -> tuple[int | None, str]:
    """(total RAM in bytes, how it was measured): psutil when installed, else ``os.sysconf``.

    Total, not free, memory: a recommendation should not change with what else runs right now.
    """
    try:
        import psutil  # noqa: PLC0415 - optional dependency

        return int(psutil.virtual_memory().total), "psutil"
    except ImportError:
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")), "os.sysconf"
    except (AttributeError, ValueError, OSError):
        return None, "unknown"


def params_for_memory(nbytes: float) -> int:
    """The most parameters whose fp16 weights plus 20% headroom fit in ``nbytes``:
    ``nbytes / (2 * 1.2)``; 16 GB gives 6.67B."""
    return int(nbytes / (FP16_BYTES * HEADROOM))


def _gb(nbytes: float) -> str:
    return f"{nbytes / 1e9:.1f} GB"


def _fmt_params(p: float) -> str:
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if p >= size:
            return f"{p / size:.3g}{unit}"
    return f"{int(p)}"


# Laptops by their RAM; GPUs of hardware_prices.csv by the memory of one accelerator there (its
# largest, across clouds); H200 from its datasheet (no price listed). GB are 10**9 bytes, a
# little under the GiB the vendors mean: a preset errs on the side of fitting less.
_LAPTOPS = {"laptop-8gb": 8, "laptop-16gb": 16, "laptop-32gb": 32, "laptop-64gb": 64}
_GPUS = {
    "t4": "nvidia-t4",
    "l4": "nvidia-l4",
    "a10g": "nvidia-a10g",
    "l40s": "nvidia-l40s",
    "a100-40gb": None,
    "a100-80gb": "nvidia-a100",
    "h100": "nvidia-h100",
    "h200": None,
}
_DATASHEET = {
    "a100-40gb": (40, "NVIDIA A100 datasheet: 40 GB HBM2 (https://www.nvidia.com/en-us/data-center/a100/)"),
    "h200": (141, "NVIDIA H200 datasheet: 141 GB HBM3e (https://www.nvidia.com/en-us/data-center/h200/)"),
}  # fmt: skip


@cache
def hardware_presets() -> pd.DataFrame:
    """The named machines ``recommend(hardware=...)`` takes: ``name``, ``memory_bytes`` (the
    RAM of a laptop, the memory of one GPU) and ``memory_bytes_source``."""
    text = resources.files("hubwidgets.core").joinpath("data", "hardware_prices.csv")
    with text.open("r", encoding="utf-8") as fh:
        prices = pd.read_csv(fh)
    rows: list[dict[str, Any]] = [
        {
            "name": name,
            "memory_bytes": gb * 10**9,
            "memory_bytes_source": f"a laptop with {gb} GB of RAM",
        }
        for name, gb in _LAPTOPS.items()
    ]
    for name, instance_type in _GPUS.items():
        found = prices[prices["instance_type"] == instance_type]["memory_per_accelerator_gb"]
        if instance_type is not None and found.notna().any():
            gb = float(found.max())
            how = f"hardware_prices.csv: {instance_type}, {gb:g} GB per accelerator"
        else:
            gb, how = _DATASHEET[name]
        rows.append({"name": name, "memory_bytes": int(gb * 10**9), "memory_bytes_source": how})
    out = pd.DataFrame(rows)
    out["memory_bytes"] = out["memory_bytes"].astype("int64")
    return out


def _preset(name: str) -> tuple[int, str]:
    """(bytes, words) of a named preset; ValueError with close matches otherwise."""
    table = hardware_presets().set_index("name")
    key = name.strip().lower()
    if key not in table.index:
        names = list(table.index)
        hint = close_matches(key, names)
        also = f" (did you mean {', '.join(map(repr, hint))}?)" if hint else ""
        raise ValueError(
            f"hardware must be 'local', a named machine, a memory size in bytes or None, not "
            f"{name!r}{also}; named machines: {', '.join(names)}"
        )
    row = table.loc[key].to_dict()
    nbytes, source = int(row["memory_bytes"]), str(row["memory_bytes_source"])
    return nbytes, f"{key}'s {_gb(nbytes)} ({source})"


def _hardware_limit(hardware: Any) -> tuple[int | None, str]:
    """(max params, words) for ``hardware``."""
    if hardware is None:
        return None, ""
    if isinstance(hardware, str) and hardware.strip().lower() != "local":
        nbytes, where = _preset(hardware)
    elif isinstance(hardware, str):
        nbytes_local, how = local_memory_bytes()
        if nbytes_local is None:
            return None, "local RAM unknown (no psutil, no os.sysconf): no size limit"
        nbytes, where = nbytes_local, f"this machine's {_gb(nbytes_local)} RAM ({how})"
    elif isinstance(hardware, (int, float)) and not isinstance(hardware, bool):
        if not math.isfinite(hardware) or hardware <= 0:
            raise ValueError(f"hardware must be a positive number of bytes, not {hardware!r}")
        nbytes, where = int(hardware), _gb(hardware)
    else:
        raise TypeError(
            "hardware must be 'local', a memory size in bytes or None, "
            f"not {type(hardware).__name__}"
        )
    limit = params_for_memory(nbytes)
    return limit, f"<= {_fmt_params(limit)} params (fp16 weights + 20% fit {where})"


# -- arguments -----------------------------------------------------------------------------------


def _weights(priorities: Any) -> dict[str, float]:
    """Weights per criterion from None (equal), a name, a list of names or a dict name -> w."""
    if priorities is None:
        return dict.fromkeys(CRITERIA, 1.0)
    if isinstance(priorities, str):
        priorities = [priorities]
    if isinstance(priorities, Mapping):
        items = list(priorities.items())
    elif isinstance(priorities, Iterable):
        items = [(name, 1.0) for name in priorities]
    else:
        raise TypeError(
            "priorities must be a dict {criterion: weight}, a list of criteria or None, "
            f"not {type(priorities).__name__}"
        )
    out = dict.fromkeys(CRITERIA, 0.0)
    for name, weight in items:
        if not isinstance(name, str):
            raise TypeError(f"priority names are strings; got {name!r}")
        if name not in CRITERIA:
            hint = close_matches(name, CRITERIA)
            also = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise ValueError(f"unknown priority {name!r}{also}; choose from {', '.join(CRITERIA)}")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            raise TypeError(f"the weight of {name!r} must be a number, not {weight!r}")
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"the weight of {name!r} must be a finite number >= 0, not {weight}")
        out[name] = float(weight)
    if not any(out.values()):
        raise ValueError("priorities give every criterion a weight of 0: nothing to rank by")
    return out


def _check_k(k: Any) -> None:
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"k must be an int, not {type(k).__name__}")
    if k < 1:
        raise ValueError(f"k must be >= 1, not {k}")


def _as_list(value: Any, name: str) -> list[str] | None:
    if value is None:
        return None
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
        raise TypeError(f"{name} must be a string or a list of strings, not {value!r}")
    return list(values) or None


def _catalog_licenses(catalog: Searchable) -> list[str]:
    """License ids present in the catalog (a snapshot's categories); the known ids otherwise."""
    from ..catalog.catalog import Catalog  # noqa: PLC0415 - catalog imports the search machinery

    if isinstance(catalog, Catalog):
        col = catalog.df["license"]
        if isinstance(col.dtype, pd.CategoricalDtype):
            return [str(v) for v in col.cat.categories]
        return [str(v) for v in col.dropna().unique()]
    return list(LICENSE_IDS)


def _license_ids(wanted: list[str], catalog: Searchable) -> list[str]:
    """The catalog's license ids meeting ``wanted`` (classes or ids, any case)."""
    present = _catalog_licenses(catalog)
    known = set(LICENSE_IDS) | {p.lower() for p in present}
    ids: list[str] = []
    for item in wanted:
        key = item.strip().lower()
        if key in LICENSE_CLASSES:
            ids += [p for p in present if license_class(p) == key]
        elif key in known:
            ids += [p for p in present if p.lower() == key] or [key]
        else:
            hint = close_matches(key, [*LICENSE_CLASSES, *sorted(known)])
            also = f" (did you mean {', '.join(map(repr, hint))}?)" if hint else ""
            raise ValueError(
                f"unknown license {item!r}{also}; give license ids (e.g. 'apache-2.0') or "
                f"classes: {', '.join(LICENSE_CLASSES)}"
            )
    return list(dict.fromkeys(ids))


def _benchmark_table(benchmark: Any) -> pd.DataFrame:
    """``benchmark=`` as one row per model: ``latency_ms`` and ``quality_value`` (NaN: none)."""
    if not isinstance(benchmark, pd.DataFrame):
        raise TypeError(f"benchmark must be a pandas DataFrame, not {type(benchmark).__name__}")
    model = next((c for c in MODEL_COLUMNS if c in benchmark.columns), None)
    latency = next((c for c in LATENCY_COLUMNS if c in benchmark.columns), None)
    quality = next((c for c in QUALITY_COLUMNS if c in benchmark.columns), None)
    if model is None or (latency is None and quality is None):
        raise ValueError(
            f"benchmark needs a model column ({' or '.join(MODEL_COLUMNS)}) and a latency "
            f"({', '.join(LATENCY_COLUMNS)}) or quality ({', '.join(QUALITY_COLUMNS)}) column; "
            f"it has {list(benchmark.columns)}"
        )
    out = pd.DataFrame({"id": benchmark[model].astype("string")})
    for name, col in (("latency_ms", latency), ("quality_value", quality)):
        values = (
            pd.to_numeric(benchmark[col], errors="coerce").astype("float64")
            if col is not None
            else pd.Series(np.nan, index=benchmark.index)
        )
        out[name] = values.to_numpy(dtype="float64", na_value=np.nan)
    if (out["latency_ms"] <= 0).any():
        raise ValueError(f"benchmark latencies ({latency}) must be > 0 ms")
    table = out.dropna(subset=["id"]).groupby("id", sort=False).median()
    table.attrs["columns"] = {"latency_ms": latency, "quality_value": quality}
    return table


# -- constraints ---------------------------------------------------------------------------------


@dataclass
class _Constraint:
    name: str
    label: str
    kwargs: dict[str, Any]
    meets: Callable[[pd.DataFrame], np.ndarray]
    short: str = ""
    removed: int = 0
    examples: list[str] = field(default_factory=list)


def _search_kwargs(task: str, constraints: list[_Constraint]) -> dict[str, Any]:
    """Catalog search arguments of the task plus these constraints (size limits: the lowest)."""
    out: dict[str, Any] = {"task": task}
    for c in constraints:
        for key, value in c.kwargs.items():
            out[key] = min(out[key], value) if key == "max_params" and key in out else value
    return out


def _language_meets(wanted: list[str]) -> Callable[[pd.DataFrame], np.ndarray]:
    want = set(wanted)

    def meets(rows: pd.DataFrame) -> np.ndarray:
        return np.array(
            [isinstance(v, (list, np.ndarray)) and bool(want & set(v)) for v in rows["languages"]],
            dtype=bool,
        )

    return meets


def _license_meets(ids: list[str]) -> Callable[[pd.DataFrame], np.ndarray]:
    allowed = set(ids)

    def meets(rows: pd.DataFrame) -> np.ndarray:
        return rows["license"].astype("object").isin(allowed).to_numpy(dtype=bool)

    return meets


def _params_meets(limit: int) -> Callable[[pd.DataFrame], np.ndarray]:
    def meets(rows: pd.DataFrame) -> np.ndarray:
        p = rows["params"].astype("float64").to_numpy(na_value=np.nan)
        return np.asarray(p <= limit)  # NaN compares False: unknown size does not fit

    return meets


def _card_summary(card: str, size: int = 1000) -> str:
    """The first ``size`` characters of a card's text after its YAML front matter, lower case."""
    text = card
    if text.startswith("---"):
        end = text.find("\n---", 3)
        text = text[end + 4 :] if end >= 0 else ""
    return text.lstrip()[:size].lower()


def _text_meets(words: list[str], cards: Mapping[str, str]) -> Callable[[pd.DataFrame], np.ndarray]:
    """Rows whose id, tags or card summary hold every word (case-insensitive substrings)."""

    def meets(rows: pd.DataFrame) -> np.ndarray:
        out = np.zeros(len(rows), dtype=bool)
        tag_lists = rows["tags"] if "tags" in rows else [None] * len(rows)
        for i, (model_id, tags) in enumerate(zip(rows["id"], tag_lists, strict=True)):
            text = str(model_id).lower()
            if isinstance(tags, (list, np.ndarray)) and len(tags):
                text += " " + " ".join(str(t) for t in tags).lower()
            if not all(w in text for w in words):
                card = cards.get(str(model_id))
                if not card:
                    continue
                text += " " + _card_summary(card)
            out[i] = all(w in text for w in words)
        return out

    return meets


def _query_words(query: Any) -> list[str]:
    if not isinstance(query, str):
        raise TypeError(f"query must be a string of words, not {type(query).__name__}")
    words = list(dict.fromkeys(w.lower() for w in query.split()))
    if len(query) > 10_000:
        raise ValueError(f"query is {len(query):,} characters long; a topic is a few words")
    return words


def _constraints(
    catalog: Searchable,
    language: Any,
    max_params: Any,
    licenses_: Any,
    hardware: Any,
    query: Any = None,
) -> list[_Constraint]:
    from ..catalog.catalog import Catalog  # noqa: PLC0415 - catalog imports the search machinery

    out: list[_Constraint] = []
    topic = _query_words(query) if query is not None else []
    if topic:
        label = f"query={' '.join(topic)!r}"
        if isinstance(catalog, Catalog):  # ids, tags and card summaries, here
            meets = _text_meets(topic, catalog._cards)
            out.append(_Constraint("query", label, {}, meets, label))
        else:  # the live Hub searches ids: the words go to its search, checked on ids and tags
            meets = _text_meets(topic, {})
            out.append(_Constraint("query", label, {"query": " ".join(topic)}, meets, label))
    languages = _as_list(language, "language")
    if languages:
        label = f"language={'/'.join(languages)}"
        kw: dict[str, Any] = {"language": languages}
        out.append(_Constraint("language", label, kw, _language_meets(languages), label))
    licenses = _as_list(licenses_, "license")
    if licenses:
        ids = _license_ids(licenses, catalog)
        label = f"license={'/'.join(licenses)}"
        # no id of that class in the catalog: a filter nothing matches, not no filter
        kw = {"license": ids or ["\0"]}
        out.append(_Constraint("license", label, kw, _license_meets(ids), label))
    limit = parse_params(max_params, "max_params")
    if limit is not None:
        label = f"max_params={_fmt_params(limit)}"
        out.append(
            _Constraint("max_params", label, {"max_params": limit}, _params_meets(limit), label)
        )
    hw_limit, words = _hardware_limit(hardware)
    if hw_limit is not None:
        short = f"hardware (<= {_fmt_params(hw_limit)} params)"
        kw = {"max_params": hw_limit}
        out.append(_Constraint("hardware", f"hardware {words}", kw, _params_meets(hw_limit), short))
    return out


@dataclass
class _Funnel:
    """How many models the task has, how many meet every constraint, and the scored pool."""

    n_task: int
    n_all: int
    unknown_size: int
    found: pd.DataFrame


_POOL_COLUMNS = ("id", "task", "downloads", "likes", "params", "license", "languages")


def _funnel(catalog: Searchable, task: str, constraints: list[_Constraint], pool: int) -> _Funnel:
    """Counts and candidates; each constraint's ``removed`` and ``examples`` are filled in."""
    from ..catalog.catalog import Catalog  # noqa: PLC0415 - catalog imports the search machinery

    if isinstance(catalog, Catalog):
        return _funnel_index(catalog, task, constraints, pool)
    return _funnel_search(catalog, task, constraints, pool)


def _funnel_search(
    catalog: Searchable, task: str, constraints: list[_Constraint], pool: int
) -> _Funnel:
    """Any catalog (the live Hub too): counts and searches through the public API."""
    n_task = catalog.count(task=task)  # validates the task (close matches on a typo)
    kwargs = _search_kwargs(task, constraints)
    n_all = catalog.count(**kwargs)
    for c in constraints:
        others = _search_kwargs(task, [o for o in constraints if o is not c])
        c.removed = catalog.count(**others) - n_all
        if c.removed:
            top = catalog.search(**others, sort="downloads", limit=20)
            c.examples = [str(i) for i in top[~c.meets(top)]["id"].head(3)]
    unknown = 0
    sized = [c for c in constraints if "max_params" in c.kwargs]
    if sized:
        others = _search_kwargs(task, [c for c in constraints if c not in sized])
        unknown = catalog.count(**others) - catalog.count(**others, min_params=0)
    frames = [catalog.search(**kwargs, sort=s, limit=pool) for s in ("downloads", "likes")]
    found = pd.concat(frames, ignore_index=True).drop_duplicates("id", ignore_index=True)
    return _Funnel(n_task, n_all, int(unknown), found)


def _in_rows(rows: np.ndarray, among: np.ndarray, n: int) -> np.ndarray:
    """Which of ``rows`` are in ``among`` (row positions of a catalog of ``n`` rows)."""
    mask = np.zeros(n, dtype=bool)
    mask[among] = True
    return np.asarray(mask[rows])


def _funnel_index(catalog: Any, task: str, constraints: list[_Constraint], pool: int) -> _Funnel:
    """A snapshot catalog: one index lookup per constraint, then boolean masks over the task's
    rows (the same answers as :func:`_funnel_search`, without re-running the filters)."""
    # The catalog's own query validation and row sets (protected, but this module is its
    # sibling in the core): the same semantics as search/count, computed once.
    rows = catalog._rows(catalog._make("", {"task": task, "limit": None}))
    ix = catalog.index
    params = ix.params[rows]  # -1: unknown
    ids = catalog.df["id"].array
    member = np.ones((len(constraints), rows.size), dtype=bool)
    for i, c in enumerate(constraints):
        if c.name == "query":
            frame = pd.DataFrame({col: catalog.df[col].array.take(rows) for col in ("id", "tags")})
            member[i] = c.meets(frame)
        elif "max_params" in c.kwargs:
            member[i] = (params >= 0) & (params <= c.kwargs["max_params"])
        else:
            within = catalog._rows(catalog._make("", {"task": task, **c.kwargs, "limit": None}))
            member[i] = _in_rows(rows, within, ix.n)
    meets_all = member.all(axis=0)
    n_all = int(meets_all.sum())
    for i, c in enumerate(constraints):
        others = np.delete(member, i, axis=0).all(axis=0)
        left_out = others & ~member[i]
        c.removed = int(left_out.sum())
        c.examples = [str(x) for x in ids.take(ix.top(rows[left_out], "downloads", 0, 3))]
    sized = np.array(["max_params" in c.kwargs for c in constraints], dtype=bool)
    unknown = 0
    if sized.any():
        unknown = int((member[~sized].all(axis=0) & (params < 0)).sum())
    final = rows[meets_all]
    picked = np.union1d(ix.top(final, "downloads", 0, pool), ix.top(final, "likes", 0, pool))
    df = catalog.df
    found = pd.DataFrame({c: df[c].array.take(picked) for c in _POOL_COLUMNS}, copy=False)
    return _Funnel(int(rows.size), n_all, unknown, found)


# -- scores --------------------------------------------------------------------------------------


def _f64(values: pd.Series) -> np.ndarray:
    return np.asarray(values.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")


def _percentile(x: np.ndarray) -> np.ndarray:
    """(rank - 1) / (n - 1) among the known values (ties averaged); 1.0 when n == 1."""
    n = int((~np.isnan(x)).sum())
    if n <= 1:
        return np.where(np.isnan(x), np.nan, 1.0)
    ranks = pd.Series(x).rank(method="average").to_numpy(dtype="float64")
    return np.asarray((ranks - 1) / (n - 1))


def _minmax(x: np.ndarray, *, lower_is_better: bool, log: bool) -> np.ndarray:
    if log:
        with np.errstate(invalid="ignore", divide="ignore"):
            x = np.log10(np.where(x > 0, x, np.nan))
    known = x[~np.isnan(x)]
    if known.size == 0 or known.max() == known.min():
        return np.where(np.isnan(x), np.nan, 1.0)
    lo, hi = known.min(), known.max()
    return np.asarray((hi - x) / (hi - lo) if lower_is_better else (x - lo) / (hi - lo))


def _popularity(downloads: np.ndarray, likes: np.ndarray) -> np.ndarray:
    both = np.stack([_percentile(downloads), _percentile(likes)])
    count = (~np.isnan(both)).sum(axis=0)
    total = np.where(np.isnan(both), 0.0, both).sum(axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _desc(x: np.ndarray) -> np.ndarray:
    """A sort key putting large values first and NaN last."""
    return np.where(np.isnan(x), np.inf, -x)


def _score(pool: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    downloads = _f64(pool["downloads"])
    scores = {
        "quality": _minmax(_f64(pool["quality_value"]), lower_is_better=False, log=False),
        "speed": _minmax(_f64(pool["latency_ms"]), lower_is_better=True, log=True),
        "cost": _minmax(_f64(pool["params"]), lower_is_better=True, log=True),
        "popularity": _popularity(downloads, _f64(pool["likes"])),
    }
    matrix = np.stack([scores[c] for c in CRITERIA], axis=1).reshape(len(pool), len(CRITERIA))
    w = np.array([weights[c] for c in CRITERIA])
    known = ~np.isnan(matrix)
    den = (known * w).sum(axis=1)
    num = np.where(known, matrix, 0.0) @ w
    score = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    coverage = den / w.sum()
    ids = pool["id"].to_numpy(dtype=object, na_value="")
    id_rank = np.argsort(np.argsort(ids, kind="stable"), kind="stable")
    keys = (id_rank, _desc(downloads), _desc(scores["popularity"]), -coverage, _desc(score))
    order = np.lexsort(keys)
    ranked = pool.iloc[order].reset_index(drop=True)
    ranked.insert(0, "rank", np.arange(1, len(order) + 1, dtype="int64"))
    for name, values in (*scores.items(), ("score", score), ("coverage", coverage)):
        ranked[name] = pd.array(values[order], dtype="Float64")
    return ranked


# -- words ---------------------------------------------------------------------------------------


def _missing_reason(criterion: str, bench: pd.DataFrame | None) -> str:
    """Why a criterion is unknown for a model, short (the summary has the long form)."""
    if criterion == "cost":
        return "size unknown"
    if criterion == "popularity":
        return "downloads and likes unknown"
    column = None
    if bench is not None:
        column = bench.attrs["columns"]["latency_ms" if criterion == "speed" else "quality_value"]
    if column is None:
        return f"no {criterion} data" + (": run hw.benchmark" if criterion == "speed" else "")
    return f"not measured in benchmark= ({column})"


def _lead(
    a: Mapping[Hashable, Any], b: Mapping[Hashable, Any], weights: dict[str, float]
) -> str | None:
    """The criterion on which ``a`` is most ahead of ``b`` (weighted), in words."""
    best, gap = None, 0.0
    for c in CRITERIA:
        if weights[c] and pd.notna(a[c]) and pd.notna(b[c]):
            d = weights[c] * (float(a[c]) - float(b[c]))
            if d > gap:
                best, gap = c, d
    if best is None:
        return None
    return f"{best} ({float(a[best]):.2f} vs {float(b[best]):.2f})"


def _facts(row: Mapping[Hashable, Any]) -> str:
    parts = []
    if pd.notna(row["downloads"]):
        parts.append(f"{int(row['downloads']):,} downloads/30d")
    if pd.notna(row["likes"]):
        parts.append(f"{int(row['likes']):,} likes")
    parts.append(
        f"{_fmt_params(float(row['params']))} params" if pd.notna(row["params"]) else "size unknown"
    )
    lic = row["license"] if pd.notna(row["license"]) else "none given"
    parts.append(f"license {lic} ({row['license_class']})")
    if pd.notna(row["latency_ms"]):
        parts.append(f"{float(row['latency_ms']):.4g} ms measured")
    return ", ".join(parts)


def _reason(
    shown: list[dict[Hashable, Any]],
    i: int,
    n: int,
    weights: dict[str, float],
    bench: pd.DataFrame | None,
    constraint_words: str,
) -> str:
    row = shown[i]
    used = [c for c in CRITERIA if weights[c]]
    known = [f"{c} {float(row[c]):.2f}" for c in used if pd.notna(row[c])]
    head = f"#{int(row['rank'])} of {n:,} candidates"
    if pd.notna(row["score"]):
        head += f": score {float(row['score']):.2f} from " + ", ".join(known)
    else:
        head += ": no score (none of the weighted criteria is known)"
    parts = [head]
    if i + 1 < len(shown) and (lead := _lead(row, shown[i + 1], weights)):
        parts.append(f"ahead of #{i + 2} mainly on {lead}")
    elif i > 0 and (lag := _lead(shown[i - 1], row, weights)):
        parts.append(f"behind #{i} mainly on {lag}")
    missing = [f"{c} ({_missing_reason(c, bench)})" for c in used if pd.isna(row[c])]
    if missing:
        parts.append("unknown: " + ", ".join(missing))
    parts.append(_facts(row))
    if constraint_words:
        parts.append(constraint_words)
    return ". ".join(parts) + "."


def _constraint_words(constraints: list[_Constraint], unknown_size: int) -> str:
    if not constraints:
        return ""
    words = [f"{c.short} left out {c.removed:,}" for c in constraints]
    text = "meets " + "; ".join(words)
    if unknown_size:
        text += f" ({unknown_size:,} of unknown size)"
    return text


def _best_for(shown: pd.DataFrame) -> list[str]:
    labels: list[list[str]] = [[] for _ in range(len(shown))]
    if len(shown) and pd.notna(shown["score"].iloc[0]):
        labels[0].append("overall")
    for c in BEST_FOR[1:]:
        values = shown[c].astype("float64")
        if values.notna().any():
            labels[int(np.nanargmax(values.to_numpy()))].append(c)
    return [", ".join(x) for x in labels]


# -- alternatives --------------------------------------------------------------------------------

#: The alternative columns and what a candidate must beat the row on: (column, direction).
ALTERNATIVES: dict[str, tuple[str, int]] = {
    "alt_faster": ("latency_ms", -1),
    "alt_smaller": ("params", -1),
    "alt_more_permissive": ("license_class", -1),
    "alt_more_popular": ("downloads", 1),
}


def _alternatives(ranked: pd.DataFrame, k: int) -> dict[str, list[Any]]:
    """For each of the first ``k`` ranked rows: the best-ranked *other* candidate that is
    faster (measured latency), smaller (params), under a more permissive license class, or more
    downloaded; NA where the row's own value is unknown or no candidate beats it."""
    out: dict[str, list[Any]] = {}
    ids = ranked["id"].to_numpy(dtype=object, na_value="")
    for name, (column, sign) in ALTERNATIVES.items():
        if column == "license_class":
            values = ranked[column].cat.codes.to_numpy().astype("float64")
        else:
            values = _f64(ranked[column])
        picks: list[Any] = []
        for i in range(min(k, len(ranked))):
            with np.errstate(invalid="ignore"):
                better = np.flatnonzero(sign * (values - values[i]) > 0)  # NaN: never better
            picks.append(ids[better[0]] if better.size else pd.NA)
        out[name] = picks
    return out


# -- the pool ------------------------------------------------------------------------------------


def _pool(
    catalog: Searchable,
    found: pd.DataFrame,
    task: str,
    constraints: list[_Constraint],
    bench: pd.DataFrame | None,
) -> pd.DataFrame:
    """The candidates' columns that scoring needs, benchmarked models added."""
    if bench is not None:
        extra = _benchmarked(catalog, task, constraints, bench, [found])
        if len(extra):
            found = pd.concat([found, extra], ignore_index=True)
    out = found[["id", "task", "downloads", "likes", "params", "license"]].copy()
    out["id"] = out["id"].astype("string")
    out["license_class"] = license_classes(out["license"].astype("object"))
    if bench is not None:
        out = out.join(bench[["latency_ms", "quality_value"]], on="id")
    else:
        out["latency_ms"] = np.nan
        out["quality_value"] = np.nan
    return out


def _benchmarked(
    catalog: Searchable,
    task: str,
    constraints: list[_Constraint],
    bench: pd.DataFrame,
    frames: list[pd.DataFrame],
) -> pd.DataFrame:
    """Benchmarked models outside the most downloaded/liked, when they meet the constraints."""
    have = set().union(*(set(f["id"].astype(str)) for f in frames))
    wanted = [str(i) for i in bench.index if str(i) not in have]
    lookup = getattr(catalog, "model", None)
    if not wanted or lookup is None:
        return frames[0][:0]
    rows = []
    for model_id in wanted:
        try:
            rows.append(lookup(model_id))
        except (KeyError, ValueError):  # not in the catalog (UnknownModelError is both)
            continue
    if not rows:
        return frames[0][:0]
    found = pd.DataFrame(rows).drop(columns=["card"], errors="ignore").reset_index(drop=True)
    keep = (found["task"].astype("object") == task).to_numpy(dtype=bool)
    for c in constraints:
        keep &= c.meets(found)
    return found[keep]


# -- the function ----------------------------------------------------------------------------------


def _default_catalog() -> Searchable:
    from ..catalog.sources import starter_catalog  # noqa: PLC0415 - sources pulls in the Hub client

    return starter_catalog()


@strict_kwargs
def recommend(
    task: str,
    *,
    language: str | list[str] | None = None,
    max_params: int | float | str | None = None,
    license: str | list[str] | None = None,  # noqa: A002 - the Hub's own name
    hardware: str | float | None = "local",
    query: str | None = None,
    priorities: Mapping[str, float] | Iterable[str] | str | None = None,
    k: int = 5,
    catalog: Searchable | None = None,
    benchmark: pd.DataFrame | None = None,
    pool: int = POOL,
    policy: Policy | Mapping[str, Any] | str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """The ``k`` best models for ``task`` under hard constraints, ranked by weighted priorities.

    Args:
        task: a Hub pipeline tag, e.g. ``"text-classification"`` (a misspelling raises
            ValueError with close matches).
        language: language code(s); a model qualifies with any of them.
        max_params: largest parameter count (``7e9``, ``"7B"``, ``"300M"``).
        license: license ids (``"apache-2.0"``) and/or classes (``"permissive"``, ...; see
            :mod:`hubwidgets.core.choose.licenses`); any of them qualifies. Case-insensitive.
        hardware: ``"local"`` (fp16 weights + 20% must fit this machine's RAM), a named machine
            (``"laptop-16gb"``, ``"t4"``, ``"l4"``, ``"a10g"``, ``"a100-80gb"``...: see
            :func:`hardware_presets`, one GPU's memory), a memory size in bytes, or None (no
            limit).
        query: a topic in words (``"sentiment"``, ``"legal summarization"``): a model qualifies
            when every word appears in its id, its tags or its card's summary (the first 1,000
            characters of the card's text); on the live Hub, whose search reads ids, in its id
            or tags.
        priorities: weights of ``quality``, ``speed``, ``cost``, ``popularity``: a dict
            ``{name: weight >= 0}`` (unnamed criteria get 0), a list of names (equal weights),
            one name, or None (all four equal).
        k: how many models to return.
        catalog: where to look; default the bundled starter catalog (pass
            ``hw.open_catalog()`` for the live Hub or a snapshot).
        benchmark: measurements that feed speed and quality (see the module docs for columns).
        pool: how many of the most downloaded and of the most liked qualifying models are scored.
        policy: a team policy (:class:`hw.Policy`, a dict of its keys or a YAML file): the
            best-ranked candidates are checked (:func:`hw.check`, see the module docs for how
            many) and the ones it denies removed; None: the session's policy when the team set
            one (``hw.use_policy`` or ``$HUBWIDGETS_POLICY``), else no policy filter.

    Returns:
        One row per model, best first: ``rank``, ``id``, ``score`` (0-1), ``coverage`` (share
        of the priority weight with data), ``best_for``
        (comma-separated labels among overall/quality/speed/cost, '' for none), the criterion
        scores ``quality``, ``speed``, ``cost``, ``popularity`` (NA when unknown), the facts
        behind them (``task``, ``downloads``, ``likes``, ``params``, ``license``,
        ``license_class``, ``latency_ms``, ``quality_value``), the alternatives to each row
        (``alt_faster``, ``alt_smaller``, ``alt_more_permissive``, ``alt_more_popular``: the
        best-ranked other candidate with lower measured latency, fewer parameters, a more
        permissive license class, more downloads; NA when the row's own value is unknown or
        nothing beats it) and ``reasons`` in words. ``attrs`` holds ``summary`` (a paragraph:
        counts, what each constraint left out, what data is missing), ``constraints`` (one dict
        per constraint: ``constraint``, ``rule``, ``left_out``, ``examples``; ``pd.DataFrame``
        of it for a table), ``weights``, ``candidates`` (how many were scored) and ``source``.
        With ``policy=`` the result also has a ``verdict`` column (allow or review) before
        ``reasons``, and ``attrs`` ``policy`` (its keys), ``policy_removed`` (``{rule: models
        it removed}``; a model can fail several rules) and ``policy_checked`` (how many
        candidates were checked).

    The license class ``"unknown"`` matches the ids that say unknown (``unknown``, ``cc``...),
    not models without any license: the catalog's filters cannot select a missing value.

    Raises:
        ValueError: unknown task, license or priority; negative weights; ``k < 1``; a bad
            policy key or value.
        TypeError: an argument of the wrong type (a policy that is not a Policy, dict or file).
    """
    if not isinstance(task, str):
        raise TypeError(f"task must be a string (a Hub pipeline tag), not {type(task).__name__}")
    _check_k(k)
    _check_k(pool)
    weights = _weights(priorities)
    rules = session_policy() if policy is None else as_policy(policy)
    if catalog is None:
        catalog = _default_catalog()
    elif not isinstance(catalog, Searchable):
        raise TypeError(f"catalog must be a hubwidgets catalog, not {type(catalog).__name__}")
    if rules is not None and not callable(getattr(catalog, "model", None)):
        raise TypeError(
            f"policy= checks models one by one: {type(catalog).__name__} cannot look a model up "
            "(it has no .model(id)); use hw.open_catalog() or a snapshot"
        )
    bench = None if benchmark is None else _benchmark_table(benchmark)
    constraints = _constraints(catalog, language, max_params, license, hardware, query)
    funnel = _funnel(catalog, task, constraints, pool)
    ranked = _score(_pool(catalog, funnel.found, task, constraints, bench), weights)
    screen = None
    if rules is not None:
        ranked, screen = _screen(ranked, rules, catalog, k)
    counts = (task, funnel.n_task, funnel.n_all, pool)
    return _result(
        ranked, k, weights, bench, constraints, funnel.unknown_size, counts, catalog, screen
    )


# -- policy --------------------------------------------------------------------------------------


@dataclass
class _Screen:
    """What the policy did to the ranked candidates."""

    policy: Policy
    candidates: int  # ranked before the policy
    checked: int
    denied: int
    review: int
    removed: dict[str, int]  # rule -> models it denied


def _deny_rules(reasons: list[str]) -> list[str]:
    """The policy rules behind a ``deny`` (its reasons also hold the review ones)."""
    rules = [name for name, pattern in POLICY_RULES if any(pattern.match(r) for r in reasons)]
    return rules or ["other rules"]


def _screen(
    ranked: pd.DataFrame, rules: Policy, catalog: Searchable, k: int
) -> tuple[pd.DataFrame, _Screen]:
    """The ranked candidates the policy does not deny (re-ranked), best first; only the
    best-ranked are checked, in batches, until ``k`` pass or the cap is reached."""
    batch = max(POLICY_BATCH, 4 * k)
    cap = max(POLICY_MAX_CHECKS, k)
    ids = ranked["id"].astype("object").tolist()
    verdicts: list[str] = []
    reasons: list[list[str]] = []
    while len(verdicts) < min(len(ids), cap) and sum(v != "deny" for v in verdicts) < k:
        chunk = ids[len(verdicts) : min(len(verdicts) + batch, cap)]
        checked = check(chunk, catalog=catalog, policy=rules, scan="hub")
        by_id = dict(
            zip(
                checked["id"].astype("object"),
                zip(checked["verdict"].astype("object"), checked["reasons"], strict=True),
                strict=True,
            )
        )
        for model_id in chunk:
            verdict, why = by_id[model_id]
            verdicts.append(str(verdict))
            reasons.append([str(r) for r in why])
    removed: dict[str, int] = {}
    for verdict, why in zip(verdicts, reasons, strict=True):
        if verdict == "deny":
            for rule in _deny_rules(why):
                removed[rule] = removed.get(rule, 0) + 1
    keep = np.array([v != "deny" for v in verdicts], dtype=bool)
    kept = ranked.head(len(verdicts))[keep].reset_index(drop=True)
    kept["rank"] = np.arange(1, len(kept) + 1, dtype="int64")
    kept["verdict"] = pd.array([v for v in verdicts if v != "deny"], dtype="string")
    kept["policy_reasons"] = pd.Series(
        [r for v, r in zip(verdicts, reasons, strict=True) if v != "deny"], dtype=object
    )
    screen = _Screen(
        policy=rules,
        candidates=len(ranked),
        checked=len(verdicts),
        denied=int((~keep).sum()),
        review=sum(v == "review" for v in verdicts),
        removed=dict(sorted(removed.items(), key=lambda kv: (-kv[1], kv[0]))),
    )
    return kept, screen


def _policy_words(screen: _Screen) -> str:
    """The summary's sentences about the policy."""
    text = f"Policy {screen.policy!r}: checked the {screen.checked:,} best-ranked"
    text += f" of {screen.candidates:,} candidates"
    if screen.denied:
        rules = ", ".join(f"{rule} removed {n:,}" for rule, n in screen.removed.items())
        text += f"; deny removed {screen.denied:,} ({rules})"
    else:
        text += "; none denied"
    if screen.review:
        text += f"; {screen.review:,} kept for review (their reasons say why)"
    text += "."
    unchecked = screen.candidates - screen.checked
    if unchecked:
        text += f" {unchecked:,} lower-ranked candidates were not checked and are left out."
    return text


def _result(
    ranked: pd.DataFrame,
    k: int,
    weights: dict[str, float],
    bench: pd.DataFrame | None,
    constraints: list[_Constraint],
    unknown_size: int,
    counts: tuple[str, int, int, int],
    catalog: Searchable,
    screen: _Screen | None = None,
) -> pd.DataFrame:
    shown = ranked.head(k).reset_index(drop=True)
    scored = len(ranked) if screen is None else screen.candidates
    words = _constraint_words(constraints, unknown_size)
    shown["best_for"] = pd.array(_best_for(shown), dtype="string")
    records = shown.to_dict("records")
    shown["reasons"] = pd.array(
        [_reason(records, i, len(ranked), weights, bench, words) for i in range(len(shown))],
        dtype="string",
    )
    for name, picks in _alternatives(ranked, k).items():
        shown[name] = pd.array(picks, dtype="string")
    columns = list(OUTPUT_COLUMNS)
    if screen is not None:
        columns.insert(columns.index("reasons"), "verdict")
        if len(shown):
            shown["reasons"] = pd.array(
                [
                    text + _review_words(verdict, why)
                    for text, verdict, why in zip(
                        shown["reasons"], shown["verdict"], shown["policy_reasons"], strict=True
                    )
                ],
                dtype="string",
            )
    out = shown[columns] if len(shown) else _empty(with_verdict=screen is not None)
    # plain values only: pandas compares attrs with == when concatenating frames, which a
    # DataFrame in attrs would turn into an error
    out.attrs = {
        "constraints": [
            {"constraint": c.name, "rule": c.label, "left_out": c.removed, "examples": c.examples}
            for c in constraints
        ],
        "summary": _summary(ranked, weights, bench, constraints, unknown_size, counts, scored),
        "weights": weights,
        "candidates": scored,
        "source": catalog.describe_source() if hasattr(catalog, "describe_source") else "",
    }
    if screen is not None:
        out.attrs["summary"] += " " + _policy_words(screen)
        out.attrs["policy"] = screen.policy.to_dict()
        out.attrs["policy_removed"] = dict(screen.removed)
        out.attrs["policy_checked"] = screen.checked
    return out


def _review_words(verdict: str, reasons: list[str]) -> str:
    if verdict != "review":
        return ""
    return " Policy: review (" + "; ".join(reasons) + ")."


def _summary(
    ranked: pd.DataFrame,
    weights: dict[str, float],
    bench: pd.DataFrame | None,
    constraints: list[_Constraint],
    unknown_size: int,
    counts: tuple[str, int, int, int],
    scored: int,
) -> str:
    task, n_task, n_all, pool = counts
    lines = [f"{task}: {n_task:,} models; {n_all:,} meet every constraint."]
    for c in constraints:
        ex = f" (most downloaded: {', '.join(c.examples)})" if c.examples else ""
        lines.append(f"{c.label}: left out {c.removed:,} that meet every other constraint{ex}.")
    if unknown_size:
        lines.append(
            f"{unknown_size:,} models of unknown size are left out by the size limits "
            "(they cannot be shown to fit)."
        )
    plus = " plus benchmarked ones" if bench is not None else ""
    if n_all <= pool:
        lines.append(f"Scored {scored:,} candidates: all of them{plus}.")
    else:
        lines.append(
            f"Scored {scored:,} candidates: the {pool:,} most downloaded and the {pool:,} "
            f"most liked of them{plus}."
        )
    for name in ("speed", "quality"):
        if weights[name] and (len(ranked) == 0 or ranked[name].isna().all()):
            lines.append(f"{name}: {_NO_SPEED if name == 'speed' else _NO_QUALITY}.")
    return " ".join(lines)


def _empty(*, with_verdict: bool = False) -> pd.DataFrame:
    dtypes = {
        "rank": "int64",
        "id": "string",
        "score": "Float64",
        "coverage": "Float64",
        "best_for": "string",
        **dict.fromkeys(CRITERIA, "Float64"),
        "task": "string",
        "downloads": "Int64",
        "likes": "Int64",
        "params": "Int64",
        "license": "string",
        "license_class": pd.CategoricalDtype(list(LICENSE_CLASSES)),
        "latency_ms": "float64",
        "quality_value": "float64",
        **dict.fromkeys(ALTERNATIVES, "string"),
        **({"verdict": "string"} if with_verdict else {}),
        "reasons": "string",
    }
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})  # type: ignore[call-overload]
