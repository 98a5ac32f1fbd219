/**
 * Front-end of hubwidgets.Playground: an input picked from the task (a prompt, a chat message,
 * a question and its context, an image or a sound), a Run button, and one cell per model with
 * its output, latency, backend and any error.
 *
 * Files travel to the kernel in chunks (`{"type": "upload", ...}` + one buffer of at most
 * `_chunk_bytes`); the kernel answers `uploaded` or `upload_error`. A run is one `{"type": "run"}`
 * message; the kernel answers `start`, then `piece` messages (streamed text) and one `cell`
 * message per model (binary parts of the output as buffers), then `done`. See
 * hubwidgets/widgets/playground.py for the message shapes.
 */
import type { RenderProps } from "@anywidget/types";
import { element } from "./lib/dom";

/** The synced traits of Playground (see hubwidgets/widgets/playground.py). */
interface PlaygroundState {
  task: string;
  models: string[];
  params: Record<string, unknown>;
  stream: boolean;
  status: string;
  error: string;
  running: boolean;
  _input_kind: string;
  _samples: Sample[];
  _tasks: string[];
  _online: boolean;
  _max_file_bytes: number;
  _chunk_bytes: number;
  _needs_labels: boolean;
  _backend_name: string;
  _run_info: RunInfo | Record<string, never>;
  _echo_image: DataView | ArrayBuffer | null;
}

/** What the kernel says of the run in progress (see hubwidgets/widgets/playground.py). */
interface RunInfo {
  run: number;
  models: string[];
  stream: boolean;
  text: string;
  echo: boolean;
}

interface Sample {
  label: string;
  text?: string;
  question?: string;
  context?: string;
  file?: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface CellMessage {
  type: "cell";
  run: number;
  index: number;
  model: string;
  backend: string;
  provider: string;
  latency_ms: number | null;
  error: string;
  fell_back_from: string;
  input: string;
  output: Json;
  conversation?: { role: string; content: string }[];
  run_info?: RunInfo;
}

/** The input a run used, kept by the page to draw over (images) or highlight in (texts). */
interface RunInput {
  text: string;
  context: string;
  imageUrl: string | null;
}

const CLASSIFICATION = new Set([
  "text-classification",
  "zero-shot-classification",
  "image-classification",
  "zero-shot-image-classification",
  "audio-classification",
]);
const TEXT_OUT = new Set(["text-generation", "summarization", "translation", "image-to-text"]);
const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6"];

let widgetCount = 0;

// -- pure helpers (exported for the tests) --------------------------------------------------------

/** "1.2 MB"-style sizes. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Pieces of `text` split at the spans, each span tagged with its label (spans may overlap or
 * run past the end: they are clipped and later overlapping ones dropped). */
export function splitSpans(
  text: string,
  spans: { start: number; end: number; label: string; score?: number }[],
): { text: string; label: string | null; score?: number }[] {
  const sorted = spans
    .filter((s) => Number.isFinite(s.start) && Number.isFinite(s.end) && s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const out: { text: string; label: string | null; score?: number }[] = [];
  let at = 0;
  for (const span of sorted) {
    const start = Math.max(span.start, at);
    const end = Math.min(span.end, text.length);
    if (start >= end) continue;
    if (start > at) out.push({ text: text.slice(at, start), label: null });
    const piece: { text: string; label: string | null; score?: number } = {
      text: text.slice(start, end),
      label: span.label,
    };
    if (span.score !== undefined) piece.score = span.score;
    out.push(piece);
    at = end;
  }
  if (at < text.length) out.push({ text: text.slice(at), label: null });
  return out;
}

/** 16-bit PCM mono WAV bytes of `samples` (floats in [-1, 1]) at `rate` Hz. */
export function encodeWav(samples: Float32Array, rate: number): ArrayBuffer {
  const buffer = new ArrayBuffer(44 + samples.length * 2);
  const view = new DataView(buffer);
  const ascii = (offset: number, text: string): void => {
    for (let i = 0; i < text.length; i++) view.setUint8(offset + i, text.charCodeAt(i));
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i] ?? 0));
    view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
  }
  return buffer;
}

