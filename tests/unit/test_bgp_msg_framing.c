/* test_bgp_msg_framing.c - the BGP header and the messages that are little
 * more than it (agent/wire/bgp_msg.c): framing a byte stream into messages
 * and the RFC 4271 6.1 header errors (marker, length per type, type), the
 * KEEPALIVE (RFC 4271 4.4), ROUTE-REFRESH (RFC 2918, RFC 7313) and
 * End-of-RIB (RFC 4724 2), each against a golden vector.
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

/* RFC 4271 4.1/4.4: a KEEPALIVE is the 19-octet header alone. */
static const char keepalive_hex[] =
	MARKER          /* Marker: all ones */
	"0013"          /* Length 19 */
	"04";           /* Type 4 KEEPALIVE */

/* RFC 2918 3: ROUTE-REFRESH for L2VPN EVPN. */
static const char route_refresh_hex[] =
	MARKER "0017" "05"      /* Length 23, Type 5 */
	"0019" "00" "46";       /* AFI 25, Reserved/subtype 0, SAFI 70 */

/* RFC 4724 2: End-of-RIB for L2VPN EVPN. */
static const char eor_evpn_hex[] =
	MARKER "001d" "02"      /* Length 29, UPDATE */
	"0000" "0006"           /* no withdrawn, attributes 6 */
	"80" "0f" "03" "0019" "46"; /* MP_UNREACH_NLRI: AFI 25 SAFI 70, no NLRI */

START_TEST(test_keepalive_golden)
{
	struct wbuf w;
	size_t n = hex(keepalive_hex, wire);

	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_keepalive(&w), 0);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(built, wire, n);
	ck_assert_int_eq(bgp_msg_parse(wire, n, &ebgp4, &msg, &perr), 0);
	ck_assert_uint_eq(msg.type, BGP_MSG_KEEPALIVE);
}
END_TEST

START_TEST(test_header_errors)
{
	uint8_t b[32];
	size_t n;

	/* Too few octets yet: not an error. */
	n = hex(keepalive_hex, b);
	ck_assert_int_eq(bgp_msg_frame(b, 18, &perr), 0);
	ck_assert_int_eq(bgp_msg_frame(b, n, &perr), 19);
	n = hex(route_refresh_hex, b);
	ck_assert_int_eq(bgp_msg_frame(b, 20, &perr), 0);
	ck_assert_int_eq(bgp_msg_frame(b, n + 5, &perr), 23);   /* the next one follows */

	/* RFC 4271 6.1: marker not all ones -> Connection Not Synchronized. */
	n = hex("ffffffffffffffffffffffffffffff7f001304", b);
	ck_assert_int_eq(bgp_msg_frame(b, n, &perr), -1);
	assert_reset(1, 1);
	/* Bad Message Length, data = the Length field. */
	n = hex(MARKER "001404" "00", b);      /* KEEPALIVE of 20 */
	ck_assert_int_eq(bgp_msg_frame(b, n, &perr), -1);
	assert_reset(1, 2);
	ck_assert_uint_eq(perr.data_len, 2);
	ck_assert_uint_eq(perr.data[1], 0x14);
	n = hex(MARKER "001202", b);           /* 18 < 19 */
	ck_assert_int_eq(bgp_msg_frame(b, n, &perr), -1);
	assert_reset(1, 2);
	n = hex(MARKER "100102", b);           /* 4097 */
	ck_assert_int_eq(bgp_msg_frame(b, n, &perr), -1);
	assert_reset(1, 2);
	n = hex(MARKER "001c01", b);           /* OPEN of 28 < 29 */
	ck_assert_int_eq(bgp_msg_frame(b, n, &perr), -1);
	assert_reset(1, 2);
	n = hex(MARKER "001603", b);           /* NOTIFICATION of 22 is fine, 20 is not */
	ck_assert_int_eq(bgp_msg_frame(b, n, &perr), 0);
	n = hex(MARKER "001403", b);
	ck_assert_int_eq(bgp_msg_frame(b, n, &perr), -1);
	assert_reset(1, 2);
	n = hex(MARKER "001605", b);           /* ROUTE-REFRESH of 22 */
	ck_assert_int_eq(bgp_msg_frame(b, n, &perr), -1);
	assert_reset(1, 2);
	/* Bad Message Type, data = the type. */
	n = hex(MARKER "001307", b);
	ck_assert_int_eq(bgp_msg_frame(b, n, &perr), -1);
	assert_reset(1, 3);
	ck_assert_uint_eq(perr.data_len, 1);
	ck_assert_uint_eq(perr.data[0], 7);
	/* parse() wants exactly one message. */
	n = hex(MARKER "0013" "04" "00", b);
	ck_assert_int_eq(bgp_msg_parse(b, n, &ebgp4, &msg, &perr), -1);
	assert_reset(1, 2);
}
END_TEST

