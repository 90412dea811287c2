/* test_evpn_nlri.c - the EVPN NLRI codec (agent/wire/evpn_nlri.c) against
 * golden vectors built octet by octet from RFC 7432 7.2/7.3 and RFC 9136
 * 3.1: decode to fields, encode back to the same octets, exact-length
 * checks per type, skipping of other types, framing errors, VNI from the
 * label field (RFC 8365 5.1.3). */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "check_main.h"
#include "bgp_test_util.h"
#include "evpn_nlri.h"

/* RD type 1 (RFC 4364 4.2): 192.0.2.2:100 */
#define RD_IP  0x00, 0x01, 0xc0, 0x00, 0x02, 0x02, 0x00, 0x64
#define ESI0   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00

/* RFC 7432 7.2 MAC/IP Advertisement, IPv4, one label: 2 + 37 octets. */
static const uint8_t macip_v4[] = {
	0x02,                           /* Route Type 2 */
	0x25,                           /* Length 37 = 33 + 4 */
	RD_IP,                          /* RD 192.0.2.2:100 */
	ESI0,                           /* ESI 0: single-homed */
	0x00, 0x00, 0x00, 0x00,         /* Ethernet Tag ID 0 (VLAN-based service) */
	0x30,                           /* MAC Address Length 48 (bits) */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x21, /* MAC 02:00:00:00:00:21 */
	0x20,                           /* IP Address Length 32 (bits) */
	0x0a, 0x01, 0x00, 0x15,         /* IP 10.1.0.21 */
	0x00, 0x00, 0x64,               /* MPLS Label1: VNI 100 (RFC 8365 5.1.3) */
};

/* MAC only: IP Address Length 0, no IP field: 2 + 33 octets. */
static const uint8_t macip_mac_only[] = {
	0x02, 0x21,                     /* type 2, length 33 */
	RD_IP, ESI0,
	0x00, 0x00, 0x00, 0x00,         /* Ethernet Tag 0 */
	0x30, 0x02, 0x00, 0x00, 0x00, 0x00, 0x22, /* MAC length 48, MAC */
	0x00,                           /* IP Address Length 0 */
	0x00, 0x00, 0x64,               /* Label1 = VNI 100 */
};

/* IPv6, ESI type 0 (arbitrary), two labels (L2 VNI + L3 VNI, RFC 9135): 2 + 52. */
static const uint8_t macip_v6_2labels[] = {
	0x02, 0x34,                     /* type 2, length 52 = 33 + 16 + 3 */
	RD_IP,
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, /* ESI type 0 */
	0x00, 0x00, 0x00, 0x0a,         /* Ethernet Tag 10 */
	0x30, 0x02, 0x00, 0x00, 0x00, 0x00, 0x23,
	0x80,                           /* IP Address Length 128 */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x23, /* 2001:db8::23 */
	0x00, 0x00, 0x64,               /* Label1: L2 VNI 100 */
	0x00, 0x13, 0x88,               /* Label2: L3 VNI 5000 */
};

/* RFC 7432 7.3 Inclusive Multicast Ethernet Tag, IPv4: 2 + 17. */
static const uint8_t imet_v4[] = {
	0x03, 0x11,                     /* type 3, length 17 */
	RD_IP,
	0x00, 0x00, 0x00, 0x00,         /* Ethernet Tag 0 */
	0x20,                           /* IP Address Length 32 */
	0xc0, 0x00, 0x02, 0x02,         /* Originating Router's IP 192.0.2.2 */
};

/* IMET, IPv6 originator: 2 + 29. */
static const uint8_t imet_v6[] = {
	0x03, 0x1d,                     /* type 3, length 29 */
	RD_IP,
	0x00, 0x00, 0x00, 0x00,
	0x80,                           /* IP Address Length 128 */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
};

/* RFC 9136 3.1 IP Prefix, IPv4 form: 2 + 34. */
static const uint8_t prefix_v4[] = {
	0x05, 0x22,                     /* type 5, length 34 */
	RD_IP, ESI0,
	0x00, 0x00, 0x00, 0x00,         /* Ethernet Tag 0 */
	0x18,                           /* IP Prefix Length 24 */
	0x0a, 0x01, 0x00, 0x00,         /* IP Prefix 10.1.0.0 */
	0x00, 0x00, 0x00, 0x00,         /* GW IP 0.0.0.0: no overlay index */
	0x00, 0x13, 0x88,               /* Label: L3 VNI 5000 */
};

