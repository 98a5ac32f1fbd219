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

/** Charts drawn in the kernel (vl-convert SVG from the widget's own figures, not user HTML):
 * one labelled figure each, in ``name`` order of ``svgs``. */
export function chartFigures(
  svgs: Record<string, string>,
  titles: Record<string, string>,
): HTMLElement[] {
  return Object.entries(svgs).map(([name, svg]) => {
    const figure = element("figure", "hw-chart");
    figure.dataset.chart = name;
    const caption = element("figcaption", "hw-visually-hidden");
    caption.textContent = titles[name] ?? name;
    const picture = element("div", "hw-chart-svg");
    picture.innerHTML = svg;
    picture.querySelector("svg")?.setAttribute("role", "img");
    picture.querySelector("svg")?.setAttribute("aria-label", titles[name] ?? name);
    figure.append(caption, picture);
    return figure;
  });
}
