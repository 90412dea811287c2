/* test_rcache.c - vtepd's side of the route cache (agent/dp/rcache.c) on real
 * maps: sizing, the gen at start (a pinned gen goes on, an unknown one
 * empties the sets first, off is gen 0), bumps, the flushes at every half
 * turn of the 32-bit gen, and that mapsync moves the gen after changes to
 * vtep_routes and only then.
 */
#include <check.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "check_main.h"
#include "addr.h"
#include "mapsync.h"
#include "maps_test_util.h"
#include "rcache.h"

#define SETS 4

static int ctl_fd, sets_fd;
static struct rcache *rc;

static void setup(void)
{
	ctl_fd = mt_mkmap(BPF_MAP_TYPE_ARRAY, "t_rc_ctl", 4, sizeof(struct vtep_rcache_ctl), 1, 0);
	sets_fd = mt_mkmap(BPF_MAP_TYPE_ARRAY, "t_rc_sets", 4, sizeof(struct vtep_rcache_set),
			   rcache_slots(2 * SETS), 0);
	rc = NULL;
}

static void teardown(void)
{
	rcache_close(rc);
	close(ctl_fd);
	close(sets_fd);
}

static struct vtep_rcache_ctl ctl(void)
{
	struct vtep_rcache_ctl c;
	uint32_t zero = 0;

	ck_assert_int_eq(bpf_map_lookup_elem(ctl_fd, &zero, &c), 0);
	return c;
}

static void set_gen(uint32_t gen)
{
	struct vtep_rcache_ctl c = { .gen = gen, .mask = SETS - 1 };
	uint32_t zero = 0;

	ck_assert_int_eq(bpf_map_update_elem(ctl_fd, &zero, &c, BPF_ANY), 0);
}

/* Set `set` of every CPU holds an entry of gen `gen` (as the datapath
 * would have stored it). */
static void fill_set(uint32_t set, uint32_t gen)
{
	struct vtep_rcache_set v;

	memset(&v, 0, sizeof(v));
	v.way[0] = (struct vtep_rcache_way){ .vni = 100, .ip = 1 + set, .gen = gen };
	v.way[0].vtep = 0x0202000a;
	for (int cpu = 0; cpu < libbpf_num_possible_cpus(); cpu++) {
		uint32_t k = (uint32_t)cpu * SETS + set;

		ck_assert_int_eq(bpf_map_update_elem(sets_fd, &k, &v, BPF_ANY), 0);
	}
}

/* Entries of any gen left in the sets of every CPU. */
static int live_entries(void)
{
	struct vtep_rcache_set v;
	int n = 0;

	for (uint32_t k = 0; k < rcache_slots(2 * SETS); k++) {
		ck_assert_int_eq(bpf_map_lookup_elem(sets_fd, &k, &v), 0);
		for (int w = 0; w < VTEP_RCACHE_WAYS; w++)
			n += v.way[w].gen != 0;
	}
	return n;
}

START_TEST(test_sets)
{
	ck_assert_uint_eq(rcache_sets(0), 1);
	ck_assert_uint_eq(rcache_sets(2), 1);
	ck_assert_uint_eq(rcache_sets(8), 4);
	ck_assert_uint_eq(rcache_sets(32768), 16384);
	ck_assert_uint_eq(rcache_slots(32768), 16384u * (uint32_t)libbpf_num_possible_cpus());
	ck_assert_uint_eq(rcache_slots(0), (uint32_t)libbpf_num_possible_cpus());
}
END_TEST

START_TEST(test_open_unknown_gen_empties)
{
	fill_set(1, 1);
	ck_assert_int_gt(live_entries(), 0);
	ck_assert_int_eq(rcache_open(ctl_fd, sets_fd, 2 * SETS, &rc), 0);
	ck_assert(rcache_enabled(rc));
	ck_assert_uint_eq(ctl().gen, 1);
	ck_assert_uint_eq(ctl().mask, SETS - 1);
	/* An entry of an earlier run could have held gen 1: gone. */
	ck_assert_int_eq(live_entries(), 0);
}
END_TEST

START_TEST(test_open_goes_on_from_pinned)
{
	set_gen(41);
	fill_set(2, 41);
	ck_assert_int_eq(rcache_open(ctl_fd, sets_fd, 2 * SETS, &rc), 0);
	ck_assert_uint_eq(ctl().gen, 42);
	ck_assert_uint_eq(rcache_gen(rc), 42);
	/* Stale by gen, no flush needed. */
	ck_assert_int_eq(live_entries(), libbpf_num_possible_cpus());
}
END_TEST

