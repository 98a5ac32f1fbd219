/**
 * Files to the kernel in chunks (the Playground's `upload` requests): a file goes as requests of
 * at most `chunk` bytes each (the kernel's `_chunk_bytes`, well under the 10 MiB a websocket
 * message may hold); the reply to the last one is the file as the kernel holds it.
 */
import type { Client } from "./protocol";

/** A file the kernel holds, as it describes it. */
export interface FileInfo {
  id: string;
  name: string;
  size: number;
  sha256: string;
  mime: string;
  /** The bytes, for files the kernel made (a sample, a download), to preview them. */
  data?: DataView;
}

/** "1.2 MiB"-style sizes. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** The chunks of a file of `size` bytes: [offset, end) pairs of at most `chunk` bytes. */
export function chunkRanges(size: number, chunk: number): [number, number][] {
  const out: [number, number][] = [];
  const step = Math.max(1, chunk);
  for (let offset = 0; offset < size; offset += step)
    out.push([offset, Math.min(size, offset + step)]);
  if (size === 0) out.push([0, 0]);
  return out;
}

/** Send `file` as `id` in chunks, all at once (the kernel takes them in order); the file's info
 * once the kernel has it all, or the first chunk's refusal (a RequestError). */
export async function sendFile(
  client: Client,
  file: Blob,
  id: string,
  name: string,
  chunk: number,
): Promise<FileInfo> {
  const bytes = await file.arrayBuffer();
  const size = bytes.byteLength;
  const replies = chunkRanges(size, chunk).map(([start, end]) =>
    client.request("upload", {
      id,
      name,
      mime: file.type,
      size,
      offset: start,
      data: bytes.slice(start, end),
    }),
  );
  const answered = await Promise.all(replies);
  return answered[answered.length - 1] as unknown as FileInfo;
}
