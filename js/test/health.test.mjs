// The health badge every widget carries beside its status line (lib/health.ts, placed by
// defineWidget in lib/view.ts): nothing is checked before the button is pressed (the first
// paint never waits for the network), a check is one `check_health` request, the result is
// drawn from synced state (so a saved view shows it) and anything but "ok" is never styled as
// fine. Run `npm run build` first.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeModel } from "./fake-model.mjs";
import { installDom, loadWidgets, tick } from "./harness.mjs";

installDom(["HTMLFormElement", "SubmitEvent", "HTMLInputElement", "HTMLSelectElement"]);
const { widgets, defineWidget } = await loadWidgets();

/** Enough state for these widgets to draw an empty view. */
const EMPTY = {
  status: "Nothing yet",
  error: "",
  health: {},
  models: [],
  progress: 0,
  running: false,
  steps: [],
  _badges: {},
  _charts: {},
  budget: {},
  workload: {},
  _sources: {},
};

function draw(widget, state = {}) {
  const el = document.createElement("div");
  document.body.append(el);
  const model = new FakeModel({ ...EMPTY, ...state });
  const dispose = widget.render({ model, el });
  const remove = () => {
    dispose?.();
    el.remove();
  };
  return { el, model, dispose: remove };
}

/** A widget with nothing but a status line. */
const plain = defineWidget("plain", (view) => {
  const status = document.createElement("div");
  status.className = "hw-status";
  status.setAttribute("role", "status");
  status.textContent = view.get("status");
  view.root.append(status, document.createElement("table"));
});

const checkButton = (el) =>
  [...el.querySelectorAll("button")].find((b) => b.textContent === "Check the Hub");

describe("health badge", () => {
  for (const name of [
    "compare",
    "governance",
    "playground",
    "registry",
    "cost",
    "endpoints",
    "workflow",
  ]) {
    test(`${name}: one badge, in the status line beside the status`, () => {
      const { el, model, dispose } = draw(widgets[name]);
      const line = el.querySelectorAll(".hw-status-line");
      assert.equal(line.length, 1);
      assert.ok(line[0].querySelector(".hw-status"));
      assert.equal(el.querySelectorAll(".hw-health").length, 1);
      assert.equal(line[0].querySelector(".hw-health-badge").hidden, true);
      assert.deepEqual(model.requests("check_health"), []); // not checked until asked
      assert.ok(checkButton(line[0]));
      dispose();
    });
  }

  test("a widget that places its own badge keeps it, and only it (login)", () => {
    const { el, dispose } = draw(widgets.login, { user: {}, endpoint: "http://127.0.0.1:9" });
    assert.equal(el.querySelectorAll(".hw-health").length, 1);
    assert.equal(el.querySelectorAll(".hw-status-line").length, 0);
    dispose();
  });

  test("Check the Hub asks the kernel once and draws the answer", async () => {
    const { el, model, dispose } = draw(plain);
    const badge = el.querySelector(".hw-health-badge");
    const button = checkButton(el);
    button.click();
    assert.equal(button.disabled, true);
    const [request] = model.requests("check_health");
    assert.ok(request);
    const health = {
      status: "unreachable",
      ok: 0,
      total: 3,
      checked_at: "2026-12-05T04:00:00+00:00",
      problems: ["hub https://huggingface.co: unreachable (no network)"],
    };
    model.set("health", health);
    model.reply(request, health);
    await tick();
    assert.equal(button.disabled, false);
    assert.equal(badge.hidden, false);
    assert.equal(badge.dataset.status, "unreachable");
    assert.ok(badge.classList.contains("hw-verdict-deny")); // never styled as fine
    assert.match(badge.textContent, /Hub unreachable · 0\/3 services ok/);
    assert.match(badge.title, /no network/);
    dispose();
  });

  test("a failed check says why in the badge and the button comes back", async () => {
    const { el, model, dispose } = draw(plain);
    const button = checkButton(el);
    button.click();
    const [request] = model.requests("check_health");
    model.fail(request, "timeout must be a number", "TypeError");
    await tick();
    const badge = el.querySelector(".hw-health-badge");
    assert.equal(badge.hidden, false);
    assert.match(badge.textContent, /timeout must be a number/);
    assert.equal(button.disabled, false);
    dispose();
  });

  test("a saved check is drawn from state alone; only all-ok is styled as fine", () => {
    for (const [status, look] of [
      ["ok", "hw-verdict-allow"],
      ["degraded", "hw-verdict-review"],
      ["unauthorized", "hw-verdict-deny"],
      ["error", "hw-verdict-deny"],
    ]) {
      const { el, dispose } = draw(plain, { health: { status, ok: 1, total: 2 } });
      const badge = el.querySelector(".hw-health-badge");
      assert.equal(badge.hidden, false);
      assert.ok(badge.classList.contains(look), `${status}: ${badge.className}`);
      dispose();
    }
  });

  test("a widget without a status line gets no badge", () => {
    const bare = defineWidget("bare", (view) => view.root.append("hello"));
    const { el, dispose } = draw(bare);
    assert.equal(el.querySelectorAll(".hw-health").length, 0);
    dispose();
  });
});
