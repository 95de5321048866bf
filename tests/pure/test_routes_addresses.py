"""Issue 17 without a kernel: RTA_MULTIPATH and the new route/address attributes round-trip through
the codec and back into values, and bad arguments are refused before anything is sent."""

from __future__ import annotations

import copy
import dataclasses
import errno
import inspect
import ipaddress
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rtnl
from rtnl.codec import RTA, Attrs, Body, Message, RtNexthop, decode
from rtnl.ops import Batch, Dump, Operation, Request
from rtnl.ops import addresses as addr_ops
from rtnl.ops import routes as route_ops
from rtnl.uapi import RTM_DELADDR, RTM_NEWADDR, RTM_NEWROUTE
from rtnl.values.addresses import Address
from rtnl.values.check import check_network, check_network_packed
from rtnl.values.enums import RouteType, Scope
from rtnl.values.routes import Nexthop, Route
from tests.pure.test_fast import network_text
from tests.support.at_once import outcome, record_at_once
from tests.support.strategies import attrs


class Place:
    namespace_id = None
    kernel_echoes = False


def first_step(op: Operation[Any]) -> Any:
    """The first step an operation yields: what it would send first (it must not raise before)."""
    return next(op)


def first_message(op: Operation[Any]) -> Message:
    """The first message an operation sends (an IPv6 add_address sends the add and a get at once)."""
    step = first_step(op)
    return step.messages[0] if isinstance(step, Batch) else step.message


def roundtrip(msg: Message) -> Message:
    [back] = decode(msg.encode(seq=1, pid=0))
    return back


# --- RTA_MULTIPATH ---------------------------------------------------------------------------------------

hops = st.lists(st.builds(Body, st.builds(RtNexthop, st.integers(0, 255), st.integers(0, 255),
                                          st.integers(-(2**31), 2**31 - 1)), attrs(RTA, 2)), max_size=4)


@given(hops)
def test_multipath_roundtrips(value: list[Body]) -> None:
    built = RTA.build(RTA_MULTIPATH=value)
    data = built.encode()
    back = Attrs.over(RTA, data, 0, len(data))
    assert back.get("RTA_MULTIPATH") == tuple(value)
    assert back.copy().encode() == data  # decoded and encoded again: the same bytes


@pytest.mark.parametrize("payload", [b"\x04\x00\x00\x00", b"\x0a\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00",
                                     b"\x10\x00\x00\x00\x01\x00\x00\x00", b"\x08\x00\x00\x00\x01\x00\x00"])
def test_malformed_multipath_stays_bytes(payload: bytes) -> None:
    """A hop shorter than rtnexthop, of a length not a multiple of 4, or running past the end."""
    data = RTA.build((9, payload)).encode()
    value = Attrs.over(RTA, data, 0, len(data)).get("RTA_MULTIPATH")
    assert value == payload
    assert RTA.build(RTA_MULTIPATH=value).encode() == data


# --- routes: what add_route sends is what Route reads back -------------------------------------------------

v4 = st.ip_addresses(v=4)
weights = st.integers(1, 256)


@given(gateways=st.lists(v4, min_size=1, max_size=4), weights=st.lists(weights, min_size=4, max_size=4),
       onlink=st.booleans(), links=st.lists(st.integers(1, 2**31 - 1), min_size=4, max_size=4),
       table=st.integers(1, 2**32 - 1), metric=st.none() | st.integers(0, 2**32 - 1),
       protocol=st.sampled_from(list(rtnl.RouteProtocol)) | st.integers(0, 255))
def test_multipath_route_roundtrips(gateways: list[ipaddress.IPv4Address], weights: list[int], onlink: bool,
                                    links: list[int], table: int, metric: int | None, protocol: int) -> None:
    nexthops = [Nexthop(gw, link, weight) for gw, link, weight in zip(gateways, links, weights, strict=False)]
    req = first_step(route_ops.add_route(Place(), "192.0.2.0/24", nexthops=nexthops, onlink=onlink,
                                         table=table, metric=metric, protocol=protocol)).message
    route = Route.from_message(roundtrip(Message(RTM_NEWROUTE, header=req.header, attrs=req.attrs)))
    assert route.nexthops == tuple(Nexthop(gw, link, weight, onlink) for gw, link, weight
                                   in zip(gateways, links, weights, strict=False))
    assert (route.table, route.metric, route.protocol, route.gateway, route.link) == (table, metric, protocol,
                                                                                      None, None)


@given(rtype=st.sampled_from(["blackhole", "unreachable", "prohibit", "throw", "local", "unicast"]),
       prefsrc=st.none() | v4, mtu=st.none() | st.integers(68, 2**31 - 1),
       advmss=st.none() | st.integers(1, 2**31 - 1), hoplimit=st.none() | st.integers(1, 255),
       onlink=st.booleans())
