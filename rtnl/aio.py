"""``rtnl.aio``: the whole :class:`~rtnl.Connection` API as coroutines on the asyncio event loop.

::

    async with rtnl.aio.connect("ns1") as net:
        mv = await net.add(Macvlan("mv0", parent="eth0"))
        links, addresses = await asyncio.gather(net.links(), net.addresses())
        async for event in net.monitor():
            print(event)

Nothing here builds or reads a message, and no operation is written twice: :class:`AsyncConnection`
drives the very generators of :mod:`rtnl.ops` that :meth:`Connection.run <rtnl.Connection.run>`
drives, and each of its methods is the blocking method itself (one line, ``add = _twin(Connection.add)``)
run against a stand-in that hands its operation over instead of running it. The socket is
non-blocking and read by the loop (``loop.add_reader``); answers go to their callers by sequence
number through the reply loop of :mod:`rtnl.netlink` (:meth:`~rtnl.netlink.NetlinkSocket.feed`), so
many coroutines share one connection, and no thread is started. Requests posted during one loop turn
go out in one ``send``; what is in flight stays within the receive buffer (the kernel drops answers
that do not fit), and the rest wait in order for the reader to send them as answers make room.
Lookups (``link``, ``index``, ``route_get``) need no coroutine at all: their operation is driven by
the reader's callbacks, and the call returns at once an awaitable that is a future (``gather`` wraps
no task around it) and a coroutine (``create_task`` takes it); its request goes out at the next turn.

Cancelling a call (``asyncio.timeout``, ``task.cancel()``) leaves the connection usable: late answers
are read and dropped. A request already sent is carried out and answered first; then the
cancellation is thrown into the operation, whose rollback runs to its end, shielded, before the
``CancelledError`` reaches the caller, so a cancelled ``add`` leaves no link behind.
"""

from __future__ import annotations

import _socket
import asyncio
import collections
import contextlib
import errno
import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Generator
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar, cast

from . import connection
from .connection import Connection
from .errors import NetlinkError
from .monitor import Event, Monitor, open_monitor
from .netlink import SEQ, Answer, Exchange, NetlinkSocket, answers_data
from .ops import Inside, Operation, Request, exchanges
from .uapi import NLM_F_ACK, NLM_F_DUMP
from .wire.message import Message

if TYPE_CHECKING:
    from .netns import Namespace, NamespaceLike
    from .values.enums import Group

__all__ = ["AsyncConnection", "AsyncMonitor", "connect"]

_P = ParamSpec("_P")
_T = TypeVar("_T")

# What an exchange's answers may take of the receive buffer (the kernel counts each datagram's
# whole allocation), so that what is in flight fits it: the kernel drops answers that do not fit.
_ACK_COST, _REPLY_COST, _DUMP_COST = 1024, 4096, 32768


def connect(namespace: NamespaceLike | None = None) -> AsyncConnection:
    """An :class:`AsyncConnection` in ``namespace`` (default: the caller's own), as
    :func:`rtnl.connect` opens one: the thread is switched for the ``socket()`` call only. Call it
    with a running loop; use it as ``async with``."""
    return AsyncConnection(connection.connect(namespace))


class _Flight:
    """An exchange on its way: its answers go to ``future`` once every request is answered."""

    __slots__ = ("cost", "dump", "exchange", "future", "posted", "seqs", "then")

    def __init__(self, exchange: Exchange, future: asyncio.Future[list[Answer]], cost: int,
                 dump: bool) -> None:
        self.exchange, self.future, self.cost, self.dump = exchange, future, cost, dump
        self.seqs = tuple(exchange.waiting)
        self.posted = False  # counted in flight (sent, or about to be at the next _flush)
        # a lookup's operation and call, which the reader goes on with (_answered) instead of the future
        self.then: tuple[Operation[Any], _Call[Any]] | None = None


class _StandIn:
    """What a :class:`Connection` method runs against in a twin: the connection as operations see it
    (:class:`~rtnl.ops.Place`), with a ``run`` that keeps the operation for the twin to await."""

    __slots__ = ("_conn", "operation")

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self.operation: Operation[Any] | None = None

    @property
    def namespace_id(self) -> tuple[int, int] | None:
        return self._conn.namespace_id

    @property
    def kernel_echoes(self) -> bool:
        return self._conn.kernel_echoes

    @kernel_echoes.setter
    def kernel_echoes(self, value: bool) -> None:
        self._conn.kernel_echoes = value

    def run(self, operation: Operation[Any]) -> object:
        self.operation = operation
        return _HANDED_OVER


_HANDED_OVER = object()


