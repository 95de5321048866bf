"""The README is the first thing a user runs: every code block in it is executed or checked here.

The python sample runs as written in a throwaway namespace whose ``ens33`` is one end of a veth pair,
and what it prints must be what its ``# ...`` comments say. The two ```sh set-up commands are checked
for shape here (CI runs them for real, first and exactly as written): one line each, valid shell,
naming a module, an extra and a test command that exist.
"""

from __future__ import annotations

import io
import re
import shlex
import subprocess
from importlib.util import find_spec
from pathlib import Path

import pytest

import rtnl

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())  # any depth
README = ROOT / "README.md"
_FENCE = re.compile(r"^```(?P<lang>\w*)\n(?P<code>.*?)^```$", re.M | re.S)


def fences() -> list[tuple[str, str, int]]:
    """(language, code, line the code starts on) for every fenced block of the README."""
    text = README.read_text()
    return [(m["lang"], m["code"], text.count("\n", 0, m.start("code")) + 1) for m in _FENCE.finditer(text)]


def blocks(lang: str) -> list[str]:
    return [code for lg, code, _ in fences() if lg == lang]


def test_every_block_is_python_or_a_set_up_command() -> None:
    """No block escapes the tests below: a new language would need a check of its own."""
    assert sorted(lang for lang, _, _ in fences()) == ["python", "sh", "sh"]


def promised_output(code: str) -> list[str]:
    """The comment after each ``print(...)`` call: what the sample says it prints."""
    return [m[1].strip() for m in re.finditer(r"^\s*print\(.*\)\s*#\s*(.+)$", code, re.M)]


def test_promised_output_is_read() -> None:
    assert promised_output("x = 1\nprint(x)   # 1\n    print(f(a), b)  # MacvlanMode.X\n") == \
        ["1", "MacvlanMode.X"]


@pytest.mark.kernel
def test_python_sample_prints_what_its_comments_say() -> None:
    [(code, line)] = [(c, n) for lang, c, n in fences() if lang == "python"]
    expected = promised_output(code)
    assert expected, "the README's sample promises no output to check"
    out = io.StringIO()

    def run() -> None:
        with rtnl.connect() as net:  # the practice NIC the sample takes as its parent
            net.add(rtnl.Veth("ens33", peer="ens33-wire"))
        scope = {"__name__": "__readme__", "print": lambda *a, **kw: print(*a, **kw, file=out)}
        exec(compile("\n" * (line - 1) + code, str(README), "exec"), scope)

    before = rtnl.Namespace.list()
    with rtnl.Namespace.anonymous() as ns:
        ns.run(run)
    assert rtnl.Namespace.list() == before, "the sample left a named namespace behind"
    assert out.getvalue().splitlines() == expected


def _commands(line: str) -> list[list[str]]:
    return [shlex.split(part) for part in line.split("&&")]


def test_set_up_commands_are_one_valid_shell_line_each() -> None:
    """CI reads them line by line (.ci/run): a block of two lines would be two commands there."""
    sh = blocks("sh")
    assert [code.count("\n") for code in sh] == [1, 1]
    for code in sh:
        subprocess.run(["bash", "-n", "-c", code], check=True)


def test_first_command_installs_then_runs_the_lab() -> None:
    install, run = _commands(blocks("sh")[0])
    assert install == ["python3", "-m", "pip", "install", "-e", "."]
    assert run[:3] == ["python3", "-m", "rtnl.lab"]
    assert find_spec("rtnl.lab") is not None


def test_second_command_installs_the_tools_and_the_test_extra_then_runs_everything() -> None:
    update, apt, pip, pytest_cmd = _commands(blocks("sh")[1])
    assert update == ["apt-get", "update"]
    assert apt[:3] == ["apt-get", "install", "-y"]
    # the tools the kernel and differential tests call
    assert {"iproute2", "iputils-ping", "dnsmasq-base", "isc-dhcp-client",
            "containernetworking-plugins"} <= set(apt[3:])
    assert pip[:5] == ["python3", "-m", "pip", "install", "-e"] and len(pip) == 6
    extra = re.fullmatch(r"\.\[(\w+)\]", pip[5])
    assert extra, pip
    extras = re.search(r"^\[project\.optional-dependencies\]\n(.*?)(?:^\[|\Z)",
                       (ROOT / "pyproject.toml").read_text(), re.M | re.S)
    assert extras and re.search(rf"^{extra[1]} = \[.*\bpytest\b", extras[1], re.M)
    assert pytest_cmd == ["python3", "-m", "pytest"]  # no arguments: the whole suite (testpaths)
