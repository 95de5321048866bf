"""``python -m rtnl.lab``'s matrix equals an iproute2 twin's.

For every mode, hairpin setting and probe, the twin builds the same topology with plain ``ip`` commands
(named namespaces in the session's private /run/netns) and pings with ``ping``; the lab's ``--json``
must agree on every cell. Neither side is tabulated by hand.
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rtnl import lab
from tests.support.lab import run_lab

NET = "198.51.100"
LAST = {"switch": 1, "parent": 2, "shim": 3, "child": 11, "peer": 12}


# --- the iproute2 twin ---------------------------------------------------------------------------------


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


def twin_cell(n: int, mode: str, hairpin: bool, src: str, dst: str) -> bool:
    """One cell built and probed with iproute2 and iputils only."""
    sw, host, c1, c2 = (f"twin{n}-{x}" for x in ("sw", "host", "c1", "c2"))
    made: list[str] = []
    try:
        for ns in (sw, host, c1, c2):
            ip("netns", "add", ns)
            made.append(ns)
            subprocess.run(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"],
                           check=True)
        ip("-n", sw, "link", "add", "br0", "type", "bridge")
        ip("-n", sw, "link", "add", "port0", "type", "veth", "peer", "name", "ens33", "netns", host)
        ip("-n", sw, "link", "set", "port0", "master", "br0")
        ip("-n", sw, "link", "set", "port0", "type", "bridge_slave", "hairpin", "on" if hairpin else "off")
        ip("-n", sw, "link", "set", "port0", "up")
        ip("-n", sw, "link", "set", "br0", "up")
        ip("-n", sw, "addr", "add", f"{NET}.1/24", "dev", "br0")
        brmac = json.loads(ip("-n", sw, "-j", "link", "show", "br0").stdout)[0]["address"]
        ip("-n", host, "link", "set", "ens33", "up")
        ip("-n", host, "addr", "add", f"{NET}.2/24", "dev", "ens33")
        kids = [(c1, "ens33.01", lab.MAC["child"], lab.MAC["peer"], 11)]
        if dst == "peer":
            kids.append((c2, "ens33.02", lab.MAC["peer"], lab.MAC["child"], 12))
        for ns, name, mac, other, last in kids:
            made_link = ip("-n", host, "link", "add", "link", "ens33", "name", name, "address", mac,
                           "type", "macvlan", "mode", mode, check=False)
            if made_link.returncode:
                return False  # the kernel refused (a second passthru child)
            if mode == "source":
                for m in (brmac, other):
                    ip("-n", host, "link", "set", name, "type", "macvlan", "macaddr", "add", m)
            ip("-n", host, "link", "set", name, "netns", ns)
            ip("-n", ns, "link", "set", name, "up")
            ip("-n", ns, "addr", "add", f"{NET}.{last}/24", "dev", name)
        if dst == "shim":
            shim = ("link", "add", "link", "ens33", "name", "shim", "type", "macvlan", "mode", "bridge")
            if ip("-n", host, *shim, check=False).returncode:
                return False
            ip("-n", host, "addr", "add", f"{NET}.3/32", "dev", "shim")
            ip("-n", host, "link", "set", "shim", "up")
            ip("-n", host, "route", "add", f"{NET}.11/32", "dev", "shim")
        where = host if src == "parent" else c1
        target = LAST["child" if src == "parent" else dst]
        done = subprocess.run(["ip", "netns", "exec", where, "ping", "-c", "3", "-i", "0.3", "-W", "1", "-q",
                               f"{NET}.{target}"], capture_output=True, text=True)
        return done.returncode == 0
    finally:
        for ns in made:
            ip("netns", "del", ns, check=False)


def twin_matrix() -> dict[tuple[str, bool, str, str], bool]:
    cells = [(m, h, s, d) for m in lab.MODES for h in (False, True) for s, d in lab.PAIRS]
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda a: twin_cell(*a), [(i, *c) for i, c in enumerate(cells)]))
    return dict(zip(cells, results, strict=True))


def test_lab_matrix_equals_the_iproute2_twin() -> None:
    done = run_lab("--json")
    assert done.returncode == 0, done.stderr
    cells: list[dict[str, Any]] = json.loads(done.stdout)["cells"]
    twin = twin_matrix()
    ours = {(c["mode"], c["hairpin"], c["src"], c["dst"]): c["reachable"] for c in cells}
    assert ours.keys() == twin.keys()
    differ = {k: (ours[k], twin[k]) for k in ours if ours[k] != twin[k]}
    assert not differ, f"rtnl.lab vs iproute2 (lab, twin): {differ}"
    # the matrix is not degenerate: both answers occur, and the mode matters
    assert set(ours.values()) == {True, False}
    assert len({tuple(v for k, v in ours.items() if k[0] == m) for m in lab.MODES}) > 1
