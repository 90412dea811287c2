/* test_rib_dup.c - duplicate addresses (agent/rib/rib_dup.c): one (VNI, IP)
 * held by two MACs at different places (a local port and a remote VTEP, or
 * two remote VTEPs) is reported once when it starts (a warning naming each
 * holder and the one the datapath uses, rib_stats.dup_addrs and
 * dup_detected) and once when it ends (an info line, the gauge back to 0);
 * a MAC move (RFC 7432 15), a MAC with two IPs, two MACs at one VTEP and an
 * address that moves to a new MAC within one burst are none. `vtepctl bgp
 * routes` marks the paths of a duplicate (rib_walk). IPv4 and IPv6, through
 * real BPF maps (needs root) as test_rib.c does. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "evpn_export.h"
#include "log.h"
#include "mapsync.h"
#include "rib.h"
#include "rib_test_util.h"

static struct vtep_config cfg;
static struct mapsync_fds fds;
static struct mapsync *ms;
static struct evpn_export *xp;
static struct rib *rib;

/* stderr goes to a file for the whole test: the lines logged. */
static char log_path[64];
static int log_fd = -1, saved_err = -1;

static void setup(void)
{
	struct rib_env env;

	rt_load_config(rt_test_json, &cfg);
	mt_maps_open(&fds, 65536);
	ck_assert_int_eq(mapsync_new(&fds, 0, &ms), 0);
	ck_assert_int_eq(evpn_export_new(&cfg, &xp), 0);
	memset(&env, 0, sizeof(env));
	env.cfg = &cfg;
	env.ms = ms;
	env.exp = xp;
	ck_assert_int_eq(rib_new(&env, &rib), 0);
	strcpy(log_path, "/tmp/vtepd-ribdup-XXXXXX");
	log_fd = mkstemp(log_path);
	ck_assert_int_ge(log_fd, 0);
	fflush(stderr);
	saved_err = dup(2);
	dup2(log_fd, 2);
}

static void teardown(void)
{
	fflush(stderr);
	dup2(saved_err, 2);
	close(saved_err);
	close(log_fd);
	unlink(log_path);
	rib_free(rib);
	evpn_export_free(xp);
	mapsync_free(ms);
	mt_maps_close(&fds);
	config_free(&cfg);
}

/* Lines logged so far that contain every one of up to three strings. */
static int logged(const char *a, const char *b, const char *c)
{
	char line[1024];
	FILE *f;
	int n = 0;

	fflush(stderr);
	f = fopen(log_path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, a) && (!b || strstr(line, b)) && (!c || strstr(line, c)))
			n++;
	fclose(f);
	return n;
}

#define WARN "duplicate address: held by"
#define RESOLVED "duplicate address resolved"

#define M1 "02:00:00:00:00:11"
#define M2 "02:00:00:00:00:22"
#define IP1 "10.1.0.11"
#define IP2 "10.1.0.12"
#define IP6 "2001:db8:100::11"
#define V_A "192.0.2.20"
#define V_B "192.0.2.30"

static void announce(uint32_t peer, const char *vtep, const char *mac, const char *ip,
		     uint32_t seq)
{
	struct evpn_route r = rt_macip(vtep, mac, ip, 100);

	ck_assert_int_eq(rib_update(rib, peer, &r, rt_mkattrs(vtep, "65000:100", seq > 0, seq,
							      false)), 0);
}

static void withdraw(uint32_t peer, const char *vtep, const char *mac, const char *ip)
{
	struct evpn_route r = rt_macip(vtep, mac, ip, 100);

	r.withdraw = true;
	ck_assert_int_eq(rib_update(rib, peer, &r, NULL), 0);
}

static void port(uint32_t ifindex, const char *ip, const char *ip6, const char *mac,
		 const char *name)
{
	struct vtep_port p = rt_port(ip, ip6, mac, name);

	ck_assert_int_eq(mapsync_port_set(ms, ifindex, &p), 0);
}

static void flush(void)
{
	ck_assert_int_eq(rib_flush(rib), 0);
}

