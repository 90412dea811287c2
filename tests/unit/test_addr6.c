/* test_addr6.c - lib/addr6: IPv6 parsing, the RFC 5952 text form every
 * table and JSON document prints, prefixes with their length, masks,
 * address classes, and the link-local address derived from a MAC
 * (modified EUI-64, RFC 4291 2.5.1 and appendix A, RFC 2464 4). */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "check_main.h"
#include "addr6.h"

static void ip6(const char *s, uint8_t out[16])
{
	ck_assert_int_eq(inet_pton(AF_INET6, s, out), 1);
}

/* RFC 5952 section 4 (and its section 2 examples): one text form. */
START_TEST(test_fmt_rfc5952)
{
	static const struct { const char *in, *out; } v[] = {
		/* 4.1: leading zeros dropped */
		{ "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
		/* 4.2.1: "::" as long as possible */
		{ "2001:db8:0:0:0:0:2:1", "2001:db8::2:1" },
		/* 4.2.2: not for a single 16-bit 0 field */
		{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
		/* 4.2.3: the longest run; of equal runs the first */
		{ "2001:0:0:1:0:0:0:1", "2001:0:0:1::1" },
		{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
		/* 4.3: lower case */
		{ "2001:DB8:AC10:FE01::", "2001:db8:ac10:fe01::" },
		{ "0:0:0:0:0:0:0:0", "::" },
		{ "0:0:0:0:0:0:0:1", "::1" },
		{ "FE80:0:0:0:0:FF:FE00:11", "fe80::ff:fe00:11" },
		/* 5: IPv4-mapped addresses keep the dotted tail */
		{ "::ffff:c000:0201", "::ffff:192.0.2.1" },
	};
	char buf[ADDR6_STRLEN];
	uint8_t a[16];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ip6(v[i].in, a);
		ck_assert_str_eq(addr6_fmt(a, buf), v[i].out);
	}
}
END_TEST

START_TEST(test_parse_good_and_bad)
{
	static const char *const bad[] = {
		"", "1.2.3.4", "2001:db8::1::2", "2001:db8:::1", "2001:db8::g", " 2001:db8::1",
		"2001:db8::1 ", "fe80::1%eth0", "2001:db8:0:0:0:0:0:0:1", "12345::1", "[::1]",
		"2001:db8::1/64",
	};
	uint8_t a[16], want[16], keep[16];

	ck_assert_int_eq(addr6_parse("2001:DB8::21", a), 0);
	ip6("2001:db8::21", want);
	ck_assert_mem_eq(a, want, 16);
	memset(keep, 0xa5, 16);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(a, keep, 16);
		ck_assert_msg(addr6_parse(bad[i], a) == -EINVAL, "accepted \"%s\"", bad[i]);
		ck_assert_mem_eq(a, keep, 16);
	}
	ck_assert_int_eq(addr6_parse(NULL, a), -EINVAL);
	ck_assert(addr6_is_text6("::1"));
	ck_assert(!addr6_is_text6("10.0.0.1"));
}
END_TEST

START_TEST(test_parse_prefix)
{
	static const char *const bad[] = {
		"2001:db8::1/64", "2001:db8::/129", "2001:db8::/-1", "2001:db8::/ 64",
		"2001:db8::/64 ", "2001:db8::/0x40", "2001:db8::/", "/64", "10.0.0.0/8",
		"2001:db8::/0064",
	};
	uint8_t a[16], want[16], len = 0;

	ck_assert_int_eq(addr6_parse_prefix("2001:db8:1::/48", a, &len, 0), 0);
	ip6("2001:db8:1::", want);
	ck_assert_mem_eq(a, want, 16);
	ck_assert_uint_eq(len, 48);
	ck_assert_int_eq(addr6_parse_prefix("2001:db8::21", a, &len, 0), 0);
	ck_assert_uint_eq(len, 128);
	ck_assert_int_eq(addr6_parse_prefix("::/0", a, &len, 0), 0);
	ck_assert_uint_eq(len, 0);
	/* a subnet written with an address of it */
	ck_assert_int_eq(addr6_parse_prefix("2001:db8::1/64", a, &len, 1), 0);
	ck_assert_uint_eq(len, 64);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = 7;
		ck_assert_msg(addr6_parse_prefix(bad[i], a, &len, 0) == -EINVAL, "accepted \"%s\"",
			      bad[i]);
		ck_assert_uint_eq(len, 7);
	}
}
END_TEST

