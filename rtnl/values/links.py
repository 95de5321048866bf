"""Links as the kernel reports them: :class:`Link` and what each kind adds (:class:`MacvlanInfo`,
:class:`VethInfo`, :class:`BridgeInfo`, :class:`BridgePortInfo`, :class:`VxlanInfo`), and a link's
counters (:class:`LinkStats`).

A :class:`Link` is a lazy view of one RTM_NEWLINK message: one walk over its attributes finds them
all (in a dump, the C walk over the whole datagram, :data:`LINK_ROWS`; for a single message,
:meth:`Attrs.locate <rtnl.codec.Attrs.locate>`), and each property decodes its own when read; the
kind's data is decoded when ``kind`` or ``info`` is first read, once per distinct IFLA_LINKINFO.
This module knows messages as values: not sockets, namespaces or how a link is created
(``rtnl.values.specs``, ``rtnl.ops.links``).
"""

from __future__ import annotations

import ipaddress
import struct
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar, cast

from .._fast import ROW_HEAD, Memo, member_or_int, members, nul_text, pick_spans
from ..uapi import IFF_LOWER_UP, IFF_UP, RTM_NEWLINK
from ..wire.attrs import Attrs, NestByKind
from ..wire.headers import IfInfoMsg
from ..wire.message import Message, rows
from ..wire.schemas import IFLA, IFLA_BR, IFLA_BRPORT, IFLA_INFO, IFLA_MACVLAN, IFLA_MACVLAN_MACADDR_LIST
from .check import check_index, check_name
from .enums import MacvlanFlag, MacvlanMode, OperState

_new_tuple = tuple.__new__


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
        return _macvlan_info(*data.span())


def _macvlan_info(buf: bytes, start: int, end: int) -> MacvlanInfo:
    """The MacvlanInfo the IFLA_MACVLAN_* attributes in ``buf[start:end]`` say: each field decoded
    where the one walk found it, if there (a dump may hold distinct data per link, its own
    bcqueuelen: decoded once each, so this is on a dump's path)."""
    ms, me, fs, fe, ss, se, qs, qe, us, ue, cs, ce = pick_spans(buf, start, end, _MACVLAN_FIELDS.types,
                                                                "IFLA_MACVLAN")
    mode = MacvlanMode.VEPA if not ms else _U32(buf, ms)[0] if me - ms == 4 else _MODE_OF(buf, ms, me, None)
    return _new_tuple(MacvlanInfo, (  # the fields in order, without keyword handling
        _MACVLAN_MODES.get(mode, mode),
        # an IntFlag keeps bits it does not know; member_or_int saves the enum call per link
        cast(MacvlanFlag, member_or_int(MacvlanFlag, _FLAGS_OF(buf, fs, fe, None) if fs else 0)),
        # the kernel lists them in its hash order, which means nothing: sorted, they compare
        () if not ss else tuple(sorted(Attrs.over(IFLA_MACVLAN_MACADDR_LIST, buf, ss, se).get_all(
            "IFLA_MACVLAN_MACADDR"))),
        _U32(buf, qs)[0] if qe - qs == 4 else _QUEUE_LEN_OF(buf, qs, qe, None) if qs else None,
        _U32(buf, us)[0] if ue - us == 4 else _USED_OF(buf, us, ue, None) if us else None,
        _S32(buf, cs)[0] if ce - cs == 4 else _CUTOFF_OF(buf, cs, ce, None) if cs else None))


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
        stp_state, forward_delay, ageing_time, vlan_filtering = data.pick(_BRIDGE_FIELDS)
        return cls(stp_state=stp_state or 0, forward_delay=forward_delay or 0, ageing_time=ageing_time or 0,
                   vlan_filtering=bool(vlan_filtering))


class BridgePortInfo(NamedTuple):
    """A link enslaved to a bridge (IFLA_BRPORT_* in IFLA_INFO_SLAVE_DATA)."""

    hairpin: bool = False  #: frames may leave through the port they came in by (what VEPA needs)
    state: int = 0  #: BR_STATE_* (3: forwarding)
    learning: bool = True  #: the bridge learns source MACs on this port
    flood: bool = True  #: unknown unicast is flooded to this port

    @classmethod
    def from_attrs(cls, data: Attrs) -> BridgePortInfo:
        mode, state, learning, flood = data.pick(_PORT_FIELDS)
        return cls(hairpin=bool(mode), state=state or 0, learning=learning is None or bool(learning),
                   flood=flood is None or bool(flood))


