"""The CNI macvlan example (examples/cni/macvlan) against the reference plugin, on the kernel.

The pytest process's own (throwaway) namespace is the "host": two veth ends, ``cniref0`` and
``cniour0``, are the masters of the reference plugin (/usr/lib/cni/macvlan, containernetworking-plugins)
and of ours. Containers are named namespaces in the private /run/netns. Each differential case runs
the same configuration through both plugins in twin containers and compares the printed result and
what ``ip -d -j`` sees in the container; at the end, the same containers through real CNI consumers:
podman 4.3 on its CNI backend, and libcni 1.1 (which calls CHECK; podman 4.3 never does).
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import REPO

OURS = str(REPO / "examples" / "cni" / "macvlan")
CNI_DIR = "/usr/lib/cni"
REF = f"{CNI_DIR}/macvlan"
MASTERS = {REF: "cniref0", OURS: "cniour0"}
REF_VERSIONS = ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0")  # what the reference (1.1.1) speaks
_ids = itertools.count()



def test_the_tools_these_tests_need_are_installed() -> None:
    """The differential tests below need the reference plugin, podman, and Go with libcni's sources;
    the README's test command installs them (a missing one fails here instead of being skipped)."""
    missing = [what for ok, what in ((os.access(REF, os.X_OK), "containernetworking-plugins"),
                                     (all(map(shutil.which, PODMAN_TOOLS)) and os.path.exists(BUSYBOX),
                                      "podman, crun, conmon, busybox-static"),
                                     (shutil.which("go") is not None and os.path.isdir(LIBCNI),
                                      "golang-go, golang-github-appc-cni-dev"))
               if not ok]
    assert not missing, f"not installed: {missing} (see the README's test command)"


def ip(*args: str, ns: str | None = None) -> Any:
    cmd = ["ip", *(["-n", ns] if ns else []), "-j", *args]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out) if out.strip() else []


def sh(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


Env = Mapping[str, "str | None"]


def invoke(plugin: str, command: str, conf: Any, *, netns: str | None = None, ifname: str = "eth0",
           cid: str = "ctr1", args: str | None = None, env: Env | None = None) -> tuple[int, Any]:
    """Run one plugin as a runtime would; (exit status, parsed stdout or None)."""
    full: dict[str, str | None] = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO),
                                   "CNI_COMMAND": command, "CNI_CONTAINERID": cid, "CNI_IFNAME": ifname,
                                   "CNI_PATH": CNI_DIR}
    if netns is not None:
        full["CNI_NETNS"] = netns
    if args is not None:
        full["CNI_ARGS"] = args
    full.update(env or {})
    data = conf if isinstance(conf, str) else json.dumps(conf)
    proc = subprocess.run([plugin], input=data.encode(), capture_output=True, timeout=60,
                          env={k: v for k, v in full.items() if v is not None})
    out = proc.stdout.decode()
    assert not proc.stderr or plugin != OURS, proc.stderr.decode()  # ours never prints a traceback
    return proc.returncode, json.loads(out) if out.strip() else None


@pytest.fixture(scope="module")
def host() -> Iterator[None]:
    """The masters, up, plus a default route on cniour0 (for the 'no master given' case)."""
    for name in MASTERS.values():
        sh("ip", "link", "add", name, "type", "veth", "peer", "name", name + "p")
        sh("ip", "link", "set", name + "p", "up")
        sh("ip", "link", "set", name, "up")
    sh("ip", "route", "add", "default", "dev", "cniour0")
    try:
        yield
    finally:
        for name in MASTERS.values():
            subprocess.run(["ip", "link", "del", name], check=False)


@pytest.fixture
def netns() -> Iterator[Any]:
    """A factory of named container namespaces, all deleted afterwards."""
    made: list[str] = []

    def make(prefix: str = "c") -> str:
        name = f"{prefix}{next(_ids)}"
        sh("ip", "netns", "add", name)
        made.append(name)
        return name

    yield make
    for name in made:  # links first: a namespace is dismantled asynchronously, its macvlans with it
        for link in ip("link", "show", ns=name):
            if link["ifname"] != "lo":
                subprocess.run(["ip", "-n", name, "link", "del", link["ifname"]], check=False)
        subprocess.run(["ip", "netns", "del", name], check=False)


