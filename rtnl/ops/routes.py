"""Route operations (RTM_*ROUTE): list, add and delete routes.

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
    RTM_GETROUTE,
    RTM_NEWROUTE,
    RTN_UNICAST,
    RTPROT_BOOT,
)
from ..values.check import (
    AddressLike,
    NetworkLike,
    check_address,
    check_bool,
    check_int,
    check_network,
    check_table,
)
from ..values.enums import Scope
from ..values.links import LinkRef
from ..values.routes import Route
from ..wire.headers import RtMsg
from ..wire.message import Message
from ..wire.schemas import RTA
from . import Dump, Operation, Place, Request, about
from .links import index, ref_text


@about(lambda *, table=RT_TABLE_MAIN: f"routes of table {table}")
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


def _about(dst: NetworkLike, *, gateway: AddressLike | None = None, link: LinkRef | None = None,
           table: int = RT_TABLE_MAIN, **_: object) -> str:
    via = f" via {gateway}" * (gateway is not None) + f" dev {ref_text(link)}" * (link is not None)
    return f"route {dst}{via}" + f" table {table}" * (table != RT_TABLE_MAIN)


@about(_about)
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
    flags = NLM_F_CREATE | (NLM_F_REPLACE if check_bool(replace, "replace") else NLM_F_EXCL)
    yield Request((yield from _route(place, RTM_NEWROUTE, flags, dst, gateway, link, table, metric, scope,
                                     mtu, advmss)))


@about(_about)
def delete_route(place: Place, dst: NetworkLike, *, gateway: AddressLike | None = None,
                 link: LinkRef | None = None, table: int = RT_TABLE_MAIN,
                 metric: int | None = None) -> Operation[None]:
    """Delete the route matching these arguments (``ip route del``); omitted ones match any."""
    yield Request((yield from _route(place, RTM_DELROUTE, 0, dst, gateway, link, table, metric)))
