/**
 * Front-end of hubwidgets.WorkflowWidget: compose a pipeline step by step (a task, then a model:
 * one of the catalog's for that task, one selected in a linked widget, or an id or folder typed
 * in), try it on a sample (each step's output and latency), then apply it to the data with a
 * progress bar (rows done, rows/s, ETA) and Cancel, the result shown a window of rows at a time.
 *
 * The kernel does the work. The page writes traits (`steps`, `column`, `sample_from`,
 * `sample_text`, `sample_row`), sends the notices "run" (apply) and "cancel", and the requests
 * "sample" (run on the sample; an uploaded file travels in its body: `{file: {name, data}}`) and
 * "rows" (`{start, stop}` -> `{start, stop, total, table}`, Arrow IPC). Everything it shows is
 * state the kernel writes, so a view drawn from saved state alone shows the steps, the sample's
 * outputs (`_sample`) and the first window of the result (`_result`).
 */
import { decodeRows, type Row } from "./lib/arrow";
import { button, element, fieldset, labelled, option } from "./lib/dom";
import { RunControls } from "./lib/progress";
import { defineWidget, type View } from "./lib/view";

/** A step as the page edits it (see hubwidgets/core/workflows/spec.py's STEP_KEYS). */
export interface StepEntry {
  task: string;
  model: string;
  input: string;
  name: string;
  params?: Record<string, unknown>;
}

type SampleFrom = "text" | "row" | "file";

/** The synced traits of WorkflowWidget (see hubwidgets/widgets/workflow.py). */
interface WorkflowState {
  steps: StepEntry[];
  column: string;
  sample_from: SampleFrom;
  sample_text: string;
  sample_row: number;
  running: boolean;
  progress: number;
  progress_text: string;
  status: string;
  error: string;
  _tasks: string[];
  _choices: Record<string, [string, number | null][]>;
  _linked: string[];
  _plan: Record<string, string>[];
  _problems: Record<string, string>;
  _data: { rows?: number; columns?: string[] };
  _file: { name?: string };
  _sample: DataView | null;
  _result: DataView | null;
  _result_info: { total?: number; columns?: string[] };
}

/** Uploads travel in one message, which Jupyter's websocket caps (10 MiB by default). */
const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

/** Rows of the result per page (the kernel's WINDOW). */
const PAGE = 50;

const text = (value: unknown): string =>
  value === null || value === undefined ? "" : String(value);

/** `steps` with step `i` moved by `by` (-1 up, +1 down); the same list when it cannot move. */
export function moveStep<T>(steps: readonly T[], i: number, by: number): T[] {
  const j = i + by;
  if (i < 0 || i >= steps.length || j < 0 || j >= steps.length) return [...steps];
  const out = [...steps];
  [out[i], out[j]] = [out[j] as T, out[i] as T];
  return out;
}

/** "1.2M downloads"-style counts for the model list. */
function downloads(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return "downloads unknown";
  const short =
    n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
  return `${short} downloads`;
}

