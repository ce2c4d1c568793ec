"""The package's layers import one way only: every import (module-level, inside functions and
under TYPE_CHECKING alike) goes to the same layer or one below it, and no two modules import each
other, however indirectly. The layers, bottom to top, are listed in `LAYERS`; src/govcat/__init__.py
(the version) sits below them all."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "src" / "govcat"
# Bottom to top. A module may import from its own layer and from the layers before it.
LAYERS = (
    ("govcat.core",),  # shared types and helpers: documents, findings, pointers, errors, paths
    ("govcat.standard",),  # the model at run time, releases, the diff of two versions
    ("govcat.reading",),  # bytes -> Document with positions
    ("govcat.checking",),  # the engine, its stages and workers, index, configuration, rules
    ("govcat.reporting",),  # the report's formats
    ("govcat.publishing", "govcat.data"),  # database, metrics, site, generators · data checks
    ("govcat.lifecycle", "govcat.serve"),  # releases, impact and migration · the web validator
    ("govcat.jobs",),  # the multi-stage jobs (build, load, report), which run the engine once
    ("govcat.cli", "govcat.__main__"),  # entry points
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every govcat module a file imports, wherever the import statement stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("govcat"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if not module.startswith("govcat"):
                continue
            for alias in node.names:  # `from govcat.x import y` may name the module govcat.x.y
                candidate = f"{module}.{alias.name}"
                found.add(candidate if _exists(candidate) else module)
    return found


def _exists(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _layer(module: str) -> int:
    if module == "govcat":
        return -1
    for i, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return i
    raise AssertionError(f"{module} belongs to no layer: add its package to LAYERS")


def test_every_module_belongs_to_a_layer() -> None:
    for module in _graph():
        _layer(module)


def test_no_module_imports_a_layer_above_its_own() -> None:
    upward = [f"{module} -> {target}" for module, targets in _graph().items() for target in sorted(targets)
              if _layer(target) > _layer(module)]
    assert upward == []


def test_no_import_cycles() -> None:
    graph = _graph()
    # Imports of a package's own __init__ from inside the package are how Python loads it, not a cycle.
    edges = {m: {t for t in ts if t in graph and not m.startswith(t + ".")} for m, ts in graph.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target):], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_walk_sees_function_level_and_relative_imports(tmp_path: Path) -> None:
    """The test above can fail: an import inside a function is found like any other."""
    sample = PACKAGE / "checking" / "engine.py"
    assert "govcat.checking.workers" in _imports(sample)
    assert _layer("govcat.publishing.metrics") > _layer("govcat.checking.engine")


def test_only_entry_points_and_jobs_run_the_engine() -> None:
    """The database, the metrics, the site and the reporters take a run's outcome; they never validate."""
    top = {p for layer in LAYERS[LAYERS.index(("govcat.lifecycle", "govcat.serve")):] for p in layer}
    runners = sorted(m for m, targets in _graph().items() if "govcat.checking.engine" in targets
                     and not any(m == p or m.startswith(p + ".") for p in top))
    assert runners == []
