/* test_port_rcache.c - the route cache in front of vtep_routes (bpf/rcache.h):
 * off while vtep_rcache_ctl's gen is 0; a miss fills this CPU's set, a hit
 * serves the copy (even after the map changed: the gen is the only thing
 * that makes a copy stale, which is why vtepd moves it after every change);
 * a new gen makes every copy stale (a changed and a deleted route); two
 * ways per set, first in first out; and an ARP reply in real mode answers
 * from the copy too; a CPU whose cache thrashes goes past it for a while,
 * and warming up is not taken for thrashing.
 *
 * Each test sets the gen by hand, as agent/dp/rcache.c does. BPF_PROG_TEST_RUN
 * runs on the CPU the test is on; the process is pinned to one so that every
 * run sees the same per-CPU set.
 */
#include <check.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "port_fixture.h"

static void pin_cpu(void)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(sched_getcpu(), &s);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(s), &s), 0);
}

/* gen and the set mask, as vtepd writes them; mask ~0u: every set. */
static void rc_ctl(uint32_t gen, uint32_t mask)
{
	struct vtep_rcache_ctl c = { .gen = gen, .mask = mask };
	uint32_t zero = 0;

	if (mask == ~0u)
		c.mask = bpf_map__max_entries(skel->maps.vtep_rcache) /
			 (uint32_t)libbpf_num_possible_cpus() - 1;
	ck_assert_int_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.vtep_rcache_ctl), &zero, &c,
					     BPF_ANY), 0);
}

#define HITS   harness_stat(&h, rcache_hit)
#define MISSES harness_stat(&h, rcache_miss)

START_TEST(off_until_gen)
{
	pin_cpu();
	ck_assert_uint_eq(port_vtep_for("10.1.0.21"), IP("192.0.2.2"));
	ck_assert_uint_eq(port_vtep_for("10.1.0.21"), IP("192.0.2.2"));
	ck_assert_uint_eq(HITS + MISSES, 0);
	/* Off, a change takes effect at once. */
	ck_assert_int_eq(harness_remote_add(&h, IP("192.0.2.3")), 0);
	port_remote_route("10.1.0.21", "192.0.2.3");
	ck_assert_uint_eq(port_vtep_for("10.1.0.21"), IP("192.0.2.3"));
	ck_assert_uint_eq(HITS + MISSES, 0);
}
END_TEST

START_TEST(hit_until_gen_moves)
{
	pin_cpu();
	rc_ctl(1, ~0u);
	ck_assert_uint_eq(port_vtep_for("10.1.0.21"), IP("192.0.2.2"));
	ck_assert_uint_eq(MISSES, 1);
	ck_assert_uint_eq(HITS, 0);
	ck_assert_uint_eq(port_vtep_for("10.1.0.21"), IP("192.0.2.2"));
	ck_assert_uint_eq(HITS, 1);
	/* The map changes behind the cache: the copy still serves... */
	ck_assert_int_eq(harness_remote_add(&h, IP("192.0.2.3")), 0);
	port_remote_route("10.1.0.21", "192.0.2.3");
	ck_assert_uint_eq(port_vtep_for("10.1.0.21"), IP("192.0.2.2"));
	ck_assert_uint_eq(HITS, 2);
	/* ...until the gen moves, as vtepd moves it after every change. */
	rc_ctl(2, ~0u);
	ck_assert_uint_eq(port_vtep_for("10.1.0.21"), IP("192.0.2.3"));
	ck_assert_uint_eq(MISSES, 2);
	ck_assert_uint_eq(port_vtep_for("10.1.0.21"), IP("192.0.2.3"));
	ck_assert_uint_eq(HITS, 3);
	/* Every packet was encapsulated. */
	ck_assert_uint_eq(harness_stat(&h, fwd_encap), 5);
}
END_TEST

START_TEST(deleted_route)
{
	struct vtep_route_key k = { .vni = VNI, .ip = IP("10.1.0.21") };
	struct harness_result r;
	struct pkt in;

	pin_cpu();
	rc_ctl(7, ~0u);
	ck_assert_uint_eq(port_vtep_for("10.1.0.21"), IP("192.0.2.2"));
	ck_assert_int_eq(bpf_map_delete_elem(h.map_fd[HM_ROUTES], &k), 0);
	rc_ctl(8, ~0u);
	udp_w1(&in, "10.1.0.21");
	run_w1(&in, &r);
	ck_assert_uint_eq(r.retval, TC_ACT_SHOT);
	ck_assert_uint_eq(harness_stat(&h, drop_no_route), 1);
	ck_assert_uint_eq(HITS, 0);
	ck_assert_uint_eq(MISSES, 2);
}
END_TEST

/* One set (mask 0): two ways, the newest in way[0]; a third destination
 * pushes out the oldest. */
