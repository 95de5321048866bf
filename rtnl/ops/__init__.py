"""Operations, written once for every driver: generators that yield what to ask the kernel.

An operation (``rtnl.ops.links.add``, ``rtnl.ops.routes.add_route``...) does no I/O on a socket. It is
a generator: it validates its arguments, then yields *steps* and receives each step's answer back
from whoever drives it, and finally returns its result. Steps:

- :class:`Request`: one message; the answer is the list of reply messages (the ack left out). With
  ``ack=False`` no ``NLM_F_ACK`` is asked for (a create the kernel echoes anyway). With ``then``, a
  read sent in the same datagram right after it (the get of what it made), whose answer the step's
  is: its reply messages, or its :class:`~rtnl.NetlinkError` as a value.
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
import functools
from collections.abc import Callable, Generator
from typing import Any, Concatenate, NamedTuple, ParamSpec, Protocol, TypeVar, cast

from .._fast import Rows
from ..errors import NetlinkError
from ..netlink import Exchanges, dumping, each, requesting
from ..values.specs import NamespaceHandle
from ..wire.message import Message

_T = TypeVar("_T")
_P = ParamSpec("_P")


class Place(Protocol):
    """What an operation knows of the connection it runs on."""

    namespace_id: tuple[int, int] | None  #: ``(st_dev, st_ino)`` of its namespace, for the Links read
    kernel_echoes: bool  #: whether this kernel answered a create's ``NLM_F_ECHO`` (Linux >= 6.3)

    @property
    def namespace(self) -> NamespaceHandle:
        """Its namespace, open (where a link that failed to move is sent back)."""


class Request(NamedTuple):
    """Send ``message``; answered with its reply messages, or a ``NetlinkError`` thrown in.

    ``then``: a read (an ``RTM_GET*``) sent in the same datagram after ``message``, never acked (its
    answer ends it); the step is then answered with ``then``'s reply messages or its
    ``NetlinkError`` as a value, while a refusal of ``message`` is thrown in as always. So one
    exchange makes a change and reads it back, and whoever is cut short at it still learns whether
    the change was made (see :data:`Step`)."""

    message: Message
    ack: bool = True
    then: Message | None = None


class Dump(NamedTuple):
    """Send ``message`` as a dump; answered with every message of the dump, or with ``rows``
    (``rtnl.wire.message.rows``) a ``(datagram, rows)`` pair per datagram instead
    (:func:`rtnl.netlink.dumping`)."""

    message: Message
    rows: Rows | None = None


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
"""What an operation yields. A driver answers each (see :meth:`rtnl.Connection.run`); one that can be
cancelled while a step is in flight (:mod:`rtnl.aio`) keeps the meaning of an exception thrown in
at a ``yield`` plain: a :class:`~rtnl.NetlinkError` is the kernel's refusal (nothing was done);
any other exception at a :class:`Request` comes once the request was carried out (its answer came
back), at a :class:`Batch` once the window in flight was; at a :class:`Dump` nothing was done; at
an :class:`Inside` its operation has rolled itself back. So the rollback of a create undoes it."""
Operation = Generator[Step, Any, _T]
"""An operation that returns a ``_T``: ``def op(place, ...) -> Operation[Link]``."""
BatchAnswer = list[list[Message] | NetlinkError]


def ignoring_errors(step: Step) -> Operation[None]:
    """Yield ``step`` for a best-effort cleanup: a kernel refusal is ignored (the error that made
    the cleanup necessary is the one to report)."""
    with contextlib.suppress(NetlinkError):
        yield step


def exchanges(step: Request | Dump | Batch) -> Exchanges[Any]:
    """The netlink exchanges that answer ``step`` (an :class:`Inside` opens a connection instead):
    the one way of asking that every driver runs over its socket."""
    if isinstance(step, Request):
        return requesting(step.message, step.ack, step.then)
    if isinstance(step, Dump):
        return dumping(step.message, step.rows)
    return each(step.messages, step.window, step.ack)


def request(message: Message) -> Operation[list[Message]]:
    """One codec message, acked: its answer messages (``Connection.request``, the escape hatch)."""
    return cast(list[Message], (yield Request(message)))


def dump(message: Message) -> Operation[list[Message]]:
    """One dump request: every message of the dump (``Connection.dump``)."""
    return cast(list[Message], (yield Dump(message)))


def about(describe: Callable[..., str]) -> Callable[[Callable[Concatenate[Place, _P], Operation[_T]]],
                                                     Callable[Concatenate[Place, _P], Operation[_T]]]:
    """Make a :class:`~rtnl.NetlinkError` escaping an operation name what it was about, unless an
    operation it ran named it already (``set("v0", master="ghost")`` fails on ``link 'ghost'``, the
    lookup's own object). ``describe`` is called with the operation's arguments, its place left out::

        @about(lambda link, **_: f"link {link!r}")
        def delete(place: Place, link: LinkRef) -> Operation[None]: ...
    """
    def decorate(operation: Callable[Concatenate[Place, _P], Operation[_T]]
                 ) -> Callable[Concatenate[Place, _P], Operation[_T]]:
        @functools.wraps(operation)
        def named(place: Place, /, *args: _P.args, **kwargs: _P.kwargs) -> Operation[_T]:
            try:
                return (yield from operation(place, *args, **kwargs))
            except NetlinkError as e:
                if e.about is None:
                    e.about = describe(*args, **kwargs)
                raise
        return named
    return decorate


# --- issue 17: batches of writes, all or nothing ------------------------------------------------------


def all_or_nothing(messages: list[Message], undo: Callable[[Message], Message], what: Callable[[int], str],
                   window: int, present: Callable[[], Operation[set[int]]]) -> Operation[BatchAnswer]:
    """Send ``messages`` pipelined (one :class:`Batch`); if the kernel refuses any, send ``undo(m)`` for
    each one it accepted (refusals of those ignored) and raise the first refusal, about
    ``what(i)`` (``"adding route 192.0.2.0/24"``). Returns the answers when every one was accepted.

    ``present()`` says which of ``messages`` (by position) are in effect in the kernel now. It is asked
    before the batch and again if the batch is interrupted (a cancelled task, a ``KeyboardInterrupt``):
    which windows were carried out then is not known, so those in effect now but not before are undone,
    and what existed before is never touched."""
    before = yield from present()
    try:
        answers: BatchAnswer = yield Batch(messages, window)
    except GeneratorExit:
        raise
    except BaseException:
        made = (yield from present()) - before
        if made:
            yield Batch([undo(m) for i, m in enumerate(messages) if i in made], window)
        raise
    failed = [i for i, answer in enumerate(answers) if isinstance(answer, NetlinkError)]
    if failed:
        accepted = [undo(m) for m, answer in zip(messages, answers, strict=True)
                    if not isinstance(answer, NetlinkError)]
        if accepted:
            try:
                yield Batch(accepted, window)
            except GeneratorExit:
                raise
            except BaseException:  # interrupted part-way: once more (refusals of those gone ignored)
                yield Batch(accepted, window)
                raise
        first = answers[failed[0]]
        assert isinstance(first, NetlinkError)
        first.about = what(failed[0])  # (the kernel's extack kept as it is)
        raise first
    return answers
