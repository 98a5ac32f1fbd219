/**
 * Front-end of hubwidgets.CostWidget: the workload inputs, the options table (cheapest per
 * model highlighted, every figure with its source), the cost-vs-volume chart with the break-even
 * crossovers, and a budget bar.
 *
 * Everything shown comes from synced state the kernel writes, so a view drawn from saved state
 * shows the estimate: `_table` (a Table trait: Arrow IPC, one row per model and option),
 * `_charts` ({name: svg}, drawn in the kernel), `_budget` (the bar's figures), `_sources` (where
 * the prices come from), `workload` and `status`. The page edits the workload with a `workload`
 * request: the kernel re-estimates, or refuses with the core's words, shown beside the inputs
 * (what was typed stays). Choosing an option writes `selected`: the budget bar weighs its month
 * cost, and the chart draws its model.
 */
import { type Cell, decodeRows, type Row } from "./lib/arrow";
import { chartFigures, element, fieldset, labelled } from "./lib/dom";
import { RequestError } from "./lib/protocol";
import { defineWidget } from "./lib/view";

/** hw.Workload's fields as the kernel sends them (see hubwidgets/widgets/cost.py). */
type Workload = Record<string, number | null>;

/** The budget bar's figures (hubwidgets/core/cost/options.py's budget_fit); {} without a budget. */
interface Budget {
  budget?: number | null;
  spent?: number | null;
  remaining?: number | null;
  fraction?: number | null;
  month?: string | null;
  hard?: boolean;
  unpriced_calls?: number;
  option?: string;
  option_usd?: number | null;
  note?: string;
}

/** The synced traits of CostWidget. */
interface CostState {
  models: string[];
  workload: Workload;
  selected: string;
  status: string;
  error: string;
  _table: DataView | ArrayBuffer | null;
  _charts: Record<string, string>;
  _budget: Budget;
  _sources: string;
}

/** The workload inputs: field, label, whether it may be left empty, the step. */
export const WORKLOAD_INPUTS: readonly (readonly [string, string, boolean, string])[] = [
  ["requests_per_day", "Requests per day", false, "any"],
  ["input_tokens", "Input tokens per request", false, "1"],
  ["output_tokens", "Output tokens per request", false, "1"],
  ["peak_requests_per_s", "Peak requests/s (optional)", true, "any"],
  ["hours_per_day", "Hours a day with traffic", false, "any"],
  ["latency_slo_ms", "Latency target, ms (optional)", true, "any"],
];

const usd = new Intl.NumberFormat("en", {
  style: "currency",
  currency: "USD",
  maximumFractionDigits: 2,
});
const small = new Intl.NumberFormat("en", { maximumSignificantDigits: 3 });
const whole = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });

const num = (value: Cell | undefined): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;
const text = (value: Cell | undefined): string =>
  value === null || value === undefined ? "" : String(value);

/** $ with cents; "—" when unknown. */
export function money(value: Cell | undefined): string {
  const n = num(value);
  return n === null ? "—" : usd.format(n);
}

/** Which field a message of the core is about: the first field name it mentions. */
export function fieldOf(message: string): string | null {
  let best: string | null = null;
  let at = Number.POSITIVE_INFINITY;
  for (const [name] of WORKLOAD_INPUTS) {
    const found = message.indexOf(name);
    if (found >= 0 && found < at) {
      best = name;
      at = found;
    }
  }
  return best;
}

