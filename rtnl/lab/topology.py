"""One throwaway copy of the note's network, built with rtnl's public API::

    switch ns:  br0 (198.51.100.1) -- port0 ==veth== ens33 (198.51.100.2)  :host ns, the "physical" NIC
                                                      |-- ens33.01 (.11)  -> own namespace ("child")
                                                      |-- ens33.02 (.12)  -> own namespace ("peer")
                                                      `-- shim    (.3/32) bridge-mode macvlan in the host

What lives here: :class:`Topology` (build, read back addresses and MACs, counters snapshot, teardown)
and the readings the lab takes of a namespace through rtnl's public calls (:func:`route_get`,
:func:`link_counters`, :func:`icmp_counters`, :func:`quiet`). What it must not know: which probe runs
in it, or how a result is explained or rendered.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any

from rtnl import Bridge, Connection, Macvlan, MacvlanMode, Namespace, NetlinkError, Veth, connect

from .dhcp import Helper, dhclient_argv, dnsmasq_argv, start_helper, wait_lease
from .model import ADDRESS, CHILD, MAC, PREFIX

__all__ = ["Topology", "icmp_counters", "link_counters", "quiet", "route_get"]

_ROUTE_TYPES = {1: "unicast", 2: "local"}  # RTN_* (linux/rtnetlink.h), as the lab words them


def quiet(ns: Namespace) -> None:
    """Silence a fresh namespace so that link counters count only the probes: no IPv6 (router and
    neighbour solicitations, MLD) and no IGMP reports for link-local groups (a bridge joins
    224.0.0.106 for multicast router discovery and announces it)."""
    for key in ("net.ipv6.conf.default.disable_ipv6", "net.ipv6.conf.all.disable_ipv6"):
        ns.set_sysctl(key, "1")
    ns.set_sysctl("net.ipv4.igmp_link_local_mcast_reports", "0")


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


def icmp_counters(ns: Namespace) -> dict[str, int]:
    """The ``Icmp:`` line of ``ns``'s /proc/net/snmp (InEchos, OutEchoReps...)."""
    lines = [line.split()[1:] for line in ns.run(_read, "/proc/thread-self/net/snmp").splitlines()
             if line.startswith("Icmp:")]
    return dict(zip(lines[0], map(int, lines[1]), strict=True))


def link_counters(net: Connection) -> dict[str, tuple[int, int]]:
    """name -> (rx_packets, tx_packets) for every link (one dump)."""
    return {link.name: (link.stats.rx_packets, link.stats.tx_packets) if link.stats else (0, 0)
            for link in net.links()}


def route_get(net: Connection, dst: str, *, oif: str | None = None) -> tuple[str, str]:
    """The kernel's routing decision for ``dst`` (``ip route get``): (type, output device)."""
    try:
        route = net.route_get(dst, oif=oif)
    except NetlinkError as e:
        return f"error ({e.strerror})", "-"
    kind = _ROUTE_TYPES.get(int(route.type), str(int(route.type)))
    return kind, net.link(route.link).name if route.link is not None else "-"

stop = threading.Event()  # set on Ctrl-C: builds and DHCP waits give up early


