"""Hatchling build hook (the wheel's second front-end build): the JupyterLab launcher extension.

``npm install`` (when needed), ``tsc`` and ``@jupyterlab/builder`` turn ``labextension/`` into
``hubwidgets/labextension/`` (gitignored, like the widgets' bundle), which pyproject's
shared-data installs to ``share/jupyter/labextensions/hubwidgets-launcher`` for standard and
editable installs alike. Skipped when the built extension is newer than every source file, or
when ``HATCH_JUPYTER_BUILDER_SKIP_NPM=1`` (as for the widgets' bundle). Needs Node.js and npm,
and JupyterLab (a build dependency) for its core package list.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCES = ("src", "style", "package.json", "tsconfig.json")
OUTPUT = Path("hubwidgets", "labextension")


def _newest(paths: list[Path]) -> float:
    newest = 0.0
    for path in paths:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        newest = max([newest, *(f.stat().st_mtime for f in files)])
    return newest


def build(root: Path) -> None:
    """Build ``labextension/`` into ``hubwidgets/labextension/`` unless it is up to date."""
    here = root / "labextension"
    out = root / OUTPUT / "package.json"
    if out.exists() and out.stat().st_mtime >= _newest([here / s for s in SOURCES]):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("building the JupyterLab launcher needs npm (Node.js >= 20) on PATH")
    spec = importlib.util.find_spec("jupyterlab")
    if spec is None or spec.origin is None:
        raise RuntimeError("building the JupyterLab launcher needs jupyterlab installed")
    core = Path(spec.origin).parent / "staging"
    stamp = here / "node_modules" / ".package-lock.json"
    if not stamp.exists() or stamp.stat().st_mtime < (here / "package.json").stat().st_mtime:
        subprocess.run([npm, "install", "--no-audit", "--no-fund"], cwd=here, check=True)
    subprocess.run([npm, "run", "build:lib"], cwd=here, check=True)
    builder = here / "node_modules" / "@jupyterlab" / "builder" / "lib" / "build-labextension.js"
    node = shutil.which("node") or "node"
    subprocess.run([node, str(builder), "--core-path", str(core), "."], cwd=here, check=True)
    out.touch()


class LauncherBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Runs :func:`build` before the wheel (standard or editable) is assembled."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or os.environ.get("HATCH_JUPYTER_BUILDER_SKIP_NPM") == "1":
            return
        build(Path(self.root))
