/* bgp_session.c - one neighbor's session: every entry point of
 * bgp_session.h (the ones the owner calls: start, stop, accept, I/O,
 * timers, sending our routes, route refresh, the readers), connecting, and
 * the timers (ConnectRetry, hold, keepalive, idle hold, restart and stale)
 * of the RFC 4271 section 8 state machine over up to two connections.
 * What comes in (OPEN checks and negotiation, the collision rules of
 * RFC 4271 6.8, UPDATE into the RIB, NOTIFICATION, ROUTE-REFRESH, the
 * max-prefix limit of RFC 4486) is bgp_session_rx.c; dropping connections
 * and the end of every entry point is bgp_session_fsm.c; the
 * graceful-restart helper bookkeeping (RFC 4724, RFC 8538) is
 * bgp_session_gr.c; building what goes out is bgp_session_out.c.
 *
 * Every entry point is bracketed by busy++ ... sess_finish(): connections
 * are only ever closed for write errors at the end, so no code below finds
 * its connection freed under it by a nested call (send_table queues).
 */
#include "bgp_session_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "addr.h"
#include "log.h"

static void try_connect(struct bgp_session *s, uint64_t now)
{
	struct bgp_conn *c;
	int fd = -1, ret;

	s->retry_at = NEVER;
	if (!s->enabled || s->cfg.passive || s->idle_hold || sess_conn_up(&s->c[0]) ||
	    sess_conn_up(&s->c[1]))
		return;
	ret = s->ops->connect(s->ctx, s, &fd);
	if (ret) {
		snprintf(s->last_error, sizeof(s->last_error), "connect: %s", strerror(-ret));
		log_debug("%s: %s", sess_name(s), s->last_error);
		sess_retry_later(s, now);
		return;
	}
	c = &s->c[0];
	c->fd = fd;
	c->st = BGP_ST_CONNECT;
	c->inbound = false;
	c->opened_at = now;
	c->connect_at = now + sess_ms(BGP_CONNECT_TIMEOUT_S);
}

/* TCP is up on c (ours connected, or the peer's accepted): OPEN, and the
 * large hold time of OpenSent (RFC 4271 8.2.2). */
static void open_send(struct bgp_session *s, struct bgp_conn *c, uint64_t now)
{
	c->connect_at = NEVER;
	c->st = BGP_ST_OPENSENT;
	c->hold_at = now + sess_ms(BGP_OPEN_HOLD_S);
	c->failed = sess_send_open(s, c);
}

/* ---- entry points ------------------------------------------------------------- */

int bgp_session_new(const struct bgp_session_cfg *cfg, const struct bgp_session_ops *ops,
		    void *ctx, struct bgp_session **out)
{
	struct bgp_session *s = calloc(1, sizeof(*s));

	if (!s || !(s->msg = malloc(sizeof(*s->msg)))) {
		free(s);
		return -ENOMEM;
	}
	s->cfg = *cfg;
	s->cfg.password[sizeof(s->cfg.password) - 1] = '\0';
	s->ops = ops;
	s->ctx = ctx;
	sess_conn_clear(&s->c[0]);
	sess_conn_clear(&s->c[1]);
	s->est = -1;
	s->retry_at = s->stale_at = NEVER;
	s->idle_s = BGP_IDLE_HOLD_MIN_S;
	s->retry_s = BGP_RETRY_MIN_S;
	s->restarted = cfg->gr_restarted;
	s->rnd = (cfg->address ^ (cfg->id * 2654435761u)) | 1;
	*out = s;
	return 0;
}

void bgp_session_free(struct bgp_session *s)
{
	if (!s)
		return;
	/* No NOTIFICATION: RFC 4724 4.2, the peer keeps our routes. */
	sess_conn_close(s, &s->c[0]);
	sess_conn_close(s, &s->c[1]);
	bgp_txq_free(&s->c[0].tx);
	bgp_txq_free(&s->c[1].tx);
	free(s->msg);
	free(s);
}

void bgp_session_start(struct bgp_session *s, uint64_t now)
{
	s->busy++;
	s->enabled = true;
	s->idle_hold = false;
	try_connect(s, now);
	s->busy--;
	sess_finish(s, now);
}

void bgp_session_stop(struct bgp_session *s, uint64_t now, uint8_t subcode, const char *reason)
{
	int i;

	s->busy++;
	s->enabled = false;
	s->idle_hold = false;
	s->retry_at = NEVER;
	for (i = 0; i < 2; i++) {
		struct bgp_conn *c = &s->c[i];

		if (!sess_conn_up(c))
			continue;
		/* RFC 8538 5.1: Hard Reset for the subcodes that flush
		 * (sess_send_cease wraps them); the others are graceful for
		 * the peer, but a stopped session forgets its routes here. */
		if (c->st >= BGP_ST_OPENSENT)
			sess_send_cease(s, c, subcode, reason);
		sess_conn_drop(s, c, now, false);
	}
	/* A peer we were still holding stale routes for: they go too. */
	if (s->stale) {
		s->stale = false;
		s->stale_at = NEVER;
		if (s->ops->rib_peer_down)
			s->ops->rib_peer_down(s->ctx, s, false);
		sess_rib_flush(s);
	}
	s->busy--;
	sess_finish(s, now);
}