# --- vxlan (IFLA_VXLAN_*) ----------------------------------------------------------------------------


class VxlanInfo(NamedTuple):
    """A vxlan device (IFLA_VXLAN_*). The kernel keeps a unicast ``remote`` and a multicast ``group``
    in one attribute; here they are told apart, as ``ip -d link`` does."""

    vni: int  #: the 24-bit VXLAN network identifier (``id``)
    #: the unicast peer every unknown destination goes to
    remote: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    #: the multicast group flooded to
    group: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    #: the source address of the outer packets
    local: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    parent: int | None = None  #: the index of the underlay device (``dev``), if one is set
    port: int = 8472  #: the UDP destination port (the kernel's default is Linux's old 8472)
    learning: bool = True  #: whether remote MACs are learned from arriving packets
    ttl: int = 0  #: the outer packets' TTL; 0: inherited from the route (``ttl auto``)
    tos: int = 0  #: the outer packets' TOS; 1: inherited
    ageing: int = 300  #: how long a learned MAC stays, in seconds
    limit: int = 0  #: the largest number of forwarding entries; 0: no limit

    @classmethod
    def from_attrs(cls, data: Attrs) -> VxlanInfo:
        remote = data.get("IFLA_VXLAN_GROUP") or data.get("IFLA_VXLAN_GROUP6")
        multicast = remote is not None and not isinstance(remote, bytes) and remote.is_multicast
        return cls(
            vni=data.get("IFLA_VXLAN_ID", 0),
            remote=None if multicast else remote,
            group=remote if multicast else None,
            local=data.get("IFLA_VXLAN_LOCAL") or data.get("IFLA_VXLAN_LOCAL6"),
            parent=data.get("IFLA_VXLAN_LINK") or None,
            port=data.get("IFLA_VXLAN_PORT", 8472),
            learning=bool(data.get("IFLA_VXLAN_LEARNING", 1)),
            ttl=data.get("IFLA_VXLAN_TTL", 0),
            tos=data.get("IFLA_VXLAN_TOS", 0),
            ageing=data.get("IFLA_VXLAN_AGEING", 300),
            limit=data.get("IFLA_VXLAN_LIMIT", 0),
        )


# --- counters (IFLA_STATS64) ---------------------------------------------------------------------------


class LinkStats(NamedTuple):
    """A link's counters, ``struct rtnl_link_stats64`` (linux/if_link.h), field for field: what
    ``ip -s link`` prints. A kernel that sends fewer fields leaves the last ones 0."""

    rx_packets: int = 0
    tx_packets: int = 0
    rx_bytes: int = 0
    tx_bytes: int = 0
    rx_errors: int = 0
    tx_errors: int = 0
    rx_dropped: int = 0
    tx_dropped: int = 0
    multicast: int = 0
    collisions: int = 0
    rx_length_errors: int = 0
    rx_over_errors: int = 0
    rx_crc_errors: int = 0
    rx_frame_errors: int = 0
    rx_fifo_errors: int = 0
    rx_missed_errors: int = 0
    tx_aborted_errors: int = 0
    tx_carrier_errors: int = 0
    tx_fifo_errors: int = 0
    tx_heartbeat_errors: int = 0
    tx_window_errors: int = 0
    rx_compressed: int = 0
    tx_compressed: int = 0
    rx_nohandler: int = 0
    rx_otherhost_dropped: int = 0

    @classmethod
    def from_attrs(cls, attrs: Attrs) -> LinkStats | None:
        """The IFLA_STATS64 of a link's attributes; ``None`` if it carries none (a link read without
        its counters) or a malformed one. Fields a newer kernel adds are left out."""
        raw = attrs.get("IFLA_STATS64")
        if not isinstance(raw, tuple):
            return None
        return cls(*raw[:len(cls._fields)])


LinkInfo = MacvlanInfo | VethInfo | BridgeInfo | VxlanInfo

