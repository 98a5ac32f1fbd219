/**
 * Scroll arithmetic of a virtually scrolled list with a fixed row height: which rows a scroll
 * position shows, and where each of them goes. Pure, so it is easy to reason about.
 *
 * Browsers cap how tall an element may be (Firefox at about 17.9 million px, Chrome at about 33
 * million), and a catalog of two million models at 28 px a row is 56 million px. Past
 * `maxHeight` the canvas stops growing and the scroll position is scaled: the scrollbar still
 * spans every row, and one pixel of scrollbar moves more than one pixel of rows.
 */

export const MAX_CANVAS_PX = 8_000_000;

export interface VisibleRows {
  /** First row shown (partly, perhaps). */
  readonly first: number;
  /** One past the last row shown. */
  readonly stop: number;
}

export class ScrollMap {
  /** Height of the scrolled canvas, in px (at most `maxHeight`). */
  readonly height: number;
  private readonly ratio: number;

  constructor(
    readonly total: number,
    readonly rowHeight: number,
    /** Height of the visible part of the canvas, in px. */
    readonly viewHeight: number,
    readonly maxHeight: number = MAX_CANVAS_PX,
  ) {
    const virtual = Math.max(0, total) * rowHeight;
    this.height = Math.min(virtual, maxHeight);
    const span = this.height - viewHeight;
    const virtualSpan = virtual - viewHeight;
    this.ratio = span > 0 && virtualSpan > span ? virtualSpan / span : 1;
  }

  /** Largest scroll position. */
  get maxScrollTop(): number {
    return Math.max(0, this.height - this.viewHeight);
  }

  /** Whether the scroll position is scaled (more rows than the canvas can hold at full height). */
  get scaled(): boolean {
    return this.ratio !== 1;
  }

  /** Position in the unscaled list (`index * rowHeight` units) shown at the top for `scrollTop`. */
  virtualTop(scrollTop: number): number {
    return clamp(scrollTop, 0, this.maxScrollTop) * this.ratio;
  }

  /** The scroll position that puts `virtualTop` at the top. */
  scrollTopFor(virtualTop: number): number {
    return clamp(virtualTop / this.ratio, 0, this.maxScrollTop);
  }

  /** Rows visible at `scrollTop`, widened by `overscan` rows each way (clamped to the list). */
  visible(scrollTop: number, overscan = 0): VisibleRows {
    if (this.total <= 0 || this.rowHeight <= 0) return { first: 0, stop: 0 };
    const top = this.virtualTop(scrollTop);
    const first = Math.floor(top / this.rowHeight);
    const stop = Math.ceil((top + Math.max(this.viewHeight, 0)) / this.rowHeight);
    return {
      first: clamp(first - overscan, 0, this.total),
      stop: clamp(Math.max(stop, first + 1) + overscan, 0, this.total),
    };
  }

  /** Canvas offset (px) of row `index` when the canvas is scrolled to `scrollTop`. */
  rowTop(index: number, scrollTop: number): number {
    const clamped = clamp(scrollTop, 0, this.maxScrollTop);
    return clamped + index * this.rowHeight - this.virtualTop(clamped);
  }

  /** The scroll position (from `scrollTop`, moving as little as possible) that shows row `index`. */
  reveal(index: number, scrollTop: number): number {
    const top = this.virtualTop(scrollTop);
    const rowStart = index * this.rowHeight;
    const rowEnd = rowStart + this.rowHeight;
    if (rowStart < top) return this.scrollTopFor(rowStart);
    if (rowEnd > top + this.viewHeight) {
      return this.scrollTopFor(rowEnd - this.viewHeight);
    }
    return scrollTop;
  }

  /** How many whole rows fit in the view (at least 1). */
  get pageRows(): number {
    return Math.max(1, Math.floor(this.viewHeight / this.rowHeight));
  }
}

export function clamp(value: number, lo: number, hi: number): number {
  return Math.min(Math.max(value, lo), Math.max(lo, hi));
}
