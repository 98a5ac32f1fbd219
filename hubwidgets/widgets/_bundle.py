"""The front-end code: one bundle for every widget, sent once per page rather than per widget.

anywidget ships a widget's code in its ``_esm`` trait, so each instance's comm_open carried the
whole bundle (~250 KB; an explorer of four panels, 1 MB before any data). Here one live widget,
the *carrier*, holds the full bundle (``static/hubwidgets.js``: every widget, its styles and the
Arrow decoder; gzip-compressed in a small loader, see :func:`full_esm`); every other widget
holds a stub of a few hundred bytes that waits for the carrier's code on the same page and
renders with it. The page registers the bundle under ``Symbol.for("hubwidgets:<bundle id>")``,
the id being a hash of the bundle, so two versions never mix.

Saved widget state (an exported notebook, a notebook reopened without a kernel, Voilà) holds
the carrier too, so views drawn from it work offline. When the carrier closes, a live stub
becomes the carrier (its ``_esm`` is replaced), so the state of the widgets left still holds the
code. With ``ANYWIDGET_HMR=1`` (front-end development) every widget carries the bundle file and
anywidget reloads it on change; in Google Colab, which draws each output in a frame of its own,
every widget carries the bundle too.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import weakref
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["BUNDLE", "STATIC", "bundle_id", "esm_for", "full_esm", "handover", "stub_esm"]

STATIC = Path(__file__).parent / "static"
BUNDLE = "hubwidgets.js"

#: Seconds the stub waits for the carrier's code before saying what is wrong.
STUB_WAIT_S = 60


def _bundle_path() -> Path:
    path = STATIC / BUNDLE
    if not path.is_file():
        raise FileNotFoundError(
            f"the widget front-end {path} is missing: it is built from js/ when the package is "
            "installed. In a checkout, run `pip install -e .` again, or `npm install && npm run "
            "build` in js/ (Node.js 20 or later)."
        )
    return path


@cache
def full_esm() -> str:
    """The whole bundle, as the carrier's ``_esm``: gzip-compressed (base64) inside a loader
    that unpacks it in the page (``DecompressionStream``) and imports it, so that the carrier's
    comm_open (and the saved widget state) holds ~70 KB instead of ~180 KB."""
    packed = base64.b64encode(gzip.compress(_bundle_path().read_bytes(), 9, mtime=0))
    return _LOADER.replace("__PACKED__", packed.decode("ascii"))


_LOADER = """\
// hubwidgets: the front-end bundle, gzip-compressed; unpacked and imported here
if (typeof DecompressionStream === "undefined") {
  throw new Error("hubwidgets: this browser cannot unpack the widget code (DecompressionStream)");
}
const packed = "__PACKED__";
const bytes = Uint8Array.from(atob(packed), (c) => c.charCodeAt(0));
const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
const code = await new Response(stream).text();
const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
const bundle = await import(url);
URL.revokeObjectURL(url);
export default bundle.default;
"""


@cache
def bundle_id() -> str:
    """A short hash of the bundle: the key the page registers it under."""
    return hashlib.sha256(full_esm().encode()).hexdigest()[:16]


@cache
def stub_esm() -> str:
    """The ``_esm`` of every widget but the carrier: wait for the bundle, then render with it."""
    return _STUB.replace("__WAIT_MS__", str(STUB_WAIT_S * 1000))


_STUB = """\
// hubwidgets: this widget's code comes with another hubwidgets widget on the page
const wait = (model) => {
  const key = Symbol.for(`hubwidgets:${model.get("_bundle")}`);
  const slot = (globalThis[key] ??= (() => {
    let resolve;
    const promise = new Promise((r) => { resolve = r; });
    return { promise, resolve };
  })());
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error("hubwidgets: the front-end code did not arrive")),
      __WAIT_MS__);
  });
  return Promise.race([slot.promise, late]).finally(() => clearTimeout(timer));
};
export default {
  async initialize(ctx) {
    const bundle = await wait(ctx.model);
    return bundle.initialize?.(ctx);
  },
  async render(ctx) {
    try {
      const bundle = await wait(ctx.model);
      return bundle.render(ctx);
    } catch (err) {
      ctx.el.textContent = `${err.message}: re-run the cell that made the widget`;
    }
  },
};
"""

# the live widgets that carry the full bundle (at most one, unless in HMR mode)
_carriers: weakref.WeakSet[Any] = weakref.WeakSet()
# every live widget, in creation order, for a handover when the carrier closes
_live: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
_count = 0


def _hmr() -> bool:
    return os.environ.get("ANYWIDGET_HMR", "").strip().lower() in {"1", "true", "yes"}


def _isolated_outputs() -> bool:
    """Each output drawn in a frame of its own (Google Colab): no page to share the code in."""
    from anywidget._util import in_colab  # noqa: PLC0415 (anywidget's own check)

    return bool(in_colab())


def _alive(widget: Any) -> bool:
    return getattr(widget, "comm", None) is not None


@cache
def _watched() -> Any:
    """The bundle file, watched for changes (``ANYWIDGET_HMR=1``; needs watchfiles)."""
    from anywidget._file_contents import FileContents  # noqa: PLC0415 (development only)

    return FileContents(_bundle_path(), start_thread=True)


def esm_for(widget: Any) -> str:
    """The ``_esm`` a new widget gets: the full bundle when no live widget carries it."""
    global _count  # noqa: PLW0603 (a counter for the handover order)
    _count += 1
    _live[_count] = widget
    if _hmr():  # every widget carries the bundle, and follows its rebuilds
        source = _watched()
        ref = weakref.ref(widget)

        def reload(contents: str) -> None:
            live = ref()
            if live is not None and _alive(live):
                live._esm = contents

        source.changed.connect(reload)
        _carriers.add(widget)
        return str(source)
    if _isolated_outputs() or not any(_alive(w) for w in list(_carriers)):
        _carriers.add(widget)
        return full_esm()
    return stub_esm()


def handover(closing: Any) -> None:
    """``closing`` is about to close: if it carried the bundle, give it to a live widget."""
    if closing not in _carriers:
        return
    _carriers.discard(closing)
    if any(_alive(w) for w in list(_carriers)):
        return
    for key in sorted(_live.keys()):
        widget = _live.get(key)
        if widget is None or widget is closing or not _alive(widget):
            continue
        _carriers.add(widget)
        widget._esm = full_esm()
        return
