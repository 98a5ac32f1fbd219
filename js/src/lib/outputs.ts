/**
 * How the Playground draws one model's output, the way its task calls for: score bars for
 * classification, highlighted spans for entities and answers, boxes and masks over the input
 * image, a transcript, a conversation, a generated image or sound, text.
 *
 * Outputs come from the widget's state (hubwidgets.core.inference.playground.cell_record):
 * binary parts (generated images and audio, segmentation masks) arrive as DataView.
 */
import { element } from "./dom";

export type Json = null | boolean | number | string | DataView | Json[] | { [key: string]: Json };

export interface Message {
  role: string;
  content: string;
}

/** The input a run used: the text spans are highlighted in, the image boxes are drawn over. */
export interface RunInput {
  text: string;
  context: string;
  imageUrl: string | null;
}

/** An object URL for binary output (`null` when `value` is not bytes); revoked by its owner. */
export type BlobUrl = (value: Json | undefined, mime: string) => string | null;

const CLASSIFICATION = new Set([
  "text-classification",
  "zero-shot-classification",
  "image-classification",
  "zero-shot-image-classification",
  "audio-classification",
]);
const TEXT_OUT = new Set(["text-generation", "summarization", "translation", "image-to-text"]);
const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6"];

interface Span {
  start: number;
  end: number;
  label: string;
  score?: number;
}

interface Piece {
  text: string;
  label: string | null;
  score?: number;
}

/** Pieces of `text` split at the spans, each span tagged with its label (spans may overlap or
 * run past the end: they are clipped and later overlapping ones dropped). */
