/**
 * Front-end of hubwidgets.RegistryWidget: the registered models (aliases, stage, license and
 * verdict at registration, drift flags), "Register selected" for a linked widget's selection,
 * "Check drift" with its progress, alias / stage / deprecate of the selected entry (each only
 * after an explicit confirmation), and the selected model's audit timeline, newest first.
 *
 * Everything shown comes from synced state, so a view drawn from saved state shows the table
 * and the timeline: `_entries` and `_timeline` (Table traits: Arrow IPC), `pending`,
 * `outcomes_rows`, `timeline_note`, `status`/`error` and the run traits. The page writes one
 * trait, `selected_key` ("model@sha"), and sends the requests register, set_alias, set_stage,
 * deprecate, find, drift and refresh (hubwidgets/widgets/registry.py). A refused request keeps
 * what the user typed and says why beside it.
 */
import { decodeRows, type Row } from "./lib/arrow";
import { button, element, externalLink, fieldset, hubUrl, labelled, option } from "./lib/dom";
import { verdictBadge } from "./lib/verdicts";
import { defineWidget, type View } from "./lib/view";

/** The synced traits of RegistryWidget (see hubwidgets/widgets/registry.py). */
interface RegistryState {
  selected_key: string;
  pending: string[];
  outcomes_rows: Outcome[];
  drift_checked: string;
  timeline_note: string;
  status: string;
  error: string;
  running: boolean;
  progress: number;
  progress_text: string;
  _entries: DataView | ArrayBuffer | null;
  _timeline: DataView | ArrayBuffer | null;
}

interface Outcome {
  model: string;
  requested_revision: string;
  revision: string;
  outcome: string;
  error: string;
}

/** The stages an entry can be set to (hubwidgets.core.registry.STAGES without "deprecated",
 * which Deprecate sets). */
export const STAGES = ["candidate", "staging", "production", "archived"];

const text = (value: unknown): string =>
  value === null || value === undefined ? "" : String(value);

const short = (sha: string): string => sha.slice(0, 12);

/** What the Drift cell says, as a class: flagged, none, unknown or unchecked. */
export function driftKind(words: string): string {
  if (words === "no drift") return "none";
  if (words === "unknown") return "unknown";
  if (words.startsWith("not checked")) return "unchecked";
  return "flagged";
}

type Action = "set_alias" | "set_stage" | "deprecate";

