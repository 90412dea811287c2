/* test_bgp_session.c - the BGP session (agent/bgp_session.c) against a
 * scripted peer on the far end of a socketpair, with a fake clock: the FSM
 * transitions of RFC 4271 8 (table-driven, with the NOTIFICATION code and
 * subcode each error must send), timers, connect-retry back-off, passive
 * peers, collision detection (RFC 4271 6.8), graceful restart as helper and
 * as restarting speaker (RFC 4724), route refresh (RFC 2918), max-prefix
 * (RFC 4486), the attributes of our UPDATEs on iBGP and eBGP, and 100 flaps
 * that leak neither fds nor memory (run under ASan by make test-asan).
 *
 * The RIB is a fake that records calls; the session's sockets are real.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "bgp_msg.h"
#include "bgp_session.h"

#define LOCAL_AS  65001
#define PEER_AS   65002
#define LOCAL_ID  0x0a000005u   /* 10.0.0.5, host order */
#define NEXT_HOP  0xc0000201u   /* 192.0.2.1 */
#define PEER_ADDR 0xc6336401u   /* 198.51.100.1 */

/* ---- the fake owner: connections, watches and a RIB that records ---------------- */

struct fake {
	struct bgp_session *s;
	uint64_t now;
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

static int op_connect(void *ctx, struct bgp_session *s, int *fd)
{
	struct fake *f = ctx;
	int sv[2];

	(void)s;
	f->connects++;
	if (f->connect_err)
		return -f->connect_err;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	f->sess_fd = sv[0];
	f->peer_fd = sv[1];
	*fd = sv[0];
	return 0;
}

static void op_watch(void *ctx, struct bgp_session *s, int fd, uint32_t ev)
{
	(void)s;
	(void)fd;
	((struct fake *)ctx)->watched = ev;
}

static void op_unwatch(void *ctx, struct bgp_session *s, int fd)
{
	(void)s;
	(void)fd;
	((struct fake *)ctx)->watched = 0;
}

static void op_begin(void *ctx, struct bgp_session *s)
{
	(void)s;
	((struct fake *)ctx)->begins++;
}

static int op_route(void *ctx, struct bgp_session *s, const struct evpn_route *rt,
		    const struct bgp_attrs *a)
{
	struct fake *f = ctx;

	(void)s;
	if (f->rib_err)
		return -f->rib_err;
	if (rt->withdraw) {
		f->withdrawn++;
		if (f->count)
			f->count--;
	} else {
		f->routes++;
		f->count++;
	}
	f->last_attrs = a != NULL;
	f->last_local_pref = a ? a->local_pref : 0;
	return 0;
}

static void op_flush(void *ctx, struct bgp_session *s)
{
	(void)s;
	((struct fake *)ctx)->flushes++;
}

static void op_down(void *ctx, struct bgp_session *s, bool keep)
{
	struct fake *f = ctx;

	(void)s;
	if (keep) {
		f->down_keep++;
	} else {
		f->down_drop++;
		f->count = 0;
	}
}

static void op_sweep(void *ctx, struct bgp_session *s)
{
	(void)s;
	((struct fake *)ctx)->sweeps++;
}

static size_t op_count(void *ctx, struct bgp_session *s)
{
	(void)s;
	return ((struct fake *)ctx)->count;
}

static void make_route(struct evpn_route *rt, int i)
{
	memset(rt, 0, sizeof(*rt));
	rt->type = EVPN_RT_MACIP;
	evpn_rd_make_ip(rt->rd, htonl(NEXT_HOP), 100);
	rt->mac[0] = 0x02;
	rt->mac[5] = (uint8_t)i;
	rt->ip.len = 4;
	rt->ip.v4 = htonl(0x0a010000u + (uint32_t)i);
	rt->n_labels = 1;
	rt->label[0] = 100;
}

static void op_table(void *ctx, struct bgp_session *s)
{
	struct fake *f = ctx;
	struct bgp_out_route o[4];
	int i;

	f->tables++;
	for (i = 0; i < f->table_routes && i < 4; i++) {
		memset(&o[i], 0, sizeof(o[i]));
		make_route(&o[i].rt, i + 1);
		bgp_ext_rt_as2(o[i].ext[0], LOCAL_AS, 100);
		bgp_ext_encap(o[i].ext[1], BGP_TUNNEL_VXLAN);
		o[i].n_ext = 2;
	}
	if (i)
		ck_assert_int_eq(bgp_session_send(s, o, (size_t)i, false, f->now), 0);
}

static const struct bgp_session_ops ops = {
	.connect = op_connect,
	.watch = op_watch,
	.unwatch = op_unwatch,
	.rib_begin = op_begin,
	.rib_route = op_route,
	.rib_flush = op_flush,
	.rib_peer_down = op_down,
	.rib_stale_sweep = op_sweep,
	.rib_count = op_count,
	.send_table = op_table,
};

static struct bgp_session_cfg base_cfg(void)
{
	struct bgp_session_cfg c;

