// The built EndpointsWidget bundle in a simulated DOM (jsdom), against a fake model holding what
// the kernel sends: the endpoints table as Arrow IPC (a Table trait), the instances that hold the
// create form's model, the reviewed plan and the status line. All of it is synced state: a view
// drawn from saved state needs no kernel. Actions go to the kernel as requests; a refused one
// shows the API's message and keeps what the user typed. Run with `npm test` after `npm run build`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeModel as BaseModel } from "./fake-model.mjs";
import { byText, installDom, ipc, loadWidgets, mounting, tick } from "./harness.mjs";

installDom(["SubmitEvent"]);
const { widgets } = await loadWidgets();
const widget = widgets.endpoints;

function tableBytes(states = ["running", "paused"]) {
  return ipc({
    name: ["chat", "nightly"],
    model: ["openai-community/gpt2", "distilbert/distilbert-base-uncased"],
    revision: ["11c5a3d5811f50298f278a704980280950aedb10", ""],
    status: states,
    message: ["Endpoint is ready", "Endpoint is paused"],
    url: ["https://chat.us-east-1.aws.endpoints.example", ""],
    instance: ["aws-us-east-1-nvidia-l4-x1", "aws-us-east-1-intel-spr-x1"],
    accelerator: ["gpu", "cpu"],
    replicas: ["1/1 ready · 0 to 1 replicas", "0/0 ready · 0 to 1 replicas"],
    price_per_hour_usd: [0.8, null],
    price_source: ["live: the endpoints API", "unknown: not in the price table"],
    updated: ["2026-12-05 04:00 UTC", "2026-12-05 03:00 UTC"],
  });
}

const INSTANCES = {
  model: "distilbert/distilbert-base-uncased",
  note: "",
  rows: [
    {
      instance: "aws-us-east-1-intel-spr-x1",
      accelerator: "cpu",
      region: "us-east-1",
      memory_needed_gb: 0.16,
      memory_available_gb: 2,
      price_per_hour_usd: 0.033,
      usd_per_month_running: 24.09,
    },
    {
      instance: "aws-us-east-1-nvidia-l4-x1",
      accelerator: "gpu",
      region: "us-east-1",
      memory_needed_gb: 0.16,
      memory_available_gb: 24,
      price_per_hour_usd: 0.8,
      usd_per_month_running: 584,
    },
  ],
};

const PLAN = {
  name: "sentiment",
  model: "distilbert/distilbert-base-uncased",
  instance: "aws-us-east-1-intel-spr-x1",
  min_replicas: 0,
  max_replicas: 2,
  price_per_hour_usd: 0.033,
  usd_per_month_running: 24.09,
  usd_per_month_max: 48.18,
  cost_source: "hw.endpoint_cost: $0.033/hour x 730 hours",
};

class FakeModel extends BaseModel {
  constructor(state = {}) {
    super({
      namespace: "data-team",
      following: [],
      status: "2 endpoints in data-team: running 1, paused 1",
      error: "",
      running: false,
      _table: tableBytes(),
      _instances: {},
      _plan: {},
      ...state,
    });
  }
}

const rowOf = (el, name) => el.querySelector(`tr[data-endpoint="${name}"]`);

