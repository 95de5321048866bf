"""Issue 17 on the live kernel: vxlan creation paths (in another namespace, in a batch, refused), and
sysctls through a named namespace."""

from __future__ import annotations

import ipaddress

import pytest

import rtnl
from rtnl import Namespace, Veth, Vxlan, VxlanInfo


def test_vxlan_created_in_another_namespace_keeps_its_underlay_here() -> None:
    with Namespace.anonymous() as host, Namespace.anonymous() as inside, rtnl.connect(host) as net, \
            rtnl.connect(inside) as there:
        net.add(Veth("ens33", "wire"))
        made = net.add(Vxlan("vx0", 42, parent="ens33", remote="198.51.100.3", namespace=inside))
        assert made.namespace_id == inside.ident and made.name == "vx0"
        assert [link.name for link in net.links()] == ["lo", "wire", "ens33"]  # nothing left here
        info = there.link("vx0").info
        assert isinstance(info, VxlanInfo) and info.vni == 42
        assert info.remote == ipaddress.ip_address("198.51.100.3") and info.parent is not None


def test_vxlans_in_a_batch_are_all_or_nothing() -> None:
    with Namespace.anonymous() as ns, rtnl.connect(ns) as net:
        links = net.add_many([Vxlan("vx1", 1), Vxlan("vx2", 2, learning=False), Veth("a", "b")])
        assert [link.name for link in links] == ["vx1", "vx2", "a"]
        assert [link.info.learning for link in links[:2] if isinstance(link.info, VxlanInfo)] == [True, False]
        before = sorted(link.name for link in net.links())
        with pytest.raises(rtnl.NetlinkError) as caught:  # the same VNI and port twice: the kernel refuses
            net.add_many([Vxlan("vx3", 3), Vxlan("vx4", 1)])
        assert caught.value.errno is not None
        assert sorted(link.name for link in net.links()) == before  # vx3 was deleted again


def test_vxlan_parent_not_found_is_enodev_and_nothing_is_made() -> None:
    with Namespace.anonymous() as ns, rtnl.connect(ns) as net:
        with pytest.raises(rtnl.NetlinkError) as caught:
            net.add(Vxlan("vx0", 5, parent="nosuch"))
        assert isinstance(caught.value, FileNotFoundError) or caught.value.errno == 19  # ENODEV
        assert [link.name for link in net.links()] == ["lo"]


def test_sysctl_of_a_named_namespace_and_bad_keys_refused_before_any_thread() -> None:
    key = "net.ipv4.conf.all.rp_filter"
    with Namespace.create("n17c-sysctl") as ns, Namespace.current() as here:
        ours = here.sysctl(key)
        wanted = "1" if ours == "2" else "2"
        ns.set_sysctl(key, wanted)
        with Namespace.open("n17c-sysctl") as again:
            assert again.sysctl(key) == wanted
        assert here.sysctl(key) == ours
        for key in ("kernel.hostname", "net.ipv4.conf.x/../../kernel.hostname", "net"):
            with pytest.raises(ValueError):
                ns.sysctl(key)
            with pytest.raises(ValueError):
                ns.set_sysctl(key, "1")
        ns.delete()
