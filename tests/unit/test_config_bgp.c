/* test_config_bgp.c - agent/conf/config, "bgp": our AS and router id,
 * graceful restart, duplicate address detection, and each neighbor's keys
 * (address, AS, port, TCP MD5 password, GTSM, max prefixes, passive, hold
 * time and keepalive: a third of the hold time by default, RFC 4271 10).
 * At least one bad value per key, each refused with an error that names
 * the field.
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

/* Bad values: each the contract config with one value replaced or
 * removed; the error names the field. */
static const struct bad_case bad_cases[] = {
	/* bgp */
	{ "bgp", "true", "bgp: expected an object" },
	{ "bgp.asn", "0", "bgp.asn: expected an integer 1..4294967295, got 0" },
	{ "bgp.asn", "4294967296", "bgp.asn: expected an integer 1..4294967295" },
	{ "bgp.asn", "\"65101\"", "bgp.asn: expected an integer" },
	{ "bgp.router_id", "\"0.0.0.0\"", "bgp.router_id: expected a non-zero IPv4 address" },
	{ "bgp.router_id", "\"router1\"", "bgp.router_id: expected an IPv4 address" },
	{ "bgp.graceful_restart_s", "4096", "bgp.graceful_restart_s: expected an integer 0..4095" },
	{ "bgp.graceful_restart_s", "-1", "bgp.graceful_restart_s: expected an integer 0..4095" },
	{ "bgp.dad", "5", "bgp.dad: expected an object" },
	{ "bgp.dad.moves", "0", "bgp.dad.moves: expected an integer 1..1000" },
	{ "bgp.dad.moves", "\"5\"", "bgp.dad.moves: expected an integer" },
	{ "bgp.dad.window_s", "0", "bgp.dad.window_s: expected an integer 1..86400" },
	{ "bgp.dad.window_s", "86401", "bgp.dad.window_s: expected an integer 1..86400" },
	{ "bgp.neighbors", "{}", "bgp.neighbors: expected an array" },
	{ "bgp.neighbors[0]", "\"198.51.100.1\"", "bgp.neighbors[0]: expected an object" },
	{ "bgp.neighbors[0].address", "\"198.51.100\"", "bgp.neighbors[0].address: expected an IPv4 address" },
	{ "bgp.neighbors[0].address", "\"0.0.0.0\"", "bgp.neighbors[0].address: expected a unicast address" },
	{ "bgp.neighbors[0].address", "\"224.0.0.5\"", "bgp.neighbors[0].address: expected a unicast address" },
	{ "bgp.neighbors[0].asn", "0", "bgp.neighbors[0].asn: expected an integer 1..4294967295" },
	{ "bgp.neighbors[0].asn", "65001.5", "bgp.neighbors[0].asn: expected an integer" },
	{ "bgp.neighbors[0].port", "0", "bgp.neighbors[0].port: expected an integer 1..65535" },
	{ "bgp.neighbors[0].port", "65536", "bgp.neighbors[0].port: expected an integer 1..65535" },
	{ "bgp.neighbors[0].port", "\"bgp\"", "bgp.neighbors[0].port: expected an integer" },
	{ "bgp.neighbors[0].password", "\"\"", "bgp.neighbors[0].password: expected a string of 1..80 bytes" },
	{ "bgp.neighbors[0].password",
	  "\"123456789012345678901234567890123456789012345678901234567890123456789012345678901\"",
	  "bgp.neighbors[0].password: expected a string of 1..80 bytes" },
	{ "bgp.neighbors[0].password", "12345", "bgp.neighbors[0].password: expected a string" },
	{ "bgp.neighbors[0].password", "\"a\\u0000b\"", "bgp.neighbors[0].password: expected a string without NUL" },
	{ "bgp.neighbors[0].ttl_security", "\"false\"", "bgp.neighbors[0].ttl_security: expected true or false, got \"false\"" },
	{ "bgp.neighbors[0].ttl_security", "0", "bgp.neighbors[0].ttl_security: expected true or false" },
	{ "bgp.neighbors[0].max_prefixes", "-1", "bgp.neighbors[0].max_prefixes: expected an integer 0..4294967295" },
	{ "bgp.neighbors[0].max_prefixes", "4294967296", "bgp.neighbors[0].max_prefixes: expected an integer 0..4294967295" },
	{ "bgp.neighbors[0].passive", "1", "bgp.neighbors[0].passive: expected true or false" },
	{ "bgp.neighbors[0].passive", "null", "bgp.neighbors[0].passive: expected true or false, got null" },
	{ "bgp.neighbors[0].hold_time_s", "1", "bgp.neighbors[0].hold_time_s: expected 0 or an integer 3..65535" },
	{ "bgp.neighbors[0].hold_time_s", "2", "bgp.neighbors[0].hold_time_s: expected 0 or an integer 3..65535" },
	{ "bgp.neighbors[0].hold_time_s", "65536", "bgp.neighbors[0].hold_time_s: expected 0 or an integer 3..65535" },
	{ "bgp.neighbors[0].hold_time_s", "\"90\"", "bgp.neighbors[0].hold_time_s: expected 0 or an integer" },
	{ "bgp.neighbors[0].keepalive_s", "90", "bgp.neighbors[0].keepalive_s: expected an integer 1..89 (below hold_time_s)" },
	{ "bgp.neighbors[0].keepalive_s", "0", "bgp.neighbors[0].keepalive_s: expected an integer 1..89" },
	{ "bgp.neighbors[0].keepalive_s", "30.0", "bgp.neighbors[0].keepalive_s: expected an integer" },
};

START_TEST(test_bad_value)
{
	expect_bad_case(&bad_cases[_i]);
}
END_TEST

/* RFC 4271 s.10: a third of the hold time; DESIGN.md: 30 s by default. */
START_TEST(test_keepalive_follows_hold_time)
{
	struct vtep_config c;
	char *t;

	t = mutate(contract_json, "bgp.neighbors[0].keepalive_s", NULL);
	expect_mutation_ok("bgp.neighbors[0].keepalive_s", "30", &c);
	config_free(&c);
	{
		char *u = mutate(t, "bgp.neighbors[0].hold_time_s", "9");
		char err[CFG_ERR_LEN];

		ck_assert_msg(config_parse(u, &c, err) == 0, "%s", err);
		ck_assert_uint_eq(c.bgp.neighbors[0].hold_time_s, 9);
		ck_assert_uint_eq(c.bgp.neighbors[0].keepalive_s, 3);
		config_free(&c);
		free(u);
		u = mutate(t, "bgp.neighbors[0].hold_time_s", "240");
		ck_assert_msg(config_parse(u, &c, err) == 0, "%s", err);
		ck_assert_uint_eq(c.bgp.neighbors[0].keepalive_s, 30);
		config_free(&c);
		free(u);
	}
	free(t);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("config_bgp");
	TCase *bad_values = tcase_create("bad_values");
	TCase *values = tcase_create("values");

	tcase_add_loop_test(bad_values, test_bad_value, 0, BAD_CASES(bad_cases));
	tcase_add_test(values, test_keepalive_follows_hold_time);
	suite_add_tcase(s, bad_values);
	suite_add_tcase(s, values);
	return s;
}
