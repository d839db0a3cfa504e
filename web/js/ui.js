// Shared building blocks: headings, fields, buttons, alerts, progress bars, dialogs, toasts.
import { h, nextId, replace } from "./dom.js";
import { icon } from "./icons.js";
import { percent, statusLabel } from "./format.js";

/** The screen's heading; the router moves focus to it after navigation. */
export function pageTitle(text, ...extra) {
  return h("div", { class: "page-head" }, h("h1", { tabindex: "-1", class: "page-title" }, text), ...extra);
}

export function button(label, { kind = "secondary", iconName, onClick, type = "button", ...rest } = {}) {
  return h("button", { type, class: `btn btn-${kind}`, onClick, ...rest }, iconName ? icon(iconName) : null,
    h("span", null, label));
}

/** An icon-only button: the name goes to aria-label (and title for pointer users). */
export function iconButton(label, iconName, { onClick, pressed, kind = "ghost", ...rest } = {}) {
  return h("button", { type: "button", class: `btn btn-icon btn-${kind}`, "aria-label": label, title: label,
    "aria-pressed": pressed === undefined ? null : String(pressed), onClick, ...rest }, icon(iconName));
}

export function linkButton(label, href, { kind = "secondary", iconName } = {}) {
  return h("a", { class: `btn btn-${kind}`, href }, iconName ? icon(iconName) : null, h("span", null, label));
}

/** A labelled control: field("Title", h("input", {...})) wires for/id and an optional hint. */
export function field(label, control, hint) {
  const id = control.id || nextId("field");
  control.id = id;
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintEl);
}

/** A checkbox inside its label: the whole row is the touch target. */
export function checkbox(label, { checked = false, name, onChange } = {}) {
  const input = h("input", { type: "checkbox", name, checked, onChange });
  return { input, element: h("label", { class: "check" }, input, h("span", null, label)) };
}

export function select(options, { value, name, id } = {}) {
  return h("select", { name, id }, options.map(([optionValue, text]) =>
    h("option", { value: optionValue, selected: String(optionValue) === String(value) }, text)));
}

/** A region that announces errors (role=alert) and shows the server's message as plain text. */
export function errorBox() {
  const el = h("div", { class: "alert alert-error", role: "alert", hidden: true });
  return {
    element: el,
    show(err) {
      replace(el, err instanceof Error || err?.message ? err.message : String(err));
      el.hidden = false;
    },
    clear() {
      el.hidden = true;
      replace(el);
    },
  };
}

export function progressBar(label, value = 0) {
  const bar = h("div", { class: "progress-fill" });
  const text = h("span", { class: "progress-text" }, percent(value));
  const el = h("div", { class: "progress", role: "progressbar", "aria-label": label, "aria-valuemin": "0",
    "aria-valuemax": "100" }, h("div", { class: "progress-track" }, bar), text);
  const set = (v) => {
    const clamped = Math.max(0, Math.min(100, Number(v) || 0));
    bar.style.width = `${clamped}%`;
    el.setAttribute("aria-valuenow", String(Math.round(clamped)));
    text.textContent = percent(clamped);
  };
  set(value);
  return { element: el, set };
}

export function badge(status) {
  return h("span", { class: `badge badge-${status}` }, statusLabel(status));
}

export function card(...children) {
  return h("section", { class: "card" }, ...children);
}

export function emptyState(text, action) {
  return h("div", { class: "empty" }, h("p", null, text), action ?? null);
}

export function loading(text = "Loading…") {
  return h("p", { class: "loading", role: "status" }, text);
}

let toastTimer;
/** A short message in the polite live region at the bottom of the screen. */
export function toast(message) {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.classList.add("visible");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove("visible"), 4000);
}

/** A modal confirmation (<dialog>): resolves true when the user confirms. */
export function confirmDialog(title, message, confirmLabel = "Delete") {
  return new Promise((resolve) => {
    const titleId = nextId("dialog");
    const dialog = h("dialog", { class: "dialog", "aria-labelledby": titleId });
    const close = (result) => {
      dialog.close();
      dialog.remove();
      resolve(result);
    };
    replace(dialog,
      h("h2", { id: titleId }, title),
      h("p", null, message),
      h("div", { class: "row end" },
        button("Cancel", { onClick: () => close(false) }),
        button(confirmLabel, { kind: "danger", onClick: () => close(true) })));
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      close(false);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** Run an async action from a button: disabled while busy, errors to ``errors``. */
export async function busy(btn, errors, action) {
  btn.disabled = true;
  btn.setAttribute("aria-busy", "true");
  errors?.clear();
  try {
    return await action();
  } catch (err) {
    if (errors) errors.show(err);
    else toast(err.message);
    return undefined;
  } finally {
    btn.disabled = false;
    btn.removeAttribute("aria-busy");
  }
}