if TYPE_CHECKING:  # a default for the parameter (PEP 696): a bare ``Link`` means Link[LinkInfo | None]
    from typing_extensions import TypeVar as _TypeVarWithDefault

    InfoT = _TypeVarWithDefault("InfoT", covariant=True, default=LinkInfo | None)
else:
    InfoT = TypeVar("InfoT", covariant=True)


# the attributes each value reads, in the order it unpacks them: one walk per nest, and a payload
# of the wrong size is a DecodeError naming the attribute (Attrs.pick), never a field holding bytes
_LINK_FIELDS = IFLA.picker("IFLA_IFNAME", "IFLA_MTU", "IFLA_ADDRESS", "IFLA_CARRIER", "IFLA_OPERSTATE",
                           "IFLA_PROMISCUITY", "IFLA_LINK", "IFLA_LINK_NETNSID", "IFLA_MASTER", "IFLA_GROUP",
                           "IFLA_TXQLEN", "IFLA_LINKINFO")
_LINK_DECODERS = _LINK_FIELDS.decoders
LINK_ROWS = rows(RTM_NEWLINK, _LINK_FIELDS)
"""How a dump of links is read (:class:`rtnl.ops.Dump`), for ``Link._all``."""
_rows_of = LINK_ROWS.row.iter_unpack
_SPANS = ROW_HEAD + 5  # where a row's spans start: after its head and struct ifinfomsg's 5 fields
_INFO_FIELDS = IFLA_INFO.picker("IFLA_INFO_KIND", "IFLA_INFO_DATA", "IFLA_INFO_SLAVE_KIND",
                                "IFLA_INFO_SLAVE_DATA")
_MACVLAN_FIELDS = IFLA_MACVLAN.picker("IFLA_MACVLAN_MODE", "IFLA_MACVLAN_FLAGS", "IFLA_MACVLAN_MACADDR_DATA",
                                      "IFLA_MACVLAN_BC_QUEUE_LEN", "IFLA_MACVLAN_BC_QUEUE_LEN_USED",
                                      "IFLA_MACVLAN_BC_CUTOFF")
_MACVLAN_MODES = members(MacvlanMode)
_MODE_OF, _FLAGS_OF, _, _QUEUE_LEN_OF, _USED_OF, _CUTOFF_OF = _MACVLAN_FIELDS.decoders
_U32, _S32 = struct.Struct("=I").unpack_from, struct.Struct("=i").unpack_from
_BRIDGE_FIELDS = IFLA_BR.picker("IFLA_BR_STP_STATE", "IFLA_BR_FORWARD_DELAY", "IFLA_BR_AGEING_TIME",
                                "IFLA_BR_VLAN_FILTERING")
_PORT_FIELDS = IFLA_BRPORT.picker("IFLA_BRPORT_MODE", "IFLA_BRPORT_STATE", "IFLA_BRPORT_LEARNING",
                                  "IFLA_BRPORT_UNICAST_FLOOD")


