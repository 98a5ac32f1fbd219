/**
 * The base of every widget's view: lifecycle and cleanup, typed `get`/`on`/`save` over the
 * model's traits, DOM listeners removed with the view, and the protocol client.
 *
 *   export default defineWidget<SearchState>("search", (view) => { ... });
 *
 * Everything registered through the view is undone when the view is removed, so a widget
 * displayed twice, re-rendered or closed leaves no listener behind.
 */
import type { AnyModel, RenderProps } from "@anywidget/types";
import { element } from "./dom";
import { placeHealthBadge } from "./health";
import { Client } from "./protocol";

let views = 0;

export class View<S extends object> {
  /** Unique per view: a prefix for element ids (two views of one widget may coexist). */
  readonly uid: string;
  readonly model: AnyModel<S>;
  /** The element the view draws in (anywidget's). */
  readonly el: HTMLElement;
  /** The view's root element, with the shared class `hubwidgets` and the widget's `hubwidgets-<name>`. */
  readonly root: HTMLElement;
  readonly client: Client;
  private readonly cleanups: (() => void)[] = [];

  constructor(name: string, { model, el }: RenderProps<S>) {
    this.uid = `hw-${name}-${++views}`;
    this.model = model;
    this.el = el;
    this.root = element("div", `hubwidgets hubwidgets-${name}`);
    el.replaceChildren(this.root);
    this.client = new Client(model as unknown as AnyModel);
    this.cleanup(() => this.client.dispose());
  }

  get<K extends keyof S & string>(key: K): S[K] {
    return this.model.get(key);
  }

  /** Call `callback` whenever any of `keys` changes (until the view is removed). */
  on<K extends keyof S & string>(keys: K | readonly K[], callback: () => void): void {
    for (const key of typeof keys === "string" ? [keys] : keys) {
      const event = `change:${key}` as const;
      this.model.on(event, callback);
      this.cleanup(() => this.model.off(event, callback));
    }
  }

  /** Write traits and send them to the kernel as one update. */
  save(changes: Partial<S>): void {
    for (const [key, value] of Object.entries(changes)) {
      this.model.set(key as keyof S & string, value as S[keyof S & string]);
    }
    this.model.save_changes();
  }

  /** A DOM listener removed with the view. */
  listen<E extends Event>(
    target: EventTarget,
    type: string,
    handler: (event: E) => void,
    options?: AddEventListenerOptions,
  ): void {
    const listener = handler as EventListener;
    target.addEventListener(type, listener, options);
    this.cleanup(() => target.removeEventListener(type, listener, options));
  }

  /** Run `fn` when the view is removed. */
  cleanup(fn: () => void): void {
    this.cleanups.push(fn);
  }

  dispose(): void {
    for (const fn of this.cleanups.splice(0).reverse()) {
      try {
        fn();
      } catch {
        // one failing cleanup must not keep the others from running
      }
    }
  }
}

/** An anywidget render function for the widget `name`, built on a View. */
export interface WidgetDefinition {
  render(props: RenderProps<object>): () => void;
}

export function defineWidget<S extends object>(
  name: string,
  build: (view: View<S>) => void,
): WidgetDefinition {
  return {
    render(props: RenderProps<object>): () => void {
      const view = new View<S>(name, props as unknown as RenderProps<S>);
      build(view);
      // every widget's status line gets the health badge (checked only when asked)
      placeHealthBadge(view as unknown as View<object>);
      // a live page draws the widget: the kernel stops updating its report under it
      view.client.notify("view");
      return () => view.dispose();
    },
  };
}
