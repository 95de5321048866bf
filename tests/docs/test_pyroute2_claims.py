"""What the docs say about pyroute2 is checked against pyroute2 itself.

docs/iproute2.rst has a pyroute2 column and docs/missing.rst points to pyroute2 for what rtnl lacks.
Every pyroute2 name those pages show must exist in the installed pyroute2 (the ``test`` extra), and
the column's calls must do what the table says: they run against a throwaway namespace and rtnl (or
``ip -j``) reads the result back.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyroute2
import pytest
from pyroute2 import IPRoute, NetNS, NSPopen, netns
from pyroute2.iproute.linux import AsyncIPRoute
from pyroute2.netlink import nlmsg_base
from pyroute2.netlink.rtnl.ifinfmsg import IFF_PROMISC

import rtnl
from rtnl import MacvlanInfo, MacvlanMode, Namespace

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())  # any depth
DOCS = ROOT / "docs"


def pyroute2_column() -> list[str]:
    """The middle cell of every row of docs/iproute2.rst's tables (header rows left out)."""
    cells: list[str] = []
    rows = re.split(r"^   \* - ", (DOCS / "iproute2.rst").read_text(), flags=re.M)[1:]
    for row in rows:
        parts = re.split(r"^     - ", row, flags=re.M)
        assert len(parts) == 3, row
        cells.append(" ".join(parts[1].split()))
    return [c for c in cells if c != "pyroute2"]


def literals(text: str) -> list[str]:
    return re.findall(r"``(.+?)``", text, re.S)


_METHOD = re.compile(r"\bip\.(\w+)\(")
_NETNS = re.compile(r"\bnetns\.(\w+)\(")
_CLASS = re.compile(r"\b(IPRoute|AsyncIPRoute|NetNS|NSPopen|WireGuard|Ethtool|IW|GenericNetlinkSocket|"
                    r"Conntrack|IPSet)\b")


def claimed_literals() -> list[str]:
    missing = [x for x in literals((DOCS / "missing.rst").read_text())
               if _METHOD.search(x) or _NETNS.search(x) or _CLASS.fullmatch(x) or x.startswith("pyroute2.")]
    return [x for cell in pyroute2_column() for x in literals(cell)] + missing


def test_the_column_is_read() -> None:
    column = pyroute2_column()
    assert len(column) >= 30
    assert 'ip.link("add", ifname="br0", kind="bridge")' in " ".join(column)
    assert any("NSPopen(" in c for c in column) and any("ns_pids" in c for c in column)


def test_every_pyroute2_literal_names_something_checked() -> None:
    """A claim added to the pages without a name this file checks fails here, not silently."""
    unchecked = [x for x in claimed_literals()
                 if not (_METHOD.search(x) or _NETNS.search(x) or _CLASS.search(x) or "get_attr(" in x
                         or x.startswith("pyroute2.") or x in ("master=0", "IFF_PROMISC"))]
    assert not unchecked, unchecked


def test_named_pyroute2_api_exists() -> None:
    text = " ".join(claimed_literals())
    methods = set(_METHOD.findall(text))
    assert {"link", "addr", "route", "brport", "get_links", "link_lookup", "bind", "get", "tc", "neigh"} \
        <= methods
    assert not [m for m in methods if not callable(getattr(AsyncIPRoute, m, None))]
    functions = set(_NETNS.findall(text))
    assert {"create", "remove", "listnetns", "setns", "pushns", "popns", "ns_pids"} <= functions
    assert not [f for f in functions if not callable(getattr(netns, f, None))]
    classes = set(_CLASS.findall(text))
    assert {"IPRoute", "NetNS", "NSPopen", "WireGuard", "Ethtool"} <= classes
    assert not [c for c in classes if not hasattr(pyroute2, c)]
    assert callable(nlmsg_base.get_attr) and IFF_PROMISC == 0x100  # linux/if.h
    __import__("pyroute2.dhcp")


