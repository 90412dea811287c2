/* bgp_priv.h - the speaker's insides, shared by bgp.c (the speaker: entry
 * points, peers, session callbacks, advertisements, timers), bgp_listen.c
 * (the listener) and bgp_info.c (per-peer snapshots for control and
 * metrics). bgp.c calls the other two, never the other way round. Nothing
 * outside bgp/ includes this.
 */
#ifndef VTEP_BGP_PRIV_H
#define VTEP_BGP_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bgp.h"
#include "bgp_session.h"
#include "config.h"

struct bgp_peer {
	struct bgp *b;
	struct bgp_session *s;
	struct cfg_neighbor n;       /* as configured; n.password -> pw */
	char pw[81];
	struct bgp_peer_info info;   /* snapshot for other threads, under b->lock */
	uint64_t up_since;           /* ms, when info.state is Established */
	bool was_est;
	/* Announcements the RIB kept in no VNI (RIB_UPDATE_IGNORED) since
	 * vtepd started, across sessions. Written on the loop thread, read by
	 * bgp_peers_info() from the metrics thread: relaxed atomics. */
	uint64_t rejected;
};

struct bgp {
	struct loop *loop;
	struct rib *rib;
	struct evpn_export *exp;
	uint32_t local_as, router_id, vtep_ip;
	uint16_t gr_time;
	bool restarted;

	struct bgp_peer **peers;
	size_t n_peers;
	bgp_peer_id next_id;
	pthread_mutex_t lock;        /* peers[] membership and every info */

	int lfd, tfd;
	uint16_t listen_port;
	uint64_t armed;              /* the timerfd's deadline (ms), 0 = disarmed */

	/* Our changed advertisements, queued by the export notify callback
	 * during rib_flush() and sent by bgp_flush(). */
	struct bgp_out_route *pend;
	bool *pend_wd;
	size_t n_pend, cap_pend;
	bool flushing;

	bool ready;                  /* bgp_new() done: every peer is in peers[] */
	bool sync_pending;           /* rib_initial_sync_done() still owed */
	uint64_t sync_at;
};

static inline uint64_t bgp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* peers[i] holds a running session. A reload leaves holes (NULL) in
 * peers[] while it works, and a peer between two sessions has none. */
static inline bool bgp_live(const struct bgp *b, size_t i)
{
	return b->peers[i] && b->peers[i]->s;
}

/* bgp_listen.c: listening on b->listen_port (0 or -errno; a port that
 * cannot be bound is logged, not an error), the listener's MD5 keys and
 * TTL after the neighbors changed, closing it. */
int bgp_listen_open(struct bgp *b);
void bgp_listen_sync(struct bgp *b);
void bgp_listen_close(struct bgp *b);

/* bgp_info.c: a new snapshot of p for other threads (at every state
 * change), and the rejected counters of a copy of p->info. */
void bgp_snapshot(struct bgp_peer *p, uint64_t now);
void bgp_info_rejected(struct bgp_peer_info *out, const struct bgp_peer *p);

#endif /* VTEP_BGP_PRIV_H */
