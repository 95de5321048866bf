"""Typed links against the real kernel: specs, add/set/move/delete, macvlan modes and flags, read back
by rtnl and cross-checked with ``ip -d -j link show`` run inside the same throwaway namespace."""

from __future__ import annotations

import errno
import itertools
import json
import subprocess
import time
from typing import Any

import pytest

import rtnl
from rtnl import codec
from rtnl.codec import IFLA, IFLA_INFO, IFLA_MACVLAN, NLM_F_CREATE, NLM_F_EXCL, RTM_NEWLINK, Message
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

kernel = pytest.mark.kernel
MAC1, MAC2, MAC3 = "02:00:5e:00:53:01", "02:00:5e:00:53:02", "02:00:5e:00:53:03"


def ip_links(ns: rtnl.Namespace, *args: str) -> dict[str, dict[str, Any]]:
    """``ip -d -j link show`` inside ``ns``, by name."""
    out = ns.popen(["ip", "-d", "-j", "link", "show", *args], stdout=subprocess.PIPE, text=True).communicate()[0]
    return {x["ifname"]: x for x in json.loads(out)}


@pytest.fixture
def parent(net: rtnl.Connection) -> Link:
    """A veth end standing in for the physical NIC (the kernel here has no dummy)."""
    link = net.add(Veth("eth0", "wire0"))
    net.set("wire0", up=True)
    return net.set(link, up=True)


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


# --- create and read back --------------------------------------------------------------------------


@kernel
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


@kernel
def test_set_changes_everything(net: rtnl.Connection, ns: rtnl.Namespace, parent: Link) -> None:
    mv = net.add(Macvlan("mv0", parent, address=MAC1))
    assert mv.address == MAC1 and mv.parent == parent.index and not mv.up
    mv = net.set(mv, up=True, mtu=1400, address=MAC2, txqlen=77, group=5, promisc=True)
    assert (mv.up, mv.mtu, mv.address, mv.txqlen, mv.group, mv.promiscuity) == (True, 1400, MAC2, 77, 5, 1)
    seen = ip_links(ns)["mv0"]
    assert (seen["mtu"], seen["address"], seen["txqlen"], seen["promiscuity"]) == (1400, MAC2, 77, 1)
    assert "UP" in seen["flags"] and "PROMISC" in seen["flags"]
    mv = net.set("mv0", name="mv1", up=False, promisc=False)  # rename needs down: done in order
    assert (mv.name, mv.up, mv.promiscuity) == ("mv1", False, 0)
    mv = net.set(mv.index, up=True, name="mv2")
    assert (mv.name, mv.up) == ("mv2", True)
    net.set(parent, promisc=True)
    assert "PROMISC" in ip_links(ns)["eth0"]["flags"]
    net.delete(mv)
    assert "mv2" not in ip_links(ns)


@kernel
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


@kernel
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


@kernel
def test_unknown_kind_says_what_to_do(net: rtnl.Connection) -> None:
    assert supports_kind("macvlan") and supports_kind("veth") and supports_kind("bridge")
    assert not supports_kind("dummy")  # not built into this kernel
    msg = Message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, attrs=IFLA.build(
        IFLA_IFNAME="d0", IFLA_LINKINFO=IFLA_INFO.build(IFLA_INFO_KIND="dummy")))
    with pytest.raises(rtnl.NetlinkError) as raw:
        net.request(msg)
    assert raw.value.errno == errno.EOPNOTSUPP and raw.value.extack == "Unknown device type"
