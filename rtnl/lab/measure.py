"""The matrix, measured: one probe in one fresh topology per cell, cells run in parallel.

What lives here: :func:`measure` (build, probe, collect the :class:`~rtnl.lab.model.Observed` and let
:func:`~rtnl.lab.explain.explain` word it) and :func:`run_matrix`. What it must not know: how cells
are printed or drawn, and the wording of any reason.
"""

from __future__ import annotations

import errno
import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from rtnl import MacvlanInfo, MacvlanMode

from .explain import explain
from .model import CHILD, MAC, PAIRS, Cell, Observed, Refused
from .probes import echo_requests, echo_tap, ping
from .topology import Topology, cell_directory, route_get, stop

__all__ = ["measure", "run_matrix"]

_LINK = {  # target -> (its namespace's role, its link)
    "child": ("child", CHILD["child"]),
    "peer": ("peer", CHILD["peer"]),
    "parent": ("host", "ens33"),
    "switch": ("switch", "br0"),
    "shim": ("host", "shim"),
}


def _delta(before: dict[str, Any], after: dict[str, Any], key: str, index: int | None = None) -> int:
    a, b = after.get(key, 0), before.get(key, 0)
    if index is not None:
        a, b = (a or (0, 0))[index], (b or (0, 0))[index]
    return int(a) - int(b)


def measure(
    mode: str, hairpin: bool, src: str, dst: str, *, dhcp: bool = False, tmp: str | None = None
) -> Cell:
    """Build a fresh topology, probe ``src`` -> ``dst`` once, and return the cell with its reason."""
    kmode = MacvlanMode[mode.upper()]
    target = "child" if src == "parent" else dst
    with Topology(kmode, hairpin, peer=dst == "peer", shim=dst == "shim", dhcp=dhcp, tmp=tmp) as t:
        for role, err in t.refused.items():
            refused: Refused = {
                "role": role,
                "errno": errno.errorcode.get(err.errno or 0, err.errno or 0),
                "message": err.strerror or "",
                "extack": err.extack,
            }
            observed = Observed(refused=refused)
            return Cell(mode, hairpin, src, dst, False, explain(mode, src, dst, False, observed),
                        observed=observed)
        src_role, (dst_role, dst_link) = ("host" if src == "parent" else "child"), _LINK[target]
        src_link = "ens33" if src == "parent" else CHILD["child"]
        route = route_get(t.net[src_role], t.address[target])
        with echo_tap(t.ns["switch"], "port0") as tap:
            before = t.snapshot()
            rtt, send_error = ping(t.ns[src_role], t.address[target])
            after = t.snapshot()
            echoes_in, echoes_out = echo_requests(tap)
        child_link = t.net["child"].link(CHILD["child"])
        port = t.net["switch"].link("port0").port
        info = child_link.info if isinstance(child_link.info, MacvlanInfo) else None
        source_macs = [str(m) for m in info.source_macs] if info is not None else []
        present = {"switch", "parent", *t.net, *t.mac}
        obs = Observed(
            sent=_delta(before, after, f"{src_role}:{src_link}", 1),
            to_switch=_delta(before, after, "switch:port0", 0),
            from_switch=_delta(before, after, "switch:port0", 1),
            echo_to_switch=echoes_in,  # of those frames, the ICMP echo requests
            echo_from_switch=echoes_out,
            target_rx=_delta(before, after, f"{dst_role}:{dst_link}", 0),
            target_echo_in=_delta(before, after, f"{dst_role}:InEchos"),
            target_echo_out=_delta(before, after, f"{dst_role}:OutEchoReps"),
            child_rx=_delta(before, after, f"child:{CHILD['child']}", 0),
            route=f"{route[0]} dev {route[1]}",
            mode=MacvlanMode(info.mode).name.lower() if info is not None else None,
            hairpin=bool(port and port.hairpin),
            child_mac=str(child_link.address),
            target_mac=t.mac.get(target),
            parent_mac=t.mac["parent"],
            source_macs=source_macs,
            # whose MACs those are: the switch's and the other child's (see Topology._build)
            source_from=[{t.mac["switch"]: "switch", MAC["peer"]: "peer"}.get(m, m) for m in source_macs],
            address={k: v for k, v in t.address.items() if k in present},
            mac=dict(t.mac),
        )
        if send_error:
            obs["send_error"] = send_error
    reachable = rtt is not None
    return Cell(
        mode, hairpin, src, dst, reachable, explain(mode, src, dst, reachable, obs),
        None if rtt is None else round(rtt, 3), obs,
    )  # fmt: skip


def _progress_line(done: int, total: int, cell: Cell) -> str:
    return (
        f"[{done:2}/{total}] {cell.mode:8} hairpin {'on ' if cell.hairpin else 'off'} "
        f"{cell.src}->{cell.dst}: {'reachable' if cell.reachable else 'unreachable'}"
    )


def run_matrix(
    modes: Sequence[str],
    *,
    dhcp: bool = False,
    workers: int = 16,
    progress: Callable[[str], None] | None = None,
) -> list[Cell]:
    """Measure every (mode, hairpin, src, dst) cell, in parallel, each in its own topology. The first
    cell that fails (a DHCP helper that died, say) stops the others and its error is raised."""
    jobs = [(m, h, s, d) for m in modes for h in (False, True) for s, d in PAIRS]
    tmp = tempfile.mkdtemp(prefix="rtnl-lab-", dir="/run") if dhcp else None
    results: dict[int, Cell] = {}
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rtnl-lab")
    try:
        pending: dict[Future[Cell], int] = {}
        for i, (m, h, s, d) in enumerate(jobs):
            cell_tmp = None if tmp is None else cell_directory(tmp, i)
            pending[pool.submit(measure, m, h, s, d, dhcp=dhcp, tmp=cell_tmp)] = i
        while pending:
            done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for fut in done:
                i = pending.pop(fut)
                cell = results[i] = fut.result()
                if progress is not None:
                    progress(_progress_line(len(results), len(jobs), cell))
    except BaseException:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)  # running cells tear their topology down
        raise
    finally:
        pool.shutdown(wait=True)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return [results[i] for i in range(len(jobs))]

