"""Issue 14, class 5: reading values decoded from hostile bytes raises ``rtnl.DecodeError`` or returns.

Real kernel messages (``tests/data/*.bin``) and messages built from the codec's own schema tables
are damaged in the ways an outside audit found harmful: bytes flipped, attribute payloads resized to
odd lengths or truncated, attributes of the wrong size inserted deep in nests (a 3-byte
``IFLA_MACVLAN_FLAGS``), prefix lengths out of range, addresses of the wrong length or with host
bits set, an ``NLMSG_ERROR`` whose error is ``INT_MIN``. Then EVERY public property of every value
(found by introspection, so new fields are covered without editing this file) is read, and the value
is put through ``repr``, ``==``, ``hash``, ``copy``, ``deepcopy`` and a pickle round trip. Anything
other than a returned value or :class:`rtnl.DecodeError` fails the test.

Only the public API is used: ``rtnl.codec.decode``/``Message``/schema tables, ``Link.from_message``,
``Address.from_message``, ``Route.from_message``, ``rtnl.monitor.event_of`` and
``NetlinkError.from_errno``.
Example counts are printed at the end of the module (scale with ``RTNL_FUZZ_SCALE``).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
import pickle
import struct
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import strategies as st

import rtnl
from rtnl import codec
from rtnl.monitor import event_of
from tests.support import fuzzing

DATA = Path(__file__).resolve().parents[1] / "data"  # tests/data, recorded kernel bytes
FIXTURES = {p.name: p.read_bytes() for p in sorted(DATA.glob("*.bin"))}
RUNS: Counter[str] = Counter()  # examples run, per test
OUTCOME: Counter[str] = Counter()  # values read fully vs. refused with DecodeError
F = TypeVar("F", bound=Callable[..., Any])

NLA = struct.Struct("=HH")
NLMSGHDR = struct.Struct("=IHHII")
IFINFOMSG = struct.Struct("=BxHiII")
IFADDRMSG = struct.Struct("=BBBBI")
RTMSG = struct.Struct("=BBBBBBBBI")
NLA_F_NESTED = 1 << 15
AF_INET, AF_INET6 = 2, 10  # linux/socket.h
INT_MIN = -(2**31)


def fuzz(n: int, *args: Any, **kwargs: Any) -> Callable[[F], F]:
    """Counted ``@given`` without shrinking: the failure message names the exception and the
    message type already, and shrinking every failing class of bytes would take minutes."""
    return fuzzing.fuzz(RUNS, n, *args, shrink=False, **kwargs)


@pytest.fixture(scope="module", autouse=True)
def _report_counts(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from fuzzing.report(request, "issue 14 decode fuzz, examples run", RUNS, OUTCOME)


# ------------------------------------------------------------------------------------------------
# Reading a value completely
# ------------------------------------------------------------------------------------------------


def public_fields(value: object) -> list[str]:
    """Every public property and data field of ``value``'s class (introspected, not listed)."""
    cls = type(value)
    names = set()
    for name in dir(cls):
        if name.startswith("_"):
            continue
        static = inspect.getattr_static(cls, name)
        if isinstance(static, (property, functools.cached_property)) or inspect.ismemberdescriptor(static):
            names.add(name)
    if dataclasses.is_dataclass(value):
        names |= {f.name for f in dataclasses.fields(value)}
    names |= set(getattr(cls, "_fields", ()) if isinstance(value, tuple) else ())
    return sorted(names)


def read_all(value: object, depth: int = 0) -> None:
    """Read every public field of ``value`` and of the values inside it; repr, str, ==, hash,
    copy, deepcopy and pickle of each. Raises whatever the value raises. The fields of rtnl's own
    types are read; a standard-library value inside (an ``ipaddress`` object) is used as a value,
    not walked: its own properties are Python's (3.13's ``IPv4Interface.ipv6_mapped`` raises for
    every interface, whatever bytes it came from)."""
    if depth > 6 or value is None or isinstance(value, (int, float, str, bytes)):
        repr(value)
        return
    repr(value)
    str(value)
    if type(value).__module__.startswith("rtnl"):
        for name in public_fields(value):
            read_all(getattr(value, name), depth + 1)
    if isinstance(value, (tuple, list)):
        for item in value:
            read_all(item, depth + 1)
    assert value == value  # a value equals itself: __eq__ must not raise
    hashable = getattr(type(value), "__hash__", None) is not None
    if hashable:
        hash(value)
    for clone in (copy.copy(value), copy.deepcopy(value), pickle.loads(pickle.dumps(value))):
        assert clone == value
        if hashable:
            assert hash(clone) == hash(value)
        repr(clone)


