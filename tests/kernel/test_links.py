"""Typed links against the real kernel: add/set/move/delete, macvlan modes and flags, read back by rtnl
and cross-checked with ``ip -d -j link show`` run inside the same throwaway namespace (specs as values,
without the kernel, are in tests/pure/test_links.py)."""

from __future__ import annotations

import errno
import itertools
import json
import socket
import struct
import subprocess
import time
from typing import Any

import pytest

import rtnl
from rtnl import codec
from rtnl.codec import (
    IFLA,
    IFLA_INFO,
    IFLA_MACVLAN,
    NLM_F_ACK,
    NLM_F_CREATE,
    NLM_F_ECHO,
    NLM_F_EXCL,
    RTM_NEWLINK,
    Message,
)
from rtnl.links import (
    Bridge,
    Link,
    Macvlan,
    MacvlanFlag,
    MacvlanInfo,
    MacvlanMode,
    Macvtap,
    SourceMacs,
    Veth,
    VethInfo,
    supports_kind,
)

MAC1, MAC2, MAC3 = "02:00:5e:00:53:01", "02:00:5e:00:53:02", "02:00:5e:00:53:03"


def ip_links(ns: rtnl.Namespace, *args: str) -> dict[str, dict[str, Any]]:
    """``ip -d -j link show`` inside ``ns``, by name."""
    proc = ns.popen(["ip", "-d", "-j", "link", "show", *args], stdout=subprocess.PIPE, text=True)
    out = proc.communicate()[0]
    return {x["ifname"]: x for x in json.loads(out)}


@pytest.fixture
def parent(net: rtnl.Connection) -> Link:
    """A veth end standing in for the physical NIC (the kernel here has no dummy)."""
    link = net.add(Veth("eth0", "wire0"))
    net.set("wire0", up=True)
    return net.set(link, up=True)


# --- create and read back --------------------------------------------------------------------------


def test_veth_bridge_and_ports(net: rtnl.Connection, ns: rtnl.Namespace) -> None:
    a = net.add(Veth("va", "vb", mtu=1400))
    b = net.link("vb")
    assert (a.kind, a.mtu, b.mtu) == ("veth", 1400, 1400)
    assert a.info == VethInfo(peer=b.index) and b.info == VethInfo(peer=a.index)
    br = net.add(Bridge("br0"))
    assert br.kind == "bridge" and br.info is not None
    port = net.set("vb", master=br, up=True)
    assert port.master == br.index and port.port is not None and not port.port.hairpin
    assert net.set_bridge_port(port, hairpin=True).port.hairpin  # type: ignore[union-attr]
    seen = ip_links(ns)["vb"]
    assert seen["master"] == "br0" and seen["linkinfo"]["info_slave_data"]["hairpin"] is True
    assert not net.set_bridge_port("vb", hairpin=False).port.hairpin  # type: ignore[union-attr]
    assert net.set("vb", master=0).master is None


def test_set_changes_everything(net: rtnl.Connection, ns: rtnl.Namespace, parent: Link) -> None:
    mv = net.add(Macvlan("mv0", parent, address=MAC1))
    assert mv.address == MAC1 and mv.parent == parent.index and not mv.up
    mv = net.set(mv, up=True, mtu=1400, address=MAC2, txqlen=77, group=5, promisc=True)
    assert (mv.up, mv.mtu, mv.address, mv.txqlen, mv.group, mv.promiscuity) == (True, 1400, MAC2, 77, 5, 1)
    seen = ip_links(ns)["mv0"]
    assert (seen["mtu"], seen["address"], seen["txqlen"], seen["promiscuity"]) == (1400, MAC2, 77, 1)
    assert "UP" in seen["flags"] and "PROMISC" in seen["flags"]
    mv = net.set("mv0", name="mv1", up=False, promisc=False)  # one request: an up link can be renamed
    assert (mv.name, mv.up, mv.promiscuity) == ("mv1", False, 0)
    mv = net.set(mv.index, up=True, name="mv2")
    assert (mv.name, mv.up) == ("mv2", True)
    net.set(parent, promisc=True)
    assert "PROMISC" in ip_links(ns)["eth0"]["flags"]
    net.delete(mv)
    assert "mv2" not in ip_links(ns)


def test_errors_are_typed(net: rtnl.Connection, parent: Link) -> None:
    with pytest.raises(ValueError):
        net.add(Macvlan("x" * 16, parent))  # before sending
    with pytest.raises(rtnl.NetlinkError) as missing:
        net.add(Macvlan("mv0", "nosuchparent"))
    assert missing.value.errno == errno.ENODEV and "nosuchparent" in str(missing.value)
    with pytest.raises(rtnl.NetlinkError) as missing_index:
        net.add(Macvlan("mv0", 9999))
    assert missing_index.value.errno == errno.ENODEV
    net.add(Macvlan("mv0", parent))
    with pytest.raises(FileExistsError) as exists:
        net.add(Macvlan("mv0", parent))
    assert isinstance(exists.value, rtnl.NetlinkError)
    with pytest.raises(rtnl.NetlinkError) as bad_mtu:  # the kernel's own limit: the parent's MTU
        net.set("mv0", mtu=9000)
    assert bad_mtu.value.errno == errno.EINVAL  # macvlan_change_mtu sends no ext-ack text
    with pytest.raises(TypeError):
        net.add("mv0")  # type: ignore[arg-type]


