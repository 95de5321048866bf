"""``python -m rtnl.lab`` / ``rtnl-lab``: options, the sandbox, the run, and where its output goes.

What lives here: :func:`main`. What it must not know: how a cell is measured or explained, or how a
page is drawn; it wires :mod:`~rtnl.lab.measure`, :mod:`~rtnl.lab.puzzles` and the renderers.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import sys
import time
from collections.abc import Sequence

from rtnl import sandbox

from .dhcp import HelperDied, dhcp_missing, dnsmasq_identity
from .measure import run_matrix
from .model import MODES, PAIRS, Step
from .page import page
from .puzzles import puzzles, same_namespace
from .report import Run, document, metadata
from .text import render, render_puzzles

__all__ = ["main"]

DESCRIPTION = (
    "The macvlan study note's experiments, rebuilt live in throwaway namespaces and measured: who "
    "reaches whom in every macvlan mode, with the switch hairpinning or not, and why."
)


def say(text: str) -> None:
    """Progress, on stderr so that ``--json`` stays clean."""
    print(text, file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rtnl-lab", description=DESCRIPTION)
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true",
                     help='print the run as one JSON document {"meta", "cells", "puzzles"}')
    out.add_argument("--json-cells", action="store_true", help="print only the cells, as a bare JSON list")
    parser.add_argument("--html", metavar="FILE", help="also write the run as a self-contained HTML page")
    parser.add_argument("--modes", default=",".join(MODES),
                        help=f"comma-separated subset of {','.join(MODES)}")
    parser.add_argument("--explain", action="store_true", help="the reasons for every unreachable cell")
    parser.add_argument("--dhcp", action="store_true", help="addresses from dnsmasq/dhclient, like the note")
    parser.add_argument("--no-puzzles", action="store_true", help="skip the two puzzles of the note")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the lab; the exit status is 0, 1 when a helper program or a cell failed, 130 on Ctrl-C."""
    parser = _parser()
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        parser.error(f"unknown mode(s) {unknown}; choose from {', '.join(MODES)}")
    html = None
    if args.html:
        try:  # before anything is measured: a path that cannot be written fails now, not after a minute
            html = open(args.html, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        except OSError as e:
            parser.error(f"--html: {e}")
    try:
        sandbox.isolate(pid=True)
    except sandbox.SandboxError as e:
        raise SystemExit(f"rtnl.lab: {e.strerror}") from None
    dhcp = args.dhcp
    if dhcp and (missing := dhcp_missing()):
        say(f"--dhcp: {' and '.join(missing)} not installed; using static addresses")
        dhcp = False
    started, t0 = datetime.datetime.now(datetime.timezone.utc), time.monotonic()
    try:
        say(
            f"rtnl.lab: measuring {len(modes) * 2 * len(PAIRS)} cells ({', '.join(modes)}; hairpin off/on)"
            f"{' with DHCP' if dhcp else ''}, each in its own throwaway topology"
        )
        cells = run_matrix(modes, dhcp=dhcp, progress=say)
        steps: list[Step] = [] if args.no_puzzles or args.json_cells else same_namespace()
    except KeyboardInterrupt:
        say("rtnl.lab: interrupted; everything it built is gone")
        return 130
    except HelperDied as e:
        say(f"rtnl.lab: a helper program died: {e}")
        return 1
    except RuntimeError as e:
        say(f"rtnl.lab: {e}")
        return 1
    helpers = {}
    if dhcp:
        where = " (uid 0 of the user namespace: the caller)" if sandbox.user_namespace() else ""
        user, group = dnsmasq_identity()
        helpers = {"dnsmasq": f"{user}:{group or user}{where}", "dhclient": f"root{where}"}
    meta = metadata(started=started, duration_s=time.monotonic() - t0, modes=modes, dhcp=dhcp,
                    user_namespace=sandbox.user_namespace(), helpers=helpers)
    run = Run(meta, cells, [] if args.no_puzzles else puzzles(cells, steps))
    if html is not None:
        with html:
            html.write(page(run))
        say(f"rtnl.lab: wrote {args.html}")
    if args.json_cells:
        print(json.dumps([dataclasses.asdict(c) for c in cells], indent=1))
    elif args.json:
        print(json.dumps(document(run), indent=1))
    else:
        print(render(cells, explain_all=args.explain))
        if dhcp:
            leased = sorted({a for c in cells for k, a in c.observed.get("address", {}).items()
                             if k in ("child", "peer")})
            print(f"addresses leased by dnsmasq on the switch to dhclient on the children, set and read back "
                  f"with rtnl: {len(leased)} ({', '.join(leased[:4])}{', ...' if len(leased) > 4 else ''})")
        if run.puzzles:
            print(render_puzzles(run.puzzles))
    return 0
