"""The health badge of every widget's status line: :func:`health_summary` turns
:func:`hubwidgets.core.connect.health`'s rows into the few words the badge shows.

Every widget has the badge through the shared base: :class:`~hubwidgets.widgets._base.HubWidget`
has the ``health`` trait, :meth:`~hubwidgets.widgets._base.HubWidget.check_health` and the
``check_health`` request (the page's "Check the Hub" button); the summary is synced state, so a
view drawn from saved state shows the last check. The front-end part is ``js/src/lib/health.ts``,
placed beside the status line by ``defineWidget`` (``js/src/lib/view.ts``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ._base import MAX_HEALTH_TIMEOUT_S, HubWidget

__all__ = ["HealthChecked", "health_summary"]

#: Seconds a check from the page may take at most (the kernel answers nothing else meanwhile).
MAX_TIMEOUT_S = MAX_HEALTH_TIMEOUT_S


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


#: Kept for widgets written when the badge was opt-in: every widget has it now.
HealthChecked = HubWidget
