"""The attribute tables of rtnetlink, as data: one :class:`~rtnl.wire.attrs.Schema` per family, each
under the uapi header that defines it, and :data:`FAMILIES`, which says which fixed header and
schema each message type carries.

Adding a family (neighbours, rules...) is adding its table here and its message types to
:data:`FAMILIES`; nothing else in the wire layer changes. This module knows tables only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..uapi import (
    RTM_DELADDR,
    RTM_DELLINK,
    RTM_DELLINKPROP,
    RTM_DELNEIGH,
    RTM_DELNSID,
    RTM_DELROUTE,
    RTM_DELRULE,
    RTM_GETADDR,
    RTM_GETLINK,
    RTM_GETLINKPROP,
    RTM_GETNEIGH,
    RTM_GETNSID,
    RTM_GETROUTE,
    RTM_GETRULE,
    RTM_NEWADDR,
    RTM_NEWLINK,
    RTM_NEWLINKPROP,
    RTM_NEWNEIGH,
    RTM_NEWNSID,
    RTM_NEWROUTE,
    RTM_NEWRULE,
    RTM_SETLINK,
)
from .attrs import Multipath, Nest, NestByKind, NestWithHeader, Schema
from .codecs import (
    BE16,
    BE32,
    BYTES,
    FLAG,
    IPADDR,
    KIND,
    LLADDR,
    S32,
    STR,
    U8,
    U16,
    U32,
    U32S,
    U64,
    U64S,
    UINT,
)
from .headers import FIBRULEHDR, IFADDRMSG, IFINFOMSG, NDMSG, RTGENMSG, RTMSG, FixedHeader


def _lazy(name: str) -> Callable[[], Schema]:
    return lambda: globals()[name]


def _kinds(**names: str) -> Callable[[], Mapping[str, Schema]]:
    table: dict[str, Schema] = {}

    def schemas() -> Mapping[str, Schema]:  # resolved on first use (the schemas are defined below)
        if not table:
            table.update((kind, globals()[schema]) for kind, schema in names.items())
        return table

    return schemas


# --- linux/if_link.h: IFLA_MACVLAN_* (macvlan and macvtap) ---------------------------------------
IFLA_MACVLAN_MACADDR_LIST = Schema("IFLA_MACVLAN_MACADDR_DATA", {4: ("IFLA_MACVLAN_MACADDR", LLADDR)})
IFLA_MACVLAN = Schema("IFLA_MACVLAN", {
    1: ("IFLA_MACVLAN_MODE", U32),
    2: ("IFLA_MACVLAN_FLAGS", U16),
    3: ("IFLA_MACVLAN_MACADDR_MODE", U32),
    4: ("IFLA_MACVLAN_MACADDR", LLADDR),
    5: ("IFLA_MACVLAN_MACADDR_DATA", Nest(_lazy("IFLA_MACVLAN_MACADDR_LIST"))),
    6: ("IFLA_MACVLAN_MACADDR_COUNT", U32),
    7: ("IFLA_MACVLAN_BC_QUEUE_LEN", U32),
    8: ("IFLA_MACVLAN_BC_QUEUE_LEN_USED", U32),
    9: ("IFLA_MACVLAN_BC_CUTOFF", S32),  # kernel >= 6.4; newer than some installed headers
})

# --- linux/veth.h --------------------------------------------------------------------------------
VETH_INFO = Schema("VETH_INFO", {1: ("VETH_INFO_PEER", NestWithHeader(IFINFOMSG, _lazy("IFLA")))})

# --- linux/if_link.h: IFLA_BR_* (bridge device) --------------------------------------------------
IFLA_BR = Schema("IFLA_BR", {
    1: ("IFLA_BR_FORWARD_DELAY", U32),
    2: ("IFLA_BR_HELLO_TIME", U32),
    3: ("IFLA_BR_MAX_AGE", U32),
    4: ("IFLA_BR_AGEING_TIME", U32),
    5: ("IFLA_BR_STP_STATE", U32),
    6: ("IFLA_BR_PRIORITY", U16),
    7: ("IFLA_BR_VLAN_FILTERING", U8),
    8: ("IFLA_BR_VLAN_PROTOCOL", BE16),
    9: ("IFLA_BR_GROUP_FWD_MASK", U16),
    10: ("IFLA_BR_ROOT_ID", BYTES),
    11: ("IFLA_BR_BRIDGE_ID", BYTES),
    12: ("IFLA_BR_ROOT_PORT", U16),
    13: ("IFLA_BR_ROOT_PATH_COST", U32),
    14: ("IFLA_BR_TOPOLOGY_CHANGE", U8),
    16: ("IFLA_BR_HELLO_TIMER", U64),
    23: ("IFLA_BR_MCAST_SNOOPING", U8),
    36: ("IFLA_BR_NF_CALL_IPTABLES", U8),
    39: ("IFLA_BR_VLAN_DEFAULT_PVID", U16),
})

# --- linux/if_link.h: IFLA_BRPORT_* (bridge port, in IFLA_INFO_SLAVE_DATA or IFLA_PROTINFO) -------
IFLA_BRPORT = Schema("IFLA_BRPORT", {
    1: ("IFLA_BRPORT_STATE", U8),
    2: ("IFLA_BRPORT_PRIORITY", U16),
    3: ("IFLA_BRPORT_COST", U32),
    4: ("IFLA_BRPORT_MODE", U8),  # hairpin: BRIDGE_MODE_HAIRPIN
    5: ("IFLA_BRPORT_GUARD", U8),
    6: ("IFLA_BRPORT_PROTECT", U8),
    7: ("IFLA_BRPORT_FAST_LEAVE", U8),
    8: ("IFLA_BRPORT_LEARNING", U8),
    9: ("IFLA_BRPORT_UNICAST_FLOOD", U8),
    10: ("IFLA_BRPORT_PROXYARP", U8),
    13: ("IFLA_BRPORT_ROOT_ID", BYTES),
    14: ("IFLA_BRPORT_BRIDGE_ID", BYTES),
    17: ("IFLA_BRPORT_ID", U16),
    18: ("IFLA_BRPORT_NO", U16),
    27: ("IFLA_BRPORT_MCAST_FLOOD", U8),
    30: ("IFLA_BRPORT_BCAST_FLOOD", U8),
    32: ("IFLA_BRPORT_NEIGH_SUPPRESS", U8),
    33: ("IFLA_BRPORT_ISOLATED", U8),
})

# --- linux/if_link.h: IFLA_VXLAN_* (vxlan device) -------------------------------------------------
IFLA_VXLAN = Schema("IFLA_VXLAN", {
    1: ("IFLA_VXLAN_ID", U32),
    2: ("IFLA_VXLAN_GROUP", IPADDR),  # IPv4 multicast group or unicast remote
    3: ("IFLA_VXLAN_LINK", U32),
    4: ("IFLA_VXLAN_LOCAL", IPADDR),
    5: ("IFLA_VXLAN_TTL", U8),
    6: ("IFLA_VXLAN_TOS", U8),
    7: ("IFLA_VXLAN_LEARNING", U8),
    8: ("IFLA_VXLAN_AGEING", U32),
    9: ("IFLA_VXLAN_LIMIT", U32),
    10: ("IFLA_VXLAN_PORT_RANGE", BYTES),  # struct ifla_vxlan_port_range: two __be16
    11: ("IFLA_VXLAN_PROXY", U8),
    12: ("IFLA_VXLAN_RSC", U8),
    13: ("IFLA_VXLAN_L2MISS", U8),
    14: ("IFLA_VXLAN_L3MISS", U8),
    15: ("IFLA_VXLAN_PORT", BE16),  # the destination port, network byte order
    16: ("IFLA_VXLAN_GROUP6", IPADDR),
    17: ("IFLA_VXLAN_LOCAL6", IPADDR),
    18: ("IFLA_VXLAN_UDP_CSUM", U8),
    19: ("IFLA_VXLAN_UDP_ZERO_CSUM6_TX", U8),
    20: ("IFLA_VXLAN_UDP_ZERO_CSUM6_RX", U8),
    21: ("IFLA_VXLAN_REMCSUM_TX", U8),
    22: ("IFLA_VXLAN_REMCSUM_RX", U8),
    23: ("IFLA_VXLAN_GBP", FLAG),
    24: ("IFLA_VXLAN_REMCSUM_NOPARTIAL", FLAG),
    25: ("IFLA_VXLAN_COLLECT_METADATA", U8),
    26: ("IFLA_VXLAN_LABEL", BE32),
    27: ("IFLA_VXLAN_GPE", FLAG),
    28: ("IFLA_VXLAN_TTL_INHERIT", FLAG),
    29: ("IFLA_VXLAN_DF", U8),  # enum ifla_vxlan_df
    30: ("IFLA_VXLAN_VNIFILTER", U8),
    31: ("IFLA_VXLAN_LOCALBYPASS", U8),  # kernel >= 6.7; newer than some installed headers
})

# --- linux/if_link.h: IFLA_INFO_* ----------------------------------------------------------------
_DATA_BY_KIND = _kinds(macvlan="IFLA_MACVLAN", macvtap="IFLA_MACVLAN", veth="VETH_INFO", bridge="IFLA_BR",
                       vxlan="IFLA_VXLAN")
IFLA_INFO = Schema("IFLA_INFO", {
    1: ("IFLA_INFO_KIND", KIND),
    2: ("IFLA_INFO_DATA", NestByKind("IFLA_INFO_KIND", _DATA_BY_KIND)),
    3: ("IFLA_INFO_XSTATS", BYTES),
    4: ("IFLA_INFO_SLAVE_KIND", KIND),
    5: ("IFLA_INFO_SLAVE_DATA", NestByKind("IFLA_INFO_SLAVE_KIND", _kinds(bridge="IFLA_BRPORT"))),
})

IFLA_PROP = Schema("IFLA_PROP_LIST", {53: ("IFLA_ALT_IFNAME", STR)})

# --- linux/if_link.h: IFLA_* -----------------------------------------------------------------------
IFLA = Schema("IFLA", {
    1: ("IFLA_ADDRESS", LLADDR),
    2: ("IFLA_BROADCAST", LLADDR),
    3: ("IFLA_IFNAME", STR),
    4: ("IFLA_MTU", U32),
    5: ("IFLA_LINK", U32),
    6: ("IFLA_QDISC", STR),
    7: ("IFLA_STATS", U32S),
    10: ("IFLA_MASTER", U32),
    12: ("IFLA_PROTINFO", BYTES),
    13: ("IFLA_TXQLEN", U32),
    14: ("IFLA_MAP", BYTES),
    16: ("IFLA_OPERSTATE", U8),
    17: ("IFLA_LINKMODE", U8),
    18: ("IFLA_LINKINFO", Nest(_lazy("IFLA_INFO"))),
    19: ("IFLA_NET_NS_PID", U32),
    20: ("IFLA_IFALIAS", STR),
    23: ("IFLA_STATS64", U64S),
    26: ("IFLA_AF_SPEC", BYTES),
    27: ("IFLA_GROUP", U32),
    28: ("IFLA_NET_NS_FD", U32),
    29: ("IFLA_EXT_MASK", U32),
    30: ("IFLA_PROMISCUITY", U32),
    31: ("IFLA_NUM_TX_QUEUES", U32),
    32: ("IFLA_NUM_RX_QUEUES", U32),
    33: ("IFLA_CARRIER", U8),
    35: ("IFLA_CARRIER_CHANGES", U32),
    37: ("IFLA_LINK_NETNSID", S32),
    39: ("IFLA_PROTO_DOWN", U8),
    40: ("IFLA_GSO_MAX_SEGS", U32),
    41: ("IFLA_GSO_MAX_SIZE", U32),
    42: ("IFLA_PAD", BYTES),
    43: ("IFLA_XDP", BYTES),
    44: ("IFLA_EVENT", U32),
    45: ("IFLA_NEW_NETNSID", S32),
    46: ("IFLA_TARGET_NETNSID", S32),
    47: ("IFLA_CARRIER_UP_COUNT", U32),
    48: ("IFLA_CARRIER_DOWN_COUNT", U32),
    49: ("IFLA_NEW_IFINDEX", S32),
    50: ("IFLA_MIN_MTU", U32),
    51: ("IFLA_MAX_MTU", U32),
    52: ("IFLA_PROP_LIST", Nest(_lazy("IFLA_PROP"))),
    53: ("IFLA_ALT_IFNAME", STR),
    54: ("IFLA_PERM_ADDRESS", LLADDR),
    56: ("IFLA_PARENT_DEV_NAME", STR),
    57: ("IFLA_PARENT_DEV_BUS_NAME", STR),
    58: ("IFLA_GRO_MAX_SIZE", U32),
    59: ("IFLA_TSO_MAX_SIZE", U32),
    60: ("IFLA_TSO_MAX_SEGS", U32),
    61: ("IFLA_ALLMULTI", U32),
    62: ("IFLA_DEVLINK_PORT", BYTES),
    63: ("IFLA_GSO_IPV4_MAX_SIZE", U32),
    64: ("IFLA_GRO_IPV4_MAX_SIZE", U32),
    65: ("IFLA_DPLL_PIN", BYTES),
    66: ("IFLA_MAX_PACING_OFFLOAD_HORIZON", UINT),
    67: ("IFLA_NETNS_IMMUTABLE", U8),
    68: ("IFLA_HEADROOM", U16),
    69: ("IFLA_TAILROOM", U16),
})

# --- linux/if_addr.h: IFA_* ---------------------------------------------------------------------------
IFA = Schema("IFA", {
    1: ("IFA_ADDRESS", IPADDR),
    2: ("IFA_LOCAL", IPADDR),
    3: ("IFA_LABEL", STR),
    4: ("IFA_BROADCAST", IPADDR),
    5: ("IFA_ANYCAST", IPADDR),
    6: ("IFA_CACHEINFO", U32S),
    7: ("IFA_MULTICAST", IPADDR),
    8: ("IFA_FLAGS", U32),
    9: ("IFA_RT_PRIORITY", U32),
    10: ("IFA_TARGET_NETNSID", S32),
    11: ("IFA_PROTO", U8),
})

# --- linux/rtnetlink.h: RTAX_* (route metrics, nested in RTA_METRICS) ---------------------------------
RTAX = Schema("RTAX", {
    1: ("RTAX_LOCK", U32),
    2: ("RTAX_MTU", U32),
    3: ("RTAX_WINDOW", U32),
    4: ("RTAX_RTT", U32),
    5: ("RTAX_RTTVAR", U32),
    6: ("RTAX_SSTHRESH", U32),
    7: ("RTAX_CWND", U32),
    8: ("RTAX_ADVMSS", U32),
    9: ("RTAX_REORDERING", U32),
    10: ("RTAX_HOPLIMIT", U32),
    11: ("RTAX_INITCWND", U32),
    12: ("RTAX_FEATURES", U32),
    13: ("RTAX_RTO_MIN", U32),
    14: ("RTAX_INITRWND", U32),
    15: ("RTAX_QUICKACK", U32),
    16: ("RTAX_CC_ALGO", STR),
    17: ("RTAX_FASTOPEN_NO_COOKIE", U32),
})

# --- linux/rtnetlink.h: RTA_* ----------------------------------------------------------------------
RTA = Schema("RTA", {
    1: ("RTA_DST", IPADDR),
    2: ("RTA_SRC", IPADDR),
    3: ("RTA_IIF", U32),
    4: ("RTA_OIF", U32),
    5: ("RTA_GATEWAY", IPADDR),
    6: ("RTA_PRIORITY", U32),
    7: ("RTA_PREFSRC", IPADDR),
    8: ("RTA_METRICS", Nest(_lazy("RTAX"))),
    9: ("RTA_MULTIPATH", Multipath(_lazy("RTA"))),  # rtnexthop + RTA_* per hop
    11: ("RTA_FLOW", U32),
    12: ("RTA_CACHEINFO", U32S),
    15: ("RTA_TABLE", U32),
    16: ("RTA_MARK", U32),
    18: ("RTA_VIA", BYTES),
    20: ("RTA_PREF", U8),
    21: ("RTA_ENCAP_TYPE", U16),
    22: ("RTA_ENCAP", BYTES),
    23: ("RTA_EXPIRES", U64),
    24: ("RTA_PAD", BYTES),
    25: ("RTA_UID", U32),
    26: ("RTA_TTL_PROPAGATE", U8),
    27: ("RTA_IP_PROTO", U8),
    28: ("RTA_SPORT", BE16),
    29: ("RTA_DPORT", BE16),
    30: ("RTA_NH_ID", U32),
})

# --- linux/net_namespace.h: NETNSA_* ----------------------------------------------------------------
NETNSA = Schema("NETNSA", {
    1: ("NETNSA_NSID", S32),
    2: ("NETNSA_PID", U32),
    3: ("NETNSA_FD", U32),
    4: ("NETNSA_TARGET_NSID", S32),
    5: ("NETNSA_CURRENT_NSID", S32),
})

# --- linux/neighbour.h: NDA_* (neighbours and bridge fdb entries) --------------------------------
NDA = Schema("NDA", {
    1: ("NDA_DST", IPADDR),
    2: ("NDA_LLADDR", LLADDR),
    3: ("NDA_CACHEINFO", U32S),  # struct nda_cacheinfo: confirmed, used, updated, refcnt
    4: ("NDA_PROBES", U32),
    5: ("NDA_VLAN", U16),
    6: ("NDA_PORT", BE16),
    7: ("NDA_VNI", U32),
    8: ("NDA_IFINDEX", U32),
    9: ("NDA_MASTER", U32),
    10: ("NDA_LINK_NETNSID", S32),
    11: ("NDA_SRC_VNI", U32),
    12: ("NDA_PROTOCOL", U8),
    13: ("NDA_NH_ID", U32),
    14: ("NDA_FDB_EXT_ATTRS", BYTES),
    15: ("NDA_FLAGS_EXT", U32),
    16: ("NDA_NDM_STATE_MASK", U16),
    17: ("NDA_NDM_FLAGS_MASK", U8),
})

# --- linux/fib_rules.h: FRA_* (policy routing rules) ---------------------------------------------
FRA = Schema("FRA", {
    1: ("FRA_DST", IPADDR),
    2: ("FRA_SRC", IPADDR),
    3: ("FRA_IIFNAME", STR),
    4: ("FRA_GOTO", U32),
    6: ("FRA_PRIORITY", U32),
    10: ("FRA_FWMARK", U32),
    11: ("FRA_FLOW", U32),
    12: ("FRA_TUN_ID", BYTES),  # __be64
    13: ("FRA_SUPPRESS_IFGROUP", U32),
    14: ("FRA_SUPPRESS_PREFIXLEN", U32),
    15: ("FRA_TABLE", U32),
    16: ("FRA_FWMASK", U32),
    17: ("FRA_OIFNAME", STR),
    18: ("FRA_PAD", BYTES),
    19: ("FRA_L3MDEV", U8),
    20: ("FRA_UID_RANGE", U32S),  # struct fib_rule_uid_range: start, end
    21: ("FRA_PROTOCOL", U8),
    22: ("FRA_IP_PROTO", U8),
    23: ("FRA_SPORT_RANGE", BYTES),  # struct fib_rule_port_range
    24: ("FRA_DPORT_RANGE", BYTES),
})

# --- linux/netlink.h: NLMSGERR_ATTR_* (extended ack) ---------------------------------------------
NLMSGERR = Schema("NLMSGERR_ATTR", {
    1: ("NLMSGERR_ATTR_MSG", STR),
    2: ("NLMSGERR_ATTR_OFFS", U32),
    3: ("NLMSGERR_ATTR_COOKIE", BYTES),
    4: ("NLMSGERR_ATTR_POLICY", BYTES),
    5: ("NLMSGERR_ATTR_MISS_TYPE", U32),
    6: ("NLMSGERR_ATTR_MISS_NEST", U32),
})

SCHEMAS: tuple[Schema, ...] = (IFLA, IFLA_INFO, IFLA_MACVLAN, IFLA_MACVLAN_MACADDR_LIST, VETH_INFO, IFLA_BR,
                               IFLA_BRPORT, IFLA_PROP, IFA, RTA, RTAX, NETNSA, NLMSGERR,
                               IFLA_VXLAN, NDA, FRA)

# message type -> (fixed header, attribute schema)
FAMILIES: dict[int, tuple[FixedHeader, Schema]] = {
    **dict.fromkeys((RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK, RTM_NEWLINKPROP, RTM_DELLINKPROP,
                     RTM_GETLINKPROP), (IFINFOMSG, IFLA)),
    **dict.fromkeys((RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR), (IFADDRMSG, IFA)),
    **dict.fromkeys((RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE), (RTMSG, RTA)),
    **dict.fromkeys((RTM_NEWNSID, RTM_DELNSID, RTM_GETNSID), (RTGENMSG, NETNSA)),
    **dict.fromkeys((RTM_NEWNEIGH, RTM_DELNEIGH, RTM_GETNEIGH), (NDMSG, NDA)),
    **dict.fromkeys((RTM_NEWRULE, RTM_DELRULE, RTM_GETRULE), (FIBRULEHDR, FRA)),
}


# ------------------------------------------------------------------------------------------------
# Messages
# ------------------------------------------------------------------------------------------------
