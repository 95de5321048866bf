"""Addresses and routes, IPv4 and IPv6, against the real kernel, cross-checked with ``ip -j``."""

from __future__ import annotations

import errno
import ipaddress
import json
import subprocess
from typing import Any

import pytest

import rtnl
from rtnl.addresses import AddressFlag, Scope
from rtnl.links import Veth


def ip_json(ns: rtnl.Namespace, *args: str) -> Any:
    out = ns.popen(["ip", "-j", *args], stdout=subprocess.PIPE, text=True).communicate()[0]
    return json.loads(out or "[]")


@pytest.fixture
def eth0(net: rtnl.Connection) -> rtnl.Link:
    net.add(Veth("eth0", "wire0"))
    net.set("wire0", up=True)
    return net.set("eth0", up=True)


def test_addresses_v4_v6(net: rtnl.Connection, ns: rtnl.Namespace, eth0: rtnl.Link) -> None:
    a4 = net.add_address(eth0, "198.51.100.10/24")
    a6 = net.add_address("eth0", ipaddress.ip_interface("2001:db8::10/64"), nodad=True)
    assert a4.address == ipaddress.ip_interface("198.51.100.10/24") and a4.link == eth0.index
    assert a4.scope == Scope.UNIVERSE and a6.flags & AddressFlag.NODAD
    shown = ip_json(ns, "addr", "show", "eth0")[0]["addr_info"]
    seen = {(x["local"], x["prefixlen"], x.get("broadcast")) for x in shown if x["scope"] == "global"}
    assert seen == {("198.51.100.10", 24, "198.51.100.255"), ("2001:db8::10", 64, None)}  # brd + for IPv4
    assert {a.address for a in net.addresses(eth0) if a.scope == Scope.UNIVERSE} == {a4.address, a6.address}
    with pytest.raises(FileExistsError):
        net.add_address(eth0, "198.51.100.10/24")
    net.add_address(eth0, "198.51.100.10/24", replace=True)
    net.add_address(eth0, "203.0.113.7/32")  # no broadcast for a host prefix
    host = [x for x in ip_json(ns, "addr", "show", "eth0")[0]["addr_info"] if x["local"] == "203.0.113.7"]
    assert host and "broadcast" not in host[0]
    net.delete_address(eth0, "198.51.100.10/24")
    net.delete_address(eth0.index, "2001:db8::10/64")
    with pytest.raises(rtnl.NetlinkError) as e:
        net.delete_address(eth0, "198.51.100.10/24")
    assert e.value.errno == errno.EADDRNOTAVAIL
    left = {x["local"] for x in ip_json(ns, "addr", "show", "eth0")[0]["addr_info"] if x["scope"] == "global"}
    assert left == {"203.0.113.7"}


