// The one way to call the Reelsmith API: base URL, bearer token, JSON errors, and patient retries
// on network failures (the "Connection lost, retrying…" banner listens to CONNECTION_EVENT).
import config from "../config.js";

export const CONNECTION_EVENT = "reelsmith:connection";
export const UNAUTHORIZED_EVENT = "reelsmith:unauthorized";
const RETRY_STATUSES = new Set([502, 503, 504]);
const MAX_ATTEMPTS = 8;

/** An API failure with the server's code and plain message (status 0: no connection). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let tokenProvider = async () => null;
/** auth.js registers how to get the current access token (refreshing it when needed). */
export function setTokenProvider(provider) {
  tokenProvider = provider;
}

function apiUrl(path) {
  return `${config.apiBase.replace(/\/$/, "")}${path}`;
}

/** Query string from an object, skipping empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

function announceConnection(lost) {
  window.dispatchEvent(new CustomEvent(CONNECTION_EVENT, { detail: { lost } }));
}

function backoffMs(attempt) {
  return Math.min(15000, 1000 * 2 ** attempt) * (0.8 + Math.random() * 0.4);
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new DOMException("aborted", "AbortError"));
    }, { once: true });
  });
}

/** The ApiError a failed response stands for, from its {"error": {code, message}} body. */
export async function errorFrom(response) {
  try {
    const body = await response.json();
    if (body?.error?.message) return new ApiError(response.status, body.error.code, body.error.message);
  } catch {
    // not JSON: a proxy or CDN answered
  }
  return new ApiError(response.status, "http_error", `The server answered ${response.status}. Try again.`);
}

/**
 * Call the API. GETs (and calls marked ``retry``) are retried with backoff while the network is down
 * or a gateway is unavailable; other calls fail at once so that nothing happens twice.
 * Returns parsed JSON, null for 204, or the Response itself with ``raw``.
 */
export async function api(path, { method = "GET", body, headers = {}, retry, raw = false, auth = true, signal } = {}) {
  const retryable = retry ?? method === "GET";
  const init = { method, headers: { Accept: "application/json", ...headers }, signal };
  if (body !== undefined) {
    if (body instanceof Blob) {
      init.body = body;
    } else {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
  }
  for (let attempt = 1; ; attempt += 1) {
    if (auth) {
      const token = await tokenProvider();
      if (token) init.headers.Authorization = `Bearer ${token}`;
    }
    let response;
    try {
      response = await fetch(apiUrl(path), init);
    } catch (err) {
      if (err.name === "AbortError") throw err;
      if (!retryable || attempt >= MAX_ATTEMPTS) {
        announceConnection(false);
        throw new ApiError(0, "network", "Connection lost. Check your connection and try again.");
      }
      announceConnection(true);
      await sleep(backoffMs(attempt), signal);
      continue;
    }
    announceConnection(false);
    if (retryable && RETRY_STATUSES.has(response.status) && attempt < MAX_ATTEMPTS) {
      await sleep(backoffMs(attempt), signal);
      continue;
    }
    if (response.status === 401 && auth) {
      window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT));
    }
    if (!response.ok) throw await errorFrom(response);
    if (raw) return response;
    return response.status === 204 ? null : response.json();
  }
}

/** Fetch a file with auth and hand it to the browser as a download (export, video download). */
export async function downloadFile(path, fallbackName) {
  const response = await api(path, { raw: true, headers: { Accept: "*/*" } });
  const blob = await response.blob();
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1]) : fallbackName;
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return name;
}
