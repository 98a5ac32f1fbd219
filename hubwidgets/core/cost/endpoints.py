"""Inference Endpoints from the notebook: list, create, pause, resume, scale to zero, delete, wait.

Every function goes through the real ``huggingface_hub.HfApi`` endpoint methods
(``list_inference_endpoints``, ``create_inference_endpoint``, ``get_inference_endpoint``,
``pause_/resume_/scale_to_zero_/delete_inference_endpoint``) and returns a DataFrame of
:data:`ENDPOINT_COLUMNS` (one row per endpoint), with its hourly price from
:func:`~hubwidgets.core.cost.hardware_prices` matched by instance.

``endpoint=`` is an address serving the endpoints API under ``/v2`` and the Hub's ``whoami``
(used only to find your namespace when ``namespace`` is not given), e.g. the local test server
(:class:`hubwidgets.testing.HubServer`); by default huggingface_hub's own addresses. The client
reads the endpoints API's address from ``huggingface_hub.constants.INFERENCE_ENDPOINTS_ENDPOINT``
at each call (it has no argument for it), so with ``endpoint=`` that constant is pointed at it
for the call, under a lock, and put back.

An error of the API becomes an :class:`EndpointError` carrying the API's own message (never a
token). Every action appends an audit record (``endpoint.<action>``, see
:mod:`hubwidgets.core.registry.audit`) and a usage-ledger record
(:func:`hubwidgets.core.cost.ledger.record_usage`), whether it worked or not.
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pandas as pd

from .. import _redact
from .estimate import DAYS_PER_MONTH, endpoint_cost

__all__ = [
    "CREATE_COLUMNS",
    "ENDPOINT_COLUMNS",
    "INSTANCE_COLUMNS",
    "SETTLED_STATES",
    "EndpointError",
    "create_endpoint",
    "delete_endpoint",
    "endpoint_instances",
    "endpoints",
    "pause_endpoint",
    "resume_endpoint",
    "scale_endpoint_to_zero",
    "wait_endpoint",
]

#: The columns of :func:`endpoints` and of every action's result, in order.
ENDPOINT_COLUMNS: tuple[str, ...] = (
    "name",
    "namespace",
    "model",
    "revision",
    "task",
    "status",
    "message",
    "url",
    "instance",
    "accelerator",
    "vendor",
    "region",
    "instance_type",
    "instance_size",
    "min_replicas",
    "max_replicas",
    "ready_replicas",
    "target_replicas",
    "price_per_hour_usd",
    "price_source",
    "created",
    "updated",
)

#: :func:`create_endpoint`'s extra columns: what it costs, said before it is created.
CREATE_COLUMNS: tuple[str, ...] = (
    *ENDPOINT_COLUMNS,
    "memory_needed_gb",
    "memory_available_gb",
    "usd_per_month_running",
    "usd_per_month_max",
    "cost_source",
    "created_now",
)

#: States an endpoint stays in until someone acts (what :func:`wait_endpoint` waits for).
SETTLED_STATES: frozenset[str] = frozenset(
    {"running", "failed", "updateFailed", "paused", "scaledToZero"}
)
_FAILED = frozenset({"failed", "updateFailed"})

#: Hours in the month of the pricing page (730).
HOURS_PER_MONTH = 24 * DAYS_PER_MONTH

_INTS = ("min_replicas", "max_replicas", "ready_replicas", "target_replicas")
_FLOATS = (
    "price_per_hour_usd",
    "memory_needed_gb",
    "memory_available_gb",
    "usd_per_month_running",
    "usd_per_month_max",
)
_API_LOCK = threading.RLock()
_LOG = logging.getLogger("hubwidgets.endpoints")


class EndpointError(RuntimeError):
    """The endpoints API refused or failed an action; the message is the API's (no token).

    Attributes:
        status_code: the HTTP status, when the API answered (None: it did not answer).
        api_message: the API's own message.
        name: the endpoint acted on, when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        api_message: str = "",
        name: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.api_message = api_message or message
        self.name = name


