"""Issue 14, class 7: every NetlinkError a high-level call raises says what it was about.

``set("ghost", up=True)`` said ``[Errno 19] No such device`` without the name; a duplicate ``add``
said ``[Errno 17] File exists`` without the link; ``delete_route`` of a missing route said ``No such
process``. Each error here must name the link, address or route of the call, and still be what it
was: the same errno and strerror, an instance of the builtin ``OSError`` subclass for that errno
(``FileExistsError`` for EEXIST, ``ProcessLookupError`` for ESRCH...), the kernel's extack kept, and
a pickle round trip that gives the same error back.
"""

from __future__ import annotations

import errno
import os
import pickle
from collections.abc import Callable
from typing import Any

import pytest

import rtnl
from rtnl import Bridge, Macvlan, MacvlanMode, Veth

kernel = pytest.mark.kernel


@pytest.fixture
def lab(net: rtnl.Connection) -> rtnl.Connection:
    """v0/v1 up (v1 a port of br0), macvlan mv0 on v0, an address and a route on v0."""
    net.add(Veth("v0", "v1"))
    net.add(Bridge("br0"))
    net.set("v1", master="br0", up=True)
    net.set("v0", up=True)
    net.add(Macvlan("mv0", "v0", MacvlanMode.BRIDGE))
    net.add_address("v0", "198.51.100.1/24")
    net.add_route("203.0.113.0/24", link="v0")
    return net


def assert_about(error: BaseException, err: int, *words: str) -> None:
    """``error`` is a NetlinkError for ``err`` that names each of ``words`` and keeps the rest."""
    assert isinstance(error, rtnl.NetlinkError), repr(error)
    assert error.errno == err, f"errno {error.errno}, expected {err} ({errno.errorcode[err]}): {error}"
    builtin = type(OSError(err, ""))
    assert isinstance(error, builtin), f"{error!r} is not a {builtin.__name__}"
    text = str(error)
    assert os.strerror(err) in text, f"{text!r} lost the strerror"
    missing = [w for w in words if w not in text]
    assert not missing, f"{text!r} does not name {missing}"
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is type(error) and str(clone) == text and clone.errno == err
    assert clone.extack == error.extack and clone.attribute == error.attribute


