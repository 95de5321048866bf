"""Links: what to create (specs) and what the kernel reports (values), macvlan first.

Specs (:class:`Macvlan`, :class:`Macvtap`, :class:`Veth`, :class:`Bridge`) are validated when they are
built, before anything reaches the kernel. :class:`Link` is what :meth:`Connection.links` returns. The
write operations (``add``, ``set``, ``move``, ``delete``...) are the functions at the bottom; a
:class:`~rtnl.Connection` exposes them as methods::

    with rtnl.connect() as net:
        mv = net.add(Macvlan("mv0", parent="eth0", mode=MacvlanMode.VEPA))
        net.set(mv, up=True)
"""

from __future__ import annotations

import contextlib
import enum
import errno
import functools
import random
import re
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple, TypeVar

from . import codec
from .codec import (
    ATTR_SPAN,
    IFLA,
    IFLA_INFO,
    IFLA_MACVLAN_MACADDR_LIST,
    NLM_F_CREATE,
    NLM_F_ECHO,
    NLM_F_EXCL,
    RTM_DELLINK,
    RTM_NEWLINK,
    Attrs,
    Body,
    IfInfoMsg,
    Message,
    attr_index,
    enum_or_int,
    parse_mac,
)
from .errors import NetlinkError
from .netlink import ECHO_WINDOW

if TYPE_CHECKING:
    from .connection import Connection
    from .netns import Namespace, NamespaceLike

IFNAMSIZ = 16  # linux/if.h
ALTIFNAMSIZ = 128  # linux/if.h: alternative names are up to 127 bytes
MIN_MTU, MAX_MTU = 68, 65535  # ETH_MIN_MTU (IPv4's minimum), ETH_MAX_MTU (linux/if_ether.h)



# --- linux/if.h ------------------------------------------------------------------------------------
IFF_UP = 0x1
IFF_PROMISC = 0x100
IFF_LOWER_UP = 0x10000


class MacvlanMode(enum.IntEnum):
    """``enum macvlan_mode`` (linux/if_link.h)."""

    PRIVATE = 1  #: a child only gets frames for its own MAC; no child talks to another
    VEPA = 2  #: all frames leave through the parent; the switch must hairpin them back
    BRIDGE = 4  #: children of one parent talk directly; not with the parent itself
    PASSTHRU = 8  #: one child takes over the parent (its MAC, promiscuous mode)
    SOURCE = 16  #: a child takes frames from a list of source MACs


class MacvlanFlag(enum.IntFlag):
    """``MACVLAN_FLAG_*`` (linux/if_link.h)."""

    NOPROMISC = 1  #: passthru: do not put the parent in promiscuous mode
    NODST = 2  #: source mode: do not also deliver by destination MAC


class OperState(enum.IntEnum):
    """RFC 2863 operational state, ``IF_OPER_*`` (linux/if.h)."""

    UNKNOWN = 0
    NOTPRESENT = 1
    DOWN = 2
    LOWERLAYERDOWN = 3
    TESTING = 4
    DORMANT = 5
    UP = 6


# --- values ------------------------------------------------------------------------------------------


class MacvlanInfo(NamedTuple):
    """What the kernel reports for a macvlan or macvtap link (IFLA_MACVLAN_*).

    The kind data classes are named tuples, as ``os.stat()`` results are: immutable, hashable,
    cheap to build for every link of a dump, ``_replace`` to derive one.
    """

    mode: MacvlanMode | int  #: the macvlan mode (an int this version does not know stays an int)
    flags: MacvlanFlag = MacvlanFlag(0)  #: MACVLAN_FLAG_* bits
    source_macs: tuple[str, ...] = ()  #: SOURCE mode: the senders this child takes frames from, sorted
    bc_queue_len: int | None = None  #: the broadcast/multicast queue length asked for
    bc_queue_len_used: int | None = None  #: the queue length in effect (the largest of the port's children)
    bc_cutoff: int | None = None  #: ``None`` where the kernel does not report it (< 6.4)

    @classmethod
    def from_attrs(cls, data: Attrs) -> MacvlanInfo:
        macs = data.get("IFLA_MACVLAN_MACADDR_DATA")
        return cls(
            mode=enum_or_int(MacvlanMode, data.get("IFLA_MACVLAN_MODE", MacvlanMode.VEPA)),
            flags=MacvlanFlag(data.get("IFLA_MACVLAN_FLAGS", 0)),
            # the kernel lists them in its hash order, which means nothing: sorted, they compare
            source_macs=tuple(sorted(macs.get_all("IFLA_MACVLAN_MACADDR")))
            if isinstance(macs, Attrs) else (),
            bc_queue_len=data.get("IFLA_MACVLAN_BC_QUEUE_LEN"),
            bc_queue_len_used=data.get("IFLA_MACVLAN_BC_QUEUE_LEN_USED"),
            bc_cutoff=data.get("IFLA_MACVLAN_BC_CUTOFF"),
        )


class VethInfo(NamedTuple):
    """A veth end. ``peer`` is the index of the other end (in ``peer_netnsid``'s namespace if set)."""

    peer: int | None = None  #: the other end's index
    peer_netnsid: int | None = None  #: the nsid of the other end's namespace, when it is another one


class BridgeInfo(NamedTuple):
    """A bridge device (IFLA_BR_*): the settings a lab "switch" needs."""

    stp_state: int = 0  #: 0: STP off
    forward_delay: int = 0  #: in centiseconds (the kernel's clock_t)
    ageing_time: int = 0  #: how long a learned MAC stays, in centiseconds
    vlan_filtering: bool = False  #: whether the bridge filters by VLAN

    @classmethod
    def from_attrs(cls, data: Attrs) -> BridgeInfo:
        return cls(
            stp_state=data.get("IFLA_BR_STP_STATE", 0),
            forward_delay=data.get("IFLA_BR_FORWARD_DELAY", 0),
            ageing_time=data.get("IFLA_BR_AGEING_TIME", 0),
            vlan_filtering=bool(data.get("IFLA_BR_VLAN_FILTERING", 0)),
        )


class BridgePortInfo(NamedTuple):
    """A link enslaved to a bridge (IFLA_BRPORT_* in IFLA_INFO_SLAVE_DATA)."""

    hairpin: bool = False  #: frames may leave through the port they came in by (what VEPA needs)
    state: int = 0  #: BR_STATE_* (3: forwarding)
    learning: bool = True  #: the bridge learns source MACs on this port
    flood: bool = True  #: unknown unicast is flooded to this port

    @classmethod
    def from_attrs(cls, data: Attrs) -> BridgePortInfo:
        return cls(
            hairpin=bool(data.get("IFLA_BRPORT_MODE", 0)),
            state=data.get("IFLA_BRPORT_STATE", 0),
            learning=bool(data.get("IFLA_BRPORT_LEARNING", 1)),
            flood=bool(data.get("IFLA_BRPORT_UNICAST_FLOOD", 1)),
        )


