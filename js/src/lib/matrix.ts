/**
 * The comparison matrix: one row per metric, one column per model, the best value of each row
 * marked. Drawn from the rows the kernel sends (hubwidgets.core.choose.matrix.MATRIX_COLUMNS:
 * metric, label, unit, model, text, source, best; one row per metric and model, values already
 * formatted), so it needs nothing but state.
 */
import type { Row } from "./arrow";
import { button, element, externalLink, hubUrl } from "./dom";

export interface MatrixOptions {
  /** Unique prefix for element ids (each cell's source is its description). */
  uid: string;
  /** `{model id: [badge, ...]}`, shown under each model's name. */
  badges: Record<string, string[]>;
  /** Called by a model's remove button; no remove buttons without it. */
  onRemove?: (id: string) => void;
}

/** The models of the matrix, in column order (the order of the rows). */
export function matrixModels(rows: readonly Row[]): string[] {
  return [...new Set(rows.map((row) => String(row.model)))];
}

/** The matrix as a table; null when there are no rows (fewer than 2 models). */
export function matrixTable(rows: readonly Row[], options: MatrixOptions): HTMLTableElement | null {
  if (rows.length === 0) return null;
  const ids = matrixModels(rows);
  const grid = element("table", "hw-matrix");
  const caption = element("caption", "hw-visually-hidden");
  caption.textContent = "Model comparison: one column per model; the best value of a row is marked";
  grid.append(caption, head(ids, options), body(ids, rows, options.uid));
  return grid;
}

function head(ids: readonly string[], { badges, onRemove }: MatrixOptions): HTMLElement {
  const thead = element("thead", "");
  const tr = element("tr", "");
  const corner = element("th", "hw-corner");
  corner.scope = "col";
  corner.textContent = "Metric";
  tr.append(corner);
  for (const id of ids) {
    const th = element("th", "hw-model");
    th.scope = "col";
    th.dataset.model = id;
    const top = element("div", "hw-model-top");
    top.append(externalLink(id, hubUrl(id), "hw-model-link"));
    if (onRemove) {
      const remove = button("×", () => onRemove(id), "hw-remove");
      remove.setAttribute("aria-label", `Remove ${id}`);
      remove.title = `Remove ${id}`;
      top.append(remove);
    }
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
    tr.append(th);
  }
  thead.append(tr);
  return thead;
}

function body(ids: readonly string[], rows: readonly Row[], uid: string): HTMLElement {
  const tbody = element("tbody", "");
  const byMetric = new Map<string, Map<string, Row>>();
  for (const row of rows) {
    const metric = String(row.metric);
    let cells = byMetric.get(metric);
    if (!cells) {
      cells = new Map();
      byMetric.set(metric, cells);
    }
    cells.set(String(row.model), row);
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
    for (const id of ids) tr.append(cell(cells.get(id), `${uid}-src-${n++}`));
    tbody.append(tr);
  }
  return tbody;
}

function cell(row: Row | undefined, noteId: string): HTMLTableCellElement {
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
    note.id = noteId;
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
  return td;
}
