/**
 * Front-end of hubwidgets.BenchmarkWidget: the models to measure (add, remove), the task, where
 * the inputs come from (built-in samples, the column given in Python, uploaded files), the
 * measurement options, Run and Cancel, a progress bar, the results table and the charts.
 *
 * The kernel does the work. The page writes traits (`models`, `task`, `input_source`, `warmup`,
 * `min_iterations`, `min_duration_s`, `batch_sizes`) and sends custom messages: `{type: "run"}`,
 * `{type: "cancel"}`, and `{type: "files", names}` with the files' bytes as buffers. It shows
 * what the kernel writes: `running`, `progress`, `progress_text`, `status`, `error`, `_summary`
 * (Arrow IPC bytes, one row per model x batch size), `_charts` ({name: svg}), `_inputs` (how
 * many items each source holds) and `_quality` (the quality column's name and direction).
 */
import type { AnyModel, RenderProps } from "@anywidget/types";
import { modelAdder } from "./lib/adder";
import { type Cell, decodeRows, type Row } from "./lib/arrow";
import { chartFigures, element } from "./lib/dom";

/** The synced traits of BenchmarkWidget (see hubwidgets/widgets/benchmark.py). */
interface BenchmarkState {
  models: string[];
  task: string;
  input_source: "samples" | "column" | "files";
  warmup: number;
  min_iterations: number;
  min_duration_s: number;
  batch_sizes: number[];
  running: boolean;
  progress: number;
  progress_text: string;
  status: string;
  error: string;
  _summary: DataView | ArrayBuffer | null;
  _charts: Record<string, string>;
  _inputs: {
    samples?: number;
    column?: number;
    column_label?: string;
    files?: string[];
    file_items?: number;
  };
  _tasks: string[];
  _quality: { metric?: string; label?: string; lower_is_better?: boolean };
}

type Model = AnyModel<BenchmarkState>;
type Key = keyof BenchmarkState & string;

const CHART_TITLES: Record<string, string> = {
  latency: "Latency per call",
  throughput: "Throughput",
  quality: "Quality vs latency",
};

/** The numeric columns of the results table: column, header, fraction digits. */
const NUMBERS: [string, string, number][] = [
  ["p50_ms", "p50 (ms)", 1],
  ["p90_ms", "p90 (ms)", 1],
  ["p99_ms", "p99 (ms)", 1],
  ["items_per_s", "items/s", 1],
  ["tokens_per_s", "tokens/s", 1],
  ["peak_rss_mb", "Peak RSS (MB)", 0],
];

let widgetCount = 0;

/** A number with `digits` fraction digits and thousands separators; missing -> "—". */
export function formatNumber(value: Cell, digits: number): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "—";
  return value.toLocaleString("en", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** "1, 8 32" -> [1, 8, 32]; undefined when a part is not a whole number >= 1. */
export function parseBatchSizes(text: string): number[] | undefined {
  const parts = text.split(/[\s,;]+/).filter((part) => part !== "");
  if (parts.length === 0) return undefined;
  const sizes = parts.map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) return undefined;
  return [...new Set(sizes)].sort((a, b) => a - b);
}

function summaryRows(model: Model): Row[] {
  const bytes = model.get("_summary");
  if (!bytes || bytes.byteLength === 0) return [];
  return decodeRows(bytes);
}

function labelled(
  uid: string,
  name: string,
  text: string,
  control: HTMLInputElement | HTMLSelectElement,
): HTMLElement {
  const wrap = element("div", "hw-field");
  const label = element("label", "hw-label");
  control.id = `${uid}-${name}`;
  label.htmlFor = control.id;
  label.textContent = text;
  wrap.append(label, control);
  return wrap;
}

