/**
 * A benchmark's results table: one row per model x batch size, numbers right-aligned, the best
 * median latency and the best quality marked (with words, not only a colour), a failed row
 * with its error, and whether its latencies are reliable (the reason as the cell's title). The rows are `results_table` of hubwidgets/core/inference/results.py, decoded
 * from the widget's `_summary` (Arrow IPC).
 */
import type { Cell, Row } from "./arrow";
import { element } from "./dom";

/** The quality column's name and direction (`quality_info` in the kernel), or {}. */
export interface Quality {
  metric?: string;
  label?: string;
  lower_is_better?: boolean;
}

/** The numeric columns of the table: column, header, fraction digits. */
const NUMBERS: readonly (readonly [string, string, number])[] = [
  ["p50_ms", "p50 (ms)", 1],
  ["p90_ms", "p90 (ms)", 1],
  ["p99_ms", "p99 (ms)", 1],
  ["items_per_s", "items/s", 1],
  ["tokens_per_s", "tokens/s", 1],
  ["peak_rss_mb", "Peak RSS (MB)", 0],
];

/** A number with `digits` fraction digits and thousands separators; missing -> "—". */
export function formatNumber(value: Cell | undefined, digits: number): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "—";
  return value.toLocaleString("en", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** The results table (a quality column only when some row has a quality). */
export function resultsTable(rows: readonly Row[], quality: Quality): HTMLTableElement {
  const grid = element("table", "hw-results-table");
  grid.setAttribute("role", "table");
  const caption = element("caption", "hw-visually-hidden");
  caption.textContent =
    "Benchmark results: one row per model and batch size; the best median latency and the best quality are marked";
  const hasQuality = rows.some((row) => typeof row.quality === "number");
  const direction = quality.lower_is_better ? "lower" : "higher";
  const heads: [string, boolean][] = [
    ["Model", false],
    ["Batch", true],
    ["Status", false],
    ["Reliable", false],
    ...NUMBERS.map(([, title]): [string, boolean] => [title, true]),
    ...(hasQuality
      ? [[`${quality.label ?? "Quality"} (${direction} is better)`, true] as [string, boolean]]
      : []),
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
  const body = element("tbody", "");
  body.append(...rows.map((row) => resultRow(row, hasQuality)));
  grid.append(caption, head, body);
  return grid;
}

function resultRow(row: Row, hasQuality: boolean): HTMLTableRowElement {
  const state = String(row.status ?? "");
  const tr = element("tr", `hw-row hw-status-${state || "unknown"}`);
  tr.dataset.model = String(row.model ?? "");
  tr.dataset.batch = String(row.batch_size ?? "");
  const name = element("th", "hw-model-cell");
  name.scope = "row";
  name.textContent = String(row.model ?? "");
  const batch = element("td", "hw-num");
  batch.textContent = formatNumber(row.batch_size, 0);
  const status = element("td", "hw-status-cell");
  status.textContent = state;
  if (row.error) {
    const why = element("span", "hw-row-error");
    why.textContent = String(row.error);
    status.append(document.createTextNode(" "), why);
  }
  tr.append(name, batch, status, reliableCell(row));
  for (const [column, , digits] of NUMBERS) {
    const td = numberCell(column, formatNumber(row[column], digits));
    if (column === "p50_ms" && row.best_p50 === true) markBest(td, "fastest");
    tr.append(td);
  }
  if (hasQuality) {
    let text = formatNumber(row.quality, 3);
    if (typeof row.quality_lo === "number" && typeof row.quality_hi === "number") {
      text += ` (${formatNumber(row.quality_lo, 3)}–${formatNumber(row.quality_hi, 3)})`;
    }
    const td = numberCell("quality", text);
    if (row.best_quality === true) markBest(td, "best quality");
    tr.append(td);
  }
  return tr;
}

/** "yes", "no" (the spread note as its title and in words for screen readers) or "—". */
function reliableCell(row: Row): HTMLTableCellElement {
  const td = element("td", "hw-reliable");
  const note = String(row.spread_note ?? "");
  if (row.reliable === true) td.textContent = "yes";
  else if (row.reliable === false) {
    td.textContent = "no";
    td.classList.add("hw-unreliable");
  } else td.textContent = "—";
  if (note) {
    td.title = note;
    const words = element("span", "hw-visually-hidden");
    words.textContent = ` (${note})`;
    td.append(words);
  }
  return td;
}

function numberCell(column: string, text: string): HTMLTableCellElement {
  const td = element("td", "hw-num");
  td.dataset.column = column;
  td.textContent = text;
  return td;
}

/** Bold with a star (CSS), and the words for screen readers. */
function markBest(td: HTMLTableCellElement, what: string): void {
  td.classList.add("hw-best");
  const note = element("span", "hw-visually-hidden");
  note.textContent = ` (${what})`;
  td.append(note);
}