def test_route_attributes_roundtrip(rtype: str, prefsrc: ipaddress.IPv4Address | None, mtu: int | None,
                                    advmss: int | None, hoplimit: int | None, onlink: bool) -> None:
    req = first_step(route_ops.add_route(Place(), "198.51.100.0/24", gateway="203.0.113.1", link=7,
                                         type=rtype, prefsrc=prefsrc, mtu=mtu, advmss=advmss,
                                         hoplimit=hoplimit, onlink=onlink)).message
    route = Route.from_message(roundtrip(Message(RTM_NEWROUTE, header=req.header, attrs=req.attrs)))
    assert route.type is rtnl.RouteType[rtype.upper()] and route.prefsrc == prefsrc and route.onlink == onlink
    assert (route.mtu, route.advmss, route.hoplimit) == (mtu, advmss, hoplimit)


@given(pref=st.sampled_from(list(rtnl.RoutePref)), hoplimit=st.integers(1, 255))
def test_ipv6_pref_and_metrics_roundtrip(pref: rtnl.RoutePref, hoplimit: int) -> None:
    req = first_step(route_ops.add_route(Place(), "2001:db8:1::/48", gateway="2001:db8::1",
                                         pref=pref.name.lower(), hoplimit=hoplimit, mtu=1280)).message
    route = Route.from_message(roundtrip(Message(RTM_NEWROUTE, header=req.header, attrs=req.attrs)))
    assert (route.pref, route.hoplimit, route.mtu) == (pref, hoplimit, 1280) and route.pref is pref


def test_unknown_protocol_and_type_are_kept_as_numbers() -> None:
    req = first_step(route_ops.add_route(Place(), "192.0.2.0/24", link=2, protocol=77)).message
    header = req.header._replace(type=42)
    route = Route.from_message(roundtrip(Message(RTM_NEWROUTE, header=header, attrs=req.attrs)))
    assert route.protocol == 77 and type(route.protocol) is int and route.type == 42
    assert str(rtnl.RouteType.BLACKHOLE) == "RouteType.BLACKHOLE"


# --- addresses: peer, lifetimes, flags ----------------------------------------------------------------


@given(valid=st.integers(1, 2**32 - 2), data=st.data(), peer=st.booleans(), noprefixroute=st.booleans())
def test_address_attributes_roundtrip(valid: int, data: st.DataObject, peer: bool,
                                      noprefixroute: bool) -> None:
    preferred = data.draw(st.integers(0, valid))
    op = addr_ops.add_address(Place(), 3, "198.51.100.1/32", peer="198.51.100.2" if peer else None,
                              valid_lft=valid, preferred_lft=preferred, noprefixroute=noprefixroute)
    req = first_step(op).message
    address = Address.from_message(roundtrip(Message(RTM_NEWADDR, header=req.header, attrs=req.attrs)))
    assert (address.valid_lft, address.preferred_lft) == (valid, preferred)
    assert address.peer == (ipaddress.ip_address("198.51.100.2") if peer else None)
    assert address.address == ipaddress.ip_interface("198.51.100.1/32")
    assert bool(address.flags & rtnl.AddressFlag.NOPREFIXROUTE) == noprefixroute


def test_forever_is_none_and_preferred_defaults_to_valid() -> None:
    req = first_message(addr_ops.add_address(Place(), 3, "2001:db8::1/64", valid_lft=600, nodad=True))
    assert req.attrs.get("IFA_CACHEINFO")[:2] == (600, 600)
    assert req.attrs.get("IFA_FLAGS") == rtnl.AddressFlag.NODAD
    req = first_message(addr_ops.add_address(Place(), 3, "2001:db8::1/64", preferred_lft=60))
    address = Address.from_message(roundtrip(Message(RTM_NEWADDR, header=req.header, attrs=req.attrs)))
    assert (address.valid_lft, address.preferred_lft) == (None, 60)
    plain = first_message(addr_ops.add_address(Place(), 3, "2001:db8::1/64"))
    assert "IFA_CACHEINFO" not in plain.attrs and Address.from_message(roundtrip(plain)).valid_lft is None


# --- bad input: refused before the first step --------------------------------------------------------------

