/* test_hostaddr.c - agent/host/hostaddr (with agent/host/netlink's address events)
 * against the kernel: the start-up reconcile (every address but 127/8 in,
 * stale entries out), then RTM_NEWADDR / RTM_DELADDR as `ip` makes them,
 * addresses shared by two interfaces, an interface that disappears, and the
 * resync after lost events.
 *
 * Each test runs in Check's forked child in a network namespace of its own
 * (unshare: anonymous, gone with the child) holding veths ha0/ha1, and a
 * plain BPF hash map with vtep_hostaddrs' sizes (no bpffs needed). Needs
 * root. Waits poll the netlink socket against a deadline. */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "hostaddr.h"
#include "maps_test_util.h"
#include "netlink.h"
#include "nl_test_util.h"
#include "vtep_maps.h"

static struct netlink *nl;
static struct hostaddr *ha;
static int map_fd = -1;

static void on_link(void *ctx, const struct netlink_link *l)
{
	(void)ctx;
	(void)l;
}

static uint32_t ip(const char *s)
{
	return inet_addr(s);
}

static void map_put(const char *a, uint32_t ifindex)
{
	struct vtep_hostaddr v = { .ifindex = ifindex };
	uint32_t k = ip(a);

	ck_assert_int_eq(bpf_map_update_elem(map_fd, &k, &v, BPF_ANY), 0);
}

/* 1 and *ifindex when listed, 0 when not. */
static int in_map(const char *a, uint32_t *ifindex)
{
	struct vtep_hostaddr v;
	uint32_t k = ip(a);

	if (bpf_map_lookup_elem(map_fd, &k, &v))
		return 0;
	if (ifindex)
		*ifindex = v.ifindex;
	return 1;
}

static size_t map_count(void)
{
	return mt_count(map_fd, sizeof(uint32_t));
}

struct presence {
	const char *addr;
	int want;
};

static bool presence_step(void *ctx)
{
	const struct presence *w = ctx;

	netlink_handle(nl);
	return in_map(w->addr, NULL) == w->want;
}

/* Reads events until a's presence in the map is want, for up to 5 s. */
static int wait_for(const char *a, int want)
{
	struct presence w = { .addr = a, .want = want };

	return nt_poll_until(netlink_fd(nl), presence_step, &w, 5);
}

static void setup(void)
{
	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	nt_sh("ip link set lo up && ip link add ha0 type veth peer name ha1 && "
	   "ip link set ha0 up && ip link set ha1 up && "
	   "ip addr add 192.0.2.1/32 dev lo && ip addr add 198.51.100.1/24 dev ha0 && "
	   "ip addr add 10.9.9.9/32 dev ha0 && ip addr add 10.9.9.9/32 dev ha1");
	map_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "vtep_hostaddrs", sizeof(uint32_t),
				sizeof(struct vtep_hostaddr), 64, NULL);
	ck_assert_int_ge(map_fd, 0);
	ck_assert_int_eq(netlink_open(on_link, NULL, &nl), 0);
}

static void teardown(void)
{
	hostaddr_free(ha);
	ha = NULL;
	netlink_close(nl);
	nl = NULL;
	close(map_fd);
	map_fd = -1;
}

/* Start: what the namespace has is listed, nothing else. */
START_TEST(test_reconcile)
{
	uint32_t ifx;

	map_put("203.0.113.5", 9);   /* left by an earlier run */
	map_put("127.0.0.1", 1);     /* never listed */
	ck_assert_int_eq(hostaddr_new(nl, map_fd, &ha), 0);
	ck_assert(in_map("192.0.2.1", &ifx));
	ck_assert_uint_eq(ifx, 1);   /* lo */
	ck_assert(in_map("198.51.100.1", &ifx));
	ck_assert_uint_eq(ifx, if_nametoindex("ha0"));
	ck_assert(in_map("10.9.9.9", NULL));
	ck_assert(!in_map("127.0.0.1", NULL));
	ck_assert(!in_map("203.0.113.5", NULL));
	ck_assert_uint_eq(map_count(), 3);
	ck_assert_uint_eq(hostaddr_count(ha), 3);
}
END_TEST

