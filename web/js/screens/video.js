// The result: the 9:16 player, download, share link, favourite, QA summary.
import { api, downloadFile } from "../api.js";
import { favoriteButton } from "../favorite.js";
import { h, replace } from "../dom.js";
import { bytes, date, money, seconds } from "../format.js";
import { icon } from "../icons.js";
import { navigate } from "../router.js";
import { badge, busy, button, card, confirmDialog, errorBox, field, pageTitle, toast } from "../ui.js";

/** <video> with the short-lived stream URL; on a load error it asks the API for a fresh URL once. */
function player(video) {
  const el = h("video", { class: "player", controls: true, playsinline: true, preload: "metadata",
    src: video.stream_url, poster: video.thumbnail_url, "aria-label": `${video.title} video` });
  let refreshed = false;
  el.addEventListener("error", async () => {
    if (refreshed) return;
    refreshed = true;
    const fresh = await api(`/api/videos/${video.id}`).catch(() => null);
    if (fresh?.stream_url) el.src = fresh.stream_url;
  });
  return h("div", { class: "player-frame" }, el);
}

async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    input.select(); // no clipboard permission: leave it selected for a manual copy
    document.execCommand?.("copy");
  }
  toast("Link copied.");
}

function sharePanel(video) {
  const errors = errorBox();
  const slot = h("div", { class: "stack" });
  const status = h("p", { class: "hint", role: "status", "aria-live": "polite" },
    video.share?.active ? `Shared until ${date(video.share.expires_at)}.` : "Not shared.");
  const showLink = (link) => {
    const input = h("input", { name: "share_url", readOnly: true, value: link.url, class: "share-url" });
    const copy = button("Copy link", { iconName: "copy", onClick: () => copyText(link.url, input) });
    status.textContent = `Anyone with the link can watch until ${date(link.expires_at)}.`;
    replace(slot, field("Share link", input), h("div", { class: "row wrap" }, copy, stop));
  };
  const create = button(video.share?.active ? "Make a new link" : "Create share link", { kind: "primary",
    iconName: "share", onClick: () => busy(create, errors, async () => {
      showLink(await api(`/api/videos/${video.id}/share`, { method: "POST", body: {} }));
    }) });
  const stop = button("Stop sharing", { kind: "danger-outline", onClick: () => busy(stop, errors, async () => {
    await api(`/api/videos/${video.id}/share`, { method: "DELETE" });
    status.textContent = "Not shared. Old links no longer work.";
    replace(slot, create);
  }) });
  replace(slot, create, video.share?.active ? stop : null);
  return card(h("h2", null, "Share"), status, slot, errors.element);
}

function qaSummary(qa) {
  if (!qa) return null;
  const checks = qa.checks ?? [];
  return card(h("h2", null, "Quality checks"),
    h("p", null, qa.passed ? "All checks passed." : "Some checks did not pass."),
    h("ul", { class: "checks" }, checks.map((c) => h("li", { class: c.ok ? "ok" : "bad" },
      icon(c.ok ? "check" : "stop", 18), h("span", null, `${c.ok ? "Passed" : "Failed"}: ${c.name}`),
      c.detail ? h("span", { class: "hint" }, ` — ${c.detail}`) : null))));
}

export async function renderVideo(main, { id, signal }) {
  const video = await api(`/api/videos/${id}`, { signal });
  const errors = errorBox();
  const download = button("Download", { kind: "primary", iconName: "download", onClick: () => busy(download, errors, async () => {
    const name = await downloadFile(`/api/videos/${id}/download?variant=master`, `${video.title || "reelsmith"}.mp4`);
    toast(`Downloading ${name}.`);
  }) });
  const remove = button("Delete video", { kind: "danger-outline", iconName: "trash", onClick: async () => {
    if (!(await confirmDialog("Delete this video?", "The video and its share link are deleted for good."))) return;
    await busy(remove, errors, async () => {
      await api(`/api/videos/${id}`, { method: "DELETE" });
      toast("Video deleted.");
      navigate("/library");
    });
  } });
  const days = video.seconds_left != null ? Math.max(0, Math.ceil(video.seconds_left / 86400)) : null;
  replace(main,
    h("a", { class: "btn btn-ghost back", href: `#/project/${video.project_id}/generate` }, "← Project"),
    pageTitle(video.title || "Your video"),
    h("div", { class: "row wrap" }, badge(video.status), favoriteButton(video, `/api/videos/${id}/favorite`)),
    video.status === "ready" ? player(video) : h("p", { class: "alert" }, "This video has expired."),
    card(h("div", { class: "row wrap" }, download, remove), errors.element,
      h("dl", { class: "facts" }, [["Length", seconds(video.duration_s)], ["Size", `${video.width}×${video.height} · ${bytes(video.size_bytes)}`],
        ["Models", (video.models ?? []).join(", ")], ["Cost", money(video.cost_usd)], ["Made", date(video.created_at)],
        ["Expires", days != null ? `in ${days} day${days === 1 ? "" : "s"}` : ""]]
        .filter(([, v]) => v).map(([t, v]) => h("div", null, h("dt", null, t), h("dd", null, v))))),
    video.status === "ready" ? sharePanel(video) : null,
    qaSummary(video.qa));
}
