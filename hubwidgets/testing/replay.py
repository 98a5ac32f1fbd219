"""Replay a recorded vcrpy cassette through the real ``huggingface_hub`` HTTP stack.

The machines that test hubwidgets cannot reach the Hub or any inference provider, yet
:class:`~hubwidgets.core.inference.backends.RemoteBackend` should be tested through the real
``InferenceClient``: its provider routing, request building, SSE parsing and error mapping. So
:class:`CassetteReplay` is an ``httpx2`` transport that answers from one cassette of
``huggingface_hub``'s own test-suite (see ``/work/shared/data/README.md``). Installed with
``huggingface_hub.utils.set_client_factory`` it sits under every request the library makes, so
nothing leaves the process: no socket is opened, not even to 127.0.0.1.

Matching: a request is answered by the recorded exchange with the same method, host, path and
query. When several match (polling, retries), they are served in recorded order, preferring the
one whose JSON body equals the request's; the last is served again once all are used. Requests
are logged in :attr:`CassetteReplay.requests` so tests can assert what was sent.

Where today's client differs from the one that recorded (huggingface_hub 0.29-0.30, 2025-04):

* ``hf-inference`` feature-extraction and sentence-similarity moved from
  ``/hf-inference/pipeline/{task}/{model}`` to ``/hf-inference/models/{model}/pipeline/{task}``;
  both spellings match the same recording.
* ``provider="auto"`` asks the Hub for ``?expand=inferenceProviderMapping``. Cassettes recorded
  with ``provider="hf-inference"`` hold only the plain model info; for them the replay answers
  the mapping with a single live ``hf-inference`` entry built from the recorded
  ``pipeline_tag`` and notes the URL in :attr:`CassetteReplay.synthesized` (turn off with
  ``synthesize_provider_mapping=False``).

A request with no recording raises :class:`ReplayMissError` (a ``LookupError``, which no backend
mistakes for a provider failure).
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx2
import yaml

__all__ = [
    "CassetteReplay",
    "Exchange",
    "ReplayMissError",
    "ReplayedRequest",
    "load_cassette",
    "only_local_http",
]

#: Response headers not replayed: the body is stored decoded and whole, httpx2 recomputes them.
_DROPPED_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})

_HF_PIPELINE_NEW = re.compile(r"^/hf-inference/models/(?P<model>.+)/pipeline/(?P<task>[^/]+)$")


class ReplayMissError(LookupError):
    """The cassette holds no response for a request."""


@dataclass(frozen=True)
class Exchange:
    """One recorded request and its response."""

    method: str
    url: str
    body: bytes | None
    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes

    @property
    def json_body(self) -> Any:
        """The request body parsed as JSON, or ``None`` when it is not JSON."""
        return _parse_json(self.body)


@dataclass(frozen=True)
class ReplayedRequest:
    """One request the replay received (``body`` as sent, headers lower-cased)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    status: int | None = None

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or ``None``."""
        return _parse_json(self.body)


def _parse_json(body: bytes | None) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def _as_bytes(value: Any) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")


def load_cassette(path: str | Path) -> list[Exchange]:
    """The exchanges of a vcrpy cassette (YAML; binary bodies as ``!!binary``)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 30x faster on big bodies
    with Path(path).open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=loader)  # noqa: S506 -- a safe loader
    out: list[Exchange] = []
    for item in data.get("interactions", []):
        request, response = item["request"], item["response"]
        headers = tuple(
            (str(name), str(value))
            for name, values in (response.get("headers") or {}).items()
            if str(name).lower() not in _DROPPED_HEADERS
            for value in (values if isinstance(values, list) else [values])
        )
        out.append(
            Exchange(
                method=str(request["method"]).upper(),
                url=str(request["uri"]),
                body=_as_bytes(request.get("body")),
                status=int(response["status"]["code"]),
                headers=headers,
                content=_as_bytes((response.get("body") or {}).get("string")) or b"",
            )
        )
    return out


