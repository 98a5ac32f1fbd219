/** "Add a model" box shared by the widgets that hold a list of models: a labelled text input,
 * an Add button (Enter adds too) and a live hint that says why a typed id was not added. */

import { button, element } from "./dom";

export interface AdderOptions {
  /** Unique prefix for element ids (the hint is the input's description). */
  uid: string;
  placeholder: string;
  /** The input's accessible name. */
  label: string;
  /** The button's text. */
  button: string;
  /** The models in the list now. */
  current: () => string[];
  /** What to say when the id is in the list already. */
  duplicate: (id: string) => string;
  /** The most models the list may hold, if any. */
  limit?: () => number;
  /** Empty the input once added (else it stays until the kernel accepts the id). */
  clearOnAdd: boolean;
  /** Called with the new list of models. */
  onAdd: (models: string[]) => void;
}

export interface Adder {
  root: HTMLDivElement;
  input: HTMLInputElement;
  add: HTMLButtonElement;
  hint: HTMLSpanElement;
}

export function modelAdder(options: AdderOptions): Adder {
  const root = element("div", "hw-toolbar");
  const input = element("input", "hw-add-input");
  input.type = "text";
  input.placeholder = options.placeholder;
  input.setAttribute("aria-label", options.label);
  input.autocomplete = "off";
  input.spellcheck = false;
  const add = button(options.button, () => addTyped(), "hw-button hw-add");
  const hint = element("span", "hw-hint");
  hint.id = `${options.uid}-hint`;
  hint.setAttribute("aria-live", "polite");
  input.setAttribute("aria-describedby", hint.id);
  root.append(input, add, hint);

  const addTyped = (): void => {
    const id = input.value.trim();
    const models = options.current();
    if (!id) {
      hint.textContent = "Type a model id such as org/name, then press Enter.";
      return;
    }
    if (models.includes(id)) {
      hint.textContent = options.duplicate(id);
      return;
    }
    const limit = options.limit?.();
    if (limit !== undefined && models.length >= limit) {
      hint.textContent = `At most ${limit} models: remove one first.`;
      return;
    }
    hint.textContent = "";
    if (options.clearOnAdd) input.value = "";
    options.onAdd([...models, id]);
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      addTyped();
    }
  });
  return { root, input, add, hint };
}
