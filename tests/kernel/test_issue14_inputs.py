"""Issue 14, classes 3 and 6: bad arguments are refused before anything reaches the kernel.

Class 3: every parameter that takes an iterable of links, names, MACs or specs refuses a lone ``str``
or ``bytes`` with ``TypeError`` (``delete_many("ab")`` deleted the links ``a`` and ``b``); a bool
is not an int (``metric=True``, ``master=False``, an index ``True``) and neither a string nor an
int is a bool (``replace="no"``, ``up=1``).

Class 6: interface names are checked as the kernel's ``dev_valid_name`` does: 1..15 bytes of UTF-8
(bytes, not characters), not ``.`` or ``..``, no ``/``, ``:`` or NUL, and no byte the kernel's
``isspace`` calls space - C-locale space, ``\\t\\n\\v\\f\\r`` and 0xA0 (so ``"xà"``, whose UTF-8 is
``78 c3 a0``, is refused). A scoped IPv6 address (``fe80::1%sa0/64``) is added and read back, or
refused before anything is sent; never ``StopIteration``, never half-done.

"Before anything is sent" is checked on the kernel's side: the namespace's links, addresses and
routes are the same before and after the refused call.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Callable
from typing import Any

import pytest

import rtnl
from rtnl import Bridge, Macvlan, MacvlanMode, Macvtap, SourceMacs, Veth
from tests.support.issue14 import kernel_state as state

kernel = pytest.mark.kernel
MAC1, MAC2 = "02:00:5e:00:53:01", "02:00:5e:00:53:02"
Call = Callable[[rtnl.Connection, rtnl.Namespace], Any]


@pytest.fixture
def lab(net: rtnl.Connection) -> rtnl.Connection:
    """A veth pair v0/v1 (v1 a port of bridge br0, so hairpin applies), a SOURCE macvlan on v0, an
    address and a route: something for every bad argument to hit if it got through."""
    net.add(Veth("v0", "v1"))
    net.add(Bridge("br0"))
    net.set("v1", master="br0", up=True)
    net.set("v0", up=True)
    net.add(Macvlan("ms0", "v0", MacvlanMode.SOURCE, source_macs=(MAC1,)))
    net.add(Bridge("a"))
    net.add(Bridge("b"))
    net.add_address("v0", "198.51.100.1/24")
    net.add_route("203.0.113.0/24", link="v0")
    return net


def refused(net: rtnl.Connection, ns: rtnl.Namespace, call: Call, error: type[Exception]) -> None:
    """``call`` raises ``error`` and the kernel's state is untouched."""
    before = state(net)
    with pytest.raises(error):
        call(net, ns)
    assert state(net) == before, "the refused call changed the kernel's state"


# ------------------------------------------------------------------------------------------------
# Class 3: a lone str or bytes where an iterable is expected
# ------------------------------------------------------------------------------------------------

