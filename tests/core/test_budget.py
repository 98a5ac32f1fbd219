"""A monthly budget: spent from the ledger, a hard one refuses a call that would pass it."""

from __future__ import annotations

from pathlib import Path

import pytest

import hubwidgets as hw
from hubwidgets.core.cost.budget import budget_line, check_budget, format_usd


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HUBWIDGETS_HOME", str(tmp_path))
    monkeypatch.delenv("HUBWIDGETS_BUDGET_USD", raising=False)
    monkeypatch.delenv("HUBWIDGETS_BUDGET_HARD", raising=False)
    return tmp_path


def _spend(usd: float | None) -> None:
    hw.record_usage(
        kind="playground", action="run", model="m", cost_usd=usd, cost_source="t", audit=False
    )


def test_status_reads_the_month_from_the_ledger(home: Path) -> None:
    _spend(3.0)
    _spend(1.5)
    _spend(None)
    budget = hw.Budget(10, name="team")
    st = budget.status()
    assert (st["budget"], st["spent"], st["remaining"]) == (10.0, 4.5, 5.5)
    assert st["fraction"] == pytest.approx(0.45)
    assert st["unpriced_calls"] == 1
    assert st["hard"] is False
    assert budget.spent("2001-01") == 0.0
    assert budget.line() == (
        "spent $4.50 of $10.00 this month; 1 call(s) of unknown cost not counted"
    )


def test_hard_budget_refuses_saying_by_how_much(home: Path) -> None:
    _spend(9.0)
    budget = hw.Budget(10, hard=True)
    assert budget.check(0.5, "a run") is None
    with pytest.raises(hw.BudgetExceededError, match=r"\$2.00 over the hard budget") as err:
        budget.check(3.0, "a run of 3 models")
    assert isinstance(err.value, ValueError)
    assert err.value.over_usd == pytest.approx(2.0)
    with pytest.raises(hw.BudgetExceededError, match="cannot be predicted"):
        budget.check(None, "a run")


def test_soft_budget_warns_and_lets_it_go(home: Path) -> None:
    _spend(9.0)
    warning = hw.Budget(10).check(3.0, "a run")
    assert warning is not None and "$2.00 over the soft budget" in warning
    assert "cannot be predicted" in (hw.Budget(10).check(None, "a run") or "")


def test_use_budget_for_the_session_and_in_a_block(home: Path) -> None:
    assert hw.active_budget() is None
    assert check_budget(100.0, "x") is None and budget_line() == ""
    outer = hw.Budget(5)
    hw.use_budget(outer)
    try:
        with hw.use_budget(hw.Budget(1, hard=True)) as inner:
            assert hw.active_budget() is inner
            with pytest.raises(hw.BudgetExceededError):
                check_budget(2.0, "x")
        assert hw.active_budget() is outer
        assert budget_line() == "spent $0.00 of $5.00 this month"
    finally:
        hw.use_budget(None)


def test_budget_from_the_environment(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBWIDGETS_BUDGET_USD", "20")
    monkeypatch.setenv("HUBWIDGETS_BUDGET_HARD", "1")
    budget = hw.active_budget()
    assert budget is not None and budget.monthly_usd == 20 and budget.hard
    monkeypatch.setenv("HUBWIDGETS_BUDGET_USD", "lots")
    with pytest.raises(ValueError, match="HUBWIDGETS_BUDGET_USD must be a number"):
        hw.active_budget()
    assert budget_line().startswith("budget: $HUBWIDGETS_BUDGET_USD")


def test_bad_budgets() -> None:
    with pytest.raises(ValueError, match="positive"):
        hw.Budget(0)
    with pytest.raises(TypeError, match="number of dollars"):
        hw.Budget("10")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"hw\.Budget"):
        hw.use_budget(10)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="predicted_usd"):
        hw.Budget(1).check(-1, "x")


def test_format_usd() -> None:
    assert format_usd(1234.5) == "$1,234.50"
    assert format_usd(0.0123) == "$0.0123"
    assert format_usd(0.000045) == "$0.000045"
    assert format_usd(None) == "unknown"
