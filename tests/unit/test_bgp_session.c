/* test_bgp_session.c - the BGP session (agent/bgp/bgp_session.c) FSM against a
 * scripted peer on the far end of a socketpair, with a fake clock: the OPEN
 * we send, establishment (our table, then End-of-RIB), hold time and
 * keepalives, the FSM transitions of RFC 4271 8 (table-driven, with the
 * NOTIFICATION code and subcode each error must send), NOTIFICATIONs sent
 * and received, connect-retry back-off, passive peers, collision detection
 * (RFC 4271 6.8), route refresh (RFC 2918), the attributes of our UPDATEs
 * on iBGP and eBGP, and 100 flaps that leak neither fds nor memory (run
 * under ASan by make test-asan).
 *
 * Graceful restart is in test_bgp_session_gr.c, the UPDATE receive path in
 * test_bgp_session_rx.c; the harness in session_test_util.c.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "check_main.h"
#include "session_test_util.h"

/* ---- OPEN and establishment ---------------------------------------------------------- */

START_TEST(test_open_we_send)
{
	struct bgp_session_cfg c = base_cfg();
	struct bgp_open o;
	struct fake f;

	c.local_as = 4200000001u;     /* needs 4 octets (RFC 6793) */
	fake_init(&f, &c);
	o = to_opensent(&f);
	ck_assert_uint_eq(o.version, 4);
	ck_assert_uint_eq(o.my_as, BGP_AS_TRANS);
	ck_assert_uint_eq(o.asn, 4200000001u);
	ck_assert(o.cap_as4);
	ck_assert_uint_eq(o.hold_time, 90);
	ck_assert_uint_eq(o.bgp_id, htonl(LOCAL_ID));
	ck_assert_uint_eq(o.n_mp, 1);
	ck_assert_uint_eq(o.mp[0].afi, EVPN_AFI);
	ck_assert_uint_eq(o.mp[0].safi, EVPN_SAFI);
	ck_assert(o.cap_route_refresh);
	/* GR: restart time, F for EVPN, no R on a first start. */
	ck_assert(o.cap_gr);
	ck_assert_uint_eq(o.gr_time, 120);
	ck_assert_uint_eq(o.gr_flags & BGP_GR_RESTARTING, 0);
	/* N: RFC 8538 2. */
	ck_assert_uint_eq(o.gr_flags & BGP_GR_NOTIFICATION, BGP_GR_NOTIFICATION);
	ck_assert_uint_eq(o.n_gr, 1);
	ck_assert_uint_eq(o.gr[0].afi, EVPN_AFI);
	ck_assert_uint_eq(o.gr[0].flags, BGP_GR_AF_FORWARDING);
	fake_fini(&f);
}
END_TEST

START_TEST(test_establish_sends_table_then_eor)
{
	struct bgp_session_cfg c = base_cfg();
	struct bgp_peer_info pi;
	struct bgp_msg *m;
	struct fake f;
	int routes = 0;

	fake_init(&f, &c);
	f.table_routes = 3;
	to_openconfirm(&f, 0);
	peer_keepalive(f.peer_fd);
	pump(&f);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	ck_assert_int_eq(f.tables, 1);
	/* Equal attributes: one UPDATE holds all three, then End-of-RIB. */
	m = peer_expect(f.peer_fd, BGP_MSG_UPDATE, &ebgp_ctx);
	ck_assert(!m->update.eor);
	routes = m->update.n_routes;
	ck_assert_int_eq(routes, 3);
	/* eBGP: our AS prepended, no LOCAL_PREF, next hop = our VTEP. */
	ck_assert_uint_eq(m->update.attrs.aspath.n_asns, 1);
	ck_assert_uint_eq(m->update.attrs.aspath.asn[0], LOCAL_AS);
	ck_assert(!BGP_ATTR_HAS(&m->update.attrs, BGP_ATTR_LOCAL_PREF));
	ck_assert_uint_eq(m->update.attrs.mp_reach.nh_len, 4);
	ck_assert_mem_eq(m->update.attrs.mp_reach.nh, &c.next_hop, 4);
	ck_assert_uint_eq(m->update.attrs.evpn.n_rt, 1);
	m = peer_expect(f.peer_fd, BGP_MSG_UPDATE, &ebgp_ctx);
	ck_assert(m->update.eor);
	bgp_session_info(f.s, f.now + 5000, &pi);
	ck_assert_int_eq(pi.state, BGP_ST_ESTABLISHED);
	ck_assert_uint_eq(pi.uptime_s, 5);
	ck_assert_uint_eq(pi.router_id, htonl(PEER_ID));
	fake_fini(&f);
}
END_TEST

