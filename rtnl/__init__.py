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

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "NetlinkError": "errors",
    "DecodeError": "errors",
    "DumpInterrupted": "errors",
    "Namespace": "netns",
    "connect": "connection",
    "Connection": "connection",
    "Link": "links",
    "MacvlanInfo": "links",
    "VethInfo": "links",
    "BridgeInfo": "links",
    "BridgePortInfo": "links",
    "MacvlanMode": "links",
    "MacvlanFlag": "links",
    "OperState": "links",
    "Address": "addresses",
    "AddressFlag": "addresses",
    "Scope": "addresses",
    "Route": "routes",
}

if TYPE_CHECKING:
    from .addresses import Address, AddressFlag, Scope
    from .connection import Connection, connect
    from .errors import DecodeError, DumpInterrupted, NetlinkError
    from .links import BridgeInfo, BridgePortInfo, Link, MacvlanFlag, MacvlanInfo, MacvlanMode, OperState, VethInfo
    from .netns import Namespace
    from .routes import Route

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rtnl' has no attribute {name!r}")
    value = getattr(import_module(f"rtnl.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
