/* test_bgp_as4.c - 4-octet AS numbers with a 2-octet speaker (RFC 6793):
 * golden vectors both ways. Receiving: AS_PATH with 2-octet ASNs merged
 * with AS4_PATH (4.2.3: the length rule, confederation segments, AS_SET,
 * AGGREGATOR/AS4_AGGREGATOR), malformed AS4_PATH discarded (6). Sending:
 * AS_TRANS in AS_PATH, AGGREGATOR and the OPEN's My AS, the true values in
 * AS4_PATH / AS4_AGGREGATOR only when needed (4.2.2), and a round trip.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "bgp_attr.h"
#include "bgp_msg.h"
#include "bgp_test_util.h"

static const struct bgp_parse_ctx ebgp2 = { .as4 = false, .ibgp = false };
static const struct bgp_parse_ctx ibgp2 = { .as4 = false, .ibgp = true };
static const struct bgp_parse_ctx ebgp4 = { .as4 = true, .ibgp = false };

static struct bgp_msg m;
static struct bgp_err err;
static uint8_t buf[8192], out[8192];

/* An EVPN type-3 route, ORIGIN, then the attributes under test. */
#define A_MP_REACH "800e1c" "001946" "04c0000201" "00" \
	"0311" "0001c00002010064" "00000000" "20" "c0000201"
#define A_ORIGIN   "40010100"

static int parse_attrs(const char *attrs, const struct bgp_parse_ctx *ctx)
{
	size_t al = unhex(attrs, buf + 23, 4000), len;

	ck_assert_msg(al != (size_t)-1, "bad hex: %s", attrs);
	len = 23 + al;
	memset(buf, 0xff, 16);
	buf[16] = (uint8_t)(len >> 8);
	buf[17] = (uint8_t)len;
	buf[18] = BGP_MSG_UPDATE;
	buf[19] = buf[20] = 0;
	buf[21] = (uint8_t)(al >> 8);
	buf[22] = (uint8_t)al;
	return bgp_msg_parse(buf, len, ctx, &m, &err);
}

/* "2:65001,4200000001 3:65010": segment type, then its ASNs. */
static const char *path_str(const struct bgp_aspath *p)
{
	static char s[4096];
	size_t n = 0;
	unsigned k = 0;

	s[0] = '\0';
	for (unsigned i = 0; i < p->n_segs; i++) {
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%s%u:", i ? " " : "", p->seg[i].type);
		for (unsigned j = 0; j < p->seg[i].count; j++, k++)
			n += (size_t)snprintf(s + n, sizeof(s) - n, "%s%u", j ? "," : "", p->asn[k]);
	}
	ck_assert_uint_eq(k, p->n_asns);
	return s;
}

#define ck_path(want) ck_assert_str_eq(path_str(&m.update.attrs.aspath), want)

static void ck_route_kept(void)
{
	ck_assert_uint_eq(m.update.n_routes, 1);
	ck_assert(!m.update.routes[0].withdraw);
}

/* ---- receiving from a 2-octet speaker ---- */

/* AS_PATH 65001 23456 23456 65002 with AS4_PATH 4200000001 4200000002
 * 65002: one leading ASN from AS_PATH, then AS4_PATH. */
#define ASPATH2_4  "40020a" "0204" "fde9" "5ba0" "5ba0" "fdea"
#define AS4PATH_3  "c0110e" "0203" "fa56ea01" "fa56ea02" "0000fdea"

