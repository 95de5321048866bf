"""Messages: :class:`Message` (nlmsghdr fields, fixed header, attributes), :func:`decode` for a
datagram, and :func:`attribute_at`, which names what an ext-ack offset points at.

This module knows framing: which header and schema a message type carries (from
``rtnl.wire.schemas``), netlink's own message types, and no sockets.
"""

from __future__ import annotations

from typing import Any

from .. import _fast
from ..errors import DecodeError
from ..uapi import NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR
from .attrs import Attrs, Picker
from .attrs import view as _view
from .headers import NLMSGERR, NLMSGHDR, DoneHeader, ErrorHeader, NlMsgHdr
from .schemas import FAMILIES
from .schemas import NLMSGERR as NLMSGERR_ATTRS


class Message:
    """One netlink message: nlmsghdr fields, the fixed header, and the attributes.

    ``header`` is an :class:`IfInfoMsg`, :class:`IfAddrMsg`, :class:`RtMsg`, :class:`RtGenMsg`,
    :class:`ErrorHeader` or :class:`DoneHeader` by message type; for a type this module does not
    know, it is the raw payload (``bytes``) and ``attrs`` is ``None``.
    """

    __slots__ = ("attrs", "flags", "header", "pid", "seq", "type")

    def __init__(self, type: int, flags: int = NLM_F_REQUEST, *, header: Any = None,
                 attrs: Attrs | None = None, seq: int = 0, pid: int = 0) -> None:
        if header is None or attrs is None:  # the defaults of a known type: an empty header, no attributes
            family = FAMILIES.get(type)
            if header is None and family is not None:
                header = family[0].default
            if attrs is None and family is not None:
                attrs = _view(family[1], b"", 0, 0)
        self.type = type
        self.flags = flags
        self.seq = seq
        self.pid = pid
        self.header = header
        self.attrs = attrs

    def __repr__(self) -> str:
        return (f"Message(type={self.type}, flags={self.flags:#x}, seq={self.seq}, pid={self.pid}, "
                f"header={self.header!r}, attrs={self.attrs!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return (self.type, self.flags, self.seq, self.pid, self.header) == (
            other.type, other.flags, other.seq, other.pid, other.header) and self.attrs == other.attrs

    __hash__ = None  # type: ignore[assignment]

    def copy(self) -> Message:
        """A fully decoded copy, independent of the receive buffer."""
        return Message(self.type, self.flags, header=self.header, seq=self.seq, pid=self.pid,
                       attrs=None if self.attrs is None else self.attrs.copy())

    def encode(self, *, seq: int | None = None, pid: int | None = None, flags: int | None = None) -> bytes:
        """Wire bytes of this message; ``seq``/``pid``/``flags`` override the stored ones."""
        if flags is None:
            flags = self.flags
        family = FAMILIES.get(self.type)
        attrs = self.attrs
        if family is not None and attrs is not None:  # the common case: one pack, one concatenation
            fixed = family[0]
            tail = attrs.wire or attrs.encode()
            if seq is None:
                seq = self.seq
            if pid is None:
                pid = self.pid
            header = self.header
            if header is fixed.default:
                return fixed.blank.pack(16 + fixed.size + len(tail), self.type, flags, seq, pid) + tail
            return fixed.message.pack(16 + fixed.size + len(tail), self.type, flags, seq, pid, *header) + tail
        body = self._payload()
        return NLMSGHDR.pack(16 + len(body), self.type, flags,
                         self.seq if seq is None else seq, self.pid if pid is None else pid) + body

    def _payload(self) -> bytes:
        h, attrs = self.header, self.attrs
        tail = b"" if attrs is None else attrs.encode()
        family = FAMILIES.get(self.type)
        if family is not None:
            return family[0].pack(h) + tail
        if isinstance(h, ErrorHeader):
            return NLMSGERR.pack(h.error) + NLMSGHDR.pack(*h.request) + h.payload + tail
        if isinstance(h, DoneHeader):
            return NLMSGERR.pack(h.error) + tail
        return bytes(h or b"") + tail


def decode(data: bytes) -> list[Message]:
    """Every message in one datagram. Raises :class:`DecodeError` on malformed framing."""
    out = []
    off, n = 0, len(data)
    # locals: this loop runs per message
    unpack, new, make, view = NLMSGHDR.unpack_from, object.__new__, tuple.__new__, _view
    while off < n:
        if n - off < 16:
            raise DecodeError(f"{n - off} stray bytes after the last message")
        length, mtype, flags, seq, pid = unpack(data, off)
        if length < 16 or off + length > n:
            raise DecodeError(f"message claims {length} bytes, {n - off} left")
        end = off + length
        start = off + 16
        family = FAMILIES.get(mtype)
        if family is not None:
            fixed, schema = family
            if end - start < fixed.size:
                raise DecodeError(f"{fixed.cls.__name__} needs {fixed.size} bytes, got {end - start}")
            header = make(fixed.cls, fixed.st.unpack_from(data, start))
            attrs: Attrs | None = view(schema, data, start + fixed.size, end)
        elif mtype == NLMSG_ERROR or (mtype == NLMSG_DONE and end - start >= 4):
            header, attrs = _decode_status(data, start, end, mtype, flags)
        else:
            header, attrs = bytes(data[start:end]), None
        msg = new(Message)
        msg.type = mtype
        msg.flags = flags
        msg.seq = seq
        msg.pid = pid
        msg.header = header
        msg.attrs = attrs
        out.append(msg)
        off += (length + 3) & ~3
    return out


def _decode_status(data: bytes, start: int, end: int, mtype: int, flags: int) -> tuple[Any, Attrs]:
    error = NLMSGERR.unpack_from(data, start)[0] if end - start >= 4 else 0
    if mtype == NLMSG_DONE:
        return DoneHeader(error), _view(NLMSGERR_ATTRS, data, start + 4, end)
    if end - start < 20:
        raise DecodeError("NLMSG_ERROR shorter than struct nlmsgerr")
    request = NlMsgHdr._make(NLMSGHDR.unpack_from(data, start + 4))
    off = start + 20
    payload = b""
    if not flags & NLM_F_CAPPED:
        size = max(0, min(request.len - 16, end - off))
        if flags & NLM_F_ACK_TLVS:  # attributes follow the echoed request, aligned
            size = min(_fast.align(size), end - off)
            payload, off = bytes(data[off:off + size]), off + size
        else:
            payload, off = bytes(data[off:end]), end
    return ErrorHeader(error, request, payload), _view(NLMSGERR_ATTRS, data, off, end)


def rows(mtype: int, picker: Picker) -> _fast.Rows:
    """How a dump of messages of type ``mtype`` is read in rows (:func:`rtnl.netlink.dumping`): a row
    per message with its fixed header's fields and where ``picker``'s attributes are
    (:func:`rtnl._fast.message_rows`), for a value that reads them itself."""
    fixed, _ = FAMILIES[mtype]
    return _fast.rows_plan(fixed.st.format, picker.types.types)


def attribute_at(request: bytes, offset: int) -> str | None:
    """The path of the attribute at byte ``offset`` of an encoded request, for ext-ack messages.

    ``attribute_at(data, 52) -> "IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_MACVLAN_MODE"``
    """
    try:
        msgs = decode(request)
    except DecodeError:
        return None
    if not msgs or msgs[0].attrs is None:
        return None
    return msgs[0].attrs.path_at(offset)
