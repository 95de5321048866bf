"""``rtnl.connect()``: a NETLINK_ROUTE connection bound to one network namespace, and its API.

A :class:`Connection` wraps one :class:`~rtnl.netlink.NetlinkSocket`. The socket is created inside
the requested namespace and stays bound to it for its whole life (the calling thread is switched for
the ``socket()`` call only). Reads live here; the write operations are implemented next to their
values in :mod:`rtnl.links`, :mod:`rtnl.addresses`, :mod:`rtnl.routes` and :mod:`rtnl.monitor`; the
methods here only delegate.

::

    with rtnl.connect("ns1") as net:
        print([link.name for link in net.links()])
"""

from __future__ import annotations

import _socket  # the socket type without socket.py's enums (see rtnl.netlink)
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from . import codec
from . import links as _links
from .codec import (
    IFLA,
    RT_TABLE_MAIN,
    RTEXT_FILTER_SKIP_STATS,
    RTEXT_FILTER_VF,
    RTM_GETADDR,
    RTM_GETLINK,
    RTM_GETROUTE,
    IfAddrMsg,
    IfInfoMsg,
    Message,
    RtMsg,
)
from .links import IFNAMSIZ, Link, LinkRef, SourceMacs, Spec, check_index, check_name
from .netlink import NetlinkSocket

if TYPE_CHECKING:  # addresses and routes load on first use: `import rtnl; rtnl.connect` stays cheap
    from .addresses import Address, InterfaceLike, Scope
    from .monitor import Group, Monitor
    from .netns import Namespace, NamespaceLike
    from .routes import AddressLike, NetworkLike, Route

__all__ = ["IFNAMSIZ", "Connection", "LinkRef", "check_name", "connect"]

RTM_F_CLONED = 0x200  # linux/rtnetlink.h: a cached (cloned) route, not one of the table's own
_EXT_MASK = RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS


def connect(namespace: NamespaceLike | None = None) -> Connection:
    """A connection to the kernel's rtnetlink in ``namespace`` (default: the caller's own).

    ``namespace`` is a :class:`~rtnl.Namespace`, a name under the run dir, or a path such as
    ``/proc/1234/ns/net``. No process is forked and the calling thread is left where it was.
    With ``None`` the connection holds the calling thread's namespace from now on (its
    :meth:`~Connection.monitor` opens there too, whichever thread asks).
    """
    from .netns import Namespace, check_thread, resolve

    if namespace is None:
        check_thread()  # a thread stuck in a foreign namespace must not open sockets there
        ns, owned = Namespace.current(), True
    else:
        ns, owned = resolve(namespace)
    raw = None
    try:
        raw = _socket.socket(*_NETLINK_ROUTE) if namespace is None else ns.socket(*_NETLINK_ROUTE)
        return Connection(NetlinkSocket(raw), ns, owns_namespace=owned)
    except BaseException:
        if raw is not None:
            raw.close()
        if owned:
            ns.close()
        raise


_NETLINK_ROUTE = (_socket.AF_NETLINK, _socket.SOCK_RAW | _socket.SOCK_CLOEXEC, codec.NETLINK_ROUTE)


