/* bgp_session_rx.c - what a session takes in: the messages read from a
 * connection, in order, through the RFC 4271 section 8 events they are.
 * OPEN checks and negotiation (hold time, capabilities), the collision
 * rules of RFC 4271 6.8 with RFC 6286 2.3, Established, UPDATEs into the
 * RIB (loop checks, RFC 7606 treat-as-withdraw counted), the max-prefix
 * limit (RFC 4486), NOTIFICATION and ROUTE-REFRESH (RFC 2918). The timers
 * and entry points are bgp_session.c, the connection transitions it makes
 * (drops, NOTIFICATIONs that end a connection) bgp_session_fsm.c.
 */
#include "bgp_session_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "addr.h"
#include "log.h"

/* How far ahead of rib_route the RIB is asked to prefetch (routes): the
 * index slots, then (deep) what they point to. */
#define RX_PREFETCH 8
#define RX_PREFETCH_DEEP 4

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
	struct bgp_conn *oc = sess_other(s, c);
	uint16_t hold, ka;

	if (o->asn != s->cfg.remote_as) {
		/* RFC 4271 6.2 (RFC 6793 4.1: the 4-octet capability's AS). */
		log_warn("%s: OPEN from AS %u, configured %u", sess_name(s), o->asn,
			 s->cfg.remote_as);
		sess_notify_drop(s, c, now, BGP_ERR_OPEN, BGP_OPEN_BAD_PEER_AS, NULL, 0);
		return;
	}
	if (s->cfg.remote_as == s->cfg.local_as && o->bgp_id == s->cfg.router_id) {
		/* RFC 6286 2.2: unique within the AS. */
		sess_notify_drop(s, c, now, BGP_ERR_OPEN, BGP_OPEN_BAD_BGP_ID, NULL, 0);
		return;
	}
	if (!open_has_evpn(o)) {
		/* RFC 5492 3: the data is the capability we require. */
		static const uint8_t need[6] = { BGP_CAP_MP, 4, 0, EVPN_AFI, 0, EVPN_SAFI };

		log_warn("%s: the peer does not offer L2VPN/EVPN (AFI 25 SAFI 70)", sess_name(s));
		sess_notify_drop(s, c, now, BGP_ERR_OPEN, BGP_OPEN_BAD_CAPABILITY, need, sizeof(need));
		return;
	}
	c->open = *o;
	c->have_open = true;
	if (sess_conn_up(oc) && oc->st == BGP_ST_ESTABLISHED) {
		if (c->opened_at > s->est_since && o->cap_gr) {
			/* RFC 4724 4.2: an OPEN with the GR capability on a
			 * connection newer than the Established session means
			 * the peer restarted: the old one goes, its routes
			 * kept stale. (We never open a connection of our own
			 * while one is up, so a newer one is the peer's.) */
			log_info("%s: restarted (new OPEN while Established)", sess_name(s));
			sess_conn_close(s, oc);
			sess_down(s, now, true);
		} else if (c->opened_at <= s->est_since && c->inbound != oc->inbound &&
			   collision_loser(s, c, oc, o) == oc) {
			/* Not a restart: c and the session's connection were
			 * set up together, one by each side, and c merely
			 * lost the race to Established here. The peer had
			 * both OPENs while ours was still in OpenConfirm on
			 * its side and, by RFC 4271 6.8, kept the connection
			 * of the higher BGP Identifier: c. Were the
			 * Established one to win here ("a collision with an
			 * existing BGP connection that is in the Established
			 * state causes closing of the newly created
			 * connection"), each side would close the connection
			 * the other keeps and the session would go down
			 * twice over. So the IDs decide here too: RFC 4271
			 * 8.2.2, Established, Event 19 with the optional
			 * CollisionDetectEstablishedState (8.1.1). The
			 * session goes on over c; the routes learned over
			 * the old connection stay, stale, until c's
			 * End-of-RIB (RFC 4724 4.2). */
			log_info("%s: connection collision: closing the Established %s one, "
				 "the peer keeps the %s one (RFC 4271 6.8, 8.2.2 Event 19)",
				 sess_name(s), oc->inbound ? "incoming" : "outgoing",
				 c->inbound ? "incoming" : "outgoing");
			sess_send_cease(s, oc, BGP_CEASE_COLLISION, NULL);
			sess_conn_close(s, oc);
			sess_down(s, now, true);
		} else {
			/* RFC 4271 6.8: the Established connection wins over
			 * a newer one (a peer without GR opening a second
			 * connection), and over the losing half of a
			 * collision, which the peer closes as well. */
			log_info("%s: connection collision: closing the %s one, the Established "
				 "one stays (RFC 4271 6.8)", sess_name(s),
				 c->inbound ? "incoming" : "outgoing");
			sess_send_cease(s, c, BGP_CEASE_COLLISION, NULL);
			sess_conn_close(s, c);
			return;
		}
	} else if (sess_conn_up(oc) && oc->st == BGP_ST_OPENCONFIRM && oc->have_open) {
		struct bgp_conn *loser = collision_loser(s, c, oc, o);

		log_info("%s: connection collision: closing the %s one (RFC 4271 6.8)",
			 sess_name(s), loser->inbound ? "incoming" : "outgoing");
		sess_send_cease(s, loser, BGP_CEASE_COLLISION, NULL);
		sess_conn_close(s, loser);
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
	c->hold_at = hold ? now + sess_ms(hold) : NEVER;
	c->ka_at = c->ka ? now + sess_jitter(s, sess_ms(c->ka)) : NEVER;
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
			sess_stale_sweep(s, "restarted without preserved forwarding state");
		else
			s->stale_at = now + sess_ms(BGP_STALE_S);
	}
	if (s->ops->send_table)
		s->ops->send_table(s->ctx, s);
	/* RFC 4724 2: End-of-RIB after the initial update. */
	if (!c->failed && s->est == (int)(c - s->c) && (ret = sess_send_eor(s, c)))
		c->failed = ret;
	s->restarted = false;
}

