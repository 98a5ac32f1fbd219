"""What the Hub Explorer's panels show of one model, as pandas (no widget code).

- :func:`card_sections`: the parts of a model card a reader looks for first: its widget
  examples (front matter ``widget:``), its usage section and its limitations / bias section;
- :func:`model_details`: a Series of the model's record, capabilities and card sections;
- :func:`model_performance`: a tidy DataFrame of benchmark results (this session's or a loaded
  :class:`~hubwidgets.BenchmarkResult`), the nearest alternatives (``hw.recommend``), quality
  metrics from the card's ``model-index``, and the cost of :data:`DEFAULT_WORKLOAD`
  (``hw.estimate_cost``). Each part that cannot be filled says why in its own row, and the
  other parts are still there: unknown is never shown as fine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..cost import Workload, estimate_cost
from .compare import _front_matter, parse_model_index
from .recommend import recommend

__all__ = [
    "DEFAULT_WORKLOAD",
    "PERFORMANCE_COLUMNS",
    "card_sections",
    "model_details",
    "model_performance",
]

#: The traffic the Performance panel prices when nobody said otherwise: 10,000 requests a day,
#: 500 tokens in and 200 out each.
DEFAULT_WORKLOAD = Workload(requests_per_day=10_000, input_tokens=500, output_tokens=200)

#: The columns of :func:`model_performance`.
PERFORMANCE_COLUMNS: tuple[str, ...] = ("section", "model", "metric", "value", "unit", "source")

_USAGE = re.compile(r"usage|how to (use|get started)|get(ting)? started|quick ?start|example", re.I)
_LIMITS = re.compile(r"limitation|bias|risk|out.of.scope|caveat|ethical", re.I)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
#: Longest section kept, in characters (the rest is on the Hub).
MAX_SECTION_CHARS = 6_000


def card_sections(card: str | None) -> dict[str, Any]:
    """``{"examples": [str, ...], "usage": str | None, "limitations": str | None}`` of a model
    card (Markdown with optional YAML front matter); None where the card has no such part.

    ``usage`` and ``limitations`` are Markdown: the first section whose heading names usage
    ("How to use", "Usage", "Quick start"...) or limitations ("Limitations", "Bias, Risks, and
    Limitations", "Out-of-scope use"...), with its subsections.

    Raises:
        TypeError: ``card`` is neither a string nor None.
    """
    if card is not None and not isinstance(card, str):
        raise TypeError(f"card must be Markdown text or None, not {type(card).__name__}")
    text = card or ""
    front = _front_matter(text) or {}
    examples = _widget_examples(front.get("widget"))
    body = re.sub(r"\A---\n.*?\n---\s*\n", "", text, count=1, flags=re.S)
    return {
        "examples": examples,
        "usage": _section(body, _USAGE),
        "limitations": _section(body, _LIMITS),
    }


def _widget_examples(widget: Any) -> list[str]:
    if not isinstance(widget, list):
        return []
    out: list[str] = []
    for item in widget:
        if not isinstance(item, Mapping):
            continue
        title = item.get("example_title")
        value = item.get("text") or item.get("src") or item.get("messages")
        if value is None:
            continue
        shown = value if isinstance(value, str) else str(value)
        out.append(f"{title}: {shown}" if isinstance(title, str) and title else shown)
    return out[:10]


def _section(body: str, wanted: re.Pattern[str]) -> str | None:
    """The first section of ``body`` whose heading matches ``wanted``, up to the next heading of
    the same or a higher level (code fences are not headings)."""
    lines = body.splitlines()
    start = level = None
    fenced = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING.match(line)
        if match is None:
            continue
        depth = len(match.group(1))
        if start is None:
            if wanted.search(match.group(2)):
                start, level = i, depth
        elif level is not None and depth <= level:
            return _trim("\n".join(lines[start:i]))
    return _trim("\n".join(lines[start:])) if start is not None else None


def _trim(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if len(text) > MAX_SECTION_CHARS:
        return text[:MAX_SECTION_CHARS].rstrip() + "\n\n…"
    return text


def _lookup(catalog: Any, model: str) -> pd.Series:
    if not isinstance(model, str) or not model:
        raise ValueError(f"model must be a model id such as 'openai-community/gpt2', not {model!r}")
    lookup = getattr(catalog, "model", None)
    if not callable(lookup):
        raise TypeError(f"{type(catalog).__name__} cannot look up models by id")
    row = lookup(model)
    if not isinstance(row, pd.Series):
        raise TypeError(f"{type(catalog).__name__}.model returned {type(row).__name__}")
    return row


def model_details(model: str, *, catalog: Any) -> pd.Series:
    """The focused model's record (the catalog's columns), its capabilities and card sections.

    Beside the record: ``pipeline`` (the ``transformers.pipeline`` task to run it, or None when
    the library is not transformers), ``examples``, ``usage`` and ``limitations`` (see
    :func:`card_sections`), and ``card_source`` saying where they came from.

    Raises:
        ValueError: a bad id; hubwidgets.UnknownModelError: an id the catalog does not hold.
    """
    row = _lookup(catalog, model)
    card = row.get("card")
    has_card = isinstance(card, str) and bool(card.strip())
    sections = card_sections(card if has_card else None)
    library = row.get("library")
    task = row.get("task")
    pipeline = task if library == "transformers" and isinstance(task, str) else None
    extra = {
        "pipeline": pipeline,
        "pipeline_source": (
            "the model's task (library transformers)"
            if pipeline
            else f"unknown: library {library!r} is not transformers"
        ),
        **sections,
        "card_source": "the model card" if has_card else "unknown: the catalog has no card",
    }
    out: pd.Series = pd.concat([row.drop("card", errors="ignore"), pd.Series(extra, dtype=object)])
    out.name = model
    return out


def model_performance(
    model: str,
    *,
    catalog: Any,
    benchmarks: Iterable[Any] = (),
    workload: Workload | None = None,
    alternatives: int = 3,
) -> pd.DataFrame:
    """What is known of ``model``'s performance, one row per fact (:data:`PERFORMANCE_COLUMNS`).

    ``section`` is one of:

    - ``benchmark``: its rows in ``benchmarks`` (``BenchmarkResult`` objects, newest last):
      p50/p90 latency, throughput and quality columns of the newest run; none: one row saying
      "no benchmark yet";
    - ``alternative``: up to ``alternatives`` models ``hw.recommend`` ranks best for its task
      (itself left out), with their score;
    - ``quality``: the metrics of the card's ``model-index`` (none: one row saying so);
    - ``cost``: the cheapest way to serve ``workload`` (default :data:`DEFAULT_WORKLOAD`) of
      each option ``hw.estimate_cost`` prices (dedicated, serverless), in $ a month.

    A part whose source fails has one row with ``value`` None and ``source`` saying why.

    Raises:
        ValueError: a bad id; hubwidgets.UnknownModelError: an id the catalog does not hold.
    """
    row = _lookup(catalog, model)
    rows: list[dict[str, Any]] = []
    rows += _benchmark_rows(model, benchmarks)
    rows += _alternative_rows(model, row, catalog, alternatives)
    rows += _quality_rows(model, row)
    rows += _cost_rows(model, catalog, workload or DEFAULT_WORKLOAD)
    return pd.DataFrame(rows, columns=list(PERFORMANCE_COLUMNS))


def _fact(
    section: str, model: str, metric: str, value: Any, unit: str, source: str
) -> dict[str, Any]:
    return {
        "section": section,
        "model": model,
        "metric": metric,
        "value": value,
        "unit": unit,
        "source": source,
    }


_BENCH_METRICS = (
    ("p50_ms", "ms"),
    ("p90_ms", "ms"),
    ("items_per_s", "items/s"),
    ("tokens_per_s", "tokens/s"),
    ("load_ms", "ms"),
    ("peak_rss_mb", "MB"),
)


def _benchmark_rows(model: str, benchmarks: Iterable[Any]) -> list[dict[str, Any]]:
    found: pd.DataFrame | None = None
    for result in benchmarks:
        summary = getattr(result, "summary", None)
        if not isinstance(summary, pd.DataFrame) or "model" not in summary.columns:
            continue
        mine = summary[summary["model"] == model]
        if len(mine):
            found = mine
    if found is None:
        return [
            _fact("benchmark", model, "benchmark", None, "", "no benchmark yet in this session")
        ]
    out = []
    for _, job in found.iterrows():
        where = f"benchmark: {job.get('backend')} backend, batch size {job.get('batch_size')}"
        if job.get("status") != "ok":
            out.append(_fact("benchmark", model, "status", job.get("status"), "", where))
            continue
        for metric, unit in _BENCH_METRICS:
            value = job.get(metric)
            if value is not None and not pd.isna(value):
                out.append(_fact("benchmark", model, metric, float(value), unit, where))
    return out


def _alternative_rows(model: str, row: pd.Series, catalog: Any, k: int) -> list[dict[str, Any]]:
    task = row.get("task")
    if not isinstance(task, str) or not task:
        return [_fact("alternative", model, "score", None, "", "unknown: the model has no task")]
    try:
        ranked = recommend(task, catalog=catalog, k=k + 1, hardware=None)
    except Exception as err:  # a failing source says so in place
        return [_fact("alternative", model, "score", None, "", f"unavailable: {err}")]
    others = ranked[ranked["id"] != model].head(k)
    if others.empty:
        return [_fact("alternative", model, "score", None, "", f"no other {task} model")]
    return [
        _fact(
            "alternative",
            str(alt["id"]),
            "score",
            None if pd.isna(alt["score"]) else float(alt["score"]),
            "0-1",
            f"hw.recommend({task!r}): rank {int(alt['rank'])}",
        )
        for _, alt in others.iterrows()
    ]


def _quality_rows(model: str, row: pd.Series) -> list[dict[str, Any]]:
    card = row.get("card")
    front = _front_matter(card) if isinstance(card, str) else None
    evals = parse_model_index(front.get("model-index")) if front else []
    if not evals:
        why = "no model-index in the card" if front else "unknown: the catalog has no card"
        return [_fact("quality", model, "quality", None, "", why)]
    out = []
    for ev in evals[:12]:
        value = ev.get("value")
        dataset = ev.get("dataset") or "?"
        out.append(
            _fact(
                "quality",
                model,
                f"{ev.get('metric')} on {dataset}",
                float(value) if isinstance(value, (int, float)) else value,
                "",
                "the card's model-index (self-reported)",
            )
        )
    return out


def _cost_rows(model: str, catalog: Any, workload: Workload) -> list[dict[str, Any]]:
    what = (
        f"{workload.requests_per_day:,.0f} requests/day, {workload.input_tokens} in + "
        f"{workload.output_tokens} out tokens"
    )
    try:
        # "this machine" is left out: measuring it imports torch (seconds), and the panel is
        # about where to serve the model
        cost = estimate_cost(model, workload, options=["dedicated", "serverless"], catalog=catalog)
    except Exception as err:  # a failing source says so in place
        return [_fact("cost", model, "cost", None, "$/month", f"unavailable: {err}")]
    priced = cost[cost["usd_per_month"].notna()] if "usd_per_month" in cost else cost.iloc[:0]
    if priced.empty:
        return [_fact("cost", model, "cost", None, "$/month", f"unknown: no price for {what}")]
    out = []
    for option, group in priced.groupby("option", sort=True):
        best = group.sort_values("usd_per_month").iloc[0]
        where = best.get("instance") if isinstance(best.get("instance"), str) else None
        where = where or (best.get("provider") if isinstance(best.get("provider"), str) else "")
        out.append(
            _fact(
                "cost",
                model,
                f"{option}: {where}" if where else str(option),
                float(best["usd_per_month"]),
                "$/month",
                f"hw.estimate_cost for {what}: {best.get('cost_source')}",
            )
        )
    return out
