/**
 * Front-end of hubwidgets.EndpointsWidget: the endpoints table with a status badge and the
 * actions of each row (pause, resume, scale to zero, delete confirmed by typing the name), and a
 * create form: model, then an instance among those that hold it with its price, then a review of
 * the cost (the hour and the month) before the confirmation.
 *
 * What is shown comes from synced state the kernel writes, so a view drawn from saved state
 * shows the endpoints: `_table` (a Table trait: Arrow IPC), `_instances` ({model, rows, note}),
 * `_plan` (the reviewed creation, {} when none), `status`, `error`, `following`. Every action is
 * a request (see hubwidgets/widgets/endpoints.py): refresh, instances, preview, create, pause,
 * resume, scale_to_zero, delete. A refused request shows the API's message beside the form or
 * row that asked, and leaves what the user typed as it was.
 */
import { decodeRows, type Row } from "./lib/arrow";
import { button, element, externalLink, fieldset, hubUrl, labelled, option } from "./lib/dom";
import { defineWidget } from "./lib/view";

/** An instance that holds the model of the create form (see _on_instances). */
interface Instance {
  instance: string;
  accelerator: string;
  region: string;
  memory_needed_gb: number;
  memory_available_gb: number;
  price_per_hour_usd: number;
  usd_per_month_running: number;
}

/** A reviewed creation: create_endpoint(confirm=False)'s row. */
interface Plan {
  name?: string;
  model?: string;
  instance?: string;
  min_replicas?: number;
  max_replicas?: number;
  price_per_hour_usd?: number;
  usd_per_month_running?: number;
  usd_per_month_max?: number;
  cost_source?: string;
}

/** The synced traits of EndpointsWidget (see hubwidgets/widgets/endpoints.py). */
interface EndpointsState {
  namespace: string;
  following: string[];
  status: string;
  error: string;
  running: boolean;
  _table: DataView | ArrayBuffer | null;
  _instances: { model?: string; rows?: Instance[]; note?: string };
  _plan: Plan;
}

/** The table's columns after the name: key, header. */
const COLUMNS: [string, string][] = [
  ["model", "Model"],
  ["status", "Status"],
  ["instance", "Instance"],
  ["replicas", "Replicas"],
  ["price_per_hour_usd", "$/hour"],
  ["updated", "Updated"],
];

/** The actions of a row: request kind, label, the states in which it makes sense. */
const ACTIONS: [string, string, (state: string) => boolean][] = [
  ["pause", "Pause", (s) => s !== "paused"],
  ["resume", "Resume", (s) => s === "paused" || s === "scaledToZero" || s === "failed"],
  ["scale_to_zero", "Scale to zero", (s) => s === "running"],
];

const text = (value: unknown): string =>
  value === null || value === undefined ? "" : String(value);