LONE_STRINGS: dict[str, Call] = {
    "delete_many(str)": lambda net, ns: net.delete_many("ab"),
    "delete_many(bytes)": lambda net, ns: net.delete_many(b"ab"),  # type: ignore[arg-type]
    "add_many(str)": lambda net, ns: net.add_many("ab"),  # type: ignore[arg-type]
    "add_many(bytes)": lambda net, ns: net.add_many(b"ab"),  # type: ignore[arg-type]
    "set(source_macs=str)": lambda net, ns: net.set("ms0", source_macs=MAC2),
    "set(source_macs=bytes)": lambda net, ns: net.set("ms0", source_macs=MAC2.encode()),  # type: ignore[arg-type]
    "Macvlan(source_macs=str)": lambda net, ns: net.add(
        Macvlan("ms1", "v0", MacvlanMode.SOURCE, source_macs=MAC2)),
    "Macvlan(source_macs=bytes)": lambda net, ns: net.add(
        Macvlan("ms1", "v0", MacvlanMode.SOURCE, source_macs=MAC2.encode())),  # type: ignore[arg-type]
    "Macvtap(source_macs=str)": lambda net, ns: net.add(
        Macvtap("ms1", "v0", MacvlanMode.SOURCE, source_macs=MAC2)),
    "Macvtap(source_macs=bytes)": lambda net, ns: net.add(
        Macvtap("ms1", "v0", MacvlanMode.SOURCE, source_macs=MAC2.encode())),  # type: ignore[arg-type]
    "SourceMacs(op, str)": lambda net, ns: net.set("ms0", source_macs=SourceMacs("add", MAC2)),
    "SourceMacs(op, bytes)": lambda net, ns: net.set(
        "ms0", source_macs=SourceMacs("add", MAC2.encode())),  # type: ignore[arg-type]
    "SourceMacs.set(bytes)": lambda net, ns: net.set(
        "ms0", source_macs=SourceMacs.set(MAC2.encode())),  # type: ignore[arg-type]
    "SourceMacs.add(bytes)": lambda net, ns: net.set(
        "ms0", source_macs=SourceMacs.add(MAC2.encode())),  # type: ignore[arg-type]
    "SourceMacs.delete(bytes)": lambda net, ns: net.set(
        "ms0", source_macs=SourceMacs.delete(MAC1.encode())),  # type: ignore[arg-type]
    "SourceMacs.add(list)": lambda net, ns: net.set(
        "ms0", source_macs=SourceMacs.add([MAC2]))  # type: ignore[arg-type]
}


@kernel
@pytest.mark.parametrize("case", sorted(LONE_STRINGS))
def test_lone_string_for_an_iterable(case: str, lab: rtnl.Connection, ns: rtnl.Namespace) -> None:
    refused(lab, ns, LONE_STRINGS[case], TypeError)


@kernel
def test_delete_many_ab_leaves_a_and_b(lab: rtnl.Connection) -> None:
    """The audit's exact case: links ``a`` and ``b`` exist; ``delete_many("ab")`` must not delete them."""
    with pytest.raises(TypeError):
        lab.delete_many("ab")
    assert {"a", "b"} <= {link.name for link in lab.links()}


@kernel
def test_iterables_still_work(lab: rtnl.Connection) -> None:
    """The refusals above are for lone strings only: real iterables, generators included, work."""
    lab.delete_many(name for name in ("a", "b"))
    assert not {"a", "b"} & {link.name for link in lab.links()}
    made = lab.add_many(iter([Bridge("c")]))
    assert [link.name for link in made] == ["c"]
    assert lab.set("ms0", source_macs=[MAC1, MAC2]).info.source_macs == (MAC1, MAC2)  # type: ignore[union-attr]
    assert lab.set("ms0", source_macs=SourceMacs.delete(MAC1)).info.source_macs == (MAC2,)  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------------
# Class 3: bools are not ints
# ------------------------------------------------------------------------------------------------

