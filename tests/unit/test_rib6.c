/* test_rib6.c - the RIB with IPv6 (agent/rib/rib_ip6.c, rib_sync6.c, the
 * IPv6 paths of rib.c and rib_local.c): MAC+IPv6 type-2 routes into
 * vtep_routes6 and out again, RFC 9047's Router flag, IPv6 type-5 prefixes
 * with a router's MAC (RFC 9135 8.1) into vtep_prefixes6, our own ports'
 * IPv6 addresses advertised, and MAC mobility over MAC-only, MAC+IPv4 and
 * MAC+IPv6 routes of one MAC as one MAC (RFC 7432 15.1: the sequence is
 * per MAC), through real BPF maps (needs root) as test_rib.c does. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "evpn_export.h"
#include "log.h"
#include "mapsync.h"
#include "rib.h"
#include "rib_ip6.h"
#include "rib_test_util.h"

static struct vtep_config cfg;
static struct mapsync_fds fds;
static struct mapsync *ms;
static struct evpn_export *xp;
static struct rib *rib;

/* What the export told the speaker: the last route and how many. */
static unsigned n_adv, n_wd;
static struct evpn_route last;

static void on_export(void *ctx, const struct evpn_route *rt, const struct bgp_attrs *a,
		      bool withdraw)
{
	(void)ctx;
	(void)a;
	last = *rt;
	if (withdraw)
		n_wd++;
	else
		n_adv++;
}

static void setup(void)
{
	struct rib_env env;

	rt_load_config(rt_test_json, &cfg);
	mt_maps_open(&fds, 65536);
	ck_assert_int_eq(mapsync_new(&fds, 0, &ms), 0);
	ck_assert_int_eq(evpn_export_new(&cfg, &xp), 0);
	evpn_export_set_notify(xp, on_export, NULL);
	memset(&env, 0, sizeof(env));
	env.cfg = &cfg;
	env.ms = ms;
	env.exp = xp;
	ck_assert_int_eq(rib_new(&env, &rib), 0);
	n_adv = n_wd = 0;
}

static void teardown(void)
{
	rib_free(rib);
	evpn_export_free(xp);
	mapsync_free(ms);
	mt_maps_close(&fds);
	config_free(&cfg);
}

#define M1 "02:00:00:00:00:11"
#define IP4 "10.1.0.11"
#define IP6 "2001:db8:100::11"
#define V_A "192.0.2.20"
#define V_B "192.0.2.30"

static int upd(uint32_t peer, const char *vtep, const char *mac, const char *ip, bool mm,
	       uint32_t seq, uint8_t nd)
{
	struct evpn_route r = rt_macip(vtep, mac, ip, 100);
	struct bgp_attrs *a = rt_mkattrs(vtep, "65000:100", mm, seq, false);

	if (nd)
		rt_attrs_nd(nd);
	return rib_update(rib, peer, &r, a);
}

static void wd(uint32_t peer, const char *vtep, const char *mac, const char *ip)
{
	struct evpn_route r = rt_macip(vtep, mac, ip, 100);

	r.withdraw = true;
	ck_assert_int_eq(rib_update(rib, peer, &r, NULL), 0);
}

static size_t n6(void)
{
	return mt_count(fds.routes6, sizeof(struct vtep_route6_key));
}

static bool advertised6(const char *mac, const char *ip6, uint32_t *seq)
{
	uint8_t m[6], a[16];

	mt_mac(mac, m);
	mt_ip6(ip6, a);
	return evpn_export_macip6_get(xp, 100, m, a, seq);
}

static bool advertised4(const char *mac, const char *ip, uint32_t *seq)
{
	uint8_t m[6];

	mt_mac(mac, m);
	return evpn_export_macip_get(xp, 100, m, mt_ip(ip), seq);
}

/* A remote MAC+IPv6 route: a vtep_routes6 entry, the VTEP accepted, the
 * IPv4 maps untouched; withdrawn, everything goes, the address's id too. */
START_TEST(test_macip6_in_and_out)
{
	struct vtep_route v;
	struct vtep_remote rem;

	ck_assert_int_eq(upd(1, V_A, M1, IP6, false, 0, 0), 0);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_eq(mt_route6_get(&fds, 100, IP6, &v), 0);
	ck_assert_uint_eq(v.vtep, mt_ip(V_A));
	ck_assert_uint_eq(v.source, VTEP_SRC_BGP);
	ck_assert_uint_eq(v.flags, 0);
	{
		uint8_t m[6];

		mt_mac(M1, m);
		ck_assert_mem_eq(v.mac, m, 6);
	}
	ck_assert_int_eq(mt_remote_get(&fds, V_A, &rem), 0);
	ck_assert_uint_eq(mt_count(fds.routes, 8), 0);
	ck_assert_uint_eq(mt_count(fds.fdb, 12), 0);
	ck_assert_uint_eq(rib_ip6_count(rib), 1);
	/* the same route again changes nothing; a withdrawal of an address
	 * never held is nothing to do */
	ck_assert_int_eq(upd(1, V_A, M1, IP6, false, 0, 0), 0);
	wd(1, V_A, M1, "2001:db8:100::99");
	wd(1, V_A, M1, IP6);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_ne(mt_route6_get(&fds, 100, IP6, &v), 0);
	ck_assert_int_ne(mt_remote_get(&fds, V_A, &rem), 0);
	ck_assert_uint_eq(rib_ip6_count(rib), 0);
}
END_TEST

