/* test_bgp_msg_attrs.c - UPDATE path attributes (agent/wire/bgp_attr.c,
 * bgp_msg.c): an EVPN UPDATE built and parsed against a golden vector
 * (RFC 4271 4.3, RFC 4760, RFC 7432 7.2), the extended communities of RFC
 * 4360, 5668, 7432 and 9135 octet by octet, PMSI Tunnel (RFC 6514), AS_PATH
 * helpers and AS4_PATH towards a 2-octet speaker (RFC 6793), Extended
 * Length, and the RFC 7606 classification of each malformed attribute:
 * session reset with the RFC 4271 6 code/subcode, treat-as-withdraw, or
 * attribute discard.
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

/* RFC 4271 4.3 UPDATE carrying one RFC 7432 7.2 MAC/IP route. */
static const char update_macip_hex[] =
	MARKER "006a" "02"      /* Length 106, Type 2 UPDATE */
	"0000"                  /* Withdrawn Routes Length 0 */
	"0053"                  /* Total Path Attribute Length 83 */
	/* MP_REACH_NLRI first (RFC 7606 5.1) */
	"80" "0e" "30"          /* Optional, type 14, length 48 */
	"0019" "46"             /* AFI 25, SAFI 70 */
	"04" "c0000201"         /* Next hop length 4: 192.0.2.1 (our VTEP) */
	"00"                    /* Reserved */
	"02" "25"               /* NLRI: route type 2, length 37 */
	"0001c00002010064"      /* RD type 1 192.0.2.1:100 */
	"00000000000000000000"  /* ESI 0 */
	"00000000"              /* Ethernet Tag 0 */
	"30" "020000000011"     /* MAC length 48, MAC 02:00:00:00:00:11 */
	"20" "0a01000b"         /* IP length 32, 10.1.0.11 */
	"000064"                /* Label1: VNI 100 */
	"40" "01" "01" "00"     /* ORIGIN: well-known transitive, length 1, IGP */
	"40" "02" "06" "02" "01" "0000fde9"   /* AS_PATH: AS_SEQUENCE of 1, AS 65001 */
	"c0" "10" "10"          /* EXTENDED_COMMUNITIES: optional transitive, length 16 */
	"0002" "fde9" "00000064"        /* Route Target, 2-octet AS form: 65001:100 */
	"030c" "00000000" "0008";       /* Encapsulation (RFC 9012 4.1): tunnel type 8 VXLAN */

START_TEST(test_update_golden_build)
{
	struct bgp_attrs a;
	struct evpn_route rt;
	uint8_t ext[2][8];
	struct wbuf w;
	size_t n = hex(update_macip_hex, wire);

	macip_fixture(&a, &rt, ext);
	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp4, &a, &rt, 1, false), 1);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(built, wire, n);
}
END_TEST

