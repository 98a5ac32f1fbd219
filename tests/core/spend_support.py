"""What the tests of remote spend share: the recorded exchanges, a home of their own for the
usage ledger, and a price table for a recorded model (import the fixtures to use them)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest


@pytest.fixture(name="cassettes", scope="module")
def cassettes_fixture(shared_data: Path) -> Path:
    """The recorded InferenceClient exchanges (skips where this machine does not have them)."""
    path = shared_data / "inference-cassettes"
    if not path.is_dir():
        pytest.skip(f"no inference cassettes in {shared_data}")
    return path


@pytest.fixture(name="home")
def home_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A $HUBWIDGETS_HOME of the test's own (its usage ledger), and no budget from the shell."""
    monkeypatch.setenv("HUBWIDGETS_HOME", str(tmp_path))
    monkeypatch.delenv("HUBWIDGETS_BUDGET_USD", raising=False)
    monkeypatch.delenv("HUBWIDGETS_BUDGET_HARD", raising=False)
    return tmp_path


def price_table(model: str, provider: str, usd_per_1m: float = 0.18) -> pd.DataFrame:
    """A one-row table for ``hw.provider_prices(table=...)``: the same price in and out."""
    return pd.DataFrame(
        {
            "model": [model],
            "provider": [provider],
            "input_usd_per_1m": [usd_per_1m],
            "output_usd_per_1m": [usd_per_1m],
            "source": ["the test's price table"],
        }
    )
