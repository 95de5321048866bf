"""Seed note: "the physical NIC must be in promiscuous mode" - what the kernel actually does.

A macvlan child has its own MAC, so the parent must accept frames that are not for its own address.
The kernel arranges that by itself when the child comes up: it adds the child's MAC to the parent's
unicast filter, and a parent without such a filter (veth here, many cheap NICs) is put into
promiscuous mode instead. A passthru child always makes the parent promiscuous (unless NOPROMISC).
This script prints the parent's promiscuity counter at each step, and also sets promiscuous mode by
hand as the note did (``ip link set ens33 promisc on``). Run as root; all in a throwaway namespace.
"""

import sys

import rtnl
from rtnl import Macvlan, MacvlanFlag, MacvlanMode, Namespace, Veth

checks = []
with Namespace.anonymous() as host, rtnl.connect(host) as net:
    net.add(Veth("ens33", "wire"))
    net.set("ens33", up=True)

    def promiscuity(what: str) -> int:
        count = net.link("ens33").promiscuity
        print(f"{what:45} ens33 promiscuity = {count}")
        return count

    checks.append(promiscuity("no children") == 0)

    bridge = net.add(Macvlan("ens33.01", parent="ens33", mode=MacvlanMode.BRIDGE))
    checks.append(promiscuity("a bridge-mode child, still down") == 0)
    net.set(bridge, up=True)
    checks.append(promiscuity("the child up: veth has no unicast filter") == 1)
    net.delete(bridge)
    checks.append(promiscuity("the child deleted") == 0)

    passthru = net.add(Macvlan("ens33.01", parent="ens33", mode=MacvlanMode.PASSTHRU))
    net.set(passthru, up=True)
    checks.append(promiscuity("a passthru child") == 1)
    checks.append(net.link(passthru).address == net.link("ens33").address)  # it took the parent's MAC
    net.delete(passthru)

    spec = Macvlan("ens33.01", parent="ens33", mode=MacvlanMode.PASSTHRU, flags=MacvlanFlag.NOPROMISC)
    quiet = net.add(spec)
    net.set(quiet, up=True)
    checks.append(promiscuity("a passthru child with NOPROMISC") == 0)
    net.delete(quiet)

    net.set("ens33", promisc=True)  # the note's `ip link set ens33 promisc on`
    checks.append(promiscuity("promisc on, by hand") == 1)
    net.set("ens33", promisc=False)
    checks.append(promiscuity("promisc off again") == 0)

print("all checks passed" if all(checks) else f"checks: {checks}")
sys.exit(0 if all(checks) else 1)
