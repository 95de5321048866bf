"""Link operations (RTM_*LINK): list, look up, create, change, move and delete links.

Each is a generator run by a driver (see :mod:`rtnl.ops`); :class:`~rtnl.Connection` exposes them
as methods (``net.add(spec)`` runs ``add(net, spec)``). This module knows how a spec becomes a
request and how a failed multi-step change is undone; not sockets or ``Connection``.

It is over 600 lines because every multi-step write here (add in a namespace, ``add_many``, ``set``,
``move`` with a rename, ``delete_many``) keeps its undo steps next to the steps they undo: split by
size, a rollback would live apart from what it rolls back.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast, overload

from ..errors import NetlinkError
from ..netlink import ECHO_WINDOW, WINDOW
from ..uapi import (
    BRIDGE_MODE_HAIRPIN,
    IFF_PROMISC,
    IFF_UP,
    IFNAMSIZ,
    MACVLAN_MACADDR_ADD,
    MACVLAN_MACADDR_DEL,
    MACVLAN_MACADDR_FLUSH,
    MACVLAN_MACADDR_SET,
    NLM_F_CREATE,
    NLM_F_ECHO,
    NLM_F_EXCL,
    NLM_F_REQUEST,
    RTEXT_FILTER_SKIP_STATS,
    RTEXT_FILTER_VF,
    RTM_DELLINK,
    RTM_GETLINK,
    RTM_NEWLINK,
)
from ..values.check import (
    check_bool,
    check_index,
    check_items,
    check_mac,
    check_mtu,
    check_name,
    check_u32,
)
from ..values.links import LINK_ROWS, Link, LinkRef, MacvlanInfo, check_ref
from ..values.specs import Bridge, Macvlan, NamespaceHandle, NamespaceLike, SourceMacs, Spec, Veth, Vxlan
from ..wire.attrs import Attrs, Body, view
from ..wire.headers import IFINFOMSG, IfInfoMsg
from ..wire.message import Message, rows
from ..wire.schemas import IFLA, IFLA_INFO, IFLA_MACVLAN_MACADDR_LIST
from . import Batch, Dump, Inside, Operation, Place, Request, Step, about, ignoring_errors

_EXT_MASK = RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS  # (skips VF counters only: IFLA_STATS64 always comes)
# kinds whose driver announces the new link itself (vxlan_dev_create calls rtnl_configure_link without
# the request), so a create's NLM_F_ECHO goes unanswered: ask for an ack instead, then look the link up
_NO_ECHO_KINDS = frozenset({"vxlan"})


# --- what an error is about ------------------------------------------------------------------------------


def ref_text(link: object) -> str:
    """A link as an error names it: ``'mv0'``, ``index 7``, ``'mv0' (index 7)`` for a Link."""
    if isinstance(link, Link):
        return f"{link.name!r} (index {link.index})"
    return f"index {link}" if isinstance(link, int) else repr(link)


def _link_about(link: object, *args: object, name: str | None = None, master: object = None,
                **_: object) -> str:
    extra = [f"name {name!r}"] * (name is not None) + [f"master {ref_text(master)}"] * (master is not None)
    return f"link {ref_text(link)}" + (f" ({', '.join(extra)})" if extra else "")


def _spec_about(spec: Spec) -> str:
    return f"link {spec.name!r}" + (f" (peer {spec.peer!r})" if isinstance(spec, Veth) else "")


# --- reading --------------------------------------------------------------------------------------------


def links(place: Place) -> Operation[list[Link]]:
    """Every link in the namespace, in index order."""
    request = Message(RTM_GETLINK, header=IfInfoMsg(), attrs=IFLA.build(IFLA_EXT_MASK=_EXT_MASK))
    return Link._all((yield Dump(request, LINK_ROWS)), place.namespace_id)


@about(_link_about)
def get(place: Place, link: LinkRef) -> Operation[Link]:
    """One link, looked up by the kernel by name (or alternative name), index or :class:`Link`
    (read again). ``NetlinkError`` (ENODEV) if there is none."""
    ref = index_here(place, link) if isinstance(link, Link) else link
    # no ack asked: the kernel answers a get with the link or an error, so one datagram ends it
    [reply] = yield Request(_getlink(ref), ack=False)
    return Link.from_message(reply, place.namespace_id)


def index_here(place: Place, link: LinkRef) -> int | str:
    """The index of ``link`` if it can be told without asking the kernel, else its name.

    :raises ValueError: ``link`` is a :class:`Link` read in another namespace (its index means
        another link here), or an index out of range.
    """
    if type(link) is int and 0 < link < 2**31:  # an index, the common case: no call
        return link
    if isinstance(link, Link):
        if link.namespace_id not in (None, place.namespace_id):
            raise ValueError(f"link {link.name!r} (index {link.index}) was read in another network "
                             f"namespace than this connection's; look it up here by name instead")
        return link.index
    if isinstance(link, int) and not isinstance(link, bool):
        return check_index(link)
    if not isinstance(link, str):
        raise TypeError(f"a link is a Link, a name or an index, not {type(link).__name__}")
    return link


@about(_link_about)
def index(place: Place, link: LinkRef) -> Operation[int]:
    """The index of a :class:`Link`, a name or an index (a name costs one kernel lookup)."""
    ref = index_here(place, link)
    if type(ref) is int:
        return ref
    return (yield from get(place, ref)).index


def _name_key(name: str) -> str:
    """IFLA_IFNAME, or IFLA_ALT_IFNAME for a name of 16..127 bytes (an alternative name)."""
    return "IFLA_IFNAME" if len(check_name(name, lookup=True).encode()) < IFNAMSIZ else "IFLA_ALT_IFNAME"


def _getlink(link: str | int) -> Message:
    if isinstance(link, int):
        return Message(RTM_GETLINK, header=IfInfoMsg(index=check_index(link)),
                       attrs=IFLA.build(IFLA_EXT_MASK=_EXT_MASK))
    return Message(RTM_GETLINK, attrs=IFLA.build(**{_name_key(link): link, "IFLA_EXT_MASK": _EXT_MASK}))


_NAME_AND_GROUP = IFLA.picker("IFLA_IFNAME", "IFLA_GROUP")
_NAME_AND_GROUP_ROWS = rows(RTM_NEWLINK, _NAME_AND_GROUP)


def _names_and_groups(place: Place) -> Operation[dict[int, tuple[str, int]]]:
    """index -> (name, group) of every link: a dump read in rows (one C walk per datagram finds both
    attributes of every link), of which only those two are decoded (a bulk delete pays this per link)."""
    mask = IFLA.build(IFLA_EXT_MASK=RTEXT_FILTER_SKIP_STATS)
    name_of, group_of = _NAME_AND_GROUP.decoders
    read = _NAME_AND_GROUP_ROWS.row.iter_unpack
    out = {}
    for buf, table in (yield Dump(Message(RTM_GETLINK, attrs=mask), _NAME_AND_GROUP_ROWS)):
        for row in read(table):  # (status, type, flags, seq, pid, start, end, *ifinfomsg, *spans)
            if row[1] == RTM_NEWLINK:
                if row[0]:  # badly framed attributes: the walk says how
                    Attrs.over(IFLA, buf, row[5], row[6]).locate(_NAME_AND_GROUP)
                name, name_end, group, group_end = row[12:]
                out[row[9]] = (name_of(buf, name, name_end, None) if name else "",
                               group_of(buf, group, group_end, None) if group else 0)
    return out


# --- requests ---------------------------------------------------------------------------------------------


def _newlink(index: int = 0, flags: int = 0, *, ifi_flags: int = 0, change: int = 0,
             attrs: dict[str, Any] | None = None) -> Message:
    return Message(RTM_NEWLINK, flags, header=IfInfoMsg(index=index, flags=ifi_flags, change=change),
                   attrs=IFLA.build(**attrs) if attrs else None)


def _dellink(link: str | int) -> Message:
    if isinstance(link, str):
        return Message(RTM_DELLINK, attrs=IFLA.build(**{_name_key(link): link}))
    return Message(RTM_DELLINK, header=IfInfoMsg(index=check_index(link)))


_CREATE_ECHO = NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO
_IFNAME = cast("Callable[[str], bytes]", IFLA.shortcuts["IFLA_IFNAME"][1])  # a str -> its whole attribute


def _named(name: str, attrs: bytes) -> Attrs:
    """A create's IFLA attributes: IFLA_IFNAME ``name``, then ``attrs`` (encoded already)."""
    data = _IFNAME(name) + attrs
    built = view(IFLA, data, 0, len(data))
    built.wire = data  # (as Schema.build does: the request's encode takes them as they are)
    return built


