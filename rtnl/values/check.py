"""Argument validation, one home: every check that makes a bad argument a ``ValueError`` or
``TypeError`` before anything is sent.

Each checker takes the value and the name to call it by in its message, and returns the value as
the request needs it (a canonical MAC, an ``ipaddress`` object). Limits come from the kernel's
headers (``rtnl.uapi``). This module knows Python values only: no messages, no sockets.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from .._fast import packed_prefix, parse_interface, parse_network
from ..uapi import (
    AF_INET,
    AF_INET6,
    ALTIFNAMSIZ,
    ETH_MAX_MTU,
    ETH_MIN_MTU,
    IFNAMSIZ,
    INFINITY_LIFE_TIME,
    NAME_MAX,
)
from ..wire.codecs import parse_mac

Interface = ipaddress.IPv4Interface | ipaddress.IPv6Interface
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
InterfaceLike = str | Interface
NetworkLike = str | Network
AddressLike = str | IPAddress

_T = TypeVar("_T")
# what dev_valid_name (net/core/dev.c) refuses in a name's bytes: '/', ':', and every byte the
# kernel's isspace() takes, from _ctype in lib/ctype.c (C-locale space plus 0xA0, which is also
# the last byte of "à" and "\u00a0" in UTF-8); NUL would cut the name short
_BAD_NAME_BYTE = re.compile(rb"[/:\0\t\n\v\f\r \xa0]")
_MAC = re.compile(r"[0-9A-Fa-f]{1,2}(?::[0-9A-Fa-f]{1,2}){5}")


def check_type(value: object, kind: type[_T], what: str) -> _T:
    """``value`` if it is a ``kind`` (a bool is not an int here), else ``TypeError``."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{what} is {'an' if kind.__name__[0] in 'aeiou' else 'a'} {kind.__name__}, "
                        f"not {type(value).__name__}")
    return value


def check_int(value: object, what: str, low: int, high: int) -> int:
    """An int within ``low..high`` (not a bool)."""
    number = check_type(value, int, what)
    if not low <= number <= high:
        raise ValueError(f"{what} must be in {low}..{high}, not {number}")
    return number


def check_u32(value: object, what: str) -> int:
    """An unsigned 32-bit int."""
    return check_int(value, what, 0, 2**32 - 1)


