"""Crafted netlink answers, as the kernel would send them, for tests that drive the message loop: a
link of a dump, its DONE, the ack of a request, several messages in one datagram. ``PORT`` is
the port id a fake socket reports; pass ``pid=`` for a real one."""

from __future__ import annotations

import struct
from typing import Any

from rtnl.codec import (
    IFLA,
    NLM_F_ACK_TLVS,
    NLM_F_CAPPED,
    NLM_F_MULTI,
    NLMSG_DONE,
    NLMSG_ERROR,
    NLMSGERR,
    RTM_GETLINK,
    RTM_NEWLINK,
    DoneHeader,
    ErrorHeader,
    IfInfoMsg,
    Message,
    NlMsgHdr,
)

PORT = 4242


def seq_of(request: bytes) -> int:
    return struct.unpack_from("=IHHII", request)[3]


def link(index: int, seq: int, flags: int = NLM_F_MULTI, pid: int = PORT) -> Message:
    return Message(RTM_NEWLINK, flags, header=IfInfoMsg(index=index),
                   attrs=IFLA.build(IFLA_IFNAME=f"l{index}"), seq=seq, pid=pid)


def done(seq: int, error: int = 0, flags: int = NLM_F_MULTI, pid: int = PORT, **ext: Any) -> Message:
    return Message(NLMSG_DONE, flags | (NLM_F_ACK_TLVS if ext else 0), header=DoneHeader(error),
                   attrs=NLMSGERR.build(**ext), seq=seq, pid=pid)


def ack(request: bytes, error: int = 0, pid: int = PORT, **ext: Any) -> Message:
    hdr = NlMsgHdr._make(struct.unpack_from("=IHHII", request))
    return Message(NLMSG_ERROR, NLM_F_CAPPED | (NLM_F_ACK_TLVS if ext else 0), header=ErrorHeader(error, hdr),
                   attrs=NLMSGERR.build(**ext), seq=hdr.seq, pid=pid)


def dgram(*msgs: Message) -> bytes:
    return b"".join(e + b"\0" * (-len(e) % 4) for e in (m.encode() for m in msgs))


def dump_request() -> Message:
    return Message(RTM_GETLINK, header=IfInfoMsg())