/* The gauge and the counter. */
static void stats_are(uint64_t now, uint64_t total)
{
	struct rib_stats st;

	rib_get_stats(rib, &st);
	ck_assert_uint_eq(st.dup_addrs, now);
	ck_assert_uint_eq(st.dup_detected, total);
}

/* rib_walk: paths marked duplicate / all paths. */
struct walk_count {
	unsigned dup, all;
};

static int count_dup(void *ctx, const struct rib_route_info *ri)
{
	struct walk_count *w = ctx;

	if (ri->route.type != EVPN_RT_MACIP)
		return 0;
	w->all++;
	w->dup += ri->duplicate;
	return 0;
}

static unsigned walk_dups(void)
{
	struct walk_count w = { 0, 0 };

	ck_assert_int_eq(rib_walk(rib, 0, UINT32_MAX, count_dup, &w), 0);
	return w.dup;
}

/* A pod here and a remote route for its IP with another MAC: a duplicate,
 * reported once (updates while it lasts say nothing), naming the port and
 * the VTEP and the local port as what the datapath uses; the withdrawal
 * ends it, with one info line. */
START_TEST(test_local_and_remote)
{
	port(7, IP1, NULL, M1, "pod-a");
	flush();
	announce(1, V_A, M2, IP1, 0);
	flush();
	stats_are(1, 1);
	ck_assert_int_eq(logged(WARN, NULL, NULL), 1);
	ck_assert_int_eq(logged(WARN, "vni 100 " IP1 ":", M1 " at port pod-a"), 1);
	ck_assert_int_eq(logged(WARN, M2 " at VTEP " V_A, "datapath uses " M1 " at port pod-a"),
			 1);
	ck_assert_uint_eq(walk_dups(), 2);   /* ours and the peer's */

	/* the same duplicate changing (a new sequence): no new report */
	announce(1, V_A, M2, IP1, 3);
	flush();
	stats_are(1, 1);
	ck_assert_int_eq(logged(WARN, NULL, NULL), 1);

	withdraw(1, V_A, M2, IP1);
	flush();
	stats_are(0, 1);
	ck_assert_int_eq(logged(RESOLVED, "vni 100 " IP1 ":", "held by " M1), 1);
	ck_assert_uint_eq(walk_dups(), 0);

	/* again: a second detection */
	announce(2, V_B, M2, IP1, 0);
	flush();
	stats_are(1, 2);
	ck_assert_int_eq(logged(WARN, NULL, NULL), 2);
	/* the port goes (CNI DEL): the remote one is alone */
	ck_assert_int_eq(mapsync_port_del(ms, 7), 0);
	flush();
	stats_are(0, 2);
	ck_assert_int_eq(logged(RESOLVED, "held by " M2 " at VTEP " V_B, NULL), 1);
}
END_TEST

/* Two remote VTEPs, one IP, two MACs: the datapath uses the lower VTEP's
 * (equal sequences, rib_sync.c); withdrawn, resolved. */
START_TEST(test_two_remotes)
{
	announce(1, V_B, M2, IP1, 0);
	flush();
	stats_are(0, 0);
	announce(2, V_A, M1, IP1, 0);
	flush();
	stats_are(1, 1);
	ck_assert_int_eq(logged(WARN, M1 " at VTEP " V_A, M2 " at VTEP " V_B), 1);
	ck_assert_int_eq(logged(WARN, "datapath uses " M1 " at VTEP " V_A, NULL), 1);
	ck_assert_uint_eq(walk_dups(), 2);
	withdraw(2, V_A, M1, IP1);
	flush();
	stats_are(0, 1);
	ck_assert_int_eq(logged(RESOLVED, NULL, NULL), 1);
	ck_assert_int_eq(logged(WARN, NULL, NULL), 1);
}
END_TEST

/* The same MAC at another VTEP with a higher sequence is a move (RFC 7432
 * 15.1), here and away from a local port: never a duplicate. */
