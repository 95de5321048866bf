"""The codec on known bytes (no root, no kernel): real kernel dumps, hand-made wire bytes, edge cases.

tests/data/*.bin were recorded from a 6.18 kernel by tools/record_fixtures.py (veths, a bridge with
a port, macvlans of every mode, macvtaps, alternative names, IPv4/IPv6 addresses and routes, an nsid,
error answers).
"""

from __future__ import annotations

import ipaddress
import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from rtnl import codec
from rtnl.codec import (
    IFLA,
    IFLA_INFO,
    IFLA_MACVLAN,
    NLA_F_NESTED,
    NLA_F_NET_BYTEORDER,
    RTM_NEWLINK,
    VETH_INFO,
    Attrs,
    Body,
    IfInfoMsg,
    Message,
    attribute_at,
    decode,
)
from rtnl.errors import DecodeError
from rtnl.links import Link, MacvlanMode
from tests.support.paths import DATA, REPO

FIXTURES = sorted(DATA.glob("*.bin"))


def nla(rtype: int, payload: bytes) -> bytes:
    """One attribute by hand: struct nlattr, payload, zero padding."""
    return struct.pack("=HH", 4 + len(payload), rtype) + payload + b"\0" * (-len(payload) % 4)


def newlink(attrs: bytes, index: int = 7, *, ifi_type: int = 1, flags: int = 0, seq: int = 1) -> bytes:
    body = struct.pack("=BxHiII", 0, ifi_type, index, 0, 0) + attrs
    return struct.pack("=IHHII", 16 + len(body), RTM_NEWLINK, flags, seq, 0) + body


def stream(msgs: list[Message]) -> bytes:
    return b"".join(e + b"\0" * (-len(e) % 4) for e in (m.encode() for m in msgs))


# ------------------------------------------------------------------------------------------------
# Real kernel bytes
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_kernel_bytes_round_trip_byte_for_byte(path: Path) -> None:
    """decode -> copy() (fully decoded, re-encoded from values) -> encode == the kernel's bytes:
    unknown attributes, unknown enum values, NLA_F_NESTED and padding are all kept."""
    data = path.read_bytes()
    msgs = decode(data)
    copies = [m.copy() for m in msgs]
    assert stream(copies) == data
    assert decode(stream(copies)) == msgs
    assert stream(msgs) == data  # lazily: the untouched buffers


def links() -> list[Message]:
    return [m for m in decode((DATA / "links_stats.bin").read_bytes()) if m.type == RTM_NEWLINK]


def by_name(name: str) -> Message:
    return next(m for m in links() if m.attrs is not None and m.attrs["IFLA_IFNAME"] == name)


def test_kernel_links_decode_to_values() -> None:
    """The recorded dump holds what record_fixtures.py built, read through the schemas."""
    got = {Link.from_message(m).name: Link.from_message(m) for m in links()}
    modes = {n: got[n].info.mode for n in ("mvpriv", "mvvepa", "mvbr", "mvpass", "mvsrc", "mvtap", "mvtsrc")}
    assert modes == {"mvpriv": MacvlanMode.PRIVATE, "mvvepa": MacvlanMode.VEPA, "mvbr": MacvlanMode.BRIDGE,
                     "mvpass": MacvlanMode.PASSTHRU, "mvsrc": MacvlanMode.SOURCE,
                     "mvtap": MacvlanMode.BRIDGE, "mvtsrc": MacvlanMode.SOURCE}
    assert got["mvsrc"].info.source_macs == ("02:00:5e:00:53:01", "02:00:5e:00:53:02")
    assert got["mvbr"].info.bc_queue_len == 333
    assert got["mvtap"].kind == "macvtap"
    assert got["v0p"].master == got["br0"].index and got["v0p"].port is not None
    assert got["br0"].info.stp_state == 1
    assert got["v2"].info.peer_netnsid is not None  # its peer lives in another namespace
    v0 = by_name("v0").attrs
    assert v0["IFLA_PROP_LIST"].get_all("IFLA_ALT_IFNAME") == ["an-alternative-name-for-v0", "second-altname"]
    assert v0["IFLA_PROP_LIST"].flags == NLA_F_NESTED  # the kernel nests the property list with the flag
    assert len(v0["IFLA_STATS64"]) >= 23
    assert by_name("mvbr").attrs["IFLA_IFALIAS"] == "a macvlan with an alias"


