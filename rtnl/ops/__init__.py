"""Operations, written once for every driver: generators that yield what to ask the kernel.

An operation (``rtnl.ops.links.add``, ``rtnl.ops.routes.add_route``...) does no I/O on a socket. It is
a generator: it validates its arguments, then yields *steps* and receives each step's answer back
from whoever drives it, and finally returns its result. Steps:

- :class:`Request`: one message; the answer is the list of reply messages (the ack left out). With
  ``ack=False`` no ``NLM_F_ACK`` is asked for (a create the kernel echoes anyway).
- :class:`Dump`: one dump request; the answer is every message of the dump.
- :class:`Batch`: many messages pipelined, ``window`` per datagram; the answer is one entry per
  message, its reply messages or the :class:`~rtnl.NetlinkError` it failed with (errors as values,
  so every answer is read and the operation decides).
- :class:`Inside`: run another operation on a connection opened inside ``namespace``; the answer is
  its result.

A kernel refusal of a :class:`Request` or :class:`Dump` is thrown into the generator at its
``yield``, so an operation rolls back with ``try``/``except`` and more ``yield``\\ s, as plain code
would. An operation reads from its :class:`Place` (the connection it runs on) only the namespace's
identity and what was learned about the kernel.

The blocking driver is :meth:`rtnl.Connection.run`; an asyncio driver runs the same generators,
awaiting its socket where the blocking one waits::

    def rename(place: Place, index: int, name: str) -> Operation[Link]:
        yield Request(Message(RTM_NEWLINK, header=IfInfoMsg(index=index),
                              attrs=IFLA.build(IFLA_IFNAME=check_name(name))))
        [reply] = yield Request(getlink_message(index))
        return Link.from_message(reply, place.namespace_id)

    link = net.run(rename(net, 7, "mv1"))

This package knows values, the wire format and the protocol above: not sockets or ``Connection``.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Callable, Generator
from typing import Any, NamedTuple, Protocol, TypeVar

from ..errors import NetlinkError
from ..values.specs import NamespaceHandle
from ..wire.message import Message

_T = TypeVar("_T")


class Place(Protocol):
    """What an operation knows of the connection it runs on."""

    namespace_id: tuple[int, int] | None  #: ``(st_dev, st_ino)`` of its namespace, for the Links read
    kernel_echoes: bool  #: whether this kernel answered a create's ``NLM_F_ECHO`` (Linux >= 6.3)


class Request(NamedTuple):
    """Send ``message``; answered with its reply messages, or a ``NetlinkError`` thrown in."""

    message: Message
    ack: bool = True


class Dump(NamedTuple):
    """Send ``message`` as a dump; answered with every message of the dump."""

    message: Message


class Batch(NamedTuple):
    """Send ``messages`` pipelined, ``window`` per datagram; answered with one list of replies or
    ``NetlinkError`` per message, in order."""

    messages: list[Message]
    window: int
    ack: bool = True


class Inside(NamedTuple):
    """Run ``operation(place)`` on a connection opened inside ``namespace`` (and closed after)."""

    namespace: NamespaceHandle
    operation: Callable[[Place], Operation[Any]]


Step = Request | Dump | Batch | Inside
Operation = Generator[Step, Any, _T]
"""An operation that returns a ``_T``: ``def op(place, ...) -> Operation[Link]``."""
BatchAnswer = list[list[Message] | NetlinkError]


def ignoring_errors(step: Step) -> Operation[None]:
    """Yield ``step`` for a best-effort cleanup: a kernel refusal is ignored (the error that made
    the cleanup necessary is the one to report)."""
    with contextlib.suppress(NetlinkError):
        yield step


# --- issue 17: batches of writes, all or nothing ------------------------------------------------------


def all_or_nothing(messages: list[Message], undo: Callable[[Message], Message], what: Callable[[int], str],
                   window: int) -> Operation[BatchAnswer]:
    """Send ``messages`` pipelined (one :class:`Batch`); if the kernel refuses any, send ``undo(m)`` for
    each one it accepted (refusals of those ignored) and raise the first refusal, its text led by
    ``what(i)`` (``"adding route 192.0.2.0/24"``). Returns the answers when every one was accepted."""
    answers: BatchAnswer = yield Batch(messages, window)
    failed = [i for i, answer in enumerate(answers) if isinstance(answer, NetlinkError)]
    if failed:
        accepted = [undo(m) for m, answer in zip(messages, answers, strict=True)
                    if not isinstance(answer, NetlinkError)]
        if accepted:
            yield Batch(accepted, window)
        first = answers[failed[0]]
        assert isinstance(first, NetlinkError)
        text = what(failed[0]) + (f": {first.extack}" if first.extack else "")
        raise NetlinkError.from_errno(first.errno or errno.EIO, text, first.attribute)
    return answers
