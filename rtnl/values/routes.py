"""Routes as the kernel reports them (:class:`Route`, with its :class:`Nexthop`\\ s), and what to add
(:class:`RouteSpec`, the arguments of ``add_route`` as one value, for ``add_routes``).

This module knows RTM_NEWROUTE messages as values: not sockets or how a route is added
(``rtnl.ops.routes``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from .._fast import ip_network_of, member_or_int
from ..uapi import AF_INET, RT_TABLE_MAIN, RT_TABLE_UNSPEC, RTNH_F_ONLINK
from ..wire.attrs import Body
from ..wire.message import Message
from ..wire.schemas import RTA, RTAX
from .addresses import _new, prefix, slot_stores
from .check import AddressLike, IPAddress, Network, NetworkLike
from .enums import RoutePref, RouteProtocol, RouteType, Scope
from .links import LinkRef

ALL_TABLES = RT_TABLE_UNSPEC
"""``routes(table=ALL_TABLES)``: the routes of every table, as ``ip route show table all``."""


@dataclass(frozen=True, slots=True)
class Nexthop:
    """One next hop of a multipath route (``ip route add ... nexthop via GATEWAY dev LINK weight W``).

    Given: ``gateway`` an address or ``None``, ``link`` a :class:`~rtnl.Link`, name or index (at
    least one of the two), ``weight`` 1..256, ``onlink`` as a route's. Read back: ``gateway`` an
    :mod:`ipaddress` address and ``link`` an index."""

    gateway: AddressLike | None = None
    link: LinkRef | None = None
    weight: int = 1
    onlink: bool = False

    @classmethod
    def from_body(cls, hop: Body) -> Nexthop:
        """The next hop one ``struct rtnexthop`` and its attributes describe."""
        header, attrs = hop
        return cls(gateway=attrs.get("RTA_GATEWAY"), link=header.ifindex or None, weight=header.hops + 1,
                   onlink=bool(header.flags & RTNH_F_ONLINK))


# strict (see Attrs.pick): a payload of the wrong size is a DecodeError naming the attribute
_FIELDS = RTA.picker("RTA_DST", "RTA_GATEWAY", "RTA_OIF", "RTA_TABLE", "RTA_PRIORITY", "RTA_PREFSRC",
                     "RTA_METRICS", "RTA_MULTIPATH", "RTA_PREF")
_METRICS = RTAX.picker("RTAX_MTU", "RTAX_ADVMSS", "RTAX_HOPLIMIT")


@dataclass(frozen=True, slots=True)
class Route:
    """One route. ``dst`` ``0.0.0.0/0`` or ``::/0`` is the default route; ``link`` is the output index.

    A multipath route has its next hops in ``nexthops`` (and ``gateway``/``link`` ``None``); ``onlink``
    is the route's own flag (a multipath route's hops carry theirs). ``mtu``, ``advmss`` and
    ``hoplimit`` are its metrics (RTA_METRICS), ``pref`` an IPv6 route's preference."""

    dst: Network
    gateway: IPAddress | None = None
    link: int | None = None
    table: int = RT_TABLE_MAIN
    protocol: RouteProtocol | int = RouteProtocol.UNSPEC
    scope: Scope | int = Scope.UNIVERSE
    metric: int | None = None
    type: RouteType | int = RouteType.UNICAST
    prefsrc: IPAddress | None = None
    mtu: int | None = None  #: the path MTU this route sets (RTAX_MTU in RTA_METRICS), if any
    advmss: int | None = None  #: the TCP MSS advertised over this route (RTAX_ADVMSS), if set
    onlink: bool = False  #: RTNH_F_ONLINK: the gateway is taken as on the link (``ip route ... onlink``)
    nexthops: tuple[Nexthop, ...] = ()  #: a multipath route's next hops (RTA_MULTIPATH)
    hoplimit: int | None = None  #: RTAX_HOPLIMIT, if set
    pref: RoutePref | int | None = None  #: RTA_PREF (IPv6), if the kernel reports one

    @property
    def is_default(self) -> bool:
        """Whether this is a default route (``0.0.0.0/0`` or ``::/0``)."""
        return self.dst.prefixlen == 0

    @classmethod
    def from_message(cls, msg: Message) -> Route:
        """The :class:`Route` an RTM_NEWROUTE message describes."""
        hdr, attrs = msg.header, msg.attrs
        assert attrs is not None
        dst, gateway, link, table, metric, prefsrc, metrics, hops, pref = attrs.pick(_FIELDS)
        if dst is None:  # the default route
            dst = ipaddress.IPv4Address(0) if hdr.family == AF_INET else ipaddress.IPv6Address(0)
        mtu, advmss, hoplimit = (None, None, None) if metrics is None else metrics.pick(_METRICS)
        route: Route = _new(cls)  # without __init__: see slot_stores
        _dst(route, prefix(ip_network_of, dst, hdr.dst_len, "RTA_DST"))  # host bits set: DecodeError
        _gateway(route, gateway)
        _link(route, link)
        _table(route, hdr.table if table is None else table)
        _protocol(route, member_or_int(RouteProtocol, hdr.protocol))
        _scope(route, member_or_int(Scope, hdr.scope))
        _metric(route, metric)
        _type(route, member_or_int(RouteType, hdr.type))
        _prefsrc(route, prefsrc)
        _mtu(route, mtu)
        _advmss(route, advmss)
        _onlink(route, bool(hdr.flags & RTNH_F_ONLINK))
        _nexthops(route, tuple(map(Nexthop.from_body, hops)) if isinstance(hops, tuple) else ())
        _hoplimit(route, hoplimit)
        _pref(route, None if pref is None else member_or_int(RoutePref, pref))
        return route


(_dst, _gateway, _link, _table, _protocol, _scope, _metric, _type, _prefsrc, _mtu, _advmss, _onlink,
 _nexthops, _hoplimit, _pref) = slot_stores(Route, "dst gateway link table protocol scope metric type "
                                                   "prefsrc mtu advmss onlink nexthops hoplimit pref")


@dataclass(frozen=True, slots=True)
class RouteSpec:
    """A route to add, for :meth:`~rtnl.Connection.add_routes`: the arguments of
    :meth:`~rtnl.Connection.add_route` as one value, checked when it is sent::

        net.add_routes([RouteSpec("203.0.113.0/24", gateway="198.51.100.1"),
                        RouteSpec("192.0.2.0/24", type="blackhole")])
    """

    dst: NetworkLike
    gateway: AddressLike | None = None
    link: LinkRef | None = None
    table: int = RT_TABLE_MAIN
    metric: int | None = None
    onlink: bool = False
    prefsrc: AddressLike | None = None
    type: RouteType | str | None = RouteType.UNICAST  #: None: any type (for a delete)
    protocol: RouteProtocol | str | int | None = None
    scope: Scope | str | int | None = None
    nexthops: Sequence[Nexthop] | None = None
    mtu: int | None = None
    advmss: int | None = None
    hoplimit: int | None = None
    pref: RoutePref | str | None = None