# -- the client ----------------------------------------------------------------------------------
@contextlib.contextmanager
def _client(endpoint: str | None) -> Iterator[Any]:
    """An HfApi whose endpoint calls go to ``endpoint`` (see the module docstring)."""
    from huggingface_hub import HfApi, constants  # noqa: PLC0415 - only when asked

    if endpoint is None:
        with _API_LOCK:  # not while another call has the constant pointed elsewhere
            yield HfApi()
        return
    if not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://")):
        raise ValueError(f"endpoint must be an http(s):// address, not {endpoint!r}")
    base = endpoint.rstrip("/")
    with _API_LOCK:
        before = constants.INFERENCE_ENDPOINTS_ENDPOINT
        constants.INFERENCE_ENDPOINTS_ENDPOINT = f"{base}/v2"
        try:
            yield HfApi(endpoint=base)
        finally:
            constants.INFERENCE_ENDPOINTS_ENDPOINT = before


def _scrub(text: str, token: Any) -> str:
    # the shared redactor: the token, and anything else shaped like one (issue 18)
    return _redact.redact(text, [token])


def _api_error(err: Exception, doing: str, token: Any, name: str | None) -> EndpointError:
    """An EndpointError from whatever the client raised (HTTP error, no answer...)."""
    from huggingface_hub.errors import HfHubHTTPError  # noqa: PLC0415

    if isinstance(err, HfHubHTTPError):
        response = err.response
        status = getattr(response, "status_code", None)
        said = (getattr(err, "server_message", None) or "").strip()
        if not said:
            said = str(err).splitlines()[0]
        said = _scrub(said, token)
        return EndpointError(
            f"{doing}: the endpoints API answered {status}: {said}",
            status_code=status,
            api_message=said,
            name=name,
        )
    said = _scrub(f"{type(err).__name__}: {err}", token)
    return EndpointError(f"{doing}: the endpoints API did not answer ({said})", name=name)


def _call(
    doing: str, token: Any, name: str | None, endpoint: str | None, fn: Callable[[Any], Any]
) -> Any:
    """Run ``fn(api)``; any error of the API or the network becomes an EndpointError."""
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled  # noqa: PLC0415

    with _client(endpoint) as api:
        try:
            return fn(api)
        except HfHubHTTPError as err:
            raise _api_error(err, doing, token, name) from None
        except OfflineModeIsEnabled:
            raise EndpointError(
                f"{doing}: huggingface_hub's offline mode is on (HF_HUB_OFFLINE); unset it, "
                "and restart Python, to reach the endpoints API",
                name=name,
            ) from None
        except (ValueError, TypeError):
            raise
        except Exception as err:
            if type(err).__module__.startswith(("httpx", "httpcore", "requests", "urllib3")):
                raise _api_error(err, doing, token, name) from None
            raise


def _namespace(namespace: str | None, token: Any, endpoint: str | None) -> str:
    if namespace is not None:
        if not isinstance(namespace, str) or not namespace:
            raise TypeError(f"namespace must be a user or organisation name, not {namespace!r}")
        return namespace
    me = _call(
        "finding your namespace (whoami)",
        token,
        None,
        endpoint,
        lambda api: api.whoami(token=token),
    )
    name = me.get("name") if isinstance(me, Mapping) else None
    if not name:
        raise EndpointError("could not find the token's user (whoami): pass namespace=")
    return str(name)


def _check_name(name: Any, what: str = "name") -> str:
    if not isinstance(name, str) or not name:
        raise TypeError(f"{what} must be an endpoint name (a non-empty str), not {name!r}")
    return name


