/* test_mapsync_full.c - agent/dp/mapsync with maps that fill up, and its
 * writer thread, against real BPF maps (maps_test_util.h; needs root):
 *   - entries a full map refuses wait (mapsync_pending_*), in order, and go
 *     in as withdrawals free room; one log line says so, not one per entry;
 *   - local ports and static routes get in first and move BGP entries out
 *     when the map is full; BGP entries never move them out;
 *   - mapsync_flush_async hands big bursts to the writer thread and the
 *     maps end up as a synchronous flush would leave them.
 * The BGP side is a table here (bgp_want), standing in for the RIB. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "addr.h"
#include "log.h"
#include "mapsync.h"
#include "maps_test_util.h"

#define CAP 64          /* vtep_routes and vtep_fdb hold this many */
#define N_BGP 4096      /* BGP routes the table can hold */

static struct mapsync_fds fds;
static struct mapsync *ms;
/* The BGP side's wanted routes: key i is (100, 10.16.0.0 + i), to VTEP
 * 192.0.2.2 when want[i]. */
static bool want[N_BGP];
static uint64_t written_gen, flushed_gen;

static struct vtep_route_key rkey(uint32_t i)
{
	struct vtep_route_key k = { .vni = 100, .ip = htonl(0x0a100000u + i) };

	return k;
}

static void rval(uint32_t i, struct vtep_route *v)
{
	memset(v, 0, sizeof(*v));
	v->vtep = htonl(0xc0000202);
	v->seq = i;
	v->mac[0] = 2;
	v->mac[4] = (uint8_t)(i >> 8);
	v->mac[5] = (uint8_t)i;
	v->source = VTEP_SRC_BGP;
}

static bool bgp_route(void *ctx, const struct vtep_route_key *k, struct vtep_route *out,
		      bool *over)
{
	uint32_t i = ntohl(k->ip) - 0x0a100000u;

	(void)ctx;
	*over = false;
	if (k->vni != 100 || i >= N_BGP || !want[i])
		return false;
	rval(i, out);
	return true;
}

/* IPv6: key i is (100, 2001:db8:10::i) when want6[i]. */
static bool want6[N_BGP];

static struct vtep_route6_key r6key(uint32_t i)
{
	struct vtep_route6_key k;

	memset(&k, 0, sizeof(k));
	k.vni = 100;
	k.ip[0] = 0x20; k.ip[1] = 0x01; k.ip[2] = 0x0d; k.ip[3] = 0xb8; k.ip[5] = 0x10;
	k.ip[14] = (uint8_t)(i >> 8);
	k.ip[15] = (uint8_t)i;
	return k;
}

static bool bgp_route6(void *ctx, const struct vtep_route6_key *k, struct vtep_route *out,
		       bool *over)
{
	struct vtep_route6_key base = r6key(0);
	uint32_t i = (uint32_t)k->ip[14] << 8 | k->ip[15];

	(void)ctx;
	*over = false;
	if (memcmp(k, &base, 14) || i >= N_BGP || !want6[i])
		return false;
	rval(i, out);
	return true;
}

static bool bgp_fdb(void *ctx, const struct vtep_fdb_key *k, struct vtep_fdb *out, bool *over)
{
	(void)ctx; (void)k; (void)out;
	*over = false;
	return false;
}

static void on_written(void *ctx, uint64_t gen)
{
	(void)ctx;
	written_gen = gen;
}

static void on_flushed(void *ctx, uint64_t gen)
{
	(void)ctx;
	flushed_gen = gen;
}

static void setup(void)
{
	struct mapsync_bgp b = { .route = bgp_route, .route6 = bgp_route6, .fdb = bgp_fdb,
				 .written = on_written, .flushed = on_flushed };

	mt_maps_open(&fds, CAP);
	ck_assert_int_eq(mapsync_new(&fds, 0, &ms), 0);
	mapsync_set_bgp(ms, &b);
	ck_assert_int_eq(mapsync_bgp_adopt(ms), 0); /* fresh maps: every BGP entry is ours */
	memset(want, 0, sizeof(want));
	memset(want6, 0, sizeof(want6));
	written_gen = flushed_gen = 0;
}

