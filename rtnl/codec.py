"""The rtnetlink wire format, with no I/O: bytes in, messages out, and back.

Each attribute family (``IFLA_*``, ``IFLA_MACVLAN_*``, ``IFA_*``, ``RTA_*``...) is one :class:`Schema`
declared as data: ``{type number: (name, value codec)}``. The same table drives encoding and
decoding. Attributes the table does not know keep their raw type number and bytes, and values that do
not decode canonically stay ``bytes``, so ``decode`` then ``encode`` gives back the same bytes.

Decoding is lazy: :func:`decode` reads message headers and fixed structs; the attributes of a message
are walked on first access only. That keeps a 1,000-link dump cheap when the caller reads a few fields.

Build a message and encode it::

    msg = Message(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL, header=IfInfoMsg(),
                  attrs=IFLA.build(IFLA_IFNAME="mv0", IFLA_LINK=2,
                                   IFLA_LINKINFO=IFLA_INFO.build(IFLA_INFO_KIND="macvlan")))
    data = msg.encode(seq=1)            # the sequence number is stamped into the bytes only
    back = decode(data)[0]
    assert back.seq == 1 and back.attrs == msg.attrs and back.encode() == data
"""

from __future__ import annotations

import functools
import ipaddress
import struct
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any, NamedTuple, TypeVar, Union

from .errors import DecodeError

# --- linux/netlink.h ---------------------------------------------------------------------------
NLMSG_NOOP = 0x1
NLMSG_ERROR = 0x2
NLMSG_DONE = 0x3
NLMSG_OVERRUN = 0x4
NLMSG_MIN_TYPE = 0x10  # types below are netlink's own (the four above)

NLM_F_REQUEST = 0x01
NLM_F_MULTI = 0x02
NLM_F_ACK = 0x04
NLM_F_ECHO = 0x08
NLM_F_DUMP_INTR = 0x10
NLM_F_DUMP_FILTERED = 0x20
NLM_F_ROOT = 0x100  # GET requests
NLM_F_MATCH = 0x200
NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH
NLM_F_REPLACE = 0x100  # NEW requests
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400
NLM_F_APPEND = 0x800
NLM_F_BULK = 0x200  # DELETE requests
NLM_F_CAPPED = 0x100  # acks
NLM_F_ACK_TLVS = 0x200

NLA_F_NESTED = 1 << 15
NLA_F_NET_BYTEORDER = 1 << 14
NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xFFFF
_NLA_FLAGS = NLA_F_NESTED | NLA_F_NET_BYTEORDER

NETLINK_ROUTE = 0
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_NO_ENOBUFS = 5
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NETLINK_GET_STRICT_CHK = 12
SOL_NETLINK = 270  # linux/socket.h

# --- linux/rtnetlink.h -------------------------------------------------------------------------
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK = 16, 17, 18, 19
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE = 24, 25, 26
RTM_NEWNSID, RTM_DELNSID, RTM_GETNSID = 88, 89, 90
RTM_NEWLINKPROP, RTM_DELLINKPROP, RTM_GETLINKPROP = 108, 109, 110  # alternative names

RTNLGRP_LINK = 1
RTNLGRP_IPV4_IFADDR = 5
RTNLGRP_IPV4_ROUTE = 7
RTNLGRP_IPV6_IFADDR = 9
RTNLGRP_IPV6_ROUTE = 11
RTNLGRP_NSID = 28

RT_TABLE_MAIN = 254
RTPROT_UNSPEC, RTPROT_KERNEL, RTPROT_BOOT, RTPROT_STATIC = 0, 2, 3, 4
RT_SCOPE_UNIVERSE, RT_SCOPE_LINK, RT_SCOPE_HOST, RT_SCOPE_NOWHERE = 0, 253, 254, 255
RTN_UNICAST, RTN_LOCAL = 1, 2
RTEXT_FILTER_VF = 1 << 0
RTEXT_FILTER_SKIP_STATS = 1 << 3

# --- linux/if_link.h ---------------------------------------------------------------------------
MACVLAN_MACADDR_ADD, MACVLAN_MACADDR_DEL, MACVLAN_MACADDR_FLUSH, MACVLAN_MACADDR_SET = 0, 1, 2, 3
BRIDGE_MODE_HAIRPIN = 1  # linux/if_bridge.h: value of IFLA_BRPORT_MODE that turns hairpin on

_HDR = struct.Struct("=IHHII")  # struct nlmsghdr: len, type, flags, seq, pid
_NLA = struct.Struct("=HH")  # struct nlattr: len, type
_ERR = struct.Struct("=i")  # struct nlmsgerr: error, then the request's nlmsghdr
_U32, _U64 = struct.Struct("=I"), struct.Struct("=Q")

_PAD = (b"", b"\0\0\0", b"\0\0", b"\0")  # NLA_ALIGN padding after an attribute of length % 4 == i
MAX_DEPTH = 32  # nests deeper than this are malformed (the kernel's own policies nest < 10 deep)


def _align(n: int) -> int:
    return (n + 3) & ~3


# ------------------------------------------------------------------------------------------------
# Fixed headers that follow nlmsghdr
# ------------------------------------------------------------------------------------------------


class IfInfoMsg(NamedTuple):
    """struct ifinfomsg (linux/rtnetlink.h)."""

    family: int = 0
    type: int = 0
    index: int = 0  # type: ignore[assignment]  # shadows tuple.index, as the C field is named
    flags: int = 0
    change: int = 0


class IfAddrMsg(NamedTuple):
    """struct ifaddrmsg (linux/if_addr.h)."""

    family: int = 0
    prefixlen: int = 0
    flags: int = 0
    scope: int = 0
    index: int = 0  # type: ignore[assignment]  # shadows tuple.index, as the C field is named


class RtMsg(NamedTuple):
    """struct rtmsg (linux/rtnetlink.h)."""

    family: int = 0
    dst_len: int = 0
    src_len: int = 0
    tos: int = 0
    table: int = 0
    protocol: int = 0
    scope: int = 0
    type: int = 0
    flags: int = 0


class RtGenMsg(NamedTuple):
    """struct rtgenmsg (linux/rtnetlink.h), padded to 4 bytes as NLMSG_ALIGN does."""

    family: int = 0


class NlMsgHdr(NamedTuple):
    """struct nlmsghdr (linux/netlink.h), as echoed inside an error message."""

    len: int = 0
    type: int = 0
    flags: int = 0
    seq: int = 0
    pid: int = 0


class ErrorHeader(NamedTuple):
    """struct nlmsgerr (linux/netlink.h): the errno (negative or 0) and the request it answers.

    ``payload`` is the rest of the request when the ack is not capped (``NLM_F_CAPPED`` unset).
    """

    error: int = 0
    request: NlMsgHdr = NlMsgHdr()
    payload: bytes = b""


class DoneHeader(NamedTuple):
    """The int that ends a dump (linux/netlink.h, NLMSG_DONE): 0 or a negative errno."""

    error: int = 0


Header = IfInfoMsg | IfAddrMsg | RtMsg | RtGenMsg | ErrorHeader | DoneHeader | bytes


class _Fixed:
    """A fixed struct after nlmsghdr, by a struct format."""

    def __init__(self, cls: Any, fmt: str) -> None:
        self.cls, self.st = cls, struct.Struct(fmt)
        self.size = self.st.size
        self.message = struct.Struct(_HDR.format + fmt[1:])  # nlmsghdr and this struct: one pack per message
        self.default = cls()  # all zeros; a header is a tuple, so one instance serves every message
        self.blank = struct.Struct(f"{_HDR.format}{self.size}x")  # nlmsghdr and the default, packed

    def unpack(self, buf: bytes, off: int, end: int) -> tuple[Any, int]:
        if end - off < self.size:
            raise DecodeError(f"{self.cls.__name__} needs {self.size} bytes, got {end - off}")
        return tuple.__new__(self.cls, self.st.unpack_from(buf, off)), off + self.size

    def pack(self, h: Any) -> bytes:
        return self.st.pack(*h)


