/**
 * Front-end of hubwidgets.SearchWidget: a search box, facet filters, a virtually scrolled grid
 * of the matching models, and the focused model's details.
 *
 * The search panel (toolbar, facets, grid, selection, status: lib/searchpanel.ts, shared with
 * the HubExplorer) draws its first rows from state, so a view drawn from saved state (no
 * kernel) shows them; the detail pane (lib/detail.ts) asks for the focused model (`detail`).
 * See hubwidgets/widgets/search.py for the protocol.
 */
import { DetailPane, type DetailReply } from "./lib/detail";
import { type SearchState, searchPanel } from "./lib/searchpanel";
import { defineWidget } from "./lib/view";

export default defineWidget<SearchState>("search", (view) => {
  const { client, root } = view;
  const panel = searchPanel(view);
  const { grid } = panel;

  const detail = new DetailPane({
    request: (model) => client.request<DetailReply & Record<string, unknown>>("detail", { model }),
    closed: () => grid.element.focus({ preventScroll: true }),
  });
  view.cleanup(() => detail.destroy());
  view.listen<KeyboardEvent>(grid.element, "keydown", (event) => {
    if (event.key !== "Escape" || !detail.open) return;
    detail.close();
    event.preventDefault();
    event.stopPropagation(); // JupyterLab would take it as "leave edit mode"
  });
  // a click on the focused row brings a closed pane back (focus did not move: no change event)
  view.listen<MouseEvent>(grid.element, "click", (event) => {
    const onRow = event.target instanceof Element && event.target.closest(".hw-grid-canvas");
    if (onRow && !detail.open) detail.show(view.get("focused_id"));
  });

  // below everything, full width: a notebook cell is too narrow for a side panel
  root.append(panel.toolbar.element, panel.body, panel.status, detail.element);

  view.on("focused_id", () => detail.show(view.get("focused_id")));
  panel.start();
  detail.show(view.get("focused_id"));
});
