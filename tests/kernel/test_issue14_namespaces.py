"""Issue 14, class 4: opening something that is not a network namespace fails at once, naming it.

A FIFO made ``Namespace.open`` block forever in ``open(2)`` (and with it ``rtnl.connect(path)``,
``move(link, path)`` and the nsid lookups that scan the run dir). Every kind of file that is not a
network namespace - FIFO, character device, directory, regular file, dangling symlink, socket, a
namespace of another type - must give an immediate ``OSError`` whose text or ``filename`` names the
path. Each call runs in a thread with a timeout, so a hang fails the test instead of the suite (the
blocked ``open`` of a FIFO is then released by opening its write end).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import rtnl
from rtnl import Veth

kernel = pytest.mark.kernel
TIMEOUT = 10.0  # seconds: far beyond an open + ioctl, short enough for the suite


def within(fn: Callable[[], Any], fifos: tuple[str, ...] = ()) -> BaseException | Any:
    """Run ``fn`` in a thread; its exception (or result). A call still running after TIMEOUT fails
    the test, after the FIFOs it may be stuck on are opened for writing to set it free."""
    box: list[Any] = []

    def target() -> None:
        try:
            box.append(fn())
        except BaseException as e:  # handed to the test
            box.append(e)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(TIMEOUT)
    if thread.is_alive():
        for fifo in fifos:  # a reader blocked in open() returns once a writer appears
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(TIMEOUT)
        pytest.fail(f"still blocked after {TIMEOUT:g} s (a FIFO open hangs)")
    [result] = box
    if isinstance(result, (rtnl.Namespace, rtnl.Connection)):
        result.close()
    return result


def assert_refused(result: object, path: str) -> None:
    """An OSError (not a hang, not a namespace) that names ``path``."""
    assert isinstance(result, OSError), f"{path}: expected OSError, got {result!r}"
    assert not isinstance(result, rtnl.NetlinkError) or path in str(result), result
    named = result.filename == path or path in str(result)
    assert named, f"the error does not name {path!r}: {result!r}"


@pytest.fixture
def not_namespaces(tmp_path: Path) -> Iterator[dict[str, str]]:
    """One path of each kind of file that is not a network namespace."""
    paths = {
        "fifo": tmp_path / "fifo",
        "directory": tmp_path / "dir",
        "regular file": tmp_path / "file",
        "dangling symlink": tmp_path / "dangling",
        "socket": tmp_path / "sock",
    }
    os.mkfifo(paths["fifo"])
    paths["directory"].mkdir()
    paths["regular file"].write_bytes(b"not a namespace\n")
    paths["dangling symlink"].symlink_to(tmp_path / "nowhere")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(paths["socket"]))
    try:
        yield {
            **{kind: str(p) for kind, p in paths.items()},
            "char device": "/dev/null",
            "uts namespace": f"/proc/{os.getpid()}/ns/uts",
            "mnt namespace": f"/proc/{os.getpid()}/ns/mnt",
        }
    finally:
        listener.close()


KINDS = ["fifo", "char device", "directory", "regular file", "dangling symlink", "socket", "uts namespace",
         "mnt namespace"]


def fifo_of(paths: dict[str, str]) -> tuple[str, ...]:
    return (paths["fifo"],)


@kernel
@pytest.mark.parametrize("kind", KINDS)
def test_namespace_open_refuses(kind: str, not_namespaces: dict[str, str]) -> None:
    path = not_namespaces[kind]
    assert_refused(within(lambda: rtnl.Namespace.open(path), fifo_of(not_namespaces)), path)


@kernel
@pytest.mark.parametrize("kind", KINDS)
def test_namespace_open_pathlike_refuses(kind: str, not_namespaces: dict[str, str]) -> None:
    path = not_namespaces[kind]
    assert_refused(within(lambda: rtnl.Namespace.open(Path(path)), fifo_of(not_namespaces)), path)


@kernel
@pytest.mark.parametrize("kind", KINDS)
def test_connect_refuses(kind: str, not_namespaces: dict[str, str]) -> None:
    path = not_namespaces[kind]
    assert_refused(within(lambda: rtnl.connect(path), fifo_of(not_namespaces)), path)


@kernel
@pytest.mark.parametrize("kind", KINDS)
def test_move_refuses_and_keeps_the_link(kind: str, not_namespaces: dict[str, str],
                                         net: rtnl.Connection) -> None:
    path = not_namespaces[kind]
    veth = net.add(Veth("v14", "v14p"))
    assert_refused(within(lambda: net.move("v14", path), fifo_of(not_namespaces)), path)
    assert net.link("v14").index == veth.index  # still here, unchanged


@pytest.fixture
def planted() -> Iterator[dict[str, str]]:
    """Non-namespace files planted in the run dir (the test session's private tmpfs), by name."""
    rdir = os.environ.get("RTNL_NETNS_DIR") or "/run/netns"
    assert os.environ.get("RTNL_TEST_ISOLATED") == "1", "the run dir must be the test session's own"
    names = {"fifo14": "fifo", "file14": "file", "dir14": "dir"}
    paths = {name: os.path.join(rdir, name) for name in names}
    os.mkfifo(paths["fifo14"])
    Path(paths["file14"]).write_bytes(b"")
    os.mkdir(paths["dir14"])
    try:
        yield paths
    finally:
        os.unlink(paths["fifo14"])
        os.unlink(paths["file14"])
        os.rmdir(paths["dir14"])


@kernel
@pytest.mark.parametrize("name", ["fifo14", "file14", "dir14"])
def test_open_by_name_refuses(name: str, planted: dict[str, str]) -> None:
    """A name in the run dir that is not a namespace: refused at once, naming the name or path."""
    result = within(lambda: rtnl.Namespace.open(name), (planted["fifo14"],))
    assert isinstance(result, OSError), result
    assert name in str(result) or name in str(result.filename or ""), result


@kernel
@pytest.mark.parametrize("name", ["fifo14", "file14", "dir14"])
def test_connect_by_name_refuses(name: str, planted: dict[str, str]) -> None:
    result = within(lambda: rtnl.connect(name), (planted["fifo14"],))
    assert isinstance(result, OSError), result
    assert name in str(result) or name in str(result.filename or ""), result


def by_nsid() -> Callable[..., Any]:
    """The nsid -> namespace lookup that scans the run dir (``rtnl.netns.by_nsid`` today; found
    wherever the restructure puts it among rtnl's public modules)."""
    for where in ("rtnl", "rtnl.netns", "rtnl.namespaces", "rtnl.namespace", "rtnl.nsid"):
        with contextlib.suppress(ImportError):
            fn = getattr(importlib.import_module(where), "by_nsid", None)
            if fn is not None:
                return fn  # type: ignore[no-any-return]
    pytest.fail("rtnl offers no by_nsid() any more: update this test to its new name")


@kernel
def test_nsid_lookup_skips_a_planted_fifo(planted: dict[str, str], net: rtnl.Connection) -> None:
    """Scanning the run dir for an nsid must not block on a FIFO planted there; it finds the named
    namespace that has the id (and nothing for an id nobody has)."""
    find = by_nsid()
    with rtnl.Namespace.create("named14") as target, rtnl.connect() as here:
        net.add(Veth("a0", "a0p"))
        net.move("a0p", target)  # the peer's namespace gets an nsid in net's namespace
        nsid = net.link("a0").parent_netnsid
        assert nsid is not None
        found = within(lambda: find(net, nsid), (planted["fifo14"],))
        assert isinstance(found, rtnl.Namespace) or found is None, found
        assert found == target
        assert within(lambda: find(here, 4242), (planted["fifo14"],)) is None


@kernel
def test_list_with_planted_files(planted: dict[str, str]) -> None:
    """``Namespace.list()`` reads names only: it returns at once, whatever the files are."""
    names = within(rtnl.Namespace.list, (planted["fifo14"],))
    assert isinstance(names, list) and all(isinstance(name, str) for name in names), names


@kernel
def test_a_real_namespace_still_opens() -> None:
    """The checks refuse non-namespaces only: a namespace by path (a bind mount, /proc) opens."""
    path = f"/proc/{os.getpid()}/task/{threading.get_native_id()}/ns/net"
    result = within(lambda: rtnl.Namespace.open(path))
    assert not isinstance(result, BaseException), result
    with rtnl.Namespace.create("real14") as named:
        opened = within(lambda: rtnl.Namespace.open("real14"))
        assert not isinstance(opened, BaseException), opened
        with rtnl.Namespace.open(named.path or "") as again:
            assert again == named
