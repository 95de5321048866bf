"""Record real kernel rtnetlink bytes into ``tests/data/*.bin`` for the pure codec tests.

Each file is the concatenation of the datagrams one request got back (a valid message stream: every
message is 4-byte aligned), so ``codec.decode(file bytes)`` reads it whole. Run it as root, inside a
throwaway namespace, never on the host's own network::

    unshare --net --mount --propagation private python3 tools/record_fixtures.py

It builds veths, a bridge with a port, macvlans of every mode (passthru on its own parent, source with
a MAC list), macvtaps, alternative names, IPv4/IPv6 addresses and routes, and a link in another
namespace (so an nsid exists), with ``ip`` commands, then records the dumps and a few error answers.
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rtnl import codec
from rtnl.codec import IFLA, IFLA_INFO, IfAddrMsg, IfInfoMsg, Message, RtGenMsg, RtMsg
from tests.support.paths import DATA

SETUP = """
link add v0 type veth peer name v0p
link add v1 type veth peer name v1p
link add v2 type veth peer name v2p
link add br0 type bridge stp_state 1
link set v0p master br0
link set br0 up
link set v0 up
link set v0p up
link add mvpriv link v0 type macvlan mode private
link add mvvepa link v0 type macvlan mode vepa
link add mvbr link v0 type macvlan mode bridge bcqueuelen 333
link add mvsrc link v0 type macvlan mode source
link set mvsrc type macvlan macaddr add 02:00:5e:00:53:01
link set mvsrc type macvlan macaddr add 02:00:5e:00:53:02
link add mvpass link v1 type macvlan mode passthru
link add mvtap link v0 type macvtap mode bridge
link add mvtsrc link v0 type macvtap mode source
link property add dev v0 altname an-alternative-name-for-v0
link property add dev v0 altname second-altname
link set mvbr alias "a macvlan with an alias"
link set mvbr up
link set mvpriv up
addr add 198.51.100.1/24 dev v0
addr add 198.51.100.2/24 dev v0 label v0:sec
addr add 2001:db8::1/64 dev v0 nodad
addr add 203.0.113.5/24 dev mvbr
addr add 2001:db8:1::5/64 dev mvbr nodad
route add 192.0.2.0/24 via 198.51.100.254 metric 50
route add 2001:db8:2::/48 via 2001:db8::fe metric 77
route add default via 198.51.100.254
route add 192.0.2.128/25 dev mvbr table 100 proto static
"""


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True)


def record(sock: socket.socket, msg: Message, seq: int) -> bytes:
    """Every datagram the kernel sends back for one request, concatenated."""
    sock.send(msg.encode(seq=seq))
    out = b""
    while True:
        size = sock.recv_into(bytearray(16), 16, socket.MSG_PEEK | socket.MSG_TRUNC)
        data = sock.recv(max(size, 16))
        out += data
        msgs = codec.decode(data)
        if any(m.type in (codec.NLMSG_DONE, codec.NLMSG_ERROR) for m in msgs):
            return out
        if not msg.flags & (codec.NLM_F_DUMP | codec.NLM_F_ACK):
            return out


def main() -> None:
    if os.environ.get("RTNL_RECORD_OK") != "1":
        # refuse to run where it could touch a real network: only a namespace with just "lo"
        links = subprocess.run(["ip", "-o", "link"], check=True, capture_output=True, text=True).stdout
        if len(links.splitlines()) != 1:
            sys.exit("run me in a fresh network namespace: unshare --net --mount --propagation private ...")
    for line in SETUP.strip().splitlines():
        ip(*shlex.split(line))
    # a link in another namespace, so that the kernel allocates an nsid and reports IFLA_LINK_NETNSID
    other = subprocess.Popen(["unshare", "--net", "sleep", "60"])
    try:
        ip("link", "set", "v2p", "netns", str(other.pid))
        DATA.mkdir(exist_ok=True)
        dump = codec.NLM_F_REQUEST | codec.NLM_F_DUMP
        ack = codec.NLM_F_REQUEST | codec.NLM_F_ACK
        ext = codec.RTEXT_FILTER_VF | codec.RTEXT_FILTER_SKIP_STATS
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, codec.NETLINK_ROUTE)
        for opt in (codec.NETLINK_EXT_ACK, codec.NETLINK_GET_STRICT_CHK):
            sock.setsockopt(codec.SOL_NETLINK, opt, 1)
        sock.bind((0, 0))
        files = {
            "links.bin": Message(codec.RTM_GETLINK, dump, header=IfInfoMsg(),
                                 attrs=IFLA.build(IFLA_EXT_MASK=ext)),
            "links_stats.bin": Message(codec.RTM_GETLINK, dump, header=IfInfoMsg()),
            "addrs.bin": Message(codec.RTM_GETADDR, dump, header=IfAddrMsg()),
            "routes.bin": Message(codec.RTM_GETROUTE, dump, header=RtMsg()),
            "nsid.bin": Message(codec.RTM_GETNSID, dump, header=RtGenMsg()),
            # errors: uncapped acks (the request is echoed), with ext-ack TLVs
            "error_name.bin": Message(codec.RTM_NEWLINK, ack | codec.NLM_F_CREATE | codec.NLM_F_EXCL,
                                      header=IfInfoMsg(),
                                      attrs=IFLA.build(IFLA_IFNAME="x" * 16,
                                                       IFLA_LINKINFO=IFLA_INFO.build(IFLA_INFO_KIND="bridge"))),
            "error_done.bin": Message(codec.RTM_GETLINK, dump, header=IfInfoMsg(index=1)),
            "getlink_v0.bin": Message(codec.RTM_GETLINK, ack, header=IfInfoMsg(),
                                      attrs=IFLA.build(IFLA_IFNAME="v0")),
        }
        for seq, (name, msg) in enumerate(files.items(), 1):
            data = record(sock, msg, seq)
            (DATA / name).write_bytes(data)
            print(f"{name}: {len(data)} bytes, {len(codec.decode(data))} messages")
        sock.close()
    finally:
        other.kill()
        other.wait()


if __name__ == "__main__":
    main()
