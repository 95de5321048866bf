"""Throwaway-namespace isolation: the one home for moving a process out of the host's network.

The lab, the benchmarks and the test suite each run in a sandbox of their own, made by one call at the
start, while the process is still single-threaded (the kernel refuses a new mount namespace to a
threaded process)::

    from rtnl import sandbox
    sandbox.isolate()              # net + mount namespace, private /run (and /run/netns), fresh /sys
    sandbox.isolate(pid=True)      # ... and a PID namespace whose PID 1 is the (forked) caller

What lives here: the order of the unshare/mount steps, the user-namespace fallback for an ordinary
user, the fork into a PID namespace and its signal plumbing. What it must not know: links, netlink,
or who calls it (the caller adds its own checks, such as "the benchmarks need real root").
"""

from __future__ import annotations

import contextlib
import os
import select
import signal

from . import netns

__all__ = ["SandboxError", "isolate", "user_namespace"]

NETNS_DIR = "/run/netns"
_in_user_namespace = False


class SandboxError(OSError):
    """The kernel refused a step of the isolation (the message says which, and what to change)."""


def user_namespace() -> bool:
    """Whether :func:`isolate` went through a user namespace (the caller was not root): inside it,
    uid 0 is the ordinary user who started the process, and no other uid is mapped."""
    return _in_user_namespace


def _write(path: str, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def isolate(*, pid: bool = False, sysfs: bool = True) -> None:
    """Move this (single-threaded) process into new network and mount namespaces.

    - Not root: first a user namespace in which the caller is root (mapped to its own uid and gid).
    - ``/`` becomes a private mount tree; ``/run`` a fresh tmpfs holding an empty ``/run/netns``,
      and ``$RTNL_NETNS_DIR`` points there, so named namespaces never reach the host's run dir.
    - ``sysfs``: a sysfs of the new network namespace over ``/sys`` (so ``/sys/class/net`` shows
      this namespace's links, as tools such as dhclient expect).
    - ``pid``: a PID namespace too. The process forks: the parent only passes SIGINT/SIGTERM on and
      exits with the child's status (it never returns); the child returns as PID 1 of the new
      namespace. When it exits, however it exits, the kernel kills every process left in that
      namespace, so no helper it started outlives it; it also dies with its parent
      (PR_SET_PDEATHSIG). In the child the first SIGINT or SIGTERM raises KeyboardInterrupt and
      later ones are ignored, so that a second Ctrl-C cannot break a teardown.

    Raises :class:`SandboxError` when the kernel refuses a step.
    """
    global _in_user_namespace
    c = netns.const
    if os.geteuid() != 0:
        uid, gid = os.getuid(), os.getgid()
        try:
            netns.unshare(c("CLONE_NEWUSER"))
        except OSError as e:
            raise SandboxError(
                e.errno,
                f"not root, and this kernel refused an unprivileged user namespace ({e.strerror}); run as "
                "root, or allow user namespaces (sysctl kernel.unprivileged_userns_clone=1, "
                "user.max_user_namespaces > 0, or the AppArmor userns restriction)",
            ) from None
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"0 {uid} 1")
        _write("/proc/self/gid_map", f"0 {gid} 1")
        _in_user_namespace = True
    try:
        netns.unshare(c("CLONE_NEWNET") | c("CLONE_NEWNS") | (c("CLONE_NEWPID") if pid else 0))
        netns.mount(None, "/", None, c("MS_REC") | c("MS_PRIVATE"))
        netns.mount("tmpfs", "/run", "tmpfs", c("MS_NOSUID") | c("MS_NODEV"), "mode=0755")
        if sysfs:
            # detached first where allowed; in a user namespace the inherited /sys is locked, and
            # the new sysfs simply covers it
            with contextlib.suppress(OSError):
                netns.umount2("/sys", c("MNT_DETACH"))
            netns.mount("sysfs", "/sys", "sysfs", c("MS_NOSUID") | c("MS_NODEV") | c("MS_NOEXEC"))
    except OSError as e:
        raise SandboxError(e.errno, f"isolating the process: {e.strerror}", e.filename) from None
    os.makedirs(NETNS_DIR)
    os.environ["RTNL_NETNS_DIR"] = NETNS_DIR
    if pid:
        _fork_into_pid_namespace()


def _fork_into_pid_namespace() -> None:
    """Fork; the parent forwards signals and exits with the child's status, the child returns."""
    signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)  # until each side has its handlers
    alive, parent_alive = os.pipe()  # EOF on `alive` once the parent is gone
    child = os.fork()
    if child:
        os.close(alive)

        def forward(signum: int, frame: object) -> None:
            with contextlib.suppress(ProcessLookupError):  # already reaped
                os.kill(child, signum)

        for s in signals:
            signal.signal(s, forward)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
        code = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
        for s in signals:  # the interpreter's exit would restore SIG_DFL: a late Ctrl-C must not kill us
            signal.signal(s, signal.SIG_IGN)
        os._exit(code if code >= 0 else 128 - code)
    os.close(parent_alive)
    netns.set_pdeathsig(signal.SIGKILL)
    if select.select([alive], [], [], 0)[0]:  # the parent died before prctl() could arm
        os._exit(1)
    os.close(alive)
    for s in signals:  # PID 1 ignores a signal it has no handler for: SIGTERM needs one
        signal.signal(s, _interrupted)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)


def _interrupted(signum: int, frame: object) -> None:
    """The first SIGINT/SIGTERM: ignore any further ones, then unwind like Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt
