// The built CompareWidget bundle in a simulated DOM (jsdom), against a fake model holding what
// the kernel sends: the matrix as Arrow IPC bytes (its Table trait), badges, charts as SVG, the
// status line. All of it is synced state: a view drawn from saved state needs no kernel.
// Run with `npm test` after `npm run build`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeModel as BaseModel } from "./fake-model.mjs";
import { installDom, ipc, loadWidgets, mounting } from "./harness.mjs";

const window = installDom();
const { widgets } = await loadWidgets();
const widget = widgets.compare;

const IDS = ["org/small", "org/big", "other/mid"];

/** The matrix as the kernel sends it: one row per metric and model (MATRIX_COLUMNS). */
function matrixBytes(ids = IDS, { warning = false } = {}) {
  const metric = [];
  const label = [];
  const unit = [];
  const model = [];
  const text = [];
  const source = [];
  const best = [];
  const rows = [
    ["params", "Parameters", "", ["1B", "7B", "3B"], [true, false, false]],
    [
      "memory_int4",
      "Memory to load (int4)",
      "weights only",
      ["0.5 GB", "3.5 GB", ""],
      [true, false, false],
    ],
    ["downloads", "Downloads", "last 30 days", ["10K", "5M", "1M"], [false, true, false]],
    [
      "task",
      "Task",
      "",
      ["text-generation", "text-generation", "fill-mask"],
      [false, false, false],
    ],
  ];
  if (warning) {
    rows.push([
      "warning",
      "Warning",
      "",
      ids.map(() => "different tasks: a, b"),
      ids.map(() => false),
    ]);
  }
  for (const [m, l, u, texts, bests] of rows) {
    ids.forEach((id, k) => {
      metric.push(m);
      label.push(l);
      unit.push(u);
      model.push(id);
      text.push(texts[k] ?? "");
      source.push(`source of ${m} for ${id}`);
      best.push(bests[k] ?? false);
    });
  }
  return ipc({ metric, label, unit, model, text, source, best });
}

/** A stand-in for the kernel side of anywidget's model. */
class FakeModel extends BaseModel {
  constructor(state = {}) {
    super({
      models: [...IDS],
      context_length: 4096,
      batch_size: 1,
      status: "Comparing 3 models · 5 ms · fake",
      error: "",
      _matrix: matrixBytes(),
      _badges: { "org/small": ["smallest"], "org/big": ["most downloaded"], "other/mid": [] },
      _charts: { memory: '<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>' },
      _max_models: 8,
      ...state,
    });
  }
  save_changes() {
    this.saved.push(structuredClone(this.state.models));
  }
}