describe("EndpointsWidget", () => {
  const { mount } = mounting(widget, FakeModel);

  test("a view drawn from saved state alone shows the endpoints, their state and price", () => {
    const { el } = mount();
    const root = el.querySelector(".hubwidgets.hubwidgets-endpoints");
    assert.ok(root);
    const chat = rowOf(el, "chat");
    assert.equal(chat.querySelector("th").scope, "row");
    assert.match(chat.textContent, /chat\.us-east-1/);
    const badge = chat.querySelector(".hw-endpoint-state");
    assert.equal(badge.textContent, "running");
    assert.ok(badge.classList.contains("hw-state-running"));
    assert.equal(chat.querySelector(".hw-col-price_per_hour_usd").textContent, "$0.80");
    const unknown = rowOf(el, "nightly").querySelector(".hw-col-price_per_hour_usd span");
    assert.equal(unknown.textContent, "unknown");
    assert.equal(unknown.title, "unknown: not in the price table");
    assert.equal(
      el.querySelector(".hw-status").textContent,
      "2 endpoints in data-team: running 1, paused 1",
    );
  });

  test("each row offers the actions its state allows, as real buttons", () => {
    const { el, model } = mount();
    const actions = (name) =>
      [...rowOf(el, name).querySelectorAll("button")].map((b) => b.dataset.action);
    assert.deepEqual(actions("chat"), ["pause", "scale_to_zero", "delete"]);
    assert.deepEqual(actions("nightly"), ["resume", "delete"]);
    rowOf(el, "nightly").querySelector("button[data-action=resume]").click();
    const [sent] = model.requests("resume");
    assert.deepEqual(sent.body, { name: "nightly" });
  });

  test("delete needs the name typed again; a refusal shows the API's message", async () => {
    const { el, model } = mount();
    rowOf(el, "chat").querySelector("button[data-action=delete]").click();
    const input = el.querySelector('input[data-confirm="chat"]');
    assert.ok(input);
    assert.equal(document.activeElement, input);
    const label = el.querySelector(`label[for="${input.id}"]`);
    assert.match(label.textContent, /Type chat to delete/);
    const go = byText(el, "button", "Delete endpoint");
    assert.equal(go.disabled, true);
    input.value = "cha";
    input.dispatchEvent(new Event("input"));
    assert.equal(go.disabled, true);
    input.value = "chat";
    input.dispatchEvent(new Event("input"));
    assert.equal(go.disabled, false);
    go.click();
    const [sent] = model.requests("delete");
    assert.deepEqual(sent.body, { name: "chat", confirm_name: "chat" });
    model.fail(
      sent,
      "deleting endpoint chat: the endpoints API answered 403: Forbidden",
      "RequestError",
    );
    await tick();
    const alert = rowOf(el, "chat").querySelector("[role=alert]");
    assert.match(alert.textContent, /403: Forbidden/);
    // the table stayed as it was
    assert.ok(rowOf(el, "nightly"));
  });

  test("create: model, then an instance that holds it with its price, then the cost, then confirm", async () => {
    const { el, model } = mount();
    const modelInput = el.querySelector("input[data-field=model]");
    assert.equal(el.querySelector(`label[for="${modelInput.id}"]`).textContent, "Model");
    modelInput.value = "distilbert/distilbert-base-uncased";
    byText(el, "button", "Find instances").click();
    const [asked] = model.requests("instances");
    assert.deepEqual(asked.body, { model: "distilbert/distilbert-base-uncased" });
    model.set("_instances", INSTANCES);
    model.reply(asked, { count: 2 });
    const select = el.querySelector("select[data-field=instance]");
    const options = [...select.options].map((o) => o.value);
    assert.deepEqual(options, ["", "aws-us-east-1-intel-spr-x1", "aws-us-east-1-nvidia-l4-x1"]);
    assert.match(select.options[1].textContent, /\$0\.033\/hour/);
    assert.equal(select.value, "aws-us-east-1-intel-spr-x1");

    el.querySelector("input[data-field=name]").value = "sentiment";
    el.querySelector("input[data-field=max_replica]").value = "2";
    el.querySelector("form.hw-endpoint-create").requestSubmit();
    const [preview] = model.requests("preview");
    assert.equal(preview.body.instance, "aws-us-east-1-intel-spr-x1");
    assert.equal(preview.body.name, "sentiment");
    assert.equal(preview.body.max_replica, "2");
    assert.equal(model.requests("create").length, 0); // nothing created before the confirmation
    model.set("_plan", PLAN);
    model.reply(preview, { plan: PLAN });
    const plan = el.querySelector(".hw-plan");
    assert.match(plan.textContent, /\$0\.033 per replica-hour/);
    assert.match(plan.textContent, /\$24\.09/);
    assert.match(plan.textContent, /\$48\.18/);
    byText(plan, "button", "Create endpoint").click();
    const [create] = model.requests("create");
    assert.deepEqual(create.body, preview.body);
  });

  test("a refused creation keeps what was typed and marks the field", async () => {
    const { el, model } = mount({ _instances: INSTANCES, _plan: PLAN });
    const modelInput = el.querySelector("input[data-field=model]");
    modelInput.value = "distilbert/distilbert-base-uncased";
    el.querySelector("input[data-field=name]").value = "sentiment";
    byText(el, "button", "Create endpoint").click();
    const [create] = model.requests("create");
    model.fail(
      create,
      "creating endpoint sentiment: the endpoints API answered 400: Quota exceeded for aws-us-east-1-intel-spr-x1",
      "RequestError",
    );
    await tick();
    const alert = el.querySelector(".hw-form-error");
    assert.match(alert.textContent, /Quota exceeded/);
    const select = el.querySelector("select[data-field=instance]");
    assert.equal(select.getAttribute("aria-invalid"), "true");
    assert.equal(select.getAttribute("aria-describedby"), alert.id);
    assert.equal(el.querySelector("input[data-field=name]").value, "sentiment");
    assert.equal(modelInput.value, "distilbert/distilbert-base-uncased");
  });

  test("the status followed live redraws the row", () => {
    const { el, model } = mount({ _table: tableBytes(["pending", "paused"]), following: ["chat"] });
    assert.equal(rowOf(el, "chat").querySelector(".hw-endpoint-state").textContent, "pending");
    assert.match(el.querySelector(".hw-following").textContent, /Following chat/);
    model.set("_table", tableBytes(["running", "paused"]));
    model.set("following", []);
    assert.equal(rowOf(el, "chat").querySelector(".hw-endpoint-state").textContent, "running");
    assert.equal(el.querySelector(".hw-following").textContent, "");
  });
});
