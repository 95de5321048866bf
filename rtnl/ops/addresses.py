"""Address operations (RTM_*ADDR): list, add and delete IP addresses on links.

Generators run by a driver (see :mod:`rtnl.ops`); this module knows how an address becomes a
request, not sockets or ``Connection``.
"""

from __future__ import annotations

import errno
import ipaddress
import struct
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import NetlinkError
from ..netlink import WINDOW
from ..uapi import (
    AF_INET,
    AF_INET6,
    NLM_F_ACK,
    NLM_F_CREATE,
    NLM_F_ECHO,
    NLM_F_EXCL,
    NLM_F_REPLACE,
    NLM_F_REQUEST,
    RTM_DELADDR,
    RTM_GETADDR,
    RTM_NEWADDR,
)
from ..values.addresses import ROWS, Address, addresses_of
from ..values.check import (
    AddressLike,
    Interface,
    InterfaceLike,
    IPAddress,
    check_address,
    check_bool,
    check_interface,
    check_items,
    check_lifetimes,
)
from ..values.enums import AddressFlag
from ..values.links import LinkRef
from ..wire.headers import IFADDRMSG, IfAddrMsg
from ..wire.message import Message
from ..wire.schemas import IFA
from . import Batch, Dump, Operation, Place, Request, about, all_or_nothing, ignoring_errors
from .links import index, index_here, ref_text

_IP = (AF_INET, AF_INET6)
_NODAD, _NOPREFIXROUTE = int(AddressFlag.NODAD), int(AddressFlag.NOPREFIXROUTE)


def addresses(place: Place, link: LinkRef | None = None) -> Operation[list[Address]]:
    """Every address, or those of one link."""
    target = 0 if link is None else (yield from index(place, link))
    out = addresses_of((yield Dump(Message(RTM_GETADDR, header=IfAddrMsg(index=target)), ROWS)))
    return out if not target else [a for a in out if a.link == target]


def _message(mtype: int, flags: int, target: int, iface: Interface, extra: int = 0,
             peer: IPAddress | None = None, lifetimes: tuple[int, int] | None = None) -> Message:
    v4 = iface.version == 4  # (the interface encodes as its address: .ip would make a new one)
    attrs: dict[str, Any] = {"IFA_LOCAL": iface, "IFA_ADDRESS": iface if peer is None else peer}
    if v4 and mtype == RTM_NEWADDR and peer is None and iface.network.prefixlen <= 30:  # like `brd +`
        attrs["IFA_BROADCAST"] = iface.network.broadcast_address
    if extra:
        attrs["IFA_FLAGS"] = extra
    if lifetimes is not None:
        attrs["IFA_CACHEINFO"] = (*lifetimes, 0, 0)  # ifa_prefered, ifa_valid; the stamps are the kernel's
    header = IfAddrMsg(AF_INET if v4 else AF_INET6, iface.network.prefixlen, 0, 0, target)  # (positional:
    return Message(mtype, flags, header=header, attrs=IFA.build(**attrs))                   # ~0.3 µs less)


def _packed(flags: int, extra: int, target: int, iface: Interface) -> tuple[bytes, bytes | None]:
    """The add :func:`add_address` sends for ``iface`` without a peer or lifetimes, and the get of it
    that goes with it for IPv6 (``None`` for IPv4, echoed), as sent (``NLM_F_REQUEST`` added,
    sequence number and port id 0): ``_message(RTM_NEWADDR, flags, target, iface, extra)`` and
    ``_get(target, iface)`` packed whole from the structs' layouts, no Message made."""
    packed, length = iface.packed, iface.network.prefixlen
    if iface.version == 4:
        tail, family, get = b"", AF_INET, None
        if length <= 30:  # the broadcast address `brd +` gives: the address | its hostmask
            tail = _ATTR_IP4(8, IFA_BROADCAST, (int(iface) | 0xFFFFFFFF >> length).to_bytes(4, "big"))
    else:
        tail, family = b"", AF_INET6
        get = _GET(44, RTM_GETADDR, NLM_F_REQUEST, 0, 0, AF_INET6, 0, 0, 0, target, 20, IFA_ADDRESS, packed)
    if extra:
        tail += _ATTR_U32(8, IFA_FLAGS, extra)
    size = 4 + len(packed)
    add = _ADD[family].pack(24 + 2 * size + len(tail), RTM_NEWADDR, flags | NLM_F_REQUEST, 0, 0, family,
                            length, 0, 0, target, size, IFA_LOCAL, packed, size, IFA_ADDRESS, packed)
    return add + tail, get


