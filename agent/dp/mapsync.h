/* mapsync.h - the desired contents of the datapath maps, and writing them.
 *
 * vtepd's intent lives here in memory, in O(1) hash tables (lib/hashmap.h):
 * the configured VNIs, the attached local ports, the static routes (config
 * and run-time). Each map entry is derived from that intent on demand
 * ("resolve"), so a change only marks the affected map keys dirty and
 * mapsync_flush() writes or deletes exactly those keys, batched.
 *
 * What each piece of intent puts in the maps (include/vtep_maps.h):
 *   VNI                vtep_vnis[vni]
 *   port (attached)    vtep_ports[ifindex] {vni, ip, mac, flags, ifname};
 *     once its MAC is known:
 *                      vtep_routes{vni, ip} -> {vtep 0, ifindex, mac, LOCAL}
 *                      vtep_fdb{vni, mac}   -> {vtep 0, ifindex, LOCAL}
 *   static route /32   vtep_routes{vni, ip} -> {vtep, mac, STATIC}
 *   static route </32  vtep_prefixes{32 + len, htonl(vni), prefix} -> {vtep, mac, STATIC}
 *   any static route   vtep_remotes[vtep] {refs = routes naming it, sources |= STATIC}
 * and the same for IPv6 in vtep_routes6 (a port's ip6, a static /128) and
 * vtep_prefixes6 (shorter static prefixes); see mapsync_priv.h.
 * A route's MAC is in its route entry (the ARP proxy answers from it), so a
 * static route puts nothing in vtep_fdb: that map is for MACs without an IP.
 * A local port outranks a static route for the same key (the workload is
 * here, whatever a stale route says).
 *
 * Ownership: entries whose source is BGP (or remotes that carry the BGP bit)
 * belong to the BGP side: they are written and deleted here only on its
 * behalf (struct mapsync_bgp below). vtep_vnis and vtep_ports are wholly ours.
 */
#ifndef VTEP_MAPSYNC_H
#define VTEP_MAPSYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vtep_maps.h"

struct mapsync;
struct rcache;
struct rtab;

/* File descriptors of the maps to write (not owned; -1 = absent, then
 * everything for that map is skipped - used by tests). */
struct mapsync_fds {
	int vnis, ports, routes, prefixes, fdb, remotes;
	int routes6, prefixes6;
};

/* Totals since mapsync_new, for logs and tests. */
struct mapsync_stats {
	uint64_t updates;      /* map entries written */
	uint64_t deletes;      /* map entries deleted */
	uint64_t batches;      /* batch syscalls issued */
	uint64_t errors;       /* entries a syscall refused (logged) */
};

/* route_hint pre-sizes the route tables (0 = grow on demand). */
int mapsync_new(const struct mapsync_fds *fds, size_t route_hint, struct mapsync **out);
void mapsync_free(struct mapsync *ms);
/* The datapath's route cache, bumped after every change to vtep_routes
 * (rcache.h); NULL for none. Set before the first flush. */
void mapsync_set_rcache(struct mapsync *ms, struct rcache *rc);
/* The datapath's flat route table, which follows every change to
 * vtep_routes (rtab.h); NULL for none. Set before the first flush. */
void mapsync_set_rtab(struct mapsync *ms, struct rtab *rt);

/* Intent edits. They only change memory and mark keys dirty; nothing reaches
 * the maps before mapsync_flush() or mapsync_reconcile(). Return 0, -ENOENT
 * (del of something absent) or -ENOMEM. */
int mapsync_vni_set(struct mapsync *ms, uint32_t vni, const struct vtep_vni *v);
int mapsync_vni_del(struct mapsync *ms, uint32_t vni);
/* An attached port; p->mac all zero while an auto MAC is not known yet.
 * Setting an ifindex again replaces the port (a learned MAC, a new IP). */
int mapsync_port_set(struct mapsync *ms, uint32_t ifindex, const struct vtep_port *p);
int mapsync_port_del(struct mapsync *ms, uint32_t ifindex);
/* A static route as mapsync holds it: its own record, so that the config
 * schema (struct cfg_route) stops where the config meets the sync (the
 * daemon converts). */
struct mapsync_route {
	uint32_t vni;
	uint32_t prefix;          /* network order; 0 for IPv6 */
	uint8_t  prefixlen;       /* 0..32; IPv6 0..128 */
	uint32_t vtep;            /* network order */
	uint8_t  mac[6];
	bool     v6;              /* an IPv6 prefix, in prefix6 */
	uint8_t  prefix6[16];
};
/* A static route of either family; adding an existing (vni, prefix, len)
 * replaces it. */
