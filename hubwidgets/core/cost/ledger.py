"""The usage ledger: one JSON line per remote call that costs money, and what it cost.

>>> import hubwidgets as hw
>>> hw.usage(month="2026-12")                    # doctest: +SKIP
>>> hw.usage(since="7d", kind="playground")      # doctest: +SKIP

**What is recorded**: remote spend only. The Playground, ``hw.benchmark`` and ``hw.apply`` on a
remote backend (an Inference Provider or a deployed endpoint) and Inference Endpoints actions
append one line per call (``kind`` "playground", "benchmark", "batch", "endpoint"). Runs on this
machine cost no $ and are not written here (the audit trail keeps them).

**A line** holds ``time`` (UTC), ``kind``, ``action`` (what the user did: "run", "create"...),
``model``, ``provider``, ``revision``, ``endpoint``, ``input_tokens`` and ``output_tokens`` (from
the provider's reply ``usage``), ``seconds`` (billed time, for endpoints), ``cost_usd`` and
``cost_source`` (where the price came from, or why the cost is unknown: null then, never 0),
``predicted_usd`` (the cost predicted before the call) and ``outcome``.

**Where**: :func:`set_usage_path` if called, else ``$HUBWIDGETS_HOME/usage/usage.jsonl``, else
``usage/usage.jsonl`` in the user data folder (``platformdirs.user_data_dir("hubwidgets")``).

**Concurrency**: an append holds an exclusive lock on ``<ledger>.lock`` (``fcntl.flock`` on POSIX,
the ``filelock`` package elsewhere) and writes its line with one ``write`` in append mode, so
several kernels spending against one budget share one ledger.

**Secrets are never written**: texts go through the audit trail's redaction (tokens, ``Bearer``
headers, keys in URLs become ``***``); the ledger has no field for a token.

**The audit trail**: :func:`record_usage` also writes an audit record ``usage.<kind>`` (with the
cost) unless ``audit=False``, so the spend is in the tamper-evident log too
(``hw.audit_log(action="usage.*")``). The Playground passes ``audit=False``: its run record
(``inference.playground``) already carries each model's ``cost_usd``, and the same dollars in two
records would be counted twice by anyone summing ``cost``. ``hw.benchmark`` and ``hw.apply`` keep
the ``usage.benchmark`` / ``usage.batch`` record: their run records carry no cost.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import math
import os
import re
import threading
from collections.abc import Mapping
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from .._filelock import locked

__all__ = [
    "KINDS",
    "USAGE_COLUMNS",
    "call_cost",
    "record_usage",
    "reply_tokens",
    "set_usage_path",
    "usage",
    "usage_path",
]

#: The values of ``kind``.
KINDS: tuple[str, ...] = ("playground", "benchmark", "batch", "endpoint")

#: The columns of :func:`usage`, in order.
USAGE_COLUMNS: tuple[str, ...] = (
    "time",
    "kind",
    "action",
    "model",
    "provider",
    "revision",
    "endpoint",
    "input_tokens",
    "output_tokens",
    "seconds",
    "cost_usd",
    "cost_source",
    "predicted_usd",
    "outcome",
)

_INT_COLUMNS = ("input_tokens", "output_tokens")
_FLOAT_COLUMNS = ("seconds", "cost_usd", "predicted_usd")
_TEXT_COLUMNS = ("kind", "action", "model", "provider", "revision", "endpoint", "cost_source")
LOCK_TIMEOUT_S = 10.0


class _Config:
    path: Path | None = None


_THREAD_LOCK = threading.Lock()


def usage_path() -> Path:
    """The ledger file (see the module docstring for the order of places)."""
    if _Config.path is not None:
        return _Config.path
    from ..registry.audit import _home  # noqa: PLC0415 - one definition of hubwidgets' folder

    return (_home() / "usage" / "usage.jsonl").absolute()


def set_usage_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Write (and read) the usage ledger at ``path`` from now on (a ``.jsonl`` file, or a folder
    that holds ``usage.jsonl``); ``None`` goes back to the default place. Returns the file."""
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file or folder path (str or Path), not {path!r}")
    if path is None:
        _Config.path = None
    else:
        p = Path(path).expanduser()
        _Config.path = (p / "usage.jsonl" if p.is_dir() or p.suffix == "" else p).absolute()
    return usage_path()


def _locked(path: Path) -> contextlib.AbstractContextManager[None]:
    return locked(path, _THREAD_LOCK, timeout=LOCK_TIMEOUT_S, what="the usage ledger")


