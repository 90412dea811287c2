/* test_config_vtep.c - agent/conf/config, the top of the file: "vtep" (the
 * VTEP address, uplinks, uplink_attach), the paths (bpffs, control_socket,
 * state_dir), metrics and limits. At least one bad value per key, each
 * refused with an error that names the field; metrics null; a long bad
 * value quoted shortened; what a reload keeps until the next restart. What
 * the whole file parses to, defaults included, is in the golden files
 * (tests/unit/config, test_config_golden).
 */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "addr.h"
#include "config.h"
#include "config_test_util.h"

#define NINE_UPLINKS "[\"a1\",\"a2\",\"a3\",\"a4\",\"a5\",\"a6\",\"a7\",\"a8\",\"a9\"]"
#define LONG_NAME "\"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""

/* Bad values: each the contract config with one value replaced or
 * removed; the error names the field. */
static const struct bad_case bad_cases[] = {
	/* top level and vtep */
	{ "vtep", "\"192.0.2.1\"", "vtep: expected an object" },
	{ "vtep.ip", "\"192.0.2\"", "vtep.ip: expected an IPv4 address, got \"192.0.2\"" },
	{ "vtep.ip", "\"0.0.0.0\"", "vtep.ip: expected a unicast address" },
	{ "vtep.ip", "\"127.0.0.1\"", "vtep.ip: expected a unicast address" },
	{ "vtep.ip", "\"239.1.1.1\"", "vtep.ip: expected a unicast address" },
	{ "vtep.ip", "\"255.255.255.255\"", "vtep.ip: expected a unicast address" },
	{ "vtep.ip", "3221225985", "vtep.ip: expected an IPv4 address" },
	{ "vtep.ip", "null", "vtep.ip: expected an IPv4 address, got null" },
	{ "vtep.uplink", "\"\"", "vtep.uplink: expected an interface name" },
	{ "vtep.uplink", "\"uplink-too-long0\"", "vtep.uplink: expected an interface name" },
	{ "vtep.uplink", "\"a/b\"", "vtep.uplink: expected an interface name" },
	{ "vtep.uplink", "\"a b\"", "vtep.uplink: expected an interface name" },
	{ "vtep.uplink", "\"..\"", "vtep.uplink: expected an interface name" },
	{ "vtep.uplink", "[]", "vtep.uplink: expected an interface name or a non-empty array" },
	{ "vtep.uplink", "7", "vtep.uplink: expected an interface name or a non-empty array" },
	{ "vtep.uplink", "[\"eth0\", 7]", "vtep.uplink[1]: expected an interface name" },
	{ "vtep.uplink", "[\"eth0\", \"eth0\"]", "vtep.uplink[1]: eth0 is listed twice" },
	{ "vtep.uplink", NINE_UPLINKS, "vtep.uplink: 9 entries, at most 8" },
	{ "vtep.uplink_attach", "\"XDP\"", "vtep.uplink_attach: expected \"xdp\", \"tc\" or \"auto\", got \"XDP\"" },
	{ "vtep.uplink_attach", "1", "vtep.uplink_attach: expected \"xdp\", \"tc\" or \"auto\"" },
	{ "bpffs", "\"sys/fs/bpf\"", "bpffs: expected an absolute path" },
	{ "bpffs", "\"\"", "bpffs: expected an absolute path" },
	{ "bpffs", "null", "bpffs: expected an absolute path" },
	{ "control_socket", "\"vtepd.sock\"", "control_socket: expected an absolute path" },
	/* 121 bytes: a Unix socket path must fit sun_path (108) */
	{ "control_socket", LONG_NAME, "control_socket: expected an absolute path shorter than 108 bytes" },
	{ "state_dir", "\"./state\"", "state_dir: expected an absolute path" },
	{ "state_dir", "[\"/x\"]", "state_dir: expected an absolute path" },
	{ "metrics", "\"127.0.0.1\"", "metrics: expected \"ADDR:PORT\"" },
	{ "metrics", "\"127.0.0.1:\"", "metrics: expected \"ADDR:PORT\"" },
	{ "metrics", "\"127.0.0.1:0\"", "metrics: expected \"ADDR:PORT\"" },
	{ "metrics", "\"127.0.0.1:65536\"", "metrics: expected \"ADDR:PORT\"" },
	{ "metrics", "\"127.0.0.1:+80\"", "metrics: expected \"ADDR:PORT\"" },
	{ "metrics", "\"localhost:9469\"", "metrics: expected \"ADDR:PORT\"" },
	{ "metrics", "\":9469\"", "metrics: expected \"ADDR:PORT\"" },
	{ "metrics", "9469", "metrics: expected \"ADDR:PORT\"" },
	{ "metrics", "false", "metrics: expected \"ADDR:PORT\"" },
	{ "limits", "[]", "limits: expected an object" },
	{ "limits.routes", "0", "limits.routes: expected an integer 1..16777216, got 0" },
	{ "limits.routes", "16777217", "limits.routes: expected an integer 1..16777216" },
	{ "limits.routes", "\"4096\"", "limits.routes: expected an integer" },
	{ "limits.routes", "4096.0", "limits.routes: expected an integer" },
	{ "limits.routes", "4e3", "limits.routes: expected an integer" },
	{ "limits.fdb", "-1", "limits.fdb: expected an integer 1..16777216, got -1" },
	{ "limits.fdb", "18446744073709551616", "limits.fdb: expected an integer" },
	{ "limits.ports", "0", "limits.ports: expected an integer 1..65536" },
	{ "limits.ports", "65537", "limits.ports: expected an integer 1..65536" },
	{ "limits.ports", "true", "limits.ports: expected an integer" },
	{ "limits.route_cache", "1", "limits.route_cache: expected 0 (off) or a power of two from 2 to 1048576, got 1" },
	{ "limits.route_cache", "3000", "limits.route_cache: expected 0 (off) or a power of two from 2 to 1048576, got 3000" },
	{ "limits.route_cache", "2097152", "limits.route_cache: expected an integer 0..1048576" },
	{ "limits.route_cache", "-2", "limits.route_cache: expected an integer 0..1048576" },
	/* a NUL inside a string must not cut it short */
	{ "vtep.ip", "\"192.0.2.1\\u0000x\"", "vtep.ip: expected an IPv4 address" },
	{ "vtep.uplink", "\"up0\\u0000x\"", "vtep.uplink: expected an interface name" },
	{ "state_dir", "\"/var/lib\\u0000/x\"", "state_dir: expected an absolute path" },
	{ "metrics", "\"127.0.0.1:9469\\u0000\"", "metrics: expected \"ADDR:PORT\"" },
};

