#!/usr/bin/env python3
"""rtnl benchmarks, side by side with pyroute2 and iproute2 in one run.

Every case runs each peer on the same work, interleaved and repeated, inside a throwaway network +
mount namespace (the script isolates itself first, as root). It prints medians and ratios, writes
``--json FILE`` and regenerates ``bench/RESULTS.md``. There are no thresholds here: this measures.

    python3 bench/run.py            # the full run
    python3 bench/run.py --quick    # smaller counts, under two minutes
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import rtnl  # noqa: E402
from rtnl import codec, netns  # noqa: E402

Timing = dict[str, float]
RESULTS: dict[str, dict[str, Any]] = {}


def isolate() -> None:
    """Move this process into a new net + mount namespace with a private /run (like the test suite)."""
    if os.geteuid() != 0:
        sys.exit("bench/run.py needs root: it creates links and namespaces (in throwaway namespaces)")
    c = netns.const
    netns.unshare(c("CLONE_NEWNET") | c("CLONE_NEWNS"))
    netns.mount(None, "/", None, c("MS_REC") | c("MS_PRIVATE"))
    netns.mount("tmpfs", "/run", "tmpfs", 0, "mode=0755")
    os.makedirs("/run/netns")
    os.environ["RTNL_NETNS_DIR"] = "/run/netns"
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)


def sh(*argv: str, input: str | None = None) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True, input=input).stdout


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


Target = tuple[str, Callable[[dict[str, Any]], bool]]  # issue 7's goal for a row, and whether a row meets it


def record(name: str, unit: str, samples: dict[str, list[float]], per: int = 1, note: str = "",
           target: Target | None = None, issue_ratio: float | None = None) -> None:
    """One row: medians per peer. ``target``: issue 7's goal for the row; ``issue_ratio``: for an
    absolute goal, how much faster than pyroute2 it was on the machine the issue measured (its
    pyroute2 time / the goal), shown next to this run's ratio, as absolutes differ between boxes."""
    row: dict[str, Any] = {peer: statistics.median(v) / per for peer, v in samples.items() if v}
    row["unit"] = unit
    if note:
        row["note"] = note
    if target:  # reported, never enforced: this script measures
        row["target"], row["met"] = target[0], target[1](row)
        if issue_ratio and "pyroute2" in row:
            here = row["pyroute2"] / row["rtnl"]
            row["target"] += f" ({here:.1f}x pyroute2 here; the issue's: {issue_ratio:.1f}x)"
    RESULTS[name] = row
    shown = "  ".join(f"{p}={fmt(row[p], unit)}" for p in samples if p in row)
    ratios = "  ".join(f"{p}/rtnl={row[p] / row['rtnl']:.2f}x" for p in samples if p in row and p != "rtnl")
    goal = f"   target {row['target']}: {'met' if row['met'] else 'MISSED'}" if target else ""
    print(f"{name:<28} {shown}   {ratios}{goal}", flush=True)


def fmt(v: float, unit: str) -> str:
    if unit == "MB":
        return f"{v:.1f}MB"
    if unit == "events/s":
        return f"{v:,.0f}/s"
    return f"{v * 1e3:.3f}ms" if v >= 1e-3 else f"{v * 1e6:.1f}us"


def interleave(reps: int, peers: dict[str, Callable[[], float]],
               settle: float = 0.0) -> dict[str, list[float]]:
    """Each peer once per round, a different one first in each round (so that none always runs right
    after the same other); ``settle`` seconds between runs let the kernel finish asynchronous work a
    run left behind (namespace teardown) before the next one is timed."""
    out: dict[str, list[float]] = {p: [] for p in peers}
    order = list(peers)
    for _ in range(reps):
        for peer in order:
            time.sleep(settle)
            out[peer].append(peers[peer]())
        order.append(order.pop(0))
    return out


# --- cases ----------------------------------------------------------------------------------------

