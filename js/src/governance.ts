/**
 * Front-end of hubwidgets.GovernanceWidget: the check table with verdict badges and reasons,
 * the model tree and per-file findings of the focused model, and a policy editor.
 *
 * Everything shown comes from synced state the kernel writes, so a view drawn from saved state
 * shows the verdicts: `_table` and `_findings` (Table traits: Arrow IPC), `_trees` ({model:
 * [{id, relation, license, license_class, depth, source, note}]}) and `status`. The page writes one trait, `policy` (a dict
 * of hw.Policy's keys): the kernel re-evaluates the verdicts, or refuses a bad policy and says
 * why in `status`.
 */
import { decodeRows, type Row } from "./lib/arrow";
import { element, externalLink, fieldset, hubUrl } from "./lib/dom";
import { verdictBadge } from "./lib/verdicts";
import { defineWidget } from "./lib/view";

/** A node of a model's tree (see hubwidgets/widgets/governance.py's _trees_of). */
interface TreeNode {
  id: string;
  relation: string;
  license: string;
  license_class?: string;
  depth: number;
  source?: string;
  note?: string;
}

type Policy = Record<string, unknown>;

/** The synced traits of GovernanceWidget (see hubwidgets/widgets/governance.py). */
interface GovernanceState {
  models: string[];
  policy: Policy;
  status: string;
  error: string;
  _table: DataView | ArrayBuffer | null;
  _findings: DataView | ArrayBuffer | null;
  _trees: Record<string, TreeNode[]>;
}

/** The license classes a policy may allow (hw.Policy's allow_license_classes). */
export const LICENSE_CLASSES = ["permissive", "copyleft", "gated-or-custom", "non-commercial"];

/** The policy's switches the page edits, with their labels. */
const SWITCHES: [string, string][] = [
  ["require_safetensors", "Require safetensors weights"],
  ["allow_custom_code", "Allow custom code"],
  ["require_scans_done", "Require finished scans"],
  ["require_commercial_use", "Require commercial use"],
];

/** The table's columns after the model: key, header. */
const COLUMNS: [string, string][] = [
  ["verdict", "Verdict"],
  ["license", "License"],
  ["commercial_use", "Commercial use"],
  ["formats", "Weights"],
  ["scan_status", "Scan"],
  ["reasons", "Reasons"],
];

const text = (value: unknown): string =>
  value === null || value === undefined ? "" : String(value);