START_TEST(test_update_golden_parse)
{
	struct evpn_route *rt;
	uint32_t g, l;

	ck_assert_int_eq(parse_hex(update_macip_hex, &ebgp4), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(msg.type, BGP_MSG_UPDATE);
	ck_assert(!msg.update.eor);
	ck_assert_uint_eq(msg.update.attrs.origin, BGP_ORIGIN_IGP);
	ck_assert_uint_eq(msg.update.attrs.aspath.n_asns, 1);
	ck_assert_uint_eq(bgp_aspath_first(&msg.update.attrs.aspath), 65001);
	ck_assert_uint_eq(msg.update.attrs.mp_reach.nh_len, 4);
	ck_assert_mem_eq(msg.update.attrs.mp_reach.nh, "\xc0\x00\x02\x01", 4);
	ck_assert_uint_eq(msg.update.attrs.n_ext, 2);
	ck_assert_int_eq(bgp_ext_rt_parse(msg.update.attrs.ext, &g, &l), BGP_EXT_TYPE_AS2);
	ck_assert_uint_eq(g, 65001);
	ck_assert_uint_eq(l, 100);
	ck_assert_uint_eq(msg.update.attrs.evpn.n_rt, 1);
	ck_assert_uint_eq(msg.update.attrs.evpn.encap_types, 1u << BGP_TUNNEL_VXLAN);
	ck_assert_uint_eq(msg.update.n_routes, 1);
	rt = &msg.update.routes[0];
	ck_assert(!rt->withdraw);
	ck_assert_uint_eq(rt->type, 2);
	ck_assert_uint_eq(rt->ip.v4, inet_addr("10.1.0.11"));
	ck_assert_uint_eq(evpn_label_vni(rt->label[0]), 100);
}
END_TEST

/* RFC 7432 7.7, RFC 9135 8.1, RFC 7432 7.8, RFC 5668, RFC 4360: each
 * community builder gives the RFC's octets; the parser sums them up. */
START_TEST(test_ext_communities)
{
	uint8_t e[8][8];
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0xaa, 0xbb };
	uint32_t g, l;
	char attrs[512];

	bgp_ext_rt_as2(e[0], 65001, 100);
	ck_assert_mem_eq(e[0], "\x00\x02\xfd\xe9\x00\x00\x00\x64", 8);
	bgp_ext_rt_ip4(e[1], inet_addr("192.0.2.2"), 100);
	ck_assert_mem_eq(e[1], "\x01\x02\xc0\x00\x02\x02\x00\x64", 8);
	bgp_ext_rt_as4(e[2], 4200000000u, 100);
	ck_assert_mem_eq(e[2], "\x02\x02\xfa\x56\xea\x00\x00\x64", 8);
	bgp_ext_encap(e[3], BGP_TUNNEL_VXLAN);
	ck_assert_mem_eq(e[3], "\x03\x0c\x00\x00\x00\x00\x00\x08", 8);
	/* MAC Mobility: type 0x06, sub 0x00, flags (sticky = low bit),
	 * reserved, sequence number 5. */
	bgp_ext_mac_mobility(e[4], 5, true);
	ck_assert_mem_eq(e[4], "\x06\x00\x01\x00\x00\x00\x00\x05", 8);
	bgp_ext_router_mac(e[5], mac);
	ck_assert_mem_eq(e[5], "\x06\x03\x02\x00\x00\x00\xaa\xbb", 8);
	bgp_ext_default_gw(e[6]);
	ck_assert_mem_eq(e[6], "\x03\x0d\x00\x00\x00\x00\x00\x00", 8);
	bgp_ext_mac_mobility(e[7], 7, false);   /* a second one: the higher wins */

	ck_assert_int_eq(bgp_ext_rt_parse(e[1], &g, &l), BGP_EXT_TYPE_IP4);
	ck_assert_uint_eq(g, inet_addr("192.0.2.2"));
	ck_assert_uint_eq(l, 100);
	ck_assert_int_eq(bgp_ext_rt_parse(e[2], &g, &l), BGP_EXT_TYPE_AS4);
	ck_assert_uint_eq(g, 4200000000u);
	ck_assert_int_eq(bgp_ext_rt_parse(e[3], &g, &l), -1);

	strcpy(attrs, "c01040");
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 8; j++)
			sprintf(attrs + strlen(attrs), "%02x", e[i][j]);
	ck_assert_int_eq(parse_update(attrs, &ebgp4), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(msg.update.attrs.n_ext, 8);
	ck_assert_uint_eq(msg.update.attrs.evpn.n_rt, 3);
	ck_assert(msg.update.attrs.evpn.mac_mobility);
	ck_assert(msg.update.attrs.evpn.mm_sticky);
	ck_assert_uint_eq(msg.update.attrs.evpn.mm_seq, 7);
	ck_assert(msg.update.attrs.evpn.has_router_mac);
	ck_assert_mem_eq(msg.update.attrs.evpn.router_mac, mac, 6);
	ck_assert(msg.update.attrs.evpn.default_gw);
	ck_assert_uint_eq(msg.update.attrs.evpn.encap_types, 1u << 8);
}
END_TEST

