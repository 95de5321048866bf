"""Issue 14, class 2: fault injection over every multi-step operation.

The operations of :mod:`rtnl.ops` are generators that yield their steps, so a test driver can run
one over a real :class:`rtnl.Connection` and make its k-th step fail: either *instead of* sending it
(the kernel refused it: a :class:`~rtnl.NetlinkError` is thrown in at that ``yield``) or *after*
sending it (the step took effect, then the call failed: the same error is thrown in, the real
answer dropped). Every k of every operation below is tried both ways (the steps of an
:class:`~rtnl.ops.Inside` are counted one by one, on the connection opened there), and afterwards
each namespace involved must hold exactly what it held before: the operation raised and undid
whatever it had done. The number of (operation, step, way) cases is printed after the module.

One case is not asked for: a failure *after* an operation's last kernel write when that write is
the operation's only commit of a change it cannot tell from a refusal (a create, delete, move or
address add whose error can only mean the kernel refused it: nothing was done). Such a write is
atomic in the kernel; an error thrown in after it took effect is an event that cannot happen, and
undoing it would mean guessing (deleting a link by a name that may be someone else's).

The lab is covered by its interrupted-run tests (tests/kernel/test_lab.py); the CNI plugin's ADD by
``test_cni_add_fault_leaves_nothing`` below.
"""

from __future__ import annotations

import errno
import importlib.machinery
import importlib.util
import json
import os
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import rtnl
from rtnl import Bridge, Macvlan, MacvlanMode, Veth
from rtnl.ops import Batch, Inside, Operation, Request
from rtnl.ops import addresses as _addresses
from rtnl.ops import links as _links
from rtnl.ops import routes as _routes
from tests.support.issue14 import kernel_state
from tests.support.report import write_lines

kernel = pytest.mark.kernel
MAC1 = "02:00:5e:00:53:01"
GETS = (18, 22, 26)  # RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE (linux/rtnetlink.h): reads
CASES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if CASES:
        write_lines(request, f"fault injection: {sum(CASES.values())} (operation, step, way) cases: " +
                    ", ".join(f"{name} {n}" for name, n in sorted(CASES.items())))


def injected() -> rtnl.NetlinkError:
    return rtnl.NetlinkError.from_errno(errno.EIO, "injected fault")


class FaultyDriver:
    """Runs an operation as :meth:`rtnl.Connection.run` does, failing step ``fail_at`` (counted from
    0 over the whole run, inner operations of ``Inside`` included); ``after``: once it was sent."""

    def __init__(self, fail_at: int = -1, *, after: bool = False) -> None:
        self.fail_at, self.after, self.steps, self.fired = fail_at, after, 0, False
        self.writes: list[int] = []  # the steps that asked the kernel for a change

    def run(self, conn: rtnl.Connection, operation: Operation[Any]) -> Any:
        answer: Any = None
        failure: BaseException | None = None
        while True:
            try:
                step = operation.send(answer) if failure is None else operation.throw(failure)
            except StopIteration as done:
                return done.value
            answer, failure = None, None
            if isinstance(step, Inside):
                try:
                    with rtnl.connect(step.namespace) as inside:  # type: ignore[arg-type]
                        answer = self.run(inside, step.operation(inside))
                except BaseException as e:
                    failure = e
                continue
            k, self.steps = self.steps, self.steps + 1
            if isinstance(step, Batch) or (isinstance(step, Request) and step.message.type not in GETS):
                self.writes.append(k)
            if k == self.fail_at and not self.after:
                self.fired, failure = True, injected()
                continue
            try:
                answer = conn._answer(step)
            except BaseException as e:
                failure = e
            if k == self.fail_at and self.after:  # (its own answer, error or not, is dropped)
                self.fired, answer, failure = True, None, injected()


def ip_links(ns: rtnl.Namespace) -> list[tuple[int, str, str | None]]:
    """The links iproute2 sees in ``ns`` (``ip -j -d link``): index, name, kind."""
    out = subprocess.run(["nsenter", f"--net=/proc/{os.getpid()}/fd/{ns.fd}", "ip", "-j", "-d", "link"],
                         check=True, capture_output=True, text=True).stdout
    return sorted((link["ifindex"], link["ifname"], link.get("linkinfo", {}).get("info_kind"))
                  for link in json.loads(out))


