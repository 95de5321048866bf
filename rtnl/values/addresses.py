"""IP addresses on links as the kernel reports them: :class:`Address`.

This module knows RTM_NEWADDR messages as values: not sockets or how an address is added
(``rtnl.ops.addresses``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .._fast import member_or_int
from ..uapi import INFINITY_LIFE_TIME
from ..wire.message import Message
from .check import Interface, IPAddress
from .enums import AddressFlag, Scope


@dataclass(frozen=True, slots=True)
class Address:
    """An address on a link: ``link`` is the interface index, ``address`` carries the prefix length.

    ``peer`` is the other end of a point-to-point address (``ip addr add A peer P``), else ``None``;
    ``valid_lft`` and ``preferred_lft`` are the seconds left of its lifetimes, ``None`` for forever."""

    link: int
    address: Interface
    scope: Scope | int = Scope.UNIVERSE
    flags: AddressFlag = AddressFlag(0)  # noqa: RUF009 (an immutable IntFlag)
    label: str | None = None
    valid_lft: int | None = None
    preferred_lft: int | None = None
    peer: IPAddress | None = None

    @classmethod
    def from_message(cls, msg: Message) -> Address:
        """The :class:`Address` an RTM_NEWADDR message describes."""
        hdr, attrs = msg.header, msg.attrs
        assert attrs is not None
        # IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links
        local, ip = attrs.get("IFA_LOCAL"), attrs.get("IFA_ADDRESS")
        peer = ip if local is not None and ip != local else None
        ip = local or ip
        cache = attrs.get("IFA_CACHEINFO")  # ifa_prefered, ifa_valid, cstamp, tstamp
        preferred, valid = cache[:2] if isinstance(cache, tuple) and len(cache) == 4 else (None, None)
        return cls(
            link=hdr.index,
            address=ipaddress.ip_interface(f"{ip}/{hdr.prefixlen}"),
            scope=member_or_int(Scope, hdr.scope),
            flags=AddressFlag(attrs.get("IFA_FLAGS", hdr.flags)),
            label=attrs.get("IFA_LABEL"),
            valid_lft=None if valid == INFINITY_LIFE_TIME else valid,
            preferred_lft=None if preferred == INFINITY_LIFE_TIME else preferred,
            peer=peer,
        )
