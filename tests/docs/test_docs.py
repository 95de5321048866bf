"""The documentation cannot rot: its samples run, its reference covers every public name.

Every ``.. code-block:: python`` in ``docs/*.rst`` (and the ``.inc`` files they include) must say
whether it is ``:class: runnable`` or ``:class: illustrative``. The runnable blocks of one page run in
order, sharing their globals as a reader would type them, in a thread inside a fresh anonymous network
namespace (within the harness's throwaway namespace), so a sample's ``ens33``, ``ns1``... never meet
another page's. A page must clean up after itself: named namespaces it leaves behind fail the test.

The ``::`` literal blocks in the docstrings of the documented modules (the examples the API reference
renders) are compiled, and the self-contained ones run: by the rule "a block that asserts something
is a claim to check", every block with an ``assert`` statement is executed in a copy of its module's
globals, inside a fresh anonymous namespace.

The reference is checked on the built ``objects.inv``: the docs are built once with ``-W`` (warnings
are errors, as in CI) and every name in ``rtnl.__all__`` and the codec's public names must be there.
"""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import pytest

import rtnl
from tests.support.paths import REPO

DOCS = REPO / "docs"
PAGES = sorted(DOCS.glob("*.rst"))



def codec_public_names() -> list[str]:
    """What the codec reference must cover: every public name rtnl.codec exports (its constants,
    schemas, value codecs, classes and functions), as its ``__all__`` lists them."""
    import rtnl.codec

    return list(rtnl.codec.__all__)

_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\. code-block::\s*(?P<lang>\S+)\s*$")
_INCLUDE = re.compile(r"^\s*\.\. include::\s*(?P<path>\S+)\s*$")


class Block(NamedTuple):
    where: str  # file:line of the directive
    marker: str | None  # "runnable", "illustrative" or None
    code: str
    file: str  # the file the block is in, and the line its code starts on, for tracebacks
    line: int

    def compiled(self) -> object:
        return compile("\n" * (self.line - 1) + self.code, self.file, "exec")


def _lines(path: Path) -> list[tuple[str, str]]:
    """(where, line) for every line of ``path``, with ``.. include::`` files spliced in."""
    out: list[tuple[str, str]] = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        m = _INCLUDE.match(line)
        if m:
            out += _lines(path.parent / m["path"])
        else:
            out.append((f"{path.name}:{n}", line))
    return out


def python_blocks(path: Path) -> list[Block]:
    lines = _lines(path)
    blocks = []
    i = 0
    while i < len(lines):
        where, line = lines[i]
        m = _DIRECTIVE.match(line)
        i += 1
        if not m or m["lang"] not in ("python", "py", "python3"):
            continue
        indent = len(m["indent"])
        marker = None
        while i < len(lines) and lines[i][1].strip().startswith(":"):
            opt = lines[i][1].strip()
            if opt.startswith(":class:"):
                classes = opt.split(None, 1)[1].split() if len(opt.split(None, 1)) > 1 else []
                marker = next((c for c in classes if c in ("runnable", "illustrative")), None)
            i += 1
        body = []
        first = lines[i][0] if i < len(lines) else where
        while i < len(lines):
            text = lines[i][1]
            if text.strip() and len(text) - len(text.lstrip()) <= indent:
                break
            body.append(text)
            i += 1
        code = textwrap.dedent("\n".join(body))
        lead = len(code) - len(code.lstrip("\n"))
        file, _, line = first.rpartition(":")
        blocks.append(Block(where, marker, code.strip("\n") + "\n", str(DOCS / file), int(line) + lead))
    return blocks


def test_every_python_block_is_marked() -> None:
    blocks = [b for page in PAGES for b in python_blocks(page)]
    assert len(blocks) > 10
    unmarked = [b.where for b in blocks if b.marker is None]
    assert not unmarked, f"python blocks without ':class: runnable' or ':class: illustrative': {unmarked}"
    runnable = sum(b.marker == "runnable" for b in blocks)
    assert runnable > len(blocks) / 2, "most samples should be runnable"