def test_kernel_addresses_and_routes_decode() -> None:
    addrs = [m for m in decode((DATA / "addrs.bin").read_bytes()) if m.type == codec.RTM_NEWADDR]
    labels = {m.attrs.get("IFA_LABEL") for m in addrs if m.attrs is not None}
    assert {"v0", "v0:sec", "mvbr"} <= labels
    locals_ = {m.attrs.get("IFA_ADDRESS") for m in addrs if m.attrs is not None}
    assert ipaddress.ip_address("2001:db8::1") in locals_
    routes = [m for m in decode((DATA / "routes.bin").read_bytes()) if m.type == codec.RTM_NEWROUTE]
    metrics = {(str(m.attrs.get("RTA_DST")), m.attrs.get("RTA_PRIORITY")) for m in routes if m.attrs}
    assert {("192.0.2.0", 50), ("2001:db8:2::", 77)} <= metrics
    tables = {m.attrs.get("RTA_TABLE") for m in routes if m.attrs is not None}
    assert {254, 100} <= tables


def test_kernel_error_answer_names_the_attribute() -> None:
    """An uncapped NLMSG_ERROR echoes the request; the ext-ack offset points into it."""
    [err] = decode((DATA / "error_name.bin").read_bytes())
    assert err.header.error == -34  # ERANGE: a 16-byte IFLA_IFNAME
    assert err.attrs["NLMSGERR_ATTR_MSG"] == "Attribute failed policy validation"
    # NLMSGERR_ATTR_POLICY arrives with NLA_F_NESTED; it is still found by name
    assert "NLMSGERR_ATTR_POLICY" in err.attrs
    request = struct.pack("=IHHII", *err.header.request) + err.header.payload
    assert attribute_at(request, err.attrs["NLMSGERR_ATTR_OFFS"]) == "IFLA_IFNAME"


def test_kernel_done_carries_error() -> None:
    [done] = decode((DATA / "error_done.bin").read_bytes())
    assert done.type == codec.NLMSG_DONE and done.header.error < 0
    assert "not supported" in done.attrs["NLMSGERR_ATTR_MSG"]


# ------------------------------------------------------------------------------------------------
# Wire details
# ------------------------------------------------------------------------------------------------


def test_macvlan_bc_cutoff_is_s32_type_9() -> None:
    data = IFLA_MACVLAN.build(IFLA_MACVLAN_MODE=4, IFLA_MACVLAN_BC_CUTOFF=-1).encode()
    assert data == nla(1, struct.pack("=I", 4)) + nla(9, struct.pack("=i", -1))
    assert Attrs(IFLA_MACVLAN, buf=data, start=0, end=len(data))["IFLA_MACVLAN_BC_CUTOFF"] == -1


def test_encode_overrides_seq_pid_and_flags_in_the_bytes_only() -> None:
    msg = Message(RTM_NEWLINK, codec.NLM_F_REQUEST, header=IfInfoMsg(index=3),
                  attrs=IFLA.build(IFLA_MTU=1400))
    for kwargs in ({}, {"seq": 7}, {"pid": 9}, {"flags": 0x60D}, {"seq": 7, "pid": 9, "flags": 0x60D}):
        [back] = decode(msg.encode(**kwargs))
        assert (back.seq, back.pid, back.flags) == (kwargs.get("seq", 0), kwargs.get("pid", 0),
                                                    kwargs.get("flags", codec.NLM_F_REQUEST))
        assert back.header == msg.header and back.attrs == msg.attrs
    assert (msg.seq, msg.pid, msg.flags) == (0, 0, codec.NLM_F_REQUEST)


