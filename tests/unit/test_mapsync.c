/* test_mapsync.c - agent/dp/mapsync against real BPF maps made with
 * bpf_map_create (maps_test_util.h: same types, keys and values as
 * bpf/maps.bpf.h; needs root): what each piece of intent writes,
 * precedence, reference counts, batching, and the start-up reconcile that
 * removes stale entries of ours but leaves BGP's alone. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "addr.h"
#include "log.h"
#include "mapsync.h"
#include "maps_test_util.h"

static struct mapsync_fds fds;
static struct mapsync *ms;

static void setup(void)
{
	mt_maps_open(&fds, 65536);
	ck_assert_int_eq(mapsync_new(&fds, 0, &ms), 0);
}

static void teardown(void)
{
	mapsync_free(ms);
	mt_maps_close(&fds);
}

static struct mapsync_route mkroute(uint32_t vni, const char *prefix, const char *vtep,
				const char *m)
{
	struct mapsync_route r;

	memset(&r, 0, sizeof(r));
	r.vni = vni;
	ck_assert_int_eq(addr_parse_prefix(prefix, &r.prefix, &r.prefixlen, 0), 0);
	r.vtep = mt_ip(vtep);
	mt_mac(m, r.mac);
	return r;
}

static struct vtep_port mkport(uint32_t vni, const char *a, const char *m, const char *name)
{
	struct vtep_port p;

	memset(&p, 0, sizeof(p));
	p.vni = vni;
	p.ip = mt_ip(a);
	if (m)
		mt_mac(m, p.mac);
	else
		p.flags = VTEP_PORT_F_MAC_AUTO;
	strncpy(p.ifname, name, sizeof(p.ifname) - 1);
	return p;
}

START_TEST(test_port_with_mac)
{
	struct vtep_port p = mkport(100, "10.1.0.11", "02:00:00:00:00:11", "w1"), got;
	struct vtep_route r;
	struct vtep_fdb f;
	uint32_t ifindex = 7;

	ck_assert_int_eq(mapsync_port_set(ms, ifindex, &p), 0);
	ck_assert_int_ne(bpf_map_lookup_elem(fds.ports, &ifindex, &got), 0); /* not before flush */
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fds.ports, &ifindex, &got), 0);
	ck_assert_mem_eq(&got, &p, sizeof(p));
	ck_assert_int_eq(mt_route_get(&fds, 100, "10.1.0.11", &r), 0);
	ck_assert_uint_eq(r.vtep, 0);
	ck_assert_uint_eq(r.ifindex, 7);
	ck_assert_uint_eq(r.source, VTEP_SRC_LOCAL);
	ck_assert_mem_eq(r.mac, p.mac, 6);
	ck_assert_int_eq(mt_fdb_get(&fds, 100, "02:00:00:00:00:11", &f), 0);
	ck_assert_uint_eq(f.vtep, 0);
	ck_assert_uint_eq(f.ifindex, 7);
	ck_assert_uint_eq(f.source, VTEP_SRC_LOCAL);

	ck_assert_int_eq(mapsync_port_del(ms, ifindex), 0);
	ck_assert_int_eq(mapsync_port_del(ms, ifindex), -ENOENT);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(mt_count(fds.ports, 4), 0);
	ck_assert_uint_eq(mt_count(fds.routes, 8), 0);
	ck_assert_uint_eq(mt_count(fds.fdb, 12), 0);
}
END_TEST

