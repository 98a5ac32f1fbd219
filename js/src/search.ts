/**
 * Front-end of hubwidgets.SearchWidget: a search box, facet filters, a virtually scrolled grid
 * of the matching models, and the focused model's details.
 *
 * What the view draws first is state: the first rows of the results (`_first_rows`, Arrow IPC),
 * `total`, `status` and `revision` arrive in one update, the facet counts in the next. So a view
 * drawn from saved state (no kernel) shows them, and a search's answer draws in one go. Only rows
 * beyond the first ones are asked for (`rows` requests, a window at a time); `revision` changes
 * whenever the result set does, and a window of another revision is dropped. A shift-click asks
 * the kernel to select a range (`select`: it knows rows the page never fetched); the detail pane
 * asks for the focused model (`detail`). See hubwidgets/widgets/search.py for the protocol.
 *
 * The parts are components of their own: lib/toolbar.ts, lib/facets.ts, lib/grid.ts and
 * lib/detail.ts; this module puts them together and keeps the results in step with the state.
 */
import { type Cell, decodeRows, type Row } from "./lib/arrow";
import { DetailPane, type DetailReply } from "./lib/detail";
import { button, element } from "./lib/dom";
import { FACETS, FacetsPane, type FacetsState } from "./lib/facets";
import { compactNumber, formatParams, fullNumber, isoDate } from "./lib/format";
import { type GridColumn, VirtualGrid } from "./lib/grid";
import { Toolbar, type ToolbarState } from "./lib/toolbar";
import { defineWidget, type View } from "./lib/view";

/** The synced traits of SearchWidget (see hubwidgets/widgets/search.py for their meaning). */
interface SearchState extends ToolbarState, FacetsState {
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
const COLUMNS: readonly GridColumn[] = [
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

export default defineWidget<SearchState>("search", (view) => {
  const { client, root } = view;
  const toolbar = new Toolbar(view);
  const facets = new FacetsPane(view);

  const grid = new VirtualGrid(
    COLUMNS,
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

  const detail = new DetailPane({
    request: (model) => client.request<DetailReply & Record<string, unknown>>("detail", { model }),
    closed: () => grid.element.focus({ preventScroll: true }),
  });
  view.cleanup(() => detail.destroy());
  view.listen<KeyboardEvent>(grid.element, "keydown", (event) => {
    if (event.key !== "Escape" || !detail.open) return;
    detail.close();
    event.preventDefault();
    event.stopPropagation(); // JupyterLab would take it as "leave edit mode"
  });
  // a click on the focused row brings a closed pane back (focus did not move: no change event)
  view.listen<MouseEvent>(grid.element, "click", (event) => {
    const onRow = event.target instanceof Element && event.target.closest(".hw-grid-canvas");
    if (onRow && !detail.open) detail.show(view.get("focused_id"));
  });

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

  // below everything, full width: a notebook cell is too narrow for a side panel
  root.append(toolbar.element, body, status, detail.element);

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
  view.on("focused_id", () => detail.show(view.get("focused_id")));

  showSelection();
  showStatus();
  showResults();
  detail.show(view.get("focused_id"));
});

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
