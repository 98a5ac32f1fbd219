"""A monthly budget for remote inference, checked before each paid call.

>>> import hubwidgets as hw
>>> hw.use_budget(hw.Budget(50, hard=True, name="team"))   # this session
>>> hw.active_budget().status()                             # budget, spent, remaining...
>>> with hw.use_budget(hw.Budget(5)):                       # for a block only (soft)
...     hw.benchmark(models, inputs, backend="remote")       # doctest: +SKIP

What is spent is read from the usage ledger (:mod:`.ledger`, ``hw.usage()``) for the calendar
month (UTC). Before a remote call the Playground, ``hw.benchmark`` and ``hw.apply`` predict its
cost (:func:`hubwidgets.core.cost.predict.predict_call`) and ask :meth:`Budget.check`:

- a **hard** budget refuses a call that would pass it, before the call, with
  :class:`BudgetExceededError` saying by how much; a call whose cost cannot be predicted (no
  price, no token count) is refused too: unknown is never taken as cheap;
- a **soft** budget lets the call go and returns a warning text the widgets show.

Without :func:`use_budget`, ``$HUBWIDGETS_BUDGET_USD`` (a number of dollars a month) sets a
budget for every session, hard when ``$HUBWIDGETS_BUDGET_HARD`` is "1"/"true".

Calls whose cost is unknown (no price) are in the ledger with ``cost_usd`` NA: they are not in
``spent``, and :meth:`Budget.status` counts them in ``unpriced_calls`` so that a total never
looks smaller than it may be without saying so.
"""

from __future__ import annotations

import math
import os
import threading
from types import TracebackType
from typing import Any, cast

import pandas as pd

__all__ = [
    "BUDGET_ENV",
    "BUDGET_HARD_ENV",
    "Budget",
    "BudgetExceededError",
    "BudgetScope",
    "active_budget",
    "as_budget",
    "budget_line",
    "check_budget",
    "format_usd",
    "use_budget",
]

#: Dollars a month for every session that set no budget.
BUDGET_ENV = "HUBWIDGETS_BUDGET_USD"
#: "1"/"true": the budget of :data:`BUDGET_ENV` is hard.
BUDGET_HARD_ENV = "HUBWIDGETS_BUDGET_HARD"
_TRUE = ("1", "true", "yes", "on")


class BudgetExceededError(ValueError):
    """A hard budget refused a call that would pass it (the message says by how much, in $)."""

    def __init__(self, message: str, *, over_usd: float | None = None) -> None:
        super().__init__(message)
        #: by how much the call would pass the budget (None: its cost is unknown)
        self.over_usd = over_usd


