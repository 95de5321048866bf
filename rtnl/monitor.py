"""Events: what ``ip monitor`` shows, as typed values, on a socket of its own.

:meth:`Connection.monitor() <rtnl.Connection.monitor>` returns a :class:`Monitor` subscribed to the
link, address and route multicast groups of the connection's namespace. It yields
:class:`LinkEvent`, :class:`AddressEvent` and :class:`RouteEvent` values in the order the kernel sent
them. When the kernel had to drop events because the socket's receive buffer was full (``ENOBUFS``),
an :class:`Overrun` event says so: the caller's picture is stale and must be re-read (``links()``...)::

    with net.monitor() as events:
        net.add(Macvlan("mv0", parent="eth0"))
        for event in events.iter(timeout=1.0):     # stops after 1 s without an event
            print(event)

Like ``rtnl.connection``, this module sits on top: it owns a socket of its own and turns what
arrives into values. It builds no requests.
"""

from __future__ import annotations

import _socket
import collections
import errno
import math
import select
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .netlink import NetlinkSocket
from .uapi import (
    AF_BRIDGE,
    NETLINK_ROUTE,
    RTM_DELADDR,
    RTM_DELLINK,
    RTM_DELNEIGH,
    RTM_DELROUTE,
    RTM_NEWADDR,
    RTM_NEWLINK,
    RTM_NEWNEIGH,
    RTM_NEWROUTE,
)
from .values.addresses import Address
from .values.check import check_int, check_items, check_type
from .values.enums import Group
from .values.links import Link
from .values.neighbours import FdbEntry, Neighbour
from .values.routes import Route
from .wire.message import Message, decode

if TYPE_CHECKING:
    from .netns import Namespace

__all__ = ["AddressEvent", "Event", "Group", "LinkEvent", "Monitor", "NeighbourEvent", "Overrun",
           "RouteEvent", "event_of",
           "open_monitor"]

ALL_CHANGED = 0xFFFFFFFF  # ifi_change of the RTM_NEWLINK sent when a link appears (register, netns move)


DEFAULT_GROUPS = tuple(g for g in Group if g is not Group.NEIGH)  # neighbours: asked for by name
#: a monitor's receive buffer unless told otherwise (the kernel doubles it for its bookkeeping): events
#: of a burst of ~100 k/s queue there while the reader decodes (the system default, 208 KiB, held some
#: 50 ms of them and lost events, issue 16). Root gets it whatever ``net.core.rmem_max`` says
#: (``SO_RCVBUFFORCE``), others up to that cap
MONITOR_RCVBUF = 8 << 20

Action = Literal["new", "change", "del"]


@dataclass(frozen=True, slots=True)
class LinkEvent:
    """A link appeared (``"new"``: created or moved in), changed (``"change"``) or went away (``"del"``)."""

    action: Action
    link: Link


@dataclass(frozen=True, slots=True)
class AddressEvent:
    """An address was added (``"new"``; also sent when its flags change) or removed (``"del"``)."""

    action: Literal["new", "del"]
    address: Address


@dataclass(frozen=True, slots=True)
class RouteEvent:
    """A route was added or replaced (``"new"``) or removed (``"del"``)."""

    action: Literal["new", "del"]
    route: Route


@dataclass(frozen=True, slots=True)
class Overrun:
    """The kernel dropped events (``ENOBUFS``: the receive buffer was full). Re-read the state you
    track; events after this one are complete again."""


@dataclass(frozen=True, slots=True)
class NeighbourEvent:
    """A neighbour or bridge fdb entry was added or changed (``"new"``) or removed (``"del"``);
    from :attr:`Group.NEIGH`, which a monitor joins only when asked (``net.monitor(Group.NEIGH)``)."""

    action: Literal["new", "del"]
    neighbour: Neighbour | FdbEntry


Event = LinkEvent | AddressEvent | RouteEvent | NeighbourEvent | Overrun


