// One project: its header (rename, favourite, delete) and the four steps as sub-screens.
import { api } from "../api.js";
import { favoriteButton } from "../favorite.js";
import { h, replace } from "../dom.js";
import { navigate } from "../router.js";
import { badge, busy, button, confirmDialog, errorBox, field, iconButton, pageTitle, toast } from "../ui.js";
import { renderAnalysis } from "./analysis.js";
import { renderGenerate } from "./generate.js";
import { renderPlan } from "./plan.js";
import { renderUploads } from "./uploads.js";

const STEPS = [
  ["uploads", "Uploads", renderUploads],
  ["analysis", "Analysis", renderAnalysis],
  ["plan", "Plan", renderPlan],
  ["generate", "Generate", renderGenerate],
];

function renameForm(project, titleEl, done) {
  const errors = errorBox();
  const input = h("input", { name: "title", value: project.title, maxlength: "120", required: true });
  const save = button("Save", { kind: "primary", type: "submit" });
  const form = h("form", { class: "stack card", onSubmit: (event) => {
    event.preventDefault();
    busy(save, errors, async () => {
      const updated = await api(`/api/projects/${project.id}`, { method: "PATCH", body: { title: input.value.trim() } });
      project.title = updated.title;
      titleEl.textContent = updated.title;
      toast("Project renamed.");
      done();
    });
  } },
  field("New title", input), errors.element,
  h("div", { class: "row" }, save, button("Cancel", { onClick: done })));
  setTimeout(() => input.focus());
  return form;
}

function header(project) {
  const title = pageTitle(project.title);
  const titleEl = title.querySelector("h1");
  const slot = h("div");
  const rename = iconButton("Rename project", "edit", { kind: "secondary", onClick: () => {
    replace(slot, renameForm(project, titleEl, () => {
      replace(slot);
      rename.focus();
    }));
  } });
  const errors = errorBox();
  const remove = iconButton("Delete project", "trash", { kind: "danger-outline", onClick: async () => {
    const ok = await confirmDialog("Delete this project?",
      `“${project.title}”, its uploads, plans and videos will be deleted for good.`);
    if (!ok) return;
    await busy(remove, errors, async () => {
      await api(`/api/projects/${project.id}`, { method: "DELETE" });
      toast("Project deleted.");
      navigate("/projects");
    });
  } });
  return [
    h("a", { class: "btn btn-ghost back", href: "#/projects" }, "← All projects"),
    title,
    h("div", { class: "row wrap" }, badge(project.status),
      favoriteButton(project, `/api/projects/${project.id}/favorite`), rename, remove),
    slot, errors.element,
    project.brief ? h("p", { class: "lead" }, project.brief) : null,
  ];
}

export async function renderProject(main, { id, step = "uploads", signal }) {
  const project = await api(`/api/projects/${id}`, { signal });
  const current = STEPS.find(([name]) => name === step) ?? STEPS[0];
  const nav = h("nav", { class: "steps", "aria-label": "Project steps" }, STEPS.map(([name, label]) =>
    h("a", { href: `#/project/${id}/${name}`, class: "step", "aria-current": name === current[0] ? "page" : null },
      label)));
  const body = h("div", { class: "step-body" });
  replace(main, ...header(project), nav, body);
  await current[2](body, project, { signal });
}
