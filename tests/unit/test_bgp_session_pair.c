/* test_bgp_session_pair.c - two BGP sessions (agent/bgp/bgp_session.c)
 * peering with each other, as two vtepds that peer directly do: both active
 * (RFC 4271 6.8 collisions happen), graceful restart (RFC 4724) with the N
 * bit (RFC 8538). Each session's connections are socketpairs whose other
 * ends the other session accepts; one fake clock drives both. The tests
 * replay, event by event, the races of a vtepd that stops (SIGTERM: its
 * sessions closed without NOTIFICATION) and starts again straight away,
 * and check that both sides settle on the same connection, Established,
 * within a bound:
 *   - the idle-hold lockout (RFC 4271 8.2.2, OpenSent, Event 18): the
 *     restarted side's connection is refused by the other side's idle hold;
 *   - a collision where one side's connection is Established before it
 *     reads the other connection's OPEN (RFC 4271 6.8, 8.2.2 Event 19),
 *     with either side's BGP Identifier the higher;
 *   - twenty restarts in a row, and both sides at once.
 *
 * The single-session FSM is in test_bgp_session.c, graceful restart in
 * test_bgp_session_gr.c; the shared harness in session_test_util.h.
 */
#include "session_test_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_main.h"
#include "log.h"

#define ADDR_X 0xc6336402u      /* 198.51.100.2: h1's uplink */
#define ADDR_Y 0xc6336406u      /* 198.51.100.6: h2's uplink */
#define ID_LOW  0xc0000201u     /* 192.0.2.1 */
#define ID_HIGH 0xc0000202u     /* 192.0.2.2 */

/* One speaker of the pair. */
struct spk {
	const char *name;
	struct bgp_session *s;
	struct bgp_session_cfg cfg;
	struct spk *peer;
	uint64_t *now;
	struct { int fd; uint32_t ev; } w[8];   /* watched fds (the owner's epoll set) */
	int pend[8], n_pend;    /* connections from the peer not accepted yet */
	int out, in;            /* our last outbound connection, the last accepted */
	int connects, accepts;
	int routes, down_keep, down_drop, sweeps;
	size_t count;
	int route_base;         /* our routes: route_base + 1, + 2 */
};

struct pair {
	struct spk x, y;
	uint64_t now;
};

/* Every socketpair made, its two ends: the newest pair holding an fd is
 * the live one (the kernel reuses a number only once it is closed). */
static int conns[4096][2];
static int n_conns;

static int conn_other_end(int fd)
{
	for (int i = n_conns - 1; i >= 0; i--) {
		if (conns[i][0] == fd)
			return conns[i][1];
		if (conns[i][1] == fd)
			return conns[i][0];
	}
	return -1;
}

static int sp_connect(void *ctx, struct bgp_session *s, int *fd)
{
	struct spk *p = ctx;
	int sv[2];

	(void)s;
	p->connects++;
	if (!p->peer->s)
		return -ECONNREFUSED;   /* vtepd is not running there */
	ck_assert_int_lt(p->peer->n_pend, 8);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	*fd = p->out = sv[0];
	ck_assert_int_lt(n_conns, 4096);
	conns[n_conns][0] = sv[0];
	conns[n_conns][1] = sv[1];
	n_conns++;
	p->peer->pend[p->peer->n_pend++] = sv[1];
	return 0;
}

static void sp_watch(void *ctx, struct bgp_session *s, int fd, uint32_t ev)
{
	struct spk *p = ctx;
	int i, free_i = -1;

	(void)s;
	for (i = 0; i < 8; i++) {
		if (p->w[i].fd == fd) {
			p->w[i].ev = ev;
			return;
		}
		if (p->w[i].fd < 0 && free_i < 0)
			free_i = i;
	}
	ck_assert_int_ge(free_i, 0);
	p->w[free_i].fd = fd;
	p->w[free_i].ev = ev;
}

static void sp_unwatch(void *ctx, struct bgp_session *s, int fd)
{
	struct spk *p = ctx;

	(void)s;
	for (int i = 0; i < 8; i++)
		if (p->w[i].fd == fd)
			p->w[i].fd = -1;
}

