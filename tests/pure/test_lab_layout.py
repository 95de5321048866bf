"""The lab's package keeps its shape: one job per module, each saying what it must not know, none over
~600 lines, importing only the ones listed before it in rtnl.lab, and reaching rtnl only through its
public names, so that rtnl's internals can move."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import rtnl
from tests.support.paths import REPO

LAB = REPO / "rtnl" / "lab"
ORDER = ["model", "explain", "probes", "dhcp", "topology", "measure", "puzzles", "report", "text",
         "page", "cli"]  # each module may import only those before it
MODULES = sorted(LAB.glob("*.py"))


def test_every_module_is_in_the_order() -> None:
    assert {p.stem for p in MODULES} == {*ORDER, "__init__", "__main__"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_module_says_its_job_and_imports_downward_and_publicly(path: Path) -> None:
    tree = ast.parse(path.read_text())
    doc = ast.get_docstring(tree)
    assert doc, f"{path.name} has no docstring"
    if path.stem in ORDER:
        assert "What lives here" in doc and "must not know" in doc, path.name
    assert len(path.read_text().splitlines()) <= 600
    allowed = ORDER[: ORDER.index(path.stem)] if path.stem in ORDER else ORDER
    for node in ast.walk(tree):  # function-level imports too
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:  # from .x import ...
                assert node.module in allowed, f"{path.name} imports .{node.module}, which comes after it"
            elif node.module == "rtnl":
                for alias in node.names:
                    public = alias.name in rtnl.__all__ or alias.name == "sandbox"
                    assert public, f"{path.name} imports rtnl.{alias.name}"
            else:
                assert not (node.module or "").startswith("rtnl"), f"{path.name} imports {node.module}"
        elif isinstance(node, ast.Import):
            assert all(a.name == "rtnl" or not a.name.startswith("rtnl") for a in node.names), path.name
