"""Every speed trick rtnl plays, in one place; each has a plain twin that a property test holds it to.

Call sites use these as ordinary functions and need no comment. What is here, and why:

- :func:`attr_index` walks a run of netlink attributes in C (``rtnl._nla``, one bounds-checked pass)
  and hands back their types as a tuple and their payload spans packed in a ``bytearray``: only the
  spans asked for become Python ints. A pool of scratch outputs (popped and pushed back, since the C
  call runs without the GIL) serves threads and signal handlers without sharing one. The extension
  loads on first use, so ``import rtnl`` stays free of cffi. Twin: :func:`attr_index_plain`.
- :func:`pick_spans` answers "where is the first attribute of each of these types" from one walk in
  C (``rtnl_nla_pick``), given a :class:`Plan` (a table from type to slot, made once per set of
  fields): a flat tuple of spans, nothing decoded, so a reader of a few fields decodes only those.
  Twin: :func:`pick_spans_plain`.
- :func:`message_rows` walks a whole datagram in C (``rtnl_nlmsg_rows``): a row per message with its
  header fields, its fixed header's and the spans a :class:`Rows` plan picks, packed, and whether
  every message is data of the dump asked for. A dump of links, addresses or routes is read from
  these rows: no ``Message``, ``Attrs`` or per-message walk per entry, and values made straight from
  a row. Twin: :func:`message_rows_plain`.
- :func:`int_attr` and :func:`str_attr` encode a whole attribute (``struct nlattr``, payload,
  ``NLA_ALIGN`` padding) in one ``struct.pack`` called from C: for an int, one format per attribute
  type; for a string, one format per length, kept in a :class:`Memo`, whose ``s`` field adds the NUL
  and the padding. Twin: :func:`attr_plain`. They take only the value types their schema routes to
  them (``int``, ``str``); every other value goes the general way, decided before encoding, so a
  bug here cannot hide behind a fallback and a bad value is encoded once.
- :class:`Memo` is a dict that makes a missing value on first use and keeps a bounded number of
  them: a hit is one dict lookup in C, no Python call.
- :func:`parse_interface` and :func:`parse_network` read ``"2001:db8::1/64"`` with the C library's
  ``inet_pton`` and build from the int (``ipaddress`` parsing in Python costs twice that, and
  :func:`ip_interface_of` builds it in a third of the constructor's time); any text
  they do not take plainly (a netmask, a scope, an error) goes to ``ipaddress`` itself. Twins:
  ``ipaddress.ip_interface``, ``ip_network``. Both read the text with :func:`packed_prefix`, which
  a request that carries the address as bytes (a route's destination) uses alone.
- :func:`nul_text` reads a NUL-terminated string as the kernel writes names and labels, in one
  call (the string codec's strict decoder takes two, and stays for anything else). Twin: the codec.
- :func:`member_or_int` maps an int to its enum member through a per-class dict (calling an enum
  class costs some 5 k instructions; a link has several), keeping unknown values as ints; for an
  ``IntEnum``, :func:`members` is that dict whole, read with ``.get(v, v)`` and no Python call.
  Twin: :func:`member_or_int_plain`.
- :func:`ip_address_of`, :func:`ip_interface_of` and :func:`ip_network_of` make ``ipaddress``
  addresses, interfaces and networks from an int (and a prefix length; a dump of addresses or routes
  makes one per entry) by setting on an
  ``object.__new__`` the attributes the classes' own ``__init__`` sets, a third of its time. On first
  use one of each is built both ways and compared, attribute for attribute; a Python whose
  ``ipaddress`` differs gets the constructors. Twins: :func:`ip_plain`, the constructors.
  :func:`ip_attr` encodes a whole attribute holding an address, as :func:`int_attr` does an int
  (its header made once per size; ``ipaddress`` objects only). Twin: :func:`attr_plain`.

Two tricks live with the objects they speed up, as they are a matter of representation: objects
made once per message (a message, its lazy attributes, a link) are made with ``object.__new__`` and
one store per slot, skipping ``__init__``'s argument handling (``view`` and ``Schema.build`` in
``rtnl.wire.attrs``, ``decode``, ``Link._all``; the frozen ``Address`` and ``Route`` as their
:func:`unfrozen` twins); and built attributes keep their
bytes at hand (``Attrs.wire``, dropped once a nest is read from them), so a message encodes in one
pack and one concatenation. ``tests/pure/test_fast.py`` holds both to their plain behaviour too.

This module knows nothing of schemas, messages or links: bytes, ints and structs only.
"""