BAD_ROUTES: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"dst": "198.51.100.0/33", "link": 2}, ValueError, "not appear to be an IPv4 or IPv6"),
    ({"dst": "2001:db8::/129", "link": 2}, ValueError, "not appear to be an IPv4 or IPv6"),
    ({"dst": "198.51.100.1/24", "link": 2}, ValueError, "host bits"),
    ({"dst": "192.0.2.0/24", "link": 2, "table": 0}, ValueError, "table"),
    ({"dst": "192.0.2.0/24", "link": 2, "table": 2**32}, ValueError, "table"),
    ({"dst": "192.0.2.0/24", "link": 2, "table": "main"}, TypeError, "table"),
    ({"dst": "192.0.2.0/24", "nexthops": [Nexthop("198.51.100.1", 2, weight=0)]}, ValueError, "weight"),
    ({"dst": "192.0.2.0/24", "nexthops": [Nexthop("198.51.100.1", 2, weight=257)]}, ValueError, "weight"),
    ({"dst": "192.0.2.0/24", "nexthops": [Nexthop("198.51.100.1", 2, weight=1.5)]}, TypeError, "weight"),
    ({"dst": "192.0.2.0/24", "nexthops": []}, ValueError, "nexthops"),
    ({"dst": "192.0.2.0/24", "nexthops": [("198.51.100.1", 2)]}, TypeError, "Nexthop"),
    ({"dst": "192.0.2.0/24", "nexthops": [Nexthop()]}, ValueError, "gateway or a link"),
    ({"dst": "192.0.2.0/24", "nexthops": [Nexthop("2001:db8::1", 2)]}, ValueError, "IP versions"),
    ({"dst": "192.0.2.0/24", "gateway": "198.51.100.1", "nexthops": [Nexthop("198.51.100.1", 2)]}, ValueError,
     "not both"),
    ({"dst": "192.0.2.0/24", "type": "bogus", "link": 2}, ValueError, "valid: unspec, unicast"),
    ({"dst": "192.0.2.0/24", "type": 6}, TypeError, "route type"),
    ({"dst": "192.0.2.0/24", "link": 2, "protocol": 256}, ValueError, "protocol"),
    ({"dst": "192.0.2.0/24", "link": 2, "protocol": "nosuch"}, ValueError, "protocol"),
    ({"dst": "192.0.2.0/24", "link": 2, "scope": "far"}, ValueError, "scope"),
    ({"dst": "192.0.2.0/24", "link": 2, "onlink": True}, ValueError, "onlink"),
    ({"dst": "192.0.2.0/24", "gateway": "198.51.100.1", "onlink": True}, ValueError, "onlink"),
    ({"dst": "192.0.2.0/24", "link": 2, "onlink": 1}, TypeError, "onlink"),
    ({"dst": "192.0.2.0/24", "link": 2, "prefsrc": "2001:db8::1"}, ValueError, "IP versions"),
    ({"dst": "192.0.2.0/24", "link": 2, "pref": "high"}, ValueError, "IPv6"),
    ({"dst": "2001:db8::/64", "link": 2, "pref": "highest"}, ValueError, "pref"),
    ({"dst": "2001:db8::/64", "link": 2, "hoplimit": 256}, ValueError, "hoplimit"),
    ({"dst": "2001:db8::/64", "link": 2, "mtu": 67}, ValueError, "mtu"),
    ({"dst": "192.0.2.0/24"}, ValueError, "gateway or a link"),
]


@pytest.mark.parametrize(("kwargs", "error", "match"), BAD_ROUTES)
def test_bad_routes_are_refused_before_sending(kwargs: dict[str, Any], error: type[Exception],
                                               match: str) -> None:
    with pytest.raises(error, match=match):
        first_step(route_ops.add_route(Place(), **kwargs))
    with pytest.raises(error, match=match):  # a batch checks each spec the same way
        first_step(route_ops.add_routes(Place(), [rtnl.RouteSpec("203.0.113.0/24", link=2),
                                                  rtnl.RouteSpec(**kwargs)]))


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"valid_lft": 0}, ValueError, "valid_lft"),
    ({"valid_lft": 2**32 - 1}, ValueError, "valid_lft"),
    ({"valid_lft": 10, "preferred_lft": 11}, ValueError, "longer"),
    ({"valid_lft": "10"}, TypeError, "valid_lft"),
    ({"peer": "2001:db8::2"}, ValueError, "IP versions"),
    ({"peer": 7}, TypeError, "peer"),
    ({"noprefixroute": "yes"}, TypeError, "noprefixroute"),
    ({"nodad": 1}, TypeError, "nodad"),
    ({"replace": None}, TypeError, "replace"),
    ({"preferred_lft": 1.5}, TypeError, "preferred_lft"),
])
def test_bad_addresses_are_refused_before_sending(kwargs: dict[str, Any], error: type[Exception],
                                                  match: str) -> None:
    with pytest.raises(error, match=match):
        first_step(addr_ops.add_address(Place(), 3, "198.51.100.1/24", **kwargs))


