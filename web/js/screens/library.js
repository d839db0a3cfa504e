// The library: every finished video, with search, filters and sorting.
import { api, query } from "../api.js";
import { favoriteButton } from "../favorite.js";
import { h, replace } from "../dom.js";
import { date, seconds } from "../format.js";
import { pagedList } from "../paged.js";
import { badge, checkbox, field, pageTitle, select } from "../ui.js";

const SORTS = [["created_desc", "Newest first"], ["created_asc", "Oldest first"], ["duration_desc", "Longest first"],
  ["duration_asc", "Shortest first"]];
const STATUSES = [["ready", "Ready to watch"], ["expired", "Expired"]];

function videoRow(video) {
  return h("li", { class: "list-item video-item" },
    h("a", { class: "list-link video-link", href: `#/video/${video.id}` },
      video.thumbnail_url ? h("img", { class: "thumb", src: video.thumbnail_url, alt: "", width: "54", height: "96", loading: "lazy" })
        : h("span", { class: "thumb", "aria-hidden": "true" }),
      h("span", { class: "list-text" }, h("span", { class: "list-title" }, video.title || "Untitled video"),
        h("span", { class: "list-meta" }, badge(video.status), ` ${seconds(video.duration_s)} · ${date(video.created_at)}`),
        video.shared ? h("span", { class: "list-meta" }, "Shared") : null)),
    favoriteButton(video, `/api/videos/${video.id}/favorite`));
}

export async function renderLibrary(main, { signal }) {
  const q = h("input", { type: "search", name: "q", autocomplete: "off", placeholder: "Title" });
  const status = select(STATUSES, { name: "status" });
  const sort = select(SORTS, { name: "sort" });
  const model = h("input", { name: "model", autocomplete: "off", placeholder: "e.g. veo3.1" });
  const minDuration = h("input", { type: "number", name: "min_duration", min: "0", max: "60", inputmode: "numeric" });
  const maxDuration = h("input", { type: "number", name: "max_duration", min: "0", max: "60", inputmode: "numeric" });
  const from = h("input", { type: "date", name: "created_from" });
  const to = h("input", { type: "date", name: "created_to" });
  const favourites = checkbox("Favourites only");

  const videos = pagedList({
    label: "Videos",
    noun: ["video", "videos"],
    row: videoRow,
    emptyText: () => "No videos match. Finished videos appear here.",
    fetchPage: (cursor) => api(`/api/videos${query({ q: q.value.trim(), status: status.value, sort: sort.value,
      model: model.value.trim(), min_duration: minDuration.value, max_duration: maxDuration.value,
      created_from: from.value, created_to: to.value, favorite: favourites.input.checked ? "true" : "",
      limit: 20, cursor })}`, { signal }),
  });
  for (const control of [q, model, minDuration, maxDuration]) control.addEventListener("input", videos.reloadSoon);
  for (const control of [status, sort, from, to, favourites.input]) control.addEventListener("change", videos.reload);

  replace(main, pageTitle("Library"),
    h("div", { class: "filters", role: "search" }, field("Search videos", q), favourites.element,
      h("details", { class: "more-filters" }, h("summary", null, "More filters"),
        h("div", { class: "grid-2" }, field("Status", status), field("Sort", sort), field("Model", model),
          field("Min length (s)", minDuration), field("Max length (s)", maxDuration),
          field("Made from", from), field("Made until", to)))),
    ...videos.elements);
  await videos.reload();
}