IMPORT_PROBE = textwrap.dedent("""
    import resource, sys, time
    def rss():
        return int(open('/proc/self/statm').read().split()[1]) * resource.getpagesize()
    r0 = rss(); t = time.perf_counter()
    exec(sys.argv[1])
    print(time.perf_counter() - t, (rss() - r0) / 1e6)
""")


def case_import(reps: int) -> None:
    stmts = {"rtnl": "import rtnl; rtnl.connect; rtnl.Macvlan", "pyroute2": "from pyroute2 import IPRoute"}
    times: dict[str, list[float]] = {p: [] for p in stmts}
    rss: dict[str, list[float]] = {p: [] for p in stmts}
    # both measured from compiled bytecode, as an installed package is (PYTHONDONTWRITEBYTECODE in the
    # environment would otherwise leave a work tree recompiling its sources on every import)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for stmt in stmts.values():
        subprocess.run([sys.executable, "-c", stmt], check=True, env=env)
    for _ in range(reps):
        for peer, stmt in stmts.items():
            t, mb = sh(sys.executable, "-c", IMPORT_PROBE, stmt).split()
            times[peer].append(float(t))
            rss[peer].append(float(mb))
    record("import", "s", times, target=("<= 25 ms", lambda r: r["rtnl"] <= 0.025), issue_ratio=350 / 25)
    record("import RSS growth", "MB", rss, target=("<= +3 MB", lambda r: r["rtnl"] <= 3))


def make_parent(net: rtnl.Connection, name: str = "p0") -> int:
    if name not in {link.name for link in net.links()}:
        net.add(rtnl.Veth(name, name + "b"))
        net.set(name, up=True)
    return net.index(name)


def case_dump(n: int, reps: int) -> None:
    with rtnl.Namespace.create("dump") as ns, rtnl.connect(ns) as net:
        parent = make_parent(net)
        batch = "".join(f"link add link p0 name d{i} type macvlan mode bridge\n" for i in range(n))
        ns.popen(["ip", "-batch", "-"], stdin=subprocess.PIPE, text=True).communicate(batch)
        from pyroute2 import NetNS

        pr = NetNS("dump")
        raw = rtnl.netlink.NetlinkSocket(ns.socket(socket.AF_NETLINK, socket.SOCK_RAW, codec.NETLINK_ROUTE))
        mask = codec.RTEXT_FILTER_VF | codec.RTEXT_FILTER_SKIP_STATS  # what Connection.links() asks for
        request = codec.Message(codec.RTM_GETLINK, header=codec.IfInfoMsg(),
                                attrs=codec.IFLA.build(IFLA_EXT_MASK=mask))
        data = request.encode(seq=1)
        data = data[:6] + (codec.NLM_F_REQUEST | codec.NLM_F_DUMP).to_bytes(2, "little") + data[8:]
        hdr = struct.Struct("=IHHII")

        def floor() -> float:  # the same dump on a bare socket + a bare header walk
            t = time.perf_counter()
            raw.sock.send(data)
            count, done = 0, False
            while not done:
                buf = raw.recv()
                off = 0
                while off < len(buf):
                    length, mtype, _f, _s, _p = hdr.unpack_from(buf, off)
                    if mtype == codec.NLMSG_DONE:
                        done = True
                    count += 1
                    off += (length + 3) & ~3
            return time.perf_counter() - t

        def ip_link() -> None:
            ns.popen(["ip", "-o", "link"], stdout=subprocess.DEVNULL).wait()

        peers: dict[str, Callable[[], float]] = {
            "rtnl": lambda: timed(net.links),
            "floor": floor,
            "iproute2": lambda: timed(ip_link),
            "pyroute2": lambda: timed(pr.get_links),
        }
        assert len(net.links()) >= n
        record(f"dump {n} links", "s", interleave(reps, peers),
               target=("<= 1.5x floor, >= 20x faster than pyroute2",
                       lambda r: r["rtnl"] <= 1.5 * r["floor"] and r["pyroute2"] >= 20 * r["rtnl"]),
               note="rtnl's Link fields decode on first access; the next row reads them all")

        def rtnl_fields() -> object:
            return [(link.name, link.kind, link.mtu, link.address, link.info) for link in net.links()]

        def pyroute2_fields() -> object:
            return [(m.get_attr("IFLA_IFNAME"), m.get_nested("IFLA_LINKINFO", "IFLA_INFO_KIND"),
                     m.get_attr("IFLA_MTU"), m.get_attr("IFLA_ADDRESS"),
                     m.get_nested("IFLA_LINKINFO", "IFLA_INFO_DATA")) for m in pr.get_links()]

        record(f"dump {n} links, read fields", "s", interleave(reps, {
            "rtnl": lambda: timed(rtnl_fields), "floor": floor, "pyroute2": lambda: timed(pyroute2_fields)}),
            note="name, kind, mtu, address, kind data of every link")
        raw.close()
        pr.close()
        # the 1,000 links go now, with their parent, in one unregister batch; left to the namespace's
        # teardown they would hold the kernel's rtnl lock (asynchronously) during the next case
        net.delete(parent)


