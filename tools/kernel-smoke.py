"""Kernel smoke test for an installed rtnl, and a typed user script (CI runs ``mypy --strict`` on it).

Run as root in a throwaway network namespace, never on the host::

    unshare --net python3 tools/kernel-smoke.py

It creates a veth pair and a macvlan on one end, reads them back (and through ``ip -d -j``), deletes
them, and refuses to start in a namespace that holds anything but ``lo``.
"""

import json
import subprocess
import sys

import rtnl
from rtnl import Macvlan, MacvlanInfo, MacvlanMode, Veth


def names(net: rtnl.Connection) -> list[str]:
    return [link.name for link in net.links()]


with rtnl.connect() as net:
    if names(net) != ["lo"]:
        sys.exit(f"not a fresh network namespace (links: {names(net)}): run it under `unshare --net`")
    net.add(Veth("ens33", peer="wire"))
    net.add(Macvlan("ens33.01", parent="ens33", mode=MacvlanMode.BRIDGE))
    link = net.link("ens33.01")
    assert link.kind == "macvlan" and link.parent == net.index("ens33"), link
    assert isinstance(link.info, MacvlanInfo) and link.info.mode is MacvlanMode.BRIDGE, link.info
    shown = json.loads(subprocess.run(["ip", "-d", "-j", "link", "show", "ens33.01"],
                                      check=True, capture_output=True, text=True).stdout)
    assert shown[0]["linkinfo"]["info_data"]["mode"] == "bridge", shown
    net.delete("ens33.01")
    net.delete("ens33")
    assert names(net) == ["lo"], names(net)
print(f"kernel smoke test passed: rtnl {rtnl.__version__} from {rtnl.__file__}, "
      f"Python {sys.version.split()[0]}")