@functools.lru_cache(maxsize=64)
def _macvlan_attrs(parent: int, kind: str, mode: int, flags: int, source_macs: tuple[str, ...],
                   bc_queue_len: int | None, bc_cutoff: int | None, address: str | None,
                   mtu: int | None) -> bytes:
    """The IFLA attributes that create a macvlan or macvtap child of ``parent`` (an index), name
    aside: encoded once for children made alike (a bulk create differs in names only); bytes, so
    nothing can change what the cache holds."""
    data: dict[str, Any] = {"IFLA_MACVLAN_MODE": mode}
    if flags:
        data["IFLA_MACVLAN_FLAGS"] = flags
    if source_macs:
        data["IFLA_MACVLAN_MACADDR_MODE"] = MACVLAN_MACADDR_SET
        data["IFLA_MACVLAN_MACADDR_DATA"] = _mac_list(source_macs)
    if bc_queue_len is not None:
        data["IFLA_MACVLAN_BC_QUEUE_LEN"] = bc_queue_len
    if bc_cutoff is not None:
        data["IFLA_MACVLAN_BC_CUTOFF"] = bc_cutoff
    out: dict[str, Any] = {"IFLA_LINK": parent}
    if address is not None:
        out["IFLA_ADDRESS"] = address
    if mtu is not None:
        out["IFLA_MTU"] = mtu
    out["IFLA_LINKINFO"] = {"IFLA_INFO_KIND": kind, "IFLA_INFO_DATA": data}
    return IFLA.build(**out).encode()


def _macvlan(spec: Macvlan, parent: int) -> bytes:
    """:func:`_macvlan_attrs` of ``spec`` (enums as ints: hashed in C)."""
    return _macvlan_attrs(parent, spec.kind, int(spec.mode), int(spec.flags), spec.source_macs,
                          spec.bc_queue_len, spec.bc_cutoff, spec.address, spec.mtu)


