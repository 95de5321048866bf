"""Policy routing rule operations (RTM_*RULE): list, add and delete rules (``ip rule``).

Generators run by a driver (see :mod:`rtnl.ops`); this module knows how a rule becomes a request,
not sockets or ``Connection``.
"""

from __future__ import annotations

from typing import Any

from ..uapi import (
    AF_INET,
    AF_INET6,
    NLM_F_CREATE,
    NLM_F_EXCL,
    RT_TABLE_MAIN,
    RTM_DELRULE,
    RTM_GETRULE,
    RTM_NEWRULE,
)
from ..values.check import (
    Network,
    NetworkLike,
    check_family,
    check_name,
    check_network,
    check_rule_table,
    check_u32,
)
from ..values.enums import RuleAction
from ..values.rules import Rule
from ..wire.headers import FibRuleHdr
from ..wire.message import Message
from ..wire.schemas import FRA
from . import Dump, Operation, Place, Request


def rules(place: Place, *, family: int | None = None) -> Operation[list[Rule]]:
    """The policy rules (``ip rule show``), IPv4 and IPv6 or one IP version (4 or 6)."""
    af = check_family(family)
    msgs = yield Dump(Message(RTM_GETRULE, header=FibRuleHdr(family=af or 0)))
    return [Rule.from_message(m) for m in msgs
            if m.type == RTM_NEWRULE and m.header.family in ((af,) if af else (AF_INET, AF_INET6))]


def rule_message(mtype: int, *, priority: int | None = None, src: NetworkLike | None = None,
                 dst: NetworkLike | None = None, iif: str | None = None, oif: str | None = None,
                 fwmark: int | None = None, table: int | None = None,
                 action: RuleAction | str = RuleAction.TO_TBL, family: int | None = None) -> Message:
    """The request for ``ip rule add`` (``RTM_NEWRULE``) or ``ip rule del`` (``RTM_DELRULE``), all
    arguments checked. The IP version comes from ``src``/``dst``, else ``family``, else 4."""
    kind = RuleAction.parse(action, "action")
    nets: dict[str, Network] = {}
    for key, value in (("src", src), ("dst", dst)):
        if value is not None:
            nets[key] = check_network(value, key, default_version=6 if family == 6 else 4)
    af = check_family(family)
    versions = {n.version for n in nets.values()} | ({4 if af == AF_INET else 6} if af else set())
    if len(versions) > 1:
        raise ValueError(f"src, dst and family name different IP versions: {sorted(versions)}")
    version = versions.pop() if versions else 4
    attrs: dict[str, Any] = {}
    if priority is not None:
        attrs["FRA_PRIORITY"] = check_u32(priority, "priority")
    for key, net in nets.items():
        attrs[f"FRA_{key.upper()}"] = net.network_address
    if iif is not None:
        attrs["FRA_IIFNAME"] = check_name(iif)
    if oif is not None:
        attrs["FRA_OIFNAME"] = check_name(oif)
    if fwmark is not None:
        attrs["FRA_FWMARK"] = check_u32(fwmark, "fwmark")
    if table is None and mtype == RTM_NEWRULE and kind == RuleAction.TO_TBL:
        table = RT_TABLE_MAIN  # as `ip rule add` chooses
    if table is not None:
        attrs["FRA_TABLE"] = check_rule_table(table)
    elif kind == RuleAction.TO_TBL and mtype == RTM_NEWRULE:
        raise ValueError("a TO_TBL rule needs a table")
    header = FibRuleHdr(family=AF_INET if version == 4 else AF_INET6,
                        dst_len=nets["dst"].prefixlen if "dst" in nets else 0,
                        src_len=nets["src"].prefixlen if "src" in nets else 0,
                        table=table if table is not None and table < 256 else 0, action=int(kind))
    flags = NLM_F_CREATE | NLM_F_EXCL if mtype == RTM_NEWRULE else 0
    return Message(mtype, flags, header=header, attrs=FRA.build(**attrs))


def add_rule(place: Place, *, priority: int | None = None, src: NetworkLike | None = None,
             dst: NetworkLike | None = None, iif: str | None = None, oif: str | None = None,
             fwmark: int | None = None, table: int | None = None,
             action: RuleAction | str = RuleAction.TO_TBL, family: int | None = None) -> Operation[None]:
    """Add a policy rule (``ip rule add [prio P] [from SRC] [to DST] [iif X] [oif Y] [fwmark M]
    [lookup TABLE | ACTION]``); without a table a :attr:`RuleAction.TO_TBL` rule looks up main, as
    with ``ip rule``. An identical rule is a ``FileExistsError``::

        net.add_rule(priority=100, src="198.51.100.0/24", table=100)
        net.add_rule(priority=200, fwmark=7, action="blackhole")
    """
    yield Request(rule_message(RTM_NEWRULE, priority=priority, src=src, dst=dst, iif=iif, oif=oif,
                               fwmark=fwmark, table=table, action=action, family=family))


def delete_rule(place: Place, *, priority: int | None = None, src: NetworkLike | None = None,
                dst: NetworkLike | None = None, iif: str | None = None, oif: str | None = None,
                fwmark: int | None = None, table: int | None = None,
                action: RuleAction | str = RuleAction.TO_TBL, family: int | None = None) -> Operation[None]:
    """Delete the first rule matching these arguments (``ip rule del ...``); omitted ones match any
    (``FileNotFoundError`` when none does)."""
    yield Request(rule_message(RTM_DELRULE, priority=priority, src=src, dst=dst, iif=iif, oif=oif,
                               fwmark=fwmark, table=table, action=action, family=family))
