"""Issue 17 against iproute2: complete routes (multipath with weights, onlink, blackhole/unreachable/
prohibit/throw, prefsrc, protocol, IPv6 metrics and preference, every table) and addresses (peer,
lifetimes, noprefixroute, nodad), and their batches.

Reads: a namespace built with ``ip`` only is read by rtnl and by ``ip -j -d route show table all`` /
``ip -j addr``, field by field. Writes: each is made once with rtnl and once with ``ip`` in twin
namespaces, and what the kernel then reports of both is compared (as ``ip`` shows it, and as rtnl
reads it).
"""

from __future__ import annotations

import ipaddress
import json
import math
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import rtnl
from rtnl import Nexthop, RouteSpec, Veth

IP_SETUP = """
route add 192.0.2.0/24 nexthop via 198.51.100.1 dev eth0 weight 3 nexthop via 198.51.100.2 dev eth0
route add 203.0.113.0/24 via 192.0.2.77 dev eth0 onlink
route add 203.0.113.0/26 nexthop via 192.0.2.78 dev eth0 onlink nexthop via 198.51.100.3 dev eth0 weight 256
route add blackhole 192.0.2.0/26 table 100
route add unreachable 192.0.2.64/26 table 100 metric 5
route add prohibit 192.0.2.128/26 table 100
route add throw 192.0.2.192/26 table 100
route add 203.0.113.128/25 dev eth0 src 198.51.100.10 proto static table 1000
route add local 192.0.2.200 dev eth0 table 100
-6 route add 2001:db8:5::/64 via 2001:db8::1 dev eth0 mtu 1400 advmss 1300 hoplimit 10 pref high metric 10
-6 route add 2001:db8:6::/64 dev eth0 pref low
-6 route add 2001:db8:7::/64 nexthop via 2001:db8::1 dev eth0 weight 2 nexthop via 2001:db8::2 dev eth0
-6 route add blackhole 2001:db8:8::/48
-6 route add prohibit 2001:db8:9::/48 table 100
addr add 198.51.100.50 peer 198.51.100.51/32 dev eth0 valid_lft 3000 preferred_lft 1000 noprefixroute
addr add 198.51.100.60/24 dev eth0 noprefixroute
addr add 2001:db8::20/64 dev eth0 nodad noprefixroute valid_lft 6000 preferred_lft 6000
-6 addr add 2001:db8::30/128 peer 2001:db8::31 dev eth0 nodad
"""


