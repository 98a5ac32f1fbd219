// The SearchWidget's sort menu when the kernel offers "rising" (a catalog with a history
// attached): the option is labelled in words and choosing it asks the kernel for that sort.
// Run with `npm test` after `npm run build`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeModel, noFilters } from "./fake-model.mjs";
import { installDom, ipc, loadWidgets, mounting } from "./harness.mjs";

const window = installDom([
  "HTMLInputElement",
  "requestAnimationFrame",
  "cancelAnimationFrame",
  "CSS",
]);
globalThis.CSS ??= { escape: (s) => s.replace(/["\\]/g, "\\$&") };

const { widgets } = await loadWidgets();
const KEYS = ["downloads", "likes", "trending", "created", "modified", "params"];

class Model extends FakeModel {
  constructor(state = {}) {
    super({
      ...noFilters(),
      sort: "downloads",
      total: 1,
      status: "1 model · 1 ms · fake",
      error: "",
      facets: {},
      revision: 1,
      _first_rows: ipc({ id: ["org/riser"], downloads: Float64Array.from([5]) }),
      selected_ids: [],
      focused_id: "",
      _sort_keys: [...KEYS, "rising"],
      _task_modality: {},
      ...state,
    });
  }
}

const view = mounting(widgets.search, Model);

describe("SearchWidget rising sort", () => {
  test("is offered in words and sent to the kernel when chosen", () => {
    const { el, model } = view.mount();
    const sort = el.querySelector('select[aria-label="Sort by"]');
    const rising = [...sort.options].find((o) => o.value === "rising");
    assert.ok(rising, "no rising option");
    assert.equal(rising.textContent, "Rising (largest gain)");
    sort.value = "rising";
    sort.dispatchEvent(new window.Event("change"));
    assert.equal(model.get("sort"), "rising");
  });

  test("is not offered without history", () => {
    const { el } = view.mount({ _sort_keys: KEYS });
    const sort = el.querySelector('select[aria-label="Sort by"]');
    assert.deepEqual(
      [...sort.options].map((o) => o.value),
      KEYS,
    );
  });
});
