/* rib_priv.h - the RIB's insides, shared by rib.c (every entry point of
 * rib.h: updates, peers, flushes, readers, life cycle), rib_local.c (our own
 * paths), rib_best.c (best path, MAC mobility, duplicate address detection),
 * rib_sync.c (map entries) and rib_store.c (tables). Nothing outside rib/
 * includes this.
 *
 * The files call one way, each only the ones after it in this list:
 *   rib.c -> rib_local.c -> rib_best.c -> rib_sync.c -> rib_store.c
 * (rib_sync6.c is rib_sync.c's IPv6 half, one level with it, and so is
 * rib_dup.c, duplicate addresses, which rib_sync.c tells of changes and
 * which asks rib_sync.c who holds an address; rib_ip6.c, the
 * IPv6 addresses by id and our advertisements by family, is at
 * rib_store.c's level)
 * (rib.c and rib_local.c also use rib_store.c and rib_best.c directly).
 * What mapsync calls back (the port hook, the end of a flush) is registered
 * by rib.c, so rib_sync.c never calls up into rib_local.c or rib.c.
 *
 * Memory layout (no malloc per route). A type-2 MAC/IP route from one peer
 * costs a destination record (24 bytes), a path (24 bytes) and a slot in
 * each of two indexes (4 bytes each, at a load of 3/8 to 3/4): about 64
 * bytes at 1M routes, where hash tables of (key, value) slots cost about 210
 * (docs/performance.md, "Memory per route").
 *   dests    slab     struct rib_dest: the key (VNI, MAC, IP) type 2,
 *            (VNI, originator) type 3, (VNI, prefix) type 5, and its
 *            first path
 *   ipx      index    hash (VNI, IP) -> the destinations with an IP in their
 *            key (type 2 with IP, types 3 and 5); the type-2 ones that
 *            match (VNI, IP) are that IP's group
 *   macx     index    hash (VNI, MAC) -> the type-2 destinations; those that
 *            match (VNI, MAC) are the MAC's group (MAC-only routes and every
 *            IP bound to the MAC)
 *   paths    slab     struct rib_path, chained per destination (next)
 *   srcs     slab + hashmap: interned (peer, RD, Ethernet tag, type) with
 *            the VNI its routes went into: a withdrawal carries no route
 *            target (RFC 4760 4), so this is how it finds its destination;
 *            paths name their source by index (an RD is shared by every
 *            route one PE sends for a VNI)
 *   attrs    slab + hashmap: interned attribute sets (route targets, local
 *            preference, router's MAC, ...), shared by the routes of a peer
 *   peers    hashmap  peer id -> counters, address for tie-breaks
 *   dad      hashmap  struct rib_dkey -> move history (only entries that moved)
 *   remotes  hashmap  VTEP -> best paths that name it (vtep_remotes refs)
 *   dups     hashmap  (VNI, IP) -> since when: addresses held by two MACs at
 *            different places now (rib_dup.c); dup_dirty the (VNI, IP)
 *            groups to decide at the next flush; port_names (VNI, MAC) ->
 *            local port name, for its log lines
 * An index is an open-addressing array of 32-bit slots, each a destination
 * index with 8 bits of its hash (struct rib_index): a lookup reads one cache
 * line of slots and touches only the destinations whose 8 bits match, so a
 * new route costs one cache miss per index (which rib_prefetch() can take
 * ahead of time), not one per destination sharing its bucket. The slots hold
 * indexes, so the slabs may move when they grow: a struct rib_dest pointer
 * is valid until the next destination is created, an index until the
 * destination is deleted. At most RIB_DEST_MAX destinations.
 */
#ifndef VTEP_RIB_PRIV_H
#define VTEP_RIB_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "hashmap.h"
#include "rib.h"
#include "rib_ip6.h"

struct evpn_import;

#define RIB_NIL UINT32_MAX

/* A destination. type-2 MAC only: ip 0, plen 0; with IP: plen 32, or 128
 * with an IPv6 address's id in ip (rib_ip6.h). */
struct rib_dkey {
	uint32_t vni;
	uint32_t ip;          /* network order */
	uint8_t  mac[6];      /* type 2; zero otherwise */
	uint8_t  type;        /* enum evpn_route_type */
	uint8_t  plen;
};
_Static_assert(sizeof(struct rib_dkey) == 16, "rib_dkey packs");