_IFINFO = _Fixed(IfInfoMsg, "=BxHiII")
_IFADDR = _Fixed(IfAddrMsg, "=BBBBI")
_RTMSG = _Fixed(RtMsg, "=BBBBBBBBI")
_RTGEN = _Fixed(RtGenMsg, "=Bxxx")


# ------------------------------------------------------------------------------------------------
# Value codecs: decode(buf, start, end, parent) -> value; encode(value, siblings) -> bytes
# ------------------------------------------------------------------------------------------------

# What an encoder may look at besides its value: the other attributes being built, by name (the
# keywords of Schema.build, or an Attrs). Only IFLA_INFO_DATA does, to find IFLA_INFO_KIND.
_Siblings = Union[Mapping[str, Any], "Attrs"]
_Encoder = Callable[[Any], bytes]


def _tlv(rtype: int, payload: bytes, name: Key) -> bytes:
    """One whole attribute: struct nlattr, payload, NLA_ALIGN padding."""
    length = 4 + len(payload)
    if length > 0xFFFF:
        raise ValueError(f"attribute {name} is {length} bytes, more than netlink allows")
    return _NLA.pack(length, rtype) + payload + _PAD[length & 3]


class Codec:
    """How one attribute's payload is read and written. ``bytes`` always passes through raw."""

    nested: bool = False

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        return bytes(buf[start:end])

    def encode(self, value: Any, parent: _Siblings) -> bytes:
        return bytes(value)

    def tlv(self, rtype: int, name: str) -> _Encoder:
        """A shortcut that encodes a whole attribute of type ``rtype`` (nlattr header, payload,
        padding) from a value, so that building costs one dict lookup and one call per attribute.
        It may raise on a value it does not take (or one that needs its siblings): the schema then
        encodes through ``encode``, which takes the value or raises the real error."""
        encode = self.encode

        def tlv(value: Any) -> bytes:
            return _tlv(rtype | value.flags if isinstance(value, Attrs) else rtype, encode(value, {}), name)
        return tlv


class _Int(Codec):
    def __init__(self, fmt: str) -> None:
        self.st = struct.Struct(fmt)

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        if end - start != self.st.size:  # not the size this version expects: keep the bytes
            return bytes(buf[start:end])
        return self.st.unpack_from(buf, start)[0]

    def encode(self, value: Any, parent: _Siblings) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        try:
            return self.st.pack(value)
        except struct.error as e:  # bad input is a ValueError/TypeError, raised before anything is sent
            raise (ValueError if isinstance(value, int) else TypeError)(f"{value!r}: {e}") from None

    def tlv(self, rtype: int, name: str) -> _Encoder:
        fmt, size = self.st.format, self.st.size
        if fmt[0] != "=":  # BE16: the value's byte order is not the header's
            return super().tlv(rtype, name)
        # header, value and padding in one pack, called from C; raw bytes or a bad int raise struct.error
        whole: _Encoder = functools.partial(struct.Struct(f"=HH{fmt[1:]}{-size % 4}x").pack, 4 + size, rtype)
        return whole


class _Uint(Codec):
    """NLA_UINT (linux/netlink.h): a u32, or a u64 when the value needs it."""

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        n = end - start
        if n == 4:
            return _U32.unpack_from(buf, start)[0]
        if n == 8 and (value := _U64.unpack_from(buf, start)[0]) > 0xFFFFFFFF:
            return value
        return bytes(buf[start:end])  # including a u64 that fits u32: not how the kernel writes one

    def encode(self, value: Any, parent: _Siblings) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return (_U32 if value <= 0xFFFFFFFF else _U64).pack(value)


class _Str(Codec):
    """NUL-terminated string; anything else (no NUL, bytes after it) stays raw bytes."""

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        raw = buf[start:end]
        if type(raw) is not bytes:
            raw = bytes(raw)
        if raw.find(0) == end - start - 1 >= 0:  # one NUL, the last byte
            return raw[:-1].decode("utf-8", "surrogateescape")
        return raw

    def encode(self, value: Any, parent: _Siblings) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        if not isinstance(value, str):
            raise TypeError(f"a string attribute takes str or bytes, not {type(value).__name__}")
        return value.encode("utf-8", "surrogateescape") + b"\0"

    def tlv(self, rtype: int, name: str) -> _Encoder:
        packers = _STRINGS

        def tlv(value: Any) -> bytes:  # bytes (no .encode), a lone surrogate or > 64 KiB raise
            raw: bytes = value.encode()
            n = len(raw)
            return packers[n](5 + n, rtype, raw)  # type: ignore[no-any-return]
        return tlv


class _Memo(dict[Any, Any]):
    """A value per key, made by ``make(key) -> (value, keep)`` on first use and kept if ``keep``
    says so, up to ``size`` of them (a stream of odd keys does not grow it). A hit is one dict lookup
    in C: no Python call."""

    def __init__(self, make: Callable[[Any], tuple[Any, bool]], size: int = 64) -> None:
        super().__init__()
        self.make, self.size = make, size

    def __missing__(self, key: Any) -> Any:
        value, keep = self.make(key)
        if keep and len(self) < self.size:
            self[key] = value
        return value


# by a string's length, struct.pack of its whole attribute: nlattr, then the string in an "s" field
# of the aligned size, which adds the NUL and the padding
_STRINGS = _Memo(lambda n: (struct.Struct(f"=HH{_align(n + 1)}s").pack, True), 256)


class _Kind(_Str):
    """A string from a small set (``IFLA_INFO_KIND``): each value's whole attribute is encoded once
    and kept, so that encoding it again is a dict lookup."""

    def tlv(self, rtype: int, name: str) -> _Encoder:
        encode = super().tlv(rtype, name)  # bytes and the like raise, as the plain shortcut would
        return _Memo(lambda value: (encode(value), type(value) is str)).__getitem__


class _LLAddr(Codec):
    """Link-layer address of any length as ``"aa:bb:cc:dd:ee:ff"``."""

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        return bytes(buf[start:end]).hex(":")

    def encode(self, value: Any, parent: _Siblings) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return parse_mac(value, any_length=True)


class _IPAddr(Codec):
    """IPv4 or IPv6 address, by length; other lengths stay bytes."""

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        n = end - start
        if n == 4:
            return ipaddress.IPv4Address(bytes(buf[start:end]))
        if n == 16:
            return ipaddress.IPv6Address(bytes(buf[start:end]))
        return bytes(buf[start:end])

    def encode(self, value: Any, parent: _Siblings) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return ipaddress.ip_address(value).packed


class _Flag(Codec):
    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        return True if end == start else bytes(buf[start:end])

    def encode(self, value: Any, parent: _Siblings) -> bytes:
        return bytes(value) if isinstance(value, (bytes, bytearray)) else b""


class _Array(Codec):
    """A struct of equal integers (rtnl_link_stats64, ifa_cacheinfo...) as a tuple."""

    def __init__(self, item: str) -> None:
        self.item = item
        self.size = struct.calcsize(item)

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        n, rest = divmod(end - start, self.size)
        if rest:
            return bytes(buf[start:end])
        return struct.unpack_from(f"={n}{self.item}", buf, start)

    def encode(self, value: Any, parent: _Siblings) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return struct.pack(f"={len(value)}{self.item}", *value)


