"""``rtnl.connect()``: a NETLINK_ROUTE connection bound to one network namespace, and its API.

:class:`Connection` is the one place that wires the layers together: it owns a
:class:`~rtnl.netlink.NetlinkSocket` opened inside its namespace (the calling thread is switched
for the ``socket()`` call only), and each method runs an operation of :mod:`rtnl.ops` over that
socket with :meth:`Connection.run`, the blocking driver. Nothing here builds a message or reads
one; an asyncio connection drives the same operations.

::

    with rtnl.connect("ns1") as net:
        print([link.name for link in net.links()])
"""

from __future__ import annotations

import _socket  # the socket type without socket.py's enums (see rtnl.netlink)
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from .netlink import NetlinkSocket
from .ops import Inside, Operation, Request, Step, exchanges
from .ops import dump as _dump
from .ops import links as _links
from .ops import request as _request
from .uapi import NETLINK_ROUTE, RT_TABLE_MAIN
from .values.check import check_name
from .values.enums import NeighbourState, RouteType, RuleAction
from .values.links import Link, LinkRef
from .values.specs import SourceMacs, Spec
from .wire.message import Message

if TYPE_CHECKING:  # addresses and routes load on first use: `import rtnl; rtnl.connect` stays cheap
    from .monitor import Monitor
    from .netns import Namespace, NamespaceLike
    from .values.addresses import Address
    from .values.check import AddressLike, InterfaceLike, NetworkLike
    from .values.enums import Group, RoutePref, RouteProtocol, Scope
    from .values.links import BridgeInfo, MacvlanInfo, VethInfo
    from .values.neighbours import FdbEntry, Neighbour
    from .values.routes import Nexthop, Route, RouteSpec
    from .values.rules import Rule
    from .values.specs import Bridge, Macvlan, Veth

__all__ = ["Connection", "LinkRef", "check_name", "connect", "supports_kind"]