def event_of(msg: Message, namespace_id: tuple[int, int] | None = None) -> Event | None:
    """The typed event one notification carries, or ``None`` for a message type not monitored here.
    ``namespace_id`` stamps a link event's :class:`~rtnl.Link` with the namespace it happened in."""
    t = msg.type
    if t in (RTM_NEWLINK, RTM_DELLINK):
        action: Action = "del" if t == RTM_DELLINK else (
            "new" if msg.header.change == ALL_CHANGED else "change")
        return LinkEvent(action, Link.from_message(msg, namespace_id))
    if t in (RTM_NEWADDR, RTM_DELADDR):
        return AddressEvent("new" if t == RTM_NEWADDR else "del", Address.from_message(msg))
    if t in (RTM_NEWROUTE, RTM_DELROUTE):
        return RouteEvent("new" if t == RTM_NEWROUTE else "del", Route.from_message(msg))
    if t in (RTM_NEWNEIGH, RTM_DELNEIGH):
        entry = FdbEntry if msg.header.family == AF_BRIDGE else Neighbour
        return NeighbourEvent("new" if t == RTM_NEWNEIGH else "del", entry.from_message(msg))
    return None


class Monitor:
    """An iterator of :data:`Event` values from one namespace; a context manager that closes its socket.

    ``next(monitor)`` / ``for event in monitor`` block until an event arrives; :meth:`get` and
    :meth:`iter` take a timeout.
    """

    def __init__(self, sock: NetlinkSocket, namespace_id: tuple[int, int] | None = None) -> None:
        """Read events from ``sock`` (subscribed already); ``namespace_id`` is where it lives."""
        self.sock = sock
        self.namespace_id = namespace_id
        self._pending: collections.deque[Event] = collections.deque()
        self._poll = select.poll()
        self._poll.register(sock.fileno(), select.POLLIN)

    def get(self, timeout: float | None = None) -> Event | None:
        """The next event, waiting at most ``timeout`` seconds (``None``: forever); ``None`` on timeout.

        The socket is read without blocking after each wake-up, so a datagram that is not the
        kernel's (any local process can send one to our port id) is dropped without stretching
        the wait beyond ``timeout``.
        """
        deadline = None if timeout is None else time.monotonic() + max(0.0, timeout)
        while not self._pending:  # read first: under a stream of events, a poll per event is wasted
            try:
                data = self.sock.recv_nowait()
            except OSError as e:
                if e.errno != errno.ENOBUFS:
                    raise
                return Overrun()
            if data is None:
                wait = None if deadline is None else max(0, math.ceil((deadline - time.monotonic()) * 1000))
                if not self._poll.poll(wait) and wait is not None:
                    return None
                continue
            for msg in decode(data):
                event = event_of(msg, self.namespace_id)
                if event is not None:
                    self._pending.append(event)
        return self._pending.popleft()

    def fileno(self) -> int:
        """The socket's descriptor, for other event loops (``selectors``, trio): when it is readable,
        :meth:`get` with ``timeout=0`` reads what came."""
        return self.sock.fileno()

    def iter(self, timeout: float | None = None) -> Iterator[Event]:
        """Events until none arrived for ``timeout`` seconds."""
        while (event := self.get(timeout)) is not None:
            yield event

    def __iter__(self) -> Iterator[Event]:
        return self

    def __next__(self) -> Event:
        event = self.get()
        assert event is not None
        return event

    def close(self) -> None:
        """Close the socket: no more events (idempotent)."""
        self.sock.close()

    def __enter__(self) -> Monitor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_monitor(namespace: Namespace | None, groups: Iterable[int] = (), *,
                 rcvbuf: int | None = None) -> Monitor:
    """A :class:`Monitor` whose socket lives in ``namespace`` (``None``: the calling thread's), with a
    receive buffer of ``rcvbuf`` bytes (``None``: :data:`MONITOR_RCVBUF`)."""
    chosen = tuple(Group(check_type(g, int, "group")) for g in check_items(groups, "groups"))
    chosen = chosen or DEFAULT_GROUPS
    if rcvbuf is not None:
        check_int(rcvbuf, "rcvbuf", 0, 2**31 - 1)
    raw, where = None, None
    if namespace is not None:
        raw = namespace._raw_socket(_socket.AF_NETLINK, _socket.SOCK_RAW | _socket.SOCK_CLOEXEC,
                                    NETLINK_ROUTE)
        where = namespace.ident
    return Monitor(NetlinkSocket(raw, groups=chosen, rcvbuf=rcvbuf or MONITOR_RCVBUF), where)
