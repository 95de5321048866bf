"""IP addresses on links (RTM_*ADDR): the :class:`Address` value, its scope and flag types, and the
add/delete operations that :class:`~rtnl.Connection` exposes."""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .codec import (
    IFA,
    NLM_F_CREATE,
    NLM_F_EXCL,
    NLM_F_REPLACE,
    RTM_DELADDR,
    RTM_NEWADDR,
    IfAddrMsg,
    Message,
    enum_or_int,
)

if TYPE_CHECKING:
    from .connection import Connection
    from .links import LinkRef


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


@dataclass(frozen=True, slots=True)
class Address:
    """An address on a link: ``link`` is the interface index, ``address`` carries the prefix length."""

    link: int
    address: Interface
    scope: Scope | int = Scope.UNIVERSE
    flags: AddressFlag = AddressFlag(0)  # noqa: RUF009 (an immutable IntFlag)
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
            scope=enum_or_int(Scope, hdr.scope),
            flags=AddressFlag(attrs.get("IFA_FLAGS", hdr.flags)),
            label=attrs.get("IFA_LABEL"),
        )


InterfaceLike = str | Interface
AF_INET, AF_INET6 = 2, 10  # linux/socket.h


def interface(value: object) -> Interface:
    """``"198.51.100.11/24"`` or an ``ipaddress`` interface -> an ``ipaddress`` interface.

    A bare address gets a host prefix (/32, /128), as with ``ip addr add``.
    """
    if isinstance(value, (ipaddress.IPv4Interface, ipaddress.IPv6Interface)):
        return value
    if not isinstance(value, str):
        raise TypeError(f"an address is a str or an ipaddress interface, not {type(value).__name__}")
    return ipaddress.ip_interface(value)


def _message(mtype: int, flags: int, index: int, iface: Interface, extra: int = 0) -> Message:
    v4 = iface.version == 4
    attrs = IFA.build(IFA_LOCAL=iface.ip, IFA_ADDRESS=iface.ip)
    if v4 and mtype == RTM_NEWADDR and iface.network.prefixlen <= 30:  # like `brd +`
        attrs.append("IFA_BROADCAST", iface.network.broadcast_address)
    if extra:
        attrs.append("IFA_FLAGS", extra)
    header = IfAddrMsg(family=AF_INET if v4 else AF_INET6, prefixlen=iface.network.prefixlen, index=index)
    return Message(mtype, flags, header=header, attrs=attrs)


def add_address(net: Connection, link: LinkRef, iface: InterfaceLike, *, replace: bool = False,
                nodad: bool = False) -> Address:
    """Add an IPv4 or IPv6 address (``ip addr add IFACE dev LINK``; IPv4 gets the broadcast address
    ``brd +`` would give). ``replace`` updates an existing one instead of failing with
    ``FileExistsError``; ``nodad`` makes an IPv6 address usable at once, skipping duplicate address
    detection (handy in labs). Returns the address as the kernel lists it."""
    value = interface(iface)
    index = net.index(link)
    flags = NLM_F_CREATE | (NLM_F_REPLACE if replace else NLM_F_EXCL)
    extra = AddressFlag.NODAD if nodad and value.version == 6 else 0
    net.sock.request(_message(RTM_NEWADDR, flags, index, value, extra))
    return next(a for a in net.addresses(index) if a.address == value)


def delete_address(net: Connection, link: LinkRef, iface: InterfaceLike) -> None:
    """Remove an address from a link (``EADDRNOTAVAIL`` if it is not there)."""
    value = interface(iface)
    net.sock.request(_message(RTM_DELADDR, 0, net.index(link), value))
