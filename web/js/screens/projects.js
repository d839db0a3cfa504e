// Projects: search, favourites, create; each project opens its own screen.
import { api, query } from "../api.js";
import { h, replace } from "../dom.js";
import { date } from "../format.js";
import { navigate } from "../router.js";
import { pagedList } from "../paged.js";
import { favoriteButton } from "../favorite.js";
import { badge, busy, button, card, checkbox, errorBox, field, pageTitle } from "../ui.js";

function projectRow(project) {
  return h("li", { class: "list-item" },
    h("a", { class: "list-link", href: `#/project/${project.id}` },
      h("span", { class: "list-title" }, project.title),
      h("span", { class: "list-meta" }, badge(project.status), ` Updated ${date(project.updated_at)}`)),
    favoriteButton(project, `/api/projects/${project.id}/favorite`));
}

function createForm() {
  const errors = errorBox();
  const title = h("input", { name: "title", required: true, maxlength: "120", autocomplete: "off" });
  const brief = h("textarea", { name: "brief", rows: "2", maxlength: "2000" });
  const submit = button("Create project", { kind: "primary", type: "submit", iconName: "plus" });
  return h("form", { class: "stack", onSubmit: (event) => {
    event.preventDefault();
    busy(submit, errors, async () => {
      if (!title.value.trim()) throw new Error("Give the project a title.");
      const project = await api("/api/projects", { method: "POST",
        body: { title: title.value.trim(), brief: brief.value.trim() } });
      navigate(`/project/${project.id}`);
    });
  } },
  h("h2", null, "New project"),
  field("Title", title),
  field("Brief (optional)", brief, "What should the new video be about?"),
  errors.element, submit);
}

export async function renderProjects(main, { signal }) {
  const search = h("input", { type: "search", name: "search", autocomplete: "off", placeholder: "Title or brief" });
  const favourites = checkbox("Favourites only");
  const projects = pagedList({
    label: "Projects",
    noun: ["project", "projects"],
    row: projectRow,
    emptyText: () => (search.value || favourites.input.checked
      ? "No projects match." : "No projects yet. Create your first one above."),
    fetchPage: (cursor) => api(`/api/projects${query({ limit: 20, cursor, search: search.value.trim(),
      favorite: favourites.input.checked ? "true" : "" })}`, { signal }),
  });
  search.addEventListener("input", projects.reloadSoon);
  favourites.input.addEventListener("change", projects.reload);

  replace(main,
    pageTitle("Projects"),
    card(createForm()),
    h("div", { class: "filters", role: "search" }, field("Search projects", search), favourites.element),
    ...projects.elements);
  await projects.reload();
}
