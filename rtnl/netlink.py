"""The NETLINK_ROUTE socket and its one reply loop.

Every way of asking the kernel (one request and its ack, an echo, a dump, a pipelined window of
requests) sends encoded messages and then runs ``NetlinkSocket._exchange``, the one loop that
reads the answers. Like libmnl's ``__mnl_cb_run`` it drops datagrams not sent by the kernel (port id
0) and answers not for us (sequence number, port id), collects data messages per request, and hands
netlink's own message types to one table, ``_CONTROL`` (``NLMSG_NOOP``, ``NLMSG_ERROR``,
``NLMSG_DONE``, ``NLMSG_OVERRUN``), which says when a request is done and with what error (a plain
ack alone in its datagram, most requests' only answer, is read from its header without decoding,
to the same effect). A request or two, most steps, are read in step (``_in_step``): each answer
known whole (a plain ack, a lone reply) ends its request with no bookkeeping, and the first that
is anything else goes to that loop for the requests still waiting. Errors
become :class:`~rtnl.errors.NetlinkError` with the kernel's ext-ack text and the offending
attribute's name; ext-ack warnings sent with a success are kept; dumps the kernel marked
``NLM_F_DUMP_INTR`` are read again. One lock serialises exchanges, so a socket can be shared between
threads.

This module knows the socket and the wire format: not typed values or operations.
"""

from __future__ import annotations

import _socket  # socket.py's type, without its enums and selectors: ~4 ms of `import rtnl` saved
import collections
import errno
import itertools
import struct
import threading
import warnings
from collections.abc import Callable, Container, Generator, Iterable
from typing import Any, TypeVar

from ._fast import Rows, message_rows
from .errors import DecodeError, DumpInterrupted, NetlinkError, NetlinkWarning
from .uapi import (
    NETLINK_ADD_MEMBERSHIP,
    NETLINK_CAP_ACK,
    NETLINK_EXT_ACK,
    NETLINK_GET_STRICT_CHK,
    NETLINK_ROUTE,
    NLM_F_ACK,
    NLM_F_ACK_TLVS,
    NLM_F_CAPPED,
    NLM_F_DUMP,
    NLM_F_DUMP_INTR,
    NLM_F_ECHO,
    NLM_F_MULTI,
    NLM_F_REQUEST,
    NLMSG_DONE,
    NLMSG_ERROR,
    NLMSG_MIN_TYPE,
    NLMSG_NOOP,
    NLMSG_OVERRUN,
    RTM_GETADDR,
    RTM_NEWADDR,
    SO_RCVBUFFORCE,
    SOL_NETLINK,
)
from .wire.headers import NLMSGHDR
from .wire.message import Message, attribute_at, decode

__all__ = ["DUMP_RETRIES", "ECHO_WINDOW", "RECV_SIZE", "SEQ", "WINDOW", "Exchange", "Exchanges",
           "NetlinkSocket", "NetlinkWarning", "answered_small", "answers_data", "dumping", "each",
           "requesting"]

DUMP_RETRIES = 5
MAX_WARNINGS = 64  # ext-ack warnings kept per socket (the oldest are dropped)
WINDOW = 64  # requests in flight in request_each: their answers must fit the receive queue
#: requests in flight when each is answered with a whole link (an echoed RTM_NEWLINK: ~1.5 KB, some
#: 4 KB of receive buffer with its ack), so that a window's answers fit the default 208 KiB
ECHO_WINDOW = 16
#: bytes asked for per receive, whatever the datagram's size: the kernel sizes the datagrams of a dump
#: by what the reader asks for (up to 32 KiB), so asking for a peeked datagram's size kept dumps in
#: ~4 KiB datagrams, some ten times as many (issue 16)
RECV_SIZE = 1 << 16
_SO_RCVBUFFORCE = getattr(_socket, "SO_RCVBUFFORCE", SO_RCVBUFFORCE)  # the C library's, where it says
_MSG_DONTWAIT = _socket.MSG_DONTWAIT
_MSG_TRUNC = _socket.MSG_TRUNC
_MSG_PEEK_TRUNC = _socket.MSG_PEEK | _MSG_TRUNC
SEQ = struct.Struct("=I")  # nlmsghdr.nlmsg_seq, at offset 8 of a datagram's first message
_TYPE_FLAGS = struct.Struct("=HH").unpack_from  # nlmsghdr.nlmsg_type and nlmsg_flags, at offset 4
#: a plain ack as the kernel sends it to a socket with NETLINK_CAP_ACK: struct nlmsghdr (flags
#: NLM_F_CAPPED, no ext-ack attributes) and struct nlmsgerr's error, 0, then the request's nlmsghdr
#: (linux/netlink.h)
_PLAIN_ACK = struct.Struct("=IHHIIi16x")
_ACK_HEAD = struct.Struct("=IHHIIi")  # the same without the request's nlmsghdr
_ACK_SIZE = _PLAIN_ACK.size

