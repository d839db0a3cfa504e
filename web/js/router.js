// A tiny hash router: "#/project/<id>/plan" -> {screen, params}. Only "#/..." hashes are routes.

/** Compile "/project/:id/:step?" patterns into matchers. */
export function compile(routes) {
  return routes.map(({ path, ...rest }) => {
    const names = [];
    const source = path.replace(/\/:(\w+)(\?)?/g, (_, name, optional) => {
      names.push(name);
      return optional ? "(?:/([^/]+))?" : "/([^/]+)";
    });
    return { ...rest, path, names, regex: new RegExp(`^${source}$`) };
  });
}

export function match(compiled, path) {
  for (const route of compiled) {
    const found = route.regex.exec(path);
    if (found) {
      const params = Object.fromEntries(route.names.map((name, i) => [name, found[i + 1] && decodeURIComponent(found[i + 1])]));
      return { route, params };
    }
  }
  return null;
}

export function currentPath() {
  const hash = window.location.hash;
  return hash.startsWith("#/") ? hash.slice(1) : "/projects";
}

export function navigate(path) {
  if (currentPath() === path) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else window.location.hash = `#${path}`;
}
