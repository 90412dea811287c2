/* bgp_ops.c - the speaker at work (see bgp.h): the callbacks a session
 * makes into the RIB and evpn_export (routes in, our table out, state
 * changes), our changed advertisements sent to every Established peer
 * (bgp_flush), the reconcile after a restart, and one timerfd for every
 * session's timers.
 */
#include "bgp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/timerfd.h>

#include "bgp_io.h"
#include "bgp_priv.h"
#include "bgp_session.h"
#include "evpn_export.h"
#include "log.h"
#include "loop.h"
#include "rib.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- session ops ------------------------------------------------------------------ */

static int op_connect(void *ctx, struct bgp_session *s, int *fd)
{
	struct bgp_peer *p = ctx;
	struct bgp_io_sec sec = { .password = p->pw, .ttl_security = p->n.ttl_security };

	(void)s;
	return bgp_io_connect(p->n.address, p->n.port, &sec, fd);
}

static void on_sock(void *ctx, int fd, uint32_t events);

static void op_watch(void *ctx, struct bgp_session *s, int fd, uint32_t events)
{
	struct bgp_peer *p = ctx;
	int ret;

	(void)s;
	ret = loop_mod(p->b->loop, fd, events);
	if (ret == -ENOENT)
		ret = loop_add_ev(p->b->loop, fd, events, on_sock, p);
	if (ret)
		log_err("bgp: cannot watch a socket: %s", strerror(-ret));
}

static void op_unwatch(void *ctx, struct bgp_session *s, int fd)
{
	struct bgp_peer *p = ctx;

	(void)s;
	loop_del(p->b->loop, fd);
}

static void op_rib_begin(void *ctx, struct bgp_session *s)
{
	struct bgp_peer *p = ctx;

	(void)s;
	if (p->b->rib)
		rib_mark_arrival(p->b->rib, now_ns());
}

static int op_rib_route(void *ctx, struct bgp_session *s, const struct evpn_route *rt,
			const struct bgp_attrs *a)
{
	struct bgp_peer *p = ctx;
	int ret;

	if (!p->b->rib)
		return 0;
	ret = rib_update(p->b->rib, bgp_session_cfg(s)->id, rt, a);
	/* Not an error: the route's targets name none of our VNIs (or it is
	 * of no use to a VTEP); the operator sees it per peer (metrics,
	 * vtepctl peers) instead of in a debug log only. */
	if (ret == RIB_UPDATE_IGNORED) {
		__atomic_fetch_add(&p->rejected, 1, __ATOMIC_RELAXED);
		return 0;
	}
	return ret < 0 ? ret : 0;
}

static void op_rib_flush(void *ctx, struct bgp_session *s)
{
	(void)s;
	bgp_flush(((struct bgp_peer *)ctx)->b);
}

static void op_rib_peer_down(void *ctx, struct bgp_session *s, bool keep_stale)
{
	struct bgp_peer *p = ctx;

	if (!p->b->rib)
		return;
	if (keep_stale)
		rib_peer_stale(p->b->rib, bgp_session_cfg(s)->id);
	else
		rib_peer_down(p->b->rib, bgp_session_cfg(s)->id);
}

static void op_rib_stale_sweep(void *ctx, struct bgp_session *s)
{
	struct bgp_peer *p = ctx;

	if (p->b->rib)
		rib_peer_eor(p->b->rib, bgp_session_cfg(s)->id);
}

static size_t op_rib_count(void *ctx, struct bgp_session *s)
{
	struct bgp_peer *p = ctx;

	return p->b->rib ? rib_peer_routes(p->b->rib, bgp_session_cfg(s)->id) : 0;
}

struct table {
	struct bgp_out_route *r;
	size_t n, cap;
	int err;
};