def test_blocks_compile() -> None:
    for page in PAGES:
        for b in python_blocks(page):
            b.compiled()


# --- examples in docstrings -------------------------------------------------------------------------


def documented_modules() -> list[str]:
    """rtnl, the modules behind its exports, and every module the .rst pages autodoc from."""
    found = {"rtnl", *(f"rtnl.{m}" for m in rtnl._EXPORTS.values())}
    for page in PAGES:
        for m in re.finditer(r"^\s*\.\. auto(\w+)::\s*(rtnl[\w.]*)", page.read_text(), re.M):
            name = m[2]
            while True:  # rtnl.links.add -> rtnl.links; rtnl.Connection -> rtnl
                try:
                    importlib.import_module(name)
                    break
                except ImportError:
                    name = name.rpartition(".")[0]
            found.add(name)
    return sorted(found)


class DocBlock(NamedTuple):
    where: str  # module.qualname of the docstring
    module: ModuleType
    code: str


def docstring_blocks() -> list[DocBlock]:
    """Every ``::`` literal block in the docstrings of the documented modules' own objects."""
    from docutils import nodes
    from docutils.core import publish_doctree

    blocks = []
    for modname in documented_modules():
        module = importlib.import_module(modname)
        seen: set[int] = set()
        todo: list[tuple[str, Any]] = [(modname, module)]
        while todo:
            where, obj = todo.pop()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            doc = obj.__doc__ if inspect.ismodule(obj) else inspect.getdoc(obj)
            if doc and (inspect.ismodule(obj) or getattr(obj, "__module__", None) == modname
                        or isinstance(obj, property)):
                # Sphinx roles are unknown to plain docutils: silence that, keep the structure
                tree = publish_doctree(inspect.cleandoc(doc),
                                       settings_overrides={"report_level": 5, "halt_level": 5})
                blocks += [DocBlock(where, module, lb.astext() + "\n")
                           for lb in tree.findall(nodes.literal_block)]
            if inspect.ismodule(obj) or inspect.isclass(obj):
                for key, value in vars(obj).items():
                    value = getattr(value, "__func__", value)  # classmethod, staticmethod
                    if (inspect.isclass(value) or inspect.isfunction(value) or isinstance(value, property)) \
                            and (isinstance(value, property) or value.__module__ == modname):
                        todo.append((f"{where}.{key}", value))
    return blocks


DOC_BLOCKS = docstring_blocks()


def test_docstring_blocks_found() -> None:
    """The extraction works: the known examples are there (codec's message, SourceMacs' edits)."""
    where = {b.where for b in DOC_BLOCKS}
    assert len(DOC_BLOCKS) >= 10
    assert {"rtnl.codec", "rtnl.values.specs.SourceMacs", "rtnl.ops.routes.add_route"} <= where
    assert any(re.search(r"^\s*assert\b", b.code, re.M) for b in DOC_BLOCKS)


@pytest.mark.parametrize("block", DOC_BLOCKS, ids=[b.where for b in DOC_BLOCKS])
def test_docstring_block_compiles(block: DocBlock) -> None:
    compile(block.code, block.where, "exec")


def _exec_in(module: ModuleType, code: str, where: str) -> None:
    exec(compile(code, where, "exec"), {**vars(module), "rtnl": rtnl, "__name__": "__docstring__"})


@pytest.mark.kernel
@pytest.mark.parametrize("block", [b for b in DOC_BLOCKS if re.search(r"^\s*assert\b", b.code, re.M)],
                         ids=lambda b: b.where)
def test_docstring_block_with_assert_runs(block: DocBlock) -> None:
    with rtnl.Namespace.anonymous() as ns:
        ns.run(_exec_in, block.module, block.code, block.where)


