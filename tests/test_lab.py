"""``python -m rtnl.lab``: its matrix equals an iproute2 twin's, and an interrupted lab leaves nothing.

The differential test builds, for every mode, hairpin setting and probe, the same topology with plain
``ip`` commands (named namespaces in the session's private /run/netns) and pings with ``ping``; the
lab's ``--json`` must agree on every cell. Neither side is tabulated by hand.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from rtnl import lab

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NET = "198.51.100"
LAST = {"switch": 1, "parent": 2, "shim": 3, "child": 11, "peer": 12}


def run_lab(*args: str, timeout: float = 300, columns: int = 1000) -> subprocess.CompletedProcess[str]:
    """The lab as a user runs it; ``columns`` is the terminal width its text is wrapped to."""
    return subprocess.run([sys.executable, "-m", "rtnl.lab", *args], cwd=ROOT_DIR, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "COLUMNS": str(columns)})


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


# --- tests -----------------------------------------------------------------------------------------------


@pytest.mark.kernel
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


@pytest.mark.kernel
def test_json_cells_have_the_documented_shape_and_reasons_cite_observations() -> None:
    done = run_lab("--json-cells", "--modes", "bridge,passthru")  # the bare list of the first version
    assert done.returncode == 0, done.stderr
    cells = json.loads(done.stdout)
    assert isinstance(cells, list)
    assert len(cells) == 2 * 2 * len(lab.PAIRS)
    for c in cells:
        assert {"mode", "hairpin", "src", "dst", "reachable", "reason"} <= c.keys()
        assert c["mode"] in ("bridge", "passthru") and isinstance(c["hairpin"], bool)
        assert (c["src"], c["dst"]) in lab.PAIRS
        assert c["reason"]
        if not c["reachable"] and "refused" not in c["observed"]:
            o = c["observed"]
            assert o["hairpin"] == c["hairpin"] and o["mode"] == c["mode"]  # read back from the kernel
            assert f"{o['sent']} frame" in c["reason"]  # the reason quotes what was counted
    refused = [c for c in cells if "refused" in c["observed"]]
    assert refused and all(c["mode"] == "passthru" and c["dst"] in ("peer", "shim") for c in refused)
    assert all(c["observed"]["refused"]["errno"] == "EINVAL" for c in refused)
    reason = {(c["hairpin"], c["src"], c["dst"]): c["reason"] for c in cells if c["mode"] == "bridge"}
    # bridge mode, hairpin on: the peer is reached inside the host, the parent through the switch,
    # as the ICMP echoes seen on the switch's port tell (the frame counters alone cannot)
    assert "inside the host" in reason[True, "child", "peer"]
    assert reason[True, "child", "parent"].startswith("via the switch")
    progress = done.stderr.strip().splitlines()
    assert sum(line.startswith("[") for line in progress) == len(cells)


@pytest.mark.kernel
def test_an_ordinary_user_runs_the_lab_in_a_user_namespace() -> None:
    """As `nobody`, the lab makes its own user namespace and measures the same cells as root does."""
    system_python = "/usr/bin/python3"  # readable by nobody, unlike a python under /root
    probe = subprocess.run([system_python, "-c", "import _cffi_backend"], capture_output=True)
    assert probe.returncode == 0, "needs Debian's python3-cffi-backend (.ci/run installs it)"
    args = ("--json-cells", "--modes", "bridge", "--no-puzzles")
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", f"PYTHONPATH={ROOT_DIR}",
              "HOME=/tmp"]
    user = subprocess.run([*nobody, system_python, "-m", "rtnl.lab", *args], cwd="/tmp", capture_output=True,
                          text=True, timeout=300)
    assert user.returncode == 0, user.stderr
    root = run_lab(*args)
    assert root.returncode == 0, root.stderr

    def cells(out: str) -> dict[tuple[str, str], bool]:
        return {(f"{c['hairpin']}", f"{c['src']}->{c['dst']}"): c["reachable"] for c in json.loads(out)}

    assert cells(user.stdout) == cells(root.stdout)
    assert len(cells(user.stdout)) == 2 * len(lab.PAIRS)


@pytest.mark.kernel
def test_plain_output_explains_and_answers_the_puzzles() -> None:
    done = run_lab("--modes", "bridge,source", "--explain")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    # source mode's list, read back from the kernel, holds the switch's MAC as well as the peer's
    assert "a child takes frames only from the MACs on its list, here the switch and the peer" in out
    # --explain: each distinct reason once, indented under the cells it explains
    assert "why not (from the counters" in out
    why = out[out.index("why not (from the counters"):out.index("Puzzle 1")].splitlines()[1:]
    heads = [line for line in why if line.startswith("  ") and not line.startswith("      ")]
    reasons = [line.strip() for line in why if line.startswith("      ")]
    assert heads and len(heads) == len(reasons) == len(set(reasons))  # one line each here: COLUMNS=1000
    named = [c for h in heads for c in h.strip().rstrip(":").split(", ")]
    table = [line.split() for line in out.splitlines() if line.split()[:1] in (["bridge"], ["source"])]
    assert len(named) == sum(word in ("no", "REFUSED") for row in table for word in row[2:])
    assert len(named) > len(heads)  # identical reasons were grouped
    listed = [r for r in reasons if "on its list (" in r]
    assert listed and all("the switch's " in x and "the peer's 02:00:5e:10:00:12" in x for x in listed)
    # the note's order: experiment 2 (the parent) is puzzle 1, experiment 3 (one namespace) puzzle 2
    first = out.index("Puzzle 1 - a child cannot reach its parent")
    second = out.index("Puzzle 2 - two children of ens33 in one namespace")
    assert first < second and "child->shim: reachable" in out[first:second] and "WORKS" in out[second:]
    assert "route get 198.51.100.12 -> local dev lo" in out  # the lookup, as the kernel answered it
    assert "lo DOWN" in out and "WORKS" in out


def test_explain_follows_the_observations() -> None:
    base = {"sent": 2, "to_switch": 2, "from_switch": 0, "echo_to_switch": 0, "echo_from_switch": 0,
            "target_rx": 0, "target_echo_in": 0,
            "target_echo_out": 0, "child_rx": 0, "route": "unicast dev ens33.01", "hairpin": False,
            "child_mac": "02:00:5e:10:00:11", "target_mac": "aa:bb:cc:dd:ee:ff",
            "parent_mac": "aa:bb:cc:dd:ee:ff", "source_macs": []}
    stuck = lab.explain("vepa", "child", "peer", False, base)
    assert "2 reached the switch and none came back" in stuck and "hairpin is off" in stuck
    came_back = {**base, "from_switch": 3, "hairpin": True}
    back = lab.explain("private", "child", "peer", False, {**came_back, "child_rx": 1})
    assert "private mode" in back and "received 1" in back
    # the same mode without the observation that supports the private-mode rule: the rule is not quoted
    assert "private mode" not in lab.explain("private", "child", "peer", False, came_back)
    inside = lab.explain("bridge", "child", "peer", True, {**base, "from_switch": 0})
    assert "inside the host" in inside


def test_explain_quotes_a_rule_only_when_its_precondition_was_observed() -> None:
    base = {"sent": 2, "to_switch": 2, "from_switch": 0, "echo_to_switch": 0, "echo_from_switch": 0,
            "target_echo_in": 0, "target_echo_out": 0, "child_rx": 0, "route": "unicast dev ens33.01",
            "hairpin": False, "child_mac": "02:00:5e:10:00:11", "target_mac": "aa:bb:cc:dd:ee:ff",
            "parent_mac": "aa:bb:cc:dd:ee:ff", "source_macs": []}
    one_child = "in passthru mode ens33 takes one child"

    def refused(mode: str, code: str, role: str = "peer") -> str:
        observed = {"refused": {"role": role, "errno": code, "message": "m", "extack": None}}
        return lab.explain(mode, "child", "peer", False, observed)

    assert one_child in refused("passthru", "EINVAL")
    assert one_child not in refused("bridge", "EINVAL")  # some other refusal: the rule is not the reason
    assert one_child not in refused("passthru", "EEXIST")
    assert one_child not in refused("passthru", "EINVAL", role="child")  # the first child is not a second one
    # frames stuck at the switch: the hairpin-off bridge rule only when hairpin was read back as off
    off = lab.explain("bridge", "child", "parent", False, base)
    assert "never sends a frame back" in off and "ens33's own stack is not one of them" in off
    on = lab.explain("bridge", "child", "parent", False, {**base, "hairpin": True})
    assert "never sends a frame back" not in on and "hairpin is on" in on
    # the bridge-mode rule is about the parent: not quoted for a peer
    assert "own stack" not in lab.explain("bridge", "child", "peer", False, base)
    # reachable with hairpin on: only the ARP broadcast came back (1 frame), the echo stayed inside
    arp_only = {**base, "hairpin": True, "to_switch": 1, "from_switch": 1}
    local = lab.explain("bridge", "child", "peer", True, arp_only)
    assert "inside the host" in local and "via the switch" not in local
    hairpinned = lab.explain("vepa", "child", "peer", True, {**arp_only, "echo_to_switch": 1,
                                                               "echo_from_switch": 1})
    assert hairpinned.startswith("via the switch: it sent 1 echo request back")


def _resolv_conf() -> tuple[int, int, int, bytes]:
    """Inode, mtime, ctime and contents of the host's resolver configuration."""
    path = os.path.realpath("/etc/resolv.conf")
    st = os.stat(path)
    with open(path, "rb") as f:
        return st.st_ino, st.st_mtime_ns, st.st_ctime_ns, f.read()


