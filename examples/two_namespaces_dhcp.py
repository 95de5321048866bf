"""Seed experiment 2: two bridge-mode children in two namespaces, addresses by DHCP, then pings.

As in the note: ``ip link add link ens33 name ens33.01 type macvlan mode bridge`` (and .02), ``ip
netns add ns1/ns2``, ``ip link set ens33.01 netns ns1``, ``ip netns exec ns1 dhclient ens33.01``,
then ping the host and each other. Here ens33 is a veth end whose other end sits on a bridge (the
"switch") in its own namespace, where dnsmasq hands out addresses; all namespaces are anonymous and
vanish with the script. Without dnsmasq/dhclient installed, static addresses are used. Run as root.

The children reach the switch and each other, but not the host's own address on ens33: the note's
first puzzle. A bridge-mode macvlan switches frames between the children of ens33 only, and the
switch never sends a frame back out of the port it came in on (``python -m rtnl.lab`` measures why).
"""

import contextlib
import shutil
import subprocess
import sys
import tempfile
import time

import rtnl
from rtnl import Bridge, Macvlan, MacvlanMode, Namespace, Veth
from rtnl.lab import dhclient_script, dhcp_lease, ping

DHCP = all(shutil.which(p) for p in ("dnsmasq", "dhclient"))


def start(stack: contextlib.ExitStack, ns: Namespace, argv: list[str]) -> None:
    proc = ns.popen(["setpriv", "--pdeathsig", "KILL", "--", *argv],  # dies with us, whatever happens
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stack.callback(lambda: (proc.kill(), proc.wait()))


with contextlib.ExitStack() as stack:
    tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="rtnl-example-"))
    switch, host, ns1, ns2 = (stack.enter_context(Namespace.anonymous()) for _ in range(4))
    sw, net = stack.enter_context(rtnl.connect(switch)), stack.enter_context(rtnl.connect(host))

    sw.add(Bridge("br0"))                                           # the switch, with the DHCP server
    sw.add(Veth("port0", "ens33", peer_namespace=host))             # its cable to the host's "NIC"
    sw.set("port0", master="br0", up=True)
    sw.set("br0", up=True)
    sw.add_address("br0", "198.51.100.1/24")
    net.set("ens33", up=True)
    net.add_address("ens33", "198.51.100.2/24")                     # the host's own address
    if DHCP:
        start(stack, switch, ["dnsmasq", "-k", "--conf-file=/dev/null", "--port=0", "--user=root",
                              "--interface=br0", "--bind-interfaces", f"--dhcp-leasefile={tmp}/leases",
                              "--dhcp-range=198.51.100.100,198.51.100.199,1h",
                              "--dhcp-option=option:dns-server,198.51.100.1"])  # as real networks do

    address = {}
    for name, ns, static in (("ens33.01", ns1, "198.51.100.11/24"), ("ens33.02", ns2, "198.51.100.12/24")):
        net.add(Macvlan(name, parent="ens33", mode=MacvlanMode.BRIDGE))
        net.move(name, ns)                                          # ip link set ens33.01 netns ns1
        inside = stack.enter_context(rtnl.connect(ns))
        inside.set(name, up=True)
        if DHCP:                                                    # ip netns exec ns1 dhclient ens33.01
            # -sf: a script that only records the lease (the stock one rewrites the host's resolv.conf)
            files = ["-sf", dhclient_script(tmp), "-pf", f"{tmp}/{name}.pid", "-lf", f"{tmp}/{name}.lease"]
            start(stack, ns, ["dhclient", "-1", "-d", *files, name])
            deadline = time.monotonic() + 20
            while (lease := dhcp_lease(tmp, name)) is None:
                if time.monotonic() > deadline:
                    sys.exit(f"{name}: no address from DHCP")
                time.sleep(0.1)
            inside.add_address(name, lease)                         # what dhclient-script would do
        else:
            inside.add_address(name, static)
        found = [a for a in inside.addresses(name) if a.address.version == 4]
        address[name] = str(found[0].address.ip)
        print(f"{name} in its own namespace: {found[0].address} ({'DHCP' if DHCP else 'static'})")

    results = {  # what was pinged -> (round trip in ms or None, whether the note saw an answer)
        "ens33.01 -> switch 198.51.100.1": (ping(ns1, "198.51.100.1")[0], True),
        "ens33.01 -> host ens33 198.51.100.2": (ping(ns1, "198.51.100.2")[0], False),  # the puzzle
        f"ens33.01 -> ens33.02 {address['ens33.02']}": (ping(ns1, address["ens33.02"])[0], True),
        f"ens33.02 -> ens33.01 {address['ens33.01']}": (ping(ns2, address["ens33.01"])[0], True),
    }
    for what, (rtt, expected) in results.items():
        print(f"ping {what}: {'no answer' if rtt is None else f'{rtt:.2f} ms'}"
              f"{'' if expected else ' (as in the note: a child cannot reach its parent)'}")

ok = all((rtt is not None) == expected for rtt, expected in results.values())
print("as in the note" if ok else "unexpected")
sys.exit(0 if ok else 1)
