"""What serving costs, as DataFrames that say where each price came from and when.

- :func:`hardware_prices`: Inference Endpoints instances and their hourly price, live from the
  endpoints API (``GET /v2/provider/{namespace}``, what ``HfApi.list_inference_endpoints_hardware``
  asks) when a token and the network allow, else the public pricing page bundled with the package
  (``hubwidgets/core/data/hardware_prices.csv``, written by ``scripts/make_hardware_prices.py``).
- :func:`provider_prices`: serverless Inference Providers per model and provider, $ per 1M input
  and output tokens, live from the router's model list (``GET https://router.huggingface.co/v1/models``).
  Offline there is none, unless a table is given: a price is never invented, never 0 for unknown.

Every row has ``source`` (where the table came from) and ``as_of`` (the day it was true).
"""

from __future__ import annotations

import difflib
import math
import os
import time
from datetime import datetime, timezone
from functools import cache
from importlib.resources import files
from typing import Any

import pandas as pd

__all__ = [
    "ENDPOINTS_API",
    "HARDWARE_COLUMNS",
    "PROVIDER_COLUMNS",
    "ROUTER",
    "SOURCES",
    "accelerator_specs",
    "hardware_prices",
    "provider_prices",
]

#: Where the Inference Endpoints API lives (huggingface_hub's ``INFERENCE_ENDPOINTS_ENDPOINT``
#: without its ``/v2``).
ENDPOINTS_API = "https://api.endpoints.huggingface.cloud"

#: Where the Inference Providers router lives; its model list is ``{ROUTER}/v1/models``.
ROUTER = "https://router.huggingface.co"

#: The values ``source=`` takes.
SOURCES: tuple[str, ...] = ("auto", "live", "bundled")

#: The columns of :func:`hardware_prices`, in order. ``accelerator_memory_gb`` is the memory of
#: all the accelerators of one replica together (as the pricing page and the API give it);
#: ``memory_gb`` is the replica's RAM.
HARDWARE_COLUMNS: tuple[str, ...] = (
    "instance",
    "vendor",
    "region",
    "accelerator",
    "instance_type",
    "instance_size",
    "architecture",
    "num_accelerators",
    "num_cpus",
    "memory_gb",
    "accelerator_memory_gb",
    "memory_per_accelerator_gb",
    "price_per_hour_usd",
    "status",
    "quota_max_accelerators",
    "quota_used_accelerators",
    "deprecated_from",
    "region_source",
    "status_source",
    "quota_source",
    "source",
    "as_of",
)

#: The columns of :func:`provider_prices`, in order.
PROVIDER_COLUMNS: tuple[str, ...] = (
    "model",
    "provider",
    "status",
    "input_usd_per_1m",
    "output_usd_per_1m",
    "price_reason",
    "context_length",
    "supports_tools",
    "supports_structured_output",
    "latency_s",
    "throughput_tokens_per_s",
    "performance_source",
    "source",
    "as_of",
)

#: The columns a user's own ``table=`` must have (the others are filled with NA).
_TABLE_NEEDS = ("model", "provider", "input_usd_per_1m", "output_usd_per_1m")

_INT_COLUMNS = ("num_accelerators", "num_cpus", "quota_max_accelerators", "quota_used_accelerators")
_FLOAT_COLUMNS = (
    "memory_gb",
    "accelerator_memory_gb",
    "memory_per_accelerator_gb",
    "price_per_hour_usd",
)
_TIMEOUT_S = 5.0

#: Live tables are kept this many seconds per address (a widget re-estimating on every input
#: must not refetch the router's whole model list each time).
LIVE_TTL_S = 600.0
_LIVE: dict[str, tuple[float, pd.DataFrame]] = {}


def _cached(url: str, fetch: Any) -> pd.DataFrame:
    now = time.monotonic()
    hit = _LIVE.get(url)
    if hit is not None and now - hit[0] < LIVE_TTL_S:
        return hit[1].copy()
    df: pd.DataFrame = fetch()
    _LIVE[url] = (now, df)
    return df.copy()


