"""`provider/core` reads one way: a module imports only modules below it, never one that (through
others) imports it back. A circle worked only through imports deferred into function bodies, and
any new top-level import along it broke the package at import time in one process and not another.

Read from the source with `ast` (every import, a deferred one in a function body too), so that the
test sees what a reader sees, not what happened to be imported first.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parent.parent / "provider" / "core"
PACKAGE = "pulumi_langsmith.core"


def core_imports(path: Path, modules: set[str]) -> set[str]:
    """The `provider/core` modules that the module at `path` imports anywhere in its source."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:  # `from . import x` / `from .x import y`
                names = [node.module.split(".")[0]] if node.module else [a.name for a in node.names]
            elif node.level == 0 and (node.module or "").startswith(f"{PACKAGE}."):
                names = [(node.module or "").split(".")[2]]
            elif node.level == 0 and node.module == PACKAGE:
                names = [a.name for a in node.names]
            else:
                continue
            found.update(n for n in names if n in modules)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[2] for a in node.names if a.name.startswith(f"{PACKAGE}."))
    found.discard(path.stem)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = {p.stem for p in CORE.glob("*.py") if p.stem != "__init__"}
    return {m: core_imports(CORE / f"{m}.py", modules) for m in sorted(modules)}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a path that ends where it starts, or None when the graph has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_core_import_graph_has_no_circle() -> None:
    graph = import_graph()
    assert graph["engine_watch"] and graph["waiter"], "the graph reader found no imports: it is broken"
    cycle = find_cycle(graph)
    assert cycle is None, "provider/core imports in a circle: " + " -> ".join(cycle or [])


def test_the_core_imports_nothing_above_it() -> None:
    """`provider/core` is the floor that both frontends stand on: it never imports them."""
    for path in sorted(CORE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                above = node.level > 1 or (
                    node.level == 0 and module.startswith("pulumi_langsmith") and not module.startswith(PACKAGE)
                )
                assert not above, f"{path.name} imports from above provider/core (line {node.lineno})"


@pytest.mark.parametrize(
    ("graph", "circle"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"b"}, "b": set(), "c": {"c"}}, ["c", "c"]),
        ({"a": {"b", "c"}, "b": {"c"}, "c": set()}, None),
    ],
)
def test_the_circle_finder_finds_circles(graph: dict[str, set[str]], circle: list[str] | None) -> None:
    assert find_cycle(graph) == circle


def test_the_reader_sees_a_deferred_import(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(
        "from . import a, zz\nfrom .b import x\nimport pulumi_langsmith.core.c\n"
        "def f():\n    from pulumi_langsmith.core import d\n    from .e.sub import y\n"
    )
    assert core_imports(source, {"a", "b", "c", "d", "e"}) == {"a", "b", "c", "d", "e"}
