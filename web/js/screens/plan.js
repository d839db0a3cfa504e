// Step 3: the plan as segment cards, direct edits, the chat, the version history and the budget.
import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { date, money, seconds } from "../format.js";
import { navigate } from "../router.js";
import { busy, button, card, emptyState, errorBox, field, linkButton, loading, select, toast } from "../ui.js";
import { chatPanel } from "./chat.js";

const SOURCES = { planner: "written by the planner", chat: "from the chat", edit: "edited by you", restore: "restored" };

function idempotencyKey() {
  return window.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

function modelOptions(plan) {
  const models = new Set();
  for (const s of plan.segments) [s.model, ...(s.fallback_models ?? [])].forEach((m) => models.add(m));
  return [...models].map((m) => [m, m]);
}

function editForm(view, segment, onSaved, onCancel) {
  const errors = errorBox();
  const prompt = h("textarea", { name: "prompt", rows: "4", maxlength: "1000", value: segment.prompt });
  const model = select(modelOptions(view.plan), { value: segment.model, name: "model" });
  const duration = h("input", { type: "number", name: "duration", min: "1", max: "60", step: "1",
    inputmode: "numeric", value: String(segment.duration) });
  const save = button("Save as new version", { kind: "primary", type: "submit" });
  return h("form", { class: "stack edit-form", onSubmit: (event) => {
    event.preventDefault();
    busy(save, errors, async () => {
      const change = { index: segment.index, prompt: prompt.value.trim(), model: model.value,
        duration: Number(duration.value) };
      const updated = await api(`/api/projects/${view.projectId}/plans/${view.version}`, { method: "PATCH",
        body: { changes: { segments: [change] } } });
      toast(`Saved as version ${updated.version}.`);
      onSaved(updated);
    });
  } },
  field("Prompt", prompt), field("Model", model),
  field("Duration (seconds)", duration, "The model's nearest valid length is used."),
  errors.element, h("div", { class: "row" }, save, button("Cancel", { onClick: onCancel })));
}

function segmentCard(view, segment, onSaved) {
  const cost = view.cost?.per_segment?.find((c) => c.index === segment.index);
  const slot = h("div");
  const number = segment.index + 1;
  const edit = button(`Edit segment ${number}`, { iconName: "edit", onClick: () => {
    edit.hidden = true;
    replace(slot, editForm(view, segment, onSaved, () => {
      replace(slot);
      edit.hidden = false;
      edit.focus();
    }));
    slot.querySelector("textarea").focus();
  } });
  return h("li", { class: "card segment" },
    h("div", { class: "segment-head" }, h("h3", null, `Segment ${number}`),
      h("span", { class: "chips" }, h("span", { class: "chip" }, seconds(segment.duration)),
        h("span", { class: "chip" }, segment.model), h("span", { class: "chip" }, money(cost?.usd)))),
    h("p", { class: "prompt" }, segment.prompt),
    segment.text_overlay ? h("p", { class: "hint" }, `On screen: “${segment.text_overlay}”`) : null,
    segment.voiceover ? h("p", { class: "hint" }, `Voice-over: “${segment.voiceover}”`) : null,
    edit, slot);
}

function versionsList(projectId, versions, current, onRestored) {
  return h("ol", { class: "list versions", "aria-label": "Plan versions" }, versions.map((v) => {
    const isCurrent = v.version === current;
    const restore = isCurrent ? h("span", { class: "badge badge-ready" }, "Current")
      : button(`Restore version ${v.version}`, { onClick: () => busy(restore, null, async () => {
        const restored = await api(`/api/projects/${projectId}/plans/${v.version}/restore`, { method: "POST" });
        toast(`Version ${v.version} restored as version ${restored.version}.`);
        onRestored(restored);
      }) });
    return h("li", { class: "list-item version" },
      h("div", { class: "list-text" }, h("span", { class: "list-title" }, `Version ${v.version}`),
        h("span", { class: "list-meta" }, `${SOURCES[v.source] ?? v.source} · ${seconds(v.plan.target_duration)} · `
          + `${money(v.cost?.total_usd)} · ${date(v.created_at)}`),
        v.note ? h("span", { class: "list-meta" }, v.note) : null),
      restore);
  }));
}

async function writePlanForm(body, project, signal) {
  const errors = errorBox();
  const duration = h("input", { type: "number", name: "target_duration", min: "1", max: "60", step: "1",
    inputmode: "numeric", placeholder: "Same as the sample" });
  const submit = button("Write the plan", { kind: "primary", type: "submit" });
  replace(body, card(h("form", { class: "stack", onSubmit: (event) => {
    event.preventDefault();
    busy(submit, errors, async () => {
      const target = duration.value ? Number(duration.value) : undefined;
      await api("/api/generate-plan", { method: "POST", body: { project_id: project.id, target_duration: target } });
      await renderPlan(body, project, { signal });
    });
  } }, h("h2", null, "No plan yet"), h("p", null, "Reelsmith writes a plan from the analysis of your sample."),
  field("Target length in seconds (optional)", duration, "At most 60 seconds."), errors.element, submit)));
}

export async function renderPlan(body, project, { signal }) {
  replace(body, loading("Loading the plan…"));
  let view;
  try {
    view = await api(`/api/projects/${project.id}/plan`, { signal });
  } catch (err) {
    if (err.status !== 404) throw err;
    const analysed = await api(`/api/projects/${project.id}/analysis`, { signal }).then(() => true, () => false);
    if (analysed) await writePlanForm(body, project, signal);
    else replace(body, emptyState("The plan is written from the analysis: upload and analyse a sample first.",
      linkButton("See the analysis", `#/project/${project.id}/analysis`, { kind: "primary" })));
    return;
  }
  const settings = await api("/api/settings", { signal }).catch(() => null);
  const summary = h("div");
  const segments = h("ol", { class: "segments", "aria-label": "Segments" });
  const versions = h("div");
  const errors = errorBox();

  async function show(planview) {
    view = { ...planview, projectId: project.id };
    const plan = view.plan;
    const budget = settings?.monthly_budget_usd;
    const generate = button("Generate the video", { kind: "primary", iconName: "play", onClick: () => busy(generate, errors, async () => {
      await api("/api/generate-video", { method: "POST", body: { project_id: project.id, plan_version: view.version },
        headers: { "Idempotency-Key": idempotencyKey() } });
      navigate(`/project/${project.id}/generate`);
    }) });
    replace(summary, card(
      h("h2", null, `Plan version ${view.version}`),
      h("p", { class: "plan-stats", role: "status", "aria-live": "polite" },
        `${seconds(plan.target_duration)} · ${plan.segments.length} segments · total ${money(view.cost?.total_usd)}`),
      budget != null ? h("p", { class: "hint" }, `Monthly budget ${money(budget)}`) : null,
      plan.notes ? h("p", { class: "hint" }, plan.notes) : null,
      errors.element, generate));
    replace(segments, plan.segments.map((s) => segmentCard(view, s, show)));
    const history = await api(`/api/projects/${project.id}/plans`, { signal });
    replace(versions, card(h("h2", null, "Versions"), versionsList(project.id, history.items, view.version, show)));
  }

  await show(view);
  replace(body, summary, h("h2", { class: "section-title" }, "Segments"), segments,
    await chatPanel(project.id, show, signal), versions);
}
