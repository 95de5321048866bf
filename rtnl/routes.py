"""Routes (RTM_*ROUTE): the :class:`Route` value and the add/delete operations that
:class:`~rtnl.Connection` exposes."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .addresses import Scope
from .codec import (
    NLM_F_CREATE,
    NLM_F_EXCL,
    NLM_F_REPLACE,
    RT_TABLE_MAIN,
    RTAX,
    RTM_DELROUTE,
    RTM_NEWROUTE,
    RTN_UNICAST,
    RTPROT_BOOT,
    Attrs,
    Message,
    RtMsg,
    enum_or_int,
)

if TYPE_CHECKING:
    from .connection import Connection
    from .links import LinkRef

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
        dst = attrs.get("RTA_DST")
        if dst is None:
            dst = "0.0.0.0" if hdr.family == AF_INET else "::"
        metrics = attrs.get("RTA_METRICS")
        if not isinstance(metrics, Attrs):
            metrics = None
        return cls(
            dst=ipaddress.ip_network(f"{dst}/{hdr.dst_len}"),
            gateway=attrs.get("RTA_GATEWAY"),
            link=attrs.get("RTA_OIF"),
            table=attrs.get("RTA_TABLE", hdr.table),
            protocol=hdr.protocol,
            scope=enum_or_int(Scope, hdr.scope),
            metric=attrs.get("RTA_PRIORITY"),
            type=hdr.type,
            prefsrc=attrs.get("RTA_PREFSRC"),
            mtu=None if metrics is None else metrics.get("RTAX_MTU"),
            advmss=None if metrics is None else metrics.get("RTAX_ADVMSS"),
        )


def check_table(table: object) -> int:
    """A routing table id (1..2**32-1; 254 is main), or ``ValueError``/``TypeError`` before sending."""
    if not isinstance(table, int) or isinstance(table, bool):
        raise TypeError(f"table is an int, not {type(table).__name__}")
    if not 0 < table < 2**32:
        raise ValueError(f"table must be in 1..{2**32 - 1}, not {table}")
    return table


NetworkLike = str | Network
AddressLike = str | IPAddress


def _route(net: Connection, mtype: int, flags: int, dst: NetworkLike, gateway: AddressLike | None,
           link: LinkRef | None, table: int, metric: int | None, scope: Scope | int | None = None,
           mtu: int | None = None, advmss: int | None = None) -> Message:
    gw = None
    if gateway is not None:
        if not isinstance(gateway, (str, ipaddress.IPv4Address, ipaddress.IPv6Address)):
            raise TypeError(f"gateway is a str or an ipaddress address, not {type(gateway).__name__}")
        gw = ipaddress.ip_address(gateway)
    if dst == "default":
        network: Network = ipaddress.ip_network("::/0" if gw is not None and gw.version == 6 else "0.0.0.0/0")
    elif isinstance(dst, (str, ipaddress.IPv4Network, ipaddress.IPv6Network)):
        network = ipaddress.ip_network(dst)  # strict: host bits set is a ValueError, as with `ip route`
    else:
        raise TypeError(f"dst is 'default', a str or an ipaddress network, not {type(dst).__name__}")
    if gw is not None and gw.version != network.version:
        raise ValueError(f"gateway {gw} and destination {network} are of different IP versions")
    check_table(table)
    if metric is not None and (not isinstance(metric, int) or not 0 <= metric < 2**32):
        raise ValueError(f"metric must be in 0..{2**32 - 1}, not {metric!r}")
    metrics = {}
    for key, value, low in (("RTAX_MTU", mtu, 68), ("RTAX_ADVMSS", advmss, 1)):
        if value is not None:
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"{key[5:].lower()} is an int, not {type(value).__name__}")
            if not low <= value < 2**31:
                raise ValueError(f"{key[5:].lower()} must be in {low}..{2**31 - 1}, not {value}")
            metrics[key] = value
    if mtype == RTM_NEWROUTE and gw is None and link is None:
        raise ValueError("a route needs a gateway or a link (or both)")
    v4 = network.version == 4
    if scope is None:  # no gateway: on-link; a delete matches any scope, as `ip route del` does
        on_link = v4 and gw is None
        scope = Scope.NOWHERE if mtype == RTM_DELROUTE else Scope.LINK if on_link else Scope.UNIVERSE
    elif not isinstance(scope, int) or not 0 <= scope <= 255:
        raise ValueError(f"scope must be a Scope or 0..255, not {scope!r}")
    header = RtMsg(family=AF_INET if v4 else AF_INET6, dst_len=network.prefixlen,
                   table=table if table < 256 else 0, protocol=RTPROT_BOOT if mtype == RTM_NEWROUTE else 0,
                   scope=scope, type=RTN_UNICAST if mtype == RTM_NEWROUTE else 0)
    msg = Message(mtype, flags, header=header)
    assert msg.attrs is not None
    attrs = msg.attrs
    attrs.append("RTA_TABLE", table)
    if network.prefixlen:
        attrs.append("RTA_DST", network.network_address)
    if gw is not None:
        attrs.append("RTA_GATEWAY", gw)
    if link is not None:
        attrs.append("RTA_OIF", net.index(link))
    if metric is not None:
        attrs.append("RTA_PRIORITY", metric)
    if metrics:
        attrs.append("RTA_METRICS", RTAX.build(**metrics))
    return msg


def add_route(net: Connection, dst: NetworkLike, *, gateway: AddressLike | None = None,
              link: LinkRef | None = None, table: int = RT_TABLE_MAIN, metric: int | None = None,
              replace: bool = False, scope: Scope | int | None = None, mtu: int | None = None,
              advmss: int | None = None) -> None:
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
    net.sock.request(_route(net, RTM_NEWROUTE, flags, dst, gateway, link, table, metric, scope, mtu, advmss))


def delete_route(net: Connection, dst: NetworkLike, *, gateway: AddressLike | None = None,
                 link: LinkRef | None = None, table: int = RT_TABLE_MAIN, metric: int | None = None) -> None:
    """Delete the route matching these arguments (``ip route del``); omitted ones match any."""
    net.sock.request(_route(net, RTM_DELROUTE, 0, dst, gateway, link, table, metric))
