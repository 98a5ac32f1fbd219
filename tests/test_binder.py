"""mybinder.org can build this repository: binder/environment.yml and binder/postBuild.

mybinder (repo2docker) installs binder/environment.yml with conda, copies the repository into the
image and runs ``./binder/postBuild`` from its root, with the environment's ``bin`` first on PATH.
The slow test does the same in a fresh virtual environment, on a clean copy of the repository
(without .git and what .gitignore names: no js/node_modules, no built bundle, as in a fresh
clone), so the wheel build really runs npm, and nothing is written into this work tree. It then
checks, with the fresh environment's Python, that hubwidgets is installed from that copy,
non-editable, with the front-end bundle the widgets load.

mybinder itself cannot be reached from the tests: the conda half (environment.yml) is only
checked for what postBuild relies on.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from _binder_build import BINDER_BUILD, Build, missing_tools, tail
from _binder_build import start as start_build

REPO_ROOT = Path(__file__).resolve().parents[1]
BINDER = REPO_ROOT / "binder"
ENVIRONMENT_YML = BINDER / "environment.yml"
POST_BUILD = BINDER / "postBuild"


# --- structure: what repo2docker reads ----------------------------------------------------------


def _pyproject() -> dict[str, Any]:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config: dict[str, Any] = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))
    return config


def _dependencies() -> list[str]:
    env = yaml.safe_load(ENVIRONMENT_YML.read_text("utf-8"))
    assert isinstance(env, dict), "environment.yml must be a mapping"
    assert env.get("channels") == ["conda-forge"]
    deps = env["dependencies"]
    assert isinstance(deps, list)
    return [d.replace(" ", "") for d in deps if isinstance(d, str)]


def test_environment_yml_pins_python_and_brings_node() -> None:
    deps = _dependencies()
    # repo2docker reads the Python version from a "python=X.Y" dependency
    assert "python=3.11" in deps
    assert "nodejs>=20" in deps  # npm builds the front-end while pip builds the wheel
    assert "pip" in deps
    assert any(d.startswith("jupyterlab>=4") for d in deps)
    # PyTorch's CPU build from conda-forge: pip's default torch is a CUDA build of several GB
    assert "pytorch-cpu" in deps


def test_environment_yml_python_is_one_hubwidgets_supports() -> None:
    specifiers = pytest.importorskip("packaging.specifiers")
    requires = specifiers.SpecifierSet(_pyproject()["project"]["requires-python"])
    assert "python=3.11" in _dependencies()
    assert requires.contains("3.11"), f"Binder's Python 3.11 is outside requires-python {requires}"


def test_post_build_is_an_executable_bash_script() -> None:
    assert os.access(POST_BUILD, os.X_OK), "binder/postBuild must be executable"
    lines = POST_BUILD.read_text("utf-8").splitlines()
    assert lines[0] in ("#!/bin/bash", "#!/usr/bin/env bash")
    # repo2docker does not stop the build on a failing command unless the script says so
    assert "set -euo pipefail" in lines
    assert any("pip install" in line and "-e" not in line.split() for line in lines)


def test_readme_badge_launches_the_tour_of_this_repository() -> None:
    readme = (REPO_ROOT / "README.md").read_text("utf-8")
    found = re.search(
        r"\(https://mybinder\.org/v2/gh/([^/]+/[^/]+)/HEAD\?urlpath=lab/tree/([^)]+)\)", readme
    )
    assert found, "no Binder launch badge in README.md"
    repo, notebook = found.groups()
    assert _pyproject()["project"]["urls"]["Source"] == f"https://github.com/{repo}"
    assert (REPO_ROOT / notebook).is_file(), f"the badge opens {notebook}, which does not exist"


# --- behaviour: postBuild in a fresh virtual environment -----------------------------------------
# The build (tests/_binder_build.py) runs in the background from the first test outside
# tests/browser, started by tests/conftest.py, which also moves this test to the end of the run;
# the test waits for it.


@pytest.fixture
def binder_build(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Build]:
    """The session's background build, or one started now (when the session did not start it)."""
    missing = missing_tools()
    if missing:
        pytest.skip(
            f"{' and '.join(missing)} not on PATH: binder/postBuild builds the front-end with "
            "Node.js (binder/environment.yml brings it on Binder)"
        )
    build = request.config.stash.get(BINDER_BUILD, None)
    if build is not None:
        yield build
        return
    build = start_build(tmp_path)
    try:
        yield build
    finally:
        build.stop()


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_post_build_installs_the_package_in_a_fresh_venv(binder_build: Build) -> None:
    waited = time.monotonic()
    try:
        steps = binder_build.wait(timeout=870)
    except subprocess.TimeoutExpired:
        pytest.fail(
            "the fresh-venv build timed out; the end of its output:\n"
            f"{tail(binder_build.log)}\n{tail(binder_build.post_build_log)}"
        )
    waited = time.monotonic() - waited
    repo, venv = binder_build.repo, binder_build.venv

    def step(name: str) -> dict[str, Any]:
        assert name in steps, (
            f"the fresh-venv build stopped before {name}; the end of its output:\n"
            f"{tail(binder_build.log)}"
        )
        return steps[name]

    # a clean copy of the repository, as repo2docker copies a fresh clone into the image
    copy = step("copy")
    assert not copy["node_modules"]
    assert not copy["static"]
    # a fresh virtual environment, not seeing this one's packages; PyTorch's CPU wheel first
    for name in ("venv", "torch"):
        assert step(name)["returncode"] == 0, (
            f"{name} failed; the end of the build's output:\n{tail(binder_build.log)}"
        )

    # postBuild, run as repo2docker does: `./binder/postBuild` from the repository root
    done = step("postBuild")
    if done.get("timed_out"):
        pytest.fail(
            f"binder/postBuild timed out; the end of its output:\n"
            f"{tail(binder_build.post_build_log)}"
        )
    assert done["returncode"] == 0, (
        f"binder/postBuild failed ({done['returncode']}); the end of its output:\n"
        f"{tail(binder_build.post_build_log)}"
    )
    built = step("built")["seconds"]

    # checked with the fresh environment's Python, outside the copy (cwd would shadow the install)
    check = step("check")
    assert check["returncode"] == 0, (
        f"the installed package does not work:\n{check['stdout']}\n{check['stderr']}"
    )
    got = json.loads(check["stdout"].strip().splitlines()[-1])

    assert Path(got["prefix"]).resolve() == venv.resolve()
    assert Path(got["file"]).is_relative_to(got["purelib"]), "not installed into the venv"
    version = _pyproject()["project"]["version"]
    assert got["version"] == got["dist_version"] == version
    direct_url = got["direct_url"]
    assert direct_url is not None and direct_url["url"] == repo.resolve().as_uri()
    assert not direct_url.get("dir_info", {}).get("editable", False), "installed editable"
    assert got["static"] > 10_000  # the one bundle, styles inlined
    # the first widget carries it, gzip-compressed in a loader (_bundle.full_esm)
    assert 10_000 < got["widget"] < got["static"]
    # the front-end was built from source in the copy, by npm, not found ready-made
    assert (repo / "js" / "node_modules").is_dir()
    print(
        f"binder/postBuild in a fresh venv: {built:.0f} s "
        f"(in the background; this test waited {waited:.0f} s)"
    )
