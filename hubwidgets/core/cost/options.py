"""The estimate as a person reads it: each option named, ranked per model, weighed against a budget.

>>> est = hw.estimate_cost(["Qwen/Qwen2.5-7B-Instruct"], hw.Workload(20_000, 500, 200))
>>> ranked = hw.rank_options(est)        # per model: the cheapest first, then by $/month
>>> ranked[["key", "usd_per_month", "cost_source"]]
>>> hw.budget_fit(hw.Budget(300), ranked.iloc[0])["note"]   # 'fits: $212.40 would remain...'

What the CostWidget shows is these functions' answers: its table is :func:`rank_options`, its
budget bar :func:`budget_fit`, its status :func:`options_line` and :func:`price_sources`, its
report :func:`options_html`. An option without a price stays unpriced (ranked last, "no $"
against a budget): unknown is never taken as cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..report import Column, html_table, missing

__all__ = [
    "budget_fit",
    "find_option",
    "option_key",
    "option_label",
    "options_html",
    "options_line",
    "price_sources",
    "rank_options",
]

# the columns of hw.estimate_cost these functions read
_NEEDED = ("model", "option", "instance", "provider", "usd_per_month", "cheapest")
# the budget's figures budget_fit passes on, as Budget.status names them
_FIGURES = ("budget", "spent", "remaining", "fraction", "month")


def option_label(row: Mapping[Any, Any] | pd.Series) -> str:
    """An option of :func:`~hubwidgets.estimate_cost` in words: "dedicated: aws-nvidia-l4-x1",
    "serverless: together", "this machine"; "dedicated: none fits" / "serverless: none known"
    for the rows that say so.

    Raises:
        TypeError: ``row`` is not a row (a dict or a Series).
        ValueError: the row has no ``option``.
    """
    _check_row(row, "option")
    kind = str(row["option"])
    if kind == "dedicated":
        name = row.get("instance")
        return "dedicated: none fits" if missing(name) else f"dedicated: {name}"
    if kind == "serverless":
        name = row.get("provider")
        return "serverless: none known" if missing(name) else f"serverless: {name}"
    return kind


def option_key(row: Mapping[Any, Any] | pd.Series) -> str:
    """A row's key, unique in an estimate: its model and :func:`option_label`
    ("Qwen/Qwen2.5-7B-Instruct · serverless: together"); what the CostWidget's ``selected`` is.

    Raises:
        TypeError: ``row`` is not a row; ValueError: it has no ``model`` or ``option``.
    """
    _check_row(row, "model")
    return f"{row['model']} · {option_label(row)}"


def rank_options(estimate: pd.DataFrame) -> pd.DataFrame:
    """:func:`~hubwidgets.estimate_cost`'s rows ranked: per model (in the order given) the
    cheapest first, then the priced options by $/month, then those without a price (never
    taken as cheap); with ``key`` (:func:`option_key`) and ``label`` (:func:`option_label`)
    in front of the estimate's columns. The index is 0..n-1; the estimate's attrs are kept.

    Raises:
        TypeError: ``estimate`` is not a DataFrame.
        ValueError: it lacks the estimate's columns (it is not ``hw.estimate_cost``'s).
    """
    _check_estimate(estimate, "rank_options")
    records = estimate.to_dict("records")
    order = {m: k for k, m in enumerate(dict.fromkeys(estimate["model"]))}

    def rank(i: int) -> tuple[Any, ...]:
        r = records[i]
        month = r["usd_per_month"]
        priced = not missing(month)
        best = not missing(r["cheapest"]) and bool(r["cheapest"])
        return (order[r["model"]], not best, not priced, month if priced else 0, i)

    at = sorted(range(len(records)), key=rank)
    out = estimate.iloc[at].reset_index(drop=True)
    out.insert(0, "label", pd.Series([option_label(records[i]) for i in at], dtype="string"))
    out.insert(0, "key", pd.Series([option_key(records[i]) for i in at], dtype="string"))
    return out


def find_option(estimate: pd.DataFrame, key: str) -> pd.Series | None:
    """The row of ``estimate`` (:func:`~hubwidgets.estimate_cost`'s, ranked or not) whose
    :func:`option_key` is ``key``; None when none is (an empty ``key`` included).

    Raises:
        TypeError: ``key`` is not a str, ``estimate`` not a DataFrame.
        ValueError: ``estimate`` lacks the estimate's columns.
    """
    if not isinstance(key, str):
        raise TypeError(f"key must be an option's key (a str), not {type(key).__name__}")
    _check_estimate(estimate, "find_option")
    if not key:
        return None
    if "key" in estimate.columns:  # ranked: the keys are there already
        at = (estimate["key"] == key).to_numpy(dtype=bool, na_value=False).nonzero()[0]
        return estimate.iloc[int(at[0])] if len(at) else None
    named = estimate[["model", "option", "instance", "provider"]].to_dict("records")
    for i, row in enumerate(named):
        if option_key(row) == key:
            return estimate.iloc[i]
    return None


def options_line(estimate: pd.DataFrame) -> str:
    """The estimate in a line: "2 models, 14 options · cheapest marked for 2"."""
    _check_estimate(estimate, "options_line")
    n = estimate["model"].nunique()
    cheapest = int(estimate["cheapest"].fillna(False).astype(bool).sum())
    return (
        f"{n} model{'' if n == 1 else 's'}, {len(estimate):,} options · "
        f"cheapest marked for {cheapest}"
    )


def price_sources(estimate: pd.DataFrame) -> str:
    """Where the estimate's prices come from, in words: "instances: <the hardware table's
    note> · serverless: <the providers' note>" ("unknown" / "none known" when not said)."""
    if not isinstance(estimate, pd.DataFrame):
        raise TypeError(f"estimate must be hw.estimate_cost's DataFrame, not {type(estimate)}")
    attrs = estimate.attrs
    providers = attrs.get("providers_note")
    return (
        f"instances: {attrs.get('prices_note') or 'unknown'} · "
        f"{f'serverless: {providers}' if providers else 'serverless: none known'}"
    )


def budget_fit(budget: Any, option: Mapping[Any, Any] | pd.Series | None) -> dict[str, Any]:
    """Does ``option`` (a row of :func:`~hubwidgets.estimate_cost`) fit the month's budget?

    Returns, as plain JSON values: the budget's :meth:`~hubwidgets.Budget.status` (``budget,
    spent, remaining, fraction, month, hard, unpriced_calls``), ``option`` (its
    :func:`option_key`, "" with none), ``option_usd`` (its $/month, None when unknown) and
    ``note``: "fits: $x would remain this month", "over the budget by $x a month", "no $ for
    this option (why)" or "no option selected". ``{}`` when ``budget`` is None.

    Raises:
        TypeError: ``budget`` is not a budget (nothing with ``status()``).
    """
    if budget is None:
        return {}
    if not callable(getattr(budget, "status", None)):
        raise TypeError(f"budget must be a hw.Budget or None, not {type(budget).__name__}")
    status = budget.status()
    out: dict[str, Any] = {k: _json(status.get(k)) for k in _FIGURES}
    out["hard"] = bool(status.get("hard", False))
    unpriced = status.get("unpriced_calls")
    out["unpriced_calls"] = 0 if missing(unpriced) else int(unpriced)
    out |= {"option": "", "option_usd": None, "note": "no option selected"}
    if option is None:
        return out
    out["option"] = option_key(option)
    month: Any = option.get("usd_per_month")
    if missing(month):
        why = option.get("cost_source")
        why = None if missing(why) else why
        out["note"] = f"no $ for this option ({why or option.get('note') or 'unknown price'})"
        return out
    cost = float(month)
    left = float(out["remaining"] or 0.0)
    out["option_usd"] = cost
    if cost <= left:
        out["note"] = f"fits: ${left - cost:,.2f} would remain this month"
    else:
        out["note"] = f"over the budget by ${cost - left:,.2f} a month"
    return out


def options_html(ranked: pd.DataFrame, *, caption: str) -> str:
    """:func:`rank_options`' table as HTML (for reports): model, option, the cheapest starred,
    $/month, $/hour, $/1k requests, replicas, the SLO, the break-even, the sources.

    Raises:
        ValueError: ``ranked`` lacks a column of :func:`rank_options`.
    """
    frame = ranked.assign(
        cheapest=["" if missing(c) or not bool(c) else "★ cheapest" for c in ranked["cheapest"]]
    )
    columns = [
        Column("model", "Model", header=True),
        Column("label", "Option"),
        Column("cheapest", "Cheapest"),
        Column("usd_per_month", "$/month", numeric=True, format=_usd),
        Column("usd_per_hour", "$/hour", numeric=True, format=_usd),
        Column("usd_per_1k_requests", "$/1k requests", numeric=True, format=_usd),
        Column("max_replicas", "Replicas at peak", numeric=True),
        Column("meets_slo", "Meets SLO"),
        Column("break_even_requests_per_day", "Break-even req/day", numeric=True, format=_int),
        Column("price_source", "Price source"),
        Column("note", "Note"),
    ]
    return html_table(frame, columns, caption=caption, css_class="hubwidgets-cost")


# -- helpers --------------------------------------------------------------------------------------
def _check_row(row: Any, column: str) -> None:
    if not isinstance(row, (Mapping, pd.Series)):
        raise TypeError(f"an option is a row of hw.estimate_cost (a dict or a Series), not {row!r}")
    if column not in row:
        raise ValueError(f"the row has no {column!r}: it is not a row of hw.estimate_cost")


def _check_estimate(estimate: Any, fn: str) -> None:
    if not isinstance(estimate, pd.DataFrame):
        raise TypeError(f"{fn} takes hw.estimate_cost's DataFrame, not {type(estimate).__name__}")
    absent = [c for c in _NEEDED if c not in estimate.columns]
    if absent:
        raise ValueError(
            f"{fn} takes hw.estimate_cost's DataFrame; this one has no columns {absent}"
        )


def _json(value: Any) -> Any:
    """A budget figure as JSON: numbers as float, NA as None, the rest as text."""
    if missing(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) or hasattr(value, "__float__"):
        try:
            return float(value)
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def _usd(value: Any) -> str:
    return f"${float(value):,.2f}"


def _int(value: Any) -> str:
    return f"{float(value):,.0f}"