def _mac_list(macs: Iterable[str]) -> Attrs:
    return IFLA_MACVLAN_MACADDR_LIST.build(*(("IFLA_MACVLAN_MACADDR", m) for m in macs))


def _parent_index(place: Place, spec: Macvlan) -> Operation[int]:
    """The index of a macvlan's parent: an index or a Link read here as it is, a name looked up."""
    ref = index_here(place, spec.parent)
    if type(ref) is int:
        return ref
    try:
        return (yield from get(place, ref)).index
    except NetlinkError as e:
        e.about = f"parent {ref_text(spec.parent)} of link {spec.name!r}"
        raise


def _spec_attrs(place: Place, spec: Spec, peer_fd: int | None = None) -> Operation[bytes]:
    """The IFLA attributes that create ``spec``, encoded, its name aside (:func:`_named` adds it).
    ``peer_fd``: a veth peer's namespace."""
    if isinstance(spec, Macvlan):
        return _macvlan(spec, (yield from _parent_index(place, spec)))
    attrs: dict[str, Any]
    if isinstance(spec, Veth):
        mtu = {"IFLA_MTU": spec.mtu} if spec.mtu is not None else {}
        peer = {"IFLA_IFNAME": spec.peer, **mtu}
        if peer_fd is not None:
            peer["IFLA_NET_NS_FD"] = peer_fd
        data = {"VETH_INFO_PEER": Body(IfInfoMsg(), IFLA.build(**peer))}
        attrs = {**mtu, "IFLA_LINKINFO": {"IFLA_INFO_KIND": "veth", "IFLA_INFO_DATA": data}}
    elif isinstance(spec, Vxlan):
        data = yield from _vxlan_data(place, spec)
        attrs = {"IFLA_LINKINFO": {"IFLA_INFO_KIND": "vxlan", "IFLA_INFO_DATA": data}}
    else:
        attrs = {"IFLA_LINKINFO": {"IFLA_INFO_KIND": spec.kind}}
    return IFLA.build(**attrs).encode()


def _vxlan_data(place: Place, spec: Vxlan) -> Operation[dict[str, Any]]:
    """IFLA_INFO_DATA of a vxlan: IPv6 addresses go in the ...6 attributes, a remote or a group in
    IFLA_VXLAN_GROUP(6) alike (the kernel tells them apart by the address)."""
    data: dict[str, Any] = {"IFLA_VXLAN_ID": spec.vni}
    if spec.parent is not None:
        data["IFLA_VXLAN_LINK"] = yield from index(place, spec.parent)
    if spec.local is not None:
        data["IFLA_VXLAN_LOCAL6" if spec.local.version == 6 else "IFLA_VXLAN_LOCAL"] = spec.local
    peer = spec.remote if spec.remote is not None else spec.group
    if peer is not None:
        data["IFLA_VXLAN_GROUP6" if peer.version == 6 else "IFLA_VXLAN_GROUP"] = peer
    if spec.ttl is not None:
        data["IFLA_VXLAN_TTL"] = spec.ttl
    data["IFLA_VXLAN_LEARNING"] = int(spec.learning)
    data["IFLA_VXLAN_PORT"] = spec.port
    return data


def _source_macs_data(edit: SourceMacs, current: Sequence[str]) -> dict[str, Any]:
    """IFLA_INFO_DATA for one request, given the ``current`` list. The kernel adds or deletes
    one MAC per request, so adding or deleting several becomes one SET of the list that results
    (all or nothing, instead of a partial list should a request fail half-way)."""
    if edit.op == "flush":
        return {"IFLA_MACVLAN_MACADDR_MODE": MACVLAN_MACADDR_FLUSH}
    if edit.op != "set" and len(edit.macs) <= 1:
        if not edit.macs:
            return {}
        mode = MACVLAN_MACADDR_ADD if edit.op == "add" else MACVLAN_MACADDR_DEL
        return {"IFLA_MACVLAN_MACADDR_MODE": mode, "IFLA_MACVLAN_MACADDR": edit.macs[0]}
    if edit.op == "add":
        macs = (*current, *(m for m in edit.macs if m not in current))
    elif edit.op == "delete":
        macs = tuple(m for m in current if m not in edit.macs)
    else:
        macs = edit.macs
    data: dict[str, Any] = {"IFLA_MACVLAN_MACADDR_MODE": MACVLAN_MACADDR_SET}
    if macs:
        data["IFLA_MACVLAN_MACADDR_DATA"] = _mac_list(macs)
    return data


def _macvlan_info(kind: str, data: dict[str, Any]) -> Attrs:
    return IFLA_INFO.build(IFLA_INFO_KIND=kind, IFLA_INFO_DATA=data)


# --- creating ---------------------------------------------------------------------------------------------


def _unknown_kind(err: NetlinkError) -> bool:
    return err.errno == errno.EOPNOTSUPP and "Unknown device type" in (err.extack or "")


def _unsupported(err: NetlinkError, kind: str) -> NetlinkError:
    """The kernel's "Unknown device type" made actionable: which kind, and what to do."""
    if not _unknown_kind(err):
        return err
    return NetlinkError.from_errno(errno.EOPNOTSUPP, (
        f"the kernel has no {kind!r} link type (Unknown device type): load its module with "
        f"`modprobe {kind}` (`lsmod | grep {kind}` shows whether it is loaded)"), err.attribute)


