/* test_daemon_reload.c - applying a new config file to a running vtepd
 * (agent/daemon_reload.c), through `vtepctl reload` (the control socket)
 * and SIGHUP, on a real vtepd (daemon_test_util.h: its own namespaces and
 * bpffs), read back from its pinned maps, the devices and the host routes.
 *  - what changes: only the difference is applied. VNIs removed, added and
 *    changed; ports by name (removed: detached and out of the maps, with
 *    their host route; changed: taken out and put back with the new
 *    address; added; unchanged: left alone); static routes by VNI and
 *    prefix (removed, changed, added, kept); the VTEP address; uplinks
 *    (removed: detached; added: attached; kept: left alone);
 *  - what is kept until the next restart: bpffs, control_socket,
 *    state_dir, limits, uplink_attach and metrics keep their running
 *    values while the rest of the same file is applied;
 *  - what is refused: a file that does not parse, or that conflicts with a
 *    run-time edit, leaves the running configuration and the maps exactly
 *    as they were, and a good file afterwards still applies.
 * Needs root.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "check_main.h"
#include "daemon_test_util.h"
#include "log.h"
#include "nl_test_util.h"
#include "state.h"
#include "vtep_maps.h"

/* Config pieces. VNI n has the subnet 10.n.0.0/16; paths are under @DIR@. */
#define HEAD(ip, uplinks, attach, paths) \
	"{ \"vtep\": { \"ip\": \"" ip "\", \"uplink\": [ " uplinks " ], \"uplink_attach\": \"" attach "\" }," \
	paths ","
#define PATHS(bpffs, sock, state, metrics, routes) \
	"  \"bpffs\": \"@DIR@/" bpffs "\", \"control_socket\": \"@DIR@/" sock "\"," \
	"  \"state_dir\": \"@DIR@/" state "\", \"metrics\": " metrics "," \
	"  \"limits\": { \"routes\": " routes ", \"fdb\": 256, \"ports\": 16 }"
#define STD_PATHS PATHS("bpf/vtepd", "ctl.sock", "state", "null", "256")
#define VNI(n, gw) \
	"{ \"vni\": " #n ", \"subnet\": \"10." #n ".0.0/16\", \"gateway_ip\": \"" gw "\"," \
	"  \"gateway_mac\": \"02:00:00:00:0" #n ":00\" }"
#define PORT(w, vni, ip, mac) \
	"{ \"ifname\": \"" w "\", \"vni\": " #vni ", \"ip\": \"" ip "\", \"mac\": \"" mac "\" }"
#define ROUTE(vni, prefix, vtep, mac) \
	"{ \"vni\": " #vni ", \"prefix\": \"" prefix "\", \"vtep\": \"" vtep "\", \"mac\": \"" mac "\" }"

/* The running file: uplinks up0 and up1 (tc); VNIs 1 and 2; ports w1, w3
 * (VNI 1) and w2 (VNI 2); static routes 10.1.0.21/32, 10.1.0.22/32 (VNI 1)
 * and 10.2.0.0/24 (VNI 2). */
static const char running_cfg[] =
	HEAD("192.0.2.1", "\"up0\", \"up1\"", "tc", STD_PATHS)
	"\"vnis\": [ " VNI(1, "10.1.255.254") ", " VNI(2, "10.2.255.254") " ],"
	"\"ports\": [ " PORT("w1", 1, "10.1.0.11", "02:00:00:00:00:11") ", "
	              PORT("w2", 2, "10.2.0.12", "02:00:00:00:00:12") ", "
	              PORT("w3", 1, "10.1.0.13", "02:00:00:00:00:13") " ],"
	"\"routes\": [ " ROUTE(1, "10.1.0.21/32", "192.0.2.2", "02:00:00:00:00:21") ", "
	               ROUTE(1, "10.1.0.22/32", "192.0.2.2", "02:00:00:00:00:22") ", "
	               ROUTE(2, "10.2.0.0/24", "192.0.2.2", "02:00:00:00:00:23") " ] }";

