"""A stand-in for ``time`` inside huggingface_hub's HTTP helpers, for retry tests."""

from __future__ import annotations

import time
from typing import Any

__all__ = ["FakeClock"]


class FakeClock:
    """Records the waits of huggingface_hub's ``http_backoff`` instead of sleeping.

    Install it as ``huggingface_hub.utils._http.time`` (the ``backoff_clock`` fixture does).
    Patching ``time.sleep`` for everybody would also stall the test server's threads; this
    touches huggingface_hub's helpers only, so retry tests are instant and can assert the
    waits (``Retry-After`` + 1 s after a 429; 1, 2, 4, 8, 8 s after errors).
    """

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)