Build = Callable[[rtnl.Connection, rtnl.Namespace], Operation[Any]]


def setup_here(net: rtnl.Connection) -> None:
    """veth m0/m0p up (m0 a macvlan parent), a SOURCE macvlan ms0, a bridge br0, an address.

    br0's MAC is set: a bridge with a random one takes its first port's and drops it to zeros when
    the port leaves, a change of the kernel's own to a link the operation did not touch."""
    net.add(Veth("m0", "m0p"))
    net.set("m0p", up=True)
    net.set("m0", up=True)
    net.add(Macvlan("ms0", "m0", MacvlanMode.SOURCE, source_macs=(MAC1,)))
    net.add(Bridge("br0"))
    net.set("br0", address="02:00:5e:00:53:0b")
    net.add_address("m0", "198.51.100.1/24")


# operation -> whether its last write is an atomic commit (see the module's docstring)
# (add_addresses and add_routes are not: an error thrown in after their Batch went out leaves each
# message's outcome unknown, and they ask the kernel what they made, as after a cancellation)
COMMITS = {"add Veth, peer in another namespace", "move", "delete_many", "add_address"}
OPERATIONS: dict[str, Build] = {
    "add Macvlan in a namespace": lambda net, ns: _links.add(net, Macvlan("mvx", "m0", namespace=ns)),
    "add Bridge in a namespace": lambda net, ns: _links.add(net, Bridge("brx", namespace=ns)),
    "add Veth in a namespace": lambda net, ns: _links.add(net, Veth("vx0", "vx1", namespace=ns)),
    "add Veth, peer in another namespace": lambda net, ns: _links.add(
        net, Veth("vy0", "vy1", peer_namespace=ns)),
    "set with rollback": lambda net, ns: _links.set_link(net, "m0p", name="renamed", mtu=1400, group=7,
                                                         txqlen=17, master="br0"),
    "set source macs with rollback": lambda net, ns: _links.set_link(
        net, "ms0", source_macs=["02:00:5e:00:53:02"], mtu=1300, up=True),
    "add_many": lambda net, ns: _links.add_many(net, [Bridge("nb0"), Veth("nv0", "nv0p"),
                                                      Macvlan("nm0", "m0")]),
    "move with rename": lambda net, ns: _links.move(net, "m0p", ns, name="moved0"),
    "move": lambda net, ns: _links.move(net, "ms0", ns),
    "delete_many": lambda net, ns: _links.delete_many(net, ["ms0", "br0", "m0"]),
    "add_address": lambda net, ns: _addresses.add_address(net, "m0", "2001:db8::7/64", nodad=True),
    "add_addresses": lambda net, ns: _addresses.add_addresses(net, [("m0", "198.51.100.8/24"),
                                                                    ("m0p", "2001:db8::8/64")]),
    "add_routes": lambda net, ns: _routes.add_routes(net, [
        rtnl.RouteSpec("203.0.113.0/24", link="m0"), rtnl.RouteSpec("192.0.2.0/24", gateway="198.51.100.9")]),
}


def fresh() -> Iterator[tuple[rtnl.Connection, rtnl.Namespace, rtnl.Connection]]:
    """A namespace set up by :func:`setup_here` and another holding a bridge ``taken``: one run."""
    with rtnl.Namespace.anonymous() as here_ns, rtnl.connect(here_ns) as here, \
            rtnl.Namespace.anonymous() as ns, rtnl.connect(ns) as there:
        setup_here(here)
        there.add(Bridge("taken"))
        yield here, ns, there


def state(here: rtnl.Connection, there: rtnl.Connection) -> tuple[Any, ...]:
    return (kernel_state(here), kernel_state(there), ip_links(here.namespace), ip_links(there.namespace))


