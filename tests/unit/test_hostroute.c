/* test_hostroute.c - agent/host/hostroute against the kernel: the host's /32
 * route to each workload and its permanent neighbour entry.
 *  - add: IP/32 dev PORT scope link proto 118 in the main table, and the
 *    neighbour entry with the workload's MAC (none without a MAC);
 *  - again, or after the workload moved to another port: replaced, since
 *    it is ours; a route to the /32 that is not ours is left alone
 *    (-EEXIST) and unchanged;
 *  - the neighbour entry alone is replaced when the MAC is learned;
 *  - del: our route and the neighbour go, absent ones are fine, a route
 *    that is not ours stays;
 *  - sweep: our routes for which keep() says no go (all of them with no
 *    keep(), for --cleanup), the count is returned, and nothing that is
 *    not ours is touched;
 *  - the same for IPv6: a /128 and its permanent neighbour entry.
 * Each test runs in Check's forked child in a network namespace of its own
 * (unshare: anonymous, gone with the child) holding veths w1/w1p and
 * w2/w2p. Needs root. The kernel's view is read back with `ip`.
 */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>

#include "check_main.h"
#include "hostroute.h"
#include "log.h"
#include "nl_test_util.h"

static struct hostroute *hr;
static int w1, w2;
static const uint8_t mac1[6] = { 2, 0, 0, 0, 0, 0x11 }, mac2[6] = { 2, 0, 0, 0, 0, 0x12 };

static void setup(void)
{
	log_level = LOG_LVL_ERR;
	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	nt_sh("ip link set lo up && "
	      "ip link add w1 type veth peer name w1p && ip link add w2 type veth peer name w2p && "
	      "ip link set w1 up && ip link set w1p up && ip link set w2 up && ip link set w2p up");
	w1 = (int)if_nametoindex("w1");
	w2 = (int)if_nametoindex("w2");
	ck_assert_int_gt(w1, 0);
	ck_assert_int_gt(w2, 0);
	ck_assert_int_eq(hostroute_open(&hr), 0);
}

static void teardown(void)
{
	hostroute_close(hr);
}

static uint32_t ip(const char *s)
{
	return inet_addr(s);
}

/* `ip route show` of exactly a/32 in the main table ("" when none). */
static char *route(char *buf, size_t n, const char *a)
{
	return nt_out(buf, n, "ip route show table main exact %s/32", a);
}

static char *neigh(char *buf, size_t n, const char *a)
{
	return nt_out(buf, n, "ip neigh show %s", a);
}

#define HAS(text, word) ck_assert_msg(strstr((text), (word)) != NULL, "\"%s\" lacks \"%s\"", (text), (word))

START_TEST(test_add)
{
	char r[512], nb[512];

	ck_assert_int_eq(hostroute_add(hr, ip("10.1.0.11"), w1, mac1), 0);
	route(r, sizeof(r), "10.1.0.11");
	HAS(r, "10.1.0.11 dev w1 proto 118 scope link");
	neigh(nb, sizeof(nb), "10.1.0.11");
	HAS(nb, "10.1.0.11 dev w1 lladdr 02:00:00:00:00:11 PERMANENT");
	/* No MAC yet (or a zero one): the route, no neighbour entry. */
	ck_assert_int_eq(hostroute_add(hr, ip("10.1.0.12"), w2, NULL), 0);
	HAS(route(r, sizeof(r), "10.1.0.12"), "10.1.0.12 dev w2 proto 118 scope link");
	ck_assert_str_eq(neigh(nb, sizeof(nb), "10.1.0.12"), "");
	ck_assert_int_eq(hostroute_add(hr, ip("10.1.0.13"), w2, (const uint8_t[6]){ 0 }), 0);
	ck_assert_str_eq(neigh(nb, sizeof(nb), "10.1.0.13"), "");
	/* The MAC learned later: the neighbour entry alone. */
	ck_assert_int_eq(hostroute_neigh(hr, ip("10.1.0.12"), w2, mac2), 0);
	HAS(neigh(nb, sizeof(nb), "10.1.0.12"), "lladdr 02:00:00:00:00:12 PERMANENT");
	ck_assert_int_eq(hostroute_neigh(hr, ip("10.1.0.12"), w2, mac1), 0);
	HAS(neigh(nb, sizeof(nb), "10.1.0.12"), "lladdr 02:00:00:00:00:11 PERMANENT");
}
END_TEST

/* Ours is replaced (a restart adds it again; a workload moves); a route
 * someone else made to the /32 is left as it is. */
