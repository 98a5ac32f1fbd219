// The built Playground bundle in a simulated DOM (jsdom), against a fake model standing in for
// the kernel: the cells are drawn from the state (`_last_run`), streamed text comes as `piece`
// events, and the page's actions are protocol messages (run, stop, upload, sample...).
// Run with `npm test` after `npm run build`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeModel as BaseModel } from "./fake-model.mjs";
import { byText, chooseFiles, installDom, loadWidgets, mounting, tick } from "./harness.mjs";

const window = installDom(["Text", "Blob"]);
// node's URL.createObjectURL wants node's Blob, not jsdom's File: the page's URLs are counted
let objectUrls = 0;
globalThis.URL.createObjectURL = () => `blob:fake-${++objectUrls}`;
globalThis.URL.revokeObjectURL = () => {};
window.HTMLFormElement.prototype.requestSubmit ??= function requestSubmit() {
  this.dispatchEvent(new window.Event("submit", { cancelable: true }));
};

const bundle = await loadWidgets();
const widget = bundle.widgets.playground;
const { splitSpans, encodeWav, chunkRanges, formatBytes } = bundle;

class FakeModel extends BaseModel {
  constructor(state = {}) {
    super({
      task: "text-classification",
      models: ["org/a", "org/b"],
      params: {},
      stream: true,
      status: "text-classification · 2 models · fake backend",
      error: "",
      budget: "",
      running: false,
      _input_kind: "text",
      _samples: [{ label: "I loved it", text: "I loved it" }],
      _tasks: ["text-classification", "text-generation", "image-classification"],
      _online: false,
      _max_file_bytes: 50 * 1024 * 1024,
      _chunk_bytes: 4,
      _needs_labels: false,
      _backend_name: "fake",
      _last_run: {},
      _run_image: null,
      ...state,
    });
  }
  save_changes() {}
}

/** The state a run puts in `_last_run` (see hubwidgets/widgets/playground.py). */
const lastRun = (run, models, cells = [], extra = {}) => ({
  run,
  task: "text-classification",
  models,
  stream: false,
  text: "",
  cells: models.map((_, k) => cells[k] ?? null),
  stopped: false,
  ...extra,
});

const cell = (fields) => ({
  model: "org/a",
  backend: "local",
  provider: "cpu",
  latency_ms: 12.4,
  error: "",
  fell_back_from: "",
  input: "",
  output: null,
  ...fields,
});

/** An image task with a sample file: the input is a file chooser. */
const IMAGE_TASK = {
  task: "image-classification",
  _input_kind: "image",
  _samples: [{ label: "s.png", file: true }],
};

const bytes = (...values) => new DataView(new Uint8Array(values).buffer);
const flush = () => tick(10);

