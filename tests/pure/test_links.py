"""Link specs are values, checked before anything is sent: frozen, hashable, picklable, and every bad
argument refused with a clear error (the kernel tests are in tests/kernel/test_links.py)."""

from __future__ import annotations

from typing import Any

import pytest

from rtnl.links import (
    Bridge,
    Macvlan,
    MacvlanFlag,
    MacvlanMode,
    Macvtap,
    SourceMacs,
    Veth,
)

MAC1, MAC2 = "02:00:5e:00:53:01", "02:00:5e:00:53:02"


# --- specs are values -----------------------------------------------------------------------------


@pytest.mark.parametrize("spec", [
    Macvlan("mv0", "eth0", MacvlanMode.SOURCE, address=MAC1, mtu=1400, source_macs=(MAC1,)),
    Macvtap("mvt0", 2),
    Veth("v0", "v1", mtu=9000),
    Bridge("br0"),
    SourceMacs.add(MAC1),
])
def test_specs_are_frozen_values(spec: Any) -> None:
    import copy
    import pickle

    for clone in (copy.copy(spec), copy.deepcopy(spec), pickle.loads(pickle.dumps(spec)), spec.__replace__()):
        assert clone == spec and hash(clone) == hash(spec) and repr(clone) == repr(spec)
        assert type(clone) is type(spec)
    first = spec._fields[0]
    assert repr(spec).startswith(f"{type(spec).__name__}({first}=")
    with pytest.raises(AttributeError):
        setattr(spec, first, "other")
    with pytest.raises(AttributeError):
        delattr(spec, first)
    with pytest.raises(AttributeError):
        spec.anything = 1  # slots only


def test_replacing_a_spec_field_validates_it_again() -> None:
    mv = Macvlan("mv0", 2)
    assert mv.__replace__(mode=MacvlanMode.VEPA) == Macvlan("mv0", 2, MacvlanMode.VEPA)
    with pytest.raises(ValueError):
        mv.__replace__(name="a" * 16)
    assert Macvlan("mv0", 2) != Macvtap("mv0", 2)  # another kind, though the same fields
    assert Macvlan("mv0", 2) != tuple(Macvlan("mv0", 2)) and tuple(Macvlan("mv0", 2)) != Macvlan("mv0", 2)
    assert not Macvlan("mv0", 2) == tuple(Macvlan("mv0", 2))  # noqa: SIM201  (the tuple inside is no spec)
    with pytest.raises(TypeError):
        Macvlan("mv0", 2) < Macvlan("mv1", 2)  # noqa: B015  (specs have no order)


# --- validation before anything is sent -------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"name": "a" * 16}, ValueError),
    ({"name": "ab/c"}, ValueError),
    ({"name": "a b"}, ValueError),
    ({"name": ".."}, ValueError),
    ({"name": ""}, ValueError),
    ({"name": b"mv0"}, TypeError),
    ({"mode": 4}, TypeError),
    ({"flags": 1}, TypeError),
    ({"address": "01:00:5e:00:00:01"}, ValueError),  # multicast
    ({"address": "00:00:00:00:00:00"}, ValueError),
    ({"address": "02:00:5e:00:53"}, ValueError),  # 5 bytes
    ({"mtu": 67}, ValueError),
    ({"mtu": 65536}, ValueError),
    ({"source_macs": (MAC1,)}, ValueError),  # only in SOURCE mode
    ({"mode": MacvlanMode.SOURCE, "source_macs": MAC1}, TypeError),
    ({"mode": MacvlanMode.SOURCE, "source_macs": (MAC1, MAC1)}, ValueError),
    ({"mode": MacvlanMode.SOURCE, "source_macs": ("ff:ff:ff:ff:ff:ff",)}, ValueError),
    ({"flags": MacvlanFlag.NOPROMISC}, ValueError),  # only with PASSTHRU
    ({"mode": MacvlanMode.PASSTHRU, "flags": MacvlanFlag.NODST}, ValueError),  # only with SOURCE
    ({"bc_queue_len": -1}, ValueError),
    ({"bc_cutoff": 2**31}, ValueError),
    ({"parent": 1.5}, TypeError),
])
def test_macvlan_spec_rejects_bad_input(kwargs: dict[str, Any], error: type[Exception]) -> None:
    args = {"name": "mv0", "parent": "eth0", **kwargs}
    with pytest.raises(error):
        Macvlan(**args)


def test_specs_normalise_macs() -> None:
    spec = Macvlan("mv0", "eth0", MacvlanMode.SOURCE, address="02:00:5E:0:53:1", source_macs=[MAC2])
    assert spec.address == MAC1 and spec.source_macs == (MAC2,)
    assert Macvtap("t0", "eth0").kind == "macvtap"
    with pytest.raises(ValueError):
        Veth("a", "a")
    with pytest.raises(ValueError):
        Bridge("x" * 16)
    with pytest.raises(ValueError):
        SourceMacs.add("01:00:00:00:00:01")


