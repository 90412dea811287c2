/* test_bgp_msg_open.c - the OPEN message (agent/wire/bgp_msg.c): built and
 * parsed against a golden vector written octet by octet from RFC 4271 4.2,
 * RFC 5492 (capabilities), RFC 4760 (multiprotocol), RFC 4724 (graceful
 * restart), RFC 2918 (route refresh) and RFC 6793 (4-octet AS, AS_TRANS);
 * RFC 9072 extended parameters; every OPEN error with its RFC 4271 6.2
 * subcode; GoBGP's captured OPENs decoded field by field.
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

/* RFC 4271 4.2 + RFC 5492 4 capabilities. */
static const char open_hex[] =
	MARKER "0035" "01" /* Length 53, Type 1 OPEN */
	"04"            /* Version 4 */
	"fde9"          /* My Autonomous System 65001 */
	"005a"          /* Hold Time 90 */
	"c0000201"      /* BGP Identifier 192.0.2.1 */
	"18"            /* Optional Parameters Length 24 */
	"02" "16"       /* Parameter type 2 Capabilities (RFC 5492 4), length 22 */
	"01" "04" "0019" "00" "46"      /* MP (RFC 4760 8): AFI 25 L2VPN, reserved, SAFI 70 EVPN */
	"02" "00"                       /* Route Refresh (RFC 2918) */
	"40" "06" "0078" "0019" "46" "80" /* Graceful Restart (RFC 4724 3): flags 0,
					   * time 120; AFI 25 SAFI 70, F (forwarding) */
	"41" "04" "0000fde9";           /* 4-octet AS (RFC 6793): 65001 */

START_TEST(test_open_golden)
{
	struct bgp_open o = {
		.asn = 65001, .hold_time = 90, .cap_as4 = true, .cap_route_refresh = true,
		.n_mp = 1, .mp = { { EVPN_AFI, EVPN_SAFI } },
		.cap_gr = true, .gr_time = 120, .n_gr = 1,
		.gr = { { EVPN_AFI, EVPN_SAFI, BGP_GR_AF_FORWARDING } },
	};
	struct wbuf w;
	size_t n = hex(open_hex, wire);

	o.bgp_id = inet_addr("192.0.2.1");
	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_open(&w, &o), 0);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(built, wire, n);

	ck_assert_int_eq(bgp_msg_parse(wire, n, &ebgp4, &msg, &perr), 0);
	ck_assert_uint_eq(msg.type, BGP_MSG_OPEN);
	ck_assert_uint_eq(msg.open.version, 4);
	ck_assert_uint_eq(msg.open.my_as, 65001);
	ck_assert_uint_eq(msg.open.asn, 65001);
	ck_assert_uint_eq(msg.open.hold_time, 90);
	ck_assert_uint_eq(msg.open.bgp_id, inet_addr("192.0.2.1"));
	ck_assert(msg.open.cap_as4);
	ck_assert(msg.open.cap_route_refresh);
	ck_assert(!msg.open.cap_enhanced_rr);
	ck_assert_uint_eq(msg.open.n_mp, 1);
	ck_assert_uint_eq(msg.open.mp[0].afi, 25);
	ck_assert_uint_eq(msg.open.mp[0].safi, 70);
	ck_assert(msg.open.cap_gr);
	ck_assert_uint_eq(msg.open.gr_time, 120);
	ck_assert_uint_eq(msg.open.gr_flags, 0);
	ck_assert_uint_eq(msg.open.n_gr, 1);
	ck_assert_uint_eq(msg.open.gr[0].flags, BGP_GR_AF_FORWARDING);
	ck_assert_uint_eq(msg.open.n_unknown_caps, 0);
}
END_TEST

/* RFC 6793 4.1: a 4-octet AS puts AS_TRANS in My AS; the parser reports
 * the capability's AS. */
START_TEST(test_open_as4_trans)
{
	struct bgp_open o = { .asn = 4200000000u, .hold_time = 0, .cap_as4 = true };
	struct wbuf w;

	o.bgp_id = inet_addr("192.0.2.9");
	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_open(&w, &o), 0);
	ck_assert_uint_eq(built[20], 0x5b);       /* My AS = 23456 (0x5ba0) */
	ck_assert_uint_eq(built[21], 0xa0);
	ck_assert_int_eq(bgp_msg_parse(built, w.len, &ebgp4, &msg, &perr), 0);
	ck_assert_uint_eq(msg.open.my_as, BGP_AS_TRANS);
	ck_assert_uint_eq(msg.open.asn, 4200000000u);
	ck_assert_uint_eq(msg.open.hold_time, 0);
}
END_TEST

