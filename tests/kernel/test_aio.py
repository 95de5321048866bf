"""``rtnl.aio`` against the real kernel: the Connection tests run again on the asyncio driver (default
loop and uvloop), many coroutines on one connection, cancellation at every await point of a
multi-step operation, and events read with ``async for``."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import errno
import functools
import inspect
import itertools
import socket
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any

import pytest

import rtnl
import rtnl.aio
from rtnl.links import Macvlan, Veth
from rtnl.monitor import Group, LinkEvent, Overrun
from rtnl.uapi import SO_RCVBUFFORCE
from tests.kernel import test_addresses_routes, test_links
from tests.support.issue14 import kernel_state

LOOPS = ["asyncio", "uvloop"]  # uvloop is a test dependency: both loops always run


def new_loop(kind: str) -> asyncio.AbstractEventLoop:
    if kind == "uvloop":
        import uvloop

        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


@pytest.fixture(params=LOOPS)
def loop(request: pytest.FixtureRequest) -> Iterator[asyncio.AbstractEventLoop]:
    loop = new_loop(request.param)
    yield loop
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


class Blocking:
    """An :class:`rtnl.aio.AsyncConnection` that looks like a Connection: each coroutine method runs on
    the test's loop until it is done, so that the blocking tests run unchanged on the async driver."""

    def __init__(self, conn: rtnl.aio.AsyncConnection, loop: asyncio.AbstractEventLoop) -> None:
        self.conn, self.loop = conn, loop

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.conn, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            result = attr(*args, **kwargs)  # a coroutine, or a lookup's future: both awaited
            return self.loop.run_until_complete(result) if inspect.isawaitable(result) else result
        return call


def open_async(ns: rtnl.Namespace, loop: asyncio.AbstractEventLoop) -> rtnl.aio.AsyncConnection:
    async def opened() -> rtnl.aio.AsyncConnection:
        return rtnl.aio.connect(ns)

    return loop.run_until_complete(opened())


@pytest.fixture(params=["blocking", *LOOPS])
def either(request: pytest.FixtureRequest, ns: rtnl.Namespace) -> Iterator[Any]:
    """A connection in the test's namespace, on the blocking driver or on the async one."""
    if request.param == "blocking":
        with rtnl.connect(ns) as net:
            yield net
        return
    loop = new_loop(request.param)
    conn = open_async(ns, loop)
    try:
        yield Blocking(conn, loop)
    finally:
        loop.run_until_complete(conn.close())
        loop.close()


# --- the same behavioural tests on both drivers ------------------------------------------------------

SHARED = [getattr(test_links, name) for name in (
    "test_veth_bridge_and_ports", "test_set_changes_everything", "test_errors_are_typed",
    "test_move_into_namespace_and_parent_netnsid", "test_kernel_refusals_are_typed",
    "test_source_macs_set_add_delete_flush", "test_create_in_place_with_a_name_taken_here",
    "test_veth_peer_in_another_namespace", "test_create_in_place_leaves_nothing_on_failure",
    "test_add_many_is_all_or_nothing", "test_delete_many_failure_restores_groups",
    "test_link_refs_everywhere", "test_a_link_read_in_another_namespace_is_refused",
    "test_failed_set_changes_nothing", "test_lookup_by_alternative_name", "test_unicode_names",
    "test_deleting_parent_removes_children_everywhere", "test_only_one_passthru_child",
)] + [getattr(test_addresses_routes, name) for name in (
    "test_addresses_v4_v6", "test_routes_v4", "test_routes_v6_and_tables", "test_route_scope_override",
    "test_route_mtu_and_advmss",
)]


def _up_veth(net: Any) -> rtnl.Link:
    """The ``parent``/``eth0`` fixture of the blocking tests: a veth end that is up."""
    net.add(Veth("eth0", "wire0"))
    net.set("wire0", up=True)
    return net.set("eth0", up=True)  # type: ignore[no-any-return]