	memset(&c, 0, sizeof(c));
	c.id = 7;
	c.address = htonl(PEER_ADDR);
	c.port = 179;
	c.remote_as = PEER_AS;
	c.local_as = LOCAL_AS;
	c.router_id = htonl(LOCAL_ID);
	c.next_hop = htonl(NEXT_HOP);
	c.hold_time = 90;
	c.keepalive = 30;
	c.gr_time = 120;
	return c;
}

static void fake_init(struct fake *f, const struct bgp_session_cfg *c)
{
	memset(f, 0, sizeof(*f));
	f->sess_fd = f->peer_fd = -1;
	f->now = 1000000;
	ck_assert_int_eq(bgp_session_new(c, &ops, f, &f->s), 0);
}

static void fake_fini(struct fake *f)
{
	bgp_session_free(f->s);
	if (f->peer_fd >= 0)
		close(f->peer_fd);
}

/* ---- the scripted peer ------------------------------------------------------------ */

static void peer_write(int fd, const void *p, size_t n)
{
	ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
}

enum {
	OPEN_NO_EVPN = 1, OPEN_GR = 2, OPEN_GR_F = 4, OPEN_RR = 8, OPEN_GR_NOAF = 16,
	OPEN_GR_N = 32,         /* the N bit (RFC 8538) */
	OPEN_AS2 = 64,          /* a 2-octet AS speaker: no capability 65 (RFC 6793) */
};

static void peer_open(int fd, uint32_t as, uint16_t hold, uint32_t id, unsigned flags)
{
	uint8_t buf[BGP_MAX_LEN];
	struct bgp_open o;
	struct wbuf w;

	memset(&o, 0, sizeof(o));
	o.version = 4;
	o.asn = as;
	o.hold_time = hold;
	o.bgp_id = htonl(id);
	o.cap_as4 = !(flags & OPEN_AS2);
	o.cap_route_refresh = flags & OPEN_RR;
	o.n_mp = 1;
	o.mp[0] = (struct bgp_afisafi){ flags & OPEN_NO_EVPN ? 1 : EVPN_AFI,
					flags & OPEN_NO_EVPN ? 1 : EVPN_SAFI };
	if (flags & (OPEN_GR | OPEN_GR_NOAF)) {
		o.cap_gr = true;
		o.gr_time = 60;
		o.gr_flags = flags & OPEN_GR_N ? BGP_GR_NOTIFICATION : 0;
		if (flags & OPEN_GR) {
			o.n_gr = 1;
			o.gr[0] = (struct bgp_gr_af){ EVPN_AFI, EVPN_SAFI,
						      flags & OPEN_GR_F ? BGP_GR_AF_FORWARDING : 0 };
		}
	}
	wbuf_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(bgp_msg_build_open(&w, &o), 0);
	peer_write(fd, buf, w.len);
}

static void peer_keepalive(int fd)
{
	uint8_t buf[BGP_HDR_LEN];
	struct wbuf w;

	wbuf_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(bgp_msg_build_keepalive(&w), 0);
	peer_write(fd, buf, w.len);
}

static const struct bgp_parse_ctx ebgp_ctx = { .as4 = true, .ibgp = false };
static const struct bgp_parse_ctx ibgp_ctx = { .as4 = true, .ibgp = true };

/* n type-2 routes from AS path_as (0: empty path) with one route target,
 * built into buf (BGP_MAX_LEN octets); returns the UPDATE's length. */
static size_t peer_update_build(uint8_t *buf, const struct bgp_parse_ctx *ctx, uint32_t path_as,
				int first, int n, bool withdraw)
{
	uint8_t ext[2][8];
	struct evpn_route rts[8];
	struct bgp_attrs a;
	struct wbuf w;
	int i;

	memset(&a, 0, sizeof(a));
	a.present = BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH) |
		    BGP_ATTR_BIT(BGP_ATTR_MP_REACH_NLRI) | BGP_ATTR_BIT(BGP_ATTR_EXT_COMMUNITIES);
	if (ctx->ibgp) {
		a.present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
		a.local_pref = 200;
	}
	if (path_as)
		ck_assert_int_eq(bgp_aspath_prepend(&a.aspath, path_as), 0);
	bgp_ext_rt_as2(ext[0], PEER_AS, 100);
	bgp_ext_encap(ext[1], BGP_TUNNEL_VXLAN);
	a.ext = &ext[0][0];
	a.n_ext = 2;
	a.mp_reach.nh_len = 4;
	a.mp_reach.nh[0] = 192;
	a.mp_reach.nh[1] = 0;
	a.mp_reach.nh[2] = 2;
	a.mp_reach.nh[3] = 9;
	for (i = 0; i < n; i++)
		make_route(&rts[i], first + i);
	wbuf_init(&w, buf, BGP_MAX_LEN);
	ck_assert_int_eq(bgp_msg_build_update(&w, ctx, withdraw ? NULL : &a, rts, (size_t)n,
					      withdraw), n);
	return w.len;
}

