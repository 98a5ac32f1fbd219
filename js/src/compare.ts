/**
 * Front-end of hubwidgets.CompareWidget: a matrix of metrics (rows) x models (columns), the best
 * value of each row marked, badges per model, a way to add and remove models, and two charts.
 *
 * Everything shown comes from synced state the kernel writes, so a view drawn from saved state
 * shows the comparison: `_matrix` (a Table trait: Arrow IPC, one row per metric and model, see
 * lib/matrix.ts), `_badges` ({id: [badge]}), `_charts` ({name: svg}) and `status`. The page
 * writes one trait, `models`: adding or removing a model sends the new list, and the kernel
 * either applies it or refuses it (an unknown id) and says why in `status`.
 *
 * The verdict row (the team policy's allow / review / deny, its reasons in the cell's source)
 * is drawn as verdict badges, as in the GovernanceWidget.
 */
import { modelAdder } from "./lib/adder";
import { decodeRows } from "./lib/arrow";
import { chartFigures, element } from "./lib/dom";
import { matrixTable } from "./lib/matrix";
import { isVerdict, verdictBadge } from "./lib/verdicts";
import { defineWidget } from "./lib/view";

/** The synced traits of CompareWidget (see hubwidgets/widgets/compare.py). */
interface CompareState {
  models: string[];
  context_length: number;
  batch_size: number;
  status: string;
  error: string;
  _matrix: DataView | ArrayBuffer | null;
  _badges: Record<string, string[]>;
  _charts: Record<string, string>;
  _max_models: number;
}

const CHART_TITLES: Record<string, string> = {
  memory: "Memory by dtype",
  popularity: "Parameters vs popularity",
};

/** The verdict row's values as badges (the word stays, with a colour and a symbol). */
function badgeVerdicts(table: HTMLTableElement): void {
  for (const value of table.querySelectorAll<HTMLElement>('tr[data-metric="verdict"] .hw-value')) {
    const text = value.textContent ?? "";
    if (isVerdict(text)) value.replaceChildren(verdictBadge(text));
  }
}

export default defineWidget<CompareState>("compare", (view) => {
  const saveModels = (models: string[]): void => view.save({ models });

  // -- add a model -------------------------------------------------------------------------------
  // the text stays until the kernel accepts the id (an unknown id is refused in the status)
  const adder = modelAdder({
    uid: view.uid,
    placeholder: "org/model, e.g. Qwen/Qwen3-0.6B",
    label: "Add model by id",
    button: "Add model",
    current: () => view.get("models"),
    duplicate: (id) => `${id} is already compared.`,
    limit: () => view.get("_max_models"),
    clearOnAdd: false,
    onAdd: saveModels,
  });

  // -- status, matrix, charts ------------------------------------------------------------------
  const status = element("div", "hw-status");
  status.setAttribute("role", "status");
  const scroller = element("div", "hw-matrix-scroll");
  const charts = element("div", "hw-charts");
  view.root.append(status, adder.root, scroller, charts);

  const drawStatus = (): void => {
    status.textContent = view.get("status");
    status.classList.toggle("hw-error", view.get("error") !== "");
  };

  const drawMatrix = (): void => {
    const count = view.get("models").length;
    const full = count >= view.get("_max_models");
    adder.input.disabled = full;
    adder.add.disabled = full;
    if (full) adder.hint.textContent = `${count} models: remove one to add another.`;
    const table = matrixTable(decodeRows(view.get("_matrix")), {
      uid: view.uid,
      badges: view.get("_badges") ?? {},
      onRemove: (id) => saveModels(view.get("models").filter((other) => other !== id)),
    });
    if (table) badgeVerdicts(table);
    scroller.replaceChildren(...(table ? [table] : []));
  };

  const drawCharts = (): void => {
    charts.replaceChildren(...chartFigures(view.get("_charts") ?? {}, CHART_TITLES));
  };

  view.on(["status", "error"], drawStatus);
  view.on("_matrix", () => {
    // a new matrix: the kernel accepted the models, the typed id among them. (A local set of
    // `models` is not enough: the kernel may still refuse the id, and the text must stay then.)
    if (view.get("models").includes(adder.input.value.trim())) adder.input.value = "";
    drawMatrix();
  });
  view.on(["_badges", "models", "_max_models"], drawMatrix);
  view.on("_charts", drawCharts);
  drawStatus();
  drawMatrix();
  drawCharts();
});
