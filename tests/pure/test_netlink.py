"""The netlink message loop's own logic, driven with crafted datagrams through a fake socket object (no
kernel): sequence and port checks, DUMP_INTR retries, errors in DONE and in acks, ext-ack warnings,
big datagrams. The rare cases become deterministic here; the socket against the real kernel is in
tests/kernel/test_netlink.py."""

from __future__ import annotations

import errno
import ipaddress
import socket
import struct
import warnings
from collections import deque
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rtnl import codec, netlink
from rtnl.codec import (
    IFLA,
    NLM_F_ACK_TLVS,
    NLM_F_CREATE,
    NLM_F_DUMP_INTR,
    NLM_F_MULTI,
    NLMSG_ERROR,
    NLMSGERR,
    RTM_GETLINK,
    RTM_NEWLINK,
    ErrorHeader,
    IfInfoMsg,
    Message,
    NlMsgHdr,
)
from rtnl.errors import DecodeError, DumpInterrupted, NetlinkError
from rtnl.netlink import NetlinkSocket, NetlinkWarning
from rtnl.uapi import RTM_F_CLONED
from rtnl.values.addresses import ROWS as ADDRESS_ROWS
from rtnl.values.addresses import Address, addresses_of
from rtnl.values.routes import ROWS as ROUTE_ROWS
from rtnl.values.routes import Route, routes_of
from tests.support.messages import PORT, ack, dgram, done, dump_request, link, seq_of


class FakeSocket:
    """Enough of a netlink socket for NetlinkSocket: ``answer(request bytes)`` returns the datagrams
    to deliver as ``(sender port id, bytes)``."""

    def __init__(self, answer: Callable[[bytes], list[tuple[int, bytes]]]) -> None:
        self.answer, self.sent, self.queue = answer, [], deque()  # type: ignore[var-annotated]

    def setsockopt(self, *args: Any) -> None:
        pass

    def bind(self, addr: Any) -> None:
        pass

    def getsockname(self) -> tuple[int, int]:
        return (PORT, 0)

    def close(self) -> None:
        pass

    def sendall(self, data: bytes) -> None:
        self.sent.append(data)
        self.queue.extend(self.answer(data))

    def recv_into(self, buf: bytearray, n: int, flags: int) -> int:
        assert flags == socket.MSG_PEEK | socket.MSG_TRUNC
        return len(self.queue[0][1])

    def recvfrom(self, n: int, flags: int = 0) -> tuple[bytes, tuple[int, int]]:
        assert flags == 0
        sender, data = self.queue.popleft()
        assert len(data) <= n, "fewer bytes asked for than the peek said: the datagram would be truncated"
        return data, (sender, 0)

    def recvmsg(self, n: int) -> tuple[bytes, list[Any], int, tuple[int, int]]:
        """No peek first: a datagram larger than ``n`` comes cut, as the kernel cuts it."""
        sender, data = self.queue.popleft()
        self.cut = getattr(self, "cut", 0) + (len(data) > n)
        return data[:n], [], socket.MSG_TRUNC if len(data) > n else 0, (sender, 0)


def test_answers_for_other_sequences_ports_and_senders_are_skipped() -> None:
    def answer(req: bytes) -> list[tuple[int, bytes]]:
        s = seq_of(req)
        return [(0, dgram(link(9, s - 1), link(8, s, pid=PORT + 1))),  # stale seq, other port id
                (1234, dgram(link(7, s), done(s))),  # a local process, not the kernel
                (0, dgram(link(1, s), link(2, s))), (0, dgram(link(3, s), done(s)))]

    sock = NetlinkSocket(FakeSocket(answer))  # type: ignore[arg-type]
    assert [m.header.index for m in sock.dump(dump_request())] == [1, 2, 3]
    assert [m.header.index for m in sock.dump(dump_request())] == [1, 2, 3]  # and the next seq too
    seqs = [seq_of(d) for d in sock.sock.sent]
    assert seqs[1] == seqs[0] + 1