static void peer_update(int fd, const struct bgp_parse_ctx *ctx, uint32_t path_as, int first,
			int n, bool withdraw)
{
	uint8_t buf[BGP_MAX_LEN];

	peer_write(fd, buf, peer_update_build(buf, ctx, path_as, first, n, withdraw));
}

/* The same advertisement with ORIGIN 3, malformed (RFC 7606 7.1):
 * treat-as-withdraw. */
static void peer_update_bad_origin(int fd, int first, int n)
{
	static const uint8_t origin[] = { 0x40, BGP_ATTR_ORIGIN, 1, BGP_ORIGIN_IGP };
	uint8_t buf[BGP_MAX_LEN];
	size_t len = peer_update_build(buf, &ebgp_ctx, PEER_AS, first, n, false), i;

	for (i = BGP_HDR_LEN; i + sizeof(origin) <= len; i++)
		if (!memcmp(buf + i, origin, sizeof(origin)))
			break;
	ck_assert_uint_lt(i + sizeof(origin), len);
	buf[i + 3] = 3;
	peer_write(fd, buf, len);
}

static void peer_eor(int fd)
{
	uint8_t buf[64];
	struct wbuf w;

	wbuf_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(bgp_msg_build_eor(&w, EVPN_AFI, EVPN_SAFI), 0);
	peer_write(fd, buf, w.len);
}

/* Reads one whole message (2 s deadline); its length, 0 at end of stream. */
static size_t peer_read(int fd, uint8_t *buf)
{
	size_t have = 0, need = BGP_HDR_LEN;

	while (have < need) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		ck_assert_int_eq(poll(&p, 1, 2000), 1);
		n = read(fd, buf + have, need - have);
		if (n == 0)
			return 0;
		if (n < 0 && errno == EAGAIN)
			continue;
		ck_assert_int_gt(n, 0);
		have += (size_t)n;
		if (have == BGP_HDR_LEN)
			need = (size_t)(buf[16] << 8 | buf[17]);
		ck_assert_uint_le(need, BGP_MAX_LEN);
	}
	return have;
}

/* Reads one message, checks its type, parses it into *m (static storage:
 * m points into it). */
static struct bgp_msg *peer_expect(int fd, uint8_t type, const struct bgp_parse_ctx *ctx)
{
	static uint8_t buf[BGP_MAX_LEN];
	static struct bgp_msg m;
	struct bgp_err err;
	size_t n = peer_read(fd, buf);

	ck_assert_msg(n > 0, "expected %s, got end of stream", bgp_msg_type_name(type));
	ck_assert_msg(buf[18] == type, "expected %s, got %s", bgp_msg_type_name(type),
		      bgp_msg_type_name(buf[18]));
	ck_assert_int_eq(bgp_msg_parse(buf, n, ctx, &m, &err), 0);
	return &m;
}

/* Reads one message of any type, parsed (static storage). */
static struct bgp_msg *peer_expect_any(int fd)
{
	static uint8_t buf[BGP_MAX_LEN];
	static struct bgp_msg m;
	struct bgp_err err;
	size_t n = peer_read(fd, buf);

	ck_assert_msg(n > 0, "expected a message, got end of stream");
	ck_assert_int_eq(bgp_msg_parse(buf, n, &ebgp_ctx, &m, &err), 0);
	return &m;
}

static void peer_expect_notification(int fd, uint8_t code, uint8_t subcode)
{
	struct bgp_msg *m = peer_expect(fd, BGP_MSG_NOTIFICATION, &ebgp_ctx);

	ck_assert_uint_eq(m->notification.code, code);
	ck_assert_uint_eq(m->notification.subcode, subcode);
}

static void peer_expect_eof(int fd)
{
	uint8_t buf[BGP_MAX_LEN];

	ck_assert_uint_eq(peer_read(fd, buf), 0);
}

/* Nothing waiting for the peer. */
static bool peer_quiet(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 0;
}

static void pump(struct fake *f)
{
	bgp_session_io(f->s, f->sess_fd, EPOLLIN, f->now);
}

static void advance(struct fake *f, uint64_t ms)
{
	f->now += ms;
	bgp_session_timers(f->s, f->now);
}

/* Connect -> OpenSent (our OPEN read and returned). */
static struct bgp_open to_opensent(struct fake *f)
{
	struct bgp_open o;

	bgp_session_start(f->s, f->now);
	ck_assert_int_eq(bgp_session_state(f->s), BGP_ST_CONNECT);
	ck_assert_uint_eq(f->watched, EPOLLOUT);
	bgp_session_io(f->s, f->sess_fd, EPOLLOUT, f->now);
	ck_assert_int_eq(bgp_session_state(f->s), BGP_ST_OPENSENT);
	ck_assert_uint_eq(f->watched, EPOLLIN);
	o = peer_expect(f->peer_fd, BGP_MSG_OPEN, &ebgp_ctx)->open;
	return o;
}