def case_create_delete(n: int, reps: int) -> None:
    """Create n macvlans then delete them, per peer, in fresh namespaces each time. rtnl runs twice:
    ``add_many`` (a batch, as ``ip -batch`` is) and ``add`` called once per link."""
    create: dict[str, list[float]] = {"rtnl": [], "rtnl add": [], "pyroute2": [], "iproute2": []}
    delete: dict[str, list[float]] = {"rtnl": [], "pyroute2": [], "iproute2": [], "iproute2 group": []}
    from pyroute2 import NetNS

    order = list(create)
    for _ in range(reps):
        for peer in order:
            with rtnl.Namespace.create(f"b{os.getpid()}") as ns, rtnl.connect(ns) as net:
                parent = make_parent(net)
                names = [f"m{i}" for i in range(n)]
                time.sleep(0.3)  # let the kernel finish tearing down earlier namespaces (it holds rtnl_lock)
                if peer == "rtnl":
                    t = time.perf_counter()
                    links = net.add_many([rtnl.Macvlan(name, parent=parent) for name in names])
                    create[peer].append(time.perf_counter() - t)
                    delete[peer].append(timed(lambda net=net, links=links: net.delete_many(links)))
                elif peer == "rtnl add":
                    t = time.perf_counter()
                    links = [net.add(rtnl.Macvlan(name, parent=parent)) for name in names]
                    create[peer].append(time.perf_counter() - t)
                    net.delete_many(links)
                elif peer == "pyroute2":
                    pr = NetNS(ns.name)
                    try:
                        t = time.perf_counter()
                        for name in names:
                            pr.link("add", ifname=name, kind="macvlan", link=parent, macvlan_mode="bridge")
                        create[peer].append(time.perf_counter() - t)
                        idx = [pr.link_lookup(ifname=name)[0] for name in names]
                        delete[peer].append(timed(lambda p=pr, x=idx: [p.link("del", index=i) for i in x]))
                    finally:
                        pr.close()
                else:
                    where = str(ns.name)
                    add = "".join(f"link add link p0 name {m} type macvlan mode bridge\n" for m in names)
                    dels = "".join(f"link del {name}\n" for name in names)
                    create[peer].append(timed(lambda w=where, a=add: sh("ip", "-n", w, "-batch", "-",
                                                                        input=a)))
                    delete[peer].append(timed(lambda w=where, d=dels: sh("ip", "-n", w, "-batch", "-",
                                                                         input=d)))
                    sh("ip", "-n", where, "-batch", "-", input=add.replace(" type ", " group 7 type "))
                    delete["iproute2 group"].append(timed(lambda w=where: sh("ip", "-n", w, "link", "del",
                                                                           "group", "7")))
                ns.delete()
        order.append(order.pop(0))  # a different peer goes first in each round
    record(f"create {n} macvlans", "s/op", create, per=n,
           note="rtnl: add_many, pipelined like ip -batch; 'rtnl add': one add() call per link",
           target=("<= 1.15x ip -batch", lambda r: r["rtnl"] <= 1.15 * r["iproute2"]))
    row = RESULTS[f"create {n} macvlans"]
    print(f"{'':28} add_many {row['rtnl'] / row['iproute2']:.2f}x ip -batch; "
          f"one add() per link {row['rtnl add'] / row['iproute2']:.2f}x", flush=True)
    totals = {p: v for p, v in delete.items() if p != "rtnl"}
    record(f"delete {n} macvlans", "s/op", {"rtnl": delete["rtnl"], **totals}, per=n,
           note="rtnl uses delete_many (one transaction); the others delete one by one, "
                "except 'iproute2 group'",
           target=("delete_many <= 0.5 s per 1,000", lambda r: r["rtnl"] <= 0.5e-3))
    RESULTS[f"delete {n} macvlans"]["rtnl total"] = statistics.median(delete["rtnl"])


