/* test_mapsync6.c - agent/dp/mapsync6: the IPv6 maps against real BPF maps
 * (maps_test_util.h; needs root): a port's ip6 as a vtep_routes6 entry and
 * its link-local address in vtep_ports only, IPv6-only ports, IPv6 static
 * host routes and prefixes, the precedence local > static > BGP (and a
 * local workload that moved away), the shared vtep_remotes counts, the
 * BGP side's IPv6 answers and adoption, and the reconcile's stale IPv6
 * entries. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "addr.h"
#include "addr6.h"
#include "log.h"
#include "mapsync.h"
#include "maps_test_util.h"

static struct mapsync_fds fds;
static struct mapsync *ms;

static void setup(void)
{
	mt_maps_open(&fds, 4096);
	ck_assert_int_eq(mapsync_new(&fds, 0, &ms), 0);
}

static void teardown(void)
{
	mapsync_free(ms);
	mt_maps_close(&fds);
}

static struct mapsync_route mkroute6(uint32_t vni, const char *prefix, const char *vtep,
				     const char *m)
{
	struct mapsync_route r;

	memset(&r, 0, sizeof(r));
	r.vni = vni;
	r.v6 = true;
	ck_assert_int_eq(addr6_parse_prefix(prefix, r.prefix6, &r.prefixlen, 0), 0);
	r.vtep = mt_ip(vtep);
	mt_mac(m, r.mac);
	return r;
}

static struct vtep_port mkport6(uint32_t vni, const char *a4, const char *a6, const char *m,
				const char *name)
{
	struct vtep_port p;

	memset(&p, 0, sizeof(p));
	p.vni = vni;
	if (a4)
		p.ip = mt_ip(a4);
	mt_ip6(a6, p.ip6);
	if (m) {
		mt_mac(m, p.mac);
		addr6_ll_from_mac(p.mac, p.ip6_ll);
	} else {
		p.flags = VTEP_PORT_F_MAC_AUTO;
	}
	strncpy(p.ifname, name, sizeof(p.ifname) - 1);
	return p;
}

static struct vtep_route6_key rk6(uint32_t vni, const char *a)
{
	struct vtep_route6_key k;

	memset(&k, 0, sizeof(k));
	k.vni = vni;
	mt_ip6(a, k.ip);
	return k;
}

/* A dual-stack port: vtep_ports holds both addresses and the link-local
 * one, vtep_routes and vtep_routes6 a local route each; the link-local
 * address is no route. */
