// The CompareWidget's verdict row (the team policy's allow / review / deny) drawn as verdict
// badges, the policy's reasons kept as the cell's source. The built bundle in jsdom, against a
// fake model holding only synced state. Run with `npm test` after `npm run build`.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeModel as BaseModel } from "./fake-model.mjs";
import { installDom, ipc, loadWidgets, mounting } from "./harness.mjs";

installDom();
const { widgets } = await loadWidgets();

const IDS = ["org/open", "org/custom", "org/unknown"];

/** A two-row matrix (MATRIX_COLUMNS): the license and the verdict of three models. */
function matrixBytes() {
  const rows = [
    ["license", "License", "", ["mit", "other", ""], ["", "", ""]],
    [
      "verdict",
      "Verdict",
      "team policy",
      ["allow", "deny", "review"],
      ["", "license mit is in deny_licenses (hw.check)", "license not given (hw.check)"],
    ],
  ];
  const columns = { metric: [], label: [], unit: [], model: [], text: [], source: [], best: [] };
  for (const [metric, label, unit, texts, sources] of rows) {
    IDS.forEach((id, k) => {
      columns.metric.push(metric);
      columns.label.push(label);
      columns.unit.push(unit);
      columns.model.push(id);
      columns.text.push(texts[k]);
      columns.source.push(sources[k]);
      columns.best.push(false);
    });
  }
  return ipc(columns);
}

class FakeModel extends BaseModel {
  constructor(state = {}) {
    super({
      models: [...IDS],
      context_length: 4096,
      batch_size: 1,
      status: "Comparing 3 models · 1 denied by the policy (see the Verdict row)",
      error: "",
      _matrix: matrixBytes(),
      _badges: {},
      _charts: {},
      _max_models: 8,
      ...state,
    });
  }
}

describe("CompareWidget verdict row", () => {
  const { mount } = mounting(widgets.compare, FakeModel);

  test("each verdict is a badge with its word; the reasons stay the cell's source", () => {
    const { el } = mount();
    const row = el.querySelector('tr[data-metric="verdict"]');
    assert.ok(row);
    const badges = [...row.querySelectorAll("td .hw-verdict")];
    assert.deepEqual(
      badges.map((b) => [b.dataset.verdict, b.querySelector(".hw-verdict-word").textContent]),
      [
        ["allow", "allow"],
        ["deny", "deny"],
        ["review", "review"],
      ],
    );
    assert.ok(badges[1].classList.contains("hw-verdict-deny"));
    const cells = row.querySelectorAll("td");
    assert.equal(cells[1].title, "license mit is in deny_licenses (hw.check)");
    // other rows keep their plain text
    const license = el.querySelector('tr[data-metric="license"]');
    assert.equal(license.querySelectorAll(".hw-verdict").length, 0);
    assert.match(el.querySelector("[role=status]").textContent, /1 denied by the policy/);
  });
});
