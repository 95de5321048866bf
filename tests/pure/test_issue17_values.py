"""Issue 17's values without a kernel: IFLA_STATS64 and IFLA_VXLAN round-trips (hypothesis), sysctl
keys as ``sysctl(8)`` writes them, bad input refused before anything is sent, enums by name."""

from __future__ import annotations

import enum
import ipaddress
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rtnl import Link, LinkStats, Macvlan, MacvlanMode, Vxlan, VxlanInfo
from rtnl.ops.links import _named, _spec_attrs
from rtnl.ops.routes import route_get
from rtnl.uapi import RTM_F_LOOKUP_TABLE, RTM_NEWLINK
from rtnl.values import enums
from rtnl.values.check import check_sysctl_key, check_sysctl_value
from rtnl.wire.attrs import Attrs
from rtnl.wire.headers import IfInfoMsg
from rtnl.wire.message import Message, decode
from rtnl.wire.schemas import IFLA


class Place:
    namespace_id = None
    kernel_echoes = False


def link_from(**attrs: Any) -> Link:
    """A Link as the kernel would send it: built, encoded, decoded."""
    return link_of(IFLA.build(IFLA_IFNAME="x0", **attrs))


def link_of(attrs: Attrs) -> Link:
    """A Link of these attributes, as the kernel would send it: encoded, decoded."""
    [back] = decode(Message(RTM_NEWLINK, header=IfInfoMsg(index=5), attrs=attrs).encode(seq=1, pid=1))
    return Link.from_message(back)


# --- IFLA_STATS64 ------------------------------------------------------------------------------------

U64 = st.integers(0, 2**64 - 1)


@given(st.lists(U64, min_size=len(LinkStats._fields), max_size=len(LinkStats._fields) + 3))
def test_stats64_round_trip(values: list[int]) -> None:
    """Every field in struct order; fields a newer kernel adds are left out."""
    stats = link_from(IFLA_STATS64=tuple(values)).stats
    assert stats == LinkStats(*values[: len(LinkStats._fields)])
    assert stats is not None and stats.rx_packets == values[0] and stats.rx_otherhost_dropped == values[24]


@given(st.lists(U64, min_size=23, max_size=24))
def test_stats64_from_an_older_kernel_leaves_the_newer_fields_zero(values: list[int]) -> None:
    stats = link_from(IFLA_STATS64=tuple(values)).stats
    assert stats is not None and tuple(stats[: len(values)]) == tuple(values)
    assert stats.rx_otherhost_dropped == 0


def test_no_or_malformed_stats64_is_none() -> None:
    assert link_from().stats is None
    assert link_from(IFLA_STATS64=b"\x01\x02\x03").stats is None  # not a whole number of u64s


# --- IFLA_VXLAN ------------------------------------------------------------------------------------

V4 = st.ip_addresses(v=4).filter(lambda a: not a.is_multicast)
V6 = st.ip_addresses(v=6).filter(lambda a: not a.is_multicast)
GROUP4 = st.ip_addresses(network="239.0.0.0/8")
GROUP6 = st.ip_addresses(network="ff0e::/16")


@st.composite
def vxlans(draw: st.DrawFn) -> Vxlan:
    v6 = draw(st.booleans())
    unicast, group = (V6, GROUP6) if v6 else (V4, GROUP4)
    peer = draw(st.sampled_from(["remote", "group", None]))
    kwargs: dict[str, Any] = {}
    if peer is not None:
        kwargs[peer] = draw(unicast if peer == "remote" else group)
    return Vxlan("vx0", draw(st.integers(0, 2**24 - 1)), parent=draw(st.none() | st.integers(1, 2**31 - 1)),
                 local=draw(st.none() | unicast), port=draw(st.integers(1, 65535)),
                 learning=draw(st.booleans()), ttl=draw(st.none() | st.integers(1, 255)), **kwargs)


def sent_for(spec: Vxlan) -> Link:
    """What add() sends for ``spec`` (an index as parent needs no lookup: no step is yielded), as
    the kernel would send it back: encoded, decoded."""
    op = _spec_attrs(Place(), spec)
    with pytest.raises(StopIteration) as done:
        next(op)
    return link_of(_named("x0", done.value.value))