START_TEST(test_dual_stack_port)
{
	struct vtep_port p = mkport6(100, "10.1.0.11", "2001:db8:100::11", "02:00:00:00:00:11", "w1");
	struct vtep_port got;
	struct vtep_route r;
	uint32_t ifindex = 7;

	ck_assert_int_eq(mapsync_port_set(ms, ifindex, &p), 0);
	ck_assert_int_ne(mt_route6_get(&fds, 100, "2001:db8:100::11", &r), 0); /* not before flush */
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fds.ports, &ifindex, &got), 0);
	ck_assert_mem_eq(&got, &p, sizeof(p));
	ck_assert_int_eq(mt_route_get(&fds, 100, "10.1.0.11", &r), 0);
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::11", &r), 0);
	ck_assert_uint_eq(r.vtep, 0);
	ck_assert_uint_eq(r.ifindex, 7);
	ck_assert_uint_eq(r.source, VTEP_SRC_LOCAL);
	ck_assert_mem_eq(r.mac, p.mac, 6);
	ck_assert_uint_eq(mt_count(fds.routes6, sizeof(struct vtep_route6_key)), 1);
	ck_assert_int_ne(mt_route6_get(&fds, 100, "fe80::ff:fe00:11", &r), 0);
	/* a new ip6 moves the route */
	mt_ip6("2001:db8:100::111", p.ip6);
	ck_assert_int_eq(mapsync_port_set(ms, ifindex, &p), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_ne(mt_route6_get(&fds, 100, "2001:db8:100::11", &r), 0);
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::111", &r), 0);

	ck_assert_int_eq(mapsync_port_del(ms, ifindex), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(mt_count(fds.ports, 4), 0);
	ck_assert_uint_eq(mt_count(fds.routes, 8), 0);
	ck_assert_uint_eq(mt_count(fds.routes6, sizeof(struct vtep_route6_key)), 0);
	ck_assert_uint_eq(mt_count(fds.fdb, 12), 0);
}
END_TEST

/* An IPv6-only port (ip 0) puts nothing in vtep_routes; an auto MAC
 * nothing in vtep_routes6 until it is known. */
START_TEST(test_ipv6_only_port)
{
	struct vtep_port p = mkport6(100, NULL, "2001:db8:100::12", NULL, "w2");
	struct vtep_port q = mkport6(100, NULL, "2001:db8:100::13", "02:00:00:00:00:13", "w3");
	struct vtep_route_key zero = { .vni = 100, .ip = 0 };
	struct vtep_route r;
	struct vtep_fdb f;

	ck_assert_int_eq(mapsync_port_set(ms, 8, &p), 0);
	ck_assert_int_eq(mapsync_port_set(ms, 9, &q), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(mt_count(fds.ports, 4), 2);
	ck_assert_uint_eq(mt_count(fds.routes, 8), 0);
	ck_assert_int_ne(bpf_map_lookup_elem(fds.routes, &zero, &r), 0);
	ck_assert_int_ne(mt_route6_get(&fds, 100, "2001:db8:100::12", &r), 0);
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::13", &r), 0);
	ck_assert_uint_eq(r.ifindex, 9);
	ck_assert_int_eq(mt_fdb_get(&fds, 100, "02:00:00:00:00:13", &f), 0);
	mt_mac("02:00:00:00:00:12", p.mac);
	ck_assert_int_eq(mapsync_port_set(ms, 8, &p), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::12", &r), 0);
	ck_assert_uint_eq(r.ifindex, 8);
	ck_assert_uint_eq(mt_count(fds.routes, 8), 0);
}
END_TEST

/* /128 into vtep_routes6, shorter into vtep_prefixes6 (prefixlen 32 +
 * len, the VNI in network order); vtep_remotes counts IPv4 and IPv6
 * routes together; local outranks static. */
START_TEST(test_static_routes6)
{
	struct mapsync_route h = mkroute6(100, "2001:db8:100::21", "192.0.2.2", "02:00:00:00:00:21");
	struct mapsync_route pf = mkroute6(100, "2001:db8:200::/48", "192.0.2.2", "02:00:00:00:00:22");
	struct mapsync_route v4 = { .vni = 100, .prefix = mt_ip("10.1.0.21"), .prefixlen = 32,
				    .vtep = mt_ip("192.0.2.2") };
	struct vtep_port p = mkport6(100, NULL, "2001:db8:100::21", "02:00:00:00:00:31", "w4");
	struct mapsync_route got;
	struct vtep_remote rem;
	struct vtep_route r;
	size_t pos = 0, n = 0;

	mt_mac("02:00:00:00:00:41", v4.mac);
	ck_assert_int_eq(mapsync_route_add(ms, &h), 0);
	ck_assert_int_eq(mapsync_route_add(ms, &pf), 0);
	ck_assert_int_eq(mapsync_route_add(ms, &v4), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::21", &r), 0);
	ck_assert_uint_eq(r.vtep, mt_ip("192.0.2.2"));
	ck_assert_uint_eq(r.source, VTEP_SRC_STATIC);
	ck_assert_int_eq(mt_prefix6_get(&fds, 100, "2001:db8:200::/48", &r), 0);
	ck_assert_uint_eq(r.source, VTEP_SRC_STATIC);
	ck_assert_mem_eq(r.mac, pf.mac, 6);
	ck_assert_int_eq(mt_remote_get(&fds, "192.0.2.2", &rem), 0);
	ck_assert_uint_eq(rem.refs, 3);
	/* both families in one count and one walk */
	ck_assert_uint_eq(mapsync_route_count(ms), 3);
	while (mapsync_route_next(ms, &pos, &got))
		n += got.v6 ? 10 : 1;
	ck_assert_uint_eq(n, 21);
	ck_assert(mapsync_route_find(ms, &h, &got));
	ck_assert(got.v6 && got.prefixlen == 128 && got.vtep == h.vtep);
	/* a local port with the address wins */
	ck_assert_int_eq(mapsync_port_set(ms, 11, &p), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::21", &r), 0);
	ck_assert_uint_eq(r.source, VTEP_SRC_LOCAL);
	ck_assert_int_eq(mapsync_port_del(ms, 11), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::21", &r), 0);
	ck_assert_uint_eq(r.source, VTEP_SRC_STATIC);
	/* removal by key, either family */
	ck_assert_int_eq(mapsync_route_remove(ms, &h), 0);
	ck_assert_int_eq(mapsync_route_remove(ms, &h), -ENOENT);
	ck_assert_int_eq(mapsync_route_remove(ms, &pf), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(mt_count(fds.routes6, sizeof(struct vtep_route6_key)), 0);
	ck_assert_uint_eq(mt_count(fds.prefixes6, sizeof(struct vtep_prefix6_key)), 0);
	ck_assert_int_eq(mt_remote_get(&fds, "192.0.2.2", &rem), 0);
	ck_assert_uint_eq(rem.refs, 1);
	ck_assert_int_eq(mapsync_route_remove(ms, &v4), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_ne(mt_remote_get(&fds, "192.0.2.2", &rem), 0);
}
END_TEST

/* The BGP side's answers for the IPv6 maps: written when set, the moved
 * workload's "over" honoured, a local port kept otherwise. */
static bool bgp_route6(void *ctx, const struct vtep_route6_key *k, struct vtep_route *out,
		       bool *over)
{
	(void)ctx;
	(void)k;
	memset(out, 0, sizeof(*out));
	out->vtep = htonl(0xc0000209);
	out->source = VTEP_SRC_BGP;
	out->flags = VTEP_RT_F_ROUTER;
	*over = false;
	return true;
}

START_TEST(test_bgp_side6)
{
	struct mapsync_bgp bgp = { .route6 = bgp_route6 };
	struct vtep_route6_key k = rk6(100, "2001:db8:100::31"), kl = rk6(100, "2001:db8:100::14");
	struct vtep_prefix6_key pk;
	struct vtep_route v = { .vtep = htonl(0xc0000203), .source = VTEP_SRC_BGP,
				.flags = VTEP_RT_F_ROUTER }, r;
	struct vtep_port p = mkport6(100, NULL, "2001:db8:100::14", "02:00:00:00:00:14", "w5");
	uint8_t pfx[16];

	mt_mac("02:00:00:00:00:31", v.mac);
	mapsync_set_bgp(ms, &bgp);
	ck_assert_int_eq(mapsync_bgp_set_route6(ms, &k, &v, false), 0);
	mt_ip6("2001:db8:300::", pfx);
	memset(&pk, 0, sizeof(pk));
	pk.prefixlen = 32 + 40;
	pk.vni = htonl(100);
	memcpy(pk.ip, pfx, 16);
	ck_assert_int_eq(mapsync_bgp_set_prefix6(ms, &pk, &v), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::31", &r), 0);
	ck_assert_mem_eq(&r, &v, sizeof(r));
	ck_assert_int_eq(mt_prefix6_get(&fds, 100, "2001:db8:300::/40", &r), 0);
	ck_assert_uint_eq(r.source, VTEP_SRC_BGP);
	/* a local workload with the address hides the BGP route ... */
	ck_assert_int_eq(mapsync_port_set(ms, 12, &p), 0);
	ck_assert_int_eq(mapsync_bgp_set_route6(ms, &kl, &v, false), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::14", &r), 0);
	ck_assert_uint_eq(r.source, VTEP_SRC_LOCAL);
	/* ... unless it moved away (RFC 7432 15) */
	ck_assert_int_eq(mapsync_bgp_set_route6(ms, &kl, &v, true), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::14", &r), 0);
	ck_assert_uint_eq(r.source, VTEP_SRC_BGP);
	/* withdrawn */
	ck_assert_int_eq(mapsync_bgp_set_route6(ms, &k, NULL, false), 0);
	ck_assert_int_eq(mapsync_bgp_set_prefix6(ms, &pk, NULL), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_ne(mt_route6_get(&fds, 100, "2001:db8:100::31", &r), 0);
	ck_assert_int_ne(mt_prefix6_get(&fds, 100, "2001:db8:300::/40", &r), 0);
	/* a key only touched asks the callback */
	ck_assert_int_eq(mapsync_bgp_touch_route6(ms, &k), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::31", &r), 0);
	ck_assert_uint_eq(r.vtep, htonl(0xc0000209));
	ck_assert(mapsync_want_route6(ms, &k, &r) && r.flags == VTEP_RT_F_ROUTER);
	mapsync_set_bgp(ms, NULL);
}
END_TEST

/* A restart: stale IPv6 entries of ours go, an earlier run's BGP entries
 * stay until adoption, what is right is not rewritten. */
START_TEST(test_reconcile6)
{
	struct mapsync_route keep = mkroute6(100, "2001:db8:100::21", "192.0.2.2", "02:00:00:00:00:21");
	struct vtep_route6_key stale = rk6(100, "2001:db8:100::99"), bgpk = rk6(100, "2001:db8:100::50");
	struct vtep_prefix6_key stalep;
	struct vtep_route sv = { .vtep = mt_ip("192.0.2.9"), .source = VTEP_SRC_STATIC };
	struct vtep_route bv = { .vtep = mt_ip("192.0.2.8"), .source = VTEP_SRC_BGP };
	struct mapsync_bgp none = { 0 };
	struct mapsync_stats st, st2;
	struct vtep_route r;

	memset(&stalep, 0, sizeof(stalep));
	stalep.prefixlen = 32 + 48;
	stalep.vni = htonl(100);
	mt_ip6("2001:db8:7::", stalep.ip);
	ck_assert_int_eq(bpf_map_update_elem(fds.routes6, &stale, &sv, 0), 0);
	ck_assert_int_eq(bpf_map_update_elem(fds.routes6, &bgpk, &bv, 0), 0);
	ck_assert_int_eq(bpf_map_update_elem(fds.prefixes6, &stalep, &sv, 0), 0);
	ck_assert_int_eq(mapsync_route_add(ms, &keep), 0);
	ck_assert_int_eq(mapsync_reconcile(ms), 0);
	ck_assert_int_ne(bpf_map_lookup_elem(fds.routes6, &stale, &r), 0);
	ck_assert_int_ne(bpf_map_lookup_elem(fds.prefixes6, &stalep, &r), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fds.routes6, &bgpk, &r), 0);
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::21", &r), 0);
	mapsync_get_stats(ms, &st);
	ck_assert_int_eq(mapsync_reconcile(ms), 0);
	mapsync_get_stats(ms, &st2);
	ck_assert_uint_eq(st2.updates, st.updates);
	ck_assert_uint_eq(st2.deletes, st.deletes);
	/* adoption: the BGP side wants none of it */
	mapsync_set_bgp(ms, &none);
	ck_assert_int_eq(mapsync_bgp_adopt(ms), 0);
	ck_assert_int_ne(bpf_map_lookup_elem(fds.routes6, &bgpk, &r), 0);
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::21", &r), 0);
	mapsync_set_bgp(ms, NULL);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("mapsync6");
	TCase *tc = tcase_create("maps");

	log_level = LOG_LVL_ERR;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_dual_stack_port);
	tcase_add_test(tc, test_ipv6_only_port);
	tcase_add_test(tc, test_static_routes6);
	tcase_add_test(tc, test_bgp_side6);
	tcase_add_test(tc, test_reconcile6);
	suite_add_tcase(s, tc);
	return s;
}
