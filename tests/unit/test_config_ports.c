/* test_config_ports.c - agent/conf/config, "ports" and "routes": each
 * key's bad values, each refused with an error that names the field; the
 * checks a run-time port or route goes through (vtepctl, the state file),
 * ports and routes read from JSON objects, the conflict finder behind
 * duplicate ports, IPs, MACs and routes, and the lookups by VNI and port
 * name. Whole files with duplicates are in the golden files
 * (tests/unit/config, test_config_golden).
 */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "check_main.h"
#include "addr.h"
#include "config.h"
#include "config_test_util.h"

/* Bad values: each the contract config with one value replaced or
 * removed; the error names the field. */
static const struct bad_case bad_cases[] = {
	/* ports */
	{ "ports", "{}", "ports: expected an array" },
	{ "ports[0]", "\"w1\"", "ports[0]: expected an object" },
	{ "ports[0].ifname", "\"\"", "ports[0].ifname: expected an interface name" },
	{ "ports[0].ifname", "\"0123456789abcdef\"", "ports[0].ifname: expected an interface name (1..15 characters" },
	{ "ports[0].ifname", "\"w:1\"", "ports[0].ifname: expected an interface name" },
	{ "ports[0].ifname", "\"up0\"", "ports[0].ifname: up0 is an uplink" },
	{ "ports[0].ifname", "1", "ports[0].ifname: expected an interface name" },
	{ "ports[0].vni", "200", "ports[0].vni: VNI 200 is not in vnis" },
	{ "ports[0].vni", "\"100\"", "ports[0].vni: expected an integer 1..16777215" },
	{ "ports[0].ip", "\"10.2.0.11\"", "ports[0].ip: 10.2.0.11 is outside VNI 100's subnet 10.1.0.0/16" },
	{ "ports[0].ip", "\"10.1.255.254\"", "ports[0].ip: 10.1.255.254 is VNI 100's gateway_ip" },
	{ "ports[0].ip", "\"10.1.0.0\"", "ports[0].ip: 10.1.0.0 is the network or broadcast address" },
	{ "ports[0].ip", "\"10.1.255.255\"", "ports[0].ip: 10.1.255.255 is the network or broadcast address" },
	{ "ports[0].ip", "\"10.1.0.11/32\"", "ports[0].ip: expected an IPv4 address" },
	{ "ports[0].mac", "\"01:00:00:00:00:11\"", "ports[0].mac: expected a unicast MAC address" },
	{ "ports[0].mac", "\"00:00:00:00:00:00\"", "ports[0].mac: expected a non-zero MAC address" },
	{ "ports[0].mac", "\"02:00:00:00:01:00\"", "ports[0].mac: is VNI 100's gateway_mac" },
	{ "ports[0].mac", "\"AUTO\"", "ports[0].mac: expected \"auto\" or a MAC address" },
	{ "ports[0].mac", "null", "ports[0].mac: expected \"auto\" or a MAC address" },
	/* routes */
	{ "routes", "{}", "routes: expected an array" },
	{ "routes[0]", "[]", "routes[0]: expected an object" },
	{ "routes[0].vni", "200", "routes[0].vni: VNI 200 is not in vnis" },
	{ "routes[0].vni", "-100", "routes[0].vni: expected an integer 1..16777215" },
	{ "routes[0].prefix", "\"10.1.0.21/24\"", "routes[0].prefix: expected a prefix without host bits (10.1.0.0/24)" },
	{ "routes[0].prefix", "\"10.1.0.21/33\"", "routes[0].prefix: expected A.B.C.D or A.B.C.D/LEN" },
	{ "routes[0].prefix", "\"host\"", "routes[0].prefix: expected A.B.C.D or A.B.C.D/LEN" },
	{ "routes[0].prefix", "\"10.1.255.254\"", "routes[0].prefix: 10.1.255.254/32 is VNI 100's gateway_ip" },
	{ "routes[0].prefix", "\"10.1.0.11\"", "routes[0].prefix: 10.1.0.11/32 is the address of ports[0] (w1)" },
	{ "routes[0].vtep", "\"192.0.2.1\"", "routes[0].vtep: 192.0.2.1 is our own vtep.ip" },
	{ "routes[0].vtep", "\"127.0.0.2\"", "routes[0].vtep: expected a unicast address" },
	{ "routes[0].vtep", "\"0.0.0.0\"", "routes[0].vtep: expected a unicast address" },
	{ "routes[0].vtep", "\"vtep2\"", "routes[0].vtep: expected an IPv4 address" },
	{ "routes[0].mac", "\"00:00:00:00:00:00\"", "routes[0].mac: expected a non-zero MAC address" },
	{ "routes[0].mac", "\"03:00:00:00:00:21\"", "routes[0].mac: expected a unicast MAC address" },
	{ "routes[0].mac", "\"02:00:00:00:01:00\"", "routes[0].mac: is VNI 100's gateway_mac" },
	{ "routes[0].mac", "\"auto\"", "routes[0].mac: expected a MAC address" },
	/* a NUL inside a string must not cut it short */
	{ "ports[0].mac", "\"auto\\u0000\"", "ports[0].mac: expected \"auto\" or a MAC address" },
	{ "routes[0].prefix", "\"10.1.0.21\\u0000/8\"", "routes[0].prefix: expected A.B.C.D" },
	{ "routes[0].mac", "\"02:00:00:00:00:21\\u0000\"", "routes[0].mac: expected a MAC address" },
};

