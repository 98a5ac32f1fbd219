"""Inference Endpoints as a person reads them: the table in words, the state in a line, the
create preview, which endpoints are still changing state, and the report.

>>> df = hw.endpoints()                                      # doctest: +SKIP
>>> endpoints_summary(df)       # text cells: "1/1 ready · 1 to 2 replicas", dates in UTC
>>> endpoints_line(df, "me")    # "3 endpoints in me: running 2, paused 1"

What the EndpointsWidget shows is these functions' answers on :mod:`.endpoints`' DataFrames
(:data:`~hubwidgets.core.cost.endpoints.ENDPOINT_COLUMNS`): its table is
:func:`endpoints_summary`, its create form's instances :func:`instance_choices` and preview
:func:`plan_record` / :func:`plan_line`, its live follow :func:`still_changing`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..report import Column, html_table, missing
from .endpoints import SETTLED_STATES

__all__ = [
    "SUMMARY_COLUMNS",
    "endpoints_html",
    "endpoints_line",
    "endpoints_summary",
    "instance_choices",
    "plan_line",
    "plan_record",
    "still_changing",
]

#: The columns of :func:`endpoints_summary`, in order.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "name",
    "model",
    "revision",
    "status",
    "message",
    "url",
    "instance",
    "accelerator",
    "replicas",
    "price_per_hour_usd",
    "price_source",
    "updated",
)
_FAILED = ("failed", "updateFailed")
# the columns of hw.endpoints these functions read
_NEEDED = (
    *(c for c in SUMMARY_COLUMNS if c != "replicas"),
    "min_replicas",
    "max_replicas",
    "ready_replicas",
    "target_replicas",
)


def endpoints_summary(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`hubwidgets.endpoints`' rows in words (:data:`SUMMARY_COLUMNS`): every cell text
    ("" when unknown; dates as "2026-12-05 07:10 UTC"), ``replicas`` as "1/2 ready · 1 to 3
    replicas", and ``price_per_hour_usd`` a number (NA when unknown, never 0).

    Raises:
        TypeError: ``df`` is not a DataFrame; ValueError: it lacks the endpoints' columns.
    """
    _check(df, _NEEDED, "endpoints_summary", "hw.endpoints")

    def replicas(row: Mapping[Any, Any]) -> str:
        ready, target = _text(row["ready_replicas"]), _text(row["target_replicas"])
        low, high = _text(row["min_replicas"]), _text(row["max_replicas"])
        now = f"{ready or 0}/{target or 0} ready" if ready or target else ""
        span = f"{low} to {high}" if low or high else ""
        return " · ".join(x for x in (now, span and f"{span} replicas") if x)

    records = df.to_dict("records")
    out = pd.DataFrame(
        {
            c: [_text(r[c]) for r in records]
            for c in SUMMARY_COLUMNS
            if c not in ("replicas", "price_per_hour_usd")
        }
    )
    out["replicas"] = [replicas(r) for r in records]
    prices = [r["price_per_hour_usd"] for r in records]
    out["price_per_hour_usd"] = pd.array(
        [None if missing(p) else float(p) for p in prices], dtype="Float64"
    )
    return out.reindex(columns=list(SUMMARY_COLUMNS))


def endpoints_line(df: pd.DataFrame, namespace: str | None = None) -> str:
    """The endpoints in a line: "3 endpoints in me: running 2, paused 1" (states by count)."""
    _check(df, ("status",), "endpoints_line", "hw.endpoints")
    n = len(df)
    states = df["status"].astype(str).value_counts()
    said = ", ".join(f"{k} {v}" for k, v in states.items())
    where = namespace or "your namespace"
    return f"{n} endpoint{'' if n == 1 else 's'} in {where}" + (f": {said}" if said else "")


