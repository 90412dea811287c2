/* test_bgp_msg_evpn.c - EVPN NLRI inside UPDATEs (agent/wire/bgp_msg.c,
 * evpn_nlri.c): GoBGP's captured route types 2 (MAC/IP, MAC only, IPv6 with
 * ESI and two labels, default gateway), 3 (with PMSI Tunnel) and 5 decoded
 * field by field and re-encoded to GoBGP's octets, types 1 and 4 skipped,
 * withdrawals; MP_REACH_NLRI and NLRI errors by RFC 7606 (reset when the
 * rest cannot be located, treat-as-withdraw otherwise); many routes packed
 * into as few UPDATEs as fit, and the builder's refusals.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "bgp_msg.h"
#include "bgp_msg_test_util.h"
#include "bgp_test_util.h"
#include "vectors/gobgp_vectors.h"

/* Index of the GoBGP UPDATE whose first route is of this type and whose
 * MAC ends in mac_last (type 2 only; 0 = any). */
static int find_gobgp_update(uint8_t type, uint8_t mac_last, bool unreach, bool v6)
{
	for (unsigned i = 0; i < sizeof(gobgp_vectors) / sizeof(gobgp_vectors[0]); i++) {
		size_t n;

		if (strcmp(gobgp_vectors[i].dir, "gobgp") || gobgp_vectors[i].type != 2)
			continue;
		n = hex(gobgp_vectors[i].hex, wire);
		ck_assert_int_eq(bgp_msg_parse(wire, n, &ebgp4, &msg, &perr), 0);
		if (msg.update.n_routes < 1)
			continue;
		if (msg.update.routes[0].type != type || msg.update.routes[0].withdraw != unreach)
			continue;
		if (type == 2 && mac_last && msg.update.routes[0].mac[5] != mac_last)
			continue;
		if (type == 5 && (msg.update.routes[0].ip.len == 16) != v6)
			continue;
		return (int)i;
	}
	return -1;
}

/* Builds the same UPDATE from what we parsed and checks each attribute
 * GoBGP sent comes out with the same octets (our attribute order differs:
 * MP_REACH first, RFC 7606 5.1). */
static void assert_same_attrs_as_gobgp(int idx)
{
	static const uint8_t types[] = {
		BGP_ATTR_ORIGIN, BGP_ATTR_AS_PATH, BGP_ATTR_MP_REACH_NLRI,
		BGP_ATTR_EXT_COMMUNITIES, BGP_ATTR_PMSI_TUNNEL,
	};
	uint8_t orig[4096];
	size_t on = hex(gobgp_vectors[idx].hex, orig);
	struct wbuf w;

	ck_assert_int_eq(bgp_msg_parse(orig, on, &ebgp4, &msg, &perr), 0);
	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp4, &msg.update.attrs, msg.update.routes,
					      msg.update.n_routes, false), 1);
	ck_assert_uint_eq(w.len, on);
	for (size_t i = 0; i < sizeof(types); i++) {
		size_t s1 = 0, s2 = 0;
		const uint8_t *a1 = find_attr(orig, on, types[i], &s1);
		const uint8_t *a2 = find_attr(built, w.len, types[i], &s2);

		ck_assert_msg((a1 == NULL) == (a2 == NULL), "attribute %u presence", types[i]);
		if (!a1)
			continue;
		ck_assert_uint_eq(s1, s2);
		ck_assert_msg(memcmp(a1, a2, s1) == 0, "attribute %u differs from GoBGP's", types[i]);
	}
	/* And our message parses back to the same route. */
	ck_assert_int_eq(bgp_msg_parse(built, w.len, &ebgp4, &msg2, &perr), 0);
	ck_assert_uint_eq(msg2.update.n_routes, 1);
	ck_assert(evpn_route_same_key(&msg2.update.routes[0], &msg.update.routes[0]));
}

/* The route's NLRI re-encodes to GoBGP's octets. */
static void assert_nlri_as_gobgp(void)
{
	uint8_t b[EVPN_NLRI_MAX_LEN];
	struct wbuf w;

	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(evpn_nlri_encode(&w, &msg.update.routes[0]), 0);
	ck_assert_uint_eq(w.len, msg.update.attrs.mp_reach.nlri_len);
	ck_assert_mem_eq(b, msg.update.attrs.mp_reach.nlri, w.len);
}

