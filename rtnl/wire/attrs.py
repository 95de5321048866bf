"""Attribute sets: :class:`Schema` (one attribute family declared as data) and :class:`Attrs` (the
attributes of one message or nest, read lazily), with the codecs of nests, which hold attributes.

A schema is ``{type number: (name, codec)}``; the same table drives encoding and decoding. Attributes
a schema does not know keep their raw type number and bytes, so decoding and encoding again gives
back the same bytes. Building goes one way only, :meth:`Schema.build`, which encodes at once: each
value through its codec's shortcut when its type is one the shortcut takes (decided by a dict
lookup by name and type, never by trying), else through the codec's ``encode``.

This module knows attributes: not message headers, message types or sockets. Only this module
reads ``Attrs``' slots; other modules use its methods (``span``, ``pick``, ``path_at``).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from .. import _fast
from .._fast import Encoder
from ..errors import DecodeError
from ..uapi import NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_TYPE_MASK
from .codecs import Codec
from .headers import RTNEXTHOP, FixedHeader, RtNexthop

NLA_FLAGS = NLA_F_NESTED | NLA_F_NET_BYTEORDER
MAX_DEPTH = 32  # nests deeper than this are malformed (the kernel's own policies nest < 10 deep)

Key = str | int
"""An attribute's key: its uapi name, or the raw type number of one the schema does not know."""

_whole = _fast.attr_plain
_NO_SHORTCUT: tuple[tuple[type, ...], None] = ((), None)
_span_from = _fast.SPAN.unpack_from
_new = object.__new__
_UNSET: Any = object()


class Schema:
    """One attribute family declared as data: ``{type: (name, codec)}``."""

    def __init__(self, name: str, table: Mapping[int, tuple[str, Codec]]) -> None:
        self.name = name
        self.by_type: dict[int, tuple[str, Codec]] = dict(table)
        self.by_name: dict[str, tuple[int, Codec]] = {n: (t, c) for t, (n, c) in table.items()}
        self.names: dict[int, str] = {t: n for t, (n, _) in table.items()}
        # name -> (the value types its shortcut takes, the shortcut that encodes the whole attribute
        # from such a value); every name has an entry, ((), None) when its codec has no shortcut
        self.shortcuts: dict[str, tuple[tuple[type, ...], Encoder | None]] = {
            n: c.shortcut(t) or ((), None) for t, (n, c) in table.items()}
        # the attributes whose encoder reads a sibling (IFLA_INFO_DATA reads IFLA_INFO_KIND): the
        # sibling's name, and a shortcut per kind for the data given as a dict
        self.by_kind = {n: (c.kind_attr, c.shortcuts(t)) for t, (n, c) in table.items()
                        if isinstance(c, NestByKind)}

    def __repr__(self) -> str:
        return f"<Schema {self.name}>"

    def build(self, *pairs: tuple[Key, Any], **attrs: Any) -> Attrs:
        """Attributes of this family, in order: ``IFLA.build(IFLA_IFNAME="mv0", IFLA_MTU=1500)``;
        a nest may be an :class:`Attrs` or a plain dict of its attributes by name. ``pairs`` come
        first, for a key given twice or a raw type number: ``RTA.build((1, b"..."), RTA_OIF=2)``.

        They are encoded here, so a bad name (``KeyError``) or value (``ValueError``, ``TypeError``)
        fails before anything is sent, and reading them back gives the values a decoder would (a MAC
        address in lower case, an address as an :mod:`ipaddress` object)."""
        if pairs:
            return Attrs(self, [*pairs, *attrs.items()])
        data = self.encode_named(attrs)
        new = _new(Attrs)  # what view() makes, without the call: this is the encode path's
        new.schema = self
        new.flags = 0
        new._buf = data
        new._start = 0
        new._end = len(data)
        new._depth = 0
        new._types = None
        new._spans = None
        new._values = None
        new.wire = data
        return new

    def encode_named(self, attrs: dict[str, Any]) -> bytes:
        """Attributes given by name (unique, so few concatenations) as wire bytes."""
        data, shortcuts, by_kind = b"", self.shortcuts, self.by_kind
        try:
            for key in attrs:
                value = attrs[key]
                try:
                    types, shortcut = shortcuts[key]
                except KeyError:  # not a name of this schema: the general path says so
                    types = ()
                if type(value) in types:  # the path is chosen by the value's type, not by trying
                    data += shortcut(value)  # type: ignore[misc]
                elif type(value) is dict and key in by_kind:  # data by the schema its kind names
                    kind_attr, per_kind = by_kind[key]
                    data += per_kind[attrs.get(kind_attr)](value)
                else:
                    data += self._encode_one(key, value, attrs)
        except struct.error as e:  # a value out of range (or too long) for a shortcut: say why
            self._encode_one(key, value, attrs)
            raise ValueError(f"{self.name}: {key}: {e}") from None
        return data

    def encode_pairs(self, pairs: Iterable[tuple[Key, Any]], siblings: Any) -> bytes:
        """Attributes given as ``(key, value)`` pairs as wire bytes; an encoder that reads a sibling
        finds it by name in ``siblings``."""
        shortcuts, out = self.shortcuts, []
        try:
            for key, value in pairs:
                types, shortcut = shortcuts.get(key, _NO_SHORTCUT)  # type: ignore[arg-type]
                if type(value) not in types:
                    shortcut = None
                out.append(self._encode_one(key, value, siblings) if shortcut is None else shortcut(value))
        except struct.error as e:  # as in encode_named; also a raw type or an array item out of range
            if not isinstance(key, int):
                self._encode_one(key, value, siblings)
            raise ValueError(f"{self.name}: {key}: {e}") from None
        return b"".join(out)

    def _encode_one(self, key: Key, value: Any, siblings: Any) -> bytes:
        """One attribute the general way: its codec's ``encode``, which takes the value or raises."""
        entry = self.by_name.get(key)  # type: ignore[arg-type]
        if entry is not None:
            rtype = entry[0] | value.flags if isinstance(value, Attrs) else entry[0]
            return _whole(rtype, entry[1].encode(value, siblings), key)
        if isinstance(key, int) and not isinstance(key, bool):  # unknown to the schema: raw type and bytes
            return _whole(key, bytes(value), key)
        raise KeyError(f"{key} is not an attribute of {self.name}")

    def picker(self, *names: str) -> Picker:
        """What :meth:`Attrs.pick` needs to read the first value of each of ``names`` in one walk,
        each decoded strictly (``Codec.strict``)."""
        entries = [self.by_name[n] for n in names]
        decoders = [c.strict(n) for n, (_, c) in zip(names, entries, strict=True)]
        by_kind = []
        for slot, (_, codec) in enumerate(entries):  # IFLA_INFO_DATA picked with IFLA_INFO_KIND
            if isinstance(codec, NestByKind) and codec.kind_attr in names:
                decoders[slot] = _span_of
                by_kind.append((slot, names.index(codec.kind_attr), codec))
        return Picker(_fast.plan(tuple(t for t, _ in entries)), tuple(decoders), tuple(by_kind))