def test_move_into_namespace_and_parent_netnsid(net: rtnl.Connection, parent: Link) -> None:
    with rtnl.Namespace.anonymous() as other, rtnl.connect(other) as there:
        mv = net.add(Macvlan("mv0", parent, MacvlanMode.PRIVATE))
        net.move(mv, other, name="eth0")  # the parent's own name: fine over there
        moved = there.link("eth0")
        assert moved.kind == "macvlan" and moved.info == MacvlanInfo(MacvlanMode.PRIVATE, bc_queue_len=1000,
                                                                     bc_queue_len_used=1000)
        assert moved.parent == parent.index and moved.parent_netnsid is not None
        assert "eth0" in ip_links(other)
        # deleting the parent here removes its child over there
        net.delete(parent)
        assert [x.name for x in there.links()] == ["lo"]


def test_unknown_kind_says_what_to_do(net: rtnl.Connection) -> None:
    assert supports_kind("macvlan") and supports_kind("veth") and supports_kind("bridge")
    assert not supports_kind("dummy")  # not built into this kernel
    msg = Message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, attrs=IFLA.build(
        IFLA_IFNAME="d0", IFLA_LINKINFO=IFLA_INFO.build(IFLA_INFO_KIND="dummy")))
    with pytest.raises(rtnl.NetlinkError) as raw:
        net.request(msg)
    assert raw.value.errno == errno.EOPNOTSUPP and raw.value.extack == "Unknown device type"


def test_adding_an_unsupported_kind_says_modprobe(net: rtnl.Connection,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Bridge, "kind", "dummy")  # a spec whose kind this kernel lacks
    with pytest.raises(rtnl.NetlinkError) as e:
        net.add(Bridge("d0"))
    assert e.value.errno == errno.EOPNOTSUPP
    text = str(e.value)
    assert "'dummy'" in text and "modprobe dummy" in text and "lsmod | grep dummy" in text
    assert [x.name for x in net.links()] == ["lo"]


# --- every mode x flag, read back by rtnl and by ip -------------------------------------------------

ALL_FLAGS = [MacvlanFlag(x) for x in range(4)]
IP_MODES = {"private": MacvlanMode.PRIVATE, "vepa": MacvlanMode.VEPA, "bridge": MacvlanMode.BRIDGE,
            "passthru": MacvlanMode.PASSTHRU, "source": MacvlanMode.SOURCE}


def ip_macvlan(entry: dict[str, Any]) -> MacvlanInfo:
    """What ``ip -d -j`` shows as a :class:`MacvlanInfo` (iproute2 6.1 does not print bc_cutoff)."""
    data = entry["linkinfo"]["info_data"]
    flags = MacvlanFlag(0)
    if data.get("nopromisc"):
        flags |= MacvlanFlag.NOPROMISC
    if data.get("nodst"):
        flags |= MacvlanFlag.NODST
    macs = tuple(sorted(data.get("macaddr_data", ())))
    assert data.get("macaddr_count", len(macs)) == len(macs)
    return MacvlanInfo(IP_MODES[data["mode"]], flags, macs, data.get("bcqueuelen"),
                       data.get("usedbcqueuelen"))


def raw_macvlan(net: rtnl.Connection, name: str, parent: int, **data: int) -> None:
    """Create a macvlan with exactly these IFLA_MACVLAN_* attributes (no rtnl defaults, no checks)."""
    net.request(Message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, attrs=IFLA.build(
        IFLA_IFNAME=name, IFLA_LINK=parent, IFLA_LINKINFO=IFLA_INFO.build(
            IFLA_INFO_KIND="macvlan", IFLA_INFO_DATA=IFLA_MACVLAN.build(**data)))))


@pytest.mark.parametrize("kind", [Macvlan, Macvtap])
def test_every_mode_and_flag(net: rtnl.Connection, ns: rtnl.Namespace, parent: Link,
                             kind: type[Macvlan]) -> None:
    created = refused = 0
    for mode, flags in itertools.product(MacvlanMode, ALL_FLAGS):
        try:
            spec = kind("mv0", parent, mode, flags=flags)
        except ValueError:
            # rtnl follows iproute2 (NOPROMISC only with PASSTHRU, NODST only with SOURCE); the kernel
            # itself accepts the combination and reports the meaningless flag back
            assert (flags & MacvlanFlag.NOPROMISC and mode != MacvlanMode.PASSTHRU) or (
                flags & MacvlanFlag.NODST and mode != MacvlanMode.SOURCE)
            raw_macvlan(net, "raw0", parent.index, IFLA_MACVLAN_MODE=mode, IFLA_MACVLAN_FLAGS=flags)
            assert net.link("raw0").info == ip_macvlan(ip_links(ns)["raw0"]) == MacvlanInfo(
                mode, flags, (), 1000, 1000)
            net.delete("raw0")
            refused += 1
            continue
        link = net.add(spec)
        expected = MacvlanInfo(mode, flags, (), 1000, 1000)
        assert (link.kind, link.info, link.parent) == (kind.kind, expected, parent.index)
        seen = ip_links(ns)["mv0"]
        shown = (seen["linkinfo"]["info_kind"], seen["link"], ip_macvlan(seen))
        assert shown == (kind.kind, "eth0", expected)
        net.delete(link)
        created += 1
    assert (created, refused) == (7, 13)


