// Step 4: live progress of the render, per segment and stage, with ETA, cancel, pause and regenerate.
// Everything shown is read back from the API, so the screen resumes where the job is.
import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { eta, money, statusLabel } from "../format.js";
import { follow, TERMINAL } from "../jobs.js";
import { navigate } from "../router.js";
import { badge, busy, button, card, confirmDialog, emptyState, errorBox, linkButton, loading, progressBar } from "../ui.js";

const HEADINGS = { succeeded: "Your video is ready", failed: "The video was not finished", cancelled: "Cancelled" };
const ASSET_NAMES = { video_segment: "Segment", voiceover: "Voice-over", sound_effect: "Sound effect" };

function assetName(asset) {
  return asset.kind === "video_segment" ? `Segment ${asset.index + 1}` : ASSET_NAMES[asset.kind] ?? asset.kind;
}

function assetRow(asset) {
  const bar = progressBar(`${assetName(asset)} progress`, asset.status === "succeeded" || asset.status === "reused"
    ? 100 : (asset.progress ?? 0) * 100);
  return h("li", { class: "asset" },
    h("div", { class: "asset-head" }, h("span", { class: "list-title" }, assetName(asset)), badge(asset.status)),
    h("p", { class: "hint" }, [asset.model, asset.attempts > 1 ? `attempt ${asset.attempts}` : "",
      asset.cost_usd ? money(asset.cost_usd) : ""].filter(Boolean).join(" · ")),
    bar.element,
    asset.error_message ? h("p", { class: "alert alert-error" }, asset.error_message) : null);
}

export async function renderGenerate(body, project, { signal }) {
  replace(body, loading("Loading progress…"));
  const { job } = await api(`/api/projects/${project.id}/progress`, { signal });
  if (!job || job.kind !== "render") {
    replace(body, emptyState("Nothing is being generated yet. Review the plan, then generate the video.",
      linkButton("Go to the plan", `#/project/${project.id}/plan`, { kind: "primary" })));
    return;
  }
  await followJob(body, project, job, signal);
}

async function followJob(body, project, job, signal) {
  const overall = progressBar("Video progress", job.percent);
  const stage = h("p", { class: "stage", role: "status", "aria-live": "polite" });
  const costs = h("p", { class: "hint" });
  const assets = h("ul", { class: "assets", "aria-label": "Segments and audio" });
  const actions = h("div", { class: "row wrap" });
  const errors = errorBox();
  const heading = h("h2");
  replace(body, card(heading, overall.element, stage, costs, errors.element, actions),
    h("h2", { class: "section-title" }, "Segments"), assets);

  const restart = async (path, payload) => {
    const next = await api(path, { method: "POST", body: payload });
    await followJob(body, project, next, signal);
  };

  let shownStatus = null;
  function update(current) {
    heading.textContent = HEADINGS[current.status] ?? "Generating your video";
    overall.set(current.percent);
    const state = TERMINAL.has(current.status) || current.status === "paused"
      ? statusLabel(current.status) : current.stage;
    stage.textContent = `${state} · ${Math.round(current.percent)}%${current.status === "running" ? ` · ${eta(current.eta_seconds)}` : ""}`;
    costs.textContent = `Spent ${money(current.spent_usd)} of an estimated ${money(current.estimated_cost_usd)}`;
    replace(assets, (current.assets ?? []).map(assetRow));
    if (current.status === "failed" || current.status === "cancelled") {
      errors.show(current.error_message || "The video was not finished.");
    }
    if (current.status !== shownStatus) {
      shownStatus = current.status; // rebuilt only on a change, so keyboard focus stays put while polling
      replace(actions, ...actionsFor(current));
    }
  }

  function actionsFor(current) {
    if (current.status === "succeeded") {
      return [current.video_id ? linkButton("Watch the video", `#/video/${current.video_id}`, { kind: "primary", iconName: "play" }) : null,
        regenerateButton(current)];
    }
    if (TERMINAL.has(current.status)) return [regenerateButton(current)];
    const cancel = button("Cancel", { kind: "danger-outline", iconName: "stop", onClick: async () => {
      if (!(await confirmDialog("Cancel this video?", "Finished segments are kept for a later regenerate.", "Cancel video"))) return;
      await busy(cancel, errors, async () => update(await api(`/api/jobs/${current.id}/cancel`, { method: "POST" })));
    } });
    const paused = current.status === "paused";
    const toggle = button(paused ? "Resume" : "Pause", { iconName: paused ? "play" : "pause", onClick: () =>
      busy(toggle, errors, async () => update(await api(`/api/jobs/${current.id}/${paused ? "resume" : "pause"}`, { method: "POST" }))) });
    return [toggle, cancel];
  }

  /** Regenerate reuses every finished segment: after a failure it redoes only what is missing. */
  function regenerateButton(current) {
    const failed = (current.assets ?? []).some((a) => a.status === "failed" || a.status === "cancelled");
    if (current.status === "succeeded" && !failed) return null;
    const btn = button(failed ? "Regenerate failed segments" : "Try again", { kind: current.status === "succeeded" ? "secondary" : "primary", iconName: "retry",
      onClick: () => busy(btn, errors, () => restart(`/api/projects/${project.id}/regenerate`, {})) });
    return btn;
  }

  update(job);
  if (TERMINAL.has(job.status)) return;
  const last = await follow(`/api/jobs/${job.id}`, update, signal);
  if (last && !signal.aborted) navigate(`/project/${project.id}/generate`); // the project's status changed too
}
