/**
 * A virtually scrolled, selectable grid of rows fetched on demand.
 *
 * The grid never holds the result set: it knows how many rows exist, starts from the rows it is
 * given (`reset`), asks for the others it is about to show (`rows`, one request at a time), and
 * keeps those it received in a bounded cache. Only the visible rows (plus a little) exist in the
 * DOM. Selection lives outside (the widget's `selected_ids`):
 * the grid reports clicks and keys, and is told which ids are selected.
 *
 * Accessibility: an ARIA grid (`role="grid"`, `aria-multiselectable`), rows with
 * `aria-rowindex`/`aria-selected`, and the focused row announced through
 * `aria-activedescendant` while DOM focus stays on the grid, so a row leaving the DOM on scroll
 * never drops focus.
 *
 * Drawing reads no layout: the view's height is measured once (and again when a
 * ResizeObserver says it changed) and the scroll position is the grid's own, so that showing
 * new results costs no forced layout of the whole page.
 */
import type { Cell, Row } from "./arrow";
import { element } from "./dom";
import { clamp, ScrollMap } from "./viewport";

export interface GridColumn {
  /** Key of the value in a row. */
  readonly key: string;
  readonly label: string;
  /** A CSS grid track size, e.g. "minmax(12rem, 3fr)". */
  readonly width: string;
  /** Right-align (numbers). */
  readonly numeric?: boolean;
  format(value: Cell): string;
  /** Tooltip for a cell (e.g. the exact number behind "1.2M"). */
  title?(value: Cell): string;
}

export interface GridEvents {
  /** Fetch rows [start, stop): the rows from `start` on (fewer at the end of the results), or
   * null when they cannot be had now (the next scroll asks again). */
  rows(start: number, stop: number): Promise<readonly Row[] | null>;
  /** Toggle one model's selection. */
  toggle(id: string): void;
  /** Add rows [start, stop) to the selection (shift-click, shift+arrows). */
  selectRange(start: number, stop: number): void;
  /** The row with keyboard focus changed. */
  focus(id: string): void;
}

export interface GridOptions {
  readonly label: string;
  readonly rowHeight?: number;
  /** Rows fetched beyond each edge of the view, so that scrolling a little shows rows at once. */
  readonly overscan?: number;
  /** Largest window one request asks for. */
  readonly maxRequest?: number;
  /** Rows kept in the cache; those farthest from the view go first. */
  readonly maxCached?: number;
  /** A request not answered after this long (ms) is given up and may be sent again. */
  readonly requestTimeout?: number;
}

interface Pending {
  readonly start: number;
  readonly stop: number;
  readonly at: number;
}

/** A row the kernel said does not exist (past the end of its results). */
const ABSENT: Row = Object.freeze({});

let gridCount = 0;

export class VirtualGrid {
  /** The scrolling element with `role="grid"`: put it in the page. */
  readonly element: HTMLDivElement;

  private readonly canvas: HTMLDivElement;
  private readonly header: HTMLDivElement;
  private readonly rowPool: HTMLDivElement[] = [];
  private readonly rows = new Map<number, Row>();
  private pending: Pending | null = null;
  /** Bumped by `reset`: a reply to a request of an earlier result set is dropped. */
  private generation = 0;
  /** Height of the rows' view (px); < 0: not measured yet. */
  private viewHeight = -1;
  /** The scroll position, as last set or scrolled to (read from the element only on scroll). */
  private scrollTop = 0;
  private map: ScrollMap;
  private total = 0;
  private selected: ReadonlySet<string> = new Set();
  private focusIndex = -1;
  private anchor = -1;
  private frame = 0;
  /** The focused id last reported through `events.focus`. */
  private announced: string | null = null;
  private readonly uid: string;
  private readonly rowHeight: number;
  private readonly overscan: number;
  private readonly maxRequest: number;
  private readonly maxCached: number;
  private readonly requestTimeout: number;
  private readonly resize: ResizeObserver | null;

