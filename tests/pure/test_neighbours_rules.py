"""Neighbours, bridge fdb entries and policy rules without a kernel: the NDA and FRA schemas round-trip
(hypothesis), messages become the values the kernel's would, and bad arguments are refused before an
operation yields its first request."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rtnl
from rtnl import FdbEntry, Neighbour, NeighbourFlag, NeighbourState, Rule, RuleAction, codec
from rtnl.codec import Attrs, Message, decode
from rtnl.ops import neighbours as ops_neigh
from rtnl.ops import rules as ops_rules
from rtnl.uapi import AF_BRIDGE, AF_INET, AF_INET6, RTM_DELRULE, RTM_NEWNEIGH, RTM_NEWRULE
from rtnl.values.check import check_family, check_lladdr, check_rule_table
from rtnl.wire.headers import FibRuleHdr, NdMsg
from rtnl.wire.schemas import FAMILIES, FRA, NDA
from tests.support import strategies as S


class Nowhere:
    """A place for operations that must fail before asking anything."""

    namespace_id = None
    kernel_echoes = False


@pytest.mark.parametrize("schema", [NDA, FRA], ids=lambda s: s.name)
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_schema_round_trip(schema: codec.Schema, data: st.DataObject) -> None:
    attrs = data.draw(S.attrs(schema))
    raw = attrs.encode()
    back = Attrs(schema, buf=raw, start=0, end=len(raw))
    assert back == attrs
    assert back.copy().encode() == raw


@pytest.mark.parametrize("mtype", [28, 29, 30, 32, 33, 34])
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_message_round_trip(mtype: int, data: st.DataObject) -> None:
    fixed, schema = FAMILIES[mtype]
    msg = Message(mtype, 0, header=data.draw(S.header(fixed)), attrs=data.draw(S.attrs(schema)), seq=1, pid=2)
    [back] = decode(msg.encode())
    assert back == msg
    assert back.encode() == msg.encode()


@settings(max_examples=200, deadline=None)
@given(ip=st.ip_addresses(), mac=st.binary(min_size=6, max_size=6), state=st.integers(0, 255),
       flags=st.integers(0, 255), index=st.integers(1, 2**31 - 1))
def test_neighbour_from_message(ip: Any, mac: bytes, state: int, flags: int, index: int) -> None:
    af = AF_INET if ip.version == 4 else AF_INET6
    msg = Message(RTM_NEWNEIGH, header=NdMsg(family=af, ifindex=index, state=state, flags=flags),
                  attrs=NDA.build(NDA_DST=ip, NDA_LLADDR=mac.hex(":")))
    [back] = decode(msg.encode())
    n = Neighbour.from_message(back)
    assert n == Neighbour(index, ip, mac.hex(":"), NeighbourState(state), NeighbourFlag(flags))
    assert n.proxy == bool(flags & 8)


@settings(max_examples=100, deadline=None)
@given(mac=st.binary(min_size=6, max_size=6), vlan=st.none() | st.integers(1, 4094),
       master=st.none() | st.integers(1, 2**31 - 1))
def test_fdb_entry_from_message(mac: bytes, vlan: int | None, master: int | None) -> None:
    attrs: dict[str, Any] = {"NDA_LLADDR": mac.hex(":")}
    if vlan is not None:
        attrs["NDA_VLAN"] = vlan
    if master is not None:
        attrs["NDA_MASTER"] = master
    msg = Message(RTM_NEWNEIGH, header=NdMsg(family=AF_BRIDGE, ifindex=5, state=0x80, flags=2),
                  attrs=NDA.build(**attrs))
    [back] = decode(msg.encode())
    assert FdbEntry.from_message(back) == FdbEntry(5, mac.hex(":"), master, vlan, NeighbourState.PERMANENT,
                                                   NeighbourFlag.SELF)


V4_NETWORKS = st.builds(lambda ip, n: ipaddress.ip_network(f"{ip}/{n}", strict=False), st.ip_addresses(v=4),
                       st.integers(0, 32))


@pytest.mark.parametrize(("make", "attrs", "missing"), [
    (Neighbour.from_message, {"NDA_LLADDR": "02:00:5e:00:53:01"}, "NDA_DST"),
    (Neighbour.from_message, {"NDA_DST": b"\x01\x02\x03"}, "NDA_DST: 3 bytes"),
    (FdbEntry.from_message, {"NDA_MASTER": 3}, "NDA_LLADDR"),
])
def test_an_entry_without_its_address_is_a_decode_error(make: Any, attrs: dict[str, Any],
                                                        missing: str) -> None:
    """A message lacking the address a value is keyed by (or with one of a wrong size) is refused as
    any malformed message is, with DecodeError naming the attribute (it was a KeyError)."""
    msg = Message(RTM_NEWNEIGH, header=NdMsg(family=AF_INET, ifindex=2), attrs=NDA.build(**attrs))
    [back] = decode(msg.encode())
    with pytest.raises(rtnl.DecodeError, match=missing):
        make(back)


@settings(max_examples=200, deadline=None)
@given(src=st.none() | V4_NETWORKS, prio=st.none() | st.integers(0, 2**32 - 1),
       mark=st.none() | st.integers(0, 2**32 - 1), table=st.integers(1, 2**32 - 1).filter(lambda t: t != 252),
       action=st.sampled_from(list(RuleAction)))
def test_rule_request_reads_back(src: Any, prio: int | None, mark: int | None, table: int,
                                 action: RuleAction) -> None:
    """What add_rule sends, read as a Rule, is what was asked for (the kernel answers with the same
    header and attributes)."""
    msg = ops_rules.rule_message(RTM_NEWRULE, priority=prio, src=src, fwmark=mark, table=table,
                                 action=action.name.lower(), iif="v0")
    [back] = decode(msg.encode())
    rule = Rule.from_message(back)
    assert (rule.family, rule.src, rule.priority, rule.fwmark, rule.table, rule.action, rule.iif) == (
        4, src, prio or 0, mark, table, action, "v0")
    assert back.header.table == (table if table < 256 else 0)


def test_enum_names() -> None:
    assert str(NeighbourState.PERMANENT) == "NeighbourState.PERMANENT"
    assert str(RuleAction.BLACKHOLE) == "RuleAction.BLACKHOLE"
    assert str(NeighbourFlag.PROXY) == "NeighbourFlag.PROXY"
    assert NeighbourState.parse("Permanent") is NeighbourState.PERMANENT
    assert RuleAction.parse("unreachable") is RuleAction.UNREACHABLE


def test_rule_defaults() -> None:
    """Like `ip rule add from X`: table main, action to_tbl; a delete sends no default table."""
    add = ops_rules.rule_message(RTM_NEWRULE, src="198.51.100.0/24")
    assert add.header == FibRuleHdr(family=AF_INET, src_len=24, table=254, action=1)
    assert add.attrs is not None and add.attrs["FRA_TABLE"] == 254
    delete = ops_rules.rule_message(RTM_DELRULE, priority=5, family=6)
    assert delete.header.family == AF_INET6 and delete.attrs is not None and "FRA_TABLE" not in delete.attrs


BAD_NEIGHBOURS: list[tuple[tuple[Any, ...], dict[str, Any], type[Exception], str]] = [
    (("v0", "198.51.100.9", "02:00:5e:00:53"), {}, ValueError, "six"),
    (("v0", "198.51.100.9", "02:00:5e:00:53:zz"), {}, ValueError, "six"),
    (("v0", "198.51.100.9", b"\x02\0\0\0\0\1"), {}, TypeError, "lladdr"),
    (("v0", "198.51.100.9", "02:00:5e:00:53:09"), {"state": "sleepy"}, ValueError, "unknown state"),
    (("v0", "198.51.100.9", "02:00:5e:00:53:09"), {"state": 128}, TypeError, "NeighbourState"),
    (("v0", "198.51.100.300", "02:00:5e:00:53:09"), {}, ValueError, "198.51.100.300"),
    (("v0", "198.51.100.9", None), {"state": "reachable"}, ValueError, "needs an lladdr"),
    (("v0", "198.51.100.9", "02:00:5e:00:53:09"), {"proxy": True}, ValueError, "proxy"),
    (("v0", "198.51.100.9", "02:00:5e:00:53:09"), {"replace": "yes"}, TypeError, "replace"),
]


@pytest.mark.parametrize(("args", "kwargs", "error", "match"), BAD_NEIGHBOURS)
def test_bad_neighbour_refused_before_sending(args: tuple[Any, ...], kwargs: dict[str, Any],
                                              error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        next(ops_neigh.add_neighbour(Nowhere(), *args, **kwargs))


BAD_RULES: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"src": "198.51.100.1/24"}, ValueError, "host bits"),
    ({"src": "198.51.100.0/33"}, ValueError, "198.51.100.0/33"),
    ({"dst": "2001:db8::/129"}, ValueError, "2001:db8::/129"),
    ({"src": "198.51.100.0/24", "dst": "2001:db8::/64"}, ValueError, "different IP versions"),
    ({"src": "198.51.100.0/24", "family": 6}, ValueError, "different IP versions"),
    ({"table": 0}, ValueError, "table"),
    ({"table": 2**32}, ValueError, "table"),
    ({"table": 252}, ValueError, "RT_TABLE_COMPAT"),
    ({"table": "main"}, TypeError, "table"),
    ({"priority": -1}, ValueError, "priority"),
    ({"priority": 2**32}, ValueError, "priority"),
    ({"fwmark": 2**32}, ValueError, "fwmark"),
    ({"action": "drop"}, ValueError, "unknown action"),
    ({"action": 6}, TypeError, "RuleAction"),
    ({"iif": "a/b"}, ValueError, "interface name"),
    ({"family": 5}, ValueError, "family"),
]


@pytest.mark.parametrize(("kwargs", "error", "match"), BAD_RULES)
def test_bad_rule_refused_before_sending(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        next(ops_rules.add_rule(Nowhere(), **kwargs))
    with pytest.raises(error, match=match):
        next(ops_rules.delete_rule(Nowhere(), **{"table": 100, **kwargs}))


def test_checks() -> None:
    assert check_lladdr("2:0:5E:0:53:1") == "02:00:5e:00:53:01"
    assert check_lladdr("33:33:00:00:00:01") == "33:33:00:00:00:01"  # multicast is a valid neighbour
    assert (check_family(None), check_family(4), check_family(6)) == (None, AF_INET, AF_INET6)
    with pytest.raises(TypeError):
        check_family(True)
    assert check_rule_table(100) == 100
    with pytest.raises(ValueError, match="family"):
        next(ops_neigh.neighbours(Nowhere(), family=10))
