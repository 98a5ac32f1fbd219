/**
 * The detail pane of the focused model: its metadata, tags, a link to its Hub page and its
 * model card.
 *
 * The pane asks the kernel for the focused model (through `request`, debounced so that arrowing
 * through the grid sends one request when the focus rests) and shows the answer `{model, url,
 * record, governance, card_html}`, or the words of a refused request. An answer about any model
 * but the one shown is dropped. `governance` is hw.check's answer about the model (see
 * `governanceSection`): the verdict badge and its reasons, the license, the chain of base models
 * with their licenses, and the scan; each fact carries where it came from as its title. The card
 * arrives as HTML the kernel rendered from Markdown with raw HTML disabled; it is checked again
 * here (see `safeFragment`) before it enters the page.
 */
import { type Debounced, debounce } from "./debounce";
import { button, element, externalLink, hubUrl } from "./dom";
import { compactNumber, fullNumber } from "./format";
import { verdictBadge } from "./verdicts";

export type DetailValue = string | number | boolean | readonly string[] | null;

/** A node of the model tree: the model itself (depth 0), then its bases, breadth first. */
export interface ChainNode {
  readonly id: string;
  readonly depth: number;
  readonly parent: string | null;
  /** How the node derives from its base... of `parent`: finetune, quantized, adapter, merge. */
  readonly relation: string | null;
  readonly license: string | null;
  readonly license_class: string | null;
  /** Where the node was found ("the catalog", "not in the catalog"...). */
  readonly source: string | null;
  readonly note: string | null;
}

/** hw.check's answer about the model (hubwidgets/widgets/_card.py `governance_part`), or why
 * there is none. Every fact that can be unknown is null then, and its `*_source` says why. */
export type Governance =
  | { readonly error: string }
  | (Readonly<Record<string, DetailValue>> & {
      readonly verdict: string | null;
      readonly reasons: readonly string[] | null;
      readonly chain: readonly ChainNode[];
      readonly policy?: string;
      readonly policy_source?: string;
    });

/** The kernel's answer to a detail request. */
export interface DetailReply {
  readonly model: string;
  readonly url?: string;
  readonly record?: Readonly<Record<string, DetailValue>>;
  readonly governance?: Governance | null;
  readonly card_html?: string | null;
}

/** What the pane shows: an answer, or why there is none. */
type Shown = DetailReply | { readonly model: string; readonly error: string };

export interface DetailEvents {
  /** Ask the kernel for a model's details (rejects with the kernel's words). */
  request(model: string): Promise<DetailReply>;
  /** The pane was closed by the person (button or Escape): give focus back to the grid. */
  closed(): void;
}

export interface DetailOptions {
  /** Wait this long (ms) after the focus moves before asking. */
  readonly delay?: number;
  /** Replies kept, so that going back to a model shows it at once. */
  readonly cacheSize?: number;
  /** More parts drawn from a reply, between the governance and the card (the HubExplorer's
   * capabilities, examples, limitations). */
  readonly extra?: (reply: DetailReply) => readonly HTMLElement[];
  /** Whether the pane has a close button (default true). */
  readonly closable?: boolean;
}

/** How a record field is shown: its label, and its value as text (empty: not shown). */
interface Field {
  readonly key: string;
  readonly label: string;
  format(value: DetailValue): string;
  title?(value: DetailValue): string;
}

const plain = (value: DetailValue): string =>
  value === null ? "" : Array.isArray(value) ? value.join(", ") : String(value);
const count = (value: DetailValue): string =>
  typeof value === "number" ? compactNumber(value) : "";
const exact = (value: DetailValue): string => (typeof value === "number" ? fullNumber(value) : "");
const day = (value: DetailValue): string => (typeof value === "string" ? value.slice(0, 10) : "");
const list = (most: number) => (value: DetailValue) => {
  if (!Array.isArray(value)) return "";
  const shown = value.slice(0, most).join(", ");
  return value.length > most ? `${shown} and ${value.length - most} more` : shown;
};

