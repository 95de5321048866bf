"""The seed lab: the macvlan experiments of the study note, rebuilt live and measured.

``python -m rtnl.lab`` builds the note's network in throwaway namespaces, for every macvlan mode and
with the "switch" hairpinning or not, sends real ICMP echoes and prints who reaches whom::

    switch ns:  br0 (198.51.100.1) -- port0 ==veth== ens33 (198.51.100.2)  :host ns, the "physical" NIC
                                                      |-- ens33.01 (.11)  -> own namespace ("child")
                                                      |-- ens33.02 (.12)  -> own namespace ("peer")
                                                      `-- shim    (.3/32) bridge-mode macvlan in the host

Every cell of the matrix is measured in its own freshly built copy of this network (so one probe's
ARP entries cannot help another), and its reason is derived from what was observed: the link counters
along the path (did the frames reach the switch, did it send them back, did the target's stack see the
echo request), the settings read back from the kernel (mode, hairpin, source MAC list) and the route
lookup. Then the note's two puzzles are replayed, in its order: a child that cannot reach its
parent, and two children in one namespace. Everything runs in a private network, mount and PID
namespace, so nothing on the host is touched and everything vanishes when it exits, Ctrl-C included.

Options: ``--json`` (cells for programs), ``--modes bridge,vepa``, ``--explain`` (a reason for every
unreachable cell), ``--dhcp`` (dnsmasq on the switch, dhclient on the children, like the note).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import errno
import ipaddress
import json
import os
import random
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from . import codec, netns
from .connection import Connection, connect
from .errors import NetlinkError
from .links import Bridge, Macvlan, MacvlanMode, Veth
from .netns import Namespace

__all__ = [
    "MODES",
    "PAIRS",
    "Cell",
    "Topology",
    "dhclient_script",
    "dhcp_lease",
    "explain",
    "link_counters",
    "main",
    "measure",
    "ping",
    "route_get",
    "same_namespace",
]

MODES = ("bridge", "vepa", "private", "passthru", "source")
PAIRS = (("child", "peer"), ("child", "parent"), ("parent", "child"), ("child", "switch"), ("child", "shim"))
ADDRESS = {
    "switch": "198.51.100.1",
    "parent": "198.51.100.2",
    "shim": "198.51.100.3",
    "child": "198.51.100.11",
    "peer": "198.51.100.12",
}
PREFIX = 24
CHILD = {"child": "ens33.01", "peer": "ens33.02"}  # the note's names
MAC = {"child": "02:00:5e:10:00:11", "peer": "02:00:5e:10:00:12"}
PROBE_COUNT, PROBE_WAIT = 3, 0.3  # echoes per probe, seconds each: ~1 s for a dead cell
IFF_UP = 0x1

_stop = threading.Event()  # set on Ctrl-C: builds and DHCP waits give up early


def say(text: str) -> None:
    """Progress, on stderr so that ``--json`` stays clean."""
    print(text, file=sys.stderr, flush=True)


# --- small live probes -------------------------------------------------------------------------------


def _checksum(data: bytes) -> int:
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    return ~(total + (total >> 16)) & 0xFFFF


def ping(
    ns: Namespace,
    dst: str,
    *,
    count: int = PROBE_COUNT,
    wait_s: float = PROBE_WAIT,
    device: str | None = None,
) -> tuple[float | None, str | None]:
    """Send up to ``count`` ICMP echoes to ``dst`` from inside ``ns`` and return (rtt in ms of the
    first answer or None, the send error if the kernel refused to send). ``device`` binds the socket
    to one interface, as ``ping -I`` does. A raw socket opened in ``ns`` needs no process there."""
    ident = random.getrandbits(16)
    error = None
    with ns.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP) as sock:
        if device is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, device.encode())
        for seq in range(1, count + 1):
            head = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + b"rtnl-lab"
            sent = time.monotonic()
            try:
                sock.sendto(head[:2] + struct.pack("!H", _checksum(head)) + head[4:], (dst, 0))
            except OSError as e:  # e.g. EHOSTUNREACH once ARP gave up
                error = f"{errno.errorcode.get(e.errno or 0, e.errno)}: {e.strerror}"
            while (left := sent + wait_s - time.monotonic()) > 0:
                if not select.select([sock], [], [], left)[0]:
                    break
                data, (src, _) = sock.recvfrom(2048)
                kind, _, _, rid, _ = struct.unpack_from("!BBHHH", data, (data[0] & 15) * 4)
                if kind == 0 and rid == ident and src == dst:
                    return (time.monotonic() - sent) * 1000, None
    return None, error


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


ETH_P_ALL, ETH_P_IP = 0x0003, 0x0800


def echo_tap(ns: Namespace, device: str) -> socket.socket:
    """A packet socket on ``device`` of ``ns`` that keeps every packet crossing it, both ways (read
    them with :func:`echo_requests`). ETH_P_ALL, since a bridge port hands frames of one protocol to
    the bridge before a per-protocol tap would see them; bound before it gets a protocol, it sees no
    other link."""
    sock = ns.socket(socket.AF_PACKET, socket.SOCK_DGRAM, 0)
    try:
        sock.bind((device, ETH_P_ALL))
    except BaseException:
        sock.close()
        raise
    return sock


def echo_requests(tap: socket.socket) -> tuple[int, int]:
    """The ICMP echo requests ``tap`` has seen so far: (arrived on its device, sent out of it)."""
    tap.setblocking(False)
    arrived = sent = 0
    while True:
        try:
            data, addr = tap.recvfrom(2048)
        except BlockingIOError:
            return arrived, sent
        header = (data[0] & 15) * 4
        icmp = addr[1] == ETH_P_IP and data[9] == socket.IPPROTO_ICMP and len(data) > header
        if icmp and data[header] == 8:
            if addr[2] == socket.PACKET_OUTGOING:
                sent += 1
            else:
                arrived += 1


# --- DHCP like the note: dnsmasq on the switch, dhclient on the children ---------------------------------


def dhcp_missing() -> list[str]:
    """The DHCP programs ``--dhcp`` needs that are not installed."""
    return [p for p in ("dnsmasq", "dhclient") if shutil.which(p) is None]


def _start(stack: contextlib.ExitStack, ns: Namespace, argv: list[str], log: str) -> subprocess.Popen[bytes]:
    """Start ``argv`` inside ``ns``; it is killed when ``stack`` closes. Should this process die
    first, the kernel kills it with the PID namespace that :func:`isolate` made."""
    with open(log, "wb") as out:
        proc = ns.popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def stop() -> None:
        proc.kill()
        proc.wait()

    stack.callback(stop)
    return proc


DHCLIENT_SCRIPT = """#!/bin/sh
# dhclient -sf for rtnl: only record the lease; rtnl configures the address. The stock
# dhclient-script would also rewrite /etc/resolv.conf (the host's) and run the system's hooks.
case $reason in BOUND|RENEW|REBIND|REBOOT)
    echo "$new_ip_address $new_subnet_mask" >> "${0%/*}/lease-$interface";;
