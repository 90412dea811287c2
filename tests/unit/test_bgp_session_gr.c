/* test_bgp_session_gr.c - graceful restart in the BGP session
 * (agent/bgp/bgp_session.c) against a scripted peer, with a fake clock: as
 * helper, the peer's routes kept stale across a bare TCP close until its
 * End-of-RIB, its F bit or its restart time (RFC 4724 4.2); a peer that
 * restarts while its old session is still Established; as restarting
 * speaker, the R bit in our first OPEN only; a planned shutdown closing
 * without a NOTIFICATION; and RFC 8538 (the N bit): which NOTIFICATIONs,
 * sent or received, keep the routes and which are a Hard Reset.
 *
 * The FSM is in test_bgp_session.c, the UPDATE receive path in
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

START_TEST(test_gr_peer_restart_replaces_established)
{
	struct bgp_session_cfg c = base_cfg();
	int old_peer, sv[2];
	struct fake f;

	session_up(&f, &c, OPEN_GR | OPEN_GR_F);
	old_peer = f.peer_fd;
	/* RFC 4724 4.2: a new connection with GR while the old session is
	 * still Established: the peer restarted. */
	f.now += 1000;
	accept_pair(&f, sv);
	peer_expect(sv[1], BGP_MSG_OPEN, &ebgp_ctx);
	peer_open(sv[1], PEER_AS, 90, PEER_ID, OPEN_GR | OPEN_GR_F);
	peer_keepalive(sv[1]);
	bgp_session_io(f.s, sv[0], EPOLLIN, f.now);
	peer_expect_eof(old_peer);          /* closed without NOTIFICATION */
	ck_assert_int_eq(f.down_keep, 1);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	ck_assert_int_eq(f.sweeps, 0);      /* waiting for End-of-RIB */
	peer_expect(sv[1], BGP_MSG_KEEPALIVE, &ebgp_ctx);
	peer_expect(sv[1], BGP_MSG_UPDATE, &ebgp_ctx);
	peer_eor(sv[1]);
	bgp_session_io(f.s, sv[0], EPOLLIN, f.now);
	ck_assert_int_eq(f.sweeps, 1);
	close(old_peer);
	close(sv[1]);
	f.peer_fd = -1;
	fake_fini(&f);
}
END_TEST

/* ---- graceful restart (RFC 4724) ------------------------------------------------------ */

/* RFC 4724 4.2: a GR peer's session ending without a NOTIFICATION is its
 * restart; we wait for it in Active, accepting its connection at once,
 * however often it restarts (the idle hold, which refuses connections and
 * doubles with every flap, is for peers that fail, RFC 4271 8.1.1). */
START_TEST(test_gr_peer_restart_waited_for_in_active)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;
	int i;

	session_up(&f, &c, OPEN_GR | OPEN_GR_F | OPEN_GR_N);
	for (i = 0; i < 10; i++) {
		f.now += 3000;                  /* well short of BGP_STABLE_S */
		peer_drop(&f);
		ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ACTIVE);
		ck_assert_int_eq(f.down_keep, i + 1);
		f.now += 300;
		accept_current(&f);
		peer_expect(f.peer_fd, BGP_MSG_OPEN, &ebgp_ctx);
		peer_open_established(&f, OPEN_GR | OPEN_GR_F | OPEN_GR_N);
		peer_expect(f.peer_fd, BGP_MSG_KEEPALIVE, &ebgp_ctx);
		peer_expect(f.peer_fd, BGP_MSG_UPDATE, &ebgp_ctx);
		peer_eor(f.peer_fd);
		pump(&f);
		ck_assert_int_eq(f.sweeps, i + 1);
	}
	ck_assert_int_eq(f.down_drop, 0);
	fake_fini(&f);
}
END_TEST

/* Without GR the same TCP loss ends the routes, and the session waits out
 * the idle hold in Idle as before (DampPeerOscillations). */
START_TEST(test_no_gr_tcp_loss_idle_hold)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;
	int sv[2];

	session_up(&f, &c, 0);
	peer_drop(&f);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_IDLE);
	expect_down(&f, 0, 1);
	accept_pair(&f, sv);
	peer_expect_eof(sv[1]);
	close(sv[1]);
	fake_fini(&f);
}
END_TEST

