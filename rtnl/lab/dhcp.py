"""DHCP like the note: dnsmasq on the switch, dhclient on the children, and the helper processes' care.

What lives here: the programs' command lines, the privileges each runs with (and why), starting a
helper inside a namespace and checking that it is still alive, the dhclient script that only records
a lease, and waiting for that lease. What it must not know: the topology's shape or the matrix; it is
handed a namespace, a link name and a directory.

Privileges: dnsmasq drops to ``nobody``/``nogroup`` once it holds its sockets and lease file. In a
user namespace (the lab run by an ordinary user) no uid but the caller's own is mapped, so dropping to
another one cannot work; there dnsmasq stays uid 0 *of that namespace*, which is the unprivileged
caller on the host. dhclient has no way to drop privileges and needs a raw packet socket
(CAP_NET_RAW), so it keeps uid 0 of the sandbox; it sees only its child's network namespace and runs
only :data:`DHCLIENT_SCRIPT`, which writes one file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import grp
import ipaddress
import os
import pwd
import shutil
import subprocess
import threading
import time

from rtnl import Connection, Namespace

__all__ = [
    "DHCLIENT_SCRIPT",
    "Helper",
    "HelperDied",
    "dhclient_argv",
    "dhclient_script",
    "dhcp_lease",
    "dhcp_missing",
    "dnsmasq_argv",
    "start_helper",
    "wait_lease",
]

LEASE_TIMEOUT = 20.0  # seconds for a lease; a dead helper is reported at once, not after this


class HelperDied(RuntimeError):
    """A helper program the lab started is not running any more; the message holds its output."""


@dataclasses.dataclass
class Helper:
    """A program the lab started: what it is for, its process, and the file its output goes to."""

    what: str  #: ``dnsmasq (DHCP server on the switch)``
    proc: subprocess.Popen[bytes]
    log: str

    def output(self, lines: int = 5) -> str:
        """The last lines the helper wrote (stdout and stderr)."""
        with contextlib.suppress(OSError), open(self.log, errors="replace") as f:
            return " / ".join(f.read().strip().splitlines()[-lines:]) or "no output"
        return "no output"

    def check(self) -> None:
        """Raise :class:`HelperDied` if the helper has exited."""
        code = self.proc.poll()
        if code is not None:
            how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
            raise HelperDied(f"{self.what} {how}: {self.output()}")


def dhcp_missing() -> list[str]:
    """The DHCP programs ``--dhcp`` needs that are not installed."""
    return [p for p in ("dnsmasq", "dhclient") if shutil.which(p) is None]


def _mapped(path: str, ident: int) -> bool:
    """Whether ``ident`` is mapped in this process's user namespace (``/proc/self/uid_map``...)."""
    with open(path) as f:
        for line in f:
            inside, _, count = map(int, line.split())
            if inside <= ident < inside + count:
                return True
    return False


def dnsmasq_identity() -> tuple[str, str]:
    """The (user, group) dnsmasq drops to: ``nobody``/``nogroup`` where they exist and are mapped in
    this user namespace; else ``root`` and an empty group, which dnsmasq reads as "keep the group":
    uid 0 of a user namespace is the unprivileged caller, and such a namespace refuses setgroups()."""
    with contextlib.suppress(KeyError):
        user, group = pwd.getpwnam("nobody"), grp.getgrnam("nogroup")
        if _mapped("/proc/self/uid_map", user.pw_uid) and _mapped("/proc/self/gid_map", group.gr_gid):
            return user.pw_name, group.gr_name
    return "root", ""


def dnsmasq_argv(tmp: str, interface: str, server: str, first: str, last: str) -> list[str]:
    """dnsmasq as a DHCP server only (``--port=0``: no DNS), on ``interface``, logging to stderr."""
    user, group = dnsmasq_identity()
    return [
        "dnsmasq",
        "--keep-in-foreground",
        "--conf-file=/dev/null",
        "--port=0",
        f"--user={user}",
        f"--group={group}",
        f"--interface={interface}",
        "--bind-interfaces",
        "--dhcp-authoritative",
        # a DNS server, as real networks announce: the lab's dhclient script must keep it out of the
        # host's /etc/resolv.conf (the stock one would write it there)
        f"--dhcp-option=option:dns-server,{server}",
        f"--dhcp-range={first},{last},255.255.255.0,1h",
        f"--dhcp-leasefile={tmp}/leases",
        f"--pid-file={tmp}/dnsmasq.pid",
        "--log-facility=-",  # its log on stderr, in the helper's log file, not in the host's syslog
        "--log-dhcp",
    ]


