/**
 * The search panel: the toolbar, the facet filters, the virtually scrolled grid of results, the
 * selection bar and the status line, kept in step with a SearchWidget-like model's state. The
 * SearchWidget is this panel plus a detail pane; the HubExplorer's Explorer panel is this panel.
 *
 * What it draws first is state: the first rows of the results (`_first_rows`, Arrow IPC),
 * `total`, `status` and `revision` arrive in one update, the facet counts in the next. Only rows
 * beyond the first ones are asked for (`rows` requests, a window at a time); `revision` changes
 * whenever the result set does, and a window of another revision is dropped. A shift-click asks
 * the kernel to select a range (`select`). See hubwidgets/widgets/search.py for the protocol.
 */
import { type Cell, decodeRows, type Row } from "./arrow";
import { button, element } from "./dom";
import { FACETS, FacetsPane, type FacetsState } from "./facets";
import { compactNumber, formatParams, fullNumber, isoDate } from "./format";
import { type GridColumn, VirtualGrid } from "./grid";
import { Toolbar, type ToolbarState } from "./toolbar";
import type { View } from "./view";

/** The synced traits of SearchWidget (see hubwidgets/widgets/search.py for their meaning). */
export interface SearchState extends ToolbarState, FacetsState {
  total: number;
  status: string;
  error: string;
  revision: number;
  /** The first rows of the results (Arrow IPC), set with `total` and `revision`. */
  _first_rows: DataView | null;
  selected_ids: string[];
  focused_id: string;
}

/** The kernel's answer to a rows request. */
interface RowsReply extends Record<string, unknown> {
  start: number;
  stop: number;
  total: number;
  revision: number;
  table: DataView | null;
}

const text = (value: Cell): string => (value === null ? "" : String(value));

// The figures people sort by come right after the model and its task, so that they fit in a
// notebook's default width (about 600 px); library, license and date follow, reachable by a
// sideways scroll when the cell is narrow.
export const COLUMNS: readonly GridColumn[] = [
  { key: "id", label: "Model", width: "minmax(12rem, 3fr)", format: text },
  { key: "task", label: "Task", width: "minmax(8rem, 1.5fr)", format: text },
  {
    key: "params",
    label: "Params",
    width: "4.5rem",
    numeric: true,
    format: compactNumber,
    title: fullNumber,
  },
  {
    key: "downloads",
    label: "Downloads",
    width: "5.5rem",
    numeric: true,
    format: compactNumber,
    title: fullNumber,
  },
  {
    key: "likes",
    label: "Likes",
    width: "4rem",
    numeric: true,
    format: compactNumber,
    title: fullNumber,
  },
  { key: "library", label: "Library", width: "minmax(7rem, 1fr)", format: text },
  { key: "license", label: "License", width: "minmax(6rem, 1fr)", format: text },
  { key: "last_modified", label: "Updated", width: "6.5rem", numeric: true, format: isoDate },
];

export interface SearchPanelOptions {
  /** The grid's columns (default: COLUMNS). */
  readonly columns?: readonly GridColumn[];
}

/** The parts of a search panel, for the widget that puts them on the page. */
export interface SearchPanel {
  readonly toolbar: Toolbar;
  readonly facets: FacetsPane;
  readonly grid: VirtualGrid;
  /** The facets beside the results (selection bar, grid, "no match" box). */
  readonly body: HTMLDivElement;
  /** The status line (role="status"). */
  readonly status: HTMLDivElement;
  /** Draw the state as it is: call once the parts are in the page. */
  start(): void;
}

