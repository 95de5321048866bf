"""The enumerated types of the API, each from the uapi header named in its docstring.

Every one prints as its name on every Python (``str(MacvlanMode.BRIDGE) == "MacvlanMode.BRIDGE"``;
Python 3.11 made ``str()`` of an ``IntEnum`` its number) and can be looked up by name, in any case,
with :meth:`NamedIntEnum.parse` (``MacvlanMode.parse("bridge")``). A value the kernel reports that
this version does not know stays an ``int`` (``rtnl._fast.member_or_int``).

A new family's enums (``NeighbourState``, ``RouteType``, ``RuleAction``...) go here.
"""

from __future__ import annotations

import enum
from typing import Any, TypeVar

from .. import uapi

_E = TypeVar("_E", bound="NamedIntEnum")


_M = TypeVar("_M", bound=enum.Enum)


def _by_name(cls: type[_M], value: Any, what: str) -> _M:
    """``value`` as a member of ``cls``: a member, or its name in any case; a bare int is a
    ``TypeError``, an unknown name a ``ValueError`` listing the valid ones (what ``parse`` does)."""
    if isinstance(value, cls):
        return value
    if isinstance(value, str):
        member = cls.__members__.get(value.upper())
        if member is None:
            valid = ", ".join(name.lower() for name in cls.__members__)
            raise ValueError(f"unknown {what} {value!r}; valid: {valid}")
        return member
    raise TypeError(f"{what} is a {cls.__name__} or its name, not {value!r}")


class NamedIntEnum(enum.IntEnum):
    """An ``IntEnum`` whose ``str()`` and ``format()`` are ``Class.NAME``, and which parses names.

    Both methods are written out: assigning ``enum.Enum.__str__`` leaves Python 3.10's ``format()``
    (so f-strings) printing the number, as 3.11's ``IntEnum`` does for ``str()`` too."""

    def __str__(self) -> str:
        return f"{type(self).__name__}.{self._name_}"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    @classmethod
    def parse(cls: type[_E], value: Any, what: str = "") -> _E:
        """``value`` as a member: a member, or its name in any case (``"bridge"``). A bare int is
        refused (``TypeError``), an unknown name is a ``ValueError`` listing the valid ones."""
        return _by_name(cls, value, what or cls.__name__)


class NamedIntFlag(enum.IntFlag):
    """An ``IntFlag`` whose ``str()`` and ``format()`` are ``Class.NAME|NAME`` on every Python: its
    bits' names in ascending order, then any bits this version has no name for as a number
    (``Class.NAME|0x100``); no bit at all is ``Class(0)``."""

    def __str__(self) -> str:
        value, names = int(self), list[str]()
        for member in type(self):
            bit = int(member)
            if bit and not bit & (bit - 1) and value & bit:
                names.append(str(member._name_))
                value &= ~bit
        if value:
            names.append(hex(value))
        return f"{type(self).__name__}.{'|'.join(names)}" if names else f"{type(self).__name__}(0)"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


class MacvlanMode(NamedIntEnum):
    """``enum macvlan_mode`` (linux/if_link.h)."""

    PRIVATE = 1  #: a child only gets frames for its own MAC; no child talks to another
    VEPA = 2  #: all frames leave through the parent; the switch must hairpin them back
    BRIDGE = 4  #: children of one parent talk directly; not with the parent itself
    PASSTHRU = 8  #: one child takes over the parent (its MAC, promiscuous mode)
    SOURCE = 16  #: a child takes frames from a list of source MACs


class MacvlanFlag(NamedIntFlag):
    """``MACVLAN_FLAG_*`` (linux/if_link.h)."""

    NOPROMISC = 1  #: passthru: do not put the parent in promiscuous mode
    NODST = 2  #: source mode: do not also deliver by destination MAC


class OperState(NamedIntEnum):
    """RFC 2863 operational state, ``IF_OPER_*`` (linux/if.h)."""

    UNKNOWN = 0
    NOTPRESENT = 1
    DOWN = 2
    LOWERLAYERDOWN = 3
    TESTING = 4
    DORMANT = 5
    UP = 6


class Scope(NamedIntEnum):
    """``enum rt_scope_t`` (linux/rtnetlink.h): how far an address or route reaches."""

    UNIVERSE = 0
    SITE = 200
    LINK = 253
    HOST = 254
    NOWHERE = 255


class AddressFlag(NamedIntFlag):
    """``IFA_F_*`` (linux/if_addr.h)."""

    SECONDARY = 0x01
    NODAD = 0x02
    OPTIMISTIC = 0x04
    DADFAILED = 0x08
    HOMEADDRESS = 0x10
    DEPRECATED = 0x20
    TENTATIVE = 0x40
    PERMANENT = 0x80
    MANAGETEMPADDR = 0x100
    NOPREFIXROUTE = 0x200
    MCAUTOJOIN = 0x400
    STABLE_PRIVACY = 0x800


