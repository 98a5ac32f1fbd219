/**
 * The compact health badge of every widget's status line (HubWidget.health and check_health in
 * hubwidgets/widgets/_base.py): the last check of the Hub's services from the synced `health`
 * trait (so saved state shows it), and a "Check the Hub" button that asks the kernel for a new
 * one (`check_health`). Nothing is checked before the button is pressed, so the widget's first
 * paint never waits for the network.
 *
 * defineWidget (view.ts) places it beside each widget's status line (`placeHealthBadge`); a
 * widget that places `healthBadge(view)` itself keeps its own place.
 */
import { element } from "./dom";
import { RequestError } from "./protocol";
import type { View } from "./view";

/** The `health` trait (see health_summary in _health.py); empty before a check. */
export interface Health {
  status?: string;
  ok?: number;
  total?: number;
  checked_at?: string;
  problems?: string[];
}

/** Badge colour per status (the shared verdict colours: not `.hw-verdict` itself, which
 * marks a widget's own verdicts), with a symbol beside the word. */
const LOOK: Record<string, [string, string]> = {
  ok: ["allow", "✓"],
  degraded: ["review", "?"],
};

/** The badge and its button, kept current from `health`. */
export function healthBadge<S extends { health: Health }>(view: View<S>): HTMLElement {
  const box = element("span", "hw-health");
  const badge = element("span", "hw-health-badge");
  const symbol = element("span", "hw-health-symbol");
  symbol.setAttribute("aria-hidden", "true");
  const word = element("span", "hw-health-word");
  badge.append(symbol, word);
  const check = element("button", "hw-button hw-health-check");
  check.type = "button";
  check.textContent = "Check the Hub";
  box.append(badge, check);

  const draw = (): void => {
    const health: Health = view.get("health") ?? {};
    const status = health.status ?? "";
    badge.hidden = status === "";
    badge.className = "hw-health-badge";
    const [look, mark] = LOOK[status] ?? ["deny", "✕"];
    badge.classList.add(`hw-verdict-${look}`);
    badge.dataset.status = status;
    symbol.textContent = mark;
    word.textContent = `Hub ${status} · ${health.ok ?? 0}/${health.total ?? 0} services ok`;
    const problems = health.problems ?? [];
    badge.title = [`checked ${health.checked_at ?? ""}`, ...problems].join("\n");
  };

  view.listen(check, "click", () => {
    check.disabled = true;
    check.textContent = "Checking...";
    view.client
      .request("check_health")
      .catch((error: unknown) => {
        if (error instanceof RequestError && error.type === "Closed") return;
        badge.hidden = false;
        word.textContent = error instanceof Error ? error.message : "the check failed";
      })
      .finally(() => {
        check.disabled = false;
        check.textContent = "Check the Hub";
      });
  });
  view.on("health", draw);
  draw();
  return box;
}

/**
 * Put the badge beside the view's status line (its first `.hw-status`), both in one
 * `.hw-status-line` row; nothing when the widget placed a badge itself or has no status line.
 */
export function placeHealthBadge(view: View<object>): void {
  const root = view.root;
  if (root.querySelector(".hw-health")) return;
  const status = root.querySelector<HTMLElement>(".hw-status");
  if (!status) return;
  const line = element("div", "hw-status-line");
  status.replaceWith(line);
  line.append(status, healthBadge(view as unknown as View<{ health: Health }>));
}
