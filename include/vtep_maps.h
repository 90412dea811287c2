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
 * are folded into two: a host route (vtep_routes, vtep_routes6) carries the
 * target's MAC, so one entry serves the route lookup, the ARP or ND proxy's
 * answer and the inner destination MAC of the encapsulation; vtep_fdb holds
 * only what has no IP: the local workloads' MACs (decapsulation by MAC) and
 * MAC-only EVPN routes. One entry per MAC+IP route is what makes 1M routes
 * cheap to insert and to hold (docs/design.md, "Map layout").
 *
 * Layout 2 (this one) against layout 1: vtep_neigh is gone (its MAC was the
 * route's), vtep_fdb no longer holds remote MAC+IP routes, IPv6 maps are
 * added (vtep_routes6, vtep_prefixes6, vtep_hostaddrs6), vtep_vnis and
 * vtep_ports gain IPv6 fields, vtep_event carries an IPv6 address.
 * agent/dp/migrate.c converts layout 1 pins.
 */
#ifndef VTEP_MAPS_H
#define VTEP_MAPS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#include <linux/bpf.h>        /* struct bpf_spin_lock (vtep_port_rate) */
#endif
#include "vtep_counters.h"

#define VTEP_LAYOUT_VERSION 2

/* Pinned map names (<= 15 characters, the kernel's BPF_OBJ_NAME_LEN - 1). */
#define VTEP_MAP_GLOBAL   "vtep_global"
#define VTEP_MAP_VNIS     "vtep_vnis"
#define VTEP_MAP_PORTS    "vtep_ports"
#define VTEP_MAP_ROUTES   "vtep_routes"
#define VTEP_MAP_PREFIXES "vtep_prefixes"
#define VTEP_MAP_ROUTES6  "vtep_routes6"
#define VTEP_MAP_PREFIXES6 "vtep_prefixes6"
#define VTEP_MAP_FDB      "vtep_fdb"
#define VTEP_MAP_REMOTES  "vtep_remotes"
#define VTEP_MAP_STATS    "vtep_stats"
#define VTEP_MAP_EVENTS   "vtep_events"
#define VTEP_MAP_HOSTADDRS "vtep_hostaddrs"
#define VTEP_MAP_HOSTADDRS6 "vtep_hostaddrs6"
#define VTEP_MAP_UNDERLAY "vtep_underlay"
#define VTEP_MAP_HOSTLINKS "vtep_hostlinks"
#define VTEP_MAP_PORT_RATES "vtep_port_rates"
#define VTEP_MAP_RCACHE   "vtep_rcache"
#define VTEP_MAP_RCACHE_CTL "vtep_rcache_ctl"
#define VTEP_MAP_RCACHE_CPU "vtep_rcache_cpu"
#define VTEP_MAP_RTAB     "vtep_rtab"

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
	__u32 subnet;         /* network order; 0 with prefixlen 0: no IPv4 */
	__u32 gateway_ip;     /* network order */
	__u8  prefixlen;      /* subnet prefix length */
	__u8  arp_reply;      /* enum vtep_arp_reply, also for ND (RFC 9161) */
	__u8  flags;          /* VTEP_VNI_F_* */
	__u8  prefixlen6;     /* IPv6 subnet prefix length; 0: no IPv6 */
	__u8  gateway_mac[6]; /* serves both families */
	__u8  pad1[2];
	__u8  route_target[8];/* RFC 4360 extended community as on the wire; zero when auto */
	__u8  rd[8];          /* RFC 4364 route distinguisher as on the wire */
	__u8  subnet6[16];    /* IPv6 subnet, network order */
	__u8  gateway_ip6[16];/* the gateway's global IPv6 address */
	__u32 l3vni;          /* the VRF's L3VNI routing between VNIs; 0 = none */
	__u32 flags2;         /* none yet; zero */
};
_Static_assert(sizeof(struct vtep_vni) == 76, "vtep_vni layout");
#define VTEP_VNI_F_FLOOD   0x1
#define VTEP_VNI_F_RT_AUTO 0x2
#define VTEP_VNI_F_RD_AUTO 0x4
#define VTEP_VNI_F_SLAAC   0x8  /* router advertisements carry the prefix (SLAAC) */
#define VTEP_VNI_F_OUTSIDE_HOST 0x10 /* destinations outside the VNI go to the host stack */

