"""Seed experiment 3: two macvlan children in the *same* namespace "do not ping each other" - why.

The note's author put ens33.01 and ens33.02 in one namespace and found they could not ping each other.
The peer's address is one of the namespace's own addresses, so the kernel routes it via ``lo`` (see
the route lookup below), and ``lo`` is down in a fresh namespace. Bring ``lo`` up and the ping works,
but the packets never touch the macvlans (their counters do not move). Run as root.
"""

import sys

import rtnl
from rtnl import Macvlan, MacvlanMode, Namespace, Veth
from rtnl.lab import link_counters, ping, route_get

with Namespace.anonymous() as host, Namespace.anonymous() as ns, rtnl.connect(host) as net, \
        rtnl.connect(ns) as inside:
    net.add(Veth("ens33", "wire"))
    net.set("ens33", up=True)
    for name, ip in (("ens33.01", "198.51.100.11/24"), ("ens33.02", "198.51.100.12/24")):
        net.add(Macvlan(name, parent="ens33", mode=MacvlanMode.BRIDGE))
        net.move(name, ns)
        inside.set(name, up=True)
        inside.add_address(name, ip)

    kind, dev = route_get(inside, "198.51.100.12")
    print(f"route get 198.51.100.12 -> {kind} dev {dev}; lo is {'up' if inside.link('lo').up else 'down'}")
    before_down, _ = ping(ns, "198.51.100.12")
    print(f"ping with lo down: {'answered' if before_down is not None else 'no answer'}")

    inside.set("lo", up=True)
    before = link_counters(inside)
    rtt, _ = ping(ns, "198.51.100.12")
    after = link_counters(inside)
    moved = {n: after[n][1] - before[n][1] for n in ("lo", "ens33.01", "ens33.02")}
    print(f"ping with lo up: {'no answer' if rtt is None else f'{rtt:.2f} ms'}; packets sent: {moved}")

ok = (kind, dev) == ("local", "lo") and before_down is None and rtt is not None and moved["lo"] > 0 \
    and moved["ens33.01"] == moved["ens33.02"] == 0
print("as explained: the peer is local, so the traffic goes via lo, not over macvlan" if ok else "unexpected")
sys.exit(0 if ok else 1)