export default defineWidget<GovernanceState>("governance", (view) => {
  let focused = ""; // the model whose tree and findings show (the first row by default)

  const status = element("div", "hw-status");
  status.setAttribute("role", "status");

  // -- the policy editor ---------------------------------------------------------------------
  const editor = fieldset("hw-policy", "Policy");
  const classes = fieldset("hw-policy-classes", "Allowed license classes");
  const boxes = new Map<string, HTMLInputElement>();
  const checkbox = (key: string, label: string, group: HTMLElement): HTMLInputElement => {
    const wrap = element("label", "hw-check");
    const input = element("input", "");
    input.type = "checkbox";
    input.id = `${view.uid}-${key}`;
    input.dataset.key = key;
    wrap.append(input, document.createTextNode(` ${label}`));
    group.append(wrap);
    return input;
  };
  for (const name of LICENSE_CLASSES) {
    const input = checkbox(`class-${name}`, name, classes);
    input.dataset.licenseClass = name;
    view.listen(input, "change", () => {
      const policy = view.get("policy") ?? {};
      const was = Array.isArray(policy.allow_license_classes)
        ? (policy.allow_license_classes as string[])
        : [];
      const now = input.checked
        ? LICENSE_CLASSES.filter((c) => c === name || was.includes(c))
        : was.filter((c) => c !== name);
      view.save({ policy: { ...policy, allow_license_classes: now } });
    });
    boxes.set(`class-${name}`, input);
  }
  editor.append(classes);
  for (const [key, label] of SWITCHES) {
    const input = checkbox(key, label, editor);
    view.listen(input, "change", () => {
      view.save({ policy: { ...(view.get("policy") ?? {}), [key]: input.checked } });
    });
    boxes.set(key, input);
  }

  const drawPolicy = (): void => {
    const policy = view.get("policy") ?? {};
    const allowed = Array.isArray(policy.allow_license_classes)
      ? (policy.allow_license_classes as string[])
      : [];
    for (const name of LICENSE_CLASSES) {
      const box = boxes.get(`class-${name}`);
      if (box) box.checked = allowed.includes(name);
    }
    for (const [key] of SWITCHES) {
      const box = boxes.get(key);
      if (box) box.checked = policy[key] === true;
    }
  };

  // -- the check table -----------------------------------------------------------------------
  const scroller = element("div", "hw-governance-scroll");
  const details = element("section", "hw-governance-details");
  details.setAttribute("aria-live", "polite");

  const drawTable = (): void => {
    const rows = decodeRows(view.get("_table"));
    if (rows.length === 0) {
      scroller.replaceChildren();
      return;
    }
    if (!rows.some((row) => row.id === focused)) focused = text(rows[0]?.id);
    const table = element("table", "hw-governance-table");
    const caption = element("caption", "hw-visually-hidden");
    caption.textContent = "Verdicts of the checked models under the policy";
    const thead = tableHead(["Model", ...COLUMNS.map(([, l]) => l)]);
    const tbody = element("tbody", "");
    for (const row of rows) tbody.append(tableRow(row));
    table.append(caption, thead, tbody);
    scroller.replaceChildren(table);
  };

  const tableRow = (row: Row): HTMLTableRowElement => {
    const id = text(row.id);
    const tr = element("tr", "");
    tr.dataset.model = id;
    tr.classList.toggle("hw-focused", id === focused);
    const th = element("th", "hw-model");
    th.scope = "row";
    const show = element("button", "hw-model-button");
    show.type = "button";
    // break long ids after their slashes rather than mid-word
    id.split(/(?<=\/)/).forEach((part, i) => {
      if (i > 0) show.append(document.createElement("wbr"));
      show.append(part);
    });
    show.setAttribute("aria-pressed", String(id === focused));
    show.setAttribute("aria-label", `Show the tree and findings of ${id}`);
    show.title = "Show its model tree and findings below";
    view.listen(show, "click", () => {
      focused = id;
      drawTable();
      drawDetails();
    });
    const hub = externalLink("Hub page ↗", hubUrl(id));
    hub.classList.add("hw-hub-link");
    th.append(show);
    if (id.includes("/") && !id.startsWith("/")) th.append(hub);
    tr.append(th);
    for (const [key] of COLUMNS) {
      const td = element("td", `hw-col-${key}`);
      td.append(...cell(key, row));
      tr.append(td);
    }
    return tr;
  };

  // -- the focused model: its tree and findings ----------------------------------------------
  const drawDetails = (): void => {
    if (!focused) {
      details.replaceChildren();
      return;
    }
    const treeTitle = element("h4", "");
    treeTitle.textContent = `Model tree of ${focused}`;
    const tree = element("ol", "hw-tree");
    tree.setAttribute("aria-label", `Model tree of ${focused}`);
    for (const node of view.get("_trees")?.[focused] ?? []) tree.append(treeNode(node));
    const findingsTitle = element("h4", "");
    findingsTitle.textContent = `Findings of ${focused}`;
    const rows = decodeRows(view.get("_findings")).filter((row) => row.model === focused);
    let findings: HTMLElement;
    if (rows.length === 0) {
      findings = element("p", "hw-hint");
      findings.textContent = "No findings for this model's files.";
    } else {
      const table = element("table", "hw-findings");
      table.setAttribute("aria-label", `Findings of ${focused}`);
      const thead = tableHead(["File", "Scanner", "Severity", "Detail"]);
      const tbody = element("tbody", "");
      for (const row of rows) {
        const tr = element("tr", "");
        for (const key of ["file", "scanner", "severity", "detail"]) {
          const td = element("td", `hw-finding-${key}`);
          td.textContent = text(row[key]);
          if (key === "severity") td.dataset.severity = text(row[key]);
          tr.append(td);
        }
        tbody.append(tr);
      }
      table.append(thead, tbody);
      findings = table;
    }
    const treePart = element("div", "hw-governance-tree");
    treePart.append(treeTitle, tree);
    const findingsPart = element("div", "hw-governance-findings");
    findingsPart.append(findingsTitle, findings);
    details.replaceChildren(treePart, findingsPart);
  };

  const drawStatus = (): void => {
    status.textContent = view.get("status");
    status.classList.toggle("hw-error", view.get("error") !== "");
  };

  view.root.append(status, editor, scroller, details);
  view.on(["status", "error"], drawStatus);
  view.on("policy", drawPolicy);
  view.on("_table", () => {
    drawTable();
    drawDetails();
  });
  view.on(["_trees", "_findings"], drawDetails);
  drawStatus();
  drawPolicy();
  drawTable();
  drawDetails();
});