START_TEST(test_gr_helper_keeps_stale_until_eor)
{
	struct bgp_session_cfg c = base_cfg();
	struct bgp_peer_info pi;
	struct fake f;

	session_up(&f, &c, OPEN_GR | OPEN_GR_F);
	rx_update(&f, PEER_AS, 1, 2, false);
	ck_assert_int_eq(f.routes, 2);
	/* The peer's TCP session ends without a NOTIFICATION. */
	peer_drop(&f);
	expect_down(&f, 1, 0);
	bgp_session_info(f.s, f.now, &pi);
	ck_assert(pi.gr_stale);
	/* It comes back within its restart time (60 s), F bit set. */
	advance(&f, 2000);
	ck_assert_int_eq(f.connects, 2);
	reconnect(&f);
	peer_open_established(&f, OPEN_GR | OPEN_GR_F);
	ck_assert_int_eq(f.sweeps, 0);
	advance(&f, 60000);                 /* past its restart time: no matter now */
	ck_assert_int_eq(f.sweeps, 0);
	peer_update(f.peer_fd, &ebgp_ctx, PEER_AS, 1, 1, false);
	peer_eor(f.peer_fd);
	pump(&f);
	ck_assert_int_eq(f.sweeps, 1);
	bgp_session_info(f.s, f.now, &pi);
	ck_assert(!pi.gr_stale);
	ck_assert(pi.eor_received);
	fake_fini(&f);
}
END_TEST

START_TEST(test_gr_helper_restart_timer)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;

	fake_init(&f, &c);
	f.connect_err = 0;
	to_established(&f, OPEN_GR | OPEN_GR_F);
	close(f.peer_fd);
	f.peer_fd = -1;
	f.connect_err = ECONNREFUSED;       /* the peer stays away */
	pump(&f);
	ck_assert_int_eq(f.down_keep, 1);
	while (f.now < 1000000 + 59000)
		advance(&f, 1000);
	ck_assert_int_eq(f.sweeps, 0);
	advance(&f, 2000);
	ck_assert_int_eq(f.sweeps, 1);
	fake_fini(&f);
}
END_TEST

START_TEST(test_gr_helper_no_forwarding_state)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;

	session_up(&f, &c, OPEN_GR | OPEN_GR_F);
	peer_drop(&f);
	ck_assert_int_eq(f.down_keep, 1);
	advance(&f, 2000);
	reconnect(&f);
	/* Back, but its F bit is clear: the stale routes go at once. */
	peer_open_established(&f, OPEN_GR);
	ck_assert_int_eq(f.sweeps, 1);
	fake_fini(&f);
}
END_TEST

START_TEST(test_gr_not_negotiated_drops_routes)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;

	session_up(&f, &c, OPEN_GR_NOAF);   /* GR capability, no EVPN family */
	peer_drop(&f);
	expect_down(&f, 0, 1);
	fake_fini(&f);
}
END_TEST

START_TEST(test_gr_restarting_r_bit_once)
{
	struct bgp_session_cfg c = base_cfg();
	struct bgp_open o;
	struct fake f;

	c.gr_restarted = true;
	fake_init(&f, &c);
	o = to_opensent(&f);
	ck_assert_uint_eq(o.gr_flags & BGP_GR_RESTARTING, BGP_GR_RESTARTING);
	ck_assert_uint_eq(o.gr[0].flags, BGP_GR_AF_FORWARDING);
	peer_open_established(&f, 0);
	/* The next session's OPEN no longer says "restarting". */
	peer_drop(&f);
	advance(&f, 2000);
	o = reconnect(&f);
	ck_assert_uint_eq(o.gr_flags & BGP_GR_RESTARTING, 0);
	fake_fini(&f);
}
END_TEST

START_TEST(test_free_closes_without_notification)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;
	int peer;

	session_up(&f, &c, OPEN_GR | OPEN_GR_F);
	peer = f.peer_fd;
	bgp_session_free(f.s);
	/* A planned shutdown: TCP closes, no NOTIFICATION (RFC 4724 4.2). */
	peer_expect_eof(peer);
	close(peer);
}
END_TEST

/* ---- RFC 8538: graceful restart for NOTIFICATIONs ---------------------------------- */

#define GR_N (OPEN_GR | OPEN_GR_F | OPEN_GR_N)

/* Reads past our keepalives to the NOTIFICATION. */
static struct bgp_msg *peer_expect_notification_msg(int fd)
{
	struct bgp_msg *m;

	while ((m = peer_expect_any(fd))->type == BGP_MSG_KEEPALIVE)
		;
	ck_assert_uint_eq(m->type, BGP_MSG_NOTIFICATION);
	return m;
}

