// The built SearchWidget bundle in a simulated DOM (jsdom), against a fake model that answers
// like the kernel does: rows on request as Arrow IPC, trait updates, range selections.
// Run with `npm test` after `npm run build`. jsdom has no layout engine: the grid's view is given
// a fixed height below (ten rows) so that the scroll arithmetic has something to work with.

import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { tableFromArrays, tableToIPC } from "apache-arrow";
import { JSDOM } from "jsdom";
import { FakeModel as BaseModel } from "./fake-model.mjs";

const dom = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
const { window } = dom;
for (const name of [
  "document",
  "Element",
  "HTMLElement",
  "HTMLInputElement",
  "Event",
  "KeyboardEvent",
  "MouseEvent",
  "requestAnimationFrame",
  "cancelAnimationFrame",
  "CSS",
]) {
  globalThis[name] = window[name];
}
globalThis.CSS ??= { escape: (s) => s.replace(/["\\]/g, "\\$&") };

const ROW = 28;
const VIEW_ROWS = 10;
Object.defineProperty(window.HTMLElement.prototype, "clientHeight", {
  get() {
    return this.classList.contains("hw-grid") && !this.hidden ? (VIEW_ROWS + 1) * ROW : 0;
  },
});
Object.defineProperty(window.HTMLElement.prototype, "offsetHeight", {
  get() {
    return this.classList.contains("hw-header") ? ROW : 0;
  },
});

const { widgets } = await import("../../hubwidgets/widgets/static/hubwidgets.js");
const widget = widgets.search;

const N = 1000;
const IDS = Array.from({ length: N }, (_, i) => `org/model-${String(i).padStart(4, "0")}`);

/** A stand-in for the kernel side of anywidget's model. */
class FakeModel extends BaseModel {
  constructor() {
    super({
      query: "",
      task: [],
      library: [],
      language: [],
      license: [],
      author: [],
      min_params: null,
      max_params: null,
      gated: null,
      sort: "downloads",
      total: N,
      status: `${N} models · 1 ms · fake`,
      error: "",
      facets: {
        task: [
          ["text-generation", 600],
          ["fill-mask", 400],
        ],
        library: [],
      },
      revision: 1,
      selected_ids: [],
      focused_id: "",
      _sort_keys: ["downloads", "likes", "trending", "created", "modified", "params"],
      _task_modality: {
        "text-generation": "Natural Language Processing",
        "fill-mask": "Natural Language Processing",
      },
    });
    this.saves = 0;
  }
  set(key, value) {
    // like Backbone: no change event when the value is equal to the one held
    if (JSON.stringify(this.state[key]) === JSON.stringify(value)) return;
    this.state[key] = value;
    this.emit(`change:${key}`);
  }
  save_changes() {
    this.saves++;
  }
  send(content) {
    this.sent.push(content);
  }
  /** The kernel's answer to the last rows request. */
  answerRows(revision = this.state.revision) {
    const request = this.sent.findLast((m) => m.type === "rows");
    assert.ok(request, "no rows request was sent");
    return this.sendRows(request, revision);
  }
  /** Rows sent unasked, as the kernel does with the first rows of a new result set. */
  pushRows(start, stop, revision) {
    return this.sendRows({ id: null, start, stop }, revision);
  }
  sendRows(request, revision) {
    const stop = Math.min(request.stop, this.state.total);
    const ids = IDS.slice(request.start, stop);
    const table = tableFromArrays({
      id: ids,
      task: ids.map(() => "text-generation"),
      library: ids.map(() => "transformers"),
      license: ids.map(() => null),
      params: Float64Array.from(ids, (_, i) => (request.start + i) * 1e9),
      downloads: Float64Array.from(ids, () => 1234567),
      likes: Float64Array.from(ids, () => 42),
      last_modified: Float64Array.from(ids, () => Date.UTC(2024, 4, 1)),
    });
    const bytes = tableToIPC(table, "stream");
    // anywidget hands over DataViews, possibly into a larger buffer: offset it on purpose
    const backing = new Uint8Array(bytes.byteLength + 8);
    backing.set(bytes, 8);
    const reply = {
      type: "rows",
      id: request.id,
      start: request.start,
      stop,
      total: this.state.total,
      revision,
    };
    this.emit("msg:custom", reply, [new DataView(backing.buffer, 8, bytes.byteLength)]);
    return request;
  }
  /** The kernel's answer to the last detail request (`changes` overrides its fields). */
  answerDetail(changes = {}) {
    const request = this.sent.findLast((m) => m.type === "detail");
    assert.ok(request, "no detail request was sent");
    const reply = {
      type: "detail",
      id: request.id,
      model: request.model,
      url: `https://huggingface.co/${request.model}`,
      record: {
        author: "org",
        task: "text-generation",
        modality: "Natural Language Processing",
        library: "transformers",
        license: null,
        params: 7_000_000_000,
        downloads: 1234567,
        likes: 42,
        created_at: "2024-05-01T12:30:00+00:00",
        gated: true,
        tags: ["transformers", "safetensors", "en"],
        sha: "0123456789abcdef",
      },
      card_html: '<h1>A card</h1>\n<p>See <a href="https://example.org">this</a>.</p>',
      ...changes,
    };
    this.emit("msg:custom", reply, []);
    return request;
  }
}

let model;
let el;
let cleanup;

const $ = (selector) => el.querySelector(selector);
const $$ = (selector) => [...el.querySelectorAll(selector)];
const rows = () => $$(".hw-grid-canvas .hw-row:not([hidden])");
const row = (index) => $(`.hw-grid-canvas .hw-row[data-index="${index}"]:not([hidden])`);
const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(async () => {
  cleanup?.();
  model = new FakeModel();
  el = document.createElement("div");
  document.body.replaceChildren(el);
  cleanup = await widget.render({ model, el });
});

after(() => cleanup?.());

describe("SearchWidget front-end", () => {
  before(() => assert.equal(typeof widget.render, "function"));

  test("has the labelled controls", () => {
    assert.ok($('input[type="search"][aria-label="Search models"]'));
    const sort = $('select[aria-label="Sort by"]');
    assert.deepEqual(
      [...sort.options].map((o) => o.value),
      model.state._sort_keys,
    );
    assert.ok($('[role="grid"][aria-multiselectable="true"]'));
    assert.equal($('[role="status"]').textContent, model.state.status);
    assert.equal($(".hw-header").getAttribute("role"), "row");
  });

  test("asks for the first rows only, and shows them", () => {
    const request = model.sent.find((m) => m.type === "rows");
    assert.equal(request.start, 0);
    assert.ok(request.stop > 0 && request.stop <= 100, `window ${request.stop} is not small`);
    model.answerRows();
    const shown = rows();
    assert.ok(shown.length > 0);
    const cells = shown[0].querySelectorAll('[role="gridcell"]');
    assert.equal(cells[1].textContent, IDS[0]);
    assert.equal(cells[4].textContent, "1.2M"); // downloads, compact
    assert.equal(cells[4].title, "1,234,567");
    assert.equal(cells[8].textContent, "2024-05-01");
    assert.equal(shown[0].getAttribute("aria-rowindex"), "2");
    assert.equal($('[role="grid"]').getAttribute("aria-rowcount"), String(N + 1));
  });

  test("a reply of an older result set is dropped", () => {
    model.answerRows(0);
    assert.ok(rows().every((r) => r.classList.contains("hw-loading")));
  });

  test("shows only the rows in view, and asks for more on scroll", async () => {
    const first = model.sent.find((m) => m.type === "rows");
    assert.deepEqual([first.start, first.stop], [0, VIEW_ROWS + 30]); // the view and overscan
    model.answerRows();
    assert.ok(rows().length <= VIEW_ROWS + 3, `${rows().length} rows in the DOM`);
    const grid = $('[role="grid"]');
    assert.equal($(".hw-grid-canvas").style.height, `${N * ROW}px`);
    grid.scrollTop = 500 * ROW;
    grid.dispatchEvent(new Event("scroll"));
    await frame();
    const request = model.sent.at(-1);
    assert.ok(request.start <= 500 && request.stop >= 510, JSON.stringify(request));
    assert.ok(request.stop - request.start <= VIEW_ROWS + 60);
    model.answerRows();
    assert.equal(row(500).querySelectorAll('[role="gridcell"]')[1].textContent, IDS[500]);
    assert.equal(row(500).style.transform, `translateY(${500 * ROW}px)`);
  });

  test("a catalog too tall for the browser is scrolled to scale", async () => {
    model.state.total = 2_000_000;
    model.set("revision", 2);
    const canvas = $(".hw-grid-canvas");
    assert.equal(canvas.style.height, "8000000px");
    model.answerRows(); // one request at a time: answer the first before scrolling
    const grid = $('[role="grid"]');
    grid.scrollTop = 8_000_000 - VIEW_ROWS * ROW; // the very bottom
    grid.dispatchEvent(new Event("scroll"));
    await frame();
    const request = model.sent.at(-1);
    assert.equal(request.stop, 2_000_000);
    assert.ok(request.start >= 2_000_000 - VIEW_ROWS - 31, JSON.stringify(request));
    assert.equal($('[role="grid"]').getAttribute("aria-rowcount"), "2000001");
  });

  test("click toggles, shift-click asks the kernel for a range", () => {
    model.answerRows();
    row(2).querySelector('[role="gridcell"]').click();
    assert.deepEqual(model.state.selected_ids, [IDS[2]]);
    assert.equal(model.state.focused_id, IDS[2]);
    row(2).dispatchEvent(new MouseEvent("click", { bubbles: true }));
    assert.deepEqual(model.state.selected_ids, []);
    row(5).dispatchEvent(new MouseEvent("click", { bubbles: true, shiftKey: true }));
    assert.deepEqual(model.sent.at(-1), { type: "select", start: 2, stop: 6, revision: 1 });
    model.set("selected_ids", [IDS[4]]);
    assert.equal(row(4).getAttribute("aria-selected"), "true");
    assert.equal(row(3).getAttribute("aria-selected"), "false");
    assert.equal($(".hw-selection").textContent, "1 selectedClear selection");
  });

  test("arrow keys move focus, Space toggles", () => {
    model.answerRows();
    const grid = $('[role="grid"]');
    grid.focus();
    const key = (k, extra = {}) =>
      grid.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, ...extra }));
    key("ArrowDown");
    key("ArrowDown");
    assert.equal(model.state.focused_id, IDS[2]);
    assert.equal(grid.getAttribute("aria-activedescendant"), row(2).id);
    key(" ");
    assert.deepEqual(model.state.selected_ids, [IDS[2]]);
    key("ArrowUp");
    assert.equal(model.state.focused_id, IDS[1]);
    key("ArrowDown", { shiftKey: true });
    assert.deepEqual(model.sent.at(-1), { type: "select", start: 1, stop: 3, revision: 1 });
  });

  test("typing sets the query once, after a pause", async () => {
    const input = $('input[type="search"]');
    for (const text of ["l", "ll", "lla"]) {
      input.value = text;
      input.dispatchEvent(new Event("input"));
    }
    assert.equal(model.state.query, "");
    await tick(200);
    assert.equal(model.state.query, "lla");
    assert.equal(model.saves, 1);
  });

  test("facet checkboxes toggle the filter lists", () => {
    const box = $('input[data-facet="task"][data-value="fill-mask"]');
    assert.equal(box.closest("label").textContent, "fill-mask400");
    box.checked = true;
    box.dispatchEvent(new Event("change"));
    assert.deepEqual(model.state.task, ["fill-mask"]);
    const again = $('input[data-facet="task"][data-value="fill-mask"]');
    assert.equal(again.checked, true);
    again.checked = false;
    again.dispatchEvent(new Event("change"));
    assert.deepEqual(model.state.task, []);
  });

  test("parameter inputs take 7B and refuse nonsense", () => {
    const min = $('input[aria-label="Minimum parameters"]');
    min.value = "1.5b";
    min.dispatchEvent(new Event("change"));
    assert.equal(model.state.min_params, 1_500_000_000);
    min.value = "lots";
    min.dispatchEvent(new Event("change"));
    assert.equal(model.state.min_params, 1_500_000_000);
    assert.equal(min.getAttribute("aria-invalid"), "true");
    model.set("max_params", 8e9);
    assert.equal($('input[aria-label="Maximum parameters"]').value, "8B");
  });

  test("gated select maps to true / false / null", () => {
    const access = $('select[aria-label="Access"]');
    access.value = "gated";
    access.dispatchEvent(new Event("change"));
    assert.equal(model.state.gated, true);
    access.value = "any";
    access.dispatchEvent(new Event("change"));
    assert.equal(model.state.gated, null);
  });

  test("no match says which filters, and clears them", () => {
    model.state.query = "zzz";
    model.state.task = ["fill-mask"];
    model.state.total = 0;
    model.set("revision", 2);
    const empty = $(".hw-empty");
    assert.equal(empty.hidden, false);
    assert.equal($('[role="grid"]').hidden, true);
    assert.equal(
      empty.querySelector("p").textContent,
      "No models match “zzz” with task fill-mask.",
    );
    const clear = [...empty.querySelectorAll("button")].find(
      (b) => b.textContent === "Clear filters",
    );
    clear.click();
    assert.equal(model.state.query, "");
    assert.deepEqual(model.state.task, []);
    assert.equal(model.saves, 1); // one update: one search in the kernel
  });

  test("a new revision drops the rows and asks again", () => {
    model.answerRows();
    const before = model.sent.length;
    model.state.total = 3;
    model.set("revision", 2);
    assert.equal(model.sent.length, before + 1);
    assert.deepEqual(
      { start: model.sent.at(-1).start, stop: model.sent.at(-1).stop },
      { start: 0, stop: 3 },
    );
    assert.ok(rows().every((r) => r.classList.contains("hw-loading")));
    model.answerRows();
    assert.equal(rows().length, 3);
  });

  test("rows sent ahead of their revision show without a request", () => {
    model.answerRows();
    const before = model.sent.filter((m) => m.type === "rows").length;
    // custom messages may overtake the state update that announces the revision
    model.pushRows(0, 50, 2);
    model.state.total = 500;
    model.set("revision", 2);
    assert.equal(model.sent.filter((m) => m.type === "rows").length, before, "asked again");
    assert.equal(row(0).querySelectorAll('[role="gridcell"]')[1].textContent, IDS[0]);
    assert.ok(rows().every((r) => !r.classList.contains("hw-loading")));
  });

  test("errors show in the status line", () => {
    model.set("error", "the Hub did not answer");
    model.set("status", "the Hub did not answer; showing the previous results");
    const status = $('[role="status"]');
    assert.ok(status.classList.contains("hw-error"));
    assert.equal(status.textContent, "the Hub did not answer; showing the previous results");
  });

  test("cleanup removes every listener", () => {
    cleanup();
    cleanup = undefined;
    for (const [event, callbacks] of model.handlers) assert.equal(callbacks.size, 0, event);
  });
});