class _Nest(Codec):
    """A codec whose values are attributes (or a header and attributes): ``Attrs`` encode as their bytes."""

    nested = True

    def tlv(self, rtype: int, name: str) -> _Encoder:
        return _nest_tlv(rtype, None)


def _nest_tlv(rtype: int, schema: Callable[[], Schema] | None) -> _Encoder:
    """The shortcut of a nest: an ``Attrs`` as its bytes; given its ``schema``, also a plain dict of
    attributes by name, packed as ``build`` would without making an ``Attrs``."""
    head = _NLA.pack
    pack: Callable[[dict[str, Any]], bytes] | None = None

    def tlv(value: Any) -> bytes:  # anything else raises (no _values), and the general path decides
        nonlocal pack
        if type(value) is dict:
            if pack is None:  # resolved on first use (schemas refer to ones defined later)
                pack = schema()._pack  # type: ignore[misc]  # no schema: TypeError, as for any other type
            data: bytes = pack(value)  # whole attributes, each padded: nothing to pad after them
            return head(4 + len(data), rtype) + data
        data = value._buf[value._start:value._end] if value._values is None else value.encode()
        length = 4 + len(data)
        return head(length, rtype | value.flags) + data + _PAD[length & 3]
    return tlv


class _Nested(_Nest):
    def __init__(self, schema: Callable[[], Schema]) -> None:
        self._schema = schema
        self._resolved: Schema | None = None

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        schema = self._resolved
        if schema is None:
            schema = self._resolved = self._schema()
        return parent._child(schema, start, end)

    def encode(self, value: Any, parent: _Siblings) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        attrs = value if isinstance(value, Attrs) else Attrs(self._schema(), value)
        return attrs.encode()

    def tlv(self, rtype: int, name: str) -> _Encoder:
        return _nest_tlv(rtype, self._schema)


class _ByKind(_Nest):
    """IFLA_INFO_DATA / IFLA_INFO_SLAVE_DATA: the schema depends on the sibling ``*_KIND`` string."""

    def __init__(self, kind_attr: str, schemas: Callable[[], Mapping[str, Schema]]) -> None:
        self.kind_attr, self._schemas = kind_attr, schemas

    def _schema(self, parent: _Siblings) -> Schema | None:
        return self.schema_of(parent.get(self.kind_attr))

    def schema_of(self, kind: Any) -> Schema | None:
        """The schema of the data of ``kind`` (``"macvlan"``), or None."""
        return self._schemas().get(kind) if isinstance(kind, str) else None

    def shortcuts(self, rtype: int) -> _Memo:
        """This nest's shortcut per kind: with that kind's schema, which also packs a dict; for an
        unknown kind, the plain one, which refuses a dict (made once; the known kinds are kept)."""
        plain = _nest_tlv(rtype, None)

        def make(kind: Any) -> tuple[_Encoder, bool]:
            schema = self.schema_of(kind)
            return (plain, False) if schema is None else (_nest_tlv(rtype, lambda: schema), True)
        return _Memo(make)

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        schema = self._schema(parent)
        if schema is None:
            return bytes(buf[start:end])
        return parent._child(schema, start, end)

    def encode(self, value: Any, parent: _Siblings) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        if not isinstance(value, Attrs):
            schema = self._schema(parent)
            if schema is None:
                raise ValueError(f"{self.kind_attr} is not set to a known kind, so its data cannot be "
                                 "built by name; pass Attrs or raw bytes")
            value = Attrs(schema, value)
        return value.encode()  # type: ignore[no-any-return]


class Body(NamedTuple):
    """A fixed header followed by attributes, nested in an attribute (VETH_INFO_PEER)."""

    header: Any
    attrs: Attrs


class _WithHeader(_Nest):

    def __init__(self, fixed: _Fixed, schema: Callable[[], Schema]) -> None:
        self.fixed, self._schema = fixed, schema

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        if end - start < self.fixed.size:
            return bytes(buf[start:end])
        header, off = self.fixed.unpack(buf, start, end)
        return Body(header, parent._child(self._schema(), off, end))

    def encode(self, value: Any, parent: _Siblings) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        header, attrs = value
        if not isinstance(attrs, Attrs):
            attrs = Attrs(self._schema(), attrs)
        return self.fixed.pack(header) + attrs.encode()


U8, U16, U32, U64, S32 = _Int("=B"), _Int("=H"), _Int("=I"), _Int("=Q"), _Int("=i")
BE16 = _Int("!H")
UINT = _Uint()
STR, BYTES, LLADDR, IPADDR, FLAG = _Str(), Codec(), _LLAddr(), _IPAddr(), _Flag()
KIND = _Kind()
U32S, U64S = _Array("I"), _Array("Q")


_HEX = "0123456789abcdefABCDEF"
_E = TypeVar("_E", bound=int)


def enum_or_int(cls: Callable[[int], _E], value: int) -> _E | int:
    """``cls(value)``, or ``value`` itself when this version does not know it: kept, never dropped."""
    known = _MEMBERS.get(cls)
    if known is None:
        known = _MEMBERS[cls] = {}
    member = known.get(value)  # (calling an enum class costs some 5 k instructions; a link has several)
    if member is None:
        try:
            member = cls(value)
        except ValueError:
            return value
        if len(known) < 256:  # an IntFlag makes a member of any value: the cache stays small
            known[value] = member
    return member


_MEMBERS: dict[Any, dict[int, Any]] = {}  # enum class -> {value: member}, filled as values are met


def parse_mac(text: str, *, any_length: bool = False) -> bytes:
    """``"02:00:5e:00:53:01"`` -> 6 bytes; ``ValueError`` for anything else."""
    if not isinstance(text, str):
        raise TypeError(f"a MAC address is a str like '02:00:5e:00:53:01', not {type(text).__name__}")
    parts = text.split(":") if text else []
    # hex digits only: int(x, 16) alone would also take "+2", " 2" or "0x"
    if not all(0 < len(p) < 3 and p.strip(_HEX) == "" for p in parts):
        raise ValueError(f"not a MAC address: {text!r}")
    raw = bytes(int(p, 16) for p in parts)
    if not any_length and len(raw) != 6:
        raise ValueError(f"not a MAC address (need 6 bytes): {text!r}")
    return raw


# ------------------------------------------------------------------------------------------------
# Schemas and attributes
# ------------------------------------------------------------------------------------------------


