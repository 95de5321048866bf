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

import ipaddress
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple, TypeVar

from .errors import DecodeError

# --- linux/netlink.h ---------------------------------------------------------------------------
NLMSG_NOOP = 0x1
NLMSG_ERROR = 0x2
NLMSG_DONE = 0x3
NLMSG_OVERRUN = 0x4

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
# Value codecs: decode(buf, start, end, parent) -> value; encode(value, parent) -> bytes
# ------------------------------------------------------------------------------------------------


class Codec:
    """How one attribute's payload is read and written. ``bytes`` always passes through raw."""

    nested: bool = False

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        return bytes(buf[start:end])

    def encode(self, value: Any, parent: Attrs) -> bytes:
        return bytes(value)


class _Int(Codec):
    def __init__(self, fmt: str) -> None:
        self.st = struct.Struct(fmt)

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        if end - start != self.st.size:  # not the size this version expects: keep the bytes
            return bytes(buf[start:end])
        return self.st.unpack_from(buf, start)[0]

    def encode(self, value: Any, parent: Attrs) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return self.st.pack(value)


class _Uint(Codec):
    """NLA_UINT (linux/netlink.h): a u32, or a u64 when the value needs it."""

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        n = end - start
        if n == 4:
            return _U32.unpack_from(buf, start)[0]
        if n == 8 and (value := _U64.unpack_from(buf, start)[0]) > 0xFFFFFFFF:
            return value
        return bytes(buf[start:end])  # including a u64 that fits u32: not how the kernel writes one

    def encode(self, value: Any, parent: Attrs) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return (_U32 if value <= 0xFFFFFFFF else _U64).pack(value)


class _Str(Codec):
    """NUL-terminated string; anything else (no NUL, bytes after it) stays raw bytes."""

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        raw = bytes(buf[start:end])
        if raw.find(0) == end - start - 1 >= 0:  # one NUL, the last byte
            return raw[:-1].decode("utf-8", "surrogateescape")
        return raw

    def encode(self, value: Any, parent: Attrs) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return value.encode("utf-8", "surrogateescape") + b"\0"  # type: ignore[no-any-return]


class _LLAddr(Codec):
    """Link-layer address of any length as ``"aa:bb:cc:dd:ee:ff"``."""

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        return bytes(buf[start:end]).hex(":")

    def encode(self, value: Any, parent: Attrs) -> bytes:
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

    def encode(self, value: Any, parent: Attrs) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return ipaddress.ip_address(value).packed


class _Flag(Codec):
    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        return True if end == start else bytes(buf[start:end])

    def encode(self, value: Any, parent: Attrs) -> bytes:
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

    def encode(self, value: Any, parent: Attrs) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return struct.pack(f"={len(value)}{self.item}", *value)


class _Nested(Codec):
    nested = True

    def __init__(self, schema: Callable[[], Schema]) -> None:
        self._schema = schema

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        return parent._child(self._schema(), start, end)

    def encode(self, value: Any, parent: Attrs) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        attrs = value if isinstance(value, Attrs) else Attrs(self._schema(), value)
        return attrs.encode()


class _ByKind(Codec):
    """IFLA_INFO_DATA / IFLA_INFO_SLAVE_DATA: the schema depends on the sibling ``*_KIND`` string."""

    nested = True

    def __init__(self, kind_attr: str, schemas: Callable[[], Mapping[str, Schema]]) -> None:
        self.kind_attr, self._schemas = kind_attr, schemas

    def _schema(self, parent: Attrs) -> Schema | None:
        kind = parent.get(self.kind_attr)
        return self._schemas().get(kind) if isinstance(kind, str) else None

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        schema = self._schema(parent)
        if schema is None:
            return bytes(buf[start:end])
        return parent._child(schema, start, end)

    def encode(self, value: Any, parent: Attrs) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        if not isinstance(value, Attrs):
            schema = self._schema(parent)
            if schema is None:
                raise ValueError(f"{self.kind_attr} is not set to a known kind; pass raw bytes or Attrs")
            value = Attrs(schema, value)
        return value.encode()  # type: ignore[no-any-return]