def _check_kind(kind: object) -> str:
    if not isinstance(kind, str):
        raise TypeError(f"kind must be one of {list(KINDS)}, not {kind!r}")
    if kind not in KINDS:
        close = difflib.get_close_matches(kind, KINDS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"kind must be one of {list(KINDS)}, not {kind!r}{hint}")
    return kind


def _text(name: str, value: object, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        what = "a non-empty string" if required else "a string or None"
        raise TypeError(f"{name} must be {what}, not {value!r}")
    return value


def _number(name: str, value: object, *, integer: bool = False) -> float | int | None:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)  # type: ignore[arg-type]  # numpy scalars
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a number or None, not {value!r}") from None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value < 0 or math.isinf(value):
        raise ValueError(f"{name} must be a finite number >= 0 or None, not {value!r}")
    return int(value) if integer else float(value)


def record_usage(
    *,
    kind: str,
    action: str,
    model: str,
    provider: str | None = None,
    input_tokens: int | None = None,
    output_tokens: int | None = None,
    seconds: float | None = None,
    cost_usd: float | None = None,
    cost_source: str,
    predicted_usd: float | None = None,
    revision: str | None = None,
    endpoint: str | None = None,
    outcome: str = "ok",
    audit: bool = True,
) -> dict[str, Any]:
    """Append one line to the usage ledger and return it (module docstring: what, where).

    Args:
        kind: one of :data:`KINDS`.
        action: what was done ("run", "create", "pause"...).
        model: the model id.
        provider, revision, endpoint: who served it, the revision, the endpoint's name.
        input_tokens, output_tokens: from the provider's reply ``usage`` (None: not reported).
        seconds: billed time (endpoints).
        cost_usd: the cost in USD, None when unknown (never 0 for unknown).
        cost_source: where the price came from ("provider_prices live 2026-12-05", "prices="),
            or why the cost is unknown ("no price for together / org/model").
        predicted_usd: the cost predicted before the call.
        outcome: "ok", "error", "refused"...
        audit: also write the audit record ``usage.<kind>`` (False when the caller's own audit
            record already carries the cost).

    Raises:
        TypeError, ValueError: a bad argument (says what is valid).
        OSError: the ledger cannot be written.
    """
    kind = _check_kind(kind)
    fields: dict[str, Any] = {
        "kind": kind,
        "action": _text("action", action, required=True),
        "model": _text("model", model, required=True),
        "provider": _text("provider", provider),
        "revision": _text("revision", revision),
        "endpoint": _text("endpoint", endpoint),
        "input_tokens": _number("input_tokens", input_tokens, integer=True),
        "output_tokens": _number("output_tokens", output_tokens, integer=True),
        "seconds": _number("seconds", seconds),
        "cost_usd": _number("cost_usd", cost_usd),
        "cost_source": _text("cost_source", cost_source, required=True),
        "predicted_usd": _number("predicted_usd", predicted_usd),
        "outcome": _text("outcome", outcome, required=True),
    }
    from ..registry.audit import _clean, _identity  # noqa: PLC0415 - the same redaction

    fields = _clean(fields, _identity().secrets)
    record = {"time": datetime.now(timezone.utc).isoformat(timespec="microseconds"), **fields}
    line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    path = usage_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    if audit:
        from ..registry.audit import safe_append  # noqa: PLC0415

        params = {k: v for k, v in fields.items() if k not in ("model", "revision", "outcome")}
        safe_append(
            f"usage.{kind}",
            model=fields["model"],
            revision=fields["revision"],
            params=params,
            outcome=fields["outcome"],
            cost=fields["cost_usd"],
        )
    return record


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    records = []
    for line in raw.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue  # a line cut short by a crash: the others still count
        if isinstance(item, dict):
            records.append(item)
    return records


def _month(month: object) -> pd.Period | None:
    if month is None:
        return None
    if isinstance(month, pd.Period):
        return month.asfreq("M")
    if isinstance(month, (datetime, date)) or (
        isinstance(month, str) and re.fullmatch(r"\d{4}-\d{2}(-\d{2}.*)?", month.strip())
    ):
        try:
            stamp = pd.Timestamp(month)
        except (ValueError, TypeError):
            pass
        else:
            stamp = stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp
            return stamp.to_period("M")
    raise ValueError(
        f"month must be 'YYYY-MM' (e.g. '2026-12'), a date or a pd.Period, not {month!r}"
    )


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    out = pd.DataFrame(index=range(len(records)))
    out["time"] = pd.to_datetime([str(r.get("time")) for r in records], utc=True, format="ISO8601")
    for col in USAGE_COLUMNS[1:]:
        values = [r.get(col) for r in records]
        if col in _INT_COLUMNS:
            out[col] = pd.array(values, dtype="Int64")
        elif col in _FLOAT_COLUMNS:
            out[col] = pd.array([None if v is None else float(v) for v in values], dtype="Float64")
        else:
            out[col] = pd.array([None if v is None else str(v) for v in values], dtype="string")
    return out


