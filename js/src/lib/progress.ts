/**
 * The controls of a widget that runs in the background (a RunningWidget in the kernel): Run and
 * Cancel, a progress bar, and what the run is doing in words (announced politely). They follow
 * the traits `running`, `progress` and `progress_text`, so a run started from Python shows in
 * every view as one started here does; the buttons send the notices "run" and "cancel".
 */
import { button, element } from "./dom";
import type { View } from "./view";

/** The traits of a RunningWidget the controls follow. */
export interface RunState {
  running: boolean;
  progress: number;
  progress_text: string;
}

export class RunControls {
  readonly element: HTMLDivElement;
  readonly run: HTMLButtonElement;
  readonly cancel: HTMLButtonElement;
  private readonly bar: HTMLProgressElement;
  private readonly text: HTMLSpanElement;

  constructor(private readonly view: View<RunState>) {
    this.element = element("div", "hw-toolbar hw-actions");
    this.run = button("Run", () => view.client.notify("run"), "hw-button hw-run");
    this.cancel = button("Cancel", () => view.client.notify("cancel"), "hw-button hw-cancel");
    this.bar = element("progress", "hw-progress");
    this.bar.max = 1;
    this.text = element("span", "hw-progress-text");
    this.text.id = `${view.uid}-progress-text`;
    this.text.setAttribute("aria-live", "polite");
    this.bar.setAttribute("aria-labelledby", this.text.id);
    this.element.append(this.run, this.cancel, this.bar, this.text);
    view.on(["running", "progress", "progress_text"], () => this.draw());
    this.draw();
  }

  /** Show the run as the traits say (the view's root is marked `hw-running` while it goes). */
  draw(): void {
    const running = this.view.get("running");
    this.run.disabled = running;
    this.cancel.disabled = !running;
    this.view.root.classList.toggle("hw-running", running);
    this.bar.value = this.view.get("progress");
    this.text.textContent = this.view.get("progress_text");
  }
}
