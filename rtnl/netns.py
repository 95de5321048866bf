"""Network namespaces: named (iproute2-compatible), anonymous, entered per thread, sockets inside them.

A :class:`Namespace` holds an open file descriptor to a network namespace, which keeps the namespace
alive and is what the kernel takes wherever a namespace is named (``setns(2)``, ``IFLA_NET_NS_FD``,
``NETNSA_FD``). Named namespaces live where ``ip netns`` keeps them, so both tools see each other's::

    with Namespace.create("ns1") as ns1:        # ip netns add ns1 ... ip netns delete ns1
        sock = ns1.socket(socket.AF_INET, socket.SOCK_DGRAM)   # a socket living in ns1
        ns1.popen(["ip", "link"]).wait()        # ip netns exec ns1 ip link

Nothing here forks to switch namespaces, and no thread is ever left switched: ``setns(2)`` acts on the
calling thread only, and every switch is undone before control returns to the caller.

The bottom of the module is the thin syscall layer over the ``rtnl._ns`` cffi extension (``csrc/``),
loaded on first use so that ``import rtnl`` stays within the standard library. Every wrapper raises
``OSError`` (with the matching subclass) carrying the errno the C call left.

This module stands beside the socket layer: it knows the wire format (for nsids) and no typed values
or operations. It is over 600 lines because :class:`Namespace` is one object whose invariant —
every thread switch undone, every descriptor and bind mount owned — spans creation, entering,
sockets and ``popen``; split, that invariant would have no one place to be read.
"""

from __future__ import annotations

import _socket  # socket.py's type without its enums: loaded only for Namespace.socket's callers
import contextlib
import errno
import fcntl
import os
import stat
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar, Union

from .errors import NamespaceRestoreError, NetlinkError
from .uapi import NETNSA_NSID_NOT_ASSIGNED
from .values.check import check_int, check_items, check_namespace_name, check_sysctl_key, check_sysctl_value

if TYPE_CHECKING:
    import socket
    import subprocess
    from collections.abc import Iterable
    from types import TracebackType

    from .wire.message import Message

T = TypeVar("T")
P = ParamSpec("P")

__all__ = [
    "Namespace",
    "NamespaceLike",
    "NamespaceRestoreError",
    "by_nsid",
    "check_thread",
    "get_nsid",
    "resolve",
    "run_dir",
    "set_nsid",
]

_THREAD_NS = "/proc/thread-self/ns/net"


# --------------------------------------------------------------------------------------------------
# syscall layer


@cache
def _ext() -> Any:
    from rtnl import _ns  # compiled by the package build from csrc/build_ns.py

    return _ns


def _check(rc: int, what: str, path: str | None = None) -> None:
    if rc != 0:
        err = _ext().ffi.errno
        raise OSError(err, f"{what}: {os.strerror(err)}", path)


def const(name: str) -> int:
    """A constant from the C headers as compiled into the extension (``CLONE_NEWNET``, ``MS_BIND``...)."""
    return int(getattr(_ext().lib, name))


def setns(fd: int, nstype: int = 0) -> None:
    """setns(2) for the calling thread."""
    _check(_ext().lib.setns(fd, nstype), "setns")


def unshare(flags: int) -> None:
    """unshare(2) for the calling thread (CLONE_NEWNS needs a single-threaded process)."""
    _check(_ext().lib.unshare(flags), "unshare")


def mount(
    source: str | None, target: str, fstype: str | None, flags: int = 0, data: str | None = None
) -> None:
    """mount(2)."""
    ffi, lib = _ext().ffi, _ext().lib

    def c(s: str | None) -> Any:
        return ffi.NULL if s is None else os.fsencode(s)

    _check(lib.mount(c(source), os.fsencode(target), c(fstype), flags, c(data)), "mount", target)


def umount2(target: str, flags: int = 0) -> None:
    """umount2(2)."""
    _check(_ext().lib.umount2(os.fsencode(target), flags), "umount2", target)


