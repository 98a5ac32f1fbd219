// The built RegistryWidget bundle in a simulated DOM (jsdom), against a fake model holding what
// the kernel sends: the registry table and the audit timeline as Arrow IPC bytes (Table
// traits), the linked widget's selection, the last register's outcomes and the status line.
// A view drawn from saved state needs no kernel; every change goes through a confirmation.
// Run with `npm test` after `npm run build`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeModel as BaseModel } from "./fake-model.mjs";
import { byText, installDom, ipc, loadWidgets, mounting } from "./harness.mjs";

installDom();
const { widgets } = await loadWidgets();
const widget = widgets.registry;

const SHA_A = "a".repeat(40);
const SHA_B = "b".repeat(40);
const KEY_A = `org/model-a@${SHA_A}`;
const KEY_B = `org/model-b@${SHA_B}`;

function entries(drift = ["not checked", "not checked"]) {
  return ipc({
    key: [KEY_A, KEY_B],
    model: ["org/model-a", "org/model-b"],
    revision: [SHA_A, SHA_B],
    aliases: ["production", ""],
    stage: ["production", "candidate"],
    license: ["apache-2.0", "cc-by-nc-4.0"],
    license_class: ["permissive", "non-commercial"],
    verdict: ["allow", "review"],
    note: ["", ""],
    registered_by: ["ana", "bo"],
    registered_at: ["2026-12-01 10:00:00 UTC", "2026-12-02 11:00:00 UTC"],
    drift,
    commits_since: ["", ""],
    upstream_sha: ["", ""],
    drift_source: ["", ""],
  });
}

const TIMELINE = ipc({
  time: ["2026-12-03 09:00:00 UTC", "2026-12-01 10:00:00 UTC"],
  action: ["registry.stage", "registry.register"],
  actor: ["ana", "ana"],
  revision: [SHA_A.slice(0, 12), SHA_A.slice(0, 12)],
  details: ["stage=production", "alias=production, stage=candidate"],
  outcome: ["ok", "ok"],
});

class FakeModel extends BaseModel {
  constructor(state = {}) {
    super({
      selected_key: KEY_A,
      pending: ["org/new-one", "org/new-two"],
      outcomes_rows: [],
      drift_checked: "",
      timeline_note: "",
      status: "2 entries of 2 models in /tmp/registry.sqlite · drift not checked",
      error: "",
      running: false,
      progress: 0,
      progress_text: "",
      _entries: entries(),
      _timeline: TIMELINE,
      ...state,
    });
  }
}

