/* session_test_util.h - the harness shared by the BGP session unit tests
 * (test_bgp_session*.c) and the speaker's (test_bgp_speaker.c): a fake
 * owner whose RIB records calls and whose connections are real
 * socketpairs, a fake clock, a scripted peer that writes and reads whole
 * BGP messages, and the steps that bring a session to OpenSent, OpenConfirm
 * and Established (RFC 4271 8) or back after a drop. Each step checks what
 * it passes through, so a test that uses it asserts no less than one that
 * spells it out. The code is in session_test_util.c.
 */
#ifndef SESSION_TEST_UTIL_H
#define SESSION_TEST_UTIL_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp_msg.h"
#include "bgp_session.h"

#define LOCAL_AS  65001
#define PEER_AS   65002
#define LOCAL_ID  0x0a000005u   /* 10.0.0.5, host order */
#define NEXT_HOP  0xc0000201u   /* 192.0.2.1 */
#define PEER_ADDR 0xc6336401u   /* 198.51.100.1 */
#define PEER_ID   0x0a000009u   /* 10.0.0.9, the peer's BGP Identifier */

/* ---- the fake owner: connections, watches and a RIB that records ---------------- */

struct fake {
	struct bgp_session *s;
	uint64_t now;               /* the fake clock (ms) */
	int sess_fd, peer_fd;       /* the last connection: the session's end, ours */
	int connects, connect_err;
	uint32_t watched;
	int routes, withdrawn, begins, flushes, down_keep, down_drop, sweeps, tables;
	bool last_attrs;
	uint32_t last_local_pref;
	size_t count;               /* what rib_count answers */
	int rib_err;
	int table_routes;           /* routes send_table offers */
};

/* Type-2 route number i (MAC 02:..:i, IP 10.1.0.i, VNI 100, RD of NEXT_HOP). */
void make_route(struct evpn_route *rt, int i);
/* The session settings every test starts from: eBGP LOCAL_AS -> PEER_AS at
 * PEER_ADDR, hold 90 s, keepalive 30 s, graceful restart 120 s. */
struct bgp_session_cfg base_cfg(void);
/* A new session (config c) owned by f, clock at 1000 s; fake_fini frees it
 * and closes the peer's end. */
void fake_init(struct fake *f, const struct bgp_session_cfg *c);
void fake_fini(struct fake *f);

/* ---- the scripted peer ------------------------------------------------------------ */

enum {
	OPEN_NO_EVPN = 1, OPEN_GR = 2, OPEN_GR_F = 4, OPEN_RR = 8, OPEN_GR_NOAF = 16,
	OPEN_GR_N = 32,         /* the N bit (RFC 8538) */
	OPEN_AS2 = 64,          /* a 2-octet AS speaker: no capability 65 (RFC 6793) */
};

/* How the peer parses what we send: 4-octet AS, eBGP or iBGP. */
extern const struct bgp_parse_ctx ebgp_ctx, ibgp_ctx;

/* Writes all n octets (the test fails otherwise). */
void peer_write(int fd, const void *p, size_t n);
/* The peer's OPEN into buf (BGP_MAX_LEN octets); its length. */
size_t peer_open_build(uint8_t *buf, uint32_t as, uint16_t hold, uint32_t id, unsigned flags);
void peer_open(int fd, uint32_t as, uint16_t hold, uint32_t id, unsigned flags);
void peer_keepalive(int fd);
/* n type-2 routes from AS path_as (0: empty path) with one route target,
 * built into buf (BGP_MAX_LEN octets); returns the UPDATE's length. */
size_t peer_update_build(uint8_t *buf, const struct bgp_parse_ctx *ctx, uint32_t path_as,
			 int first, int n, bool withdraw);
void peer_update(int fd, const struct bgp_parse_ctx *ctx, uint32_t path_as, int first, int n,
		 bool withdraw);
/* The same advertisement with ORIGIN 3, malformed (RFC 7606 7.1):
 * treat-as-withdraw. */
void peer_update_bad_origin(int fd, int first, int n);
void peer_eor(int fd);
/* The peer sends Cease/subcode (reason: RFC 9003, or NULL). */
void peer_cease(int fd, uint8_t subcode, const char *reason);

/* Reads one whole message (2 s deadline); its length, 0 at end of stream. */
size_t peer_read(int fd, uint8_t *buf);
/* Reads one message, checks its type, parses it (static storage: the
 * result is good until the next call). */
struct bgp_msg *peer_expect(int fd, uint8_t type, const struct bgp_parse_ctx *ctx);
/* Reads one message of any type, parsed (static storage). */
struct bgp_msg *peer_expect_any(int fd);
void peer_expect_notification(int fd, uint8_t code, uint8_t subcode);
void peer_expect_eof(int fd);
/* Nothing waiting for the peer. */
bool peer_quiet(int fd);

/* ---- driving the session ------------------------------------------------------------ */

/* The session reads what its connection holds. */
void pump(struct fake *f);
/* The fake clock moves ms on and the session's timers run. */
void advance(struct fake *f, uint64_t ms);

/* Connect -> OpenSent (our OPEN read and returned). */
struct bgp_open to_opensent(struct fake *f);
/* ... -> OpenConfirm: the peer's OPEN (flags: OPEN_*), our KEEPALIVE read. */
void to_openconfirm(struct fake *f, unsigned flags);
/* ... -> Established: our table, if any, and End-of-RIB read. */
void to_established(struct fake *f, unsigned flags);
/* A fresh session with config c, brought to Established with a peer whose
 * OPEN carries flags (OPEN_*). */
void session_up(struct fake *f, const struct bgp_session_cfg *c, unsigned flags);
/* The peer's end of the TCP connection closes without a NOTIFICATION and
 * the session reads the end of stream. */
void peer_drop(struct fake *f);
/* How the RIB heard that the peer went: routes kept stale (RFC 4724) or
 * dropped. */
void expect_down(const struct fake *f, int keep, int drop);
/* The session's new outbound connection completes: our OPEN, returned. */
struct bgp_open reconnect(struct fake *f);
/* The peer (PEER_AS, hold 90 s, PEER_ID) answers our OPEN with its own and
 * a KEEPALIVE in one burst: the session is Established. */
void peer_open_established(struct fake *f, unsigned flags);
/* An eBGP UPDATE of n routes from path_as, read by the session. */
void rx_update(struct fake *f, uint32_t path_as, int first, int n, bool withdraw);
/* A second connection arrives from the peer: sv[0] the session's end,
 * sv[1] the peer's. */
void accept_pair(struct fake *f, int sv[2]);
/* The same, as the session's current connection. */
void accept_current(struct fake *f);

/* ---- raw messages ---------------------------------------------------------------------- */

/* A BGP header of length len and type into b; its length (19). */
size_t raw_hdr(uint8_t *b, uint16_t len, uint8_t type);
/* ROUTE-REFRESH for L2VPN/EVPN (RFC 2918 3) into b; its length. */
size_t msg_refresh(uint8_t *b);

/* ---- the suite ------------------------------------------------------------------------ */

/* suite_create(name), with SIGPIPE ignored for the whole run. */
Suite *session_suite(const char *name);

#endif /* SESSION_TEST_UTIL_H */
