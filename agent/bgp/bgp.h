/* bgp.h - vtepd's BGP speaker: every configured neighbor's session, the
 * listener for incoming connections, timers on the daemon's event loop,
 * and the wiring between sessions, the RIB and our own advertisements.
 *
 * Peers are identified by a bgp_peer_id (uint32_t): assigned when a
 * neighbor is created from config.bgp.neighbors, never 0, never reused while
 * vtepd runs (a neighbor removed by a reload and added again gets a new id),
 * so an id in the RIB can never name a different neighbor. BGP_PEER_LOCAL
 * (0) is "not from a peer": our own routes. The id outlives the neighbor's
 * sessions: a session that goes down and comes back keeps its id, which is
 * what graceful restart (RFC 4724) needs to find the stale routes again.
 *
 * What the speaker asks of the RIB, per peer id (agent/rib/rib.h):
 *   every decoded route of an UPDATE (reachable or withdrawn), one call each;
 *   a flush after each read burst (all whole messages read at once), so map
 *     writes are batched;
 *   peer down: delete the peer's routes, or (graceful restart helper, the
 *     peer advertised GR for L2VPN/EVPN) mark them stale and keep them;
 *   End-of-RIB or the restart/stale timer: delete what is still stale;
 *   the peer's Adj-RIB-In size (max-prefix, vtepctl peers).
 * What it asks of our advertisements (agent/rib/evpn_export.h): the whole set
 * when a session reaches Established (then End-of-RIB) or asks for a route
 * refresh, and every change afterwards (bgp_flush), sent to every
 * Established peer.
 *
 * Peer ids, states and the per-peer snapshot are in bgp_peer.h, which the
 * session (bgp_session.h) shares without seeing the speaker or the config.
 *
 * Threads: everything runs on the daemon's loop thread except
 * bgp_peers_info(), which the metrics thread may call; it copies a
 * snapshot kept under the speaker's own lock.
 */
#ifndef VTEP_BGP_H
#define VTEP_BGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp_peer.h"

#define BGP_LISTEN_PORT 179    /* RFC 4271 8.2.1.1 / IANA */

struct bgp;
struct loop;
struct rib;
struct evpn_export;
struct vtep_config;

/* What the speaker drives. rib and exp may be NULL (tests, or a build
 * without them): routes are then ignored and nothing is advertised. */
struct bgp_env {
	struct loop *loop;
	struct rib *rib;
	struct evpn_export *exp;
	/* vtepd restarted over pinned maps that still forward (RFC 4724 4.1:
	 * advertise the R bit, and F for L2VPN/EVPN). */
	bool restarted;
	/* Listening port, 179 by default; 0 = do not listen (tests). */
	uint16_t listen_port;
};

/* Creates a peer per config.bgp.neighbors and starts them (active peers
 * connect, passive ones wait for the listener). cfg is read, not kept:
 * what the speaker needs is copied. Returns 0 or -errno. */
int bgp_new(const struct vtep_config *cfg, const struct bgp_env *env, struct bgp **out);
/* Planned shutdown: every TCP session is closed without a NOTIFICATION, so
 * peers that negotiated graceful restart keep our routes while vtepd
 * restarts (RFC 4724 4.2). NULL is a no-op. */
void bgp_free(struct bgp *b);

/* A reload: neighbors are matched by address. Removed ones get Cease/Peer
 * De-configured (RFC 4486) and their routes leave the RIB; new ones start;
 * changed session settings (AS, port, password, GTSM, passive, timers)
 * reset that session with Cease/Other Configuration Change; max_prefixes
 * alone applies in place. A change of our AS, router id or restart time
 * resets every session. Returns 0 or -errno. */
int bgp_reload(struct bgp *b, const struct vtep_config *nc);

/* rib_flush() plus sending what it produced: the RIB hands our changed
 * advertisements to evpn_export, whose notify callback (set by bgp_new)
 * queues them here; they go to every Established peer, coalesced into as
 * few UPDATEs as their attributes allow. The daemon calls this after every
 * handler that may have touched ports or the RIB (link events, control
 * socket, ring buffer, reload). Returns rib_flush()'s result. */
int bgp_flush(struct bgp *b);
/* The import policy changed (rib_reload() returned 1): ask every peer that
 * offers it for a ROUTE-REFRESH (RFC 2918). */
void bgp_refresh_all(struct bgp *b);

/* Snapshot of up to max peers, in configuration order; returns how many
 * peers there are. Safe from any thread. */
size_t bgp_peers_info(struct bgp *b, struct bgp_peer_info *out, size_t max);
/* The snapshot of one peer by id: 0, or -ENOENT. Safe from any thread. */
int bgp_peer_info(struct bgp *b, bgp_peer_id id, struct bgp_peer_info *out);

#endif /* VTEP_BGP_H */