LinkInfo = MacvlanInfo | VethInfo | BridgeInfo


# the IFLA_* attributes a Link reads (unpacked in this order by _decode_link)
_LINK_ATTRS = ("IFLA_IFNAME", "IFLA_MTU", "IFLA_ADDRESS", "IFLA_CARRIER", "IFLA_OPERSTATE",
               "IFLA_PROMISCUITY", "IFLA_LINK", "IFLA_LINK_NETNSID", "IFLA_MASTER", "IFLA_GROUP",
               "IFLA_TXQLEN", "IFLA_LINKINFO")
_LINK_TYPES = tuple(IFLA.by_name[name][0] for name in _LINK_ATTRS)
_LINK_CODEC = tuple(IFLA.by_name[name][1] for name in _LINK_ATTRS)


def _link_attrs(buf: bytes, off: int, end: int) -> list[Any]:
    """The values of the attributes a Link reads, by slot (``None`` if absent), from one C pass
    over the message (:func:`~rtnl.codec.attr_index`, which also checks its framing) instead of a
    lookup per field. The first of duplicates wins, as in :meth:`Attrs.get`."""
    types, spans = attr_index(buf, off, end, "IFLA")
    n = len(types)
    # type -> where its first is: one dict built in C, not two scans of the tuple per slot
    first = dict(zip(types[::-1], range(n - 1, -1, -1), strict=True))
    found: list[Any] = [None] * len(_LINK_ATTRS)
    for slot, rtype in enumerate(_LINK_TYPES):
        i = first.get(rtype)
        if i is not None:
            start, stop = ATTR_SPAN.unpack_from(spans, i << 3)
            if slot == 11:  # IFLA_LINKINFO: a nest, read lazily by Attrs
                found[slot] = Attrs.over(IFLA_INFO, buf, start, stop)
            else:
                found[slot] = _LINK_CODEC[slot].decode(buf, start, stop, None)  # type: ignore[arg-type]
    return found


class Link:
    """One network interface as the kernel reports it (an RTM_NEWLINK message, decoded).

    An immutable value object: fields are read-only properties, decoded from the
    message on first access (all at once, in one pass), so listing 1,000 links costs little more than
    receiving them. It behaves as a value: ``==`` and ``hash`` over every field (and the namespace it
    was read in, :attr:`namespace_id`), ``copy.copy``/``deepcopy`` and ``pickle`` round-trip it (the
    wire bytes are its state). There is no ``replace``: a Link
    is what the kernel said, so to change one ask the kernel (``net.set(link, mtu=1400)`` returns
    the new Link); ``repr`` lists every field. ``parent`` is the lower device's index (IFLA_LINK);
    when ``parent_netnsid`` is set, that index belongs to the namespace with that nsid (a macvlan
    moved away from its parent).
    """

    __slots__ = ("_attrs", "_fields", "_header", "_netns")
    _header: IfInfoMsg
    _attrs: Attrs
    _fields: Link._Fields | None
    _netns: tuple[int, int] | None

    class _Fields(NamedTuple):
        name: str
        kind: str | None
        mtu: int
        address: str | None
        carrier: bool
        operstate: OperState | int
        promiscuity: int
        parent: int | None
        parent_netnsid: int | None
        master: int | None
        group: int
        txqlen: int
        info: LinkInfo | None
        port: BridgePortInfo | None

    def __init__(self, header: IfInfoMsg, attrs: Attrs, namespace_id: tuple[int, int] | None = None) -> None:
        """Wrap an RTM_NEWLINK header and its IFLA attributes; nothing is decoded yet.
        ``namespace_id`` is :attr:`Namespace.ident <rtnl.Namespace.ident>` of the namespace the
        message came from."""
        self._header, self._attrs, self._fields, self._netns = header, attrs, None, namespace_id

    @classmethod
    def from_message(cls, msg: Message, namespace_id: tuple[int, int] | None = None) -> Link:
        """The :class:`Link` an RTM_NEWLINK message describes; ``namespace_id`` says where it was read
        (a :class:`~rtnl.Connection` passes its own)."""
        if msg.attrs is None or not isinstance(msg.header, IfInfoMsg):
            raise TypeError(f"not a link message: type {msg.type}")
        return cls(msg.header, msg.attrs, namespace_id)

    @classmethod
    def _all(cls, msgs: Iterable[Message], namespace_id: tuple[int, int] | None) -> list[Link]:
        """The links among a dump's messages: :meth:`from_message` without a call per link."""
        out, new, newlink = [], object.__new__, RTM_NEWLINK
        for m in msgs:
            if m.type == newlink and m.attrs is not None:
                link = new(cls)
                link._header, link._attrs, link._fields, link._netns = m.header, m.attrs, None, namespace_id
                out.append(link)
        return out

    def _decoded(self) -> Link._Fields:
        fields = self._fields
        if fields is None:
            fields = _decode_link(self._header, self._attrs)
            self._fields = fields
        return fields

    # the kernel's header: no decoding needed
    @property
    def index(self) -> int:
        """The interface index (meaningful only in :attr:`namespace_id`'s namespace)."""
        return self._header.index

    @property
    def namespace_id(self) -> tuple[int, int] | None:
        """``(st_dev, st_ino)`` of the network namespace this link was read in (``None``: unknown,
        for a Link built by hand). An index names a link only within one namespace, so a
        :class:`~rtnl.Connection` refuses a Link read in another one (``ValueError``) instead of
        acting on whatever has that index there."""
        return self._netns

    @property
    def flags(self) -> int:
        """The IFF_* flags word."""
        return self._header.flags

    @property
    def up(self) -> bool:
        """Administratively up (IFF_UP)."""
        return bool(self._header.flags & IFF_UP)

    # decoded from the attributes on first access
    @property
    def name(self) -> str:
        """The interface name (IFLA_IFNAME), unique within its namespace."""
        return self._decoded().name

    @property
    def kind(self) -> str | None:
        """``"macvlan"``, ``"veth"``... (IFLA_INFO_KIND); ``None`` for a link without one (``lo``)."""
        return self._decoded().kind

    @property
    def mtu(self) -> int:
        """The MTU in bytes (IFLA_MTU)."""
        return self._decoded().mtu

    @property
    def address(self) -> str | None:
        """The link-layer address, ``"02:00:5e:00:53:01"``."""
        return self._decoded().address

    @property
    def carrier(self) -> bool:
        """Whether the link has carrier (IFLA_CARRIER; for a veth: its peer is up)."""
        return self._decoded().carrier

    @property
    def operstate(self) -> OperState | int:
        """The RFC 2863 operational state (IFLA_OPERSTATE): UP only when up *and* with carrier."""
        return self._decoded().operstate

    @property
    def promiscuity(self) -> int:
        """How many users put the link in promiscuous mode."""
        return self._decoded().promiscuity

    @property
    def parent(self) -> int | None:
        """The lower device's index (IFLA_LINK): a macvlan's parent, a veth's peer; ``None`` if none.
        An index in :attr:`parent_netnsid`'s namespace when that is set, else in this one."""
        return self._decoded().parent

    @property
    def parent_netnsid(self) -> int | None:
        """The nsid (IFLA_LINK_NETNSID) of the namespace :attr:`parent` lives in, when that is another
        one; resolve it with :func:`rtnl.netns.by_nsid`."""
        return self._decoded().parent_netnsid

    @property
    def master(self) -> int | None:
        """The index of the bridge this link is a port of."""
        return self._decoded().master

    @property
    def group(self) -> int:
        """The link group (IFLA_GROUP, 0 by default), which :func:`delete_many` uses for bulk teardown."""
        return self._decoded().group

    @property
    def txqlen(self) -> int:
        """The transmit queue length in packets (IFLA_TXQLEN)."""
        return self._decoded().txqlen

    @property
    def info(self) -> LinkInfo | None:
        """What the link's kind reports: :class:`MacvlanInfo`, :class:`VethInfo`, :class:`BridgeInfo`."""
        return self._decoded().info

    @property
    def port(self) -> BridgePortInfo | None:
        """Set when the link is a bridge port."""
        return self._decoded().port

    # a value: equality, hash and repr over every field
    def _astuple(self) -> tuple[Any, ...]:
        return (self.index, *self._decoded(), self.flags, self._netns)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Link):
            return NotImplemented
        return self._astuple() == other._astuple()

    def __hash__(self) -> int:
        return hash(self._astuple())

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self._decoded()._asdict().items())
        return f"Link(index={self.index!r}, {fields}, flags={self.flags!r})"

    # read-only without a __setattr__ override: the fields are properties without setters and the
    # slots leave no room for new attributes (an override would make each Link in a dump ~4x
    # dearer to build, as __init__ would then go through object.__setattr__)

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle: the wire bytes are the state
        buf, start, end = self._attrs.span()
        return (_link_from_wire, (tuple(self._header), bytes(buf[start:end]), self._netns))