class Link(Generic[InfoT]):
    """One network interface as the kernel reports it (an RTM_NEWLINK message, decoded).

    An immutable value object: fields are read-only properties, decoded from the message when read
    (each field its own attribute, after one walk that finds them all), so listing 1,000 links costs
    little more than receiving them. It behaves as a value: ``==`` and ``hash`` over every field (and
    the namespace it was read in, :attr:`namespace_id`), ``copy.copy``/``deepcopy`` and ``pickle``
    round-trip it (the wire bytes are its state). There is no ``replace``: a Link
    is what the kernel said, so to change one ask the kernel (``net.set(link, mtu=1400)`` returns
    the new Link); ``repr`` lists every field. ``parent`` is the lower device's index (IFLA_LINK);
    when ``parent_netnsid`` is set, that index belongs to the namespace with that nsid (a macvlan
    moved away from its parent).
    """

    __slots__ = ("_attrs", "_fields", "_header", "_kinds_read", "_netns", "_where")
    _header: IfInfoMsg
    _attrs: Attrs | None  # made from _where when first needed, for a Link read from a dump's rows
    _where: tuple[bytes, tuple[int, ...]] | None  # its buffer and row (_LINK_ROWS), made on first use
    _kinds_read: tuple[str | None, LinkInfo | None, BridgePortInfo | None] | None  # kind, info, port
    _fields: Link._Fields | None  # every field, IFLA_LINKINFO's decoded too
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
        self._header, self._attrs, self._netns = header, attrs, namespace_id
        self._where = self._kinds_read = self._fields = None

    @classmethod
    def from_message(cls, msg: Message, namespace_id: tuple[int, int] | None = None) -> Link:
        """The :class:`Link` an RTM_NEWLINK message describes; ``namespace_id`` says where it was read
        (a :class:`~rtnl.Connection` passes its own)."""
        if msg.attrs is None or not isinstance(msg.header, IfInfoMsg):
            raise TypeError(f"not a link message: type {msg.type}")
        return Link(msg.header, msg.attrs, namespace_id)

    @classmethod
    def _all(cls, answer: list[tuple[bytes, bytes]],
             namespace_id: tuple[int, int] | None) -> list[Link]:
        """The links of a dump read in :data:`LINK_ROWS`: nothing decoded yet, and no walk left to do."""
        out, new, newlink, header = [], object.__new__, RTM_NEWLINK, _new_tuple
        for buf, table in answer:
            for row in _rows_of(table):
                if row[1] == newlink:  # nlmsg_type
                    link: Link = new(Link)
                    link._header = header(IfInfoMsg, row[7:12])  # struct ifinfomsg's fields
                    link._where, link._netns = (buf, row), namespace_id
                    link._attrs = link._kinds_read = link._fields = None
                    out.append(link)
        return out

    def _locate(self) -> tuple[bytes, tuple[int, ...]]:
        # a Link made from a message (or by hand): where its fields are, in a row of its own
        attrs = self._attrs
        assert attrs is not None
        buf, spans, parent = attrs.locate(_LINK_FIELDS)
        _, start, end = parent.span()
        where = self._where = (buf, (0, RTM_NEWLINK, 0, 0, 0, start, end, *self._header, *spans))
        return where

    def _attributes(self) -> Attrs:
        attrs = self._attrs
        if attrs is None:  # read from a dump's rows: a view of its attributes, made now
            assert self._where is not None
            buf, row = self._where
            attrs = self._attrs = Attrs.over(IFLA, buf, row[5], row[6])
            if row[0]:  # badly framed: pick says how (as a message's Link does on its first field)
                attrs.locate(_LINK_FIELDS)
        return attrs

    def _at(self, slot: int) -> Any:
        # the value of _LINK_FIELDS' slot (None if absent), decoded now: each property decodes its
        # own attribute, where the walk over them all found it (a dump's reader reads a few of them)
        buf, row = self._where or self._locate()
        at = _SPANS + (slot << 1)
        start = row[at]
        if not start and row[0]:  # badly framed attributes
            self._attributes()
        return _LINK_DECODERS[slot](buf, start, row[at + 1], None) if start else None

    def _kinds(self) -> tuple[str | None, LinkInfo | None, BridgePortInfo | None]:
        # kind, info and port: what IFLA_LINKINFO says, decoded once per distinct nest (the same
        # bytes always say the same, and links of one kind and mode share them), except a veth's
        # info, which is its IFLA_LINK
        kinds = self._kinds_read
        if kinds is None:
            buf, row = self._where or self._locate()
            start = row[_SPANS + 22]  # IFLA_LINKINFO
            if not start and row[0]:  # badly framed attributes
                self._attributes()
            kinds = _NO_KINDS if not start else _KINDS[bytes(buf[start:row[_SPANS + 23]])]
            if kinds[0] == "veth":
                kinds = (kinds[0], VethInfo(self._at(6), self._at(7)), kinds[2])
            self._kinds_read = kinds
        return kinds

    def _decoded(self) -> Link._Fields:
        fields = self._fields
        if fields is None:
            fields = _decode_link(self._header, _pick_link(self._header, self._attributes()), self._kinds())
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
        buf, row = self._where or self._locate()
        name: str | None = nul_text(buf, row[_SPANS], row[_SPANS + 1])  # (_at(0) without its calls)
        if name is not None:
            return name
        name = self._at(0)
        return "" if name is None else name

    @property
    def kind(self) -> str | None:
        """``"macvlan"``, ``"veth"``... (IFLA_INFO_KIND); ``None`` for a link without one (``lo``)."""
        return self._kinds()[0]

    @property
    def mtu(self) -> int:
        """The MTU in bytes (IFLA_MTU)."""
        buf, row = self._where or self._locate()
        start = row[_SPANS + 2]
        if row[_SPANS + 3] - start == 4:  # as the kernel writes it (_at(1), without its calls)
            return _U32(buf, start)[0]  # type: ignore[no-any-return]
        return self._at(1) or 0

    @property
    def address(self) -> str | None:
        """The link-layer address, ``"02:00:5e:00:53:01"``."""
        buf, row = self._where or self._locate()
        start, end = row[_SPANS + 4], row[_SPANS + 5]
        if start:  # (_at(2), without its calls)
            return buf[start:end].hex(":")
        address: str | None = self._at(2)  # absent, or its attributes badly framed
        return address

    @property
    def carrier(self) -> bool:
        """Whether the link has carrier (IFLA_CARRIER; for a veth: its peer is up)."""
        carrier = self._at(3)
        return bool(self._header.flags & IFF_LOWER_UP if carrier is None else carrier)

    @property
    def operstate(self) -> OperState | int:
        """The RFC 2863 operational state (IFLA_OPERSTATE): UP only when up *and* with carrier."""
        return member_or_int(OperState, self._at(4) or 0)

    @property
    def promiscuity(self) -> int:
        """How many users put the link in promiscuous mode."""
        return self._at(5) or 0

    @property
    def parent(self) -> int | None:
        """The lower device's index (IFLA_LINK): a macvlan's parent, a veth's peer; ``None`` if none.
        An index in :attr:`parent_netnsid`'s namespace when that is set, else in this one."""
        parent: int | None = self._at(6)
        return parent if parent != self._header.index else None

    @property
    def parent_netnsid(self) -> int | None:
        """The nsid (IFLA_LINK_NETNSID) of the namespace :attr:`parent` lives in, when that is another
        one; resolve it with :func:`rtnl.netns.by_nsid`."""
        netnsid: int | None = self._at(7)
        return netnsid

    @property
    def master(self) -> int | None:
        """The index of the bridge this link is a port of."""
        master: int | None = self._at(8)
        return master

    @property
    def group(self) -> int:
        """The link group (IFLA_GROUP, 0 by default), which :func:`delete_many` uses for bulk teardown."""
        return self._at(9) or 0

    @property
    def txqlen(self) -> int:
        """The transmit queue length in packets (IFLA_TXQLEN)."""
        return self._at(10) or 0

    @property
    def info(self) -> InfoT:
        """What the link's kind reports: :class:`MacvlanInfo`, :class:`VethInfo`, :class:`BridgeInfo`,
        :class:`VxlanInfo`.

        Its type is the link's parameter: ``net.add(Macvlan(...))`` returns a ``Link[MacvlanInfo]``,
        whose ``info.mode`` a type checker knows; a link read by name (``net.link("x")``) is a plain
        ``Link``, whose ``info`` may be any of them or ``None``."""
        return cast(InfoT, self._kinds()[1])

    @property
    def port(self) -> BridgePortInfo | None:
        """Set when the link is a bridge port."""
        return self._kinds()[2]

    @property
    def stats(self) -> LinkStats | None:
        """The link's counters (IFLA_STATS64, what ``ip -s link`` prints), or ``None`` for a message
        without them (a Link built by hand). The kernel sends them with every link, whatever
        ``RTEXT_FILTER_SKIP_STATS`` says (that skips only SR-IOV VF counters), so they are decoded
        here, on each access, apart from the other fields: reading a dump costs nothing more unless
        they are read. Counters are no part of ``==``/``hash`` (two reads of a busy link stay equal)::

            {link.name: link.stats.rx_packets for link in net.links() if link.stats}
        """
        return LinkStats.from_attrs(self._attributes())

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
        buf, start, end = self._attributes().span()
        return (_link_from_wire, (tuple(self._header), bytes(buf[start:end]), self._netns))