# -- rows ----------------------------------------------------------------------------------------
def _na(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


class _Prices:
    """Hourly prices by instance, from a hardware_prices table."""

    def __init__(self, table: pd.DataFrame | None) -> None:
        self.by_id: dict[str, dict[str, Any]] = {}
        self.by_kind: dict[tuple[str, str, str], dict[str, Any]] = {}
        if table is None or not len(table):
            return
        plain = table.astype(object).where(table.notna(), None)
        for raw in plain.to_dict("records"):
            rec = {str(k): v for k, v in raw.items()}
            self.by_id[str(rec.get("instance"))] = rec
            key = (
                str(rec.get("vendor")),
                str(rec.get("instance_type")),
                str(rec.get("instance_size")),
            )
            self.by_kind.setdefault(key, rec)
        self.note = str(table.attrs.get("note") or "")

    def find(self, vendor: str, region: str, itype: str, isize: str) -> dict[str, Any] | None:
        for key in (f"{vendor}-{region}-{itype}-{isize}", f"{vendor}-{itype}-{isize}"):
            if key in self.by_id:
                return self.by_id[key]
        return self.by_kind.get((vendor, itype, isize))


def _row(raw: Mapping[str, Any], namespace: str, prices: _Prices) -> dict[str, Any]:
    """One row of ENDPOINT_COLUMNS from the API's endpoint JSON (secrets are never read)."""
    model = raw.get("model") or {}
    compute = raw.get("compute") or {}
    scaling = compute.get("scaling") or {}
    provider = raw.get("provider") or {}
    status = raw.get("status") or {}
    vendor = str(provider.get("vendor") or "")
    region = str(provider.get("region") or "")
    itype = str(compute.get("instanceType") or "")
    isize = str(compute.get("instanceSize") or "")
    price = prices.find(vendor, region, itype, isize)
    instance = str(price["instance"]) if price else f"{vendor}-{region}-{itype}-{isize}"
    if price is not None and not _na(price.get("price_per_hour_usd")):
        per_hour: Any = float(price["price_per_hour_usd"])
        price_source = str(price.get("source") or "hardware_prices")
    else:
        per_hour = None
        price_source = f"unknown: {vendor} {itype} {isize} is not in the price table"
    return {
        "name": raw.get("name"),
        "namespace": namespace,
        "model": model.get("repository"),
        "revision": model.get("revision"),
        "task": model.get("task"),
        "status": status.get("state"),
        "message": status.get("message"),
        "url": status.get("url"),
        "instance": instance,
        "accelerator": compute.get("accelerator"),
        "vendor": vendor or None,
        "region": region or None,
        "instance_type": itype or None,
        "instance_size": isize or None,
        "min_replicas": scaling.get("minReplica"),
        "max_replicas": scaling.get("maxReplica"),
        "ready_replicas": status.get("readyReplica"),
        "target_replicas": status.get("targetReplica"),
        "price_per_hour_usd": per_hour,
        "price_source": price_source,
        "created": status.get("createdAt"),
        "updated": status.get("updatedAt"),
    }


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...] = ENDPOINT_COLUMNS) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows, columns=list(columns))
    for col in _INTS:
        df[col] = pd.array(pd.to_numeric(df[col]).to_numpy(dtype=float), dtype="Float64").astype(
            "Int64"
        )
    for col in _FLOATS:
        if col in columns:
            df[col] = pd.array(pd.to_numeric(df[col]).to_numpy(dtype=float), dtype="Float64")
    if "created_now" in columns:
        df["created_now"] = df["created_now"].astype(bool)
    for col in ("created", "updated"):
        df[col] = pd.to_datetime(df[col], utc=True, errors="coerce", format="ISO8601")
    return df


def _prices(
    prices: pd.DataFrame | None, endpoint: str | None, token: Any, namespace: str
) -> _Prices:
    if prices is None:
        from .prices import hardware_prices  # noqa: PLC0415

        prices = hardware_prices("auto", endpoint=endpoint, token=token, namespace=namespace)
    elif not isinstance(prices, pd.DataFrame):
        raise TypeError(
            f"prices must be hw.hardware_prices()'s DataFrame, not {type(prices).__name__}"
        )
    return _Prices(prices)


# -- records -------------------------------------------------------------------------------------
def _record(
    action: str,
    row: Mapping[str, Any] | None,
    *,
    name: str,
    namespace: str | None,
    outcome: str,
    params: Mapping[str, Any] | None = None,
    cost_usd: float | None = None,
    cost_source: str = "none: the bill comes from the endpoints API, not estimated here",
) -> None:
    """The audit record and the usage-ledger record of one action (never raises)."""
    from ..registry.audit import safe_append  # noqa: PLC0415

    model = None if row is None or _na(row.get("model")) else str(row.get("model"))
    revision = None if row is None or _na(row.get("revision")) else str(row.get("revision"))
    fields = {"name": name, "namespace": namespace, **dict(params or {})}
    if row is not None and not _na(row.get("instance")):
        fields.setdefault("instance", str(row["instance"]))
    safe_append(
        f"endpoint.{action}",
        model=model,
        revision=revision,
        params=fields,
        outcome=outcome,
        cost=cost_usd,
    )
    _ledger(action, model, revision, name, cost_usd, cost_source, outcome)


