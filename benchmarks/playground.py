"""Playground benchmark: what the widget adds to a model run, in JupyterLab in Chromium.

Tiny random-weight models (``hubwidgets.testing.models``) on the CPU, offline, so the backend's
own time is small and the widget's share is visible. A benchmark, not a timed test: it prints
numbers and whether the goals are met.

    .venv/bin/python benchmarks/playground.py              # 30 runs, 12 streams
    .venv/bin/python benchmarks/playground.py --runs 50 --streams 20

It starts JupyterLab (127.0.0.1, no token) and headless Chromium (/usr/bin/chromium, or
$HUBWIDGETS_CHROMIUM), runs a notebook that shows three things on one shared ``LocalBackend``
wrapped in a timer (the wall time of each ``backend.run``, and the wall-clock time at which each
``backend.stream`` yields its first piece):

- ``hw.Playground("text-classification", [tiny classifier])``;
- ``hw.Playground("text-generation", [tiny GPT-2])`` (8 new tokens, streamed);
- a baseline, the way a notebook does it with plain ipywidgets: a ``Button`` whose click runs
  the same backend call and sets an ``ipywidgets.HTML`` to the labels as a table.

Then, in the page:

- overhead per run = (click -> the cell's output in the DOM, ``performance.now()`` and a
  MutationObserver) minus the backend's own wall time for that run (kernel clock). The click is
  a DOM click dispatched in the page; the warm-up runs (model loading) are left out;
- first token = the wall-clock time the page shows the first streamed text
  (``performance.timeOrigin + performance.now()``) minus the wall-clock time the backend yielded
  it in the kernel (``time.time()``): both clocks are this machine's.

The last line is machine-readable (both are p95s):

    playground overhead_p95_ms=... first_token_ms=...
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from widget import NODELAY_CONFIG, server_as_installed  # noqa: E402 (the same server patch as the search benchmark)

from hubwidgets.testing.lab import (  # noqa: E402
    VIEWPORT,
    Lab,
    chromium_missing,
    error_outputs,
    kernel_eval,
    launch_chromium,
    open_notebook,
    run_all,
    start_lab,
    write_notebook,
)

GOAL_OVERHEAD_P95_MS = 50.0
GOAL_FIRST_TOKEN_MS = 100.0

SETUP = """\
import os
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
import tempfile, time
import transformers
transformers.utils.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()
import ipywidgets as ipw
import hubwidgets as hw
from hubwidgets.core.inference.backends import LocalBackend
from hubwidgets.testing import models as tiny

root = tempfile.mkdtemp()
sentiment = tiny.tiny_text_classifier(f"{root}/sentiment")
gpt2 = tiny.tiny_gpt2(f"{root}/gpt2")


class Timed:
    \"\"\"A backend, timed: wall ms of each run; wall-clock ms of each stream's first piece.\"\"\"

    name = "local"

    def __init__(self, inner):
        self.inner = inner
        self.runs = []
        self.first_piece = []

    @property
    def device(self):
        return self.inner.device

    def run(self, task, model, inputs, **params):
        started = time.perf_counter()
        try:
            return self.inner.run(task, model, inputs, **params)
        finally:
            self.runs.append((time.perf_counter() - started) * 1000)

    def stream(self, task, model, inputs, **params):
        first = True
        for piece in self.inner.stream(task, model, inputs, **params):
            if first:
                self.first_piece.append(time.time() * 1000)
                first = False
            yield piece


local = LocalBackend(device="cpu")
timed = Timed(local)
baseline_backend = Timed(local)"""

PLAYGROUND = 'pg = hw.Playground("text-classification", [sentiment], backend=timed)\npg'
STREAM = (
    'gen = hw.Playground("text-generation", [gpt2], backend=timed,\n'
    '                    params={"max_new_tokens": 8, "min_new_tokens": 8})\ngen'
)
BASELINE = """\
b_text = ipw.Textarea(value="a good movie", description="Prompt")
b_run = ipw.Button(description="Run baseline")
b_out = ipw.HTML()
b_count = [0]


def b_click(_button):
    b_count[0] += 1
    result = baseline_backend.run("text-classification", sentiment, b_text.value)
    rows = "".join(
        f"<tr><td>{d['label']}</td><td>{d['score']:.3f}</td></tr>" for d in result.outputs[0]
    )
    b_out.value = f"<table class='bl-done' data-run='{b_count[0]}'>{rows}</table>"