/* vtep_ports: hash, key __u32 ifindex of the host-side interface. */
struct vtep_port {
	__u32 vni;
	__u32 ip;             /* workload IPv4, network order; 0 = none */
	__u8  mac[6];         /* workload MAC; all zero until learned when auto */
	__u8  flags;          /* VTEP_PORT_F_* */
	__u8  pad;
	char  ifname[16];
	__u8  ip6[16];        /* workload IPv6 (global), network order; zero = none */
	__u8  ip6_ll[16];     /* its link-local address: derived from the MAC
	                       * (EUI-64, RFC 4291 2.5.1) unless configured */
};
_Static_assert(sizeof(struct vtep_port) == 64, "vtep_port layout");
#define VTEP_PORT_F_MAC_AUTO 0x1 /* MAC was "auto" in the config */
#define VTEP_PORT_F_TAP      0x2 /* a tap: deliver with bpf_redirect, not _peer */
/* A pod's veth made by vtepd for the CNI plugin. Only user space reads it
 * (vtepctl ports); the programs ignore it. */
#define VTEP_PORT_F_POD      0x4
/* The datapath end of a VNI's host link (vtep_hostlinks): the host's own
 * port in the VNI. Its peer is in the host's namespace, so it is entered
 * through its egress as a tap is (a peer redirect within one namespace is
 * dropped by the kernel); it sends from the VNI's sources, not one IP. */
#define VTEP_PORT_F_HOSTLINK 0x8
/* A veth whose host end has a root qdisc someone added (the CNI bandwidth
 * plugin's tbf: a pod's download limit). bpf_redirect_peer() enters the
 * peer's ingress straight from our hook (skb_do_redirect -> the peer's
 * __netif_receive_skb), so the host end's egress qdisc never sees the frame
 * and the limit would not hold; such a port is entered through the host
 * end's egress instead (__dev_queue_xmit: its qdisc, then veth_xmit). vtepd
 * sets it from the link's IFLA_QDISC, re-read on every root qdisc event. */
#define VTEP_PORT_F_SHAPED   0x10
/* Ports delivered to with bpf_redirect() to their egress. */
#define VTEP_PORT_F_EGRESS   (VTEP_PORT_F_TAP | VTEP_PORT_F_HOSTLINK | VTEP_PORT_F_SHAPED)
/* The port has an egress limit in vtep_port_rates: only such ports pay the
 * lookup of their bucket (bpf/police.h); every other frame skips it. */
#define VTEP_PORT_F_POLICED  0x20

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

/* vtep_routes6: hash of /128 host routes, value struct vtep_route. IPv6 has
 * a map of its own so that the IPv4 entries keep their 8-byte key. */
struct vtep_route6_key {
	__u32 vni;
	__u8  ip[16];         /* network order */
};
_Static_assert(sizeof(struct vtep_route6_key) == 20, "vtep_route6_key layout");

/* vtep_prefixes: LPM trie. prefixlen counts the vni's 32 bits too:
 * prefixlen = 32 + IPv4 prefix length, so a lookup never crosses VNIs. */
struct vtep_prefix_key {
	__u32 prefixlen;
	__u32 vni;            /* network order, for LPM's byte-wise compare */
	__u32 ip;             /* network order */
};
_Static_assert(sizeof(struct vtep_prefix_key) == 12, "vtep_prefix_key layout");

/* vtep_prefixes6: LPM trie, prefixlen = 32 + IPv6 prefix length. */
struct vtep_prefix6_key {
	__u32 prefixlen;
	__u32 vni;            /* network order */
	__u8  ip[16];         /* network order */
};
_Static_assert(sizeof(struct vtep_prefix6_key) == 24, "vtep_prefix6_key layout");