export default defineWidget<RegistryState>("registry", (view) => {
  const status = element("div", "hw-status");
  status.setAttribute("role", "status");

  // -- register the linked widget's selection ------------------------------------------------
  const form = fieldset("hw-registry-register", "Register the linked widget's selection");
  const pendingText = element("p", "hw-pending");
  const revision = element("input", "hw-register-revision");
  revision.value = "main";
  revision.placeholder = "main";
  const alias = element("input", "hw-register-alias");
  alias.placeholder = "e.g. candidate (one model only)";
  const stage = element("select", "hw-register-stage");
  for (const name of STAGES) stage.append(option(name, name));
  const noteInput = element("input", "hw-register-note");
  const registerButton = button(
    "Register selected",
    () => void register(),
    "hw-button hw-register",
  );
  const outcomes = element("ul", "hw-outcomes");
  outcomes.setAttribute("aria-label", "Outcome of the last register");
  const fields = element("div", "hw-fields");
  fields.append(
    labelled(`${view.uid}-revision`, "Revision", revision),
    labelled(`${view.uid}-alias`, "Alias", alias),
    labelled(`${view.uid}-stage`, "Stage", stage),
    labelled(`${view.uid}-note`, "Note", noteInput),
    registerButton,
  );
  form.append(pendingText, fields, outcomes);

  const register = async (): Promise<void> => {
    registerButton.disabled = true;
    try {
      await view.client.request("register", {
        revision: revision.value.trim() || "main",
        alias: alias.value.trim(),
        stage: stage.value,
        note: noteInput.value,
      });
    } catch {
      // the kernel put the error in the status line; the form keeps what was typed
    } finally {
      drawPending();
    }
  };

  const drawPending = (): void => {
    const ids = view.get("pending") ?? [];
    registerButton.disabled = ids.length === 0;
    registerButton.textContent = ids.length
      ? `Register ${ids.length} selected`
      : "Register selected";
    pendingText.textContent = ids.length
      ? `Selected in the linked widget: ${ids.join(", ")}`
      : "Nothing selected in a linked widget (pass source= a SearchWidget, CompareWidget...).";
  };

  const drawOutcomes = (): void => {
    outcomes.replaceChildren(
      ...(view.get("outcomes_rows") ?? []).map((o) => {
        const li = element("li", o.outcome === "ok" ? "hw-outcome-ok" : "hw-outcome-error");
        li.dataset.model = o.model;
        li.textContent =
          o.outcome === "ok"
            ? `✓ ${o.model} pinned at ${short(o.revision)} (${o.requested_revision})`
            : `✕ ${o.model}: ${o.error}`;
        return li;
      }),
    );
  };

  // -- drift, refresh, find an alias ----------------------------------------------------------
  const tools = element("div", "hw-toolbar hw-registry-tools");
  const driftButton = button(
    "Check drift",
    () => void view.client.request("drift").catch(() => undefined),
    "hw-button hw-drift",
  );
  driftButton.title = "Ask the Hub what changed upstream since each pin";
  const refresh = button(
    "Refresh",
    () => void view.client.request("refresh").catch(() => undefined),
    "hw-button hw-refresh",
  );
  const bar = element("progress", "hw-progress");
  bar.max = 1;
  const barText = element("span", "hw-progress-text");
  barText.id = `${view.uid}-progress-text`;
  barText.setAttribute("aria-live", "polite");
  bar.setAttribute("aria-labelledby", barText.id);
  const find = element("input", "hw-find-alias");
  find.placeholder = "production";
  const findButton = button("Show alias", () => void findAlias(), "hw-button hw-find");
  view.listen<KeyboardEvent>(find, "keydown", (event) => {
    if (event.key === "Enter") void findAlias();
  });
  const findAlias = async (): Promise<void> => {
    try {
      await view.client.request("find", { alias: find.value.trim() });
    } catch {
      // the status line lists the aliases; the typed name stays
    }
  };
  tools.append(
    driftButton,
    bar,
    barText,
    refresh,
    labelled(`${view.uid}-find`, "Find alias", find),
    findButton,
  );

  const drawRun = (): void => {
    const running = view.get("running");
    driftButton.disabled = running;
    view.root.classList.toggle("hw-running", running);
    bar.value = view.get("progress");
    bar.hidden = !running;
    barText.textContent = running ? view.get("progress_text") : "";
  };

  // -- the table ------------------------------------------------------------------------------
  const scroller = element("div", "hw-registry-scroll");
  const drawTable = (): void => {
    const rows = decodeRows(view.get("_entries"));
    if (rows.length === 0) {
      const empty = element("p", "hw-hint");
      empty.textContent = "No registered models yet.";
      scroller.replaceChildren(empty);
      return;
    }
    const table = element("table", "hw-registry-table");
    const caption = element("caption", "hw-visually-hidden");
    caption.textContent = "Registered models";
    table.append(
      caption,
      tableHead([
        "Model",
        "Revision",
        "Aliases",
        "Stage",
        "License",
        "Verdict",
        "Drift",
        "Registered",
      ]),
    );
    const tbody = element("tbody", "");
    for (const row of rows) tbody.append(tableRow(row));
    table.append(tbody);
    scroller.replaceChildren(table);
  };

  const tableRow = (row: Row): HTMLTableRowElement => {
    const key = text(row.key);
    const model = text(row.model);
    const selected = key === view.get("selected_key");
    const tr = element("tr", selected ? "hw-selected" : "");
    tr.dataset.key = key;
    tr.dataset.model = model;
    tr.dataset.stage = text(row.stage);
    const th = element("th", "hw-model");
    th.scope = "row";
    const pick = button(model, () => view.save({ selected_key: key }), "hw-model-button");
    pick.setAttribute("aria-pressed", String(selected));
    pick.setAttribute("aria-label", `Select ${model} at ${short(text(row.revision))}`);
    th.append(pick);
    const sha = element("code", "hw-sha");
    sha.textContent = short(text(row.revision));
    sha.title = text(row.revision);
    const license = element("td", "hw-col-license");
    license.append(text(row.license) || "unknown");
    if (text(row.license_class)) license.append(note(text(row.license_class)));
    const drift = element("td", "hw-col-drift");
    const words = text(row.drift);
    const flag = element("span", `hw-drift hw-drift-${driftKind(words)}`);
    flag.textContent = words;
    flag.title = text(row.drift_source);
    drift.append(flag);
    const since = text(row.commits_since);
    if (since && since !== "0") drift.append(note(`${since} commit(s) since the pin`));
    const who = element("td", "hw-col-registered");
    who.append(text(row.registered_by), note(text(row.registered_at)));
    tr.append(
      th,
      cellOf("hw-col-revision", sha),
      cellOf("hw-col-aliases", text(row.aliases) || "—"),
      cellOf("hw-col-stage", text(row.stage)),
      license,
      cellOf("hw-col-verdict", verdictBadge(text(row.verdict))),
      drift,
      who,
    );
    return tr;
  };

  // -- the selected entry: its actions (confirmed) and its audit timeline ---------------------
  const details = element("section", "hw-registry-details");
  const heading = element("h4", "");
  const actions = element("div", "hw-toolbar hw-registry-actions");
  const confirm = element("div", "hw-confirm");
  confirm.setAttribute("role", "alertdialog");
  confirm.hidden = true;
  const timelineTitle = element("h4", "");
  const timeline = element("ol", "hw-timeline");
  const timelineNote = element("p", "hw-hint");
  details.append(heading, actions, confirm, timelineTitle, timelineNote, timeline);

  let opened: HTMLButtonElement | null = null;
  const openers = new Map<Action, HTMLButtonElement>();
  for (const [action, label] of [
    ["set_alias", "Set alias…"],
    ["set_stage", "Set stage…"],
    ["deprecate", "Deprecate…"],
  ] as [Action, string][]) {
    const opener = button(
      label,
      () => openConfirm(action),
      `hw-button hw-${action.replace("_", "-")}`,
    );
    opener.setAttribute("aria-haspopup", "dialog");
    openers.set(action, opener);
    actions.append(opener);
  }

  const selectedRow = (): Row | undefined =>
    decodeRows(view.get("_entries")).find((r) => r.key === view.get("selected_key"));

  const closeConfirm = (): void => {
    confirm.hidden = true;
    confirm.replaceChildren();
    opened?.focus();
    opened = null;
  };

  view.listen<KeyboardEvent>(confirm, "keydown", (event) => {
    if (event.key === "Escape") closeConfirm();
  });

  const openConfirm = (action: Action): void => {
    const row = selectedRow();
    if (!row) return;
    opened = openers.get(action) ?? null;
    const key = text(row.key);
    const where = `${text(row.model)}@${short(text(row.revision))}`;
    const title = element("p", "hw-confirm-title");
    title.id = `${view.uid}-confirm-title`;
    confirm.setAttribute("aria-labelledby", title.id);
    const question = element("p", "hw-confirm-question");
    const problem = element("p", "hw-confirm-error");
    problem.setAttribute("role", "alert");
    let input: HTMLInputElement | HTMLSelectElement;
    let body: () => Record<string, string>;
    if (action === "set_alias") {
      title.textContent = `Set an alias on ${where}`;
      const field = element("input", "hw-confirm-alias");
      field.placeholder = "production";
      input = field;
      const ask = (): void => {
        question.textContent = field.value.trim()
          ? `Point alias “${field.value.trim()}” at ${where}? It moves here if it points elsewhere.`
          : "Type the alias, then confirm.";
      };
      view.listen(field, "input", ask);
      ask();
      body = () => ({ key, alias: field.value.trim() });
    } else if (action === "set_stage") {
      title.textContent = `Change the stage of ${where}`;
      const field = element("select", "hw-confirm-stage");
      for (const name of STAGES) field.append(option(name, name));
      const next = STAGES[STAGES.indexOf(text(row.stage)) + 1];
      field.value = next && next !== "archived" ? next : "production";
      input = field;
      const ask = (): void => {
        question.textContent = `Move ${where} from ${text(row.stage)} to ${field.value}?`;
      };
      view.listen(field, "change", ask);
      ask();
      body = () => ({ key, stage: field.value });
    } else {
      title.textContent = `Deprecate ${where}`;
      const field = element("input", "hw-confirm-note");
      field.placeholder = "why (optional)";
      input = field;
      question.textContent = `Deprecate ${where}? Its aliases keep pointing at it; its stage becomes deprecated.`;
      body = () => ({ key, note: field.value });
    }
    const yes = button("Confirm", () => void send(), "hw-button hw-confirm-yes");
    const no = button("Cancel", closeConfirm, "hw-button hw-confirm-no");
    const send = async (): Promise<void> => {
      yes.disabled = true;
      problem.textContent = "";
      try {
        await view.client.request(action, body());
        closeConfirm();
      } catch (err) {
        // refused: say why here, keep the dialog and what was typed
        problem.textContent = err instanceof Error ? err.message : String(err);
        yes.disabled = false;
        input.focus();
      }
    };
    const label = action === "set_alias" ? "Alias" : action === "set_stage" ? "Stage" : "Note";
    const buttons = element("div", "hw-toolbar");
    buttons.append(yes, no);
    confirm.replaceChildren(
      title,
      labelled(`${view.uid}-confirm-input`, label, input),
      question,
      problem,
      buttons,
    );
    confirm.hidden = false;
    input.focus();
  };

  const drawDetails = (): void => {
    const row = selectedRow();
    details.hidden = !row;
    if (!row) {
      if (!confirm.hidden) closeConfirm();
      return;
    }
    const model = text(row.model);
    heading.replaceChildren(`${model} @ ${short(text(row.revision))}`, " ");
    if (model.includes("/") && !model.startsWith("/"))
      heading.append(externalLink("Hub page ↗", hubUrl(model)));
    const deprecated = text(row.stage) === "deprecated";
    const deprecate = openers.get("deprecate");
    if (deprecate) deprecate.disabled = deprecated;
    timelineTitle.textContent = `Audit trail of ${model}, newest first`;
    timeline.setAttribute("aria-label", `Audit trail of ${model}`);
    const records = decodeRows(view.get("_timeline"));
    timelineNote.textContent = view.get("timeline_note");
    timelineNote.hidden = !view.get("timeline_note");
    timeline.replaceChildren(...records.map(timelineItem));
  };

  const drawStatus = (): void => {
    status.textContent = view.get("status");
    status.classList.toggle("hw-error", view.get("error") !== "");
  };

  view.root.append(status, form, tools, scroller, details);
  view.on(["status", "error"], drawStatus);
  view.on("pending", drawPending);
  view.on("outcomes_rows", drawOutcomes);
  view.on(["running", "progress", "progress_text"], drawRun);
  view.on(["_entries", "selected_key"], () => {
    drawTable();
    drawDetails();
  });
  view.on(["_timeline", "timeline_note"], drawDetails);
  drawStatus();
  drawPending();
  drawOutcomes();
  drawRun();
  drawTable();
  drawDetails();
  keepFocus(view, scroller);
});