void bgp_session_accept(struct bgp_session *s, int fd, uint64_t now)
{
	struct bgp_conn *c = NULL;
	int i;

	s->busy++;
	if (!s->enabled || s->idle_hold) {
		/* Idle refuses connections (RFC 4271 8.2.2): stopped, or
		 * waiting out the back-off after an error, so a peer that
		 * keeps failing (max-prefix, a bad OPEN) cannot make us flap
		 * faster than DampPeerOscillations allows. */
		log_debug("%s: incoming connection refused in Idle", sess_name(s));
		close(fd);
		goto out;
	}
	/* Connect state, TcpConnectionConfirmed: the peer's connection wins
	 * over our attempt still under way (RFC 4271 8.2.2). */
	for (i = 0; i < 2; i++)
		if (s->c[i].st == BGP_ST_CONNECT)
			sess_conn_close(s, &s->c[i]);
	for (i = 0; i < 2 && !c; i++)
		if (!sess_conn_up(&s->c[i]))
			c = &s->c[i];
	if (!c) {
		/* Both busy: the new one replaces the less advanced one that
		 * is not Established (the peer gave up on it). */
		struct bgp_conn *a = &s->c[0], *b = &s->c[1];

		if (a->st == BGP_ST_ESTABLISHED)
			c = b;
		else if (b->st == BGP_ST_ESTABLISHED)
			c = a;
		else
			c = a->st < b->st ? a : b;
		sess_send_cease(s, c, BGP_CEASE_COLLISION, NULL);
		sess_conn_close(s, c);
	}
	s->idle_hold = false;
	s->retry_at = NEVER;
	c->fd = fd;
	c->inbound = true;
	c->opened_at = now;
	open_send(s, c, now);
out:
	s->busy--;
	sess_finish(s, now);
}

static void connect_done(struct bgp_session *s, struct bgp_conn *c, uint64_t now)
{
	int ret = bgp_io_connected(c->fd);

	if (ret == -EINPROGRESS)
		return;
	if (ret) {
		snprintf(s->last_error, sizeof(s->last_error), "connect: %s", strerror(-ret));
		log_debug("%s: %s", sess_name(s), s->last_error);
		sess_conn_close(s, c);
		if (!sess_conn_up(sess_other(s, c)))
			sess_retry_later(s, now);
		return;
	}
	open_send(s, c, now);
}

void bgp_session_io(struct bgp_session *s, int fd, uint32_t events, uint64_t now)
{
	struct bgp_conn *c = NULL;
	int i;

	for (i = 0; i < 2; i++)
		if (s->c[i].fd == fd && fd >= 0)
			c = &s->c[i];
	if (!c)
		return;
	s->busy++;
	if (c->st == BGP_ST_CONNECT) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			connect_done(s, c, now);
	} else if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		sess_conn_read(s, c, now);
	}
	/* EPOLLOUT: sess_finish() writes the queue. */
	s->busy--;
	sess_finish(s, now);
}

void bgp_session_timers(struct bgp_session *s, uint64_t now)
{
	int i;

	s->busy++;
	for (i = 0; i < 2; i++) {
		struct bgp_conn *c = &s->c[i];

		if (!sess_conn_up(c))
			continue;
		if (c->connect_at <= now) {
			/* ConnectRetryTimer in Connect (RFC 4271 8.2.2). */
			snprintf(s->last_error, sizeof(s->last_error), "connect: timed out");
			sess_conn_close(s, c);
			if (!sess_conn_up(sess_other(s, c)))
				sess_retry_later(s, now);
		} else if (c->hold_at <= now) {
			sess_notify_drop(s, c, now, BGP_ERR_HOLD_TIMER, 0, NULL, 0);
		} else if (c->ka_at <= now) {
			c->failed = sess_send_keepalive(s, c);
			c->ka_at = now + sess_jitter(s, sess_ms(c->ka));
		}
	}
	if (s->idle_hold && s->idle_until <= now) {
		s->idle_hold = false;
		try_connect(s, now);
	}
	if (s->retry_at <= now)
		try_connect(s, now);
	if (s->stale_at <= now)
		sess_stale_sweep(s, s->est < 0 ? "restart time over" : "no End-of-RIB in time");
	s->busy--;
	sess_finish(s, now);
}