int mapsync_route_add(struct mapsync *ms, const struct mapsync_route *r);
/* Deletes the IPv4 route (vni, prefix, prefixlen). */
int mapsync_route_del(struct mapsync *ms, uint32_t vni, uint32_t prefix, uint8_t prefixlen);
/* Deletes the route with key's vni and prefix, of either family. */
int mapsync_route_remove(struct mapsync *ms, const struct mapsync_route *key);
/* Looks an IPv4 static route up: true and *out filled when present. */
bool mapsync_route_get(const struct mapsync *ms, uint32_t vni, uint32_t prefix,
		       uint8_t prefixlen, struct mapsync_route *out);
/* The same by key, either family. */
bool mapsync_route_find(const struct mapsync *ms, const struct mapsync_route *key,
			struct mapsync_route *out);
/* Static routes of both families. */
size_t mapsync_route_count(const struct mapsync *ms);
/* Iterates the static routes (IPv4 first, then IPv6): *pos = 0 first;
 * false at the end. No edits in between. */
bool mapsync_route_next(const struct mapsync *ms, size_t *pos, struct mapsync_route *out);

/* Writes and deletes the dirty keys. Returns 0, or the first -errno a map
 * refused (everything else is still attempted and each failure logged; an
 * entry a full map refuses is not an error: it waits, see below). Each
 * map's entries are written in the order their keys were first marked (the
 * last route received is the last entry written), local ports' and static
 * routes' before BGP's. When it returns, every change made so far is in
 * the maps. */
int mapsync_flush(struct mapsync *ms);
/* The same, for a burst of routes from a peer: a big one (thousands of
 * keys) is handed to mapsync's writer thread and the call returns at once,
 * so that the next routes are read and decided while the kernel inserts
 * these; while the writer is busy, changes wait and go with its next job.
 * Small ones are written at once, as by mapsync_flush(). The loop watches
 * mapsync_event_fd() and calls mapsync_poll() when it is readable: that
 * applies what the writer did and starts its next job. mapsync_flush(),
 * mapsync_sync(), mapsync_reconcile() and mapsync_bgp_adopt() first wait
 * for the writer. */
int mapsync_flush_async(struct mapsync *ms);
int mapsync_event_fd(const struct mapsync *ms);
int mapsync_poll(struct mapsync *ms);
/* Waits until everything handed to the writer is in the maps. */
int mapsync_sync(struct mapsync *ms);

/* A full map. An entry a map refuses for lack of room (E2BIG: it holds
 * `limits` entries) waits in mapsync and goes in, in order, as soon as
 * deletions free room; local ports and static routes go first and move BGP
 * entries out when they must (mapsync_pending.c). One warning per map says
 * so (rate-limited). */
struct mapsync_map_pending {
	const char *map;          /* vtep_routes, vtep_prefixes, vtep_routes6, vtep_prefixes6, vtep_fdb */
	uint32_t capacity;        /* max_entries; 0 when unknown */
	uint64_t pending;         /* entries waiting for room */
};
#define MAPSYNC_PENDING_MAPS 5
/* Fills out[0..MAPSYNC_PENDING_MAPS); any thread (relaxed atomics). */
void mapsync_pending_get(const struct mapsync *ms,
			 struct mapsync_map_pending out[MAPSYNC_PENDING_MAPS]);
/* Does the entry at this key wait for room? (loop's thread) */
bool mapsync_pending_route(const struct mapsync *ms, const struct vtep_route_key *k);
bool mapsync_pending_prefix(const struct mapsync *ms, const struct vtep_prefix_key *k);
bool mapsync_pending_fdb(const struct mapsync *ms, const struct vtep_fdb_key *k);
bool mapsync_pending_route6(const struct mapsync *ms, const struct vtep_route6_key *k);
bool mapsync_pending_prefix6(const struct mapsync *ms, const struct vtep_prefix6_key *k);
/* Makes the maps equal to the intent: every desired entry is written and
 * every entry of ours (LOCAL/STATIC, all vnis and ports) that is not
 * desired is deleted - the stale leftovers of a previous run. */
int mapsync_reconcile(struct mapsync *ms);

void mapsync_get_stats(const struct mapsync *ms, struct mapsync_stats *out);

/* ---- The BGP side (added for agent/rib/rib_sync.c) ------------------------------
 *
 * BGP-sourced entries are resolved here too, so that one resolver applies
 * the precedence for a key: a local port, then a static route, then BGP -
 * except that a local workload that lost to a remote route by MAC mobility
 * (RFC 7432 15: the workload moved) yields to that route. The BGP side keeps
 * its own tables and answers through struct mapsync_bgp; it marks the keys it
 * changes with mapsync_bgp_touch_*() and they are written by the next flush.
 * vtep_remotes holds refs = static routes + BGP routes naming the VTEP, so
 * neither side can clobber the other's claim.
 *
 * Ownership of BGP-sourced map entries: a key the BGP side touched is its to
 * rewrite or delete. Other BGP entries (left by an earlier vtepd, which keep
 * forwarding across a restart) are left alone until mapsync_bgp_adopt():
 * then every BGP entry the provider does not want is deleted, and from then on
 * all BGP entries are ours. */
