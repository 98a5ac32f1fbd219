/**
 * Front-end of hubwidgets.LoginWidget (`hw.login()`): a password field that logs the kernel's
 * machine in to the Hub, then the account (user, organizations) and Log out.
 *
 * The token never goes into the model: it is read from the password field when the form is
 * submitted and sent once, in the body of a `login` request (a custom message, not state); the
 * field is cleared when the kernel accepts it. A refused token leaves it in the field (the DOM
 * only) to be corrected, with the kernel's words, which never quote it. What the view shows
 * otherwise comes from synced state (`user`, `endpoint`, `status`, `error`, `health`: the
 * badge of lib/health.ts), so a view drawn from saved state shows who was logged in, and never
 * a token.
 */

import { element } from "./lib/dom";
import { type Health, healthBadge } from "./lib/health";
import { RequestError } from "./lib/protocol";
import { defineWidget } from "./lib/view";

/** The account the kernel shows (see hubwidgets/core/connect/auth.py's Account.to_dict). */
interface User {
  name?: string;
  fullname?: string;
  orgs?: string[];
  token_name?: string;
  role?: string;
  endpoint?: string;
}

/** The synced traits of LoginWidget (see hubwidgets/widgets/login.py). */
interface LoginState {
  health: Health;
  user: User;
  endpoint: string;
  status: string;
  error: string;
}

interface Reply extends Record<string, unknown> {
  ok?: boolean;
  error?: string;
}

export default defineWidget<LoginState>("login", (view) => {
  const status = element("div", "hw-status");
  status.setAttribute("role", "status");
  const problem = element("p", "hw-login-error");
  problem.setAttribute("role", "alert");
  problem.id = `${view.uid}-error`;

  // -- logged out: the form ------------------------------------------------------------------
  const form = element("form", "hw-login-form");
  form.setAttribute("aria-label", "Log in to the Hugging Face Hub");
  const label = element("label", "hw-label");
  const input = element("input", "hw-login-token");
  input.type = "password";
  input.id = `${view.uid}-token`;
  input.autocomplete = "off";
  input.spellcheck = false;
  input.placeholder = "hf_...";
  input.setAttribute("aria-describedby", problem.id);
  label.htmlFor = input.id;
  label.textContent = "Hugging Face access token";
  const submit = element("button", "hw-button");
  submit.type = "submit";
  submit.textContent = "Log in";
  const hint = element("p", "hw-hint");
  hint.append("Create one at ");
  const link = element("a", "hw-external");
  link.href = "https://huggingface.co/settings/tokens";
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  link.textContent = "huggingface.co/settings/tokens";
  const cli = element("code", "");
  cli.textContent = "hf auth login";
  hint.append(link, ". It is checked with the Hub and stored as ", cli, " stores it.");
  form.append(label, input, submit, hint);

  // -- logged in: the account ----------------------------------------------------------------
  const accountBox = element("section", "hw-login-account");
  accountBox.setAttribute("aria-label", "Hugging Face account");
  const who = element("p", "hw-login-user");
  const orgs = element("ul", "hw-login-orgs");
  orgs.setAttribute("aria-label", "Organizations");
  const logout = element("button", "hw-button");
  logout.type = "button";
  logout.textContent = "Log out";
  accountBox.append(who, orgs, logout);

  const busy = (on: boolean): void => {
    submit.disabled = on;
    logout.disabled = on;
    input.readOnly = on;
  };

  const say = (message: string): void => {
    problem.textContent = message;
    problem.hidden = message === "";
    input.setAttribute("aria-invalid", String(message !== ""));
  };

  const send = (): void => {
    if (submit.disabled) return; // a request is on its way
    const token = input.value;
    if (token.trim() === "") {
      say("invalid token: it is empty");
      input.focus();
      return;
    }
    busy(true);
    say("");
    view.client
      .request<Reply>("login", { token })
      .then((reply) => {
        busy(false); // a disabled button cannot take the focus
        if (reply.ok) {
          input.value = "";
          logout.focus();
        } else {
          say(String(reply.error ?? "could not log in"));
          input.select();
        }
      })
      .catch((error: unknown) => {
        if (error instanceof RequestError && error.type === "Closed") return;
        say(error instanceof Error ? error.message : "could not log in");
      })
      .finally(() => busy(false));
  };
  view.listen(form, "submit", (event: Event) => {
    event.preventDefault();
    send();
  });
  // Enter sends the token itself: JupyterLab's notebook shortcuts may take the keydown (and
  // prevent the form's implicit submission) before the form sees it
  view.listen(input, "keydown", (event: KeyboardEvent) => {
    if (event.key !== "Enter" || event.isComposing || event.shiftKey || event.altKey) return;
    event.preventDefault();
    event.stopPropagation();
    send();
  });

  view.listen(logout, "click", () => {
    busy(true);
    view.client
      .request<Reply>("logout")
      .then((reply) => {
        busy(false);
        if (!reply.ok) say(String(reply.error ?? "could not log out"));
        else input.focus();
      })
      .catch((error: unknown) => {
        if (error instanceof RequestError && error.type === "Closed") return;
        say(error instanceof Error ? error.message : "could not log out");
      })
      .finally(() => busy(false));
  });

  const draw = (): void => {
    const user = view.get("user") ?? {};
    const name = user.name ?? "";
    form.hidden = name !== "";
    accountBox.hidden = name === "";
    who.replaceChildren();
    if (name) {
      who.append("Logged in as ");
      const strong = element("strong", "hw-login-name");
      strong.textContent = name;
      who.append(strong);
      if (user.fullname && user.fullname !== name) who.append(` (${user.fullname})`);
      const role = user.role ? `, ${user.role} token` : "";
      const token = user.token_name ? ` · token “${user.token_name}”${role}` : "";
      who.append(`${token} · ${user.endpoint || view.get("endpoint")}`);
    }
    orgs.replaceChildren(
      ...(user.orgs ?? []).map((org) => {
        const li = element("li", "hw-login-org");
        li.textContent = org;
        return li;
      }),
    );
    orgs.hidden = (user.orgs ?? []).length === 0;
  };

  const drawStatus = (): void => {
    status.textContent = view.get("status");
    status.classList.toggle("hw-error", view.get("error") !== "");
  };

  say("");
  const line = element("div", "hw-login-status");
  line.append(status, healthBadge(view));
  view.root.append(line, form, accountBox, problem);
  view.on("user", draw);
  view.on(["status", "error"], drawStatus);
  draw();
  drawStatus();
});