/* Addresses added and deleted while running. */
START_TEST(test_events)
{
	ck_assert_int_eq(hostaddr_new(nl, map_fd, &ha), 0);
	nt_sh("ip addr add 198.51.100.7/24 dev ha1");
	ck_assert_msg(wait_for("198.51.100.7", 1), "added address not listed");
	nt_sh("ip addr add 127.0.0.2/8 dev lo");
	nt_sh("ip addr del 198.51.100.7/24 dev ha1");
	ck_assert_msg(wait_for("198.51.100.7", 0), "deleted address still listed");
	ck_assert(!in_map("127.0.0.2", NULL));
	ck_assert_uint_eq(map_count(), 3);
}
END_TEST

/* One address on two interfaces: listed until the last one drops it, and
 * the map then names the interface that still holds it. */
START_TEST(test_shared)
{
	uint32_t ha0 = if_nametoindex("ha0"), ha1 = if_nametoindex("ha1"), ifx = 0;
	const char *first, *second;

	ck_assert_int_eq(hostaddr_new(nl, map_fd, &ha), 0);
	ck_assert(in_map("10.9.9.9", &ifx));
	ck_assert(ifx == ha0 || ifx == ha1);
	first = ifx == ha0 ? "ha0" : "ha1";
	second = ifx == ha0 ? "ha1" : "ha0";
	nt_sh("ip addr del 10.9.9.9/32 dev %s", first);
	/* A marker added after the delete: once it is listed, the delete
	 * has been read too. */
	nt_sh("ip addr add 192.0.2.77/32 dev lo");
	ck_assert(wait_for("192.0.2.77", 1));
	ck_assert_msg(in_map("10.9.9.9", &ifx), "removed while another interface holds it");
	ck_assert_uint_eq(ifx, if_nametoindex(second));
	nt_sh("ip addr del 10.9.9.9/32 dev %s", second);
	ck_assert_msg(wait_for("10.9.9.9", 0), "still listed after the last holder dropped it");
}
END_TEST

/* An interface that goes takes its addresses along. */
START_TEST(test_link_gone)
{
	ck_assert_int_eq(hostaddr_new(nl, map_fd, &ha), 0);
	nt_sh("ip link del ha0"); /* and its peer ha1 */
	ck_assert(wait_for("198.51.100.1", 0));
	ck_assert(wait_for("10.9.9.9", 0));
	ck_assert(in_map("192.0.2.1", NULL));
	ck_assert_uint_eq(map_count(), 1);
	ck_assert_uint_eq(hostaddr_count(ha), 1);
}
END_TEST

/* After lost events: the resync repairs whatever the map and the memory
 * missed. */
START_TEST(test_resync)
{
	uint32_t k = ip("192.0.2.1");

	ck_assert_int_eq(hostaddr_new(nl, map_fd, &ha), 0);
	ck_assert_int_eq(bpf_map_delete_elem(map_fd, &k), 0);
	map_put("203.0.113.9", 4);
	ck_assert_int_eq(hostaddr_resync(ha), 0);
	ck_assert(in_map("192.0.2.1", NULL));
	ck_assert(!in_map("203.0.113.9", NULL));
	ck_assert_uint_eq(map_count(), 3);
}
END_TEST

START_TEST(test_bad_fd)
{
	ck_assert_int_eq(hostaddr_new(nl, -1, &ha), -EBADF);
	ck_assert_ptr_null(ha);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("hostaddr");
	TCase *tc = tcase_create("kernel");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reconcile);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_shared);
	tcase_add_test(tc, test_link_gone);
	tcase_add_test(tc, test_resync);
	tcase_add_test(tc, test_bad_fd);
	suite_add_tcase(s, tc);
	return s;
}