START_TEST(test_7606_valid_baseline)
{
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH A_EXT, &ebgp4), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(perr.n_problems, 0);
	ck_assert_uint_eq(msg.update.n_routes, 1);
	ck_assert(!msg.update.routes[0].withdraw);
}
END_TEST

START_TEST(test_7606_origin)
{
	/* 7.1: length 2 -> withdraw */
	ck_assert_int_eq(parse_update(A_MP_REACH "4001020000" A_ASPATH, &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_ATTR_LENGTH);
	assert_all_withdrawn(1);
	/* 7.1: value 3 -> withdraw */
	ck_assert_int_eq(parse_update(A_MP_REACH "40010103" A_ASPATH, &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_INVALID_ORIGIN);
	assert_all_withdrawn(1);
	/* 3(c): Optional bit on a well-known attribute -> withdraw, data = it */
	ck_assert_int_eq(parse_update(A_MP_REACH "c0010100" A_ASPATH, &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_ATTR_FLAGS);
	ck_assert_uint_eq(perr.data_len, 4);
	ck_assert_mem_eq(perr.data, "\xc0\x01\x01\x00", 4);
	assert_all_withdrawn(1);
}
END_TEST

START_TEST(test_7606_as_path)
{
	/* 7.2: empty segment, overrun, unknown segment type, lone octet */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN "4002020200", &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_MALFORMED_AS_PATH);
	assert_all_withdrawn(1);
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN "400206" "0202" "0000fde9", &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_MALFORMED_AS_PATH);
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN "400206" "0501" "0000fde9", &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_MALFORMED_AS_PATH);
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN "400207" "0201" "0000fde9" "02", &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_MALFORMED_AS_PATH);
	/* Confederation segment: malformed from an external peer only. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN "400206" "0301" "0000fde9", &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_MALFORMED_AS_PATH);
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN "400206" "0301" "0000fde9", &ibgp4), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(bgp_aspath_hops(&msg.update.attrs.aspath), 0);   /* RFC 5065 5.3 */
	/* 2-octet AS_PATH from a peer without the 4-octet capability */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN "400204" "0201" "fde9", &ebgp2), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(msg.update.attrs.aspath.asn[0], 65001);
	/* Missing AS_PATH: 3(d) -> withdraw, data = the type. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN, &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_MISSING_WELLKNOWN);
	ck_assert_uint_eq(perr.data_len, 1);
	ck_assert_uint_eq(perr.data[0], BGP_ATTR_AS_PATH);
	assert_all_withdrawn(1);
	/* No reachability, no mandatory attributes (RFC 4760 4). */
	ck_assert_int_eq(parse_update("800f06" "001946" "0205aa", &ebgp4), -1);   /* framing */
	ck_assert_int_eq(parse_update("800f03" "001946", &ebgp4), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
}
END_TEST

