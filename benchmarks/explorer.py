"""Explorer benchmark: hw.HubExplorer on a Hub-sized catalog in JupyterLab in Chromium.

The catalog is RESAMPLED from the real Hub records in ../shared/data to --rows rows (3.1M by
default; see benchmarks/README.md): real distributions, not Hub data. A benchmark, not a timed
test: it prints numbers and whether the goals (issue 16) are met.

    .venv/bin/python benchmarks/explorer.py                # 20 focus moves
    .venv/bin/python benchmarks/explorer.py --focuses 40

It starts JupyterLab (127.0.0.1, no token) and headless Chromium, runs a first cell that loads
the catalog (untimed), then the cell ``hw.HubExplorer(catalog=cat)`` with Shift+Enter, and
measures in the page (``performance.now()``):

- first paint: from the Shift+Enter keydown that runs the explorer's cell to the moment the
  Explorer panel's grid shows its first row, filled in (a MutationObserver);
- details: focus moves down the results with the arrow key; from each keydown to the moment
  the Details panel shows that model (its title is the row's id, nothing loading), each model
  seen for the first time (no cached answer);
- comm_open: the bytes of every comm_open frame the page receives for the explorer's cell (the
  explorer, whose state carries the one front-end bundle of the page, its layout, and the output
  under it), counted by Playwright on the kernel websocket.

The goals: first paint <= 1000 ms, details p95 <= 150 ms, comm_open <= 128 KB in all. The last
line is machine-readable:

    explorer first_paint_ms=... details_p95_ms=... comm_open_kb=...
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from playwright.sync_api import Page, WebSocket, expect, sync_playwright

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _catalog import NOTE, cache_path, label  # noqa: E402
from _frames import frame_size, parse_frame  # noqa: E402

from hubwidgets.testing.lab import (  # noqa: E402
    chromium_missing,
    error_outputs,
    launch_chromium,
    notebook_panel,
    open_notebook,
    start_lab,
    write_notebook,
)

KB = 1000  # bytes; the report says so
VIEWPORT = {"width": 1700, "height": 1000}  # four panels side by side
GOALS = {"first_paint_ms": 1000.0, "details_p95_ms": 150.0, "comm_open_kb": 128.0}
NOTEBOOK = "explorer-benchmark.ipynb"

CELL_LOAD = """\
import time
import hubwidgets as hw
t0 = time.perf_counter()
cat = hw.Catalog.read_parquet({path!r})
cat.index
for _q in ("bert", "llama", ""):  # numba's kernels: compiled or loaded now, not timed
    cat.count(query=_q), cat.facets(query=_q, top=30), cat.search(query=_q, limit=50)
