"""rtnl — rtnetlink for Python, spoken directly to the kernel.

Typed macvlan, macvtap, veth and bridge links, addresses, routes and network namespaces, with no
``ip`` subprocess and no third-party netlink library::

    import rtnl
    with rtnl.connect() as net:
        for link in net.links():
            print(link.index, link.name, link.kind)

Names are loaded on first use so that ``import rtnl`` stays cheap and pulls in nothing outside the
standard library.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .connection import Connection, connect, supports_kind
    from .errors import DecodeError, DumpInterrupted, NamespaceRestoreError, NetlinkError, NetlinkWarning

    # neighbours and policy rules (issue 17)
    from .monitor import AddressEvent, Event, LinkEvent, Monitor, NeighbourEvent, Overrun, RouteEvent
    from .netns import Namespace
    from .values.addresses import Address
    from .values.enums import (
        AddressFlag,
        Group,
        MacvlanFlag,
        MacvlanMode,
        NeighbourFlag,
        NeighbourState,
        OperState,
        RuleAction,
        Scope,
    )
    from .values.links import BridgeInfo, BridgePortInfo, Link, LinkStats, MacvlanInfo, VethInfo, VxlanInfo
    from .values.neighbours import FdbEntry, Neighbour
    from .values.routes import Route
    from .values.rules import Rule
    from .values.specs import Bridge, Macvlan, Macvtap, SourceMacs, Veth, Vxlan

# module -> the public names it defines (loaded on first attribute access)
_MODULES: dict[str, tuple[str, ...]] = {
    "connection": ("Connection", "connect", "supports_kind"),
    "errors": ("DecodeError", "DumpInterrupted", "NamespaceRestoreError", "NetlinkError", "NetlinkWarning"),
    "monitor": ("AddressEvent", "Event", "LinkEvent", "Monitor", "Overrun", "RouteEvent"),
    "netns": ("Namespace",),
    "values.addresses": ("Address",),
    "values.enums": ("AddressFlag", "Group", "MacvlanFlag", "MacvlanMode", "OperState", "Scope"),
    "values.links": ("BridgeInfo", "BridgePortInfo", "Link", "LinkStats", "MacvlanInfo", "VethInfo",
                     "VxlanInfo"),
    "values.routes": ("Route",),
    "values.specs": ("Bridge", "Macvlan", "Macvtap", "SourceMacs", "Veth", "Vxlan"),
}
# neighbours and policy rules (issue 17)
_MODULES["monitor"] += ("NeighbourEvent",)
_MODULES["values.enums"] += ("NeighbourFlag", "NeighbourState", "RuleAction")
_MODULES["values.neighbours"] = ("FdbEntry", "Neighbour")
_MODULES["values.rules"] = ("Rule",)
_EXPORTS = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "Address", "AddressEvent", "AddressFlag", "Bridge", "BridgeInfo", "BridgePortInfo", "Connection",
    "DecodeError", "DumpInterrupted", "Event", "Group", "Link", "LinkEvent", "LinkStats", "Macvlan",
    "MacvlanFlag", "MacvlanInfo", "MacvlanMode", "Macvtap", "Monitor", "Namespace", "NamespaceRestoreError",
    "NetlinkError", "NetlinkWarning", "OperState", "Overrun", "Route", "RouteEvent", "Scope", "SourceMacs",
    "Veth", "VethInfo", "Vxlan", "VxlanInfo", "connect", "supports_kind",
]
__all__ += ["FdbEntry", "Neighbour", "NeighbourEvent", "NeighbourFlag", "NeighbourState", "Rule",
            "RuleAction"]

# --- issue 17: routes ---
if TYPE_CHECKING:
    from .values.enums import RoutePref, RouteProtocol, RouteType
    from .values.routes import ALL_TABLES, Nexthop, RouteSpec
_MODULES["values.enums"] += ("RoutePref", "RouteProtocol", "RouteType")
_MODULES["values.routes"] += ("ALL_TABLES", "Nexthop", "RouteSpec")
__all__ += ["ALL_TABLES", "Nexthop", "RoutePref", "RouteProtocol", "RouteSpec", "RouteType"]
_EXPORTS.update((name, module) for module, names in _MODULES.items() for name in names)


def __getattr__(name: str) -> Any:
    if name == "aio":  # the asyncio API, a module: `rtnl.aio.connect()`
        return import_module("rtnl.aio")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rtnl' has no attribute {name!r}")
    value = getattr(import_module(f"rtnl.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