@pytest.mark.parametrize(("items", "error"), [([("eth0", "198.51.100.1/33")], ValueError),
                                              ([("eth0",)], TypeError), (["198.51.100.1/24"], TypeError),
                                              ([(3, "198.51.100.1/24"), (3, 42)], TypeError)])
def test_bad_address_batches_are_refused_before_sending(items: list[Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        first_step(addr_ops.add_addresses(Place(), items))


def test_route_batches_take_route_specs_only() -> None:
    with pytest.raises(TypeError, match="RouteSpec"):
        first_step(route_ops.add_routes(Place(), [{"dst": "192.0.2.0/24", "link": 2}]))  # type: ignore[list-item]


def test_all_tables_and_table_range_of_a_listing() -> None:
    dump = first_step(route_ops.routes(Place(), table=rtnl.ALL_TABLES)).message
    assert dump.header.table == 0 and "RTA_TABLE" not in dump.attrs
    with pytest.raises(ValueError, match="table"):
        first_step(route_ops.routes(Place(), table=-1))


# --- values read from the wire are made without __init__: they are what __init__ makes ------------------

def same_as_constructed(value: Any) -> None:
    """``value`` equals, hashes and prints as its class's own constructor makes it from its fields,
    is frozen, pickles, and ``dataclasses.replace`` takes it."""
    fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}  # every slot is set
    made = type(value)(**fields)
    assert value == made and hash(value) == hash(made) and repr(value) == repr(made)
    assert pickle.loads(pickle.dumps(value)) == value and copy.deepcopy(value) == value
    assert dataclasses.replace(value) == value and dataclasses.asdict(value) == dataclasses.asdict(made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.link = 5


@given(rtype=st.sampled_from(["blackhole", "local", "unicast"]), prefsrc=st.none() | v4,
       mtu=st.none() | st.integers(68, 2**31 - 1), pref=st.booleans(), nexthops=st.booleans())
def test_routes_from_the_wire_are_as_constructed(rtype: str, prefsrc: ipaddress.IPv4Address | None,
                                                 mtu: int | None, pref: bool, nexthops: bool) -> None:
    if pref:
        req = first_step(route_ops.add_route(Place(), "2001:db8:1::/48", gateway="2001:db8::1", pref="high",
                                             hoplimit=9, metric=7)).message
    else:
        hops = [Nexthop("203.0.113.1", 3, 2)] if nexthops and rtype == "unicast" else None
        req = first_step(route_ops.add_route(Place(), "198.51.100.0/24", link=None if hops else 7,
                                             type=rtype, prefsrc=prefsrc, mtu=mtu, nexthops=hops)).message
    same_as_constructed(Route.from_message(roundtrip(Message(RTM_NEWROUTE, header=req.header,
                                                             attrs=req.attrs))))


@given(valid=st.none() | st.integers(1, 2**32 - 2), peer=st.booleans(), v6=st.booleans())
def test_addresses_from_the_wire_are_as_constructed(valid: int | None, peer: bool, v6: bool) -> None:
    iface, other = ("2001:db8::1/64", "2001:db8::2") if v6 else ("198.51.100.1/24", "198.51.100.2")
    req = first_message(addr_ops.add_address(Place(), 3, iface, peer=other if peer else None,
                                             valid_lft=valid))
    same_as_constructed(Address.from_message(roundtrip(Message(RTM_NEWADDR, header=req.header,
                                                               attrs=req.attrs))))


@given(st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)), st.integers(0, 128), st.data())
def test_an_address_read_back_is_the_interface_added_only_when_it_is_that_one(
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address, length: int, data: st.DataObject) -> None:
    """The interface just added is taken as the read-back's ``address`` (the same object) when the kernel
    lists that address and prefix length, else one is made from the message as without it; an
    interface encodes as its address."""
    iface = ipaddress.ip_interface((ip, length % (ip.max_prefixlen + 1)))
    assert rtnl.codec.IFA.build(IFA_LOCAL=iface).wire == rtnl.codec.IFA.build(IFA_LOCAL=iface.ip).wire
    req = first_message(addr_ops.add_address(Place(), 3, iface))
    msg = roundtrip(Message(RTM_NEWADDR, header=req.header, attrs=req.attrs))
    plain = Address.from_message(msg)
    known = data.draw(st.sampled_from([
        iface, ipaddress.ip_interface((ip, (iface.network.prefixlen + 1) % (ip.max_prefixlen + 1))),
        ipaddress.ip_interface((int(ip) ^ 1, iface.network.prefixlen)),
        ipaddress.ip_interface((int(ip) % 2**32, iface.network.prefixlen % 33))]))
    read = Address.from_message(msg, known)
    assert read == plain
    assert (read.address is known) == (known == iface)