START_TEST(test_8538_hold_timer_keeps_routes)
{
	struct bgp_session_cfg c = base_cfg();
	struct bgp_peer_info pi;
	struct bgp_msg *m;
	struct fake f;

	c.keepalive = 0;
	session_up(&f, &c, GR_N);
	rx_update(&f, PEER_AS, 1, 2, false);
	f.now += 90000;
	bgp_session_timers(f.s, f.now);
	m = peer_expect_notification_msg(f.peer_fd);
	/* Hold Timer Expired as such: not a Hard Reset. */
	ck_assert_uint_eq(m->notification.code, BGP_ERR_HOLD_TIMER);
	peer_expect_eof(f.peer_fd);
	/* "the receiving speaker MUST follow the procedures ... as if the
	 * TCP session terminated": routes kept, stale, for its restart time. */
	expect_down(&f, 1, 0);
	bgp_session_info(f.s, f.now, &pi);
	ck_assert(pi.gr_stale);
	f.connect_err = ECONNREFUSED;
	while (f.sweeps == 0 && f.now < 1000000 + 200000)
		advance(&f, 1000);
	ck_assert_int_eq(f.sweeps, 1);      /* its 60 s restart time ran out */
	fake_fini(&f);
}
END_TEST

START_TEST(test_8538_notification_received)
{
	struct bgp_session_cfg c = base_cfg();
	uint8_t buf[BGP_MAX_LEN];
	struct bgp_peer_info pi;
	struct fake f;
	struct wbuf w;

	/* A NOTIFICATION other than Hard Reset keeps the routes... */
	session_up(&f, &c, GR_N);
	peer_cease(f.peer_fd, BGP_CEASE_ADMIN_RESET, "soft");
	pump(&f);
	peer_expect_eof(f.peer_fd);
	expect_down(&f, 1, 0);
	fake_fini(&f);

	/* ... a Hard Reset does not (RFC 8538 5), and its reason is read
	 * from the NOTIFICATION it wraps. */
	session_up(&f, &c, GR_N);
	wbuf_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(bgp_msg_build_hard_reset_cease(&w, BGP_CEASE_ADMIN_SHUTDOWN,
							"maintenance"), 0);
	peer_write(f.peer_fd, buf, w.len);
	pump(&f);
	peer_expect_eof(f.peer_fd);
	expect_down(&f, 0, 1);
	bgp_session_info(f.s, f.now, &pi);
	ck_assert_ptr_nonnull(strstr(pi.last_error, "Hard Reset 6/2"));
	ck_assert_ptr_nonnull(strstr(pi.last_error, "maintenance"));
	fake_fini(&f);

	/* Without the N bit from the peer, RFC 4724 alone: routes go. */
	session_up(&f, &c, OPEN_GR | OPEN_GR_F);
	peer_cease(f.peer_fd, BGP_CEASE_ADMIN_RESET, NULL);
	pump(&f);
	expect_down(&f, 0, 1);
	fake_fini(&f);

	/* Without our GR capability (gr_time 0) the N bit is not ours to
	 * honour either. */
	c.gr_time = 0;
	session_up(&f, &c, GR_N);
	peer_cease(f.peer_fd, BGP_CEASE_ADMIN_RESET, NULL);
	pump(&f);
	expect_down(&f, 0, 1);
	fake_fini(&f);
}
END_TEST

START_TEST(test_8538_update_error_keeps_routes)
{
	struct bgp_session_cfg c = base_cfg();
	uint8_t buf[64];
	struct fake f;

	session_up(&f, &c, GR_N);
	/* An UPDATE whose attribute length overruns it: session reset
	 * (RFC 7606 3), NOTIFICATION 3/1, and the routes stay stale. */
	raw_hdr(buf, 23, BGP_MSG_UPDATE);
	buf[19] = 0;
	buf[20] = 0;
	buf[21] = 0;
	buf[22] = 9;
	peer_write(f.peer_fd, buf, 23);
	pump(&f);
	peer_expect_notification(f.peer_fd, BGP_ERR_UPDATE, BGP_UPD_MALFORMED_ATTR_LIST);
	expect_down(&f, 1, 0);
	fake_fini(&f);
}
END_TEST