START_TEST(test_bad_value)
{
	expect_bad_case(&bad_cases[_i]);
}
END_TEST

/* The lookups by VNI and by port name; config_free empties the config and
 * may run twice. (Every parsed field of this file: config/contract.json.) */
START_TEST(test_contract_lookups)
{
	struct vtep_config c;
	char err[CFG_ERR_LEN] = "";

	ck_assert_msg(config_parse(contract_json, &c, err) == 0, "%s", err);
	ck_assert_ptr_eq(config_find_vni(&c, 100), &c.vnis[0]);
	ck_assert_ptr_null(config_find_vni(&c, 101));
	ck_assert_ptr_eq(config_find_port(&c, "w1"), &c.ports[0]);
	ck_assert_ptr_null(config_find_port(&c, "w2"));
	config_free(&c);
	ck_assert_ptr_null(c.vnis);
	config_free(&c);   /* twice is harmless */
}
END_TEST

START_TEST(test_check_runtime_entries)
{
	struct vtep_config c;
	char err[CFG_ERR_LEN];
	struct cfg_port p = { .ifname = "w9", .vni = 100, .mac_auto = true };
	struct cfg_route r = { .vni = 100, .prefixlen = 32, .mac = { 2, 0, 0, 0, 0, 0x99 } };

	ck_assert_msg(config_parse(contract_json, &c, err) == 0, "%s", err);
	p.ip = ip("10.1.0.99");
	ck_assert_msg(config_check_port(&c, &p, "", err) == 0, "%s", err);
	p.ip = ip("10.9.0.99");
	ck_assert_int_eq(config_check_port(&c, &p, "", err), -EINVAL);
	ck_assert_str_eq(err, "ip: 10.9.0.99 is outside VNI 100's subnet 10.1.0.0/16");
	p.ip = ip("10.1.0.99");
	p.vni = 7;
	ck_assert_int_eq(config_check_port(&c, &p, "args", err), -EINVAL);
	ck_assert_str_eq(err, "args.vni: VNI 7 is not in vnis");
	p.vni = 100;
	snprintf(p.ifname, sizeof(p.ifname), "a/b");
	ck_assert_int_eq(config_check_port(&c, &p, "", err), -EINVAL);
	ck_assert_msg(!strncmp(err, "ifname: expected an interface name", 34), "%s", err);

	r.prefix = ip("10.1.0.99");
	r.vtep = ip("192.0.2.7");
	ck_assert_msg(config_check_route(&c, &r, "", err) == 0, "%s", err);
	r.prefixlen = 24;
	ck_assert_int_eq(config_check_route(&c, &r, "", err), -EINVAL);
	ck_assert_str_eq(err, "prefix: expected a prefix without host bits");
	r.prefixlen = 32;
	r.vtep = c.vtep_ip;
	ck_assert_int_eq(config_check_route(&c, &r, "", err), -EINVAL);
	ck_assert_str_eq(err, "vtep: 192.0.2.1 is our own vtep.ip");
	config_free(&c);
}
END_TEST