@pytest.mark.parametrize("answer", ["listed", "other prefix", "none"])
def test_an_address_missing_from_the_read_back_is_looked_for_in_a_dump(answer: str) -> None:
    """An add whose read-back does not hold the address (another prefix length: a replace that kept the
    old one; none at all) dumps the link's addresses, and fails with EADDRNOTAVAIL, the address removed
    again, if it is not there either."""
    op = addr_ops.add_address(Place(), 3, "2001:db8::1/64", None, None, None, False, True, False)
    step = next(op)
    read = roundtrip(Message(RTM_NEWADDR, header=step.message.header._replace(
        prefixlen=64 if answer == "listed" else 80), attrs=step.message.attrs))
    if answer == "listed":
        with pytest.raises(StopIteration) as done:
            op.send([read])
        assert done.value.value == Address.from_message(read)
        return
    dump = op.send([read] if answer == "other prefix" else [])
    assert isinstance(dump, Dump) and dump.message.header.index == 3
    removal = op.send([])  # the dump lists none: the add fails, its address removed again
    assert isinstance(removal, Request) and removal.message.type == RTM_DELADDR
    with pytest.raises(OSError) as failed:
        op.send([])
    assert failed.value.errno == errno.EADDRNOTAVAIL


# --- a route's shape (its arguments but dst, checked and encoded) is kept for the next route alike ----------

@pytest.mark.parametrize(("good", "bad"), [({"onlink": False}, {"onlink": 0}),
                                           ({"table": 254}, {"table": 254.0}),
                                           ({"metric": 0}, {"metric": False}),
                                           ({"mtu": 1400}, {"mtu": 1400.0})])
def test_a_kept_route_shape_lets_no_equal_value_of_another_type_through(good: dict[str, Any],
                                                                       bad: dict[str, Any]) -> None:
    """0 == False == 0.0 (and they hash alike): a shape kept for one must not pass the other unchecked."""
    for dst in ("2001:db8:7::/64", "2001:db8:8::/64"):  # the second one from the kept shape
        first_message(route_ops.add_route(Place(), dst, link=2, **good))
    with pytest.raises(TypeError):
        first_step(route_ops.add_route(Place(), "2001:db8:9::/64", link=2, **bad))


@pytest.mark.parametrize("kwargs", [{}, {"gateway": "2001:db8::1", "metric": 5}, {"type": "blackhole"},
                                    {"mtu": 1400, "advmss": 1360, "pref": "high", "protocol": "static"},
                                    {"scope": "host", "prefsrc": "2001:db8::2", "table": 1000}])
def test_a_kept_route_shape_makes_the_request_a_looked_up_link_does(kwargs: dict[str, Any]) -> None:
    """A route through a link given by index (its shape kept, encoded once) is the request made when
    the link is looked up by name, for every destination, ``default`` included."""
    answer = decode(Message(rtnl.codec.RTM_NEWLINK, header=rtnl.codec.IfInfoMsg(index=7),
                            attrs=rtnl.codec.IFLA.build(IFLA_IFNAME="eth7")).encode())
    default = ("default",) * ("pref" not in kwargs)  # (with no IPv6 address given, IPv4's: no pref)
    for dst in ("2001:db8:5::/64", "2001:db8:6::/64", *default, "2001:db8:5::/64"):
        kept = first_message(route_ops.add_route(Place(), dst, link=7, **kwargs))
        op = route_ops.add_route(Place(), dst, link="eth7", **kwargs)
        assert first_message(op).type == rtnl.codec.RTM_GETLINK
        looked = op.send(answer).message
        assert kept.encode(seq=1) == looked.encode(seq=1)
        assert kept.header.dst_len == (0 if dst == "default" else 64)


@pytest.mark.parametrize(("method", "operation"), [(rtnl.Connection.add_route, route_ops.add_route),
                                                   (rtnl.Connection.add_address, addr_ops.add_address)])
def test_connection_hands_each_argument_to_its_namesake(method: Any, operation: Any) -> None:
    """add_route and add_address hand their arguments on positionally (keywords through the
    operation's @about wrapper cost ~1 µs a call): each must reach the parameter of its name."""
    class Capture(Place):
        def run(self, op: Any) -> None:
            self.op = op

    names = list(inspect.signature(operation).parameters)[1:]
    assert names == list(inspect.signature(method).parameters)[1:]
    values = {name: object() for name in names}
    place = Capture()
    method(place, **values)
    given = place.op.gi_frame.f_locals  # the @about wrapper's, not started: (place, *args, **kwargs)
    got = dict(zip(names, given["args"], strict=False)) | given["kwargs"]
    assert got.keys() == values.keys() and all(got[name] is values[name] for name in names)


def packed_or_error(check: Any, value: object) -> object:
    try:
        return check(value, "dst")
    except (TypeError, ValueError) as e:
        return type(e), str(e)