def values_of(msg: codec.Message) -> list[object]:
    """The typed values one message stands for, and the monitor event a Monitor makes of it
    (``rtnl.monitor.event_of``, the monitor's own decoding)."""
    t = msg.type
    event = event_of(msg, (1, 2))
    if t in (codec.RTM_NEWLINK, codec.RTM_DELLINK):
        return [rtnl.Link.from_message(msg, (1, 2)), event]
    if t in (codec.RTM_NEWADDR, codec.RTM_DELADDR):
        return [rtnl.Address.from_message(msg), event]
    if t in (codec.RTM_NEWROUTE, codec.RTM_DELROUTE):
        return [rtnl.Route.from_message(msg), event]
    return [msg.header]


def read_or_decode_error(data: bytes) -> None:
    """Decode ``data`` and read every value in it completely; only DecodeError may escape."""
    try:
        msgs = codec.decode(data)
    except rtnl.DecodeError:
        OUTCOME["datagram refused"] += 1
        return
    for msg in msgs:
        try:
            for value in values_of(msg):
                read_all(value)
        except rtnl.DecodeError:
            OUTCOME["value refused (DecodeError)"] += 1
        except Exception as e:
            raise AssertionError(f"{type(e).__name__} instead of rtnl.DecodeError from message type "
                                 f"{msg.type}: {e!r}") from e
        else:
            OUTCOME["value read fully"] += 1


# ------------------------------------------------------------------------------------------------
# Message surgery: real kernel messages, split into attributes and put back together damaged
# ------------------------------------------------------------------------------------------------

HEADERS = {codec.RTM_NEWLINK: IFINFOMSG.size, codec.RTM_NEWADDR: IFADDRMSG.size,
           codec.RTM_NEWROUTE: RTMSG.size}


def kernel_messages() -> list[tuple[int, bytes, bytes]]:
    """(type, fixed header, attribute bytes) of every link, address and route message recorded."""
    out = []
    for data in FIXTURES.values():
        off = 0
        while off + 16 <= len(data):
            length, mtype = NLMSGHDR.unpack_from(data, off)[:2]
            if length < 16:
                break
            size = HEADERS.get(mtype)
            if size is not None:
                body = data[off + 16: off + length]
                out.append((mtype, body[:size], body[size:]))
            off += (length + 3) & ~3
    return out


KERNEL = kernel_messages()


def split_attrs(raw: bytes) -> list[tuple[int, bytes]]:
    """(type with flags, payload) of each well-formed attribute in ``raw``."""
    out, off = [], 0
    while off + 4 <= len(raw):
        length, rtype = NLA.unpack_from(raw, off)
        if length < 4 or off + length > len(raw):
            break
        out.append((rtype, raw[off + 4: off + length]))
        off += (length + 3) & ~3
    return out


def tlv(rtype: int, payload: bytes) -> bytes:
    return NLA.pack(4 + len(payload), rtype) + payload + b"\0" * (-len(payload) % 4)


def message(mtype: int, header: bytes, attrs: bytes, flags: int = 0) -> bytes:
    return NLMSGHDR.pack(16 + len(header) + len(attrs), mtype, flags, 1, 0) + header + attrs


def damage(attrs: list[tuple[int, bytes]], ops: list[tuple[int, str, int, bytes]], depth: int = 0) -> bytes:
    """Rebuild attributes with each op applied to one of them: resize the payload (odd sizes
    included), replace it with random bytes, recurse into a nest, drop it, or insert a stray one."""
    items = list(attrs)
    for pos, how, n, blob in ops:
        if how == "insert" or not items:
            items.insert(pos % (len(items) + 1), (n & 0x7FFF, blob))
            continue
        i = pos % len(items)
        rtype, payload = items[i]
        if how == "resize":
            payload = (payload + blob)[: n % (len(payload) + 8)]
        elif how == "replace":
            payload = blob
        elif how == "drop":
            del items[i]
            continue
        elif how == "nested" and depth < 4:
            inner = split_attrs(payload)
            if inner:
                payload = damage(inner, [(n, "resize" if n % 2 else "replace", n, blob)], depth + 1)
        items[i] = (rtype, payload)
    return b"".join(tlv(t, p) for t, p in items)