_T = TypeVar("_T")
_NETLINK_ROUTE = (_socket.AF_NETLINK, _socket.SOCK_RAW | _socket.SOCK_CLOEXEC, NETLINK_ROUTE)


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
        raw = _socket.socket(*_NETLINK_ROUTE) if namespace is None else ns._raw_socket(*_NETLINK_ROUTE)
        return Connection(NetlinkSocket(raw), ns, owns_namespace=owned)
    except BaseException:
        if raw is not None:
            raw.close()
        if owned:
            ns.close()
        raise


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
        self.namespace_id: tuple[int, int] | None = namespace.ident
        #: whether this kernel answered a create's NLM_F_ECHO (Linux >= 6.3), learned on this connection
        self.kernel_echoes = False
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
        where = self.namespace.name or self.namespace.path or f"inode {self.namespace.ident[1]}"
        return f"<rtnl.Connection namespace={where} portid={self.sock.portid}>"

    # -- the driver ---------------------------------------------------------------------------------
    def run(self, operation: Operation[_T]) -> _T:
        """Run an operation of :mod:`rtnl.ops` to its end over this connection's socket and return
        its result: each step it yields is sent, and the answer (or the kernel's refusal, thrown in
        at the ``yield``) goes back to it."""
        send, throw = operation.send, operation.throw
        answer: Any = None
        failure: BaseException | None = None
        while True:
            try:
                step = send(answer) if failure is None else throw(failure)
            except StopIteration as done:
                return cast(_T, done.value)
            failure = None
            try:
                answer = self._answer(step)
            except BaseException as e:  # thrown in: the operation may roll back, and re-raises
                answer, failure = None, e

    def _answer(self, step: Step) -> Any:
        if isinstance(step, Request):  # (exchanges() would say requesting(); this is it, run directly)
            if step.then is None:
                return self.sock.request(step.message, ack=step.ack)
            return self.sock.request_then(step.message, step.then, ack=step.ack)
        if isinstance(step, Inside):
            with connect(cast("Namespace", step.namespace)) as inside:
                return inside.run(step.operation(inside))
        return self.sock.ask(exchanges(step))

    # -- the low-level escape hatch -----------------------------------------------------------
    def request(self, message: Message) -> list[Message]:
        """Send one codec :class:`~rtnl.codec.Message` (an ack is requested) and return the answers."""
        return self.run(_request(message))

    def dump(self, message: Message) -> list[Message]:
        """Send one dump request and return every message of the dump."""
        return self.run(_dump(message))

    # -- links --------------------------------------------------------------------------------------
    def links(self) -> list[Link]:
        """Every link in the namespace, in index order."""
        return self.run(_links.links(self))

    def link(self, link: LinkRef) -> Link:
        """One link, looked up by the kernel by name (or alternative name), index or :class:`Link`
        (read again). :class:`~rtnl.NetlinkError` (ENODEV) if there is none."""
        return self.run(_links.get(self, link))

    def index(self, link: LinkRef) -> int:
        """The index of a :class:`Link`, a name or an index (a name costs one kernel lookup).

        :raises ValueError: ``link`` is a :class:`Link` read in another namespace (its index means
            another link here), or an index out of range.
        """
        if type(link) is int and 0 < link < 2**31:  # an index, the common case: no operation to run
            return link
        return self.run(_links.index(self, link))

    @overload
    def add(self, spec: Macvlan) -> Link[MacvlanInfo]: ...
    @overload
    def add(self, spec: Veth) -> Link[VethInfo]: ...
    @overload
    def add(self, spec: Bridge) -> Link[BridgeInfo]: ...
    def add(self, spec: Spec) -> Link:
        """Create a :class:`~rtnl.Macvlan`, :class:`~rtnl.Macvtap`, :class:`~rtnl.Veth`,
        :class:`~rtnl.Bridge` or :class:`~rtnl.Vxlan` and return it; see :func:`rtnl.ops.links.add`."""
        if self.__class__.run is Connection.run:  # most macvlans: one create sent at once (as add_route)
            link = _links.add_at_once(self, self.run, self.sock.request_encoded, spec)
            if link is not None:
                return link
        return self.run(_links.add(self, spec))

    def add_many(self, specs: Iterable[Spec]) -> list[Link]:
        """Create many links here, pipelined like ``ip -batch``, all or nothing; see
        :func:`rtnl.ops.links.add_many`."""
        return self.run(_links.add_many(self, specs))

    def set(self, link: LinkRef, *, up: bool | None = None, name: str | None = None, mtu: int | None = None,
            address: str | None = None, promisc: bool | None = None, txqlen: int | None = None,
            group: int | None = None, master: LinkRef | None = None,
            source_macs: Sequence[str] | SourceMacs | None = None) -> Link:
        """Change a link and return it; see :func:`rtnl.ops.links.set_link`."""
        return self.run(_links.set_link(self, link, up=up, name=name, mtu=mtu, address=address,
                                        promisc=promisc, txqlen=txqlen, group=group, master=master,
                                        source_macs=source_macs))

    def move(self, link: LinkRef, namespace: NamespaceLike | int, *, name: str | None = None) -> None:
        """Move a link into another namespace (a Namespace, name, path or pid), optionally renaming it."""
        self.run(_links.move(self, link, namespace, name=name))

    def delete(self, link: LinkRef) -> None:
        """Delete a link."""
        self.run(_links.delete(self, link))

    def delete_many(self, links: Iterable[LinkRef]) -> None:
        """Delete many links in one kernel transaction; see :func:`rtnl.ops.links.delete_many`."""
        self.run(_links.delete_many(self, links))

    def set_bridge_port(self, link: LinkRef, *, hairpin: bool) -> Link:
        """Turn a bridge port's hairpin mode on or off."""
        return self.run(_links.set_bridge_port(self, link, hairpin=hairpin))

    # -- addresses ----------------------------------------------------------------------------------
    def addresses(self, link: LinkRef | None = None) -> list[Address]:
        """Every address, or those of one link."""
        from .ops import addresses

        return self.run(addresses.addresses(self, link))

    def add_address(self, link: LinkRef, iface: InterfaceLike, *, peer: AddressLike | None = None,
                    valid_lft: int | None = None, preferred_lft: int | None = None,
                    noprefixroute: bool = False, nodad: bool = False, replace: bool = False) -> Address:
        """Add an IPv4/IPv6 address to a link; see :func:`rtnl.ops.addresses.add_address`."""
        import rtnl.ops.addresses as addresses  # (absolute: ~0.3 µs less than a relative import, each call)

        # (positional, in the operation's order: keywords through its @about wrapper cost ~1 µs a call)
        args = (link, iface, peer, valid_lft, preferred_lft, noprefixroute, nodad, replace)
        # most adds are one exchange, sent at once (as in add_route); where run() is another's, it runs the
        # operation
        if self.__class__.run is Connection.run:
            address = addresses.add_address_at_once(self, self.run, self.sock.request_encoded, args)
            if address is not None:
                return address
        return self.run(addresses.add_address(self, *args))

    def add_addresses(self, items: Iterable[tuple[LinkRef, InterfaceLike]]) -> list[Address]:
        """Add many ``(link, address)`` pairs, pipelined, all or nothing; see
        :func:`rtnl.ops.addresses.add_addresses`."""
        from .ops import addresses

        return self.run(addresses.add_addresses(self, items))

    def delete_address(self, link: LinkRef, iface: InterfaceLike, *, peer: AddressLike | None = None) -> None:
        """Remove an address from a link (a point-to-point one with its ``peer``)."""
        from .ops import addresses

        self.run(addresses.delete_address(self, link, iface, peer=peer))

    # -- routes ---------------------------------------------------------------------------------------
    def routes(self, *, table: int = RT_TABLE_MAIN) -> list[Route]:
        """The routes of one table (default: main) or of all (:data:`rtnl.ALL_TABLES`), IPv4 and IPv6,
        without cached clones."""
        from .ops import routes

        return self.run(routes.routes(self, table=table))

    def add_route(self, dst: NetworkLike, *, gateway: AddressLike | None = None, link: LinkRef | None = None,
                  table: int = RT_TABLE_MAIN, metric: int | None = None, replace: bool = False,
                  onlink: bool = False, prefsrc: AddressLike | None = None,
                  type: RouteType | str = RouteType.UNICAST,
                  protocol: RouteProtocol | str | int | None = None, scope: Scope | str | int | None = None,
                  nexthops: Iterable[Nexthop] | None = None,
                  mtu: int | None = None, advmss: int | None = None, hoplimit: int | None = None,
                  pref: RoutePref | str | None = None) -> None:
        """Add (or with ``replace`` update) a route; ``dst`` may be ``"default"``. Multipath with
        ``nexthops``, ``blackhole``/``unreachable``/``prohibit``/``throw`` by ``type``, ``onlink``,
        ``prefsrc``, metrics and IPv6 ``pref``: see :func:`rtnl.ops.routes.add_route`."""
        import rtnl.ops.routes as routes  # (absolute: ~0.3 µs less than a relative import, each call)

        # (positional, in the operation's order: keywords through its @about wrapper cost ~1 µs a call)
        args = (dst, gateway, link, table, metric, replace, onlink, prefsrc, type, protocol, scope, nexthops,
                mtu, advmss, hoplimit, pref)
        # most routes are one request, sent at once as run() would send it; where run() is another's (a
        # subclass's, rtnl.aio's stand-in's, which runs the operation on its loop) it is handed the operation
        if not (self.__class__.run is Connection.run and routes.add_route_at_once(self.sock.request, args)):
            self.run(routes.add_route(self, *args))

    def add_routes(self, specs: Iterable[RouteSpec]) -> None:
        """Add many routes (:class:`~rtnl.RouteSpec` each), pipelined, all or nothing; see
        :func:`rtnl.ops.routes.add_routes`."""
        from .ops import routes

        self.run(routes.add_routes(self, specs))

    def delete_route(self, dst: NetworkLike, *, gateway: AddressLike | None = None,
                     link: LinkRef | None = None, table: int = RT_TABLE_MAIN, metric: int | None = None,
                     type: RouteType | str | None = None, protocol: RouteProtocol | str | int | None = None,
                     scope: Scope | str | int | None = None, onlink: bool = False,
                     prefsrc: AddressLike | None = None, nexthops: Iterable[Nexthop] | None = None) -> None:
        """Delete a route; arguments left out match any value."""
        from .ops import routes

        self.run(routes.delete_route(self, dst, gateway=gateway, link=link, table=table, metric=metric,
                                     type=type, protocol=protocol, scope=scope, onlink=onlink,
                                     prefsrc=prefsrc, nexthops=nexthops))

    # -- route lookups (`ip route get`) ------------------------------------------------------------------
    def route_get(self, dst: AddressLike, *, src: AddressLike | None = None, iif: LinkRef | None = None,
                  oif: LinkRef | None = None, mark: int | None = None) -> Route:
        """The route the kernel picks for a packet to ``dst``, as ``ip route get``; see
        :func:`rtnl.ops.routes.route_get`."""
        from .ops import routes

        return self.run(routes.route_get(self, dst, src=src, iif=iif, oif=oif, mark=mark))

    # -- neighbours and the bridge forwarding table ---------------------------------------------------
    def neighbours(self, link: LinkRef | None = None, *, family: int | None = None,
                   proxy: bool = False) -> list[Neighbour]:
        """The neighbours (``ip neigh``); see :func:`rtnl.ops.neighbours.neighbours`."""
        from .ops import neighbours

        return self.run(neighbours.neighbours(self, link, family=family, proxy=proxy))

    def add_neighbour(self, link: LinkRef, address: AddressLike, lladdr: str | None = None, *,
                      state: NeighbourState | str = NeighbourState.PERMANENT, replace: bool = False,
                      proxy: bool = False) -> Neighbour:
        """Add (or with ``replace`` update) a neighbour; see :func:`rtnl.ops.neighbours.add_neighbour`."""
        from .ops import neighbours

        return self.run(neighbours.add_neighbour(self, link, address, lladdr, state=state, replace=replace,
                                                 proxy=proxy))

    def delete_neighbour(self, link: LinkRef, address: AddressLike, *, proxy: bool = False) -> None:
        """Delete a neighbour (``ip neigh del``), or with ``proxy`` a proxy entry."""
        from .ops import neighbours

        self.run(neighbours.delete_neighbour(self, link, address, proxy=proxy))

    def flush_neighbours(self, link: LinkRef | None = None, *, family: int | None = None) -> int:
        """Delete the dynamic neighbours; see :func:`rtnl.ops.neighbours.flush_neighbours`."""
        from .ops import neighbours

        return self.run(neighbours.flush_neighbours(self, link, family=family))

    def fdb(self, bridge: LinkRef | None = None) -> list[FdbEntry]:
        """The bridge forwarding table (``bridge fdb show [br BRIDGE]``)."""
        from .ops import neighbours

        return self.run(neighbours.fdb(self, bridge))

    # -- policy rules -----------------------------------------------------------------------------------
    def rules(self, *, family: int | None = None) -> list[Rule]:
        """The policy rules (``ip rule``), of one IP version (4 or 6) if given."""
        from .ops import rules

        return self.run(rules.rules(self, family=family))

    def add_rule(self, *, priority: int | None = None, src: NetworkLike | None = None,
                 dst: NetworkLike | None = None, iif: str | None = None, oif: str | None = None,
                 fwmark: int | None = None, table: int | None = None,
                 action: RuleAction | str = RuleAction.TO_TBL, family: int | None = None) -> None:
        """Add a policy rule; see :func:`rtnl.ops.rules.add_rule`."""
        from .ops import rules

        self.run(rules.add_rule(self, priority=priority, src=src, dst=dst, iif=iif, oif=oif, fwmark=fwmark,
                                table=table, action=action, family=family))

    def delete_rule(self, *, priority: int | None = None, src: NetworkLike | None = None,
                    dst: NetworkLike | None = None, iif: str | None = None, oif: str | None = None,
                    fwmark: int | None = None, table: int | None = None,
                    action: RuleAction | str = RuleAction.TO_TBL, family: int | None = None) -> None:
        """Delete the first matching policy rule; see :func:`rtnl.ops.rules.delete_rule`."""
        from .ops import rules

        self.run(rules.delete_rule(self, priority=priority, src=src, dst=dst, iif=iif, oif=oif, fwmark=fwmark,
                                   table=table, action=action, family=family))

    # -- events ---------------------------------------------------------------------------------------
    def monitor(self, *groups: Group | int, rcvbuf: int | None = None) -> Monitor:
        """A :class:`~rtnl.monitor.Monitor` of this namespace's link, address and route events (or of
        ``groups``), on its own socket; see :mod:`rtnl.monitor`."""
        from .monitor import open_monitor

        return open_monitor(self.namespace, groups, rcvbuf=rcvbuf)


def supports_kind(kind: str) -> bool:
    """Whether the running kernel can create links of ``kind`` ("macvlan", "vxlan", "dummy"...).

    Asks the kernel itself, in a fresh anonymous namespace that is thrown away afterwards (so nothing
    is created anywhere else): a kind it knows gets past the type lookup (the kernel loads its
    module on demand where it may), an unknown one fails with "Unknown device type".
    """
    if not isinstance(kind, str) or not kind:
        raise TypeError("kind is a non-empty str such as 'macvlan'")
    from .netns import Namespace

    with Namespace.anonymous() as ns, connect(ns) as probe:
        return probe.run(_links.probe_kind(probe, kind))
