/**
 * The SearchWidget's facet filters: one group of checkboxes per facet (task, library, language,
 * license, author) with the number of models of each value, the most frequent first. Tasks are
 * grouped under the Hub's modality (the kernel's `_task_modality`). Checking a box adds its value
 * to the facet's trait.
 */
import { button, element } from "./dom";
import { compactNumber, fullNumber } from "./format";
import type { View } from "./view";

export type FacetName = "task" | "library" | "language" | "license" | "author";
type Counts = readonly [string, number][];
type Entry = readonly [string, number | null];

/** The traits the facets read and write. */
export interface FacetsState {
  task: string[];
  library: string[];
  language: string[];
  license: string[];
  author: string[];
  /** `{facet: [[value, count], ...]}`, each facet counted under the other filters. */
  facets: Partial<Record<FacetName, Counts>>;
  /** The Hub's modality name of each task in the task facet, e.g. "Computer Vision". */
  _task_modality: Record<string, string>;
}

export const FACETS: readonly (readonly [FacetName, string])[] = [
  ["task", "Task"],
  ["library", "Library"],
  ["language", "Language"],
  ["license", "License"],
  ["author", "Author"],
];

/** Facet values shown before "Show more". */
const PREVIEW = 6;

export class FacetsPane {
  readonly element: HTMLDivElement;
  private readonly expanded = new Set<FacetName>();

  constructor(private readonly view: View<FacetsState>) {
    this.element = element("div", "hw-facets");
    this.element.setAttribute("role", "group");
    this.element.setAttribute("aria-label", "Filters");
    view.on(["facets", "_task_modality", ...FACETS.map(([facet]) => facet)], () => this.show());
    this.show();
  }

  private show(): void {
    const focused = this.focusedValue();
    const counts = this.view.get("facets") ?? {};
    this.element.replaceChildren(
      ...FACETS.map(([facet, label]) =>
        this.section(facet, label, counts[facet] ?? [], this.view.get(facet) ?? []),
      ),
    );
    if (focused) {
      const [facet, value] = focused.map((s) => CSS.escape(s));
      this.element
        .querySelector<HTMLInputElement>(`input[data-facet="${facet}"][data-value="${value}"]`)
        ?.focus();
    }
  }

  /** The checkbox with focus, as [facet, value], so that it keeps focus when redrawn. */
  private focusedValue(): [string, string] | null {
    const active = (this.element.getRootNode() as Document | ShadowRoot).activeElement;
    if (!(active instanceof HTMLInputElement) || !this.element.contains(active)) return null;
    const { facet, value } = active.dataset;
    return facet !== undefined && value !== undefined ? [facet, value] : null;
  }

  private section(
    facet: FacetName,
    label: string,
    counts: Counts,
    chosen: readonly string[],
  ): HTMLFieldSetElement {
    const fieldset = element("fieldset", "hw-facet");
    const legend = element("legend", "");
    legend.textContent = label;
    fieldset.append(legend);
    // a chosen value stays listed even when it counts nothing under the other filters
    const known = new Set(counts.map(([value]) => value));
    const entries: Entry[] = [
      ...chosen.filter((value) => !known.has(value)).map((v): Entry => [v, null]),
      ...counts,
    ];
    if (entries.length === 0) {
      const none = element("p", "hw-muted hw-facet-none");
      none.textContent = "none";
      fieldset.append(none);
      return fieldset;
    }
    const open = this.expanded.has(facet);
    const shown = entries.filter(([value], i) => open || i < PREVIEW || chosen.includes(value));
    const modality = this.view.get("_task_modality") ?? {};
    if (facet === "task" && Object.keys(modality).length > 0) {
      fieldset.append(...this.taskGroups(entries, shown, chosen, modality));
    } else {
      fieldset.append(this.list(facet, shown, chosen));
    }
    if (entries.length > PREVIEW) {
      const more = button(open ? "Show fewer" : `Show all ${entries.length}`, () => {
        if (this.expanded.has(facet)) this.expanded.delete(facet);
        else this.expanded.add(facet);
        this.show();
      });
      more.classList.add("hw-link");
      more.setAttribute("aria-expanded", String(open));
      fieldset.append(more);
    }
    return fieldset;
  }

  private list(
    facet: FacetName,
    entries: readonly Entry[],
    chosen: readonly string[],
  ): HTMLUListElement {
    const list = element("ul", "hw-facet-list");
    for (const [value, count] of entries) {
      const item = element("li", "");
      const label = element("label", "hw-facet-value");
      const box = element("input", "");
      box.type = "checkbox";
      box.checked = chosen.includes(value);
      box.dataset.facet = facet;
      box.dataset.value = value;
      // the element goes with the next redraw, and its listener with it
      box.addEventListener("change", () => {
        const now = this.view.get(facet) ?? [];
        const next = box.checked ? [...now, value] : now.filter((v) => v !== value);
        this.view.save({ [facet]: next } as Partial<FacetsState>);
      });
      const name = element("span", "hw-facet-name");
      name.textContent = value;
      name.title = value;
      const number = element("span", "hw-count");
      number.textContent = count === null ? "" : compactNumber(count);
      if (count !== null) number.title = `${fullNumber(count)} models`;
      label.append(box, name, number);
      item.append(label);
      list.append(item);
    }
    return list;
  }

  /**
   * Tasks under their modality, the modality with the most models first. Counts of a group add
   * up all its tasks, shown or not; a group none of whose tasks is shown (the list is
   * collapsed) is left out.
   */
  private taskGroups(
    entries: readonly Entry[],
    shown: readonly Entry[],
    chosen: readonly string[],
    modality: Readonly<Record<string, string>>,
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
      section.append(heading, this.list("task", members, chosen));
      out.push(section);
    }
    return out;
  }
}