static void to_openconfirm(struct fake *f, unsigned flags)
{
	to_opensent(f);
	peer_open(f->peer_fd, bgp_session_cfg(f->s)->remote_as, 90, 0x0a000009, flags);
	pump(f);
	ck_assert_int_eq(bgp_session_state(f->s), BGP_ST_OPENCONFIRM);
	peer_expect(f->peer_fd, BGP_MSG_KEEPALIVE, &ebgp_ctx);
}

static void to_established(struct fake *f, unsigned flags)
{
	struct bgp_msg *m;

	to_openconfirm(f, flags);
	peer_keepalive(f->peer_fd);
	pump(f);
	ck_assert_int_eq(bgp_session_state(f->s), BGP_ST_ESTABLISHED);
	/* Our table (if any), then End-of-RIB (RFC 4724 2). */
	for (;;) {
		m = peer_expect(f->peer_fd, BGP_MSG_UPDATE,
				bgp_session_ibgp(f->s) ? &ibgp_ctx : &ebgp_ctx);
		if (m->update.eor)
			break;
	}
	ck_assert_uint_eq(m->update.eor_afi, EVPN_AFI);
	ck_assert_uint_eq(m->update.eor_safi, EVPN_SAFI);
}

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
	ck_assert_uint_eq(pi.router_id, htonl(0x0a000009));
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
	peer_open(f.peer_fd, PEER_AS, 30, 0x0a000009, 0);
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
	fake_init(&f, &c);
	to_established(&f, OPEN_GR | OPEN_GR_F);
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
	ck_assert_int_eq(f.down_drop, 1);
	ck_assert_int_eq(f.down_keep, 0);
	fake_fini(&f);
}
END_TEST

/* ---- the FSM table: each error, in each state, and its NOTIFICATION ----------------- */

enum setup { AT_OPENSENT, AT_OPENCONFIRM, AT_ESTABLISHED };

static size_t raw_hdr(uint8_t *b, uint16_t len, uint8_t type)
{
	memset(b, 0xff, 16);
	b[16] = (uint8_t)(len >> 8);
	b[17] = (uint8_t)len;
	b[18] = type;
	return BGP_HDR_LEN;
}

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

static size_t msg_open_as(uint8_t *b, uint32_t as, uint16_t hold, uint32_t id, unsigned fl)
{
	struct bgp_open o;
	struct wbuf w;

	memset(&o, 0, sizeof(o));
	o.version = 4;
	o.asn = as;
	o.hold_time = hold;
	o.bgp_id = htonl(id);
	o.cap_as4 = true;
	o.n_mp = 1;
	o.mp[0] = (struct bgp_afisafi){ fl & OPEN_NO_EVPN ? 1 : EVPN_AFI,
					fl & OPEN_NO_EVPN ? 1 : EVPN_SAFI };
	wbuf_init(&w, b, BGP_MAX_LEN);
	ck_assert_int_eq(bgp_msg_build_open(&w, &o), 0);
	return w.len;
}

static size_t msg_open_ok(uint8_t *b)
{
	return msg_open_as(b, PEER_AS, 90, 0x0a000009, 0);
}

static size_t msg_open_bad_as(uint8_t *b)
{
	return msg_open_as(b, 65099, 90, 0x0a000009, 0);
}

static size_t msg_open_no_evpn(uint8_t *b)
{
	return msg_open_as(b, PEER_AS, 90, 0x0a000009, OPEN_NO_EVPN);
}

static size_t msg_open_bad_version(uint8_t *b)
{
	size_t n = msg_open_ok(b);

	b[19] = 3;
	return n;
}