#define RIB_D_FROZEN       0x08  /* duplicate address detection froze it */
#define RIB_D_FREE         0x80  /* slab slot on the free list (head links it) */

struct rib_dest {
	struct rib_dkey k;
	uint32_t head;        /* first path, RIB_NIL when none; the free list's link */
	uint8_t  flags;       /* RIB_D_* */
	uint8_t  pad[3];
};
_Static_assert(sizeof(struct rib_dest) == 24, "rib_dest packs");

/* An index over the destinations (rib_store.c): open addressing, linear
 * probing, slot = 1 + (hash tag << 24 | destination index), 0 = empty (so a
 * fresh array is calloc's zero pages), RIB_SLOT_GONE = a deleted one (a
 * tombstone: probes go on past it, an insert may take it). */
#define RIB_DEST_MAX 0xfffffdu
#define RIB_SLOT_GONE 0xffffffffu
struct rib_index {
	uint32_t *slots;
	uint32_t mask;        /* slots - 1, a power of two minus one */
	uint32_t count;       /* destinations in it */
	uint32_t gone;        /* tombstones */
};

#define RIB_P_STICKY 0x01  /* MAC mobility static flag (RFC 7432 7.7) */
#define RIB_P_STALE  0x02  /* its peer is restarting (RFC 4724) */
#define RIB_P_BEST   0x04  /* selected */
#define RIB_P_FREE   0x80  /* slab slot on the free list */

struct rib_path {
	uint32_t next;        /* next path of the destination / free list */
	uint32_t src;         /* interned (peer, RD, tag): srcs; RIB_NIL for our own */
	uint32_t vtep;        /* next hop (type 2, 5) or tunnel id (type 3), network order */
	uint32_t seq;         /* MAC mobility sequence */
	uint32_t attr;        /* interned attribute set, RIB_NIL for local paths */
	uint8_t  flags;       /* RIB_P_* */
	uint8_t  pad[3];
};
_Static_assert(sizeof(struct rib_path) == 24, "rib_path packs");

/* An interned attribute set (the key of the intern table: zero padded). */
#define RIB_A_HAS_RMAC 0x01
#define RIB_A_DEF_GW   0x02
#define RIB_A_ROUTER   0x04  /* RFC 9047 ARP/ND community with R: a router's IPv6 */
struct rib_attr {
	uint32_t local_pref;
	uint32_t med;
	uint32_t label;       /* first label (VNI for VXLAN) */
	uint16_t hops;        /* AS_PATH length (RFC 4271 9.1.2.2 a) */
	uint8_t  origin;
	uint8_t  flags;       /* RIB_A_* */
	uint8_t  router_mac[6];
	uint8_t  n_rt;
	uint8_t  pad;
	uint8_t  rt[RIB_MAX_RT][8];
};
struct rib_attr_slot {
	struct rib_attr a;
	uint32_t refs;        /* 0 = free; then next_free is valid */
	uint32_t next_free;
};

/* A path's source: who sent it under which RD and tag (the route's
 * identity within the peer's Adj-RIB-In, with its type), and where its
 * routes went. */
struct rib_rdkey {
	uint32_t peer;
	uint32_t etag;
	uint8_t  rd[8];
	uint8_t  type;
	uint8_t  pad[3];
};
struct rib_src_slot {
	struct rib_rdkey key;
	uint32_t vni;         /* the VNI its routes went into */
	uint32_t refs;        /* paths naming it; 0 = free, then next_free is valid */
	uint32_t next_free;
	bool     multi;       /* routes of this key went into several VNIs */
};

struct rib_peer {
	uint32_t address, router_id;  /* network order; 0 when unknown */
	uint64_t routes;
	bool     stale;
};

struct rib_dad {
	uint64_t window_start_ns;
	uint64_t frozen_until_ns;
	uint32_t moves;
};

/* An address of a VNI (ip: IPv4 or an IPv6 id): duplicate detection. */
struct rib_ipkey {
	uint32_t vni;
	uint32_t ip;
};
struct rib_dup {
	uint64_t since_ns;    /* reported as a duplicate since */
};
#define RIB_IFNAME_LEN 17    /* vtep_port.ifname (16, maybe unterminated) + NUL */

