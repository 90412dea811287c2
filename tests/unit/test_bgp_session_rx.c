/* test_bgp_session_rx.c - the UPDATE receive path of the BGP session
 * (agent/bgp/bgp_session.c) against a scripted peer, with a fake clock and a
 * fake RIB that records calls: routes and withdrawals reach the RIB in one
 * flush per read burst, routes refused by the AS loop check are withdrawn,
 * malformed UPDATEs are treated as withdraw and counted apart (RFC 7606,
 * issue 4), max-prefix (RFC 4486) on receipt and on reload, a RIB out of
 * memory resets the session, and a 2-octet AS peer (RFC 6793 4.2).
 *
 * The FSM is in test_bgp_session.c, graceful restart in
 * test_bgp_session_gr.c; the harness in session_test_util.c.
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

START_TEST(test_updates_reach_the_rib)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;
	int flushes;

	session_up(&f, &c, 0);
	flushes = f.flushes;
	peer_update(f.peer_fd, &ebgp_ctx, PEER_AS, 1, 3, false);
	peer_update(f.peer_fd, &ebgp_ctx, PEER_AS, 1, 1, true);
	pump(&f);
	ck_assert_int_eq(f.routes, 3);
	ck_assert_int_eq(f.withdrawn, 1);
	ck_assert_int_eq(f.begins, 2);
	ck_assert(!f.last_attrs);           /* a withdrawal has none */
	/* One flush for the whole read burst. */
	ck_assert_int_eq(f.flushes, flushes + 1);
	fake_fini(&f);
}
END_TEST

START_TEST(test_refused_routes_are_withdrawn)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;

	session_up(&f, &c, 0);
	/* A route server's path need not start with its AS (RFC 7947). */
	rx_update(&f, 65333, 1, 2, false);
	ck_assert_int_eq(f.routes, 2);
	/* Our own AS in the path: a loop, refused (an earlier version goes). */
	rx_update(&f, LOCAL_AS, 1, 1, false);
	ck_assert_int_eq(f.routes, 2);
	ck_assert_int_eq(f.withdrawn, 1);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	fake_fini(&f);
}
END_TEST

/* Issue 4: reachable routes of a malformed UPDATE reach the RIB as
 * withdrawals and are counted apart, as rejected; the session stays up. */
START_TEST(test_treat_as_withdraw_counted)
{
	struct bgp_session_cfg c = base_cfg();
	struct bgp_peer_info pi;
	struct fake f;

	session_up(&f, &c, 0);
	rx_update(&f, PEER_AS, 1, 2, false);
	ck_assert_int_eq(f.routes, 2);
	bgp_session_info(f.s, f.now, &pi);
	ck_assert_uint_eq(pi.routes_treat_as_withdraw, 0);
	peer_update_bad_origin(f.peer_fd, 1, 3);
	pump(&f);
	ck_assert_int_eq(f.routes, 2);
	ck_assert_int_eq(f.withdrawn, 3);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	bgp_session_info(f.s, f.now, &pi);
	ck_assert_uint_eq(pi.routes_treat_as_withdraw, 3);
	ck_assert_uint_eq(pi.routes_in, 2);
	ck_assert_uint_eq(pi.withdraws_in, 3);
	/* A plain withdrawal is not a rejection. */
	rx_update(&f, PEER_AS, 1, 1, true);
	bgp_session_info(f.s, f.now, &pi);
	ck_assert_uint_eq(pi.withdraws_in, 4);
	ck_assert_uint_eq(pi.routes_treat_as_withdraw, 3);
	fake_fini(&f);
}
END_TEST

/* ---- max-prefix (RFC 4486) ------------------------------------------------------------ */