def _check_source(source: object, valid: tuple[str, ...]) -> str:
    if not isinstance(source, str):
        raise TypeError(f"source must be one of {list(valid)}, not {type(source).__name__}")
    if source not in valid:
        close = difflib.get_close_matches(source, valid, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown source {source!r}{hint}; valid: {', '.join(valid)}")
    return source


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


# -- hardware ----------------------------------------------------------------------------------
@cache
def _bundled_hardware() -> pd.DataFrame:
    path = files("hubwidgets.core") / "data" / "hardware_prices.csv"
    with path.open("r", encoding="utf-8") as f:
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
    return _typed_hardware(df)


def _typed_hardware(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=range(len(df)))
    for col in HARDWARE_COLUMNS:
        values = df[col] if col in df.columns else pd.Series([None] * len(df))
        values = values.replace("", None)
        if col in _INT_COLUMNS:
            out[col] = pd.array(pd.to_numeric(values).to_numpy(), dtype="Int64")
        elif col in _FLOAT_COLUMNS:
            out[col] = pd.array(pd.to_numeric(values).to_numpy(), dtype="Float64")
        else:
            out[col] = pd.array(values.to_numpy(), dtype="string")
    return out


def hardware_prices(
    source: str = "auto",
    *,
    endpoint: str | None = None,
    token: str | bool | None = None,
    namespace: str | None = None,
    timeout: float = _TIMEOUT_S,
) -> pd.DataFrame:
    """Inference Endpoints instances and their price, one row per instance (and region, live).

    >>> hw.hardware_prices()[["instance", "accelerator_memory_gb", "price_per_hour_usd"]]

    Args:
        source: ``"live"``: ask the endpoints API (``GET {endpoint}/v2/provider/{namespace}``,
            as ``HfApi.list_inference_endpoints_hardware`` does), which needs a token; an error
            says why it failed. ``"bundled"``: the public pricing page as of 2026-05-19, shipped
            with the package. ``"auto"``: live when a token is found and ``HF_HUB_OFFLINE`` is not
            set, else (or when the API does not answer within ``timeout``) bundled; the result's
            ``attrs["note"]`` says which and why.
        endpoint: the endpoints API's address (default :data:`ENDPOINTS_API`), e.g. a local test
            server's.
        token: a Hub token (default: the one huggingface_hub finds: ``HF_TOKEN``, the login).
        namespace: whose hardware and quotas (default: the token's user, from ``whoami``).
        timeout: seconds to wait for the API.

    Returns :data:`HARDWARE_COLUMNS`: ``instance`` (the API's compute id, or
    ``vendor-type-size`` from the page), vendor, region, accelerator (cpu, gpu, neuron),
    instance type and size, architecture, ``num_accelerators``, ``num_cpus``, ``memory_gb``
    (RAM), ``accelerator_memory_gb`` (all accelerators of a replica together: nvidia-t4 x4 is
    4 x 14 = 56 GB) and ``memory_per_accelerator_gb``, ``price_per_hour_usd`` per replica,
    ``status`` (available, low_availability, not_available, reserved, deprecated; NA when not
    known), the account's quota of accelerators, ``deprecated_from``, a ``*_source`` for region,
    status and quota (why they are NA from the page), ``source`` and ``as_of`` on every row.

    Raises:
        ValueError: an unknown ``source`` (with the valid ones).
        HubError: ``source="live"`` and the API could not be asked (no token, no answer, an
            error reply: its message).
    """
    source = _check_source(source, SOURCES)
    if source == "bundled":
        df = _bundled_hardware().copy()
        df.attrs["note"] = "bundled: the Inference Endpoints pricing page as of 2026-05-19"
        return df
    from ..catalog.hub import HubError  # noqa: PLC0415 - huggingface_hub only when asked

    if source == "auto" and _offline():
        df = _bundled_hardware().copy()
        df.attrs["note"] = "bundled (HF_HUB_OFFLINE is set): the pricing page as of 2026-05-19"
        return df
    try:
        df = _live_hardware(endpoint, token, namespace, timeout)
    except HubError as err:
        if source == "live":
            raise
        df = _bundled_hardware().copy()
        df.attrs["note"] = f"bundled: the pricing page as of 2026-05-19 ({err})"
        return df
    df.attrs["note"] = f"live: {df['source'].iloc[0] if len(df) else 'the endpoints API'}"
    return df


def _token(token: str | bool | None) -> str | None:
    from huggingface_hub import get_token  # noqa: PLC0415

    if token is False:
        return None
    if isinstance(token, str):
        return token
    return get_token()


def _live_hardware(
    endpoint: str | None, token: str | bool | None, namespace: str | None, timeout: float
) -> pd.DataFrame:
    from huggingface_hub import constants  # noqa: PLC0415

    from ..catalog.hub import HubError  # noqa: PLC0415

    secret = _token(token)
    if secret is None:
        raise HubError("no Hub token (set HF_TOKEN or log in): the endpoints API needs one")
    base = (endpoint or ENDPOINTS_API).rstrip("/")
    if namespace is None:
        # HfApi.whoami has no timeout: ask the same route with ours
        me = _get_json(f"{constants.ENDPOINT}/api/whoami-v2", secret, timeout)
        if not isinstance(me, dict) or not me.get("name"):
            raise HubError("could not find the token's user (whoami): pass namespace=")
        namespace = str(me["name"])
    url = f"{base}/v2/provider/{namespace}"
    return _cached(url, lambda: _fetch_hardware(url, secret, namespace, timeout))


def _fetch_hardware(url: str, secret: str, namespace: str, timeout: float) -> pd.DataFrame:
    from huggingface_hub._inference_endpoints import InferenceEndpointHardware  # noqa: PLC0415

    from ..catalog.hub import HubError  # noqa: PLC0415

    payload = _get_json(url, secret, timeout)
    if not isinstance(payload, dict) or not isinstance(payload.get("vendors"), list):
        raise HubError(f"{url} did not answer with a hardware catalog ({{'vendors': [...]}})")
    records = []
    try:
        for vendor in payload["vendors"]:
            for region in vendor.get("regions", []):
                for compute in region.get("computes", []):
                    hw = InferenceEndpointHardware.from_raw(
                        compute, vendor=vendor["name"], region=region["name"]
                    )
                    records.append(_hardware_record(hw, compute))
    except (KeyError, TypeError) as err:
        raise HubError(f"{url} sent a compute without {err}") from err
    df = pd.DataFrame.from_records(records, columns=list(HARDWARE_COLUMNS))
    df["region_source"] = "live: the endpoints API"
    df["status_source"] = "live: the endpoints API"
    df["quota_source"] = f"live: the endpoints API, quota of {namespace}"
    df["source"] = f"live: {url}"
    df["as_of"] = _today()
    return _typed_hardware(df.astype(object).where(df.notna(), None))


def _hardware_record(hw: Any, raw: dict[str, Any]) -> dict[str, Any]:
    count = hw.num_accelerators
    # the API sets gpuMemoryGb for GPUs only; it is the replica's total (summed over its GPUs)
    acc_mem = hw.gpu_memory_gb
    return {
        "instance": hw.id,
        "vendor": hw.vendor,
        "region": hw.region,
        "accelerator": hw.accelerator,
        "instance_type": hw.instance_type,
        "instance_size": hw.instance_size,
        "architecture": hw.architecture,
        "num_accelerators": count if hw.accelerator != "cpu" else None,
        "num_cpus": hw.num_cpus,
        "memory_gb": hw.memory_gb,
        "accelerator_memory_gb": acc_mem,
        "memory_per_accelerator_gb": acc_mem / count if acc_mem and count else None,
        "price_per_hour_usd": hw.price_per_hour,
        "status": hw.status,
        "quota_max_accelerators": hw.max_accelerators,
        "quota_used_accelerators": hw.used_accelerators,
        "deprecated_from": raw.get("deprecatedFrom") or raw.get("deprecated_from"),
    }


def _get_json(url: str, token: str | None, timeout: float) -> Any:
    """GET a JSON reply through huggingface_hub's HTTP session; HubError saying why not."""
    from huggingface_hub import get_session  # noqa: PLC0415
    from huggingface_hub.errors import HfHubHTTPError  # noqa: PLC0415
    from huggingface_hub.utils import build_hf_headers, hf_raise_for_status  # noqa: PLC0415

    from ..catalog.hub import HubError  # noqa: PLC0415

    headers = build_hf_headers(token=token) if token else build_hf_headers(token=False)
    try:
        response = get_session().get(url, headers=headers, timeout=timeout)
        hf_raise_for_status(response)
        return response.json()
    except HfHubHTTPError as err:
        raise HubError(f"{url} answered {err}") from err
    except ValueError as err:  # malformed JSON
        raise HubError(f"{url} sent malformed JSON ({err})") from err
    except Exception as err:  # timeouts and connection errors (httpx)
        if type(err).__module__.startswith(("httpx", "httpcore", "requests", "urllib3")):
            raise HubError(f"{url} did not answer: {err!r}") from err
        raise


# -- accelerator figures for throughput estimates ------------------------------------------------
@cache
def _accelerator_specs() -> pd.DataFrame:
    path = files("hubwidgets.core") / "data" / "accelerator_specs.csv"
    with path.open("r", encoding="utf-8") as f:
        return pd.read_csv(f, dtype={"instance_type": str, "source": str})


def accelerator_specs() -> pd.DataFrame:
    """Memory bandwidth (GB/s) and dense 16-bit tensor TFLOPS of one accelerator, per Inference
    Endpoints ``instance_type``, each row with the datasheet it comes from (``source``).

    Only accelerators with a published figure are listed: the others (nvidia-a10g, nvidia-b200,
    the CPUs) are unknown, and estimates on them say so rather than guess.
    """
    return _accelerator_specs().copy()


# -- serverless providers ------------------------------------------------------------------------
def provider_prices(
    source: str = "auto",
    table: pd.DataFrame | None = None,
    *,
    models: list[str] | None = None,
    endpoint: str | None = None,
    token: str | bool | None = None,
    timeout: float = _TIMEOUT_S,
) -> pd.DataFrame:
    """Serverless Inference Providers per model and provider: $ per 1M tokens and what they offer.

    >>> hw.provider_prices(models=["Qwen/Qwen2.5-7B-Instruct"])

    Args:
        source: ``"live"``: the router's model list (``GET {endpoint}/v1/models``); an error says
            why it failed. ``"bundled"``: there is no bundled provider price list (prices move
            too often to ship): only ``table``. ``"auto"``: ``table`` when given, else live, else
            (offline, no answer) an empty table whose ``attrs["note"]`` says why.
        table: your own prices, a DataFrame with at least ``model, provider, input_usd_per_1m,
            output_usd_per_1m`` (any other column of :data:`PROVIDER_COLUMNS` is kept); NA
            prices stay NA.
        models: keep these models only (default: all).
        endpoint: the router's address (default :data:`ROUTER`).
        token, timeout: the Hub token to send (the list is public; default: none) and seconds
            to wait.

    Returns :data:`PROVIDER_COLUMNS`: ``model``, ``provider``, ``status`` (live, staging...),
    ``input_usd_per_1m`` and ``output_usd_per_1m`` (NA when the provider gives none, and
    ``price_reason`` says so: never 0 for unknown), ``context_length``, ``supports_tools``,
    ``supports_structured_output``, ``latency_s`` (time to first token) and
    ``throughput_tokens_per_s`` where the router reports them (``performance_source``), and
    ``source``, ``as_of``.

    Raises:
        ValueError: an unknown ``source``; a ``table`` without the columns above, or with
            negative prices.
        TypeError: a ``table`` that is not a DataFrame.
        HubError: ``source="live"`` and the router could not be asked.
    """
    source = _check_source(source, SOURCES)
    if models is not None and not (
        isinstance(models, list) and all(isinstance(m, str) for m in models)
    ):
        raise TypeError(f"models must be a list of model ids, not {models!r}")
    if table is not None:
        df = _user_table(table)
        df.attrs["note"] = "your table (table=)"
    elif source == "bundled":
        df = _empty_providers()
        df.attrs["note"] = "no bundled provider prices: pass table= (prices change too often)"
    else:
        from ..catalog.hub import HubError  # noqa: PLC0415

        if source == "auto" and _offline():
            df = _empty_providers()
            df.attrs["note"] = "none: HF_HUB_OFFLINE is set (pass table= for your own prices)"
        else:
            try:
                df = _live_providers(endpoint, token, timeout)
                df.attrs["note"] = f"live: {df['source'].iloc[0] if len(df) else 'the router'}"
            except HubError as err:
                if source == "live":
                    raise
                df = _empty_providers()
                df.attrs["note"] = f"none: {err} (pass table= for your own prices)"
    if models is not None:
        note = df.attrs.get("note", "")
        df = df[df["model"].isin(models)].reset_index(drop=True)
        df.attrs["note"] = note
    return df


def _empty_providers() -> pd.DataFrame:
    return _typed_providers(pd.DataFrame(columns=list(PROVIDER_COLUMNS)))


_PROVIDER_FLOATS = (
    "input_usd_per_1m",
    "output_usd_per_1m",
    "latency_s",
    "throughput_tokens_per_s",
)


def _typed_providers(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=range(len(df)))
    for col in PROVIDER_COLUMNS:
        values = (
            df[col].reset_index(drop=True) if col in df.columns else pd.Series([None] * len(df))
        )
        if col in _PROVIDER_FLOATS:
            out[col] = pd.array(pd.to_numeric(values, errors="coerce").to_numpy(), dtype="Float64")
        elif col == "context_length":
            out[col] = pd.array(pd.to_numeric(values, errors="coerce").to_numpy(), dtype="Int64")
        elif col in ("supports_tools", "supports_structured_output"):
            out[col] = pd.array([None if _na(v) else bool(v) for v in values], dtype="boolean")
        else:
            out[col] = pd.array([None if _na(v) else str(v) for v in values], dtype="string")
    return out


def _na(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _user_table(table: object) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a DataFrame of provider prices, not {type(table).__name__}")
    missing = [c for c in _TABLE_NEEDS if c not in table.columns]
    if missing:
        raise ValueError(
            f"table needs the columns {list(_TABLE_NEEDS)}; missing {missing} "
            f"(it has {list(table.columns)})"
        )
    df = table.copy()
    for col in ("input_usd_per_1m", "output_usd_per_1m"):
        numbers = pd.to_numeric(df[col], errors="coerce")
        bad = df[col].notna() & numbers.isna()
        if bad.any():
            raise ValueError(f"table[{col!r}] must hold numbers ($ per 1M tokens) or NA")
        if (numbers < 0).any():
            raise ValueError(f"table[{col!r}] has negative prices; $ per 1M tokens are >= 0")
    out = _typed_providers(df)
    unpriced = out["input_usd_per_1m"].isna() | out["output_usd_per_1m"].isna()
    reason = out["price_reason"].astype("object")
    reason[unpriced & reason.isna()] = "unknown: no price in your table"
    out["price_reason"] = pd.array(reason.to_numpy(), dtype="string")
    out["source"] = out["source"].fillna("your table (table=)")
    out["as_of"] = out["as_of"].fillna(_today())
    if "performance_source" not in table.columns:
        known = out["latency_s"].notna() | out["throughput_tokens_per_s"].notna()
        out["performance_source"] = pd.array(
            ["your table" if k else "unknown: not in your table" for k in known], dtype="string"
        )
    return out


def _live_providers(endpoint: str | None, token: str | bool | None, timeout: float) -> pd.DataFrame:
    url = f"{(endpoint or ROUTER).rstrip('/')}/v1/models"
    return _cached(url, lambda: _fetch_providers(url, token, timeout))


def _fetch_providers(url: str, token: str | bool | None, timeout: float) -> pd.DataFrame:
    from ..catalog.hub import HubError  # noqa: PLC0415

    payload = _get_json(url, token if isinstance(token, str) else None, timeout)
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list):
        raise HubError(f"{url} did not answer with a model list ({{'data': [...]}})")
    records = [
        _provider_record(str(model["id"]), p)
        for model in data
        if isinstance(model, dict) and "id" in model
        for p in model.get("providers") or []
        if isinstance(p, dict)
    ]
    df = _typed_providers(pd.DataFrame.from_records(records, columns=list(PROVIDER_COLUMNS)))
    df["source"] = f"live: {url}"
    df["as_of"] = _today()
    return df


def _provider_record(model: str, p: dict[str, Any]) -> dict[str, Any]:
    pricing = p.get("pricing")
    price_in = price_out = None
    reason: str | None = None
    if isinstance(pricing, dict):
        price_in, price_out = _price(pricing.get("input")), _price(pricing.get("output"))
        if price_in is None or price_out is None:
            reason = "unknown: the router gives no input and output price for this provider"
    else:
        reason = "unknown: the router gives no pricing for this provider"
    latency = _price(p.get("latency_s", p.get("latency")))
    throughput = _price(p.get("throughput_tokens_per_s", p.get("throughput")))
    perf = (
        "live: the router's model list"
        if latency is not None or throughput is not None
        else "unknown: not reported by the router"
    )
    return {
        "model": model,
        "provider": p.get("provider"),
        "status": p.get("status"),
        "input_usd_per_1m": price_in,
        "output_usd_per_1m": price_out,
        "price_reason": reason,
        "context_length": p.get("context_length"),
        "supports_tools": p.get("supports_tools"),
        "supports_structured_output": p.get("supports_structured_output"),
        "latency_s": latency,
        "throughput_tokens_per_s": throughput,
        "performance_source": perf,
    }


def _price(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value >= 0 else None