def check_items(values: Iterable[_T], what: str) -> list[_T]:
    """The items of an iterable, as a list; a lone ``str`` or ``bytes`` is a ``TypeError`` (it is an
    iterable of characters: ``delete_many("ab")`` must not delete ``a`` and ``b``)."""
    if isinstance(values, (str, bytes, bytearray, memoryview)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{what} is an iterable of items, not {type(values).__name__}")
    return list(values)


def check_bool(value: object, what: str) -> bool:
    """A bool: ``"no"`` or ``0`` would be truthy or falsy by accident."""
    return check_type(value, bool, what)


def check_name(name: object, *, lookup: bool = False) -> str:
    """A valid interface name, checked byte for byte as the kernel's ``dev_valid_name`` does.

    1..15 bytes of UTF-8, not ``.``/``..``, no ``/``, ``:``, NUL or byte the kernel's ``isspace``
    takes (``\\t\\n\\v\\f\\r``, space, 0xA0: ``"xà"`` is refused, ``"a\\u3000b"`` is not). A name to
    give may not hold ``%``: the kernel would take ``"eth%d"`` as a pattern and pick ``eth0`` itself;
    nor be ``all`` or ``default``, which IPv4's sysctl tree has for its own (EINVAL).
    With ``lookup`` (a name to find, not to give) up to 127 bytes, ``%`` allowed: an alternative
    name (``ip link property add dev X altname NAME``).
    """
    if not isinstance(name, str):
        raise TypeError(f"an interface name is a str, not {type(name).__name__}")
    try:
        raw = name.encode()
    except UnicodeEncodeError:
        raise ValueError(f"interface name {name!r} is not encodable as UTF-8") from None
    limit = ALTIFNAMSIZ if lookup else IFNAMSIZ
    if not 0 < len(raw) < limit:
        raise ValueError(f"interface name {name!r} must be 1 to {limit - 1} bytes, not {len(raw)}")
    if not raw.isalnum() and (name in (".", "..") or _BAD_NAME_BYTE.search(raw)):  # ("m0": no regex)
        raise ValueError(f"invalid interface name {name!r}: no '/', ':', whitespace, '.' or '..'")
    if not lookup and "%" in name:
        raise ValueError(f"interface name {name!r} holds '%': the kernel would take it as a pattern "
                         "(eth%d -> eth0) and choose the name itself; give the name in full")
    if not lookup and name in ("all", "default"):  # sysctl_dev_name_is_allowed (include/net/ip.h)
        raise ValueError(f"interface name {name!r} is refused by the kernel: it is a directory of "
                         "/proc/sys/net/ipv4/conf/ of its own")
    return name


def check_namespace_name(name: object) -> str:
    """A named namespace's name: exactly one entry of the run dir (checked before touching the disk)."""
    if not isinstance(name, str):
        raise TypeError(f"namespace name must be str, not {type(name).__name__}")
    if name in ("", ".", "..") or "/" in name or "\0" in name or len(os.fsencode(name)) > NAME_MAX:
        raise ValueError(f"invalid namespace name {name!r}")
    return name


def check_mac(mac: object, what: str = "MAC address") -> str:
    """A unicast, non-zero Ethernet address in canonical form (``"02:00:5e:00:53:01"``), as the kernel's
    ``is_valid_ether_addr`` demands for a device or source address. Six groups of one or two hex
    digits separated by ``:``, nothing else (no sign, no spaces)."""
    if not isinstance(mac, str):
        raise TypeError(f"{what} is a str, not {type(mac).__name__}")
    if not _MAC.fullmatch(mac):
        raise ValueError(f"{what} {mac!r} is not six ':'-separated hex bytes")
    raw = parse_mac(mac)
    if raw[0] & 1 or not any(raw):
        raise ValueError(f"{what} {mac!r} must be unicast and non-zero")
    return raw.hex(":")


def check_mtu(mtu: object, what: str = "mtu") -> int:
    """An MTU within 68..65535 (``ETH_MIN_MTU``, IPv4's minimum, to ``ETH_MAX_MTU``); the kernel may
    refuse a narrower range for a given device."""
    return check_int(mtu, what, ETH_MIN_MTU, ETH_MAX_MTU)


def check_index(index: object, what: str = "link index") -> int:
    """An interface index: a positive 32-bit signed int (``ifi_index``)."""
    return check_int(index, what, 1, 2**31 - 1)


def check_table(table: object) -> int:
    """A routing table id (1..2**32-1; 254 is main)."""
    return check_int(table, "table", 1, 2**32 - 1)


def check_interface(value: object) -> Interface:
    """``"198.51.100.11/24"`` or an ``ipaddress`` interface -> an ``ipaddress`` interface.

    A bare address gets a host prefix (/32, /128), as with ``ip addr add``.
    """
    if isinstance(value, (ipaddress.IPv4Interface, ipaddress.IPv6Interface)):
        return value
    if not isinstance(value, str):
        raise TypeError(f"an address is a str or an ipaddress interface, not {type(value).__name__}")
    return parse_interface(value)


def check_address(value: object, what: str) -> IPAddress:
    """``"198.51.100.1"`` or an ``ipaddress`` address -> an ``ipaddress`` address."""
    if not isinstance(value, (str, ipaddress.IPv4Address, ipaddress.IPv6Address)):
        raise TypeError(f"{what} is a str or an ipaddress address, not {type(value).__name__}")
    return ipaddress.ip_address(value)


def check_network(value: object, what: str, *, default_version: int = 4) -> Network:
    """``"203.0.113.0/24"``, ``"default"`` (of ``default_version``) or an ``ipaddress`` network.
    Strict: host bits set is a ``ValueError``, as with ``ip route``."""
    if value == "default":
        return ipaddress.ip_network("::/0" if default_version == 6 else "0.0.0.0/0")
    if not isinstance(value, (str, ipaddress.IPv4Network, ipaddress.IPv6Network)):
        raise TypeError(f"{what} is 'default', a str or an ipaddress network, not {type(value).__name__}")
    return value if not isinstance(value, str) else parse_network(value)


def check_network_packed(value: object, what: str) -> tuple[bytes, int]:
    """:func:`check_network`'s network as a request carries it: its address packed (4 or 16 bytes,
    the version) and its prefix length. The usual ``"address/length"`` is read without making an
    ``ipaddress`` network (~0.7 µs a route); anything else, or anything wrong, goes through
    :func:`check_network`, which raises the same error as for a network asked for."""
    found = packed_prefix(value)
    if found is not None:
        packed, prefixlen = found
        shift = 8 * len(packed) - prefixlen
        if shift >= 0 and not int.from_bytes(packed, "big") & ((1 << shift) - 1):
            return packed, prefixlen
    network = check_network(value, what)
    return network.network_address.packed, network.prefixlen


# --- issue 17: routes and addresses ----------------------------------------------------------------


def check_weight(weight: object) -> int:
    """A next hop's weight, 1..256 (``rtnh_hops`` is one less, a u8)."""
    return check_int(weight, "weight", 1, 256)


def check_lifetimes(valid: object, preferred: object) -> tuple[int, int] | None:
    """``(preferred, valid)`` seconds for IFA_CACHEINFO (``INFINITY_LIFE_TIME`` for ``None``,
    forever), or ``None`` if both are ``None``. ``preferred`` defaults to ``valid``; it may not be
    longer, and ``valid`` may not be 0 (the kernel's own rules, said before sending)."""
    if valid is None and preferred is None:
        return None
    forever = INFINITY_LIFE_TIME
    valid_s = forever if valid is None else check_int(valid, "valid_lft", 1, forever - 1)
    preferred_s = valid_s if preferred is None else check_int(preferred, "preferred_lft", 0, forever - 1)
    if preferred_s > valid_s:
        raise ValueError(f"preferred_lft ({preferred_s}) is longer than valid_lft ({valid_s})")
    return preferred_s, valid_s


def check_byte_or_name(value: object, parse: Callable[[str, str], int], what: str) -> int:
    """A u8 field given as a number (0..255) or a name ``parse`` knows (``"static"``, ``"link"``)."""
    if isinstance(value, str):
        return int(parse(value, what))
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what} is a name or a number, not {type(value).__name__}")
    return check_int(value, what, 0, 255)


