"""Address operations (RTM_*ADDR): list, add and delete IP addresses on links.

Generators run by a driver (see :mod:`rtnl.ops`); this module knows how an address becomes a
request, not sockets or ``Connection``.
"""

from __future__ import annotations

from typing import Any

from ..uapi import (
    AF_INET,
    AF_INET6,
    NLM_F_CREATE,
    NLM_F_ECHO,
    NLM_F_EXCL,
    NLM_F_REPLACE,
    RTM_DELADDR,
    RTM_GETADDR,
    RTM_NEWADDR,
)
from ..values.addresses import Address
from ..values.check import Interface, InterfaceLike, check_bool, check_interface
from ..values.enums import AddressFlag
from ..values.links import LinkRef
from ..wire.headers import IfAddrMsg
from ..wire.message import Message
from ..wire.schemas import IFA
from . import Dump, Operation, Place, Request
from .links import index


def addresses(place: Place, link: LinkRef | None = None) -> Operation[list[Address]]:
    """Every address, or those of one link."""
    target = 0 if link is None else (yield from index(place, link))
    msgs = yield Dump(Message(RTM_GETADDR, header=IfAddrMsg(index=target)))
    out = [Address.from_message(m) for m in msgs if m.type == RTM_NEWADDR]
    return out if not target else [a for a in out if a.link == target]


def _message(mtype: int, flags: int, target: int, iface: Interface, extra: int = 0) -> Message:
    v4 = iface.version == 4
    attrs: dict[str, Any] = {"IFA_LOCAL": iface.ip, "IFA_ADDRESS": iface.ip}
    if v4 and mtype == RTM_NEWADDR and iface.network.prefixlen <= 30:  # like `brd +`
        attrs["IFA_BROADCAST"] = iface.network.broadcast_address
    if extra:
        attrs["IFA_FLAGS"] = extra
    header = IfAddrMsg(family=AF_INET if v4 else AF_INET6, prefixlen=iface.network.prefixlen, index=target)
    return Message(mtype, flags, header=header, attrs=IFA.build(**attrs))


def add_address(place: Place, link: LinkRef, iface: InterfaceLike, *, replace: bool = False,
                nodad: bool = False) -> Operation[Address]:
    """Add an IPv4 or IPv6 address (``ip addr add IFACE dev LINK``; IPv4 gets the broadcast address
    ``brd +`` would give). ``replace`` updates an existing one instead of failing with
    ``FileExistsError``; ``nodad`` makes an IPv6 address usable at once, skipping duplicate address
    detection (handy in labs). Returns the address as the kernel lists it."""
    value = check_interface(iface)
    check_bool(replace, "replace")
    check_bool(nodad, "nodad")
    target = yield from index(place, link)
    flags = NLM_F_CREATE | (NLM_F_REPLACE if replace else NLM_F_EXCL)
    extra = int(AddressFlag.NODAD) if nodad and value.version == 6 else 0
    # the new address alone is read back (a dump of the link's addresses would make n adds
    # quadratic): IPv4 answers NLM_F_ECHO (Linux >= 6.3), IPv6 a get of the one address
    v4 = value.version == 4
    answer = yield Request(_message(RTM_NEWADDR, flags | (NLM_F_ECHO if v4 else 0), target, value, extra))
    if not v4:
        get = Message(RTM_GETADDR, header=IfAddrMsg(family=AF_INET6, index=target),
                      attrs=IFA.build(IFA_ADDRESS=value.ip))
        answer = yield Request(get, ack=False)
    found = [a for a in map(Address.from_message, answer) if a.link == target and a.address == value]
    if found:
        return found[0]
    return next(a for a in (yield from addresses(place, target)) if a.address == value)  # no echo


def delete_address(place: Place, link: LinkRef, iface: InterfaceLike) -> Operation[None]:
    """Remove an address from a link (``EADDRNOTAVAIL`` if it is not there)."""
    value = check_interface(iface)
    yield Request(_message(RTM_DELADDR, 0, (yield from index(place, link)), value))
