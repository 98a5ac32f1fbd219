// The built Playground bundle in a simulated DOM (jsdom), against a fake model standing in for
// the kernel: traits, and the custom messages a run sends (start, piece, cell, done).
// Run with `npm test` after `npm run build`.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { JSDOM } from "jsdom";
import { FakeModel as BaseModel } from "./fake-model.mjs";

const dom = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
const { window } = dom;
for (const name of [
  "document",
  "Element",
  "HTMLElement",
  "Event",
  "KeyboardEvent",
  "MouseEvent",
  "Text",
  "Blob",
]) {
  globalThis[name] = window[name];
}
// node's URL.createObjectURL wants node's Blob, not jsdom's File: the page's URLs are not looked at
globalThis.URL.createObjectURL = () => "blob:fake";
globalThis.URL.revokeObjectURL = () => {};
window.HTMLFormElement.prototype.requestSubmit ??= function requestSubmit() {
  this.dispatchEvent(new window.Event("submit", { cancelable: true }));
};

const bundle = await import("../../hubwidgets/widgets/static/hubwidgets.js");
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
      running: false,
      _input_kind: "text",
      _samples: [{ label: "I loved it", text: "I loved it" }],
      _tasks: ["text-classification", "text-generation", "image-classification"],
      _online: false,
      _max_file_bytes: 50 * 1024 * 1024,
      _chunk_bytes: 4,
      _needs_labels: false,
      _backend_name: "fake",
      _run_info: {},
      _echo_image: null,
      ...state,
    });
  }
  save_changes() {}
}

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
  let el;
  let model;
  let cleanup;
  const mount = (state) => {
    model = new FakeModel(state);
    cleanup = widget.render({ model, el });
  };
  beforeEach(() => {
    el = document.createElement("div");
    document.body.append(el);
  });
  afterEach(() => {
    cleanup?.();
    el.remove();
  });

  test("a labelled prompt, a Run button, samples that fill the prompt", () => {
    mount();
    const run = [...el.querySelectorAll("button")].find((b) => b.textContent === "Run");
    assert.ok(run);
    const area = el.querySelector("textarea");
    const label = el.querySelector(`label[for="${area.id}"]`);
    assert.equal(label.textContent, "Prompt");
    el.querySelector(".hw-sample").click();
    assert.equal(area.value, "I loved it");
    assert.deepEqual(model.sent[0].content, { type: "view" });
    assert.equal(el.querySelector("[role=status]").textContent, model.get("status"));
  });

  test("Run sends the text; cells show score bars, latency and backend", () => {
    mount();
    el.querySelector("textarea").value = "great film";
    el.querySelector("form").requestSubmit();
    assert.deepEqual(model.sent.at(-1).content, { type: "run", text: "great film" });
    model.set("_run_info", {
      run: 1,
      models: ["org/a", "org/b"],
      stream: false,
      text: "",
      echo: false,
    });
    assert.equal(el.querySelectorAll(".hw-cell").length, 2);
    model.custom({
      type: "cell",
      run: 1,
      index: 0,
      model: "org/a",
      backend: "local",
      provider: "cpu",
      latency_ms: 12.4,
      error: "",
      fell_back_from: "",
      input: "great film",
      output: [
        { label: "positive", score: 0.8 },
        { label: "negative", score: 0.2 },
      ],
    });
    const cell = el.querySelector(".hw-cell");
    assert.match(cell.querySelector(".hw-cell-meta").textContent, /12 ms · local \/ cpu/);
    const bars = cell.querySelectorAll(".hw-bar");
    assert.equal(bars.length, 2);
    assert.equal(bars[0].style.width, "80%");
    assert.equal(cell.querySelector(".hw-bar-label").textContent, "positive");
  });

  test("an error and a fallback are said in the cell", () => {
    mount();
    model.set("_run_info", {
      run: 3,
      models: ["org/a", "org/b"],
      stream: false,
      text: "",
      echo: false,
    });
    const base = { type: "cell", run: 3, provider: "", latency_ms: null, input: "", output: null };
    model.custom({ ...base, index: 0, model: "org/a", backend: "", error: "the text is empty" });
    model.custom({
      ...base,
      index: 1,
      model: "org/b",
      backend: "local",
      error: "",
      fell_back_from: "remote (timeout): timed out",
      output: [{ label: "x", score: 1 }],
    });
    const [a, b] = el.querySelectorAll(".hw-cell");
    assert.equal(a.querySelector("[role=alert]").textContent, "the text is empty");
    assert.ok(a.classList.contains("hw-failed"));
    assert.match(b.querySelector(".hw-fallback").textContent, /Answered by local after: remote/);
  });

  test("streamed pieces grow the text, the final cell replaces it", () => {
    mount({ task: "text-generation" });
    model.set("_run_info", { run: 1, models: ["gpt"], stream: true, text: "", echo: false });
    model.custom({ type: "piece", run: 1, index: 0, text: "Once " });
    model.custom({ type: "piece", run: 1, index: 0, text: "upon" });
    const cell = el.querySelector(".hw-cell");
    assert.equal(cell.querySelector(".hw-generated").textContent, "Once upon");
    assert.ok(cell.classList.contains("hw-streaming"));
    model.custom({ type: "piece", run: 0, index: 0, text: "stale" }); // an older run: ignored
    model.custom({
      type: "cell",
      run: 1,
      index: 0,
      model: "gpt",
      backend: "local",
      provider: "cpu",
      latency_ms: 40,
      error: "",
      fell_back_from: "",
      input: "",
      output: { generated_text: "Once upon a time" },
    });
    assert.equal(cell.querySelector(".hw-generated").textContent, "Once upon a time");
    assert.ok(!cell.classList.contains("hw-streaming"));
  });

  test("entities are highlighted in the text that was run", () => {
    mount({ task: "token-classification" });
    el.querySelector("textarea").value = "John lives in Paris";
    el.querySelector("form").requestSubmit();
    model.set("_run_info", { run: 1, models: ["ner"], stream: false, text: "", echo: false });
    model.custom({
      type: "cell",
      run: 1,
      index: 0,
      model: "ner",
      backend: "local",
      provider: "cpu",
      latency_ms: 1,
      error: "",
      fell_back_from: "",
      input: "",
      output: [{ entity_group: "PER", score: 0.9, word: "John", start: 0, end: 4 }],
    });
    const mark = el.querySelector("mark.hw-span");
    assert.equal(mark.firstChild.textContent, "John");
    assert.equal(mark.querySelector(".hw-span-label").textContent, "PER");
    assert.equal(el.querySelector(".hw-legend li").textContent, "PER");
  });

  test("image tasks: a labelled file input; files go in chunks; samples preview", async () => {
    mount({
      task: "image-classification",
      _input_kind: "image",
      _samples: [{ label: "s.png", file: true }],
    });
    const input = el.querySelector("input[type=file]");
    assert.equal(el.querySelector(`label[for="${input.id}"]`).textContent, "Choose an image");
    const file = new window.File([new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])], "x.png", {
      type: "image/png",
    });
    file.arrayBuffer ??= async () => new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]).buffer;
    Object.defineProperty(input, "files", { value: [file] });
    input.dispatchEvent(new window.Event("change"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const uploads = model.sent.filter((m) => m.content.type === "upload");
    assert.deepEqual(
      uploads.map((m) => m.content.offset),
      [0, 4, 8],
    );
    assert.equal(uploads[0].content.size, 9);
    // Run before the kernel confirmed: refused in the page
    el.querySelector("form").requestSubmit();
    assert.ok(!model.sent.some((m) => m.content.type === "run"));
    model.custom({
      type: "uploaded",
      id: uploads[0].content.id,
      name: "x.png",
      size: 9,
      sha256: "ab",
      mime: "image/png",
    });
    el.querySelector("form").requestSubmit();
    assert.equal(model.sent.at(-1).content.file, uploads[0].content.id);
    el.querySelector(".hw-sample").click();
    assert.deepEqual(model.sent.at(-1).content, { type: "sample", index: 0 });
  });

  test("a run started from Python brings its text along", () => {
    mount({ task: "token-classification" });
    model.set("_run_info", {
      run: 2,
      models: ["ner"],
      stream: false,
      echo: true,
      text: "Ada in London",
    });
    model.custom({
      type: "cell",
      run: 2,
      index: 0,
      model: "ner",
      backend: "local",
      provider: "cpu",
      latency_ms: 1,
      error: "",
      fell_back_from: "",
      input: "",
      output: [{ entity_group: "LOC", score: 0.9, word: "London", start: 7, end: 13 }],
    });
    assert.equal(el.querySelector("mark.hw-span").firstChild.textContent, "London");
  });

  test("Stop shows while running and sends stop", () => {
    mount({ running: true });
    const stop = [...el.querySelectorAll("button")].find((b) => b.textContent === "Stop");
    assert.equal(stop.hidden, false);
    stop.click();
    assert.deepEqual(model.sent.at(-1).content, { type: "stop" });
    model.set("running", false);
    assert.equal(stop.hidden, true);
  });

  test("changing the task rebuilds the input", () => {
    mount();
    model.set("_input_kind", "qa");
    assert.ok(el.querySelector(`label[for="${el.querySelector(".hw-question").id}"]`));
    const select = el.querySelector("select.hw-task");
    select.value = "text-generation";
    select.dispatchEvent(new window.Event("change"));
    assert.equal(model.get("task"), "text-generation");
  });
});
