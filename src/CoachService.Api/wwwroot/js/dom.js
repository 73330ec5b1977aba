// Every text reaches the page through textContent: a reply is untrusted input and is never parsed as HTML.

/** Makes an element: el("li", { className: "x", text: "hello", attrs: { "aria-label": "y" } }, child...). */
export function el(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined && options.text !== null) node.textContent = String(options.text);
  for (const [name, value] of Object.entries(options.attrs ?? {})) node.setAttribute(name, String(value));
  for (const child of children) if (child) node.append(child);
  return node;
}

/** An SVG element with presentation attributes (no style attribute, so nothing the CSP refuses). */
export function svg(tag, attrs = {}) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

export const $ = id => document.getElementById(id);

/** Replaces a list's items. */
export function fill(list, items, render, emptyText) {
  list.replaceChildren(...(items.length ? items.map(render) : [el("li", { className: "hint", text: emptyText })]));
}

/** Words for a code such as "face_to_face". */
export const words = code => (code ?? "").replaceAll("_", " ");
