"""The usage ledger: what a remote call cost, appended by many processes, read as a DataFrame."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import types
from pathlib import Path

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.cost.ledger import (
    USAGE_COLUMNS,
    call_cost,
    reply_tokens,
    set_usage_path,
    usage_path,
)
from hubwidgets.core.registry.audit import audit_log


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HUBWIDGETS_HOME", str(tmp_path))
    return tmp_path


def test_the_ledger_module_is_not_shadowed_by_the_usage_function() -> None:
    # `import ... as` and attribute access both reach the module; hw.usage stays the function
    module = importlib.import_module("hubwidgets.core.cost.ledger")
    assert isinstance(module, types.ModuleType)
    import hubwidgets.core.cost.ledger as ledger  # noqa: PLC0415 - the import form under test
    from hubwidgets.core.cost import usage  # noqa: PLC0415

    assert ledger is module
    assert isinstance(hw.usage, types.FunctionType)
    assert hw.usage is usage is module.usage


def test_a_record_is_read_back_with_every_column(home: Path) -> None:
    hw.record_usage(
        kind="playground",
        action="run",
        model="org/chat",
        provider="together",
        input_tokens=46,
        output_tokens=120,
        cost_usd=0.000166,
        cost_source="per-token price (your table)",
        predicted_usd=0.0002,
    )
    df = hw.usage()
    assert list(df.columns) == list(USAGE_COLUMNS)
    row = df.iloc[0]
    assert (row["kind"], row["model"], row["provider"]) == ("playground", "org/chat", "together")
    assert (row["input_tokens"], row["output_tokens"]) == (46, 120)
    assert row["cost_usd"] == pytest.approx(0.000166)
    assert usage_path() == home / "usage" / "usage.jsonl"


def test_unknown_cost_stays_missing_never_zero(home: Path) -> None:
    hw.record_usage(kind="benchmark", action="run", model="m", cost_source="no price for x / m")
    row = hw.usage().iloc[0]
    assert pd.isna(row["cost_usd"])
    assert row["cost_source"] == "no price for x / m"


def test_filters_by_kind_model_month_and_since(home: Path) -> None:
    for kind, model in [("playground", "a"), ("benchmark", "b"), ("batch", "a")]:
        hw.record_usage(kind=kind, action="run", model=model, cost_usd=0.01, cost_source="t")
    assert list(hw.usage(kind="batch")["model"]) == ["a"]
    assert len(hw.usage(model="a")) == 2
    this_month = pd.Timestamp.now(tz="UTC").strftime("%Y-%m")
    assert len(hw.usage(month=this_month)) == 3
    assert len(hw.usage(month="2001-01")) == 0
    assert len(hw.usage(since="1h")) == 3


def test_bad_arguments_say_what_is_valid(home: Path) -> None:
    with pytest.raises(ValueError, match="did you mean 'playground'"):
        hw.record_usage(kind="playgrund", action="run", model="m", cost_source="t")
    with pytest.raises(ValueError, match=">= 0"):
        hw.record_usage(kind="batch", action="run", model="m", cost_usd=-1, cost_source="t")
    with pytest.raises(TypeError, match="cost_source"):
        hw.record_usage(kind="batch", action="run", model="m", cost_source="")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="YYYY-MM"):
        hw.usage(month="december")
    assert not usage_path().exists()  # nothing half-written


def test_a_token_never_reaches_the_ledger(home: Path) -> None:
    secret = "hf_" + "a1B2c3D4e5F6g7H8i9J0kLmN"
    hw.record_usage(
        kind="endpoint",
        action="create",
        model="m",
        endpoint=f"https://user:{secret}@host/x?token={secret}",
        outcome=f"failed: Bearer {secret}",
        cost_source="t",
    )
    assert secret not in usage_path().read_text()
    assert secret not in json.dumps(audit_log().to_dict("records"), default=str)


def test_writes_one_audit_record_unless_told_not_to(home: Path) -> None:
    hw.record_usage(kind="batch", action="run", model="m", cost_usd=0.5, cost_source="t")
    hw.record_usage(
        kind="batch", action="run", model="m", cost_usd=0.5, cost_source="t", audit=False
    )
    log = audit_log(action="usage.*")
    assert list(log["action"]) == ["usage.batch"]
    assert log["cost"].iloc[0] == 0.5


def test_many_processes_append_whole_lines(home: Path) -> None:
    script = (
        "from hubwidgets.core.cost.ledger import record_usage\n"
        "for i in range(50):\n"
        "    record_usage(kind='batch', action='run', model='m', cost_usd=0.001,"
        " cost_source='t', audit=False)\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script]) for _ in range(3)]
    assert all(p.wait() == 0 for p in procs)
    lines = usage_path().read_text().splitlines()
    assert len(lines) == 150
    assert all(json.loads(line)["model"] == "m" for line in lines)
    assert hw.Budget(1).spent() == pytest.approx(0.15)


def test_set_usage_path_moves_the_ledger(home: Path, tmp_path: Path) -> None:
    try:
        assert set_usage_path(tmp_path / "elsewhere") == tmp_path / "elsewhere" / "usage.jsonl"
        hw.record_usage(kind="batch", action="run", model="m", cost_source="t", audit=False)
        assert (tmp_path / "elsewhere" / "usage.jsonl").exists()
    finally:
        set_usage_path(None)
    assert usage_path() == home / "usage" / "usage.jsonl"


def test_reply_tokens_and_call_cost() -> None:
    reply = {"usage": {"prompt_tokens": 46, "completion_tokens": 637, "total_tokens": 683}}
    assert reply_tokens(reply) == {"input_tokens": 46.0, "output_tokens": 637.0}
    assert reply_tokens({"usage": None}) == {}
    table = hw.provider_prices(
        table=pd.DataFrame(
            {
                "model": ["org/a", "org/b"],
                "provider": ["together", "together"],
                "input_usd_per_1m": [0.2, None],
                "output_usd_per_1m": [0.6, None],
            }
        )
    )
    cost, source = call_cost(table, "together", "org/a", 46, 637)
    assert cost == pytest.approx((46 * 0.2 + 637 * 0.6) / 1e6)
    assert "per-token" in source
    assert call_cost(table, "together", "org/b", 1, 1)[0] is None
    assert call_cost(table, "nebius", "org/a", 1, 1) == (
        None,
        "no price for nebius / org/a in the price table",
    )
    assert call_cost(table, "together", "org/a", None, 5)[0] is None
    assert call_cost({("together", "org/a"): 0.01}, "together", "org/a", None, None)[0] == 0.01
    assert call_cost(None, "together", "org/a", 1, 1)[0] is None
