"""What the widget tests share: closing the widgets a test made, and a stand-in widget with a
selection for linking tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import traitlets

from hubwidgets.widgets._base import HubWidget


class Picker(HubWidget):
    """Another widget with a selection (as a BenchmarkWidget or Playground may be)."""

    WIDGET = "picker"
    SELECTION = "picked"
    picked = traitlets.List(traitlets.Unicode()).tag(sync=True)


@pytest.fixture
def made() -> Iterator[list[Any]]:
    """Widgets a test made: closed afterwards (a run left going is cancelled and waited for)."""
    widgets: list[Any] = []
    yield widgets
    for widget in widgets:
        widget.close()
        wait = getattr(widget, "wait", None)
        if callable(wait):
            wait(10)