esac
"""


def dhclient_script(directory: str) -> str:
    """Write :data:`DHCLIENT_SCRIPT` into ``directory`` and return its path, for ``dhclient -sf``.
    Each lease it is given lands in ``directory/lease-IFNAME`` as ``address netmask`` lines."""
    path = os.path.join(directory, "dhclient-script")
    with open(path, "w") as f:
        f.write(DHCLIENT_SCRIPT)
    os.chmod(path, 0o755)
    return path


def dhcp_lease(directory: str, name: str) -> ipaddress.IPv4Interface | None:
    """The lease :data:`DHCLIENT_SCRIPT` (in ``directory``) recorded for link ``name``, or None yet."""
    with contextlib.suppress(FileNotFoundError):
        lines = _proc(os.path.join(directory, f"lease-{name}")).splitlines(keepends=True)
        if lines and lines[0].endswith("\n"):
            address, mask = lines[0].split()
            return ipaddress.IPv4Interface(f"{address}/{mask}")
    return None


def _lease(net: Connection, name: str, proc: subprocess.Popen[bytes], log: str, timeout: float = 20) -> str:
    """Wait for dhclient's lease of ``name`` (recorded next to ``log``), configure it with rtnl and
    read the address back."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not _stop.is_set():
        lease = dhcp_lease(os.path.dirname(log), name)
        if lease is not None:
            net.add_address(name, lease)
            return str(next(a for a in net.addresses(name) if a.address.version == 4).address.ip)
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    tail = _proc(log).strip().splitlines()[-3:]
    raise RuntimeError(f"no DHCP lease on {name} (dhclient: {' / '.join(tail) or 'no output'})")


