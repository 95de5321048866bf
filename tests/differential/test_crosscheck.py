"""rtnl's reads against iproute2's, field by field, in one throwaway namespace built with ``ip``.

The namespace holds veths, a bridge with a port, macvlans of every mode (passthru on its own
parent, source with a MAC list), macvtaps, a veth whose peer lives in another namespace, IPv4 and
IPv6 addresses and routes in two tables. It is built with ``ip`` commands only, so this test does
not depend on rtnl's write API; ``ip -d -j ... show`` runs inside the namespace via ``ns.popen``.
"""

from __future__ import annotations

import ipaddress
import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

import rtnl
from rtnl.addresses import AddressFlag
from rtnl.links import MacvlanFlag, MacvlanMode, OperState

SETUP = """
link add v0 type veth peer name v0p
link add v1 type veth peer name v1p
link add v2 type veth peer name v2p
link add br0 type bridge stp_state 1 forward_delay 800 ageing_time 12345
link set v0p master br0
link set v2p master br0
link set v2p type bridge_slave hairpin on learning off flood off
link add mvpriv link v0 type macvlan mode private
link add mvvepa link v0 type macvlan mode vepa
link add mvbr link v0 type macvlan mode bridge bcqueuelen 333
link add mvsrc link v0 type macvlan mode source
link set mvsrc type macvlan macaddr add 02:00:5e:00:53:01
link set mvsrc type macvlan macaddr add 02:00:5e:00:53:02
link add mvpass link v1 type macvlan mode passthru nopromisc
link add mvtap link v0 type macvtap mode vepa
link add mvtsrc link v0 type macvtap mode source
link set mvvepa address 02:00:5e:00:53:77 mtu 1400 txqlen 77 group 7
link set v2 promisc on
link set lo up
link set br0 up
link set v0 up
link set v0p up
link set mvbr up
link set mvvepa up
addr add 198.51.100.1/24 dev v0
addr add 198.51.100.2/24 dev v0 label v0:sec
addr add 2001:db8::1/64 dev v0 nodad
addr add 203.0.113.5/24 dev mvbr
addr add 2001:db8:1::5/64 dev mvbr
addr add 192.0.2.1/32 dev lo scope host
route add 192.0.2.0/24 via 198.51.100.254 metric 50
route add 192.0.2.9 dev v0 proto static scope link
route add 2001:db8:2::/48 via 2001:db8::fe metric 77
route add default via 198.51.100.254
route add 192.0.2.128/25 dev mvbr table 100 proto static
route add 2001:db8:3::/48 dev mvbr table 100
"""


