"""How one attribute's payload is read and written: the value codecs a schema names.

A codec decodes ``buf[start:end]`` into a value and encodes a value into a payload. Raw ``bytes``
always pass through, and a payload that does not decode canonically stays ``bytes``, so decoding
and encoding again gives back the same bytes. A codec may also offer a *shortcut*: an encoder of the
whole attribute (header, payload, padding) for the value types it names, which a schema takes for
exactly those types and never as a guess (``rtnl._fast`` holds the tricks).

This module knows payloads only: not attribute sets, schemas or messages (nests, which hold
attributes, are codecs of ``rtnl.wire.attrs``).
"""

from __future__ import annotations

import ipaddress
import struct
from typing import Any

from .. import _fast
from .._fast import Decoder, Encoder
from ..errors import DecodeError

_U32, _U64 = struct.Struct("=I"), struct.Struct("=Q")
_HEX = "0123456789abcdefABCDEF"

Shortcut = tuple[tuple[type, ...], Encoder]
"""The value types a shortcut takes, and the encoder of a whole attribute from such a value."""


class Codec:
    """Raw bytes; the base of every codec. ``parent`` is the attributes being read (nests read
    their siblings or make children from it); ``siblings`` are those being built, by name."""

    nested: bool = False
    #: what a payload must be to decode, for a codec whose ``decode`` may keep the bytes instead
    #: (``None``: every payload decodes)
    what: str | None = None

    def decode(self, buf: bytes, start: int, end: int, parent: Any) -> Any:
        return bytes(buf[start:end])

    def strict(self, name: str) -> Decoder:
        """A decoder for values built from the wire (``rtnl.values``): the value ``decode`` gives,
        and :class:`DecodeError` naming attribute ``name`` where ``decode`` would keep the bytes, so
        that a field typed ``int`` never holds ``bytes``."""
        decode, what = self.decode, self.what
        if what is None:
            return decode

        def strict_decode(buf: bytes, start: int, end: int, parent: Any) -> Any:
            value = decode(buf, start, end, parent)
            if type(value) is bytes:
                raise DecodeError(f"{name}: {end - start} bytes are not {what}")
            return value
        return strict_decode

    def encode(self, value: Any, siblings: Any) -> bytes:
        return bytes(value)

    def shortcut(self, rtype: int) -> Shortcut | None:
        """A whole-attribute encoder of type ``rtype`` and the value types it takes, or None."""
        return None


class Int(Codec):
    """One integer of a ``struct`` format: ``"=I"`` (u32), ``"!H"`` (big-endian u16)..."""

    def __init__(self, fmt: str) -> None:
        self.st = struct.Struct(fmt)
        self.what = f"a {self.st.size}-byte integer"

    def decode(self, buf: bytes, start: int, end: int, parent: Any) -> Any:
        if end - start != self.st.size:  # not the size this version expects: keep the bytes
            return bytes(buf[start:end])
        return self.st.unpack_from(buf, start)[0]

    def strict(self, name: str) -> Decoder:
        size, unpack, what = self.st.size, self.st.unpack_from, self.what  # one call per field, no self

        def strict_decode(buf: bytes, start: int, end: int, parent: Any) -> Any:
            if end - start != size:
                raise DecodeError(f"{name}: {end - start} bytes are not {what}")
            return unpack(buf, start)[0]
        return strict_decode

    def encode(self, value: Any, siblings: Any) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        try:
            return self.st.pack(value)
        except struct.error as e:  # bad input is a ValueError/TypeError, raised before anything is sent
            raise (ValueError if isinstance(value, int) else TypeError)(f"{value!r}: {e}") from None

    def shortcut(self, rtype: int) -> Shortcut | None:
        if self.st.format[0] != "=":  # BE16: the value's byte order is not the header's
            return None
        return (int,), _fast.int_attr(rtype, self.st.format)


class Uint(Codec):
    """NLA_UINT (linux/netlink.h): a u32, or a u64 when the value needs it."""

    what = "a 4- or 8-byte integer"

    def decode(self, buf: bytes, start: int, end: int, parent: Any) -> Any:
        n = end - start
        if n == 4:
            return _U32.unpack_from(buf, start)[0]
        if n == 8 and (value := _U64.unpack_from(buf, start)[0]) > 0xFFFFFFFF:
            return value
        return bytes(buf[start:end])  # including a u64 that fits u32: not how the kernel writes one

    def encode(self, value: Any, siblings: Any) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return (_U32 if value <= 0xFFFFFFFF else _U64).pack(value)