def _link_from_wire(header: tuple[int, ...], attrs: bytes,
                    namespace_id: tuple[int, int] | None = None) -> Link:
    return Link(IfInfoMsg(*header), Attrs.over(IFLA, attrs, 0, len(attrs)), namespace_id)


def _decode_link(hdr: IfInfoMsg, attrs: Attrs) -> Link._Fields:
    (name, mtu, address, carrier, operstate, promiscuity, parent, netnsid, master, group, txqlen,
     linkinfo) = _link_attrs(*attrs.span())
    kind = port = None
    info: LinkInfo | None = None
    if linkinfo is not None:
        kind = linkinfo.get("IFLA_INFO_KIND")
        data = linkinfo.get("IFLA_INFO_DATA")
        if kind in ("macvlan", "macvtap") and isinstance(data, Attrs):
            info = MacvlanInfo.from_attrs(data)
        elif kind == "veth":
            info = VethInfo(parent, netnsid)
        elif kind == "bridge" and isinstance(data, Attrs):
            info = BridgeInfo.from_attrs(data)
        slave = linkinfo.get("IFLA_INFO_SLAVE_DATA")
        if linkinfo.get("IFLA_INFO_SLAVE_KIND") == "bridge" and isinstance(slave, Attrs):
            port = BridgePortInfo.from_attrs(slave)
    return Link._Fields(
        name="" if name is None else name,
        kind=kind,
        mtu=mtu or 0,
        address=address,
        carrier=bool(hdr.flags & IFF_LOWER_UP if carrier is None else carrier),
        operstate=enum_or_int(OperState, operstate or 0),
        promiscuity=promiscuity or 0,
        parent=parent if parent != hdr.index else None,
        parent_netnsid=netnsid,
        master=master,
        group=group or 0,
        txqlen=txqlen or 0,
        info=info,
        port=port,
    )


LinkRef = Link | str | int
"""What every ``link`` argument accepts: a :class:`Link`, an interface name or an index."""


# --- validation (before anything is sent) ---------------------------------------------------------


_BAD_NAME_CHAR = re.compile(r"[/:\0\s]")  # \s: str.isspace()'s characters


def check_name(name: object, *, lookup: bool = False) -> str:
    """A valid interface name, or ``ValueError``/``TypeError`` before anything is sent.

    Like the kernel's ``dev_valid_name``: 1..15 bytes (UTF-8), not ``.``/``..``, no ``/``, ``:`` or
    whitespace. With ``lookup`` (a name to find, not to give) up to 127 bytes: an alternative name
    (``ip link property add dev X altname NAME``).
    """
    if not isinstance(name, str):
        raise TypeError(f"an interface name is a str, not {type(name).__name__}")
    size = len(name.encode())
    limit = ALTIFNAMSIZ if lookup else IFNAMSIZ
    if not 0 < size < limit:
        raise ValueError(f"interface name {name!r} must be 1 to {limit - 1} bytes, not {size}")
    if name in (".", "..") or _BAD_NAME_CHAR.search(name):
        raise ValueError(f"invalid interface name {name!r}: no '/', ':', whitespace, '.' or '..'")
    return name


_MAC = re.compile(r"[0-9A-Fa-f]{1,2}(?::[0-9A-Fa-f]{1,2}){5}")


def check_mac(mac: object, what: str = "MAC address") -> str:
    """A unicast, non-zero Ethernet address in canonical form (``"02:00:5e:00:53:01"``), as the kernel's
    ``is_valid_ether_addr`` demands for a device or source address. Six groups of one or two hex
    digits separated by ``:``, nothing else (no sign, no spaces)."""
    if not isinstance(mac, str):
        raise TypeError(f"{what} is a str, not {type(mac).__name__}")
    if not _MAC.fullmatch(mac):
        raise ValueError(f"{what} {mac!r} is not six ':'-separated hex bytes")
    raw = parse_mac(mac)
    if raw[0] & 1 or not any(raw):
        raise ValueError(f"{what} {mac!r} must be unicast and non-zero")
    return raw.hex(":")


def _check_int(value: object, what: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what} is an int, not {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"{what} must be in {low}..{high}, not {value}")
    return value


def _check_bool(value: object, what: str) -> bool:
    if not isinstance(value, bool):  # "no" or 0 would be truthy or falsy by accident
        raise TypeError(f"{what} is a bool, not {type(value).__name__}")
    return value


def check_mtu(mtu: object) -> int:
    """An MTU within ``MIN_MTU..MAX_MTU`` (68..65535: IPv4's minimum, Ethernet's largest), checked
    before sending; the kernel may refuse a narrower range for a given device."""
    return _check_int(mtu, "mtu", MIN_MTU, MAX_MTU)