@overload
def _create(place: Place, spec: Spec, name: str, attrs: bytes, undo: None = None) -> Operation[Link]: ...
@overload
def _create(place: Place, spec: Spec, name: str, attrs: bytes, undo: Step) -> Operation[None]: ...
def _create(place: Place, spec: Spec, name: str, attrs: bytes,
            undo: Step | None = None) -> Operation[Link | None]:
    """Create the link ``spec`` and ``attrs`` (encoded: :func:`_spec_attrs`) describe, called ``name``.

    Here (no ``undo``): return it as the kernel echoes it (Linux >= 6.3 answers ``NLM_F_ECHO`` on a
    create with the new link's RTM_NEWLINK), or as read back by name where no echo came; should that
    fail, or show that the kernel ignored part of ``spec``, it is deleted again.
    In another namespace (``IFLA_NET_NS_FD`` in ``attrs``, ``undo`` the step that deletes it there):
    ``None``, and no echo asked for: the kernel would send it to the socket with our port id *in that
    namespace*, which is someone else's socket, if any.
    Either way it is deleted again should the operation be interrupted once the create was carried out.
    """
    here = undo is None
    flags = NLM_F_CREATE | NLM_F_EXCL | (NLM_F_ECHO if here else 0)
    msg = Message(RTM_NEWLINK, flags, attrs=_named(name, attrs))
    try:  # a kernel known to echo answers with the link or an error: no ack needed (one datagram less)
        answers = yield Request(msg, ack=not (here and place.kernel_echoes) or spec.kind in _NO_ECHO_KINDS)
    except NetlinkError as e:  # refused: nothing was created
        raise _unsupported(e, spec.kind) from None
    except GeneratorExit:
        raise
    except BaseException:  # interrupted (a cancelled task) once the create was carried out
        yield from ignoring_errors(undo or Request(_dellink(name)))
        raise
    return None if not here else (yield from _created(place, spec, name, answers))


def _created(place: Place, spec: Spec, name: str, answers: list[Message]) -> Operation[Link]:
    """The link a create here made, from its ``answers``: the echo, or where none came, the link read
    back by name; should that fail, or show that the kernel ignored part of ``spec``, it is deleted
    again."""
    try:
        echo = _echo(answers)
        if echo is None:
            link = yield from get(place, name)
        else:
            place.kernel_echoes = True
            link = Link.from_message(echo, place.namespace_id)
            if not _ignored(spec, link):  # the common case: the echo is the new link
                return link
        return (yield from _verified(place, spec, link))
    except GeneratorExit:
        raise
    except BaseException:
        yield from ignoring_errors(Request(_dellink(name)))
        raise


def add_at_once(place: Place, run: Callable[[Operation[Any]], Any],
                request: Callable[[bytes, bytes | None], list[Message] | NetlinkError],
                spec: object) -> Link | None:
    """:func:`add` for a blocking driver. A macvlan (or macvtap) here, on a parent given by index or
    as a Link read here, on a kernel known to echo creates (learned by the first add), is one create
    packed whole and sent with ``request`` (:meth:`~rtnl.netlink.NetlinkSocket.request_encoded`),
    without the operation's generators or a Message; its echo is the link. What else may follow is
    the operation's own code, run with ``run``: no echo, or the link deleted again should the call
    fail once the kernel took it. ``None`` when nothing was sent: run ``add`` then."""
    if not (isinstance(spec, Macvlan) and spec.namespace is None and place.kernel_echoes):
        return None
    parent = index_here(place, spec.parent)
    if type(parent) is not int:
        return None
    tail = _IFNAME(spec.name) + _macvlan(spec, parent)  # after nlmsghdr and a blank ifinfomsg (no index)
    data = IFINFOMSG.blank.pack(32 + len(tail), RTM_NEWLINK, NLM_F_REQUEST | _CREATE_ECHO, 0, 0) + tail
    try:
        try:
            answers = cast(list[Message], request(data, None))  # (no read after it: a refusal is raised)
            echo = _echo(answers)
            link = None if echo is None else Link.from_message(echo, place.namespace_id)
        except NetlinkError as e:  # refused: nothing was created
            raise _unsupported(e, spec.kind) from None
        except BaseException:  # cut short once the kernel took it, or its echo unreadable: as the operation
            run(ignoring_errors(Request(_dellink(spec.name))))
            raise
        if link is not None and not _ignored(spec, link):
            return link
        created: Link = run(_created(place, spec, spec.name, answers))
        return created
    except NetlinkError as e:  # named as the operation's @about names it
        if e.about is None:
            e.about = _spec_about(spec)
        raise


def _echo(answers: list[Message]) -> Message | None:
    """The echo among a create's answers: the one RTM_NEWLINK with its request's sequence number."""
    for m in answers:
        if m.type == RTM_NEWLINK:
            return m
    return None


def _ignored(spec: Spec, link: Link) -> bool:
    """Whether the kernel silently ignored part of ``spec`` creating ``link`` (no call to the info
    decoder for the common spec, which asks for nothing a kernel may ignore)."""
    return (isinstance(spec, Macvlan) and spec.bc_cutoff not in (None, 1)
            and isinstance(link.info, MacvlanInfo) and link.info.bc_cutoff is None)