START_TEST(test_route_refresh)
{
	struct bgp_route_refresh rr = { .afi = EVPN_AFI, .safi = EVPN_SAFI };
	struct wbuf w;
	size_t n = hex(route_refresh_hex, wire);

	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_route_refresh(&w, &rr), 0);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(built, wire, n);
	ck_assert_int_eq(bgp_msg_parse(wire, n, &ebgp4, &msg, &perr), 0);
	ck_assert_uint_eq(msg.route_refresh.afi, 25);
	ck_assert_uint_eq(msg.route_refresh.safi, 70);
	ck_assert_uint_eq(msg.route_refresh.subtype, 0);
	/* RFC 7313 5: BoRR longer than 4 octets -> 7/1, data = the message. */
	ck_assert_int_eq(parse_hex(MARKER "0018" "05" "0019014600", &ebgp4), -1);
	assert_reset(7, 1);
	ck_assert_uint_eq(perr.data_len, 24);
	/* A plain request may carry ORF entries: ignored. */
	ck_assert_int_eq(parse_hex(MARKER "0018" "05" "0019004600", &ebgp4), 0);
}
END_TEST

START_TEST(test_eor)
{
	struct wbuf w;
	size_t n = hex(eor_evpn_hex, wire);

	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_eor(&w, EVPN_AFI, EVPN_SAFI), 0);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(built, wire, n);
	ck_assert_int_eq(bgp_msg_parse(wire, n, &ebgp4, &msg, &perr), 0);
	ck_assert(msg.update.eor);
	ck_assert_uint_eq(msg.update.eor_afi, 25);
	ck_assert_uint_eq(msg.update.eor_safi, 70);
	ck_assert_uint_eq(msg.update.n_routes, 0);

	wbuf_init(&w, built, sizeof(built));
	ck_assert_int_eq(bgp_msg_build_eor(&w, 1, 1), 0);
	ck_assert_uint_eq(w.len, 23);           /* the empty UPDATE */
	ck_assert_int_eq(bgp_msg_parse(built, w.len, &ebgp4, &msg, &perr), 0);
	ck_assert(msg.update.eor);
	ck_assert_uint_eq(msg.update.eor_afi, 1);
	/* A withdrawal with routes is not an End-of-RIB. */
	ck_assert_int_eq(parse_update("800f2a" "001946" "0225" "0001c00002010064"
				      "00000000000000000000" "00000000" "30020000000011"
				      "200a01000b" "000064", &ebgp4), 0);
	ck_assert(!msg.update.eor);
	ck_assert_uint_eq(msg.update.n_routes, 1);
	ck_assert(msg.update.routes[0].withdraw);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("bgp_msg_framing");
	TCase *golden = tcase_create("golden");

	tcase_add_test(golden, test_keepalive_golden);
	tcase_add_test(golden, test_header_errors);
	tcase_add_test(golden, test_route_refresh);
	tcase_add_test(golden, test_eor);
	suite_add_tcase(s, golden);
	return s;
}