class Picker(NamedTuple):
    """Attribute types (planned for the C walk) and their codecs' strict decoders, for :meth:`Attrs.pick`."""

    types: _fast.Plan
    decoders: tuple[_fast.Decoder, ...]
    #: (slot, the slot of its kind, its codec) for a nest whose schema a picked sibling names: read
    #: after the walk from the kind picked with it, not by a lookup of the kind
    by_kind: tuple[tuple[int, int, NestByKind], ...] = ()


def _span_of(buf: bytes, start: int, end: int, parent: Any) -> tuple[int, int]:
    return start, end


def view(schema: Schema, buf: bytes, start: int, end: int, depth: int = 0) -> Attrs:
    """The attributes in ``buf[start:end]``, as a fresh lazy Attrs (nothing read yet)."""
    new = _new(Attrs)  # one store per slot (see rtnl._fast)
    new.schema = schema
    new.flags = 0
    new._buf = buf
    new._start = start
    new._end = end
    new._depth = depth
    new._types = None
    new._spans = None
    new._values = None
    new.wire = None
    return new


class Attrs:
    """The attributes of one message or nest, in wire order, duplicates kept.

    Always backed by wire bytes: decoded ones by the buffer they came in, built ones
    (:meth:`Schema.build`, ``Attrs(schema, pairs)``, :meth:`append`) by their own encoding, made when
    built. Reading is lazy: the first access indexes the attributes (``rtnl._fast.attr_index``, one
    pass in C that also checks the framing), and a value is decoded when first asked for. Keys are the uapi
    names (``"IFLA_IFNAME"``); an attribute the schema does not know has its raw type number (flag
    bits included) as key and its bytes as value. ``flags`` holds ``NLA_F_NESTED`` when the kernel
    set it on this nest.
    """

    # _types/_spans: attr_index's answer, once indexed. _values: decoded values by position. A nest
    # handed out from _values can be changed (append), so while _values holds one, encode()
    # re-encodes those nests; otherwise the bytes are the truth.
    __slots__ = ("_buf", "_depth", "_end", "_spans", "_start", "_types", "_values", "flags", "schema", "wire")

    _types: tuple[int, ...] | None
    _spans: bytearray | None
    _values: dict[int, Any] | None
    #: these attributes' exact wire bytes when they are at hand without encoding (built ones, until a
    #: nest is read from them), else ``None``: :meth:`encode` gives them either way
    wire: bytes | None

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
            buf = schema.encode_pairs(pairs, dict(reversed(pairs)) if schema.by_kind else {})
            start, end = 0, len(buf)
        self.schema, self.flags, self._buf, self._start, self._end = schema, flags, buf, start, end
        self._depth, self._types, self._spans, self._values = 0, None, None, None
        self.wire = buf if start == 0 and end == len(buf) and type(buf) is bytes else None

    @classmethod
    def over(cls, schema: Schema, buf: bytes, start: int, end: int) -> Attrs:
        """The attributes in ``buf[start:end]``, decoded lazily: ``Attrs(schema, buf=..., start=...,
        end=...)`` without the keyword handling, for the decoder's per-message path."""
        return view(schema, buf, start, end)

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
        return view(schema, self._buf, start, end, depth + 1)

    def _index(self) -> tuple[int, ...]:
        """The masked type of every attribute (and their spans in ``_spans``): indexed on first use."""
        types = self._types
        if types is None:
            types, self._spans = _fast.attr_index(self._buf, self._start, self._end, self.schema.name)
            self._types = types
        return types

    def _span(self, i: int) -> tuple[int, int]:
        return _fast.span_at(self._spans, i)  # type: ignore[arg-type]

    def _key(self, i: int) -> Key:
        name = self.schema.names.get(self._index()[i])
        if name is not None:
            return name
        rtype: int = _fast.NLA.unpack_from(self._buf, self._span(i)[0] - 4)[1]
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
                value.flags = _fast.NLA.unpack_from(self._buf, start - 4)[1] & NLA_FLAGS
            if isinstance(value, (Attrs, Body)):
                self.wire = None  # the nest handed out may be changed: encode() re-encodes it
        values[i] = value
        return value

    # -- mapping-like access ------------------------------------------------------------------------
    def get(self, key: Key, default: Any = None) -> Any:
        """The first value of ``key``, or ``default``."""
        types = self._types
        if types is None:
            types, self._spans = _fast.attr_index(self._buf, self._start, self._end, self.schema.name)
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
        start, end = _span_from(self._spans, i << 3)  # type: ignore[arg-type]  # as attr_index documents
        value = values[i] = entry[1].decode(buf, start, end, self)
        if type(value) is Attrs:
            value.flags = _fast.NLA.unpack_from(buf, start - 4)[1] & NLA_FLAGS
            self.wire = None  # the nest handed out may be changed: encode() re-encodes it
        elif type(value) is Body:
            self.wire = None
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
        tail = self.schema.encode_pairs([(key, value)], self)
        self._buf = self.encode() + tail  # positions stay, so decoded values (and held nests) stay valid
        self._start, self._end, self._types, self._spans = 0, len(self._buf), None, None
        self.wire = self._buf if self._pristine() else None

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
            rtype = _fast.NLA.unpack_from(self._buf, self._span(i)[0] - 4)[1]
            value = self._value(i)
            if isinstance(value, Attrs):
                value = value.copy()
                rtype = rtype & NLA_TYPE_MASK | value.flags
            elif isinstance(value, Body):
                value = Body(value.header, value.attrs.copy())
            entry = self.schema.by_type.get(mtype)
            out.append(_whole(rtype, bytes(value) if entry is None else entry[1].encode(value, self)))
        data = b"".join(out)
        new = view(self.schema, data, 0, len(data))
        new.flags = self.flags
        new.wire = data
        return new

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Attrs):
            return NotImplemented
        return self.schema is other.schema and self.to_list() == other.to_list()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{self.schema.name}({', '.join(f'{k}={v!r}' for k, v in self)})"

    def pick(self, wanted: Picker) -> list[Any]:
        """The first value of each attribute ``wanted`` names (``None`` if absent), from one walk
        over the attributes instead of a lookup per name: how values (a :class:`~rtnl.Link`, an
        :class:`~rtnl.Address`...) read their fields. Unlike :meth:`get`, a payload its codec cannot
        decode raises :class:`DecodeError` naming the attribute instead of coming back as bytes."""
        buf, found, attrs = self.locate(wanted)
        out = [None if s == 0 else decode(buf, s, e, attrs)
               for decode, s, e in zip(wanted.decoders, found[::2], found[1::2], strict=False)]
        for slot, kind_slot, codec in wanted.by_kind:
            span = out[slot]
            if span is not None:
                schema = codec.schema_of(out[kind_slot])
                out[slot] = bytes(buf[span[0]:span[1]]) if schema is None else attrs._child(schema, *span)
        return out

    def locate(self, wanted: Picker) -> tuple[bytes, tuple[int, ...], Attrs]:
        """Where the first attribute of each name ``wanted`` holds is, from one walk (in C), decoding
        none: ``(buffer, spans, parent)``, with ``spans`` flat (``start, end`` per name; ``0, 0`` if
        absent) and each value ``wanted.decoders[i](buffer, start, end, parent)``. For a reader of a
        few of many fields (a :class:`~rtnl.Link`'s properties decode only the one read)."""
        if self._values is None or self._pristine():
            attrs = self
        else:  # a nest read from these may have changed: a fresh encoding
            data = self.encode()
            attrs = view(self.schema, data, 0, len(data), self._depth)
        buf = attrs._buf
        return buf, _fast.pick_spans(buf, attrs._start, attrs._end, wanted.types, self.schema.name), attrs

    def path_at(self, offset: int) -> str | None:
        """The path of names to the attribute at byte ``offset`` of the buffer these attributes were
        decoded from (``"IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_MACVLAN_MODE"``), for ext-ack offsets."""
        attrs, path = self, []
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
        except DecodeError:  # the attributes are malformed below this point
            return "/".join(path) or None

    # -- encoding --------------------------------------------------------------------------------
    def encode(self) -> bytes:
        """The attributes as wire bytes: the bytes they were decoded or built from, with any nest read
        from them encoded again (it may have been changed)."""
        if self._values is None or self._pristine():
            data = self._buf[self._start:self._end]
            return data if type(data) is bytes else bytes(data)
        buf = self._buf
        values: dict[int, Any] = self._values
        out = []
        for i in range(len(self)):
            start, end = self._span(i)
            rtype = _fast.NLA.unpack_from(buf, start - 4)[1]
            value = values.get(i)
            if isinstance(value, Attrs):
                out.append(_whole(rtype & NLA_TYPE_MASK | value.flags, value.encode()))
            elif isinstance(value, Body):
                codec = self.schema.by_type[rtype & NLA_TYPE_MASK][1]
                out.append(_whole(rtype, codec.encode(value, self)))
            else:  # its bytes as they are, with zero padding
                out += (buf[start - 4:end], _fast.PAD[(end - start) & 3])
        return b"".join(out)

