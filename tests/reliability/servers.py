"""Purpose-built misbehaving HTTP servers on loopback, one behaviour each (issue 18).

``Misbehaving(behaviour)`` serves every request with ``behaviour(request) -> Reply``; it runs in
a thread on 127.0.0.1 (or another loopback address: 127.0.0.2 is another origin), records each
request (path with query, headers), and stops slow replies when closed, so a test never waits
for a server that sleeps 30 s.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Misbehaving", "Reply", "Request", "Timer", "models"]


@dataclass
class Request:
    path: str  # with the query string
    headers: dict[str, str]


@dataclass
class Reply:
    status: int = 200
    body: Any = field(default_factory=list)  # JSON-encoded unless bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    trickle: float = 0.0  # seconds between body bytes (0: all at once)


def models(*ids: str) -> list[dict[str, Any]]:
    """A page of minimal model records."""
    return [{"id": i, "downloads": 100 - n} for n, i in enumerate(ids)]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.do_GET()

    def do_GET(self) -> None:
        owner = self.server.owner
        request = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
        owner.requests.append(request)
        reply = owner.behaviour(request)
        if reply.delay and owner.closed.wait(reply.delay):
            return
        body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            if not reply.trickle:
                self.wfile.write(body)
                return
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                if owner.closed.wait(reply.trickle):
                    return
        except OSError:  # the client gave up: that is what these tests want
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: Misbehaving


class Misbehaving:
    """A server on ``host`` answering every GET with ``behaviour(request)``."""

    def __init__(self, behaviour: Callable[[Request], Reply], host: str = "127.0.0.1") -> None:
        self.behaviour = behaviour
        self.requests: list[Request] = []
        self.closed = threading.Event()
        self._server = _Server((host, 0), _Handler)
        self._server.owner = self
        self.host = host
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> Misbehaving:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closed.set()
        self._server.shutdown()
        self._server.server_close()


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds``."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start
