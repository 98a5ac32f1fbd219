/**
 * Front-end of hubwidgets.HubExplorer: four linked panels, side by side (stacked when narrow).
 *
 * - Explorer: the search panel (lib/searchpanel.ts, the SearchWidget's own) with trending /
 *   popular / recent toggles; its focused row is the model the other panels show;
 * - Details: the detail pane (lib/detail.ts) plus capabilities, the card's examples, usage and
 *   limitations (the `detail` reply's `sections`), and versions on demand (`versions`, answered
 *   later by a `versions` event: the Hub may take seconds);
 * - Performance: the `performance` reply: benchmarks, nearest alternatives, quality, cost;
 * - Integration: the `integration` reply (code snippets) and buttons that open a playground, a
 *   benchmark or the registry below the explorer (`open`).
 *
 * Each panel asks for its own part, so a failing one says so in its place and the others keep
 * working. Keyboard: F6 / Shift+F6 (or Ctrl+Alt+→ / ←) move between the panels, each a named
 * region (`role="region"`). See hubwidgets/widgets/explorer.py for the protocol.
 */
import { type Debounced, debounce } from "./lib/debounce";
import { DetailPane, type DetailReply, safeFragment } from "./lib/detail";
import { button, element } from "./lib/dom";
import { COLUMNS, type SearchState, searchPanel } from "./lib/searchpanel";
import { defineWidget, type View } from "./lib/view";

interface ExplorerState extends SearchState {
  view_mode: string;
}

type Json = string | number | boolean | null | readonly string[];
type Fact = Readonly<Record<string, Json>>;

interface Sections {
  readonly error?: string;
  readonly pipeline?: string | null;
  readonly providers?: readonly string[] | null;
  readonly examples?: readonly string[];
  readonly usage_html?: string | null;
  readonly limitations_html?: string | null;
  readonly card_source?: string | null;
}

const PANELS = ["Explorer", "Details", "Performance", "Integration"] as const;
const MODES: readonly (readonly [string, string])[] = [
  ["trending", "Trending"],
  ["popular", "Popular"],
  ["recent", "Recent"],
];
const GRID_KEYS = new Set(["id", "task", "params", "downloads", "likes"]);
const FOCUS_HINT = "Focus a result in the Explorer (click a row, or arrow to it) to see it here.";

