"""``python -m rtnl.lab`` on the kernel: its JSON and plain output, as an ordinary user, with DHCP, and
an interrupted lab leaves nothing behind. (Its matrix against an iproute2 twin is in
tests/differential/test_lab.py; its explanations without a kernel in tests/pure/test_lab.py.)
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
from typing import Any

import pytest

from rtnl import lab
from tests.support.lab import run_lab
from tests.support.paths import REPO


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


def test_an_ordinary_user_runs_the_lab_in_a_user_namespace() -> None:
    """As `nobody`, the lab makes its own user namespace and measures the same cells as root does."""
    system_python = "/usr/bin/python3"  # readable by nobody, unlike a python under /root
    probe = subprocess.run([system_python, "-c", "import _cffi_backend"], capture_output=True)
    assert probe.returncode == 0, "needs Debian's python3-cffi-backend (.ci/run installs it)"
    args = ("--json-cells", "--modes", "bridge", "--no-puzzles")
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", f"PYTHONPATH={REPO}",
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


def _resolv_conf() -> tuple[int, int, int, bytes]:
    """Inode, mtime, ctime and contents of the host's resolver configuration."""
    path = os.path.realpath("/etc/resolv.conf")
    st = os.stat(path)
    with open(path, "rb") as f:
        return st.st_ino, st.st_mtime_ns, st.st_ctime_ns, f.read()


def test_dhcp_addresses_are_leased_and_read_back() -> None:
    if lab.dhcp_missing():
        pytest.fail(f"not installed: {lab.dhcp_missing()} (the README's test command installs them)")
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
    shown = subprocess.run(["ip", "-j", "link", "show"], check=True, capture_output=True, text=True).stdout
    links = sorted(x["ifname"] for x in json.loads(shown))
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


@pytest.mark.parametrize("dhcp", [False, True], ids=["static", "dhcp"])
def test_interrupted_lab_leaves_nothing_behind(dhcp: bool) -> None:
    """Ctrl-C hammered six times at the tenth cell: the lab still tears down and nothing survives it.
    The lab's mounts, links and namespaces are private, so "nothing" is checked where this test can
    see it: no process carrying the run's token, and no process, thread, descriptor or mount
    anywhere that still holds one of the PID, network or mount namespaces the lab had."""
    if dhcp and lab.dhcp_missing():
        pytest.fail(f"not installed: {lab.dhcp_missing()} (the README's test command installs them)")
    token = f"RTNL_LAB_TEST={uuid.uuid4()}"
    before = _state(token)
    args = [sys.executable, "-m", "rtnl.lab", *(["--dhcp"] if dhcp else [])]
    env = {**os.environ, token.split("=")[0]: token.split("=")[1]}
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
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