def _link_from_wire(header: tuple[int, ...], attrs: bytes,
                    namespace_id: tuple[int, int] | None = None) -> Link:
    return Link(IfInfoMsg(*header), Attrs.over(IFLA, attrs, 0, len(attrs)), namespace_id)


def _pick_link(hdr: IfInfoMsg, attrs: Attrs) -> list[Any]:
    """The fields of the message itself, in _Fields' order (with IFLA_LINKINFO's lazy nest last);
    ``parent`` as sent: a veth's peer may have the link's own index in another namespace."""
    (name, mtu, address, carrier, operstate, promiscuity, parent, netnsid, master, group, txqlen,
     linkinfo) = attrs.pick(_LINK_FIELDS)
    return ["" if name is None else name, mtu or 0, address,
            bool(hdr.flags & IFF_LOWER_UP if carrier is None else carrier),
            member_or_int(OperState, operstate or 0), promiscuity or 0,
            parent, netnsid, master, group or 0, txqlen or 0, linkinfo]


def _decode_kinds(raw: bytes) -> tuple[tuple[str | None, LinkInfo | None, BridgePortInfo | None], bool]:
    """What an IFLA_LINKINFO payload says: kind, info (a veth's is not in it: None) and port."""
    ks, ke, ds, de, ss, se, ps, pe = pick_spans(raw, 0, len(raw), _INFO_FIELDS.types, "IFLA_INFO")
    kind = nul_text(raw, ks, ke)
    if kind is None and ks:  # not as the kernel writes it: the decoder says what it is
        kind = _kind_of(raw, ks, ke, None)
    slave_kind = _kind_of(raw, ss, se, None) if ss else None
    info: LinkInfo | None = None
    if ds and kind in ("macvlan", "macvtap"):
        info = _macvlan_info(raw, ds, de)
    elif ds and kind in _INFO_OF:  # another known kind's data, read by the schema its kind names
        info = _INFO_OF[kind].from_attrs(Attrs.over(_DATA.schema_of(kind), raw, ds, de))  # type: ignore[arg-type]
    port = None
    if ps and slave_kind == "bridge":
        port = BridgePortInfo.from_attrs(Attrs.over(_SLAVE_DATA.schema_of(slave_kind), raw, ps, pe))  # type: ignore[arg-type]
    return (kind, info, port), True