export function searchPanel(
  view: View<SearchState>,
  options: SearchPanelOptions = {},
): SearchPanel {
  const { client } = view;
  const toolbar = new Toolbar(view);
  const facets = new FacetsPane(view);

  const grid = new VirtualGrid(
    options.columns ?? COLUMNS,
    {
      rows: async (start, stop) => {
        const asked = view.get("revision");
        const reply = await client.request<RowsReply>("rows", { start, stop });
        // rows of another result set: the reset to the current one asks again
        if (reply.revision !== asked || reply.revision !== view.get("revision")) return null;
        return decodeRows(reply.table);
      },
      toggle: (id) => {
        const ids = view.get("selected_ids");
        view.save({ selected_ids: ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id] });
      },
      selectRange: (start, stop) => {
        // the kernel knows every row, including those never fetched here; a range of results
        // no longer shown is refused, and there is nothing to do about it
        client.request("select", { start, stop, revision: view.get("revision") }).catch(() => {});
      },
      focus: (id) => view.save({ focused_id: id }),
    },
    { label: "Models" },
  );
  view.cleanup(() => grid.destroy());

  const selectionBar = element("div", "hw-selection");
  const selectionText = element("span", "");
  const clearSelection = button("Clear selection", () => view.save({ selected_ids: [] }));
  selectionBar.append(selectionText, clearSelection);

  const empty = element("div", "hw-empty");
  empty.hidden = true;
  const emptyText = element("p", "");
  empty.append(emptyText, button("Clear filters", clearFilters));

  const results = element("div", "hw-results");
  results.append(selectionBar, grid.element, empty);
  const body = element("div", "hw-body");
  body.append(facets.element, results);

  const status = element("div", "hw-status");
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");

  function clearFilters(): void {
    toolbar.clearQuery();
    view.save({
      query: "",
      task: [],
      library: [],
      language: [],
      license: [],
      author: [],
      min_params: null,
      max_params: null,
      gated: null,
    });
  }

  function showSelection(): void {
    const ids = view.get("selected_ids");
    grid.setSelected(new Set(ids));
    selectionText.textContent =
      ids.length === 0 ? "Click rows to select models" : `${ids.length} selected`;
    clearSelection.hidden = ids.length === 0;
  }

  function showStatus(): void {
    status.textContent = view.get("status");
    status.classList.toggle("hw-error", view.get("error") !== "");
  }

  // what the grid shows: redrawn once per new result set, though several traits announce it
  let shown: { revision: number; rows: DataView | null; total: number } | null = null;
  function showResults(): void {
    const now = { revision: view.get("revision"), rows: view.get("_first_rows"), total: 0 };
    now.total = view.get("total");
    if (
      shown !== null &&
      shown.revision === now.revision &&
      shown.rows === now.rows &&
      shown.total === now.total
    ) {
      return;
    }
    shown = now;
    const none = now.total === 0 && view.get("error") === "";
    empty.hidden = !none;
    grid.element.hidden = none;
    if (none) emptyText.textContent = noMatchText(view);
    grid.reset(now.total, firstRows(now.rows));
  }

  view.on(["revision", "_first_rows", "total"], showResults);
  view.on("selected_ids", showSelection);
  view.on(["status", "error"], showStatus);

  function start(): void {
    showSelection();
    showStatus();
    showResults();
  }
  return { toolbar, facets, grid, body, status, start };
}

function firstRows(table: DataView | null): Row[] {
  try {
    return decodeRows(table);
  } catch {
    return []; // not Arrow IPC: the grid asks the kernel for the rows instead
  }
}

/** "No models match “llama” with task text-generation, params ≥ 7B." */
function noMatchText(view: View<SearchState>): string {
  const parts: string[] = [];
  for (const [facet, label] of FACETS) {
    const values = view.get(facet);
    if (values.length > 0) parts.push(`${label.toLowerCase()} ${values.join(" or ")}`);
  }
  const lo = view.get("min_params");
  const hi = view.get("max_params");
  if (lo !== null) parts.push(`params ≥ ${formatParams(lo)}`);
  if (hi !== null) parts.push(`params ≤ ${formatParams(hi)}`);
  const gated = view.get("gated");
  if (gated !== null) parts.push(gated ? "gated" : "open access");
  const query = view.get("query").trim();
  const what = query ? ` “${query}”` : "";
  const filters = parts.length > 0 ? ` with ${parts.join(", ")}` : "";
  return `No models match${what}${filters}.`;
}