def test_macs_must_be_plain_hex() -> None:
    for bad in ("+2:00:5e:00:53:01", "-0:00:5e:00:53:01", " 2:00:5e:00:53:01", "2:0:5e:0:53:1:7",
                "2::5e:0:53:1"):
        with pytest.raises(ValueError):
            Macvlan("mv0", "eth0", address=bad)
        with pytest.raises(ValueError):
            SourceMacs.add(bad)
    assert Macvlan("mv0", "eth0", address="2:0:5E:0:53:1").address == "02:00:5e:00:53:01"


# --- links read from messages ----------------------------------------------------------------------


def _link(index: int, name: str, mode: int, flags: int = 0) -> Any:
    from rtnl.codec import IFLA, IfInfoMsg
    from rtnl.links import Link

    data = {"IFLA_MACVLAN_MODE": mode, "IFLA_MACVLAN_FLAGS": flags}
    attrs = IFLA.build(IFLA_IFNAME=name, IFLA_MTU=1500, IFLA_LINK=2,
                       IFLA_LINKINFO={"IFLA_INFO_KIND": "macvlan", "IFLA_INFO_DATA": data})
    return Link(IfInfoMsg(index=index), attrs)


def test_links_with_the_same_kind_data_share_its_decoding_and_others_do_not() -> None:
    from rtnl.links import MacvlanInfo

    a, b, c = _link(3, "a", 4), _link(4, "b", 4), _link(5, "c", 1, flags=2)
    assert a.info is b.info == MacvlanInfo(MacvlanMode.BRIDGE)  # one nest's bytes, decoded once
    assert c.info == MacvlanInfo(MacvlanMode.PRIVATE, MacvlanFlag(2)) and c.kind == "macvlan"
    assert (a.name, a.mtu, a.parent, b.name) == ("a", 1500, 2, "b")  # each property its own attribute
    assert a != b and a == _link(3, "a", 4) and hash(a) == hash(_link(3, "a", 4))


# --- delete_many, driven without a kernel -----------------------------------------------------------


class _Place:
    namespace_id = (1, 2)
    kernel_echoes = True


def _dump(*links: tuple[int, str, int]) -> list[Any]:
    """A link dump's answer as the driver hands it over, (index, name, group) each: one datagram's rows."""
    from rtnl._fast import message_rows
    from rtnl.codec import IFLA, IfInfoMsg, Message
    from rtnl.ops.links import _NAME_AND_GROUP_ROWS
    from rtnl.uapi import RTM_NEWLINK

    data = b"".join(Message(RTM_NEWLINK, header=IfInfoMsg(index=i), attrs=IFLA.build(
        IFLA_IFNAME=name, IFLA_MTU=1500, IFLA_GROUP=group)).encode(seq=1) for i, name, group in links)
    return [(data, message_rows(data, _NAME_AND_GROUP_ROWS, 1, 0)[0])]  # read in rows, as the driver does


def test_delete_many_refuses_a_bad_link_before_it_sends_anything() -> None:
    from rtnl.codec import IFLA, IfInfoMsg
    from rtnl.links import Link
    from rtnl.ops.links import delete_many

    foreign = Link(IfInfoMsg(index=5), IFLA.build(IFLA_IFNAME="mv5"), (3, 4))  # read in another namespace
    for links, error in (([7, foreign], ValueError), (["mv0", "a/b"], ValueError), (["mv0", True], TypeError),
                         ([0], ValueError)):
        with pytest.raises(error):
            next(delete_many(_Place(), links))  # the first step would be the dump


def test_delete_many_deletes_a_whole_group_by_it_and_regroups_a_part_first() -> None:
    from rtnl.ops import Batch, Dump, Request
    from rtnl.ops.links import delete_many
    from rtnl.uapi import RTM_DELLINK, RTM_NEWLINK

    answer = _dump((1, "lo", 0), (2, "mv0", 7), (3, "mv1", 7), (4, "mv2", 9))
    op = delete_many(_Place(), ["mv1", 2])
    assert isinstance(next(op), Dump)
    step = op.send(answer)  # mv0 and mv1 are all of group 7: deleted by it, nothing else asked
    assert isinstance(step, Request) and step.message.type == RTM_DELLINK
    assert (step.message.header.index, dict(step.message.attrs)) == (0, {"IFLA_GROUP": 7})
    with pytest.raises(StopIteration):
        op.send([])

    op = delete_many(_Place(), [2, 4])  # group 7 holds mv1 too, mv2 is in 9: a fresh group for both
    next(op)
    batch = op.send(answer)
    assert isinstance(batch, Batch)
    assert [(m.type, m.header.index) for m in batch.messages] == [(RTM_NEWLINK, 2), (RTM_NEWLINK, 4)]
    [fresh] = {m.attrs["IFLA_GROUP"] for m in batch.messages}
    assert fresh >= 2**20 and fresh not in (0, 7, 9)
    step = op.send([[], []])
    assert isinstance(step, Request) and dict(step.message.attrs) == {"IFLA_GROUP": fresh}


