/* test_rtab.c - vtepd's side of the flat route table (agent/dp/rtab.c) on
 * real maps: sizing; the copy of vtep_routes at open under a new epoch; put,
 * update, delete; collisions in a tiny table against a model, with every
 * line's `over` equal to the entries passing it and every seq even after
 * each change (what bpf/rtab.h relies on); a full table turns itself off;
 * a map that cannot be mapped is refused and switched off; and mapsync
 * keeps the table equal to vtep_routes through single writes, batches and
 * deletions.
 */
#include <check.h>
#include <errno.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "check_main.h"
#include "addr.h"
#include "mapsync.h"
#include "maps_test_util.h"
#include "rtab.h"

static int tab_fd, routes_fd;
static struct rtab *rt;

static int mk_tab(uint32_t routes)
{
	return mt_mkmap(BPF_MAP_TYPE_ARRAY, "t_rtab", 4, sizeof(union vtep_rtab_elem),
			rtab_entries(routes), BPF_F_MMAPABLE);
}

static void setup(void)
{
	routes_fd = mt_mkmap(BPF_MAP_TYPE_HASH, "t_routes", sizeof(struct vtep_route_key),
			     sizeof(struct vtep_route), 4096, BPF_F_NO_PREALLOC);
	tab_fd = -1;
	rt = NULL;
}

static void teardown(void)
{
	rtab_close(rt);
	if (tab_fd >= 0)
		close(tab_fd);
	close(routes_fd);
}

static union vtep_rtab_elem elem(uint32_t i)
{
	union vtep_rtab_elem e;

	ck_assert_int_eq(bpf_map_lookup_elem(tab_fd, &i, &e), 0);
	return e;
}

static struct vtep_route_key key(uint32_t n)
{
	struct vtep_route_key k = { .vni = 100 + n % 3, .ip = htonl(0x0a010000 + n) };

	return k;
}

/* Remote for odd n, a local port for even n. */
static struct vtep_route val(uint32_t n, uint32_t gen)
{
	struct vtep_route v = { .source = VTEP_SRC_BGP };

	if (n & 1)
		v.vtep = htonl(0xc0000200 + gen);
	else
		v.ifindex = 10 + gen;
	v.mac[0] = 2;
	v.mac[4] = (uint8_t)(n >> 8);
	v.mac[5] = (uint8_t)n;
	v.flags = n % 5 == 0 ? VTEP_RT_F_STICKY : 0;
	return v;
}

/* What the table gives back (seq and source are not copied). */
static void expect_get(uint32_t n, uint32_t gen)
{
	struct vtep_route_key k = key(n);
	struct vtep_route want = val(n, gen), got;

	want.source = 0;
	ck_assert_msg(rtab_get(rt, &k, &got) == 1, "route %u not in the table", n);
	ck_assert_msg(!memcmp(&got, &want, sizeof(got)), "route %u differs", n);
}

static void expect_absent(uint32_t n)
{
	struct vtep_route_key k = key(n);
	struct vtep_route got;

	ck_assert_msg(rtab_get(rt, &k, &got) == 0, "route %u still in the table", n);
}

/* The home line, as the datapath computes it. */
static uint32_t home(const struct vtep_route_key *k, uint32_t lines)
{
	return vtep_rtab_home(k->vni, k->ip, lines);
}

/* Every line: seq even, and over exactly the entries that sit past it
 * coming from a home line at or before it (walking forward, wrapping). */
static void expect_invariants(void)
{
	uint32_t lines = elem(0).hdr.lines, i, j;
	uint32_t *want = calloc(lines + 1, sizeof(*want));
	int s;

	ck_assert_ptr_nonnull(want);
	for (i = 1; i <= lines; i++) {
		union vtep_rtab_elem e = elem(i);

		ck_assert_msg(!(e.line.seq & 1), "line %u left odd", i);
		for (s = 0; s < VTEP_RTAB_SLOTS; s++) {
			struct vtep_rtab_slot *sl = &e.line.slot[s];
			struct vtep_route_key k = { .vni = sl->vni, .ip = sl->ip };

			if (!(sl->state & VTEP_RTAB_F_USED))
				continue;
			for (j = home(&k, lines); j != i; j = j >= lines ? 1 : j + 1)
				want[j]++;
		}
	}
	for (i = 1; i <= lines; i++)
		ck_assert_msg(elem(i).line.over == want[i], "line %u: over %u, want %u", i,
			      elem(i).line.over, want[i]);
	free(want);
}

START_TEST(test_sizes)
{
	ck_assert_uint_eq(rtab_lines(0), 1);
	ck_assert_uint_eq(rtab_lines(1), 1);
	ck_assert_uint_eq(rtab_lines(9), 4);     /* 12 slots: 3/4 used when full */
	ck_assert_uint_eq(rtab_lines(1048576), 466034);
	ck_assert_uint_eq(rtab_entries(9), 5);   /* and the header */
}
END_TEST