/* What a destination's selection is, to see what changed. */
struct rib_sel {
	bool     has;
	bool     local;       /* our own path is the best */
	bool     has_local;   /* our own path exists (it may have lost) */
	uint8_t  flags;       /* RIB_P_STICKY */
	uint32_t vtep;
	uint32_t seq;
	uint32_t idx;         /* best path index, RIB_NIL */
	uint8_t  mac[6];      /* type 5: router's MAC (zero without one) */
	bool     has_rmac;
	bool     router;      /* type 2: RFC 9047 R flag (RIB_A_ROUTER) */
};

/* Arrival stamps waiting for the flush that writes their routes. */
#define RIB_MAX_STAMPS 1024

struct rib {
	struct mapsync *ms;
	struct evpn_export *exp;
	struct evpn_import *imp;
	uint64_t (*now_ns)(void *ctx);
	void *now_ctx;
	uint32_t vtep_ip;         /* ours, network order */
	uint32_t router_id;
	uint32_t dad_moves, dad_window_s;
	struct hashmap vni_rd;    /* uint32 vni -> our RD (8 octets), for local paths */

	struct rib_dest *dests;   /* slab */
	uint32_t n_dests_cap, dest_free, dests_used, n_dests;
	struct rib_index ipx, macx;
	struct rib_path *paths;   /* slab */
	uint32_t n_paths_cap, path_free, paths_used;
	struct hashmap attr_idx;  /* rib_attr -> uint32 slot */
	struct rib_attr_slot *attrs;
	uint32_t n_attrs_cap, attr_free, attr_last;
	struct hashmap src_idx;   /* rib_rdkey -> uint32 slot */
	struct rib_src_slot *srcs;
	uint32_t n_srcs_cap, src_free, src_last; /* *_last: lookup caches (RIB_NIL) */
	struct hashmap peers, dad;
	struct hashmap remotes;   /* uint32 vtep -> uint32 refs */
	struct rib_ip6 *ip6;      /* IPv6 addresses by id (rib_ip6.c) */
	struct hashmap dups;      /* rib_ipkey -> rib_dup: duplicated addresses (rib_dup.c) */
	struct hashmap dup_dirty; /* rib_ipkey: groups changed since the last flush */
	struct hashmap port_names;/* (VNI, MAC) -> local port's name, for logs */
	bool     mac_rerun;       /* rib_best_run is re-deciding a MAC group's local paths */

	uint64_t pending_stamp;   /* rib_mark_arrival, not yet recorded */
	bool     stamp_armed;
	uint64_t stamps[RIB_MAX_STAMPS];
	uint64_t stamp_gen[RIB_MAX_STAMPS]; /* mapsync job writing it; 0 = not formed yet */
	uint32_t n_stamps;
	uint64_t gen_done;        /* mapsync's last job in the maps */
	struct rib_latency lat;   /* atomics: the metrics thread reads it */
	struct rib_stats st;      /* atomics for the same reason */
};

/* The RIB's clock (env->now_ns, or CLOCK_MONOTONIC). */
static inline uint64_t rib_now(const struct rib *rib)
{
	return rib->now_ns(rib->now_ctx);
}

/* The counters the metrics thread reads: relaxed atomics. */
static inline void rib_stat_add(uint64_t *ctr, int64_t delta)
{
	__atomic_fetch_add(ctr, (uint64_t)delta, __ATOMIC_RELAXED);
}

/* rib_store.c */
void rib_dkey_macip(struct rib_dkey *k, uint32_t vni, const uint8_t mac[6], uint32_t ip,
		    bool has_ip);
/* Destinations by index (stable while the destination lives). */
static inline struct rib_dest *rib_dest_at(const struct rib *rib, uint32_t idx)
{
	return &rib->dests[idx];
}
/* The destination at k: its index (RIB_NIL when none) or a pointer (NULL). */
uint32_t rib_dest_find(const struct rib *rib, const struct rib_dkey *k);
struct rib_dest *rib_dest_get(const struct rib *rib, const struct rib_dkey *k);
/* Every destination: i = rib_dest_next(rib, RIB_NIL), then rib_dest_next(rib,
 * i) until RIB_NIL. Deleting the destination at i during the walk is fine;
 * creating one is not. */
uint32_t rib_dest_next(const struct rib *rib, uint32_t idx);
/* The type-2 destinations of a (VNI, MAC) or (VNI, IP) group, by index: the
 * first, then each next one (the cursor g keeps the place); RIB_NIL at the
 * end. No destination may be created or deleted during the walk. */
