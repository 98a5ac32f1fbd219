// The built BenchmarkWidget bundle in a simulated DOM (jsdom), against a fake model holding what
// the kernel sends: the results table as Arrow IPC bytes, progress, status, charts as SVG; the
// page's notices and requests are read with the fake model's protocol helpers.
// Run with `npm test` after `npm run build`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeModel as BaseModel } from "./fake-model.mjs";
import { byText, chooseFiles, installDom, ipc, loadWidgets, mounting, tick } from "./harness.mjs";

const window = installDom(["File"]);
const { widgets } = await loadWidgets();
const widget = widgets.benchmark;

const TASKS = ["text-classification", "question-answering", "image-classification"];

/** The results table as the kernel sends it (RESULTS_COLUMNS of hubwidgets/core/inference/results.py). */
function summaryBytes(rows) {
  const columns = {
    model: [],
    backend: [],
    batch_size: [],
    status: [],
    error: [],
    p50_ms: [],
    p90_ms: [],
    p99_ms: [],
    items_per_s: [],
    tokens_per_s: [],
    peak_rss_mb: [],
    quality: [],
    quality_lo: [],
    quality_hi: [],
    best_p50: [],
    best_quality: [],
    reliable: [],
    spread_note: [],
  };
  for (const row of rows) {
    for (const [name, values] of Object.entries(columns)) {
      const fallback = name.startsWith("best")
        ? false
        : name === "reliable"
          ? null
          : ["model", "backend", "status", "error", "spread_note"].includes(name)
            ? ""
            : Number.NaN;
      values.push(row[name] ?? fallback);
    }
  }
  const typed = Object.fromEntries(
    Object.entries(columns).map(([name, values]) =>
      typeof values[0] === "number" ? [name, Float64Array.from(values)] : [name, values],
    ),
  );
  return ipc(typed);
}

const RESULTS = [
  {
    model: "org/fast",
    backend: "local",
    batch_size: 1,
    status: "ok",
    p50_ms: 3.25,
    p90_ms: 4,
    p99_ms: 5,
    items_per_s: 1234.5,
    peak_rss_mb: 512,
    quality: 0.8,
    quality_lo: 0.7,
    quality_hi: 0.9,
    best_p50: true,
  },
  {
    model: "org/good",
    backend: "local",
    batch_size: 1,
    status: "ok",
    p50_ms: 12,
    p90_ms: 14,
    p99_ms: 20,
    items_per_s: 80,
    peak_rss_mb: 900,
    quality: 0.9,
    quality_lo: 0.85,
    quality_hi: 0.95,
    best_quality: true,
  },
  { model: "org/broken", backend: "local", batch_size: 1, status: "error", error: "cannot load" },
];

/** A stand-in for the kernel side of anywidget's model. */
class FakeModel extends BaseModel {
  constructor(state = {}) {
    super({
      models: ["org/fast", "org/good"],
      task: "text-classification",
      input_source: "samples",
      warmup: 3,
      min_iterations: 10,
      min_duration_s: 5,
      batch_sizes: [1],
      running: false,
      progress: 0,
      progress_text: "",
      status: "2 models · text-classification · 8 built-in samples · batch size 1",
      error: "",
      budget: "",
      _summary: null,
      _charts: {},
      _inputs: { samples: 8, column: 0, column_label: "", files: [], file_items: 0 },
      _tasks: TASKS,
      _quality: {},
      ...state,
    });
  }
}

