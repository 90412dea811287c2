/* test_port_rtab.c - the flat route table in front of vtep_routes
 * (bpf/rtab.h), filled by vtepd's own writer (agent/dp/rtab.c) over the
 * fixture's maps: off (epoch 0) the program reads vtep_routes; on, a hit is
 * served from the table (even for a route vtep_routes no longer holds, which
 * is why vtepd follows every change), a key the table lacks is no route
 * without asking vtep_routes, a local route delivers, and a line being
 * written (odd seq) or a table being rebuilt (odd epoch) sends the lookup to
 * vtep_routes. Every run goes past the route cache (its gen stays 0).
 */
#include <check.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "port_fixture.h"
#include "rtab.h"

static struct rtab *rt;

static void tab_open(void)
{
	ck_assert_int_eq(rtab_open(bpf_map__fd(skel->maps.vtep_rtab), h.map_fd[HM_ROUTES], &rt), 0);
	ck_assert(rtab_enabled(rt));
}

/* The table as the program sees it, for the tests that play a writer
 * caught in the middle. */
static union vtep_rtab_elem *tab_map(size_t *len)
{
	uint32_t n = bpf_map__max_entries(skel->maps.vtep_rtab);
	long page = sysconf(_SC_PAGESIZE);
	void *m;

	*len = ((size_t)n * sizeof(union vtep_rtab_elem) + page - 1) / page * page;
	m = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 bpf_map__fd(skel->maps.vtep_rtab), 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	return m;
}

/* The line that holds (VNI, ip). */
static struct vtep_rtab_line *line_of(union vtep_rtab_elem *t, const char *ip)
{
	uint32_t i, lines = t[0].hdr.lines;
	int s;

	for (i = 1; i <= lines; i++)
		for (s = 0; s < VTEP_RTAB_SLOTS; s++)
			if ((t[i].line.slot[s].state & VTEP_RTAB_F_USED) &&
			    t[i].line.slot[s].ip == IP(ip) && t[i].line.slot[s].vni == VNI)
				return &t[i].line;
	ck_abort_msg("%s is in no line", ip);
	return NULL;
}

static void hash_del(const char *ip)
{
	struct vtep_route_key k = { .vni = VNI, .ip = IP(ip) };

	ck_assert_int_eq(bpf_map_delete_elem(h.map_fd[HM_ROUTES], &k), 0);
}

#define HITS harness_stat(&h, rtab_hit)
#define ASKS harness_stat(&h, rtab_ask)

START_TEST(off_reads_routes)
{
	ck_assert_uint_eq(port_vtep_for("10.1.0.21"), IP("192.0.2.2"));
	ck_assert_uint_eq(HITS + ASKS, 0);
}
END_TEST

/* Served from the table: the route is gone from vtep_routes behind vtepd's
 * back, and the packet still goes where the table says. */
START_TEST(hit_from_table)
{
	tab_open();
	ck_assert_uint_eq(rtab_count(rt), 3); /* w1, w2, 10.1.0.21 */
	hash_del("10.1.0.21");
	ck_assert_uint_eq(port_vtep_for("10.1.0.21"), IP("192.0.2.2"));
	ck_assert_uint_eq(HITS, 1);
	ck_assert_uint_eq(ASKS, 0);
	ck_assert_uint_eq(harness_stat(&h, fwd_encap), 1);
	rtab_close(rt);
}
END_TEST

/* A key the table lacks is no host route: vtep_routes is not asked (here
 * it holds one vtepd never told the table about). The prefix path still
 * runs: 10.1.128.5 is the /24's. */
START_TEST(absent_is_final)
{
	struct vtep_route_key k = { .vni = VNI, .ip = IP("10.1.0.22") };
	struct vtep_route v = { .vtep = IP("192.0.2.2") };
	struct harness_result r;
	struct pkt in;

	tab_open();
	port_remote_route("10.1.0.22", "192.0.2.2");
	udp_w1(&in, "10.1.0.22");
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_SHOT);
	ck_assert_uint_eq(harness_stat(&h, drop_no_route), 1);
	ck_assert_uint_eq(port_vtep_for("10.1.128.5"), IP("192.0.2.2"));
	/* Once vtepd writes it, it is there. */
	memcpy(v.mac, MAC_R21, 6);
	ck_assert_int_eq(rtab_put(rt, &k, &v), 0);
	ck_assert_uint_eq(port_vtep_for("10.1.0.22"), IP("192.0.2.2"));
	ck_assert_uint_eq(HITS, 1);
	ck_assert_uint_eq(ASKS, 0);
	rtab_close(rt);
}
END_TEST

/* A local route from the table: delivered into w2 with its MAC. */
START_TEST(local_from_table)
{
	struct harness_result r;
	struct pkt in;

	tab_open();
	hash_del("10.1.0.12");
	udp_w1(&in, "10.1.0.12");
	run_w1(&in, &r);
	ck_assert_int_eq(r.retval, TC_ACT_REDIRECT);
	ck_assert_int_eq(memcmp(r.out, MAC_W2, 6), 0);
	ck_assert_uint_eq(harness_stat(&h, fwd_local), 1);
	ck_assert_uint_eq(HITS, 1);
	rtab_close(rt);
}
END_TEST