class Schema:
    """One attribute family declared as data: ``{type: (name, codec)}``."""

    def __init__(self, name: str, table: Mapping[int, tuple[str, Codec]]) -> None:
        self.name = name
        self.by_type: dict[int, tuple[str, Codec]] = dict(table)
        self.by_name: dict[str, tuple[int, Codec]] = {n: (t, c) for t, (n, c) in table.items()}
        self.names: dict[int, str] = {t: n for t, (n, _) in table.items()}
        self.encoders: dict[str, _Encoder] = {n: c.tlv(t, n) for t, (n, c) in table.items()}
        # the attributes whose encoder reads a sibling (IFLA_INFO_DATA reads IFLA_INFO_KIND): the
        # sibling's name, and the shortcut for a dict of the data by kind
        self._by_kind = {n: (c.kind_attr, c.shortcuts(t)) for t, (n, c) in table.items()
                         if isinstance(c, _ByKind)}

    def __repr__(self) -> str:
        return f"<Schema {self.name}>"

    def build(self, *pairs: tuple[str | int, Any], **attrs: Any) -> Attrs:
        """Attributes of this family, in order: ``IFLA.build(IFLA_IFNAME="mv0", IFLA_MTU=1500)``;
        a nest may be an :class:`Attrs` or a plain dict of its attributes by name.

        They are encoded here, so a bad name (``KeyError``) or value (``ValueError``, ``TypeError``)
        fails before anything is sent, and reading them back gives the values a decoder would (a MAC
        address in lower case, an address as an :mod:`ipaddress` object)."""
        if pairs:
            return Attrs(self, [*pairs, *attrs.items()])
        data = self._pack(attrs)
        new = _new(Attrs)  # what _view() makes, without the call: this is the encode path's
        new.schema = self
        new.flags = 0
        new._buf = data
        new._start = 0
        new._end = len(data)
        new._depth = 0
        new._types = None
        new._spans = None
        new._values = None
        return new

    def _pack(self, attrs: dict[str, Any]) -> bytes:
        """Attributes given by name (unique, so few concatenations) as wire bytes: one lookup and
        one call of a shortcut each, or, for an unknown name or a value a shortcut does not take, the
        general path, which encodes it or raises the real error."""
        data, encoders, by_kind = b"", self.encoders, self._by_kind
        try:
            if by_kind:  # IFLA_INFO: a data nest given as a dict is packed by the schema its kind names
                for key in attrs:
                    value = attrs[key]
                    if type(value) is dict and key in by_kind:
                        kind_attr, shortcuts = by_kind[key]
                        data += shortcuts[attrs.get(kind_attr)](value)
                    else:
                        data += encoders[key](value)
            else:
                for key in attrs:
                    data += encoders[key](attrs[key])
        except Exception:
            data = self._encode(attrs.items(), attrs)
        return data

    def _encode(self, pairs: Collection[tuple[Key, Any]], siblings: _Siblings) -> bytes:
        """Attributes as wire bytes: through the shortcuts (:meth:`Codec.tlv`) when they all take
        their values, else each through its codec's ``encode``, which may look at ``siblings``."""
        encoders = self.encoders
        try:
            return b"".join([encoders[key](value) for key, value in pairs])  # type: ignore[index]
        except Exception:
            pass
        out = []
        try:
            for key, value in pairs:
                entry = self.by_name.get(key)  # type: ignore[arg-type]
                if entry is not None:
                    rtype = entry[0] | value.flags if isinstance(value, Attrs) else entry[0]
                    out.append(_tlv(rtype, entry[1].encode(value, siblings), key))
                elif isinstance(key, int):  # an attribute this schema does not know: raw type and bytes
                    out.append(_tlv(key, bytes(value), key))
                else:
                    raise KeyError(f"{key} is not an attribute of {self.name}")
        except struct.error as e:  # a raw type or array item out of range
            raise ValueError(f"{self.name}: {e}") from None
        return b"".join(out)


Key = str | int


_new = object.__new__


def _view(schema: Schema, buf: bytes, start: int, end: int, depth: int = 0) -> Attrs:
    """The attributes in ``buf[start:end]``, as a fresh lazy Attrs (nothing read yet)."""
    new = _new(Attrs)  # one store per slot: cheaper than unpacking a tuple into them
    new.schema = schema
    new.flags = 0
    new._buf = buf
    new._start = start
    new._end = end
    new._depth = depth
    new._types = None
    new._spans = None
    new._values = None
    return new


