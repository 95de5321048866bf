"""Every exception and warning rtnl raises: kernel refusals as ``OSError`` subclasses, malformed bytes
as ``ValueError``, a thread stuck in a foreign namespace as ``RuntimeError``. (Invalid arguments are
the builtin ``ValueError``/``TypeError``, raised by ``rtnl.values.check`` before anything is sent.)

A :class:`NetlinkError` is also an instance of the builtin ``OSError`` subclass for its errno, so the
usual idioms work::

    try:
        net.add(Macvlan("mv0", parent="eth0"))
    except FileExistsError as e:        # EEXIST, and e is a NetlinkError too
        print(e.extack)                 # the kernel's own message, if it sent one

This module imports nothing from rtnl: every layer may raise these.
"""

from __future__ import annotations

import errno as _errno
import os
from functools import cache


class NetlinkError(OSError):
    """The kernel refused a request.

    ``errno`` and ``strerror`` are as for any ``OSError``; ``extack`` is the kernel's extended-ack
    message (or ``None``) and ``attribute`` names the offending attribute, e.g.
    ``"IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_MACVLAN_MODE"``, when the kernel pointed at one.
    Build instances with :meth:`NetlinkError.from_errno` to get the errno-specific subclass.
    """

    extack: str | None
    attribute: str | None

    def __init__(self, err: int, extack: str | None = None, attribute: str | None = None) -> None:
        # os.strerror takes a C int; a forged NLMSG_ERROR of INT_MIN negates to one more
        super().__init__(err, os.strerror(err) if -(2**31) <= err < 2**31 else f"Unknown error {err}")
        self.extack = extack
        self.attribute = attribute

    def __str__(self) -> str:
        text = f"[Errno {self.errno}] {self.strerror}"
        if self.extack:
            text += f": {self.extack}"
        if self.attribute:
            text += f" (attribute {self.attribute})"
        return text

    def __reduce__(self) -> tuple[object, ...]:
        # the errno-specific classes are made on the fly: pickle the base and rebuild the same mix
        base = next(c for c in type(self).__mro__ if "[" not in c.__name__)
        return (_rebuild, (base, self.errno, self.extack, self.attribute, base is not type(self)))

    @classmethod
    def from_errno(cls, err: int, extack: str | None = None, attribute: str | None = None) -> NetlinkError:
        """An instance of ``cls`` that is also the builtin subclass for ``err`` (``FileExistsError``...)."""
        return _subclass(cls, err)(err, extack, attribute)  # type: ignore[arg-type]


class DumpInterrupted(NetlinkError):
    """A dump kept changing under us (``NLM_F_DUMP_INTR``) after the retries allowed; read it again."""

    def __init__(self, err: int = _errno.EINTR, extack: str | None = None,
                 attribute: str | None = None) -> None:
        super().__init__(err, extack or "dump interrupted: the kernel's table changed while it was read",
                         attribute)


class DecodeError(ValueError):
    """Bytes that are not a well-formed netlink message (bad length, truncated header or attribute)."""


class NetlinkWarning(UserWarning):
    """The kernel accepted a request but said something about it (ext-ack message on success)."""


class NamespaceRestoreError(RuntimeError):
    """The calling thread could not be switched back to its own network namespace.

    The thread is then in the wrong namespace for good; rtnl refuses to use it again (see
    :func:`rtnl.netns.check_thread`) rather than let it create links or sockets in the wrong place.
    """


# errno -> builtin OSError subclass, as OSError(errno, ...) itself would choose
_BUILTIN: dict[int, type[OSError]] = {
    e: k for e in range(1, 256) if (k := type(OSError(e, ""))) is not OSError
}


@cache
def _subclass(base: type[NetlinkError], err: int) -> type[NetlinkError]:
    builtin = _BUILTIN.get(err)
    if builtin is None or issubclass(base, builtin):
        return base
    return type(f"{base.__name__}[{builtin.__name__}]", (base, builtin), {"__module__": base.__module__})


def _rebuild(base: type[NetlinkError], err: int, extack: str | None, attribute: str | None,
             mixed: bool = True) -> NetlinkError:
    return base.from_errno(err, extack, attribute) if mixed else base(err, extack, attribute)