def test_netns_is_iproute_since_0_9_1() -> None:
    """``NetNS("ns1")`` is no helper-process class any more: an IPRoute with a ``netns`` argument."""
    assert issubclass(NetNS, IPRoute)


# --- behaviour, in throwaway namespaces -------------------------------------------------------------------


@pytest.fixture
def ns_names() -> Iterator[Callable[[str], str]]:
    """Named namespaces for pyroute2 (which keeps them in /var/run/netns, the harness's private /run),
    removed afterwards whoever created them."""
    assert os.environ.get("RTNL_TEST_ISOLATED") == "1", "pyroute2 would create namespaces on the host"
    made: list[str] = []

    def name(n: str) -> str:
        made.append(n)
        return n

    yield name
    for n in made:
        if n in Namespace.list():
            with Namespace.open(n) as stale:
                stale.delete()


def in_thread(fn: Callable[[], Any]) -> Any:
    """Run fn in a thread of its own: pyroute2's setns/pushns switch the calling thread."""
    out: list[Any] = []
    err: list[BaseException] = []

    def body() -> None:
        try:
            out.append(fn())
        except BaseException as e:
            err.append(e)

    t = threading.Thread(target=body)
    t.start()
    t.join()
    if err:
        raise err[0]
    return out[0]


@pytest.mark.kernel
def test_link_address_route_rows(ns_names: Callable[[str], str]) -> None:
    with Namespace.create(ns_names("p2")) as p2, Namespace.create(ns_names("p2peer")), \
            rtnl.connect(p2) as net, IPRoute(netns="p2") as ip:
        net.add(rtnl.Veth("ens33", peer="sw0"))
        idx = ip.link_lookup(ifname="ens33")[0]
        assert idx == net.index("ens33")
        ip.link("add", ifname="ens33.01", kind="macvlan", link=idx, macvlan_mode="bridge")
        mv = net.link("ens33.01")
        assert isinstance(mv.info, MacvlanInfo) and mv.info.mode is MacvlanMode.BRIDGE and mv.parent == idx
        mode = ip.get_links(mv.index)[0].get_attr("IFLA_LINKINFO").get_attr("IFLA_INFO_DATA") \
            .get_attr("IFLA_MACVLAN_MODE")
        assert mode in ("bridge", int(MacvlanMode.BRIDGE))
        ip.link("add", ifname="mt0", kind="macvtap", link=idx, macvtap_mode="vepa")
        mt = net.link("mt0")
        assert isinstance(mt.info, MacvlanInfo) and mt.info.mode is MacvlanMode.VEPA
        ip.link("add", ifname="veth0", kind="veth", peer={"ifname": "veth1", "net_ns_fd": "p2peer"})
        with rtnl.connect("p2peer") as peer:
            assert net.link("veth0").kind == "veth" and peer.link("veth1").kind == "veth"
        ip.link("add", ifname="br0", kind="bridge")
        assert net.link("br0").kind == "bridge"

        ip.link("set", index=idx, state="up")
        ip.link("set", index=idx, flags=IFF_PROMISC, change=IFF_PROMISC)
        assert net.link("ens33").up and net.link("ens33").flags & IFF_PROMISC
        ip.link("set", index=mv.index, ifname="mv1", mtu=1400, address="02:00:5e:00:53:01")
        renamed = net.link(mv.index)
        assert (renamed.name, renamed.mtu, renamed.address) == ("mv1", 1400, "02:00:5e:00:53:01")
        sw0, br = net.index("sw0"), net.index("br0")
        ip.link("set", index=sw0, master=br)
        assert net.link("sw0").master == br
        ip.brport("set", index=sw0, mode=1)
        assert net.link("sw0").port.hairpin
        ip.link("set", index=sw0, master=0)
        assert not net.link("sw0").master

        ip.link("set", index=mv.index, state="up")
        ip.addr("add", index=mv.index, address="198.51.100.11", prefixlen=24)
        assert "198.51.100.11/24" in [str(a.address) for a in net.addresses("mv1")]
        assert [a.get_attr("IFA_ADDRESS") for a in ip.get_addr(index=mv.index, family=2)] == ["198.51.100.11"]
        ip.route("add", dst="0.0.0.0/0", gateway="198.51.100.1")
        ip.route("add", dst="203.0.113.0/24", oif=mv.index, priority=10)
        routes = {str(r.dst): r for r in net.routes()}
        assert str(routes["0.0.0.0/0"].gateway) == "198.51.100.1"
        assert (routes["203.0.113.0/24"].link, routes["203.0.113.0/24"].metric) == (mv.index, 10)
        assert len(ip.get_routes(table=254, family=2)) == len(net.routes())
        ip.route("del", dst="203.0.113.0/24")
        assert "203.0.113.0/24" not in {str(r.dst) for r in net.routes()}
        # docs/missing.rst: multipath routes through pyroute2
        ip.addr("add", index=mv.index, address="198.51.100.12", prefixlen=24)
        ip.route("add", dst="192.0.2.0/24", multipath=[{"gateway": "198.51.100.1", "oif": mv.index},
                                                        {"gateway": "198.51.100.2", "oif": mv.index}])
        shown = json.loads(p2.popen(["ip", "-j", "route", "show", "192.0.2.0/24"], stdout=subprocess.PIPE,
                                    text=True).communicate()[0])
        assert sorted(h["gateway"] for h in shown[0]["nexthops"]) == ["198.51.100.1", "198.51.100.2"]
        ip.addr("del", index=mv.index, address="198.51.100.11", prefixlen=24)
        assert "198.51.100.11/24" not in [str(a.address) for a in net.addresses("mv1")]

        def monitor() -> list[str]:  # a plain IPRoute() made in p2 (one made with netns= binds already)
            with IPRoute() as mon:
                mon.bind()
                net.add_address("mv1", "198.51.100.13/24")
                return [e.get("event") for e in mon.get()]

        assert "RTM_NEWADDR" in p2.run(monitor)

        ip.link("set", index=mv.index, net_ns_fd="p2peer")
        with rtnl.connect("p2peer") as peer:
            assert "mv1" in [link.name for link in peer.links()]
        ip.link("del", index=net.index("mt0"))
        assert "mt0" not in [link.name for link in net.links()]


