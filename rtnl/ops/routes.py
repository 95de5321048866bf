"""Route operations (RTM_*ROUTE): list, add and delete routes; look one up (``ip route get``).

Generators run by a driver (see :mod:`rtnl.ops`); this module knows how a route becomes a request,
not sockets or ``Connection``.
"""

from __future__ import annotations

from typing import Any

from ..uapi import (
    AF_INET,
    AF_INET6,
    NLM_F_CREATE,
    NLM_F_EXCL,
    NLM_F_REPLACE,
    RT_TABLE_MAIN,
    RTM_DELROUTE,
    RTM_F_CLONED,
    RTM_F_LOOKUP_TABLE,
    RTM_GETROUTE,
    RTM_NEWROUTE,
    RTN_UNICAST,
    RTPROT_BOOT,
)
from ..values.check import (
    AddressLike,
    NetworkLike,
    check_address,
    check_int,
    check_network,
    check_table,
    check_u32,
)
from ..values.enums import Scope
from ..values.links import LinkRef, check_ref
from ..values.routes import Route
from ..wire.headers import RtMsg
from ..wire.message import Message
from ..wire.schemas import RTA
from . import Dump, Operation, Place, Request
from .links import index


def routes(place: Place, *, table: int = RT_TABLE_MAIN) -> Operation[list[Route]]:
    """The routes of one table (default: main), IPv4 and IPv6, without cached clones."""
    check_table(table)
    header = RtMsg(table=table if table < 256 else 0)
    msgs = yield Dump(Message(RTM_GETROUTE, header=header, attrs=RTA.build(RTA_TABLE=table)))
    out = []
    for m in msgs:
        if m.type != RTM_NEWROUTE or m.header.flags & RTM_F_CLONED:
            continue
        route = Route.from_message(m)
        if route.table == table:
            out.append(route)
    return out


def _route(place: Place, mtype: int, flags: int, dst: NetworkLike, gateway: AddressLike | None,
           link: LinkRef | None, table: int, metric: int | None, scope: Scope | int | None = None,
           mtu: int | None = None, advmss: int | None = None) -> Operation[Message]:
    gw = None if gateway is None else check_address(gateway, "gateway")
    network = check_network(dst, "dst", default_version=6 if gw is not None and gw.version == 6 else 4)
    if gw is not None and gw.version != network.version:
        raise ValueError(f"gateway {gw} and destination {network} are of different IP versions")
    check_table(table)
    if metric is not None:
        check_int(metric, "metric", 0, 2**32 - 1)
    metrics = {}
    for key, value, low in (("RTAX_MTU", mtu, 68), ("RTAX_ADVMSS", advmss, 1)):
        if value is not None:
            metrics[key] = check_int(value, key[5:].lower(), low, 2**31 - 1)
    if mtype == RTM_NEWROUTE and gw is None and link is None:
        raise ValueError("a route needs a gateway or a link (or both)")
    v4 = network.version == 4
    if scope is None:  # no gateway: on-link; a delete matches any scope, as `ip route del` does
        on_link = v4 and gw is None
        scope = Scope.NOWHERE if mtype == RTM_DELROUTE else Scope.LINK if on_link else Scope.UNIVERSE
    else:
        scope = check_int(scope, "scope", 0, 255)
    attrs: dict[str, Any] = {"RTA_TABLE": table}
    if network.prefixlen:
        attrs["RTA_DST"] = network.network_address
    if gw is not None:
        attrs["RTA_GATEWAY"] = gw
    if link is not None:
        attrs["RTA_OIF"] = yield from index(place, link)
    if metric is not None:
        attrs["RTA_PRIORITY"] = metric
    if metrics:
        attrs["RTA_METRICS"] = metrics
    header = RtMsg(family=AF_INET if v4 else AF_INET6, dst_len=network.prefixlen,
                   table=table if table < 256 else 0, protocol=RTPROT_BOOT if mtype == RTM_NEWROUTE else 0,
                   scope=int(scope), type=RTN_UNICAST if mtype == RTM_NEWROUTE else 0)
    return Message(mtype, flags, header=header, attrs=RTA.build(**attrs))


def add_route(place: Place, dst: NetworkLike, *, gateway: AddressLike | None = None,
              link: LinkRef | None = None, table: int = RT_TABLE_MAIN, metric: int | None = None,
              replace: bool = False, scope: Scope | int | None = None, mtu: int | None = None,
              advmss: int | None = None) -> Operation[None]:
    """Add a route (``ip route add``); ``dst`` may be ``"default"`` (IPv6 when the gateway is).
    Without a gateway the route is on-link through ``link`` (scope link for IPv4, as ``ip route``
    chooses; pass ``scope`` to override, e.g. :attr:`Scope.UNIVERSE` as the CNI plugins do).
    ``replace`` updates an existing route (``ip route replace``) instead of failing with
    ``FileExistsError``. ``mtu`` and ``advmss`` set the route's metrics (``ip route ... mtu N
    advmss M``; what CNI 1.1.0 routes carry)::

        net.add_route("default", gateway="198.51.100.1")
        net.add_route("203.0.113.0/24", link="mv0", mtu=1400, advmss=1360)
    """
    flags = NLM_F_CREATE | (NLM_F_REPLACE if replace else NLM_F_EXCL)
    yield Request((yield from _route(place, RTM_NEWROUTE, flags, dst, gateway, link, table, metric, scope,
                                     mtu, advmss)))


def delete_route(place: Place, dst: NetworkLike, *, gateway: AddressLike | None = None,
                 link: LinkRef | None = None, table: int = RT_TABLE_MAIN,
                 metric: int | None = None) -> Operation[None]:
    """Delete the route matching these arguments (``ip route del``); omitted ones match any."""
    yield Request((yield from _route(place, RTM_DELROUTE, 0, dst, gateway, link, table, metric)))


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
