// The built WorkflowWidget bundle in a simulated DOM (jsdom), against a fake model holding what
// the kernel sends: the steps, their plan and problems, the sample's outputs and the first window
// of the result (Arrow IPC Table traits). Run with `npm test` after `npm run build`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeModel as BaseModel } from "./fake-model.mjs";
import { byText, chooseFiles, installDom, ipc, loadWidgets, mounting, tick } from "./harness.mjs";

const window = installDom(["File"]);
const { widgets } = await loadWidgets();
const widget = widgets.workflow;

const STEPS = [
  { task: "automatic-speech-recognition", model: "org/asr", input: "", name: "" },
  { task: "text-classification", model: "org/sentiment", input: "", name: "sentiment" },
];

function resultBytes(texts = ["good", "bad"]) {
  return ipc({
    text: texts,
    "sentiment.label": texts.map((t) => (t === "good" ? "POSITIVE" : "NEGATIVE")),
    error: texts.map(() => ""),
    latency_ms: texts.map(() => 12.5),
  });
}

class FakeModel extends BaseModel {
  constructor(state = {}) {
    super({
      steps: structuredClone(STEPS),
      column: "text",
      sample_from: "text",
      sample_text: "",
      sample_row: 0,
      running: false,
      progress: 0,
      progress_text: "",
      status: "Pipeline automatic-speech-recognition → sentiment (ready)",
      error: "",
      _tasks: ["text-classification", "automatic-speech-recognition", "image-classification"],
      _choices: {
        "text-classification": [
          ["distilbert/sst2", 5000000],
          ["org/other", null],
        ],
      },
      _linked: ["picked/in-search"],
      _plan: [
        { step: "1", name: "automatic-speech-recognition", takes: "audio", gives: "text" },
        { step: "2", name: "sentiment", takes: "text", gives: "label, score" },
      ],
      _problems: {},
      _data: { rows: 120, columns: ["text", "n"] },
      _file: {},
      _sample: ipc({
        step: ["1", "2"],
        name: ["automatic-speech-recognition", "sentiment"],
        task: ["automatic-speech-recognition", "text-classification"],
        model: ["org/asr", "org/sentiment"],
        input: ["audio", "hello"],
        output: ["text: hello", "label: POSITIVE, score: 0.9"],
        latency_ms: [40.25, 3.5],
        error: ["", ""],
      }),
      _result: resultBytes(),
      _result_info: { total: 120, columns: ["text", "sentiment.label", "error", "latency_ms"] },
      ...state,
    });
  }
}

const steps = (model) => model.saved.at(-1).steps;