/* An auto-MAC port has only its port entry until the MAC is learned. */
START_TEST(test_port_auto_mac_learned)
{
	struct vtep_port p = mkport(100, "10.1.0.12", NULL, "w2");
	struct vtep_route r;
	struct vtep_fdb f;
	uint32_t ifindex = 8;

	ck_assert_int_eq(mapsync_port_set(ms, ifindex, &p), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(mt_count(fds.ports, 4), 1);
	ck_assert_int_ne(mt_route_get(&fds, 100, "10.1.0.12", &r), 0);
	ck_assert_uint_eq(mt_count(fds.fdb, 12), 0);

	mt_mac("02:00:00:00:00:12", p.mac);
	ck_assert_int_eq(mapsync_port_set(ms, ifindex, &p), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(mt_route_get(&fds, 100, "10.1.0.12", &r), 0);
	ck_assert_mem_eq(r.mac, p.mac, 6);
	ck_assert_int_eq(mt_fdb_get(&fds, 100, "02:00:00:00:00:12", &f), 0);
	ck_assert_uint_eq(f.ifindex, 8);

	/* A new MAC replaces the old fdb entry. */
	mt_mac("02:00:00:00:00:13", p.mac);
	ck_assert_int_eq(mapsync_port_set(ms, ifindex, &p), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_ne(mt_fdb_get(&fds, 100, "02:00:00:00:00:12", &f), 0);
	ck_assert_int_eq(mt_fdb_get(&fds, 100, "02:00:00:00:00:13", &f), 0);
	ck_assert_uint_eq(mt_count(fds.fdb, 12), 1);
}
END_TEST

START_TEST(test_static_routes_and_refs)
{
	struct mapsync_route a = mkroute(100, "10.1.0.21/32", "192.0.2.2", "02:00:00:00:00:21");
	struct mapsync_route b = mkroute(100, "10.9.0.0/24", "192.0.2.2", "02:00:00:00:00:99");
	struct vtep_prefix_key pk = { .prefixlen = 32 + 24, .vni = htonl(100),
				      .ip = mt_ip("10.9.0.0") };
	struct vtep_prefix_key lk = { .prefixlen = 64, .vni = htonl(100), .ip = mt_ip("10.9.0.77") };
	struct vtep_remote rem;
	struct vtep_route r;
	struct vtep_fdb f;

	ck_assert_int_eq(mapsync_route_add(ms, &a), 0);
	ck_assert_int_eq(mapsync_route_add(ms, &b), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(mt_route_get(&fds, 100, "10.1.0.21", &r), 0);
	ck_assert_uint_eq(r.vtep, mt_ip("192.0.2.2"));
	ck_assert_uint_eq(r.source, VTEP_SRC_STATIC);
	ck_assert_uint_eq(mt_count(fds.routes, 8), 1); /* the /32; the prefix is an LPM entry */
	/* A static route's MAC is in its route entry: no fdb entry (layout 2). */
	ck_assert_uint_eq(mt_count(fds.fdb, 12), 0);
	/* The prefix is in the LPM trie with vni in network order: a longest
	 * match for an address inside it finds it. */
	ck_assert_int_eq(bpf_map_lookup_elem(fds.prefixes, &pk, &r), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fds.prefixes, &lk, &r), 0);
	ck_assert_uint_eq(r.vtep, mt_ip("192.0.2.2"));
	ck_assert_int_ne(mt_fdb_get(&fds, 100, "02:00:00:00:00:21", &f), 0);
	ck_assert_int_eq(mt_remote_get(&fds, "192.0.2.2", &rem), 0);
	ck_assert_uint_eq(rem.refs, 2);
	ck_assert_uint_eq(rem.sources, 1u << VTEP_SRC_STATIC);

	ck_assert_int_eq(mapsync_route_del(ms, 100, b.prefix, 24), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_ne(bpf_map_lookup_elem(fds.prefixes, &pk, &r), 0);
	ck_assert_int_ne(mt_fdb_get(&fds, 100, "02:00:00:00:00:99", &f), 0);
	ck_assert_int_eq(mt_remote_get(&fds, "192.0.2.2", &rem), 0);
	ck_assert_uint_eq(rem.refs, 1);

	/* Replacing the route moves it to another VTEP. */
	a.vtep = mt_ip("192.0.2.3");
	ck_assert_int_eq(mapsync_route_add(ms, &a), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_ne(mt_remote_get(&fds, "192.0.2.2", &rem), 0);
	ck_assert_int_eq(mt_remote_get(&fds, "192.0.2.3", &rem), 0);
	ck_assert_uint_eq(rem.refs, 1);
	ck_assert_int_eq(mt_route_get(&fds, 100, "10.1.0.21", &r), 0);
	ck_assert_uint_eq(r.vtep, mt_ip("192.0.2.3"));
	ck_assert_uint_eq(mapsync_route_count(ms), 1);

	ck_assert_int_eq(mapsync_route_del(ms, 100, a.prefix, 32), 0);
	ck_assert_int_eq(mapsync_route_del(ms, 100, a.prefix, 32), -ENOENT);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(mt_count(fds.routes, 8), 0);
	ck_assert_uint_eq(mt_count(fds.remotes, 4), 0);
	ck_assert_uint_eq(mt_count(fds.fdb, 12), 0);
}
END_TEST

/* A local port outranks a static route to the same IP; removing the port
 * brings the static route back. */
START_TEST(test_local_outranks_static)
{
	struct mapsync_route s = mkroute(100, "10.1.0.11/32", "192.0.2.2", "02:00:00:00:00:aa");
	struct vtep_port p = mkport(100, "10.1.0.11", "02:00:00:00:00:11", "w1");
	struct vtep_route r;

	ck_assert_int_eq(mapsync_route_add(ms, &s), 0);
	ck_assert_int_eq(mapsync_port_set(ms, 5, &p), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(mt_route_get(&fds, 100, "10.1.0.11", &r), 0);
	ck_assert_uint_eq(r.source, VTEP_SRC_LOCAL);
	ck_assert_uint_eq(r.ifindex, 5);
	ck_assert_int_eq(mapsync_port_del(ms, 5), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(mt_route_get(&fds, 100, "10.1.0.11", &r), 0);
	ck_assert_uint_eq(r.source, VTEP_SRC_STATIC);
	ck_assert_uint_eq(r.vtep, mt_ip("192.0.2.2"));
}
END_TEST

START_TEST(test_vnis)
{
	struct vtep_vni v, got;
	uint32_t vni = 100;

	memset(&v, 0, sizeof(v));
	v.subnet = mt_ip("10.1.0.0");
	v.prefixlen = 16;
	v.gateway_ip = mt_ip("10.1.255.254");
	ck_assert_int_eq(mapsync_vni_set(ms, vni, &v), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fds.vnis, &vni, &got), 0);
	ck_assert_mem_eq(&got, &v, sizeof(v));
	ck_assert_int_eq(mapsync_vni_del(ms, vni), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_ne(bpf_map_lookup_elem(fds.vnis, &vni, &got), 0);
}
END_TEST

/* Start-up after a restart: stale LOCAL/STATIC entries go, BGP entries stay,
 * desired entries are (re)written, foreign ports and VNIs go. */
START_TEST(test_reconcile)
{
	struct mapsync_route keep = mkroute(100, "10.1.0.21/32", "192.0.2.2", "02:00:00:00:00:21");
	struct vtep_route_key stale = { .vni = 100, .ip = mt_ip("10.1.0.99") };
	struct vtep_route_key bgp = { .vni = 100, .ip = mt_ip("10.1.0.50") };
	struct vtep_prefix_key stalep = { .prefixlen = 48, .vni = htonl(100),
					  .ip = mt_ip("10.7.0.0") };
	struct vtep_route sv = { .vtep = mt_ip("192.0.2.9"), .source = VTEP_SRC_STATIC };
	struct vtep_route bv = { .vtep = mt_ip("192.0.2.8"), .source = VTEP_SRC_BGP };
	struct vtep_remote stale_rem = { .refs = 1, .sources = 1u << VTEP_SRC_STATIC };
	struct vtep_remote bgp_rem = { .refs = 1, .sources = 1u << VTEP_SRC_BGP };
	struct vtep_port oldp = mkport(100, "10.1.0.98", "02:00:00:00:00:98", "gone");
	struct vtep_vni v;
	uint32_t r9 = mt_ip("192.0.2.9"), r8 = mt_ip("192.0.2.8"), oldif = 42, vni = 100, oldvni = 200;
	struct mapsync_stats st;
	struct vtep_route r;
	struct vtep_remote rem;

	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(bpf_map_update_elem(fds.routes, &stale, &sv, 0), 0);
	ck_assert_int_eq(bpf_map_update_elem(fds.routes, &bgp, &bv, 0), 0);
	ck_assert_int_eq(bpf_map_update_elem(fds.prefixes, &stalep, &sv, 0), 0);
	ck_assert_int_eq(bpf_map_update_elem(fds.remotes, &r9, &stale_rem, 0), 0);
	ck_assert_int_eq(bpf_map_update_elem(fds.remotes, &r8, &bgp_rem, 0), 0);
	ck_assert_int_eq(bpf_map_update_elem(fds.ports, &oldif, &oldp, 0), 0);
	ck_assert_int_eq(bpf_map_update_elem(fds.vnis, &oldvni, &v, 0), 0);

	ck_assert_int_eq(mapsync_vni_set(ms, vni, &v), 0);
	ck_assert_int_eq(mapsync_route_add(ms, &keep), 0);
	ck_assert_int_eq(mapsync_reconcile(ms), 0);

	ck_assert_int_ne(bpf_map_lookup_elem(fds.routes, &stale, &r), 0);
	ck_assert_int_ne(bpf_map_lookup_elem(fds.prefixes, &stalep, &r), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fds.routes, &bgp, &r), 0);
	ck_assert_uint_eq(r.source, VTEP_SRC_BGP);
	ck_assert_int_eq(mt_route_get(&fds, 100, "10.1.0.21", &r), 0);
	ck_assert_int_ne(mt_remote_get(&fds, "192.0.2.9", &rem), 0);
	ck_assert_int_eq(mt_remote_get(&fds, "192.0.2.8", &rem), 0);
	ck_assert_int_eq(mt_remote_get(&fds, "192.0.2.2", &rem), 0);
	ck_assert_uint_eq(mt_count(fds.ports, 4), 0);
	ck_assert_uint_eq(mt_count(fds.vnis, 4), 1);
	ck_assert_int_eq(bpf_map_lookup_elem(fds.vnis, &vni, &v), 0);
	mapsync_get_stats(ms, &st);
	ck_assert_uint_eq(st.errors, 0);

	/* A second reconcile with nothing changed (a restart) writes and
	 * deletes nothing. */
	ck_assert_uint_eq(mt_count(fds.routes, 8), 2);
	ck_assert_int_eq(mapsync_reconcile(ms), 0);
	ck_assert_uint_eq(mt_count(fds.routes, 8), 2);
	ck_assert_uint_eq(mt_count(fds.remotes, 4), 2);
	{
		struct mapsync_stats st2;

		mapsync_get_stats(ms, &st2);
		ck_assert_uint_eq(st2.updates, st.updates);
		ck_assert_uint_eq(st2.deletes, st.deletes);
	}
	/* A desired entry changed behind our back is rewritten. */
	{
		struct vtep_route_key k = { .vni = 100, .ip = mt_ip("10.1.0.21") };
		struct vtep_route wrong = { .vtep = 1, .source = VTEP_SRC_STATIC };

		ck_assert_int_eq(bpf_map_update_elem(fds.routes, &k, &wrong, 0), 0);
	}
	ck_assert_int_eq(mapsync_reconcile(ms), 0);
	ck_assert_int_eq(mt_route_get(&fds, 100, "10.1.0.21", &r), 0);
	ck_assert_uint_eq(r.vtep, mt_ip("192.0.2.2"));
}
END_TEST

/* Many changes go through batch syscalls, and the result is exact. */
START_TEST(test_batched_bulk)
{
	enum { N = 20000 };
	struct mapsync_stats st;
	uint32_t i;

	for (i = 0; i < N; i++) {
		struct mapsync_route r;

		memset(&r, 0, sizeof(r));
		r.vni = 100 + (i & 1);
		r.prefix = htonl(0x0a000000 + i);
		r.prefixlen = (i % 4 == 0) ? 31 + (i & 1) : 32;
		r.prefix &= addr_mask(r.prefixlen);
		r.vtep = htonl(0xc0000200 + (i % 16));
		r.mac[0] = 2;
		r.mac[4] = i >> 8;
		r.mac[5] = i;
		ck_assert_int_eq(mapsync_route_add(ms, &r), 0);
	}
	ck_assert_int_eq(mapsync_flush(ms), 0);
	mapsync_get_stats(ms, &st);
	ck_assert_uint_gt(st.batches, 0);
	ck_assert_uint_lt(st.batches, 100);
	ck_assert_uint_eq(st.errors, 0);
	ck_assert_uint_eq(mt_count(fds.routes, 8) + mt_count(fds.prefixes, 12), N);
	ck_assert_uint_eq(mt_count(fds.remotes, 4), 16);
	ck_assert_int_eq(mapsync_reconcile(ms), 0); /* scans the maps with batched lookups */
	ck_assert_uint_eq(mt_count(fds.routes, 8) + mt_count(fds.prefixes, 12), N);

	for (i = 0; i < N; i++) {
		uint8_t len = (i % 4 == 0) ? 31 + (i & 1) : 32;

		ck_assert_int_eq(mapsync_route_del(ms, 100 + (i & 1), htonl(0x0a000000 + i), len),
				 0);
	}
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(mt_count(fds.routes, 8), 0);
	ck_assert_uint_eq(mt_count(fds.prefixes, 12), 0);
	ck_assert_uint_eq(mt_count(fds.fdb, 12), 0);
	ck_assert_uint_eq(mt_count(fds.remotes, 4), 0);
	ck_assert_uint_eq(mapsync_route_count(ms), 0);
}
END_TEST


/* The BGP side's answers for many keys at once (several batch syscalls),
 * each written exactly once, with the values given; then withdrawn.
 * A key marked again keeps one entry (its last answer). */
static bool no_route(void *ctx, const struct vtep_route_key *k, struct vtep_route *out,
		     bool *over)
{
	(void)ctx; (void)k; (void)out; (void)over;
	return false;
}

static bool no_fdb(void *ctx, const struct vtep_fdb_key *k, struct vtep_fdb *out, bool *over)
{
	(void)ctx; (void)k; (void)out; (void)over;
	return false;
}

START_TEST(test_bgp_bulk_parallel)
{
	enum { N = 12000 };
	struct mapsync_bgp bgp = { .route = no_route, .fdb = no_fdb };
	struct mapsync_stats st0, st;
	uint32_t i;

	mapsync_set_bgp(ms, &bgp);
	mapsync_get_stats(ms, &st0);
	for (i = 0; i < N; i++) {
		struct vtep_route_key rk = { .vni = 100, .ip = htonl(0x0a100000 + i) };
		struct vtep_route rv = { .vtep = htonl(0xc0000202), .seq = i,
					 .source = VTEP_SRC_BGP };
		struct vtep_fdb_key fk;
		struct vtep_fdb fv = { .vtep = htonl(0xc0000202), .source = VTEP_SRC_BGP };

		memset(&fk, 0, sizeof(fk));
		fk.vni = 100;
		fk.mac[0] = 2;
		fk.mac[3] = i >> 16;
		fk.mac[4] = i >> 8;
		fk.mac[5] = i;
		memcpy(rv.mac, fk.mac, 6);
		ck_assert_int_eq(mapsync_bgp_set_route(ms, &rk, &rv, false), 0);
		ck_assert_int_eq(mapsync_bgp_set_fdb(ms, &fk, &fv, false), 0);
	}
	/* Key 0 again, later, with another sequence: one write, the last answer. */
	{
		struct vtep_route_key rk = { .vni = 100, .ip = htonl(0x0a100000) };
		struct vtep_route rv = { .vtep = htonl(0xc0000203), .seq = 77,
					 .source = VTEP_SRC_BGP };

		ck_assert_int_eq(mapsync_bgp_set_route(ms, &rk, &rv, false), 0);
	}
	ck_assert_int_eq(mapsync_flush(ms), 0);
	mapsync_get_stats(ms, &st);
	ck_assert_uint_eq(st.errors, 0);
	ck_assert_uint_eq(st.updates - st0.updates, 2 * N);
	ck_assert_uint_eq(mt_count(fds.routes, 8), N);
	ck_assert_uint_eq(mt_count(fds.fdb, 12), N);
	for (i = 0; i < N; i += 997) {
		struct vtep_route_key rk = { .vni = 100, .ip = htonl(0x0a100000 + i) };
		struct vtep_route r;

		ck_assert_int_eq(bpf_map_lookup_elem(fds.routes, &rk, &r), 0);
		ck_assert_uint_eq(r.seq, i ? i : 77);
		ck_assert_uint_eq(r.vtep, htonl(i ? 0xc0000202 : 0xc0000203));
		ck_assert_uint_eq(r.mac[5], (uint8_t)i);
		ck_assert_uint_eq(r.mac[4], (uint8_t)(i >> 8));
	}
	/* Withdraw every other one. */
	for (i = 0; i < N; i += 2) {
		struct vtep_route_key rk = { .vni = 100, .ip = htonl(0x0a100000 + i) };

		ck_assert_int_eq(mapsync_bgp_set_route(ms, &rk, NULL, false), 0);
	}
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(mt_count(fds.routes, 8), N / 2);
	ck_assert_uint_eq(mt_count(fds.fdb, 12), N);
	mapsync_set_bgp(ms, NULL);
}
END_TEST

/* Adoption after a start whose reconcile found no BGP entry: nothing to
 * scan for, and what the BGP side asked for before is written. With an
 * earlier run's BGP entry found, that one goes. */
static bool one_route(void *ctx, const struct vtep_route_key *k, struct vtep_route *out,
		      bool *over)
{
	(void)ctx;
	*over = false;
	if (k->vni != 100 || k->ip != htonl(0x0a100001))
		return false;
	memset(out, 0, sizeof(*out));
	out->vtep = htonl(0xc0000202);
	out->source = VTEP_SRC_BGP;
	return true;
}

START_TEST(test_adopt_fresh_and_stale)
{
	struct mapsync_bgp bgp = { .route = one_route, .fdb = no_fdb };
	struct vtep_route_key rk = { .vni = 100, .ip = htonl(0x0a100001) };
	struct vtep_route_key old = { .vni = 100, .ip = htonl(0x0a100002) };
	struct vtep_route rv = { .vtep = htonl(0xc0000202), .source = VTEP_SRC_BGP }, r;

	ck_assert_int_eq(mapsync_reconcile(ms), 0);
	mapsync_set_bgp(ms, &bgp);
	ck_assert_int_eq(mapsync_bgp_set_route(ms, &rk, &rv, false), 0);
	ck_assert_int_eq(mapsync_bgp_adopt(ms), 0);   /* no flush in between */
	ck_assert(mapsync_bgp_adopted(ms));
	ck_assert_int_eq(bpf_map_lookup_elem(fds.routes, &rk, &r), 0);
	ck_assert_uint_eq(r.vtep, rv.vtep);
	mapsync_set_bgp(ms, NULL);

	/* A restart: an earlier run's BGP entry is in the map. */
	mapsync_free(ms);
	ck_assert_int_eq(bpf_map_update_elem(fds.routes, &old, &rv, BPF_ANY), 0);
	ck_assert_int_eq(mapsync_new(&fds, 0, &ms), 0);
	ck_assert_int_eq(mapsync_reconcile(ms), 0);
	mapsync_set_bgp(ms, &bgp);
	ck_assert_int_eq(bpf_map_lookup_elem(fds.routes, &old, &r), 0); /* kept until adopt */
	ck_assert_int_eq(mapsync_bgp_set_route(ms, &rk, &rv, false), 0);
	ck_assert_int_eq(mapsync_bgp_adopt(ms), 0);
	ck_assert_int_ne(bpf_map_lookup_elem(fds.routes, &old, &r), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fds.routes, &rk, &r), 0);
	mapsync_set_bgp(ms, NULL);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("mapsync");
	TCase *tc = tcase_create("maps");

	log_level = LOG_LVL_ERR;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_port_with_mac);
	tcase_add_test(tc, test_port_auto_mac_learned);
	tcase_add_test(tc, test_static_routes_and_refs);
	tcase_add_test(tc, test_local_outranks_static);
	tcase_add_test(tc, test_vnis);
	tcase_add_test(tc, test_reconcile);
	tcase_add_test(tc, test_batched_bulk);
	tcase_add_test(tc, test_bgp_bulk_parallel);
	tcase_add_test(tc, test_adopt_fresh_and_stale);
	suite_add_tcase(s, tc);
	return s;
}
