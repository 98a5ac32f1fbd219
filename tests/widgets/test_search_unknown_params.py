"""The SearchWidget's status line says how many models of unknown size a params range leaves
out (issue 17, Fix 2)."""

from __future__ import annotations

import hubwidgets as hw
from hubwidgets.widgets import SearchWidget


def test_status_counts_models_of_unknown_size_left_out() -> None:
    catalog = hw.open_catalog("snapshot")
    task = "text-classification"
    left_out = catalog.search(task=task, max_params="1B").attrs["params_unknown_left_out"]
    assert left_out > 0
    w = SearchWidget(catalog, task=task, max_params="1B")
    try:
        assert f"{left_out:,} of unknown size left out" in w.status
        w.search(max_params=None)
        assert "unknown size" not in w.status
    finally:
        w.close()
