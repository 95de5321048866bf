"""Sphinx configuration for rtnl.

CI builds the docs with ``python3 -m sphinx -W --keep-going -q -b html docs docs/_build/html`` and has
no network apart from package registries, so intersphinx cannot download the Python inventory.
Instead this file writes a small inventory (Sphinx's ``objects.inv`` format, version 2) for exactly
the standard-library names the docs and docstrings mention, with their docs.python.org addresses,
into the build's own doctree directory (never into the source tree), and points intersphinx at it.
Links in the rendered pages still go to docs.python.org.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import zlib
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # import rtnl from the source tree

import rtnl  # noqa: E402

project = "rtnl"
author = "the rtnl authors"
copyright = "2025, the rtnl authors"
release = version = rtnl.__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.intersphinx"]
html_theme = "furo"
html_title = f"rtnl {release}"
html_static_path = ["_static"]
html_css_files = ["rtnl.css"]
exclude_patterns = ["_build"]
pygments_style = "friendly"

# -- autodoc -------------------------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_class_signature = "separated"
autodoc_default_options = {"show-inheritance": True}

# -- broken cross-references are build errors ------------------------------------------------------
nitpicky = True
# the builtin ``type`` in a signature (``type[_E]``, a shortcut's value types) is also the name of
# fields (Route.type, RtMsg.type...): Sphinx then reports "more than one target"; the builtin is meant
suppress_warnings = ["ref.python"]
nitpick_ignore = [
    # type variables of generic helpers (Namespace.run) have no page of their own
    ("py:class", "rtnl.netns.T"),
    ("py:class", "rtnl.netns.P"),
    ("py:class", "P.args"),
    ("py:class", "P.kwargs"),
    ("py:class", "rtnl._fast._E"),  # codec.enum_or_int
    ("py:class", "rtnl.ops._T"),  # Operation[_T]
    ("py:class", "rtnl.connection._T"),  # Connection.run's
    ("py:class", "rtnl.netlink._T"),  # NetlinkSocket.ask's
    ("py:obj", "rtnl.netlink._T"),  # Exchanges[_T]
    ("py:class", "rtnl.aio._T"),  # AsyncConnection.run's
    ("py:class", "rtnl.values.enums._E"),  # NamedIntEnum.parse's
    ("py:class", "rtnl.values.links.InfoT"),  # Link[InfoT]: what Link.info is
    ("py:obj", "rtnl.values.links.InfoT"),
    # the layers below the public faces have no pages of their own (docs/layout.rst describes them)
    ("py:class", "rtnl.values.specs.NamespaceHandle"),
    ("py:class", "rtnl._fast.Rows"),  # how a dump is read in rows (Dump, dumping)
    ("py:class", "Rows"),
    ("py:class", "NamespaceHandle"),
    ("py:class", "rtnl.wire.attrs.Picker"),
    ("py:class", "rtnl.wire.codecs.Shortcut"),
    # the C socket type rtnl.netlink creates (socket.socket is its subclass): no page of its own
    ("py:class", "_socket.socket"),
    # the context manager Namespace.entered() returns; documented there, private on purpose
    ("py:class", "rtnl.netns._Entered"),
    # autodoc splits the dataclass field annotation ``tuple[str, ...]`` at its comma when it renders
    # the generated __init__ (MacvlanInfo, Macvlan); the text still reads right
    ("py:class", "tuple[str"),
    ("py:class", "...]"),
]

# -- intersphinx, offline --------------------------------------------------------------------------------
# (domain:role, name, page#anchor relative to https://docs.python.org/3/); a trailing "$" stands for
# the name itself, as in any objects.inv.
PYTHON_OBJECTS: list[tuple[str, str, str]] = [
    *[("py:exception", n, "library/exceptions.html#$") for n in (
        "BaseException", "Exception", "OSError", "ValueError", "TypeError", "RuntimeError", "KeyError",
        "FileExistsError", "FileNotFoundError", "PermissionError", "InterruptedError", "UserWarning",
        "ProcessLookupError", "ConnectionRefusedError", "TimeoutError", "AttributeError",
    )],
    *[("py:class", n, "library/functions.html#$") for n in (
        "int", "str", "bytes", "bool", "float", "list", "dict", "tuple", "object", "type", "bytearray",
        "memoryview", "frozenset", "set",
    )],
    ("py:data", "None", "library/constants.html#None"),
    ("py:data", "True", "library/constants.html#True"),
    ("py:data", "False", "library/constants.html#False"),
    *[("py:class", f"ipaddress.{n}", "library/ipaddress.html#$") for n in (
        "IPv4Interface", "IPv6Interface", "IPv4Network", "IPv6Network", "IPv4Address", "IPv6Address",
    )],
    ("py:function", "ipaddress.ip_interface", "library/ipaddress.html#$"),
    ("py:function", "ipaddress.ip_network", "library/ipaddress.html#$"),
    ("py:function", "ipaddress.ip_address", "library/ipaddress.html#$"),
    ("py:module", "ipaddress", "library/ipaddress.html#module-ipaddress"),
    ("py:class", "enum.Enum", "library/enum.html#$"),
    ("py:class", "enum.IntEnum", "library/enum.html#$"),
    ("py:class", "enum.IntFlag", "library/enum.html#$"),
    ("py:class", "enum.Flag", "library/enum.html#$"),
    ("py:class", "socket.socket", "library/socket.html#$"),
    ("py:module", "socket", "library/socket.html#module-socket"),
    ("py:method", "socket.socket.setsockopt", "library/socket.html#socket.socket.setsockopt"),
    ("py:class", "subprocess.Popen", "library/subprocess.html#$"),
    ("py:function", "subprocess.run", "library/subprocess.html#$"),
    ("py:module", "subprocess", "library/subprocess.html#module-subprocess"),
    ("py:module", "threading", "library/threading.html#module-threading"),
    ("py:class", "threading.Thread", "library/threading.html#$"),
    ("py:class", "os.PathLike", "library/os.html#$"),
    ("py:class", "os.stat_result", "library/os.html#$"),
    ("py:function", "os.setns", "library/os.html#$"),
    ("py:function", "os.unshare", "library/os.html#$"),
    ("py:function", "os.fork", "library/os.html#$"),
    ("py:class", "typing.Any", "library/typing.html#$"),
    ("py:class", "collections.abc.Generator", "library/collections.abc.html#$"),
    ("py:data", "typing.Any", "library/typing.html#typing.Any"),
    ("py:class", "typing.NamedTuple", "library/typing.html#$"),
    ("py:class", "typing.Union", "library/typing.html#$"),
    ("py:data", "typing.Union", "library/typing.html#typing.Union"),
    ("py:class", "typing.ParamSpec", "library/typing.html#$"),
    ("py:class", "typing.TypeVar", "library/typing.html#$"),
    *[("py:class", f"collections.abc.{n}", "library/collections.abc.html#$") for n in (
        "Callable", "Iterable", "Iterator", "Mapping", "Sequence", "Collection",
    )],
    ("py:class", "types.TracebackType", "library/types.html#$"),
    ("py:class", "types.NoneType", "library/types.html#$"),
    ("py:function", "dataclasses.dataclass", "library/dataclasses.html#$"),
    ("py:function", "dataclasses.replace", "library/dataclasses.html#$"),
    ("py:attribute", "OSError.errno", "library/exceptions.html#$"),
    ("py:attribute", "OSError.strerror", "library/exceptions.html#$"),
    ("py:module", "errno", "library/errno.html#module-errno"),
]


def _write_python_inventory(path: str) -> str:
    """Write ``PYTHON_OBJECTS`` as a Sphinx v2 inventory (the format of any ``objects.inv``)."""
    body = "".join(
        f"{name} {role} 1 {uri} -\n"
        for role, name, uri in PYTHON_OBJECTS
    )
    head = "# Sphinx inventory version 2\n# Project: Python\n# Version: 3\n" \
           "# The remainder of this file is compressed using zlib.\n"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = head.encode() + zlib.compress(body.encode())
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return path  # unchanged: keep the mtime so incremental builds stay incremental
    except FileNotFoundError:
        pass
    with open(path, "wb") as f:
        f.write(data)
    return path


def _use_python_inventory(app, config):  # type: ignore[no-untyped-def]
    """On ``config-inited``, before intersphinx checks its mapping: the inventory goes where this
    build keeps its own state (``app.doctreedir``, inside the output directory by default)."""
    path = _write_python_inventory(os.path.join(app.doctreedir, "python.inv"))
    config.intersphinx_mapping = {"python": ("https://docs.python.org/3", path)}


# -- short names in docstrings ----------------------------------------------------------------------------
# A docstring is written in its own module and names its neighbours briefly (:class:`NetlinkError`
# inside rtnl.netlink), while the reference documents them under the package (rtnl.NetlinkError) or
# their module. When the normal lookup fails, accept the one documented object whose full name ends
# in ".NAME"; zero or several matches stay a warning, so real mistakes are still caught.


def _resolve_short_name(app, env, node, contnode):  # type: ignore[no-untyped-def]
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip("~.")
    domain = env.get_domain("py")
    objects = domain.objects
    if target.startswith("rtnl."):  # rtnl.links.Macvlan documented as rtnl.Macvlan, and back
        rest = target.removeprefix("rtnl.")
        head, _, tail = rest.partition(".")
        modules = {n.split(".")[1] for n in objects if n.count(".") >= 2}
        wanted = {f"rtnl.{m}.{rest}" for m in modules}
        if head in modules and tail:
            wanted.add(f"rtnl.{tail}")
        candidates = {n for n in wanted if n in objects}
    else:
        candidates = {n for n in objects if n.endswith("." + target) and n.startswith("rtnl.")}
    types = set(domain.objtypes_for_role(node["reftype"]) or ())  # :func: finds functions only
    candidates = {n for n in candidates if not objects[n].aliased and objects[n].objtype in types}
    if len(candidates) != 1:
        return None
    (name,) = candidates
    obj = objects[name]
    from sphinx.util.nodes import make_refnode

    return make_refnode(app.builder, node["refdoc"], obj.docname, obj.node_id, contnode, name)


# -- the codec's constants, listed from its source ------------------------------------------------------
# rtnl.uapi declares the uapi constants (RTM_*, NLM_F_*, ...) under "# --- linux/xyz.h ---" comments;
# rtnl.codec re-exports those messages are built with. ``.. codec-constants::`` documents each of those,
# in source order, under its header, with its value and the comment on its line, so a new constant
# cannot be left out.

_HEADER = re.compile(r"#\s*-{3}\s*(?P<title>\S.*?)\s*-+\s*$")


def codec_constants(exclude: set[str] = frozenset()) -> list[tuple[str, list[tuple[str, int, str]]]]:
    """[(header, [(name, value, comment)])] for the int constants of rtnl.uapi that rtnl.codec exports."""
    import rtnl.codec as codec
    import rtnl.uapi as uapi

    with open(uapi.__file__, encoding="utf-8") as f:
        source = f.read()
    lines = source.splitlines()
    groups: list[tuple[str, list[tuple[str, int, str]]]] = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign):
            continue
        names = [t.id for target in node.targets
                 for t in (target.elts if isinstance(target, ast.Tuple) else [target])
                 if isinstance(t, ast.Name)]
        above = reversed(lines[:node.lineno - 1])
        header = next((m["title"] for line in above if (m := _HEADER.match(line))), "")
        _, _, comment = lines[node.lineno - 1].partition("#")
        for name in names:
            value = getattr(uapi, name)
            if name not in codec.__all__ or name in exclude or type(value) is not int:
                continue
            if not groups or groups[-1][0] != header:
                groups.append((header, []))
            groups[-1][1].append((name, value, comment.strip()))
    return groups


class CodecConstants(SphinxDirective):
    option_spec: ClassVar[dict[str, Any]] = {"exclude": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        import rtnl.uapi as uapi

        self.env.note_dependency(uapi.__file__)
        text: list[str] = []
        for header, constants in codec_constants(set(self.options.get("exclude", "").split())):
            text += [f".. rubric:: ``{header}``", ""]
            for name, value, comment in constants:
                text += [f".. py:data:: {name}", "   :module: rtnl.codec", f"   :value: {value:#x}"
                         if name.startswith(("NLM_F_", "NLA_F_", "RTEXT_")) else f"   :value: {value}", ""]
                if comment:
                    text += [f"   {comment}", ""]
        container = nodes.container()
        self.state.nested_parse(StringList(text, self.get_source_info()[0]), self.content_offset, container)
        return container.children


def _hide_private_bases(app, name, obj, options, bases):  # type: ignore[no-untyped-def]
    """``rtnl.values.specs._Record`` is how specs get ``==``/``hash``/``repr``, not something to use."""
    bases[:] = [b for b in bases if not getattr(b, "__name__", "").startswith("_")] or [object]


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("autodoc-process-bases", _hide_private_bases)
    app.add_directive("codec-constants", CodecConstants)
    app.connect("config-inited", _use_python_inventory, priority=100)  # intersphinx validates at 800
    app.connect("missing-reference", _resolve_short_name)
