/**
 * Front-end of hubwidgets.CompareWidget: a matrix of metrics (rows) x models (columns), the best
 * value of each row marked, badges per model, a way to add and remove models, and two charts.
 *
 * Everything shown comes from traits the kernel writes: `_matrix` (Arrow IPC bytes, one row per
 * metric and model with its value already formatted: metric, label, unit, model, text, source,
 * best), `_badges` ({id: [badge]}), `_charts` ({name: svg}) and `status`. The page writes one
 * trait, `models`: adding or removing a model sends the new list, and the kernel either applies
 * it or refuses it (an unknown id) and says why in `status`.
 */
import type { AnyModel, RenderProps } from "@anywidget/types";
import { modelAdder } from "./lib/adder";
import { decodeRows, type Row } from "./lib/arrow";
import { chartFigures, element } from "./lib/dom";

/** The synced traits of CompareWidget (see hubwidgets/widgets/compare.py). */
interface CompareState {
  models: string[];
  context_length: number;
  batch_size: number;
  status: string;
  error: string;
  _matrix: DataView | ArrayBuffer | null;
  _badges: Record<string, string[]>;
  _charts: Record<string, string>;
  _max_models: number;
}

type Model = AnyModel<CompareState>;

const CHART_TITLES: Record<string, string> = {
  memory: "Memory by dtype",
  popularity: "Parameters vs popularity",
};

let widgetCount = 0;

/** The Hub page of a model. */
function hubUrl(id: string): string {
  return `https://huggingface.co/${id.split("/").map(encodeURIComponent).join("/")}`;
}

function matrixRows(model: Model): Row[] {
  const bytes = model.get("_matrix");
  if (!bytes || bytes.byteLength === 0) return [];
  return decodeRows(bytes);
}

function render({ model, el }: RenderProps<CompareState>): () => void {
  const uid = `hw-compare-${++widgetCount}`;
  const cleanups: (() => void)[] = [];
  const on = (event: `change:${keyof CompareState & string}`, callback: () => void): void => {
    model.on(event, callback);
    cleanups.push(() => model.off(event, callback));
  };
  const saveModels = (ids: string[]): void => {
    model.set("models", ids);
    model.save_changes();
  };

  const root = element("div", "hubwidgets-compare");
  el.replaceChildren(root);

  // -- add a model -------------------------------------------------------------------------------
  // the text stays until the kernel accepts the id (an unknown id is refused in the status)
  const {
    root: toolbar,
    input,
    add,
    hint,
  } = modelAdder({
    uid,
    placeholder: "org/model, e.g. Qwen/Qwen3-0.6B",
    label: "Add model by id",
    button: "Add model",
    current: () => model.get("models"),
    duplicate: (id) => `${id} is already compared.`,
    limit: () => model.get("_max_models"),
    clearOnAdd: false,
    onAdd: (models) => saveModels(models),
  });

  // -- status, matrix, charts ------------------------------------------------------------------
  const status = element("div", "hw-status");
  status.setAttribute("role", "status");
  const scroller = element("div", "hw-matrix-scroll");
  const charts = element("div", "hw-charts");
  root.append(status, toolbar, scroller, charts);

  const drawStatus = (): void => {
    status.textContent = model.get("status");
    status.classList.toggle("hw-error", model.get("error") !== "");
  };

  const drawMatrix = (): void => {
    const ids = model.get("models");
    const rows = matrixRows(model);
    const full = ids.length >= model.get("_max_models");
    input.disabled = full;
    add.disabled = full;
    if (full) hint.textContent = `${ids.length} models: remove one to add another.`;
    if (rows.length === 0) {
      scroller.replaceChildren();
      return;
    }
    const columns = [...new Set(rows.map((row) => String(row.model)))];
    scroller.replaceChildren(table(columns, rows, model.get("_badges"), uid, saveModels, model));
  };

  const drawCharts = (): void => {
    const svgs = model.get("_charts") ?? {};
    charts.replaceChildren(...chartFigures(svgs, CHART_TITLES));
  };

  on("change:status", drawStatus);
  on("change:error", drawStatus);
  on("change:_matrix", () => {
    // a new matrix: the kernel accepted the models, the typed id among them. (A local set of
    // `models` is not enough: the kernel may still refuse the id, and the text must stay then.)
    if (model.get("models").includes(input.value.trim())) input.value = "";
    drawMatrix();
  });
  on("change:_badges", drawMatrix);
  on("change:models", drawMatrix);
  on("change:_charts", drawCharts);
  drawStatus();
  drawMatrix();
  drawCharts();
  model.send({ type: "view" });
  return () => {
    for (const cleanup of cleanups) cleanup();
  };
}