def _key(method: str, url: str) -> tuple[str, str, str, tuple[tuple[str, str], ...]]:
    parts = urlsplit(url)
    path = parts.path
    match = _HF_PIPELINE_NEW.match(path)
    if parts.hostname == "router.huggingface.co" and match:
        path = f"/hf-inference/pipeline/{match['task']}/{match['model']}"
    query = tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return method.upper(), (parts.hostname or "").lower(), path, query


class _ChunkStream(httpx2.SyncByteStream):
    """A body sent in pieces, so streamed (SSE) replies reach the client event by event."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks


def _chunks(content: bytes, headers: tuple[tuple[str, str], ...]) -> list[bytes]:
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    if "text/event-stream" not in content_type:
        return [content]
    pieces = re.split(rb"(?<=\n\n)", content)
    return [piece for piece in pieces if piece]


@dataclass
class _Slot:
    exchanges: list[Exchange]
    used: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.used = [False] * len(self.exchanges)

    def take(self, body: Any) -> Exchange:
        free = [i for i, used in enumerate(self.used) if not used]
        if not free:
            return self.exchanges[-1]
        pick = next((i for i in free if self.exchanges[i].json_body == body), free[0])
        self.used[pick] = True
        return self.exchanges[pick]


class _Transport(httpx2.BaseTransport):
    def __init__(self, replay: CassetteReplay) -> None:
        self._replay = replay

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        return self._replay.answer(request)


class CassetteReplay:
    """Answers ``huggingface_hub``'s requests from one cassette, through an ``httpx2`` transport.

    ``with CassetteReplay(path) as replay:`` makes every ``huggingface_hub`` request of the block
    go through this transport (``set_client_factory``); leaving the block restores the previous
    factory. The library's per-model caches (provider mappings, supported tasks, non-TGI
    parameters) are cleared on entry and exit, so no answer leaks from one replay to the next.
    """

    def __init__(
        self, cassette: str | Path | list[Exchange], *, synthesize_provider_mapping: bool = True
    ) -> None:
        exchanges = cassette if isinstance(cassette, list) else load_cassette(cassette)
        self.name = "cassette" if isinstance(cassette, list) else Path(cassette).name
        self.exchanges: list[Exchange] = list(exchanges)
        self._slots: dict[tuple[str, str, str, tuple[tuple[str, str], ...]], _Slot] = {}
        grouped: dict[tuple[str, str, str, tuple[tuple[str, str], ...]], list[Exchange]] = {}
        for exchange in self.exchanges:
            grouped.setdefault(_key(exchange.method, exchange.url), []).append(exchange)
        self._slots = {key: _Slot(items) for key, items in grouped.items()}
        self._synthesize = synthesize_provider_mapping
        self._lock = threading.Lock()
        self.requests: list[ReplayedRequest] = []
        #: URLs answered with a made-up provider mapping (see the module docstring)
        self.synthesized: list[str] = []
        self._previous_factory: Any = None

    # -- the transport -------------------------------------------------------------------------

    def answer(self, request: httpx2.Request) -> httpx2.Response:
        """The recorded response to ``request`` (logged in :attr:`requests`)."""
        body = request.read()
        url = str(request.url)
        key = _key(request.method, url)
        with self._lock:
            slot = self._slots.get(key)
            if slot is not None:
                exchange = slot.take(_parse_json(body))
                status, headers, chunks = (
                    exchange.status,
                    list(exchange.headers),
                    _chunks(exchange.content, exchange.headers),
                )
            else:
                mapping = self._provider_mapping(key) if self._synthesize else None
                if mapping is None:
                    self._log(request, body, None)
                    known = "\n  ".join(f"{e.method} {e.url}" for e in self.exchanges)
                    raise ReplayMissError(
                        f"{self.name}: no recorded response for {request.method} {url}; "
                        f"recorded:\n  {known}"
                    )
                self.synthesized.append(url)
                status, headers = 200, [("Content-Type", "application/json")]
                chunks = [json.dumps(mapping).encode("utf-8")]
            self._log(request, body, status)
        return httpx2.Response(
            status, headers=headers, stream=_ChunkStream(chunks), request=request
        )

    def _log(self, request: httpx2.Request, body: bytes, status: int | None) -> None:
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.requests.append(
            ReplayedRequest(request.method, str(request.url), headers, body, status)
        )

    def _provider_mapping(
        self, key: tuple[str, str, str, tuple[tuple[str, str], ...]]
    ) -> dict[str, Any] | None:
        method, host, path, query = key
        if method != "GET" or not path.startswith("/api/models/"):
            return None
        if dict(query).get("expand") != "inferenceProviderMapping":
            return None
        plain = self._slots.get((method, host, path, ()))
        if plain is None:
            return None
        info = _parse_json(plain.exchanges[-1].content)
        if not isinstance(info, Mapping) or not info.get("pipeline_tag"):
            return None
        model_id = str(info.get("id", path.removeprefix("/api/models/")))
        task = str(info["pipeline_tag"])
        entry = {"status": "live", "providerId": model_id, "task": task}
        return {
            "_id": info.get("_id"),
            "id": model_id,
            "inferenceProviderMapping": {"hf-inference": entry},
        }

    # -- what was asked --------------------------------------------------------------------------

    def recorded(self, method: str, url_part: str) -> list[Exchange]:
        """The recorded exchanges whose method is ``method`` and URL contains ``url_part``."""
        return [e for e in self.exchanges if e.method == method.upper() and url_part in e.url]

    def sent(self, method: str = "POST") -> list[ReplayedRequest]:
        """The requests received with ``method`` (default: the inference calls)."""
        return [r for r in self.requests if r.method == method.upper()]

    # -- installing it ---------------------------------------------------------------------------

    def client(self) -> httpx2.Client:
        """An ``httpx2.Client`` like ``huggingface_hub``'s default one, over this transport."""
        from huggingface_hub.utils._http import hf_request_event_hook  # noqa: PLC0415

        return httpx2.Client(
            transport=_Transport(self),
            event_hooks={"request": [hf_request_event_hook]},
            follow_redirects=True,
            timeout=None,
        )

    def __enter__(self) -> CassetteReplay:
        from huggingface_hub.utils import _http  # noqa: PLC0415

        _clear_hub_caches()
        self._previous_factory = _http._GLOBAL_CLIENT_FACTORY
        _http.set_client_factory(self.client)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        from huggingface_hub.utils import _http  # noqa: PLC0415

        _http.set_client_factory(self._previous_factory or _http.default_client_factory)
        self._previous_factory = None
        _clear_hub_caches()


