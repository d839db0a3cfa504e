// The favourite star shared by projects and videos.
import { api } from "./api.js";
import { busy, iconButton } from "./ui.js";

/** A toggle button (aria-pressed) that marks a project or video as favourite. */
export function favoriteButton(item, path) {
  const btn = iconButton(`Favourite ${item.title || "this video"}`, "star",
    { pressed: Boolean(item.favorite), class: "btn btn-icon btn-ghost star" });
  btn.addEventListener("click", () => busy(btn, null, async () => {
    const updated = await api(path, { method: "POST", body: { favorite: !item.favorite } });
    item.favorite = updated.favorite;
    btn.setAttribute("aria-pressed", String(item.favorite));
  }));
  return btn;
}
