"""The release files' configuration agrees with itself (CI builds the files and installs the wheel).

One wheel for CPython >= 3.10 (stable ABI), a classifier for every Python CI tries it on, an SPDX
license with its file, an sdist that carries every directory the tests and docs read, and C sources
that compile without a warning.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # 3.10: pip, in every venv, vendors the same parser
    from pip._vendor import tomli as tomllib

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())  # any depth
PYPROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_license_is_spdx_with_its_file() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "Copyright (c) the rtnl authors" in text
    # PEP 639 license strings need setuptools 77
    assert "setuptools>=77" in PYPROJECT["build-system"]["requires"]


def test_classifiers_name_every_python_ci_tries_and_the_wheel_serves_them() -> None:
    classified = [c.rsplit(" ", 1)[1] for c in PYPROJECT["project"]["classifiers"]
                  if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    loop = re.search(r"^for v in ([\d. ]+); do$", (ROOT / ".ci" / "run").read_text(), re.M)
    assert loop and classified == loop[1].split()
    oldest = classified[0]
    assert PYPROJECT["project"]["requires-python"] == f">={oldest}"
    # the wheel's tag: the stable ABI from the oldest supported version on
    assert f'"py_limited_api": "cp{oldest.replace(".", "")}"' in (ROOT / "setup.py").read_text()


def test_sdist_grafts_every_directory() -> None:
    """The sdist's tests need tests/ (conftest, support code, data), examples/, docs/...: MANIFEST.in
    takes whole directories, so a file moved or added inside one needs no change there."""
    manifest = (ROOT / "MANIFEST.in").read_text()
    grafted = set(re.findall(r"^graft (\S+)$", manifest, re.M))
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode == 0:  # a checkout; an unpacked sdist is checked by being tested
        dirs = {Path(f).parts[0] for f in tracked.stdout.split() if len(Path(f).parts) > 1}
        assert dirs <= grafted, f"not in the sdist: {sorted(dirs - grafted)}"
    assert {"tests", "examples", "docs", "csrc", "rtnl"} <= grafted
    assert re.search(r"^include LICENSE\b", manifest, re.M)


def test_editable_install_is_a_path_entry() -> None:
    """With the project root as the package directory, setuptools' editable install is a static .pth
    (no import hook), which type checkers follow; CI proves it with mypy outside the repo."""
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"": "."}


@pytest.mark.parametrize("script", sorted((ROOT / "csrc").glob("build_*.py")), ids=lambda p: p.stem)
def test_c_source_compiles_without_warnings(script: Path, tmp_path: Path) -> None:
    """The generated C, compiled with the interpreter's own flags and -Werror (a redefined
    _GNU_SOURCE, which pyconfig.h sets first, was one such warning)."""
    spec = importlib.util.spec_from_file_location(f"_build_{script.stem}", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    c_file = tmp_path / "ext.c"
    module.ffibuilder.emit_c_code(str(c_file))
    flags = sysconfig.get_config_var("CFLAGS").split()
    proc = subprocess.run(["gcc", *flags, "-Werror", "-fsyntax-only", "-I", sysconfig.get_paths()["include"],
                           str(c_file)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