def test_kernel_refusals_are_typed(net: rtnl.Connection, parent: Link) -> None:
    """What the kernel itself refuses. The macvlan driver sets no ext-ack text for any of these, so
    the errors carry the errno only (extack is None)."""
    cases: list[tuple[dict[str, Any], int]] = [
        ({"IFLA_MACVLAN_MODE": 3}, errno.EINVAL),  # not a mode
        ({"IFLA_MACVLAN_MODE": 4, "IFLA_MACVLAN_FLAGS": 4}, errno.EINVAL),  # unknown flag bit
        ({"IFLA_MACVLAN_MODE": 16, "IFLA_MACVLAN_MACADDR_MODE": 0,  # a multicast source MAC
          "IFLA_MACVLAN_MACADDR": "01:00:5e:00:00:01"}, errno.EADDRNOTAVAIL),
        ({"IFLA_MACVLAN_MODE": 4, "IFLA_MACVLAN_MACADDR_COUNT": 1}, errno.EINVAL),  # read-only attribute
    ]
    for data, err in cases:
        with pytest.raises(rtnl.NetlinkError) as e:
            raw_macvlan(net, "raw0", parent.index, **data)
        assert e.value.errno == err, data
    with pytest.raises(rtnl.NetlinkError) as on_lo:  # loopback cannot be a parent
        net.add(Macvlan("mv0", "lo"))
    assert on_lo.value.errno == errno.EINVAL
    with pytest.raises(rtnl.NetlinkError) as too_big:  # MTU above the parent's
        net.add(Macvlan("mv0", parent, mtu=parent.mtu + 1))
    assert too_big.value.errno == errno.EINVAL
    mv = net.add(Macvlan("mv0", parent, MacvlanMode.BRIDGE))
    with pytest.raises(rtnl.NetlinkError) as not_source:  # a MAC list outside SOURCE mode
        net.set(mv, source_macs=[MAC1])
    assert not_source.value.errno == errno.EINVAL
    with pytest.raises(ValueError):  # rtnl refuses a change that only fits macvlans, before sending
        net.set(parent, source_macs=[MAC1])
    assert [x.name for x in net.links()] == ["lo", "wire0", "eth0", "mv0"]


# --- kernel facts ---------------------------------------------------------------------------------


def test_mode_omitted_on_the_wire_is_vepa(net: rtnl.Connection, ns: rtnl.Namespace, parent: Link) -> None:
    net.request(Message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, attrs=IFLA.build(
        IFLA_IFNAME="raw0", IFLA_LINK=parent.index, IFLA_LINKINFO=IFLA_INFO.build(IFLA_INFO_KIND="macvlan"))))
    assert net.link("raw0").info.mode == MacvlanMode.VEPA  # type: ignore[union-attr]
    assert ip_links(ns)["raw0"]["linkinfo"]["info_data"]["mode"] == "vepa"
    assert Macvlan("x", parent).mode == MacvlanMode.BRIDGE  # rtnl's default, always sent
    assert net.add(Macvlan("mv0", parent)).info.mode == MacvlanMode.BRIDGE  # type: ignore[union-attr]


def test_only_one_passthru_child(net: rtnl.Connection, parent: Link) -> None:
    pt = net.add(Macvlan("pt0", parent, MacvlanMode.PASSTHRU))
    assert pt.address == parent.address  # it takes over the parent's MAC
    for mode in (MacvlanMode.PASSTHRU, MacvlanMode.BRIDGE):  # nor any other child beside it
        with pytest.raises(rtnl.NetlinkError) as e:
            net.add(Macvlan("pt1", parent, mode))
        assert e.value.errno == errno.EINVAL
    net.set(pt, up=True)
    assert net.link(parent).promiscuity == 1  # passthru without NOPROMISC makes the parent promiscuous
    net.delete(pt)
    net.add(Macvlan("pt2", parent, MacvlanMode.PASSTHRU, flags=MacvlanFlag.NOPROMISC))
    net.set("pt2", up=True)
    assert net.link(parent).promiscuity == 0


def test_duplicate_mac_fails_at_up_not_at_create(net: rtnl.Connection, parent: Link) -> None:
    a = net.add(Macvlan("mv0", parent, address=MAC1))
    b = net.add(Macvlan("mv1", parent, address=MAC1))  # accepted
    assert a.address == b.address == MAC1
    net.set(a, up=True)
    with pytest.raises(rtnl.NetlinkError) as e:
        net.set(b, up=True)
    assert e.value.errno == errno.EADDRINUSE
    assert not net.link(b).up


def test_deleting_parent_removes_children_everywhere(net: rtnl.Connection, parent: Link) -> None:
    with rtnl.Namespace.anonymous() as other, rtnl.connect(other) as there:
        net.add(Macvlan("mv0", parent, namespace=other))
        net.add(Macvtap("mvt0", parent))
        net.move("mvt0", other)
        assert sorted(x.name for x in there.links()) == ["lo", "mv0", "mvt0"]
        net.delete("eth0")
        assert [x.name for x in there.links()] == ["lo"]
        assert [x.name for x in net.links()] == ["lo"]  # the veth peer went too


# --- SOURCE mode: the MAC list ------------------------------------------------------------------------


