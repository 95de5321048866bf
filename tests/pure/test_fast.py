"""Every trick in rtnl._fast against its plain twin (pure: no root, no kernel)."""

from __future__ import annotations

import enum
import ipaddress
import struct

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


def payload(buf: bytes, start: int, end: int, parent: object) -> tuple[bytes, object]:
    return buf[start:end], parent


@examples
@given(runs, st.lists(st.integers(0, 40), max_size=6))
def test_first_values_agrees_with_its_twin(data: bytes, wanted: list[int]) -> None:
    decoders = (payload,) * len(wanted)
    assert _fast.first_values(data, 0, len(data), tuple(wanted), decoders, "p") == \
        _fast.first_values_plain(data, 0, len(data), tuple(wanted), decoders, "p")
    index = _fast.attr_index(data, 0, len(data))  # given the walk (a nest's, kept), the same answer
    assert _fast.first_values(data, 0, len(data), tuple(wanted), decoders, "p", index=index) == \
        _fast.first_values_plain(data, 0, len(data), tuple(wanted), decoders, "p", index=index) == \
        _fast.first_values_plain(data, 0, len(data), tuple(wanted), decoders, "p")


@examples
@given(st.one_of(runs, st.binary(max_size=200)), st.data(),
       st.lists(st.one_of(st.integers(0, 40), st.integers(0, 0x3FFF)), max_size=12))
def test_pick_spans_agrees_with_its_twin(data: bytes, draw: st.DataObject, wanted: list[int]) -> None:
    start = draw.draw(st.integers(0, len(data)))
    end = draw.draw(st.integers(start, len(data)))
    plan = _fast.plan(tuple(wanted))  # a type wanted twice gets the same span in both slots
    assert walk(lambda *a: _fast.pick_spans(a[0], a[1], a[2], plan, a[3]), data, start, end) == \
        walk(lambda *a: _fast.pick_spans_plain(a[0], a[1], a[2], plan, a[3]), data, start, end)


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