START_TEST(test_ibgp_local_pref_and_empty_path)
{
	struct bgp_session_cfg c = base_cfg();
	struct bgp_msg *m;
	struct fake f;

	c.remote_as = LOCAL_AS;
	fake_init(&f, &c);
	f.table_routes = 1;
	to_openconfirm(&f, 0);
	peer_keepalive(f.peer_fd);
	pump(&f);
	m = peer_expect(f.peer_fd, BGP_MSG_UPDATE, &ibgp_ctx);
	ck_assert_uint_eq(m->update.n_routes, 1);
	ck_assert(BGP_ATTR_HAS(&m->update.attrs, BGP_ATTR_LOCAL_PREF));
	ck_assert_uint_eq(m->update.attrs.local_pref, BGP_LOCAL_PREF);
	ck_assert_uint_eq(m->update.attrs.aspath.n_asns, 0);
	/* Routes from an iBGP peer reach the RIB with their LOCAL_PREF. */
	peer_expect(f.peer_fd, BGP_MSG_UPDATE, &ibgp_ctx);
	peer_update(f.peer_fd, &ibgp_ctx, 0, 1, 2, false);
	pump(&f);
	ck_assert_int_eq(f.routes, 2);
	ck_assert(f.last_attrs);
	ck_assert_uint_eq(f.last_local_pref, 200);
	fake_fini(&f);
}
END_TEST

START_TEST(test_hold_negotiation_and_keepalives)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;

	fake_init(&f, &c);
	to_opensent(&f);
	/* The peer offers 30 s: hold = min(90, 30), keepalive = 10 s. */
	peer_open(f.peer_fd, PEER_AS, 30, PEER_ID, 0);
	peer_keepalive(f.peer_fd);
	pump(&f);
	peer_expect(f.peer_fd, BGP_MSG_KEEPALIVE, &ebgp_ctx);
	peer_expect(f.peer_fd, BGP_MSG_UPDATE, &ebgp_ctx);   /* EoR */
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	advance(&f, 7000);      /* before the earliest jittered keepalive (7.5 s) */
	ck_assert(peer_quiet(f.peer_fd));
	advance(&f, 3000);
	peer_expect(f.peer_fd, BGP_MSG_KEEPALIVE, &ebgp_ctx);
	/* A KEEPALIVE from the peer at 10 s moves the hold expiry to 40 s. */
	peer_keepalive(f.peer_fd);
	pump(&f);
	advance(&f, 20000);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	while (!peer_quiet(f.peer_fd))
		peer_expect(f.peer_fd, BGP_MSG_KEEPALIVE, &ebgp_ctx);
	advance(&f, 9000);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	advance(&f, 1000);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_IDLE);
	fake_fini(&f);
}
END_TEST

START_TEST(test_hold_timer_notification)
{
	struct bgp_session_cfg c = base_cfg();
	uint8_t buf[BGP_MAX_LEN];
	struct fake f;
	size_t n;

	c.keepalive = 0;
	session_up(&f, &c, OPEN_GR | OPEN_GR_F);
	ck_assert_uint_gt(bgp_session_next_timer(f.s), f.now);
	f.now += 90000;
	bgp_session_timers(f.s, f.now);
	/* Skip our keepalives; the last message is Hold Timer Expired. */
	while ((n = peer_read(f.peer_fd, buf)) && buf[18] == BGP_MSG_KEEPALIVE)
		;
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_eq(buf[18], BGP_MSG_NOTIFICATION);
	ck_assert_uint_eq(buf[19], BGP_ERR_HOLD_TIMER);
	ck_assert_uint_eq(buf[20], 0);
	peer_expect_eof(f.peer_fd);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_IDLE);
	/* A NOTIFICATION ends GR: the routes go (RFC 4724 4.2). */
	expect_down(&f, 0, 1);
	fake_fini(&f);
}
END_TEST

/* ---- the FSM table: each error, in each state, and its NOTIFICATION ----------------- */

enum setup { AT_OPENSENT, AT_OPENCONFIRM, AT_ESTABLISHED };

static size_t msg_keepalive(uint8_t *b)
{
	return raw_hdr(b, 19, BGP_MSG_KEEPALIVE);
}

static size_t msg_bad_marker(uint8_t *b)
{
	raw_hdr(b, 19, BGP_MSG_KEEPALIVE);
	b[3] = 0;
	return 19;
}