START_TEST(test_bad_value)
{
	expect_bad_case(&bad_cases[_i]);
}
END_TEST

START_TEST(test_metrics_null_disables)
{
	struct vtep_config c;

	expect_mutation_ok("metrics", "null", &c);
	ck_assert(!c.metrics_enabled);
	config_free(&c);
}
END_TEST

/* docs/kubernetes.md: a path like control_socket's, null turns it off, and
 * it cannot be control_socket itself; left out, it goes beside the file's
 * control_socket. */
START_TEST(test_cni_socket)
{
	struct vtep_config c;

	expect_mutation_ok("cni_socket", "\"/run/k/cni.sock\"", &c);
	ck_assert_str_eq(c.cni_socket, "/run/k/cni.sock");
	config_free(&c);
	expect_mutation_ok("cni_socket", "null", &c);
	ck_assert_str_eq(c.cni_socket, "");
	config_free(&c);
	expect_mutation_ok("cni_socket", NULL, &c);
	ck_assert_str_eq(c.cni_socket, "/run/vtepd-contract/vtepd.cni.sock");
	config_free(&c);
	expect_mutation_refused("cni_socket", "\"cni.sock\"", "cni_socket: expected an absolute path");
	expect_mutation_refused("cni_socket", "7", "cni_socket: expected an absolute path");
	expect_mutation_refused("cni_socket", "\"/run/vtepd-contract/vtepd.sock\"",
				"cni_socket: must not be control_socket's path");
}
END_TEST

/* The message quotes the bad value, shortened when long. */
START_TEST(test_error_quotes_long_value_shortened)
{
	char val[300], *t;
	struct vtep_config c;
	char err[CFG_ERR_LEN];

	memset(val, 'x', sizeof(val));
	val[0] = '"';
	val[sizeof(val) - 2] = '"';
	val[sizeof(val) - 1] = '\0';
	t = mutate(contract_json, "vtep.ip", val);
	ck_assert_int_eq(config_parse(t, &c, err), -EINVAL);
	ck_assert_msg(strstr(err, "vtep.ip: expected an IPv4 address, got \"xxx") == err, "%s", err);
	ck_assert_msg(strstr(err, "...") != NULL, "%s", err);
	ck_assert_uint_lt(strlen(err), 120);
	free(t);
}
END_TEST