function render({ model, el }: RenderProps<BenchmarkState>): () => void {
  const uid = `hw-benchmark-${++widgetCount}`;
  const cleanups: (() => void)[] = [];
  const on = (key: Key, callback: () => void): void => {
    const event = `change:${key}` as const;
    model.on(event, callback);
    cleanups.push(() => model.off(event, callback));
  };
  const save = <K extends Key>(key: K, value: BenchmarkState[K]): void => {
    model.set(key, value);
    model.save_changes();
  };

  const root = element("div", "hubwidgets-benchmark");
  el.replaceChildren(root);

  // -- models ----------------------------------------------------------------------------------
  const modelsBox = element("fieldset", "hw-models");
  const modelsLegend = element("legend", "");
  modelsLegend.textContent = "Models";
  const list = element("ul", "hw-model-list");
  list.setAttribute("aria-label", "Models to measure");
  const { root: adder, hint } = modelAdder({
    uid,
    placeholder: "org/model or a local path, e.g. prajjwal1/bert-tiny",
    label: "Add model by id or path",
    button: "Add",
    current: () => model.get("models"),
    duplicate: (id) => `${id} is already in the list.`,
    clearOnAdd: true,
    onAdd: (models) => save("models", models),
  });
  modelsBox.append(modelsLegend, list, adder);

  const drawModels = (): void => {
    const models = model.get("models");
    if (models.length === 0) {
      const empty = element("li", "hw-hint");
      empty.textContent = "No models yet: add one below.";
      list.replaceChildren(empty);
      return;
    }
    list.replaceChildren(
      ...models.map((id) => {
        const item = element("li", "hw-model-item");
        item.dataset.model = id;
        const name = element("span", "hw-model-name");
        name.textContent = id;
        const remove = element("button", "hw-remove");
        remove.type = "button";
        remove.textContent = "×";
        remove.setAttribute("aria-label", `Remove ${id}`);
        remove.title = `Remove ${id}`;
        remove.addEventListener("click", () => {
          save(
            "models",
            model.get("models").filter((other) => other !== id),
          );
        });
        item.append(name, remove);
        return item;
      }),
    );
  };

  // -- task and inputs -------------------------------------------------------------------------
  const setup = element("div", "hw-setup");
  const task = element("select", "hw-task");
  const taskField = labelled(uid, "task", "Task", task);
  task.addEventListener("change", () => save("task", task.value));

  const inputsBox = element("fieldset", "hw-inputs");
  const inputsLegend = element("legend", "");
  inputsLegend.textContent = "Inputs";
  const radios = new Map<BenchmarkState["input_source"], HTMLInputElement>();
  const radioLabels = new Map<BenchmarkState["input_source"], HTMLLabelElement>();
  inputsBox.append(inputsLegend);
  for (const source of ["samples", "column", "files"] as const) {
    const radio = element("input", "hw-radio");
    radio.type = "radio";
    radio.name = `${uid}-source`;
    radio.value = source;
    radio.id = `${uid}-source-${source}`;
    const label = element("label", "hw-radio-label");
    label.htmlFor = radio.id;
    radio.addEventListener("change", () => {
      if (radio.checked) save("input_source", source);
    });
    const row = element("div", "hw-radio-row");
    row.append(radio, label);
    inputsBox.append(row);
    radios.set(source, radio);
    radioLabels.set(source, label);
  }
  const upload = element("input", "hw-upload");
  upload.type = "file";
  upload.multiple = true;
  const uploadField = labelled(uid, "files", "Upload files", upload);
  uploadField.classList.add("hw-upload-field");
  inputsBox.append(uploadField);
  upload.addEventListener("change", () => {
    const files = [...(upload.files ?? [])];
    if (files.length === 0) return;
    hint.textContent = "";
    void Promise.all(files.map((file) => file.arrayBuffer())).then((buffers) => {
      model.send({ type: "files", names: files.map((file) => file.name) }, undefined, buffers);
    });
  });

  // -- options ---------------------------------------------------------------------------------
  const optionsBox = element("fieldset", "hw-options");
  const optionsLegend = element("legend", "");
  optionsLegend.textContent = "Measurement";
  const number = (name: "warmup" | "min_iterations" | "min_duration_s", text: string) => {
    const box = element("input", "hw-number");
    box.type = "number";
    box.min = name === "min_iterations" ? "1" : "0";
    box.step = name === "min_duration_s" ? "0.5" : "1";
    box.addEventListener("change", () => {
      const value = Number(box.value);
      if (box.value === "" || !Number.isFinite(value)) {
        box.value = String(model.get(name));
        return;
      }
      save(name, name === "min_duration_s" ? value : Math.round(value));
    });
    optionsBox.append(labelled(uid, name, text, box));
    return box;
  };
  const warmup = number("warmup", "Warm-up calls");
  const iterations = number("min_iterations", "Min. measured calls");
  const duration = number("min_duration_s", "Min. seconds measured");
  const batches = element("input", "hw-batches");
  batches.type = "text";
  batches.inputMode = "numeric";
  batches.addEventListener("change", () => {
    const sizes = parseBatchSizes(batches.value);
    if (sizes === undefined) {
      hint.textContent = "Batch sizes: whole numbers of at least 1, e.g. 1, 8, 32.";
      batches.value = model.get("batch_sizes").join(", ");
      return;
    }
    save("batch_sizes", sizes);
  });
  optionsBox.prepend(optionsLegend);
  optionsBox.append(labelled(uid, "batches", "Batch sizes", batches));
  setup.append(taskField, inputsBox, optionsBox);

  // -- run, cancel, progress -------------------------------------------------------------------
  const actions = element("div", "hw-toolbar hw-actions");
  const run = element("button", "hw-button hw-run");
  run.type = "button";
  run.textContent = "Run";
  const cancel = element("button", "hw-button hw-cancel");
  cancel.type = "button";
  cancel.textContent = "Cancel";
  const bar = element("progress", "hw-progress");
  bar.max = 1;
  bar.id = `${uid}-progress`;
  const barText = element("span", "hw-progress-text");
  barText.id = `${uid}-progress-text`;
  barText.setAttribute("aria-live", "polite");
  bar.setAttribute("aria-labelledby", barText.id);
  actions.append(run, cancel, bar, barText);
  run.addEventListener("click", () => model.send({ type: "run" }));
  cancel.addEventListener("click", () => model.send({ type: "cancel" }));

  const status = element("div", "hw-status");
  status.setAttribute("role", "status");
  const results = element("div", "hw-results");
  const charts = element("div", "hw-charts");
  root.append(modelsBox, setup, actions, status, results, charts);

  // -- drawing ---------------------------------------------------------------------------------
  const drawTasks = (): void => {
    const current = model.get("task");
    const choose = element("option", "");
    choose.value = "";
    choose.textContent = "Choose a task…";
    const options = model.get("_tasks").map((name) => {
      const option = element("option", "");
      option.value = name;
      option.textContent = name;
      return option;
    });
    task.replaceChildren(choose, ...options);
    task.value = current;
  };

  const drawInputs = (): void => {
    const info = model.get("_inputs") ?? {};
    const source = model.get("input_source");
    const samples = info.samples ?? 0;
    const column = info.column ?? 0;
    const files = info.files ?? [];
    const texts: Record<BenchmarkState["input_source"], string> = {
      samples: model.get("task")
        ? `Built-in samples (${samples})`
        : "Built-in samples (choose a task)",
      column: column
        ? `${info.column_label || "The given inputs"} (${column.toLocaleString("en")})`
        : "The inputs given in Python (none given)",
      files: files.length
        ? `Uploaded files: ${files.length} file${files.length === 1 ? "" : "s"}, ${
            info.file_items ?? 0
          } input${info.file_items === 1 ? "" : "s"}`
        : "Uploaded files (none yet)",
    };
    for (const [name, radio] of radios) {
      radio.checked = name === source;
      const label = radioLabels.get(name);
      if (label) label.textContent = texts[name];
    }
    const given = radios.get("column");
    if (given) given.disabled = column === 0;
    const fromFiles = radios.get("files");
    if (fromFiles) fromFiles.disabled = files.length === 0;
  };

  const drawOptions = (): void => {
    warmup.value = String(model.get("warmup"));
    iterations.value = String(model.get("min_iterations"));
    duration.value = String(model.get("min_duration_s"));
    batches.value = model.get("batch_sizes").join(", ");
  };

  const drawProgress = (): void => {
    const running = model.get("running");
    run.disabled = running;
    cancel.disabled = !running;
    root.classList.toggle("hw-running", running);
    bar.value = model.get("progress");
    barText.textContent = model.get("progress_text");
  };

  const drawStatus = (): void => {
    status.textContent = model.get("status");
    status.classList.toggle("hw-error", model.get("error") !== "");
  };

  const drawResults = (): void => {
    const rows = summaryRows(model);
    results.replaceChildren(...(rows.length ? [table(rows, model.get("_quality") ?? {})] : []));
  };

  const drawCharts = (): void => {
    const svgs = model.get("_charts") ?? {};
    charts.replaceChildren(...chartFigures(svgs, CHART_TITLES));
  };

  on("models", drawModels);
  on("_tasks", drawTasks);
  on("task", () => {
    task.value = model.get("task");
    drawInputs();
  });
  on("_inputs", drawInputs);
  on("input_source", drawInputs);
  for (const key of ["warmup", "min_iterations", "min_duration_s", "batch_sizes"] as const) {
    on(key, drawOptions);
  }
  on("running", drawProgress);
  on("progress", drawProgress);
  on("progress_text", drawProgress);
  on("status", drawStatus);
  on("error", drawStatus);
  on("_summary", drawResults);
  on("_quality", drawResults);
  on("_charts", drawCharts);
  drawModels();
  drawTasks();
  drawInputs();
  drawOptions();
  drawProgress();
  drawStatus();
  drawResults();
  drawCharts();
  model.send({ type: "view" });
  return () => {
    for (const cleanup of cleanups) cleanup();
  };
}

