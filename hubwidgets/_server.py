"""A jupyter_server extension that sends kernel messages to the page without delay.

jupyter_server leaves tornado's default on its kernel websockets: Nagle's algorithm on
(tornadoweb/tornado#755). A small message written while the previous one is not yet
acknowledged then waits for the browser's delayed ACK, about 40 ms on Linux. Widgets send
small messages in bursts (a state update, then the rows or the cell it announces; a kernel's
busy and idle status around each message), so that wait lands on what people see: measured
with benchmarks/widget.py and benchmarks/playground.py, it is most of a scroll's or a
playground run's time in the page. Installing hubwidgets enables this extension
(``jupyter-config/``), which sets TCP_NODELAY on every kernel websocket of the server; disable
it with ``jupyter server extension disable hubwidgets``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load"]

_MARK = "_hubwidgets_nodelay"


def load(server_app: Any) -> bool:
    """Patch the kernel websocket handler to set TCP_NODELAY when a page connects."""
    try:
        from jupyter_server.services.kernels.websocket import (  # noqa: PLC0415
            KernelWebsocketHandler,
        )
    except ImportError:  # an older or newer layout: leave the server as it is
        server_app.log.warning("hubwidgets: no kernel websocket handler found; TCP_NODELAY not set")
        return False
    if getattr(KernelWebsocketHandler, _MARK, False):
        return True
    original = KernelWebsocketHandler.open

    async def open_without_delay(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.set_nodelay(True)
        return await original(self, *args, **kwargs)

    setattr(KernelWebsocketHandler, "open", open_without_delay)  # noqa: B010 (mypy: a method)
    setattr(KernelWebsocketHandler, _MARK, True)
    server_app.log.info("hubwidgets: TCP_NODELAY on kernel websockets (no delayed-ACK waits)")
    return True