export function splitSpans(text: string, spans: Span[]): Piece[] {
  const sorted = spans
    .filter((s) => Number.isFinite(s.start) && Number.isFinite(s.end) && s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const out: Piece[] = [];
  let at = 0;
  for (const span of sorted) {
    const start = Math.max(span.start, at);
    const end = Math.min(span.end, text.length);
    if (start >= end) continue;
    if (start > at) out.push({ text: text.slice(at, start), label: null });
    const piece: Piece = { text: text.slice(start, end), label: span.label };
    if (span.score !== undefined) piece.score = span.score;
    out.push(piece);
    at = end;
  }
  if (at < text.length) out.push({ text: text.slice(at), label: null });
  return out;
}

export function asRecord(value: Json | undefined): Record<string, Json> | null {
  return value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    !(value instanceof DataView)
    ? value
    : null;
}

function records(value: Json): Record<string, Json>[] {
  return Array.isArray(value) ? value.map(asRecord).filter((x) => x !== null) : [];
}

function num(value: Json | undefined): number {
  return typeof value === "number" ? value : Number.NaN;
}

function str(value: Json | undefined): string {
  return value === null || value === undefined ? "" : String(value);
}

/** A muted line of text. */
export function note(text: string): HTMLElement {
  const p = element("p", "hw-note");
  p.textContent = text;
  return p;
}

function colorOf(colors: Map<string, string>, label: string): string {
  if (!colors.has(label)) colors.set(label, PALETTE[colors.size % PALETTE.length] ?? "");
  return colors.get(label) ?? "";
}

function scoreBars(items: { label: string; score: number }[], name: string): HTMLElement {
  const list = element("ol", "hw-bars");
  list.setAttribute("aria-label", name);
  for (const item of items.slice(0, 8)) {
    const row = element("li", "hw-bar-row");
    const label = element("span", "hw-bar-label");
    label.textContent = item.label;
    label.title = item.label;
    const track = element("span", "hw-bar-track");
    const bar = element("span", "hw-bar");
    const pct = Number.isFinite(item.score) ? Math.max(0, Math.min(1, item.score)) * 100 : 0;
    bar.style.width = `${pct.toFixed(1)}%`;
    track.append(bar);
    const value = element("span", "hw-bar-value");
    value.textContent = Number.isFinite(item.score) ? item.score.toFixed(3) : "";
    row.append(label, track, value);
    list.append(row);
  }
  return list;
}

function highlighted(text: string, spans: Span[], colors: Map<string, string>): HTMLElement {
  const p = element("p", "hw-spans");
  for (const piece of splitSpans(text, spans)) {
    if (piece.label === null) {
      p.append(document.createTextNode(piece.text));
      continue;
    }
    const mark = element("mark", "hw-span");
    mark.style.setProperty("--hw-span-color", colorOf(colors, piece.label));
    mark.textContent = piece.text;
    const tag = element("span", "hw-span-label");
    tag.textContent = piece.label;
    mark.append(tag);
    if (piece.score !== undefined) mark.title = `${piece.label} ${piece.score.toFixed(3)}`;
    p.append(mark);
  }
  return p;
}

function legend(colors: Map<string, string>): HTMLElement {
  const list = element("ul", "hw-legend");
  list.setAttribute("aria-label", "Legend");
  for (const [label, color] of colors) {
    const item = element("li", "");
    const swatch = element("span", "hw-swatch");
    swatch.style.background = color;
    item.append(swatch, document.createTextNode(label));
    list.append(item);
  }
  return list;
}

/** Narrowest an image with boxes or masks over it is drawn (px). */
const MIN_OVERLAY_PX = 256;

function overImage(imageUrl: string | null): { box: HTMLElement; img: HTMLImageElement } | null {
  if (!imageUrl) return null;
  const box = element("div", "hw-overlay");
  const img = element("img", "hw-overlay-img");
  img.src = imageUrl;
  img.alt = "The input image";
  // a small image is drawn at least MIN_OVERLAY_PX wide, so its box labels do not pile up
  // (boxes and masks are placed in percent of the image and scale with it)
  const enlarge = (): void => {
    if (img.naturalWidth > 0 && img.naturalWidth < MIN_OVERLAY_PX) {
      img.style.width = `${MIN_OVERLAY_PX}px`;
    }
  };
  if (img.complete) enlarge();
  else img.addEventListener("load", enlarge, { once: true });
  box.append(img);
  return { box, img };
}

function detections(output: Json, input: RunInput): HTMLElement {
  const wrap = element("div", "hw-detections");
  const items = records(output);
  const colors = new Map<string, string>();
  const over = overImage(input.imageUrl);
  if (over) {
    const draw = (): void => {
      const w = over.img.naturalWidth || 1;
      const h = over.img.naturalHeight || 1;
      for (const det of items) {
        const box = asRecord(det.box);
        if (!box) continue;
        const label = str(det.label);
        const rect = element("div", "hw-box");
        rect.style.left = `${(num(box.xmin) / w) * 100}%`;
        rect.style.top = `${(num(box.ymin) / h) * 100}%`;
        rect.style.width = `${((num(box.xmax) - num(box.xmin)) / w) * 100}%`;
        rect.style.height = `${((num(box.ymax) - num(box.ymin)) / h) * 100}%`;
        rect.style.setProperty("--hw-span-color", colorOf(colors, label));
        const tag = element("span", "hw-box-label");
        tag.textContent = `${label} ${num(det.score).toFixed(2)}`;
        rect.append(tag);
        over.box.append(rect);
      }
    };
    if (over.img.complete && over.img.naturalWidth) draw();
    else over.img.addEventListener("load", draw, { once: true });
    wrap.append(over.box);
  }
  wrap.append(
    scoreBars(
      items.map((d) => ({ label: str(d.label), score: num(d.score) })),
      "Detections",
    ),
  );
  return wrap;
}

function segments(output: Json, input: RunInput, blob: BlobUrl): HTMLElement {
  const wrap = element("div", "hw-segments");
  const colors = new Map<string, string>();
  const over = overImage(input.imageUrl);
  for (const seg of records(output)) {
    const label = str(seg.label);
    const color = colorOf(colors, label);
    const url = over ? blob(seg.mask, "image/png") : null;
    if (over && url) {
      const layer = element("div", "hw-mask");
      layer.style.background = color;
      layer.style.setProperty("mask-image", `url("${url}")`);
      layer.style.setProperty("-webkit-mask-image", `url("${url}")`);
      layer.title = label;
      over.box.append(layer);
    }
  }
  if (over) wrap.append(over.box);
  wrap.append(legend(colors));
  return wrap;
}

function transcript(output: Json): HTMLElement {
  const record = asRecord(output) ?? {};
  const wrap = element("div", "hw-transcript");
  const p = element("p", "hw-generated");
  p.textContent = str(record.text);
  wrap.append(p);
  const chunks = Array.isArray(record.chunks) ? records(record.chunks) : [];
  if (chunks.length) {
    const list = element("ol", "hw-chunks");
    for (const chunk of chunks) {
      const stamp = Array.isArray(chunk.timestamp) ? chunk.timestamp : [];
      const item = element("li", "");
      const time = element("span", "hw-time");
      time.textContent = `${num(stamp[0] ?? null).toFixed(2)}–${num(stamp[1] ?? null).toFixed(2)} s`;
      item.append(time, document.createTextNode(` ${str(chunk.text)}`));
      list.append(item);
    }
    wrap.append(list);
  }
  return wrap;
}

function conversation(messages: Message[]): HTMLElement {
  const list = element("ol", "hw-chat");
  list.setAttribute("aria-label", "Conversation");
  for (const message of messages) {
    const item = element("li", `hw-chat-${message.role === "user" ? "user" : "assistant"}`);
    const who = element("span", "hw-chat-role");
    who.textContent = message.role;
    const text = element("span", "hw-chat-text");
    text.textContent = message.content;
    item.append(who, text);
    list.append(item);
  }
  return list;
}

/** The output of one model as its task shows it. */
export function renderOutput(
  task: string,
  output: Json,
  input: RunInput,
  blob: BlobUrl,
  chat: Message[] | undefined = undefined,
): HTMLElement {
  if (CLASSIFICATION.has(task) || task === "fill-mask") {
    const key = task === "fill-mask" ? "token_str" : "label";
    return scoreBars(
      records(output).map((x) => ({ label: str(x[key]), score: num(x.score) })),
      "Scores",
    );
  }
  if (task === "token-classification") {
    const items = records(output);
    const colors = new Map<string, string>();
    const wrap = element("div", "hw-ner");
    const spans = items.map((e) => ({
      start: num(e.start),
      end: num(e.end),
      label: str(e.entity_group ?? e.entity ?? null),
      score: num(e.score),
    }));
    wrap.append(highlighted(input.text, spans, colors));
    if (!items.length) wrap.append(note("No entities found."));
    wrap.append(legend(colors));
    return wrap;
  }
  if (task === "question-answering") {
    const best = records(output)[0];
    if (!best) return note("No answer.");
    const wrap = element("div", "hw-qa");
    const answer = element("p", "hw-answer");
    answer.textContent = `${str(best.answer)} (${num(best.score).toFixed(3)})`;
    const span = { start: num(best.start), end: num(best.end), label: "answer" };
    wrap.append(answer, highlighted(input.context, [span], new Map([["answer", "#f5c518"]])));
    return wrap;
  }
  if (task === "sentence-similarity") {
    const scores = Array.isArray(output) ? output.map((x) => num(x)) : [];
    const sentences = input.text
      .split("\n")
      .filter((line) => line.trim())
      .slice(1);
    return scoreBars(
      scores.map((score, k) => ({ label: sentences[k] ?? `sentence ${k + 1}`, score })),
      "Similarity",
    );
  }
  if (task === "chat-completion") {
    if (chat?.length) return conversation(chat);
    return conversation([{ role: "assistant", content: str(asRecord(output)?.content) }]);
  }
  if (task === "object-detection") return detections(output, input);
  if (task === "image-segmentation") return segments(output, input, blob);
  if (task === "automatic-speech-recognition") return transcript(output);
  if (task === "text-to-image") {
    const url = blob(asRecord(output)?.image, "image/png");
    const img = element("img", "hw-generated-image");
    if (url) img.src = url;
    img.alt = `Image generated from: ${input.text}`;
    return img;
  }
  if (task === "text-to-speech") {
    const url = blob(asRecord(output)?.audio, "audio/wav");
    const audio = element("audio", "hw-audio");
    audio.controls = true;
    if (url) audio.src = url;
    audio.setAttribute("aria-label", "Generated speech");
    return audio;
  }
  if (TEXT_OUT.has(task)) {
    const record = asRecord(output) ?? {};
    const p = element("p", "hw-generated");
    p.textContent = str(
      record.generated_text ?? record.summary_text ?? record.translation_text ?? null,
    );
    return p;
  }
  if (task === "feature-extraction" && Array.isArray(output)) {
    const first = output[0];
    const dims = Array.isArray(first) ? first.length : 0;
    return note(
      dims
        ? `${output.length} tokens × ${dims} dimensions`
        : `${output.length} dimensions (pooled)`,
    );
  }
  const pre = element("pre", "hw-json");
  pre.textContent = JSON.stringify(
    output,
    (_key, value: unknown) => (value instanceof DataView ? `<${value.byteLength} bytes>` : value),
    1,
  );
  return pre;
}