def network_packed(value: object, what: str) -> tuple[bytes, int]:
    """check_network_packed's plain twin."""
    network = check_network(value, what)
    return network.network_address.packed, network.prefixlen


networks = st.tuples(st.ip_addresses(), st.integers(0, 128)).map(
    lambda t: ipaddress.ip_network((t[0], min(t[1], t[0].max_prefixlen)), strict=False))


@settings(max_examples=2000, deadline=None, database=None)
@given(st.one_of(network_text, networks, networks.map(str)))
def test_a_destination_read_packed_is_the_network_check_network_reads(value: object) -> None:
    """check_network_packed reads "address/length" without making an ipaddress network: it gives
    check_network's network (packed, and its prefix length), or raises its error, for any text."""
    assert packed_or_error(check_network_packed, value) == packed_or_error(network_packed, value)


# --- Connection.add_route sends a route with nothing to look up at once, without the operation ----------

class Sent(rtnl.Connection):
    """A Connection (``run`` its own) over a socket that keeps each message it is asked to send and
    answers it with nothing, or refuses it with a new ``NetlinkError.from_errno(*refusal)``."""

    def __init__(self, refusal: tuple[int, str] | None = None) -> None:
        class Socket:
            def request(_, message: Message, *, ack: bool = True) -> list[Message]:
                self.sent.append(message)
                if refusal is not None:
                    raise rtnl.NetlinkError.from_errno(*refusal)
                return []

        class Here:
            ident = None

        super().__init__(Socket(), Here())  # type: ignore[arg-type]
        self.sent: list[Message] = []


