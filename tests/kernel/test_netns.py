"""rtnl.Namespace against the real kernel and iproute2 (the process is already in a throwaway netns,
with a private tmpfs on /run and RTNL_NETNS_DIR=/run/netns: see tests/conftest.py)."""

from __future__ import annotations

import errno
import gc
import itertools
import json
import os
import pathlib
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator

import pytest

import rtnl
from rtnl import netns
from rtnl.netns import Namespace, NamespaceRestoreError, by_nsid, get_nsid, resolve, set_nsid

THREAD_NS = "/proc/thread-self/ns/net"
_counter = itertools.count()


def ident(path: str = THREAD_NS) -> tuple[int, int]:
    st = os.stat(path)
    return (st.st_dev, st.st_ino)


def ns_ident(ns: Namespace) -> tuple[int, int]:
    st = os.fstat(ns.fd)
    return (st.st_dev, st.st_ino)


def sh(*argv: str, **kw: object) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kw).stdout  # type: ignore[call-overload,no-any-return]


def ip_netns_list() -> list[str]:
    # `ip netns list` prints "NAME" or "NAME (id: N)"
    return sorted(line.split()[0] for line in sh("ip", "netns", "list").splitlines())


def ip_link_names(*ip_args: str) -> set[str]:
    return {x["ifname"] for x in json.loads(sh("ip", *ip_args, "-j", "link", "show"))}


def name_of(ns: Namespace) -> str:
    assert ns.name is not None
    return ns.name


def path_of(ns: Namespace) -> str:
    assert ns.path is not None
    return ns.path


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


@pytest.fixture
def veth() -> Iterator[tuple[str, str]]:
    """A veth pair in the test process's namespace; whatever is left of it is removed afterwards."""
    a, b = unique("va"), unique("vb")
    sh("ip", "link", "add", a, "type", "veth", "peer", "name", b)
    yield a, b
    subprocess.run(["ip", "link", "del", a], capture_output=True)


@pytest.fixture
def named() -> Iterator[Namespace]:
    with Namespace.create(unique("rt")) as ns:
        yield ns


# -- iproute2 interop --------------------------------------------------------------------------------


def test_created_namespace_is_seen_and_entered_by_ip_netns(named: Namespace) -> None:
    assert named.name in ip_netns_list()
    assert named.name in Namespace.list()
    assert named.path == os.path.join(os.environ["RTNL_NETNS_DIR"], name_of(named))
    inode = sh("ip", "netns", "exec", name_of(named), "stat", "-L", "-c", "%i", "/proc/self/ns/net")
    assert int(inode) == ns_ident(named)[1] != ident()[1]


def test_ip_netns_add_is_opened_and_deleted_by_rtnl(veth: tuple[str, str]) -> None:
    name = unique("ip")
    sh("ip", "netns", "add", name)
    assert name in Namespace.list()
    sh("ip", "link", "set", veth[1], "netns", name)
    with Namespace.open(name) as ns:
        assert ns.name == name
        assert ns_ident(ns) == ident(path_of(ns))
        assert ns.run(socket.if_nametoindex, veth[1]) > 0
        ns.delete()
        assert name not in ip_netns_list()
        assert not os.path.exists(path_of(ns))
        # the name is gone, but the namespace lives on while held
        assert ns.run(socket.if_nametoindex, veth[1]) > 0


def test_ip_netns_delete_removes_rtnl_namespace() -> None:
    name = unique("rt")
    with Namespace.create(name) as ns:
        sh("ip", "netns", "delete", name)
        assert name not in Namespace.list()
        with pytest.raises(FileNotFoundError):
            Namespace.open(name)
        with pytest.raises(FileNotFoundError):
            ns.delete()
    assert ns.closed  # __exit__ closed it even though the name was already gone


def test_context_manager_deletes_created_but_only_closes_opened() -> None:
    name = unique("rt")
    with Namespace.create(name) as ns, Namespace.open(name) as other:
        assert other == ns
    assert ns.closed and other.closed
    assert name not in ip_netns_list()

    sh("ip", "netns", "add", name)
    try:
        with Namespace.open(name):
            pass
        assert name in ip_netns_list()
    finally:
        sh("ip", "netns", "delete", name)


# -- names ---------------------------------------------------------------------------------------------

BAD_NAMES = ["", ".", "..", "a/b", "/abs", "../up", "a\0b", "x" * 256, "\u00e9" * 128]


