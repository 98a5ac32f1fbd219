// The built SearchWidget bundle in a simulated DOM (jsdom), against a fake model holding what the
// kernel sends: the first rows in state (Arrow IPC, with total and revision), facet counts, and
// the protocol's replies (rows beyond the first ones, range selections, model details).
// Run with `npm test` after `npm run build`. jsdom has no layout engine: the grid's view is given
// a fixed height below (ten rows) so that the scroll arithmetic has something to work with.

import assert from "node:assert/strict";
import { before, beforeEach, describe, test } from "node:test";
import { FakeModel as BaseModel, noFilters } from "./fake-model.mjs";
import { installDom, ipc, loadWidgets, mounting, tick } from "./harness.mjs";

const window = installDom([
  "HTMLInputElement",
  "requestAnimationFrame",
  "cancelAnimationFrame",
  "CSS",
]);
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

const { widgets } = await loadWidgets();
const widget = widgets.search;

const N = 1000;
const IDS = Array.from({ length: N }, (_, i) => `org/model-${String(i).padStart(4, "0")}`);
/** Rows of the results held in state (SearchWidget.FIRST_ROWS). */
const FIRST = 50;

/** Rows [start, stop) of the fake results as the kernel sends them (Arrow IPC). */
function rowsBytes(start, stop, ids = IDS) {
  const slice = ids.slice(start, stop);
  return ipc({
    id: slice,
    task: slice.map(() => "text-generation"),
    library: slice.map(() => "transformers"),
    license: slice.map(() => null),
    params: Float64Array.from(slice, (_, i) => (start + i) * 1e9),
    downloads: Float64Array.from(slice, () => 1234567),
    likes: Float64Array.from(slice, () => 42),
    last_modified: Float64Array.from(slice, () => Date.UTC(2024, 4, 1)),
  });
}

/** A stand-in for the kernel side of anywidget's model: the state a kernel would have sent. */
class FakeModel extends BaseModel {
  constructor(state = {}) {
    super({
      ...noFilters(),
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
      _first_rows: rowsBytes(0, FIRST),
      selected_ids: [],
      focused_id: "",
      _sort_keys: ["downloads", "likes", "trending", "created", "modified", "params"],
      _task_modality: {
        "text-generation": "Natural Language Processing",
        "fill-mask": "Natural Language Processing",
      },
      ...state,
    });
    this.saves = 0;
  }
  set(key, value) {
    // like Backbone: no change event when the value is equal to the one held
    if (JSON.stringify(this.state[key]) === JSON.stringify(value)) return;
    this.state[key] = value;
    this.emit(`change:${key}`);
  }
  /** An update from the kernel, as Backbone applies it: every value set, then the events. */
  update(changes) {
    const changed = Object.keys(changes).filter((k) => this.state[k] !== changes[k]);
    Object.assign(this.state, changes);
    for (const key of changed) this.emit(`change:${key}`);
  }
  /** A new result set of `total` rows, as the kernel sends it: one update. */
  newResults(total, revision = this.state.revision + 1) {
    this.update({ total, revision, _first_rows: rowsBytes(0, Math.min(FIRST, total)) });
  }
  save_changes() {
    this.saves++;
  }
  /** The kernel's answer to the last rows request. */
  answerRows(revision = this.state.revision) {
    const request = this.requests("rows").at(-1);
    assert.ok(request, "no rows request was sent");
    const { start } = request.body;
    const stop = Math.min(request.body.stop, this.state.total);
    const table = rowsBytes(start, stop);
    this.reply(request, { start, stop, total: this.state.total, revision, table });
    return request;
  }
  /** The kernel's answer to the last detail request (`changes` overrides its fields). */
  answerDetail(changes = {}) {
    const request = this.requests("detail").at(-1);
    assert.ok(request, "no detail request was sent");
    const { model } = request.body;
    this.reply(request, {
      model,
      url: `https://huggingface.co/${model}`,
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
    });
    return request;
  }
}

const view = mounting(widget, FakeModel);
let model;
let el;
beforeEach(() => {
  ({ model, el } = view.mount());
});

