"""hw.hardware_prices and hw.provider_prices: dated, sourced price tables, live or bundled.

The live paths talk HTTP to a small local server: the endpoints API answers with the recorded
hardware catalog (../shared/data/endpoints/api-fixtures.json, ``MOCK_PROVIDERS``), the router
with a model list in the router's documented shape (values written for the test, not recorded).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.catalog.hub import HubError
from hubwidgets.core.cost.prices import (
    HARDWARE_COLUMNS,
    PROVIDER_COLUMNS,
    accelerator_specs,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
TODAY = datetime.now(timezone.utc).date().isoformat()

# a router /v1/models reply in its documented shape; the values are made up for the test
ROUTER_REPLY: dict[str, Any] = {
    "object": "list",
    "data": [
        {
            "id": "Qwen/Qwen2.5-7B-Instruct",
            "object": "model",
            "providers": [
                {
                    "provider": "together",
                    "status": "live",
                    "context_length": 32768,
                    "pricing": {"input": 0.3, "output": 0.3},
                    "supports_tools": True,
                    "supports_structured_output": True,
                },
                {
                    "provider": "featherless-ai",
                    "status": "live",
                    "context_length": 16384,
                    "supports_tools": False,
                    "supports_structured_output": False,
                },
            ],
        },
        {
            "id": "meta-llama/Llama-3.1-8B-Instruct",
            "object": "model",
            "providers": [
                {
                    "provider": "nebius",
                    "status": "staging",
                    "pricing": {"input": 0.02, "output": None},
                }
            ],
        },
    ],
}


class _Server:
    """A local HTTP server answering GET paths with canned JSON (status, body)."""

    def __init__(self, routes: dict[str, tuple[int, Any]]) -> None:
        self.routes = routes
        self.seen: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.seen.append((self.path, self.headers.get("authorization")))
                status, body = server.routes.get(self.path, (404, {"error": "Not Found"}))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def providers_payload(shared_data: Path) -> dict[str, Any]:
    fixtures = json.loads((shared_data / "endpoints" / "api-fixtures.json").read_text())
    payload: dict[str, Any] = fixtures["MOCK_PROVIDERS"]
    return payload


# -- the bundled table -----------------------------------------------------------------------------
def test_bundled_table_is_the_pricing_page_dated_and_sourced() -> None:
    df = hw.hardware_prices("bundled")
    assert tuple(df.columns) == HARDWARE_COLUMNS
    assert len(df) == 55
    assert df["source"].notna().all() and df["as_of"].notna().all()
    assert set(df["as_of"]) == {"2026-05-19"}
    assert df["source"].str.contains("pricing page").all()
    assert df["instance"].is_unique
    assert "bundled" in df.attrs["note"]
    x2 = df.set_index("instance").loc["aws-intel-spr-x2"]
    assert x2["price_per_hour_usd"] == 0.067 and x2["memory_gb"] == 4
    # multi-GPU sizes: the page gives the memory of all the accelerators of a replica
    t4 = df.set_index("instance").loc["aws-nvidia-t4-x4"]
    assert (t4["num_accelerators"], t4["accelerator_memory_gb"]) == (4, 56)
    assert t4["memory_per_accelerator_gb"] == 14
    # what the page does not give is NA, and its source says so; nothing reported available
    assert df["region"].isna().all() and df["quota_max_accelerators"].isna().all()
    assert df["region_source"].str.startswith("unknown").all()
    assert not (df["status"] == "available").any()
    deprecated = df[df["status"] == "deprecated"]
    assert set(deprecated["instance_type"]) == {"intel-icl", "nvidia-h100", "nvidia-b200"}
    assert set(deprecated["vendor"]) == {"aws"}  # gcp's H100s have no deprecation date
    assert df["price_per_hour_usd"].gt(0).all()


def test_bundled_table_is_what_the_script_makes_of_the_recorded_page(shared_data: Path) -> None:
    source = shared_data / "endpoints" / "hardware-prices-2026-05.csv"
    done = subprocess.run(
        [sys.executable, "scripts/make_hardware_prices.py", "--check", "--source", str(source)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    page = pd.read_csv(source)
    bundled = hw.hardware_prices("bundled")
    assert (
        bundled["price_per_hour_usd"].astype(float).tolist() == page["price_per_hour_usd"].tolist()
    )


def test_the_script_and_the_package_agree_on_the_columns() -> None:
    sys.path.insert(0, str(REPO_ROOT / "scripts"))
    try:
        import make_hardware_prices  # noqa: PLC0415
    finally:
        sys.path.remove(str(REPO_ROOT / "scripts"))
    assert make_hardware_prices.COLUMNS == HARDWARE_COLUMNS


def test_source_is_checked_with_close_matches() -> None:
    with pytest.raises(ValueError, match=r"unknown source 'bundle' \(did you mean 'bundled'\?\)"):
        hw.hardware_prices("bundle")
    with pytest.raises(ValueError, match="valid: auto, live, bundled"):
        hw.provider_prices("cache")
    with pytest.raises(TypeError, match="source must be one of"):
        hw.hardware_prices(None)  # type: ignore[arg-type]


@pytest.mark.usefixtures("offline")
def test_auto_offline_is_the_bundled_table_and_says_so() -> None:
    df = hw.hardware_prices()
    assert len(df) == 55
    assert "HF_HUB_OFFLINE" in df.attrs["note"]


def test_auto_without_a_token_is_bundled_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    df = hw.hardware_prices(token=False)
    assert "no Hub token" in df.attrs["note"]
    assert df["source"].str.startswith("bundled").all()
    with pytest.raises(HubError, match="no Hub token"):
        hw.hardware_prices("live", token=False)


def test_accelerator_figures_each_name_their_datasheet() -> None:
    specs = accelerator_specs()
    assert specs["instance_type"].is_unique
    assert specs["source"].str.contains(r"https://").all()
    assert (specs[["bandwidth_gb_per_s", "tflops_16bit"]] > 0).all().all()
    # no honest published figure: not listed, so estimates say "unknown"
    assert not specs["instance_type"].isin(["nvidia-a10g", "nvidia-b200", "intel-spr"]).any()
    prices = hw.hardware_prices("bundled")
    assert set(specs["instance_type"]) <= set(prices["instance_type"])


# -- live hardware ---------------------------------------------------------------------------------
def test_live_hardware_from_the_endpoints_api(
    providers_payload: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with _Server({"/v2/provider/my-org": (200, providers_payload)}) as server:
        df = hw.hardware_prices("live", endpoint=server.url, token="hf_test", namespace="my-org")
    assert server.seen == [("/v2/provider/my-org", "Bearer hf_test")]
    assert tuple(df.columns) == HARDWARE_COLUMNS
    assert df["instance"].tolist() == [
        "aws-us-east-1-nvidia-l4-x1",
        "aws-us-east-1-intel-spr-x1",
        "gcp-us-east4-nvidia-a100-x8",
    ]
    assert df["region"].tolist() == ["us-east-1", "us-east-1", "us-east4"]
    assert df["status"].tolist() == ["available", "available", "reserved"]
    assert df["price_per_hour_usd"].tolist() == [0.8, 0.033, 28.8]
    assert df["quota_max_accelerators"].tolist() == [16, 60, 2]
    assert df["quota_used_accelerators"].tolist() == [1, 0, 0]
    a100 = df.iloc[2]
    assert (a100["accelerator_memory_gb"], a100["memory_per_accelerator_gb"]) == (640, 80)
    cpu = df.iloc[1]
    assert pd.isna(cpu["accelerator_memory_gb"]) and cpu["memory_gb"] == 2
    assert df["source"].str.startswith(f"live: {server.url}/v2/provider/my-org").all()
    assert (df["as_of"] == TODAY).all()
    assert "quota of my-org" in df["quota_source"].iloc[0]


def test_live_hardware_errors_say_why_and_auto_falls_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    routes = {
        "/v2/provider/quota-org": (403, {"error": "You have reached your quota"}),
        "/v2/provider/odd-org": (200, {"items": []}),
    }
    with _Server(routes) as server:
        with pytest.raises(HubError, match="403"):
            hw.hardware_prices("live", endpoint=server.url, token="hf_x", namespace="quota-org")
        with pytest.raises(HubError, match="hardware catalog"):
            hw.hardware_prices("live", endpoint=server.url, token="hf_x", namespace="odd-org")
        df = hw.hardware_prices(endpoint=server.url, token="hf_x", namespace="quota-org")
    assert len(df) == 55
    assert "403" in df.attrs["note"] and df.attrs["note"].startswith("bundled")


# -- serverless providers --------------------------------------------------------------------------
@pytest.mark.usefixtures("offline")
def test_offline_there_are_no_provider_prices_and_none_invented() -> None:
    df = hw.provider_prices()
    assert tuple(df.columns) == PROVIDER_COLUMNS
    assert len(df) == 0
    assert "HF_HUB_OFFLINE" in df.attrs["note"]
    bundled = hw.provider_prices("bundled")
    assert len(bundled) == 0 and "table=" in bundled.attrs["note"]


def test_live_provider_prices_from_the_router(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with _Server({"/v1/models": (200, ROUTER_REPLY)}) as server:
        df = hw.provider_prices("live", endpoint=server.url)
        only = hw.provider_prices(endpoint=server.url, models=["Qwen/Qwen2.5-7B-Instruct"])
    assert len(server.seen) == 1  # kept for LIVE_TTL_S: re-estimating does not refetch
    assert tuple(df.columns) == PROVIDER_COLUMNS
    assert df["provider"].tolist() == ["together", "featherless-ai", "nebius"]
    together, featherless, nebius = (df.iloc[i] for i in range(3))
    assert (together["input_usd_per_1m"], together["output_usd_per_1m"]) == (0.3, 0.3)
    assert pd.isna(together["price_reason"])
    assert together["context_length"] == 32768 and bool(together["supports_tools"])
    # no pricing, or half of it: NA with the reason, never 0
    assert pd.isna(featherless["input_usd_per_1m"]) and pd.isna(featherless["output_usd_per_1m"])
    assert "no pricing" in featherless["price_reason"]
    assert nebius["input_usd_per_1m"] == 0.02 and pd.isna(nebius["output_usd_per_1m"])
    assert "no input and output price" in nebius["price_reason"]
    assert (df["input_usd_per_1m"].fillna(1) > 0).all()
    assert df["performance_source"].str.startswith("unknown").all()
    assert (df["source"] == f"live: {server.url}/v1/models").all()
    assert (df["as_of"] == TODAY).all()
    assert only["model"].unique().tolist() == ["Qwen/Qwen2.5-7B-Instruct"]
    assert only.attrs["note"].startswith("live")


def test_router_failure_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with _Server({"/v1/models": (500, {"error": "boom"})}) as server:
        with pytest.raises(HubError, match="500"):
            hw.provider_prices("live", endpoint=server.url)
        df = hw.provider_prices(endpoint=server.url)
    assert len(df) == 0 and "500" in df.attrs["note"]


def test_a_users_table_is_checked_and_kept() -> None:
    table = pd.DataFrame(
        {
            "model": ["m/a", "m/a", "m/b"],
            "provider": ["together", "nebius", "together"],
            "input_usd_per_1m": [0.2, None, 0.1],
            "output_usd_per_1m": [0.6, 0.5, 0.1],
            "context_length": [8192, None, 4096],
        }
    )
    df = hw.provider_prices(table=table)
    assert tuple(df.columns) == PROVIDER_COLUMNS
    assert df["context_length"].tolist()[0] == 8192
    assert pd.isna(df.loc[1, "input_usd_per_1m"])
    assert df.loc[1, "price_reason"] == "unknown: no price in your table"
    assert pd.isna(df.loc[0, "price_reason"])
    assert (df["source"] == "your table (table=)").all()
    assert hw.provider_prices(table=table, models=["m/b"])["provider"].tolist() == ["together"]
    with pytest.raises(ValueError, match=r"missing \['output_usd_per_1m'\]"):
        hw.provider_prices(table=table.drop(columns="output_usd_per_1m"))
    with pytest.raises(ValueError, match="negative"):
        hw.provider_prices(table=table.assign(input_usd_per_1m=[-1.0, 0.1, 0.1]))
    with pytest.raises(ValueError, match="numbers"):
        hw.provider_prices(table=table.assign(input_usd_per_1m=["cheap", 0.1, 0.1]))
    with pytest.raises(TypeError, match="DataFrame"):
        hw.provider_prices(table=[{"model": "m/a"}])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="list of model ids"):
        hw.provider_prices(table=table, models="m/a")  # type: ignore[arg-type]


def test_prices_need_no_widget_stack() -> None:
    code = (
        "import sys; import hubwidgets.core.cost as c; c.hardware_prices('bundled');"
        "print([m for m in ('ipywidgets', 'anywidget', 'traitlets') if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert done.stdout.strip() == "[]"
