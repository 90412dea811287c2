/* test_config_errors.c - agent/conf/config's refusals that are not about
 * one key's value: required keys missing, unknown keys at every level, the
 * two refusals the contract script checks word for word, and config_load's
 * own errors (a missing file, a directory, a NUL byte), and control
 * characters in keys kept out of the errors. Malformed JSON,
 * whole files, is in the golden files (tests/unit/config,
 * test_config_golden).
 */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "check_main.h"
#include "addr.h"
#include "config.h"
#include "config_test_util.h"

static void write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* Bad values: each the contract config with one value replaced or
 * removed; the error names the field. */
static const struct bad_case bad_cases[] = {
	/* required keys */
	{ "vtep", NULL, "vtep: required" },
	{ "vtep.ip", NULL, "vtep.ip: required" },
	{ "vtep.uplink", NULL, "vtep.uplink: required" },
	{ "bgp.asn", NULL, "bgp.asn: required" },
	{ "bgp.router_id", NULL, "bgp.router_id: required" },
	{ "bgp.neighbors[0].address", NULL, "bgp.neighbors[0].address: required" },
	{ "bgp.neighbors[0].asn", NULL, "bgp.neighbors[0].asn: required" },
	{ "vnis[0].vni", NULL, "vnis[0].vni: required" },
	{ "vnis[0].subnet", NULL, "vnis[0].subnet: required" },
	{ "vnis[0].gateway_ip", NULL, "vnis[0].gateway_ip: required" },
	{ "vnis[0].gateway_mac", NULL, "vnis[0].gateway_mac: required" },
	{ "ports[0].ifname", NULL, "ports[0].ifname: required" },
	{ "ports[0].vni", NULL, "ports[0].vni: required" },
	{ "ports[0].ip", NULL, "ports[0].ip: required" },
	{ "routes[0].vni", NULL, "routes[0].vni: required" },
	{ "routes[0].prefix", NULL, "routes[0].prefix: required" },
	{ "routes[0].vtep", NULL, "routes[0].vtep: required" },
	{ "routes[0].mac", NULL, "routes[0].mac: required" },
	/* without vnis, the port's and the route's VNI are unknown */
	{ "vnis", NULL, "ports[0].vni: VNI 100 is not in vnis" },
	/* unknown keys at every level */
	{ "colour", "\"blue\"", "colour: unknown key" },
	{ "vtep.colour", "\"blue\"", "vtep.colour: unknown key" },
	{ "limits.colour", "1", "limits.colour: unknown key" },
	{ "bgp.colour", "1", "bgp.colour: unknown key" },
	{ "bgp.dad.colour", "1", "bgp.dad.colour: unknown key" },
	{ "bgp.neighbors[0].colour", "1", "bgp.neighbors[0].colour: unknown key" },
	{ "bgp.neighbors[0].Address", "\"198.51.100.1\"", "bgp.neighbors[0].Address: unknown key" },
	{ "vnis[0].colour", "\"blue\"", "vnis[0].colour: unknown key" },
	{ "ports[0].colour", "null", "ports[0].colour: unknown key" },
	{ "routes[0].colour", "{}", "routes[0].colour: unknown key" },
	{ "routes[0].nexthop", "\"192.0.2.2\"", "routes[0].nexthop: unknown key" },
};

START_TEST(test_bad_value)
{
	expect_bad_case(&bad_cases[_i]);
}
END_TEST

/* The two refusals the contract script checks, word for word. */
START_TEST(test_contract_refusals)
{
	struct vtep_config c;
	char err[CFG_ERR_LEN];
	char *t;

	t = mutate(contract_json, "vnis[0].vni", "\"hundred\"");
	ck_assert_int_eq(config_parse(t, &c, err), -EINVAL);
	ck_assert_str_eq(err, "vnis[0].vni: expected an integer 1..16777215, got \"hundred\"");
	free(t);
	t = mutate(contract_json, "vnis[0].colour", "\"blue\"");
	ck_assert_int_eq(config_parse(t, &c, err), -EINVAL);
	ck_assert_str_eq(err, "vnis[0].colour: unknown key");
	free(t);
}
END_TEST

START_TEST(test_load)
{
	char dir[] = "/tmp/vtepd-test-config.XXXXXX", path[64], err[CFG_ERR_LEN];
	struct vtep_config c;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vtepd.json", dir);

	/* missing file: -ENOENT and strerror (callers print the path) */
	ck_assert_int_eq(config_load(path, &c, err), -ENOENT);
	ck_assert_str_eq(err, "cannot read: No such file or directory");
	/* a directory */
	ck_assert_int_eq(config_load(dir, &c, err), -EISDIR);
	ck_assert_str_eq(err, "cannot read: Is a directory");

	write_file(path, contract_json, strlen(contract_json));
	ck_assert_msg(config_load(path, &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.n_ports, 1);
	config_free(&c);

	/* a NUL byte in the file is refused, not read as the end */
	write_file(path, "{ \"vtep\": {}\0 }", 15);
	ck_assert_int_eq(config_load(path, &c, err), -EINVAL);
	ck_assert_msg(strstr(err, "line 1, column 13: invalid JSON: NUL byte"), "%s", err);

	/* content errors come from the same parser */
	write_file(path, contract_json, strlen(contract_json) - 3);
	ck_assert_int_eq(config_load(path, &c, err), -EINVAL);
	ck_assert_msg(strstr(err, "invalid JSON"), "%s", err);

	unlink(path);
	rmdir(dir);
}
END_TEST

/* Regression (tests/fuzz/regress/config/state_key_with_line_break, found by
 * fuzz_config): an error names the offending key as the file spells it,
 * and it went into the log and vtepctl's output as is, so a key with a raw
 * line break (which json-c accepts even in strict mode) or an escaped
 * control character could forge a log line or a terminal escape. Raw
 * control characters in strings are invalid JSON (RFC 8259 7); escaped ones
 * are shown as \xNN. */
START_TEST(test_control_chars_in_keys)
{
	struct vtep_config c;
	char err[CFG_ERR_LEN];

	ck_assert_int_eq(config_parse("{ \"vtep\": { \"ip\": \"192.0.2.1\", \"uplink\": \"eth0\" },"
				      " \"a\nb\": 1 }", &c, err), -EINVAL);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_msg(strstr(err, "line 1, column 54: invalid JSON: control character in a string"),
		      "%s", err);
	ck_assert_int_eq(config_parse("{ \"vtep\": { \"ip\": \"192.0.2.1\", \"uplink\": \"eth0\" },"
				      " \"a\\nb\\u001b[2J\": 1 }", &c, err), -EINVAL);
	ck_assert_str_eq(err, "a\\x0ab\\x1b[2J: unknown key");
	ck_assert_int_eq(config_parse("{ \"vtep\": { \"ip\": \"192.0.2.1\", \"uplink\": \"eth0\","
				      " \"x\\ty\": 0 } }", &c, err), -EINVAL);
	ck_assert_str_eq(err, "vtep.x\\x09y: unknown key");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("config_errors");
	TCase *bad_values = tcase_create("bad_values");
	TCase *files = tcase_create("files");

	tcase_add_loop_test(bad_values, test_bad_value, 0, BAD_CASES(bad_cases));
	tcase_add_test(files, test_contract_refusals);
	tcase_add_test(files, test_load);
	tcase_add_test(files, test_control_chars_in_keys);
	suite_add_tcase(s, bad_values);
	suite_add_tcase(s, files);
	return s;
}
