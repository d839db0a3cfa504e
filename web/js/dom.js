// Safe DOM building: text always goes in as text nodes, URLs are checked, never innerHTML.

const PROPERTIES = new Set(["value", "checked", "disabled", "hidden", "selected", "multiple", "required",
  "readOnly", "indeterminate"]);
const URL_ATTRIBUTES = new Set(["href", "src", "poster", "action"]);

/** Only http(s), blob: and same-origin relative URLs reach an href or src. */
function safeUrl(url) {
  if (typeof url !== "string" || url === "") return null;
  try {
    const parsed = new URL(url, window.location.href);
    return ["http:", "https:", "blob:"].includes(parsed.protocol) ? url : null;
  } catch {
    return null;
  }
}

/** h("button", {class: "primary", onClick}, "Save"): an element with attributes, listeners and children. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (PROPERTIES.has(key)) {
      el[key] = value;
    } else if (URL_ATTRIBUTES.has(key)) {
      const url = safeUrl(String(value));
      if (url) el.setAttribute(key, url);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Append strings (as text), nodes and nested arrays; null/false are skipped. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replace every child of ``parent``. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

let uid = 0;
/** A unique element id for label/aria wiring. */
export function nextId(prefix = "f") {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** Only #rrggbb colours reach a style (they come from the analysis report). */
export function safeColor(hex) {
  return typeof hex === "string" && /^#[0-9a-fA-F]{6}$/.test(hex) ? hex : "#888888";
}