def _verified(place: Place, spec: Spec, link: Link) -> Operation[Link]:
    """``link``, unless the kernel silently ignored part of ``spec``: then it is deleted again."""
    if _ignored(spec, link):
        yield Request(_dellink(link.index))
        raise NetlinkError.from_errno(errno.EOPNOTSUPP, "the kernel ignored IFLA_MACVLAN_BC_CUTOFF "
                                      "(it needs Linux >= 6.4); the link was not kept")
    return link


def _temp_name() -> str:
    return f"rtnl{os.urandom(5).hex()}"  # 14 bytes: fits IFNAMSIZ


def _open_namespace(stack: contextlib.ExitStack, namespace: NamespaceLike | int) -> NamespaceHandle:
    """The open namespace ``namespace`` names (or process ``namespace``'s, given a pid), closed with
    ``stack`` if it was opened here."""
    from ..netns import Namespace, resolve  # on first use: `import rtnl; rtnl.connect` stays free of cffi

    if isinstance(namespace, bool):
        raise TypeError("namespace is a Namespace, a name, a path or a pid, not a bool")
    ns, owned = (Namespace.from_pid(namespace), True) if isinstance(namespace, int) else resolve(
        cast(Any, namespace))
    if owned:
        stack.callback(ns.close)
    return ns


def _check_spec(spec: object, what: str) -> Spec:
    if not isinstance(spec, (Macvlan, Veth, Bridge, Vxlan)):
        raise TypeError(f"{what} takes a Macvlan, Macvtap, Veth, Bridge or Vxlan spec, "
                        f"not {type(spec).__name__}")
    return spec


@about(_spec_about)
def add(place: Place, spec: Spec) -> Operation[Link]:
    """Create the link ``spec`` describes and return it as the kernel reports it.

    With ``spec.namespace`` set, the link is created inside that namespace under a temporary name and
    renamed there (as the CNI macvlan plugin does), so its name may also exist here; the returned
    :class:`Link` then describes it inside that namespace. On any failure nothing is left behind.
    """
    _check_spec(spec, "add()")
    if spec.namespace is None and (not isinstance(spec, Veth) or spec.peer_namespace is None):
        return (yield from _create(place, spec, spec.name, (yield from _spec_attrs(place, spec))))
    return (yield from _add_elsewhere(place, spec))


def _add_elsewhere(place: Place, spec: Spec) -> Operation[Link]:
    """:func:`add` of a spec with a ``namespace`` or a ``peer_namespace`` to open."""
    with contextlib.ExitStack() as stack:
        peer_fd = None
        if isinstance(spec, Veth) and spec.peer_namespace is not None:
            peer_fd = _open_namespace(stack, spec.peer_namespace).fd
        attrs = yield from _spec_attrs(place, spec, peer_fd=peer_fd)
        if spec.namespace is None:
            return (yield from _create(place, spec, spec.name, attrs))
        ns = _open_namespace(stack, spec.namespace)
        temp = _temp_name()  # random: no link but ours can have it, so it may be deleted by name
        undo = Inside(ns, lambda inside: delete(inside, temp))
        try:
            yield from _create(place, spec, temp, attrs + IFLA.build(IFLA_NET_NS_FD=ns.fd).encode(), undo)
            result: Link = yield Inside(ns, lambda inside: _finish_inside(inside, spec, temp))
        except GeneratorExit:
            raise
        except BaseException:  # (after a rename, _finish_inside has deleted it by index already)
            yield from ignoring_errors(undo)
            raise
        return result
    raise AssertionError("unreachable")  # pragma: no cover  (mypy: ExitStack may swallow)


def _finish_inside(inside: Place, spec: Spec, temp: str) -> Operation[Link]:
    """Second step of creating in another namespace, run there: give the link its name."""
    index_inside = 0
    try:
        index_inside = yield from index(inside, temp)
        yield Request(_newlink(index_inside, attrs={"IFLA_IFNAME": spec.name}))
        link = yield from get(inside, index_inside)
        return (yield from _verified(inside, spec, link))
    except GeneratorExit:
        raise
    except BaseException:
        yield from ignoring_errors(Request(_dellink(index_inside or temp)))  # by index: renamed maybe
        raise


