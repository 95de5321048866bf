"""Links: what to create (specs) and what the kernel reports (values), macvlan first.

Specs (:class:`Macvlan`, :class:`Macvtap`, :class:`Veth`, :class:`Bridge`) are validated when they are
built, before anything reaches the kernel. :class:`Link` is what :meth:`Connection.links` returns.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Union

from .codec import Attrs, Message

# --- linux/if.h ------------------------------------------------------------------------------------
IFF_UP = 0x1
IFF_PROMISC = 0x100
IFF_LOWER_UP = 0x10000


class MacvlanMode(enum.IntEnum):
    """``enum macvlan_mode`` (linux/if_link.h)."""

    PRIVATE = 1  #: a child only gets frames for its own MAC; no child talks to another
    VEPA = 2  #: all frames leave through the parent; the switch must hairpin them back
    BRIDGE = 4  #: children of one parent talk directly; not with the parent itself
    PASSTHRU = 8  #: one child takes over the parent (its MAC, promiscuous mode)
    SOURCE = 16  #: a child takes frames from a list of source MACs


class MacvlanFlag(enum.IntFlag):
    """``MACVLAN_FLAG_*`` (linux/if_link.h)."""

    NOPROMISC = 1  #: passthru: do not put the parent in promiscuous mode
    NODST = 2  #: source mode: do not also deliver by destination MAC


class OperState(enum.IntEnum):
    """RFC 2863 operational state, ``IF_OPER_*`` (linux/if.h)."""

    UNKNOWN = 0
    NOTPRESENT = 1
    DOWN = 2
    LOWERLAYERDOWN = 3
    TESTING = 4
    DORMANT = 5
    UP = 6


def _enum(cls: Any, value: Any) -> Any:
    """``cls(value)``, or the plain int for values this version does not know (kept, not dropped)."""
    try:
        return cls(value)
    except ValueError:
        return value


# --- values ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MacvlanInfo:
    """What the kernel reports for a macvlan or macvtap link (IFLA_MACVLAN_*)."""

    mode: MacvlanMode | int
    flags: MacvlanFlag = MacvlanFlag(0)
    source_macs: tuple[str, ...] = ()
    bc_queue_len: int | None = None
    bc_queue_len_used: int | None = None
    bc_cutoff: int | None = None  #: ``None`` where the kernel does not report it (< 6.4)

    @classmethod
    def from_attrs(cls, data: Attrs) -> MacvlanInfo:
        macs = data.get("IFLA_MACVLAN_MACADDR_DATA")
        return cls(
            mode=_enum(MacvlanMode, data.get("IFLA_MACVLAN_MODE", MacvlanMode.VEPA)),
            flags=MacvlanFlag(data.get("IFLA_MACVLAN_FLAGS", 0)),
            source_macs=tuple(macs.get_all("IFLA_MACVLAN_MACADDR")) if isinstance(macs, Attrs) else (),
            bc_queue_len=data.get("IFLA_MACVLAN_BC_QUEUE_LEN"),
            bc_queue_len_used=data.get("IFLA_MACVLAN_BC_QUEUE_LEN_USED"),
            bc_cutoff=data.get("IFLA_MACVLAN_BC_CUTOFF"),
        )


@dataclass(frozen=True, slots=True)
class VethInfo:
    """A veth end. ``peer`` is the index of the other end (in ``peer_netnsid``'s namespace if set)."""

    peer: int | None = None
    peer_netnsid: int | None = None


@dataclass(frozen=True, slots=True)
class BridgeInfo:
    """A bridge device (IFLA_BR_*): the settings a lab "switch" needs."""

    stp_state: int = 0
    forward_delay: int = 0
    ageing_time: int = 0
    vlan_filtering: bool = False

    @classmethod
    def from_attrs(cls, data: Attrs) -> BridgeInfo:
        return cls(
            stp_state=data.get("IFLA_BR_STP_STATE", 0),
            forward_delay=data.get("IFLA_BR_FORWARD_DELAY", 0),
            ageing_time=data.get("IFLA_BR_AGEING_TIME", 0),
            vlan_filtering=bool(data.get("IFLA_BR_VLAN_FILTERING", 0)),
        )


@dataclass(frozen=True, slots=True)
class BridgePortInfo:
    """A link enslaved to a bridge (IFLA_BRPORT_* in IFLA_INFO_SLAVE_DATA)."""

    hairpin: bool = False
    state: int = 0
    learning: bool = True
    flood: bool = True

    @classmethod
    def from_attrs(cls, data: Attrs) -> BridgePortInfo:
        return cls(
            hairpin=bool(data.get("IFLA_BRPORT_MODE", 0)),
            state=data.get("IFLA_BRPORT_STATE", 0),
            learning=bool(data.get("IFLA_BRPORT_LEARNING", 1)),
            flood=bool(data.get("IFLA_BRPORT_UNICAST_FLOOD", 1)),
        )


LinkInfo = Union[MacvlanInfo, VethInfo, BridgeInfo]


@dataclass(frozen=True, slots=True)
class Link:
    """One network interface as the kernel reports it (an RTM_NEWLINK message, decoded).

    ``parent`` is the lower device's index (IFLA_LINK); when ``parent_netnsid`` is set, that index
    belongs to the namespace with that nsid (a macvlan moved away from its parent).
    """

    index: int
    name: str
    kind: str | None
    mtu: int
    address: str | None
    up: bool
    carrier: bool
    operstate: OperState | int
    promiscuity: int
    parent: int | None
    parent_netnsid: int | None
    master: int | None
    group: int
    txqlen: int
    info: LinkInfo | None
    port: BridgePortInfo | None = None  #: set when the link is a bridge port
    flags: int = 0  #: the IFF_* flags word

    @classmethod
    def from_message(cls, msg: Message) -> Link:
        """The :class:`Link` an RTM_NEWLINK message describes."""
        attrs = msg.attrs
        assert attrs is not None
        hdr = msg.header
        kind = info = port = None
        linkinfo = attrs.get("IFLA_LINKINFO")
        parent = attrs.get("IFLA_LINK")
        netnsid = attrs.get("IFLA_LINK_NETNSID")
        if linkinfo is not None:
            kind = linkinfo.get("IFLA_INFO_KIND")
            data = linkinfo.get("IFLA_INFO_DATA")
            if kind in ("macvlan", "macvtap") and isinstance(data, Attrs):
                info = MacvlanInfo.from_attrs(data)
            elif kind == "veth":
                info = VethInfo(parent, netnsid)
            elif kind == "bridge" and isinstance(data, Attrs):
                info = BridgeInfo.from_attrs(data)
            slave = linkinfo.get("IFLA_INFO_SLAVE_DATA")
            if linkinfo.get("IFLA_INFO_SLAVE_KIND") == "bridge" and isinstance(slave, Attrs):
                port = BridgePortInfo.from_attrs(slave)
        return cls(
            index=hdr.index,
            name=attrs.get("IFLA_IFNAME", ""),
            kind=kind,
            mtu=attrs.get("IFLA_MTU", 0),
            address=attrs.get("IFLA_ADDRESS"),
            up=bool(hdr.flags & IFF_UP),
            carrier=bool(attrs.get("IFLA_CARRIER", hdr.flags & IFF_LOWER_UP)),
            operstate=_enum(OperState, attrs.get("IFLA_OPERSTATE", 0)),
            promiscuity=attrs.get("IFLA_PROMISCUITY", 0),
            parent=parent if parent != hdr.index else None,
            parent_netnsid=netnsid,
            master=attrs.get("IFLA_MASTER"),
            group=attrs.get("IFLA_GROUP", 0),
            txqlen=attrs.get("IFLA_TXQLEN", 0),
            info=info,
            port=port,
            flags=hdr.flags,
        )
