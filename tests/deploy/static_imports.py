"""Read Python imports without running them: Lambda adapters build services at import time, so the
deploy tests check what they would import instead of importing them."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

OURS = ("reelsmith", "functions")


def module_source(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def top_level_names(source: Path) -> set[str]:
    """Names a module binds at import time (definitions, assignments, imports)."""
    names: set[str] = set()
    for node in ast.parse(source.read_text()).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def import_time_imports(source: Path, module: str) -> set[str]:
    """Absolute names of the modules imported when ``module`` is imported (not lazy imports)."""
    package = module if source.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for statement in ast.parse(source.read_text()).body:
        nodes = ast.walk(statement) if isinstance(statement, ast.If | ast.Try) else [statement]
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{parent}.{node.module}" if node.module else parent
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def unresolved_imports(source: Path) -> list[str]:
    """Our own ``from x import y`` statements in ``source`` that name nothing that exists."""
    missing = []
    for node in ast.parse(source.read_text()).body:
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(OURS):
            continue
        target = module_source(node.module)
        if target is None:
            missing.append(node.module)
            continue
        defined = top_level_names(target)
        missing.extend(
            f"{node.module}.{a.name}"
            for a in node.names
            if a.name not in defined and module_source(f"{node.module}.{a.name}") is None
        )
    return missing


def third_party_imports(module: str) -> dict[str, str]:
    """Top-level third-party packages imported when ``module`` is imported, each with the module of
    ours that imports it, following our own modules transitively."""
    seen: set[str] = set()
    pending = [module]
    third_party: dict[str, str] = {}
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        source = module_source(name)
        if source is None:
            continue
        for imported in import_time_imports(source, name):
            root = imported.split(".")[0]
            if root in OURS:
                parts = imported.split(".")
                pending.extend(".".join(parts[:i]) for i in range(1, len(parts) + 1))
            else:
                third_party.setdefault(root, name)
    return third_party