const FIELDS: readonly Field[] = [
  { key: "author", label: "Author", format: plain },
  { key: "task", label: "Task", format: plain },
  { key: "modality", label: "Modality", format: plain },
  { key: "library", label: "Library", format: plain },
  { key: "license", label: "License", format: plain },
  { key: "params", label: "Parameters", format: count, title: exact },
  { key: "downloads", label: "Downloads (30 days)", format: count, title: exact },
  { key: "downloads_all_time", label: "Downloads (all time)", format: count, title: exact },
  { key: "likes", label: "Likes", format: count, title: exact },
  { key: "created_at", label: "Created", format: day, title: plain },
  { key: "last_modified", label: "Updated", format: day, title: plain },
  {
    key: "gated",
    label: "Access",
    format: (v) => (v === true ? "Gated: ask for access" : v === false ? "Open" : ""),
  },
  {
    key: "inference",
    label: "Inference",
    format: (v) => (v === true ? "Served by a provider" : v === false ? "Not served" : ""),
  },
  { key: "providers", label: "Providers", format: plain },
  { key: "languages", label: "Languages", format: list(12), title: plain },
  { key: "base_models", label: "Base models", format: list(3), title: plain },
  {
    key: "sha",
    label: "Revision",
    format: (v) => (typeof v === "string" ? v.slice(0, 10) : ""),
    title: plain,
  },
];

let paneCount = 0;

export class DetailPane {
  /** The `<section aria-label="Model details">`: put it in the page. */
  readonly element: HTMLElement;

  private readonly title: HTMLHeadingElement;
  private readonly hubLink: HTMLAnchorElement;
  private readonly body: HTMLDivElement;
  private readonly cache = new Map<string, DetailReply>();
  private readonly cacheSize: number;
  private readonly ask: Debounced<[string]>;
  private readonly extra: DetailOptions["extra"];
  /** The model shown (or being fetched). */
  private model = "";
  /** What the pane shows now (null: nothing, or "Loading…"). */
  private shown: Shown | null = null;

  constructor(
    private readonly events: DetailEvents,
    options: DetailOptions = {},
  ) {
    const uid = `hw-detail-${++paneCount}`;
    this.cacheSize = options.cacheSize ?? 20;
    this.extra = options.extra;
    this.element = element("section", "hw-detail");
    this.element.setAttribute("aria-label", "Model details");
    this.element.hidden = true;

    const head = element("div", "hw-detail-head");
    this.title = element("h3", "hw-detail-title");
    this.title.id = `${uid}-title`;
    this.hubLink = externalLink("Open on the Hub ↗", hubUrl(""));
    this.hubLink.classList.add("hw-detail-hub");
    const close = button("×", () => this.dismiss(), "hw-button hw-detail-close");
    close.setAttribute("aria-label", "Close details");
    close.title = "Close details (Escape)";
    head.append(this.title, this.hubLink);
    if (options.closable ?? true) head.append(close);

    this.body = element("div", "hw-detail-body");
    this.element.append(head, this.body);
    this.element.addEventListener("keydown", this.onKeyDown);

    this.ask = debounce((model: string) => {
      this.events.request(model).then(
        (reply) => this.receive(model, reply),
        (error: unknown) => this.receive(model, { model, error: errorText(error) }),
      );
    }, options.delay ?? 120);
  }

  /** Whether the pane is showing. */
  get open(): boolean {
    return !this.element.hidden;
  }

  /** Show `model` (the focused row's id): at once if known, else after a pause, from the kernel.
   * An empty id hides the pane. */
  show(model: string): void {
    this.ask.cancel();
    this.model = model;
    if (model === "") {
      this.element.hidden = true;
      return;
    }
    this.element.hidden = false;
    const known = this.cache.get(model);
    if (known !== undefined) {
      this.render(known);
      // shown at once, and asked again once the focus rests: the verdict follows the
      // session's policy, which may have changed since (an equal answer draws nothing)
      this.ask(model);
      return;
    }
    this.shown = null;
    this.title.textContent = model;
    this.hubLink.href = hubUrl(model);
    this.element.setAttribute("aria-busy", "true");
    const loading = element("p", "hw-muted hw-detail-loading");
    loading.textContent = "Loading…";
    this.body.replaceChildren(loading);
    this.ask(model);
  }

  /** Hide the pane until the focus moves to another model. */
  close(): void {
    this.ask.cancel();
    this.model = "";
    this.shown = null;
    this.element.hidden = true;
  }

  destroy(): void {
    this.close();
    this.element.removeEventListener("keydown", this.onKeyDown);
  }

  /** An answer about `model`: shown when it is still the one asked for, dropped otherwise. */
  private receive(model: string, shown: Shown): void {
    if (model !== this.model || this.element.hidden) return;
    const before = this.shown;
    const showing = before !== null && before.model === model && !("error" in before);
    if ("error" in shown) {
      if (!showing) this.render(shown); // a failed refresh keeps what is shown
      return;
    }
    this.remember(shown);
    if (showing && JSON.stringify(before) === JSON.stringify(shown)) return; // no redraw
    this.render(shown);
  }

