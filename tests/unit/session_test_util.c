/* session_test_util.c - the BGP session tests' harness (session_test_util.h):
 * the fake owner's operations, the scripted peer, the steps to each state. */
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

#include "session_test_util.h"

const struct bgp_parse_ctx ebgp_ctx = { .as4 = true, .ibgp = false };
const struct bgp_parse_ctx ibgp_ctx = { .as4 = true, .ibgp = true };

/* ---- the fake owner ------------------------------------------------------------------- */

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

void make_route(struct evpn_route *rt, int i)
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

struct bgp_session_cfg base_cfg(void)
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

void fake_init(struct fake *f, const struct bgp_session_cfg *c)
{
	memset(f, 0, sizeof(*f));
	f->sess_fd = f->peer_fd = -1;
	f->now = 1000000;
	ck_assert_int_eq(bgp_session_new(c, &ops, f, &f->s), 0);
}

void fake_fini(struct fake *f)
{
	bgp_session_free(f->s);
	if (f->peer_fd >= 0)
		close(f->peer_fd);
}

/* ---- the scripted peer ---------------------------------------------------------------- */

void peer_write(int fd, const void *p, size_t n)
{
	ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
}

size_t peer_open_build(uint8_t *buf, uint32_t as, uint16_t hold, uint32_t id, unsigned flags)
{
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
	wbuf_init(&w, buf, BGP_MAX_LEN);
	ck_assert_int_eq(bgp_msg_build_open(&w, &o), 0);
	return w.len;
}

void peer_open(int fd, uint32_t as, uint16_t hold, uint32_t id, unsigned flags)
{
	uint8_t buf[BGP_MAX_LEN];

	peer_write(fd, buf, peer_open_build(buf, as, hold, id, flags));
}

void peer_keepalive(int fd)
{
	uint8_t buf[BGP_HDR_LEN];
	struct wbuf w;

	wbuf_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(bgp_msg_build_keepalive(&w), 0);
	peer_write(fd, buf, w.len);
}

size_t peer_update_build(uint8_t *buf, const struct bgp_parse_ctx *ctx, uint32_t path_as, int first,
			 int n, bool withdraw)
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

void peer_update(int fd, const struct bgp_parse_ctx *ctx, uint32_t path_as, int first, int n,
		 bool withdraw)
{
	uint8_t buf[BGP_MAX_LEN];

	peer_write(fd, buf, peer_update_build(buf, ctx, path_as, first, n, withdraw));
}

void peer_update_bad_origin(int fd, int first, int n)
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

void peer_eor(int fd)
{
	uint8_t buf[64];
	struct wbuf w;

	wbuf_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(bgp_msg_build_eor(&w, EVPN_AFI, EVPN_SAFI), 0);
	peer_write(fd, buf, w.len);
}

size_t peer_read(int fd, uint8_t *buf)
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

struct bgp_msg *peer_expect(int fd, uint8_t type, const struct bgp_parse_ctx *ctx)
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

struct bgp_msg *peer_expect_any(int fd)
{
	static uint8_t buf[BGP_MAX_LEN];
	static struct bgp_msg m;
	struct bgp_err err;
	size_t n = peer_read(fd, buf);

	ck_assert_msg(n > 0, "expected a message, got end of stream");
	ck_assert_int_eq(bgp_msg_parse(buf, n, &ebgp_ctx, &m, &err), 0);
	return &m;
}

void peer_expect_notification(int fd, uint8_t code, uint8_t subcode)
{
	struct bgp_msg *m = peer_expect(fd, BGP_MSG_NOTIFICATION, &ebgp_ctx);

	ck_assert_uint_eq(m->notification.code, code);
	ck_assert_uint_eq(m->notification.subcode, subcode);
}

void peer_expect_eof(int fd)
{
	uint8_t buf[BGP_MAX_LEN];

	ck_assert_uint_eq(peer_read(fd, buf), 0);
}

bool peer_quiet(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 0;
}

/* ---- driving the session --------------------------------------------------------------- */

void pump(struct fake *f)
{
	bgp_session_io(f->s, f->sess_fd, EPOLLIN, f->now);
}

void advance(struct fake *f, uint64_t ms)
{
	f->now += ms;
	bgp_session_timers(f->s, f->now);
}

struct bgp_open to_opensent(struct fake *f)
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

void to_openconfirm(struct fake *f, unsigned flags)
{
	to_opensent(f);
	peer_open(f->peer_fd, bgp_session_cfg(f->s)->remote_as, 90, PEER_ID, flags);
	pump(f);
	ck_assert_int_eq(bgp_session_state(f->s), BGP_ST_OPENCONFIRM);
	peer_expect(f->peer_fd, BGP_MSG_KEEPALIVE, &ebgp_ctx);
}

void to_established(struct fake *f, unsigned flags)
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

void session_up(struct fake *f, const struct bgp_session_cfg *c, unsigned flags)
{
	fake_init(f, c);
	to_established(f, flags);
}

void peer_drop(struct fake *f)
{
	close(f->peer_fd);
	f->peer_fd = -1;
	pump(f);
}

void expect_down(const struct fake *f, int keep, int drop)
{
	ck_assert_int_eq(f->down_keep, keep);
	ck_assert_int_eq(f->down_drop, drop);
}

struct bgp_open reconnect(struct fake *f)
{
	bgp_session_io(f->s, f->sess_fd, EPOLLOUT, f->now);
	return peer_expect(f->peer_fd, BGP_MSG_OPEN, &ebgp_ctx)->open;
}

void peer_open_established(struct fake *f, unsigned flags)
{
	peer_open(f->peer_fd, PEER_AS, 90, PEER_ID, flags);
	peer_keepalive(f->peer_fd);
	pump(f);
	ck_assert_int_eq(bgp_session_state(f->s), BGP_ST_ESTABLISHED);
}

void rx_update(struct fake *f, uint32_t path_as, int first, int n, bool withdraw)
{
	peer_update(f->peer_fd, &ebgp_ctx, path_as, first, n, withdraw);
	pump(f);
}

void peer_cease(int fd, uint8_t subcode, const char *reason)
{
	uint8_t buf[BGP_MAX_LEN];
	struct wbuf w;

	wbuf_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(bgp_msg_build_cease(&w, subcode, reason), 0);
	peer_write(fd, buf, w.len);
}

void accept_pair(struct fake *f, int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	bgp_session_accept(f->s, sv[0], f->now);
}

void accept_current(struct fake *f)
{
	int sv[2];

	accept_pair(f, sv);
	f->sess_fd = sv[0];
	f->peer_fd = sv[1];
}

/* ---- raw messages ---------------------------------------------------------------------- */

size_t raw_hdr(uint8_t *b, uint16_t len, uint8_t type)
{
	memset(b, 0xff, 16);
	b[16] = (uint8_t)(len >> 8);
	b[17] = (uint8_t)len;
	b[18] = type;
	return BGP_HDR_LEN;
}

size_t msg_refresh(uint8_t *b)
{
	raw_hdr(b, 23, BGP_MSG_ROUTE_REFRESH);
	b[19] = 0;
	b[20] = EVPN_AFI;
	b[21] = 0;
	b[22] = EVPN_SAFI;
	return 23;
}

Suite *session_suite(const char *name)
{
	/* vtepd ignores SIGPIPE; a test peer writing to a closed session
	 * must fail its check, not kill the runner. */
	signal(SIGPIPE, SIG_IGN);
	return suite_create(name);
}