START_TEST(test_entries_from_json)
{
	struct json_object *o;
	struct cfg_port p;
	struct cfg_route r;
	char err[CFG_ERR_LEN];

	o = json_tokener_parse("{ \"ifname\": \"w5\", \"vni\": 100, \"ip\": \"10.1.0.15\" }");
	ck_assert_int_eq(config_port_from_json(o, "args", &p, err), 0);
	ck_assert_str_eq(p.ifname, "w5");
	ck_assert(p.mac_auto);
	json_object_put(o);
	o = json_tokener_parse("{ \"ifname\": \"w5\", \"vni\": 100, \"ip\": \"10.1.0.15\", \"x\": 1 }");
	ck_assert_int_eq(config_port_from_json(o, "args", &p, err), -EINVAL);
	ck_assert_str_eq(err, "args.x: unknown key");
	json_object_put(o);
	o = json_tokener_parse("{ \"vni\": 100, \"prefix\": \"10.1.0.22/32\", \"vtep\": \"192.0.2.2\","
			       "  \"mac\": \"02:00:00:00:00:22\" }");
	ck_assert_int_eq(config_route_from_json(o, "", &r, err), 0);
	ck_assert_uint_eq(r.prefix, ip("10.1.0.22"));
	ck_assert_uint_eq(r.prefixlen, 32);
	json_object_put(o);
	o = json_tokener_parse("{ \"vni\": 100, \"prefix\": \"10.1.0.22/32\", \"vtep\": \"192.0.2.2\" }");
	ck_assert_int_eq(config_route_from_json(o, "", &r, err), -EINVAL);
	ck_assert_str_eq(err, "mac: required");
	json_object_put(o);
}
END_TEST

START_TEST(test_conflict_finder)
{
	struct cfg_port p[4] = {
		{ .ifname = "a", .vni = 1, .ip = 1, .mac_auto = true },
		{ .ifname = "b", .vni = 1, .ip = 2, .mac = { 2, 0, 0, 0, 0, 1 } },
		{ .ifname = "c", .vni = 2, .ip = 3, .mac = { 2, 0, 0, 0, 0, 1 } },
		{ .ifname = "d", .vni = 1, .ip = 4, .mac_auto = true },
	};
	struct cfg_route r[3] = {
		{ .vni = 1, .prefix = 10, .prefixlen = 32 },
		{ .vni = 2, .prefix = 10, .prefixlen = 32 },
		{ .vni = 1, .prefix = 10, .prefixlen = 31 },
	};
	struct cfg_conflict c;
	char buf[CFG_ERR_LEN];

	ck_assert_int_eq(config_find_conflict(p, 4, r, 3, &c), 0);
	ck_assert_int_eq(c.kind, CFG_CONFLICT_NONE);
	ck_assert_int_eq(config_find_conflict(NULL, 0, NULL, 0, &c), 0);

	/* the earliest repeat wins, whatever its kind */
	p[3].ip = 2;                        /* d repeats b's IP */
	p[2].vni = 1;                       /* c repeats b's MAC in VNI 1: earlier */
	ck_assert_int_eq(config_find_conflict(p, 4, r, 3, &c), 1);
	ck_assert_int_eq(c.kind, CFG_CONFLICT_MAC);
	ck_assert_uint_eq(c.first, 1);
	ck_assert_uint_eq(c.second, 2);
	config_fmt_conflict(&c, p, r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "ports b and c have the same MAC 02:00:00:00:00:01 in VNI 1");
	p[2].vni = 2;
	ck_assert_int_eq(config_find_conflict(p, 4, r, 3, &c), 1);
	ck_assert_int_eq(c.kind, CFG_CONFLICT_IP);
	ck_assert_uint_eq(c.first, 1);
	ck_assert_uint_eq(c.second, 3);
	p[3].ip = 4;
	snprintf(p[3].ifname, sizeof(p[3].ifname), "a");
	ck_assert_int_eq(config_find_conflict(p, 4, r, 3, &c), 1);
	ck_assert_int_eq(c.kind, CFG_CONFLICT_IFNAME);
	ck_assert_uint_eq(c.first, 0);
	ck_assert_uint_eq(c.second, 3);
	snprintf(p[3].ifname, sizeof(p[3].ifname), "d");

	/* routes: a repeat, and a /32 onto a port's address in its VNI */
	r[2].prefixlen = 32;
	ck_assert_int_eq(config_find_conflict(p, 4, r, 3, &c), 1);
	ck_assert_int_eq(c.kind, CFG_CONFLICT_ROUTE);
	ck_assert_uint_eq(c.first, 0);
	ck_assert_uint_eq(c.second, 2);
	r[1].prefix = 3;                    /* port c's IP, VNI 2: earlier */
	ck_assert_int_eq(config_find_conflict(p, 4, r, 3, &c), 1);
	ck_assert_int_eq(c.kind, CFG_CONFLICT_ROUTE_PORT);
	ck_assert_uint_eq(c.first, 2);
	ck_assert_uint_eq(c.second, 1);
	r[1].vni = 1;                       /* same IP, other VNI: no conflict */
	r[2].prefixlen = 31;
	ck_assert_int_eq(config_find_conflict(p, 4, r, 3, &c), 0);
}
END_TEST

