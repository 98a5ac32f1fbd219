/** Verdict badges of GovernanceWidget: allow / review / deny, coloured and spelled out (the
 * colour is never the only cue: each badge carries its word and a symbol). */
import { element } from "./dom";

/** The verdicts, best first (hubwidgets.core.governance.policy.VERDICTS). */
export const VERDICTS = ["allow", "review", "deny"] as const;
export type Verdict = (typeof VERDICTS)[number];

const SYMBOLS: Record<Verdict, string> = { allow: "✓", review: "?", deny: "✕" };

/** Whether `value` is a verdict. */
export function isVerdict(value: unknown): value is Verdict {
  return typeof value === "string" && (VERDICTS as readonly string[]).includes(value);
}

/** A badge for `value` (an unknown value shows as itself, unstyled). */
export function verdictBadge(value: string): HTMLSpanElement {
  const badge = element("span", "hw-verdict");
  const known = isVerdict(value);
  if (known) badge.classList.add(`hw-verdict-${value}`);
  badge.dataset.verdict = value;
  const symbol = element("span", "hw-verdict-symbol");
  symbol.setAttribute("aria-hidden", "true");
  symbol.textContent = known ? SYMBOLS[value] : "";
  const word = element("span", "hw-verdict-word");
  word.textContent = value || "—";
  badge.append(symbol, word);
  badge.title = known ? `Verdict: ${value}` : "No verdict";
  return badge;
}
