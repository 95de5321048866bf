"""IP addresses on links as the kernel reports them: :class:`Address`.

This module knows RTM_NEWADDR messages as values: not sockets or how an address is added
(``rtnl.ops.addresses``).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._fast import (
    ip_address_of,
    ip_builders,
    member_or_int,
    members,
    members_seen,
    nul_text,
    pick_spans,
    unfrozen,
)
from ..errors import DecodeError
from ..uapi import AF_INET, AF_INET6, INFINITY_LIFE_TIME, RTM_NEWADDR
from ..wire.message import Message, rows
from ..wire.schemas import IFA
from .check import Interface, IPAddress
from .enums import AddressFlag, Scope

# strict: see Attrs.pick
_FIELDS = IFA.picker("IFA_LOCAL", "IFA_ADDRESS", "IFA_FLAGS", "IFA_LABEL", "IFA_CACHEINFO")
ROWS = rows(RTM_NEWADDR, _FIELDS)
"""How a dump of addresses is read (:class:`rtnl.ops.Dump`), for :func:`addresses_of`."""
_rows_of = ROWS.row.iter_unpack
_IP = (AF_INET, AF_INET6)


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
    def from_message(cls, msg: Message, known: Interface | None = None) -> Address:
        """The :class:`Address` an RTM_NEWADDR message describes. ``known``: an interface without a
        scope the address is expected to be (one just added), taken as its ``address`` (the same
        object) when it is that address and prefix length."""
        attrs = msg.attrs
        assert attrs is not None
        buf, spans, _ = attrs.locate(_FIELDS)
        return address_of(buf, (0, msg.type, msg.flags, msg.seq, msg.pid, 0, 0, *msg.header, *spans), known)


def address_of(buf: bytes, row: tuple[int, ...], known: Interface | None = None) -> Address:
    """The :class:`Address` one row of an RTM_NEWADDR message describes (:data:`ROWS`; the row of a
    dump, or of one message, as ``from_message`` makes it). ``known``: an interface without a scope
    the address is expected to be (one just added), taken as its ``address`` if it is that, the
    same object (``is``), instead of a new one made and compared."""
    (status, _, _, _, _, start, end, _, prefixlen, hflags, scope, index,
     ls, le, ps, pe, fs, fe, bs, be, cs, ce) = row
    if status:  # its attributes are badly framed: say how
        pick_spans(buf, start, end, _FIELDS.types, IFA.name)
    address: Any = _new(_Filling)  # made an Address below: see rtnl._fast.unfrozen
    # IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links
    address.peer = None
    if not ls:
        ls, le = ps, pe
    elif ps and buf[ps:pe] != buf[ls:le]:
        address.peer = _peer_of(buf, ps, pe, None)
    address.link = index
    if (known is not None and le - ls == known.max_prefixlen >> 3 and prefixlen == known.network.prefixlen
            and int.from_bytes(buf[ls:le], "big") == int(known)):
        address.address = known
    else:
        address.address = prefix_at(INTERFACE, buf, ls, le, prefixlen, "IFA_LOCAL")
    address.scope = _SCOPES.get(scope, scope)
    # an IntFlag (boundary KEEP) keeps unknown bits; member_or_int saves the enum call per address
    flags = hflags if not fs else _U32(buf, fs)[0] if fe - fs == 4 else _flags_of(buf, fs, fe, None)
    address.flags = _FLAGS.get(flags) or member_or_int(AddressFlag, flags)
    label = nul_text(buf, bs, be)
    address.label = label if label is not None or not bs else _label_of(buf, bs, be, None)
    if cs:  # ifa_prefered, ifa_valid, then the kernel's time stamps
        if ce - cs != 16:
            raise DecodeError(f"IFA_CACHEINFO: {ce - cs} bytes, not struct ifa_cacheinfo's 16")
        preferred, valid = _CACHEINFO(buf, cs)
        address.valid_lft = None if valid == INFINITY_LIFE_TIME else valid
        address.preferred_lft = None if preferred == INFINITY_LIFE_TIME else preferred
    else:
        address.valid_lft = address.preferred_lft = None
    address.__class__ = Address
    return address  # type: ignore[no-any-return]


def addresses_of(answer: list[tuple[bytes, bytes]]) -> list[Address]:
    """The addresses of a dump read in :data:`ROWS`: IPv4 and IPv6 only, as other families (MCTP...)
    carry no IP address to make an Address of."""
    return [address_of(buf, row) for buf, table in answer for row in _rows_of(table)
            if row[1] == RTM_NEWADDR and row[7] in _IP]  # nlmsg_type, ifa_family


_new = object.__new__
_peer_of, _flags_of, _label_of = _FIELDS.decoders[1:4]
_CACHEINFO = struct.Struct("=II8x").unpack_from  # struct ifa_cacheinfo (linux/if_addr.h): the lifetimes
_Filling = unfrozen(Address)
_SCOPES = members(Scope)
_FLAGS = members_seen(AddressFlag)  # what member_or_int has made so far: one lookup, no call
_U32 = struct.Struct("=I").unpack_from


INTERFACE, NETWORK = 1, 2  # prefix_at's kinds: their place in rtnl._fast.ip_builders()'s


def prefix_at(kind: int, buf: bytes, start: int, end: int, length: int, what: str) -> Any:
    """``ip/length``, the address in ``buf[start:end]`` (4 or 16 bytes; ``start`` 0: absent), made
    from its int as an interface (``kind`` :data:`INTERFACE`) or a network (:data:`NETWORK`) by the
    ip builders, without the constructors' parsing; missing, of another size, too long a prefix for
    the address or (for a network) host bits set: a :class:`DecodeError` naming ``what``."""
    n = end - start
    if not start:
        raise DecodeError(f"{what}: missing")
    if n != 4 and n != 16:
        raise DecodeError(f"{what}: {n} bytes are not an IPv4 or IPv6 address")
    number = int.from_bytes(buf[start:end], "big")
    build: Callable[[int, int], Any] = ip_builders()[n == 16][kind]  # type: ignore[assignment]
    try:
        return build(number, length)
    except ValueError as e:
        raise DecodeError(f"{what}: {ip_address_of(number, n == 16)}/{length}: {e}") from None
