/* vtep_maps.h - the contract between the BPF programs and user space.
 *
 * Every pinned map's name, key and value. All fields are fixed width; IPv4
 * addresses and the UDP port are in network byte order exactly as they are on
 * the wire, everything else is host order. Sizes are asserted so that the BPF
 * objects, vtepd and vtepctl can never disagree about a layout; a change to
 * any struct here must bump VTEP_LAYOUT_VERSION (vtepd refuses or migrates
 * pins of another version).
 *
 * The three tables of a virtual switch (IP forwarding, ARP, MAC to underlay)
 * are vtep_routes + vtep_prefixes, vtep_neigh and vtep_fdb.
 */
#ifndef VTEP_MAPS_H
#define VTEP_MAPS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif
#include "vtep_counters.h"

#define VTEP_LAYOUT_VERSION 1

/* Pinned map names (<= 15 characters, the kernel's BPF_OBJ_NAME_LEN - 1). */
#define VTEP_MAP_GLOBAL   "vtep_global"
#define VTEP_MAP_VNIS     "vtep_vnis"
#define VTEP_MAP_PORTS    "vtep_ports"
#define VTEP_MAP_ROUTES   "vtep_routes"
#define VTEP_MAP_PREFIXES "vtep_prefixes"
#define VTEP_MAP_NEIGH    "vtep_neigh"
#define VTEP_MAP_FDB      "vtep_fdb"
#define VTEP_MAP_REMOTES  "vtep_remotes"
#define VTEP_MAP_STATS    "vtep_stats"
#define VTEP_MAP_EVENTS   "vtep_events"
#define VTEP_MAP_HOSTADDRS "vtep_hostaddrs"
#define VTEP_MAP_UNDERLAY "vtep_underlay"

/* Default capacities; vtepd sets the real ones from `limits` before load. */
#define VTEP_DEF_ROUTES   1048576
#define VTEP_DEF_FDB      1048576
#define VTEP_DEF_PORTS    4096
#define VTEP_MAX_VNIS     4096
#define VTEP_MAX_REMOTES  16384
#define VTEP_MAX_HOSTADDRS 65536 /* kube-proxy's IPVS mode puts every service IP on the host */
#define VTEP_EVENTS_BYTES (256 * 1024)
#define VTEP_MAX_UNDERLAY 16384 /* (remote VTEP, port) pairs cached, LRU */

#define VTEP_VXLAN_PORT   4789
#define VTEP_ENCAP_LEN    50   /* outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8 */
#define VTEP_OUTER_TTL    64

/* vtep_global: array, one slot. Written by vtepd at start and on reload. */
struct vtep_global {
	__u32 vtep_ip;        /* our VTEP address, network order */
	__u32 layout_version; /* VTEP_LAYOUT_VERSION of whoever created the pins */
	__u32 flags;          /* VTEP_GF_* */
	__u16 vxlan_port;     /* UDP port, network order (htons(4789)) */
	__u16 pad;
};
_Static_assert(sizeof(struct vtep_global) == 16, "vtep_global layout");
#define VTEP_GF_UPLINK_TC 0x1 /* uplink program runs in TC (no XDP half) */

/* vtep_vnis: hash, key __u32 vni (host order). */
enum vtep_arp_reply {
	VTEP_ARP_REPLY_GATEWAY = 0, /* answer with the gateway MAC */
	VTEP_ARP_REPLY_REAL = 1,    /* answer with the target's MAC when known */
};
struct vtep_vni {
	__u32 subnet;         /* network order */
	__u32 gateway_ip;     /* network order */
	__u8  prefixlen;      /* subnet prefix length */
	__u8  arp_reply;      /* enum vtep_arp_reply */
	__u8  flags;          /* VTEP_VNI_F_* */
	__u8  pad0;
	__u8  gateway_mac[6];
	__u8  pad1[2];
	__u8  route_target[8];/* RFC 4360 extended community as on the wire; zero when auto */
	__u8  rd[8];          /* RFC 4364 route distinguisher as on the wire */
};
_Static_assert(sizeof(struct vtep_vni) == 36, "vtep_vni layout");
#define VTEP_VNI_F_FLOOD   0x1
#define VTEP_VNI_F_RT_AUTO 0x2
#define VTEP_VNI_F_RD_AUTO 0x4