static size_t msg_bad_length(uint8_t *b)
{
	raw_hdr(b, 20, BGP_MSG_KEEPALIVE);
	b[19] = 0;
	return 20;
}

static size_t msg_bad_type(uint8_t *b)
{
	return raw_hdr(b, 19, 9);
}

/* An OPEN with only 4-octet AS and the family (no route refresh, no GR):
 * what peer_open builds without OPEN_AS2, OPEN_RR or OPEN_GR*. */
static size_t msg_open_as(uint8_t *b, uint32_t as, uint16_t hold, uint32_t id, unsigned fl)
{
	return peer_open_build(b, as, hold, id, fl & OPEN_NO_EVPN);
}

static size_t msg_open_ok(uint8_t *b)
{
	return msg_open_as(b, PEER_AS, 90, PEER_ID, 0);
}

static size_t msg_open_bad_as(uint8_t *b)
{
	return msg_open_as(b, 65099, 90, PEER_ID, 0);
}

static size_t msg_open_no_evpn(uint8_t *b)
{
	return msg_open_as(b, PEER_AS, 90, PEER_ID, OPEN_NO_EVPN);
}

static size_t msg_open_bad_version(uint8_t *b)
{
	size_t n = msg_open_ok(b);

	b[19] = 3;
	return n;
}

static size_t msg_open_bad_hold(uint8_t *b)
{
	return msg_open_as(b, PEER_AS, 2, PEER_ID, 0);
}

static size_t msg_open_zero_id(uint8_t *b)
{
	return msg_open_as(b, PEER_AS, 90, 0, 0);
}

static size_t msg_update_ok(uint8_t *b)
{
	/* An empty UPDATE (the IPv4 End-of-RIB): valid anywhere it may come. */
	raw_hdr(b, 23, BGP_MSG_UPDATE);
	memset(b + 19, 0, 4);
	return 23;
}

static size_t msg_update_bad(uint8_t *b)
{
	/* Withdrawn Routes Length runs past the message (RFC 4271 6.3). */
	raw_hdr(b, 23, BGP_MSG_UPDATE);
	b[19] = 0;
	b[20] = 100;
	b[21] = b[22] = 0;
	return 23;
}


static const struct fsm_case {
	const char *name;
	enum setup at;
	size_t (*msg)(uint8_t *b);
	uint8_t code, subcode;      /* code 0: the parser's own verdict, code 3 */
} fsm_cases[] = {
	{ "bad marker",             AT_OPENSENT,    msg_bad_marker,  BGP_ERR_HEADER, BGP_HDR_NOT_SYNC },
	{ "bad length",             AT_ESTABLISHED, msg_bad_length,  BGP_ERR_HEADER, BGP_HDR_BAD_LENGTH },
	{ "bad type",               AT_OPENCONFIRM, msg_bad_type,    BGP_ERR_HEADER, BGP_HDR_BAD_TYPE },
	{ "KEEPALIVE in OpenSent",  AT_OPENSENT,    msg_keepalive,   BGP_ERR_FSM, 1 },
	{ "UPDATE in OpenSent",     AT_OPENSENT,    msg_update_ok,   BGP_ERR_FSM, 1 },
	{ "REFRESH in OpenSent",    AT_OPENSENT,    msg_refresh,     BGP_ERR_FSM, 1 },
	{ "OPEN in OpenConfirm",    AT_OPENCONFIRM, msg_open_ok,     BGP_ERR_FSM, 2 },
	{ "UPDATE in OpenConfirm",  AT_OPENCONFIRM, msg_update_ok,   BGP_ERR_FSM, 2 },
	{ "OPEN in Established",    AT_ESTABLISHED, msg_open_ok,     BGP_ERR_FSM, 3 },
	{ "wrong peer AS",          AT_OPENSENT,    msg_open_bad_as, BGP_ERR_OPEN, BGP_OPEN_BAD_PEER_AS },
	{ "no L2VPN/EVPN",          AT_OPENSENT,    msg_open_no_evpn, BGP_ERR_OPEN, BGP_OPEN_BAD_CAPABILITY },
	{ "version 3",              AT_OPENSENT,    msg_open_bad_version, BGP_ERR_OPEN, BGP_OPEN_BAD_VERSION },
	{ "hold time 2",            AT_OPENSENT,    msg_open_bad_hold, BGP_ERR_OPEN, BGP_OPEN_BAD_HOLD_TIME },
	{ "BGP id 0",               AT_OPENSENT,    msg_open_zero_id, BGP_ERR_OPEN, BGP_OPEN_BAD_BGP_ID },
	{ "malformed UPDATE",       AT_ESTABLISHED, msg_update_bad,  BGP_ERR_UPDATE, 0xff },
};