Case = tuple[Callable[[rtnl.Connection, rtnl.Namespace], Any], int, tuple[str, ...]]
CASES: dict[str, Case] = {
    # links
    "set(ghost, up=True)": (lambda net, ns: net.set("ghost", up=True), errno.ENODEV, ("ghost",)),
    "set(ghost, mtu=1400)": (lambda net, ns: net.set("ghost", mtu=1400), errno.ENODEV, ("ghost",)),
    "set(v0, master=ghost)": (lambda net, ns: net.set("v0", master="ghost"), errno.ENODEV, ("ghost",)),
    "set(v0, name=v1) taken": (lambda net, ns: net.set("v0", name="v1"), errno.EEXIST, ("v0", "v1")),
    "set(v0, master=mv0) not a master": (lambda net, ns: net.set("v0", master="mv0"), errno.EOPNOTSUPP,
                                         ("v0", "mv0")),
    "set(index 4242, up=True)": (lambda net, ns: net.set(4242, up=True), errno.ENODEV, ("4242",)),
    "link(ghost)": (lambda net, ns: net.link("ghost"), errno.ENODEV, ("ghost",)),
    "delete(ghost)": (lambda net, ns: net.delete("ghost"), errno.ENODEV, ("ghost",)),
    "delete(index 4242)": (lambda net, ns: net.delete(4242), errno.ENODEV, ("4242",)),
    "delete_many([v0, ghost])": (lambda net, ns: net.delete_many(["v0", "ghost"]), errno.ENODEV, ("ghost",)),
    "move(ghost, ns)": (lambda net, ns: net.move("ghost", ns), errno.ENODEV, ("ghost",)),
    "set_bridge_port(ghost)": (lambda net, ns: net.set_bridge_port("ghost", hairpin=True), errno.ENODEV,
                               ("ghost",)),
    "add(Bridge(v0)) duplicate": (lambda net, ns: net.add(Bridge("v0")), errno.EEXIST, ("v0",)),
    "add(Veth(n0, v1)) peer taken": (lambda net, ns: net.add(Veth("n0", "v1")), errno.EEXIST, ("n0",)),
    "add(Macvlan(mv0)) duplicate": (lambda net, ns: net.add(Macvlan("mv0", "v0")), errno.EEXIST, ("mv0",)),
    "add(Macvlan passthru) beside a child": (
        lambda net, ns: net.add(Macvlan("pt0", "v0", MacvlanMode.PASSTHRU)), errno.EINVAL, ("pt0",)),
    "add(Macvlan(parent=ghost))": (lambda net, ns: net.add(Macvlan("mv9", "ghost")), errno.ENODEV,
                                   ("ghost", "mv9")),
    "add_many duplicate": (lambda net, ns: net.add_many([Bridge("n1"), Bridge("v0")]), errno.EEXIST, ("v0",)),
    # addresses
    "add_address duplicate": (lambda net, ns: net.add_address("v0", "198.51.100.1/24"), errno.EEXIST,
                              ("198.51.100.1/24", "v0")),
    "add_address(ghost)": (lambda net, ns: net.add_address("ghost", "192.0.2.1/24"), errno.ENODEV,
                           ("ghost",)),
    "delete_address missing": (lambda net, ns: net.delete_address("v0", "192.0.2.9/24"), errno.EADDRNOTAVAIL,
                               ("192.0.2.9/24", "v0")),
    "addresses(ghost)": (lambda net, ns: net.addresses("ghost"), errno.ENODEV, ("ghost",)),
    # routes
    "delete_route missing": (lambda net, ns: net.delete_route("192.0.2.0/24"), errno.ESRCH,
                             ("192.0.2.0/24",)),
    "delete_route missing IPv6": (lambda net, ns: net.delete_route("2001:db8:9::/64"), errno.ESRCH,
                                  ("2001:db8:9::/64",)),
    "add_route duplicate": (lambda net, ns: net.add_route("203.0.113.0/24", link="v0"), errno.EEXIST,
                            ("203.0.113.0/24",)),
    "add_route duplicate, link by index": (
        lambda net, ns: net.add_route("203.0.113.0/24", link=net.link("v0").index), errno.EEXIST,
        ("203.0.113.0/24", "dev index")),
    "add_route(link=ghost)": (lambda net, ns: net.add_route("192.0.2.0/24", link="ghost"), errno.ENODEV,
                              ("ghost",)),
    "add_route unreachable gateway": (lambda net, ns: net.add_route("192.0.2.0/24", gateway="203.0.114.1"),
                                      errno.ENETUNREACH, ("192.0.2.0/24", "203.0.114.1")),
}


@kernel
@pytest.mark.parametrize("case", sorted(CASES))
def test_error_names_its_object(case: str, lab: rtnl.Connection, ns: rtnl.Namespace) -> None:
    call, err, words = CASES[case]
    with pytest.raises(OSError) as info:
        call(lab, ns)
    assert_about(info.value, err, *words)


@kernel
def test_extack_kept_with_the_name(lab: rtnl.Connection) -> None:
    """A kernel refusal with an extended ack keeps the kernel's text next to the route's name."""
    with pytest.raises(OSError) as info:
        lab.add_route("192.0.2.0/24", gateway="203.0.114.1")
    error = info.value
    assert isinstance(error, rtnl.NetlinkError)
    assert error.extack, "the kernel's extack (\"Nexthop has invalid gateway\") was lost"
    assert error.extack in str(error) and "192.0.2.0/24" in str(error)


@kernel
def test_errors_of_failed_batches_name_their_link(lab: rtnl.Connection) -> None:
    """A batch names the spec that failed, not only the first one."""
    with pytest.raises(FileExistsError) as info:
        lab.add_many([Bridge("n1"), Bridge("n2"), Veth("n3", "mv0")])
    assert_about(info.value, errno.EEXIST, "n3")
    assert "n1" not in {link.name for link in lab.links()}