def format_usd(value: float | None) -> str:
    """``$1,234.50``, ``$0.0123``, ``$0.000045``: enough digits to see a small call's cost."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unknown"
    sign = "-" if value < 0 else ""
    v = abs(float(value))
    if v >= 1 or v == 0 or abs(v - round(v, 2)) < 1e-12:
        return f"{sign}${v:,.2f}"
    if v >= 0.01:
        return f"{sign}${v:.4f}"
    return f"{sign}${v:.2g}" if v < 1e-6 else f"{sign}${v:.6f}".rstrip("0")


def _this_month() -> pd.Period:
    return pd.Timestamp.now(tz="UTC").tz_convert(None).to_period("M")


class Budget:
    """``monthly_usd`` dollars a calendar month (UTC) of remote inference.

    Args:
        monthly_usd: a positive number of dollars.
        hard: refuse calls that would pass it (else only warn).
        name: a name for messages ("team").
    """

    def __init__(self, monthly_usd: float, *, hard: bool = False, name: str | None = None) -> None:
        if isinstance(monthly_usd, bool) or not isinstance(monthly_usd, (int, float)):
            raise TypeError(f"monthly_usd must be a number of dollars, not {monthly_usd!r}")
        if not math.isfinite(monthly_usd) or monthly_usd <= 0:
            raise ValueError(f"monthly_usd must be a positive number of dollars, not {monthly_usd}")
        if not isinstance(hard, bool):
            raise TypeError(f"hard must be True or False, not {hard!r}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string or None, not {name!r}")
        self.monthly_usd = float(monthly_usd)
        self.hard = hard
        self.name = name

    def __repr__(self) -> str:
        name = f", name={self.name!r}" if self.name else ""
        return f"Budget({self.monthly_usd:g}, hard={self.hard}{name})"

    def _label(self) -> str:
        kind = "hard" if self.hard else "soft"
        name = f" {self.name!r}" if self.name else ""
        return f"the {kind} budget{name} ({format_usd(self.monthly_usd)}/month)"

    def _ledger(self, month: Any) -> tuple[pd.DataFrame, pd.Period]:
        from .ledger import _month, usage  # noqa: PLC0415

        period = _month(month) if month is not None else _this_month()
        assert period is not None
        return usage(month=period), period

    def spent(self, month: Any = None) -> float:
        """Dollars spent in ``month`` ("2026-12"; default: this month, UTC), from the ledger.
        Calls of unknown cost are not in it (:meth:`status` counts them)."""
        df, _ = self._ledger(month)
        return float(df["cost_usd"].sum(skipna=True)) if len(df) else 0.0

    def remaining(self, month: Any = None) -> float:
        """Dollars left in ``month`` (negative when over)."""
        return self.monthly_usd - self.spent(month)

    def status(self, month: Any = None) -> pd.Series:
        """``budget, spent, remaining, fraction, month, hard, name, unpriced_calls``."""
        df, period = self._ledger(month)
        spent = float(df["cost_usd"].sum(skipna=True)) if len(df) else 0.0
        return pd.Series(
            {
                "budget": self.monthly_usd,
                "spent": spent,
                "remaining": self.monthly_usd - spent,
                "fraction": spent / self.monthly_usd,
                "month": str(period),
                "hard": self.hard,
                "name": self.name,
                "unpriced_calls": int(df["cost_usd"].isna().sum()) if len(df) else 0,
            },
            name="budget",
        )

    def line(self, month: Any = None) -> str:
        """``spent $x of $y this month`` (with the unpriced calls, when any)."""
        st = self.status(month)
        when = "this month" if month is None else f"in {st['month']}"
        text = f"spent {format_usd(st['spent'])} of {format_usd(self.monthly_usd)} {when}"
        if self.hard:
            text += " (hard budget)"
        if st["unpriced_calls"]:
            text += f"; {st['unpriced_calls']} call(s) of unknown cost not counted"
        return text

    def check(self, predicted_usd: float | None, what: str) -> str | None:
        """Would a call of ``predicted_usd`` pass the budget? None when it fits.

        A soft budget returns a warning text when it would pass (or its cost is unknown); a
        hard one raises :class:`BudgetExceededError` instead, saying by how much.
        """
        if not isinstance(what, str) or not what:
            raise TypeError(f"what must name the call (a string), not {what!r}")
        unknown = predicted_usd is None or (
            isinstance(predicted_usd, float) and math.isnan(predicted_usd)
        )
        if not unknown and (
            isinstance(predicted_usd, bool)
            or not isinstance(predicted_usd, (int, float))
            or predicted_usd < 0
        ):
            raise ValueError(f"predicted_usd must be dollars >= 0 or None, not {predicted_usd!r}")
        left = self.remaining()
        if unknown:
            text = (
                f"{what}: its cost cannot be predicted (no price or token count), so it cannot "
                f"be checked against {self._label()}; {format_usd(left)} left this month"
            )
            if self.hard:
                raise BudgetExceededError(
                    f"refused {text}. Pass prices= (e.g. hw.provider_prices()) or use a soft budget"
                )
            return text
        assert predicted_usd is not None
        over = float(predicted_usd) - left
        if over <= 0:
            return None
        text = (
            f"{what} would cost about {format_usd(predicted_usd)}, {format_usd(over)} over "
            f"{self._label()}: {format_usd(self.monthly_usd - left)} spent this month, "
            f"{format_usd(max(left, 0.0))} left"
        )
        if self.hard:
            raise BudgetExceededError(f"refused: {text}", over_usd=over)
        return text


# A module global, not a ContextVar: the Playground and benchmarks call from their own threads.
class _Session:
    lock = threading.Lock()
    budget: Budget | None = None


def _env_budget() -> Budget | None:
    raw = os.environ.get(BUDGET_ENV, "").strip()
    if not raw:
        return None
    try:
        amount = float(raw.lstrip("$").replace(",", ""))
    except ValueError:
        raise ValueError(
            f"${BUDGET_ENV} must be a number of dollars a month (e.g. 50), not {raw!r}"
        ) from None
    if not math.isfinite(amount) or amount <= 0:
        raise ValueError(f"${BUDGET_ENV} must be a positive number of dollars, not {raw!r}")
    hard = os.environ.get(BUDGET_HARD_ENV, "").strip().lower() in _TRUE
    return Budget(amount, hard=hard, name=f"${BUDGET_ENV}")


def as_budget(value: Any) -> Budget | None:
    """A budget as given to a function or widget: a :class:`Budget` (or anything with its
    ``status()``), a number of dollars a month (a soft :class:`Budget`), or None (none).

    Raises:
        TypeError: anything else (a string, a bool...).
        ValueError: a number that is not a positive amount (:class:`Budget`'s words).
    """
    if value is None or isinstance(value, Budget):
        return value
    if callable(getattr(value, "status", None)):  # a stand-in with Budget's status()
        return cast("Budget", value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Budget(float(value))
    raise TypeError(f"budget must be a hw.Budget or $ a month, not {type(value).__name__}")


def active_budget() -> Budget | None:
    """The session's budget: the one :func:`use_budget` set, else ``$HUBWIDGETS_BUDGET_USD``'s,
    else None (no budget)."""
    current = _Session.budget
    return current if current is not None else _env_budget()


class BudgetScope:
    """What :func:`use_budget` returns: the budget set (``.budget``), and a context manager that
    puts the previous one back on exit."""

    def __init__(self, budget: Budget | None, previous: Budget | None) -> None:
        self.budget = budget
        self._previous = previous

    def __enter__(self) -> Budget | None:
        return self.budget

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with _Session.lock:
            _Session.budget = self._previous

    def __repr__(self) -> str:
        return f"use_budget({self.budget!r})"


def use_budget(budget: Budget | None) -> BudgetScope:
    """Set the session's budget (None: none, then ``$HUBWIDGETS_BUDGET_USD`` applies); usable as
    a ``with`` block that puts the previous one back."""
    if budget is not None and not isinstance(budget, Budget):
        raise TypeError(f"use_budget takes a hw.Budget(monthly_usd) or None, not {budget!r}")
    with _Session.lock:
        previous, _Session.budget = _Session.budget, budget
    from ..registry.audit import safe_append  # noqa: PLC0415 - a state change; never raises

    safe_append(
        "budget.set",
        params={}
        if budget is None
        else {"monthly_usd": budget.monthly_usd, "hard": budget.hard, "name": budget.name},
    )
    return BudgetScope(budget, previous)


def check_budget(predicted_usd: float | None, what: str) -> str | None:
    """:meth:`Budget.check` against the active budget; None when there is none."""
    budget = active_budget()
    return None if budget is None else budget.check(predicted_usd, what)


def budget_line() -> str:
    """The active budget's :meth:`Budget.line` ("spent $x of $y this month"), "" when none.
    Never raises (a widget's status line): a bad ``$HUBWIDGETS_BUDGET_USD`` says so."""
    try:
        budget = active_budget()
        return "" if budget is None else budget.line()
    except (ValueError, OSError) as err:
        return f"budget: {err}"