def test_veth_peer_carries_ifinfomsg_and_attributes() -> None:
    peer = Body(IfInfoMsg(index=9), IFLA.build(IFLA_IFNAME="p0", IFLA_MTU=1400))
    msg = Message(RTM_NEWLINK, header=IfInfoMsg(), attrs=IFLA.build(
        IFLA_IFNAME="v0", IFLA_LINKINFO=IFLA_INFO.build(IFLA_INFO_KIND="veth",
                                                         IFLA_INFO_DATA=VETH_INFO.build(VETH_INFO_PEER=peer))))
    peer_bytes = struct.pack("=BxHiII", 0, 0, 9, 0, 0) + nla(3, b"p0\0") + nla(4, struct.pack("=I", 1400))
    linkinfo = nla(1, b"veth\0") + nla(2, nla(1, peer_bytes))
    expected = newlink(nla(3, b"v0\0") + nla(18, linkinfo), index=0, ifi_type=0, flags=codec.NLM_F_REQUEST)
    assert msg.encode(seq=1) == expected
    [back] = decode(msg.encode())
    got = back.attrs["IFLA_LINKINFO"]["IFLA_INFO_DATA"]["VETH_INFO_PEER"]
    assert got.header == IfInfoMsg(index=9) and got.attrs["IFLA_IFNAME"] == "p0"


def test_nests_given_as_dicts_encode_like_built_ones() -> None:
    """A nest may be a plain dict of its attributes by name; a by-kind nest (IFLA_INFO_DATA) takes
    the schema its kind names, wherever the kind stands in the dict."""
    peer = Body(IfInfoMsg(index=9), IFLA.build(IFLA_IFNAME="p0"))
    built = IFLA.build(IFLA_IFNAME="v0", IFLA_LINKINFO=IFLA_INFO.build(
        IFLA_INFO_KIND="veth", IFLA_INFO_DATA=VETH_INFO.build(VETH_INFO_PEER=peer)))
    by_name = IFLA.build(IFLA_IFNAME="v0", IFLA_LINKINFO={"IFLA_INFO_KIND": "veth",
                                                          "IFLA_INFO_DATA": {"VETH_INFO_PEER": peer}})
    assert by_name.encode() == built.encode()
    mode = nla(1, struct.pack("=I", 4))
    for info in ({"IFLA_INFO_KIND": "macvlan", "IFLA_INFO_DATA": {"IFLA_MACVLAN_MODE": 4}},
                 {"IFLA_INFO_DATA": {"IFLA_MACVLAN_MODE": 4}, "IFLA_INFO_KIND": "macvlan"}):
        expected = b"".join(nla(t, v) for t, v in info_items(info, mode))
        assert IFLA.build(IFLA_LINKINFO=info).encode() == nla(18, expected)
    port = IFLA_INFO.build(IFLA_INFO_SLAVE_KIND="bridge", IFLA_INFO_SLAVE_DATA={"IFLA_BRPORT_MODE": 1})
    assert port["IFLA_INFO_SLAVE_DATA"]["IFLA_BRPORT_MODE"] == 1
    assert IFLA_INFO.build(IFLA_INFO_KIND="bridge", IFLA_INFO_DATA={}).encode() == \
        nla(1, b"bridge\0") + nla(2, b"")


def info_items(info: dict[str, object], data: bytes) -> list[tuple[int, bytes]]:
    return [(1, b"macvlan\0") if key == "IFLA_INFO_KIND" else (2, data) for key in info]


@pytest.mark.parametrize("info, error, match", [
    ({"IFLA_INFO_KIND": "nope", "IFLA_INFO_DATA": {"IFLA_MACVLAN_MODE": 4}}, ValueError, "IFLA_INFO_KIND"),
    ({"IFLA_INFO_DATA": {"IFLA_MACVLAN_MODE": 4}}, ValueError, "IFLA_INFO_KIND"),
    ({"IFLA_INFO_KIND": ["macvlan"], "IFLA_INFO_DATA": {}}, TypeError, "str or bytes, not list"),
    ({"IFLA_INFO_KIND": "macvlan", "IFLA_INFO_DATA": {"IFLA_MACVLAN_BAD": 1}}, KeyError, "IFLA_MACVLAN"),
    ({"IFLA_INFO_KIND": "macvlan", "IFLA_INFO_DATA": {"IFLA_MACVLAN_MODE": -1}}, ValueError, "-1"),
])
def test_nests_given_as_dicts_refuse_what_attrs_refuse(info: dict[str, object], error: type[Exception],
                                                       match: str) -> None:
    with pytest.raises(error, match=match):
        IFLA.build(IFLA_IFNAME="mv0", IFLA_LINKINFO=info)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 15, 255, 256, 257, 1000])