START_TEST(test_fsm_table)
{
	const struct fsm_case *tc = &fsm_cases[_i];
	struct bgp_session_cfg c = base_cfg();
	uint8_t buf[BGP_MAX_LEN];
	struct bgp_msg *m;
	struct fake f;
	size_t n;

	fake_init(&f, &c);
	if (tc->at == AT_OPENSENT)
		to_opensent(&f);
	else if (tc->at == AT_OPENCONFIRM)
		to_openconfirm(&f, 0);
	else
		to_established(&f, OPEN_GR | OPEN_GR_F);
	n = tc->msg(buf);
	peer_write(f.peer_fd, buf, n);
	pump(&f);
	m = peer_expect(f.peer_fd, BGP_MSG_NOTIFICATION, &ebgp_ctx);
	ck_assert_msg(m->notification.code == tc->code, "%s: code %u, want %u", tc->name,
		      m->notification.code, tc->code);
	if (tc->subcode != 0xff)
		ck_assert_msg(m->notification.subcode == tc->subcode, "%s: subcode %u, want %u",
			      tc->name, m->notification.subcode, tc->subcode);
	peer_expect_eof(f.peer_fd);
	ck_assert_msg(bgp_session_state(f.s) == BGP_ST_IDLE, "%s: state %s", tc->name,
		      bgp_state_name(bgp_session_state(f.s)));
	ck_assert_uint_eq(f.watched, 0);
	/* A NOTIFICATION ends GR: an Established peer's routes go at once. */
	expect_down(&f, 0, tc->at == AT_ESTABLISHED ? 1 : 0);
	fake_fini(&f);
}
END_TEST

START_TEST(test_fsm_notification_received)
{
	struct bgp_session_cfg c = base_cfg();
	struct bgp_peer_info pi;
	struct fake f;

	session_up(&f, &c, OPEN_GR | OPEN_GR_F);
	peer_cease(f.peer_fd, BGP_CEASE_ADMIN_SHUTDOWN, "maintenance");
	pump(&f);
	peer_expect_eof(f.peer_fd);   /* no NOTIFICATION answers one */
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_IDLE);
	expect_down(&f, 0, 1);
	bgp_session_info(f.s, f.now, &pi);
	ck_assert_ptr_nonnull(strstr(pi.last_error, "maintenance"));
	ck_assert_uint_eq(pi.flaps, 1);
	fake_fini(&f);
}
END_TEST

START_TEST(test_stop_sends_cease)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;

	session_up(&f, &c, 0);
	bgp_session_stop(f.s, f.now, BGP_CEASE_PEER_DECONFIGURED, NULL);
	peer_expect_notification(f.peer_fd, BGP_ERR_CEASE, BGP_CEASE_PEER_DECONFIGURED);
	peer_expect_eof(f.peer_fd);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_IDLE);
	ck_assert_int_eq(f.down_drop, 1);
	/* Stopped: no timer brings it back. */
	ck_assert_uint_eq(bgp_session_next_timer(f.s), UINT64_MAX);
	fake_fini(&f);
}
END_TEST

/* ---- connecting ------------------------------------------------------------------------ */

START_TEST(test_connect_retry_backoff)
{
	struct bgp_session_cfg c = base_cfg();
	uint64_t gap[6];
	struct fake f;
	int i;

	fake_init(&f, &c);
	f.connect_err = ECONNREFUSED;
	bgp_session_start(f.s, f.now);
	ck_assert_int_eq(f.connects, 1);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ACTIVE);
	for (i = 0; i < 6; i++) {
		uint64_t t = bgp_session_next_timer(f.s);

		ck_assert_uint_ne(t, UINT64_MAX);
		gap[i] = t - f.now;
		f.now = t - 1;
		bgp_session_timers(f.s, f.now);
		ck_assert_int_eq(f.connects, i + 1);   /* not yet */
		f.now = t;
		bgp_session_timers(f.s, f.now);
		ck_assert_int_eq(f.connects, i + 2);
	}
	/* Exponential: each wait at least 1.5x the one before (jitter is at
	 * most 25% off), up to the cap. */
	for (i = 1; i < 6; i++)
		ck_assert_msg(gap[i] * 2 >= gap[i - 1] * 3, "gap %d: %lu after %lu", i,
			      (unsigned long)gap[i], (unsigned long)gap[i - 1]);
	ck_assert_uint_le(gap[5], BGP_RETRY_MAX_S * 1000);
	fake_fini(&f);
}
END_TEST

