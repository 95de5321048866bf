"""Routes (RTM_*ROUTE): the :class:`Route` value."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .addresses import Scope, scope_of
from .codec import RT_TABLE_MAIN, Message

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

AF_INET, AF_INET6 = 2, 10  # linux/socket.h


@dataclass(frozen=True, slots=True)
class Route:
    """One route. ``dst`` ``0.0.0.0/0`` or ``::/0`` is the default route; ``link`` is the output index."""

    dst: Network
    gateway: IPAddress | None = None
    link: int | None = None
    table: int = RT_TABLE_MAIN
    protocol: int = 0
    scope: Scope | int = Scope.UNIVERSE
    metric: int | None = None
    type: int = 1  #: RTN_UNICAST (linux/rtnetlink.h)
    prefsrc: IPAddress | None = None

    @property
    def is_default(self) -> bool:
        return self.dst.prefixlen == 0

    @classmethod
    def from_message(cls, msg: Message) -> Route:
        """The :class:`Route` an RTM_NEWROUTE message describes."""
        hdr, attrs = msg.header, msg.attrs
        assert attrs is not None
        dst = attrs.get("RTA_DST")
        if dst is None:
            dst = "0.0.0.0" if hdr.family == AF_INET else "::"
        return cls(
            dst=ipaddress.ip_network(f"{dst}/{hdr.dst_len}"),
            gateway=attrs.get("RTA_GATEWAY"),
            link=attrs.get("RTA_OIF"),
            table=attrs.get("RTA_TABLE", hdr.table),
            protocol=hdr.protocol,
            scope=scope_of(hdr.scope),
            metric=attrs.get("RTA_PRIORITY"),
            type=hdr.type,
            prefsrc=attrs.get("RTA_PREFSRC"),
        )