/* Open copies what vtep_routes holds and turns the table on with an even
 * epoch; a second open (vtepd restarted) starts a new epoch and drops what
 * vtep_routes lost meanwhile. */
START_TEST(test_open_copies)
{
	uint32_t n, e1;

	for (n = 0; n < 1000; n++) {
		struct vtep_route_key k = key(n);
		struct vtep_route v = val(n, 0);

		ck_assert_int_eq(bpf_map_update_elem(routes_fd, &k, &v, BPF_ANY), 0);
	}
	tab_fd = mk_tab(1024);
	ck_assert_int_eq(rtab_open(tab_fd, routes_fd, &rt), 0);
	ck_assert(rtab_enabled(rt));
	ck_assert_uint_eq(rtab_count(rt), 1000);
	ck_assert_uint_eq(elem(0).hdr.lines, rtab_lines(1024));
	e1 = elem(0).hdr.epoch;
	ck_assert_uint_ne(e1, 0);
	ck_assert_uint_eq(e1 & 1, 0);
	for (n = 0; n < 1000; n++)
		expect_get(n, 0);
	expect_absent(1000);
	expect_invariants();

	rtab_close(rt);
	rt = NULL;
	for (n = 0; n < 500; n++) {
		struct vtep_route_key k = key(n);

		ck_assert_int_eq(bpf_map_delete_elem(routes_fd, &k), 0);
	}
	ck_assert_int_eq(rtab_open(tab_fd, routes_fd, &rt), 0);
	ck_assert_uint_eq(rtab_count(rt), 500);
	ck_assert_uint_ne(elem(0).hdr.epoch, e1);
	ck_assert_uint_eq(elem(0).hdr.epoch & 1, 0);
	expect_absent(0);
	expect_absent(499);
	expect_get(500, 0);
	expect_get(999, 0);
	expect_invariants();
}
END_TEST

START_TEST(test_put_update_del)
{
	struct vtep_route_key k = key(7);
	struct vtep_route v;

	tab_fd = mk_tab(64);
	ck_assert_int_eq(rtab_open(tab_fd, routes_fd, &rt), 0);
	ck_assert_uint_eq(rtab_count(rt), 0);
	v = val(7, 0);
	ck_assert_int_eq(rtab_put(rt, &k, &v), 0);
	expect_get(7, 0);
	v = val(7, 1); /* moved to another VTEP (RFC 7432 s.15) */
	ck_assert_int_eq(rtab_put(rt, &k, &v), 0);
	expect_get(7, 1);
	ck_assert_uint_eq(rtab_count(rt), 1);
	v = val(8, 0);
	k = key(8);
	ck_assert_int_eq(rtab_put(rt, &k, &v), 0);
	expect_get(8, 0);
	ck_assert_int_eq(rtab_del(rt, &k), 0);
	expect_absent(8);
	ck_assert_int_eq(rtab_del(rt, &k), 0); /* gone already: fine */
	expect_get(7, 1);
	ck_assert_uint_eq(rtab_count(rt), 1);
	expect_invariants();
}
END_TEST

/* A table of 4 lines (12 slots) under random puts and deletions of 40 keys,
 * never more than 12 held: long probe runs, wrap-around, deletions in the
 * middle of a run. After every change the table answers as the model does
 * and its counts are exact. */
START_TEST(test_collisions_model)
{
	uint32_t gen[40] = { 0 }, step, n;
	int held[40] = { 0 }, count = 0;

	srand(7);
	tab_fd = mk_tab(9);
	ck_assert_int_eq(rtab_open(tab_fd, routes_fd, &rt), 0);
	ck_assert_uint_eq(rtab_nlines(rt), 4);
	for (step = 0; step < 3000; step++) {
		struct vtep_route_key k;
		struct vtep_route v;

		n = (uint32_t)rand() % 40;
		k = key(n);
		if (held[n] && rand() % 2) {
			ck_assert_int_eq(rtab_del(rt, &k), 0);
			held[n] = 0;
			count--;
		} else if (held[n] || count < 12) {
			v = val(n, ++gen[n]);
			ck_assert_int_eq(rtab_put(rt, &k, &v), 0);
			count += !held[n];
			held[n] = 1;
		}
		if (step % 10)
			continue;
		for (uint32_t m = 0; m < 40; m++) {
			if (held[m])
				expect_get(m, gen[m]);
			else
				expect_absent(m);
		}
		expect_invariants();
	}
	ck_assert_uint_eq(rtab_count(rt), (size_t)count);
	ck_assert(rtab_enabled(rt));
}
END_TEST

/* No free slot: the table goes off (epoch 0, every lookup asks vtep_routes)
 * rather than stay on without the route. */