START_TEST(test_move_is_not_dup)
{
	announce(1, V_A, M1, IP1, 0);
	flush();
	announce(2, V_B, M1, IP1, 1);
	flush();
	withdraw(1, V_A, M1, IP1);
	flush();
	port(7, IP2, NULL, M2, "pod-b");
	flush();
	announce(1, V_A, M2, IP2, 1);   /* pod-b moved to V_A */
	flush();
	stats_are(0, 0);
	ck_assert_uint_eq(walk_dups(), 0);
	ck_assert_int_eq(logged("duplicate address", NULL, NULL), 0);
}
END_TEST

/* A MAC with two IPs, and two MACs with one IP at one VTEP (two interfaces
 * of one host): none is a duplicate. */
START_TEST(test_not_dups)
{
	announce(1, V_A, M1, IP1, 0);
	announce(1, V_A, M1, IP2, 0);
	flush();
	announce(1, V_A, M2, IP1, 0);
	flush();
	port(7, IP2, NULL, M2, "pod-c");   /* here, M2 with IP2: V_A's IP2 is M1's */
	flush();
	/* that one is: IP2 held by M1 at V_A and M2 here */
	stats_are(1, 1);
	ck_assert_int_eq(mapsync_port_del(ms, 7), 0);
	flush();
	stats_are(0, 1);
	ck_assert_int_eq(logged(WARN, IP2, NULL), 1);
	ck_assert_int_eq(logged(WARN, IP1, NULL), 0);
}
END_TEST

/* A pod re-created elsewhere with a new MAC: the old route's withdrawal and
 * the new route in one burst (either order) report nothing. */
START_TEST(test_recreate_one_burst)
{
	announce(1, V_A, M1, IP1, 0);
	flush();
	withdraw(1, V_A, M1, IP1);
	announce(2, V_B, M2, IP1, 0);
	flush();
	announce(1, V_A, M1, IP1, 0);   /* back to V_A: new before old goes */
	withdraw(2, V_B, M2, IP1);
	flush();
	stats_are(0, 0);
	ck_assert_int_eq(logged("duplicate address", NULL, NULL), 0);
}
END_TEST

/* IPv6: a port's address and a remote route for it with another MAC; the
 * resolved line still names the address after its last remote destination
 * is gone (the id is held). */
START_TEST(test_ipv6)
{
	port(7, NULL, IP6, M1, "pod6");
	flush();
	announce(1, V_A, M2, IP6, 0);
	flush();
	stats_are(1, 1);
	ck_assert_int_eq(logged(WARN, "vni 100 " IP6 ":", M2 " at VTEP " V_A), 1);
	ck_assert_int_eq(logged(WARN, M1 " at port pod6", NULL), 1);
	ck_assert_uint_eq(walk_dups(), 2);
	/* both go in one burst: the address's id is freed by the RIB but the
	 * report still names it */
	withdraw(1, V_A, M2, IP6);
	ck_assert_int_eq(mapsync_port_del(ms, 7), 0);
	flush();
	stats_are(0, 1);
	ck_assert_int_eq(logged(RESOLVED, "vni 100 " IP6 ":", "no longer held"), 1);
	/* two remotes, IPv6 */
	announce(1, V_A, M1, IP6, 0);
	announce(2, V_B, M2, IP6, 0);
	flush();
	stats_are(1, 2);
	withdraw(2, V_B, M2, IP6);
	flush();
	stats_are(0, 2);
}
END_TEST

/* A peer going down takes its side of a duplicate with it. */
START_TEST(test_peer_down_clears)
{
	announce(1, V_A, M1, IP1, 0);
	announce(2, V_B, M2, IP1, 0);
	flush();
	stats_are(1, 1);
	rib_peer_down(rib, 2);   /* flushes by itself */
	stats_are(0, 1);
	ck_assert_int_eq(logged(RESOLVED, "held by " M1, NULL), 1);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("rib_dup");
	TCase *tc = tcase_create("rib_dup");

	log_level = LOG_LVL_INFO;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_local_and_remote);
	tcase_add_test(tc, test_two_remotes);
	tcase_add_test(tc, test_move_is_not_dup);
	tcase_add_test(tc, test_not_dups);
	tcase_add_test(tc, test_recreate_one_burst);
	tcase_add_test(tc, test_ipv6);
	tcase_add_test(tc, test_peer_down_clears);
	suite_add_tcase(s, tc);
	return s;
}
