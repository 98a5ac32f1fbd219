"""Charts as SVG drawn in the kernel: how every widget shows its Altair charts in the page.

vl-convert renders offline (no CDN, no browser), so the SVG goes into synced state and into
exported reports alike; the page draws it as a labelled figure (``js/src/lib/figures.ts``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["to_svg"]


def to_svg(charts: Mapping[str, Any]) -> dict[str, str]:
    """``{name: SVG}`` of Altair charts, in order; a chart that cannot be drawn is left out
    (a chart is a bonus: what it is drawn from still shows)."""
    if not charts:
        return {}
    import vl_convert  # noqa: PLC0415 (slow to import; only when there is a chart)

    out: dict[str, str] = {}
    for name, chart in charts.items():
        try:
            out[name] = str(vl_convert.vegalite_to_svg(chart.to_dict()))
        except Exception:  # noqa: S112 (the others still draw)
            continue
    return out