describe("detail pane", () => {
  const pane = () => $('section[aria-label="Model details"]');
  const detailRequests = () => model.sent.filter((m) => m.type === "detail");
  const DELAY = 150; // the pane waits 120 ms for the focus to rest

  test("is hidden until a row has focus", () => {
    assert.equal(pane().hidden, true);
  });

  test("asks for the focused model once the focus rests, and shows the reply", async () => {
    model.set("focused_id", IDS[3]);
    assert.equal(pane().hidden, false);
    assert.equal(pane().querySelector("h3").textContent, IDS[3]);
    assert.equal(pane().textContent.includes("Loading…"), true);
    assert.equal(pane().getAttribute("aria-busy"), "true");
    assert.equal(detailRequests().length, 0);
    await tick(DELAY);
    assert.deepEqual(detailRequests(), [{ type: "detail", id: 1, model: IDS[3] }]);
    model.answerDetail();
    assert.equal(pane().hasAttribute("aria-busy"), false);
    assert.equal(pane().textContent.includes("Loading…"), false);
    const hub = [...pane().querySelectorAll("a")].find((a) => a.textContent.includes("Hub"));
    assert.equal(hub.textContent, "Open on the Hub ↗");
    assert.equal(hub.href, `https://huggingface.co/${IDS[3]}`);
    assert.equal(hub.target, "_blank");
    assert.match(hub.rel, /noopener/);
    const fields = Object.fromEntries(
      [...pane().querySelectorAll("dl > div")].map((d) => [
        d.querySelector("dt").textContent,
        d.querySelector("dd"),
      ]),
    );
    assert.equal(fields["Downloads (30 days)"].textContent, "1.2M");
    assert.equal(fields["Downloads (30 days)"].title, "1,234,567");
    assert.equal(fields.Parameters.textContent, "7B");
    assert.equal(fields.Created.textContent, "2024-05-01");
    assert.equal(fields.Access.textContent, "Gated: ask for access");
    assert.equal(fields.License, undefined); // unknown: not listed
    const tags = [...pane().querySelectorAll('ul[aria-label="Tags"] li')].map((t) => t.textContent);
    assert.deepEqual(tags, ["transformers", "safetensors", "en"]);
    const card = pane().querySelector('[role="region"][aria-label="Model card"]');
    assert.equal(card.querySelector("h1").textContent, "A card");
    const link = card.querySelector("a");
    assert.equal(link.getAttribute("href"), "https://example.org");
    assert.equal(link.target, "_blank");
  });

  test("sends one request while the focus moves, for where it rests", async () => {
    for (const id of IDS.slice(0, 5)) model.set("focused_id", id);
    assert.equal(pane().querySelector("h3").textContent, IDS[4]);
    await tick(DELAY);
    assert.deepEqual(
      detailRequests().map((m) => m.model),
      [IDS[4]],
    );
  });

  test("ignores a stale reply", async () => {
    model.set("focused_id", IDS[1]);
    await tick(DELAY);
    const first = detailRequests().at(-1);
    model.set("focused_id", IDS[2]);
    await tick(DELAY);
    const second = detailRequests().at(-1);
    assert.notEqual(first.id, second.id);
    model.emit("msg:custom", { type: "detail", id: first.id, model: IDS[1], record: {} }, []);
    assert.equal(pane().querySelector("h3").textContent, IDS[2]);
    assert.equal(pane().textContent.includes("Loading…"), true);
    // the right request id for another model: not this one either
    model.emit("msg:custom", { type: "detail", id: second.id, model: IDS[1], record: {} }, []);
    assert.equal(pane().textContent.includes("Loading…"), true);
    model.answerDetail();
    assert.equal(pane().textContent.includes("Loading…"), false);
    assert.equal(pane().querySelector("h3").textContent, IDS[2]);
  });

  test("a model seen before shows at once, without asking again", async () => {
    model.set("focused_id", IDS[1]);
    await tick(DELAY);
    model.answerDetail();
    model.set("focused_id", IDS[2]);
    model.set("focused_id", IDS[1]);
    assert.ok(pane().querySelector("h1"));
    await tick(DELAY);
    assert.equal(detailRequests().length, 1);
  });

  test("the card is checked again before it enters the page", async () => {
    model.set("focused_id", IDS[0]);
    await tick(DELAY);
    model.answerDetail({
      card_html:
        '<p onclick="bad()">x</p><script>bad()</script><img src="x.png" onerror="bad()">' +
        '<a href="javascript:bad()">j</a><iframe src="https://evil.example"></iframe>' +
        '<table><tr><td style="text-align:right">1</td></tr></table>',
    });
    const card = pane().querySelector(".hw-card");
    assert.equal(card.querySelector("script"), null);
    assert.equal(card.querySelector("iframe"), null);
    assert.equal(card.querySelector("p").hasAttribute("onclick"), false);
    assert.equal(card.querySelector("img").hasAttribute("onerror"), false);
    assert.equal(card.querySelector("img").hasAttribute("src"), false); // relative: not ours
    assert.equal(card.querySelector("a").hasAttribute("href"), false);
    assert.equal(card.querySelector("td").getAttribute("style"), "text-align:right");
  });

  test("without a card it says so and links to the Hub", async () => {
    model.set("focused_id", IDS[0]);
    await tick(DELAY);
    model.answerDetail({ card_html: null });
    const none = pane().querySelector(".hw-card-none");
    assert.match(none.textContent, /^No model card in this catalog/);
    assert.equal(none.querySelector("a").href, `https://huggingface.co/${IDS[0]}`);
    assert.equal(pane().querySelector(".hw-card"), null);
  });

  test("an error reply is shown in words", async () => {
    model.set("focused_id", "nobody/nothing");
    await tick(DELAY);
    model.answerDetail({ record: undefined, card_html: undefined, error: "not in this catalog" });
    assert.equal(pane().querySelector(".hw-detail-error").textContent, "not in this catalog");
    assert.equal(pane().querySelector("dl"), null);
  });

  test("the close button and Escape hide it until the focus moves", async () => {
    model.answerRows();
    model.set("focused_id", IDS[0]);
    const close = pane().querySelector('button[aria-label="Close details"]');
    assert.equal(close.textContent, "×");
    close.click();
    assert.equal(pane().hidden, true);
    const grid = $('[role="grid"]');
    assert.equal(document.activeElement, grid); // focus goes back to the grid
    await tick(DELAY);
    assert.equal(detailRequests().length, 0); // closed before it asked: it never asks
    model.set("focused_id", IDS[1]);
    assert.equal(pane().hidden, false);
    const key = new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true });
    grid.dispatchEvent(key);
    assert.equal(pane().hidden, true);
    assert.equal(key.defaultPrevented, true);
    row(1).dispatchEvent(new MouseEvent("click", { bubbles: true })); // the focused row again
    assert.equal(pane().hidden, false);
    assert.equal(pane().querySelector("h3").textContent, IDS[1]);
    model.set("focused_id", "");
    assert.equal(pane().hidden, true);
  });
});

