"""The lab's vocabulary: the roles, the addresses, the matrix's axes and the typed records it fills.

What lives here: constants every other lab module shares, :class:`Observed` (what one probe saw, as
plain data), :class:`Cell` and :class:`Step` (one result each). What it must not know: the kernel,
sockets, or how results are rendered; nothing here does I/O.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypedDict

MODES = ("bridge", "vepa", "private", "passthru", "source")
PAIRS = (("child", "peer"), ("child", "parent"), ("parent", "child"), ("child", "switch"), ("child", "shim"))
ADDRESS = {
    "switch": "198.51.100.1",
    "parent": "198.51.100.2",
    "shim": "198.51.100.3",
    "child": "198.51.100.11",
    "peer": "198.51.100.12",
}
PREFIX = 24
CHILD = {"child": "ens33.01", "peer": "ens33.02"}  # the note's names
MAC = {"child": "02:00:5e:10:00:11", "peer": "02:00:5e:10:00:12"}
# echoes per probe, seconds between them, seconds for a late answer after the last one (as `ping -c 3
# -i 0.3 -W 1`): ~1.6 s for a dead cell; the last wait keeps a loaded machine's slow ARP from a false "no"
PROBE_COUNT, PROBE_WAIT, PROBE_LAST_WAIT = 3, 0.3, 1.0


class Refused(TypedDict):
    """The kernel's answer when it would not create a link of the cell."""

    role: str  #: ``child``, ``peer`` or ``shim``
    errno: str | int  #: its symbolic name (``EINVAL``)
    message: str
    extack: str | None


class Observed(TypedDict, total=False):
    """What one probe observed: link/ICMP counter deltas along the path and settings read back.

    Either only ``refused`` (the cell could not be built), or every counter below. All counts are
    packets counted by the kernel during the probe.
    """

    refused: Refused
    sent: int  #: frames the source link sent
    to_switch: int  #: frames the switch's port received
    from_switch: int  #: frames the switch's port sent back
    echo_to_switch: int  #: of those frames, the ICMP echo requests (captured on the port)
    echo_from_switch: int
    target_rx: int  #: frames the target link received
    target_echo_in: int  #: ICMP InEchos of the target's namespace
    target_echo_out: int  #: ICMP OutEchoReps of the target's namespace
    child_rx: int  #: frames the child received
    route: str  #: the source's route lookup for the target: ``unicast dev ens33.01``
    mode: str | None  #: the child's macvlan mode, read back
    hairpin: bool  #: the switch port's hairpin, read back
    child_mac: str
    target_mac: str | None
    parent_mac: str
    source_macs: list[str]  #: the child's source-MAC list (source mode)
    source_from: list[str]  #: whose MACs those are (``switch``, ``peer``)
    address: dict[str, str]  #: role -> IPv4 address as configured (leased, with DHCP)
    mac: dict[str, str]  #: role -> MAC as read back
    send_error: str  #: the kernel's refusal to send, if any


@dataclasses.dataclass
class Cell:
    """One measured cell of the matrix: the ``cells`` of ``--json`` (extra keys included)."""

    mode: str
    hairpin: bool
    src: str
    dst: str
    reachable: bool
    reason: str
    rtt_ms: float | None = None
    observed: Observed = dataclasses.field(default_factory=lambda: Observed())

    @property
    def id(self) -> str:
        """A stable name for the cell, as anchors and JSON use it: ``bridge-off-child-peer``."""
        return cell_id(self.mode, self.hairpin, self.src, self.dst)

    @property
    def refused(self) -> bool:
        """Whether the kernel refused to build the cell."""
        return "refused" in self.observed

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, **dataclasses.asdict(self)}


def cell_id(mode: str, hairpin: bool, src: str, dst: str) -> str:
    return f"{mode}-{'on' if hairpin else 'off'}-{src}-{dst}"


@dataclasses.dataclass
class Step:
    """One live check of a puzzle: what was set up, whether it worked, what was observed and why."""

    setup: str
    works: bool
    observed: str
    cell: str | None = None  #: the matrix cell this step is, for puzzle 1


@dataclasses.dataclass
class Puzzle:
    """One of the note's puzzles with its live steps and the configurations that worked."""

    number: int
    title: str
    experiment: int  #: the note's experiment it comes from
    steps: list[Step]
    fix: str  #: the configuration that works, as the steps show

    @property
    def working(self) -> list[str]:
        return [s.setup for s in self.steps if s.works]