START_TEST(two_ways_fifo)
{
	pin_cpu();
	port_remote_route("10.1.0.22", "192.0.2.2");
	port_remote_route("10.1.0.23", "192.0.2.2");
	rc_ctl(1, 0);
	port_vtep_for("10.1.0.21");
	port_vtep_for("10.1.0.22");
	ck_assert_uint_eq(MISSES, 2);
	port_vtep_for("10.1.0.21");
	port_vtep_for("10.1.0.22");
	ck_assert_uint_eq(HITS, 2);
	port_vtep_for("10.1.0.23");  /* [23, 22]: 21 is out */
	ck_assert_uint_eq(MISSES, 3);
	port_vtep_for("10.1.0.22");
	ck_assert_uint_eq(HITS, 3);
	port_vtep_for("10.1.0.21");
	ck_assert_uint_eq(MISSES, 4);
	ck_assert_uint_eq(harness_stat(&h, fwd_encap), 7);
}
END_TEST

/* More destinations than the cache holds (three in a set of two, in turn):
 * every miss evicts a live entry, and after a window of them the CPU goes
 * past the cache (rcache_skip), still forwarding every packet. */
START_TEST(thrash_goes_past)
{
	static const char *const d[] = { "10.1.0.21", "10.1.0.22", "10.1.0.23" };
	int i;

	pin_cpu();
	port_remote_route("10.1.0.22", "192.0.2.2");
	port_remote_route("10.1.0.23", "192.0.2.2");
	rc_ctl(1, 0);
	for (i = 0; i < VTEP_RCACHE_WINDOW; i++)
		ck_assert_uint_eq(port_vtep_for(d[i % 3]), IP("192.0.2.2"));
	ck_assert_uint_eq(MISSES, VTEP_RCACHE_WINDOW);
	ck_assert_uint_eq(harness_stat(&h, rcache_skip), 0);
	ck_assert_uint_eq(port_vtep_for(d[0]), IP("192.0.2.2"));
	ck_assert_uint_eq(harness_stat(&h, rcache_skip), 1);
	ck_assert_uint_eq(HITS, 0);
	ck_assert_uint_eq(harness_stat(&h, fwd_encap), VTEP_RCACHE_WINDOW + 1);
}
END_TEST

/* Warming up is no thrashing: a window of misses into empty ways (many
 * destinations, each once, over every set) keeps the cache in use. */
START_TEST(warming_is_no_thrash)
{
	char a[32];
	int i;

	pin_cpu();
	for (i = 0; i < VTEP_RCACHE_WINDOW + 8; i++) {
		snprintf(a, sizeof(a), "10.1.%d.%d", 2 + i / 200, 1 + i % 200);
		port_remote_route(a, "192.0.2.2");
	}
	rc_ctl(1, ~0u);
	for (i = 0; i < VTEP_RCACHE_WINDOW + 8; i++) {
		snprintf(a, sizeof(a), "10.1.%d.%d", 2 + i / 200, 1 + i % 200);
		ck_assert_uint_eq(port_vtep_for(a), IP("192.0.2.2"));
	}
	ck_assert_uint_eq(harness_stat(&h, rcache_skip), 0);
	ck_assert_uint_eq(MISSES, VTEP_RCACHE_WINDOW + 8);
	ck_assert_uint_eq(port_vtep_for("10.1.2.1"), IP("192.0.2.2"));
	ck_assert_uint_eq(HITS, 1);
}
END_TEST

/* arp_reply real: the answer is the host route's MAC, from the copy. */
START_TEST(arp_real_from_copy)
{
	struct vtep_vni v;
	struct harness_result r;
	struct pkt in;
	uint32_t vni = VNI;

	pin_cpu();
	ck_assert_int_eq(bpf_map_lookup_elem(h.map_fd[HM_VNIS], &vni, &v), 0);
	v.arp_reply = VTEP_ARP_REPLY_REAL;
	ck_assert_int_eq(bpf_map_update_elem(h.map_fd[HM_VNIS], &vni, &v, BPF_ANY), 0);
	rc_ctl(3, ~0u);
	for (int i = 0; i < 2; i++) {
		arp_req_w1(&in, "10.1.0.21");
		run_w1(&in, &r);
		ck_assert_uint_eq(r.retval, TC_ACT_REDIRECT);
		ck_assert_mem_eq(r.out + 6, MAC_R21, 6);      /* Ethernet source */
		ck_assert_mem_eq(r.out + 14 + 8, MAC_R21, 6); /* ARP sender MAC */
	}
	ck_assert_uint_eq(MISSES, 1);
	ck_assert_uint_eq(HITS, 1);
	ck_assert_uint_eq(harness_stat(&h, arp_reply), 2);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("port_rcache");
	TCase *tc = port_tcase("rcache");

	tcase_add_test(tc, off_until_gen);
	tcase_add_test(tc, hit_until_gen_moves);
	tcase_add_test(tc, deleted_route);
	tcase_add_test(tc, two_ways_fifo);
	tcase_add_test(tc, arp_real_from_copy);
	tcase_add_test(tc, thrash_goes_past);
	tcase_add_test(tc, warming_is_no_thrash);
	suite_add_tcase(s, tc);
	return s;
}
