// What every node test of the built bundle sets up the same way: a simulated DOM (jsdom) in the
// globals the bundle reads, the bundle itself, a widget mounted afresh for each test, and the
// small helpers the tests share (a button by its text, Arrow IPC bytes, file choosing, waiting).
//
//   const window = installDom(["File"]); // before loadWidgets: extra globals the widget reads
//   const { widgets } = await loadWidgets();
//   describe("X", () => {
//     const view = mounting(widgets.x, FakeModel);
//     test("...", () => {
//       const { el, model } = view.mount({ some: "state" });
//     });
//   });

import { afterEach, beforeEach } from "node:test";
import { tableFromArrays, tableToIPC } from "apache-arrow";
import { JSDOM } from "jsdom";

/** The DOM globals every widget reads. */
const GLOBALS = ["document", "Element", "HTMLElement", "Event", "KeyboardEvent", "MouseEvent"];

let dom;

/** Put jsdom's window objects in the globals (these and `extraGlobals`, names of the window's
 * properties) and return the window. Idempotent: one DOM per test process, whoever asks first. */
export function installDom(extraGlobals = []) {
  // pretendToBeVisual: requestAnimationFrame and friends exist, as in a browser
  dom ??= new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
  for (const name of [...GLOBALS, ...extraGlobals]) globalThis[name] = dom.window[name];
  return dom.window;
}

/** The built bundle's exports (`widgets`, the foundation, pure helpers), over the DOM.
 * Run `npm run build` first: the tests test what ships. */
export async function loadWidgets() {
  installDom();
  return import("../../hubwidgets/widgets/static/hubwidgets.js");
}

/** Mount `widget` in a fresh element for each test of the calling describe (or file, at the top
 * level), against a `new Model(state)`; the view is removed and the element dropped after each.
 * The accessors read the current test's element and model. */
export function mounting(widget, Model) {
  let el;
  let model;
  let dispose;
  const unmount = () => {
    dispose?.();
    dispose = undefined;
  };
  beforeEach(() => {
    el = document.createElement("div");
    document.body.append(el);
  });
  afterEach(() => {
    unmount();
    el.remove();
  });
  return {
    /** Draw the widget from `state` (the model's defaults overridden); `{el, model}` back. */
    mount(state) {
      model = new Model(state);
      dispose = widget.render({ model, el });
      return { el, model };
    },
    /** Remove the view now (what closing the output does), e.g. to check what it leaves. */
    unmount,
    get el() {
      return el;
    },
    get model() {
      return model;
    },
  };
}

/** The first element under `root` matching `selector` whose text is `text` (or undefined). */
export function byText(root, selector, text) {
  return [...root.querySelectorAll(selector)].find((node) => node.textContent === text);
}

/** A table as the kernel sends it (a `Table` trait, a protocol body's table): Arrow IPC from
 * `{name: values}` columns, as a DataView into a larger buffer, as anywidget hands bytes over
 * (offset on purpose, so a reader that forgets the offset fails here). */
export function ipc(columns) {
  const bytes = tableToIPC(tableFromArrays(columns), "stream");
  const backing = new Uint8Array(bytes.byteLength + 8);
  backing.set(bytes, 8);
  return new DataView(backing.buffer, 8, bytes.byteLength);
}

/** Choose `files` in a file input, as the user does: the input's files, then its change event. */
export function chooseFiles(input, files) {
  Object.defineProperty(input, "files", { value: files, configurable: true });
  input.dispatchEvent(new Event("change"));
}

/** Let `ms` milliseconds of timers and promise callbacks (replies, file reads) run. */
export function tick(ms = 0) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