def test_unsafe_names_are_refused_before_touching_the_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    rdir = os.environ["RTNL_NETNS_DIR"]
    Namespace.create(unique("rt")).delete()  # the run dir now exists and is a mount point
    before = (sorted(os.listdir(rdir)), os.stat(rdir).st_mtime_ns, os.listdir(os.path.dirname(rdir)))
    for name in BAD_NAMES:
        with pytest.raises(ValueError):
            Namespace.create(name)
        if "/" not in name:  # with a slash, open() takes it as a path
            with pytest.raises(ValueError):
                Namespace.open(name)
    with pytest.raises(TypeError):
        Namespace.create(b"bytes")  # type: ignore[arg-type]
    assert (sorted(os.listdir(rdir)), os.stat(rdir).st_mtime_ns, os.listdir(os.path.dirname(rdir))) == before

    missing = "/run/never-made"
    monkeypatch.setenv("RTNL_NETNS_DIR", missing)  # read at call time
    for name in BAD_NAMES:
        with pytest.raises(ValueError):
            Namespace.create(name)
    assert not os.path.exists(missing)


def test_longest_name_is_accepted() -> None:
    with Namespace.create("n" * 255) as ns:
        assert ns.name in ip_netns_list()


def test_run_dir_follows_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    alt = "/run/alt-netns"  # not there yet: made, bind-mounted onto itself and shared, as ip does
    monkeypatch.setenv("RTNL_NETNS_DIR", alt)
    with Namespace.create("here") as ns:
        assert ns.path == f"{alt}/here"
        with open("/proc/self/mountinfo") as f:
            assert any(line.split()[4] == alt and "shared:" in line for line in f)
        assert Namespace.list() == ["here"]
        assert "here" not in ip_netns_list()
    assert Namespace.list() == []


# -- lifecycle and identity ------------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["unshare", "mount"])
def test_failed_create_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    real = getattr(netns, step)

    def failing(*args: object) -> None:
        if step == "unshare" or args[3] == netns.const("MS_BIND"):  # the namespace's bind mount
            raise OSError(errno.EPERM, "injected")
        real(*args)

    Namespace.create(unique("rt")).__exit__(None, None, None)  # run dir set up, fds settled
    before = (Namespace.list(), len(os.listdir("/proc/self/fd")))
    monkeypatch.setattr(netns, step, failing)
    with pytest.raises(PermissionError):
        Namespace.create(unique("rt"))
    assert (Namespace.list(), len(os.listdir("/proc/self/fd"))) == before


def test_create_existing_raises_and_keeps_the_original_working(named: Namespace) -> None:
    with pytest.raises(FileExistsError):
        Namespace.create(name_of(named))
    assert ident(path_of(named)) == ns_ident(named)
    with Namespace.open(name_of(named)) as again:
        assert again == named
    sh("ip", "netns", "exec", name_of(named), "true")
    assert named.name in ip_netns_list()


def test_missing_namespace_raises_file_not_found() -> None:
    with pytest.raises(FileNotFoundError):
        Namespace.open("no-such-ns")
    with pytest.raises(FileNotFoundError):
        Namespace.open("/run/no/such/path")


def test_stale_name_is_not_a_namespace() -> None:
    path = os.path.join(os.environ["RTNL_NETNS_DIR"], unique("stale"))
    os.close(os.open(path, os.O_CREAT | os.O_EXCL, 0))  # what a crashed `ip netns add` leaves
    try:
        with pytest.raises(OSError) as info:
            Namespace.open(os.path.basename(path))
        assert info.value.errno == errno.EINVAL
    finally:
        os.unlink(path)


def test_identity_is_the_inode(ns: Namespace, named: Namespace) -> None:
    with Namespace.open(name_of(named)) as a, Namespace.open(path_of(named)) as b:
        assert a == b == named and hash(a) == hash(named)
        assert a.path == b.path == named.path
        assert a.name == name_of(named) and b.name is None
        assert len({a, b, named, ns}) == 2
        assert a != ns
    with Namespace.current() as here, Namespace.from_pid(os.getpid()) as mine:
        assert here == mine
        assert ns_ident(here) == ident()
        assert here not in (ns, named)
    with ns.entered(), Namespace.current() as inside:
        assert inside == ns


def test_from_pid_missing_process() -> None:
    with pytest.raises(ProcessLookupError):
        Namespace.from_pid(2**22 + 1)


