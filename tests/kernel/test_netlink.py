"""The netlink socket and its message loop.

The loop's own logic (sequence/port checks, DUMP_INTR retries, warnings) is first driven with crafted
datagrams through a fake socket object, which makes the rare cases deterministic; everything else runs
against the real kernel in a throwaway namespace.
"""

from __future__ import annotations

import errno
import random
import socket
import struct
import threading
import warnings
from collections import deque
from collections.abc import Callable
from typing import Any

import pytest

from rtnl import codec, netlink
from rtnl.codec import (
    IFLA,
    IFLA_INFO,
    NLM_F_ACK_TLVS,
    NLM_F_CAPPED,
    NLM_F_CREATE,
    NLM_F_DUMP_INTR,
    NLM_F_EXCL,
    NLM_F_MULTI,
    NLMSG_DONE,
    NLMSG_ERROR,
    NLMSGERR,
    RTM_GETLINK,
    RTM_NEWLINK,
    DoneHeader,
    ErrorHeader,
    IfInfoMsg,
    Message,
    NlMsgHdr,
)
from rtnl.errors import DumpInterrupted, NetlinkError
from rtnl.netlink import NetlinkSocket, NetlinkWarning

PORT = 4242

# ------------------------------------------------------------------------------------------------
# The loop, with crafted datagrams
# ------------------------------------------------------------------------------------------------


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


def seq_of(request: bytes) -> int:
    return struct.unpack_from("=IHHII", request)[3]


def link(index: int, seq: int, flags: int = NLM_F_MULTI, pid: int = PORT) -> Message:
    return Message(RTM_NEWLINK, flags, header=IfInfoMsg(index=index),
                   attrs=IFLA.build(IFLA_IFNAME=f"l{index}"), seq=seq, pid=pid)


def done(seq: int, error: int = 0, flags: int = NLM_F_MULTI, pid: int = PORT, **ext: Any) -> Message:
    return Message(NLMSG_DONE, flags | (NLM_F_ACK_TLVS if ext else 0), header=DoneHeader(error),
                   attrs=NLMSGERR.build(**ext), seq=seq, pid=pid)


def ack(request: bytes, error: int = 0, pid: int = PORT, **ext: Any) -> Message:
    hdr = NlMsgHdr._make(struct.unpack_from("=IHHII", request))
    return Message(NLMSG_ERROR, NLM_F_CAPPED | (NLM_F_ACK_TLVS if ext else 0), header=ErrorHeader(error, hdr),
                   attrs=NLMSGERR.build(**ext), seq=hdr.seq, pid=pid)


def dgram(*msgs: Message) -> bytes:
    return b"".join(e + b"\0" * (-len(e) % 4) for e in (m.encode() for m in msgs))


def dump_request() -> Message:
    return Message(RTM_GETLINK, header=IfInfoMsg())


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


# ------------------------------------------------------------------------------------------------
# The real kernel
# ------------------------------------------------------------------------------------------------


def bridge(name: str) -> Message:
    return Message(RTM_NEWLINK, codec.NLM_F_REQUEST | codec.NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
                   header=IfInfoMsg(),
                   attrs=IFLA.build(IFLA_IFNAME=name, IFLA_LINKINFO=IFLA_INFO.build(IFLA_INFO_KIND="bridge")))


def spy(sock: NetlinkSocket) -> list[bytes]:
    """Record every datagram ``sock`` receives."""
    got: list[bytes] = []
    real = sock.recv

    def recv() -> bytes:
        got.append(real())
        return got[-1]

    sock.recv = recv  # type: ignore[method-assign]
    return got


@pytest.mark.kernel
def test_port_id_and_sequence_on_the_wire(net: Any) -> None:
    sock = net.sock
    assert sock.portid == sock.sock.getsockname()[0] != 0
    got = spy(sock)
    sock.request(Message(RTM_GETLINK, header=IfInfoMsg(index=1)))
    sock.request(Message(RTM_GETLINK, header=IfInfoMsg(index=1)))
    replies = [codec.decode(d) for d in got]
    assert all(m.pid == sock.portid for ms in replies for m in ms)
    seqs = [ms[0].seq for ms in replies]
    assert seqs[0] < seqs[-1]