class Topology:
    """The note's network in anonymous namespaces, torn down by :meth:`close` (or by process exit).

    ``roles`` are ``switch``, ``host``, ``child`` and, if asked, ``peer``. ``refused`` maps a role
    (``peer``, ``shim``) to the kernel's answer when it refused to create that link (a second
    passthru child). ``address`` maps each target to its IPv4 address (read back after DHCP),
    ``mac`` each one present to its MAC as read back, ``helpers`` lists the DHCP programs running::

        with Topology(MacvlanMode.VEPA, hairpin=True, peer=True) as t:
            rtt, _ = ping(t.ns["child"], t.address["peer"])
    """

    def __init__(
        self,
        mode: MacvlanMode,
        hairpin: bool,
        *,
        peer: bool = False,
        shim: bool = False,
        dhcp: bool = False,
        tmp: str | None = None,
    ) -> None:
        self.mode, self.hairpin = mode, hairpin
        self.stack = contextlib.ExitStack()
        self.ns: dict[str, Namespace] = {}
        self.net: dict[str, Connection] = {}
        self.refused: dict[str, NetlinkError] = {}
        self.address = dict(ADDRESS)
        self.mac: dict[str, str] = {}
        self.helpers: list[Helper] = []
        if dhcp and tmp is None:
            raise ValueError("dhcp needs a directory for the DHCP programs' files (tmp=)")
        try:
            self._build(peer, shim, tmp if dhcp else None)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Topology:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Kill the DHCP programs, close every socket and namespace: the kernel frees the rest."""
        self.stack.close()

    def _space(self, role: str) -> Connection:
        ns = self.ns[role] = self.stack.enter_context(Namespace.anonymous())
        quiet(ns)
        net = self.net[role] = self.stack.enter_context(connect(ns))
        return net

    def _build(self, peer: bool, shim: bool, tmp: str | None) -> None:
        children = ["child", "peer"] if peer else ["child"]
        sw, host = self._space("switch"), self._space("host")
        for role in children:
            self._space(role)
        # the switch: a bridge whose one port leads to the host's "physical" NIC ens33
        sw.add(Bridge("br0"))
        sw.add(Veth("port0", "ens33", peer_namespace=self.ns["host"]))
        sw.set("port0", master="br0", up=True)
        sw.set_bridge_port("port0", hairpin=self.hairpin)
        sw.set("br0", up=True)
        sw.add_address("br0", f"{ADDRESS['switch']}/{PREFIX}")
        host.set("ens33", up=True)
        host.add_address("ens33", f"{ADDRESS['parent']}/{PREFIX}")
        self.mac["switch"] = str(sw.link("br0").address)
        self.mac["parent"] = str(host.link("ens33").address)
        if tmp is not None:
            argv = dnsmasq_argv(tmp, "br0", ADDRESS["switch"], "198.51.100.100", "198.51.100.199")
            self.helpers.append(
                start_helper(self.stack, self.ns["switch"], "dnsmasq (the DHCP server on the switch)",
                             argv, f"{tmp}/dnsmasq.log")
            )
        # the children, made like the note: `ip link add link ens33 name ens33.01 type macvlan mode M`,
        # then `ip link set ens33.01 netns ns1`
        for role in children:
            other = "peer" if role == "child" else "child"
            spec = Macvlan(
                CHILD[role],
                parent="ens33",
                mode=self.mode,
                address=None if self.mode == MacvlanMode.PASSTHRU else MAC[role],
                # source mode: take frames from the switch and from the other child (see explain())
                source_macs=(self.mac["switch"], MAC[other]) if self.mode == MacvlanMode.SOURCE else (),
            )
            try:
                host.add(spec)
            except NetlinkError as e:
                self.refused[role] = e
                continue
            host.move(spec.name, self.ns[role])
            net = self.net[role]
            link = net.set(spec.name, up=True)
            self.mac[role] = str(link.address)
            if tmp is not None:
                client = start_helper(self.stack, self.ns[role], f"dhclient (DHCP client on {spec.name})",
                                      dhclient_argv(tmp, spec.name), f"{tmp}/dhclient-{spec.name}.log")
                self.helpers.append(client)
                self.address[role] = wait_lease(net, spec.name, tmp, [self.helpers[0], client], stop=stop)
            else:
                net.add_address(spec.name, f"{ADDRESS[role]}/{PREFIX}")
        if shim:  # the well-known fix: a bridge-mode macvlan for the host itself, routes to the children
            try:
                host.add(Macvlan("shim", parent="ens33", mode=MacvlanMode.BRIDGE))
            except NetlinkError as e:
                self.refused["shim"] = e
                return
            host.set("shim", up=True)
            host.add_address("shim", f"{ADDRESS['shim']}/32")
            host.add_route(f"{self.address['child']}/32", link="shim")
            self.mac["shim"] = str(host.link("shim").address)

    def snapshot(self) -> dict[str, Any]:
        """Link and ICMP counters of every namespace, keyed ``role:link`` and ``role:InEchos``..."""
        out: dict[str, Any] = {}
        for role, net in self.net.items():
            for name, pair in link_counters(net).items():
                out[f"{role}:{name}"] = pair
            for key, count in icmp_counters(self.ns[role]).items():
                out[f"{role}:{key}"] = count
        return out


def cell_directory(root: str, index: int) -> str:
    """A fresh directory for one cell's DHCP files under ``root``."""
    path = os.path.join(root, str(index))
    os.mkdir(path)
    return path