static int sp_route(void *ctx, struct bgp_session *s, const struct evpn_route *rt,
		    const struct bgp_attrs *a)
{
	struct spk *p = ctx;

	(void)s;
	(void)a;
	if (!rt->withdraw)
		p->routes++;
	return 0;
}

static void sp_down(void *ctx, struct bgp_session *s, bool keep)
{
	struct spk *p = ctx;

	(void)s;
	if (keep)
		p->down_keep++;
	else
		p->down_drop++;
}

static void sp_sweep(void *ctx, struct bgp_session *s)
{
	(void)s;
	((struct spk *)ctx)->sweeps++;
}

static size_t sp_count(void *ctx, struct bgp_session *s)
{
	(void)s;
	return ((struct spk *)ctx)->count;
}

static void sp_table(void *ctx, struct bgp_session *s)
{
	struct spk *p = ctx;
	struct bgp_out_route o[2];

	for (int i = 0; i < 2; i++) {
		memset(&o[i], 0, sizeof(o[i]));
		make_route(&o[i].rt, p->route_base + i + 1);
		bgp_ext_rt_as2(o[i].ext[0], 65000, 100);
		bgp_ext_encap(o[i].ext[1], BGP_TUNNEL_VXLAN);
		o[i].n_ext = 2;
	}
	ck_assert_int_eq(bgp_session_send(s, o, 2, false, *p->now), 0);
}

static const struct bgp_session_ops sp_ops = {
	.connect = sp_connect,
	.watch = sp_watch,
	.unwatch = sp_unwatch,
	.rib_route = sp_route,
	.rib_peer_down = sp_down,
	.rib_stale_sweep = sp_sweep,
	.rib_count = sp_count,
	.send_table = sp_table,
};

/* What vtepd's session_cfg() makes of bgp_pair_restart.sh's configuration:
 * eBGP, hold 9 s, keepalive 3 s, graceful restart 120 s, active. */
static void spk_cfg(struct spk *p, uint32_t peer_addr, uint32_t as, uint32_t peer_as,
		    uint32_t id)
{
	struct bgp_session_cfg *c = &p->cfg;

	memset(c, 0, sizeof(*c));
	c->id = 1;
	c->address = htonl(peer_addr);
	c->port = 179;
	c->remote_as = peer_as;
	c->local_as = as;
	c->router_id = htonl(id);
	c->next_hop = htonl(id);
	c->hold_time = 9;
	c->keepalive = 3;
	c->gr_time = 120;
}

static void spk_init(struct pair *pr, struct spk *p, struct spk *peer, const char *name)
{
	memset(p, 0, sizeof(*p));
	p->name = name;
	p->peer = peer;
	p->now = &pr->now;
	p->out = p->in = -1;
	for (int i = 0; i < 8; i++)
		p->w[i].fd = -1;
}

/* x has the lower BGP Identifier unless x_high. */
static void pair_init(struct pair *pr, bool x_high)
{
	pr->now = 1000000;
	n_conns = 0;
	spk_init(pr, &pr->x, &pr->y, "x");
	spk_init(pr, &pr->y, &pr->x, "y");
	spk_cfg(&pr->x, ADDR_Y, 65101, 65102, x_high ? ID_HIGH : ID_LOW);
	spk_cfg(&pr->y, ADDR_X, 65102, 65101, x_high ? ID_LOW : ID_HIGH);
	pr->x.route_base = 10;
	pr->y.route_base = 20;
}

/* vtepd starts: a new session (R bit when restarted) and a new RIB; not
 * started yet. */
static void spk_new(struct spk *p, bool restarted)
{
	p->cfg.gr_restarted = restarted;
	p->routes = p->down_keep = p->down_drop = p->sweeps = 0;
	ck_assert_int_eq(bgp_session_new(&p->cfg, &sp_ops, p, &p->s), 0);
}

static void spk_start(struct pair *pr, struct spk *p, bool restarted)
{
	spk_new(p, restarted);
	bgp_session_start(p->s, pr->now);
}

/* Both vtepds start at the same moment: each one's first connection
 * attempt reaches the other's listener. */