/* IP Prefix, IPv6 form: 2 + 58. */
static const uint8_t prefix_v6[] = {
	0x05, 0x3a,                     /* type 5, length 58 */
	RD_IP, ESI0,
	0x00, 0x00, 0x00, 0x00,
	0x40,                           /* IP Prefix Length 64 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 2001:db8:1:: */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,    /* GW 2001:db8::1 */
	0x00, 0x00, 0xc8,               /* Label: VNI 200 */
};

static enum evpn_decode decode1(const uint8_t *p, size_t len, struct evpn_route *rt)
{
	struct rbuf r;
	const char *why;

	rbuf_init(&r, p, len);
	return evpn_nlri_decode(&r, rt, &why);
}

/* Encodes rt and checks it gives exactly the golden octets. */
static void assert_reencodes(const struct evpn_route *rt, const uint8_t *want, size_t len)
{
	uint8_t buf[128];
	struct wbuf w;

	ck_assert_uint_eq(evpn_nlri_size(rt), len);
	wbuf_init(&w, buf, sizeof(buf));
	ck_assert_int_eq(evpn_nlri_encode(&w, rt), 0);
	ck_assert_uint_eq(w.len, len);
	ck_assert_mem_eq(buf, want, len);
}

START_TEST(test_macip_v4)
{
	struct evpn_route rt;
	static const uint8_t rd[8] = { RD_IP }, mac[6] = { 2, 0, 0, 0, 0, 0x21 };

	ck_assert_int_eq(decode1(macip_v4, sizeof(macip_v4), &rt), EVPN_DEC_OK);
	ck_assert_uint_eq(rt.type, EVPN_RT_MACIP);
	ck_assert_mem_eq(rt.rd, rd, 8);
	ck_assert_uint_eq(rt.etag, 0);
	ck_assert_mem_eq(rt.mac, mac, 6);
	ck_assert_uint_eq(rt.ip.len, 4);
	ck_assert_uint_eq(rt.ip.v4, inet_addr("10.1.0.21"));
	ck_assert_uint_eq(rt.n_labels, 1);
	ck_assert_uint_eq(evpn_label_vni(rt.label[0]), 100);
	ck_assert(!rt.withdraw);
	assert_reencodes(&rt, macip_v4, sizeof(macip_v4));
}
END_TEST

START_TEST(test_macip_mac_only)
{
	struct evpn_route rt;

	ck_assert_int_eq(decode1(macip_mac_only, sizeof(macip_mac_only), &rt), EVPN_DEC_OK);
	ck_assert_uint_eq(rt.ip.len, 0);
	ck_assert_uint_eq(rt.mac[5], 0x22);
	ck_assert_uint_eq(rt.label[0], 100);
	assert_reencodes(&rt, macip_mac_only, sizeof(macip_mac_only));
}
END_TEST

START_TEST(test_macip_v6_two_labels)
{
	struct evpn_route rt;
	struct in6_addr a;
	static const uint8_t esi[10] = { 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99 };

	ck_assert_int_eq(decode1(macip_v6_2labels, sizeof(macip_v6_2labels), &rt), EVPN_DEC_OK);
	inet_pton(AF_INET6, "2001:db8::23", &a);
	ck_assert_uint_eq(rt.ip.len, 16);
	ck_assert_mem_eq(rt.ip.v6, &a, 16);
	ck_assert_mem_eq(rt.esi, esi, 10);
	ck_assert_uint_eq(rt.etag, 10);
	ck_assert_uint_eq(rt.n_labels, 2);
	ck_assert_uint_eq(evpn_label_vni(rt.label[0]), 100);
	ck_assert_uint_eq(evpn_label_vni(rt.label[1]), 5000);
	assert_reencodes(&rt, macip_v6_2labels, sizeof(macip_v6_2labels));
}
END_TEST

START_TEST(test_imet)
{
	struct evpn_route rt;

	ck_assert_int_eq(decode1(imet_v4, sizeof(imet_v4), &rt), EVPN_DEC_OK);
	ck_assert_uint_eq(rt.type, EVPN_RT_IMET);
	ck_assert_uint_eq(rt.ip.len, 4);
	ck_assert_uint_eq(rt.ip.v4, inet_addr("192.0.2.2"));
	ck_assert_uint_eq(rt.n_labels, 0);
	assert_reencodes(&rt, imet_v4, sizeof(imet_v4));

	ck_assert_int_eq(decode1(imet_v6, sizeof(imet_v6), &rt), EVPN_DEC_OK);
	ck_assert_uint_eq(rt.ip.len, 16);
	ck_assert_uint_eq(rt.ip.v6[15], 2);
	assert_reencodes(&rt, imet_v6, sizeof(imet_v6));
}
END_TEST

