"""The NETLINK_ROUTE socket and its message loop: send a request, collect its answer, map errors.

Like libmnl's ``mnl_cb_run``, the loop is small on purpose. It checks the sender (only the kernel,
port id 0, may answer), the sequence number and our port id, turns ``NLMSG_ERROR`` and a failing
``NLMSG_DONE`` into :class:`~rtnl.errors.NetlinkError` with the kernel's extended-ack text, keeps
ext-ack warnings sent with a success, and retries dumps the kernel marked ``NLM_F_DUMP_INTR``.
One lock serialises request/answer pairs, so a socket can be shared between threads.
"""

from __future__ import annotations

import _socket  # socket.py's type, without its enums and selectors: ~4 ms of `import rtnl` saved
import collections
import errno
import itertools
import threading
import warnings
from collections.abc import Iterable

from . import codec
from .codec import (
    NLM_F_ACK,
    NLM_F_DUMP,
    NLM_F_DUMP_INTR,
    NLM_F_REQUEST,
    NLMSG_DONE,
    NLMSG_ERROR,
    NLMSG_MIN_TYPE,
    NLMSG_OVERRUN,
    SOL_NETLINK,
    Attrs,
    Message,
)
from .errors import DumpInterrupted, NetlinkError

DUMP_RETRIES = 5
MAX_WARNINGS = 64  # ext-ack warnings kept per socket (the oldest are dropped)
WINDOW = 64  # requests in flight in request_each: their answers must fit the receive queue
#: requests in flight when each is answered with a whole link (an echoed RTM_NEWLINK: ~1.5 KB, some
#: 4 KB of receive buffer with its ack), so that a window's answers fit the default 208 KiB
ECHO_WINDOW = 16
SO_RCVBUFFORCE = getattr(_socket, "SO_RCVBUFFORCE", 33)  # asm-generic/socket.h
_MSG_DONTWAIT = _socket.MSG_DONTWAIT
_MSG_PEEK_TRUNC = _socket.MSG_PEEK | _socket.MSG_TRUNC


class NetlinkWarning(UserWarning):
    """The kernel accepted a request but said something about it (ext-ack message on success)."""