static void pair_start_both(struct pair *pr, bool restarted)
{
	spk_new(&pr->x, restarted);
	spk_new(&pr->y, restarted);
	bgp_session_start(pr->x.s, pr->now);
	bgp_session_start(pr->y.s, pr->now);
}

/* vtepd stops (SIGTERM): its sessions closed without NOTIFICATION, and the
 * kernel resets what waited in its listener's queue. */
static void spk_stop(struct spk *p)
{
	bgp_session_free(p->s);
	p->s = NULL;
	for (int i = 0; i < p->n_pend; i++)
		close(p->pend[i]);
	p->n_pend = 0;
	for (int i = 0; i < 8; i++)
		p->w[i].fd = -1;
	p->out = p->in = -1;
}

static void spk_fini(struct spk *p)
{
	if (p->s)
		spk_stop(p);
}

/* The next connection in our listener's queue. */
static void spk_accept(struct pair *pr, struct spk *p)
{
	int fd;

	ck_assert_int_gt(p->n_pend, 0);
	fd = p->pend[0];
	memmove(p->pend, p->pend + 1, sizeof(p->pend[0]) * (size_t)--p->n_pend);
	p->accepts++;
	p->in = fd;
	bgp_session_accept(p->s, fd, pr->now);
}

/* epoll reports events on fd (if the session still watches it). */
static void spk_io(struct pair *pr, struct spk *p, int fd, uint32_t ev)
{
	bgp_session_io(p->s, fd, ev, pr->now);
}

static bool fd_readable(int fd)
{
	struct pollfd q = { .fd = fd, .events = POLLIN };

	return poll(&q, 1, 0) == 1;
}

/* One pending event of p, as an event loop would get it: a completed
 * connect or room to write, data or an end of stream to read, then a
 * connection to accept. false when none is pending. */
static bool spk_event(struct pair *pr, struct spk *p)
{
	if (!p->s)
		return false;
	for (int i = 0; i < 8; i++)
		if (p->w[i].fd >= 0 && (p->w[i].ev & EPOLLOUT)) {
			spk_io(pr, p, p->w[i].fd, EPOLLOUT);
			return true;
		}
	for (int i = 0; i < 8; i++)
		if (p->w[i].fd >= 0 && (p->w[i].ev & EPOLLIN) && fd_readable(p->w[i].fd)) {
			spk_io(pr, p, p->w[i].fd, EPOLLIN);
			return true;
		}
	if (p->n_pend) {
		spk_accept(pr, p);
		return true;
	}
	return false;
}

static bool pair_up(struct pair *pr)
{
	return pr->x.s && pr->y.s && bgp_session_state(pr->x.s) == BGP_ST_ESTABLISHED &&
	       bgp_session_state(pr->y.s) == BGP_ST_ESTABLISHED;
}

/* Both event loops run, alternately, and the clock moves on to the next
 * timer when both are quiet, until the clock reaches `until` or, when
 * stop_up, both sessions are Established and quiet. Returns pair_up(). */
static bool pair_loop(struct pair *pr, uint64_t until, bool stop_up)
{
	for (int guard = 0; guard < 100000; guard++) {
		bool ev = spk_event(pr, &pr->x);

		ev |= spk_event(pr, &pr->y);
		if (ev)
			continue;
		if (stop_up && pair_up(pr))
			return true;
		uint64_t t = UINT64_MAX;

		if (pr->x.s)
			t = bgp_session_next_timer(pr->x.s);
		if (pr->y.s && bgp_session_next_timer(pr->y.s) < t)
			t = bgp_session_next_timer(pr->y.s);
		if (t > until) {
			pr->now = until;
			return pair_up(pr);
		}
		if (t > pr->now)
			pr->now = t;
		if (pr->x.s)
			bgp_session_timers(pr->x.s, pr->now);
		if (pr->y.s)
			bgp_session_timers(pr->y.s, pr->now);
	}
	ck_abort_msg("the pair never settles");
	return false;
}

/* Until both are up (true), or the clock reaches until (false). */
static bool pair_run(struct pair *pr, uint64_t until)
{
	return pair_loop(pr, until, true);
}

