/**
 * Front-end of hubwidgets.BenchmarkWidget: the models to measure (add, remove), the task, where
 * the inputs come from (built-in samples, the column given in Python, uploaded files), the
 * measurement options, Run and Cancel with a progress bar, the results table and the charts.
 *
 * The kernel does the work. The page writes traits (`models`, `task`, `input_source`, `warmup`,
 * `min_iterations`, `min_duration_s`, `batch_sizes`), sends the notices "run" and "cancel", and
 * the request "files" (an upload: `{files: [{name, data}]}`, the bytes inside the body; the reply
 * says how many inputs they hold). Everything it shows is state the kernel writes, so a view
 * drawn from saved state alone shows the results: `running`, `progress`, `progress_text`,
 * `status`, `error`, `budget` (spend against the session's budget), `_summary` (the results
 * table, Arrow IPC, with each row's `reliable` verdict), `_charts` ({name: svg}),
 * `_inputs` (what each input source holds) and `_quality` (the quality column's words).
 */
import { modelAdder } from "./lib/adder";
import { decodeRows } from "./lib/arrow";
import { button, chartFigures, element, fieldset, labelled, option } from "./lib/dom";
import { RunControls } from "./lib/progress";
import { type Quality, resultsTable } from "./lib/results";
import { defineWidget, type View } from "./lib/view";

type Source = "samples" | "column" | "files";

/** The synced traits of BenchmarkWidget (see hubwidgets/widgets/benchmark.py). */
interface BenchmarkState {
  models: string[];
  task: string;
  input_source: Source;
  warmup: number;
  min_iterations: number;
  min_duration_s: number;
  batch_sizes: number[];
  running: boolean;
  progress: number;
  progress_text: string;
  status: string;
  error: string;
  /** "spent $x of $y this month" when a budget is active, else "". */
  budget: string;
  _summary: DataView | null;
  _charts: Record<string, string>;
  _inputs: {
    samples?: number;
    column?: number;
    column_label?: string;
    files?: string[];
    file_items?: number;
  };
  _tasks: string[];
  _quality: Quality;
}

const CHART_TITLES: Record<string, string> = {
  latency: "Latency per call",
  throughput: "Throughput",
  quality: "Quality vs latency",
};

/** Uploads travel in one message, which Jupyter's websocket caps (10 MiB by default). */
const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

/** "1, 8 32" -> [1, 8, 32]; undefined when a part is not a whole number >= 1. */
export function parseBatchSizes(text: string): number[] | undefined {
  const parts = text.split(/[\s,;]+/).filter((part) => part !== "");
  if (parts.length === 0) return undefined;
  const sizes = parts.map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) return undefined;
  return [...new Set(sizes)].sort((a, b) => a - b);
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The words of each input source, from what the kernel says it holds. */
function sourceTexts(view: View<BenchmarkState>): Record<Source, string> {
  const info = view.get("_inputs") ?? {};
  const column = info.column ?? 0;
  const files = info.files ?? [];
  return {
    samples: view.get("task")
      ? `Built-in samples (${info.samples ?? 0})`
      : "Built-in samples (choose a task)",
    column: column
      ? `${info.column_label || "The given inputs"} (${column.toLocaleString("en")})`
      : "The inputs given in Python (none given)",
    files: files.length
      ? `Uploaded files: ${plural(files.length, "file")}, ${plural(info.file_items ?? 0, "input")}`
      : "Uploaded files (none yet)",
  };
}