/* The value of every route map: the route lookup, the ARP/ND proxy's
 * answer (arp_reply "real") and the encapsulation all read this one entry. */
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
#define VTEP_RT_F_ROUTER 0x2  /* IPv6: the target is a router (RFC 9047 ND flag) */

/* vtep_fdb: hash (MAC to underlay): local workloads' MACs and MAC-only
 * routes; a MAC+IP route's MAC lives in its host route. */
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
/* vtep_hostaddrs6: the same for IPv6, key __u8[16]. */

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

/* vtep_rtab: the flat route table, a copy of vtep_routes' IPv4 entries laid
 * out so that a lookup reads one cache line (bpf/rtab.h, agent/dp/rtab.c).
 * vtep_routes stays the map of record (vtepctl, bpftool, migrations read
 * it); a hash lookup there reads a bucket and then an element, two
 * dependent cache misses once the table outgrows the caches. This is an
 * mmap-able array written by vtepd only (through the mapping, right after
 * each change of vtep_routes): element 0 is the header, elements 1..lines
 * are lines of VTEP_RTAB_SLOTS slots, open addressing with linear probing
 * over whole lines. Each line counts in `over` the entries that hash to it
 * or before it and sit past it, so a lookup stops at the first line that
 * lacks the key and has over == 0: a miss there is definite. Readers check
 * seq (odd while vtepd writes the line) and the header's epoch (odd while
 * vtepd rebuilds, 0 before the first build) around what they read; any
 * doubt sends them to vtep_routes. Lines: limits.routes * 4 / 9 rounded up
 * (at most three quarters of the slots used); 64 bytes per line, about 28
 * bytes per route of capacity. */
#define VTEP_RTAB_SLOTS 3
/* Lines a lookup walks before it gives up and asks vtep_routes: with a
 * million routes at 71.5 % of the slots, 85 % of the keys sit in their home
 * line, 98 % within four lines and 99.6 % within eight. */
#define VTEP_RTAB_PROBES 8
#define VTEP_RTAB_F_USED  0x1 /* vtep_rtab_slot.state: the slot holds a route */
#define VTEP_RTAB_F_LOCAL 0x2 /* nh is a local port's ifindex (vtep_route.vtep 0) */
struct vtep_rtab_slot {
	__u32 vni;            /* the key, as vtep_route_key */
	__u32 ip;
	__u32 nh;             /* remote VTEP (network order), or the port's ifindex */
	__u8  mac[6];         /* vtep_route.mac */
	__u8  rt_flags;       /* vtep_route.flags */
	__u8  state;          /* VTEP_RTAB_F_* */
};
_Static_assert(sizeof(struct vtep_rtab_slot) == 20, "vtep_rtab_slot layout");
struct vtep_rtab_line {
	__u16 seq;            /* odd while vtepd writes this line */
	__u16 over;           /* entries passing this line to a later one */
	struct vtep_rtab_slot slot[VTEP_RTAB_SLOTS];
};
_Static_assert(sizeof(struct vtep_rtab_line) == 64, "vtep_rtab_line: one cache line");
struct vtep_rtab_hdr {
	__u32 epoch;          /* even and non-zero: the table is whole */
	__u32 lines;          /* lines after the header */
	__u8  pad[56];
};
union vtep_rtab_elem {
	struct vtep_rtab_hdr hdr;   /* element 0 */
	struct vtep_rtab_line line; /* elements 1..lines */
};
_Static_assert(sizeof(union vtep_rtab_elem) == 64, "vtep_rtab_elem layout");

/* The home line of (vni, ip) among `lines` (1..lines; 0 is the header):
 * the one definition bpf/rtab.h and agent/dp/rtab.c both use. A plain
 * multiplicative hash clusters here: routes are numbered addresses, whose
 * network-order bytes make keys that step by 2^24, and sequential keys
 * left 58 % of a million routes outside their home line at three quarters
 * load. Two multiply-xorshift rounds (as SplitMix64/murmur3's finalizers)
 * leave 15 %, most of them in the next line. Then multiply-shift scales the
 * high 32 bits to the line count (no division). Not keyed: a peer that
 * chose addresses to collide would only lengthen its own routes' walks,
 * and past RTAB_PROBES lines a lookup asks vtep_routes. */
