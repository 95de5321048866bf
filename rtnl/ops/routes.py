"""Route operations (RTM_*ROUTE): list, add and delete routes, one or many; look one up
(``ip route get``).

Generators run by a driver (see :mod:`rtnl.ops`); this module knows how a route becomes a request,
not sockets or ``Connection``.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable
from ipaddress import IPv4Address, IPv6Address
from typing import Any

from ..errors import NetlinkError
from ..netlink import WINDOW
from ..uapi import (
    AF_INET,
    AF_INET6,
    IP6_RT_PRIO_USER,
    NLM_F_CREATE,
    NLM_F_EXCL,
    NLM_F_REPLACE,
    RT_TABLE_MAIN,
    RTM_DELROUTE,
    RTM_F_LOOKUP_TABLE,
    RTM_GETROUTE,
    RTM_NEWROUTE,
    RTNH_F_ONLINK,
)
from ..values.check import (
    AddressLike,
    IPAddress,
    Network,
    NetworkLike,
    check_address,
    check_bool,
    check_byte_or_name,
    check_int,
    check_items,
    check_network,
    check_network_packed,
    check_table,
    check_u32,
    check_weight,
)
from ..values.enums import RoutePref, RouteProtocol, RouteType, Scope
from ..values.links import LinkRef, check_ref
from ..values.routes import ALL_TABLES, ROWS, Nexthop, Route, RouteSpec, routes_of
from ..wire.attrs import view
from ..wire.headers import RtMsg, RtNexthop
from ..wire.message import Message
from ..wire.schemas import RTA
from . import Dump, Operation, Place, Request, about, all_or_nothing
from .links import index, index_here, ref_text

_IP = (AF_INET, AF_INET6)


@about(lambda *, table=RT_TABLE_MAIN: f"routes of table {table}")
def routes(place: Place, *, table: int = RT_TABLE_MAIN) -> Operation[list[Route]]:
    """The routes of one table (default: main), or of every table with :data:`~rtnl.ALL_TABLES`
    (``ip route show table all``), IPv4 and IPv6, without cached clones."""
    if table != ALL_TABLES:
        check_table(table)
    header = RtMsg(table=table if table < 256 else 0)
    attrs = RTA.build(RTA_TABLE=table) if table != ALL_TABLES else None
    return routes_of((yield Dump(Message(RTM_GETROUTE, header=header, attrs=attrs), ROWS)), table)


# --- writing --------------------------------------------------------------------------------------------

_METRICS = (("mtu", "RTAX_MTU", 68, 2**31 - 1), ("advmss", "RTAX_ADVMSS", 1, 2**31 - 1),
            ("hoplimit", "RTAX_HOPLIMIT", 1, 255))
_fields = operator.attrgetter(*RouteSpec.__slots__)  # a RouteSpec's fields in order (no replace)
_HOST_SCOPE = (RouteType.LOCAL, RouteType.NAT)
_LINK_SCOPE = (RouteType.BROADCAST, RouteType.MULTICAST, RouteType.ANYCAST)


def _checked_hop(hop: object, onlink: bool) -> tuple[IPAddress | None, Nexthop]:
    if not isinstance(hop, Nexthop):
        raise TypeError(f"a next hop is a Nexthop, not {type(hop).__name__}")
    gw = None if hop.gateway is None else check_address(hop.gateway, "next hop gateway")
    check_weight(hop.weight)
    if check_bool(hop.onlink, "onlink") or onlink:
        if gw is None or hop.link is None:
            raise ValueError("an onlink next hop needs a gateway and a link")
    elif gw is None and hop.link is None:
        raise ValueError("a next hop needs a gateway or a link (or both)")
    return gw, hop


# RTA_DST's struct rtattr for an IPv4 and an IPv6 address, the packed address to follow
_DST_HEADS = tuple(RTA.build(RTA_DST=zero).encode()[:4] for zero in (IPv4Address(0), IPv6Address(0)))


class _Shape:
    """A route request apart from its destination: every other argument checked (nothing is sent for
    a bad one) and what it makes of the header, attributes and flags. A shape with nothing to look up
    (a link given by its index, no next hops) is made once and kept, its attributes encoded once
    (:func:`_kept_shape`): a thousand routes through one link differ in their destination only."""

    __slots__ = ("adding", "first", "flags", "gw", "headers", "heads", "hops", "metric", "metrics", "mtype",
                 "onlink", "pref", "prefsrc", "table")

    def __init__(self, mtype: int, gateway: Any, link: Any, table: Any, metric: Any, replace: Any,
                 onlink: Any, prefsrc: Any, rtype: Any, protocol: Any, scope: Any, nexthops: Any, mtu: Any,
                 advmss: Any, hoplimit: Any, pref: Any) -> None:
        self.mtype = mtype
        self.adding = adding = mtype == RTM_NEWROUTE
        # an add fails with FileExistsError on a route of the same key, unless it replaces it
        replaced = NLM_F_REPLACE if check_bool(replace, "replace") else NLM_F_EXCL
        self.flags = NLM_F_CREATE | replaced if adding else 0
        if rtype is not None and type(rtype) is not RouteType:
            rtype = RouteType.parse(rtype, "route type")
        self.onlink = onlink = check_bool(onlink, "onlink")
        self.gw = gw = None if gateway is None else check_address(gateway, "gateway")
        self.prefsrc = None if prefsrc is None else check_address(prefsrc, "prefsrc")
        hops = []
        if nexthops is not None:
            if isinstance(nexthops, (str, bytes)) or not nexthops:
                raise ValueError("nexthops is a non-empty sequence of Nexthop")
            if gw is not None or link is not None:
                raise ValueError("give a route either a gateway and link or nexthops, not both")
            hops = [_checked_hop(hop, onlink) for hop in nexthops]
        self.hops = hops
        # an address given, whose version a destination "default" takes
        hop_gw = next((g for g, _ in hops if g is not None), None) if hops else None
        self.first = gw or hop_gw or self.prefsrc
        self.table = table = check_table(table)
        self.metric = None if metric is None else check_int(metric, "metric", 0, 2**32 - 1)
        given = mtu is not None or advmss is not None or hoplimit is not None
        values = (mtu, advmss, hoplimit)
        self.metrics = {key: check_int(value, name, low, high)
                        for value, (name, key, low, high) in zip(values, _METRICS, strict=True)
                        if value is not None} if given else None
        self.pref = None if pref is None else RoutePref.parse(pref, "pref")
        if adding and rtype == RouteType.UNICAST and gw is None and link is None and not hops:
            raise ValueError("a route needs a gateway or a link (or both), or nexthops")
        if onlink and not hops and (gw is None or link is None):
            raise ValueError("an onlink route needs a gateway and a link")
        if protocol is not None:
            protocol = check_byte_or_name(protocol, RouteProtocol.parse, "protocol")
        else:  # what `ip route add` sets; a delete matches any
            protocol = RouteProtocol.BOOT if adding else RouteProtocol.UNSPEC
        if scope is not None:
            scopes = (check_byte_or_name(scope, Scope.parse, "scope"),) * 2
        elif not adding:  # a delete matches any scope, as `ip route del` does
            scopes = (Scope.NOWHERE,) * 2
        elif rtype in _HOST_SCOPE:  # the scope `ip route add` chooses for IPv4 (IPv6 has none)
            scopes = (Scope.HOST, Scope.UNIVERSE)
        elif rtype in _LINK_SCOPE or (rtype == RouteType.UNICAST and gw is None and not hops):
            scopes = (Scope.LINK, Scope.UNIVERSE)
        else:
            scopes = (Scope.UNIVERSE,) * 2
        # an IPv4 and an IPv6 route's rtmsg but dst_len: (family, table, protocol, scope, type, flags)
        self.heads = tuple((family, table if table < 256 else 0, int(protocol), int(route_scope),
                            0 if rtype is None else int(rtype), RTNH_F_ONLINK if onlink and not hops else 0)
                           for family, route_scope in zip((AF_INET, AF_INET6), scopes, strict=True))
        self.headers: dict[int, RtMsg] = {}  # by dst_len + 256 * v6

    def destination(self, dst: object, packed: bytes) -> bool:
        """Whether the destination is IPv6, checked against this shape: ``dst`` as given, ``packed``
        its address checked (:func:`check_network_packed`), or empty for ``"default"``, which takes
        the version of the shape's addresses. Those must be of the destination's."""
        first = self.first
        v6 = len(packed) == 16 if packed else first is not None and first.version == 6
        if first is not None:  # (else there is no address to compare)
            version = 6 if v6 else 4
            for address, what in ((self.gw, "gateway"), (self.prefsrc, "prefsrc"),
                                  *((g, "next hop gateway") for g, _ in self.hops)):
                if address is not None and address.version != version:
                    network = check_network(dst, "dst", default_version=version)
                    raise ValueError(f"{what} {address} and destination {network} are of different IP "
                                     "versions")
        if self.pref is not None and not v6:
            raise ValueError("pref is for IPv6 routes")
        return v6

    def encode(self, oif: int | None, hop_links: list[int]) -> bytes:
        """The attributes but RTA_DST, with the links looked up (``hop_links``: the next hops')."""
        attrs: dict[str, Any] = {"RTA_TABLE": self.table}
        if self.gw is not None:
            attrs["RTA_GATEWAY"] = self.gw
        if oif is not None:
            attrs["RTA_OIF"] = oif
        if self.metric is not None:
            attrs["RTA_PRIORITY"] = self.metric
        if self.prefsrc is not None:
            attrs["RTA_PREFSRC"] = self.prefsrc
        if self.metrics:
            attrs["RTA_METRICS"] = self.metrics
        if self.hops:
            attrs["RTA_MULTIPATH"] = [
                (RtNexthop(RTNH_F_ONLINK if hop.onlink or self.onlink else 0, hop.weight - 1, ifindex),
                 {} if hop_gw is None else {"RTA_GATEWAY": hop_gw})
                for (hop_gw, hop), ifindex in zip(self.hops, hop_links, strict=True)]
        if self.pref is not None:
            attrs["RTA_PREF"] = int(self.pref)
        return RTA.build(**attrs).wire or b""

    def message(self, v6: bool, packed: bytes, dst_len: int, tail: bytes) -> Message:
        """The request for the destination ``packed``/``dst_len`` (:meth:`destination` says ``v6``),
        ``tail`` its other attributes (:meth:`encode`)."""
        header = self.headers.get(dst_len + 256 * v6)  # (a header made once per prefix length)
        if header is None:
            family, table, protocol, scope, rtype, onlink = self.heads[v6]
            header = self.headers[dst_len + 256 * v6] = RtMsg(family, dst_len, 0, 0, table, protocol, scope,
                                                                rtype, onlink)
        data = _DST_HEADS[v6] + packed + tail if dst_len else tail
        attrs = view(RTA, data, 0, len(data))
        attrs.wire = data  # (as Schema.build does: the request's encode takes them as they are)
        return Message(self.mtype, self.flags, header=header, attrs=attrs)


@functools.lru_cache(maxsize=64, typed=True)  # typed: True is no onlink=1, 254.0 no table 254
def _kept_shape(mtype: int, *rest: Any) -> tuple[_Shape, bytes]:
    """The shape of a request with nothing to look up (``rest[1]``, the link, an index or ``None``;
    no next hops), and its attributes but RTA_DST."""
    shape = _Shape(mtype, *rest)
    return shape, shape.encode(rest[1], [])


def _kept_message(mtype: int, spec: tuple[Any, ...]) -> Message | None:
    """The request for ``spec`` (see :func:`_route_message`) from its kept shape, when there is
    nothing to look up; else ``None``, as for an argument that is no key (``_route_message`` then
    says what is wrong with it). No generator: most routes go this way."""
    dst, link = spec[0], spec[2]
    if spec[11] is not None or not (link is None or (type(link) is int and 0 < link < 2**31)):
        return None
    packed, dst_len = (b"", 0) if dst == "default" else check_network_packed(dst, "dst")
    try:
        kept, tail = _kept_shape(mtype, *spec[1:])
    except TypeError:  # an argument of a wrong type, or one that is no key
        return None
    return kept.message(kept.destination(dst, packed), packed, dst_len, tail)


def _route_message(place: Place, mtype: int, spec: tuple[Any, ...],
                   known: dict[LinkRef, int] | None = None) -> Operation[Message]:
    """The request that adds (or deletes) ``spec``, :func:`add_route`'s arguments in order (it makes no
    RouteSpec: ~1.5 µs); every argument is checked, the destination first, before a link lookup.
    ``known`` remembers the links looked up, for a batch."""
    message = _kept_message(mtype, spec)
    if message is not None:
        return message
    dst, link = spec[0], spec[2]
    # (first, as in _kept_message: "default" is of the gateway's version)
    packed, dst_len = (b"", 0) if dst == "default" else check_network_packed(dst, "dst")
    shape = _Shape(mtype, *spec[1:])
    v6 = shape.destination(dst, packed)
    oif = None if link is None else (yield from _index(place, link, known))
    hop_links = []
    for _, hop in shape.hops:
        hop_links.append(0 if hop.link is None else (yield from _index(place, hop.link, known)))
    return shape.message(v6, packed, dst_len, shape.encode(oif, hop_links))


def _index(place: Place, link: LinkRef, known: dict[LinkRef, int] | None) -> Operation[int]:
    ref = index_here(place, link)  # an index or a Link of here: no lookup to run
    if type(ref) is int:
        return ref
    if known is None:
        return (yield from index(place, ref))
    if ref not in known:
        known[ref] = yield from index(place, ref)
    return known[ref]


def _about(dst: NetworkLike, gateway: AddressLike | None = None, link: LinkRef | None = None,
           table: int = RT_TABLE_MAIN, *_: object, **__: object) -> str:
    via = f" via {gateway}" * (gateway is not None) + f" dev {ref_text(link)}" * (link is not None)
    return f"route {dst}{via}" + f" table {table}" * (table != RT_TABLE_MAIN)


@about(_about)
def add_route(place: Place, dst: NetworkLike, gateway: AddressLike | None = None,
              link: LinkRef | None = None, table: int = RT_TABLE_MAIN, metric: int | None = None,
              replace: bool = False, onlink: bool = False, prefsrc: AddressLike | None = None,
              type: RouteType | str = RouteType.UNICAST, protocol: RouteProtocol | str | int | None = None,
              scope: Scope | str | int | None = None, nexthops: Iterable[Nexthop] | None = None,
              mtu: int | None = None, advmss: int | None = None, hoplimit: int | None = None,
              pref: RoutePref | str | None = None) -> Operation[None]:
    """Add a route (``ip route add``); ``dst`` may be ``"default"`` (IPv6 when the gateway is).

    - ``gateway`` and/or ``link``; without a gateway the route is on-link through ``link`` (scope
      link for IPv4, as ``ip route`` chooses; pass ``scope`` to override, e.g. :attr:`Scope.UNIVERSE`
      as the CNI plugins do). ``onlink`` takes the gateway as on the link whatever the addresses say
      (``ip route add ... via GW dev LINK onlink``; it needs both)
    - ``nexthops``: a multipath route instead of ``gateway``/``link``:
      ``[Nexthop("198.51.100.1", "eth0", weight=2), Nexthop("198.51.100.2", "eth0")]``
    - ``type``: a :class:`~rtnl.RouteType` or its name: ``"blackhole"``, ``"unreachable"``,
      ``"prohibit"``, ``"throw"`` need no gateway or link; ``"local"`` delivers to this host
    - ``protocol`` (default ``boot``, as ``ip route``), ``prefsrc`` (the source address to prefer),
      ``metric``, ``table`` (1..2**32-1)
    - ``mtu``, ``advmss``, ``hoplimit``: the route's metrics (``ip route ... mtu N advmss M hoplimit
      H``); ``pref``: an IPv6 route's preference, a :class:`~rtnl.RoutePref` or ``"low"``,
      ``"medium"``, ``"high"``
    - ``replace`` updates an existing route (``ip route replace``) instead of failing with
      ``FileExistsError``

    ::

        net.add_route("default", gateway="198.51.100.1")
        net.add_route("203.0.113.0/24", link="mv0", mtu=1400, advmss=1360)
        net.add_route("192.0.2.0/24", type="blackhole")
    """
    spec = (dst, gateway, link, table, metric, replace, onlink, prefsrc, type, protocol, scope,
            None if nexthops is None else tuple(nexthops), mtu, advmss, hoplimit, pref)
    message = _kept_message(RTM_NEWROUTE, spec)  # (most often: no generator to go through)
    if message is None:
        message = yield from _route_message(place, RTM_NEWROUTE, spec)
    yield Request(message)


def add_route_at_once(request: Callable[[Message], object], args: tuple[Any, ...]) -> bool:
    """:func:`add_route` for a blocking driver, ``args`` its arguments but ``place``, in order: a
    route with nothing to look up (a link given by its index, or none; no next hops), most routes, is
    one request, sent with ``request`` without running the operation's generators (~2 µs of ~5).
    ``request`` raises the kernel's refusal, named here as ``add_route`` names it. ``False`` when
    nothing was sent (a lookup to make, or an argument the operation says what is wrong with): run
    ``add_route`` then."""
    message = _kept_message(RTM_NEWROUTE, args)
    if message is None:
        return False
    try:
        request(message)
    except NetlinkError as e:
        e.about = _about(*args)  # (nothing was looked up, which would have named it already)
        raise
    return True


@about(lambda specs: "routes of add_routes()")
def add_routes(place: Place, specs: Iterable[RouteSpec]) -> Operation[None]:
    """Add many routes, pipelined like ``ip -batch``. All or nothing: every :class:`~rtnl.RouteSpec`
    is checked before anything is sent; if the kernel refuses one, those this call added are deleted
    again and the first refusal is raised, as when the call is cut short (a cancelled task, Ctrl-C):
    one dump of their tables beforehand tells those it added from those that were there already."""
    todo = check_items(specs, "specs")
    for spec in todo:
        if not isinstance(spec, RouteSpec):
            raise TypeError(f"add_routes() takes RouteSpec values, not {type(spec).__name__}")
    known: dict[LinkRef, int] = {}
    msgs = []
    for spec in todo:
        fields = _fields(spec)  # add_route's arguments but replace, which is False
        msgs.append((yield from _route_message(place, RTM_NEWROUTE, (*fields[:5], False, *fields[5:]),
                                               known)))
    keys = [_key(Route.from_message(m)) for m in msgs]
    tables = {table for table, _, _ in keys}

    def present() -> Operation[set[int]]:
        found = {_key(r) for r in (yield from routes(place, table=next(iter(tables)) if len(tables) == 1
                                                     else ALL_TABLES))}
        return {i for i, key in enumerate(keys) if key in found}

    yield from all_or_nothing(msgs, lambda m: Message(RTM_DELROUTE, header=m.header, attrs=m.attrs),
                              lambda i: f"adding route {todo[i].dst}", WINDOW, present)


def _key(route: Route) -> tuple[int, Network, int]:
    """What makes a route another one for the kernel (an add of the same key fails with EEXIST): its
    table, destination and metric (IPv6 gives a route added without one IP6_RT_PRIO_USER)."""
    return route.table, route.dst, route.metric or (IP6_RT_PRIO_USER if route.dst.version == 6 else 0)


@about(_about)
def delete_route(place: Place, dst: NetworkLike, *, gateway: AddressLike | None = None,
                 link: LinkRef | None = None, table: int = RT_TABLE_MAIN, metric: int | None = None,
                 type: RouteType | str | None = None, protocol: RouteProtocol | str | int | None = None,
                 scope: Scope | str | int | None = None, onlink: bool = False,
                 prefsrc: AddressLike | None = None,
                 nexthops: Iterable[Nexthop] | None = None) -> Operation[None]:
    """Delete the route matching these arguments (``ip route del``); omitted ones match any (a
    ``type``, ``protocol`` or ``scope`` left out included)."""
    spec = (dst, gateway, link, table, metric, False, onlink, prefsrc, type, protocol, scope,
            None if nexthops is None else tuple(nexthops), None, None, None, None)
    yield Request((yield from _route_message(place, RTM_DELROUTE, spec)))


# --- route lookups (`ip route get`) ----------------------------------------------------------------------


def route_get(place: Place, dst: AddressLike, *, src: AddressLike | None = None, iif: LinkRef | None = None,
              oif: LinkRef | None = None, mark: int | None = None) -> Operation[Route]:
    """The route the kernel picks for a packet to ``dst`` (``ip route get DST [from SRC] [iif DEV]
    [oif DEV] [mark N]``), as a :class:`~rtnl.Route` whose ``dst`` is ``DST/32`` (``/128``),
    ``table`` the table it was found in and ``prefsrc`` the source address the kernel would use.
    ``iif`` asks as for a packet arriving on that link (from ``src``), ``oif`` as for one bound to
    it, ``mark`` as for one with that firewall mark. No route is :class:`~rtnl.NetlinkError`
    (``ENETUNREACH``...), as ``ip route get`` reports it::

        net.route_get("203.0.113.7").link        # the output link's index
    """
    target = check_address(dst, "dst")
    source = None if src is None else check_address(src, "src")
    if source is not None and source.version != target.version:
        raise ValueError(f"src {source} and dst {target} are of different IP versions")
    for ref, what in ((iif, "iif"), (oif, "oif")):
        if ref is not None:
            check_ref(ref, what)
    attrs: dict[str, Any] = {"RTA_DST": target}
    if source is not None:
        attrs["RTA_SRC"] = source
    if iif is not None:
        attrs["RTA_IIF"] = yield from index(place, iif)
    if oif is not None:
        attrs["RTA_OIF"] = yield from index(place, oif)
    if mark is not None:
        attrs["RTA_MARK"] = check_u32(mark, "mark")
    bits, v4 = target.max_prefixlen, target.version == 4  # strict kernels take full-length dst/src only
    header = RtMsg(family=AF_INET if v4 else AF_INET6, dst_len=bits,
                   src_len=bits if source is not None else 0,
                   flags=RTM_F_LOOKUP_TABLE if v4 else 0)  # IPv6 refuses the flag but reports the table
    replies = yield Request(Message(RTM_GETROUTE, header=header, attrs=RTA.build(**attrs)))
    return Route.from_message(next(m for m in replies if m.type == RTM_NEWROUTE))
