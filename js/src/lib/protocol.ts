/**
 * The client side of the one request/reply protocol (hubwidgets/widgets/_protocol.py).
 *
 *   page -> kernel   {hw: 1, kind, id, body, paths} + buffers     (id null: no reply wanted)
 *   kernel -> page   {hw: 1, kind, id, body, paths} + buffers     a reply (same id)
 *                    {hw: 1, kind, id, error: {message, type}}    a refused or failed request
 *                    {hw: 1, kind, id: null, body, paths}         an event
 *
 * Binary values (ArrayBuffer, typed arrays, DataView) may sit anywhere in a body: they travel
 * as buffers, their places in `paths`, and are put back on arrival (as DataView).
 */
import type { AnyModel } from "@anywidget/types";

export const VERSION = 1;

type Path = (string | number)[];
export type Body = Record<string, unknown>;

interface Message {
  hw: number;
  kind: string;
  id: number | null;
  body?: Body;
  paths?: Path[];
  error?: { message: string; type: string };
}

/** A request the kernel refused or failed, with its words. */
export class RequestError extends Error {
  readonly type: string;
  constructor(message: string, type: string) {
    super(message);
    this.name = "RequestError";
    this.type = type;
  }
}

const isBinary = (v: unknown): v is ArrayBuffer | ArrayBufferView =>
  v instanceof ArrayBuffer || ArrayBuffer.isView(v);

/** `body` without its binary values, their paths, and the values. */
export function pack(body: Body): { body: Body; paths: Path[]; buffers: ArrayBufferView[] } {
  const paths: Path[] = [];
  const buffers: ArrayBufferView[] = [];
  const walk = (value: unknown, path: Path): unknown => {
    if (isBinary(value)) {
      paths.push(path);
      buffers.push(value instanceof ArrayBuffer ? new Uint8Array(value) : value);
      return null;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return value;
  };
  return { body: walk(body, []) as Body, paths, buffers };
}

/** The inverse of `pack`: buffers put back at their paths (in place). */
export function unpack(body: Body, paths: Path[] | undefined, buffers: readonly DataView[]): Body {
  (paths ?? []).forEach((path, k) => {
    let target: Record<string | number, unknown> = body;
    for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    if (last !== undefined) target[last] = buffers[k];
  });
  return body;
}

interface Pending {
  resolve: (body: Body) => void;
  reject: (error: Error) => void;
}

/** Requests by id and events by kind, over one model's custom messages. */
export class Client {
  private readonly model: AnyModel;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(body: Body) => void>>();
  private readonly onMessage: (content: unknown, buffers: DataView[]) => void;

  constructor(model: AnyModel) {
    this.model = model;
    this.onMessage = (content, buffers) => this.receive(content, buffers ?? []);
    model.on("msg:custom", this.onMessage);
  }

  /** Ask the kernel; the promise holds the reply's body, or rejects with a RequestError. */
  request<T extends Body = Body>(kind: string, body: Body = {}): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (b: Body) => void, reject });
      this.post(kind, id, body);
    });
  }

  /** Tell the kernel something; no reply (a failure goes to the widget's status line). */
  notify(kind: string, body: Body = {}): void {
    this.post(kind, null, body);
  }

  /** Listen to events of `kind` the kernel sends unasked; returns the unsubscribe function. */
  on(kind: string, listener: (body: Body) => void): () => void {
    const set = this.listeners.get(kind) ?? new Set();
    set.add(listener);
    this.listeners.set(kind, set);
    return () => set.delete(listener);
  }

  /** Stop listening; pending requests reject (the view is gone). */
  dispose(): void {
    this.model.off("msg:custom", this.onMessage);
    for (const { reject } of this.pending.values()) reject(new RequestError("closed", "Closed"));
    this.pending.clear();
    this.listeners.clear();
  }

  private post(kind: string, id: number | null, body: Body): void {
    const packed = pack(body);
    const message: Message = { hw: VERSION, kind, id, body: packed.body, paths: packed.paths };
    this.model.send(message, undefined, packed.buffers);
  }

  private receive(content: unknown, buffers: DataView[]): void {
    const message = content as Partial<Message> | null;
    if (!message || message.hw !== VERSION || typeof message.kind !== "string") return;
    if (typeof message.id === "number") {
      const waiting = this.pending.get(message.id);
      if (!waiting) return; // another view's request
      this.pending.delete(message.id);
      if (message.error) {
        waiting.reject(new RequestError(message.error.message, message.error.type));
      } else {
        waiting.resolve(unpack(message.body ?? {}, message.paths, buffers));
      }
      return;
    }
    const body = unpack(message.body ?? {}, message.paths, buffers);
    for (const listener of this.listeners.get(message.kind) ?? []) listener(body);
  }
}
