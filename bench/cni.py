#!/usr/bin/env python3
"""The CNI macvlan example beside the reference plugin: each command's time, side by side in one run.

A runtime calls VERSION (podman: twice) before each ADD and DEL, so start-up is most of what a plugin
costs. Every sample runs ours (examples/cni/macvlan, started as a runtime starts it: through its
shebang, with this interpreter's directory first on PATH) and the reference
(/usr/lib/cni/macvlan, containernetworking-plugins) on the same configuration with host-local IPAM,
interleaved, in a throwaway network + mount namespace with a private /run. Wall time is the median
per command; CPU is user + system time of the plugin and the IPAM plugin it runs (wait4's rusage).
The breakdown rows say where our time goes: the interpreter, its ``site`` start-up (which the plugin
skips with -S), and the imports of rtnl the plugin needs. No thresholds: this measures.

    python3 bench/cni.py            # 40 rounds
    python3 bench/cni.py --rounds 10
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OURS = str(ROOT / "examples" / "cni" / "macvlan")
REF = "/usr/lib/cni/macvlan"
PATH = f"{os.path.dirname(sys.executable)}:/usr/sbin:/usr/bin:/sbin:/bin"
COMMANDS = ("VERSION", "ADD", "CHECK", "DEL")


def run(argv: list[str], env: dict[str, str], stdin: bytes = b"") -> tuple[float, float, bytes]:
    """(wall seconds, CPU seconds of it and its children, stdout); fails on a non-zero exit."""
    r_in, w_in = os.pipe()
    r_out, w_out = os.pipe()
    os.write(w_in, stdin)
    os.close(w_in)
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=[(os.POSIX_SPAWN_DUP2, r_in, 0),
                                                          (os.POSIX_SPAWN_DUP2, w_out, 1)])
    os.close(w_out)
    with open(r_out, "rb") as f:
        out = f.read()
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    os.close(r_in)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv} failed: {out.decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime, out


def plugin_env(command: str, ns: str, cid: str) -> dict[str, str]:
    return {"PATH": PATH, "CNI_COMMAND": command, "CNI_CONTAINERID": cid, "CNI_NETNS": f"/run/netns/{ns}",
            "CNI_IFNAME": "eth0", "CNI_PATH": "/usr/lib/cni"}


def measure(rounds: int, data: Path) -> dict[str, dict[str, list[tuple[float, float]]]]:
    subprocess.run(["ip", "link", "add", "bench0", "type", "veth", "peer", "name", "bench0p"], check=True)
    for name in ("bench0", "bench0p"):
        subprocess.run(["ip", "link", "set", name, "up"], check=True)
    peers = {"ours": OURS, "reference": REF}
    samples: dict[str, dict[str, list[tuple[float, float]]]] = {p: {c: [] for c in COMMANDS} for p in peers}
    for i in range(rounds + 1):  # round 0 warms the page cache and is dropped
        for peer in sorted(peers, reverse=bool(i % 2)):  # who goes first alternates
            plugin, ns, cid = peers[peer], f"b{i}{peer[0]}", f"bench{i}{peer[0]}"
            subprocess.run(["ip", "netns", "add", ns], check=True)
            conf = {"cniVersion": "1.0.0", "name": "bench", "type": "macvlan", "master": "bench0",
                    "ipam": {"type": "host-local", "subnet": "198.51.100.0/24", "dataDir": str(data / peer)}}
            raw = json.dumps(conf).encode()
            version = run([plugin], {"PATH": PATH, "CNI_COMMAND": "VERSION"}, b'{"cniVersion":"1.0.0"}')
            add = run([plugin], plugin_env("ADD", ns, cid), raw)
            checked = json.dumps({**conf, "prevResult": json.loads(add[2])}).encode()
            check = run([plugin], plugin_env("CHECK", ns, cid), checked)
            delete = run([plugin], plugin_env("DEL", ns, cid), raw)
            subprocess.run(["ip", "netns", "del", ns], check=True)
            if i:
                for command, took in zip(COMMANDS, (version, add, check, delete), strict=True):
                    samples[peer][command].append(took[:2])
    subprocess.run(["ip", "link", "del", "bench0"], check=True)
    return samples


def breakdown(rounds: int) -> dict[str, tuple[float, float]]:
    """Where our start-up goes, as (wall, CPU) medians: the interpreter with and without site, the
    standard library modules rtnl imports, layer by layer (each row adds to the one above), and the
    imports of rtnl that DEL and ADD make."""
    base = "import re, enum, functools, collections, contextlib"  # the floor: rtnl and json need these
    stdlib = f"{base}, typing, ipaddress, json, _socket, struct, threading, fcntl"
    rtnl_del = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); import json, rtnl, rtnl.codec; "
                "rtnl.connect, rtnl.Macvlan, rtnl.Namespace")
    codes = {"python3 -I -S -c pass": "pass",
             "  + re, enum, functools, collections, contextlib": base,
             "  + typing": f"{base}, typing",
             "  + ipaddress, json, socket, struct, threading, fcntl": stdlib,
             "  + dataclasses (inspect, ast, dis...: ADD, CHECK)": f"{stdlib}, dataclasses",
             "  rtnl as DEL imports it (no dataclasses)": rtnl_del,
             "  rtnl as ADD imports it": f"{rtnl_del}, rtnl.Route; import rtnl.ops.addresses"}
    argvs = {"sh, answering VERSION": ["/bin/sh", "-c", "echo '{}'"],
             "python3 -c pass (with site)": [sys.executable, "-c", "pass"],
             **{name: [sys.executable, "-I", "-S", "-c", code] for name, code in codes.items()}}
    env = {"PATH": PATH}
    out = {}
    for name, argv in argvs.items():
        runs = [run(argv, env) for _ in range(rounds)]
        out[name] = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    rounds = parser.parse_args().rounds
    if os.geteuid() != 0:
        sys.exit("bench/cni.py needs root: it creates links and namespaces (in throwaway namespaces)")
    sys.path.insert(0, str(ROOT))
    from rtnl import netns

    c = netns.const  # no PID namespace: the reference finds its own namespace through /proc/PID
    netns.unshare(c("CLONE_NEWNET") | c("CLONE_NEWNS"))
    netns.mount(None, "/", None, c("MS_REC") | c("MS_PRIVATE"))
    netns.mount("tmpfs", "/run", "tmpfs", 0, "mode=0755")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    with tempfile.TemporaryDirectory() as data:
        samples = measure(rounds, Path(data))
    print(f"CNI macvlan, ours vs the reference ({REF}), {rounds} rounds, host-local IPAM, "
          f"python {sys.executable} {sys.version.split()[0]}")
    print(f"{'command':10} {'ours ms':>9} {'ref ms':>9} {'ratio':>6} {'ours CPU':>9} {'ref CPU':>8} "
          f"{'ratio':>6}")
    for command in COMMANDS:
        ours, ref = ([statistics.median(s[k] for s in samples[p][command]) * 1000 for k in (0, 1)]
                     for p in ("ours", "reference"))
        print(f"{command:10} {ours[0]:9.2f} {ref[0]:9.2f} {ours[0] / ref[0]:5.2f}x "
              f"{ours[1]:9.2f} {ref[1]:8.2f} {ours[1] / max(ref[1], 1e-6):5.2f}x")
    print(f"where ours goes: {'wall ms':>33} {'CPU ms':>9}")
    for name, (wall, cpu) in breakdown(rounds).items():
        print(f"  {name:54} {wall * 1000:7.2f} {cpu * 1000:9.2f}")


if __name__ == "__main__":
    main()
