/* feeder_sess.h - the bench feeder's one BGP session (RFC 4271): a TCP
 * connection made (active) or accepted (passive), OPEN with multiprotocol
 * L2VPN/EVPN (RFC 4760, AFI 25 SAFI 70) and 4-octet AS (RFC 6793), then
 * KEEPALIVEs at a third of the negotiated hold time while whole messages
 * are written.
 *
 * Blocking by design: a feeder has nothing else to do while the peer reads.
 * Every wait services the socket both ways, so a peer that sends while we
 * send (its own routes, keepalives) never deadlocks against us. Messages
 * from the peer are framed and checked with the project's codec
 * (agent/wire/bgp_msg.h) and otherwise ignored, except a NOTIFICATION, which ends
 * the session.
 */
#ifndef VTEP_BENCH_FEEDER_SESS_H
#define VTEP_BENCH_FEEDER_SESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "bgp_attr.h"

struct fsess_cfg {
	bool     passive;        /* listen on addr:port and accept one connection */
	struct sockaddr_in addr; /* peer (active) or where to listen (passive) */
	struct sockaddr_in bind; /* active: local address (sin_addr 0 = any) */
	uint32_t local_as;
	uint32_t peer_as;        /* 0: any */
	uint32_t router_id;      /* network order */
	uint16_t hold_time;      /* ours; the session uses min(ours, peer's) */
	double   timeout_s;      /* for the connection and the OPEN exchange */
};

#define FSESS_RX_CAP (1u << 16)

struct fsess {
	int      fd;
	uint32_t peer_as, peer_id;
	uint16_t hold_time;      /* negotiated (RFC 4271 4.2) */
	struct bgp_parse_ctx ctx;
	double   next_keepalive; /* CLOCK_MONOTONIC seconds; 0 = none */
	uint64_t msgs_in, updates_in;
	uint8_t  rx[FSESS_RX_CAP];
	size_t   rx_len;
	char     why[320];       /* what ended or failed the session */
};

double fsess_now(void);      /* CLOCK_MONOTONIC seconds */
double fsess_wall(void);     /* CLOCK_REALTIME seconds, to line up with other tools */

/* Connects or accepts, exchanges OPENs and KEEPALIVEs: 0 once Established,
 * else -errno with s->why set. */
int fsess_open(struct fsess *s, const struct fsess_cfg *c);
/* Writes len octets of whole messages, reading and answering the peer while
 * the socket is full; a KEEPALIVE that falls due goes first. */
int fsess_send(struct fsess *s, const void *buf, size_t len);
/* Waits up to timeout_ms for the peer (or until a KEEPALIVE is due) and
 * handles what arrived: 0, or -errno when the session ended. A signal ends
 * the wait early with 0. */
int fsess_service(struct fsess *s, int timeout_ms);
/* Cease / Administrative Shutdown (RFC 4486 4, RFC 9003) when notify, then
 * close. */
void fsess_close(struct fsess *s, bool notify);

#endif /* VTEP_BENCH_FEEDER_SESS_H */