describe("CompareWidget", () => {
  const { mount, unmount } = mounting(widget, FakeModel);

  test("renders the matrix from the IPC bytes: one column per model", () => {
    const { el } = mount();
    const table = el.querySelector("table.hw-matrix");
    assert.ok(table);
    const heads = [...table.querySelectorAll("thead th.hw-model")].map((th) => th.dataset.model);
    assert.deepEqual(heads, IDS);
    const links = [...table.querySelectorAll("thead a")].map((a) => a.href);
    assert.deepEqual(links[0], "https://huggingface.co/org/small");
    const metrics = [...table.querySelectorAll("tbody tr")].map((tr) => tr.dataset.metric);
    assert.deepEqual(metrics, ["params", "memory_int4", "downloads", "task"]);
    const params = table.querySelector("tr[data-metric=params]");
    assert.equal(params.querySelector("th[scope=row]").textContent, "Parameters");
    const values = [...params.querySelectorAll("td .hw-value")].map((v) => v.textContent);
    assert.deepEqual(values, ["1B", "7B", "3B"]);
    // a value not known shows a dash; the unit sits under the metric's name
    const memory = table.querySelector("tr[data-metric=memory_int4]");
    assert.equal(memory.querySelectorAll("td .hw-value")[2].textContent, "—");
    assert.equal(memory.querySelector(".hw-unit").textContent, "weights only");
    assert.equal(el.querySelector("[role=status]").textContent, "Comparing 3 models · 5 ms · fake");
  });

  test("a view drawn from saved state alone shows the comparison", () => {
    // the state a saved notebook holds (widget state, no kernel): no request, no reply needed
    const { el, model } = mount();
    assert.ok(el.firstElementChild.classList.contains("hubwidgets-compare"));
    assert.equal(el.querySelectorAll("thead th.hw-model").length, 3);
    assert.equal(el.querySelectorAll("tbody tr").length, 4);
    assert.equal(el.querySelectorAll(".hw-badge").length, 2);
    assert.equal(el.querySelectorAll("figure.hw-chart svg").length, 1);
    assert.match(el.querySelector("[role=status]").textContent, /Comparing 3 models/);
    // the page only says it draws the widget (a notice: no reply awaited)
    assert.deepEqual(
      model.requests().map(({ kind, id }) => [kind, id]),
      [["view", null]],
    );
  });

  test("marks the best cell of each row, for eyes and screen readers", () => {
    const { el } = mount();
    const best = [...el.querySelectorAll("td.hw-best")].map(
      (td) => `${td.parentElement.dataset.metric}:${[...td.parentElement.children].indexOf(td)}`,
    );
    assert.deepEqual(best, ["params:1", "memory_int4:1", "downloads:2"]);
    const cell = el.querySelector("tr[data-metric=params] td.hw-best");
    assert.match(cell.textContent, /\(best\)/);
    // the source: a tooltip, and a description for assistive technology
    assert.equal(cell.title, "source of params for org/small");
    const note = document.getElementById(cell.getAttribute("aria-describedby"));
    assert.equal(note.textContent, "Source: source of params for org/small");
  });

  test("shows badges under each model", () => {
    const { el } = mount();
    const badges = (id) =>
      [...el.querySelectorAll(`th[data-model="${id}"] .hw-badge`)].map((b) => b.textContent);
    assert.deepEqual(badges("org/small"), ["smallest"]);
    assert.deepEqual(badges("org/big"), ["most downloaded"]);
    assert.deepEqual(badges("other/mid"), []);
  });

  test("a remove button sends the models without that one", () => {
    const { el, model } = mount();
    const remove = el.querySelector('button[aria-label="Remove org/big"]');
    assert.ok(remove);
    remove.click();
    assert.deepEqual(model.saved, [["org/small", "other/mid"]]);
  });

  test("Add model by id: Enter or the button appends the id", () => {
    const { el, model } = mount();
    const input = el.querySelector('input[aria-label="Add model by id"]');
    input.value = "  new/model ";
    input.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    assert.deepEqual(model.saved, [[...IDS, "new/model"]]);
    // the text stays until the kernel accepts the id (a new matrix with it) ...
    assert.equal(input.value, "  new/model ");
    model.set("models", [...IDS]); // ... refused: the kernel sends its models back
    assert.equal(input.value, "  new/model ");
    model.set("models", [...IDS, "new/model"]);
    model.set("_matrix", matrixBytes(["org/small", "org/big", "new/model"]));
    assert.equal(input.value, "");

    input.value = "org/small";
    el.querySelector("button.hw-add").click();
    assert.equal(model.saved.length, 1, "an id already compared is not sent");
    assert.match(el.querySelector(".hw-hint").textContent, /already compared/);
  });

  test("adding is disabled at the most models", () => {
    const ids = Array.from({ length: 8 }, (_, i) => `org/m${i}`);
    const { el } = mount({ models: ids, _matrix: matrixBytes(ids) });
    assert.equal(el.querySelector('input[aria-label="Add model by id"]').disabled, true);
    assert.match(el.querySelector(".hw-hint").textContent, /remove one/);
  });

  test("an error shows in the status line; fewer than 2 models show no table", () => {
    const { el, model } = mount({ models: ["org/small"], _matrix: null, _badges: {}, _charts: {} });
    assert.equal(el.querySelector("table"), null);
    model.set("error", "unknown model ids: 'x/y'");
    model.set("status", "unknown model ids: 'x/y'; select at least 2 models");
    const status = el.querySelector("[role=status]");
    assert.ok(status.classList.contains("hw-error"));
    assert.match(status.textContent, /select at least 2 models/);
  });

  test("the warning row is shown when the kernel sends one", () => {
    const { el } = mount({ _matrix: matrixBytes(IDS, { warning: true }) });
    const row = el.querySelector("tr.hw-warning");
    assert.ok(row);
    assert.match(row.textContent, /different tasks/);
  });

  test("draws the charts the kernel sent, and follows new matrices", () => {
    const { el, model } = mount();
    const figure = el.querySelector("figure.hw-chart[data-chart=memory]");
    assert.ok(figure.querySelector("svg"));
    assert.equal(figure.querySelector("svg").getAttribute("role"), "img");
    model.set("models", IDS.slice(0, 2));
    model.set("_matrix", matrixBytes(IDS.slice(0, 2)));
    assert.equal(el.querySelectorAll("thead th.hw-model").length, 2);
    model.set("_matrix", null); // below 2 models: no table, no charts
    model.set("_charts", {});
    assert.equal(el.querySelector("table"), null);
    assert.equal(el.querySelector("figure.hw-chart"), null);
  });

  test("removing the view removes its listeners", () => {
    const { model } = mount();
    unmount();
    for (const [event, callbacks] of model.handlers) assert.equal(callbacks.size, 0, event);
  });
});