static inline __u32 vtep_rtab_home(__u32 vni, __u32 ip, __u32 lines)
{
	__u64 x = ((__u64)vni << 32 | ip) * 0x9E3779B97F4A7C15ULL;

	x ^= x >> 32;
	x *= 0xD6E8FEB86659FD93ULL;
	return 1 + (__u32)(((x >> 32) * (__u64)lines) >> 32);
}

/* vtep_rcache: the route cache, an array of sets (key __u32: CPU * sets +
 * set), one region per possible CPU, in front of vtep_routes for the port
 * program's IPv4 lookups (bpf/rcache.h). A plain array, not a per-CPU one:
 * a per-CPU array reaches each value through a table of pointers, a second
 * dependent load per lookup. vtep_routes is a hash of up to a million buckets spread
 * over 16 MB of 4 KiB pages, and every lookup reads a bucket and an element:
 * two cache misses, each often a TLB miss too, when the active destinations
 * are scattered over a large table. A set is one 64-byte cache line of two
 * ways; a hit reads that line only. Not state: the datapath fills it, and
 * an entry counts only while its gen equals vtep_rcache_ctl's, which vtepd
 * changes after every write or deletion in vtep_routes (agent/dp/rcache.c).
 * Sized by limits.route_cache (entries per CPU; two per set) times the
 * possible CPUs. */
#define VTEP_DEF_RCACHE 32768
#define VTEP_RCACHE_WAYS 2
struct vtep_rcache_way {
	__u32 vni;            /* the key, as vtep_route_key */
	__u32 ip;
	__u32 gen;            /* vtep_rcache_ctl.gen when filled; 0: empty */
	__u32 vtep;           /* what the datapath reads of vtep_routes' value */
	__u32 ifindex;
	__u8  mac[6];
	__u8  flags;
	__u8  used;           /* hit since filled */
	__u32 pad;
};
_Static_assert(sizeof(struct vtep_rcache_way) == 32, "vtep_rcache_way layout");
struct vtep_rcache_set {
	struct vtep_rcache_way way[VTEP_RCACHE_WAYS]; /* way[0] filled last */
};
_Static_assert(sizeof(struct vtep_rcache_set) == 64, "vtep_rcache_set: one cache line");

/* vtep_rcache_ctl: array of one, written by vtepd only. gen 0 turns the
 * cache off (limits.route_cache 0, or a datapath whose vtepd predates it). */
struct vtep_rcache_ctl {
	__u32 gen;            /* entries of another gen are stale */
	__u32 mask;           /* sets per CPU - 1 (sets: a power of two) */
};
_Static_assert(sizeof(struct vtep_rcache_ctl) == 8, "vtep_rcache_ctl layout");

/* vtep_rcache_cpu: per-CPU array of one, the CPU's own cache state. */
struct vtep_rcache_cpu {
	__u32 busy;           /* between reading a set and writing it: a program
			       * that finds it set runs nested over another on
			       * this CPU (BPF_PROG_TEST_RUN is interruptible by
			       * softirqs) and leaves the cache alone */
	__u16 probes;         /* lookups in the current window */
	__u16 kept;           /* of them, hits and misses that evicted nothing live */
	__u32 skip;           /* lookups left to go past the cache (thrashing) */
	__u32 pad;
};
_Static_assert(sizeof(struct vtep_rcache_cpu) == 16, "vtep_rcache_cpu layout");
/* A window of VTEP_RCACHE_WINDOW lookups in which fewer than
 * VTEP_RCACHE_KEPT_MIN hit, or fill a way without pushing out an entry
 * that was never used, means more destinations are active than the cache
 * holds: entries go before they serve, and every probe is one more miss
 * (a working set that changed pushes out used entries: no thrash). The next
 * VTEP_RCACHE_SKIP lookups then go straight to vtep_routes: while it
 * thrashes, one lookup in three pays the probe's miss, not every one. Kept
 * short because a cache full of a thrashing phase's unused entries looks
 * the same while a new, small working set moves in, and skipped lookups
 * fill nothing. */
