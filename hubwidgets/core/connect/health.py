"""Is the Hub there, and the services a notebook leans on: :func:`health`.

One row per thing checked, each check in its own thread under one deadline (``timeout``), so a
service that never answers costs ``timeout`` seconds at most, and every check runs at once:

- ``hub``: the Hub API (``GET /api/whoami-v2`` with a token, else ``GET /api/models?limit=1``);
- ``router``: the Inference Providers router's model list (``GET {router}/v1/models``);
- ``provider``: each inference provider serving the models in view, as that list reports it
  (a provider "live" for at least one of them is ``ok``);
- ``endpoint``: each of the user's Inference Endpoints (``GET {endpoints_api}/v2/endpoint/
  {namespace}``, the request ``HfApi.list_inference_endpoints`` makes), by its state; without a
  token the one ``endpoints`` row says so (``unauthorized``).

A status is never guessed: what did not answer within the deadline is ``unreachable``, never
``ok``. The token goes in the ``Authorization`` header only, and never into a row.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import pandas as pd

__all__ = ["HEALTH_COLUMNS", "STATUSES", "health"]

#: The columns of :func:`health`, in order.
HEALTH_COLUMNS: tuple[str, ...] = (
    "service",
    "target",
    "status",
    "latency_ms",
    "last_error",
    "checked_at",
)

#: The values of the ``status`` column.
STATUSES: tuple[str, ...] = ("ok", "error", "unreachable", "unauthorized")

#: Where the Inference Providers router and the Inference Endpoints API live.
ROUTER = "https://router.huggingface.co"
ENDPOINTS_API = "https://api.endpoints.huggingface.cloud"

#: Inference Endpoint states that serve requests (scaled to zero wakes on the next one).
_SERVING = frozenset({"running", "scaledToZero"})


@dataclass
class _Row:
    service: str
    target: str
    status: str = "unreachable"
    latency_ms: float | None = None
    last_error: str | None = None
    checked_at: str = ""


@dataclass
class _Reply:
    status: int  # the HTTP status
    body: Any  # parsed JSON (None when the body is not JSON)
    ms: float


class _UnreachableError(Exception):
    """No HTTP answer: refused, no route, a name that does not resolve, a timeout."""


@dataclass
class _Check:
    """One check run in a thread: it fills ``rows`` (what it found) or leaves them to the
    deadline (``unreachable``)."""

    run: Callable[[float], list[_Row]]
    placeholder: list[_Row]
    rows: list[_Row] | None = None
    done: threading.Event = field(default_factory=threading.Event)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _get(url: str, token: str | None, deadline: float) -> _Reply:
    """GET ``url`` before ``deadline`` (monotonic); its status and JSON body, whatever the
    status. Raises :class:`_UnreachableError` when nothing answered."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise _UnreachableError("no time left before the deadline")
    headers = {"Accept": "application/json", "User-Agent": "hubwidgets-health"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http(s) URLs we build)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=left) as response:  # noqa: S310
            status, raw = int(response.status), response.read()
    except urllib.error.HTTPError as err:
        status, raw = int(err.code), err.read() if err.fp is not None else b""
    except (urllib.error.URLError, OSError, TimeoutError) as err:
        reason = getattr(err, "reason", err)
        raise _UnreachableError(f"{type(reason).__name__}: {reason}") from None
    ms = (time.perf_counter() - started) * 1000
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    return _Reply(status, body, ms)


def _http_row(row: _Row, reply: _Reply, what: str) -> _Row:
    """Fill ``row`` from an HTTP answer: 2xx ok, 401/403 unauthorized, anything else error."""
    row.latency_ms = round(reply.ms, 1)
    if 200 <= reply.status < 300:
        row.status = "ok"
    elif reply.status in (401, 403):
        row.status = "unauthorized"
        row.last_error = f"HTTP {reply.status}: {what} refused the token"
    else:
        row.status = "error"
        message = reply.body.get("error") if isinstance(reply.body, dict) else None
        row.last_error = f"HTTP {reply.status}" + (f": {message}" if message else "")
    return row


def _hub_check(endpoint: str, token: str | None) -> Callable[[float], list[_Row]]:
    def run(deadline: float) -> list[_Row]:
        row = _Row("hub", endpoint)
        url = f"{endpoint}/api/whoami-v2" if token else f"{endpoint}/api/models?limit=1"
        try:
            reply = _get(url, token, deadline)
        except _UnreachableError as err:
            row.last_error = str(err)
            return [row]
        _http_row(row, reply, "the Hub")
        if row.status == "ok" and not isinstance(reply.body, (list, dict)):
            row.status, row.last_error = "error", "the answer was not JSON"
        return [row]

    return run


