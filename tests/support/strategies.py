"""Hypothesis strategies for rtnl's codec, derived from the schema tables themselves.

There is one generic strategy per value codec (``U8``...``U64``, ``S32``, ``BE16``, ``UINT``, ``STR``,
``BYTES``, ``LLADDR``, ``IPADDR``, ``FLAG``, ``U32S``/``U64S``, nested, by-kind, with-header), and
:func:`attrs` walks a :class:`~rtnl.codec.Schema`'s table to combine them, so a new schema entry is
covered without touching this file. Every strategy yields *decoded-form* values: what
``decode(encode(x))`` gives back, so round-trip properties can compare with ``==``.

Each leaf strategy mixes typed values (ints in range, text, addresses) with the decoded form of
random payload bytes (which hits the raw-bytes fallbacks: an int of the wrong size, a string without
its NUL, an address of odd length...).
"""

from __future__ import annotations

import functools
import struct
from typing import Any

from hypothesis import strategies as st

from rtnl import codec
from rtnl.codec import (
    NLA_F_NESTED,
    NLA_F_NET_BYTEORDER,
    NLA_TYPE_MASK,
    NLM_F_ACK_TLVS,
    NLM_F_CAPPED,
    NLMSG_DONE,
    NLMSG_ERROR,
    NLMSGERR,
    Attrs,
    Body,
    DoneHeader,
    ErrorHeader,
    Message,
    NlMsgHdr,
    RtNexthop,
    Schema,
)
from rtnl.wire import attrs as wire_attrs
from rtnl.wire import codecs as wire_codecs

MAX_DEPTH = 3  # nests deeper than this are generated empty (VETH_INFO_PEER recurses into IFLA)
MAX_ATTRS = 8

u16, u32 = st.integers(0, 0xFFFF), st.integers(0, 0xFFFFFFFF)
s32 = st.integers(-(2**31), 2**31 - 1)
payload = st.binary(max_size=40)
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=20)


def int_range(fmt: str) -> tuple[int, int]:
    """Bounds of one struct format item (``"B"``, ``"i"``, ``"!H"``...)."""
    bits = 8 * struct.calcsize(fmt)
    if fmt[-1].islower() and fmt[-1] != "x":  # b h i l q: signed
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return 0, 2**bits - 1


def decoded(c: codec.Codec, raw: bytes) -> Any:
    """What a leaf codec makes of ``raw`` (its canonical, re-encodable form)."""
    return c.decode(raw, 0, len(raw), Attrs(NLMSGERR))


def typed(c: codec.Codec) -> st.SearchStrategy[Any]:
    """Values a caller would build for a leaf codec."""
    if isinstance(c, wire_codecs.Int):
        return st.integers(*int_range(c.st.format))
    if isinstance(c, wire_codecs.Uint):
        return st.integers(0, 2**64 - 1)
    if isinstance(c, wire_codecs.Str):
        return text
    if isinstance(c, wire_codecs.LLAddr):
        return st.binary(min_size=6, max_size=6).map(lambda b: b.hex(":"))
    if isinstance(c, wire_codecs.IPAddr):
        return st.ip_addresses()
    if isinstance(c, wire_codecs.Flag):
        return st.just(True)
    if isinstance(c, wire_codecs.Array):
        lo, hi = int_range(c.item)
        return st.lists(st.integers(lo, hi), max_size=8).map(tuple)
    if type(c) is codec.Codec:  # BYTES
        return payload
    raise TypeError(f"no strategy for codec {c!r}: add one to tests/support/strategies.py")


@functools.cache
def leaf(c: codec.Codec) -> st.SearchStrategy[Any]:
    return typed(c) | payload.map(lambda raw: decoded(c, raw))


@functools.cache
def header(fixed: Any) -> st.SearchStrategy[Any]:
    """A fixed struct (ifinfomsg, ifaddrmsg, rtmsg, rtgenmsg), field ranges read from its format."""
    items = [ch for ch in fixed.st.format.lstrip("=!<>@") if ch != "x"]
    return st.tuples(*(st.integers(*int_range(ch)) for ch in items)).map(lambda t: fixed.cls(*t))


@functools.cache
def value(c: codec.Codec, depth: int) -> st.SearchStrategy[Any]:
    """A value for any codec but by-kind (which needs its sibling, see :func:`attrs`)."""
    if isinstance(c, wire_attrs.Nest):
        return attrs(c._schema(), depth + 1)
    if isinstance(c, wire_attrs.NestWithHeader):
        return st.builds(Body, header(c.fixed), attrs(c._schema(), depth + 1))
    if isinstance(c, wire_attrs.Multipath):  # RTA_MULTIPATH: rtnexthop + attributes, per hop
        hop = st.builds(Body, st.builds(RtNexthop, st.integers(0, 255), st.integers(0, 255), s32),
                        attrs(c._schema(), depth + 1))
        return st.lists(hop, max_size=3).map(tuple)
    return leaf(c)


@functools.cache
def unknown(schema: Schema) -> st.SearchStrategy[tuple[int, bytes]]:
    """An attribute this schema does not know: raw type (flag bits included) and raw bytes."""
    kinds = st.integers(0, 0xFFFF).filter(lambda t: t & NLA_TYPE_MASK not in schema.by_type)
    return st.tuples(kinds, payload)


