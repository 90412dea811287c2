/* bgp_priv.h - the speaker's insides, shared by bgp.c (life cycle, reload,
 * the peer table, the listener), bgp_ops.c (session callbacks into the RIB
 * and evpn_export, our advertisements, the restart reconcile, the timerfd)
 * and bgp_info.c (per-peer snapshots for control and metrics). Nothing else
 * includes this.
 */
#ifndef VTEP_BGP_PRIV_H
#define VTEP_BGP_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* bgp.c */
uint64_t bgp_now_ms(void);
/* peers[i] holds a running session. A reload leaves holes (NULL) in
 * peers[] while it works, and a peer between two sessions has none. */
bool bgp_live(const struct bgp *b, size_t i);

/* bgp_ops.c */
extern const struct bgp_session_ops bgp_peer_ops;
void bgp_on_export(void *ctx, const struct evpn_route *rt, const struct bgp_attrs *a,
		   bool withdraw);
void bgp_check_sync(struct bgp *b, uint64_t now);
void bgp_rearm(struct bgp *b);
void bgp_on_timer(void *ctx);

/* bgp_info.c */
void bgp_snapshot(struct bgp_peer *p, uint64_t now);

#endif /* VTEP_BGP_PRIV_H */
