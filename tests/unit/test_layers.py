"""Imports point one way, down the layers of CONTRIBUTING.md, and never in a circle.

Every module of the package is read (``ast``: module-level, function-level and ``TYPE_CHECKING``
imports alike, since a type-only import still ties two modules together) and placed in a layer by
the first pattern of ``LAYERS`` it matches; a module no pattern names fails the test, so a new
module is placed on purpose. A module may import its own layer and the layers below it.
"""

from __future__ import annotations

import ast
from fnmatch import fnmatchcase
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "workbench"

# (layer, dotted-name patterns), from the bottom up; the first match places a module.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("workbench._version", "workbench._quiet", "workbench._cells", "workbench._png")),
    ("service", ("workbench._protocol", "workbench.service", "workbench.service.*", "*.service")),
    ("callbacks", ("workbench.curves.callback", "workbench.checkpoints.callback")),
    (
        "core",
        (
            "workbench.checkpoints",
            "workbench.checkpoints.*",
            "workbench.exports",
            "workbench.exports.*",
            "workbench.curves",
            "workbench.curves.*",
            "workbench.compile",
            "workbench.compile.*",
            "workbench.data",
            "workbench.data.*",
            "workbench.distribute",
            "workbench.distribute.*",
            "workbench.inspect",
            "workbench.inspect.*",
            "workbench.profiler",
            "workbench.profiler.*",
            "workbench.projector",
            "workbench.projector.*",
            "workbench.system",
        ),
    ),
    (
        "views",
        (
            "workbench.widgets",
            "workbench.widgets.*",
            # the dashboard's ipywidgets; its ``serve`` (Voila's command line) is the CLI's
            "workbench.dashboard",
            "workbench.dashboard.monitor",
            "workbench.dashboard.profile_section",
            "workbench.dashboard.sections",
            "workbench.dashboard.tables",
        ),
    ),
    ("kernel", ("workbench", "workbench.magics", "workbench._ipython")),
    ("server", ("workbench.server", "workbench.server.*")),
    (
        "cli",
        (
            "workbench.cli",
            "workbench.doctor",
            "workbench.kernelspec",
            "workbench.__main__",
            "workbench.dashboard.serve",
        ),
    ),
]
# bottom to top; "server" and "cli" sit apart from the kernel side (RANK below)
ORDER = ["base", "core", "callbacks", "service", "views", "kernel"]
RANK = {**{name: rank for rank, name in enumerate(ORDER)}, "server": 2, "cli": 2}
# what each layer may import beyond the ranks: the server runs `python -m workbench.system` as a
# subprocess (imports nothing of it); the CLI starts the kernelspec and doctor only
EXTRA: dict[str, set[str]] = {"cli": {"server"}}

# third-party packages a layer must not import (DESIGN.md: core and TF glue know no IPython,
# widgets or Jupyter; only views draw)
FRONT = ("IPython", "ipywidgets", "anywidget", "traitlets", "plotly", "comm", "ipykernel")
JUPYTER = ("jupyter_server", "jupyterlab", "jupyter_client", "tornado")
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "base": FRONT + JUPYTER,
    "core": FRONT + JUPYTER,
    "callbacks": FRONT + JUPYTER,
    "service": FRONT + JUPYTER,
    "views": JUPYTER,
    "kernel": JUPYTER,
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "labextension" in path.parts:
            continue
        parts = path.relative_to(REPO).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> tuple[set[str], set[str]]:
    """(workbench modules, third-party top-level packages) that ``name`` imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    ours: set[str] = set()
    theirs: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                (ours if alias.name.split(".")[0] == "workbench" else theirs).add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] != "workbench":
                theirs.add(base)
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                ours.add(sub if sub in modules else base)
    ours = {_owner(m, modules) for m in ours} - {name}
    return ours, {m.split(".")[0] for m in theirs}


def _owner(dotted: str, modules: dict[str, Path]) -> str:
    while dotted not in modules and "." in dotted:
        dotted = dotted.rpartition(".")[0]
    return dotted


def _layer(name: str) -> str | None:
    for layer, patterns in LAYERS:
        if any(fnmatchcase(name, pattern) for pattern in patterns):
            return layer
    return None


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(name for name in _modules() if _layer(name) is None)
    assert not unplaced, f"add these modules to a layer in tests/unit/test_layers.py: {unplaced}"


def test_imports_point_down() -> None:
    modules = _modules()
    upward = []
    for name, path in sorted(modules.items()):
        layer = _layer(name)
        assert layer is not None
        ours, theirs = _imports(name, path, modules)
        for target in sorted(ours):
            target_layer = _layer(target)
            assert target_layer is not None, target
            allowed = RANK[target_layer] <= RANK[layer] or target_layer in EXTRA.get(layer, ())
            if target_layer in ("server", "cli") and layer not in ("server", "cli"):
                allowed = False  # the kernel side never imports the server or the CLI
            if not allowed:
                upward.append(f"{name} ({layer}) imports {target} ({target_layer})")
        for package in sorted(theirs & set(FORBIDDEN.get(layer, ()))):
            upward.append(f"{name} ({layer}) imports {package}")
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def test_no_import_cycles() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, modules)[0] for name, path in modules.items()}
    # the root package re-exports lazily from everywhere: an edge to it is not a dependency
    graph = {name: deps - {"workbench"} for name, deps in graph.items()}
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return [*stack[stack.index(dep) :], dep]
            if dep not in state:
                cycle = visit(dep)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for name in sorted(graph):
        if name not in state:
            cycle = visit(name)
            assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_checks_catch_what_they_are_for(tmp_path: Path) -> None:
    """The walker sees function-level and TYPE_CHECKING imports, and the ranks say no."""
    source = tmp_path / "probe.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from workbench.widgets import live\n"
        "def f():\n"
        "    import IPython\n"
        "    from workbench.curves import store\n"
    )
    modules = {**_modules(), "workbench.curves.probe": source}
    ours, theirs = _imports("workbench.curves.probe", source, modules)
    assert ours == {"workbench.widgets.live", "workbench.curves.store"}
    assert theirs >= {"IPython", "typing"}
    assert RANK[_layer("workbench.widgets.live") or ""] > RANK["core"]
