"""Every trick in rtnl._fast against its plain twin (pure: no root, no kernel)."""

from __future__ import annotations

import copy
import dataclasses
import enum
import ipaddress
import itertools
import pickle
import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtnl import _fast
from rtnl.errors import DecodeError

examples = settings(max_examples=300, deadline=None, database=None)

attribute = st.tuples(st.integers(0, 0xFFFF), st.binary(max_size=12)).map(
    lambda t: _fast.attr_plain(t[0], t[1]))
runs = st.lists(attribute, max_size=90).map(b"".join)  # past the 64 the first C call has room for


def walk(index: object, buf: bytes, start: int, end: int) -> object:
    try:
        return index(buf, start, end, "T")  # type: ignore[operator]
    except DecodeError as e:
        return str(e)


@examples
@given(st.one_of(runs, st.binary(max_size=200)), st.data())
def test_attr_index_agrees_with_its_twin(data: bytes, draw: st.DataObject) -> None:
    start = draw.draw(st.integers(0, len(data)))
    end = draw.draw(st.integers(start, len(data)))
    fast, plain = walk(_fast.attr_index, data, start, end), walk(_fast.attr_index_plain, data, start, end)
    if isinstance(fast, tuple):
        assert (fast[0], _fast.spans_of(fast[1])) == plain
    else:
        assert fast == plain


@examples
@given(st.one_of(runs, st.binary(max_size=200)), st.data(),
       st.lists(st.one_of(st.integers(0, 40), st.integers(0, 0x3FFF)), max_size=12))
def test_pick_spans_agrees_with_its_twin(data: bytes, draw: st.DataObject, wanted: list[int]) -> None:
    start = draw.draw(st.integers(0, len(data)))
    end = draw.draw(st.integers(start, len(data)))
    plan = _fast.plan(tuple(wanted))  # a type wanted twice gets the same span in both slots
    assert walk(lambda *a: _fast.pick_spans(a[0], a[1], a[2], plan, a[3]), data, start, end) == \
        walk(lambda *a: _fast.pick_spans_plain(a[0], a[1], a[2], plan, a[3]), data, start, end)


def nlmsg(mtype: int, flags: int, seq: int, pid: int, body: bytes, claim: int = 0) -> bytes:
    length = 16 + len(body) + claim
    return struct.pack("=IHHII", length, mtype, flags, seq, pid) + body + bytes(-length % 4)


message = st.builds(nlmsg, st.sampled_from([2, 3, 16, 20, 0xFFFF]), st.sampled_from([0, 2, 0x10, 0x12, 0x20]),
                    st.sampled_from([7, 8]), st.sampled_from([0, 99]),
                    st.one_of(st.tuples(st.binary(min_size=8, max_size=8), runs).map(b"".join),
                              st.binary(max_size=12)),
                    st.sampled_from([0, 0, 0, 1, -1, -16]))
datagrams = st.lists(message, max_size=6).map(b"".join)


@examples
@given(st.one_of(datagrams, st.binary(max_size=120)),
       st.lists(st.integers(0, 40), max_size=8, unique=True), st.sampled_from(["=BBBBI", "=BBBBBBBBI", "="]))
def test_message_rows_agree_with_their_twin(data: bytes, wanted: list[int], fixed: str) -> None:
    rows = _fast.rows_plan(fixed, tuple(wanted))

    def read(way: Any) -> object:
        try:
            return way(data, rows, 7, 99)
        except DecodeError as e:
            return str(e)
    assert read(_fast.message_rows) == read(_fast.message_rows_plain)


def test_rows_plan_refuses_what_a_row_cannot_hold() -> None:
    for fixed, types in (("=BBB", ()), ("BBBB", ()), ("=I", (3, 3))):
        with pytest.raises(ValueError, match="from a row"):
            _fast.rows_plan(fixed, types)


def test_pick_spans_refuses_a_span_outside_the_buffer_and_an_unplannable_pick() -> None:
    plan = _fast.plan((3,))
    for start, end in ((0, 100), (6, 2)):
        with pytest.raises(ValueError, match="outside a buffer"):
            _fast.pick_spans(_fast.attr_plain(3, b"x"), start, end, plan)
    with pytest.raises(ValueError, match="cannot plan"):
        _fast.plan((0x4000,))
    with pytest.raises(ValueError, match="cannot plan"):
        _fast.plan(tuple(range(65)))


