/* bgp_session.h - one neighbor's BGP session: the finite state machine of
 * RFC 4271 section 8 over up to two TCP connections (ours and the peer's,
 * RFC 4271 6.8 collision detection), OPEN negotiation, timers, UPDATE
 * intake into the RIB, our advertisements out, graceful restart (RFC 4724)
 * in both roles with the N bit of RFC 8538 (a NOTIFICATION other than a
 * Hard Reset keeps the routes as a TCP loss does), route refresh (RFC 2918)
 * and the max-prefix limit.
 *
 * The session owns no clock and no event loop: every entry point takes the
 * current monotonic time in milliseconds, bgp_session_next_timer() says
 * when it wants to be called again, and the fds it wants watched are kept
 * in sync through ops->watch/unwatch. So tests drive it with a socketpair
 * and a fake clock, and bgp.c drives it from epoll and one timerfd.
 *
 * States (RFC 4271 8.2.2), as bgp_session_state() reports them:
 *   Idle         stopped, or waiting out the idle-hold back-off after an error
 *   Connect      our TCP connection attempt is under way
 *   Active       waiting for the peer to connect (passive), or for the next
 *                attempt (ConnectRetry, exponential back-off)
 *   OpenSent     OPEN sent, waiting for the peer's
 *   OpenConfirm  OPENs exchanged, waiting for the KEEPALIVE
 *   Established  routes flow
 * With two connections the session shows the more advanced one.
 */
#ifndef VTEP_BGP_SESSION_H
#define VTEP_BGP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp_attr.h"
#include "bgp_peer.h"
#include "evpn_nlri.h"

struct bgp_session;

/* Everything a session needs to know, copied in (no pointer into config). */
struct bgp_session_cfg {
	bgp_peer_id id;
	uint32_t address;           /* network order */
	uint16_t port;              /* the peer's port for our connections */
	uint32_t remote_as;
	uint32_t local_as;
	uint32_t router_id;         /* ours, network order */
	uint32_t next_hop;          /* our VTEP address, network order */
	char     password[81];      /* TCP MD5 key, "" = none */
	bool     ttl_security;
	uint32_t max_prefixes;      /* 0 = no limit */
	bool     passive;
	uint16_t hold_time;         /* what we offer; 0 or >= 3 */
	uint16_t keepalive;         /* configured interval; hold/3 when smaller */
	uint16_t gr_time;           /* restart time we advertise; 0 = no GR capability */
	bool     gr_restarted;      /* R bit: we restarted, forwarding kept (RFC 4724 3) */
};

/* What the session asks of its owner (bgp.c, or a test). ctx is the
 * pointer given to bgp_session_new(). Any RIB hook may be NULL. */
struct bgp_session_ops {
	/* A non-blocking socket connecting to the peer (bgp_io_connect). */
	int  (*connect)(void *ctx, struct bgp_session *s, int *fd);
	/* Watch fd for events (EPOLLIN/EPOLLOUT) from now on: first call
	 * adds, later calls change the mask. */
	void (*watch)(void *ctx, struct bgp_session *s, int fd, uint32_t events);
	/* fd is about to be closed. */
	void (*unwatch)(void *ctx, struct bgp_session *s, int fd);

	/* RIB: an UPDATE with routes was read; its routes follow. */
	void (*rib_begin)(void *ctx, struct bgp_session *s);
	/* RIB: one decoded route (rt->withdraw says which way) with its
	 * UPDATE's attributes (NULL for a withdrawal). -errno (no memory)
	 * resets the session (Cease/Out of Resources, RFC 4486). */
	int  (*rib_route)(void *ctx, struct bgp_session *s, const struct evpn_route *rt,
			  const struct bgp_attrs *a);
	/* RIB (optional): a route that rib_route will see a few calls later,
	 * so that the RIB can bring what it needs into the cache meanwhile;
	 * each route twice, the second time (deep) nearer its turn. */
	void (*rib_prefetch)(void *ctx, struct bgp_session *s, const struct evpn_route *rt,
			     bool deep);
	/* End of a read burst: apply what rib_route queued. */
	void (*rib_flush)(void *ctx, struct bgp_session *s);
	/* The session left Established: keep_stale (GR helper, RFC 4724
	 * 4.2) marks the peer's routes stale, otherwise they are deleted. */
	void (*rib_peer_down)(void *ctx, struct bgp_session *s, bool keep_stale);
	/* End-of-RIB from a restarted peer, or the restart/stale timer ran
	 * out: delete the peer's routes that are still stale. */
	void (*rib_stale_sweep)(void *ctx, struct bgp_session *s);
	/* Routes in the peer's Adj-RIB-In (max-prefix, vtepctl peers). */
	size_t (*rib_count)(void *ctx, struct bgp_session *s);
	/* Our whole table for this peer: call bgp_session_send() for each
	 * route (Established, and on a ROUTE-REFRESH). End-of-RIB follows. */
	void (*send_table)(void *ctx, struct bgp_session *s);
	/* State, counters or error text changed (snapshot for readers). */
	void (*changed)(void *ctx, struct bgp_session *s);
};

