/* bgp_session.c - one neighbor's session: the RFC 4271 section 8 state
 * machine over up to two connections, OPEN checks and negotiation, the
 * collision rules of RFC 4271 6.8, timers, what comes in (UPDATE into the
 * RIB, NOTIFICATION, ROUTE-REFRESH), graceful restart (RFC 4724) as helper,
 * also after a NOTIFICATION when both sent the N bit (RFC 8538), and the
 * max-prefix limit (RFC 4486). What goes out is bgp_session_out.c.
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
#include <arpa/inet.h>
#include <sys/epoll.h>

#include "addr.h"
#include "log.h"

const char *bgp_state_name(enum bgp_state st)
{
	switch (st) {
	case BGP_ST_IDLE:        return "Idle";
	case BGP_ST_CONNECT:     return "Connect";
	case BGP_ST_ACTIVE:      return "Active";
	case BGP_ST_OPENSENT:    return "OpenSent";
	case BGP_ST_OPENCONFIRM: return "OpenConfirm";
	case BGP_ST_ESTABLISHED: return "Established";
	}
	return "Idle";
}

const char *sess_name(const struct bgp_session *s)
{
	static char buf[32];
	char a[ADDR_IP_STRLEN];

	snprintf(buf, sizeof(buf), "bgp peer %s", addr_fmt_ip(s->cfg.address, a));
	return buf;
}

static uint64_t ms(unsigned sec)
{
	return (uint64_t)sec * 1000;
}

/* RFC 4271 10: timers are jittered (here by 0 to 25% off) so that peers
 * restarting together do not stay in step. */
static uint64_t jitter(struct bgp_session *s, uint64_t t)
{
	s->rnd ^= s->rnd << 13;
	s->rnd ^= s->rnd >> 17;
	s->rnd ^= s->rnd << 5;
	return t - t * (s->rnd % 251) / 1000;
}

static unsigned dbl(unsigned v, unsigned max)
{
	return v * 2 > max ? max : v * 2;
}

static bool conn_up(const struct bgp_conn *c)
{
	return c->fd >= 0;
}

static struct bgp_conn *other(struct bgp_session *s, const struct bgp_conn *c)
{
	return &s->c[c == &s->c[0] ? 1 : 0];
}

static void conn_clear(struct bgp_conn *c)
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

static void conn_close(struct bgp_session *s, struct bgp_conn *c)
{
	if (c->fd >= 0) {
		if (c->watched && s->ops->unwatch)
			s->ops->unwatch(s->ctx, s, c->fd);
		close(c->fd);
	}
	conn_clear(c);
}

static void rib_flush(struct bgp_session *s)
{
	if (s->ops->rib_flush)
		s->ops->rib_flush(s->ctx, s);
}

static void stale_sweep(struct bgp_session *s, const char *why)
{
	if (!s->stale)
		return;
	log_info("%s: %s: deleting its routes still stale", sess_name(s), why);
	s->stale = false;
	s->stale_at = NEVER;
	if (s->ops->rib_stale_sweep)
		s->ops->rib_stale_sweep(s->ctx, s);
	rib_flush(s);
}

/* Established -> down. gr_ok: the TCP session ended without a
 * NOTIFICATION, which is what leaves a graceful-restart peer's routes in
 * place, stale, for its Restart Time (RFC 4724 4.2). */
static void session_down(struct bgp_session *s, uint64_t now, bool gr_ok)
{
	bool keep = gr_ok && s->peer_gr && s->peer_gr_time;

	s->est = -1;
	s->flaps++;
	/* DampPeerOscillations (RFC 4271 8.1.1): only a session that stayed
	 * up a while earns a quick reconnect. */
	if (now - s->est_since >= ms(BGP_STABLE_S))
		s->idle_s = BGP_IDLE_HOLD_MIN_S;
	if (s->ops->rib_peer_down)
		s->ops->rib_peer_down(s->ctx, s, keep);
	if (keep) {
		s->stale = true;
		s->stale_at = now + ms(s->peer_gr_time);
		log_info("%s: session down; its routes stay, stale, for its restart time of %u s "
			 "(RFC 4724 4.2)", sess_name(s), s->peer_gr_time);
	} else {
		s->stale = false;
		s->stale_at = NEVER;
		log_info("%s: session down; its routes are withdrawn", sess_name(s));
	}
	rib_flush(s);
}

