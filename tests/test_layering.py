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


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that `name` imports anywhere in its body.

    `from .x import y` names module `x.y` when that is a module, else module `x`. The parent
    package a submodule import implicitly runs is not an edge: otherwise every package whose
    __init__ re-exports a submodule would be a circle with it.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
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