# ------------------------------------------------------------------------------------------------
# Nests: codecs whose values are attributes
# ------------------------------------------------------------------------------------------------


class Body(NamedTuple):
    """A fixed header followed by attributes, nested in an attribute (VETH_INFO_PEER)."""

    header: Any
    attrs: Attrs


def _nest_shortcut(rtype: int, schema: Callable[[], Schema] | None) -> Encoder:
    """A nest's whole attribute from its payload (``bytes``), an ``Attrs`` (its bytes) or, given its
    ``schema``, a plain dict of attributes by name (packed as ``build`` would, without an ``Attrs``)."""
    head = _fast.NLA.pack
    encode_named: Callable[[dict[str, Any]], bytes] | None = None

    def whole(value: Any) -> bytes:
        nonlocal encode_named
        if type(value) is dict:
            if encode_named is None:  # resolved on first use (tables refer to tables defined later)
                assert schema is not None  # the schema routes a dict here only when there is one
                encode_named = schema().encode_named
            data = encode_named(value)  # whole attributes, each padded
            return head(4 + len(data), rtype) + data
        if type(value) is bytes:  # the nest's payload, encoded already
            length = 4 + len(value)
            return head(length, rtype) + value + _fast.PAD[length & 3]
        data = value.encode()
        length = 4 + len(data)
        whole_attr: bytes = head(length, rtype | value.flags) + data + _fast.PAD[length & 3]
        return whole_attr
    return whole


