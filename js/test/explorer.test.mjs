// The built HubExplorer bundle in a simulated DOM (jsdom), against a fake model holding what the
// kernel sends: the search's first rows in state (Arrow IPC), and the panels' replies (detail,
// performance, integration, versions as a later event, open). Run with `npm test` after
// `npm run build`.

import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeModel as BaseModel, noFilters } from "./fake-model.mjs";
import { byText, installDom, ipc, loadWidgets, mounting, tick } from "./harness.mjs";

installDom([
  "HTMLInputElement",
  "requestAnimationFrame",
  "cancelAnimationFrame",
  "CSS",
  "KeyboardEvent",
]);
globalThis.CSS ??= { escape: (s) => s.replace(/["\\]/g, "\\$&") };

const { widgets } = await loadWidgets();
const widget = widgets.explorer;

const IDS = ["org/alpha", "org/beta", "org/gamma"];

class FakeModel extends BaseModel {
  constructor(state = {}) {
    super({
      ...noFilters(),
      sort: "downloads",
      view_mode: "popular",
      total: IDS.length,
      status: "3 models · 1 ms · fake",
      error: "",
      facets: { task: [["text-classification", 3]] },
      revision: 1,
      _first_rows: ipc({
        id: IDS,
        task: IDS.map(() => "text-classification"),
        library: IDS.map(() => "transformers"),
        license: IDS.map(() => "mit"),
        params: Float64Array.from(IDS, () => 1e8),
        downloads: Float64Array.from(IDS, () => 1000),
        likes: Float64Array.from(IDS, () => 5),
        last_modified: Float64Array.from(IDS, () => Date.UTC(2024, 4, 1)),
      }),
      selected_ids: [],
      focused_id: "",
      _sort_keys: ["downloads", "likes", "trending", "created", "modified", "params"],
      _task_modality: { "text-classification": "Natural Language Processing" },
      ...state,
    });
  }
  set(key, value) {
    if (JSON.stringify(this.state[key]) === JSON.stringify(value)) return;
    this.state[key] = value;
    this.emit(`change:${key}`);
  }
  last(kind) {
    const request = this.requests(kind).at(-1);
    assert.ok(request, `no ${kind} request was sent`);
    return request;
  }
}

const view = mounting(widget, FakeModel);
const panel = (name) => view.el.querySelector(`[role="region"][aria-label="${name}"]`);

test("four named regions, the root classes, and the search's first rows from state", () => {
  const { el } = view.mount();
  const root = el.querySelector(".hubwidgets.hubwidgets-explorer");
  assert.ok(root);
  for (const name of ["Explorer", "Details", "Performance", "Integration"]) {
    assert.ok(panel(name), `${name} region`);
  }
  assert.match(panel("Explorer").textContent, /3 models/);
  assert.match(panel("Details").textContent, /Focus a result/);
  for (const b of panel("Integration").querySelectorAll("button")) assert.equal(b.disabled, true);
});

test("the toggles save view_mode and show which is on", () => {
  const { model } = view.mount();
  const trending = byText(panel("Explorer"), "button", "Trending");
  assert.equal(byText(panel("Explorer"), "button", "Popular").getAttribute("aria-pressed"), "true");
  trending.click();
  assert.equal(model.get("view_mode"), "trending");
  assert.equal(trending.getAttribute("aria-pressed"), "true");
});

test("focusing a model fills every panel; a failing one says so in place", async () => {
  const { model } = view.mount();
  model.set("focused_id", "org/beta");
  await tick(40);
  model.reply(model.last("detail"), {
    model: "org/beta",
    record: { task: "text-classification", license: "mit" },
    governance: { error: "the check failed: offline" },
    card_html: null,
    sections: {
      pipeline: "text-classification",
      providers: [],
      examples: ["Positive: I loved it"],
      usage_html: "<p>Use it with pipeline()</p>",
      limitations_html: "<p>Trained on reviews only.</p>",
      card_source: "the model card",
    },
  });
  await tick(200);
  model.reply(model.last("performance"), { pending: true });
  model.event("performance", {
    model: "org/beta",
    workload: "10,000 requests a day",
    rows: [
      {
        section: "benchmark",
        model: "org/beta",
        metric: "benchmark",
        value: null,
        unit: "",
        source: "no benchmark yet in this session",
      },
      {
        section: "alternative",
        model: "org/gamma",
        metric: "score",
        value: 0.8,
        unit: "0-1",
        source: "rank 2",
      },
      {
        section: "quality",
        model: "org/beta",
        metric: "quality",
        value: null,
        unit: "",
        source: "no model-index in the card",
      },
      {
        section: "cost",
        model: "org/beta",
        metric: "dedicated: aws-x1",
        value: 23.4,
        unit: "$/month",
        source: "estimate",
      },
    ],
  });
  model.fail(model.last("integration"), "the Hub did not answer: offline");
  await tick();
  const details = panel("Details").textContent;
  assert.match(details, /Trained on reviews only/);
  assert.match(details, /Positive: I loved it/);
  assert.match(details, /the check failed: offline/);
  const perf = panel("Performance").textContent;
  assert.match(perf, /no benchmark yet in this session/);
  assert.match(perf, /\$23\.4\/month/);
  assert.match(panel("Integration").textContent, /the Hub did not answer: offline/);
  // an alternative focuses it: every panel follows
  byText(panel("Performance"), "button", "org/gamma").click();
  assert.equal(model.get("focused_id"), "org/gamma");
});

test("versions arrive later as an event; the buttons ask the kernel to open widgets", async () => {
  const { model } = view.mount({ focused_id: "org/alpha" });
  byText(panel("Details"), "button", "Show versions").click();
  model.reply(model.last("versions"), { pending: true });
  model.event("versions", { model: "org/alpha", error: "versions unavailable: offline" });
  assert.match(panel("Details").textContent, /versions unavailable: offline/);
  byText(panel("Integration"), "button", "Try in a playground").click();
  const request = model.last("open");
  assert.deepEqual(request.body, { what: "playground", model: "org/alpha" });
  model.reply(request, { opened: "Playground" });
  await tick();
  assert.match(panel("Integration").textContent, /Opened Playground for org\/alpha below/);
});

test("F6 and Shift+F6 move the focus between the panels", () => {
  const { el } = view.mount();
  panel("Explorer").focus();
  const press = (init) =>
    document.activeElement.dispatchEvent(new KeyboardEvent("keydown", { bubbles: true, ...init }));
  press({ key: "F6" });
  assert.equal(document.activeElement, panel("Details"));
  press({ key: "F6", shiftKey: true });
  press({ key: "F6", shiftKey: true });
  assert.equal(document.activeElement, panel("Integration"));
  assert.ok(el.contains(document.activeElement));
});

/** What the page may do with the clipboard: `{ writeText }`, or undefined for none at all
 * (outside a secure context the browser gives no `navigator.clipboard`). */
function clipboard(value) {
  Object.defineProperty(globalThis, "navigator", {
    value: value === undefined ? {} : { clipboard: value },
    configurable: true,
    writable: true,
  });
}

test("Copy says it copied, or selects the code and says to press Ctrl+C when it may not", async () => {
  const { model } = view.mount();
  model.set("focused_id", "org/alpha");
  await tick(200); // the panels ask after a short debounce
  const code = "from transformers import pipeline\npipe = pipeline(model='org/alpha')";
  model.reply(model.last("integration"), {
    model: "org/alpha",
    snippets: [{ kind: "transformers", provider: null, code, note: null }],
  });
  await tick();
  const region = panel("Integration");
  const copy = byText(region, "button", "Copy");
  const said = region.querySelector(".hw-copy-status");
  assert.equal(said.getAttribute("role"), "status"); // announced by screen readers
  const selected = () => document.getSelection().toString();
  try {
    const written = [];
    clipboard({ writeText: async (text) => written.push(text) });
    copy.click();
    await tick();
    assert.deepEqual(written, [code]);
    assert.equal(said.textContent, "Copied.");
    // blocked: a denied permission, or a notebook in an iframe without clipboard-write
    clipboard({
      writeText: async () => {
        throw new Error("NotAllowedError: Write permission denied.");
      },
    });
    copy.click();
    await tick();
    assert.match(said.textContent, /blocked copying: the code is selected, press Ctrl\+C/);
    assert.equal(selected(), code);
    // no clipboard at all (plain http): the same way out
    document.getSelection().removeAllRanges();
    clipboard(undefined);
    copy.click();
    await tick();
    assert.match(said.textContent, /press Ctrl\+C/);
    assert.equal(selected(), code);
  } finally {
    delete globalThis.navigator;
    document.getSelection().removeAllRanges();
  }
});