class Body(NamedTuple):
    """A fixed header followed by attributes, nested in an attribute (VETH_INFO_PEER)."""

    header: Any
    attrs: Attrs


class _WithHeader(Codec):
    nested = True

    def __init__(self, fixed: _Fixed, schema: Callable[[], Schema]) -> None:
        self.fixed, self._schema = fixed, schema

    def decode(self, buf: bytes, start: int, end: int, parent: Attrs) -> Any:
        if end - start < self.fixed.size:
            return bytes(buf[start:end])
        header, off = self.fixed.unpack(buf, start, end)
        return Body(header, parent._child(self._schema(), off, end))

    def encode(self, value: Any, parent: Attrs) -> bytes:
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
U32S, U64S = _Array("I"), _Array("Q")


_HEX = "0123456789abcdefABCDEF"
_E = TypeVar("_E", bound=int)


def enum_or_int(cls: Callable[[int], _E], value: int) -> _E | int:
    """``cls(value)``, or ``value`` itself when this version does not know it: kept, never dropped."""
    try:
        return cls(value)
    except ValueError:
        return value


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
        # name -> (nlattr header, struct pack, padding) of the fixed-size integers, for the encoder
        self.fixed: dict[str, tuple[bytes, Callable[[Any], bytes], bytes]] = {
            n: (_NLA.pack(4 + c.st.size, t), c.st.pack, _PAD[c.st.size & 3])
            for t, (n, c) in table.items() if type(c) is _Int}

    def __repr__(self) -> str:
        return f"<Schema {self.name}>"

    def build(self, *pairs: tuple[str | int, Any], **attrs: Any) -> Attrs:
        """Attributes of this family, in order: ``IFLA.build(IFLA_IFNAME="mv0", IFLA_MTU=1500)``."""
        if pairs or not self.by_name.keys() >= attrs.keys():
            return Attrs(self, [*pairs, *attrs.items()])  # checks each name, raises KeyError
        new = Attrs.__new__(Attrs)  # keeps the keywords as they are until encoded or changed
        new.schema, new.flags, new._buf, new._start, new._end, new._depth = self, 0, None, 0, 0, 0
        new._scan, new._offs, new._types, new._values, new._items = 0, None, None, None, None
        new._pairs = attrs
        return new


Key = str | int
_UNSET: Any = object()