START_TEST(test_fmt_prefix_always_has_len)
{
	char buf[ADDR6_PREFIX_STRLEN];
	uint8_t a[16];

	ip6("2001:db8::21", a);
	ck_assert_str_eq(addr6_fmt_prefix(a, 128, buf), "2001:db8::21/128");
	ip6("2001:db8:1::", a);
	ck_assert_str_eq(addr6_fmt_prefix(a, 48, buf), "2001:db8:1::/48");
	memset(a, 0xff, 16);
	/* the widest text fits the buffer */
	ip6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", a);
	ck_assert_str_eq(addr6_fmt_prefix(a, 128, buf),
			 "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	ip6("::ffff:255.255.255.255", a);
	ck_assert_str_eq(addr6_fmt_prefix(a, 128, buf), "::ffff:255.255.255.255/128");
}
END_TEST

START_TEST(test_mask_and_subnet)
{
	uint8_t a[16], n[16], m[16], want[16];

	ip6("2001:db8:abcd:12ff::1", a);
	addr6_mask(m, a, 52);
	ip6("2001:db8:abcd:1000::", want);
	ck_assert_mem_eq(m, want, 16);
	addr6_mask(m, a, 0);
	ck_assert(addr6_is_zero(m));
	addr6_mask(m, a, 128);
	ck_assert_mem_eq(m, a, 16);
	ip6("2001:db8:abcd:1000::", n);
	ck_assert(addr6_in_subnet(a, n, 52));
	ck_assert(!addr6_in_subnet(a, n, 56));
	ck_assert(addr6_in_subnet(a, n, 0));
	ck_assert(addr6_has_host_bits(a, 64));
	ck_assert(!addr6_has_host_bits(n, 52));
	ck_assert(addr6_has_host_bits(n, 51));
}
END_TEST

START_TEST(test_classes)
{
	uint8_t a[16];

	ip6("::", a);
	ck_assert(addr6_is_zero(a) && !addr6_is_host(a));
	ip6("::1", a);
	ck_assert(addr6_is_loopback(a) && !addr6_is_host(a));
	ip6("ff02::1:ff00:21", a);
	ck_assert(addr6_is_multicast(a) && !addr6_is_host(a));
	ip6("fe80::1", a);
	ck_assert(addr6_is_link_local(a) && !addr6_is_host(a));
	ip6("febf:ffff::1", a);
	ck_assert(addr6_is_link_local(a));
	ip6("fec0::1", a);
	ck_assert(!addr6_is_link_local(a));
	ip6("::ffff:10.0.0.1", a);
	ck_assert(addr6_is_v4mapped(a) && !addr6_is_host(a));
	ip6("2001:db8::21", a);
	ck_assert(addr6_is_host(a));
	ip6("fd00::1", a);
	ck_assert(addr6_is_host(a));
}
END_TEST

/* RFC 2464 section 4: 34-56-78-9A-BC-DE has the interface identifier
 * 3656:78FF:FE9A:BCDE (the universal/local bit inverted, RFC 4291
 * appendix A); the link-local prefix is fe80::/64 (RFC 4291 2.5.6). */
START_TEST(test_ll_from_mac)
{
	static const uint8_t mac1[6] = { 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde };
	static const uint8_t mac2[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x11 };
	char buf[ADDR6_STRLEN];
	uint8_t a[16];

	addr6_ll_from_mac(mac1, a);
	ck_assert_str_eq(addr6_fmt(a, buf), "fe80::3656:78ff:fe9a:bcde");
	ck_assert(addr6_is_link_local(a));
	addr6_ll_from_mac(mac2, a);
	ck_assert_str_eq(addr6_fmt(a, buf), "fe80::ff:fe00:11");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("addr6");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_fmt_rfc5952);
	tcase_add_test(tc, test_parse_good_and_bad);
	tcase_add_test(tc, test_parse_prefix);
	tcase_add_test(tc, test_fmt_prefix_always_has_len);
	tcase_add_test(tc, test_mask_and_subnet);
	tcase_add_test(tc, test_classes);
	tcase_add_test(tc, test_ll_from_mac);
	suite_add_tcase(s, tc);
	return s;
}
