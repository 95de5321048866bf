"""Neighbours (ARP / NDP cache entries) and bridge forwarding entries as the kernel reports them:
:class:`Neighbour` and :class:`FdbEntry`.

This module knows RTM_NEWNEIGH messages as values: not sockets or how an entry is added
(``rtnl.ops.neighbours``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..wire.message import Message
from .check import IPAddress
from .enums import NeighbourFlag, NeighbourState


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
        return cls(link=hdr.ifindex, address=attrs["NDA_DST"], lladdr=attrs.get("NDA_LLADDR"),
                   state=NeighbourState(hdr.state),
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
        return cls(link=hdr.ifindex, lladdr=attrs["NDA_LLADDR"], master=attrs.get("NDA_MASTER"),
                   vlan=attrs.get("NDA_VLAN"), state=NeighbourState(hdr.state),
                   flags=NeighbourFlag(hdr.flags))