static void teardown(void)
{
	mapsync_free(ms);
	mt_maps_close(&fds);
}

/* The BGP side says key i is wanted (or not) now. */
static void bgp_set(uint32_t i, bool on)
{
	struct vtep_route_key k = rkey(i);
	struct vtep_route v;

	want[i] = on;
	rval(i, &v);
	ck_assert_int_eq(mapsync_bgp_set_route(ms, &k, on ? &v : NULL, false), 0);
}

static bool in_map(uint32_t i)
{
	struct vtep_route_key k = rkey(i);
	struct vtep_route v;

	return bpf_map_lookup_elem(fds.routes, &k, &v) == 0;
}

static uint64_t pending_routes(void)
{
	struct mapsync_map_pending p[MAPSYNC_PENDING_MAPS];

	mapsync_pending_get(ms, p);
	ck_assert_str_eq(p[0].map, "vtep_routes");
	ck_assert_uint_eq(p[0].capacity, CAP);
	return p[0].pending;
}

/* stderr into a file while fn runs: the lines logged. */
static int count_log_lines(void (*fn)(void))
{
	char path[] = "/tmp/vtepd-msfull-XXXXXX", line[512];
	int fd = mkstemp(path), saved = dup(2), n = 0;
	FILE *f;

	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fdopen(fd, "r");
	rewind(f);
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	unlink(path);
	return n;
}

static void fill_1000(void)
{
	uint32_t i;

	for (i = 0; i < 1000; i++)
		bgp_set(i, true);
	ck_assert_int_eq(mapsync_flush(ms), 0);
}

/* 1000 routes for a 64-entry map: 64 in, 936 wait, one warning. Room freed
 * by withdrawals goes to the oldest waiting routes, in order. */
START_TEST(test_full_map_waits)
{
	struct mapsync_stats st;
	uint32_t i;
	int lines;

	log_level = LOG_LVL_INFO;
	lines = count_log_lines(fill_1000);
	log_level = LOG_LVL_ERR;
	ck_assert_int_eq(lines, 1);
	ck_assert_uint_eq(mt_count(fds.routes, 8), CAP);
	ck_assert_uint_eq(pending_routes(), 1000 - CAP);
	mapsync_get_stats(ms, &st);
	ck_assert_uint_eq(st.errors, 0);
	for (i = 0; i < 1000; i++) {
		struct vtep_route_key k = rkey(i);

		ck_assert_int_eq(in_map(i), i < CAP);
		ck_assert_int_eq(mapsync_pending_route(ms, &k), i >= CAP);
	}
	/* Ten installed routes withdrawn: the next ten waiting ones go in. */
	for (i = 0; i < 10; i++)
		bgp_set(i * 3, false);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(mt_count(fds.routes, 8), CAP);
	ck_assert_uint_eq(pending_routes(), 1000 - CAP - 10);
	for (i = CAP; i < CAP + 10; i++)
		ck_assert(in_map(i));
	ck_assert(!in_map(CAP + 10));
	/* A waiting route withdrawn stops waiting, and takes no room. */
	bgp_set(999, false);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(pending_routes(), 1000 - CAP - 11);
	/* A waiting route that changes keeps its place. */
	bgp_set(CAP + 10, true);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	bgp_set(5, false); /* frees one */
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert(in_map(CAP + 10));
	ck_assert(!in_map(CAP + 11));
	/* Everything withdrawn: nothing waits, the map is empty. */
	for (i = 0; i < 1000; i++)
		if (want[i])
			bgp_set(i, false);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(pending_routes(), 0);
	ck_assert_uint_eq(mt_count(fds.routes, 8), 0);
}
END_TEST

static void bgp_set6(uint32_t i, bool on)
{
	struct vtep_route6_key k = r6key(i);
	struct vtep_route v;

	want6[i] = on;
	rval(i, &v);
	ck_assert_int_eq(mapsync_bgp_set_route6(ms, &k, on ? &v : NULL, false), 0);
}

