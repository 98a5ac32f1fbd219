"""The one way the package imports on first use (PEP 562), where an import is slow or pulls in
the widget stack: ``import hubwidgets`` and ``import hubwidgets.charts`` stay cheap and
widget-free until a widget or a chart is asked for."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``names`` maps each public name to the module
    (relative to ``package``) that defines it; the first look-up imports it, and the value is
    kept in the package, so later look-ups skip the function."""

    def __getattr__(name: str) -> Any:  # noqa: N807 (PEP 562's name)
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        setattr(importlib.import_module(package), name, value)
        return value

    return __getattr__
