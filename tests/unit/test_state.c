/* test_state.c - agent/conf/state: run-time edits in <state_dir>/state.json.
 * Round trip through the file, merge semantics with the config (a config
 * port deleted at run time stays deleted after a reload, a run-time route
 * survives a restart), conflict checks, refusal of damaged files, and the
 * atomic save (a failed save changes neither the file nor memory). */
#include <check.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "addr.h"
#include "config.h"
#include "state.h"

static const char cfg_json[] =
"{ \"vtep\": { \"ip\": \"192.0.2.1\", \"uplink\": \"up0\" },"
"  \"vnis\": [ { \"vni\": 100, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.255.254\","
"              \"gateway_mac\": \"02:00:00:00:01:00\", \"subnet6\": \"2001:db8:100::/64\" },"
"            { \"vni\": 200, \"subnet\": \"10.2.0.0/16\", \"gateway_ip\": \"10.2.255.254\","
"              \"gateway_mac\": \"02:00:00:00:02:00\" } ],"
"  \"ports\": [ { \"ifname\": \"w1\", \"vni\": 100, \"ip\": \"10.1.0.11\", \"mac\": \"02:00:00:00:00:11\" },"
"             { \"ifname\": \"w2\", \"vni\": 200, \"ip\": \"10.2.0.12\" } ],"
"  \"routes\": [ { \"vni\": 100, \"prefix\": \"10.1.0.21/32\", \"vtep\": \"192.0.2.2\","
"                \"mac\": \"02:00:00:00:00:21\" } ] }";

static char dir[64];
static struct vtep_config cfg;

static uint32_t ip(const char *s)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static struct cfg_port port(const char *ifname, uint32_t vni, const char *addr, const char *mac)
{
	struct cfg_port p = { .vni = vni, .ip = ip(addr), .mac_auto = mac == NULL };

	snprintf(p.ifname, sizeof(p.ifname), "%s", ifname);
	if (mac)
		ck_assert_int_eq(addr_parse_mac(mac, p.mac), 0);
	return p;
}

static struct cfg_route route(uint32_t vni, const char *prefix, const char *vtep, const char *mac)
{
	struct cfg_route r = { .vni = vni };

	ck_assert_int_eq(config_route_parse_prefix(prefix, &r), 0);
	r.vtep = ip(vtep);
	ck_assert_int_eq(addr_parse_mac(mac, r.mac), 0);
	return r;
}

static void rm_tree(const char *path)
{
	struct dirent *e;
	DIR *d = opendir(path);
	char sub[512];

	if (!d) {
		unlink(path);
		return;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		rm_tree(sub);
	}
	closedir(d);
	rmdir(path);
}

