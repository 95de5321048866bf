"""Address operations (RTM_*ADDR): list, add and delete IP addresses on links.

Generators run by a driver (see :mod:`rtnl.ops`); this module knows how an address becomes a
request, not sockets or ``Connection``.
"""

from __future__ import annotations

import errno
import ipaddress
from typing import Any

from ..errors import NetlinkError
from ..uapi import (
    AF_INET,
    AF_INET6,
    NLM_F_CREATE,
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
from . import Dump, Operation, Place, Request, about, ignoring_errors
from .links import index, ref_text


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


def _about(link: LinkRef, iface: InterfaceLike, **_: object) -> str:
    return f"address {iface} on link {ref_text(link)}"


@about(_about)
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
    value = yield from _unscoped(place, value, target)
    flags = NLM_F_CREATE | (NLM_F_REPLACE if replace else NLM_F_EXCL)
    extra = int(AddressFlag.NODAD) if nodad and value.version == 6 else 0
    yield Request(_message(RTM_NEWADDR, flags, target, value, extra))
    try:
        added = next((a for a in (yield from addresses(place, target)) if a.address == value), None)
        if added is None:  # (gone at once: a DAD failure, or someone deleted it)
            raise NetlinkError.from_errno(errno.EADDRNOTAVAIL, "the kernel took the address but does not "
                                          "list it afterwards; it was removed again")
        return added
    except GeneratorExit:
        raise
    except BaseException:  # the call fails: the address it added goes (one it replaced cannot come back)
        yield from ignoring_errors(Request(_message(RTM_DELADDR, 0, target, value)))
        raise


def _unscoped(place: Place, value: Interface, target: int) -> Operation[Interface]:
    """``value`` without its IPv6 scope (``fe80::1%sa0/64``): the scope must name the link the
    address goes to (by name or index), else ``ValueError`` before anything is sent."""
    scope = getattr(value, "scope_id", None)  # (an IPv4Interface has none)
    if not scope:
        return value
    where = int(scope) if scope.isdecimal() else (yield from index(place, scope))
    if where != target:
        raise ValueError(f"the scope of {value} names another link than the one the address goes to")
    return ipaddress.ip_interface(f"{str(value.ip).partition('%')[0]}/{value.network.prefixlen}")


@about(_about)
def delete_address(place: Place, link: LinkRef, iface: InterfaceLike) -> Operation[None]:
    """Remove an address from a link (``EADDRNOTAVAIL`` if it is not there)."""
    value = check_interface(iface)
    target = yield from index(place, link)
    yield Request(_message(RTM_DELADDR, 0, target, (yield from _unscoped(place, value, target))))
