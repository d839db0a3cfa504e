// Settings: defaults for new plans, the monthly budget, and the user's data (export, import, delete).
import { api, downloadFile } from "../api.js";
import { currentSession, signOut } from "../auth.js";
import { h } from "../dom.js";
import { navigate } from "../router.js";
import { busy, button, card, checkbox, errorBox, field, pageTitle, select, toast } from "../ui.js";

const CONFIRM_PHRASE = "DELETE MY DATA";

function list(text) {
  return text.split(",").map((s) => s.trim()).filter(Boolean);
}

function preferencesForm(settings) {
  const errors = errorBox();
  const duration = h("input", { type: "number", name: "default_target_duration", min: "1", max: "60", step: "1",
    inputmode: "numeric", value: settings.default_target_duration ?? "" });
  const budget = h("input", { type: "number", name: "monthly_budget_usd", min: "0", step: "1", inputmode: "decimal",
    value: String(settings.monthly_budget_usd) });
  const preferred = h("input", { name: "preferred_models", autocomplete: "off", value: settings.preferred_models.join(", ") });
  const excluded = h("input", { name: "excluded_models", autocomplete: "off", value: settings.excluded_models.join(", ") });
  const voice = h("input", { name: "default_voice", autocomplete: "off", value: settings.default_voice });
  const captionStyle = select([["bold", "Bold"], ["minimal", "Minimal"], ["karaoke", "Karaoke"]],
    { value: settings.caption_style, name: "caption_style" });
  const notifications = select([["in_app", "In the app"], ["none", "None"]], { value: settings.notifications, name: "notifications" });
  const captions = checkbox("Captions on new videos", { checked: settings.captions });
  const autoAnalyze = checkbox("Analyse a sample as soon as it is uploaded", { checked: settings.auto_analyze });
  const allowPartial = checkbox("Finish a video even if a segment fails", { checked: settings.allow_partial });
  const save = button("Save settings", { kind: "primary", type: "submit" });
  return h("form", { class: "stack", onSubmit: (event) => {
    event.preventDefault();
    busy(save, errors, async () => {
      await api("/api/settings", { method: "PUT", body: {
        default_target_duration: duration.value ? Number(duration.value) : null,
        preferred_models: list(preferred.value), excluded_models: list(excluded.value),
        default_voice: voice.value.trim() || "en", captions: captions.input.checked,
        caption_style: captionStyle.value, monthly_budget_usd: Number(budget.value || 0),
        notifications: notifications.value, auto_analyze: autoAnalyze.input.checked,
        allow_partial: allowPartial.input.checked,
      } });
      toast("Settings saved.");
    });
  } },
  h("h2", null, "Defaults"),
  field("Default length (seconds)", duration, "Empty: the sample's length."),
  field("Monthly budget (USD)", budget, "Renders that would pass it are refused."),
  field("Preferred models", preferred, "Comma separated, e.g. veo3.1_fast, gen4_turbo."),
  field("Never use these models", excluded, "Comma separated."),
  field("Voice", voice), captions.element, field("Caption style", captionStyle),
  autoAnalyze.element, allowPartial.element, field("Notifications", notifications),
  errors.element, save);
}

function dataPanel() {
  const errors = errorBox();
  const exportBtn = button("Export my data", { iconName: "download", onClick: () => busy(exportBtn, errors, async () => {
    const name = await downloadFile("/api/user/export-data", "reelsmith-export.zip");
    toast(`Downloading ${name}.`);
  }) });
  const importInput = h("input", { type: "file", name: "import", accept: ".zip,application/zip" });
  importInput.addEventListener("change", async () => {
    const file = importInput.files?.[0];
    if (!file) return;
    errors.clear();
    try {
      const result = await api("/api/user/import-data", { method: "POST", body: file,
        headers: { "Content-Type": "application/zip" } });
      toast(`Imported: ${Object.entries(result.imported).map(([k, v]) => `${v} ${k}`).join(", ")}.`);
    } catch (err) {
      errors.show(err);
    } finally {
      importInput.value = "";
    }
  });
  const phrase = h("input", { name: "confirm", autocomplete: "off", spellcheck: "false" });
  const clear = button("Delete all my data", { kind: "danger", iconName: "trash", onClick: () => busy(clear, errors, async () => {
    if (phrase.value !== CONFIRM_PHRASE) throw new Error(`Type ${CONFIRM_PHRASE} to confirm.`);
    await api("/api/user/clear-data", { method: "POST", body: { confirm: phrase.value } });
    phrase.value = "";
    toast("All your projects, videos and settings were deleted.");
  }) });
  return card(h("h2", null, "Your data"),
    h("p", null, "Download everything Reelsmith keeps about you as a zip file, or bring such a file back."),
    exportBtn, field("Import a Reelsmith export (.zip)", importInput),
    h("h3", null, "Delete my data"),
    field(`Type ${CONFIRM_PHRASE} to confirm`, phrase, "Projects, uploads, videos and settings are deleted for good."),
    clear, errors.element);
}

export async function renderSettings(main, { signal }) {
  const settings = await api("/api/settings", { signal });
  const session = currentSession();
  main.append(pageTitle("Settings"), card(preferencesForm(settings)), dataPanel(),
    card(h("h2", null, "Account"), h("p", null, `Signed in as ${session?.email || "you"}.`),
      button("Sign out", { iconName: "signout", onClick: () => {
        signOut();
        navigate("/projects");
      } })));
}