  private dismiss(): void {
    this.close();
    this.events.closed();
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    event.stopPropagation(); // JupyterLab would take it as "leave edit mode"
    this.dismiss();
  };

  private remember(reply: DetailReply): void {
    this.cache.delete(reply.model);
    this.cache.set(reply.model, reply);
    for (const key of this.cache.keys()) {
      if (this.cache.size <= this.cacheSize) break;
      this.cache.delete(key);
    }
  }

  private render(reply: Shown): void {
    this.shown = reply;
    this.element.removeAttribute("aria-busy");
    this.title.textContent = reply.model;
    const url = ("url" in reply && safeUrl(reply.url ?? "", false)) || hubUrl(reply.model);
    this.hubLink.href = url;
    if ("error" in reply) {
      const error = element("p", "hw-detail-error");
      error.textContent = reply.error;
      this.body.replaceChildren(error);
      return;
    }
    const parts: HTMLElement[] = [];
    const record = reply.record ?? {};
    const meta = metadata(record);
    if (meta !== null) parts.push(meta);
    const tags = chips(record.tags ?? null);
    if (tags !== null) parts.push(tags);
    if (reply.governance) parts.push(governanceSection(reply.governance));
    if (this.extra) parts.push(...this.extra(reply));
    parts.push(card(reply.card_html ?? null, url));
    this.body.replaceChildren(...parts);
  }
}

/** The record as a definition list (fields without a value left out); null when empty. */
function metadata(record: Readonly<Record<string, DetailValue>>): HTMLDListElement | null {
  const dl = element("dl", "hw-detail-meta");
  for (const field of FIELDS) {
    const value = record[field.key] ?? null;
    const text = field.format(value);
    if (text === "") continue;
    const item = element("div", "hw-detail-field");
    const dt = element("dt", "");
    dt.textContent = field.label;
    const dd = element("dd", "");
    dd.textContent = text;
    // the exact value behind a compact one, or the whole of a long one the box may cut
    const title = field.title?.(value) ?? (text.length > 20 ? text : "");
    if (title !== "" && (title !== text || text.length > 20)) dd.title = title;
    item.append(dt, dd);
    dl.append(item);
  }
  return dl.childElementCount > 0 ? dl : null;
}

function chips(tags: DetailValue): HTMLUListElement | null {
  if (!Array.isArray(tags) || tags.length === 0) return null;
  const ul = element("ul", "hw-chips");
  ul.setAttribute("aria-label", "Tags");
  for (const tag of tags) {
    const li = element("li", "hw-chip");
    li.textContent = tag;
    ul.append(li);
  }
  return ul;
}

// -- governance ---------------------------------------------------------------------------------

type Facts = Readonly<Record<string, DetailValue>>;

const str = (value: DetailValue | undefined): string => (typeof value === "string" ? value : "");
const strings = (value: DetailValue | undefined): readonly string[] | null =>
  Array.isArray(value) ? value : null;

/** How a base relates to the model built on it, in words ("finetune" -> "finetuned from"). */
const RELATION_WORDS: Readonly<Record<string, string>> = {
  finetune: "finetuned from",
  quantized: "quantized from",
  adapter: "adapter of",
  merge: "merged from",
  base: "built on",
};

/** The scan statuses in words (hubwidgets.core.governance.scan.SCAN_STATUSES). */
const SCAN_WORDS: Readonly<Record<string, string>> = {
  safe: "scanned: safe",
  caution: "scanned: caution",
  suspicious: "scanned: suspicious",
  unsafe: "scanned: unsafe",
  queued: "scan queued, not done",
  error: "scan failed",
  unscanned: "not scanned",
};

/** A `<span>` of `text`, with `source` (where the fact came from) as its title. */
function fact(text: string, source: DetailValue | undefined, className = ""): HTMLSpanElement {
  const span = element("span", className ? `hw-gov-fact ${className}` : "hw-gov-fact");
  span.textContent = text;
  const where = str(source ?? null);
  if (where) {
    span.title = where;
    span.classList.add("hw-gov-sourced");
  }
  return span;
}

/** One labelled line of the section. */
function line(label: string, className: string, ...content: (Node | string)[]): HTMLDivElement {
  const div = element("div", `hw-gov-line ${className}`);
  const name = element("span", "hw-gov-label");
  name.textContent = label;
  const value = element("div", "hw-gov-value");
  value.append(...content);
  div.append(name, value);
  return div;
}

/** What hw.check says about the model, above its card: the verdict badge and its reasons, then
 * a line each for the license, the model tree and the scan. A check that failed says so in
 * words, and nothing else of the pane is lost. */
