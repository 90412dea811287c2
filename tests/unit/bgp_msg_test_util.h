/* bgp_msg_test_util.h - the fixture of the BGP message codec tests
 * (test_bgp_msg_*.c): one message buffer, one parsed message and one
 * parser verdict shared by a test and its helpers (big structs, kept off
 * the stack), UPDATEs made from hex pieces, the route and attributes of
 * the RFC golden UPDATE, and checks of the parser's verdict. The code is
 * in bgp_msg_test_util.c.
 */
#ifndef BGP_MSG_TEST_UTIL_H
#define BGP_MSG_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "bgp_msg.h"

#define MARKER "ffffffffffffffffffffffffffffffff"

/* Pieces of a valid EVPN UPDATE's attributes (RFC 4271 4.3, RFC 4760,
 * RFC 7432 7.2), in hex: MP_REACH_NLRI with one type-2 route (next hop
 * 192.0.2.1, RD 192.0.2.1:100, MAC 02:00:00:00:00:11, IP 10.1.0.11, VNI
 * 100), ORIGIN IGP, AS_PATH 65001, RT 65001:100 + VXLAN encapsulation;
 * and a type-3 NLRI. */
#define A_MP_REACH "800e30" "001946" "04c0000201" "00" \
	"0225" "0001c00002010064" "00000000000000000000" "00000000" \
	"30020000000011" "200a01000b" "000064"
#define A_ORIGIN   "40010100"
#define A_ASPATH   "400206" "0201" "0000fde9"
#define A_EXT      "c01010" "0002fde900000064" "030c000000000008"
#define IMET_NLRI  "0311" "0001c00002010064" "00000000" "20" "c0000201"

/* Parse contexts: 4-octet AS eBGP and iBGP, 2-octet AS eBGP. */
extern const struct bgp_parse_ctx ebgp4, ibgp4, ebgp2;

/* The message under test (8 KiB, room for two maximal messages), what a
 * builder wrote, the parsed message(s) and the parser's verdict. */
extern uint8_t wire[8192], built[8192];
extern struct bgp_msg msg, msg2;
extern struct bgp_err perr;

/* Hex (whitespace allowed) into dst, at most 4096 octets; its length. The
 * test fails on bad hex. */
size_t hex(const char *s, uint8_t *dst);
/* A whole message in hex, parsed into msg / perr: bgp_msg_parse's result. */
int parse_hex(const char *s, const struct bgp_parse_ctx *ctx);
/* An UPDATE into wire from its three fields in hex, lengths computed (RFC
 * 4271 4.3); its length. */
size_t mk_update(const char *withdrawn, const char *attrs, const char *nlri);
/* An UPDATE of these attributes alone, parsed into msg / perr. */
int parse_update(const char *attrs, const struct bgp_parse_ctx *ctx);

/* The route of the golden MAC/IP UPDATE (A_MP_REACH's) and its attributes
 * as a builder takes them (ext: room for the two extended communities). */
void macip_fixture(struct bgp_attrs *a, struct evpn_route *rt, uint8_t ext[2][8]);

/* perr says: reset the session with NOTIFICATION code/subcode. */
void assert_reset(uint8_t code, uint8_t subcode);
/* perr says act (RFC 7606) with this UPDATE error subcode. */
void assert_action(enum bgp_err_action act, uint8_t subcode);
/* msg holds n routes, every one a withdrawal. */
void assert_all_withdrawn(unsigned n);

#endif /* BGP_MSG_TEST_UTIL_H */