def thread_in(ns: Namespace) -> bool:
    """Whether the calling thread is in ``ns``."""
    with Namespace.open(f"/proc/self/task/{threading.get_native_id()}/ns/net") as mine:
        return mine == ns


def children() -> set[int]:
    found: set[int] = set()
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as f:
            found |= {int(p) for p in f.read().split()}
    return found


@pytest.mark.kernel
def test_namespace_rows(ns_names: Callable[[str], str]) -> None:
    netns.create(ns_names("p3"))
    assert "p3" in netns.listnetns() and "p3" in Namespace.list()
    p3 = Namespace.open("p3")
    try:
        # NetNS("ns1"): an IPRoute in ns1, made by a child process that does not stay around
        before = children()
        with NetNS(ns_names("p4")) as ip:
            assert ip.status["netns"] == "p4" and "p4" in Namespace.list()  # created on demand
            assert not multiprocessing.active_children() and children() <= before
            assert [x.get_attr("IFLA_IFNAME") for x in ip.get_links()] == ["lo"]

        # pushns/popns and setns switch the calling thread
        def pushed() -> tuple[bool, bool]:
            netns.pushns("p3")
            inside = thread_in(p3)
            netns.popns()
            return inside, thread_in(p3)

        assert in_thread(pushed) == (True, False)
        assert not thread_in(p3)  # the test's own thread never moved

        def set_by_path() -> bool:
            netns.setns("/run/netns/p3")
            return thread_in(p3)

        assert in_thread(set_by_path)

        # NSPopen runs the program in the namespace; ns_pids finds it there
        sleeper = NSPopen("p3", ["sleep", "30"])
        try:
            assert sleeper.pid in netns.ns_pids()["p3"]
            with Namespace.from_pid(sleeper.pid) as theirs:
                assert theirs == p3
        finally:
            sleeper.kill()
            sleeper.wait()
            sleeper.release()
        netns.remove("p3")
        assert "p3" not in Namespace.list()
    finally:
        p3.close()


