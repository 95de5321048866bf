"""Neighbour operations (RTM_*NEIGH): list, add, delete and flush ARP / NDP entries (proxy entries
too), and read the bridge forwarding table (AF_BRIDGE neighbours, ``bridge fdb``).

Generators run by a driver (see :mod:`rtnl.ops`); this module knows how a neighbour becomes a
request, not sockets or ``Connection``.
"""

from __future__ import annotations

from typing import Any

from ..errors import NetlinkError
from ..uapi import (
    AF_BRIDGE,
    AF_INET,
    AF_INET6,
    NLM_F_CREATE,
    NLM_F_EXCL,
    NLM_F_REPLACE,
    NTF_PROXY,
    NUD_NOARP,
    NUD_PERMANENT,
    RTM_DELNEIGH,
    RTM_GETNEIGH,
    RTM_NEWNEIGH,
)
from ..values.check import AddressLike, check_address, check_bool, check_family, check_lladdr
from ..values.enums import NeighbourState
from ..values.links import LinkRef
from ..values.neighbours import FdbEntry, Neighbour
from ..wire.headers import NdMsg
from ..wire.message import Message
from ..wire.schemas import NDA
from . import Batch, Dump, Operation, Place, Request
from .links import index, links

FLUSH_WINDOW = 64  # deletes per datagram when flushing


def neighbours(place: Place, link: LinkRef | None = None, *, family: int | None = None,
               proxy: bool = False) -> Operation[list[Neighbour]]:
    """The IPv4 and IPv6 neighbours in every state, NOARP ones (multicast...) included, as
    ``ip neigh show nud all`` lists them; of one link and one IP version (4 or 6) if given. With
    ``proxy`` the proxy entries instead (``ip neigh show proxy``)."""
    af = check_family(family)
    check_bool(proxy, "proxy")
    target = 0 if link is None else (yield from index(place, link))
    header = NdMsg(family=af or 0, flags=NTF_PROXY if proxy else 0)
    msgs = yield Dump(Message(RTM_GETNEIGH, header=header))
    out = []
    for m in msgs:
        h = m.header
        if m.type != RTM_NEWNEIGH or h.family not in (AF_INET, AF_INET6) or (af and h.family != af):
            continue
        if (target and h.ifindex != target) or bool(h.flags & NTF_PROXY) != proxy:
            continue
        out.append(Neighbour.from_message(m))
    return out


def add_neighbour(place: Place, link: LinkRef, address: AddressLike, lladdr: str | None = None, *,
                  state: NeighbourState | str = NeighbourState.PERMANENT, replace: bool = False,
                  proxy: bool = False) -> Operation[Neighbour]:
    """Add a neighbour entry (``ip neigh add ADDRESS lladdr LLADDR dev LINK nud STATE``); ``state`` is
    a :class:`NeighbourState` or its name (``"reachable"``). ``replace`` updates an existing entry
    (``ip neigh replace``) instead of failing with ``FileExistsError``. With ``proxy`` it is a proxy
    ARP / NDP entry (``ip neigh add proxy ADDRESS dev LINK``), which takes no ``lladdr``. Returns the
    entry as the kernel lists it."""
    ip = check_address(address, "address")
    mac = None if lladdr is None else check_lladdr(lladdr)
    nud = NeighbourState.parse(state)
    check_bool(replace, "replace")
    check_bool(proxy, "proxy")
    if proxy and mac is not None:
        raise ValueError("a proxy entry takes no lladdr")
    if not proxy and mac is None and not nud & (NUD_NOARP | NUD_PERMANENT):
        raise ValueError(f"a {nud.name} neighbour needs an lladdr")
    target = yield from index(place, link)
    flags = NLM_F_CREATE | (NLM_F_REPLACE if replace else NLM_F_EXCL)
    attrs: dict[str, Any] = {"NDA_DST": ip}
    if mac is not None:
        attrs["NDA_LLADDR"] = mac
    yield Request(_message(RTM_NEWNEIGH, flags, target, ip.version, proxy, int(nud), attrs))
    found = yield from neighbours(place, target, family=ip.version, proxy=proxy)
    return next(n for n in found if n.address == ip)


def delete_neighbour(place: Place, link: LinkRef, address: AddressLike, *,
                     proxy: bool = False) -> Operation[None]:
    """Delete a neighbour entry (``ip neigh del ADDRESS dev LINK``; ``proxy``: a proxy entry)."""
    ip = check_address(address, "address")
    check_bool(proxy, "proxy")
    target = yield from index(place, link)
    yield Request(_message(RTM_DELNEIGH, 0, target, ip.version, proxy, 0, {"NDA_DST": ip}))


def flush_neighbours(place: Place, link: LinkRef | None = None, *,
                     family: int | None = None) -> Operation[int]:
    """Delete the dynamic neighbours (all but PERMANENT and NOARP ones, as ``ip neigh flush``
    chooses), of one link and IP version if given; returns how many went away (an entry that
    vanished on its own meanwhile is not counted)."""
    found = yield from neighbours(place, link, family=family)
    doomed = [n for n in found if not n.state & (NUD_NOARP | NUD_PERMANENT)]
    if not doomed:
        return 0
    deletes = [_message(RTM_DELNEIGH, 0, n.link, n.address.version, False, 0, {"NDA_DST": n.address})
               for n in doomed]
    answers = yield Batch(deletes, FLUSH_WINDOW)
    return sum(not isinstance(a, NetlinkError) for a in answers)


def _message(mtype: int, flags: int, target: int, version: int, proxy: bool, state: int,
             attrs: dict[str, Any]) -> Message:
    header = NdMsg(family=AF_INET if version == 4 else AF_INET6, ifindex=target, state=state,
                   flags=NTF_PROXY if proxy else 0)
    return Message(mtype, flags, header=header, attrs=NDA.build(**attrs))


def fdb(place: Place, bridge: LinkRef | None = None) -> Operation[list[FdbEntry]]:
    """The bridge forwarding table (``bridge fdb show``): every AF_BRIDGE entry, or those of one
    bridge, as ``bridge fdb show br BRIDGE`` lists them: the bridge's own entries and every entry on
    one of its ports (learned ones, static ones, and the ports' own ``self`` entries)."""
    devices = set()
    if bridge is not None:
        target = yield from index(place, bridge)
        devices = {target} | {link.index for link in (yield from links(place)) if link.master == target}
    msgs = yield Dump(Message(RTM_GETNEIGH, header=NdMsg(family=AF_BRIDGE)))
    out = [FdbEntry.from_message(m) for m in msgs if m.type == RTM_NEWNEIGH and m.header.family == AF_BRIDGE]
    return out if bridge is None else [e for e in out if e.link in devices]