START_TEST(test_merge_sequence)
{
	ck_assert_int_eq(parse_attrs(A_MP_REACH A_ORIGIN ASPATH2_4 AS4PATH_3, &ebgp2), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_route_kept();
	ck_path("2:65001,4200000001,4200000002,65002");
	ck_assert_uint_eq(m.update.attrs.as4_used, BGP_AS4_USED_PATH);
	ck_assert(!BGP_ATTR_HAS(&m.update.attrs, BGP_ATTR_AS4_PATH));
	ck_assert_uint_eq(bgp_aspath_hops(&m.update.attrs.aspath), 4);
	ck_assert(bgp_aspath_contains(&m.update.attrs.aspath, 4200000002u));
	ck_assert(!bgp_aspath_contains(&m.update.attrs.aspath, BGP_AS_TRANS));

	/* The attribute order does not matter. */
	ck_assert_int_eq(parse_attrs(A_MP_REACH AS4PATH_3 A_ORIGIN ASPATH2_4, &ebgp2), 0);
	ck_path("2:65001,4200000001,4200000002,65002");

	/* Equal lengths: AS4_PATH is the whole path. */
	ck_assert_int_eq(parse_attrs(A_MP_REACH A_ORIGIN "400208" "0203" "5ba0" "5ba0" "fdea"
				     AS4PATH_3, &ebgp2), 0);
	ck_path("2:4200000001,4200000002,65002");
}
END_TEST

START_TEST(test_longer_as4_path_ignored)
{
	/* "If the number of AS numbers in the AS_PATH attribute is less than
	 * the number of AS numbers in the AS4_PATH attribute, then the
	 * AS4_PATH attribute SHALL be ignored". */
	ck_assert_int_eq(parse_attrs(A_MP_REACH A_ORIGIN "400206" "0202" "fde9" "5ba0"
				     AS4PATH_3, &ebgp2), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_route_kept();
	ck_path("2:65001,23456");
	ck_assert_uint_eq(m.update.attrs.as4_used, BGP_AS4_IGNORED_PATH);

	/* An AS_SET counts 1 (RFC 4271 9.1.2.2): a 3-ASN AS_SET in AS_PATH
	 * against a 2-ASN AS4_PATH sequence is shorter. */
	ck_assert_int_eq(parse_attrs(A_MP_REACH A_ORIGIN "400208" "0103" "fde9" "5ba0" "fdea"
				     "c0110a" "0202" "fa56ea01" "0000fdea", &ebgp2), 0);
	ck_path("1:65001,23456,65002");
	ck_assert_uint_eq(m.update.attrs.as4_used, BGP_AS4_IGNORED_PATH);
}
END_TEST

START_TEST(test_merge_as_set)
{
	/* AS_PATH 65001 {23456,65005}, AS4_PATH {4200000001,65005}: the
	 * leading AS_SEQUENCE, then the 4-octet AS_SET. */
	ck_assert_int_eq(parse_attrs(A_MP_REACH A_ORIGIN "40020a" "0201" "fde9" "0102" "5ba0" "fded"
				     "c0110a" "0102" "fa56ea01" "0000fded", &ebgp2), 0);
	ck_path("2:65001 1:4200000001,65005");
	ck_assert_uint_eq(bgp_aspath_hops(&m.update.attrs.aspath), 2);
	/* A leading AS_SET to make up the difference goes whole. */
	ck_assert_int_eq(parse_attrs(A_MP_REACH A_ORIGIN "40020a" "0102" "fde9" "fdea" "0201" "5ba0"
				     "c01106" "0201" "fa56ea01", &ebgp2), 0);
	ck_path("1:65001,65002 2:4200000001");
}
END_TEST

START_TEST(test_merge_confed)
{
	/* Confederation segments count 0 (RFC 5065 5.3) and a leading one is
	 * prepended: AS_PATH (65010) 65001 23456, AS4_PATH 4200000001. Only
	 * from an internal peer: vtepd is in no confederation (RFC 5065 5). */
	ck_assert_int_eq(parse_attrs(A_MP_REACH A_ORIGIN "40020a" "0301" "fdf2" "0202" "fde9" "5ba0"
				     "c01106" "0201" "fa56ea01", &ibgp2), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_path("3:65010 2:65001,4200000001");

	/* One adjacent to a prepended segment goes too; one after a segment
	 * that is not prepended does not. AS_PATH 65001 [65020] 23456 [65030]
	 * with AS4_PATH 4200000001. */
	ck_assert_int_eq(parse_attrs(A_MP_REACH A_ORIGIN "400210" "0201" "fde9" "0401" "fdfc"
				     "0201" "5ba0" "0401" "fe06"
				     "c01106" "0201" "fa56ea01", &ibgp2), 0);
	ck_path("2:65001 4:65020 2:4200000001");

	/* Nothing to prepend, a confederation segment that does not lead:
	 * not taken. AS_PATH 23456 (65010), AS4_PATH 4200000001. */
	ck_assert_int_eq(parse_attrs(A_MP_REACH A_ORIGIN "400208" "0201" "5ba0" "0301" "fdf2"
				     "c01106" "0201" "fa56ea01", &ibgp2), 0);
	ck_path("2:4200000001");

	/* Confederation segments in AS4_PATH are not allowed there (RFC 6793
	 * 3): dropped, the rest used. */
	ck_assert_int_eq(parse_attrs(A_MP_REACH A_ORIGIN "400206" "0202" "fde9" "5ba0"
				     "c0110c" "0301" "00000007" "0201" "fa56ea01", &ebgp2), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_path("2:65001,4200000001");
}
END_TEST

START_TEST(test_aggregator)
{
	/* AGGREGATOR AS_TRANS + AS4_AGGREGATOR: the latter is the aggregator,
	 * and AS4_PATH is merged. */
	ck_assert_int_eq(parse_attrs(A_MP_REACH A_ORIGIN ASPATH2_4 AS4PATH_3
				     "c00706" "5ba0" "c0000209"
				     "c01208" "fa56ea01" "c000020a", &ebgp2), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m.update.attrs.aggregator_as, 4200000001u);
	ck_assert_uint_eq(m.update.attrs.aggregator_id, inet_addr("192.0.2.10"));
	ck_assert_uint_eq(m.update.attrs.as4_used, BGP_AS4_USED_PATH | BGP_AS4_USED_AGGREGATOR);
	ck_path("2:65001,4200000001,4200000002,65002");

	/* AGGREGATOR with a real AS: an OLD speaker aggregated after the AS4
	 * attributes were added, so "the AS4_AGGREGATOR attribute and the
	 * AS4_PATH attribute SHALL be ignored". */
	ck_assert_int_eq(parse_attrs(A_MP_REACH A_ORIGIN ASPATH2_4 AS4PATH_3
				     "c00706" "fde9" "c0000209"
				     "c01208" "fa56ea01" "c000020a", &ebgp2), 0);
	ck_assert_uint_eq(m.update.attrs.aggregator_as, 65001);
	ck_assert_uint_eq(m.update.attrs.aggregator_id, inet_addr("192.0.2.9"));
	ck_assert_uint_eq(m.update.attrs.as4_used, BGP_AS4_IGNORED_PATH);
	ck_path("2:65001,23456,23456,65002");

	/* AS4_AGGREGATOR without AGGREGATOR stands in for nothing. */
	ck_assert_int_eq(parse_attrs(A_MP_REACH A_ORIGIN ASPATH2_4 AS4PATH_3
				     "c01208" "fa56ea01" "c000020a", &ebgp2), 0);
	ck_assert(!BGP_ATTR_HAS(&m.update.attrs, BGP_ATTR_AGGREGATOR));
	ck_assert_uint_eq(m.update.attrs.as4_used, BGP_AS4_USED_PATH);
}
END_TEST

START_TEST(test_malformed_as4)
{
	static const char *bad[] = {
		"c01104" "0201" "fde9",                 /* under 6 octets */
		"c01107" "0201" "fa56ea01" "00",        /* odd length */
		"c01106" "0501" "fa56ea01",             /* undefined segment type */
		"c01106" "0200" "fa56ea01",             /* empty segment */
		"c0110a" "0203" "fa56ea01" "fa56ea02",  /* segment overruns */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char attrs[512];

		snprintf(attrs, sizeof(attrs), "%s%s%s%s", A_MP_REACH, A_ORIGIN, ASPATH2_4, bad[i]);
		/* RFC 6793 6: "MUST discard the attribute and continue
		 * processing the UPDATE message". */
		ck_assert_int_eq(parse_attrs(attrs, &ebgp2), 0);
		ck_assert_msg(err.action == BGP_ACT_ATTR_DISCARD, "case %zu: %s", i, err.msg);
		ck_assert_uint_eq(err.subcode, BGP_UPD_OPTIONAL_ATTR);
		ck_route_kept();
		ck_path("2:65001,23456,23456,65002");
		ck_assert_uint_eq(m.update.attrs.as4_used, 0);
	}
	/* AS4_AGGREGATOR of 6 octets: discarded, AGGREGATOR stays AS_TRANS. */
	ck_assert_int_eq(parse_attrs(A_MP_REACH A_ORIGIN ASPATH2_4 "c00706" "5ba0" "c0000209"
				     "c01206" "fa56ea01" "c000", &ebgp2), 0);
	ck_assert_int_eq(err.action, BGP_ACT_ATTR_DISCARD);
	ck_assert_uint_eq(m.update.attrs.aggregator_as, BGP_AS_TRANS);
	/* From a 4-octet speaker both are discarded, never merged (4.1). */
	ck_assert_int_eq(parse_attrs(A_MP_REACH A_ORIGIN "40020a" "0202" "0000fde9" "fa56ea01"
				     "c01106" "0201" "fa56ea09", &ebgp4), 0);
	ck_assert_int_eq(err.action, BGP_ACT_ATTR_DISCARD);
	ck_path("2:65001,4200000001");
}
END_TEST

START_TEST(test_merge_direct)
{
	struct bgp_aspath as, as4;

	/* AS4_PATH whose AS_SETs hold more ASNs than fit once merged: the
	 * merge is refused and AS_PATH stands. */
	memset(&as, 0, sizeof(as));
	memset(&as4, 0, sizeof(as4));
	for (unsigned i = 0; i < 200; i++)
		bgp_aspath_prepend(&as, 65000 + i);
	as4.n_segs = 2;
	as4.seg[0] = (struct bgp_asseg){ BGP_AS_SET, 200 };
	as4.seg[1] = (struct bgp_asseg){ BGP_AS_SET, 56 };
	as4.n_asns = 256;
	for (unsigned i = 0; i < 256; i++)
		as4.asn[i] = 4200000000u + i;
	{
		struct bgp_aspath o;

		ck_assert(!bgp_aspath_merge_as4(&as, &as4, &o));
		ck_assert_uint_eq(o.n_asns, 200);
		ck_assert_uint_eq(o.asn[0], 65199);
	}
}
END_TEST

/* ---- sending to a 2-octet speaker ---- */

static void fixture(struct bgp_attrs *a, struct evpn_route *rt)
{
	memset(a, 0, sizeof(*a));
	memset(rt, 0, sizeof(*rt));
	rt->type = EVPN_RT_IMET;
	evpn_rd_make_ip(rt->rd, inet_addr("192.0.2.1"), 100);
	rt->ip.len = 4;
	rt->ip.v4 = inet_addr("192.0.2.1");
	a->present = BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH);
	a->origin = BGP_ORIGIN_IGP;
	a->mp_reach.nh_len = 4;
	memcpy(a->mp_reach.nh, &(uint32_t){ inet_addr("192.0.2.1") }, 4);
}

static size_t build(const struct bgp_attrs *a, const struct evpn_route *rt,
		    const struct bgp_parse_ctx *ctx)
{
	struct wbuf w;

	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_update(&w, ctx, a, rt, 1, false), 1);
	return w.len;
}

static void ck_attr(size_t len, uint8_t type, const char *want_hex)
{
	uint8_t want[512];
	size_t n = unhex(want_hex, want, sizeof(want)), s;
	const uint8_t *p = find_attr(out, len, type, &s);

	ck_assert_msg(p, "attribute %u missing", type);
	ck_assert_uint_eq(s, n);
	ck_assert_mem_eq(p, want, n);
}

START_TEST(test_send_as_trans)
{
	struct bgp_attrs a;
	struct evpn_route rt;
	size_t len, s;

	fixture(&a, &rt);
	/* Our AS 4200000001 prepended to a path from 65002 and 4200000002. */
	bgp_aspath_prepend(&a.aspath, 65002);
	bgp_aspath_prepend(&a.aspath, 4200000002u);
	bgp_aspath_prepend(&a.aspath, 4200000001u);
	len = build(&a, &rt, &ebgp2);
	/* RFC 6793 4.2.2: two octets, AS_TRANS for the non-mappable ones. */
	ck_attr(len, BGP_ATTR_AS_PATH, "400208" "0203" "5ba0" "5ba0" "fdea");
	ck_attr(len, BGP_ATTR_AS4_PATH, "c0110e" "0203" "fa56ea01" "fa56ea02" "0000fdea");
	/* And back: the receiver's merge restores the path. */
	ck_assert_int_eq(bgp_msg_parse(out, len, &ebgp2, &m, &err), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_path("2:4200000001,4200000002,65002");
	/* Between 4-octet speakers, neither AS_TRANS nor AS4_PATH. */
	len = build(&a, &rt, &ebgp4);
	ck_attr(len, BGP_ATTR_AS_PATH, "40020e" "0203" "fa56ea01" "fa56ea02" "0000fdea");
	ck_assert_ptr_null(find_attr(out, len, BGP_ATTR_AS4_PATH, &s));

	/* All mappable: "the NEW BGP speaker MUST NOT send the AS4_PATH". */
	fixture(&a, &rt);
	bgp_aspath_prepend(&a.aspath, 65002);
	bgp_aspath_prepend(&a.aspath, 65001);
	len = build(&a, &rt, &ebgp2);
	ck_attr(len, BGP_ATTR_AS_PATH, "400206" "0202" "fde9" "fdea");
	ck_assert_ptr_null(find_attr(out, len, BGP_ATTR_AS4_PATH, &s));

	/* iBGP with an empty AS_PATH: nothing to add. */
	fixture(&a, &rt);
	len = build(&a, &rt, &ibgp2);
	ck_attr(len, BGP_ATTR_AS_PATH, "400200");
	ck_assert_ptr_null(find_attr(out, len, BGP_ATTR_AS4_PATH, &s));
}
END_TEST

START_TEST(test_send_confed_and_aggregator)
{
	struct bgp_attrs a;
	struct evpn_route rt;
	size_t len, s;

	fixture(&a, &rt);
	/* (4200000009) 65001 4200000001: the confederation segment stays out
	 * of AS4_PATH ("MUST exclude such path segments"). */
	a.aspath.n_segs = 2;
	a.aspath.seg[0] = (struct bgp_asseg){ BGP_AS_CONFED_SEQUENCE, 1 };
	a.aspath.seg[1] = (struct bgp_asseg){ BGP_AS_SEQUENCE, 2 };
	a.aspath.n_asns = 3;
	a.aspath.asn[0] = 4200000009u;
	a.aspath.asn[1] = 65001;
	a.aspath.asn[2] = 4200000001u;
	/* AGGREGATOR from a 4-octet AS: AS_TRANS, plus AS4_AGGREGATOR. */
	a.present |= BGP_ATTR_BIT(BGP_ATTR_AGGREGATOR);
	a.aggregator_as = 4200000001u;
	a.aggregator_id = inet_addr("192.0.2.10");
	len = build(&a, &rt, &ibgp2);
	ck_attr(len, BGP_ATTR_AS_PATH, "40020a" "0301" "5ba0" "0202" "fde9" "5ba0");
	ck_attr(len, BGP_ATTR_AS4_PATH, "c0110a" "0202" "0000fde9" "fa56ea01");
	ck_attr(len, BGP_ATTR_AGGREGATOR, "c00706" "5ba0" "c000020a");
	ck_attr(len, BGP_ATTR_AS4_AGGREGATOR, "c01208" "fa56ea01" "c000020a");
	ck_assert_int_eq(bgp_msg_parse(out, len, &ibgp2, &m, &err), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_path("3:23456 2:65001,4200000001");
	ck_assert_uint_eq(m.update.attrs.aggregator_as, 4200000001u);

	/* A confederation segment alone holds the 4-octet AS: no AS4_PATH. */
	a.aspath.asn[2] = 65002;
	a.aggregator_as = 65003;
	len = build(&a, &rt, &ibgp2);
	ck_assert_ptr_null(find_attr(out, len, BGP_ATTR_AS4_PATH, &s));
	/* "if the AS number is mappable, then the AS4_AGGREGATOR attribute
	 * MUST NOT be sent". */
	ck_assert_ptr_null(find_attr(out, len, BGP_ATTR_AS4_AGGREGATOR, &s));
	ck_attr(len, BGP_ATTR_AGGREGATOR, "c00706" "fdeb" "c000020a");
	/* 4-octet peer: AGGREGATOR of 8, no AS4_AGGREGATOR. */
	a.aggregator_as = 4200000001u;
	len = build(&a, &rt, &ebgp4);
	ck_attr(len, BGP_ATTR_AGGREGATOR, "c00708" "fa56ea01" "c000020a");
	ck_assert_ptr_null(find_attr(out, len, BGP_ATTR_AS4_AGGREGATOR, &s));
}
END_TEST

START_TEST(test_open_my_as)
{
	struct bgp_open o = { .version = 4, .asn = 4200000001u, .hold_time = 90,
			      .bgp_id = inet_addr("192.0.2.1"), .cap_as4 = true };
	/* RFC 6793 4.1: My AS = AS_TRANS, the true AS in capability 65. */
	static const char want[] =
		"ffffffffffffffffffffffffffffffff" "0025" "01"
		"04" "5ba0" "005a" "c0000201"
		"08" "0206" "4104fa56ea01";
	uint8_t w8[64];
	size_t n = unhex(want, w8, sizeof(w8));
	struct wbuf w;

	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_open(&w, &o), 0);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(out, w8, n);
	ck_assert_int_eq(bgp_msg_parse(out, w.len, &ebgp2, &m, &err), 0);
	ck_assert_uint_eq(m.open.my_as, BGP_AS_TRANS);
	ck_assert_uint_eq(m.open.asn, 4200000001u);
	/* An OLD speaker's OPEN: its AS is My AS. */
	o.asn = 65001;
	o.cap_as4 = false;
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_open(&w, &o), 0);
	ck_assert_int_eq(bgp_msg_parse(out, w.len, &ebgp2, &m, &err), 0);
	ck_assert(!m.open.cap_as4);
	ck_assert_uint_eq(m.open.asn, 65001);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("bgp_as4");
	TCase *rx = tcase_create("receive");
	TCase *tx = tcase_create("send");

	tcase_add_test(rx, test_merge_sequence);
	tcase_add_test(rx, test_longer_as4_path_ignored);
	tcase_add_test(rx, test_merge_as_set);
	tcase_add_test(rx, test_merge_confed);
	tcase_add_test(rx, test_aggregator);
	tcase_add_test(rx, test_malformed_as4);
	tcase_add_test(rx, test_merge_direct);
	tcase_add_test(tx, test_send_as_trans);
	tcase_add_test(tx, test_send_confed_and_aggregator);
	tcase_add_test(tx, test_open_my_as);
	suite_add_tcase(s, rx);
	suite_add_tcase(s, tx);
	return s;
}