/** Dollars: cents (with thousands separators) from $1, three decimals below (hourly rates). */
export function usd(value: unknown): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "unknown";
  if (value >= 1) {
    return `$${value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  }
  return `$${value.toFixed(3).replace(/0$/, "")}`;
}

export default defineWidget<EndpointsState>("endpoints", (view) => {
  let deleting = ""; // the row whose delete confirmation is open
  const rowErrors = new Map<string, string>(); // a refused row action: its message

  const status = element("div", "hw-status");
  status.setAttribute("role", "status");
  const following = element("div", "hw-following");
  following.setAttribute("aria-live", "polite");

  const toolbar = element("div", "hw-endpoints-toolbar");
  const refresh = button("Refresh", () => {
    refresh.disabled = true;
    view.client
      .request("refresh")
      .catch(() => undefined) // said in the status line
      .finally(() => {
        refresh.disabled = false;
      });
  });
  refresh.title = "Read the endpoints again";
  toolbar.append(refresh, following);

  // -- the table -----------------------------------------------------------------------------
  const scroller = element("div", "hw-endpoints-scroll");

  const drawTable = (): void => {
    const rows = decodeRows(view.get("_table"));
    if (rows.length === 0) {
      const empty = element("p", "hw-hint");
      empty.textContent = "No endpoints yet: create one below.";
      scroller.replaceChildren(empty);
      return;
    }
    const table = element("table", "hw-endpoints-table");
    const caption = element("caption", "hw-visually-hidden");
    caption.textContent = `Inference Endpoints of ${view.get("namespace") || "your namespace"}`;
    const head = element("tr", "");
    for (const label of ["Endpoint", ...COLUMNS.map(([, l]) => l), "Actions"]) {
      const th = element("th", "");
      th.scope = "col";
      th.textContent = label;
      head.append(th);
    }
    const thead = element("thead", "");
    thead.append(head);
    const tbody = element("tbody", "");
    for (const row of rows) tbody.append(...tableRow(row));
    table.append(caption, thead, tbody);
    scroller.replaceChildren(table);
  };

  const tableRow = (row: Row): HTMLTableRowElement[] => {
    const name = text(row.name);
    const state = text(row.status);
    const tr = element("tr", "");
    tr.dataset.endpoint = name;
    const th = element("th", "hw-endpoint-name");
    th.scope = "row";
    th.textContent = name;
    const url = text(row.url);
    if (url) {
      const link = element("span", "hw-note");
      link.textContent = url;
      th.append(link);
    }
    tr.append(th);
    for (const [key] of COLUMNS) {
      const td = element("td", `hw-col-${key}`);
      td.append(...cell(key, row));
      tr.append(td);
    }
    const actions = element("td", "hw-endpoint-actions");
    for (const [kind, label, when] of ACTIONS) {
      if (!when(state)) continue;
      const b = button(label, () => act(kind, name, b));
      b.dataset.action = kind;
      b.setAttribute("aria-label", `${label} ${name}`);
      actions.append(b);
    }
    const del = button("Delete…", () => {
      deleting = deleting === name ? "" : name;
      drawTable();
      for (const input of scroller.querySelectorAll<HTMLInputElement>("input[data-confirm]")) {
        if (input.dataset.confirm === name) input.focus();
      }
    });
    del.dataset.action = "delete";
    del.setAttribute("aria-label", `Delete ${name}`);
    del.setAttribute("aria-expanded", String(deleting === name));
    actions.append(del);
    const problem = rowErrors.get(name);
    if (problem) {
      const alert = element("p", "hw-row-error");
      alert.setAttribute("role", "alert");
      alert.textContent = problem;
      actions.append(alert);
    }
    tr.append(actions);
    const out = [tr];
    if (deleting === name) out.push(confirmRow(name));
    return out;
  };

  /** The delete confirmation: the name typed again enables the button. */
  const confirmRow = (name: string): HTMLTableRowElement => {
    const tr = element("tr", "hw-delete-confirm");
    const td = element("td", "");
    td.colSpan = COLUMNS.length + 2;
    const input = element("input", "");
    input.type = "text";
    input.autocomplete = "off";
    input.dataset.confirm = name;
    const field = labelled(
      `${view.uid}-delete-${name}`,
      `Type ${name} to delete it for good`,
      input,
    );
    const go = button("Delete endpoint", () => {
      rowErrors.delete(name);
      go.disabled = true;
      view.client
        .request("delete", { name, confirm_name: input.value })
        .then(() => {
          deleting = "";
          drawTable();
        })
        .catch((err: Error) => {
          rowErrors.set(name, err.message);
          go.disabled = input.value !== name;
          drawTable();
        });
    });
    go.classList.add("hw-danger");
    go.disabled = true;
    view.listen(input, "input", () => {
      go.disabled = input.value !== name;
    });
    view.listen<KeyboardEvent>(input, "keydown", (event) => {
      if (event.key === "Enter" && !go.disabled) go.click();
      if (event.key === "Escape") {
        deleting = "";
        drawTable();
      }
    });
    const cancel = button("Cancel", () => {
      deleting = "";
      drawTable();
    });
    td.append(field, go, cancel);
    tr.append(td);
    return tr;
  };

  const act = (kind: string, name: string, trigger: HTMLButtonElement): void => {
    rowErrors.delete(name);
    trigger.disabled = true;
    view.client
      .request(kind, { name })
      .then(() => drawTable())
      .catch((err: Error) => {
        rowErrors.set(name, err.message);
        drawTable();
      })
      .finally(() => {
        trigger.disabled = false;
      });
  };

  // -- the create form -------------------------------------------------------------------------
  const form = element("form", "hw-endpoint-create");
  const box = fieldset("hw-create", "New endpoint");
  const model = element("input", "");
  model.type = "text";
  model.placeholder = "e.g. distilbert/distilbert-base-uncased";
  model.dataset.field = "model";
  const find = button("Find instances", () => findInstances());
  find.dataset.action = "instances";
  const instance = element("select", "");
  instance.dataset.field = "instance";
  const name = element("input", "");
  name.type = "text";
  name.placeholder = "default: from the model";
  name.dataset.field = "name";
  const minReplica = element("input", "");
  minReplica.type = "number";
  minReplica.min = "0";
  minReplica.value = "0";
  minReplica.dataset.field = "min_replica";
  const maxReplica = element("input", "");
  maxReplica.type = "number";
  maxReplica.min = "1";
  maxReplica.value = "1";
  maxReplica.dataset.field = "max_replica";
  const review = element("button", "hw-button");
  review.type = "submit";
  review.textContent = "Review cost";
  const formError = element("p", "hw-form-error");
  formError.id = `${view.uid}-form-error`;
  formError.setAttribute("role", "alert");
  const plan = element("section", "hw-plan");
  plan.setAttribute("aria-live", "polite");

  const modelRow = element("div", "hw-create-model");
  modelRow.append(labelled(`${view.uid}-model`, "Model", model), find);
  const instanceNote = element("p", "hw-note");
  box.append(
    modelRow,
    labelled(`${view.uid}-instance`, "Instance", instance),
    instanceNote,
    labelled(`${view.uid}-name`, "Endpoint name", name),
    labelled(`${view.uid}-min`, "Min replicas (0 scales to zero)", minReplica),
    labelled(`${view.uid}-max`, "Max replicas", maxReplica),
    review,
  );
  form.append(box, formError, plan);

  const say = (message: string, field?: HTMLElement): void => {
    formError.textContent = message;
    for (const input of [model, instance, name, minReplica, maxReplica]) {
      const bad = input === field;
      input.setAttribute("aria-invalid", String(bad));
      if (bad) input.setAttribute("aria-describedby", formError.id);
      else input.removeAttribute("aria-describedby");
    }
  };

  const fieldOf = (message: string): HTMLElement | undefined => {
    if (/instance|quota/i.test(message)) return instance;
    if (/replica/i.test(message)) return /min_replica/.test(message) ? minReplica : maxReplica;
    if (/model/i.test(message)) return model;
    if (/name/i.test(message)) return name;
    return undefined;
  };

  const findInstances = (): void => {
    const wanted = model.value.trim();
    if (!wanted) {
      say("Type a model id first.", model);
      model.focus();
      return;
    }
    say("");
    find.disabled = true;
    view.client
      .request("instances", { model: wanted })
      .then(() => instance.focus())
      .catch((err: Error) => say(err.message, model))
      .finally(() => {
        find.disabled = false;
      });
  };
  view.listen<KeyboardEvent>(model, "keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      findInstances();
    }
  });

  const body = (): Record<string, unknown> => ({
    model: model.value.trim(),
    instance: instance.value,
    name: name.value.trim(),
    min_replica: minReplica.value,
    max_replica: maxReplica.value,
  });

  view.listen<SubmitEvent>(form, "submit", (event) => {
    event.preventDefault();
    if (!instance.value) {
      say("Find the instances that hold the model, then choose one.", instance);
      return;
    }
    say("");
    review.disabled = true;
    view.client
      .request("preview", body())
      .then(() => plan.querySelector<HTMLButtonElement>("button[data-action=create]")?.focus())
      .catch((err: Error) => say(err.message, fieldOf(err.message)))
      .finally(() => {
        review.disabled = false;
      });
  });

  const drawInstances = (): void => {
    const found = view.get("_instances") ?? {};
    const rows = found.rows ?? [];
    const was = instance.value;
    instance.replaceChildren(
      option("", rows.length ? "Choose an instance" : "Find the instances first"),
    );
    for (const row of rows) {
      instance.append(
        option(
          row.instance,
          `${row.instance} · ${row.accelerator} · ${row.memory_available_gb.toFixed(0)} GB · ${usd(row.price_per_hour_usd)}/hour`,
        ),
      );
    }
    if (rows.some((r) => r.instance === was)) instance.value = was;
    else if (rows.length) instance.value = rows[0]?.instance ?? "";
    if (found.model && !model.value) model.value = found.model;
    instanceNote.textContent = found.model
      ? rows.length
        ? `${rows.length} instance${rows.length === 1 ? "" : "s"} hold ${found.model} (${rows[0]?.memory_needed_gb.toFixed(1)} GB needed), cheapest first`
        : `No instance holds ${found.model}: ${found.note ?? ""}`
      : "";
  };

  const drawPlan = (): void => {
    const p = view.get("_plan") ?? {};
    if (!p.instance) {
      plan.replaceChildren();
      return;
    }
    const title = element("h4", "");
    title.textContent = `Create ${text(p.name)}?`;
    const facts = element("dl", "hw-plan-facts");
    const add = (term: string, value: string): void => {
      const dt = element("dt", "");
      dt.textContent = term;
      const dd = element("dd", "");
      dd.textContent = value;
      facts.append(dt, dd);
    };
    add("Model", text(p.model));
    add("Instance", text(p.instance));
    add("Replicas", `${text(p.min_replicas)} to ${text(p.max_replicas)}`);
    add("Price", `${usd(p.price_per_hour_usd)} per replica-hour`);
    add("A month with one replica running", usd(p.usd_per_month_running));
    add("A month at the most replicas", usd(p.usd_per_month_max));
    const source = element("p", "hw-note");
    source.textContent = text(p.cost_source);
    const confirm = button("Create endpoint", () => {
      confirm.disabled = true;
      say("");
      view.client
        .request("create", body())
        .then(() => refresh.focus())
        .catch((err: Error) => {
          say(err.message, fieldOf(err.message));
          confirm.disabled = false;
        });
    });
    confirm.dataset.action = "create";
    const back = button("Cancel", () => {
      plan.replaceChildren();
      review.focus();
    });
    plan.append(title, facts, source, confirm, back);
  };

  const drawStatus = (): void => {
    status.textContent = view.get("status");
    status.classList.toggle("hw-error", view.get("error") !== "");
    const names = view.get("following") ?? [];
    following.textContent = names.length ? `Following ${names.join(", ")}…` : "";
  };

  view.root.append(status, toolbar, scroller, form);
  view.on(["status", "error", "following"], drawStatus);
  view.on("_table", drawTable);
  view.on("_instances", drawInstances);
  view.on("_plan", drawPlan);
  drawStatus();
  drawTable();
  drawInstances();
  drawPlan();
});

/** The content of one cell of the table. */
function cell(key: string, row: Row): (Node | string)[] {
  const value = text(row[key]);
  switch (key) {
    case "model": {
      if (!value) return ["—"];
      const out: (Node | string)[] = [externalLink(value, hubUrl(value))];
      const revision = text(row.revision);
      if (revision) {
        const rev = element("span", "hw-note");
        rev.textContent = `@ ${revision.slice(0, 10)}`;
        out.push(rev);
      }
      return out;
    }
    case "status": {
      const badge = element("span", `hw-endpoint-state hw-state-${value || "unknown"}`);
      badge.textContent = value || "unknown";
      const message = text(row.message);
      const out: (Node | string)[] = [badge];
      if (message) {
        const note = element("span", "hw-note");
        note.textContent = message;
        out.push(note);
      }
      return out;
    }
    case "price_per_hour_usd": {
      const price = row.price_per_hour_usd;
      const span = element("span", "");
      span.textContent = typeof price === "number" ? usd(price) : "unknown";
      span.title = text(row.price_source);
      return [span];
    }
    default:
      return [value || "—"];
  }
}
