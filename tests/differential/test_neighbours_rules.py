"""Neighbours, the bridge forwarding table and policy rules against iproute2.

Reads: one namespace built with ``ip``/``bridge`` commands only, read by rtnl and by ``ip -j -d neigh``,
``bridge -j fdb`` and ``ip -j rule``, field by field. Writes: the same changes made once with rtnl
and once with iproute2 in twin namespaces, then both dumped and compared. The switch: a bridge with
two ports to two hosts that ping each other; what it learned, read both ways.
"""

from __future__ import annotations

import ipaddress
import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

import rtnl
from rtnl import FdbEntry, NeighbourFlag, NeighbourState, Rule, RuleAction, Veth

SETUP = """
link add v0 type veth peer name v0p
link add v1 type veth peer name v1p
link add br0 type bridge
link set v1p master br0
link set lo up
link set v0 up
link set v0p up
link set br0 up
link set v1p up
addr add 198.51.100.1/24 dev v0
addr add 2001:db8::1/64 dev v0 nodad
neigh add 198.51.100.9 lladdr 02:00:5e:00:53:09 dev v0 nud permanent
neigh add 198.51.100.10 lladdr 02:00:5e:00:53:0a dev v0 nud reachable
neigh add 198.51.100.11 lladdr 02:00:5e:00:53:0b dev v0 nud stale
neigh add 198.51.100.12 lladdr 02:00:5e:00:53:0c dev v0 nud noarp
neigh add 2001:db8::9 lladdr 02:00:5e:00:53:19 dev v0 nud permanent router
neigh add proxy 198.51.100.50 dev v0
neigh add proxy 2001:db8::50 dev v0
rule add prio 100 from 198.51.100.0/24 table 100
rule add prio 200 to 203.0.113.0/24 iif v0 lookup 200
rule add prio 300 fwmark 0x7/0xff oif v0 unreachable
rule add prio 350 from 192.0.2.0/25 to 203.0.113.128/25 fwmark 9 lookup 100000
rule add prio 600 prohibit
-6 rule add prio 400 from 2001:db8::/64 blackhole
-6 rule add prio 450 to 2001:db8:1::/48 table 100
"""
BRIDGE_SETUP = """
fdb add 02:00:5e:00:53:aa dev v1p master static
fdb add 02:00:5e:00:53:bb dev v1p master static
fdb add 02:00:5e:00:53:cc dev v1p master
fdb add 02:00:5e:00:53:dd dev v1p self permanent
"""
TABLE_NAMES = {255: "local", 254: "main", 253: "default"}
FDB_FLAGS = ((NeighbourFlag.SELF, "self"), (NeighbourFlag.ROUTER, "router"),
             (NeighbourFlag.EXT_LEARNED, "extern_learn"), (NeighbourFlag.OFFLOADED, "offload"),
             (NeighbourFlag.MASTER, "master"), (NeighbourFlag.STICKY, "sticky"))  # as `bridge fdb` names them