class Attrs:
    """The attributes of one message or nest, in wire order, duplicates kept.

    Always backed by wire bytes: decoded ones by the buffer they came in, built ones
    (:meth:`Schema.build`, ``Attrs(schema, pairs)``, :meth:`append`) by their own encoding, made when
    built. Reading is lazy: the first access indexes the attributes (:func:`attr_index`, one pass in
    C that also checks the framing), and a value is decoded when first asked for. Keys are the uapi
    names (``"IFLA_IFNAME"``); an attribute the schema does not know has its raw type number (flag
    bits included) as key and its bytes as value. ``flags`` holds ``NLA_F_NESTED`` when the kernel
    set it on this nest.
    """

    # _types/_spans: attr_index's answer, once indexed. _values: decoded values by position. A nest
    # handed out from _values can be changed (append), so while _values holds one, encode()
    # re-encodes those nests; otherwise the bytes are the truth.
    __slots__ = ("_buf", "_depth", "_end", "_spans", "_start", "_types", "_values", "flags", "schema")

    _types: tuple[int, ...] | None
    _spans: bytearray | None
    _values: dict[int, Any] | None

    def __init__(
        self,
        schema: Schema,
        items: Iterable[tuple[Key, Any]] | Mapping[Key, Any] = (),
        *,
        buf: bytes | None = None,
        start: int = 0,
        end: int = 0,
        flags: int = 0,
    ) -> None:
        if buf is None:
            pairs = list(items.items() if isinstance(items, Mapping) else items)
            # what IFLA_INFO_DATA's encoder sees of IFLA_INFO_KIND: the first of each name, as get() does
            buf = schema._encode(pairs, dict(reversed(pairs)) if schema._by_kind else {})
            start, end = 0, len(buf)
        self.schema, self.flags, self._buf, self._start, self._end = schema, flags, buf, start, end
        self._depth, self._types, self._spans, self._values = 0, None, None, None

    @classmethod
    def over(cls, schema: Schema, buf: bytes, start: int, end: int) -> Attrs:
        """The attributes in ``buf[start:end]``, decoded lazily: ``Attrs(schema, buf=..., start=...,
        end=...)`` without the keyword handling, for the decoder's per-message path."""
        return _view(schema, buf, start, end)

    def _pristine(self) -> bool:
        """No nest read from these attributes is held: the bytes are exactly these attributes."""
        values = self._values
        return not values or not any(isinstance(v, (Attrs, Body)) for v in values.values())

    def span(self) -> tuple[bytes, int, int]:
        """``(buffer, start, end)``: where these attributes' wire bytes are, for a caller that walks
        them itself. The buffer they were decoded or built from, unless a nest read from them may
        have changed since: then a fresh encoding."""
        if self._pristine():
            return self._buf, self._start, self._end
        data = self.encode()
        return data, 0, len(data)

    # -- lazy reading ---------------------------------------------------------------------------
    def _child(self, schema: Schema, start: int, end: int) -> Attrs:
        """A nest inside this one's buffer; refuses absurd depth (DecodeError, not RecursionError)."""
        depth = self._depth
        if depth >= MAX_DEPTH:
            raise DecodeError(f"{schema.name}: attributes nested more than {MAX_DEPTH} deep")
        return _view(schema, self._buf, start, end, depth + 1)

    def _index(self) -> tuple[int, ...]:
        """The masked type of every attribute (and their spans in ``_spans``): indexed on first use."""
        types = self._types
        if types is None:
            types, self._spans = attr_index(self._buf, self._start, self._end, self.schema.name)
            self._types = types
        return types

    def _span(self, i: int) -> tuple[int, int]:
        return _SPAN(self._spans, i << 3)  # type: ignore[arg-type]

    def _key(self, i: int) -> Key:
        name = self.schema.names.get(self._index()[i])
        if name is not None:
            return name
        rtype: int = _NLA.unpack_from(self._buf, self._span(i)[0] - 4)[1]
        return rtype  # unknown: the raw type, flags included

    def _value(self, i: int) -> Any:
        """The value of the ``i``-th attribute, decoded on first use (get() has this inline)."""
        values = self._values
        if values is None:
            values = self._values = {}
        elif i in values:
            return values[i]
        entry = self.schema.by_type.get(self._index()[i])
        start, end = self._span(i)
        if entry is None:
            value = bytes(self._buf[start:end])
        else:
            value = entry[1].decode(self._buf, start, end, self)
            if type(value) is Attrs:  # NLA_F_NESTED / NLA_F_NET_BYTEORDER, kept for encoding
                value.flags = _NLA.unpack_from(self._buf, start - 4)[1] & _NLA_FLAGS
        values[i] = value
        return value

    # -- mapping-like access ------------------------------------------------------------------------
    def get(self, key: Key, default: Any = None) -> Any:
        """The first value of ``key``, or ``default``."""
        types = self._types
        if types is None:
            types, self._spans = attr_index(self._buf, self._start, self._end, self.schema.name)
            self._types = types
        entry = self.schema.by_name.get(key)  # type: ignore[arg-type]
        if entry is None:  # an unknown attribute's raw type, or not a name of this schema
            return next((self._value(i) for i, k in enumerate(self.keys()) if k == key), default)
        if entry[0] not in types:
            return default
        i = types.index(entry[0])
        values = self._values
        if values is None:
            values = self._values = {}
        elif i in values:
            return values[i]
        # the hot path of reading, so _value()'s steps inline
        buf = self._buf
        start, end = _SPAN(self._spans, i << 3)  # type: ignore[arg-type]
        value = values[i] = entry[1].decode(buf, start, end, self)
        if type(value) is Attrs:
            value.flags = _NLA.unpack_from(buf, start - 4)[1] & _NLA_FLAGS
        return value

    def __getitem__(self, key: Key) -> Any:
        value = self.get(key, _UNSET)
        if value is _UNSET:
            raise KeyError(key)
        return value

    def get_all(self, key: Key) -> list[Any]:
        """Every value of ``key``, in order (IFLA_ALT_IFNAME, IFLA_MACVLAN_MACADDR...)."""
        return [self._value(i) for i, k in enumerate(self.keys()) if k == key]

    def __contains__(self, key: object) -> bool:
        return key in self.keys()

    def keys(self) -> list[Key]:
        return [self._key(i) for i in range(len(self))]

    def __iter__(self) -> Iterator[tuple[Key, Any]]:
        for i in range(len(self)):
            yield self._key(i), self._value(i)

    def __len__(self) -> int:
        return len(self._index())

    def __bool__(self) -> bool:
        """Whether there are any attributes; for decoded ones, whether there are any bytes (a
        malformed nest is true, and raises :class:`DecodeError` when read)."""
        return self._start < self._end

    def append(self, key: Key, value: Any) -> None:
        """Add one attribute at the end (encoded now: a bad name or value raises here)."""
        tail = self.schema._encode([(key, value)], self)
        self._buf = self.encode() + tail  # positions stay, so decoded values (and held nests) stay valid
        self._start, self._end, self._types, self._spans = 0, len(self._buf), None, None

    def to_list(self) -> list[tuple[Key, Any]]:
        """Every attribute decoded, nests included, as ``(key, value)`` pairs (forces full decoding)."""
        out: list[tuple[Key, Any]] = []
        for key, value in self:
            if isinstance(value, Attrs):
                value = value.to_list()
            elif isinstance(value, Body):
                value = (value.header, value.attrs.to_list())
            out.append((key, value))
        return out

    def copy(self) -> Attrs:
        """A fully decoded copy that no longer refers to the buffer: every value is decoded and
        encoded again (flag bits kept), so the copy also checks that the values round-trip."""
        types, out = self._index(), []
        for i, mtype in enumerate(types):
            rtype = _NLA.unpack_from(self._buf, self._span(i)[0] - 4)[1]
            value = self._value(i)
            if isinstance(value, Attrs):
                value = value.copy()
                rtype = rtype & NLA_TYPE_MASK | value.flags
            elif isinstance(value, Body):
                value = Body(value.header, value.attrs.copy())
            entry = self.schema.by_type.get(mtype)
            out.append(_tlv(rtype, bytes(value) if entry is None else entry[1].encode(value, self), rtype))
        data = b"".join(out)
        new = _view(self.schema, data, 0, len(data))
        new.flags = self.flags
        return new

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Attrs):
            return NotImplemented
        return self.schema is other.schema and self.to_list() == other.to_list()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{self.schema.name}({', '.join(f'{k}={v!r}' for k, v in self)})"

    # -- encoding --------------------------------------------------------------------------------
    def encode(self) -> bytes:
        """The attributes as wire bytes: the bytes they were decoded or built from, with any nest read
        from them encoded again (it may have been changed)."""
        buf = self._buf
        if self._values is None or self._pristine():
            data = buf[self._start:self._end]
            return data if type(data) is bytes else bytes(data)
        values: dict[int, Any] = self._values
        out = []
        for i in range(len(self)):
            start, end = self._span(i)
            rtype = _NLA.unpack_from(buf, start - 4)[1]
            value = values.get(i)
            if isinstance(value, Attrs):
                out.append(_tlv(rtype & NLA_TYPE_MASK | value.flags, value.encode(), self._key(i)))
            elif isinstance(value, Body):
                codec = self.schema.by_type[rtype & NLA_TYPE_MASK][1]
                out.append(_tlv(rtype, codec.encode(value, self), self._key(i)))
            else:  # its bytes as they are, with zero padding
                out += (buf[start - 4:end], _PAD[(end - start) & 3])
        return b"".join(out)


_UNSET: Any = object()
ATTR_SPAN = struct.Struct("=II")  # one entry of attr_index's spans: payload start and end
_SPAN = ATTR_SPAN.unpack_from
_INDEX_CAP = 64  # attributes one C call indexes without a retry (a link message with statistics: ~50)
_index_lib: Any = None  # rtnl._nla
_index: Any = None  # its rtnl_nla_index
_index_types: list[Callable[[Any, int], tuple[int, ...]]] = []
# free scratch outputs for _INDEX_CAP attributes: a call pops one and appends it back when done (the C
# call runs without the GIL), so threads, and a call re-entered from a signal handler, never share one
_scratch: list[tuple[bytearray, Any]] = []


def _load_index() -> Any:
    """rtnl._nla, on first use: ``import rtnl`` stays free of cffi's backend until attributes are read."""
    global _index_lib, _index
    from . import _nla  # compiled by the package build from csrc/build_nla.py

    _index_types[:] = [struct.Struct(f"={n}H").unpack_from for n in range(_INDEX_CAP + 1)]
    _index_lib, _index = _nla, _nla.lib.rtnl_nla_index
    return _index


def attr_index(buf: bytes, start: int, end: int,
               name: str = "attributes") -> tuple[tuple[int, ...], bytearray]:
    """Index the netlink attributes in ``buf[start:end]``: one bounds-checked pass in C
    (``rtnl._nla``). Returns ``(types, spans)``: each attribute's type, with ``NLA_F_NESTED`` and
    ``NLA_F_NET_BYTEORDER`` masked off, in wire order, and where its payload is:
    ``ATTR_SPAN.unpack_from(spans, 8 * i) -> (start, end)`` for the ``i``-th (its ``struct nlattr``
    is the 4 bytes before ``start``). Only the spans asked for become Python ints. Raises
    :class:`DecodeError`, prefixed with ``name``, on bad framing: a header cut short, a length
    below 4 or past ``end``.

    Find the first ``IFLA_IFNAME``::

        types, spans = attr_index(buf, start, end)
        if 3 in types:
            s, e = ATTR_SPAN.unpack_from(spans, 8 * types.index(3))
    """
    index = _index or _load_index()
    src = buf if type(buf) is bytes else _index_lib.ffi.from_buffer(buf)  # bytes pass without a copy
    try:
        scratch = _scratch.pop()
    except IndexError:  # all in use (or none made yet)
        scratch = _new_scratch(_INDEX_CAP)
    try:  # the spans are copied out of the scratch
        cap, (out, c_out) = _INDEX_CAP, scratch
        n = index(src, len(buf), start, end, c_out, cap)
        if n > cap:  # more attributes than room: once more with room for all
            cap, (out, c_out) = n, _new_scratch(n)
            n = index(src, len(buf), start, end, c_out, cap)
        if n >= 0:
            unpack = _index_types[n] if n <= _INDEX_CAP else struct.Struct(f"={n}H").unpack_from
            return unpack(out, 8 * cap), out[:8 * n]
    finally:
        _scratch.append(scratch)
    if not 0 <= start <= end <= len(buf):
        raise ValueError(f"{name}: span {start}:{end} is outside a buffer of {len(buf)} bytes")
    bad = -1 - n
    if end - bad < 4:
        raise DecodeError(f"{name}: {end - bad} stray bytes after the last attribute")
    length, rtype = _NLA.unpack_from(buf, bad)
    raise DecodeError(f"{name}: attribute {rtype} claims {length} bytes")


