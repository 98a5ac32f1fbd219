/**
 * The one front-end bundle of every hubwidgets widget (see hubwidgets/widgets/_bundle.py).
 *
 * anywidget loads it as the `_esm` of the widget that carries it; every other widget on the
 * page holds a stub that waits for it under `Symbol.for("hubwidgets:<bundle id>")`. The default
 * export draws whichever widget the model names in `_widget`; the styles go into the page once.
 */
import type { AnyModel, RenderProps } from "@anywidget/types";
import benchmark from "./benchmark";
import compare from "./compare";
import cost from "./cost";
import endpoints from "./endpoints";
import explorer from "./explorer";
import governance from "./governance";
import login from "./login";
import playground from "./playground";
import registry from "./registry";
import search from "./search";
import workflow from "./workflow";

// the foundation and pure helpers, exported for the node tests of the built bundle
export { Client, pack, RequestError, unpack } from "./lib/protocol";
export { defineWidget, View } from "./lib/view";
export { chunkRanges, encodeWav, formatBytes, splitSpans } from "./playground";

/** The stylesheet of every widget, inlined by build.mjs. */
declare const __HW_CSS__: string;

interface Renderer {
  render(props: RenderProps<never>): (() => void) | undefined;
}

export const widgets: Readonly<Record<string, Renderer>> = {
  search: search as unknown as Renderer,
  compare: compare as unknown as Renderer,
  governance: governance as unknown as Renderer,
  login: login as unknown as Renderer,
  benchmark: benchmark as unknown as Renderer,
  playground: playground as unknown as Renderer,
  registry: registry as unknown as Renderer,
  cost: cost as unknown as Renderer,
  endpoints: endpoints as unknown as Renderer,
  workflow: workflow as unknown as Renderer,
  explorer: explorer as unknown as Renderer,
};

interface Slot {
  promise: Promise<unknown>;
  resolve: (value: unknown) => void;
}

/** Make the bundle available to the stubs of this page (see _bundle.py's stub). */
function register(model: AnyModel): void {
  const key = Symbol.for(`hubwidgets:${String(model.get("_bundle"))}`);
  const scope = globalThis as unknown as Record<symbol, Slot | undefined>;
  let slot = scope[key];
  if (!slot) {
    let resolve: (value: unknown) => void = () => {};
    const promise = new Promise<unknown>((r) => {
      resolve = r;
    });
    slot = { promise, resolve };
    scope[key] = slot;
  }
  slot.resolve(definition);
}

/** Read once: esbuild inlines the sheet at each use of the constant. */
const CSS: string = __HW_CSS__;

function injectStyles(): void {
  if (typeof document === "undefined" || !CSS) return;
  const id = "hubwidgets-styles";
  const existing = document.getElementById(id);
  if (existing?.textContent === CSS) return;
  const style = existing ?? document.createElement("style");
  style.id = id;
  style.textContent = CSS;
  if (!existing) document.head.append(style);
}

const definition = {
  initialize({ model }: { model: AnyModel }): void {
    register(model);
  },
  render(props: RenderProps<{ _widget: string }>): (() => void) | undefined {
    injectStyles();
    const name = props.model.get("_widget");
    const widget = widgets[name];
    if (!widget) {
      props.el.textContent = `hubwidgets: no front-end for widget ${JSON.stringify(name)}`;
      return undefined;
    }
    return widget.render(props as unknown as RenderProps<never>);
  },
};

export default definition;