/** A `<thead>` of column headers. */
function tableHead(labels: readonly string[]): HTMLTableSectionElement {
  const head = element("tr", "");
  for (const label of labels) {
    const th = element("th", "");
    th.scope = "col";
    th.textContent = label;
    head.append(th);
  }
  const thead = element("thead", "");
  thead.append(head);
  return thead;
}

/** A small muted line under a cell's main value. */
function note(value: string, className = "hw-note"): HTMLElement {
  const span = element("span", className);
  span.textContent = value;
  return span;
}

/** The content of one cell of the check table. */
function cell(key: string, row: Row): (Node | string)[] {
  const value = text(row[key]);
  switch (key) {
    case "verdict":
      return [verdictBadge(value)];
    case "license": {
      const out: (Node | string)[] = [];
      const link = text(row.license_link);
      if (value && /^https?:\/\//.test(link)) {
        const a = externalLink(value, link);
        out.push(a);
      } else out.push(value || "unknown");
      const klass = text(row.license_class);
      if (klass) out.push(note(klass));
      const conflict = text(row.license_conflict);
      if (conflict) out.push(note(`⚠ ${conflict}`, "hw-note hw-conflict"));
      return out;
    }
    case "commercial_use": {
      const reason = text(row.commercial_use_reason);
      const span = element("span", "hw-commercial");
      span.textContent = value || "unknown";
      span.title = reason;
      // a plain "yes" needs no words; anything else says why
      return value === "yes" || !reason ? [span] : [span, note(reason)];
    }
    case "formats": {
      if (!value) {
        const unknown = element("span", "hw-unknown");
        unknown.textContent = "unknown";
        unknown.title = text(row.formats_source);
        return [unknown];
      }
      const out: (Node | string)[] = [value];
      if (text(row.pickle_only) === "True") out.push(note("pickle only", "hw-note hw-warn"));
      const code = text(row.custom_code);
      if (code) out.push(note(`custom code: ${code}`, "hw-note hw-warn"));
      return out;
    }
    case "scan_status": {
      const span = element("span", `hw-scan hw-scan-${value || "unknown"}`);
      span.textContent = value || "unknown";
      span.title = text(row.scan_source);
      return [span];
    }
    case "reasons": {
      if (!value) return [note("meets every rule")];
      const list = element("ul", "hw-reasons");
      for (const reason of value.split("; ")) {
        const li = element("li", "");
        li.textContent = reason;
        list.append(li);
      }
      return [list];
    }
    default:
      return [value || "—"];
  }
}

/** One node of a model tree: its id, how it derives from its parent and its license. */
function treeNode(node: TreeNode): HTMLLIElement {
  const li = element("li", "hw-tree-node");
  li.dataset.depth = String(node.depth);
  li.style.marginInlineStart = `${node.depth * 1.5}rem`;
  if (node.depth > 0) {
    const arrow = element("span", "hw-tree-arrow");
    arrow.setAttribute("aria-hidden", "true");
    arrow.textContent = "↳";
    const relation = element("span", "hw-tree-relation");
    // the parent is an adapter / finetune / quantization / merge of this node
    relation.textContent =
      node.relation && node.relation !== "base" ? `base (${node.relation})` : "base";
    li.append(arrow, relation);
  }
  const name = element("span", "hw-tree-id");
  name.textContent = node.id;
  const license = element("span", "hw-tree-license");
  license.textContent = `license: ${node.license || "unknown"}`;
  if (node.license_class) license.dataset.licenseClass = node.license_class;
  license.title = node.license_class ? `class: ${node.license_class}` : "";
  li.append(name, license);
  if (node.source && node.source !== "the catalog") li.append(note(node.source));
  if (node.note) li.append(note(node.note, "hw-note hw-warn"));
  return li;
}
