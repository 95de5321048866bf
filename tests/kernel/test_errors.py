"""The kernel's own refusals through a real socket, sent raw (bypassing rtnl's own validation): typed
errors that carry the extack message and name the attribute by its path."""

from __future__ import annotations

import errno
from typing import Any

import pytest

from rtnl.codec import (
    IFLA,
    IFLA_INFO,
    IFLA_MACVLAN,
    NLM_F_CREATE,
    NLM_F_EXCL,
    RTM_NEWLINK,
    IfInfoMsg,
    Message,
)
from rtnl.errors import NetlinkError


def newlink(**attrs: Any) -> Message:
    return Message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, header=IfInfoMsg(), attrs=IFLA.build(**attrs))


def kind(name: str, **data: Any) -> Any:
    if not data:
        return IFLA_INFO.build(IFLA_INFO_KIND=name)
    return IFLA_INFO.build(IFLA_INFO_KIND=name, IFLA_INFO_DATA=IFLA_MACVLAN.build(**data))


def test_sixteen_byte_name_is_erange_with_extack(net: Any) -> None:
    with pytest.raises(NetlinkError) as info:
        net.sock.request(newlink(IFLA_IFNAME="x" * 16, IFLA_LINKINFO=kind("bridge")))
    e = info.value
    assert e.errno == errno.ERANGE
    assert e.extack == "Attribute failed policy validation"
    assert e.attribute == "IFLA_IFNAME"


def test_nested_attribute_is_named_by_path(net: Any) -> None:
    """A bad macvlan mode deep in IFLA_LINKINFO is named by its whole path."""
    net.sock.request(newlink(IFLA_IFNAME="br0", IFLA_LINKINFO=kind("bridge")))
    index = net.link("br0").index
    with pytest.raises(NetlinkError) as info:
        net.sock.request(newlink(IFLA_IFNAME="mv0", IFLA_LINK=index,
                                 IFLA_LINKINFO=kind("macvlan", IFLA_MACVLAN_MODE=b"\x04\x00")))
    assert info.value.errno == errno.ERANGE  # a u16 where the policy wants a u32
    assert info.value.extack == "Attribute failed policy validation"
    assert info.value.attribute == "IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_MACVLAN_MODE"


def test_missing_parent(net: Any) -> None:
    """A macvlan without IFLA_LINK, or with one that names no link."""
    with pytest.raises(NetlinkError) as info:
        net.sock.request(newlink(IFLA_IFNAME="mv0", IFLA_LINKINFO=kind("macvlan")))
    assert info.value.errno == errno.EINVAL
    with pytest.raises(NetlinkError) as info:
        net.sock.request(newlink(IFLA_IFNAME="mv0", IFLA_LINK=4242, IFLA_LINKINFO=kind("macvlan")))
    assert info.value.errno == errno.ENODEV
    assert [link.name for link in net.links()] == ["lo"]  # nothing was left behind


def test_existing_name_is_file_exists_error(net: Any) -> None:
    net.sock.request(newlink(IFLA_IFNAME="br0", IFLA_LINKINFO=kind("bridge")))
    with pytest.raises(FileExistsError) as info:
        net.sock.request(newlink(IFLA_IFNAME="br0", IFLA_LINKINFO=kind("bridge")))
    assert isinstance(info.value, NetlinkError) and info.value.errno == errno.EEXIST
    with pytest.raises(FileExistsError):  # "lo" is not even a bridge: still EEXIST, by name
        net.sock.request(newlink(IFLA_IFNAME="lo", IFLA_LINKINFO=kind("bridge")))


def test_unknown_link_is_enodev(net: Any) -> None:
    with pytest.raises(NetlinkError) as info:
        net.link("nosuchlink")
    assert info.value.errno == errno.ENODEV
    with pytest.raises(NetlinkError) as info:
        net.link(4242)
    assert info.value.errno == errno.ENODEV