START_TEST(test_gobgp_macip_v4)
{
	int i = find_gobgp_update(2, 0x21, false, false);
	const struct evpn_route *rt;
	uint32_t g, l;
	char s[EVPN_ROUTE_STRLEN];

	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	/* gobgp ... macadv 02:00:00:00:00:21 10.1.0.21 etag 0 label 100
	 * rd 192.0.2.2:100 rt 65001:100 encap vxlan nexthop 192.0.2.2 */
	rt = &msg.update.routes[0];
	ck_assert_str_eq(evpn_route_fmt(rt, s),
			 "[2][192.0.2.2:100][0][02:00:00:00:00:21][10.1.0.21] label 100");
	ck_assert_uint_eq(evpn_label_vni(rt->label[0]), 100);
	ck_assert_uint_eq(msg.update.attrs.origin, BGP_ORIGIN_INCOMPLETE);
	ck_assert_uint_eq(msg.update.attrs.aspath.n_segs, 1);
	ck_assert_uint_eq(msg.update.attrs.aspath.asn[0], 65002);
	ck_assert_uint_eq(bgp_aspath_hops(&msg.update.attrs.aspath), 1);
	ck_assert_mem_eq(msg.update.attrs.mp_reach.nh, "\xc0\x00\x02\x02", 4);
	ck_assert_uint_eq(msg.update.attrs.evpn.n_rt, 1);
	ck_assert_int_eq(bgp_ext_rt_parse(msg.update.attrs.ext, &g, &l), BGP_EXT_TYPE_AS2);
	ck_assert_uint_eq(g, 65001);
	ck_assert_uint_eq(l, 100);
	ck_assert_uint_eq(msg.update.attrs.evpn.encap_types, 1u << BGP_TUNNEL_VXLAN);
	ck_assert(!msg.update.attrs.evpn.mac_mobility);
	assert_nlri_as_gobgp();
	assert_same_attrs_as_gobgp(i);
}
END_TEST

START_TEST(test_gobgp_macip_mac_only)
{
	int i = find_gobgp_update(2, 0x22, false, false);

	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(msg.update.routes[0].ip.len, 0);
	assert_nlri_as_gobgp();
	assert_same_attrs_as_gobgp(i);
}
END_TEST

START_TEST(test_gobgp_macip_v6_esi_two_labels)
{
	int i = find_gobgp_update(2, 0x23, false, false);
	const struct evpn_route *rt;
	struct in6_addr a6;
	uint32_t g, l;
	static const uint8_t esi[10] = { 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99 };
	static const uint8_t rmac[6] = { 2, 0, 0, 0, 0xaa, 0xbb };

	ck_assert_int_ge(i, 0);
	rt = &msg.update.routes[0];
	inet_pton(AF_INET6, "2001:db8::23", &a6);
	ck_assert_uint_eq(rt->ip.len, 16);
	ck_assert_mem_eq(rt->ip.v6, &a6, 16);
	ck_assert_mem_eq(rt->esi, esi, 10);     /* "esi ARBITRARY 11:..:99": type 0 */
	ck_assert_uint_eq(rt->n_labels, 2);
	ck_assert_uint_eq(rt->label[0], 100);
	ck_assert_uint_eq(rt->label[1], 5000);
	ck_assert(msg.update.attrs.evpn.has_router_mac);
	ck_assert_mem_eq(msg.update.attrs.evpn.router_mac, rmac, 6);
	/* rt 192.0.2.2:100 4200000000:100: GoBGP 3.10 sends the second as
	 * 2-octet AS 65535:100 (its CLI's quirk, kept as captured). */
	ck_assert_uint_eq(msg.update.attrs.evpn.n_rt, 2);
	ck_assert_int_eq(bgp_ext_rt_parse(msg.update.attrs.ext, &g, &l), BGP_EXT_TYPE_IP4);
	ck_assert_uint_eq(g, inet_addr("192.0.2.2"));
	ck_assert_int_eq(bgp_ext_rt_parse(msg.update.attrs.ext + 8, &g, &l), BGP_EXT_TYPE_AS2);
	ck_assert_uint_eq(g, 65535);
	assert_nlri_as_gobgp();
	assert_same_attrs_as_gobgp(i);
}
END_TEST

