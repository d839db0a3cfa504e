// Step 1: the sample video (required), a character image and an audio track (optional).
import { h, replace } from "../dom.js";
import { bytes } from "../format.js";
import { uploadFile } from "../upload.js";
import { badge, card, errorBox, field, linkButton, progressBar } from "../ui.js";

const KINDS = [
  { kind: "sample_video", title: "Sample video", accept: "video/mp4,video/quicktime,video/webm",
    hint: "The short video to learn from: MP4, MOV or WebM, up to 3 minutes." },
  { kind: "character_image", title: "Character image (optional)", accept: "image/png,image/jpeg,image/webp",
    hint: "A person or product to feature: PNG, JPEG or WebP." },
  { kind: "audio", title: "Audio (optional)", accept: "audio/*",
    hint: "Your own music or voice track: MP3, M4A, WAV or OGG." },
];

function currentFile(upload) {
  if (!upload) return h("p", { class: "hint" }, "Nothing uploaded yet.");
  return h("p", { class: "file-line" }, badge(upload.status), ` ${upload.filename || "file"} · ${bytes(upload.size_bytes)}`);
}

function uploadCard(project, spec) {
  const latest = project.uploads.filter((u) => u.kind === spec.kind && u.status === "ready").at(-1);
  const current = h("div", null, currentFile(latest));
  const input = h("input", { type: "file", name: spec.kind, accept: spec.accept });
  const progress = progressBar(`${spec.title} upload`, 0);
  progress.element.hidden = true;
  const status = h("p", { class: "hint", role: "status", "aria-live": "polite" });
  const errors = errorBox();
  const next = h("div");

  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    if (!file) return;
    errors.clear();
    replace(next);
    progress.set(0);
    progress.element.hidden = false;
    status.textContent = `Uploading ${file.name}…`;
    input.disabled = true;
    try {
      const upload = await uploadFile(project.id, spec.kind, file, (fraction) => progress.set(fraction * 100));
      replace(current, currentFile(upload));
      status.textContent = `${file.name} uploaded.`;
      if (spec.kind === "sample_video") {
        status.textContent = `${file.name} uploaded. Analysis started.`;
        replace(next, linkButton("See the analysis", `#/project/${project.id}/analysis`, { kind: "primary" }));
      }
    } catch (err) {
      progress.element.hidden = true;
      status.textContent = "";
      errors.show(err);
    } finally {
      input.disabled = false;
      input.value = "";
    }
  });

  return card(h("h2", null, spec.title), current, field(`Choose a file for ${spec.title.replace(" (optional)", "").toLowerCase()}`, input, spec.hint),
    progress.element, status, errors.element, next);
}

export async function renderUploads(body, project) {
  const hasSample = project.uploads.some((u) => u.kind === "sample_video" && u.status === "ready");
  replace(body, ...KINDS.map((spec) => uploadCard(project, spec)),
    hasSample ? linkButton("Next: the analysis", `#/project/${project.id}/analysis`, { kind: "primary" }) : null);
}