describe("WorkflowWidget", () => {
  const { mount } = mounting(widget, FakeModel);

  test("a view drawn from saved state shows the steps, the sample's outputs and the result", () => {
    const { el, model } = mount();
    assert.ok(el.firstElementChild.classList.contains("hubwidgets-workflow"));
    const items = [...el.querySelectorAll("li.hw-step")];
    assert.equal(items.length, 2);
    assert.equal(items[1].querySelector(".hw-step-title").textContent, "Step 2: sentiment");
    assert.match(items[1].querySelector(".hw-step-flow").textContent, /takes text → gives label/);
    // every control has a label naming its step
    const task = el.querySelector("li[data-step='1'] select");
    assert.equal(el.querySelector(`label[for='${task.id}']`).textContent, "Task of step 2");
    assert.equal(task.value, "text-classification");
    const modelInput = el.querySelector("li[data-step='1'] input[data-key=model]");
    assert.equal(modelInput.value, "org/sentiment");
    // the catalog's models for the task, and the linked widget's selection, are offered
    const offered = [...el.querySelector(`#${modelInput.getAttribute("list")}`).options];
    assert.deepEqual(
      offered.map((o) => o.value),
      ["picked/in-search", "distilbert/sst2", "org/other"],
    );
    assert.match(offered[1].textContent, /5\.0M downloads/);
    // each step's output and latency on the sample
    const sample = el.querySelector("table.hw-sample-table");
    assert.match(sample.textContent, /label: POSITIVE/);
    assert.equal(sample.querySelector("td[data-column=latency_ms]").textContent, "40.3");
    // the first window of the result, and where it is in the whole
    const result = el.querySelector("table.hw-result-table");
    assert.equal(result.querySelectorAll("tbody tr").length, 2);
    assert.match(result.querySelector("thead").textContent, /sentiment\.label/);
    assert.match(el.querySelector(".hw-pager-text").textContent, /rows 1–2 of 120/);
    assert.equal(el.querySelector(".hw-column").value, "text");
    assert.deepEqual(
      model.requests().map(({ kind }) => kind),
      ["view"],
    );
  });

  test("a step's problem shows in place, under that step", () => {
    const { el, model } = mount();
    model.set("_problems", { 1: "step 2 'sentiment' takes text, but step 1 gives image" });
    const alert = el.querySelector("li[data-step='1'] [role=alert]");
    assert.match(alert.textContent, /step 2 'sentiment'.*step 1/);
    assert.ok(el.querySelector("li[data-step='1']").classList.contains("hw-step-bad"));
    assert.equal(el.querySelector("li[data-step='0'] [role=alert]"), null);
    // the steps themselves are still there, as composed
    assert.equal(el.querySelectorAll("li.hw-step").length, 2);
  });

  test("steps are added, edited, moved and removed", () => {
    const { el, model } = mount();
    byText(el, "button", "Add step").click();
    assert.equal(steps(model).length, 3);
    assert.deepEqual(steps(model)[2], { task: "", model: "", input: "", name: "" });
    const task = el.querySelector("li[data-step='2'] select");
    task.value = "image-classification";
    task.dispatchEvent(new Event("change"));
    assert.equal(steps(model)[2].task, "image-classification");
    const modelInput = el.querySelector("li[data-step='2'] input[data-key=model]");
    modelInput.value = "  /tmp/my-folder ";
    modelInput.dispatchEvent(new Event("change"));
    assert.equal(steps(model)[2].model, "/tmp/my-folder");
    el.querySelector("button[aria-label='Move step 3 up']").click();
    assert.deepEqual(
      steps(model).map((s) => s.model),
      ["org/asr", "/tmp/my-folder", "org/sentiment"],
    );
    el.querySelector("button[aria-label='Move step 1 down']").click();
    assert.deepEqual(
      steps(model).map((s) => s.model),
      ["/tmp/my-folder", "org/asr", "org/sentiment"],
    );
    assert.ok(el.querySelector("button[aria-label='Move step 1 up']").disabled);
    el.querySelector("button[aria-label='Remove step 2']").click();
    assert.deepEqual(
      steps(model).map((s) => s.model),
      ["/tmp/my-folder", "org/sentiment"],
    );
  });

  test("Run on the sample saves the text first, then asks the kernel", async () => {
    const { el, model } = mount();
    const text = el.querySelector("textarea.hw-sample-text");
    text.value = "I loved it";
    byText(el, "button", "Run on the sample").click();
    await tick();
    assert.equal(model.get("sample_text"), "I loved it");
    const [request] = model.requests("sample");
    assert.deepEqual(request.body, {});
    model.fail(request, "type a sample text first");
    await tick();
    assert.match(el.querySelector(".hw-sample-note").textContent, /type a sample text/);
  });

  test("a file sample travels in the request, as bytes", async () => {
    const { el, model } = mount();
    const input = el.querySelector("input[type=file]");
    chooseFiles(input, [new window.File([new Uint8Array([82, 73, 70, 70])], "a.wav")]);
    assert.equal(model.get("sample_from"), "file");
    byText(el, "button", "Run on the sample").click();
    await tick(20);
    const [request] = model.requests("sample");
    assert.equal(request.buffers.length, 1);
    assert.equal(request.body.file.name, "a.wav");
    assert.equal(request.buffers[0].byteLength, 4);
  });

  test("Apply and Cancel follow the run; progress shows rows/s and ETA", () => {
    const { el, model } = mount();
    const apply = byText(el, "button", "Apply to every row");
    const cancel = byText(el, "button", "Cancel");
    assert.ok(cancel.disabled);
    apply.click();
    assert.equal(model.requests("run").length, 1);
    model.set("running", true);
    model.set("progress", 0.25);
    model.set("progress_text", "30 / 120 rows · 15.0 rows/s · ETA 6 s");
    assert.ok(apply.disabled);
    assert.ok(!cancel.disabled);
    assert.equal(el.querySelector("progress").value, 0.25);
    assert.match(el.querySelector(".hw-progress-text").textContent, /rows\/s · ETA 6 s/);
    cancel.click();
    assert.equal(model.requests("cancel").length, 1);
  });

  test("the next rows of the result come a window at a time", async () => {
    const { el, model } = mount();
    byText(el, "button", "Next rows").click();
    const [request] = model.requests("rows");
    assert.deepEqual(request.body, { start: 50, stop: 100 });
    model.reply(request, { start: 50, stop: 52, total: 120, table: resultBytes(["ok", "meh"]) });
    await tick();
    assert.match(el.querySelector(".hw-pager-text").textContent, /rows 51–52 of 120/);
    assert.match(el.querySelector("table.hw-result-table tbody").textContent, /meh/);
    byText(el, "button", "Previous rows").click();
    await tick();
    assert.match(el.querySelector(".hw-pager-text").textContent, /rows 1–2 of 120/);
  });

  test("without data, the page says how to give some", () => {
    const { el } = mount({ _data: {}, column: "", _result: null, _result_info: {} });
    assert.match(el.querySelector(".hw-data").textContent, /widget\.df = a DataFrame/);
    assert.ok(el.querySelector(".hw-column").disabled);
    assert.equal(el.querySelector("table.hw-result-table"), null);
  });
});