class Str(Codec):
    """NUL-terminated string; anything else (no NUL, bytes after it) stays raw bytes."""

    what = "a NUL-terminated string"

    def decode(self, buf: bytes, start: int, end: int, parent: Any) -> Any:
        raw = buf[start:end]
        if type(raw) is not bytes:
            raw = bytes(raw)
        if raw.find(0) == end - start - 1 >= 0:  # one NUL, the last byte
            return raw[:-1].decode("utf-8", "surrogateescape")
        return raw

    def encode(self, value: Any, siblings: Any) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        if not isinstance(value, str):
            raise TypeError(f"a string attribute takes str or bytes, not {type(value).__name__}")
        return value.encode("utf-8", "surrogateescape") + b"\0"

    def shortcut(self, rtype: int) -> Shortcut | None:
        return (str,), _fast.str_attr(rtype)


class Kind(Str):
    """A string from a small set (``IFLA_INFO_KIND``): each value's whole attribute is encoded once
    and kept, so that encoding it again is a dict lookup."""

    def shortcut(self, rtype: int) -> Shortcut | None:
        whole = _fast.str_attr(rtype)
        return (str,), _fast.Memo(lambda value: (whole(value), True)).__getitem__


class LLAddr(Codec):
    """Link-layer address of any length as ``"aa:bb:cc:dd:ee:ff"``."""

    def decode(self, buf: bytes, start: int, end: int, parent: Any) -> Any:
        return bytes(buf[start:end]).hex(":")

    def encode(self, value: Any, siblings: Any) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return parse_mac(value, any_length=True)


class IPAddr(Codec):
    """IPv4 or IPv6 address, by length; other lengths stay bytes."""

    what = "an IPv4 or IPv6 address"

    def decode(self, buf: bytes, start: int, end: int, parent: Any) -> Any:
        n = end - start
        if n == 4 or n == 16:  # from the int, without the constructor's checks
            return _fast.ip_address_of(int.from_bytes(buf[start:end], "big"), n == 16)
        return bytes(buf[start:end])

    def encode(self, value: Any, siblings: Any) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
            return value.packed  # ip_address() of an address object goes through its text: ~10 us
        return ipaddress.ip_address(value).packed

    def shortcut(self, rtype: int) -> Shortcut | None:  # (an interface is an address, as in ipaddress)
        return (ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Interface,
                ipaddress.IPv6Interface), _fast.ip_attr(rtype)


class Flag(Codec):
    """NLA_FLAG: present (``True``) or absent, no payload."""

    what = "a flag (no payload)"

    def decode(self, buf: bytes, start: int, end: int, parent: Any) -> Any:
        return True if end == start else bytes(buf[start:end])

    def encode(self, value: Any, siblings: Any) -> bytes:
        return bytes(value) if isinstance(value, (bytes, bytearray)) else b""


class Array(Codec):
    """A struct of equal integers (rtnl_link_stats64, ifa_cacheinfo...) as a tuple."""

    def __init__(self, item: str) -> None:
        self.item = item
        self.size = struct.calcsize(item)
        self.what = f"an array of {self.size}-byte integers"

    def decode(self, buf: bytes, start: int, end: int, parent: Any) -> Any:
        n, rest = divmod(end - start, self.size)
        if rest:
            return bytes(buf[start:end])
        return struct.unpack_from(f"={n}{self.item}", buf, start)

    def encode(self, value: Any, siblings: Any) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return struct.pack(f"={len(value)}{self.item}", *value)


U8, U16, U32, U64, S32 = Int("=B"), Int("=H"), Int("=I"), Int("=Q"), Int("=i")
BE16, BE32 = Int("!H"), Int("!I")
UINT = Uint()
STR, BYTES, LLADDR, IPADDR, FLAG = Str(), Codec(), LLAddr(), IPAddr(), Flag()
KIND = Kind()
U32S, U64S = Array("I"), Array("Q")


def parse_mac(text: str, *, any_length: bool = False) -> bytes:
    """``"02:00:5e:00:53:01"`` -> 6 bytes; ``ValueError`` for anything else."""
    if not isinstance(text, str):
        raise TypeError(f"a MAC address is a str like '02:00:5e:00:53:01', not {type(text).__name__}")
    parts = text.split(":") if text else []
    # hex digits only: int(x, 16) alone would also take "+2", " 2" or "0x"
    if not all(0 < len(p) < 3 and p.strip(_HEX) == "" for p in parts):
        raise ValueError(f"not a MAC address: {text!r}")
    raw = bytes(int(p, 16) for p in parts)
    if not any_length and len(raw) != 6:
        raise ValueError(f"not a MAC address (need 6 bytes): {text!r}")
    return raw
