/* test_addr.c - lib/addr: the strict parsers for what users type (IPv4,
 * IPv4/len, MAC), the printers, masks and subnet membership. A parser that
 * fails must leave its output untouched (addr.h). */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "check_main.h"
#include "addr.h"

static uint32_t ip(const char *s)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

START_TEST(test_parse_ip_good)
{
	uint32_t v = 0;

	ck_assert_int_eq(addr_parse_ip("192.0.2.1", &v), 0);
	ck_assert_uint_eq(v, htonl(0xc0000201));
	ck_assert_int_eq(addr_parse_ip("0.0.0.0", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(addr_parse_ip("255.255.255.255", &v), 0);
	ck_assert_uint_eq(v, 0xffffffffu);
}
END_TEST

START_TEST(test_parse_ip_bad)
{
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "1.2.3.256", "1.2.3.-1", " 1.2.3.4", "1.2.3.4 ",
		"1.2.3.4/32", "01.2.3.4", "0x1.2.3.4", "1..3.4", "1.2.3.", "a.b.c.d", "1234",
		"::1", "1.2.3.4\n",
	};
	uint32_t v = 0xdeadbeef;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(addr_parse_ip(bad[i], &v) == -EINVAL, "accepted \"%s\"", bad[i]);
		ck_assert_uint_eq(v, 0xdeadbeef);
	}
	ck_assert_int_eq(addr_parse_ip(NULL, &v), -EINVAL);
}
END_TEST

START_TEST(test_parse_prefix_good)
{
	uint32_t v = 0;
	uint8_t len = 0;

	ck_assert_int_eq(addr_parse_prefix("10.1.0.0/16", &v, &len, 0), 0);
	ck_assert_uint_eq(v, ip("10.1.0.0"));
	ck_assert_uint_eq(len, 16);
	/* no /len means a host route */
	ck_assert_int_eq(addr_parse_prefix("10.1.0.21", &v, &len, 0), 0);
	ck_assert_uint_eq(v, ip("10.1.0.21"));
	ck_assert_uint_eq(len, 32);
	ck_assert_int_eq(addr_parse_prefix("0.0.0.0/0", &v, &len, 0), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(addr_parse_prefix("255.255.255.255/32", &v, &len, 0), 0);
	ck_assert_uint_eq(len, 32);
	/* host bits: refused unless allowed, kept as written when allowed */
	ck_assert_int_eq(addr_parse_prefix("10.1.255.254/16", &v, &len, 0), -EINVAL);
	ck_assert_int_eq(addr_parse_prefix("10.1.255.254/16", &v, &len, 1), 0);
	ck_assert_uint_eq(v, ip("10.1.255.254"));
	ck_assert_uint_eq(len, 16);
}
END_TEST

START_TEST(test_parse_prefix_bad)
{
	static const char *const bad[] = {
		"", "/", "10.0.0.0/", "/8", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8",
		"10.0.0.0/8/8", "10.0.0.0/8 ", "10.0.0.0 /8", "10.0.0.0/x", "10.0.0.0/0x8",
		"10.0.0/8", "10.0.0.0.0/8", "255.255.255.255.255/32", "10.0.0.0/99999999999999999999",
		/* strtol() skips leading white space; a prefix length must not */
		"10.0.0.0/ 8", "10.0.0.0/\t8", "10.0.0.0/\n8",
	};
	uint32_t v = 0xdeadbeef;
	uint8_t len = 99;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(addr_parse_prefix(bad[i], &v, &len, 1) == -EINVAL,
			      "accepted \"%s\"", bad[i]);
		ck_assert_uint_eq(v, 0xdeadbeef);
		ck_assert_uint_eq(len, 99);
	}
	ck_assert_int_eq(addr_parse_prefix(NULL, &v, &len, 1), -EINVAL);
}
END_TEST

START_TEST(test_parse_mac)
{
	static const char *const bad[] = {
		"", "02:00:00:00:00", "02:00:00:00:00:01:02", "02-00-00-00-00-01",
		"0200.0000.0001", "2:0:0:0:0:1", "02:00:00:00:00:0g", "02:00:00:00:00:1",
		"02:00:00:00:00:001", " 02:00:00:00:00:01", "02:00:00:00:00:01 ", "02:00:00:00:00:-1",
		"02:00:00:00:00+01", "020000000001",
	};
	uint8_t m[6] = { 9, 9, 9, 9, 9, 9 };
	static const uint8_t want[6] = { 0x02, 0x00, 0xab, 0xcd, 0xEF, 0x01 };
	static const uint8_t nines[6] = { 9, 9, 9, 9, 9, 9 };

	ck_assert_int_eq(addr_parse_mac("02:00:ab:CD:ef:01", m), 0);
	ck_assert_mem_eq(m, want, 6);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(m, 9, 6);
		ck_assert_msg(addr_parse_mac(bad[i], m) == -EINVAL, "accepted \"%s\"", bad[i]);
		ck_assert_mem_eq(m, nines, 6);
	}
	ck_assert_int_eq(addr_parse_mac(NULL, m), -EINVAL);
}
END_TEST

