"""The exception types themselves: errno to builtin subclass, pickling, messages (the kernel's own
refusals are in tests/kernel/test_errors.py)."""

from __future__ import annotations

import errno
import pickle
from typing import Any

import pytest

from rtnl.errors import DecodeError, DumpInterrupted, NetlinkError


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
