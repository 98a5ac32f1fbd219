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
from hubwidgets.widgets import CompareWidget, SearchWidget, _bundle

REPO_ROOT = Path(__file__).resolve().parents[2]
JS = REPO_ROOT / "js"


def test_the_package_holds_the_bundle() -> None:
    bundle = resources.files("hubwidgets.widgets").joinpath("static", _bundle.BUNDLE)
    assert bundle.is_file(), f"{_bundle.BUNDLE} missing from the installed package: reinstall it"
    code = bundle.read_text("utf-8")
    assert re.search(r"export\s*\{[^}]*\bas default\b", code), "no default export"
    assert "sourceMappingURL=data:" not in code, "a watch build (inline source map) was shipped"
    for name in ("search", "compare", "benchmark", "playground"):
        assert f"hubwidgets-{name}" in code, f"the {name} widget is not in the bundle"


def test_one_widget_carries_the_code_and_the_others_a_stub() -> None:
    """The bundle goes to the page once: the first live widget carries it, later ones hold a
    stub of under 2 KB that renders with the carrier's code."""
    catalog = hw.starter_catalog()
    first = SearchWidget(catalog)
    second = SearchWidget(catalog)
    third = CompareWidget(catalog=catalog)
    try:
        carriers = [w for w in (first, second, third) if w._esm == _bundle.full_esm()]
        stubs = [w for w in (first, second, third) if w._esm == _bundle.stub_esm()]
        assert len(carriers) <= 1  # none when a widget of an earlier test still carries it
        assert len(stubs) >= 2
        assert len(_bundle.stub_esm().encode()) < 2048
        assert {w._bundle for w in (first, second, third)} == {_bundle.bundle_id()}
        assert (first._widget, third._widget) == ("search", "compare")
    finally:
        for w in (first, second, third):
            w.close()


def test_closing_the_carrier_hands_the_code_to_a_live_widget() -> None:
    """Saved state must still hold the code when the widget that carried it is gone."""
    catalog = hw.starter_catalog()
    widgets = [SearchWidget(catalog) for _ in range(3)]
    try:
        for w in widgets:  # close every carrier but the last widget
            if w._esm == _bundle.full_esm() and w is not widgets[-1]:
                w.close()
        live = [w for w in widgets if w.comm is not None]
        assert sum(w._esm == _bundle.full_esm() for w in live) == 1
    finally:
        for w in widgets:
            w.close()


@pytest.mark.skipif(not (JS / "src").is_dir(), reason="not a checkout: no js/ sources")
def test_the_bundle_is_not_older_than_its_sources() -> None:
    built = (_bundle.STATIC / _bundle.BUNDLE).stat().st_mtime
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
    assert hook["ensured-targets"] == [f"hubwidgets/widgets/static/{_bundle.BUNDLE}"]
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


def test_where_each_output_has_a_frame_of_its_own_every_widget_carries_the_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Google Colab draws each output in its own frame: a stub there would wait for code that
    never comes."""
    monkeypatch.setattr(_bundle, "_isolated_outputs", lambda: True)
    catalog = hw.starter_catalog()
    widgets = [SearchWidget(catalog), SearchWidget(catalog)]
    try:
        assert [w._esm == _bundle.full_esm() for w in widgets] == [True, True]
    finally:
        for w in widgets:
            w.close()
