// Sessions: Supabase email sign-in through its REST auth endpoints, or the local dev sign-in.
// The session lives in localStorage so that a reload or a return visit stays signed in.
import { api, ApiError, setTokenProvider } from "./api.js";

const SESSION_KEY = "reelsmith.session";
const REFRESH_MARGIN_S = 60;
let authConfig = null;

/** {mode: "local"|"supabase", supabase_url, supabase_anon_key}, read once from the API. */
export async function loadAuthConfig() {
  authConfig ??= await api("/api/auth/config", { auth: false });
  return authConfig;
}

export function currentSession() {
  try {
    return JSON.parse(localStorage.getItem(SESSION_KEY) ?? "null");
  } catch {
    return null;
  }
}

function saveSession(session) {
  localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

export function signedIn() {
  return currentSession() !== null;
}

function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

async function supabase(path, body, token) {
  const { supabase_url: url, supabase_anon_key: key } = await loadAuthConfig();
  let response;
  try {
    response = await fetch(`${url.replace(/\/$/, "")}/auth/v1/${path}`, {
      method: "POST",
      headers: { apikey: key, "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body ?? {}),
    });
  } catch {
    throw new ApiError(0, "network", "Connection lost. Check your connection and try again.");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = data.error_description || data.msg || data.message || "Sign-in failed. Try again.";
    throw new ApiError(response.status, data.error_code || data.error || "auth_failed", message);
  }
  return data;
}

function supabaseSession(data) {
  return saveSession({
    provider: "supabase",
    access_token: data.access_token,
    refresh_token: data.refresh_token,
    expires_at: Number(data.expires_at) || nowSeconds() + Number(data.expires_in || 3600),
    email: data.user?.email ?? "",
  });
}

export async function signInLocal(email) {
  const data = await api("/api/auth/local", { method: "POST", body: { email }, auth: false });
  return saveSession({ provider: "local", access_token: data.access_token, email });
}

export async function signInWithPassword(email, password) {
  return supabaseSession(await supabase("token?grant_type=password", { email, password }));
}

/** Email a magic link that comes back to this page with the session in the URL fragment. */
export async function sendMagicLink(email) {
  const back = encodeURIComponent(`${window.location.origin}${window.location.pathname}`);
  await supabase(`otp?redirect_to=${back}`, { email, create_user: true });
}

/** After a magic link, Supabase puts #access_token=...&refresh_token=... in the URL: keep it. */
export function takeSessionFromUrl() {
  const hash = window.location.hash.slice(1);
  if (!hash.includes("access_token=")) return false;
  const params = new URLSearchParams(hash);
  let email = "";
  try {
    email = JSON.parse(atob(params.get("access_token").split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).email ?? "";
  } catch {
    // an opaque token: no email to show
  }
  supabaseSession({
    access_token: params.get("access_token"),
    refresh_token: params.get("refresh_token"),
    expires_at: params.get("expires_at"),
    expires_in: params.get("expires_in"),
    user: { email },
  });
  window.history.replaceState(null, "", `${window.location.pathname}#/projects`);
  return true;
}

let refreshing = null;
async function refreshed(session) {
  refreshing ??= supabase("token?grant_type=refresh_token", { refresh_token: session.refresh_token })
    .then(supabaseSession)
    .finally(() => { refreshing = null; });
  return refreshing;
}

/** The bearer token for API calls; a Supabase session is refreshed shortly before it expires. */
async function accessToken() {
  let session = currentSession();
  if (!session) return null;
  if (session.provider === "supabase" && session.expires_at - REFRESH_MARGIN_S < nowSeconds()) {
    try {
      session = await refreshed(session);
    } catch (err) {
      if (err.status !== 0) signOut();
      throw err;
    }
  }
  return session.access_token;
}

export function signOut() {
  const session = currentSession();
  localStorage.removeItem(SESSION_KEY);
  if (session?.provider === "supabase") {
    supabase("logout", {}, session.access_token).catch(() => {});
  }
}

setTokenProvider(accessToken);