START_TEST(test_connect_timeout)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;

	fake_init(&f, &c);
	bgp_session_start(f.s, f.now);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_CONNECT);
	/* The connection never completes (no EPOLLOUT). */
	advance(&f, BGP_CONNECT_TIMEOUT_S * 1000);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ACTIVE);
	peer_expect_eof(f.peer_fd);
	close(f.peer_fd);
	f.peer_fd = -1;
	advance(&f, BGP_RETRY_MIN_S * 1000);
	ck_assert_int_eq(f.connects, 2);
	fake_fini(&f);
}
END_TEST

START_TEST(test_passive_waits_and_accepts)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;

	c.passive = true;
	fake_init(&f, &c);
	bgp_session_start(f.s, f.now);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ACTIVE);
	advance(&f, 600000);
	ck_assert_int_eq(f.connects, 0);
	accept_current(&f);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_OPENSENT);
	peer_expect(f.peer_fd, BGP_MSG_OPEN, &ebgp_ctx);
	peer_open_established(&f, 0);
	ck_assert_int_eq(f.connects, 0);
	fake_fini(&f);
}
END_TEST

START_TEST(test_idle_hold_after_error_then_reconnect)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;

	fake_init(&f, &c);
	to_opensent(&f);
	/* An error: the peer's OPEN names another AS (RFC 4271 6.2). */
	peer_open(f.peer_fd, PEER_AS + 1, 90, PEER_ID, 0);
	pump(&f);
	peer_expect_notification(f.peer_fd, BGP_ERR_OPEN, BGP_OPEN_BAD_PEER_AS);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_IDLE);
	ck_assert_int_eq(f.connects, 1);
	advance(&f, BGP_IDLE_HOLD_MIN_S * 1000);
	ck_assert_int_eq(f.connects, 2);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_CONNECT);
	fake_fini(&f);
}
END_TEST

START_TEST(test_idle_refuses_connections)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;
	int sv[2];

	c.passive = true;
	fake_init(&f, &c);
	/* Stopped: refused. */
	accept_pair(&f, sv);
	peer_expect_eof(sv[1]);
	close(sv[1]);
	/* In the idle hold after an error (a NOTIFICATION): refused too. */
	bgp_session_start(f.s, f.now);
	accept_current(&f);
	peer_expect(f.peer_fd, BGP_MSG_OPEN, &ebgp_ctx);
	peer_cease(f.peer_fd, BGP_CEASE_ADMIN_RESET, NULL);
	peer_drop(&f);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_IDLE);
	accept_pair(&f, sv);
	peer_expect_eof(sv[1]);
	close(sv[1]);
	/* After it: Active, accepted. */
	advance(&f, BGP_IDLE_HOLD_MIN_S * 2000);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ACTIVE);
	accept_current(&f);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_OPENSENT);
	fake_fini(&f);
}
END_TEST

/* RFC 4271 8.2.2, OpenSent, TcpConnectionFails (Event 18): the peer
 * closes the connection before its OPEN (what a peer in Idle does: accept,
 * close). Active, not Idle: its own connection is accepted at once, ours
 * is tried again after ConnectRetry. In Idle, refusing, two active peers
 * that each refuse the other's attempt during their own idle hold never
 * meet again (bgp_pair_restart.sh, test_bgp_session_pair.c). */
START_TEST(test_opensent_tcp_loss_goes_active)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;

	fake_init(&f, &c);
	to_opensent(&f);
	peer_drop(&f);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ACTIVE);
	ck_assert_int_eq(f.down_drop + f.down_keep, 0);
	/* The peer's connection: accepted, no idle hold first. */
	accept_current(&f);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_OPENSENT);
	peer_expect(f.peer_fd, BGP_MSG_OPEN, &ebgp_ctx);
	peer_open_established(&f, 0);
	fake_fini(&f);
}
END_TEST

/* The same, and nobody connects: ConnectRetry (1 s at most), not the idle
 * hold, and the next failure doubles ConnectRetry, not the idle hold. */