@about(lambda specs: "links of add_many()")
def add_many(place: Place, specs: Iterable[Spec]) -> Operation[list[Link]]:
    """Create many links in this namespace, as ``ip -batch`` does, and return them in order.

    All or nothing: every spec is checked before anything is sent (a spec with a ``namespace`` or
    ``peer_namespace`` is refused: :func:`add` creates those), then the creates go out pipelined,
    :data:`~rtnl.netlink.ECHO_WINDOW` per datagram, each answered by the kernel with the new link.
    If any create fails, the links this call created are deleted again (in one transaction, as by
    :func:`delete_many`) and the first error is raised; links that existed before are never touched
    (one dump beforehand says which those are).
    """
    todo = [_check_spec(spec, "add_many()") for spec in check_items(specs, "specs")]
    names: set[str] = set()
    for spec in todo:
        if spec.namespace is not None or (isinstance(spec, Veth) and spec.peer_namespace is not None):
            raise ValueError(f"{spec.name!r} is to be created in another namespace: use add() for it")
        for name in (spec.name, spec.peer) if isinstance(spec, Veth) else (spec.name,):
            if name in names:
                raise ValueError(f"two specs name a link {name!r}")
            names.add(name)
    parents: dict[LinkRef, int] = {}  # a parent named by many specs is looked up once
    msgs = []
    for spec in todo:
        if isinstance(spec, Macvlan):
            ref = spec.parent
            parent = ref if type(ref) is int else parents.get(ref) if isinstance(ref, str) else None
            if parent is None:
                parent = yield from _parent_index(place, spec)
                if isinstance(ref, str):
                    parents[ref] = parent
            attrs = _macvlan(spec, parent)
        else:
            attrs = yield from _spec_attrs(place, spec)
        msgs.append(Message(RTM_NEWLINK, _CREATE_ECHO, attrs=_named(spec.name, attrs)))
    before = {name for name, _ in (yield from _names_and_groups(place)).values()}  # never deleted on failure
    try:
        echoes: list[Message | None] = []
        ack = not place.kernel_echoes or any(spec.kind in _NO_ECHO_KINDS for spec in todo)
        answers = yield Batch(msgs, ECHO_WINDOW, ack=ack)
        for spec, answer in zip(todo, answers, strict=True):
            if isinstance(answer, NetlinkError):  # the first error (every answer is in), naming its link
                err = _unsupported(answer, spec.kind)
                err.about = _spec_about(spec)
                raise err from None
            echoes.append(_echo(answer))
        place.kernel_echoes = place.kernel_echoes or any(echoes)
        out = []
        for spec, echo in zip(todo, echoes, strict=True):  # no echo (Linux < 6.3): the link is looked up
            link = Link.from_message(echo, place.namespace_id) if echo is not None else (
                yield from get(place, spec.name))
            out.append((yield from _verified(place, spec, link)) if _ignored(spec, link) else link)
        return out
    except GeneratorExit:
        raise
    except BaseException:
        mine = {spec.name for spec in todo} - before
        current = yield from _names_and_groups(place)
        created = [index for index, (name, _) in current.items() if name in mine]
        with contextlib.suppress(NetlinkError):
            yield from delete_many(place, created)  # (a veth's peer goes with it)
        raise


# --- changing -------------------------------------------------------------------------------------------


@about(_link_about)
def set_link(place: Place, link: LinkRef, *, up: bool | None = None, name: str | None = None,
             mtu: int | None = None, address: str | None = None, promisc: bool | None = None,
             txqlen: int | None = None, group: int | None = None, master: LinkRef | None = None,
             source_macs: Sequence[str] | SourceMacs | None = None) -> Operation[Link]:
    """Change a link; arguments left ``None`` stay as they are. ``master=0`` releases the link from
    its master (``ip link set X nomaster``). ``source_macs`` edits a SOURCE macvlan's list: a
    sequence replaces it, :class:`~rtnl.SourceMacs` adds, deletes or flushes. Returns the changed link.

    Everything goes out in one ``RTM_NEWLINK`` (this kernel renames a link that is up, too). The
    kernel applies its parts one after another and stops at the first failure, so when several
    changes are asked for the link is read first and, should the request fail, what was applied is
    set back before the error is raised.
    """
    attrs: dict[str, Any] = {}
    if name is not None:
        attrs["IFLA_IFNAME"] = check_name(name)
    if mtu is not None:
        attrs["IFLA_MTU"] = check_mtu(mtu)
    if address is not None:
        attrs["IFLA_ADDRESS"] = check_mac(address, "address")
    if txqlen is not None:
        attrs["IFLA_TXQLEN"] = check_u32(txqlen, "txqlen")
    if group is not None:
        attrs["IFLA_GROUP"] = check_u32(group, "group")
    release = type(master) is int and master == 0  # `nomaster`; False is no index
    if master is not None and not release:
        check_ref(master, "master")
    if source_macs is not None and not isinstance(source_macs, SourceMacs):
        source_macs = SourceMacs.set(*check_items(source_macs, "source_macs"))
    flags = change = 0
    for wanted, bit, what in ((up, IFF_UP, "up"), (promisc, IFF_PROMISC, "promisc")):
        if wanted is not None:
            change |= bit
            flags |= bit if check_bool(wanted, what) else 0
    if master is not None:
        attrs["IFLA_MASTER"] = 0 if release else (yield from index(place, master))
    target = yield from index(place, link)
    before = None
    if source_macs is not None or len(attrs) + bool(up is not None) + bool(promisc is not None) > 1:
        before = yield from get(place, target)
    if source_macs is not None:
        assert before is not None
        if before.kind not in ("macvlan", "macvtap"):
            raise ValueError(f"source_macs applies to macvlan/macvtap links, not to a {before.kind!r} link")
        current = before.info.source_macs if isinstance(before.info, MacvlanInfo) else ()
        data = _source_macs_data(source_macs, current)
        if data:
            attrs["IFLA_LINKINFO"] = _macvlan_info(before.kind, data)
    try:  # (a failed read-back undoes the change as well: the call fails, so nothing is changed)
        if attrs or change:
            yield Request(_newlink(target, ifi_flags=flags, change=change, attrs=attrs))
        return (yield from get(place, target))
    except GeneratorExit:
        raise
    except BaseException:
        if before is not None and (attrs or change):
            yield from _undo(before, attrs, change)
        raise


