"""The compile package's modules import one way: no cycles, counting imports made only for type
checking or inside functions, and ``analysis`` reads syntax alone (no TensorFlow, no codegen)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import workbench.compile

PACKAGE = "workbench.compile"
FOLDER = Path(workbench.compile.__file__).parent


def _imports(path: Path) -> set[str]:
    """Every module a file imports, wherever the import statement sits."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            # `from workbench.compile import modes` imports the submodule
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {
        PACKAGE if path.stem == "__init__" else f"{PACKAGE}.{path.stem}": path
        for path in FOLDER.glob("*.py")
    }
    return {name: _imports(path) & set(modules) - {name} for name, path in modules.items()}


def test_no_import_cycles_in_the_compile_package() -> None:
    graph = _graph()
    # the package's __init__ is run before any of its modules: an edge to it is not a cycle
    # (its own lazy imports of submodules are the only edges from it)
    graph = {name: deps - {PACKAGE} for name, deps in graph.items()}
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        raise AssertionError(f"import cycle in {PACKAGE}: {error.args[1]}") from error


def test_compare_and_cell_do_not_import_each_other() -> None:
    graph = _graph()
    assert f"{PACKAGE}.cell" not in graph[f"{PACKAGE}.compare"]


def test_analysis_only_reads_syntax() -> None:
    imported = {name.split(".")[0] for name in _imports(FOLDER / "analysis.py")}
    assert imported <= {"__future__", "ast", "dataclasses", "functools", "io", "tokenize"}, imported