START_TEST(test_max_prefixes)
{
	struct bgp_session_cfg c = base_cfg();
	struct bgp_msg *m;
	struct fake f;

	c.max_prefixes = 2;
	session_up(&f, &c, OPEN_GR | OPEN_GR_F);
	rx_update(&f, PEER_AS, 1, 2, false);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	rx_update(&f, PEER_AS, 3, 1, false);
	m = peer_expect(f.peer_fd, BGP_MSG_NOTIFICATION, &ebgp_ctx);
	ck_assert_uint_eq(m->notification.code, BGP_ERR_CEASE);
	ck_assert_uint_eq(m->notification.subcode, BGP_CEASE_MAX_PREFIXES);
	/* RFC 4486 4: AFI 25, SAFI 70, the bound 2. */
	ck_assert_uint_eq(m->notification.data_len, 7);
	ck_assert_uint_eq(m->notification.data[1], EVPN_AFI);
	ck_assert_uint_eq(m->notification.data[2], EVPN_SAFI);
	ck_assert_uint_eq(m->notification.data[6], 2);
	peer_expect_eof(f.peer_fd);
	ck_assert_int_eq(f.down_drop, 1);   /* not kept stale */
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_IDLE);
	/* It stays Idle for a minute, not the usual second. */
	advance(&f, 30000);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_IDLE);
	ck_assert_int_eq(f.connects, 1);
	advance(&f, 30000);
	ck_assert_int_eq(f.connects, 2);
	fake_fini(&f);
}
END_TEST

START_TEST(test_max_prefixes_lowered_by_reload)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;

	session_up(&f, &c, 0);
	rx_update(&f, PEER_AS, 1, 3, false);
	bgp_session_set_max_prefixes(f.s, 3, f.now);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	bgp_session_set_max_prefixes(f.s, 2, f.now);
	peer_expect_notification(f.peer_fd, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIXES);
	fake_fini(&f);
}
END_TEST

START_TEST(test_rib_out_of_memory_resets)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;

	session_up(&f, &c, 0);
	f.rib_err = ENOMEM;
	rx_update(&f, PEER_AS, 1, 1, false);
	peer_expect_notification(f.peer_fd, BGP_ERR_CEASE, BGP_CEASE_OUT_OF_RESOURCES);
	fake_fini(&f);
}
END_TEST

/* ---- a 2-octet AS speaker (RFC 6793 4.2) ------------------------------------------- */

START_TEST(test_as2_peer)
{
	static const struct bgp_parse_ctx as2_ctx = { .as4 = false, .ibgp = false };
	struct bgp_session_cfg c = base_cfg();
	struct bgp_msg *m;
	struct fake f;

	c.local_as = 4200000001u;
	fake_init(&f, &c);
	f.table_routes = 1;
	to_openconfirm(&f, OPEN_AS2);
	peer_keepalive(f.peer_fd);
	pump(&f);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	/* Our UPDATE: AS_TRANS in a 2-octet AS_PATH, the true AS in AS4_PATH. */
	m = peer_expect(f.peer_fd, BGP_MSG_UPDATE, &as2_ctx);
	ck_assert_uint_eq(m->update.attrs.as4_used, BGP_AS4_USED_PATH);
	ck_assert_uint_eq(m->update.attrs.aspath.asn[0], 4200000001u);
	peer_expect(f.peer_fd, BGP_MSG_UPDATE, &as2_ctx);     /* End-of-RIB */
	/* Its routes: 2-octet AS_PATH decoded... */
	peer_update(f.peer_fd, &as2_ctx, PEER_AS, 1, 1, false);
	pump(&f);
	ck_assert_int_eq(f.routes, 1);
	ck_assert_int_eq(f.withdrawn, 0);
	/* ... and our AS hidden behind AS_TRANS is found through AS4_PATH:
	 * the loop check refuses the route (treated as withdrawn). */
	peer_update(f.peer_fd, &as2_ctx, 4200000001u, 2, 1, false);
	pump(&f);
	ck_assert_int_eq(f.routes, 1);
	ck_assert_int_eq(f.withdrawn, 1);
	fake_fini(&f);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = session_suite("bgp_session_rx");
	TCase *t = tcase_create("rx");

	tcase_add_test(t, test_updates_reach_the_rib);
	tcase_add_test(t, test_refused_routes_are_withdrawn);
	tcase_add_test(t, test_treat_as_withdraw_counted);
	tcase_add_test(t, test_max_prefixes);
	tcase_add_test(t, test_max_prefixes_lowered_by_reload);
	tcase_add_test(t, test_rib_out_of_memory_resets);
	tcase_add_test(t, test_as2_peer);
	suite_add_tcase(s, t);
	return s;
}