# --- one throwaway copy of the note's network -----------------------------------------------------------


class Topology:
    """The note's network in anonymous namespaces, torn down by :meth:`close` (or by process exit).

    ``roles`` are ``switch``, ``host``, ``child`` and, if asked, ``peer``. ``refused`` maps a role
    (``peer``, ``shim``) to the kernel's answer when it refused to create that link (a second
    passthru child). ``address`` maps each target to its IPv4 address (read back after DHCP)::

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
        try:
            self._build(peer, shim, dhcp, tmp)
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

    def _build(self, peer: bool, shim: bool, dhcp: bool, tmp: str | None) -> None:
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
        if dhcp:
            assert tmp is not None
            _start(
                self.stack,
                self.ns["switch"],
                [
                    "dnsmasq",
                    "--keep-in-foreground",
                    "--conf-file=/dev/null",
                    "--port=0",
                    "--user=root",
                    "--interface=br0",
                    "--bind-interfaces",
                    "--dhcp-authoritative",
                    # a DNS server, as real networks announce: the lab's dhclient script must keep it
                    # out of the host's /etc/resolv.conf (the stock one would write it there)
                    f"--dhcp-option=option:dns-server,{ADDRESS['switch']}",
                    "--dhcp-range=198.51.100.100,198.51.100.199,255.255.255.0,1h",
                    f"--dhcp-leasefile={tmp}/leases",
                    f"--pid-file={tmp}/dnsmasq.pid",
                    "--log-dhcp",
                ],
                f"{tmp}/dnsmasq.log",
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
            if dhcp:
                assert tmp is not None
                name = spec.name
                log = f"{tmp}/dhclient-{name}.log"
                proc = _start(
                    self.stack,
                    self.ns[role],
                    [
                        "dhclient",
                        "-1",
                        "-d",
                        "-v",
                        "-sf",
                        dhclient_script(tmp),
                        "-pf",
                        f"{tmp}/dhclient-{name}.pid",
                        "-lf",
                        f"{tmp}/dhclient-{name}.leases",
                        name,
                    ],
                    log,
                )
                self.address[role] = _lease(net, name, proc, log)
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


# --- a cell: one probe in one fresh topology ---------------------------------------------------------------


@dataclasses.dataclass
class Cell:
    """One measured cell of the matrix (the ``--json`` shape, extra keys included)."""

    mode: str
    hairpin: bool
    src: str
    dst: str
    reachable: bool
    reason: str
    rtt_ms: float | None = None
    observed: dict[str, Any] = dataclasses.field(default_factory=dict)


_LINK = {
    "child": ("child", CHILD["child"]),
    "peer": ("peer", CHILD["peer"]),
    "parent": ("host", "ens33"),
    "switch": ("switch", "br0"),
    "shim": ("host", "shim"),
}


def _delta(before: dict[str, Any], after: dict[str, Any], key: str, index: int | None = None) -> int:
    a, b = after.get(key, 0), before.get(key, 0)
    if index is not None:
        a, b = (a or (0, 0))[index], (b or (0, 0))[index]
    return int(a) - int(b)


def measure(
    mode: str, hairpin: bool, src: str, dst: str, *, dhcp: bool = False, tmp: str | None = None
) -> Cell:
    """Build a fresh topology, probe ``src`` -> ``dst`` once, and return the cell with its reason."""
    kmode = MacvlanMode[mode.upper()]
    target = "child" if src == "parent" else dst
    with Topology(kmode, hairpin, peer=dst == "peer", shim=dst == "shim", dhcp=dhcp, tmp=tmp) as t:
        for role, err in t.refused.items():
            refused = {
                "role": role,
                "errno": errno.errorcode.get(err.errno or 0, err.errno),
                "message": err.strerror,
                "extack": err.extack,
            }
            return Cell(mode, hairpin, src, dst, False, explain(mode, src, dst, False, {"refused": refused}),
                        observed={"refused": refused})
        src_role, (dst_role, dst_link) = ("host" if src == "parent" else "child"), _LINK[target]
        src_link = "ens33" if src == "parent" else CHILD["child"]
        route = route_get(t.net[src_role], t.address[target])
        with echo_tap(t.ns["switch"], "port0") as tap:
            before = t.snapshot()
            rtt, send_error = ping(t.ns[src_role], t.address[target])
            after = t.snapshot()
            echoes_in, echoes_out = echo_requests(tap)
        child_link = t.net["child"].link(CHILD["child"])
        port = t.net["switch"].link("port0").port
        obs: dict[str, Any] = {
            "sent": _delta(before, after, f"{src_role}:{src_link}", 1),
            "to_switch": _delta(before, after, "switch:port0", 0),
            "from_switch": _delta(before, after, "switch:port0", 1),
            "echo_to_switch": echoes_in,  # of those frames, the ICMP echo requests
            "echo_from_switch": echoes_out,
            "target_rx": _delta(before, after, f"{dst_role}:{dst_link}", 0),
            "target_echo_in": _delta(before, after, f"{dst_role}:InEchos"),
            "target_echo_out": _delta(before, after, f"{dst_role}:OutEchoReps"),
            "child_rx": _delta(before, after, f"child:{CHILD['child']}", 0),
            "route": f"{route[0]} dev {route[1]}",
            "mode": getattr(child_link.info, "mode", None) and child_link.info.mode.name.lower(),  # type: ignore[union-attr]
            "hairpin": bool(port and port.hairpin),
            "child_mac": child_link.address,
            "target_mac": t.mac.get(target),
            "parent_mac": t.mac["parent"],
            "source_macs": list(getattr(child_link.info, "source_macs", ())),
            # whose MACs those are: the switch's and the other child's (see Topology._build)
            "source_from": [
                {t.mac["switch"]: "switch", MAC["peer"]: "peer"}.get(m, m)
                for m in getattr(child_link.info, "source_macs", ())
            ],
            "address": {k: t.address[k] for k in ("child", "peer") if k in t.net} if dhcp else None,
        }
        if send_error:
            obs["send_error"] = send_error
    reachable = rtt is not None
    return Cell(
        mode,
        hairpin,
        src,
        dst,
        reachable,
        explain(mode, src, dst, reachable, obs),
        None if rtt is None else round(rtt, 3),
        obs,
    )


def explain(mode: str, src: str, dst: str, reachable: bool, o: dict[str, Any]) -> str:
    """One line on why a probe did or did not get through, from what was observed along the path.

    The counters say *where* the frames stopped (never left, reached the switch, came back, reached
    the target's stack); the mode and hairpin setting read back from the kernel say *why* they stop
    there. Only a rule whose observed precondition holds is quoted.
    """
    if "refused" in o:
        r = o["refused"]
        what = "a second macvlan child of ens33" if r["role"] in ("peer", "shim") else "the child"
        text = f"the kernel refused {what} ({r['role']}): {r['message']}"
        if r["extack"]:
            text += f" - {r['extack']}"
        if mode == "passthru" and r["errno"] == "EINVAL" and r["role"] != "child":
            text += "; in passthru mode ens33 takes one child"
        return text
    target = "child" if src == "parent" else dst
    sent, to_sw, from_sw = o["sent"], o["to_switch"], o["from_switch"]
    hairpin = "on" if o["hairpin"] else "off"
    if reachable:
        if target == "switch":
            return f"the switch answered ({to_sw} frames in, {from_sw} out on its port)"
        echoes = o["echo_from_switch"]
        if echoes == 0:
            took = o["echo_to_switch"]
            took_text = "none an echo request" if took == 0 else f"{took} of them echo requests"
            back = "nothing" if from_sw == 0 else f"{_n(from_sw, 'frame')}, none an echo request"
            return (
                f"macvlan delivered the echo inside the host: the switch's port took {_n(to_sw, 'frame')}, "
                f"{took_text}, and sent back {back}"
            )
        back = _n(echoes, "echo request")
        return f"via the switch: it sent {back} back out of the port it came in on (hairpin {hairpin})"
    if o.get("send_error") and sent == 0:
        return f"nothing was sent: {o['send_error']} (route: {o['route']})"
    where = f"{_n(sent, 'frame')} left {'ens33' if src == 'parent' else 'the child'}"
    if o["target_echo_in"] > 0:
        if o["target_echo_out"] > 0:
            why = f"the {target} got {o['target_echo_in']} echo requests and answered; no reply came back"
        else:
            why = f"the {target} got {o['target_echo_in']} echo requests and did not answer"
        return f"{where}; {why}{_source_rule(mode, src, target, o)}"
    if to_sw > 0 and from_sw == 0:
        stuck = f"{where}, {to_sw} reached the switch and none came back"
        if o["hairpin"]:  # the bridge rule below does not apply: say only what was seen
            return f"{stuck}, although hairpin is on (route: {o['route']})"
        if src == "parent":
            rule = (
                "; what ens33's own stack sends goes straight to the wire: macvlan only sorts frames "
                "that arrive on ens33"
            )
        elif mode != "bridge":
            rule = f"; in {mode} mode a child's frames always leave through ens33"
        elif target == "parent":
            rule = (
                "; bridge mode switches locally between children only; ens33's own stack is not one "
                "of them, it is reached from the wire"
            )
        else:
            rule = ""
        return (
            f"{stuck}: hairpin is off, and a bridge never sends a frame back out of the port it came in on"
            + rule
        )
    if from_sw > 0:
        came_back = (
            f"{where}; the switch sent {from_sw} back (hairpin {hairpin}) "
            f"but the {target}'s stack saw no echo request"
        )
        if mode == "private" and src == "child" and o["child_rx"] > 0:
            return (
                f"{came_back}: in private mode macvlan hands a child's own broadcasts that come back "
                f"to that child alone (it received {o['child_rx']}), so its ARP requests reach no one else"
            )
        if mode == "passthru" and o["child_mac"] == o["parent_mac"]:
            return (
                f"{came_back}: the passthru child has taken ens33's MAC ({o['parent_mac']}), so every "
                f"frame arriving on ens33 is handed to the child and ens33's own stack gets nothing"
            )
        return came_back + _source_rule(mode, src, target, o)
    return f"{where}; the switch saw {to_sw} and the {target} saw nothing (route: {o['route']})"


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _source_rule(mode: str, src: str, target: str, o: dict[str, Any]) -> str:
    """Source mode: the child hears only senders on its list; quoted when the other end is not."""
    other, mac = ("parent", o["parent_mac"]) if src == "parent" else (target, o["target_mac"])
    if mode != "source" or mac in o["source_macs"]:
        return ""
    owners = o.get("source_from") or o["source_macs"]
    pairs = zip(owners, o["source_macs"], strict=True)
    listed = ", ".join(f"the {who}'s {m}" for who, m in pairs) or "nothing"
    return (
        f": a source-mode child takes only frames sent from the MACs on its list ({listed}); "
        f"the {other} ({mac}) is not on it"
    )


# --- the note's puzzles -----------------------------------------------------------------------------------


@dataclasses.dataclass
class Step:
    """One live check of a puzzle: what was set up, what the kernel said, what a ping did."""

    setup: str
    works: bool
    observed: str


PAIR_STEPS = (  # (what, accept_local, lo up, ping bound to ens33.01)
    ("fresh namespace, plain ping, as in the note", False, False, False),
    ("ping out of ens33.01 (like `ping -I ens33.01`)", False, False, True),
    ("ping -I ens33.01, accept_local=1 on both children", True, False, True),
    ("ping -I ens33.01, accept_local=1, lo up", True, True, True),
    ("plain ping, lo up", False, True, False),
)


def same_namespace() -> list[Step]:
    """Puzzle 2: two bridge-mode children of ens33 in *one* namespace, as in the note's last test.

    Each step builds a fresh pair (so no ARP entry carries over), changes one setting and pings
    ens33.02's address from ens33.01's side, reporting the loopback state, the kernel's route
    lookup, the sysctls involved and which counters moved.
    """
    return [_pair_step(*step) for step in PAIR_STEPS]


def _pair_step(setup: str, accept_local: bool, lo_up: bool, bound: bool) -> Step:
    a, b, dst = CHILD["child"], CHILD["peer"], ADDRESS["peer"]
    device = a if bound else None
    with contextlib.ExitStack() as stack:
        host_ns, pair_ns = (stack.enter_context(Namespace.anonymous()) for _ in range(2))
        host, pair = (stack.enter_context(connect(ns)) for ns in (host_ns, pair_ns))
        for ns in (host_ns, pair_ns):
            quiet(ns)
        host.add(Veth("ens33", "port0"))
        host.set("port0", up=True)
        host.set("ens33", up=True)
        for name, role in ((a, "child"), (b, "peer")):
            host.add(Macvlan(name, parent="ens33", mode=MacvlanMode.BRIDGE, address=MAC[role]))
            host.move(name, pair_ns)
            pair.set(name, up=True)
            pair.add_address(name, f"{ADDRESS[role]}/{PREFIX}")
            if accept_local:
                sysctl(pair_ns, f"net/ipv4/conf/{name}/accept_local", "1")
        if lo_up:
            pair.set("lo", up=True)
        route = route_get(pair, dst, oif=device)
        before = link_counters(pair)
        rtt, error = ping(pair_ns, dst, device=device)
        after = link_counters(pair)
        moved = {n: (after[n][0] - before[n][0], after[n][1] - before[n][1]) for n in ("lo", a, b)}
        lo = pair.link("lo").up
        accept = {n: sysctl(pair_ns, f"net/ipv4/conf/{n}/accept_local") for n in (a, b)}
        rp = sysctl(pair_ns, "net/ipv4/conf/all/rp_filter")
    result = f"ping {dst}{' -I ' + a if bound else ''}: " + (
        f"{rtt:.2f} ms" if rtt is not None else "no answer"
    )
    if error:
        result += f" ({error})"
    facts = (
        f"lo {'up' if lo else 'DOWN'}; route get {dst}{' oif ' + a if bound else ''} -> {route[0]} dev "
        f"{route[1]}; accept_local {a}={accept[a]} {b}={accept[b]}, rp_filter={rp}; packets rx/tx: "
        + ", ".join(f"{n} +{r}/+{t}" for n, (r, t) in moved.items())
    )
    return Step(
        setup, rtt is not None, f"{result}. {facts}. {_why_pair(route, lo, moved, accept, a, b, rtt)}"
    )


def _why_pair(
    route: tuple[str, str],
    lo_up: bool,
    moved: dict[str, tuple[int, int]],
    accept: dict[str, str],
    a: str,
    b: str,
    rtt: float | None,
) -> str:
    """The reading of one puzzle step, from its observations."""
    lo_tx, a_tx, b_rx, b_tx = moved["lo"][1], moved[a][1], moved[b][0], moved[b][1]
    if route[0] == "local":
        if rtt is not None:
            return f"It works, but over lo (+{lo_tx} packets), not over the macvlans ({a} sent {a_tx})"
        return (
            "The peer's address is local to this namespace, so the kernel routes it via lo, and "
            "lo is down in a fresh namespace"
            if not lo_up
            else "Routed via lo, yet no answer"
        )
    if rtt is not None:
        back = (
            f", and the reply came back via lo (+{lo_tx}): {ADDRESS['child']} is local here" if lo_tx else ""
        )
        return f"The request went over the macvlans ({a} sent {a_tx}, {b} received {b_rx}){back}"
    if b_rx and not b_tx and accept[b] == "0":
        return (
            f"Bound to {a} the lookup skips the local route (its device is {b}) and sends on the "
            f"wire: {b} received {b_rx} frames (the ARP requests) but answered none, because their "
            f"sender {ADDRESS['child']} is one of its own addresses and accept_local is 0"
        )
    if b_rx and b_tx:
        return (
            f"{b} received {b_rx} and sent {b_tx} (ARP answered), but the echo reply to "
            f"{ADDRESS['child']} is routed to a local address, via lo, "
            f"{'which is down' if not lo_up else f'so it never arrives on {a}, the device ping is bound to'}"
        )
    return f"{a} sent {a_tx}, {b} received {b_rx}, sent {b_tx}"


# --- running it: isolation, the matrix, the output ------------------------------------------------------


def isolate() -> None:
    """Move this (still single-threaded) process into its own network, mount and PID namespace.

    As a non-root user, a user namespace is tried first (root inside it, mapped to the caller).
    ``/run`` becomes a private tmpfs holding the run dir and the DHCP files. Then the process forks:
    the parent only passes SIGINT/SIGTERM on and exits with the child's status; the child returns
    and runs the lab as PID 1 of the new PID namespace. When PID 1 exits, however it exits, the
    kernel kills every process in that namespace, so no dnsmasq or dhclient (not even one still in
    rtnl's exec trampoline) outlives the lab, and the child dies with the parent (PR_SET_PDEATHSIG).
    In the child the first SIGINT or SIGTERM raises KeyboardInterrupt and later ones are ignored,
    so a second Ctrl-C cannot break the teardown.
    """
    c = netns.const
    if os.geteuid() != 0:
        uid, gid = os.getuid(), os.getgid()
        try:
            netns.unshare(c("CLONE_NEWUSER"))
        except OSError as e:
            raise SystemExit(
                f"rtnl.lab: not root, and this kernel refused an unprivileged user namespace ({e.strerror}); "
                "run it as root, or allow user namespaces (sysctl kernel.unprivileged_userns_clone=1, "
                "user.max_user_namespaces > 0, or the AppArmor userns restriction)"
            ) from None
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"0 {uid} 1")
        _write("/proc/self/gid_map", f"0 {gid} 1")
    netns.unshare(c("CLONE_NEWNET") | c("CLONE_NEWNS"))
    netns.unshare(c("CLONE_NEWPID"))  # for the children only: the forked one is PID 1
    netns.mount(None, "/", None, c("MS_REC") | c("MS_PRIVATE"))
    netns.mount("tmpfs", "/run", "tmpfs", c("MS_NOSUID") | c("MS_NODEV"), "mode=0755")
    os.makedirs("/run/netns")
    os.environ["RTNL_NETNS_DIR"] = "/run/netns"
    signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)  # until each side has its handlers
    alive, parent_alive = os.pipe()  # EOF on `alive` once the parent is gone
    pid = os.fork()
    if pid:
        os.close(alive)

        def forward(signum: int, frame: object) -> None:
            with contextlib.suppress(ProcessLookupError):  # already reaped
                os.kill(pid, signum)

        for s in signals:
            signal.signal(s, forward)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
        code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        for s in signals:  # the interpreter's exit would restore SIG_DFL: a late Ctrl-C must not kill us
            signal.signal(s, signal.SIG_IGN)
        os._exit(code if code >= 0 else 128 - code)
    os.close(parent_alive)
    netns.set_pdeathsig(signal.SIGKILL)
    if select.select([alive], [], [], 0)[0]:  # the parent died before prctl() could arm
        os._exit(1)
    os.close(alive)
    for s in signals:
        signal.signal(s, _interrupted)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)


def _interrupted(signum: int, frame: object) -> None:
    """The first SIGINT/SIGTERM: ignore any further ones, then tear down like Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def run_matrix(
    modes: Sequence[str], *, dhcp: bool = False, workers: int = 16, progress: Callable[[str], None] = say
) -> list[Cell]:
    """Measure every (mode, hairpin, src, dst) cell, in parallel, each in its own topology."""
    jobs = [(m, h, s, d) for m in modes for h in (False, True) for s, d in PAIRS]
    tmp = tempfile.mkdtemp(prefix="rtnl-lab-", dir="/run") if dhcp else None
    results: dict[int, Cell] = {}
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rtnl-lab")
    try:
        pending: dict[Future[Cell], int] = {}
        for i, (m, h, s, d) in enumerate(jobs):
            cell_tmp = None
            if tmp is not None:
                cell_tmp = os.path.join(tmp, str(i))
                os.mkdir(cell_tmp)
            pending[pool.submit(measure, m, h, s, d, dhcp=dhcp, tmp=cell_tmp)] = i
        while pending:
            done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for fut in done:
                i = pending.pop(fut)
                cell = results[i] = fut.result()
                progress(
                    f"[{len(results):2}/{len(jobs)}] {cell.mode:8} hairpin {'on ' if cell.hairpin else 'off'}"
                    " "
                    f"{cell.src}->{cell.dst}: {'reachable' if cell.reachable else 'unreachable'}"
                )
    except BaseException:
        _stop.set()
        pool.shutdown(wait=True, cancel_futures=True)  # running cells tear their topology down
        raise
    finally:
        pool.shutdown(wait=True)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return [results[i] for i in range(len(jobs))]


def _mark(cell: Cell) -> str:
    if cell.reachable:
        return "yes"
    return "REFUSED" if "refused" in cell.observed else "no"


def render(cells: Sequence[Cell], *, explain_all: bool = False) -> str:
    """The matrix as text: one row per (mode, hairpin), one column per probe."""
    cols = [f"{s}->{d}" for s, d in PAIRS]
    lines = [f"{'mode':9}{'hairpin':9}" + "".join(f"{c:>15}" for c in cols)]
    rows: dict[tuple[str, bool], dict[str, Cell]] = {}
    for c in cells:
        rows.setdefault((c.mode, c.hairpin), {})[f"{c.src}->{c.dst}"] = c
    for (mode, hairpin), row in rows.items():
        lines.append(
            f"{mode:9}{'on' if hairpin else 'off':9}" + "".join(f"{_mark(row[c]):>15}" for c in cols)
        )
    order = {"switch": 0, "peer": 1}
    lists = {
        " and the ".join(sorted(c.observed["source_from"], key=lambda who: order.get(who, 2)))
        for c in cells
        if c.observed.get("source_from")
    }
    for owners in sorted(lists):
        lines.append(f"source mode: a child takes frames only from the MACs on its list, here the {owners}")
    if explain_all:
        lines.append("")
        lines.append("why (from the counters and settings observed in each cell):")
        for c in cells:
            if not c.reachable:
                lines.append(
                    f"  {c.mode}, hairpin {'on' if c.hairpin else 'off'}, {c.src}->{c.dst}: {c.reason}"
                )
    return "\n".join(lines)


def render_puzzles(cells: Sequence[Cell], steps: Sequence[Step]) -> str:
    """The note's two puzzles, in the note's order, answered from the live checks."""
    out = ["", "Puzzle 1 - a child cannot reach its parent (the note's experiment 2):"]
    by = {(c.mode, c.hairpin, c.src, c.dst): c for c in cells}
    for key, label in (
        ((("bridge", False, "child", "parent")), "child->parent"),
        ((("bridge", False, "parent", "child")), "parent->child"),
        ((("bridge", False, "child", "shim")), "child->shim"),
        ((("bridge", True, "child", "parent")), "child->parent with a hairpin switch"),
    ):
        c = by.get(key)
        if c is not None:
            out.append(
                f"  bridge mode, {label}: {'reachable' if c.reachable else 'unreachable'} - {c.reason}"
            )
    out.append("Puzzle 2 - two children of ens33 in one namespace cannot ping each other (experiment 3):")
    for i, s in enumerate(steps, 1):
        out.append(f"  {i}. {s.setup}: {'WORKS' if s.works else 'fails'}")
        out.append(f"     {s.observed}")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m rtnl.lab``: see the module docstring."""
    parser = argparse.ArgumentParser(
        prog="python -m rtnl.lab", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument("--json", action="store_true", help="print the cells as JSON")
    parser.add_argument(
        "--modes", default=",".join(MODES), help=f"comma-separated subset of {','.join(MODES)}"
    )
    parser.add_argument("--explain", action="store_true", help="a reason for every unreachable cell")
    parser.add_argument("--dhcp", action="store_true", help="addresses from dnsmasq/dhclient, like the note")
    parser.add_argument("--no-puzzles", action="store_true", help="skip the two puzzles of the note")
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        parser.error(f"unknown mode(s) {unknown}; choose from {', '.join(MODES)}")
    isolate()
    dhcp = args.dhcp
    if dhcp and (missing := dhcp_missing()):
        say(f"--dhcp: {' and '.join(missing)} not installed; using static addresses")
        dhcp = False
    try:
        say(
            f"rtnl.lab: measuring {len(modes) * 2 * len(PAIRS)} cells ({', '.join(modes)}; hairpin off/on)"
            f"{' with DHCP' if dhcp else ''}, each in its own throwaway topology"
        )
        cells = run_matrix(modes, dhcp=dhcp)
        steps = [] if args.no_puzzles or args.json else same_namespace()
    except KeyboardInterrupt:
        say("rtnl.lab: interrupted; everything it built is gone")
        return 130
    if args.json:
        print(json.dumps([dataclasses.asdict(c) for c in cells], indent=1))
        return 0
    print(
        "macvlan reachability, measured live "
        "(ens33 = veth to a bridge 'switch'; children in their own namespaces)"
    )
    print(render(cells, explain_all=args.explain))
    if dhcp:
        leased = sorted({a for c in cells for a in (c.observed.get("address") or {}).values()})
        print(f"addresses leased by dnsmasq on the switch to dhclient on the children, set and read back "
              f"with rtnl: "
              f"{len(leased)} ({', '.join(leased[:4])}{', ...' if len(leased) > 4 else ''})")
    if steps:
        print(render_puzzles(cells, steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