def set_pdeathsig(signum: int) -> None:
    """``prctl(PR_SET_PDEATHSIG, signum)``: the calling thread's process gets ``signum`` when its
    parent (the thread that forked it) dies; ``0`` clears it."""
    lib = _ext().lib
    _check(lib.prctl(lib.PR_SET_PDEATHSIG, signum, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")


# --------------------------------------------------------------------------------------------------
# helpers


def run_dir() -> str:
    """Where named namespaces live: ``$RTNL_NETNS_DIR`` if set, else ``/run/netns`` (as iproute2).

    Read on every call, so a test harness may point it elsewhere after import.
    """
    return os.environ.get("RTNL_NETNS_DIR") or "/run/netns"


def _ident(st: os.stat_result) -> tuple[int, int]:
    return (st.st_dev, st.st_ino)


def _open_netns(path: str) -> int:
    """Open ``path`` if it is a network namespace; ``OSError`` naming ``path`` at once otherwise.

    Every namespace opened by path goes through here. ``O_PATH`` opens nothing (a FIFO's open
    would block until a writer comes, a device's open runs its driver), so the file is first checked
    to be a namespace file (nsfs: a regular file on the namespace file system's device), and only
    then opened for real, through the same descriptor (no race with a rename), and asked its type.
    """
    where = os.open(path, os.O_PATH | os.O_CLOEXEC)
    try:
        st = os.fstat(where)
        if not stat.S_ISREG(st.st_mode) or st.st_dev != _nsfs_dev():
            raise OSError(errno.EINVAL, f"not a network namespace ({_file_kind(st.st_mode)})", path)
        fd = os.open(f"/proc/thread-self/fd/{where}", os.O_RDONLY | os.O_CLOEXEC)
    finally:
        os.close(where)
    try:
        nstype = fcntl.ioctl(fd, const("NS_GET_NSTYPE"))
    except OSError:
        nstype = -1
    if nstype != const("CLONE_NEWNET"):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a network namespace (a namespace of another type)", path)
    return fd


@cache
def _nsfs_dev() -> int:
    """The device of the namespace file system (nsfs): one for every namespace file."""
    return os.stat(_THREAD_NS).st_dev


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "a regular file")


def _in_helper_thread(fn: Callable[[], T], name: str) -> T:
    """Run ``fn`` in a short-lived thread and hand back its result or exception.

    A thread that dies takes its namespace switch with it, so nothing has to be switched back.
    """
    box: list[Any] = []

    def target() -> None:
        try:
            box.append((True, fn()))
        except BaseException as e:  # handed to the caller, re-raised there
            box.append((False, e))

    t = threading.Thread(target=target, name=name, daemon=True)
    t.start()
    t.join()
    ok, value = box[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


def _new_netns_fd() -> int:
    """A fresh network namespace, held by the returned fd.

    As ``ip netns add`` does, the calling thread unshares into it, opens it and switches straight
    back (no helper thread: that costs more than the switch). The way back is the one
    :meth:`Namespace.entered` takes, so a thread that cannot return is marked unusable.
    """
    check_thread()
    home = os.open(_THREAD_NS, os.O_RDONLY | os.O_CLOEXEC)
    fd = -1
    try:  # whatever happens from here on (even an interrupt right after unshare), the thread goes home
        unshare(const("CLONE_NEWNET"))
        fd = os.open(_THREAD_NS, os.O_RDONLY | os.O_CLOEXEC)
    finally:
        try:
            _return_home(home, "a namespace it was creating")
        except BaseException:
            if fd >= 0:
                os.close(fd)
            raise
    return fd


def _share_run_dir(path: str) -> None:
    """Make the run dir a shared mount, as ``ip netns add`` does.

    Shared propagation makes namespace files mounted later visible in mount namespaces that were
    copied before (``ip netns exec`` children, containers), and their unmounts reach those too.
    mount(2) answers ENOENT when there is no run dir yet (it is made) and EINVAL when the dir is not
    a mount point yet: bind it onto itself, then retry.
    """
    flags = const("MS_SHARED") | const("MS_REC")
    try:
        mount("", path, "none", flags)
        return
    except OSError as e:
        if e.errno == errno.ENOENT:  # no run dir yet (found out here: no stat before every create)
            os.makedirs(path, mode=0o755, exist_ok=True)
        elif e.errno != errno.EINVAL:
            raise
    mount(path, path, "none", const("MS_BIND") | const("MS_REC"))  # not a mount point (yet)
    mount("", path, "none", flags)


# --------------------------------------------------------------------------------------------------
# per-thread state


_thread = threading.local()


def check_thread() -> None:
    """Raise :class:`NamespaceRestoreError` if the calling thread was left in a foreign namespace.

    Called before any work that depends on the thread's namespace (entering, opening sockets).
    """
    broken: str | None = getattr(_thread, "broken", None)
    if broken is not None:
        raise NamespaceRestoreError(f"this thread is unusable for rtnl: {broken}")


class _Entered:
    """The context manager behind :meth:`Namespace.entered`; one per ``with``, so nesting works."""

    __slots__ = ("_home", "_ns")

    def __init__(self, ns: Namespace) -> None:
        self._ns = ns
        self._home = -1

    def __enter__(self) -> Namespace:
        check_thread()
        target = self._ns.fd
        home = os.open(_THREAD_NS, os.O_RDONLY | os.O_CLOEXEC)
        try:  # setns(2) with CLONE_NEWNET switches to that network namespace, or fails and does not
            setns(target, const("CLONE_NEWNET"))
        except BaseException:
            os.close(home)
            raise
        self._home = home
        return self._ns

    def __exit__(self, *exc: object) -> None:
        self._restore()

    def _restore(self) -> None:
        home, self._home = self._home, -1
        _return_home(home, f"netns {self._ns!r}")


def _return_home(home: int, where: str) -> None:
    """Switch the calling thread back to ``home`` (an fd, closed here), or mark the thread unusable
    and say so.

    One retry: an exception that is not about setns at all (a signal handler raising
    KeyboardInterrupt between two bytecodes) must not leave the thread switched either; it is
    re-raised once the thread is home.
    """
    failure: BaseException | None = None
    try:
        for _ in range(2):
            try:
                setns(home, const("CLONE_NEWNET"))
            except BaseException as e:
                failure = e
                continue
            if failure is not None and not isinstance(failure, Exception):
                raise failure
            return
    finally:
        os.close(home)
    stuck = f"thread {threading.current_thread().name!r} is stuck in {where}"
    _thread.broken = f"{stuck} ({failure})"
    raise NamespaceRestoreError(f"could not switch back to the thread's namespace: {stuck}") from failure


# --------------------------------------------------------------------------------------------------
# Namespace


class Namespace:
    """A network namespace, held open by a file descriptor.

    Get one from :meth:`create`, :meth:`open`, :meth:`from_pid`, :meth:`current` or
    :meth:`anonymous`. Two objects are equal when they refer to the same namespace (same device and
    inode), however they were opened. As a context manager it closes its descriptor on exit; one made
    by :meth:`create` also deletes its name, so this leaves nothing behind::

        with Namespace.create("lab") as ns:
            with ns.entered():
                ...  # this thread (only) is in "lab"
    """

    __slots__ = ("__weakref__", "_delete_on_exit", "_fd", "_ident", "_name", "_path")

    def __init__(self, fd: int, *, name: str | None = None, path: str | None = None) -> None:
        """Take ownership of ``fd``, an open network namespace; prefer the constructors below."""
        self._fd = -1
        try:
            self._ident = _ident(os.fstat(fd))
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self._name = name
        self._path = path
        self._delete_on_exit = False

    # constructors ---------------------------------------------------------------------------------

    @classmethod
    def create(cls, name: str) -> Namespace:
        """Create a named namespace exactly as ``ip netns add NAME`` does.

        The run dir is made a shared mount, ``NAME`` is created in it with ``O_EXCL``, and a fresh
        network namespace is bind-mounted onto it. On any failure the file and mount are removed again.

        :raises ValueError: ``name`` is not a plain file name (checked before touching the disk).
        :raises FileExistsError: the name is taken; the existing namespace is left as it was.
        """
        check_namespace_name(name)
        rdir = run_dir()
        path = os.path.join(rdir, name)
        _share_run_dir(rdir)
        os.close(os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0))
        ns: Namespace | None = None
        try:
            ns = cls(_new_netns_fd(), name=name, path=path)
            mount(f"/proc/self/fd/{ns.fd}", path, "none", const("MS_BIND"))  # the last step that can fail
        except BaseException:
            if ns is not None:
                ns.close()
            with contextlib.suppress(OSError):  # the original error is the one to report
                os.unlink(path)
            raise
        ns._delete_on_exit = True
        return ns

    @classmethod
    def open(cls, name_or_path: str | os.PathLike[str]) -> Namespace:
        """Open a namespace by name in the run dir (``"ns1"``) or by path (``"/proc/1/ns/net"``).

        A string containing ``/`` or any ``os.PathLike`` is a path; anything else is a name.

        :raises FileNotFoundError: no such namespace.
        :raises OSError: (EINVAL) the file is not a network namespace (a stale name, a FIFO, a device,
            a directory, a namespace of another type...): at once, never blocking, naming the path.
        """
        if isinstance(name_or_path, str) and "/" not in name_or_path:
            name: str | None = check_namespace_name(name_or_path)
            path = os.path.join(run_dir(), name_or_path)
        else:
            name, path = None, os.fspath(name_or_path)
        return cls(_open_netns(path), name=name, path=path)

    @classmethod
    def from_pid(cls, pid: int) -> Namespace:
        """The network namespace of process ``pid`` (its main thread).

        :raises ProcessLookupError: no such process.
        """
        path = f"/proc/{check_int(pid, 'pid', 1, 2**31 - 1)}/ns/net"
        try:
            return cls(_open_netns(path), path=path)
        except FileNotFoundError:
            raise ProcessLookupError(errno.ESRCH, f"no process {pid}") from None

    @classmethod
    def current(cls) -> Namespace:
        """The calling thread's network namespace."""
        return cls(_open_netns(_THREAD_NS))

    @classmethod
    def anonymous(cls) -> Namespace:
        """A new, unnamed namespace that lives as long as something holds it (this object, until closed).

        Cheaper than :meth:`create` and leaves no file behind; the right thing for throwaway labs
        and tests. Links moved into it vanish with it.
        """
        return cls(_new_netns_fd())

    @staticmethod
    def list() -> list[str]:
        """Names in the run dir, sorted, as ``ip netns list`` would show them."""
        try:
            return sorted(os.listdir(run_dir()))
        except FileNotFoundError:
            return []

    # properties -----------------------------------------------------------------------------------

    @property
    def fd(self) -> int:
        """The descriptor holding the namespace (owned by this object; do not close it).

        :raises ValueError: the namespace was closed.
        """
        if self._fd < 0:
            raise ValueError("namespace is closed")
        return self._fd

    @property
    def name(self) -> str | None:
        """The name in the run dir, or ``None`` for a namespace opened otherwise."""
        return self._name

    @property
    def path(self) -> str | None:
        """The path it was opened from (``None`` for :meth:`current` and :meth:`anonymous`)."""
        return self._path

    @property
    def ident(self) -> tuple[int, int]:
        """``(st_dev, st_ino)`` of the namespace: what identifies it, however it was opened (kept
        after :meth:`close`)."""
        return self._ident

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._fd < 0

    # lifetime -------------------------------------------------------------------------------------

    def close(self) -> None:
        """Release the descriptor; the namespace itself lives on while named or in use. Idempotent."""
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)

    def delete(self) -> None:
        """Remove the name, as ``ip netns delete`` does: lazy unmount, then unlink.

        The namespace itself is freed once nothing holds it any more (this object included: close it).
        Refuses to remove a name that meanwhile refers to another namespace.

        :raises FileNotFoundError: the name no longer refers to this namespace.
        :raises ValueError: the namespace has no name.
        """
        if self._path is None or self._name is None:
            raise ValueError("only a named namespace can be deleted")
        self._delete_on_exit = False
        if _ident(os.stat(self._path)) != self._ident:
            raise FileNotFoundError(errno.ENOENT, "name no longer refers to this namespace", self._path)
        umount2(self._path, const("MNT_DETACH"))
        os.unlink(self._path)

    def __enter__(self) -> Namespace:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._delete_on_exit:
                with contextlib.suppress(FileNotFoundError):  # someone (ip netns delete?) was first
                    self.delete()
        finally:
            self.close()

    def __del__(self) -> None:
        if getattr(self, "_fd", -1) >= 0:
            warnings.warn(f"unclosed {self!r}", ResourceWarning, stacklevel=2, source=self)
            self.close()

    # identity -------------------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Namespace):
            return NotImplemented
        return self._ident == other._ident

    def __hash__(self) -> int:
        return hash(self._ident)

    def __repr__(self) -> str:
        what = f"name={self._name!r}" if self._name else f"path={self._path!r}" if self._path else "anonymous"
        state = " closed" if self._fd < 0 else ""
        return f"<Namespace {what} inode={self._ident[1]}{state}>"

    # using it -------------------------------------------------------------------------------------

    def entered(self) -> _Entered:
        """Switch the calling thread (only) into this namespace for a ``with`` block.

        Other threads are unaffected, blocks nest, and the thread is switched back on every exit path.
        Should switching back ever fail, :class:`NamespaceRestoreError` is raised and the thread is
        marked unusable for rtnl, instead of silently going on in the wrong namespace::

            with ns.entered():
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # lives in ns for good
        """
        return _Entered(self)

    def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Call ``fn(*args, **kwargs)`` in a helper thread inside this namespace and return its result.

        Its exception, if any, is re-raised in the caller. The calling thread never switches.
        """
        fd = self.fd

        def inside() -> T:
            setns(fd, const("CLONE_NEWNET"))  # the helper thread dies afterwards: no way back needed
            return fn(*args, **kwargs)

        return _in_helper_thread(inside, "rtnl-netns-run")

    def socket(self, family: int, type: int = _socket.SOCK_STREAM, proto: int = 0) -> socket.socket:
        """Open a socket inside this namespace; the calling thread is switched in and back at once.

        A socket belongs to the namespace it was created in for its whole life, wherever it is used
        from; this is how ``rtnl.connect(ns)`` talks to another namespace without forking::

            probe = ns.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
        """
        import socket  # here: socket.py costs ~3 ms of start-up, and rtnl itself needs only _socket

        with self.entered():
            return socket.socket(family, type, proto)

    def _raw_socket(self, family: int, type: int, proto: int) -> _socket.socket:
        """:meth:`socket` as ``_socket``'s plain type, for rtnl's own netlink sockets."""
        with self.entered():
            return _socket.socket(family, type, proto)

    # sysctls: /proc/sys/net shows the namespace of the thread that opens a file there ------------------

    def sysctl(self, key: str) -> str:
        """The value of a network sysctl in this namespace, as ``ip netns exec NS sysctl -n KEY`` prints
        it (the trailing newline dropped). ``key`` is written as ``sysctl`` takes it::

            ns.sysctl("net.ipv4.conf.ens33.accept_local")     # "0"
            ns.sysctl("net.ipv4.conf.ens33/01.rp_filter")     # ens33.01's: '/' for a dot in a name

        The file is read by a helper thread switched into this namespace (the calling thread stays
        where it is). Keys outside ``net.`` are refused (``ValueError``); a key the kernel does not
        have is a ``FileNotFoundError``.
        """
        return self.run(_read_sysctl, "/proc/sys/" + check_sysctl_key(key))

    def set_sysctl(self, key: str, value: str | int) -> None:
        """Set a network sysctl in this namespace (``ip netns exec NS sysctl -w KEY=VALUE``); the
        kernel's refusal of the value is an ``OSError`` (``EINVAL``...). See :meth:`sysctl`."""
        path, text = "/proc/sys/" + check_sysctl_key(key), check_sysctl_value(value)
        self.run(_write_sysctl, path, text)

    def popen(self, argv: Sequence[str | os.PathLike[str]], **kwargs: Any) -> subprocess.Popen[Any]:
        """Start a program inside this namespace the way ``ip netns exec`` does.

        The child gets its own mount namespace (with ``/`` made a slave, so nothing propagates back),
        a fresh ``/sys`` that shows this namespace's links, and for a named namespace the files of
        ``/etc/netns/NAME/`` bound over ``/etc``. This is done by a small trampoline
        (``rtnl/_exec.py``) that execs ``argv``, not by ``preexec_fn``, which is unsafe in threaded
        programs. ``kwargs`` go to :class:`subprocess.Popen`. As with ``Popen``, failing to start
        the program (or to enter the namespace) raises ``OSError`` here::

            out = ns.popen(["ip", "-j", "link"], stdout=subprocess.PIPE, text=True).communicate()[0]
        """
        import subprocess

        if kwargs.get("shell") or "executable" in kwargs or "preexec_fn" in kwargs:
            raise TypeError("popen() takes an argv list; shell, executable and preexec_fn are not supported")
        args = [os.fspath(a) for a in argv]
        if not args:
            raise ValueError("argv is empty")
        ns_fd = self.fd
        err_r, err_w = os.pipe()
        try:
            cmd = [
                sys.executable,
                "-I",
                "-S",
                _TRAMPOLINE,
                _trampoline_path(),
                str(ns_fd),
                str(err_w),
                self._name or "",
                "--",
                *args,
            ]
            pass_fds = (*kwargs.pop("pass_fds", ()), ns_fd, err_w)
            proc = subprocess.Popen(cmd, pass_fds=pass_fds, **kwargs)
            os.close(err_w)
            err_w = -1
            report = _read_all(err_r)
        finally:
            if err_w >= 0:
                os.close(err_w)
            os.close(err_r)
        proc.args = args
        if report:
            proc.wait()
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
            code, _, rest = report.partition(b"\0")
            message, _, filename = rest.decode(errors="replace").partition("\0")
            raise OSError(int(code), message, filename or None)
        return proc