  constructor(
    private readonly columns: readonly GridColumn[],
    private readonly events: GridEvents,
    options: GridOptions,
  ) {
    this.uid = `hw-grid-${++gridCount}`;
    this.rowHeight = options.rowHeight ?? 28;
    this.overscan = options.overscan ?? 30;
    this.maxRequest = options.maxRequest ?? 400;
    this.maxCached = options.maxCached ?? 4000;
    this.requestTimeout = options.requestTimeout ?? 10_000;

    const template = ["2rem", ...columns.map((c) => c.width)].join(" ");
    this.element = element("div", "hw-grid");
    this.element.setAttribute("role", "grid");
    this.element.setAttribute("aria-label", options.label);
    this.element.setAttribute("aria-multiselectable", "true");
    this.element.setAttribute("aria-colcount", String(columns.length + 1));
    this.element.tabIndex = 0;
    this.element.style.setProperty("--hw-columns", template);
    this.element.style.setProperty("--hw-row-height", `${this.rowHeight}px`);

    const head = element("div", "hw-grid-head");
    head.setAttribute("role", "rowgroup");
    this.header = element("div", "hw-row hw-header");
    this.header.setAttribute("role", "row");
    this.header.setAttribute("aria-rowindex", "1");
    this.header.append(cell("columnheader", "", "hw-check-cell"));
    for (const column of columns) {
      const th = cell("columnheader", column.label, column.numeric ? "hw-num" : "");
      this.header.append(th);
    }
    head.append(this.header);

    this.canvas = element("div", "hw-grid-canvas");
    this.canvas.setAttribute("role", "rowgroup");
    this.element.append(head, this.canvas);
    this.map = new ScrollMap(0, this.rowHeight, 0);

    this.element.addEventListener("scroll", this.onScroll, { passive: true });
    this.element.addEventListener("click", this.onClick);
    this.element.addEventListener("mousedown", this.onMouseDown);
    this.element.addEventListener("keydown", this.onKeyDown);
    this.element.addEventListener("focus", this.onFocus);
    this.resize =
      typeof ResizeObserver === "undefined"
        ? null
        : new ResizeObserver((entries) => {
            // hidden (no results) is no new size: keep the last one for when it shows again
            if (!entries.some((entry) => entry.contentRect.height > 0)) return;
            this.viewHeight = -1;
            this.schedule();
          });
    this.resize?.observe(this.element);
  }

  /** A new result set of `total` rows: forget every row, scroll to the top. `first`: its first
   * rows, shown at once (the grid asks only for rows beyond them). */
  reset(total: number, first: readonly Row[] = []): void {
    this.total = Math.max(0, Math.floor(total));
    this.rows.clear();
    first.forEach((row, i) => {
      if (i < this.total) this.rows.set(i, row);
    });
    this.pending = null;
    this.generation++;
    this.focusIndex = this.total > 0 && this.focusIndex >= 0 ? 0 : -1;
    this.anchor = -1;
    this.announced = null;
    this.element.setAttribute("aria-rowcount", String(this.total + 1));
    if (this.scrollTop !== 0) this.element.scrollTop = 0; // (a write that lays the page out)
    this.scrollTop = 0;
    this.update();
  }

  setSelected(ids: ReadonlySet<string>): void {
    this.selected = ids;
    this.render();
  }

  /** The row at `index`, when it has arrived. */
  rowAt(index: number): Row | undefined {
    return this.rows.get(index);
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.generation++; // replies still on their way are dropped
    this.resize?.disconnect();
    this.element.removeEventListener("scroll", this.onScroll);
    this.element.removeEventListener("click", this.onClick);
    this.element.removeEventListener("mousedown", this.onMouseDown);
    this.element.removeEventListener("keydown", this.onKeyDown);
    this.element.removeEventListener("focus", this.onFocus);
  }

