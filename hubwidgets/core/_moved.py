"""Old module paths of the core, kept importable after the move into domain subpackages.

``hubwidgets.core.compare`` became ``hubwidgets.core.choose.compare`` and so on (see
:data:`MOVED`). A notebook or script that imports the old path gets the very same module object
(not a copy: classes stay identical, pickles made either way load), through a finder that sits
first on ``sys.meta_path`` and answers only for the old names.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType

__all__ = ["MOVED", "install"]

_CORE = "hubwidgets.core"

#: Old module name under ``hubwidgets.core`` -> its new place under ``hubwidgets.core``.
MOVED: dict[str, str] = {
    **{
        n: f"catalog.{n}"
        for n in (
            "_index", "_kernels", "_kernels_np", "_store", "hub", "normalize", "pull", "query",
            "schema", "searchable", "sources", "vocab",
        )
    },
    **{n: f"choose.{n}" for n in ("_best", "compare", "hardware", "licenses", "memory",
    "recommend")},
    **{n: f"inference.{n}" for n in ("backends", "benchmark", "playground", "_quality", "samples")},
}  # fmt: skip


def _target(fullname: str) -> str | None:
    if not fullname.startswith(_CORE + "."):
        return None
    head, _, tail = fullname[len(_CORE) + 1 :].partition(".")
    new = MOVED.get(head)
    if new is None:
        return None
    return f"{_CORE}.{new}" + (f".{tail}" if tail else "")


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds an old name and loads it as the module at the new one."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        new = _target(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, loader_state=new)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(str(spec.loader_state))
        spec.loader_state = (spec.loader_state, module.__spec__)
        return module

    def exec_module(self, module: ModuleType) -> None:
        # the import system stamped the old name's spec on the module: give it its own back
        spec = module.__spec__
        state = spec.loader_state if spec is not None else None
        if isinstance(state, tuple):
            module.__spec__ = state[1]


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _Alias) for f in sys.meta_path):
        sys.meta_path.insert(0, _Alias())