Answer = list[Any] | NetlinkError
"""What one request got: its data messages (the ack left out), or the error it failed with. A dump
read in rows (see :func:`dumping`) got ``(datagram, rows)`` pairs instead of messages."""
_T = TypeVar("_T")
Exchanges = Generator[tuple[list[Message], int, Rows | None], list[Answer], _T]
"""A way of asking, without I/O: it yields ``(messages, how, rows)`` for each exchange to run (``how``
is ``NLM_F_ACK``, ``NLM_F_DUMP`` or 0; ``rows``, for a dump, says how to read its messages, else
``None``), receives that exchange's answers, and returns what the asker gets.
:meth:`NetlinkSocket.ask` runs one blocking; an asyncio driver runs the same ones."""


def answers_data(msg: Message) -> bool:
    """Whether the kernel answers ``msg`` with data, not with an ack alone: an echo, or a read (an
    ``RTM_GET*``, type 4n + 2 in linux/rtnetlink.h)."""
    return bool(msg.flags & NLM_F_ECHO) or msg.type % 4 == 2


def answered_small(msg: Message) -> bool:
    """Whether every answer to ``msg`` surely fits :data:`RECV_SIZE`: an ack or an error (its
    ext-ack at most: the request is not in it), or the one address a get of an address is answered
    with, or an add of one echoes (struct ifaddrmsg and a few short attributes). Not a dump, another
    echo (a link's may be large) or another read."""
    return _small(msg.type, msg.flags)


def _small(mtype: int, flags: int) -> bool:
    """:func:`answered_small` of a message by its type and flags (as encoded, too)."""
    if flags & NLM_F_ECHO:
        return mtype == RTM_NEWADDR
    # (NLM_F_DUMP's bits mean REPLACE|EXCL in a change: only a read is a dump by them)
    return mtype % 4 != 2 or (mtype == RTM_GETADDR and not flags & NLM_F_DUMP)


def requesting(msg: Message, ack: bool = True, then: Message | None = None) -> Exchanges[Answer]:
    """One request: its answer messages, or its ``NetlinkError`` raised (:meth:`NetlinkSocket.request`
    runs it without the generator). With ``then``, a read sent in the same datagram: ``msg``'s
    refusal is raised, else ``then``'s answer (messages or error) returned; ``then`` asks no ack
    (its answer, data or an error, ends it), so ``msg`` carries its own."""
    if then is None:
        [answer] = yield [msg], NLM_F_ACK if ack else 0, None
        return _answered(answer)
    first, second = yield [_acked(msg) if ack else msg, then], 0, None
    _answered(first)
    return second


def _acked(msg: Message) -> Message:
    """``msg`` asking for its ack itself (in an exchange that asks none of the others)."""
    return msg if msg.flags & NLM_F_ACK else Message(msg.type, msg.flags | NLM_F_ACK, header=msg.header,
                                                     attrs=msg.attrs)


def _answered(answer: Answer) -> list[Any]:
    if isinstance(answer, NetlinkError):
        raise answer
    return answer


