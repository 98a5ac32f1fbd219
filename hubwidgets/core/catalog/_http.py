"""GET requests and page walks with an end: what the live catalog, snapshot pulls and
``open_catalog``'s probe share.

Why not ``http_backoff`` alone: its timeout is per read (a server sending one byte a second never
trips it), it sleeps whatever ``Retry-After`` says (an hour, per retry), and a page walk that
follows ``Link: rel="next"`` trusts the server to end it. Here every call has:

- a **deadline** for the whole call, retries and waits included (:class:`Deadline`); the body is
  read chunk by chunk and the clock checked between chunks;
- a **retry wait limit**: a ``Retry-After`` longer than ``max_retry_wait`` gives up at once
  with the server's message instead of sleeping;
- the same retry schedule as ``http_backoff`` otherwise (``Retry-After`` + 1 s after a 429;
  1, 2, 4, 8, 8 s after 5xx and network errors; 5 retries), through huggingface_hub's session
  (proxies, user agent, offline mode) and its clock, so its test clock records our waits too;
- **credentials kept on their origin**: a next-page link to another scheme/host/port is
  followed without ``Authorization`` (as browsers and huggingface_hub do on redirects);
- **loop detection** in page walks (:class:`PageWalk`): a link back to a page already read, a
  run of pages bringing nothing new, or more pages than a call may read, each ends the walk with
  "the server's pagination loops" in one line;
- server text **redacted** (:mod:`hubwidgets.core._redact`) before it goes into any message.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx2
import huggingface_hub.utils._http as _hf_http
from huggingface_hub.errors import OfflineModeIsEnabled
from huggingface_hub.utils import get_session

from .._redact import clean

__all__ = [
    "MAX_BODY_BYTES",
    "Deadline",
    "FetchError",
    "PageWalk",
    "PaginationError",
    "get",
    "get_json",
    "headers_for",
    "model_page",
    "next_link",
    "origin",
]

#: The most bytes one answer may have (a page of 1000 expanded models is a few MB).
MAX_BODY_BYTES = 256 * 2**20
RETRY_STATUSES = (408, 429, 500, 502, 503, 504)
_RETRY_ERRORS = (httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError)


class Deadline:
    """The moment a whole call must be over (None: no deadline)."""

    def __init__(self, seconds: float | None) -> None:
        if seconds is not None and (
            isinstance(seconds, bool)
            or not isinstance(seconds, (int, float))
            or not seconds > 0
            or not math.isfinite(seconds)
        ):
            raise ValueError(f"deadline must be a positive number of seconds or None: {seconds!r}")
        self.seconds = seconds
        self.end = math.inf if seconds is None else time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def __str__(self) -> str:
        return "no deadline" if self.seconds is None else f"{self.seconds:g} s"


class FetchError(Exception):
    """A request failed for good; the message is one line, any server text redacted.

    ``kind``: "http" (an error status), "rate" (a 429 asking for too long a wait), "timeout",
    "deadline", "connection", "offline" (``HF_HUB_OFFLINE`` is set), "json" or "size";
    ``status`` the HTTP status when there was one, ``said`` what the server said (redacted,
    one line).
    """

    def __init__(
        self, message: str, *, kind: str, status: int | None = None, said: str = ""
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.said = said


class PaginationError(FetchError):
    """A page walk that would not end: a link back, pages bringing nothing new, too many pages."""

    def __init__(self, message: str) -> None:
        super().__init__(message, kind="pagination")


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, default ports made explicit: what credentials stay on."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def headers_for(url: str, home: str, headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` for a request to ``url``; without credentials when ``url`` is not on the
    origin of ``home`` (the endpoint they were meant for)."""
    if origin(url) == origin(home):
        return dict(headers)
    return {k: v for k, v in headers.items() if k.lower() not in ("authorization", "cookie")}