/* One of our routes for bgp_session_send(), self-contained (the export
 * module's attributes live only during its callback). The session adds
 * what depends on the peer: ORIGIN IGP, AS_PATH (ours prepended on eBGP,
 * empty on iBGP, RFC 4271 5.1.2), LOCAL_PREF on iBGP (5.1.5), and
 * MP_REACH_NLRI with our VTEP address as next hop (RFC 7432 7, RFC 8365
 * 5.1.3). */
#define BGP_OUT_MAX_EXT 8
struct bgp_out_route {
	struct evpn_route rt;
	uint8_t  n_ext;
	uint8_t  ext[BGP_OUT_MAX_EXT][8];   /* extended communities */
	bool     has_pmsi;                  /* type 3: PMSI Tunnel */
	struct bgp_pmsi pmsi;
};
/* Fills o from a route and the attributes evpn_export hands out (NULL for
 * a withdrawal). Returns 0, or -E2BIG when a has more extended communities
 * than BGP_OUT_MAX_EXT (the first ones are kept). */
int bgp_out_route_set(struct bgp_out_route *o, const struct evpn_route *rt,
		      const struct bgp_attrs *a);

/* Timer constants (seconds) and back-off bounds. */
#define BGP_OPEN_HOLD_S          240  /* RFC 4271 8.2.2: hold "large value" in OpenSent */
#define BGP_CONNECT_TIMEOUT_S    10   /* one connection attempt */
#define BGP_RETRY_MIN_S          1    /* ConnectRetry back-off: 1, 2, 4, ... */
#define BGP_RETRY_MAX_S          60
#define BGP_IDLE_HOLD_MIN_S      1    /* idle hold after an error (DampPeerOscillations) */
#define BGP_IDLE_HOLD_MAX_S      120
#define BGP_STABLE_S             60   /* an Established session this old resets the back-off */
#define BGP_STALE_S              360  /* stale routes wait this long for End-of-RIB (FRR's stalepath-time) */
#define BGP_MAXPFX_IDLE_S        60   /* Idle after a max-prefix Cease before trying again */
#define BGP_LOCAL_PREF           100

int bgp_session_new(const struct bgp_session_cfg *c, const struct bgp_session_ops *ops,
		    void *ctx, struct bgp_session **out);
/* Closes every connection WITHOUT a NOTIFICATION (planned restart: the
 * peer stays in graceful-restart helper mode) and frees. NULL is a no-op. */
void bgp_session_free(struct bgp_session *s);

/* ManualStart (RFC 4271 8.1.2): active peers connect, passive ones wait. */
void bgp_session_start(struct bgp_session *s, uint64_t now);
/* ManualStop: Cease with subcode (RFC 4486) and an optional RFC 9003
 * reason on every open connection, routes deleted, Idle until started.
 * With the N bit exchanged, subcodes 1-4 go out as a Hard Reset (RFC 8538
 * 5.1), so the peer deletes our routes too. */
void bgp_session_stop(struct bgp_session *s, uint64_t now, uint8_t subcode, const char *reason);
/* An accepted connection from the peer's address (takes fd); refused
 * (closed) while Idle. */
void bgp_session_accept(struct bgp_session *s, int fd, uint64_t now);
/* epoll reported events on one of the session's fds. */
void bgp_session_io(struct bgp_session *s, int fd, uint32_t events, uint64_t now);
/* Runs the timers due at now. */
void bgp_session_timers(struct bgp_session *s, uint64_t now);
/* The earliest deadline (ms), or UINT64_MAX when no timer runs. */
uint64_t bgp_session_next_timer(const struct bgp_session *s);

/* Sends our routes to an Established peer (queued; written as the socket
 * takes them). Routes with equal attributes share UPDATEs. 0, -ENOTCONN
 * when not Established, or -errno (the session is then reset). */
int bgp_session_send(struct bgp_session *s, const struct bgp_out_route *r, size_t n,
		     bool withdraw, uint64_t now);
/* Sends ROUTE-REFRESH for L2VPN/EVPN (RFC 2918) when Established and the
 * peer offered the capability: after our import policy changed. */
void bgp_session_refresh(struct bgp_session *s, uint64_t now);
/* Changes the limit in place and enforces it at once (reload). */
void bgp_session_set_max_prefixes(struct bgp_session *s, uint32_t max, uint64_t now);

enum bgp_state bgp_session_state(const struct bgp_session *s);
const struct bgp_session_cfg *bgp_session_cfg(const struct bgp_session *s);
/* Fills what bgp_peer_info holds that the session knows (not
 * prefixes_received, which is the RIB's). */
void bgp_session_info(const struct bgp_session *s, uint64_t now, struct bgp_peer_info *out);
bool bgp_session_ibgp(const struct bgp_session *s);
/* When the session reached Established (ms), 0 when it is not. */
uint64_t bgp_session_up_since(const struct bgp_session *s);
/* End-of-RIB received from the peer at least once since start. */
bool bgp_session_eor_seen(const struct bgp_session *s);

#endif /* VTEP_BGP_SESSION_H */