def dumping(msg: Message, rows: Rows | None = None) -> Exchanges[list[Any]]:
    """One dump, read again while the kernel marks it interrupted (see :meth:`NetlinkSocket.dump`).

    With ``rows`` (``rtnl.wire.message.rows``), its messages are not decoded: each datagram is
    walked once in C (``rtnl._fast.message_rows``), and the answer is a ``(datagram, rows)``
    pair per datagram, its data messages' rows packed (``rows.row.iter_unpack`` reads them), for a
    reader of many messages that makes its own values of them."""
    for _ in range(DUMP_RETRIES):
        [answer] = yield [msg], NLM_F_DUMP, rows
        if not isinstance(answer, NetlinkError):
            return answer
        if not isinstance(answer, DumpInterrupted):
            raise answer
    raise DumpInterrupted()


def each(msgs: list[Message], window: int = WINDOW, ack: bool = True) -> Exchanges[list[Answer]]:
    """Many requests, ``window`` per exchange (see :meth:`NetlinkSocket.request_each`)."""
    out: list[Answer] = []
    how = NLM_F_ACK if ack else 0
    for start in range(0, len(msgs), window):
        out += yield msgs[start:start + window], how, None
    return out


class _Waiting:
    """One request of an exchange whose answer is still coming in."""

    __slots__ = ("data", "error", "interrupted", "messages")

    def __init__(self, data: bytes) -> None:
        self.data = data  # the request as sent: ext-ack offsets point into it
        self.messages: list[Any] = []  # Messages, or a dump's (datagram, rows) pairs
        self.error: NetlinkError | None = None
        self.interrupted = False


class Exchange:
    """Requests sent together and their answers as they come in (see :meth:`NetlinkSocket.begin`).

    A dump ends with NLMSG_DONE; an acked request with NLMSG_ERROR; an unacked one (``how`` 0) at
    its first answer that is not part of a multi-part reply.
    """

    __slots__ = ("datagram", "how", "order", "rows", "small", "waiting")

    def __init__(self, sent: list[tuple[int, bytes]], how: int, small: bool,
                 rows: Rows | None = None) -> None:
        self.how = how
        self.rows = rows if how == NLM_F_DUMP and len(sent) == 1 else None
        #: whether every answer surely fits RECV_SIZE (answered_small), so is read without a peek
        self.small = small
        self.waiting: dict[int, _Waiting] = {}
        self.order: list[_Waiting] = []
        for seq, data in sent:  # (sequence number, the request encoded)
            waiting = self.waiting[seq] = _Waiting(data)
            self.order.append(waiting)
        order = self.order
        self.datagram = b"".join([waiting.data for waiting in order]) if len(order) > 1 else order[0].data

    def answers(self) -> list[Answer]:
        """What each request got, in order: its messages, or its error."""
        return [sent.messages if sent.error is None else sent.error for sent in self.order]


