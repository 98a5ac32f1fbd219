/** A stand-in for anywidget's model in the node tests: state, change events, custom messages.
 * Each widget's test extends it with its default state (and how it records what it sends). */
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
}