static size_t msg_open_bad_hold(uint8_t *b)
{
	return msg_open_as(b, PEER_AS, 2, 0x0a000009, 0);
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

static size_t msg_refresh(uint8_t *b)
{
	raw_hdr(b, 23, BGP_MSG_ROUTE_REFRESH);
	b[19] = 0;
	b[20] = EVPN_AFI;
	b[21] = 0;
	b[22] = EVPN_SAFI;
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
	ck_assert_int_eq(f.down_keep, 0);
	ck_assert_int_eq(f.down_drop, tc->at == AT_ESTABLISHED ? 1 : 0);
	fake_fini(&f);
}
END_TEST

START_TEST(test_fsm_notification_received)
{
	struct bgp_session_cfg c = base_cfg();
	uint8_t buf[BGP_MAX_LEN];
	struct bgp_peer_info pi;
	struct fake f;
	struct wbuf w;

	fake_init(&f, &c);
	to_established(&f, OPEN_GR | OPEN_GR_F);
	wbuf_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(bgp_msg_build_cease(&w, BGP_CEASE_ADMIN_SHUTDOWN, "maintenance"), 0);
	peer_write(f.peer_fd, buf, w.len);
	pump(&f);
	peer_expect_eof(f.peer_fd);   /* no NOTIFICATION answers one */
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_IDLE);
	ck_assert_int_eq(f.down_drop, 1);
	ck_assert_int_eq(f.down_keep, 0);
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

	fake_init(&f, &c);
	to_established(&f, 0);
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
	int sv[2];

	c.passive = true;
	fake_init(&f, &c);
	bgp_session_start(f.s, f.now);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ACTIVE);
	advance(&f, 600000);
	ck_assert_int_eq(f.connects, 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	f.sess_fd = sv[0];
	f.peer_fd = sv[1];
	bgp_session_accept(f.s, sv[0], f.now);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_OPENSENT);
	peer_expect(f.peer_fd, BGP_MSG_OPEN, &ebgp_ctx);
	peer_open(f.peer_fd, PEER_AS, 90, 0x0a000009, 0);
	peer_keepalive(f.peer_fd);
	pump(&f);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
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
	close(f.peer_fd);
	f.peer_fd = -1;
	pump(&f);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_IDLE);
	ck_assert_int_eq(f.connects, 1);
	advance(&f, BGP_IDLE_HOLD_MIN_S * 1000);
	ck_assert_int_eq(f.connects, 2);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_CONNECT);
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
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	in_peer = sv[1];
	bgp_session_accept(f.s, sv[0], f.now);
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

	fake_init(&f, &c);
	to_established(&f, 0);
	/* A second connection without GR: it loses to the Established one. */
	f.now += 1000;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	bgp_session_accept(f.s, sv[0], f.now);
	peer_expect(sv[1], BGP_MSG_OPEN, &ebgp_ctx);
	peer_open(sv[1], PEER_AS, 90, 0x0a000009, 0);
	bgp_session_io(f.s, sv[0], EPOLLIN, f.now);
	peer_expect_notification(sv[1], BGP_ERR_CEASE, BGP_CEASE_COLLISION);
	close(sv[1]);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	ck_assert_int_eq(f.down_drop + f.down_keep, 0);
	fake_fini(&f);
}
END_TEST

START_TEST(test_gr_peer_restart_replaces_established)
{
	struct bgp_session_cfg c = base_cfg();
	int old_peer, sv[2];
	struct fake f;

	fake_init(&f, &c);
	to_established(&f, OPEN_GR | OPEN_GR_F);
	old_peer = f.peer_fd;
	/* RFC 4724 4.2: a new connection with GR while the old session is
	 * still Established: the peer restarted. */
	f.now += 1000;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	bgp_session_accept(f.s, sv[0], f.now);
	peer_expect(sv[1], BGP_MSG_OPEN, &ebgp_ctx);
	peer_open(sv[1], PEER_AS, 90, 0x0a000009, OPEN_GR | OPEN_GR_F);
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

START_TEST(test_gr_helper_keeps_stale_until_eor)
{
	struct bgp_session_cfg c = base_cfg();
	struct bgp_peer_info pi;
	struct fake f;

	fake_init(&f, &c);
	to_established(&f, OPEN_GR | OPEN_GR_F);
	peer_update(f.peer_fd, &ebgp_ctx, PEER_AS, 1, 2, false);
	pump(&f);
	ck_assert_int_eq(f.routes, 2);
	/* The peer's TCP session ends without a NOTIFICATION. */
	close(f.peer_fd);
	f.peer_fd = -1;
	pump(&f);
	ck_assert_int_eq(f.down_keep, 1);
	ck_assert_int_eq(f.down_drop, 0);
	bgp_session_info(f.s, f.now, &pi);
	ck_assert(pi.gr_stale);
	/* It comes back within its restart time (60 s), F bit set. */
	advance(&f, 2000);
	ck_assert_int_eq(f.connects, 2);
	bgp_session_io(f.s, f.sess_fd, EPOLLOUT, f.now);
	peer_expect(f.peer_fd, BGP_MSG_OPEN, &ebgp_ctx);
	peer_open(f.peer_fd, PEER_AS, 90, 0x0a000009, OPEN_GR | OPEN_GR_F);
	peer_keepalive(f.peer_fd);
	pump(&f);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
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

	fake_init(&f, &c);
	to_established(&f, OPEN_GR | OPEN_GR_F);
	close(f.peer_fd);
	f.peer_fd = -1;
	pump(&f);
	ck_assert_int_eq(f.down_keep, 1);
	advance(&f, 2000);
	bgp_session_io(f.s, f.sess_fd, EPOLLOUT, f.now);
	peer_expect(f.peer_fd, BGP_MSG_OPEN, &ebgp_ctx);
	/* Back, but its F bit is clear: the stale routes go at once. */
	peer_open(f.peer_fd, PEER_AS, 90, 0x0a000009, OPEN_GR);
	peer_keepalive(f.peer_fd);
	pump(&f);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	ck_assert_int_eq(f.sweeps, 1);
	fake_fini(&f);
}
END_TEST

START_TEST(test_gr_not_negotiated_drops_routes)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;

	fake_init(&f, &c);
	to_established(&f, OPEN_GR_NOAF);   /* GR capability, no EVPN family */
	close(f.peer_fd);
	f.peer_fd = -1;
	pump(&f);
	ck_assert_int_eq(f.down_keep, 0);
	ck_assert_int_eq(f.down_drop, 1);
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
	peer_open(f.peer_fd, PEER_AS, 90, 0x0a000009, 0);
	peer_keepalive(f.peer_fd);
	pump(&f);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	/* The next session's OPEN no longer says "restarting". */
	close(f.peer_fd);
	f.peer_fd = -1;
	pump(&f);
	advance(&f, 2000);
	bgp_session_io(f.s, f.sess_fd, EPOLLOUT, f.now);
	o = peer_expect(f.peer_fd, BGP_MSG_OPEN, &ebgp_ctx)->open;
	ck_assert_uint_eq(o.gr_flags & BGP_GR_RESTARTING, 0);
	fake_fini(&f);
}
END_TEST