@pytest.mark.kernel
def test_stale_answers_are_skipped(net: Any) -> None:
    """An answer still queued from an abandoned request does not become the next request's answer."""
    sock = net.sock
    sock.sock.send(Message(RTM_GETLINK, codec.NLM_F_REQUEST | codec.NLM_F_DUMP,
                           header=IfInfoMsg()).encode(seq=0xFFFF0000))
    sock.sock.send(bridge("stale").encode(seq=0xFFFF0001))  # its ack too
    [lo] = sock.request(Message(RTM_GETLINK, header=IfInfoMsg(index=1)))
    assert lo.attrs["IFLA_IFNAME"] == "lo"
    assert sorted(link.name for link in net.links()) == ["lo", "stale"]


@pytest.mark.kernel
def test_answers_from_local_processes_are_ignored(ns: Any, net: Any) -> None:
    """Another AF_NETLINK socket can unicast to our port id (we are root); such datagrams, with a
    sender port id != 0, must never be taken for the kernel's answer."""
    sock = net.sock
    with ns.socket(socket.AF_NETLINK, socket.SOCK_RAW, codec.NETLINK_ROUTE) as evil, \
            ns.socket(socket.AF_NETLINK, socket.SOCK_RAW, codec.NETLINK_ROUTE) as probe:
        evil.bind((0, 0))
        probe.bind((0, 0))
        # the kernel does deliver them: a plain socket receives one, from the sender's port id
        fake = Message(RTM_NEWLINK, 0, header=IfInfoMsg(index=99), attrs=IFLA.build(IFLA_IFNAME="evil"))
        evil.sendto(fake.encode(seq=1, pid=probe.getsockname()[0]), (probe.getsockname()[0], 0))
        data, (sender, _) = probe.recvfrom(65536)
        assert sender == evil.getsockname()[0] != 0 and codec.decode(data)[0].attrs["IFLA_IFNAME"] == "evil"
        # now at our socket: forged acks and answers for the next sequence numbers, queued first
        for seq in range(1, 200):
            req = Message(RTM_GETLINK, 0, header=IfInfoMsg(index=1), seq=seq, pid=sock.portid).encode()
            answer = Message(RTM_NEWLINK, 0, header=IfInfoMsg(index=99), attrs=IFLA.build(IFLA_IFNAME="evil"),
                             seq=seq, pid=sock.portid)
            forged = dgram(ack(req, -errno.EPERM, pid=sock.portid), answer, done(seq, pid=sock.portid))
            evil.sendto(forged, (sock.portid, 0))
        assert [link.name for link in net.links()] == ["lo"]
        assert net.link("lo").index == 1
        assert net.link(1).name == "lo"


@pytest.mark.kernel
def test_multi_part_dump(ns: Any, net: Any) -> None:
    net.sock.request_many(bridge(f"br{i}") for i in range(150))
    got = spy(net.sock)
    names = [link.name for link in net.links()]
    assert len(got) > 1, "the dump fitted in one datagram: make it bigger"
    assert names[0] == "lo" and sorted(names[1:]) == sorted(f"br{i}" for i in range(150))
    out = ns.popen(["ip", "-o", "link", "show"], stdout=__import__("subprocess").PIPE, text=True)
    assert len(out.communicate()[0].splitlines()) == 151 and out.returncode == 0


@pytest.mark.kernel
def test_error_carried_by_done(net: Any) -> None:
    """A strict-checked link dump filtered by index: the kernel answers with NLMSG_DONE carrying
    -EINVAL and an ext-ack message (no NLMSG_ERROR at all)."""
    got = spy(net.sock)
    with pytest.raises(NetlinkError) as info:
        net.sock.dump(Message(RTM_GETLINK, header=IfInfoMsg(index=1)))
    assert info.value.errno == errno.EINVAL
    assert info.value.extack == "Filter by device index not supported for link dumps"
    [[msg]] = [codec.decode(d) for d in got]
    assert msg.type == NLMSG_DONE and msg.header.error == -errno.EINVAL
    net.links()  # the socket is still in step