def test_closed_namespace_refuses_use() -> None:
    ns = Namespace.anonymous()
    ns.close()
    ns.close()  # idempotent
    assert ns.closed
    with pytest.raises(ValueError):
        ns.fd  # noqa: B018
    with pytest.raises(ValueError), ns.entered():
        pass
    with pytest.raises(ValueError):
        ns.delete()  # not named


def wait_for(predicate: object, what: str) -> None:
    deadline = time.monotonic() + 30  # namespace teardown runs on a kernel workqueue
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def test_anonymous_lives_while_open_and_dies_on_close(veth: tuple[str, str]) -> None:
    outer, inner = veth
    ns = Namespace.anonymous()
    assert ns.name is None and ns.path is None
    assert Namespace.list() == []  # leaves nothing in the run dir
    subprocess.run(
        ["ip", "link", "set", inner, "netns", f"/proc/self/fd/{ns.fd}"], check=True, pass_fds=[ns.fd]
    )
    assert ns.run(socket.if_nametoindex, inner) > 0
    assert outer in ip_link_names()
    ns.close()
    # the namespace is freed with its last reference, and its veth end with it: the pair is gone
    wait_for(lambda: outer not in ip_link_names(), "veth pair outlived its anonymous namespace")


# -- entering --------------------------------------------------------------------------------------------


def test_run_returns_and_reraises(ns: Namespace) -> None:
    home = ident()
    assert ns.run(lambda: ident()) == ns_ident(ns)
    assert ns.run(int, "ff", base=16) == 255
    with pytest.raises(ZeroDivisionError):
        ns.run(divmod, 1, 0)
    assert ident() == home


def test_entered_nests_and_switches_back(ns: Namespace, named: Namespace) -> None:
    home = ident()
    with ns.entered() as got:
        assert got is ns and ident() == ns_ident(ns)
        with named.entered():
            assert ident() == ns_ident(named)
            with ns.entered():
                assert ident() == ns_ident(ns)
            assert ident() == ns_ident(named)
        assert ident() == ns_ident(ns)
    assert ident() == home


def test_entered_affects_only_the_calling_thread(ns: Namespace) -> None:
    inside, go_on = threading.Event(), threading.Event()
    seen: list[tuple[int, int]] = []

    def worker() -> None:
        with ns.entered():
            inside.set()
            go_on.wait()

    t = threading.Thread(target=worker)
    t.start()
    inside.wait()
    seen.append(ident())
    seen.append(ident(f"/proc/self/task/{t.native_id}/ns/net"))
    go_on.set()
    t.join()
    assert seen == [ident(), ns_ident(ns)]


def test_16_threads_enter_and_exit_1000_times(ns: Namespace, named: Namespace) -> None:
    other = Namespace.anonymous()
    failures: list[str] = []
    start = threading.Barrier(16)

    class Boom(Exception):
        pass

    def worker(k: int) -> None:
        try:
            if k % 4 == 0:  # some threads start out somewhere else: that is their home then
                netns.setns(other.fd, netns.const("CLONE_NEWNET"))
            home = ident()
            start.wait()
            for i in range(1000):
                target = ns if (i + k) % 3 else named
                try:
                    with target.entered():
                        if ident() != ns_ident(target):
                            failures.append(f"thread {k} cycle {i}: not inside")
                        if i % 5 == 0:
                            with other.entered():
                                pass
                        if i % 2:
                            raise Boom
                except Boom:
                    pass
                if ident() != home:
                    failures.append(f"thread {k} cycle {i}: not back home")
                    return
            if ident() != home:
                failures.append(f"thread {k} ended away from home")
        except Exception as e:  # surfaced by the assert below
            failures.append(f"thread {k}: {e!r}")

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(16)]
    main_home = ident()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.close()
    assert failures == []
    assert ident() == main_home


