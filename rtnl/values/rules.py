"""Policy routing rules as the kernel reports them: :class:`Rule`.

This module knows RTM_NEWRULE messages as values: not sockets or how a rule is added
(``rtnl.ops.rules``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .._fast import member_or_int
from ..uapi import AF_INET
from ..wire.message import Message
from .check import Network
from .enums import RuleAction


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule (``ip rule``). ``family`` is 4 or 6; ``src``/``dst`` are ``None`` for "from all";
    ``iif``/``oif`` are interface names, as the kernel keeps them."""

    family: int
    priority: int = 0
    src: Network | None = None
    dst: Network | None = None
    iif: str | None = None
    oif: str | None = None
    fwmark: int | None = None
    fwmask: int | None = None
    table: int = 0
    action: RuleAction | int = RuleAction.TO_TBL
    goto: int | None = None  #: the rule priority a :attr:`RuleAction.GOTO` jumps to
    protocol: int = 0

    @classmethod
    def from_message(cls, msg: Message) -> Rule:
        """The :class:`Rule` an RTM_NEWRULE message describes."""
        hdr, attrs = msg.header, msg.attrs
        assert attrs is not None

        def net(key: str, length: int) -> Network | None:
            addr = attrs.get(key)
            return None if addr is None else ipaddress.ip_network(f"{addr}/{length}")

        return cls(
            family=4 if hdr.family == AF_INET else 6,
            priority=attrs.get("FRA_PRIORITY", 0),
            src=net("FRA_SRC", hdr.src_len),
            dst=net("FRA_DST", hdr.dst_len),
            iif=attrs.get("FRA_IIFNAME"),
            oif=attrs.get("FRA_OIFNAME"),
            fwmark=attrs.get("FRA_FWMARK"),
            fwmask=attrs.get("FRA_FWMASK"),
            table=attrs.get("FRA_TABLE", hdr.table),
            action=member_or_int(RuleAction, hdr.action),
            goto=attrs.get("FRA_GOTO"),
            protocol=attrs.get("FRA_PROTOCOL", 0),
        )