def _ledger(
    action: str,
    model: str | None,
    revision: str | None,
    name: str,
    cost_usd: float | None,
    cost_source: str,
    outcome: str,
) -> None:
    """The usage-ledger line of an action (:mod:`hubwidgets.core.cost.ledger`); never raises:
    the ledger must not sink the user's action (a failure is logged)."""
    from .ledger import record_usage  # noqa: PLC0415

    try:
        record_usage(
            kind="endpoint",
            action=action,
            model=model or f"(endpoint {name})",
            revision=revision,
            endpoint=name,
            seconds=None,
            cost_usd=cost_usd,
            cost_source=cost_source,
            outcome="ok" if outcome == "ok" else "error",
            audit=False,  # the endpoint.<action> audit record is written already
        )
    except Exception as err:
        _LOG.warning("hubwidgets could not write the usage record endpoint.%s: %s", action, err)


# -- reading -------------------------------------------------------------------------------------
def endpoints(
    namespace: str | None = None,
    *,
    token: str | bool | None = None,
    endpoint: str | None = None,
    prices: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Your Inference Endpoints, one row each (:data:`ENDPOINT_COLUMNS`).

    >>> hw.endpoints()[["name", "model", "status", "price_per_hour_usd"]]  # doctest: +SKIP

    Args:
        namespace: the user or organisation (default: the token's user).
        token: a Hub token (default: the one huggingface_hub finds).
        endpoint: the API's address (module docstring); default huggingface_hub's.
        prices: :func:`hw.hardware_prices`' table (default: that function, live else bundled).

    Columns: name, namespace, model, revision, task, status (pending, initializing, updating,
    running, paused, scaledToZero, failed, updateFailed), message (the API's), url, instance
    (the price table's id when it has the instance), accelerator, vendor, region, instance type
    and size, min/max replicas, ready/target replicas, ``price_per_hour_usd`` (per replica; NA
    with ``price_source`` saying why when the table lacks the instance), created, updated.

    Raises:
        EndpointError: the API refused or did not answer (its message).
    """
    ns = _namespace(namespace, token, endpoint)
    found = _call(
        f"listing the endpoints of {ns}",
        token,
        None,
        endpoint,
        lambda api: api.list_inference_endpoints(namespace=ns, token=token),
    )
    table = _prices(prices, endpoint, token, ns)
    return _frame([_row(e.raw, ns, table) for e in found])


def _get(name: str, ns: str, token: Any, endpoint: str | None) -> Any:
    return _call(
        f"reading endpoint {name}",
        token,
        name,
        endpoint,
        lambda api: api.get_inference_endpoint(name, namespace=ns, token=token),
    )


# -- create --------------------------------------------------------------------------------------
def _fitting(model: str, prices: pd.DataFrame | None, catalog: Any, dtype: str) -> pd.DataFrame:
    """estimate_cost's dedicated rows for ``model`` that fit, have a price and are usable."""
    from .estimate import Workload, estimate_cost  # noqa: PLC0415
    from .prices import PROVIDER_COLUMNS  # noqa: PLC0415

    none = pd.DataFrame(columns=list(PROVIDER_COLUMNS))
    none.attrs["note"] = "not needed to pick an instance"
    options = estimate_cost(
        model,
        Workload(requests_per_day=1, input_tokens=1, output_tokens=1),
        options="dedicated",
        catalog=catalog,
        prices=prices,
        provider_table=none,
        dtype=dtype,
    )
    usable = (
        options["fits"].fillna(False).astype(bool)
        & (options["status"].astype(object).fillna("") != "deprecated")
        & options["price_per_hour_usd"].notna()
    )
    out = options[usable.to_numpy(dtype=bool)].reset_index(drop=True)
    out.attrs["all"] = options
    return out


#: The columns of :func:`endpoint_instances`.
INSTANCE_COLUMNS: tuple[str, ...] = (
    "instance",
    "vendor",
    "region",
    "accelerator",
    "instance_type",
    "instance_size",
    "status",
    "memory_needed_gb",
    "memory_available_gb",
    "price_per_hour_usd",
    "price_source",
    "usd_per_month_running",
)


def endpoint_instances(
    model: str,
    *,
    namespace: str | None = None,
    token: str | bool | None = None,
    endpoint: str | None = None,
    prices: pd.DataFrame | None = None,
    catalog: Any = None,
    dtype: str = "fp16/bf16",
) -> pd.DataFrame:
    """The instances :func:`create_endpoint` accepts for ``model``: those whose memory holds it
    (:func:`hw.estimate_cost`'s rule), with a price, not deprecated; cheapest first.

    Returns :data:`INSTANCE_COLUMNS`; ``usd_per_month_running`` is one replica all month
    (730 hours). Empty (with ``attrs["note"]`` saying why) when none holds it.

    Raises:
        ValueError: an unknown model (with close matches).
    """
    if not isinstance(model, str) or not model:
        raise TypeError(f"model must be a model id (str), not {model!r}")
    if prices is None:
        from .prices import hardware_prices  # noqa: PLC0415

        ns = namespace
        if ns is None and endpoint is not None:
            ns = _namespace(None, token, endpoint)
        prices = hardware_prices("auto", endpoint=endpoint, token=token, namespace=ns)
    fits = _fitting(model, prices, catalog, dtype)
    out = fits.reindex(columns=[c for c in INSTANCE_COLUMNS if c != "usd_per_month_running"])
    out["usd_per_month_running"] = [
        endpoint_cost(float(p), HOURS_PER_MONTH, 1) for p in out["price_per_hour_usd"]
    ]
    out = out.sort_values(["price_per_hour_usd", "instance"], kind="stable").reset_index(drop=True)
    if out.empty:
        notes = fits.attrs["all"]["note"].dropna()
        out.attrs["note"] = str(notes.iloc[0]) if len(notes) else "no instance holds it"
    return out


def _endpoint_name(model: str) -> str:
    from .snippets import _endpoint_name as name_of  # noqa: PLC0415 - one naming rule

    return name_of(model)


def create_endpoint(
    model: str,
    *,
    instance: str,
    name: str | None = None,
    revision: str | None = None,
    task: str | None = None,
    min_replica: int = 0,
    max_replica: int = 1,
    scale_to_zero_timeout: int | None = 15,
    framework: str = "pytorch",
    type: str = "authenticated",  # noqa: A002 - the API's name
    confirm: bool = True,
    namespace: str | None = None,
    token: str | bool | None = None,
    endpoint: str | None = None,
    prices: pd.DataFrame | None = None,
    catalog: Any = None,
    dtype: str = "fp16/bf16",
) -> pd.DataFrame:
    """Create an Inference Endpoint serving ``model`` on ``instance``, after checking it fits.

    >>> hw.create_endpoint(                                               # doctest: +SKIP
    ...     "distilbert/distilbert-base-uncased",
    ...     instance="aws-us-east-1-intel-spr-x1",
    ...     confirm=False,            # what it would cost; nothing is created
    ... )

    Args:
        model: a model id the catalog knows (its size decides which instances fit).
        instance: an instance id of :func:`hw.hardware_prices` (``instance`` column) whose
            memory holds the model, as :func:`hw.estimate_cost` decides (its ``fits``), that has
            a price and is not deprecated. Another is a ValueError listing the valid ones.
        name: the endpoint's name (default: from the model's, lowercase with dashes).
        revision: the model revision to serve (default: the API's, the main branch).
        task: the task (default: the API infers it from the model).
        min_replica, max_replica: the replicas (``min_replica=0`` scales to zero when idle).
        scale_to_zero_timeout: idle minutes before scaling to zero (with ``min_replica=0``).
        framework, type: as ``HfApi.create_inference_endpoint`` takes them.
        confirm: True: create it. False: create nothing; return the row it would create, with
            its price and the month's estimate (what a confirmation shows).
        namespace, token, endpoint, prices: as :func:`endpoints`.
        catalog: where the model's size comes from (default ``hw.open_catalog()``).
        dtype: the weights' dtype, for the memory fit (see :func:`hw.estimate_cost`).

    Returns :data:`CREATE_COLUMNS`, one row: the endpoint as the API answered (``created_now``
    True), or as it would be (False); ``usd_per_month_running`` is one replica
    (``max(1, min_replica)``) running all month (730 hours, :func:`hw.endpoint_cost`),
    ``usd_per_month_max`` ``max_replica`` replicas all month: the most it can cost.

    Raises:
        ValueError: an unknown model, an instance that does not fit (the valid ones listed),
            bad replicas or name.
        EndpointError: the API refused (a quota error, a name taken...: its message).
    """
    _check_create(model, instance, min_replica, max_replica, scale_to_zero_timeout)
    name = _check_name(name if name is not None else _endpoint_name(model))
    ns = _namespace(namespace, token, endpoint)
    if prices is None:
        from .prices import hardware_prices  # noqa: PLC0415

        prices = hardware_prices("auto", endpoint=endpoint, token=token, namespace=ns)
    fits = _fitting(model, prices, catalog, dtype)
    chosen = fits[fits["instance"].astype(str) == instance]
    if chosen.empty:
        raise ValueError(_bad_instance(model, instance, fits, prices))
    best = chosen.iloc[0]
    per_hour = float(best["price_per_hour_usd"])
    running = endpoint_cost(per_hour, HOURS_PER_MONTH, max(1, min_replica))
    most = endpoint_cost(per_hour, HOURS_PER_MONTH, max_replica)
    region = None if _na(best["region"]) else str(best["region"])
    if region is None:
        raise ValueError(
            f"instance {instance!r} comes from a price table without regions "
            f"({prices.attrs.get('note') or 'the bundled pricing page'}): pass prices="
            "hw.hardware_prices('live') (or endpoint=) to choose an instance with its region"
        )
    cost_source = (
        f"hw.endpoint_cost: ${per_hour:g}/hour ({best['price_source']}) x {HOURS_PER_MONTH:g} "
        "hours, billed per minute while running"
    )
    extra = {
        "memory_needed_gb": best["memory_needed_gb"],
        "memory_available_gb": best["memory_available_gb"],
        "usd_per_month_running": running,
        "usd_per_month_max": most,
        "cost_source": cost_source,
    }
    params = {
        "instance": instance,
        "min_replica": min_replica,
        "max_replica": max_replica,
        "scale_to_zero_timeout": scale_to_zero_timeout,
        "usd_per_hour": per_hour,
    }
    if not confirm:
        planned = {
            "name": name,
            "namespace": ns,
            "model": model,
            "revision": revision,
            "task": task,
            "status": "not created",
            "message": "confirm=True creates it",
            "instance": instance,
            "accelerator": best["accelerator"],
            "vendor": best["vendor"],
            "region": region,
            "instance_type": best["instance_type"],
            "instance_size": best["instance_size"],
            "min_replicas": min_replica,
            "max_replicas": max_replica,
            "price_per_hour_usd": per_hour,
            "price_source": best["price_source"],
            **extra,
            "created_now": False,
        }
        return _frame([planned], CREATE_COLUMNS)

    def create(api: Any) -> Any:
        return api.create_inference_endpoint(
            name,
            repository=model,
            revision=revision,
            task=task,
            framework=framework,
            accelerator=str(best["accelerator"]),
            vendor=str(best["vendor"]),
            region=region,
            instance_type=str(best["instance_type"]),
            instance_size=str(best["instance_size"]),
            min_replica=min_replica,
            max_replica=max_replica,
            scale_to_zero_timeout=scale_to_zero_timeout,
            type=type,
            namespace=ns,
            token=token,
        )

    try:
        made = _call(f"creating endpoint {name}", token, name, endpoint, create)
    except EndpointError as err:
        _record(
            "create",
            {"model": model, "revision": revision, "instance": instance},
            name=name,
            namespace=ns,
            outcome=f"error: {err.api_message}",
            params=params,
        )
        raise
    row = _row(made.raw, ns, _Prices(prices))
    row["instance"] = instance
    _record("create", row, name=name, namespace=ns, outcome="ok", params=params)
    return _frame([{**row, **extra, "created_now": True}], CREATE_COLUMNS)


def _check_create(
    model: Any, instance: Any, min_replica: Any, max_replica: Any, scale_to_zero_timeout: Any
) -> None:
    if not isinstance(model, str) or not model:
        raise TypeError(f"model must be a model id (str), not {model!r}")
    if not isinstance(instance, str) or not instance:
        raise TypeError(
            f"instance must be an instance id from hw.hardware_prices(), not {instance!r}"
        )
    for what, value, least in (("min_replica", min_replica, 0), ("max_replica", max_replica, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ValueError(f"{what} must be an int >= {least}, not {value!r}")
    if max_replica < min_replica:
        raise ValueError(
            f"max_replica ({max_replica}) must be at least min_replica ({min_replica})"
        )
    if scale_to_zero_timeout is not None and (
        isinstance(scale_to_zero_timeout, bool)
        or not isinstance(scale_to_zero_timeout, int)
        or scale_to_zero_timeout < 1
    ):
        raise ValueError(
            "scale_to_zero_timeout must be minutes (an int >= 1) or None, "
            f"not {scale_to_zero_timeout!r}"
        )


def _bad_instance(model: str, instance: str, fits: pd.DataFrame, prices: pd.DataFrame) -> str:
    valid = sorted(fits["instance"].astype(str))
    everything = fits.attrs.get("all")
    rows = everything if everything is not None else fits
    listed = rows[rows["instance"].astype(str) == instance]
    priced = set(prices["instance"].dropna().astype(str)) if "instance" in prices else set()
    if len(listed):
        row = listed.iloc[0]
        why = "" if _na(row.get("note")) else f" ({row['note']})"
        fits_it = not _na(row["fits"]) and bool(row["fits"])
        if fits_it:
            head = f"instance {instance!r} cannot be used: deprecated or without a price{why}"
        else:
            head = f"instance {instance!r} cannot serve {model}: it does not hold it{why}"
    elif instance in priced:
        need = rows["memory_needed_gb"].dropna()
        size = f" (it needs {float(need.iloc[0]):,.1f} GB)" if len(need) else ""
        head = f"instance {instance!r} cannot serve {model}: it does not hold it{size}"
    else:
        close = difflib.get_close_matches(instance, valid or sorted(priced), n=3)
        hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
        head = f"unknown instance {instance!r}{hint}"
    if not valid:
        return f"{head}; no instance in the price table holds {model}"
    return f"{head}; the instances that hold {model}: {', '.join(valid)}"


# -- actions -------------------------------------------------------------------------------------
def _act(
    action: str,
    doing: str,
    name: str,
    *,
    namespace: str | None,
    token: Any,
    endpoint: str | None,
    prices: pd.DataFrame | None,
    method: str,
) -> pd.DataFrame:
    name = _check_name(name)
    ns = _namespace(namespace, token, endpoint)
    try:
        done = _call(
            f"{doing} endpoint {name}",
            token,
            name,
            endpoint,
            lambda api: getattr(api, method)(name, namespace=ns, token=token),
        )
    except EndpointError as err:
        _record(action, None, name=name, namespace=ns, outcome=f"error: {err.api_message}")
        raise
    row = _row(done.raw, ns, _prices(prices, endpoint, token, ns))
    _record(action, row, name=name, namespace=ns, outcome="ok")
    return _frame([row])


def pause_endpoint(
    name: str,
    *,
    namespace: str | None = None,
    token: str | bool | None = None,
    endpoint: str | None = None,
    prices: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Pause an endpoint: no replica runs and nothing is billed until :func:`resume_endpoint`.

    Returns its row (:data:`ENDPOINT_COLUMNS`) as the API answered. Raises EndpointError."""
    return _act(
        "pause",
        "pausing",
        name,
        namespace=namespace,
        token=token,
        endpoint=endpoint,
        prices=prices,
        method="pause_inference_endpoint",
    )


def resume_endpoint(
    name: str,
    *,
    namespace: str | None = None,
    token: str | bool | None = None,
    endpoint: str | None = None,
    prices: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Resume a paused (or scaled-to-zero) endpoint; a running one is left as it is.

    Returns its row (:data:`ENDPOINT_COLUMNS`); follow it with :func:`wait_endpoint`.
    Raises EndpointError."""
    return _act(
        "resume",
        "resuming",
        name,
        namespace=namespace,
        token=token,
        endpoint=endpoint,
        prices=prices,
        method="resume_inference_endpoint",
    )


def scale_endpoint_to_zero(
    name: str,
    *,
    namespace: str | None = None,
    token: str | bool | None = None,
    endpoint: str | None = None,
    prices: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Scale an endpoint to zero replicas: not billed, and the next request wakes it (after a
    cold start). Returns its row (:data:`ENDPOINT_COLUMNS`). Raises EndpointError."""
    return _act(
        "scale_to_zero",
        "scaling to zero",
        name,
        namespace=namespace,
        token=token,
        endpoint=endpoint,
        prices=prices,
        method="scale_to_zero_inference_endpoint",
    )


def delete_endpoint(
    name: str,
    *,
    confirm_name: str,
    namespace: str | None = None,
    token: str | bool | None = None,
    endpoint: str | None = None,
    prices: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Delete an endpoint, for good. ``confirm_name`` must be the endpoint's name, typed again.

    Returns its last row (:data:`ENDPOINT_COLUMNS`) with status ``"deleted"``.

    Raises:
        ValueError: ``confirm_name`` is not ``name`` (nothing is deleted).
        EndpointError: the API refused (e.g. no such endpoint: its message).
    """
    name = _check_name(name)
    if confirm_name != name:
        raise ValueError(
            f"confirm_name must be the endpoint's name typed again ({name!r}), not "
            f"{confirm_name!r}: nothing was deleted"
        )
    ns = _namespace(namespace, token, endpoint)
    try:
        before = _get(name, ns, token, endpoint)
        _call(
            f"deleting endpoint {name}",
            token,
            name,
            endpoint,
            lambda api: api.delete_inference_endpoint(name, namespace=ns, token=token),
        )
    except EndpointError as err:
        _record("delete", None, name=name, namespace=ns, outcome=f"error: {err.api_message}")
        raise
    row = _row(before.raw, ns, _prices(prices, endpoint, token, ns))
    row.update(status="deleted", message="deleted", url=None, ready_replicas=0, target_replicas=0)
    _record("delete", row, name=name, namespace=ns, outcome="ok")
    return _frame([row])


def wait_endpoint(
    name: str,
    timeout: float = 600.0,
    *,
    poll: float = 1.0,
    backoff: float = 2.0,
    max_poll: float = 30.0,
    until: frozenset[str] | set[str] | None = None,
    on_update: Callable[[pd.DataFrame], Any] | None = None,
    stop: threading.Event | None = None,
    namespace: str | None = None,
    token: str | bool | None = None,
    endpoint: str | None = None,
    prices: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Follow an endpoint until it settles (running, paused, scaled to zero); a failed one
    raises with the API's message.

    Asks the API after ``poll`` seconds, then waits ``backoff`` times longer each time, at most
    ``max_poll`` (exponential backoff: a slow deploy is not asked every second for minutes).

    Args:
        timeout: seconds to wait at most.
        until: the states to wait for (default :data:`SETTLED_STATES` but the failed ones;
            name ``"failed"`` here to get its row instead of an error).
        on_update: called with the row (a one-row DataFrame) each time it is read.
        stop: an Event that ends the wait early (the row as last read is returned).

    Returns the last row (:data:`ENDPOINT_COLUMNS`).

    Raises:
        EndpointError: the endpoint failed (the API's message), the wait timed out (saying the
            state it is in), or the API refused.
    """
    name = _check_name(name)
    for what, value in (("timeout", timeout), ("poll", poll), ("max_poll", max_poll)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ValueError(f"{what} must be a number of seconds > 0, not {value!r}")
    if isinstance(backoff, bool) or not isinstance(backoff, (int, float)) or backoff < 1:
        raise ValueError(f"backoff must be a factor >= 1, not {backoff!r}")
    wanted = (SETTLED_STATES - _FAILED) if until is None else frozenset(until)
    ns = _namespace(namespace, token, endpoint)
    table = _prices(prices, endpoint, token, ns)
    deadline = time.monotonic() + float(timeout)
    delay = float(poll)
    while True:
        row = _row(_get(name, ns, token, endpoint).raw, ns, table)
        df = _frame([row])
        if on_update is not None:
            on_update(df)
        state = str(row["status"])
        if state in _FAILED and state not in wanted:
            raise EndpointError(
                f"endpoint {name} is {state}: {row['message']}",
                api_message=str(row["message"] or state),
                name=name,
            )
        if state in wanted or (stop is not None and stop.is_set()):
            return df
        left = deadline - time.monotonic()
        if left <= 0:
            raise EndpointError(
                f"endpoint {name} is still {state} after {timeout:g} s ({row['message']})",
                api_message=str(row["message"] or state),
                name=name,
            )
        pause = min(delay, left)
        if stop is not None:
            if stop.wait(pause):
                continue  # read once more, then return
        else:
            time.sleep(pause)
        delay = min(delay * float(backoff), float(max_poll))