def _get(target: int, value: Interface) -> Message:
    """A get of the one IPv6 address ``value`` of link ``target`` (see :func:`add_address`)."""
    return Message(RTM_GETADDR, header=IfAddrMsg(AF_INET6, 0, 0, 0, target),
                   attrs=IFA.build(IFA_ADDRESS=value))


# nlmsghdr and struct ifaddrmsg (IFADDRMSG.message), then IFA_LOCAL and IFA_ADDRESS (struct nlattr and the
# address) by family; a get of one address: IFA_ADDRESS alone
_ADD = {AF_INET: struct.Struct(IFADDRMSG.message.format + "HH4sHH4s"),
        AF_INET6: struct.Struct(IFADDRMSG.message.format + "HH16sHH16s")}
_GET = struct.Struct(IFADDRMSG.message.format + "HH16s").pack
_ATTR_IP4, _ATTR_U32 = struct.Struct("=HH4s").pack, struct.Struct("=HHI").pack  # IFA_BROADCAST, IFA_FLAGS
IFA_ADDRESS, IFA_LOCAL, IFA_BROADCAST, IFA_FLAGS = (IFA.by_name[name][0] for name in (  # the schema's numbers
    "IFA_ADDRESS", "IFA_LOCAL", "IFA_BROADCAST", "IFA_FLAGS"))


def _peer(value: Interface, peer: AddressLike | None) -> IPAddress | None:
    if peer is None:
        return None
    address = check_address(peer, "peer")
    if address.version != value.version:
        raise ValueError(f"peer {address} and address {value} are of different IP versions")
    return address


def _listed(found: list[Address], target: int, value: Interface) -> Address:
    """The address ``value`` of link ``target`` among ``found``, as the kernel lists it; EADDRNOTAVAIL
    if it is not there (gone at once: a failed DAD, or deleted meanwhile)."""
    for address in found:
        if address.link == target and address.address == value:
            return address
    raise NetlinkError.from_errno(errno.EADDRNOTAVAIL, "the kernel took the address but does not list it "
                                  "afterwards; it was removed again",
                                  about=f"address {value} on link index {target}")


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


def _about(link: LinkRef, iface: InterfaceLike, *_: object, **__: object) -> str:
    return f"address {iface} on link {ref_text(link)}"


def _read_back(target: int, value: Interface, answer: list[Message] | NetlinkError) -> Address | None:
    """The address just added, as the kernel lists it, from ``answer``: the add's echo (IPv4) or the
    answer to a get of the one address sent in the add's datagram (IPv6, which the kernel does not
    echo); ``None`` if it is not in it (the caller then dumps the link's addresses: doing so after
    every add made n adds quadratic). A refused get fails the add (its caller removes the address
    again)."""
    if isinstance(answer, NetlinkError):
        raise answer
    for m in answer:
        if m.type == RTM_NEWADDR:
            address = Address.from_message(m, value)
            if address.link == target and address.address is value:
                return address
    return None