@pytest.mark.kernel
def test_dhcp_addresses_are_leased_and_read_back() -> None:
    if lab.dhcp_missing():
        pytest.skip(f"not installed: {lab.dhcp_missing()}")  # CI installs dnsmasq-base and isc-dhcp-client
    before = _resolv_conf()
    done = run_lab("--json", "--dhcp", "--modes", "bridge")
    assert done.returncode == 0, done.stderr
    # dnsmasq announces a DNS server; dhclient's stock script would have written it into the host's file
    assert _resolv_conf() == before
    doc = json.loads(done.stdout)
    assert doc["meta"]["dhcp"] is True
    # as root, dnsmasq drops its privileges to nobody; dhclient cannot drop them (see rtnl.lab.dhcp)
    assert doc["meta"]["helpers"] == {"dnsmasq": "nobody:nogroup", "dhclient": "root"}
    cells = doc["cells"]
    leased = {c["observed"]["address"]["child"] for c in cells}
    assert all(a.startswith("198.51.100.") and 100 <= int(a.rsplit(".", 1)[1]) <= 199 for a in leased)
    peer = next(c for c in cells if c["dst"] == "peer" and not c["hairpin"])
    assert peer["reachable"] and peer["observed"]["address"]["peer"] != peer["observed"]["address"]["child"]