START_TEST(test_format)
{
	char ipb[ADDR_IP_STRLEN], pb[ADDR_PREFIX_STRLEN], mb[ADDR_MAC_STRLEN];
	static const uint8_t mac[6] = { 0x02, 0, 0xab, 0xcd, 0xef, 0x01 };
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	ck_assert_str_eq(addr_fmt_ip(ip("192.0.2.1"), ipb), "192.0.2.1");
	ck_assert_str_eq(addr_fmt_ip(0xffffffffu, ipb), "255.255.255.255");
	ck_assert_str_eq(addr_fmt_prefix(ip("10.1.0.21"), 32, pb), "10.1.0.21/32");
	/* the longest prefix fits its buffer exactly */
	ck_assert_str_eq(addr_fmt_prefix(0xffffffffu, 32, pb), "255.255.255.255/32");
	ck_assert_str_eq(addr_fmt_mac(mac, mb), "02:00:ab:cd:ef:01");
	ck_assert_str_eq(addr_fmt_mac(bc, mb), "ff:ff:ff:ff:ff:ff");
}
END_TEST

START_TEST(test_round_trip)
{
	char pb[ADDR_PREFIX_STRLEN], mb[ADDR_MAC_STRLEN];
	uint32_t v;
	uint8_t len, m[6];

	for (unsigned l = 0; l <= 32; l++) {
		uint32_t net = ip("203.0.113.77") & addr_mask((uint8_t)l);

		addr_fmt_prefix(net, (uint8_t)l, pb);
		ck_assert_int_eq(addr_parse_prefix(pb, &v, &len, 0), 0);
		ck_assert_uint_eq(v, net);
		ck_assert_uint_eq(len, l);
	}
	ck_assert_int_eq(addr_parse_mac("fe:dc:ba:98:76:54", m), 0);
	ck_assert_str_eq(addr_fmt_mac(m, mb), "fe:dc:ba:98:76:54");
}
END_TEST

START_TEST(test_mask_and_subnet)
{
	ck_assert_uint_eq(addr_mask(0), 0);
	ck_assert_uint_eq(addr_mask(1), htonl(0x80000000u));
	ck_assert_uint_eq(addr_mask(16), htonl(0xffff0000u));
	ck_assert_uint_eq(addr_mask(24), htonl(0xffffff00u));
	ck_assert_uint_eq(addr_mask(31), htonl(0xfffffffeu));
	ck_assert_uint_eq(addr_mask(32), 0xffffffffu);
	ck_assert_uint_eq(addr_mask(33), 0xffffffffu);

	ck_assert(addr_in_subnet(ip("10.1.200.3"), ip("10.1.0.0"), 16));
	ck_assert(addr_in_subnet(ip("10.1.255.255"), ip("10.1.0.0"), 16));
	ck_assert(!addr_in_subnet(ip("10.2.0.1"), ip("10.1.0.0"), 16));
	ck_assert(!addr_in_subnet(ip("10.0.255.255"), ip("10.1.0.0"), 16));
	ck_assert(addr_in_subnet(ip("8.8.8.8"), 0, 0));
	ck_assert(addr_in_subnet(ip("10.1.0.21"), ip("10.1.0.21"), 32));
	ck_assert(!addr_in_subnet(ip("10.1.0.22"), ip("10.1.0.21"), 32));
	/* the network operand's host bits do not matter */
	ck_assert(addr_in_subnet(ip("10.1.0.7"), ip("10.1.255.254"), 16));
}
END_TEST

START_TEST(test_mac_is_zero)
{
	static const uint8_t z[6], nz[6] = { 0, 0, 0, 0, 0, 1 }, nz0[6] = { 0x80, 0, 0, 0, 0, 0 };

	ck_assert(addr_mac_is_zero(z));
	ck_assert(!addr_mac_is_zero(nz));
	ck_assert(!addr_mac_is_zero(nz0));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_ip_good);
	tcase_add_test(tc, test_parse_ip_bad);
	tcase_add_test(tc, test_parse_prefix_good);
	tcase_add_test(tc, test_parse_prefix_bad);
	tcase_add_test(tc, test_parse_mac);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_mask_and_subnet);
	tcase_add_test(tc, test_mac_is_zero);
	suite_add_tcase(s, tc);
	return s;
}