  // -- rendering -------------------------------------------------------------------------------

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.update();
    });
  }

  private update(): void {
    this.map = new ScrollMap(this.total, this.rowHeight, this.measure());
    const height = `${this.map.height}px`;
    if (this.canvas.style.height !== height) this.canvas.style.height = height;
    this.render();
    this.fetchMissing();
  }

  /** The rows' view height: measured when unknown (a forced layout, so only then). */
  private measure(): number {
    if (this.viewHeight <= 0 && !this.element.hidden) {
      this.viewHeight = Math.max(0, this.element.clientHeight - this.header.offsetHeight);
      this.scrollTop = this.element.scrollTop; // laid out now: reading it costs nothing more
    }
    return Math.max(0, this.viewHeight);
  }

  private render(): void {
    const scrollTop = this.scrollTop;
    const { first, stop } = this.map.visible(scrollTop, 2);
    const count = stop - first;
    while (this.rowPool.length < count) {
      const row = this.makeRow();
      this.rowPool.push(row);
      this.canvas.append(row);
    }
    for (let k = 0; k < this.rowPool.length; k++) {
      const el = this.rowPool[k];
      if (el === undefined) continue;
      if (k >= count) {
        el.hidden = true;
        el.removeAttribute("id");
        continue;
      }
      this.fillRow(el, first + k, scrollTop);
    }
    const active = this.focusIndex >= first && this.focusIndex < stop;
    if (active) {
      this.element.setAttribute("aria-activedescendant", this.rowId(this.focusIndex));
    } else {
      this.element.removeAttribute("aria-activedescendant");
    }
  }

  private makeRow(): HTMLDivElement {
    const el = element("div", "hw-row");
    el.setAttribute("role", "row");
    const check = cell("gridcell", "", "hw-check-cell");
    const box = element("span", "hw-check");
    box.setAttribute("aria-hidden", "true");
    check.append(box);
    el.append(check);
    for (const column of this.columns)
      el.append(cell("gridcell", "", column.numeric ? "hw-num" : ""));
    return el;
  }

  private fillRow(el: HTMLDivElement, index: number, scrollTop: number): void {
    const row = this.rows.get(index);
    const id = typeof row?.id === "string" ? row.id : null;
    el.hidden = false;
    el.id = this.rowId(index);
    el.dataset.index = String(index);
    el.style.transform = `translateY(${this.map.rowTop(index, scrollTop)}px)`;
    el.setAttribute("aria-rowindex", String(index + 2));
    el.setAttribute("aria-selected", String(id !== null && this.selected.has(id)));
    el.classList.toggle("hw-loading", row === undefined);
    el.classList.toggle("hw-focused", index === this.focusIndex);
    if (row === undefined) el.setAttribute("aria-busy", "true");
    else el.removeAttribute("aria-busy");
    const cells = el.children;
    for (let c = 0; c < this.columns.length; c++) {
      const column = this.columns[c];
      const td = cells[c + 1] as HTMLElement | undefined;
      if (column === undefined || td === undefined) continue;
      const value = row === undefined ? null : (row[column.key] ?? null);
      const text = row === undefined ? "" : column.format(value);
      if (td.textContent !== text) td.textContent = text;
      const title = row === undefined ? "" : (column.title?.(value) ?? text);
      if (title) td.title = title;
      else td.removeAttribute("title");
    }
  }

  private rowId(index: number): string {
    return `${this.uid}-row-${index}`;
  }

  // -- fetching --------------------------------------------------------------------------------

  /** Ask for the rows of the view (plus overscan) that are neither here nor on their way. */
  private fetchMissing(): void {
    if (this.pending !== null) {
      // one request at a time: a reply triggers the next update, which asks for what the view
      // needs then (scrolling fast skips the windows passed over on the way)
      if (performance.now() - this.pending.at < this.requestTimeout) return;
      this.pending = null;
    }
    const { first, stop } = this.map.visible(this.scrollTop, this.overscan);
    let lo = -1;
    let hi = -1;
    for (let i = first; i < stop; i++) {
      if (this.rows.has(i)) continue;
      if (lo < 0) lo = i;
      hi = i + 1;
    }
    if (lo < 0) return;
    // start where the view is when the window is too large (a very tall view)
    const visibleFirst = this.map.visible(this.scrollTop).first;
    if (hi - lo > this.maxRequest) {
      lo = clamp(visibleFirst - this.overscan, lo, hi);
      hi = Math.min(hi, lo + this.maxRequest);
    }
    const asked: Pending = { start: lo, stop: hi, at: performance.now() };
    const generation = this.generation;
    this.pending = asked;
    const settle = (rows: readonly Row[] | null): void => {
      if (generation !== this.generation) return; // rows of a result set no longer shown
      if (this.pending === asked) this.pending = null;
      if (rows !== null) this.receive(asked, rows);
    };
    this.events.rows(lo, hi).then(settle, () => settle(null));
  }

  /** Rows from `asked.start` on, as answered. */
  private receive(asked: Pending, rows: readonly Row[]): void {
    const { start } = asked;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (row !== undefined && start + i < this.total) this.rows.set(start + i, row);
    }
    // fewer rows than asked for (a live catalog that changed under us): show those as blank
    // rather than ask for them again and again
    const end = Math.min(asked.stop, this.total);
    for (let i = start + rows.length; i < end; i++) this.rows.set(i, ABSENT);
    this.evict();
    this.update();
    this.announceFocus();
  }

  private evict(): void {
    if (this.rows.size <= this.maxCached) return;
    const { first, stop } = this.map.visible(this.scrollTop);
    const middle = (first + stop) / 2;
    const far = [...this.rows.keys()].sort((a, b) => Math.abs(b - middle) - Math.abs(a - middle));
    for (const index of far.slice(0, this.rows.size - this.maxCached)) this.rows.delete(index);
  }

  // -- interaction -----------------------------------------------------------------------------

  private readonly onScroll = (): void => {
    this.scrollTop = this.element.scrollTop;
    // ask for the rows now rather than on the next frame: the reply takes longer than a frame
    this.fetchMissing();
    this.schedule();
  };

  private readonly onFocus = (): void => {
    if (this.focusIndex < 0 && this.total > 0) {
      this.focusIndex = this.map.visible(this.scrollTop).first;
      this.render();
      this.announceFocus();
    }
  };

  private readonly onMouseDown = (event: MouseEvent): void => {
    // shift-click selects a range: keep the browser from selecting text as well
    if (event.shiftKey && rowIndexOf(event.target) !== null) event.preventDefault();
  };

  private readonly onClick = (event: MouseEvent): void => {
    const index = rowIndexOf(event.target);
    if (index === null) return;
    if (event.shiftKey && this.anchor >= 0) {
      this.events.selectRange(Math.min(this.anchor, index), Math.max(this.anchor, index) + 1);
    } else {
      this.toggleAt(index);
    }
    this.anchor = index;
    this.moveFocus(index);
    this.element.focus({ preventScroll: true });
  };

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (this.total === 0) return;
    const current = this.focusIndex < 0 ? -1 : this.focusIndex;
    let next: number | null = null;
    switch (event.key) {
      case "ArrowDown":
        next = current + 1;
        break;
      case "ArrowUp":
        next = current < 0 ? 0 : current - 1;
        break;
      case "PageDown":
        next = current + this.map.pageRows;
        break;
      case "PageUp":
        next = current - this.map.pageRows;
        break;
      case "Home":
        next = 0;
        break;
      case "End":
        next = this.total - 1;
        break;
      case " ":
      case "Spacebar":
        if (current >= 0) {
          this.toggleAt(current);
          this.anchor = current;
        }
        event.preventDefault();
        return;
      default:
        return;
    }
    event.preventDefault();
    const target = clamp(next, 0, this.total - 1);
    if (event.shiftKey && target !== current) {
      const from = current < 0 ? target : current;
      this.events.selectRange(Math.min(from, target), Math.max(from, target) + 1);
      this.anchor = target;
    }
    this.moveFocus(target);
  };

  private toggleAt(index: number): void {
    const id = this.rows.get(index)?.id;
    if (typeof id === "string") this.events.toggle(id);
  }

  private moveFocus(index: number): void {
    this.focusIndex = index;
    const scrollTop = this.map.reveal(index, this.scrollTop);
    if (scrollTop !== this.scrollTop) {
      this.element.scrollTop = scrollTop;
      this.scrollTop = this.element.scrollTop; // as the browser clamped it
    }
    this.update();
    this.announceFocus();
  }

  /** Tell the model which row has focus, once its id is known. */
  private announceFocus(): void {
    const id = this.rows.get(this.focusIndex)?.id;
    if (typeof id === "string" && id !== this.announced) {
      this.announced = id;
      this.events.focus(id);
    }
  }
}

function cell(role: string, text: string, className: string): HTMLDivElement {
  const el = element("div", `hw-cell ${className}`.trim());
  el.setAttribute("role", role);
  el.textContent = text;
  return el;
}

function rowIndexOf(target: EventTarget | null): number | null {
  if (!(target instanceof Element)) return null;
  const row = target.closest<HTMLElement>(".hw-grid-canvas .hw-row");
  const index = row?.dataset.index;
  return index === undefined ? null : Number(index);
}
