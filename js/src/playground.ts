/**
 * Front-end of hubwidgets.Playground: an input picked from the task (a prompt, a chat message,
 * a question and its context, an image or a sound), a Run button, and one cell per model with
 * its output, latency, backend and any error.
 *
 * The cells are drawn from the state (`_last_run`, `_run_image`), so a run started from Python
 * shows like one started here, and a view created later shows the last run. Streamed text comes
 * as `piece` events. Run, Stop and Clear chat are notices; files go as `upload` requests in
 * chunks (lib/upload.ts), samples and URLs as `sample` and `url` requests. See
 * hubwidgets/widgets/playground.py for the shapes.
 */
import { bytesOf } from "./lib/arrow";
import { type LastRun, type PieceEvent, RunCells } from "./lib/cells";
import { button, element, option } from "./lib/dom";
import { InputFields, type Sample } from "./lib/inputs";
import { RequestError } from "./lib/protocol";
import { type FileInfo, formatBytes, sendFile } from "./lib/upload";
import { defineWidget, type View } from "./lib/view";

// pure helpers, re-exported for the node tests of the built bundle (through index.ts)
export { encodeWav } from "./lib/audio";
export { splitSpans } from "./lib/outputs";
export { chunkRanges, formatBytes } from "./lib/upload";

/** The synced traits of Playground (see hubwidgets/widgets/playground.py). */
interface PlaygroundState {
  task: string;
  models: string[];
  params: Record<string, unknown>;
  stream: boolean;
  status: string;
  error: string;
  /** "spent $x of $y this month" when a budget is active, else "". */
  budget: string;
  running: boolean;
  _input_kind: string;
  _samples: Sample[];
  _tasks: string[];
  _online: boolean;
  _max_file_bytes: number;
  _chunk_bytes: number;
  _needs_labels: boolean;
  _backend_name: string;
  _last_run: LastRun | Record<string, never>;
  _run_image: DataView | null;
}

/** The file chosen for the next run: held by the kernel once `id` is set. */
interface Chosen {
  token: number;
  id: string | null;
  url: string | null;
}

