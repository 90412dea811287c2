/* test_rib_store.c - the RIB's tables (agent/rib/rib_store.c) under churn:
 * tens of thousands of random announcements and withdrawals from two peers
 * over a key space where IPs are claimed by several MACs, MACs carry several
 * IPs and MAC-only routes, so the (VNI, IP) and (VNI, MAC) groups, index
 * growth and deletion inside probe runs are all exercised. After every few
 * hundred steps the RIB (rib_walk) and the maps must match a model kept
 * here. And a RIB that holds more routes than its maps: the rest are
 * marked pending, and go in when room frees. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "check_main.h"
#include "log.h"
#include "mapsync.h"
#include "rib.h"
#include "rib_test_util.h"

/* Keys: route i of the space has MAC (i % N_MAC) and IP i / N_MAC (its row),
 * except in row 0 where every fifth MAC has a MAC-only route instead. */
#define N_MAC   3000
#define N_KEYS  (N_MAC * 4)
#define N_PEERS 2

static struct vtep_config cfg;
static struct mapsync_fds fds;
static struct mapsync *ms;
static struct rib *rib;
/* The model: which peer holds key i. */
static bool held[N_PEERS][N_KEYS];

static void setup(void)
{
	struct rib_env env;

	rt_load_config(rt_test_json, &cfg);
	mt_maps_open(&fds, 65536);
	ck_assert_int_eq(mapsync_new(&fds, 0, &ms), 0);
	memset(&env, 0, sizeof(env));
	env.cfg = &cfg;
	env.ms = ms;
	ck_assert_int_eq(rib_new(&env, &rib), 0);
	memset(held, 0, sizeof(held));
}

static void teardown(void)
{
	rib_free(rib);
	mapsync_free(ms);
	mt_maps_close(&fds);
	config_free(&cfg);
}

static bool key_has_ip(unsigned i)
{
	return i >= N_MAC || i % 5 != 0;
}

static struct evpn_route key_route(unsigned peer, unsigned i)
{
	struct evpn_route r = rt_macip(peer ? "192.0.2.30" : "192.0.2.20", "02:00:00:00:00:00",
				       NULL, 100);
	unsigned m = i % N_MAC;

	r.mac[3] = 0x40;
	r.mac[4] = (uint8_t)(m >> 8);
	r.mac[5] = (uint8_t)m;
	if (key_has_ip(i)) {
		r.ip.len = 4;
		r.ip.v4 = htonl(0x0a010000u + i / N_MAC);
	}
	return r;
}

struct tally {
	size_t paths[N_PEERS];
	bool bad;
};

static int tally_path(void *ctx, const struct rib_route_info *ri)
{
	struct tally *t = ctx;
	unsigned m = (unsigned)ri->route.mac[4] << 8 | ri->route.mac[5], i;

	if (ri->peer < 1 || ri->peer > N_PEERS || ri->vni != 100) {
		t->bad = true;
		return 0;
	}
	/* The key back from the route. */
	if (ri->route.ip.len == 4) {
		unsigned ipn = ntohl(ri->route.ip.v4) - 0x0a010000u;

		i = ipn * N_MAC + m;
		if (!key_has_ip(i))
			t->bad = true;
	} else {
		i = m;  /* the MAC-only key of MAC m */
		if (key_has_ip(i))
			t->bad = true;
	}
	if (i >= N_KEYS || !held[ri->peer - 1][i])
		t->bad = true;
	else
		t->paths[ri->peer - 1]++;
	return 0;
}

static void check_model(void)
{
	struct tally t;
	struct rib_stats st;
	size_t want[N_PEERS] = { 0 }, ips = 0, macs = 0, p, i, j;
	static bool ip_seen[N_KEYS / N_MAC], mac_only[N_MAC];

	memset(&t, 0, sizeof(t));
	memset(ip_seen, 0, sizeof(ip_seen));
	memset(mac_only, 0, sizeof(mac_only));
	ck_assert_int_eq(rib_walk(rib, 0, UINT32_MAX, tally_path, &t), 0);
	ck_assert(!t.bad);
	for (p = 0; p < N_PEERS; p++)
		for (i = 0; i < N_KEYS; i++)
			want[p] += held[p][i];
	for (p = 0; p < N_PEERS; p++) {
		ck_assert_uint_eq(t.paths[p], want[p]);
		ck_assert_uint_eq(rib_peer_routes(rib, (uint32_t)p + 1), want[p]);
	}
	rib_get_stats(rib, &st);
	ck_assert_uint_eq(st.paths, want[0] + want[1]);
	/* The maps: one route entry per IP some MAC holds, one fdb entry per
	 * MAC with a MAC-only route. */
	ck_assert_int_eq(rib_flush(rib), 0);
	for (i = 0; i < N_KEYS; i++) {
		bool any = false;

		for (p = 0; p < N_PEERS; p++)
			any |= held[p][i];
		if (!any)
			continue;
		if (key_has_ip(i))
			ip_seen[i / N_MAC] = true;
		else
			mac_only[i % N_MAC] = true;
	}
	for (j = 0; j < N_KEYS / N_MAC; j++)
		ips += ip_seen[j];
	for (j = 0; j < N_MAC; j++)
		macs += mac_only[j];
	ck_assert_uint_eq(mt_count(fds.routes, sizeof(struct vtep_route_key)), ips);
	ck_assert_uint_eq(mt_count(fds.fdb, sizeof(struct vtep_fdb_key)), macs);
}