attr_ops = st.lists(st.tuples(st.integers(0, 2**16), st.sampled_from(["resize", "replace", "drop", "nested",
                                                                      "insert"]),
                              st.integers(0, 2**16), st.binary(max_size=20)), min_size=1, max_size=5)


def new_header(mtype: int, header: bytes, family: int | None, prefixlen: int | None) -> bytes:
    """The fixed header with the family and the prefix length (address, route dst) changed."""
    buf = bytearray(header)
    if family is not None:
        buf[0] = family
    if prefixlen is not None and mtype in (codec.RTM_NEWADDR, codec.RTM_NEWROUTE):
        buf[1] = prefixlen
    return bytes(buf)


@fuzz(1500, st.sampled_from(KERNEL), attr_ops,
      st.one_of(st.none(), st.sampled_from([AF_INET, AF_INET6, 0, 7, 255])),
      st.one_of(st.none(), st.integers(0, 255)))
def test_damaged_kernel_messages(kernel: tuple[int, bytes, bytes], ops: list[tuple[int, str, int, bytes]],
                                 family: int | None, prefixlen: int | None) -> None:
    """A recorded link/address/route message, its attributes resized, replaced, dropped, damaged
    inside nests or joined by strays; family and prefix length maybe out of range."""
    mtype, header, attrs = kernel
    read_or_decode_error(message(mtype, new_header(mtype, header, family, prefixlen),
                                 damage(split_attrs(attrs), ops)))


byte_flips = st.lists(st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 255)), min_size=1, max_size=8)


@fuzz(700, st.sampled_from(sorted(FIXTURES)), byte_flips, st.integers(0, 2**32 - 1))
def test_flipped_kernel_datagrams(name: str, flips: list[tuple[int, int]], cut: int) -> None:
    """A whole recorded datagram with bytes overwritten anywhere, then maybe cut short."""
    buf = bytearray(FIXTURES[name])
    for pos, byte in flips:
        buf[pos % len(buf)] = byte
    data = bytes(buf)
    if cut % 3 == 0:
        data = data[: cut % (len(data) + 1)]
    read_or_decode_error(data)


# ------------------------------------------------------------------------------------------------
# Messages built from the schema tables: every attribute the codec knows, at wrong sizes
# ------------------------------------------------------------------------------------------------


def sized(valid: list[int]) -> st.SearchStrategy[bytes]:
    """Payloads of the right sizes and of wrong ones (0..20 bytes, odd ones included)."""
    return st.one_of(st.sampled_from(valid).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
                     st.binary(max_size=20))


def schema_attrs(schema: codec.Schema, nests: dict[int, st.SearchStrategy[bytes]] | None = None,
                 max_size: int = 6) -> st.SearchStrategy[bytes]:
    """Attributes of ``schema`` (any type it knows, plus unknown ones) with payloads of any size."""
    types = sorted(schema.by_type)
    nests = nests or {}

    def one(rtype: int) -> st.SearchStrategy[bytes]:
        if rtype in nests:
            return st.one_of(nests[rtype], st.binary(max_size=12)).map(lambda p: tlv(rtype | NLA_F_NESTED, p))
        return sized([1, 2, 4, 6, 8, 16]).map(lambda p: tlv(rtype, p))

    return st.lists(st.one_of(st.sampled_from(types), st.integers(0, 200)).flatmap(one),
                    max_size=max_size).map(b"".join)


def kind(name: str) -> bytes:
    return tlv(1, name.encode() + b"\0")  # IFLA_INFO_KIND


macvlan_data = schema_attrs(codec.IFLA_MACVLAN, {5: schema_attrs(codec.IFLA_MACVLAN_MACADDR_LIST)})
bridge_data = schema_attrs(codec.IFLA_BR)
brport_data = schema_attrs(codec.IFLA_BRPORT)
veth_data = st.binary(max_size=12)
linkinfo = st.one_of(
    st.tuples(st.sampled_from(["macvlan", "macvtap"]), macvlan_data),
    st.tuples(st.just("bridge"), bridge_data),
    st.tuples(st.just("veth"), veth_data),
    st.tuples(st.sampled_from(["", "vxlan", "x" * 20]), st.binary(max_size=12)),
).flatmap(lambda kd: st.tuples(st.just(kd), st.booleans(), brport_data)).map(
    lambda t: kind(t[0][0]) + tlv(2 | NLA_F_NESTED, t[0][1])
    + (tlv(4, b"bridge\0") + tlv(5 | NLA_F_NESTED, t[2]) if t[1] else b""))