@kernel
@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_every_step_failing_leaves_nothing(name: str) -> None:
    build = OPERATIONS[name]
    for here, ns, _ in fresh():  # the clean run: how many steps (and that it works)
        clean = FaultyDriver()
        clean.run(here, build(here, ns))
    steps = clean.steps
    commit = clean.writes[-1] if name in COMMITS else None
    problems = []
    for k in range(steps):
        for after in (False, True) if k != commit else (False,):
            for here, ns, there in fresh():
                before = state(here, there)
                driver = FaultyDriver(k, after=after)
                way = "after" if after else "instead of"
                try:
                    driver.run(here, build(here, ns))
                except rtnl.NetlinkError:
                    pass
                else:
                    problems.append(f"step {k} ({way} sending): the call succeeded despite the fault")
                assert driver.fired
                now = state(here, there)
                if now != before:
                    problems.append(f"step {k} ({way} sending) left:\n  before {before}\n  after  {now}")
                CASES[name] += 1
    assert not problems, f"{name}, {steps} steps:\n" + "\n".join(problems)


# ------------------------------------------------------------------------------------------------
# the CNI plugin's ADD: every rtnl step it takes, and its IPAM call, failing in turn
# ------------------------------------------------------------------------------------------------

PLUGIN = Path(__file__).resolve().parents[2] / "examples" / "cni" / "macvlan"
STATIC = "/usr/lib/cni/static"


def load_plugin() -> Any:
    loader = importlib.machinery.SourceFileLoader("cni_macvlan_fi", str(PLUGIN))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@kernel
@pytest.mark.skipif(not os.access(STATIC, os.X_OK), reason="containernetworking-plugins' static IPAM missing")
def test_cni_add_fault_leaves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plugin's ADD (macvlan created in the container under a temporary name and renamed, txqlen,
    IPAM, an address, up, a route), run in this process with every rtnl step of every connection it
    opens failing in turn (``Connection.run`` replaced by the faulty driver), then with its IPAM
    failing: each time the call fails and neither the container nor the host keeps anything. (The
    host is the test process's own namespace, where the plugin looks its master up.)"""
    plugin = load_plugin()
    with rtnl.connect() as net:
        net.add(Veth("cfm0", "cfm0p"))
        try:
            net.set("cfm0", up=True)
            cni_add_faults(plugin, net, monkeypatch)
        finally:
            net.delete("cfm0")


def cni_add_faults(plugin: Any, net: rtnl.Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = json.dumps({"cniVersion": "1.0.0", "name": "fi", "type": "macvlan", "master": "cfm0",
                       "ipam": {"type": "static", "addresses": [{"address": "198.51.100.20/24"}],
                                "routes": [{"dst": "203.0.113.0/24"}]}}).encode()

    def add(driver: FaultyDriver | None, ipam_fails: bool = False) -> tuple[Any, Any]:
        with rtnl.Namespace.anonymous() as container, rtnl.connect(container) as inside:
            env = {"CNI_COMMAND": "ADD", "CNI_CONTAINERID": "fi", "CNI_IFNAME": "eth0",
                   "CNI_PATH": os.path.dirname(STATIC), "PATH": os.environ["PATH"],
                   "CNI_NETNS": f"/proc/{os.getpid()}/fd/{container.fd}"}
            before = (kernel_state(net), kernel_state(inside))
            with monkeypatch.context() as patch:
                if driver is not None:
                    patch.setattr(rtnl.Connection, "run", lambda conn, op: driver.run(conn, op))
                if ipam_fails:
                    patch.setattr(plugin, "delegate", lambda *a, **k: plugin.fail("injected IPAM failure"))
                try:
                    plugin.run(env, conf)
                except (plugin.CNIError, OSError):
                    if not ipam_fails and driver is not None and driver.fail_at < 0:
                        raise
                else:
                    assert driver is not None and driver.fail_at < 0, "ADD succeeded despite the fault"
            after = (kernel_state(net), kernel_state(inside))
            # (deleted now, not when the namespace goes: that is asynchronous, and a macvlan still
            # there would keep its parent promiscuous into the next run's "before")
            inside.delete_many([link.index for link in inside.links() if link.name != "lo"])
            return before, after

    clean = FaultyDriver()
    before, after = add(clean)
    assert after != before and "eth0" in str(after[1]), "the clean ADD did not configure eth0"
    for k in range(clean.steps):
        for way in (False, True):
            driver = FaultyDriver(k, after=way)
            before, after = add(driver)
            assert driver.fired and after == before, f"CNI ADD, step {k} ({way=}) left {after} (was {before})"
            CASES["CNI ADD"] += 1
    before, after = add(None, ipam_fails=True)
    assert after == before
    CASES["CNI ADD, IPAM failing"] += 1