struct rib_grp {
	const struct rib_index *ix;
	uint32_t pos, tag;
	uint32_t vni, ip;
	uint8_t  mac[6];
	bool     by_mac;
};
uint32_t rib_macgrp_first(const struct rib *rib, struct rib_grp *g, uint32_t vni,
			  const uint8_t mac[6]);
uint32_t rib_ipgrp_first(const struct rib *rib, struct rib_grp *g, uint32_t vni, uint32_t ip);
uint32_t rib_grp_next(const struct rib *rib, struct rib_grp *g);
/* Brings the index slots a route will need into the cache ahead of its
 * rib_update (the speaker calls it a few routes ahead): one cache miss per
 * index is most of what a new route costs the RIB; deep (a later call for
 * the same route): the destinations those slots name. */
void rib_store_prefetch(const struct rib *rib, uint32_t peer, const struct evpn_route *rt,
			const struct rib_dkey *kpart, bool deep);
struct rib_path *rib_path_at(const struct rib *rib, uint32_t idx);
struct rib_attr *rib_attr_at(const struct rib *rib, uint32_t idx);
/* Who sent path p: its peer (RIB_PEER_LOCAL for our own) and its source
 * (NULL for our own: its RD is the VNI's, its tag 0). */
static inline const struct rib_rdkey *rib_path_src(const struct rib *rib,
						   const struct rib_path *p)
{
	return p->src == RIB_NIL ? NULL : &rib->srcs[p->src].key;
}
static inline uint32_t rib_path_peer(const struct rib *rib, const struct rib_path *p)
{
	return p->src == RIB_NIL ? RIB_PEER_LOCAL : rib->srcs[p->src].key.peer;
}
const struct rib_peer *rib_peer_get(const struct rib *rib, uint32_t peer);
struct rib_peer *rib_peer_make(struct rib *rib, uint32_t peer);
/* Attribute sets: rib_attr_intern returns a referenced slot for *a (shared
 * with every path of equal attributes), RIB_NIL when out of memory. */
uint32_t rib_attr_intern(struct rib *rib, const struct rib_attr *a);
void rib_attr_unref(struct rib *rib, uint32_t idx);
/* A source's key (zero padded). */
void rib_rdkey_make(struct rib_rdkey *sk, uint32_t peer, const uint8_t rd[8], uint32_t etag,
		    uint8_t type);
/* Where a peer's route is held now, whatever VNI it went into: *k (vni
 * filled in from kpart), *idx, *prev. */
bool rib_route_find(const struct rib *rib, uint32_t peer, const struct evpn_route *rt,
		    const struct rib_dkey *kpart, struct rib_dkey *k, uint32_t *idx,
		    uint32_t *prev);
/* The current selection of d (the path marked best). */
void rib_sel_get(const struct rib *rib, const struct rib_dkey *k, const struct rib_dest *d,
		 struct rib_sel *out);
/* Storage only; rib_path_insert / rib_path_remove (rib_best.c) run the
 * decision around them. rib_path_link links a new path (fields in *np; sk
 * its source, NULL for our own) into destination k, made if new: 0 (*d the
 * destination, *before its selection from before) or -ENOMEM, nothing
 * changed. rib_path_unlink unlinks and frees path idx (predecessor prev):
 * k's destination with *before, or NULL when k has none. rib_dest_delete
 * deletes k. */
int rib_path_link(struct rib *rib, const struct rib_dkey *k, const struct rib_path *np,
		  const struct rib_rdkey *sk, struct rib_dest **d, struct rib_sel *before);
struct rib_dest *rib_path_unlink(struct rib *rib, const struct rib_dkey *k, uint32_t idx,
				 uint32_t prev, struct rib_sel *before);
void rib_dest_delete(struct rib *rib, const struct rib_dkey *k);
/* Life cycle of the tables (rib_new / rib_free). */
int rib_store_init(struct rib *rib);
void rib_store_free(struct rib *rib);

/* rib_sync.c: the best paths as BGP-sourced map entries (see there).
 * rib_sync_attach registers with the RIB's mapsync (no-op without one) as
 * its BGP side, with the hooks of rib.c for what mapsync reports (an
 * attached port changed, a flush ended); existing local ports are replayed
 * at once. 0 or -errno. rib_sync_changed: a destination's selection changed
 * from before to after: mark its keys, count its VTEP in vtep_remotes. */