def test_dump_intr_is_retried_then_raised() -> None:
    interrupted = [True, True, False]

    def answer(req: bytes) -> list[tuple[int, bytes]]:
        s = seq_of(req)
        intr = NLM_F_DUMP_INTR if interrupted.pop(0) else 0
        return [(0, dgram(link(1, s, NLM_F_MULTI | intr), done(s, flags=NLM_F_MULTI | intr)))]

    sock = NetlinkSocket(FakeSocket(answer))  # type: ignore[arg-type]
    assert [m.header.index for m in sock.dump(dump_request())] == [1]
    assert len(sock.sock.sent) == 3 and interrupted == []

    def always(req: bytes) -> list[tuple[int, bytes]]:
        s = seq_of(req)  # the flag on a middle message only: the whole dump still counts as torn
        return [(0, dgram(link(1, s, NLM_F_MULTI | NLM_F_DUMP_INTR), link(2, s))), (0, dgram(done(s)))]

    sock = NetlinkSocket(FakeSocket(always))  # type: ignore[arg-type]
    with pytest.raises(DumpInterrupted) as info:
        sock.dump(dump_request())
    assert isinstance(info.value, NetlinkError) and len(sock.sock.sent) == netlink.DUMP_RETRIES


def test_error_in_done_and_in_ack() -> None:
    def answer(req: bytes) -> list[tuple[int, bytes]]:
        s = seq_of(req)
        if struct.unpack_from("=IHHII", req)[2] & codec.NLM_F_DUMP:
            return [(0, dgram(link(1, s), done(s, -errno.EINVAL, NLMSGERR_ATTR_MSG="bad filter")))]
        return [(0, dgram(ack(req, -errno.EEXIST, NLMSGERR_ATTR_MSG="exists", NLMSGERR_ATTR_OFFS=32)))]

    sock = NetlinkSocket(FakeSocket(answer))  # type: ignore[arg-type]
    with pytest.raises(NetlinkError) as info:
        sock.dump(dump_request())
    assert (info.value.errno, info.value.extack) == (errno.EINVAL, "bad filter")
    req = Message(RTM_NEWLINK, NLM_F_CREATE, header=IfInfoMsg(),
                  attrs=IFLA.build(IFLA_IFNAME="x", IFLA_MTU=9))
    with pytest.raises(FileExistsError) as info2:
        sock.request(req)
    assert info2.value.extack == "exists"
    assert info2.value.attribute == "IFLA_IFNAME"  # offset 32 = 16 + 16: the first attribute


