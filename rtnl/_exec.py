"""Trampoline for :meth:`rtnl.Namespace.popen`: enter a namespace like ``ip netns exec``, then exec.

Run as ``python -I -S rtnl/_exec.py SYS_PATH NS_FD ERR_FD NAME -- ARGV...`` with both descriptors
inherited. It is a fresh single-threaded process, so unlike ``preexec_fn`` in a threaded parent it may
safely ``unshare(CLONE_NEWNS)``. To start fast it skips ``site`` and the ``rtnl`` package and loads
only the compiled ``_ns`` extension, from the directories in SYS_PATH (``os.pathsep``-joined).

Any failure before the program runs is written to ERR_FD as ``errno\\0message\\0filename`` and the
process exits 127; a successful exec closes ERR_FD (it is close-on-exec), which tells the parent.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def _enter(lib: Any, ffi: Any, ns_fd: int, name: str) -> None:
    def check(rc: int, what: str, path: str | None = None) -> None:
        if rc != 0:
            raise OSError(ffi.errno, f"{what}: {os.strerror(ffi.errno)}", path)

    def mount(source: str, target: str, fstype: str, flags: int) -> None:
        check(
            lib.mount(os.fsencode(source), os.fsencode(target), fstype.encode(), flags, ffi.NULL),
            "mount",
            target,
        )

    check(lib.setns(ns_fd, lib.CLONE_NEWNET), "setns")
    os.close(ns_fd)
    check(lib.unshare(lib.CLONE_NEWNS), "unshare")
    # Don't let any mounts propagate back to the parent (as iproute2's netns_switch)
    mount("", "/", "none", lib.MS_SLAVE | lib.MS_REC)
    # A sysfs mounted now describes the namespace we are in; the old one must go first
    flags = 0
    if lib.umount2(b"/sys", lib.MNT_DETACH) != 0:
        try:
            if os.statvfs("/sys").f_flag & os.ST_RDONLY:
                flags = lib.MS_RDONLY  # a read-only sysfs cannot be shadowed by a writable one
        except OSError:
            pass
    mount(name or "sysfs", "/sys", "sysfs", flags)
    if name:  # per-namespace config files, e.g. /etc/netns/NAME/resolv.conf over /etc/resolv.conf
        etc = os.path.join("/etc/netns", name)
        try:
            entries = os.listdir(etc)
        except OSError:
            entries = []
        for entry in entries:
            try:
                mount(os.path.join(etc, entry), os.path.join("/etc", entry), "none", lib.MS_BIND)
            except OSError as e:
                print(f"rtnl: bind {etc}/{entry} -> /etc/{entry} failed: {e}", file=sys.stderr)


def main(argv: list[str]) -> None:
    path, ns_fd, err_fd, name, sep, *args = argv
    err = int(err_fd)
    os.set_inheritable(err, False)
    try:
        if sep != "--" or not args:
            raise OSError(22, "usage: _exec.py SYS_PATH NS_FD ERR_FD NAME -- ARGV...")
        sys.path[:0] = path.split(os.pathsep)
        import _ns  # type: ignore[import-not-found]  # rtnl/_ns.abi3.so, loaded without importing the rtnl package

        _enter(_ns.lib, _ns.ffi, int(ns_fd), name)
        try:
            os.execvp(args[0], args)
        except OSError as e:
            e.filename = e.filename or args[0]
            raise
    except OSError as e:
        filename = "" if e.filename is None else os.fsdecode(e.filename)
        os.write(err, f"{e.errno or 0}\0{e.strerror or e}\0{filename}".encode())
    except BaseException as e:  # an ImportError, a bad argument: still tell the parent
        os.write(err, f"0\0{type(e).__name__}: {e}\0".encode())
    os._exit(127)


if __name__ == "__main__":
    main(sys.argv[1:])
