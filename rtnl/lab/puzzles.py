"""The note's two puzzles, replayed live and in its order.

Puzzle 1 (experiment 2: a child cannot reach its parent) is read from the matrix's bridge-mode cells;
puzzle 2 (experiment 3: two children of ens33 in one namespace) is measured here, step by step, each
step in a fresh pair of namespaces. What lives here: those steps and :func:`puzzles`, which assembles
both as :class:`~rtnl.lab.model.Puzzle` records. What it must not know: how they are rendered, and the
wording of the reasons (:mod:`rtnl.lab.explain`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from rtnl import Macvlan, MacvlanMode, Namespace, Veth, connect

from .explain import why_pair
from .model import ADDRESS, CHILD, MAC, PREFIX, Cell, Puzzle, Step, cell_id
from .probes import ping
from .topology import link_counters, quiet, route_get

__all__ = ["PAIR_STEPS", "PUZZLE1_CELLS", "puzzles", "same_namespace"]

PAIR_STEPS = (  # (what, accept_local, lo up, ping bound to ens33.01)
    ("fresh namespace, plain ping, as in the note", False, False, False),
    ("ping out of ens33.01 (like `ping -I ens33.01`)", False, False, True),
    ("ping -I ens33.01, accept_local=1 on both children", True, False, True),
    ("ping -I ens33.01, accept_local=1, lo up", True, True, True),
    ("plain ping, lo up", False, True, False),
)


def same_namespace() -> list[Step]:
    """Puzzle 2: two bridge-mode children of ens33 in *one* namespace, as in the note's last test.

    Each step builds a fresh pair (so no ARP entry carries over), changes one setting and pings
    ens33.02's address from ens33.01's side, reporting the loopback state, the kernel's route
    lookup, the sysctls involved and which counters moved.
    """
    return [_pair_step(*step) for step in PAIR_STEPS]


def _pair_step(setup: str, accept_local: bool, lo_up: bool, bound: bool) -> Step:
    a, b, dst = CHILD["child"], CHILD["peer"], ADDRESS["peer"]
    device = a if bound else None
    with contextlib.ExitStack() as stack:
        host_ns, pair_ns = (stack.enter_context(Namespace.anonymous()) for _ in range(2))
        host, pair = (stack.enter_context(connect(ns)) for ns in (host_ns, pair_ns))
        for ns in (host_ns, pair_ns):
            quiet(ns)
        host.add(Veth("ens33", "port0"))
        host.set("port0", up=True)
        host.set("ens33", up=True)
        for name, role in ((a, "child"), (b, "peer")):
            host.add(Macvlan(name, parent="ens33", mode=MacvlanMode.BRIDGE, address=MAC[role]))
            host.move(name, pair_ns)
            pair.set(name, up=True)
            pair.add_address(name, f"{ADDRESS[role]}/{PREFIX}")
            if accept_local:
                pair_ns.set_sysctl(f"net.ipv4.conf.{name.replace('.', '/')}.accept_local", "1")
        if lo_up:
            pair.set("lo", up=True)
        route = route_get(pair, dst, oif=device)
        before = link_counters(pair)
        rtt, error = ping(pair_ns, dst, device=device)
        after = link_counters(pair)
        moved = {n: (after[n][0] - before[n][0], after[n][1] - before[n][1]) for n in ("lo", a, b)}
        lo = pair.link("lo").up
        accept = {n: pair_ns.sysctl(f"net.ipv4.conf.{n.replace('.', '/')}.accept_local") for n in (a, b)}
        rp = pair_ns.sysctl("net.ipv4.conf.all.rp_filter")
    result = f"ping {dst}{' -I ' + a if bound else ''}: " + (
        f"{rtt:.2f} ms" if rtt is not None else "no answer"
    )
    if error:
        result += f" ({error})"
    facts = (
        f"lo {'up' if lo else 'DOWN'}; route get {dst}{' oif ' + a if bound else ''} -> {route[0]} dev "
        f"{route[1]}; accept_local {a}={accept[a]} {b}={accept[b]}, rp_filter={rp}; packets rx/tx: "
        + ", ".join(f"{n} +{r}/+{t}" for n, (r, t) in moved.items())
    )
    return Step(
        setup, rtt is not None, f"{result}. {facts}. {why_pair(route, lo, moved, accept, a, b, rtt)}"
    )


PUZZLE1_CELLS = (  # (the matrix cell, how the puzzle names it)
    (("bridge", False, "child", "parent"), "bridge mode, child->parent"),
    (("bridge", False, "parent", "child"), "bridge mode, parent->child"),
    (("bridge", False, "child", "shim"), "bridge mode, child->shim"),
    (("bridge", True, "child", "parent"), "bridge mode, child->parent with a hairpin switch"),
)


def puzzles(cells: Sequence[Cell], steps: Sequence[Step]) -> list[Puzzle]:
    """Both puzzles: the first from the matrix ``cells`` (when bridge mode was measured), the second
    from the live ``steps`` of :func:`same_namespace`."""
    by = {c.id: c for c in cells}
    first = [
        Step(label, c.reachable, c.reason, cell=c.id)
        for key, label in PUZZLE1_CELLS
        if (c := by.get(cell_id(*key))) is not None
    ]
    out = []
    if first:
        out.append(Puzzle(
            1, "a child cannot reach its parent", 2, first,
            "a bridge-mode macvlan 'shim' on ens33 for the host, with a /32 route to the child through "
            "it (or a switch that hairpins)",
        ))  # fmt: skip
    if steps:
        out.append(Puzzle(
            2, "two children of ens33 in one namespace cannot ping each other", 3, list(steps),
            "bring lo up: the peer's address is local, so the ping goes over lo; to use the macvlans, "
            "ping -I ens33.01 with accept_local=1 and lo up, or keep each child in its own namespace",
        ))  # fmt: skip
    return out