b_run.on_click(b_click)
ipw.VBox([b_text, b_run, b_out])"""

# click Run in the first Playground; resolve with ms until a finished cell is in the DOM
# the Run button is disabled while the kernel says a run is going: wait for it like a person would
READY_JS = """(index) => {
  const root = document.querySelectorAll('.hubwidgets-playground')[index];
  const button = [...root.querySelectorAll('button')].find((b) => b.textContent === 'Run');
  return !button.disabled;
}"""

CLICK_PLAYGROUND_JS = """(index) => new Promise((resolve, reject) => {
  const root = document.querySelectorAll('.hubwidgets-playground')[index];
  root.querySelector('.hw-cells').replaceChildren();
  const button = [...root.querySelectorAll('button')].find((b) => b.textContent === 'Run');
  let t0 = 0;
  const observer = new MutationObserver(() => {
    if (root.querySelector('.hw-cell.hw-done, .hw-cell.hw-failed')) {
      observer.disconnect();
      resolve(performance.now() - t0);
    }
  });
  observer.observe(root, {subtree: true, childList: true, attributes: true});
  setTimeout(() => reject(new Error('no cell after 30 s; status: '
    + root.querySelector('[role=status]')?.textContent)), 30000);
  t0 = performance.now();
  button.click();
})"""

CLICK_BASELINE_JS = """(run) => new Promise((resolve, reject) => {
  const button = [...document.querySelectorAll('button')]
    .find((b) => b.textContent.trim() === 'Run baseline');
  const box = button.closest('.widget-vbox') ?? document.body;
  let t0 = 0;
  const observer = new MutationObserver(() => {
    if (box.querySelector(`table.bl-done[data-run='${run}']`)) {
      observer.disconnect();
      resolve(performance.now() - t0);
    }
  });
  observer.observe(box, {subtree: true, childList: true});
  setTimeout(() => reject(new Error('no baseline table after 30 s')), 30000);
  t0 = performance.now();
  button.click();
})"""

# click Run in the streaming Playground; resolve with the wall-clock ms of the first text shown
STREAM_JS = """(index) => new Promise((resolve, reject) => {
  const root = document.querySelectorAll('.hubwidgets-playground')[index];
  root.querySelector('.hw-cells').replaceChildren();
  const button = [...root.querySelectorAll('button')].find((b) => b.textContent === 'Run');
  let first = null;
  const observer = new MutationObserver(() => {
    const text = root.querySelector('.hw-cell .hw-generated')?.textContent ?? '';
    if (first === null && text.length > 0) first = performance.timeOrigin + performance.now();
    if (root.querySelector('.hw-cell.hw-done, .hw-cell.hw-failed')) {
      observer.disconnect();
      resolve(first);
    }
  });
  observer.observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
  setTimeout(() => reject(new Error('no finished stream after 30 s')), 30000);
  button.click();
})"""


def stats(values: Sequence[float]) -> tuple[float, float, float]:
    """p50, p95 and max (numpy's linear percentiles)."""
    a = np.asarray(values, dtype=float)
    return float(np.percentile(a, 50)), float(np.percentile(a, 95)), float(a.max())


def fmt(values: Sequence[float]) -> str:
    if not values:
        return "n/a"
    p50, p95, top = stats(values)
    return f"p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  max {top:7.1f} ms  (n={len(values)})"


def progress(text: str) -> None:
    print(f"[playground] {text}", file=sys.stderr, flush=True)


def kernel_list(page: Page, expression: str) -> list[float]:
    out = kernel_eval(page, f"import json; print(json.dumps({expression}))")
    return [float(x) for x in json.loads(out)]


def click(page: Page, script: str, index: int) -> Any:
    """Run ``script`` (which clicks Run) once the Run button is enabled; what it resolves to."""
    page.wait_for_function(READY_JS, arg=index)
    return page.evaluate(script, index)


def measure(page: Page, args: argparse.Namespace) -> dict[str, list[float]]:
    page.get_by_role("textbox", name="Prompt").first.fill("a good movie")
    prompt = page.locator(".hubwidgets-playground").nth(1).get_by_role("textbox", name="Prompt")
    prompt.fill("Once upon a time")
    progress(f"{args.warmup} warm-up + {args.runs} runs of the playground")
    clicks = [float(click(page, CLICK_PLAYGROUND_JS, 0)) for _ in range(args.warmup + args.runs)]
    backend = kernel_list(page, "timed.runs")
    progress(f"{args.warmup} warm-up + {args.runs} runs of the baseline")
    base_clicks = [
        float(page.evaluate(CLICK_BASELINE_JS, k + 1)) for k in range(args.warmup + args.runs)
    ]
    base_backend = kernel_list(page, "baseline_backend.runs")
    progress(f"{args.warmup} warm-up + {args.streams} streams")
    shown = [click(page, STREAM_JS, 1) for _ in range(args.warmup + args.streams)]
    yielded = kernel_list(page, "timed.first_piece")
    w = args.warmup
    return {
        "click": clicks[w:],
        "backend": backend[w:],
        "overhead": [c - b for c, b in zip(clicks[w:], backend[w:], strict=True)],
        "base_click": base_clicks[w:],
        "base_backend": base_backend[w:],
        "base_overhead": [c - b for c, b in zip(base_clicks[w:], base_backend[w:], strict=True)],
        "first_token": [
            float(s) - y for s, y in zip(shown[w:], yielded[w:], strict=True) if s is not None
        ],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30, help="timed runs (at least 20)")
    ap.add_argument("--streams", type=int, default=12, help="timed streamed generations")
    ap.add_argument("--warmup", type=int, default=3, help="untimed runs first (model loading)")
    ap.add_argument(
        "--tcp-nodelay",
        action="store_true",
        help="diagnosis: patch the lab's jupyter_server to set TCP_NODELAY on kernel websockets",
    )
    args = ap.parse_args(argv)
    missing = chromium_missing()
    if missing:
        print(f"error: this benchmark drives Chromium, and {missing}", file=sys.stderr)
        return 2
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} at start; Python "
        f"{platform.python_version()}; Chromium headless at {VIEWPORT['width']}x"
        f"{VIEWPORT['height']}; JupyterLab on 127.0.0.1"
    )
    print(
        "server: "
        + (
            "jupyter_server PATCHED to set TCP_NODELAY on kernel websockets (--tcp-nodelay)"
            if args.tcp_nodelay
            else server_as_installed()
        )
    )
    print(
        "models: tiny random-weight models made here (a 2-label BERT classifier, a GPT-2 with "
        "32-dim embeddings), LocalBackend on the CPU: their outputs mean nothing"
    )
    started = time.perf_counter()
    lab: Lab | None = None
    with tempfile.TemporaryDirectory(prefix="hw-playground-bench-") as tmp:
        try:
            env: dict[str, str | None] = {}
            if args.tcp_nodelay:
                config = Path(tmp) / "jupyter-config"
                config.mkdir()
                (config / "jupyter_server_config.py").write_text(NODELAY_CONFIG, encoding="utf-8")
                env["JUPYTER_CONFIG_DIR"] = str(config)
            lab = start_lab(Path(tmp), env=env)
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                try:
                    page = browser.new_context(viewport=VIEWPORT).new_page()
                    page.set_default_timeout(120_000)
                    name = write_notebook(lab, "bench.ipynb", SETUP, PLAYGROUND, STREAM, BASELINE)
                    open_notebook(page, lab, name)
                    run_all(page)
                    errors = error_outputs(page)
                    if errors:
                        print("error: the notebook failed:\n" + "\n".join(errors), file=sys.stderr)
                        return 1
                    result = measure(page, args)
                finally:
                    browser.close()
        finally:
            if lab is not None:
                lab.stop()
    report(result, time.perf_counter() - started)
    return 0


