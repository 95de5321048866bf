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
that do not fit), and the rest wait in order for the reader, which sends them as the answers it reads
make room and reads their answers in the same wake-up. Lookups (``link``, ``index``, ``route_get``)
need no coroutine at all: their operation is driven by the reader's callbacks, and the call returns
at once an awaitable that is a future (``gather`` wraps no task around it) and a coroutine
(``create_task`` takes it); its request is built and sent when there is room for its answer.

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
import contextvars
import errno
import functools
import inspect
import struct
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Generator
from typing import TYPE_CHECKING, Any, Concatenate, Literal, ParamSpec, TypeAlias, TypeVar, cast

from . import connection
from ._fast import Rows
from .connection import Connection
from .errors import NetlinkError
from .monitor import Event, Monitor, open_monitor
from .netlink import Answer, Exchange, NetlinkSocket, answers_data
from .ops import Inside, Operation, Request, exchanges
from .uapi import NLM_F_ACK, NLM_F_DUMP
from .wire.message import Message

if TYPE_CHECKING:
    from .netns import Namespace, NamespaceLike
    from .values.enums import Group

__all__ = ["AsyncConnection", "AsyncMonitor", "connect"]

_P = ParamSpec("_P")
_T = TypeVar("_T")
_SEQ = struct.Struct("=I")  # nlmsghdr.nlmsg_seq, at offset 8 of a datagram's first message

# What an exchange's answers may take of the receive buffer (the kernel counts each datagram's
# whole allocation), so that what is in flight fits it: the kernel drops answers that do not fit.
_ACK_COST, _REPLY_COST, _DUMP_COST = 1024, 4096, 32768
_PASSES = 16  # reads of the socket a wake-up of the reader, each after sending what the last made room for


def connect(namespace: NamespaceLike | None = None) -> AsyncConnection:
    """An :class:`AsyncConnection` in ``namespace`` (default: the caller's own), as
    :func:`rtnl.connect` opens one: the thread is switched for the ``socket()`` call only. Call it
    with a running loop; use it as ``async with``."""
    return AsyncConnection(connection.connect(namespace))


class _Flight:
    """An exchange on its way, for a coroutine that awaits ``future`` (see :meth:`AsyncConnection._exchange`).

    What :meth:`AsyncConnection._read` needs of anything in flight (a lookup's :class:`_Call` has the
    same): ``exchange``, its ``seqs``, the ``cost`` of its answers in the receive buffer, ``posted``
    (counted in flight: sent, or about to be at the next ``_flush``), ``dump``, and ``land``.
    """

    __slots__ = ("cost", "dump", "exchange", "future", "posted", "seqs")

    def __init__(self, exchange: Exchange, future: asyncio.Future[list[Answer]], cost: int,
                 dump: bool) -> None:
        self.exchange, self.future, self.cost, self.dump = exchange, future, cost, dump
        self.seqs = tuple(exchange.waiting)
        self.posted = False

    def land(self, outcome: list[Answer] | BaseException) -> None:
        """The exchange is over: its answers, or the error that says they will not come, go to the
        caller. A caller cancelled meanwhile gets them on a new future, which its rollback awaits
        (see ``_exchange``); a dump's are dropped."""
        future = self.future
        if future.done():
            if self.dump:
                return
            future = self.future = future.get_loop().create_future()
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