def test_strings_of_every_padding_encode_as_by_hand(n: int) -> None:
    """A string attribute is packed whole by a struct per length: NUL and padding by its length."""
    text = "é" * (n // 2) + "a" * (n % 2)  # n bytes of UTF-8
    attrs = IFLA.build(IFLA_IFALIAS=text)
    assert attrs.encode() == nla(20, text.encode() + b"\0")
    assert attrs["IFLA_IFALIAS"] == text


def test_default_header_is_one_shared_zero_header() -> None:
    """Without a header a message gets its type's all-zero one (immutable, so shared), and encodes
    exactly as with an explicit ``IfInfoMsg()``."""
    attrs = IFLA.build(IFLA_IFNAME="mv0")
    plain, explicit = Message(RTM_NEWLINK, attrs=attrs), Message(RTM_NEWLINK, header=IfInfoMsg(), attrs=attrs)
    assert plain.header == IfInfoMsg() and plain.header is Message(RTM_NEWLINK).header
    assert plain.encode(seq=5, pid=6) == explicit.encode(seq=5, pid=6)
    addr = codec.RTM_NEWADDR
    assert Message(addr).encode() == Message(addr, header=codec.IfAddrMsg()).encode()
    [back] = decode(Message(RTM_NEWLINK, header=IfInfoMsg(index=3), attrs=attrs).encode())
    assert back.header.index == 3 and back.attrs == attrs


def test_kinds_encode_from_a_bounded_memo() -> None:
    """IFLA_INFO_KIND's encodings are kept, up to 64 strings; every kind still encodes right."""
    kinds = [f"kind{i}" for i in range(100)] + ["macvlan", "macvlan"]
    for kind in kinds:
        data = IFLA_INFO.build(IFLA_INFO_KIND=kind).encode()
        assert data == nla(1, kind.encode() + b"\0")
    memo = IFLA_INFO.shortcuts["IFLA_INFO_KIND"][1].__self__  # type: ignore[attr-defined]
    assert 0 < len(memo) <= 64 and all(type(k) is str for k in memo)
    assert IFLA_INFO.build(IFLA_INFO_KIND=b"raw").encode() == nla(1, b"raw")


def test_attribute_at_names_nested_paths() -> None:
    peer = Body(IfInfoMsg(), IFLA.build(IFLA_IFNAME="p0"))
    msg = Message(RTM_NEWLINK, header=IfInfoMsg(), attrs=IFLA.build(
        IFLA_IFNAME="v0", IFLA_LINKINFO=IFLA_INFO.build(IFLA_INFO_KIND="veth",
                                                         IFLA_INFO_DATA=VETH_INFO.build(VETH_INFO_PEER=peer))))
    data = msg.encode()
    at = {data.index(b"v0\0") - 4: "IFLA_IFNAME",
          data.index(b"veth\0") - 4: "IFLA_LINKINFO/IFLA_INFO_KIND",
          data.index(b"p0\0") - 4: "IFLA_LINKINFO/IFLA_INFO_DATA/VETH_INFO_PEER/IFLA_IFNAME",
          data.index(b"p0\0"): "IFLA_LINKINFO/IFLA_INFO_DATA/VETH_INFO_PEER/IFLA_IFNAME",
          data.index(b"p0\0") - 8: "IFLA_LINKINFO/IFLA_INFO_DATA/VETH_INFO_PEER"}  # in the ifinfomsg
    assert {off: attribute_at(data, off) for off in at} == at
    assert attribute_at(data, 4) is None  # inside nlmsghdr
    mv = Message(RTM_NEWLINK, header=IfInfoMsg(), attrs=IFLA.build(IFLA_LINKINFO=IFLA_INFO.build(
        IFLA_INFO_KIND="macvlan", IFLA_INFO_DATA=IFLA_MACVLAN.build(IFLA_MACVLAN_MODE=99)))).encode()
    assert attribute_at(mv, mv.index(struct.pack("=I", 99)) - 4) == \
        "IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_MACVLAN_MODE"
    assert attribute_at(b"\x01\x02", 0) is None  # not a message at all


def test_nla_flags_masked_on_read_and_kept_on_write() -> None:
    info = nla(1, b"macvlan\0") + nla(2 | NLA_F_NESTED, nla(1, struct.pack("=I", 8)))
    data = newlink(nla(18 | NLA_F_NESTED, info) + nla(4 | NLA_F_NET_BYTEORDER, struct.pack("=I", 9000)))
    [msg] = decode(data)
    assert msg.attrs.keys() == ["IFLA_LINKINFO", "IFLA_MTU"]
    assert msg.attrs["IFLA_LINKINFO"].flags == NLA_F_NESTED
    assert msg.attrs["IFLA_LINKINFO"]["IFLA_INFO_DATA"]["IFLA_MACVLAN_MODE"] == 8
    assert msg.copy().encode() == data


def test_unknown_attributes_and_odd_sizes_are_kept() -> None:
    data = newlink(nla(4, b"\x01\x02") + nla(999, b"new!") + nla(3, b"no-nul") + nla(1, b"\xaa\xbb\xcc"))
    [msg] = decode(data)
    assert msg.attrs.to_list() == [("IFLA_MTU", b"\x01\x02"), (999, b"new!"), ("IFLA_IFNAME", b"no-nul"),
                                   ("IFLA_ADDRESS", "aa:bb:cc")]
    assert msg.copy().encode() == data


def test_uint_is_u32_or_u64() -> None:
    uint = codec.UINT
    assert uint.encode(5, IFLA.build()) == struct.pack("=I", 5)
    assert uint.encode(2**40, IFLA.build()) == struct.pack("=Q", 2**40)
    raw = struct.pack("=Q", 5)  # a u64 that fits in 32 bits is not how the kernel writes it: kept raw
    assert uint.decode(raw, 0, 8, IFLA.build()) == raw


@pytest.mark.parametrize("data, why", [
    (b"\x10\x00\x00", "short header"),
    (struct.pack("=IHHII", 8, 16, 0, 0, 0), "length below the header"),
    (struct.pack("=IHHII", 64, 16, 0, 0, 0), "length past the end"),
    (struct.pack("=IHHII", 20, 16, 0, 0, 0) + b"\0" * 4, "ifinfomsg cut short"),
    (struct.pack("=IHHII", 24, 2, 0, 0, 0) + b"\0" * 8, "nlmsgerr cut short"),
])
def test_malformed_framing_is_decode_error(data: bytes, why: str) -> None:
    with pytest.raises(DecodeError):
        decode(data)


@pytest.mark.parametrize("attrs", [nla(3, b"x")[:-1] + b"\0\0\0\0\0", struct.pack("=HH", 2, 3),
                                   struct.pack("=HH", 200, 3) + b"xxxx", b"\x08\x00"])
def test_malformed_attributes_are_decode_error_when_read(attrs: bytes) -> None:
    [msg] = decode(newlink(attrs))  # lazy: the header decodes, the attributes fail on access
    with pytest.raises(DecodeError):
        msg.attrs.to_list()


def test_decode_error_is_value_error() -> None:
    assert issubclass(DecodeError, ValueError)


def test_absurd_nesting_is_decode_error_not_recursion() -> None:
    """VETH_INFO_PEER recurses into IFLA: a crafted message could nest thousands deep."""
    inner = b""
    for _ in range(400):
        peer = struct.pack("=BxHiII", 0, 0, 0, 0, 0) + inner
        inner = nla(18, nla(1, b"veth\0") + nla(2, nla(1, peer)))
        if len(inner) > 60000:
            break
    [msg] = decode(newlink(inner))
    with pytest.raises(DecodeError, match="nested"):
        msg.attrs.to_list()
    with pytest.raises(DecodeError):
        msg.copy()


def test_build_refuses_unknown_names_and_oversized_attributes() -> None:
    with pytest.raises(KeyError):
        IFLA.build(IFLA_NOT_A_THING=1)
    with pytest.raises(ValueError, match="more than netlink allows"):
        IFLA.build(IFLA_IFALIAS="x" * 70000).encode()
    with pytest.raises(ValueError, match="IFLA_INFO_KIND"):
        IFLA_INFO.build(IFLA_INFO_DATA={"IFLA_MACVLAN_MODE": 4}).encode()


def test_lazy_decoding_reads_only_what_is_asked() -> None:
    """decode() reads headers only; the first read indexes the attributes, and decodes one value."""
    msgs = decode((DATA / "links_stats.bin").read_bytes())
    m = msgs[0]
    assert m.attrs._types is None  # nothing walked yet
    assert m.attrs.get("IFLA_IFNAME") == "lo"
    assert m.attrs._types is not None and len(m.attrs._types) == len(m.attrs.keys())  # indexed whole
    assert list(m.attrs._values or ()) == [0]  # and decoded nothing else
    assert m.attrs.get("IFLA_MTU") == 65536 and m.attrs.get("IFLA_IFNAME") == "lo"  # before and after
    assert len(m.attrs._values or ()) == 2
    assert msgs[1].attrs._types is None  # the other messages: not even indexed


def test_changing_a_nest_read_from_a_decoded_message_changes_its_encoding() -> None:
    msg = by_name("v0")
    data = msg.encode()
    info = msg.attrs["IFLA_LINKINFO"]
    assert msg.encode() == data  # reading alone keeps the kernel's bytes
    info.append("IFLA_INFO_SLAVE_KIND", "bridge")
    changed = decode(msg.encode())[0]
    assert changed.attrs["IFLA_LINKINFO"].get_all("IFLA_INFO_SLAVE_KIND")[-1] == "bridge"
    assert len(changed.encode()) == len(data) + 12


# ------------------------------------------------------------------------------------------------
# Import hygiene
# ------------------------------------------------------------------------------------------------

_OUTSIDE = """
import sys, json
before = set(sys.modules)
import rtnl
step = {"import": sorted(set(sys.modules) - before)}
for name in ("connect", "Connection", "Link", "MacvlanInfo", "MacvlanMode", "MacvlanFlag", "OperState",
             "VethInfo", "BridgeInfo", "Address", "Scope", "Route", "NetlinkError", "DecodeError",
             "DumpInterrupted"):
    getattr(rtnl, name)
import rtnl.codec, rtnl.netlink
step["names"] = sorted(set(sys.modules) - before)
print(json.dumps(step))
"""


def test_import_rtnl_is_stdlib_only() -> None:
    """``import rtnl`` and its non-namespace names pull in nothing outside the stdlib and rtnl."""
    out = subprocess.run([sys.executable, "-c", _OUTSIDE], check=True, capture_output=True, text=True,
                         cwd=REPO).stdout
    steps = json.loads(out)
    for step, mods in steps.items():
        foreign = [m for m in mods if m.split(".")[0] not in sys.stdlib_module_names and
                   m.split(".")[0] != "rtnl"]
        assert foreign == [], f"{step}: {foreign}"
    assert "rtnl.netns" not in steps["names"] and "rtnl._ns" not in steps["names"]


@pytest.mark.parametrize("text", ["+2:00:5e:00:53:01", "-0:00:5e:00:53:01", " 2:00:5e:00:53:01",
                                  "0x:00:5e:00:53:01", "02::5e:00:53:01:00", "02:00:5e:00:53:0g",
                                  "002:00:5e:00:53:01", "02:00:5e:00:53"])
def test_parse_mac_takes_hex_digit_groups_only(text: str) -> None:
    with pytest.raises(ValueError, match="MAC"):
        codec.parse_mac(text)


def test_parse_mac_accepts_short_groups_and_any_length_when_asked() -> None:
    assert codec.parse_mac("2:0:5E:0:53:1") == bytes.fromhex("02005e005301")
    assert codec.parse_mac("00:11", any_length=True) == b"\x00\x11"
    with pytest.raises(TypeError):
        codec.parse_mac(b"\x02\x00\x5e\x00\x53\x01")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------
# attr_index: the C walk
# ------------------------------------------------------------------------------------------------


def spans_of(types: tuple[int, ...], spans: bytearray) -> list[tuple[int, int]]:
    return [codec.ATTR_SPAN.unpack_from(spans, 8 * i) for i in range(len(types))]


def test_attr_index_finds_types_and_payloads_in_the_middle_of_a_buffer() -> None:
    attrs = nla(3, b"mv0\0") + nla(18 | NLA_F_NESTED, nla(1, b"macvlan\0")) + nla(999, b"x")
    buf = b"junk" + attrs + b"more junk"
    types, spans = codec.attr_index(buf, 4, 4 + len(attrs))
    assert types == (3, 18, 999)  # NLA_F_NESTED masked off
    assert [buf[s:e] for s, e in spans_of(types, spans)] == [b"mv0\0", nla(1, b"macvlan\0"), b"x"]
    assert codec.attr_index(buf, 4, 4) == ((), bytearray())
    for view in (bytearray(buf), memoryview(buf)):  # any buffer, not only bytes
        assert codec.attr_index(view, 4, 4 + len(attrs))[0] == types  # type: ignore[arg-type]


def test_attr_index_grows_past_its_first_room() -> None:
    """More attributes than the first C call has room for (64): the whole run still comes back."""
    data = b"".join(nla(i, struct.pack("=I", i)) for i in range(1, 301))
    types, spans = codec.attr_index(data, 0, len(data))
    assert types == tuple(range(1, 301))
    assert spans_of(types, spans)[-1] == (len(data) - 4, len(data))
    attrs = Attrs(codec.RTAX, buf=data, start=0, end=len(data))
    assert len(attrs) == 300 and attrs.get_all(299) == [struct.pack("=I", 299)]


def test_attr_index_from_many_threads_at_once() -> None:
    """The C walk runs without the GIL into a scratch buffer: no two calls may share one."""
    import threading

    runs = [b"".join(nla(k * 100 + i, struct.pack("=I", i)) for i in range(1, k + 1)) for k in range(1, 9)]
    expected = [codec.attr_index(run, 0, len(run)) for run in runs]
    wrong: list[int] = []

    def walk(k: int) -> None:
        for _ in range(2000):
            if codec.attr_index(runs[k], 0, len(runs[k])) != expected[k]:
                wrong.append(k)

    threads = [threading.Thread(target=walk, args=(k,)) for k in range(len(runs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


@pytest.mark.parametrize("data, end, message", [
    (nla(3, b"mv0\0") + b"\x08\x00", None, "T: 2 stray bytes after the last attribute"),
    (nla(3, b"mv0\0") + b"\x01", None, "T: 1 stray bytes after the last attribute"),
    (struct.pack("=HH", 2, 3) + b"xxxx", None, "T: attribute 3 claims 2 bytes"),
    (struct.pack("=HH", 0, 5), None, "T: attribute 5 claims 0 bytes"),
    (nla(3, b"mv0\0") + struct.pack("=HH", 200, 0x8012) + b"xxxx", None,
     "T: attribute 32786 claims 200 bytes"),  # the raw type, flags included
    (nla(3, b"mv0\0") + nla(4, b"abcd"), 14, "T: attribute 4 claims 8 bytes"),  # overruns end, not buf
])
def test_attr_index_framing_errors(data: bytes, end: int | None, message: str) -> None:
    with pytest.raises(DecodeError) as e:
        codec.attr_index(data, 0, len(data) if end is None else end, "T")
    assert str(e.value) == message


def test_attr_index_refuses_a_span_outside_the_buffer() -> None:
    with pytest.raises(ValueError, match="outside"):
        codec.attr_index(nla(3, b"x"), 0, 100)
    with pytest.raises(ValueError, match="outside"):
        codec.attr_index(nla(3, b"x"), 6, 2)


def test_enum_or_int_keeps_unknown_values_and_caches_known_ones() -> None:
    import enum

    class Color(enum.IntEnum):
        RED = 1

    class Bits(enum.IntFlag):
        A = 1
        B = 2

    for _ in range(2):  # the second round is served from the cache
        assert codec.enum_or_int(Color, 1) is Color.RED
        assert codec.enum_or_int(Color, 7) == 7 and type(codec.enum_or_int(Color, 7)) is int
        assert codec.enum_or_int(Bits, 3) == Bits.A | Bits.B and isinstance(codec.enum_or_int(Bits, 3), Bits)
        assert codec.enum_or_int(Bits, 0) == 0 and isinstance(codec.enum_or_int(Bits, 0), Bits)
    for value in range(1000):  # an IntFlag has a member for any value: the cache stays bounded
        assert codec.enum_or_int(Bits, value) == value
    from rtnl import _fast

    assert len(_fast._MEMBERS[Bits]) <= 256