const $ = (selector) => el.querySelector(selector);
const $$ = (selector) => [...el.querySelectorAll(selector)];
const rows = () => $$(".hw-grid-canvas .hw-row:not([hidden])");
const row = (index) => $(`.hw-grid-canvas .hw-row[data-index="${index}"]:not([hidden])`);
const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

const rowRequests = () => model.requests("rows");
const cellText = (index, column) =>
  row(index).querySelectorAll('[role="gridcell"]')[column].textContent;

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

  test("draws the first rows from state, without asking", () => {
    assert.deepEqual(rowRequests(), []);
    const shown = rows();
    assert.ok(shown.length >= VIEW_ROWS, `${shown.length} rows`);
    assert.ok(shown.every((r) => !r.classList.contains("hw-loading")));
    const cells = shown[0].querySelectorAll('[role="gridcell"]');
    assert.equal(cells[1].textContent, IDS[0]);
    assert.equal(cells[4].textContent, "1.2M"); // downloads, compact
    assert.equal(cells[4].title, "1,234,567");
    assert.equal(cells[8].textContent, "2024-05-01");
    assert.equal(shown[0].getAttribute("aria-rowindex"), "2");
    assert.equal($('[role="grid"]').getAttribute("aria-rowcount"), String(N + 1));
  });

  test("a view drawn from saved state alone shows rows, facets and status", () => {
    // no request is ever answered here: the page has only what the state holds
    const other = document.createElement("div");
    document.body.append(other);
    const saved = new FakeModel();
    const dispose = widget.render({ model: saved, el: other });
    try {
      const first = other.querySelector('.hw-grid-canvas .hw-row[data-index="0"]');
      assert.equal(first.querySelectorAll('[role="gridcell"]')[1].textContent, IDS[0]);
      assert.equal(first.hasAttribute("aria-busy"), false);
      const facet = other.querySelector('input[data-facet="task"][data-value="fill-mask"]');
      assert.equal(facet.closest("label").textContent, "fill-mask400");
      assert.equal(other.querySelector('[role="status"]').textContent, saved.state.status);
      // the page said it draws the widget, and asked for nothing
      assert.deepEqual(
        saved.requests().map((m) => [m.kind, m.id]),
        [["view", null]],
      );
    } finally {
      dispose();
      other.remove();
    }
  });

  test("asks only for rows beyond the first ones, on scroll", async () => {
    const grid = $('[role="grid"]');
    assert.ok(rows().length <= VIEW_ROWS + 3, `${rows().length} rows in the DOM`);
    assert.equal($(".hw-grid-canvas").style.height, `${N * ROW}px`);
    grid.scrollTop = 30 * ROW; // the view and its overscan reach past the first rows
    grid.dispatchEvent(new Event("scroll"));
    const [near] = rowRequests();
    assert.ok(near.body.start >= FIRST && near.body.stop > FIRST, JSON.stringify(near.body));
    assert.equal(near.id > 0, true);
    model.answerRows();
    await tick();
    grid.scrollTop = 500 * ROW;
    grid.dispatchEvent(new Event("scroll"));
    await frame();
    const { body } = rowRequests().at(-1);
    assert.ok(body.start <= 500 && body.stop >= 510, JSON.stringify(body));
    assert.ok(body.stop - body.start <= VIEW_ROWS + 60);
    model.answerRows();
    await tick();
    assert.equal(cellText(500, 1), IDS[500]);
    assert.equal(row(500).style.transform, `translateY(${500 * ROW}px)`);
  });

  test("a window of another result set is dropped, and asked for again", async () => {
    const grid = $('[role="grid"]');
    grid.scrollTop = 500 * ROW;
    grid.dispatchEvent(new Event("scroll"));
    await frame();
    model.answerRows(0);
    await tick();
    assert.ok(rows().every((r) => r.classList.contains("hw-loading")));
    grid.dispatchEvent(new Event("scroll")); // the next scroll asks again
    assert.equal(rowRequests().length, 2);
    model.answerRows();
    await tick();
    assert.equal(cellText(500, 1), IDS[500]);
  });

  test("a refused rows request can be asked again", async () => {
    const grid = $('[role="grid"]');
    grid.scrollTop = 500 * ROW;
    grid.dispatchEvent(new Event("scroll"));
    model.fail(rowRequests().at(-1), "bad window: start=-1, stop=3");
    await tick();
    grid.dispatchEvent(new Event("scroll"));
    assert.equal(rowRequests().length, 2);
  });

  test("a catalog too tall for the browser is scrolled to scale", async () => {
    model.newResults(2_000_000);
    const canvas = $(".hw-grid-canvas");
    assert.equal(canvas.style.height, "8000000px");
    const grid = $('[role="grid"]');
    grid.scrollTop = 8_000_000 - VIEW_ROWS * ROW; // the very bottom
    grid.dispatchEvent(new Event("scroll"));
    await frame();
    const { body } = rowRequests().at(-1);
    assert.equal(body.stop, 2_000_000);
    assert.ok(body.start >= 2_000_000 - VIEW_ROWS - 31, JSON.stringify(body));
    assert.equal($('[role="grid"]').getAttribute("aria-rowcount"), "2000001");
  });

  test("click toggles, shift-click asks the kernel for a range", () => {
    row(2).querySelector('[role="gridcell"]').click();
    assert.deepEqual(model.state.selected_ids, [IDS[2]]);
    assert.equal(model.state.focused_id, IDS[2]);
    row(2).dispatchEvent(new MouseEvent("click", { bubbles: true }));
    assert.deepEqual(model.state.selected_ids, []);
    row(5).dispatchEvent(new MouseEvent("click", { bubbles: true, shiftKey: true }));
    const select = model.requests("select").at(-1);
    assert.deepEqual(select.body, { start: 2, stop: 6, revision: 1 });
    assert.equal(typeof select.id, "number"); // a request: the kernel answers or refuses it
    model.fail(select, "the rows to select belong to results no longer shown"); // no harm
    model.set("selected_ids", [IDS[4]]);
    assert.equal(row(4).getAttribute("aria-selected"), "true");
    assert.equal(row(3).getAttribute("aria-selected"), "false");
    assert.equal($(".hw-selection").textContent, "1 selectedClear selection");
  });

  test("arrow keys move focus, Space toggles", () => {
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
    assert.deepEqual(model.requests("select").at(-1).body, { start: 1, stop: 3, revision: 1 });
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

  test("Enter sends the query at once", () => {
    const input = $('input[type="search"]');
    input.value = "bert";
    input.dispatchEvent(new Event("input"));
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    assert.equal(model.state.query, "bert");
    assert.equal(model.saves, 1);
  });

  test("a new result set draws its first rows from the update that announces it", () => {
    const before = rowRequests().length;
    model.newResults(3);
    assert.equal(rowRequests().length, before, "asked for rows the state holds");
    assert.equal(rows().length, 3);
    assert.ok(rows().every((r) => !r.classList.contains("hw-loading")));
    assert.equal(cellText(2, 1), IDS[2]);
    assert.equal($('[role="grid"]').getAttribute("aria-rowcount"), "4");
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
    model.newResults(0);
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
    model.newResults(N); // and the grid comes back with its rows
    assert.equal($('[role="grid"]').hidden, false);
    assert.equal(cellText(0, 1), IDS[0]);
  });

  test("errors show in the status line", () => {
    model.set("error", "the Hub did not answer");
    model.set("status", "the Hub did not answer; showing the previous results");
    const status = $('[role="status"]');
    assert.ok(status.classList.contains("hw-error"));
    assert.equal(status.textContent, "the Hub did not answer; showing the previous results");
  });

  test("first rows that are not Arrow IPC are asked for instead", () => {
    model.update({ revision: 2, _first_rows: new DataView(new Uint8Array([1, 2, 3]).buffer) });
    assert.ok(rows().every((r) => r.classList.contains("hw-loading")));
    assert.equal(rowRequests().at(-1).body.start, 0);
  });

  test("cleanup removes every listener", () => {
    view.unmount();
    for (const [event, callbacks] of model.handlers) assert.equal(callbacks.size, 0, event);
  });
});