static bool in_map6(uint32_t i)
{
	struct vtep_route6_key k = r6key(i);
	struct vtep_route v;

	return bpf_map_lookup_elem(fds.routes6, &k, &v) == 0;
}

static void fill6_300(void)
{
	uint32_t i;

	for (i = 0; i < 300; i++)
		bgp_set6(i, true);
	ck_assert_int_eq(mapsync_flush(ms), 0);
}

/* vtep_routes6 fills like vtep_routes: 300 MAC+IPv6 routes for 64 entries,
 * 236 wait (counted under vtep_routes6 in vtepctl status and /metrics), one
 * warning, and withdrawals let the oldest waiting ones in. */
START_TEST(test_full_map6_waits)
{
	struct mapsync_map_pending p[MAPSYNC_PENDING_MAPS];
	struct mapsync_stats st;
	uint32_t i;
	int lines;

	log_level = LOG_LVL_INFO;
	lines = count_log_lines(fill6_300);
	log_level = LOG_LVL_ERR;
	ck_assert_int_eq(lines, 1);
	ck_assert_uint_eq(mt_count(fds.routes6, sizeof(struct vtep_route6_key)), CAP);
	mapsync_pending_get(ms, p);
	ck_assert_str_eq(p[2].map, "vtep_routes6");
	ck_assert_uint_eq(p[2].capacity, CAP);
	ck_assert_uint_eq(p[2].pending, 300 - CAP);
	ck_assert_uint_eq(p[0].pending, 0);
	mapsync_get_stats(ms, &st);
	ck_assert_uint_eq(st.errors, 0);
	for (i = 0; i < 300; i++) {
		struct vtep_route6_key k = r6key(i);

		ck_assert_int_eq(in_map6(i), i < CAP);
		ck_assert_int_eq(mapsync_pending_route6(ms, &k), i >= CAP);
	}
	for (i = 0; i < 10; i++)
		bgp_set6(i, false);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	for (i = CAP; i < CAP + 10; i++)
		ck_assert(in_map6(i));
	ck_assert(!in_map6(CAP + 10));
	mapsync_pending_get(ms, p);
	ck_assert_uint_eq(p[2].pending, 300 - CAP - 10);
	for (i = 0; i < 300; i++)
		if (want6[i])
			bgp_set6(i, false);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	mapsync_pending_get(ms, p);
	ck_assert_uint_eq(p[2].pending, 0);
	ck_assert_uint_eq(mt_count(fds.routes6, sizeof(struct vtep_route6_key)), 0);
}
END_TEST

/* A full map of BGP routes: a local port and a static route still get in
 * (a BGP route moves out to wait), and BGP routes never move them out. */
