// Analytics: videos made, success rate, weekly activity, spend against budget, models and stage times.
import { api } from "../api.js";
import { barChart, rankedBars } from "../charts.js";
import { h, replace } from "../dom.js";
import { money, percent, seconds } from "../format.js";
import { card, emptyState, pageTitle } from "../ui.js";

function tile(label, value) {
  return h("div", { class: "tile" }, h("span", { class: "tile-value" }, value), h("span", { class: "tile-label" }, label));
}

export async function renderAnalytics(main, { signal }) {
  const data = await api("/api/analytics", { signal });
  const stages = Object.entries(data.stage_seconds ?? {});
  replace(main, pageTitle("Analytics"),
    h("div", { class: "tiles" }, tile("Videos made", String(data.videos_made ?? 0)),
      tile("Success rate", percent((data.success_rate ?? 0) * 100))),
    card(data.weekly?.length
      ? barChart({ title: "Videos per week", series: [{ name: "Videos", className: "s1" }, { name: "Failures", className: "s2" }],
        rows: data.weekly.map((w) => ({ label: String(w.week).slice(5), values: [w.videos, w.failures] })) })
      : emptyState("No videos yet: your weekly activity shows here.")),
    card(data.spend?.length
      ? barChart({ title: "Spend per month against budget", format: money,
        series: [{ name: "Spent", className: "s1" }, { name: "Budget", className: "s3" }],
        rows: data.spend.map((s) => ({ label: String(s.month).slice(0, 7), values: [s.usd, s.budget_usd] })) })
      : emptyState("Nothing spent yet.")),
    card(data.models?.length
      ? rankedBars({ title: "Seconds generated per model", format: seconds,
        rows: data.models.map((m) => ({ label: m.model, value: m.seconds })) })
      : emptyState("No segments generated yet.")),
    card(h("h2", null, "Time per stage"), stages.length
      ? h("table", { class: "table" }, h("thead", null, h("tr", null, h("th", { scope: "col" }, "Stage"),
        h("th", { scope: "col" }, "Average"), h("th", { scope: "col" }, "95th percentile"))),
      h("tbody", null, stages.map(([name, s]) => h("tr", null, h("th", { scope: "row" }, name),
        h("td", null, seconds(s.avg)), h("td", null, seconds(s.p95))))))
      : h("p", { class: "hint" }, "No finished jobs yet.")),
    card(h("h2", null, "Failures"), data.failures?.length
      ? h("ul", { class: "plain" }, data.failures.map((f) => h("li", null, `${f.code}: ${f.count}`)))
      : h("p", { class: "hint" }, "No failures.")));
}
