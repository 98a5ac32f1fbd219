/**
 * The SearchWidget's toolbar: the search box, the sort and access menus, and the parameter
 * range. Each control writes its trait (the search box after a pause, or at once on Enter) and
 * follows the trait when the kernel changes it.
 */
import { type Debounced, debounce } from "./debounce";
import { element, option } from "./dom";
import { formatParams, parseParams } from "./format";
import type { View } from "./view";

/** The traits the toolbar reads and writes. */
export interface ToolbarState {
  query: string;
  sort: string;
  gated: boolean | null;
  min_params: number | null;
  max_params: number | null;
  /** The sort keys the kernel accepts, for the menu (no list of its own to keep up to date). */
  _sort_keys: string[];
}

const SORT_LABELS: Record<string, string> = {
  downloads: "Most downloads",
  likes: "Most likes",
  trending: "Trending",
  created: "Recently created",
  modified: "Recently updated",
  params: "Most parameters",
  rising: "Rising (largest gain)",
};

/** The search box waits this long (ms) after the last keystroke before searching. */
export const QUERY_DELAY = 150;

export class Toolbar {
  readonly element: HTMLDivElement;
  private readonly search: HTMLInputElement;
  private readonly sort: HTMLSelectElement;
  private readonly gated: HTMLSelectElement;
  private readonly params: readonly [HTMLInputElement, "min_params" | "max_params"][];
  private readonly sendQuery: Debounced<[string]>;

  constructor(private readonly view: View<ToolbarState>) {
    this.element = element("div", "hw-toolbar");

    this.search = element("input", "hw-query");
    this.search.type = "search";
    this.search.placeholder = "Search models, e.g. llama 8b";
    this.search.setAttribute("aria-label", "Search models");
    this.search.autocomplete = "off";
    this.search.spellcheck = false;
    this.sendQuery = debounce((value: string) => view.save({ query: value }), QUERY_DELAY);
    view.cleanup(() => this.sendQuery.cancel());
    view.listen(this.search, "input", () => this.sendQuery(this.search.value));
    view.listen<KeyboardEvent>(this.search, "keydown", (event) => {
      if (event.key === "Enter") this.sendQuery.flush();
    });

    this.sort = element("select", "hw-select");
    this.sort.setAttribute("aria-label", "Sort by");
    view.listen(this.sort, "change", () => view.save({ sort: this.sort.value }));

    this.gated = element("select", "hw-select");
    this.gated.setAttribute("aria-label", "Access");
    this.gated.append(
      option("any", "Any access"),
      option("open", "Open only"),
      option("gated", "Gated only"),
    );
    view.listen(this.gated, "change", () => {
      const value = this.gated.value;
      view.save({ gated: value === "any" ? null : value === "gated" });
    });

    const range = element("div", "hw-params");
    const label = element("span", "hw-params-label");
    label.textContent = "Params";
    label.id = `${view.uid}-params`;
    const min = paramsInput("Minimum parameters", "min, e.g. 1B");
    const max = paramsInput("Maximum parameters", "max, e.g. 8B");
    const dash = element("span", "hw-muted");
    dash.textContent = "–";
    dash.setAttribute("aria-hidden", "true");
    range.append(label, min, dash, max);
    range.setAttribute("role", "group");
    range.setAttribute("aria-labelledby", label.id);
    this.params = [
      [min, "min_params"],
      [max, "max_params"],
    ];
    for (const [input, trait] of this.params) this.wireParams(input, trait);

    this.element.append(this.search, this.sort, this.gated, range);

    view.on("query", () => this.showQuery());
    view.on(["sort", "_sort_keys"], () => this.showSort());
    view.on("gated", () => this.showGated());
    view.on(["min_params", "max_params"], () => this.showParams());
    this.showQuery();
    this.showSort();
    this.showGated();
    this.showParams();
  }

  /** Empty the search box and drop a search not sent yet (the filters are being cleared). */
  clearQuery(): void {
    this.search.value = "";
    this.sendQuery.cancel();
  }

  private wireParams(input: HTMLInputElement, trait: "min_params" | "max_params"): void {
    this.view.listen(input, "change", () => {
      const value = parseParams(input.value);
      if (value === undefined) {
        input.setAttribute("aria-invalid", "true");
        input.title = "A parameter count such as 7000000000, 7B, 300M or 1.5b";
        return;
      }
      input.removeAttribute("aria-invalid");
      input.removeAttribute("title");
      this.view.save({ [trait]: value });
    });
    // Enter commits the value at once, as in the search box (a text input's change event
    // otherwise waits for the focus to leave)
    this.view.listen<KeyboardEvent>(input, "keydown", (event) => {
      if (event.key === "Enter") input.dispatchEvent(new Event("change"));
    });
  }

  private showQuery(): void {
    const value = this.view.get("query");
    // never overwrite what is being typed (the echo of an older value would eat keystrokes)
    if (this.search.value !== value && !this.sendQuery.pending) this.search.value = value;
  }

  private showSort(): void {
    const keys = this.view.get("_sort_keys") ?? [];
    if (this.sort.options.length !== keys.length) {
      this.sort.replaceChildren(...keys.map((key) => option(key, SORT_LABELS[key] ?? key)));
    }
    this.sort.value = this.view.get("sort");
  }

  private showGated(): void {
    const value = this.view.get("gated");
    this.gated.value = value === null ? "any" : value ? "gated" : "open";
  }

  private showParams(): void {
    for (const [input, trait] of this.params) {
      const value = this.view.get(trait);
      // keep "7b" as typed when it means the value the model holds
      if (parseParams(input.value) !== value) input.value = formatParams(value);
      input.removeAttribute("aria-invalid");
    }
  }
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