@about(_about)
def add_address(place: Place, link: LinkRef, iface: InterfaceLike, peer: AddressLike | None = None,
                valid_lft: int | None = None, preferred_lft: int | None = None, noprefixroute: bool = False,
                nodad: bool = False, replace: bool = False) -> Operation[Address]:
    """Add an IPv4 or IPv6 address (``ip addr add IFACE dev LINK``; IPv4 gets the broadcast address
    ``brd +`` would give). Returns the address as the kernel lists it.

    - ``peer``: the other end of a point-to-point address; ``iface``'s prefix length is then the
      peer's (``add_address("ppp0", "198.51.100.1/32", peer="198.51.100.2")`` is
      ``ip addr add 198.51.100.1 peer 198.51.100.2/32 dev ppp0``)
    - ``valid_lft``, ``preferred_lft``: lifetimes in seconds (``None``: forever; ``preferred_lft``
      defaults to ``valid_lft``); the kernel removes the address when ``valid_lft`` runs out
    - ``noprefixroute``: no route for the prefix is added with it
    - ``nodad``: an IPv6 address usable at once, skipping duplicate address detection (handy in labs)
    - ``replace``: update an existing address instead of failing with ``FileExistsError``
    """
    value = check_interface(iface)
    if type(replace) is not bool or type(nodad) is not bool or type(noprefixroute) is not bool:
        check_bool(replace, "replace")  # (which of them is not, and how: the checks say)
        check_bool(nodad, "nodad")
        check_bool(noprefixroute, "noprefixroute")
    other = None if peer is None else _peer(value, peer)
    forever = valid_lft is None and preferred_lft is None
    lifetimes = None if forever else check_lifetimes(valid_lft, preferred_lft)
    ref = index_here(place, link)  # an index or a Link of here: no lookup to run
    target = ref if type(ref) is int else (yield from index(place, ref))
    if getattr(value, "scope_id", None):  # (an IPv4Interface has none)
        value = yield from _unscoped(place, value, target)
    flags, extra = _add_flags(value, noprefixroute, nodad, replace)
    # IPv6 does not echo: a get of the one address goes in the add's datagram, its answer the step's
    get = None if value.version == 4 else _get(target, value)
    try:
        answer = yield Request(_message(RTM_NEWADDR, flags, target, value, extra, other, lifetimes), then=get)
    except (NetlinkError, GeneratorExit):  # refused: nothing was added
        raise
    except BaseException:  # cut short once the kernel took it (see Step: a refusal would come instead)
        yield from _remove(target, value, other)
        raise
    return (yield from _settle(place, target, value, other, answer))


def _add_flags(value: Interface, noprefixroute: bool, nodad: bool, replace: bool) -> tuple[int, int]:
    """An add's nlmsghdr flags and its IFA_FLAGS (ints: no enum ``|``)."""
    v4 = value.version == 4  # IPv4 answers NLM_F_ECHO (Linux >= 6.3)
    flags = NLM_F_CREATE | NLM_F_ACK | (NLM_F_REPLACE if replace else NLM_F_EXCL) | NLM_F_ECHO * v4
    return flags, (_NODAD if nodad and not v4 else 0) | (_NOPREFIXROUTE if noprefixroute else 0)


def _settle(place: Place, target: int, value: Interface, other: IPAddress | None,
            answer: list[Message] | NetlinkError) -> Operation[Address]:
    """The end of an add the kernel took: the address as it lists it, from ``answer`` (see
    :func:`_read_back`) or else a dump; if that fails, the call fails and the address it added goes
    (one it replaced cannot come back)."""
    try:
        address = _read_back(target, value, answer)
        return address or _listed((yield from addresses(place, target)), target, value)
    except GeneratorExit:
        raise
    except BaseException:
        yield from _remove(target, value, other)
        raise


