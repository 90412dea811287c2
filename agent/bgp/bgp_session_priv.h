/* bgp_session_priv.h - the insides of a session, shared by bgp_session.c
 * (the entry points, connecting, timers), bgp_session_rx.c (what comes in),
 * bgp_session_fsm.c (dropping connections, the end of every entry point),
 * bgp_session_gr.c (graceful-restart bookkeeping) and bgp_session_out.c
 * (what goes out: OPEN, KEEPALIVE, NOTIFICATION, UPDATEs, End-of-RIB,
 * ROUTE-REFRESH). Nothing outside bgp/ includes this.
 *
 * The files call one way, each only the ones after it:
 *   bgp_session.c -> bgp_session_rx.c -> bgp_session_fsm.c
 *     -> bgp_session_gr.c, bgp_session_out.c
 * (sess_name and sess_jitter, which all of them use, are inline below).
 */
#ifndef VTEP_BGP_SESSION_PRIV_H
#define VTEP_BGP_SESSION_PRIV_H

#include <stdio.h>

#include "addr.h"
#include "bgp_io.h"
#include "bgp_msg.h"
#include "bgp_session.h"

#define NEVER UINT64_MAX

/* RFC 6608 3: Finite State Machine Error subcodes. */
enum {
	BGP_FSM_UNSPECIFIC = 0,
	BGP_FSM_IN_OPENSENT = 1,
	BGP_FSM_IN_OPENCONFIRM = 2,
	BGP_FSM_IN_ESTABLISHED = 3,
};

/* One TCP connection to the peer, ours or the peer's (inbound).
 * st is BGP_ST_CONNECT (ours, connecting), OPENSENT, OPENCONFIRM or
 * ESTABLISHED while fd >= 0. */
struct bgp_conn {
	int fd;
	enum bgp_state st;
	bool inbound;           /* the peer initiated it (RFC 4271 6.8) */
	uint64_t opened_at;     /* when TCP came up / the attempt began */
	uint32_t watched;       /* epoll events the owner watches; 0 = none yet */
	struct bgp_rx rx;
	struct bgp_txq tx;
	uint64_t hold_at, ka_at, connect_at;
	uint16_t hold, ka;      /* negotiated, seconds; hold 0 = no timers */
	bool have_open;
	struct bgp_open open;   /* the peer's, once received */
	int failed;             /* -errno of a queueing/write error: drop at finish */
};

struct bgp_session {
	struct bgp_session_cfg cfg;
	const struct bgp_session_ops *ops;
	void *ctx;
	struct bgp_conn c[2];
	bool enabled;           /* started, not stopped */
	bool idle_hold;         /* waiting until idle_until before connecting */
	uint64_t idle_until, retry_at;
	unsigned idle_s, retry_s;
	bool restarted;         /* R bit still owed in our OPENs */

	/* The Established connection's negotiation (est >= 0). */
	int est;
	struct bgp_parse_ctx pctx;
	uint64_t est_since;
	uint32_t remote_id;     /* network order, from the last OPEN */
	bool peer_gr;           /* GR capability for L2VPN/EVPN (RFC 4724 3) */
	bool peer_gr_f;         /* its F bit for L2VPN/EVPN */
	uint16_t peer_gr_time;
	bool gr_notif;          /* both sent the N bit (RFC 8538 2) */

	/* Graceful restart, helper side (RFC 4724 4.2). */
	bool stale;             /* the RIB holds the peer's routes as stale */
	uint64_t stale_at;      /* restart timer while down, stale timer while up */
	bool eor_rcvd, eor_sent;
	bool eor_seen;          /* End-of-RIB received at least once since start */

	/* The peer's counters (bgp_peer.h), copied into its snapshot by
	 * bgp_session_info(); routes_treat_as_withdraw sums
	 * bgp_update.n_treat_as_withdraw. */
	uint64_t msgs_in[BGP_PEER_MSG_TYPES], msgs_out[BGP_PEER_MSG_TYPES];
	BGP_PEER_COUNTERS(BGP_PEER_COUNTER_FIELD)
	uint32_t rnd;           /* jitter state */
	char last_error[96];
	struct bgp_msg *msg;    /* parse scratch (large: up to 256 routes) */
	int busy;               /* entry points under way: sess_finish() waits for 0 */
};

static inline uint64_t sess_ms(unsigned sec)
{
	return (uint64_t)sec * 1000;
}

static inline bool sess_conn_up(const struct bgp_conn *c)
{
	return c->fd >= 0;
}

static inline struct bgp_conn *sess_other(struct bgp_session *s, const struct bgp_conn *c)
{
	return &s->c[c == &s->c[0] ? 1 : 0];
}

/* "bgp peer 192.0.2.1" prefix for logs (a buffer per file, overwritten by
 * the next call: use it at once). */
static inline const char *sess_name(const struct bgp_session *s)
{
	static char buf[32];
	char a[ADDR_IP_STRLEN];

	snprintf(buf, sizeof(buf), "bgp peer %s", addr_fmt_ip(s->cfg.address, a));
	return buf;
}

