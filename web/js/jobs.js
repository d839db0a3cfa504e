// Following a job: the state always comes from the API, so leaving and coming back just works.
import { api } from "./api.js";
import config from "../config.js";

export const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

/** Poll GET ``path`` (a jobview, or {job} for a project) until the job ends or ``signal`` aborts. */
export async function follow(path, onUpdate, signal) {
  while (!signal.aborted) {
    const data = await api(path, { signal });
    const job = data && "job" in data ? data.job : data;
    onUpdate(job);
    if (!job || TERMINAL.has(job.status)) return job;
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, config.pollIntervalMs);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
  return null;
}
