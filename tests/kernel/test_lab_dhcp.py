"""The lab's DHCP helpers (issue 14, class 8): least privilege, and a dead helper noticed at once.

Against the real dnsmasq and dhclient (the README's test command installs them): as root dnsmasq drops
to ``nobody``; a dnsmasq that dies (a bad option, a kill) is reported with its own words while the lab
waits for a lease, not 20 s later as "no DHCP lease"; and ``--dhcp`` works for an ordinary user, whose
lab goes through a user namespace.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import rtnl
from rtnl import lab
from rtnl.lab.dhcp import HelperDied, dnsmasq_argv, start_helper, wait_lease
from tests.support.paths import REPO

ROOT_DIR = REPO
Switch = tuple[rtnl.Namespace, rtnl.Connection, contextlib.ExitStack, str]  # ns, its connection, helpers, dir


@pytest.fixture(autouse=True)
def _tools() -> None:
    missing = lab.dhcp_missing()
    assert not missing, f"not installed: {missing} (the README's test command installs them)"


@pytest.fixture
def switch(tmp_path: Path) -> Iterator[Switch]:
    """A namespace with a bridge br0 at 198.51.100.1/24 for dnsmasq to serve on, and a directory."""
    tmp_path.chmod(0o755)
    with contextlib.ExitStack() as stack:
        ns = stack.enter_context(rtnl.Namespace.anonymous())
        net = stack.enter_context(rtnl.connect(ns))
        net.add(rtnl.Bridge("br0"))
        net.set("br0", up=True)
        net.add_address("br0", "198.51.100.1/24")
        helpers = stack.enter_context(contextlib.ExitStack())  # closed first: the helpers die before the ns
        yield ns, net, helpers, str(tmp_path)


def _server(tmp: str, *extra: str) -> list[str]:
    return [*dnsmasq_argv(tmp, "br0", "198.51.100.1", "198.51.100.100", "198.51.100.199"), *extra]


def _ids(pid: int) -> tuple[list[int], list[int]]:
    """(real, effective, saved, fs) uids and gids of ``pid``."""
    with open(f"/proc/{pid}/status") as f:
        lines = dict(line.split(":", 1) for line in f)
    return [int(x) for x in lines["Uid"].split()], [int(x) for x in lines["Gid"].split()]


def test_dnsmasq_drops_to_nobody_as_root(switch: Switch) -> None:
    ns, _, helpers, tmp = switch
    assert "--user=nobody" in _server(tmp) and "--group=nogroup" in _server(tmp)
    server = start_helper(helpers, ns, "dnsmasq", _server(tmp), f"{tmp}/dnsmasq.log")
    deadline = time.monotonic() + 30
    while _ids(server.proc.pid)[0] != [65534] * 4:  # it drops once its sockets and files are open
        server.check()
        assert time.monotonic() < deadline, f"dnsmasq runs as {_ids(server.proc.pid)}: {server.output()}"
        time.sleep(0.05)
    assert _ids(server.proc.pid)[1] == [65534] * 4
    server.check()  # and it keeps running as nobody
    with open(f"{tmp}/dnsmasq.log") as f:
        assert "DHCP, IP range 198.51.100.100 -- 198.51.100.199" in f.read()  # its log is in our file


def test_a_dnsmasq_that_exits_is_reported_with_its_words_not_as_a_missing_lease(
    switch: Switch,
) -> None:
    ns, net, helpers, tmp = switch
    argv = _server(tmp, "--no-such-option")
    server = start_helper(helpers, ns, "dnsmasq (test)", argv, f"{tmp}/dnsmasq.log")
    # a 10-minute lease timeout: had the death gone unnoticed, this would end in RuntimeError much later
    died = r"dnsmasq \(test\) exited with status 1: .*bad command line options"
    with pytest.raises(HelperDied, match=died):
        wait_lease(net, "br0", tmp, [server], timeout=600)


def test_a_dnsmasq_killed_while_the_lab_waits_is_reported(
    switch: Switch,
) -> None:
    ns, net, helpers, tmp = switch
    server = start_helper(helpers, ns, "dnsmasq (test)", _server(tmp), f"{tmp}/dnsmasq.log")
    killer = threading.Timer(0.5, server.proc.send_signal, (signal.SIGKILL,))
    killer.start()
    try:
        with pytest.raises(HelperDied, match=r"dnsmasq \(test\) was killed by signal 9: .*dnsmasq"):
            wait_lease(net, "br0", tmp, [server], timeout=600)
    finally:
        killer.cancel()


def test_a_helper_that_cannot_start_is_reported(
    switch: Switch,
) -> None:
    ns, _, helpers, tmp = switch
    with pytest.raises(HelperDied, match="dhcpd-that-is-not-there could not be started"):
        start_helper(helpers, ns, "dhcpd-that-is-not-there", [f"{tmp}/nothing"], f"{tmp}/x.log")


def test_the_lab_stops_at_once_when_its_dnsmasq_dies(tmp_path: Path) -> None:
    """End to end: the real dnsmasq, given an option it refuses (through a wrapper first on PATH)."""
    wrapper = tmp_path / "dnsmasq"
    real = subprocess.run(["sh", "-c", "command -v dnsmasq"], capture_output=True, text=True).stdout.strip()
    wrapper.write_text(f'#!/bin/sh\nexec {real} --no-such-option "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    done = subprocess.run([sys.executable, "-m", "rtnl.lab", "--dhcp", "--modes", "bridge", "--json"],
                          cwd=ROOT_DIR, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 1 and not done.stdout
    assert "helper program died: dnsmasq (the DHCP server on the switch) exited with status 1" in done.stderr
    assert "bad command line options" in done.stderr
    assert "no DHCP lease" not in done.stderr and "Traceback" not in done.stderr


def test_an_ordinary_user_gets_dhcp_leases_through_a_user_namespace() -> None:
    """As ``nobody``: dnsmasq cannot drop to an unmapped uid, so it stays the caller (uid 0 of the lab's
    user namespace) and keeps its group (setgroups is denied there); leases arrive as for root."""
    system_python = "/usr/bin/python3"  # readable by nobody, unlike a python under /root
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", f"PYTHONPATH={ROOT_DIR}",
              "HOME=/tmp", system_python, "-m", "rtnl.lab"]
    done = subprocess.run([*nobody, "--dhcp", "--modes", "bridge", "--json", "--no-puzzles"], cwd="/tmp",
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["meta"]["dhcp"] is True and doc["meta"]["user_namespace"] is True
    assert doc["meta"]["helpers"]["dnsmasq"].startswith("root:root (uid 0 of the user namespace")
    leased = {c["observed"]["address"]["child"] for c in doc["cells"]}
    assert leased and all(100 <= int(a.rsplit(".", 1)[1]) <= 199 for a in leased)
    # the same answers as root's static run of the same mode
    argv = [sys.executable, "-m", "rtnl.lab", "--json-cells", "--modes", "bridge", "--no-puzzles"]
    root = subprocess.run(argv, cwd=ROOT_DIR, capture_output=True, text=True, timeout=300)
    assert root.returncode == 0, root.stderr
    assert {c["id"]: c["reachable"] for c in doc["cells"]} == {
        lab.Cell(**c).id: c["reachable"] for c in json.loads(root.stdout)
    }
