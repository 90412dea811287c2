/* test_hostaddr6.c - agent/host/hostaddr6 (with agent/host/netlink's IPv6
 * address events) against the kernel: the start-up reconcile (every IPv6
 * address but ::1 and link-local ones in, stale entries out), then
 * RTM_NEWADDR / RTM_DELADDR as `ip -6` makes them, an address shared by two
 * interfaces, an interface that disappears, the resync after lost events,
 * and the IPv4 watcher (hostaddr) beside it on one netlink socket.
 *
 * Each test runs in Check's forked child in a network namespace of its own
 * holding veths ha0/ha1 (whose automatic fe80:: addresses must never be
 * listed), and a plain BPF hash map with vtep_hostaddrs6' sizes. Needs
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
#include "hostaddr6.h"
#include "maps_test_util.h"
#include "netlink.h"
#include "nl_test_util.h"
#include "vtep_maps.h"

static struct netlink *nl;
static struct hostaddr6 *ha;
static int map_fd = -1;

static void on_link(void *ctx, const struct netlink_link *l)
{
	(void)ctx;
	(void)l;
}

static void key(const char *a, uint8_t k[16])
{
	ck_assert_int_eq(inet_pton(AF_INET6, a, k), 1);
}

static void map_put(const char *a, uint32_t ifindex)
{
	struct vtep_hostaddr v = { .ifindex = ifindex };
	uint8_t k[16];

	key(a, k);
	ck_assert_int_eq(bpf_map_update_elem(map_fd, k, &v, BPF_ANY), 0);
}

static int in_map(const char *a, uint32_t *ifindex)
{
	struct vtep_hostaddr v;
	uint8_t k[16];

	key(a, k);
	if (bpf_map_lookup_elem(map_fd, k, &v))
		return 0;
	if (ifindex)
		*ifindex = v.ifindex;
	return 1;
}

static size_t map_count(void)
{
	return mt_count(map_fd, 16);
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
	      "ip -6 addr add 2001:db8::1/128 dev lo");
	nt_sh("ip -6 addr add 2001:db8:51::1/64 dev ha0 nodad && "
	      "ip -6 addr add 2001:db8:99::9/128 dev ha0 nodad");
	nt_sh("ip -6 addr add 2001:db8:99::9/128 dev ha1 nodad && "
	      "ip -6 addr add fe80::99/64 dev ha1 nodad");
	map_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "vtep_hostaddrs6", 16,
				sizeof(struct vtep_hostaddr), 64, NULL);
	ck_assert_int_ge(map_fd, 0);
	ck_assert_int_eq(netlink_open(on_link, NULL, &nl), 0);
}

static void teardown(void)
{
	hostaddr6_free(ha);
	ha = NULL;
	netlink_close(nl);
	nl = NULL;
	close(map_fd);
	map_fd = -1;
}

START_TEST(test_reconcile)
{
	uint32_t ifx;

	map_put("2001:db8:113::5", 9);   /* left by an earlier run */
	map_put("::1", 1);               /* never listed */
	ck_assert_int_eq(hostaddr6_new(nl, map_fd, &ha), 0);
	ck_assert(in_map("2001:db8::1", &ifx));
	ck_assert_uint_eq(ifx, 1);       /* lo */
	ck_assert(in_map("2001:db8:51::1", &ifx));
	ck_assert_uint_eq(ifx, if_nametoindex("ha0"));
	ck_assert(in_map("2001:db8:99::9", NULL));
	ck_assert(!in_map("::1", NULL));
	ck_assert(!in_map("fe80::99", NULL));
	ck_assert(!in_map("2001:db8:113::5", NULL));
	/* nothing else: the veths' own fe80:: addresses are not listed */
	ck_assert_uint_eq(map_count(), 3);
	ck_assert_uint_eq(hostaddr6_count(ha), 3);
}
END_TEST

START_TEST(test_events)
{
	ck_assert_int_eq(hostaddr6_new(nl, map_fd, &ha), 0);
	nt_sh("ip -6 addr add 2001:db8:51::7/64 dev ha1 nodad");
	ck_assert_msg(wait_for("2001:db8:51::7", 1), "added address not listed");
	nt_sh("ip -6 addr add fe80::7/64 dev ha1 nodad");
	nt_sh("ip -6 addr del 2001:db8:51::7/64 dev ha1");
	ck_assert_msg(wait_for("2001:db8:51::7", 0), "deleted address still listed");
	ck_assert(!in_map("fe80::7", NULL));
	ck_assert_uint_eq(map_count(), 3);
}
END_TEST