class Attrs:
    """The attributes of one message or nest, in wire order, duplicates kept.

    Built from ``(name, value)`` pairs, or decoded lazily from a buffer. Keys are the uapi names
    (``"IFLA_IFNAME"``); an attribute the schema does not know has its raw type number as key and
    its bytes as value. ``flags`` holds ``NLA_F_NESTED`` when the kernel set it on this nest.
    """

    # Decoded attributes stay in the buffer until asked for: ``_offs``/``_types`` hold the offset and
    # type of each nlattr walked so far (up to ``_scan``), ``_values`` caches decoded values by offset.
    # ``_items`` ([key, value or _UNSET, start, end, nla flags] per attribute) exists once the
    # attributes are built, iterated or changed; from then on it is the truth. ``Schema.build``'s
    # keywords stay a dict in ``_pairs`` until then, since most are encoded once and dropped.
    __slots__ = ("_buf", "_depth", "_end", "_items", "_offs", "_pairs", "_scan", "_start", "_types",
                 "_values", "flags", "schema")

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
        self.schema, self.flags = schema, flags
        self._buf, self._start, self._end, self._depth = buf, start, end, 0
        self._scan = start
        self._offs: list[int] | None = None
        self._types: list[int] | None = None  # masked type of each attribute in _offs
        self._values: dict[int, Any] | None = None
        self._items: list[list[Any]] | None = None
        self._pairs: dict[str, Any] | None = None
        if buf is None:
            pairs = items if isinstance(items, (list, tuple)) else (
                items.items() if isinstance(items, Mapping) else items)
            by_name, built = schema.by_name, []
            for key, value in pairs:
                if isinstance(key, str) and key not in by_name:
                    raise KeyError(f"{key} is not an attribute of {schema.name}")
                built.append([key, value, 0, 0, 0])
            self._items = built

    @classmethod
    def over(cls, schema: Schema, buf: bytes, start: int, end: int) -> Attrs:
        """The attributes in ``buf[start:end]``, decoded lazily: ``Attrs(schema, buf=..., start=...,
        end=...)`` without the keyword handling, for the decoder's per-message path."""
        self = object.__new__(cls)
        self.schema, self.flags, self._buf, self._start, self._end = schema, 0, buf, start, end
        self._depth, self._scan, self._items = 0, start, None
        self._offs, self._types, self._values, self._pairs = None, None, None, None
        return self

    def _pristine(self) -> bool:
        """Decoded, never changed: the buffer still holds exactly these attributes."""
        if self._buf is None or self._items is not None:
            return False
        return not self._values or not any(isinstance(v, (Attrs, Body)) for v in self._values.values())

    def span(self) -> tuple[bytes, int, int]:
        """``(buffer, start, end)``: where these attributes' wire bytes are, for a caller that walks
        them itself. The receive buffer if decoded and untouched, else a fresh encoding."""
        if self._pristine():
            assert self._buf is not None
            return self._buf, self._start, self._end
        data = self.encode()
        return data, 0, len(data)

    # -- lazy walk --------------------------------------------------------------------------------
    def _child(self, schema: Schema, start: int, end: int) -> Attrs:
        """A nest inside this one's buffer; refuses absurd depth (DecodeError, not RecursionError)."""
        if self._depth >= MAX_DEPTH:
            raise DecodeError(f"{schema.name}: attributes nested more than {MAX_DEPTH} deep")
        assert self._buf is not None
        child = Attrs.over(schema, self._buf, start, end)
        child._depth = self._depth + 1
        return child


    def _walk(self, want: int = -1) -> int:
        """Walk on from where the last walk stopped, up to the first attribute of type ``want`` (its
        offset is returned) or the end (-1), checking the framing. :meth:`get` walks only as far as it
        must: a name near the front costs a few steps, not the whole message."""
        offs, types = self._offs, self._types
        if offs is None or types is None:
            offs, types = self._offs, self._types = [], []
        buf, off, end = self._buf, self._scan, self._end
        assert buf is not None
        append, append_type, unpack = offs.append, types.append, _NLA.unpack_from
        length = found = bad = -1
        try:
            while off < end:  # the hot loop of decoding: keep it to these few steps
                length, rtype = unpack(buf, off)
                if length < 4:
                    bad = off
                    break
                append(off)
                append_type(rtype := rtype & NLA_TYPE_MASK)
                off += (length + 3) & ~3
                if rtype == want:
                    found = offs[-1]
                    break
        except struct.error:  # fewer than 4 bytes left in the buffer itself
            bad = off
        if bad < 0 and length >= 0 and offs[-1] + length > end:  # only the last one walked can overrun
            bad = offs.pop()
            types.pop()
        if bad >= 0:
            self._scan = bad
            if end - bad < 4:
                raise DecodeError(f"{self.schema.name}: {end - bad} stray bytes after the last attribute")
            length, rtype = unpack(buf, bad)
            raise DecodeError(f"{self.schema.name}: attribute {rtype} claims {length} bytes")
        self._scan = off
        return found

    def _index(self) -> list[list[Any]]:
        """Every attribute as ``[key, value or _UNSET, start, end, nla flags]``, walked once."""
        items = self._items
        if items is None and self._pairs is not None:
            items = self._items = [[key, value, 0, 0, 0] for key, value in self._pairs.items()]
            self._pairs = None
        elif items is None:
            if self._scan < self._end:
                self._walk()
            buf, names, unpack = self._buf, self.schema.names, _NLA.unpack_from
            assert buf is not None
            values: dict[int, Any] = self._values or {}
            items = []
            for off in self._offs or ():
                length, rtype = unpack(buf, off)
                key = names.get(rtype & NLA_TYPE_MASK)
                value = values.get(off, _UNSET)
                if key is None:  # unknown: the raw type, flags included, is the key
                    items.append([rtype, value, off + 4, off + length, 0])
                else:  # known: by name; NLA_F_NESTED / NLA_F_NET_BYTEORDER kept aside for encode
                    items.append([key, value, off + 4, off + length, rtype & _NLA_FLAGS])
            self._items = items
        return items

    def _value(self, item: list[Any]) -> Any:
        value = item[1]
        if value is _UNSET:
            key, buf = item[0], self._buf
            assert buf is not None
            if isinstance(key, int):
                value = bytes(buf[item[2]:item[3]])
            else:
                value = self.schema.by_name[key][1].decode(buf, item[2], item[3], self)
                if isinstance(value, Attrs):
                    value.flags = item[4]
            item[1] = value
        return value

    # -- mapping-like access ------------------------------------------------------------------------
    def get(self, key: Key, default: Any = None) -> Any:
        """The first value of ``key``, or ``default``."""
        if self._items is None and self._buf is not None:  # decoded, unchanged: walk only as far as needed
            entry = self.schema.by_name.get(key)  # type: ignore[arg-type]
            if entry is not None:
                rtype, types = entry[0], self._types
                if types is not None and rtype in types:  # walked past it already
                    off = self._offs[types.index(rtype)]  # type: ignore[index]
                elif self._scan < self._end:
                    off = self._walk(rtype)
                    if off < 0:
                        return default
                else:
                    return default
                values = self._values
                if values is None:
                    values = self._values = {}
                elif off in values:
                    return values[off]
                buf = self._buf
                assert buf is not None
                length, rtype = _NLA.unpack_from(buf, off)
                value = values[off] = entry[1].decode(buf, off + 4, off + length, self)
                if isinstance(value, Attrs):
                    value.flags = rtype & _NLA_FLAGS
                return value
        for item in self._index():
            if item[0] == key:
                return self._value(item)
        return default

    def __getitem__(self, key: Key) -> Any:
        value = self.get(key, _UNSET)
        if value is _UNSET:
            raise KeyError(key)
        return value

    def get_all(self, key: Key) -> list[Any]:
        """Every value of ``key``, in order (IFLA_ALT_IFNAME, IFLA_MACVLAN_MACADDR...)."""
        return [self._value(item) for item in self._index() if item[0] == key]

    def __contains__(self, key: object) -> bool:
        return any(item[0] == key for item in self._index())

    def keys(self) -> list[Key]:
        return [item[0] for item in self._index()]

    def __iter__(self) -> Iterator[tuple[Key, Any]]:
        for item in self._index():
            yield item[0], self._value(item)

    def __len__(self) -> int:
        return len(self._index())

    def __bool__(self) -> bool:
        """Whether there are any attributes; for decoded ones, whether there are any bytes (a
        malformed nest is true, and raises :class:`DecodeError` when read)."""
        if self._items is None and self._buf is not None:
            return self._start < self._end
        return bool(self._index())

    def append(self, key: Key, value: Any) -> None:
        """Add one attribute at the end."""
        if isinstance(key, str) and key not in self.schema.by_name:
            raise KeyError(f"{key} is not an attribute of {self.schema.name}")
        self._index().append([key, value, 0, 0, 0])

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
        """A fully decoded copy that no longer refers to the buffer (and re-encodes from values)."""
        items: list[list[Any]] = []
        for item in self._index():
            value = self._value(item)
            if isinstance(value, Attrs):
                value = value.copy()
            elif isinstance(value, Body):
                value = Body(value.header, value.attrs.copy())
            items.append([item[0], value, 0, 0, item[4]])  # the nla flags stay with the attribute
        new = Attrs(self.schema, flags=self.flags)
        new._items = items
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
        """The attributes as wire bytes (the original bytes, if decoded and unchanged)."""
        buf = self._buf
        if self._pristine():  # decoded and unchanged: the bytes as they came
            assert buf is not None
            return bytes(buf[self._start:self._end])
        out: list[bytes] = []
        fixed = self.schema.fixed
        pairs = self._pairs
        if pairs is not None:  # straight from Schema.build's keywords
            for key, value in pairs.items():
                if (f := fixed.get(key)) is not None:  # a fixed-size integer: prepared header
                    try:
                        out += (f[0], f[1](value), f[2])
                        continue
                    except struct.error:  # not an int (raw bytes...): the codec decides
                        pass
                out += self._encode_one(key, value, 0)
            return b"".join(out)
        for key, value, start, end, flags in self._index():
            if value is not _UNSET:
                out += self._encode_one(key, value, flags)
                continue
            assert buf is not None  # not decoded: its bytes are still the truth
            length = 4 + end - start
            out += (_NLA.pack(length, key if isinstance(key, int) else self.schema.by_name[key][0] | flags),
                    buf[start:end], _PAD[length & 3])
        return b"".join(out)

    def _encode_one(self, key: Key, value: Any, flags: int) -> tuple[bytes, bytes, bytes]:
        """nlattr header, payload and padding of one attribute."""
        if isinstance(key, int):
            rtype, payload = key, bytes(value)
        else:
            rtype, codec = self.schema.by_name[key]
            payload = codec.encode(value, self)
            rtype |= value.flags if isinstance(value, Attrs) else flags
        length = 4 + len(payload)
        if length > 0xFFFF:
            raise ValueError(f"attribute {key} is {length} bytes, more than netlink allows")
        return _NLA.pack(length, rtype), payload, _PAD[length & 3]


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
    1: ("IFLA_INFO_KIND", STR),
    2: ("IFLA_INFO_DATA", _ByKind("IFLA_INFO_KIND", _DATA_BY_KIND)),
    3: ("IFLA_INFO_XSTATS", BYTES),
    4: ("IFLA_INFO_SLAVE_KIND", STR),
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
        self.type, self.flags, self.seq, self.pid = type, flags, seq, pid
        family = FAMILIES.get(type)
        if header is None and family is not None:
            header = family[0].cls()
        if attrs is None and family is not None:
            attrs = Attrs(family[1])
        self.header, self.attrs = header, attrs

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

    def encode(self, *, seq: int | None = None, pid: int | None = None) -> bytes:
        """Wire bytes of this message; ``seq``/``pid`` override the stored ones."""
        family = FAMILIES.get(self.type)
        if family is not None and self.attrs is not None:  # the common case: one join, no copies
            head, tail = family[0].pack(self.header), self.attrs.encode()
            return b"".join((_HDR.pack(16 + len(head) + len(tail), self.type, self.flags,
                                       self.seq if seq is None else seq, self.pid if pid is None else pid),
                             head, tail))
        body = self._payload()
        return _HDR.pack(16 + len(body), self.type, self.flags,
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
    unpack = _HDR.unpack_from
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
            header = tuple.__new__(fixed.cls, fixed.st.unpack_from(data, start))
            attrs: Attrs | None = Attrs.over(schema, data, start + fixed.size, end)
        elif mtype == NLMSG_ERROR or (mtype == NLMSG_DONE and end - start >= 4):
            header, attrs = _decode_status(data, start, end, mtype, flags)
        else:
            header, attrs = bytes(data[start:end]), None
        msg = Message.__new__(Message)
        msg.type, msg.flags, msg.seq, msg.pid, msg.header, msg.attrs = mtype, flags, seq, pid, header, attrs
        out.append(msg)
        off += (length + 3) & ~3
    return out


def _decode_status(data: bytes, start: int, end: int, mtype: int, flags: int) -> tuple[Any, Attrs]:
    error = _ERR.unpack_from(data, start)[0] if end - start >= 4 else 0
    if mtype == NLMSG_DONE:
        return DoneHeader(error), Attrs(NLMSGERR, buf=data, start=start + 4, end=end)
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
    return ErrorHeader(error, request, payload), Attrs(NLMSGERR, buf=data, start=off, end=end)


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
    while True:
        for item in attrs._index():
            if item[2] - 4 <= offset < item[3]:
                path.append(str(item[0]))
                value = attrs._value(item)
                if isinstance(value, Body):
                    value = value.attrs
                if isinstance(value, Attrs) and offset >= item[2]:
                    attrs = value
                    break
                return "/".join(path)
        else:
            return "/".join(path) or None