/** The matrix: one row per metric, one column per model (in the order of `ids`). */
function table(
  ids: string[],
  rows: Row[],
  badges: Record<string, string[]>,
  uid: string,
  saveModels: (ids: string[]) => void,
  model: Model,
): HTMLTableElement {
  const grid = element("table", "hw-matrix");
  const caption = element("caption", "hw-visually-hidden");
  caption.textContent = "Model comparison: one column per model; the best value of a row is marked";
  grid.append(caption);

  const head = element("thead", "");
  const headRow = element("tr", "");
  const corner = element("th", "hw-corner");
  corner.scope = "col";
  corner.textContent = "Metric";
  headRow.append(corner);
  for (const id of ids) {
    const th = element("th", "hw-model");
    th.scope = "col";
    th.dataset.model = id;
    const link = element("a", "hw-model-link");
    link.href = hubUrl(id);
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.textContent = id;
    const remove = element("button", "hw-remove");
    remove.type = "button";
    remove.textContent = "×";
    remove.setAttribute("aria-label", `Remove ${id}`);
    remove.title = `Remove ${id}`;
    remove.addEventListener("click", () => {
      saveModels(model.get("models").filter((other) => other !== id));
    });
    const top = element("div", "hw-model-top");
    top.append(link, remove);
    th.append(top);
    const earned = badges[id] ?? [];
    if (earned.length > 0) {
      const list = element("ul", "hw-badges");
      list.setAttribute("aria-label", `${id} is best for`);
      for (const badge of earned) {
        const item = element("li", "hw-badge");
        item.textContent = badge;
        list.append(item);
      }
      th.append(list);
    }
    headRow.append(th);
  }
  head.append(headRow);
  grid.append(head);

  const body = element("tbody", "");
  const byMetric = new Map<string, Map<string, Row>>();
  for (const row of rows) {
    const metric = String(row.metric);
    if (!byMetric.has(metric)) byMetric.set(metric, new Map());
    byMetric.get(metric)?.set(String(row.model), row);
  }
  let n = 0;
  for (const [metric, cells] of byMetric) {
    const first = cells.values().next().value as Row;
    const tr = element("tr", metric === "warning" ? "hw-warning" : "");
    tr.dataset.metric = metric;
    const th = element("th", "hw-metric");
    th.scope = "row";
    const label = element("span", "hw-metric-label");
    label.textContent = String(first.label ?? metric);
    th.append(label);
    if (first.unit) {
      const unit = element("span", "hw-unit");
      unit.textContent = String(first.unit);
      th.append(unit);
    }
    tr.append(th);
    for (const id of ids) {
      const row = cells.get(id);
      const td = element("td", "hw-cell");
      const text = row?.text ? String(row.text) : "";
      const value = element("span", "hw-value");
      value.textContent = text || "—";
      if (!text) value.classList.add("hw-unknown");
      td.append(value);
      const source = row?.source ? String(row.source) : "";
      if (source) {
        // the source, for the mouse (title) and for screen readers (aria-describedby)
        const note = element("span", "hw-visually-hidden");
        note.id = `${uid}-src-${n++}`;
        note.textContent = `Source: ${source}`;
        td.title = source;
        td.setAttribute("aria-describedby", note.id);
        td.append(note);
      }
      if (row?.best === true) {
        td.classList.add("hw-best");
        const best = element("span", "hw-visually-hidden");
        best.textContent = " (best)";
        value.after(best);
      }
      tr.append(td);
    }
    body.append(tr);
  }
  grid.append(body);
  return grid;
}

export default { render };