/* RFC 9047: an ARP/ND community with R marks the entry a router's; O alone
 * does not; on a MAC+IPv4 route it means nothing. A peer going down takes
 * its routes along. */
START_TEST(test_nd_router_flag)
{
	struct vtep_route v;

	ck_assert_int_eq(upd(1, V_A, M1, IP6, false, 0, BGP_EXT_ND_ROUTER | BGP_EXT_ND_OVERRIDE), 0);
	ck_assert_int_eq(upd(1, V_A, "02:00:00:00:00:12", "2001:db8:100::12", false, 0,
			     BGP_EXT_ND_OVERRIDE), 0);
	ck_assert_int_eq(upd(1, V_A, "02:00:00:00:00:13", "10.1.0.13", false, 0, BGP_EXT_ND_ROUTER),
			 0);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_eq(mt_route6_get(&fds, 100, IP6, &v), 0);
	ck_assert_uint_eq(v.flags, VTEP_RT_F_ROUTER);
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::12", &v), 0);
	ck_assert_uint_eq(v.flags, 0);
	ck_assert_int_eq(mt_route_get(&fds, 100, "10.1.0.13", &v), 0);
	ck_assert_uint_eq(v.flags, 0);
	/* the router stops being one: the entry follows */
	ck_assert_int_eq(upd(1, V_A, M1, IP6, false, 0, 0), 0);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_eq(mt_route6_get(&fds, 100, IP6, &v), 0);
	ck_assert_uint_eq(v.flags, 0);
	rib_peer_down(rib, 1);
	ck_assert_uint_eq(n6(), 0);
	ck_assert_uint_eq(mt_count(fds.routes, 8), 0);
	ck_assert_uint_eq(rib_ip6_count(rib), 0);
}
END_TEST

/* What no VTEP can use: link-local, multicast, loopback and unspecified
 * IPv6 host routes; a multicast IPv6 prefix. */
START_TEST(test_unusable6)
{
	static const char *const bad[] = { "fe80::11", "ff02::1", "::1", "::", "::ffff:10.1.0.1" };
	struct evpn_route r;
	struct rib_stats st;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(upd(1, V_A, M1, bad[i], false, 0, 0) == RIB_UPDATE_IGNORED, "%s",
			      bad[i]);
	r = rt_prefix(V_A, "ff00::", 8, 100);
	rt_mkattrs(V_A, "65000:100", false, 0, false);
	rt_attrs_rmac("02:00:00:00:99:99");
	ck_assert_int_eq(rib_update(rib, 1, &r, &rt_attrs), RIB_UPDATE_IGNORED);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_uint_eq(n6(), 0);
	rib_get_stats(rib, &st);
	ck_assert_uint_eq(st.ignored, 6);
	ck_assert_uint_eq(rib_ip6_count(rib), 0);
}
END_TEST

/* IPv6 type 5 with a router's MAC (RFC 9135 8.1): vtep_prefixes6 with the
 * inner destination MAC; without one it is kept but installs nothing. */
