"""Events from a real kernel: link, address and route notifications as typed values, in order, and an
overrun reported instead of lost."""

from __future__ import annotations

import ipaddress
import socket
import threading

import rtnl
from rtnl import codec
from rtnl.links import Bridge, Macvlan, Veth
from rtnl.monitor import MONITOR_RCVBUF, AddressEvent, Group, LinkEvent, Monitor, Overrun, RouteEvent


def test_link_lifecycle_in_order(net: rtnl.Connection) -> None:
    net.add(Veth("eth0", "wire0"))
    with net.monitor(Group.LINK) as events:
        mv = net.add(Macvlan("mv0", "eth0"))
        net.set(mv, mtu=1400)
        net.set(mv, name="mv1")
        net.delete(mv)
        seen = [e for e in events.iter(timeout=0.5) if isinstance(e, LinkEvent) and e.link.index == mv.index]
    assert seen[0].action == "new" and seen[-1].action == "del"
    assert seen[0].link.name == "mv0" and seen[0].link.kind == "macvlan"
    changes = [e.link for e in seen[1:-1]]
    assert all(e.action == "change" for e in seen[1:-1])
    assert any(x.mtu == 1400 and x.name == "mv0" for x in changes)
    assert changes[-1].name == "mv1" and seen[-1].link.name == "mv1"
    first_1400 = next(i for i, x in enumerate(changes) if x.mtu == 1400)
    first_mv1 = next(i for i, x in enumerate(changes) if x.name == "mv1")
    assert first_1400 < first_mv1


def test_addresses_and_routes(net: rtnl.Connection) -> None:
    net.add(Veth("eth0", "wire0"))
    net.set("wire0", up=True)
    net.set("eth0", up=True)
    with net.monitor() as events:  # link, IPv4/IPv6 address and route groups
        net.add_address("eth0", "198.51.100.10/24")
        net.add_route("default", gateway="198.51.100.1")
        net.add_address("eth0", "2001:db8::10/64", nodad=True)
        net.delete_route("default", gateway="198.51.100.1")
        net.delete_address("eth0", "198.51.100.10/24")
        seen = list(events.iter(timeout=0.5))
    addr = [(e.action, e.address.address) for e in seen if isinstance(e, AddressEvent)]
    v4, v6 = ipaddress.ip_interface("198.51.100.10/24"), ipaddress.ip_interface("2001:db8::10/64")
    # IPv6 announces an address from its DAD worker, so only the order within a family is fixed
    assert [x for x in addr if x[1].version == 4] == [("new", v4), ("del", v4)]
    assert ("new", v6) in addr
    default = [(e.action, e.route.gateway) for e in seen
               if isinstance(e, RouteEvent) and e.route.is_default and e.route.dst.version == 4]
    gw = ipaddress.ip_address("198.51.100.1")
    assert default == [("new", gw), ("del", gw)]
    assert all(isinstance(e, (LinkEvent, AddressEvent, RouteEvent)) for e in seen)


def test_timeout_and_nothing_seen_elsewhere(net: rtnl.Connection) -> None:
    with net.monitor() as events:
        assert events.get(timeout=0.05) is None
        with rtnl.Namespace.anonymous() as other, rtnl.connect(other) as there:
            there.add(Bridge("br0"))  # another namespace: not ours to see
        assert events.get(timeout=0.1) is None
        net.add(Bridge("br0"))
        event = next(events)
        assert isinstance(event, LinkEvent) and (event.action, event.link.name) == ("new", "br0")


def test_overrun_is_reported(net: rtnl.Connection) -> None:
    with net.monitor(Group.LINK, rcvbuf=1) as events:  # the kernel rounds up to its minimum buffer
        net.add(Bridge("br0"))
        for mtu in range(1000, 1100):
            net.set("br0", mtu=mtu)
        seen = list(events.iter(timeout=0.2))
    assert any(isinstance(e, Overrun) for e in seen)
    assert len(seen) < 101  # events were lost, and the monitor said so


def test_default_receive_buffer_holds_a_burst(net: rtnl.Connection) -> None:
    with net.monitor() as events:  # root: SO_RCVBUFFORCE past net.core.rmem_max; the kernel doubles it
        assert events.sock.sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) == 2 * MONITOR_RCVBUF
        net.add(Bridge("br0"))
        for mtu in range(1000, 3000):  # some 2,000 events queued before the first read
            net.set("br0", mtu=mtu)
        seen = list(events.iter(timeout=0.2))
    assert not any(isinstance(e, Overrun) for e in seen)
    assert [e.link.mtu for e in seen if isinstance(e, LinkEvent)][-2000:] == list(range(1000, 3000))


def test_monitor_in_a_named_namespace() -> None:
    with rtnl.Namespace.create("mon-test") as ns, rtnl.connect("mon-test") as conn, conn.monitor() as events:
        conn.add(Bridge("br0"))
        event = events.get(timeout=1)
        assert isinstance(event, LinkEvent) and event.link.name == "br0"
        assert ns.name == "mon-test"


def test_a_datagram_from_a_local_process_does_not_stretch_the_timeout(ns: rtnl.Namespace,
                                                                       net: rtnl.Connection) -> None:
    """poll() wakes for any datagram; one not from the kernel is dropped and the wait goes on against
    the deadline instead of blocking in recv() until a real event comes."""
    with net.monitor(Group.LINK) as events, \
            ns.socket(socket.AF_NETLINK, socket.SOCK_RAW, codec.NETLINK_ROUTE) as local:
        local.bind((0, 0))
        local.sendto(b"\0" * 20, (events.sock.portid, 0))
        box: list[object] = []
        waiter = threading.Thread(target=lambda: box.append(events.get(timeout=0.2)), daemon=True)
        waiter.start()
        waiter.join(60)  # only a guard against hanging: the answer is due after 0.2 s
        alive = waiter.is_alive()
        if alive:
            net.add(Bridge("unblock0"))  # let the blocked recv() return, then fail
            waiter.join()
        assert not alive and box == [None]
        assert events.get(timeout=0) is None  # and with no wait at all
        net.add(Bridge("br0"))
        event = events.get(timeout=0)  # the kernel queues the event before it acks the request
        assert isinstance(event, LinkEvent) and event.link.name == "br0"
        assert event.link.namespace_id == net.namespace_id


def test_monitor_opens_in_the_connections_namespace_whatever_the_thread(ns: rtnl.Namespace,
                                                                         net: rtnl.Connection) -> None:
    """connect(None) records the namespace it was made in; monitor() opens its socket there even when
    called from a thread that is inside another namespace."""
    with ns.entered():
        conn = rtnl.connect()  # ns, the thread's namespace right now
    with conn, rtnl.Namespace.anonymous() as other:
        assert conn.namespace_id == ns.ident

        def open_there() -> Monitor:
            with other.entered():
                return conn.monitor(Group.LINK)

        with ns.run(open_there) as events:  # ns.run: a thread that starts in ns, then enters other
            with rtnl.connect(other) as there:
                there.add(Bridge("elsewhere0"))
            net.add(Bridge("here0"))
            event = events.get(timeout=0)
            assert isinstance(event, LinkEvent) and event.link.name == "here0"
            assert event.link.namespace_id == ns.ident
