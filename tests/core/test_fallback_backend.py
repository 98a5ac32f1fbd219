"""FallbackBackend: a remote that fails for real (refused, 503, 429, timeout) hands over.

The remote is a real RemoteBackend pointed at 127.0.0.1 (a closed port, or a small server
answering an error or sleeping); the next backend is a stub returning a fixed result.
``only_local_http`` keeps huggingface_hub from reaching anything but 127.0.0.1.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from hubwidgets.core.inference.backends import (
    Attempt,
    Backend,
    BackendError,
    FallbackBackend,
    InferenceResult,
    LocalBackend,
    RemoteBackend,
    check_inputs,
)
from hubwidgets.testing.replay import only_local_http

MODEL = "acme/tiny-classifier"


class StubBackend:
    """Answers every call with a fixed label, or fails the way it is told to."""

    def __init__(
        self,
        name: str = "stub",
        *,
        fail: BackendError | None = None,
        pieces: tuple[str, ...] = ("Hello", ", ", "world"),
        fail_after_first: bool = False,
    ) -> None:
        self.name = name
        self.fail = fail
        self.pieces = pieces
        self.fail_after_first = fail_after_first
        self.calls = 0

    def run(self, task: str, model: str, inputs: Any, **params: Any) -> InferenceResult:
        self.calls += 1
        items = check_inputs(task, inputs, params=params)
        if self.fail is not None:
            raise self.fail
        return InferenceResult(
            task=task,
            model=model,
            outputs=[[{"label": "POSITIVE", "score": 1.0}] for _ in items],
            backend=self.name,
            provider="cpu",
            latency_ms=1.0,
        )

    def stream(self, task: str, model: str, inputs: Any, **params: Any) -> Iterator[str]:
        self.calls += 1
        check_inputs(task, inputs, params=params)
        if self.fail is not None and not self.fail_after_first:
            raise self.fail
        return self._pieces()

    def _pieces(self) -> Iterator[str]:
        for i, piece in enumerate(self.pieces):
            if i == 1 and self.fail is not None:
                raise self.fail
            yield piece


class _ErrorServer:
    """127.0.0.1 server answering every POST with ``status`` after ``delay`` seconds."""

    def __init__(self, status: int = 200, delay: float = 0.0) -> None:
        self.status, self.delay = status, delay
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                outer.hits += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(outer.delay)
                body = b'{"error": "recorded failure"}'
                try:
                    self.send_response(outer.status)
                    if outer.status == 429:
                        self.send_header("Retry-After", "1")
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/models/{MODEL}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> _ErrorServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(autouse=True)
def _local_http_only() -> Iterator[None]:
    with only_local_http():
        yield


@pytest.fixture
def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/models/{MODEL}"  # nothing listens there any more


def _remote(url: str, timeout: float = 5.0) -> RemoteBackend:
    return RemoteBackend(base_url=url, token="hf_not_a_real_token", timeout=timeout)


def test_connection_refused_falls_back(closed_port_url: str) -> None:
    stub = StubBackend()
    result = FallbackBackend([_remote(closed_port_url), stub]).run(
        "text-classification", MODEL, "I like you"
    )
    assert result.backend == "stub" and result.fell_back
    assert result.outputs == [[{"label": "POSITIVE", "score": 1.0}]]
    [attempt] = result.attempts
    assert (attempt.backend, attempt.reason, attempt.status) == ("remote", "connection", None)
    assert "could not connect" in attempt.message


@pytest.mark.parametrize(("status", "words"), [(503, "down"), (429, "rate limited"), (500, "down")])
def test_http_errors_fall_back_with_their_status(status: int, words: str) -> None:
    with _ErrorServer(status) as server:
        result = FallbackBackend([_remote(server.url), StubBackend()]).run(
            "text-classification", MODEL, "I like you"
        )
    assert server.hits == 1  # no retry of our own: the fallback is the retry
    [attempt] = result.attempts
    assert (attempt.reason, attempt.status) == ("http", status)
    assert words in attempt.message and "recorded failure" in attempt.message
    assert result.backend == "stub"


def test_timeout_falls_back() -> None:
    with _ErrorServer(200, delay=1.5) as server:
        start = time.perf_counter()
        result = FallbackBackend([_remote(server.url, timeout=0.5), StubBackend()]).run(
            "text-classification", MODEL, "I like you"
        )
        waited = time.perf_counter() - start
    [attempt] = result.attempts
    assert attempt.reason == "timeout" and attempt.status is None
    assert waited < 1.4


def test_all_failing_lists_every_failure(closed_port_url: str) -> None:
    with _ErrorServer(503) as server:
        backends: list[Backend] = [
            _remote(closed_port_url),
            _remote(server.url),
            StubBackend(
                "local", fail=BackendError("out of memory", backend="local", reason="load")
            ),
        ]
        with pytest.raises(BackendError) as info:
            FallbackBackend(backends).run("text-classification", MODEL, "I like you")
    error = info.value
    assert (error.backend, error.reason) == ("fallback", "all failed")
    message = str(error)
    assert "remote (connection)" in message
    assert "remote (http, HTTP 503)" in message
    assert "local (load): out of memory" in message


def test_attempts_keep_their_order(closed_port_url: str) -> None:
    refused = BackendError("busy", backend="first", reason="http", status=429)
    result = FallbackBackend(
        [StubBackend("first", fail=refused), _remote(closed_port_url), StubBackend("third")]
    ).run("text-classification", MODEL, ["a", "b"])
    assert [(a.backend, a.reason) for a in result.attempts] == [
        ("first", "http"),
        ("remote", "connection"),
    ]
    assert result.attempts[0] == Attempt("first", "http", "busy", 429)
    assert len(result.outputs) == 2


def test_bad_input_is_raised_not_swallowed(closed_port_url: str) -> None:
    stub = StubBackend()
    fallback = FallbackBackend([_remote(closed_port_url), stub])
    with pytest.raises(ValueError, match="input 1"):
        fallback.run("text-classification", MODEL, ["fine", ""])
    with pytest.raises(ValueError, match="unknown task"):
        fallback.run("text-classifcation", MODEL, "fine")
    with pytest.raises(TypeError):
        fallback.run("text-classification", MODEL, "fine", no_such_parameter=1)
    assert stub.calls == 0


def test_stream_falls_back_before_the_first_piece(closed_port_url: str) -> None:
    pieces = FallbackBackend([_remote(closed_port_url), StubBackend()]).stream(
        "chat-completion", MODEL, "Say hello"
    )
    assert list(pieces) == ["Hello", ", ", "world"]


def test_stream_http_error_falls_back() -> None:
    with _ErrorServer(503) as server:
        pieces = list(
            FallbackBackend([_remote(server.url), StubBackend()]).stream(
                "text-generation", MODEL, "Once upon"
            )
        )
    assert pieces == ["Hello", ", ", "world"]


def test_stream_does_not_fall_back_after_the_first_piece() -> None:
    broken = BackendError("connection lost", backend="flaky", reason="connection")
    second = StubBackend("second")
    pieces = FallbackBackend(
        [StubBackend("flaky", fail=broken, fail_after_first=True), second]
    ).stream("chat-completion", MODEL, "Say hello")
    assert next(pieces) == "Hello"
    with pytest.raises(BackendError, match="connection lost"):
        next(pieces)
    assert second.calls == 0


def test_stream_all_failing(closed_port_url: str) -> None:
    with pytest.raises(BackendError, match=r"every backend failed") as info:
        FallbackBackend([_remote(closed_port_url)]).stream("chat-completion", MODEL, "hi")
    assert info.value.reason == "all failed"


def test_needs_backends() -> None:
    with pytest.raises(ValueError, match="at least one"):
        FallbackBackend([])
    with pytest.raises(TypeError, match="not a backend"):
        FallbackBackend(["remote"])  # type: ignore[list-item]
    assert FallbackBackend([StubBackend()]).name == "fallback"


def test_a_503_falls_back_to_a_real_local_model(tiny_models: dict[str, str]) -> None:
    model = tiny_models["text-classification"]  # a random-weight BERT folder
    with _ErrorServer(503) as server:
        chain = FallbackBackend([_remote(server.url), LocalBackend(device="cpu")])
        result = chain.run("text-classification", model, ["I like you", "I do not"])
    assert result.backend == "local" and result.provider == "cpu"
    assert [{o["label"] for o in out} for out in result.outputs] == [{"negative", "positive"}] * 2
    [attempt] = result.attempts
    assert (attempt.backend, attempt.reason, attempt.status) == ("remote", "http", 503)
    assert server.hits == 1
