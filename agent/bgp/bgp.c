/* bgp.c - the speaker (see bgp.h): every entry point of bgp.h (life cycle,
 * reload, flush, route refresh, the peer readers), the peer table built from
 * config.bgp.neighbors, the callbacks each session makes into the RIB and
 * evpn_export (routes in, our table out, state changes), our changed
 * advertisements sent to every Established peer, the reconcile after a
 * restart, and one timerfd for every session's timers. The callbacks call
 * back into the speaker (a read burst ends in bgp_flush, a state change
 * re-arms the timer), so they live with it; what does not call back is
 * below: the listener (bgp_listen.c) and the peer snapshots (bgp_info.c).
 */
#include "bgp.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/timerfd.h>

#include "addr.h"
#include "bgp_io.h"
#include "bgp_priv.h"
#include "bgp_session.h"
#include "evpn_export.h"
#include "log.h"
#include "loop.h"
#include "rib.h"

/* Without graceful restart the RIB still waits this long after a restart
 * for every peer's End-of-RIB before deleting what an earlier vtepd left. */
#define BGP_SYNC_DEFAULT_S 120

/* ---- peers ----------------------------------------------------------------------- */

static const struct bgp_session_ops peer_ops;

static void session_cfg(const struct bgp *b, const struct bgp_peer *p, bgp_peer_id id,
			struct bgp_session_cfg *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->id = id;
	sc->address = p->n.address;
	sc->port = p->n.port;
	sc->remote_as = p->n.asn;
	sc->local_as = b->local_as;
	sc->router_id = b->router_id;
	sc->next_hop = b->vtep_ip;
	snprintf(sc->password, sizeof(sc->password), "%s", p->pw);
	sc->ttl_security = p->n.ttl_security;
	sc->max_prefixes = p->n.max_prefixes;
	sc->passive = p->n.passive;
	sc->hold_time = p->n.hold_time_s;
	sc->keepalive = p->n.keepalive_s;
	sc->gr_time = b->gr_time;
	sc->gr_restarted = b->restarted;
}

static void peer_copy_cfg(struct bgp_peer *p, const struct cfg_neighbor *n)
{
	p->n = *n;
	snprintf(p->pw, sizeof(p->pw), "%s", n->password ? n->password : "");
	p->n.password = p->pw;
}

/* A session for p (new, or replacing one after a settings change) under
 * the peer's id, started. */
static int peer_session(struct bgp *b, struct bgp_peer *p, bgp_peer_id id)
{
	struct bgp_session_cfg sc;
	int ret;

	session_cfg(b, p, id, &sc);
	ret = bgp_session_new(&sc, &peer_ops, p, &p->s);
	if (ret)
		return ret;
	bgp_session_start(p->s, bgp_now_ms());
	return 0;
}

static int peer_new(struct bgp *b, const struct cfg_neighbor *n, struct bgp_peer **out)
{
	struct bgp_peer *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	p->b = b;
	peer_copy_cfg(p, n);
	ret = peer_session(b, p, ++b->next_id);
	if (ret) {
		free(p);
		return ret;
	}
	*out = p;
	return 0;
}

/* Stops (NOTIFICATION Cease subcode), deletes its routes, frees. */
static void peer_free(struct bgp *b, struct bgp_peer *p, uint8_t subcode)
{
	bgp_peer_id id = bgp_session_cfg(p->s)->id;

	bgp_session_stop(p->s, bgp_now_ms(), subcode, NULL);
	if (b->rib) {
		rib_peer_down(b->rib, id);
		rib_peer_forget(b->rib, id);
	}
	bgp_session_free(p->s);
	free(p);
}