def usage(
    since: Any = None,
    *,
    model: str | None = None,
    kind: str | None = None,
    month: Any = None,
) -> pd.DataFrame:
    """The usage ledger as a DataFrame (:data:`USAGE_COLUMNS`), oldest first.

    Args:
        since: a datetime, an ISO date, or a duration back from now ("7d", "12h").
        model: one model id.
        kind: one of :data:`KINDS`.
        month: a calendar month (UTC), "2026-12" or a date in it.

    ``cost_usd`` is NA where the price was unknown (``cost_source`` says why): sum it with
    ``skipna`` knowing those calls are not in the total.
    """
    from ..registry.audit import _since  # noqa: PLC0415 - the same "since" as hw.audit_log

    start = _since(since)
    period = _month(month)
    if kind is not None:
        kind = _check_kind(kind)
    if model is not None and not isinstance(model, str):
        raise TypeError(f"model must be a model id (str) or None, not {model!r}")
    df = _frame(_read(usage_path()))
    keep = pd.Series(True, index=df.index)
    if start is not None:
        keep &= df["time"] >= start
    if period is not None:
        keep &= df["time"].dt.tz_convert(None).dt.to_period("M") == period
    if kind is not None:
        keep &= df["kind"] == kind
    if model is not None:
        keep &= df["model"] == model
    return df[keep.fillna(False)].reset_index(drop=True)


# -------------------------------------------------------------------------------------------------
# tokens and prices of one call
# -------------------------------------------------------------------------------------------------


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, Mapping) else getattr(obj, key, None)


def reply_tokens(reply: Any) -> dict[str, float]:
    """``{"input_tokens": n, "output_tokens": m}`` from a chat completion reply's ``usage``
    (``prompt_tokens``, ``completion_tokens``); the keys it does not report are left out."""
    found: dict[str, float] = {}
    use = _get(reply, "usage")
    if use is None:
        return found
    for ours, theirs in (("input_tokens", "prompt_tokens"), ("output_tokens", "completion_tokens")):
        value = _get(use, theirs)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            found[ours] = float(value)
    return found


def call_cost(  # noqa: PLR0911 - one return per reason a cost is unknown
    prices: Any,
    provider: str | None,
    model: str,
    input_tokens: float | None,
    output_tokens: float | None,
) -> tuple[float | None, str]:
    """The cost of one call and where its price came from (or why it is unknown).

    ``prices``: ``{(provider, model): usd_per_call}`` (a flat price per call), or a table of
    :func:`hw.provider_prices` (``model, provider, input_usd_per_1m, output_usd_per_1m``), or
    None. Returns ``(None, reason)`` when no price is known or the tokens it needs are not:
    never 0 for unknown.
    """
    who = f"{provider or '?'} / {model}"
    if prices is None:
        return None, f"no price for {who}: pass prices= (e.g. hw.provider_prices())"
    if isinstance(prices, pd.DataFrame):
        rows = prices[(prices["model"] == model) & (prices["provider"] == (provider or ""))]
        if rows.empty:
            return None, f"no price for {who} in the price table"
        row = rows.iloc[0]
        pin, pout = row["input_usd_per_1m"], row["output_usd_per_1m"]
        if pd.isna(pin) or pd.isna(pout):
            return None, f"the price table has no token price for {who}"
        if input_tokens is None or output_tokens is None:
            return None, f"the reply did not report its token usage ({who})"
        note = str(row.get("source", "") or "price table")
        as_of = row.get("as_of")
        where = f"{note} {as_of}" if isinstance(as_of, str) and as_of else note
        cost = (float(input_tokens) * float(pin) + float(output_tokens) * float(pout)) / 1e6
        return cost, f"per-token price ({where})"
    if isinstance(prices, Mapping):
        price = prices.get((provider or "", model))
        if price is None:
            return None, f"no price for {who} in prices="
        return float(price), "prices= (per call)"
    raise TypeError(
        "prices must be {(provider, model): usd_per_call} or a hw.provider_prices() table, "
        f"not {type(prices).__name__}"
    )
