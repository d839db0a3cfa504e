// Human formats for numbers, sizes, durations and dates.

export function money(usd) {
  return `$${(Number(usd) || 0).toFixed(2)}`;
}

export function seconds(value) {
  const s = Number(value) || 0;
  return s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s * 10) / 10} s`;
}

export function bytes(value) {
  const n = Number(value) || 0;
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

export function date(value) {
  if (!value) return "";
  return new Date(value).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function eta(secondsLeft) {
  if (secondsLeft === null || secondsLeft === undefined) return "";
  if (secondsLeft < 5) return "almost done";
  return `about ${seconds(secondsLeft)} left`;
}

export function percent(value) {
  return `${Math.round(Number(value) || 0)}%`;
}

const STATUS_LABELS = {
  draft: "Draft", analyzing: "Analysing", analyzed: "Analysed", planned: "Planned", rendering: "Rendering",
  ready: "Ready", failed: "Failed", queued: "Queued", running: "Running", paused: "Paused",
  succeeded: "Done", cancelled: "Cancelled", submitted: "Generating", reused: "Reused", expired: "Expired",
  pending: "Uploading", rejected: "Rejected",
};

export function statusLabel(status) {
  return STATUS_LABELS[status] ?? String(status ?? "");
}