def next_link(response: httpx2.Response) -> str | None:
    """The absolute URL of the ``Link: <...>; rel="next"`` page, or None."""
    link = response.links.get("next", {}).get("url")
    return urljoin(str(response.url), link) if link else None


def _said(body: bytes, headers: Mapping[str, str], secrets: Iterable[object]) -> str:
    """What an error answer says, in one redacted line: its JSON ``error``/``message``, the
    ``X-Error-Message`` header, or the start of its text."""
    text = ""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("error", "message", "detail"):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                text = value
                break
            if isinstance(value, list) and value:
                text = "; ".join(str(v) for v in value)
                break
    if not text:
        text = headers.get("X-Error-Message") or ""
    if not text and data is None:
        text = body[:2000].decode("utf-8", errors="replace")
    return clean(text, secrets, limit=300)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = (headers.get("Retry-After") or "").strip()
    if value.isdigit():
        return float(value)
    reset = (headers.get("RateLimit") or "").split("t=")
    if len(reset) == 2 and reset[1].split(";")[0].strip().isdigit():
        return float(reset[1].split(";")[0].strip())
    return None


def _sleep(seconds: float) -> None:
    # through huggingface_hub's clock: the test clock that records http_backoff's waits
    # (hubwidgets.testing.clock.FakeClock) records ours the same way
    _hf_http.time.sleep(seconds)