START_TEST(test_full_turns_off)
{
	struct vtep_route_key k;
	struct vtep_route v;
	uint32_t n;

	tab_fd = mk_tab(2); /* one line: three slots */
	ck_assert_int_eq(rtab_open(tab_fd, routes_fd, &rt), 0);
	for (n = 0; n < 3; n++) {
		k = key(n);
		v = val(n, 0);
		ck_assert_int_eq(rtab_put(rt, &k, &v), 0);
	}
	k = key(3);
	v = val(3, 0);
	ck_assert_int_eq(rtab_put(rt, &k, &v), -ENOSPC);
	ck_assert(!rtab_enabled(rt));
	ck_assert_uint_eq(elem(0).hdr.epoch, 0);
	/* Off stays off: nothing more is written. */
	k = key(0);
	ck_assert_int_eq(rtab_del(rt, &k), 0);
	ck_assert_uint_eq(rtab_count(rt), 3);
}
END_TEST

/* A map vtepd cannot mmap is refused, and an earlier vtepd's table in it is
 * switched off (its copy would miss every change from now on). */
START_TEST(test_unmappable_refused)
{
	union vtep_rtab_elem h = { .hdr = { .epoch = 4, .lines = 1 } };
	uint32_t zero = 0;

	tab_fd = mt_mkmap(BPF_MAP_TYPE_ARRAY, "t_rtab", 4, sizeof(union vtep_rtab_elem), 2, 0);
	ck_assert_int_eq(bpf_map_update_elem(tab_fd, &zero, &h, BPF_ANY), 0);
	ck_assert_int_eq(rtab_open(tab_fd, routes_fd, &rt), -EINVAL);
	ck_assert_ptr_null(rt);
	ck_assert_uint_eq(elem(0).hdr.epoch, 0);
}
END_TEST

/* mapsync keeps the table equal to vtep_routes: a static route written,
 * moved and deleted; 3000 routes in batches; a VNI write leaves it alone. */
START_TEST(test_mapsync_follows)
{
	struct mapsync_fds fds;
	struct mapsync *ms;
	struct mapsync_route r;
	struct vtep_vni vn = { .prefixlen = 16 };
	struct vtep_route_key k;
	struct vtep_route got;
	uint32_t n;

	mt_maps_open(&fds, 4096);
	tab_fd = mk_tab(4096);
	ck_assert_int_eq(rtab_open(tab_fd, fds.routes, &rt), 0);
	ck_assert_int_eq(mapsync_new(&fds, 0, &ms), 0);
	mapsync_set_rtab(ms, rt);

	ck_assert_int_eq(mapsync_vni_set(ms, 100, &vn), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(rtab_count(rt), 0);

	memset(&r, 0, sizeof(r));
	r.vni = 100;
	ck_assert_int_eq(addr_parse_prefix("10.1.0.21/32", &r.prefix, &r.prefixlen, 0), 0);
	r.vtep = mt_ip("192.0.2.2");
	mt_mac("02:00:00:00:00:21", r.mac);
	ck_assert_int_eq(mapsync_route_add(ms, &r), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	k = (struct vtep_route_key){ .vni = 100, .ip = mt_ip("10.1.0.21") };
	ck_assert_int_eq(rtab_get(rt, &k, &got), 1);
	ck_assert_uint_eq(got.vtep, mt_ip("192.0.2.2"));
	ck_assert_int_eq(memcmp(got.mac, r.mac, 6), 0);

	r.vtep = mt_ip("192.0.2.3");
	ck_assert_int_eq(mapsync_route_add(ms, &r), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(rtab_get(rt, &k, &got), 1);
	ck_assert_uint_eq(got.vtep, mt_ip("192.0.2.3"));

	ck_assert_int_eq(mapsync_route_del(ms, 100, r.prefix, 32), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_int_eq(rtab_get(rt, &k, &got), 0);

	/* Enough at once for the batch calls. */
	for (n = 0; n < 3000; n++) {
		r.prefix = htonl(0x0a020000 + n);
		r.prefixlen = 32;
		ck_assert_int_eq(mapsync_route_add(ms, &r), 0);
	}
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(mt_count(fds.routes, sizeof(k)), 3000);
	ck_assert_uint_eq(rtab_count(rt), 3000);
	for (n = 0; n < 3000; n += 7) {
		k = (struct vtep_route_key){ .vni = 100, .ip = htonl(0x0a020000 + n) };
		ck_assert_int_eq(rtab_get(rt, &k, &got), 1);
	}
	expect_invariants();
	for (n = 0; n < 3000; n++)
		ck_assert_int_eq(mapsync_route_del(ms, 100, htonl(0x0a020000 + n), 32), 0);
	ck_assert_int_eq(mapsync_flush(ms), 0);
	ck_assert_uint_eq(rtab_count(rt), 0);
	expect_invariants();

	mapsync_free(ms);
	mt_maps_close(&fds);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("rtab");
	TCase *tc = tcase_create("rtab");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_open_copies);
	tcase_add_test(tc, test_put_update_del);
	tcase_add_test(tc, test_collisions_model);
	tcase_add_test(tc, test_full_turns_off);
	tcase_add_test(tc, test_unmappable_refused);
	tcase_add_test(tc, test_mapsync_follows);
	suite_add_tcase(s, tc);
	return s;
}
