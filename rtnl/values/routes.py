"""Routes as the kernel reports them (:class:`Route`, with its :class:`Nexthop`\\ s), and what to add
(:class:`RouteSpec`, the arguments of ``add_route`` as one value, for ``add_routes``).

This module knows RTM_NEWROUTE messages as values: not sockets or how a route is added
(``rtnl.ops.routes``).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .._fast import members, pick_spans, unfrozen
from ..errors import DecodeError
from ..uapi import (
    AF_INET,
    AF_INET6,
    RT_TABLE_MAIN,
    RT_TABLE_UNSPEC,
    RTM_F_CLONED,
    RTM_NEWROUTE,
    RTNH_F_ONLINK,
)
from ..wire.attrs import Attrs, Body
from ..wire.message import Message, rows
from ..wire.schemas import RTA, RTAX
from .addresses import NETWORK, _new, prefix_at
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
ROWS = rows(RTM_NEWROUTE, _FIELDS)
"""How a dump of routes is read (:class:`rtnl.ops.Dump`), for :func:`routes_of`."""
_rows_of = ROWS.row.iter_unpack
_IP = (AF_INET, AF_INET6)


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
        attrs = msg.attrs
        assert attrs is not None
        buf, spans, parent = attrs.locate(_FIELDS)
        return route_of(buf, (0, msg.type, msg.flags, msg.seq, msg.pid, 0, 0, *msg.header, *spans), parent)


def route_of(buf: bytes, row: tuple[int, ...], parent: Attrs | None = None) -> Route:
    """The :class:`Route` one row of an RTM_NEWROUTE message describes (:data:`ROWS`: the row of a
    dump, or of one message as ``from_message`` makes it, with ``parent`` its attributes)."""
    (status, _, _, _, _, start, end, family, dst_len, _, _, htable, protocol, scope, rtype, rflags,
     ds, de, gs, ge, ls, le, ts, te, ms, me, ps, pe, xs, xe, hs, he, rs, re) = row
    if status:  # its attributes are badly framed: say how
        pick_spans(buf, start, end, _FIELDS.types, RTA.name)
    if (xs or hs) and parent is None:  # a nest is read from its parent
        parent = Attrs.over(RTA, buf, start, end)
    route: Any = _new(_Filling)  # made a Route below: see rtnl._fast.unfrozen
    if not ds:  # the default route: the all-zeros address, 4 or 16 bytes of _ZEROS from byte 4 on
        buf_dst, ds, de = _ZEROS, 4, 8 if family == AF_INET else 20
    else:
        buf_dst = buf
    route.dst = prefix_at(NETWORK, buf_dst, ds, de, dst_len, "RTA_DST")  # host bits set: DecodeError
    route.gateway = _gateway_of(buf, gs, ge, parent) if gs else None
    route.link = _U32(buf, ls)[0] if le - ls == 4 else _absent(ls, le, "RTA_OIF")
    route.table = _U32(buf, ts)[0] if te - ts == 4 else _absent(ts, te, "RTA_TABLE", htable)
    route.protocol = _PROTOCOLS.get(protocol, protocol)
    route.scope = _SCOPES.get(scope, scope)
    route.metric = _U32(buf, ms)[0] if me - ms == 4 else _absent(ms, me, "RTA_PRIORITY")
    route.type = _TYPES.get(rtype, rtype)
    route.prefsrc = _prefsrc_of(buf, ps, pe, parent) if ps else None
    if xs:
        route.mtu, route.advmss, route.hoplimit = _metrics_of(buf, xs, xe, parent).pick(_METRICS)
    else:
        route.mtu = route.advmss = route.hoplimit = None
    route.onlink = bool(rflags & RTNH_F_ONLINK)
    hops = _hops_of(buf, hs, he, parent) if hs else ()
    route.nexthops = tuple(map(Nexthop.from_body, hops)) if isinstance(hops, tuple) else ()
    route.pref = None if not rs else _PREFS.get(pref := _pref_of(buf, rs, re, parent), pref)
    route.__class__ = Route
    return route  # type: ignore[no-any-return]


def routes_of(answer: list[tuple[bytes, bytes]], table: int = RT_TABLE_UNSPEC) -> list[Route]:
    """The routes of a dump read in :data:`ROWS` (of ``table`` only, unless ``RT_TABLE_UNSPEC``), as
    ``ip route`` shows them: of the IPv4 and IPv6 unicast tables only, no cached clones
    (RTM_F_CLONED), no multicast (RTNL_FAMILY_IPMR/IP6MR) or other families' routes, which are not
    routes of IP networks."""
    out = [route_of(buf, row) for buf, rows in answer for row in _rows_of(rows)
           if row[1] == RTM_NEWROUTE and row[7] in _IP and not row[15] & RTM_F_CLONED]  # type, family, flags
    return out if table == RT_TABLE_UNSPEC else [route for route in out if route.table == table]


_gateway_of, _prefsrc_of, _metrics_of, _hops_of, _pref_of = (_FIELDS.decoders[i] for i in (1, 5, 6, 7, 8))
_ZEROS = bytes(24)  # the all-zeros address, 4 or 16 bytes of it from byte 4 on: the default route's dst
_U32 = struct.Struct("=I").unpack_from
_Filling = unfrozen(Route)
_PROTOCOLS, _SCOPES, _TYPES, _PREFS = map(members, (RouteProtocol, Scope, RouteType, RoutePref))


def _absent(start: int, end: int, what: str, default: int | None = None) -> int | None:
    """A u32 field whose attribute is not 4 bytes long: ``default`` if absent, else a DecodeError."""
    if start:
        raise DecodeError(f"{what}: {end - start} bytes are not a 4-byte integer")
    return default


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