@fuzz(800, st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1), st.integers(-(2**31), 2**31 - 1),
      schema_attrs(codec.IFLA, {18: linkinfo}, max_size=10), linkinfo)
def test_generated_links(flags: int, change: int, index: int, attrs: bytes, info: bytes) -> None:
    """A link message with any IFLA attribute at any size, and an IFLA_LINKINFO of every kind with
    data attributes at any size (a 3-byte IFLA_MACVLAN_FLAGS, a 1-byte mode...)."""
    header = IFINFOMSG.pack(0, 1, index, flags, change)
    read_or_decode_error(message(codec.RTM_NEWLINK, header, attrs + tlv(18 | NLA_F_NESTED, info)))


@pytest.mark.parametrize("size", [0, 1, 3, 5, 7])
@pytest.mark.parametrize("attr", [2, 1, 7, 9])  # FLAGS (u16), MODE, BC_QUEUE_LEN, BC_CUTOFF
def test_macvlan_data_of_wrong_size(attr: int, size: int) -> None:
    """The audit's example: an odd-sized IFLA_MACVLAN_FLAGS made even ``Link.name`` raise the enum's
    ValueError. Every field must read or raise DecodeError (``name`` is not even in the nest)."""
    RUNS["test_macvlan_data_of_wrong_size"] += 1
    info = kind("macvlan") + tlv(2 | NLA_F_NESTED, tlv(1, struct.pack("=I", 4)) + tlv(attr, b"\xff" * size))
    attrs = tlv(3, b"mv0\0") + tlv(18 | NLA_F_NESTED, info)
    read_or_decode_error(message(codec.RTM_NEWLINK, IFINFOMSG.pack(0, 1, 5, 0, 0), attrs))


addr_payload = sized([4, 16])


@fuzz(1500, st.sampled_from([AF_INET, AF_INET6, 0, 1, 255]), st.integers(0, 255), st.integers(0, 255),
      st.integers(0, 255), st.integers(0, 2**32 - 1), schema_attrs(codec.IFA, max_size=6),
      st.lists(st.tuples(st.sampled_from([1, 2, 4, 8]), addr_payload), max_size=3))
def test_generated_addresses(family: int, prefixlen: int, aflags: int, scope: int, index: int,
                             attrs: bytes, addresses: list[tuple[int, bytes]]) -> None:
    """An address message: any family, prefix length 0..255, IFA_LOCAL/IFA_ADDRESS of 4 or 16
    bytes (either family) or of any other size, or missing altogether."""
    header = IFADDRMSG.pack(family, prefixlen, aflags, scope, index)
    read_or_decode_error(message(codec.RTM_NEWADDR, header,
                                 b"".join(tlv(t, p) for t, p in addresses) + attrs))


@fuzz(1500, st.sampled_from([AF_INET, AF_INET6, 0, 129]), st.integers(0, 255), st.integers(0, 255),
      st.integers(0, 255), st.integers(0, 255), st.integers(0, 255), st.integers(0, 2**32 - 1),
      schema_attrs(codec.RTA, {8: schema_attrs(codec.RTAX)}, max_size=6),
      st.lists(st.tuples(st.sampled_from([1, 5, 7]), addr_payload), max_size=3))
def test_generated_routes(family: int, dst_len: int, table: int, protocol: int, scope: int, rtype: int,
                          rflags: int, attrs: bytes, addresses: list[tuple[int, bytes]]) -> None:
    """A route message: any family, dst_len 0..255 (host bits in RTA_DST included), RTA_DST,
    RTA_GATEWAY, RTA_PREFSRC of any size, RTA_METRICS with any RTAX_* at any size."""
    header = RTMSG.pack(family, dst_len, 0, 0, table, protocol, scope, rtype, rflags)
    read_or_decode_error(message(codec.RTM_NEWROUTE, header,
                                 b"".join(tlv(t, p) for t, p in addresses) + attrs))


