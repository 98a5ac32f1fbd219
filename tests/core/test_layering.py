"""The core is pure pandas: importing it never pulls in the widget stack.

Each check runs in a fresh interpreter, since this test process may already have imported
ipywidgets for other tests.
"""

from __future__ import annotations

import importlib.util
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import hubwidgets.core

WIDGET_MODULES = ("ipywidgets", "anywidget", "traitlets")
REPO_ROOT = Path(__file__).resolve().parents[2]

CORE_MODULES = sorted(
    m.name for m in pkgutil.walk_packages(hubwidgets.core.__path__, "hubwidgets.core.")
)


def _imported_after(statement: str) -> dict[str, list[str]]:
    code = (
        "import json, sys\n"
        f"{statement}\n"
        f"print(json.dumps({{'widgets': [m for m in {WIDGET_MODULES!r} if m in sys.modules], "
        "'core': sorted(m for m in sys.modules if m.startswith('hubwidgets'))}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_widget_stack_is_importable() -> None:
    """Otherwise the checks below would pass for the wrong reason."""
    missing = [m for m in WIDGET_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: the layering checks prove less")
    found = _imported_after("import ipywidgets, anywidget, traitlets")
    assert found["widgets"] == list(WIDGET_MODULES)


def test_core_modules_are_found() -> None:
    for name in ("catalog.catalog", "catalog.normalize", "choose.compare", "inference.benchmark"):
        assert f"hubwidgets.core.{name}" in CORE_MODULES


def test_the_core_is_laid_out_by_domain() -> None:
    """Modules live in domain subpackages; beside them only private helpers and the report
    tables every domain's widget uses (so a new domain gets a folder, not loose files)."""
    top = [m.name for m in pkgutil.iter_modules(hubwidgets.core.__path__)]
    loose = [n for n in top if not n.startswith("_")]
    assert sorted(loose) == [
        "catalog",
        "choose",
        "connect",
        "cost",
        "governance",
        "inference",
        "registry",
        "report",
        "workflows",
    ]


def test_old_module_paths_are_the_new_modules() -> None:
    """Notebooks written against hubwidgets.core.compare, .backends.local... keep working, and
    get the very module (classes identical, so pickles load either way)."""
    import hubwidgets.core.backends.local as old_local  # noqa: PLC0415
    import hubwidgets.core.compare as old_compare  # noqa: PLC0415

    from hubwidgets.core.choose import compare as new_compare  # noqa: PLC0415
    from hubwidgets.core.inference.backends import local as new_local  # noqa: PLC0415

    assert old_compare is new_compare
    assert old_local.LocalBackend is new_local.LocalBackend
    assert old_compare.__spec__ is not None
    assert old_compare.__spec__.name == "hubwidgets.core.choose.compare"


def test_import_core_package() -> None:
    found = _imported_after("import hubwidgets.core")
    assert found["widgets"] == []
    assert "hubwidgets.core" in found["core"]


def test_import_every_core_module() -> None:
    statement = "\n".join(f"import {name}" for name in CORE_MODULES)
    found = _imported_after(statement)
    assert found["widgets"] == []
    assert set(CORE_MODULES) <= set(found["core"])


@pytest.mark.parametrize(
    "name", ["hubwidgets.core.catalog.catalog", "hubwidgets.core.catalog.normalize"]
)
def test_core_in_use_stays_widget_free(name: str) -> None:
    """Building and searching a catalog imports nothing from the widget stack either."""
    statement = (
        f"import {name}\n"
        "from hubwidgets.core.catalog.catalog import Catalog\n"
        "record = {'id': 'a/bert', 'downloads': 1, 'pipeline_tag': 'fill-mask'}\n"
        "c = Catalog.from_records([record])\n"
        "assert c.search('bert', task='fill-mask')['id'].tolist() == ['a/bert']\n"
        "c.facets(); c.model('a/bert')"
    )
    assert _imported_after(statement)["widgets"] == []