class NetlinkSocket:
    """An AF_NETLINK / NETLINK_ROUTE socket with ext-ack, capped acks and strict dump checking on.

    ``sock`` lets a caller hand in a socket created elsewhere (e.g. inside another network namespace,
    where the socket stays bound for its whole life). ``groups`` subscribes to multicast groups
    (``RTNLGRP_*`` numbers) for event monitoring.
    """

    def __init__(self, sock: _socket.socket | None = None, *, groups: Iterable[int] = (),
                 rcvbuf: int | None = None) -> None:
        self.sock = sock or _socket.socket(_socket.AF_NETLINK, _socket.SOCK_RAW | _socket.SOCK_CLOEXEC,
                                          NETLINK_ROUTE)
        try:
            for opt in (NETLINK_EXT_ACK, NETLINK_CAP_ACK, NETLINK_GET_STRICT_CHK):
                self.sock.setsockopt(SOL_NETLINK, opt, 1)
            if rcvbuf:
                try:  # SO_RCVBUF is silently capped at net.core.rmem_max; root may go beyond it
                    self.sock.setsockopt(_socket.SOL_SOCKET, _SO_RCVBUFFORCE, rcvbuf)
                except PermissionError:
                    self.sock.setsockopt(_socket.SOL_SOCKET, _socket.SO_RCVBUF, rcvbuf)
            self.sock.bind((0, 0))
            for group in groups:
                self.sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group)
            self.portid: int = self.sock.getsockname()[0]
        except BaseException:
            self.sock.close()
            raise
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._peek = bytearray(16)
        # the last MAX_WARNINGS ext-ack messages the kernel sent with successful answers
        self.warnings: collections.deque[str] = collections.deque(maxlen=MAX_WARNINGS)

    # -- lifecycle ------------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the socket (idempotent)."""
        self.sock.close()

    def fileno(self) -> int:
        """The socket's descriptor, for ``select``/``poll`` (a :class:`~rtnl.monitor.Monitor` polls it)."""
        return self.sock.fileno()

    def __enter__(self) -> NetlinkSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- receiving -------------------------------------------------------------------------------------
    def recv(self) -> bytes:
        """One whole datagram from the kernel, never truncated.

        Datagrams not sent by the kernel (sender port id != 0) are dropped: no local process can
        inject answers.
        """
        while True:
            data = self._recv(0)
            if data is not None:
                return data

    def recv_nowait(self) -> bytes | None:
        """Like :meth:`recv`, but ``None`` at once when no datagram from the kernel is queued (one
        from another process is dropped, and does not make this wait)."""
        while True:
            try:
                data = self._recv(_MSG_DONTWAIT)
            except BlockingIOError:
                return None
            if data is not None:
                return data

    def _recv(self, flags: int) -> bytes | None:
        """One datagram; ``None`` if it was not the kernel's (dropped). The peek (``MSG_TRUNC``: the
        datagram's whole size, however few bytes are copied) makes a datagram larger than
        :data:`RECV_SIZE` come whole too."""
        size = self.sock.recv_into(self._peek, 0, _MSG_PEEK_TRUNC | flags)
        data, (sender, _groups) = self.sock.recvfrom(size if size > RECV_SIZE else RECV_SIZE, flags)
        return data if sender == 0 else None

    # -- request / answer ------------------------------------------------------------------------
    def request(self, msg: Message, *, ack: bool = True) -> list[Message]:
        """Send ``msg`` and return the kernel's answer messages (without the final ack).

        ``ack=False`` sends it without ``NLM_F_ACK``, for a request the kernel answers either way
        (a create with ``NLM_F_ECHO`` on Linux >= 6.3): it is done at its first answer.

        Raises :class:`NetlinkError` (errno subclass, with ext-ack text and the offending attribute).
        """
        with self._lock:  # requesting(), run without its generator (~1 µs): most steps are one request
            [answer] = self._exchange([msg], NLM_F_ACK if ack else 0)
        return _answered(answer)

    def request_then(self, msg: Message, then: Message, *, ack: bool = True) -> Answer:
        """Send ``msg`` and ``then``, a read, in one datagram: ``msg``'s refusal raised, else ``then``'s
        answer (its messages or its error) returned. :func:`requesting` with ``then``, run without
        its generator (~1.5 µs)."""
        with self._lock:
            first, second = self._exchange([_acked(msg) if ack else msg, then], 0)
        _answered(first)
        return second

    def request_encoded(self, change: bytes, then: bytes | None = None) -> Answer:
        """:meth:`request`, or with ``then`` :meth:`request_then`, of messages encoded already (an
        operation's fast path packs its most common requests whole): each with the flags it is sent
        with (``NLM_F_REQUEST``; ``NLM_F_ACK`` where an ack is to end it, else its first answer does:
        an echo, a read's) and port id 0; their sequence numbers are put in here. Raises ``change``'s
        refusal; returns its answer messages, or ``then``'s answer (messages or error)."""
        with self._lock:
            seq = next(self._seq)
            sent = [(seq, change[:8] + SEQ.pack(seq) + change[12:])]
            if then is not None:
                seq = next(self._seq)
                sent.append((seq, then[:8] + SEQ.pack(seq) + then[12:]))
            answers = self._in_step(sent, 0)
        _answered(answers[0])
        return answers[-1]

    def dump(self, msg: Message) -> list[Message]:
        """Send a dump request and return every message of the dump.

        A dump the kernel marks interrupted (its table changed meanwhile) is read again, up to
        ``DUMP_RETRIES`` times, then :class:`DumpInterrupted` is raised.
        """
        return self.ask(dumping(msg))

    def request_many(self, msgs: Iterable[Message]) -> None:
        """Send many requests and wait for every ack; the first error is raised after all answers
        were read, so the socket stays in step (see :meth:`request_each`)."""
        for answer in self.request_each(msgs):
            if isinstance(answer, NetlinkError):
                raise answer

    def request_each(self, msgs: Iterable[Message], *, window: int = WINDOW,
                     ack: bool = True) -> list[Answer]:
        """Send many requests and return what each got, in order: its answer messages (an echo,
        say; the ack itself left out), or the :class:`NetlinkError` it failed with. Every answer is
        read before this returns, so the socket stays in step.

        ``ack=False`` sends them without ``NLM_F_ACK`` (see :meth:`request`); there is then one
        datagram less to read per request.

        Requests go out ``window`` per datagram, the next window once the answers of the last one are
        in: the kernel handles a datagram's messages one after another and queues the answers on this
        socket, dropping those that do not fit (``ENOBUFS``), so an unbounded batch could lose acks
        and wait for them forever. Requests whose answers are large (echoed links) take a smaller
        window.
        """
        return self.ask(each(list(msgs), window, ack))

    def ask(self, asking: Exchanges[_T]) -> _T:
        """Run a way of asking (:data:`~rtnl.netlink.Exchanges`) over this socket, holding the lock
        throughout."""
        with self._lock:
            try:
                exchange = next(asking)
                while True:
                    exchange = asking.send(self._exchange(*exchange))
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]

    # -- the one loop --------------------------------------------------------------------------------
    def _exchange(self, msgs: list[Message], how: int, rows: Rows | None = None) -> list[Answer]:
        """Send ``msgs`` in one datagram, ``how`` (``NLM_F_ACK``, ``NLM_F_DUMP`` or 0) added to their
        flags, and read until each is answered (a dump's in ``rows``, if given). Call with the lock held."""
        if how != NLM_F_DUMP and len(msgs) <= 2:  # a change, or a change and a read of it: most steps
            return self._in_step(self._numbered(msgs, how), how)
        exchange = self.begin(msgs, how, rows)
        self.sock.sendall(exchange.datagram)
        self._read(exchange)
        return exchange.answers()

    def _read(self, exchange: Exchange) -> None:
        """Feed ``exchange`` what the kernel sends until every request of it is answered."""
        if exchange.small:
            while exchange.waiting:
                self.feed(exchange, self._recv_small(exchange.waiting))
        else:
            while exchange.waiting:
                self.feed(exchange, self.recv())

    def _in_step(self, sent: list[tuple[int, bytes]], how: int) -> list[Answer]:
        """``_exchange`` for a request or two, encoded (``(seq, bytes)`` each), read in step. The
        kernel handles a datagram's messages in order, so each request's answers come before the next
        one's, and most are known whole without an Exchange: a plain ack, a lone answer (a read's, an
        echo), decoded. The first that is anything else (an error, a late answer to an older request,
        a multi-part answer) goes to :meth:`feed`, in an Exchange of the requests still waiting."""
        self.sock.sendall(sent[0][1] if len(sent) == 1 else sent[0][1] + sent[1][1])
        answers: list[Answer] = []
        portid = self.portid
        waiting: tuple[int, ...] = (sent[0][0],) if len(sent) == 1 else (sent[0][0], sent[1][0])
        for seq, data in sent:
            mtype, flags = _TYPE_FLAGS(data, 4)
            small = _small(mtype, flags)
            plain = (_ACK_HEAD.pack(_ACK_SIZE, NLMSG_ERROR, NLM_F_CAPPED, seq, portid, 0) + data[:16]
                     if flags & NLM_F_ACK else None)
            got: list[Message] = []
            while True:
                reply = self._recv_small(waiting) if small else self.recv()
                if reply == plain:
                    break  # its plain ack: done
                lone = False
                if len(reply) >= NLMSGHDR.size:
                    length, rtype, rflags, rseq, pid = NLMSGHDR.unpack_from(reply)
                    lone = (length == len(reply) and rseq == seq and pid == portid and rtype >= NLMSG_MIN_TYPE
                            and not rflags & NLM_F_MULTI)
                if not lone:  # anything else: the general way, for this request and the rest
                    rest = sent[len(answers):]
                    exchange = Exchange(rest, how, all(_small(*_TYPE_FLAGS(d, 4)) for _, d in rest))
                    exchange.order[0].messages += got
                    self.feed(exchange, reply)
                    self._read(exchange)
                    return answers + exchange.answers()
                got += decode(reply)
                if plain is None:
                    break  # a lone answer ends an unacked request (an echo, a read)
            answers.append(got)
            waiting = waiting[1:]
        return answers

    def _recv_small(self, waiting: Container[int]) -> bytes:
        """One datagram from the kernel for requests whose answers are all small (acks, say), in one
        call: no peek at its size. One that did not fit :data:`RECV_SIZE` comes cut (``MSG_TRUNC``
        says so): the late answer of an exchange interrupted before, dropped as such answers are; for
        a request still ``waiting`` (which none can be) an error is raised."""
        while True:
            data, _, flags, (sender, _groups) = self.sock.recvmsg(RECV_SIZE)
            if sender != 0:
                continue
            if not flags & _MSG_TRUNC:
                return data
            if SEQ.unpack_from(data, 8)[0] in waiting:
                raise NetlinkError.from_errno(errno.EMSGSIZE, f"an answer larger than {RECV_SIZE} bytes, "
                                              "where a small one was expected, came cut")

    def begin(self, msgs: list[Message], how: int, rows: Rows | None = None) -> Exchange:
        """The first sans-IO step of ``_exchange``, for a driver that does its own I/O (asyncio): the
        encoded requests to send (``.datagram``), then :meth:`feed` each datagram received until
        ``.waiting`` is empty, then ``.answers()``."""
        small = how != NLM_F_DUMP and all(answered_small(msg) for msg in msgs)
        return Exchange(self._numbered(msgs, how), how, small, rows)

    def _numbered(self, msgs: list[Message], how: int) -> list[tuple[int, bytes]]:
        """``msgs`` encoded as sent, ``(seq, bytes)`` each: a sequence number of their own, port id 0
        (the kernel's), ``how`` added to their flags."""
        sent = []
        for msg in msgs:
            seq = next(self._seq)
            sent.append((seq, msg.encode(seq=seq, pid=0, flags=msg.flags | NLM_F_REQUEST | how)))
        return sent

    def feed(self, exchange: Exchange, data: bytes) -> None:
        """Hand one datagram from the kernel to ``exchange``: data messages are collected per request,
        netlink's own types go through ``_CONTROL``, answers not for us are skipped."""
        waiting, how, portid, control = exchange.waiting, exchange.how, self.portid, _CONTROL
        if len(data) == _PLAIN_ACK.size:  # most answers: a plain ack alone, read without decoding
            length, rtype, flags, seq, pid, error = _PLAIN_ACK.unpack(data)
            if (length, rtype, flags, error) == (_PLAIN_ACK.size, NLMSG_ERROR, NLM_F_CAPPED, 0):
                state = waiting.get(seq)
                if state is not None and pid == portid and _finish(state):  # what _error does with it
                    del waiting[seq]
                return
        kept: list[bytes] = []
        reading = exchange.rows if waiting else None
        if reading is not None:  # a dump read in rows: one C walk, no messages made
            [(seq, dumped)] = waiting.items()
            try:
                table, plain = message_rows(data, reading, seq, portid)
            except DecodeError:  # badly framed: the error decode() raises, the first in the datagram
                decode(data)
                raise
            if plain:  # every message is data of this dump: its rows are its answer
                dumped.messages.append((data, table))
                return
            size = reading.row.size
        ends_at_first = how == 0
        for i, reply in enumerate(decode(data)):
            state = waiting.get(reply.seq)
            if state is None or reply.pid != portid:
                continue  # an answer to an older request, or a notification
            if reply.flags & NLM_F_DUMP_INTR:
                state.interrupted = True
            rtype = reply.type
            if rtype >= NLMSG_MIN_TYPE:  # the common case: data, not one of netlink's own messages
                if reading is None:
                    state.messages.append(reply)
                else:  # its row, as packed
                    kept.append(table[i * size:(i + 1) * size])
                # (one that asked for its own ack, in an exchange that asks none, ends at the ack:
                # NLM_F_ACK is in the low byte of the flags, at offset 6 of the request as sent)
                if ends_at_first and not reply.flags & NLM_F_MULTI and not state.data[6] & NLM_F_ACK:
                    del waiting[reply.seq]
            elif rtype in control and control[rtype](self, state, reply, how):
                del waiting[reply.seq]
        if kept:
            dumped.messages.append((data, b"".join(kept)))

    def _status(self, reply: Message, state: _Waiting) -> None:
        """Record the error an NLMSG_ERROR / NLMSG_DONE carries (the first one); keep success warnings."""
        error = getattr(reply.header, "error", 0)
        if not error and not reply.flags & NLM_F_ACK_TLVS:  # a plain ack: nothing more to read
            return
        ext = reply.attrs
        text = ext.get("NLMSGERR_ATTR_MSG") if ext else None
        if error == 0:
            if isinstance(text, str) and text:
                self.warnings.append(text)
                warnings.warn(text, NetlinkWarning, stacklevel=5)
            return
        if state.error is not None:
            return
        offset = ext.get("NLMSGERR_ATTR_OFFS") if ext is not None else None
        attribute = attribute_at(state.data, offset) if isinstance(offset, int) else None
        if attribute is None and ext is not None and "NLMSGERR_ATTR_MISS_TYPE" in ext:
            attribute = f"missing attribute type {ext['NLMSGERR_ATTR_MISS_TYPE']}"
        state.error = NetlinkError.from_errno(-error, text if isinstance(text, str) else None, attribute)


