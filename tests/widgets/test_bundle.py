"""The installed package holds the front-end bundle the widgets load.

The bundle is built from js/ by the wheel build (hatch-jupyter-builder) and is not in git, so
nothing but these tests notices an install that skipped the build.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import pytest

import hubwidgets as hw
from hubwidgets.widgets import CompareWidget, SearchWidget, compare, search

REPO_ROOT = Path(__file__).resolve().parents[2]
JS = REPO_ROOT / "js"


@pytest.mark.parametrize("name", ["search.js", "search.css", "compare.js", "compare.css"])
def test_the_package_holds_the_bundle(name: str) -> None:
    bundle = resources.files("hubwidgets.widgets").joinpath("static", name)
    assert bundle.is_file(), f"{name} missing from the installed package: reinstall it"
    assert len(bundle.read_bytes()) > 1000


@pytest.mark.parametrize("name", ["search.js", "compare.js"])
def test_the_bundle_is_an_anywidget_module(name: str) -> None:
    code = (search.STATIC / name).read_text("utf-8")
    assert re.search(r"export\s*\{[^}]*\bas default\b", code), "no default export"
    assert "render" in code
    assert "sourceMappingURL=data:" not in code, "a watch build (inline source map) was shipped"


def test_the_widget_loads_the_bundle_files() -> None:
    assert Path(search.__file__).parent / "static" == search.STATIC
    w = SearchWidget(hw.starter_catalog())
    try:
        assert w._esm == (search.STATIC / "search.js").read_text("utf-8")
        assert w._css == (search.STATIC / "search.css").read_text("utf-8")
    finally:
        w.close()
    c = CompareWidget(catalog=hw.starter_catalog())
    try:
        assert c._esm == (compare.STATIC / "compare.js").read_text("utf-8")
        assert c._css == (compare.STATIC / "compare.css").read_text("utf-8")
    finally:
        c.close()


@pytest.mark.skipif(not (JS / "src").is_dir(), reason="not a checkout: no js/ sources")
def test_the_bundle_is_not_older_than_its_sources() -> None:
    built = min(p.stat().st_mtime for p in search.STATIC.iterdir() if p.suffix in {".js", ".css"})
    newer = [
        str(p.relative_to(REPO_ROOT))
        for p in (*JS.glob("src/**/*"), JS / "build.mjs", JS / "package-lock.json")
        if p.is_file() and p.stat().st_mtime > built
    ]
    assert not newer, f"rebuild the front-end (`npm run build` in js/): changed since: {newer}"


@pytest.mark.skipif(not (REPO_ROOT / "pyproject.toml").is_file(), reason="not a checkout")
def test_the_wheel_build_makes_and_ships_the_bundle() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))
    hatch = config["tool"]["hatch"]["build"]
    hook = hatch["hooks"]["jupyter-builder"]
    for name in ("search.js", "search.css", "compare.js", "compare.css"):
        assert f"hubwidgets/widgets/static/{name}" in hook["ensured-targets"]
    assert hook["build-kwargs"]["path"] == "js"
    assert "hubwidgets/widgets/static/" in hatch["targets"]["wheel"]["artifacts"]
    assert "hatch-jupyter-builder>=0.9" in config["build-system"]["requires"]
    ignored = (REPO_ROOT / ".gitignore").read_text("utf-8").split()
    assert "hubwidgets/widgets/static/" in ignored  # built, never committed


@pytest.mark.slow
@pytest.mark.parametrize("script", ["test", "typecheck", "lint"])
def test_front_end_checks(script: str) -> None:
    """The front-end's own checks: its DOM tests on the built bundle (jsdom), tsc, biome."""
    npm = shutil.which("npm")
    if npm is None or not (JS / "node_modules").is_dir():
        pytest.skip("needs npm and js/node_modules (installed by `pip install -e .`)")
    done = subprocess.run(
        [npm, "run", "--silent", script],
        cwd=JS,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, f"npm run {script} failed:\n{done.stdout}\n{done.stderr}"