def _state(token: str) -> dict[str, Any]:
    """What a lab could leave behind: processes carrying ``token`` in their environment (the lab and
    whatever it started: dnsmasq, dhclient), mounts, links and named namespaces of this test."""
    procs = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if token.encode() not in f.read():
                    continue
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                procs.append(f.read().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue
    with open("/proc/self/mountinfo") as f:
        mounts = sorted(line.split()[4] for line in f)
    links = sorted(x["ifname"] for x in json.loads(ip("-j", "link", "show").stdout))
    netns = sorted(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else []
    return {"processes": procs, "mounts": mounts, "links": links, "netns": netns}


def _links(pid: str) -> list[str]:
    """The namespace links of every thread of ``pid`` and its open descriptors."""
    return glob.glob(f"/proc/{pid}/task/*/ns/*") + glob.glob(f"/proc/{pid}/fd/*")


def _lab_namespaces(token: str) -> set[str]:
    """The PID, network and mount namespaces that the processes carrying ``token`` live in or hold
    open (the lab's own, its topologies', its helpers'), except this test's own."""
    kinds = ("pid:[", "net:[", "mnt:[")
    mine = {os.readlink(link) for link in glob.glob("/proc/self/task/*/ns/*")}
    found = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if token.encode() not in f.read():
                    continue
        except OSError:
            continue
        for link in _links(pid):
            with contextlib.suppress(OSError):
                if (target := os.readlink(link)).startswith(kinds):
                    found.add(target)
    return found - mine


def _holders(spaces: set[str]) -> list[str]:
    """Whatever still keeps one of ``spaces`` alive, as far as this test can see: a process or thread
    in it, a descriptor open on it, or a mount of it (any environment, any process)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        for link in _links(pid):
            with contextlib.suppress(OSError):
                if (target := os.readlink(link)) in spaces:
                    found.append(f"{link} -> {target}")
    with open("/proc/self/mountinfo") as f:
        found += [line for line in f if any(space in line for space in spaces)]
    return found


@pytest.mark.kernel
@pytest.mark.parametrize("dhcp", [False, True], ids=["static", "dhcp"])
def test_interrupted_lab_leaves_nothing_behind(dhcp: bool) -> None:
    """Ctrl-C hammered six times at the tenth cell: the lab still tears down and nothing survives it.
    The lab's mounts, links and namespaces are private, so "nothing" is checked where this test can
    see it: no process carrying the run's token, and no process, thread, descriptor or mount
    anywhere that still holds one of the PID, network or mount namespaces the lab had."""
    if dhcp and lab.dhcp_missing():
        pytest.skip(f"not installed: {lab.dhcp_missing()}")
    token = f"RTNL_LAB_TEST={uuid.uuid4()}"
    before = _state(token)
    args = [sys.executable, "-m", "rtnl.lab", *(["--dhcp"] if dhcp else [])]
    env = {**os.environ, token.split("=")[0]: token.split("=")[1]}
    proc = subprocess.Popen(args, cwd=ROOT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    try:
        assert proc.stderr is not None
        while not (line := proc.stderr.readline()).startswith("[10/"):
            assert line, "the lab ended before measuring ten cells"
        running = _state(token)["processes"]
        assert any("rtnl.lab" in cmd for cmd in running)  # the check does see what the lab runs
        if dhcp:
            assert any("dnsmasq" in cmd or "dhclient" in cmd for cmd in running), running
        spaces = _lab_namespaces(token)
        # the check sees what the lab built: its PID namespace and the network namespaces of cells
        assert sum(x.startswith("pid:[") for x in spaces) == 1, spaces
        assert sum(x.startswith("net:[") for x in spaces) > 2 and _holders(spaces), spaces
        for _ in range(6):  # an impatient user: Ctrl-C again and again during the teardown
            proc.send_signal(signal.SIGINT)
            time.sleep(0.15)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert "interrupted" in err and not out and "Traceback" not in err
    deadline = time.monotonic() + 5  # killed children are reaped asynchronously by init
    while (_state(token) != before or _holders(spaces)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _state(token) == before
    assert not _holders(spaces)  # nothing keeps a namespace of the lab alive: it is gone for good