from __future__ import annotations

import _socket
import functools
import ipaddress
import struct
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from .errors import DecodeError
from .uapi import NLM_F_DUMP_INTR, NLMSG_MIN_TYPE

NLA = struct.Struct("=HH")  # struct nlattr: len, type
PAD = (b"", b"\0\0\0", b"\0\0", b"\0")  # NLA_ALIGN padding after an attribute of length % 4 == i
_NLA_TYPE_MASK = 0x3FFF  # ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER), linux/netlink.h


def align(n: int) -> int:
    """NLA_ALIGN / NLMSG_ALIGN: ``n`` rounded up to 4."""
    return (n + 3) & ~3


# --- Memo --------------------------------------------------------------------------------------------


class Memo(dict[Any, Any]):
    """A value per key, made by ``make(key) -> (value, keep)`` on first use and kept if ``keep``
    says so, up to ``size`` of them: a full memo starts afresh, so a stream of odd keys neither
    grows it nor keeps the keys in use now from being kept."""

    def __init__(self, make: Callable[[Any], tuple[Any, bool]], size: int = 64) -> None:
        super().__init__()
        self.make, self.size = make, size

    def __missing__(self, key: Any) -> Any:
        value, keep = self.make(key)
        if keep:
            if len(self) >= self.size:
                self.clear()
            self[key] = value
        return value


# --- whole attributes in one pack ---------------------------------------------------------------------

Encoder = Callable[[Any], bytes]


def attr_plain(rtype: int, payload: bytes, name: object = None) -> bytes:
    """One whole attribute, the plain way: ``struct nlattr``, payload, padding."""
    length = 4 + len(payload)
    if length > 0xFFFF:
        what = rtype & _NLA_TYPE_MASK if name is None else name
        raise ValueError(f"attribute {what} is {length} bytes, more than netlink allows")
    return NLA.pack(length, rtype) + payload + PAD[length & 3]


def int_attr(rtype: int, fmt: str) -> Encoder:
    """An encoder of a whole attribute of type ``rtype`` holding one int in native byte order
    (``fmt`` a one-item ``struct`` format such as ``"=I"``). Out of range: ``struct.error``."""
    size = struct.calcsize(fmt)
    whole: Encoder = functools.partial(struct.Struct(f"=HH{fmt[1:]}{-size % 4}x").pack, 4 + size, rtype)
    return whole  # called from C: no Python frame


# by a string's length, struct.pack of its whole attribute: nlattr, then the string in an "s" field
# of the aligned size, which adds the NUL and the padding
_STRINGS = Memo(lambda n: (struct.Struct(f"=HH{align(n + 1)}s").pack, True), 256)


def str_attr(rtype: int) -> Encoder:
    """An encoder of a whole NUL-terminated string attribute of type ``rtype`` from a ``str``
    (UTF-8, lone surrogates from ``surrogateescape`` kept). Too long: ``struct.error``."""
    packers = _STRINGS

    def whole(value: str) -> bytes:
        raw = value.encode("utf-8", "surrogateescape")
        n = len(raw)
        return packers[n](5 + n, rtype, raw)  # type: ignore[no-any-return]
    return whole


# --- the C attribute walker ---------------------------------------------------------------------------

SPAN = struct.Struct("=II")  # one entry of attr_index's spans: payload start and end
_span = SPAN.unpack_from
_INDEX_CAP = 64  # attributes one C call indexes without a retry (a link message with statistics: ~50)
_lib: Any = None  # rtnl._nla
_c_index: Any = None  # its rtnl_nla_index
_unpack_types: list[Callable[[Any, int], tuple[int, ...]]] = []
_scratch: list[tuple[bytearray, Any]] = []  # free scratch outputs for _INDEX_CAP attributes