START_TEST(test_free_closes_without_notification)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;
	int peer;

	fake_init(&f, &c);
	to_established(&f, OPEN_GR | OPEN_GR_F);
	peer = f.peer_fd;
	bgp_session_free(f.s);
	/* A planned shutdown: TCP closes, no NOTIFICATION (RFC 4724 4.2). */
	peer_expect_eof(peer);
	close(peer);
}
END_TEST

/* ---- UPDATEs in ----------------------------------------------------------------------- */

START_TEST(test_updates_reach_the_rib)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;
	int flushes;

	fake_init(&f, &c);
	to_established(&f, 0);
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

	fake_init(&f, &c);
	to_established(&f, 0);
	/* A route server's path need not start with its AS (RFC 7947). */
	peer_update(f.peer_fd, &ebgp_ctx, 65333, 1, 2, false);
	pump(&f);
	ck_assert_int_eq(f.routes, 2);
	/* Our own AS in the path: a loop, refused (an earlier version goes). */
	peer_update(f.peer_fd, &ebgp_ctx, LOCAL_AS, 1, 1, false);
	pump(&f);
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

	fake_init(&f, &c);
	to_established(&f, 0);
	peer_update(f.peer_fd, &ebgp_ctx, PEER_AS, 1, 2, false);
	pump(&f);
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
	peer_update(f.peer_fd, &ebgp_ctx, PEER_AS, 1, 1, true);
	pump(&f);
	bgp_session_info(f.s, f.now, &pi);
	ck_assert_uint_eq(pi.withdraws_in, 4);
	ck_assert_uint_eq(pi.routes_treat_as_withdraw, 3);
	fake_fini(&f);
}
END_TEST

START_TEST(test_max_prefixes)
{
	struct bgp_session_cfg c = base_cfg();
	struct bgp_msg *m;
	struct fake f;

	c.max_prefixes = 2;
	fake_init(&f, &c);
	to_established(&f, OPEN_GR | OPEN_GR_F);
	peer_update(f.peer_fd, &ebgp_ctx, PEER_AS, 1, 2, false);
	pump(&f);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
	peer_update(f.peer_fd, &ebgp_ctx, PEER_AS, 3, 1, false);
	pump(&f);
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

START_TEST(test_idle_refuses_connections)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;
	int sv[2];

	c.passive = true;
	fake_init(&f, &c);
	/* Stopped: refused. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	bgp_session_accept(f.s, sv[0], f.now);
	peer_expect_eof(sv[1]);
	close(sv[1]);
	/* In the idle hold after an error: refused too. */
	bgp_session_start(f.s, f.now);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	f.sess_fd = sv[0];
	f.peer_fd = sv[1];
	bgp_session_accept(f.s, sv[0], f.now);
	peer_expect(f.peer_fd, BGP_MSG_OPEN, &ebgp_ctx);
	close(f.peer_fd);
	f.peer_fd = -1;
	pump(&f);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_IDLE);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	bgp_session_accept(f.s, sv[0], f.now);
	peer_expect_eof(sv[1]);
	close(sv[1]);
	/* After it: Active, accepted. */
	advance(&f, BGP_IDLE_HOLD_MIN_S * 2000);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ACTIVE);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	f.sess_fd = sv[0];
	f.peer_fd = sv[1];
	bgp_session_accept(f.s, sv[0], f.now);
	ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_OPENSENT);
	fake_fini(&f);
}
END_TEST