/** The first word of a source ("measured", "estimate", "bundled", "unknown"...). */
function kindOf(source: string): string {
  return (source.split(/[:\s(]/)[0] ?? "").toLowerCase();
}

export default defineWidget<CostState>("cost", (view) => {
  const status = element("div", "hw-status");
  status.setAttribute("role", "status");
  const sources = element("p", "hw-cost-sources");

  // -- the workload ----------------------------------------------------------------------------
  const form = element("form", "hw-workload");
  form.noValidate = true; // the kernel validates, with the core's words
  const box = fieldset("hw-workload-fields", "Workload");
  const inputs = new Map<string, HTMLInputElement>();
  for (const [name, label, optional, step] of WORKLOAD_INPUTS) {
    const input = element("input", "");
    input.type = "number";
    input.step = step;
    input.min = "0";
    input.name = name;
    input.dataset.field = name;
    if (optional) input.placeholder = "none";
    inputs.set(name, input);
    // Enter estimates: JupyterLab's notebook keys would otherwise swallow the form's own submit
    view.listen<KeyboardEvent>(input, "keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      event.stopPropagation();
      form.requestSubmit();
    });
    box.append(labelled(`${view.uid}-${name}`, label, input));
  }
  const submit = element("button", "hw-button hw-primary");
  submit.type = "submit";
  submit.textContent = "Estimate";
  const problem = element("p", "hw-workload-error");
  problem.id = `${view.uid}-workload-error`;
  problem.setAttribute("role", "alert");
  box.append(submit);
  form.append(box, problem);

  const drawWorkload = (): void => {
    const work = view.get("workload") ?? {};
    for (const [name, input] of inputs) {
      const value = work[name];
      input.value = value === null || value === undefined ? "" : String(value);
    }
  };

  const showProblem = (message: string): void => {
    problem.textContent = message;
    const field = message ? fieldOf(message) : null;
    for (const [name, input] of inputs) {
      const bad = name === field;
      input.setAttribute("aria-invalid", String(bad));
      if (bad) input.setAttribute("aria-describedby", problem.id);
      else input.removeAttribute("aria-describedby");
    }
  };

  const typed = (): Record<string, number | null> => {
    const out: Record<string, number | null> = {};
    for (const [name, input] of inputs) {
      const raw = input.value.trim();
      // an empty or unreadable field is null: the kernel says what it needs there
      out[name] = raw === "" || Number.isNaN(Number(raw)) ? null : Number(raw);
    }
    return out;
  };

  view.listen(form, "submit", (event: Event) => {
    event.preventDefault();
    submit.disabled = true;
    view.client
      .request("workload", { workload: typed() })
      .then(() => showProblem(""))
      .catch((err: unknown) => {
        if (err instanceof RequestError && err.type === "Closed") return;
        showProblem(err instanceof Error ? err.message : String(err));
      })
      .finally(() => {
        submit.disabled = false;
      });
  });

  // -- the budget bar --------------------------------------------------------------------------
  const budgetBox = element("section", "hw-budget");
  budgetBox.setAttribute("aria-label", "Budget");

  const drawBudget = (): void => {
    const b = view.get("_budget") ?? {};
    const total = num(b.budget ?? null);
    if (total === null) {
      const hint = element("p", "hw-hint");
      hint.textContent =
        "No budget set: hw.use_budget(hw.Budget(500)) or hw.CostWidget(..., budget=500).";
      budgetBox.replaceChildren(hint);
      budgetBox.dataset.state = "none";
      return;
    }
    const spent = num(b.spent ?? null) ?? 0;
    const option = num(b.option_usd ?? null);
    const after = spent + (option ?? 0);
    const over = after > total;
    budgetBox.dataset.state = over ? "over" : "within";
    const scale = Math.max(total, after) || 1;
    const bar = element("div", "hw-budget-bar");
    bar.setAttribute("role", "img");
    const spentPart = element("span", "hw-budget-spent");
    spentPart.style.width = `${(Math.min(spent, scale) / scale) * 100}%`;
    const optionPart = element("span", "hw-budget-option");
    optionPart.style.width = `${((option ?? 0) / scale) * 100}%`;
    const limit = element("span", "hw-budget-limit");
    limit.style.left = `${(total / scale) * 100}%`;
    bar.append(spentPart, optionPart, limit);
    const month = b.month ? ` in ${b.month}` : "";
    const words =
      `Spent ${usd.format(spent)} of ${usd.format(total)}${month}` +
      `${b.hard ? " (hard budget)" : ""}` +
      (b.option
        ? `; ${b.option}: ${option === null ? "no $" : `${usd.format(option)} a month`}`
        : "");
    bar.setAttribute("aria-label", words);
    const line = element("p", "hw-budget-text");
    line.textContent = words;
    const verdict = element("p", over ? "hw-budget-note hw-over" : "hw-budget-note");
    const unpriced = b.unpriced_calls ?? 0;
    verdict.textContent =
      (b.note ?? "") +
      (unpriced > 0
        ? ` (${unpriced} call${unpriced === 1 ? "" : "s"} without a price not counted)`
        : "");
    budgetBox.replaceChildren(line, bar, verdict);
  };

  // -- the options table -----------------------------------------------------------------------
  const scroller = element("div", "hw-cost-scroll");
  scroller.tabIndex = 0; // a scrollable region keyboard users can reach
  scroller.setAttribute("role", "region");
  scroller.setAttribute("aria-label", "Options");

  const drawTable = (): void => {
    const rows = decodeRows(view.get("_table"));
    if (rows.length === 0) {
      scroller.replaceChildren();
      return;
    }
    const table = element("table", "hw-cost-table");
    const caption = element("caption", "hw-visually-hidden");
    caption.textContent = "Serving options and their cost, the cheapest per model first";
    const thead = element("thead", "");
    const head = element("tr", "");
    for (const label of HEADERS) {
      const th = element("th", "");
      th.scope = "col";
      th.textContent = label;
      head.append(th);
    }
    thead.append(head);
    const tbody = element("tbody", "");
    let model = "";
    for (const row of rows) {
      if (row.model !== model) {
        model = text(row.model);
        const group = element("tr", "hw-cost-model");
        const th = element("th", "");
        th.scope = "rowgroup";
        th.colSpan = HEADERS.length;
        th.textContent = model;
        group.append(th);
        tbody.append(group);
      }
      tbody.append(optionRow(row));
    }
    table.append(caption, thead, tbody);
    scroller.replaceChildren(table);
  };

  const optionRow = (row: Row): HTMLTableRowElement => {
    const key = text(row.key);
    const tr = element("tr", "hw-cost-option");
    tr.dataset.key = key;
    tr.dataset.option = text(row.option);
    const cheapest = row.cheapest === true;
    tr.classList.toggle("hw-cheapest", cheapest);
    const chosen = key === view.get("selected");
    tr.classList.toggle("hw-selected", chosen);
    const th = element("th", "hw-cost-label");
    th.scope = "row";
    const pick = element("button", "hw-option-button");
    pick.type = "button";
    pick.textContent = text(row.label);
    pick.setAttribute("aria-pressed", String(chosen));
    pick.title = "Weigh this option against the budget, and chart its model";
    view.listen(pick, "click", () => view.save({ selected: key }));
    th.append(pick);
    if (cheapest) th.append(" ", badge("cheapest", "hw-badge hw-badge-cheapest"));
    if (text(row.status) === "deprecated") th.append(" ", badge("deprecated", "hw-badge"));
    tr.append(th);

    const month = num(row.usd_per_month);
    tr.append(
      td("month", money(row.usd_per_month), text(row.cost_source)),
      td("hour", money(row.usd_per_hour), price(row)),
      td("per1k", money(row.usd_per_1k_requests)),
      td("replicas", replicas(row), text(row.cost_source)),
      td(
        "throughput",
        throughput(row),
        text(row.throughput_source),
        kindOf(text(row.throughput_source)),
      ),
      td("slo", slo(row.meets_slo), text(row.meets_slo_source)),
      td("breakeven", breakEven(row.break_even_requests_per_day), text(row.break_even_source)),
      td(
        "source",
        shortSource(text(row.price_source)),
        text(row.price_source),
        kindOf(text(row.price_source)),
      ),
      td("note", noteOf(row, month)),
    );
    return tr;
  };

  // -- the chart -------------------------------------------------------------------------------
  const charts = element("div", "hw-charts");
  const drawCharts = (): void => {
    charts.replaceChildren(
      ...chartFigures(view.get("_charts") ?? {}, {
        cost: "Cost against volume per option, with the break-even points",
      }),
    );
  };

  const drawStatus = (): void => {
    status.textContent = view.get("status");
    status.classList.toggle("hw-error", view.get("error") !== "");
    const where = view.get("_sources");
    sources.textContent = where ? `Prices: ${where}` : "";
  };

  view.root.append(status, form, sources, budgetBox, scroller, charts);
  view.on(["status", "error", "_sources"], drawStatus);
  view.on("workload", drawWorkload);
  view.on(["_table", "selected"], drawTable);
  view.on("_budget", drawBudget);
  view.on("_charts", drawCharts);
  drawStatus();
  drawWorkload();
  drawBudget();
  drawTable();
  drawCharts();
});