START_TEST(test_opensent_tcp_loss_retries)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;

	fake_init(&f, &c);
	to_opensent(&f);
	peer_drop(&f);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ACTIVE);
	ck_assert_uint_le(bgp_session_next_timer(f.s) - f.now, BGP_RETRY_MIN_S * 1000);
	advance(&f, BGP_RETRY_MIN_S * 1000);
	ck_assert_int_eq(f.connects, 2);
	reconnect(&f);
	peer_drop(&f);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ACTIVE);
	ck_assert_uint_gt(bgp_session_next_timer(f.s) - f.now, BGP_RETRY_MIN_S * 1000);
	ck_assert_uint_le(bgp_session_next_timer(f.s) - f.now, 2 * BGP_RETRY_MIN_S * 1000);
	fake_fini(&f);
}
END_TEST

/* ---- collision (RFC 4271 6.8) ----------------------------------------------------------- */

/* Our connection in OpenConfirm, the peer's arrives with an OPEN: the
 * connection initiated by the higher BGP Identifier survives. */
static void collision(uint32_t peer_id, bool ours_survives)
{
	struct bgp_session_cfg c = base_cfg();
	int out_peer, in_peer, sv[2];
	struct fake f;

	fake_init(&f, &c);
	to_opensent(&f);
	out_peer = f.peer_fd;
	peer_open(out_peer, PEER_AS, 90, peer_id, 0);
	pump(&f);
	peer_expect(out_peer, BGP_MSG_KEEPALIVE, &ebgp_ctx);
	accept_pair(&f, sv);
	in_peer = sv[1];
	peer_expect(in_peer, BGP_MSG_OPEN, &ebgp_ctx);
	peer_open(in_peer, PEER_AS, 90, peer_id, 0);
	bgp_session_io(f.s, sv[0], EPOLLIN, f.now);
	if (ours_survives) {
		peer_expect_notification(in_peer, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
		peer_expect_eof(in_peer);
		peer_keepalive(out_peer);
		bgp_session_io(f.s, f.sess_fd, EPOLLIN, f.now);
	} else {
		peer_expect_notification(out_peer, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
		peer_expect_eof(out_peer);
		peer_expect(in_peer, BGP_MSG_KEEPALIVE, &ebgp_ctx);
		peer_keepalive(in_peer);
		bgp_session_io(f.s, sv[0], EPOLLIN, f.now);
	}
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	close(out_peer);
	close(in_peer);
	f.peer_fd = -1;
	fake_fini(&f);
}

START_TEST(test_collision_local_id_lower)
{
	collision(LOCAL_ID + 1, false);   /* the peer's connection wins */
}
END_TEST

START_TEST(test_collision_local_id_higher)
{
	collision(LOCAL_ID - 1, true);    /* ours wins */
}
END_TEST


START_TEST(test_collision_with_established)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;
	int sv[2];

	session_up(&f, &c, 0);
	/* A second connection without GR: it loses to the Established one. */
	f.now += 1000;
	accept_pair(&f, sv);
	peer_expect(sv[1], BGP_MSG_OPEN, &ebgp_ctx);
	peer_open(sv[1], PEER_AS, 90, PEER_ID, 0);
	bgp_session_io(f.s, sv[0], EPOLLIN, f.now);
	peer_expect_notification(sv[1], BGP_ERR_CEASE, BGP_CEASE_COLLISION);
	close(sv[1]);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	ck_assert_int_eq(f.down_drop + f.down_keep, 0);
	fake_fini(&f);
}
END_TEST

/* The race of two active peers connecting at once: our connection (A)
 * reaches Established before we read the peer's OPEN on its connection
 * (B), accepted before that. The peer had both OPENs while A was still in
 * OpenConfirm on its side and kept, by RFC 4271 6.8, the connection of the
 * higher BGP Identifier; so must we (RFC 4271 8.2.2 Established, Event 19,
 * CollisionDetectEstablishedState), whether that is B or A, and B is not
 * the peer restarting (RFC 4724 4.2) though its OPEN carries GR. */
static void established_collision(uint32_t peer_id, bool ours_survives)
{
	struct bgp_session_cfg c = base_cfg();
	int a_peer, b_sess, b_peer, sv[2];
	struct fake f;

	fake_init(&f, &c);
	to_opensent(&f);
	a_peer = f.peer_fd;
	accept_pair(&f, sv);                    /* B, in OpenSent */
	b_sess = sv[0];
	b_peer = sv[1];
	peer_expect(b_peer, BGP_MSG_OPEN, &ebgp_ctx);
	f.now += 1;
	peer_open(a_peer, PEER_AS, 90, peer_id, OPEN_GR | OPEN_GR_F | OPEN_GR_N);
	peer_keepalive(a_peer);
	pump(&f);                               /* A: Established */
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	peer_expect(a_peer, BGP_MSG_KEEPALIVE, &ebgp_ctx);
	peer_expect(a_peer, BGP_MSG_UPDATE, &ebgp_ctx);    /* End-of-RIB */
	f.now += 1;
	peer_open(b_peer, PEER_AS, 90, peer_id, OPEN_GR | OPEN_GR_F | OPEN_GR_N);
	bgp_session_io(f.s, b_sess, EPOLLIN, f.now);
	if (ours_survives) {
		peer_expect_notification(b_peer, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
		peer_expect_eof(b_peer);
		ck_assert(peer_quiet(a_peer));
		expect_down(&f, 0, 0);
	} else {
		peer_expect_notification(a_peer, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
		peer_expect_eof(a_peer);
		/* The routes learned over A stay, stale, until B's
		 * End-of-RIB. */
		expect_down(&f, 1, 0);
		ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_OPENCONFIRM);
		peer_expect(b_peer, BGP_MSG_KEEPALIVE, &ebgp_ctx);
		peer_keepalive(b_peer);
		peer_eor(b_peer);
		bgp_session_io(f.s, b_sess, EPOLLIN, f.now);
		ck_assert_int_eq(f.sweeps, 1);
	}
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	close(a_peer);
	close(b_peer);
	f.peer_fd = -1;
	fake_fini(&f);
}

START_TEST(test_collision_established_loses_by_id)
{
	established_collision(LOCAL_ID + 1, false);
}
END_TEST

START_TEST(test_collision_established_wins_by_id)
{
	established_collision(LOCAL_ID - 1, true);
}
END_TEST

/* The peer's Cease/Connection Collision Resolution arrives on our
 * Established connection while its other one is up: the session carries
 * on over that one, so a peer doing graceful restart without the N bit
 * (RFC 4724 alone, where a NOTIFICATION otherwise deletes the routes)
 * keeps its routes, stale, until that connection's End-of-RIB. */
START_TEST(test_collision_cease_on_established_keeps_routes)
{
	struct bgp_session_cfg c = base_cfg();
	int a_peer, b_sess, b_peer, sv[2];
	struct fake f;

	fake_init(&f, &c);
	to_opensent(&f);
	a_peer = f.peer_fd;
	accept_pair(&f, sv);
	b_sess = sv[0];
	b_peer = sv[1];
	peer_expect(b_peer, BGP_MSG_OPEN, &ebgp_ctx);
	peer_open(a_peer, PEER_AS, 90, LOCAL_ID + 1, OPEN_GR | OPEN_GR_F);
	peer_keepalive(a_peer);
	peer_cease(a_peer, BGP_CEASE_COLLISION, NULL);
	pump(&f);
	expect_down(&f, 1, 0);
	peer_open(b_peer, PEER_AS, 90, LOCAL_ID + 1, OPEN_GR | OPEN_GR_F);
	peer_keepalive(b_peer);
	peer_eor(b_peer);
	bgp_session_io(f.s, b_sess, EPOLLIN, f.now);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	ck_assert_int_eq(f.sweeps, 1);
	expect_down(&f, 1, 0);
	close(a_peer);
	close(b_peer);
	f.peer_fd = -1;
	fake_fini(&f);
}
END_TEST

/* ---- route refresh (RFC 2918) and our withdrawals ---------------------------------- */

START_TEST(test_route_refresh)
{
	struct bgp_session_cfg c = base_cfg();
	struct bgp_msg *m;
	uint8_t buf[32];
	struct fake f;

	fake_init(&f, &c);
	f.table_routes = 2;
	to_established(&f, OPEN_RR);
	ck_assert_int_eq(f.tables, 1);
	peer_write(f.peer_fd, buf, msg_refresh(buf));
	pump(&f);
	/* RFC 2918 4: our routes again. */
	ck_assert_int_eq(f.tables, 2);
	m = peer_expect(f.peer_fd, BGP_MSG_UPDATE, &ebgp_ctx);
	ck_assert_uint_eq(m->update.n_routes, 2);
	/* And we ask for theirs after a policy change. */
	bgp_session_refresh(f.s, f.now);
	m = peer_expect(f.peer_fd, BGP_MSG_ROUTE_REFRESH, &ebgp_ctx);
	ck_assert_uint_eq(m->route_refresh.afi, EVPN_AFI);
	ck_assert_uint_eq(m->route_refresh.safi, EVPN_SAFI);
	fake_fini(&f);
}
END_TEST

START_TEST(test_send_withdrawals)
{
	struct bgp_session_cfg c = base_cfg();
	struct bgp_out_route o[2];
	struct bgp_msg *m;
	struct fake f;

	fake_init(&f, &c);
	memset(o, 0, sizeof(o));
	make_route(&o[0].rt, 1);
	make_route(&o[1].rt, 2);
	/* Not Established: nothing to send to. */
	ck_assert_int_eq(bgp_session_send(f.s, o, 2, true, f.now), -ENOTCONN);
	to_established(&f, 0);
	ck_assert_int_eq(bgp_session_send(f.s, o, 2, true, f.now), 0);
	m = peer_expect(f.peer_fd, BGP_MSG_UPDATE, &ebgp_ctx);
	ck_assert_uint_eq(m->update.n_routes, 2);
	ck_assert(m->update.routes[0].withdraw);
	ck_assert(m->update.routes[1].withdraw);
	ck_assert(!BGP_ATTR_HAS(&m->update.attrs, BGP_ATTR_MP_REACH_NLRI));
	fake_fini(&f);
}
END_TEST

/* ---- 100 flaps ------------------------------------------------------------------------ */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

START_TEST(test_100_flaps)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;
	int fds, i;

	fds = count_fds();
	fake_init(&f, &c);
	f.table_routes = 2;
	for (i = 0; i < 100; i++) {
		unsigned gr = i % 2 ? OPEN_GR | OPEN_GR_F : 0;

		if (i == 0) {
			to_established(&f, gr);
		} else {
			/* Back after the idle hold, through Connect. */
			while (f.connects == i)
				advance(&f, 500);
			reconnect(&f);
			peer_open_established(&f, gr);
		}
		peer_update(f.peer_fd, &ebgp_ctx, PEER_AS, 1, 3, false);
		/* End-of-RIB ends what the last flap left stale. */
		peer_eor(f.peer_fd);
		pump(&f);
		ck_assert_int_eq(f.sweeps, f.down_keep);
		/* A long uptime keeps the back-off at its minimum. */
		f.now += BGP_STABLE_S * 1000;
		/* Half end with a NOTIFICATION (routes go), half with a bare
		 * TCP close (GR: routes stay, stale). */
		if (!gr)
			peer_cease(f.peer_fd, BGP_CEASE_ADMIN_RESET, NULL);
		peer_drop(&f);
		ck_assert_int_ne(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
		ck_assert_int_eq(gr ? f.down_keep : f.down_drop, (i + 2 - !!gr) / 2);
	}
	/* The last one was GR: it never returns, its restart time runs out. */
	f.connect_err = ECONNREFUSED;
	while (f.sweeps < f.down_keep)
		advance(&f, 5000);
	ck_assert_int_eq(f.down_drop, 50);
	ck_assert_int_eq(f.down_keep, 50);
	fake_fini(&f);
	ck_assert_int_eq(count_fds(), fds);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = session_suite("bgp_session");
	TCase *t = tcase_create("fsm");

	tcase_add_test(t, test_open_we_send);
	tcase_add_test(t, test_establish_sends_table_then_eor);
	tcase_add_test(t, test_ibgp_local_pref_and_empty_path);
	tcase_add_test(t, test_hold_negotiation_and_keepalives);
	tcase_add_test(t, test_hold_timer_notification);
	tcase_add_loop_test(t, test_fsm_table, 0, sizeof(fsm_cases) / sizeof(fsm_cases[0]));
	tcase_add_test(t, test_fsm_notification_received);
	tcase_add_test(t, test_stop_sends_cease);
	tcase_add_test(t, test_connect_retry_backoff);
	tcase_add_test(t, test_connect_timeout);
	tcase_add_test(t, test_passive_waits_and_accepts);
	tcase_add_test(t, test_idle_hold_after_error_then_reconnect);
	tcase_add_test(t, test_idle_refuses_connections);
	tcase_add_test(t, test_opensent_tcp_loss_goes_active);
	tcase_add_test(t, test_opensent_tcp_loss_retries);
	tcase_add_test(t, test_collision_local_id_lower);
	tcase_add_test(t, test_collision_local_id_higher);
	tcase_add_test(t, test_collision_with_established);
	tcase_add_test(t, test_collision_established_loses_by_id);
	tcase_add_test(t, test_collision_established_wins_by_id);
	tcase_add_test(t, test_collision_cease_on_established_keeps_routes);
	tcase_add_test(t, test_route_refresh);
	tcase_add_test(t, test_send_withdrawals);
	tcase_add_test(t, test_100_flaps);
	suite_add_tcase(s, t);
	return s;
}
