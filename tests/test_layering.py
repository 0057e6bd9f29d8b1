"""The package's import graph has no circles.

A circle hidden by a function-level import or by `if TYPE_CHECKING:` is still a circle for
a reader: neither module can be understood, moved or tested without the other. So every
import statement counts, wherever it stands in the module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[1] / "lingopress"


def module_names(package: Path = PACKAGE) -> dict[str, Path]:
    """Dotted module name → file, for every module of the package (packages by __init__)."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def import_statements(name: str, path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import statement of module `name`, relative ones made absolute."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.append((base, [alias.name for alias in node.names]))
    return found


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that `name` imports anywhere in its body.

    `from .x import y` names module `x.y` when that is a module, else module `x`. The parent
    package a submodule import implicitly runs is not an edge: otherwise every package whose
    __init__ re-exports a submodule would be a circle with it.
    """
    found: set[str] = set()
    for base, names in import_statements(name, path):
        found.update({f"{base}.{alias}" if f"{base}.{alias}" in known else base for alias in names} or {base})
    return {module for module in found if module in known and module != name}


def import_graph() -> nx.DiGraph:
    modules = module_names()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        graph.add_edges_from((name, target) for target in imported_modules(name, path, set(modules)))
    return graph


def test_the_graph_sees_imports_at_every_level():
    graph = import_graph()
    assert graph.number_of_nodes() > 40
    # Module level, function level and re-exports from a package's __init__.
    assert graph.has_edge("lingopress.review.status", "lingopress.catalogs.po")
    assert graph.has_edge("lingopress.cli", "lingopress.publishing.pull")
    assert graph.has_edge("lingopress.mt", "lingopress.mt.argos")
    assert graph.has_edge("lingopress.qa.registry", "lingopress.qa.numbers")


def test_no_import_cycles():
    cycles = sorted(" → ".join(cycle + cycle[:1]) for cycle in nx.simple_cycles(import_graph()))
    assert cycles == []


# The stages: pure functions from data to data. They import no store, no jobs, no Prefect,
# no CLI (ARCHITECTURE.md), so a Dask worker can run them without the project.
STAGES = ("lingopress.ingest", "lingopress.markup", "lingopress.mdguard", "lingopress.draft", "lingopress.catalogs",
          "lingopress.publishing.feeds",
          "lingopress.qa", "lingopress.publishing.publish", "lingopress.publishing.pages",
          "lingopress.publishing.render", "lingopress.publishing.bundles", "lingopress.publishing.staleness",
          "lingopress.publishing.notices", "lingopress.review", "lingopress.exchange")
FORBIDDEN_FOR_STAGES = ("lingopress.store", "lingopress.jobs", "lingopress.cli", "flows", "prefect", "prefect_dask")
# Modules allowed to touch the file system, and what for: the store (project files), the
# configuration file, installed MT models, a publisher's pull destination, package data.
FILE_SYSTEM = {"lingopress.store", "lingopress.config", "lingopress.models", "lingopress.mt.argos",
               "lingopress.mt.apertium", "lingopress.publishing.pull", "lingopress.publishing.pull_dest",
               "lingopress.publishing.pull_net", "lingopress.publishing.notices", "lingopress.qa.lexicon"}
# Path methods and os/shutil/tempfile functions that read, list or write (str.replace and
# friends share some names: those count only when called on os, shutil or tempfile).
PATH_CALLS = {"read_text", "read_bytes", "write_text", "write_bytes", "glob", "rglob", "iterdir", "unlink",
              "mkdir", "rmdir", "touch", "is_dir", "is_file", "exists"}
MODULE_CALLS = {"os", "shutil", "tempfile"}


def is_under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def all_imports(name: str, path: Path) -> set[str]:
    """Every module `name` imports, in the package or not (absolute names)."""
    return {module for base, names in import_statements(name, path)
            for module in (base, *(f"{base}.{alias}" for alias in names))}


def test_stages_import_no_store_no_jobs_no_prefect_no_cli_even_indirectly():
    modules = module_names()
    graph = import_graph()
    offenders = []
    for name, path in modules.items():
        if not is_under(name, STAGES):
            continue
        reachable = {name} | nx.descendants(graph, name)
        for module in reachable:
            bad = {target for target in all_imports(module, modules[module]) if is_under(target, FORBIDDEN_FOR_STAGES)}
            offenders += [f"{name} (via {module}) imports {target}" for target in sorted(bad)]
    assert offenders == []


def test_only_the_store_and_the_named_edges_touch_the_file_system():
    offenders = []
    for name, path in module_names().items():
        if is_under(name, ("lingopress.store",)) or name in FILE_SYSTEM:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id == "open":
                called = "open"
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in MODULE_CALLS:
                called = f"{func.value.id}.{func.attr}"
                if func.attr in ("fspath", "sep", "getenv", "environ", "cpu_count", "getpid", "fsencode"):
                    continue
            elif isinstance(func, ast.Attribute) and func.attr in PATH_CALLS:
                called = func.attr
            else:
                continue
            offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {called}()")
    assert offenders == []


def test_no_module_is_over_500_lines():
    long = {name: n for name, path in module_names().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 500}
    assert long == {}
