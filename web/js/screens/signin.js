// Sign in: the local dev sign-in (email only), or Supabase email + password / magic link.
import { loadAuthConfig, sendMagicLink, signInLocal, signInWithPassword } from "../auth.js";
import { h, replace } from "../dom.js";
import { busy, button, card, errorBox, field, pageTitle, toast } from "../ui.js";

export async function renderSignIn(main, { onSignedIn }) {
  const config = await loadAuthConfig().catch(() => ({ mode: "local" }));
  const errors = errorBox();
  const email = h("input", { type: "email", name: "email", autocomplete: "email", required: true,
    inputmode: "email", placeholder: "you@example.com" });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password" });
  const supabase = config.mode === "supabase";
  const submit = button("Sign in", { kind: "primary", type: "submit" });

  const form = h("form", { class: "stack", novalidate: true, onSubmit: (event) => {
    event.preventDefault();
    if (!email.value.trim()) {
      errors.show("Enter your email address.");
      email.focus();
      return;
    }
    busy(submit, errors, async () => {
      if (supabase) await signInWithPassword(email.value.trim(), password.value);
      else await signInLocal(email.value.trim());
      onSignedIn();
    });
  } },
  field("Email", email),
  supabase ? field("Password", password, "Or leave it empty and ask for a sign-in link.") : null,
  errors.element,
  submit);

  if (supabase) {
    const magic = button("Email me a sign-in link", { onClick: () => busy(magic, errors, async () => {
      if (!email.value.trim()) throw new Error("Enter your email address first.");
      await sendMagicLink(email.value.trim());
      toast("Check your email for the sign-in link.");
    }) });
    form.append(magic);
  }

  replace(main,
    pageTitle("Sign in"),
    h("p", { class: "lead" }, "Turn a sample short video into a new, similar 9:16 video."),
    card(form),
    supabase ? null : h("p", { class: "hint" }, "Local mode: any email signs you in on this machine."));
}
