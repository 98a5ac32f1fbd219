// The built CostWidget bundle in a simulated DOM (jsdom), against a fake model holding what the
// kernel sends: the options table as Arrow IPC bytes (a Table trait), the chart as SVG, the
// budget bar's figures, the workload and the status line. All of it is synced state: a view
// drawn from saved state needs no kernel. The workload goes to the kernel as a request, whose
// refusal (the core's words) shows beside the inputs without losing what was typed.
// Run with `npm test` after `npm run build`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeModel as BaseModel } from "./fake-model.mjs";
import { installDom, ipc, loadWidgets, mounting, tick } from "./harness.mjs";

installDom();
const { widgets } = await loadWidgets();
const widget = widgets.cost;

const QWEN = "Qwen/Qwen2.5-7B-Instruct";
const BIG = "big/model";

function tableBytes() {
  const n = null;
  return ipc({
    key: [
      `${QWEN} · serverless: together`,
      `${QWEN} · dedicated: aws-nvidia-l4-x1`,
      `${QWEN} · this machine`,
      `${BIG} · dedicated: none fits`,
    ],
    model: [QWEN, QWEN, QWEN, BIG],
    label: [
      "serverless: together",
      "dedicated: aws-nvidia-l4-x1",
      "this machine",
      "dedicated: none fits",
    ],
    option: ["serverless", "dedicated", "this machine", "dedicated"],
    status: [n, n, n, n],
    price_per_hour_usd: [n, 0.8, n, n],
    input_usd_per_1m: [0.3, n, n, n],
    output_usd_per_1m: [0.3, n, n, n],
    price_source: [
      "your table (table=)",
      "bundled: Inference Endpoints pricing page as of 2026-05-19",
      "no $: this machine",
      n,
    ],
    throughput_rps: [n, 0.41, n, n],
    throughput_source: [
      "not applicable: the provider scales",
      "estimate: batch 1, max(2 x params x 500 / FLOPs, ...)",
      "unknown: no benchmark given",
      n,
    ],
    min_replicas: [n, 1, n, n],
    max_replicas: [n, 5, n, n],
    usd_per_hour: [0.175, 3.5, n, n],
    usd_per_month: [127.75, 2555, n, n],
    usd_per_1k_requests: [0.21, 4.2, n, n],
    cost_source: [
      "500 x $0.3 + 200 x $0.3 per 1M tokens, per request",
      "$0.8/h x (24 h x 1 + 1 h x 4 extra) a day, billed per minute",
      "no $: this machine is yours",
      n,
    ],
    meets_slo: [n, true, n, n],
    meets_slo_source: ["unknown: latency not known", "latency 2,409 ms vs 5,000 ms", "", ""],
    cheapest: [true, false, false, false],
    break_even_requests_per_day: [n, 400000, n, n],
    break_even_source: [
      "aws-intel-spr-x4's $3.22 a day / this provider's ...",
      "this endpoint's $84.00 a day / together's $0.00021 a request",
      n,
      "unknown: no serverless price known for the model",
    ],
    note: [n, n, n, "too large for every instance: needs 4,800.0 GB at fp16/bf16"],
  });
}

const WORKLOAD = {
  requests_per_day: 20000,
  input_tokens: 500,
  output_tokens: 200,
  peak_requests_per_s: 2,
  hours_per_day: 24,
  latency_slo_ms: null,
  peak_hours_per_day: 1,
};

class FakeModel extends BaseModel {
  constructor(state = {}) {
    super({
      models: [QWEN, BIG],
      workload: { ...WORKLOAD },
      selected: `${QWEN} · serverless: together`,
      status: "2 models, 4 options · cheapest marked for 1 · 5 ms",
      error: "",
      _table: tableBytes(),
      _charts: {
        cost: '<svg xmlns="http://www.w3.org/2000/svg"><text>Cost against volume</text></svg>',
      },
      _budget: {
        budget: 500,
        spent: 100,
        remaining: 400,
        fraction: 0.2,
        month: "2026-12",
        hard: false,
        option: `${QWEN} · serverless: together`,
        option_usd: 127.75,
        note: "fits: $272.25 would remain this month",
      },
      _sources: "instances: bundled: the pricing page as of 2026-05-19 · serverless: your table",
      ...state,
    });
  }
}

