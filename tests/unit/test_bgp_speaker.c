/* test_bgp_speaker.c - the BGP speaker (agent/bgp/bgp.c): bgp_new() and
 * bgp_reload() with real sessions to scripted peers, on a fake clock.
 *  - bgp_new: a peer per configured neighbor, in configuration order, ids
 *    1, 2, 3; active neighbors connect, passive ones wait; the OPEN carries
 *    our AS, router id, hold time and restart time (clamped to 12 bits);
 *    after a restart the R and F bits, until every peer sent End-of-RIB or
 *    the restart time ran out on the clock; the session timers run from the
 *    speaker's timerfd (keepalive, hold timer) and uptime follows the clock;
 *  - bgp_reload: neighbors matched by address; a removed one gets Cease/Peer
 *    De-configured, an added one a new id (never one used before, not even
 *    its own earlier one); changed session settings reset that session
 *    alone with Cease/Other Configuration Change and keep its id;
 *    max_prefixes alone applies in place; a new AS or router id resets
 *    every session.
 *
 * The peers are this test: the neighbors are 127.0.0.2, .3, .4 (all on lo)
 * at the port of a listener the test holds, in a network namespace of the
 * case's own (Check forks each case; unshare: nothing outside sees it).
 * The speaker runs on a real event loop (core/loop.c), driven by the test
 * until what it waits for is there. Its clock is fake: the test links a
 * copy of the bgp folder's archive whose calls to clock_gettime and
 * timerfd_settime are renamed to fake_clock_gettime and
 * fake_timerfd_settime, defined here (UNIT_ARCHIVES_test_bgp_speaker in
 * the Makefile). To the speaker CLOCK_MONOTONIC reads fake_ms, and its
 * timerfd fires at once when the fake clock passes the deadline, never
 * otherwise; everything else (Check, the loop, the log) keeps the real
 * clock. Needs root (the namespace).
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include "check_main.h"
#include "bgp.h"
#include "bgp_io.h"
#include "bgp_msg.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "nl_test_util.h"
#include "session_test_util.h"

#define OUR_AS    65001
#define OUR_ID    "10.0.0.5"
#define N1        "127.0.0.2"
#define N2        "127.0.0.3"
#define N3        "127.0.0.4"

/* ---- the fake clock -------------------------------------------------------------- */

int fake_clock_gettime(clockid_t c, struct timespec *ts);
int fake_timerfd_settime(int fd, int flags, const struct itimerspec *nv, struct itimerspec *ov);

static uint64_t fake_ms = 1000000;      /* 1000 s after "boot" */
static int timer_fd = -1;               /* the speaker's timerfd, once armed */
static uint64_t timer_at;               /* its deadline on the fake clock, 0: disarmed */

int fake_clock_gettime(clockid_t c, struct timespec *ts)
{
	if (c != CLOCK_MONOTONIC)
		return clock_gettime(c, ts);
	ts->tv_sec = (time_t)(fake_ms / 1000);
	ts->tv_nsec = (long)(fake_ms % 1000) * 1000000;
	return 0;
}

/* The real timer fires now (1 ns) when the fake deadline has passed, and
 * not at all before. */
static int timer_sync(void)
{
	struct itimerspec its = { 0 };

	if (timer_fd < 0)
		return 0;
	if (timer_at && timer_at <= fake_ms)
		its.it_value.tv_nsec = 1;
	return timerfd_settime(timer_fd, 0, &its, NULL);
}

/* bgp.c arms its timerfd at an absolute time of the (fake) monotonic clock. */
int fake_timerfd_settime(int fd, int flags, const struct itimerspec *nv, struct itimerspec *ov)
{
	ck_assert_int_eq(flags, TFD_TIMER_ABSTIME);
	timer_fd = fd;
	timer_at = (uint64_t)nv->it_value.tv_sec * 1000 + (uint64_t)nv->it_value.tv_nsec / 1000000;
	if (ov)
		memset(ov, 0, sizeof(*ov));
	return timer_sync();
}

static uint64_t real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the loop, the listener, the speaker -------------------------------------------- */

static struct loop *loop;
static int tick_fd = -1;
static volatile bool stop;
static int lfd = -1;
static uint16_t lport;
static struct bgp *b;
static struct bgp_env env;