START_TEST(test_gobgp_macip_default_gw)
{
	int i = find_gobgp_update(2, 0x24, false, false);

	ck_assert_int_ge(i, 0);
	ck_assert(msg.update.attrs.evpn.default_gw);
	ck_assert_uint_eq(msg.update.attrs.n_ext, 4);     /* GoBGP repeats it */
	assert_same_attrs_as_gobgp(i);
}
END_TEST

START_TEST(test_gobgp_imet)
{
	int i = find_gobgp_update(3, 0, false, false);
	const struct bgp_pmsi *p;

	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(msg.update.routes[0].ip.v4, inet_addr("192.0.2.2"));
	ck_assert(BGP_ATTR_HAS(&msg.update.attrs, BGP_ATTR_PMSI_TUNNEL));
	/* pmsi ingress-repl 100 192.0.2.2 (RFC 6514 5, RFC 8365 5.1.3) */
	p = &msg.update.attrs.pmsi;
	ck_assert_uint_eq(p->tunnel_type, BGP_PMSI_INGRESS_REPL);
	ck_assert_uint_eq(evpn_label_vni(p->label), 100);
	ck_assert_uint_eq(p->id_len, 4);
	ck_assert_mem_eq(p->id, "\xc0\x00\x02\x02", 4);
	assert_nlri_as_gobgp();
	assert_same_attrs_as_gobgp(i);
}
END_TEST

START_TEST(test_gobgp_prefix)
{
	int i = find_gobgp_update(5, 0, false, false);
	char s[EVPN_ROUTE_STRLEN];

	ck_assert_int_ge(i, 0);
	ck_assert_str_eq(evpn_route_fmt(&msg.update.routes[0], s),
			 "[5][192.0.2.2:100][0][10.1.0.0/24] gw 0.0.0.0 label 100");
	ck_assert(msg.update.attrs.evpn.has_router_mac);
	assert_nlri_as_gobgp();
	assert_same_attrs_as_gobgp(i);

	i = find_gobgp_update(5, 0, false, true);
	ck_assert_int_ge(i, 0);
	ck_assert_str_eq(evpn_route_fmt(&msg.update.routes[0], s),
			 "[5][192.0.2.2:200][0][2001:db8:1::/64] gw 2001:db8::1 label 200");
	assert_nlri_as_gobgp();
	assert_same_attrs_as_gobgp(i);
}
END_TEST

/* Types 1 and 4 are skipped: no route, no error. */
START_TEST(test_gobgp_other_types)
{
	int skipped = 0;

	for (unsigned i = 0; i < sizeof(gobgp_vectors) / sizeof(gobgp_vectors[0]); i++) {
		size_t n;

		if (gobgp_vectors[i].type != 2)
			continue;
		n = hex(gobgp_vectors[i].hex, wire);
		ck_assert_int_eq(bgp_msg_parse(wire, n, &ebgp4, &msg, &perr), 0);
		ck_assert_int_eq(perr.action, BGP_ACT_NONE);
		if (msg.update.n_skipped) {
			ck_assert_uint_eq(msg.update.n_routes, 0);
			skipped++;
		}
	}
	ck_assert_int_eq(skipped, 2);
}
END_TEST

/* The withdrawal re-encodes to GoBGP's whole message. */
START_TEST(test_gobgp_withdraw)
{
	int i = find_gobgp_update(2, 0x21, true, false);
	size_t n;
	struct wbuf w;

	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(msg.update.n_routes, 1);
	ck_assert(msg.update.routes[0].withdraw);
	ck_assert_uint_eq(msg.update.attrs.present, BGP_ATTR_BIT(BGP_ATTR_MP_UNREACH_NLRI));
	n = hex(gobgp_vectors[i].hex, wire);
	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp4, NULL, msg.update.routes, 1, true), 1);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(built, wire, n);
}
END_TEST

