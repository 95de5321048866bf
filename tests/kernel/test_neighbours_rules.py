"""Neighbours and rules on a live kernel: monitor events, the kernel's refusals as errors, and bad
arguments refused with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

import rtnl
from rtnl import Group, NeighbourEvent, NeighbourState, Veth


def setup(net: rtnl.Connection) -> None:
    net.add(Veth("v0", peer="v0p"))
    net.set("v0", up=True)
    net.add_address("v0", "198.51.100.1/24")


def test_neighbour_events(net: rtnl.Connection) -> None:
    setup(net)
    with net.monitor(Group.NEIGH) as events:
        net.add_neighbour("v0", "198.51.100.9", "02:00:5e:00:53:09")
        net.delete_neighbour("v0", "198.51.100.9")
        seen = [(e.action, str(e.neighbour.address), e.neighbour.state) for e in events.iter(timeout=1.0)
                if isinstance(e, NeighbourEvent) and isinstance(e.neighbour, rtnl.Neighbour)
                and str(e.neighbour.address) == "198.51.100.9"]
    assert seen[0] == ("new", "198.51.100.9", NeighbourState.PERMANENT)
    assert seen[-1][0] == "del"


def test_default_monitor_leaves_neighbours_out(net: rtnl.Connection) -> None:
    setup(net)
    with net.monitor() as events:
        net.add_neighbour("v0", "198.51.100.9", "02:00:5e:00:53:09")
        assert not [e for e in events.iter(timeout=0.3) if isinstance(e, NeighbourEvent)]


def test_kernel_refusals(net: rtnl.Connection) -> None:
    setup(net)
    net.add_neighbour("v0", "198.51.100.9", "02:00:5e:00:53:09")
    with pytest.raises(FileExistsError):
        net.add_neighbour("v0", "198.51.100.9", "02:00:5e:00:53:0a")
    replaced = net.add_neighbour("v0", "198.51.100.9", "02:00:5e:00:53:0a", replace=True)
    assert replaced.lladdr == "02:00:5e:00:53:0a"
    with pytest.raises(rtnl.NetlinkError):
        net.delete_neighbour("v0", "198.51.100.99")
    with pytest.raises(rtnl.NetlinkError):
        net.delete_neighbour("v0", "198.51.100.9", proxy=True)
    net.add_rule(priority=10, src="198.51.100.0/24", table=10)
    with pytest.raises(FileExistsError):
        net.add_rule(priority=10, src="198.51.100.0/24", table=10)
    with pytest.raises(FileNotFoundError):
        net.delete_rule(priority=11)


BAD: list[tuple[str, tuple[Any, ...], dict[str, Any], type[Exception]]] = [
    ("add_neighbour", ("v0", "198.51.100.9", "02:00:5e:00:53"), {}, ValueError),
    ("add_neighbour", ("v0", "198.51.100.9", "02:00:5e:00:53:09"), {"state": "gone"}, ValueError),
    ("add_neighbour", ("v0", "198.51.100.9/24", "02:00:5e:00:53:09"), {}, ValueError),
    ("neighbours", (), {"family": 7}, ValueError),
    ("flush_neighbours", (), {"family": "4"}, TypeError),
    ("add_rule", (), {"src": "198.51.100.0/33"}, ValueError),
    ("add_rule", (), {"table": 2**32}, ValueError),
    ("add_rule", (), {"priority": -1}, ValueError),
    ("add_rule", (), {"action": "jump"}, ValueError),
    ("delete_rule", (), {"dst": "198.51.100.1/24"}, ValueError),
]


@pytest.mark.parametrize(("method", "args", "kwargs", "error"), BAD,
                         ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_changes_nothing(net: rtnl.Connection, method: str, args: tuple[Any, ...],
                                   kwargs: dict[str, Any], error: type[Exception]) -> None:
    setup(net)
    before = (net.neighbours(), net.neighbours(proxy=True), net.rules())
    with pytest.raises(error):
        getattr(net, method)(*args, **kwargs)
    assert (net.neighbours(), net.neighbours(proxy=True), net.rules()) == before