BOOLS_AS_INTS: dict[str, Call] = {
    "set(mtu=True)": lambda net, ns: net.set("v0", mtu=True),
    "set(txqlen=True)": lambda net, ns: net.set("v0", txqlen=True),
    "set(txqlen=False)": lambda net, ns: net.set("v0", txqlen=False),
    "set(group=True)": lambda net, ns: net.set("v0", group=True),
    "set(group=False)": lambda net, ns: net.set("v0", group=False),
    "set(master=False)": lambda net, ns: net.set("v1", master=False),
    "set(master=True)": lambda net, ns: net.set("v0", master=True),
    "set(True)": lambda net, ns: net.set(True, up=False),
    "link(True)": lambda net, ns: net.link(True),
    "index(True)": lambda net, ns: net.index(True),
    "addresses(True)": lambda net, ns: net.addresses(True),
    "delete(True)": lambda net, ns: net.delete(True),
    "delete_many([True])": lambda net, ns: net.delete_many([True]),
    "move(True, ns)": lambda net, ns: net.move(True, ns),
    "move(link, True)": lambda net, ns: net.move("v0", True),
    "set_bridge_port(True)": lambda net, ns: net.set_bridge_port(True, hairpin=True),
    "add_address(True, ...)": lambda net, ns: net.add_address(True, "192.0.2.1/24"),
    "delete_address(True, ...)": lambda net, ns: net.delete_address(True, "198.51.100.1/24"),
    "add_route(link=True)": lambda net, ns: net.add_route("192.0.2.0/24", link=True),
    "add_route(metric=True)": lambda net, ns: net.add_route("192.0.2.0/24", link="v0", metric=True),
    "add_route(metric=False)": lambda net, ns: net.add_route("192.0.2.0/24", link="v0", metric=False),
    "add_route(table=True)": lambda net, ns: net.add_route("192.0.2.0/24", link="v0", table=True),
    "add_route(scope=True)": lambda net, ns: net.add_route("192.0.2.0/24", link="v0", scope=True),
    "add_route(mtu=True)": lambda net, ns: net.add_route("192.0.2.0/24", link="v0", mtu=True),
    "add_route(advmss=True)": lambda net, ns: net.add_route("192.0.2.0/24", link="v0", advmss=True),
    "delete_route(metric=False)": lambda net, ns: net.delete_route("203.0.113.0/24", metric=False),
    "delete_route(link=True)": lambda net, ns: net.delete_route("203.0.113.0/24", link=True),
    "delete_route(table=True)": lambda net, ns: net.delete_route("203.0.113.0/24", table=True),
    "routes(table=True)": lambda net, ns: net.routes(table=True),
    "Macvlan(parent=True)": lambda net, ns: net.add(Macvlan("mv1", True)),
    "Macvlan(mtu=True)": lambda net, ns: net.add(Macvlan("mv1", "v0", mtu=True)),
    "Macvlan(bc_queue_len=True)": lambda net, ns: net.add(Macvlan("mv1", "v0", bc_queue_len=True)),
    "Macvlan(bc_cutoff=True)": lambda net, ns: net.add(Macvlan("mv1", "v0", bc_cutoff=True)),
    "Macvtap(parent=True)": lambda net, ns: net.add(Macvtap("mvt1", True)),
    "Veth(mtu=True)": lambda net, ns: net.add(Veth("v2", "v3", mtu=True)),
    "monitor(True)": lambda net, ns: net.monitor(True).close(),
    "monitor(rcvbuf=True)": lambda net, ns: net.monitor(rcvbuf=True).close(),
    "Namespace.from_pid(True)": lambda net, ns: rtnl.Namespace.from_pid(True).close(),
}


@kernel
@pytest.mark.parametrize("case", sorted(BOOLS_AS_INTS))
def test_bool_is_not_an_int(case: str, lab: rtnl.Connection, ns: rtnl.Namespace) -> None:
    refused(lab, ns, BOOLS_AS_INTS[case], TypeError)


@kernel
def test_master_zero_still_releases(lab: rtnl.Connection) -> None:
    """``master=0`` is the documented "nomaster"; only the bool ``False`` is refused."""
    assert lab.set("v1", master=0).master is None


# ------------------------------------------------------------------------------------------------
# Class 3: strings (and ints) are not bools
# ------------------------------------------------------------------------------------------------

NOT_BOOLS = ["no", "yes", "", 0, 1]
BOOL_PARAMS: dict[str, Callable[[rtnl.Connection, Any], Any]] = {
    "set(up=)": lambda net, v: net.set("v0", up=v),
    "set(promisc=)": lambda net, v: net.set("v0", promisc=v),
    "set_bridge_port(hairpin=)": lambda net, v: net.set_bridge_port("v1", hairpin=v),
    "add_address(replace=)": lambda net, v: net.add_address("v0", "192.0.2.1/24", replace=v),
    "add_address(nodad=)": lambda net, v: net.add_address("v0", "2001:db8::1/64", nodad=v),
    "add_route(replace=)": lambda net, v: net.add_route("192.0.2.0/24", link="v0", replace=v),
}