def _new_scratch(cap: int) -> tuple[bytearray, Any]:
    out = bytearray(10 * cap)  # cap (start, end) uint32 pairs, then cap uint16 types
    return out, _index_lib.ffi.from_buffer(out)


def _lazy(name: str) -> Callable[[], Schema]:
    return lambda: globals()[name]


def _kinds(**names: str) -> Callable[[], Mapping[str, Schema]]:
    table: dict[str, Schema] = {}

    def schemas() -> Mapping[str, Schema]:  # resolved on first use (the schemas are defined below)
        if not table:
            table.update((kind, globals()[schema]) for kind, schema in names.items())
        return table

    return schemas


# --- linux/if_link.h: IFLA_MACVLAN_* (macvlan and macvtap) ---------------------------------------
IFLA_MACVLAN_MACADDR_LIST = Schema("IFLA_MACVLAN_MACADDR_DATA", {4: ("IFLA_MACVLAN_MACADDR", LLADDR)})
IFLA_MACVLAN = Schema("IFLA_MACVLAN", {
    1: ("IFLA_MACVLAN_MODE", U32),
    2: ("IFLA_MACVLAN_FLAGS", U16),
    3: ("IFLA_MACVLAN_MACADDR_MODE", U32),
    4: ("IFLA_MACVLAN_MACADDR", LLADDR),
    5: ("IFLA_MACVLAN_MACADDR_DATA", _Nested(_lazy("IFLA_MACVLAN_MACADDR_LIST"))),
    6: ("IFLA_MACVLAN_MACADDR_COUNT", U32),
    7: ("IFLA_MACVLAN_BC_QUEUE_LEN", U32),
    8: ("IFLA_MACVLAN_BC_QUEUE_LEN_USED", U32),
    9: ("IFLA_MACVLAN_BC_CUTOFF", S32),  # kernel >= 6.4; newer than some installed headers
})

# --- linux/veth.h --------------------------------------------------------------------------------
VETH_INFO = Schema("VETH_INFO", {1: ("VETH_INFO_PEER", _WithHeader(_IFINFO, _lazy("IFLA")))})

# --- linux/if_link.h: IFLA_BR_* (bridge device) --------------------------------------------------
IFLA_BR = Schema("IFLA_BR", {
    1: ("IFLA_BR_FORWARD_DELAY", U32),
    2: ("IFLA_BR_HELLO_TIME", U32),
    3: ("IFLA_BR_MAX_AGE", U32),
    4: ("IFLA_BR_AGEING_TIME", U32),
    5: ("IFLA_BR_STP_STATE", U32),
    6: ("IFLA_BR_PRIORITY", U16),
    7: ("IFLA_BR_VLAN_FILTERING", U8),
    8: ("IFLA_BR_VLAN_PROTOCOL", BE16),
    9: ("IFLA_BR_GROUP_FWD_MASK", U16),
    10: ("IFLA_BR_ROOT_ID", BYTES),
    11: ("IFLA_BR_BRIDGE_ID", BYTES),
    12: ("IFLA_BR_ROOT_PORT", U16),
    13: ("IFLA_BR_ROOT_PATH_COST", U32),
    14: ("IFLA_BR_TOPOLOGY_CHANGE", U8),
    16: ("IFLA_BR_HELLO_TIMER", U64),
    23: ("IFLA_BR_MCAST_SNOOPING", U8),
    36: ("IFLA_BR_NF_CALL_IPTABLES", U8),
    39: ("IFLA_BR_VLAN_DEFAULT_PVID", U16),
})

# --- linux/if_link.h: IFLA_BRPORT_* (bridge port, in IFLA_INFO_SLAVE_DATA or IFLA_PROTINFO) -------
IFLA_BRPORT = Schema("IFLA_BRPORT", {
    1: ("IFLA_BRPORT_STATE", U8),
    2: ("IFLA_BRPORT_PRIORITY", U16),
    3: ("IFLA_BRPORT_COST", U32),
    4: ("IFLA_BRPORT_MODE", U8),  # hairpin: BRIDGE_MODE_HAIRPIN
    5: ("IFLA_BRPORT_GUARD", U8),
    6: ("IFLA_BRPORT_PROTECT", U8),
    7: ("IFLA_BRPORT_FAST_LEAVE", U8),
    8: ("IFLA_BRPORT_LEARNING", U8),
    9: ("IFLA_BRPORT_UNICAST_FLOOD", U8),
    10: ("IFLA_BRPORT_PROXYARP", U8),
    13: ("IFLA_BRPORT_ROOT_ID", BYTES),
    14: ("IFLA_BRPORT_BRIDGE_ID", BYTES),
    17: ("IFLA_BRPORT_ID", U16),
    18: ("IFLA_BRPORT_NO", U16),
    27: ("IFLA_BRPORT_MCAST_FLOOD", U8),
    30: ("IFLA_BRPORT_BCAST_FLOOD", U8),
    32: ("IFLA_BRPORT_NEIGH_SUPPRESS", U8),
    33: ("IFLA_BRPORT_ISOLATED", U8),
})

# --- linux/if_link.h: IFLA_INFO_* ----------------------------------------------------------------
_DATA_BY_KIND = _kinds(macvlan="IFLA_MACVLAN", macvtap="IFLA_MACVLAN", veth="VETH_INFO", bridge="IFLA_BR")
IFLA_INFO = Schema("IFLA_INFO", {
    1: ("IFLA_INFO_KIND", KIND),
    2: ("IFLA_INFO_DATA", _ByKind("IFLA_INFO_KIND", _DATA_BY_KIND)),
    3: ("IFLA_INFO_XSTATS", BYTES),
    4: ("IFLA_INFO_SLAVE_KIND", KIND),
    5: ("IFLA_INFO_SLAVE_DATA", _ByKind("IFLA_INFO_SLAVE_KIND", _kinds(bridge="IFLA_BRPORT"))),
})

IFLA_PROP = Schema("IFLA_PROP_LIST", {53: ("IFLA_ALT_IFNAME", STR)})