describe("detail pane", () => {
  const pane = () => $('section[aria-label="Model details"]');
  const detailRequests = () => model.requests("detail");
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
    assert.deepEqual(
      detailRequests().map((m) => m.body),
      [{ model: IDS[3] }],
    );
    model.answerDetail();
    await tick();
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
      detailRequests().map((m) => m.body.model),
      [IDS[4]],
    );
  });

  test("ignores an answer about another model", async () => {
    model.set("focused_id", IDS[1]);
    await tick(DELAY);
    const first = detailRequests().at(-1);
    model.set("focused_id", IDS[2]);
    await tick(DELAY);
    const second = detailRequests().at(-1);
    assert.notEqual(first.id, second.id);
    model.reply(first, { model: IDS[1], record: {} });
    await tick();
    assert.equal(pane().querySelector("h3").textContent, IDS[2]);
    assert.equal(pane().textContent.includes("Loading…"), true);
    model.answerDetail();
    await tick();
    assert.equal(pane().textContent.includes("Loading…"), false);
    assert.equal(pane().querySelector("h3").textContent, IDS[2]);
  });

  test("a model seen before shows at once, and is asked again for a fresh verdict", async () => {
    model.set("focused_id", IDS[1]);
    await tick(DELAY);
    model.answerDetail();
    await tick();
    model.set("focused_id", IDS[2]);
    model.set("focused_id", IDS[1]);
    const card = pane().querySelector(".hw-card");
    assert.ok(card.querySelector("h1")); // at once, from what the pane kept
    assert.equal(pane().hasAttribute("aria-busy"), false);
    await tick(DELAY);
    assert.deepEqual(
      detailRequests().map((m) => m.body.model),
      [IDS[1], IDS[1]], // once the focus rested: IDS[2] never was asked for
    );
    model.answerDetail(); // the same answer: nothing is drawn again (a scrolled card stays)
    await tick();
    assert.equal(pane().querySelector(".hw-card"), card);
    // the session's policy changed meanwhile: the new verdict replaces the old one
    model.set("focused_id", IDS[2]);
    model.set("focused_id", IDS[1]);
    await tick(DELAY);
    model.answerDetail({ governance: { verdict: "deny", reasons: ["denied"], chain: [] } });
    await tick();
    assert.equal(pane().querySelector(".hw-verdict").dataset.verdict, "deny");
    // and a refresh that fails keeps what is shown
    model.set("focused_id", IDS[2]);
    model.set("focused_id", IDS[1]);
    await tick(DELAY);
    model.fail(detailRequests().at(-1), "the Hub did not answer", "RequestError");
    await tick();
    assert.equal(pane().querySelector(".hw-detail-error"), null);
    assert.equal(pane().querySelector(".hw-verdict").dataset.verdict, "deny");
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
    await tick();
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
    await tick();
    const none = pane().querySelector(".hw-card-none");
    assert.match(none.textContent, /^No model card in this catalog/);
    assert.equal(none.querySelector("a").href, `https://huggingface.co/${IDS[0]}`);
    assert.equal(pane().querySelector(".hw-card"), null);
  });

  test("a refused request is shown in words", async () => {
    model.set("focused_id", "nobody/nothing");
    await tick(DELAY);
    model.fail(detailRequests().at(-1), "'nobody/nothing' is not in this catalog", "RequestError");
    await tick();
    assert.equal(
      pane().querySelector(".hw-detail-error").textContent,
      "'nobody/nothing' is not in this catalog",
    );
    assert.equal(pane().querySelector("dl"), null);
    assert.equal(pane().hasAttribute("aria-busy"), false);
  });

  test("the close button and Escape hide it until the focus moves", async () => {
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

describe("detail pane: governance", () => {
  const pane = () => $('section[aria-label="Model details"]');
  const gov = () => pane().querySelector('section[aria-label="Governance"]');
  const DELAY = 150;
  const SCAN_SOURCE = "the catalog holds no Hub scan verdicts";
  /** hw.check's answer about a finetune of a llama2 model offered under mit (a conflict). */
  const GOVERNANCE = {
    verdict: "deny",
    reasons: [
      "license conflict: org/ft is offered under mit (permissive), looser than its ancestor org/base's llama2",
      "not scanned as safe (scan status unscanned)",
    ],
    policy: "Policy(require_commercial_use=True)",
    policy_source: "hw.use_policy",
    license: "mit",
    license_name: "MIT",
    license_link: "https://spdx.org/licenses/MIT.html",
    license_class: "permissive",
    commercial_use: "yes",
    commercial_use_reason: "a permissive license: commercial use allowed, keeping the notice",
    license_source: "the catalog record; name and link: the Hub's license list",
    base_chain: ["org/base (llama2)", "org/root (unknown: not in the catalog)"],
    base_chain_source: "base_model of the catalog record and of each ancestor in the catalog",
    license_conflict:
      "org/ft is offered under mit (permissive), looser than its ancestor org/base's llama2",
    formats: null,
    pickle_files: null,
    pickle_only: null,
    safetensors: null,
    formats_source: "unknown: the catalog record has no file list",
    custom_code: [],
    custom_code_source: "config.json auto_map and *.py files of the HF cache",
    scan_status: "unscanned",
    scans_done: null,
    files_with_issues: null,
    scan_source: SCAN_SOURCE,
    chain: [
      { id: "org/ft", depth: 0, parent: null, relation: null, license: "mit" },
      { id: "org/base", depth: 1, parent: "org/ft", relation: "finetune", license: "llama2" },
      {
        id: "org/root",
        depth: 2,
        parent: "org/base",
        relation: "quantized",
        license: null,
        license_class: "unknown",
        source: "not in the catalog",
      },
    ],
  };

  async function showGovernance(governance, id = IDS[0]) {
    model.set("focused_id", id);
    await tick(DELAY);
    model.answerDetail({ governance });
    await tick();
  }

  test("shows the verdict, license, model tree and scan above the card", async () => {
    await showGovernance(GOVERNANCE);
    const section = gov();
    assert.ok(section, "no governance section");
    const parts = [...pane().querySelector(".hw-detail-body").children];
    assert.ok(parts.indexOf(section) < parts.indexOf(pane().querySelector(".hw-card")));
    // the verdict badge is the GovernanceWidget's, with its word, and the reasons in words
    const badge = section.querySelector(".hw-verdict");
    assert.equal(badge.dataset.verdict, "deny");
    assert.ok(badge.classList.contains("hw-verdict-deny"));
    assert.equal(badge.querySelector(".hw-verdict-word").textContent, "deny");
    assert.equal(
      badge.title,
      "Verdict under Policy(require_commercial_use=True), from hw.use_policy",
    );
    const reasons = [...section.querySelectorAll('ul[aria-label="Reasons"] li')];
    assert.deepEqual(
      reasons.map((li) => li.textContent),
      // the conflict is told in full under the model tree, not twice
      ["license conflict (see the model tree)", "not scanned as safe (scan status unscanned)"],
    );
    // the license: id (its source as title), name linked, class, commercial use with reason
    const license = section.querySelector(".hw-gov-license");
    const id = license.querySelector(".hw-gov-license-id");
    assert.equal(id.textContent, "mit");
    assert.equal(id.title, GOVERNANCE.license_source);
    const terms = license.querySelector("a");
    assert.equal(terms.textContent, "terms ↗"); // the name is the id's: said once
    assert.equal(terms.href, GOVERNANCE.license_link);
    assert.equal(terms.target, "_blank");
    assert.match(license.textContent, /permissive · commercial use: yes — a permissive license/);
    // the chain: the model, then each base with its relation and license
    const nodes = [...section.querySelectorAll('ol[aria-label^="Base models"] > li')];
    assert.deepEqual(
      nodes.map((li) => li.dataset.model),
      ["org/ft", "org/base", "org/root"],
    );
    assert.deepEqual(
      nodes.map((li) => li.querySelector(".hw-chain-license").textContent),
      ["mit", "llama2", "license unknown"],
    );
    assert.equal(nodes[1].querySelector(".hw-chain-link").textContent, "← finetuned from");
    assert.equal(nodes[2].querySelector(".hw-chain-link").textContent, "← quantized from");
    assert.equal(nodes[1].querySelector("a").href, "https://huggingface.co/org/base");
    assert.match(nodes[2].querySelector(".hw-chain-license").title, /not in the catalog/);
    const conflict = section.querySelector(".hw-gov-conflict");
    assert.equal(conflict.textContent, `⚠ License conflict: ${GOVERNANCE.license_conflict}`);
    // the scan: unknown and unscanned say so, each with where it came from as its title
    const scan = section.querySelector(".hw-gov-scanline");
    const facts = Object.fromEntries(
      [...scan.querySelectorAll(".hw-gov-fact")].map((f) => [f.textContent, f.title]),
    );
    assert.deepEqual(facts, {
      "not scanned": SCAN_SOURCE,
      "formats unknown": GOVERNANCE.formats_source,
      "no custom code": GOVERNANCE.custom_code_source,
    });
  });

  test("pickle-only weights, custom code and files with issues are named", async () => {
    await showGovernance({
      ...GOVERNANCE,
      verdict: "allow",
      reasons: [],
      chain: GOVERNANCE.chain.slice(0, 1),
      base_chain: [],
      base_chain_source: "no base model in the catalog record",
      license_conflict: null,
      formats: ["pytorch"],
      pickle_only: true,
      custom_code: ["modeling_x.py"],
      scan_status: "unsafe",
      files_with_issues: ["pytorch_model.bin (unsafe)"],
    });
    const section = gov();
    assert.equal(section.querySelector(".hw-verdict").dataset.verdict, "allow");
    assert.match(section.querySelector(".hw-gov-reasons").textContent, /every rule/);
    assert.equal(section.querySelector(".hw-chain"), null);
    const tree = section.querySelector(".hw-gov-tree .hw-gov-fact");
    assert.equal(tree.textContent, "no base model");
    assert.equal(tree.title, "no base model in the catalog record");
    assert.equal(section.querySelector(".hw-gov-conflict"), null);
    const scan = section.querySelector(".hw-gov-scanline").textContent;
    assert.equal(
      scan,
      "Scanscanned: unsafe · formats: pytorch · pickle only (loading may run code) · " +
        "custom code: modeling_x.py · issues in: pytorch_model.bin (unsafe)",
    );
  });

  test("a check that failed says why, and the rest of the pane shows", async () => {
    await showGovernance({ error: "the Hub at https://hub.test answered HTTP 503" });
    assert.equal(
      gov().textContent,
      "governance: could not check — the Hub at https://hub.test answered HTTP 503",
    );
    assert.equal(gov().querySelector(".hw-verdict"), null);
    assert.ok(pane().querySelector("dl.hw-detail-meta"));
    assert.ok(pane().querySelector('ul[aria-label="Tags"]'));
    assert.ok(pane().querySelector(".hw-card h1"));
  });

  test("a reply without governance shows no section", async () => {
    await showGovernance(undefined);
    assert.equal(gov(), null);
    assert.ok(pane().querySelector(".hw-card"));
  });

  test("an `other` license shows its name and link, an unsafe link as no link", async () => {
    const other = {
      ...GOVERNANCE,
      license: "other",
      license_name: "Acme Research License",
      license_link: "https://acme.example/LICENSE",
      license_class: "gated-or-custom",
      commercial_use: "unknown",
      commercial_use_reason: "a custom license: read its terms",
    };
    await showGovernance(other);
    let license = gov().querySelector(".hw-gov-license");
    const link = license.querySelector("a");
    assert.equal(link.textContent, "Acme Research License ↗");
    assert.equal(link.href, "https://acme.example/LICENSE");
    assert.match(license.textContent, /gated-or-custom · commercial use: unknown — a custom/);
    await showGovernance({ ...other, license_link: "javascript:alert(1)" }, IDS[1]);
    license = gov().querySelector(".hw-gov-license");
    assert.equal(license.querySelector("a"), null);
    assert.match(license.textContent, /^Licenseother Acme Research License · gated-or-custom/);
  });

  test("arrow keys still move through the grid while it shows", async () => {
    await showGovernance(GOVERNANCE, IDS[0]);
    // nothing in the section takes part in the tab order but links
    assert.deepEqual([...gov().querySelectorAll("[tabindex], button, input, select")], []);
    const grid = $('[role="grid"]');
    grid.focus();
    const key = (k) =>
      grid.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));
    key("ArrowDown");
    key("ArrowDown");
    assert.equal(model.state.focused_id, IDS[2]);
    assert.equal(document.activeElement, grid);
    assert.equal(pane().querySelector("h3").textContent, IDS[2]);
    key("ArrowUp");
    assert.equal(model.state.focused_id, IDS[1]);
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