def test_failed_restore_poisons_only_that_thread(ns: Namespace, monkeypatch: pytest.MonkeyPatch) -> None:
    real_setns = netns.setns
    calls: list[int] = []

    def flaky_setns(fd: int, nstype: int = 0) -> None:
        calls.append(fd)
        if len(calls) >= 2:  # every attempt to switch back
            raise OSError(errno.EPERM, "injected")
        real_setns(fd, nstype)

    outcome: dict[str, object] = {}

    def worker() -> None:
        try:
            with ns.entered():
                pass
        except NamespaceRestoreError as e:
            outcome["error"] = e
        outcome["where"] = ident()
        try:
            netns.check_thread()
        except NamespaceRestoreError:
            outcome["checked"] = True
        try:
            with ns.entered():
                outcome["entered again"] = True
        except NamespaceRestoreError:
            pass
        try:
            ns.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
            outcome["socket"] = True
        except NamespaceRestoreError:
            pass

    monkeypatch.setattr(netns, "setns", flaky_setns)
    t = threading.Thread(target=worker)
    t.start()
    t.join()
    monkeypatch.setattr(netns, "setns", real_setns)

    assert "could not switch back" in str(outcome["error"])
    assert outcome["where"] == ns_ident(ns)  # it really is stuck, and was told so
    assert outcome.get("checked") is True
    assert "entered again" not in outcome and "socket" not in outcome
    netns.check_thread()  # this thread is fine
    with ns.entered():
        assert ident() == ns_ident(ns)


class Interrupt(BaseException):
    """Stands for KeyboardInterrupt, which a signal can raise between any two bytecodes."""


@pytest.mark.parametrize("glitch", [OSError(errno.EINTR, "injected"), Interrupt()])
def test_one_failed_switch_back_is_retried(
    ns: Namespace, monkeypatch: pytest.MonkeyPatch, glitch: BaseException
) -> None:
    real_setns = netns.setns
    calls: list[int] = []

    def glitchy_setns(fd: int, nstype: int = 0) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the first attempt to switch back, before it happened
            raise glitch
        real_setns(fd, nstype)

    outcome: dict[str, object] = {}

    def worker() -> None:
        home = ident()
        try:
            with ns.entered():
                pass
            outcome["returned"] = True
        except BaseException as e:
            outcome["raised"] = e
        outcome["home"] = ident() == home
        netns.check_thread()
        outcome["usable"] = True

    monkeypatch.setattr(netns, "setns", glitchy_setns)
    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert len(calls) == 3 and outcome["home"] is True and outcome["usable"] is True
    if isinstance(glitch, Exception):
        assert outcome.get("returned") is True  # an errno glitch is absorbed by the retry
    else:
        assert outcome.get("raised") is glitch  # an interrupt still arrives, once the thread is home


def test_fd_count_unchanged_after_10000_cycles(ns: Namespace, named: Namespace) -> None:
    def count() -> int:
        return len(os.listdir("/proc/self/fd"))

    before = count()
    for i in range(10_000):
        kind = i % 8
        if kind == 0:
            Namespace.open(name_of(named)).close()
        elif kind == 1:
            with Namespace.open(path_of(named)):
                pass
        elif kind == 2:
            Namespace.current().close()
        elif kind == 3:
            with Namespace.from_pid(os.getpid()):
                pass
        elif kind == 4:
            with ns.entered():
                pass
        elif kind == 5:
            ns.socket(socket.AF_NETLINK, socket.SOCK_RAW).close()
        elif kind == 6:
            with pytest.raises(FileNotFoundError):
                Namespace.open("missing")
        else:
            with pytest.raises(RuntimeError), ns.entered():
                raise RuntimeError
    assert count() == before


# -- sockets ------------------------------------------------------------------------------------------


def test_socket_lives_in_the_namespace(named: Namespace, veth: tuple[str, str]) -> None:
    outer, inner = veth
    sh("ip", "link", "set", inner, "netns", name_of(named))
    home = ident()
    with named.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        assert ident() == home
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, inner.encode())  # exists only there
        with pytest.raises(OSError) as info:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, outer.encode())
        assert info.value.errno == errno.ENODEV
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, outer.encode())


def test_resolve(named: Namespace) -> None:
    assert resolve(named) == (named, False)
    for ref in (name_of(named), path_of(named), pathlib.Path(path_of(named))):
        got, owned = resolve(ref)
        assert owned and got == named and got is not named
        got.close()
    with pytest.raises(TypeError):
        resolve(3)  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        resolve("missing")


# -- moving links in, and programs inside -------------------------------------------------------------