START_TEST(test_prefix)
{
	struct evpn_route rt;

	ck_assert_int_eq(decode1(prefix_v4, sizeof(prefix_v4), &rt), EVPN_DEC_OK);
	ck_assert_uint_eq(rt.type, EVPN_RT_PREFIX);
	ck_assert_uint_eq(rt.prefix_len, 24);
	ck_assert_uint_eq(rt.ip.len, 4);
	ck_assert_uint_eq(rt.ip.v4, inet_addr("10.1.0.0"));
	ck_assert_uint_eq(rt.gw.len, 4);
	ck_assert_uint_eq(rt.gw.v4, 0);
	ck_assert_uint_eq(rt.n_labels, 1);
	ck_assert_uint_eq(evpn_label_vni(rt.label[0]), 5000);
	assert_reencodes(&rt, prefix_v4, sizeof(prefix_v4));
	/* No gateway given: encoded as the family's zero address. */
	rt.gw.len = 0;
	assert_reencodes(&rt, prefix_v4, sizeof(prefix_v4));

	ck_assert_int_eq(decode1(prefix_v6, sizeof(prefix_v6), &rt), EVPN_DEC_OK);
	ck_assert_uint_eq(rt.prefix_len, 64);
	ck_assert_uint_eq(rt.ip.len, 16);
	ck_assert_uint_eq(rt.ip.v6[5], 0x01);
	ck_assert_uint_eq(rt.gw.v6[15], 0x01);
	ck_assert_uint_eq(rt.label[0], 200);
	assert_reencodes(&rt, prefix_v6, sizeof(prefix_v6));
}
END_TEST

/* RFC 8365 5.1.3: the VNI is the whole 24-bit field, so a VNI above 2^20
 * survives; a label<<4 reading would give 0x12345 here. */
START_TEST(test_vni_is_the_whole_label_field)
{
	uint8_t v[sizeof(macip_v4)];
	struct evpn_route rt;

	memcpy(v, macip_v4, sizeof(v));
	v[sizeof(v) - 3] = 0x12;
	v[sizeof(v) - 2] = 0x34;
	v[sizeof(v) - 1] = 0x56;
	ck_assert_int_eq(decode1(v, sizeof(v), &rt), EVPN_DEC_OK);
	ck_assert_uint_eq(evpn_label_vni(rt.label[0]), 0x123456);
	assert_reencodes(&rt, v, sizeof(v));
}
END_TEST

/* Every length other than the RFC's for each type is refused as BAD,
 * whatever the content, and never read past (ASan run). FRR accepts type 2
 * lengths 33, 36, 37, 40, 49, 52 only. */
START_TEST(test_exact_lengths)
{
	uint8_t buf[2 + 255];
	struct evpn_route rt;

	for (unsigned type = 2; type <= 5; type++) {
		if (type == 4)
			continue;
		for (unsigned len = 0; len <= 255; len++) {
			enum evpn_decode want = EVPN_DEC_BAD, got;
			uint8_t ipbits = 0;

			memset(buf, 0, sizeof(buf));
			buf[0] = (uint8_t)type;
			buf[1] = (uint8_t)len;
			if (type == 2) {
				/* A consistent IP length for the sizes that have one. */
				ipbits = len == 37 || len == 40 ? 32 : len == 49 || len == 52 ? 128 : 0;
				if (len >= 29)
					buf[2 + 22] = 48;
				if (len >= 30)
					buf[2 + 29] = ipbits;
				if (len == 33 || len == 36 || len == 37 || len == 40 ||
				    len == 49 || len == 52)
					want = EVPN_DEC_OK;
			} else if (type == 3) {
				if (len >= 13)
					buf[2 + 12] = len == 29 ? 128 : 32;
				if (len == 17 || len == 29)
					want = EVPN_DEC_OK;
			} else if (len == 34 || len == 58) {
				want = EVPN_DEC_OK;
			}
			got = decode1(buf, 2 + len, &rt);
			ck_assert_msg(got == want, "type %u len %u: got %d want %d",
				      type, len, got, want);
		}
	}
}
END_TEST