def _run_page(blocks: list[Block]) -> None:
    scope: dict[str, object] = {"__name__": "__docs__"}
    for b in blocks:
        exec(compile(b.code, b.where, "exec"), scope)
    for value in scope.values():  # e.g. the practice NIC's `lan`, open for the whole page
        if isinstance(value, rtnl.Namespace) and not value.closed:
            value.close()


@pytest.mark.kernel
@pytest.mark.parametrize("page", [p for p in PAGES if any(b.marker == "runnable" for b in python_blocks(p))],
                         ids=lambda p: p.stem)
def test_samples_run(page: Path) -> None:
    blocks = [b for b in python_blocks(page) if b.marker == "runnable"]
    before = rtnl.Namespace.list()
    with rtnl.Namespace.anonymous() as ns:
        try:
            ns.run(_run_page, blocks)
        finally:
            left = sorted(set(rtnl.Namespace.list()) - set(before))
            for name in left:  # keep the next page clean, then fail
                with rtnl.Namespace.open(name) as stale:
                    stale.delete()
    assert not left, f"{page.name} left named namespaces behind: {left}"


# --- the reference --------------------------------------------------------------------------------------


def _inventory(path: Path) -> set[str]:
    """Names of the py-domain objects in a Sphinx v2 ``objects.inv``."""
    data = path.read_bytes()
    for _ in range(4):  # four header lines, then zlib
        data = data[data.index(b"\n") + 1:]
    names = set()
    for line in zlib.decompress(data).decode().splitlines():
        m = re.match(r"(?x) (.+?) \s+ (py:\w+) \s+ -?\d+ \s", line)
        if m:
            names.add(m[1])
    return names


def _source_files() -> dict[str, tuple[int, int]]:
    """Every file under docs/ (path -> size, mtime), to see whether a build wrote into the sources."""
    return {str(p.relative_to(DOCS)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in DOCS.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    before = _source_files()
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                           str(DOCS), str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, f"sphinx -W failed:\n{proc.stdout}\n{proc.stderr}"
    assert _source_files() == before, "building into another directory wrote into docs/"
    return out


def test_python_inventory_is_the_builds_own(built: Path) -> None:
    """conf.py's offline inventory of Python names lives in the build's doctree dir, and links work."""
    assert (built / ".doctrees" / "python.inv").is_file()
    link = 'href="https://docs.python.org/3/library/exceptions.html#ValueError"'
    assert link in (built / "api.html").read_text()


def test_reference_covers_every_export(built: Path) -> None:
    names = _inventory(built / "objects.inv")
    # documented under the package (rtnl.Macvlan) or under the module that defines it (rtnl.monitor.Monitor)
    missing = [n for n in rtnl.__all__ if not {f"rtnl.{n}", f"rtnl.{rtnl._EXPORTS[n]}.{n}"} & names]
    assert not missing, f"exported by rtnl but not in the API reference (docs/api.rst): {missing}"
    codec = codec_public_names()
    assert {"Message", "decode", "IFLA", "RTM_NEWLINK", "NLM_F_CREATE", "U32"} <= set(codec)
    missing = [n for n in codec if f"rtnl.codec.{n}" not in names]
    assert not missing, f"codec names not in the reference (docs/codec.rst): {missing}"
    netns = importlib.import_module("rtnl.netns")
    missing = [n for n in netns.__all__ if not {f"rtnl.netns.{n}", f"rtnl.{n}"} & names]
    assert not missing, f"rtnl.netns.__all__ names not in the reference (docs/api.rst): {missing}"


def test_reference_pages_document_members(built: Path) -> None:
    names = _inventory(built / "objects.inv")
    for member in ("rtnl.Connection.add", "rtnl.Connection.links", "rtnl.Namespace.entered",
                   "rtnl.NetlinkError.extack", "rtnl.MacvlanMode.BRIDGE", "rtnl.Link.info"):
        assert member in names
    html = (built / "api.html").read_text()
    assert "MacvlanMode" in html and "<dl class=\"py class\">" in html