def report(result: dict[str, list[float]], wall_s: float) -> None:
    print()
    print("== one run, click -> cell output in the DOM (text-classification, 1 model) ==")
    print(f"  Playground  click -> rendered   {fmt(result['click'])}")
    print(f"              backend.run wall    {fmt(result['backend'])}")
    print(f"              overhead            {fmt(result['overhead'])}")
    print("== baseline: ipywidgets Button + HTML table, same backend call ==")
    print(f"  baseline    click -> rendered   {fmt(result['base_click'])}")
    print(f"              backend.run wall    {fmt(result['base_backend'])}")
    print(f"              overhead            {fmt(result['base_overhead'])}")
    print("== streaming (tiny GPT-2, 8 new tokens): backend yields piece 1 -> text on screen ==")
    print(f"  first token                     {fmt(result['first_token'])}")
    overhead_p95 = stats(result["overhead"])[1]
    base_p95 = stats(result["base_overhead"])[1]
    first_p95 = stats(result["first_token"])[1] if result["first_token"] else float("nan")
    print(
        f"overhead p95 {overhead_p95:.1f} ms vs baseline {base_p95:.1f} ms "
        f"({overhead_p95 / base_p95:.2f}x the plain-ipywidgets page)"
        if base_p95 > 0
        else f"overhead p95 {overhead_p95:.1f} ms"
    )
    met = "met" if overhead_p95 <= GOAL_OVERHEAD_P95_MS else "NOT met"
    print(f"goal: widget overhead p95 <= {GOAL_OVERHEAD_P95_MS:.0f} ms: {met}")
    met = "met" if first_p95 <= GOAL_FIRST_TOKEN_MS else "NOT met"
    print(f"goal: first streamed token on screen p95 <= {GOAL_FIRST_TOKEN_MS:.0f} ms: {met}")
    print(f"wall time {wall_s:.0f} s")
    print(f"playground overhead_p95_ms={overhead_p95:.1f} first_token_ms={first_p95:.1f}")


if __name__ == "__main__":
    sys.exit(main())