# --- sysctls (Namespace.sysctl) -------------------------------------------------------------------------
_SEPARATOR = re.compile(r"[./]")
_SWAP_SEPARATORS = str.maketrans("./", "/.")


def check_sysctl_key(key: object) -> str:
    """A network sysctl's key as ``sysctl(8)`` takes it -> its path under ``/proc/sys``.

    ``"net.ipv4.conf.ens33.accept_local"`` -> ``"net/ipv4/conf/ens33/accept_local"``. As with
    ``sysctl``, a ``/`` in a dotted key stands for a dot within one part, an interface name's
    (``"net.ipv4.conf.ens33/01.rp_filter"`` is ens33.01's), and a key whose first separator is ``/``
    is a path already (``"net/ipv4/conf/ens33.01/rp_filter"``). Only keys under ``net`` (the ones
    each network namespace has its own of), with no empty, ``.`` or ``..`` part.
    """
    if not isinstance(key, str):
        raise TypeError(f"a sysctl key is a str such as 'net.ipv4.ip_forward', not {type(key).__name__}")
    first = _SEPARATOR.search(key)
    path = key if first is not None and first.group() == "/" else key.translate(_SWAP_SEPARATORS)
    parts = path.split("/")
    if parts[0] != "net" or len(parts) < 2:
        raise ValueError(f"sysctl key {key!r} is not under net. (only those belong to a network namespace)")
    if any(part in ("", ".", "..") or "\0" in part or part != part.strip() for part in parts):
        raise ValueError(f"invalid sysctl key {key!r}: an empty, '.' or '..' part")
    return path


def check_sysctl_value(value: object) -> str:
    """A sysctl value to write: a str (``"1"``, ``"32768 60999"``) or an int, as ``sysctl -w`` writes it."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise TypeError(f"a sysctl value is a str or an int, not {type(value).__name__}")
    if "\0" in value or "\n" in value.rstrip("\n"):
        raise ValueError(f"a sysctl value is one line without NUL, not {value!r}")
    return value


# --- neighbours and policy rules (issue 17) ------------------------------------------------------
def check_lladdr(lladdr: object, what: str = "lladdr") -> str:
    """A neighbour's link-layer address: six ``:``-separated hex bytes in canonical form. Unlike
    :func:`check_mac`, multicast and zero are allowed (a neighbour may map to either)."""
    if not isinstance(lladdr, str):
        raise TypeError(f"{what} is a str like '02:00:5e:00:53:01', not {type(lladdr).__name__}")
    if not _MAC.fullmatch(lladdr):
        raise ValueError(f"{what} {lladdr!r} is not six ':'-separated hex bytes")
    return parse_mac(lladdr).hex(":")


def check_family(family: object) -> int | None:
    """An IP version for a listing filter: ``None`` (both), ``4`` or ``6``; returns the ``AF_*``."""
    if family is None:
        return None
    version = check_type(family, int, "family")
    if version not in (4, 6):
        raise ValueError(f"family is 4 or 6 (or None for both), not {version}")
    return AF_INET if version == 4 else AF_INET6


def check_rule_table(table: object) -> int:
    """A rule's table id: 1..2**32-1, not 252 (``RT_TABLE_COMPAT``, a marker, not a table)."""
    number = check_table(table)
    if number == 252:
        raise ValueError("table 252 (RT_TABLE_COMPAT) is reserved")
    return number
