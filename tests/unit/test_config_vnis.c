/* test_config_vnis.c - agent/conf/config, "vnis": each VNI's keys (VNI,
 * subnet, gateway address and MAC, route target, RD, ARP reply mode,
 * flood), one bad value per key at least, each refused with an error that
 * names the field; and the route target and RD encodings byte for byte
 * (RFC 4360, 4364, 5668): parsed, formatted back, "auto" resolved, and
 * which received route targets a VNI imports.
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

struct enc_case {
	const char *text;
	uint8_t bytes[8];
};

/* RFC 4360 s.3.1, 3.2, RFC 5668 s.2: type, sub-type 0x02, value */
static const struct enc_case rt_cases[] = {
	{ "65101:100",        { 0x00, 0x02, 0xfe, 0x4d, 0x00, 0x00, 0x00, 0x64 } },
	{ "1:0",              { 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00 } },
	{ "65535:4294967295", { 0x00, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
	{ "192.0.2.1:5",      { 0x01, 0x02, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x05 } },
	{ "10.0.0.1:65535",   { 0x01, 0x02, 0x0a, 0x00, 0x00, 0x01, 0xff, 0xff } },
	{ "65536:1",          { 0x02, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01 } },
	{ "4200000000:100",   { 0x02, 0x02, 0xfa, 0x56, 0xea, 0x00, 0x00, 0x64 } },
	{ "4294967295:65535", { 0x02, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
};

/* RFC 4364 s.4.2: 2-octet type, then the value */
static const struct enc_case rd_cases[] = {
	{ "65101:100",        { 0x00, 0x00, 0xfe, 0x4d, 0x00, 0x00, 0x00, 0x64 } },
	{ "65535:4294967295", { 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
	{ "192.0.2.1:100",    { 0x00, 0x01, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x64 } },
	{ "4200000000:7",     { 0x00, 0x02, 0xfa, 0x56, 0xea, 0x00, 0x00, 0x07 } },
	{ "65536:65535",      { 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0xff, 0xff } },
};

static const char *const rt_bad[] = {
	"", ":", "65101", "65101:", ":100", "0:1", "65101:-1", "-1:1", "+1:1", "65101:+1",
	"65101: 1", " 65101:1", "65101:1 ", "1.2.3.4:65536", "4200000000:65536",
	"4294967296:1", "12345678901:1", "a:1", "65101:1a", "1:2:3", "1.2.3.256:1", "1.2.3:1",
	"65101:4294967296", "0x10:1", "auto",
};

/* Bad values: each the contract config with one value replaced or
 * removed; the error names the field. */
static const struct bad_case bad_cases[] = {
	/* vnis */
	{ "vnis", "{}", "vnis: expected an array" },
	{ "vnis[0]", "100", "vnis[0]: expected an object" },
	{ "vnis[0].vni", "0", "vnis[0].vni: expected an integer 1..16777215, got 0" },
	{ "vnis[0].vni", "16777216", "vnis[0].vni: expected an integer 1..16777215, got 16777216" },
	{ "vnis[0].vni", "100.0", "vnis[0].vni: expected an integer 1..16777215, got 100.0" },
	{ "vnis[0].subnet", "\"10.1.0.0\"", "vnis[0].subnet: expected a subnet A.B.C.D/LEN with LEN 1..31" },
	{ "vnis[0].subnet", "\"10.1.0.0/32\"", "vnis[0].subnet: expected a subnet A.B.C.D/LEN with LEN 1..31" },
	{ "vnis[0].subnet", "\"0.0.0.0/0\"", "vnis[0].subnet: expected a subnet A.B.C.D/LEN with LEN 1..31" },
	{ "vnis[0].subnet", "\"10.1.0.0/33\"", "vnis[0].subnet: expected a subnet" },
	{ "vnis[0].subnet", "\"10.1.0.0/ 16\"", "vnis[0].subnet: expected a subnet" },
	{ "vnis[0].subnet", "\"10.1.0.1/16\"", "vnis[0].subnet: expected a subnet without host bits (10.1.0.0/16)" },
	{ "vnis[0].subnet", "16", "vnis[0].subnet: expected a subnet" },
	{ "vnis[0].gateway_ip", "\"10.2.0.1\"", "vnis[0].gateway_ip: expected an address inside the subnet 10.1.0.0/16" },
	{ "vnis[0].gateway_ip", "\"10.1.0.0\"", "vnis[0].gateway_ip: expected a host address of 10.1.0.0/16" },
	{ "vnis[0].gateway_ip", "\"10.1.255.255\"", "vnis[0].gateway_ip: expected a host address of 10.1.0.0/16" },
	{ "vnis[0].gateway_ip", "\"gw\"", "vnis[0].gateway_ip: expected an IPv4 address" },
	{ "vnis[0].gateway_mac", "\"01:00:5e:00:00:01\"", "vnis[0].gateway_mac: expected a unicast MAC address" },
	{ "vnis[0].gateway_mac", "\"ff:ff:ff:ff:ff:ff\"", "vnis[0].gateway_mac: expected a unicast MAC address" },
	{ "vnis[0].gateway_mac", "\"00:00:00:00:00:00\"", "vnis[0].gateway_mac: expected a non-zero MAC address" },
	{ "vnis[0].gateway_mac", "\"02:00:00:00:01\"", "vnis[0].gateway_mac: expected a MAC address" },
	{ "vnis[0].gateway_mac", "\"02-00-00-00-01-00\"", "vnis[0].gateway_mac: expected a MAC address" },
	{ "vnis[0].gateway_mac", "\"auto\"", "vnis[0].gateway_mac: expected a MAC address" },
	{ "vnis[0].route_target", "\"AUTO\"", "vnis[0].route_target: expected \"auto\", \"ASN:NN\" or \"IP:NN\"" },
	{ "vnis[0].route_target", "\"65101\"", "vnis[0].route_target: expected \"auto\"" },
	{ "vnis[0].route_target", "\"0:100\"", "vnis[0].route_target: expected \"auto\"" },
	{ "vnis[0].route_target", "\"65101:4294967296\"", "vnis[0].route_target: expected \"auto\"" },
	{ "vnis[0].route_target", "\"4200000000:65536\"", "vnis[0].route_target: expected \"auto\"" },
	{ "vnis[0].route_target", "\"192.0.2.1:65536\"", "vnis[0].route_target: expected \"auto\"" },
	{ "vnis[0].route_target", "\"65101:100:1\"", "vnis[0].route_target: expected \"auto\"" },
	{ "vnis[0].route_target", "6510100100", "vnis[0].route_target: expected \"auto\"" },
	{ "vnis[0].rd", "\"router:1\"", "vnis[0].rd: expected \"auto\", \"ASN:NN\" or \"IP:NN\"" },
	{ "vnis[0].rd", "\"192.0.2:1\"", "vnis[0].rd: expected \"auto\"" },
	{ "vnis[0].rd", "null", "vnis[0].rd: expected \"auto\"" },
	{ "vnis[0].arp_reply", "\"proxy\"", "vnis[0].arp_reply: expected \"gateway\" or \"real\", got \"proxy\"" },
	{ "vnis[0].arp_reply", "true", "vnis[0].arp_reply: expected \"gateway\" or \"real\"" },
	{ "vnis[0].flood", "\"false\"", "vnis[0].flood: expected true or false" },
	{ "vnis[0].flood", "0", "vnis[0].flood: expected true or false" },
	{ "vnis[0].outside", "\"route\"", "vnis[0].outside: expected \"drop\" or \"host\", got \"route\"" },
	{ "vnis[0].outside", "true", "vnis[0].outside: expected \"drop\" or \"host\"" },
	/* host_ip without outside "host" (the default "drop") */
	{ "vnis[0].host_ip", "\"10.1.1.1\"", "vnis[0].host_ip: needs \"outside\": \"host\"" },
	/* a NUL inside a string must not cut it short */
	{ "vnis[0].subnet", "\"10.1.0.0/16\\u0000\"", "vnis[0].subnet: expected a subnet" },
	{ "vnis[0].route_target", "\"auto\\u0000\"", "vnis[0].route_target: expected \"auto\"" },
	{ "vnis[0].arp_reply", "\"real\\u0000\"", "vnis[0].arp_reply: expected \"gateway\" or \"real\"" },
};

START_TEST(test_bad_value)
{
	expect_bad_case(&bad_cases[_i]);
}
END_TEST

START_TEST(test_rt_rd_encodings)
{
	uint8_t b[8];
	char s[CFG_RT_STRLEN];

	for (size_t i = 0; i < sizeof(rt_cases) / sizeof(rt_cases[0]); i++) {
		memset(b, 0xee, 8);
		ck_assert_msg(config_parse_rt(rt_cases[i].text, b) == 0, "rt %s", rt_cases[i].text);
		ck_assert_mem_eq(b, rt_cases[i].bytes, 8);
		ck_assert_int_eq(config_fmt_rt(b, s), 0);
		ck_assert_str_eq(s, rt_cases[i].text);
	}
	for (size_t i = 0; i < sizeof(rd_cases) / sizeof(rd_cases[0]); i++) {
		memset(b, 0xee, 8);
		ck_assert_msg(config_parse_rd(rd_cases[i].text, b) == 0, "rd %s", rd_cases[i].text);
		ck_assert_mem_eq(b, rd_cases[i].bytes, 8);
		ck_assert_int_eq(config_fmt_rd(b, s), 0);
		ck_assert_str_eq(s, rd_cases[i].text);
	}
	for (size_t i = 0; i < sizeof(rt_bad) / sizeof(rt_bad[0]); i++) {
		ck_assert_msg(config_parse_rt(rt_bad[i], b) == -EINVAL, "rt accepted \"%s\"", rt_bad[i]);
		ck_assert_msg(config_parse_rd(rt_bad[i], b) == -EINVAL, "rd accepted \"%s\"", rt_bad[i]);
	}
	ck_assert_int_eq(config_parse_rt(NULL, b), -EINVAL);
}
END_TEST

START_TEST(test_rt_rd_fmt_unknown)
{
	static const uint8_t soo[8] = { 0x00, 0x03, 0xfe, 0x4d, 0, 0, 0, 1 };  /* site of origin */
	static const uint8_t rd9[8] = { 0x00, 0x09, 1, 2, 3, 4, 5, 6 };
	char s[CFG_RT_STRLEN];

	ck_assert_int_eq(config_fmt_rt(soo, s), -EINVAL);
	ck_assert_str_eq(s, "0x0003fe4d00000001");
	ck_assert_int_eq(config_fmt_rd(rd9, s), -EINVAL);
	ck_assert_str_eq(s, "0x0009010203040506");
}
END_TEST

START_TEST(test_vni_auto_rt_rd)
{
	struct vtep_config c;
	char err[CFG_ERR_LEN];
	uint8_t b[8];
	static const uint8_t rt[8] = { 0x00, 0x02, 0xfe, 0x4d, 0x00, 0x00, 0x00, 0x64 };
	static const uint8_t rd[8] = { 0x00, 0x01, 192, 0, 2, 1, 0x00, 0x64 };
	static const uint8_t rt4[8] = { 0x02, 0x02, 0xfa, 0x56, 0xea, 0x00, 0x00, 0x64 };
	char *t;

	ck_assert_msg(config_parse(contract_json, &c, err) == 0, "%s", err);
	ck_assert_int_eq(config_vni_rt(&c, &c.vnis[0], b), 0);
	ck_assert_mem_eq(b, rt, 8);
	ck_assert_int_eq(config_vni_rd(&c, &c.vnis[0], b), 0);
	ck_assert_mem_eq(b, rd, 8);
	config_free(&c);

	t = mutate(contract_json, "bgp.asn", "4200000000");
	ck_assert_msg(config_parse(t, &c, err) == 0, "%s", err);
	ck_assert_int_eq(config_vni_rt(&c, &c.vnis[0], b), 0);
	ck_assert_mem_eq(b, rt4, 8);
	config_free(&c);
	free(t);

	/* explicit values are returned as configured */
	t = mutate(contract_json, "vnis[0].route_target", "\"192.0.2.9:7\"");
	ck_assert_msg(config_parse(t, &c, err) == 0, "%s", err);
	ck_assert_int_eq(config_vni_rt(&c, &c.vnis[0], b), 0);
	ck_assert_mem_eq(b, c.vnis[0].route_target, 8);
	config_free(&c);
	free(t);

	/* no bgp: nothing to derive from */
	t = mutate(contract_json, "bgp", NULL);
	ck_assert_msg(config_parse(t, &c, err) == 0, "%s", err);
	ck_assert_int_eq(config_vni_rt(&c, &c.vnis[0], b), -EINVAL);
	ck_assert_int_eq(config_vni_rd(&c, &c.vnis[0], b), -EINVAL);
	config_free(&c);
	free(t);
}
END_TEST

/* DESIGN.md: "auto" imports any RT whose administrator-assigned part is
 * the VNI, whatever the ASN; an explicit RT imports only itself. */
START_TEST(test_rt_import)
{
	struct cfg_vni v = { .vni = 100, .rt_auto = true };
	uint8_t b[8];
	static const uint8_t rfc8365[8] = { 0x00, 0x02, 0xfe, 0x4d, 0x10, 0x00, 0x00, 0x64 };
	static const uint8_t rfc8365_other[8] = { 0x00, 0x02, 0xfe, 0x4d, 0x10, 0x00, 0x00, 0x65 };
	static const uint8_t soo[8] = { 0x00, 0x03, 0xfe, 0x4d, 0x00, 0x00, 0x00, 0x64 };

	ck_assert_int_eq(config_parse_rt("65001:100", b), 0);
	ck_assert(config_vni_imports_rt(&v, b));
	ck_assert_int_eq(config_parse_rt("65101:100", b), 0);
	ck_assert(config_vni_imports_rt(&v, b));
	ck_assert_int_eq(config_parse_rt("4200000000:100", b), 0);
	ck_assert(config_vni_imports_rt(&v, b));
	ck_assert_int_eq(config_parse_rt("192.0.2.1:100", b), 0);
	ck_assert(config_vni_imports_rt(&v, b));
	ck_assert(config_vni_imports_rt(&v, rfc8365));
	ck_assert(!config_vni_imports_rt(&v, rfc8365_other));
	ck_assert(!config_vni_imports_rt(&v, soo));
	ck_assert_int_eq(config_parse_rt("65001:101", b), 0);
	ck_assert(!config_vni_imports_rt(&v, b));
	ck_assert_int_eq(config_parse_rt("65001:4294967295", b), 0);
	ck_assert(!config_vni_imports_rt(&v, b));

	v.rt_auto = false;
	ck_assert_int_eq(config_parse_rt("65000:7", v.route_target), 0);
	ck_assert_int_eq(config_parse_rt("65000:7", b), 0);
	ck_assert(config_vni_imports_rt(&v, b));
	ck_assert_int_eq(config_parse_rt("65001:7", b), 0);
	ck_assert(!config_vni_imports_rt(&v, b));
	ck_assert_int_eq(config_parse_rt("65000:100", b), 0);
	ck_assert(!config_vni_imports_rt(&v, b));
}
END_TEST

/* IPv6 (agent/conf/config6.c): the dual-stack contract config with one
 * value replaced or removed. RFC 4291 2.4, 2.5.6, 2.6.1, 2.7; RFC 4862
 * 5.5.3 for SLAAC's /64. */
static const struct bad_case bad6_cases[] = {
	{ "vnis[0].subnet6", "\"2001:db8:100::\"", "vnis[0].subnet6: expected an IPv6 subnet X::/LEN with LEN 1..127" },
	{ "vnis[0].subnet6", "\"2001:db8:100::/128\"", "vnis[0].subnet6: expected an IPv6 subnet X::/LEN with LEN 1..127" },
	{ "vnis[0].subnet6", "\"::/0\"", "vnis[0].subnet6: expected an IPv6 subnet X::/LEN with LEN 1..127" },
	{ "vnis[0].subnet6", "\"10.1.0.0/16\"", "vnis[0].subnet6: expected an IPv6 subnet" },
	{ "vnis[0].subnet6", "\"2001:db8:100::1/64\"", "vnis[0].subnet6: expected a subnet without host bits (2001:db8:100::/64)" },
	{ "vnis[0].subnet6", "\"fe80::/64\"", "vnis[0].subnet6: expected a unicast subnet" },
	{ "vnis[0].subnet6", "\"ff02::/64\"", "vnis[0].subnet6: expected a unicast subnet" },
	{ "vnis[0].subnet6", "\"::ffff:0:0/96\"", "vnis[0].subnet6: expected a unicast subnet" },
	{ "vnis[0].subnet6", "\"::/64\"", "vnis[0].subnet6: expected a unicast subnet" },
	{ "vnis[0].subnet6", "64", "vnis[0].subnet6: expected an IPv6 subnet" },
	{ "vnis[0].subnet6", "\"2001:db8:100::/64\\u0000\"", "vnis[0].subnet6: expected an IPv6 subnet" },
	{ "vnis[0].gateway_ip6", "\"2001:db8:999::1\"", "vnis[0].gateway_ip6: expected an address inside the subnet6 2001:db8:100::/64" },
	{ "vnis[0].gateway_ip6", "\"2001:db8:100::\"", "vnis[0].gateway_ip6: expected a host address of 2001:db8:100::/64, not its Subnet-Router anycast address" },
	{ "vnis[0].gateway_ip6", "\"10.1.255.254\"", "vnis[0].gateway_ip6: expected an IPv6 address" },
	{ "vnis[0].gateway_ip6", "\"fe80::1\"", "vnis[0].gateway_ip6: expected an address inside the subnet6" },
	{ "vnis[0].gateway_ip6", "null", "vnis[0].gateway_ip6: expected an IPv6 address" },
	{ "vnis[0].slaac", "\"yes\"", "vnis[0].slaac: expected true or false" },
	{ "vnis[0].subnet6", "\"2001:db8:100::/56\"", "vnis[0].slaac: needs a /64 subnet6, got 2001:db8:100::/56" },
	{ "vnis[0].ipv6", "true", "vnis[0].ipv6: unknown key" },
};

START_TEST(test_bad6_value)
{
	expect_bad6_case(&bad6_cases[_i]);
}
END_TEST

/* Without subnet6 a VNI has no IPv6 (prefixlen6 0): gateway_ip6 and slaac
 * need it. */
START_TEST(test_vni6_needs_subnet6)
{
	expect_mutation_refused("vnis[0].gateway_ip6", "\"2001:db8:100::1\"",
				"vnis[0].gateway_ip6: needs subnet6");
	expect_mutation_refused("vnis[0].slaac", "true", "vnis[0].slaac: needs subnet6");
}
END_TEST

START_TEST(test_vni6_parsed)
{
	struct vtep_config c;
	uint8_t want[16];

	expect6_ok(NULL, NULL, &c);
	ck_assert_uint_eq(c.vnis[0].prefixlen6, 64);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:100::", want), 1);
	ck_assert_mem_eq(c.vnis[0].subnet6, want, 16);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:100::1", want), 1);
	ck_assert_mem_eq(c.vnis[0].gateway_ip6, want, 16);
	ck_assert(c.vnis[0].slaac);
	config_free(&c);
	/* gateway_ip6 is optional (the gateway's link-local address serves),
	 * slaac false by default, any prefix length without it */
	expect6_ok("vnis[0].gateway_ip6", NULL, &c);
	ck_assert(c.vnis[0].gateway_ip6[0] == 0 && c.vnis[0].prefixlen6 == 64);
	config_free(&c);
	expect6_ok("vnis[0].slaac", NULL, &c);
	ck_assert(!c.vnis[0].slaac);
	config_free(&c);
	/* the contract's VNI has no IPv6 at all */
	expect_mutation_ok("vnis[0].flood", "false", &c);
	ck_assert_uint_eq(c.vnis[0].prefixlen6, 0);
	config_free(&c);
}
END_TEST

/* The gateway's link-local address: fe80::/64 + the EUI-64 of its MAC. */
START_TEST(test_vni6_gateway_ll)
{
	struct vtep_config c;
	char buf[INET6_ADDRSTRLEN];
	uint8_t ll[16];

	expect6_ok(NULL, NULL, &c);
	config_vni_gateway_ll(&c.vnis[0], ll);
	ck_assert_str_eq(inet_ntop(AF_INET6, ll, buf, sizeof(buf)), "fe80::ff:fe00:100");
	config_free(&c);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("config_vnis");
	TCase *bad_values = tcase_create("bad_values");
	TCase *rt_rd = tcase_create("rt_rd");

	tcase_add_loop_test(bad_values, test_bad_value, 0, BAD_CASES(bad_cases));
	tcase_add_loop_test(bad_values, test_bad6_value, 0, BAD_CASES(bad6_cases));
	tcase_add_test(bad_values, test_vni6_needs_subnet6);
	tcase_add_test(bad_values, test_vni6_parsed);
	tcase_add_test(bad_values, test_vni6_gateway_ll);
	tcase_add_test(rt_rd, test_rt_rd_encodings);
	tcase_add_test(rt_rd, test_rt_rd_fmt_unknown);
	tcase_add_test(rt_rd, test_vni_auto_rt_rd);
	tcase_add_test(rt_rd, test_rt_import);
	suite_add_tcase(s, bad_values);
	suite_add_tcase(s, rt_rd);
	return s;
}