@pytest.mark.parametrize(("family", "prefixlen", "addr"), [
    (AF_INET, 33, bytes([198, 51, 100, 1])),
    (AF_INET, 255, bytes([198, 51, 100, 1])),
    (AF_INET6, 129, bytes(16)),
    (AF_INET, 24, bytes(16)),  # an IPv6-sized address in an IPv4 message
    (AF_INET6, 64, bytes(4)),
    (AF_INET, 24, b"\x01\x02\x03"),
    (AF_INET, 24, None),  # no address at all
])
def test_address_header_out_of_range(family: int, prefixlen: int, addr: bytes | None) -> None:
    """The audit's examples: prefix lengths beyond the family's, addresses of the other family's
    length or none at all made ``ipaddress`` raise ValueError."""
    RUNS["test_address_header_out_of_range"] += 1
    attrs = b"" if addr is None else tlv(2, addr) + tlv(1, addr)
    read_or_decode_error(message(codec.RTM_NEWADDR, IFADDRMSG.pack(family, prefixlen, 0, 0, 1), attrs))


@pytest.mark.parametrize(("family", "dst_len", "dst"), [
    (AF_INET, 24, bytes([203, 0, 113, 7])),  # host bits set
    (AF_INET, 40, bytes([203, 0, 113, 0])),
    (AF_INET6, 200, bytes(16)),
    (AF_INET6, 32, bytes([0x20, 1, 0xd, 0xb8]) + bytes(11) + b"\x01"),  # host bits set
    (AF_INET, 24, bytes(5)),
    (0, 8, bytes(4)),  # no family ipaddress knows
])
def test_route_header_out_of_range(family: int, dst_len: int, dst: bytes) -> None:
    RUNS["test_route_header_out_of_range"] += 1
    header = RTMSG.pack(family, dst_len, 0, 0, 254, 4, 0, 1, 0)
    read_or_decode_error(message(codec.RTM_NEWROUTE, header, tlv(1, dst) + tlv(4, struct.pack("=I", 1))))


# ------------------------------------------------------------------------------------------------
# NLMSG_ERROR: any error number, INT_MIN included, becomes an OSError or a DecodeError
# ------------------------------------------------------------------------------------------------


def error_message(error: int, payload: bytes = b"") -> bytes:
    request = NLMSGHDR.pack(16, codec.RTM_NEWLINK, 5, 1, 0)
    return message(codec.NLMSG_ERROR, struct.pack("=i", error) + request, payload, flags=0x100)


def error_from(data: bytes) -> OSError | None:
    """What a high-level call would raise for an error reply: the NetlinkError built from the
    decoded header's error, as public API (``NetlinkError.from_errno``) builds it."""
    [msg] = codec.decode(data)
    error = msg.header.error
    if error == 0:
        return None
    return rtnl.NetlinkError.from_errno(-error)


@fuzz(500, st.one_of(st.just(INT_MIN), st.integers(-(2**31), 2**31 - 1), st.integers(-4096, 4096)))
def test_error_of_any_number(error: int) -> None:
    """The error field is an s32 the kernel fills with -errno; a forged or buggy INT_MIN made
    building the exception raise OverflowError (``os.strerror``) instead of an OSError."""
    try:
        exc = error_from(error_message(error))
    except rtnl.DecodeError:
        OUTCOME["error refused (DecodeError)"] += 1
        return
    except Exception as e:
        raise AssertionError(f"{type(e).__name__} building the error for {error}: {e!r}") from e
    if exc is not None:
        assert isinstance(exc, rtnl.NetlinkError) and isinstance(exc, OSError)
        str(exc)
        repr(exc)
        assert pickle.loads(pickle.dumps(exc)).errno == exc.errno
        OUTCOME["error built"] += 1


def test_error_int_min() -> None:
    """The audit's exact case, without hypothesis."""
    RUNS["test_error_int_min"] += 1
    try:
        exc = error_from(error_message(INT_MIN))
    except rtnl.DecodeError:
        return
    assert isinstance(exc, rtnl.NetlinkError)
    str(exc)


def test_fixtures_cover_every_value_type() -> None:
    """The damaged-kernel-bytes tests start from real links, addresses and routes."""
    assert {t for t, _, _ in KERNEL} == set(HEADERS)
    assert len(KERNEL) > 30