/** The chunks of a file of `size` bytes: [offset, end) pairs of at most `chunk` bytes. */
export function chunkRanges(size: number, chunk: number): [number, number][] {
  const out: [number, number][] = [];
  const step = Math.max(1, chunk);
  for (let offset = 0; offset < size; offset += step)
    out.push([offset, Math.min(size, offset + step)]);
  if (size === 0) out.push([0, 0]);
  return out;
}

function asRecord(value: Json | undefined): Record<string, Json> | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : null;
}

function num(value: Json | undefined): number {
  return typeof value === "number" ? value : Number.NaN;
}

function str(value: Json | undefined): string {
  return value === null || value === undefined ? "" : String(value);
}

function blobUrl(buffers: DataView[], ref: Json | undefined, fallbackMime: string): string | null {
  const record = asRecord(ref);
  if (!record || typeof record.$buffer !== "number") return null;
  const view = buffers[record.$buffer];
  if (!view) return null;
  const mime = typeof record.mime === "string" ? record.mime : fallbackMime;
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  return URL.createObjectURL(new Blob([bytes.slice()], { type: mime }));
}

// -- output renderers ------------------------------------------------------------------------------

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

function highlighted(
  text: string,
  spans: { start: number; end: number; label: string; score?: number }[],
  colors: Map<string, string>,
): HTMLElement {
  const p = element("p", "hw-spans");
  for (const piece of splitSpans(text, spans)) {
    if (piece.label === null) {
      p.append(document.createTextNode(piece.text));
      continue;
    }
    const mark = element("mark", "hw-span");
    if (!colors.has(piece.label))
      colors.set(piece.label, PALETTE[colors.size % PALETTE.length] ?? "");
    mark.style.setProperty("--hw-span-color", colors.get(piece.label) ?? "");
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

function overImage(imageUrl: string | null): { box: HTMLElement; img: HTMLImageElement } | null {
  if (!imageUrl) return null;
  const box = element("div", "hw-overlay");
  const img = element("img", "hw-overlay-img");
  img.src = imageUrl;
  img.alt = "The input image";
  box.append(img);
  return { box, img };
}

function detections(output: Json, input: RunInput): HTMLElement {
  const wrap = element("div", "hw-detections");
  const items = Array.isArray(output) ? output.map(asRecord).filter((x) => x !== null) : [];
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
        if (!colors.has(label)) colors.set(label, PALETTE[colors.size % PALETTE.length] ?? "");
        const rect = element("div", "hw-box");
        rect.style.left = `${(num(box.xmin) / w) * 100}%`;
        rect.style.top = `${(num(box.ymin) / h) * 100}%`;
        rect.style.width = `${((num(box.xmax) - num(box.xmin)) / w) * 100}%`;
        rect.style.height = `${((num(box.ymax) - num(box.ymin)) / h) * 100}%`;
        rect.style.setProperty("--hw-span-color", colors.get(label) ?? "");
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

function segments(output: Json, input: RunInput, buffers: DataView[]): HTMLElement {
  const wrap = element("div", "hw-segments");
  const items = Array.isArray(output) ? output.map(asRecord).filter((x) => x !== null) : [];
  const colors = new Map<string, string>();
  const over = overImage(input.imageUrl);
  for (const seg of items) {
    const label = str(seg.label);
    if (!colors.has(label)) colors.set(label, PALETTE[colors.size % PALETTE.length] ?? "");
    const url = blobUrl(buffers, seg.mask, "image/png");
    if (over && url) {
      const layer = element("div", "hw-mask");
      layer.style.background = colors.get(label) ?? "";
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
  const chunks = Array.isArray(record.chunks) ? record.chunks.map(asRecord) : [];
  if (chunks.length) {
    const list = element("ol", "hw-chunks");
    for (const chunk of chunks) {
      if (!chunk) continue;
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

function conversation(messages: { role: string; content: string }[]): HTMLElement {
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

/** The output of one model as the task shows it. */
export function renderOutput(
  task: string,
  output: Json,
  input: RunInput,
  buffers: DataView[],
  extra: { conversation?: { role: string; content: string }[] } = {},
): HTMLElement {
  if (CLASSIFICATION.has(task) || task === "fill-mask") {
    const items = Array.isArray(output) ? output.map(asRecord).filter((x) => x !== null) : [];
    const key = task === "fill-mask" ? "token_str" : "label";
    return scoreBars(
      items.map((x) => ({ label: str(x[key]), score: num(x.score) })),
      "Scores",
    );
  }
  if (task === "token-classification") {
    const items = Array.isArray(output) ? output.map(asRecord).filter((x) => x !== null) : [];
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
    const items = Array.isArray(output) ? output.map(asRecord).filter((x) => x !== null) : [];
    const best = items[0];
    const wrap = element("div", "hw-qa");
    if (!best) return note("No answer.");
    const answer = element("p", "hw-answer");
    answer.textContent = `${str(best.answer)} (${num(best.score).toFixed(3)})`;
    wrap.append(
      answer,
      highlighted(
        input.context,
        [{ start: num(best.start), end: num(best.end), label: "answer" }],
        new Map([["answer", "#f5c518"]]),
      ),
    );
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
    if (extra.conversation?.length) return conversation(extra.conversation);
    const record = asRecord(output) ?? {};
    return conversation([{ role: "assistant", content: str(record.content) }]);
  }
  if (task === "object-detection") return detections(output, input);
  if (task === "image-segmentation") return segments(output, input, buffers);
  if (task === "automatic-speech-recognition") return transcript(output);
  if (task === "text-to-image") {
    const url = blobUrl(buffers, asRecord(output)?.image, "image/png");
    const img = element("img", "hw-generated-image");
    if (url) img.src = url;
    img.alt = `Image generated from: ${input.text}`;
    return img;
  }
  if (task === "text-to-speech") {
    const url = blobUrl(buffers, asRecord(output)?.audio, "audio/wav");
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
    const rows = output.length;
    const first = output[0];
    const dims = Array.isArray(first) ? first.length : 0;
    return note(dims ? `${rows} tokens × ${dims} dimensions` : `${rows} dimensions (pooled)`);
  }
  const pre = element("pre", "hw-json");
  pre.textContent = JSON.stringify(output, null, 1);
  return pre;
}

function note(text: string): HTMLElement {
  const p = element("p", "hw-note");
  p.textContent = text;
  return p;
}

// -- the widget ----------------------------------------------------------------------------------

function render({ model, el }: RenderProps<PlaygroundState>): () => void {
  // anywidget may load this module once per widget, so a counter alone can repeat: add a random part
  const uid = `hw-playground-${++widgetCount}-${Math.random().toString(36).slice(2, 8)}`;
  const cleanups: (() => void)[] = [];
  const urls: string[] = [];
  const on = (event: `change:${keyof PlaygroundState & string}`, callback: () => void): void => {
    model.on(event, callback);
    cleanups.push(() => model.off(event, callback));
  };

  const root = element("div", "hubwidgets-playground");
  el.replaceChildren(root);

  // -- toolbar: task, status -------------------------------------------------------------------
  const toolbar = element("div", "hw-toolbar");
  const taskLabel = element("label", "hw-field");
  taskLabel.textContent = "Task ";
  const taskSelect = element("select", "hw-task");
  taskLabel.append(taskSelect);
  const status = element("div", "hw-status");
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  toolbar.append(taskLabel, status);

  // -- input -----------------------------------------------------------------------------------
  const form = element("form", "hw-input");
  form.setAttribute("aria-label", "Input");
  const fields = element("div", "hw-fields");
  const actions = element("div", "hw-actions");
  const run = element("button", "hw-button hw-run");
  run.type = "submit";
  run.textContent = "Run";
  const stop = element("button", "hw-button hw-stop");
  stop.type = "button";
  stop.textContent = "Stop";
  const resetChat = element("button", "hw-button hw-reset");
  resetChat.type = "button";
  resetChat.textContent = "Clear chat";
  const hint = element("span", "hw-hint");
  hint.setAttribute("aria-live", "polite");
  actions.append(run, stop, resetChat, hint);
  form.append(fields, actions);

  const grid = element("div", "hw-cells");
  grid.setAttribute("aria-label", "Outputs");
  grid.setAttribute("role", "list");
  root.append(toolbar, form, grid);

  // what the current input fields are, rebuilt when the task changes
  let textArea: HTMLTextAreaElement | null = null;
  let question: HTMLInputElement | null = null;
  let labels: HTMLInputElement | null = null;
  let fileId: string | null = null;
  let fileUrl: string | null = null; // the chosen image, for boxes and masks
  let pendingUpload: string | null = null;
  let uploadSeq = 0;
  let preview: HTMLElement | null = null;

  const field = (label: string, control: HTMLElement, name: string): HTMLElement => {
    const box = element("div", "hw-field");
    const lab = element("label", "");
    lab.textContent = label;
    control.id = `${uid}-${name}`;
    lab.htmlFor = control.id;
    box.append(lab, control);
    return box;
  };

  const showPreview = (name: string, url: string | null, mime: string, size: number): void => {
    if (!preview) return;
    preview.replaceChildren();
    const kind = model.get("_input_kind");
    if (url && kind === "image" && (!mime || mime.startsWith("image/"))) {
      const img = element("img", "hw-preview-img");
      img.src = url;
      img.alt = `Chosen image: ${name}`;
      preview.append(img);
    } else if (url && kind === "audio" && (!mime || mime.startsWith("audio/"))) {
      const audio = element("audio", "hw-audio");
      audio.controls = true;
      audio.src = url;
      audio.setAttribute("aria-label", `Chosen sound: ${name}`);
      preview.append(audio);
    }
    const caption = element("span", "hw-file-name");
    caption.textContent = `${name} · ${formatBytes(size)}${mime ? ` · ${mime}` : ""}`;
    preview.append(caption);
  };

  const sendFile = async (file: Blob, name: string): Promise<void> => {
    const limit = model.get("_max_file_bytes");
    if (file.size > limit) {
      hint.textContent = `${name} is ${formatBytes(file.size)}: the playground takes files up to ${formatBytes(limit)}`;
      return;
    }
    const id = `u${++uploadSeq}-${Date.now()}`;
    pendingUpload = id;
    fileId = null;
    if (fileUrl) URL.revokeObjectURL(fileUrl);
    fileUrl = URL.createObjectURL(file);
    urls.push(fileUrl);
    showPreview(name, fileUrl, file.type, file.size);
    hint.textContent = `Sending ${name}…`;
    const bytes = await file.arrayBuffer();
    for (const [start, end] of chunkRanges(bytes.byteLength, model.get("_chunk_bytes"))) {
      model.send(
        { type: "upload", id, name, mime: file.type, size: bytes.byteLength, offset: start },
        undefined,
        [bytes.slice(start, end)],
      );
    }
  };

  const buildFields = (): void => {
    fields.replaceChildren();
    textArea = null;
    question = null;
    labels = null;
    fileId = null;
    preview = null;
    const kind = model.get("_input_kind");
    const samples = model.get("_samples") ?? [];
    resetChat.hidden = kind !== "chat";
    if (kind === "image" || kind === "audio") {
      const noun = kind === "image" ? "image" : "audio file";
      const drop = element("div", "hw-drop");
      drop.tabIndex = 0;
      drop.setAttribute("role", "group");
      drop.setAttribute("aria-label", `Drop, paste or choose an ${noun}`);
      drop.textContent = `Drop an ${noun} here, paste one, or `;
      const input = element("input", "hw-file");
      input.type = "file";
      input.accept = kind === "image" ? "image/*" : "audio/*";
      const chooser = field(`Choose an ${noun}`, input, "file");
      drop.append(chooser);
      input.addEventListener("change", () => {
        const file = input.files?.[0];
        if (file) void sendFile(file, file.name);
      });
      drop.addEventListener("dragover", (event) => {
        event.preventDefault();
        drop.classList.add("hw-dragging");
      });
      drop.addEventListener("dragleave", () => drop.classList.remove("hw-dragging"));
      drop.addEventListener("drop", (event) => {
        event.preventDefault();
        drop.classList.remove("hw-dragging");
        const file = event.dataTransfer?.files?.[0];
        if (file) void sendFile(file, file.name);
      });
      drop.addEventListener("paste", (event) => {
        const file = event.clipboardData?.files?.[0];
        if (file) {
          event.preventDefault();
          void sendFile(file, file.name || `pasted.${kind === "image" ? "png" : "wav"}`);
        }
      });
      fields.append(drop);
      if (kind === "audio") fields.append(recorder());
      if (model.get("_online")) {
        const url = element("input", "hw-url");
        url.type = "url";
        url.placeholder = "https://…";
        const fetchButton = element("button", "hw-button");
        fetchButton.type = "button";
        fetchButton.textContent = "Fetch";
        fetchButton.addEventListener("click", () => {
          pendingUpload = "url";
          hint.textContent = "Fetching…";
          model.send({ type: "url", url: url.value });
        });
        const row = field(`Or an ${noun} from the web (URL)`, url, "url");
        row.append(fetchButton);
        fields.append(row);
      }
      if (samples.length) {
        const row = element("div", "hw-samples");
        row.setAttribute("role", "group");
        row.setAttribute("aria-label", "Samples");
        samples.forEach((sample, k) => {
          const b = element("button", "hw-button hw-sample");
          b.type = "button";
          b.textContent = sample.label;
          b.addEventListener("click", () => {
            pendingUpload = "sample";
            hint.textContent = `Loading ${sample.label}…`;
            model.send({ type: "sample", index: k });
          });
          row.append(b);
        });
        fields.append(row);
      }
      preview = element("div", "hw-preview");
      fields.append(preview);
    } else {
      if (kind === "qa") {
        question = element("input", "hw-question");
        question.type = "text";
        fields.append(field("Question", question, "question"));
      }
      textArea = element("textarea", "hw-prompt");
      textArea.rows = kind === "qa" ? 4 : 3;
      const label =
        kind === "qa"
          ? "Context"
          : kind === "chat"
            ? "Message"
            : kind === "similarity"
              ? "Sentences (the first is compared with the others, one a line)"
              : "Prompt";
      fields.append(field(label, textArea, "text"));
      textArea.addEventListener("keydown", (event) => {
        if (
          event.key === "Enter" &&
          (event.ctrlKey || event.metaKey || kind === "chat") &&
          !event.shiftKey
        ) {
          event.preventDefault();
          form.requestSubmit();
        }
      });
      if (samples.length) {
        const row = element("div", "hw-samples");
        row.setAttribute("role", "group");
        row.setAttribute("aria-label", "Sample prompts");
        for (const sample of samples) {
          const b = element("button", "hw-button hw-sample");
          b.type = "button";
          b.textContent = sample.label.length > 48 ? `${sample.label.slice(0, 47)}…` : sample.label;
          b.title = sample.label;
          b.addEventListener("click", () => {
            if (question) question.value = sample.question ?? "";
            if (textArea) textArea.value = sample.context ?? sample.text ?? "";
            textArea?.focus();
          });
          row.append(b);
        }
        fields.append(row);
      }
    }
    if (model.get("_needs_labels")) {
      labels = element("input", "hw-labels");
      labels.type = "text";
      const given = model.get("params")?.candidate_labels;
      labels.value = Array.isArray(given) ? given.join(", ") : "";
      fields.append(field("Candidate labels (comma-separated)", labels, "labels"));
    }
  };

  const recorder = (): HTMLElement => {
    const b = element("button", "hw-button hw-record");
    b.type = "button";
    b.textContent = "Record";
    b.setAttribute("aria-pressed", "false");
    let recording: MediaRecorder | null = null;
    b.addEventListener("click", () => {
      if (recording) {
        recording.stop();
        return;
      }
      if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === "undefined") {
        hint.textContent =
          "This browser cannot record here (it needs a secure page and a microphone)";
        return;
      }
      void navigator.mediaDevices.getUserMedia({ audio: true }).then(
        (media) => {
          const chunks: Blob[] = [];
          const rec = new MediaRecorder(media);
          recording = rec;
          rec.addEventListener("dataavailable", (event) => chunks.push(event.data));
          rec.addEventListener("stop", () => {
            recording = null;
            b.textContent = "Record";
            b.setAttribute("aria-pressed", "false");
            for (const track of media.getTracks()) track.stop();
            void toWav(new Blob(chunks, { type: rec.mimeType })).then(
              (wav) => sendFile(wav, "recording.wav"),
              () => {
                hint.textContent = "The recording could not be decoded";
              },
            );
          });
          rec.start();
          b.textContent = "Stop recording";
          b.setAttribute("aria-pressed", "true");
        },
        (err: unknown) => {
          hint.textContent = `No microphone: ${String(err)}`;
        },
      );
    });
    return b;
  };

  // -- the run ---------------------------------------------------------------------------------
  let currentRun = 0;
  let runInput: RunInput = { text: "", context: "", imageUrl: null };
  const cells: {
    root: HTMLElement;
    body: HTMLElement;
    meta: HTMLElement;
    streamed: Text | null;
  }[] = [];

  const drawCells = (ids: string[]): void => {
    grid.replaceChildren();
    cells.length = 0;
    grid.style.setProperty("--hw-columns", String(Math.min(Math.max(ids.length, 1), 3)));
    for (const id of ids) {
      const cell = element("section", "hw-cell hw-pending");
      cell.setAttribute("role", "listitem");
      cell.dataset.model = id;
      const head = element("h3", "hw-cell-model");
      head.textContent = id;
      head.title = id;
      const meta = element("div", "hw-cell-meta");
      meta.textContent = "waiting…";
      const body = element("div", "hw-cell-body");
      cell.setAttribute("aria-label", id);
      cell.append(head, meta, body);
      grid.append(cell);
      cells.push({ root: cell, body, meta, streamed: null });
    }
  };

  const onCell = (message: CellMessage, buffers: DataView[]): void => {
    // a quick run's first cell brings the run's layout itself (no "running" state before it)
    if (message.run_info) applyRunInfo(message.run_info);
    const cell = cells[message.index];
    if (!cell || message.run !== currentRun) return;
    cell.root.classList.remove("hw-pending", "hw-streaming");
    const parts: string[] = [];
    if (message.latency_ms !== null) parts.push(`${message.latency_ms.toFixed(0)} ms`);
    const served = [message.backend, message.provider].filter(Boolean).join(" / ");
    if (served) parts.push(served);
    cell.meta.textContent = parts.join(" · ");
    cell.body.replaceChildren();
    cell.streamed = null;
    if (message.fell_back_from) {
      const fb = element("p", "hw-fallback");
      fb.textContent = `Answered by ${message.backend || "another backend"} after: ${message.fell_back_from}`;
      cell.body.append(fb);
    }
    if (message.error) {
      cell.root.classList.add("hw-failed");
      const err = element("p", "hw-error");
      err.setAttribute("role", "alert");
      err.textContent = message.error;
      cell.body.append(err);
      return;
    }
    cell.root.classList.add("hw-done");
    const extra = message.conversation ? { conversation: message.conversation } : {};
    cell.body.append(renderOutput(model.get("task"), message.output, runInput, buffers, extra));
    const rec = asRecord(message.output);
    if (rec?.stopped === true) cell.body.append(note("Stopped."));
  };

  const onPiece = (message: { run: number; index: number; text: string }): void => {
    const cell = cells[message.index];
    if (!cell || message.run !== currentRun) return;
    if (!cell.streamed) {
      cell.root.classList.remove("hw-pending");
      cell.root.classList.add("hw-streaming");
      cell.meta.textContent = "streaming…";
      const p = element("p", "hw-generated");
      cell.streamed = document.createTextNode("");
      p.append(cell.streamed);
      cell.body.replaceChildren(p);
    }
    cell.streamed.appendData(message.text);
  };

  const applyRunInfo = (info: RunInfo | Record<string, never> | undefined): void => {
    if (!info || !("run" in info)) return;
    if (info.run === currentRun) return;
    currentRun = info.run;
    if (info.echo) {
      // a run started from Python: the page did not choose this input
      const echo = model.get("_echo_image");
      let imageUrl: string | null = null;
      if (echo && echo.byteLength > 0) {
        const view = echo instanceof DataView ? echo : new DataView(echo);
        const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
        imageUrl = URL.createObjectURL(new Blob([bytes]));
        urls.push(imageUrl);
      }
      runInput = { text: info.text, context: info.text, imageUrl };
    }
    drawCells(info.models ?? []);
  };
  const onRunInfo = (): void => applyRunInfo(model.get("_run_info"));

  const onMessage = (message: Record<string, unknown>, buffers: DataView[]): void => {
    switch (message.type) {
      case "piece":
        onPiece(message as unknown as { run: number; index: number; text: string });
        break;
      case "cell":
        onCell(message as unknown as CellMessage, buffers);
        break;
      case "uploaded": {
        const id = String(message.id);
        const name = String(message.name);
        if (pendingUpload === id) {
          fileId = id;
          pendingUpload = null;
          hint.textContent = `${name} ready (${formatBytes(Number(message.size))})`;
        } else if (pendingUpload === "sample" || pendingUpload === "url") {
          fileId = id;
          pendingUpload = null;
          const view = buffers[0];
          if (view) {
            const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
            if (fileUrl) URL.revokeObjectURL(fileUrl);
            fileUrl = URL.createObjectURL(new Blob([bytes], { type: String(message.mime) }));
            urls.push(fileUrl);
          }
          showPreview(name, fileUrl, String(message.mime), Number(message.size));
          hint.textContent = `${name} ready`;
        }
        break;
      }
      case "upload_error":
        if (pendingUpload === String(message.id) || pendingUpload === "url") {
          pendingUpload = null;
          fileId = null;
        }
        hint.textContent = String(message.message);
        break;
      default:
        break;
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (model.get("running")) return;
    const kind = model.get("_input_kind");
    const text = textArea?.value ?? "";
    const content: Record<string, unknown> = { type: "run", text };
    if (question) content.question = question.value;
    if (kind === "qa") content.context = text;
    if (labels) content.labels = labels.value;
    if (kind === "image" || kind === "audio") {
      if (pendingUpload) {
        hint.textContent = "The file is still being sent: try again in a moment";
        return;
      }
      content.file = fileId;
    }
    runInput = { text, context: text, imageUrl: kind === "image" ? fileUrl : null };
    hint.textContent = "";
    model.send(content);
    if (kind === "chat" && textArea) textArea.value = "";
  });
  stop.addEventListener("click", () => model.send({ type: "stop" }));
  resetChat.addEventListener("click", () => {
    model.send({ type: "reset_chat" });
    grid.replaceChildren();
  });

  // -- traits -> page ----------------------------------------------------------------------------
  const showTasks = (): void => {
    const tasks = model.get("_tasks") ?? [];
    taskSelect.replaceChildren(
      ...tasks.map((t) => {
        const option = element("option", "");
        option.value = t;
        option.textContent = t;
        return option;
      }),
    );
    taskSelect.value = model.get("task");
  };
  taskSelect.addEventListener("change", () => {
    model.set("task", taskSelect.value);
    model.save_changes();
  });
  const showStatus = (): void => {
    const error = model.get("error");
    status.textContent = model.get("status");
    status.classList.toggle("hw-status-error", Boolean(error));
  };
  const showRunning = (): void => {
    const running = model.get("running");
    run.disabled = running;
    stop.hidden = !running;
    root.classList.toggle("hw-running", running);
  };
  const showTask = (): void => {
    taskSelect.value = model.get("task");
    buildFields();
    grid.replaceChildren();
  };

  const handler = (message: unknown, buffers: DataView[]): void =>
    onMessage(message as Record<string, unknown>, buffers);
  model.on("msg:custom", handler);
  cleanups.push(() => model.off("msg:custom", handler));
  on("change:_tasks", showTasks);
  on("change:task", showTask);
  on("change:_input_kind", showTask);
  on("change:_samples", buildFields);
  on("change:_needs_labels", buildFields);
  on("change:_online", buildFields);
  on("change:status", showStatus);
  on("change:error", showStatus);
  on("change:running", showRunning);
  on("change:_run_info", onRunInfo);

  showTasks();
  buildFields();
  showStatus();
  showRunning();
  model.send({ type: "view" });

  return () => {
    for (const cleanup of cleanups) cleanup();
    for (const url of urls) URL.revokeObjectURL(url);
  };
}

/** A recording (webm/ogg from MediaRecorder) decoded by the browser and encoded as WAV, which
 * the kernel's soundfile reads (it cannot read webm). */
async function toWav(blob: Blob): Promise<Blob> {
  const context = new AudioContext();
  try {
    const audio = await context.decodeAudioData(await blob.arrayBuffer());
    const mono = new Float32Array(audio.length);
    for (let c = 0; c < audio.numberOfChannels; c++) {
      const data = audio.getChannelData(c);
      for (let i = 0; i < data.length; i++)
        mono[i] = (mono[i] ?? 0) + (data[i] ?? 0) / audio.numberOfChannels;
    }
    return new Blob([encodeWav(mono, audio.sampleRate)], { type: "audio/wav" });
  } finally {
    void context.close();
  }
}

export default { render };
