"""hubwidgets' jupyter_server extension: TCP_NODELAY on kernel websockets, enabled on install."""

from __future__ import annotations

import importlib
import json
import logging
import sys
import types
from pathlib import Path
from typing import Any

import pytest

import hubwidgets

websocket = pytest.importorskip("jupyter_server.services.kernels.websocket")


def test_the_extension_point_names_a_loadable_module() -> None:
    [point] = hubwidgets._jupyter_server_extension_points()
    module = importlib.import_module(point["module"])
    assert callable(module._load_jupyter_server_extension)


def test_installing_enables_it() -> None:
    config = Path(sys.prefix, "etc", "jupyter", "jupyter_server_config.d", "hubwidgets.json")
    assert config.is_file(), f"{config} missing: the wheel's shared-data did not install"
    enabled = json.loads(config.read_text("utf-8"))["ServerApp"]["jpserver_extensions"]
    assert enabled == {"hubwidgets": True}


def _finish(coroutine: Any) -> Any:
    """Run a coroutine that never waits (no event loop: one may already run in this thread)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise AssertionError("the coroutine waited")


def test_a_connecting_page_gets_nodelay(monkeypatch: pytest.MonkeyPatch) -> None:
    from hubwidgets import _server  # noqa: PLC0415

    handler = websocket.KernelWebsocketHandler
    opened: list[Any] = []

    async def original_open(self: Any, *args: Any, **kwargs: Any) -> str:
        opened.append(self)
        return "opened"

    monkeypatch.setattr(handler, "open", original_open)
    monkeypatch.setattr(handler, _server._MARK, False, raising=False)
    app = types.SimpleNamespace(log=logging.getLogger("test"))
    assert _server.load(app)
    assert _server.load(app)  # twice: patched once
    nodelay: list[bool] = []
    page = types.SimpleNamespace(set_nodelay=nodelay.append)
    assert _finish(handler.open(page)) == "opened"
    assert nodelay == [True]
    assert opened == [page]
