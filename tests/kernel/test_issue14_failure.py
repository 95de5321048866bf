"""Issue 14, class 2: a failed operation leaves nothing half-done.

Each multi-step operation is made to fail at each of its steps by what the kernel refuses (a name
taken in the target namespace, an MTU the parent cannot carry, a device that cannot be a master),
and both namespaces involved must afterwards hold exactly what they held before: a ``move`` that
fails leaves the link where it was under its old name; ``add_many`` that fails leaves none of its
links; ``set`` that fails half-way is set back; ``add`` into a namespace leaves no temporary link on
either side. Kernel name patterns (``"eth%d"``) are refused before anything is sent (the team's
decision), so a rollback by name can never miss the link the kernel named itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import rtnl
from rtnl import Bridge, Macvlan, MacvlanMode, Macvtap, SourceMacs, Veth
from tests.support.issue14 import kernel_state

kernel = pytest.mark.kernel
MAC1, MAC2, MAC3 = "02:00:5e:00:53:01", "02:00:5e:00:53:02", "02:00:5e:00:53:03"


@pytest.fixture
def other() -> Iterator[tuple[rtnl.Namespace, rtnl.Connection]]:
    """A second namespace holding links named ``taken``, ``m0``, ``b0``, ``mv5`` and ``v6p``."""
    with rtnl.Namespace.anonymous() as ns, rtnl.connect(ns) as there:
        there.add_many([Bridge("taken"), Bridge("m0"), Bridge("b0"), Bridge("mv5"), Bridge("v6p")])
        yield ns, there


@pytest.fixture
def here(net: rtnl.Connection) -> rtnl.Connection:
    """``net`` with a veth pair m0/m0p (up; m0 is a macvlan parent) and a SOURCE macvlan ms0 on it."""
    net.add(Veth("m0", "m0p"))
    net.set("m0p", up=True)
    net.set("m0", up=True)
    net.add(Macvlan("ms0", "m0", MacvlanMode.SOURCE, source_macs=(MAC1,)))
    return net


def unchanged(*conns: rtnl.Connection) -> Callable[[], None]:
    """A check that every namespace of ``conns`` holds again what it holds now."""
    before = [kernel_state(c) for c in conns]

    def check() -> None:
        after = [kernel_state(c) for c in conns]
        for b, a, c in zip(before, after, conns, strict=True):
            assert a == b, f"{c!r} changed:\nbefore {b}\nafter  {a}"
    return check


# ------------------------------------------------------------------------------------------------
# move
# ------------------------------------------------------------------------------------------------


@kernel
@pytest.mark.parametrize("name", ["taken", "xà", "eth%d"])
def test_failed_move_leaves_the_link_where_it_was(name: str, here: rtnl.Connection,
                                                  other: tuple[rtnl.Namespace, rtnl.Connection]) -> None:
    """``taken`` is taken in the target (FileExistsError); ``xà`` the kernel refuses (EINVAL);
    ``eth%d`` is a pattern. The audit saw the link leave under its old name before the rename
    failed (the kernel moves first, then renames)."""
    ns, there = other
    m0p = here.link("m0p")
    check = unchanged(here, there)
    with pytest.raises((OSError, ValueError)):
        here.move("m0p", ns, name=name)
    check()
    assert here.link("m0p").index == m0p.index


@kernel
def test_move_with_rename_succeeds_as_asked(here: rtnl.Connection,
                                            other: tuple[rtnl.Namespace, rtnl.Connection]) -> None:
    ns, there = other
    m0p = here.link("m0p")
    here.move("m0p", ns, name="fresh0")
    assert "m0p" not in {link.name for link in here.links()}
    assert there.link("fresh0").address == m0p.address


@kernel
def test_move_without_rename_into_a_taken_name(here: rtnl.Connection,
                                               other: tuple[rtnl.Namespace, rtnl.Connection]) -> None:
    """The target already has an ``m0``: FileExistsError, and nothing moved."""
    ns, there = other
    check = unchanged(here, there)
    with pytest.raises(FileExistsError):
        here.move("m0", ns)
    check()


# ------------------------------------------------------------------------------------------------
# kernel name patterns: refused before anything is sent
# ------------------------------------------------------------------------------------------------

PATTERNS: dict[str, Callable[[rtnl.Connection, rtnl.Namespace], Any]] = {
    "add Bridge": lambda net, ns: net.add(Bridge("brq%d")),
    "add Veth": lambda net, ns: net.add(Veth("eth%d", "p0")),
    "add Veth peer": lambda net, ns: net.add(Veth("p0", "eth%d")),
    "add Macvlan": lambda net, ns: net.add(Macvlan("eth%d", "m0")),
    "add Macvtap": lambda net, ns: net.add(Macvtap("tap%d", "m0")),
    "add Bridge in a namespace": lambda net, ns: net.add(Bridge("brq%d", namespace=ns)),
    "add Veth in a namespace": lambda net, ns: net.add(Veth("eth%d", "p0", namespace=ns)),
    "add Veth peer in a namespace": lambda net, ns: net.add(Veth("p0", "eth%d", peer_namespace=ns)),
    "add_many": lambda net, ns: net.add_many([Bridge("ok0"), Bridge("brq%d"), Bridge("ok1")]),
    "set name": lambda net, ns: net.set("m0p", name="eth%d"),
    "move name": lambda net, ns: net.move("m0p", ns, name="eth%d"),
}


@kernel
@pytest.mark.parametrize("case", sorted(PATTERNS))
def test_name_patterns_refused(case: str, here: rtnl.Connection,
                               other: tuple[rtnl.Namespace, rtnl.Connection]) -> None:
    """A ``%`` in a name is refused with ValueError; neither namespace changes."""
    ns, there = other
    check = unchanged(here, there)
    with pytest.raises(ValueError, match="%"):
        PATTERNS[case](here, ns)
    check()


@kernel
def test_add_many_with_a_pattern_leaves_nothing(here: rtnl.Connection) -> None:
    """The audit's case, whatever the policy: refused, or rolled back by index - never a ``brq0``
    left behind after the batch failed on a later spec."""
    check = unchanged(here)
    with pytest.raises((ValueError, OSError)):
        here.add_many([Bridge("brq%d"), Bridge("ok0"), Bridge("m0")])  # m0 exists: the batch fails
    check()


# ------------------------------------------------------------------------------------------------
# add_many: all or nothing
# ------------------------------------------------------------------------------------------------

GOOD = [Bridge("nb0"), Veth("nv0", "nv0p"), Macvlan("nm0", "m0"), Macvtap("nt0", "m0")]
BAD: dict[str, Any] = {
    "name exists": Bridge("m0"),
    "veth peer exists": Veth("nv9", "ms0"),
    "mtu above the parent's": Macvlan("nm9", "m0", mtu=9000),
    "PASSTHRU on a parent with children": Macvlan("nm8", "m0", MacvlanMode.PASSTHRU),
}


@kernel
@pytest.mark.parametrize("position", [0, 2, 4])
@pytest.mark.parametrize("bad", sorted(BAD))
def test_add_many_failure_leaves_nothing(bad: str, position: int, here: rtnl.Connection) -> None:
    """One spec the kernel refuses, first, in the middle or last: none of the batch is left, and
    the links that were there before (m0, its peer, ms0) are untouched."""
    specs = [*GOOD[:position], BAD[bad], *GOOD[position:]]
    check = unchanged(here)
    with pytest.raises(OSError):
        here.add_many(specs)
    check()


@kernel
def test_add_many_succeeds_after_a_failed_batch(here: rtnl.Connection) -> None:
    """Nothing of the failed batch blocks the same batch, corrected."""
    with pytest.raises(FileExistsError):
        here.add_many([*GOOD, Bridge("m0")])
    assert [link.name for link in here.add_many(GOOD)] == ["nb0", "nv0", "nm0", "nt0"]


# ------------------------------------------------------------------------------------------------
# set: what was applied before the failure is set back
# ------------------------------------------------------------------------------------------------

FAILING_SETS: dict[str, Callable[[rtnl.Connection], Any]] = {
    # the kernel renames, changes mtu and group, then fails to enslave to a veth
    "rename+mtu+group, master not a bridge": lambda net: net.set("m0p", name="renamed", mtu=1400, group=7,
                                                                 master="ms0"),
    "txqlen+promisc, master not a bridge": lambda net: net.set("m0p", txqlen=17, promisc=True, master="ms0"),
    # macvlan data is changed first (changelink), then the MTU is refused
    "source macs, mtu above parent": lambda net: net.set("ms0", source_macs=[MAC2, MAC3], mtu=9000),
    "source macs add, mtu above parent": lambda net: net.set("ms0", source_macs=SourceMacs.add(MAC2, MAC3),
                                                             mtu=9000),
    "source macs flush, rename to a taken name": lambda net: net.set("ms0", source_macs=SourceMacs.flush(),
                                                                     name="m0p"),
    "up and rename to a taken name": lambda net: net.set("ms0", up=True, name="m0"),
    "address and mtu above parent": lambda net: net.set("ms0", address=MAC3, mtu=9000),
}


@kernel
@pytest.mark.parametrize("case", sorted(FAILING_SETS))
def test_failed_set_is_set_back(case: str, here: rtnl.Connection) -> None:
    check = unchanged(here)
    with pytest.raises(OSError):
        FAILING_SETS[case](here)
    check()


# ------------------------------------------------------------------------------------------------
# add into a namespace: temporary name, move, rename inside; nothing left on either side
# ------------------------------------------------------------------------------------------------

IN_NAMESPACE: dict[str, Callable[[rtnl.Namespace], Any]] = {
    "Bridge, name taken there": lambda ns: Bridge("b0", namespace=ns),
    "Macvlan, name taken there": lambda ns: Macvlan("mv5", "m0", namespace=ns),
    "Macvtap, name taken there": lambda ns: Macvtap("mv5", "m0", namespace=ns),
    "Macvlan, mtu above parent": lambda ns: Macvlan("mv6", "m0", mtu=9000, namespace=ns),
    "Veth, name taken there": lambda ns: Veth("taken", "x0p", namespace=ns),
    "Veth, peer name taken there": lambda ns: Veth("x1", "v6p", peer_namespace=ns),
    "Veth, both there, peer taken": lambda ns: Veth("x2", "v6p", namespace=ns, peer_namespace=ns),
    "Veth there, peer name taken here": lambda ns: Veth("x3", "ms0", namespace=ns),
}


@kernel
@pytest.mark.parametrize("case", sorted(IN_NAMESPACE))
def test_failed_add_in_a_namespace_leaves_nothing(case: str, here: rtnl.Connection,
                                                  other: tuple[rtnl.Namespace, rtnl.Connection]) -> None:
    ns, there = other
    check = unchanged(here, there)
    with pytest.raises(OSError):
        here.add(IN_NAMESPACE[case](ns))
    check()


BY_NAME: dict[str, Callable[[rtnl.Connection], Any]] = {
    "move, renamed to a taken name": lambda net: net.move("m0p", "target14", name="taken"),
    "add Macvlan, name taken": lambda net: net.add(Macvlan("taken", "m0", namespace="target14")),
    "add Veth, name taken": lambda net: net.add(Veth("taken", "x4", namespace="target14")),
}


@kernel
@pytest.mark.parametrize("case", sorted(BY_NAME))
def test_failure_in_a_namespace_given_by_name(case: str, here: rtnl.Connection) -> None:
    """The target namespace given by its name in the run dir (opened and closed by the call):
    FileExistsError, and nothing changed on either side."""
    with rtnl.Namespace.create("target14") as ns, rtnl.connect(ns) as there:
        there.add(Bridge("taken"))
        check = unchanged(here, there)
        with pytest.raises(FileExistsError):
            BY_NAME[case](here)
        check()
