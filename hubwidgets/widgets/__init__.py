"""Thin anywidget front-ends over the core, one module per widget on one base (``_base.py``).

The widget classes are imported on first use (PEP 562), so that ``import hubwidgets.widgets``
costs nothing until a widget is made, and a widget whose optional stack is missing does not
break the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

if TYPE_CHECKING:
    from .benchmark import BenchmarkWidget
    from .compare import CompareWidget
    from .cost import CostWidget
    from .endpoints import EndpointsWidget
    from .explorer import HubExplorer
    from .governance import GovernanceWidget
    from .login import LoginWidget
    from .playground import Playground
    from .registry import RegistryWidget
    from .search import SearchWidget
    from .workflow import WorkflowWidget

#: Public widget class -> the module (relative) that defines it.
WIDGETS: dict[str, str] = {
    "SearchWidget": ".search",
    "CompareWidget": ".compare",
    "GovernanceWidget": ".governance",
    "BenchmarkWidget": ".benchmark",
    "Playground": ".playground",
    "LoginWidget": ".login",
    "RegistryWidget": ".registry",
    "CostWidget": ".cost",
    "EndpointsWidget": ".endpoints",
    "WorkflowWidget": ".workflow",
    "HubExplorer": ".explorer",
}

__all__ = [
    "BenchmarkWidget",
    "CompareWidget",
    "CostWidget",
    "EndpointsWidget",
    "GovernanceWidget",
    "HubExplorer",
    "LoginWidget",
    "Playground",
    "RegistryWidget",
    "SearchWidget",
    "WorkflowWidget",
]


__getattr__ = lazy_attributes(__name__, WIDGETS)