/* Both run for ms; whether both are up at the end. */
static bool pair_for(struct pair *pr, uint64_t ms)
{
	return pair_loop(pr, pr->now + ms, false);
}

/* Both sessions are Established over one and the same connection: each
 * side holds exactly one, whose other end the other side holds. */
static void expect_same_connection(struct pair *pr)
{
	struct spk *x = &pr->x, *y = &pr->y;
	int nx = 0, ny = 0;

	ck_assert(pair_up(pr));
	for (int i = 0; i < 8; i++) {
		nx += x->w[i].fd >= 0;
		ny += y->w[i].fd >= 0;
	}
	ck_assert_int_eq(nx, 1);
	ck_assert_int_eq(ny, 1);
	for (int i = 0; i < 8; i++) {
		if (x->w[i].fd < 0)
			continue;
		for (int j = 0; j < 8; j++)
			if (y->w[j].fd >= 0) {
				ck_assert_int_eq(conn_other_end(x->w[i].fd), y->w[j].fd);
			}
		/* Nothing left unread: no NOTIFICATION, no end of stream. */
		ck_assert(!fd_readable(x->w[i].fd));
	}
}

static void pair_fini(struct pair *pr)
{
	spk_fini(&pr->x);
	spk_fini(&pr->y);
}

/* Both start at once and come up; whatever the collisions, within 1 s. */
static void pair_start(struct pair *pr, bool x_high)
{
	pair_init(pr, x_high);
	pair_start_both(pr, false);
	ck_assert_msg(pair_run(pr, pr->now + 1000), "the pair did not come up");
	expect_same_connection(pr);
	/* Twice when both were Established over the connection the
	 * Identifiers make lose, and moved (routes kept stale meanwhile). */
	ck_assert_int_ge(pr->x.routes, 2);
	ck_assert_int_ge(pr->y.routes, 2);
	ck_assert_int_eq(pr->x.down_drop + pr->y.down_drop, 0);
}

/* ---- the idle-hold lockout: RFC 4271 8.2.2, OpenSent, Event 18 --------------------------- */

/* bgp_pair_restart.sh's first failure, from the vtepd logs (h1: x, the
 * lower Identifier): h1 stops; h2 reads the end of stream, keeps h1's
 * routes stale and went Idle for its idle hold; h1 starts 370 ms later,
 * connects, sends its OPEN; h2 refuses the connection in Idle (accept,
 * close) and h1 went Idle for its own idle hold; h2's hold ends first,
 * its connection is refused by h1's idle hold, and so on with idle holds
 * of 1, 2, 4, ... 120 s, until h1's restart time ran out on h2. */
START_TEST(test_pair_restart_not_locked_out)
{
	struct pair pr;
	uint64_t t0;

	pair_start(&pr, false);
	spk_stop(&pr.x);
	ck_assert(!pair_for(&pr, 370));
	ck_assert_int_eq(pr.y.down_keep, 1);            /* RFC 4724 4.2 */
	t0 = pr.now;
	spk_start(&pr, &pr.x, true);
	ck_assert_msg(pair_run(&pr, t0 + 10000), "not Established within 10 s of the restart");
	/* Not after an idle hold either: at once, or after one
	 * ConnectRetry of at most BGP_RETRY_MIN_S. */
	ck_assert_uint_le(pr.now - t0, BGP_RETRY_MIN_S * 1000);
	expect_same_connection(&pr);
	ck_assert_int_eq(pr.y.down_drop, 0);
	/* h1's End-of-RIB: its routes are fresh again on h2 (RFC 4724 4.2). */
	ck_assert_int_eq(pr.y.sweeps, 1);
	ck_assert_int_eq(pr.x.routes, 2);
	pair_fini(&pr);
}
END_TEST

/* The same lockout, directly: x's connection in OpenSent is closed by y
 * (Idle, refusing), and x must wait in Active, accepting, not Idle. */