@pytest.fixture
def at_once(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each call of add_route_at_once sent its request (without running the operation)."""
    return record_at_once(monkeypatch, route_ops, "add_route_at_once")


def sent_by(net: Sent, call: Any) -> object:
    """The messages ``call()`` sent over ``net`` (their bytes) and the error it raised, if any."""
    try:
        call()
        error = None
    except (OSError, TypeError, ValueError) as e:
        error = (type(e), str(e))
    return [message.encode(seq=1) for message in net.sent], error


def same_as_run(dst: Any, kwargs: dict[str, Any], refusal: tuple[int, str] | None) -> None:
    """Connection.add_route sends what the operation run by Connection.run sends, and raises its error."""
    net, ran = Sent(refusal), Sent(refusal)
    assert sent_by(net, lambda: net.add_route(dst, **kwargs)) == sent_by(
        ran, lambda: ran.run(route_ops.add_route(ran, dst, **kwargs)))


AT_ONCE = [("2001:db8:5::/64", {"link": 7}), ("198.51.100.0/24", {"link": 7, "metric": 5, "table": 1000}),
           ("default", {"gateway": "198.51.100.1"}), ("default", {"gateway": "2001:db8::1", "pref": "high"}),
           ("192.0.2.0/24", {"type": "blackhole"}), ("2001:db8::/32", {"type": RouteType.UNREACHABLE}),
           ("203.0.113.0/24", {"gateway": "198.51.100.1", "link": 7, "onlink": True, "replace": True}),
           (ipaddress.ip_network("2001:db8:6::/48"), {"link": 7, "mtu": 1400, "advmss": 1360, "hoplimit": 9,
                                                       "protocol": "static", "scope": "host",
                                                       "prefsrc": "2001:db8::2"}),
           ("198.51.100.0/25", {"link": 7, "scope": Scope.UNIVERSE, "protocol": 77, "replace": False})]
REFUSED = [("2001:db8:5::1/64", {"link": 7}), ("2001:db8::/129", {"link": 7}), (5, {"link": 7}),
           ("198.51.100.0/24", {"link": 7, "replace": "yes"}),
           ("198.51.100.0/24", {"link": 7, "metric": False}),
           ("198.51.100.0/24", {"link": 7, "table": 254.0}), ("198.51.100.0/24", {"link": 7, "onlink": 1}),
           ("198.51.100.0/24", {"gateway": "2001:db8::1"}), ("198.51.100.0/24", {"link": 7, "pref": "high"}),
           ("198.51.100.0/24", {}), ("default", {"gateway": "198.51.100.1", "prefsrc": "2001:db8::1"}),
           ("198.51.100.0/24", {"link": 7, "type": "sideways"}), ("198.51.100.0/24", {"link": 7, "mtu": 67}),
           ("198.51.100.0/24", {"link": 7, "metric": [5]})]


@pytest.mark.parametrize("refusal", [None, (errno.EEXIST, "Route exists")])
@pytest.mark.parametrize(("dst", "kwargs"), AT_ONCE + REFUSED)
def test_a_route_sent_at_once_is_the_operations_request(dst: Any, kwargs: dict[str, Any],
                                                        refusal: tuple[int, str] | None,
                                                        at_once: list[bool]) -> None:
    """Connection.add_route sends a route with nothing to look up (a link by index, or none) itself,
    without running add_route: the same request, or the same error (a kernel refusal named alike),
    as the operation run, for each argument (the second time from the kept shape). An argument of a
    wrong type may leave its error to the operation."""
    for _ in range(2):
        at_once.clear()
        same_as_run(dst, kwargs, refusal)
        assert at_once == [(dst, kwargs) in AT_ONCE]


@pytest.mark.parametrize("kwargs", [{"link": "eth7"}, {"nexthops": [Nexthop("198.51.100.1", 7)]},
                                    {"nexthops": [Nexthop(link=7)]}, {"link": 2**31}])
def test_a_route_with_something_to_look_up_runs_the_operation(kwargs: dict[str, Any],
                                                              at_once: list[bool]) -> None:
    same_as_run("203.0.113.0/24", kwargs, (errno.ENODEV, "No such device"))
    assert at_once == [False]


def test_a_route_sent_at_once_is_named_in_the_kernels_refusal(at_once: list[bool]) -> None:
    net = Sent((errno.EEXIST, "Route exists"))
    with pytest.raises(FileExistsError) as info:
        net.add_route("2001:db8:5::/64", link=7, table=1000)
    assert at_once == [True]
    assert isinstance(info.value, rtnl.NetlinkError) and info.value.extack == "Route exists"
    assert info.value.about == "route 2001:db8:5::/64 dev index 7 table 1000"


class Stepping(Sent):
    def run(self, operation: Operation[Any]) -> Any:
        self.ran = operation


def test_a_connection_whose_run_is_its_own_is_handed_the_operation(at_once: list[bool]) -> None:
    """A subclass's run (rtnl.aio's stand-in's, say) is handed every route's operation, unstarted."""
    net = Stepping()
    net.add_route("2001:db8:5::/64", link=7)
    assert not at_once and not net.sent
    assert first_message(net.ran).encode(seq=1) == first_message(
        route_ops.add_route(Place(), "2001:db8:5::/64", link=7)).encode(seq=1)


# --- most address adds are packed whole and sent at once (Connection.add_address) --------------------------

class Answered(rtnl.Connection):
    """A Connection (``run`` its own) over a socket that keeps each request it is asked to send, as
    sent (sequence number 0), and answers an add with the address it adds (IPv4: the echo; IPv6: the
    get's answer), or ``answer`` as the get's, or refuses the add with ``refusal``."""

    def __init__(self, refusal: tuple[int, str] | None = None, answer: list[Message] | None = None) -> None:
        def added(add: Message) -> list[Message]:
            if refusal is not None:
                raise rtnl.NetlinkError.from_errno(*refusal)
            return [roundtrip(Message(RTM_NEWADDR, header=add.header, attrs=add.attrs))]

        class Socket:
            def request_encoded(_, change: bytes, then: bytes | None = None) -> list[Message]:
                self.sent += [change] + [then] * (then is not None)
                reply = added(decode(change)[0])
                return reply if then is None or answer is None else answer

            def request_then(_, msg: Message, then: Message, *, ack: bool = True) -> list[Message]:
                self._sent(msg, then)
                reply = added(msg)
                return reply if answer is None else answer

            def request(_, msg: Message, *, ack: bool = True) -> list[Message]:
                self._sent(msg, None)
                return [] if msg.type == RTM_DELADDR else added(msg)

            def ask(_, exchanges: Any) -> Any:  # a dump: it lists nothing
                self.sent.append(next(exchanges)[0][0].encode(seq=0, flags=rtnl.codec.NLM_F_REQUEST))
                with pytest.raises(StopIteration) as done:
                    exchanges.send([[]])
                return done.value.value

        class Here:
            ident = None

        super().__init__(Socket(), Here())  # type: ignore[arg-type]
        self.sent: list[bytes] = []

    def _sent(self, msg: Message, then: Message | None) -> None:
        flags = rtnl.codec.NLM_F_REQUEST
        self.sent += [m.encode(seq=0, flags=m.flags | flags) for m in (msg, then) if m is not None]


@pytest.fixture
def sent_at_once(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each call of add_address_at_once sent the add itself (without running the operation)."""
    return record_at_once(monkeypatch, addr_ops, "add_address_at_once")


def same_outcome(call: Any, net: Answered, ran: Answered, run: Any) -> None:
    """``call(net)`` sends the bytes and returns (or raises) what ``run(ran)`` does."""
    assert outcome(net, call) == outcome(ran, run)


ADDRESSES_AT_ONCE = [("198.51.100.1/24", {}), ("198.51.100.1/31", {"replace": True}),
                     ("203.0.113.9/32", {"noprefixroute": True}), ("198.51.100.1/30", {"nodad": True}),
                     ("2001:db8::1/64", {"nodad": True}), ("2001:db8::1/128", {"replace": True}),
                     ("fe80::1/64", {"noprefixroute": True, "nodad": True}),
                     (ipaddress.ip_interface("2001:db8:1::7/48"), {})]


@pytest.mark.parametrize("refusal", [None, (errno.EEXIST, "Address exists")])
@pytest.mark.parametrize(("iface", "kwargs"), [*ADDRESSES_AT_ONCE,
    ("2001:db8::1/64", {"link": "eth7"}), ("fe80::1%7/64", {}), ("198.51.100.1/24", {"peer": "198.51.100.2"}),
    ("2001:db8::1/64", {"valid_lft": 60}), ("198.51.100.1/24", {"nodad": 1}), ("198.51.100.300/24", {}),
    ("198.51.100.1/24", {"link": 2**31}), (5, {})])
def test_an_address_sent_at_once_is_the_operations(iface: Any, kwargs: dict[str, Any],
                                                   refusal: tuple[int, str] | None,
                                                   sent_at_once: list[bool]) -> None:
    """Connection.add_address sends an address on a link given by its index, without a peer, lifetimes
    or a scope, itself: the same bytes as the operation run by Connection.run, and the same Address
    back, or the same error (a kernel refusal named alike). Others are left to the operation."""
    kwargs = dict(kwargs)  # (the parameter itself is shared between the runs)
    link = kwargs.pop("link", 7)
    same_outcome(lambda net: net.add_address(link, iface, **kwargs), Answered(refusal), Answered(refusal),
                 lambda ran: ran.run(addr_ops.add_address(ran, link, iface, **kwargs)))
    assert sent_at_once == [(iface, kwargs) in ADDRESSES_AT_ONCE and link == 7]


@pytest.mark.parametrize("answer", ["other prefix", "none", "refused"])
def test_an_address_sent_at_once_ends_as_the_operation_does(answer: str, sent_at_once: list[bool]) -> None:
    """A read-back without the address (or refused) is followed by the operation's own dump and removal."""
    add = first_message(addr_ops.add_address(Place(), 7, "2001:db8::1/80"))
    other = Message(RTM_NEWADDR, header=add.header, attrs=add.attrs)
    reply: Any = {"other prefix": [roundtrip(other)], "none": [],
                  "refused": rtnl.NetlinkError.from_errno(errno.EINVAL, "bad get")}[answer]

    net, ran = Answered(answer=reply), Answered(answer=reply)
    same_outcome(lambda net: net.add_address(7, "2001:db8::1/64", nodad=True), net, ran,
                 lambda ran: ran.run(addr_ops.add_address(ran, 7, "2001:db8::1/64", nodad=True)))
    assert sent_at_once == [True]
    kinds = [decode(data)[0].type for data in net.sent]
    assert kinds[:2] == [RTM_NEWADDR, 22] and kinds[-1] == RTM_DELADDR  # the add and its get; the removal


def test_a_connection_whose_run_is_its_own_is_handed_the_address_operation(sent_at_once: list[bool]) -> None:
    class Own(Answered):
        def run(self, operation: Operation[Any]) -> Any:
            self.ran = operation

    net = Own()
    net.add_address(7, "2001:db8::1/64")
    assert not sent_at_once and not net.sent
    assert first_message(net.ran).encode(seq=1) == first_message(
        addr_ops.add_address(Place(), 7, "2001:db8::1/64")).encode(seq=1)


@given(st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)), st.integers(0, 128), st.integers(1, 2**31 - 1),
       st.booleans(), st.booleans(), st.booleans())
def test_an_add_packed_whole_is_the_operations_request(ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
                                                       length: int, link: int, noprefixroute: bool,
                                                       nodad: bool, replace: bool) -> None:
    """The struct layouts add_address_at_once packs (the add, and the get of an IPv6 address) give the
    bytes the operation's Messages encode to, by the IFA schema: broadcast and flags included."""
    iface = ipaddress.ip_interface((ip, length % (ip.max_prefixlen + 1)))
    flags, extra = addr_ops._add_flags(iface, noprefixroute, nodad, replace)
    add, get = addr_ops._packed(flags, extra, link, iface)
    step = first_step(addr_ops.add_address(Place(), link, iface, None, None, None, noprefixroute, nodad,
                                           replace))
    request = rtnl.codec.NLM_F_REQUEST
    assert add == step.message.encode(seq=0, flags=step.message.flags | request)
    assert get == (None if step.then is None else step.then.encode(seq=0, flags=step.then.flags | request))
