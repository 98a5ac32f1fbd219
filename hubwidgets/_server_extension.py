"""The entry point jupyter_server loads: see :mod:`hubwidgets._server`."""

from typing import Any

from ._server import load


def _load_jupyter_server_extension(server_app: Any) -> None:
    load(server_app)