@examples
@given(st.integers(0, 0x3FFF), st.sampled_from(["=B", "=H", "=I", "=Q", "=i"]), st.integers(-(2**64), 2**64))
def test_int_attr_agrees_with_its_twin(rtype: int, fmt: str, value: int) -> None:
    try:
        payload = struct.pack(fmt, value)
    except struct.error:
        with pytest.raises(struct.error):  # out of range: the shortcut refuses it too, never wrongly packs
            _fast.int_attr(rtype, fmt)(value)
        return
    assert _fast.int_attr(rtype, fmt)(value) == _fast.attr_plain(rtype, payload)


@examples
@given(st.integers(0, 0x3FFF), st.text(max_size=300))
def test_str_attr_agrees_with_its_twin(rtype: int, text: str) -> None:
    try:
        payload = text.encode("utf-8", "surrogateescape") + b"\0"
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            _fast.str_attr(rtype)(text)
        return
    assert _fast.str_attr(rtype)(text) == _fast.attr_plain(rtype, payload)


def test_str_attr_refuses_what_netlink_cannot_carry() -> None:
    with pytest.raises(struct.error):
        _fast.str_attr(1)("x" * 70000)
    with pytest.raises(ValueError, match="more than netlink allows"):
        _fast.attr_plain(1, b"x" * 70000)


class Color(enum.IntEnum):
    RED = 1
    GREEN = 2


class Bits(enum.IntFlag):
    A = 1
    B = 2


@examples
@given(st.sampled_from([Color, Bits]), st.integers(0, 300))
def test_member_or_int_agrees_with_its_twin(cls: type[enum.IntEnum], value: int) -> None:
    fast, plain = _fast.member_or_int(cls, value), _fast.member_or_int_plain(cls, value)
    assert fast == plain and type(fast) is type(plain)


def test_memo_keeps_a_bounded_number_of_values() -> None:
    made: list[int] = []

    def make(key: int) -> tuple[int, bool]:
        made.append(key)
        return key * 2, key % 2 == 0  # odd keys are made every time, never kept

    memo = _fast.Memo(make, size=4)
    assert [memo[k] for k in (2, 2, 3, 3, 4, 6, 8, 10, 10)] == [4, 4, 6, 6, 8, 12, 16, 20, 20]
    assert made == [2, 3, 3, 4, 6, 8, 10] and sorted(memo) == [10]  # full at 10: afresh, 10 kept
    assert memo[8] == 16 and made[-1] == 8 and sorted(memo) == [8, 10]


def test_built_attributes_keep_their_bytes_until_a_nest_is_read() -> None:
    """``Attrs.wire`` (built bytes at hand) never outlives a change: a nest read may be changed."""
    from rtnl.codec import IFLA, RTM_NEWLINK, Message, decode

    attrs = IFLA.build(IFLA_IFNAME="mv0", IFLA_LINKINFO={"IFLA_INFO_KIND": "macvlan"})
    assert attrs.wire == attrs.encode()
    info = attrs["IFLA_LINKINFO"]
    assert attrs.wire is None
    info.append("IFLA_INFO_DATA", {"IFLA_MACVLAN_MODE": 4})
    [back] = decode(Message(RTM_NEWLINK, attrs=attrs).encode())
    assert back.attrs["IFLA_LINKINFO"]["IFLA_INFO_DATA"]["IFLA_MACVLAN_MODE"] == 4


def parsed(parse: object, text: object) -> object:
    try:
        value = parse(text)  # type: ignore[operator]
    except ValueError as e:
        return (type(e), str(e))
    return (type(value), value, str(value))


# text near what users write: an address in its usual forms, a prefix (or none, or a netmask), and
# odd characters mixed in (a scope, spaces, a second slash, non-ASCII digits...)
addresses = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6))
_odd = st.sampled_from(["", " ", "%eth0", "/", ":", ".", "::", "0", "٣", "\0", "x", "-1", "+", "255.255.0.0"])
address_text = st.one_of(
    addresses.map(str),
    st.ip_addresses(v=6).map(lambda a: a.exploded),
    st.ip_addresses(v=6).map(lambda a: str(a).upper()),
    st.ip_addresses(v=4).map(lambda a: f"::ffff:{a}"),
    st.text("0123456789abcdef:.", max_size=45))