/** The models to measure: a list with a remove button each, and the adder below. */
function modelsBox(view: View<BenchmarkState>): HTMLFieldSetElement {
  const box = fieldset("hw-models", "Models");
  const list = element("ul", "hw-model-list");
  list.setAttribute("aria-label", "Models to measure");
  const adder = modelAdder({
    uid: view.uid,
    placeholder: "org/model or a local path, e.g. prajjwal1/bert-tiny",
    label: "Add model by id or path",
    button: "Add",
    current: () => view.get("models"),
    duplicate: (id) => `${id} is already in the list.`,
    clearOnAdd: true,
    onAdd: (models) => view.save({ models }),
  });
  box.append(list, adder.root);
  const draw = (): void => {
    const models = view.get("models");
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
        const remove = button(
          "×",
          () => view.save({ models: view.get("models").filter((other) => other !== id) }),
          "hw-remove",
        );
        remove.setAttribute("aria-label", `Remove ${id}`);
        remove.title = `Remove ${id}`;
        item.append(name, remove);
        return item;
      }),
    );
  };
  view.on("models", draw);
  draw();
  return box;
}

/** Where the inputs come from: a radio per source, and the upload. */
function inputsBox(view: View<BenchmarkState>): HTMLFieldSetElement {
  const box = fieldset("hw-inputs", "Inputs");
  const radios = new Map<Source, [HTMLInputElement, HTMLLabelElement]>();
  for (const source of ["samples", "column", "files"] as const) {
    const radio = element("input", "hw-radio");
    radio.type = "radio";
    radio.name = `${view.uid}-source`;
    radio.value = source;
    radio.id = `${view.uid}-source-${source}`;
    const label = element("label", "hw-radio-label");
    label.htmlFor = radio.id;
    view.listen(radio, "change", () => {
      if (radio.checked) view.save({ input_source: source });
    });
    const row = element("div", "hw-radio-row");
    row.append(radio, label);
    box.append(row);
    radios.set(source, [radio, label]);
  }
  const upload = element("input", "hw-upload");
  upload.type = "file";
  upload.multiple = true;
  const hint = element("span", "hw-hint hw-upload-hint");
  hint.id = `${view.uid}-upload-hint`;
  hint.setAttribute("aria-live", "polite");
  upload.setAttribute("aria-describedby", hint.id);
  const field = labelled(`${view.uid}-files`, "Upload files", upload);
  field.classList.add("hw-upload-field");
  field.append(hint);
  box.append(field);

  const send = async (files: File[]): Promise<void> => {
    if (files.length === 0) return;
    const size = files.reduce((sum, file) => sum + file.size, 0);
    if (size > MAX_UPLOAD_BYTES) {
      const mb = (size / 1024 / 1024).toFixed(1);
      hint.textContent = `These files hold ${mb} MB: upload at most 8 MB at once, or pass larger inputs from Python (inputs=...).`;
      return;
    }
    hint.textContent = "Uploading…";
    try {
      const data = await Promise.all(files.map((file) => file.arrayBuffer()));
      const body = { files: files.map((file, i) => ({ name: file.name, data: data[i] })) };
      const reply = await view.client.request<{ items?: number }>("files", body);
      hint.textContent = `${plural(reply.items ?? 0, "input")} read.`;
    } catch (error) {
      hint.textContent = error instanceof Error ? error.message : String(error);
    }
  };
  view.listen(upload, "change", () => void send([...(upload.files ?? [])]));

  const draw = (): void => {
    const texts = sourceTexts(view);
    const info = view.get("_inputs") ?? {};
    for (const [source, [radio, label]] of radios) {
      radio.checked = source === view.get("input_source");
      label.textContent = texts[source];
    }
    const given = radios.get("column");
    if (given) given[0].disabled = (info.column ?? 0) === 0;
    const uploaded = radios.get("files");
    if (uploaded) uploaded[0].disabled = (info.files ?? []).length === 0;
  };
  view.on(["_inputs", "input_source", "task"], draw);
  draw();
  return box;
}