_kind_of = _INFO_FIELDS.decoders[0]
_INFO_OF: dict[str, type[BridgeInfo | VxlanInfo]] = {"bridge": BridgeInfo, "vxlan": VxlanInfo}
_DATA, _SLAVE_DATA = (cast(NestByKind, IFLA_INFO.by_name[name][1])
                      for name in ("IFLA_INFO_DATA", "IFLA_INFO_SLAVE_DATA"))


_KINDS = Memo(_decode_kinds, 512)  # by IFLA_LINKINFO's bytes: every value in it is immutable
_NO_KINDS: tuple[None, None, None] = (None, None, None)


def _decode_link(hdr: IfInfoMsg, picked: list[Any],
                 kinds: tuple[str | None, LinkInfo | None, BridgePortInfo | None]) -> Link._Fields:
    (name, mtu, address, carrier, operstate, promiscuity, parent, netnsid, master, group, txqlen,
     _) = picked
    kind, info, port = kinds
    if parent == hdr.index:
        parent = None
    return Link._Fields(name, kind, mtu, address, carrier, operstate, promiscuity, parent, netnsid, master,
                        group, txqlen, info, port)


LinkRef = Link | str | int
"""What every ``link`` argument accepts: a :class:`Link`, an interface name or an index."""



def check_ref(link: object, what: str = "link") -> None:
    """A :data:`LinkRef`: a :class:`Link`, a valid name (up to an alternative name's length) or an
    index; ``ValueError``/``TypeError`` otherwise."""
    if type(link) is int and 0 < link < 2**31:  # an index, the common case: no call
        return
    if isinstance(link, str):
        check_name(link, lookup=True)
    elif isinstance(link, int) and not isinstance(link, bool):
        check_index(link, what)
    elif not isinstance(link, Link):
        raise TypeError(f"{what} is a Link, a name or an index, not {type(link).__name__}")
