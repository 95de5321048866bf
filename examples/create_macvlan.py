"""Seed experiment 1: create a macvlan child of the NIC, bring it up, give it an address, delete it.

The note did it with ``ip link add link ens33 name ens33.01 type macvlan mode bridge``, ``ip link set
ens33.01 up``, ``ip addr add ... dev ens33.01`` and ``ip link delete ens33.01``. Here the "NIC" is one
end of a veth pair inside a throwaway namespace, so the host is never touched. Run as root.
"""

import sys

import rtnl
from rtnl import Macvlan, MacvlanMode, Namespace, Veth

with Namespace.anonymous() as host, rtnl.connect(host) as net:
    net.add(Veth("ens33", "wire"))                                        # the stand-in physical NIC
    net.set("ens33", up=True)
    child = net.add(Macvlan("ens33.01", parent="ens33", mode=MacvlanMode.BRIDGE))
    net.set(child, up=True)
    net.add_address(child, "198.51.100.11/24")

    link = net.link("ens33.01")
    addresses = [str(a.address) for a in net.addresses(link)]
    print(f"{link.name}: kind={link.kind} mode={link.info.mode.name} parent={net.link(link.parent).name} "
          f"mac={link.address} up={link.up} addresses={addresses}")
    ok = (link.kind == "macvlan" and link.info.mode == MacvlanMode.BRIDGE and link.up
          and link.parent == net.index("ens33") and "198.51.100.11/24" in addresses)

    net.delete(link)
    gone = "ens33.01" not in [x.name for x in net.links()]
    print(f"deleted: {gone}")

sys.exit(0 if ok and gone else 1)