# --- linux/if_link.h: IFLA_* -----------------------------------------------------------------------
IFLA = Schema("IFLA", {
    1: ("IFLA_ADDRESS", LLADDR),
    2: ("IFLA_BROADCAST", LLADDR),
    3: ("IFLA_IFNAME", STR),
    4: ("IFLA_MTU", U32),
    5: ("IFLA_LINK", U32),
    6: ("IFLA_QDISC", STR),
    7: ("IFLA_STATS", U32S),
    10: ("IFLA_MASTER", U32),
    12: ("IFLA_PROTINFO", BYTES),
    13: ("IFLA_TXQLEN", U32),
    14: ("IFLA_MAP", BYTES),
    16: ("IFLA_OPERSTATE", U8),
    17: ("IFLA_LINKMODE", U8),
    18: ("IFLA_LINKINFO", _Nested(_lazy("IFLA_INFO"))),
    19: ("IFLA_NET_NS_PID", U32),
    20: ("IFLA_IFALIAS", STR),
    23: ("IFLA_STATS64", U64S),
    26: ("IFLA_AF_SPEC", BYTES),
    27: ("IFLA_GROUP", U32),
    28: ("IFLA_NET_NS_FD", U32),
    29: ("IFLA_EXT_MASK", U32),
    30: ("IFLA_PROMISCUITY", U32),
    31: ("IFLA_NUM_TX_QUEUES", U32),
    32: ("IFLA_NUM_RX_QUEUES", U32),
    33: ("IFLA_CARRIER", U8),
    35: ("IFLA_CARRIER_CHANGES", U32),
    37: ("IFLA_LINK_NETNSID", S32),
    39: ("IFLA_PROTO_DOWN", U8),
    40: ("IFLA_GSO_MAX_SEGS", U32),
    41: ("IFLA_GSO_MAX_SIZE", U32),
    42: ("IFLA_PAD", BYTES),
    43: ("IFLA_XDP", BYTES),
    44: ("IFLA_EVENT", U32),
    45: ("IFLA_NEW_NETNSID", S32),
    46: ("IFLA_TARGET_NETNSID", S32),
    47: ("IFLA_CARRIER_UP_COUNT", U32),
    48: ("IFLA_CARRIER_DOWN_COUNT", U32),
    49: ("IFLA_NEW_IFINDEX", S32),
    50: ("IFLA_MIN_MTU", U32),
    51: ("IFLA_MAX_MTU", U32),
    52: ("IFLA_PROP_LIST", _Nested(_lazy("IFLA_PROP"))),
    53: ("IFLA_ALT_IFNAME", STR),
    54: ("IFLA_PERM_ADDRESS", LLADDR),
    56: ("IFLA_PARENT_DEV_NAME", STR),
    57: ("IFLA_PARENT_DEV_BUS_NAME", STR),
    58: ("IFLA_GRO_MAX_SIZE", U32),
    59: ("IFLA_TSO_MAX_SIZE", U32),
    60: ("IFLA_TSO_MAX_SEGS", U32),
    61: ("IFLA_ALLMULTI", U32),
    62: ("IFLA_DEVLINK_PORT", BYTES),
    63: ("IFLA_GSO_IPV4_MAX_SIZE", U32),
    64: ("IFLA_GRO_IPV4_MAX_SIZE", U32),
    65: ("IFLA_DPLL_PIN", BYTES),
    66: ("IFLA_MAX_PACING_OFFLOAD_HORIZON", UINT),
    67: ("IFLA_NETNS_IMMUTABLE", U8),
    68: ("IFLA_HEADROOM", U16),
    69: ("IFLA_TAILROOM", U16),
})

# --- linux/if_addr.h: IFA_* ---------------------------------------------------------------------------
IFA = Schema("IFA", {
    1: ("IFA_ADDRESS", IPADDR),
    2: ("IFA_LOCAL", IPADDR),
    3: ("IFA_LABEL", STR),
    4: ("IFA_BROADCAST", IPADDR),
    5: ("IFA_ANYCAST", IPADDR),
    6: ("IFA_CACHEINFO", U32S),
    7: ("IFA_MULTICAST", IPADDR),
    8: ("IFA_FLAGS", U32),
    9: ("IFA_RT_PRIORITY", U32),
    10: ("IFA_TARGET_NETNSID", S32),
    11: ("IFA_PROTO", U8),
})

# --- linux/rtnetlink.h: RTAX_* (route metrics, nested in RTA_METRICS) ---------------------------------
RTAX = Schema("RTAX", {
    1: ("RTAX_LOCK", U32),
    2: ("RTAX_MTU", U32),
    3: ("RTAX_WINDOW", U32),
    4: ("RTAX_RTT", U32),
    5: ("RTAX_RTTVAR", U32),
    6: ("RTAX_SSTHRESH", U32),
    7: ("RTAX_CWND", U32),
    8: ("RTAX_ADVMSS", U32),
    9: ("RTAX_REORDERING", U32),
    10: ("RTAX_HOPLIMIT", U32),
    11: ("RTAX_INITCWND", U32),
    12: ("RTAX_FEATURES", U32),
    13: ("RTAX_RTO_MIN", U32),
    14: ("RTAX_INITRWND", U32),
    15: ("RTAX_QUICKACK", U32),
    16: ("RTAX_CC_ALGO", STR),
    17: ("RTAX_FASTOPEN_NO_COOKIE", U32),
})

# --- linux/rtnetlink.h: RTA_* ----------------------------------------------------------------------
RTA = Schema("RTA", {
    1: ("RTA_DST", IPADDR),
    2: ("RTA_SRC", IPADDR),
    3: ("RTA_IIF", U32),
    4: ("RTA_OIF", U32),
    5: ("RTA_GATEWAY", IPADDR),
    6: ("RTA_PRIORITY", U32),
    7: ("RTA_PREFSRC", IPADDR),
    8: ("RTA_METRICS", _Nested(_lazy("RTAX"))),
    9: ("RTA_MULTIPATH", BYTES),
    11: ("RTA_FLOW", U32),
    12: ("RTA_CACHEINFO", U32S),
    15: ("RTA_TABLE", U32),
    16: ("RTA_MARK", U32),
    18: ("RTA_VIA", BYTES),
    20: ("RTA_PREF", U8),
    21: ("RTA_ENCAP_TYPE", U16),
    22: ("RTA_ENCAP", BYTES),
    23: ("RTA_EXPIRES", U64),
    24: ("RTA_PAD", BYTES),
    25: ("RTA_UID", U32),
    26: ("RTA_TTL_PROPAGATE", U8),
    27: ("RTA_IP_PROTO", U8),
    28: ("RTA_SPORT", BE16),
    29: ("RTA_DPORT", BE16),
    30: ("RTA_NH_ID", U32),
})

# --- linux/net_namespace.h: NETNSA_* ----------------------------------------------------------------
NETNSA = Schema("NETNSA", {
    1: ("NETNSA_NSID", S32),
    2: ("NETNSA_PID", U32),
    3: ("NETNSA_FD", U32),
    4: ("NETNSA_TARGET_NSID", S32),
    5: ("NETNSA_CURRENT_NSID", S32),
})

# --- linux/netlink.h: NLMSGERR_ATTR_* (extended ack) ---------------------------------------------
NLMSGERR = Schema("NLMSGERR_ATTR", {
    1: ("NLMSGERR_ATTR_MSG", STR),
    2: ("NLMSGERR_ATTR_OFFS", U32),
    3: ("NLMSGERR_ATTR_COOKIE", BYTES),
    4: ("NLMSGERR_ATTR_POLICY", BYTES),
    5: ("NLMSGERR_ATTR_MISS_TYPE", U32),
    6: ("NLMSGERR_ATTR_MISS_NEST", U32),
})

SCHEMAS: tuple[Schema, ...] = (IFLA, IFLA_INFO, IFLA_MACVLAN, IFLA_MACVLAN_MACADDR_LIST, VETH_INFO, IFLA_BR,
                               IFLA_BRPORT, IFLA_PROP, IFA, RTA, RTAX, NETNSA, NLMSGERR)