START_TEST(test_churn)
{
	unsigned step, seed = 12345;

	for (step = 0; step < 60000; step++) {
		unsigned peer, i;
		struct evpn_route r;

		seed = seed * 1103515245u + 12345u;
		peer = (seed >> 16) % N_PEERS;
		seed = seed * 1103515245u + 12345u;
		/* A window that slides over the keys, so that the tables grow
		 * well past their first size and shrink again. */
		i = ((seed >> 8) % 4000 + step / 6) % N_KEYS;
		r = key_route(peer, i);
		if (held[peer][i] && (seed & 0x3) != 0) {
			r.withdraw = true;
			ck_assert_int_eq(rib_update(rib, peer + 1, &r, NULL), 0);
			held[peer][i] = false;
		} else {
			ck_assert_int_eq(rib_update(rib, peer + 1, &r,
						    rt_mkattrs(peer ? "192.0.2.30" : "192.0.2.20",
							       "65000:100", false, 0, false)), 0);
			held[peer][i] = true;
		}
		if (step % 5000 == 4999)
			check_model();
	}
	/* One peer leaves: its routes go, the other's stay. */
	rib_peer_down(rib, 1);
	memset(held[0], 0, sizeof(held[0]));
	check_model();
	rib_peer_down(rib, 2);
	memset(held[1], 0, sizeof(held[1]));
	check_model();
	ck_assert_uint_eq(mt_count(fds.remotes, 4), 0);
}
END_TEST

static struct evpn_route distinct_route(unsigned i)
{
	struct evpn_route r = rt_macip("192.0.2.20", "02:00:00:00:00:00", "10.1.0.0", 100);

	r.mac[4] = (uint8_t)(i >> 8);
	r.mac[5] = (uint8_t)i;
	r.ip.v4 = htonl(0x0a010000u + i);
	return r;
}

static int count_pending(void *ctx, const struct rib_route_info *ri)
{
	size_t *n = ctx;

	if (ri->pending)
		n[0]++;
	if (ri->best)
		n[1]++;
	return 0;
}

/* The fixture's RIB again, over maps of 100 entries (so that they fill). */
static void small_maps(void)
{
	struct rib_env env;

	rib_free(rib);
	mapsync_free(ms);
	mt_maps_close(&fds);
	mt_maps_open(&fds, 100);
	ck_assert_int_eq(mapsync_new(&fds, 0, &ms), 0);
	memset(&env, 0, sizeof(env));
	env.cfg = &cfg;
	env.ms = ms;
	ck_assert_int_eq(rib_new(&env, &rib), 0);
	ck_assert_int_eq(rib_initial_sync_done(rib), 0);
}

START_TEST(test_pending_routes)
{
	size_t n[2] = { 0, 0 };
	unsigned i;

	small_maps();
	/* 150 MAC+IP routes, an IP each, for 100 entries. */
	for (i = 0; i < 150; i++) {
		struct evpn_route r = distinct_route(i);

		ck_assert_int_eq(rib_update(rib, 1, &r, rt_mkattrs("192.0.2.20", "65000:100",
								   false, 0, false)), 0);
	}
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_uint_eq(mt_count(fds.routes, 8), 100);
	ck_assert_int_eq(rib_walk(rib, 0, UINT32_MAX, count_pending, n), 0);
	ck_assert_uint_eq(n[0], 50);
	ck_assert_uint_eq(n[1], 150);
	/* 30 installed ones withdrawn: 30 waiting ones go in. */
	for (i = 0; i < 30; i++) {
		struct evpn_route r = distinct_route(i);

		r.withdraw = true;
		ck_assert_int_eq(rib_update(rib, 1, &r, NULL), 0);
	}
	ck_assert_int_eq(rib_flush(rib), 0);
	n[0] = n[1] = 0;
	ck_assert_int_eq(rib_walk(rib, 0, UINT32_MAX, count_pending, n), 0);
	ck_assert_uint_eq(n[0], 20);
	ck_assert_uint_eq(n[1], 120);
	ck_assert_uint_eq(mt_count(fds.routes, 8), 100);
	rib_peer_down(rib, 1);
	ck_assert_uint_eq(mt_count(fds.routes, 8), 0);
}
END_TEST

/* The same with MAC+IPv6 routes: vtep_routes6 full, the waiting ones
 * marked pending (rib_sync6_pending), and in as room frees. */
START_TEST(test_pending_routes6)
{
	size_t n[2] = { 0, 0 };
	unsigned i;

	small_maps();
	for (i = 0; i < 150; i++) {
		struct evpn_route r = distinct_route(i);

		r.ip.len = 16;
		ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:10::", r.ip.v6), 1);
		r.ip.v6[14] = (uint8_t)(i >> 8);
		r.ip.v6[15] = (uint8_t)i;
		ck_assert_int_eq(rib_update(rib, 1, &r, rt_mkattrs("192.0.2.20", "65000:100",
								   false, 0, false)), 0);
	}
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_uint_eq(mt_count(fds.routes6, sizeof(struct vtep_route6_key)), 100);
	ck_assert_int_eq(rib_walk(rib, 0, UINT32_MAX, count_pending, n), 0);
	ck_assert_uint_eq(n[0], 50);
	ck_assert_uint_eq(n[1], 150);
	rib_peer_down(rib, 1);
	ck_assert_uint_eq(mt_count(fds.routes6, sizeof(struct vtep_route6_key)), 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("rib_store");
	TCase *tc = tcase_create("rib_store");

	log_level = LOG_LVL_ERR;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_churn);
	tcase_add_test(tc, test_pending_routes);
	tcase_add_test(tc, test_pending_routes6);
	suite_add_tcase(s, tc);
	return s;
}