START_TEST(test_bad_fields)
{
	uint8_t v[sizeof(prefix_v6)];
	struct evpn_route rt;

	memcpy(v, macip_v4, sizeof(macip_v4));
	v[2 + 22] = 47;                         /* MAC Address Length must be 48 */
	ck_assert_int_eq(decode1(v, sizeof(macip_v4), &rt), EVPN_DEC_BAD);
	memcpy(v, macip_v4, sizeof(macip_v4));
	v[2 + 29] = 24;                         /* IP length 24 is not 0/32/128 */
	ck_assert_int_eq(decode1(v, sizeof(macip_v4), &rt), EVPN_DEC_BAD);
	memcpy(v, macip_v4, sizeof(macip_v4));
	v[2 + 29] = 128;                        /* says IPv6, length says IPv4 */
	ck_assert_int_eq(decode1(v, sizeof(macip_v4), &rt), EVPN_DEC_BAD);
	memcpy(v, imet_v4, sizeof(imet_v4));
	v[2 + 12] = 128;                        /* IMET IP length vs route length */
	ck_assert_int_eq(decode1(v, sizeof(imet_v4), &rt), EVPN_DEC_BAD);
	memcpy(v, imet_v6, sizeof(imet_v6));
	v[2 + 12] = 32;                         /* 29 octets but an IPv4 originator */
	ck_assert_int_eq(decode1(v, sizeof(imet_v6), &rt), EVPN_DEC_BAD);
	memcpy(v, prefix_v4, sizeof(prefix_v4));
	v[2 + 22] = 33;                         /* IPv4 prefix length 33 */
	ck_assert_int_eq(decode1(v, sizeof(prefix_v4), &rt), EVPN_DEC_BAD);
	memcpy(v, prefix_v6, sizeof(prefix_v6));
	v[2 + 22] = 129;
	ck_assert_int_eq(decode1(v, sizeof(prefix_v6), &rt), EVPN_DEC_BAD);
}
END_TEST

/* Types 1 and 4 (and any unknown one) are stepped over, and the route
 * after them is still decoded. */
START_TEST(test_other_types_skipped)
{
	uint8_t buf[256];
	size_t n = 0;
	struct rbuf r;
	struct evpn_route rt;
	const char *why;
	static const uint8_t ad[] = {
		0x01, 0x19,                     /* type 1 Ethernet A-D, length 25 */
		RD_IP, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64,
	};
	static const uint8_t unknown[] = { 0x09, 0x03, 0xaa, 0xbb, 0xcc };

	memcpy(buf + n, ad, sizeof(ad));
	n += sizeof(ad);
	memcpy(buf + n, unknown, sizeof(unknown));
	n += sizeof(unknown);
	memcpy(buf + n, imet_v4, sizeof(imet_v4));
	n += sizeof(imet_v4);
	rbuf_init(&r, buf, n);
	ck_assert_int_eq(evpn_nlri_decode(&r, &rt, &why), EVPN_DEC_SKIP);
	ck_assert_uint_eq(rt.type, 1);
	ck_assert_int_eq(evpn_nlri_decode(&r, &rt, &why), EVPN_DEC_SKIP);
	ck_assert_uint_eq(rt.type, 9);
	ck_assert_int_eq(evpn_nlri_decode(&r, &rt, &why), EVPN_DEC_OK);
	ck_assert_uint_eq(rt.type, EVPN_RT_IMET);
	ck_assert_int_eq(evpn_nlri_decode(&r, &rt, &why), EVPN_DEC_END);
}
END_TEST

START_TEST(test_framing)
{
	struct evpn_route rt;
	struct rbuf r;
	const char *why = NULL;
	static const uint8_t lone[] = { 0x02 };

	/* The length octet promises one more octet than there is. */
	rbuf_init(&r, macip_v4, sizeof(macip_v4) - 1);
	ck_assert_int_eq(evpn_nlri_decode(&r, &rt, &why), EVPN_DEC_FRAMING);
	ck_assert_ptr_nonnull(why);
	/* A type octet without its length. */
	rbuf_init(&r, lone, 1);
	ck_assert_int_eq(evpn_nlri_decode(&r, &rt, &why), EVPN_DEC_FRAMING);
	/* Empty field: the end, not an error. */
	rbuf_init(&r, lone, 0);
	ck_assert_int_eq(evpn_nlri_decode(&r, &rt, &why), EVPN_DEC_END);
}
END_TEST