_warm = hw.HubExplorer(catalog=cat)  # the explorer's code paths, once (never displayed)
_warm.close()
print(f"{{len(cat):,}} models loaded and warmed in {{time.perf_counter() - t0:.1f}} s")"""

CELL_EXPLORER = "explorer = hw.HubExplorer(catalog=cat)\nexplorer"

#: Before any page script: the time stamp of every keydown (capture phase).
INIT_JS = """(() => {
    window.__hw = {keys: [], paint: null};
    window.addEventListener('keydown', e => window.__hw.keys.push([e.key, e.timeStamp]), true);
})();"""

#: Set ``__hw.paint`` once the explorer's grid shows a filled first row.
WATCH_PAINT_JS = """() => {
    const hw = window.__hw;
    hw.paint = null;
    hw.keys = [];
    const ready = () => {
        const row = document.querySelector(
            ".hubwidgets-explorer .hw-grid-canvas [role=row][data-index='0']");
        if (row === null || row.hidden || row.hasAttribute('aria-busy')) return false;
        const cell = row.querySelectorAll('[role=gridcell]')[1];
        return cell !== undefined && cell.textContent !== '';
    };
    const observer = new MutationObserver(() => {
        if (hw.paint === null && ready()) { hw.paint = performance.now(); observer.disconnect(); }
    });
    observer.observe(document.body,
        {subtree: true, childList: true, attributes: true, characterData: true});
}"""

#: Set ``__hw.done`` once the Details panel shows model ``id`` (nothing loading).
WATCH_DETAIL_JS = """([id]) => {
    const hw = window.__hw;
    const panel = document.querySelector('.hubwidgets-explorer .hw-panel-details');
    const ready = () => {
        const pane = panel.querySelector('.hw-detail');
        const title = panel.querySelector('.hw-detail-title');
        return pane !== null && !pane.hidden && !pane.hasAttribute('aria-busy')
            && title !== null && title.textContent === id
            && panel.querySelector('.hw-detail-meta') !== null;
    };
    hw.done = null;
    hw.keys = [];
    const observer = new MutationObserver(() => {
        if (hw.done === null && ready()) { hw.done = performance.now(); observer.disconnect(); }
    });
    observer.observe(panel,
        {subtree: true, childList: true, attributes: true, characterData: true});
}"""

ROW_ID_JS = """([index]) => {
    const row = document.querySelector(
        `.hubwidgets-explorer .hw-grid-canvas [role=row][data-index='${index}']`);
    if (row === null || row.hidden || row.hasAttribute('aria-busy')) return null;
    return row.querySelectorAll('[role=gridcell]')[1].textContent;
}"""


def progress(text: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


class CommOpens:
    """The comm_open frames the page receives on kernel websockets, with their sizes."""

    def __init__(self) -> None:
        self.frames: list[tuple[int, str]] = []  # (bytes, target/model name)
        self.counting = False

    def attach(self, ws: WebSocket) -> None:
        if "/api/kernels/" not in ws.url:
            return

        def received(payload: str | bytes) -> None:
            if not self.counting:
                return
            message = parse_frame(payload)
            if message is not None and message.msg_type == "comm_open":
                state = message.content.get("data", {}).get("state", {})
                name = str(state.get("_model_name") or state.get("_anywidget_id") or "?")
                self.frames.append((frame_size(payload), name))

        ws.on("framereceived", received)


def key_time(page: Page, key: str) -> float:
    keys: list[list[Any]] = page.evaluate("() => window.__hw.keys")
    return float(next(t for k, t in reversed(keys) if k == key))


def run(page: Page, lab: Any, path: Path, args: argparse.Namespace, opens: CommOpens) -> dict:
    write_notebook(lab, NOTEBOOK, CELL_LOAD.format(path=str(path)), CELL_EXPLORER)
    progress("opening the notebook; loading the catalog in the kernel")
    open_notebook(page, lab, NOTEBOOK)
    cells = notebook_panel(page).locator(".jp-CodeCell")
    cells.nth(0).locator(".jp-InputArea-prompt").click()  # select cell 1 (command mode)
    page.keyboard.press("Shift+Enter")
    expect(cells.nth(0).locator(".jp-OutputArea-output")).to_contain_text(
        "models loaded", timeout=args.load_timeout * 1000
    )
    load_line = cells.nth(0).locator(".jp-OutputArea-output").inner_text().strip()
    progress(load_line)
    page.wait_for_timeout(500)

    # -- first paint ---------------------------------------------------------------------------
    page.evaluate(WATCH_PAINT_JS)
    opens.counting = True
    page.keyboard.press("Shift+Enter")  # cell 2 is selected: run it
    page.wait_for_function("() => window.__hw.paint !== null", timeout=60_000)
    first_paint = float(page.evaluate("() => window.__hw.paint")) - key_time(page, "Enter")
    page.wait_for_timeout(1500)  # the rest of the explorer's comm traffic (facets, the output)
    opens.counting = False
    errors = error_outputs(page)
    if errors:
        raise RuntimeError("the notebook shows errors:\n" + "\n".join(errors))
    progress(f"first paint {first_paint:.0f} ms")

    # -- details: arrow down the results, each model new ------------------------------------
    grid = notebook_panel(page).locator(".hubwidgets-explorer [role=grid]")
    grid.focus()
    page.keyboard.press("Home")
    details: list[float] = []
    for index in range(1, args.focuses + 2):
        page.wait_for_function(ROW_ID_JS, arg=[index], timeout=30_000)
        model = page.evaluate(ROW_ID_JS, [index])
        page.evaluate(WATCH_DETAIL_JS, [model])
        page.keyboard.press("ArrowDown")
        page.wait_for_function("() => window.__hw.done !== null", timeout=30_000)
        ms = float(page.evaluate("() => window.__hw.done")) - key_time(page, "ArrowDown")
        if index > 1:  # the first focus warms the page's code path
            details.append(ms)
        page.wait_for_timeout(400)  # the other panels' requests, as a reader would let them
    return {
        "load_line": load_line,
        "first_paint_ms": first_paint,
        "details_ms": details,
        "comm_opens": list(opens.frames),
    }


def ensure_catalog(rows: int, seed: int) -> Path | None:
    path = cache_path(rows, seed)
    if path.exists():
        return path
    progress(f"building the {label(rows)}-row catalog once (about a minute): {path}")
    done = subprocess.run(
        [sys.executable, str(HERE / "_catalog.py"), "--rows", str(rows), "--seed", str(seed)],
        check=False,
    )
    return path if done.returncode == 0 and path.exists() else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--focuses", type=int, default=20, help="timed focus moves (at least 20)")
    ap.add_argument("--rows", type=int, default=3_100_000, help="catalog size")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--load-timeout", type=float, default=600.0, help="s to load the catalog")
    args = ap.parse_args(argv)
    missing = chromium_missing()
    if missing:
        print(f"error: this benchmark drives Chromium, and {missing}", file=sys.stderr)
        return 2
    path = ensure_catalog(args.rows, args.seed)
    if path is None:
        print("SKIPPED (exit 0): the recorded Hub data (../shared/data) is not on this machine")
        return 0
    print(f"catalog: {args.rows:,} models, {NOTE} ({path.name})")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} at start; Python "
        f"{platform.python_version()}; Chromium headless at {VIEWPORT['width']}x"
        f"{VIEWPORT['height']}",
        flush=True,
    )
    lab = None
    with tempfile.TemporaryDirectory(prefix="hw-explorer-bench-") as tmp:
        try:
            lab = start_lab(Path(tmp))
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                try:
                    context = browser.new_context(viewport=VIEWPORT)
                    context.set_default_timeout(30_000)
                    context.add_init_script(INIT_JS)
                    page = context.new_page()
                    opens = CommOpens()
                    page.on("websocket", opens.attach)
                    result = run(page, lab, path, args, opens)
                finally:
                    browser.close()
        finally:
            if lab is not None:
                lab.stop()
    details = np.asarray(result["details_ms"], dtype=float)
    p50, p95 = (float(np.percentile(details, q)) for q in (50, 95))
    comm_kb = sum(size for size, _ in result["comm_opens"]) / KB
    print(f"kernel: {result['load_line']}")
    print("comm_open frames of the explorer's cell:")
    for size, name in result["comm_opens"]:
        print(f"  {size / KB:8.1f} KB  {name}")
    line = {
        "first_paint_ms": result["first_paint_ms"],
        "details_p95_ms": p95,
        "comm_open_kb": comm_kb,
    }
    print(
        f"details ({len(details)} focus moves): p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
        f"max {details.max():.0f} ms"
    )
    for key, goal in GOALS.items():
        verdict = "met" if line[key] <= goal else "NOT MET"
        print(f"goal {key} <= {goal:g}: {line[key]:.1f} -> {verdict}")
    print(
        f"explorer first_paint_ms={line['first_paint_ms']:.1f} "
        f"details_p95_ms={line['details_p95_ms']:.1f} comm_open_kb={line['comm_open_kb']:.1f}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
