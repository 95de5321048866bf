"""The kernel's numbers: every uapi constant rtnl uses, each under the header that defines it.

One home for them: no other module spells a number from ``/usr/include/linux``. Enumerated types the
API hands out (``MacvlanMode``, ``Scope``...) live with the values that carry them
(``rtnl.values``); the raw numbers here are for building and reading messages.

This module imports nothing: every layer may use it.
"""

from __future__ import annotations

# --- linux/socket.h ---------------------------------------------------------------------------------
AF_INET, AF_INET6 = 2, 10
SOL_NETLINK = 270

# --- asm-generic/socket.h ---------------------------------------------------------------------------
SO_RCVBUFFORCE = 33  # SO_RCVBUF beyond net.core.rmem_max, for root (a few arches differ)

# --- linux/limits.h ---------------------------------------------------------------------------------
NAME_MAX = 255  # a file name: a named namespace is one in the run dir

# --- linux/netlink.h --------------------------------------------------------------------------------
NETLINK_ROUTE = 0
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_NO_ENOBUFS = 5
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NETLINK_GET_STRICT_CHK = 12

NLMSG_NOOP = 0x1
NLMSG_ERROR = 0x2
NLMSG_DONE = 0x3
NLMSG_OVERRUN = 0x4
NLMSG_MIN_TYPE = 0x10  # types below are netlink's own (the four above)

NLM_F_REQUEST = 0x01
NLM_F_MULTI = 0x02
NLM_F_ACK = 0x04
NLM_F_ECHO = 0x08
NLM_F_DUMP_INTR = 0x10
NLM_F_DUMP_FILTERED = 0x20
NLM_F_ROOT = 0x100  # GET requests
NLM_F_MATCH = 0x200
NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH
NLM_F_REPLACE = 0x100  # NEW requests: NLM_F_DUMP's bits mean REPLACE|EXCL here, so a dump is
NLM_F_EXCL = 0x200  # said, never read from the flags
NLM_F_CREATE = 0x400
NLM_F_APPEND = 0x800
NLM_F_BULK = 0x200  # DELETE requests
NLM_F_CAPPED = 0x100  # acks
NLM_F_ACK_TLVS = 0x200

NLA_F_NESTED = 1 << 15
NLA_F_NET_BYTEORDER = 1 << 14
NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xFFFF

# --- linux/rtnetlink.h ------------------------------------------------------------------------------
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK = 16, 17, 18, 19
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE = 24, 25, 26
RTM_NEWNSID, RTM_DELNSID, RTM_GETNSID = 88, 89, 90
RTM_NEWLINKPROP, RTM_DELLINKPROP, RTM_GETLINKPROP = 108, 109, 110  # alternative names

RTNLGRP_LINK = 1
RTNLGRP_IPV4_IFADDR = 5
RTNLGRP_IPV4_ROUTE = 7
RTNLGRP_IPV6_IFADDR = 9
RTNLGRP_IPV6_ROUTE = 11
RTNLGRP_NSID = 28

RT_TABLE_MAIN = 254
RTPROT_UNSPEC, RTPROT_KERNEL, RTPROT_BOOT, RTPROT_STATIC = 0, 2, 3, 4
RTN_UNICAST, RTN_LOCAL = 1, 2
RTM_F_CLONED = 0x200  # a cached (cloned) route, not one of the table's own
RTEXT_FILTER_VF = 1 << 0
RTEXT_FILTER_SKIP_STATS = 1 << 3

# --- linux/rtnetlink.h: route lookups (RTM_GETROUTE with a destination, `ip route get`) -------------
RTM_F_LOOKUP_TABLE = 0x1000  # answer with the table the lookup matched in rtm_table/RTA_TABLE

# --- linux/if.h -------------------------------------------------------------------------------------
IFNAMSIZ = 16
ALTIFNAMSIZ = 128  # alternative names are up to 127 bytes
IFF_UP = 0x1
IFF_PROMISC = 0x100
IFF_LOWER_UP = 0x10000

# --- linux/if_ether.h -------------------------------------------------------------------------------
ETH_MIN_MTU, ETH_MAX_MTU = 68, 65535

# --- linux/if_link.h --------------------------------------------------------------------------------
MACVLAN_MACADDR_ADD, MACVLAN_MACADDR_DEL, MACVLAN_MACADDR_FLUSH, MACVLAN_MACADDR_SET = 0, 1, 2, 3

# --- RFC 7348 (vxlan; the kernel's own copies are in include/net/vxlan.h, not in uapi) -------------
VXLAN_VNI_MAX = (1 << 24) - 1  # a VNI is 24 bits (IFLA_VXLAN_ID)
IANA_VXLAN_UDP_PORT = 4789  # the default destination port (IFLA_VXLAN_PORT)

# --- linux/if_bridge.h ------------------------------------------------------------------------------
BRIDGE_MODE_HAIRPIN = 1  # the value of IFLA_BRPORT_MODE that turns hairpin on

# --- linux/net_namespace.h --------------------------------------------------------------------------
NETNSA_NSID_NOT_ASSIGNED = -1

# --- issue 17: complete routes and addresses --------------------------------------------------------
# linux/rtnetlink.h
RT_TABLE_UNSPEC = 0  # a dump of every table
RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT, RTN_THROW = 6, 7, 8, 9
RTNH_F_ONLINK = 4  # rtm_flags / rtnh_flags: the gateway is on the link, whatever the addresses say
# linux/icmpv6.h (RTA_PREF's values)
ICMPV6_ROUTER_PREF_LOW, ICMPV6_ROUTER_PREF_MEDIUM, ICMPV6_ROUTER_PREF_HIGH = 3, 0, 1
# linux/if_addr.h
INFINITY_LIFE_TIME = 0xFFFFFFFF  # ifa_cacheinfo: a lifetime that never ends
# --- neighbours and policy rules (issue 17 item 1 and 3) ---------------------------------------------
# linux/rtnetlink.h
RTM_NEWNEIGH, RTM_DELNEIGH, RTM_GETNEIGH = 28, 29, 30
RTM_NEWRULE, RTM_DELRULE, RTM_GETRULE = 32, 33, 34
RTNLGRP_NEIGH = 3
RT_TABLE_COMPAT = 252  # rtm_table/frh table when the real id (> 255) is in an attribute
# linux/socket.h
AF_BRIDGE = 7
# linux/neighbour.h
NTF_PROXY = 1 << 3
NUD_NOARP, NUD_PERMANENT = 0x40, 0x80
# linux/fib_rules.h
FR_ACT_TO_TBL = 1
# --- issue 18: a cancelled add_routes undoes exactly its own routes ----------------------------------
# linux/ipv6_route.h
IP6_RT_PRIO_USER = 1024  # the metric of an IPv6 route added without one (the kernel's default)