/** The measurement options: warm-up, measured calls and seconds, batch sizes. */
function optionsBox(view: View<BenchmarkState>): HTMLFieldSetElement {
  const box = fieldset("hw-options", "Measurement");
  const hint = element("span", "hw-hint");
  hint.id = `${view.uid}-options-hint`;
  hint.setAttribute("aria-live", "polite");
  type Option = "warmup" | "min_iterations" | "min_duration_s";
  const number = (name: Option, text: string): HTMLInputElement => {
    const input = element("input", "hw-number");
    input.type = "number";
    input.min = name === "min_iterations" ? "1" : "0";
    input.step = name === "min_duration_s" ? "0.5" : "1";
    view.listen(input, "change", () => {
      const value = Number(input.value);
      if (input.value === "" || !Number.isFinite(value)) {
        input.value = String(view.get(name));
        return;
      }
      view.save({ [name]: name === "min_duration_s" ? value : Math.round(value) });
    });
    box.append(labelled(`${view.uid}-${name}`, text, input));
    return input;
  };
  const inputs: [Option, HTMLInputElement][] = [
    ["warmup", number("warmup", "Warm-up calls")],
    ["min_iterations", number("min_iterations", "Min. measured calls")],
    ["min_duration_s", number("min_duration_s", "Min. seconds measured")],
  ];
  const batches = element("input", "hw-batches");
  batches.type = "text";
  batches.inputMode = "numeric";
  view.listen(batches, "change", () => {
    const sizes = parseBatchSizes(batches.value);
    if (sizes === undefined) {
      hint.textContent = "Batch sizes: whole numbers of at least 1, e.g. 1, 8, 32.";
      batches.value = view.get("batch_sizes").join(", ");
      return;
    }
    hint.textContent = "";
    view.save({ batch_sizes: sizes });
  });
  batches.setAttribute("aria-describedby", hint.id);
  box.append(labelled(`${view.uid}-batches`, "Batch sizes", batches), hint);
  const draw = (): void => {
    for (const [name, input] of inputs) input.value = String(view.get(name));
    batches.value = view.get("batch_sizes").join(", ");
  };
  view.on(["warmup", "min_iterations", "min_duration_s", "batch_sizes"], draw);
  draw();
  return box;
}

export default defineWidget<BenchmarkState>("benchmark", (view) => {
  const models = modelsBox(view);
  const task = element("select", "hw-task");
  view.listen(task, "change", () => view.save({ task: task.value }));
  const drawTasks = (): void => {
    task.replaceChildren(
      option("", "Choose a task…"),
      ...(view.get("_tasks") ?? []).map((name) => option(name, name)),
    );
    task.value = view.get("task");
  };
  view.on(["_tasks", "task"], drawTasks);
  drawTasks();

  const setup = element("div", "hw-setup");
  setup.append(labelled(`${view.uid}-task`, "Task", task), inputsBox(view), optionsBox(view));

  const controls = new RunControls(view);
  const status = element("div", "hw-status");
  status.setAttribute("role", "status");
  const budget = element("div", "hw-budget");
  budget.setAttribute("aria-label", "Budget");
  const results = element("div", "hw-results");
  const charts = element("div", "hw-charts");
  view.root.append(models, setup, controls.element, status, budget, results, charts);

  const drawStatus = (): void => {
    status.textContent = view.get("status");
    status.classList.toggle("hw-error", view.get("error") !== "");
  };
  const drawBudget = (): void => {
    budget.textContent = view.get("budget") ?? "";
    budget.hidden = !budget.textContent;
  };
  const drawResults = (): void => {
    const rows = decodeRows(view.get("_summary"));
    results.replaceChildren(
      ...(rows.length ? [resultsTable(rows, view.get("_quality") ?? {})] : []),
    );
  };
  const drawCharts = (): void => {
    charts.replaceChildren(...chartFigures(view.get("_charts") ?? {}, CHART_TITLES));
  };
  view.on(["status", "error"], drawStatus);
  view.on("budget", drawBudget);
  view.on(["_summary", "_quality"], drawResults);
  view.on("_charts", drawCharts);
  drawStatus();
  drawBudget();
  drawResults();
  drawCharts();
});
