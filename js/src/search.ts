/**
 * Front-end of hubwidgets.SearchWidget: a search box, facet filters, and a virtually scrolled
 * grid of the matching models.
 *
 * State lives in the model's traits (filters, selection, totals, facet counts). Rows never do:
 * the grid asks the kernel for the rows it is about to show with a custom message
 * `{type: "rows", id, start, stop}` and the kernel answers `{type: "rows", id, start, stop,
 * total, revision}` with the rows as one Arrow IPC buffer. `revision` changes whenever the
 * result set does, which tells the grid to drop the rows it holds.
 *
 * Below the results, a detail pane shows the focused model (`focused_id`): it asks with
 * `{type: "detail", id, model}` and the kernel answers with the model's record and its card as
 * sanitized HTML (see lib/detail.ts).
 */
import type { AnyModel, RenderProps } from "@anywidget/types";
import { type Cell, decodeRows, type Row } from "./lib/arrow";
import { debounce } from "./lib/debounce";
import { DetailPane, isDetailReply } from "./lib/detail";
import { element } from "./lib/dom";
import { compactNumber, formatParams, fullNumber, isoDate, parseParams } from "./lib/format";
import { type GridColumn, VirtualGrid } from "./lib/grid";

type FacetName = "task" | "library" | "language" | "license" | "author";
type FacetCounts = Partial<Record<FacetName, [string, number][]>>;

/** The synced traits of SearchWidget (see hubwidgets/widgets/search.py for their meaning). */
interface SearchState {
  query: string;
  task: string[];
  library: string[];
  language: string[];
  license: string[];
  author: string[];
  min_params: number | null;
  max_params: number | null;
  gated: boolean | null;
  sort: string;
  total: number;
  status: string;
  error: string;
  facets: FacetCounts;
  revision: number;
  selected_ids: string[];
  focused_id: string;
  _sort_keys: string[];
  /** The Hub's modality name of each task in the task facet, e.g. "Computer Vision". */
  _task_modality: Record<string, string>;
}

type Model = AnyModel<SearchState>;

interface RowsReply {
  type: "rows";
  /** null: rows the kernel sent unasked (the first rows of a new result set) */
  id: number | null;
  start: number;
  stop: number;
  total: number;
  revision: number;
  error?: string;
}

const FACETS: readonly [FacetName, string][] = [
  ["task", "Task"],
  ["library", "Library"],
  ["language", "Language"],
  ["license", "License"],
  ["author", "Author"],
];

/** Facet values shown before "Show more". */
const FACET_PREVIEW = 6;

const SORT_LABELS: Record<string, string> = {
  downloads: "Most downloads",
  likes: "Most likes",
  trending: "Trending",
  created: "Recently created",
  modified: "Recently updated",
  params: "Most parameters",
};

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

let widgetCount = 0;