@kernel
@pytest.mark.parametrize(("param", "value"), list(itertools.product(sorted(BOOL_PARAMS), NOT_BOOLS)))
def test_not_a_bool(param: str, value: object, lab: rtnl.Connection, ns: rtnl.Namespace) -> None:
    refused(lab, ns, lambda net, _: BOOL_PARAMS[param](net, value), TypeError)


# ------------------------------------------------------------------------------------------------
# Class 6: names as the kernel's dev_valid_name checks them
# ------------------------------------------------------------------------------------------------

BAD_NAMES = {
    "empty": "",
    "dot": ".",
    "dotdot": "..",
    "16 ASCII bytes": "abcdefghijklmnop",
    "16 UTF-8 bytes in 8 chars": "é" * 8,
    "16 UTF-8 bytes in 6 chars": "€" * 5 + "a",
    "slash": "a/b",
    "colon": "a:b",
    "space": "a b",
    "tab": "a\tb",
    "newline": "a\nb",
    "vertical tab": "a\vb",
    "form feed": "a\fb",
    "carriage return": "a\rb",
    "xà (byte 0xA0)": "xà",
    "no-break space (c2 a0)": "a\u00a0b",
    "Ġ (c4 a0)": "\u0120",
    "NUL": "a\0b",
    "pattern %d": "eth%d",
}


def name_users(name: str) -> dict[str, Call]:
    """Every public way to give a link a name."""
    return {
        "Bridge": lambda net, ns: net.add(Bridge(name)),
        "Veth name": lambda net, ns: net.add(Veth(name, "p14")),
        "Veth peer": lambda net, ns: net.add(Veth("p14", name)),
        "Macvlan": lambda net, ns: net.add(Macvlan(name, "v0")),
        "Macvtap": lambda net, ns: net.add(Macvtap(name, "v0")),
        "add_many": lambda net, ns: net.add_many([Bridge("ok14"), Bridge(name)]),
        "set(name=)": lambda net, ns: net.set("v0", name=name),
        "move(name=)": lambda net, ns: net.move("v0", ns, name=name),
    }


USERS = sorted(name_users("x"))


@kernel
@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("case", sorted(BAD_NAMES))
def test_invalid_name_refused(case: str, user: str, lab: rtnl.Connection) -> None:
    """Refused with ValueError before anything is sent (the kernel would answer a bare EINVAL,
    or, for a pattern, pick a name of its own)."""
    with rtnl.Namespace.anonymous() as other, rtnl.connect(other) as there:
        before_there = state(there)
        refused(lab, other, name_users(BAD_NAMES[case])[user], ValueError)
        assert state(there) == before_there


GOOD_NAMES = {
    "15 ASCII bytes": "abcdefghijklmno",
    "15 UTF-8 bytes in 8 chars": "é" * 7 + "a",
    "one char": "a",
    "dots and dashes": "a.b-c_d",
    "Latin-1 letter not ending in a0": "ü",
}


@kernel
@pytest.mark.parametrize("case", sorted(GOOD_NAMES))
def test_valid_name_accepted(case: str, net: rtnl.Connection) -> None:
    """Names the kernel takes are taken: the limit is 15 bytes, not 15 characters."""
    name = GOOD_NAMES[case]
    link = net.add(Bridge(name))
    assert link.name == name == net.link(name).name
    renamed = net.set(name, name=name[::-1] if len(name) > 1 else "b")
    assert net.link(renamed.index).name == renamed.name


