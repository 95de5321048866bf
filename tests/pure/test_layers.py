"""rtnl's modules import downward only, and never in a cycle: Python has no compiler to forbid either.

Every import counts, wherever it is written: at module level, inside a function, under
``if TYPE_CHECKING:``, and ``importlib.import_module("rtnl.x")`` with a literal name. Relative imports
are resolved; ``from . import x`` is an import of module ``rtnl.x`` when ``x`` is a module, of the
package ``rtnl`` when ``x`` is a name defined there. Importing a submodule does not count as importing
its parent packages (Python runs ``rtnl/__init__.py`` first anyway, whoever asks).
"""

from __future__ import annotations

import ast
import fnmatch
from collections.abc import Collection, Mapping
from importlib.machinery import EXTENSION_SUFFIXES

import pytest

from tests.support.paths import REPO

# The layer table: where each module of rtnl sits. A module may import from its own layer or from a
# lower one, never from a higher one (imports within a layer are held to the cycle check alone). Keys
# are module names or fnmatch patterns ("rtnl.lab.*"); the first key that matches decides. A module
# that matches no key fails the test until someone places it here on purpose, and a key that matches
# no module fails too, so that the table follows renames.
LAYERS: dict[str, int] = {
    # 0: constants and exceptions; the C extensions; the exec helper, which imports nothing of rtnl
    "rtnl.uapi": 0,
    "rtnl.errors": 0,
    "rtnl._nla": 0,
    "rtnl._ns": 0,
    "rtnl._exec": 0,
    # 1: every speed trick, each with its plain twin
    "rtnl._fast": 1,
    # 2: the wire format, no I/O
    "rtnl.wire": 2,
    "rtnl.wire.*": 2,
    # 3: typed values, specs, enums and argument validation, no I/O
    "rtnl.values": 3,
    "rtnl.values.*": 3,
    # 4: the socket and its one reply loop; network namespaces
    "rtnl.netlink": 4,
    "rtnl.netns": 4,
    # 5: operations, sans-IO generators any driver runs
    "rtnl.ops": 5,
    "rtnl.ops.*": 5,
    # 6: the drivers that wire operations, socket and namespace together; the event reader
    "rtnl.connection": 6,
    "rtnl.monitor": 6,
    "rtnl.aio": 6,
    # 7: public faces (names re-exported where users have always imported them) and the isolation home
    "rtnl": 7,
    "rtnl.codec": 7,
    "rtnl.links": 7,
    "rtnl.addresses": 7,
    "rtnl.routes": 7,
    "rtnl.sandbox": 7,
    # 8: applications built on the public API
    "rtnl.lab": 8,
    "rtnl.lab.*": 8,
}


IMPORTERS = ("import_module", "__import__")  # calls that import the module named by a literal


def rtnl_sources() -> tuple[dict[str, str], set[str]]:
    """({module name: source} for every module of rtnl, the names that are packages). A compiled
    extension has no imports of its own: its source is empty."""
    sources, packages = {}, set()
    for path in sorted((REPO / "rtnl").rglob("*")):
        parts = path.relative_to(REPO).parts
        if path.suffix == ".py":
            if path.name == "__init__.py":
                name = ".".join(parts[:-1])
                packages.add(name)
            else:
                name = ".".join((*parts[:-1], path.stem))
            sources[name] = path.read_text()
        elif any(path.name.endswith(suffix) for suffix in EXTENSION_SUFFIXES):
            sources[".".join((*parts[:-1], path.name.split(".")[0]))] = ""
    return sources, packages


Graph = dict[str, dict[str, list[int]]]  # {module: {module it imports: line numbers}}