# --- most macvlans are created at once (Connection.add without the operation's generators) ----------------

import errno  # noqa: E402

import rtnl  # noqa: E402
from rtnl.codec import NLM_F_REQUEST, RTM_GETLINK, RTM_NEWLINK, IfInfoMsg, Message, decode  # noqa: E402
from rtnl.ops import links as link_ops  # noqa: E402
from tests.support.at_once import outcome, record_at_once  # noqa: E402


class Created(rtnl.Connection):
    """A Connection (``run`` its own) over a socket that keeps each request as sent (sequence number
    0) and answers a create with the link it makes (index 9) as its echo (``echo`` False: nothing but
    the ack, and a get with the link), or refuses it with ``refusal``."""

    def __init__(self, refusal: tuple[int, str] | None = None, echo: bool = True) -> None:
        def made(req: Message) -> Message:
            [back] = decode(Message(RTM_NEWLINK, header=IfInfoMsg(index=9), attrs=req.attrs).encode(seq=1))
            return back

        def answer(req: Message) -> list[Message]:
            if req.type == RTM_GETLINK:
                return [made(self.creates[-1] if self.creates else req)]  # (a parent looked up: itself)
            if refusal is not None and req.type == RTM_NEWLINK:
                raise rtnl.NetlinkError.from_errno(*refusal)
            return [made(req)] if echo and req.type == RTM_NEWLINK else []

        class Socket:
            def request_encoded(_, change: bytes, then: bytes | None = None) -> list[Message]:
                self.sent.append(change)
                [req] = decode(change)
                self.creates.append(req)
                return answer(req)

            def request(_, msg: Message, *, ack: bool = True) -> list[Message]:
                self.sent.append(msg.encode(seq=0, flags=msg.flags | NLM_F_REQUEST | (4 if ack else 0)))
                if msg.type == RTM_NEWLINK:
                    self.creates.append(msg)
                return answer(msg)

        class Here:
            ident = None

        super().__init__(Socket(), Here())  # type: ignore[arg-type]
        self.kernel_echoes = True
        self.sent: list[bytes] = []
        self.creates: list[Message] = []


@pytest.fixture
def created_at_once(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each call of add_at_once sent the create itself (without running the operation)."""
    return record_at_once(monkeypatch, link_ops, "add_at_once")


AT_ONCE = [Macvlan("mv0", 2), Macvtap("mvt0", 3, MacvlanMode.PASSTHRU, flags=MacvlanFlag.NOPROMISC),
           Macvlan("mv1", 2, MacvlanMode.SOURCE, address=MAC1, mtu=1400, source_macs=(MAC1, MAC2)),
           Macvlan("mv2", 2, bc_queue_len=100, bc_cutoff=1), Macvlan("mv4", 2, bc_cutoff=5)]


@pytest.mark.parametrize("refusal", [None, (errno.EEXIST, "File exists"),
                                     (errno.EOPNOTSUPP, "Unknown device type")])
@pytest.mark.parametrize("spec", [*AT_ONCE, Macvlan("mv3", "eth0"), Bridge("br0"), Veth("v0", "v1"),
                                  "not a spec"])
def test_a_macvlan_created_at_once_is_the_operations(spec: Any, refusal: tuple[int, str] | None,
                                                     created_at_once: list[bool]) -> None:
    """Connection.add sends a macvlan here on a parent given by index, on a kernel known to echo, itself:
    the same bytes as the operation run by Connection.run, the same Link back, or the same error (a
    refusal named alike, an unknown kind made actionable). Others are left to the operation."""
    assert outcome(Created(refusal), lambda net: net.add(spec)) == outcome(
        Created(refusal), lambda ran: ran.run(link_ops.add(ran, spec)))
    assert created_at_once == [spec in AT_ONCE]


def test_a_create_sent_at_once_without_an_echo_reads_the_link_back_as_the_operation(
        created_at_once: list[bool]) -> None:
    """No echo (a kernel that stopped echoing?): the operation's own read-back by name follows."""
    net, ran = Created(echo=False), Created(echo=False)
    assert outcome(net, lambda net: net.add(Macvlan("mv0", 2))) == outcome(
        ran, lambda ran: ran.run(link_ops.add(ran, Macvlan("mv0", 2))))
    assert created_at_once == [True] and [m.type for m in net.creates] == [RTM_NEWLINK]
    assert [decode(data)[0].type for data in net.sent] == [RTM_NEWLINK, RTM_GETLINK]


def test_a_kernel_not_known_to_echo_runs_the_operation(created_at_once: list[bool]) -> None:
    net = Created()
    net.kernel_echoes = False  # the first create learns it
    net.add(Macvlan("mv0", 2))
    net.add(Macvlan("mv1", 2))
    assert created_at_once == [False, True] and net.kernel_echoes
