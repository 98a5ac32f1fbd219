// The built GovernanceWidget bundle in a simulated DOM (jsdom), against a fake model holding
// what the kernel sends: the check table and findings as Arrow IPC bytes (Table traits), the
// trees, the policy and the status line. All of it is synced state: a view drawn from saved
// state needs no kernel. Run with `npm test` after `npm run build`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeModel as BaseModel } from "./fake-model.mjs";
import { installDom, ipc, loadWidgets, mounting } from "./harness.mjs";

installDom();
const { widgets } = await loadWidgets();
const widget = widgets.governance;

const IDS = ["openai-community/gpt2", "org/nc-model", "org/finetune"];

function tableBytes(verdicts = ["allow", "review", "deny"]) {
  return ipc({
    id: IDS,
    license: ["mit", "cc-by-nc-4.0", "apache-2.0"],
    license_class: ["permissive", "non-commercial", "permissive"],
    commercial_use: ["yes", "no", "yes"],
    license_conflict: ["", "", "base org/nc-model is cc-by-nc-4.0"],
    formats: ["safetensors", "pickle", "safetensors; pickle"],
    scan_status: ["safe", "unscanned", "unsafe"],
    verdict: verdicts,
    reasons: ["", "not scanned as safe (scan status unscanned)", "unsafe scan; license conflict"],
  });
}

const POLICY = {
  allow_license_classes: ["permissive", "copyleft", "gated-or-custom", "non-commercial"],
  allow_licenses: [],
  deny_licenses: [],
  require_commercial_use: false,
  require_safetensors: false,
  allow_custom_code: false,
  require_scans_done: true,
  max_days_since_update: null,
  require_card_fields: [],
  allow_gated: true,
};

class FakeModel extends BaseModel {
  constructor(state = {}) {
    super({
      models: [...IDS],
      policy: structuredClone(POLICY),
      status: "3 models: 1 allow, 1 review, 1 deny · 5 ms",
      error: "",
      _table: tableBytes(),
      _findings: ipc({
        model: ["org/finetune", "org/nc-model"],
        file: ["pytorch_model.bin", "model.pkl"],
        scanner: ["picklescan", "picklescan"],
        severity: ["dangerous", "caution"],
        detail: ["os.system", "unusual import"],
      }),
      _trees: {
        "openai-community/gpt2": [
          { id: "openai-community/gpt2", relation: "", license: "mit", depth: 0 },
        ],
        "org/finetune": [
          { id: "org/finetune", relation: "", license: "apache-2.0", depth: 0 },
          { id: "org/nc-model", relation: "finetune", license: "cc-by-nc-4.0", depth: 1 },
        ],
      },
      ...state,
    });
  }
  save_changes() {
    this.saved.push(structuredClone(this.state.policy));
  }
}

describe("GovernanceWidget", () => {
  const { mount } = mounting(widget, FakeModel);

  test("a view drawn from saved state alone shows the table with verdict badges", () => {
    const { el, model } = mount();
    assert.ok(el.firstElementChild.classList.contains("hubwidgets-governance"));
    const rows = [...el.querySelectorAll("table.hw-governance-table tbody tr")];
    assert.deepEqual(
      rows.map((tr) => tr.dataset.model),
      IDS,
    );
    const badges = [...el.querySelectorAll(".hw-verdict")];
    assert.deepEqual(
      badges.map((b) => b.textContent.replace(/[^a-z]/g, "")),
      ["allow", "review", "deny"],
    );
    assert.ok(badges[2].classList.contains("hw-verdict-deny"));
    // the reasons, one item each
    const reasons = [...rows[2].querySelectorAll(".hw-reasons li")].map((li) => li.textContent);
    assert.deepEqual(reasons, ["unsafe scan", "license conflict"]);
    // a license conflict shows under the license, in words; unknown facts say "unknown"
    assert.match(rows[2].querySelector(".hw-col-license .hw-conflict").textContent, /cc-by-nc-4.0/);
    assert.equal(rows[0].querySelector(".hw-col-license").textContent, "mitpermissive");
    assert.match(rows[0].querySelector(".hw-col-reasons").textContent, /meets every rule/);
    assert.match(el.querySelector("[role=status]").textContent, /1 deny/);
    // the policy editor reflects the policy
    const nc = el.querySelector("input[data-license-class=non-commercial]");
    assert.equal(nc.checked, true);
    assert.equal(el.querySelector("input[data-key=require_scans_done]").checked, true);
    assert.equal(el.querySelector("input[data-key=require_safetensors]").checked, false);
    // labels name every checkbox
    for (const input of el.querySelectorAll("input[type=checkbox]")) {
      assert.ok(input.closest("label"), input.dataset.key);
    }
    // no request beyond the "view" notice
    assert.deepEqual(
      model.requests().map(({ kind }) => kind),
      ["view"],
    );
  });

  test("the focused model's tree and findings show; a row's button focuses it", () => {
    const { el } = mount();
    assert.match(el.querySelector(".hw-governance-details h4").textContent, /gpt2/);
    const button = el.querySelector("tr[data-model='org/finetune'] button.hw-model-button");
    assert.equal(button.getAttribute("aria-pressed"), "false");
    button.click();
    const nodes = [...el.querySelectorAll(".hw-tree-node")];
    assert.deepEqual(
      nodes.map((li) => [li.dataset.depth, li.querySelector(".hw-tree-license").textContent]),
      [
        ["0", "license: apache-2.0"],
        ["1", "license: cc-by-nc-4.0"],
      ],
    );
    const cells = [...el.querySelectorAll("table.hw-findings tbody td")].map(
      (td) => td.textContent,
    );
    assert.deepEqual(cells, ["pytorch_model.bin", "picklescan", "dangerous", "os.system"]);
    // the base says how the model derives from it
    assert.match(nodes[1].querySelector(".hw-tree-relation").textContent, /base \(finetune\)/);
    const pressed = el.querySelector("tr[data-model='org/finetune'] button.hw-model-button");
    assert.equal(pressed.getAttribute("aria-pressed"), "true");
  });

  test("toggling a checkbox saves the policy", () => {
    const { el, model } = mount();
    const nc = el.querySelector("input[data-license-class=non-commercial]");
    nc.checked = false;
    nc.dispatchEvent(new Event("change"));
    assert.equal(model.saved.length, 1);
    assert.deepEqual(model.saved[0].allow_license_classes, [
      "permissive",
      "copyleft",
      "gated-or-custom",
    ]);
    assert.equal(model.saved[0].require_scans_done, true); // the other keys kept
    const safetensors = el.querySelector("input[data-key=require_safetensors]");
    safetensors.checked = true;
    safetensors.dispatchEvent(new Event("change"));
    assert.equal(model.saved[1].require_safetensors, true);
    assert.deepEqual(model.saved[1].allow_license_classes, [
      "permissive",
      "copyleft",
      "gated-or-custom",
    ]);
  });

  test("the kernel's new verdicts and a refused policy redraw", () => {
    const { el, model } = mount();
    model.set("_table", tableBytes(["deny", "deny", "deny"]));
    const words = [...el.querySelectorAll(".hw-verdict-word")].map((w) => w.textContent);
    assert.deepEqual(words, ["deny", "deny", "deny"]);
    model.set("error", "bad policy: nope");
    model.set("status", "bad policy: nope");
    const status = el.querySelector("[role=status]");
    assert.ok(status.classList.contains("hw-error"));
    model.set("policy", { ...POLICY, require_safetensors: true });
    assert.equal(el.querySelector("input[data-key=require_safetensors]").checked, true);
  });
});
