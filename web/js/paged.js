// A cursor-paginated list (projects, videos): reload on filter changes, "Load more", a live count.
// Only the newest request may touch the list, so fast typing never shows stale or doubled rows.
import { h, replace } from "./dom.js";
import { busy, button, emptyState, errorBox, loading } from "./ui.js";

/**
 * ``fetchPage(cursor)`` resolves to {items, next_cursor}; ``row(item)`` makes an <li>;
 * ``noun`` is [singular, plural]; ``emptyText()`` explains an empty result.
 */
export function pagedList({ label, fetchPage, row, noun, emptyText }) {
  const list = h("ul", { class: "list", "aria-label": label });
  const count = h("p", { class: "hint", role: "status", "aria-live": "polite" });
  const errors = errorBox();
  const more = button("Load more", { hidden: true });
  let cursor = null;
  let generation = 0;

  async function load(reset) {
    const mine = ++generation;
    errors.clear();
    if (reset) {
      cursor = null;
      replace(list, loading());
    }
    try {
      const page = await fetchPage(cursor);
      if (mine !== generation) return;
      if (reset) replace(list);
      for (const item of page.items) list.append(row(item));
      cursor = page.next_cursor;
      more.hidden = !cursor;
      const n = list.children.length;
      count.textContent = `${n} ${n === 1 ? noun[0] : noun[1]}`;
      if (!n) list.append(h("li", null, emptyState(emptyText())));
    } catch (err) {
      if (err.name !== "AbortError" && mine === generation) errors.show(err);
    }
  }

  let timer;
  more.addEventListener("click", () => busy(more, errors, () => load(false)));
  return {
    elements: [count, errors.element, list, more],
    reload: () => load(true),
    /** Reload after a pause in typing. */
    reloadSoon() {
      clearTimeout(timer);
      timer = setTimeout(() => load(true), 300);
    },
  };
}
