/** Small DOM helpers shared by the widgets' front-ends. */

/** A new element with a class name ("" for none). */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  return el;
}