static void table_add(void *ctx, const struct evpn_route *rt, const struct bgp_attrs *a,
		      bool withdraw)
{
	struct table *t = ctx;

	if (withdraw || t->err)
		return;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct bgp_out_route *nr = realloc(t->r, cap * sizeof(*nr));

		if (!nr) {
			t->err = -ENOMEM;
			return;
		}
		t->r = nr;
		t->cap = cap;
	}
	if (bgp_out_route_set(&t->r[t->n], rt, a))
		log_warn("bgp: a route of ours has too many extended communities; some dropped");
	t->n++;
}

static void op_send_table(void *ctx, struct bgp_session *s)
{
	struct bgp_peer *p = ctx;
	struct table t = { 0 };

	if (!p->b->exp)
		return;
	evpn_export_walk(p->b->exp, table_add, &t);
	if (t.err)
		log_err("%s: cannot collect our routes: %s", "bgp", strerror(-t.err));
	else if (t.n)
		bgp_session_send(s, t.r, t.n, false, bgp_now_ms());
	log_debug("bgp: %zu routes of ours sent to a new session", t.n);
	free(t.r);
}

static void op_changed(void *ctx, struct bgp_session *s)
{
	struct bgp_peer *p = ctx;
	struct bgp *b = p->b;
	uint64_t now = bgp_now_ms();
	bool est = bgp_session_state(s) == BGP_ST_ESTABLISHED;

	if (est && !p->was_est && b->rib) {
		struct bgp_peer_info i;

		bgp_session_info(s, now, &i);
		rib_peer_set(b->rib, i.id, i.address, i.router_id);
	}
	p->was_est = est;
	bgp_snapshot(p, now);
	bgp_check_sync(b, now);
	bgp_rearm(b);
}

const struct bgp_session_ops bgp_peer_ops = {
	.connect = op_connect,
	.watch = op_watch,
	.unwatch = op_unwatch,
	.rib_begin = op_rib_begin,
	.rib_route = op_rib_route,
	.rib_flush = op_rib_flush,
	.rib_peer_down = op_rib_peer_down,
	.rib_stale_sweep = op_rib_stale_sweep,
	.rib_count = op_rib_count,
	.send_table = op_send_table,
	.changed = op_changed,
};

/* ---- our advertisements -------------------------------------------------------------- */

void bgp_on_export(void *ctx, const struct evpn_route *rt, const struct bgp_attrs *a,
		   bool withdraw)
{
	struct bgp *b = ctx;

	if (b->n_pend == b->cap_pend) {
		size_t cap = b->cap_pend ? b->cap_pend * 2 : 64;
		struct bgp_out_route *nr = realloc(b->pend, cap * sizeof(*nr));
		bool *nw;

		if (!nr)
			goto nomem;
		b->pend = nr;
		nw = realloc(b->pend_wd, cap * sizeof(*nw));
		if (!nw)
			goto nomem;
		b->pend_wd = nw;
		b->cap_pend = cap;
	}
	bgp_out_route_set(&b->pend[b->n_pend], rt, withdraw ? NULL : a);
	b->pend_wd[b->n_pend++] = withdraw;
	return;
nomem:
	log_err("bgp: out of memory: an advertisement is lost until the next session reset");
}

int bgp_flush(struct bgp *b)
{
	uint64_t now;
	size_t i, j, k;
	int ret = 0, round;

	/* rib_flush() -> evpn_export_flush() -> bgp_on_export(); a session that
	 * the sends below reset calls back into here: queue only. */
	if (!b || b->flushing)
		return 0;
	b->flushing = true;
	if (b->rib)
		ret = rib_flush(b->rib);
	now = bgp_now_ms();
	/* A send can reset a session, whose routes leaving the RIB can change
	 * our advertisements (bgp_on_export appends): take the queue out first,
	 * and go again for what came meanwhile. */
	for (round = 0; b->n_pend && round < 8; round++) {
		struct bgp_out_route *pend = b->pend;
		bool *wd = b->pend_wd;
		size_t n = b->n_pend;

		b->pend = NULL;
		b->pend_wd = NULL;
		b->n_pend = b->cap_pend = 0;
		for (i = 0; i < n; i = j) {
			/* Runs of one kind, in order: withdrawals and
			 * announcements of one route never swap. */
			for (j = i + 1; j < n && wd[j] == wd[i]; j++)
				;
			for (k = 0; k < b->n_peers; k++)
				if (bgp_live(b, k) &&
				    bgp_session_state(b->peers[k]->s) == BGP_ST_ESTABLISHED)
					bgp_session_send(b->peers[k]->s, pend + i, j - i, wd[i], now);
		}
		free(pend);
		free(wd);
	}
	b->flushing = false;
	return ret;
}