START_TEST(test_max_prefixes_lowered_by_reload)
{
	struct bgp_session_cfg c = base_cfg();
	struct fake f;

	fake_init(&f, &c);
	to_established(&f, 0);
	peer_update(f.peer_fd, &ebgp_ctx, PEER_AS, 1, 3, false);
	pump(&f);
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

	fake_init(&f, &c);
	to_established(&f, 0);
	f.rib_err = ENOMEM;
	peer_update(f.peer_fd, &ebgp_ctx, PEER_AS, 1, 1, false);
	pump(&f);
	peer_expect_notification(f.peer_fd, BGP_ERR_CEASE, BGP_CEASE_OUT_OF_RESOURCES);
	fake_fini(&f);
}
END_TEST

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
	fake_init(&f, &c);
	to_established(&f, GR_N);
	peer_update(f.peer_fd, &ebgp_ctx, PEER_AS, 1, 2, false);
	pump(&f);
	f.now += 90000;
	bgp_session_timers(f.s, f.now);
	m = peer_expect_notification_msg(f.peer_fd);
	/* Hold Timer Expired as such: not a Hard Reset. */
	ck_assert_uint_eq(m->notification.code, BGP_ERR_HOLD_TIMER);
	peer_expect_eof(f.peer_fd);
	/* "the receiving speaker MUST follow the procedures ... as if the
	 * TCP session terminated": routes kept, stale, for its restart time. */
	ck_assert_int_eq(f.down_keep, 1);
	ck_assert_int_eq(f.down_drop, 0);
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
	fake_init(&f, &c);
	to_established(&f, GR_N);
	wbuf_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(bgp_msg_build_cease(&w, BGP_CEASE_ADMIN_RESET, "soft"), 0);
	peer_write(f.peer_fd, buf, w.len);
	pump(&f);
	peer_expect_eof(f.peer_fd);
	ck_assert_int_eq(f.down_keep, 1);
	ck_assert_int_eq(f.down_drop, 0);
	fake_fini(&f);

	/* ... a Hard Reset does not (RFC 8538 5), and its reason is read
	 * from the NOTIFICATION it wraps. */
	fake_init(&f, &c);
	to_established(&f, GR_N);
	wbuf_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(bgp_msg_build_hard_reset_cease(&w, BGP_CEASE_ADMIN_SHUTDOWN,
							"maintenance"), 0);
	peer_write(f.peer_fd, buf, w.len);
	pump(&f);
	peer_expect_eof(f.peer_fd);
	ck_assert_int_eq(f.down_keep, 0);
	ck_assert_int_eq(f.down_drop, 1);
	bgp_session_info(f.s, f.now, &pi);
	ck_assert_ptr_nonnull(strstr(pi.last_error, "Hard Reset 6/2"));
	ck_assert_ptr_nonnull(strstr(pi.last_error, "maintenance"));
	fake_fini(&f);

	/* Without the N bit from the peer, RFC 4724 alone: routes go. */
	fake_init(&f, &c);
	to_established(&f, OPEN_GR | OPEN_GR_F);
	wbuf_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(bgp_msg_build_cease(&w, BGP_CEASE_ADMIN_RESET, NULL), 0);
	peer_write(f.peer_fd, buf, w.len);
	pump(&f);
	ck_assert_int_eq(f.down_keep, 0);
	ck_assert_int_eq(f.down_drop, 1);
	fake_fini(&f);

	/* Without our GR capability (gr_time 0) the N bit is not ours to
	 * honour either. */
	c.gr_time = 0;
	fake_init(&f, &c);
	to_established(&f, GR_N);
	wbuf_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(bgp_msg_build_cease(&w, BGP_CEASE_ADMIN_RESET, NULL), 0);
	peer_write(f.peer_fd, buf, w.len);
	pump(&f);
	ck_assert_int_eq(f.down_keep, 0);
	ck_assert_int_eq(f.down_drop, 1);
	fake_fini(&f);
}
END_TEST

START_TEST(test_8538_update_error_keeps_routes)
{
	struct bgp_session_cfg c = base_cfg();
	uint8_t buf[64];
	struct fake f;

	fake_init(&f, &c);
	to_established(&f, GR_N);
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
	ck_assert_int_eq(f.down_keep, 1);
	ck_assert_int_eq(f.down_drop, 0);
	fake_fini(&f);
}
END_TEST

START_TEST(test_8538_max_prefixes_hard_reset)
{
	struct bgp_session_cfg c = base_cfg();
	struct bgp_msg *m;
	struct fake f;

	c.max_prefixes = 2;
	fake_init(&f, &c);
	to_established(&f, GR_N);
	peer_update(f.peer_fd, &ebgp_ctx, PEER_AS, 1, 3, false);
	pump(&f);
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
	ck_assert_int_eq(f.down_drop, 1);
	ck_assert_int_eq(f.down_keep, 0);
	fake_fini(&f);
}
END_TEST

