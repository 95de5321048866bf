"""Routes as the kernel reports them: :class:`Route`.

This module knows RTM_NEWROUTE messages as values: not sockets or how a route is added
(``rtnl.ops.routes``).
"""

from __future__ import annotations

import ipaddress

from .._fast import member_or_int, network
from ..uapi import AF_INET, RT_TABLE_MAIN
from ..wire.attrs import Attrs
from ..wire.message import Message
from .check import IPAddress, Network
from .enums import Scope
from .specs import _Record

_ANY4, _ANY6 = ipaddress.IPv4Address(0), ipaddress.IPv6Address(0)


class Route(_Record):
    """One route. ``dst`` ``0.0.0.0/0`` or ``::/0`` is the default route; ``link`` is the output index.
    A value (``==``, ``hash``, ``repr``, read-only fields), a tuple underneath as the specs are."""

    _fields = ("dst", "gateway", "link", "table", "protocol", "scope", "metric", "type", "prefsrc", "mtu",
               "advmss")
    __slots__ = ()
    dst: Network
    gateway: IPAddress | None
    link: int | None
    table: int
    protocol: int
    scope: Scope | int
    metric: int | None
    type: int  #: RTN_UNICAST (1, linux/rtnetlink.h) unless told otherwise
    prefsrc: IPAddress | None
    mtu: int | None  #: the path MTU this route sets (RTAX_MTU in RTA_METRICS), if any
    advmss: int | None  #: the TCP MSS advertised over this route (RTAX_ADVMSS), if set

    def __new__(cls, dst: Network, gateway: IPAddress | None = None, link: int | None = None,
                table: int = RT_TABLE_MAIN, protocol: int = 0, scope: Scope | int = Scope.UNIVERSE,
                metric: int | None = None, type: int = 1, prefsrc: IPAddress | None = None,
                mtu: int | None = None, advmss: int | None = None) -> Route:
        return tuple.__new__(cls, (dst, gateway, link, table, protocol, scope, metric, type, prefsrc, mtu,
                                   advmss))

    @property
    def is_default(self) -> bool:
        """Whether this is a default route (``0.0.0.0/0`` or ``::/0``)."""
        return self.dst.prefixlen == 0

    @classmethod
    def from_message(cls, msg: Message) -> Route:
        """The :class:`Route` an RTM_NEWROUTE message describes."""
        hdr, attrs = msg.header, msg.attrs
        assert attrs is not None
        dst = attrs.get("RTA_DST")
        if dst is None:
            dst = _ANY4 if hdr.family == AF_INET else _ANY6
        metrics = attrs.get("RTA_METRICS")
        if not isinstance(metrics, Attrs):
            metrics = None
        return cls(
            dst=network(dst, hdr.dst_len),
            gateway=attrs.get("RTA_GATEWAY"),
            link=attrs.get("RTA_OIF"),
            table=attrs.get("RTA_TABLE", hdr.table),
            protocol=hdr.protocol,
            scope=member_or_int(Scope, hdr.scope),
            metric=attrs.get("RTA_PRIORITY"),
            type=hdr.type,
            prefsrc=attrs.get("RTA_PREFSRC"),
            mtu=None if metrics is None else metrics.get("RTAX_MTU"),
            advmss=None if metrics is None else metrics.get("RTAX_ADVMSS"),
        )