export function governanceSection(gov: Governance): HTMLElement {
  const section = element("section", "hw-gov");
  section.setAttribute("aria-label", "Governance");
  if ("error" in gov) {
    const error = element("p", "hw-gov-error");
    error.textContent = `governance: could not check — ${gov.error}`;
    section.append(error);
    return section;
  }
  section.append(verdictLine(gov), licenseLine(gov), chainLine(gov), scanLine(gov));
  return section;
}

function verdictLine(gov: Facts & { policy?: string; policy_source?: string }): HTMLDivElement {
  const verdict = str(gov.verdict);
  const badge = verdictBadge(verdict);
  if (verdict && gov.policy) {
    const from = gov.policy_source ? `, from ${gov.policy_source}` : "";
    badge.title = `Verdict under ${gov.policy}${from}`;
  }
  const reasons = strings(gov.reasons) ?? [];
  const list = element("ul", "hw-gov-reasons");
  list.setAttribute("aria-label", "Reasons");
  // the conflict is told in full under the model tree: once is enough
  const conflict = `license conflict: ${str(gov.license_conflict)}`;
  for (const reason of reasons) {
    const li = element("li", "");
    li.textContent = reason === conflict ? "license conflict (see the model tree)" : reason;
    list.append(li);
  }
  if (reasons.length === 0) {
    const li = element("li", "hw-muted");
    li.textContent = verdict === "allow" ? "every rule of the policy passes" : "no reasons given";
    list.append(li);
  }
  const div = element("div", "hw-gov-line hw-gov-verdict");
  div.append(badge, list);
  return div;
}

function licenseLine(gov: Facts): HTMLDivElement {
  const id = str(gov.license);
  const source = gov.license_source;
  if (!id) return line("License", "hw-gov-license", fact("no license given", source, "hw-warn"));
  const parts: (Node | string)[] = [fact(id, source, "hw-gov-license-id")];
  const name = str(gov.license_name);
  const link = httpUrl(str(gov.license_link));
  if (name && name.toLowerCase() !== id.toLowerCase()) {
    parts.push(" ", link ? externalLink(`${name} ↗`, link) : name);
  } else if (link) {
    parts.push(" ", externalLink("terms ↗", link));
  }
  const cls = str(gov.license_class);
  if (cls) parts.push(" · ", fact(cls, null, "hw-gov-class"));
  const use = str(gov.commercial_use) || "unknown";
  const usage = fact(`commercial use: ${use}`, gov.commercial_use_reason, `hw-gov-use-${use}`);
  parts.push(" · ", usage);
  const reason = str(gov.commercial_use_reason);
  if (reason) {
    const why = element("span", "hw-gov-reason hw-muted");
    why.textContent = ` — ${reason}`;
    parts.push(why);
  }
  return line("License", "hw-gov-license", ...parts);
}

function chainLine(gov: Facts & { chain: readonly ChainNode[] }): HTMLDivElement {
  const nodes = Array.isArray(gov.chain) ? gov.chain : [];
  const parts: (Node | string)[] = [];
  if (nodes.length <= 1) {
    parts.push(fact("no base model", gov.base_chain_source, "hw-muted"));
  } else {
    const chain = element("ol", "hw-chain");
    chain.setAttribute("aria-label", "Base models, the model first");
    const sourced = str(gov.base_chain_source);
    if (sourced) chain.title = sourced;
    chain.append(...nodes.map((node, index) => chainNode(node, index === 0)));
    parts.push(chain);
  }
  const conflict = str(gov.license_conflict);
  if (conflict) {
    const p = element("p", "hw-gov-conflict");
    p.setAttribute("role", "note");
    p.textContent = `⚠ License conflict: ${conflict}`;
    parts.push(p);
  }
  return line("Model tree", "hw-gov-tree", ...parts);
}

function chainNode(node: ChainNode, first: boolean): HTMLLIElement {
  const li = element("li", "hw-chain-node");
  li.dataset.depth = String(node.depth);
  li.dataset.model = node.id;
  if (!first) {
    const relation = node.relation ?? "base";
    const link = element("span", "hw-chain-link");
    link.textContent = `← ${RELATION_WORDS[relation] ?? relation}`;
    if (node.parent) link.title = `${node.id} is a ${relation} base of ${node.parent}`;
    li.append(link);
  }
  const name = first
    ? element("span", "hw-chain-id")
    : externalLink(node.id, hubUrl(node.id), "hw-external hw-chain-id");
  name.textContent = node.id;
  const license = element("span", "hw-chain-license");
  license.textContent = node.license ?? "license unknown";
  license.classList.toggle("hw-warn", node.license === null);
  const where = [node.license_class ? `license class: ${node.license_class}` : "", node.source]
    .filter(Boolean)
    .join("; ");
  license.title = node.note ? `${where}; ${node.note}` : where;
  li.append(name, license);
  return li;
}