def conf_for(plugin: str, base: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    """``base`` with this plugin's master and its own host-local dataDir (so both allocate alike)."""
    conf: dict[str, Any] = json.loads(json.dumps(base))
    if conf.get("master") == "MASTER":
        conf["master"] = MASTERS[plugin]
    ipam = conf.get("ipam")
    if isinstance(ipam, dict) and ipam.get("type") == "host-local":
        ipam["dataDir"] = str(data_dir / Path(plugin).name / ("ours" if plugin == OURS else "ref"))
    return conf


def leases(data_dir: Path) -> list[str]:
    """host-local's lease files (one per allocated address) under ``data_dir``."""
    return sorted(p.name for p in data_dir.rglob("*") if p.is_file()
                  and p.name not in ("lock",) and not p.name.startswith("last_reserved_ip"))


def snapshot(ns: str, ifname: str, *, random_mac: bool) -> dict[str, Any]:
    """What matters of the container interface, as ``ip -d -j`` reports it, made comparable."""
    host_names = {x["ifindex"]: x["ifname"] for x in ip("link", "show")}
    link = ip("-d", "link", "show", ifname, ns=ns)[0]
    keys = ("ifname", "flags", "mtu", "link_type", "broadcast", "promiscuity", "group", "txqlen", "min_mtu",
            "max_mtu", "link_netnsid")
    out: dict[str, Any] = {k: link.get(k) for k in keys}
    out["kind"] = link["linkinfo"]["info_kind"]
    out["info_data"] = link["linkinfo"].get("info_data")
    parent = host_names.get(link.get("link_index"))
    out["parent"] = "MASTER" if parent in MASTERS.values() else parent
    out["parent_promiscuity"] = ip("-d", "link", "show", parent)[0]["promiscuity"] if parent else None
    if not random_mac:
        out["address"] = link["address"]
    addrs = []
    for a in ip("addr", "show", "dev", ifname, ns=ns)[0]["addr_info"]:
        local = a["local"]
        if random_mac and local.startswith("fe80:"):
            local = "fe80::(from the MAC)"
        addrs.append((a["family"], local, a["prefixlen"], a.get("broadcast"), a["scope"],
                      bool(a.get("noprefixroute"))))
    out["addresses"] = sorted(addrs)
    routes = []
    for family in ("-4", "-6"):
        for r in ip(family, "route", "show", "table", "main", ns=ns):
            dst = r["dst"]
            if random_mac and r.get("prefsrc", "").startswith("fe80:"):
                r.pop("prefsrc")
            routes.append((family, dst, r.get("gateway"), r.get("dev"), r.get("protocol"), r.get("scope"),
                           r.get("metric"), r.get("prefsrc"), tuple(r.get("flags", ()))))
    out["routes"] = sorted(routes, key=repr)
    out["arp_notify"] = sysctl(ns, f"net/ipv4/conf/{ifname}/arp_notify")
    return out


def sysctl(ns: str, key: str) -> str:
    proc = subprocess.run(["ip", "netns", "exec", ns, "cat", f"/proc/sys/{key}"],
                          capture_output=True, text=True)
    return proc.stdout.strip()


def normalize(result: Any, *, random_mac: bool) -> Any:
    """A printed result without what differs by construction: the netns path and a random MAC."""
    result = json.loads(json.dumps(result))
    for iface in result.get("interfaces", []):
        iface["sandbox"] = "NETNS" if iface.get("sandbox") else iface.get("sandbox")
        if random_mac:
            assert len(iface.pop("mac").split(":")) == 6
    return result


def twin_add(netns: Any, tmp_path: Path, base: dict[str, Any], *, args: str | None = None,
             random_mac: bool = True, env: Env | None = None) -> dict[str, Any]:
    """ADD through both plugins in twin namespaces; the results and the links must match. Then DEL."""
    seen = {}
    for plugin in (REF, OURS):
        ns = netns("ref" if plugin == REF else "our")
        conf = conf_for(plugin, base, tmp_path)
        rc, result = invoke(plugin, "ADD", conf, netns=f"/run/netns/{ns}", args=args, env=env)
        assert rc == 0, (plugin, result)
        assert "ip4" in result or result["interfaces"][0]["sandbox"] == f"/run/netns/{ns}"
        seen[plugin] = (normalize(result, random_mac=random_mac), snapshot(ns, "eth0", random_mac=random_mac),
                        ns, conf, result)
    assert seen[OURS][0] == seen[REF][0]
    assert seen[OURS][1] == seen[REF][1]
    # the reference (1.1.1) predates ndisc_notify; ours sets it with arp_notify, as later releases do
    assert sysctl(seen[OURS][2], "net/ipv6/conf/eth0/ndisc_notify") == seen[OURS][1]["arp_notify"]
    for plugin, (_, _, ns, conf, _) in seen.items():
        rc, out = invoke(plugin, "DEL", conf, netns=f"/run/netns/{ns}", args=args, env=env)
        assert rc == 0, (plugin, out)
        assert [x["ifname"] for x in ip("link", "show", ns=ns)] == ["lo"]
    assert leases(tmp_path / "macvlan") == []
    ours: dict[str, Any] = seen[OURS][4]
    return ours


def net_conf(version: str = "1.0.0", **extra: Any) -> dict[str, Any]:
    return {"cniVersion": version, "name": "testnet", "type": "macvlan", "master": "MASTER", **extra}


HOST_LOCAL = {"type": "host-local", "ranges": [[{"subnet": "198.51.100.0/24", "gateway": "198.51.100.1"}],
                                               [{"subnet": "2001:db8:1::/64"}]],
              "routes": [{"dst": "203.0.113.0/24"}, {"dst": "192.0.2.0/24", "gw": "198.51.100.254"}]}


# --- differential: same config, same environment, same result -----------------------------------


@pytest.mark.parametrize("mode", ["bridge", "private", "vepa", "passthru", None])
def test_modes_without_ipam(host: None, netns: Any, tmp_path: Path, mode: str | None) -> None:
    extra = {"mode": mode} if mode else {}
    result = twin_add(netns, tmp_path, net_conf(**extra))
    assert "ips" not in result and result["dns"] == {}


@pytest.mark.parametrize("version", REF_VERSIONS)
def test_versions_with_host_local(host: None, netns: Any, tmp_path: Path, version: str) -> None:
    dns = {"nameservers": ["192.0.2.53"], "search": ["example.org"]}
    result = twin_add(netns, tmp_path, net_conf(version, ipam=HOST_LOCAL, dns=dns))
    assert result["cniVersion"] == version and result["dns"] == dns
    if version in ("0.1.0", "0.2.0"):  # one address per family, each with its family's routes
        assert set(result) == {"cniVersion", "ip4", "ip6", "dns"}
        assert result["ip4"] == {"ip": "198.51.100.2/24", "gateway": "198.51.100.1", "routes": [
            {"dst": "203.0.113.0/24"}, {"dst": "192.0.2.0/24", "gw": "198.51.100.254"}]}
        assert result["ip6"] == {"ip": "2001:db8:1::2/64", "gateway": "2001:db8:1::1"}
        return
    assert [ip["address"] for ip in result["ips"]] == ["198.51.100.2/24", "2001:db8:1::2/64"]
    assert ("version" in result["ips"][0]) == (version != "1.0.0")


def test_no_cni_version_is_0_1_0(host: None, netns: Any, tmp_path: Path) -> None:
    conf = net_conf(ipam=HOST_LOCAL)
    del conf["cniVersion"]
    assert twin_add(netns, tmp_path, conf)["cniVersion"] == "0.1.0"


def fake_result_ipam(tmp_path: Path, result: dict[str, Any]) -> Path:
    """A CNI_PATH directory holding ``fakeresult``, an IPAM plugin whose ADD prints ``result``."""
    d = tmp_path / "bin"
    d.mkdir(exist_ok=True)
    script = d / "fakeresult"
    script.write_text(f"#!/bin/sh\n[ \"$CNI_COMMAND\" = ADD ] && echo '{json.dumps(result)}'\nexit 0\n")
    script.chmod(0o755)
    return d


# One IPAM answer written in each version's shape: two IPv4 addresses in the newer shapes (a legacy
# result keeps the first), an IPv6 address without a gateway, routes of both families, a "dns" of its
# own (the macvlan plugin prints the config's, not IPAM's)
IPS = [{"address": "198.51.100.5/24", "gateway": "198.51.100.1"}, {"address": "203.0.113.5/24"},
       {"address": "2001:db8:5::5/64"}]
ROUTES = [{"dst": "192.0.2.0/24"}, {"dst": "0.0.0.0/0", "gw": "198.51.100.254"}, {"dst": "2001:db8:6::/48"}]
IPAM_RESULTS: dict[str, dict[str, Any]] = {
    "0.2.0": {"cniVersion": "0.2.0", "ip4": {"ip": "198.51.100.5/24", "gateway": "198.51.100.1",
                                             "routes": ROUTES[:2]},
              "ip6": {"ip": "2001:db8:5::5/64", "routes": ROUTES[2:]}, "dns": {"domain": "ipam.example"}},
    "0.4.0": {"cniVersion": "0.4.0", "ips": [{"version": "46"[":" in ip["address"]], **ip} for ip in IPS],
              "routes": ROUTES, "dns": {"domain": "ipam.example"}},
    "1.0.0": {"cniVersion": "1.0.0", "ips": IPS, "routes": ROUTES, "dns": {"domain": "ipam.example"}},
}
IPAM_RESULTS["0.1.0"] = {**IPAM_RESULTS["0.2.0"], "cniVersion": "0.1.0"}
IPAM_RESULTS["0.3.1"] = {**IPAM_RESULTS["0.4.0"], "cniVersion": "0.3.1"}
IPAM_RESULTS["none"] = {k: v for k, v in IPAM_RESULTS["0.4.0"].items() if k != "cniVersion"}  # the config's


@pytest.mark.parametrize(("ipam_version", "conf_version"), [
    (i, c) for i in IPAM_RESULTS for c in ("0.2.0", "0.3.1", "0.4.0", "1.0.0") if (i, c) != ("none", "0.2.0")
])
def test_ipam_result_conversion(host: None, netns: Any, tmp_path: Path, conf_version: str,
                                ipam_version: str) -> None:
    """An IPAM plugin answering in another version than the config's: read and printed as the
    reference (libcni's converters) does, in every direction; an unversioned answer is taken to be
    in the config's version (a 0.4.0 shape under a 0.2.0 config has no address: the next test)."""
    env = {"CNI_PATH": str(fake_result_ipam(tmp_path, IPAM_RESULTS[ipam_version]))}
    result = twin_add(netns, tmp_path, net_conf(conf_version, ipam={"type": "fakeresult"}), env=env)
    assert result["cniVersion"] == conf_version and result["dns"] == {}
    if conf_version == "0.2.0":
        assert result["ip4"]["ip"] == "198.51.100.5/24" and result["ip6"]["ip"] == "2001:db8:5::5/64"
    else:
        want = 3 if ipam_version not in ("0.1.0", "0.2.0") else 2
        assert len(result["ips"]) == want and {ip["interface"] for ip in result["ips"]} == {0}
        assert len(result["routes"]) == 3


def test_ipam_result_of_an_unknown_version(host: None, netns: Any, tmp_path: Path) -> None:
    """Not a version libcni knows, or an answer without an address for the config's version: the
    reference's error, and no link left."""
    for answer in ({**IPAM_RESULTS["1.0.0"], "cniVersion": "0.9.9"}, IPAM_RESULTS["none"]):
        env = {"CNI_PATH": str(fake_result_ipam(tmp_path, answer))}
        codes = {}
        for plugin in (REF, OURS):
            ns = netns()
            conf = conf_for(plugin, net_conf("0.2.0", ipam={"type": "fakeresult"}), tmp_path)
            rc, err = invoke(plugin, "ADD", conf, netns=f"/run/netns/{ns}", env=env)
            assert rc == 1, (plugin, err)
            codes[plugin] = err["code"], err["msg"]
        assert codes[OURS] == codes[REF]
        assert [x["ifname"] for x in ip("link", "show", ns=ns)] == ["lo"]


@pytest.mark.parametrize("version", ["0.1.0", "0.2.0"])
def test_legacy_version_without_ipam(host: None, netns: Any, tmp_path: Path, version: str) -> None:
    """A 0.1.0/0.2.0 result needs an address: without IPAM both fail alike; ours creates nothing first.

    (The reference creates the link, then fails to print its result and leaves the link behind.)
    """
    errors = {}
    for plugin in (REF, OURS):
        ns = netns()
        conf = conf_for(plugin, net_conf(version), tmp_path)
        rc, err = invoke(plugin, "ADD", conf, netns=f"/run/netns/{ns}")
        assert rc == 1
        errors[plugin] = err["code"], err["msg"]
    assert errors[OURS] == errors[REF] == (999, "cannot convert: no valid IP addresses")
    assert [x["ifname"] for x in ip("link", "show", ns=ns)] == ["lo"]


@pytest.mark.parametrize("mode", ["private", "vepa", "passthru"])
def test_modes_with_ipam(host: None, netns: Any, tmp_path: Path, mode: str) -> None:
    twin_add(netns, tmp_path, net_conf("0.4.0", mode=mode, mtu=1400, ipam=HOST_LOCAL))


def test_static_ipam_with_gateways(host: None, netns: Any, tmp_path: Path) -> None:
    """Routes without "gw" take the first gateway of their family; an IPv6 gateway waits for DAD."""
    ipam = {"type": "static",
            "addresses": [{"address": "198.51.100.7/24", "gateway": "198.51.100.1"},
                          {"address": "2001:db8:2::7/64", "gateway": "2001:db8:2::1"}],
            "routes": [{"dst": "0.0.0.0/0"}, {"dst": "::/0"},
                       {"dst": "203.0.113.0/24", "gw": "198.51.100.9"}]}
    result = twin_add(netns, tmp_path, net_conf(ipam=ipam))
    assert result["routes"][0] == {"dst": "0.0.0.0/0"}


def test_static_ipam_without_gateways(host: None, netns: Any, tmp_path: Path) -> None:
    """No gateway at all: the routes are on-link, with the reference's (universe) scope."""
    ipam = {"type": "static", "addresses": [{"address": "198.51.100.8/24"}, {"address": "2001:db8:3::8/64"}],
            "routes": [{"dst": "203.0.113.0/24"}, {"dst": "2001:db8:4::/48"}]}
    twin_add(netns, tmp_path, net_conf("0.4.0", ipam=ipam))


@pytest.mark.parametrize(("conf", "args", "expect"), [
    ({"mac": "02:00:5e:00:53:01"}, None, "02:00:5e:00:53:01"),
    ({"mac": "02:00:5e:00:53:01"}, "IgnoreUnknown=1;MAC=02:00:5e:00:53:02", "02:00:5e:00:53:02"),
    ({"mac": "02:00:5e:00:53:01", "runtimeConfig": {"mac": "02:00:5e:00:53:03"}},
     "MAC=02:00:5e:00:53:02", "02:00:5e:00:53:03"),
])
def test_fixed_mac_precedence(host: None, netns: Any, tmp_path: Path, conf: dict[str, Any], args: str | None,
                              expect: str) -> None:
    result = twin_add(netns, tmp_path, net_conf("0.3.1", **conf), args=args, random_mac=False)
    assert result["interfaces"][0]["mac"] == expect


def test_passthru_takes_the_master_mac(host: None, netns: Any, tmp_path: Path) -> None:
    """A passthru child gets its parent's MAC, whatever "mac" asks for (the masters' MACs differ)."""
    result = twin_add(netns, tmp_path, net_conf(mode="passthru", mac="02:00:5e:00:53:04"))
    assert result["interfaces"][0]["mac"] == ip("link", "show", MASTERS[OURS])[0]["address"]


def test_default_master_is_the_default_route_link(host: None, netns: Any, tmp_path: Path) -> None:
    conf = net_conf(mtu=1500)
    del conf["master"]
    twin_add(netns, tmp_path, conf)


def test_check_after_add(host: None, netns: Any, tmp_path: Path) -> None:
    """CHECK agrees with the reference: fine right after ADD, an error once the MAC changed."""
    ipam = {**HOST_LOCAL, "routes": [{"dst": "192.0.2.0/24", "gw": "198.51.100.254"}]}
    for plugin in (REF, OURS):
        ns = netns()
        conf = conf_for(plugin, net_conf(ipam=ipam), tmp_path)
        rc, result = invoke(plugin, "ADD", conf, netns=f"/run/netns/{ns}")
        assert rc == 0
        checked = {**conf, "prevResult": result}
        assert invoke(plugin, "CHECK", checked, netns=f"/run/netns/{ns}") == (0, None)
        sh("ip", "-n", ns, "link", "set", "eth0", "address", "02:00:5e:00:53:99")
        rc, err = invoke(plugin, "CHECK", checked, netns=f"/run/netns/{ns}")
        assert (rc, err["code"]) == (1, 999) and "Mac" in err["msg"]
        assert invoke(plugin, "CHECK", conf, netns=f"/run/netns/{ns}")[1]["code"] == 999  # no prevResult
        assert invoke(plugin, "DEL", conf, netns=f"/run/netns/{ns}")[0] == 0
    assert leases(tmp_path) == []


def test_check_route_through_the_ip_gateway(host: None, netns: Any, tmp_path: Path) -> None:
    """A route without "gw" goes via the IP's gateway; CHECK right after ADD still passes.

    (The reference 1.1.1 fails this CHECK: it expects such a route to have no gateway at all.)
    """
    ns = netns()
    conf = conf_for(OURS, net_conf(ipam=HOST_LOCAL), tmp_path)
    rc, result = invoke(OURS, "ADD", conf, netns=f"/run/netns/{ns}")
    assert rc == 0 and {"dst": "203.0.113.0/24"} in result["routes"]
    route = ip("route", "show", "203.0.113.0/24", ns=ns)[0]
    assert route["gateway"] == "198.51.100.1"
    assert invoke(OURS, "CHECK", {**conf, "prevResult": result}, netns=f"/run/netns/{ns}") == (0, None)
    sh("ip", "-n", ns, "route", "del", "203.0.113.0/24")
    rc, err = invoke(OURS, "CHECK", {**conf, "prevResult": result}, netns=f"/run/netns/{ns}")
    assert (rc, err["code"]) == (1, 999) and "203.0.113.0/24" in err["msg"]
    assert invoke(OURS, "DEL", conf, netns=f"/run/netns/{ns}") == (0, None)


# --- bad input: the reference's error code, and nothing left behind -----------------------------


def clash(ns: str) -> None:
    sh("ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "peer0")


BAD: dict[str, tuple[Any, dict[str, Any], Any]] = {
    "malformed json": ('{"cniVersion": "1.0.0", "name": ', {}, None),
    "no name": ({"cniVersion": "1.0.0", "type": "macvlan", "master": "MASTER"}, {}, None),
    "no ifname": (net_conf(), {"CNI_IFNAME": None}, None),
    "no container id": (net_conf(), {"CNI_CONTAINERID": None}, None),
    "bad container id": (net_conf(), {"CNI_CONTAINERID": "-x"}, None),
    "bad ifname": (net_conf(), {"CNI_IFNAME": "a/b"}, None),
    "unknown command": (net_conf(), {"CNI_COMMAND": "FROB"}, None),
    "unsupported version": (net_conf("9.9.9"), {}, None),
    "mtu is a string": (net_conf(mtu="1400"), {}, None),
    "unknown mode": (net_conf(mode="hairpin", ipam=HOST_LOCAL), {}, None),
    "mtu above master": (net_conf(mtu=9000, ipam=HOST_LOCAL), {}, None),
    "negative mtu": (net_conf(mtu=-1), {}, None),
    "no such master": (net_conf(master="nosuch0", ipam=HOST_LOCAL), {}, None),
    "bad mac": (net_conf(mac="02:00:5e", ipam=HOST_LOCAL), {}, None),
    "unknown CNI_ARGS": (net_conf(), {"CNI_ARGS": "FOO=1"}, None),
    "CNI_ARGS pair with two '='": (net_conf(), {"CNI_ARGS": "IgnoreUnknown=1;FOO=a=b"}, None),
    "ipam not an object": (net_conf(ipam="host-local"), {}, None),
    "ipam type not a string": (net_conf(ipam={"type": 5}), {}, None),
    "ipam not an object, DEL": (net_conf(ipam="host-local"), {"CNI_COMMAND": "DEL"}, None),
    "bad mac in passthru mode": (net_conf(mode="passthru", mac="zz"), {}, None),
    "missing netns": (net_conf(ipam=HOST_LOCAL), {"CNI_NETNS": "/run/netns/nosuch"}, None),
    "name clash": (net_conf(ipam=HOST_LOCAL), {}, clash),
    "no such ipam plugin": (net_conf(ipam={"type": "nosuch"}), {}, None),
    "ipam refuses": (net_conf(ipam={"type": "host-local"}), {}, None),
    "unreachable route gateway": (net_conf(ipam={**HOST_LOCAL, "routes": [{"dst": "203.0.113.0/24",
                                                                           "gw": "192.0.2.1"}]}), {}, None),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input(host: None, netns: Any, tmp_path: Path, case: str) -> None:
    base, env, prepare = BAD[case]
    codes = {}
    for plugin in (REF, OURS):
        ns = netns()
        if prepare:
            prepare(ns)
        before = ip("link", "show", ns=ns)
        conf = base if isinstance(base, str) else conf_for(plugin, base, tmp_path)
        env = {"CNI_NETNS": f"/run/netns/{ns}", **env}
        rc, err = invoke(plugin, env.get("CNI_COMMAND") or "ADD", conf, env=env)
        assert rc == 1 and isinstance(err, dict) and err["msg"], (plugin, err)
        codes[plugin] = err["code"]
        if plugin == OURS:
            assert err["cniVersion"] in ("1.0.0", "1.1.0")
            assert ip("link", "show", ns=ns) == before, "a link was left in the container"
            assert leases(tmp_path / "macvlan") == [], "an IPAM allocation was left"
    assert codes[OURS] == codes[REF]
    assert {x["ifname"] for x in ip("link", "show")} >= set(MASTERS.values())
    assert not [x for x in ip("link", "show") if x.get("ifname", "").startswith("mv")]


def test_failed_add_after_ipam_releases_everything(host: None, netns: Any, tmp_path: Path) -> None:
    """A failure after the allocation (a route the kernel refuses): the link and the lease go."""
    ns = netns()
    bad_route = [{"dst": "203.0.113.0/24", "gw": "192.0.2.1"}]
    conf = conf_for(OURS, net_conf(ipam={**HOST_LOCAL, "routes": bad_route}), tmp_path)
    rc, err = invoke(OURS, "ADD", conf, netns=f"/run/netns/{ns}")
    assert (rc, err["code"]) == (1, 999) and "route" in err["msg"]
    assert [x["ifname"] for x in ip("link", "show", ns=ns)] == ["lo"]
    assert leases(tmp_path) == []
    assert (tmp_path / "macvlan" / "ours" / "testnet").is_dir()  # host-local did allocate, then released


# --- DEL is idempotent --------------------------------------------------------------------------


def test_del_is_idempotent(host: None, netns: Any, tmp_path: Path) -> None:
    ns = netns()
    conf = conf_for(OURS, net_conf(ipam=HOST_LOCAL), tmp_path)
    assert invoke(OURS, "ADD", conf, netns=f"/run/netns/{ns}")[0] == 0
    assert len(leases(tmp_path)) == 2
    for _ in range(2):  # link there, then gone
        assert invoke(OURS, "DEL", conf, netns=f"/run/netns/{ns}") == (0, None)
    assert leases(tmp_path) == []
    assert invoke(OURS, "DEL", conf, netns="/run/netns/nosuch") == (0, None)
    assert invoke(OURS, "DEL", conf) == (0, None)  # no CNI_NETNS at all
    gone = {**conf, "master": "nosuch0"}  # the reference 1.1.1 fails here (it looks the master up)
    assert invoke(OURS, "DEL", gone, netns=f"/run/netns/{ns}") == (0, None)


@pytest.mark.parametrize("ifname", ["eth%d", "e%s", "x\u00e0", "a b"])
def test_ifname_the_kernel_would_expand_or_refuse(host: None, netns: Any, tmp_path: Path,
                                                  ifname: str) -> None:
    """``eth%d`` would become ``eth0`` (a name nobody asked for), and 0xA0 (the second byte of "\u00e0")
    is a space to the kernel: code 4 before anything exists, and nothing is left."""
    ns = netns()
    conf = conf_for(OURS, net_conf(ipam=HOST_LOCAL), tmp_path)
    rc, err = invoke(OURS, "ADD", conf, netns=f"/run/netns/{ns}", ifname=ifname)
    assert (rc, err["code"]) == (1, 4), err
    assert [x["ifname"] for x in ip("link", "show", ns=ns)] == ["lo"]
    assert leases(tmp_path) == []


# --- beyond the reference: linkInContainer, bcqueuelen, spec 1.1.0 --------------------------------


def test_link_in_container(host: None, netns: Any, tmp_path: Path) -> None:
    """The master is a veth end inside the container; no master given: its default route's link."""
    ns = netns()
    sh("ip", "link", "add", "inner0", "netns", ns, "type", "veth", "peer", "name", "outer0")
    try:
        sh("ip", "link", "set", "outer0", "up")
        sh("ip", "-n", ns, "link", "set", "inner0", "up")
        sh("ip", "-n", ns, "link", "set", "inner0", "mtu", "1450")
        sh("ip", "-n", ns, "route", "add", "default", "dev", "inner0")
        conf = conf_for(OURS, net_conf(linkInContainer=True, ipam=HOST_LOCAL), tmp_path)
        del conf["master"]
        rc, result = invoke(OURS, "ADD", conf, netns=f"/run/netns/{ns}")
        assert rc == 0, result
        inner = ip("link", "show", "inner0", ns=ns)[0]
        link = ip("-d", "link", "show", "eth0", ns=ns)[0]
        assert link["linkinfo"]["info_kind"] == "macvlan" and link["link"] == inner["ifname"]
        assert "link_netnsid" not in link and link["mtu"] == 1450
        assert result["interfaces"][0]["mac"] == link["address"]
        rc, err = invoke(OURS, "ADD", {**conf, "mtu": 1500}, netns=f"/run/netns/{ns}", ifname="eth1")
        assert (rc, err["code"]) == (1, 999) and "1450" in err["msg"]  # bounded by the inner master
        assert invoke(OURS, "DEL", conf, netns=f"/run/netns/{ns}") == (0, None)
        assert [x["ifname"] for x in ip("link", "show", ns=ns)] == ["lo", "inner0"]
    finally:
        subprocess.run(["ip", "link", "del", "outer0"], check=False)


def test_bcqueuelen(host: None, netns: Any) -> None:
    ns = netns()
    conf = {**net_conf(bcqueuelen=123), "master": MASTERS[OURS]}
    assert invoke(OURS, "ADD", conf, netns=f"/run/netns/{ns}")[0] == 0
    assert ip("-d", "link", "show", "eth0", ns=ns)[0]["linkinfo"]["info_data"]["bcqueuelen"] == 123


def test_version_command() -> None:
    """sh answers VERSION without Python; Python's own answer (run directly) is the same text."""
    rc, out = invoke(OURS, "VERSION", {"cniVersion": "1.1.0"})
    assert rc == 0 and out == {"cniVersion": "1.1.0", "supportedVersions": [*REF_VERSIONS, "1.1.0"]}
    env = {"PATH": os.environ["PATH"], "CNI_COMMAND": "VERSION"}
    by_sh = subprocess.run([OURS], env=env, capture_output=True, check=True).stdout
    by_python = subprocess.run([sys.executable, "-I", "-S", OURS], env=env, capture_output=True, check=True)
    assert by_sh == by_python.stdout and not by_python.stderr
    assert invoke(REF, "VERSION", {})[1]["supportedVersions"] == list(REF_VERSIONS)


def test_spec_1_1_0_add_check_del(host: None, netns: Any) -> None:
    ns = netns()
    conf = {**net_conf("1.1.0"), "master": MASTERS[OURS]}
    rc, result = invoke(OURS, "ADD", conf, netns=f"/run/netns/{ns}")
    assert rc == 0 and result["cniVersion"] == "1.1.0"
    assert set(result) == {"cniVersion", "interfaces"}  # an empty "dns" is left out from 1.1.0 on
    assert set(result["interfaces"][0]) == {"name", "mac", "mtu", "sandbox"}  # "mtu" is new in 1.1.0
    assert result["interfaces"][0]["mtu"] == ip("link", "show", "eth0", ns=ns)[0]["mtu"]
    assert invoke(OURS, "CHECK", {**conf, "prevResult": result}, netns=f"/run/netns/{ns}") == (0, None)
    assert invoke(OURS, "DEL", conf, netns=f"/run/netns/{ns}") == (0, None)


def fake_ipam(tmp_path: Path, *, status_code: int = 0, add_result: dict[str, Any] | None = None) -> Path:
    """An IPAM plugin that speaks 1.1.0 and logs its commands (host-local 1.1.1 does not speak 1.1.0);
    ADD prints ``add_result``."""
    d = tmp_path / "bin"
    d.mkdir(exist_ok=True)
    log = tmp_path / "ipam.log"
    script = d / "fakeipam"
    script.write_text(f"""#!/bin/sh
echo "$CNI_COMMAND" >> {log}
case "$CNI_COMMAND" in
ADD) echo '{json.dumps(add_result or {})}';;
VERSION) echo '{{"cniVersion":"1.1.0","supportedVersions":["1.0.0","1.1.0"]}}';;
STATUS) if [ {status_code} != 0 ]; then echo '{{"code":{status_code},"msg":"pool exhausted"}}'; exit 1; fi;;
esac
""")
    script.chmod(0o755)
    return d


def test_status(host: None, tmp_path: Path) -> None:
    conf = {**net_conf("1.1.0"), "master": MASTERS[OURS]}
    env = {"CNI_NETNS": None, "CNI_IFNAME": None, "CNI_CONTAINERID": None}
    assert invoke(OURS, "STATUS", conf, env=env) == (0, None)
    rc, err = invoke(OURS, "STATUS", {**conf, "master": "nosuch0"}, env=env)
    assert (rc, err["code"]) == (1, 50)
    rc, err = invoke(OURS, "STATUS", {**conf, "ipam": {"type": "nosuch"}}, env=env)
    assert (rc, err["code"]) == (1, 50)
    bindir = fake_ipam(tmp_path, status_code=51)
    fake = {**conf, "ipam": {"type": "fakeipam"}}
    rc, err = invoke(OURS, "STATUS", fake, env={**env, "CNI_PATH": str(bindir)})
    assert (rc, err["code"], err["msg"]) == (1, 51, "pool exhausted")
    assert (tmp_path / "ipam.log").read_text().split() == ["VERSION", "STATUS"]
    rc, err = invoke(OURS, "STATUS", net_conf("1.0.0"), env=env)
    assert (rc, err["code"]) == (1, 1)  # STATUS came with spec 1.1.0


def test_spec_1_1_0_route_fields_are_applied(host: None, netns: Any, tmp_path: Path) -> None:
    """1.1.0 routes: table, priority, scope and the route metrics mtu/advmss reach the kernel, and
    the result reports them."""
    routes = [{"dst": "203.0.113.0/24", "priority": 50, "table": 100, "mtu": 1300, "advmss": 1200},
              {"dst": "192.0.2.0/24", "scope": 253}]
    bindir = fake_ipam(tmp_path, add_result={
        "cniVersion": "1.1.0", "ips": [{"address": "198.51.100.50/24"}], "routes": routes})  # on-link
    ns = netns()
    conf = {**net_conf("1.1.0", ipam={"type": "fakeipam"}), "master": MASTERS[OURS]}
    env = {"CNI_PATH": str(bindir)}
    rc, result = invoke(OURS, "ADD", conf, netns=f"/run/netns/{ns}", env=env)
    assert rc == 0, result
    assert result["routes"] == [{"dst": "203.0.113.0/24", "mtu": 1300, "advmss": 1200, "priority": 50,
                                 "table": 100}, {"dst": "192.0.2.0/24", "scope": 253}]
    (in_100,) = ip("route", "show", "table", "100", ns=ns)
    assert (in_100["dst"], in_100["dev"], in_100["metric"], in_100.get("scope")) == \
        ("203.0.113.0/24", "eth0", 50, None)  # ip prints no scope for universe, the default
    assert in_100["metrics"] == [{"mtu": 1300, "advmss": 1200}]
    main = {r["dst"]: r for r in ip("route", "show", "table", "main", ns=ns)}
    assert "203.0.113.0/24" not in main
    assert main["192.0.2.0/24"]["scope"] == "link" and main["192.0.2.0/24"]["dev"] == "eth0"
    assert "metrics" not in main["192.0.2.0/24"]  # none asked for, none set
    checked = {**conf, "prevResult": result}
    assert invoke(OURS, "CHECK", checked, netns=f"/run/netns/{ns}", env=env) == (0, None)
    sh("ip", "-n", ns, "route", "del", "203.0.113.0/24", "table", "100")
    rc, err = invoke(OURS, "CHECK", checked, netns=f"/run/netns/{ns}", env=env)
    assert (rc, err["code"]) == (1, 999) and "203.0.113.0/24" in err["msg"]
    assert invoke(OURS, "DEL", conf, netns=f"/run/netns/{ns}", env=env) == (0, None)


@pytest.mark.parametrize("conf_version", ["0.2.0", "0.4.0", "1.0.0", "1.1.0"])
def test_ipam_result_1_1_0_in_every_version(host: None, netns: Any, tmp_path: Path,
                                            conf_version: str) -> None:
    """Beyond the reference (it predates 1.1.0): a 1.1.0 IPAM answer under each config version, and
    each older answer under a 1.1.0 config. The 1.1.0 route fields and an interface's "mtu" are printed
    only in a 1.1.0 result; the route is applied to the kernel whatever the result can say."""
    route = {"dst": "192.0.2.0/24", "priority": 70, "table": 100}
    answer = {"cniVersion": "1.1.0", "ips": [{"address": "198.51.100.70/24"}], "routes": [route]}
    for ipam_version, ipam_answer in [("1.1.0", answer), *IPAM_RESULTS.items()]:
        if ipam_version != "1.1.0" and conf_version != "1.1.0":
            continue
        ns = netns()
        env = {"CNI_PATH": str(fake_result_ipam(tmp_path, ipam_answer))}
        conf = {**net_conf(conf_version, ipam={"type": "fakeresult"}), "master": MASTERS[OURS]}
        rc, result = invoke(OURS, "ADD", conf, netns=f"/run/netns/{ns}", env=env)
        assert rc == 0, result
        assert result["cniVersion"] == conf_version
        if conf_version == "0.2.0":
            assert result["ip4"] == {"ip": "198.51.100.70/24", "routes": [{"dst": "192.0.2.0/24"}]}
        elif ipam_version == "1.1.0":
            assert result["routes"] == [route if conf_version == "1.1.0" else {"dst": "192.0.2.0/24"}]
            assert ("mtu" in result["interfaces"][0]) == (conf_version == "1.1.0")
        else:
            assert len(result["routes"]) == 3 and result["interfaces"][0]["mtu"] == 1500
        if ipam_version == "1.1.0":
            (applied,) = ip("route", "show", "table", "100", ns=ns)
            assert (applied["dst"], applied["metric"]) == ("192.0.2.0/24", 70)
        assert invoke(OURS, "DEL", conf, netns=f"/run/netns/{ns}", env=env) == (0, None)


def test_gc_delegates_to_ipam(host: None, tmp_path: Path) -> None:
    bindir = fake_ipam(tmp_path)
    conf = {**net_conf("1.1.0", ipam={"type": "fakeipam"}),
            "cni.dev/valid-attachments": [{"containerID": "ctr1", "ifname": "eth0"}]}
    env = {"CNI_NETNS": None, "CNI_IFNAME": None, "CNI_CONTAINERID": None, "CNI_PATH": str(bindir)}
    assert invoke(OURS, "GC", conf, env=env) == (0, None)
    assert (tmp_path / "ipam.log").read_text().split() == ["VERSION", "GC"]
    rc, err = invoke(OURS, "GC", {**conf, "cni.dev/valid-attachments": {}}, env=env)
    assert (rc, err["code"]) == (1, 7)


# --- containers talk ------------------------------------------------------------------------------


def test_two_containers_ping_in_bridge_mode(host: None, netns: Any, tmp_path: Path) -> None:
    conf = conf_for(OURS, net_conf(ipam={"type": "host-local", "subnet": "198.51.100.0/24"}), tmp_path)
    addrs = {}
    for cid in ("a", "b"):
        ns = netns()
        rc, result = invoke(OURS, "ADD", conf, netns=f"/run/netns/{ns}", cid=cid)
        assert rc == 0, result
        addrs[ns] = ipaddress.ip_interface(result["ips"][0]["address"]).ip
    (a, ip_a), (b, ip_b) = addrs.items()
    for src, dst in ((a, ip_b), (b, ip_a)):
        sh("ip", "netns", "exec", src, "ping", "-c", "1", "-W", "5", str(dst))


def test_unreadable_stdin_is_an_io_failure() -> None:
    """Code 5 when the configuration cannot even be read (stdin is the write end of a pipe here)."""
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), "CNI_COMMAND": "ADD", "CNI_CONTAINERID": "c",
           "CNI_IFNAME": "eth0", "CNI_NETNS": "/nonexistent", "CNI_PATH": CNI_DIR}
    r, w = os.pipe()
    try:
        proc = subprocess.run([OURS], stdin=w, capture_output=True, timeout=60, env=env)
    finally:
        os.close(r)
        os.close(w)
    assert proc.returncode == 1 and not proc.stderr
    assert json.loads(proc.stdout)["code"] == 5


# --- under a runtime: podman 4.3 on its CNI backend ---------------------------------------------
#
# Everything podman keeps goes to a private directory (containers.conf, storage.conf, the network
# configs, the plugin directory); its network namespaces land in the test's private /run/netns. Two
# things are fixed paths in podman 4.3 and are covered for the length of the test: libcni's cache
# (/var/lib/cni, under a tmpfs on /var/lib) and the cgroup mount crun checks even with cgroups disabled
# (the test's own sysfs has none, so cgroup2 is mounted there). No image is pulled: the containers run
# a busybox rootfs built from busybox-static.

PODMAN_TOOLS = ("podman", "crun", "conmon")
BUSYBOX = "/bin/busybox"


@pytest.fixture(scope="module")
def podman_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The host side: two veth pairs (a macvlan master and a gateway each), the busybox rootfs, the
    fixed paths covered; yields the rootfs."""
    rootfs = tmp_path_factory.mktemp("rootfs")
    for d in ("bin", "etc", "proc", "sys", "dev", "tmp"):
        (rootfs / d).mkdir()
    shutil.copy(BUSYBOX, rootfs / "bin" / "busybox")
    for applet in ("sh", "sleep", "ping", "ip"):
        (rootfs / "bin" / applet).symlink_to("busybox")
    for master, gateway in PODMAN_NETS.values():
        sh("ip", "link", "add", master, "type", "veth", "peer", "name", master + "p")
        for name in (master, master + "p"):
            sh("ip", "link", "set", name, "up")
        sh("ip", "addr", "add", gateway, "dev", master + "p")
    sh("mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/var/lib")
    sh("mount", "-t", "cgroup2", "cgroup2", "/sys/fs/cgroup")
    try:
        yield rootfs
    finally:
        sh("umount", "/sys/fs/cgroup")
        sh("umount", "/var/lib")
        for master, _ in PODMAN_NETS.values():
            sh("ip", "link", "del", master)


PODMAN_NETS = {"mv1": ("pm0", "198.51.100.1/24"), "mv2": ("pm1", "203.0.113.1/24")}
FIXED_MAC, FIXED_IP = "02:00:5e:00:53:42", "203.0.113.42"


def podman_world(tmp: Path, plugin: str, version: str) -> dict[str, str]:
    """A private podman configuration whose ``macvlan`` is ``plugin``; the environment to run it."""
    plugins, nets = tmp / "plugins", tmp / "net"
    plugins.mkdir()
    nets.mkdir()
    for p in Path(CNI_DIR).iterdir():
        (plugins / p.name).symlink_to(plugin if p.name == "macvlan" else p)
    for name, (master, gateway) in PODMAN_NETS.items():
        subnet = str(ipaddress.ip_interface(gateway).network)
        ipam = {"type": "host-local", "ranges": [[{"subnet": subnet, "gateway": gateway.split("/")[0]}]],
                "dataDir": str(tmp / "ipam")}
        if name == "mv1":
            ipam["routes"] = [{"dst": "0.0.0.0/0"}]
        conf = {"type": "macvlan", "master": master, "mode": "bridge", "ipam": ipam,
                "capabilities": {"mac": True, "ips": True}}  # podman's --mac-address and --ip
        (nets / f"{name}.conflist").write_text(json.dumps({"cniVersion": version, "name": name,
                                                           "plugins": [conf]}))
    (tmp / "containers.conf").write_text(f"""[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "{tmp}/events.log"
runtime = "crun"
tmp_dir = "{tmp}/tmp"
[network]
network_backend = "cni"
cni_plugin_dirs = ["{plugins}"]
network_config_dir = "{nets}"
""")
    (tmp / "storage.conf").write_text(f'[storage]\ndriver = "vfs"\ngraphroot = "{tmp}/root"\n'
                                      f'runroot = "{tmp}/runroot"\n')
    return {**os.environ, "CONTAINERS_CONF": str(tmp / "containers.conf"),
            "CONTAINERS_STORAGE_CONF": str(tmp / "storage.conf"),
            "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"}  # ours runs python3


def podman_scenario(tmp: Path, rootfs: Path, plugin: str, version: str) -> dict[str, Any]:
    """Two containers on mv1, one on mv2 with a fixed MAC and IP; pings, a restart, removal.
    Returns what was seen, made comparable between plugins (random MACs, names and ids left out)."""
    env = podman_world(tmp, plugin, version)

    def podman(*args: str, check: bool = True) -> str:
        proc = subprocess.run(["podman", *args], env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0 or not check, (args, proc.stderr)
        return proc.stdout

    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    run = ["run", "-d", "--cgroups=disabled", "--cap-add", "NET_RAW", f"--ulimit=nofile={nofile}:{nofile}",
           "--ulimit=nproc=32768:32768", "--rootfs"]  # podman lowers its own nproc to 32768 first
    seen: dict[str, Any] = {"networks": sorted(podman("network", "ls", "--format", "{{.Name}}").split())}
    links_before, netns_before = ip("link", "show"), sorted(os.listdir("/run/netns"))

    def sandbox(name: str) -> str:
        return Path(podman("inspect", name, "--format", "{{.NetworkSettings.SandboxKey}}").strip()).name

    def look(name: str, *, random_mac: bool) -> dict[str, Any]:
        ns = sandbox(name)
        nets = json.loads(podman("inspect", name, "--format", "{{json .NetworkSettings.Networks}}"))
        for net in nets.values():
            net.pop("Aliases", None)
            if random_mac:
                net.pop("MacAddress", None)
        return {"networks": nets, "eth0": snapshot(ns, "eth0", random_mac=random_mac)}

    def pings(name: str, *targets: str) -> list[bool]:
        return [subprocess.run(["podman", "exec", name, "ping", "-c", "1", "-W", "5", t], env=env,
                               capture_output=True).returncode == 0 for t in targets]

    try:
        for name in ("a", "b"):
            podman(*run, "--name", name, "--network", "mv1", str(rootfs), "sleep", "600")
        podman(*run, "--name", "c", "--network", "mv2", "--mac-address", FIXED_MAC, "--ip", FIXED_IP,
               str(rootfs), "sleep", "600")
        seen["a"], seen["b"] = look("a", random_mac=True), look("b", random_mac=True)
        seen["c"] = look("c", random_mac=False)
        addr = {n: ip("addr", "show", "eth0", ns=sandbox(n))[0]["addr_info"][0]["local"] for n in ("a", "b")}
        seen["pings"] = (pings("a", addr["b"], "198.51.100.1") + pings("b", addr["a"])
                         + pings("c", "203.0.113.1"))
        podman("restart", "-t", "0", "a")
        seen["a restarted"] = look("a", random_mac=True)
        seen["pings after restart"] = pings("b", "198.51.100.1") + pings("a", "198.51.100.1")
    finally:
        podman("rm", "-f", "-t", "0", "a", "b", "c", check=False)
    seen["left"] = {"links": ip("link", "show") != links_before,
                    "netns": sorted(os.listdir("/run/netns")) != netns_before,
                    "libcni cache": sorted(p.name for p in Path("/var/lib/cni").rglob("*") if p.is_file()),
                    "leases": leases(tmp / "ipam")}
    return seen


@pytest.mark.parametrize("version", ["0.2.0", "1.0.0"])
def test_podman(host: None, podman_host: Path, tmp_path: Path, version: str) -> None:
    """The same containers through podman, with ours and with the reference: the same networks seen,
    the same links, addresses and routes in the containers, every ping answered, nothing left."""
    seen = {}
    for plugin in (REF, OURS):
        world = tmp_path / ("ours" if plugin == OURS else "ref")
        world.mkdir()
        seen[plugin] = podman_scenario(world, podman_host, plugin, version)
    assert seen[OURS] == seen[REF]
    assert seen[OURS]["networks"] == ["mv1", "mv2", "podman"]
    assert all(seen[OURS]["pings"]) and all(seen[OURS]["pings after restart"])
    assert seen[OURS]["c"]["eth0"]["address"] == FIXED_MAC
    assert (FIXED_IP in str(seen[OURS]["c"]["eth0"]["addresses"]))
    assert seen[OURS]["left"] == {"links": False, "netns": False, "libcni cache": [], "leases": []}


# --- under libcni: CHECK as a runtime calls it ---------------------------------------------------

GOPATH = "/usr/share/gocode"  # Debian's Go sources; golang-github-appc-cni-dev puts libcni there
LIBCNI = f"{GOPATH}/src/github.com/containernetworking/cni/libcni"


@pytest.fixture(scope="module")
def cnirun(tmp_path_factory: pytest.TempPathFactory) -> str:
    """tests/support/cnirun.go built against Debian's libcni, offline (GOPATH mode)."""
    out = tmp_path_factory.mktemp("cnirun")
    env = {**os.environ, "GOPATH": GOPATH, "GO111MODULE": "off", "GOFLAGS": "", "GOCACHE": str(out / "cache")}
    subprocess.run(["go", "build", "-o", str(out / "cnirun"), str(REPO / "tests" / "support" / "cnirun.go")],
                   env=env, check=True, capture_output=True)
    return str(out / "cnirun")


def libcni(cnirun: str, action: str, world: Path, ns: str) -> tuple[int, str]:
    """(exit status, output) of cnirun for ``world``'s network list, plugins and cache."""
    proc = subprocess.run([cnirun, action, str(world / "net.conflist"), f"/run/netns/{ns}", "ctr1", "eth0",
                           str(world / "bin"), str(world / "cache")], capture_output=True, text=True,
                          env={"PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"})
    return proc.returncode, proc.stdout


@pytest.mark.parametrize("version", ["0.4.0", "1.0.0"])
def test_libcni_add_check_del(host: None, netns: Any, tmp_path: Path, cnirun: str, version: str) -> None:
    """libcni 1.1 runs ADD, CHECK (prevResult from its cache), CHECK after the MAC changed, DEL, with
    ours and with the reference: the same outcomes, and nothing left in the container or host-local."""
    # a route with its own gateway: the reference's CHECK fails one via the IP's gateway (see above)
    ipam = {**HOST_LOCAL, "routes": [{"dst": "192.0.2.0/24", "gw": "198.51.100.254"}]}
    seen = {}
    for plugin in (REF, OURS):
        ns, world = netns(), tmp_path / ("ours" if plugin == OURS else "ref")
        (world / "bin").mkdir(parents=True)
        for p in Path(CNI_DIR).iterdir():
            (world / "bin" / p.name).symlink_to(plugin if p.name == "macvlan" else p)
        conf = conf_for(plugin, net_conf(version, ipam=ipam), tmp_path)
        (world / "net.conflist").write_text(json.dumps({"cniVersion": version, "name": "testnet",
                                                        "plugins": [{k: v for k, v in conf.items()
                                                                     if k not in ("cniVersion", "name")}]}))
        rc, out = libcni(cnirun, "add", world, ns)
        assert rc == 0, out
        added = normalize(json.loads(out), random_mac=True)
        checked = libcni(cnirun, "check", world, ns)
        sh("ip", "-n", ns, "link", "set", "eth0", "address", "02:00:5e:00:53:99")
        rc, err = libcni(cnirun, "check", world, ns)
        seen[plugin] = added, checked, rc, "Mac" in err
        assert libcni(cnirun, "del", world, ns) == (0, "")
        assert [x["ifname"] for x in ip("link", "show", ns=ns)] == ["lo"]
    assert seen[OURS] == seen[REF]
    assert seen[OURS][1:] == ((0, ""), 1, True)
    assert leases(tmp_path / "macvlan") == []


# --- a CNI_NETNS that is not a network namespace (issue 14, class 4) ----------------------------------
# Ours only: the reference plugin's open(2) of a FIFO blocks until a writer comes.


@pytest.mark.parametrize("command", ["ADD", "CHECK", "DEL"])
def test_netns_that_is_not_a_namespace(host: None, tmp_path: Path, command: str) -> None:
    """A FIFO, a device, a directory or a file as CNI_NETNS: an error naming it at once (``invoke``
    times out after 60 s), never a hang, and nothing created."""
    fifo, directory, regular = tmp_path / "fifo", tmp_path / "dir", tmp_path / "file"
    os.mkfifo(fifo)
    directory.mkdir()
    regular.write_bytes(b"")
    conf = conf_for(OURS, net_conf(ipam=HOST_LOCAL), tmp_path / "data")
    for path in (str(fifo), "/dev/null", str(directory), str(regular)):
        rc, err = invoke(OURS, command, conf, netns=path)
        assert rc == 1 and isinstance(err, dict) and path in err["msg"], (path, err)
        assert "not a network namespace" in err["msg"], err
    assert leases(tmp_path / "data") == []
    assert not [x for x in ip("link", "show") if x.get("ifname", "").startswith("mv")]
