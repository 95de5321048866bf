"""The fixed structs of rtnetlink: ``struct nlmsghdr`` and the header that follows it per family.

Each header is a named tuple, as the kernel names its fields; :class:`FixedHeader` packs and unpacks
one with a single ``struct`` format (and, with ``nlmsghdr`` in front, a whole message head in one
pack). This module knows structs only: no attributes, no schemas, no sockets.
"""

from __future__ import annotations

import struct
from typing import Any, NamedTuple

from ..errors import DecodeError

NLMSGHDR = struct.Struct("=IHHII")  # struct nlmsghdr: len, type, flags, seq, pid
NLMSGERR = struct.Struct("=i")  # struct nlmsgerr: error, then the request's nlmsghdr

class IfInfoMsg(NamedTuple):
    """struct ifinfomsg (linux/rtnetlink.h)."""

    family: int = 0
    type: int = 0
    index: int = 0  # type: ignore[assignment]  # shadows tuple.index, as the C field is named
    flags: int = 0
    change: int = 0


class IfAddrMsg(NamedTuple):
    """struct ifaddrmsg (linux/if_addr.h)."""

    family: int = 0
    prefixlen: int = 0
    flags: int = 0
    scope: int = 0
    index: int = 0  # type: ignore[assignment]  # shadows tuple.index, as the C field is named


class RtMsg(NamedTuple):
    """struct rtmsg (linux/rtnetlink.h)."""

    family: int = 0
    dst_len: int = 0
    src_len: int = 0
    tos: int = 0
    table: int = 0
    protocol: int = 0
    scope: int = 0
    type: int = 0
    flags: int = 0


class RtNexthop(NamedTuple):
    """struct rtnexthop (linux/rtnetlink.h) without ``rtnh_len``, which its encoding computes: one
    next hop of RTA_MULTIPATH. ``hops`` is the weight minus one."""

    flags: int = 0
    hops: int = 0
    ifindex: int = 0


class RtGenMsg(NamedTuple):
    """struct rtgenmsg (linux/rtnetlink.h), padded to 4 bytes as NLMSG_ALIGN does."""

    family: int = 0


class NdMsg(NamedTuple):
    """struct ndmsg (linux/neighbour.h)."""

    family: int = 0
    ifindex: int = 0
    state: int = 0
    flags: int = 0
    type: int = 0


class FibRuleHdr(NamedTuple):
    """struct fib_rule_hdr (linux/fib_rules.h)."""

    family: int = 0
    dst_len: int = 0
    src_len: int = 0
    tos: int = 0
    table: int = 0
    res1: int = 0
    res2: int = 0
    action: int = 0
    flags: int = 0


class NlMsgHdr(NamedTuple):
    """struct nlmsghdr (linux/netlink.h), as echoed inside an error message."""

    len: int = 0
    type: int = 0
    flags: int = 0
    seq: int = 0
    pid: int = 0


class ErrorHeader(NamedTuple):
    """struct nlmsgerr (linux/netlink.h): the errno (negative or 0) and the request it answers.

    ``payload`` is the rest of the request when the ack is not capped (``NLM_F_CAPPED`` unset).
    """

    error: int = 0
    request: NlMsgHdr = NlMsgHdr()
    payload: bytes = b""


class DoneHeader(NamedTuple):
    """The int that ends a dump (linux/netlink.h, NLMSG_DONE): 0 or a negative errno."""

    error: int = 0


Header = IfInfoMsg | IfAddrMsg | RtMsg | RtGenMsg | NdMsg | FibRuleHdr | ErrorHeader | DoneHeader | bytes


class FixedHeader:
    """A fixed struct after nlmsghdr (``cls``, a named tuple), by a struct format."""

    def __init__(self, cls: Any, fmt: str) -> None:
        self.cls, self.st = cls, struct.Struct(fmt)
        self.size = self.st.size
        self.message = struct.Struct(NLMSGHDR.format + fmt[1:])  # nlmsghdr and this struct: one pack
        self.default = cls()  # all zeros; a header is a tuple, so one instance serves every message
        self.blank = struct.Struct(f"{NLMSGHDR.format}{self.size}x")  # nlmsghdr and the default, packed

    def unpack(self, buf: bytes, off: int, end: int) -> tuple[Any, int]:
        if end - off < self.size:
            raise DecodeError(f"{self.cls.__name__} needs {self.size} bytes, got {end - off}")
        return tuple.__new__(self.cls, self.st.unpack_from(buf, off)), off + self.size

    def pack(self, h: Any) -> bytes:
        return self.st.pack(*h)


IFINFOMSG = FixedHeader(IfInfoMsg, "=BxHiII")
IFADDRMSG = FixedHeader(IfAddrMsg, "=BBBBI")
RTMSG = FixedHeader(RtMsg, "=BBBBBBBBI")
RTGENMSG = FixedHeader(RtGenMsg, "=Bxxx")
RTNEXTHOP = struct.Struct("=HBBi")  # struct rtnexthop: rtnh_len, then RtNexthop's fields
NDMSG = FixedHeader(NdMsg, "=BxxxiHBB")
FIBRULEHDR = FixedHeader(FibRuleHdr, "=BBBBBBBBI")