# netlink's own message types: what each does to the request it answers, and whether that request
# is done (libmnl's default_cb_array). Types below NLMSG_MIN_TYPE not listed are skipped.
def _noop(sock: NetlinkSocket, state: _Waiting, reply: Message, how: int) -> bool:
    return False


def _error(sock: NetlinkSocket, state: _Waiting, reply: Message, how: int) -> bool:
    """An ack (error 0) or the request's error: always the request's last answer."""
    sock._status(reply, state)
    return _finish(state)


def _done(sock: NetlinkSocket, state: _Waiting, reply: Message, how: int) -> bool:
    """The end of a dump or multi-part reply; an acked request's ack still follows it."""
    sock._status(reply, state)
    return how != NLM_F_ACK and _finish(state)


def _overrun(sock: NetlinkSocket, state: _Waiting, reply: Message, how: int) -> bool:
    if state.error is None:
        state.error = NetlinkError.from_errno(errno.EOVERFLOW, "netlink overrun: answers were lost")
    return True


def _finish(state: _Waiting) -> bool:
    if state.interrupted and state.error is None:
        state.error = DumpInterrupted()
    return True


_CONTROL: dict[int, Callable[[NetlinkSocket, _Waiting, Message, int], bool]] = {
    NLMSG_NOOP: _noop,
    NLMSG_ERROR: _error,
    NLMSG_DONE: _done,
    NLMSG_OVERRUN: _overrun,
}