describe("BenchmarkWidget", () => {
  const view = mounting(widget, FakeModel);
  const { mount } = view;
  const button = (name) => byText(view.el, "button", name);
  const kinds = () => view.model.requests().map((m) => m.kind);

  test("renders the models, the task, the inputs and labelled controls", () => {
    const { el } = mount();
    const names = [...el.querySelectorAll(".hw-model-item")].map((li) => li.dataset.model);
    assert.deepEqual(names, ["org/fast", "org/good"]);
    const select = el.querySelector("select");
    assert.equal(select.value, "text-classification");
    assert.equal(select.labels[0].textContent, "Task");
    assert.deepEqual(
      [...select.options].map((o) => o.value),
      ["", ...TASKS],
    );
    for (const input of el.querySelectorAll("input:not([type=radio]), select")) {
      const named = input.labels?.length || input.getAttribute("aria-label");
      assert.ok(named, `${input.outerHTML} has a label`);
    }
    const samples = el.querySelector("input[type=radio][value=samples]");
    assert.equal(samples.checked, true);
    assert.equal(samples.labels[0].textContent, "Built-in samples (8)");
    assert.equal(el.querySelector("input[type=radio][value=column]").disabled, true);
    const upload = el.querySelector("input[type=file]");
    assert.equal(upload.multiple, true);
    assert.equal(upload.labels[0].textContent, "Upload files");
    assert.equal(el.querySelector("input[type=number]").value, "3");
    assert.equal(button("Run").disabled, false);
    assert.equal(button("Cancel").disabled, true);
    assert.equal(el.querySelector("table"), null);
    assert.deepEqual(kinds(), ["view"]);
  });

  test("Run and Cancel send their notices", () => {
    const { el, model } = mount();
    button("Run").click();
    const [run] = model.requests("run");
    assert.equal(run.id, null); // a notice: the state says how it goes
    model.set("running", true);
    assert.equal(button("Run").disabled, true);
    assert.equal(button("Cancel").disabled, false);
    assert.ok(el.querySelector(".hubwidgets-benchmark").classList.contains("hw-running"));
    button("Cancel").click();
    assert.deepEqual(kinds(), ["view", "run", "cancel"]);
  });

  test("a view drawn from saved state alone shows the results and the charts", () => {
    // no kernel: what the notebook saved is all there is (a run from Python, or a re-display)
    const { el } = mount({
      status: "Done · 3 of 3 ran in 2.0 s",
      _summary: summaryBytes(RESULTS),
      _quality: { metric: "accuracy", label: "Accuracy", lower_is_better: false },
      _charts: { latency: '<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>' },
      progress: 1,
      progress_text: "done",
    });
    const rows = [...el.querySelectorAll("table[role=table] tbody tr")];
    assert.deepEqual(
      rows.map((tr) => tr.dataset.model),
      ["org/fast", "org/good", "org/broken"],
    );
    assert.equal(rows[0].querySelector("td[data-column=p50_ms]").textContent, "3.3 (fastest)");
    assert.ok(el.querySelector("figure.hw-chart[data-chart=latency] svg"));
    assert.equal(el.querySelector("[role=status]").textContent, "Done · 3 of 3 ran in 2.0 s");
    assert.equal(el.querySelector("progress").value, 1);
    assert.equal(el.querySelector(".hw-progress-text").textContent, "done");
    assert.deepEqual(kinds(), ["view"]); // nothing asked of the kernel
  });

  test("progress updates the bar and its text", () => {
    const { el, model } = mount();
    model.set("running", true);
    model.set("progress", 0.4);
    model.set("progress_text", "org/fast · batch 1 · measuring 7/10");
    const bar = el.querySelector("progress");
    assert.equal(bar.value, 0.4);
    assert.equal(bar.max, 1);
    const text = document.getElementById(bar.getAttribute("aria-labelledby"));
    assert.equal(text.textContent, "org/fast · batch 1 · measuring 7/10");
  });

  test("a summary IPC updates the table: numbers right-aligned, the best marked", () => {
    const { el, model } = mount();
    model.set("_quality", { metric: "accuracy", label: "Accuracy", lower_is_better: false });
    model.set("_summary", summaryBytes(RESULTS));
    const table = el.querySelector("table[role=table]");
    assert.ok(table);
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent);
    assert.equal(heads[0], "Model");
    assert.equal(heads.at(-1), "Accuracy (higher is better)");
    const rows = [...table.querySelectorAll("tbody tr")];
    assert.deepEqual(
      rows.map((tr) => tr.dataset.model),
      ["org/fast", "org/good", "org/broken"],
    );
    const p50 = rows[0].querySelector("td[data-column=p50_ms]");
    assert.ok(p50.classList.contains("hw-num"));
    assert.ok(p50.classList.contains("hw-best"));
    assert.match(p50.textContent, /^3\.3 \(fastest\)$/);
    assert.equal(rows[0].querySelector("td[data-column=items_per_s]").textContent, "1,234.5");
    const quality = rows[1].querySelector("td[data-column=quality]");
    assert.ok(quality.classList.contains("hw-best"));
    assert.match(quality.textContent, /^0\.900 \(0\.850–0\.950\)/);
    // the failed model: a distinct row with its error, dashes for its numbers
    assert.ok(rows[2].classList.contains("hw-status-error"));
    assert.match(rows[2].querySelector(".hw-row-error").textContent, /cannot load/);
    assert.equal(rows[2].querySelector("td[data-column=p50_ms]").textContent, "—");
    // a new table replaces the old one (live updates as models finish)
    model.set("_summary", summaryBytes(RESULTS.slice(0, 1)));
    assert.equal(el.querySelectorAll("tbody tr").length, 1);
  });

  test("each row says whether its latencies are reliable, the reason as the title", () => {
    const { el, model } = mount();
    const note = "latency spread too wide: CV 0.82 > 0.5";
    model.set(
      "_summary",
      summaryBytes([
        { ...RESULTS[0], reliable: true },
        { ...RESULTS[1], reliable: false, spread_note: note },
        { ...RESULTS[2], reliable: null, spread_note: "no timings to judge (error)" },
      ]),
    );
    const heads = [...el.querySelectorAll("thead th")].map((th) => th.textContent);
    assert.ok(heads.includes("Reliable"));
    const cells = [...el.querySelectorAll("tbody td.hw-reliable")];
    assert.equal(cells[0].textContent, "yes");
    assert.ok(cells[1].classList.contains("hw-unreliable"));
    assert.equal(cells[1].title, note);
    assert.equal(cells[1].textContent, `no (${note})`);
    assert.match(cells[2].textContent, /^— \(no timings/);
  });

  test("spend against the budget shows under the status; a refusal is the error", () => {
    const { el, model } = mount();
    const budget = el.querySelector(".hw-budget");
    assert.ok(budget.hidden);
    model.set("budget", "spent $2.00 of $5.00 this month (hard budget)");
    assert.equal(budget.textContent, "spent $2.00 of $5.00 this month (hard budget)");
    assert.ok(!budget.hidden);
    model.set("error", "refused: this benchmark run would cost about $4.00, $1.00 over");
    model.set("status", "refused: this benchmark run would cost about $4.00, $1.00 over");
    const status = el.querySelector("[role=status]");
    assert.ok(status.classList.contains("hw-error"));
    assert.match(status.textContent, /\$1\.00 over/);
  });

  test("models: Enter adds, × removes", () => {
    const { el, model } = mount();
    const input = el.querySelector('input[aria-label="Add model by id or path"]');
    input.value = "  org/new ";
    input.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    assert.deepEqual(model.saved.at(-1).models, ["org/fast", "org/good", "org/new"]);
    assert.equal(input.value, "");
    el.querySelector('button[aria-label="Remove org/fast"]').click();
    assert.deepEqual(model.saved.at(-1).models, ["org/good", "org/new"]);
    input.value = "org/good";
    button("Add").click();
    assert.match(el.querySelector(".hw-hint").textContent, /already in the list/);
  });

  test("options and inputs write their traits", () => {
    const { el, model } = mount({
      _inputs: { samples: 8, column: 4, column_label: "column 'text'", files: [] },
    });
    const given = el.querySelector("input[type=radio][value=column]");
    assert.equal(given.labels[0].textContent, "column 'text' (4)");
    given.checked = true;
    given.dispatchEvent(new window.Event("change"));
    assert.equal(model.saved.at(-1).input_source, "column");
    const batches = el.querySelector(".hw-batches");
    batches.value = "8, 1 32";
    batches.dispatchEvent(new window.Event("change"));
    assert.deepEqual(model.saved.at(-1).batch_sizes, [1, 8, 32]);
    batches.value = "0";
    batches.dispatchEvent(new window.Event("change"));
    assert.equal(batches.value, "1, 8, 32");
    const hint = document.getElementById(batches.getAttribute("aria-describedby"));
    assert.match(hint.textContent, /whole numbers of at least 1/);
    const warmup = el.querySelector("input[type=number]");
    warmup.value = "1";
    warmup.dispatchEvent(new window.Event("change"));
    assert.equal(model.saved.at(-1).warmup, 1);
    const select = el.querySelector("select");
    select.value = "question-answering";
    select.dispatchEvent(new window.Event("change"));
    assert.equal(model.saved.at(-1).task, "question-answering");
  });

  const choose = async (files) => {
    const upload = view.el.querySelector("input[type=file]");
    chooseFiles(upload, files);
    await tick(50);
    return document.getElementById(upload.getAttribute("aria-describedby"));
  };

  test("an upload is a request with the files' bytes in its body", async () => {
    const { model } = mount();
    const files = [new window.File(["one\ntwo"], "a.txt"), new window.File(["three"], "b.txt")];
    const hint = await choose(files);
    assert.equal(hint.textContent, "Uploading…");
    const [request] = model.requests("files");
    assert.equal(typeof request.id, "number");
    assert.deepEqual(
      request.body.files.map((f) => f.name),
      ["a.txt", "b.txt"],
    );
    assert.deepEqual(request.paths, [
      ["files", 0, "data"],
      ["files", 1, "data"],
    ]);
    assert.equal(new TextDecoder().decode(request.buffers[0]), "one\ntwo");
    model.reply(request, { items: 3 });
    await tick();
    assert.equal(hint.textContent, "3 inputs read.");
  });

  test("a refused upload says why; a too big one is not sent", async () => {
    const { model } = mount();
    const hint = await choose([new window.File(["[1,"], "x.json")]);
    model.fail(model.requests("files")[0], "x.json is not valid JSON (line 1: Expecting value)");
    await tick();
    assert.match(hint.textContent, /x\.json is not valid JSON/);
    const big = new window.File(["x"], "big.txt");
    Object.defineProperty(big, "size", { value: 9 * 1024 * 1024 });
    await choose([big]);
    assert.match(hint.textContent, /9\.0 MB: upload at most 8 MB/);
    assert.equal(model.requests("files").length, 1);
  });

  test("errors show in the status line; charts are drawn", () => {
    const { el, model } = mount();
    model.set("error", "labels: 3 given for 4 inputs");
    model.set("status", "labels: 3 given for 4 inputs");
    const status = el.querySelector("[role=status]");
    assert.ok(status.classList.contains("hw-error"));
    model.set("_charts", { latency: '<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>' });
    const figure = el.querySelector("figure.hw-chart[data-chart=latency]");
    assert.equal(figure.querySelector("svg").getAttribute("role"), "img");
  });
});