class NetlinkSocket:
    """An AF_NETLINK / NETLINK_ROUTE socket with ext-ack, capped acks and strict dump checking on.

    ``sock`` lets a caller hand in a socket created elsewhere (e.g. inside another network namespace,
    where the socket stays bound for its whole life). ``groups`` subscribes to multicast groups
    (``RTNLGRP_*`` numbers) for event monitoring.
    """

    def __init__(self, sock: _socket.socket | None = None, *, groups: Iterable[int] = (),
                 rcvbuf: int | None = None) -> None:
        self.sock = sock or _socket.socket(_socket.AF_NETLINK, _socket.SOCK_RAW | _socket.SOCK_CLOEXEC,
                                          codec.NETLINK_ROUTE)
        try:
            for opt in (codec.NETLINK_EXT_ACK, codec.NETLINK_CAP_ACK, codec.NETLINK_GET_STRICT_CHK):
                self.sock.setsockopt(SOL_NETLINK, opt, 1)
            if rcvbuf:
                try:  # SO_RCVBUF is silently capped at net.core.rmem_max; root may go beyond it
                    self.sock.setsockopt(_socket.SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf)
                except PermissionError:
                    self.sock.setsockopt(_socket.SOL_SOCKET, _socket.SO_RCVBUF, rcvbuf)
            self.sock.bind((0, 0))
            for group in groups:
                self.sock.setsockopt(SOL_NETLINK, codec.NETLINK_ADD_MEMBERSHIP, group)
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
        """One whole datagram from the kernel; never truncated (its size is peeked first).

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
        """One datagram; ``None`` if it was not the kernel's (dropped)."""
        size = self.sock.recv_into(self._peek, 0, _MSG_PEEK_TRUNC | flags)
        data, (sender, _groups) = self.sock.recvfrom(size, flags)  # a bytes of that size: no copy
        return data if sender == 0 else None

    # -- request / answer ------------------------------------------------------------------------
    def request(self, msg: Message, *, ack: bool = True) -> list[Message]:
        """Send ``msg`` and return the kernel's answer messages (without the final ack).

        Raises :class:`NetlinkError` (errno subclass, with ext-ack text and the offending attribute).
        """
        flags = msg.flags | NLM_F_REQUEST | (NLM_F_ACK if ack else 0)
        with self._lock:
            return self._transact(msg, flags, dump=False)

    def dump(self, msg: Message) -> list[Message]:
        """Send a dump request and return every message of the dump.

        A dump the kernel marks interrupted (its table changed meanwhile) is read again, up to
        ``DUMP_RETRIES`` times, then :class:`DumpInterrupted` is raised.
        """
        flags = msg.flags | NLM_F_REQUEST | NLM_F_DUMP
        with self._lock:
            for _ in range(DUMP_RETRIES):
                try:
                    return self._transact(msg, flags, dump=True)
                except DumpInterrupted:
                    continue
        raise DumpInterrupted()

    def request_many(self, msgs: Iterable[Message]) -> None:
        """Send many requests and wait for every ack; the first error is raised after all answers
        were read, so the socket stays in step (see :meth:`request_each`)."""
        for answer in self.request_each(msgs):
            if isinstance(answer, NetlinkError):
                raise answer

    def request_each(self, msgs: Iterable[Message], *, window: int = WINDOW,
                     ack: bool = True) -> list[list[Message] | NetlinkError]:
        """Send many requests and return what each got, in order: its answer messages (an echo,
        say; the ack itself left out), or the :class:`NetlinkError` it failed with. Every answer is
        read before this returns, so the socket stays in step.

        ``ack=False`` sends them without ``NLM_F_ACK``, for requests the kernel is known to answer
        either way (a create with ``NLM_F_ECHO`` on Linux >= 6.3): each is done at its first
        answer, and there is one datagram less to read per request.

        Requests go out ``window`` per sendmsg, the next window once the answers of the last one are
        in: the kernel handles a datagram's messages one after another and queues the answers on this
        socket, dropping those that do not fit (``ENOBUFS``), so an unbounded batch could lose acks
        and wait for them forever. Requests whose answers are large (echoed links) take a smaller
        window.
        """
        batch = list(msgs)
        out: list[list[Message] | NetlinkError] = []
        with self._lock:
            for start in range(0, len(batch), window):
                out += self._send_window(batch[start:start + window], NLM_F_ACK if ack else 0)
        return out

    def _send_window(self, msgs: list[Message], ack: int) -> list[list[Message] | NetlinkError]:
        results: list[list[Message] | NetlinkError] = [[] for _ in msgs]
        pending: dict[int, tuple[int, bytes]] = {}  # seq -> (position, the request's bytes)
        for i, msg in enumerate(msgs):
            seq = next(self._seq)
            pending[seq] = (i, msg.encode(seq=seq, pid=0, flags=msg.flags | NLM_F_REQUEST | ack))
        self.sock.sendall(b"".join([data for _, data in pending.values()]))  # many messages, one datagram
        portid = self.portid
        while pending:
            for reply in codec.decode(self.recv()):
                entry = pending.get(reply.seq)
                if entry is None or reply.pid != portid:
                    continue
                i, data = entry
                answers = results[i]
                if reply.type >= NLMSG_MIN_TYPE:
                    if isinstance(answers, list):
                        answers.append(reply)
                    if not ack and not reply.flags & codec.NLM_F_MULTI:  # no ack to wait for
                        del pending[reply.seq]
                elif reply.type in (NLMSG_ERROR, NLMSG_DONE):
                    err = self._status(reply, data)
                    if err is not None:
                        results[i] = err
                    if reply.type == NLMSG_ERROR or not ack:  # the end (after a DONE, an ack still comes)
                        del pending[reply.seq]
        return results

    def _transact(self, msg: Message, flags: int, *, dump: bool) -> list[Message]:
        # ``dump`` is said, not read from ``flags``: NLM_F_DUMP's bits mean REPLACE|EXCL in a NEW request
        seq = next(self._seq)
        data = msg.encode(seq=seq, pid=0, flags=flags)
        self.sock.sendall(data)
        out: list[Message] = []
        interrupted, portid = False, self.portid
        while True:
            for reply in codec.decode(self.recv()):
                if reply.seq != seq or reply.pid != portid:
                    continue  # an answer to an older request, or a notification
                if reply.flags & NLM_F_DUMP_INTR:
                    interrupted = True
                rtype = reply.type
                if rtype >= NLMSG_MIN_TYPE:  # the common case: data, not one of netlink's own messages
                    out.append(reply)
                    if not dump and not flags & NLM_F_ACK and not reply.flags & codec.NLM_F_MULTI:
                        return out
                    continue
                if rtype in (NLMSG_ERROR, NLMSG_DONE):
                    err = self._status(reply, data)
                    if err is not None:
                        raise err
                    if rtype == NLMSG_DONE and flags & NLM_F_ACK and not dump:
                        continue  # a doit that answers with a multi-part reply: the ack still comes
                    if interrupted:
                        raise DumpInterrupted()
                    return out
                if rtype == NLMSG_OVERRUN:
                    raise NetlinkError.from_errno(errno.EOVERFLOW, "netlink overrun")

    def _status(self, reply: Message, request: bytes) -> NetlinkError | None:
        """The error an NLMSG_ERROR / NLMSG_DONE carries, or None; keeps success warnings."""
        error = getattr(reply.header, "error", 0)
        if not error and not reply.flags & codec.NLM_F_ACK_TLVS:  # a plain ack: nothing more to read
            return None
        ext: Attrs | None = reply.attrs
        text = ext.get("NLMSGERR_ATTR_MSG") if ext else None
        if error == 0:
            if isinstance(text, str) and text:
                self.warnings.append(text)
                warnings.warn(text, NetlinkWarning, stacklevel=4)
            return None
        offset = ext.get("NLMSGERR_ATTR_OFFS") if ext is not None else None
        attribute = codec.attribute_at(request, offset) if isinstance(offset, int) else None
        if attribute is None and ext is not None and "NLMSGERR_ATTR_MISS_TYPE" in ext:
            attribute = f"missing attribute type {ext['NLMSGERR_ATTR_MISS_TYPE']}"
        return NetlinkError.from_errno(-error, text if isinstance(text, str) else None, attribute)