/** The steps: one fieldset each (task, model, input, move/remove, its problem), then Add. */
function stepsBox(view: View<WorkflowState>): HTMLFieldSetElement {
  const box = fieldset("hw-steps", "Steps");
  const list = element("ol", "hw-step-list");
  list.setAttribute("aria-label", "Pipeline steps");
  const add = button(
    "Add step",
    () => {
      const steps = view.get("steps") ?? [];
      const previous = steps[steps.length - 1];
      view.save({ steps: [...steps, { task: "", model: "", input: "", name: "" }] });
      if (previous !== undefined || steps.length === 0) {
        list.querySelector<HTMLSelectElement>("li:last-child select")?.focus();
      }
    },
    "hw-button hw-add-step",
  );
  box.append(list, add);

  const edit = (i: number, change: Partial<StepEntry>): void => {
    const steps = [...(view.get("steps") ?? [])];
    const was = steps[i];
    if (!was) return;
    steps[i] = { ...was, ...change };
    view.save({ steps });
  };

  const stepItem = (entry: StepEntry, i: number, count: number): HTMLLIElement => {
    const item = element("li", "hw-step");
    item.dataset.step = String(i);
    const n = i + 1;
    const plan = view.get("_plan")?.[i];
    const problem = view.get("_problems")?.[String(i)];
    const head = element("div", "hw-step-head");
    const title = element("span", "hw-step-title");
    title.textContent = plan?.name ? `Step ${n}: ${plan.name}` : `Step ${n}`;
    head.append(title);
    if (plan && (plan.takes || plan.gives)) {
      const flow = element("span", "hw-step-flow");
      flow.textContent = `takes ${plan.takes || "?"} → gives ${plan.gives || "?"}`;
      head.append(flow);
    }

    const task = element("select", "hw-step-task");
    task.dataset.key = "task";
    task.append(option("", "— choose a task —"));
    const tasks = view.get("_tasks") ?? [];
    // a task set from Python the page does not offer (a search in a table) still shows
    for (const name of tasks.includes(entry.task) || !entry.task ? tasks : [...tasks, entry.task])
      task.append(option(name, name));
    task.value = entry.task;
    view.listen(task, "change", () => edit(i, { task: task.value }));

    const model = element("input", "hw-step-model");
    model.type = "text";
    model.dataset.key = "model";
    model.value = entry.model;
    model.placeholder = entry.task ? "org/model or a local folder" : "choose a task first";
    model.autocomplete = "off";
    const offered = element("datalist", "");
    offered.id = `${view.uid}-models-${i}`;
    for (const id of view.get("_linked") ?? []) offered.append(option(id, "selected in the link"));
    for (const [id, count] of view.get("_choices")?.[entry.task] ?? []) {
      offered.append(option(id, downloads(count)));
    }
    model.setAttribute("list", offered.id);
    view.listen(model, "change", () => edit(i, { model: model.value.trim() }));

    const input = element("input", "hw-step-input");
    input.type = "text";
    input.dataset.key = "input";
    input.value = entry.input;
    input.placeholder = i === 0 ? "the sample or the column" : "the natural one";
    // the first step takes the pipeline's own input: there is no field to choose
    input.disabled = i === 0 && !entry.input;
    view.listen(input, "change", () => edit(i, { input: input.value.trim() }));

    const fields = element("div", "hw-step-fields");
    fields.append(
      labelled(`${view.uid}-task-${i}`, `Task of step ${n}`, task),
      labelled(`${view.uid}-model-${i}`, `Model of step ${n}`, model),
      labelled(`${view.uid}-input-${i}`, `Input of step ${n}`, input),
      offered,
    );

    const actions = element("div", "hw-step-actions");
    const up = button("↑", () => view.save({ steps: moveStep(view.get("steps"), i, -1) }));
    up.setAttribute("aria-label", `Move step ${n} up`);
    up.dataset.key = "up";
    up.disabled = i === 0;
    const down = button("↓", () => view.save({ steps: moveStep(view.get("steps"), i, 1) }));
    down.setAttribute("aria-label", `Move step ${n} down`);
    down.dataset.key = "down";
    down.disabled = i === count - 1;
    const remove = button(
      "×",
      () => view.save({ steps: view.get("steps").filter((_s, k) => k !== i) }),
      "hw-button hw-remove",
    );
    remove.setAttribute("aria-label", `Remove step ${n}`);
    remove.dataset.key = "remove";
    for (const b of [up, down, remove]) b.title = b.getAttribute("aria-label") ?? "";
    actions.append(up, down, remove);

    item.append(head, fields, actions);
    if (problem) {
      const why = element("p", "hw-step-problem");
      why.setAttribute("role", "alert");
      why.id = `${view.uid}-problem-${i}`;
      why.textContent = problem;
      model.setAttribute("aria-describedby", why.id);
      item.classList.add("hw-step-bad");
      item.append(why);
    }
    return item;
  };

  const draw = (): void => {
    // keep the focus on the same control of the same step across a redraw
    const active = document.activeElement;
    const inList = active instanceof HTMLElement && list.contains(active);
    const where = inList ? active.closest<HTMLElement>("li.hw-step")?.dataset.step : undefined;
    const key = inList ? active.dataset.key : undefined;
    const steps = view.get("steps") ?? [];
    if (steps.length === 0) {
      const empty = element("li", "hw-hint");
      empty.textContent = "No steps yet: add one, choose its task, then its model.";
      list.replaceChildren(empty);
    } else {
      list.replaceChildren(...steps.map((entry, i) => stepItem(entry, i, steps.length)));
    }
    if (where !== undefined && key) {
      const again = list.querySelector<HTMLElement>(`li[data-step="${where}"] [data-key="${key}"]`);
      again?.focus();
    }
  };
  view.on(["steps", "_choices", "_linked", "_plan", "_problems", "_tasks"], draw);
  draw();
  return box;
}

