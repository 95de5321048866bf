"""IP addresses on links as the kernel reports them: :class:`Address`.

This module knows RTM_NEWADDR messages as values: not sockets or how an address is added
(``rtnl.ops.addresses``).
"""

from __future__ import annotations

from .._fast import interface, member_or_int
from ..wire.message import Message
from .check import Interface
from .enums import AddressFlag, Scope
from .specs import _Record


class Address(_Record):
    """An address on a link: ``link`` is the interface index, ``address`` carries the prefix length.
    A value (``==``, ``hash``, ``repr``, read-only fields), a tuple underneath as the specs are."""

    _fields = ("link", "address", "scope", "flags", "label")
    __slots__ = ()
    link: int
    address: Interface
    scope: Scope | int
    flags: AddressFlag
    label: str | None

    def __new__(cls, link: int, address: Interface, scope: Scope | int = Scope.UNIVERSE,
                flags: AddressFlag = AddressFlag(0), label: str | None = None) -> Address:  # noqa: B008
        return tuple.__new__(cls, (link, address, scope, flags, label))

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
