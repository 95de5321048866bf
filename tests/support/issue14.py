"""Support for the issue 14 tests: what the kernel holds in a namespace, to compare before and after
a call that must have been refused or undone."""

from __future__ import annotations

from typing import Any

import rtnl

RTPROT_KERNEL = 2  # linux/rtnetlink.h: a route the kernel added itself


def kernel_state(net: rtnl.Connection) -> tuple[Any, ...]:
    """Every link, address and route in ``net``'s namespace, except what the kernel changes by
    itself, at its own pace, after a link goes up (carrier and operstate flags, IPv6 link-local
    addresses and their routes)."""
    links = sorted((link.index, link.name, link.mtu, link.up, link.promiscuity, link.group, link.txqlen,
                    link.master, link.address, link.kind, link.info) for link in net.links())
    addresses = sorted((a.link, str(a.address)) for a in net.addresses()
                       if not a.address.is_link_local or str(a.address.ip) in ("fe80::1", "fe80::2"))
    routes = sorted(str(r) for r in net.routes() if not (r.dst.is_link_local and r.protocol == RTPROT_KERNEL))
    return links, addresses, routes
