"""Network namespaces: the thin syscall layer over the ``rtnl._ns`` cffi extension.

The compiled extension (``csrc/``) is loaded on first use only, so ``import rtnl`` stays within the
standard library. Every wrapper raises ``OSError`` with the errno the C call left.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any


@cache
def _ext() -> Any:
    from rtnl import _ns  # compiled by the package build from csrc/build_ns.py

    return _ns


def _check(rc: int, what: str, path: str | None = None) -> None:
    if rc != 0:
        err = _ext().ffi.errno
        raise OSError(err, f"{what}: {os.strerror(err)}", path)


def const(name: str) -> int:
    """A constant from <sched.h> / <sys/mount.h> as compiled into the extension (``CLONE_NEWNET``...)."""
    return int(getattr(_ext().lib, name))


def setns(fd: int, nstype: int = 0) -> None:
    """setns(2) for the calling thread."""
    _check(_ext().lib.setns(fd, nstype), "setns")


def unshare(flags: int) -> None:
    """unshare(2) for the calling thread (CLONE_NEWNS needs a single-threaded process)."""
    _check(_ext().lib.unshare(flags), "unshare")


def mount(source: str | None, target: str, fstype: str | None, flags: int = 0, data: str | None = None) -> None:
    """mount(2)."""
    ffi, lib = _ext().ffi, _ext().lib

    def c(s: str | None) -> Any:
        return ffi.NULL if s is None else os.fsencode(s)

    _check(lib.mount(c(source), os.fsencode(target), c(fstype), flags, c(data)), "mount", target)


def umount2(target: str, flags: int = 0) -> None:
    """umount2(2)."""
    _check(_ext().lib.umount2(os.fsencode(target), flags), "umount2", target)
