"""A local fake of the Inference Endpoints API (``/v2/endpoint/...``, ``/v2/provider/...``).

:class:`~hubwidgets.testing.hub_server.HubServer` answers these paths through the
:class:`FakeEndpointsAPI` it holds (``server.endpoints_api``), so the real
``huggingface_hub.HfApi`` endpoint methods run over real HTTP against it: point
``huggingface_hub.constants.INFERENCE_ENDPOINTS_ENDPOINT`` at ``f"{server.endpoint}/v2"`` (what
:mod:`hubwidgets.core.cost.endpoints` does for ``endpoint=``).

Every JSON shape is built from the recorded ones in ``endpoints/api-fixtures.json`` of the
shared data folder (``MOCK_INITIALIZING``, ``MOCK_RUNNING``, ``MOCK_FAILED``, ``MOCK_UPDATE``,
``MOCK_PROVIDERS``): an endpoint is a deep copy of a recorded one with its name, model,
compute and status replaced; the hardware catalog is ``MOCK_PROVIDERS`` with the quota in use
counted from the endpoints that run.

Routes (``{ns}`` is the namespace, any name is accepted; tokens are not checked)::

    GET    /v2/endpoint/{ns}                    {"items": [endpoint, ...]}
    POST   /v2/endpoint/{ns}                    create -> the endpoint, state "pending"
    GET    /v2/endpoint/{ns}/{name}             the endpoint
    PUT    /v2/endpoint/{ns}/{name}             update -> state "updating", then "running"
    DELETE /v2/endpoint/{ns}/{name}             {}
    POST   /v2/endpoint/{ns}/{name}/pause       state "paused"
    POST   /v2/endpoint/{ns}/{name}/resume      state "pending" (400 "already running")
    POST   /v2/endpoint/{ns}/{name}/scale-to-zero   state "scaledToZero"
    GET    /v2/provider/{ns}                    the hardware catalog with quotas

State changes take time: a created or resumed endpoint is ``pending`` for
:attr:`FakeEndpointsAPI.step_s` seconds, then ``initializing`` as long, then ``running`` (or
``failed`` with the recorded message when its model is in :attr:`FakeEndpointsAPI.fail_models`);
an update is ``updating`` for one step. States are computed when read, so no thread runs.

What the real API does that this fake does not: authentication, organisations and billing
checks, the endpoint's own URL answering requests (its ``/health``), logs and metrics, and the
exact wording of errors the recordings do not hold (the quota error's text follows the API's
``{"error": ...}`` shape; its words are ours).
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["FIXTURES_NAME", "FakeEndpointsAPI", "load_fixtures"]

#: The recorded shapes, under the shared data folder.
FIXTURES_NAME = "endpoints/api-fixtures.json"

_ENDPOINT_RE = re.compile(
    r"^/v2/endpoint/(?P<ns>[^/]+)(?:/(?P<name>[^/]+)(?:/(?P<action>pause|resume|scale-to-zero))?)?/?$"
)
_PROVIDER_RE = re.compile(r"^/v2/provider/(?P<ns>[^/]+)/?$")
_NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")

#: The message of each state (the recorded ones where the recordings have it).
_MESSAGES = {
    "pending": "Endpoint waiting to be scheduled",  # MOCK_INITIALIZING
    "initializing": "Endpoint is initializing",
    "running": "Endpoint is ready",  # MOCK_RUNNING
    "failed": "Endpoint failed to deploy",  # MOCK_FAILED
    "updating": "Endpoint waiting for the update",  # MOCK_UPDATE
    "paused": "Endpoint is paused",
    "scaledToZero": "Endpoint is scaled to zero",
}


def load_fixtures(path: str | Path | None = None) -> dict[str, Any]:
    """The recorded API shapes (``api-fixtures.json``); FileNotFoundError when absent."""
    if path is None:
        from .hub_server import shared_data_dir  # noqa: PLC0415 - the two modules import each other

        root = shared_data_dir()
        if root is None:
            raise FileNotFoundError(
                f"no shared data folder holding {FIXTURES_NAME} (set HUBWIDGETS_SHARED_DATA)"
            )
        path = root / FIXTURES_NAME
    with Path(path).open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


class _FakeError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class FakeEndpointsAPI:
    """The endpoints of every namespace, their state changes, and the hardware catalog.

    Attributes a test may set:
        step_s: how long each intermediate state lasts (seconds; 0: at once).
        fail_models: model repositories whose deploys fail (state ``failed`` after the steps).
    """

    def __init__(self, fixtures: Mapping[str, Any] | str | Path | None = None) -> None:
        self._given = fixtures
        self._fixtures: dict[str, Any] | None = None
        self._lock = threading.Lock()
        # (namespace, name) -> {"raw": endpoint JSON, "plan": [(monotonic time, state)]}
        self._endpoints: dict[tuple[str, str], dict[str, Any]] = {}
        self.step_s: float = 0.0
        self.fail_models: set[str] = set()

    # -- set-up ----------------------------------------------------------------------------------
    @property
    def fixtures(self) -> dict[str, Any]:
        """The recorded shapes (loaded on first use)."""
        if self._fixtures is None:
            given = self._given
            if isinstance(given, Mapping):
                self._fixtures = copy.deepcopy(dict(given))
            else:
                self._fixtures = load_fixtures(given)
        return self._fixtures

    def add(self, namespace: str, recorded: str = "MOCK_RUNNING", **changes: Any) -> dict[str, Any]:
        """Put a recorded endpoint (``MOCK_RUNNING``, ``MOCK_FAILED``...) in ``namespace`` as is,
        ``name=`` renaming it; returns its JSON."""
        raw = copy.deepcopy(self.fixtures[recorded])
        if "name" in changes:
            raw["name"] = changes.pop("name")
        if changes:
            raise TypeError(f"add() takes name= only, not {sorted(changes)}")
        with self._lock:
            self._endpoints[(namespace, raw["name"])] = {"raw": raw, "plan": []}
        return copy.deepcopy(raw)

    def clear(self) -> None:
        """Forget every endpoint."""
        with self._lock:
            self._endpoints.clear()

    def state(self, namespace: str, name: str) -> str:
        """An endpoint's state now (KeyError when there is none)."""
        with self._lock:
            entry = self._endpoints[(namespace, name)]
            self._advance(entry)
            return str(entry["raw"]["status"]["state"])

    # -- HTTP ------------------------------------------------------------------------------------
    def handles(self, path: str) -> bool:
        return path.startswith("/v2/")

    def respond(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        """Answer one request: (status, JSON body)."""
        try:
            out = self._route(method, path, body)
            return 200, json.dumps(out).encode()
        except _FakeError as err:
            return err.status, json.dumps({"error": err.message}).encode()
        except FileNotFoundError as err:
            return 503, json.dumps(
                {"error": f"fake endpoints API without fixtures: {err}"}
            ).encode()

    def _route(self, method: str, path: str, body: bytes) -> Any:
        match = _PROVIDER_RE.match(path)
        if match:
            if method != "GET":
                raise _FakeError(405, f"Method {method} not allowed")
            return self._providers()
        match = _ENDPOINT_RE.match(path)
        if not match:
            raise _FakeError(404, "Not Found")
        ns, name, action = match["ns"], match["name"], match["action"]
        with self._lock:
            if name is None:
                if method == "GET":
                    items = [e for (n, _), e in self._endpoints.items() if n == ns]
                    for entry in items:
                        self._advance(entry)
                    return {"items": [copy.deepcopy(e["raw"]) for e in items]}
                if method == "POST":
                    return self._create(ns, _json(body))
                raise _FakeError(405, f"Method {method} not allowed")
            return self._route_one(method, ns, name, action, body)

    def _route_one(self, method: str, ns: str, name: str, action: str | None, body: bytes) -> Any:
        entry = self._endpoints.get((ns, name))
        if entry is None:
            raise _FakeError(404, f"Endpoint {name} not found in {ns}")
        self._advance(entry)
        if action is not None:
            if method != "POST":
                raise _FakeError(405, f"Method {method} not allowed")
            return self._act(entry, action)
        if method == "GET":
            return copy.deepcopy(entry["raw"])
        if method == "PUT":
            return self._update(entry, _json(body))
        if method == "DELETE":
            del self._endpoints[(ns, name)]
            return {}
        raise _FakeError(405, f"Method {method} not allowed")

    # -- the hardware catalog --------------------------------------------------------------------
    def _computes(self) -> list[tuple[str, str, dict[str, Any]]]:
        providers = self.fixtures["MOCK_PROVIDERS"]
        return [
            (vendor["name"], region["name"], compute)
            for vendor in providers["vendors"]
            for region in vendor["regions"]
            for compute in region["computes"]
        ]

    def _in_use(self, compute_id: str) -> int:
        """Accelerators the fake's active endpoints hold on a compute."""
        used = 0
        for entry in self._endpoints.values():
            raw = entry["raw"]
            if raw["status"]["state"] in ("paused", "scaledToZero", "failed"):
                continue
            if _compute_id(raw) == compute_id:
                scaling = raw["compute"].get("scaling") or {}
                used += int(raw["compute"].get("numAccelerators") or 1) * max(
                    1, int(scaling.get("minReplica") or 0)
                )
        return used

    def _providers(self) -> dict[str, Any]:
        with self._lock:
            for entry in self._endpoints.values():
                self._advance(entry)
            out: dict[str, Any] = copy.deepcopy(self.fixtures["MOCK_PROVIDERS"])
            for vendor in out["vendors"]:
                for region in vendor["regions"]:
                    for compute in region["computes"]:
                        compute["quota"]["usedAccelerators"] += self._in_use(compute["id"])
        return out

    # -- actions ---------------------------------------------------------------------------------
    def _create(self, ns: str, payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise _FakeError(400, "Invalid body: expected a JSON object")
        try:
            name = str(payload["name"])
            model = payload["model"]
            compute = payload["compute"]
            provider = payload["provider"]
        except (KeyError, TypeError) as err:
            raise _FakeError(422, f"Invalid body: missing field {err}") from None
        if not _NAME_RE.match(name):
            raise _FakeError(
                400,
                f"Invalid endpoint name {name!r}: lowercase letters, digits and dashes, "
                "at most 32 characters, starting and ending with a letter or digit",
            )
        if (ns, name) in self._endpoints:
            raise _FakeError(409, f"Endpoint {name} already exists in {ns}")
        hardware = self._find_compute(provider, compute)
        scaling = dict(compute.get("scaling") or {})
        need = int(hardware["numAccelerators"]) * max(1, int(scaling.get("minReplica") or 0))
        quota = hardware["quota"]
        used = int(quota["usedAccelerators"]) + self._in_use(str(hardware["id"]))
        if used + need > int(quota["maxAccelerators"]):
            raise _FakeError(
                400,
                f"Quota exceeded for {hardware['id']}: {need} accelerator(s) requested, "
                f"{int(quota['maxAccelerators']) - used} of {quota['maxAccelerators']} available "
                "in this namespace. Request a quota increase or choose another instance.",
            )
        raw = copy.deepcopy(self.fixtures["MOCK_INITIALIZING"])
        raw["name"] = name
        raw["type"] = str(payload.get("type") or raw["type"])
        raw["provider"] = {"vendor": provider.get("vendor"), "region": provider.get("region")}
        raw["compute"] = {
            "id": hardware["id"],
            "accelerator": compute.get("accelerator"),
            "instanceType": compute.get("instanceType"),
            "instanceSize": compute.get("instanceSize"),
            "numAccelerators": hardware["numAccelerators"],
            "scaling": {
                "minReplica": int(scaling.get("minReplica") or 0),
                "maxReplica": int(scaling.get("maxReplica") or 1),
                "scaleToZeroTimeout": scaling.get("scaleToZeroTimeout"),
            },
        }
        recorded_model = raw["model"]
        recorded_model.pop("secret", None)  # a new endpoint has only the secrets it was given
        raw["model"] = {
            **recorded_model,
            "repository": model.get("repository"),
            "revision": model.get("revision"),
            "framework": model.get("framework"),
            "task": model.get("task"),
            "image": model.get("image") or {"huggingface": {}},
        }
        now = _now()
        raw["status"].update(createdAt=now, updatedAt=now)
        raw["status"].pop("url", None)
        entry = {"raw": raw, "plan": []}
        self._plan_deploy(entry)
        self._endpoints[(ns, name)] = entry
        return copy.deepcopy(raw)

    def _find_compute(self, provider: Mapping[str, Any], compute: Mapping[str, Any]) -> Any:
        wanted = (
            provider.get("vendor"),
            provider.get("region"),
            compute.get("instanceType"),
            compute.get("instanceSize"),
        )
        valid = []
        for vendor, region, hw in self._computes():
            key = (vendor, region, hw["instanceType"], hw["instanceSize"])
            if key == wanted and hw.get("accelerator") == compute.get("accelerator"):
                return hw
            valid.append(hw["id"])
        raise _FakeError(
            400,
            "No compute matches vendor={}, region={}, instanceType={}, instanceSize={}; "
            "available: {}".format(*wanted, ", ".join(valid)),
        )

    def _act(self, entry: dict[str, Any], action: str) -> dict[str, Any]:
        status = entry["raw"]["status"]
        if action == "pause":
            entry["plan"] = []
            self._set(entry, "paused", ready=0, target=0, url=None)
        elif action == "scale-to-zero":
            entry["plan"] = []
            self._set(entry, "scaledToZero", ready=0, target=0)
        else:  # resume
            if status["state"] == "running":
                raise _FakeError(400, f"Endpoint {entry['raw']['name']} is already running")
            self._set(entry, "pending", ready=0, target=1, url=None)
            self._plan_deploy(entry)
        return copy.deepcopy(entry["raw"])

    def _update(self, entry: dict[str, Any], payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise _FakeError(400, "Invalid body: expected a JSON object")
        raw = entry["raw"]
        for part in ("compute", "model"):
            given = payload.get(part) or {}
            if part == "compute" and "scaling" in given:
                raw["compute"].setdefault("scaling", {}).update(given["scaling"])
                given = {k: v for k, v in given.items() if k != "scaling"}
            raw[part].update(given)
        self._set(entry, "updating", ready=0, target=1)
        entry["plan"] = [(time.monotonic() + self.step_s, "running")]
        return copy.deepcopy(raw)

    # -- states ----------------------------------------------------------------------------------
    def _plan_deploy(self, entry: dict[str, Any]) -> None:
        start = time.monotonic()
        final = (
            "failed" if entry["raw"]["model"].get("repository") in self.fail_models else "running"
        )
        entry["plan"] = [(start + self.step_s, "initializing"), (start + 2 * self.step_s, final)]

    def _advance(self, entry: dict[str, Any]) -> None:
        now = time.monotonic()
        while entry["plan"] and entry["plan"][0][0] <= now:
            _, state = entry["plan"].pop(0)
            if state == "running":
                host = f"{entry['raw']['name']}.{entry['raw']['provider'].get('region')}"
                url = f"https://{host}.{entry['raw']['provider'].get('vendor')}.endpoints.example"
                self._set(entry, "running", ready=1, target=1, url=url)
            elif state == "failed":
                self._set(entry, "failed", ready=0, target=1, url=None)
            else:
                self._set(entry, state)

    def _set(
        self,
        entry: dict[str, Any],
        state: str,
        *,
        ready: int | None = None,
        target: int | None = None,
        **url: Any,
    ) -> None:
        status = entry["raw"]["status"]
        status["state"] = state
        status["message"] = _MESSAGES.get(state, state)
        status["updatedAt"] = _now()
        if ready is not None:
            status["readyReplica"] = ready
        if target is not None:
            status["targetReplica"] = target
        if "url" in url:
            if url["url"] is None:
                status.pop("url", None)
            else:
                status["url"] = url["url"]


def _compute_id(raw: Mapping[str, Any]) -> str:
    compute = raw.get("compute") or {}
    if compute.get("id"):
        return str(compute["id"])
    provider = raw.get("provider") or {}
    return "-".join(
        str(x)
        for x in (
            provider.get("vendor"),
            provider.get("region"),
            compute.get("instanceType"),
            compute.get("instanceSize"),
        )
    )


def _json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        raise _FakeError(400, "Invalid body: not JSON") from None
