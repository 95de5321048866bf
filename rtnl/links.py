"""Links by name, as ``from rtnl.links import Macvlan`` has always found them: a public face over
``rtnl.values.links`` (what the kernel reports), ``rtnl.values.specs`` (what to create),
``rtnl.values.enums`` and ``rtnl.ops.links`` (the operations). Nothing is defined here.
"""

from __future__ import annotations

from .connection import supports_kind
from .ops.links import add, add_many, delete, delete_many, move, set_bridge_port, set_link
from .uapi import ALTIFNAMSIZ, IFNAMSIZ
from .values.check import check_index, check_mac, check_mtu, check_name
from .values.enums import MacvlanFlag, MacvlanMode, OperState
from .values.links import BridgeInfo, BridgePortInfo, Link, LinkInfo, LinkRef, MacvlanInfo, VethInfo
from .values.specs import Bridge, Macvlan, Macvtap, SourceMacs, Spec, Veth

__all__ = [
    "ALTIFNAMSIZ", "IFNAMSIZ", "Bridge", "BridgeInfo", "BridgePortInfo", "Link", "LinkInfo", "LinkRef",
    "Macvlan", "MacvlanFlag", "MacvlanInfo", "MacvlanMode", "Macvtap", "OperState", "SourceMacs", "Spec",
    "Veth", "VethInfo", "add", "add_many", "check_index", "check_mac", "check_mtu", "check_name", "delete",
    "delete_many", "move", "set_bridge_port", "set_link", "supports_kind",
]