def add_address_at_once(place: Place, run: Callable[[Operation[Any]], Any],
                        request: Callable[[bytes, bytes | None], list[Message] | NetlinkError],
                        args: tuple[Any, ...]) -> Address | None:
    """:func:`add_address` for a blocking driver, ``args`` its arguments but ``place``, in order. An
    address on a link given by its index, without a peer or lifetimes (most adds), is added and read
    back in one exchange of requests packed whole, sent with ``request``
    (:meth:`~rtnl.netlink.NetlinkSocket.request_encoded`), without the operation's generators or a
    Message per request (about half the Python time per add). What follows the add is the
    operation's own code, run with ``run``: the read-back, a dump if that lacks the address, a
    removal if the call fails. ``None`` when nothing was sent: run ``add_address`` then."""
    link, iface, peer, valid_lft, preferred_lft, noprefixroute, nodad, replace = args
    if (type(link) is not int or not 0 < link < 2**31 or peer is not None or valid_lft is not None
            or preferred_lft is not None or type(replace) is not bool or type(nodad) is not bool
            or type(noprefixroute) is not bool):
        return None
    value = check_interface(iface)
    if getattr(value, "scope_id", None):
        return None
    add, get = _packed(*_add_flags(value, noprefixroute, nodad, replace), link, value)
    try:
        try:
            answer = request(add, get)
            found = _read_back(link, value, answer) if type(answer) is list else None  # (_settle's first)
        except NetlinkError:  # refused: nothing was added
            raise
        except BaseException:  # cut short once the kernel took it, or its answer unreadable: as the operation
            run(_remove(link, value, None))
            raise
        address: Address = found or run(_settle(place, link, value, None, answer))
        return address
    except NetlinkError as e:  # named as the operation's @about names it
        if e.about is None:
            e.about = _about(link, iface)
        raise


def _remove(target: int, value: Interface, peer: IPAddress | None) -> Operation[None]:
    """Undo an add: remove the address again, a refusal ignored (the error that made it necessary is
    the one to report)."""
    yield from ignoring_errors(Request(_message(RTM_DELADDR, 0, target, value, peer=peer)))


@about(lambda items: "addresses of add_addresses()")
def add_addresses(place: Place, items: Iterable[tuple[LinkRef, InterfaceLike]]) -> Operation[list[Address]]:
    """Add many addresses, ``(link, iface)`` each, pipelined like ``ip -batch``, and return them as the
    kernel lists them, in order. All or nothing: every pair is checked before anything is sent; if the
    kernel refuses one, those this call added are removed again and the first refusal is raised, as
    when the call is cut short (a cancelled task, Ctrl-C): one dump beforehand tells those it added
    from those that were there already."""
    pairs = []
    for item in check_items(items, "items"):
        if not isinstance(item, tuple) or len(item) != 2:
            raise TypeError(f"add_addresses() takes (link, address) pairs, not {item!r}")
        pairs.append((item[0], check_interface(item[1])))
    known: dict[LinkRef, int] = {}
    msgs = []
    for i, (link, value) in enumerate(pairs):
        if link not in known:
            known[link] = yield from index(place, link)
        if getattr(value, "scope_id", None):  # as add_address: the scope must name this link, and goes
            value = yield from _unscoped(place, value, known[link])
            pairs[i] = link, value
        msgs.append(_message(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, known[link], value))

    def present() -> Operation[set[int]]:  # (an address is known by its link, address and prefix length)
        found = {(a.link, a.address) for a in (yield from addresses(place))}
        return {i for i, (m, (_, value)) in enumerate(zip(msgs, pairs, strict=True))
                if (m.header.index, value) in found}

    yield from all_or_nothing(msgs, lambda m: Message(RTM_DELADDR, header=m.header, attrs=m.attrs),
                              lambda i: f"adding {pairs[i][1]} to {pairs[i][0]!r}", WINDOW, present)
    try:
        found = yield from addresses(place)
        return [_listed(found, m.header.index, value) for m, (_, value) in zip(msgs, pairs, strict=True)]
    except GeneratorExit:
        raise
    except BaseException:  # all or nothing, a failed read-back included
        yield Batch([Message(RTM_DELADDR, header=m.header, attrs=m.attrs) for m in msgs], WINDOW)
        raise


@about(_about)
def delete_address(place: Place, link: LinkRef, iface: InterfaceLike, *,
                   peer: AddressLike | None = None) -> Operation[None]:
    """Remove an address from a link (``EADDRNOTAVAIL`` if it is not there); a point-to-point one is
    named with its ``peer``, as it was added."""
    value = check_interface(iface)
    other = _peer(value, peer)
    target = yield from index(place, link)
    yield Request(_message(RTM_DELADDR, 0, target, (yield from _unscoped(place, value, target)), peer=other))
