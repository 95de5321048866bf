"""``rtnl.sandbox.isolate``: the one throwaway-namespace isolation shared by the lab (and, next, the bench
and the tests), checked from a fresh process, as root and as an ordinary user."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support.paths import REPO

ROOT_DIR = REPO

PROBE = """
import json, os, sys
from rtnl import sandbox
pid = sys.argv[1] == "pid"
sandbox.isolate(pid=pid)
with open("/proc/self/mountinfo") as f:
    mounts = {line.split()[4]: line.split(" - ")[1].split()[0] for line in f}
print(json.dumps({
    "pid": os.getpid(), "net": os.readlink("/proc/self/ns/net"), "uid": os.getuid(),
    "user_namespace": sandbox.user_namespace(), "run": mounts.get("/run"), "sys": mounts.get("/sys"),
    "netns_dir": os.environ.get("RTNL_NETNS_DIR"), "netns": os.listdir("/run/netns"),
    "links": sorted(os.listdir("/sys/class/net")),
}))
"""


def _probe(*prefix: str, pid: bool, python: str = sys.executable) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT_DIR), "HOME": "/tmp"}
    done = subprocess.run([*prefix, python, "-c", PROBE, "pid" if pid else "-"], capture_output=True,
                          text=True, timeout=60, cwd="/tmp", env=env)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("pid", [False, True], ids=["net+mnt", "net+mnt+pid"])
@pytest.mark.parametrize("who", ["root", "nobody"])
def test_isolate_gives_a_private_network_run_dir_and_sysfs(who: str, pid: bool) -> None:
    prefix: tuple[str, ...] = ()
    python = sys.executable
    if who == "nobody":
        prefix = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
        python = "/usr/bin/python3"  # readable by nobody, unlike a python under /root
    got = _probe(*prefix, pid=pid, python=python)
    assert got["net"] != os.readlink("/proc/self/ns/net")  # not the namespace the test runs in
    assert got["run"] == "tmpfs" and got["sys"] == "sysfs"
    assert got["netns_dir"] == "/run/netns" and got["netns"] == []
    assert got["links"] == ["lo"]  # /sys shows the new namespace's links only
    assert got["uid"] == 0 and got["user_namespace"] is (who == "nobody")
    assert (got["pid"] == 1) is pid  # with pid=True the caller returns as PID 1 of a new PID namespace