void bgp_refresh_all(struct bgp *b)
{
	uint64_t now = bgp_now_ms();
	size_t i;

	for (i = 0; b && i < b->n_peers; i++)
		if (bgp_live(b, i))
			bgp_session_refresh(b->peers[i]->s, now);
}

/* ---- restart reconcile ------------------------------------------------------------- */

void bgp_check_sync(struct bgp *b, uint64_t now)
{
	size_t i;
	bool all = true;

	/* Until bgp_new() has created every peer, "all peers sent End-of-RIB"
	 * would be true of the few created so far. */
	if (!b->sync_pending || !b->ready)
		return;
	for (i = 0; i < b->n_peers && all; i++)
		all = !bgp_live(b, i) || bgp_session_eor_seen(b->peers[i]->s);
	if (!all && now < b->sync_at)
		return;
	b->sync_pending = false;
	/* The restart is over: sessions started from now on (a reload adds a
	 * neighbor, a peer comes back) no longer say "restarting". */
	b->restarted = false;
	log_info("bgp: %s: removing map entries an earlier vtepd learned that no peer "
		 "announced again", all ? "End-of-RIB from every peer" : "restart time over");
	if (b->rib) {
		rib_initial_sync_done(b->rib);
		bgp_flush(b);
	}
}

/* ---- timers and sockets ------------------------------------------------------------ */

void bgp_rearm(struct bgp *b)
{
	struct itimerspec its = { 0 };
	uint64_t t = UINT64_MAX;
	size_t i;

	for (i = 0; i < b->n_peers; i++) {
		uint64_t x = bgp_live(b, i) ? bgp_session_next_timer(b->peers[i]->s) : UINT64_MAX;

		if (x < t)
			t = x;
	}
	if (b->sync_pending && b->sync_at < t)
		t = b->sync_at;
	if (t == UINT64_MAX)
		t = 0;
	else if (t == 0)
		t = 1;   /* 0 would disarm */
	if (t == b->armed || b->tfd < 0)
		return;
	b->armed = t;
	its.it_value.tv_sec = (time_t)(t / 1000);
	its.it_value.tv_nsec = (long)(t % 1000) * 1000000;
	if (timerfd_settime(b->tfd, TFD_TIMER_ABSTIME, &its, NULL))
		log_err("bgp: timerfd: %s", strerror(errno));
}

void bgp_on_timer(void *ctx)
{
	struct bgp *b = ctx;
	uint64_t exp, now;
	size_t i;

	if (read(b->tfd, &exp, sizeof(exp)) < 0 && errno != EAGAIN)
		log_warn("bgp: timerfd read: %s", strerror(errno));
	b->armed = 0;
	now = bgp_now_ms();
	for (i = 0; i < b->n_peers; i++)
		if (bgp_live(b, i) && bgp_session_next_timer(b->peers[i]->s) <= now)
			bgp_session_timers(b->peers[i]->s, now);
	bgp_check_sync(b, now);
	bgp_rearm(b);
}

static void on_sock(void *ctx, int fd, uint32_t events)
{
	struct bgp_peer *p = ctx;

	bgp_session_io(p->s, fd, events, bgp_now_ms());
}