START_TEST(test_replace_ours_not_theirs)
{
	char r[512];

	ck_assert_int_eq(hostroute_add(hr, ip("10.1.0.11"), w1, mac1), 0);
	ck_assert_int_eq(hostroute_add(hr, ip("10.1.0.11"), w1, mac1), 0);
	ck_assert_int_eq(hostroute_add(hr, ip("10.1.0.11"), w2, mac1), 0);
	route(r, sizeof(r), "10.1.0.11");
	HAS(r, "dev w2 proto 118");
	ck_assert_ptr_null(strstr(r, "dev w1"));

	nt_sh("ip route add 10.1.0.21/32 dev w1 proto static");
	ck_assert_int_eq(hostroute_add(hr, ip("10.1.0.21"), w2, mac2), -EEXIST);
	route(r, sizeof(r), "10.1.0.21");
	HAS(r, "dev w1 proto static");
	ck_assert_ptr_null(strstr(r, "proto 118"));
}
END_TEST

START_TEST(test_del)
{
	char r[512], nb[512];

	ck_assert_int_eq(hostroute_add(hr, ip("10.1.0.11"), w1, mac1), 0);
	ck_assert_int_eq(hostroute_del(hr, ip("10.1.0.11"), w1), 0);
	ck_assert_str_eq(route(r, sizeof(r), "10.1.0.11"), "");
	ck_assert_str_eq(neigh(nb, sizeof(nb), "10.1.0.11"), "");
	/* Nothing there: fine. */
	ck_assert_int_eq(hostroute_del(hr, ip("10.1.0.11"), w1), 0);
	ck_assert_int_eq(hostroute_del(hr, ip("10.1.0.99"), w2), 0);
	/* Not ours: stays. */
	nt_sh("ip route add 10.1.0.21/32 dev w1 proto static");
	ck_assert_int_eq(hostroute_del(hr, ip("10.1.0.21"), w1), 0);
	HAS(route(r, sizeof(r), "10.1.0.21"), "dev w1 proto static");
}
END_TEST

/* keep(): 10.1.0.11 on w1 is still a port of ours, anything else is not. */
static int keep_calls;

static bool keep_w11(void *ctx, uint32_t a, int ifindex)
{
	ck_assert_ptr_eq(ctx, &keep_calls);
	keep_calls++;
	return a == ip("10.1.0.11") && ifindex == w1;
}

START_TEST(test_sweep)
{
	char r[512];

	ck_assert_int_eq(hostroute_add(hr, ip("10.1.0.11"), w1, mac1), 0);
	ck_assert_int_eq(hostroute_add(hr, ip("10.1.0.12"), w2, mac2), 0);
	ck_assert_int_eq(hostroute_add(hr, ip("10.1.0.13"), w1, NULL), 0);
	/* Not ours, or not a host route of the main table: never swept. */
	nt_sh("ip route add 10.1.0.21/32 dev w1 proto static && "
	      "ip route add 10.1.7.0/24 dev w2 proto 118 && "
	      "ip route add 10.1.0.22/32 dev w2 proto 118 table 100");
	ck_assert_int_eq(hostroute_sweep(hr, keep_w11, &keep_calls), 2);
	ck_assert_int_eq(keep_calls, 3);        /* asked about ours only */
	HAS(route(r, sizeof(r), "10.1.0.11"), "dev w1 proto 118");
	ck_assert_str_eq(route(r, sizeof(r), "10.1.0.12"), "");
	ck_assert_str_eq(route(r, sizeof(r), "10.1.0.13"), "");
	HAS(route(r, sizeof(r), "10.1.0.21"), "proto static");
	HAS(nt_out(r, sizeof(r), "ip route show 10.1.7.0/24"), "proto 118");
	HAS(nt_out(r, sizeof(r), "ip route show table 100"), "10.1.0.22 dev w2 proto 118");
	/* --cleanup: every one of ours. */
	ck_assert_int_eq(hostroute_sweep(hr, NULL, NULL), 1);
	ck_assert_str_eq(route(r, sizeof(r), "10.1.0.11"), "");
	ck_assert_int_eq(hostroute_sweep(hr, NULL, NULL), 0);
	HAS(route(r, sizeof(r), "10.1.0.21"), "proto static");
}
END_TEST

/* ---- IPv6: a /128 to a workload's global address -------------------------------- */

static const uint8_t *ip6(const char *s6)
{
	static uint8_t b[4][16];
	static int i;

	i = (i + 1) % 4;
	ck_assert_int_eq(inet_pton(AF_INET6, s6, b[i]), 1);
	return b[i];
}

static char *route6(char *buf, size_t n, const char *a)
{
	return nt_out(buf, n, "ip -6 route show table main exact %s/128", a);
}

static char *neigh6(char *buf, size_t n, const char *a)
{
	return nt_out(buf, n, "ip -6 neigh show %s", a);
}

