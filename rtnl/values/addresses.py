"""IP addresses on links as the kernel reports them: :class:`Address`.

This module knows RTM_NEWADDR messages as values: not sockets or how an address is added
(``rtnl.ops.addresses``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._fast import interface, member_or_int
from ..wire.message import Message
from .check import Interface
from .enums import AddressFlag, Scope


@dataclass(frozen=True, slots=True)
class Address:
    """An address on a link: ``link`` is the interface index, ``address`` carries the prefix length."""

    link: int
    address: Interface
    scope: Scope | int = Scope.UNIVERSE
    flags: AddressFlag = AddressFlag(0)  # noqa: RUF009 (an immutable IntFlag)
    label: str | None = None

    @classmethod
    def from_message(cls, msg: Message) -> Address:
        """The :class:`Address` an RTM_NEWADDR message describes."""
        hdr, attrs = msg.header, msg.attrs
        assert attrs is not None
        # IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links
        ip = attrs.get("IFA_LOCAL") or attrs.get("IFA_ADDRESS")
        return cls(
            link=hdr.index,
            address=interface(ip, hdr.prefixlen),
            scope=member_or_int(Scope, hdr.scope),
            flags=AddressFlag(attrs.get("IFA_FLAGS", hdr.flags)),
            label=attrs.get("IFA_LABEL"),
        )