def _undo(before: Link, attrs: dict[str, Any], change: int) -> Operation[None]:
    """Set back what a failed :func:`set_link` request may have applied (best effort: the request's
    error is the one to report)."""
    old: dict[str, Any] = {"IFLA_IFNAME": before.name, "IFLA_MTU": before.mtu, "IFLA_ADDRESS": before.address,
                           "IFLA_TXQLEN": before.txqlen, "IFLA_GROUP": before.group,
                           "IFLA_MASTER": before.master or 0}
    undo = {key: old[key] for key in attrs if old.get(key) is not None}
    if "IFLA_LINKINFO" in attrs and isinstance(before.info, MacvlanInfo):
        macs = _source_macs_data(SourceMacs.set(*before.info.source_macs), ())
        undo["IFLA_LINKINFO"] = _macvlan_info(before.kind or "macvlan", macs)
    yield from ignoring_errors(Request(_newlink(before.index, ifi_flags=before.flags & change, change=change,
                                                attrs=undo)))


@about(_link_about)
def move(place: Place, link: LinkRef, namespace: NamespaceLike | int, *,
         name: str | None = None) -> Operation[None]:
    """Move a link into another namespace (``ip link set X netns NS [name NEW]``), renamed on the way
    if ``name`` is given. ``namespace`` is a :class:`~rtnl.Namespace`, a name, a path or a pid.

    Fails with the link where it was, or succeeds as asked: a name taken in the target is refused
    before the move (``FileExistsError``), and should the kernel still refuse the rename (it moves
    first, then renames there), the link is moved back, by index, under its old name and set up
    again if it was. (A move, out and back, drops the link's addresses and routes, as any does.)
    """
    new_name = check_name(name) if name is not None else None
    check_ref(link)
    with contextlib.ExitStack() as stack:
        ns = _open_namespace(stack, namespace)
        if new_name is None:  # one request, which the kernel does whole or not at all
            yield Request(_newlink((yield from index(place, link)), attrs={"IFLA_NET_NS_FD": ns.fd}))
            return
        before = yield from get(place, link)
        if new_name != before.name:
            yield Inside(ns, lambda there: _name_free(there, new_name))
        try:  # the kernel moves the link, then renames it there: a refused rename leaves it moved
            yield Request(_newlink(before.index, attrs={"IFLA_NET_NS_FD": ns.fd, "IFLA_IFNAME": new_name}))
        except GeneratorExit:
            raise
        except BaseException:
            yield from _move_back(place, ns, before, new_name)
            raise


def _name_free(place: Place, name: str) -> Operation[None]:
    """``FileExistsError`` if a link here is called ``name``."""
    try:
        yield Request(_getlink(name))
    except NetlinkError as e:
        if e.errno == errno.ENODEV:
            return
        raise
    raise NetlinkError.from_errno(errno.EEXIST, about=f"link {name!r} in the target namespace")


def _move_back(place: Place, ns: NamespaceHandle, before: Link, new_name: str) -> Operation[None]:
    """Undo a move that failed after the link left: find it there by index (the kernel keeps a
    moved link's index unless the target has it taken) or by its old or new name (its MAC tells
    it from another link so called), and send it home under its old name."""
    try:
        yield Request(_getlink(before.index))
        return  # still here: the kernel refused before moving
    except NetlinkError:
        pass
    home = place.namespace.fd
    back = {"IFLA_NET_NS_FD": home, "IFLA_IFNAME": before.name}

    def send_home(there: Place) -> Operation[None]:
        found = None
        for ref in (before.index, before.name, new_name):
            with contextlib.suppress(NetlinkError):
                [reply] = yield Request(_getlink(ref))
                found = Link.from_message(reply, there.namespace_id)
                if found.address == before.address:
                    break
        if found is not None and found.address == before.address:
            try:  # under its old index, free since it left (IFLA_NEW_IFINDEX on a move: Linux >= 6.7)
                yield Request(_newlink(found.index, attrs={**back, "IFLA_NEW_IFINDEX": before.index}))
            except NetlinkError:
                yield Request(_newlink(found.index, attrs=back))

    with contextlib.suppress(NetlinkError):
        yield Inside(ns, send_home)
        [reply] = yield Request(_getlink(before.index))  # home under its old index (it was free)
        home_again = Link.from_message(reply, place.namespace_id)
        if (before.up or before.master) and home_again.address == before.address:
            restore: dict[str, Any] = {"IFLA_MASTER": before.master} if before.master else {}
            yield Request(_newlink(before.index, ifi_flags=before.flags & IFF_UP, change=IFF_UP,
                                   attrs=restore))