describe("pure helpers", () => {
  test("splitSpans clips and orders spans", () => {
    const pieces = splitSpans("John lives in Paris", [
      { start: 14, end: 19, label: "LOC" },
      { start: 0, end: 4, label: "PER", score: 0.9 },
      { start: 2, end: 3, label: "X" }, // inside an earlier span: dropped
    ]);
    assert.deepEqual(
      pieces.map((p) => [p.text, p.label]),
      [
        ["John", "PER"],
        [" lives in ", null],
        ["Paris", "LOC"],
      ],
    );
  });

  test("encodeWav writes a 16-bit mono WAV header", () => {
    const wav = new DataView(encodeWav(new Float32Array([0, 1, -1]), 16000));
    const text = (o) => String.fromCharCode(...new Uint8Array(wav.buffer, o, 4));
    assert.equal(text(0), "RIFF");
    assert.equal(text(8), "WAVE");
    assert.equal(wav.getUint32(24, true), 16000);
    assert.equal(wav.byteLength, 44 + 6);
    assert.equal(wav.getInt16(46, true), 32767);
    assert.equal(wav.getInt16(48, true), -32768);
  });

  test("chunkRanges covers the file", () => {
    assert.deepEqual(chunkRanges(10, 4), [
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
    assert.equal(formatBytes(2 * 1024 * 1024), "2.0 MiB");
  });
});

describe("Playground", () => {
  const { mount } = mounting(widget, FakeModel);

  test("a labelled prompt, a Run button, samples that fill the prompt", () => {
    const { el, model } = mount();
    const run = byText(el, "button", "Run");
    assert.ok(run);
    const area = el.querySelector("textarea");
    const label = el.querySelector(`label[for="${area.id}"]`);
    assert.equal(label.textContent, "Prompt");
    el.querySelector(".hw-sample").click();
    assert.equal(area.value, "I loved it");
    assert.equal(model.requests("view").length, 1);
    assert.equal(el.querySelector("[role=status]").textContent, model.get("status"));
  });

  test("Run is a notice with the text; the cells come from the state", () => {
    const { el, model } = mount();
    el.querySelector("textarea").value = "great film";
    el.querySelector("form").requestSubmit();
    const [run] = model.requests("run");
    assert.equal(run.id, null); // a notice: the cells come as state, no reply
    assert.deepEqual(run.body, { text: "great film" });
    const output = [
      { label: "positive", score: 0.8 },
      { label: "negative", score: 0.2 },
    ];
    model.set("_last_run", lastRun(1, ["org/a", "org/b"], [cell({ output })]));
    const cells = el.querySelectorAll(".hw-cell");
    assert.equal(cells.length, 2);
    assert.match(cells[0].querySelector(".hw-cell-meta").textContent, /12 ms · local \/ cpu/);
    const bars = cells[0].querySelectorAll(".hw-bar");
    assert.equal(bars.length, 2);
    assert.equal(bars[0].style.width, "80%");
    assert.equal(cells[0].querySelector(".hw-bar-label").textContent, "positive");
    assert.ok(cells[1].classList.contains("hw-pending"));
    // the second cell: only it is drawn, the first stays as it is
    const first = cells[0].querySelector(".hw-bars");
    model.set(
      "_last_run",
      lastRun(1, ["org/a", "org/b"], [cell({ output }), cell({ model: "org/b", output })]),
    );
    assert.equal(el.querySelector(".hw-cell .hw-bars"), first);
    assert.ok(el.querySelectorAll(".hw-cell")[1].classList.contains("hw-done"));
  });

  test("spend against the budget shows beside the status; a refusal is the error", () => {
    const { el, model } = mount();
    const budget = el.querySelector(".hw-budget");
    assert.ok(budget.hidden); // no budget: nothing shown
    model.set("budget", "spent $4.50 of $10.00 this month (hard budget)");
    assert.ok(!budget.hidden);
    assert.equal(budget.textContent, "spent $4.50 of $10.00 this month (hard budget)");
    const area = el.querySelector("textarea");
    area.value = "a long prompt";
    el.querySelector("form").requestSubmit();
    const refusal = "refused: this run would cost about $6.00, $0.50 over the hard budget";
    model.set("error", refusal);
    model.set("status", refusal);
    const status = el.querySelector("[role=status]");
    assert.equal(status.textContent, refusal);
    assert.ok(status.classList.contains("hw-status-error"));
    assert.equal(area.value, "a long prompt"); // the user's prompt is kept
  });

  test("a view drawn from the state alone shows the last run", () => {
    // e.g. pg.run(...) before the display, a second display, a reopened notebook
    const { el, model } = mount({
      task: "text-to-image",
      _last_run: lastRun(
        4,
        ["org/a", "org/b"],
        [
          cell({ output: { image: bytes(137, 80, 78, 71) } }),
          cell({ model: "org/b", error: "provider down", latency_ms: null }),
        ],
        { task: "text-to-image", text: "a lighthouse" },
      ),
    });
    const cells = el.querySelectorAll(".hw-cell");
    assert.equal(cells.length, 2);
    const img = cells[0].querySelector("img.hw-generated-image");
    assert.match(img.src, /^blob:fake-/);
    assert.equal(img.alt, "Image generated from: a lighthouse");
    assert.equal(cells[1].querySelector("[role=alert]").textContent, "provider down");
    // another task's run is not drawn with this task's renderers
    model.set("task", "text-generation");
    assert.equal(el.querySelectorAll(".hw-cell").length, 0);
  });

  test("an error and a fallback are said in the cell", () => {
    const { el, model } = mount();
    model.set(
      "_last_run",
      lastRun(
        3,
        ["org/a", "org/b"],
        [
          cell({ backend: "", provider: "", latency_ms: null, error: "the text is empty" }),
          cell({
            model: "org/b",
            fell_back_from: "remote (timeout): timed out",
            output: [{ label: "x", score: 1 }],
          }),
        ],
      ),
    );
    const [a, b] = el.querySelectorAll(".hw-cell");
    assert.equal(a.querySelector("[role=alert]").textContent, "the text is empty");
    assert.ok(a.classList.contains("hw-failed"));
    assert.match(b.querySelector(".hw-fallback").textContent, /Answered by local after: remote/);
  });

  test("streamed pieces grow the text, the final cell from the state replaces it", () => {
    const { el, model } = mount({ task: "text-generation" });
    const run = (cells) => lastRun(1, ["gpt"], cells, { task: "text-generation", stream: true });
    model.set("_last_run", run([]));
    model.event("piece", { run: 1, index: 0, text: "Once " });
    model.event("piece", { run: 1, index: 0, text: "upon" });
    const node = el.querySelector(".hw-cell");
    assert.equal(node.querySelector(".hw-generated").textContent, "Once upon");
    assert.ok(node.classList.contains("hw-streaming"));
    model.event("piece", { run: 0, index: 0, text: "stale" }); // an older run: ignored
    const done = cell({
      model: "gpt",
      latency_ms: 40,
      output: { generated_text: "Once upon a time" },
    });
    model.set("_last_run", run([done]));
    assert.equal(node.querySelector(".hw-generated").textContent, "Once upon a time");
    assert.ok(!node.classList.contains("hw-streaming"));
    model.event("piece", { run: 1, index: 0, text: " late" }); // after the cell: ignored
    assert.equal(node.querySelector(".hw-generated").textContent, "Once upon a time");
  });

  test("a stopped run says which models did not run", () => {
    const { el, model } = mount();
    model.set(
      "_last_run",
      lastRun(2, ["org/a", "org/b"], [cell({ output: [] })], { stopped: true }),
    );
    const second = el.querySelectorAll(".hw-cell")[1];
    assert.equal(second.querySelector(".hw-cell-meta").textContent, "not run (stopped)");
  });

  test("entities are highlighted in the text of the run", () => {
    const { el, model } = mount({ task: "token-classification" });
    model.set(
      "_last_run",
      lastRun(
        1,
        ["ner"],
        [cell({ output: [{ entity_group: "PER", score: 0.9, word: "John", start: 0, end: 4 }] })],
        { task: "token-classification", text: "John lives in Paris" },
      ),
    );
    const mark = el.querySelector("mark.hw-span");
    assert.equal(mark.firstChild.textContent, "John");
    assert.equal(mark.querySelector(".hw-span-label").textContent, "PER");
    assert.equal(el.querySelector(".hw-legend li").textContent, "PER");
  });

  test("boxes and masks are drawn over the run's input image from the state", () => {
    const { el, model } = mount({ task: "image-segmentation", _input_kind: "image", _samples: [] });
    model.set("_run_image", bytes(137, 80, 78, 71));
    model.set(
      "_last_run",
      lastRun(1, ["seg"], [cell({ output: [{ label: "sky", score: 1, mask: bytes(1, 2, 3) }] })], {
        task: "image-segmentation",
      }),
    );
    const overlay = el.querySelector(".hw-overlay");
    assert.match(overlay.querySelector("img.hw-overlay-img").src, /^blob:fake-/);
    const mask = overlay.querySelector(".hw-mask");
    assert.equal(mask.title, "sky");
    assert.equal(el.querySelector(".hw-legend li").textContent, "sky");
  });

  test("image tasks: a labelled file input; files go in chunks as requests", async () => {
    const { el, model } = mount(IMAGE_TASK);
    const input = el.querySelector("input[type=file]");
    assert.equal(el.querySelector(`label[for="${input.id}"]`).textContent, "Choose an image");
    const data = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const file = new window.File([data], "x.png", { type: "image/png" });
    file.arrayBuffer ??= async () => data.buffer.slice(0);
    chooseFiles(input, [file]);
    await flush();
    const chunks = model.requests("upload");
    assert.deepEqual(
      chunks.map((m) => m.body.offset),
      [0, 4, 8],
    );
    assert.ok(chunks.every((m) => typeof m.id === "number")); // requests: the last one says done
    assert.deepEqual(chunks[0].paths, [["data"]]);
    assert.deepEqual([...chunks[2].buffers[0]], [9]); // the last chunk's bytes
    assert.equal(chunks[0].body.size, 9);
    // Run before the kernel has the file: refused in the page
    el.querySelector("form").requestSubmit();
    assert.equal(model.requests("run").length, 0);
    assert.match(el.querySelector(".hw-hint").textContent, /still being sent/);
    const id = chunks[0].body.id;
    model.reply(chunks[0], {});
    model.reply(chunks[1], {});
    model.reply(chunks[2], { id, name: "x.png", size: 9, sha256: "ab", mime: "image/png" });
    await flush();
    assert.match(el.querySelector(".hw-hint").textContent, /x.png ready/);
    el.querySelector("form").requestSubmit();
    assert.equal(model.requests("run").at(-1).body.file, id);
  });

  test("a refused upload and a sample with its bytes for the preview", async () => {
    const { el, model } = mount(IMAGE_TASK);
    const input = el.querySelector("input[type=file]");
    const file = new window.File([new Uint8Array([1, 2])], "big.png", { type: "image/png" });
    file.arrayBuffer ??= async () => new Uint8Array([1, 2]).buffer;
    chooseFiles(input, [file]);
    await flush();
    model.fail(model.requests("upload")[0], "big.png: a chunk went missing; upload it again");
    await flush();
    assert.match(el.querySelector(".hw-hint").textContent, /chunk went missing/);
    el.querySelector(".hw-sample").click();
    const [sample] = model.requests("sample");
    assert.deepEqual(sample.body, { index: 0 });
    model.reply(sample, {
      id: "sample-1",
      name: "sample-1.png",
      size: 4,
      sha256: "cd",
      mime: "image/png",
      data: bytes(137, 80, 78, 71),
    });
    await flush();
    assert.equal(el.querySelector(".hw-preview-img").alt, "Chosen image: sample-1.png");
    el.querySelector("form").requestSubmit();
    assert.equal(model.requests("run").at(-1).body.file, "sample-1");
  });

  test("Stop shows while running and sends a stop notice", () => {
    const { el, model } = mount({ running: true });
    const stop = byText(el, "button", "Stop");
    assert.equal(stop.hidden, false);
    stop.click();
    assert.equal(model.requests("stop").length, 1);
    model.set("running", false);
    assert.equal(stop.hidden, true);
  });

  test("changing the task rebuilds the input", () => {
    const { el, model } = mount();
    model.set("_input_kind", "qa");
    assert.ok(el.querySelector(`label[for="${el.querySelector(".hw-question").id}"]`));
    const select = el.querySelector("select.hw-task");
    select.value = "text-generation";
    select.dispatchEvent(new window.Event("change"));
    assert.equal(model.get("task"), "text-generation");
  });

  test("two views of one model draw the same cells", () => {
    const { el, model } = mount();
    const other = document.createElement("div");
    document.body.append(other);
    const dispose = widget.render({ model, el: other });
    model.set("_last_run", lastRun(1, ["org/a"], [cell({ output: [{ label: "ok", score: 1 }] })]));
    for (const root of [el, other]) {
      assert.equal(root.querySelector(".hw-cell .hw-bar-label").textContent, "ok");
    }
    assert.notEqual(el.querySelector("textarea").id, other.querySelector("textarea").id);
    dispose();
    other.remove();
  });
});