void sess_check_max_prefixes(struct bgp_session *s, struct bgp_conn *c, uint64_t now)
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
	sess_notify_drop(s, c, now, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIXES, d, sizeof(d));
	/* The peer would send the same routes again at once: stay Idle a
	 * while longer (connections refused meanwhile). */
	if (s->idle_hold && s->idle_until < now + sess_ms(BGP_MAXPFX_IDLE_S))
		s->idle_until = now + sess_ms(BGP_MAXPFX_IDLE_S);
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
	/* Counted apart from withdraws_in too (below): the operator sees
	 * them as rejected (bgp_peer_info.routes_rejected). */
	s->routes_treat_as_withdraw += u->n_treat_as_withdraw;
	if (err->action == BGP_ACT_WITHDRAW || err->action == BGP_ACT_ATTR_DISCARD)
		log_warn("%s: UPDATE %s: %s", sess_name(s), bgp_err_action_name(err->action),
			 err->msg);
	if (u->eor) {
		if (u->eor_afi == EVPN_AFI && u->eor_safi == EVPN_SAFI) {
			s->eor_rcvd = s->eor_seen = true;
			log_info("%s: End-of-RIB received", sess_name(s));
			sess_stale_sweep(s, "End-of-RIB after its restart");
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

		/* The RIB's index lookups are cache misses at random places:
		 * started RX_PREFETCH routes ahead (the index slots), then
		 * RX_PREFETCH_DEEP ahead (what the slots name), they overlap. */
		if (s->ops->rib_prefetch) {
			unsigned j = i ? i + RX_PREFETCH - 1 : 0, end = i + RX_PREFETCH;

			for (; j < end && j < u->n_routes; j++)
				s->ops->rib_prefetch(s->ctx, s, &u->routes[j], false);
			j = i ? i + RX_PREFETCH_DEEP - 1 : 0;
			end = i + RX_PREFETCH_DEEP;
			for (; j < end && j < u->n_routes; j++)
				s->ops->rib_prefetch(s->ctx, s, &u->routes[j], true);
		}

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
			sess_conn_drop(s, c, now, sess_notif_graceful(s, c, BGP_ERR_CEASE,
								      BGP_CEASE_OUT_OF_RESOURCES));
			return;
		}
	}
	sess_check_max_prefixes(s, c, now);
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

	/* Cease/Connection Collision Resolution (RFC 4486) on the
	 * Established connection while the other one is up: the peer
	 * resolved a collision (RFC 4271 6.8) in favour of the other one,
	 * which carries the session on; the routes stay, stale, until its
	 * End-of-RIB (when the peer does graceful restart at all) instead
	 * of being withdrawn and learned again. */
	if (c->st == BGP_ST_ESTABLISHED && !n->hard_reset && n->code == BGP_ERR_CEASE &&
	    n->subcode == BGP_CEASE_COLLISION && sess_conn_up(sess_other(s, c)))
		keep = true;

	snprintf(s->last_error, sizeof(s->last_error), "received NOTIFICATION %s%u/%u %s: %s%s%.40s",
		 n->hard_reset ? "Hard Reset " : "", code, sub, bgp_err_code_name(code),
		 bgp_err_subcode_name(code, sub), n->has_reason ? ": " : "",
		 n->has_reason ? n->reason : "");
	log_warn("%s: %s", sess_name(s), s->last_error);
	sess_conn_drop(s, c, now, keep);
}

static void fsm_error(struct bgp_session *s, struct bgp_conn *c, uint8_t type, uint64_t now)
{
	uint8_t sub = c->st == BGP_ST_OPENSENT      ? BGP_FSM_IN_OPENSENT
		      : c->st == BGP_ST_OPENCONFIRM ? BGP_FSM_IN_OPENCONFIRM
						    : BGP_FSM_IN_ESTABLISHED;

	log_warn("%s: unexpected %s in %s", sess_name(s), bgp_msg_type_name(type),
		 bgp_state_name(c->st));
	/* RFC 6608 3: the subcode names the state; the data is the type. */
	sess_notify_drop(s, c, now, BGP_ERR_FSM, sub, &type, 1);
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
		c->hold_at = now + sess_ms(c->hold);
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
		sess_notify_drop(s, c, now, err.code, err.subcode, err.data, err.data_len);
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

void sess_conn_read(struct bgp_session *s, struct bgp_conn *c, uint64_t now)
{
	bool updates = false;
	int rounds;

	/* A bounded burst, so one busy peer cannot starve the loop; the
	 * socket stays readable and epoll brings us back. */
	for (rounds = 0; rounds < 32 && sess_conn_up(c); rounds++) {
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
			sess_conn_lost(s, c, now);
			break;
		}
		while (sess_conn_up(c) && (r = bgp_rx_next(&c->rx, &msg, &len, &err)) != 0) {
			if (r < 0) {
				log_warn("%s: %s", sess_name(s), err.msg);
				sess_notify_drop(s, c, now, err.code, err.subcode, err.data,
						 err.data_len);
				break;
			}
			updates |= rx_msg(s, c, msg, len, now);
		}
	}
	if (updates)
		sess_rib_flush(s);
}