function render({ model, el }: RenderProps<SearchState>): () => void {
  const uid = `hw-search-${++widgetCount}`;
  const cleanups: (() => void)[] = [];
  const on = (event: string, callback: () => void): void => {
    model.on(event, callback);
    cleanups.push(() => model.off(event as `change:${keyof SearchState & string}`, callback));
  };
  const save = (changes: Partial<SearchState>): void => {
    for (const [key, value] of Object.entries(changes)) {
      model.set(key as keyof SearchState, value as never);
    }
    model.save_changes();
  };

  const root = element("div", "hubwidgets-search");
  el.replaceChildren(root);

  // -- toolbar: query, sort, access, parameter range -------------------------------------------
  const toolbar = element("div", "hw-toolbar");
  const search = element("input", "hw-query");
  search.type = "search";
  search.placeholder = "Search models, e.g. llama 8b";
  search.setAttribute("aria-label", "Search models");
  search.autocomplete = "off";
  search.spellcheck = false;
  const sendQuery = debounce((value: string) => save({ query: value }), 150);
  search.addEventListener("input", () => sendQuery(search.value));
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") sendQuery.flush();
  });
  cleanups.push(() => sendQuery.cancel());

  const sort = element("select", "hw-select");
  sort.setAttribute("aria-label", "Sort by");
  sort.addEventListener("change", () => save({ sort: sort.value }));

  const gated = element("select", "hw-select");
  gated.setAttribute("aria-label", "Access");
  for (const [value, label] of [
    ["any", "Any access"],
    ["open", "Open only"],
    ["gated", "Gated only"],
  ]) {
    gated.append(option(value ?? "", label ?? ""));
  }
  gated.addEventListener("change", () => {
    save({ gated: gated.value === "any" ? null : gated.value === "gated" });
  });

  const params = element("div", "hw-params");
  const paramsLabel = element("span", "hw-params-label");
  paramsLabel.textContent = "Params";
  paramsLabel.id = `${uid}-params`;
  const minParams = paramsInput("Minimum parameters", "min, e.g. 1B");
  const maxParams = paramsInput("Maximum parameters", "max, e.g. 8B");
  const dash = element("span", "hw-muted");
  dash.textContent = "–";
  dash.setAttribute("aria-hidden", "true");
  params.append(paramsLabel, minParams, dash, maxParams);
  params.setAttribute("role", "group");
  params.setAttribute("aria-labelledby", paramsLabel.id);

  for (const [input, trait] of [
    [minParams, "min_params"],
    [maxParams, "max_params"],
  ] as const) {
    input.addEventListener("change", () => {
      const value = parseParams(input.value);
      if (value === undefined) {
        input.setAttribute("aria-invalid", "true");
        input.title = "A parameter count such as 7000000000, 7B, 300M or 1.5b";
        return;
      }
      input.removeAttribute("aria-invalid");
      input.removeAttribute("title");
      save({ [trait]: value });
    });
    // Enter commits the value at once, as in the search box (a text input's change event
    // otherwise waits for the focus to leave)
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") input.dispatchEvent(new Event("change"));
    });
  }
  toolbar.append(search, sort, gated, params);

  // -- body: facets | results ------------------------------------------------------------------
  const body = element("div", "hw-body");
  const facetsPane = element("div", "hw-facets");
  facetsPane.setAttribute("role", "group");
  facetsPane.setAttribute("aria-label", "Filters");
  const expanded = new Set<FacetName>();

  const results = element("div", "hw-results");
  const selectionBar = element("div", "hw-selection");
  const selectionText = element("span", "");
  const clearSelection = button("Clear selection", () => save({ selected_ids: [] }));
  selectionBar.append(selectionText, clearSelection);

  let requestId = 0;
  /** Rows the kernel sent for a revision not announced yet. */
  let ahead: { revision: number; start: number; rows: Row[] } | null = null;
  const grid = new VirtualGrid(
    COLUMNS,
    {
      request: (start, stop) => {
        model.send({ type: "rows", id: ++requestId, start, stop });
      },
      toggle: (id) => {
        const ids = model.get("selected_ids");
        save({
          selected_ids: ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id],
        });
      },
      selectRange: (start, stop) => {
        // the kernel knows every row, including those never fetched here
        model.send({ type: "select", start, stop, revision: model.get("revision") });
      },
      focus: (id) => save({ focused_id: id }),
    },
    { label: "Models" },
  );
  cleanups.push(() => grid.destroy());

  let detailId = 0;
  const detail = new DetailPane({
    request: (id) => {
      model.send({ type: "detail", id: ++detailId, model: id });
      return detailId;
    },
    closed: () => grid.element.focus({ preventScroll: true }),
  });
  cleanups.push(() => detail.destroy());
  const onGridKey = (event: KeyboardEvent): void => {
    if (event.key !== "Escape" || !detail.open) return;
    detail.close();
    event.preventDefault();
    event.stopPropagation(); // JupyterLab would take it as "leave edit mode"
  };
  // a click on the focused row brings a closed pane back (focus did not move: no change event)
  const onGridClick = (event: MouseEvent): void => {
    const onRow = event.target instanceof Element && event.target.closest(".hw-grid-canvas");
    if (onRow && !detail.open) detail.show(model.get("focused_id"));
  };
  grid.element.addEventListener("keydown", onGridKey);
  grid.element.addEventListener("click", onGridClick);
  cleanups.push(() => {
    grid.element.removeEventListener("keydown", onGridKey);
    grid.element.removeEventListener("click", onGridClick);
  });

  const empty = element("div", "hw-empty");
  empty.hidden = true;
  const emptyText = element("p", "");
  empty.append(emptyText, button("Clear filters", clearFilters));
  results.append(selectionBar, grid.element, empty);
  body.append(facetsPane, results);

  const status = element("div", "hw-status");
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");

  // below everything, full width: a notebook cell is too narrow for a side panel
  root.append(toolbar, body, status, detail.element);

  // -- model -> view ---------------------------------------------------------------------------
  function clearFilters(): void {
    search.value = "";
    sendQuery.cancel();
    save({
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

  function showQuery(): void {
    const value = model.get("query");
    // never overwrite what is being typed (the echo of an older value would eat keystrokes)
    if (search.value !== value && !sendQuery.pending) search.value = value;
  }

  function showSort(): void {
    const keys = model.get("_sort_keys");
    if (sort.options.length !== keys.length) {
      sort.replaceChildren(...keys.map((key) => option(key, SORT_LABELS[key] ?? key)));
    }
    sort.value = model.get("sort");
  }

  function showGated(): void {
    const value = model.get("gated");
    gated.value = value === null ? "any" : value ? "gated" : "open";
  }

  function showParams(): void {
    for (const [input, trait] of [
      [minParams, "min_params"],
      [maxParams, "max_params"],
    ] as const) {
      const value = model.get(trait);
      // keep "7b" as typed when it means the value the model holds
      if (parseParams(input.value) !== value) input.value = formatParams(value);
      input.removeAttribute("aria-invalid");
    }
  }

  function showFacets(): void {
    const focused = activeFacetValue();
    const counts = model.get("facets") ?? {};
    const sections = FACETS.map(([facet, label]) =>
      facetSection(facet, label, counts[facet] ?? [], model.get(facet)),
    );
    facetsPane.replaceChildren(...sections);
    if (focused) {
      const selector = `input[data-facet="${CSS.escape(focused[0])}"][data-value="${CSS.escape(focused[1])}"]`;
      facetsPane.querySelector<HTMLInputElement>(selector)?.focus();
    }
  }

  function activeFacetValue(): [string, string] | null {
    const active = (root.getRootNode() as Document | ShadowRoot).activeElement;
    if (!(active instanceof HTMLInputElement) || !facetsPane.contains(active)) return null;
    const { facet, value } = active.dataset;
    return facet !== undefined && value !== undefined ? [facet, value] : null;
  }

  function facetSection(
    facet: FacetName,
    label: string,
    counts: [string, number][],
    chosen: string[],
  ): HTMLFieldSetElement {
    const fieldset = element("fieldset", "hw-facet");
    const legend = element("legend", "");
    legend.textContent = label;
    fieldset.append(legend);
    // a chosen value stays listed even when it counts nothing under the other filters
    const known = new Set(counts.map(([value]) => value));
    const entries: [string, number | null][] = [
      ...chosen.filter((value) => !known.has(value)).map((v): [string, null] => [v, null]),
      ...counts,
    ];
    if (entries.length === 0) {
      const none = element("p", "hw-muted hw-facet-none");
      none.textContent = "none";
      fieldset.append(none);
      return fieldset;
    }
    const open = expanded.has(facet);
    const shown = entries.filter(
      ([value], i) => open || i < FACET_PREVIEW || chosen.includes(value),
    );
    const modality = model.get("_task_modality") ?? {};
    if (facet === "task" && Object.keys(modality).length > 0) {
      fieldset.append(...taskGroups(entries, shown, chosen, modality));
    } else {
      fieldset.append(facetList(facet, shown, chosen));
    }
    if (entries.length > FACET_PREVIEW) {
      const more = button(open ? "Show fewer" : `Show all ${entries.length}`, () => {
        if (expanded.has(facet)) expanded.delete(facet);
        else expanded.add(facet);
        showFacets();
      });
      more.classList.add("hw-link");
      more.setAttribute("aria-expanded", String(open));
      fieldset.append(more);
    }
    return fieldset;
  }

  function facetList(
    facet: FacetName,
    entries: readonly [string, number | null][],
    chosen: string[],
  ): HTMLUListElement {
    const list = element("ul", "hw-facet-list");
    for (const [value, count] of entries) {
      const item = element("li", "");
      const labelEl = element("label", "hw-facet-value");
      const box = element("input", "");
      box.type = "checkbox";
      box.checked = chosen.includes(value);
      box.dataset.facet = facet;
      box.dataset.value = value;
      box.addEventListener("change", () => {
        const now = model.get(facet);
        save({ [facet]: box.checked ? [...now, value] : now.filter((v) => v !== value) });
      });
      const name = element("span", "hw-facet-name");
      name.textContent = value;
      name.title = value;
      const number = element("span", "hw-count");
      number.textContent = count === null ? "" : compactNumber(count);
      if (count !== null) number.title = `${fullNumber(count)} models`;
      labelEl.append(box, name, number);
      item.append(labelEl);
      list.append(item);
    }
    return list;
  }

  /**
   * Tasks under their modality (the kernel's `_task_modality`), the modality with the most
   * models first. Counts of a group add up all its tasks, shown or not; a group none of whose
   * tasks is shown (the list is collapsed) is left out.
   */
  function taskGroups(
    entries: readonly [string, number | null][],
    shown: readonly [string, number | null][],
    chosen: string[],
    modality: Record<string, string>,
  ): HTMLElement[] {
    const groupOf = (task: string): string => modality[task] ?? "Other";
    const totals = new Map<string, number>();
    for (const [value, count] of entries) {
      const group = groupOf(value);
      totals.set(group, (totals.get(group) ?? 0) + (count ?? 0));
    }
    const order = [...totals.keys()].sort((a, b) => (totals.get(b) ?? 0) - (totals.get(a) ?? 0));
    const out: HTMLElement[] = [];
    for (const group of order) {
      const members = shown.filter(([value]) => groupOf(value) === group);
      if (members.length === 0) continue;
      const total = totals.get(group) ?? 0;
      const section = element("div", "hw-facet-group");
      section.setAttribute("role", "group");
      section.setAttribute("aria-label", group);
      const heading = element("div", "hw-facet-group-name");
      heading.setAttribute("aria-hidden", "true"); // the group's label says it
      const name = element("span", "hw-facet-name");
      name.textContent = group;
      name.title = group;
      const number = element("span", "hw-count");
      number.textContent = compactNumber(total);
      number.title = `${fullNumber(total)} models in the tasks listed`;
      heading.append(name, number);
      section.append(heading, facetList("task", members, chosen));
      out.push(section);
    }
    return out;
  }

  function showSelection(): void {
    const ids = model.get("selected_ids");
    grid.setSelected(new Set(ids));
    selectionText.textContent =
      ids.length === 0 ? "Click rows to select models" : `${ids.length} selected`;
    clearSelection.hidden = ids.length === 0;
  }

  function showStatus(): void {
    status.textContent = model.get("status");
    status.classList.toggle("hw-error", model.get("error") !== "");
  }

  function showResults(): void {
    const total = model.get("total");
    const none = total === 0 && model.get("error") === "";
    empty.hidden = !none;
    grid.element.hidden = none;
    if (none) emptyText.textContent = noMatchText(model);
    // the kernel sends the first rows ahead of the revision: show them without asking
    const early = ahead?.revision === model.get("revision") ? ahead : null;
    ahead = null;
    grid.reset(total, early ?? undefined);
  }

  function showDetail(): void {
    detail.show(model.get("focused_id"));
  }

  function onMessage(message: unknown, buffers: DataView[]): void {
    if (isDetailReply(message)) {
      detail.receive(message);
      return;
    }
    if (!isRowsReply(message)) return;
    const revision = model.get("revision");
    const buffer = buffers[0];
    if (message.revision > revision) {
      // rows of the result set the kernel is about to announce (custom messages may overtake
      // the state update that carries the revision): keep them for showResults
      if (message.error === undefined && buffer !== undefined) {
        ahead = { revision: message.revision, start: message.start, rows: decodeRows(buffer) };
      }
      return;
    }
    if (message.revision !== revision) return; // rows of a result set now gone
    if (message.error !== undefined || buffer === undefined) {
      if (message.id !== null) grid.fail();
      return;
    }
    grid.receive(message.start, decodeRows(buffer));
  }

  model.on("msg:custom", onMessage);
  cleanups.push(() => model.off("msg:custom", onMessage));
  on("change:query", showQuery);
  on("change:sort", showSort);
  on("change:_sort_keys", showSort);
  on("change:gated", showGated);
  on("change:min_params", showParams);
  on("change:max_params", showParams);
  on("change:facets", showFacets);
  on("change:_task_modality", showFacets);
  on("change:focused_id", showDetail);
  for (const [facet] of FACETS) on(`change:${facet}`, showFacets);
  on("change:selected_ids", showSelection);
  on("change:status", showStatus);
  on("change:error", showStatus);
  on("change:revision", showResults);

  showQuery();
  showSort();
  showGated();
  showParams();
  showFacets();
  showSelection();
  showStatus();
  showResults();
  showDetail();
  // tells the kernel a live page draws this widget (it then leaves the display alone)
  model.send({ type: "view" });

  return () => {
    for (const cleanup of cleanups) cleanup();
  };
}

/** "No models match “llama” with task text-generation, params ≥ 7B." */
function noMatchText(model: Model): string {
  const parts: string[] = [];
  for (const [facet, label] of FACETS) {
    const values = model.get(facet);
    if (values.length > 0) parts.push(`${label.toLowerCase()} ${values.join(" or ")}`);
  }
  const lo = model.get("min_params");
  const hi = model.get("max_params");
  if (lo !== null) parts.push(`params ≥ ${formatParams(lo)}`);
  if (hi !== null) parts.push(`params ≤ ${formatParams(hi)}`);
  const gated = model.get("gated");
  if (gated !== null) parts.push(gated ? "gated" : "open access");
  const query = model.get("query").trim();
  const what = query ? ` “${query}”` : "";
  const filters = parts.length > 0 ? ` with ${parts.join(", ")}` : "";
  return `No models match${what}${filters}.`;
}

function isRowsReply(message: unknown): message is RowsReply {
  if (typeof message !== "object" || message === null) return false;
  const m = message as Partial<RowsReply>;
  return m.type === "rows" && typeof m.start === "number" && typeof m.revision === "number";
}

function option(value: string, label: string): HTMLOptionElement {
  const el = element("option", "");
  el.value = value;
  el.textContent = label;
  return el;
}

function button(label: string, onClick: () => void): HTMLButtonElement {
  const el = element("button", "hw-button");
  el.type = "button";
  el.textContent = label;
  el.addEventListener("click", onClick);
  return el;
}

function paramsInput(label: string, placeholder: string): HTMLInputElement {
  const input = element("input", "hw-param");
  input.type = "text";
  input.inputMode = "decimal";
  input.placeholder = placeholder;
  input.setAttribute("aria-label", label);
  input.size = 8;
  return input;
}

export default { render };