/* Active: the next connection attempt after the ConnectRetry back-off. */
static void retry_later(struct bgp_session *s, uint64_t now)
{
	if (!s->enabled || s->cfg.passive) {
		s->retry_at = NEVER;
		return;
	}
	s->retry_at = now + jitter(s, ms(s->retry_s));
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
	s->idle_until = now + jitter(s, ms(s->idle_s));
	s->idle_s = dbl(s->idle_s, BGP_IDLE_HOLD_MAX_S);
}

/* A connection ends (after any NOTIFICATION was queued and flushed). */
static void conn_drop(struct bgp_session *s, struct bgp_conn *c, uint64_t now, bool gr_ok)
{
	bool was_est = c->st == BGP_ST_ESTABLISHED;

	conn_close(s, c);
	if (was_est)
		session_down(s, now, gr_ok);
	if (!conn_up(other(s, c)))
		idle_hold(s, now);
}

/* RFC 8538 4: with the N bit exchanged, a NOTIFICATION sent or received
 * other than a Hard Reset (hold timer expiry included) ends the session
 * as a TCP loss does: graceful restart keeps the routes. */
static bool notif_graceful(const struct bgp_session *s, const struct bgp_conn *c,
			   uint8_t code, uint8_t subcode)
{
	return c->st == BGP_ST_ESTABLISHED && s->gr_notif && !sess_notif_is_hard(code, subcode);
}

static void notify_drop(struct bgp_session *s, struct bgp_conn *c, uint64_t now, uint8_t code,
			uint8_t subcode, const void *data, size_t len)
{
	bool gr_ok = notif_graceful(s, c, code, subcode);

	sess_send_notification(s, c, code, subcode, data, len);
	conn_drop(s, c, now, gr_ok);
}

static void try_connect(struct bgp_session *s, uint64_t now)
{
	struct bgp_conn *c;
	int fd = -1, ret;

	s->retry_at = NEVER;
	if (!s->enabled || s->cfg.passive || s->idle_hold || conn_up(&s->c[0]) ||
	    conn_up(&s->c[1]))
		return;
	ret = s->ops->connect(s->ctx, s, &fd);
	if (ret) {
		snprintf(s->last_error, sizeof(s->last_error), "connect: %s", strerror(-ret));
		log_debug("%s: %s", sess_name(s), s->last_error);
		retry_later(s, now);
		return;
	}
	c = &s->c[0];
	c->fd = fd;
	c->st = BGP_ST_CONNECT;
	c->inbound = false;
	c->opened_at = now;
	c->connect_at = now + ms(BGP_CONNECT_TIMEOUT_S);
}

/* TCP is up on c (ours connected, or the peer's accepted): OPEN, and the
 * large hold time of OpenSent (RFC 4271 8.2.2). */
