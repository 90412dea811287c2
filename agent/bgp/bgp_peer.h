/* bgp_peer.h - what identifies a BGP peer and what the rest of vtepd may
 * know about it: the peer id, the RFC 4271 states, and the per-peer
 * snapshot (vtepctl peers, metrics, the RIB's tie-breaks, `vtepctl bgp
 * routes`). Shared by the session (bgp_session.h), which fills most of the
 * snapshot, and the speaker (bgp.h), which hands it out; neither the
 * session nor the readers need the speaker or the configuration for it.
 *
 * Peers are identified by a bgp_peer_id: assigned by the speaker when a
 * neighbor is created from config.bgp.neighbors, never 0, never reused
 * while vtepd runs. BGP_PEER_LOCAL (0) is "not from a peer": our own routes.
 */
#ifndef VTEP_BGP_PEER_H
#define VTEP_BGP_PEER_H

#include <stdbool.h>
#include <stdint.h>

typedef uint32_t bgp_peer_id;
#define BGP_PEER_LOCAL ((bgp_peer_id)0)

/* RFC 4271 8.2.2 states, in the order of the RFC (metrics print 1..6). */
enum bgp_state {
	BGP_ST_IDLE = 1,
	BGP_ST_CONNECT,
	BGP_ST_ACTIVE,
	BGP_ST_OPENSENT,
	BGP_ST_OPENCONFIRM,
	BGP_ST_ESTABLISHED,
};
const char *bgp_state_name(enum bgp_state s);

/* Counters kept per peer since vtepd started, across its sessions: each one
 * is named here once, and this list makes the fields of struct
 * bgp_peer_info and of the session (bgp_session_priv.h), the session's copy
 * into the snapshot (bgp_session_info) and the /metrics families
 * (agent/ctl/metrics.c). Adding a counter is one line here plus the code
 * that counts it.
 *
 * X(field, family, kind, help):
 *   family  the Prometheus counter it is exported as, or NULL (not exported);
 *   kind    NULL for a family of its own; otherwise the value of the "kind"
 *           label, and consecutive entries with the same family share it
 *           (help is then given on the first one);
 *   help    the family's HELP text.
 * The session counts them all except routes_rejected_import (the RIB's
 * refusals, counted by the speaker) and routes_rejected, their sum with
 * routes_treat_as_withdraw, which the speaker fills in (bgp_info.c). */
#define BGP_PEER_COUNTERS(X)                                                                   \
	/* NLRI received: reachable, withdrawn */                                            \
	X(routes_in, "vtepd_bgp_peer_routes_received_total", "reach",                        \
	  "EVPN NLRI received from the neighbor: reachable or withdrawn.")                    \
	X(withdraws_in, "vtepd_bgp_peer_routes_received_total", "withdraw", NULL)            \
	/* NLRI sent */                                                                      \
	X(routes_out, "vtepd_bgp_peer_routes_sent_total", "reach",                           \
	  "EVPN NLRI sent to the neighbor: reachable or withdrawn.")                          \
	X(withdraws_out, "vtepd_bgp_peer_routes_sent_total", "withdraw", NULL)               \
	/* reachable NLRI treated as withdrawn (loops, own next hop) */                      \
	X(routes_refused, "vtepd_bgp_peer_routes_refused_total", NULL,                       \
	  "Reachable NLRI received and treated as withdrawn (our AS in the AS_PATH, our "    \
	  "ORIGINATOR_ID, our own next hop).")                                                \
	/* Reachable NLRI received and not kept: routes_rejected_import (no VNI imports   \
	 * it, RIB_UPDATE_IGNORED: no route target of ours, or unusable) plus            \
	 * routes_treat_as_withdraw (malformed attributes, RFC 7606 2: withdrawn          \
	 * instead). */                                                                      \
	X(routes_rejected, "vtepd_bgp_peer_routes_rejected_total", NULL,                     \
	  "Reachable NLRI received and not kept: no route target a VNI imports, of no use "  \
	  "to a VTEP (type, family, encapsulation, next hop), or malformed attributes (RFC " \
	  "7606 treat-as-withdraw).")                                                         \
	/* sessions ended by max_prefixes */                                                 \
	X(max_prefix_trips, "vtepd_bgp_peer_max_prefix_exceeded_total", NULL,                \
	  "Sessions ended because the neighbor sent more than max_prefixes routes.")          \
	/* Established sessions that went down */                                            \
	X(flaps, "vtepd_bgp_peer_flaps_total", NULL,                                         \
	  "Established sessions with the neighbor that went down.")                           \
	X(updates_in, NULL, NULL, NULL)                                                       \
	X(updates_out, NULL, NULL, NULL)                                                      \
	X(routes_rejected_import, NULL, NULL, NULL)                                           \
	X(routes_treat_as_withdraw, NULL, NULL, NULL)

/* One uint64_t field per counter, for the structs that hold them. */
#define BGP_PEER_COUNTER_FIELD(field, family, kind, help) uint64_t field;

/* What the rest of vtepd may know about a peer (vtepctl peers, metrics,
 * the RIB's tie-breaks and `vtepctl bgp routes`). */
struct bgp_peer_info {
	bgp_peer_id id;
	uint32_t address;          /* network order */
	uint32_t asn;              /* configured remote AS */
	uint32_t router_id;        /* the peer's BGP Identifier, network order; 0 before OPEN */
	bool     ibgp;             /* remote AS == our AS */
	enum bgp_state state;
	uint64_t uptime_s;         /* seconds in Established, 0 otherwise */
	uint64_t prefixes_received;/* routes in the peer's Adj-RIB-In */
	bool     gr_stale;         /* its routes are held stale (GR helper) */
	bool     eor_received;     /* End-of-RIB seen at least once since start */
	char     last_error[96];   /* last NOTIFICATION sent/received or socket error */
	/* Since vtepd started, across sessions (metrics). Messages by type,
	 * indexed by enum bgp_msg_type - 1: OPEN, UPDATE, NOTIFICATION,
	 * KEEPALIVE, ROUTE-REFRESH (RFC 4271 4.1, RFC 2918). */
#define BGP_PEER_MSG_TYPES 5
	uint64_t msgs_in[BGP_PEER_MSG_TYPES], msgs_out[BGP_PEER_MSG_TYPES];
	BGP_PEER_COUNTERS(BGP_PEER_COUNTER_FIELD)
};

#endif /* VTEP_BGP_PEER_H */
