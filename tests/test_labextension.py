"""The JupyterLab launcher extension (labextension/) is installed with the package, editable or
not: JupyterLab lists it enabled, and the installed copy is the one built from the sources here
(the wheel's build hook, labextension/hatch_build.py). The browser test
(tests/browser/test_launcher.py) clicks it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
NAME = "hubwidgets-launcher"
INSTALLED = Path(sys.prefix, "share", "jupyter", "labextensions", NAME)
BUILT = REPO_ROOT / "hubwidgets" / "labextension"
REINSTALL = "reinstall the package (./dev test does: pip install -e '.[dev]')"


def test_jupyterlab_finds_the_launcher_enabled() -> None:
    """What ``jupyter labextension list`` and JupyterLab's server read (without its slow CLI)."""
    from jupyter_core.paths import jupyter_config_path, jupyter_path  # noqa: PLC0415
    from jupyterlab_server.config import get_federated_extensions, get_page_config  # noqa: PLC0415

    assert (INSTALLED / "package.json").is_file(), f"{INSTALLED} is missing: {REINSTALL}"
    found = get_federated_extensions(jupyter_path("labextensions"))
    assert NAME in found, sorted(found)
    config = get_page_config(
        [str(Path(p, "labconfig")) for p in jupyter_config_path()], logger=None
    )
    disabled = config.get("disabledExtensions") or {}
    assert NAME not in disabled and f"{NAME}:plugin" not in disabled, disabled


def test_the_installed_launcher_is_the_one_built_here() -> None:
    meta = json.loads((INSTALLED / "package.json").read_text("utf-8"))
    assert meta["name"] == NAME
    source = json.loads((REPO_ROOT / "labextension" / "package.json").read_text("utf-8"))
    assert meta["version"] == source["version"]
    load = meta["jupyterlab"]["_build"]["load"]  # the prebuilt entry point JupyterLab loads
    assert (INSTALLED / load).is_file()
    if (BUILT / "package.json").is_file():  # a source tree: the install follows the build
        built = json.loads((BUILT / "package.json").read_text("utf-8"))
        assert built["jupyterlab"]["_build"]["load"] == load, (
            f"the installed copy is stale: {REINSTALL}"
        )