def dhclient_argv(tmp: str, name: str) -> list[str]:
    """dhclient for one lease on link ``name``, in the foreground, recording it with our script."""
    return [
        "dhclient", "-1", "-d", "-v",
        "-sf", dhclient_script(tmp),
        "-pf", f"{tmp}/dhclient-{name}.pid",
        "-lf", f"{tmp}/dhclient-{name}.leases",
        name,
    ]  # fmt: skip


def start_helper(stack: contextlib.ExitStack, ns: Namespace, what: str, argv: list[str], log: str) -> Helper:
    """Start ``argv`` inside ``ns`` with its output in ``log``; it is killed when ``stack`` closes.
    Checked once right after the start; call :meth:`Helper.check` while waiting on it. Should the lab
    die first, the kernel kills the helper with the lab's PID namespace (:func:`rtnl.sandbox.isolate`)."""
    with open(log, "wb") as out:
        try:
            proc = ns.popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        except OSError as e:
            raise HelperDied(f"{what} could not be started: {e}") from None

    def stop() -> None:
        proc.kill()
        proc.wait()

    stack.callback(stop)
    helper = Helper(what, proc, log)
    helper.check()
    return helper


DHCLIENT_SCRIPT = """#!/bin/sh
# dhclient -sf for rtnl: only record the lease; rtnl configures the address. The stock
# dhclient-script would also rewrite /etc/resolv.conf (the host's) and run the system's hooks.
case $reason in BOUND|RENEW|REBIND|REBOOT)
    echo "$new_ip_address $new_subnet_mask" >> "${0%/*}/lease-$interface";;
esac
"""


def dhclient_script(directory: str) -> str:
    """Write :data:`DHCLIENT_SCRIPT` into ``directory`` and return its path, for ``dhclient -sf``.
    Each lease it is given lands in ``directory/lease-IFNAME`` as ``address netmask`` lines."""
    path = os.path.join(directory, "dhclient-script")
    with open(path, "w") as f:
        f.write(DHCLIENT_SCRIPT)
    os.chmod(path, 0o755)
    return path


def dhcp_lease(directory: str, name: str) -> ipaddress.IPv4Interface | None:
    """The lease :data:`DHCLIENT_SCRIPT` (in ``directory``) recorded for link ``name``, or None yet."""
    with contextlib.suppress(FileNotFoundError), open(os.path.join(directory, f"lease-{name}")) as f:
        lines = f.read().splitlines(keepends=True)
        if lines and lines[0].endswith("\n"):
            address, mask = lines[0].split()
            return ipaddress.IPv4Interface(f"{address}/{mask}")
    return None


def wait_lease(
    net: Connection,
    name: str,
    directory: str,
    helpers: list[Helper],
    *,
    stop: threading.Event | None = None,
    timeout: float = LEASE_TIMEOUT,
) -> str:
    """Wait for the lease of ``name`` (recorded in ``directory``), configure it with rtnl and read the
    address back. Every helper in ``helpers`` (the server and this link's client) is checked while
    waiting: one that died raises :class:`HelperDied` at once, with its output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not (stop and stop.is_set()):
        lease = dhcp_lease(directory, name)
        if lease is not None:
            net.add_address(name, lease)
            return str(next(a for a in net.addresses(name) if a.address.version == 4).address.ip)
        for helper in helpers:
            helper.check()
        time.sleep(0.05)
    if stop and stop.is_set():
        raise RuntimeError(f"interrupted while waiting for a lease on {name}")
    said = "; ".join(f"{h.what}: {h.output(3)}" for h in helpers)
    raise RuntimeError(f"no DHCP lease on {name} within {timeout:g} s ({said})")