export default defineWidget<ExplorerState>("explorer", (view) => {
  const { root, client } = view;
  const panels = PANELS.map((name) => panelElement(view, name));
  const [explorerEl, detailsEl, performanceEl, integrationEl] = panels as [
    HTMLElement,
    HTMLElement,
    HTMLElement,
    HTMLElement,
  ];
  const layout = element("div", "hw-explorer-panels");
  layout.append(...panels);
  root.append(layout);

  // -- Explorer ---------------------------------------------------------------------------------
  const search = searchPanel(view, { columns: COLUMNS.filter((c) => GRID_KEYS.has(c.key)) });
  const modes = element("div", "hw-explorer-modes");
  modes.setAttribute("role", "group");
  modes.setAttribute("aria-label", "Show");
  const modeButtons = MODES.map(([mode, label]) => {
    const b = button(label, () => view.save({ view_mode: mode }), "hw-button hw-toggle");
    b.dataset.mode = mode;
    return b;
  });
  modes.append(...modeButtons);
  const showMode = (): void => {
    for (const b of modeButtons) {
      b.setAttribute("aria-pressed", String(b.dataset.mode === view.get("view_mode")));
    }
  };
  view.on("view_mode", showMode);
  showMode();
  explorerEl.append(modes, search.toolbar.element, search.body, search.status);

  // -- Details ----------------------------------------------------------------------------------
  const detailsHint = hint();
  const versions = element("div", "hw-explorer-versions");
  const detail = new DetailPane(
    {
      request: (model) =>
        client.request<DetailReply & Record<string, unknown>>("detail", { model }),
      closed: () => search.grid.element.focus({ preventScroll: true }),
    },
    { delay: 0, closable: false, extra: (reply) => detailExtras(reply) },
  );
  view.cleanup(() => detail.destroy());
  detailsEl.append(detailsHint, detail.element, versions);

  let versionsFor = "";
  const showVersionsButton = (model: string): void => {
    versionsFor = "";
    versions.replaceChildren();
    if (!model) return;
    const ask = button("Show versions", () => {
      versionsFor = model;
      versions.replaceChildren(note("Asking the Hub for the versions…"));
      client.request("versions", { model }).catch((error: unknown) => {
        if (versionsFor === model) versions.replaceChildren(note(errorText(error), true));
      });
    });
    versions.append(ask);
  };
  const offVersions = client.on("versions", (body) => {
    if (body.model !== versionsFor) return;
    if (typeof body.error === "string") {
      versions.replaceChildren(note(body.error, true));
      return;
    }
    const rows = (body.rows as Fact[] | undefined) ?? [];
    versions.replaceChildren(factTable("Versions", rows, ["sha", "date", "title", "refs"]));
  });
  view.cleanup(offVersions);

  // -- Performance and Integration: asked once the focus rests ---------------------------------
  const performance = element("div", "hw-explorer-body");
  performanceEl.append(performance);
  const integration = element("div", "hw-explorer-body");
  const actions = element("div", "hw-explorer-actions");
  const actionNote = element("p", "hw-muted hw-explorer-action-note");
  actionNote.setAttribute("role", "status");
  const OPEN: readonly (readonly [string, string])[] = [
    ["playground", "Try in a playground"],
    ["benchmark", "Benchmark"],
    ["register", "Register"],
  ];
  for (const [what, label] of OPEN) {
    const b = button(label, () => openBelow(what, label), "hw-button");
    b.dataset.open = what;
    actions.append(b);
  }
  integrationEl.append(actions, actionNote, integration);

  function openBelow(what: string, label: string): void {
    const model = view.get("focused_id");
    if (!model) {
      actionNote.textContent = FOCUS_HINT;
      return;
    }
    actionNote.textContent = `${label}: opening for ${model} below…`;
    client.request("open", { what, model }).then(
      (reply) => {
        actionNote.textContent = `Opened ${String(reply.opened)} for ${model} below the explorer.`;
      },
      (error: unknown) => {
        actionNote.textContent = errorText(error);
      },
    );
  }

  const fetchPanels: Debounced<[string]> = debounce((model: string) => {
    fill(performance, model, "performance", (reply) => performanceParts(view, reply));
    fill(integration, model, "integration", (reply) => integrationParts(reply));
  }, 150);
  view.cleanup(() => fetchPanels.cancel());

  function fill(
    box: HTMLElement,
    model: string,
    kind: string,
    draw: (reply: Record<string, unknown>) => HTMLElement[],
  ): void {
    box.setAttribute("aria-busy", "true");
    client.request(kind, { model }).then(
      (reply) => {
        // a reply that is pending comes later as an event of the same kind (see below)
        if (view.get("focused_id") !== model || reply.pending === true) return;
        box.removeAttribute("aria-busy");
        box.replaceChildren(...draw(reply));
      },
      (error: unknown) => {
        if (view.get("focused_id") !== model) return;
        box.removeAttribute("aria-busy");
        box.replaceChildren(note(errorText(error), true));
      },
    );
  }

  function follow(): void {
    const model = view.get("focused_id");
    detailsHint.hidden = model !== "";
    detail.show(model);
    showVersionsButton(model);
    for (const box of [performance, integration]) {
      box.replaceChildren(model ? note("Loading…") : hint());
    }
    for (const b of actions.querySelectorAll("button")) b.disabled = model === "";
    if (model) fetchPanels(model);
    else fetchPanels.cancel();
  }
  view.on("focused_id", follow);
  const offRefresh = client.on("refresh", () => {
    const model = view.get("focused_id");
    if (model) fill(performance, model, "performance", (reply) => performanceParts(view, reply));
  });
  view.cleanup(offRefresh);
  const offPerformance = client.on("performance", (body) => {
    if (body.model !== view.get("focused_id")) return; // an answer about an earlier focus
    performance.removeAttribute("aria-busy");
    if (typeof body.error === "string") {
      performance.replaceChildren(note(body.error, true));
      return;
    }
    performance.replaceChildren(...performanceParts(view, body));
  });
  view.cleanup(offPerformance);

  // -- keyboard: F6 / Shift+F6, Ctrl+Alt+arrows between the panels ----------------------------
  view.listen<KeyboardEvent>(root, "keydown", (event) => {
    const step = panelStep(event);
    if (step === 0) return;
    const at = panels.findIndex((p) => p.contains(document.activeElement));
    const next = panels[(at + step + panels.length) % panels.length];
    if (!next) return;
    event.preventDefault();
    event.stopPropagation(); // JupyterLab would take F6 / the arrows for itself
    next.focus();
  });

  search.start();
  follow();
});

function panelStep(event: KeyboardEvent): number {
  if (event.key === "F6") return event.shiftKey ? -1 : 1;
  if (event.ctrlKey && event.altKey && event.key === "ArrowRight") return 1;
  if (event.ctrlKey && event.altKey && event.key === "ArrowLeft") return -1;
  return 0;
}

function panelElement(view: View<ExplorerState>, name: string): HTMLElement {
  const section = element("section", `hw-panel hw-panel-${name.toLowerCase()}`);
  // the search and detail styles apply inside the panels that are made of them
  if (name === "Explorer" || name === "Details") section.classList.add("hubwidgets-search");
  section.setAttribute("role", "region");
  section.setAttribute("aria-label", name);
  section.tabIndex = -1; // F6 puts the focus here
  const heading = element("h3", "hw-panel-title");
  heading.textContent = name;
  heading.id = `${view.uid}-${name.toLowerCase()}`;
  section.setAttribute("aria-labelledby", heading.id);
  section.append(heading);
  return section;
}

function hint(): HTMLElement {
  return note(FOCUS_HINT);
}

function note(text: string, error = false): HTMLElement {
  const p = element("p", error ? "hw-detail-error hw-explorer-error" : "hw-muted");
  p.textContent = text;
  return p;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function subsection(title: string, ...content: (Node | string)[]): HTMLElement {
  const box = element("div", "hw-explorer-section");
  const h = element("h4", "hw-explorer-section-title");
  h.textContent = title;
  box.append(h, ...content);
  return box;
}

/** Capabilities, examples, usage and limitations of the `detail` reply's `sections`. */
function detailExtras(reply: DetailReply): HTMLElement[] {
  const sections = (reply as DetailReply & { sections?: Sections }).sections;
  if (!sections) return [];
  if (sections.error) return [note(`Card sections unavailable: ${sections.error}`, true)];
  const record = reply.record ?? {};
  const caps = element("dl", "hw-detail-meta");
  const add = (label: string, value: string): void => {
    const item = element("div", "hw-detail-field");
    const dt = element("dt", "");
    dt.textContent = label;
    const dd = element("dd", "");
    dd.textContent = value;
    item.append(dt, dd);
    caps.append(item);
  };
  add("Task", typeof record.task === "string" ? record.task : "unknown");
  const providers = sections.providers ?? null;
  add(
    "Providers serving it",
    providers === null ? "unknown" : providers.length ? providers.join(", ") : "none",
  );
  add("Pipeline", sections.pipeline ?? "unknown (not a transformers model)");
  const out = [subsection("Capabilities", caps)];
  const examples = sections.examples ?? [];
  const ex = element("ul", "hw-explorer-examples");
  for (const text of examples) {
    const li = element("li", "");
    li.textContent = text;
    ex.append(li);
  }
  const exampleParts: (Node | string)[] = [];
  if (examples.length) exampleParts.push(ex);
  if (sections.usage_html) exampleParts.push(cardBox(sections.usage_html, "Usage"));
  if (!exampleParts.length) {
    exampleParts.push(note(`No widget examples or usage section (${sections.card_source ?? ""}).`));
  }
  out.push(subsection("Examples", ...exampleParts));
  out.push(
    subsection(
      "Limitations",
      sections.limitations_html
        ? cardBox(sections.limitations_html, "Limitations")
        : note(`No limitations section found (${sections.card_source ?? ""}).`),
    ),
  );
  return out;
}

function cardBox(html: string, label: string): HTMLElement {
  const box = element("div", "hw-card hw-explorer-card");
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", label);
  box.tabIndex = 0;
  box.append(safeFragment(html));
  return box;
}

function format(value: Json): string {
  if (value === null) return "—";
  if (typeof value === "number") {
    return Math.abs(value) >= 100
      ? value.toLocaleString("en-US", { maximumFractionDigits: 0 })
      : value.toLocaleString("en-US", { maximumSignificantDigits: 3 });
  }
  return Array.isArray(value) ? value.join(", ") : String(value);
}

function factTable(caption: string, rows: readonly Fact[], keys: readonly string[]): HTMLElement {
  const table = element("table", "hw-explorer-table");
  const cap = element("caption", "");
  cap.textContent = caption;
  const head = element("tr", "");
  for (const key of keys) {
    const th = element("th", "");
    th.scope = "col";
    th.textContent = key.replaceAll("_", " ");
    head.append(th);
  }
  const thead = element("thead", "");
  thead.append(head);
  const tbody = element("tbody", "");
  for (const row of rows) {
    const tr = element("tr", "");
    for (const key of keys) {
      const td = element("td", "");
      const value = row[key] ?? null;
      td.textContent =
        key === "sha" && typeof value === "string" ? value.slice(0, 10) : format(value);
      tr.append(td);
    }
    tbody.append(tr);
  }
  table.append(cap, thead, tbody);
  return table;
}

const SECTIONS: readonly (readonly [string, string])[] = [
  ["benchmark", "Benchmark"],
  ["alternative", "Nearest alternatives"],
  ["quality", "Quality (card evals)"],
  ["cost", "Cost"],
];

function performanceParts(
  view: View<ExplorerState>,
  reply: Record<string, unknown>,
): HTMLElement[] {
  const rows = (reply.rows as Fact[] | undefined) ?? [];
  const out: HTMLElement[] = [];
  for (const [section, title] of SECTIONS) {
    const mine = rows.filter((r) => r.section === section);
    const known = mine.filter((r) => r.value !== null);
    const box = subsection(title);
    box.dataset.section = section;
    if (known.length === 0) {
      // unknown is said in words, never drawn as a figure
      const why = mine
        .map((r) => String(r.source ?? ""))
        .filter(Boolean)
        .join("; ");
      box.append(note(why || "nothing known"));
    } else if (section === "alternative") {
      const ul = element("ul", "hw-explorer-alternatives");
      for (const r of known) {
        const li = element("li", "");
        const id = String(r.model);
        const b = button(id, () => view.save({ focused_id: id }), "hw-link");
        b.title = String(r.source ?? "");
        li.append(b, ` score ${format(r.value ?? null)}`);
        ul.append(li);
      }
      box.append(ul);
    } else {
      const dl = element("dl", "hw-detail-meta");
      for (const r of known) {
        const item = element("div", "hw-detail-field");
        const dt = element("dt", "");
        dt.textContent = String(r.metric);
        const dd = element("dd", "");
        const unit = r.unit ? ` ${String(r.unit)}` : "";
        dd.textContent =
          r.unit === "$/month"
            ? `$${format(r.value ?? null)}/month`
            : `${format(r.value ?? null)}${unit}`;
        dd.title = String(r.source ?? "");
        item.append(dt, dd);
        dl.append(item);
      }
      box.append(dl);
      if (section === "cost") box.append(note(`For ${String(reply.workload ?? "")}.`));
    }
    out.push(box);
  }
  return out;
}

function integrationParts(reply: Record<string, unknown>): HTMLElement[] {
  const snippets = (reply.snippets as Fact[] | undefined) ?? [];
  if (snippets.length === 0) return [note("No way to run this model is known.")];
  return snippets.map((s, i) => {
    const box = element("details", "hw-explorer-snippet");
    if (i === 0) box.open = true;
    const summary = element("summary", "");
    const provider = s.provider ? ` (${String(s.provider)})` : "";
    summary.textContent = `${String(s.kind).replaceAll("_", " ")}${provider}`;
    const pre = element("pre", "");
    const code = element("code", "");
    code.textContent = String(s.code ?? "");
    pre.append(code);
    const said = element("span", "hw-copy-status");
    said.setAttribute("role", "status"); // aria-live polite: a screen reader hears the outcome
    const copy = button(
      "Copy",
      () => void copyCode(String(s.code ?? ""), code, said),
      "hw-button hw-copy",
    );
    box.append(summary, pre, copy, said);
    if (s.note) box.append(note(String(s.note)));
    return box;
  });
}

/** Copy a snippet, and say what happened next to the button: "Copied." or, where the page may
 * not write the clipboard (no `navigator.clipboard` outside a secure context, a denied
 * permission, a notebook in an iframe without `clipboard-write`), the code selected so that the
 * user's own Ctrl+C copies it, and a line saying so: never a button that silently does nothing. */
async function copyCode(text: string, code: HTMLElement, said: HTMLElement): Promise<void> {
  said.textContent = "";
  try {
    if (typeof navigator === "undefined" || !navigator.clipboard?.writeText) {
      throw new Error("no clipboard access here");
    }
    await navigator.clipboard.writeText(text);
    said.textContent = "Copied.";
  } catch {
    const selection = document.getSelection();
    const range = document.createRange();
    range.selectNodeContents(code);
    selection?.removeAllRanges();
    selection?.addRange(range);
    said.textContent =
      "The browser blocked copying: the code is selected, press Ctrl+C (⌘C on a Mac).";
  }
}