function scanLine(gov: Facts): HTMLDivElement {
  const status = str(gov.scan_status) || "unscanned";
  const parts: (Node | string)[] = [
    fact(SCAN_WORDS[status] ?? status, gov.scan_source, `hw-gov-scan hw-gov-scan-${status}`),
  ];
  const formats = strings(gov.formats);
  parts.push(
    " · ",
    fact(
      formats === null
        ? "formats unknown"
        : `formats: ${formats.length ? formats.join(", ") : "no weights"}`,
      gov.formats_source,
      formats === null ? "hw-gov-unknown" : "",
    ),
  );
  if (gov.pickle_only === true) {
    parts.push(" · ", fact("pickle only (loading may run code)", gov.formats_source, "hw-warn"));
  }
  const code = strings(gov.custom_code);
  parts.push(
    " · ",
    fact(
      code === null
        ? "custom code unknown"
        : code.length
          ? `custom code: ${code.join(", ")}`
          : "no custom code",
      gov.custom_code_source,
      code === null ? "hw-gov-unknown" : code.length ? "hw-warn" : "",
    ),
  );
  const issues = strings(gov.files_with_issues);
  if (issues?.length) {
    parts.push(" · ", fact(`issues in: ${issues.join(", ")}`, gov.scan_source, "hw-warn"));
  }
  return line("Scan", "hw-gov-scanline", ...parts);
}

/** `url` when it is an absolute http(s) URL (a card's license_link is anyone's to write). */
function httpUrl(url: string): string | null {
  const safe = safeUrl(url, false);
  return safe?.startsWith("mailto:") ? null : safe;
}

function card(html: string | null, url: string): HTMLElement {
  if (html === null || html === "") {
    const none = element("p", "hw-muted hw-card-none");
    none.append("No model card in this catalog. ", externalLink("Read it on the Hub ↗", url));
    return none;
  }
  const box = element("div", "hw-card");
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", "Model card");
  box.tabIndex = 0; // a scrolling box must be reachable by keyboard
  box.append(safeFragment(html));
  return box;
}

/** Elements a card never needs and that could run code, load a document or restyle the page. */
const BLOCKED = new Set([
  "script",
  "style",
  "link",
  "meta",
  "base",
  "iframe",
  "frame",
  "frameset",
  "object",
  "embed",
  "applet",
  "form",
  "input",
  "button",
  "select",
  "textarea",
  "svg",
  "math",
  "template",
  "noscript",
]);
const URL_ATTRIBUTES = new Set(["href", "src", "srcset", "action", "formaction", "xlink:href"]);

/**
 * The kernel's card HTML as a fragment, checked again here as a second line of defence: parsed
 * in an inert `<template>` (nothing runs, nothing loads), blocked elements removed, event
 * handlers and styles (but the table alignment markdown-it writes) dropped, and only http(s),
 * mailto and inline raster images kept as URLs. Links open in a new tab without an opener.
 */
export function safeFragment(html: string): DocumentFragment {
  const template = document.createElement("template");
  template.innerHTML = html;
  for (const el of Array.from(template.content.querySelectorAll("*"))) {
    const tag = el.tagName.toLowerCase();
    if (BLOCKED.has(tag)) {
      el.remove();
      continue;
    }
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const bad =
        name.startsWith("on") ||
        (name === "style" && tag !== "td" && tag !== "th") ||
        (URL_ATTRIBUTES.has(name) && safeUrl(attr.value, tag === "img") === null);
      if (bad) el.removeAttribute(attr.name);
    }
    if (tag === "a" && el.hasAttribute("href")) {
      el.setAttribute("target", "_blank");
      el.setAttribute("rel", "noopener noreferrer");
    }
  }
  return template.content;
}

/** `url` when it is absolute http(s) or mailto (or, for an image, an inline raster image). */
function safeUrl(url: string, image: boolean): string | null {
  if (image && /^data:image\/(?:png|gif|jpeg|webp);/i.test(url)) return url;
  try {
    const { protocol } = new URL(url);
    return protocol === "http:" || protocol === "https:" || protocol === "mailto:" ? url : null;
  } catch {
    return null; // relative: the kernel resolves every link, so this is not one of its own
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