# --- issue 17: the rows for complete routes and addresses ---------------------------------------------------


@pytest.mark.kernel
def test_route_and_address_rows_issue17(ns_names: Callable[[str], str]) -> None:
    """Each pyroute2 call of the new rows does what its rtnl neighbour does, as rtnl reads it back."""
    with Namespace.create(ns_names("p17")) as p17, rtnl.connect(p17) as net, IPRoute(netns="p17") as ip:
        net.add(rtnl.Veth("eth0", peer="wire0"))
        net.set("wire0", up=True)
        net.set("eth0", up=True)
        net.add_address("eth0", "198.51.100.10/24")
        net.add_address("eth0", "2001:db8::10/64", nodad=True)
        idx = net.index("eth0")
        ip.addr("add", index=idx, local="198.51.100.1", address="198.51.100.2", prefixlen=32)
        ip.addr("add", index=idx, address="2001:db8::5", prefixlen=64,
                IFA_CACHEINFO={"ifa_preferred": 300, "ifa_valid": 600}, IFA_FLAGS=0x202)
        got = {str(a.address): a for a in net.addresses("eth0")}
        assert str(got["198.51.100.1/32"].peer) == "198.51.100.2"
        v6 = got["2001:db8::5/64"]
        assert 0 < v6.preferred_lft <= 300 < v6.valid_lft <= 600
        assert v6.flags & rtnl.AddressFlag.NODAD and v6.flags & rtnl.AddressFlag.NOPREFIXROUTE
        ip.route("add", dst="192.0.2.0/24", multipath=[{"gateway": "198.51.100.1", "oif": idx, "hops": 2},
                                                        {"gateway": "198.51.100.2", "oif": idx}])
        ip.route("add", dst="203.0.113.0/24", gateway="192.0.2.1", oif=idx, flags=4)
        ip.route("add", dst="192.0.2.0/26", type="blackhole")
        ip.route("add", dst="203.0.113.0/25", oif=idx, prefsrc="198.51.100.10", proto="static")
        ip.route("add", dst="2001:db8:5::/64", gateway="2001:db8::1", metrics={"mtu": 1400, "hoplimit": 10})
        routes = {str(r.dst): r for r in net.routes()}
        assert [(str(h.gateway), h.link, h.weight) for h in routes["192.0.2.0/24"].nexthops] == [
            ("198.51.100.1", idx, 3), ("198.51.100.2", idx, 1)]
        assert routes["203.0.113.0/24"].onlink and routes["192.0.2.0/26"].type is rtnl.RouteType.BLACKHOLE
        static = routes["203.0.113.0/25"]
        assert str(static.prefsrc) == "198.51.100.10" and static.protocol is rtnl.RouteProtocol.STATIC
        assert (routes["2001:db8:5::/64"].mtu, routes["2001:db8:5::/64"].hoplimit) == (1400, 10)
        per_table = {len(ip.get_routes(table=t)) for t in (254,)}
        assert per_table == {len([r for r in net.routes(table=rtnl.ALL_TABLES) if r.table == 254])}