#define VTEP_RCACHE_WINDOW   256
#define VTEP_RCACHE_KEPT_MIN 32
#define VTEP_RCACHE_SKIP     512

/* vtep_hostlinks: hash, key __u32 vni (host order): the VNI's host link
 * (vnis[].outside "host" with host_ip; docs/kubernetes.md), a veth pair in
 * the host's namespace: the host end holds host_ip and the route to the
 * VNI's subnet, the datapath end is a port (VTEP_PORT_F_HOSTLINK). The
 * datapath hands it the replies of flows the host NATed (bpf/ctsteer.h).
 * A map of its own, not a field of vtep_vni: no layout changes. */
#define VTEP_MAX_HOSTLINKS (2 * VTEP_MAX_VNIS)
/* A second key per host link: VTEP_HOSTLINK_IF | the host end's ifindex,
 * the same value. The port program asks it whether the host would route a
 * packet into a host link (bpf/outside.h); VNIs are below 2^24, so the two
 * kinds of key never meet. */
#define VTEP_HOSTLINK_IF 0x80000000u
struct vtep_hostlink {
	__u32 ifindex;        /* the datapath end (a port of the VNI) */
	__u32 ip;             /* host_ip, network order */
};
_Static_assert(sizeof(struct vtep_hostlink) == 8, "vtep_hostlink layout");

/* vtep_port_rates: hash, key __u32 ifindex of a port's host-side interface
 * (as vtep_ports), sized like vtep_ports (limits.ports). A port with an
 * entry has an egress limit: what its workload sends (the host end's
 * ingress, where the port program runs) is policed by a token bucket, and
 * a frame the bucket cannot pay for is dropped (drop_rate_limit). A policer,
 * not a shaper: nothing is queued (docs/kubernetes.md, "The bandwidth
 * plugin"). The bucket is act_police's (net/sched/act_police.c): tokens are
 * nanoseconds of sending time at the rate, at most burst_ns; a frame costs
 * len * 8 * 1e9 / rate ns. A map of its own, not fields of vtep_port: no
 * layout change, and vtep_ports keeps no run-time state.
 *
 * vtepd writes rate, burst and burst_ns, with tokens_ns = burst_ns (a full
 * bucket) and last_ns 0; the port program owns tokens_ns and last_ns under
 * lock (bpf_spin_lock: one bucket per port, shared by every CPU the pod's
 * frames arrive on). A user-space write (BPF_MAP_UPDATE_ELEM without
 * BPF_F_LOCK) replaces the whole element; the lock itself is never copied
 * in or out (copy_map_value skips it). */
struct vtep_port_rate {
	struct bpf_spin_lock lock;
	__u32 flags;          /* none yet; zero */
	__u64 rate;           /* bits per second, > 0 (the CNI's unit) */
	__u64 burst;          /* bytes the bucket holds */
	__u64 burst_ns;       /* burst at the rate: burst * 8 * 1e9 / rate */
	__u64 tokens_ns;      /* the bucket: what the port may send now, in ns */
	__u64 last_ns;        /* bpf_ktime_get_ns() of the last frame paid for */
};
_Static_assert(sizeof(struct vtep_port_rate) == 48, "vtep_port_rate layout");

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

/* vtep_events: ring buffer, BPF -> vtepd. A record of another size (a
 * program of another layout still attached during an upgrade) is skipped. */
enum vtep_event_type {
	VTEP_EV_GARP = 1,      /* gratuitous ARP (or unsolicited NA) for the port's own IP */
	VTEP_EV_MAC_LEARN = 2, /* first frame from an auto-MAC port's IP */
};
struct vtep_event {
	__u32 type;
	__u32 ifindex;
	__u32 vni;
	__u32 ip;             /* IPv4, network order (family 4) */
	__u8  mac[6];
	__u8  family;         /* 4 or 6 */
	__u8  pad;
	__u8  ip6[16];        /* IPv6, network order (family 6) */
};
_Static_assert(sizeof(struct vtep_event) == 40, "vtep_event layout");

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