START_TEST(test_shared)
{
	uint32_t ha0 = if_nametoindex("ha0"), ha1 = if_nametoindex("ha1"), ifx = 0;
	const char *first, *second;

	ck_assert_int_eq(hostaddr6_new(nl, map_fd, &ha), 0);
	ck_assert(in_map("2001:db8:99::9", &ifx));
	ck_assert(ifx == ha0 || ifx == ha1);
	first = ifx == ha0 ? "ha0" : "ha1";
	second = ifx == ha0 ? "ha1" : "ha0";
	nt_sh("ip -6 addr del 2001:db8:99::9/128 dev %s", first);
	nt_sh("ip -6 addr add 2001:db8::77/128 dev lo");
	ck_assert(wait_for("2001:db8::77", 1));
	ck_assert_msg(in_map("2001:db8:99::9", &ifx), "removed while another interface holds it");
	ck_assert_uint_eq(ifx, if_nametoindex(second));
	nt_sh("ip -6 addr del 2001:db8:99::9/128 dev %s", second);
	ck_assert_msg(wait_for("2001:db8:99::9", 0), "still listed after the last holder");
}
END_TEST

START_TEST(test_link_gone_and_resync)
{
	uint8_t k[16];

	ck_assert_int_eq(hostaddr6_new(nl, map_fd, &ha), 0);
	nt_sh("ip link del ha0");
	ck_assert(wait_for("2001:db8:51::1", 0));
	ck_assert(wait_for("2001:db8:99::9", 0));
	ck_assert_uint_eq(map_count(), 1);
	key("2001:db8::1", k);
	ck_assert_int_eq(bpf_map_delete_elem(map_fd, k), 0);
	map_put("2001:db8:113::9", 4);
	ck_assert_int_eq(hostaddr6_resync(ha), 0);
	ck_assert(in_map("2001:db8::1", NULL));
	ck_assert(!in_map("2001:db8:113::9", NULL));
	ck_assert_uint_eq(map_count(), 1);
}
END_TEST

/* Both families' watchers on one netlink socket: each sees its own. */
START_TEST(test_beside_ipv4)
{
	int map4 = bpf_map_create(BPF_MAP_TYPE_HASH, "vtep_hostaddrs", 4,
				  sizeof(struct vtep_hostaddr), 64, NULL);
	struct hostaddr *ha4 = NULL;
	uint32_t k4 = inet_addr("198.51.100.9");
	struct vtep_hostaddr v;

	ck_assert_int_ge(map4, 0);
	ck_assert_int_eq(hostaddr_new(nl, map4, &ha4), 0);
	ck_assert_int_eq(hostaddr6_new(nl, map_fd, &ha), 0);
	nt_sh("ip addr add 198.51.100.9/24 dev ha1 && ip -6 addr add 2001:db8:51::9/64 dev ha1 nodad");
	ck_assert(wait_for("2001:db8:51::9", 1));
	ck_assert_int_eq(bpf_map_lookup_elem(map4, &k4, &v), 0);
	ck_assert_uint_eq(mt_count(map4, 4), 1);
	ck_assert_uint_eq(map_count(), 4);
	hostaddr_free(ha4);
	close(map4);
}
END_TEST

START_TEST(test_listed_and_bad_fd)
{
	uint8_t a[16];

	key("2001:db8::1", a);
	ck_assert(hostaddr6_listed(a));
	key("fd00::1", a);
	ck_assert(hostaddr6_listed(a));
	key("fe80::1", a);
	ck_assert(!hostaddr6_listed(a));
	key("::1", a);
	ck_assert(!hostaddr6_listed(a));
	key("::", a);
	ck_assert(!hostaddr6_listed(a));
	ck_assert_int_eq(hostaddr6_new(nl, -1, &ha), -EBADF);
	ck_assert_ptr_null(ha);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("hostaddr6");
	TCase *tc = tcase_create("kernel");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reconcile);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_shared);
	tcase_add_test(tc, test_link_gone_and_resync);
	tcase_add_test(tc, test_beside_ipv4);
	tcase_add_test(tc, test_listed_and_bad_fd);
	suite_add_tcase(s, tc);
	return s;
}
