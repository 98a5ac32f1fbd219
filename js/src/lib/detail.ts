/**
 * The detail pane of the focused model: its metadata, tags, a link to its Hub page and its
 * model card.
 *
 * The pane asks the kernel for the focused model (through `request`, debounced so that arrowing
 * through the grid sends one request when the focus rests) and shows the answer `{model, url,
 * record, card_html}`, or the words of a refused request. An answer about any model but the one
 * shown is dropped. The card arrives as HTML the kernel rendered from Markdown with raw HTML
 * disabled; it is checked again here (see `safeFragment`) before it enters the page.
 */
import { type Debounced, debounce } from "./debounce";
import { button, element, externalLink, hubUrl } from "./dom";
import { compactNumber, fullNumber } from "./format";

export type DetailValue = string | number | boolean | readonly string[] | null;

/** The kernel's answer to a detail request. */
export interface DetailReply {
  readonly model: string;
  readonly url?: string;
  readonly record?: Readonly<Record<string, DetailValue>>;
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
  /** The model shown (or being fetched). */
  private model = "";

  constructor(
    private readonly events: DetailEvents,
    options: DetailOptions = {},
  ) {
    const uid = `hw-detail-${++paneCount}`;
    this.cacheSize = options.cacheSize ?? 20;
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
    head.append(this.title, this.hubLink, close);

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
      return;
    }
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
    this.element.hidden = true;
  }

  destroy(): void {
    this.close();
    this.element.removeEventListener("keydown", this.onKeyDown);
  }

  /** An answer about `model`: shown when it is still the one asked for, dropped otherwise. */
  private receive(model: string, shown: Shown): void {
    if (model !== this.model || this.element.hidden) return;
    if (!("error" in shown)) this.remember(shown);
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