START_TEST(test_7606_local_pref_med)
{
	/* 7.5: from an external peer, discarded whatever it holds. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "40050400000064", &ebgp4), 0);
	assert_action(BGP_ACT_ATTR_DISCARD, 0);
	ck_assert(!BGP_ATTR_HAS(&msg.update.attrs, BGP_ATTR_LOCAL_PREF));
	ck_assert(!msg.update.routes[0].withdraw);
	/* From an internal one: used; wrong length -> withdraw. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "400504000000c8", &ibgp4), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(msg.update.attrs.local_pref, 200);
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "400503000000", &ibgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_ATTR_LENGTH);
	assert_all_withdrawn(1);
	/* 7.4: MED of 3 octets -> withdraw. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "800403000000", &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_ATTR_LENGTH);
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "80040400000005", &ebgp4), 0);
	ck_assert_uint_eq(msg.update.attrs.med, 5);
}
END_TEST

START_TEST(test_7606_discards)
{
	/* 7.6: ATOMIC_AGGREGATE of 1 octet -> discard, route stays. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "40060100", &ebgp4), 0);
	assert_action(BGP_ACT_ATTR_DISCARD, BGP_UPD_ATTR_LENGTH);
	ck_assert(!msg.update.routes[0].withdraw);
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "400600", &ebgp4), 0);
	ck_assert(BGP_ATTR_HAS(&msg.update.attrs, BGP_ATTR_ATOMIC_AGGREGATE));
	/* 7.7: AGGREGATOR of 6 octets after 4-octet AS negotiation -> discard. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "c00706fde9c0000201", &ebgp4), 0);
	assert_action(BGP_ACT_ATTR_DISCARD, BGP_UPD_ATTR_LENGTH);
	ck_assert(!BGP_ATTR_HAS(&msg.update.attrs, BGP_ATTR_AGGREGATOR));
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "c007080000fde9c0000201", &ebgp4), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(msg.update.attrs.aggregator_as, 65001);
	/* RFC 6793 4.1: AS4_PATH between 4-octet speakers -> discard. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "c01106" "0201" "0000fde9", &ebgp4), 0);
	assert_action(BGP_ACT_ATTR_DISCARD, 0);
	ck_assert(!msg.update.routes[0].withdraw);
	/* Repeated attribute (3(g)): the first is kept. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "40010101", &ebgp4), 0);
	assert_action(BGP_ACT_ATTR_DISCARD, BGP_UPD_MALFORMED_ATTR_LIST);
	ck_assert_uint_eq(msg.update.attrs.origin, BGP_ORIGIN_IGP);
	ck_assert(!msg.update.routes[0].withdraw);
}
END_TEST

START_TEST(test_7606_lists)
{
	/* 7.8 COMMUNITIES, 7.14 EXTENDED_COMMUNITIES, 7.9 ORIGINATOR_ID,
	 * 7.10 CLUSTER_LIST: bad lengths -> withdraw. */
	static const char *const bad[] = {
		"c00800", "c0080300aabb", "c0100c0002fde90000006400000000",
		"80090300aabb", "800a06000000010000",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char attrs[512];

		snprintf(attrs, sizeof(attrs), A_MP_REACH A_ORIGIN A_ASPATH "%s", bad[i]);
		ck_assert_int_eq(parse_update(attrs, &ebgp4), 0);
		ck_assert_msg(perr.action == BGP_ACT_WITHDRAW, "%s: %s", bad[i], perr.msg);
		assert_all_withdrawn(1);
	}
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "c00808fde90064fde900c8"
				      "800904c0000209" "800a08c0000209c000020a", &ibgp4), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(msg.update.attrs.n_communities, 2);
	ck_assert_uint_eq(msg.update.attrs.originator_id, inet_addr("192.0.2.9"));
	ck_assert_uint_eq(msg.update.attrs.n_clusters, 2);
}
END_TEST