START_TEST(test_8538_stop)
{
	struct bgp_session_cfg c = base_cfg();
	struct bgp_msg *m;
	struct fake f;

	/* Peer de-configured: Hard Reset (RFC 8538 5.1). */
	fake_init(&f, &c);
	to_established(&f, GR_N);
	bgp_session_stop(f.s, f.now, BGP_CEASE_PEER_DECONFIGURED, NULL);
	m = peer_expect(f.peer_fd, BGP_MSG_NOTIFICATION, &ebgp_ctx);
	ck_assert_uint_eq(m->notification.subcode, BGP_CEASE_HARD_RESET);
	ck_assert_uint_eq(m->notification.inner_subcode, BGP_CEASE_PEER_DECONFIGURED);
	ck_assert_int_eq(f.down_drop, 1);
	fake_fini(&f);

	/* Administrative shutdown with an RFC 9003 reason inside. */
	fake_init(&f, &c);
	to_established(&f, GR_N);
	bgp_session_stop(f.s, f.now, BGP_CEASE_ADMIN_SHUTDOWN, "bye");
	m = peer_expect(f.peer_fd, BGP_MSG_NOTIFICATION, &ebgp_ctx);
	ck_assert_uint_eq(m->notification.subcode, BGP_CEASE_HARD_RESET);
	ck_assert_uint_eq(m->notification.inner_subcode, BGP_CEASE_ADMIN_SHUTDOWN);
	ck_assert(m->notification.has_reason);
	ck_assert_str_eq(m->notification.reason, "bye");
	fake_fini(&f);

	/* Other Configuration Change is graceful for the peer: sent as is. */
	fake_init(&f, &c);
	to_established(&f, GR_N);
	bgp_session_stop(f.s, f.now, BGP_CEASE_CONFIG_CHANGE, NULL);
	peer_expect_notification(f.peer_fd, BGP_ERR_CEASE, BGP_CEASE_CONFIG_CHANGE);
	fake_fini(&f);

	/* No N from the peer: the plain Cease. */
	fake_init(&f, &c);
	to_established(&f, OPEN_GR | OPEN_GR_F);
	bgp_session_stop(f.s, f.now, BGP_CEASE_PEER_DECONFIGURED, NULL);
	peer_expect_notification(f.peer_fd, BGP_ERR_CEASE, BGP_CEASE_PEER_DECONFIGURED);
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
			bgp_session_io(f.s, f.sess_fd, EPOLLOUT, f.now);
			peer_expect(f.peer_fd, BGP_MSG_OPEN, &ebgp_ctx);
			peer_open(f.peer_fd, PEER_AS, 90, 0x0a000009, gr);
			peer_keepalive(f.peer_fd);
			pump(&f);
			ck_assert_int_eq(bgp_session_state(f.s), BGP_ST_ESTABLISHED);
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
		if (!gr) {
			uint8_t buf[64];
			struct wbuf w;

			wbuf_init(&w, buf, sizeof(buf));
			ck_assert_int_eq(bgp_msg_build_cease(&w, BGP_CEASE_ADMIN_RESET, NULL), 0);
			peer_write(f.peer_fd, buf, w.len);
		}
		close(f.peer_fd);
		f.peer_fd = -1;
		pump(&f);
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

static Suite *suite(void)
{
	Suite *s = suite_create("bgp_session");
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
	tcase_add_test(t, test_collision_local_id_lower);
	tcase_add_test(t, test_collision_local_id_higher);
	tcase_add_test(t, test_collision_with_established);
	tcase_add_test(t, test_gr_peer_restart_replaces_established);
	tcase_add_test(t, test_gr_helper_keeps_stale_until_eor);
	tcase_add_test(t, test_gr_helper_restart_timer);
	tcase_add_test(t, test_gr_helper_no_forwarding_state);
	tcase_add_test(t, test_gr_not_negotiated_drops_routes);
	tcase_add_test(t, test_gr_restarting_r_bit_once);
	tcase_add_test(t, test_free_closes_without_notification);
	tcase_add_test(t, test_updates_reach_the_rib);
	tcase_add_test(t, test_refused_routes_are_withdrawn);
	tcase_add_test(t, test_treat_as_withdraw_counted);
	tcase_add_test(t, test_max_prefixes);
	tcase_add_test(t, test_max_prefixes_lowered_by_reload);
	tcase_add_test(t, test_idle_refuses_connections);
	tcase_add_test(t, test_rib_out_of_memory_resets);
	tcase_add_test(t, test_route_refresh);
	tcase_add_test(t, test_send_withdrawals);
	tcase_add_test(t, test_8538_hold_timer_keeps_routes);
	tcase_add_test(t, test_8538_notification_received);
	tcase_add_test(t, test_8538_update_error_keeps_routes);
	tcase_add_test(t, test_8538_max_prefixes_hard_reset);
	tcase_add_test(t, test_8538_stop);
	tcase_add_test(t, test_as2_peer);
	tcase_add_test(t, test_100_flaps);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	/* vtepd ignores SIGPIPE; a test peer writing to a closed session
	 * must fail its check, not kill the runner. */
	signal(SIGPIPE, SIG_IGN);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