def _router_check(
    router: str, token: str | None, providers: Sequence[str] | None, models: Sequence[str] | None
) -> tuple[Callable[[float], list[_Row]], list[_Row]]:
    given = list(providers or [])
    placeholder = [_Row("router", router)] + [_Row("provider", p) for p in given]

    def run(deadline: float) -> list[_Row]:
        row = _Row("router", router)
        try:
            reply = _get(f"{router}/v1/models", token, deadline)
        except _UnreachableError as err:
            row.last_error = str(err)
            rows = [row] + [_Row("provider", p, last_error=f"the router: {err}") for p in given]
            return rows
        _http_row(row, reply, "the router")
        data = reply.body.get("data") if isinstance(reply.body, dict) else None
        if row.status == "ok" and not isinstance(data, list):
            row.status, row.last_error = "error", "the router's answer has no model list"
        if row.status != "ok":
            why = f"the router: {row.last_error}"
            return [row] + [
                _Row("provider", p, status=row.status, last_error=why, latency_ms=row.latency_ms)
                for p in given
            ]
        return [row, *_provider_rows(data or [], given, models, row.latency_ms)]

    return run, placeholder


def _provider_rows(
    data: list[Any], given: list[str], models: Sequence[str] | None, ms: float | None
) -> list[_Row]:
    """Each provider's row from the router's model list (of the models in view)."""
    wanted = set(models) if models else None
    states: dict[str, set[str]] = {}
    for model in data:
        if not isinstance(model, dict) or (wanted is not None and model.get("id") not in wanted):
            continue
        for p in model.get("providers") or []:
            if isinstance(p, dict) and p.get("provider"):
                states.setdefault(str(p["provider"]), set()).add(str(p.get("status") or "unknown"))
    names = given or sorted(states)
    rows = []
    for name in names:
        seen = states.get(name)
        row = _Row("provider", name, latency_ms=ms)
        if not seen:
            row.status = "error"
            row.last_error = "the router lists it serving none of the models in view"
        elif "live" in seen:
            row.status = "ok"
        else:
            row.status = "error"
            says = ", ".join(sorted(seen))
            row.last_error = f"not live for any model in view (the router says: {says})"
        rows.append(row)
    return rows


def _endpoints_check(
    endpoints_api: str, endpoint: str, token: str | None, namespace: str | None
) -> Callable[[float], list[_Row]]:
    def run(deadline: float) -> list[_Row]:
        row = _Row("endpoints", endpoints_api)
        if not token:
            row.status = "unauthorized"
            row.last_error = "no Hugging Face token: log in (hw.login()) to list your endpoints"
            return [row]
        try:
            space = namespace
            if space is None:  # whose endpoints: the token's user
                who = _get(f"{endpoint}/api/whoami-v2", token, deadline)
                _http_row(row, who, "the Hub")
                name = who.body.get("name") if isinstance(who.body, dict) else None
                if row.status != "ok" or not name:
                    if row.status == "ok":
                        row.status, row.last_error = "error", "the Hub did not say who you are"
                    return [row]
                space = str(name)
            reply = _get(f"{endpoints_api}/v2/endpoint/{quote(space, safe='')}", token, deadline)
        except _UnreachableError as err:
            row.last_error = str(err)
            return [row]
        _http_row(row, reply, "the Inference Endpoints API")
        items = reply.body.get("items") if isinstance(reply.body, dict) else None
        if row.status != "ok":
            return [row]
        if not isinstance(items, list):
            row.status, row.last_error = "error", "the answer has no endpoint list"
            return [row]
        return [row, *(_endpoint_row(item, space, reply.ms) for item in items)]

    return run


def _endpoint_row(item: Any, namespace: str, ms: float) -> _Row:
    name = str(item.get("name")) if isinstance(item, dict) else "?"
    status = item.get("status") if isinstance(item, dict) else None
    state = str(status.get("state")) if isinstance(status, dict) else "unknown"
    row = _Row("endpoint", f"{namespace}/{name}", latency_ms=round(ms, 1))
    if state in _SERVING:
        row.status = "ok"
    else:
        row.status = "error"
        message = status.get("message") if isinstance(status, dict) else None
        row.last_error = f"state: {state}" + (f" ({message})" if message else "")
    return row


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _token(token: str | bool | None) -> str | None:
    if token is False:
        return None
    if isinstance(token, str):
        return token or None
    from huggingface_hub import get_token  # noqa: PLC0415

    return get_token()