def ip(ns: rtnl.Namespace, *args: str) -> Any:
    proc = ns.popen(["ip", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    assert proc.returncode == 0, f"ip {' '.join(args)}: {err}"
    return json.loads(out) if "-j" in args else out


@pytest.fixture(scope="module")
def lab() -> Iterator[tuple[rtnl.Namespace, rtnl.Connection]]:
    with rtnl.Namespace.anonymous() as ns, rtnl.Namespace.anonymous() as other:
        for knob in ("default", "all"):  # no DAD: address flags must not change between the two reads
            assert ns.popen(["sysctl", "-qw", f"net.ipv6.conf.{knob}.accept_dad=0"]).wait() == 0
        for line in SETUP.strip().splitlines():
            ip(ns, *line.split())
        holder = other.popen(["sleep", "600"])  # a process in the other namespace, for "netns PID"
        try:
            ip(ns, "link", "add", "v3", "type", "veth", "peer", "name", "v3p", "netns", str(holder.pid))
        finally:
            holder.kill()
            holder.wait()
        with rtnl.connect(ns) as net:
            yield ns, net


BRPORT_STATES = {"disabled": 0, "listening": 1, "learning": 2, "forwarding": 3, "blocking": 4}


def test_links(lab: tuple[rtnl.Namespace, rtnl.Connection]) -> None:
    ns, net = lab
    theirs = {x["ifname"]: x for x in ip(ns, "-d", "-j", "link", "show")}
    ours = {link.name: link for link in net.links()}
    assert sorted(ours) == sorted(theirs)
    index = {name: x["ifindex"] for name, x in theirs.items()}
    seen_kinds = set()
    for name, x in theirs.items():
        link = ours[name]
        info = x.get("linkinfo", {})
        got = {"index": link.index, "kind": link.kind, "mtu": link.mtu, "address": link.address,
               "up": link.up, "operstate": link.operstate, "promiscuity": link.promiscuity,
               "master": link.master, "group": link.group, "txqlen": link.txqlen}
        want = {"index": x["ifindex"], "kind": info.get("info_kind"), "mtu": x["mtu"],
                "address": x.get("address"), "up": "UP" in x["flags"],
                "operstate": OperState[x["operstate"]], "promiscuity": x["promiscuity"],
                "master": index[x["master"]] if "master" in x else None,
                "group": 0 if x["group"] == "default" else int(x["group"]), "txqlen": x.get("txqlen", 0)}
        if "link_netnsid" in x:  # the parent/peer is in another namespace: ip shows its index there
            got.update(parent=link.parent, parent_netnsid=link.parent_netnsid)
            want.update(parent=x["link_index"], parent_netnsid=x["link_netnsid"])
        elif "link" in x:
            got["parent"] = link.parent
            want["parent"] = index[x["link"]]
        else:
            got["parent"] = link.parent
            want["parent"] = None
        data = info.get("info_data", {})
        if link.kind in ("macvlan", "macvtap"):
            assert link.info is not None
            got.update(mode=link.info.mode, flags=link.info.flags, macs=sorted(link.info.source_macs),
                       bcq=link.info.bc_queue_len, bcq_used=link.info.bc_queue_len_used)
            want.update(mode=MacvlanMode[data["mode"].upper()],
                        flags=MacvlanFlag.NOPROMISC if data.get("nopromisc") else MacvlanFlag(0),
                        macs=sorted(data.get("macaddr_data", [])), bcq=data["bcqueuelen"],
                        bcq_used=data["usedbcqueuelen"])
        if link.kind == "bridge":
            got.update(stp=link.info.stp_state, fd=link.info.forward_delay, ageing=link.info.ageing_time,
                       vlan_filtering=link.info.vlan_filtering)
            want.update(stp=data["stp_state"], fd=data["forward_delay"], ageing=data["ageing_time"],
                        vlan_filtering=bool(data["vlan_filtering"]))
        if info.get("info_slave_kind") == "bridge":
            port, slave = link.port, info["info_slave_data"]
            assert port is not None
            got.update(hairpin=port.hairpin, state=port.state, learning=port.learning, flood=port.flood)
            want.update(hairpin=slave["hairpin"], state=BRPORT_STATES[slave["state"]],
                        learning=slave["learning"], flood=slave["flood"])
        else:
            got["port"], want["port"] = link.port, None
        assert got == want, name
        seen_kinds.add((link.kind, getattr(link.info, "mode", None)))
    modes = {mode for kind, mode in seen_kinds if kind == "macvlan"}
    assert modes == set(MacvlanMode), "the namespace should hold a macvlan of every mode"
    assert ("macvtap", MacvlanMode.SOURCE) in seen_kinds and ("veth", None) in seen_kinds
    assert ours["v3"].parent_netnsid is not None  # the cross-namespace case was really exercised
    assert ours["v2p"].port is not None and ours["v2p"].port.hairpin


def test_link_lookup_agrees_with_dump(lab: tuple[rtnl.Namespace, rtnl.Connection]) -> None:
    _, net = lab
    for link in net.links():
        assert net.link(link.name) == net.link(link.index)
        assert net.link(link.name).name == link.name and net.link(link.name).kind == link.kind


def address_flags(a: dict[str, Any]) -> AddressFlag:
    names = {"secondary": AddressFlag.SECONDARY, "nodad": AddressFlag.NODAD,
             "tentative": AddressFlag.TENTATIVE, "deprecated": AddressFlag.DEPRECATED,
             "noprefixroute": AddressFlag.NOPREFIXROUTE}
    flags = AddressFlag(0)
    for key, flag in names.items():
        if a.get(key):
            flags |= flag
    if not a.get("dynamic"):
        flags |= AddressFlag.PERMANENT
    return flags


def test_addresses(lab: tuple[rtnl.Namespace, rtnl.Connection]) -> None:
    ns, net = lab
    theirs = set()
    for x in ip(ns, "-j", "addr", "show"):
        for a in x["addr_info"]:
            theirs.add((x["ifindex"], ipaddress.ip_interface(f"{a['local']}/{a['prefixlen']}"),
                        {"global": 0, "site": 200, "link": 253, "host": 254}[a["scope"]],
                        a.get("label"), address_flags(a)))
    interesting = address_flags({"secondary": 1, "nodad": 1, "tentative": 1, "deprecated": 1,
                                 "noprefixroute": 1})  # every flag ip shows, PERMANENT included
    ours = {(a.link, a.address, int(a.scope), a.label, a.flags & interesting) for a in net.addresses()}
    assert ours == theirs
    assert len(ours) >= 8
    v0 = net.link("v0").index
    assert {a.address for a in net.addresses("v0")} == {i for (x, i, *_) in theirs if x == v0}


PROTOCOLS = {"redirect": 1, "kernel": 2, "boot": 3, "static": 4, "ra": 9, "dhcp": 16}
SCOPES = {"global": 0, "universe": 0, "site": 200, "link": 253, "host": 254, "nowhere": 255}


def their_routes(ns: rtnl.Namespace, table: int) -> set[tuple[Any, ...]]:
    index = {x["ifname"]: x["ifindex"] for x in ip(ns, "-j", "link", "show")}
    out = set()
    for family in ("-4", "-6"):
        for r in ip(ns, family, "-d", "-j", "route", "show", "table", str(table)):
            dst = r["dst"]
            if dst == "default":
                dst = "0.0.0.0/0" if family == "-4" else "::/0"
            proto = r.get("protocol", "boot")
            out.add((ipaddress.ip_network(dst), r.get("gateway") and ipaddress.ip_address(r["gateway"]),
                     index.get(r.get("dev")), PROTOCOLS.get(proto, proto), SCOPES[r.get("scope", "global")],
                     r.get("metric"), r.get("prefsrc") and ipaddress.ip_address(r["prefsrc"])))
    return out


@pytest.mark.parametrize("table", [254, 100])
def test_routes(lab: tuple[rtnl.Namespace, rtnl.Connection], table: int) -> None:
    ns, net = lab
    ours = {(r.dst, r.gateway, r.link, r.protocol, int(r.scope), r.metric, r.prefsrc)
            for r in net.routes(table=table)}
    assert all(r.table == table for r in net.routes(table=table))
    assert ours == their_routes(ns, table)
    assert len(ours) >= (2 if table == 100 else 5)
