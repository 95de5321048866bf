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
    from .addresses import Address, AddressFlag, Scope
    from .connection import Connection, connect
    from .errors import DecodeError, DumpInterrupted, NetlinkError
    from .links import (
        Bridge,
        BridgeInfo,
        BridgePortInfo,
        Link,
        Macvlan,
        MacvlanFlag,
        MacvlanInfo,
        MacvlanMode,
        Macvtap,
        OperState,
        SourceMacs,
        Veth,
        VethInfo,
        supports_kind,
    )
    from .monitor import AddressEvent, Event, Group, LinkEvent, Monitor, Overrun, RouteEvent
    from .netlink import NetlinkWarning
    from .netns import Namespace, NamespaceRestoreError
    from .routes import Route

# module -> the public names it defines (loaded on first attribute access)
_MODULES: dict[str, tuple[str, ...]] = {
    "addresses": ("Address", "AddressFlag", "Scope"),
    "connection": ("Connection", "connect"),
    "errors": ("DecodeError", "DumpInterrupted", "NetlinkError"),
    "links": ("Bridge", "BridgeInfo", "BridgePortInfo", "Link", "Macvlan", "MacvlanFlag", "MacvlanInfo",
              "MacvlanMode", "Macvtap", "OperState", "SourceMacs", "Veth", "VethInfo", "supports_kind"),
    "monitor": ("AddressEvent", "Event", "Group", "LinkEvent", "Monitor", "Overrun", "RouteEvent"),
    "netlink": ("NetlinkWarning",),
    "netns": ("Namespace", "NamespaceRestoreError"),
    "routes": ("Route",),
}
_EXPORTS = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "Address", "AddressEvent", "AddressFlag", "Bridge", "BridgeInfo", "BridgePortInfo", "Connection",
    "DecodeError", "DumpInterrupted", "Event", "Group", "Link", "LinkEvent", "Macvlan", "MacvlanFlag",
    "MacvlanInfo", "MacvlanMode", "Macvtap", "Monitor", "Namespace", "NamespaceRestoreError", "NetlinkError",
    "NetlinkWarning", "OperState", "Overrun", "Route", "RouteEvent", "Scope", "SourceMacs", "Veth",
    "VethInfo", "connect", "supports_kind",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rtnl' has no attribute {name!r}")
    value = getattr(import_module(f"rtnl.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