network_text = st.one_of(
    st.tuples(address_text, st.sampled_from(["", "/"]), st.one_of(st.integers(0, 140).map(str), _odd),
              _odd, st.integers(0, 3)).map(
        lambda t: t[0] + t[1] + t[2] if t[4] else t[0][:7] + t[3] + t[0][7:]),
    st.integers(0, 2**32), st.binary(max_size=16))


@settings(max_examples=2000, deadline=None, database=None)
@given(network_text)
def test_parse_interface_and_network_agree_with_ipaddress(text: object) -> None:
    assert parsed(_fast.parse_interface, text) == parsed(ipaddress.ip_interface, text)
    assert parsed(_fast.parse_network, text) == parsed(ipaddress.ip_network, text)


@settings(max_examples=1000, deadline=None, database=None)
@given(network_text)
def test_packed_prefix_reads_an_address_and_length_as_ipaddress_does(text: object) -> None:
    found = _fast.packed_prefix(text)
    try:
        iface = ipaddress.ip_interface(text)  # type: ignore[arg-type]
    except ValueError:  # then read plainly or not, the callers hand it to ipaddress to say what is wrong
        return
    assert found is None or found == (iface.packed, iface.network.prefixlen)
    if isinstance(text, str) and "%" not in text and text.rpartition("/")[2] == str(iface.network.prefixlen):
        assert found is not None  # the usual spelling is read plainly


def observed(value: object) -> object:
    """Everything a user can see of an ipaddress value (or the error making it raised)."""
    if isinstance(value, Exception):
        return (type(value), str(value))
    v: Any = value
    net = v.network if hasattr(v, "network") else v
    seen = [type(v), v, hash(v), str(v), repr(v), format(v), v.with_prefixlen, v.with_netmask,
            v.with_hostmask, v.netmask, v.hostmask, v.is_private, v.is_global, v.is_link_local,
            v.is_loopback, v.is_multicast, v.is_reserved, v.is_unspecified, v.max_prefixlen,
            pickle.loads(pickle.dumps(v)), copy.copy(v), copy.deepcopy(v),
            net, net.network_address, net.broadcast_address, net.num_addresses, net.prefixlen,
            list(itertools.islice(net.hosts(), 3)), list(itertools.islice(net, 3)), net.supernet(),
            net == ipaddress.ip_network(str(net)), v == ipaddress.ip_network(str(net)).network_address,
            v < ipaddress.ip_interface(str(v)) if hasattr(v, "ip") else v.overlaps(net)]
    if hasattr(v, "ip"):  # an interface
        seen += [v.ip, v.ip.packed, int(v), v.ip == v, {v: 1}[ipaddress.ip_interface(str(v))]]
        if v.version == 6:
            seen += [v.scope_id, v.ipv4_mapped, v.sixtofour, v.teredo]
    else:
        seen += [list(itertools.islice(v.subnets(), 2)), v.compressed, v.exploded,
                 {v: 1}[ipaddress.ip_network(str(v))]]
    if v.version == 6:
        seen += [v.is_site_local]
    return seen


def observed_address(value: object) -> list[object]:
    """Everything a user can see of an ipaddress address (or the error making it raised)."""
    if isinstance(value, Exception):
        return [type(value), str(value)]
    v: Any = value
    seen = [type(v), v, hash(v), str(v), repr(v), format(v), int(v), v.packed, v.reverse_pointer,
            v.is_private, v.is_global, v.is_link_local, v.is_loopback, v.is_multicast, v.is_reserved,
            v.is_unspecified, v.max_prefixlen, pickle.loads(pickle.dumps(v)), copy.copy(v), copy.deepcopy(v),
            v == ipaddress.ip_address(str(v)), {v: 1}[ipaddress.ip_address(str(v))], v + 0]
    if v.version == 6:
        seen += [v.scope_id, v.ipv4_mapped, v.sixtofour, v.teredo, v.is_site_local]
    return seen


def built(build: Any, number: object, prefixlen: object, v6: bool) -> object:
    try:
        return build(number, prefixlen, v6)
    except (ValueError, TypeError) as e:
        return e


def plain(index: int) -> Any:
    return lambda number, prefixlen, v6: _fast.ip_plain(_fast._IP_KINDS[v6])[index](number, prefixlen)


ip_numbers = st.one_of(st.integers(0, 2**32 + 1), st.integers(0, 2**128), st.integers(-2, 2**129))
prefix_lengths = st.one_of(st.integers(-1, 130), st.sampled_from([0, 8, 24, 30, 31, 32, 64, 126, 127, 128]))