static void open_send(struct bgp_session *s, struct bgp_conn *c, uint64_t now)
{
	c->connect_at = NEVER;
	c->st = BGP_ST_OPENSENT;
	c->hold_at = now + ms(BGP_OPEN_HOLD_S);
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
	conn_clear(&s->c[0]);
	conn_clear(&s->c[1]);
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
	conn_close(s, &s->c[0]);
	conn_close(s, &s->c[1]);
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

		if (!conn_up(c))
			continue;
		/* RFC 8538 5.1: Hard Reset for the subcodes that flush
		 * (sess_send_cease wraps them); the others are graceful for
		 * the peer, but a stopped session forgets its routes here. */
		if (c->st >= BGP_ST_OPENSENT)
			sess_send_cease(s, c, subcode, reason);
		conn_drop(s, c, now, false);
	}
	/* A peer we were still holding stale routes for: they go too. */
	if (s->stale) {
		s->stale = false;
		s->stale_at = NEVER;
		if (s->ops->rib_peer_down)
			s->ops->rib_peer_down(s->ctx, s, false);
		rib_flush(s);
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
			conn_close(s, &s->c[i]);
	for (i = 0; i < 2 && !c; i++)
		if (!conn_up(&s->c[i]))
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
		conn_close(s, c);
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

/* ---- what comes in --------------------------------------------------------------- */

static bool open_has_evpn(const struct bgp_open *o)
{
	for (unsigned i = 0; i < o->n_mp && i < BGP_OPEN_MAX_AF; i++)
		if (o->mp[i].afi == EVPN_AFI && o->mp[i].safi == EVPN_SAFI)
			return true;
	return false;
}

/* RFC 4271 6.8 with RFC 6286 2.3: the connection initiated by the speaker
 * with the higher BGP Identifier (equal ones: the higher AS) survives. */
static struct bgp_conn *collision_loser(struct bgp_session *s, struct bgp_conn *c,
					struct bgp_conn *oc, const struct bgp_open *o)
{
	uint32_t l = ntohl(s->cfg.router_id), r = ntohl(o->bgp_id);
	bool keep_theirs = l != r ? l < r : s->cfg.local_as < s->cfg.remote_as;

	if (c->inbound == oc->inbound)
		return oc;    /* both from one side: the newer carries on */
	if (keep_theirs)
		return c->inbound ? oc : c;
	return c->inbound ? c : oc;
}

static void rx_open(struct bgp_session *s, struct bgp_conn *c, const struct bgp_open *o,
		    uint64_t now)
{
	struct bgp_conn *oc = other(s, c);
	uint16_t hold, ka;

	if (o->asn != s->cfg.remote_as) {
		/* RFC 4271 6.2 (RFC 6793 4.1: the 4-octet capability's AS). */
		log_warn("%s: OPEN from AS %u, configured %u", sess_name(s), o->asn,
			 s->cfg.remote_as);
		notify_drop(s, c, now, BGP_ERR_OPEN, BGP_OPEN_BAD_PEER_AS, NULL, 0);
		return;
	}
	if (s->cfg.remote_as == s->cfg.local_as && o->bgp_id == s->cfg.router_id) {
		/* RFC 6286 2.2: unique within the AS. */
		notify_drop(s, c, now, BGP_ERR_OPEN, BGP_OPEN_BAD_BGP_ID, NULL, 0);
		return;
	}
	if (!open_has_evpn(o)) {
		/* RFC 5492 3: the data is the capability we require. */
		static const uint8_t need[6] = { BGP_CAP_MP, 4, 0, EVPN_AFI, 0, EVPN_SAFI };

		log_warn("%s: the peer does not offer L2VPN/EVPN (AFI 25 SAFI 70)", sess_name(s));
		notify_drop(s, c, now, BGP_ERR_OPEN, BGP_OPEN_BAD_CAPABILITY, need, sizeof(need));
		return;
	}
	c->open = *o;
	c->have_open = true;
	if (conn_up(oc) && oc->st == BGP_ST_ESTABLISHED) {
		/* RFC 4724 4.2: an OPEN with the GR capability on a new
		 * connection while the old session is Established means the
		 * peer restarted: the old one goes, its routes kept stale.
		 * Not for a connection older than the session (a collision
		 * race), which loses as RFC 4271 6.8 says. */
		if (o->cap_gr && c->opened_at > s->est_since) {
			log_info("%s: restarted (new OPEN while Established)", sess_name(s));
			conn_close(s, oc);
			session_down(s, now, true);
		} else {
			sess_send_cease(s, c, BGP_CEASE_COLLISION, NULL);
			conn_close(s, c);
			return;
		}
	} else if (conn_up(oc) && oc->st == BGP_ST_OPENCONFIRM && oc->have_open) {
		struct bgp_conn *loser = collision_loser(s, c, oc, o);

		log_info("%s: connection collision: closing the %s one (RFC 4271 6.8)",
			 sess_name(s), loser->inbound ? "incoming" : "outgoing");
		sess_send_cease(s, loser, BGP_CEASE_COLLISION, NULL);
		conn_close(s, loser);
		if (loser == c)
			return;
	}
	/* RFC 4271 4.2: the smaller hold time; keepalives at a third of it
	 * unless configured faster. */
	hold = o->hold_time < s->cfg.hold_time ? o->hold_time : s->cfg.hold_time;
	ka = s->cfg.keepalive;
	if (hold && (!ka || ka > hold / 3))
		ka = hold / 3;
	c->hold = hold;
	c->ka = hold ? ka : 0;
	c->st = BGP_ST_OPENCONFIRM;
	c->hold_at = hold ? now + ms(hold) : NEVER;
	c->ka_at = c->ka ? now + jitter(s, ms(c->ka)) : NEVER;
	c->failed = sess_send_keepalive(s, c);
}

static void establish(struct bgp_session *s, struct bgp_conn *c, uint64_t now)
{
	const struct bgp_open *o = &c->open;
	char id[ADDR_IP_STRLEN];
	int ret;

	c->st = BGP_ST_ESTABLISHED;
	s->est = (int)(c - s->c);
	s->est_since = now;
	s->pctx.as4 = o->cap_as4;     /* we always offer it */
	s->pctx.ibgp = s->cfg.remote_as == s->cfg.local_as;
	s->remote_id = o->bgp_id;
	s->peer_gr = s->peer_gr_f = false;
	s->peer_gr_time = o->cap_gr ? o->gr_time : 0;
	s->gr_notif = sess_gr_notification(s, c);
	for (unsigned i = 0; o->cap_gr && i < o->n_gr && i < BGP_OPEN_MAX_AF; i++) {
		if (o->gr[i].afi == EVPN_AFI && o->gr[i].safi == EVPN_SAFI) {
			s->peer_gr = true;
			s->peer_gr_f = o->gr[i].flags & BGP_GR_AF_FORWARDING;
		}
	}
	s->eor_rcvd = s->eor_sent = false;
	s->retry_s = BGP_RETRY_MIN_S;
	log_info("%s: Established (AS %u, id %s, %s%s, hold %u s, keepalive %u s%s%s)",
		 sess_name(s), s->cfg.remote_as, addr_fmt_ip(o->bgp_id, id),
		 s->pctx.ibgp ? "iBGP" : "eBGP", o->cap_as4 ? "" : ", 2-octet AS speaker",
		 c->hold, c->ka, s->peer_gr ? ", graceful restart" : "",
		 s->peer_gr && s->gr_notif ? " with notification (RFC 8538)" : "");
	if (s->stale) {
		/* RFC 4724 4.2: without GR for EVPN in the new OPEN, or with
		 * its F bit clear, the peer kept no forwarding state: its old
		 * routes go now. Otherwise they wait for its End-of-RIB. */
		if (!s->peer_gr || !s->peer_gr_f)
			stale_sweep(s, "restarted without preserved forwarding state");
		else
			s->stale_at = now + ms(BGP_STALE_S);
	}
	if (s->ops->send_table)
		s->ops->send_table(s->ctx, s);
	/* RFC 4724 2: End-of-RIB after the initial update. */
	if (!c->failed && s->est == (int)(c - s->c) && (ret = sess_send_eor(s, c)))
		c->failed = ret;
	s->restarted = false;
}

static void check_max_prefixes(struct bgp_session *s, struct bgp_conn *c, uint64_t now)
{
	size_t n;
	uint8_t d[7];

	if (!s->cfg.max_prefixes || !s->ops->rib_count || c->st != BGP_ST_ESTABLISHED)
		return;
	n = s->ops->rib_count(s->ctx, s);
	if (n <= s->cfg.max_prefixes)
		return;
	log_warn("%s: %zu routes exceed max_prefixes %u", sess_name(s), n, s->cfg.max_prefixes);
	s->max_prefix_trips++;
	/* RFC 4486 4: AFI, SAFI and the upper bound. */
	d[0] = 0;
	d[1] = EVPN_AFI;
	d[2] = EVPN_SAFI;
	d[3] = (uint8_t)(s->cfg.max_prefixes >> 24);
	d[4] = (uint8_t)(s->cfg.max_prefixes >> 16);
	d[5] = (uint8_t)(s->cfg.max_prefixes >> 8);
	d[6] = (uint8_t)s->cfg.max_prefixes;
	notify_drop(s, c, now, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIXES, d, sizeof(d));
	/* The peer would send the same routes again at once: stay Idle a
	 * while longer (connections refused meanwhile). */
	if (s->idle_hold && s->idle_until < now + ms(BGP_MAXPFX_IDLE_S))
		s->idle_until = now + ms(BGP_MAXPFX_IDLE_S);
}

/* Why a received route is not acceptable, or NULL. Such routes are
 * treated as withdrawn, so an earlier version of them goes. The eBGP
 * first-AS check (RFC 4271 6.3 "MAY") is not made: route servers (RFC
 * 7947 2.2), GoBGP's among them, do not prepend their AS. */
static const char *route_refused(const struct bgp_session *s, const struct bgp_attrs *a)
{
	if (bgp_aspath_contains(&a->aspath, s->cfg.local_as))
		return "our AS is in the AS_PATH (RFC 4271 9.1.2)";
	if (BGP_ATTR_HAS(a, BGP_ATTR_ORIGINATOR_ID) && a->originator_id == s->cfg.router_id)
		return "ORIGINATOR_ID is ours (RFC 4456 8)";
	if (a->mp_reach.nh_len >= 4 && !memcmp(a->mp_reach.nh, &s->cfg.next_hop, 4))
		return "the next hop is our own VTEP address";
	return NULL;
}

static void rx_update(struct bgp_session *s, struct bgp_conn *c, const struct bgp_err *err,
		      uint64_t now)
{
	const struct bgp_update *u = &s->msg->update;
	const struct bgp_attrs *a = &u->attrs;
	const char *why = NULL;

	s->updates_in++;
	if (err->action == BGP_ACT_WITHDRAW || err->action == BGP_ACT_ATTR_DISCARD)
		log_warn("%s: UPDATE %s: %s", sess_name(s), bgp_err_action_name(err->action),
			 err->msg);
	if (u->eor) {
		if (u->eor_afi == EVPN_AFI && u->eor_safi == EVPN_SAFI) {
			s->eor_rcvd = s->eor_seen = true;
			log_info("%s: End-of-RIB received", sess_name(s));
			stale_sweep(s, "End-of-RIB after its restart");
		}
		return;
	}
	if (u->n_routes && BGP_ATTR_HAS(a, BGP_ATTR_MP_REACH_NLRI) &&
	    (why = route_refused(s, a)) != NULL)
		log_debug("%s: routes treated as withdrawn: %s", sess_name(s), why);
	if (u->n_routes && s->ops->rib_begin)
		s->ops->rib_begin(s->ctx, s);
	for (unsigned i = 0; i < u->n_routes && s->ops->rib_route; i++) {
		const struct evpn_route *rt = &u->routes[i];
		int ret;

		if (rt->withdraw)
			s->withdraws_in++;
		else
			s->routes_in++;
		if (!rt->withdraw && why) {
			s->routes_refused++;
			struct evpn_route w = *rt;

			w.withdraw = true;
			ret = s->ops->rib_route(s->ctx, s, &w, NULL);
		} else {
			ret = s->ops->rib_route(s->ctx, s, rt, rt->withdraw ? NULL : a);
		}
		if (ret < 0) {  /* > 0: not imported (RIB_UPDATE_IGNORED), no error */
			log_err("%s: the RIB cannot take its routes: %s", sess_name(s),
				strerror(-ret));
			sess_send_cease(s, c, BGP_CEASE_OUT_OF_RESOURCES, NULL);
			conn_drop(s, c, now,
				  notif_graceful(s, c, BGP_ERR_CEASE, BGP_CEASE_OUT_OF_RESOURCES));
			return;
		}
	}
	check_max_prefixes(s, c, now);
}

static void rx_notification(struct bgp_session *s, struct bgp_conn *c, uint64_t now)
{
	const struct bgp_notification *n = &s->msg->notification;
	uint8_t code = n->hard_reset ? n->inner_code : n->code;
	uint8_t sub = n->hard_reset ? n->inner_subcode : n->subcode;
	/* RFC 4724 alone: after a NOTIFICATION the routes go. RFC 8538 4:
	 * with the N bit exchanged, any but a Hard Reset keeps them. */
	bool keep = c->st == BGP_ST_ESTABLISHED && s->gr_notif &&
		    !(n->code == BGP_ERR_CEASE && n->subcode == BGP_CEASE_HARD_RESET);

	snprintf(s->last_error, sizeof(s->last_error), "received NOTIFICATION %s%u/%u %s: %s%s%.40s",
		 n->hard_reset ? "Hard Reset " : "", code, sub, bgp_err_code_name(code),
		 bgp_err_subcode_name(code, sub), n->has_reason ? ": " : "",
		 n->has_reason ? n->reason : "");
	log_warn("%s: %s", sess_name(s), s->last_error);
	conn_drop(s, c, now, keep);
}

static void fsm_error(struct bgp_session *s, struct bgp_conn *c, uint8_t type, uint64_t now)
{
	uint8_t sub = c->st == BGP_ST_OPENSENT      ? BGP_FSM_IN_OPENSENT
		      : c->st == BGP_ST_OPENCONFIRM ? BGP_FSM_IN_OPENCONFIRM
						    : BGP_FSM_IN_ESTABLISHED;

	log_warn("%s: unexpected %s in %s", sess_name(s), bgp_msg_type_name(type),
		 bgp_state_name(c->st));
	/* RFC 6608 3: the subcode names the state; the data is the type. */
	notify_drop(s, c, now, BGP_ERR_FSM, sub, &type, 1);
}

/* Returns true when an UPDATE reached the RIB. */
static bool rx_msg(struct bgp_session *s, struct bgp_conn *c, const uint8_t *buf, size_t len,
		   uint64_t now)
{
	struct bgp_msg *m = s->msg;
	struct bgp_err err;
	uint8_t type = buf[18];

	if (type >= BGP_MSG_OPEN && type <= BGP_MSG_ROUTE_REFRESH)
		s->msgs_in[type - 1]++;
	/* Any message shows the peer alive (RFC 4271 8.2.2: KEEPALIVE and
	 * UPDATE restart the hold timer; a NOTIFICATION ends it anyway). */
	if (c->hold && c->st >= BGP_ST_OPENCONFIRM)
		c->hold_at = now + ms(c->hold);
	if ((type == BGP_MSG_UPDATE || type == BGP_MSG_ROUTE_REFRESH) &&
	    c->st != BGP_ST_ESTABLISHED) {
		fsm_error(s, c, type, now);
		return false;
	}
	if (type == BGP_MSG_OPEN && c->st != BGP_ST_OPENSENT) {
		fsm_error(s, c, type, now);
		return false;
	}
	if (type == BGP_MSG_KEEPALIVE && c->st == BGP_ST_OPENSENT) {
		fsm_error(s, c, type, now);
		return false;
	}
	if (bgp_msg_parse(buf, len, &s->pctx, m, &err) < 0) {
		log_warn("%s: %s %s", sess_name(s), bgp_msg_type_name(type), err.msg);
		notify_drop(s, c, now, err.code, err.subcode, err.data, err.data_len);
		return false;
	}
	switch (m->type) {
	case BGP_MSG_OPEN:
		rx_open(s, c, &m->open, now);
		break;
	case BGP_MSG_KEEPALIVE:
		if (c->st == BGP_ST_OPENCONFIRM)
			establish(s, c, now);
		break;
	case BGP_MSG_UPDATE:
		rx_update(s, c, &err, now);
		return true;
	case BGP_MSG_NOTIFICATION:
		rx_notification(s, c, now);
		break;
	case BGP_MSG_ROUTE_REFRESH:
		/* RFC 2918 4: resend our routes of that family; other
		 * families (and RFC 7313 subtypes 1, 2) are ignored. */
		if (m->route_refresh.afi == EVPN_AFI && m->route_refresh.safi == EVPN_SAFI &&
		    m->route_refresh.subtype == 0 && s->ops->send_table) {
			log_info("%s: route refresh requested: resending our routes",
				 sess_name(s));
			s->ops->send_table(s->ctx, s);
		}
		break;
	}
	return false;
}

static void conn_read(struct bgp_session *s, struct bgp_conn *c, uint64_t now)
{
	bool updates = false;
	int rounds;

	/* A bounded burst, so one busy peer cannot starve the loop; the
	 * socket stays readable and epoll brings us back. */
	for (rounds = 0; rounds < 32 && conn_up(c); rounds++) {
		ssize_t n = bgp_rx_fill(&c->rx, c->fd);
		const uint8_t *msg;
		struct bgp_err err;
		size_t len;
		int r;

		if (n == -EAGAIN)
			break;
		if (n <= 0) {
			snprintf(s->last_error, sizeof(s->last_error), "%s",
				 n ? strerror((int)-n) : "connection closed by the peer");
			log_info("%s: %s", sess_name(s), s->last_error);
			conn_drop(s, c, now, true);
			break;
		}
		while (conn_up(c) && (r = bgp_rx_next(&c->rx, &msg, &len, &err)) != 0) {
			if (r < 0) {
				log_warn("%s: %s", sess_name(s), err.msg);
				notify_drop(s, c, now, err.code, err.subcode, err.data,
					    err.data_len);
				break;
			}
			updates |= rx_msg(s, c, msg, len, now);
		}
	}
	if (updates)
		rib_flush(s);
}

static void connect_done(struct bgp_session *s, struct bgp_conn *c, uint64_t now)
{
	int ret = bgp_io_connected(c->fd);

	if (ret == -EINPROGRESS)
		return;
	if (ret) {
		snprintf(s->last_error, sizeof(s->last_error), "connect: %s", strerror(-ret));
		log_debug("%s: %s", sess_name(s), s->last_error);
		conn_close(s, c);
		if (!conn_up(other(s, c)))
			retry_later(s, now);
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
		conn_read(s, c, now);
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

		if (!conn_up(c))
			continue;
		if (c->connect_at <= now) {
			/* ConnectRetryTimer in Connect (RFC 4271 8.2.2). */
			snprintf(s->last_error, sizeof(s->last_error), "connect: timed out");
			conn_close(s, c);
			if (!conn_up(other(s, c)))
				retry_later(s, now);
		} else if (c->hold_at <= now) {
			notify_drop(s, c, now, BGP_ERR_HOLD_TIMER, 0, NULL, 0);
		} else if (c->ka_at <= now) {
			c->failed = sess_send_keepalive(s, c);
			c->ka_at = now + jitter(s, ms(c->ka));
		}
	}
	if (s->idle_hold && s->idle_until <= now) {
		s->idle_hold = false;
		try_connect(s, now);
	}
	if (s->retry_at <= now)
		try_connect(s, now);
	if (s->stale_at <= now)
		stale_sweep(s, s->est < 0 ? "restart time over" : "no End-of-RIB in time");
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

		if (!conn_up(c))
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

void sess_finish(struct bgp_session *s, uint64_t now)
{
	int i;

	if (s->busy)
		return;
	s->busy++;
	for (i = 0; i < 2; i++) {
		struct bgp_conn *c = &s->c[i];
		uint32_t want;

		if (!conn_up(c))
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
			/* A TCP-level end: GR keeps the routes (RFC 4724 4.2). */
			conn_drop(s, c, now, true);
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

void bgp_session_set_max_prefixes(struct bgp_session *s, uint32_t max, uint64_t now)
{
	s->busy++;
	s->cfg.max_prefixes = max;
	if (s->est >= 0)
		check_max_prefixes(s, &s->c[s->est], now);
	s->busy--;
	sess_finish(s, now);
}

enum bgp_state bgp_session_state(const struct bgp_session *s)
{
	enum bgp_state best = 0;
	int i;

	for (i = 0; i < 2; i++)
		if (conn_up(&s->c[i]) && s->c[i].st > best)
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
	out->updates_in = s->updates_in;
	out->updates_out = s->updates_out;
	out->flaps = s->flaps;
	memcpy(out->msgs_in, s->msgs_in, sizeof(out->msgs_in));
	memcpy(out->msgs_out, s->msgs_out, sizeof(out->msgs_out));
	out->routes_in = s->routes_in;
	out->withdraws_in = s->withdraws_in;
	out->routes_out = s->routes_out;
	out->withdraws_out = s->withdraws_out;
	out->routes_refused = s->routes_refused;
	out->max_prefix_trips = s->max_prefix_trips;
	out->gr_stale = s->stale;
	out->eor_received = s->eor_seen;
	snprintf(out->last_error, sizeof(out->last_error), "%s", s->last_error);
}