def _load() -> Any:
    global _lib, _c_index
    from . import _nla  # compiled by the package build from csrc/build_nla.py

    _unpack_types[:] = [struct.Struct(f"={n}H").unpack_from for n in range(_INDEX_CAP + 1)]
    _lib, _c_index = _nla, _nla.lib.rtnl_nla_index
    return _c_index


def _new_scratch(cap: int) -> tuple[bytearray, Any]:
    out = bytearray(10 * cap)  # cap (start, end) uint32 pairs, then cap uint16 types
    return out, _lib.ffi.from_buffer(out)


def attr_index(buf: bytes, start: int, end: int,
               name: str = "attributes") -> tuple[tuple[int, ...], bytearray]:
    """Index the netlink attributes in ``buf[start:end]``: each one's type (``NLA_F_NESTED`` and
    ``NLA_F_NET_BYTEORDER`` masked off), in wire order, and where its payload is:
    ``SPAN.unpack_from(spans, 8 * i) -> (start, end)`` for the ``i``-th (its ``struct nlattr`` is the
    4 bytes before ``start``). Raises :class:`DecodeError`, prefixed with ``name``, on bad framing."""
    index = _c_index or _load()
    src = buf if type(buf) is bytes else _lib.ffi.from_buffer(buf)  # bytes pass without a copy
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
            unpack = _unpack_types[n] if n <= _INDEX_CAP else struct.Struct(f"={n}H").unpack_from
            return unpack(out, 8 * cap), out[:8 * n]
    finally:
        _scratch.append(scratch)
    if not 0 <= start <= end <= len(buf):
        raise ValueError(f"{name}: span {start}:{end} is outside a buffer of {len(buf)} bytes")
    _framing_error(buf, -1 - n, end, name)
    raise AssertionError("unreachable")  # pragma: no cover


def _framing_error(buf: bytes, bad: int, end: int, name: str) -> None:
    if end - bad < 4:
        raise DecodeError(f"{name}: {end - bad} stray bytes after the last attribute")
    length, rtype = NLA.unpack_from(buf, bad)
    raise DecodeError(f"{name}: attribute {rtype} claims {length} bytes")


def attr_index_plain(buf: bytes, start: int, end: int,
                     name: str = "attributes") -> tuple[tuple[int, ...], list[tuple[int, int]]]:
    """:func:`attr_index`'s twin in plain Python; spans as a list of ``(start, end)``."""
    if not 0 <= start <= end <= len(buf):
        raise ValueError(f"{name}: span {start}:{end} is outside a buffer of {len(buf)} bytes")
    types: list[int] = []
    spans: list[tuple[int, int]] = []
    off = start
    while off < end:
        if end - off < 4:
            _framing_error(buf, off, end, name)
        length, rtype = NLA.unpack_from(buf, off)
        if length < 4 or off + length > end:
            _framing_error(buf, off, end, name)
        types.append(rtype & _NLA_TYPE_MASK)
        spans.append((off + 4, off + length))
        off += align(length)
    return tuple(types), spans


