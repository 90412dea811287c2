/* bgp_session_out.c - what a session sends: our OPEN with its capabilities,
 * KEEPALIVE, NOTIFICATION, our EVPN routes as UPDATEs with the attributes
 * that depend on the peer, End-of-RIB and ROUTE-REFRESH. Messages are
 * appended to the connection's write queue; sess_finish()
 * (bgp_session_fsm.c) writes the queue out at the end of the entry point.
 */
#include "bgp_session_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* One message built into a stack buffer, then queued; counted by its
 * type (the header's last octet, RFC 4271 4.1) once queued. */
static int queue(struct bgp_session *s, struct bgp_conn *c, const struct wbuf *w)
{
	int ret;

	if (wbuf_error(w))
		return wbuf_error(w);
	ret = bgp_txq_append(&c->tx, w->p, w->len);
	if (!ret && w->len >= BGP_HDR_LEN && w->p[18] >= BGP_MSG_OPEN &&
	    w->p[18] <= BGP_MSG_ROUTE_REFRESH)
		s->msgs_out[w->p[18] - 1]++;
	return ret;
}

int sess_send_open(struct bgp_session *s, struct bgp_conn *c)
{
	uint8_t buf[BGP_MAX_LEN];
	struct bgp_open o;
	struct wbuf w;
	int ret;

	memset(&o, 0, sizeof(o));
	o.version = BGP_VERSION;
	o.asn = s->cfg.local_as;
	o.hold_time = s->cfg.hold_time;
	o.bgp_id = s->cfg.router_id;
	/* RFC 4760 8: the only family vtepd speaks. */
	o.n_mp = 1;
	o.mp[0] = (struct bgp_afisafi){ EVPN_AFI, EVPN_SAFI };
	o.cap_as4 = true;               /* RFC 6793 */
	o.cap_route_refresh = true;     /* RFC 2918 */
	if (s->cfg.gr_time) {
		/* RFC 4724 3. F: the datapath keeps forwarding while vtepd
		 * restarts and while a session is down (the maps stay), so
		 * our forwarding state is always preserved. R: only in the
		 * OPENs of the first sessions after a restart. */
		o.cap_gr = true;
		/* N (RFC 8538 2): a NOTIFICATION other than Hard Reset
		 * leaves the routes in place as a TCP loss would. */
		o.gr_flags = (s->restarted ? BGP_GR_RESTARTING : 0) | BGP_GR_NOTIFICATION;
		o.gr_time = s->cfg.gr_time > 0x0fff ? 0x0fff : s->cfg.gr_time;
		o.n_gr = 1;
		o.gr[0] = (struct bgp_gr_af){ EVPN_AFI, EVPN_SAFI, BGP_GR_AF_FORWARDING };
	}
	wbuf_init(&w, buf, sizeof(buf));
	ret = bgp_msg_build_open(&w, &o);
	return ret ? ret : queue(s, c, &w);
}

int sess_send_keepalive(struct bgp_session *s, struct bgp_conn *c)
{
	uint8_t buf[BGP_HDR_LEN];
	struct wbuf w;
	int ret;

	wbuf_init(&w, buf, sizeof(buf));
	ret = bgp_msg_build_keepalive(&w);
	return ret ? ret : queue(s, c, &w);
}

static void flush_once(struct bgp_conn *c)
{
	/* Best effort: the connection is about to be closed; whatever the
	 * socket does not take now is lost with it. */
	if (c->fd >= 0 && c->st != BGP_ST_CONNECT)
		bgp_txq_flush(&c->tx, c->fd);
}

bool sess_gr_notification(const struct bgp_session *s, const struct bgp_conn *c)
{
	return s->cfg.gr_time && c->have_open && c->open.cap_gr &&
	       (c->open.gr_flags & BGP_GR_NOTIFICATION);
}

bool sess_notif_is_hard(uint8_t code, uint8_t subcode)
{
	if (code != BGP_ERR_CEASE)
		return false;
	switch (subcode) {
	case BGP_CEASE_MAX_PREFIXES:
	case BGP_CEASE_ADMIN_SHUTDOWN:
	case BGP_CEASE_PEER_DECONFIGURED:
	case BGP_CEASE_ADMIN_RESET:
	case BGP_CEASE_HARD_RESET:
		return true;
	default:
		return false;
	}
}

/* RFC 8538 5: "a Hard Reset ... when the N bit has been exchanged", for
 * the NOTIFICATIONs that must not leave the routes in place. */
static bool wrap_hard(const struct bgp_session *s, const struct bgp_conn *c, uint8_t code,
		      uint8_t subcode)
{
	return sess_gr_notification(s, c) && sess_notif_is_hard(code, subcode) &&
	       !(code == BGP_ERR_CEASE && subcode == BGP_CEASE_HARD_RESET);
}

void sess_send_notification(struct bgp_session *s, struct bgp_conn *c, uint8_t code,
			    uint8_t subcode, const void *data, size_t len)
{
	uint8_t buf[BGP_MAX_LEN];
	struct wbuf w;
	bool hard = wrap_hard(s, c, code, subcode);
	int ret;

	snprintf(s->last_error, sizeof(s->last_error), "sent NOTIFICATION %s%u/%u %s: %s",
		 hard ? "Hard Reset " : "", code, subcode, bgp_err_code_name(code),
		 bgp_err_subcode_name(code, subcode));
	log_warn("%s: %s", sess_name(s), s->last_error);
	wbuf_init(&w, buf, sizeof(buf));
	ret = hard ? bgp_msg_build_hard_reset(&w, code, subcode, data, len)
		   : bgp_msg_build_notification(&w, code, subcode, data, len);
	if (!ret)
		queue(s, c, &w);
	flush_once(c);
}

void sess_send_cease(struct bgp_session *s, struct bgp_conn *c, uint8_t subcode,
		     const char *reason)
{
	uint8_t buf[BGP_MAX_LEN];
	struct wbuf w;
	bool hard = wrap_hard(s, c, BGP_ERR_CEASE, subcode);
	int ret;

	snprintf(s->last_error, sizeof(s->last_error), "sent %sCease/%u %s%s%s",
		 hard ? "Hard Reset " : "", subcode,
		 bgp_err_subcode_name(BGP_ERR_CEASE, subcode), reason ? ": " : "",
		 reason ? reason : "");
	log_info("%s: %s", sess_name(s), s->last_error);
	wbuf_init(&w, buf, sizeof(buf));
	ret = hard ? bgp_msg_build_hard_reset_cease(&w, subcode, reason)
		   : bgp_msg_build_cease(&w, subcode, reason);
	if (!ret)
		queue(s, c, &w);
	flush_once(c);
}

int sess_send_eor(struct bgp_session *s, struct bgp_conn *c)
{
	uint8_t buf[64];
	struct wbuf w;
	int ret;

	wbuf_init(&w, buf, sizeof(buf));
	ret = bgp_msg_build_eor(&w, EVPN_AFI, EVPN_SAFI);
	if (!ret)
		ret = queue(s, c, &w);
	if (!ret)
		s->eor_sent = true;
	return ret;
}

/* ---- UPDATEs ------------------------------------------------------------------- */

/* The attributes of our routes to this peer (RFC 4271 5.1, RFC 7432 7). */
static int out_attrs(const struct bgp_session *s, const struct bgp_out_route *r,
		     struct bgp_attrs *a)
{
	memset(a, 0, sizeof(*a));
	a->present = BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH) |
		     BGP_ATTR_BIT(BGP_ATTR_MP_REACH_NLRI);
	a->origin = BGP_ORIGIN_IGP;
	if (s->pctx.ibgp) {
		/* RFC 4271 5.1.5: LOCAL_PREF to internal peers; the AS_PATH
		 * of a route we originate is empty (5.1.2). */
		a->present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
		a->local_pref = BGP_LOCAL_PREF;
	} else if (bgp_aspath_prepend(&a->aspath, s->cfg.local_as)) {
		return -ENOSPC;
	}
	if (r->n_ext) {
		a->present |= BGP_ATTR_BIT(BGP_ATTR_EXT_COMMUNITIES);
		a->ext = &r->ext[0][0];
		a->n_ext = r->n_ext;
	}
	if (r->has_pmsi) {
		a->present |= BGP_ATTR_BIT(BGP_ATTR_PMSI_TUNNEL);
		a->pmsi = r->pmsi;
	}
	/* RFC 7432 7 / RFC 8365 5.1.3: the next hop is our VTEP address. */
	a->mp_reach.nh_len = 4;
	memcpy(a->mp_reach.nh, &s->cfg.next_hop, 4);
	return 0;
}