def test_source_macs_set_add_delete_flush(net: rtnl.Connection, ns: rtnl.Namespace, parent: Link) -> None:
    def both() -> tuple[str, ...]:
        mine = net.link("src0").info
        assert isinstance(mine, MacvlanInfo)
        assert ip_macvlan(ip_links(ns)["src0"]).source_macs == mine.source_macs
        return mine.source_macs

    spec = Macvlan("src0", parent, MacvlanMode.SOURCE, flags=MacvlanFlag.NODST, source_macs=[MAC2, MAC1])
    mv = net.add(spec)
    assert mv.info.source_macs == both() == (MAC1, MAC2)  # type: ignore[union-attr]
    net.set(mv, source_macs=SourceMacs.add(MAC3))
    assert both() == (MAC1, MAC2, MAC3)
    net.set(mv, source_macs=SourceMacs.delete(MAC1, MAC3))
    assert both() == (MAC2,)
    net.set(mv, source_macs=[MAC3, MAC1])  # a sequence replaces the list
    assert both() == (MAC1, MAC3)
    net.set(mv, source_macs=SourceMacs.flush())
    assert both() == ()
    assert ip_links(ns)["src0"]["linkinfo"]["info_data"]["macaddr_count"] == 0
    net.set(mv, source_macs=SourceMacs.set(MAC2), up=True)
    assert both() == (MAC2,) and net.link(mv).up
    net.set(mv, source_macs=())
    assert both() == ()


# --- create in place ---------------------------------------------------------------------------------


def test_create_in_place_with_a_name_taken_here(net: rtnl.Connection, parent: Link) -> None:
    with rtnl.Namespace.anonymous() as other, rtnl.connect(other) as there:
        mv = net.add(Macvlan("eth0", parent, MacvlanMode.VEPA, mtu=1400, address=MAC1, namespace=other))
        assert (mv.name, mv.kind, mv.mtu, mv.address) == ("eth0", "macvlan", 1400, MAC1)
        assert mv.parent == parent.index and mv.parent_netnsid is not None
        assert there.link("eth0") == mv
        assert net.link("eth0").kind == "veth"  # the one here is untouched
        veth = net.add(Veth("wire0", "eth1", namespace=other, peer_namespace=other))  # "wire0" exists here
        assert veth.name == "wire0" and there.link("eth1").kind == "veth"
        bridge = net.add(Bridge("br0", namespace=other))
        assert there.link("br0") == bridge
        assert [x.name for x in net.links()] == ["lo", "wire0", "eth0"]


def test_veth_peer_in_another_namespace(net: rtnl.Connection) -> None:
    with rtnl.Namespace.anonymous() as other, rtnl.connect(other) as there:
        here = net.add(Veth("host0", "eth0", peer_namespace=other, mtu=9000))
        peer = there.link("eth0")
        assert here.info == VethInfo(peer=peer.index, peer_netnsid=here.parent_netnsid)
        assert here.parent_netnsid is not None and peer.mtu == here.mtu == 9000


def _names(conn: rtnl.Connection) -> list[str]:
    return sorted(x.name for x in conn.links())