static void setup(void)
{
	char err[CFG_ERR_LEN];

	snprintf(dir, sizeof(dir), "/tmp/vtepd-test-state.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_msg(config_parse(cfg_json, &cfg, err) == 0, "%s", err);
}

static void teardown(void)
{
	config_free(&cfg);
	rm_tree(dir);
}

static char *file_path(const char *name)
{
	static char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void write_state(const char *text)
{
	int fd = open(file_path(STATE_FILE), O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static char *read_state(void)
{
	static char buf[65536];
	int fd = open(file_path(STATE_FILE), O_RDONLY);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

/* The merged set, as the daemon would install it. */
struct merged {
	struct cfg_port *ports;
	size_t n_ports;
	struct cfg_route *routes;
	size_t n_routes;
};

static void merge(const struct state *st, struct merged *m)
{
	char err[CFG_ERR_LEN];

	ck_assert_msg(state_merge(&cfg, st, &m->ports, &m->n_ports, &m->routes, &m->n_routes, err) == 0,
		      "%s", err);
}

static void merged_free(struct merged *m)
{
	free(m->ports);
	free(m->routes);
}

static bool has_port(const struct merged *m, const char *ifname)
{
	return state_find_port(m->ports, m->n_ports, ifname) != NULL;
}

static bool has_route(const struct merged *m, uint32_t vni, const char *prefix)
{
	struct cfg_route k = { .vni = vni };

	ck_assert_int_eq(config_route_parse_prefix(prefix, &k), 0);
	return state_find_route(m->routes, m->n_routes, &k) != NULL;
}

/* The key of route vni/prefix (either family) for state_route_del. */
static const struct cfg_route *rkey(uint32_t vni, const char *prefix)
{
	static struct cfg_route k;

	memset(&k, 0, sizeof(k));
	k.vni = vni;
	ck_assert_int_eq(config_route_parse_prefix(prefix, &k), 0);
	return &k;
}

/* A restart: the config file and the state file read again. */
static void restart(struct state *st)
{
	char err[CFG_ERR_LEN];

	state_free(st);
	config_free(&cfg);
	ck_assert_msg(config_parse(cfg_json, &cfg, err) == 0, "%s", err);
	ck_assert_msg(state_load(dir, st, err) == 0, "%s", err);
}

/* ----------------------------------------------------------------- tests */

START_TEST(test_missing_is_empty_and_dir_created)
{
	struct state st;
	char err[CFG_ERR_LEN], sub[128];
	struct stat sb;
	struct merged m;

	snprintf(sub, sizeof(sub), "%s/a/b/state/", dir);
	ck_assert_msg(state_load(sub, &st, err) == 0, "%s", err);
	ck_assert_uint_eq(st.n_ports + st.n_routes + st.n_deleted_ports + st.n_deleted_routes, 0);
	ck_assert_int_eq(stat(sub, &sb), 0);
	ck_assert(S_ISDIR(sb.st_mode));
	ck_assert_uint_eq(sb.st_mode & 0777, 0700);
	/* empty state: the merged set is the config's */
	merge(&st, &m);
	ck_assert_uint_eq(m.n_ports, 2);
	ck_assert_uint_eq(m.n_routes, 1);
	ck_assert_str_eq(m.ports[0].ifname, "w1");
	ck_assert_str_eq(m.ports[1].ifname, "w2");
	merged_free(&m);
	state_free(&st);
}
END_TEST

START_TEST(test_state_dir_not_a_directory)
{
	struct state st;
	char err[CFG_ERR_LEN];

	write_state("{}");
	ck_assert_int_eq(state_load(file_path(STATE_FILE), &st, err), -ENOTDIR);
	ck_assert_msg(strstr(err, STATE_FILE) && strstr(err, "Not a directory"), "%s", err);
}
END_TEST

START_TEST(test_round_trip)
{
	struct state st = { 0 }, back;
	struct cfg_port p1 = port("w5", 100, "10.1.0.15", NULL);
	struct cfg_port p2 = port("tap7", 200, "10.2.0.17", "02:00:00:00:00:17");
	struct cfg_route r1 = route(100, "10.1.0.22/32", "192.0.2.2", "02:00:00:00:00:22");
	struct cfg_route r2 = route(200, "10.2.1.0/24", "192.0.2.3", "02:00:00:00:00:23");
	char err[CFG_ERR_LEN];
	const char *text;
	struct stat sb;

	ck_assert_msg(state_port_add(&st, &cfg, NULL, &p1, err) == 0, "%s", err);
	ck_assert_msg(state_port_add(&st, &cfg, NULL, &p2, err) == 0, "%s", err);
	ck_assert_msg(state_route_add(&st, &cfg, NULL, &r1, err) == 0, "%s", err);
	ck_assert_msg(state_route_add(&st, &cfg, NULL, &r2, err) == 0, "%s", err);
	ck_assert_msg(state_port_del(&st, &cfg, NULL, "w1", err) == 0, "%s", err);
	ck_assert_msg(state_route_del(&st, &cfg, NULL, rkey(100, "10.1.0.21"), err) == 0, "%s", err);
	/* dir NULL: memory only */
	ck_assert_int_eq(access(file_path(STATE_FILE), F_OK), -1);

	ck_assert_msg(state_save(dir, &st, err) == 0, "%s", err);
	ck_assert_int_eq(stat(file_path(STATE_FILE), &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	text = read_state();
	ck_assert_msg(strstr(text, "\"version\": 1"), "%s", text);
	ck_assert_msg(strstr(text, "\"10.1.0.22/32\""), "prefix with /len, unescaped: %s", text);
	ck_assert_msg(strstr(text, "\"mac\": \"auto\""), "%s", text);
	ck_assert_msg(strstr(text, "\"deleted_ports\": [\n    \"w1\"\n  ]"), "%s", text);

	ck_assert_msg(state_load(dir, &back, err) == 0, "%s", err);
	ck_assert_uint_eq(back.n_ports, 2);
	ck_assert_mem_eq(&back.ports[0], &p1, sizeof(p1));
	ck_assert_mem_eq(&back.ports[1], &p2, sizeof(p2));
	ck_assert_uint_eq(back.n_routes, 2);
	ck_assert_mem_eq(&back.routes[0], &r1, sizeof(r1));
	ck_assert_mem_eq(&back.routes[1], &r2, sizeof(r2));
	ck_assert_uint_eq(back.n_deleted_ports, 1);
	ck_assert_str_eq(back.deleted_ports[0], "w1");
	ck_assert_uint_eq(back.n_deleted_routes, 1);
	ck_assert_uint_eq(back.deleted_routes[0].vni, 100);
	ck_assert_uint_eq(back.deleted_routes[0].prefix, ip("10.1.0.21"));
	ck_assert_uint_eq(back.deleted_routes[0].prefixlen, 32);
	state_free(&back);
	state_free(&st);
	ck_assert_ptr_null(st.ports);
	state_free(&st);
}
END_TEST

/* IPv6 edits through the file: a dual-stack and an IPv6-only port, an
 * IPv6 host route and prefix, a deleted one; the text keeps RFC 5952 forms
 * and /len, and an IPv6 route onto a port's ip6 is refused as for IPv4. */
START_TEST(test_round_trip6)
{
	struct state st = { 0 }, back;
	struct cfg_port p1 = port("w5", 100, "10.1.0.15", NULL);
	struct cfg_port p2 = { .ifname = "w6", .vni = 100, .mac_auto = true };
	struct cfg_route r1 = route(100, "2001:db8:100::22/128", "192.0.2.2", "02:00:00:00:00:22");
	struct cfg_route r2 = route(100, "2001:db8:900::/40", "192.0.2.3", "02:00:00:00:00:23");
	struct cfg_route on_port = route(100, "2001:db8:100::16", "192.0.2.2", "02:00:00:00:00:24");
	char err[CFG_ERR_LEN];
	const char *text;
	struct merged m;

	ck_assert_int_eq(inet_pton(AF_INET6, "2001:DB8:100::15", p1.ip6), 1);
	ck_assert_int_eq(inet_pton(AF_INET6, "fe80::15", p1.ip6_ll), 1);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:100::16", p2.ip6), 1);
	ck_assert_msg(state_port_add(&st, &cfg, NULL, &p1, err) == 0, "%s", err);
	ck_assert_msg(state_port_add(&st, &cfg, NULL, &p2, err) == 0, "%s", err);
	ck_assert_msg(state_route_add(&st, &cfg, NULL, &r1, err) == 0, "%s", err);
	ck_assert_msg(state_route_add(&st, &cfg, NULL, &r2, err) == 0, "%s", err);
	ck_assert_int_eq(state_route_add(&st, &cfg, NULL, &r1, err), -EEXIST);
	ck_assert_str_eq(err, "route 2001:db8:100::22/128 in VNI 100 already exists");
	ck_assert_int_eq(state_route_add(&st, &cfg, NULL, &on_port, err), -EEXIST);
	ck_assert_str_eq(err, "route 2001:db8:100::16/128 in VNI 100 is the address of local port w6");
	/* another port with w6's address */
	p1.ip6[15] = 0x16;
	p1.ip = ip("10.1.0.17");
	snprintf(p1.ifname, sizeof(p1.ifname), "w7");
	ck_assert_int_eq(state_port_add(&st, &cfg, NULL, &p1, err), -EEXIST);
	ck_assert_str_eq(err, "ports w6 and w7 have the same IPv6 address 2001:db8:100::16");
	ck_assert_msg(state_route_del(&st, &cfg, NULL, rkey(100, "2001:db8:900::/40"), err) == 0,
		      "%s", err);
	ck_assert_int_eq(state_route_del(&st, &cfg, NULL, rkey(100, "2001:db8:900::/40"), err),
			 -ENOENT);
	ck_assert_str_eq(err, "route 2001:db8:900::/40 in VNI 100 does not exist");
	ck_assert_msg(state_route_add(&st, &cfg, NULL, &r2, err) == 0, "%s", err);
	ck_assert_msg(state_save(dir, &st, err) == 0, "%s", err);
	text = read_state();
	ck_assert_msg(strstr(text, "\"ip6\": \"2001:db8:100::15\""), "%s", text);
	ck_assert_msg(strstr(text, "\"ip6_ll\": \"fe80::15\""), "%s", text);
	ck_assert_msg(strstr(text, "\"prefix\": \"2001:db8:100::22/128\""), "%s", text);
	/* the IPv6-only port has no "ip" */
	ck_assert_msg(strstr(text, "\"ifname\": \"w6\",\n      \"vni\": 100,\n      \"mac\""), "%s",
		      text);

	ck_assert_msg(state_load(dir, &back, err) == 0, "%s", err);
	ck_assert_uint_eq(back.n_ports, 2);
	p1 = port("w5", 100, "10.1.0.15", NULL);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:100::15", p1.ip6), 1);
	ck_assert_int_eq(inet_pton(AF_INET6, "fe80::15", p1.ip6_ll), 1);
	ck_assert_mem_eq(&back.ports[0], &p1, sizeof(p1));
	ck_assert_mem_eq(&back.ports[1], &p2, sizeof(p2));
	ck_assert_uint_eq(back.n_routes, 2);
	ck_assert_mem_eq(&back.routes[0], &r1, sizeof(r1));
	ck_assert_mem_eq(&back.routes[1], &r2, sizeof(r2));
	merge(&back, &m);
	ck_assert_uint_eq(m.n_routes, 3);
	ck_assert(has_route(&m, 100, "2001:db8:100::22/128"));
	ck_assert(!has_route(&m, 100, "2001:db8:100::22/127"));
	merged_free(&m);
	state_free(&back);
	state_free(&st);
}
END_TEST

/* The brief's two merge rules, through a restart each. */
START_TEST(test_merge_survives_restart)
{
	struct state st;
	struct cfg_route r = route(100, "10.1.0.22/32", "192.0.2.2", "02:00:00:00:00:22");
	struct cfg_port p = port("w5", 100, "10.1.0.15", NULL);
	char err[CFG_ERR_LEN];
	struct merged m;

	ck_assert_msg(state_load(dir, &st, err) == 0, "%s", err);
	ck_assert_msg(state_port_del(&st, &cfg, dir, "w1", err) == 0, "%s", err);
	ck_assert_msg(state_route_add(&st, &cfg, dir, &r, err) == 0, "%s", err);
	ck_assert_msg(state_port_add(&st, &cfg, dir, &p, err) == 0, "%s", err);
	ck_assert_msg(state_route_del(&st, &cfg, dir, rkey(100, "10.1.0.21"), err) == 0, "%s", err);

	restart(&st);
	merge(&st, &m);
	ck_assert(!has_port(&m, "w1"));              /* config port deleted at run time */
	ck_assert(has_port(&m, "w2"));
	ck_assert(has_port(&m, "w5"));               /* run-time port */
	ck_assert(has_route(&m, 100, "10.1.0.22/32"));   /* run-time route survives */
	ck_assert(!has_route(&m, 100, "10.1.0.21/32"));  /* config route stays deleted */
	ck_assert_uint_eq(m.n_ports, 2);
	ck_assert_uint_eq(m.n_routes, 1);
	/* config entries first, then run-time ones */
	ck_assert_str_eq(m.ports[0].ifname, "w2");
	ck_assert_str_eq(m.ports[1].ifname, "w5");
	merged_free(&m);

	/* a second restart changes nothing (the deletion is not consumed) */
	restart(&st);
	merge(&st, &m);
	ck_assert(!has_port(&m, "w1"));
	ck_assert(has_route(&m, 100, "10.1.0.22/32"));
	merged_free(&m);

	/* deleting the run-time entries empties the state */
	ck_assert_msg(state_port_del(&st, &cfg, dir, "w5", err) == 0, "%s", err);
	ck_assert_msg(state_route_del(&st, &cfg, dir, rkey(100, "10.1.0.22"), err) == 0, "%s", err);
	restart(&st);
	ck_assert_uint_eq(st.n_ports + st.n_routes, 0);
	ck_assert_uint_eq(st.n_deleted_ports, 1);
	state_free(&st);
}
END_TEST

/* A config port deleted and then added back with other values: the run-time
 * version is in force, and deleting it again leaves nothing. */
START_TEST(test_config_port_replaced)
{
	struct state st = { 0 };
	struct cfg_port p = port("w1", 100, "10.1.0.99", NULL);
	char err[CFG_ERR_LEN];
	struct merged m;

	ck_assert_int_eq(state_port_add(&st, &cfg, NULL, &p, err), -EEXIST);
	ck_assert_str_eq(err, "port w1 already exists");
	ck_assert_msg(state_port_del(&st, &cfg, NULL, "w1", err) == 0, "%s", err);
	ck_assert_int_eq(state_port_del(&st, &cfg, NULL, "w1", err), -ENOENT);
	ck_assert_str_eq(err, "port w1 does not exist");
	ck_assert_msg(state_port_add(&st, &cfg, NULL, &p, err) == 0, "%s", err);
	merge(&st, &m);
	ck_assert_uint_eq(m.n_ports, 2);
	ck_assert_uint_eq(state_find_port(m.ports, m.n_ports, "w1")->ip, ip("10.1.0.99"));
	merged_free(&m);
	ck_assert_msg(state_port_del(&st, &cfg, NULL, "w1", err) == 0, "%s", err);
	merge(&st, &m);
	ck_assert(!has_port(&m, "w1"));
	merged_free(&m);
	ck_assert_uint_eq(st.n_deleted_ports, 1);
	ck_assert_uint_eq(st.n_ports, 0);

	/* the same for a route */
	{
		struct cfg_route r = route(100, "10.1.0.21/32", "192.0.2.9", "02:00:00:00:00:99");

		ck_assert_int_eq(state_route_add(&st, &cfg, NULL, &r, err), -EEXIST);
		ck_assert_str_eq(err, "route 10.1.0.21/32 in VNI 100 already exists");
		ck_assert_msg(state_route_del(&st, &cfg, NULL, &r, err) == 0, "%s", err);
		ck_assert_msg(state_route_add(&st, &cfg, NULL, &r, err) == 0, "%s", err);
		merge(&st, &m);
		ck_assert_uint_eq(m.n_routes, 1);
		ck_assert_uint_eq(m.routes[0].vtep, ip("192.0.2.9"));
		merged_free(&m);
	}
	state_free(&st);
}
END_TEST

START_TEST(test_edit_refusals)
{
	struct state st = { 0 };
	char err[CFG_ERR_LEN];
	struct cfg_port p;
	struct cfg_route r;

	p = port("w9", 300, "10.1.0.99", NULL);
	ck_assert_int_eq(state_port_add(&st, &cfg, NULL, &p, err), -EINVAL);
	ck_assert_str_eq(err, "vni: VNI 300 is not in vnis");
	p = port("w9", 100, "10.2.0.99", NULL);
	ck_assert_int_eq(state_port_add(&st, &cfg, NULL, &p, err), -EINVAL);
	ck_assert_str_eq(err, "ip: 10.2.0.99 is outside VNI 100's subnet 10.1.0.0/16");
	p = port("up0", 100, "10.1.0.99", NULL);
	ck_assert_int_eq(state_port_add(&st, &cfg, NULL, &p, err), -EINVAL);
	ck_assert_str_eq(err, "ifname: up0 is an uplink (vtep.uplink)");
	p = port("w9", 100, "10.1.0.11", NULL);
	ck_assert_int_eq(state_port_add(&st, &cfg, NULL, &p, err), -EEXIST);
	ck_assert_str_eq(err, "ports w1 and w9 have the same IP 10.1.0.11");
	p = port("w9", 100, "10.1.0.21", NULL);
	ck_assert_int_eq(state_port_add(&st, &cfg, NULL, &p, err), -EEXIST);
	ck_assert_str_eq(err, "route 10.1.0.21/32 in VNI 100 is the address of local port w9");
	p = port("w9", 100, "10.1.0.99", "02:00:00:00:00:11");
	ck_assert_int_eq(state_port_add(&st, &cfg, NULL, &p, err), -EEXIST);
	ck_assert_str_eq(err, "ports w1 and w9 have the same MAC 02:00:00:00:00:11 in VNI 100");

	r = route(100, "10.1.0.11/32", "192.0.2.2", "02:00:00:00:00:99");
	ck_assert_int_eq(state_route_add(&st, &cfg, NULL, &r, err), -EEXIST);
	ck_assert_str_eq(err, "route 10.1.0.11/32 in VNI 100 is the address of local port w1");
	r = route(300, "10.1.0.99/32", "192.0.2.2", "02:00:00:00:00:99");
	ck_assert_int_eq(state_route_add(&st, &cfg, NULL, &r, err), -EINVAL);
	ck_assert_str_eq(err, "vni: VNI 300 is not in vnis");
	r = route(100, "10.1.0.99/32", "192.0.2.1", "02:00:00:00:00:99");
	ck_assert_int_eq(state_route_add(&st, &cfg, NULL, &r, err), -EINVAL);
	ck_assert_str_eq(err, "vtep: 192.0.2.1 is our own vtep.ip");

	ck_assert_int_eq(state_port_del(&st, &cfg, NULL, "nope", err), -ENOENT);
	ck_assert_int_eq(state_route_del(&st, &cfg, NULL, rkey(100, "10.1.0.99"), err), -ENOENT);
	ck_assert_str_eq(err, "route 10.1.0.99/32 in VNI 100 does not exist");
	/* nothing above changed the state */
	ck_assert_uint_eq(st.n_ports + st.n_routes + st.n_deleted_ports + st.n_deleted_routes, 0);
	state_free(&st);
}
END_TEST

/* The config file changed under the state: stale deletions are pruned, a
 * run-time entry that no longer fits is reported by name. */
START_TEST(test_config_changed_under_state)
{
	static const char other[] =
		"{ \"vtep\": { \"ip\": \"192.0.2.1\", \"uplink\": \"up0\" },"
		"  \"vnis\": [ { \"vni\": 100, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.255.254\","
		"              \"gateway_mac\": \"02:00:00:00:01:00\" } ],"
		"  \"ports\": [ { \"ifname\": \"w3\", \"vni\": 100, \"ip\": \"10.1.0.15\" } ] }";
	struct state st = { 0 };
	struct cfg_port p = port("w5", 100, "10.1.0.15", NULL);
	struct cfg_port q = port("w6", 200, "10.2.0.16", NULL);
	struct vtep_config c2;
	char err[CFG_ERR_LEN];
	struct cfg_port *ports;
	struct cfg_route *routes;
	size_t np, nr;

	ck_assert_msg(state_port_add(&st, &cfg, NULL, &p, err) == 0, "%s", err);
	ck_assert_msg(state_port_del(&st, &cfg, NULL, "w1", err) == 0, "%s", err);
	ck_assert_msg(state_route_del(&st, &cfg, NULL, rkey(100, "10.1.0.21"), err) == 0, "%s", err);
	ck_assert_msg(config_parse(other, &c2, err) == 0, "%s", err);
	ck_assert_uint_eq(state_prune(&st, &cfg), 0);
	ck_assert_uint_eq(state_prune(&st, &c2), 2);
	ck_assert_uint_eq(st.n_deleted_ports + st.n_deleted_routes, 0);
	ck_assert_uint_eq(st.n_ports, 1);
	/* the new file's w3 took w5's address */
	ck_assert_int_eq(state_merge(&c2, &st, &ports, &np, &routes, &nr, err), -EEXIST);
	ck_assert_str_eq(err, "ports w3 and w5 have the same IP 10.1.0.15");
	ck_assert_ptr_null(ports);
	ck_assert_ptr_null(routes);
	/* a run-time port whose VNI left the file */
	ck_assert_msg(state_port_add(&st, &cfg, NULL, &q, err) == 0, "%s", err);
	ck_assert_int_eq(state_merge(&c2, &st, &ports, &np, &routes, &nr, err), -EINVAL);
	ck_assert_str_eq(err, "run-time port w6: vni: VNI 200 is not in vnis");
	/* deleting is always possible, and is the way out */
	ck_assert_msg(state_port_del(&st, &c2, NULL, "w6", err) == 0, "%s", err);
	ck_assert_msg(state_port_del(&st, &c2, NULL, "w5", err) == 0, "%s", err);
	ck_assert_int_eq(state_merge(&c2, &st, &ports, &np, &routes, &nr, err), 0);
	ck_assert_uint_eq(np, 1);
	free(ports);
	free(routes);
	config_free(&c2);
	state_free(&st);
}
END_TEST

START_TEST(test_corrupt_files_refused)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "", "line 1, column 1: invalid JSON" },
		{ "{ \"version\": 1, \"ports\": [", "invalid JSON" },
		{ "garbage", "invalid JSON" },
		{ "[]", "expected a JSON object" },
		{ "{}", "version: required" },
		{ "{ \"version\": 2 }", "version: 2 is not supported (this vtepd reads version 1)" },
		{ "{ \"version\": \"1\" }", "version: expected an integer" },
		{ "{ \"version\": 1, \"port\": [] }", "port: unknown key" },
		{ "{ \"version\": 1, \"version\": 1 }", "version: duplicate key" },
		{ "{ \"version\": 1, \"ports\": {} }", "ports: expected an array" },
		{ "{ \"version\": 1, \"ports\": [ { \"ifname\": \"w5\", \"vni\": 100, \"ip\": \"10.1.0\" } ] }",
		  "ports[0].ip: expected an IPv4 address" },
		{ "{ \"version\": 1, \"ports\": [ { \"ifname\": \"w5\", \"vni\": 100 } ] }", "ports[0].ip: required" },
		{ "{ \"version\": 1, \"deleted_ports\": [ \"a/b\" ] }", "deleted_ports[0]: expected an interface name" },
		{ "{ \"version\": 1, \"routes\": [ { \"vni\": 100, \"prefix\": \"10.1.0.22/32\", \"vtep\": \"192.0.2.2\" } ] }",
		  "routes[0].mac: required" },
		{ "{ \"version\": 1, \"deleted_routes\": [ { \"vni\": 100, \"prefix\": \"10.1.0.22/24\" } ] }",
		  "deleted_routes[0].prefix: expected A.B.C.D/LEN without host bits" },
		{ "{ \"version\": 1, \"deleted_routes\": [ { \"vni\": 100, \"prefix\": \"10.1.0.0/24\", \"vtep\": \"1.2.3.4\" } ] }",
		  "deleted_routes[0].vtep: unknown key" },
		{ "{ \"version\": 1, \"deleted_routes\": [ { \"prefix\": \"10.1.0.0/24\" } ] }",
		  "deleted_routes[0].vni: required" },
	};
	char err[CFG_ERR_LEN], want[CFG_ERR_LEN];
	struct state st;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_state(cases[i].text);
		memset(&st, 0xa5, sizeof(st));
		ck_assert_msg(state_load(dir, &st, err) == -EINVAL, "accepted: %s", cases[i].text);
		/* the file is named first, then the field */
		snprintf(want, sizeof(want), "%s: ", file_path(STATE_FILE));
		ck_assert_msg(!strncmp(err, want, strlen(want)), "%s", err);
		ck_assert_msg(strstr(err, cases[i].want), "\"%s\" lacks \"%s\"", err, cases[i].want);
		ck_assert_ptr_null(st.ports);
		ck_assert_ptr_null(st.routes);
		ck_assert_ptr_null(st.deleted_ports);
		ck_assert_ptr_null(st.deleted_routes);
	}
}
END_TEST

START_TEST(test_hand_written_file)
{
	struct state st;
	char err[CFG_ERR_LEN];
	struct merged m;

	/* keys in any order, arrays may be absent */
	write_state("{ \"routes\": [ { \"vni\": 200, \"prefix\": \"10.2.0.30\", \"vtep\": \"192.0.2.3\","
		    "  \"mac\": \"02:00:00:00:00:30\" } ], \"version\": 1 }\n");
	ck_assert_msg(state_load(dir, &st, err) == 0, "%s", err);
	ck_assert_uint_eq(st.n_routes, 1);
	ck_assert_uint_eq(st.routes[0].prefixlen, 32);
	merge(&st, &m);
	ck_assert(has_route(&m, 200, "10.2.0.30/32"));
	ck_assert(has_route(&m, 100, "10.1.0.21/32"));
	merged_free(&m);
	state_free(&st);
}
END_TEST

/* A save that fails leaves the old file and the in-memory state as they
 * were; a save that succeeds leaves no temporary file behind. */
START_TEST(test_atomic_save)
{
	struct state st = { 0 }, back;
	struct cfg_route r = route(100, "10.1.0.22/32", "192.0.2.2", "02:00:00:00:00:22");
	struct cfg_route r2 = route(100, "10.1.0.23/32", "192.0.2.2", "02:00:00:00:00:23");
	char err[CFG_ERR_LEN], before[65536];

	ck_assert_msg(state_route_add(&st, &cfg, dir, &r, err) == 0, "%s", err);
	ck_assert_int_eq(access(file_path(STATE_FILE ".tmp"), F_OK), -1);
	snprintf(before, sizeof(before), "%s", read_state());

	/* the temporary file cannot be created: a directory sits on its name */
	ck_assert_int_eq(mkdir(file_path(STATE_FILE ".tmp"), 0700), 0);
	ck_assert_int_eq(state_route_add(&st, &cfg, dir, &r2, err), -EISDIR);
	ck_assert_msg(strstr(err, STATE_FILE ".tmp") && strstr(err, "create"), "%s", err);
	ck_assert_uint_eq(st.n_routes, 1);
	ck_assert_str_eq(read_state(), before);
	ck_assert_int_eq(state_port_del(&st, &cfg, dir, "w1", err), -EISDIR);
	ck_assert_uint_eq(st.n_deleted_ports, 0);
	ck_assert_int_eq(rmdir(file_path(STATE_FILE ".tmp")), 0);

	/* the rename fails: state.json is a non-empty directory; the temporary
	 * file is removed again */
	ck_assert_int_eq(unlink(file_path(STATE_FILE)), 0);
	ck_assert_int_eq(mkdir(file_path(STATE_FILE), 0700), 0);
	ck_assert_int_eq(mkdir(file_path(STATE_FILE "/x"), 0700), 0);
	ck_assert_int_lt(state_route_add(&st, &cfg, dir, &r2, err), 0);
	ck_assert_msg(strstr(err, "rename"), "%s", err);
	ck_assert_uint_eq(st.n_routes, 1);
	ck_assert_int_eq(access(file_path(STATE_FILE ".tmp"), F_OK), -1);
	ck_assert_int_eq(rmdir(file_path(STATE_FILE "/x")), 0);
	ck_assert_int_eq(rmdir(file_path(STATE_FILE)), 0);

	/* a stale temporary file (a crash before the rename) is ignored by
	 * load and replaced by the next save */
	write_state(before);
	{
		int fd = open(file_path(STATE_FILE ".tmp"), O_WRONLY | O_CREAT | O_TRUNC, 0600);

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, "{ \"vers", 7), 7);
		close(fd);
	}
	ck_assert_msg(state_load(dir, &back, err) == 0, "%s", err);
	ck_assert_uint_eq(back.n_routes, 1);
	ck_assert_msg(state_route_add(&back, &cfg, dir, &r2, err) == 0, "%s", err);
	ck_assert_int_eq(access(file_path(STATE_FILE ".tmp"), F_OK), -1);
	state_free(&back);
	ck_assert_msg(state_load(dir, &back, err) == 0, "%s", err);
	ck_assert_uint_eq(back.n_routes, 2);
	state_free(&back);
	state_free(&st);
}
END_TEST

/* Many run-time routes: edits stay correct (duplicates found by sorting). */
START_TEST(test_many_routes)
{
	enum { N = 3000 };
	struct state st = { 0 }, back;
	char err[CFG_ERR_LEN];
	struct merged m;

	for (unsigned i = 0; i < N; i++) {
		struct cfg_route r = { .vni = 100, .prefixlen = 32, .vtep = ip("192.0.2.2"),
				       .mac = { 2, 0, 0, 1, (uint8_t)(i >> 8), (uint8_t)i } };

		r.prefix = htonl(ntohl(ip("10.1.16.0")) + i);
		ck_assert_msg(state_route_add(&st, &cfg, NULL, &r, err) == 0, "%u: %s", i, err);
	}
	{
		struct cfg_route dup = st.routes[N / 2];

		ck_assert_int_eq(state_route_add(&st, &cfg, NULL, &dup, err), -EEXIST);
	}
	ck_assert_msg(state_save(dir, &st, err) == 0, "%s", err);
	ck_assert_msg(state_load(dir, &back, err) == 0, "%s", err);
	ck_assert_uint_eq(back.n_routes, N);
	ck_assert_mem_eq(back.routes, st.routes, N * sizeof(*st.routes));
	merge(&back, &m);
	ck_assert_uint_eq(m.n_routes, N + 1);
	merged_free(&m);
	state_free(&back);
	state_free(&st);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_missing_is_empty_and_dir_created);
	tcase_add_test(tc, test_state_dir_not_a_directory);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_round_trip6);
	tcase_add_test(tc, test_merge_survives_restart);
	tcase_add_test(tc, test_config_port_replaced);
	tcase_add_test(tc, test_edit_refusals);
	tcase_add_test(tc, test_config_changed_under_state);
	tcase_add_test(tc, test_corrupt_files_refused);
	tcase_add_test(tc, test_hand_written_file);
	tcase_add_test(tc, test_atomic_save);
	tcase_add_test(tc, test_many_routes);
	suite_add_tcase(s, tc);
	return s;
}
