"""Property tests of the codec (no root, no kernel): round trips and decoding of hostile bytes.

Strategies come from the schema tables (tests/support/strategies.py), so every schema in ``codec.SCHEMAS`` is
covered. Example counts are printed at the end of the module; scale them with ``RTNL_FUZZ_SCALE``
(e.g. ``RTNL_FUZZ_SCALE=10`` for a long run).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from hypothesis import strategies as st

from rtnl import codec
from rtnl._fast import NLA
from rtnl.codec import Attrs, Message, decode
from rtnl.errors import DecodeError
from rtnl.wire.headers import NLMSGHDR
from tests.support import fuzzing
from tests.support import strategies as S
from tests.support.paths import DATA

FIXTURES = {p.name: p.read_bytes() for p in sorted(DATA.glob("*.bin"))}
RUNS: Counter[str] = Counter()
F = TypeVar("F", bound=Callable[..., Any])


def fuzz(n: int, *args: Any, **kwargs: Any) -> Callable[[F], F]:
    """``@given(*args, **kwargs)`` with ``n`` examples (times RTNL_FUZZ_SCALE), no deadline, counted."""
    return fuzzing.fuzz(RUNS, n, *args, **kwargs)


@pytest.fixture(scope="module", autouse=True)
def _report_counts(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from fuzzing.report(request, "hypothesis examples run", RUNS)


def force(msgs: list[Message]) -> None:
    """Decode everything (lazy attributes included) and re-encode the result."""
    for msg in msgs:
        if msg.attrs is not None:
            msg.attrs.to_list()
        msg.copy().encode()


def stream(msgs: list[Message]) -> bytes:
    """Messages as one datagram: each padded to 4 bytes, as the kernel does."""
    return b"".join(e + b"\0" * (-len(e) % 4) for e in (m.encode() for m in msgs))


# ------------------------------------------------------------------------------------------------
# Round trips of generated messages
# ------------------------------------------------------------------------------------------------


@fuzz(500, S.messages)
def test_message_round_trip(msg: Message) -> None:
    """link, addr, route, nsid, error with ext-ack, done, unknown types: encode -> decode -> equal,
    and re-encoding (lazily, and fully decoded by copy()) gives the same bytes."""
    data = msg.encode()
    [back] = decode(data)
    assert back == msg
    assert back.encode() == data
    assert back.copy().encode() == data
    assert back.copy() == msg


@fuzz(200, st.lists(S.messages, min_size=1, max_size=4))
def test_datagram_round_trip(msgs: list[Message]) -> None:
    """Several messages in one datagram come back in order, each 4-byte aligned."""
    data = stream(msgs)
    back = decode(data)
    assert back == msgs
    assert stream([m.copy() for m in back]) == data


@pytest.mark.parametrize("schema", codec.SCHEMAS, ids=lambda s: s.name)
@fuzz(100, data=st.data())
def test_schema_round_trip(schema: codec.Schema, data: st.DataObject) -> None:
    """Every schema on its own, so that deep ones (IFLA_BRPORT, IFLA_MACVLAN_MACADDR_DATA) get their
    share: attributes -> bytes -> attributes, with NLA_F_NESTED kept on nests."""
    attrs = data.draw(S.attrs(schema))
    raw = attrs.encode()
    back = Attrs(schema, buf=raw, start=0, end=len(raw))
    assert back == attrs
    assert back.copy().encode() == raw
    nested_flags = [(k, v.flags) for k, v in back if isinstance(v, Attrs)]
    assert nested_flags == [(k, v.flags) for k, v in attrs if isinstance(v, Attrs)]


def by_name(attrs: Attrs) -> dict[str, Any]:
    """The first of each named attribute, nests as plain dicts (what ``build(**...)`` takes)."""
    out: dict[str, Any] = {}
    for key, value in attrs:
        if isinstance(key, str) and key not in out:
            out[key] = by_name(value) if isinstance(value, Attrs) else value
    return out


def first_named(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """``to_list()`` of what :func:`by_name` keeps."""
    out, seen = [], set()
    for key, value in items:
        if isinstance(key, str) and key not in seen:
            seen.add(key)
            out.append((key, first_named(value) if isinstance(value, list) else value))
    return out


@pytest.mark.parametrize("schema", codec.SCHEMAS, ids=lambda s: s.name)
@fuzz(100, data=st.data())
def test_schema_builds_from_nested_dicts(schema: codec.Schema, data: st.DataObject) -> None:
    """Nests given as plain dicts (by-kind ones resolved by their sibling kind) build the attributes
    that the same values as ``Attrs`` build."""
    attrs = data.draw(S.attrs(schema))
    named = by_name(attrs)
    assert schema.build(**named).to_list() == first_named(attrs.to_list())


@fuzz(2000, st.sampled_from(S.every_leaf_codec()), S.payload)
def test_leaf_codecs_keep_any_payload(where: tuple[str, str, codec.Codec], raw: bytes) -> None:
    """Whatever bytes an attribute carries (wrong size, missing NUL...), decode -> encode keeps them."""
    c = where[2]
    assert c.encode(S.decoded(c, raw), Attrs(codec.NLMSGERR)) == raw


# ------------------------------------------------------------------------------------------------
# Hostile bytes: decode returns or raises DecodeError, nothing else, never hangs
# ------------------------------------------------------------------------------------------------


def decode_or_decodeerror(data: bytes) -> list[Message] | None:
    try:
        msgs = decode(data)
        force(msgs)
    except DecodeError:
        return None
    return msgs


@fuzz(2000, st.binary(max_size=600))
def test_decode_arbitrary_bytes(data: bytes) -> None:
    decode_or_decodeerror(data)


def framed(body: bytes, mtype: int, flags: int) -> bytes:
    """A netlink header of the right length in front of ``body``: gets past framing into the payload."""
    return NLMSGHDR.pack(16 + len(body), mtype, flags, 1, 0) + body


message_types = st.sampled_from(sorted({*codec.FAMILIES, codec.NLMSG_ERROR, codec.NLMSG_DONE}))


@fuzz(1000, st.binary(max_size=400), message_types, S.nlmsg_flags)
def test_decode_framed_random_payload(body: bytes, mtype: int, flags: int) -> None:
    msgs = decode_or_decodeerror(framed(body, mtype, flags))
    if msgs is not None:  # what decoded fully re-encodes and decodes to the same thing
        again = decode(stream([m.copy() for m in msgs]))
        assert again == msgs


mutation = st.tuples(st.integers(0, 2**32 - 1), st.sampled_from(["set", "insert", "delete"]),
                     st.integers(0, 255))


def mutate(data: bytes, mutations: list[tuple[int, str, int]]) -> bytes:
    buf = bytearray(data)
    for pos, how, byte in mutations:
        if not buf:
            break
        pos %= len(buf)
        if how == "set":
            buf[pos] = byte
        elif how == "insert":
            buf.insert(pos, byte)
        else:
            del buf[pos]
    return bytes(buf)


@fuzz(1000, st.sampled_from(sorted(FIXTURES)), st.lists(mutation, min_size=1, max_size=6),
       st.integers(0, 2**32 - 1))
def test_decode_mutated_kernel_bytes(name: str, mutations: list[tuple[int, str, int]], cut: int) -> None:
    """Real kernel dumps (tests/data/*.bin), bytes changed, inserted, deleted, then maybe truncated."""
    data = mutate(FIXTURES[name], mutations)
    if cut % 4 == 0:
        data = data[: cut % (len(data) + 1)]
    decode_or_decodeerror(data)


@fuzz(500, S.messages, st.lists(mutation, min_size=1, max_size=4))
def test_decode_mutated_generated_messages(msg: Message, mutations: list[tuple[int, str, int]]) -> None:
    """Generated messages reach every schema (deep nests included); then their bytes are damaged."""
    decode_or_decodeerror(mutate(msg.encode(), mutations))


def test_fixtures_present() -> None:
    assert {"links.bin", "links_stats.bin", "addrs.bin", "routes.bin", "nsid.bin"} <= set(FIXTURES)


# ------------------------------------------------------------------------------------------------
# The C attribute walk (rtnl._nla via codec.attr_index) against a plain Python one
# ------------------------------------------------------------------------------------------------


def reference_index(buf: bytes, start: int, end: int) -> tuple[list[int], list[tuple[int, int]]]:
    """What attr_index must find, walked in Python: masked types and payload spans, or DecodeError."""
    types, spans, off = [], [], start
    while off < end:
        if end - off < 4:
            raise DecodeError(f"T: {end - off} stray bytes after the last attribute")
        length, rtype = NLA.unpack_from(buf, off)
        if length < 4 or off + length > end:
            raise DecodeError(f"T: attribute {rtype} claims {length} bytes")
        types.append(rtype & codec.NLA_TYPE_MASK)
        spans.append((off + 4, off + length))
        off += (length + 3) & ~3
    return types, spans


def index_or_error(buf: bytes, start: int, end: int, walk: Callable[..., Any]) -> Any:
    try:
        return walk(buf, start, end)
    except DecodeError as e:
        return str(e)


def c_index(buf: bytes, start: int, end: int) -> tuple[list[int], list[tuple[int, int]]]:
    types, spans = codec.attr_index(buf, start, end, "T")
    return list(types), [codec.ATTR_SPAN.unpack_from(spans, 8 * i) for i in range(len(types))]


# runs of attributes, often more than the 64 the first C call has room for, then damaged
tlv = st.tuples(st.integers(0, 0xFFFF), st.binary(max_size=12)).map(
    lambda t: NLA.pack(4 + len(t[1]), t[0]) + t[1] + b"\0" * (-len(t[1]) % 4))
runs = st.lists(tlv, max_size=150).map(b"".join)


@fuzz(1500, st.one_of(runs, st.binary(max_size=300)), st.lists(mutation, max_size=3), st.data())
def test_c_index_agrees_with_python_walk(data: bytes, mutations: list[tuple[int, str, int]],
                                         draw: st.DataObject) -> None:
    """Well-formed runs, damaged runs and random bytes, walked from anywhere to anywhere inside a
    larger buffer: the same types and spans, or the same DecodeError text."""
    buf = draw.draw(st.binary(max_size=8)) + mutate(data, mutations) + draw.draw(st.binary(max_size=8))
    start = draw.draw(st.integers(0, len(buf)))
    end = draw.draw(st.integers(start, len(buf)))
    assert index_or_error(buf, start, end, c_index) == index_or_error(buf, start, end, reference_index)