function build(view: View<PlaygroundState>): void {
  const { root, client } = view;

  // -- toolbar: task, status -------------------------------------------------------------------
  const toolbar = element("div", "hw-toolbar");
  const taskLabel = element("label", "hw-field");
  taskLabel.textContent = "Task ";
  const taskSelect = element("select", "hw-task");
  taskLabel.append(taskSelect);
  const status = element("div", "hw-status");
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  const budget = element("div", "hw-budget");
  budget.setAttribute("aria-label", "Budget");
  toolbar.append(taskLabel, status, budget);

  // -- input -----------------------------------------------------------------------------------
  const form = element("form", "hw-input");
  form.setAttribute("aria-label", "Input");
  const run = element("button", "hw-button hw-run");
  run.type = "submit";
  run.textContent = "Run";
  const stop = button("Stop", () => client.notify("stop"), "hw-button hw-stop");
  const cells = new RunCells();
  const resetChat = button(
    "Clear chat",
    () => {
      client.notify("reset_chat");
      cells.clear();
    },
    "hw-button hw-reset",
  );
  const hint = element("span", "hw-hint");
  hint.setAttribute("aria-live", "polite");
  const say = (text: string): void => {
    hint.textContent = text;
  };
  const actions = element("div", "hw-actions");
  actions.append(run, stop, resetChat, hint);

  // -- the file for the next run ---------------------------------------------------------------
  let tokens = 0;
  let chosen: Chosen = { token: 0, id: null, url: null };
  let pending = false;
  const choose = (url: string | null): number => {
    if (chosen.url) URL.revokeObjectURL(chosen.url);
    chosen = { token: ++tokens, id: null, url };
    pending = true;
    return chosen.token;
  };
  const settle = (token: number, info: FileInfo | null, message: string): boolean => {
    if (token !== chosen.token) return false; // another file was chosen since
    pending = false;
    chosen.id = info?.id ?? null;
    say(message);
    return true;
  };
  const refused = (err: unknown): string =>
    err instanceof RequestError ? err.message : `The file could not be sent: ${String(err)}`;
  const kernelFile = (token: number, ask: Promise<FileInfo>, what: string): void => {
    ask.then(
      (info) => {
        const url = info.data
          ? URL.createObjectURL(new Blob([bytesOf(info.data).slice()], { type: info.mime }))
          : null;
        if (!settle(token, info, `${info.name} ready`)) {
          if (url) URL.revokeObjectURL(url);
          return;
        }
        chosen.url = url;
        fields.showPreview(info.name, url, info.mime, info.size);
      },
      (err: unknown) => settle(token, null, `${what}: ${refused(err)}`),
    );
  };
  const fields = new InputFields(view.uid, {
    say,
    submit: () => form.requestSubmit(),
    file(file, name) {
      const limit = view.get("_max_file_bytes");
      if (file.size > limit) {
        say(
          `${name} is ${formatBytes(file.size)}: the playground takes files up to ${formatBytes(limit)}`,
        );
        return;
      }
      const url = URL.createObjectURL(file);
      const token = choose(url);
      fields.showPreview(name, url, file.type, file.size);
      say(`Sending ${name}…`);
      const id = `${view.uid}-u${token}-${Date.now()}`;
      sendFile(client, file, id, name, view.get("_chunk_bytes")).then(
        (info) => settle(token, info, `${name} ready (${formatBytes(info.size)})`),
        (err: unknown) => settle(token, null, refused(err)),
      );
    },
    sample(index) {
      const token = choose(null);
      say("Loading the sample…");
      kernelFile(
        token,
        client.request<FileInfo & Record<string, unknown>>("sample", { index }),
        "Sample",
      );
    },
    url(url) {
      const token = choose(null);
      say("Fetching…");
      kernelFile(
        token,
        client.request<FileInfo & Record<string, unknown>>("url", { url }),
        "Download",
      );
    },
  });
  form.append(fields.el, actions);
  root.append(toolbar, form, cells.grid);

  view.listen<SubmitEvent>(form, "submit", (event) => {
    event.preventDefault();
    if (view.get("running")) return;
    const kind = view.get("_input_kind");
    const body: Record<string, unknown> = { ...fields.read() };
    if (kind === "image" || kind === "audio") {
      if (pending) {
        say("The file is still being sent: try again in a moment");
        return;
      }
      body.file = chosen.id;
    }
    say("");
    client.notify("run", body);
    fields.clearMessage();
  });

  // -- traits -> page ----------------------------------------------------------------------------
  const showTasks = (): void => {
    taskSelect.replaceChildren(...(view.get("_tasks") ?? []).map((t) => option(t, t)));
    taskSelect.value = view.get("task");
  };
  view.listen(taskSelect, "change", () => view.save({ task: taskSelect.value }));
  const showStatus = (): void => {
    status.textContent = view.get("status");
    status.classList.toggle("hw-status-error", Boolean(view.get("error")));
  };
  const showBudget = (): void => {
    budget.textContent = view.get("budget") ?? "";
    budget.hidden = !budget.textContent;
  };
  const showRunning = (): void => {
    const running = view.get("running");
    run.disabled = running;
    stop.hidden = !running;
    root.classList.toggle("hw-running", running);
  };
  const buildFields = (): void => {
    const kind = view.get("_input_kind");
    const given = view.get("params")?.candidate_labels;
    const labels = Array.isArray(given) ? given.map(String) : [];
    if (chosen.url) URL.revokeObjectURL(chosen.url);
    chosen = { token: ++tokens, id: null, url: null };
    pending = false;
    resetChat.hidden = kind !== "chat";
    fields.build({
      kind,
      samples: view.get("_samples") ?? [],
      online: view.get("_online"),
      labels: view.get("_needs_labels") ? labels : null,
    });
  };
  const showCells = (): void =>
    cells.show(view.get("_last_run"), view.get("_run_image"), view.get("task"));
  const showTask = (): void => {
    taskSelect.value = view.get("task");
    buildFields();
    showCells();
  };

  view.on("_tasks", showTasks);
  view.on(["task", "_input_kind"], showTask);
  view.on(["_samples", "_needs_labels", "_online"], buildFields);
  view.on(["status", "error"], showStatus);
  view.on("budget", showBudget);
  view.on("running", showRunning);
  view.on("_last_run", showCells);
  view.cleanup(client.on("piece", (body) => cells.piece(body as unknown as PieceEvent)));
  view.cleanup(() => {
    cells.dispose();
    if (chosen.url) URL.revokeObjectURL(chosen.url);
  });

  showTasks();
  buildFields();
  showStatus();
  showBudget();
  showRunning();
  showCells();
}

export default defineWidget<PlaygroundState>("playground", build);