START_TEST(test_7606_unknown_attributes)
{
	struct wbuf w;
	size_t s;
	const uint8_t *a;

	/* RFC 4271 6.3: unrecognized well-known -> reset 3/2, data = it. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "406301aa", &ebgp4), -1);
	assert_reset(3, 2);
	ck_assert_uint_eq(perr.data_len, 4);
	ck_assert_mem_eq(perr.data, "\x40\x63\x01\xaa", 4);
	/* Optional non-transitive: ignored. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "806302beef", &ebgp4), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(msg.update.attrs.n_unknown, 0);
	/* Optional transitive: kept, and passed on with the Partial bit. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "c06302beef", &ebgp4), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(msg.update.attrs.n_unknown, 1);
	ck_assert_uint_eq(msg.update.attrs.unknown[0].type, 0x63);
	ck_assert_uint_eq(msg.update.attrs.unknown[0].len, 2);
	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp4, &msg.update.attrs, msg.update.routes, 1, false), 1);
	a = find_attr(built, w.len, 0x63, &s);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(s, 5);
	ck_assert_mem_eq(a, "\xe0\x63\x02\xbe\xef", 5);
}
END_TEST

START_TEST(test_7606_attribute_overrun)
{
	/* 4: the last attribute runs past the field. MP_REACH came first, so
	 * its NLRI are withdrawn. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN "400207" "0201" "0000fde9", &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_ATTR_LENGTH);
	assert_all_withdrawn(1);
	/* 4, second case: two octets left, too few for a header. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "4001", &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_ATTR_LENGTH);
	assert_all_withdrawn(1);
	/* Broken before any MP attribute: what follows cannot be withdrawn
	 * -> reset (3(j)). */
	ck_assert_int_eq(parse_update(A_ORIGIN "40020a" "0201" "0000fde9", &ebgp4), -1);
	assert_reset(3, 1);
	/* Extended Length with a 2-octet length past the field. */
	ck_assert_int_eq(parse_update(A_MP_REACH "5001ffff00", &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_ATTR_LENGTH);
}
END_TEST

START_TEST(test_7606_ipv4_fields)
{
	size_t len;

	/* 5.3: a prefix longer than 32 -> reset, Invalid Network Field. */
	len = mk_update("", A_ORIGIN A_ASPATH "400304c0000201", "210a00000000");   /* /33, 5 octets */
	ck_assert_int_eq(bgp_msg_parse(wire, len, &ebgp4, &msg, &perr), -1);
	assert_reset(3, 10);
	len = mk_update("180a01", A_ORIGIN, "");          /* /24 with 2 octets */
	ck_assert_int_eq(bgp_msg_parse(wire, len, &ebgp4, &msg, &perr), -1);
	assert_reset(3, 10);
	/* Good fields are counted, and NEXT_HOP is then mandatory. */
	len = mk_update("180a0100" "200a010203", A_ORIGIN A_ASPATH "400304c0000201", "180a0200");
	ck_assert_int_eq(bgp_msg_parse(wire, len, &ebgp4, &msg, &perr), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(msg.update.n_withdrawn4, 2);
	ck_assert_uint_eq(msg.update.n_nlri4, 1);
	ck_assert_uint_eq(msg.update.attrs.next_hop, inet_addr("192.0.2.1"));
	len = mk_update("", A_ORIGIN A_ASPATH, "180a0200");
	ck_assert_int_eq(bgp_msg_parse(wire, len, &ebgp4, &msg, &perr), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_MISSING_WELLKNOWN);
	ck_assert_uint_eq(perr.data[0], BGP_ATTR_NEXT_HOP);
	/* 7.3: NEXT_HOP of 5 octets -> withdraw. */
	len = mk_update("", A_ORIGIN A_ASPATH "400305c000020100", "180a0200");
	ck_assert_int_eq(bgp_msg_parse(wire, len, &ebgp4, &msg, &perr), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_WITHDRAW);
	/* RFC 4271 6.3: Withdrawn Routes Length past the message -> reset 3/1. */
	ck_assert_int_eq(parse_hex(MARKER "0017" "02" "0005" "0000", &ebgp4), -1);
	assert_reset(3, 1);
	ck_assert_int_eq(parse_hex(MARKER "0017" "02" "0000" "0001", &ebgp4), -1);
	assert_reset(3, 1);
}
END_TEST

/* The most severe problem wins; every problem is counted. */
START_TEST(test_7606_severity)
{
	ck_assert_int_eq(parse_update(A_MP_REACH "40060100" "40010103" A_ASPATH "40060100", &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_INVALID_ORIGIN);
	/* discard, withdraw, repeat discard, and ORIGIN then missing */
	ck_assert_uint_eq(perr.n_problems, 4);
	ck_assert_int_eq(parse_update(A_MP_REACH "40010103" "406301aa", &ebgp4), -1);
	assert_reset(3, 2);
}
END_TEST

/* Issue 4: the parser reports how many reachable routes treat-as-withdraw
 * turned into withdrawals (the session counts them as rejected); routes
 * that were withdrawals already, and malformed ones (test_7606_evpn_nlri),
 * are not among them. */
START_TEST(test_7606_treat_as_withdraw_count)
{
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH A_EXT, &ebgp4), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(msg.update.n_treat_as_withdraw, 0);
	/* Malformed ORIGIN (RFC 7606 7.1): the one reachable route. */
	ck_assert_int_eq(parse_update(A_MP_REACH "40010103" A_ASPATH, &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_INVALID_ORIGIN);
	ck_assert_uint_eq(msg.update.n_treat_as_withdraw, 1);
	/* One withdrawal, one advertisement, AS_PATH missing (3(d)): only the
	 * advertisement was turned. */
	ck_assert_int_eq(parse_update("800f16" "001946" IMET_NLRI
				      "800e1c" "001946" "04c0000201" "00" IMET_NLRI
				      A_ORIGIN, &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_MISSING_WELLKNOWN);
	assert_all_withdrawn(2);
	ck_assert_uint_eq(msg.update.n_treat_as_withdraw, 1);
	/* Attribute discard (RFC 7606 7.6) keeps the route: nothing rejected. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "40060100", &ebgp4), 0);
	assert_action(BGP_ACT_ATTR_DISCARD, BGP_UPD_ATTR_LENGTH);
	ck_assert_uint_eq(msg.update.n_routes, 1);
	ck_assert(!msg.update.routes[0].withdraw);
	ck_assert_uint_eq(msg.update.n_treat_as_withdraw, 0);
}
END_TEST

START_TEST(test_pmsi)
{
	/* RFC 6514 5: flags 0, type 6 ingress replication, label VNI 100,
	 * id 192.0.2.1. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "c01609" "00" "06" "000064" "c0000201",
				      &ebgp4), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(msg.update.attrs.pmsi.label, 100);
	/* Too short, or an ingress-replication id that is no address. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "c016040006000064", &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_OPTIONAL_ATTR);
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "c01607" "00" "06" "000064" "c000", &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_OPTIONAL_ATTR);
}
END_TEST

/* RFC 6793 4.2.2: towards a 2-octet speaker, AS_TRANS in AS_PATH and the
 * true path in AS4_PATH. */
START_TEST(test_update_as2_peer)
{
	struct bgp_attrs a;
	struct evpn_route rt;
	uint8_t ext[2][8];
	struct wbuf w;
	size_t s;
	const uint8_t *p;

	macip_fixture(&a, &rt, ext);
	ck_assert_int_eq(bgp_aspath_prepend(&a.aspath, 4200000000u), 0);
	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp2, &a, &rt, 1, false), 1);
	p = find_attr(built, w.len, BGP_ATTR_AS_PATH, &s);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(s, 3 + 2 + 4);
	ck_assert_mem_eq(p + 3, "\x02\x02\x5b\xa0\xfd\xe9", 6);
	p = find_attr(built, w.len, BGP_ATTR_AS4_PATH, &s);
	ck_assert_ptr_nonnull(p);
	ck_assert_mem_eq(p, "\xc0\x11\x0a\x02\x02\xfa\x56\xea\x00\x00\x00\xfd\xe9", 13);
	ck_assert_int_eq(bgp_msg_parse(built, w.len, &ebgp2, &msg, &perr), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	/* RFC 6793 4.2.3: the receiver merges AS4_PATH back in. */
	ck_assert_uint_eq(msg.update.attrs.aspath.asn[0], 4200000000u);
	ck_assert_uint_eq(msg.update.attrs.as4_used, BGP_AS4_USED_PATH);
	/* Between 4-octet speakers there is no AS4_PATH. */
	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp4, &a, &rt, 1, false), 1);
	ck_assert_ptr_null(find_attr(built, w.len, BGP_ATTR_AS4_PATH, &s));
}
END_TEST

START_TEST(test_aspath_helpers)
{
	struct bgp_aspath p;

	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN
				      "40021a" "0202" "0000fde9" "0000fdea"     /* SEQ 65001 65002 */
				      "0102" "0000fdeb" "0000fdec"              /* SET {65003 65004} */
				      "0201" "0000fded",                        /* SEQ 65005 */
				      &ebgp4), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	p = msg.update.attrs.aspath;
	ck_assert_uint_eq(p.n_segs, 3);
	ck_assert_uint_eq(p.n_asns, 5);
	ck_assert_uint_eq(bgp_aspath_hops(&p), 4);      /* 2 + 1 (set) + 1 */
	ck_assert_uint_eq(bgp_aspath_first(&p), 65001);
	ck_assert(bgp_aspath_contains(&p, 65004));
	ck_assert(!bgp_aspath_contains(&p, 65006));
	ck_assert_int_eq(bgp_aspath_prepend(&p, 65100), 0);
	ck_assert_uint_eq(p.n_segs, 3);
	ck_assert_uint_eq(p.seg[0].count, 3);
	ck_assert_uint_eq(bgp_aspath_first(&p), 65100);
	memset(&p, 0, sizeof(p));
	ck_assert_uint_eq(bgp_aspath_first(&p), 0);
	for (int i = 0; i < BGP_ASPATH_MAX; i++)
		ck_assert_int_eq(bgp_aspath_prepend(&p, 1), 0);
	ck_assert_int_eq(bgp_aspath_prepend(&p, 1), -ENOSPC);
	ck_assert_uint_eq(p.n_segs, 2);                 /* 255 per segment */
}
END_TEST

/* A 320-octet attribute is written with Extended Length (RFC 4271 4.3)
 * and parses back. */
START_TEST(test_extended_length)
{
	static uint8_t ext[40][8];
	struct bgp_attrs a;
	struct evpn_route rt;
	uint8_t e2[2][8];
	struct wbuf w;
	size_t s;
	const uint8_t *p;

	macip_fixture(&a, &rt, e2);
	for (int i = 0; i < 40; i++)
		bgp_ext_rt_as2(ext[i], 65001, (uint32_t)i);
	a.ext = ext[0];
	a.n_ext = 40;
	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp4, &a, &rt, 1, false), 1);
	p = find_attr(built, w.len, BGP_ATTR_EXT_COMMUNITIES, &s);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p[0], BGP_ATTR_F_OPTIONAL | BGP_ATTR_F_TRANSITIVE | BGP_ATTR_F_EXTLEN);
	ck_assert_uint_eq(s, 4 + 320);
	ck_assert_int_eq(bgp_msg_parse(built, w.len, &ebgp4, &msg, &perr), 0);
	ck_assert_int_eq(perr.action, BGP_ACT_NONE);
	ck_assert_uint_eq(msg.update.attrs.n_ext, 40);
	ck_assert_uint_eq(msg.update.attrs.evpn.n_rt, 40);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("bgp_msg_attrs");
	TCase *golden = tcase_create("golden");
	TCase *rfc7606 = tcase_create("rfc7606");
	TCase *build = tcase_create("build");

	tcase_add_test(golden, test_update_golden_build);
	tcase_add_test(golden, test_update_golden_parse);
	tcase_add_test(golden, test_ext_communities);
	tcase_add_test(rfc7606, test_7606_valid_baseline);
	tcase_add_test(rfc7606, test_7606_origin);
	tcase_add_test(rfc7606, test_7606_as_path);
	tcase_add_test(rfc7606, test_7606_local_pref_med);
	tcase_add_test(rfc7606, test_7606_discards);
	tcase_add_test(rfc7606, test_7606_lists);
	tcase_add_test(rfc7606, test_7606_unknown_attributes);
	tcase_add_test(rfc7606, test_7606_treat_as_withdraw_count);
	tcase_add_test(rfc7606, test_7606_attribute_overrun);
	tcase_add_test(rfc7606, test_7606_ipv4_fields);
	tcase_add_test(rfc7606, test_7606_severity);
	tcase_add_test(rfc7606, test_pmsi);
	tcase_add_test(build, test_update_as2_peer);
	tcase_add_test(build, test_aspath_helpers);
	tcase_add_test(build, test_extended_length);
	suite_add_tcase(s, golden);
	suite_add_tcase(s, rfc7606);
	suite_add_tcase(s, build);
	return s;
}
