"""Codec timings for the record (not a test, no thresholds): ``python tests/measure_codec.py``.

Uses the recorded kernel messages in tests/data: a 1,000-link dump is the recorded links repeated.
"""

from __future__ import annotations

import struct
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rtnl import codec
from rtnl.codec import IFLA, IFLA_INFO, IFLA_MACVLAN, Message
from rtnl.links import Link

DATA = Path(__file__).with_name("data")


def best(fn: object, number: int) -> float:
    """Best of 5 runs, in microseconds per call."""
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6  # type: ignore[arg-type]


def main() -> None:
    def encode_macvlan() -> bytes:
        return Message(codec.RTM_NEWLINK, codec.NLM_F_REQUEST | codec.NLM_F_CREATE | codec.NLM_F_EXCL,
                       header=codec.IfInfoMsg(),
                       attrs=IFLA.build(IFLA_IFNAME="mv0", IFLA_LINK=2, IFLA_LINKINFO=IFLA_INFO.build(
                           IFLA_INFO_KIND="macvlan",
                           IFLA_INFO_DATA=IFLA_MACVLAN.build(IFLA_MACVLAN_MODE=4))),
                       ).encode(seq=1)

    links = [m for m in codec.decode((DATA / "links.bin").read_bytes()) if m.type == codec.RTM_NEWLINK]
    one = max((m.encode() for m in links), key=lambda b: -abs(len(b) - 1500))  # the one nearest 1.5 KB

    def read_one() -> tuple[object, ...]:
        [m] = codec.decode(one)
        info = m.attrs.get("IFLA_LINKINFO")
        return m.attrs.get("IFLA_IFNAME"), m.header.index, info and info.get("IFLA_INFO_KIND")

    msgs = [m.encode() for m in links]
    dump = b"".join(msgs[i % len(msgs)] for i in range(1000))

    def to_links() -> list[Link]:
        return [Link.from_message(m) for m in codec.decode(dump)]

    def header_walk() -> int:
        off, n, count = 0, len(dump), 0
        while off < n:
            length = struct.unpack_from("=I", dump, off)[0]
            off += (length + 3) & ~3
            count += 1
        return count

    print(f"encode one macvlan RTM_NEWLINK:                {best(encode_macvlan, 2000):8.1f} us")
    print(f"decode one {len(one)}-byte link, read name/index/kind: {best(read_one, 2000):8.1f} us")
    kib = len(dump) // 1024
    print(f"1,000-link dump ({kib} KiB) -> Link objects:     {best(to_links, 5) / 1000:8.2f} ms")
    print(f"1,000-link dump, bare header walk:             {best(header_walk, 20) / 1000:8.2f} ms")


if __name__ == "__main__":
    main()