describe("RegistryWidget", () => {
  const { mount } = mounting(widget, FakeModel);

  test("a view drawn from saved state alone shows the table and the timeline", () => {
    const { el, model } = mount();
    assert.ok(el.firstElementChild.classList.contains("hubwidgets-registry"));
    const rows = [...el.querySelectorAll("table.hw-registry-table tbody tr")];
    assert.deepEqual(
      rows.map((tr) => tr.dataset.key),
      [KEY_A, KEY_B],
    );
    assert.equal(rows[0].querySelector(".hw-col-revision").textContent, SHA_A.slice(0, 12));
    assert.equal(rows[0].querySelector(".hw-col-aliases").textContent, "production");
    assert.equal(rows[1].querySelector(".hw-col-aliases").textContent, "—");
    assert.match(rows[1].querySelector(".hw-col-license").textContent, /non-commercial/);
    assert.ok(rows[0].querySelector(".hw-verdict-allow"));
    assert.ok(rows[1].querySelector(".hw-drift-unchecked"));
    assert.ok(rows[0].classList.contains("hw-selected"));
    const items = [...el.querySelectorAll(".hw-timeline li")];
    assert.deepEqual(
      items.map((li) => li.dataset.action),
      ["registry.stage", "registry.register"],
    );
    assert.match(el.querySelector(".hw-registry-details h4").textContent, /org\/model-a/);
    assert.match(el.querySelector("[role=status]").textContent, /2 entries/);
    assert.equal(el.querySelector(".hw-register").textContent, "Register 2 selected");
    assert.match(el.querySelector(".hw-pending").textContent, /org\/new-one, org\/new-two/);
    // labels name every input
    for (const input of el.querySelectorAll("input, select")) {
      assert.ok(el.querySelector(`label[for="${input.id}"]`), input.className);
    }
    assert.deepEqual(
      model.requests().map(({ kind }) => kind),
      ["view"],
    );
  });

  test("picking a row saves the selection", () => {
    const { el, model } = mount();
    el.querySelector(`tr[data-key="${KEY_B}"] .hw-model-button`).click();
    assert.equal(model.saved.at(-1).selected_key, KEY_B);
    assert.ok(el.querySelector(`tr[data-key="${KEY_B}"]`).classList.contains("hw-selected"));
  });

  test("a stage change is sent only after it is confirmed", async () => {
    const { el, model } = mount({ selected_key: KEY_B });
    byText(el, "button", "Set stage…").click();
    const dialog = el.querySelector("[role=alertdialog]");
    assert.equal(dialog.hidden, false);
    assert.equal(document.activeElement, dialog.querySelector("select"));
    assert.match(dialog.textContent, /from candidate to staging/);
    const select = dialog.querySelector("select");
    select.value = "production";
    select.dispatchEvent(new Event("change"));
    assert.match(dialog.textContent, /from candidate to production/);
    assert.deepEqual(model.requests("set_stage"), []); // nothing happened yet
    byText(dialog, "button", "Confirm").click();
    const [sent] = model.requests("set_stage");
    assert.deepEqual(sent.body, { key: KEY_B, stage: "production" });
    model.reply(sent);
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(dialog.hidden, true);
  });

  test("Cancel and Escape close the confirmation without sending", () => {
    const { el, model } = mount();
    byText(el, "button", "Deprecate…").click();
    const dialog = el.querySelector("[role=alertdialog]");
    byText(dialog, "button", "Cancel").click();
    assert.equal(dialog.hidden, true);
    assert.equal(document.activeElement, byText(el, "button", "Deprecate…"));
    byText(el, "button", "Set alias…").click();
    dialog.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    assert.equal(dialog.hidden, true);
    assert.deepEqual(model.requests("deprecate"), []);
    assert.deepEqual(model.requests("set_alias"), []);
  });

  test("a refused alias shows its error in the dialog and keeps what was typed", async () => {
    const { el, model } = mount();
    byText(el, "button", "Set alias…").click();
    const dialog = el.querySelector("[role=alertdialog]");
    const input = dialog.querySelector("input");
    input.value = "9bad";
    input.dispatchEvent(new Event("input"));
    assert.match(dialog.textContent, /Point alias “9bad” at org\/model-a/);
    byText(dialog, "button", "Confirm").click();
    const [sent] = model.requests("set_alias");
    assert.deepEqual(sent.body, { key: KEY_A, alias: "9bad" });
    model.fail(sent, "an alias is a name such as 'production', not '9bad'");
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(dialog.hidden, false);
    assert.match(dialog.querySelector("[role=alert]").textContent, /not '9bad'/);
    assert.equal(dialog.querySelector("input").value, "9bad");
  });

  test("register sends the form; outcomes per model show, errors included", async () => {
    const { el, model } = mount();
    el.querySelector(".hw-register-revision").value = "v1.0";
    el.querySelector(".hw-register-note").value = "for the demo";
    el.querySelector(".hw-register").click();
    const [sent] = model.requests("register");
    assert.deepEqual(sent.body, {
      revision: "v1.0",
      alias: "",
      stage: "candidate",
      note: "for the demo",
    });
    model.set("outcomes_rows", [
      {
        model: "org/new-one",
        requested_revision: "v1.0",
        revision: SHA_A,
        outcome: "ok",
        error: "",
      },
      {
        model: "org/new-two",
        requested_revision: "v1.0",
        revision: "",
        outcome: "error",
        error: "revision 'v1.0' not found",
      },
    ]);
    const items = [...el.querySelectorAll(".hw-outcomes li")];
    assert.deepEqual(
      items.map((li) => li.className),
      ["hw-outcome-ok", "hw-outcome-error"],
    );
    assert.match(items[1].textContent, /not found/);
    model.reply(sent, {});
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(el.querySelector(".hw-register-revision").value, "v1.0");
  });

  test("drift: the button asks, progress shows, flags draw, the table stays on an error", () => {
    const { el, model } = mount();
    byText(el, "button", "Check drift").click();
    assert.equal(model.requests("drift").length, 1);
    model.set("running", true);
    model.set("progress_text", "asking the Hub what changed since 2 pin(s)...");
    assert.equal(byText(el, "button", "Check drift").disabled, true);
    assert.match(el.querySelector(".hw-progress-text").textContent, /asking the Hub/);
    model.set("running", false);
    model.set("_entries", entries(["license changed, pickle files added", "no drift"]));
    assert.ok(el.querySelector(`tr[data-key="${KEY_A}"] .hw-drift-flagged`));
    assert.ok(el.querySelector(`tr[data-key="${KEY_B}"] .hw-drift-none`));
    model.set("error", "drift not checked: the Hub could not answer");
    model.set("status", "drift not checked: the Hub could not answer");
    assert.ok(el.querySelector("[role=status]").classList.contains("hw-error"));
    assert.equal(el.querySelectorAll("table.hw-registry-table tbody tr").length, 2);
  });

  test("no selection: no details; nothing pending: the register button is off", () => {
    const { el } = mount({ selected_key: "", pending: [], _timeline: null });
    assert.equal(el.querySelector(".hw-registry-details").hidden, true);
    assert.equal(el.querySelector(".hw-register").disabled, true);
  });
});