/* A reload keeps the settings that need a restart (config.h): each one
 * that differs is named, in the file's spelling, and gets its running
 * value back; the rest of the new file stays as it is. */
START_TEST(test_keep_restart_settings)
{
	static const char *const names[] = {
		"bpffs", "control_socket", "cni_socket", "state_dir", "vtep.uplink_attach",
		"limits.routes", "limits.fdb", "limits.ports", "limits.route_cache", "metrics",
	};
	static const char *const edits[][2] = {
		{ "bpffs", "\"/run/other/bpf\"" },
		{ "control_socket", "\"/run/other/vtepd.sock\"" },
		{ "cni_socket", "\"/run/other/cni.sock\"" },
		{ "state_dir", "\"/run/other/state\"" },
		{ "vtep.uplink_attach", "\"tc\"" },
		{ "limits.routes", "8192" },
		{ "limits.fdb", "8192" },
		{ "limits.ports", "128" },
		{ "limits.route_cache", "0" },
		{ "metrics", "\"127.0.0.1:9470\"" },
		{ "vnis[0].flood", "true" },
	};
	struct vtep_config old, nc;
	const char *kept[CFG_RESTART_SETTINGS], *two[2];
	char err[CFG_ERR_LEN], *t = strdup(contract_json), *t2;
	size_t i, n;

	ck_assert_int_eq(config_parse(contract_json, &old, err), 0);
	ck_assert_int_eq(config_parse(contract_json, &nc, err), 0);
	ck_assert_uint_eq(config_keep_restart_settings(&old, &nc, kept, CFG_RESTART_SETTINGS), 0);
	config_free(&nc);
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		t2 = mutate(t, edits[i][0], edits[i][1]);
		free(t);
		t = t2;
	}
	ck_assert_msg(config_parse(t, &nc, err) == 0, "%s", err);
	ck_assert_uint_eq(nc.limit_routes, 8192);
	ck_assert_uint_eq(nc.limit_rcache, 0);     /* 0 is a value: the cache off */
	n = config_keep_restart_settings(&old, &nc, kept, CFG_RESTART_SETTINGS);
	ck_assert_uint_eq(n, sizeof(names) / sizeof(names[0]));
	for (i = 0; i < n; i++)
		ck_assert_str_eq(kept[i], names[i]);
	ck_assert_str_eq(nc.bpffs, old.bpffs);
	ck_assert_str_eq(nc.control_socket, old.control_socket);
	ck_assert_str_eq(nc.cni_socket, old.cni_socket);
	ck_assert_str_eq(nc.state_dir, old.state_dir);
	ck_assert_int_eq(nc.uplink_attach, old.uplink_attach);
	ck_assert_uint_eq(nc.limit_routes, old.limit_routes);
	ck_assert_uint_eq(nc.limit_fdb, old.limit_fdb);
	ck_assert_uint_eq(nc.limit_ports, old.limit_ports);
	ck_assert_uint_eq(nc.limit_rcache, old.limit_rcache);
	ck_assert_uint_eq(nc.metrics_port, old.metrics_port);
	ck_assert_str_eq(nc.metrics_addr, old.metrics_addr);
	ck_assert(nc.vnis[0].flood);   /* not a restart setting: the new value */
	config_free(&nc);
	/* Fewer slots than changes: all counted, the first ones named. */
	ck_assert_int_eq(config_parse(t, &nc, err), 0);
	ck_assert_uint_eq(config_keep_restart_settings(&old, &nc, two, 2), n);
	ck_assert_str_eq(two[0], "bpffs");
	ck_assert_str_eq(two[1], "control_socket");
	ck_assert_str_eq(nc.state_dir, old.state_dir);
	config_free(&nc);
	config_free(&old);
	free(t);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("config_vtep");
	TCase *bad_values = tcase_create("bad_values");
	TCase *values = tcase_create("values");

	tcase_add_loop_test(bad_values, test_bad_value, 0, BAD_CASES(bad_cases));
	tcase_add_test(bad_values, test_error_quotes_long_value_shortened);
	tcase_add_test(values, test_metrics_null_disables);
	tcase_add_test(values, test_cni_socket);
	tcase_add_test(values, test_keep_restart_settings);
	suite_add_tcase(s, bad_values);
	suite_add_tcase(s, values);
	return s;
}
