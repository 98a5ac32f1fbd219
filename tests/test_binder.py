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

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
BINDER = REPO_ROOT / "binder"
ENVIRONMENT_YML = BINDER / "environment.yml"
POST_BUILD = BINDER / "postBuild"

#: Lines of postBuild's output shown when it fails.
TAIL_LINES = 80


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


def _gitignored(root: Path) -> Callable[[str, list[str]], set[str]]:
    """A copytree ignore function for .git and what .gitignore names (its simple patterns)."""
    patterns = [
        line.strip().rstrip("/")
        for line in (root / ".gitignore").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith(("#", "!"))
    ]

    def ignore(folder: str, names: list[str]) -> set[str]:
        rel = Path(folder).relative_to(root)
        out = {".git"} & set(names)
        for name in names:
            path = (rel / name).as_posix()
            for pattern in patterns:
                if "/" in pattern:
                    if fnmatch.fnmatch(path, pattern.lstrip("/")):
                        out.add(name)
                elif fnmatch.fnmatch(name, pattern):
                    out.add(name)
        return out

    return ignore


def _tail(log: Path) -> str:
    return "\n".join(log.read_text("utf-8", errors="replace").splitlines()[-TAIL_LINES:])


CHECK = textwrap.dedent(
    """
    import importlib.metadata, json, os, sys, sysconfig
    import hubwidgets
    from hubwidgets.widgets import _bundle

    dist = importlib.metadata.distribution("hubwidgets")
    # the inference extra works: a real model (shipped on PyPI) ranks a similar sentence first
    from hubwidgets.testing.models import minilm_path
    scores = hubwidgets.LocalBackend(device="cpu").run(
        "sentence-similarity", minilm_path(),
        {"source_sentence": "A man is eating food.",
         "sentences": ["A man eats bread.", "The stock market fell."]},
    ).outputs[0]
    assert scores[0] > scores[1] + 0.3, scores
    w = hubwidgets.SearchWidget(catalog=hubwidgets.starter_catalog())
    try:
        esm = len(w._esm.encode())
    finally:
        w.close()
    print(json.dumps({
        "prefix": sys.prefix,
        "purelib": sysconfig.get_paths()["purelib"],
        "file": hubwidgets.__file__,
        "version": hubwidgets.__version__,
        "dist_version": dist.version,
        "direct_url": json.loads(dist.read_text("direct_url.json") or "null"),
        "static": os.path.getsize(_bundle.STATIC / _bundle.BUNDLE),
        "widget": esm,
    }))
    """
)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_post_build_installs_the_package_in_a_fresh_venv(tmp_path: Path) -> None:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        pytest.skip(
            f"{' and '.join(missing)} not on PATH: binder/postBuild builds the front-end with "
            "Node.js (binder/environment.yml brings it on Binder)"
        )
    started = time.monotonic()

    # a clean copy of the repository, as repo2docker copies a fresh clone into the image
    repo = tmp_path / "repo"
    shutil.copytree(REPO_ROOT, repo, ignore=_gitignored(REPO_ROOT), symlinks=True)
    assert not (repo / "js" / "node_modules").exists()
    assert not (repo / "hubwidgets" / "widgets" / "static").exists()

    # a fresh virtual environment, not seeing this one's packages
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE")
    }
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
    )

    # environment.yml's pytorch-cpu (conda) stands here as PyTorch's CPU wheel, installed first
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "torch==2.13.0"],
        env=env,
        check=True,
        timeout=600,
    )

    # run postBuild as repo2docker does: `./binder/postBuild` from the repository root
    log = tmp_path / "postBuild.log"
    with log.open("w", encoding="utf-8") as out:
        try:
            done = subprocess.run(
                ["./binder/postBuild"],
                cwd=repo,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=840,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"binder/postBuild timed out; the end of its output:\n{_tail(log)}")
    assert done.returncode == 0, (
        f"binder/postBuild failed ({done.returncode}); the end of its output:\n{_tail(log)}"
    )
    built = time.monotonic() - started

    # check with the fresh environment's Python, outside the copy (cwd would shadow the install)
    check = subprocess.run(
        [str(python), "-c", CHECK],
        cwd=tmp_path,
        env={**env, "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert check.returncode == 0, (
        f"the installed package does not work:\n{check.stdout}\n{check.stderr}"
    )
    got = json.loads(check.stdout.strip().splitlines()[-1])

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
    print(f"binder/postBuild in a fresh venv: {built:.0f} s")
