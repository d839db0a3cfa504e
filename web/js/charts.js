// Small inline-SVG bar charts, each with a data table for screen readers and exact numbers.
import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 320;
const HEIGHT = 160;
const PAD = { top: 8, right: 20, bottom: 28, left: 20 };

function svgEl(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * Grouped vertical bars. ``rows``: [{label, values: [n, ...]}]; ``series``: [{name, className}].
 * ``format`` turns a value into text for the table and the labels.
 */
export function barChart({ title, rows, series, format = String }) {
  const max = Math.max(1, ...rows.flatMap((r) => r.values.map(Number)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const groupW = plotW / Math.max(1, rows.length);
  const barW = Math.max(2, (groupW * 0.8) / series.length);
  const svg = svgEl("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "chart", role: "img", "aria-label": title,
    preserveAspectRatio: "none" });
  svg.append(svgEl("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: PAD.top + plotH, y2: PAD.top + plotH, class: "axis" }));
  rows.forEach((row, i) => {
    const x0 = PAD.left + i * groupW + groupW * 0.1;
    row.values.forEach((value, j) => {
      const height = (Number(value) / max) * plotH;
      const rect = svgEl("rect", { x: x0 + j * barW, y: PAD.top + plotH - height, width: barW - 1, height,
        class: `bar ${series[j].className}` });
      rect.append(svgEl("title", {}, `${row.label}, ${series[j].name}: ${format(value)}`));
      svg.append(rect);
    });
    if (rows.length <= 8 || i % Math.ceil(rows.length / 8) === 0) {
      svg.append(svgEl("text", { x: x0 + (barW * series.length) / 2, y: HEIGHT - 10, class: "chart-label",
        "text-anchor": "middle" }, row.label));
    }
  });
  const legend = h("ul", { class: "legend", "aria-hidden": "true" }, series.map((s) =>
    h("li", null, h("span", { class: `legend-key ${s.className}` }), s.name)));
  const table = h("table", null,
    h("thead", null, h("tr", null, h("th", { scope: "col" }, ""), series.map((s) => h("th", { scope: "col" }, s.name)))),
    h("tbody", null, rows.map((r) => h("tr", null, h("th", { scope: "row" }, r.label),
      r.values.map((v) => h("td", null, format(v)))))));
  return h("figure", { class: "chart-figure" }, h("figcaption", null, title), svg, legend,
    h("details", null, h("summary", null, "Show the numbers"), table));
}

/** Horizontal bars with the value written next to each: for ranked lists such as models. */
export function rankedBars({ title, rows, format = String }) {
  const max = Math.max(1, ...rows.map((r) => Number(r.value)));
  return h("figure", { class: "chart-figure" }, h("figcaption", null, title),
    h("ul", { class: "ranked" }, rows.map((r) => h("li", null,
      h("span", { class: "ranked-label" }, r.label),
      h("span", { class: "ranked-track", "aria-hidden": "true" },
        h("span", { class: "ranked-fill", style: `width:${(Number(r.value) / max) * 100}%` })),
      h("span", { class: "ranked-value" }, format(r.value))))));
}