def test_link_moved_by_fd_pid_and_name_is_seen_by_ip(named: Namespace) -> None:
    links = {how: unique("mv") for how in ("fd", "pid", "name")}
    for name in links.values():
        sh("ip", "link", "add", name, "type", "veth", "peer", "name", f"{name}p")
    sleeper = named.popen(["sleep", "60"])
    try:
        with Namespace.from_pid(sleeper.pid) as by_pid:
            assert by_pid == named
        # iproute2 opens a netns argument containing "/" as a path, and sends IFLA_NET_NS_FD
        sh("ip", "link", "set", links["fd"], "netns", f"/proc/self/fd/{named.fd}", pass_fds=[named.fd])
        sh("ip", "link", "set", links["pid"], "netns", str(sleeper.pid))  # IFLA_NET_NS_PID
        sh("ip", "link", "set", links["name"], "netns", name_of(named))
    finally:
        sleeper.kill()
        sleeper.wait()
    inside = ip_link_names("-n", name_of(named))
    assert set(links.values()) <= inside
    assert not set(links.values()) & ip_link_names()
    for name in links.values():
        sh("ip", "link", "del", f"{name}p")


def test_popen_sees_the_namespace_links_and_sysfs(named: Namespace, veth: tuple[str, str]) -> None:
    outer, inner = veth
    sh("ip", "link", "set", inner, "netns", name_of(named))
    p = named.popen(["ip", "-j", "link"], stdout=subprocess.PIPE, text=True)
    out, _ = p.communicate()
    assert p.returncode == 0 and p.args == ["ip", "-j", "link"]
    assert {x["ifname"] for x in json.loads(out)} == {"lo", inner}

    p = named.popen(["ls", "/sys/class/net"], stdout=subprocess.PIPE, text=True)
    assert set(p.communicate()[0].split()) == {"lo", inner}
    # the fresh /sys is the child's alone: ours still shows our links
    assert outer in os.listdir("/sys/class/net") and inner not in os.listdir("/sys/class/net")


def test_popen_works_for_anonymous_and_leaks_no_descriptor(ns: Namespace) -> None:
    p = ns.popen(
        ["sh", "-c", "ls /proc/$$/fd; stat -L -c %i /proc/$$/ns/net"], stdout=subprocess.PIPE, text=True
    )
    *fds, inode = p.communicate()[0].split()
    assert int(inode) == ns_ident(ns)[1]
    assert sorted(fds) == ["0", "1", "2"]


def test_popen_failure_raises_like_popen(ns: Namespace) -> None:
    with pytest.raises(FileNotFoundError) as info:
        ns.popen(["/no/such/program"])
    assert info.value.filename == "/no/such/program"
    with pytest.raises(ValueError):
        ns.popen([])
    with pytest.raises(TypeError):
        ns.popen(["true"], preexec_fn=lambda: None)
    assert ns.popen(["sh", "-c", "exit 3"]).wait() == 3


# -- namespace ids -------------------------------------------------------------------------------------


def test_nsid_assign_read_and_interop_with_ip(named: Namespace, ns: Namespace) -> None:
    with rtnl.connect() as net, Namespace.anonymous() as third:
        assert get_nsid(net, ns) is None  # fresh: nothing made the kernel number it yet
        auto = set_nsid(net, ns)
        assert auto >= 0 and get_nsid(net, ns) == auto
        assert set_nsid(net, ns) == auto == set_nsid(net, ns, auto)  # idempotent
        with pytest.raises(FileExistsError):
            set_nsid(net, ns, auto + 1)  # an id never changes while both live
        with pytest.raises(ValueError):
            set_nsid(net, third, -5)

        sh("ip", "netns", "set", name_of(named), "4242")  # ip assigns, rtnl reads
        assert get_nsid(net, named) == 4242
        with pytest.raises(FileExistsError):
            set_nsid(net, third, 4242)  # taken
        assert set_nsid(net, third, 77) == 77
        assert get_nsid(net, third) == 77

        name = unique("ip")
        sh("ip", "netns", "add", name)
        try:
            with Namespace.open(name) as theirs:
                nsid = set_nsid(net, theirs)  # rtnl assigns, ip reads
            assert f"{name} (id: {nsid})" in sh("ip", "netns", "list")
        finally:
            sh("ip", "netns", "delete", name)


def test_by_nsid_finds_named_and_given_namespaces(named: Namespace, ns: Namespace) -> None:
    with rtnl.connect() as net:
        nsid = set_nsid(net, named)
        found = by_nsid(net, nsid)
        assert found == named and found is not None
        found.close()
        other = set_nsid(net, ns)
        assert by_nsid(net, other) is None  # anonymous: not in the run dir
        assert by_nsid(net, other, [named, ns]) is ns
        assert by_nsid(net, 99999) is None