START_TEST(test_8538_max_prefixes_hard_reset)
{
	struct bgp_session_cfg c = base_cfg();
	struct bgp_msg *m;
	struct fake f;

	c.max_prefixes = 2;
	session_up(&f, &c, GR_N);
	rx_update(&f, PEER_AS, 1, 3, false);
	m = peer_expect(f.peer_fd, BGP_MSG_NOTIFICATION, &ebgp_ctx);
	/* RFC 8538 5.1: Cease/Hard Reset wrapping Cease/Maximum Number of
	 * Prefixes Reached and its RFC 4486 data. */
	ck_assert_uint_eq(m->notification.code, BGP_ERR_CEASE);
	ck_assert_uint_eq(m->notification.subcode, BGP_CEASE_HARD_RESET);
	ck_assert(m->notification.hard_reset);
	ck_assert_uint_eq(m->notification.inner_code, BGP_ERR_CEASE);
	ck_assert_uint_eq(m->notification.inner_subcode, BGP_CEASE_MAX_PREFIXES);
	ck_assert_uint_eq(m->notification.data_len, 2 + 7);
	ck_assert_uint_eq(m->notification.data[3], EVPN_AFI);
	ck_assert_uint_eq(m->notification.data[8], 2);
	peer_expect_eof(f.peer_fd);
	expect_down(&f, 0, 1);
	fake_fini(&f);
}
END_TEST

/* Our own stop, with the N bit negotiated: Hard Reset or not, by why. */
static struct bgp_msg *stop_gr_n(struct fake *f, const struct bgp_session_cfg *c,
				 uint8_t subcode, const char *reason)
{
	session_up(f, c, GR_N);
	bgp_session_stop(f->s, f->now, subcode, reason);
	return peer_expect(f->peer_fd, BGP_MSG_NOTIFICATION, &ebgp_ctx);
}

START_TEST(test_8538_stop)
{
	struct bgp_session_cfg c = base_cfg();
	struct bgp_msg *m;
	struct fake f;

	/* Peer de-configured: Hard Reset (RFC 8538 5.1). */
	m = stop_gr_n(&f, &c, BGP_CEASE_PEER_DECONFIGURED, NULL);
	ck_assert_uint_eq(m->notification.subcode, BGP_CEASE_HARD_RESET);
	ck_assert_uint_eq(m->notification.inner_subcode, BGP_CEASE_PEER_DECONFIGURED);
	ck_assert_int_eq(f.down_drop, 1);
	fake_fini(&f);

	/* Administrative shutdown with an RFC 9003 reason inside. */
	m = stop_gr_n(&f, &c, BGP_CEASE_ADMIN_SHUTDOWN, "bye");
	ck_assert_uint_eq(m->notification.subcode, BGP_CEASE_HARD_RESET);
	ck_assert_uint_eq(m->notification.inner_subcode, BGP_CEASE_ADMIN_SHUTDOWN);
	ck_assert(m->notification.has_reason);
	ck_assert_str_eq(m->notification.reason, "bye");
	fake_fini(&f);

	/* Other Configuration Change is graceful for the peer: sent as is. */
	session_up(&f, &c, GR_N);
	bgp_session_stop(f.s, f.now, BGP_CEASE_CONFIG_CHANGE, NULL);
	peer_expect_notification(f.peer_fd, BGP_ERR_CEASE, BGP_CEASE_CONFIG_CHANGE);
	fake_fini(&f);

	/* No N from the peer: the plain Cease. */
	session_up(&f, &c, OPEN_GR | OPEN_GR_F);
	bgp_session_stop(f.s, f.now, BGP_CEASE_PEER_DECONFIGURED, NULL);
	peer_expect_notification(f.peer_fd, BGP_ERR_CEASE, BGP_CEASE_PEER_DECONFIGURED);
	fake_fini(&f);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = session_suite("bgp_session_gr");
	TCase *t = tcase_create("gr");

	tcase_add_test(t, test_gr_peer_restart_replaces_established);
	tcase_add_test(t, test_gr_helper_keeps_stale_until_eor);
	tcase_add_test(t, test_gr_helper_restart_timer);
	tcase_add_test(t, test_gr_peer_restart_waited_for_in_active);
	tcase_add_test(t, test_no_gr_tcp_loss_idle_hold);
	tcase_add_test(t, test_gr_helper_no_forwarding_state);
	tcase_add_test(t, test_gr_not_negotiated_drops_routes);
	tcase_add_test(t, test_gr_restarting_r_bit_once);
	tcase_add_test(t, test_free_closes_without_notification);
	tcase_add_test(t, test_8538_hold_timer_keeps_routes);
	tcase_add_test(t, test_8538_notification_received);
	tcase_add_test(t, test_8538_update_error_keeps_routes);
	tcase_add_test(t, test_8538_max_prefixes_hard_reset);
	tcase_add_test(t, test_8538_stop);
	suite_add_tcase(s, t);
	return s;
}