/* Routes with these equal go in one UPDATE. */
static bool same_attrs(const struct bgp_out_route *a, const struct bgp_out_route *b)
{
	if (a->n_ext != b->n_ext || a->has_pmsi != b->has_pmsi)
		return false;
	if (a->n_ext && memcmp(a->ext, b->ext, (size_t)a->n_ext * 8))
		return false;
	return !a->has_pmsi || !memcmp(&a->pmsi, &b->pmsi, sizeof(a->pmsi));
}

/* Sends routes[0..n), which share their attributes. */
static int send_group(struct bgp_session *s, struct bgp_conn *c, const struct bgp_out_route *r,
		      size_t n, bool withdraw)
{
	struct evpn_route rts[64];
	struct bgp_attrs a;
	uint8_t buf[BGP_MAX_LEN];
	size_t i = 0, k;
	int ret;

	if (!withdraw && (ret = out_attrs(s, &r[0], &a)))
		return ret;
	while (i < n) {
		size_t m = n - i < 64 ? n - i : 64, done = 0;

		for (k = 0; k < m; k++) {
			rts[k] = r[i + k].rt;
			rts[k].withdraw = withdraw;
		}
		while (done < m) {
			struct wbuf w;

			wbuf_init(&w, buf, sizeof(buf));
			ret = bgp_msg_build_update(&w, &s->pctx, withdraw ? NULL : &a, rts + done,
						   m - done, withdraw);
			if (ret <= 0)
				return ret ? ret : -EINVAL;
			done += (size_t)ret;
			*(withdraw ? &s->withdraws_out : &s->routes_out) += (uint64_t)ret;
			if ((ret = queue(s, c, &w)))
				return ret;
			s->updates_out++;
		}
		i += m;
	}
	return 0;
}

int sess_send_routes(struct bgp_session *s, struct bgp_conn *c, const struct bgp_out_route *r,
		     size_t n, bool withdraw)
{
	size_t i = 0;
	int ret = 0;

	while (i < n && !ret) {
		size_t j = i + 1;

		while (j < n && (withdraw || same_attrs(&r[i], &r[j])))
			j++;
		ret = send_group(s, c, r + i, j - i, withdraw);
		i = j;
	}
	return ret;
}

void sess_send_refresh(struct bgp_session *s, struct bgp_conn *c)
{
	static const struct bgp_route_refresh rr = { .afi = EVPN_AFI, .subtype = 0,
						     .safi = EVPN_SAFI };
	uint8_t buf[32];
	struct wbuf w;

	wbuf_init(&w, buf, sizeof(buf));
	if (!bgp_msg_build_route_refresh(&w, &rr) && (c->failed = queue(s, c, &w)) == 0)
		log_info("%s: route refresh sent", sess_name(s));
}