START_TEST(test_pair_opensent_refused_then_accepts)
{
	struct pair pr;

	pair_start(&pr, false);
	spk_stop(&pr.x);
	/* y reads the end of stream: down, routes stale. */
	ck_assert(!pair_for(&pr, 10));
	spk_start(&pr, &pr.x, true);
	spk_io(&pr, &pr.x, pr.x.out, EPOLLOUT);        /* x: OpenSent */
	ck_assert_int_eq(bgp_session_state(pr.x.s), BGP_ST_OPENSENT);
	/* Make y refuse it as an Idle session does: stopped and started
	 * again, it waits out nothing, so refuse by hand: close it. */
	ck_assert_int_eq(pr.y.n_pend, 1);
	close(pr.y.pend[0]);
	pr.y.n_pend = 0;
	spk_io(&pr, &pr.x, pr.x.out, EPOLLIN);         /* x reads the end */
	/* RFC 4271 8.2.2 OpenSent, TcpConnectionFails: Active, listening. */
	ck_assert_int_eq(bgp_session_state(pr.x.s), BGP_ST_ACTIVE);
	ck_assert_msg(pair_run(&pr, pr.now + 3000), "not Established within 3 s");
	expect_same_connection(&pr);
	pair_fini(&pr);
}
END_TEST

/* ---- a collision with a connection Established on one side only ------------------------ */

/* Both connect at once (A: x's, B: y's), both send OPENs on both. y reads
 * x's OPEN on A first (B still in OpenSent there: no collision yet) and
 * answers OPEN and KEEPALIVE on A, which x reads: A is Established on x
 * before x reads y's OPEN on B. y then reads x's OPEN on B, a collision
 * with A in OpenConfirm (RFC 4271 6.8): it keeps the connection of the
 * higher Identifier. Both must keep the same one. */
static void established_collision(bool x_high)
{
	struct pair pr;
	int a_x, a_y, b_x, b_y;

	pair_init(&pr, x_high);
	pair_start_both(&pr, false);
	a_x = pr.x.out;
	b_y = pr.y.out;
	spk_io(&pr, &pr.x, a_x, EPOLLOUT);             /* x: OPEN on A */
	spk_io(&pr, &pr.y, b_y, EPOLLOUT);             /* y: OPEN on B */
	spk_accept(&pr, &pr.y);                         /* y: OPEN on A */
	a_y = pr.y.in;
	spk_accept(&pr, &pr.x);                         /* x: OPEN on B */
	b_x = pr.x.in;
	ck_assert_int_eq(bgp_session_state(pr.x.s), BGP_ST_OPENSENT);
	ck_assert_int_eq(bgp_session_state(pr.y.s), BGP_ST_OPENSENT);

	spk_io(&pr, &pr.y, a_y, EPOLLIN);              /* y: A OpenConfirm, KEEPALIVE */
	ck_assert_int_eq(bgp_session_state(pr.y.s), BGP_ST_OPENCONFIRM);
	spk_io(&pr, &pr.x, a_x, EPOLLIN);              /* x: OPEN, KEEPALIVE on A */
	ck_assert_int_eq(bgp_session_state(pr.x.s), BGP_ST_ESTABLISHED);
	spk_io(&pr, &pr.x, b_x, EPOLLIN);              /* x: y's OPEN on B */
	spk_io(&pr, &pr.y, b_y, EPOLLIN);              /* y: x's OPEN on B: collision */

	/* No timer needed: no idle hold, no ConnectRetry. */
	ck_assert_msg(pair_run(&pr, pr.now + 100), "the collision left the session down");
	expect_same_connection(&pr);
	if (x_high) {
		/* A (x's) survives: Established on x all along. */
		ck_assert_int_eq(bgp_session_state(pr.x.s), BGP_ST_ESTABLISHED);
		ck_assert_int_eq(pr.x.down_keep + pr.x.down_drop, 0);
	} else {
		/* B (y's) survives: x left A for it, y's routes kept stale
		 * meanwhile and fresh after its End-of-RIB on B. */
		ck_assert_int_eq(pr.x.down_keep, 1);
		ck_assert_int_eq(pr.x.down_drop, 0);
		ck_assert_int_eq(pr.x.sweeps, 1);
	}
	ck_assert_int_eq(pr.y.down_keep + pr.y.down_drop, 0);
	/* And it stays up: keepalives flow for a minute. */
	ck_assert(pair_for(&pr, 60000));
	expect_same_connection(&pr);
	pair_fini(&pr);
}