class Connection:
    """Requests to one namespace's rtnetlink. A context manager; safe to share between threads.

    ``namespace`` is where ``sock`` lives; ``None`` means the calling thread's namespace, opened
    here (prefer :func:`connect`). Links it reads carry that namespace's identity
    (:attr:`Link.namespace_id <rtnl.Link.namespace_id>`), and every method taking a link refuses
    one read in another namespace with ``ValueError``.
    """

    def __init__(self, sock: NetlinkSocket, namespace: Namespace | None = None, *,
                 owns_namespace: bool = False) -> None:
        if namespace is None:
            from .netns import Namespace

            try:
                namespace, owns_namespace = Namespace.current(), True
            except BaseException:
                sock.close()
                raise
        self.sock = sock
        self.namespace: Namespace = namespace
        self.namespace_id: tuple[int, int] = namespace.ident
        self._owns_namespace = owns_namespace

    def close(self) -> None:
        """Close the socket (and the namespace handle, if this connection opened it)."""
        self.sock.close()
        if self._owns_namespace:
            self.namespace.close()
            self._owns_namespace = False

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self.namespace.name or self.namespace.path or f"inode {self.namespace_id[1]}"
        return f"<rtnl.Connection namespace={where} portid={self.sock.portid}>"

    # -- the low-level escape hatch -----------------------------------------------------------
    def request(self, message: Message) -> list[Message]:
        """Send one codec :class:`~rtnl.codec.Message` (an ack is requested) and return the answers."""
        return self.sock.request(message)

    def dump(self, message: Message) -> list[Message]:
        """Send one dump request and return every message of the dump."""
        return self.sock.dump(message)

    # -- links --------------------------------------------------------------------------------------
    def links(self) -> list[Link]:
        """Every link in the namespace, in index order."""
        request = Message(RTM_GETLINK, header=IfInfoMsg(), attrs=IFLA.build(IFLA_EXT_MASK=_EXT_MASK))
        return Link._all(self.sock.dump(request), self.namespace_id)

    def link(self, link: LinkRef) -> Link:
        """One link, looked up by the kernel by name (or alternative name), index or :class:`Link`
        (read again). :class:`~rtnl.NetlinkError` (ENODEV) if there is none."""
        if isinstance(link, Link):
            link = self.index(link)
        return Link.from_message(self.sock.request(_getlink(link))[0], self.namespace_id)

    def index(self, link: LinkRef) -> int:
        """The index of a :class:`Link`, a name or an index (a name costs one kernel lookup).

        :raises ValueError: ``link`` is a :class:`Link` read in another namespace (its index means
            another link here), or an index out of range.
        """
        if type(link) is int and 0 < link < 2**31:  # an index, the common case: no call
            return link
        if isinstance(link, Link):
            if link.namespace_id not in (None, self.namespace_id):
                raise ValueError(f"link {link.name!r} (index {link.index}) was read in another network "
                                 f"namespace than this connection's; look it up here by name instead")
            return link.index
        if isinstance(link, int) and not isinstance(link, bool):
            return check_index(link)
        return self.link(link).index

    # -- addresses ----------------------------------------------------------------------------------
    def addresses(self, link: LinkRef | None = None) -> list[Address]:
        """Every address, or those of one link."""
        index = 0 if link is None else self.index(link)
        msgs = self.sock.dump(Message(RTM_GETADDR, header=IfAddrMsg(index=index)))
        from .addresses import Address

        out = [Address.from_message(m) for m in msgs if m.type == codec.RTM_NEWADDR]
        return out if not index else [a for a in out if a.link == index]

    # -- routes ---------------------------------------------------------------------------------------
    def routes(self, *, table: int = RT_TABLE_MAIN) -> list[Route]:
        """The routes of one table (default: main), IPv4 and IPv6, without cached clones."""
        from .routes import Route, check_table

        check_table(table)
        header = RtMsg(table=table if table < 256 else 0)
        msgs = self.sock.dump(Message(RTM_GETROUTE, header=header, attrs=codec.RTA.build(RTA_TABLE=table)))
        out = []
        for m in msgs:
            if m.type != codec.RTM_NEWROUTE or m.header.flags & RTM_F_CLONED:
                continue
            route = Route.from_message(m)
            if route.table == table:
                out.append(route)
        return out

    # -- link writes (rtnl.links) ------------------------------------------------------------------
    def add(self, spec: Spec) -> Link:
        """Create a :class:`~rtnl.Macvlan`, :class:`~rtnl.Macvtap`, :class:`~rtnl.Veth` or
        :class:`~rtnl.Bridge` and return it; see :func:`rtnl.links.add`."""
        return _links.add(self, spec)

    def add_many(self, specs: Iterable[Spec]) -> list[Link]:
        """Create many links here, pipelined like ``ip -batch``, all or nothing; see
        :func:`rtnl.links.add_many`."""
        return _links.add_many(self, specs)

    def set(self, link: LinkRef, *, up: bool | None = None, name: str | None = None, mtu: int | None = None,
            address: str | None = None, promisc: bool | None = None, txqlen: int | None = None,
            group: int | None = None, master: LinkRef | None = None,
            source_macs: Sequence[str] | SourceMacs | None = None) -> Link:
        """Change a link and return it; see :func:`rtnl.links.set_link`."""
        return _links.set_link(self, link, up=up, name=name, mtu=mtu, address=address, promisc=promisc,
                              txqlen=txqlen, group=group, master=master, source_macs=source_macs)

    def move(self, link: LinkRef, namespace: NamespaceLike | int, *, name: str | None = None) -> None:
        """Move a link into another namespace (a Namespace, name, path or pid), optionally renaming it."""
        _links.move(self, link, namespace, name=name)

    def delete(self, link: LinkRef) -> None:
        """Delete a link."""
        _links.delete(self, link)

    def delete_many(self, links: Iterable[LinkRef]) -> None:
        """Delete many links in one kernel transaction; see :func:`rtnl.links.delete_many`."""
        _links.delete_many(self, links)

    def set_bridge_port(self, link: LinkRef, *, hairpin: bool) -> Link:
        """Turn a bridge port's hairpin mode on or off."""
        return _links.set_bridge_port(self, link, hairpin=hairpin)

    # -- address and route writes -------------------------------------------------------------------
    def add_address(self, link: LinkRef, iface: InterfaceLike, *, replace: bool = False,
                    nodad: bool = False) -> Address:
        """Add an IPv4/IPv6 address to a link; see :func:`rtnl.addresses.add_address`."""
        from .addresses import add_address

        return add_address(self, link, iface, replace=replace, nodad=nodad)

    def delete_address(self, link: LinkRef, iface: InterfaceLike) -> None:
        """Remove an address from a link."""
        from .addresses import delete_address

        delete_address(self, link, iface)

    def add_route(self, dst: NetworkLike, *, gateway: AddressLike | None = None, link: LinkRef | None = None,
                  table: int = RT_TABLE_MAIN, metric: int | None = None, replace: bool = False,
                  scope: Scope | int | None = None, mtu: int | None = None,
                  advmss: int | None = None) -> None:
        """Add (or with ``replace`` update) a route; ``dst`` may be ``"default"``; ``scope`` overrides
        the one ``ip route`` would choose (link for an IPv4 route without a gateway); ``mtu`` and
        ``advmss`` are the route's metrics. See :func:`rtnl.routes.add_route`."""
        from .routes import add_route

        add_route(self, dst, gateway=gateway, link=link, table=table, metric=metric, replace=replace,
                  scope=scope, mtu=mtu, advmss=advmss)

    def delete_route(self, dst: NetworkLike, *, gateway: AddressLike | None = None,
                     link: LinkRef | None = None, table: int = RT_TABLE_MAIN,
                     metric: int | None = None) -> None:
        """Delete a route; arguments left out match any value."""
        from .routes import delete_route

        delete_route(self, dst, gateway=gateway, link=link, table=table, metric=metric)

    # -- events ---------------------------------------------------------------------------------------
    def monitor(self, *groups: Group | int, rcvbuf: int | None = None) -> Monitor:
        """A :class:`~rtnl.monitor.Monitor` of this namespace's link, address and route events (or of
        ``groups``), on its own socket; see :mod:`rtnl.monitor`."""
        from .monitor import open_monitor

        return open_monitor(self.namespace, groups, rcvbuf=rcvbuf)


def _getlink(link: str | int) -> Message:
    if isinstance(link, int) and not isinstance(link, bool):
        return Message(RTM_GETLINK, header=IfInfoMsg(index=check_index(link)),
                       attrs=IFLA.build(IFLA_EXT_MASK=_EXT_MASK))
    name = check_name(link, lookup=True)
    key = "IFLA_IFNAME" if len(name.encode()) < IFNAMSIZ else "IFLA_ALT_IFNAME"  # 16..127 bytes: an altname
    return Message(RTM_GETLINK, attrs=IFLA.build(**{key: name, "IFLA_EXT_MASK": _EXT_MASK}))

