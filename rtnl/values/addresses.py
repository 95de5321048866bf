"""IP addresses on links as the kernel reports them: :class:`Address`.

This module knows RTM_NEWADDR messages as values: not sockets or how an address is added
(``rtnl.ops.addresses``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .._fast import ip_interface_of, member_or_int
from ..errors import DecodeError
from ..uapi import INFINITY_LIFE_TIME
from ..wire.message import Message
from ..wire.schemas import IFA
from .check import Interface, IPAddress
from .enums import AddressFlag, Scope

_P = TypeVar("_P")
# strict: see Attrs.pick
_FIELDS = IFA.picker("IFA_LOCAL", "IFA_ADDRESS", "IFA_FLAGS", "IFA_LABEL", "IFA_CACHEINFO")


@dataclass(frozen=True, slots=True)
class Address:
    """An address on a link: ``link`` is the interface index, ``address`` carries the prefix length.

    ``peer`` is the other end of a point-to-point address (``ip addr add A peer P``), else ``None``;
    ``valid_lft`` and ``preferred_lft`` are the seconds left of its lifetimes, ``None`` for forever."""

    link: int
    address: Interface
    scope: Scope | int = Scope.UNIVERSE
    flags: AddressFlag = AddressFlag(0)  # noqa: RUF009 (an immutable IntFlag)
    label: str | None = None
    valid_lft: int | None = None
    preferred_lft: int | None = None
    peer: IPAddress | None = None

    @classmethod
    def from_message(cls, msg: Message) -> Address:
        """The :class:`Address` an RTM_NEWADDR message describes."""
        hdr, attrs = msg.header, msg.attrs
        assert attrs is not None
        local, ip, flags, label, cache = attrs.pick(_FIELDS)
        # IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links
        peer = ip if local is not None and ip != local else None
        if cache is not None and len(cache) != 4:
            raise DecodeError(f"IFA_CACHEINFO: {len(cache)} numbers, not struct ifa_cacheinfo's 4")
        preferred, valid = (None, None) if cache is None else cache[:2]  # ifa_prefered, ifa_valid
        address: Address = _new(cls)  # without __init__: see slot_stores
        _link(address, hdr.index)
        _address(address, prefix(ip_interface_of, local or ip, hdr.prefixlen, "IFA_LOCAL"))
        _scope(address, member_or_int(Scope, hdr.scope))
        # an IntFlag (boundary KEEP) keeps unknown bits; member_or_int saves the enum call per address
        _flags(address, member_or_int(AddressFlag, hdr.flags if flags is None else flags))
        _label(address, label)
        _valid_lft(address, None if valid == INFINITY_LIFE_TIME else valid)
        _preferred_lft(address, None if preferred == INFINITY_LIFE_TIME else preferred)
        _peer(address, peer)
        return address


def slot_stores(cls: type, names: str) -> tuple[Callable[[object, Any], None], ...]:
    """The stores of the fields ``names`` (all of ``cls``'s, in any order) of ``cls``, a frozen
    dataclass with slots: its slots' descriptors' ``__set__``. A dump makes a value per message; made
    with ``object.__new__`` and one store per field, it skips the frozen ``__init__``'s keyword
    handling and ``object.__setattr__`` per field (0.9 µs of an address, 1.6 of a route)."""
    fields, slots = names.split(), vars(cls)["__slots__"]
    if sorted(fields) != sorted(slots):
        raise TypeError(f"{cls.__name__}'s fields are {slots}, not {fields}")
    return tuple(cls.__dict__[name].__set__ for name in fields)


_new = object.__new__
_link, _address, _scope, _flags, _label, _valid_lft, _preferred_lft, _peer = slot_stores(
    Address, "link address scope flags label valid_lft preferred_lft peer")


def prefix(build: Callable[[int, int, bool], _P], ip: IPAddress | None, length: int, what: str) -> _P:
    """``ip/length`` read from the wire, made by ``build`` (``ip_interface_of`` or ``ip_network_of``);
    missing, too long for the address or (for a network) with host bits set, it is a
    :class:`DecodeError` naming ``what``."""
    if ip is None:
        raise DecodeError(f"{what}: missing")
    try:  # from the int: given an address object, ipaddress would print and parse it again
        return build(int(ip), length, ip.version == 6)
    except ValueError as e:
        raise DecodeError(f"{what}: {ip}/{length}: {e}") from None
