/** How numbers, dates and parameter counts are shown, and parsed back from what people type. */
import type { Cell } from "./arrow";

const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });

/** 1234 -> "1.2K", 7_241_000_000 -> "7.2B"; missing -> "". */
export function compactNumber(value: Cell): string {
  return typeof value === "number" && Number.isFinite(value) ? compact.format(value) : "";
}

/** 1234567 -> "1,234,567"; missing -> "". */
export function fullNumber(value: Cell): string {
  return typeof value === "number" && Number.isFinite(value) ? whole.format(value) : "";
}

/** Epoch milliseconds -> "2024-05-01" (UTC); missing -> "". */
export function isoDate(value: Cell): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "";
  return new Date(value).toISOString().slice(0, 10);
}

const PARAMS = /^\s*(\d+(?:\.\d+)?)\s*([kmbt]?)\s*$/i;
const UNITS: Record<string, number> = { "": 1, k: 1e3, m: 1e6, b: 1e9, t: 1e12 };

/**
 * A parameter count typed by a person: "7B", "300m", "1.5b", "7000000000".
 * Returns null for an empty field and undefined for text that is not a count
 * (the same grammar as `hubwidgets.core.catalog.query.parse_params`).
 */
export function parseParams(text: string): number | null | undefined {
  if (text.trim() === "") return null;
  const match = PARAMS.exec(text);
  if (!match) return undefined;
  const unit = UNITS[(match[2] ?? "").toLowerCase()] ?? 1;
  return Math.round(Number(match[1]) * unit);
}

/** A parameter count as people write it: 7e9 -> "7B", 350e6 -> "350M". */
export function formatParams(value: number | null | undefined): string {
  if (value === null || value === undefined) return "";
  for (const [unit, size] of [
    ["T", 1e12],
    ["B", 1e9],
    ["M", 1e6],
    ["K", 1e3],
  ] as const) {
    if (value >= size) return `${Number((value / size).toFixed(2))}${unit}`;
  }
  return String(value);
}
