// The assistant: plain-language plan edits ("make it 20 seconds"); each change is a new plan version.
import { api } from "../api.js";
import { h } from "../dom.js";
import { busy, button, card, errorBox, field } from "../ui.js";

function message(role, text, extra = []) {
  return h("li", { class: `chat-msg chat-${role}` },
    h("span", { class: "visually-hidden" }, role === "user" ? "You: " : "Assistant: "),
    h("p", null, text), ...extra);
}

function replyDetails(result) {
  const details = [];
  if (result.changes?.length) {
    details.push(h("ul", { class: "changes", "aria-label": "Changes" }, result.changes.map((c) => h("li", null, c))));
  }
  if (result.not_understood) details.push(h("p", { class: "hint" }, `Not understood: ${result.not_understood}`));
  if (result.plan) details.push(h("p", { class: "hint" }, `Saved as version ${result.plan.version}.`));
  return details;
}

/** The chat panel; ``onPlan(planview)`` is called when a reply comes with a new plan version. */
export async function chatPanel(projectId, onPlan, signal) {
  const history = await api(`/api/projects/${projectId}/chat`, { signal }).catch(() => ({ items: [] }));
  const log = h("ol", { class: "chat-log", "aria-live": "polite", "aria-label": "Conversation" },
    history.items.map((m) => message(m.role, m.content)));
  const errors = errorBox();
  const input = h("input", { name: "message", autocomplete: "off", maxlength: "2000",
    placeholder: "Make it 20 seconds" });
  const send = button("Send", { kind: "primary", type: "submit", iconName: "send" });
  const form = h("form", { class: "chat-form", onSubmit: (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    busy(send, errors, async () => {
      log.querySelector(".chat-empty")?.remove();
      log.append(message("user", text));
      input.value = "";
      const result = await api("/api/chat", { method: "POST", body: { project_id: projectId, message: text } });
      log.append(message("assistant", result.reply.content, replyDetails(result)));
      log.lastElementChild.scrollIntoView({ block: "nearest" });
      if (result.plan) onPlan(result.plan);
    });
  } }, field("Message to the assistant", input), send);
  if (!history.items.length) {
    log.append(h("li", { class: "hint chat-empty" }, "Ask for changes in plain words: “make it 20 seconds”, “use warm colours”."));
  }
  return card(h("h2", null, "Chat with the assistant"), log, form, errors.element);
}