class Nest(Codec):
    """Attributes of ``schema`` nested in one attribute (``schema`` a callable: tables refer to
    tables defined later)."""

    nested = True

    def __init__(self, schema: Callable[[], Schema]) -> None:
        self._schema = schema
        self._resolved: Schema | None = None

    def decode(self, buf: bytes, start: int, end: int, parent: Any) -> Any:
        schema = self._resolved
        if schema is None:
            schema = self._resolved = self._schema()
        return parent._child(schema, start, end)

    def encode(self, value: Any, siblings: Any) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        attrs = value if isinstance(value, Attrs) else Attrs(self._schema(), value)
        return attrs.encode()

    def shortcut(self, rtype: int) -> tuple[tuple[type, ...], Encoder]:
        return (dict, Attrs, bytes), _nest_shortcut(rtype, self._schema)


class NestByKind(Codec):
    """IFLA_INFO_DATA / IFLA_INFO_SLAVE_DATA: the schema depends on the sibling ``*_KIND`` string."""

    nested = True

    def __init__(self, kind_attr: str, schemas: Callable[[], Mapping[str, Schema]]) -> None:
        self.kind_attr, self._schemas = kind_attr, schemas

    def _schema(self, siblings: Any) -> Schema | None:
        return self.schema_of(siblings.get(self.kind_attr))

    def schema_of(self, kind: Any) -> Schema | None:
        """The schema of the data of ``kind`` (``"macvlan"``), or None."""
        return self._schemas().get(kind) if isinstance(kind, str) else None

    def shortcut(self, rtype: int) -> tuple[tuple[type, ...], Encoder]:
        return (Attrs,), _nest_shortcut(rtype, None)

    def shortcuts(self, rtype: int) -> _fast.Memo:
        """This nest's whole attribute from a dict of its data, per kind: packed by that kind's
        schema; for a kind without one, the general path's error (made once; known kinds are kept)."""
        def make(kind: Any) -> tuple[Encoder, bool]:
            schema = self.schema_of(kind)
            if schema is None:
                return (lambda value: _whole(rtype, self.encode(value, {self.kind_attr: kind}))), False
            return _nest_shortcut(rtype, lambda: schema), True
        return _fast.Memo(make)

    def decode(self, buf: bytes, start: int, end: int, parent: Any) -> Any:
        schema = self._schema(parent)
        if schema is None:
            return bytes(buf[start:end])
        return parent._child(schema, start, end)

    def encode(self, value: Any, siblings: Any) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        if not isinstance(value, Attrs):
            schema = self._schema(siblings)
            if schema is None:
                raise ValueError(f"{self.kind_attr} is not set to a known kind, so its data cannot be "
                                 "built by name; pass Attrs or raw bytes")
            value = Attrs(schema, value)
        payload: bytes = value.encode()
        return payload