def _read(response: httpx2.Response, deadline: Deadline, url: str) -> bytes:
    """The body, chunk by chunk, never past the deadline nor over ``MAX_BODY_BYTES``."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise FetchError(
                f"the answer from {_host(url)} is larger than {MAX_BODY_BYTES // 2**20} MB",
                kind="size",
            )
        if deadline.left() <= 0:
            raise FetchError(
                f"did not finish its answer within the deadline of {deadline} "
                f"(it sent {size:,} bytes so far)",
                kind="deadline",
            )
    return b"".join(chunks)


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def get(
    url: str,
    *,
    params: Any = None,
    headers: Mapping[str, str] | None = None,
    deadline: Deadline,
    timeout: float | None = 10.0,
    max_retries: int = 5,
    max_retry_wait: float = 10.0,
    secrets: Iterable[object] = (),
) -> tuple[bytes, httpx2.Response]:
    """GET ``url`` with retries, all within ``deadline``; (body, response) of a 2xx/3xx answer.

    Raises :class:`FetchError` (one line, server text redacted) for an error status after the
    retries, a ``Retry-After`` over ``max_retry_wait`` seconds, the deadline passing, or a
    network error after the retries. ``timeout`` bounds each connect and each read.
    """
    secrets = list(secrets)
    wait = 1.0
    tries = 0
    while True:
        tries += 1
        left = deadline.left()
        if left <= 0:
            raise FetchError(f"did not answer within the deadline of {deadline}", kind="deadline")
        per_read = left if timeout is None else min(timeout, left)
        retry_after: float | None = None
        try:
            client = get_session()
            with client.stream(
                "GET",
                url,
                params=params,
                headers=dict(headers or {}),
                timeout=httpx2.Timeout(per_read),
            ) as response:
                body = _read(response, deadline, url)
            status = response.status_code
            if status < 400:
                return body, response
            said = _said(body, response.headers, secrets)
            if status not in RETRY_STATUSES or tries > max_retries:
                raise FetchError(
                    f"HTTP {status}" + (f": {said}" if said else ""),
                    kind="http",
                    status=status,
                    said=said,
                )
            retry_after = _retry_after(response.headers) if status == 429 else None
            if retry_after is not None and retry_after > max_retry_wait:
                raise FetchError(
                    f"HTTP 429 (rate limited): the server asks to wait {retry_after:g} s before "
                    f"retrying, more than max_retry_wait={max_retry_wait:g} s"
                    + (f"; it said: {said}" if said else ""),
                    kind="rate",
                    status=status,
                    said=said,
                )
            problem = f"HTTP {status}" + (f": {said}" if said else "")
        except OfflineModeIsEnabled as err:  # its message is the whole URL, every parameter
            raise FetchError(
                "huggingface_hub's offline mode is on (HF_HUB_OFFLINE); unset it to ask the "
                "Hub, or work from a snapshot: hw.open_catalog('snapshot')",
                kind="offline",
            ) from err
        except _RETRY_ERRORS as err:
            if isinstance(err, httpx2.ConnectError):
                _hf_http.close_session()  # as http_backoff does: a broken client is not reused
            if tries > max_retries or deadline.left() <= 0:
                kind = "timeout" if isinstance(err, httpx2.TimeoutException) else "connection"
                if deadline.left() <= 0:
                    kind = "deadline"
                raise FetchError(_network(err, url, deadline, kind), kind=kind) from err
            problem = f"{type(err).__name__}"
        pause = retry_after + 1 if retry_after is not None else wait
        if pause >= deadline.left():
            raise FetchError(
                f"did not answer in time: gave up after {tries} {'try' if tries == 1 else 'tries'} "
                f"({problem}), as waiting {pause:g} s more would pass the deadline of {deadline}",
                kind="deadline",
            )
        _sleep(pause)
        wait = min(8.0, wait * 2)


def _network(err: Exception, url: str, deadline: Deadline, kind: str) -> str:
    if kind == "deadline":
        return f"did not answer within the deadline of {deadline}"
    text = clean(str(err), limit=200)
    return f"{type(err).__name__}" + (f": {text}" if text else "")


def get_json(url: str, **kwargs: Any) -> tuple[Any, httpx2.Response]:
    """:func:`get` and parse the body as JSON (FetchError kind "json" when it is not)."""
    body, response = get(url, **kwargs)
    try:
        return json.loads(body), response
    except (ValueError, UnicodeDecodeError) as err:
        raise FetchError(f"malformed JSON ({clean(str(err), limit=120)})", kind="json") from err


def model_page(data: Any) -> list[dict[str, Any]]:
    """The records of one ``/api/models`` page; ValueError unless it is a list of models with
    string ids."""
    if not isinstance(data, list) or not all(
        isinstance(item, dict) and isinstance(item.get("id"), str) for item in data
    ):
        what = type(data).__name__
        if isinstance(data, list):
            bad = next(i for i in data if not (isinstance(i, dict) and "id" in i))
            what = f"a list holding {type(bad).__name__} {clean(repr(bad), limit=40)}"
        raise ValueError(f"the server's answer is not a list of models with ids (got {what})")
    return data


class PageWalk:
    """Guards a walk along ``Link: rel="next"``: it must end.

    Call :meth:`step` after each page with the page's URL, how many records it brought that the
    walk had not seen, and the next URL. Raises :class:`PaginationError` when the next URL was
    already read, when ``max_empty`` pages in a row brought nothing new, or after ``max_pages``
    pages.
    """

    def __init__(self, *, max_pages: int | None, max_empty: int = 3) -> None:
        self.max_pages = max_pages
        self.max_empty = max_empty
        self.pages = 0
        self.empty_run = 0
        self.seen: dict[str, int] = {}

    def step(self, url: str, fresh: int, next_url: str | None) -> None:
        self.pages += 1
        self.seen[url] = self.pages
        self.empty_run = 0 if fresh else self.empty_run + 1
        if next_url is None:
            return
        if next_url in self.seen:
            back = self.seen[next_url]
            where = "itself" if back == self.pages else f"page {back}"
            raise PaginationError(
                f"the server's pagination loops: page {self.pages} links back to {where}"
            )
        if self.empty_run >= self.max_empty:
            raise PaginationError(
                f"the server's pagination loops: {self.empty_run} pages in a row brought no "
                "new model"
            )
        if self.max_pages is not None and self.pages >= self.max_pages:
            raise PaginationError(
                f"the server's pagination loops or is far too long: stopped after "
                f"{self.pages} pages"
            )