# --- docs/iproute2.rst: neighbours, the bridge forwarding table and rules (issue 17) ------------------
@pytest.mark.kernel
def test_neighbour_fdb_rule_rows(ns_names: Callable[[str], str]) -> None:
    from pyroute2.netlink.rtnl import RTMGRP_NEIGH
    from pyroute2.netlink.rtnl.ndmsg import NTF_PROXY, NUD_PERMANENT, NUD_REACHABLE

    with Namespace.create(ns_names("p4")) as p4, rtnl.connect(p4) as net, IPRoute(netns="p4") as ip:
        net.add(rtnl.Veth("v0", peer="v0p"))
        net.set("v0", up=True)
        idx = net.index("v0")
        ip.neigh("add", dst="198.51.100.9", lladdr="02:00:5e:00:53:09", ifindex=idx, state=NUD_PERMANENT)
        [n] = [n for n in net.neighbours("v0") if str(n.address) == "198.51.100.9"]
        assert (n.lladdr, n.state) == ("02:00:5e:00:53:09", rtnl.NeighbourState.PERMANENT)
        theirs = [x.get_attr("NDA_DST") for x in ip.get_neighbours(ifindex=idx)]
        assert "198.51.100.9" in theirs
        assert {str(n.address) for n in net.neighbours(family=6)} == {
            x.get_attr("NDA_DST") for x in ip.get_neighbours(family=socket.AF_INET6)}
        ip.neigh("replace", dst="198.51.100.9", lladdr="02:00:5e:00:53:10", ifindex=idx, state=NUD_REACHABLE)
        [n] = [n for n in net.neighbours("v0") if str(n.address) == "198.51.100.9"]
        assert (n.lladdr, n.state) == ("02:00:5e:00:53:10", rtnl.NeighbourState.REACHABLE)
        ip.neigh("add", dst="198.51.100.50", ifindex=idx, flags=NTF_PROXY)
        assert [str(p.address) for p in net.neighbours(proxy=True)] == ["198.51.100.50"]
        for x in ip.get_neighbours(ifindex=idx, family=socket.AF_INET):
            if not x["state"] & NUD_PERMANENT:
                ip.neigh("del", dst=x.get_attr("NDA_DST"), ifindex=idx)
        assert not [n for n in net.neighbours("v0", family=4) if str(n.address) == "198.51.100.9"]
        ip.neigh("add", dst="198.51.100.9", lladdr="02:00:5e:00:53:09", ifindex=idx, state=NUD_PERMANENT)
        ip.neigh("del", dst="198.51.100.9", ifindex=idx)
        assert not [n for n in net.neighbours("v0") if str(n.address) == "198.51.100.9"]

        net.add(rtnl.Bridge("br0"))
        net.set("v0p", master="br0", up=True)
        br = net.index("br0")
        theirs = {(x["ifindex"], x.get_attr("NDA_LLADDR")) for x in ip.fdb("dump", master=br)}
        assert {(e.link, e.lladdr) for e in net.fdb("br0") if e.master == br} == theirs  # no ports' own

        def monitor() -> list[str]:
            with IPRoute() as mon:
                mon.bind(groups=RTMGRP_NEIGH)
                net.add_neighbour("v0", "198.51.100.7", "02:00:5e:00:53:07")
                return [e.get("event") for e in mon.get()]

        assert "RTM_NEWNEIGH" in p4.run(monitor)

        ip.rule("add", priority=100, src="198.51.100.0", src_len=24, table=100)
        ip.rule("add", priority=300, fwmark=7, iifname="v0", action="FR_ACT_UNREACHABLE")
        rules = {r.priority: r for r in net.rules()}
        assert (str(rules[100].src), rules[100].table) == ("198.51.100.0/24", 100)
        assert (rules[300].fwmark, rules[300].iif) == (7, "v0")
        assert rules[300].action == rtnl.RuleAction.UNREACHABLE
        assert len(ip.get_rules(family=socket.AF_INET)) == len(net.rules(family=4))
        assert len(ip.get_rules()) == len(net.rules())
        assert len(ip.get_rules(family=socket.AF_INET6)) == len(net.rules(family=6))
        ip.rule("del", priority=100)
        assert 100 not in {r.priority for r in net.rules()}
