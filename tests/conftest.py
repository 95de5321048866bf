"""Test harness: the whole run happens in a throwaway network + mount namespace.

At import (pytest is still single-threaded, so unshare(CLONE_NEWNS) is allowed) the process moves into
a new network namespace and a private mount namespace with its own tmpfs on /run and its own sysfs.
Nothing the tests do can reach the host's links, routes or /run/netns. At the end of the session the
host's links and /run/netns (read through descriptors kept from before) must be exactly as they were,
or the run fails.

Tests are grouped by layer (see tests/__init__.py); the folder decides the ``kernel`` marker.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator

import pytest

ROOT = os.geteuid() == 0
_host: dict[str, object] = {}


def _host_links(net_fd: int) -> list[tuple[str, str]]:
    out = subprocess.run(
        ["nsenter", f"--net=/proc/self/fd/{net_fd}", "ip", "-d", "-j", "link", "show"],
        pass_fds=[net_fd], check=True, capture_output=True, text=True,
    ).stdout
    return sorted((x["ifname"], x.get("linkinfo", {}).get("info_kind", "")) for x in json.loads(out))


def _host_run_netns(run_fd: int) -> list[str] | None:
    try:
        return sorted(os.listdir(f"/proc/self/fd/{run_fd}/netns"))
    except FileNotFoundError:
        return None


def _isolate() -> None:
    from rtnl import sandbox  # the one home of throwaway-namespace isolation (the lab and bench use it too)

    _host["net"] = net_fd = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    _host["run"] = run_fd = os.open("/run", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    _host["links"] = _host_links(net_fd)
    _host["run_netns"] = _host_run_netns(run_fd)
    sandbox.isolate()
    os.environ["RTNL_TEST_ISOLATED"] = "1"


if ROOT:
    _isolate()


def pytest_report_header() -> str:
    if not ROOT:
        return "rtnl: not root - kernel tests are skipped, pure and docs tests run"
    return "rtnl: running in a throwaway net+mount namespace (private /run, /sys)"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not ROOT:
        return
    problems = []
    links = _host_links(_host["net"])  # type: ignore[arg-type]
    if links != _host["links"]:
        problems.append(f"host links changed: {_host['links']} -> {links}")
    run_netns = _host_run_netns(_host["run"])  # type: ignore[arg-type]
    if run_netns != _host["run_netns"]:
        problems.append(f"host /run/netns changed: {_host['run_netns']} -> {run_netns}")
    if problems:
        print("\nHOST NETWORK CHANGED BY THE TEST RUN:\n  " + "\n  ".join(problems))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        print(f"\nhost network unchanged: {len(links)} links, /run/netns {run_netns}")


LAYERS = {"pure": False, "kernel": True, "differential": True, "docs": None}  # folder -> kernel marker?


@pytest.hookimpl(tryfirst=True)  # before ``-m`` selects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests under kernel/ and differential/ are ``kernel`` tests by their folder; one in pure/ that
    asks for the kernel, or one outside every layer folder, is an error. Without root, kernel tests
    are skipped."""
    here = os.path.dirname(os.path.abspath(__file__))
    skip = pytest.mark.skip(reason="needs root: kernel tests run in throwaway namespaces")
    for item in items:
        layer = os.path.relpath(item.path, here).split(os.sep)[0]
        if layer not in LAYERS:
            raise pytest.UsageError(f"{item.nodeid}: tests live in a layer folder, one of {sorted(LAYERS)}")
        if LAYERS[layer]:
            item.add_marker(pytest.mark.kernel)
        elif LAYERS[layer] is False and item.get_closest_marker("kernel"):
            raise pytest.UsageError(f"{item.nodeid}: needs the kernel, so it belongs in tests/kernel")
        if not ROOT and item.get_closest_marker("kernel"):
            item.add_marker(skip)


@pytest.fixture
def ns() -> Iterator[object]:
    """A fresh anonymous network namespace for one test, gone afterwards."""
    import rtnl

    with rtnl.Namespace.anonymous() as n:
        yield n


@pytest.fixture
def net(ns: object) -> Iterator[object]:
    """A connection inside the test's own fresh namespace."""
    import rtnl

    with rtnl.connect(ns) as c:  # type: ignore[arg-type]
        yield c
