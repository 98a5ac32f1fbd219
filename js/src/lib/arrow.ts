/**
 * Decoding the Arrow IPC buffers the kernel sends (hubwidgets/widgets/_serialization.py) into
 * plain row objects. The wire format is chosen so every value is a JS primitive: counts arrive as
 * float64 (never BigInt), timestamps as timestamp[ms] (epoch milliseconds).
 */
import { tableFromIPC } from "apache-arrow";

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
      return String(value);
  }
}

/** The rows of an Arrow IPC stream, each as `{column: value}`. */
export function decodeRows(buffer: ArrayBuffer | ArrayBufferView): Row[] {
  const table = tableFromIPC(bytesOf(buffer));
  const columns = table.schema.fields.map((field) => {
    const vector = table.getChild(field.name);
    return [field.name, vector] as const;
  });
  const rows: Row[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, Cell> = {};
    for (const [name, vector] of columns) row[name] = toCell(vector?.get(i));
    rows.push(row);
  }
  return rows;
}