START_TEST(test_off)
{
	set_gen(9);
	ck_assert_int_eq(rcache_open(ctl_fd, sets_fd, 0, &rc), 0);
	ck_assert(!rcache_enabled(rc));
	ck_assert_uint_eq(ctl().gen, 0);
	ck_assert_int_eq(rcache_bump(rc), 0);
	ck_assert_uint_eq(ctl().gen, 0);
	ck_assert_int_eq(rcache_bump(NULL), 0);
}
END_TEST

START_TEST(test_bump)
{
	ck_assert_int_eq(rcache_open(ctl_fd, sets_fd, 2 * SETS, &rc), 0);
	fill_set(0, 1);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(rcache_bump(rc), 0);
	ck_assert_uint_eq(ctl().gen, 6);
	ck_assert_int_gt(live_entries(), 0); /* stale by gen only */
}
END_TEST

/* At 2^31 and at the wrap the sets are emptied, so that an entry is never
 * seen again under a gen that came round. */
START_TEST(test_flush_at_half_turns)
{
	set_gen(0x7ffffffe);
	ck_assert_int_eq(rcache_open(ctl_fd, sets_fd, 2 * SETS, &rc), 0);
	ck_assert_uint_eq(ctl().gen, 0x7fffffff);
	fill_set(3, 0x7fffffff);
	ck_assert_int_eq(rcache_bump(rc), 0);
	ck_assert_uint_eq(ctl().gen, 0x80000000u);
	ck_assert_int_eq(live_entries(), 0);

	set_gen(0xfffffffe);
	rcache_close(rc);
	ck_assert_int_eq(rcache_open(ctl_fd, sets_fd, 2 * SETS, &rc), 0);
	ck_assert_uint_eq(ctl().gen, 0xffffffffu);
	fill_set(0, 0xffffffffu);
	ck_assert_int_eq(rcache_bump(rc), 0);
	ck_assert_uint_eq(ctl().gen, 1); /* 0 is "off" */
	ck_assert_int_eq(live_entries(), 0);
	/* No flush in between. */
	fill_set(1, 1);
	ck_assert_int_eq(rcache_bump(rc), 0);
	ck_assert_uint_eq(ctl().gen, 2);
	ck_assert_int_gt(live_entries(), 0);
}
END_TEST

/* mapsync moves the gen after writing or deleting host routes, not after
 * changes to other maps. */
START_TEST(test_mapsync_bumps)
{
	struct mapsync_fds fds;
	struct mapsync *ms;
	struct mapsync_route r;
	struct vtep_vni v = { .prefixlen = 16 };
	uint32_t g;

	mt_maps_open(&fds, 1024);
	ck_assert_int_eq(mapsync_new(&fds, 0, &ms), 0);
	ck_assert_int_eq(rcache_open(ctl_fd, sets_fd, 2 * SETS, &rc), 0);
	mapsync_set_rcache(ms, rc);
	g = ctl().gen;

	ck_assert_int_eq(mapsync_vni_set(ms, 100, &v), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(ctl().gen, g);

	memset(&r, 0, sizeof(r));
	r.vni = 100;
	ck_assert_int_eq(addr_parse_prefix("10.1.0.21/32", &r.prefix, &r.prefixlen, 0), 0);
	r.vtep = mt_ip("192.0.2.2");
	mt_mac("02:00:00:00:00:21", r.mac);
	ck_assert_int_eq(mapsync_route_add(ms, &r), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_gt(ctl().gen, g);
	g = ctl().gen;

	r.vtep = mt_ip("192.0.2.3");
	ck_assert_int_eq(mapsync_route_add(ms, &r), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_gt(ctl().gen, g);
	g = ctl().gen;

	ck_assert_int_eq(mapsync_route_del(ms, 100, r.prefix, 32), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_gt(ctl().gen, g);

	mapsync_free(ms);
	mt_maps_close(&fds);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("rcache");
	TCase *tc = tcase_create("rcache");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sets);
	tcase_add_test(tc, test_open_unknown_gen_empties);
	tcase_add_test(tc, test_open_goes_on_from_pinned);
	tcase_add_test(tc, test_off);
	tcase_add_test(tc, test_bump);
	tcase_add_test(tc, test_flush_at_half_turns);
	tcase_add_test(tc, test_mapsync_bumps);
	suite_add_tcase(s, tc);
	return s;
}
