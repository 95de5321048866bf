"""Addresses by name, as ``from rtnl.addresses import Address`` has always found them: a public face
over ``rtnl.values.addresses``, ``rtnl.values.enums`` and ``rtnl.ops.addresses``. Nothing
is defined here.
"""

from __future__ import annotations

from .ops.addresses import add_address, delete_address
from .values.addresses import Address
from .values.check import Interface, InterfaceLike
from .values.check import check_interface as interface
from .values.enums import AddressFlag, Scope

__all__ = ["Address", "AddressFlag", "Interface", "InterfaceLike", "Scope", "add_address", "delete_address",
           "interface"]