/* IPv6 (agent/conf/config6.c), on the dual-stack contract config. */
static const struct bad_case bad6_cases[] = {
	/* ports[].ip6, ip6_ll; ip optional with ip6 */
	{ "ports[0].ip6", "\"2001:db8:999::11\"", "ports[0].ip6: 2001:db8:999::11 is outside VNI 100's subnet6 2001:db8:100::/64" },
	{ "ports[0].ip6", "\"2001:db8:100::1\"", "ports[0].ip6: 2001:db8:100::1 is VNI 100's gateway_ip6" },
	{ "ports[0].ip6", "\"2001:db8:100::\"", "ports[0].ip6: 2001:db8:100:: is the Subnet-Router anycast address of 2001:db8:100::/64" },
	{ "ports[0].ip6", "\"10.1.0.11\"", "ports[0].ip6: expected an IPv6 address" },
	{ "ports[0].ip6", "\"2001:db8:100::11/128\"", "ports[0].ip6: expected an IPv6 address" },
	{ "ports[0].ip6", "\"fe80::11\"", "ports[0].ip6: fe80::11 is outside VNI 100's subnet6" },
	{ "ports[0].ip6", "null", "ports[0].ip6: expected an IPv6 address" },
	{ "ports[0].ip6_ll", "\"2001:db8:100::12\"", "ports[0].ip6_ll: expected a link-local address in fe80::/64 (RFC 4291 2.5.6), got 2001:db8:100::12" },
	{ "ports[0].ip6_ll", "\"fe80:1::12\"", "ports[0].ip6_ll: expected a link-local address in fe80::/64" },
	{ "ports[0].ip6_ll", "\"fe80::\"", "ports[0].ip6_ll: expected a link-local address in fe80::/64" },
	{ "ports[0].ip6_ll", "\"fe80::ff:fe00:100\"", "ports[0].ip6_ll: fe80::ff:fe00:100 is VNI 100's gateway link-local address" },
	{ "ports[0].ip6_ll", "\"link-local\"", "ports[0].ip6_ll: expected an IPv6 address" },
	{ "ports[0].ip", "\"2001:db8:100::11\"", "ports[0].ip: expected an IPv4 address" },
	/* routes[].prefix IPv6 */
	{ "routes[0].prefix", "\"2001:db8:100::21/64\"", "routes[0].prefix: expected a prefix without host bits (2001:db8:100::/64)" },
	{ "routes[0].prefix", "\"2001:db8:100::21/129\"", "routes[0].prefix: expected X::Y or X::Y/LEN" },
	{ "routes[0].prefix", "\"2001:db8::100::21\"", "routes[0].prefix: expected X::Y or X::Y/LEN" },
	{ "routes[0].prefix", "\"2001:db8:100::1\"", "routes[0].prefix: 2001:db8:100::1/128 is VNI 100's gateway_ip6" },
	{ "routes[0].prefix", "\"2001:db8:100::11\"", "routes[0].prefix: 2001:db8:100::11/128 is the address of ports[0] (w1)" },
	{ "routes[0].prefix", "\"fe80::21\"", "routes[0].prefix: fe80::21/128 is not a unicast host address" },
	{ "routes[0].prefix", "\"ff02::1\"", "routes[0].prefix: ff02::1/128 is not a unicast host address" },
	{ "routes[0].prefix", "\"::1\"", "routes[0].prefix: ::1/128 is not a unicast host address" },
	{ "routes[0].prefix", "\"::\"", "routes[0].prefix: ::/128 is not a unicast host address" },
	{ "routes[0].prefix", "\"::ffff:10.1.0.21\"", "routes[0].prefix: ::ffff:10.1.0.21/128 is not a unicast host address" },
	{ "routes[0].prefix", "\"ff00::/8\"", "routes[0].prefix: ff00::/8 is a multicast or link-local prefix" },
	{ "routes[0].prefix", "\"fe80::/64\"", "routes[0].prefix: fe80::/64 is a multicast or link-local prefix" },
	{ "routes[1].prefix", "\"2001:db8:100::21/128\"", "routes[1].prefix: 2001:db8:100::21/128 in VNI 100 is already routes[0]" },
	{ "routes[0].prefix", "\"2001:db8:100::21\\u0000/64\"", "routes[0].prefix: expected A.B.C.D" },
};