START_TEST(test_add_del6)
{
	char r[512], nb[512];

	ck_assert_int_eq(hostroute6_add(hr, ip6("2001:db8:100::11"), w1, mac1), 0);
	HAS(route6(r, sizeof(r), "2001:db8:100::11"), "2001:db8:100::11 dev w1 proto 118");
	HAS(neigh6(nb, sizeof(nb), "2001:db8:100::11"),
	    "2001:db8:100::11 dev w1 lladdr 02:00:00:00:00:11 PERMANENT");
	/* no MAC yet: the route alone; then the neighbour entry */
	ck_assert_int_eq(hostroute6_add(hr, ip6("2001:db8:100::12"), w2, NULL), 0);
	HAS(route6(r, sizeof(r), "2001:db8:100::12"), "dev w2 proto 118");
	ck_assert_str_eq(neigh6(nb, sizeof(nb), "2001:db8:100::12"), "");
	ck_assert_int_eq(hostroute6_neigh(hr, ip6("2001:db8:100::12"), w2, mac2), 0);
	HAS(neigh6(nb, sizeof(nb), "2001:db8:100::12"), "lladdr 02:00:00:00:00:12 PERMANENT");
	/* ours moves (another port); someone else's is left alone */
	ck_assert_int_eq(hostroute6_add(hr, ip6("2001:db8:100::11"), w2, mac1), 0);
	HAS(route6(r, sizeof(r), "2001:db8:100::11"), "dev w2 proto 118");
	nt_sh("ip -6 route add 2001:db8:100::21/128 dev w1 proto static");
	ck_assert_int_eq(hostroute6_add(hr, ip6("2001:db8:100::21"), w2, mac2), -EEXIST);
	HAS(route6(r, sizeof(r), "2001:db8:100::21"), "dev w1 proto static");
	/* del: ours and its neighbour entry go, absent is fine, theirs stays */
	ck_assert_int_eq(hostroute6_del(hr, ip6("2001:db8:100::11"), w2), 0);
	ck_assert_str_eq(route6(r, sizeof(r), "2001:db8:100::11"), "");
	ck_assert_str_eq(nt_out(nb, sizeof(nb), "ip -6 neigh show 2001:db8:100::11 dev w2"), "");
	ck_assert_int_eq(hostroute6_del(hr, ip6("2001:db8:100::11"), w1), 0);
	ck_assert_str_eq(neigh6(nb, sizeof(nb), "2001:db8:100::11"), "");
	ck_assert_int_eq(hostroute6_del(hr, ip6("2001:db8:100::11"), w2), 0);
	ck_assert_int_eq(hostroute6_del(hr, ip6("2001:db8:100::21"), w1), 0);
	HAS(route6(r, sizeof(r), "2001:db8:100::21"), "proto static");
	/* the IPv4 routes are another family's: untouched */
	ck_assert_int_eq(hostroute_add(hr, ip("10.1.0.11"), w1, mac1), 0);
	ck_assert_int_eq(hostroute6_sweep(hr, NULL, NULL), 1);
	HAS(route(r, sizeof(r), "10.1.0.11"), "proto 118");
}
END_TEST

static bool keep6_w1(void *ctx, const uint8_t a[16], int ifindex)
{
	(void)ctx;
	return !memcmp(a, ip6("2001:db8:100::11"), 16) && ifindex == w1;
}

START_TEST(test_sweep6)
{
	char r[512];

	ck_assert_int_eq(hostroute6_add(hr, ip6("2001:db8:100::11"), w1, mac1), 0);
	ck_assert_int_eq(hostroute6_add(hr, ip6("2001:db8:100::12"), w2, mac2), 0);
	nt_sh("ip -6 route add 2001:db8:7::/64 dev w2 proto 118");
	ck_assert_int_eq(hostroute6_sweep(hr, keep6_w1, NULL), 1);
	HAS(route6(r, sizeof(r), "2001:db8:100::11"), "proto 118");
	ck_assert_str_eq(route6(r, sizeof(r), "2001:db8:100::12"), "");
	HAS(nt_out(r, sizeof(r), "ip -6 route show 2001:db8:7::/64"), "proto 118");
	ck_assert_int_eq(hostroute6_sweep(hr, NULL, NULL), 1);
	ck_assert_str_eq(route6(r, sizeof(r), "2001:db8:100::11"), "");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("hostroute");
	TCase *tc = tcase_create("kernel");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_add);
	tcase_add_test(tc, test_replace_ours_not_theirs);
	tcase_add_test(tc, test_del);
	tcase_add_test(tc, test_sweep);
	tcase_add_test(tc, test_add_del6);
	tcase_add_test(tc, test_sweep6);
	suite_add_tcase(s, tc);
	return s;
}