describe("CostWidget", () => {
  const { mount } = mounting(widget, FakeModel);

  test("a view drawn from saved state alone shows the table, the chart and the budget", () => {
    const { el, model } = mount();
    assert.ok(el.firstElementChild.classList.contains("hubwidgets-cost"));
    const rows = [...el.querySelectorAll("tr.hw-cost-option")];
    assert.equal(rows.length, 4);
    // grouped by model, in the kernel's order (the cheapest first)
    const groups = [...el.querySelectorAll("tr.hw-cost-model")].map((tr) => tr.textContent);
    assert.deepEqual(groups, [QWEN, BIG]);
    // the cheapest highlighted, with a badge in words
    assert.ok(rows[0].classList.contains("hw-cheapest"));
    assert.match(rows[0].querySelector(".hw-badge-cheapest").textContent, /cheapest/);
    assert.ok(!rows[1].classList.contains("hw-cheapest"));
    assert.equal(rows[0].querySelector(".hw-col-month").textContent, "$127.75");
    assert.equal(rows[1].querySelector(".hw-col-month").textContent, "$2,555.00");
    assert.equal(rows[1].querySelector(".hw-col-replicas").textContent, "1–5");
    assert.equal(rows[1].querySelector(".hw-col-breakeven").textContent, "400,000");
    // sources: measured/estimate as a badge, the bundled price with its date
    assert.equal(rows[1].querySelector(".hw-col-throughput").dataset.source, "estimate");
    assert.match(rows[1].querySelector(".hw-col-throughput .hw-source").textContent, /estimate/);
    assert.match(rows[1].querySelector(".hw-col-source").textContent, /as of 2026-05-19/);
    assert.match(rows[1].querySelector(".hw-col-month").title, /billed per minute/);
    // unknown is never a number: no $ on this machine, NA with the reason on the big model
    assert.equal(rows[2].querySelector(".hw-col-month").textContent, "—");
    assert.equal(rows[3].querySelector(".hw-col-month").textContent, "—");
    assert.match(rows[3].querySelector(".hw-col-note").textContent, /too large for every instance/);
    // the chart from the kernel, labelled
    const figure = el.querySelector("figure.hw-chart[data-chart=cost]");
    assert.ok(figure.querySelector("svg[role=img]"));
    assert.match(figure.querySelector("figcaption").textContent, /break-even/);
    // the budget bar: spent and the selected option against the budget
    const budget = el.querySelector(".hw-budget");
    assert.equal(budget.dataset.state, "within");
    assert.match(budget.querySelector(".hw-budget-text").textContent, /Spent \$100.00 of \$500.00/);
    assert.match(budget.querySelector(".hw-budget-text").textContent, /\$127.75 a month/);
    assert.equal(budget.querySelector(".hw-budget-spent").style.width, "20%");
    assert.match(el.querySelector(".hw-cost-sources").textContent, /as of 2026-05-19/);
    // the workload inputs, each labelled, show the workload
    const requests = el.querySelector("input[data-field=requests_per_day]");
    assert.equal(requests.value, "20000");
    assert.equal(el.querySelector(`label[for="${requests.id}"]`).textContent, "Requests per day");
    assert.equal(el.querySelector("input[data-field=latency_slo_ms]").value, "");
    assert.deepEqual(
      model.requests().map(({ kind }) => kind),
      ["view"],
    );
  });

  test("choosing an option saves `selected`; the row shows it pressed", () => {
    const { el, model } = mount();
    const button = el.querySelector(`tr[data-key="${QWEN} · dedicated: aws-nvidia-l4-x1"] button`);
    assert.equal(button.getAttribute("aria-pressed"), "false");
    button.click();
    assert.equal(model.saved.at(-1).selected, `${QWEN} · dedicated: aws-nvidia-l4-x1`);
    const again = el.querySelector(`tr[data-key="${QWEN} · dedicated: aws-nvidia-l4-x1"] button`);
    assert.equal(again.getAttribute("aria-pressed"), "true");
  });

  test("a refused workload shows the core's words beside the inputs, which keep what was typed", async () => {
    const { el, model } = mount();
    const requests = el.querySelector("input[data-field=requests_per_day]");
    requests.value = "0";
    el.querySelector("form.hw-workload").requestSubmit();
    const [sent] = model.requests("workload");
    assert.equal(sent.body.workload.requests_per_day, 0);
    assert.equal(sent.body.workload.input_tokens, 500);
    assert.equal(sent.body.workload.latency_slo_ms, null); // empty: none
    model.fail(sent, "requests_per_day must be > 0, not 0");
    await tick();
    const alert = el.querySelector("[role=alert]");
    assert.equal(alert.textContent, "requests_per_day must be > 0, not 0");
    assert.equal(requests.getAttribute("aria-invalid"), "true");
    assert.equal(requests.getAttribute("aria-describedby"), alert.id);
    assert.equal(requests.value, "0"); // kept
    assert.equal(
      el.querySelector("input[data-field=input_tokens]").getAttribute("aria-invalid"),
      "false",
    );
    // fixed and accepted (Enter in a field estimates): the message goes, the workload shows
    requests.value = "50000";
    requests.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    const second = model.requests("workload")[1];
    model.set("workload", { ...WORKLOAD, requests_per_day: 50000 });
    model.reply(second, { workload: { ...WORKLOAD, requests_per_day: 50000 } });
    await tick();
    assert.equal(alert.textContent, "");
    assert.equal(requests.getAttribute("aria-invalid"), "false");
    assert.equal(requests.value, "50000");
  });

  test("over the budget, and no budget at all, say so", () => {
    const { el, model } = mount();
    model.set("_budget", {
      budget: 500,
      spent: 100,
      remaining: 400,
      month: "2026-12",
      hard: true,
      option: `${QWEN} · dedicated: aws-nvidia-l4-x1`,
      option_usd: 2555,
      note: "over the budget by $2,155.00 a month",
    });
    const budget = el.querySelector(".hw-budget");
    assert.equal(budget.dataset.state, "over");
    assert.match(budget.querySelector(".hw-budget-note.hw-over").textContent, /over the budget/);
    assert.match(budget.querySelector(".hw-budget-text").textContent, /hard budget/);
    model.set("_budget", {});
    assert.equal(budget.dataset.state, "none");
    assert.match(budget.textContent, /No budget set/);
  });

  test("no models: the status says what to do, nothing else is drawn", () => {
    const { el } = mount({
      models: [],
      _table: null,
      _charts: {},
      _budget: {},
      _sources: "",
      status: "No models: pass model ids, or link a widget with a selection",
    });
    assert.equal(el.querySelectorAll("tr").length, 0);
    assert.equal(el.querySelectorAll("figure").length, 0);
    assert.match(el.querySelector("[role=status]").textContent, /No models/);
  });
});