/** A table of rows with the given columns (cells as text; numbers right-aligned). */
function rowsTable(
  rows: readonly Row[],
  columns: readonly [string, string][],
  label: string,
  className: string,
): HTMLTableElement {
  const table = element("table", className);
  table.setAttribute("aria-label", label);
  const head = element("tr", "");
  for (const [, title] of columns) {
    const th = element("th", "");
    th.scope = "col";
    th.textContent = title;
    head.append(th);
  }
  const thead = element("thead", "");
  thead.append(head);
  const tbody = element("tbody", "");
  for (const row of rows) {
    const tr = element("tr", "");
    for (const [key] of columns) {
      const value = row[key];
      const td = element("td", typeof value === "number" ? "hw-num" : "");
      td.dataset.column = key;
      td.textContent =
        typeof value === "number"
          ? value.toLocaleString("en", { maximumFractionDigits: Math.abs(value) < 10 ? 3 : 1 })
          : text(value);
      tr.append(td);
    }
    tbody.append(tr);
  }
  table.append(thead, tbody);
  return table;
}

const SAMPLE_COLUMNS: [string, string][] = [
  ["name", "Step"],
  ["model", "Model"],
  ["output", "Output"],
  ["latency_ms", "Latency (ms)"],
  ["error", "Error"],
];

/** Try it on a sample: a text, a row of the data or a file; each step's output below. */
function sampleBox(view: View<WorkflowState>): HTMLFieldSetElement {
  const box = fieldset("hw-sample", "Try it on a sample");
  const sources: [SampleFrom, string][] = [
    ["text", "Text"],
    ["row", "A row of the data"],
    ["file", "A file"],
  ];
  const radios = element("div", "hw-radio-group");
  radios.setAttribute("role", "radiogroup");
  radios.setAttribute("aria-label", "Sample from");
  const inputs = new Map<SampleFrom, HTMLInputElement>();
  for (const [value, label] of sources) {
    const radio = element("input", "hw-radio");
    radio.type = "radio";
    radio.name = `${view.uid}-sample-from`;
    radio.value = value;
    radio.id = `${view.uid}-from-${value}`;
    const tag = element("label", "hw-radio-label");
    tag.htmlFor = radio.id;
    tag.textContent = label;
    view.listen(radio, "change", () => {
      if (radio.checked) view.save({ sample_from: value });
    });
    inputs.set(value, radio);
    radios.append(radio, tag);
  }

  const sampleText = element("textarea", "hw-sample-text");
  sampleText.rows = 2;
  view.listen(sampleText, "change", () => view.save({ sample_text: sampleText.value }));
  const row = element("input", "hw-sample-row");
  row.type = "number";
  row.min = "0";
  row.step = "1";
  view.listen(row, "change", () => {
    const n = Number(row.value);
    if (Number.isInteger(n) && n >= 0) view.save({ sample_row: n, sample_from: "row" });
    else row.value = String(view.get("sample_row") ?? 0);
  });
  const file = element("input", "hw-sample-file");
  file.type = "file";
  const fileNote = element("span", "hw-hint");
  let chosen: File | undefined;
  view.listen(file, "change", () => {
    chosen = file.files?.[0];
    if (chosen) view.save({ sample_from: "file" });
  });

  const note = element("p", "hw-hint hw-sample-note");
  note.setAttribute("aria-live", "polite");
  const run = button("Run on the sample", () => void runSample(), "hw-button hw-run-sample");
  const out = element("div", "hw-sample-out");

  const runSample = async (): Promise<void> => {
    note.textContent = "";
    if (sampleText.value !== view.get("sample_text")) view.save({ sample_text: sampleText.value });
    const body: Record<string, unknown> = {};
    if (view.get("sample_from") === "file" && chosen) {
      if (chosen.size > MAX_UPLOAD_BYTES) {
        note.textContent = `${chosen.name} is over 8 MiB: choose a smaller file.`;
        return;
      }
      body.file = { name: chosen.name, data: await chosen.arrayBuffer() };
      chosen = undefined;
    }
    try {
      await view.client.request("sample", body);
    } catch (err) {
      note.textContent = err instanceof Error ? err.message : String(err);
    }
  };

  const drawSetup = (): void => {
    const from = view.get("sample_from");
    for (const [value, radio] of inputs) radio.checked = value === from;
    if (document.activeElement !== sampleText) sampleText.value = view.get("sample_text") ?? "";
    if (document.activeElement !== row) row.value = String(view.get("sample_row") ?? 0);
    const rows = view.get("_data")?.rows;
    row.disabled = rows === undefined;
    row.max = rows ? String(rows - 1) : "0";
    const name = view.get("_file")?.name;
    fileNote.textContent = name ? `last file: ${name}` : "";
    run.disabled = view.get("running");
  };
  const drawOut = (): void => {
    const rows = decodeRows(view.get("_sample"));
    if (rows.length === 0) {
      out.replaceChildren();
      return;
    }
    out.replaceChildren(
      rowsTable(rows, SAMPLE_COLUMNS, "Each step's output on the sample", "hw-sample-table"),
    );
    for (const [i, r] of rows.entries()) {
      if (text(r.error)) out.querySelectorAll("tbody tr")[i]?.classList.add("hw-row-error");
    }
  };
  const fields = element("div", "hw-sample-fields");
  fields.append(
    labelled(`${view.uid}-sample-text`, "Sample text", sampleText),
    labelled(`${view.uid}-sample-row`, "Row (from 0)", row),
    labelled(`${view.uid}-sample-file`, "File (audio, image...)", file),
    fileNote,
  );
  box.append(radios, fields, run, note, out);
  view.on(["sample_from", "sample_text", "sample_row", "_data", "_file", "running"], drawSetup);
  view.on("_sample", drawOut);
  drawSetup();
  drawOut();
  return box;
}

