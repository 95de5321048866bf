"""``rtnl.connect()``: a NETLINK_ROUTE connection bound to one network namespace, and its API.

A :class:`Connection` wraps one :class:`~rtnl.netlink.NetlinkSocket`. The socket is created inside
the requested namespace and stays bound to it for its whole life (the calling thread is switched for
the ``socket()`` call only). Reads live here; the write operations are implemented next to their
values in :mod:`rtnl.links`, :mod:`rtnl.addresses` and :mod:`rtnl.routes`.

::

    with rtnl.connect("ns1") as net:
        print([link.name for link in net.links()])
"""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING, Union

from . import codec
from .addresses import Address
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
from .links import Link
from .netlink import NetlinkSocket
from .routes import Route

if TYPE_CHECKING:
    from .netns import Namespace

LinkRef = Union[Link, str, int]
NamespaceRef = Union["Namespace", str, "os.PathLike[str]"]

RTM_F_CLONED = 0x200  # linux/rtnetlink.h: a cached (cloned) route, not one of the table's own
_EXT_MASK = RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS
IFNAMSIZ = 16  # linux/if.h


def connect(namespace: NamespaceRef | None = None) -> Connection:
    """A connection to the kernel's rtnetlink in ``namespace`` (default: the caller's own).

    ``namespace`` is a :class:`~rtnl.Namespace`, a name under the run dir, or a path such as
    ``/proc/1234/ns/net``. No process is forked and the calling thread is left where it was.
    """
    if namespace is None:
        return Connection(NetlinkSocket())
    from .netns import resolve

    ns, owned = resolve(namespace)
    try:
        sock = ns.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC, codec.NETLINK_ROUTE)
    except BaseException:
        if owned:
            ns.close()
        raise
    return Connection(NetlinkSocket(sock), ns, owns_namespace=owned)


class Connection:
    """Requests to one namespace's rtnetlink. A context manager; safe to share between threads."""

    def __init__(self, sock: NetlinkSocket, namespace: Namespace | None = None, *,
                 owns_namespace: bool = False) -> None:
        self.sock = sock
        self.namespace = namespace
        self._owns_namespace = owns_namespace

    def close(self) -> None:
        """Close the socket (and the namespace handle, if this connection opened it)."""
        self.sock.close()
        if self._owns_namespace and self.namespace is not None:
            self.namespace.close()
            self._owns_namespace = False

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self.namespace.name or self.namespace.path if self.namespace is not None else "current"
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
        msgs = self.sock.dump(Message(RTM_GETLINK, header=IfInfoMsg(), attrs=IFLA.build(IFLA_EXT_MASK=_EXT_MASK)))
        return [Link.from_message(m) for m in msgs if m.type == codec.RTM_NEWLINK]

    def link(self, link: LinkRef) -> Link:
        """One link, looked up by the kernel by name or index. ``FileNotFoundError``-like
        :class:`~rtnl.NetlinkError` (ENODEV) if there is none."""
        return Link.from_message(self.sock.request(_getlink(link))[0])

    def index(self, link: LinkRef) -> int:
        """The index of a :class:`Link`, a name or an index (a name costs one kernel lookup)."""
        if isinstance(link, Link):
            return link.index
        if isinstance(link, int) and not isinstance(link, bool):
            return link
        return self.link(link).index

    # -- addresses ----------------------------------------------------------------------------------
    def addresses(self, link: LinkRef | None = None) -> list[Address]:
        """Every address, or those of one link."""
        index = 0 if link is None else self.index(link)
        msgs = self.sock.dump(Message(RTM_GETADDR, header=IfAddrMsg(index=index)))
        out = [Address.from_message(m) for m in msgs if m.type == codec.RTM_NEWADDR]
        return out if not index else [a for a in out if a.link == index]

    # -- routes ---------------------------------------------------------------------------------------
    def routes(self, *, table: int = RT_TABLE_MAIN) -> list[Route]:
        """The routes of one table (default: main), IPv4 and IPv6, without cached clones."""
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


def _getlink(link: LinkRef) -> Message:
    if isinstance(link, Link):
        link = link.index
    if isinstance(link, int) and not isinstance(link, bool):
        return Message(RTM_GETLINK, header=IfInfoMsg(index=link), attrs=IFLA.build(IFLA_EXT_MASK=_EXT_MASK))
    return Message(RTM_GETLINK, header=IfInfoMsg(),
                   attrs=IFLA.build(IFLA_IFNAME=check_name(link), IFLA_EXT_MASK=_EXT_MASK))


def check_name(name: object) -> str:
    """A valid interface name, or ``ValueError``/``TypeError`` before anything is sent.

    Like the kernel's ``dev_valid_name``: 1..15 bytes, not ``.``/``..``, no ``/``, ``:`` or whitespace.
    """
    if not isinstance(name, str):
        raise TypeError(f"an interface name is a str, not {type(name).__name__}")
    size = len(name.encode())
    if not 0 < size < IFNAMSIZ:
        raise ValueError(f"interface name {name!r} must be 1 to {IFNAMSIZ - 1} bytes, not {size}")
    if name in (".", "..") or any(c in "/:\0" or c.isspace() for c in name):
        raise ValueError(f"invalid interface name {name!r}: no '/', ':', whitespace, '.' or '..'")
    return name