describe("task facet", () => {
  const groups = () =>
    $$('fieldset.hw-facet:first-child [role="group"]').map((g) => ({
      name: g.getAttribute("aria-label"),
      heading: g.querySelector(".hw-facet-group-name").textContent,
      tasks: [...g.querySelectorAll("input[data-facet=task]")].map((i) => i.dataset.value),
    }));

  beforeEach(() => {
    model.state._task_modality = {
      "text-generation": "Natural Language Processing",
      "fill-mask": "Natural Language Processing",
      "text-to-image": "Computer Vision",
      "image-classification": "Computer Vision",
      "depth-estimation": "Computer Vision",
      "object-detection": "Computer Vision",
      "automatic-speech-recognition": "Audio",
      "some-old-task": "Other",
    };
    model.set("facets", {
      task: [
        ["text-generation", 600],
        ["text-to-image", 300],
        ["automatic-speech-recognition", 250],
        ["image-classification", 200],
        ["fill-mask", 20],
        ["depth-estimation", 10],
        ["object-detection", 9],
        ["some-old-task", 1],
      ],
    });
  });

  test("groups tasks under their modality, the largest first", () => {
    assert.deepEqual(groups(), [
      {
        name: "Natural Language Processing",
        heading: "Natural Language Processing620",
        tasks: ["text-generation", "fill-mask"],
      },
      {
        name: "Computer Vision",
        heading: "Computer Vision519",
        tasks: ["text-to-image", "image-classification", "depth-estimation"],
      },
      { name: "Audio", heading: "Audio250", tasks: ["automatic-speech-recognition"] },
    ]);
    const box = $('input[data-facet="task"][data-value="text-to-image"]');
    assert.equal(box.closest("label").textContent, "text-to-image300");
  });

  test("Show all lists every task, still grouped", () => {
    const more = $$("fieldset.hw-facet:first-child button").find((b) =>
      b.textContent.startsWith("Show all"),
    );
    assert.equal(more.textContent, "Show all 8");
    more.click();
    assert.deepEqual(
      groups().map((g) => [g.name, g.tasks.length]),
      [
        ["Natural Language Processing", 2],
        ["Computer Vision", 4],
        ["Audio", 1],
        ["Other", 1],
      ],
    );
    assert.equal(groups()[1].heading, "Computer Vision519"); // a group's total never changes
  });

  test("a chosen task is shown under its modality even when collapsed", () => {
    model.set("task", ["some-old-task"]);
    const other = groups().find((g) => g.name === "Other");
    assert.deepEqual(other.tasks, ["some-old-task"]);
    assert.equal($('input[data-value="some-old-task"]').checked, true);
  });

  test("other facets stay flat", () => {
    model.set("facets", { ...model.state.facets, library: [["transformers", 5]] });
    const library = $$("fieldset.hw-facet")[1];
    assert.equal(library.querySelector('[role="group"]'), null);
    assert.equal(library.querySelector("label").textContent, "transformers5");
  });
});