def import_graph(sources: Mapping[str, str], packages: Collection[str] = ()) -> Graph:
    """{module: {module it imports: line numbers}}, over the modules in ``sources`` only (the standard
    library and other packages are left out). ``packages`` names the modules that are packages, whose
    relative imports resolve inside themselves."""

    def known(name: str) -> str | None:
        while name and name not in sources:
            name = name.rpartition(".")[0]
        return name or None

    graph: Graph = {}
    for module, source in sources.items():
        edges = graph.setdefault(module, {})
        base = module if module in packages else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(source, module)):
            targets: list[str | None] = []
            if isinstance(node, ast.Import):
                targets = [known(alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                start = base.rsplit(".", node.level - 1)[0] if node.level > 1 else base
                origin = ".".join(filter(None, (start, node.module))) if node.level else node.module or ""
                names = (f"{origin}.{alias.name}" for alias in node.names)
                targets = [name if name in sources else known(origin) for name in names]
            elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                  and isinstance(node.args[0].value, str)
                  and getattr(node.func, "attr", getattr(node.func, "id", None)) in IMPORTERS):
                targets = [known(node.args[0].value)]
            for target in targets:
                if target is not None and target != module:
                    edges.setdefault(target, []).append(node.lineno)
        graph[module] = {target: sorted(set(lines)) for target, lines in edges.items()}
    return graph


def cycles(graph: Mapping[str, Mapping[str, object]]) -> list[list[str]]:
    """The cycles among modules that import each other: in each strongly connected group, the shortest
    path from each module back to itself, written from its first module by name; [] when there is none."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = {stack.pop()}
            while v not in group:
                group.add(stack.pop())
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    found = set()
    for group in groups:
        for module in group:
            path = _path_back(graph, group, module)[:-1]
            first = path.index(min(path))
            found.add((*path[first:], *path[:first], min(path)))
    return sorted(map(list, found))


def _path_back(graph: Mapping[str, Mapping[str, object]], group: set[str], start: str) -> list[str]:
    """The shortest import path from ``start`` back to itself through ``group`` (breadth first)."""
    paths = {start: [start]}
    queue = [start]
    for v in queue:
        for w in sorted(graph[v]):
            if w == start:
                return [*paths[v], start]
            if w in group and w not in paths:
                paths[w] = [*paths[v], w]
                queue.append(w)
    raise AssertionError(f"{start} is in no cycle")


def layer_problems(graph: Graph, layers: Mapping[str, int]) -> list[str]:
    """What breaks the layer table: modules it does not place, keys that place nothing, upward imports."""

    def layer(module: str) -> int | None:
        return next((n for pattern, n in layers.items() if fnmatch.fnmatchcase(module, pattern)), None)

    problems = [f"add {m} to the layer table (LAYERS in tests/pure/test_layers.py)"
                for m in sorted(graph) if layer(m) is None]
    problems += [f"{pattern!r} in the layer table matches no module: remove or rename it"
                 for pattern in layers if not fnmatch.filter(graph, pattern)]
    for module, edges in sorted(graph.items()):
        for target, lines in sorted(edges.items()):
            here, there = layer(module), layer(target)
            if here is not None and there is not None and there > here:
                problems.append(f"{module} (layer {here}) imports {target} (layer {there}) upward, "
                                f"line{'s' * (len(lines) > 1)} {', '.join(map(str, lines))}")
    return problems


# --- rtnl itself ------------------------------------------------------------------------------------


def test_rtnl_has_no_import_cycle() -> None:
    found = cycles(import_graph(*rtnl_sources()))
    assert not found, "import cycles:\n  " + "\n  ".join(" -> ".join(c) for c in found)


def test_rtnl_imports_only_downward() -> None:
    problems = layer_problems(import_graph(*rtnl_sources()), LAYERS)
    assert not problems, "\n  ".join(["layering:", *problems])


def test_every_rtnl_module_is_read() -> None:
    """The discovery finds the package, plain modules and the compiled extensions."""
    sources, packages = rtnl_sources()
    assert "rtnl" in packages
    assert {"rtnl", "rtnl.codec", "rtnl.connection", "rtnl._nla", "rtnl._ns"} <= set(sources)


# --- the checker on made-up packages ----------------------------------------------------------------

PKG = {
    "pkg": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .top import T\nfrom . import low\n",
    "pkg.low": "import os\nimport pkg.nosuch\n",
    "pkg.mid": "from . import low, VALUE\nfrom .low import x, y\n",
    "pkg.top": "import pkg.mid as m\n\n\ndef f():\n    from .sub import y\n    from pkg.sub.inner import z\n",
    "pkg.sub": "from .. import low\nfrom .inner import z\nfrom ..mid import w\n",
    "pkg.sub.inner": "import importlib\n\nimportlib.import_module('pkg.top')\n__import__('json')\n",
}
PKG_PACKAGES = {"pkg", "pkg.sub"}


def test_the_graph_resolves_every_kind_of_import() -> None:
    assert import_graph(PKG, PKG_PACKAGES) == {
        "pkg": {"pkg.top": [3], "pkg.low": [4]},  # under TYPE_CHECKING; a module named by `from . import`
        "pkg.low": {"pkg": [2]},  # pkg.nosuch is no module: the longest known prefix
        "pkg.mid": {"pkg.low": [1, 2], "pkg": [1]},  # VALUE is a name in pkg, not a module
        "pkg.top": {"pkg.mid": [1], "pkg.sub": [5], "pkg.sub.inner": [6]},  # inside a function too
        "pkg.sub": {"pkg.low": [1], "pkg.sub.inner": [2], "pkg.mid": [3]},  # relative to the package itself
        "pkg.sub.inner": {"pkg.top": [3]},  # import_module with a literal name
    }


def test_cycles_are_found_and_shown_as_paths() -> None:
    # a function-level import closing the cycle, as a write operation calling back up into its caller
    sources = {"p": "", "p.a": "from . import b\n", "p.b": "def f():\n    from .a import x\n",
               "p.c": "import p.a\n"}
    assert cycles(import_graph(sources, {"p"})) == [["p.a", "p.b", "p.a"]]
    graph: Graph = {
        "a": {"b": []}, "b": {"c": []}, "c": {"a": [], "d": []}, "d": {}, "e": {"f": []}, "f": {"e": []},
        "g": {"a": []}}
    assert cycles(graph) == [["a", "b", "c", "a"], ["e", "f", "e"]]
    assert cycles({"a": {"b": []}, "b": {"c": []}, "c": {}, "d": {"c": []}}) == []


@pytest.mark.parametrize(("source", "line"), [
    ("from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .top import T\n", 4),
    ("def f():\n    from . import top\n", 2),
    ("import pkg.top\n", 1),
])
def test_an_upward_import_is_reported_wherever_it_is_written(source: str, line: int) -> None:
    sources = {"pkg": "", "pkg.low": source, "pkg.top": "from . import low\n"}
    problems = layer_problems(import_graph(sources, {"pkg"}), {"pkg": 2, "pkg.low": 0, "pkg.top": 1})
    assert problems == [f"pkg.low (layer 0) imports pkg.top (layer 1) upward, line {line}"]


def test_unplaced_modules_and_stale_keys_are_reported() -> None:
    graph = import_graph({"pkg": "", "pkg.new": "", "pkg.lab.cli": "from .. import new\n"}, {"pkg"})
    problems = layer_problems(graph, {"pkg": 1, "pkg.lab.*": 2, "pkg.gone": 0})
    assert problems == ["add pkg.new to the layer table (LAYERS in tests/pure/test_layers.py)",
                        "'pkg.gone' in the layer table matches no module: remove or rename it"]