def test_parent_netnsid_of_a_moved_macvlan_resolves_to_its_parent_namespace(
    named: Namespace, veth: tuple[str, str]
) -> None:
    mv = unique("mv")
    sh("ip", "link", "add", mv, "link", veth[0], "type", "macvlan", "mode", "bridge")
    sh("ip", "link", "set", mv, "netns", name_of(named))
    with rtnl.connect(named) as inside, Namespace.current() as home:
        link = inside.link(mv)
        assert link.parent_netnsid is not None
        assert link.parent == socket.if_nametoindex(veth[0])
        assert by_nsid(inside, link.parent_netnsid, [named, home]) == home
        assert get_nsid(inside, home) == link.parent_netnsid


# -- the other syscalls the extension wraps (rtnl.lab isolates itself with them) ----------------------

_PDEATHSIG_SCRIPT = """
import os, signal, sys
from rtnl import netns
netns.unshare(netns.const("CLONE_NEWPID"))  # children of this process start a new PID namespace
armed_r, armed_w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(armed_r)
    netns.set_pdeathsig(signal.SIGKILL)
    print(os.getpid(), flush=True)   # 1: the first process of the new PID namespace
    os.close(armed_w)
    signal.pause()                   # holds stdout open until the kernel kills it
    os._exit(3)
os.close(armed_w)
os.read(armed_r, 1)                  # EOF: the child armed PR_SET_PDEATHSIG
os._exit(0)                          # the parent dies; the child must die with it
"""


def test_unshare_newpid_and_pdeathsig() -> None:
    """CLONE_NEWPID and prctl(PR_SET_PDEATHSIG) come from the cffi extension (no ctypes): the forked
    child is PID 1 of a new PID namespace and is killed when its parent exits, which closes the
    stdout it inherited (``communicate`` returns only once no process holds it any more)."""
    proc = subprocess.Popen([sys.executable, "-c", _PDEATHSIG_SCRIPT], stdout=subprocess.PIPE, text=True)
    out = proc.communicate(timeout=60)[0]
    assert proc.returncode == 0
    assert out.split() == ["1"]


# -- connections: where their sockets and namespace handles live ---------------------------------------


def test_connect_releases_what_it_opened_when_the_socket_setup_fails(
        named: Namespace, monkeypatch: pytest.MonkeyPatch) -> None:
    import rtnl.connection

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOBUFS, "injected")

    monkeypatch.setattr(rtnl.connection, "NetlinkSocket", broken)
    before = sorted(os.listdir("/proc/self/fd"))
    with warnings.catch_warnings(record=True) as caught:  # an fd left to the GC warns when collected
        warnings.simplefilter("always", ResourceWarning)
        for target in (name_of(named), path_of(named), None, named):
            with pytest.raises(OSError, match="injected"):
                rtnl.connect(target)
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert sorted(os.listdir("/proc/self/fd")) == before
    assert not named.closed  # a Namespace passed in belongs to the caller


def test_connect_refuses_a_thread_stuck_in_a_foreign_namespace() -> None:
    outcome: list[BaseException] = []

    def worker() -> None:
        netns._thread.broken = "injected: stuck"  # what a failed switch back leaves (thread-local)
        try:
            rtnl.connect().close()
        except NamespaceRestoreError as e:
            outcome.append(e)

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert len(outcome) == 1 and "unusable" in str(outcome[0])
    rtnl.connect().close()  # this thread is fine


def test_rtnl_moves_links_by_fd_pid_and_name(named: Namespace) -> None:
    """rtnl's own move: IFLA_NET_NS_FD for a Namespace or a name, IFLA_NET_NS_PID for a pid; each
    link is then seen by ``ip -n NAME -j link`` and gone here."""
    links = {how: unique("rv") for how in ("fd", "pid", "name", "path")}
    sleeper = named.popen(["sleep", "60"])
    try:
        with rtnl.connect() as net:
            for name in links.values():  # peers over there already: nothing is left here
                net.add(rtnl.Veth(name, f"{name}p", peer_namespace=named))
            net.move(links["fd"], named)
            net.move(links["pid"], sleeper.pid)
            net.move(links["name"], name_of(named))
            net.move(net.link(links["path"]), path_of(named), name="moved0")
            here = {x.name for x in net.links()}
    finally:
        sleeper.kill()
        sleeper.wait()
    inside = ip_link_names("-n", name_of(named))
    assert {links["fd"], links["pid"], links["name"], "moved0"} <= inside
    assert not set(links.values()) & here