static void start_running(void)
{
	dt_write_config(running_cfg);
	dt_start();
}

/* `vtepctl reload`: 1 applied, 0 refused (err says why). */
static int reload(char *err, size_t n)
{
	return dt_ctl(NULL, "reload", NULL, err, n);
}

static void reload_ok(void)
{
	char err[256];

	ck_assert_msg(reload(err, sizeof(err)) == 1, "reload refused: %s", err);
}

/* ---- the maps ---------------------------------------------------------------------- */

static uint32_t ip(const char *s)
{
	return inet_addr(s);
}

static int map(const char *name)
{
	int fd = dt_map("vtepd", name);

	ck_assert_msg(fd >= 0, "%s: %s", name, strerror(-fd));
	return fd;
}

static bool vni_get(uint32_t vni, struct vtep_vni *v)
{
	int fd = map(VTEP_MAP_VNIS), ret;

	ret = bpf_map_lookup_elem(fd, &vni, v);
	close(fd);
	return !ret;
}

static bool port_get(const char *ifname, struct vtep_port *p)
{
	int fd = map(VTEP_MAP_PORTS), ret;
	__u32 k = if_nametoindex(ifname);

	ck_assert_uint_gt(k, 0);
	ret = bpf_map_lookup_elem(fd, &k, p);
	close(fd);
	return !ret;
}

static bool route_get(uint32_t vni, const char *a, struct vtep_route *r)
{
	struct vtep_route_key k = { .vni = vni, .ip = ip(a) };
	int fd = map(VTEP_MAP_ROUTES), ret;

	ret = bpf_map_lookup_elem(fd, &k, r);
	close(fd);
	return !ret;
}

static bool prefix_get(uint32_t vni, const char *a, uint8_t len, struct vtep_route *r)
{
	struct vtep_prefix_key k = { .prefixlen = 32u + len, .vni = htonl(vni), .ip = ip(a) };
	int fd = map(VTEP_MAP_PREFIXES), ret;

	ret = bpf_map_lookup_elem(fd, &k, r);
	close(fd);
	return !ret;
}

static uint32_t global_vtep_ip(void)
{
	struct vtep_global g;
	__u32 zero = 0;
	int fd = map(VTEP_MAP_GLOBAL);

	ck_assert_int_eq(bpf_map_lookup_elem(fd, &zero, &g), 0);
	close(fd);
	return g.vtep_ip;
}

/* Every key and value of a map, in key order, into buf (for "unchanged"). */
static size_t map_dump(const char *name, uint8_t *buf, size_t cap)
{
	struct bpf_map_info info = { 0 };
	__u32 il = sizeof(info);
	uint8_t key[64], next[64];
	size_t len = 0;
	int fd = map(name), err;

	ck_assert_int_eq(bpf_obj_get_info_by_fd(fd, &info, &il), 0);
	err = bpf_map_get_next_key(fd, NULL, next);
	while (!err) {
		memcpy(key, next, info.key_size);
		ck_assert_uint_le(len + info.key_size + info.value_size, cap);
		memcpy(buf + len, key, info.key_size);
		ck_assert_int_eq(bpf_map_lookup_elem(fd, key, buf + len + info.key_size), 0);
		len += info.key_size + info.value_size;
		err = bpf_map_get_next_key(fd, key, next);
	}
	close(fd);
	return len;
}

static uint32_t max_entries(const char *name)
{
	struct bpf_map_info info = { 0 };
	__u32 il = sizeof(info);
	int fd = map(name);

	ck_assert_int_eq(bpf_obj_get_info_by_fd(fd, &info, &il), 0);
	close(fd);
	return info.max_entries;
}

/* The host's /32 route to a workload (`ip route`), "" when none. */
static char *host_route(char *buf, size_t n, const char *a)
{
	return nt_out(buf, n, "ip route show proto 118 exact %s/32", a);
}

static bool exists(const char *sub)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dt_dir, sub);
	return !stat(p, &st);
}

/* ---- what changes ----------------------------------------------------------------- */

