"""Every example script runs to completion, as root, and checks its own result (exit status 0).

The scripts build everything in anonymous namespaces; here they also run inside the test session's
throwaway namespace, so even a broken script cannot reach the host.
"""

from __future__ import annotations

import ast
import importlib
import pathlib
import subprocess
import sys

import pytest

from tests.support.paths import REPO

EXAMPLES = sorted((REPO / "examples").glob("*.py"))


def test_there_is_one_script_per_seed_experiment() -> None:
    names = {p.stem for p in EXAMPLES}
    assert {"create_macvlan", "two_namespaces_dhcp", "same_namespace", "promiscuous_parent"} <= names


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_examples_import_only_public_names(script: pathlib.Path) -> None:
    """What an example imports from rtnl is in that module's ``__all__``: examples teach the API."""
    for node in ast.walk(ast.parse(script.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "rtnl":
            public = importlib.import_module(node.module).__all__
            assert not [a.name for a in node.names if a.name not in public], f"{node.module}: not public"


@pytest.mark.kernel
@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_and_checks_itself(script: pathlib.Path) -> None:
    resolv = pathlib.Path("/etc/resolv.conf").resolve()  # shared with the host: dhclient must not write it
    before = resolv.stat().st_ino, resolv.stat().st_mtime_ns, resolv.read_bytes()
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{script.name} failed:\n{done.stdout}\n{done.stderr}"
    assert done.stdout.strip(), "an example reports what it did"
    assert (resolv.stat().st_ino, resolv.stat().st_mtime_ns, resolv.read_bytes()) == before