# Unicode spaces whose UTF-8 holds no byte the kernel's isspace() knows: the kernel takes them,
# so rtnl must too (or a link so named by another tool could not even be looked up or deleted)
KERNEL_TAKES = {"U+3000 (e3 80 80)": "a\u3000b", "U+2028 (e2 80 a8)": "a\u2028b", "U+0085 (c2 85)": "a\x85b",
                "U+001C (1c)": "a\x1cb"}


@kernel
@pytest.mark.parametrize("case", sorted(KERNEL_TAKES))
def test_name_the_kernel_takes(case: str, net: rtnl.Connection) -> None:
    name = KERNEL_TAKES[case]
    link = net.add(Bridge(name))
    assert net.link(name).index == link.index
    net.delete(name)


# ------------------------------------------------------------------------------------------------
# Class 6: scoped IPv6 addresses
# ------------------------------------------------------------------------------------------------

SCOPED = ["fe80::1%sa0/64", ipaddress.IPv6Interface("fe80::1%sa0/64")]
LL1 = ipaddress.IPv6Address("fe80::1")


def bare(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """``ip`` without its scope (``fe80::1%sa0`` -> ``fe80::1``)."""
    return ipaddress.ip_address(str(ip).split("%")[0])


@kernel
@pytest.mark.parametrize("iface", SCOPED, ids=["str", "IPv6Interface"])
def test_scoped_ipv6_address(iface: Any, net: rtnl.Connection) -> None:
    """Added and read back, or refused before anything is sent - consistent either way.

    The audit saw the address added, then ``StopIteration`` escape the call (the read-back looked
    for an address equal to the scoped one, which the kernel never lists)."""
    net.add(Veth("sa0", "sa1"))
    net.set("sa0", up=True)
    before = state(net)
    try:
        added = net.add_address("sa0", iface, nodad=True)
    except (ValueError, TypeError):  # refused: nothing may have been sent
        assert state(net) == before
        return
    except BaseException as e:
        listed = [str(a.address) for a in net.addresses("sa0")]
        pytest.fail(f"{type(e).__name__} {e!r} escaped add_address; the link now has {listed}")
    # it worked: the address is on sa0, as returned, and can be deleted the same way
    assert isinstance(added, rtnl.Address)
    assert added.link == net.link("sa0").index
    assert bare(added.address.ip) == LL1 and added.address.network.prefixlen == 64
    assert [a for a in net.addresses("sa0") if bare(a.address.ip) == LL1] == [added]
    net.delete_address("sa0", iface)
    assert not [a for a in net.addresses("sa0") if bare(a.address.ip) == LL1]


@kernel
def test_scope_naming_another_link(net: rtnl.Connection) -> None:
    """A scope that names another link than the one given: refused before sending, or (if scoped
    addresses are supported) never added to a link the caller did not name."""
    net.add(Veth("sa0", "sa1"))
    before = state(net)
    try:
        net.add_address("sa0", "fe80::2%sa1/64", nodad=True)
    except (ValueError, TypeError):
        assert state(net) == before
        return
    except BaseException as e:
        pytest.fail(f"{type(e).__name__} {e!r} escaped add_address")
    assert not [a for a in net.addresses("sa1") if bare(a.address.ip) == ipaddress.IPv6Address("fe80::2")]


@kernel
def test_scoped_ipv6_addresses_in_a_batch(net: rtnl.Connection) -> None:
    """add_addresses takes a scoped address as add_address does (it was refused by the kernel's
    read-back, EADDRNOTAVAIL), and refuses a scope naming another link before sending anything."""
    net.add(Veth("sa0", "sa1"))
    net.set("sa0", up=True)
    [added] = net.add_addresses([("sa0", "fe80::1%sa0/64")])
    assert bare(added.address.ip) == LL1 and added.link == net.index("sa0")
    before = state(net)
    with pytest.raises(ValueError, match="another link"):
        net.add_addresses([("sa0", "fe80::3/64"), ("sa0", "fe80::2%sa1/64")])
    assert state(net) == before