uint64_t bgp_session_next_timer(const struct bgp_session *s)
{
	uint64_t t = NEVER;
	int i;

#define EARLIER(x) do { if ((x) < t) t = (x); } while (0)
	for (i = 0; i < 2; i++) {
		const struct bgp_conn *c = &s->c[i];

		if (!sess_conn_up(c))
			continue;
		EARLIER(c->connect_at);
		EARLIER(c->hold_at);
		EARLIER(c->ka_at);
	}
	if (s->idle_hold)
		EARLIER(s->idle_until);
	EARLIER(s->retry_at);
	EARLIER(s->stale_at);
#undef EARLIER
	return t;
}

void bgp_session_set_max_prefixes(struct bgp_session *s, uint32_t max, uint64_t now)
{
	s->busy++;
	s->cfg.max_prefixes = max;
	if (s->est >= 0)
		sess_check_max_prefixes(s, &s->c[s->est], now);
	s->busy--;
	sess_finish(s, now);
}

enum bgp_state bgp_session_state(const struct bgp_session *s)
{
	enum bgp_state best = 0;
	int i;

	for (i = 0; i < 2; i++)
		if (sess_conn_up(&s->c[i]) && s->c[i].st > best)
			best = s->c[i].st;
	if (best)
		return best;
	return !s->enabled || s->idle_hold ? BGP_ST_IDLE : BGP_ST_ACTIVE;
}

const struct bgp_session_cfg *bgp_session_cfg(const struct bgp_session *s)
{
	return &s->cfg;
}

uint64_t bgp_session_up_since(const struct bgp_session *s)
{
	return s->est >= 0 ? s->est_since : 0;
}

bool bgp_session_eor_seen(const struct bgp_session *s)
{
	return s->eor_seen;
}

bool bgp_session_ibgp(const struct bgp_session *s)
{
	return s->cfg.remote_as == s->cfg.local_as;
}

void bgp_session_info(const struct bgp_session *s, uint64_t now, struct bgp_peer_info *out)
{
	memset(out, 0, sizeof(*out));
	out->id = s->cfg.id;
	out->address = s->cfg.address;
	out->asn = s->cfg.remote_as;
	out->router_id = s->remote_id;
	out->ibgp = bgp_session_ibgp(s);
	out->state = bgp_session_state(s);
	out->uptime_s = s->est >= 0 && now >= s->est_since ? (now - s->est_since) / 1000 : 0;
	memcpy(out->msgs_in, s->msgs_in, sizeof(out->msgs_in));
	memcpy(out->msgs_out, s->msgs_out, sizeof(out->msgs_out));
#define COPY_COUNTER(field, family, kind, help) out->field = s->field;
	BGP_PEER_COUNTERS(COPY_COUNTER)
#undef COPY_COUNTER
	out->gr_stale = s->stale;
	out->eor_received = s->eor_seen;
	snprintf(out->last_error, sizeof(out->last_error), "%s", s->last_error);
}

/* ---- what goes out ------------------------------------------------------------ */

int bgp_out_route_set(struct bgp_out_route *o, const struct evpn_route *rt,
		      const struct bgp_attrs *a)
{
	unsigned n = 0;

	memset(o, 0, sizeof(*o));
	o->rt = *rt;
	if (!a)
		return 0;
	if (BGP_ATTR_HAS(a, BGP_ATTR_EXT_COMMUNITIES) && a->ext) {
		n = a->n_ext < BGP_OUT_MAX_EXT ? a->n_ext : BGP_OUT_MAX_EXT;
		memcpy(o->ext, a->ext, (size_t)n * 8);
		o->n_ext = (uint8_t)n;
	}
	if (BGP_ATTR_HAS(a, BGP_ATTR_PMSI_TUNNEL)) {
		o->has_pmsi = true;
		o->pmsi = a->pmsi;
	}
	return n < a->n_ext ? -E2BIG : 0;
}

int bgp_session_send(struct bgp_session *s, const struct bgp_out_route *r, size_t n,
		     bool withdraw, uint64_t now)
{
	struct bgp_conn *c;
	int ret;

	if (s->est < 0)
		return -ENOTCONN;
	c = &s->c[s->est];
	ret = sess_send_routes(s, c, r, n, withdraw);
	if (ret) {
		log_warn("%s: cannot queue our routes: %s", sess_name(s), strerror(-ret));
		c->failed = ret;
	}
	sess_finish(s, now);
	return ret;
}

void bgp_session_refresh(struct bgp_session *s, uint64_t now)
{
	struct bgp_conn *c;

	if (s->est < 0)
		return;
	c = &s->c[s->est];
	/* RFC 2918 3: only to a peer that advertised the capability. */
	if (!c->open.cap_route_refresh)
		return;
	sess_send_refresh(s, c);
	sess_finish(s, now);
}
