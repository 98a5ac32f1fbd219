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

/** A `<button type="button">` with the widgets' button look, calling `onClick` when pressed. */
export function button(
  label: string,
  onClick: () => void,
  className = "hw-button",
): HTMLButtonElement {
  const el = element("button", className);
  el.type = "button";
  el.textContent = label;
  el.addEventListener("click", onClick);
  return el;
}

/** The Hub page of a model. */
export function hubUrl(model: string): string {
  return `https://huggingface.co/${model.split("/").map(encodeURIComponent).join("/")}`;
}

/** A link that opens in a new tab, without giving the page a handle on this one. */
export function externalLink(
  text: string,
  href: string,
  className = "hw-external",
): HTMLAnchorElement {
  const a = element("a", className);
  a.textContent = text;
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  return a;
}

/** An `<option>` of a `<select>`. */
export function option(value: string, label: string): HTMLOptionElement {
  const el = element("option", "");
  el.value = value;
  el.textContent = label;
  return el;
}

/** A labelled form control: `<div class="hw-field"><label for=id>text</label>control</div>`
 * (the control gets the id `id`, so the label names it for assistive technology). */
export function labelled(
  id: string,
  text: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
): HTMLDivElement {
  const wrap = element("div", "hw-field");
  const label = element("label", "hw-label");
  control.id = id;
  label.htmlFor = id;
  label.textContent = text;
  wrap.append(label, control);
  return wrap;
}

/** A `<fieldset>` with its `<legend>`, grouping related controls under one name. */
export function fieldset(className: string, legend: string): HTMLFieldSetElement {
  const box = element("fieldset", className);
  const title = element("legend", "");
  title.textContent = legend;
  box.append(title);
  return box;
}