class _StandIn:
    """What a :class:`Connection` method runs against in a twin: the connection as operations see it
    (:class:`~rtnl.ops.Place`), with a ``run`` that keeps the operation for the twin to await."""

    __slots__ = ("_conn", "namespace_id", "operation")

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self.namespace_id = conn.namespace_id
        self.operation: Operation[Any] | None = None

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
_Posted: TypeAlias = "_Flight | _Call[Any]"  # what waits for room, then for its answers


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
    lookups gathered cost no task and no coroutine each. It is its own flight (as :class:`_Flight`),
    queued with its operation not yet started: the request is built when the receive buffer has
    room for its answer, so a thousand lookups called at once are built one batch at a time, each
    just before it is sent. It is a coroutine too (``send``, ``throw``, ``close``), so
    ``create_task`` and ``TaskGroup.create_task`` take it as they take any other call's.

    The first callback added while it is not done (``gather``'s, or the awaiting task's) is kept
    here instead of in the future: :meth:`AsyncConnection._deliver` runs the kept callbacks of every
    lookup completed in a loop turn in one loop callback, where the future would schedule one
    each (``loop.call_soon``, in Python on the default loop). A second callback, a cancellation or
    a call not made by a lookup twin (``kept`` unset) goes the future's own way.
    """

    __slots__ = ("conn", "exchange", "kept", "operation", "posted", "seqs")
    kept: tuple[Callable[[Any], object], contextvars.Context] | Literal[False] | None
    conn: AsyncConnection
    operation: Operation[Any]
    exchange: Exchange  # (None while its operation is not started: see _release)
    posted: bool
    seqs: tuple[int, ...]
    cost = _REPLY_COST  # a lookup only reads: each of its requests is answered with data
    dump = False

    def land(self, outcome: list[Answer] | BaseException | None) -> bool:
        """Go on with the operation: ``None`` starts it (from ``_release``, which posts its request);
        an answer goes in as ``requesting`` would make it, without its generator (the messages are
        sent in, an error is thrown in). True: ``exchange`` holds its next request (queued, or posted
        by the caller); False: it is over, its result or error set (or it was cancelled: dropped with
        its late answers)."""
        answer: Any = outcome[0] if type(outcome) is list else outcome
        operation = self.operation
        while True:
            if self.done():
                operation.close()
                return False
            try:
                thrown = isinstance(answer, BaseException)
                step = operation.throw(answer) if thrown else operation.send(answer)
            except StopIteration as done:
                self.set_result(done.value)
                break
            except BaseException as e:
                self.set_exception(e)
                break
            try:
                if type(step) is not Request or step.then is not None:
                    raise TypeError(f"a lookup's step is a Request of one message, not {step!r}")
                self.exchange = self.conn.sock.begin([step.message], NLM_F_ACK if step.ack else 0)
            except BaseException as e:
                answer = e
                continue
            self.seqs = tuple(self.exchange.waiting)
            self.posted = False
            if outcome is not None:
                self.conn._queue(self)
            return True
        if self.kept:  # its callback runs with those of the other lookups completed in this turn
            conn = self.conn
            if not conn._completed:
                conn._loop.call_soon(conn._deliver)
            conn._completed.append(self)
        return False

    def add_done_callback(self, fn: Callable[[Any], object], *,
                          context: contextvars.Context | None = None) -> None:
        if getattr(self, "kept", False) is None and not self.done():
            self.kept = (fn, context or contextvars.copy_context())
            return
        self._unkeep()  # (first: callbacks run in the order they were added)
        if context is None:  # (given as None, the future would take the context current when it is done)
            super().add_done_callback(fn)
        else:
            super().add_done_callback(fn, context=context)

    def remove_done_callback(self, fn: Callable[[Any], object]) -> int:
        kept = getattr(self, "kept", None)
        removed = 0
        if kept and kept[0] == fn and not self.done():  # (done, it is called all the same, as a future's)
            self.kept, removed = None, 1
        return removed + super().remove_done_callback(fn)

    def cancel(self, msg: Any = None) -> bool:
        if not self.done():
            self._unkeep()
        return super().cancel(msg)

    def _unkeep(self) -> None:
        """The future's own way from now on, for the kept callback too (unless it waits for _deliver)."""
        kept: Any = getattr(self, "kept", False)
        if kept is False or (kept and self.done()):
            return
        self.kept = False
        if kept:
            super().add_done_callback(kept[0], context=kept[1])

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
    call returns its :class:`_Call` at once (the request goes out at a later loop turn). Cancelled,
    it drops its late answers; a lookup has nothing to roll back."""

    def twin(self: AsyncConnection, /, *args: _P.args, **kwargs: _P.kwargs) -> _Call[_T]:
        call: _Call[_T] = _Call(loop=self._loop)
        call.kept = None
        stand_in = self._stand_in
        try:
            result = method(self._as_connection, *args, **kwargs)
        except BaseException as e:  # bad input: raised by the await, as a coroutine's would be
            stand_in.operation = None
            call.set_exception(e)
            return call
        operation = stand_in.operation
        if operation is None:
            call.set_result(result)
            return call
        stand_in.operation = None
        call.conn, call.operation, call.exchange = self, operation, None  # type: ignore[assignment]
        if self._closed:
            call.land(ConnectionAbortedError(errno.ECONNABORTED, "the connection is closed"))
        elif self._queued:  # (then the first queued does not fit: no room to post this one either)
            self._queued.append(call)
        else:
            self._queue(call)
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
        self._flights: dict[int, _Posted] = {}  # by sequence number, until every answer is read
        self._used = 0  # bytes of answers the exchanges in flight may take (at most _room)
        self._queued: collections.deque[_Posted] = collections.deque()  # waiting for room, in order
        self._outgoing: list[_Posted] = []  # posted, sent at the next _flush
        self._dumping = asyncio.Lock()  # the kernel runs one dump per socket at a time (EBUSY)
        self._closed = False
        self._stand_in = _StandIn(self)
        self._as_connection = cast(Connection, self._stand_in)  # (what the twins hand the methods)
        self._completed: list[_Call[Any]] = []  # lookups done whose kept callbacks _deliver runs

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

    # -- one exchange, answered by the reader -------------------------------------------------------------
    async def _exchange(self, msgs: list[Message], how: int, rows: Rows | None = None) -> list[Answer]:
        if self._closed:
            raise ConnectionAbortedError(errno.ECONNABORTED, "the connection is closed")
        dump = how == NLM_F_DUMP
        if dump:
            await self._dumping.acquire()  # (cancelled here: nothing was sent)
        flight = self._flight(msgs, how, rows)
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

    def _flight(self, msgs: list[Message], how: int, rows: Rows | None = None) -> _Flight:
        """An exchange of ``msgs`` (a dump's read in ``rows``, if given), queued (see :meth:`_queue`)."""
        if self._closed:
            raise ConnectionAbortedError(errno.ECONNABORTED, "the connection is closed")
        dump = how == NLM_F_DUMP
        cost = _DUMP_COST if dump else 0
        for m in msgs if not dump else ():
            cost += _REPLY_COST if answers_data(m) else _ACK_COST
        flight = _Flight(self.sock.begin(msgs, how, rows), self._loop.create_future(), min(cost, self._room),
                         dump)
        self._queue(flight)
        return flight

    def _queue(self, flight: _Posted) -> None:
        """Queue ``flight`` behind those waiting for room in the receive buffer; post it if it fits now."""
        self._queued.append(flight)
        self._release(0)

    def _flush(self) -> None:
        """Send every datagram posted during the last loop turn, as few ``send`` calls as will do: the
        kernel carries out a datagram's requests one after another (``netlink_rcv_skb``), so
        requests of many callers go out together (up to half the send buffer a call)."""
        outgoing, self._outgoing = self._outgoing, []
        batch: list[_Posted] = []
        size = 0
        for flight in outgoing:
            if batch and size + len(flight.exchange.datagram) > self._send_size:
                self._send(batch)
                batch, size = [], 0
            batch.append(flight)
            size += len(flight.exchange.datagram)
        if batch:
            self._send(batch)

    def _send(self, batch: list[_Posted]) -> None:
        try:
            self.sock.sock.send(b"".join([f.exchange.datagram for f in batch]))
        except OSError as e:
            for flight in batch:
                self._land(flight)
                flight.land(e)

    def _release(self, cost: int) -> None:
        """``cost`` bytes of the receive buffer are free again: post what is queued and fits now, in
        order (each counted in flight, its datagram sent at the next :meth:`_flush`); a lookup not
        started yet is started now, and skipped if it ends without a request."""
        used = self._used - cost
        queued, room, flights, outgoing = self._queued, self._room, self._flights, self._outgoing
        while queued and (not used or used + queued[0].cost <= room):
            flight = queued.popleft()
            if flight.exchange is None and type(flight) is _Call and not flight.land(None):
                continue
            flight.posted = True
            used += flight.cost
            for seq in flight.seqs:
                flights[seq] = flight
            if not outgoing:
                self._loop.call_soon(self._flush)
            outgoing.append(flight)
        self._used = used

    def _readable(self) -> None:
        """The loop's reader. The requests that the answers it read made room for are sent at once,
        not at the next turn, and as the kernel answers a request during its ``send``, their answers
        are read in the same wake-up: a burst of lookups costs no loop turn a batch. Up to
        :data:`_PASSES` times, so that a burst holds the loop for a few milliseconds at most."""
        for _ in range(_PASSES):
            self._read()
            if not self._outgoing or self._closed:
                return
            self._flush()

    def _read(self) -> None:
        """Every datagram queued, each to the exchange its sequence number names; the room of the
        exchanges answered is released once all are read."""
        flights, sock, feed, seq_of = self._flights, self.sock, self.sock.feed, _SEQ.unpack_from
        freed = 0
        try:
            while True:
                try:
                    data = sock.recv_nowait()
                except OSError as e:  # ENOBUFS: answers were dropped; who lost one cannot be told
                    self._fail(NetlinkError.from_errno(e.errno or errno.EIO, "netlink: answers were lost "
                                                       "(the receive buffer overflowed)"))
                    return
                if data is None:
                    return
                flight = flights.get(seq_of(data, 8)[0]) if len(data) >= 16 else None
                if flight is None:
                    continue  # the late answer of a request whose exchange is over
                exchange = flight.exchange
                feed(exchange, data)
                if exchange.waiting:
                    continue
                for seq in flight.seqs:
                    del flights[seq]
                freed += flight.cost
                if flight.dump:
                    self._dumping.release()
                flight.land(exchange.answers())
        finally:
            self._release(freed)

    def _deliver(self) -> None:
        """Run the callbacks kept by the lookups completed since the last turn (see :class:`_Call`),
        each in its context, as the loop runs a callback (an error goes to its exception handler)."""
        completed, self._completed = self._completed, []
        for i, call in enumerate(completed):
            kept = call.kept
            if not kept:
                continue  # (removed, or handed to the future meanwhile)
            call.kept = None
            try:
                kept[1].run(kept[0], call)
            except (SystemExit, KeyboardInterrupt):
                if len(completed) > i + 1:  # the others' run at a later turn
                    if not self._completed:
                        self._loop.call_soon(self._deliver)
                    self._completed[:0] = completed[i + 1:]
                raise
            except BaseException as exc:
                self._loop.call_exception_handler(
                    {"message": f"Exception in callback {kept[0]!r}", "exception": exc, "future": call})

    def _land(self, flight: _Posted) -> None:
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
            flight.land(error)

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