@pytest.mark.kernel
def test_request_many_reports_first_error_and_stays_in_step(net: Any) -> None:
    with pytest.raises(FileExistsError):
        net.sock.request_many([bridge("a0"), bridge("a0"), bridge("a1"), bridge("a1")])
    assert sorted(link.name for link in net.links()) == ["a0", "a1", "lo"]


@pytest.mark.kernel
def test_request_each_answers_each_request_in_order(net: Any) -> None:
    from rtnl.codec import NLM_F_CREATE, NLM_F_ECHO, NLM_F_EXCL

    echoed = Message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, attrs=IFLA.build(
        IFLA_IFNAME="e0", IFLA_LINKINFO=codec.IFLA_INFO.build(IFLA_INFO_KIND="bridge")))
    answers = net.sock.request_each([bridge("a0"), bridge("a0"), echoed, bridge("a1")], window=2)
    assert answers[0] == [] and answers[3] == []
    assert isinstance(answers[1], FileExistsError) and answers[1].errno == errno.EEXIST
    [echo] = answers[2]
    assert echo.type == RTM_NEWLINK and echo.attrs["IFLA_IFNAME"] == "e0"
    assert sorted(link.name for link in net.links()) == ["a0", "a1", "e0", "lo"]  # still in step
    got = spy(net.sock)  # without acks: an echo or an error ends each request, one datagram each
    again = echoed.copy()
    again.attrs = IFLA.build(IFLA_IFNAME="e1", IFLA_LINKINFO=codec.IFLA_INFO.build(IFLA_INFO_KIND="bridge"))
    answers = net.sock.request_each([echoed, again], ack=False)
    assert isinstance(answers[0], FileExistsError) and len(got) == 2
    [echo] = answers[1]
    assert echo.type == RTM_NEWLINK and echo.attrs["IFLA_IFNAME"] == "e1"


@pytest.mark.kernel
def test_kernel_dumps_round_trip_live(ns: Any, net: Any) -> None:
    """Fresh bytes from this kernel (not the recorded fixtures): decode -> copy -> encode is exact."""
    for cmd in ("link add v0 type veth peer name v1", "link add mv0 link v0 type macvlan mode vepa",
                "link add br0 type bridge", "link set v1 master br0", "link set v0 up",
                "addr add 198.51.100.1/24 dev v0", "addr add 2001:db8::1/64 dev v0 nodad"):
        assert ns.popen(["ip", *cmd.split()]).wait() == 0
    got = spy(net.sock)
    net.links()
    net.addresses()
    net.routes()
    net.sock.dump(Message(RTM_GETLINK, header=IfInfoMsg()))  # with statistics
    assert len(got) >= 4
    for data in got:
        msgs = codec.decode(data)
        assert b"".join(e + b"\0" * (-len(e) % 4) for e in (m.copy().encode() for m in msgs)) == data


@pytest.mark.kernel
def test_datagrams_are_read_at_the_size_the_kernel_reports(net: Any) -> None:
    """Each datagram is read at its peeked size: whole, and nothing of the next one."""
    net.sock.request_many(bridge(f"br{i}") for i in range(20))
    got = spy(net.sock)
    links = net.links()
    assert {f"br{i}" for i in range(20)} <= {link.name for link in links}
    for data in got:  # every datagram ends with a whole message, and there is no byte after it
        off = 0
        while off < len(data):
            off += (struct.unpack_from("=I", data, off)[0] + 3) & ~3
        assert off == len(data)


