"""Codec timings for the record (not a test, no thresholds): ``python3 tools/measure_codec.py``.

Uses the recorded kernel messages in tests/data: a 1,000-link dump is the recorded links repeated.
``--instructions`` counts instructions per call under callgrind instead (valgrind; slow, but stable
where wall time on a shared machine is not): (instructions of N calls - of none) / N.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rtnl import codec
from rtnl.codec import IFLA, IFLA_INFO, IFLA_MACVLAN, Message
from rtnl.links import Link
from tests.support.paths import DATA

links = [m for m in codec.decode((DATA / "links.bin").read_bytes()) if m.type == codec.RTM_NEWLINK]
one = max((m.encode() for m in links), key=lambda b: -abs(len(b) - 1500))  # the one nearest 1.5 KB
msgs = [m.encode() for m in links]
dump = b"".join(msgs[i % len(msgs)] for i in range(1000))


def encode_macvlan() -> bytes:
    return Message(codec.RTM_NEWLINK, codec.NLM_F_REQUEST | codec.NLM_F_CREATE | codec.NLM_F_EXCL,
                   header=codec.IfInfoMsg(),
                   attrs=IFLA.build(IFLA_IFNAME="mv0", IFLA_LINK=2, IFLA_LINKINFO=IFLA_INFO.build(
                       IFLA_INFO_KIND="macvlan",
                       IFLA_INFO_DATA=IFLA_MACVLAN.build(IFLA_MACVLAN_MODE=4))),
                   ).encode(seq=1)


def read_one() -> tuple[object, ...]:
    [m] = codec.decode(one)
    info = m.attrs.get("IFLA_LINKINFO")
    return m.attrs.get("IFLA_IFNAME"), m.header.index, info and info.get("IFLA_INFO_KIND")


def decode_dump() -> int:
    return len(codec.decode(dump))


def to_links() -> list[Link]:
    return [Link.from_message(m) for m in codec.decode(dump)]


def header_walk() -> int:
    off, n, count = 0, len(dump), 0
    while off < n:
        length = struct.unpack_from("=I", dump, off)[0]
        off += (length + 3) & ~3
        count += 1
    return count


CASES: dict[str, tuple[Callable[[], object], int]] = {  # name -> (function, calls per measurement)
    "encode one macvlan RTM_NEWLINK": (encode_macvlan, 2000),
    f"decode one {len(one)}-byte link, read name/index/kind": (read_one, 2000),
    "1,000-link dump -> Messages (codec.decode)": (decode_dump, 5),
    "1,000-link dump -> Link objects": (to_links, 5),
    "1,000-link dump, bare header walk": (header_walk, 20),
}


def best(fn: Callable[[], object], number: int) -> float:
    """Best of 5 runs, in microseconds per call."""
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def instructions(name: str, number: int) -> float:
    """Instructions per call of case ``name``, from two callgrind runs of this script."""
    def run(n: int) -> int:
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
               "--run", name, str(n)]
        err = subprocess.run(cmd, capture_output=True, text=True, check=True).stderr
        return int(re.findall(r"Collected : (\d+)", err)[-1])
    return (run(number) - run(0)) / number


def main() -> None:
    if sys.argv[1:2] == ["--run"]:  # one case, n times: what --instructions measures
        fn = CASES[sys.argv[2]][0]
        fn()  # warm: lazy imports, the C extension
        for _ in range(int(sys.argv[3])):
            fn()
        return
    counting = "--instructions" in sys.argv
    for name, (fn, number) in CASES.items():
        if counting:
            print(f"{name:55s} {instructions(name, max(1, number // 4)):12,.0f} instructions")
        else:
            print(f"{name:55s} {best(fn, number):10.1f} us")


if __name__ == "__main__":
    main()