def test_warnings_on_success_are_kept() -> None:
    def answer(req: bytes) -> list[tuple[int, bytes]]:
        return [(0, dgram(ack(req, 0, NLMSGERR_ATTR_MSG="this is deprecated")))]

    sock = NetlinkSocket(FakeSocket(answer))  # type: ignore[arg-type]
    with pytest.warns(NetlinkWarning, match="this is deprecated"):
        assert sock.request(Message(RTM_NEWLINK, header=IfInfoMsg())) == []
    assert list(sock.warnings) == ["this is deprecated"]
    # and straight through _status, with the kernel's byte layout (an uncapped ack echoing the request)
    req = Message(RTM_NEWLINK, header=IfInfoMsg(), attrs=IFLA.build(IFLA_IFNAME="x")).encode(seq=5)
    hdr = NlMsgHdr._make(struct.unpack_from("=IHHII", req))
    raw = Message(NLMSG_ERROR, NLM_F_ACK_TLVS, header=ErrorHeader(0, hdr, req[16:]),
                  attrs=NLMSGERR.build(NLMSGERR_ATTR_MSG="careful"), seq=5, pid=PORT).encode()
    [reply] = codec.decode(raw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert sock._status(reply, req) is None
    assert sock.warnings[-1] == "careful"


def test_warnings_are_bounded() -> None:
    """A long-lived socket keeps only the newest ext-ack warnings, not every one ever sent."""
    count = iter(range(10**6))

    def answer(req: bytes) -> list[tuple[int, bytes]]:
        return [(0, dgram(ack(req, 0, NLMSGERR_ATTR_MSG=f"warning {next(count)}")))]

    sock = NetlinkSocket(FakeSocket(answer))  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(netlink.MAX_WARNINGS + 10):
            sock.request(Message(RTM_NEWLINK, header=IfInfoMsg()))
    assert len(sock.warnings) == netlink.MAX_WARNINGS
    assert sock.warnings[0] == "warning 10" and sock.warnings[-1] == f"warning {netlink.MAX_WARNINGS + 9}"


def test_big_datagram_is_read_whole() -> None:
    big = None

    def answer(req: bytes) -> list[tuple[int, bytes]]:
        nonlocal big
        s = seq_of(req)
        big = dgram(*(link(i, s) for i in range(1, 4000)))  # ~100 KiB in one datagram
        return [(0, big), (0, dgram(done(s)))]

    sock = NetlinkSocket(FakeSocket(answer))  # type: ignore[arg-type]
    assert len(sock.dump(dump_request())) == 3999
    assert big is not None and len(big) > 65536


def test_plain_acks_read_from_their_header_end_requests_as_decoded_ones_do() -> None:
    """A plain ack alone in its datagram (the common answer, read without decoding) ends its request
    as one among other messages (decoded) does; for another port or sequence it is skipped, and a
    request whose answer was marked NLM_F_DUMP_INTR still fails."""
    def answers(extra: bool, intr: bool = False, pid: int = PORT, stale: int = 0) -> list[Any]:
        def answer(req: bytes) -> list[tuple[int, bytes]]:
            s = seq_of(req)
            out = [(0, dgram(link(1, s, NLM_F_MULTI | NLM_F_DUMP_INTR)))] if intr else []
            acked = ack(req, pid=pid)
            acked.seq -= stale
            out.append((0, dgram(acked, link(2, s - 1)) if extra else dgram(acked)))
            if pid != PORT or stale:  # skipped: the real ack follows
                out.append((0, dgram(ack(req))))
            return out

        sock = NetlinkSocket(FakeSocket(answer))  # type: ignore[arg-type]
        assert len(dgram(ack(Message(RTM_NEWLINK).encode(seq=1)))) == 36  # the plain ack's size
        got = sock.request_each([Message(RTM_NEWLINK, header=IfInfoMsg())])
        return [*got, len(sock.sock.queue)]  # every answer read: none ended it early

    for kwargs in ({}, {"pid": PORT + 1}, {"stale": 1}):
        assert answers(False, **kwargs) == answers(True, **kwargs) == [[], 0]  # type: ignore[arg-type]
    alone, decoded = answers(False, intr=True), answers(True, intr=True)
    assert [type(a) for a in alone] == [type(a) for a in decoded] == [DumpInterrupted, int]


@pytest.mark.parametrize("generator", [True, False], ids=["requesting", "request_then"])
@pytest.mark.parametrize(("add_error", "get_error"), [(0, 0), (-errno.EEXIST, 0), (0, -errno.ENODEV)])
def test_a_change_and_its_read_back_go_in_one_datagram(add_error: int, get_error: int,
                                                       generator: bool) -> None:
    """``requesting(msg, then=get)``: one datagram, the change acked and the read not (its answer, data
    or an error, ends it); a refusal of the change is raised, the read's answer returned as a value.
    ``request_then``, the same without the generator (the blocking driver's), does the same."""
    def answer(req: bytes) -> list[tuple[int, bytes]]:
        first = struct.unpack_from("=I", req)[0]
        change, read = req[:first], req[first:]
        got = ack(read, get_error) if get_error else link(7, seq_of(read), flags=0)
        return [(0, dgram(ack(change, add_error))), (0, dgram(got))]

    sock = NetlinkSocket(FakeSocket(answer))  # type: ignore[arg-type]
    change = Message(RTM_NEWLINK, header=IfInfoMsg(index=7))
    read = Message(RTM_GETLINK, header=IfInfoMsg(index=7))

    def asking() -> Any:
        if generator:
            return sock.ask(netlink.requesting(change, then=read))
        return sock.request_then(change, read)

    if add_error:
        with pytest.raises(FileExistsError):
            asking()
    else:
        got = asking()
        if get_error:
            assert isinstance(got, NetlinkError) and got.errno == errno.ENODEV
        else:
            assert isinstance(got, list) and [m.header.index for m in got] == [7]
    [sent] = sock.sock.sent
    first = struct.unpack_from("=I", sent)[0]
    flags = [struct.unpack_from("=H", sent, at + 6)[0] & codec.NLM_F_ACK for at in (0, first)]
    assert flags == [codec.NLM_F_ACK, 0]
    assert not sock.sock.queue  # every answer read


_CHANGE_ANSWERS = ["plain", "refused", "warned", "echoed", "echoed, warned", "stale first",
                   "other port first"]
_READ_ANSWERS = ["lone", "multi-part", "refused", "stale first", "two in one datagram", "interrupted"]


@given(st.sampled_from(_CHANGE_ANSWERS), st.sampled_from(_READ_ANSWERS),
       st.sampled_from(["request", "unacked", "request_then", "encoded", "encoded alone"]))
@settings(max_examples=150, deadline=None)
def test_a_change_and_a_read_answer_alike_in_step_and_through_an_exchange(change_answer: str,
                                                                           read_answer: str,
                                                                           mode: str) -> None:
    """The blocking driver reads a request or two in step (a plain ack, a lone answer: a read's or an
    echo, known whole); whatever the kernel answers instead (a refusal, an ext-ack warning, a late
    answer of an earlier request, a multi-part or interrupted answer), it ends as the Exchange path
    ends: the same value or error, every answer read. ``unacked``: a change sent without NLM_F_ACK,
    answered by its echo (or its refusal). ``encoded``: the requests sent packed already
    (``request_encoded``, alone or with the read), against ``request_then`` or ``request`` through
    the Exchange."""
    def address(index: int, seq: int, flags: int = 0) -> Message:  # the answer to a get of one address
        return Message(codec.RTM_NEWADDR, flags, header=codec.IfAddrMsg(socket.AF_INET6, 64, index=index),
                       attrs=codec.IFA.build(IFA_ADDRESS=ipaddress.ip_address("2001:db8::1")), seq=seq,
                       pid=PORT)

    def answer(req: bytes) -> list[tuple[int, bytes]]:
        first = struct.unpack_from("=I", req)[0]
        change, read = req[:first], req[first:]
        s, out = seq_of(change), []
        if change_answer == "stale first":
            out.append((0, dgram(link(9, s - 1, flags=0))))
        if change_answer == "other port first":
            out.append((0, dgram(ack(change, pid=PORT + 1))))
        error = -errno.EEXIST if change_answer == "refused" else 0
        ext = {"NLMSGERR_ATTR_MSG": "a warning"} if "warned" in change_answer else {}
        if mode == "unacked":  # the echo ends it, or the refusal
            return [*out, (0, dgram(ack(change, error) if error else link(7, s, flags=0)))]
        if "echoed" in change_answer:
            out.append((0, dgram(link(7, s, flags=0))))
        out.append((0, dgram(ack(change, error, **ext))))
        if mode in ("request", "encoded alone"):
            return out
        r = seq_of(read)
        if read_answer == "stale first":
            out.append((0, dgram(address(8, r + 9))))
        if read_answer == "refused":
            out.append((0, dgram(ack(read, -errno.ENODEV))))
        elif read_answer == "multi-part":
            out += [(0, dgram(address(7, r, NLM_F_MULTI))), (0, dgram(address(6, r, NLM_F_MULTI), done(r)))]
        elif read_answer == "interrupted":
            out.append((0, dgram(address(7, r, NLM_F_DUMP_INTR))))
        elif read_answer == "two in one datagram":
            out.append((0, dgram(address(7, r), address(5, r + 7))))
        else:
            out.append((0, dgram(address(7, r))))
        return out

    change = Message(RTM_NEWLINK, header=IfInfoMsg(index=7))
    read = Message(codec.RTM_GETADDR, header=codec.IfAddrMsg(socket.AF_INET6, index=7),
                   attrs=codec.IFA.build(IFA_ADDRESS=ipaddress.ip_address("2001:db8::1")))

    def outcome(in_step: bool) -> Any:
        sock = NetlinkSocket(FakeSocket(answer))  # type: ignore[arg-type]
        if not in_step:  # every datagram through feed(), as the asyncio driver reads them
            def through_feed(msgs: list[Message], how: int, rows: Any = None) -> Any:
                exchange = sock.begin(msgs, how, rows)
                sock.sock.sendall(exchange.datagram)
                while exchange.waiting:
                    sock.feed(exchange, sock.recv())
                return exchange.answers()
            sock._exchange = through_feed  # type: ignore[method-assign]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NetlinkWarning)
                request = codec.NLM_F_REQUEST
                acked = change.encode(seq=0, flags=change.flags | request | codec.NLM_F_ACK)
                if mode == "encoded" and in_step:
                    got: Any = sock.request_encoded(acked, read.encode(seq=0, flags=read.flags | request))
                elif mode == "encoded alone" and in_step:
                    got = sock.request_encoded(acked)
                elif mode in ("request_then", "encoded"):
                    got = sock.request_then(change, read)
                else:
                    got = sock.request(change, ack=mode != "unacked")
        except OSError as e:
            got = (type(e), e.errno)
        if isinstance(got, NetlinkError):
            got = (type(got), got.errno)
        elif isinstance(got, list):
            got = [(m.type, m.header.index) for m in got]
        return got, list(sock.sock.queue), list(sock.warnings)

    assert outcome(True) == outcome(False)


def test_acks_are_read_in_one_call_and_a_late_answer_too_large_for_it_is_dropped() -> None:
    """An exchange answered with acks alone reads each datagram with one ``recvmsg`` (no peek): a late
    answer of an earlier exchange larger than RECV_SIZE comes cut and is dropped, as late answers
    are; an answer of the exchange itself that came cut is an error, never taken as it is."""
    big = dgram(*(link(i, 999) for i in range(1, 4000)))  # ~100 KiB, for sequence 999 (long gone)
    assert len(big) > netlink.RECV_SIZE

    def answer(req: bytes) -> list[tuple[int, bytes]]:
        return [(0, big), (PORT + 1, dgram(ack(req, -errno.EPERM))), (0, dgram(ack(req)))]

    sock = NetlinkSocket(FakeSocket(answer))  # type: ignore[arg-type]
    assert sock.request(Message(RTM_NEWLINK, header=IfInfoMsg(index=3))) == []
    assert sock.sock.cut == 1 and not sock.sock.queue

    def cut_own(req: bytes) -> list[tuple[int, bytes]]:
        return [(0, dgram(*(link(i, seq_of(req), flags=0) for i in range(1, 4000)))), (0, dgram(ack(req)))]

    sock = NetlinkSocket(FakeSocket(cut_own))  # type: ignore[arg-type]
    with pytest.raises(NetlinkError) as e:
        sock.request(Message(RTM_NEWLINK, header=IfInfoMsg(index=3)))
    assert e.value.errno == errno.EMSGSIZE
    # a read is answered with data: peeked at, so that a large answer comes whole
    sock = NetlinkSocket(FakeSocket(cut_own))  # type: ignore[arg-type]
    assert len(sock.request(Message(RTM_GETLINK, header=IfInfoMsg(index=3)))) == 3999
    # but a get of one address is answered with that address, small: read in one call too
    assert netlink.answered_small(Message(codec.RTM_GETADDR)) and not netlink.answered_small(
        Message(codec.RTM_GETADDR, codec.NLM_F_REQUEST | codec.NLM_F_DUMP))
    assert not netlink.answered_small(Message(RTM_NEWLINK, codec.NLM_F_REQUEST | codec.NLM_F_ECHO))
    assert netlink.answered_small(Message(RTM_NEWLINK, codec.NLM_F_REQUEST | codec.NLM_F_EXCL | NLM_F_CREATE))
    sock = NetlinkSocket(FakeSocket(lambda req: [(0, big), (0, dgram(ack(req)))]))  # type: ignore[arg-type]
    assert sock.request(Message(codec.RTM_GETADDR)) == [] and sock.sock.cut == 1


def address(i: int, seq: int, flags: int = NLM_F_MULTI, pid: int = PORT, **attrs: Any) -> Message:
    ip = ipaddress.IPv6Address(0x20010DB8 << 96 | i)
    return Message(codec.RTM_NEWADDR, flags, header=codec.IfAddrMsg(10, 64, 0x80, 0, i),
                   attrs=codec.IFA.build(IFA_ADDRESS=ip, IFA_LOCAL=ip, IFA_LABEL=f"l{i}", **attrs),
                   seq=seq, pid=pid)


def test_a_dump_read_in_rows_answers_as_the_messages_do() -> None:
    """Rows (one C walk per datagram) and messages give the same addresses: datagrams of data only,
    data with DONE, another request's and another port's messages among ours, a family that is not IP."""
    def answer(req: bytes) -> list[tuple[int, bytes]]:
        s = seq_of(req)
        other = Message(codec.RTM_NEWADDR, NLM_F_MULTI, header=codec.IfAddrMsg(family=45, index=9),
                        seq=s, pid=PORT)  # AF_MCTP: no IP address, left out
        return [(0, dgram(*(address(i, s) for i in range(1, 40)))),
                (0, dgram(address(40, s), address(41, s - 1), address(42, s, pid=PORT + 1), other,
                          address(43, s, IFA_CACHEINFO=(100, 200, 0, 0)))),
                (0, dgram(address(44, s), done(s)))]

    sock = NetlinkSocket(FakeSocket(answer))  # type: ignore[arg-type]
    by_rows = addresses_of(sock.ask(netlink.dumping(Message(codec.RTM_GETADDR), ADDRESS_ROWS)))
    by_messages = [Address.from_message(m) for m in sock.dump(Message(codec.RTM_GETADDR))
                   if m.header.family in (socket.AF_INET, socket.AF_INET6)]
    assert by_rows == by_messages
    assert [a.link for a in by_rows] == [*range(1, 41), 43, 44]
    assert (by_rows[-2].preferred_lft, by_rows[-2].valid_lft, str(by_rows[0].address)) == (
        100, 200, "2001:db8::1/64")


def test_a_dump_read_in_rows_is_retried_when_interrupted_and_refuses_bad_attributes_after_it() -> None:
    interrupted = [True, False, False]

    def answer(req: bytes) -> list[tuple[int, bytes]]:
        s = seq_of(req)
        intr = NLM_F_DUMP_INTR if interrupted.pop(0) else 0
        bad = address(2, s).encode()[:-4]  # its last attribute cut short: the message itself is whole
        bad = struct.pack("=I", len(bad)) + bad[4:]
        return [(0, dgram(address(1, s, NLM_F_MULTI | intr))), (0, bad), (0, dgram(done(s)))]

    sock = NetlinkSocket(FakeSocket(answer))  # type: ignore[arg-type]
    answers = sock.ask(netlink.dumping(Message(codec.RTM_GETADDR), ADDRESS_ROWS))  # read whole, in step
    assert len(sock.sock.sent) == 2 and not sock.sock.queue
    with pytest.raises(DecodeError, match="IFA: attribute 3 claims"):
        addresses_of(answers)


def route(i: int, seq: int) -> Message:
    dst = ipaddress.IPv6Address(0x20010DB8_0002 << 80 | i << 64)
    return Message(codec.RTM_NEWROUTE, NLM_F_MULTI, header=codec.RtMsg(10, 64, 0, 0, 254, 3, 0, 1, 0),
                   attrs=codec.RTA.build(RTA_TABLE=254, RTA_DST=dst, RTA_PRIORITY=1024, RTA_OIF=i,
                                         RTA_METRICS=codec.RTAX.build(RTAX_MTU=1400)), seq=seq, pid=PORT)


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=4), st.booleans())
@example([(0, 16)], False)  # a first message too short for its ifaddrmsg, then garbage: decode()'s error
def test_rows_and_messages_agree_on_damaged_answers(flips: list[tuple[int, int]], routes: bool) -> None:
    """Bytes of a dump's datagram changed at random: the rows path makes the same values, or fails
    with the same error, as the messages do (ops.routes and ops.addresses read them so)."""
    make, rows_of, plan = (route, routes_of, ROUTE_ROWS) if routes else (address, addresses_of, ADDRESS_ROWS)

    def answer(req: bytes) -> list[tuple[int, bytes]]:
        s = seq_of(req)
        data = bytearray(dgram(*(make(i, s) for i in range(1, 4))))
        for where, value in flips:
            data[where % len(data)] = value
        return [(0, bytes(data)), (0, dgram(done(s)))]

    def read(way: Callable[[], object]) -> object:
        try:
            return way()
        except (DecodeError, NetlinkError) as e:  # (a flipped NLM_F_DUMP_INTR: DumpInterrupted)
            return repr(e)

    # a socket each, so that both dumps go out with the same sequence numbers: the same bytes come back
    sock, other = (NetlinkSocket(FakeSocket(answer)) for _ in range(2))  # type: ignore[arg-type]
    get = codec.RTM_GETROUTE if routes else codec.RTM_GETADDR
    by_rows = read(lambda: rows_of(other.ask(netlink.dumping(Message(get), plan))))
    value_of, wanted = (Route.from_message, codec.RTM_NEWROUTE) if routes else (Address.from_message,
                                                                                 codec.RTM_NEWADDR)
    by_messages = read(lambda: [value_of(m) for m in sock.dump(Message(get)) if m.type == wanted and
                                m.header.family in (socket.AF_INET, socket.AF_INET6) and
                                not (routes and m.header.flags & RTM_F_CLONED)])
    assert by_rows == by_messages
