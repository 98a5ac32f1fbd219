/**
 * The Playground's input fields, as the task asks (`_input_kind`): a prompt, a chat message, a
 * question and its context, sentences to compare, or a file (chosen, dropped, pasted, recorded,
 * fetched from a URL or picked among the samples); candidate labels when the task needs them.
 */
import { recorderButton } from "./audio";
import { button, element, labelled } from "./dom";
import { formatBytes } from "./upload";

/** A built-in sample as the kernel lists it (`_samples`). */
export interface Sample {
  label: string;
  text?: string;
  question?: string;
  context?: string;
  file?: boolean;
}

/** What the fields report to the widget. */
export interface InputEvents {
  /** A file the person chose, dropped, pasted or recorded. */
  file(file: Blob, name: string): void;
  /** A built-in sample file. */
  sample(index: number): void;
  /** A file from the web. */
  url(url: string): void;
  /** Enter in a chat, Ctrl+Enter elsewhere: run. */
  submit(): void;
  /** Words for the hint line. */
  say(text: string): void;
}

export interface InputOptions {
  kind: string;
  samples: readonly Sample[];
  online: boolean;
  /** The candidate labels field's first value; null when the task takes none. */
  labels: readonly string[] | null;
}

/** The text parts of a run request (the file goes by id). */
export interface TextInput {
  text: string;
  question?: string;
  context?: string;
  labels?: string;
}

const TEXT_LABELS: Record<string, string> = {
  qa: "Context",
  chat: "Message",
  similarity: "Sentences (the first is compared with the others, one a line)",
};

export class InputFields {
  readonly el: HTMLElement;
  private readonly uid: string;
  private readonly events: InputEvents;
  private kind = "text";
  private textArea: HTMLTextAreaElement | null = null;
  private question: HTMLInputElement | null = null;
  private labels: HTMLInputElement | null = null;
  private preview: HTMLElement | null = null;

  constructor(uid: string, events: InputEvents) {
    this.el = element("div", "hw-fields");
    this.uid = uid;
    this.events = events;
  }

  /** Rebuild the fields for a task. */
  build({ kind, samples, online, labels }: InputOptions): void {
    this.el.replaceChildren();
    this.kind = kind;
    this.textArea = null;
    this.question = null;
    this.labels = null;
    this.preview = null;
    if (kind === "image" || kind === "audio") this.fileFields(kind, samples, online);
    else this.textFields(kind, samples);
    if (labels !== null) {
      this.labels = element("input", "hw-labels");
      this.labels.type = "text";
      this.labels.value = labels.join(", ");
      this.el.append(
        labelled(`${this.uid}-labels`, "Candidate labels (comma-separated)", this.labels),
      );
    }
  }

  /** The text parts of the input as the run request sends them. */
  read(): TextInput {
    const text = this.textArea?.value ?? "";
    const out: TextInput = { text };
    if (this.question) out.question = this.question.value;
    if (this.kind === "qa") out.context = text;
    if (this.labels) out.labels = this.labels.value;
    return out;
  }

  /** Empty the message box (a chat message was sent). */
  clearMessage(): void {
    if (this.kind === "chat" && this.textArea) this.textArea.value = "";
  }

  /** Show the chosen file: the image or a player, its name, size and type. */
  showPreview(name: string, url: string | null, mime: string, size: number): void {
    const preview = this.preview;
    if (!preview) return;
    preview.replaceChildren();
    if (url && this.kind === "image" && (!mime || mime.startsWith("image/"))) {
      const img = element("img", "hw-preview-img");
      img.src = url;
      img.alt = `Chosen image: ${name}`;
      preview.append(img);
    } else if (url && this.kind === "audio" && (!mime || mime.startsWith("audio/"))) {
      const audio = element("audio", "hw-audio");
      audio.controls = true;
      audio.src = url;
      audio.setAttribute("aria-label", `Chosen sound: ${name}`);
      preview.append(audio);
    }
    const caption = element("span", "hw-file-name");
    caption.textContent = `${name} · ${formatBytes(size)}${mime ? ` · ${mime}` : ""}`;
    preview.append(caption);
  }

  private fileFields(kind: string, samples: readonly Sample[], online: boolean): void {
    const noun = kind === "image" ? "image" : "audio file";
    const events = this.events;
    const drop = element("div", "hw-drop");
    drop.tabIndex = 0;
    drop.setAttribute("role", "group");
    drop.setAttribute("aria-label", `Drop, paste or choose an ${noun}`);
    drop.textContent = `Drop an ${noun} here, paste one, or `;
    const input = element("input", "hw-file");
    input.type = "file";
    input.accept = kind === "image" ? "image/*" : "audio/*";
    drop.append(labelled(`${this.uid}-file`, `Choose an ${noun}`, input));
    input.addEventListener("change", () => {
      const file = input.files?.[0];
      if (file) events.file(file, file.name);
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
      if (file) events.file(file, file.name);
    });
    drop.addEventListener("paste", (event) => {
      const file = event.clipboardData?.files?.[0];
      if (file) {
        event.preventDefault();
        events.file(file, file.name || `pasted.${kind === "image" ? "png" : "wav"}`);
      }
    });
    this.el.append(drop);
    if (kind === "audio") {
      this.el.append(recorderButton((wav) => events.file(wav, "recording.wav"), events.say));
    }
    if (online) {
      const url = element("input", "hw-url");
      url.type = "url";
      url.placeholder = "https://…";
      const row = labelled(`${this.uid}-url`, `Or an ${noun} from the web (URL)`, url);
      row.append(button("Fetch", () => events.url(url.value)));
      this.el.append(row);
    }
    if (samples.length) {
      const row = element("div", "hw-samples");
      row.setAttribute("role", "group");
      row.setAttribute("aria-label", "Samples");
      samples.forEach((sample, k) => {
        row.append(button(sample.label, () => events.sample(k), "hw-button hw-sample"));
      });
      this.el.append(row);
    }
    this.preview = element("div", "hw-preview");
    this.el.append(this.preview);
  }

  private textFields(kind: string, samples: readonly Sample[]): void {
    if (kind === "qa") {
      const question = element("input", "hw-question");
      question.type = "text";
      this.question = question;
      this.el.append(labelled(`${this.uid}-question`, "Question", question));
    }
    const area = element("textarea", "hw-prompt");
    area.rows = kind === "qa" ? 4 : 3;
    this.textArea = area;
    this.el.append(labelled(`${this.uid}-text`, TEXT_LABELS[kind] ?? "Prompt", area));
    area.addEventListener("keydown", (event) => {
      const send = event.ctrlKey || event.metaKey || kind === "chat";
      if (event.key === "Enter" && send && !event.shiftKey) {
        event.preventDefault();
        this.events.submit();
      }
    });
    if (!samples.length) return;
    const row = element("div", "hw-samples");
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", "Sample prompts");
    for (const sample of samples) {
      const short = sample.label.length > 48 ? `${sample.label.slice(0, 47)}…` : sample.label;
      const pick = button(
        short,
        () => {
          if (this.question) this.question.value = sample.question ?? "";
          area.value = sample.context ?? sample.text ?? "";
          area.focus();
        },
        "hw-button hw-sample",
      );
      pick.title = sample.label;
      row.append(pick);
    }
    this.el.append(row);
  }
}
