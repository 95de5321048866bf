"""Errors: the exception types themselves, then the kernel's own refusals through a real socket."""

from __future__ import annotations

import errno
import pickle
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
from rtnl.errors import DecodeError, DumpInterrupted, NetlinkError

# ------------------------------------------------------------------------------------------------
# The types (no kernel)
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("err, builtin", [
    (errno.EEXIST, FileExistsError), (errno.ENOENT, FileNotFoundError), (errno.EPERM, PermissionError),
    (errno.EACCES, PermissionError), (errno.EINTR, InterruptedError), (errno.EAGAIN, BlockingIOError),
])
def test_errno_gives_the_builtin_subclass(err: int, builtin: type[OSError]) -> None:
    e = NetlinkError.from_errno(err, "the kernel says no", "IFLA_LINKINFO/IFLA_INFO_KIND")
    assert isinstance(e, builtin) and isinstance(e, NetlinkError) and isinstance(e, OSError)
    assert (e.errno, e.extack, e.attribute) == (err, "the kernel says no", "IFLA_LINKINFO/IFLA_INFO_KIND")
    assert e.strerror == __import__("os").strerror(err)
    assert "the kernel says no" in str(e) and "IFLA_LINKINFO/IFLA_INFO_KIND" in str(e)
    with pytest.raises(builtin):
        raise e


def test_errno_without_builtin_subclass_is_plain_netlink_error() -> None:
    e = NetlinkError.from_errno(errno.ENODEV)
    assert type(e) is NetlinkError and e.extack is None and e.attribute is None
    assert str(e) == f"[Errno {errno.ENODEV}] {__import__('os').strerror(errno.ENODEV)}"


@pytest.mark.parametrize("make", [
    lambda: NetlinkError.from_errno(errno.EEXIST, "exists", "IFLA_IFNAME"),
    lambda: NetlinkError.from_errno(errno.ERANGE, None, None),
    lambda: DumpInterrupted(),
    lambda: DumpInterrupted.from_errno(errno.EINTR),
])
def test_errors_pickle(make: Any) -> None:
    e = make()
    back = pickle.loads(pickle.dumps(e))
    assert type(back).__mro__ == type(e).__mro__
    fields = ("errno", "strerror", "extack", "attribute")
    assert [getattr(back, f) for f in fields] == [getattr(e, f) for f in fields]
    assert str(back) == str(e)


def test_dump_interrupted_and_decode_error_types() -> None:
    assert issubclass(DumpInterrupted, NetlinkError)
    e = DumpInterrupted()
    assert e.errno == errno.EINTR and e.extack and "dump interrupted" in str(e)
    assert isinstance(DumpInterrupted.from_errno(errno.EINTR), InterruptedError)
    assert issubclass(DecodeError, ValueError)


# ------------------------------------------------------------------------------------------------
# The kernel's refusals, sent raw (bypassing rtnl's own validation)
# ------------------------------------------------------------------------------------------------


def newlink(**attrs: Any) -> Message:
    return Message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, header=IfInfoMsg(), attrs=IFLA.build(**attrs))


def kind(name: str, **data: Any) -> Any:
    if not data:
        return IFLA_INFO.build(IFLA_INFO_KIND=name)
    return IFLA_INFO.build(IFLA_INFO_KIND=name, IFLA_INFO_DATA=IFLA_MACVLAN.build(**data))


@pytest.mark.kernel
def test_sixteen_byte_name_is_erange_with_extack(net: Any) -> None:
    with pytest.raises(NetlinkError) as info:
        net.sock.request(newlink(IFLA_IFNAME="x" * 16, IFLA_LINKINFO=kind("bridge")))
    e = info.value
    assert e.errno == errno.ERANGE
    assert e.extack == "Attribute failed policy validation"
    assert e.attribute == "IFLA_IFNAME"


@pytest.mark.kernel
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


@pytest.mark.kernel
def test_missing_parent(net: Any) -> None:
    """A macvlan without IFLA_LINK, or with one that names no link."""
    with pytest.raises(NetlinkError) as info:
        net.sock.request(newlink(IFLA_IFNAME="mv0", IFLA_LINKINFO=kind("macvlan")))
    assert info.value.errno == errno.EINVAL
    with pytest.raises(NetlinkError) as info:
        net.sock.request(newlink(IFLA_IFNAME="mv0", IFLA_LINK=4242, IFLA_LINKINFO=kind("macvlan")))
    assert info.value.errno == errno.ENODEV
    assert [link.name for link in net.links()] == ["lo"]  # nothing was left behind


@pytest.mark.kernel
def test_existing_name_is_file_exists_error(net: Any) -> None:
    net.sock.request(newlink(IFLA_IFNAME="br0", IFLA_LINKINFO=kind("bridge")))
    with pytest.raises(FileExistsError) as info:
        net.sock.request(newlink(IFLA_IFNAME="br0", IFLA_LINKINFO=kind("bridge")))
    assert isinstance(info.value, NetlinkError) and info.value.errno == errno.EEXIST
    with pytest.raises(FileExistsError):  # "lo" is not even a bridge: still EEXIST, by name
        net.sock.request(newlink(IFLA_IFNAME="lo", IFLA_LINKINFO=kind("bridge")))


@pytest.mark.kernel
def test_unknown_link_is_enodev(net: Any) -> None:
    with pytest.raises(NetlinkError) as info:
        net.link("nosuchlink")
    assert info.value.errno == errno.ENODEV
    with pytest.raises(NetlinkError) as info:
        net.link(4242)
    assert info.value.errno == errno.ENODEV
