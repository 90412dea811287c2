/* rib.h - the EVPN RIB: Adj-RIB-In per peer, import into VNIs, best path
 * with MAC mobility (RFC 7432 s.15), duplicate address detection, and the
 * map entries and advertisements that follow from the best paths.
 *
 * Data flow
 *   bgp session --rib_update()--> Adj-RIB-In (per peer) --import by RT-->
 *   destination (VNI, MAC, IP) / (VNI, originator) / (VNI, prefix) --best path-->
 *   rib_sync (BGP-sourced vtep_routes, vtep_fdb, vtep_prefixes,
 *   vtep_remotes, through mapsync's batched writer and its precedence:
 *   local port > static > BGP, except that a local workload that lost to a
 *   remote route with a higher sequence number is overridden)
 *   and evpn_export (our type-2 route is withdrawn when the workload moved
 *   away, re-advertised with remote seq + 1 when it comes back).
 *
 * Local ports enter the RIB by themselves: rib_new() registers on mapsync's
 * port hook (every attached port with a known MAC is a local path in its
 * destination, with our VTEP address as next hop), so ports.c and the daemon
 * need no change for ports.
 *
 * Contract with the BGP speaker (agent/bgp/bgp.h)
 *   Peers are bgp_peer_id values: never 0 (0 = BGP_PEER_LOCAL, our own
 *   routes), never reused. rib_peer_set() gives a peer's address and router
 *   id for the final best-path tie-breaks (optional; without it, the lower
 *   peer id wins the last tie-break).
 *   For each UPDATE:
 *     rib_mark_arrival(rib, t)        once, t = CLOCK_MONOTONIC ns at which
 *                                     the message was read (metrics histogram)
 *     rib_update(rib, peer, &route, &attrs)   once per decoded route, in the
 *                                     order of bgp_update.routes (withdraw
 *                                     flag in the route; attrs may be NULL for
 *                                     a withdraw). The attrs (and what they
 *                                     point to) are read during the call only.
 *   After each read burst (all whole messages read at once):
 *     rib_flush(rib)                  writes pending map changes in batches and
 *                                     hands our changed advertisements to the
 *                                     evpn_export notify callback.
 *   Session down without graceful restart:  rib_peer_down(rib, peer)
 *   Session down, peer is GR-capable for L2VPN/EVPN (RFC 4724 4.2 helper):
 *     rib_peer_stale(rib, peer); when it comes back, its routes replace the
 *     stale ones; on its End-of-RIB or when the restart/stale timer fires:
 *     rib_peer_eor(rib, peer)         deletes what is still stale.
 *   A peer removed from the config: rib_peer_down() then rib_peer_forget().
 *   Every entry point above that changes the RIB leaves its map writes
 *   pending until rib_flush() (rib_peer_down/stale/eor flush by themselves).
 *   Restart reconcile: once every configured peer has sent End-of-RIB, or
 *   the graceful-restart time has passed since start (or at once when no
 *   neighbor is configured), call rib_initial_sync_done(rib): BGP-sourced
 *   map entries left by an earlier vtepd that the RIB does not hold now are
 *   deleted. Until then they keep forwarding (RFC 4724 restarting side).
 *
 * Contract with the daemon (wiring)
 *   rib_new() after mapsync_new() and evpn_export_new() (ports may be
 *   attached before or after); rib_free() before evpn_export_free() and
 *   mapsync_free().
 *   VTEP_EV_GARP ring-buffer events: call rib_local_garp(rib, ev).
 *   SIGHUP: rib_reload(rib, new_cfg) (it reloads the export too); when it
 *   returns 1 the import policy changed (VNIs or route targets): send
 *   ROUTE-REFRESH (RFC 2918) to every peer (routes that were not imported
 *   were not kept).
 *   Our changed advertisements reach the evpn_export notify callback at the
 *   end of every mapsync_flush() - the RIB's, and also those ports.c makes
 *   when a port comes or goes - so the callback may run inside any handler;
 *   queue there and send at the end of the handler. Call rib_flush() after
 *   any handler that may have changed the RIB without a flush (ring buffer:
 *   rib_local_garp); it is cheap when nothing is pending.
 *   Without BGP configured there is no RIB: call mapsync_bgp_adopt() once
 *   after the start-up reconcile instead, so that BGP entries an earlier
 *   vtepd installed do not stay forever.
 *
 * Threads: everything on the loop thread, except rib_latency_get() and
 * rib_get_stats(), which read counters the metrics thread may read at any
 * time (relaxed atomics; a snapshot may be a few updates behind).
 */