START_TEST(test_prefix6)
{
	struct evpn_route r = rt_prefix(V_A, "2001:db8:300::", 40, 100);
	struct evpn_route r2 = rt_prefix(V_B, "2001:db8:400::", 48, 100);
	struct vtep_route v;
	struct vtep_remote rem;
	uint8_t m[6];

	rt_mkattrs(V_A, "65000:100", false, 0, false);
	rt_attrs_rmac("02:00:00:00:99:01");
	ck_assert_int_eq(rib_update(rib, 1, &r, &rt_attrs), 0);
	ck_assert_int_eq(rib_update(rib, 2, &r2, rt_mkattrs(V_B, "65000:100", false, 0, false)), 0);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_eq(mt_prefix6_get(&fds, 100, "2001:db8:300::/40", &v), 0);
	ck_assert_uint_eq(v.vtep, mt_ip(V_A));
	mt_mac("02:00:00:00:99:01", m);
	ck_assert_mem_eq(v.mac, m, 6);
	ck_assert_int_ne(mt_prefix6_get(&fds, 100, "2001:db8:400::/48", &v), 0);
	ck_assert_int_ne(mt_remote_get(&fds, V_B, &rem), 0);
	ck_assert_uint_eq(mt_count(fds.prefixes, 12), 0);
	/* the same address with another length is another destination */
	r2 = rt_prefix(V_A, "2001:db8:300::", 48, 100);
	rt_mkattrs(V_A, "65000:100", false, 0, false);
	rt_attrs_rmac("02:00:00:00:99:02");
	ck_assert_int_eq(rib_update(rib, 1, &r2, &rt_attrs), 0);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_eq(mt_prefix6_get(&fds, 100, "2001:db8:300::/48", &v), 0);
	ck_assert_int_eq(mt_prefix6_get(&fds, 100, "2001:db8:300::/40", &v), 0);
	r.withdraw = true;
	ck_assert_int_eq(rib_update(rib, 1, &r, NULL), 0);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_ne(mt_prefix6_get(&fds, 100, "2001:db8:300::/40", &v), 0);
	ck_assert_int_eq(mt_prefix6_get(&fds, 100, "2001:db8:300::/48", &v), 0);
	rib_peer_down(rib, 1);
	rib_peer_down(rib, 2);
	ck_assert_uint_eq(mt_count(fds.prefixes6, sizeof(struct vtep_prefix6_key)), 0);
	ck_assert_uint_eq(rib_ip6_count(rib), 0);
}
END_TEST

/* Our dual-stack port: one route per address advertised (RFC 7432 7.2, IP
 * length 128 for the IPv6 one), its link-local address none; the port
 * going withdraws both. */
START_TEST(test_local_dual_stack_advertised)
{
	struct vtep_port p = rt_port(IP4, IP6, M1, "w1");
	size_t base = evpn_export_count(xp);   /* VNI 200's type 3 */
	uint32_t seq;

	ck_assert_int_eq(rib_flush(rib), 0);
	n_adv = 0;
	ck_assert_int_eq(mapsync_port_set(ms, 5, &p), 0);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert(advertised4(M1, IP4, &seq));
	ck_assert(advertised6(M1, IP6, &seq));
	ck_assert_uint_eq(evpn_export_count(xp), base + 2);
	ck_assert_uint_eq(n_adv, 2);
	/* an IPv6-only port: one route */
	p = rt_port(NULL, "2001:db8:100::21", "02:00:00:00:00:21", "w1");
	ck_assert_int_eq(mapsync_port_set(ms, 6, &p), 0);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_uint_eq(evpn_export_count(xp), base + 3);
	ck_assert_uint_eq(last.ip.len, 16);
	ck_assert_int_eq(mapsync_port_del(ms, 5), 0);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert(!advertised4(M1, IP4, NULL));
	ck_assert(!advertised6(M1, IP6, NULL));
	ck_assert_uint_eq(n_wd, 2);
	ck_assert_uint_eq(evpn_export_count(xp), base + 1);
}
END_TEST

/* One MAC, three routes: our workload is dual-stack here; a remote
 * MAC-only route for its MAC with a higher sequence means it moved
 * (RFC 7432 15.1): both our MAC+IP routes are withdrawn and both maps send
 * the addresses there. Then an unsolicited NA for the IPv6 address (the
 * workload is back) takes the MAC back with remote sequence + 1 for every
 * address of the MAC, the IPv4 one too. */
