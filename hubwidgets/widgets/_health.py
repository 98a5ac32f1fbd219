"""An opt-in health badge for a widget's status line: the ``health`` trait and a
``check_health`` request (the page's "Check the Hub" button), which calls
:func:`hubwidgets.core.connect.health` and keeps a summary in synced state, so a view drawn
from saved state shows the last check. The front-end part is ``js/src/lib/health.ts``.

A widget opts in by deriving from :class:`HealthChecked` instead of ``HubWidget`` (and placing
``healthBadge(view)`` in its status line).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import traitlets

from ._base import HubWidget
from ._protocol import request

__all__ = ["HealthChecked", "health_summary"]

#: Seconds a check from the page may take at most (the kernel answers nothing else meanwhile).
MAX_TIMEOUT_S = 10.0


def health_summary(df: pd.DataFrame) -> dict[str, Any]:
    """:func:`hw.health`'s rows in a few words: ``status`` (``ok`` when every row is,
    ``degraded`` when the Hub answers but something else does not, else the Hub's own status),
    ``ok``/``total`` rows, ``checked_at`` and ``problems`` (one line per row not ok)."""
    rows = df.to_dict("records")
    hub = next((r for r in rows if r["service"] == "hub"), None)
    bad = [r for r in rows if r["status"] != "ok"]
    if hub is not None and hub["status"] != "ok":
        status = str(hub["status"])
    else:
        status = "degraded" if bad else "ok"
    return {
        "status": status,
        "ok": len(rows) - len(bad),
        "total": len(rows),
        "checked_at": str(max((r["checked_at"] for r in rows), default="")),
        "problems": [
            f"{r['service']} {r['target']}: {r['status']}"
            + (f" ({r['last_error']})" if isinstance(r["last_error"], str) else "")
            for r in bad
        ],
    }


class HealthChecked(HubWidget):
    """A widget with a health badge (see the module docstring)."""

    health = traitlets.Dict().tag(sync=True, kernel=True)
    """The last check of the Hub's services asked from the page (empty before one):
    ``status`` (ok / degraded / unreachable / unauthorized / error), ``ok`` and ``total``
    rows, ``checked_at`` and ``problems``."""

    def _health_arguments(self) -> dict[str, Any]:
        """Keyword arguments of the check (override: e.g. the widget's ``endpoint``)."""
        return {}

    def check_health(self, timeout: float = 3) -> pd.DataFrame:
        """Check the Hub's services now (:func:`hw.health`); the badge shows the summary."""
        from ..core.connect import health  # noqa: PLC0415

        df = health(timeout=timeout, **self._health_arguments())
        self.health = health_summary(df)
        return df

    @request("check_health")
    def _check_health(self, body: dict[str, Any]) -> dict[str, Any]:
        """``{"timeout": s}`` (optional) -> the summary."""
        timeout = body.get("timeout", 3)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            timeout = 3
        self.check_health(min(float(timeout), MAX_TIMEOUT_S))
        return dict(self.health)