def _check_arguments(timeout: Any, providers: Any, models: Any) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number of seconds, not {type(timeout).__name__}")
    if not 0 < timeout <= 600:
        raise ValueError(f"timeout must be between 0 and 600 seconds, not {timeout}")
    for name, value in (("providers", providers), ("models", models)):
        if value is None:
            continue
        if isinstance(value, str) or not all(isinstance(v, str) and v for v in value):
            raise TypeError(f"{name} must be a list of names (strings), not {value!r}")
    return float(timeout)


def health(
    timeout: float = 3,
    *,
    endpoint: str | None = None,
    providers: Sequence[str] | None = None,
    models: Sequence[str] | None = None,
    router: str | None = None,
    endpoints_api: str | None = None,
    namespace: str | None = None,
    token: str | bool | None = None,
) -> pd.DataFrame:
    """Check the Hub, the inference providers and your Inference Endpoints, all at once.

    >>> hw.health()                               # doctest: +SKIP
        service   target                    status  latency_ms  last_error  checked_at
        hub       https://huggingface.co    ok      84.2        None        2026-...

    Args:
        timeout: seconds every check may take, all together (they run in parallel threads):
            what has not answered by then is ``unreachable``.
        endpoint: the Hub (default: ``$HF_ENDPOINT``, else https://huggingface.co).
        providers: inference providers to check (default: every provider the router lists
            for ``models``, or at all).
        models: the model ids in view: a provider is ``ok`` when it is live for one of them.
        router: the Inference Providers router (default: https://router.huggingface.co).
        endpoints_api: the Inference Endpoints API (default: its public address).
        namespace: whose endpoints (default: the token's user).
        token: a Hub token (default: the stored one, ``hf auth login`` / :func:`hw.login`);
            ``False``: none.

    Returns:
        One row per check: :data:`HEALTH_COLUMNS` (``status`` one of :data:`STATUSES`).
        With ``HF_HUB_OFFLINE=1`` nothing is contacted and every row is ``unreachable``.

    Raises:
        TypeError, ValueError: a bad ``timeout``, ``providers`` or ``models``.
    """
    seconds = _check_arguments(timeout, providers, models)
    from huggingface_hub import constants  # noqa: PLC0415

    hub = (endpoint or constants.ENDPOINT).rstrip("/")
    router_url = (router or ROUTER).rstrip("/")
    api = (endpoints_api or ENDPOINTS_API).rstrip("/")
    secret = _token(token)
    route, route_placeholder = _router_check(router_url, secret, providers, models)
    checks = [
        _Check(_hub_check(hub, secret), [_Row("hub", hub)]),
        _Check(route, route_placeholder),
        _Check(_endpoints_check(api, hub, secret, namespace), [_Row("endpoints", api)]),
    ]
    if _offline():
        rows = [r for c in checks for r in c.placeholder]
        for row in rows:
            row.last_error = "HF_HUB_OFFLINE is set: not contacted"
            row.checked_at = _now()
        return _frame(rows, seconds)
    deadline = time.monotonic() + seconds
    for check in checks:
        threading.Thread(
            target=_run, args=(check, deadline), name="hubwidgets-health", daemon=True
        ).start()
    for check in checks:
        check.done.wait(max(0.0, deadline - time.monotonic()))
    rows = []
    for check in checks:
        found = check.rows if check.done.is_set() and check.rows is not None else None
        if found is None:  # still waiting: the deadline passed
            found = check.placeholder
            for row in found:
                row.status, row.latency_ms = "unreachable", None
                row.last_error = f"no answer within {seconds:g} s"
        for row in found:
            row.checked_at = row.checked_at or _now()
        rows.extend(found)
    return _frame(rows, seconds)


def _run(check: _Check, deadline: float) -> None:
    try:
        check.rows = check.run(deadline)
    except Exception as err:  # a bug in a check is that check's error, not the others'
        rows = [
            _Row(r.service, r.target, "error", None, f"{type(err).__name__}: {err}")
            for r in check.placeholder
        ]
        check.rows = rows
    finally:
        check.done.set()


def _frame(rows: list[_Row], seconds: float) -> pd.DataFrame:
    df = pd.DataFrame(
        [[getattr(r, c) for c in HEALTH_COLUMNS] for r in rows], columns=list(HEALTH_COLUMNS)
    )
    df["latency_ms"] = df["latency_ms"].astype("float64")
    df.attrs["timeout_s"] = seconds
    return df
