// Inline SVG icons (24x24 stroke paths), decorative: the control next to them carries the name.

const SVG = "http://www.w3.org/2000/svg";
const PATHS = {
  projects: "M3 7h18M3 12h18M3 17h18",
  library: "M4 5h6v14H4zM14 5h6v14h-6z",
  analytics: "M4 20V10M10 20V4M16 20v-7M22 20H2",
  settings: "M12 15a3 3 0 100-6 3 3 0 000 6zM19 12l2-1-2-4-2 1-2-1V5h-4v2L9 8 7 7 5 11l2 1v1l-2 1 2 4 2-1 2 1v2h4v-2l2-1 2 1 2-4-2-1z",
  star: "M12 3l2.8 5.7 6.2.9-4.5 4.4 1 6.2L12 17.3 6.5 20.2l1-6.2L3 9.6l6.2-.9z",
  plus: "M12 5v14M5 12h14",
  play: "M8 5l11 7-11 7z",
  download: "M12 4v11M7 10l5 5 5-5M5 20h14",
  share: "M18 8a3 3 0 10-3-3M6 15a3 3 0 100-6 3 3 0 000 6zM18 22a3 3 0 100-6 3 3 0 000 6zM8.6 13.5l6.8 4M15.4 6.5l-6.8 4",
  trash: "M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3",
  edit: "M4 20h4L19 9l-4-4L4 16zM14 6l4 4",
  upload: "M12 20V9M7 14l5-5 5 5M5 4h14",
  send: "M4 12l16-8-6 16-2-7z",
  back: "M15 5l-7 7 7 7",
  retry: "M4 12a8 8 0 1014-5.3M18 3v4h-4",
  stop: "M6 6h12v12H6z",
  pause: "M8 5v14M16 5v14",
  copy: "M8 8h12v12H8zM4 16V4h12",
  check: "M5 12l5 5 9-10",
  signout: "M15 4h4v16h-4M10 8l-4 4 4 4M6 12h11",
};

export function icon(name, size = 20) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", "icon");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", PATHS[name] ?? "");
  path.setAttribute("fill", name === "play" ? "currentColor" : "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", "2");
  path.setAttribute("stroke-linecap", "round");
  path.setAttribute("stroke-linejoin", "round");
  svg.append(path);
  return svg;
}