/** The results: one row per model x batch size, numbers right-aligned, the best marked. */
function table(rows: Row[], quality: BenchmarkState["_quality"]): HTMLTableElement {
  const grid = element("table", "hw-results-table");
  grid.setAttribute("role", "table");
  const caption = element("caption", "hw-visually-hidden");
  caption.textContent =
    "Benchmark results: one row per model and batch size; the best median latency and the best quality are marked";
  grid.append(caption);
  const hasQuality = rows.some((row) => typeof row.quality === "number");
  const qualityTitle = `${quality.label ?? "Quality"} (${
    quality.lower_is_better ? "lower" : "higher"
  } is better)`;
  const heads: [string, boolean][] = [
    ["Model", false],
    ["Batch", true],
    ["Status", false],
    ...NUMBERS.map(([, title]) => [title, true] as [string, boolean]),
    ...(hasQuality ? [[qualityTitle, true] as [string, boolean]] : []),
  ];
  const head = element("thead", "");
  const headRow = element("tr", "");
  for (const [title, numeric] of heads) {
    const th = element("th", numeric ? "hw-num" : "");
    th.scope = "col";
    th.textContent = title;
    headRow.append(th);
  }
  head.append(headRow);
  grid.append(head);

  const body = element("tbody", "");
  for (const row of rows) {
    const state = String(row.status ?? "");
    const tr = element("tr", `hw-row hw-status-${state || "unknown"}`);
    tr.dataset.model = String(row.model ?? "");
    tr.dataset.batch = String(row.batch_size ?? "");
    const name = element("th", "hw-model-cell");
    name.scope = "row";
    name.textContent = String(row.model ?? "");
    const batch = element("td", "hw-num");
    batch.textContent = formatNumber(row.batch_size ?? null, 0);
    const statusCell = element("td", "hw-status-cell");
    statusCell.textContent = state;
    if (row.error) {
      const why = element("span", "hw-row-error");
      why.textContent = String(row.error);
      statusCell.append(document.createTextNode(" "), why);
    }
    tr.append(name, batch, statusCell);
    for (const [column, , digits] of NUMBERS) {
      const td = element("td", "hw-num");
      td.dataset.column = column;
      td.textContent = formatNumber(row[column] ?? null, digits);
      if (column === "p50_ms" && row.best_p50 === true) markBest(td, "fastest");
      tr.append(td);
    }
    if (hasQuality) {
      const td = element("td", "hw-num");
      td.dataset.column = "quality";
      let text = formatNumber(row.quality ?? null, 3);
      if (typeof row.quality_lo === "number" && typeof row.quality_hi === "number") {
        text += ` (${formatNumber(row.quality_lo, 3)}–${formatNumber(row.quality_hi, 3)})`;
      }
      td.textContent = text;
      if (row.best_quality === true) markBest(td, "best quality");
      tr.append(td);
    }
    body.append(tr);
  }
  grid.append(body);
  return grid;
}

function markBest(td: HTMLTableCellElement, what: string): void {
  td.classList.add("hw-best");
  const note = element("span", "hw-visually-hidden");
  note.textContent = ` (${what})`;
  td.append(note);
}

export default { render };