START_TEST(test_bad6_value)
{
	expect_bad6_case(&bad6_cases[_i]);
}
END_TEST

/* A port needs ip or ip6; ip6 and a /128 need the VNI's subnet6. */
START_TEST(test_port6_rules)
{
	struct vtep_config c;
	char buf[INET6_ADDRSTRLEN];
	uint8_t ll[16];

	/* an IPv6-only port: ip left out */
	expect6_ok("ports[0].ip", NULL, &c);
	ck_assert_uint_eq(c.ports[0].ip, 0);
	ck_assert_str_eq(inet_ntop(AF_INET6, c.ports[0].ip6, buf, sizeof(buf)), "2001:db8:100::11");
	/* its link-local address: EUI-64 of the MAC unless configured */
	config_port_ll(&c.ports[0], c.ports[0].mac, ll);
	ck_assert_str_eq(inet_ntop(AF_INET6, ll, buf, sizeof(buf)), "fe80::ff:fe00:11");
	config_port_ll(&c.ports[0], NULL, ll);
	ck_assert(ll[0] == 0 && ll[15] == 0);
	config_free(&c);
	expect6_ok("ports[0].ip6_ll", "\"fe80::abcd\"", &c);
	config_port_ll(&c.ports[0], c.ports[0].mac, ll);
	ck_assert_str_eq(inet_ntop(AF_INET6, ll, buf, sizeof(buf)), "fe80::abcd");
	config_free(&c);
	/* neither: the IPv4 contract port without its ip */
	expect_mutation_refused("ports[0].ip", NULL, "ports[0].ip: required (or ip6)");
	/* ip6 in a VNI without subnet6 */
	expect_mutation_refused("ports[0].ip6", "\"2001:db8:100::11\"",
				"ports[0].ip6: VNI 100 has no subnet6");
	expect_mutation_refused("ports[0].ip6_ll", "\"fe80::11\"", "ports[0].ip6_ll: needs ip6");
	expect_mutation_refused("routes[0].prefix", "\"2001:db8:100::21\"",
				"routes[0].prefix: 2001:db8:100::21/128: VNI 100 has no subnet6");
}
END_TEST

/* Two IPv6-only ports do not clash on their (absent) IPv4 address; two
 * ports with one ip6 do, across VNIs too (the host's /128 to each). */