/** Apply to the data: the column, Apply and Cancel with progress, the result a page at a time. */
function applyBox(view: View<WorkflowState>): HTMLFieldSetElement {
  const box = fieldset("hw-apply", "Apply to the data");
  const about = element("p", "hw-hint hw-data");
  const column = element("select", "hw-column");
  view.listen(column, "change", () => view.save({ column: column.value }));
  const controls = new RunControls(view);
  controls.run.textContent = "Apply to every row";
  const result = element("div", "hw-result");
  result.setAttribute("aria-live", "polite");
  const pager = element("div", "hw-pager");
  const where = element("span", "hw-pager-text");
  let start = 0;
  let fetched: readonly Row[] | null = null; // a later window than the saved first one
  const prev = button("Previous rows", () => void page(start - PAGE));
  const next = button("Next rows", () => void page(start + PAGE));
  pager.append(prev, where, next);

  const page = async (to: number): Promise<void> => {
    const total = view.get("_result_info")?.total ?? 0;
    const target = Math.max(0, Math.min(to, Math.max(0, total - 1)));
    if (target === 0) {
      start = 0;
      fetched = null;
      drawResult();
      return;
    }
    try {
      const reply = await view.client.request<{ start: number; table: DataView }>("rows", {
        start: target,
        stop: target + PAGE,
      });
      start = reply.start;
      fetched = decodeRows(reply.table);
    } catch (err) {
      where.textContent = err instanceof Error ? err.message : String(err);
      return;
    }
    drawResult();
  };

  const drawSetup = (): void => {
    const data = view.get("_data") ?? {};
    const names = data.columns ?? [];
    if (data.rows === undefined) {
      about.textContent = "No data: set widget.df = a DataFrame in Python (or pass data=).";
    } else {
      const rows = `${data.rows.toLocaleString("en")} row${data.rows === 1 ? "" : "s"}`;
      about.textContent = `${rows} · ${names.length} column${names.length === 1 ? "" : "s"}`;
    }
    column.replaceChildren(...names.map((name) => option(name, name)));
    column.value = view.get("column");
    column.disabled = names.length === 0;
  };

  const drawResult = (): void => {
    const info = view.get("_result_info") ?? {};
    const rows = fetched ?? decodeRows(view.get("_result"));
    if (fetched === null) start = 0;
    const total = info.total ?? rows.length;
    if (rows.length === 0) {
      result.replaceChildren();
      pager.hidden = true;
      return;
    }
    const names = info.columns ?? Object.keys(rows[0] ?? {});
    result.replaceChildren(
      rowsTable(
        rows,
        names.map((n) => [n, n]),
        "The result: the data with each step's output",
        "hw-result-table",
      ),
    );
    pager.hidden = total <= rows.length && start === 0;
    where.textContent = `rows ${(start + 1).toLocaleString("en")}–${(start + rows.length).toLocaleString("en")} of ${total.toLocaleString("en")}`;
    prev.disabled = start === 0;
    next.disabled = start + rows.length >= total;
  };

  const fields = element("div", "hw-apply-fields");
  fields.append(labelled(`${view.uid}-column`, "Column of inputs", column));
  box.append(about, fields, controls.element, pager, result);
  view.on(["_data", "column"], drawSetup);
  view.on(["_result", "_result_info"], () => {
    fetched = null;
    drawResult();
  });
  drawSetup();
  drawResult();
  return box;
}

export default defineWidget<WorkflowState>("workflow", (view) => {
  const status = element("div", "hw-status");
  status.setAttribute("role", "status");
  const drawStatus = (): void => {
    status.textContent = view.get("status");
    status.classList.toggle("hw-error", view.get("error") !== "");
  };
  view.root.append(status, stepsBox(view), sampleBox(view), applyBox(view));
  view.on(["status", "error"], drawStatus);
  drawStatus();
});
