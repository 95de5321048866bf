"""Stopgaps: what the lab needs and rtnl's public API does not offer yet, built here from its parts.

What lives here: the route lookup (``ip route get``), sysctls, link counters (IFLA_STATS64) and the
ICMP counters of a namespace. Another change adds these to the public API (``Connection.route_get``,
``Namespace.sysctl``, ``Link.stats``); until then they live in this one module and nowhere else, so
that the switch is one file. The netlink requests are built with ``rtnl.codec``'s public names and
sent with the public ``Connection.request``/``dump``; sysctls and ``/proc/net/snmp`` are read by a
thread inside the namespace (``Namespace.run``). What it must not know: the lab's topology, roles or
reasons.
"""

from __future__ import annotations

import ipaddress
import socket

from rtnl import Connection, Namespace, NetlinkError, codec

__all__ = ["icmp_counters", "link_counters", "quiet", "route_get", "sysctl"]


def _proc(path: str) -> str:
    with open(path) as f:
        return f.read()


def _write(path: str, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def sysctl(ns: Namespace, key: str, value: str | None = None) -> str:
    """Read (or set) ``/proc/sys/KEY`` of ``ns``: a thread that entered ``ns`` sees its values."""
    path = "/proc/sys/" + key
    if value is not None:
        ns.run(_write, path, value)
    return ns.run(_proc, path).strip()


def quiet(ns: Namespace) -> None:
    """Silence a fresh namespace so that link counters count only the probes: no IPv6 (router and
    neighbour solicitations, MLD) and no IGMP reports for link-local groups (a bridge joins
    224.0.0.106 for multicast router discovery and announces it)."""
    sysctl(ns, "net/ipv6/conf/default/disable_ipv6", "1")
    sysctl(ns, "net/ipv6/conf/all/disable_ipv6", "1")
    sysctl(ns, "net/ipv4/igmp_link_local_mcast_reports", "0")


def icmp_counters(ns: Namespace) -> dict[str, int]:
    """The ``Icmp:`` line of ``ns``'s /proc/net/snmp (InEchos, OutEchoReps...)."""
    lines = [
        line.split()[1:]
        for line in ns.run(_proc, "/proc/thread-self/net/snmp").splitlines()
        if line.startswith("Icmp:")
    ]
    return dict(zip(lines[0], map(int, lines[1]), strict=True))


def link_counters(net: Connection) -> dict[str, tuple[int, int]]:
    """name -> (rx_packets, tx_packets) for every link, from IFLA_STATS64 (one dump)."""
    out = {}
    for m in net.dump(codec.Message(codec.RTM_GETLINK, header=codec.IfInfoMsg())):
        if m.type == codec.RTM_NEWLINK and m.attrs is not None:
            stats = m.attrs.get("IFLA_STATS64") or (0, 0)
            out[m.attrs.get("IFLA_IFNAME", "")] = (stats[0], stats[1])
    return out


def route_get(net: Connection, dst: str, *, oif: str | None = None) -> tuple[str, str]:
    """The kernel's routing decision for ``dst`` (``ip route get``): (type, output device)."""
    attrs = codec.RTA.build(RTA_DST=ipaddress.ip_address(dst))
    if oif is not None:
        attrs.append("RTA_OIF", net.index(oif))
    msg = codec.Message(
        codec.RTM_GETROUTE, header=codec.RtMsg(family=socket.AF_INET, dst_len=32), attrs=attrs
    )
    try:
        answer = next(m for m in net.request(msg) if m.type == codec.RTM_NEWROUTE)
    except NetlinkError as e:
        return f"error ({e.strerror})", "-"
    kind = {codec.RTN_UNICAST: "unicast", codec.RTN_LOCAL: "local"}.get(
        answer.header.type, str(answer.header.type)
    )
    assert answer.attrs is not None
    return kind, net.link(answer.attrs["RTA_OIF"]).name