START_TEST(test_open_errors)
{
	/* Version 3: data = the largest version we support (RFC 4271 6.2). */
	ck_assert_int_eq(parse_hex(MARKER "001d01" "03fde9005ac000020100", &ebgp4), -1);
	assert_reset(2, 1);
	ck_assert_uint_eq(perr.data_len, 2);
	ck_assert_uint_eq(perr.data[1], 4);
	/* Hold time 2. */
	ck_assert_int_eq(parse_hex(MARKER "001d01" "04fde90002c000020100", &ebgp4), -1);
	assert_reset(2, 6);
	/* BGP Identifier 0 (RFC 6286 2.2). */
	ck_assert_int_eq(parse_hex(MARKER "001d01" "04fde9005a0000000000", &ebgp4), -1);
	assert_reset(2, 3);
	/* Optional parameter type 1 (authentication, deprecated). */
	ck_assert_int_eq(parse_hex(MARKER "002101" "04fde9005ac000020104" "0102aaaa", &ebgp4), -1);
	assert_reset(2, 4);
	/* MP capability of 3 octets: recognized but malformed -> subcode 0. */
	ck_assert_int_eq(parse_hex(MARKER "002401" "04fde9005ac000020107" "0205" "0103001900", &ebgp4), -1);
	assert_reset(2, 0);
	/* Opt Parm Len 8 with 4 octets of parameters. */
	ck_assert_int_eq(parse_hex(MARKER "002101" "04fde9005ac000020108" "02020200", &ebgp4), -1);
	assert_reset(2, 0);
	/* Octets after the parameters. */
	ck_assert_int_eq(parse_hex(MARKER "002201" "04fde9005ac000020104" "02020200" "00", &ebgp4), -1);
	assert_reset(2, 0);
	/* Capability length past its parameter. */
	ck_assert_int_eq(parse_hex(MARKER "002101" "04fde9005ac000020104" "02024104", &ebgp4), -1);
	assert_reset(2, 0);
}
END_TEST

/* RFC 9072: Opt Parm Len 255, type 255, 2-octet lengths. */
START_TEST(test_open_extended_params)
{
	ck_assert_int_eq(parse_hex(MARKER "002b01" "04fde9005ac0000201"
				   "ff" "ff" "000b"        /* extended, 11 octets */
				   "02" "0008"             /* Capabilities, 8 octets */
				   "0200"                  /* route refresh */
				   "41040000fde9",         /* AS 65001 */
				   &ebgp4), 0);
	ck_assert(msg.open.cap_route_refresh);
	ck_assert(msg.open.cap_as4);
	ck_assert_uint_eq(msg.open.asn, 65001);
}
END_TEST

START_TEST(test_gobgp_open_keepalive)
{
	int seen = 0;

	for (unsigned i = 0; i < sizeof(gobgp_vectors) / sizeof(gobgp_vectors[0]); i++) {
		size_t n = hex(gobgp_vectors[i].hex, wire);

		ck_assert_int_eq(bgp_msg_frame(wire, n, &perr), (int)n);
		ck_assert_int_eq(bgp_msg_parse(wire, n, &ebgp4, &msg, &perr), 0);
		ck_assert_int_eq(perr.action, BGP_ACT_NONE);
		if (msg.type == BGP_MSG_OPEN && !strcmp(gobgp_vectors[i].dir, "gobgp")) {
			/* gobgpd: AS 65002, router id 192.0.2.2, hold 90;
			 * route refresh, MP L2VPN EVPN, 4-octet AS, plus FQDN (73)
			 * and extended next hop (5) that vtepd ignores. */
			ck_assert_uint_eq(msg.open.asn, 65002);
			ck_assert_uint_eq(msg.open.my_as, 65002);
			ck_assert_uint_eq(msg.open.hold_time, 90);
			ck_assert_uint_eq(msg.open.bgp_id, inet_addr("192.0.2.2"));
			ck_assert(msg.open.cap_as4);
			ck_assert(msg.open.cap_route_refresh);
			ck_assert_uint_eq(msg.open.n_mp, 1);
			ck_assert_uint_eq(msg.open.mp[0].afi, EVPN_AFI);
			ck_assert_uint_eq(msg.open.mp[0].safi, EVPN_SAFI);
			ck_assert_uint_eq(msg.open.n_unknown_caps, 2);
			seen |= 1;
		} else if (msg.type == BGP_MSG_OPEN) {
			ck_assert_uint_eq(msg.open.asn, 65001);   /* capture_peer.py */
			seen |= 2;
		} else if (msg.type == BGP_MSG_KEEPALIVE) {
			seen |= 4;
		}
	}
	ck_assert_int_eq(seen, 7);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("bgp_msg_open");
	TCase *golden = tcase_create("golden");
	TCase *gobgp = tcase_create("gobgp");

	tcase_add_test(golden, test_open_golden);
	tcase_add_test(golden, test_open_as4_trans);
	tcase_add_test(golden, test_open_errors);
	tcase_add_test(golden, test_open_extended_params);
	tcase_add_test(gobgp, test_gobgp_open_keepalive);
	suite_add_tcase(s, golden);
	suite_add_tcase(s, gobgp);
	return s;
}