@pytest.mark.kernel
def test_answer_bigger_than_64k(net: Any) -> None:
    """A link with ~500 alternative names: its RTM_NEWLINK alone is larger than 64 KiB."""
    net.sock.request(bridge("big"))
    names = [f"{i:04d}" + "a" * 123 for i in range(495)]
    for start in range(0, len(names), 100):
        props = codec.Attrs(codec.IFLA_PROP, [("IFLA_ALT_IFNAME", n) for n in names[start:start + 100]],
                            flags=codec.NLA_F_NESTED)
        net.sock.request(Message(codec.RTM_NEWLINKPROP, NLM_F_CREATE | codec.NLM_F_APPEND, header=IfInfoMsg(),
                                 attrs=IFLA.build(IFLA_IFNAME="big", IFLA_PROP_LIST=props)))
    got = spy(net.sock)
    [msg] = net.sock.request(Message(RTM_GETLINK, header=IfInfoMsg(), attrs=IFLA.build(IFLA_IFNAME="big")))
    assert max(len(d) for d in got) > 65536
    assert msg.attrs["IFLA_PROP_LIST"].get_all("IFLA_ALT_IFNAME") == names
    by_alt = Message(RTM_GETLINK, header=IfInfoMsg(), attrs=IFLA.build(IFLA_ALT_IFNAME=names[-1]))
    assert net.sock.request(by_alt)[0].attrs["IFLA_IFNAME"] == "big"  # looked up by alternative name


@pytest.mark.kernel
def test_shared_between_threads(net: Any) -> None:
    names = [f"t{i}" for i in range(16)]
    net.sock.request_many(bridge(n) for n in names)
    index = {link.name: link.index for link in net.links()}
    errors: list[BaseException] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(60):
                name = rng.choice(names)
                if rng.random() < 0.1:
                    assert {link.name for link in net.links()} >= set(names)
                elif rng.random() < 0.5:
                    assert net.link(name).index == index[name]
                else:
                    assert net.link(index[name]).name == name
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


@pytest.mark.kernel
def test_dump_while_addresses_churn(ns: Any, net: Any) -> None:
    """Try to provoke NLM_F_DUMP_INTR for real: dumps must return a consistent list or raise
    DumpInterrupted, never a torn one. Whether the kernel flags one here is not asserted."""
    net.sock.request(bridge("churn"))
    idx = net.link("churn").index
    stop = threading.Event()
    add = Message(codec.RTM_NEWADDR, NLM_F_CREATE | codec.NLM_F_REPLACE,
                  header=codec.IfAddrMsg(family=socket.AF_INET, prefixlen=32, index=idx))
    intr = 0

    def churn() -> None:
        from rtnl import connect

        with connect(ns) as other:
            while not stop.is_set():
                for i in range(1, 40):
                    for t in (codec.RTM_NEWADDR, codec.RTM_DELADDR):
                        m = Message(t, add.flags if t == codec.RTM_NEWADDR else 0, header=add.header,
                                    attrs=codec.IFA.build(IFA_LOCAL=f"198.51.100.{i}"))
                        other.sock.request(m)

    t = threading.Thread(target=churn)
    t.start()
    try:
        for _ in range(60):
            try:
                for a in net.addresses():
                    assert a.link == idx or a.link == 1
            except DumpInterrupted:
                intr += 1
    finally:
        stop.set()
        t.join()
    print(f"dumps interrupted after {netlink.DUMP_RETRIES} tries: {intr} of 60")


@pytest.mark.kernel
def test_request_many_of_5000_never_overruns(net: Any) -> None:
    """5,000 requests in one call: sent in windows whose acks fit the receive queue, so none is lost
    to ENOBUFS (which would leave the loop waiting for an ack forever) and every one is applied."""
    net.sock.request_many(bridge(f"b{i}") for i in range(2))
    index = [net.index("b0"), net.index("b1")]
    net.sock.request_many(Message(RTM_NEWLINK, header=IfInfoMsg(index=index[i % 2]),
                                  attrs=IFLA.build(IFLA_MTU=1000 + i)) for i in range(5000))
    assert (net.link("b0").mtu, net.link("b1").mtu) == (1000 + 4998, 1000 + 4999)