START_TEST(test_mobility_one_mac)
{
	struct vtep_port p = rt_port(IP4, IP6, M1, "w1");
	struct vtep_event ev;
	struct vtep_route v;
	uint32_t seq;

	ck_assert_int_eq(mapsync_port_set(ms, 5, &p), 0);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert(advertised4(M1, IP4, &seq) && seq == 0);
	ck_assert(advertised6(M1, IP6, &seq) && seq == 0);

	/* moved away: a MAC-only route, sequence 1 */
	ck_assert_int_eq(upd(1, V_A, M1, NULL, true, 1, 0), 0);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert(!advertised4(M1, IP4, NULL));
	ck_assert(!advertised6(M1, IP6, NULL));
	ck_assert_int_eq(mt_route6_get(&fds, 100, IP6, &v), 0);
	ck_assert_uint_eq(v.vtep, mt_ip(V_A));
	ck_assert_uint_eq(v.source, VTEP_SRC_BGP);
	ck_assert_uint_eq(v.seq, 1);
	ck_assert_int_eq(mt_route_get(&fds, 100, IP4, &v), 0);
	ck_assert_uint_eq(v.vtep, mt_ip(V_A));

	/* it came back: an unsolicited NA for its IPv6 address */
	memset(&ev, 0, sizeof(ev));
	ev.type = VTEP_EV_GARP;
	ev.ifindex = 5;
	ev.vni = 100;
	ev.family = 6;
	mt_ip6(IP6, ev.ip6);
	mt_mac(M1, ev.mac);
	rib_local_garp(rib, &ev);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert(advertised6(M1, IP6, &seq));
	ck_assert_uint_eq(seq, 2);
	ck_assert(advertised4(M1, IP4, &seq));
	ck_assert_uint_eq(seq, 2);
	ck_assert_int_eq(mt_route6_get(&fds, 100, IP6, &v), 0);
	ck_assert_uint_eq(v.source, VTEP_SRC_LOCAL);
	ck_assert_int_eq(mt_route_get(&fds, 100, IP4, &v), 0);
	ck_assert_uint_eq(v.source, VTEP_SRC_LOCAL);

	/* a MAC+IPv6 route of the MAC with a higher sequence moves it again,
	 * the IPv4 address along with it */
	ck_assert_int_eq(upd(2, V_B, M1, IP6, true, 3, 0), 0);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert(!advertised6(M1, IP6, NULL));
	ck_assert(!advertised4(M1, IP4, NULL));
	ck_assert_int_eq(mt_route_get(&fds, 100, IP4, &v), 0);
	ck_assert_uint_eq(v.vtep, mt_ip(V_B));
	ck_assert_int_eq(mt_route6_get(&fds, 100, IP6, &v), 0);
	ck_assert_uint_eq(v.vtep, mt_ip(V_B));
	ck_assert_uint_eq(v.seq, 3);
}
END_TEST

/* A remote MAC+IPv6 route of our workload's MAC with our port here and
 * the same sequence: the lower VTEP address wins (RFC 7432 15.1), ours
 * (192.0.2.1) here; the IPv6 key stays local. */
START_TEST(test_same_seq_lower_vtep6)
{
	struct vtep_port p = rt_port(NULL, IP6, M1, "w1");
	struct vtep_route v;

	ck_assert_int_eq(mapsync_port_set(ms, 5, &p), 0);
	ck_assert_int_eq(upd(1, V_A, M1, IP6, false, 0, 0), 0);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert(advertised6(M1, IP6, NULL));
	ck_assert_int_eq(mt_route6_get(&fds, 100, IP6, &v), 0);
	ck_assert_uint_eq(v.source, VTEP_SRC_LOCAL);
	ck_assert_uint_eq(v.ifindex, 5);
}
END_TEST

/* vtepctl bgp routes: the walk gives the IPv6 address and prefix back. */
static int find6(void *ctx, const struct rib_route_info *ri)
{
	unsigned *n = ctx;
	uint8_t a[16];

	mt_ip6(IP6, a);
	if (ri->route.type == EVPN_RT_MACIP && ri->route.ip.len == 16 &&
	    !memcmp(ri->route.ip.v6, a, 16))
		n[0]++;
	mt_ip6("2001:db8:300::", a);
	if (ri->route.type == EVPN_RT_PREFIX && ri->route.ip.len == 16 &&
	    ri->route.prefix_len == 40 && !memcmp(ri->route.ip.v6, a, 16))
		n[1]++;
	return 0;
}

START_TEST(test_walk6)
{
	struct evpn_route r = rt_prefix(V_A, "2001:db8:300::", 40, 100);
	struct vtep_port p = rt_port(NULL, IP6, M1, "w1");
	unsigned n[2] = { 0, 0 };

	ck_assert_int_eq(upd(1, V_A, M1, IP6, false, 0, 0), 0);
	rt_mkattrs(V_A, "65000:100", false, 0, false);
	rt_attrs_rmac("02:00:00:00:99:01");
	ck_assert_int_eq(rib_update(rib, 1, &r, &rt_attrs), 0);
	ck_assert_int_eq(mapsync_port_set(ms, 5, &p), 0);
	ck_assert_int_eq(rib_flush(rib), 0);
	ck_assert_int_eq(rib_walk(rib, 0, UINT32_MAX, find6, n), 0);
	ck_assert_uint_eq(n[0], 2);   /* the peer's and ours */
	ck_assert_uint_eq(n[1], 1);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("rib6");
	TCase *tc = tcase_create("rib6");

	log_level = LOG_LVL_ERR;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_macip6_in_and_out);
	tcase_add_test(tc, test_nd_router_flag);
	tcase_add_test(tc, test_unusable6);
	tcase_add_test(tc, test_prefix6);
	tcase_add_test(tc, test_local_dual_stack_advertised);
	tcase_add_test(tc, test_mobility_one_mac);
	tcase_add_test(tc, test_same_seq_lower_vtep6);
	tcase_add_test(tc, test_walk6);
	suite_add_tcase(s, tc);
	return s;
}