static bool session_settings_same(const struct cfg_neighbor *a, const struct cfg_neighbor *b)
{
	return a->asn == b->asn && a->port == b->port && a->ttl_security == b->ttl_security &&
	       a->passive == b->passive && a->hold_time_s == b->hold_time_s &&
	       a->keepalive_s == b->keepalive_s &&
	       !strcmp(a->password ? a->password : "", b->password ? b->password : "");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- session ops ------------------------------------------------------------------ */

static void on_sock(void *ctx, int fd, uint32_t events);
static void check_sync(struct bgp *b, uint64_t now);
static void rearm(struct bgp *b);

static int op_connect(void *ctx, struct bgp_session *s, int *fd)
{
	struct bgp_peer *p = ctx;
	struct bgp_io_sec sec = { .password = p->pw, .ttl_security = p->n.ttl_security };

	(void)s;
	return bgp_io_connect(p->n.address, p->n.port, &sec, fd);
}

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

static int flush(struct bgp *b, bool burst);

static void op_rib_prefetch(void *ctx, struct bgp_session *s, const struct evpn_route *rt,
			    bool deep)
{
	struct bgp_peer *p = ctx;

	if (p->b->rib)
		rib_prefetch(p->b->rib, bgp_session_cfg(s)->id, rt, deep);
}

static void op_rib_flush(void *ctx, struct bgp_session *s)
{
	(void)s;
	flush(((struct bgp_peer *)ctx)->b, true);
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
	check_sync(b, now);
	rearm(b);
}

static const struct bgp_session_ops peer_ops = {
	.connect = op_connect,
	.watch = op_watch,
	.unwatch = op_unwatch,
	.rib_begin = op_rib_begin,
	.rib_route = op_rib_route,
	.rib_prefetch = op_rib_prefetch,
	.rib_flush = op_rib_flush,
	.rib_peer_down = op_rib_peer_down,
	.rib_stale_sweep = op_rib_stale_sweep,
	.rib_count = op_rib_count,
	.send_table = op_send_table,
	.changed = op_changed,
};

/* ---- our advertisements -------------------------------------------------------------- */

static void on_export(void *ctx, const struct evpn_route *rt, const struct bgp_attrs *a,
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

/* burst: the end of a read burst from a peer (its map writes may go to the
 * writer thread: rib_flush_async), else everything is written now. */
static int flush(struct bgp *b, bool burst)
{
	uint64_t now;
	size_t i, j, k;
	int ret = 0, round;

	/* rib_flush() -> evpn_export_flush() -> on_export(); a session that
	 * the sends below reset calls back into here: queue only. */
	if (!b || b->flushing)
		return 0;
	b->flushing = true;
	if (b->rib)
		ret = burst ? rib_flush_async(b->rib) : rib_flush(b->rib);
	now = bgp_now_ms();
	/* A send can reset a session, whose routes leaving the RIB can change
	 * our advertisements (on_export appends): take the queue out first,
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

int bgp_flush(struct bgp *b)
{
	return flush(b, false);
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

static void check_sync(struct bgp *b, uint64_t now)
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

static void rearm(struct bgp *b)
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

static void on_timer(void *ctx)
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
	check_sync(b, now);
	rearm(b);
}

static void on_sock(void *ctx, int fd, uint32_t events)
{
	struct bgp_peer *p = ctx;

	bgp_session_io(p->s, fd, events, bgp_now_ms());
}

/* ---- bgp.h --------------------------------------------------------------------------- */

int bgp_new(const struct vtep_config *cfg, const struct bgp_env *env, struct bgp **out)
{
	struct bgp *b = calloc(1, sizeof(*b));
	uint64_t now = bgp_now_ms();
	size_t i;
	int ret;

	if (!b)
		return -ENOMEM;
	pthread_mutex_init(&b->lock, NULL);
	b->loop = env->loop;
	b->rib = env->rib;
	b->exp = env->exp;
	b->restarted = env->restarted;
	b->local_as = cfg->bgp.asn;
	b->router_id = cfg->bgp.router_id;
	b->vtep_ip = cfg->vtep_ip;
	b->gr_time = (uint16_t)(cfg->bgp.graceful_restart_s > 0x0fff ? 0x0fff
								     : cfg->bgp.graceful_restart_s);
	b->lfd = b->tfd = -1;
	b->listen_port = env->listen_port;
	b->sync_pending = true;
	b->sync_at = now + (uint64_t)(b->gr_time ? b->gr_time : BGP_SYNC_DEFAULT_S) * 1000;

	b->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (b->tfd < 0) {
		ret = -errno;
		goto fail;
	}
	if ((ret = loop_add(b->loop, b->tfd, on_timer, b)))
		goto fail;
	if ((ret = bgp_listen_open(b)))
		goto fail;
	if (b->exp)
		evpn_export_set_notify(b->exp, on_export, b);
	b->peers = calloc(cfg->bgp.n_neighbors + 1, sizeof(*b->peers));
	if (!b->peers) {
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < cfg->bgp.n_neighbors; i++) {
		struct bgp_peer *p;

		if ((ret = peer_new(b, &cfg->bgp.neighbors[i], &p)))
			goto fail;
		pthread_mutex_lock(&b->lock);
		b->peers[b->n_peers++] = p;
		pthread_mutex_unlock(&b->lock);
		bgp_snapshot(p, now);
	}
	bgp_listen_sync(b);
	b->ready = true;
	log_info("bgp: AS %u, %zu neighbors, %s, graceful restart %u s%s", b->local_as, b->n_peers,
		 b->lfd >= 0 ? "listening" : "not listening", b->gr_time,
		 b->restarted ? " (restarting: forwarding state kept)" : "");
	check_sync(b, now);
	rearm(b);
	*out = b;
	return 0;
fail:
	log_err("bgp: cannot start: %s", strerror(-ret));
	bgp_free(b);
	return ret;
}

void bgp_free(struct bgp *b)
{
	size_t i;

	if (!b)
		return;
	if (b->exp)
		evpn_export_set_notify(b->exp, NULL, NULL);
	/* No NOTIFICATION (RFC 4724 4.2): peers keep our routes, stale, while
	 * vtepd restarts; the datapath forwards meanwhile. */
	for (i = 0; i < b->n_peers; i++) {
		bgp_session_free(b->peers[i]->s);
		free(b->peers[i]);
	}
	free(b->peers);
	bgp_listen_close(b);
	if (b->tfd >= 0) {
		loop_del(b->loop, b->tfd);
		close(b->tfd);
	}
	free(b->pend);
	free(b->pend_wd);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

int bgp_reload(struct bgp *b, const struct vtep_config *nc)
{
	struct bgp_peer **next;
	bool reset_all;
	uint16_t gr = (uint16_t)(nc->bgp.graceful_restart_s > 0x0fff ? 0x0fff
								    : nc->bgp.graceful_restart_s);
	size_t i, j, nn = 0;
	char a[ADDR_IP_STRLEN];
	int ret = 0;

	next = calloc(nc->bgp.n_neighbors + 1, sizeof(*next));
	if (!next)
		return -ENOMEM;
	reset_all = nc->bgp.asn != b->local_as || nc->bgp.router_id != b->router_id ||
		    gr != b->gr_time || nc->vtep_ip != b->vtep_ip;
	if (reset_all)
		log_info("bgp: reload: our AS, router id, restart time or VTEP address changed: "
			 "every session restarts");
	b->local_as = nc->bgp.asn;
	b->router_id = nc->bgp.router_id;
	b->gr_time = gr;
	b->vtep_ip = nc->vtep_ip;
	/* Neighbors gone from the file. */
	for (i = 0; i < b->n_peers; i++) {
		struct bgp_peer *p = b->peers[i];
		bool kept = false;

		for (j = 0; j < nc->bgp.n_neighbors && !kept; j++)
			kept = nc->bgp.neighbors[j].address == p->n.address;
		if (kept)
			continue;
		log_info("bgp peer %s: removed from the configuration", addr_fmt_ip(p->n.address, a));
		pthread_mutex_lock(&b->lock);
		b->peers[i] = NULL;
		pthread_mutex_unlock(&b->lock);
		if (b->lfd >= 0)
			bgp_io_listener_md5(b->lfd, p->n.address, NULL);
		peer_free(b, p, BGP_CEASE_PEER_DECONFIGURED);
	}
	/* Kept, changed and new ones, in the file's order. */
	for (j = 0; j < nc->bgp.n_neighbors; j++) {
		const struct cfg_neighbor *n = &nc->bgp.neighbors[j];
		struct bgp_peer *p = NULL;

		for (i = 0; i < b->n_peers && !p; i++)
			if (b->peers[i] && b->peers[i]->n.address == n->address)
				p = b->peers[i];
		if (!p) {
			log_info("bgp peer %s: added", addr_fmt_ip(n->address, a));
			if ((ret = peer_new(b, n, &p))) {
				log_err("bgp peer %s: cannot start: %s", addr_fmt_ip(n->address, a),
					strerror(-ret));
				continue;
			}
		} else if (reset_all || !session_settings_same(&p->n, n)) {
			bgp_peer_id id = bgp_session_cfg(p->s)->id;

			if (!reset_all)
				log_info("bgp peer %s: settings changed: restarting the session",
					 addr_fmt_ip(n->address, a));
			bgp_session_stop(p->s, bgp_now_ms(), BGP_CEASE_CONFIG_CHANGE, NULL);
			bgp_session_free(p->s);
			p->s = NULL;
			peer_copy_cfg(p, n);
			if ((ret = peer_session(b, p, id))) {
				log_err("bgp peer %s: cannot restart: %s", addr_fmt_ip(n->address, a),
					strerror(-ret));
				pthread_mutex_lock(&b->lock);
				for (i = 0; i < b->n_peers; i++)
					if (b->peers[i] == p)
						b->peers[i] = NULL;
				pthread_mutex_unlock(&b->lock);
				if (b->rib)
					rib_peer_forget(b->rib, id);
				free(p);
				continue;
			}
		} else if (p->n.max_prefixes != n->max_prefixes) {
			p->n.max_prefixes = n->max_prefixes;
			bgp_session_set_max_prefixes(p->s, n->max_prefixes, bgp_now_ms());
		}
		next[nn++] = p;
	}
	pthread_mutex_lock(&b->lock);
	free(b->peers);
	b->peers = next;
	b->n_peers = nn;
	pthread_mutex_unlock(&b->lock);
	for (i = 0; i < b->n_peers; i++)
		bgp_snapshot(b->peers[i], bgp_now_ms());
	bgp_listen_sync(b);
	rearm(b);
	return ret;
}

/* ---- readers (any thread) ------------------------------------------------------ */

size_t bgp_peers_info(struct bgp *b, struct bgp_peer_info *out, size_t max)
{
	uint64_t now = bgp_now_ms();
	size_t i, n;

	pthread_mutex_lock(&b->lock);
	for (i = n = 0; i < b->n_peers; i++) {
		const struct bgp_peer *p = b->peers[i];

		if (!p)
			continue;    /* being removed by a reload */
		if (n < max) {
			out[n] = p->info;
			/* The snapshot is taken at changes; uptime runs on. */
			if (p->info.state == BGP_ST_ESTABLISHED && now >= p->up_since)
				out[n].uptime_s = (now - p->up_since) / 1000;
			bgp_info_rejected(&out[n], p);
		}
		n++;
	}
	pthread_mutex_unlock(&b->lock);
	return n;
}

int bgp_peer_info(struct bgp *b, bgp_peer_id id, struct bgp_peer_info *out)
{
	int ret = -ENOENT;
	size_t i;

	pthread_mutex_lock(&b->lock);
	for (i = 0; i < b->n_peers; i++) {
		if (b->peers[i] && b->peers[i]->info.id == id) {
			*out = b->peers[i]->info;
			bgp_info_rejected(out, b->peers[i]);
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&b->lock);
	return ret;
}
