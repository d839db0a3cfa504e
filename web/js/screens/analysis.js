// Step 2: the analysis report: summary, keyframes, shot timeline, palette, pacing and audio.
import { api } from "../api.js";
import { h, replace, safeColor } from "../dom.js";
import { eta, percent, seconds } from "../format.js";
import { follow } from "../jobs.js";
import { navigate } from "../router.js";
import { busy, button, card, emptyState, errorBox, linkButton, loading, progressBar } from "../ui.js";

function swatches(colors, label) {
  return h("ul", { class: "swatches", "aria-label": label }, colors.map((color) =>
    h("li", { class: "swatch" }, h("span", { class: "swatch-chip", style: `background:${safeColor(color)}` }),
      h("span", { class: "swatch-label" }, color))));
}

function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(([, value]) => value !== "" && value !== null && value !== undefined)
    .map(([term, value]) => h("div", null, h("dt", null, term), h("dd", null, String(value)))));
}

function timeline(shots, duration) {
  const total = duration || shots.at(-1)?.end || 1;
  return h("div", { class: "timeline", role: "img",
    "aria-label": `Shot timeline: ${shots.length} shots over ${seconds(total)}` },
  shots.map((shot) => h("span", { class: "timeline-shot", title: `Shot ${shot.index + 1}`,
    style: `flex-basis:${((shot.end - shot.start) / total) * 100}%;background:${safeColor(shot.palette?.[0])}` })));
}

function shotCard(shot) {
  const range = `${shot.start.toFixed(1)}–${shot.end.toFixed(1)} s`;
  return h("li", { class: "shot" },
    shot.keyframe_url
      ? h("img", { src: shot.keyframe_url, alt: `Keyframe of shot ${shot.index + 1}`, loading: "lazy",
        width: "90", height: "160" })
      : h("div", { class: "shot-placeholder", "aria-hidden": "true" }),
    h("div", { class: "shot-text" },
      h("h3", null, `Shot ${shot.index + 1}`),
      h("p", null, `${range} · begins with a ${shot.kind} · ${shot.camera_motion} camera`),
      h("p", { class: "hint" }, `Brightness ${percent(shot.brightness * 100)} · motion ${percent(shot.motion * 100)}`),
      swatches((shot.palette ?? []).slice(0, 4), `Shot ${shot.index + 1} colours`)));
}

function report(analysis, projectId) {
  const r = analysis.report;
  const u = r.understanding ?? {};
  const audio = r.audio ?? {};
  return [
    card(h("h2", null, "Summary"), h("p", null, analysis.summary || r.summary),
      facts([["Content", u.content_type], ["Subject", u.subject], ["Audience", u.audience], ["Tone", u.tone],
        ["Style", (u.style_keywords ?? []).join(", ")], ["Hook", u.hook], ["Call to action", u.call_to_action]]),
      u.note ? h("p", { class: "hint" }, u.note) : null),
    card(h("h2", null, "Shots"), timeline(r.shots, r.media?.duration),
      facts([["Shots", r.pacing?.shot_count], ["Pace", r.pacing?.label],
        ["Cuts per minute", r.pacing?.cuts_per_minute?.toFixed(1)], ["Average shot", seconds(r.pacing?.mean_shot)]]),
      h("ul", { class: "shots", "aria-label": "Keyframes" }, r.shots.map(shotCard))),
    card(h("h2", null, "Palette"), swatches(r.palette ?? [], "Dominant colours")),
    card(h("h2", null, "Media and audio"),
      facts([["Duration", seconds(r.media?.duration)], ["Size", `${r.media?.display_width}×${r.media?.display_height}`],
        ["Frame rate", `${Math.round(r.media?.fps ?? 0)} fps`], ["Orientation", r.media?.orientation],
        ["Audio", audio.present ? "yes" : "none"],
        ["Loudness", audio.integrated_lufs != null ? `${audio.integrated_lufs.toFixed(1)} LUFS` : ""],
        ["Speech", percent((audio.speech_ratio ?? 0) * 100)], ["Music", percent((audio.music_ratio ?? 0) * 100)]])),
    linkButton("Next: the plan", `#/project/${projectId}/plan`, { kind: "primary" }),
  ];
}

function startButton(project, body, signal, label) {
  const errors = errorBox();
  const btn = button(label, { kind: "primary", onClick: () => busy(btn, errors, async () => {
    await api("/api/analyze", { method: "POST", body: { project_id: project.id } });
    await renderAnalysis(body, project, { signal });
  }) });
  return [btn, errors.element];
}

async function waitForAnalysis(body, project, signal, job) {
  const bar = progressBar("Analysis progress", job.percent);
  const stage = h("p", { role: "status", "aria-live": "polite" }, "Analysing the sample…");
  replace(body, card(h("h2", null, "Analysing"), bar.element, stage));
  const last = await follow(`/api/jobs/${job.id}`, (update) => {
    bar.set(update.percent);
    stage.textContent = `${update.stage || update.status} · ${eta(update.eta_seconds)}`;
  }, signal);
  if (!signal.aborted) {
    if (last?.status === "succeeded") navigate(`/project/${project.id}/analysis`); // refresh the status too
    else showFailure(body, project, signal, last);
  }
}

function showFailure(body, project, signal, job) {
  const errors = errorBox();
  errors.show(job?.error_message || "The analysis did not finish.");
  replace(body, card(h("h2", null, "The analysis failed"), errors.element,
    ...startButton(project, body, signal, "Analyse again")));
}

export async function renderAnalysis(body, project, { signal }) {
  replace(body, loading("Loading the analysis…"));
  const { job } = await api(`/api/projects/${project.id}/progress`, { signal });
  if (job && job.kind === "analyze" && !["succeeded", "failed", "cancelled"].includes(job.status)) {
    await waitForAnalysis(body, project, signal, job);
    return;
  }
  try {
    const analysis = await api(`/api/projects/${project.id}/analysis`, { signal });
    replace(body, ...report(analysis, project.id));
  } catch (err) {
    if (err.status !== 404) throw err;
    if (job?.kind === "analyze" && job.status === "failed") {
      showFailure(body, project, signal, job);
    } else if (project.uploads.some((u) => u.kind === "sample_video" && u.status === "ready")) {
      replace(body, emptyState("The sample has not been analysed yet.",
        h("div", { class: "stack" }, ...startButton(project, body, signal, "Analyse the sample"))));
    } else {
      replace(body, emptyState("Upload a sample video first.",
        linkButton("Go to uploads", `#/project/${project.id}/uploads`, { kind: "primary" })));
    }
  }
}
