"""One request/reply protocol between a widget's page and its kernel object (custom messages).

Every message is a dict with ``"hw": 1`` and a ``kind``; binary values (``bytes``,
``memoryview``) may sit anywhere in its ``body``: they travel as the message's buffers, their
places listed in ``paths`` (the way ipywidgets sends binary state), and are put back on arrival.
That is the one encoding of binary payloads, for state and messages alike.

::

    page -> kernel   {"hw": 1, "kind": k, "id": n, "body": {...}, "paths": [[...], ...]}
    kernel -> page   {"hw": 1, "kind": k, "id": n, "body": {...}, "paths": [...]}     a reply
                     {"hw": 1, "kind": k, "id": n, "error": {"message": m, "type": t}}
                     {"hw": 1, "kind": k, "id": null, "body": {...}, "paths": [...]}  an event

A request with ``"id": null`` wants no reply (a notice: "view", "stop", an upload chunk); a
failure to handle it goes to the widget's status line instead. Handlers are methods marked with
:func:`request`; whatever they raise becomes a structured error reply, so the page never waits
for an answer that will not come. The TypeScript client is ``js/src/lib/protocol.ts``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["VERSION", "RequestError", "handlers_of", "pack", "request", "unpack"]

#: The ``hw`` field of every message: a message without it is not ours.
VERSION = 1

_MARK = "_hw_request"
F = TypeVar("F", bound=Callable[..., Any])


class RequestError(Exception):
    """A request the widget refuses, in words for people (becomes an error reply)."""


def request(kind: str) -> Callable[[F], F]:
    """Mark a widget method as the handler of requests of ``kind``.

    The method gets the request's body (a dict, binary parts as ``bytes``) and returns the
    reply's body (a dict, binary parts as ``bytes``) or None (an empty reply)::

        @request("rows")
        def _rows(self, body: dict[str, Any]) -> dict[str, Any]:
            return {"start": 0, "table": ipc_bytes}
    """

    def mark(fn: F) -> F:
        setattr(fn, _MARK, kind)
        return fn

    return mark


def handlers_of(cls: type) -> dict[str, str]:
    """``{kind: method name}`` of a class and its bases (a subclass's handler wins)."""
    out: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            kind = getattr(value, _MARK, None)
            if isinstance(kind, str):
                out[kind] = name
    return out


_BINARY = (bytes, bytearray, memoryview)


def pack(body: Any) -> tuple[Any, list[list[str | int]], list[bytes | memoryview]]:
    """``body`` without its binary values, their paths, and the values (as buffers)."""
    paths: list[list[str | int]] = []
    buffers: list[bytes | memoryview] = []

    def walk(value: Any, path: list[str | int]) -> Any:
        if isinstance(value, _BINARY):
            paths.append(path)
            buffers.append(value if isinstance(value, memoryview) else bytes(value))
            return None
        if isinstance(value, dict):
            return {k: walk(v, [*path, k]) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(v, [*path, i]) for i, v in enumerate(value)]
        return value

    return walk(body, []), paths, buffers


def unpack(body: Any, paths: Any, buffers: list[Any]) -> Any:
    """The inverse of :func:`pack`: the buffers put back (as ``bytes``) at their paths.

    Raises:
        ValueError: the paths do not fit the body (a malformed message).
    """
    if not paths:
        return body
    if not isinstance(paths, list) or len(paths) != len(buffers):
        raise ValueError("malformed message: paths and buffers do not match")
    for path, buffer in zip(paths, buffers, strict=True):
        if not isinstance(path, list) or not path:
            raise ValueError(f"malformed buffer path {path!r}")
        target = body
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = bytes(buffer)
        except (KeyError, IndexError, TypeError) as err:
            raise ValueError(f"buffer path {path!r} does not fit the body") from err
    return body