def tool(ns: rtnl.Namespace, *args: str) -> Any:
    proc = ns.popen(list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    assert proc.returncode == 0, f"{' '.join(args)}: {err}"
    return json.loads(out) if "-j" in args else out


def build(ns: rtnl.Namespace, script: str, program: str = "ip") -> None:
    for line in script.strip().splitlines():
        tool(ns, program, *line.split())


@pytest.fixture(scope="module")
def lab() -> Iterator[tuple[rtnl.Namespace, rtnl.Connection]]:
    with rtnl.Namespace.anonymous() as ns:
        build(ns, SETUP)
        build(ns, BRIDGE_SETUP, "bridge")
        with rtnl.connect(ns) as net:
            yield ns, net


def names(net: rtnl.Connection) -> dict[int, str]:
    return {link.index: link.name for link in net.links()}


def neigh_view(net: rtnl.Connection, proxy: bool = False) -> list[dict[str, Any]]:
    """rtnl's neighbours as ``ip -j neigh`` prints them."""
    name = names(net)
    out = []
    for n in net.neighbours(proxy=proxy):
        x: dict[str, Any] = {"dst": str(n.address), "dev": name[n.link]}
        if proxy:
            x["proxy"] = None
        else:
            if n.lladdr is not None:
                x["lladdr"] = n.lladdr
            if n.flags & NeighbourFlag.ROUTER:
                x["router"] = None
            x["state"] = [s.name for s in NeighbourState if s & n.state]
        out.append(x)
    return sorted(out, key=str)


def ip_neigh(ns: rtnl.Namespace, *extra: str, opts: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    keep = ("dst", "dev", "lladdr", "router", "state", "proxy")
    return sorted(({k: v for k, v in x.items() if k in keep}
                   for x in tool(ns, "ip", "-j", "-d", *opts, "neigh", "show", *extra)), key=str)


def test_neighbours(lab: tuple[rtnl.Namespace, rtnl.Connection]) -> None:
    ns, net = lab
    theirs = ip_neigh(ns, "nud", "all")
    assert neigh_view(net) == theirs
    assert {x["dst"] for x in theirs} >= {"198.51.100.9", "198.51.100.12", "2001:db8::9"}
    v0 = net.index("v0")
    assert [str(n.address) for n in net.neighbours("v0", family=6) if n.state != NeighbourState.NOARP] == [
        "2001:db8::9"]
    assert all(n.link == v0 and n.address.version == 4 for n in net.neighbours(v0, family=4))
    assert {x["dst"] for x in ip_neigh(ns, "dev", "v0", "nud", "all", opts=("-4",))} == {
        str(n.address) for n in net.neighbours("v0", family=4)}


def test_proxy_neighbours(lab: tuple[rtnl.Namespace, rtnl.Connection]) -> None:
    ns, net = lab
    assert neigh_view(net, proxy=True) == ip_neigh(ns, "proxy")
    assert all(n.proxy and n.lladdr is None for n in net.neighbours(proxy=True))
    assert len(net.neighbours(proxy=True)) == 2


def fdb_view(net: rtnl.Connection, entries: list[FdbEntry]) -> list[dict[str, Any]]:
    """rtnl's fdb entries as ``bridge -j fdb`` prints them."""
    name = names(net)
    out = []
    for e in entries:
        x: dict[str, Any] = {"mac": e.lladdr, "ifname": name[e.link]}
        if e.vlan is not None:
            x["vlan"] = e.vlan
        x["flags"] = [word for flag, word in FDB_FLAGS if e.flags & flag]
        if e.master is not None:
            x["master"] = name[e.master]
        x["state"] = ("permanent" if e.state & NeighbourState.PERMANENT else
                      "static" if e.state & NeighbourState.NOARP else
                      "stale" if e.state & NeighbourState.STALE else "")
        out.append(x)
    return sorted(out, key=str)


def bridge_fdb(ns: rtnl.Namespace, *extra: str) -> list[dict[str, Any]]:
    keep = ("mac", "ifname", "vlan", "flags", "master", "state")
    return sorted(({k: v for k, v in x.items() if k in keep}
                   for x in tool(ns, "bridge", "-j", "fdb", "show", *extra)), key=str)


def test_fdb(lab: tuple[rtnl.Namespace, rtnl.Connection]) -> None:
    ns, net = lab
    assert fdb_view(net, net.fdb()) == bridge_fdb(ns)
    ours = fdb_view(net, net.fdb("br0"))
    assert ours == bridge_fdb(ns, "br", "br0")
    macs = {(x["mac"], x.get("vlan")) for x in ours}
    assert {("02:00:5e:00:53:aa", None), ("02:00:5e:00:53:bb", None), ("02:00:5e:00:53:cc", None)} <= macs
    assert {"mac": "02:00:5e:00:53:dd", "ifname": "v1p", "flags": ["self"], "state": "permanent"} in ours
    assert all(e.link in (net.index("br0"), net.index("v1p")) for e in net.fdb("br0"))
    assert len(net.fdb()) > len(net.fdb("br0"))  # v0 and v0p have entries of their own


def rule_view(rule: Rule) -> dict[str, Any]:
    """One rtnl rule as ``ip -j rule`` prints it."""
    x: dict[str, Any] = {"priority": rule.priority,
                         "src": "all" if rule.src is None else str(rule.src.network_address)}
    if rule.src is not None and rule.src.prefixlen != rule.src.max_prefixlen:
        x["srclen"] = rule.src.prefixlen
    if rule.dst is not None:
        x["dst"] = str(rule.dst.network_address)
        if rule.dst.prefixlen != rule.dst.max_prefixlen:
            x["dstlen"] = rule.dst.prefixlen
    if rule.fwmark is not None:
        x["fwmark"] = hex(rule.fwmark)
        if rule.fwmask is not None and rule.fwmask != 0xFFFFFFFF:
            x["fwmask"] = hex(rule.fwmask)
    if rule.iif is not None:
        x["iif"] = rule.iif
    if rule.oif is not None:
        x["oif"] = rule.oif
    if rule.action == RuleAction.TO_TBL:
        x["table"] = TABLE_NAMES.get(rule.table, str(rule.table))
    else:
        x["action"] = RuleAction(rule.action).name.lower()
    return x


def ip_rules(ns: rtnl.Namespace, *opts: str) -> list[dict[str, Any]]:
    keep = ("priority", "src", "srclen", "dst", "dstlen", "fwmark", "fwmask", "iif", "oif", "table", "action")
    return [{k: v for k, v in x.items() if k in keep} for x in tool(ns, "ip", "-j", *opts, "rule", "show")]


@pytest.mark.parametrize("family", [4, 6])
def test_rules(lab: tuple[rtnl.Namespace, rtnl.Connection], family: int) -> None:
    ns, net = lab
    ours = net.rules(family=family)
    assert [rule_view(r) for r in ours] == ip_rules(ns, f"-{family}")
    assert all(r.family == family for r in ours)
    assert len(net.rules()) == len(ip_rules(ns, "-4")) + len(ip_rules(ns, "-6"))
    if family == 4:
        big = next(r for r in ours if r.priority == 350)
        assert (big.table, big.fwmark, big.src, big.dst) == (
            100000, 9, ipaddress.ip_network("192.0.2.0/25"), ipaddress.ip_network("203.0.113.128/25"))


# --- writes: rtnl in one namespace, iproute2 in its twin, the kernel's answers compared -------------
TWIN = """
link add v0 address 02:00:5e:00:53:01 type veth peer name v0p address 02:00:5e:00:53:02
link set v0 up
link set v0p up
addr add 198.51.100.1/24 dev v0
addr add 2001:db8::1/64 dev v0 nodad
"""


Twins = tuple[rtnl.Namespace, rtnl.Connection, rtnl.Namespace, rtnl.Connection]


@pytest.fixture
def twins() -> Iterator[Twins]:
    with rtnl.Namespace.anonymous() as a, rtnl.Namespace.anonymous() as b:
        build(a, TWIN)
        build(b, TWIN)
        with rtnl.connect(a) as net_a, rtnl.connect(b) as net_b:
            yield a, net_a, b, net_b


def same(a: rtnl.Namespace, net_a: rtnl.Connection, b: rtnl.Namespace, net_b: rtnl.Connection) -> None:
    def unicast(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:  # multicast ones come and go (MLD)
        return [x for x in entries if not ipaddress.ip_address(x["dst"]).is_multicast]

    for proxy in (False, True):
        assert unicast(neigh_view(net_a, proxy)) == unicast(neigh_view(net_b, proxy))
    assert unicast(ip_neigh(a, "nud", "all")) == unicast(ip_neigh(b, "nud", "all"))
    assert ip_neigh(a, "proxy") == ip_neigh(b, "proxy")
    assert net_a.rules() == net_b.rules()
    assert ip_rules(a, "-4") == ip_rules(b, "-4") and ip_rules(a, "-6") == ip_rules(b, "-6")


def test_neighbour_writes(twins: Twins) -> None:
    _, net, b, _ = twins
    steps: list[tuple[Any, str]] = [
        (lambda: net.add_neighbour("v0", "198.51.100.9", "02:00:5e:00:53:09"),
         "neigh add 198.51.100.9 lladdr 02:00:5e:00:53:09 dev v0 nud permanent"),
        (lambda: net.add_neighbour("v0", "198.51.100.10", "02:00:5e:00:53:0a", state="stale"),
         "neigh add 198.51.100.10 lladdr 02:00:5e:00:53:0a dev v0 nud stale"),
        (lambda: net.add_neighbour("v0", "198.51.100.11", "02:00:5e:00:53:0b", state=NeighbourState.NOARP),
         "neigh add 198.51.100.11 lladdr 02:00:5e:00:53:0b dev v0 nud noarp"),
        (lambda: net.add_neighbour("v0", "2001:db8::9", "02:00:5e:00:53:19"),
         "neigh add 2001:db8::9 lladdr 02:00:5e:00:53:19 dev v0 nud permanent"),
        (lambda: net.add_neighbour("v0", "198.51.100.9", "02:00:5e:00:53:99", replace=True),
         "neigh replace 198.51.100.9 lladdr 02:00:5e:00:53:99 dev v0 nud permanent"),
        (lambda: net.add_neighbour("v0", "198.51.100.50", None, proxy=True),
         "neigh add proxy 198.51.100.50 dev v0"),
        (lambda: net.add_neighbour("v0", "2001:db8::50", None, proxy=True),
         "neigh add proxy 2001:db8::50 dev v0"),
        (lambda: net.delete_neighbour("v0", "198.51.100.50", proxy=True),
         "neigh del proxy 198.51.100.50 dev v0"),
        (lambda: net.delete_neighbour("v0", "2001:db8::9"), "neigh del 2001:db8::9 dev v0"),
    ]
    for ours, theirs in steps:
        result = ours()
        build(b, theirs)
        same(*twins)
        if result is not None:
            assert result in net.neighbours(proxy=result.proxy)
    assert net.flush_neighbours("v0", family=4) == 1  # the stale one; permanent and noarp stay
    build(b, "-4 neigh flush dev v0")
    same(*twins)
    # the kernel lists neighbours in its hash table's order, which means nothing: compared as a set
    assert {str(n.address) for n in net.neighbours("v0", family=4)} == {"198.51.100.9", "198.51.100.11"}
    assert net.flush_neighbours() == 0


def test_rule_writes(twins: Twins) -> None:
    _, net, b, _ = twins
    steps: list[tuple[Any, str]] = [
        (lambda: net.add_rule(priority=100, src="198.51.100.0/24", table=100),
         "rule add prio 100 from 198.51.100.0/24 table 100"),
        (lambda: net.add_rule(priority=200, dst="203.0.113.0/24", iif="v0", table=200),
         "rule add prio 200 to 203.0.113.0/24 iif v0 lookup 200"),
        (lambda: net.add_rule(priority=300, fwmark=7, oif="v0", action="unreachable"),
         "rule add prio 300 fwmark 7 oif v0 unreachable"),
        (lambda: net.add_rule(priority=350, src="192.0.2.0/25", table=100000),
         "rule add prio 350 from 192.0.2.0/25 table 100000"),
        (lambda: net.add_rule(priority=360, src="192.0.2.128/25"), "rule add prio 360 from 192.0.2.128/25"),
        (lambda: net.add_rule(priority=400, src="2001:db8::/64", action=RuleAction.BLACKHOLE),
         "-6 rule add prio 400 from 2001:db8::/64 blackhole"),
        (lambda: net.add_rule(priority=450, family=6, table=100), "-6 rule add prio 450 table 100"),
        (lambda: net.delete_rule(priority=200), "rule del prio 200"),
        (lambda: net.delete_rule(priority=400, src="2001:db8::/64", action="blackhole"),
         "-6 rule del prio 400 from 2001:db8::/64 blackhole"),
    ]
    for ours, theirs in steps:
        ours()
        build(b, theirs)
        same(*twins)
    with pytest.raises(FileExistsError):
        net.add_rule(priority=100, src="198.51.100.0/24", table=100)
    with pytest.raises(FileNotFoundError):
        net.delete_rule(priority=999)


# --- the lab's switch: what a bridge learned from a ping -------------------------------------------
def test_switch_learns(ns: rtnl.Namespace) -> None:
    with rtnl.connect(ns) as net, rtnl.Namespace.anonymous() as h1, rtnl.Namespace.anonymous() as h2:
        net.add(rtnl.Bridge("br0"))
        hosts = {"p1": h1, "p2": h2}
        for port, host, addr in (("p1", h1, "198.51.100.11/24"), ("p2", h2, "198.51.100.12/24")):
            net.add(Veth(port, peer="eth0"))
            net.move("eth0", host)
            tool(ns, "ip", "link", "set", port, "master", "br0", "up")
            with rtnl.connect(host) as inside:
                inside.set("eth0", up=True)
                inside.add_address("eth0", addr)
        net.set("br0", up=True)
        proc = h1.popen(["ping", "-c", "2", "-W", "5", "198.51.100.12"], stdout=subprocess.DEVNULL)
        assert proc.wait() == 0
        macs = {}
        for port, host in hosts.items():
            with rtnl.connect(host) as inside:
                macs[port] = inside.link("eth0").address
        ours = net.fdb("br0")
        assert fdb_view(net, ours) == bridge_fdb(ns, "br", "br0")
        learned = {(e.lladdr, e.link) for e in ours if not e.state & NeighbourState.PERMANENT}
        assert {(macs["p1"], net.index("p1")), (macs["p2"], net.index("p2"))} <= learned
        assert all(e.master == net.index("br0") for e in ours if e.lladdr in macs.values())