class Group(NamedIntEnum):
    """``RTNLGRP_*`` multicast groups (linux/rtnetlink.h) a :class:`~rtnl.Monitor` can join."""

    LINK = uapi.RTNLGRP_LINK
    IPV4_IFADDR = uapi.RTNLGRP_IPV4_IFADDR
    IPV4_ROUTE = uapi.RTNLGRP_IPV4_ROUTE
    IPV6_IFADDR = uapi.RTNLGRP_IPV6_IFADDR
    IPV6_ROUTE = uapi.RTNLGRP_IPV6_ROUTE
    NEIGH = uapi.RTNLGRP_NEIGH  #: neighbour and bridge fdb changes; not in the monitor's default groups


# --- issue 17: routes ------------------------------------------------------------------------------


class RouteType(NamedIntEnum):
    """``RTN_*`` (linux/rtnetlink.h): what a route does with a packet (``ip route add TYPE ...``)."""

    UNSPEC = 0
    UNICAST = 1  #: to a gateway or a directly connected destination
    LOCAL = 2  #: delivered to this host
    BROADCAST = 3
    ANYCAST = 4
    MULTICAST = 5
    BLACKHOLE = 6  #: dropped silently
    UNREACHABLE = 7  #: dropped, "host unreachable" to the sender
    PROHIBIT = 8  #: dropped, "administratively prohibited" to the sender
    THROW = 9  #: not in this table: the lookup goes on with the next policy rule
    NAT = 10
    XRESOLVE = 11


class RouteProtocol(NamedIntEnum):
    """``RTPROT_*`` (linux/rtnetlink.h): who installed a route. The kernel interprets none above
    STATIC; a number this list lacks is kept as an ``int`` when read."""

    UNSPEC = 0
    REDIRECT = 1
    KERNEL = 2
    BOOT = 3
    STATIC = 4
    GATED = 8
    RA = 9
    MRT = 10
    ZEBRA = 11
    BIRD = 12
    DNROUTED = 13
    XORP = 14
    NTK = 15
    DHCP = 16
    MROUTED = 17
    KEEPALIVED = 18
    BABEL = 42
    OPENR = 99
    BGP = 186
    ISIS = 187
    OSPF = 188
    RIP = 189
    EIGRP = 192


class RoutePref(NamedIntEnum):
    """An IPv6 route's preference, RTA_PREF (``ICMPV6_ROUTER_PREF_*``, linux/icmpv6.h; ``ip -6 route
    ... pref low|medium|high``)."""

    MEDIUM = uapi.ICMPV6_ROUTER_PREF_MEDIUM
    HIGH = uapi.ICMPV6_ROUTER_PREF_HIGH
    LOW = uapi.ICMPV6_ROUTER_PREF_LOW


# --- neighbours and policy rules (issue 17) ------------------------------------------------------
class NeighbourState(NamedIntFlag):
    """``NUD_*`` (linux/neighbour.h): the state of a neighbour entry. ``NONE`` (0) is no flag;
    :meth:`parse` also takes a name (``"permanent"``)."""

    INCOMPLETE = 0x01  #: resolution under way
    REACHABLE = 0x02  #: confirmed recently
    STALE = 0x04  #: usable, to be confirmed on next use
    DELAY = 0x08  #: waiting before probing
    PROBE = 0x10  #: being probed
    FAILED = 0x20  #: resolution failed
    NOARP = 0x40  #: needs no resolution (e.g. multicast, point-to-point)
    PERMANENT = 0x80  #: static, set by an administrator

    @classmethod
    def parse(cls, value: Any, what: str = "state") -> NeighbourState:
        """``value`` as a state: a member (or combination) or one name in any case (``"reachable"``).
        A bare int is refused (``TypeError``), an unknown name is a ``ValueError``."""
        return _by_name(cls, value, what)


class NeighbourFlag(NamedIntFlag):
    """``NTF_*`` (linux/neighbour.h): flags of a neighbour or bridge fdb entry."""

    USE = 1 << 0
    SELF = 1 << 1  #: fdb: the entry is the device's own (``bridge fdb ... self``)
    MASTER = 1 << 2  #: fdb: the entry is in the master bridge's table
    PROXY = 1 << 3  #: a proxy ARP / NDP entry (``ip neigh add proxy``)
    EXT_LEARNED = 1 << 4
    OFFLOADED = 1 << 5
    STICKY = 1 << 6
    ROUTER = 1 << 7  #: IPv6: the neighbour is a router


class RuleAction(NamedIntEnum):
    """``FR_ACT_*`` (linux/fib_rules.h): what a policy rule does with a matching packet."""

    TO_TBL = 1  #: look the route up in the rule's table
    GOTO = 2  #: jump to another rule
    NOP = 3  #: do nothing
    BLACKHOLE = 6  #: drop silently
    UNREACHABLE = 7  #: drop, ENETUNREACH
    PROHIBIT = 8  #: drop, EACCES