@functools.cache
def kinds(c: wire_attrs.NestByKind) -> st.SearchStrategy[str]:
    """The kinds a by-kind codec knows (``macvlan``, ``veth``...) and some it does not."""
    known = c._schemas()
    return st.sampled_from(sorted(known)) | text.filter(lambda k: k not in known)


@functools.cache
def attrs(schema: Schema, depth: int = 0) -> st.SearchStrategy[Attrs]:
    """Attributes of ``schema``: known ones of every codec, unknown ones, duplicates, nests with or
    without NLA_F_NESTED, and ``*_KIND``/``*_DATA`` pairs whose data matches the kind."""
    return _attrs(schema, depth)


@st.composite
def _attrs(draw: st.DrawFn, schema: Schema, depth: int) -> Attrs:
    flags = draw(st.sampled_from([0, NLA_F_NESTED, NLA_F_NESTED | NLA_F_NET_BYTEORDER]))
    if depth > MAX_DEPTH:
        return Attrs(schema, flags=flags)
    by_kind = {name: c for _, (name, c) in schema.by_type.items() if isinstance(c, wire_attrs.NestByKind)}
    paired = set(by_kind) | {c.kind_attr for c in by_kind.values()}
    free = sorted(name for name in schema.by_name if name not in paired)
    # nests, leaves and unknown attributes drawn evenly: the few nests of a big table get explored
    groups = [g for g in ([n for n in free if schema.by_name[n][1].nested],
                          [n for n in free if not schema.by_name[n][1].nested]) if g]
    items: list[tuple[Any, Any]] = []
    for _ in range(draw(st.integers(0, MAX_ATTRS))):
        group = draw(st.integers(0, len(groups)))
        if group == len(groups):
            items.append(draw(unknown(schema)))
        else:
            name = draw(st.sampled_from(groups[group]))
            items.append((name, draw(value(schema.by_name[name][1], depth))))
    for name, c in by_kind.items():
        if not draw(st.booleans()):
            continue
        schemas = c._schemas()
        kind = draw(kinds(c))
        data = draw(attrs(schemas[kind], depth + 1)) if kind in schemas else draw(payload)
        for pair in ((c.kind_attr, kind), (name, data)):
            items.insert(draw(st.integers(0, len(items))), pair)
    return Attrs(schema, items, flags=flags)


# ------------------------------------------------------------------------------------------------
# Whole messages
# ------------------------------------------------------------------------------------------------

nlmsg_flags = u16


def family_messages() -> st.SearchStrategy[Message]:
    """Messages of every type in ``codec.FAMILIES`` (link, addr, route, nsid, link properties)."""
    def build(mtype: int) -> st.SearchStrategy[Message]:
        fixed, schema = codec.FAMILIES[mtype]
        return st.builds(Message, st.just(mtype), nlmsg_flags, header=header(fixed), attrs=attrs(schema),
                         seq=u32, pid=u32)
    return st.sampled_from(sorted(codec.FAMILIES)).flatmap(build)


@st.composite
def error_messages(draw: st.DrawFn) -> Message:
    """NLMSG_ERROR as the kernel sends it: capped or with the request echoed, ext-ack TLVs or not."""
    capped, tlvs = draw(st.booleans()), draw(st.booleans())
    flags = draw(nlmsg_flags) & ~(NLM_F_CAPPED | NLM_F_ACK_TLVS)
    flags |= (NLM_F_CAPPED if capped else 0) | (NLM_F_ACK_TLVS if tlvs else 0)
    echo, ext = b"", Attrs(NLMSGERR)
    if capped:
        ext = draw(attrs(NLMSGERR))
        request = draw(st.builds(NlMsgHdr, u32, u16, u16, u32, u32))
    else:
        if tlvs:  # the echoed request is padded to 4 bytes, then the TLVs follow
            echo = draw(payload.map(lambda b: b + b"\0" * (-len(b) % 4)))
            short = draw(st.integers(0, 3)) if echo else 0
            ext = draw(attrs(NLMSGERR))
        else:  # everything after the header is the echoed request
            echo, short = draw(payload), 0
        request = draw(st.builds(NlMsgHdr, st.just(16 + len(echo) - short), u16, u16, u32, u32))
    return Message(NLMSG_ERROR, flags, header=ErrorHeader(draw(s32), request, echo), attrs=ext,
                   seq=draw(u32), pid=draw(u32))


done_messages = st.builds(Message, st.just(NLMSG_DONE), nlmsg_flags, header=st.builds(DoneHeader, s32),
                          attrs=attrs(NLMSGERR), seq=u32, pid=u32)

other_messages = st.builds(
    Message, u16.filter(lambda t: t not in codec.FAMILIES and t not in (NLMSG_ERROR, NLMSG_DONE)),
    nlmsg_flags, header=payload, seq=u32, pid=u32)

messages = family_messages() | error_messages() | done_messages | other_messages


def every_leaf_codec() -> list[tuple[str, str, codec.Codec]]:
    """``(schema, attribute, codec)`` for every non-nested attribute of every schema."""
    return [(s.name, name, c) for s in codec.SCHEMAS for name, (_, c) in sorted(s.by_name.items())
            if not c.nested]