/* vtepd in the middle of writing the line: the program asks vtep_routes
 * (which says 192.0.2.3 here, the table 192.0.2.2), and takes the table's
 * answer again once the line is whole. */
START_TEST(odd_seq_asks_routes)
{
	struct vtep_rtab_line *l;
	union vtep_rtab_elem *t;
	size_t len;

	tab_open();
	ck_assert_int_eq(harness_remote_add(&h, IP("192.0.2.3")), 0);
	port_remote_route("10.1.0.21", "192.0.2.3");
	t = tab_map(&len);
	l = line_of(t, "10.1.0.21");
	l->seq++;
	ck_assert_uint_eq(port_vtep_for("10.1.0.21"), IP("192.0.2.3"));
	ck_assert_uint_eq(ASKS, 1);
	ck_assert_uint_eq(HITS, 0);
	l->seq++;
	ck_assert_uint_eq(port_vtep_for("10.1.0.21"), IP("192.0.2.2"));
	ck_assert_uint_eq(HITS, 1);
	munmap(t, len);
	rtab_close(rt);
}
END_TEST

/* The table being rebuilt (odd epoch) or never built (0): vtep_routes. */
START_TEST(odd_epoch_asks_routes)
{
	union vtep_rtab_elem *t;
	uint32_t e;
	size_t len;

	tab_open();
	ck_assert_int_eq(harness_remote_add(&h, IP("192.0.2.3")), 0);
	port_remote_route("10.1.0.21", "192.0.2.3");
	t = tab_map(&len);
	e = t[0].hdr.epoch;
	t[0].hdr.epoch = e + 1;
	ck_assert_uint_eq(port_vtep_for("10.1.0.21"), IP("192.0.2.3"));
	t[0].hdr.epoch = 0;
	ck_assert_uint_eq(port_vtep_for("10.1.0.21"), IP("192.0.2.3"));
	t[0].hdr.epoch = e;
	ck_assert_uint_eq(port_vtep_for("10.1.0.21"), IP("192.0.2.2"));
	ck_assert_uint_eq(HITS, 1);
	munmap(t, len);
	rtab_close(rt);
}
END_TEST

#define RTAB_PROBES VTEP_RTAB_PROBES

/* A key further than RTAB_PROBES lines from its home line: the program
 * stops walking and asks vtep_routes. Built by hand: the route's home line
 * and the next RTAB_PROBES lines are full of other keys and say that
 * entries pass them. */
START_TEST(far_key_asks_routes)
{
	struct vtep_route_key k = { .vni = VNI, .ip = IP("10.1.0.21") };
	uint32_t lines, idx, i;
	union vtep_rtab_elem *t;
	size_t len;
	int s;

	tab_open();
	ck_assert_int_eq(rtab_del(rt, &k), 0);
	rtab_close(rt); /* the test writes the table from here */
	t = tab_map(&len);
	lines = t[0].hdr.lines;
	idx = vtep_rtab_home(k.vni, k.ip, lines);
	for (i = 0; i < RTAB_PROBES + 1; i++) {
		struct vtep_rtab_line *l = &t[idx].line;

		for (s = 0; s < VTEP_RTAB_SLOTS; s++) {
			l->slot[s] = (struct vtep_rtab_slot){ .vni = VNI + 1, .ip = 1000 + i * 3 + s,
							      .nh = IP("192.0.2.9"),
							      .state = VTEP_RTAB_F_USED };
			if (i == RTAB_PROBES && s == 2)
				l->slot[s] = (struct vtep_rtab_slot){ .vni = VNI, .ip = k.ip,
								      .nh = IP("192.0.2.9"),
								      .state = VTEP_RTAB_F_USED };
		}
		l->over = i < RTAB_PROBES ? 1 : 0;
		idx = idx >= lines ? 1 : idx + 1;
	}
	/* vtep_routes' answer (192.0.2.2), not the far slot's. */
	ck_assert_uint_eq(port_vtep_for("10.1.0.21"), IP("192.0.2.2"));
	ck_assert_uint_eq(ASKS, 1);
	ck_assert_uint_eq(HITS, 0);
	munmap(t, len);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("port_rtab");
	TCase *tc = port_tcase("rtab");

	tcase_add_test(tc, off_reads_routes);
	tcase_add_test(tc, hit_from_table);
	tcase_add_test(tc, absent_is_final);
	tcase_add_test(tc, local_from_table);
	tcase_add_test(tc, odd_seq_asks_routes);
	tcase_add_test(tc, odd_epoch_asks_routes);
	tcase_add_test(tc, far_key_asks_routes);
	suite_add_tcase(s, tc);
	return s;
}