START_TEST(test_full_map_local_first)
{
	struct vtep_port p;
	struct mapsync_route sr;
	struct vtep_route r;
	uint32_t i, ifindex = 9;

	for (i = 0; i < CAP + 5; i++)
		bgp_set(i, true);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(pending_routes(), 5);

	memset(&p, 0, sizeof(p));
	p.vni = 100;
	p.ip = mt_ip("10.1.0.11");
	mt_mac("02:00:00:00:00:11", p.mac);
	strcpy(p.ifname, "w1");
	ck_assert_int_eq(mapsync_port_set(ms, ifindex, &p), 0);
	memset(&sr, 0, sizeof(sr));
	sr.vni = 100;
	sr.prefix = mt_ip("10.2.0.1");
	sr.prefixlen = 32;
	sr.vtep = mt_ip("192.0.2.9");
	mt_mac("02:00:00:00:02:01", sr.mac);
	ck_assert_int_eq(mapsync_route_add(ms, &sr), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(mt_route_get(&fds, 100, "10.1.0.11", &r), 0);
	ck_assert_uint_eq(r.source, VTEP_SRC_LOCAL);
	ck_assert_int_eq(mt_route_get(&fds, 100, "10.2.0.1", &r), 0);
	ck_assert_uint_eq(r.source, VTEP_SRC_STATIC);
	ck_assert_uint_eq(mt_count(fds.routes, 8), CAP);
	ck_assert_uint_eq(pending_routes(), 7);  /* two BGP routes moved out */

	/* More BGP routes, and BGP routes withdrawn and back: the local and
	 * static entries stay. */
	for (i = CAP + 5; i < CAP + 50; i++)
		bgp_set(i, true);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	for (i = 0; i < 20; i++)
		bgp_set(i, false);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	for (i = 0; i < 20; i++)
		bgp_set(i, true);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(mt_route_get(&fds, 100, "10.1.0.11", &r), 0);
	ck_assert_uint_eq(r.source, VTEP_SRC_LOCAL);
	ck_assert_int_eq(mt_route_get(&fds, 100, "10.2.0.1", &r), 0);
	ck_assert_uint_eq(mt_count(fds.routes, 8), CAP);
	ck_assert_uint_eq(pending_routes(), CAP + 50 - (CAP - 2));

	/* The port goes: its room goes to the oldest waiting BGP route. */
	ck_assert_int_eq(mapsync_port_del(ms, ifindex), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(mt_count(fds.routes, 8), CAP);
	ck_assert_uint_eq(pending_routes(), CAP + 50 - (CAP - 1));
}
END_TEST

/* Big bursts through the writer thread: the maps end as a synchronous
 * flush leaves them, changes made while a job runs go with the next one,
 * and the written hook reports each job. */
START_TEST(test_async_flush)
{
	struct vtep_route_key k0 = rkey(0);
	uint32_t i;
	int rounds = 0;

	mt_maps_close(&fds);
	mapsync_free(ms);
	mt_maps_open(&fds, 65536);
	ck_assert_int_eq(mapsync_new(&fds, 0, &ms), 0);
	{
		struct mapsync_bgp b = { .route = bgp_route, .fdb = bgp_fdb,
					 .written = on_written, .flushed = on_flushed };

		mapsync_set_bgp(ms, &b);
	}
	ck_assert_int_eq(mapsync_bgp_adopt(ms), 0);
	ck_assert_int_ge(mapsync_event_fd(ms), 0);
	for (i = 0; i < N_BGP; i++)
		bgp_set(i, true);
	ck_assert_int_eq(mapsync_flush_async(ms), 0);
	ck_assert_uint_ge(flushed_gen, 1);
	/* While that runs: key 0 withdrawn again, key 1 changed. */
	bgp_set(0, false);
	ck_assert_int_eq(mapsync_flush_async(ms), 0);
	/* The loop would poll when the eventfd is readable; here: until
	 * nothing runs and nothing is dirty. */
	while (written_gen < flushed_gen || !written_gen) {
		ck_assert_int_eq(mapsync_poll(ms), 0);
		usleep(1000);
		ck_assert_int_lt(++rounds, 5000);
	}
	ck_assert_int_eq(mapsync_sync(ms), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(mt_count(fds.routes, 8), N_BGP - 1);
	ck_assert(!in_map(0));
	ck_assert(in_map(N_BGP - 1));
	ck_assert(!mapsync_pending_route(ms, &k0));
	/* All withdrawn through the writer. */
	for (i = 1; i < N_BGP; i++)
		bgp_set(i, false);
	ck_assert_int_eq(mapsync_flush_async(ms), 0);
	ck_assert_int_eq(mapsync_sync(ms), 0);
	ck_assert_uint_eq(written_gen, flushed_gen);
	ck_assert_uint_eq(mt_count(fds.routes, 8), 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("mapsync_full");
	TCase *tc = tcase_create("mapsync_full");

	log_level = LOG_LVL_ERR;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_full_map_waits);
	tcase_add_test(tc, test_full_map_local_first);
	tcase_add_test(tc, test_full_map6_waits);
	tcase_add_test(tc, test_async_flush);
	suite_add_tcase(s, tc);
	return s;
}
