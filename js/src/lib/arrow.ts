/**
 * Decoding the Arrow IPC buffers the kernel sends (hubwidgets/widgets/_serialization.py) into
 * plain row objects, with flechette (a small, fast Arrow reader: ~45 KB against apache-arrow's
 * ~200 KB). The wire format is chosen so every value is a JS primitive: counts arrive as float64
 * (never BigInt), timestamps as timestamp[ms] (epoch milliseconds).
 */
import { tableFromIPC } from "@uwdata/flechette";

export type Cell = string | number | boolean | null;
export type Row = Readonly<Record<string, Cell>>;

/** The bytes of a buffer as anywidget hands it over (a DataView over a larger ArrayBuffer). */
export function bytesOf(buffer: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  // a view may start inside its ArrayBuffer: never read `.buffer` whole
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** One value as a JS primitive (defensive: the wire format should need none of these). */
export function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isNaN(value) ? null : value;
    case "bigint":
      return Number(value);
    default:
      if (value instanceof Date) return value.getTime();
      if (Array.isArray(value) || ArrayBuffer.isView(value)) {
        return Array.from(value as ArrayLike<unknown>, (v) => String(v)).join(", ");
      }
      return String(value);
  }
}

/** The rows of an Arrow IPC stream, each as `{column: value}`; none for an empty buffer. */
export function decodeRows(buffer: ArrayBuffer | ArrayBufferView | null | undefined): Row[] {
  if (!buffer || buffer.byteLength === 0) return [];
  const table = tableFromIPC(bytesOf(buffer), { useDate: false, useBigInt: false });
  const names = table.names;
  const columns = names.map((name) => table.getChild(name));
  const rows: Row[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, Cell> = {};
    names.forEach((name, k) => {
      row[name] = toCell(columns[k]?.at(i));
    });
    rows.push(row);
  }
  return rows;
}
