/* test_cleanup.c - `vtepd --cleanup` (agent/cleanup.c) after a real vtepd
 * (daemon_test_util.h: its own namespaces and bpffs):
 *  - refused (-EBUSY), touching nothing, while a vtepd answers on the
 *    control socket;
 *  - after vtepd stopped (its programs stay attached, its pins stay):
 *    every program of ours detached, from the uplinks and from every port
 *    it can learn of, each found one way only here: w1 by the config, w4
 *    by the state file (a run-time port), w3 by the pinned vtep_ports map
 *    (a port of an older config); our host routes gone, also one no port
 *    names, someone else's kept; the pins and their directory removed; a second run has
 *    nothing to do;
 *  - for a config that never ran: nothing to do, and nothing created (no
 *    state directory, no pin directory).
 * Needs root.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "cleanup.h"
#include "config.h"
#include "daemon_test_util.h"
#include "nl_test_util.h"
#include "vtep_maps.h"

#define CONFIG(ports) \
	"{ \"vtep\": { \"ip\": \"192.0.2.1\", \"uplink\": [ \"up0\", \"up1\" ], \"uplink_attach\": \"tc\" }," \
	"  \"bpffs\": \"@DIR@/bpf/vtepd\", \"control_socket\": \"@DIR@/ctl.sock\"," \
	"  \"state_dir\": \"@DIR@/state\", \"metrics\": null," \
	"  \"limits\": { \"routes\": 256, \"fdb\": 256, \"ports\": 16 }," \
	"  \"vnis\": [ { \"vni\": 100, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.255.254\"," \
	"              \"gateway_mac\": \"02:00:00:00:01:00\" } ]," \
	"  \"ports\": [ " ports " ]," \
	"  \"routes\": [ { \"vni\": 100, \"prefix\": \"10.1.0.21/32\", \"vtep\": \"192.0.2.2\"," \
	"                \"mac\": \"02:00:00:00:00:21\" } ] }"
#define PORT(n) "{ \"ifname\": \"w" #n "\", \"vni\": 100, \"ip\": \"10.1.0.1" #n "\"," \
	" \"mac\": \"02:00:00:00:00:1" #n "\" }"

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static bool our_routes(void)
{
	char out[1024];

	return nt_out(out, sizeof(out), "ip route show proto 118")[0] != '\0';
}

/* Deletes ifname's entry from the pinned vtep_ports map. */
static void unpin_port(const char *ifname)
{
	int fd = dt_map("vtepd", VTEP_MAP_PORTS);
	__u32 key = if_nametoindex(ifname);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bpf_map_delete_elem(fd, &key), 0);
	close(fd);
}

START_TEST(test_refused_while_running)
{
	struct vtep_config c;

	dt_write_config(CONFIG(PORT(1) "," PORT(2)));
	dt_start();
	dt_load_config(&c);
	ck_assert_int_eq(cleanup_run(&c), -EBUSY);
	ck_assert(dt_tc_attached("up0"));
	ck_assert(dt_tc_attached("w1"));
	ck_assert(our_routes());
	ck_assert_int_eq(dt_ctl(NULL, "status", NULL, NULL, 0), 1);
	config_free(&c);
}
END_TEST

START_TEST(test_removes_everything)
{
	static const char *const devs[] = { "up0", "up1", "w1", "w2", "w3", "w4" };
	struct vtep_config c;
	char path[256], err[256];
	size_t i;
	int fd;

	/* w3 configured; w4 added at run time (the state file keeps it). */
	dt_write_config(CONFIG(PORT(1) "," PORT(2) "," PORT(3)));
	dt_start();
	ck_assert_msg(dt_ctl(NULL, "ports.add", "{ \"ifname\": \"w4\", \"vni\": 100, "
			     "\"ip\": \"10.1.0.14\", \"mac\": \"02:00:00:00:00:14\" }",
			     err, sizeof(err)) == 1, "%s", err);
	dt_stop();
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		ck_assert_msg(dt_tc_attached(devs[i]), "%s: nothing attached after vtepd ran", devs[i]);
	ck_assert(our_routes());
	/* w3 leaves the config; w1 and w4 leave the pinned map, so each
	 * of w1, w3, w4 can be found one way only. */
	dt_write_config(CONFIG(PORT(1) "," PORT(2)));
	unpin_port("w1");
	unpin_port("w4");
	/* A host route of ours no port names any more (the sweep's), and
	 * someone else's. */
	nt_sh("ip route add 10.1.0.50/32 dev w2 proto 118 && "
	      "ip route add 10.1.0.99/32 dev w1 proto static");

	dt_load_config(&c);
	ck_assert_int_eq(cleanup_run(&c), 0);
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		ck_assert_msg(!dt_tc_attached(devs[i]), "%s: still attached", devs[i]);
		ck_assert_msg(!dt_xdp_attached(devs[i]), "%s: XDP still attached", devs[i]);
	}
	ck_assert(!our_routes());
	ck_assert_str_eq(nt_out(err, sizeof(err), "ip route show 10.1.0.99/32 proto static"),
			 "10.1.0.99 dev w1 scope link \n");
	fd = dt_map("vtepd", VTEP_MAP_PORTS);
	ck_assert_int_eq(fd, -ENOENT);
	snprintf(path, sizeof(path), "%s/bpf/vtepd", dt_dir);
	ck_assert(!exists(path));
	/* Nothing left to do. */
	ck_assert_int_eq(cleanup_run(&c), 0);
	config_free(&c);
}
END_TEST

START_TEST(test_never_ran)
{
	struct vtep_config c;
	char path[256];

	dt_write_config(CONFIG(PORT(1)));
	dt_load_config(&c);
	ck_assert_int_eq(cleanup_run(&c), 0);
	snprintf(path, sizeof(path), "%s/state", dt_dir);
	ck_assert(!exists(path));
	snprintf(path, sizeof(path), "%s/bpf/vtepd", dt_dir);
	ck_assert(!exists(path));
	config_free(&c);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("cleanup");
	TCase *tc = tcase_create("vtepd");

	tcase_add_checked_fixture(tc, dt_setup, dt_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_refused_while_running);
	tcase_add_test(tc, test_removes_everything);
	tcase_add_test(tc, test_never_ran);
	suite_add_tcase(s, tc);
	return s;
}
