"""Issue 17's reads and writes against iproute2 on live namespaces: ``route_get`` against
``ip -j route get`` (with from/iif/oif/mark), ``Link.stats`` against ``ip -j -s link``, a
:class:`~rtnl.Vxlan` made by rtnl and by ``ip link add ... type vxlan`` in twin namespaces, and
``Namespace.sysctl``/``set_sysctl`` against ``sysctl`` run inside the namespace.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

import rtnl
from rtnl import LinkStats, Namespace, Vxlan, VxlanInfo

SETUP = """
link add ens33 type veth peer name wire
link add eth1 type veth peer name eth1p
link set lo up
link set ens33 up
link set wire up
link set eth1 up
link set eth1p up
addr add 198.51.100.2/24 dev ens33
addr add 203.0.113.2/24 dev eth1
addr add 2001:db8::2/64 dev ens33 nodad
route add 192.0.2.0/24 via 198.51.100.1
route add 192.0.2.64/26 via 203.0.113.1 table 100
rule add fwmark 7 table 100
"""


def ip(ns: Namespace, *args: str) -> Any:
    proc = ns.popen(["ip", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    assert proc.returncode == 0, f"ip {' '.join(args)}: {err}"
    return json.loads(out) if "-j" in args else out


@pytest.fixture(scope="module")
def lab() -> Iterator[tuple[Namespace, rtnl.Connection]]:
    with Namespace.anonymous() as ns:
        ns.set_sysctl("net.ipv4.conf.all.forwarding", "1")  # so that an `iif` lookup can forward
        for line in SETUP.strip().splitlines():
            ip(ns, *line.split())
        with rtnl.connect(ns) as net:
            yield ns, net


# --- route get ---------------------------------------------------------------------------------------

TYPES = {1: "unicast", 2: "local", 3: "broadcast"}
LOOKUPS = [  # (rtnl's keyword arguments, ip route get's words)
    ({"dst": "192.0.2.9"}, ["192.0.2.9"]),
    ({"dst": "198.51.100.7"}, ["198.51.100.7"]),
    ({"dst": "198.51.100.2"}, ["198.51.100.2"]),  # local: via lo
    ({"dst": "2001:db8::7"}, ["2001:db8::7"]),
    ({"dst": "192.0.2.70", "mark": 7}, ["192.0.2.70", "mark", "7"]),  # the rule: table 100
    ({"dst": "192.0.2.70"}, ["192.0.2.70"]),  # without the mark: main
    ({"dst": "192.0.2.9", "src": "203.0.113.2"}, ["192.0.2.9", "from", "203.0.113.2"]),
    ({"dst": "203.0.113.9", "oif": "ens33"}, ["203.0.113.9", "oif", "ens33"]),
    ({"dst": "192.0.2.9", "src": "203.0.113.9", "iif": "eth1"},
     ["192.0.2.9", "from", "203.0.113.9", "iif", "eth1"]),
]


@pytest.mark.parametrize(("kwargs", "words"), LOOKUPS, ids=[" ".join(words) for _, words in LOOKUPS])
def test_route_get_matches_ip_route_get(lab: tuple[Namespace, rtnl.Connection], kwargs: dict[str, Any],
                                        words: list[str]) -> None:
    ns, net = lab
    [theirs] = ip(ns, "-j", "route", "get", *words)
    dst = kwargs.pop("dst")
    ours = net.route_get(dst, **kwargs)
    names = {link.index: link.name for link in net.links()}
    assert ours.dst == ipaddress.ip_network(theirs["dst"])
    assert names[ours.link] == theirs["dev"]
    assert (str(ours.gateway) if ours.gateway else None) == theirs.get("gateway")
    assert (str(ours.prefsrc) if ours.prefsrc else None) == theirs.get("prefsrc")
    assert TYPES[int(ours.type)] == theirs.get("type", "unicast")
    table = theirs.get("table")  # ip leaves main out, and a lookup that matched no table (oif only)
    wanted = (0, 254) if table is None else ({"local": 255}.get(table) or int(table),)
    assert ours.table in wanted


def test_route_get_gateway_matches(lab: tuple[Namespace, rtnl.Connection]) -> None:
    ns, net = lab
    [theirs] = ip(ns, "-j", "route", "get", "192.0.2.9")
    assert str(net.route_get("192.0.2.9").gateway) == theirs["gateway"] == "198.51.100.1"
    [theirs] = ip(ns, "-j", "route", "get", "192.0.2.70", "mark", "7")
    assert str(net.route_get("192.0.2.70", mark=7).gateway) == theirs["gateway"] == "203.0.113.1"


def test_route_get_no_route_is_the_kernels_error(lab: tuple[Namespace, rtnl.Connection]) -> None:
    ns, net = lab
    proc = ns.popen(["ip", "route", "get", "2001:db9::1"], stderr=subprocess.PIPE, text=True)
    assert proc.wait() != 0 and "unreachable" in proc.communicate()[1].lower()
    with pytest.raises(rtnl.NetlinkError) as caught:
        net.route_get("2001:db9::1")
    assert caught.value.errno is not None


# --- counters --------------------------------------------------------------------------------------

STATS_KEYS = {  # ip -j -s link's names -> LinkStats fields
    "rx": {"bytes": "rx_bytes", "packets": "rx_packets", "errors": "rx_errors", "dropped": "rx_dropped",
           "over_errors": "rx_over_errors", "multicast": "multicast"},
    "tx": {"bytes": "tx_bytes", "packets": "tx_packets", "errors": "tx_errors", "dropped": "tx_dropped",
           "carrier_errors": "tx_carrier_errors", "collisions": "collisions"},
}


def broadcast(ns: Namespace, count: int) -> None:
    """``count`` datagrams out of ens33 (to its subnet's broadcast address: no ARP to wait for)."""
    with ns.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        for _ in range(count):
            sock.sendto(b"x" * 100, ("198.51.100.255", 9))


def test_stats_match_ip_s_link(lab: tuple[Namespace, rtnl.Connection]) -> None:
    ns, net = lab
    broadcast(ns, 3)  # some traffic, so that the counters are not all 0
    # counters only grow, and a link may send meanwhile (IPv6 router solicitations...): ip's read
    # must lie between two of ours, counter by counter
    ours = {link.name: link.stats for link in net.links()}
    theirs = {link["ifname"]: link["stats64"] for link in ip(ns, "-j", "-s", "link")}
    later = {link.name: link.stats for link in net.links()}
    assert ours.keys() == theirs.keys() == later.keys()
    assert ours["ens33"] is not None and ours["ens33"].tx_packets >= 3  # (ARP and the datagrams)
    for name, stats in ours.items():
        assert isinstance(stats, LinkStats)
        for way, keys in STATS_KEYS.items():
            for key, field in keys.items():
                assert getattr(stats, field) <= theirs[name][way][key] <= getattr(later[name], field), (
                    name, way, key)


def test_counters_are_no_part_of_a_links_value(lab: tuple[Namespace, rtnl.Connection]) -> None:
    ns, net = lab
    before = net.link("ens33")
    broadcast(ns, 1)
    after = net.link("ens33")
    assert before.stats is not None and after.stats is not None
    assert after.stats.tx_packets > before.stats.tx_packets and after == before


# --- vxlan: the same device from rtnl and from ip, compared ----------------------------------------

VXLANS = [  # (the spec's arguments, ip link add's words)
    ({"vni": 42, "parent": "ens33", "local": "198.51.100.2", "remote": "198.51.100.3"},
     ["id", "42", "dev", "ens33", "local", "198.51.100.2", "remote", "198.51.100.3", "dstport", "4789"]),
    ({"vni": 7, "parent": "ens33", "group": "239.1.1.1", "port": 8472, "ttl": 16, "learning": False},
     ["id", "7", "dev", "ens33", "group", "239.1.1.1", "dstport", "8472", "ttl", "16", "nolearning"]),
    ({"vni": 16777215, "local": "2001:db8::2", "remote": "2001:db8::3"},
     ["id", "16777215", "local", "2001:db8::2", "remote", "2001:db8::3", "dstport", "4789"]),
]


def _comparable(link: dict[str, Any]) -> dict[str, Any]:
    for key in ("ifindex", "address", "broadcast", "link_index"):  # differ by nature between twins
        link.pop(key, None)
    return link


@pytest.mark.parametrize(("kwargs", "words"), VXLANS, ids=["unicast", "multicast", "ipv6"])
def test_vxlan_made_by_rtnl_and_by_ip_are_alike(kwargs: dict[str, Any], words: list[str]) -> None:
    with Namespace.anonymous() as ours_ns, Namespace.anonymous() as theirs_ns:
        for ns in (ours_ns, theirs_ns):
            ip(ns, "link", "add", "ens33", "type", "veth", "peer", "name", "wire")
            ip(ns, "addr", "add", "2001:db8::2/64", "dev", "ens33", "nodad")
        with rtnl.connect(ours_ns) as net:
            made = net.add(Vxlan("vx0", **kwargs))
        ip(theirs_ns, "link", "add", "vx0", "type", "vxlan", *words)
        ours, theirs = (ip(ns, "-d", "-j", "link", "show", "vx0")[0] for ns in (ours_ns, theirs_ns))
        assert _comparable(ours) == _comparable(theirs)
        info = made.info
        assert isinstance(info, VxlanInfo)
        data = theirs["linkinfo"]["info_data"]
        assert info.vni == data["id"] == kwargs["vni"]
        assert info.port == data["port"] and info.learning == data["learning"]
        for field in ("remote", "group", "local"):  # ip names IPv6 ones remote6...
            value = getattr(info, field)
            assert (str(value) if value else None) == data.get(field, data.get(field + "6")), field
        assert info.ttl == data.get("ttl", 0) and info.ageing == data["ageing"]
        assert (info.parent is not None) == ("link" in data)


# --- sysctls ----------------------------------------------------------------------------------------


def sysctl_inside(ns: Namespace, key: str) -> str:
    """What ``ip netns exec NS sysctl -n KEY`` prints."""
    proc = ns.popen(["sysctl", "-n", key], stdout=subprocess.PIPE, text=True)
    return proc.communicate()[0].rstrip("\n")


def test_sysctl_reads_and_writes_inside_the_namespace_only() -> None:
    with Namespace.anonymous() as ns, rtnl.connect(ns) as net, Namespace.current() as here:
        net.add(rtnl.Veth("ens33.01", "wire"))
        key = "net.ipv4.conf.ens33/01.accept_local"  # sysctl(8)'s way to write ens33.01
        host = {k: here.sysctl(k) for k in ("net.ipv4.ip_forward", "net.ipv4.conf.default.rp_filter")}
        assert ns.sysctl(key) == sysctl_inside(ns, key) == "0"
        ns.set_sysctl(key, 1)
        assert ns.sysctl(key) == sysctl_inside(ns, key) == "1"
        for k, value in host.items():
            wanted = "0" if value != "0" else "1"
            ns.set_sysctl(k, wanted)
            assert ns.sysctl(k) == sysctl_inside(ns, k) == wanted
            assert here.sysctl(k) == value  # the caller's namespace is untouched
        range_key = "net.ipv4.ip_local_port_range"
        ns.set_sysctl(range_key, "20000 30000")
        assert ns.sysctl(range_key) == sysctl_inside(ns, range_key) == "20000\t30000"
        with pytest.raises(FileNotFoundError):
            ns.sysctl("net.ipv4.conf.nosuchlink.accept_local")
        with pytest.raises(OSError):
            ns.set_sysctl("net.ipv4.ip_forward", "not a number")