/** After the table is redrawn (a new selection), put the focus back on the row's button. */
function keepFocus(view: View<RegistryState>, scroller: HTMLElement): void {
  view.on("selected_key", () => {
    const key = view.get("selected_key");
    const rows = scroller.querySelectorAll<HTMLTableRowElement>("tr[data-key]");
    for (const tr of rows) {
      if (tr.dataset.key === key) tr.querySelector<HTMLButtonElement>(".hw-model-button")?.focus();
    }
  });
}

/** A `<thead>` of column headers. */
function tableHead(labels: readonly string[]): HTMLTableSectionElement {
  const head = element("tr", "");
  for (const label of labels) {
    const th = element("th", "");
    th.scope = "col";
    th.textContent = label;
    head.append(th);
  }
  const thead = element("thead", "");
  thead.append(head);
  return thead;
}

function cellOf(className: string, content: Node | string): HTMLTableCellElement {
  const td = element("td", className);
  td.append(content);
  return td;
}

/** A small muted line under a cell's main value. */
function note(value: string): HTMLElement {
  const span = element("span", "hw-note");
  span.textContent = value;
  return span;
}

/** One audit record: when, what, who, at which revision, with what, and how it went. */
function timelineItem(record: Row): HTMLLIElement {
  const li = element("li", "hw-timeline-item");
  li.dataset.action = text(record.action);
  li.dataset.outcome = text(record.outcome);
  const time = element("time", "hw-timeline-time");
  time.textContent = text(record.time);
  const action = element("span", "hw-timeline-action");
  action.textContent = text(record.action);
  const who = element("span", "hw-timeline-actor");
  who.textContent = `by ${text(record.actor)}`;
  li.append(time, action, who);
  if (text(record.revision)) {
    const sha = element("code", "hw-sha");
    sha.textContent = text(record.revision);
    li.append(sha);
  }
  const outcome = element("span", "hw-timeline-outcome");
  outcome.textContent = text(record.outcome);
  li.append(outcome);
  if (text(record.details)) li.append(note(text(record.details)));
  return li;
}