START_TEST(test_conflict6_finder)
{
	struct cfg_port p[3] = {
		{ .ifname = "a", .vni = 1, .mac_auto = true, .ip6 = { 0x20, 0x01, [15] = 1 } },
		{ .ifname = "b", .vni = 1, .mac_auto = true, .ip6 = { 0x20, 0x01, [15] = 2 } },
		{ .ifname = "c", .vni = 2, .mac_auto = true, .ip = 7, .ip6 = { 0x20, 0x01, [15] = 3 } },
	};
	struct cfg_route r[2] = {
		{ .vni = 1, .v6 = true, .prefixlen = 128, .prefix6 = { 0x20, 0x01, [15] = 9 } },
		{ .vni = 1, .prefix = 7, .prefixlen = 32 },
	};
	struct cfg_conflict c;
	char buf[CFG_ERR_LEN];

	ck_assert_int_eq(config_find_conflict(p, 3, r, 2, &c), 0);
	p[2].ip6[15] = 2;
	ck_assert_int_eq(config_find_conflict(p, 3, r, 2, &c), 1);
	ck_assert_int_eq(c.kind, CFG_CONFLICT_IP6);
	ck_assert_uint_eq(c.first, 1);
	ck_assert_uint_eq(c.second, 2);
	config_fmt_conflict(&c, p, r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "ports b and c have the same IPv6 address 2001::2");
	p[2].ip6[15] = 3;
	/* a /128 onto a port's ip6 in its VNI; the same IPv4 number in the
	 * other family is no conflict */
	r[0].prefix6[15] = 1;
	ck_assert_int_eq(config_find_conflict(p, 3, r, 2, &c), 1);
	ck_assert_int_eq(c.kind, CFG_CONFLICT_ROUTE_PORT);
	ck_assert_uint_eq(c.first, 0);
	ck_assert_uint_eq(c.second, 0);
	config_fmt_conflict(&c, p, r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "route 2001::1/128 in VNI 1 is the address of local port a");
	r[0].vni = 2;
	ck_assert_int_eq(config_find_conflict(p, 3, r, 2, &c), 0);
	/* a repeat: the same prefix, not another family's same bits */
	r[1] = r[0];
	ck_assert_int_eq(config_find_conflict(p, 3, r, 2, &c), 1);
	ck_assert_int_eq(c.kind, CFG_CONFLICT_ROUTE);
	r[1].v6 = false;
	ck_assert_int_eq(config_find_conflict(p, 3, r, 2, &c), 0);
}
END_TEST

/* The helpers for either family: text, parse, keys. */
START_TEST(test_route6_helpers)
{
	struct cfg_route a = { .vni = 1 }, b = { .vni = 1 };
	char buf[CFG_ADDR_STRLEN];

	ck_assert_int_eq(config_route_parse_prefix("2001:db8::21", &a), 0);
	ck_assert(a.v6 && a.prefixlen == 128);
	ck_assert_str_eq(config_route_fmt_prefix(&a, buf), "2001:db8::21/128");
	ck_assert_int_eq(config_route_parse_prefix("2001:DB8:0::21/128", &b), 0);
	ck_assert(config_route_same_key(&a, &b));
	ck_assert_int_eq(config_route_parse_prefix("2001:db8::/32", &b), 0);
	ck_assert(!config_route_same_key(&a, &b));
	ck_assert_int_lt(config_route_cmp_key(&b, &a), 0);
	ck_assert_int_eq(config_route_parse_prefix("10.1.0.0/16", &b), 0);
	ck_assert(!b.v6);
	ck_assert_str_eq(config_route_fmt_prefix(&b, buf), "10.1.0.0/16");
	/* IPv4 sorts before IPv6 in a VNI */
	ck_assert_int_lt(config_route_cmp_key(&b, &a), 0);
	ck_assert_int_eq(config_route_parse_prefix("2001:db8::1/64", &b), -EINVAL);
	ck_assert_int_eq(config_route_parse_prefix("10.1.0.1/16", &b), -EINVAL);
	ck_assert(!b.v6);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("config_ports");
	TCase *bad_values = tcase_create("bad_values");
	TCase *rules = tcase_create("rules");

	tcase_add_loop_test(bad_values, test_bad_value, 0, BAD_CASES(bad_cases));
	tcase_add_loop_test(bad_values, test_bad6_value, 0, BAD_CASES(bad6_cases));
	tcase_add_test(rules, test_port6_rules);
	tcase_add_test(rules, test_conflict6_finder);
	tcase_add_test(rules, test_route6_helpers);
	tcase_add_test(rules, test_contract_lookups);
	tcase_add_test(rules, test_check_runtime_entries);
	tcase_add_test(rules, test_entries_from_json);
	tcase_add_test(rules, test_conflict_finder);
	suite_add_tcase(s, bad_values);
	suite_add_tcase(s, rules);
	return s;
}
