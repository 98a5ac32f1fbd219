/**
 * The Playground's output grid: one cell per model of the last run, drawn from the widget's
 * state (`_last_run`, see hubwidgets/widgets/playground.py) whoever started the run, plus the
 * streamed text (`piece` events) of cells not finished yet.
 *
 * The state grows by one finished cell per update: only what is new is drawn, so a streaming
 * cell keeps its text until its final text replaces it, and a view created later (a second
 * display, a reopened notebook) draws the whole run at once.
 */
import { bytesOf } from "./arrow";
import { element } from "./dom";
import { asRecord, type Json, type Message, note, type RunInput, renderOutput } from "./outputs";

/** One finished cell (hubwidgets.core.inference.playground.cell_record). */
export interface CellRecord {
  model: string;
  backend: string;
  provider: string;
  latency_ms: number | null;
  error: string;
  fell_back_from: string;
  input: string;
  output: Json;
  conversation?: Message[];
}

/** The last run: its layout, and one slot per model, filled as the models answer. */
export interface LastRun {
  run: number;
  task: string;
  models: string[];
  stream: boolean;
  text: string;
  cells: (CellRecord | null)[];
  stopped: boolean;
}

/** A streamed piece of text (the `piece` event). */
export interface PieceEvent {
  run: number;
  index: number;
  text: string;
}

interface Slot {
  root: HTMLElement;
  body: HTMLElement;
  meta: HTMLElement;
  streamed: Text | null;
  done: boolean;
}

function isRun(value: LastRun | Record<string, never> | undefined): value is LastRun {
  return (
    typeof value?.run === "number" && Array.isArray(value.models) && Array.isArray(value.cells)
  );
}

export class RunCells {
  readonly grid: HTMLElement;
  private run = 0;
  private slots: Slot[] = [];
  private input: RunInput = { text: "", context: "", imageUrl: null };
  private urls: string[] = [];

  constructor() {
    this.grid = element("div", "hw-cells");
    this.grid.setAttribute("aria-label", "Outputs");
    this.grid.setAttribute("role", "list");
  }

  /** Draw what is new in `last` (nothing when it is another task's run). */
  show(
    last: LastRun | Record<string, never> | undefined,
    image: DataView | null,
    task: string,
  ): void {
    if (!isRun(last) || last.task !== task) {
      this.clear();
      return;
    }
    if (last.run !== this.run || this.slots.length !== last.models.length) {
      this.layout(last, image);
    }
    last.cells.forEach((cell, k) => {
      const slot = this.slots[k];
      if (!slot || slot.done) return;
      if (cell) this.fill(slot, cell, task);
      else if (last.stopped) this.skip(slot);
    });
  }

  /** Streamed text for a cell of the run shown, not finished yet. */
  piece({ run, index, text }: PieceEvent): void {
    const slot = this.slots[index];
    if (!slot || slot.done || run !== this.run) return;
    if (!slot.streamed) {
      slot.root.classList.remove("hw-pending");
      slot.root.classList.add("hw-streaming");
      slot.meta.textContent = "streaming…";
      const p = element("p", "hw-generated");
      slot.streamed = document.createTextNode("");
      p.append(slot.streamed);
      slot.body.replaceChildren(p);
    }
    slot.streamed.appendData(text);
  }

  clear(): void {
    this.run = 0;
    this.slots = [];
    this.grid.replaceChildren();
    this.revoke();
  }

  dispose(): void {
    this.revoke();
  }

  private layout(last: LastRun, image: DataView | null): void {
    this.clear();
    this.run = last.run;
    const imageUrl = image?.byteLength ? this.url(image, "") : null;
    this.input = { text: last.text, context: last.text, imageUrl };
    const columns = Math.min(Math.max(last.models.length, 1), 3);
    this.grid.style.setProperty("--hw-columns", String(columns));
    for (const id of last.models) {
      const root = element("section", "hw-cell hw-pending");
      root.setAttribute("role", "listitem");
      root.setAttribute("aria-label", id);
      root.dataset.model = id;
      const head = element("h3", "hw-cell-model");
      head.textContent = id;
      head.title = id;
      const meta = element("div", "hw-cell-meta");
      meta.textContent = "waiting…";
      const body = element("div", "hw-cell-body");
      root.append(head, meta, body);
      this.grid.append(root);
      this.slots.push({ root, body, meta, streamed: null, done: false });
    }
  }

  private fill(slot: Slot, cell: CellRecord, task: string): void {
    slot.done = true;
    slot.streamed = null;
    slot.root.classList.remove("hw-pending", "hw-streaming");
    const parts: string[] = [];
    if (cell.latency_ms !== null) parts.push(`${cell.latency_ms.toFixed(0)} ms`);
    const served = [cell.backend, cell.provider].filter(Boolean).join(" / ");
    if (served) parts.push(served);
    slot.meta.textContent = parts.join(" · ");
    slot.body.replaceChildren();
    if (cell.fell_back_from) {
      const fallback = element("p", "hw-fallback");
      fallback.textContent = `Answered by ${cell.backend || "another backend"} after: ${cell.fell_back_from}`;
      slot.body.append(fallback);
    }
    if (cell.error) {
      slot.root.classList.add("hw-failed");
      const error = element("p", "hw-error");
      error.setAttribute("role", "alert");
      error.textContent = cell.error;
      slot.body.append(error);
      return;
    }
    slot.root.classList.add("hw-done");
    const blob = (value: Json | undefined, mime: string): string | null =>
      value instanceof DataView ? this.url(value, mime) : null;
    slot.body.append(renderOutput(task, cell.output, this.input, blob, cell.conversation));
    if (asRecord(cell.output)?.stopped === true) slot.body.append(note("Stopped."));
  }

  private skip(slot: Slot): void {
    slot.done = true;
    slot.root.classList.remove("hw-pending", "hw-streaming");
    slot.meta.textContent = "not run (stopped)";
  }

  private url(bytes: DataView, mime: string): string {
    const url = URL.createObjectURL(new Blob([bytesOf(bytes).slice()], mime ? { type: mime } : {}));
    this.urls.push(url);
    return url;
  }

  private revoke(): void {
    for (const url of this.urls.splice(0)) URL.revokeObjectURL(url);
  }
}
