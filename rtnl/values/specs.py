"""What to create: link specs (:class:`Macvlan`, :class:`Macvtap`, :class:`Veth`, :class:`Bridge`,
:class:`Vxlan`) and
:class:`SourceMacs` edits, validated when they are built, before anything reaches the kernel.

Specs are plain values (``==``, ``hash``, ``copy``, ``pickle``); turning one into a request is the
job of ``rtnl.ops.links``. This module knows Python values only: no messages, no sockets.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from operator import itemgetter
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypeVar, Union

from ..uapi import IANA_VXLAN_UDP_PORT, VXLAN_VNI_MAX
from .check import check_address, check_bool, check_int, check_items, check_mac, check_mtu, check_name
from .enums import MacvlanFlag, MacvlanMode
from .links import LinkRef, check_ref

if TYPE_CHECKING:
    import os



class NamespaceHandle(Protocol):
    """An open namespace, as :class:`rtnl.Namespace` is (this layer does not import it)."""

    @property
    def fd(self) -> int: ...


NamespaceLike = Union[NamespaceHandle, str, "os.PathLike[str]"]
"""A :class:`~rtnl.Namespace`, a name under the run dir or a path (opened when the spec is used)."""

_V = TypeVar("_V", bound="_Record")


class _Record(tuple[Any, ...]):
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


class Macvlan(_Record):
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

    def __new__(cls, name: str, parent: LinkRef, mode: MacvlanMode | str = MacvlanMode.BRIDGE, *,
                address: str | None = None, mtu: int | None = None, flags: MacvlanFlag = MacvlanFlag(0),  # noqa: B008
                source_macs: Iterable[str] = (), bc_queue_len: int | None = None,
                bc_cutoff: int | None = None, namespace: NamespaceLike | None = None) -> Macvlan:
        check_name(name)
        check_ref(parent, "parent")
        if type(mode) is not MacvlanMode:  # a name: "bridge"
            mode = MacvlanMode.parse(mode, "mode")
        if not isinstance(flags, MacvlanFlag):
            raise TypeError(f"flags is a MacvlanFlag, not {flags!r}")
        if flags:  # (IntFlag's & runs Python code: only when there is a flag to check)
            if flags & MacvlanFlag.NOPROMISC and mode != MacvlanMode.PASSTHRU:
                raise ValueError("the NOPROMISC flag is only valid in PASSTHRU mode")
            if flags & MacvlanFlag.NODST and mode != MacvlanMode.SOURCE:
                raise ValueError("the NODST flag is only valid in SOURCE mode")
        macs: tuple[str, ...] = ()
        if type(source_macs) is not tuple or source_macs:  # (the default, (), needs no checking)
            macs = tuple(check_mac(m, "source MAC") for m in check_items(source_macs, "source_macs"))
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
            check_int(bc_queue_len, "bc_queue_len", 0, 2**32 - 1)
        if bc_cutoff is not None:
            check_int(bc_cutoff, "bc_cutoff", -(2**31), 2**31 - 1)
        return tuple.__new__(cls, (name, parent, mode, address, mtu, flags, macs, bc_queue_len, bc_cutoff,
                                   namespace))

class Macvtap(Macvlan):
    """A macvtap child: a macvlan with a ``/dev/tapN`` character device. Same fields as :class:`Macvlan`."""

    kind: ClassVar[str] = "macvtap"
    __slots__ = ()


class Veth(_Record):
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

class Bridge(_Record):
    """A bridge (the lab's "switch"); enslave ports with ``net.set(port, master=bridge)``."""

    kind: ClassVar[str] = "bridge"
    _fields = ("name", "namespace")
    __slots__ = ()
    name: str
    namespace: NamespaceLike | None

    def __new__(cls, name: str, *, namespace: NamespaceLike | None = None) -> Bridge:
        return tuple.__new__(cls, (check_name(name), namespace))

# --- vxlan ----------------------------------------------------------------------------------------------


class Vxlan(_Record):
    """A vxlan device to create (``ip link add NAME type vxlan id VNI [dev PARENT] [local A]
    [remote A | group A] dstport PORT [nolearning] [ttl N]``).

    ``remote`` (a unicast peer) and ``group`` (a multicast group) exclude each other, and every
    address given is of one IP version. The destination port is always sent: the kernel's own
    default is 8472, not the IANA port 4789 that is this spec's (``ip link`` warns the same way).
    ``parent`` is the underlay device, looked up in the caller's namespace (also with ``namespace=``,
    which creates the device directly inside that namespace)::

        Vxlan("vx42", 42, parent="eth0", local="198.51.100.2", remote="198.51.100.3")
    """

    kind: ClassVar[str] = "vxlan"
    _fields = ("name", "vni", "parent", "local", "remote", "group", "port", "learning", "ttl", "namespace")
    __slots__ = ()
    name: str
    vni: int
    parent: LinkRef | None
    local: ipaddress.IPv4Address | ipaddress.IPv6Address | None
    remote: ipaddress.IPv4Address | ipaddress.IPv6Address | None
    group: ipaddress.IPv4Address | ipaddress.IPv6Address | None
    port: int
    learning: bool
    ttl: int | None
    namespace: NamespaceLike | None

    def __new__(cls, name: str, vni: int, *, parent: LinkRef | None = None,
                local: ipaddress.IPv4Address | ipaddress.IPv6Address | str | None = None,
                remote: ipaddress.IPv4Address | ipaddress.IPv6Address | str | None = None,
                group: ipaddress.IPv4Address | ipaddress.IPv6Address | str | None = None,
                port: int = IANA_VXLAN_UDP_PORT, learning: bool = True, ttl: int | None = None,
                namespace: NamespaceLike | None = None) -> Vxlan:
        check_name(name)
        check_int(vni, "vni", 0, VXLAN_VNI_MAX)
        if parent is not None:
            check_ref(parent, "parent")
        addresses = {what: None if value is None else check_address(value, what)
                     for what, value in (("local", local), ("remote", remote), ("group", group))}
        if remote is not None and group is not None:
            raise ValueError("a vxlan has a unicast remote or a multicast group, not both")
        if addresses["remote"] is not None and addresses["remote"].is_multicast:
            raise ValueError(f"remote {remote} is a multicast address: pass it as group=")
        if addresses["group"] is not None and not addresses["group"].is_multicast:
            raise ValueError(f"group {group} is not a multicast address: pass a unicast peer as remote=")
        if len({a.version for a in addresses.values() if a is not None}) > 1:
            raise ValueError("local, remote and group must be of one IP version")
        check_int(port, "port", 1, 65535)
        check_bool(learning, "learning")
        if ttl is not None:
            check_int(ttl, "ttl", 1, 255)
        return tuple.__new__(cls, (name, vni, parent, addresses["local"], addresses["remote"],
                                   addresses["group"], port, learning, ttl, namespace))


Spec = Macvlan | Veth | Bridge | Vxlan


class SourceMacs(_Record):
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
        checked = tuple(check_mac(m, "source MAC") for m in check_items(macs, "macs"))
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