# message type -> (fixed header, attribute schema)
FAMILIES: dict[int, tuple[_Fixed, Schema]] = {
    **dict.fromkeys((RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK, RTM_NEWLINKPROP, RTM_DELLINKPROP,
                     RTM_GETLINKPROP), (_IFINFO, IFLA)),
    **dict.fromkeys((RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR), (_IFADDR, IFA)),
    **dict.fromkeys((RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE), (_RTMSG, RTA)),
    **dict.fromkeys((RTM_NEWNSID, RTM_DELNSID, RTM_GETNSID), (_RTGEN, NETNSA)),
}


# ------------------------------------------------------------------------------------------------
# Messages
# ------------------------------------------------------------------------------------------------


class Message:
    """One netlink message: nlmsghdr fields, the fixed header, and the attributes.

    ``header`` is an :class:`IfInfoMsg`, :class:`IfAddrMsg`, :class:`RtMsg`, :class:`RtGenMsg`,
    :class:`ErrorHeader` or :class:`DoneHeader` by message type; for a type this module does not
    know, it is the raw payload (``bytes``) and ``attrs`` is ``None``.
    """

    __slots__ = ("attrs", "flags", "header", "pid", "seq", "type")

    def __init__(self, type: int, flags: int = NLM_F_REQUEST, *, header: Any = None,
                 attrs: Attrs | None = None, seq: int = 0, pid: int = 0) -> None:
        if header is None or attrs is None:  # the defaults of a known type: an empty header, no attributes
            family = FAMILIES.get(type)
            if header is None and family is not None:
                header = family[0].default
            if attrs is None and family is not None:
                attrs = _view(family[1], b"", 0, 0)
        self.type = type
        self.flags = flags
        self.seq = seq
        self.pid = pid
        self.header = header
        self.attrs = attrs

    def __repr__(self) -> str:
        return (f"Message(type={self.type}, flags={self.flags:#x}, seq={self.seq}, pid={self.pid}, "
                f"header={self.header!r}, attrs={self.attrs!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return (self.type, self.flags, self.seq, self.pid, self.header) == (
            other.type, other.flags, other.seq, other.pid, other.header) and self.attrs == other.attrs

    __hash__ = None  # type: ignore[assignment]

    def copy(self) -> Message:
        """A fully decoded copy, independent of the receive buffer."""
        return Message(self.type, self.flags, header=self.header, seq=self.seq, pid=self.pid,
                       attrs=None if self.attrs is None else self.attrs.copy())

    def encode(self, *, seq: int | None = None, pid: int | None = None, flags: int | None = None) -> bytes:
        """Wire bytes of this message; ``seq``/``pid``/``flags`` override the stored ones."""
        if flags is None:
            flags = self.flags
        family = FAMILIES.get(self.type)
        attrs = self.attrs
        if family is not None and attrs is not None:  # the common case: one pack, one concatenation
            fixed = family[0]
            if attrs._values is None and type(attrs._buf) is bytes:  # attrs.encode(), without the call
                tail = attrs._buf[attrs._start:attrs._end]
            else:
                tail = attrs.encode()
            if seq is None:
                seq = self.seq
            if pid is None:
                pid = self.pid
            header = self.header
            if header is fixed.default:
                return fixed.blank.pack(16 + fixed.size + len(tail), self.type, flags, seq, pid) + tail
            return fixed.message.pack(16 + fixed.size + len(tail), self.type, flags, seq, pid, *header) + tail
        body = self._payload()
        return _HDR.pack(16 + len(body), self.type, flags,
                         self.seq if seq is None else seq, self.pid if pid is None else pid) + body

    def _payload(self) -> bytes:
        h, attrs = self.header, self.attrs
        tail = b"" if attrs is None else attrs.encode()
        family = FAMILIES.get(self.type)
        if family is not None:
            return family[0].pack(h) + tail
        if isinstance(h, ErrorHeader):
            return _ERR.pack(h.error) + _HDR.pack(*h.request) + h.payload + tail
        if isinstance(h, DoneHeader):
            return _ERR.pack(h.error) + tail
        return bytes(h or b"") + tail


def decode(data: bytes) -> list[Message]:
    """Every message in one datagram. Raises :class:`DecodeError` on malformed framing."""
    out = []
    off, n = 0, len(data)
    unpack, new, make = _HDR.unpack_from, _new, tuple.__new__  # locals: this loop runs per message
    while off < n:
        if n - off < 16:
            raise DecodeError(f"{n - off} stray bytes after the last message")
        length, mtype, flags, seq, pid = unpack(data, off)
        if length < 16 or off + length > n:
            raise DecodeError(f"message claims {length} bytes, {n - off} left")
        end = off + length
        start = off + 16
        family = FAMILIES.get(mtype)
        if family is not None:
            fixed, schema = family
            if end - start < fixed.size:
                raise DecodeError(f"{fixed.cls.__name__} needs {fixed.size} bytes, got {end - start}")
            header = make(fixed.cls, fixed.st.unpack_from(data, start))
            a = new(Attrs)  # what _view() makes, without a call per message
            a.schema = schema
            a.flags = 0
            a._buf = data
            a._start = start + fixed.size
            a._end = end
            a._depth = 0
            a._types = None
            a._spans = None
            a._values = None
            attrs: Attrs | None = a
        elif mtype == NLMSG_ERROR or (mtype == NLMSG_DONE and end - start >= 4):
            header, attrs = _decode_status(data, start, end, mtype, flags)
        else:
            header, attrs = bytes(data[start:end]), None
        msg = new(Message)
        msg.type = mtype
        msg.flags = flags
        msg.seq = seq
        msg.pid = pid
        msg.header = header
        msg.attrs = attrs
        out.append(msg)
        off += (length + 3) & ~3
    return out


def _decode_status(data: bytes, start: int, end: int, mtype: int, flags: int) -> tuple[Any, Attrs]:
    error = _ERR.unpack_from(data, start)[0] if end - start >= 4 else 0
    if mtype == NLMSG_DONE:
        return DoneHeader(error), _view(NLMSGERR, data, start + 4, end)
    if end - start < 20:
        raise DecodeError("NLMSG_ERROR shorter than struct nlmsgerr")
    request = NlMsgHdr._make(_HDR.unpack_from(data, start + 4))
    off = start + 20
    payload = b""
    if not flags & NLM_F_CAPPED:
        size = max(0, min(request.len - 16, end - off))
        if flags & NLM_F_ACK_TLVS:  # attributes follow the echoed request, aligned
            size = min(_align(size), end - off)
            payload, off = bytes(data[off:off + size]), off + size
        else:
            payload, off = bytes(data[off:end]), end
    return ErrorHeader(error, request, payload), _view(NLMSGERR, data, off, end)


def attribute_at(request: bytes, offset: int) -> str | None:
    """The path of the attribute at byte ``offset`` of an encoded request, for ext-ack messages.

    ``attribute_at(data, 52) -> "IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_MACVLAN_MODE"``
    """
    try:
        msgs = decode(request)
    except DecodeError:
        return None
    if not msgs or msgs[0].attrs is None:
        return None
    attrs: Attrs = msgs[0].attrs
    path: list[str] = []
    try:
        while True:  # nests are views of the same buffer: offsets stay those of the request
            for i in range(len(attrs)):
                start, end = attrs._span(i)
                if start - 4 <= offset < end:
                    path.append(str(attrs._key(i)))
                    value = attrs._value(i)
                    if isinstance(value, Body):
                        value = value.attrs
                    if isinstance(value, Attrs) and offset >= start:
                        attrs = value
                        break
                    return "/".join(path)
            else:
                return "/".join(path) or None
    except DecodeError:  # the request's attributes are malformed below this point
        return "/".join(path) or None