def spans_of(spans: bytearray) -> list[tuple[int, int]]:
    """The ``(start, end)`` pairs of :func:`attr_index`'s packed spans."""
    return [_span(spans, 8 * i) for i in range(len(spans) // 8)]


def span_at(spans: bytearray, i: int) -> tuple[int, int]:
    """The ``(start, end)`` of the ``i``-th attribute in :func:`attr_index`'s packed spans."""
    return _span(spans, i << 3)


Decoder = Callable[[bytes, int, int, Any], Any]


class Plan(NamedTuple):
    """What :func:`pick_spans` needs to find the first attribute of each of ``types`` in one C walk:
    made once per set of fields (``Schema.picker``), used for every message."""

    types: tuple[int, ...]  #: the wanted types, one per slot
    table: bytes  #: by type: 0, or 1 + the slot of its first occurrence in ``types``
    size: int  #: ``len(table)``
    slots: int  #: ``len(types)``
    copies: tuple[tuple[int, int], ...]  #: (slot, earlier slot) for a type wanted twice
    unpack: Callable[[Any], tuple[int, ...]]  #: the spans' ``struct`` unpacker


def plan(types: tuple[int, ...]) -> Plan:
    """The :class:`Plan` of ``types`` (at most 64 of them, each below ``NLA_TYPE_MASK``)."""
    if len(types) > _INDEX_CAP or any(not 0 <= t <= _NLA_TYPE_MASK for t in types):
        raise ValueError(f"cannot plan a pick of {types!r}")
    table = bytearray(max(types, default=-1) + 1)
    copies = []
    for slot, rtype in enumerate(types):
        if table[rtype]:
            copies.append((slot, table[rtype] - 1))
        else:
            table[rtype] = slot + 1
    return Plan(types, bytes(table), len(table), len(types), tuple(copies),
                struct.Struct(f"={2 * len(types)}I").unpack_from)


def pick_spans(buf: bytes, start: int, end: int, wanted: Plan, name: str = "attributes") -> tuple[int, ...]:
    """Where the first attribute of each of ``wanted``'s types is in ``buf[start:end]``, from one C walk
    (which checks the framing, as :func:`attr_index` does): a flat ``(start0, end0, start1, end1...)``
    of payload spans, ``(0, 0)`` for a type absent. Raises :class:`DecodeError` on bad framing."""
    pick = _c_pick or _load_pick()
    try:
        scratch = _scratch.pop()
    except IndexError:  # all in use (or none made yet); one lost to an exception is made again
        scratch = _new_scratch(_INDEX_CAP)
    n = pick(buf if type(buf) is bytes else _lib.ffi.from_buffer(buf), len(buf), start, end, wanted.table,
             wanted.size, scratch[1], wanted.slots)
    spans = wanted.unpack(scratch[0])  # copied out before the scratch is shared again
    _scratch.append(scratch)
    if n >= 0:
        return spans if not wanted.copies else _copied(spans, wanted.copies)
    if not 0 <= start <= end <= len(buf):
        raise ValueError(f"{name}: span {start}:{end} is outside a buffer of {len(buf)} bytes")
    _framing_error(buf, -1 - n, end, name)
    raise AssertionError("unreachable")  # pragma: no cover


def pick_spans_plain(buf: bytes, start: int, end: int, wanted: Plan,
                     name: str = "attributes") -> tuple[int, ...]:
    """:func:`pick_spans`' twin in plain Python."""
    types, spans = attr_index_plain(buf, start, end, name)
    return tuple(x for t in wanted.types for x in (spans[types.index(t)] if t in types else (0, 0)))


def _copied(spans: tuple[int, ...], copies: tuple[tuple[int, int], ...]) -> tuple[int, ...]:
    out = list(spans)
    for slot, earlier in copies:
        out[2 * slot:2 * slot + 2] = out[2 * earlier:2 * earlier + 2]
    return tuple(out)


def _load_pick() -> Any:
    global _c_pick
    _c_index or _load()
    _c_pick = _lib.lib.rtnl_nla_pick
    return _c_pick


_c_pick: Any = None  # rtnl._nla's rtnl_nla_pick


# --- a row per message of a datagram ------------------------------------------------------------------

_NLMSGHDR = struct.Struct("=IHHII")  # struct nlmsghdr: len, type, flags, seq, pid
ROW_HEAD = 7  #: a row's first words: status, nlmsg_type, nlmsg_flags, nlmsg_seq, nlmsg_pid, attributes' span


class Rows(NamedTuple):
    """What :func:`message_rows` needs: the fixed header's size and the attributes to pick, made once
    per kind of message read (``rtnl.wire.message.rows``)."""

    fixed: int  #: the fixed header's size in bytes (a multiple of 4)
    wanted: Plan  #: the attributes picked
    row: struct.Struct  #: a row: :data:`ROW_HEAD` words, the fixed header's fields, the spans


def rows_plan(fixed_format: str, types: tuple[int, ...]) -> Rows:
    """The :class:`Rows` of messages whose fixed header has the ``struct`` format ``fixed_format``
    (``"=BBBBI"``) and whose attributes ``types`` are picked."""
    fixed, wanted = struct.calcsize(fixed_format), plan(types)
    if fixed % 4 or fixed_format[0] != "=" or wanted.copies:
        raise ValueError(f"cannot read {fixed_format!r} and {types!r} (each once) from a row")
    return Rows(fixed, wanted, struct.Struct(f"={ROW_HEAD}I{fixed_format[1:]}{2 * len(types)}I"))


_COUNT = struct.Struct("=I")  # rtnl_nlmsg_rows' count of plain rows, before the rows
_row_scratch: list[bytearray] = []  # free outputs of rtnl_nlmsg_rows (popped, pushed back: see attr_index)
_c_rows: Any = None  # rtnl._nla's rtnl_nlmsg_rows


def message_rows(data: bytes, wanted: Rows, seq: int, pid: int) -> tuple[bytes, bool]:
    """A row per message of the datagram ``data``, from one C walk, packed (``wanted.row.iter_unpack``
    reads them; a reader that makes a value of each row and drops it leaves the collector nothing
    to trace): ``(status, type, flags, seq, pid, attributes' start, end, *fixed header fields,
    *spans)``, the spans as :func:`pick_spans` gives them, ``status`` 0 or (badly framed
    attributes: spans all 0) 1 + the offset of the first bad one (:func:`pick_spans` on the message
    says what is wrong). Also whether every message is *plain*:
    data (a type from ``NLMSG_MIN_TYPE`` on) long enough for the fixed header, of sequence number
    ``seq`` and port ``pid``, not marked ``NLM_F_DUMP_INTR``. Raises :class:`DecodeError` on a
    badly framed message."""
    call = _c_rows or _load_rows()
    size, plan_ = wanted.row.size, wanted.wanted
    cap = len(data) // 16  # no message is shorter than struct nlmsghdr
    try:
        out = _row_scratch.pop()
    except IndexError:
        out = bytearray()
    if len(out) < 4 + cap * size:
        out = bytearray(4 + cap * size)
    try:
        n = call(data if type(data) is bytes else _lib.ffi.from_buffer(data), len(data), wanted.fixed,
                 plan_.table, plan_.size, plan_.slots, seq, pid, _lib.ffi.from_buffer(out), cap)
        if n < 0:
            _message_framing_error(data, -1 - n)
        with memoryview(out) as view:  # (one copy: a bytearray slice would make a second)
            table = bytes(view[4:4 + n * size])
        [plain] = _COUNT.unpack_from(out)
    finally:
        _row_scratch.append(out)
    return table, plain == n


def message_rows_plain(data: bytes, wanted: Rows, seq: int, pid: int) -> tuple[bytes, bool]:
    """:func:`message_rows`' twin in plain Python."""
    out, plain, off, slots = [], True, 0, wanted.wanted.slots
    fields = len(wanted.row.unpack(bytes(wanted.row.size))) - ROW_HEAD - 2 * slots
    while off < len(data):
        if len(data) - off < 16:
            _message_framing_error(data, off)
        length, mtype, flags, mseq, mpid = _NLMSGHDR.unpack_from(data, off)
        if length < 16 or length > len(data) - off:
            _message_framing_error(data, off)
        start, end = off + 16 + wanted.fixed, off + length
        status, values, spans = 0, (0,) * fields, (0, 0) * slots
        if mtype >= NLMSG_MIN_TYPE and length >= 16 + wanted.fixed:
            padded = bytes(4 * ROW_HEAD) + data[off + 16:start] + bytes(8 * slots)
            values = wanted.row.unpack(padded)[ROW_HEAD:ROW_HEAD + fields]
            try:
                spans = pick_spans_plain(data, start, end, wanted.wanted)
            except DecodeError:
                bad = start
                while end - bad >= 4 and 4 <= NLA.unpack_from(data, bad)[0] <= end - bad:
                    bad += align(NLA.unpack_from(data, bad)[0])
                status = 1 + bad
            plain = plain and mseq == seq and mpid == pid and not flags & NLM_F_DUMP_INTR
        else:
            plain = False
        out.append(wanted.row.pack(status, mtype, flags, mseq, mpid, start, end, *values, *spans))
        off += align(length)
    return b"".join(out), plain


def _message_framing_error(data: bytes, bad: int) -> None:
    if len(data) - bad < 16:
        raise DecodeError(f"{len(data) - bad} stray bytes after the last message")
    raise DecodeError(f"message claims {_NLMSGHDR.unpack_from(data, bad)[0]} bytes, {len(data) - bad} left")


def _load_rows() -> Any:
    global _c_rows
    _c_index or _load()
    _c_rows = _lib.lib.rtnl_nlmsg_rows
    return _c_rows


# --- strings ------------------------------------------------------------------------------------------------

def nul_text(buf: bytes, start: int, end: int) -> str | None:
    """``buf[start:end]`` as text (UTF-8, lone bytes kept by ``surrogateescape``) if it is one
    NUL-terminated string, as the kernel writes names; else ``None``, and the string codec says what
    it is (one call, where the codec's strict decoder takes two). Twin: ``rtnl.wire.codecs.STR``."""
    if start < end and type(buf) is bytes and buf[end - 1] == 0 and buf.find(0, start) == end - 1:
        return buf[start:end - 1].decode("utf-8", "surrogateescape")
    return None


# --- frozen values filled in place ------------------------------------------------------------------------

def unfrozen(cls: type) -> type:
    """A class with the slots of ``cls`` (a frozen dataclass with slots, on ``object``) and nothing else:
    a value read from the wire is made as one of these, filled with plain stores, then turned into
    a ``cls`` by assigning its ``__class__`` (Python allows it between classes of one layout). That
    skips the frozen ``__init__``'s keyword handling and its ``object.__setattr__`` per field: 0.2 µs
    for a route's 15 fields, against 0.65 through the slots' descriptors. ``TypeError`` at once if
    the layouts differ."""
    if "__slots__" not in vars(cls) or cls.__bases__ != (object,):
        raise TypeError(f"{cls.__name__} is not a class with slots of its own on object")
    twin = type(f"{cls.__name__}Filling", (), {"__slots__": vars(cls)["__slots__"]})
    probe: Any = object.__new__(twin)
    probe.__class__ = cls
    return twin


# --- enum members ---------------------------------------------------------------------------------------

_E = TypeVar("_E", bound=int)
_MEMBERS: dict[Any, dict[int, Any]] = {}  # enum class -> {value: member}, filled as values are met


def member_or_int(cls: Callable[[int], _E], value: int) -> _E | int:
    """``cls(value)``, or ``value`` itself when this version does not know it: kept, never dropped."""
    known = _MEMBERS.get(cls) or members_seen(cls)
    member = known.get(value)
    if member is None:
        try:
            member = cls(value)
        except ValueError:
            return value
        if len(known) < 256:  # an IntFlag makes a member of any value: the cache stays small
            known[value] = member
    return member


def members_seen(cls: Callable[[int], _E]) -> dict[int, _E]:
    """The members :func:`member_or_int` has made of ``cls`` so far, by value (it keeps adding to
    this dict): ``members_seen(cls).get(v) or member_or_int(cls, v)`` saves the call on a hit, for
    an ``IntFlag``, whose members are made as values are met (a falsy member is just looked up again)."""
    known = _MEMBERS.get(cls)
    if known is None:
        known = _MEMBERS[cls] = {}
    return known


def members(cls: Callable[[int], _E]) -> dict[int, _E]:
    """Every member of the ``IntEnum`` ``cls`` by value: ``members(cls).get(v, v)`` is
    :func:`member_or_int` without a Python call, for an enum whose members are all known."""
    every: Any = cls
    return {int(m): m for m in every}


def member_or_int_plain(cls: Callable[[int], _E], value: int) -> _E | int:
    """:func:`member_or_int`'s twin."""
    try:
        return cls(value)
    except ValueError:
        return value


# --- ipaddress values from text ------------------------------------------------------------------

_PREFIX_LENGTHS = {str(n): n for n in range(129)}  # as most often written (ipaddress also takes "024")


def packed_prefix(text: Any) -> tuple[bytes, int] | None:
    """``"address/length"`` (or a bare address: its whole length) as the packed address (4 or 16
    bytes) and the length, the address read with the C library's ``inet_pton``; ``None`` for any
    other text (a netmask, a scope, an error: ``ipaddress`` says what it is). The length is not
    checked against the address's size."""
    if type(text) is str:
        address, slash, length = text.partition("/")
        prefixlen = _PREFIX_LENGTHS.get(length) if slash else -1
        if prefixlen is not None:
            try:
                packed = _socket.inet_pton(_socket.AF_INET6 if ":" in address else _socket.AF_INET, address)
            except (OSError, ValueError):  # (ValueError: a NUL in the text)
                return None
            return packed, prefixlen if prefixlen >= 0 else 8 * len(packed)
    return None


def _parse(text: Any, network: bool) -> Any:
    found = packed_prefix(text)
    if found is not None:
        packed, prefixlen = found
        build = ip_network_of if network else ip_interface_of
        try:  # (a length too long, host bits set: ipaddress words the error its own way)
            return build(int.from_bytes(packed, "big"), prefixlen, len(packed) == 16)
        except ValueError:
            pass
    return ipaddress.ip_network(text) if network else ipaddress.ip_interface(text)


def parse_interface(text: str) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface:
    """``ipaddress.ip_interface(text)``, faster for the usual ``"address/length"``."""
    return _parse(text, False)  # type: ignore[no-any-return]


def parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """``ipaddress.ip_network(text)`` (strict), faster for the usual ``"address/length"``."""
    return _parse(text, True)  # type: ignore[no-any-return]


# --- ipaddress values from ints ----------------------------------------------------------------------

IPKinds = tuple[type, type, type]  # an address, interface and network class of one IP version
_IP_KINDS: tuple[IPKinds, IPKinds] = (
    (ipaddress.IPv4Address, ipaddress.IPv4Interface, ipaddress.IPv4Network),
    (ipaddress.IPv6Address, ipaddress.IPv6Interface, ipaddress.IPv6Network))
Builders = tuple[Callable[[int], Any], Callable[[int, int], Any], Callable[[int, int], Any]]
_BUILDERS: list[Builders] = []  # IPv4's and IPv6's, made (and checked) on first use


def ip_builders() -> list[Builders]:
    """IPv4's and IPv6's builders: ``ip_builders()[v6]`` is (address, interface, network), each
    taking ints as :func:`ip_address_of`, :func:`ip_interface_of`, :func:`ip_network_of` do, for a
    reader that makes one per entry and saves their call."""
    return _BUILDERS or _ip_builders()


def ip_interface_of(number: int, prefixlen: int,
                    v6: bool) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface:
    """``IPv6Interface((number, prefixlen))`` if ``v6``, else ``IPv4Interface((number, prefixlen))``."""
    return (_BUILDERS or _ip_builders())[v6][1](number, prefixlen)  # type: ignore[no-any-return]


def ip_address_of(number: int, v6: bool) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """``IPv6Address(number)`` if ``v6``, else ``IPv4Address(number)``."""
    return (_BUILDERS or _ip_builders())[v6][0](number)  # type: ignore[no-any-return]


def ip_network_of(number: int, prefixlen: int, v6: bool) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """``IPv6Network((number, prefixlen))`` if ``v6``, else ``IPv4Network((number, prefixlen))``
    (strict: host bits set are a ``ValueError``)."""
    return (_BUILDERS or _ip_builders())[v6][2](number, prefixlen)  # type: ignore[no-any-return]


def ip_plain(kinds: IPKinds) -> Builders:
    """The twins of :func:`ip_fast`'s builders (an address's, :func:`ip_interface_of`'s and
    :func:`ip_network_of`'s): the :mod:`ipaddress` constructors of one IP version."""
    address, interface, network = kinds
    return address, lambda number, prefixlen: interface((number, prefixlen)), \
        lambda number, prefixlen: network((number, prefixlen))


def ip_fast(kinds: IPKinds, bits: int) -> Builders:
    """Builders that set the attributes :mod:`ipaddress`'s own ``__init__`` sets (Python 3.10-3.13)
    on an ``object.__new__``: an interface's ``__init__`` makes an address, a network (itself an
    address, a netmask lookup and a second address for the masked one) through argument parsing
    that ints do not need, ~1.8 µs where these take ~0.5. They take ints in range and prefix lengths
    up to ``bits - 2``; anything else (and the /31, /32, /127, /128 networks, whose ``__init__`` also
    sets a ``hosts`` of their own) goes to the constructors, which build it or word the error."""
    address_cls, interface_cls, network_cls = kinds
    ones, new, v6 = (1 << bits) - 1, object.__new__, bits == 128

    def address(number: int) -> Any:
        if type(number) is not int or not 0 <= number <= ones:
            return address_cls(number)
        ip: Any = new(address_cls)
        ip._ip = number
        if v6:
            ip._scope_id = None
        return ip

    masks = tuple(address(ones ^ (ones >> n)) for n in range(bits + 1))
    short = bits - 1  # the prefix lengths taken are those below

    def network(number: int, prefixlen: int) -> Any:
        if type(prefixlen) is int and 0 <= prefixlen < short and type(number) is int and 0 <= number <= ones:
            mask = masks[prefixlen]
            if number & mask._ip == number:
                net: Any = new(network_cls)
                first: Any = new(address_cls)  # address(number), without the call
                net.network_address = first
                first._ip = number
                if v6:
                    first._scope_id = None
                net.netmask = mask
                net._prefixlen = prefixlen
                return net
        return network_cls((number, prefixlen))

    def interface(number: int, prefixlen: int) -> Any:
        if type(prefixlen) is int and 0 <= prefixlen < short and type(number) is int and 0 <= number <= ones:
            mask = masks[prefixlen]
            ip: Any = new(interface_cls)
            ip._ip = number
            net: Any = new(network_cls)
            ip.network = net
            first: Any = new(address_cls)  # address(number & mask), without the call
            net.network_address = first
            first._ip = number & mask._ip
            if v6:
                ip._scope_id = first._scope_id = None
            net.netmask = ip.netmask = mask
            net._prefixlen = ip._prefixlen = prefixlen
            return ip
        return interface_cls((number, prefixlen))

    return address, interface, network


def _ip_builders() -> list[Builders]:
    """The fast builders, if on this Python they make what the constructors make, attribute for
    attribute; else (a future ``ipaddress`` that sets other ones) the constructors themselves."""
    # 198.51.100.1/24, 2001:db8::1:0:1/64
    samples = ((0xC6336401, 24), ((0x20010DB8 << 96) | 0x1_0000_0001, 64))
    built = []
    for kinds, bits, (number, prefixlen) in zip(_IP_KINDS, (32, 128), samples, strict=True):
        plain = ip_plain(kinds)
        network = number & ~((1 << (bits - prefixlen)) - 1)
        try:  # (a slot renamed away would make setting it an AttributeError)
            fast = ip_fast(kinds, bits)
            same = (ip_same(fast[0](number), plain[0](number))
                    and ip_same(fast[1](number, prefixlen), plain[1](number, prefixlen))
                    and ip_same(fast[2](network, prefixlen), plain[2](network, prefixlen)))
        except (AttributeError, TypeError):
            same = False
        built.append(fast if same else plain)
    _BUILDERS[:] = built  # whole, at once: another thread may be asking meanwhile
    return _BUILDERS


def ip_same(a: object, b: object) -> bool:
    """Whether ``a`` and ``b`` are of one class and hold equal state: every slot and every instance
    attribute, compared the same way in depth."""
    if type(a) is not type(b):
        return False
    if a is None or isinstance(a, (int, str)):
        return a == b
    missing = object()
    for cls in type(a).__mro__:
        slots = getattr(cls, "__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            if name not in ("__dict__", "__weakref__") and \
                    not ip_same(getattr(a, name, missing), getattr(b, name, missing)):
                return False
    mine, theirs = getattr(a, "__dict__", {}), getattr(b, "__dict__", {})
    return mine.keys() == theirs.keys() and all(ip_same(v, theirs[k]) for k, v in mine.items())


def ip_attr(rtype: int) -> Encoder:
    """An encoder of a whole attribute of type ``rtype`` holding an :mod:`ipaddress` address (an
    ``IPv4Address`` or ``IPv6Address``; an interface encodes as its address): the attribute header
    made once per size, then the packed address (4 or 16 bytes, no padding). Twin:
    :func:`attr_plain` of ``value.packed``."""
    heads = {4: NLA.pack(8, rtype), 6: NLA.pack(20, rtype)}

    def whole(value: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bytes:
        return heads[value.version] + value.packed
    return whole