class NestWithHeader(Codec):
    """A fixed header, then attributes of ``schema`` (:class:`Body`), in one attribute."""

    nested = True
    what = "a header and attributes"

    def __init__(self, fixed: FixedHeader, schema: Callable[[], Schema]) -> None:
        self.fixed, self._schema = fixed, schema

    def decode(self, buf: bytes, start: int, end: int, parent: Any) -> Any:
        if end - start < self.fixed.size:
            return bytes(buf[start:end])
        header, off = self.fixed.unpack(buf, start, end)
        return Body(header, parent._child(self._schema(), off, end))

    def encode(self, value: Any, siblings: Any) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        header, attrs = value
        if not isinstance(attrs, Attrs):
            attrs = Attrs(self._schema(), attrs)
        return self.fixed.pack(header) + attrs.encode()


class Multipath(Codec):
    """RTA_MULTIPATH: next hops, each a ``struct rtnexthop`` followed by attributes of ``schema``
    (RTA_GATEWAY...), as a tuple of :class:`Body` (``Body(RtNexthop(flags, hops, ifindex), attrs)``).

    A payload whose hops do not tile it exactly (a length below 8 or not a multiple of 4, past the
    end) stays ``bytes``. The hops' attributes are read lazily, like a nest's; to change a route's
    hops, build the value anew."""

    nested = True

    def __init__(self, schema: Callable[[], Schema]) -> None:
        self._schema = schema

    def decode(self, buf: bytes, start: int, end: int, parent: Any) -> Any:
        hops, off, schema = [], start, self._schema()
        while off < end:
            if end - off < RTNEXTHOP.size:
                return bytes(buf[start:end])
            length, flags, count, ifindex = RTNEXTHOP.unpack_from(buf, off)
            if length < RTNEXTHOP.size or length & 3 or off + length > end:
                return bytes(buf[start:end])
            hops.append(Body(RtNexthop(flags, count, ifindex), parent._child(schema, off + RTNEXTHOP.size,
                                                                              off + length)))
            off += length
        return tuple(hops)

    def encode(self, value: Any, siblings: Any) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        out = []
        for header, attrs in value:
            data = (attrs if isinstance(attrs, Attrs) else Attrs(self._schema(), attrs)).encode()
            try:
                out.append(RTNEXTHOP.pack(RTNEXTHOP.size + len(data), *header) + data)
            except struct.error as e:
                raise ValueError(f"RTA_MULTIPATH: bad next hop {header!r}: {e}") from None
        return b"".join(out)