/* The new file: VTEP 192.0.2.5; up1 removed, up2 added, up0 kept; VNI 2
 * removed, 1's gateway changed, 3 added; w2 removed (with its VNI), w3
 * moved to 10.1.0.33, w4 added in VNI 3, w1 as it was; 10.1.0.21 to
 * another VTEP, 10.2.0.0/24 removed, 10.3.0.0/24 added, 10.1.0.22 kept. */
static const char changed_cfg[] =
	HEAD("192.0.2.5", "\"up0\", \"up2\"", "tc", STD_PATHS)
	"\"vnis\": [ " VNI(1, "10.1.255.1") ", " VNI(3, "10.3.255.254") " ],"
	"\"ports\": [ " PORT("w1", 1, "10.1.0.11", "02:00:00:00:00:11") ", "
	              PORT("w3", 1, "10.1.0.33", "02:00:00:00:00:13") ", "
	              PORT("w4", 3, "10.3.0.14", "02:00:00:00:00:14") " ],"
	"\"routes\": [ " ROUTE(1, "10.1.0.21/32", "192.0.2.3", "02:00:00:00:00:21") ", "
	               ROUTE(1, "10.1.0.22/32", "192.0.2.2", "02:00:00:00:00:22") ", "
	               ROUTE(3, "10.3.0.0/24", "192.0.2.2", "02:00:00:00:00:24") " ] }";

START_TEST(test_reload_applies_the_difference)
{
	struct vtep_vni v;
	struct vtep_port p;
	struct vtep_route r;
	char out[512];

	start_running();
	ck_assert(vni_get(2, &v));
	ck_assert(port_get("w2", &p));
	ck_assert(prefix_get(2, "10.2.0.0", 24, &r));
	ck_assert(dt_tc_attached("up1"));
	ck_assert(!dt_tc_attached("up2"));
	ck_assert(!dt_tc_attached("w4"));
	ck_assert_str_ne(host_route(out, sizeof(out), "10.2.0.12"), "");

	dt_write_config(changed_cfg);
	reload_ok();

	ck_assert_uint_eq(global_vtep_ip(), ip("192.0.2.5"));
	/* VNIs */
	ck_assert(vni_get(1, &v));
	ck_assert_uint_eq(v.gateway_ip, ip("10.1.255.1"));
	ck_assert(!vni_get(2, &v));
	ck_assert(vni_get(3, &v));
	ck_assert_uint_eq(v.subnet, ip("10.3.0.0"));
	/* ports, and each one's local route and host route */
	ck_assert(port_get("w1", &p));
	ck_assert_uint_eq(p.ip, ip("10.1.0.11"));
	ck_assert(route_get(1, "10.1.0.11", &r));
	ck_assert_uint_eq(r.ifindex, if_nametoindex("w1"));
	ck_assert(!port_get("w2", &p));
	ck_assert(!route_get(2, "10.2.0.12", &r));
	ck_assert_str_eq(host_route(out, sizeof(out), "10.2.0.12"), "");
	ck_assert(!dt_tc_attached("w2"));
	ck_assert(port_get("w3", &p));
	ck_assert_uint_eq(p.ip, ip("10.1.0.33"));
	ck_assert(!route_get(1, "10.1.0.13", &r));
	ck_assert(route_get(1, "10.1.0.33", &r));
	ck_assert_str_eq(host_route(out, sizeof(out), "10.1.0.13"), "");
	ck_assert_str_ne(host_route(out, sizeof(out), "10.1.0.33"), "");
	ck_assert(port_get("w4", &p));
	ck_assert_uint_eq(p.vni, 3);
	ck_assert(dt_tc_attached("w4"));
	ck_assert(dt_tc_attached("w1"));
	ck_assert(dt_tc_attached("w3"));
	/* static routes */
	ck_assert(route_get(1, "10.1.0.21", &r));
	ck_assert_uint_eq(r.vtep, ip("192.0.2.3"));
	ck_assert(route_get(1, "10.1.0.22", &r));
	ck_assert_uint_eq(r.vtep, ip("192.0.2.2"));
	ck_assert(!prefix_get(2, "10.2.0.0", 24, &r));
	ck_assert(prefix_get(3, "10.3.0.0", 24, &r));
	/* uplinks */
	ck_assert(dt_tc_attached("up0"));
	ck_assert(!dt_tc_attached("up1"));
	ck_assert(dt_tc_attached("up2"));
}
END_TEST