@pytest.mark.parametrize("iface", ["198.51.100.10/24", "2001:db8::10/64"])
def test_an_address_add_cut_short_after_the_kernel_took_it_is_removed(
        net: rtnl.Connection, ns: rtnl.Namespace, eth0: rtnl.Link, iface: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Most adds are sent at once (Connection.add_address without the operation's generators): one
    interrupted once its exchange went out (Ctrl-C) removes the address again, as the operation does;
    one the kernel refuses is named alike."""
    plain = net.sock.request_encoded

    def interrupted(change: bytes, then: bytes | None = None) -> object:
        plain(change, then)
        raise KeyboardInterrupt

    monkeypatch.setattr(net.sock, "request_encoded", interrupted)
    with pytest.raises(KeyboardInterrupt):
        net.add_address(eth0.index, iface, nodad=True)
    shown = ip_json(ns, "addr", "show", "eth0")[0]["addr_info"]
    assert [x["local"] for x in shown if x["scope"] == "global"] == []
    monkeypatch.setattr(net.sock, "request_encoded", plain)
    added = net.add_address(eth0.index, iface, nodad=True)
    assert [a for a in net.addresses(eth0) if a.address == added.address] == [added]
    with pytest.raises(FileExistsError) as refused:
        net.add_address(eth0.index, iface, nodad=True)
    assert refused.value.about == f"address {iface} on link index {eth0.index}"


@pytest.mark.parametrize(("bad", "error"), [("198.51.100.300/24", ValueError), (42, TypeError),
                                            ("not an address", ValueError)])
def test_address_validation(net: rtnl.Connection, eth0: rtnl.Link, bad: object,
                            error: type[Exception]) -> None:
    with pytest.raises(error):
        net.add_address(eth0, bad)  # type: ignore[arg-type]


def _ip_routes(ns: rtnl.Namespace, family: str) -> set[tuple[str, str | None, int | None]]:
    return {(r["dst"], r.get("gateway"), r.get("metric")) for r in ip_json(ns, family, "route", "show")
            if r.get("protocol", "boot") == "boot" and r["dst"] != "fe80::/64"}  # ip hides "proto boot"


def test_routes_v4(net: rtnl.Connection, ns: rtnl.Namespace, eth0: rtnl.Link) -> None:
    net.add_address(eth0, "198.51.100.10/24")
    net.add_route("default", gateway="198.51.100.1")
    net.add_route("203.0.113.0/24", link=eth0)  # on-link
    net.add_route("192.0.2.0/24", gateway="198.51.100.2", link="eth0", metric=50)
    assert _ip_routes(ns, "-4") == {("default", "198.51.100.1", None), ("203.0.113.0/24", None, None),
                                    ("192.0.2.0/24", "198.51.100.2", 50)}
    mine = {r.dst: r for r in net.routes() if r.protocol == 3}
    onlink = mine[ipaddress.ip_network("203.0.113.0/24")]
    assert onlink.scope == Scope.LINK and onlink.link == eth0.index and onlink.gateway is None
    assert mine[ipaddress.ip_network("0.0.0.0/0")].gateway == ipaddress.ip_address("198.51.100.1")
    with pytest.raises(FileExistsError):
        net.add_route("default", gateway="198.51.100.3")
    net.add_route("default", gateway="198.51.100.3", replace=True)
    assert ("default", "198.51.100.3", None) in _ip_routes(ns, "-4")
    net.delete_route("default")
    net.delete_route("203.0.113.0/24", link=eth0)
    net.delete_route("192.0.2.0/24", gateway="198.51.100.2", metric=50)
    assert _ip_routes(ns, "-4") == set()
    with pytest.raises(rtnl.NetlinkError) as e:
        net.delete_route("192.0.2.0/24")
    assert e.value.errno == errno.ESRCH


def test_routes_v6_and_tables(net: rtnl.Connection, ns: rtnl.Namespace, eth0: rtnl.Link) -> None:
    net.add_address(eth0, "2001:db8::10/64", nodad=True)
    net.add_route("default", gateway="2001:db8::1")
    net.add_route("2001:db8:1::/48", link=eth0, metric=10)
    assert _ip_routes(ns, "-6") == {("default", "2001:db8::1", 1024), ("2001:db8:1::/48", None, 10)}
    net.add_route("default", gateway="2001:db8::2", metric=1024, replace=True)
    assert ("default", "2001:db8::2", 1024) in _ip_routes(ns, "-6")
    net.add_route("198.51.100.0/24", link=eth0, table=1000)  # a table beyond 255 goes in RTA_TABLE
    assert [r.dst for r in net.routes(table=1000)] == [ipaddress.ip_network("198.51.100.0/24")]
    table = ip_json(ns, "route", "show", "table", "1000")
    assert [r["dst"] for r in table] == ["198.51.100.0/24"]
    net.delete_route("198.51.100.0/24", table=1000)
    net.delete_route("::/0", gateway="2001:db8::2")
    net.delete_route("2001:db8:1::/48")
    assert _ip_routes(ns, "-6") == set() and net.routes(table=1000) == []


@pytest.mark.parametrize(("args", "error"), [
    (("198.51.100.1/24",), ValueError),  # host bits set
    (("default",), ValueError),  # neither gateway nor link
    (("198.51.100.0/24",), ValueError),
    (("2001:db8::/64", "198.51.100.1"), ValueError),  # families differ
    ((12,), TypeError),
])
def test_route_validation(net: rtnl.Connection, args: tuple[Any, ...], error: type[Exception]) -> None:
    dst, *gateway = args
    with pytest.raises(error):
        net.add_route(dst, gateway=gateway[0] if gateway else None)
    with pytest.raises(ValueError):
        net.add_route("default", gateway="198.51.100.1", table=0)


def test_route_scope_override(net: rtnl.Connection, ns: rtnl.Namespace, eth0: rtnl.Link) -> None:
    """An on-link IPv4 route gets scope link like `ip route`, unless the caller asks (as CNI plugins do)."""
    net.add_route("203.0.113.0/24", link=eth0)
    net.add_route("192.0.2.0/24", link=eth0, scope=Scope.UNIVERSE)
    shown = {r["dst"]: r.get("scope", "global") for r in ip_json(ns, "-4", "route", "show")}
    assert shown["203.0.113.0/24"] == "link" and shown["192.0.2.0/24"] == "global"
    mine = {str(r.dst): r.scope for r in net.routes()}
    assert mine["203.0.113.0/24"] == Scope.LINK and mine["192.0.2.0/24"] == Scope.UNIVERSE
    with pytest.raises(ValueError, match="scope"):
        net.add_route("198.51.100.0/24", link=eth0, scope=300)


def test_route_mtu_and_advmss(net: rtnl.Connection, ns: rtnl.Namespace, eth0: rtnl.Link) -> None:
    """RTA_METRICS: what ``ip route ... mtu N advmss M`` sets, set by rtnl and read back by both."""
    net.add_address(eth0, "198.51.100.10/24")
    net.add_address(eth0, "2001:db8::10/64", nodad=True)
    net.add_route("203.0.113.0/24", gateway="198.51.100.1", mtu=1400, advmss=1360)
    net.add_route("192.0.2.0/24", gateway="198.51.100.1", mtu=1300)
    net.add_route("2001:db8:1::/64", link=eth0, mtu=1280, advmss=1220)
    net.add_route("2001:db8:2::/64", link=eth0)
    shown = {r["dst"]: r.get("metrics") for r in ip_json(ns, "-4", "route", "show")}
    shown.update({r["dst"]: r.get("metrics") for r in ip_json(ns, "-6", "route", "show")})
    assert shown["203.0.113.0/24"] == [{"mtu": 1400, "advmss": 1360}]
    assert shown["192.0.2.0/24"] == [{"mtu": 1300}]
    assert shown["2001:db8:1::/64"] == [{"mtu": 1280, "advmss": 1220}]
    assert shown["2001:db8:2::/64"] is None
    mine = {str(r.dst): (r.mtu, r.advmss) for r in net.routes()}
    assert mine["203.0.113.0/24"] == (1400, 1360) and mine["192.0.2.0/24"] == (1300, None)
    assert mine["2001:db8:1::/64"] == (1280, 1220) and mine["2001:db8:2::/64"] == (None, None)
    net.add_route("203.0.113.0/24", gateway="198.51.100.1", mtu=1450, replace=True)
    assert {str(r.dst): r.mtu for r in net.routes()}["203.0.113.0/24"] == 1450
    net.delete_route("203.0.113.0/24")  # a delete needs no metrics
    assert "203.0.113.0/24" not in {str(r.dst) for r in net.routes()}
    for bad, error in ((("mtu", 0), ValueError), (("advmss", 2**32), ValueError),
                       (("mtu", "1400"), TypeError), (("mtu", True), TypeError)):
        with pytest.raises(error):
            net.add_route("198.51.100.0/25", link=eth0, **dict([bad]))  # type: ignore[arg-type]
