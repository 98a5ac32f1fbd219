// The built LoginWidget bundle in a simulated DOM (jsdom), against a fake model: the token goes
// to the kernel once, in a `login` request, and never into the model's state; a refused token
// says why and stays in the field to be corrected; the account and Log out come from synced
// state, so a view drawn from saved state shows who was logged in. Run `npm run build` first.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeModel as BaseModel } from "./fake-model.mjs";
import { installDom, loadWidgets, mounting, tick } from "./harness.mjs";

installDom(["HTMLFormElement", "SubmitEvent"]);
const { widgets } = await loadWidgets();
const widget = widgets.login;

const TOKEN = "hf_jsTestTOKEN0123456789";
const ALICE = {
  name: "alice",
  fullname: "Alice A.",
  orgs: ["acme", "bigscience"],
  token_name: "notebook",
  role: "write",
  endpoint: "http://127.0.0.1:1234",
};

class FakeModel extends BaseModel {
  constructor(state = {}) {
    super({
      user: {},
      health: {},
      endpoint: "http://127.0.0.1:1234",
      status: "Not logged in: paste a token",
      error: "",
      ...state,
    });
  }
}

function submit(el, token) {
  const input = el.querySelector("input[type=password]");
  input.value = token;
  el.querySelector("form").dispatchEvent(new Event("submit", { cancelable: true }));
  return input;
}

describe("LoginWidget", () => {
  const { mount } = mounting(widget, FakeModel);

  test("logged out: a labelled password field and a Log in button", () => {
    const { el } = mount();
    const root = el.querySelector(".hubwidgets.hubwidgets-login");
    assert.ok(root);
    const input = el.querySelector("input[type=password]");
    assert.equal(
      el.querySelector(`label[for='${input.id}']`).textContent,
      "Hugging Face access token",
    );
    assert.equal(el.querySelector("button[type=submit]").textContent, "Log in");
    assert.equal(el.querySelector(".hw-login-account").hidden, true);
    assert.equal(el.querySelector("[role=status]").textContent, "Not logged in: paste a token");
  });

  test("the token goes once in a login request, never into the state", async () => {
    const { el, model } = mount();
    const input = submit(el, TOKEN);
    const [request] = model.requests("login");
    assert.equal(request.body.token, TOKEN);
    assert.equal(model.saved.length, 0); // nothing synced
    assert.ok(!JSON.stringify(model.state).includes(TOKEN));
    assert.equal(el.querySelector("button[type=submit]").disabled, true); // waiting
    model.set("user", ALICE);
    model.reply(request, { ok: true, user: ALICE });
    await tick();
    assert.equal(input.value, ""); // cleared once accepted
    assert.equal(document.activeElement?.textContent, "Log out"); // the focus moves on
    assert.equal(el.querySelector("form").hidden, true);
    assert.ok(!el.innerHTML.includes(TOKEN));
  });

  test("a refused token says invalid token and stays in the field to correct", async () => {
    const { el, model } = mount();
    const input = submit(el, "hf_typo");
    const [request] = model.requests("login");
    model.reply(request, { ok: false, error: "invalid token: the Hub refused it" });
    await tick();
    const alert = el.querySelector("[role=alert]");
    assert.equal(alert.textContent, "invalid token: the Hub refused it");
    assert.equal(alert.hidden, false);
    assert.equal(input.value, "hf_typo"); // the user's work is kept (in the page only)
    assert.equal(input.getAttribute("aria-invalid"), "true");
    assert.equal(el.querySelector("button[type=submit]").disabled, false);
  });

  test("Enter in the field sends the token, once", () => {
    const { el, model } = mount();
    const input = el.querySelector("input[type=password]");
    input.value = TOKEN;
    const enter = () =>
      new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true });
    const first = enter();
    input.dispatchEvent(first);
    assert.equal(first.defaultPrevented, true); // the notebook's own Enter does not fire
    input.dispatchEvent(enter()); // pressed again while the first is on its way: not resent
    assert.equal(model.requests("login").length, 1);
    assert.equal(model.requests("login")[0].body.token, TOKEN);
  });

  test("an empty field is refused in the page, nothing sent", () => {
    const { el, model } = mount();
    submit(el, "   ");
    assert.equal(model.requests("login").length, 0);
    assert.equal(el.querySelector("[role=alert]").textContent, "invalid token: it is empty");
  });

  test("a view drawn from saved state shows the account and organizations", () => {
    const { el } = mount({ user: ALICE, status: "Logged in as alice (acme, bigscience)" });
    assert.equal(el.querySelector("form").hidden, true);
    const account = el.querySelector(".hw-login-account");
    assert.equal(account.hidden, false);
    assert.equal(el.querySelector(".hw-login-name").textContent, "alice");
    assert.match(account.textContent, /token “notebook”, write token/);
    const orgs = [...el.querySelectorAll(".hw-login-org")].map((li) => li.textContent);
    assert.deepEqual(orgs, ["acme", "bigscience"]);
  });

  test("the health badge: hidden before a check, asked on demand, drawn from state", async () => {
    const { el, model } = mount();
    const badge = el.querySelector(".hw-health-badge");
    assert.equal(badge.hidden, true);
    const check = [...el.querySelectorAll("button")].find((b) => b.textContent === "Check the Hub");
    check.click();
    assert.equal(check.disabled, true);
    const [request] = model.requests("check_health");
    const health = {
      status: "degraded",
      ok: 2,
      total: 3,
      checked_at: "2026-12-05T04:00:00+00:00",
      problems: ["router https://router.huggingface.co: unreachable (timed out)"],
    };
    model.set("health", health);
    model.reply(request, health);
    await tick();
    assert.equal(check.disabled, false);
    assert.equal(badge.hidden, false);
    assert.equal(badge.dataset.status, "degraded");
    assert.ok(badge.classList.contains("hw-verdict-review"));
    assert.equal(badge.textContent, "?Hub degraded · 2/3 services ok");
    assert.match(badge.title, /router https:\/\/router.huggingface.co: unreachable/);
  });

  test("a saved unreachable check shows as such", () => {
    const { el } = mount({ health: { status: "unreachable", ok: 0, total: 3, problems: [] } });
    const badge = el.querySelector(".hw-health-badge");
    assert.equal(badge.hidden, false);
    assert.ok(badge.classList.contains("hw-verdict-deny")); // never styled as fine
    assert.match(badge.textContent, /Hub unreachable · 0\/3 services ok/);
  });

  test("Log out asks the kernel and shows the form again", async () => {
    const { el, model } = mount({ user: ALICE });
    const button = [...el.querySelectorAll("button")].find((b) => b.textContent === "Log out");
    button.click();
    const [request] = model.requests("logout");
    assert.ok(request);
    model.set("user", {});
    model.reply(request, { ok: true });
    await tick();
    assert.equal(el.querySelector("form").hidden, false);
    assert.equal(el.querySelector(".hw-login-account").hidden, true);
  });
});
