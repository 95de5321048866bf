"""IP addresses on links (RTM_*ADDR): the :class:`Address` value and its scope and flag types."""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass

from .codec import Message


class Scope(enum.IntEnum):
    """``enum rt_scope_t`` (linux/rtnetlink.h): how far an address or route reaches."""

    UNIVERSE = 0
    SITE = 200
    LINK = 253
    HOST = 254
    NOWHERE = 255


class AddressFlag(enum.IntFlag):
    """``IFA_F_*`` (linux/if_addr.h)."""

    SECONDARY = 0x01
    NODAD = 0x02
    OPTIMISTIC = 0x04
    DADFAILED = 0x08
    HOMEADDRESS = 0x10
    DEPRECATED = 0x20
    TENTATIVE = 0x40
    PERMANENT = 0x80
    MANAGETEMPADDR = 0x100
    NOPREFIXROUTE = 0x200
    MCAUTOJOIN = 0x400
    STABLE_PRIVACY = 0x800


Interface = ipaddress.IPv4Interface | ipaddress.IPv6Interface


def scope_of(value: int) -> Scope | int:
    try:
        return Scope(value)
    except ValueError:
        return value


@dataclass(frozen=True, slots=True)
class Address:
    """An address on a link: ``link`` is the interface index, ``address`` carries the prefix length."""

    link: int
    address: Interface
    scope: Scope | int = Scope.UNIVERSE
    flags: AddressFlag = AddressFlag(0)
    label: str | None = None

    @classmethod
    def from_message(cls, msg: Message) -> Address:
        """The :class:`Address` an RTM_NEWADDR message describes."""
        hdr, attrs = msg.header, msg.attrs
        assert attrs is not None
        # IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links
        ip = attrs.get("IFA_LOCAL") or attrs.get("IFA_ADDRESS")
        return cls(
            link=hdr.index,
            address=ipaddress.ip_interface(f"{ip}/{hdr.prefixlen}"),
            scope=scope_of(hdr.scope),
            flags=AddressFlag(attrs.get("IFA_FLAGS", hdr.flags)),
            label=attrs.get("IFA_LABEL"),
        )
