"""Neighbours (ARP / NDP cache entries) and bridge forwarding entries as the kernel reports them:
:class:`Neighbour` and :class:`FdbEntry`.

This module knows RTM_NEWNEIGH messages as values: not sockets or how an entry is added
(``rtnl.ops.neighbours``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DecodeError
from ..wire.message import Message
from ..wire.schemas import NDA
from .check import IPAddress
from .enums import NeighbourFlag, NeighbourState

# strict (see Attrs.pick): a payload of the wrong size is a DecodeError naming the attribute
_NEIGHBOUR = NDA.picker("NDA_DST", "NDA_LLADDR")
_FDB = NDA.picker("NDA_LLADDR", "NDA_MASTER", "NDA_VLAN")


@dataclass(frozen=True, slots=True)
class Neighbour:
    """One neighbour entry (``ip neigh``): ``link`` is the interface index, ``lladdr`` the
    link-layer address (``None`` while unresolved, and for proxy entries)."""

    link: int
    address: IPAddress
    lladdr: str | None = None
    state: NeighbourState = NeighbourState(0)  # noqa: RUF009 (an immutable IntFlag)
    flags: NeighbourFlag = NeighbourFlag(0)  # noqa: RUF009

    @property
    def proxy(self) -> bool:
        """Whether this is a proxy ARP / NDP entry (``ip neigh add proxy ADDR dev LINK``)."""
        return bool(self.flags & NeighbourFlag.PROXY)

    @classmethod
    def from_message(cls, msg: Message) -> Neighbour:
        """The :class:`Neighbour` an RTM_NEWNEIGH message (AF_INET or AF_INET6) describes."""
        hdr, attrs = msg.header, msg.attrs
        assert attrs is not None
        address, lladdr = attrs.pick(_NEIGHBOUR)
        if address is None:
            raise DecodeError("NDA_DST: missing")
        return cls(link=hdr.ifindex, address=address, lladdr=lladdr, state=NeighbourState(hdr.state),
                   flags=NeighbourFlag(hdr.flags))


@dataclass(frozen=True, slots=True)
class FdbEntry:
    """One bridge forwarding entry (``bridge fdb``): ``lladdr`` is reached through port ``link``
    (an interface index) of bridge ``master`` (``None`` for a port's own ``self`` entries)."""

    link: int
    lladdr: str
    master: int | None = None
    vlan: int | None = None
    state: NeighbourState = NeighbourState(0)  # noqa: RUF009
    flags: NeighbourFlag = NeighbourFlag(0)  # noqa: RUF009

    @classmethod
    def from_message(cls, msg: Message) -> FdbEntry:
        """The :class:`FdbEntry` an AF_BRIDGE RTM_NEWNEIGH message describes."""
        hdr, attrs = msg.header, msg.attrs
        assert attrs is not None
        lladdr, master, vlan = attrs.pick(_FDB)
        if lladdr is None:
            raise DecodeError("NDA_LLADDR: missing")
        return cls(link=hdr.ifindex, lladdr=lladdr, master=master, vlan=vlan, state=NeighbourState(hdr.state),
                   flags=NeighbourFlag(hdr.flags))