def check_index(index: object, what: str = "link index") -> int:
    """An interface index: a positive 32-bit signed int (``ifi_index``), checked before sending."""
    return _check_int(index, what, 1, 2**31 - 1)


def _check_ref(link: object, what: str) -> None:
    if type(link) is int and 0 < link < 2**31:  # an index, the common case: no call
        return
    if isinstance(link, str):
        check_name(link, lookup=True)
    elif isinstance(link, int) and not isinstance(link, bool):
        check_index(link, what)
    elif not isinstance(link, Link):
        raise TypeError(f"{what} is a Link, a name or an index, not {type(link).__name__}")


# --- specs -------------------------------------------------------------------------------------------


_V = TypeVar("_V", bound="_Value")


class _Value(tuple[Any, ...]):
    """Value semantics over the fields named in ``_fields``: ``==``, ``hash``, ``repr``, read-only
    attributes, ``copy``/``pickle`` and ``__replace__`` (``copy.replace``, Python >= 3.13) — what
    ``@dataclass(frozen=True)`` would generate, written once: importing :mod:`dataclasses` and
    generating the classes cost ``import rtnl`` more than everything else together.

    The values live in a tuple, as in a named tuple: building a spec is one ``tuple.__new__`` after
    its checks, where setting ten slots one by one through their descriptors cost half of building
    a Macvlan. Unlike a named tuple, a spec equals only a spec of its own class, and does not order."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()  # in the order of the tuple, repr, ==, hash and __new__

    def __init_subclass__(cls) -> None:  # each field reads its item, as a named tuple's does
        for i, name in enumerate(cls._fields):
            setattr(cls, name, property(itemgetter(i), doc=f"Alias for field number {i}."))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            same: bool = tuple.__eq__(self, other)
            return same
        return False if isinstance(other, tuple) else NotImplemented  # not a plain tuple's ==

    def __ne__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            same: bool = tuple.__eq__(self, other)
            return not same
        return True if isinstance(other, tuple) else NotImplemented

    def _unordered(self, other: object) -> Any:  # NotImplemented: specs have no order
        return NotImplemented

    __lt__ = __le__ = __gt__ = __ge__ = _unordered
    __hash__ = tuple.__hash__

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={v!r}" for n, v in zip(self._fields, self, strict=True))
        return f"{type(self).__name__}({fields})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), dict(zip(self._fields, self, strict=True))))

    def __replace__(self: _V, **changes: Any) -> _V:
        """A copy with some fields changed, validated again."""
        return type(self)(**{**dict(zip(self._fields, self, strict=True)), **changes})


def _rebuild(cls: type[_V], fields: dict[str, Any]) -> _V:
    return cls(**fields)


class Macvlan(_Value):
    """A macvlan child of ``parent`` to create (``ip link add link PARENT name NAME type macvlan ...``).

    The mode is always sent: a macvlan created without ``IFLA_MACVLAN_MODE`` is VEPA (as is one
    from ``ip link add ... type macvlan`` without ``mode``), not the BRIDGE that is this spec's
    default. ``flags`` follow iproute2's rules,
    stricter than the kernel, which accepts and ignores the others: NOPROMISC only with PASSTHRU, NODST
    only with SOURCE; ``source_macs`` (the senders a SOURCE child takes frames from) only with SOURCE;
    no ``address`` with PASSTHRU (the child always gets the parent's). ``bc_cutoff`` (kernel >= 6.4)
    belongs to the parent port: the kernel applies it to every child of the same parent, and reports
    it only when it differs from the default 1; a kernel that ignores it makes :func:`add` fail.
    With ``namespace=`` the link is created directly inside that namespace (``parent`` is still
    looked up in the caller's namespace)::

        Macvlan("mv0", parent="eth0", mode=MacvlanMode.SOURCE, source_macs=("02:00:5e:00:53:01",))
    """

    kind: ClassVar[str] = "macvlan"
    _fields = ("name", "parent", "mode", "address", "mtu", "flags", "source_macs", "bc_queue_len",
               "bc_cutoff", "namespace")
    __slots__ = ()
    name: str
    parent: LinkRef
    mode: MacvlanMode
    address: str | None
    mtu: int | None
    flags: MacvlanFlag
    source_macs: tuple[str, ...]
    bc_queue_len: int | None
    bc_cutoff: int | None
    namespace: NamespaceLike | None

    def __new__(cls, name: str, parent: LinkRef, mode: MacvlanMode = MacvlanMode.BRIDGE, *,
                address: str | None = None, mtu: int | None = None, flags: MacvlanFlag = MacvlanFlag(0),  # noqa: B008
                source_macs: Iterable[str] = (), bc_queue_len: int | None = None,
                bc_cutoff: int | None = None, namespace: NamespaceLike | None = None) -> Macvlan:
        check_name(name)
        _check_ref(parent, "parent")
        if not isinstance(mode, MacvlanMode):
            raise TypeError(f"mode is a MacvlanMode, not {mode!r}")
        if not isinstance(flags, MacvlanFlag):
            raise TypeError(f"flags is a MacvlanFlag, not {flags!r}")
        if flags:  # (IntFlag's & runs Python code: only when there is a flag to check)
            if flags & MacvlanFlag.NOPROMISC and mode != MacvlanMode.PASSTHRU:
                raise ValueError("the NOPROMISC flag is only valid in PASSTHRU mode")
            if flags & MacvlanFlag.NODST and mode != MacvlanMode.SOURCE:
                raise ValueError("the NODST flag is only valid in SOURCE mode")
        if isinstance(source_macs, str):
            raise TypeError("source_macs is a sequence of MAC strings, not one str")
        macs = tuple(check_mac(m, "source MAC") for m in source_macs) if source_macs else ()
        if macs and mode != MacvlanMode.SOURCE:
            raise ValueError("source_macs are only valid in SOURCE mode")
        if macs and len(set(macs)) != len(macs):
            raise ValueError(f"duplicate source MACs in {macs}")
        if address is not None:
            if mode == MacvlanMode.PASSTHRU:  # the kernel would silently ignore it
                raise ValueError("a PASSTHRU child always takes its parent's MAC; leave address unset")
            address = check_mac(address, "address")
        if mtu is not None:
            check_mtu(mtu)
        if bc_queue_len is not None:
            _check_int(bc_queue_len, "bc_queue_len", 0, 2**32 - 1)
        if bc_cutoff is not None:
            _check_int(bc_cutoff, "bc_cutoff", -(2**31), 2**31 - 1)
        return tuple.__new__(cls, (name, parent, mode, address, mtu, flags, macs, bc_queue_len, bc_cutoff,
                                   namespace))

    def _attrs(self, net: Connection, parent: int | None = None) -> dict[str, Any]:
        try:  # (``parent``: the parent's index, when the caller has looked it up already)
            if parent is None:
                parent = net.index(self.parent)
        except NetlinkError as e:
            if e.errno != errno.ENODEV:
                raise
            text = f"parent {self.parent!r} of {self.name!r} not found"
            raise NetlinkError.from_errno(errno.ENODEV, text, e.attribute) from None
        out: dict[str, Any] = {"IFLA_LINK": parent}
        if self.address is not None:
            out["IFLA_ADDRESS"] = self.address
        if self.mtu is not None:
            out["IFLA_MTU"] = self.mtu
        out["IFLA_LINKINFO"] = _macvlan_linkinfo(self.kind, int(self.mode), int(self.flags), self.source_macs,
                                                 self.bc_queue_len, self.bc_cutoff)  # ints: hashed in C
        return out


@functools.lru_cache(maxsize=64)
def _macvlan_linkinfo(kind: str, mode: int, flags: int, source_macs: tuple[str, ...],
                      bc_queue_len: int | None, bc_cutoff: int | None) -> Attrs:
    """IFLA_LINKINFO of a macvlan or macvtap spec, built once for children made alike (a bulk create
    differs in names only). Never read or changed: requests copy its bytes."""
    data: dict[str, Any] = {"IFLA_MACVLAN_MODE": mode}
    if flags:
        data["IFLA_MACVLAN_FLAGS"] = flags
    if source_macs:
        data["IFLA_MACVLAN_MACADDR_MODE"] = codec.MACVLAN_MACADDR_SET
        data["IFLA_MACVLAN_MACADDR_DATA"] = _mac_list(source_macs)
    if bc_queue_len is not None:
        data["IFLA_MACVLAN_BC_QUEUE_LEN"] = bc_queue_len
    if bc_cutoff is not None:
        data["IFLA_MACVLAN_BC_CUTOFF"] = bc_cutoff
    return IFLA_INFO.build(IFLA_INFO_KIND=kind, IFLA_INFO_DATA=data)


class Macvtap(Macvlan):
    """A macvtap child: a macvlan with a ``/dev/tapN`` character device. Same fields as :class:`Macvlan`."""

    kind: ClassVar[str] = "macvtap"
    __slots__ = ()


class Veth(_Value):
    """A veth pair ``name`` <-> ``peer``. ``peer_namespace`` creates the peer directly in another
    namespace; ``namespace`` does the same for ``name`` (the peer then stays here unless
    ``peer_namespace`` says otherwise). ``mtu`` applies to both ends."""

    kind: ClassVar[str] = "veth"
    _fields = ("name", "peer", "peer_namespace", "namespace", "mtu")
    __slots__ = ()
    name: str
    peer: str
    peer_namespace: NamespaceLike | None
    namespace: NamespaceLike | None
    mtu: int | None

    def __new__(cls, name: str, peer: str, *, peer_namespace: NamespaceLike | None = None,
                namespace: NamespaceLike | None = None, mtu: int | None = None) -> Veth:
        check_name(name)
        check_name(peer)
        if name == peer and namespace is None and peer_namespace is None:
            raise ValueError(f"both ends of a veth pair are named {name!r}")
        if mtu is not None:
            check_mtu(mtu)
        return tuple.__new__(cls, (name, peer, peer_namespace, namespace, mtu))

    def _attrs(self, net: Connection, peer_fd: int | None = None) -> dict[str, Any]:
        mtu = {"IFLA_MTU": self.mtu} if self.mtu is not None else {}
        peer = {"IFLA_IFNAME": self.peer, **mtu}
        if peer_fd is not None:
            peer["IFLA_NET_NS_FD"] = peer_fd
        data = {"VETH_INFO_PEER": Body(IfInfoMsg(), IFLA.build(**peer))}
        return {**mtu, "IFLA_LINKINFO": {"IFLA_INFO_KIND": "veth", "IFLA_INFO_DATA": data}}


class Bridge(_Value):
    """A bridge (the lab's "switch"); enslave ports with ``net.set(port, master=bridge)``."""

    kind: ClassVar[str] = "bridge"
    _fields = ("name", "namespace")
    __slots__ = ()
    name: str
    namespace: NamespaceLike | None

    def __new__(cls, name: str, *, namespace: NamespaceLike | None = None) -> Bridge:
        return tuple.__new__(cls, (check_name(name), namespace))

    def _attrs(self, net: Connection) -> dict[str, Any]:
        return {"IFLA_LINKINFO": {"IFLA_INFO_KIND": self.kind}}


Spec = Macvlan | Veth | Bridge


class SourceMacs(_Value):
    """An edit of a SOURCE-mode macvlan's source MAC list, for ``net.set(link, source_macs=...)``.

    A plain sequence of MACs *replaces* the list (``()`` empties it); the class methods build the
    other edits the kernel offers::

        net.set(mv, source_macs=("02:00:5e:00:53:01", "02:00:5e:00:53:02"))   # set
        net.set(mv, source_macs=SourceMacs.add("02:00:5e:00:53:03"))          # add
        net.set(mv, source_macs=SourceMacs.delete("02:00:5e:00:53:01"))       # delete
        net.set(mv, source_macs=SourceMacs.flush())                           # flush
    """

    _fields = ("op", "macs")
    __slots__ = ()
    op: Literal["set", "add", "delete", "flush"]
    macs: tuple[str, ...]

    def __new__(cls, op: Literal["set", "add", "delete", "flush"], macs: Iterable[str] = ()) -> SourceMacs:
        if op not in ("set", "add", "delete", "flush"):
            raise ValueError(f"unknown source MAC operation {op!r}")
        if isinstance(macs, str):
            raise TypeError("macs is a sequence of MAC strings, not one str")
        checked = tuple(check_mac(m, "source MAC") for m in macs)
        if op == "flush" and checked:
            raise ValueError("flush takes no MACs")
        return tuple.__new__(cls, (op, checked))

    @classmethod
    def set(cls, *macs: str) -> SourceMacs:
        """Replace the list with ``macs`` (none: empty it)."""
        return cls("set", macs)

    @classmethod
    def add(cls, *macs: str) -> SourceMacs:
        """Add ``macs`` to the list (one already there stays once)."""
        return cls("add", macs)

    @classmethod
    def delete(cls, *macs: str) -> SourceMacs:
        """Remove ``macs`` from the list (one not there is ignored, as by the kernel)."""
        return cls("delete", macs)

    @classmethod
    def flush(cls) -> SourceMacs:
        """Empty the list."""
        return cls("flush")

    def _data(self, current: Sequence[str]) -> list[tuple[str, Any]]:
        """IFLA_INFO_DATA for one request, given the ``current`` list. The kernel adds or deletes
        one MAC per request, so adding or deleting several becomes one SET of the list that results
        (all or nothing, instead of a partial list should a request fail half-way)."""
        if self.op == "flush":
            return [("IFLA_MACVLAN_MACADDR_MODE", codec.MACVLAN_MACADDR_FLUSH)]
        if self.op != "set" and len(self.macs) <= 1:
            if not self.macs:
                return []
            mode = codec.MACVLAN_MACADDR_ADD if self.op == "add" else codec.MACVLAN_MACADDR_DEL
            return [("IFLA_MACVLAN_MACADDR_MODE", mode), ("IFLA_MACVLAN_MACADDR", self.macs[0])]
        if self.op == "add":
            macs = (*current, *(m for m in self.macs if m not in current))
        elif self.op == "delete":
            macs = tuple(m for m in current if m not in self.macs)
        else:
            macs = self.macs
        data: list[tuple[str, Any]] = [("IFLA_MACVLAN_MACADDR_MODE", codec.MACVLAN_MACADDR_SET)]
        return [*data, ("IFLA_MACVLAN_MACADDR_DATA", _mac_list(macs))] if macs else data


def _mac_list(macs: Iterable[str]) -> Attrs:
    return Attrs(IFLA_MACVLAN_MACADDR_LIST, [("IFLA_MACVLAN_MACADDR", m) for m in macs])


# --- operations (exposed as Connection methods) --------------------------------------------------------


def _newlink(index: int = 0, flags: int = 0, *, ifi_flags: int = 0, change: int = 0,
             attrs: Iterable[tuple[str, Any]] = ()) -> Message:
    return Message(RTM_NEWLINK, flags, header=IfInfoMsg(index=index, flags=ifi_flags, change=change),
                   attrs=IFLA.build(**dict(attrs)))  # keywords: build's fast path (the names are unique)


def _unknown_kind(err: NetlinkError) -> bool:
    return err.errno == errno.EOPNOTSUPP and "Unknown device type" in (err.extack or "")


def _unsupported(err: NetlinkError, kind: str) -> NetlinkError:
    """The kernel's "Unknown device type" made actionable: which kind, and what to do."""
    if not _unknown_kind(err):
        return err
    return NetlinkError.from_errno(errno.EOPNOTSUPP, (
        f"the kernel has no {kind!r} link type (Unknown device type): load its module with "
        f"`modprobe {kind}` (`lsmod | grep {kind}` shows whether it is loaded)"), err.attribute)


_kernel_echoes = False  # set once a create came back with its echo (Linux >= 6.3)


def _create(net: Connection, spec: Spec, name: str, attrs: dict[str, Any], *,
            echo: bool = True) -> Link | None:
    """Create the link; return it as the kernel echoes it (Linux >= 6.3 answers ``NLM_F_ECHO`` on a
    create with the new link's RTM_NEWLINK), or ``None`` where no echo came back.

    ``echo=False`` for a link created in another namespace (``IFLA_NET_NS_FD``): the kernel sends the
    echo to the socket with our port id *in that namespace*, which is someone else's socket, if any.
    """
    global _kernel_echoes
    flags = NLM_F_CREATE | NLM_F_EXCL | (NLM_F_ECHO if echo else 0)
    msg = Message(RTM_NEWLINK, flags, attrs=IFLA.build(IFLA_IFNAME=name, **attrs))
    try:  # a kernel known to echo answers with the link or an error: no ack needed (one datagram less)
        answers = net.sock.request(msg, ack=not (echo and _kernel_echoes))
    except NetlinkError as e:
        raise _unsupported(e, spec.kind) from None
    for m in answers:  # the echo: the one RTM_NEWLINK with our request's sequence number
        if m.type == RTM_NEWLINK:
            _kernel_echoes = True
            return Link.from_message(m, net.namespace_id)
    return None


def _temp_name() -> str:
    return f"rtnl{random.getrandbits(40):010x}"  # 14 bytes: fits IFNAMSIZ


def add(net: Connection, spec: Spec) -> Link:
    """Create the link ``spec`` describes and return it as the kernel reports it.

    With ``spec.namespace`` set, the link is created inside that namespace under a temporary name and
    renamed there (as the CNI macvlan plugin does), so its name may also exist here; the returned
    :class:`Link` then describes it inside that namespace. On any failure nothing is left behind.
    """
    if not isinstance(spec, (Macvlan, Veth, Bridge)):
        raise TypeError(f"add() takes a Macvlan, Macvtap, Veth or Bridge spec, not {type(spec).__name__}")
    if spec.namespace is None and getattr(spec, "peer_namespace", None) is None:  # no namespace to open
        link = _create(net, spec, spec.name, spec._attrs(net))
        return _verified(net, spec, link or net.link(spec.name))
    from .netns import resolve

    with contextlib.ExitStack() as stack:
        peer_fd = None
        if isinstance(spec, Veth) and spec.peer_namespace is not None:
            peer_fd = _enter_ns(stack, resolve(spec.peer_namespace)).fd
        attrs = spec._attrs(net, peer_fd) if isinstance(spec, Veth) else spec._attrs(net)
        if spec.namespace is None:
            link = _create(net, spec, spec.name, attrs)
            return _verified(net, spec, link or net.link(spec.name))
        ns = _enter_ns(stack, resolve(spec.namespace))
        from .connection import connect

        inside = stack.enter_context(connect(ns))
        temp = _temp_name()
        _create(net, spec, temp, {**attrs, "IFLA_NET_NS_FD": ns.fd}, echo=False)
        index = 0
        try:
            index = inside.index(temp)
            return _verified(inside, spec, _finish_in_place(inside, index, spec.name))
        except BaseException:
            with contextlib.suppress(NetlinkError):  # by index: the rename may have happened
                inside.sock.request(_dellink(index or temp))
            raise
    raise AssertionError("unreachable")  # pragma: no cover  (mypy: ExitStack may swallow)


def add_many(net: Connection, specs: Iterable[Spec]) -> list[Link]:
    """Create many links in this namespace, as ``ip -batch`` does, and return them in order.

    All or nothing: every spec is checked before anything is sent (a spec with a ``namespace`` or
    ``peer_namespace`` is refused: :func:`add` creates those), then the creates go out pipelined,
    :data:`~rtnl.netlink.ECHO_WINDOW` per datagram, each answered by the kernel with the new link.
    If any create fails, the links this call created are deleted again (in one transaction, as by
    :func:`delete_many`) and the first error is raised; links that existed before are never touched
    (one dump beforehand says which those are).
    """
    global _kernel_echoes
    todo = list(specs)
    names: set[str] = set()
    for spec in todo:
        if not isinstance(spec, (Macvlan, Veth, Bridge)):
            raise TypeError(f"add_many() takes Macvlan, Macvtap, Veth or Bridge specs, "
                            f"not {type(spec).__name__}")
        if spec.namespace is not None or (isinstance(spec, Veth) and spec.peer_namespace is not None):
            raise ValueError(f"{spec.name!r} is to be created in another namespace: use add() for it")
        for name in (spec.name, spec.peer) if isinstance(spec, Veth) else (spec.name,):
            if name in names:
                raise ValueError(f"two specs name a link {name!r}")
            names.add(name)
    parents: dict[LinkRef, int] = {}  # a parent named by many specs is looked up once
    msgs = []
    for spec in todo:
        if isinstance(spec, Macvlan):
            ref = spec.parent
            parent = parents.get(ref) if isinstance(ref, (str, int)) else None
            attrs = spec._attrs(net, parent)
            if parent is None and isinstance(ref, (str, int)):
                parents[ref] = attrs["IFLA_LINK"]
        else:
            attrs = spec._attrs(net)
        msgs.append(Message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO,
                            attrs=IFLA.build(IFLA_IFNAME=spec.name, **attrs)))
    before = {name for name, _ in _names_and_groups(net).values()}  # never to be deleted on failure
    try:
        echoes: list[Message | None] = []
        answers = net.sock.request_each(msgs, window=ECHO_WINDOW, ack=not _kernel_echoes)
        for spec, answer in zip(todo, answers, strict=True):
            if isinstance(answer, NetlinkError):  # the first error (every answer is in), naming its link
                err = _unsupported(answer, spec.kind)
                text = f"creating {spec.name!r}" + (f": {err.extack}" if err.extack else "")
                raise NetlinkError.from_errno(err.errno or errno.EIO, text, err.attribute) from None
            echoes.append(next((m for m in answer if m.type == RTM_NEWLINK), None))
        _kernel_echoes = _kernel_echoes or any(echoes)
        here = net.namespace_id  # no echo (Linux < 6.3): the link is looked up
        return [_verified(net, spec, net.link(spec.name) if echo is None else Link.from_message(echo, here))
                for spec, echo in zip(todo, echoes, strict=True)]
    except BaseException:
        mine = {spec.name for spec in todo} - before
        created = [index for index, (name, _) in _names_and_groups(net).items() if name in mine]
        with contextlib.suppress(NetlinkError):
            delete_many(net, created)  # (a veth's peer goes with it)
        raise


def _verified(net: Connection, spec: Spec, link: Link) -> Link:
    """``link``, unless the kernel silently ignored part of ``spec``: then it is deleted again."""
    if (isinstance(spec, Macvlan) and spec.bc_cutoff not in (None, 1) and isinstance(link.info, MacvlanInfo)
            and link.info.bc_cutoff is None):
        net.sock.request(_dellink(link.index))
        raise NetlinkError.from_errno(errno.EOPNOTSUPP, "the kernel ignored IFLA_MACVLAN_BC_CUTOFF "
                                      "(it needs Linux >= 6.4); the link was not kept")
    return link


def _enter_ns(stack: contextlib.ExitStack, resolved: tuple[Namespace, bool]) -> Namespace:
    ns, owned = resolved
    if owned:
        stack.callback(ns.close)
    return ns


def _finish_in_place(inside: Connection, index: int, name: str) -> Link:
    """Second step of creating in place: give the temporary link its name inside its namespace."""
    inside.sock.request(_newlink(index, attrs=[("IFLA_IFNAME", name)]))
    return inside.link(index)


def set_link(net: Connection, link: LinkRef, *, up: bool | None = None, name: str | None = None,
             mtu: int | None = None, address: str | None = None, promisc: bool | None = None,
             txqlen: int | None = None, group: int | None = None, master: LinkRef | None = None,
             source_macs: Sequence[str] | SourceMacs | None = None) -> Link:
    """Change a link; arguments left ``None`` stay as they are. ``master=0`` releases the link from
    its master (``ip link set X nomaster``). ``source_macs`` edits a SOURCE macvlan's list: a
    sequence replaces it, :class:`SourceMacs` adds, deletes or flushes. Returns the changed link.

    Everything goes out in one ``RTM_NEWLINK`` (this kernel renames a link that is up, too). The
    kernel applies its parts one after another and stops at the first failure, so when several
    changes are asked for the link is read first and, should the request fail, what was applied is
    set back before the error is raised.
    """
    attrs: list[tuple[str, Any]] = []
    if name is not None:
        attrs.append(("IFLA_IFNAME", check_name(name)))
    if mtu is not None:
        attrs.append(("IFLA_MTU", check_mtu(mtu)))
    if address is not None:
        attrs.append(("IFLA_ADDRESS", check_mac(address, "address")))
    if txqlen is not None:
        attrs.append(("IFLA_TXQLEN", _check_int(txqlen, "txqlen", 0, 2**32 - 1)))
    if group is not None:
        attrs.append(("IFLA_GROUP", _check_int(group, "group", 0, 2**32 - 1)))
    if master is not None:
        if master != 0:
            _check_ref(master, "master")
        attrs.append(("IFLA_MASTER", 0 if master == 0 else net.index(master)))
    if source_macs is not None and not isinstance(source_macs, SourceMacs):
        if isinstance(source_macs, str):
            raise TypeError("source_macs is a sequence of MAC strings or a SourceMacs, not one str")
        source_macs = SourceMacs.set(*source_macs)
    flags = change = 0
    for wanted, bit, what in ((up, IFF_UP, "up"), (promisc, IFF_PROMISC, "promisc")):
        if wanted is not None:
            change |= bit
            flags |= bit if _check_bool(wanted, what) else 0
    index = net.index(link)
    before = None
    if source_macs is not None or len(attrs) + bool(up is not None) + bool(promisc is not None) > 1:
        before = net.link(index)
    if source_macs is not None:
        assert before is not None
        if before.kind not in ("macvlan", "macvtap"):
            raise ValueError(f"source_macs applies to macvlan/macvtap links, not to a {before.kind!r} link")
        current = before.info.source_macs if isinstance(before.info, MacvlanInfo) else ()
        data = source_macs._data(current)
        if data:
            attrs.append(("IFLA_LINKINFO", _macvlan_info(before.kind, data)))
    if attrs or change:
        try:
            net.sock.request(_newlink(index, ifi_flags=flags, change=change, attrs=attrs))
        except BaseException:
            if before is not None:
                _undo(net, before, attrs, change)
            raise
    return net.link(index)


def _macvlan_info(kind: str, data: list[tuple[str, Any]]) -> Attrs:
    return IFLA_INFO.build(IFLA_INFO_KIND=kind, IFLA_INFO_DATA=dict(data))


def _undo(net: Connection, before: Link, attrs: list[tuple[str, Any]], change: int) -> None:
    """Set back what a failed :func:`set_link` request may have applied (best effort: the request's
    error is the one to report)."""
    old: dict[str, Any] = {"IFLA_IFNAME": before.name, "IFLA_MTU": before.mtu, "IFLA_ADDRESS": before.address,
                           "IFLA_TXQLEN": before.txqlen, "IFLA_GROUP": before.group,
                           "IFLA_MASTER": before.master or 0}
    undo = [(key, old[key]) for key, _ in attrs if old.get(key) is not None]
    if any(key == "IFLA_LINKINFO" for key, _ in attrs) and isinstance(before.info, MacvlanInfo):
        macs = SourceMacs.set(*before.info.source_macs)._data(())
        undo.append(("IFLA_LINKINFO", _macvlan_info(before.kind or "macvlan", macs)))
    with contextlib.suppress(NetlinkError):
        net.sock.request(_newlink(before.index, ifi_flags=before.flags & change, change=change, attrs=undo))


def move(net: Connection, link: LinkRef, namespace: NamespaceLike | int, *, name: str | None = None) -> None:
    """Move a link into another namespace (``ip link set X netns NS [name NEW]``), renamed on the way
    if ``name`` is given. ``namespace`` is a :class:`~rtnl.Namespace`, a name, a path or a pid."""
    attrs: list[tuple[str, Any]] = [("IFLA_IFNAME", check_name(name))] if name is not None else []
    if isinstance(namespace, bool):
        raise TypeError("namespace is a Namespace, a name, a path or a pid, not a bool")
    if isinstance(namespace, int):
        pid = _check_int(namespace, "pid", 1, 2**31 - 1)
        net.sock.request(_newlink(net.index(link), attrs=[("IFLA_NET_NS_PID", pid), *attrs]))
        return
    index = net.index(link)
    from .netns import resolve

    with contextlib.ExitStack() as stack:
        ns = _enter_ns(stack, resolve(namespace))
        net.sock.request(_newlink(index, attrs=[("IFLA_NET_NS_FD", ns.fd), *attrs]))


def _dellink(link: str | int) -> Message:
    if isinstance(link, str):
        name = check_name(link, lookup=True)
        key = "IFLA_IFNAME" if len(name.encode()) < IFNAMSIZ else "IFLA_ALT_IFNAME"
        return Message(RTM_DELLINK, attrs=IFLA.build(**{key: name}))
    return Message(RTM_DELLINK, header=IfInfoMsg(index=check_index(link)))


def delete(net: Connection, link: LinkRef) -> None:
    """Delete a link (a veth takes its peer along, a parent its macvlan children, wherever they are)."""
    net.sock.request(_dellink(net.index(link) if isinstance(link, Link) else link))


def delete_many(net: Connection, links: Iterable[LinkRef]) -> None:
    """Delete many links in one kernel transaction.

    Deleting links one by one costs the kernel an RCU grace period each (~16 ms on 6.x). Here every
    link is first put into a fresh, unused link group (cheap, batched requests), then one
    ``RTM_DELLINK`` by ``IFLA_GROUP`` unregisters them all together. If either step fails, the links
    get their old groups back and the error is raised. Links given by name are resolved with one
    dump, which also catches a stale :class:`Link` (its index now holds another name).
    """
    refs = list(links)
    for ref in refs:
        _check_ref(ref, "link")
    if not refs:
        return
    current = _names_and_groups(net)  # index -> (name, group)
    by_name = {name: index for index, (name, _) in current.items()}
    targets: dict[int, int] = {}  # index -> old group
    for ref in refs:
        index = by_name.get(ref, 0) if isinstance(ref, str) else net.index(ref)
        if index not in current:
            raise NetlinkError.from_errno(errno.ENODEV, f"no link {ref!r} in this namespace")
        if isinstance(ref, Link) and ref.name != current[index][0]:  # a stale Link: its index was reused
            raise NetlinkError.from_errno(errno.ENODEV, f"no link {ref.name!r} (index {index}) in this "
                                          f"namespace any more; index {index} is {current[index][0]!r}")
        targets[index] = current[index][1]
    used = {group for _, group in current.values()}
    group = random.randrange(1 << 20, 1 << 32)
    while group in used:
        group = random.randrange(1 << 20, 1 << 32)
    try:  # a regroup failing part-way (a link gone meanwhile: ENODEV) is undone like a failed delete
        _regroup(net, {i: group for i in targets})
        net.sock.request(Message(RTM_DELLINK, attrs=IFLA.build(IFLA_GROUP=group)))
    except BaseException:
        alive = _names_and_groups(net)
        with contextlib.suppress(NetlinkError):
            _regroup(net, {i: g for i, g in targets.items() if i in alive})
        raise


def _names_and_groups(net: Connection) -> dict[int, tuple[str, int]]:
    """index -> (name, group) of every link: a dump that decodes two attributes, not whole Links."""
    mask = IFLA.build(IFLA_EXT_MASK=codec.RTEXT_FILTER_SKIP_STATS)
    msgs = net.sock.dump(Message(codec.RTM_GETLINK, attrs=mask))
    out = {}
    for m in msgs:
        if m.type == RTM_NEWLINK and m.attrs is not None:
            out[m.header.index] = (m.attrs.get("IFLA_IFNAME", ""), m.attrs.get("IFLA_GROUP", 0))
    return out


def _regroup(net: Connection, groups: dict[int, int]) -> None:
    net.sock.request_many(_newlink(index, attrs=[("IFLA_GROUP", group)]) for index, group in groups.items())


def set_bridge_port(net: Connection, link: LinkRef, *, hairpin: bool) -> Link:
    """Turn hairpin mode of a bridge port on or off (``ip link set X type bridge_slave hairpin on``):
    with it on, the bridge sends a frame back out of the port it came in on, which is what a VEPA
    macvlan needs from its "switch"."""
    if not isinstance(hairpin, bool):
        raise TypeError(f"hairpin is a bool, not {type(hairpin).__name__}")
    info = IFLA_INFO.build(IFLA_INFO_SLAVE_KIND="bridge", IFLA_INFO_SLAVE_DATA={
        "IFLA_BRPORT_MODE": codec.BRIDGE_MODE_HAIRPIN if hairpin else 0})
    index = net.index(link)
    net.sock.request(_newlink(index, attrs=[("IFLA_LINKINFO", info)]))
    return net.link(index)


def supports_kind(kind: str) -> bool:
    """Whether the running kernel can create links of ``kind`` ("macvlan", "vxlan", "dummy"...).

    Asks the kernel itself, in a fresh anonymous namespace that is thrown away afterwards (so nothing
    is created anywhere else): a kind it knows gets past the type lookup (the kernel loads its
    module on demand where it may), an unknown one fails with "Unknown device type".
    """
    if not isinstance(kind, str) or not kind:
        raise TypeError("kind is a non-empty str such as 'macvlan'")
    from .connection import connect
    from .netns import Namespace

    with Namespace.anonymous() as ns, connect(ns) as probe:
        msg = _newlink(0, NLM_F_CREATE | NLM_F_EXCL, attrs=[
            ("IFLA_IFNAME", "probe0"), ("IFLA_LINKINFO", IFLA_INFO.build(IFLA_INFO_KIND=kind))])
        try:
            probe.sock.request(msg)
        except NetlinkError as e:
            return not _unknown_kind(e)
    return True
