/* bgp_session_fsm.c - the connection half of the session's state machine
 * (RFC 4271 8): clearing and closing a connection, dropping one (the
 * session goes down with the Established one; Idle with its back-off when
 * none is left), the ConnectRetry back-off, the NOTIFICATION that ends a
 * connection, and what every entry point ends with (sess_finish: write the
 * queues, drop what failed, sync the watched events, tell the owner).
 *
 * Both the entry points (bgp_session.c) and the receive path
 * (bgp_session_rx.c) make these transitions, so they live below both: the
 * session's files call one way, bgp_session.c -> bgp_session_rx.c -> this
 * file -> bgp_session_gr.c, bgp_session_out.c.
 */
#include "bgp_session_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "log.h"

static unsigned dbl(unsigned v, unsigned max)
{
	return v * 2 > max ? max : v * 2;
}

void sess_conn_clear(struct bgp_conn *c)
{
	c->fd = -1;
	c->st = 0;
	c->inbound = false;
	c->watched = 0;
	c->rx.len = c->rx.off = 0;
	bgp_txq_reset(&c->tx);
	c->hold_at = c->ka_at = c->connect_at = NEVER;
	c->hold = c->ka = 0;
	c->have_open = false;
	c->failed = 0;
	c->opened_at = 0;
}

void sess_conn_close(struct bgp_session *s, struct bgp_conn *c)
{
	if (c->fd >= 0) {
		if (c->watched && s->ops->unwatch)
			s->ops->unwatch(s->ctx, s, c->fd);
		close(c->fd);
	}
	sess_conn_clear(c);
}

/* Active: the next connection attempt after the ConnectRetry back-off. */
void sess_retry_later(struct bgp_session *s, uint64_t now)
{
	if (!s->enabled || s->cfg.passive) {
		s->retry_at = NEVER;
		return;
	}
	s->retry_at = now + sess_jitter(s, sess_ms(s->retry_s));
	s->retry_s = dbl(s->retry_s, BGP_RETRY_MAX_S);
}

/* After an error with no connection left: Idle for the idle-hold back-off,
 * then connect again (or wait for the peer, if passive). */
static void idle_hold(struct bgp_session *s, uint64_t now)
{
	s->retry_at = NEVER;
	if (!s->enabled)
		return;
	s->idle_hold = true;
	s->idle_until = now + sess_jitter(s, sess_ms(s->idle_s));
	s->idle_s = dbl(s->idle_s, BGP_IDLE_HOLD_MAX_S);
}

/* After a connection ended and none is left: Idle with the idle-hold
 * back-off (connections refused meanwhile), or Active when the end was no
 * sign of a flapping peer (see sess_conn_lost). */
static void conn_ended(struct bgp_session *s, struct bgp_conn *c, enum bgp_state st,
		       uint64_t now, bool gr_ok, bool tcp_lost)
{
	if (st == BGP_ST_ESTABLISHED)
		sess_down(s, now, gr_ok);
	if (sess_conn_up(sess_other(s, c)))
		return;
	if (tcp_lost && (st == BGP_ST_OPENSENT || (st == BGP_ST_ESTABLISHED && s->stale))) {
		s->idle_hold = false;
		sess_retry_later(s, now);
		if (s->retry_at != NEVER)
			log_debug("%s: Active: listening, next connection attempt in %llu ms",
				  sess_name(s), (unsigned long long)(s->retry_at - now));
		return;
	}
	idle_hold(s, now);
	if (s->idle_hold)
		log_debug("%s: Idle for %llu ms (idle hold: connections refused until then)",
			  sess_name(s), (unsigned long long)(s->idle_until - now));
}

/* A connection ends (after any NOTIFICATION was queued and flushed). */
void sess_conn_drop(struct bgp_session *s, struct bgp_conn *c, uint64_t now, bool gr_ok)
{
	enum bgp_state st = c->st;

	sess_conn_close(s, c);
	conn_ended(s, c, st, now, gr_ok, false);
}

/* TcpConnectionFails (RFC 4271 8.2.2 Event 18): the peer closed or reset
 * the connection, or a write failed; no NOTIFICATION either way.
 *
 * In OpenSent (our OPEN sent, none received) RFC 4271 8.2.2 says: close,
 * restart the ConnectRetryTimer, "continues to listen for a connection that
 * may be initiated by the remote BGP peer", and go to Active, not Idle.
 * This is what a peer in Idle does to us: it accepts and closes at once.
 * Going Idle here instead, with its idle hold refusing connections, locks
 * two active peers out of each other for good: each one's attempt lands
 * while the other waits out its own idle hold, is refused, and starts a
 * longer idle hold of its own (1, 2, 4, ... 120 s), so that neither ever
 * accepts the other again.
 *
 * Established, with a peer that does graceful restart: the TCP session
 * ending without a NOTIFICATION is how RFC 4724 4.2 says the peer
 * restarts, and its routes stay, stale, for its Restart Time, in the
 * expectation that it re-establishes the session. So we wait for it in
 * Active as well (its connection accepted at once, ours tried after the
 * ConnectRetry back-off) rather than refusing it in Idle for an idle hold
 * that would only grow with every restart (DampPeerOscillations is for a
 * peer whose errors make it flap, RFC 4271 8.1.1, not for one restarting
 * gracefully). */
void sess_conn_lost(struct bgp_session *s, struct bgp_conn *c, uint64_t now)
{
	enum bgp_state st = c->st;

	sess_conn_close(s, c);
	/* A TCP-level end: GR keeps the routes (RFC 4724 4.2). */
	conn_ended(s, c, st, now, true, true);
}

/* RFC 8538 4: with the N bit exchanged, a NOTIFICATION sent or received
 * other than a Hard Reset (hold timer expiry included) ends the session
 * as a TCP loss does: graceful restart keeps the routes. */
bool sess_notif_graceful(const struct bgp_session *s, const struct bgp_conn *c,
			 uint8_t code, uint8_t subcode)
{
	return c->st == BGP_ST_ESTABLISHED && s->gr_notif && !sess_notif_is_hard(code, subcode);
}

void sess_notify_drop(struct bgp_session *s, struct bgp_conn *c, uint64_t now, uint8_t code,
		      uint8_t subcode, const void *data, size_t len)
{
	bool gr_ok = sess_notif_graceful(s, c, code, subcode);

	sess_send_notification(s, c, code, subcode, data, len);
	sess_conn_drop(s, c, now, gr_ok);
}

void sess_finish(struct bgp_session *s, uint64_t now)
{
	int i;

	if (s->busy)
		return;
	s->busy++;
	for (i = 0; i < 2; i++) {
		struct bgp_conn *c = &s->c[i];
		uint32_t want;

		if (!sess_conn_up(c))
			continue;
		if (!c->failed && c->st != BGP_ST_CONNECT && !bgp_txq_empty(&c->tx)) {
			int r = bgp_txq_flush(&c->tx, c->fd);

			if (r < 0)
				c->failed = r;
		}
		if (c->failed) {
			snprintf(s->last_error, sizeof(s->last_error), "send: %s",
				 strerror(-c->failed));
			log_info("%s: %s", sess_name(s), s->last_error);
			sess_conn_lost(s, c, now);
			continue;
		}
		want = c->st == BGP_ST_CONNECT ? EPOLLOUT
					       : EPOLLIN | (bgp_txq_empty(&c->tx) ? 0 : EPOLLOUT);
		if (want != c->watched && s->ops->watch) {
			s->ops->watch(s->ctx, s, c->fd, want);
			c->watched = want;
		}
	}
	s->busy--;
	if (s->ops->changed)
		s->ops->changed(s->ctx, s);
}
