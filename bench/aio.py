#!/usr/bin/env python3
"""rtnl.aio against the blocking driver and pyroute2's AsyncIPRoute, interleaved in one run.

Rows (issue 18): a dump of 1,000 links, and 1,000 ``link()`` lookups by name (all at once with
``asyncio.gather`` on rtnl.aio, one after another on the blocking driver, 64 at a time on pyroute2,
which loses answers and never finishes with 1,000 at once). Each contender keeps its own connection
and loop for the whole run; rounds are interleaved and the median is reported with the ratios
rtnl.aio / blocking (target: within 1.2x) and rtnl.aio / pyroute2 (< 1: rtnl is faster), each the
median of the rounds' own ratios (contenders timed one right after the other, so a burst of load on
the shared CPU skews one round, not a whole column). Every contender's round starts in the same
state: ``gc.collect()`` then ``gc.freeze()`` (what is alive before the round is out of the
collector's reach, the collector itself stays on), so no round pays for another's garbage or for the
objects pyroute2 keeps in this process. The script isolates itself first (rtnl.sandbox: a throwaway
network namespace), as root.

    python3 bench/aio.py                  # 1,000 links, 9 rounds
    python3 bench/aio.py --links 200 --rounds 3
    python3 bench/aio.py --clock cpu      # this thread's CPU time (kernel time of its calls included),
                                          # which time spent waiting for a CPU others hold is not
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import rtnl
import rtnl.aio
from rtnl import sandbox
from rtnl.links import Macvlan, Veth

TARGET = 1.2  # rtnl.aio within 1.2x of the blocking driver


CLOCKS = {"wall": time.perf_counter, "cpu": time.thread_time}


class Contender:
    """One side of a row: a name, a way to run one round, its times."""

    clock = time.perf_counter

    def __init__(self, name: str, once: Callable[[], object]) -> None:
        self.name, self.once, self.times = name, once, []  # type: ignore[var-annotated]

    def round(self) -> None:
        gc.collect()
        gc.freeze()  # a full collection during the round walks only what the round made
        try:
            start = Contender.clock()
            self.once()
            self.times.append(Contender.clock() - start)
        finally:
            gc.unfreeze()

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def ratio(self, other: Contender) -> float:
        """The median of this contender's time over ``other``'s, round by round."""
        return statistics.median(mine / theirs for mine, theirs in zip(self.times, other.times, strict=True))


def on(loop: asyncio.AbstractEventLoop, work: Callable[[], Coroutine[Any, Any, Any]]) -> Callable[[], Any]:
    return lambda: loop.run_until_complete(work())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--clock", choices=CLOCKS, default="wall")
    args = parser.parse_args()
    Contender.clock = CLOCKS[args.clock]
    sandbox.isolate()

    net = rtnl.connect()
    net.add(Veth("eth0", "wire0"))
    names = [f"mv{i}" for i in range(args.links)]
    net.add_many([Macvlan(name, "eth0") for name in names])

    loops = {"asyncio": asyncio.new_event_loop()}
    if importlib.util.find_spec("uvloop"):
        import uvloop

        loops["uvloop"] = uvloop.new_event_loop()

    async def opened() -> rtnl.aio.AsyncConnection:
        return rtnl.aio.connect()

    anets = {kind: loop.run_until_complete(opened()) for kind, loop in loops.items()}
    pyroute2 = None
    try:
        from pyroute2 import AsyncIPRoute

        ploop = asyncio.new_event_loop()
        pyroute2 = ploop.run_until_complete(AsyncIPRoute().__aenter__())
    except ImportError:
        print("pyroute2 is not installed: its rows are left out")

    rows: dict[str, list[Contender]] = {"dump": [], "lookups": []}
    rows["dump"].append(Contender("blocking", net.links))
    rows["lookups"].append(Contender("blocking", lambda: [net.link(name) for name in names]))
    for kind, loop in loops.items():
        anet = anets[kind]
        rows["dump"].append(Contender(f"rtnl.aio ({kind})", on(loop, anet.links)))

        async def lookups(anet: rtnl.aio.AsyncConnection = anet) -> list[rtnl.Link]:
            return await asyncio.gather(*(anet.link(name) for name in names))

        rows["lookups"].append(Contender(f"rtnl.aio ({kind})", on(loop, lookups)))
    if pyroute2 is not None:
        ipr = pyroute2

        async def pdump() -> list[Any]:
            return [x async for x in await ipr.link("dump")]

        async def plookups() -> list[Any]:  # 1,000 at once lose answers (its socket overflows, the
            out: list[Any] = []              # gather never ends): 64 at a time
            for start in range(0, len(names), 64):
                out += await asyncio.gather(*(ipr.link("get", ifname=n) for n in names[start:start + 64]))
            return out

        rows["dump"].append(Contender("pyroute2 AsyncIPRoute", on(ploop, pdump)))
        rows["lookups"].append(Contender("pyroute2 AsyncIPRoute", on(ploop, plookups)))

    # the answers agree before anything is timed
    assert len(net.links()) == args.links + 3
    assert len(loops["asyncio"].run_until_complete(anets["asyncio"].links())) == args.links + 3
    for _ in range(args.rounds):
        for contenders in rows.values():
            for contender in contenders:
                contender.round()

    print(f"rtnl.aio, {args.links} links, median of {args.rounds} interleaved rounds (ms, {args.clock} "
          "clock); each round after gc.collect() and gc.freeze(), every contender alike")
    for row, contenders in rows.items():
        what = f"dump {args.links} links" if row == "dump" else f"{args.links} link() lookups"
        print(f"\n{what}")
        blocking = contenders[0]
        peer = next((c for c in contenders if c.name.startswith("pyroute2")), None)
        for c in contenders:
            line = f"  {c.name:24s} {c.median * 1000:9.1f}"
            if c.name.startswith("rtnl.aio"):
                ratio = c.ratio(blocking)
                line += f"   x{ratio:.2f} of blocking ({'met' if ratio <= TARGET else 'missed'} {TARGET}x)"
                if peer is not None:
                    line += f"   x{c.ratio(peer):.2f} of pyroute2"
            print(line)

    for kind, loop in loops.items():
        loop.run_until_complete(anets[kind].close())
        loop.close()
    if pyroute2 is not None:
        ploop.run_until_complete(pyroute2.__aexit__(None, None, None))
        ploop.close()
    net.close()


if __name__ == "__main__":
    main()