/* vtep_ports: hash, key __u32 ifindex of the host-side interface. */
struct vtep_port {
	__u32 vni;
	__u32 ip;             /* workload IPv4, network order */
	__u8  mac[6];         /* workload MAC; all zero until learned when auto */
	__u8  flags;          /* VTEP_PORT_F_* */
	__u8  pad;
	char  ifname[16];
};
_Static_assert(sizeof(struct vtep_port) == 32, "vtep_port layout");
#define VTEP_PORT_F_MAC_AUTO 0x1 /* MAC was "auto" in the config */
#define VTEP_PORT_F_TAP      0x2 /* a tap: deliver with bpf_redirect, not _peer */

/* Where an entry came from (vtepctl's "source"). */
enum vtep_source {
	VTEP_SRC_LOCAL = 1,  /* a port on this host */
	VTEP_SRC_STATIC = 2, /* config file or vtepctl routes add */
	VTEP_SRC_BGP = 3,    /* learned from an EVPN peer */
};

/* vtep_routes: hash of /32 host routes. */
struct vtep_route_key {
	__u32 vni;
	__u32 ip;             /* network order */
};
_Static_assert(sizeof(struct vtep_route_key) == 8, "vtep_route_key layout");

/* vtep_prefixes: LPM trie. prefixlen counts the vni's 32 bits too:
 * prefixlen = 32 + IPv4 prefix length, so a lookup never crosses VNIs. */
struct vtep_prefix_key {
	__u32 prefixlen;
	__u32 vni;            /* network order, for LPM's byte-wise compare */
	__u32 ip;             /* network order */
};
_Static_assert(sizeof(struct vtep_prefix_key) == 12, "vtep_prefix_key layout");

/* The value of both route maps. */
struct vtep_route {
	__u32 vtep;           /* remote VTEP, network order; 0 = a local port */
	__u32 ifindex;        /* the local port when vtep == 0 */
	__u32 seq;            /* MAC mobility sequence number (RFC 7432 s.15) */
	__u8  mac[6];         /* the target's real MAC (inner destination MAC) */
	__u8  source;         /* enum vtep_source */
	__u8  flags;          /* VTEP_RT_F_* */
};
_Static_assert(sizeof(struct vtep_route) == 20, "vtep_route layout");
#define VTEP_RT_F_STICKY 0x1

/* vtep_neigh: hash (ARP table), key struct vtep_route_key. */
struct vtep_neigh {
	__u8  mac[6];
	__u8  source;
	__u8  flags;
};
_Static_assert(sizeof(struct vtep_neigh) == 8, "vtep_neigh layout");

/* vtep_fdb: hash (MAC to underlay). */
struct vtep_fdb_key {
	__u32 vni;
	__u8  mac[6];
	__u8  pad[2];         /* must be zero */
};
_Static_assert(sizeof(struct vtep_fdb_key) == 12, "vtep_fdb_key layout");
struct vtep_fdb {
	__u32 vtep;           /* network order; 0 = local port */
	__u32 ifindex;        /* local port when vtep == 0 */
	__u32 seq;
	__u8  source;
	__u8  flags;
	__u8  pad[2];
};
_Static_assert(sizeof(struct vtep_fdb) == 16, "vtep_fdb layout");

/* vtep_remotes: hash, key __u32 VTEP IPv4 (network order): the known remote
 * VTEPs the uplink accepts VXLAN from. refs counts the routes/fdb entries and
 * configured sources that name it. */
struct vtep_remote {
	__u32 refs;
	__u32 sources;        /* bit (1 << enum vtep_source) per source naming it */
};
_Static_assert(sizeof(struct vtep_remote) == 8, "vtep_remote layout");

/* vtep_hostaddrs: hash, key __u32 IPv4 address (network order): every
 * address of the host's network namespace outside 127.0.0.0/8, kept by vtepd
 * from netlink address events. What a workload sends there (and an ARP reply
 * to it) goes to the host stack. The kernel's FIB cannot tell: for
 * bpf_fib_lookup() a local route and no route at all are both NOT_FWDED. */
