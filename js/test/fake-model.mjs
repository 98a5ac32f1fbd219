/** A stand-in for anywidget's model in the node tests: state, change events, custom messages.
 * Each widget's test extends it with its default state (and how it records what it sends).
 * The protocol helpers speak src/lib/protocol.ts's messages ({hw: 1, kind, id, body, paths}). */
/** A search's filters, all unset: the state a SearchWidget or HubExplorer starts from (new
 * lists each call, so no two models share one). */
export const noFilters = () => ({
  query: "",
  task: [],
  library: [],
  language: [],
  license: [],
  author: [],
  min_params: null,
  max_params: null,
  gated: null,
});

export class FakeModel {
  constructor(state = {}) {
    this.state = { ...state };
    this.handlers = new Map();
    this.sent = [];
    this.saved = [];
  }
  get(key) {
    return this.state[key];
  }
  set(key, value) {
    if (this.state[key] === value) return;
    this.state[key] = value;
    this.emit(`change:${key}`);
  }
  on(event, callback) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event).add(callback);
  }
  off(event, callback) {
    this.handlers.get(event)?.delete(callback);
  }
  emit(event, ...args) {
    for (const callback of this.handlers.get(event) ?? []) callback(...args);
  }
  save_changes() {
    this.saved.push(structuredClone(this.state));
  }
  send(content, _callbacks, buffers) {
    this.sent.push({ content, buffers });
  }
  /** A custom message from the kernel. */
  custom(content, buffers = []) {
    this.emit("msg:custom", content, buffers);
  }
  /** The protocol messages the page sent, of one kind (or all): [{kind, id, body, buffers}]. */
  requests(kind) {
    return this.sent
      .filter(({ content }) => content?.hw === 1 && (kind === undefined || content.kind === kind))
      .map(({ content, buffers }) => ({ ...content, buffers: buffers ?? [] }));
  }
  /** The kernel's reply to a request (binary values of `body` travel as buffers). */
  reply(request, body = {}) {
    const { packed, paths, buffers } = pack(body);
    this.custom({ hw: 1, kind: request.kind, id: request.id, body: packed, paths }, buffers);
  }
  /** The kernel refusing a request. */
  fail(request, message, type = "ValueError") {
    this.custom({ hw: 1, kind: request.kind, id: request.id, error: { message, type } });
  }
  /** An event the kernel sends unasked. */
  event(kind, body = {}) {
    const { packed, paths, buffers } = pack(body);
    this.custom({ hw: 1, kind, id: null, body: packed, paths }, buffers);
  }
}

/** Binary values out of a body, as the kernel's protocol sends them (as DataView). */
function pack(body) {
  const paths = [];
  const buffers = [];
  const walk = (value, path) => {
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      paths.push(path);
      const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : value;
      buffers.push(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return null;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return value;
  };
  return { packed: walk(body, []), paths, buffers };
}