def instance_choices(found: pd.DataFrame) -> list[dict[str, Any]]:
    """:func:`hubwidgets.endpoint_instances`' rows as plain values (a form's choices):
    ``instance, accelerator, region`` as text, memory and prices as floats."""
    numbers = (
        "memory_needed_gb",
        "memory_available_gb",
        "price_per_hour_usd",
        "usd_per_month_running",
    )
    needed = ("instance", "accelerator", "region", *numbers)
    _check(found, needed, "instance_choices", "hw.endpoint_instances")
    return [
        {
            "instance": str(r["instance"]),
            "accelerator": _text(r["accelerator"]),
            "region": _text(r["region"]),
            **{k: float(r[k]) for k in numbers},
        }
        for r in found.to_dict("records")
    ]


def plan_record(preview: pd.DataFrame) -> dict[str, Any]:
    """``hw.create_endpoint(..., confirm=False)``'s row as plain values: numbers stay numbers,
    NA is None, the rest text (dates as "2026-12-05 07:10 UTC").

    Raises:
        ValueError: ``preview`` is not one row.
    """
    if not isinstance(preview, pd.DataFrame) or len(preview) != 1:
        raise ValueError("plan_record takes create_endpoint(confirm=False)'s one-row DataFrame")
    return {str(k): _plain(v) for k, v in preview.iloc[0].items()}


def plan_line(plan: Mapping[str, Any]) -> str:
    """What creating costs, in a line: "<name> on <instance>: $0.800/hour, $584.00 a month with
    one replica running; confirm to create it"."""
    return (
        f"{plan['name']} on {plan['instance']}: ${plan['price_per_hour_usd']:,.3f}/hour, "
        f"${plan['usd_per_month_running']:,.2f} a month with one replica running; "
        "confirm to create it"
    )


def still_changing(df: pd.DataFrame, names: Iterable[str]) -> tuple[list[str], list[str]]:
    """Of ``names`` (endpoints being followed), those still changing state in ``df``
    (:func:`hubwidgets.endpoints`' rows), and a line for each that failed: "<name> failed:
    <the API's message>". A name gone from ``df`` (deleted) is no longer changing."""
    _check(df, ("name", "status", "message"), "still_changing", "hw.endpoints")
    states = dict(zip(df["name"].astype(str), df["status"].astype(str), strict=False))
    messages = dict(zip(df["name"].astype(str), df["message"], strict=False))
    changing: list[str] = []
    failed: list[str] = []
    for name in sorted(names):
        state = states.get(name)
        if state is not None and state not in SETTLED_STATES:
            changing.append(name)
        elif state in _FAILED:
            failed.append(f"{name} {state}: {_text(messages.get(name))}")
    return changing, failed


def endpoints_html(summary: pd.DataFrame, *, caption: str) -> str:
    """:func:`endpoints_summary`'s table as HTML (for reports).

    Raises:
        ValueError: ``summary`` lacks a column of :data:`SUMMARY_COLUMNS`.
    """
    columns = [
        Column("name", "Endpoint", header=True),
        Column("model", "Model"),
        Column("status", "Status"),
        Column("instance", "Instance"),
        Column("replicas", "Replicas"),
        Column("price_per_hour_usd", "$/hour", numeric=True),
        Column("message", "Message"),
    ]
    return html_table(summary, columns, caption=caption, css_class="hubwidgets-endpoints")


# -- helpers --------------------------------------------------------------------------------------
def _check(df: Any, needed: Iterable[str], fn: str, source: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{fn} takes {source}'s DataFrame, not {type(df).__name__}")
    absent = [c for c in needed if c not in df.columns]
    if absent:
        raise ValueError(f"{fn} takes {source}'s DataFrame; this one has no columns {absent}")


def _text(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return "" if pd.isna(value) else value.strftime("%Y-%m-%d %H:%M UTC")
    return "" if missing(value) else str(value)


def _plain(value: Any) -> Any:
    """A cell as JSON: numbers stay numbers, NA is None, the rest text."""
    if isinstance(value, (list, dict)):
        return _text(value)
    if value is None or pd.isna(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, (bool, int, float)):
        return value
    return _text(value)