START_TEST(test_pair_collision_established_loses_by_id)
{
	established_collision(false);
}
END_TEST

START_TEST(test_pair_collision_established_wins_by_id)
{
	established_collision(true);
}
END_TEST

/* y's Cease/Collision on A reaches x before x reads y's OPEN on B: x's
 * Established A goes, the session carries on over B, y's routes kept
 * stale until B's End-of-RIB. */
START_TEST(test_pair_collision_cease_before_open)
{
	struct pair pr;
	int a_x, a_y, b_x, b_y;

	pair_init(&pr, false);
	pair_start_both(&pr, false);
	a_x = pr.x.out;
	b_y = pr.y.out;
	spk_io(&pr, &pr.x, a_x, EPOLLOUT);
	spk_io(&pr, &pr.y, b_y, EPOLLOUT);
	spk_accept(&pr, &pr.y);
	a_y = pr.y.in;
	spk_accept(&pr, &pr.x);
	b_x = pr.x.in;
	spk_io(&pr, &pr.y, a_y, EPOLLIN);              /* y: A OpenConfirm */
	spk_io(&pr, &pr.y, b_y, EPOLLIN);              /* y: B wins, Cease on A */
	spk_io(&pr, &pr.x, a_x, EPOLLIN);              /* x: OPEN, KEEPALIVE, Cease on A */
	ck_assert_int_eq(pr.x.down_drop, 0);
	ck_assert_int_eq(bgp_session_state(pr.x.s), BGP_ST_OPENSENT);
	(void)b_x;
	ck_assert_msg(pair_run(&pr, pr.now + 100), "the collision left the session down");
	expect_same_connection(&pr);
	pair_fini(&pr);
}
END_TEST

/* ---- restarts in a row ------------------------------------------------------------------ */

/* bgp_pair_restart.sh on the fake clock: x restarts 20 times, then y, then
 * both at once; a few seconds apart (shorter than BGP_STABLE_S, so no
 * back-off is ever reset by a long-lived session). Each time both are
 * Established again within 10 s, over one connection. */
static void restarts(bool x_high)
{
	struct pair pr;
	int i;

	pair_start(&pr, x_high);
	for (i = 0; i < 44; i++) {
		struct spk *who = i < 20 ? &pr.x : &pr.y;
		bool both = i >= 40;
		uint64_t t0;

		ck_assert(pair_for(&pr, 3000));                 /* up a while */
		spk_stop(who);
		if (both)
			spk_stop(who->peer);
		pair_for(&pr, 200);
		t0 = pr.now;
		if (both)
			pair_start_both(&pr, true);
		else
			spk_start(&pr, who, true);
		ck_assert_msg(pair_run(&pr, t0 + 10000), "restart %d: not Established within 10 s",
			      i + 1);
		expect_same_connection(&pr);
	}
	pair_fini(&pr);
}

START_TEST(test_pair_restarts_in_a_row_x_low)
{
	restarts(false);
}
END_TEST

START_TEST(test_pair_restarts_in_a_row_x_high)
{
	restarts(true);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = session_suite("bgp_session_pair");

	/* PAIR_DEBUG=1: both sessions' FSM logs (x's peer is .6, y's .2). */
	if (getenv("PAIR_DEBUG"))
		log_level = LOG_LVL_DEBUG;
	TCase *t = tcase_create("pair");

	tcase_add_test(t, test_pair_restart_not_locked_out);
	tcase_add_test(t, test_pair_opensent_refused_then_accepts);
	tcase_add_test(t, test_pair_collision_established_loses_by_id);
	tcase_add_test(t, test_pair_collision_established_wins_by_id);
	tcase_add_test(t, test_pair_collision_cease_before_open);
	tcase_add_test(t, test_pair_restarts_in_a_row_x_low);
	tcase_add_test(t, test_pair_restarts_in_a_row_x_high);
	suite_add_tcase(s, t);
	return s;
}