static void on_tick(void *ctx)
{
	uint64_t n;

	(void)ctx;
	if (read(tick_fd, &n, sizeof(n)) < 0)
		ck_abort_msg("tick: %s", strerror(errno));
	stop = true;
}

/* Runs the loop for about ms of real time. */
static void run_for(int ms)
{
	struct itimerspec its = { .it_value = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L } };

	ck_assert_int_eq(timerfd_settime(tick_fd, 0, &its, NULL), 0);
	stop = false;
	ck_assert_int_eq(loop_run(loop, &stop), 0);
}

/* The fake clock moves ms on; the speaker's timers that came due run. */
static void clock_advance(uint64_t ms)
{
	fake_ms += ms;
	ck_assert_int_eq(timer_sync(), 0);
	run_for(20);
}

static void setup(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	log_level = LOG_LVL_ERR;
	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	nt_sh("ip link set lo up");
	ck_assert_int_eq(loop_new(&loop), 0);
	tick_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	ck_assert_int_ge(tick_fd, 0);
	ck_assert_int_eq(loop_add(loop, tick_fd, on_tick, NULL), 0);
	ck_assert_int_eq(bgp_io_listen(0, &lfd), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
	lport = ntohs(sin.sin_port);
	env = (struct bgp_env){ .loop = loop, .listen_port = 0 };
}

static void teardown(void)
{
	bgp_free(b);
	b = NULL;
	loop_free(loop);
	close(tick_fd);
	close(lfd);
}

/* One neighbor's JSON: the peers all listen at lport; extra: more keys. */
static void nbr(char *out, size_t n, const char *addr, uint32_t asn, const char *extra)
{
	snprintf(out, n, "{ \"address\": \"%s\", \"asn\": %u, \"port\": %u%s%s }", addr, asn,
		 lport, extra ? ", " : "", extra ? extra : "");
}

/* A configuration with bgp { asn, router_id, graceful_restart_s: gr,
 * neighbors: [nbrs] }. */
static void cfg_make(struct vtep_config *c, uint32_t asn, const char *router_id, unsigned gr,
		     const char *nbrs)
{
	char json[2048], err[CFG_ERR_LEN] = "";

	snprintf(json, sizeof(json),
		 "{ \"vtep\": { \"ip\": \"192.0.2.1\", \"uplink\": \"eth0\" },"
		 "  \"bgp\": { \"asn\": %u, \"router_id\": \"%s\", \"graceful_restart_s\": %u,"
		 "            \"neighbors\": [ %s ] } }", asn, router_id, gr, nbrs);
	ck_assert_msg(config_parse(json, c, err) == 0, "%s: %s", json, err);
}

/* The restart time of the running configuration: a reload that keeps it
 * does not reset every session. */
static unsigned cur_gr;

static void speaker_new(uint32_t asn, unsigned gr, const char *nbrs)
{
	struct vtep_config c;

	cur_gr = gr;
	cfg_make(&c, asn, OUR_ID, gr, nbrs);
	ck_assert_int_eq(bgp_new(&c, &env, &b), 0);
	config_free(&c);
}

static void speaker_reload(uint32_t asn, const char *router_id, const char *nbrs)
{
	struct vtep_config c;

	cfg_make(&c, asn, router_id, cur_gr, nbrs);
	ck_assert_int_eq(bgp_reload(b, &c), 0);
	config_free(&c);
	run_for(20);
}

/* ---- what the speaker tells ------------------------------------------------------- */

/* The snapshot of the peer at addr (the test fails when there is none). */
static struct bgp_peer_info info_of(const char *addr)
{
	struct bgp_peer_info p[8];
	size_t n = bgp_peers_info(b, p, 8), i;

	for (i = 0; i < n; i++)
		if (p[i].address == inet_addr(addr))
			return p[i];
	ck_abort_msg("no peer %s", addr);
	return p[0];
}

/* Runs the loop until the peer at addr is in state st (2 s of real time). */
static void wait_state(const char *addr, enum bgp_state st)
{
	uint64_t end = real_ms() + 2000;

	while (info_of(addr).state != st && real_ms() < end)
		run_for(10);
	ck_assert_msg(info_of(addr).state == st, "%s: %s, want %s", addr,
		      bgp_state_name(info_of(addr).state), bgp_state_name(st));
}

/* ---- the peers -------------------------------------------------------------------- */

/* Accepted connections by the neighbor address they reached (several
 * sessions may connect at once). */
static struct { uint32_t addr; int fd; } held[16];
static int n_held;

/* The next connection the speaker made to addr: accepted (and any others
 * held for later), 2 s deadline. */
static int peer_accept(const char *addr)
{
	uint64_t end = real_ms() + 2000;
	uint32_t want = inet_addr(addr);
	int i;

	for (;;) {
		struct sockaddr_in sin;
		socklen_t sl = sizeof(sin);
		uint32_t a;
		uint16_t port;
		int fd;

		for (i = 0; i < n_held; i++) {
			if (held[i].addr == want) {
				fd = held[i].fd;
				held[i] = held[--n_held];
				return fd;
			}
		}
		ck_assert_msg(real_ms() < end, "no connection to %s", addr);
		run_for(10);
		if (bgp_io_accept(lfd, &fd, &a, &port))
			continue;
		ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
		ck_assert_int_lt(n_held, 16);
		held[n_held].addr = sin.sin_addr.s_addr;
		held[n_held++].fd = fd;
	}
}

/* Reads the next message, the speaker's loop running meanwhile. */
static struct bgp_msg *expect_msg(int fd, uint8_t type)
{
	uint64_t end = real_ms() + 2000;

	while (peer_quiet(fd) && real_ms() < end)
		run_for(10);
	return peer_expect(fd, type, &ebgp_ctx);
}

static void expect_cease(int fd, uint8_t subcode)
{
	struct bgp_msg *m = expect_msg(fd, BGP_MSG_NOTIFICATION);

	ck_assert_uint_eq(m->notification.code, BGP_ERR_CEASE);
	ck_assert_uint_eq(m->notification.subcode, subcode);
}

/* The speaker's session to addr, brought to Established by a peer of AS
 * asn (id id): our OPEN returned, our KEEPALIVE and End-of-RIB read. */
static int peer_up(const char *addr, uint32_t asn, uint32_t id, struct bgp_open *ours)
{
	int fd = peer_accept(addr);
	struct bgp_msg *m = expect_msg(fd, BGP_MSG_OPEN);

	if (ours)
		*ours = m->open;
	peer_open(fd, asn, 90, id, OPEN_GR);
	peer_keepalive(fd);
	wait_state(addr, BGP_ST_ESTABLISHED);
	expect_msg(fd, BGP_MSG_KEEPALIVE);
	m = expect_msg(fd, BGP_MSG_UPDATE);
	ck_assert(m->update.eor);
	return fd;
}

/* The next NOTIFICATION, past the KEEPALIVEs the speaker sent first. */
static struct bgp_msg *expect_notification(int fd)
{
	struct bgp_msg *m;
	uint64_t end = real_ms() + 2000;

	do {
		while (peer_quiet(fd) && real_ms() < end)
			run_for(10);
		m = peer_expect_any(fd);
	} while (m->type == BGP_MSG_KEEPALIVE);
	ck_assert_uint_eq(m->type, BGP_MSG_NOTIFICATION);
	return m;
}

/* Reads whatever the speaker sent so far. */
static void drain(int fd)
{
	uint8_t buf[BGP_MAX_LEN];

	while (!peer_quiet(fd))
		ck_assert_uint_gt(peer_read(fd, buf), 0);
}

/* Nothing more came from the speaker on fd (the loop ran meanwhile). */
static void expect_quiet(int fd)
{
	run_for(30);
	ck_assert_msg(peer_quiet(fd), "the speaker sent something");
}

/* ---- bgp_new ---------------------------------------------------------------------- */

/* A peer per neighbor, in the file's order, ids from 1; active ones
 * connect, a passive one waits; an iBGP neighbor is told apart. */
START_TEST(test_new_peers)
{
	struct bgp_peer_info p[4], one;
	char a[160], c[160], d[160], nbrs[512];

	nbr(a, sizeof(a), N1, 65002, NULL);
	nbr(c, sizeof(c), N2, 65003, "\"passive\": true");
	nbr(d, sizeof(d), N3, OUR_AS, NULL);
	snprintf(nbrs, sizeof(nbrs), "%s, %s, %s", a, c, d);
	speaker_new(OUR_AS, 120, nbrs);
	ck_assert_uint_eq(bgp_peers_info(b, p, 4), 3);
	ck_assert_uint_eq(p[0].id, 1);
	ck_assert_uint_eq(p[0].address, inet_addr(N1));
	ck_assert_uint_eq(p[0].asn, 65002);
	ck_assert(!p[0].ibgp);
	ck_assert_uint_eq(p[1].id, 2);
	ck_assert_uint_eq(p[1].address, inet_addr(N2));
	ck_assert_uint_eq(p[1].state, BGP_ST_ACTIVE);      /* passive: waits */
	ck_assert_uint_eq(p[2].id, 3);
	ck_assert(p[2].ibgp);
	/* The active ones connected; the passive one did not. */
	close(peer_accept(N1));
	close(peer_accept(N3));
	run_for(50);
	ck_assert_int_eq(bgp_io_accept(lfd, &(int){ 0 }, &(uint32_t){ 0 }, &(uint16_t){ 0 }),
			 -EAGAIN);
	ck_assert_int_eq(n_held, 0);
	ck_assert_int_eq(bgp_peer_info(b, 2, &one), 0);
	ck_assert_uint_eq(one.address, inet_addr(N2));
	ck_assert_int_eq(bgp_peer_info(b, 4, &one), -ENOENT);
}
END_TEST

/* Established: the OPEN says who we are; then the timers run off the
 * speaker's timerfd and the fake clock: uptime, our KEEPALIVE after the
 * keepalive time, Hold Timer Expired when the peer stays silent. */
START_TEST(test_new_established_timers)
{
	struct bgp_open o;
	struct bgp_msg *m;
	char a[160];
	int fd;

	nbr(a, sizeof(a), N1, 65002, "\"hold_time_s\": 90, \"keepalive_s\": 30");
	speaker_new(OUR_AS, 120, a);
	fd = peer_up(N1, 65002, PEER_ID, &o);
	ck_assert_uint_eq(o.asn, OUR_AS);
	ck_assert_uint_eq(o.bgp_id, inet_addr(OUR_ID));
	ck_assert_uint_eq(o.hold_time, 90);
	ck_assert(o.cap_gr);
	ck_assert_uint_eq(o.gr_time, 120);
	ck_assert_uint_eq(o.gr_flags & BGP_GR_RESTARTING, 0);   /* not restarting */
	ck_assert_uint_eq(info_of(N1).router_id, htonl(PEER_ID));
	ck_assert_uint_eq(info_of(N1).uptime_s, 0);
	clock_advance(7000);
	ck_assert_uint_eq(info_of(N1).uptime_s, 7);
	expect_quiet(fd);                       /* no KEEPALIVE before its time */
	clock_advance(23000);                         /* 30 s since Established */
	expect_msg(fd, BGP_MSG_KEEPALIVE);
	/* The peer says nothing for the hold time: 4/0 (RFC 4271 6.5). */
	clock_advance(61000);
	m = expect_notification(fd);
	ck_assert_uint_eq(m->notification.code, BGP_ERR_HOLD_TIMER);
	ck_assert_uint_ne(info_of(N1).state, BGP_ST_ESTABLISHED);
	close(fd);
}
END_TEST

/* After a restart over kept maps (RFC 4724 4.1): the R bit, and F for
 * L2VPN/EVPN, in every OPEN until the restart is over. The restart time
 * is clamped to the capability's 12 bits. With a peer that never sends
 * End-of-RIB, the restart ends when that time has passed on the clock:
 * a neighbor added afterwards is told nothing of a restart. */
START_TEST(test_new_restarted)
{
	struct vtep_config c;
	struct bgp_open o;
	char a[160], d[160], nbrs[400];
	int fd, fd3;

	nbr(a, sizeof(a), N1, 65002, NULL);
	cur_gr = 4095;
	cfg_make(&c, OUR_AS, OUR_ID, cur_gr, a);
	c.bgp.graceful_restart_s = 5000;        /* past 12 bits: clamped */
	env.restarted = true;
	ck_assert_int_eq(bgp_new(&c, &env, &b), 0);
	config_free(&c);
	fd = peer_up(N1, 65002, PEER_ID, &o);
	ck_assert_uint_eq(o.gr_time, 0x0fff);
	ck_assert_uint_eq(o.gr_flags & BGP_GR_RESTARTING, BGP_GR_RESTARTING);
	ck_assert_uint_eq(o.n_gr, 1);
	ck_assert_uint_eq(o.gr[0].flags & BGP_GR_AF_FORWARDING, BGP_GR_AF_FORWARDING);

	/* Still restarting (no End-of-RIB from N1): a new neighbor hears so. */
	nbr(d, sizeof(d), N2, 65003, NULL);
	snprintf(nbrs, sizeof(nbrs), "%s, %s", a, d);
	speaker_reload(OUR_AS, OUR_ID, nbrs);
	close(peer_up(N2, 65003, PEER_ID + 1, &o));
	ck_assert_uint_eq(o.gr_flags & BGP_GR_RESTARTING, BGP_GR_RESTARTING);

	/* The restart time runs out (keepalives keep N1 up meanwhile). */
	for (int s = 0; s < 4095; s += 30) {
		peer_keepalive(fd);
		clock_advance(30000);
		drain(fd);
	}
	ck_assert_uint_eq(info_of(N1).state, BGP_ST_ESTABLISHED);
	nbr(d, sizeof(d), N3, 65004, NULL);
	snprintf(nbrs, sizeof(nbrs), "%s, %s", a, d);
	speaker_reload(OUR_AS, OUR_ID, nbrs);
	fd3 = peer_up(N3, 65004, PEER_ID + 2, &o);
	ck_assert_uint_eq(o.gr_flags & BGP_GR_RESTARTING, 0);
	ck_assert_uint_eq(o.gr[0].flags & BGP_GR_AF_FORWARDING, BGP_GR_AF_FORWARDING);
	close(fd3);
	close(fd);
}
END_TEST

/* ---- bgp_reload ------------------------------------------------------------------- */

/* Two Established peers for the reload tests. */
static void two_up(int *fd1, int *fd2, char *a, char *c, size_t n)
{
	char nbrs[400];

	nbr(a, n, N1, 65002, NULL);
	nbr(c, n, N2, 65003, NULL);
	snprintf(nbrs, sizeof(nbrs), "%s, %s", a, c);
	speaker_new(OUR_AS, 120, nbrs);
	*fd1 = peer_up(N1, 65002, PEER_ID, NULL);
	*fd2 = peer_up(N2, 65003, PEER_ID + 1, NULL);
}

/* A neighbor gone from the file: Cease/Peer De-configured (RFC 4486), its
 * snapshot gone; the other session is not touched. Added again, it comes
 * back under a new id. */
START_TEST(test_reload_remove_add)
{
	struct bgp_peer_info p[4];
	char a[160], c[160], nbrs[400];
	int fd1, fd2;

	two_up(&fd1, &fd2, a, c, sizeof(a));
	speaker_reload(OUR_AS, OUR_ID, a);
	expect_cease(fd2, BGP_CEASE_PEER_DECONFIGURED);
	peer_expect_eof(fd2);
	ck_assert_uint_eq(bgp_peers_info(b, p, 4), 1);
	ck_assert_uint_eq(p[0].address, inet_addr(N1));
	ck_assert_uint_eq(p[0].id, 1);
	ck_assert_uint_eq(p[0].state, BGP_ST_ESTABLISHED);
	expect_quiet(fd1);
	/* Back: a new id (3), never its old one (2). */
	snprintf(nbrs, sizeof(nbrs), "%s, %s", a, c);
	speaker_reload(OUR_AS, OUR_ID, nbrs);
	ck_assert_uint_eq(info_of(N2).id, 3);
	close(fd2);
	fd2 = peer_up(N2, 65003, PEER_ID + 1, NULL);
	ck_assert_uint_eq(bgp_peers_info(b, p, 4), 2);
	ck_assert_uint_eq(p[1].id, 3);
	expect_quiet(fd1);
	close(fd1);
	close(fd2);
}
END_TEST

/* A session setting changed (hold time): that session is reset with
 * Cease/Other Configuration Change and comes back with the new setting and
 * the same id; the other one is not touched. */
START_TEST(test_reload_settings_change)
{
	struct bgp_open o;
	char a[160], c[160], nbrs[400];
	int fd1, fd2;

	two_up(&fd1, &fd2, a, c, sizeof(a));
	nbr(c, sizeof(c), N2, 65003, "\"hold_time_s\": 30");
	snprintf(nbrs, sizeof(nbrs), "%s, %s", a, c);
	speaker_reload(OUR_AS, OUR_ID, nbrs);
	expect_cease(fd2, BGP_CEASE_CONFIG_CHANGE);
	close(fd2);
	ck_assert_uint_eq(info_of(N2).id, 2);
	fd2 = peer_up(N2, 65003, PEER_ID + 1, &o);
	ck_assert_uint_eq(o.hold_time, 30);
	ck_assert_uint_eq(info_of(N2).id, 2);
	expect_quiet(fd1);
	ck_assert_uint_eq(info_of(N1).state, BGP_ST_ESTABLISHED);
	close(fd1);
	close(fd2);
}
END_TEST

/* max_prefixes alone is applied in place: no reset, nothing sent. */
START_TEST(test_reload_max_prefixes_in_place)
{
	char a[160], c[160], nbrs[400];
	int fd1, fd2;

	two_up(&fd1, &fd2, a, c, sizeof(a));
	nbr(c, sizeof(c), N2, 65003, "\"max_prefixes\": 1000");
	snprintf(nbrs, sizeof(nbrs), "%s, %s", a, c);
	speaker_reload(OUR_AS, OUR_ID, nbrs);
	expect_quiet(fd2);
	expect_quiet(fd1);
	ck_assert_uint_eq(info_of(N2).state, BGP_ST_ESTABLISHED);
	ck_assert_uint_eq(info_of(N2).id, 2);
	close(fd1);
	close(fd2);
}
END_TEST

/* Our AS, then our router id: every session is reset with Cease/Other
 * Configuration Change and opens again with the new value. */
START_TEST(test_reload_our_identity)
{
	struct bgp_open o1, o2;
	char a[160], c[160], nbrs[400];
	int fd1, fd2;

	two_up(&fd1, &fd2, a, c, sizeof(a));
	snprintf(nbrs, sizeof(nbrs), "%s, %s", a, c);
	speaker_reload(65010, OUR_ID, nbrs);
	expect_cease(fd1, BGP_CEASE_CONFIG_CHANGE);
	expect_cease(fd2, BGP_CEASE_CONFIG_CHANGE);
	close(fd1);
	close(fd2);
	fd1 = peer_up(N1, 65002, PEER_ID, &o1);
	fd2 = peer_up(N2, 65003, PEER_ID + 1, &o2);
	ck_assert_uint_eq(o1.asn, 65010);
	ck_assert_uint_eq(o2.asn, 65010);
	ck_assert_uint_eq(info_of(N1).id, 1);
	ck_assert_uint_eq(info_of(N2).id, 2);

	speaker_reload(65010, "10.0.0.6", nbrs);
	expect_cease(fd1, BGP_CEASE_CONFIG_CHANGE);
	expect_cease(fd2, BGP_CEASE_CONFIG_CHANGE);
	close(fd1);
	close(fd2);
	fd1 = peer_up(N1, 65002, PEER_ID, &o1);
	ck_assert_uint_eq(o1.bgp_id, inet_addr("10.0.0.6"));
	close(fd1);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = session_suite("bgp_speaker");
	TCase *tn = tcase_create("new"), *tr = tcase_create("reload");

	tcase_add_checked_fixture(tn, setup, teardown);
	tcase_add_checked_fixture(tr, setup, teardown);
	/* A wait that fails takes 2 s, a few may add up before the assertion. */
	tcase_set_timeout(tn, 30);
	tcase_set_timeout(tr, 30);
	tcase_add_test(tn, test_new_peers);
	tcase_add_test(tn, test_new_established_timers);
	tcase_add_test(tn, test_new_restarted);
	tcase_add_test(tr, test_reload_remove_add);
	tcase_add_test(tr, test_reload_settings_change);
	tcase_add_test(tr, test_reload_max_prefixes_in_place);
	tcase_add_test(tr, test_reload_our_identity);
	suite_add_tcase(s, tn);
	suite_add_tcase(s, tr);
	return s;
}