def case_netns(n: int, reps: int) -> None:
    from pyroute2 import netns as prnetns

    def run_rtnl() -> float:
        t = time.perf_counter()
        for i in range(n):
            rtnl.Namespace.create(f"r{i}").close()
        dt = time.perf_counter() - t
        for i in range(n):
            rtnl.Namespace.open(f"r{i}").delete()
        return dt

    def run_pyroute2() -> float:
        t = time.perf_counter()
        for i in range(n):
            prnetns.create(f"p{i}")
        dt = time.perf_counter() - t
        for i in range(n):
            prnetns.remove(f"p{i}")
        return dt

    def run_ip() -> float:
        dt = timed(lambda: sh("ip", "-batch", "-", input="".join(f"netns add i{i}\n" for i in range(n))))
        sh("ip", "-batch", "-", input="".join(f"netns del i{i}\n" for i in range(n)))
        return dt

    record("create a named namespace", "s/op",
           interleave(reps, {"rtnl": run_rtnl, "pyroute2": run_pyroute2, "iproute2": run_ip}, settle=1.5),
           per=n,
           target=("<= 1.2x ip -batch", lambda r: r["rtnl"] <= 1.2 * r["iproute2"]))


def case_socket_in_ns(n: int, reps: int) -> None:
    from pyroute2 import NetNS

    with rtnl.Namespace.create("sock") as ns:
        def run_rtnl() -> float:
            t = time.perf_counter()
            for _ in range(n):
                rtnl.connect(ns).close()
            return (time.perf_counter() - t) / n

        def run_pyroute2() -> float:
            t = time.perf_counter()
            for _ in range(max(1, n // 20)):
                NetNS("sock").close()
            return (time.perf_counter() - t) / max(1, n // 20)

        record("socket in another namespace", "s/op",
               interleave(reps, {"rtnl": run_rtnl, "pyroute2": run_pyroute2}),
               target=("<= 0.2 ms", lambda r: r["rtnl"] <= 0.2e-3))


def case_codec(reps: int) -> None:
    from pyroute2.netlink.rtnl.ifinfmsg import ifinfmsg

    loops = 2000

    flags = codec.NLM_F_REQUEST | codec.NLM_F_CREATE | codec.NLM_F_EXCL
    last: dict[str, bytes] = {}  # each peer's last message: all the same bytes, checked below

    def enc_rtnl() -> float:  # nests as plain dicts, the all-zero ifinfomsg by default
        t = time.perf_counter()
        for i in range(loops):
            attrs = codec.IFLA.build(IFLA_IFNAME="mv0", IFLA_LINK=2, IFLA_LINKINFO={
                "IFLA_INFO_KIND": "macvlan", "IFLA_INFO_DATA": {"IFLA_MACVLAN_MODE": 4}})
            out = codec.Message(codec.RTM_NEWLINK, flags, attrs=attrs).encode(seq=i)
        last["rtnl"] = out
        return (time.perf_counter() - t) / loops

    def enc_rtnl_attrs() -> float:  # each nest built into an Attrs first, the header given
        t = time.perf_counter()
        for i in range(loops):
            info = codec.IFLA_INFO.build(IFLA_INFO_KIND="macvlan",
                                         IFLA_INFO_DATA=codec.IFLA_MACVLAN.build(IFLA_MACVLAN_MODE=4))
            attrs = codec.IFLA.build(IFLA_IFNAME="mv0", IFLA_LINK=2, IFLA_LINKINFO=info)
            out = codec.Message(codec.RTM_NEWLINK, flags, header=codec.IfInfoMsg(), attrs=attrs).encode(seq=i)
        last["rtnl Attrs"] = out
        return (time.perf_counter() - t) / loops

    def enc_pyroute2() -> float:
        t = time.perf_counter()
        for _ in range(loops // 20):
            m = ifinfmsg()
            m["index"] = 0
            m["attrs"] = [("IFLA_IFNAME", "mv0"), ("IFLA_LINK", 2), ("IFLA_LINKINFO", {"attrs": [
                ("IFLA_INFO_KIND", "macvlan"), ("IFLA_INFO_DATA", {"attrs": [("IFLA_MACVLAN_MODE", 4)]})]})]
            m.encode()
        return (time.perf_counter() - t) / (loops // 20)

    nla, hdr = struct.Struct("=HH").pack, struct.Struct("=IHHII").pack

    def enc_floor() -> float:  # the same bytes packed by hand: no schema, no objects
        t = time.perf_counter()
        for i in range(loops):
            data = nla(8, 1) + b"\4\0\0\0"
            info = nla(12, 1) + b"macvlan\0" + nla(4 + len(data), 2) + data
            attrs = nla(8, 3) + b"mv0\0" + nla(8, 5) + b"\2\0\0\0" + nla(4 + len(info), 18) + info
            body = bytes(16) + attrs
            out = hdr(16 + len(body), codec.RTM_NEWLINK, 0x601, i, 0) + body
        last["floor"] = out
        return (time.perf_counter() - t) / loops

    samples = interleave(reps, {"rtnl": enc_rtnl, "rtnl Attrs": enc_rtnl_attrs, "pyroute2": enc_pyroute2,
                                "floor": enc_floor})
    assert len(set(last.values())) == 1, last
    record("encode macvlan RTM_NEWLINK", "s/op", samples,
           note="rtnl: nests as dicts; 'rtnl Attrs': each nest built first; floor: the same bytes "
                "packed by hand with struct, no schema or objects",
           target=("<= 5 us", lambda r: r["rtnl"] <= 5e-6), issue_ratio=189 / 5)

    with rtnl.Namespace.anonymous() as ns, rtnl.connect(ns) as net:
        make_parent(net)
        net.add(rtnl.Macvlan("mv0", parent="p0"))
        raw = rtnl.netlink.NetlinkSocket(ns.socket(socket.AF_NETLINK, socket.SOCK_RAW, codec.NETLINK_ROUTE))
        data = raw.sock
        req = codec.Message(codec.RTM_GETLINK, codec.NLM_F_REQUEST,
                            header=codec.IfInfoMsg(), attrs=codec.IFLA.build(IFLA_IFNAME="mv0")).encode(seq=9)
        data.send(req)
        blob = raw.recv()
        raw.close()
    size = struct.unpack_from("=I", blob)[0]
    blob = blob[:size]

    def dec_rtnl() -> float:
        t = time.perf_counter()
        for _ in range(loops):
            m = codec.decode(blob)[0]
            a = m.attrs
            assert a is not None
            a.get("IFLA_IFNAME"), m.header.index, a.get("IFLA_LINKINFO").get("IFLA_INFO_KIND")
        return (time.perf_counter() - t) / loops

    def dec_pyroute2() -> float:
        t = time.perf_counter()
        for _ in range(loops // 20):
            m = ifinfmsg(blob)
            m.decode()
            m.get_attr("IFLA_IFNAME"), m["index"], m.get_attr("IFLA_LINKINFO").get_attr("IFLA_INFO_KIND")
        return (time.perf_counter() - t) / (loops // 20)

    unpack = struct.Struct("=HH").unpack_from

    def dec_floor() -> float:  # a bare checked TLV walk to the name, IFLA_LINKINFO and its kind: no objects
        t = time.perf_counter()
        for _ in range(loops):
            off, end, name, info = 32, len(blob), None, None
            while off < end:
                length, rtype = unpack(blob, off)
                if length < 4 or off + length > end:
                    raise ValueError
                if rtype == 3:
                    name = blob[off + 4:off + length - 1].decode()
                elif rtype & 0x3FFF == 18:
                    info = off
                    break
                off += (length + 3) & ~3
            assert name is not None and info is not None
            length, rtype = unpack(blob, info + 4)
            assert rtype == 1  # IFLA_INFO_KIND
            blob[info + 8:info + 4 + length - 1].decode(), struct.unpack_from("=i", blob, 20)[0]
        return (time.perf_counter() - t) / loops

    record(f"decode {size} B link message", "s/op",
           interleave(reps, {"rtnl": dec_rtnl, "pyroute2": dec_pyroute2, "floor": dec_floor}),
           note="floor: a bare checked TLV walk in Python to IFLA_IFNAME, IFLA_LINKINFO and its kind, "
                "no objects (rtnl walks in C)",
           target=("<= 10 us", lambda r: r["rtnl"] <= 10e-6), issue_ratio=258 / 10)


MONITOR_WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from rtnl import codec
    from rtnl.netlink import NetlinkSocket
    parent, n = int(sys.argv[2]), int(sys.argv[3])
    msgs = [codec.Message(codec.RTM_NEWLINK, header=codec.IfInfoMsg(index=parent),
                          attrs=codec.IFLA.build(IFLA_MTU=1400 + i % 2)) for i in range(n)]
    with NetlinkSocket() as sock:
        print("ready", flush=True)
        sys.stdin.readline()
        sock.request_many(msgs)  # every request changes the MTU: n link events
""")


def case_monitor(n: int, reps: int) -> None:
    """Link events/s received without loss while another process flips a link's MTU n times.

    The writer is the same separate process for both monitors (rtnl's, in this process, and
    ``ip monitor link``), so each reads while the events are produced, as a monitor does.
    """
    rates: dict[str, list[float]] = {"rtnl": [], "iproute2": []}

    def writer(ns: rtnl.Namespace, parent: int) -> subprocess.Popen[str]:
        proc = ns.popen([sys.executable, "-c", MONITOR_WRITER, str(HERE.parent), str(parent), str(n)],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        return proc

    def go(proc: subprocess.Popen[str]) -> float:
        assert proc.stdin is not None
        t = time.perf_counter()
        proc.stdin.write("go\n")
        proc.stdin.flush()
        return t

    for _ in range(reps):
        with rtnl.Namespace.anonymous() as ns, rtnl.connect(ns) as net:
            parent = make_parent(net)
            with net.monitor(rtnl.Group.LINK, rcvbuf=1 << 22) as mon:
                proc = writer(ns, parent)
                t = go(proc)
                got = lost = 0
                for event in mon.iter(timeout=2.0):  # stop when all arrived or the stream dried up
                    if isinstance(event, rtnl.Overrun):
                        lost += 1
                    elif isinstance(event, rtnl.LinkEvent):
                        got += 1
                    if got >= n:
                        break
                rates["rtnl"].append(got / (time.perf_counter() - t))
                proc.communicate()
                if got < n or lost:
                    print(f"  monitor: {got}/{n} link events received, {lost} overruns", flush=True)
            with tempfile.TemporaryFile() as out:
                ipmon = ns.popen(["ip", "monitor", "link"], stdout=out)
                time.sleep(0.3)
                proc = writer(ns, parent)
                t = go(proc)
                seen, pos, tail, deadline = 0, 0, b"", time.monotonic() + 30
                while seen < n and time.monotonic() < deadline:
                    new = os.pread(out.fileno(), 1 << 20, pos)  # only what ip wrote since the last look
                    pos += len(new)
                    chunk = tail + new
                    seen += chunk.count(b"mtu")
                    tail = chunk[-2:].replace(b"mtu", b"")  # "mtu" may straddle two reads
                    if not new:
                        time.sleep(0.005)
                rates["iproute2"].append(seen / (time.perf_counter() - t))
                proc.communicate()
                ipmon.terminate()
                ipmon.wait()
    record("monitor link events", "events/s", rates,
           note="a separate process flips a link's MTU n times; rtnl's Monitor (rcvbuf 4 MiB) vs ip monitor",
           target=(">= 20,000/s without loss", lambda r: r["rtnl"] >= 20_000))


def machine() -> str:
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")),
                   platform.processor())
    import pyroute2

    ip = sh("ip", "-V").strip()
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} x {cpu}, "
            f"Python {platform.python_version()}, pyroute2 {pyroute2.__version__}, {ip}")


def write_results(path: Path, quick: bool, seconds: float) -> None:
    lines = ["# rtnl benchmark results", "",
             f"Generated by `python3 bench/run.py{' --quick' if quick else ''}` in {seconds:.0f} s on: "
             f"{machine()}.",
             "Medians of interleaved repetitions; each peer did the same work in the same run. Ratios are "
             "peer time / rtnl time (> 1: rtnl is faster; for events/s, rtnl rate / peer rate).", "",
             "| case | unit | rtnl | pyroute2 | iproute2 | floor | target (issue 7) | notes |",
             "|---|---|---|---|---|---|---|---|"]
    for name, row in RESULTS.items():
        unit = row["unit"]
        cells = []
        for peer in ("rtnl", "pyroute2", "iproute2", "floor"):
            if peer not in row:
                cells.append("—")
                continue
            ratio = ""
            if peer != "rtnl" and "rtnl" in row and row["rtnl"]:
                r = row["rtnl"] / row[peer] if unit == "events/s" else row[peer] / row["rtnl"]
                ratio = f" ({r:.2f}x)"
            cells.append(fmt(row[peer], unit) + ratio)
        goal = f"{row['target']}: {'met' if row['met'] else '**missed**'}" if "target" in row else "—"
        peers = ("rtnl", "pyroute2", "iproute2", "floor", "unit", "note", "target", "met")
        extra = {k: v for k, v in row.items() if k not in peers}
        notes = "; ".join([*(f"{k}: {fmt(v, 's')}" for k, v in extra.items()), row.get("note", "")])
        notes = notes.strip("; ")
        lines.append(f"| {name} | {unit} | {' | '.join(cells)} | {goal} | {notes} |")
    lines += ["", "How to read it:", "",
              "- `floor`: the same dump on a bare socket with a bare walk over the message headers (no "
              "objects): what the kernel and the syscalls cost, the least any Python client can pay. For "
              "the codec rows, the same bytes packed by hand (encode) or a bare checked walk in Python to "
              "the three fields (decode), in the same interpreter.",
              "- This box runs in two speeds (a shared 2-core VM): the same run of pyroute2's encoder "
              "takes 160 us in one hour and 270 us in the next, so absolute goals come and go with it; "
              "rows with an absolute goal also show how much faster than pyroute2 rtnl was here, next to "
              "the ratio the issue's goal meant on its machine.",
              "- encode: `rtnl` gives the nests as plain dicts and leaves out the (all-zero) ifinfomsg, "
              "the cheapest way the codec offers: one `build` call, one shortcut per attribute (the kind's "
              "from a memo), `Message()` and `encode()`, ~32 k instructions on this interpreter (pyenv "
              "3.11, no PGO/LTO). `rtnl Attrs` builds each nest into an `Attrs` first and passes "
              "`IfInfoMsg()`: three `build` calls, ~45 k.",
              "- decode: the attribute walk runs in C (`rtnl._nla`, one bounds-checked pass per nest), so "
              "rtnl is now faster than the `floor`, which is still the bare walk in Python; what remains "
              "is the Message/Attrs objects and one cffi call per nest (73 k -> 63.5 k instructions).",
              "- create: `rtnl` is `add_many`, the batch counterpart of `ip -batch`: creates go out "
              "`ECHO_WINDOW` (16) per datagram, each answered by the kernel with the new link (and no ack, "
              "once the kernel is known to echo). `rtnl add` (in the notes) is one `add()` call per link. "
              "The kernel's own time per macvlan dominates (~200-260 us/op of system time, measured with "
              "getrusage, for both). One add costs rtnl ~96 k Python instructions (spec checks, build, "
              "encode, decoding the echo into a Link), which after each syscall run with caches the kernel "
              "has just emptied: ~40-60 us/op of user time against `ip`'s ~8 us. In a batch the same code "
              "runs 16 times in a row and stays in cache.",
              "- rtnl's `Link` decodes its fields on first access, in one pass over the message, so `dump` "
              "measures receiving + typed objects and `dump, read fields` what reading them costs on top.",
              "- `import`: a fresh interpreter (with site) runs `import rtnl; rtnl.connect; rtnl.Macvlan` "
              "or `from pyroute2 import IPRoute`, both from compiled bytecode.",
              "- `monitor`: one separate writer process flips a link's MTU n times (one event each) while "
              "rtnl's Monitor, or `ip monitor link`, reads; the rate is bounded by that writer."]
    path.write_text("\n".join(lines) + "\n")


CASES = ("import", "codec", "socket", "netns", "dump", "create", "monitor")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts, under two minutes")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON")
    parser.add_argument("--results", metavar="FILE",
                        help="the Markdown table to regenerate (default: bench/RESULTS.md for a full run, "
                             "none for --quick)")
    parser.add_argument("--only", metavar="CASES", help="comma-separated subset of: " + ", ".join(CASES))
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else set(CASES)
    if only - set(CASES):
        parser.error(f"unknown case(s): {', '.join(sorted(only - set(CASES)))}")
    if shutil.which("ip") is None:
        sys.exit("iproute2 (`ip`) is needed for the side-by-side cases")
    isolate()
    quick = args.quick
    t0 = time.perf_counter()
    reps = 3 if quick else 7
    runs: dict[str, Callable[[], None]] = {
        "import": lambda: case_import(reps),
        "codec": lambda: case_codec(reps),
        "socket": lambda: case_socket_in_ns(200 if quick else 1000, reps),
        "netns": lambda: case_netns(20 if quick else 100, reps),
        "dump": lambda: case_dump(1000, reps),
        "create": lambda: case_create_delete(100 if quick else 1000, 1 if quick else 5),
        "monitor": lambda: case_monitor(5000 if quick else 20000, 1 if quick else 3),
    }
    for name in CASES:
        if name in only:
            runs[name]()
    seconds = time.perf_counter() - t0
    if args.json:
        report = {"machine": machine(), "quick": quick, "cases": RESULTS}
        Path(args.json).write_text(json.dumps(report, indent=2))
    results = args.results or (None if quick or args.only else str(HERE / "RESULTS.md"))
    if results:
        write_results(Path(results), quick, seconds)
    print(f"\n{len(RESULTS)} cases in {seconds:.0f} s" + (f"; table written to {results}" if results else ""))


if __name__ == "__main__":
    main()
