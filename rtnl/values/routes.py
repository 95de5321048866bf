"""Routes as the kernel reports them: :class:`Route`.

This module knows RTM_NEWROUTE messages as values: not sockets or how a route is added
(``rtnl.ops.routes``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .._fast import member_or_int
from ..uapi import AF_INET, RT_TABLE_MAIN
from ..wire.message import Message
from ..wire.schemas import RTA, RTAX
from .addresses import prefix
from .check import IPAddress, Network
from .enums import Scope

# strict (see Attrs.pick): a payload of the wrong size is a DecodeError naming the attribute
_FIELDS = RTA.picker("RTA_DST", "RTA_GATEWAY", "RTA_OIF", "RTA_TABLE", "RTA_PRIORITY", "RTA_PREFSRC",
                     "RTA_METRICS")
_METRICS = RTAX.picker("RTAX_MTU", "RTAX_ADVMSS")
_NETWORKS: tuple[type[Network], type[Network]] = (ipaddress.IPv4Network, ipaddress.IPv6Network)


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
    mtu: int | None = None  #: the path MTU this route sets (RTAX_MTU in RTA_METRICS), if any
    advmss: int | None = None  #: the TCP MSS advertised over this route (RTAX_ADVMSS), if set

    @property
    def is_default(self) -> bool:
        """Whether this is a default route (``0.0.0.0/0`` or ``::/0``)."""
        return self.dst.prefixlen == 0

    @classmethod
    def from_message(cls, msg: Message) -> Route:
        """The :class:`Route` an RTM_NEWROUTE message describes."""
        hdr, attrs = msg.header, msg.attrs
        assert attrs is not None
        dst, gateway, link, table, metric, prefsrc, metrics = attrs.pick(_FIELDS)
        if dst is None:  # the default route
            dst = ipaddress.IPv4Address(0) if hdr.family == AF_INET else ipaddress.IPv6Address(0)
        mtu, advmss = (None, None) if metrics is None else metrics.pick(_METRICS)
        return cls(
            dst=prefix(_NETWORKS, dst, hdr.dst_len, "RTA_DST"),  # host bits set: DecodeError
            gateway=gateway,
            link=link,
            table=hdr.table if table is None else table,
            protocol=hdr.protocol,
            scope=member_or_int(Scope, hdr.scope),
            metric=metric,
            type=hdr.type,
            prefsrc=prefsrc,
            mtu=mtu,
            advmss=advmss,
        )
