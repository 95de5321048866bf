"""Routes by name, as ``from rtnl.routes import Route`` has always found them: a public face over
``rtnl.values.routes`` and ``rtnl.ops.routes``. Nothing is defined here.
"""

from __future__ import annotations

from .ops.routes import add_route, delete_route
from .values.check import AddressLike, IPAddress, Network, NetworkLike, check_table
from .values.routes import Route

__all__ = ["AddressLike", "IPAddress", "Network", "NetworkLike", "Route", "add_route", "check_table",
           "delete_route"]