/* SIGHUP reads the file too. */
START_TEST(test_reload_on_sighup)
{
	struct vtep_route r;
	struct timespec t = { 0, 20 * 1000000 };
	int i;

	start_running();
	dt_write_config(changed_cfg);
	ck_assert_int_eq(kill(getpid(), SIGHUP), 0);
	for (i = 0; i < 100 && !(route_get(1, "10.1.0.21", &r) && r.vtep == ip("192.0.2.3")); i++)
		nanosleep(&t, NULL);
	ck_assert_uint_eq(r.vtep, ip("192.0.2.3"));
	ck_assert(prefix_get(3, "10.3.0.0", 24, &r));
}
END_TEST

/* ---- what waits for a restart --------------------------------------------------------- */

/* Every setting that shapes what is loaded or listening changed, with one
 * more uplink (in the mode the running setting gives) and one more VNI: the
 * VNI and the uplink are applied, the settings keep their running values. */
static const char restart_cfg[] =
	HEAD("192.0.2.1", "\"up0\", \"up1\", \"up2\"", "xdp",
	     PATHS("bpf/other", "other.sock", "state2", "\"127.0.0.1:19469\"", "512"))
	"\"vnis\": [ " VNI(1, "10.1.255.254") ", " VNI(2, "10.2.255.254") ", "
	               VNI(3, "10.3.255.254") " ],"
	"\"ports\": [ " PORT("w1", 1, "10.1.0.11", "02:00:00:00:00:11") ", "
	              PORT("w2", 2, "10.2.0.12", "02:00:00:00:00:12") ", "
	              PORT("w3", 1, "10.1.0.13", "02:00:00:00:00:13") " ],"
	"\"routes\": [ " ROUTE(1, "10.1.0.21/32", "192.0.2.2", "02:00:00:00:00:21") ", "
	               ROUTE(1, "10.1.0.22/32", "192.0.2.2", "02:00:00:00:00:22") ", "
	               ROUTE(2, "10.2.0.0/24", "192.0.2.2", "02:00:00:00:00:23") " ] }";

static bool metrics_listening(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(19469),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	ck_assert_int_ge(fd, 0);
	ok = !connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	close(fd);
	return ok;
}

/* vtepd's log (stderr) during a reload, at warning level: where it says
 * which changes wait for a restart. */
static void reload_logged(char *log, size_t n)
{
	char path[128];
	int saved = dup(2), fd;
	FILE *f;
	size_t len;

	snprintf(path, sizeof(path), "%s/reload.log", dt_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	ck_assert_int_eq(dup2(fd, 2), 2);
	close(fd);
	log_level = LOG_LVL_WARN;
	reload_ok();            /* the reply comes after the reload, log included */
	log_level = LOG_LVL_ERR;
	fflush(stderr);
	ck_assert_int_eq(dup2(saved, 2), 2);
	close(saved);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	len = fread(log, 1, n - 1, f);
	log[len] = '\0';
	fclose(f);
}

START_TEST(test_reload_keeps_restart_settings)
{
	static const char *const kept[] = { "bpffs", "control_socket", "state_dir",
					     "vtep.uplink_attach", "limits.routes", "metrics" };
	struct vtep_vni v;
	char err[256], log[4096], line[128];
	size_t i;

	start_running();
	ck_assert_uint_eq(max_entries(VTEP_MAP_ROUTES), 256);
	dt_write_config(restart_cfg);
	reload_logged(log, sizeof(log));
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		snprintf(line, sizeof(line), "reload: %s changed; takes effect at the next restart",
			 kept[i]);
		ck_assert_msg(strstr(log, line), "not logged: \"%s\"; the log:\n%s", line, log);
	}
	/* Applied. */
	ck_assert(vni_get(3, &v));
	ck_assert(dt_tc_attached("up2"));       /* tc, as running: not xdp */
	ck_assert(!dt_xdp_attached("up2"));
	/* Kept: the pins where they were, at their size; the control socket,
	 * the state directory; no metrics. */
	ck_assert(!exists("bpf/other"));
	ck_assert_uint_eq(max_entries(VTEP_MAP_ROUTES), 256);
	ck_assert(!exists("other.sock"));
	ck_assert_int_eq(dt_ctl(NULL, "status", NULL, NULL, 0), 1);
	ck_assert(!metrics_listening());
	ck_assert_msg(dt_ctl(NULL, "routes.add", "{ \"vni\": 1, \"prefix\": \"10.1.0.23/32\", "
			     "\"vtep\": \"192.0.2.2\", \"mac\": \"02:00:00:00:00:25\" }",
			     err, sizeof(err)) == 1, "%s", err);
	ck_assert_msg(strstr(nt_out(err, sizeof(err), "cat %s/state/" STATE_FILE, dt_dir),
			     "10.1.0.23/32"), "the route is not in the running state_dir: %s", err);
	ck_assert(!exists("state2"));
}
END_TEST