def ip(ns: rtnl.Namespace, *args: str) -> Any:
    proc = ns.popen(["ip", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    assert proc.returncode == 0, f"ip {' '.join(args)}: {err}"
    return json.loads(out or "[]") if "-j" in args else out


def base(ns: rtnl.Namespace) -> rtnl.Connection:
    """What both twins start from: a veth (eth0 up) with an IPv4 and an IPv6 address."""
    net = rtnl.connect(ns)
    net.add(Veth("eth0", "wire0"))
    net.set("wire0", up=True)
    net.set("eth0", up=True)
    net.add_address("eth0", "198.51.100.10/24")
    net.add_address("eth0", "2001:db8::10/64", nodad=True)
    # its local route comes from the kernel's DAD work, a moment later (see settled): wait for it, so
    # that a test's "before" holds it
    local, deadline = ipaddress.ip_network("2001:db8::10/128"), time.monotonic() + 10
    while not any(r.dst == local for r in net.routes(table=255)):
        assert time.monotonic() < deadline, "no local route for 2001:db8::10 after 10 s"
        time.sleep(0.01)
    return net


Twin = tuple[rtnl.Namespace, rtnl.Connection]


@pytest.fixture
def twins() -> Iterator[tuple[Twin, Twin]]:
    with rtnl.Namespace.anonymous() as a, rtnl.Namespace.anonymous() as b, base(a) as net_a, base(b) as net_b:
        yield (a, net_a), (b, net_b)


@pytest.fixture(scope="module")
def built() -> Iterator[tuple[rtnl.Namespace, rtnl.Connection, float]]:
    """A namespace whose routes and addresses were all made by ``ip``; and when that was."""
    with rtnl.Namespace.anonymous() as ns, base(ns) as net:
        for line in IP_SETUP.strip().splitlines():
            ip(ns, *line.split())
        settled(lambda: their_routes(ns))
        yield ns, net, time.monotonic()


def settled(read: Callable[[], object], within: float = 10.0) -> None:
    """Wait until ``read()`` says the same twice 0.2 s apart: an IPv6 address's local route comes
    from the kernel's DAD work (even with nodad), a moment after ``ip addr add`` returns."""
    deadline, last = time.monotonic() + within, read()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = read()
        if now == last:
            return
        last = now
    raise AssertionError(f"still changing after {within} s")


# --- what ip shows, as rtnl values ---------------------------------------------------------------------

TABLES = {"main": 254, "local": 255, "default": 253}


def named(cls: Any, text: str | int) -> Any:
    return cls[text.upper()] if isinstance(text, str) and text.upper() in cls.__members__ else int(text)


def their_routes(ns: rtnl.Namespace) -> dict[tuple[Any, ...], dict[str, Any]]:
    index = {x["ifname"]: x["ifindex"] for x in ip(ns, "-j", "link", "show")}
    out = {}
    for r in ip(ns, "-j", "-d", "route", "show", "table", "all"):
        if r["dst"].startswith("fe80:"):  # made from each twin's random MAC
            continue
        metrics = r.get("metrics", [{}])[0]
        route = {
            "dst": ipaddress.ip_network(r["dst"]), "type": named(rtnl.RouteType, r["type"]),
            "table": TABLES.get(r["table"]) or int(r["table"]),
            "protocol": named(rtnl.RouteProtocol, r.get("protocol", "unspec")),
            "scope": named(rtnl.Scope, {"global": "universe"}.get(r["scope"], r["scope"])),
            "gateway": r.get("gateway") and ipaddress.ip_address(r["gateway"]),
            "link": index.get(r.get("dev")),
            "metric": r.get("metric"), "prefsrc": r.get("prefsrc") and ipaddress.ip_address(r["prefsrc"]),
            "onlink": "onlink" in r["flags"],
            "nexthops": tuple(Nexthop(ipaddress.ip_address(h["gateway"]), index[h["dev"]], h["weight"],
                                      "onlink" in h["flags"]) for h in r.get("nexthops", ())),
            "mtu": metrics.get("mtu"), "advmss": metrics.get("advmss"), "hoplimit": metrics.get("hoplimit"),
            "pref": r.get("pref") and rtnl.RoutePref[r["pref"].upper()],
        }
        out[route["dst"], route["table"], route["metric"]] = route
    return out


def our_routes(net: rtnl.Connection) -> dict[tuple[Any, ...], dict[str, Any]]:
    fields = ("dst", "type", "table", "protocol", "scope", "gateway", "link", "metric", "prefsrc", "onlink",
              "nexthops", "mtu", "advmss", "hoplimit", "pref")
    return {(r.dst, r.table, r.metric): {f: getattr(r, f) for f in fields}
            for r in net.routes(table=rtnl.ALL_TABLES) if not r.dst.network_address.is_link_local}


FLAGS = {"nodad": rtnl.AddressFlag.NODAD, "noprefixroute": rtnl.AddressFlag.NOPREFIXROUTE,
         "secondary": rtnl.AddressFlag.SECONDARY}
FOREVER = 2**32 - 1


def their_addresses(ns: rtnl.Namespace) -> dict[Any, dict[str, Any]]:
    out = {}
    for x in ip(ns, "-j", "addr", "show"):
        for a in x["addr_info"]:
            if a["scope"] == "link":
                continue
            flags = rtnl.AddressFlag(0)
            for key, flag in FLAGS.items():
                if a.get(key):
                    flags |= flag
            if not a.get("dynamic"):
                flags |= rtnl.AddressFlag.PERMANENT
            iface = ipaddress.ip_interface(f"{a['local']}/{a['prefixlen']}")
            out[x["ifindex"], iface] = {
                "peer": a.get("address") and ipaddress.ip_address(a["address"]), "flags": flags,
                "valid_lft": None if a["valid_life_time"] == FOREVER else a["valid_life_time"],
                "preferred_lft": None if a["preferred_life_time"] == FOREVER else a["preferred_life_time"]}
    return out


def our_addresses(net: rtnl.Connection) -> dict[Any, dict[str, Any]]:
    shown = rtnl.AddressFlag.PERMANENT | rtnl.AddressFlag(sum(FLAGS.values()))
    return {(a.link, a.address): {"peer": a.peer, "flags": a.flags & shown, "valid_lft": a.valid_lft,
                                  "preferred_lft": a.preferred_lft}
            for a in net.addresses() if a.scope != rtnl.Scope.LINK}


def same_but_lifetimes(ours: dict[Any, dict[str, Any]], theirs: dict[Any, dict[str, Any]],
                       slack: int) -> None:
    """Equal, a lifetime allowed to have run down by up to ``slack`` seconds (the reads are apart)."""
    assert ours.keys() == theirs.keys()
    for key, mine in ours.items():
        other = theirs[key]
        for f in ("valid_lft", "preferred_lft"):
            a, b = mine.pop(f), other.pop(f)
            assert (a is None) == (b is None), (key, f)
            if a is not None:
                assert abs(a - b) <= slack, (key, f, a, b)
        assert mine == other, key


# --- reads ----------------------------------------------------------------------------------------------


def test_every_table_read_field_by_field(built: tuple[rtnl.Namespace, rtnl.Connection, float]) -> None:
    ns, net, _ = built
    ours, theirs = our_routes(net), their_routes(ns)
    assert ours == theirs
    kinds = {r["type"] for r in ours.values()}
    assert kinds >= {rtnl.RouteType.UNICAST, rtnl.RouteType.LOCAL, rtnl.RouteType.BLACKHOLE,
                     rtnl.RouteType.UNREACHABLE, rtnl.RouteType.PROHIBIT, rtnl.RouteType.THROW}
    assert {r["table"] for r in ours.values()} == {100, 254, 255, 1000}
    weights = sorted(h.weight for r in ours.values() for h in r["nexthops"])
    assert weights == [1, 1, 1, 2, 3, 256]  # the multipath routes were read, hop by hop
    assert any(r["onlink"] for r in ours.values())
    assert any(h.onlink for r in ours.values() for h in r["nexthops"])
    assert {r["pref"] for r in ours.values()} >= set(rtnl.RoutePref)
    assert any(r["hoplimit"] == 10 and r["advmss"] == 1300 and r["mtu"] == 1400 for r in ours.values())
    main_only = {(r.dst, r.table, r.metric) for r in net.routes() if not r.dst.network_address.is_link_local}
    assert main_only == {k for k, r in theirs.items() if r["table"] == 254}


def test_addresses_read_field_by_field(built: tuple[rtnl.Namespace, rtnl.Connection, float]) -> None:
    ns, net, _ = built
    start = time.monotonic()
    ours = our_addresses(net)
    theirs = their_addresses(ns)
    peers = {k[1]: v["peer"] for k, v in ours.items() if v["peer"]}
    assert peers == {ipaddress.ip_interface("198.51.100.50/32"): ipaddress.ip_address("198.51.100.51"),
                     ipaddress.ip_interface("2001:db8::30/128"): ipaddress.ip_address("2001:db8::31")}
    assert sum(v["valid_lft"] is not None for v in ours.values()) == 2
    same_but_lifetimes(ours, theirs, math.ceil(time.monotonic() - start) + 1)


# --- writes, in twin namespaces ---------------------------------------------------------------------------


def compare_twins(a: Twin, b: Twin, started: float) -> None:
    """What the kernel reports of both twins, as ip shows it and as rtnl reads it, is the same."""
    slack = math.ceil(time.monotonic() - started) + 1
    assert their_routes(a[0]) == their_routes(b[0])
    assert our_routes(a[1]) == our_routes(b[1])
    same_but_lifetimes(their_addresses(a[0]), their_addresses(b[0]), slack)
    same_but_lifetimes(our_addresses(a[1]), our_addresses(b[1]), slack)


WRITES: list[tuple[str, Callable[[rtnl.Connection], object], list[str]]] = [
    ("multipath weights", lambda net: net.add_route("192.0.2.0/24", nexthops=[
        Nexthop("198.51.100.1", "eth0", weight=3), Nexthop("198.51.100.2", "eth0")]),
     ["route add 192.0.2.0/24 nexthop via 198.51.100.1 dev eth0 weight 3 nexthop via 198.51.100.2 dev eth0"]),
    ("ipv6 multipath", lambda net: net.add_route("2001:db8:7::/64", nexthops=[
        Nexthop("2001:db8::1", "eth0", weight=2), Nexthop("2001:db8::2", "eth0", weight=256)]),
     ["-6 route add 2001:db8:7::/64 nexthop via 2001:db8::1 dev eth0 weight 2 "
      "nexthop via 2001:db8::2 dev eth0 weight 256"]),
    ("onlink", lambda net: net.add_route("203.0.113.0/24", gateway="192.0.2.77", link="eth0", onlink=True),
     ["route add 203.0.113.0/24 via 192.0.2.77 dev eth0 onlink"]),
    ("onlink hops", lambda net: net.add_route("203.0.113.0/24", onlink=True, nexthops=[
        Nexthop("192.0.2.1", "eth0"), Nexthop("192.0.2.2", "eth0", weight=5)]),
     ["route add 203.0.113.0/24 nexthop via 192.0.2.1 dev eth0 onlink nexthop via 192.0.2.2 dev eth0 "
      "weight 5 onlink"]),
    ("types", lambda net: [net.add_route(dst, type=t, table=100) for dst, t in (
        ("192.0.2.0/26", "blackhole"), ("192.0.2.64/26", rtnl.RouteType.UNREACHABLE),
        ("192.0.2.128/26", "prohibit"), ("192.0.2.192/26", "throw"), ("2001:db8:8::/48", "blackhole"),
        ("2001:db8:9::/48", "unreachable"), ("2001:db8:a::/48", "prohibit"), ("2001:db8:b::/48", "throw"))],
     ["route add blackhole 192.0.2.0/26 table 100", "route add unreachable 192.0.2.64/26 table 100",
      "route add prohibit 192.0.2.128/26 table 100", "route add throw 192.0.2.192/26 table 100",
      "-6 route add blackhole 2001:db8:8::/48 table 100",
      "-6 route add unreachable 2001:db8:9::/48 table 100",
      "-6 route add prohibit 2001:db8:a::/48 table 100", "-6 route add throw 2001:db8:b::/48 table 100"]),
    ("local", lambda net: net.add_route("192.0.2.200/32", type="local", link="eth0", table=100),
     ["route add local 192.0.2.200 dev eth0 table 100"]),
    ("prefsrc and protocol", lambda net: net.add_route("203.0.113.128/25", link="eth0",
                                                       prefsrc="198.51.100.10", protocol="static",
                                                       table=1000),
     ["route add 203.0.113.128/25 dev eth0 src 198.51.100.10 proto static table 1000"]),
    ("ipv6 metrics and pref", lambda net: [
        net.add_route("2001:db8:5::/64", gateway="2001:db8::1", link="eth0", mtu=1400, advmss=1300,
                      hoplimit=10, pref="high", metric=10),
        net.add_route("2001:db8:6::/64", link="eth0", pref=rtnl.RoutePref.LOW)],
     ["-6 route add 2001:db8:5::/64 via 2001:db8::1 dev eth0 mtu 1400 advmss 1300 hoplimit 10 pref high "
      "metric 10", "-6 route add 2001:db8:6::/64 dev eth0 pref low"]),
    ("address peer, lifetimes, noprefixroute", lambda net: net.add_address(
        "eth0", "198.51.100.50/32", peer="198.51.100.51", valid_lft=3000, preferred_lft=1000,
        noprefixroute=True),
     ["addr add 198.51.100.50 peer 198.51.100.51/32 dev eth0 valid_lft 3000 preferred_lft 1000 "
      "noprefixroute"]),
    ("ipv6 address nodad, noprefixroute, lifetimes", lambda net: [
        net.add_address("eth0", "2001:db8::20/64", nodad=True, noprefixroute=True, valid_lft=6000),
        net.add_address("eth0", "2001:db8::30/128", peer="2001:db8::31", nodad=True)],
     ["addr add 2001:db8::20/64 dev eth0 nodad noprefixroute valid_lft 6000 preferred_lft 6000",
      "-6 addr add 2001:db8::30/128 peer 2001:db8::31 dev eth0 nodad"]),
    ("address batch", lambda net: net.add_addresses([("eth0", "198.51.100.70/24"),
                                                     ("eth0", "2001:db8::70/64"),
                                                     ("wire0", "203.0.113.1/24")]),
     ["addr add 198.51.100.70/24 dev eth0", "addr add 2001:db8::70/64 dev eth0",
      "addr add 203.0.113.1/24 dev wire0 brd +"]),
    ("route batch", lambda net: net.add_routes([
        RouteSpec("192.0.2.0/25", gateway="198.51.100.1"), RouteSpec("192.0.2.128/25", type="blackhole"),
        RouteSpec("2001:db8:c::/48", nexthops=[Nexthop("2001:db8::1", "eth0"),
                                               Nexthop("2001:db8::2", "eth0")]),
        RouteSpec("203.0.113.0/24", gateway="192.0.2.9", link="eth0", onlink=True, table=7)]),
     ["route add 192.0.2.0/25 via 198.51.100.1", "route add blackhole 192.0.2.128/25",
      "-6 route add 2001:db8:c::/48 nexthop via 2001:db8::1 dev eth0 nexthop via 2001:db8::2 dev eth0",
      "route add 203.0.113.0/24 via 192.0.2.9 dev eth0 onlink table 7"]),
]


@pytest.mark.parametrize(("what", "ours", "theirs"), WRITES, ids=[w[0] for w in WRITES])
def test_writes_match_iproute2(twins: tuple[Twin, Twin], what: str, ours: Callable[[rtnl.Connection], object],
                               theirs: list[str]) -> None:
    a, b = twins
    started = time.monotonic()
    before = their_routes(a[0]), their_addresses(a[0])
    ours(a[1])
    for line in theirs:
        ip(b[0], *line.split())
    assert (their_routes(a[0]), their_addresses(a[0])) != before, what  # the write did something
    compare_twins(a, b, started)


def test_deletes_match_iproute2(twins: tuple[Twin, Twin]) -> None:
    a, b = twins
    started = time.monotonic()
    for _, net in twins:
        net.add_route("192.0.2.0/24", nexthops=[Nexthop("198.51.100.1", "eth0", weight=3),
                                                Nexthop("198.51.100.2", "eth0")])
        net.add_route("192.0.2.0/26", type="blackhole", table=100)
        net.add_route("2001:db8:8::/48", type="prohibit")
        net.add_route("203.0.113.0/24", gateway="192.0.2.77", link="eth0", onlink=True)
        net.add_address("eth0", "198.51.100.50/32", peer="198.51.100.51")
    a[1].delete_route("192.0.2.0/24")
    a[1].delete_route("192.0.2.0/26", type="blackhole", table=100)
    a[1].delete_route("2001:db8:8::/48", type=rtnl.RouteType.PROHIBIT)
    a[1].delete_route("203.0.113.0/24", gateway="192.0.2.77", link="eth0")
    a[1].delete_address("eth0", "198.51.100.50/32", peer="198.51.100.51")
    for line in ("route del 192.0.2.0/24", "route del blackhole 192.0.2.0/26 table 100",
                 "-6 route del prohibit 2001:db8:8::/48", "route del 203.0.113.0/24 via 192.0.2.77 dev eth0",
                 "addr del 198.51.100.50 peer 198.51.100.51/32 dev eth0"):
        ip(b[0], *line.split())
    compare_twins(a, b, started)
    assert not [r for r in our_routes(a[1]).values() if r["type"] != rtnl.RouteType.UNICAST
                and r["table"] != 255]


# --- batches are all or nothing ---------------------------------------------------------------------------


def test_route_batch_failure_leaves_nothing(twins: tuple[Twin, Twin]) -> None:
    (ns, net), _ = twins
    net.add_route("192.0.2.128/25", gateway="198.51.100.1")  # there before: must stay
    before = our_routes(net)
    with pytest.raises(FileExistsError, match=r"192\.0\.2\.128/25"):
        net.add_routes([RouteSpec("192.0.2.0/25", type="blackhole"), RouteSpec("203.0.113.0/24", link="eth0"),
                        RouteSpec("192.0.2.128/25", gateway="198.51.100.2"),
                        RouteSpec("2001:db8:c::/48", link="eth0")])
    assert our_routes(net) == before and their_routes(ns) == before


def test_address_batch_failure_leaves_nothing(twins: tuple[Twin, Twin]) -> None:
    (ns, net), _ = twins
    before = our_addresses(net)
    with pytest.raises(rtnl.NetlinkError) as e:
        net.add_addresses([("eth0", "198.51.100.70/24"), ("wire0", "2001:db8::70/64"),
                           ("eth0", "198.51.100.70/24")])  # the same one twice: the kernel says EEXIST
    assert e.value.errno == 17 and "198.51.100.70/24" in str(e.value)
    assert our_addresses(net) == before and their_addresses(ns) == before


def test_address_batch_returns_the_addresses(twins: tuple[Twin, Twin]) -> None:
    (_, net), _ = twins
    added = net.add_addresses([("eth0", "198.51.100.70/24"), (net.index("wire0"), "2001:db8::70/64")])
    assert [(a.link, str(a.address)) for a in added] == [(net.index("eth0"), "198.51.100.70/24"),
                                                          (net.index("wire0"), "2001:db8::70/64")]
    assert set(added) <= set(net.addresses())