def test_create_in_place_leaves_nothing_on_failure(net: rtnl.Connection, parent: Link,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import rtnl.ops.links

    with rtnl.Namespace.anonymous() as other, rtnl.connect(other) as there:
        there.add(Veth("mv0", "busy1"))  # the final name is taken over there: the rename fails
        before_here, before_there = _names(net), _names(there)
        with pytest.raises(FileExistsError):
            net.add(Macvlan("mv0", parent, namespace=other))
        assert (_names(net), _names(there)) == (before_here, before_there)

        def broken(*args: object) -> Link:
            raise RuntimeError("injected failure after the create")

        monkeypatch.setattr(rtnl.ops.links, "_finish_inside", broken)
        for spec in (Macvlan("mv1", parent, namespace=other), Veth("v0", "v1", namespace=other),
                     Veth("v2", "v3", namespace=other, peer_namespace=other)):
            with pytest.raises(RuntimeError):
                net.add(spec)
            assert (_names(net), _names(there)) == (before_here, before_there)

        monkeypatch.undo()  # now fail after the rename, when the link already has its final name
        monkeypatch.setattr(rtnl.ops.links, "_verified", broken)
        with pytest.raises(RuntimeError):
            net.add(Macvlan("mv2", parent, namespace=other))
        assert (_names(net), _names(there)) == (before_here, before_there)


# --- bulk ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("echoes_known", [False, True])  # known: the creates go without NLM_F_ACK
def test_add_many_creates_in_order_what_ip_sees(ns: rtnl.Namespace, net: rtnl.Connection, parent: Link,
                                                echoes_known: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    from rtnl.netlink import ECHO_WINDOW

    monkeypatch.setattr(net, "kernel_echoes", echoes_known)

    n = 2 * ECHO_WINDOW + 3  # three windows, the last one short
    modes = (MacvlanMode.PRIVATE, MacvlanMode.VEPA, MacvlanMode.BRIDGE)  # (PASSTHRU wants to be alone)
    specs: list[Any] = [Macvlan(f"mv{i}", (parent, "eth0", parent.index)[i // 3 % 3], modes[i % 3])
                        for i in range(n)]
    specs += [Macvtap("tap0", "eth0"), Veth("va", "vb", mtu=1400), Bridge("br0")]
    made = net.add_many(specs)
    assert [link.name for link in made] == [spec.name for spec in specs]
    seen = ip_links(ns)
    for spec, link in zip(specs, made, strict=True):
        assert link == net.link(spec.name)  # the echo is what the kernel reports afterwards
        assert link.kind == spec.kind == seen[spec.name]["linkinfo"]["info_kind"]
        if isinstance(spec, Macvlan):
            assert link.parent == parent.index and isinstance(link.info, MacvlanInfo)
            assert link.info.mode == spec.mode
            assert seen[spec.name]["linkinfo"]["info_data"]["mode"] == spec.mode.name.lower()
    assert seen["vb"]["mtu"] == seen["va"]["mtu"] == 1400
    assert net.add_many([]) == []


def test_add_many_is_all_or_nothing(ns: rtnl.Namespace, net: rtnl.Connection, parent: Link,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    old = net.add(Macvlan("mv20", parent))  # the batch's 21st create fails on it (EEXIST)
    before = {link.name: link.index for link in net.links()}
    with pytest.raises(FileExistsError) as e:
        net.add_many([Macvlan(f"mv{i}", parent) for i in range(40)] + [Veth("va", "vb")])
    assert e.value.errno == errno.EEXIST and "'mv20'" in str(e.value)
    assert {link.name: link.index for link in net.links()} == before  # the old mv20 is kept, as it was
    assert net.link("mv20") == old
    assert set(ip_links(ns)) == set(before)

    import rtnl.ops.links

    calls = itertools.count()

    def refuse_the_fifth(spec: Any, link: Link) -> bool:  # the check of each link the kernel made
        if next(calls) == 4:
            raise RuntimeError("injected failure after the creates")
        return False

    monkeypatch.setattr(rtnl.ops.links, "_ignored", refuse_the_fifth)
    with pytest.raises(RuntimeError):
        net.add_many([Macvlan(f"mv{i}", parent) for i in range(21, 30)] + [Veth("va", "vb")])
    assert {link.name: link.index for link in net.links()} == before


def test_add_many_refuses_bad_batches_before_sending(net: rtnl.Connection, parent: Link) -> None:
    before = _names(net)
    with rtnl.Namespace.anonymous() as other:
        for specs, error in (([Macvlan("mv0", parent), Macvlan("mv0", parent)], ValueError),
                             ([Veth("va", "vb"), Bridge("vb")], ValueError),  # a peer's name counts too
                             ([Macvlan("mv0", parent), Macvlan("mv1", parent, namespace=other)], ValueError),
                             ([Veth("va", "vb", peer_namespace=other)], ValueError),
                             ([Macvlan("mv0", parent), "mv1"], TypeError)):
            with pytest.raises(error):
                net.add_many(specs)
            assert _names(net) == before
    with pytest.raises(rtnl.NetlinkError) as e:  # a parent that is not there: found before any create
        net.add_many([Macvlan("mv0", parent), Macvlan("mv1", "nosuch0")])
    assert e.value.errno == errno.ENODEV and _names(net) == before


def test_delete_many_thousand(net: rtnl.Connection, parent: Link) -> None:
    start = time.perf_counter()
    made = [net.add(Macvlan(f"mv{i}", parent, address=f"02:00:5e:01:{i >> 8:02x}:{i & 255:02x}"))
            for i in range(1000)]
    created = time.perf_counter() - start
    start = time.perf_counter()
    net.delete_many([*made[:500], *(x.name for x in made[500:900]), *(x.index for x in made[900:])])
    deleted = time.perf_counter() - start
    print(f"\n1,000 macvlans: created one by one in {created:.3f} s, delete_many in {deleted:.3f} s")
    assert _names(net) == ["eth0", "lo", "wire0"]
    net.delete_many([])
    with pytest.raises(rtnl.NetlinkError) as e:
        net.delete_many(["nosuch0"])
    assert e.value.errno == errno.ENODEV


def test_delete_many_failure_restores_groups(net: rtnl.Connection, parent: Link) -> None:
    mv = net.add(Macvlan("mv0", parent))
    net.set("lo", group=7)
    with pytest.raises(rtnl.NetlinkError) as e:  # loopback cannot be deleted: the whole batch fails
        net.delete_many([mv, "lo"])
    assert e.value.errno == errno.EOPNOTSUPP
    assert (net.link("mv0").group, net.link("lo").group) == (0, 7)


def test_delete_many_by_their_own_group(net: rtnl.Connection, parent: Link) -> None:
    mine = [net.add(Macvlan(f"mv{i}", parent)) for i in range(3)]
    other = net.add(Macvlan("mv9", parent))
    for link in [*mine, other]:
        net.set(link, group=7)
    net.delete_many(mine[:2])  # group 7 holds mv2 and mv9 too: they stay, in group 7
    assert [(x.name, x.group) for x in net.links() if x.kind == "macvlan"] == [("mv2", 7), ("mv9", 7)]
    net.set(other, group=8)
    net.delete_many([mine[2]])  # alone in group 7 now: deleted by the group
    assert [(x.name, x.group) for x in net.links() if x.kind == "macvlan"] == [("mv9", 8)]
    net.set("lo", group=8)
    with pytest.raises(rtnl.NetlinkError) as e:  # loopback cannot be deleted: neither goes
        net.delete_many(["lo", other])
    assert e.value.errno == errno.EOPNOTSUPP
    assert [(x.name, x.group) for x in net.links() if x.name in ("lo", "mv9")] == [("lo", 8), ("mv9", 8)]


def test_delete_many_by_group_takes_a_link_that_joins_the_group_meanwhile(
        net: rtnl.Connection, parent: Link, monkeypatch: pytest.MonkeyPatch) -> None:
    """What delete_many's docstring says of its one-request path: the group is deleted as it is when
    the request arrives, so a link put into it after the dump goes too (as with ``ip link del group``)."""
    import rtnl.ops.links

    mine = [net.add(Macvlan(f"mv{i}", parent)) for i in range(2)]
    late = net.add(Macvlan("late0", parent))
    for link in mine:
        net.set(link, group=7)
    real = rtnl.ops.links._names_and_groups

    def dump_then_join(place: Any) -> Any:  # an operation (see rtnl.ops)
        out = yield from real(place)
        net.set(late, group=7)  # another program, between the dump and the delete
        return out

    monkeypatch.setattr(rtnl.ops.links, "_names_and_groups", dump_then_join)
    net.delete_many(mine)
    assert not [x.name for x in net.links() if x.kind == "macvlan"]


def test_link_refs_everywhere(net: rtnl.Connection, parent: Link) -> None:
    mv = net.add(Macvlan("mv0", parent))
    for ref in (mv, "mv0", mv.index):
        assert net.set(ref, mtu=1300).index == mv.index
        assert net.link(ref) == net.set(ref)
    with pytest.raises(TypeError):
        net.set(True, up=True)  # type: ignore[arg-type]
    assert codec.RTM_NEWLINK == RTM_NEWLINK


# --- a Link belongs to the namespace it was read in ---------------------------------------------------


def test_a_link_read_in_another_namespace_is_refused(net: rtnl.Connection, parent: Link) -> None:
    before = _names(net)
    with rtnl.Namespace.anonymous() as other, rtnl.connect(other) as there:
        foreign = there.add(Bridge("foreign0"))
        assert foreign.namespace_id == there.namespace_id != net.namespace_id
        assert foreign.index in {x.index for x in net.links()}  # its index names another link here
        attempts = [
            lambda: net.delete_many([foreign]), lambda: net.delete(foreign),
            lambda: net.set(foreign, up=True), lambda: net.move(foreign, other),
            lambda: net.set("wire0", master=foreign), lambda: net.add(Macvlan("mv0", parent=foreign)),
            lambda: net.link(foreign), lambda: net.set_bridge_port(foreign, hairpin=True),
            lambda: net.add_address(foreign, "192.0.2.1/24"), lambda: net.addresses(foreign),
            lambda: net.add_route("192.0.2.0/24", link=foreign),
        ]
        for attempt in attempts:
            with pytest.raises(ValueError, match="another network namespace"):
                attempt()
        assert _names(net) == before and there.link("foreign0") == foreign
        # read here, the same kind of value is accepted, and a Link built by hand (unknown origin) too
        assert net.link(net.link("eth0")).name == "eth0"
        assert net.index(Link(foreign._header, foreign._attrs)) == foreign.index


def test_delete_many_refuses_a_link_whose_index_now_has_another_name(net: rtnl.Connection,
                                                                     parent: Link) -> None:
    mv = net.add(Macvlan("mv0", parent))
    net.set(mv, name="mv1")
    with pytest.raises(rtnl.NetlinkError) as e:
        net.delete_many([mv])
    assert e.value.errno == errno.ENODEV and "'mv1'" in str(e.value)
    assert "mv1" in _names(net)


def test_delete_many_restores_groups_when_regrouping_fails(net: rtnl.Connection, parent: Link,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A link deleted between the dump and the regroup: ENODEV, and the others keep their groups."""
    import rtnl.ops.links

    a, b, gone = (net.add(Macvlan(f"mv{i}", parent)) for i in range(3))
    net.set(b, group=9)
    real = rtnl.ops.links._names_and_groups
    calls = []

    def dump_then_lose_one(place: Any) -> Any:  # an operation (see rtnl.ops)
        out = yield from real(place)
        if not calls:
            net.delete(gone)  # after the dump: the regroup meets a missing index
        calls.append(1)
        return out

    monkeypatch.setattr(rtnl.ops.links, "_names_and_groups", dump_then_lose_one)
    with pytest.raises(rtnl.NetlinkError) as e:
        net.delete_many([a, gone, b])
    assert e.value.errno == errno.ENODEV
    assert (net.link("mv0").group, net.link("mv1").group) == (0, 9)


# --- create in place talks only to our own socket ----------------------------------------------------


def test_create_in_place_sends_no_echo_into_the_target(net: rtnl.Connection, parent: Link) -> None:
    """Port ids are per namespace: a socket over there may hold ours, and must hear nothing from us."""
    with rtnl.Namespace.anonymous() as other, \
            other.socket(socket.AF_NETLINK, socket.SOCK_RAW, codec.NETLINK_ROUTE) as bystander:
        bystander.bind((net.sock.portid, 0))
        assert bystander.getsockname()[0] == net.sock.portid
        net.add(Macvlan("mv0", parent, namespace=other))
        net.add(Veth("v0", "v1", namespace=other))
        net.add(Bridge("br0", namespace=other))
        bystander.setblocking(False)
        with pytest.raises(BlockingIOError):
            bystander.recv(65536)
        assert net.add(Bridge("br1")).name == "br1"  # here the echo still comes back to us


def test_creates_go_without_an_ack_once_the_kernel_has_echoed(net: rtnl.Connection, parent: Link,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Linux >= 6.3 answers a create sent with NLM_F_ECHO with the new link, or with an error: once
    it has done so, creates need no NLM_F_ACK (one answer datagram instead of two), and an error
    still comes back as an exception with the socket in step. ``EXCL`` shares its bit with
    ``NLM_F_MATCH``: a create must not be taken for a dump, which would wait for an NLMSG_DONE."""
    sent: list[int] = []  # nlmsg_flags of every RTM_NEWLINK sent
    real = net.sock.sock

    class Spy:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def sendall(self, data: bytes) -> None:
            if struct.unpack_from("=H", data, 4)[0] == RTM_NEWLINK:
                sent.append(struct.unpack_from("=H", data, 6)[0])
            real.sendall(data)

    monkeypatch.setattr(net, "kernel_echoes", False)
    monkeypatch.setattr(net.sock, "sock", Spy())
    real.settimeout(10)  # a create waiting for an answer that never comes fails instead of hanging
    first, second = net.add(Macvlan("mv0", parent)), net.add(Macvlan("mv1", parent))
    echo_ack = NLM_F_ECHO | NLM_F_ACK
    assert [flags & echo_ack for flags in sent] == [echo_ack, NLM_F_ECHO]
    assert (first, second) == (net.link("mv0"), net.link("mv1"))
    with pytest.raises(FileExistsError):
        net.add(Macvlan("mv1", parent))
    assert not sent[-1] & NLM_F_ACK
    assert net.add(Bridge("br0")) == net.link("br0")  # still in step
    assert set(_names(net)) >= {"mv0", "mv1", "br0"}


# --- validation before anything is sent ------------------------------------------------------------------


@pytest.mark.parametrize(("call", "error"), [
    (lambda net: net.link(2**40), ValueError),
    (lambda net: net.link(0), ValueError),
    (lambda net: net.link(-1), ValueError),
    (lambda net: net.index(2**31), ValueError),
    (lambda net: net.delete(0), ValueError),
    (lambda net: net.move("eth0", -1), ValueError),
    (lambda net: net.move("eth0", 2**33), ValueError),
    (lambda net: net.routes(table=2**33), ValueError),
    (lambda net: net.routes(table=-1), ValueError),  # 0 is rtnl.ALL_TABLES (issue 17)
    (lambda net: net.set("eth0", up="no"), TypeError),
    (lambda net: net.set("eth0", up=1), TypeError),
    (lambda net: net.set("eth0", promisc="yes"), TypeError),
    (lambda net: net.set("eth0", address="+2:00:5e:00:53:01"), ValueError),
    (lambda net: net.set("eth0", address="-0:00:5e:00:53:01"), ValueError),
    (lambda net: net.set("eth0", address=" 2:00:5e:00:53:01"), ValueError),
    (lambda net: net.set("eth0", address="02:00:5e:00:53:01 "), ValueError),
    (lambda net: net.set("eth0", address="02-00-5e-00-53-01"), ValueError),
    (lambda net: net.set("eth0", address="0x2:00:5e:00:53:01"), ValueError),
    (lambda net: net.set("eth0", address="002:00:5e:00:53:01"), ValueError),
    (lambda net: net.add(Veth("é" * 7 + "bb", "p0")), ValueError),  # 16 bytes in UTF-8
])
def test_bad_input_is_refused_before_sending(net: rtnl.Connection, parent: Link, call: Any,
                                             error: type[Exception]) -> None:
    sent: list[bytes] = []
    net.sock.sock = _Spy(net.sock.sock, sent)  # type: ignore[assignment]
    try:
        with pytest.raises(error):
            call(net)
    finally:
        net.sock.sock = net.sock.sock._sock  # type: ignore[attr-defined]
    assert [codec.decode(d)[0].type for d in sent] in ([], [codec.RTM_GETLINK])  # a name lookup at most
    eth0 = net.link("eth0")
    assert (eth0.up, eth0.promiscuity, eth0.address) == (parent.up, 0, parent.address)


class _Spy:
    """A socket wrapper recording what is sent."""

    def __init__(self, sock: socket.socket, sent: list[bytes]) -> None:
        self._sock, self._sent = sock, sent

    def sendall(self, data: bytes) -> None:
        self._sent.append(bytes(data))
        self._sock.sendall(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def test_unicode_names(net: rtnl.Connection) -> None:
    name = "é" * 7 + "b"  # 15 bytes in UTF-8: the longest name there is
    assert len(name.encode()) == 15
    br = net.add(Bridge(name))
    assert br.name == name and net.link(name) == br
    with pytest.raises(ValueError, match="16"):
        Bridge(name + "b")


# --- a failed set leaves the link as it was ----------------------------------------------------------------


def test_failed_set_changes_nothing(net: rtnl.Connection, ns: rtnl.Namespace, parent: Link) -> None:
    mv = net.set(net.add(Macvlan("mv0", parent, mode=MacvlanMode.SOURCE, source_macs=(MAC1,))), up=True)
    net.add(Bridge("taken0"))
    with pytest.raises(FileExistsError):
        net.set(mv, name="taken0", up=False)
    with pytest.raises(FileExistsError):
        net.set(mv, mtu=1400, address=MAC2, group=3, txqlen=9, promisc=True, name="taken0")
    with pytest.raises(FileExistsError):
        net.set(mv, source_macs=SourceMacs.add(MAC2, MAC3), name="taken0")
    after = net.link("mv0")
    assert after == net.link(mv.index)
    assert (after.up, after.mtu, after.address, after.group, after.txqlen, after.promiscuity) == (
        True, mv.mtu, mv.address, 0, mv.txqlen, 0)
    assert after.info.source_macs == (MAC1,)  # type: ignore[union-attr]
    seen = ip_links(ns)["mv0"]
    assert "UP" in seen["flags"] and seen["mtu"] == mv.mtu and seen["address"] == mv.address
    # several MACs at once go out as one request, and do what one by one would
    net.set(mv, source_macs=SourceMacs.add(MAC2, MAC3, MAC1))
    assert ip_macvlan(ip_links(ns)["mv0"]).source_macs == (MAC1, MAC2, MAC3)
    net.set(mv, source_macs=SourceMacs.delete(MAC1, MAC3, "02:00:5e:00:53:99"))
    assert ip_macvlan(ip_links(ns)["mv0"]).source_macs == (MAC2,)


# --- lookups by alternative name --------------------------------------------------------------------------


def test_lookup_by_alternative_name(net: rtnl.Connection, ns: rtnl.Namespace) -> None:
    br = net.add(Bridge("br0"))
    long = "a-rather-long-alternative-name"  # 30 bytes: only IFLA_ALT_IFNAME can carry it
    proc = ns.popen(["ip", "link", "property", "add", "dev", "br0", "altname", long])
    assert proc.wait() == 0
    assert net.link(long) == net.link("br0") == net.link(br)
    assert net.index(long) == br.index
    assert net.set(long, mtu=1400).mtu == 1400
    with pytest.raises(rtnl.NetlinkError) as e:
        net.link("no-such-alternative-name")
    assert e.value.errno == errno.ENODEV
    with pytest.raises(ValueError):
        net.link("x" * 128)  # ALTIFNAMSIZ is 128 with the NUL
    with pytest.raises(ValueError):
        net.add(Bridge(long))  # a name to give is still at most 15 bytes
    net.delete(long)
    assert "br0" not in _names(net)


# --- Link is a value ----------------------------------------------------------------------------------------


def test_link_is_a_value(net: rtnl.Connection, parent: Link) -> None:
    import copy
    import pickle

    mv = net.add(Macvlan("mv0", parent, address=MAC1))
    assert mv == net.link("mv0") == net.link(mv.index)  # add() returns what a lookup returns
    for clone in (copy.copy(mv), copy.deepcopy(mv), pickle.loads(pickle.dumps(mv))):
        assert clone == mv and hash(clone) == hash(mv) and repr(clone) == repr(mv)
        assert clone.namespace_id == net.namespace_id and clone.info == mv.info
    assert len({mv, net.link("mv0"), pickle.loads(pickle.dumps(mv))}) == 1
    changed = net.set(mv, mtu=1400)
    assert changed != mv and changed.index == mv.index and mv.mtu == 1500  # the old value stays as it was
    with pytest.raises(AttributeError):
        mv.mtu = 1400  # type: ignore[misc]
    with pytest.raises(AttributeError):
        mv.anything = 1  # type: ignore[attr-defined]


def test_a_kernel_ignoring_bc_cutoff_is_reported_and_nothing_kept(net: rtnl.Connection, parent: Link,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A kernel before 6.4 accepts IFLA_MACVLAN_BC_CUTOFF and silently ignores it (so never reports
    it): simulated by a read-back that drops it."""
    from rtnl.values import links as values

    real = values._macvlan_info

    def old_kernel(buf: bytes, start: int, end: int) -> MacvlanInfo:
        return real(buf, start, end)._replace(bc_cutoff=None)

    before = _names(net)
    values._KINDS.clear()  # kind data is decoded once per distinct bytes: not by the real decoder
    monkeypatch.setattr(values, "_macvlan_info", old_kernel)
    with pytest.raises(rtnl.NetlinkError) as e:
        net.add(Macvlan("mv0", parent, bc_cutoff=5))
    assert e.value.errno == errno.EOPNOTSUPP and "Linux >= 6.4" in str(e.value)
    assert _names(net) == before
    assert net.add(Macvlan("mv1", parent, bc_cutoff=1)).name == "mv1"  # the default: nothing to verify
    monkeypatch.undo()
    values._KINDS.clear()  # nor kept from the simulated kernel's decoding
    assert net.add(Macvlan("mv2", parent, bc_cutoff=5)).info.bc_cutoff == 5  # type: ignore[union-attr]


def test_a_macvlan_created_at_once_is_deleted_again_when_cut_short(
        net: rtnl.Connection, ns: rtnl.Namespace, parent: Link, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the first create taught the connection that this kernel echoes, a macvlan on a parent given
    as a Link is created at once (Connection.add without the operation's generators): as the kernel
    reports it, the same as ``ip`` sees; one interrupted once its create went out (Ctrl-C) is deleted
    again; a refusal is named and typed as the operation's."""
    first = net.add(Macvlan("mv0", parent, MacvlanMode.BRIDGE))
    assert net.kernel_echoes  # (Linux >= 6.3, which this kernel is)
    plain = net.sock.request_encoded
    sent: list[bytes] = []

    def interrupted(change: bytes, then: bytes | None = None) -> object:
        sent.append(change)
        plain(change, then)
        raise KeyboardInterrupt

    monkeypatch.setattr(net.sock, "request_encoded", interrupted)
    with pytest.raises(KeyboardInterrupt):
        net.add(Macvlan("mv1", parent, MacvlanMode.PRIVATE))
    assert len(sent) == 1 and set(ip_links(ns)) == {"lo", "eth0", "wire0", "mv0"}
    monkeypatch.setattr(net.sock, "request_encoded", lambda *a: sent.append(a[0]) or plain(*a))
    second = net.add(Macvlan("mv1", parent, MacvlanMode.PRIVATE, mtu=1400))
    assert len(sent) == 2 and second == net.link("mv1") and second.index != first.index
    shown = ip_links(ns)["mv1"]
    assert shown["mtu"] == 1400 and shown["linkinfo"]["info_data"]["mode"] == "private"
    with pytest.raises(FileExistsError) as refused:
        net.add(Macvlan("mv1", parent))
    assert len(sent) == 3 and refused.value.about is not None and "mv1" in refused.value.about
