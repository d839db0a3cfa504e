// The app shell: routes, the tab bar, the connection banner, and sign-in gating.
import { CONNECTION_EVENT, UNAUTHORIZED_EVENT } from "./api.js";
import { currentSession, loadAuthConfig, signedIn, signOut, takeSessionFromUrl } from "./auth.js";
import { h, replace } from "./dom.js";
import { icon } from "./icons.js";
import { compile, currentPath, match, navigate } from "./router.js";
import { errorBox, iconButton, pageTitle } from "./ui.js";
import { renderAnalytics } from "./screens/analytics.js";
import { renderLibrary } from "./screens/library.js";
import { renderProject } from "./screens/project.js";
import { renderProjects } from "./screens/projects.js";
import { renderSettings } from "./screens/settings.js";
import { renderSignIn } from "./screens/signin.js";
import { renderVideo } from "./screens/video.js";

const ROUTES = compile([
  { path: "/projects", section: "projects", title: "Projects", render: renderProjects },
  { path: "/project/:id/:step?", section: "projects", title: "Project", render: renderProject },
  { path: "/video/:id", section: "library", title: "Video", render: renderVideo },
  { path: "/library", section: "library", title: "Library", render: renderLibrary },
  { path: "/analytics", section: "analytics", title: "Analytics", render: renderAnalytics },
  { path: "/settings", section: "settings", title: "Settings", render: renderSettings },
]);
const TABS = [
  ["projects", "Projects", "#/projects"],
  ["library", "Library", "#/library"],
  ["analytics", "Analytics", "#/analytics"],
  ["settings", "Settings", "#/settings"],
];

const main = document.getElementById("main");
const tabbar = document.getElementById("tabbar");
const account = document.getElementById("account");
let screen = null; // {controller} of the screen on display

function renderTabs(section) {
  replace(tabbar, TABS.map(([name, label, href]) => h("a", { href, class: "tab",
    "aria-current": name === section ? "page" : null }, icon(name, 22), h("span", null, label))));
}

function renderAccount() {
  const session = currentSession();
  replace(account, session
    ? [h("span", { class: "account-email" }, session.email), iconButton("Sign out", "signout", {
      kind: "on-dark", onClick: () => {
        signOut();
        navigate("/projects");
      },
    })]
    : []);
}

async function show() {
  screen?.controller.abort();
  const controller = new AbortController();
  screen = { controller };
  const path = currentPath();
  renderAccount();
  if (!signedIn()) {
    tabbar.hidden = true;
    document.title = "Sign in · Reelsmith";
    replace(main);
    await renderSignIn(main, { onSignedIn: () => show(), signal: controller.signal });
    focusHeading();
    return;
  }
  const found = match(ROUTES, path);
  tabbar.hidden = false;
  renderTabs(found?.route.section);
  replace(main);
  if (!found) {
    document.title = "Not found · Reelsmith";
    replace(main, pageTitle("Page not found"), h("a", { class: "btn btn-secondary", href: "#/projects" }, "Go to projects"));
    focusHeading();
    return;
  }
  document.title = `${found.route.title} · Reelsmith`;
  try {
    await found.route.render(main, { ...found.params, signal: controller.signal, path });
  } catch (err) {
    if (err.name === "AbortError" || controller.signal.aborted) return;
    const errors = errorBox();
    errors.show(err);
    replace(main, pageTitle("Something went wrong"), errors.element,
      h("button", { type: "button", class: "btn btn-secondary", onClick: () => show() }, "Try again"));
  }
  if (!controller.signal.aborted) focusHeading();
}

/** After navigation, focus the screen's heading so screen readers announce the new page. */
function focusHeading() {
  const heading = main.querySelector("h1");
  (heading ?? main).focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

function showBanner(lost) {
  const banner = document.getElementById("banner");
  banner.textContent = lost ? "Connection lost, retrying…" : "";
  banner.hidden = !lost;
}

document.getElementById("skip-link").addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});
window.addEventListener(CONNECTION_EVENT, (event) => showBanner(event.detail.lost));
window.addEventListener("offline", () => showBanner(true));
window.addEventListener("online", () => showBanner(false));
window.addEventListener(UNAUTHORIZED_EVENT, () => {
  signOut();
  show();
});
window.addEventListener("hashchange", show);

takeSessionFromUrl();
loadAuthConfig().catch(() => {}).finally(show);
