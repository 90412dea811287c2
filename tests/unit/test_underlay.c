/* test_underlay.c - agent/host/underlay against the kernel: vtep_underlay is
 * emptied when the watcher starts and after each IPv4 route, neighbour or
 * link change, and left alone otherwise.
 *
 * Each test runs in Check's forked child in a network namespace of its own
 * (unshare: anonymous, gone with the child) with veths ul0/ul1 and a plain
 * BPF LRU hash with vtep_underlay's sizes (no bpffs needed). Needs root.
 * Waits poll the netlink socket against a deadline. */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "maps_test_util.h"
#include "netlink.h"
#include "nl_test_util.h"
#include "underlay.h"
#include "vtep_maps.h"

static struct netlink *nl;
static struct underlay *ul;
static int map_fd = -1;

static void on_link(void *ctx, const struct netlink_link *l)
{
	(void)ctx;
	(void)l;
}

/* n cached next hops for VTEPs 192.0.2.1 .. n, port 7. */
static void fill(unsigned int n)
{
	for (unsigned int i = 1; i <= n; i++) {
		struct vtep_underlay_key k = { .vtep = htonl(0xc0000200 + i), .ifindex = 7 };
		struct vtep_underlay v = { .expires_ns = ~0ull, .ifindex = 3, .mtu = 1500 };

		ck_assert_int_eq(bpf_map_update_elem(map_fd, &k, &v, BPF_ANY), 0);
	}
}

static size_t count(void)
{
	return mt_count(map_fd, sizeof(struct vtep_underlay_key));
}

static bool empty_step(void *ctx)
{
	(void)ctx;
	netlink_handle(nl);
	return count() == 0;
}

/* Handles events until the map is empty, for up to 5 s. */
static int wait_empty(void)
{
	return nt_poll_until(netlink_fd(nl), empty_step, NULL, 5);
}

static void setup(void)
{
	struct timespec t0, t;

	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	nt_sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 && "
	   "ip link set lo up && ip link add ul0 type veth peer name ul1 && "
	   "ip link set ul0 up && ip link set ul1 up && "
	   "ip addr add 198.51.100.1/24 dev ul0");
	/* The carrier comes up later (linkwatch): wait for it, so its link
	 * event is not taken for one of the tests'. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (!system("ip link show ul0 | grep -q 'state UP' && "
			    "ip link show ul1 | grep -q 'state UP'"))
			break;
		usleep(10000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 5);
	map_fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, VTEP_MAP_UNDERLAY,
				sizeof(struct vtep_underlay_key), sizeof(struct vtep_underlay),
				64, NULL);
	ck_assert_int_ge(map_fd, 0);
	/* The set-up's own events must not count for the tests. */
	fill(3);
	ck_assert_int_eq(netlink_open(on_link, NULL, &nl), 0);
	ck_assert_int_eq(underlay_watch(nl, map_fd, &ul), 0);
	ck_assert_uint_eq(count(), 0);
	netlink_handle(nl);
}

static void teardown(void)
{
	underlay_close(ul);
	ul = NULL;
	netlink_close(nl);
	nl = NULL;
	close(map_fd);
	map_fd = -1;
}

/* Nothing pending: entries stay. */
START_TEST(test_quiet_keeps)
{
	unsigned long before = underlay_flushes(ul);

	fill(5);
	netlink_handle(nl);
	ck_assert_uint_eq(underlay_flushes(ul), before);
	ck_assert_uint_eq(count(), 5);
}
END_TEST

START_TEST(test_route_change)
{
	fill(5);
	nt_sh("ip route add 192.0.2.0/24 via 198.51.100.2");
	ck_assert_msg(wait_empty(), "a new route left the cache full");
	fill(5);
	nt_sh("ip route del 192.0.2.0/24");
	ck_assert_msg(wait_empty(), "a deleted route left the cache full");
}
END_TEST

START_TEST(test_neigh_change)
{
	nt_sh("ip neigh replace 198.51.100.2 lladdr 02:00:00:00:99:02 dev ul0 nud permanent");
	ck_assert(wait_empty());
	fill(5);
	nt_sh("ip neigh replace 198.51.100.2 lladdr 02:00:00:00:99:03 dev ul0 nud permanent");
	ck_assert_msg(wait_empty(), "a changed next-hop MAC left the cache full");
}
END_TEST

START_TEST(test_link_change)
{
	fill(5);
	nt_sh("ip link set ul0 down");
	ck_assert_msg(wait_empty(), "an uplink going down left the cache full");
}
END_TEST

START_TEST(test_flush_count)
{
	fill(40);
	ck_assert_int_eq(underlay_flush(map_fd), 40);
	ck_assert_uint_eq(count(), 0);
	ck_assert_int_eq(underlay_flush(map_fd), 0);
}
END_TEST

START_TEST(test_bad_fd)
{
	struct underlay *u = (void *)1;

	ck_assert_int_eq(underlay_watch(nl, -1, &u), -EBADF);
	ck_assert_ptr_null(u);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("underlay");
	TCase *tc = tcase_create("underlay");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_quiet_keeps);
	tcase_add_test(tc, test_route_change);
	tcase_add_test(tc, test_neigh_change);
	tcase_add_test(tc, test_link_change);
	tcase_add_test(tc, test_flush_count);
	tcase_add_test(tc, test_bad_fd);
	suite_add_tcase(s, tc);
	return s;
}