@given(vxlans())
def test_vxlan_round_trip(spec: Vxlan) -> None:
    """A spec, encoded as add() sends it and decoded as the kernel's answer, reads back the same."""
    info = sent_for(spec).info
    assert info == VxlanInfo(vni=spec.vni, remote=spec.remote, group=spec.group, local=spec.local,
                             parent=spec.parent, port=spec.port, learning=spec.learning, ttl=spec.ttl or 0)


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"vni": 2**24}, ValueError),
    ({"vni": -1}, ValueError),
    ({"vni": "42"}, TypeError),
    ({"vni": 1, "remote": "239.1.1.1"}, ValueError),  # multicast: a group
    ({"vni": 1, "group": "198.51.100.3"}, ValueError),  # unicast: a remote
    ({"vni": 1, "remote": "198.51.100.3", "group": "239.1.1.1"}, ValueError),
    ({"vni": 1, "local": "2001:db8::1", "remote": "198.51.100.3"}, ValueError),  # two IP versions
    ({"vni": 1, "remote": "not an address"}, ValueError),
    ({"vni": 1, "port": 0}, ValueError),
    ({"vni": 1, "port": 65536}, ValueError),
    ({"vni": 1, "ttl": 0}, ValueError),
    ({"vni": 1, "ttl": 256}, ValueError),
    ({"vni": 1, "learning": "no"}, TypeError),
    ({"vni": 1, "parent": "bad name with spaces"}, ValueError),
])
def test_bad_vxlan_is_refused_when_built(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        Vxlan("vx0", **kwargs)


def test_vxlan_is_a_value() -> None:
    spec = Vxlan("vx0", 42, remote="198.51.100.3")
    assert spec == Vxlan("vx0", 42, remote=ipaddress.ip_address("198.51.100.3"))
    assert spec.remote == ipaddress.IPv4Address("198.51.100.3") and spec.port == 4789


# --- route_get: bad input, before anything is sent ----------------------------------------------------


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"dst": "nope"}, ValueError),
    ({"dst": "198.51.100.0/24"}, ValueError),  # an address, not a network
    ({"dst": 42}, TypeError),
    ({"dst": "198.51.100.7", "src": "2001:db8::1"}, ValueError),
    ({"dst": "198.51.100.7", "mark": -1}, ValueError),
    ({"dst": "198.51.100.7", "mark": 2**32}, ValueError),
    ({"dst": "198.51.100.7", "mark": True}, TypeError),
    ({"dst": "198.51.100.7", "iif": 1.5}, TypeError),
    ({"dst": "198.51.100.7", "oif": "a/b"}, ValueError),
    ({"dst": "198.51.100.7", "oif": 0}, ValueError),
])
def test_route_get_refuses_bad_input_before_sending(kwargs: dict[str, Any], error: type[Exception]) -> None:
    dst = kwargs.pop("dst")
    with pytest.raises(error):
        next(route_get(Place(), dst, **kwargs))  # raised before the first step is yielded


def test_route_get_asks_as_ip_route_get() -> None:
    op = route_get(Place(), "198.51.100.7", src="198.51.100.2", iif=3, mark=7)
    step = next(op)
    msg = step.message
    assert (msg.header.dst_len, msg.header.src_len, msg.header.flags) == (32, 32, RTM_F_LOOKUP_TABLE)
    assert msg.attrs is not None
    assert (msg.attrs["RTA_DST"], msg.attrs["RTA_IIF"], msg.attrs["RTA_MARK"]) == (
        ipaddress.ip_address("198.51.100.7"), 3, 7)
    v6 = next(route_get(Place(), "2001:db8::7")).message.header
    assert (v6.dst_len, v6.flags) == (128, 0)


# --- sysctl keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "path"), [
    ("net.ipv4.conf.ens33.accept_local", "net/ipv4/conf/ens33/accept_local"),
    ("net.ipv4.conf.ens33/01.rp_filter", "net/ipv4/conf/ens33.01/rp_filter"),  # sysctl(8): '/' is a dot
    ("net/ipv4/conf/ens33.01/rp_filter", "net/ipv4/conf/ens33.01/rp_filter"),  # a path already
    ("net.ipv4.ip_forward", "net/ipv4/ip_forward"),
])
def test_sysctl_keys_follow_sysctl8(key: str, path: str) -> None:
    assert check_sysctl_key(key) == path


@pytest.mark.parametrize("key", [
    "kernel.hostname", "vm.swappiness", "net", "", "net.", "net..ipv4", "net.ipv4.conf.x/../y",
    "net/../kernel/hostname", "/proc/sys/net/ipv4/ip_forward", "net.ipv4.conf./.rp_filter", "net.ipv4\0.x",
    "net.ipv4. ip_forward",
])
def test_bad_sysctl_keys_are_refused(key: str) -> None:
    with pytest.raises(ValueError):
        check_sysctl_key(key)


def test_sysctl_key_and_value_types() -> None:
    with pytest.raises(TypeError):
        check_sysctl_key(b"net.ipv4.ip_forward")
    assert check_sysctl_value(1) == "1" and check_sysctl_value("32768 60999") == "32768 60999"
    for bad, error in ((True, TypeError), (1.5, TypeError), ("1\n2", ValueError), ("1\0", ValueError)):
        with pytest.raises(error):
            check_sysctl_value(bad)


# --- enums print their names (item 7) --------------------------------------------------------------

ENUMS = [obj for obj in vars(enums).values()
         if isinstance(obj, type) and issubclass(obj, (enum.IntEnum, enum.IntFlag))
         and obj.__module__ == enums.__name__ and obj not in (enums.NamedIntEnum, enums.NamedIntFlag)]


@pytest.mark.parametrize("cls", ENUMS, ids=lambda c: c.__name__)
def test_every_enum_value_prints_its_name(cls: type[enum.IntEnum]) -> None:
    for name, member in cls.__members__.items():
        assert str(member) == f"{cls.__name__}.{name}" == f"{member}" == format(member)
        assert repr(int(member)) not in str(member).split(".")[1]


def test_modes_by_name() -> None:
    assert Macvlan("mv0", parent="eth0", mode="bridge").mode is MacvlanMode.BRIDGE
    assert Macvlan("mv0", parent="eth0", mode="VEPA").mode is MacvlanMode.VEPA
    with pytest.raises(ValueError, match="bridge"):
        Macvlan("mv0", parent="eth0", mode="bridged")
    with pytest.raises(TypeError):
        Macvlan("mv0", parent="eth0", mode=4)  # type: ignore[arg-type]