START_TEST(test_encode_refuses_nonsense)
{
	struct evpn_route rt = { .type = EVPN_RT_MACIP, .n_labels = 1 };
	uint8_t buf[64];
	struct wbuf w;

	wbuf_init(&w, buf, sizeof(buf));
	rt.ip.len = 5;
	ck_assert_uint_eq(evpn_nlri_size(&rt), 0);
	ck_assert_int_eq(evpn_nlri_encode(&w, &rt), -EINVAL);
	rt.ip.len = 4;
	rt.n_labels = 3;
	ck_assert_int_eq(evpn_nlri_encode(&w, &rt), -EINVAL);
	rt = (struct evpn_route){ .type = EVPN_RT_IMET };   /* no originator */
	ck_assert_int_eq(evpn_nlri_encode(&w, &rt), -EINVAL);
	rt = (struct evpn_route){ .type = EVPN_RT_AD };
	ck_assert_int_eq(evpn_nlri_encode(&w, &rt), -EINVAL);
	ck_assert_uint_eq(w.len, 0);
	/* Too small a buffer: the writer's error. */
	wbuf_init(&w, buf, 10);
	decode1(macip_v4, sizeof(macip_v4), &rt);
	ck_assert_int_eq(evpn_nlri_encode(&w, &rt), -EMSGSIZE);
}
END_TEST

START_TEST(test_same_key)
{
	struct evpn_route a, b;

	decode1(macip_v4, sizeof(macip_v4), &a);
	b = a;
	b.label[0] = 200;                       /* labels and ESI are not key */
	b.esi[9] = 1;
	ck_assert(evpn_route_same_key(&a, &b));
	b.mac[5] ^= 1;
	ck_assert(!evpn_route_same_key(&a, &b));
	b = a;
	b.ip.len = 0;                           /* MAC-only is another route */
	ck_assert(!evpn_route_same_key(&a, &b));
	b = a;
	b.rd[7] ^= 1;
	ck_assert(!evpn_route_same_key(&a, &b));

	decode1(prefix_v4, sizeof(prefix_v4), &a);
	b = a;
	b.gw.v4 = 1;                            /* gateway is not key (RFC 9136 3.2) */
	ck_assert(evpn_route_same_key(&a, &b));
	b.prefix_len = 25;
	ck_assert(!evpn_route_same_key(&a, &b));
}
END_TEST

START_TEST(test_rd_and_route_fmt)
{
	uint8_t rd[8];
	char buf[EVPN_RD_STRLEN], rbuf_s[EVPN_ROUTE_STRLEN];
	struct evpn_route rt;
	static const uint8_t want_ip[8] = { RD_IP };
	static const uint8_t want_as2[8] = { 0, 0, 0xfd, 0xe9, 0, 0, 0, 0x64 };
	static const uint8_t want_as4[8] = { 0, 2, 0xfa, 0x56, 0xea, 0x00, 0, 0x64 };

	evpn_rd_make_ip(rd, inet_addr("192.0.2.2"), 100);
	ck_assert_mem_eq(rd, want_ip, 8);
	ck_assert_str_eq(evpn_rd_fmt(rd, buf), "192.0.2.2:100");
	evpn_rd_make_as(rd, 65001, 100);        /* type 0 */
	ck_assert_mem_eq(rd, want_as2, 8);
	ck_assert_str_eq(evpn_rd_fmt(rd, buf), "65001:100");
	evpn_rd_make_as(rd, 4200000000u, 100);  /* type 2 */
	ck_assert_mem_eq(rd, want_as4, 8);
	ck_assert_str_eq(evpn_rd_fmt(rd, buf), "4200000000:100");

	decode1(macip_v4, sizeof(macip_v4), &rt);
	ck_assert_str_eq(evpn_route_fmt(&rt, rbuf_s),
			 "[2][192.0.2.2:100][0][02:00:00:00:00:21][10.1.0.21] label 100");
	decode1(prefix_v6, sizeof(prefix_v6), &rt);
	ck_assert_str_eq(evpn_route_fmt(&rt, rbuf_s),
			 "[5][192.0.2.2:100][0][2001:db8:1::/64] gw 2001:db8::1 label 200");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("evpn_nlri");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, test_macip_v4);
	tcase_add_test(tc, test_macip_mac_only);
	tcase_add_test(tc, test_macip_v6_two_labels);
	tcase_add_test(tc, test_imet);
	tcase_add_test(tc, test_prefix);
	tcase_add_test(tc, test_vni_is_the_whole_label_field);
	tcase_add_test(tc, test_exact_lengths);
	tcase_add_test(tc, test_bad_fields);
	tcase_add_test(tc, test_other_types_skipped);
	tcase_add_test(tc, test_framing);
	tcase_add_test(tc, test_encode_refuses_nonsense);
	tcase_add_test(tc, test_same_key);
	tcase_add_test(tc, test_rd_and_route_fmt);
	suite_add_tcase(s, tc);
	return s;
}