#ifndef VTEP_RIB_H
#define VTEP_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp_attr.h"
#include "evpn_nlri.h"
#include "vtep_maps.h"

struct rib;
struct mapsync;
struct evpn_export;
struct vtep_config;

#define RIB_PEER_LOCAL 0u  /* == BGP_PEER_LOCAL */

struct rib_env {
	const struct vtep_config *cfg;  /* read now (VNIs, vtep_ip, bgp.dad); not kept */
	struct mapsync *ms;             /* NULL: nothing is installed (tests) */
	struct evpn_export *exp;        /* NULL: nothing is advertised (tests) */
	/* Monotonic clock in ns for duplicate address detection and the
	 * latency histogram; NULL = clock_gettime(CLOCK_MONOTONIC). */
	uint64_t (*now_ns)(void *ctx);
	void *now_ctx;
};

/* Returns 0 or -errno. */
int rib_new(const struct rib_env *env, struct rib **out);
/* Frees memory only: the maps keep what was installed (forwarding goes on
 * across a restart). NULL is a no-op. */
void rib_free(struct rib *rib);
/* A new configuration: VNIs added/removed (routes of a removed VNI leave the
 * maps), route targets, our VTEP address, DAD settings. Returns 1 when the
 * import policy changed (ask peers for a ROUTE-REFRESH), 0, or -errno. */
int rib_reload(struct rib *rib, const struct vtep_config *cfg);

/* ---- from the BGP speaker ----------------------------------------------- */

/* Optional: the peer's address and BGP identifier (network order) for the
 * final tie-breaks (RFC 4271 9.1.2.2 f, g). */
int rib_peer_set(struct rib *rib, uint32_t peer, uint32_t address, uint32_t router_id);
/* The UPDATE whose routes follow arrived at t_ns (CLOCK_MONOTONIC). */
void rib_mark_arrival(struct rib *rib, uint64_t t_ns);
/* One route. Returns
 *   0                   applied (a withdrawal always returns 0, whether or
 *                       not the route was held), or the same route again;
 *   RIB_UPDATE_IGNORED  an announcement imported by no VNI, hence not kept:
 *                       its route targets match no VNI, or it is unusable
 *                       (type or family vtepd does not use, next hop ours or
 *                       not IPv4, encapsulation other than VXLAN, PMSI not
 *                       ingress replication, our own route reflected back).
 *                       Not an error: count it (rib_stats.ignored counts it
 *                       too); a path the peer had sent before under the same
 *                       key is removed (implicit withdrawal, RFC 4271 3.1);
 *   -ENOMEM             the route could not be stored; the session should
 *                       reset. Callers test < 0 for errors, never != 0. */
#define RIB_UPDATE_IGNORED 1
int rib_update(struct rib *rib, uint32_t peer, const struct evpn_route *rt,
	       const struct bgp_attrs *attrs);
/* Optional, a few routes before rib_update(rib, peer, rt, ...): starts the
 * cache misses that route's lookups will take (a hint; nothing changes).
 * Called twice per route, the second time closer to its update with deep
 * set: the first call's lines are in the cache then, and what they point
 * to is fetched. */
void rib_prefetch(const struct rib *rib, uint32_t peer, const struct evpn_route *rt, bool deep);
void rib_peer_down(struct rib *rib, uint32_t peer);
void rib_peer_stale(struct rib *rib, uint32_t peer);
void rib_peer_eor(struct rib *rib, uint32_t peer);
/* Drops what rib_peer_set() recorded (after rib_peer_down). */
void rib_peer_forget(struct rib *rib, uint32_t peer);
/* Routes held for the peer (imported, stale included): max-prefix and
 * vtepctl peers. */
