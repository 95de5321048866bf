"""The public API as a type checker sees it: ``mypy --strict`` on scripts a user would write.

``net.add(Macvlan(...))`` returns a ``Link[MacvlanInfo]``, so ``.info.mode`` needs no ``isinstance``;
the asyncio twin keeps the same overloads; a bare ``Link`` stays usable in annotations; and a link
read by name (kind unknown) still makes the checker ask which kind it is.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO

USER = '''
import rtnl
import rtnl.aio
from rtnl import Bridge, BridgeInfo, Link, Macvlan, MacvlanInfo, MacvlanMode, Veth, VethInfo


def name_of(link: Link) -> str:  # a bare Link in an annotation
    return link.name


def blocking(net: rtnl.Connection) -> MacvlanMode | int:
    mv = net.add(Macvlan("mv0", parent="ens33", mode="bridge"))
    veth: VethInfo = net.add(Veth("a", "b")).info
    bridge: BridgeInfo = net.add(Bridge("br0")).info
    print(veth, bridge, name_of(mv), name_of(net.link("mv0")))
    return mv.info.mode


async def asynchronous() -> MacvlanInfo:
    async with rtnl.aio.connect() as net:
        return (await net.add(Macvlan("mv0", parent="ens33"))).info
'''

UNKNOWN_KIND = '''
import rtnl


def mode(net: rtnl.Connection) -> object:
    return net.link("mv0").info.mode
'''


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "user.py"
    script.write_text(source)
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
                          cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


def test_created_links_are_typed_by_their_spec(tmp_path: Path) -> None:
    done = _mypy(tmp_path, USER)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_link_of_unknown_kind_needs_a_check(tmp_path: Path) -> None:
    done = _mypy(tmp_path, UNKNOWN_KIND)
    assert done.returncode == 1
    assert 'Item "VethInfo" of "MacvlanInfo | VethInfo | BridgeInfo' in done.stdout