const HEADERS = [
  "Option",
  "$ a month",
  "$ an hour",
  "$ per 1k requests",
  "Replicas",
  "Throughput / replica",
  "Meets SLO",
  "Break-even requests/day",
  "Price source",
  "Note",
];

function badge(words: string, className: string): HTMLSpanElement {
  const span = element("span", className);
  span.textContent = words;
  return span;
}

/** A cell with its value, the source as a tooltip, and its kind (measured, estimate...). */
function td(name: string, value: string, source = "", kind = ""): HTMLTableCellElement {
  const cell = element("td", `hw-col-${name}`);
  cell.textContent = value;
  if (source) cell.title = source;
  if (kind) {
    cell.dataset.source = kind;
    if (name === "throughput" && value !== "—") cell.append(" ", badge(kind, "hw-source"));
  }
  return cell;
}

/** A source without its address in brackets (the whole of it stays in the tooltip). */
export function shortSource(source: string): string {
  return source.replace(/\s*\(https?:\/\/[^)]*\)/g, "") || "—";
}

function price(row: Row): string {
  const hourly = num(row.price_per_hour_usd);
  if (hourly !== null) return `${usd.format(hourly)}/h a replica`;
  const input = num(row.input_usd_per_1m);
  const output = num(row.output_usd_per_1m);
  if (input !== null || output !== null) {
    return `${money(input)} in, ${money(output)} out per 1M tokens`;
  }
  return "";
}

function replicas(row: Row): string {
  const lo = num(row.min_replicas);
  const hi = num(row.max_replicas);
  if (lo === null && hi === null) return row.option === "serverless" ? "scales" : "—";
  return lo === hi || hi === null ? `${lo}` : `${lo}–${hi}`;
}

function throughput(row: Row): string {
  const rps = num(row.throughput_rps);
  return rps === null ? "—" : `${small.format(rps)} req/s`;
}

function slo(value: Cell | undefined): string {
  if (value === true) return "yes";
  if (value === false) return "no";
  return "—";
}

function breakEven(value: Cell | undefined): string {
  const n = num(value);
  return n === null ? "—" : whole.format(n);
}

/** Why a row has no $ (too large, no price), or its note. */
function noteOf(row: Row, month: number | null): string {
  const note = text(row.note);
  if (note) return note;
  if (month === null && row.option !== "this machine") return text(row.cost_source) || "no price";
  if (row.option === "this machine") return "no $: your own hardware";
  return "";
}