START_TEST(test_7606_mp_reach)
{
	/* 3(g): MP_REACH twice -> reset, Malformed Attribute List. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_MP_REACH A_ORIGIN A_ASPATH, &ebgp4), -1);
	assert_reset(3, 1);
	/* 7.11: EVPN next hop length 5: NLRI cannot be located -> reset. */
	ck_assert_int_eq(parse_update("800e0a" "001946" "05c000020101" "00" "00" A_ORIGIN A_ASPATH,
				      &ebgp4), -1);
	assert_reset(3, 9);
	ck_assert_uint_eq(perr.data[1], BGP_ATTR_MP_REACH_NLRI);   /* data = the attribute */
	/* Next hop longer than the attribute -> reset. */
	ck_assert_int_eq(parse_update("800e06" "001946" "10c0000201" A_ORIGIN A_ASPATH, &ebgp4), -1);
	assert_reset(3, 9);
	ck_assert_int_eq(parse_update("800e02" "0019" A_ORIGIN A_ASPATH, &ebgp4), -1);
	assert_reset(3, 9);
	ck_assert_int_eq(parse_update("800f02" "0019", &ebgp4), -1);
	assert_reset(3, 9);
	/* 3(c): MP_REACH with the Transitive bit: withdraw, but its NLRI are
	 * still found so they can be withdrawn. */
	ck_assert_int_eq(parse_update("c00e30" "001946" "04c0000201" "00"
				      "0225" "0001c00002010064" "00000000000000000000" "00000000"
				      "30020000000011" "200a01000b" "000064" A_ORIGIN A_ASPATH,
				      &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_ATTR_FLAGS);
	assert_all_withdrawn(1);
	/* An IPv6 next hop is fine for EVPN. */
	ck_assert_int_eq(parse_update("800e3c" "001946" "1020010db8000000000000000000000001" "00"
				      "0225" "0001c00002010064" "00000000000000000000" "00000000"
				      "30020000000011" "200a01000b" "000064" A_ORIGIN A_ASPATH,
				      &ebgp4), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(msg.update.attrs.mp_reach.nh_len, 16);
	/* Another AFI/SAFI is located but not decoded. */
	ck_assert_int_eq(parse_update("800e0e" "000101" "04c0000201" "00" "180a0100" "0a" A_ORIGIN A_ASPATH,
				      &ebgp4), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(msg.update.n_routes, 0);
	ck_assert_uint_eq(msg.update.attrs.mp_reach.nlri_len, 5);
}
END_TEST

START_TEST(test_7606_evpn_nlri)
{
	/* An NLRI length past the attribute: the rest cannot be located ->
	 * reset (RFC 7606 5.3, 3(j)). */
	ck_assert_int_eq(parse_update("800e1e" "001946" "04c0000201" "00" IMET_NLRI "0305aabb"
				      A_ORIGIN A_ASPATH, &ebgp4), -1);
	assert_reset(3, 9);
	/* A located but malformed route (type 2 of 34 octets) between two
	 * good ones: treat-as-withdraw, the good ones are withdrawn. */
	ck_assert_int_eq(parse_update("800e53" "001946" "04c0000201" "00"
				      IMET_NLRI
				      "0222" "0001c00002010064" "00000000000000000000" "00000000"
				      "30020000000011" "00" "00006400"
				      IMET_NLRI A_ORIGIN A_ASPATH, &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_OPTIONAL_ATTR);
	ck_assert_uint_eq(msg.update.n_malformed, 1);
	assert_all_withdrawn(2);
	ck_assert_uint_eq(msg.update.n_treat_as_withdraw, 2);   /* the malformed one is not */
	/* Withdrawals are marked even without treat-as-withdraw, and come
	 * before advertisements (RFC 4271 4.3). */
	ck_assert_int_eq(parse_update("800f16" "001946" IMET_NLRI
				      "800e1c" "001946" "04c0000201" "00" IMET_NLRI
				      A_ORIGIN A_ASPATH, &ebgp4), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(msg.update.n_routes, 2);
	ck_assert(msg.update.routes[0].withdraw);
	ck_assert(!msg.update.routes[1].withdraw);
	/* Type 1 is skipped without error; the IMET after it claiming 18
	 * octets where 17 remain is a framing error. */
	ck_assert_int_eq(parse_update("800e37" "001946" "04c0000201" "00"
				      "0119" "0001c00002010064" "00112233445566778899"
				      "00000000" "000064"
				      "0312" "0001c00002010064" "00000000" "20" "c0000201"
				      A_ORIGIN A_ASPATH, &ebgp4), -1);
	assert_reset(3, 9);
	ck_assert_int_eq(parse_update("800e37" "001946" "04c0000201" "00"
				      "0119" "0001c00002010064" "00112233445566778899"
				      "00000000" "000064" IMET_NLRI A_ORIGIN A_ASPATH, &ebgp4), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(msg.update.n_skipped, 1);
	ck_assert_uint_eq(msg.update.n_routes, 1);
	ck_assert_uint_eq(msg.update.routes[0].type, EVPN_RT_IMET);
}
END_TEST

/* Many routes: each UPDATE holds what fits in 4096 octets, all parse back,
 * none is lost; the MP attribute switches to Extended Length. */
START_TEST(test_update_packing)
{
	static struct evpn_route rts[300];
	struct bgp_attrs a;
	uint8_t ext[2][8];
	size_t done = 0, msgs = 0;

	macip_fixture(&a, &rts[0], ext);
	for (unsigned i = 1; i < 300; i++) {
		rts[i] = rts[0];
		rts[i].mac[4] = (uint8_t)(i >> 8);
		rts[i].mac[5] = (uint8_t)i;
	}
	while (done < 300) {
		struct wbuf w;
		int n;

		wbuf_init(&w, built, sizeof(built));
		n = bgp_msg_build_update(&w, &ebgp4, &a, rts + done, 300 - done, false);
		ck_assert_int_gt(n, 0);
		ck_assert_uint_le(w.len, BGP_MAX_LEN);
		if (done + (size_t)n < 300)     /* full: one more route would not fit */
			ck_assert_uint_gt(w.len + 39, BGP_MAX_LEN);
		ck_assert_int_eq(bgp_msg_parse(built, w.len, &ebgp4, &msg, &perr), 0);
		ck_assert_int_eq(perr.action, BGP_ACT_NONE);
		ck_assert_uint_eq(msg.update.n_routes, (unsigned)n);
		ck_assert_uint_eq(built[23], BGP_ATTR_F_OPTIONAL | BGP_ATTR_F_EXTLEN);
		for (int i = 0; i < n; i++)
			ck_assert(evpn_route_same_key(&msg.update.routes[i], &rts[done + i]));
		done += (size_t)n;
		msgs++;
	}
	ck_assert_uint_eq(msgs, 3);     /* 39 octets a route: ~103 per UPDATE */
}
END_TEST

START_TEST(test_update_build_errors)
{
	struct bgp_attrs a;
	struct evpn_route rt;
	uint8_t ext[2][8], small[64];
	struct wbuf w;

	macip_fixture(&a, &rt, ext);
	/* Not enough room: nothing written, the buffer untouched. */
	wbuf_init(&w, small, sizeof(small));
	wbuf_put_u8(&w, 0xaa);
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp4, &a, &rt, 1, false), -EMSGSIZE);
	ck_assert_uint_eq(w.len, 1);
	/* No next hop. */
	a.mp_reach.nh_len = 0;
	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp4, &a, &rt, 1, false), -EINVAL);
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp4, NULL, &rt, 1, false), -EINVAL);
	/* A route that cannot be encoded. */
	a.mp_reach.nh_len = 4;
	rt.ip.len = 3;
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp4, &a, &rt, 1, false), -EINVAL);
	ck_assert_uint_eq(w.len, 0);
	/* A full writer fails the header and rolls back. */
	wbuf_init(&w, small, 10);
	ck_assert_int_eq(bgp_msg_build_keepalive(&w), -EMSGSIZE);
	ck_assert_uint_eq(w.len, 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("bgp_msg_evpn");
	TCase *gobgp = tcase_create("gobgp");
	TCase *rfc7606 = tcase_create("rfc7606");
	TCase *build = tcase_create("build");

	tcase_add_test(gobgp, test_gobgp_macip_v4);
	tcase_add_test(gobgp, test_gobgp_macip_mac_only);
	tcase_add_test(gobgp, test_gobgp_macip_v6_esi_two_labels);
	tcase_add_test(gobgp, test_gobgp_macip_default_gw);
	tcase_add_test(gobgp, test_gobgp_imet);
	tcase_add_test(gobgp, test_gobgp_prefix);
	tcase_add_test(gobgp, test_gobgp_other_types);
	tcase_add_test(gobgp, test_gobgp_withdraw);
	tcase_add_test(rfc7606, test_7606_mp_reach);
	tcase_add_test(rfc7606, test_7606_evpn_nlri);
	tcase_add_test(build, test_update_packing);
	tcase_add_test(build, test_update_build_errors);
	suite_add_tcase(s, gobgp);
	suite_add_tcase(s, rfc7606);
	suite_add_tcase(s, build);
	return s;
}