/* ---- what is refused -------------------------------------------------------------------- */

START_TEST(test_reload_refused_keeps_everything)
{
	static uint8_t before[4][8192], after[4][8192];
	static const char *const maps[] = { VTEP_MAP_VNIS, VTEP_MAP_PORTS, VTEP_MAP_ROUTES,
					    VTEP_MAP_PREFIXES };
	size_t len[4], i;
	char err[256], bad[sizeof(changed_cfg) + 64];
	struct vtep_route r;

	start_running();
	/* A run-time port, in the state file. */
	ck_assert_msg(dt_ctl(NULL, "ports.add", "{ \"ifname\": \"w4\", \"vni\": 1, "
			     "\"ip\": \"10.1.0.14\", \"mac\": \"02:00:00:00:00:14\" }",
			     err, sizeof(err)) == 1, "%s", err);
	for (i = 0; i < 4; i++)
		len[i] = map_dump(maps[i], before[i], sizeof(before[i]));

	/* A file that does not parse. */
	snprintf(bad, sizeof(bad), "%.*s, \"colour\": \"blue\" }", (int)(sizeof(changed_cfg) - 3),
		 changed_cfg);
	dt_write_config(bad);
	ck_assert_int_eq(reload(err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "colour: unknown key"), "%s", err);
	/* A good file whose port takes the run-time port's address. */
	dt_write_config(HEAD("192.0.2.1", "\"up0\", \"up1\"", "tc", STD_PATHS)
			"\"vnis\": [ " VNI(1, "10.1.255.254") " ],"
			"\"ports\": [ " PORT("w1", 1, "10.1.0.14", "02:00:00:00:00:11") " ] }");
	ck_assert_int_eq(reload(err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "10.1.0.14"), "%s", err);

	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(map_dump(maps[i], after[i], sizeof(after[i])), len[i]);
		ck_assert_msg(!memcmp(before[i], after[i], len[i]), "%s changed", maps[i]);
	}
	ck_assert(dt_tc_attached("up1"));
	ck_assert(dt_tc_attached("w2"));
	ck_assert_uint_eq(global_vtep_ip(), ip("192.0.2.1"));
	/* And a good file still applies afterwards. */
	dt_write_config(changed_cfg);
	reload_ok();
	ck_assert(route_get(1, "10.1.0.21", &r));
	ck_assert_uint_eq(r.vtep, ip("192.0.2.3"));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("daemon_reload");
	TCase *tc = tcase_create("vtepd");

	tcase_add_checked_fixture(tc, dt_setup, dt_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_reload_applies_the_difference);
	tcase_add_test(tc, test_reload_on_sighup);
	tcase_add_test(tc, test_reload_keeps_restart_settings);
	tcase_add_test(tc, test_reload_refused_keeps_everything);
	suite_add_tcase(s, tc);
	return s;
}
