"""Live probes that need no netlink: ICMP echoes from a namespace, and a tap counting echo requests.

What lives here: :func:`ping` (raw ICMP socket opened inside a namespace) and :func:`echo_tap` /
:func:`echo_requests` (a packet socket on one device). What it must not know: the topology, the
matrix or how a reason is worded; it uses :class:`rtnl.Namespace` only to open sockets inside one.
"""

from __future__ import annotations

import errno
import random
import select
import socket
import struct
import time

from rtnl import Namespace

from .model import PROBE_COUNT, PROBE_LAST_WAIT, PROBE_WAIT

__all__ = ["echo_requests", "echo_tap", "ping"]


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
    last_wait_s: float = PROBE_LAST_WAIT,
    device: str | None = None,
) -> tuple[float | None, str | None]:
    """Send up to ``count`` ICMP echoes to ``dst`` from inside ``ns``, ``wait_s`` apart, then wait
    ``last_wait_s`` for a late answer; return (rtt in ms of the first answer or None, the send error
    if the kernel refused to send). ``device`` binds the socket to one interface, as ``ping -I``
    does. A raw socket opened in ``ns`` needs no process there."""
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
            until = sent + (last_wait_s if seq == count else wait_s)
            while (left := until - time.monotonic()) > 0:
                if not select.select([sock], [], [], left)[0]:
                    break
                data, (src, _) = sock.recvfrom(2048)
                kind, _, _, rid, _ = struct.unpack_from("!BBHHH", data, (data[0] & 15) * 4)
                if kind == 0 and rid == ident and src == dst:
                    return (time.monotonic() - sent) * 1000, None
    return None, error


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