/* RFC 4271 10: timers are jittered (here by 0 to 25% off) so that peers
 * restarting together do not stay in step. */
static inline uint64_t sess_jitter(struct bgp_session *s, uint64_t t)
{
	s->rnd ^= s->rnd << 13;
	s->rnd ^= s->rnd >> 17;
	s->rnd ^= s->rnd << 5;
	return t - t * (s->rnd % 251) / 1000;
}

/* bgp_session_out.c */
int sess_send_open(struct bgp_session *s, struct bgp_conn *c);
int sess_send_keepalive(struct bgp_session *s, struct bgp_conn *c);
/* Queues a NOTIFICATION and tries once to write the queue out, so it
 * leaves before the connection is closed. */
void sess_send_notification(struct bgp_session *s, struct bgp_conn *c, uint8_t code,
			    uint8_t subcode, const void *data, size_t len);
void sess_send_cease(struct bgp_session *s, struct bgp_conn *c, uint8_t subcode,
		     const char *reason);
int sess_send_eor(struct bgp_session *s, struct bgp_conn *c);
/* Our routes r[0..n) as UPDATEs on c, routes with equal attributes sharing
 * them: 0 or -errno (nothing more is queued after an error). */
int sess_send_routes(struct bgp_session *s, struct bgp_conn *c, const struct bgp_out_route *r,
		     size_t n, bool withdraw);
/* ROUTE-REFRESH for L2VPN/EVPN (RFC 2918) on c; a queueing error goes to
 * c->failed. */
void sess_send_refresh(struct bgp_session *s, struct bgp_conn *c);
/* RFC 8538 2: both OPENs on c carry the N bit (ours does whenever we
 * offer graceful restart). */
bool sess_gr_notification(const struct bgp_session *s, const struct bgp_conn *c);
/* RFC 8538 5.1: a NOTIFICATION that ends the session for good, so it goes
 * out as a Hard Reset when the N bit was exchanged: Cease with Maximum
 * Number of Prefixes Reached, Administrative Shutdown, Peer De-configured,
 * Administrative Reset (the table leaves that one to the operator; vtepd
 * resets only to flush), Hard Reset. */
bool sess_notif_is_hard(uint8_t code, uint8_t subcode);

/* bgp_session_gr.c */
/* The owner's rib_flush, if any. */
void sess_rib_flush(struct bgp_session *s);
/* The stale routes go now (why: for the log); a no-op if none are. */
void sess_stale_sweep(struct bgp_session *s, const char *why);
/* Established -> down; gr_ok as for sess_conn_drop(). */
void sess_down(struct bgp_session *s, uint64_t now, bool gr_ok);

/* bgp_session_fsm.c */
/* A connection slot with no socket and no state. */
void sess_conn_clear(struct bgp_conn *c);
/* Closes c's socket and resets c, nothing more. */
void sess_conn_close(struct bgp_session *s, struct bgp_conn *c);
/* Active: the next connection attempt after the ConnectRetry back-off. */
void sess_retry_later(struct bgp_session *s, uint64_t now);
/* A connection ends (after any NOTIFICATION was queued and flushed):
 * the session goes down if it was the Established one (gr_ok: routes kept
 * stale when the peer does graceful restart), Idle if none is left. */
void sess_conn_drop(struct bgp_session *s, struct bgp_conn *c, uint64_t now, bool gr_ok);
/* TcpConnectionFails (RFC 4271 8.2.2): the peer closed or reset c, or a
 * write failed, without a NOTIFICATION. As sess_conn_drop(gr_ok), except
 * that with no connection left an OpenSent one, or an Established one
 * whose graceful-restart peer we now wait for, leaves the session Active
 * (accepting) instead of Idle. */
void sess_conn_lost(struct bgp_session *s, struct bgp_conn *c, uint64_t now);
/* RFC 8538 4: a NOTIFICATION (code, subcode) on c that keeps the routes. */
bool sess_notif_graceful(const struct bgp_session *s, const struct bgp_conn *c,
			 uint8_t code, uint8_t subcode);
/* Sends the NOTIFICATION and drops c. */
void sess_notify_drop(struct bgp_session *s, struct bgp_conn *c, uint64_t now, uint8_t code,
		      uint8_t subcode, const void *data, size_t len);
/* End of an entry point: write queues out, drop connections that failed,
 * sync the watched events, tell the owner. A no-op while busy. */
void sess_finish(struct bgp_session *s, uint64_t now);

/* bgp_session_rx.c */
/* Reads and handles a bounded burst of messages from c. */
void sess_conn_read(struct bgp_session *s, struct bgp_conn *c, uint64_t now);
/* RFC 4486: Cease when the peer holds more routes than max_prefixes. */
void sess_check_max_prefixes(struct bgp_session *s, struct bgp_conn *c, uint64_t now);

#endif /* VTEP_BGP_SESSION_PRIV_H */