_TRAMPOLINE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_exec.py")


def _read_sysctl(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read().rstrip("\n")


def _write_sysctl(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


@cache
def _trampoline_path() -> str:
    """Where the trampoline finds ``_ns`` and cffi's backend, since it runs without ``site``."""
    backend = sys.modules[type(_ext().ffi).__module__]  # _cffi_backend, which _ns needs
    dirs = (os.path.dirname(os.path.abspath(str(m.__file__))) for m in (_ext(), backend))
    return os.pathsep.join(dict.fromkeys(dirs))


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 4096):
        chunks.append(chunk)
    return b"".join(chunks)


NamespaceLike = Union[Namespace, str, "os.PathLike[str]"]
"""What ``rtnl.connect`` and friends accept for a namespace: an object, a name or a path."""


def resolve(namespace: NamespaceLike) -> tuple[Namespace, bool]:
    """Turn a :data:`NamespaceLike` into a :class:`Namespace` and whether the caller must close it.

    A :class:`Namespace` is used as is (``False``: it belongs to whoever passed it); a name under the
    run dir or a path is opened (``True``)::

        ns, owned = resolve(namespace)
        try:
            sock = ns.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
        finally:
            if owned:
                ns.close()
    """
    if isinstance(namespace, Namespace):
        return namespace, False
    if isinstance(namespace, (str, os.PathLike)):
        return Namespace.open(namespace), True
    raise TypeError(f"expected a Namespace, a name or a path, not {type(namespace).__name__}")


# --------------------------------------------------------------------------------------------------
# namespace ids (RTM_NEWNSID / RTM_GETNSID, linux/net_namespace.h)
#
# An nsid is the number by which one namespace knows another: a link whose parent or peer lives
# elsewhere reports IFLA_LINK_NETNSID, relative to the namespace the asking socket lives in.


class Requester(Protocol):
    """Anything that sends one netlink request and returns the answers: a ``Connection`` or a
    ``NetlinkSocket``. Its namespace is the one nsids are relative to."""

    def request(self, message: Message) -> list[Message]: ...


_NSID_NOT_ASSIGNED = NETNSA_NSID_NOT_ASSIGNED


def _nsid_message(type_: int, **attrs: int) -> Message:
    from .wire.headers import RtGenMsg
    from .wire.message import Message
    from .wire.schemas import NETNSA

    return Message(type_, header=RtGenMsg(), attrs=NETNSA.build(**attrs))


def get_nsid(conn: Requester, namespace: Namespace) -> int | None:
    """The id ``conn``'s namespace knows ``namespace`` by, or ``None`` if none is assigned yet.

    Like ``ip netns list-id``, but for one namespace, found by its descriptor (``NETNSA_FD``).
    """
    from .uapi import RTM_GETNSID, RTM_NEWNSID
    from .wire.schemas import NETNSA

    for reply in conn.request(_nsid_message(RTM_GETNSID, NETNSA_FD=namespace.fd)):
        if reply.type == RTM_NEWNSID and reply.attrs is not None:
            [nsid] = reply.attrs.pick(NETNSA.picker("NETNSA_NSID"))  # strict: an int or DecodeError
            return None if nsid is None or nsid == _NSID_NOT_ASSIGNED else int(nsid)
    return None


def set_nsid(conn: Requester, namespace: Namespace, nsid: int | None = None) -> int:
    """Give ``namespace`` an id in ``conn``'s namespace and return it; ``None`` picks one, as
    ``ip netns set NAME auto`` does. Idempotent: an id already assigned is returned as is.

    :raises FileExistsError: ``nsid`` is taken, or ``namespace`` already has another id (ids never
        change while both namespaces live).

    ::

        with rtnl.connect() as net:
            nsid = set_nsid(net, ns)      # links moved to ns now report it as their parent_netnsid
    """
    from .uapi import RTM_NEWNSID

    if nsid is not None:
        check_int(nsid, "nsid", 0, 2**31 - 1)
    current = get_nsid(conn, namespace)
    if current is not None and (nsid is None or nsid == current):
        return current
    want = _NSID_NOT_ASSIGNED if nsid is None else nsid
    try:
        conn.request(_nsid_message(RTM_NEWNSID, NETNSA_NSID=want, NETNSA_FD=namespace.fd))
    except NetlinkError as e:  # (issue 14: an error names its object)
        e.about = f"nsid {'auto' if nsid is None else nsid} of {namespace!r}"
        raise
    got = get_nsid(conn, namespace)
    if got is None:  # cannot happen: the kernel acked the assignment
        raise OSError(errno.EIO, "nsid assignment acknowledged but not visible")
    return got


def by_nsid(conn: Requester, nsid: int, candidates: Iterable[Namespace] | None = None) -> Namespace | None:
    """The namespace ``conn``'s namespace knows as ``nsid`` (e.g. a ``Link.parent_netnsid``), or ``None``.

    The kernel cannot hand out a namespace for an id, so candidates are asked one by one: by default
    every named namespace in the run dir (the match is returned open, the caller closes it; the
    others are closed); given ``candidates`` are searched instead and the match returned as is.
    """
    if candidates is not None:
        return next((ns for ns in check_items(candidates, "candidates") if get_nsid(conn, ns) == nsid), None)
    for name in Namespace.list():
        try:
            ns = Namespace.open(name)
        except (OSError, ValueError):
            continue  # deleted meanwhile, stale, or not a namespace
        try:
            if get_nsid(conn, ns) == nsid:
                return ns
        except BaseException:
            ns.close()
            raise
        ns.close()
    return None