size_t rib_peer_routes(const struct rib *rib, uint32_t peer);

/* Pending map changes in batches, then pending advertisements. Returns 0 or
 * the first -errno a map refused (logged). */
int rib_flush(struct rib *rib);
/* The same at the end of a read burst from a peer: a big batch of map
 * writes goes to mapsync's writer thread (mapsync_flush_async) and the map
 * entries follow shortly; everything else as rib_flush(). */
int rib_flush_async(struct rib *rib);
/* See "Restart reconcile" above. Returns 0 or -errno. */
int rib_initial_sync_done(struct rib *rib);

/* ---- from the datapath ---------------------------------------------------- */

/* A gratuitous ARP from a local port (VTEP_EV_GARP): if its MAC is known
 * remote with a better sequence, the workload moved here: advertise it with
 * the remote sequence + 1 (RFC 7432 15). */
void rib_local_garp(struct rib *rib, const struct vtep_event *ev);

/* ---- readers (vtepctl bgp routes, metrics) -------------------------------- */

/* One path as `vtepctl bgp routes` shows it. */
struct rib_route_info {
	uint32_t peer;            /* 0 = our own (local port) */
	uint32_t vni;             /* the VNI it was imported into */
	struct evpn_route route;  /* type, RD, etag, MAC, IP / prefix, label */
	uint32_t vtep;            /* next hop / tunnel endpoint, network order */
	uint32_t seq;             /* MAC mobility sequence */
	bool     sticky;
	bool     stale;           /* held for a restarting peer (GR) */
	bool     best;            /* the path in use */
	bool     frozen;          /* duplicate address detection froze it */
	bool     pending;         /* the best path, waiting for room in its full map */
	bool     duplicate;       /* its (VNI, IP) is held by another MAC elsewhere too */
	bool     has_router_mac;
	uint8_t  router_mac[6];
	uint32_t local_pref;
	uint8_t  n_rt;            /* route targets kept (at most RIB_MAX_RT) */
#define RIB_MAX_RT 8
	uint8_t  rt[RIB_MAX_RT][8];
};
/* Calls fn for every path (filters: vni 0 = all, peer UINT32_MAX = all).
 * fn returns non-zero to stop. No RIB changes from inside fn. */
typedef int (*rib_walk_fn)(void *ctx, const struct rib_route_info *ri);
int rib_walk(const struct rib *rib, uint32_t vni, uint32_t peer, rib_walk_fn fn, void *ctx);

/* Time from an UPDATE's arrival (rib_mark_arrival) to the flush that wrote
 * its routes to the maps. Buckets are Prometheus "le" bounds in seconds;
 * counts[i] counts observations <= bound i and > bound i-1 (not
 * cumulative); counts[RIB_LAT_BUCKETS] is the +Inf overflow. */
#define RIB_LAT_BUCKETS 16
extern const double rib_lat_bounds_s[RIB_LAT_BUCKETS];
struct rib_latency {
	uint64_t counts[RIB_LAT_BUCKETS + 1];
	uint64_t count;
	uint64_t sum_ns;
};
void rib_latency_get(const struct rib *rib, struct rib_latency *out);

struct rib_stats {
	uint64_t paths;           /* paths held (all peers, local included) */
	uint64_t dests;           /* destinations (VNI, MAC, IP) / type 3 / type 5 */
	uint64_t updates;         /* rib_update calls that changed something */
	uint64_t ignored;         /* routes not kept (type, family, RT, encapsulation) */
	uint64_t moves;           /* MAC mobility moves of a best path */
	uint64_t dad_frozen;      /* entries frozen by duplicate address detection */
	uint64_t installed_routes, installed_fdb, installed_prefixes; /* BGP wins now */
	uint64_t dup_addrs;       /* (VNI, IP) held by two MACs at different places now */
	uint64_t dup_detected;    /* such duplicates that started (rib_dup.c) */
};
void rib_get_stats(const struct rib *rib, struct rib_stats *out);

#endif /* VTEP_RIB_H */