@settings(max_examples=1000, deadline=None, database=None)
@given(ip_numbers, prefix_lengths, st.booleans(), st.booleans())
def test_ip_builders_agree_with_ipaddress(number: int, prefixlen: int, v6: bool, masked: bool) -> None:
    bits = 128 if v6 else 32
    if masked and 0 <= prefixlen <= bits:  # a network's number has no host bits (else: its error)
        number &= ~((1 << (bits - prefixlen)) - 1)
    fast_iface = built(_fast.ip_interface_of, number, prefixlen, v6)
    plain_iface = built(plain(1), number, prefixlen, v6)
    assert observed(fast_iface) == observed(plain_iface)
    fast_net = built(_fast.ip_network_of, number, prefixlen, v6)
    plain_net = built(plain(2), number, prefixlen, v6)
    assert observed(fast_net) == observed(plain_net)
    fast_ip = built(lambda n, _, v6: _fast.ip_address_of(n, v6), number, prefixlen, v6)
    plain_ip = built(lambda n, _, v6: _fast.ip_plain(_fast._IP_KINDS[v6])[0](n), number, prefixlen, v6)
    assert observed_address(fast_ip) == observed_address(plain_ip)
    for fast, plain_one in ((fast_iface, plain_iface), (fast_net, plain_net), (fast_ip, plain_ip)):
        assert isinstance(plain_one, Exception) or _fast.ip_same(fast, plain_one)  # and slot for slot


def test_ip_builders_are_the_fast_ones_on_this_python() -> None:
    """The self-check passes on the Pythons rtnl supports (else every dump would pay the constructors)."""
    assert [b[1].__qualname__ for b in _fast._ip_builders()] == ["ip_fast.<locals>.interface"] * 2


def test_ip_same_tells_a_difference_apart() -> None:
    a, b = ipaddress.IPv6Interface("2001:db8::1/64"), ipaddress.IPv6Interface("2001:db8::1/64")
    assert _fast.ip_same(a, b)
    b.extra = 1  # type: ignore[attr-defined]  # an attribute a future __init__ might set
    assert not _fast.ip_same(a, b)
    assert not _fast.ip_same(ipaddress.IPv6Network("2001:db8::/64"), ipaddress.IPv6Network("2001:db8::/65"))
    assert not _fast.ip_same(ipaddress.IPv4Address(1), ipaddress.IPv6Address(1))


@examples
@given(st.integers(0, 0x3FFF), st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)))
def test_ip_attr_agrees_with_its_twin(rtype: int,
                                      address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    assert _fast.ip_attr(rtype)(address) == _fast.attr_plain(rtype, address.packed)


def test_unfrozen_fills_a_frozen_value_as_its_init_would() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Point:
        x: int
        y: tuple[int, ...] = ()

    filling: Any = object.__new__(_fast.unfrozen(Point))
    filling.x, filling.y = 3, (4,)
    filling.__class__ = Point
    made = Point(3, (4,))
    assert filling == made and hash(filling) == hash(made) and repr(filling) == repr(made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        filling.x = 5

    class Plain:
        pass

    @dataclasses.dataclass(frozen=True, slots=True)
    class Derived(Point):
        z: int = 0

    for cls in (Plain, Derived):
        with pytest.raises(TypeError, match="slots of its own"):
            _fast.unfrozen(cls)


def test_members_are_member_or_int_for_every_int() -> None:
    from rtnl.values.enums import RouteProtocol, RouteType, Scope

    for cls in (RouteProtocol, RouteType, Scope):
        known = _fast.members(cls)
        assert all(known.get(v, v) == _fast.member_or_int_plain(cls, v) and
                   type(known.get(v, v)) is type(_fast.member_or_int_plain(cls, v)) for v in range(-2, 300))


@examples
@given(st.binary(max_size=24), st.data())
def test_nul_text_agrees_with_the_string_codec(data: bytes, draw: st.DataObject) -> None:
    from rtnl.wire.codecs import STR

    start = draw.draw(st.integers(0, len(data)))
    end = draw.draw(st.integers(start, len(data)))
    text = _fast.nul_text(data, start, end)
    assert text is None or text == STR.decode(data, start, end, None)
    if isinstance(STR.decode(data, start, end, None), str) and end > start:  # what it takes, it reads
        assert text is not None