@pytest.mark.parametrize("test", SHARED, ids=lambda t: f"{t.__module__.rpartition('.')[2]}.{t.__name__}")
def test_same_behaviour_on_both_drivers(test: Callable[..., None], either: Any, ns: rtnl.Namespace,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    given: dict[str, Any] = {"net": either, "ns": ns, "monkeypatch": monkeypatch}
    wanted = inspect.signature(test).parameters
    if "parent" in wanted or "eth0" in wanted:
        given["parent"] = given["eth0"] = _up_veth(either)
    test(**{name: given[name] for name in wanted})


# --- many coroutines, one connection -----------------------------------------------------------------


def run(loop: asyncio.AbstractEventLoop, work: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    return loop.run_until_complete(work())


def test_a_hundred_coroutines_share_one_connection(ns: rtnl.Namespace,
                                                   loop: asyncio.AbstractEventLoop) -> None:
    threads = threading.active_count()
    seen_threads: list[int] = []

    async def worker(net: rtnl.aio.AsyncConnection, i: int) -> tuple[int, str, int, bool, bool]:
        link = await net.add(Macvlan(f"mv{i}", "eth0"))
        names = {x.name for x in await net.links()}  # a dump while others create and delete
        again = await net.link(f"mv{i}")
        seen_threads.append(threading.active_count())
        await net.delete(link)
        with pytest.raises(rtnl.NetlinkError):
            await net.link(link.index)
        return i, link.name, again.index, f"mv{i}" in names, again == link

    async def work() -> list[tuple[int, str, int, bool, bool]]:
        async with rtnl.aio.connect(ns) as net:
            await net.add(Veth("eth0", "wire0"))
            got = await asyncio.gather(*(worker(net, i) for i in range(100)))
            assert [x.name for x in await net.links()] == ["lo", "wire0", "eth0"]
            return got

    answers = run(loop, work)
    assert [(i, name, same) for i, name, _, _, same in answers] == [(i, f"mv{i}", True) for i in range(100)]
    assert all(seen for *_, seen, _ in answers)
    assert len({index for _, _, index, _, _ in answers}) == 100  # each caller got its own link
    assert set(seen_threads) == {threads} and threading.active_count() == threads
    with rtnl.connect(ns) as net:
        assert [x.name for x in net.links()] == ["lo", "wire0", "eth0"]


def test_a_refusal_in_a_burst_goes_to_its_caller_only(ns: rtnl.Namespace,
                                                     loop: asyncio.AbstractEventLoop) -> None:
    """Lookups made at once, some refused: each answer, and each refusal, goes to its own caller."""
    asked = ["lo", "ghost", "lo", "ghost0", "lo"] * 20

    async def work() -> list[Any]:
        async with rtnl.aio.connect(ns) as net:
            return await asyncio.gather(*(net.link(name) for name in asked), return_exceptions=True)

    got = run(loop, work)
    assert [x.name if isinstance(x, rtnl.Link) else type(x) for x in got] == [
        name if name == "lo" else rtnl.NetlinkError for name in asked]
    assert all(f"'{name}'" in str(x) for name, x in zip(asked, got, strict=True) if name != "lo")


def test_lookups_called_at_once_are_built_as_room_frees(ns: rtnl.Namespace, loop: asyncio.AbstractEventLoop,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """1,000 lookups called at once: only those whose answers fit the receive buffer are built (their
    requests encoded) at once; the others when answers make room, and every one is answered."""
    built: list[int] = []
    begin = rtnl.netlink.NetlinkSocket.begin
    monkeypatch.setattr(rtnl.netlink.NetlinkSocket, "begin",
                        lambda self, msgs, how: built.append(len(msgs)) or begin(self, msgs, how))

    async def work() -> list[rtnl.Link]:
        async with rtnl.aio.connect(ns) as net:
            calls = [net.link("lo") for _ in range(1000)]
            assert 0 < len(built) < 100
            return await asyncio.gather(*calls)

    assert [x.name for x in run(loop, work)] == ["lo"] * 1000
    assert built == [1] * 1000


def test_lookups_answered_in_one_turn_call_back_in_one_loop_callback(
        ns: rtnl.Namespace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The callbacks of the lookups a reader wake-up completes (gather's) run in one loop callback,
    not one ``call_soon`` each; they keep the future's rules (next test)."""
    loop = asyncio.new_event_loop()  # (the default loop: its call_soon can be counted)
    scheduled: list[object] = []
    call_soon = loop.call_soon
    monkeypatch.setattr(loop, "call_soon",
                        lambda cb, *args, **kw: scheduled.append(cb) or call_soon(cb, *args, **kw))

    async def work() -> list[rtnl.Link]:
        async with rtnl.aio.connect(ns) as net:
            return await asyncio.gather(*(net.link("lo") for _ in range(500)))

    try:
        assert [x.name for x in run(loop, work)] == ["lo"] * 500
    finally:
        loop.close()
    assert len(scheduled) < 100


def test_a_burst_of_lookups_is_read_in_few_reader_wakeups(ns: rtnl.Namespace, loop: asyncio.AbstractEventLoop,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """500 lookups, some 26 in flight at a time: the reader sends what the answers it read made room
    for and reads their answers in the same wake-up, not one loop turn (or two) a batch."""
    wakeups: list[object] = []
    readable = rtnl.aio.AsyncConnection._readable

    def counted(self: rtnl.aio.AsyncConnection) -> None:
        wakeups.append(self)
        readable(self)

    monkeypatch.setattr(rtnl.aio.AsyncConnection, "_readable", counted)

    async def work() -> list[rtnl.Link]:
        async with rtnl.aio.connect(ns) as net:
            return await asyncio.gather(*(net.link("lo") for _ in range(500)))

    assert [x.name for x in run(loop, work)] == ["lo"] * 500
    assert 0 < len(wakeups) < 10


def test_a_lookups_callbacks_keep_the_futures_rules(ns: rtnl.Namespace,
                                                   loop: asyncio.AbstractEventLoop) -> None:
    """Kept or not, a lookup's callbacks run once each, in the order they were added, in the context
    they were added in; a removed one does not run; one that raises goes to the loop's exception
    handler and the others still run; a cancelled lookup calls back too."""
    var: contextvars.ContextVar[int] = contextvars.ContextVar("var")
    ran: list[tuple[int, int, str]] = []
    errors: list[BaseException] = []

    def callback(i: int, n: int) -> Callable[[asyncio.Future[Any]], None]:
        def called(call: asyncio.Future[Any]) -> None:
            ran.append((i, n, var.get()))
            if n == 9:
                raise KeyError(i)
        return called

    async def work() -> None:
        asyncio.get_running_loop().set_exception_handler(
            lambda _, context: errors.append(context["exception"]))
        async with rtnl.aio.connect(ns) as net:
            calls = [net.link("lo") for _ in range(20)]
            for i, call in enumerate(calls):
                var.set(i)
                first, gone = callback(i, 0), callback(i, 8)
                call.add_done_callback(first)
                if i % 2:
                    call.add_done_callback(callback(i, 1))
                if i % 3 == 0:
                    call.add_done_callback(gone)
                    assert call.remove_done_callback(gone) == 1
                if i % 5 == 0:
                    assert call.remove_done_callback(first) == 1
                if i == 7:
                    call.add_done_callback(callback(i, 9))
            calls[4].cancel()
            await asyncio.gather(*calls, return_exceptions=True)
            await asyncio.sleep(0)
        assert calls[4].cancelled() and calls[5].result().name == "lo"

    run(loop, work)
    expected = [(i, n, i) for i in range(20) for n in (0, 1, 9)
                if (n == 0 and i % 5) or (n == 1 and i % 2) or (n == 9 and i == 7)]
    assert sorted(ran) == expected
    assert [x for x in ran if x[0] == 7] == [(7, 0, 7), (7, 1, 7), (7, 9, 7)]
    assert [type(e) for e in errors] == [KeyError]


@pytest.mark.parametrize("rcvbuf", [None, 32768], ids=["default buffer", "32 KiB buffer"])
def test_a_burst_larger_than_the_receive_buffer_loses_no_answer(ns: rtnl.Namespace, rcvbuf: int | None,
                                                                loop: asyncio.AbstractEventLoop) -> None:
    """2,000 lookups at once, whose answers (~3 KiB each with the ack) would overflow the receive buffer
    many times over (ENOBUFS, and callers waiting forever): the connection keeps what is in flight
    within the buffer, sending the rest as answers are read; a dump and refusals mixed in."""
    with rtnl.connect(ns) as blocking:
        blocking.add(Veth("eth0", "wire0"))
        blocking.add_many([Macvlan(f"mv{i}", "eth0") for i in range(200)])
    asked = [f"mv{i % 200}" if i % 10 else "ghost" for i in range(2000)]

    async def work() -> tuple[list[Any], list[rtnl.Link]]:
        conn = rtnl.connect(ns)
        if rcvbuf is not None:  # (the kernel doubles it; less fails even a lone dump: ENOBUFS)
            conn.sock.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        async with rtnl.aio.AsyncConnection(conn) as net:
            links = asyncio.ensure_future(net.links())
            got = await asyncio.gather(*(net.link(name) for name in asked), return_exceptions=True)
            return got, await links

    got, links = run(loop, work)
    assert [x.name if isinstance(x, rtnl.Link) else x.errno for x in got] == [
        name if name != "ghost" else errno.ENODEV for name in asked]
    assert len(links) == 203


def test_requests_sent_together_fit_a_small_send_buffer(ns: rtnl.Namespace,
                                                        loop: asyncio.AbstractEventLoop) -> None:
    """Requests made in one loop turn go out in one datagram, but never one larger than the send
    buffer (the kernel would refuse it whole: EMSGSIZE)."""
    async def work() -> list[str]:
        conn = rtnl.connect(ns)
        conn.sock.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1024)  # (the kernel's least: 4.5 KiB)
        conn.sock.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 1 << 20)  # hundreds in flight at once
        async with rtnl.aio.AsyncConnection(conn) as net:
            return [x.name for x in await asyncio.gather(*(net.link("lo") for _ in range(500)))]

    assert run(loop, work) == ["lo"] * 500


def test_a_dump_in_progress_does_not_hold_back_a_request(ns: rtnl.Namespace,
                                                        loop: asyncio.AbstractEventLoop) -> None:
    async def work() -> None:
        async with rtnl.aio.connect(ns) as net:
            await net.add(Veth("eth0", "wire0"))
            await net.add_many([Macvlan(f"mv{i}", "eth0") for i in range(300)])
            dump = asyncio.ensure_future(net.links())
            await asyncio.sleep(0)  # the dump is sent, its first datagram queued
            assert not dump.done()
            link = await net.link("mv7")  # answered while the dump still runs
            assert link.name == "mv7"
            assert len(await dump) == 303
            await net.delete_many([f"mv{i}" for i in range(300)])

    run(loop, work)


# --- cancellation -------------------------------------------------------------------------------------


class Gate:
    """Counts the exchanges operations await (each request, dump or window of a Batch, on every
    connection, Inside ones included) and cancels ``victim`` while it awaits exchange number ``at``:
    at once, or ``turns`` loop turns later (``call_soon`` that many times over)."""

    def __init__(self, at: int, turns: int = 0) -> None:
        self.at, self.turns, self.steps, self.fired = at, turns, itertools.count(), False
        self.victim: asyncio.Future[Any] | None = None


@contextlib.contextmanager
def cancel_at_step(monkeypatch: pytest.MonkeyPatch, gate: Gate) -> Iterator[None]:
    real = rtnl.aio.AsyncConnection._exchange

    async def exchange(self: rtnl.aio.AsyncConnection, *args: Any) -> Any:
        if not gate.fired and next(gate.steps) == gate.at:
            gate.fired = True
            assert gate.victim is not None
            cancel: Callable[[], object] = gate.victim.cancel  # at once: at the exchange's first await
            for _ in range(gate.turns):
                cancel = functools.partial(asyncio.get_running_loop().call_soon, cancel)
            cancel()
        return await real(self, *args)

    monkeypatch.setattr(rtnl.aio.AsyncConnection, "_exchange", exchange)
    try:
        yield
    finally:
        monkeypatch.undo()


async def cut_short(monkeypatch: pytest.MonkeyPatch, gate: Gate, call: Awaitable[Any]) -> None:
    """Run ``call`` as a task that ``gate`` cancels at its exchange; done when it is (cut short or not)."""
    with cancel_at_step(monkeypatch, gate):
        task = gate.victim = asyncio.ensure_future(call)
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert task.cancelled() == gate.fired


def names(ns: rtnl.Namespace) -> list[str]:
    with rtnl.connect(ns) as net:
        return sorted(x.name for x in net.links())


CALLS: dict[str, Callable[[rtnl.aio.AsyncConnection, rtnl.Namespace], Coroutine[Any, Any, Any]]] = {
    "add in a namespace, renamed there": lambda net, other: net.add(Macvlan("mv0", "eth0", namespace=other)),
    "add a veth with its peer in a namespace": lambda net, other: net.add(
        Veth("va", "vb", peer_namespace=other)),
    "add": lambda net, other: net.add(Macvlan("mv0", "eth0")),
    "add_many": lambda net, other: net.add_many(
        [Macvlan(f"mv{i}", "eth0") for i in range(40)] + [Veth("va", "vb")]),
}


EXCHANGES = {"add in a namespace, renamed there": 5, "add a veth with its peer in a namespace": 1, "add": 2,
             "add_many": 3,  # at least: parent lookup, create, then inside: index, rename, read back
             "add_addresses": 6, "add_routes": 4}  # (a lookup,) what is there, three windows (, read back)


@pytest.mark.parametrize("call", CALLS)
def test_cancellation_at_every_await_point_leaves_nothing(call: str, ns: rtnl.Namespace,
                                                         loop: asyncio.AbstractEventLoop,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    with rtnl.Namespace.anonymous() as other:
        with rtnl.connect(ns) as blocking:
            blocking.add(Veth("eth0", "wire0"))
        before = (names(ns), names(other))
        steps = 0
        for at in itertools.count():
            gate = Gate(at)

            async def work(gate: Gate = gate) -> bool:
                async with rtnl.aio.connect(ns) as net:
                    with cancel_at_step(monkeypatch, gate):
                        task = gate.victim = asyncio.ensure_future(CALLS[call](net, other))
                        with contextlib.suppress(asyncio.CancelledError):
                            await task
                        assert task.cancelled() == gate.fired
                    # still usable, and nothing late is taken for an answer
                    assert [x.name for x in await net.links()][:3] == ["lo", "wire0", "eth0"]
                    assert (await net.link("eth0")).name == "eth0"
                    if not gate.fired:
                        await net.delete_many([x for x in await net.links() if x.name not in before[0]])
                        with rtnl.connect(other) as there:
                            there.delete_many([x for x in there.links() if x.name not in before[1]])
                    return gate.fired

            if not run(loop, work):
                steps = at
                break
            assert (names(ns), names(other)) == before, f"cancelled at exchange {at}"
        # every await point was tried: the call ran to its end without a cancel after that many
        assert steps >= EXCHANGES[call]


@pytest.mark.parametrize("turns", [1, 2])
def test_a_call_cancelled_in_the_turn_its_answer_is_read_ends_and_leaves_nothing(
        turns: int, ns: rtnl.Namespace, loop: asyncio.AbstractEventLoop,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The cancellation comes after the request was sent, in the loop turn that reads its answer but
    before the reader (with asyncio, two turns after the exchange began; with uvloop, which runs
    callbacks before it polls, one): the answer still goes to the rollback, which deletes the link,
    and the call ends; it does not wait for an answer already read."""
    with rtnl.connect(ns) as blocking:
        blocking.add(Veth("eth0", "wire0"))
    before = names(ns)
    for at in range(EXCHANGES["add"]):
        gate = Gate(at, turns)

        async def work(gate: Gate = gate) -> None:
            async with rtnl.aio.connect(ns) as net:
                with cancel_at_step(monkeypatch, gate):
                    task = gate.victim = asyncio.ensure_future(net.add(Macvlan("mv0", "eth0")))
                    done, _ = await asyncio.wait([task], timeout=30)  # (only a call that never ends waits)
                assert done and gate.fired
                if not task.cancelled():  # (the call was over before the cancellation came)
                    await net.delete("mv0")
                assert (await net.link("eth0")).name == "eth0"

        run(loop, work)
        assert names(ns) == before, f"cancelled at exchange {at}"


@pytest.mark.parametrize("iface", ["198.51.100.7/24", "2001:db8::7/64"])
def test_add_address_cancelled_at_any_exchange_leaves_nothing(iface: str, ns: rtnl.Namespace,
                                                              loop: asyncio.AbstractEventLoop,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut short after the kernel took the address, the call removes it again; an address that was
    there before (a refused add, EEXIST) is never removed."""
    before = _batch_setup(ns)
    for at in itertools.count():
        gate = Gate(at)

        async def work(gate: Gate = gate) -> bool:
            async with rtnl.aio.connect(ns) as net:
                await cut_short(monkeypatch, gate, net.add_address("eth0", iface, nodad=True))
                if not gate.fired:
                    await net.delete_address("eth0", iface)
                with pytest.raises(FileExistsError):  # refused: the address that was there stays
                    await net.add_address("eth0", "198.51.100.200/24")
                return gate.fired

        if not run(loop, work):
            break
        assert _state(ns) == before, f"cancelled at exchange {at}"
    assert at >= 2  # the lookup of eth0, the add (IPv6: with the get in its datagram)


@pytest.mark.parametrize("iface", ["198.51.100.200/24", "2001:db8::200/64"])
def test_a_refused_add_address_cut_short_keeps_the_address_that_was_there(iface: str, ns: rtnl.Namespace,
                                                                          loop: asyncio.AbstractEventLoop,
                                                                          monkeypatch: pytest.MonkeyPatch
                                                                          ) -> None:
    """An add the kernel refuses (EEXIST: the address was there already), cut short at any exchange,
    never removes that address: the rollback learns the add's outcome from its answer, though IPv6's
    get went out in the same datagram and was answered."""
    with rtnl.connect(ns) as net:
        net.add(Veth("eth0", "wire0"))
        net.add_address("eth0", iface, nodad=True)
        before = kernel_state(net)
    for at in itertools.count():
        gate = Gate(at)

        async def work(gate: Gate = gate) -> bool:
            async with rtnl.aio.connect(ns) as net:
                with cancel_at_step(monkeypatch, gate):
                    task = gate.victim = asyncio.ensure_future(net.add_address("eth0", iface, nodad=True))
                    with contextlib.suppress(asyncio.CancelledError), pytest.raises(FileExistsError):
                        await task
                    assert task.cancelled() == gate.fired
                return gate.fired

        if not run(loop, work):
            break
        assert _state(ns) == before, f"cancelled at exchange {at}"
    assert at >= 2  # the lookup of eth0, the add


# add_addresses and add_routes: one Batch of three windows (WINDOW requests each), cut short after any
# of them; what existed before (an address, a route to the same destination with another metric) stays
BATCHES: dict[str, Callable[[Any], Any]] = {
    "add_addresses": lambda net: net.add_addresses(
        [("eth0", f"198.51.100.{i}/24") for i in range(1, 101)] + [("eth0", f"2001:db8::{i:x}/64")
                                                                    for i in range(1, 41)]),
    "add_routes": lambda net: net.add_routes(
        [rtnl.RouteSpec(f"203.0.113.{i}/32", type="blackhole") for i in range(100)]
        + [rtnl.RouteSpec(f"2001:db8:1::{i:x}/128", type="blackhole") for i in range(40)]),
}


def _batch_setup(ns: rtnl.Namespace) -> tuple[Any, ...]:
    with rtnl.connect(ns) as net:
        net.add(Veth("eth0", "wire0"))
        net.add_address("eth0", "198.51.100.200/24")
        net.add_route("203.0.113.0/32", type="blackhole", metric=5)
        return kernel_state(net)


def _state(ns: rtnl.Namespace) -> tuple[Any, ...]:
    with rtnl.connect(ns) as net:
        return kernel_state(net)


@pytest.mark.parametrize("call", BATCHES)
def test_a_batch_cancelled_at_any_window_leaves_nothing(call: str, ns: rtnl.Namespace,
                                                       loop: asyncio.AbstractEventLoop,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    before = _batch_setup(ns)
    for at in itertools.count():
        gate = Gate(at)

        async def work(gate: Gate = gate) -> bool:
            async with rtnl.aio.connect(ns) as net:
                await cut_short(monkeypatch, gate, BATCHES[call](net))
                assert (await net.link("eth0")).name == "eth0"  # still usable
                return gate.fired

        if not run(loop, work):
            break
        assert _state(ns) == before, f"cancelled at exchange {at}"
    assert at >= EXCHANGES[call]
    assert _state(ns) != before  # the call that ran to its end made them all


@pytest.mark.parametrize("call", BATCHES)
@pytest.mark.parametrize("after", [False, True], ids=["before sending", "once answered"])
def test_a_batch_interrupted_on_the_blocking_driver_leaves_nothing(call: str, after: bool,
                                                                  ns: rtnl.Namespace,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The same with ``KeyboardInterrupt`` (Ctrl-C) at each exchange of the blocking driver."""
    before = _batch_setup(ns)
    real = rtnl.netlink.NetlinkSocket._exchange
    for at in itertools.count():
        count = itertools.count()

        def exchange(self: rtnl.netlink.NetlinkSocket, *args: Any, at: int = at,
                     count: Iterator[int] = count) -> Any:
            fire = next(count) == at
            if fire and not after:
                raise KeyboardInterrupt
            answers = real(self, *args)
            if fire:
                raise KeyboardInterrupt
            return answers

        with rtnl.connect(ns) as net:
            with monkeypatch.context() as patch:
                patch.setattr(rtnl.netlink.NetlinkSocket, "_exchange", exchange)
                try:
                    BATCHES[call](net)
                except KeyboardInterrupt:
                    pass
                else:
                    break
            assert net.link("eth0").name == "eth0"
        assert _state(ns) == before, f"interrupted at exchange {at}"
    assert at >= EXCHANGES[call]


def test_a_call_cancelled_as_its_connection_closes_ends(ns: rtnl.Namespace,
                                                         loop: asyncio.AbstractEventLoop) -> None:
    """Cancelled, then the connection closed before the call saw the cancellation (its answers will
    not come): the call ends (its rollback is told so), it does not wait forever."""
    async def work(wait: int) -> None:
        net = rtnl.aio.connect(ns)
        tasks = [asyncio.ensure_future(net.add(Veth(f"a{i}", f"b{i}"))) for i in range(40)]  # some queued
        for _ in range(wait):
            await asyncio.sleep(0)
        for task in tasks:
            task.cancel()
        await net.close()
        done, pending = await asyncio.wait(tasks, timeout=10)
        assert not pending
        assert all(task.cancelled() for task in done)

    for wait in range(4):
        run(loop, lambda wait=wait: work(wait))  # type: ignore[misc]


def test_a_timeout_leaves_the_connection_usable(ns: rtnl.Namespace, loop: asyncio.AbstractEventLoop) -> None:
    async def work() -> None:
        async with rtnl.aio.connect(ns) as net:
            await net.add(Veth("eth0", "wire0"))
            await net.add_many([Macvlan(f"mv{i}", "eth0") for i in range(200)])
            for _ in range(20):  # dumps cut short at once: their late datagrams are dropped
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(net.links(), 0)
            assert len(await net.links()) == 203
            assert (await net.link("mv199")).name == "mv199"

    run(loop, work)


# --- events ---------------------------------------------------------------------------------------------


def test_an_event_burst_through_async_for(ns: rtnl.Namespace, loop: asyncio.AbstractEventLoop) -> None:
    """Default receive buffer: every link's event arrives, or an Overrun says some were dropped."""
    wanted = {f"mv{i}" for i in range(600)}

    async def work() -> tuple[set[str], bool]:
        async with rtnl.aio.connect(ns) as net:
            await net.add(Veth("eth0", "wire0"))
            seen: set[str] = set()
            async with net.monitor(Group.LINK) as events:
                assert events.fileno() == events.monitor.fileno() >= 0
                with rtnl.connect(ns) as other:  # a burst the loop cannot read while it happens
                    other.add_many([Macvlan(name, "eth0") for name in sorted(wanted)])
                async for event in events:
                    if isinstance(event, Overrun):
                        return seen, True
                    if isinstance(event, LinkEvent) and event.action == "new":
                        seen.add(event.link.name)
                    if wanted <= seen:
                        return seen, False
        raise AssertionError("unreachable")

    seen, overrun = run(loop, work)
    assert overrun or wanted <= seen


def test_monitor_get_times_out(ns: rtnl.Namespace, loop: asyncio.AbstractEventLoop) -> None:
    async def work() -> None:
        async with rtnl.aio.connect(ns) as net, net.monitor() as events:
            assert await events.get(timeout=0.05) is None
            await net.add(Veth("va", "vb"))
            event = await events.get(timeout=5)
            assert isinstance(event, LinkEvent) and event.link.name in ("va", "vb")

    run(loop, work)