struct vtep_hostaddr {
	__u32 ifindex;        /* an interface holding the address */
	__u32 flags;          /* none yet; zero */
};
_Static_assert(sizeof(struct vtep_hostaddr) == 8, "vtep_hostaddr layout");

/* vtep_underlay: LRU hash, the port program's cache of the kernel FIB's
 * answer for one remote VTEP (bpf/encap.h). Only resolved answers
 * (BPF_FIB_LKUP_RET_SUCCESS: egress, both MACs) are cached, each for
 * VTEP_UNDERLAY_TTL_NS at most; vtepd may delete entries at any time (an
 * underlay route, neighbour or link change) and the next packet asks the
 * kernel again. Not state: nothing is lost when it is emptied. */
#define VTEP_UNDERLAY_TTL_NS (100ULL * 1000 * 1000)
struct vtep_underlay_key {
	__u32 vtep;           /* remote VTEP, network order */
	__u32 ifindex;        /* the port the lookup ran for (its input interface) */
};
_Static_assert(sizeof(struct vtep_underlay_key) == 8, "vtep_underlay_key layout");
struct vtep_underlay {
	__u64 expires_ns;     /* bpf_ktime_get_coarse_ns() deadline */
	__u32 ifindex;        /* egress interface (an uplink) */
	__u16 mtu;            /* the route's MTU (ip_mtu_from_fib_result) */
	__u8  smac[6];        /* outer source MAC: the egress interface's */
	__u8  dmac[6];        /* outer destination MAC: the next hop's */
	__u8  pad[6];
};
_Static_assert(sizeof(struct vtep_underlay) == 32, "vtep_underlay layout");

/* vtep_stats: per-CPU array, one slot. */
struct vtep_stats {
#define VTEP_STAT_FIELD(name, help) __u64 name;
	VTEP_COUNTERS(VTEP_STAT_FIELD)
#undef VTEP_STAT_FIELD
};
/* enum vtep_counter indexes this struct as an array of __u64 (bpf/drop.h
 * counts a drop reason that way): true by construction, asserted anyway. */
#define VTEP_STAT_INDEX_OK(name, help)                                          \
	_Static_assert(__builtin_offsetof(struct vtep_stats, name) ==           \
		       VTEP_CTR_##name * sizeof(__u64), "vtep_stats index of " #name);
VTEP_COUNTERS(VTEP_STAT_INDEX_OK)
#undef VTEP_STAT_INDEX_OK
_Static_assert(sizeof(struct vtep_stats) == VTEP_CTR_COUNT * sizeof(__u64), "vtep_stats size");

/* vtep_events: ring buffer, BPF -> vtepd. */
enum vtep_event_type {
	VTEP_EV_GARP = 1,      /* gratuitous ARP for the port's own IP */
	VTEP_EV_MAC_LEARN = 2, /* first frame from an auto-MAC port's IP */
};
struct vtep_event {
	__u32 type;
	__u32 ifindex;
	__u32 vni;
	__u32 ip;             /* network order */
	__u8  mac[6];
	__u8  pad[2];
};
_Static_assert(sizeof(struct vtep_event) == 24, "vtep_event layout");

/* XDP -> TC metadata on the uplink in xdp mode: the XDP half validates and
 * decapsulates, then the TC half delivers (bpf_redirect_peer needs TC). */
#define VTEP_META_MAGIC 0x76747031 /* "vtp1" */
/* The XDP half turned the frame into a reply for the sender (an inner ARP
 * request answered): the TC half transmits it out of the uplink, ifindex. */
#define VTEP_META_MAGIC_TX 0x76747032 /* "vtp2" */
struct vtep_xdp_meta {
	__u32 magic;
	__u32 ifindex;        /* port to deliver to */
};
_Static_assert(sizeof(struct vtep_xdp_meta) == 8, "vtep_xdp_meta layout");

#endif /* VTEP_MAPS_H */