def _clear_hub_caches() -> None:
    """Forget what ``huggingface_hub`` cached about models from earlier (replayed) answers."""
    from huggingface_hub.inference import _common  # noqa: PLC0415
    from huggingface_hub.inference._providers import _common as providers_common  # noqa: PLC0415
    from huggingface_hub.inference._providers import hf_inference  # noqa: PLC0415

    providers_common._fetch_inference_provider_mapping.cache_clear()
    hf_inference._check_supported_task.cache_clear()
    hf_inference._fetch_recommended_models.cache_clear()
    _common._UNSUPPORTED_TEXT_GENERATION_KWARGS.clear()


class _LocalOnly(httpx2.BaseTransport):
    def __init__(self) -> None:
        self._inner = httpx2.HTTPTransport(trust_env=False)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.host not in ("127.0.0.1", "localhost", "::1"):
            raise httpx2.ConnectError(
                f"only_local_http: refused {request.method} {request.url}", request=request
            )
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


@contextlib.contextmanager
def only_local_http() -> Iterator[None]:
    """``huggingface_hub`` may reach 127.0.0.1 only (real HTTP); anything else is refused.

    For tests that run a local server: the client's own background requests (its agent-harness
    registry, a stray Hub lookup) fail at once with ``ConnectError`` instead of going out.
    """
    from huggingface_hub.utils import _http  # noqa: PLC0415

    def factory() -> httpx2.Client:
        return httpx2.Client(
            transport=_LocalOnly(),
            event_hooks={"request": [_http.hf_request_event_hook]},
            follow_redirects=True,
            timeout=None,
            trust_env=False,
        )

    previous = _http._GLOBAL_CLIENT_FACTORY
    _http.set_client_factory(factory)
    try:
        yield
    finally:
        _http.set_client_factory(previous)
