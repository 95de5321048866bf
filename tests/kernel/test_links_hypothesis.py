"""Hypothesis drives the high-level API against the real kernel: random valid Macvlan/Macvtap, Veth and
Bridge specs are created, read back equal (by rtnl and by ``ip -d -j link show``), and deleted."""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rtnl
from rtnl.links import Bridge, Link, Macvlan, MacvlanFlag, MacvlanInfo, MacvlanMode, Macvtap, Veth, VethInfo

EXAMPLES = 50
_count = {"created": 0}

unicast_macs = st.binary(min_size=6, max_size=6).filter(lambda b: any(b)).map(
    lambda b: bytes([b[0] & 0xFE, *b[1:]]).hex(":"))


names = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=3, max_size=15).filter(
    lambda n: n not in ("eth0", "wire0") and not n.startswith("."))


@st.composite
def veths(draw: st.DrawFn) -> Veth:
    name = draw(names)
    return Veth(name, draw(names.filter(lambda n: n != name)), mtu=draw(st.none() | st.integers(68, 65535)))


def bridges() -> st.SearchStrategy[Bridge]:
    return names.map(Bridge)


@st.composite
def macvlans(draw: st.DrawFn) -> Macvlan:
    kind = draw(st.sampled_from([Macvlan, Macvtap]))
    mode = draw(st.sampled_from(list(MacvlanMode)))
    flags = MacvlanFlag(0)
    if mode == MacvlanMode.PASSTHRU and draw(st.booleans()):
        flags = MacvlanFlag.NOPROMISC
    if mode == MacvlanMode.SOURCE and draw(st.booleans()):
        flags = MacvlanFlag.NODST
    return kind(
        draw(names),
        "eth0",
        mode,
        flags=flags,
        address=None if mode == MacvlanMode.PASSTHRU else draw(st.none() | unicast_macs),
        mtu=draw(st.none() | st.integers(68, 1500)),
        source_macs=draw(st.lists(unicast_macs, max_size=6, unique=True) if mode == MacvlanMode.SOURCE
                         else st.just([])),
        bc_queue_len=draw(st.none() | st.integers(0, 100_000)),
        bc_cutoff=draw(st.none() | st.integers(-1, 1000)),
    )


def expected_info(spec: Macvlan) -> MacvlanInfo:
    queue = 1000 if spec.bc_queue_len is None else spec.bc_queue_len
    cutoff = None if spec.bc_cutoff in (None, 1) else spec.bc_cutoff  # the kernel omits the default 1
    return MacvlanInfo(spec.mode, spec.flags, tuple(sorted(spec.source_macs)), queue, queue, cutoff)


@pytest.fixture(scope="module")
def lab() -> Iterator[tuple[rtnl.Namespace, rtnl.Connection, Link]]:
    with rtnl.Namespace.anonymous() as ns, rtnl.connect(ns) as net:
        parent = net.add(Veth("eth0", "wire0"))
        yield ns, net, net.set(parent, up=True)
    print(f"\nhypothesis: {_count['created']} random macvlan/macvtap/veth/bridge specs created, read back "
          "and deleted")


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=st.one_of(macvlans(), veths(), bridges()))
def test_random_specs_round_trip(lab: tuple[rtnl.Namespace, rtnl.Connection, Link],
                                 spec: Macvlan | Veth | Bridge) -> None:
    ns, net, parent = lab
    link = net.add(spec)
    try:
        assert link == net.link(spec.name)  # add() returns what a lookup returns
        assert copy.copy(spec) == spec and hash(copy.copy(spec)) == hash(spec)  # specs are plain values
        if isinstance(spec, Macvlan):
            _check_macvlan(ns, parent, spec, link)
        elif isinstance(spec, Veth):
            peer = net.link(spec.peer)
            assert (link.kind, peer.kind, link.info, peer.info) == (
                "veth", "veth", VethInfo(peer=peer.index), VethInfo(peer=link.index))
            assert link.mtu == peer.mtu == (spec.mtu or 1500)
            shown, shown_peer = _ip_show(ns, spec.name), _ip_show(ns, spec.peer)
            assert (shown["linkinfo"]["info_kind"], shown["link"], shown["mtu"]) == (
                "veth", spec.peer, link.mtu)
            assert (shown_peer["link"], shown_peer["mtu"]) == (spec.name, link.mtu)
        else:
            assert (link.name, link.kind) == (spec.name, "bridge") and link.info is not None
            shown = _ip_show(ns, spec.name)
            assert (shown["linkinfo"]["info_kind"], shown["address"]) == ("bridge", link.address)
    finally:
        net.delete(link)
    assert not {spec.name, getattr(spec, "peer", spec.name)} & {x.name for x in net.links()}
    _count["created"] += 1


def _check_macvlan(ns: rtnl.Namespace, parent: Link, spec: Macvlan, link: Link) -> None:
    assert (link.name, link.kind, link.parent, link.info) == (spec.name, spec.kind, parent.index,
                                                               expected_info(spec))
    assert link.mtu == (spec.mtu or parent.mtu)
    assert link.address == (parent.address if spec.mode == MacvlanMode.PASSTHRU else
                            spec.address or link.address)
    shown = _ip_show(ns, spec.name)
    data = shown["linkinfo"]["info_data"]
    assert (shown["linkinfo"]["info_kind"], shown["link"], shown["mtu"], shown["address"]) == (
        spec.kind, "eth0", link.mtu, link.address)
    assert data["mode"] == spec.mode.name.lower()
    assert bool(data.get("nopromisc")) == bool(spec.flags & MacvlanFlag.NOPROMISC)
    assert bool(data.get("nodst")) == bool(spec.flags & MacvlanFlag.NODST)
    assert sorted(data.get("macaddr_data", [])) == sorted(spec.source_macs)
    assert isinstance(link.info, MacvlanInfo)
    info = link.info
    assert (data["bcqueuelen"], data["usedbcqueuelen"]) == (info.bc_queue_len, info.bc_queue_len_used)


def _ip_show(ns: rtnl.Namespace, name: str) -> Any:
    proc = ns.popen(["ip", "-d", "-j", "link", "show", "dev", name], stdout=subprocess.PIPE, text=True)
    return json.loads(proc.communicate()[0])[0]