struct mapsync_bgp {
	void *ctx;
	/* The BGP entry wanted at k (source BGP): true and *out filled.
	 * *over_local = true when it must replace a local port's entry. */
	bool (*route)(void *ctx, const struct vtep_route_key *k, struct vtep_route *out,
		      bool *over_local);
	bool (*prefix)(void *ctx, const struct vtep_prefix_key *k, struct vtep_route *out);
	/* The same for the IPv6 maps (NULL: no BGP entries there). */
	bool (*route6)(void *ctx, const struct vtep_route6_key *k, struct vtep_route *out,
		       bool *over_local);
	bool (*prefix6)(void *ctx, const struct vtep_prefix6_key *k, struct vtep_route *out);
	bool (*fdb)(void *ctx, const struct vtep_fdb_key *k, struct vtep_fdb *out,
		    bool *over_local);
	/* BGP routes naming a remote VTEP (network order), 0 = none. */
	uint32_t (*remote_refs)(void *ctx, uint32_t vtep);
	/* An attached port changed: old (NULL = new port) -> cur (NULL = gone).
	 * Called after the intent changed; may call mapsync_bgp_touch_*(). */
	void (*port)(void *ctx, uint32_t ifindex, const struct vtep_port *old,
		     const struct vtep_port *cur);
	/* Called at the end of every flush (mapsync_flush, after the writes;
	 * mapsync_flush_async, once its job is handed over). gen: the last job
	 * of map changes formed so far, which written() will report; 0 when
	 * the changes of this flush wait for a later job (the writer was
	 * busy). */
	void (*flushed)(void *ctx, uint64_t gen);
	/* Every job up to gen is in the maps (loop's thread; optional). */
	void (*written)(void *ctx, uint64_t gen);
};
/* Installs (or with NULL removes) the BGP side. bgp->port is called at once
 * for every port already attached (old = NULL). */
void mapsync_set_bgp(struct mapsync *ms, const struct mapsync_bgp *bgp);
/* Marks keys whose BGP answer may have changed. 0 or -ENOMEM. */
int mapsync_bgp_touch_route(struct mapsync *ms, const struct vtep_route_key *k);
int mapsync_bgp_touch_prefix(struct mapsync *ms, const struct vtep_prefix_key *k);
int mapsync_bgp_touch_fdb(struct mapsync *ms, const struct vtep_fdb_key *k);
int mapsync_bgp_touch_remote(struct mapsync *ms, uint32_t vtep);
/* The same with the answer the callback would give (v: the entry, NULL for
 * none), computed by the BGP side while its tables are hot: the flush uses
 * it instead of calling back. The BGP side must set (or touch) a key again
 * whenever its answer there changes before the flush. */
int mapsync_bgp_set_route(struct mapsync *ms, const struct vtep_route_key *k,
			  const struct vtep_route *v, bool over_local);
int mapsync_bgp_set_prefix(struct mapsync *ms, const struct vtep_prefix_key *k,
			   const struct vtep_route *v);
int mapsync_bgp_set_fdb(struct mapsync *ms, const struct vtep_fdb_key *k,
			const struct vtep_fdb *v, bool over_local);
/* The IPv6 maps' (mapsync6.c). */
int mapsync_bgp_touch_route6(struct mapsync *ms, const struct vtep_route6_key *k);
int mapsync_bgp_touch_prefix6(struct mapsync *ms, const struct vtep_prefix6_key *k);
int mapsync_bgp_set_route6(struct mapsync *ms, const struct vtep_route6_key *k,
			   const struct vtep_route *v, bool over_local);
int mapsync_bgp_set_prefix6(struct mapsync *ms, const struct vtep_prefix6_key *k,
			    const struct vtep_route *v);
/* Restart reconcile for the BGP side (see above). Flushes what is pending
 * first, then scans the maps for BGP entries the provider does not want -
 * unless the last mapsync_reconcile() found no BGP entry at all (a fresh
 * start: every BGP entry now in the maps was written here), then flushes
 * again. 0 or -errno. */
int mapsync_bgp_adopt(struct mapsync *ms);
bool mapsync_bgp_adopted(const struct mapsync *ms);

/* Resolves one key to the value the intent wants, as the flush does: true and
 * *out filled when an entry is desired (tests and vtepctl-style dumps). */
bool mapsync_want_route(const struct mapsync *ms, const struct vtep_route_key *k,
			struct vtep_route *out);
bool mapsync_want_fdb(const struct mapsync *ms, const struct vtep_fdb_key *k,
		      struct vtep_fdb *out);
bool mapsync_want_route6(const struct mapsync *ms, const struct vtep_route6_key *k,
			 struct vtep_route *out);
bool mapsync_want_prefix6(const struct mapsync *ms, const struct vtep_prefix6_key *k,
			  struct vtep_route *out);

#endif /* VTEP_MAPSYNC_H */