def _twin(method: Callable[Concatenate[Connection, _P], _T]
          ) -> Callable[Concatenate[AsyncConnection, _P], Coroutine[Any, Any, _T]]:
    """The coroutine twin of a :class:`Connection` method that runs one operation: the method's own
    body checks and builds the operation, the twin runs it on the loop. A method may answer without
    an operation (``index(7)``); it must not change what ``run`` returned."""

    async def twin(self: AsyncConnection, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        stand_in = self._stand_in  # (one per connection: nothing runs on the loop until it is read)
        stand_in.operation = None
        result = method(cast(Connection, stand_in), *args, **kwargs)
        operation, stand_in.operation = stand_in.operation, None
        if operation is None:
            return result
        if result is not _HANDED_OVER and result is not None:
            raise TypeError(f"Connection.{method.__name__} changes what run() returns: no async twin")
        return cast(_T, await self._drive(operation, None))

    functools.update_wrapper(twin, method)
    return twin


class _Call(asyncio.Future[_T]):
    """The answer of a lookup (``link()``, ``index()``, ``route_get()``): a future that the reader
    completes as the kernel answers, driving the operation from its callback, so that a thousand
    lookups gathered cost no task and no coroutine each. It is a coroutine too (``send``, ``throw``,
    ``close``), so ``create_task`` and ``TaskGroup.create_task`` take it as they take any other call's."""

    def send(self, value: None) -> Any:
        if not self.done():
            self._asyncio_future_blocking = True
            return self  # a task waits for it, then sends again
        raise StopIteration(self.result())

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        raise typ if val is None else val

    def close(self) -> None:
        pass


def _lookup(method: Callable[Concatenate[Connection, _P], _T]
            ) -> Callable[Concatenate[AsyncConnection, _P], Coroutine[Any, Any, _T]]:
    """The twin of a :class:`Connection` method that only reads, with requests of its own (no dump):
    as :func:`_twin`, but its operation is driven by the reader's callbacks, not a coroutine, and the
    call returns its :class:`_Call` at once (the request goes out at the next loop turn). Cancelled,
    it drops its late answers; a lookup has nothing to roll back."""

    def twin(self: AsyncConnection, /, *args: _P.args, **kwargs: _P.kwargs) -> _Call[_T]:
        call: _Call[_T] = _Call(loop=self._loop)
        stand_in = self._stand_in
        stand_in.operation = None
        try:
            result = method(cast(Connection, stand_in), *args, **kwargs)
        except BaseException as e:  # bad input: raised by the await, as a coroutine's would be
            call.set_exception(e)
            return call
        operation, stand_in.operation = stand_in.operation, None
        if operation is None:
            call.set_result(result)
        else:
            self._advance(operation, call, None, None)
        return call

    functools.update_wrapper(twin, method)
    if hasattr(inspect, "markcoroutinefunction"):  # 3.12+: inspect.iscoroutinefunction says so too
        inspect.markcoroutinefunction(twin)
    return cast("Callable[Concatenate[AsyncConnection, _P], Coroutine[Any, Any, _T]]", twin)


class AsyncConnection:
    """:class:`~rtnl.Connection`'s methods as coroutines, on one non-blocking socket read by the
    running loop; an async context manager. Many tasks may share it. Open it with :func:`connect`.
    """

    def __init__(self, blocking: Connection) -> None:
        self._blocking = blocking
        self.sock: NetlinkSocket = blocking.sock
        self.namespace: Namespace = blocking.namespace
        self.namespace_id = blocking.namespace_id
        self.kernel_echoes = False  #: as :attr:`Connection.kernel_echoes`
        try:
            self._loop = asyncio.get_running_loop()
            raw = self.sock.sock
            raw.setblocking(False)
            self._room = raw.getsockopt(_socket.SOL_SOCKET, _socket.SO_RCVBUF) // 2  # bytes in flight
            # bytes of requests per send: the kernel refuses a datagram larger than its send buffer
            self._send_size = raw.getsockopt(_socket.SOL_SOCKET, _socket.SO_SNDBUF) // 2
            self._loop.add_reader(raw.fileno(), self._readable)
        except BaseException:
            blocking.close()
            raise
        self._flights: dict[int, _Flight] = {}  # by sequence number, until every answer is read
        self._used = 0  # bytes of answers the exchanges in flight may take (at most _room)
        self._queued: collections.deque[_Flight] = collections.deque()  # waiting for room, in order
        self._outgoing: list[_Flight] = []  # posted, sent at the next _flush
        self._dumping = asyncio.Lock()  # the kernel runs one dump per socket at a time (EBUSY)
        self._closed = False
        self._stand_in = _StandIn(self)

    async def close(self) -> None:
        """Stop reading and close the socket (calls still waiting get ``ConnectionAbortedError``)."""
        if self._closed:
            return
        self._closed = True
        self._loop.remove_reader(self.sock.fileno())
        self._fail(ConnectionAbortedError(errno.ECONNABORTED, "the connection was closed"))
        self._blocking.close()

    async def __aenter__(self) -> AsyncConnection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return repr(self._blocking).replace("<rtnl.Connection", "<rtnl.aio.AsyncConnection", 1)

    # -- the driver ---------------------------------------------------------------------------------
    async def run(self, operation: Operation[_T]) -> _T:
        """Run an operation of :mod:`rtnl.ops` to its end on the loop and return its result, as
        :meth:`Connection.run <rtnl.Connection.run>` does (the same generators)."""
        return await self._drive(operation, None)

    async def _drive(self, operation: Operation[_T], failure: BaseException | None) -> _T:
        send, throw = operation.send, operation.throw
        answer: Any = None
        while True:
            try:
                step = send(answer) if failure is None else throw(failure)
            except StopIteration as done:
                return cast(_T, done.value)
            failure = None
            try:
                if isinstance(step, Inside):
                    answer = await self._inside(step)
                    continue
                asking = exchanges(step)  # (answered here, not in a coroutine of its own: a lookup's cost)
                exchange = next(asking)
                while True:
                    try:
                        answers = await self._exchange(*exchange)
                    except _Interrupted as stop:  # the step is answered once the exchange sent is (no more)
                        stop.pending = _last(asking, stop.pending)
                        raise
                    try:
                        exchange = asking.send(answers)
                    except StopIteration as done:
                        answer = done.value
                        break
            except _Interrupted as stop:  # a request was sent: answered first, then rolled back
                await _to_the_end(self._roll_back(operation, stop.pending, stop.cancel))
                raise stop.cancel from None
            except asyncio.CancelledError as cancel:  # a dump, or an Inside that rolled itself back
                await _to_the_end(self._roll_back(operation, None, cancel))
                raise
            except BaseException as e:
                answer, failure = None, e

    async def _roll_back(self, operation: Operation[Any], answering: Awaitable[Any] | None,
                         cancel: asyncio.CancelledError) -> None:
        """Throw the cancellation into ``operation`` once the step in flight is answered (a refusal is
        thrown in instead: that step was not carried out) and run its rollback to the end."""
        failure: BaseException = cancel
        if answering is not None:
            try:
                await answering
            except Exception as e:  # a refusal, or answers lost (the connection closed meanwhile...)
                failure = e
        with contextlib.suppress(Exception, asyncio.CancelledError):  # (the operation re-raises what
            await self._drive(operation, failure)                    # it was thrown: the caller raises)

    @staticmethod
    async def _inside(step: Inside) -> Any:
        async with connect(cast("Namespace", step.namespace)) as inside:
            return await inside.run(step.operation(inside))

    # -- lookups, driven by the reader's callbacks ----------------------------------------------------------
    def _advance(self, operation: Operation[Any], call: _Call[Any], answer: Any,
                 failure: BaseException | None) -> None:
        """Run a lookup's operation to its next request (posted; its answer to :meth:`_answered`) or
        to its end (``call``'s result or exception). A request's answer is what ``requesting`` makes
        of it, without its generator: the messages, or the error thrown in."""
        while True:
            if call.done():  # cancelled: the operation is dropped with its late answers
                operation.close()
                return
            try:
                step = operation.send(answer) if failure is None else operation.throw(failure)
            except StopIteration as done:
                call.set_result(done.value)
                return
            except BaseException as e:
                call.set_exception(e)
                return
            answer = failure = None
            try:
                if type(step) is not Request or step.then is not None:
                    raise TypeError(f"a lookup's step is a Request of one message, not {step!r}")
                flight = self._flight([step.message], NLM_F_ACK if step.ack else 0, None)
                flight.then = (operation, call)
                return
            except BaseException as e:
                failure = e

    def _answered(self, flight: _Flight, answers: list[Answer] | BaseException) -> None:
        operation, call = flight.then  # type: ignore[misc]
        answer = answers if isinstance(answers, BaseException) else answers[0]
        if isinstance(answer, BaseException):
            self._advance(operation, call, None, answer)
        else:
            self._advance(operation, call, answer, None)

    # -- one exchange, answered by the reader -------------------------------------------------------------
    async def _exchange(self, msgs: list[Message], how: int) -> list[Answer]:
        if self._closed:
            raise ConnectionAbortedError(errno.ECONNABORTED, "the connection is closed")
        dump = how == NLM_F_DUMP
        if dump:
            await self._dumping.acquire()  # (cancelled here: nothing was sent)
        flight = self._flight(msgs, how, self._loop.create_future())
        try:
            return await flight.future
        except asyncio.CancelledError as cancel:
            if dump:  # a dump is only read: dropped, and its late datagrams with it
                if not flight.posted and flight in self._queued:  # (not failed meanwhile)
                    self._queued.remove(flight)
                    self._dumping.release()
                raise
            later = flight.future  # answered (or failed) just before the cancellation came
            if later.cancelled():  # (the cancellation cancels the future awaited) the answers still come
                later = flight.future = self._loop.create_future()
            raise _Interrupted(cancel, later) from None

    def _flight(self, msgs: list[Message], how: int, future: Any) -> _Flight:
        """An exchange of ``msgs``, posted, or queued until the answers before it make room."""
        if self._closed:
            raise ConnectionAbortedError(errno.ECONNABORTED, "the connection is closed")
        dump = how == NLM_F_DUMP
        cost = _DUMP_COST if dump else 0
        for m in msgs if not dump else ():
            cost += _REPLY_COST if answers_data(m) else _ACK_COST
        flight = _Flight(self.sock.begin(msgs, how), future, min(cost, self._room), dump)
        if self._queued or self._used + cost > self._room:
            self._queued.append(flight)  # sent by the reader once the answers before it make room
        else:
            self._post(flight)
        return flight

    def _post(self, flight: _Flight) -> None:
        """Count ``flight`` in flight and queue its datagram for the next :meth:`_flush`."""
        flight.posted = True
        self._used += flight.cost
        for seq in flight.seqs:
            self._flights[seq] = flight
        self._outgoing.append(flight)
        if len(self._outgoing) == 1:
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        """Send every datagram posted during the last loop turn, as few ``send`` calls as will do: the
        kernel carries out a datagram's requests one after another (``netlink_rcv_skb``), so
        requests of many callers go out together (up to half the send buffer a call)."""
        outgoing, self._outgoing = self._outgoing, []
        batch: list[_Flight] = []
        size = 0
        for flight in outgoing:
            if batch and size + len(flight.exchange.datagram) > self._send_size:
                self._send(batch)
                batch, size = [], 0
            batch.append(flight)
            size += len(flight.exchange.datagram)
        if batch:
            self._send(batch)

    def _send(self, batch: list[_Flight]) -> None:
        try:
            self.sock.sock.send(b"".join([f.exchange.datagram for f in batch]))
        except OSError as e:
            for flight in batch:
                self._land(flight)
                self._refuse(flight, e)

    def _release(self, cost: int) -> None:
        """``cost`` bytes of the receive buffer are free again: post what was queued and fits now."""
        self._used -= cost
        queued = self._queued
        while queued and (not self._used or self._used + queued[0].cost <= self._room):
            self._post(queued.popleft())

    def _readable(self) -> None:
        """The loop's reader: every datagram queued, each to the exchange its sequence number names."""
        flights, sock = self._flights, self.sock
        while True:
            try:
                data = sock.recv_nowait()
            except OSError as e:  # ENOBUFS: answers were dropped; who lost one cannot be told
                self._fail(NetlinkError.from_errno(e.errno or errno.EIO, "netlink: answers were lost "
                                                   "(the receive buffer overflowed)"))
                return
            if data is None:
                return
            flight = flights.get(SEQ.unpack_from(data, 8)[0]) if len(data) >= 16 else None
            if flight is None:
                continue  # the late answer of a request whose exchange is over
            sock.feed(flight.exchange, data)
            if not flight.exchange.waiting:
                self._land(flight)
                if flight.then is not None:
                    self._answered(flight, flight.exchange.answers())
                elif not flight.future.done():  # (a cancelled caller's answer is dropped)
                    flight.future.set_result(flight.exchange.answers())

    def _land(self, flight: _Flight) -> None:
        for seq in flight.seqs:
            self._flights.pop(seq, None)
        if flight.dump:
            self._dumping.release()
        self._release(flight.cost)

    def _fail(self, error: BaseException) -> None:
        """Every exchange in flight or queued fails with ``error`` (their answers will not come)."""
        failing = [*{id(f): f for f in self._flights.values()}.values(), *self._queued]
        self._queued.clear()  # (so that _land posts none of them)
        self._outgoing.clear()  # not sent: refused (NetlinkError), as the kernel would
        for flight in failing:
            if flight.posted:
                self._land(flight)
            elif flight.dump:
                self._dumping.release()
            self._refuse(flight, error)

    def _refuse(self, flight: _Flight, error: BaseException) -> None:
        """``flight``'s answers will not come: its caller gets ``error``, or the rollback of a caller
        cancelled meanwhile does (it awaits those answers, see :meth:`_exchange`)."""
        if flight.then is not None:
            self._answered(flight, error)
            return
        if flight.future.done() and not flight.dump:  # (cancelled: only what is left undone can be)
            flight.future = self._loop.create_future()
        if not flight.future.done():
            flight.future.set_exception(error)

    # -- events ------------------------------------------------------------------------------------------
    def monitor(self, *groups: Group | int, rcvbuf: int | None = None) -> AsyncMonitor:
        """``async for event in net.monitor()``: the events of :meth:`Connection.monitor
        <rtnl.Connection.monitor>`, read through the loop; :class:`~rtnl.Overrun` comes as an event."""
        return AsyncMonitor(open_monitor(self.namespace, groups, rcvbuf=rcvbuf))

    # -- every operation of Connection, one line each (tests/pure/test_aio.py holds the list complete) --
    request = _twin(Connection.request)
    dump = _twin(Connection.dump)
    links = _twin(Connection.links)
    link = _lookup(Connection.link)
    index = _lookup(Connection.index)
    add = _twin(Connection.add)
    add_many = _twin(Connection.add_many)
    set = _twin(Connection.set)
    move = _twin(Connection.move)
    delete = _twin(Connection.delete)
    delete_many = _twin(Connection.delete_many)
    set_bridge_port = _twin(Connection.set_bridge_port)
    addresses = _twin(Connection.addresses)
    add_address = _twin(Connection.add_address)
    delete_address = _twin(Connection.delete_address)
    add_addresses = _twin(Connection.add_addresses)
    routes = _twin(Connection.routes)
    add_route = _twin(Connection.add_route)
    delete_route = _twin(Connection.delete_route)
    add_routes = _twin(Connection.add_routes)
    route_get = _lookup(Connection.route_get)
    neighbours = _twin(Connection.neighbours)
    add_neighbour = _twin(Connection.add_neighbour)
    delete_neighbour = _twin(Connection.delete_neighbour)
    flush_neighbours = _twin(Connection.flush_neighbours)
    fdb = _twin(Connection.fdb)
    rules = _twin(Connection.rules)
    add_rule = _twin(Connection.add_rule)
    delete_rule = _twin(Connection.delete_rule)


class _Interrupted(asyncio.CancelledError):
    """A cancellation that came after a request was sent (or while it waited to be): ``pending``
    still answers it, and ``cancel`` is what the caller gets once the rollback is done."""

    def __init__(self, cancel: asyncio.CancelledError, pending: Awaitable[Any]) -> None:
        super().__init__(*cancel.args)
        self.cancel, self.pending = cancel, pending


async def _last(asking: Generator[Any, Any, Any], answers: Awaitable[Any]) -> None:
    """Hand the answers of the exchange in flight to ``asking`` (a refusal raises there) and stop it."""
    try:
        asking.send(await answers)
    except StopIteration:
        pass
    finally:
        asking.close()


async def _to_the_end(work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` to its end in a task of its own, however often the caller is cancelled meanwhile."""
    task = asyncio.ensure_future(work)
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            continue


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class AsyncMonitor:
    """An async iterator of :data:`~rtnl.Event` values (``async for``), over a :class:`~rtnl.Monitor`
    whose socket the loop watches; an async context manager that closes it."""

    def __init__(self, monitor: Monitor) -> None:
        self.monitor = monitor

    def fileno(self) -> int:
        """The socket's descriptor, for other event loops."""
        return self.monitor.fileno()

    async def get(self, timeout: float | None = None) -> Event | None:
        """The next event, waiting at most ``timeout`` seconds (``None``: forever); ``None`` on timeout."""
        try:
            return await asyncio.wait_for(self._next(), timeout)
        except asyncio.TimeoutError:
            return None

    async def _next(self) -> Event:
        loop = asyncio.get_running_loop()
        while (event := self.monitor.get(0)) is None:  # the blocking reader, never waiting
            readable = loop.create_future()
            fd = self.fileno()
            loop.add_reader(fd, _wake, readable)
            try:
                await readable
            finally:
                loop.remove_reader(fd)
        return event

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        return await self._next()

    def close(self) -> None:
        """Close the socket: no more events (idempotent)."""
        self.monitor.close()

    async def __aenter__(self) -> AsyncMonitor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