int rib_sync_attach(struct rib *rib,
		    void (*port)(void *ctx, uint32_t ifindex, const struct vtep_port *old,
				 const struct vtep_port *cur),
		    void (*flushed)(void *ctx, uint64_t gen),
		    void (*written)(void *ctx, uint64_t gen));
void rib_sync_detach(struct rib *rib);
void rib_sync_changed(struct rib *rib, const struct rib_dkey *k, const struct rib_sel *before,
		      const struct rib_sel *after);
/* What BGP wants at the host route (vni, ip) of either family (ip an IPv6
 * id for vtep_routes6) and at type-5 destination k: the mapsync_bgp
 * answers, for rib_sync6.c. */
bool rib_sync_route_at(const struct rib *rib, uint32_t vni, uint32_t ip, struct vtep_route *out,
		       bool *over_local);
bool rib_sync_prefix_at(const struct rib *rib, const struct rib_dkey *k, struct vtep_route *out);

/* rib_sync6.c: the same for the IPv6 maps: a destination whose key holds
 * an IPv6 id changed (called by rib_sync_changed), and the mapsync_bgp
 * callbacks of vtep_routes6 and vtep_prefixes6. */
int rib_sync6_changed(struct rib *rib, const struct rib_dkey *k);
bool rib_sync6_route(void *ctx, const struct vtep_route6_key *k, struct vtep_route *out,
		     bool *over_local);
bool rib_sync6_prefix(void *ctx, const struct vtep_prefix6_key *k, struct vtep_route *out);
/* Does the map entry of IPv6 destination k wait for room in a full map? */
bool rib_sync6_pending(const struct rib *rib, const struct rib_dkey *k);

/* rib_dup.c: duplicate addresses, one (VNI, IP) held by two MACs at
 * different places (see there). rib_dup_touch: destination k's selection
 * changed (rib_sync_changed); rib_dup_flush: decide the touched addresses,
 * log and count starts and ends (the end of every flush); rib_dup_is: is
 * k's address a duplicate now (rib_walk); rib_dup_port: a local port
 * changed (its name for the logs). */
int rib_dup_init(struct rib *rib);
void rib_dup_free(struct rib *rib);
void rib_dup_touch(struct rib *rib, const struct rib_dkey *k);
void rib_dup_flush(struct rib *rib);
bool rib_dup_is(const struct rib *rib, const struct rib_dkey *k);
void rib_dup_port(struct rib *rib, const struct vtep_port *old, const struct vtep_port *cur);

/* rib_best.c */
/* Re-runs the decision for d after a change; before = rib_sel_get() taken
 * before the change. Marks the new best, applies duplicate address
 * detection, tells rib_sync and the export what changed. */
void rib_best_run(struct rib *rib, const struct rib_dkey *k, struct rib_dest *d,
		  const struct rib_sel *before);
/* <0 when a is better than b, >0 when b is, 0 when equal (RFC 7432 15,
 * RFC 4271 9.1.2.2). */
int rib_path_cmp(const struct rib *rib, const struct rib_path *a, const struct rib_path *b);
/* The highest sequence among the remote paths of the (VNI, MAC) group;
 * false when there is none. */
bool rib_mac_remote_seq(const struct rib *rib, uint32_t vni, const uint8_t mac[6],
			uint32_t *seq);
/* Inserts a new path (fields in *np) into destination k: 0 or -ENOMEM.
 * Removes path idx (predecessor prev) from k, deleting k when it empties.
 * Both let the decision run (rib_best_run). */
int rib_path_insert(struct rib *rib, const struct rib_dkey *k, const struct rib_path *np,
		    const struct rib_rdkey *sk);
void rib_path_remove(struct rib *rib, const struct rib_dkey *k, uint32_t idx, uint32_t prev);

/* rib_local.c: our own paths. rib_local_port is mapsync's port hook (an
 * attached port changed: old -> cur); rib_local_vtep_changed follows our
 * VTEP address (rib_reload). */
void rib_local_port(struct rib *rib, const struct vtep_port *old, const struct vtep_port *cur);
void rib_local_vtep_changed(struct rib *rib);

#endif /* VTEP_RIB_PRIV_H */
