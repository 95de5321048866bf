"""One throwaway copy of the note's network, built with rtnl's public API::

    switch ns:  br0 (198.51.100.1) -- port0 ==veth== ens33 (198.51.100.2)  :host ns, the "physical" NIC
                                                      |-- ens33.01 (.11)  -> own namespace ("child")
                                                      |-- ens33.02 (.12)  -> own namespace ("peer")
                                                      `-- shim    (.3/32) bridge-mode macvlan in the host

What lives here: :class:`Topology` (build, read back addresses and MACs, counters snapshot, teardown).
What it must not know: which probe runs in it, or how a result is explained or rendered.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any

from rtnl import Bridge, Connection, Macvlan, MacvlanMode, Namespace, NetlinkError, Veth, connect

from .dhcp import Helper, dhclient_argv, dnsmasq_argv, start_helper, wait_lease
from .model import ADDRESS, CHILD, MAC, PREFIX
from .stopgap import icmp_counters, link_counters, quiet

__all__ = ["Topology"]

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