@about(_link_about)
def set_bridge_port(place: Place, link: LinkRef, *, hairpin: bool) -> Operation[Link]:
    """Turn hairpin mode of a bridge port on or off (``ip link set X type bridge_slave hairpin on``):
    with it on, the bridge sends a frame back out of the port it came in on, which is what a VEPA
    macvlan needs from its "switch"."""
    check_bool(hairpin, "hairpin")
    info = IFLA_INFO.build(IFLA_INFO_SLAVE_KIND="bridge", IFLA_INFO_SLAVE_DATA={
        "IFLA_BRPORT_MODE": BRIDGE_MODE_HAIRPIN if hairpin else 0})
    target = yield from index(place, link)
    yield Request(_newlink(target, attrs={"IFLA_LINKINFO": info}))
    return (yield from get(place, target))


# --- deleting -------------------------------------------------------------------------------------------


@about(_link_about)
def delete(place: Place, link: LinkRef) -> Operation[None]:
    """Delete a link (a veth takes its peer along, a parent its macvlan children, wherever they are)."""
    check_ref(link)
    yield Request(_dellink(index_here(place, link)))


@about(lambda links: "links of delete_many()")
def delete_many(place: Place, links: Iterable[LinkRef]) -> Operation[None]:
    """Delete many links in one kernel transaction: all of them, or none if the kernel refuses one.

    Deleting links one by one costs the kernel an RCU grace period each (~16 ms on 6.x), and the
    kernel deletes many links in one go only by group (``RTM_DELLINK`` with ``IFLA_GROUP``, as
    ``ip link del group N``; Linux 6.18 has no request that takes a list of links). So one dump first
    reads every link's name and group (it resolves names and catches a stale :class:`Link`, whose
    index now holds another name), then:

    - links that make up a whole group of their own (not the default group 0) are deleted by that
      group, in one request. A link that another program puts into that group while this runs
      (between the dump and the delete, a few milliseconds) is deleted with them, as by ``ip``.
    - otherwise every link is first put into a fresh group that no link is in (a random number of
      2**20 or more; batched requests), and that group is deleted.

    The kernel checks every link of the group before it deletes any, so a refusal (``lo``, a device
    without link ops: ``EOPNOTSUPP``) deletes nothing; the links get their old groups back and the
    error is raised.
    """
    refs = check_items(links, "links")
    wanted = []  # an index, or a name for the dump to resolve; bad refs refused before anything is sent
    for ref in refs:
        found = index_here(place, ref)
        if isinstance(found, str):
            check_name(found, lookup=True)
        wanted.append(found)
    if not refs:
        return
    current = yield from _names_and_groups(place)  # index -> (name, group)
    by_name = ({name: index for index, (name, _) in current.items()}
               if any(isinstance(found, str) for found in wanted) else {})
    targets: dict[int, int] = {}  # index -> old group
    for ref, found in zip(refs, wanted, strict=True):
        index = by_name.get(found, 0) if isinstance(found, str) else found
        entry = current.get(index)
        if entry is None:
            raise NetlinkError.from_errno(errno.ENODEV, about=f"link {ref_text(ref)}")
        if isinstance(ref, Link) and ref.name != entry[0]:  # a stale Link: its index was reused
            raise NetlinkError.from_errno(errno.ENODEV, f"index {index} is {entry[0]!r} now",
                                          about=f"link {ref_text(ref)}")
        targets[index] = entry[1]
    old = set(targets.values())
    if len(old) == 1 and 0 not in old and all(i in targets for i, (_, g) in current.items() if g in old):
        yield Request(Message(RTM_DELLINK, attrs=IFLA.build(IFLA_GROUP=old.pop())))
        return
    used = {group for _, group in current.values()}
    group = _random_group()
    while group in used:
        group = _random_group()
    try:  # a regroup failing part-way (a link gone meanwhile: ENODEV) is undone like a failed delete
        yield from _regroup({i: group for i in targets})
        yield Request(Message(RTM_DELLINK, attrs=IFLA.build(IFLA_GROUP=group)))
    except GeneratorExit:
        raise
    except BaseException:
        alive = yield from _names_and_groups(place)
        with contextlib.suppress(NetlinkError):
            yield from _regroup({i: g for i, g in targets.items() if i in alive})
        raise


def _random_group() -> int:
    """A group number of 2**20 or more, random (os.urandom: no ``random`` module to import)."""
    return int.from_bytes(os.urandom(4), "little") | 1 << 20


def _regroup(groups: dict[int, int]) -> Operation[None]:
    """Put each link (by index) into its group: batched requests that differ in their header only,
    so each group's attribute is built once."""
    attrs = {group: IFLA.build(IFLA_GROUP=group) for group in set(groups.values())}
    msgs = [Message(RTM_NEWLINK, header=IfInfoMsg(index=index), attrs=attrs[group])
            for index, group in groups.items()]
    for answer in (yield Batch(msgs, WINDOW)):
        if isinstance(answer, NetlinkError):
            raise answer


def probe_kind(place: Place, kind: str) -> Operation[bool]:
    """Whether this kernel can create links of ``kind``: a create that gets past the type lookup (run
    it in a throwaway namespace: it creates ``probe0`` when the kind exists)."""
    if not isinstance(kind, str) or not kind:
        raise TypeError("kind is a non-empty str such as 'macvlan'")
    try:
        yield Request(_newlink(0, NLM_F_CREATE | NLM_F_EXCL, attrs={
            "IFLA_IFNAME": "probe0", "IFLA_LINKINFO": {"IFLA_INFO_KIND": kind}}))
    except NetlinkError as e:
        return not _unknown_kind(e)
    return True
