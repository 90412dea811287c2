/* test_bgp_msg.c - the BGP message and attribute codecs (agent/wire/bgp_msg.c,
 * agent/wire/bgp_attr.c):
 *  - golden vectors written octet by octet from RFC 4271, 4760, 5492, 6793,
 *    4724, 2918, 9003, 7432, 9012, 9135, compared with what the builders
 *    write and decoded by the parsers;
 *  - real messages captured from GoBGP (vectors/gobgp_vectors.h, see
 *    vectors/capture_gobgp.sh), decoded field by field, and re-encoded
 *    where our encoding must give the same octets;
 *  - the RFC 7606 classification of each malformed input: session reset
 *    with the RFC 4271 6 code/subcode, treat-as-withdraw, attribute discard.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "check_main.h"
#include "bgp_msg.h"
#include "bgp_test_util.h"
#include "vectors/gobgp_vectors.h"

#define MARKER "ffffffffffffffffffffffffffffffff"

static const struct bgp_parse_ctx ebgp4 = { .as4 = true, .ibgp = false };
static const struct bgp_parse_ctx ibgp4 = { .as4 = true, .ibgp = true };
static const struct bgp_parse_ctx ebgp2 = { .as4 = false, .ibgp = false };

/* Big structs live here, not on the stack. */
static struct bgp_msg m, m2;
static struct bgp_err err;
static uint8_t buf[8192], out[8192];

static size_t hex(const char *s, uint8_t *dst)
{
	size_t n = unhex(s, dst, 4096);

	ck_assert_msg(n != (size_t)-1, "bad hex in test: %s", s);
	return n;
}

static int parse_hex(const char *s, const struct bgp_parse_ctx *ctx)
{
	size_t n = hex(s, buf);

	return bgp_msg_parse(buf, n, ctx, &m, &err);
}

/* An UPDATE from its three fields, lengths computed (RFC 4271 4.3). */
static size_t mk_update(const char *withdrawn, const char *attrs, const char *nlri)
{
	size_t wl, al, nl, len;

	wl = hex(withdrawn, buf + 21);
	al = hex(attrs, buf + 23 + wl);         /* after the 2-octet attribute length */
	nl = hex(nlri, buf + 23 + wl + al);
	len = 23 + wl + al + nl;
	memset(buf, 0xff, 16);
	buf[16] = (uint8_t)(len >> 8);
	buf[17] = (uint8_t)len;
	buf[18] = BGP_MSG_UPDATE;
	buf[19] = (uint8_t)(wl >> 8);
	buf[20] = (uint8_t)wl;
	buf[21 + wl] = (uint8_t)(al >> 8);
	buf[22 + wl] = (uint8_t)al;
	return len;
}

static int parse_update(const char *attrs, const struct bgp_parse_ctx *ctx)
{
	size_t len = mk_update("", attrs, "");

	return bgp_msg_parse(buf, len, ctx, &m, &err);
}

/* ---- golden vectors from the RFCs ---- */

/* RFC 4271 4.1/4.4: a KEEPALIVE is the 19-octet header alone. */
static const char keepalive_hex[] =
	MARKER          /* Marker: all ones */
	"0013"          /* Length 19 */
	"04";           /* Type 4 KEEPALIVE */

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

/* RFC 4271 4.5 + RFC 9003 2: Cease / Administrative Shutdown with reason. */
static const char notification_hex[] =
	MARKER "0028" "03"      /* Length 40, Type 3 NOTIFICATION */
	"06" "02"               /* Cease, Administrative Shutdown */
	"12"                    /* Shutdown Communication length 18 */
	"6d61696e74656e616e63652077696e646f77"; /* "maintenance window" */

/* RFC 2918 3: ROUTE-REFRESH for L2VPN EVPN. */
static const char route_refresh_hex[] =
	MARKER "0017" "05"      /* Length 23, Type 5 */
	"0019" "00" "46";       /* AFI 25, Reserved/subtype 0, SAFI 70 */

/* RFC 4724 2: End-of-RIB for L2VPN EVPN. */
static const char eor_evpn_hex[] =
	MARKER "001d" "02"      /* Length 29, UPDATE */
	"0000" "0006"           /* no withdrawn, attributes 6 */
	"80" "0f" "03" "0019" "46"; /* MP_UNREACH_NLRI: AFI 25 SAFI 70, no NLRI */

/* Our route for update_macip_hex and its attributes. */
static void macip_fixture(struct bgp_attrs *a, struct evpn_route *rt, uint8_t ext[2][8])
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x11 };

	memset(a, 0, sizeof(*a));
	memset(rt, 0, sizeof(*rt));
	rt->type = EVPN_RT_MACIP;
	evpn_rd_make_ip(rt->rd, inet_addr("192.0.2.1"), 100);
	memcpy(rt->mac, mac, 6);
	rt->ip.len = 4;
	rt->ip.v4 = inet_addr("10.1.0.11");
	rt->n_labels = 1;
	rt->label[0] = 100;
	a->present = BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH) |
		     BGP_ATTR_BIT(BGP_ATTR_EXT_COMMUNITIES);
	a->origin = BGP_ORIGIN_IGP;
	ck_assert_int_eq(bgp_aspath_prepend(&a->aspath, 65001), 0);
	bgp_ext_rt_as2(ext[0], 65001, 100);
	bgp_ext_encap(ext[1], BGP_TUNNEL_VXLAN);
	a->ext = ext[0];
	a->n_ext = 2;
	a->mp_reach.nh_len = 4;
	memcpy(a->mp_reach.nh, &(uint32_t){ inet_addr("192.0.2.1") }, 4);
}

START_TEST(test_keepalive_golden)
{
	struct wbuf w;
	size_t n = hex(keepalive_hex, buf);

	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_keepalive(&w), 0);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(out, buf, n);
	ck_assert_int_eq(bgp_msg_parse(buf, n, &ebgp4, &m, &err), 0);
	ck_assert_uint_eq(m.type, BGP_MSG_KEEPALIVE);
}
END_TEST

START_TEST(test_open_golden)
{
	struct bgp_open o = {
		.asn = 65001, .hold_time = 90, .cap_as4 = true, .cap_route_refresh = true,
		.n_mp = 1, .mp = { { EVPN_AFI, EVPN_SAFI } },
		.cap_gr = true, .gr_time = 120, .n_gr = 1,
		.gr = { { EVPN_AFI, EVPN_SAFI, BGP_GR_AF_FORWARDING } },
	};
	struct wbuf w;
	size_t n = hex(open_hex, buf);

	o.bgp_id = inet_addr("192.0.2.1");
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_open(&w, &o), 0);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(out, buf, n);

	ck_assert_int_eq(bgp_msg_parse(buf, n, &ebgp4, &m, &err), 0);
	ck_assert_uint_eq(m.type, BGP_MSG_OPEN);
	ck_assert_uint_eq(m.open.version, 4);
	ck_assert_uint_eq(m.open.my_as, 65001);
	ck_assert_uint_eq(m.open.asn, 65001);
	ck_assert_uint_eq(m.open.hold_time, 90);
	ck_assert_uint_eq(m.open.bgp_id, inet_addr("192.0.2.1"));
	ck_assert(m.open.cap_as4);
	ck_assert(m.open.cap_route_refresh);
	ck_assert(!m.open.cap_enhanced_rr);
	ck_assert_uint_eq(m.open.n_mp, 1);
	ck_assert_uint_eq(m.open.mp[0].afi, 25);
	ck_assert_uint_eq(m.open.mp[0].safi, 70);
	ck_assert(m.open.cap_gr);
	ck_assert_uint_eq(m.open.gr_time, 120);
	ck_assert_uint_eq(m.open.gr_flags, 0);
	ck_assert_uint_eq(m.open.n_gr, 1);
	ck_assert_uint_eq(m.open.gr[0].flags, BGP_GR_AF_FORWARDING);
	ck_assert_uint_eq(m.open.n_unknown_caps, 0);
}
END_TEST

/* RFC 6793 4.1: a 4-octet AS puts AS_TRANS in My AS; the parser reports
 * the capability's AS. */
START_TEST(test_open_as4_trans)
{
	struct bgp_open o = { .asn = 4200000000u, .hold_time = 0, .cap_as4 = true };
	struct wbuf w;

	o.bgp_id = inet_addr("192.0.2.9");
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_open(&w, &o), 0);
	ck_assert_uint_eq(out[20], 0x5b);       /* My AS = 23456 (0x5ba0) */
	ck_assert_uint_eq(out[21], 0xa0);
	ck_assert_int_eq(bgp_msg_parse(out, w.len, &ebgp4, &m, &err), 0);
	ck_assert_uint_eq(m.open.my_as, BGP_AS_TRANS);
	ck_assert_uint_eq(m.open.asn, 4200000000u);
	ck_assert_uint_eq(m.open.hold_time, 0);
}
END_TEST

static void assert_reset(uint8_t code, uint8_t subcode)
{
	ck_assert_msg(err.action == BGP_ACT_RESET, "action %s (%s), want reset",
		      bgp_err_action_name(err.action), err.msg);
	ck_assert_msg(err.code == code && err.subcode == subcode,
		      "NOTIFICATION %u/%u (%s), want %u/%u", err.code, err.subcode,
		      err.msg, code, subcode);
}

START_TEST(test_open_errors)
{
	/* Version 3: data = the largest version we support (RFC 4271 6.2). */
	ck_assert_int_eq(parse_hex(MARKER "001d01" "03fde9005ac000020100", &ebgp4), -1);
	assert_reset(2, 1);
	ck_assert_uint_eq(err.data_len, 2);
	ck_assert_uint_eq(err.data[1], 4);
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
	ck_assert(m.open.cap_route_refresh);
	ck_assert(m.open.cap_as4);
	ck_assert_uint_eq(m.open.asn, 65001);
}
END_TEST

START_TEST(test_header_errors)
{
	uint8_t b[32];
	size_t n;

	/* Too few octets yet: not an error. */
	n = hex(keepalive_hex, b);
	ck_assert_int_eq(bgp_msg_frame(b, 18, &err), 0);
	ck_assert_int_eq(bgp_msg_frame(b, n, &err), 19);
	n = hex(route_refresh_hex, b);
	ck_assert_int_eq(bgp_msg_frame(b, 20, &err), 0);
	ck_assert_int_eq(bgp_msg_frame(b, n + 5, &err), 23);   /* the next one follows */

	/* RFC 4271 6.1: marker not all ones -> Connection Not Synchronized. */
	n = hex("ffffffffffffffffffffffffffffff7f001304", b);
	ck_assert_int_eq(bgp_msg_frame(b, n, &err), -1);
	assert_reset(1, 1);
	/* Bad Message Length, data = the Length field. */
	n = hex(MARKER "001404" "00", b);      /* KEEPALIVE of 20 */
	ck_assert_int_eq(bgp_msg_frame(b, n, &err), -1);
	assert_reset(1, 2);
	ck_assert_uint_eq(err.data_len, 2);
	ck_assert_uint_eq(err.data[1], 0x14);
	n = hex(MARKER "001202", b);           /* 18 < 19 */
	ck_assert_int_eq(bgp_msg_frame(b, n, &err), -1);
	assert_reset(1, 2);
	n = hex(MARKER "100102", b);           /* 4097 */
	ck_assert_int_eq(bgp_msg_frame(b, n, &err), -1);
	assert_reset(1, 2);
	n = hex(MARKER "001c01", b);           /* OPEN of 28 < 29 */
	ck_assert_int_eq(bgp_msg_frame(b, n, &err), -1);
	assert_reset(1, 2);
	n = hex(MARKER "001603", b);           /* NOTIFICATION of 22 is fine, 20 is not */
	ck_assert_int_eq(bgp_msg_frame(b, n, &err), 0);
	n = hex(MARKER "001403", b);
	ck_assert_int_eq(bgp_msg_frame(b, n, &err), -1);
	assert_reset(1, 2);
	n = hex(MARKER "001605", b);           /* ROUTE-REFRESH of 22 */
	ck_assert_int_eq(bgp_msg_frame(b, n, &err), -1);
	assert_reset(1, 2);
	/* Bad Message Type, data = the type. */
	n = hex(MARKER "001307", b);
	ck_assert_int_eq(bgp_msg_frame(b, n, &err), -1);
	assert_reset(1, 3);
	ck_assert_uint_eq(err.data_len, 1);
	ck_assert_uint_eq(err.data[0], 7);
	/* parse() wants exactly one message. */
	n = hex(MARKER "0013" "04" "00", b);
	ck_assert_int_eq(bgp_msg_parse(b, n, &ebgp4, &m, &err), -1);
	assert_reset(1, 2);
}
END_TEST

START_TEST(test_notification_golden)
{
	struct wbuf w;
	size_t n = hex(notification_hex, buf);

	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_cease(&w, BGP_CEASE_ADMIN_SHUTDOWN, "maintenance window"), 0);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(out, buf, n);
	ck_assert_int_eq(bgp_msg_parse(buf, n, &ebgp4, &m, &err), 0);
	ck_assert_uint_eq(m.notification.code, 6);
	ck_assert_uint_eq(m.notification.subcode, 2);
	ck_assert_uint_eq(m.notification.data_len, 19);
	ck_assert(m.notification.has_reason);
	ck_assert_str_eq(m.notification.reason, "maintenance window");

	/* Control octets never reach a log line. */
	ck_assert_int_eq(parse_hex(MARKER "0018030602" "02" "410a", &ebgp4), 0);
	ck_assert_str_eq(m.notification.reason, "A?");
	/* A length that disagrees with the data is not a reason (RFC 9003 2). */
	ck_assert_int_eq(parse_hex(MARKER "0018030602" "05" "4142", &ebgp4), 0);
	ck_assert(!m.notification.has_reason);
	ck_assert_uint_eq(m.notification.data_len, 3);
	/* Other codes keep their data raw. */
	ck_assert_int_eq(parse_hex(MARKER "0017030302" "4063", &ebgp4), 0);
	ck_assert_uint_eq(m.notification.code, 3);
	ck_assert(!m.notification.has_reason);
	ck_assert_uint_eq(m.notification.data[1], 0x63);
}
END_TEST

/* The NOTIFICATION the session sends is the parser's verdict. */
START_TEST(test_notification_from_err)
{
	struct wbuf w;

	ck_assert_int_eq(parse_update("40630101", &ebgp4), -1);   /* unknown well-known */
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_notification_err(&w, &err), 0);
	hex(MARKER "0019" "03" "0302" "40630101", buf);
	ck_assert_uint_eq(w.len, 25);
	ck_assert_mem_eq(out, buf, 25);
}
END_TEST

START_TEST(test_route_refresh)
{
	struct bgp_route_refresh rr = { .afi = EVPN_AFI, .safi = EVPN_SAFI };
	struct wbuf w;
	size_t n = hex(route_refresh_hex, buf);

	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_route_refresh(&w, &rr), 0);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(out, buf, n);
	ck_assert_int_eq(bgp_msg_parse(buf, n, &ebgp4, &m, &err), 0);
	ck_assert_uint_eq(m.route_refresh.afi, 25);
	ck_assert_uint_eq(m.route_refresh.safi, 70);
	ck_assert_uint_eq(m.route_refresh.subtype, 0);
	/* RFC 7313 5: BoRR longer than 4 octets -> 7/1, data = the message. */
	ck_assert_int_eq(parse_hex(MARKER "0018" "05" "0019014600", &ebgp4), -1);
	assert_reset(7, 1);
	ck_assert_uint_eq(err.data_len, 24);
	/* A plain request may carry ORF entries: ignored. */
	ck_assert_int_eq(parse_hex(MARKER "0018" "05" "0019004600", &ebgp4), 0);
}
END_TEST

START_TEST(test_update_golden_build)
{
	struct bgp_attrs a;
	struct evpn_route rt;
	uint8_t ext[2][8];
	struct wbuf w;
	size_t n = hex(update_macip_hex, buf);

	macip_fixture(&a, &rt, ext);
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp4, &a, &rt, 1, false), 1);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(out, buf, n);
}
END_TEST

START_TEST(test_update_golden_parse)
{
	struct evpn_route *rt;
	uint32_t g, l;

	ck_assert_int_eq(parse_hex(update_macip_hex, &ebgp4), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m.type, BGP_MSG_UPDATE);
	ck_assert(!m.update.eor);
	ck_assert_uint_eq(m.update.attrs.origin, BGP_ORIGIN_IGP);
	ck_assert_uint_eq(m.update.attrs.aspath.n_asns, 1);
	ck_assert_uint_eq(bgp_aspath_first(&m.update.attrs.aspath), 65001);
	ck_assert_uint_eq(m.update.attrs.mp_reach.nh_len, 4);
	ck_assert_mem_eq(m.update.attrs.mp_reach.nh, "\xc0\x00\x02\x01", 4);
	ck_assert_uint_eq(m.update.attrs.n_ext, 2);
	ck_assert_int_eq(bgp_ext_rt_parse(m.update.attrs.ext, &g, &l), BGP_EXT_TYPE_AS2);
	ck_assert_uint_eq(g, 65001);
	ck_assert_uint_eq(l, 100);
	ck_assert_uint_eq(m.update.attrs.evpn.n_rt, 1);
	ck_assert_uint_eq(m.update.attrs.evpn.encap_types, 1u << BGP_TUNNEL_VXLAN);
	ck_assert_uint_eq(m.update.n_routes, 1);
	rt = &m.update.routes[0];
	ck_assert(!rt->withdraw);
	ck_assert_uint_eq(rt->type, 2);
	ck_assert_uint_eq(rt->ip.v4, inet_addr("10.1.0.11"));
	ck_assert_uint_eq(evpn_label_vni(rt->label[0]), 100);
}
END_TEST

START_TEST(test_eor)
{
	struct wbuf w;
	size_t n = hex(eor_evpn_hex, buf);

	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_eor(&w, EVPN_AFI, EVPN_SAFI), 0);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(out, buf, n);
	ck_assert_int_eq(bgp_msg_parse(buf, n, &ebgp4, &m, &err), 0);
	ck_assert(m.update.eor);
	ck_assert_uint_eq(m.update.eor_afi, 25);
	ck_assert_uint_eq(m.update.eor_safi, 70);
	ck_assert_uint_eq(m.update.n_routes, 0);

	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_eor(&w, 1, 1), 0);
	ck_assert_uint_eq(w.len, 23);           /* the empty UPDATE */
	ck_assert_int_eq(bgp_msg_parse(out, w.len, &ebgp4, &m, &err), 0);
	ck_assert(m.update.eor);
	ck_assert_uint_eq(m.update.eor_afi, 1);
	/* A withdrawal with routes is not an End-of-RIB. */
	ck_assert_int_eq(parse_update("800f2a" "001946" "0225" "0001c00002010064"
				      "00000000000000000000" "00000000" "30020000000011"
				      "200a01000b" "000064", &ebgp4), 0);
	ck_assert(!m.update.eor);
	ck_assert_uint_eq(m.update.n_routes, 1);
	ck_assert(m.update.routes[0].withdraw);
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
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m.update.attrs.n_ext, 8);
	ck_assert_uint_eq(m.update.attrs.evpn.n_rt, 3);
	ck_assert(m.update.attrs.evpn.mac_mobility);
	ck_assert(m.update.attrs.evpn.mm_sticky);
	ck_assert_uint_eq(m.update.attrs.evpn.mm_seq, 7);
	ck_assert(m.update.attrs.evpn.has_router_mac);
	ck_assert_mem_eq(m.update.attrs.evpn.router_mac, mac, 6);
	ck_assert(m.update.attrs.evpn.default_gw);
	ck_assert_uint_eq(m.update.attrs.evpn.encap_types, 1u << 8);
}
END_TEST

/* ---- GoBGP captures ---- */

static size_t vec(unsigned i, uint8_t *dst)
{
	return hex(gobgp_vectors[i].hex, dst);
}

/* Index of the GoBGP UPDATE whose first route is of this type and whose
 * MAC ends in mac_last (type 2 only; 0 = any). */
static int find_gobgp_update(uint8_t type, uint8_t mac_last, bool unreach, bool v6)
{
	for (unsigned i = 0; i < sizeof(gobgp_vectors) / sizeof(gobgp_vectors[0]); i++) {
		size_t n;

		if (strcmp(gobgp_vectors[i].dir, "gobgp") || gobgp_vectors[i].type != 2)
			continue;
		n = vec(i, buf);
		ck_assert_int_eq(bgp_msg_parse(buf, n, &ebgp4, &m, &err), 0);
		if (m.update.n_routes < 1)
			continue;
		if (m.update.routes[0].type != type || m.update.routes[0].withdraw != unreach)
			continue;
		if (type == 2 && mac_last && m.update.routes[0].mac[5] != mac_last)
			continue;
		if (type == 5 && (m.update.routes[0].ip.len == 16) != v6)
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
	size_t on = vec((unsigned)idx, orig);
	struct wbuf w;

	ck_assert_int_eq(bgp_msg_parse(orig, on, &ebgp4, &m, &err), 0);
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp4, &m.update.attrs, m.update.routes,
					      m.update.n_routes, false), 1);
	ck_assert_uint_eq(w.len, on);
	for (size_t i = 0; i < sizeof(types); i++) {
		size_t s1 = 0, s2 = 0;
		const uint8_t *a1 = find_attr(orig, on, types[i], &s1);
		const uint8_t *a2 = find_attr(out, w.len, types[i], &s2);

		ck_assert_msg((a1 == NULL) == (a2 == NULL), "attribute %u presence", types[i]);
		if (!a1)
			continue;
		ck_assert_uint_eq(s1, s2);
		ck_assert_msg(memcmp(a1, a2, s1) == 0, "attribute %u differs from GoBGP's", types[i]);
	}
	/* And our message parses back to the same route. */
	ck_assert_int_eq(bgp_msg_parse(out, w.len, &ebgp4, &m2, &err), 0);
	ck_assert_uint_eq(m2.update.n_routes, 1);
	ck_assert(evpn_route_same_key(&m2.update.routes[0], &m.update.routes[0]));
}

/* The route's NLRI re-encodes to GoBGP's octets. */
static void assert_nlri_as_gobgp(void)
{
	uint8_t b[EVPN_NLRI_MAX_LEN];
	struct wbuf w;

	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(evpn_nlri_encode(&w, &m.update.routes[0]), 0);
	ck_assert_uint_eq(w.len, m.update.attrs.mp_reach.nlri_len);
	ck_assert_mem_eq(b, m.update.attrs.mp_reach.nlri, w.len);
}

START_TEST(test_gobgp_open_keepalive)
{
	int seen = 0;

	for (unsigned i = 0; i < sizeof(gobgp_vectors) / sizeof(gobgp_vectors[0]); i++) {
		size_t n = vec(i, buf);

		ck_assert_int_eq(bgp_msg_frame(buf, n, &err), (int)n);
		ck_assert_int_eq(bgp_msg_parse(buf, n, &ebgp4, &m, &err), 0);
		ck_assert_int_eq(err.action, BGP_ACT_NONE);
		if (m.type == BGP_MSG_OPEN && !strcmp(gobgp_vectors[i].dir, "gobgp")) {
			/* gobgpd: AS 65002, router id 192.0.2.2, hold 90;
			 * route refresh, MP L2VPN EVPN, 4-octet AS, plus FQDN (73)
			 * and extended next hop (5) that vtepd ignores. */
			ck_assert_uint_eq(m.open.asn, 65002);
			ck_assert_uint_eq(m.open.my_as, 65002);
			ck_assert_uint_eq(m.open.hold_time, 90);
			ck_assert_uint_eq(m.open.bgp_id, inet_addr("192.0.2.2"));
			ck_assert(m.open.cap_as4);
			ck_assert(m.open.cap_route_refresh);
			ck_assert_uint_eq(m.open.n_mp, 1);
			ck_assert_uint_eq(m.open.mp[0].afi, EVPN_AFI);
			ck_assert_uint_eq(m.open.mp[0].safi, EVPN_SAFI);
			ck_assert_uint_eq(m.open.n_unknown_caps, 2);
			seen |= 1;
		} else if (m.type == BGP_MSG_OPEN) {
			ck_assert_uint_eq(m.open.asn, 65001);   /* capture_peer.py */
			seen |= 2;
		} else if (m.type == BGP_MSG_KEEPALIVE) {
			seen |= 4;
		}
	}
	ck_assert_int_eq(seen, 7);
}
END_TEST

START_TEST(test_gobgp_macip_v4)
{
	int i = find_gobgp_update(2, 0x21, false, false);
	const struct evpn_route *rt;
	uint32_t g, l;
	char s[EVPN_ROUTE_STRLEN];

	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	/* gobgp ... macadv 02:00:00:00:00:21 10.1.0.21 etag 0 label 100
	 * rd 192.0.2.2:100 rt 65001:100 encap vxlan nexthop 192.0.2.2 */
	rt = &m.update.routes[0];
	ck_assert_str_eq(evpn_route_fmt(rt, s),
			 "[2][192.0.2.2:100][0][02:00:00:00:00:21][10.1.0.21] label 100");
	ck_assert_uint_eq(evpn_label_vni(rt->label[0]), 100);
	ck_assert_uint_eq(m.update.attrs.origin, BGP_ORIGIN_INCOMPLETE);
	ck_assert_uint_eq(m.update.attrs.aspath.n_segs, 1);
	ck_assert_uint_eq(m.update.attrs.aspath.asn[0], 65002);
	ck_assert_uint_eq(bgp_aspath_hops(&m.update.attrs.aspath), 1);
	ck_assert_mem_eq(m.update.attrs.mp_reach.nh, "\xc0\x00\x02\x02", 4);
	ck_assert_uint_eq(m.update.attrs.evpn.n_rt, 1);
	ck_assert_int_eq(bgp_ext_rt_parse(m.update.attrs.ext, &g, &l), BGP_EXT_TYPE_AS2);
	ck_assert_uint_eq(g, 65001);
	ck_assert_uint_eq(l, 100);
	ck_assert_uint_eq(m.update.attrs.evpn.encap_types, 1u << BGP_TUNNEL_VXLAN);
	ck_assert(!m.update.attrs.evpn.mac_mobility);
	assert_nlri_as_gobgp();
	assert_same_attrs_as_gobgp(i);
}
END_TEST

START_TEST(test_gobgp_macip_mac_only)
{
	int i = find_gobgp_update(2, 0x22, false, false);

	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(m.update.routes[0].ip.len, 0);
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
	rt = &m.update.routes[0];
	inet_pton(AF_INET6, "2001:db8::23", &a6);
	ck_assert_uint_eq(rt->ip.len, 16);
	ck_assert_mem_eq(rt->ip.v6, &a6, 16);
	ck_assert_mem_eq(rt->esi, esi, 10);     /* "esi ARBITRARY 11:..:99": type 0 */
	ck_assert_uint_eq(rt->n_labels, 2);
	ck_assert_uint_eq(rt->label[0], 100);
	ck_assert_uint_eq(rt->label[1], 5000);
	ck_assert(m.update.attrs.evpn.has_router_mac);
	ck_assert_mem_eq(m.update.attrs.evpn.router_mac, rmac, 6);
	/* rt 192.0.2.2:100 4200000000:100: GoBGP 3.10 sends the second as
	 * 2-octet AS 65535:100 (its CLI's quirk, kept as captured). */
	ck_assert_uint_eq(m.update.attrs.evpn.n_rt, 2);
	ck_assert_int_eq(bgp_ext_rt_parse(m.update.attrs.ext, &g, &l), BGP_EXT_TYPE_IP4);
	ck_assert_uint_eq(g, inet_addr("192.0.2.2"));
	ck_assert_int_eq(bgp_ext_rt_parse(m.update.attrs.ext + 8, &g, &l), BGP_EXT_TYPE_AS2);
	ck_assert_uint_eq(g, 65535);
	assert_nlri_as_gobgp();
	assert_same_attrs_as_gobgp(i);
}
END_TEST

START_TEST(test_gobgp_macip_default_gw)
{
	int i = find_gobgp_update(2, 0x24, false, false);

	ck_assert_int_ge(i, 0);
	ck_assert(m.update.attrs.evpn.default_gw);
	ck_assert_uint_eq(m.update.attrs.n_ext, 4);     /* GoBGP repeats it */
	assert_same_attrs_as_gobgp(i);
}
END_TEST

START_TEST(test_gobgp_imet)
{
	int i = find_gobgp_update(3, 0, false, false);
	const struct bgp_pmsi *p;

	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(m.update.routes[0].ip.v4, inet_addr("192.0.2.2"));
	ck_assert(BGP_ATTR_HAS(&m.update.attrs, BGP_ATTR_PMSI_TUNNEL));
	/* pmsi ingress-repl 100 192.0.2.2 (RFC 6514 5, RFC 8365 5.1.3) */
	p = &m.update.attrs.pmsi;
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
	ck_assert_str_eq(evpn_route_fmt(&m.update.routes[0], s),
			 "[5][192.0.2.2:100][0][10.1.0.0/24] gw 0.0.0.0 label 100");
	ck_assert(m.update.attrs.evpn.has_router_mac);
	assert_nlri_as_gobgp();
	assert_same_attrs_as_gobgp(i);

	i = find_gobgp_update(5, 0, false, true);
	ck_assert_int_ge(i, 0);
	ck_assert_str_eq(evpn_route_fmt(&m.update.routes[0], s),
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
		n = vec(i, buf);
		ck_assert_int_eq(bgp_msg_parse(buf, n, &ebgp4, &m, &err), 0);
		ck_assert_int_eq(err.action, BGP_ACT_NONE);
		if (m.update.n_skipped) {
			ck_assert_uint_eq(m.update.n_routes, 0);
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
	ck_assert_uint_eq(m.update.n_routes, 1);
	ck_assert(m.update.routes[0].withdraw);
	ck_assert_uint_eq(m.update.attrs.present, BGP_ATTR_BIT(BGP_ATTR_MP_UNREACH_NLRI));
	n = vec((unsigned)i, buf);
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp4, NULL, m.update.routes, 1, true), 1);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(out, buf, n);
}
END_TEST

START_TEST(test_gobgp_notification)
{
	for (unsigned i = 0; i < sizeof(gobgp_vectors) / sizeof(gobgp_vectors[0]); i++) {
		size_t n;
		struct wbuf w;

		if (gobgp_vectors[i].type != 3)
			continue;
		n = vec(i, buf);
		ck_assert_int_eq(bgp_msg_parse(buf, n, &ebgp4, &m, &err), 0);
		ck_assert_uint_eq(m.notification.code, BGP_ERR_CEASE);
		ck_assert_uint_eq(m.notification.subcode, BGP_CEASE_ADMIN_SHUTDOWN);
		ck_assert_str_eq(m.notification.reason, "maintenance window");
		wbuf_init(&w, out, sizeof(out));
		ck_assert_int_eq(bgp_msg_build_cease(&w, 2, "maintenance window"), 0);
		ck_assert_uint_eq(w.len, n);
		ck_assert_mem_eq(out, buf, n);
		return;
	}
	ck_abort_msg("no NOTIFICATION in the GoBGP capture");
}
END_TEST

/* ---- RFC 7606 classification ---- */

/* Pieces of a valid EVPN UPDATE. */
#define A_MP_REACH "800e30" "001946" "04c0000201" "00" \
	"0225" "0001c00002010064" "00000000000000000000" "00000000" \
	"30020000000011" "200a01000b" "000064"
#define A_ORIGIN   "40010100"
#define A_ASPATH   "400206" "0201" "0000fde9"
#define A_EXT      "c01010" "0002fde900000064" "030c000000000008"
#define IMET_NLRI  "0311" "0001c00002010064" "00000000" "20" "c0000201"

static void assert_action(enum bgp_err_action act, uint8_t subcode)
{
	ck_assert_msg(err.action == act, "action %s (%s), want %s",
		      bgp_err_action_name(err.action), err.msg, bgp_err_action_name(act));
	ck_assert_msg(err.subcode == subcode, "subcode %u (%s), want %u",
		      err.subcode, err.msg, subcode);
}

static void assert_all_withdrawn(unsigned n)
{
	ck_assert_uint_eq(m.update.n_routes, n);
	for (unsigned i = 0; i < n; i++)
		ck_assert(m.update.routes[i].withdraw);
}

START_TEST(test_7606_valid_baseline)
{
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH A_EXT, &ebgp4), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(err.n_problems, 0);
	ck_assert_uint_eq(m.update.n_routes, 1);
	ck_assert(!m.update.routes[0].withdraw);
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
	ck_assert_uint_eq(err.data_len, 4);
	ck_assert_mem_eq(err.data, "\xc0\x01\x01\x00", 4);
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
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(bgp_aspath_hops(&m.update.attrs.aspath), 0);   /* RFC 5065 5.3 */
	/* 2-octet AS_PATH from a peer without the 4-octet capability */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN "400204" "0201" "fde9", &ebgp2), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m.update.attrs.aspath.asn[0], 65001);
	/* Missing AS_PATH: 3(d) -> withdraw, data = the type. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN, &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_MISSING_WELLKNOWN);
	ck_assert_uint_eq(err.data_len, 1);
	ck_assert_uint_eq(err.data[0], BGP_ATTR_AS_PATH);
	assert_all_withdrawn(1);
	/* No reachability, no mandatory attributes (RFC 4760 4). */
	ck_assert_int_eq(parse_update("800f06" "001946" "0205aa", &ebgp4), -1);   /* framing */
	ck_assert_int_eq(parse_update("800f03" "001946", &ebgp4), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
}
END_TEST

START_TEST(test_7606_local_pref_med)
{
	/* 7.5: from an external peer, discarded whatever it holds. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "40050400000064", &ebgp4), 0);
	assert_action(BGP_ACT_ATTR_DISCARD, 0);
	ck_assert(!BGP_ATTR_HAS(&m.update.attrs, BGP_ATTR_LOCAL_PREF));
	ck_assert(!m.update.routes[0].withdraw);
	/* From an internal one: used; wrong length -> withdraw. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "400504000000c8", &ibgp4), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m.update.attrs.local_pref, 200);
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "400503000000", &ibgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_ATTR_LENGTH);
	assert_all_withdrawn(1);
	/* 7.4: MED of 3 octets -> withdraw. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "800403000000", &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_ATTR_LENGTH);
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "80040400000005", &ebgp4), 0);
	ck_assert_uint_eq(m.update.attrs.med, 5);
}
END_TEST

START_TEST(test_7606_discards)
{
	/* 7.6: ATOMIC_AGGREGATE of 1 octet -> discard, route stays. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "40060100", &ebgp4), 0);
	assert_action(BGP_ACT_ATTR_DISCARD, BGP_UPD_ATTR_LENGTH);
	ck_assert(!m.update.routes[0].withdraw);
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "400600", &ebgp4), 0);
	ck_assert(BGP_ATTR_HAS(&m.update.attrs, BGP_ATTR_ATOMIC_AGGREGATE));
	/* 7.7: AGGREGATOR of 6 octets after 4-octet AS negotiation -> discard. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "c00706fde9c0000201", &ebgp4), 0);
	assert_action(BGP_ACT_ATTR_DISCARD, BGP_UPD_ATTR_LENGTH);
	ck_assert(!BGP_ATTR_HAS(&m.update.attrs, BGP_ATTR_AGGREGATOR));
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "c007080000fde9c0000201", &ebgp4), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m.update.attrs.aggregator_as, 65001);
	/* RFC 6793 4.1: AS4_PATH between 4-octet speakers -> discard. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "c01106" "0201" "0000fde9", &ebgp4), 0);
	assert_action(BGP_ACT_ATTR_DISCARD, 0);
	ck_assert(!m.update.routes[0].withdraw);
	/* Repeated attribute (3(g)): the first is kept. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "40010101", &ebgp4), 0);
	assert_action(BGP_ACT_ATTR_DISCARD, BGP_UPD_MALFORMED_ATTR_LIST);
	ck_assert_uint_eq(m.update.attrs.origin, BGP_ORIGIN_IGP);
	ck_assert(!m.update.routes[0].withdraw);
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
		ck_assert_msg(err.action == BGP_ACT_WITHDRAW, "%s: %s", bad[i], err.msg);
		assert_all_withdrawn(1);
	}
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "c00808fde90064fde900c8"
				      "800904c0000209" "800a08c0000209c000020a", &ibgp4), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m.update.attrs.n_communities, 2);
	ck_assert_uint_eq(m.update.attrs.originator_id, inet_addr("192.0.2.9"));
	ck_assert_uint_eq(m.update.attrs.n_clusters, 2);
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
	ck_assert_uint_eq(err.data_len, 4);
	ck_assert_mem_eq(err.data, "\x40\x63\x01\xaa", 4);
	/* Optional non-transitive: ignored. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "806302beef", &ebgp4), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m.update.attrs.n_unknown, 0);
	/* Optional transitive: kept, and passed on with the Partial bit. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "c06302beef", &ebgp4), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m.update.attrs.n_unknown, 1);
	ck_assert_uint_eq(m.update.attrs.unknown[0].type, 0x63);
	ck_assert_uint_eq(m.update.attrs.unknown[0].len, 2);
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp4, &m.update.attrs, m.update.routes, 1, false), 1);
	a = find_attr(out, w.len, 0x63, &s);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(s, 5);
	ck_assert_mem_eq(a, "\xe0\x63\x02\xbe\xef", 5);
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
	ck_assert_uint_eq(err.data[1], BGP_ATTR_MP_REACH_NLRI);   /* data = the attribute */
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
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m.update.attrs.mp_reach.nh_len, 16);
	/* Another AFI/SAFI is located but not decoded. */
	ck_assert_int_eq(parse_update("800e0e" "000101" "04c0000201" "00" "180a0100" "0a" A_ORIGIN A_ASPATH,
				      &ebgp4), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m.update.n_routes, 0);
	ck_assert_uint_eq(m.update.attrs.mp_reach.nlri_len, 5);
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
	ck_assert_uint_eq(m.update.n_malformed, 1);
	assert_all_withdrawn(2);
	ck_assert_uint_eq(m.update.n_treat_as_withdraw, 2);   /* the malformed one is not */
	/* Withdrawals are marked even without treat-as-withdraw, and come
	 * before advertisements (RFC 4271 4.3). */
	ck_assert_int_eq(parse_update("800f16" "001946" IMET_NLRI
				      "800e1c" "001946" "04c0000201" "00" IMET_NLRI
				      A_ORIGIN A_ASPATH, &ebgp4), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m.update.n_routes, 2);
	ck_assert(m.update.routes[0].withdraw);
	ck_assert(!m.update.routes[1].withdraw);
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
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m.update.n_skipped, 1);
	ck_assert_uint_eq(m.update.n_routes, 1);
	ck_assert_uint_eq(m.update.routes[0].type, EVPN_RT_IMET);
}
END_TEST

/* Issue 4: the parser reports how many reachable routes treat-as-withdraw
 * turned into withdrawals (the session counts them as rejected); routes
 * that were withdrawals already, and malformed ones (test_7606_evpn_nlri),
 * are not among them. */
START_TEST(test_7606_treat_as_withdraw_count)
{
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH A_EXT, &ebgp4), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m.update.n_treat_as_withdraw, 0);
	/* Malformed ORIGIN (RFC 7606 7.1): the one reachable route. */
	ck_assert_int_eq(parse_update(A_MP_REACH "40010103" A_ASPATH, &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_INVALID_ORIGIN);
	ck_assert_uint_eq(m.update.n_treat_as_withdraw, 1);
	/* One withdrawal, one advertisement, AS_PATH missing (3(d)): only the
	 * advertisement was turned. */
	ck_assert_int_eq(parse_update("800f16" "001946" IMET_NLRI
				      "800e1c" "001946" "04c0000201" "00" IMET_NLRI
				      A_ORIGIN, &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_MISSING_WELLKNOWN);
	assert_all_withdrawn(2);
	ck_assert_uint_eq(m.update.n_treat_as_withdraw, 1);
	/* Attribute discard (RFC 7606 7.6) keeps the route: nothing rejected. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "40060100", &ebgp4), 0);
	assert_action(BGP_ACT_ATTR_DISCARD, BGP_UPD_ATTR_LENGTH);
	ck_assert_uint_eq(m.update.n_routes, 1);
	ck_assert(!m.update.routes[0].withdraw);
	ck_assert_uint_eq(m.update.n_treat_as_withdraw, 0);
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
	ck_assert_int_eq(bgp_msg_parse(buf, len, &ebgp4, &m, &err), -1);
	assert_reset(3, 10);
	len = mk_update("180a01", A_ORIGIN, "");          /* /24 with 2 octets */
	ck_assert_int_eq(bgp_msg_parse(buf, len, &ebgp4, &m, &err), -1);
	assert_reset(3, 10);
	/* Good fields are counted, and NEXT_HOP is then mandatory. */
	len = mk_update("180a0100" "200a010203", A_ORIGIN A_ASPATH "400304c0000201", "180a0200");
	ck_assert_int_eq(bgp_msg_parse(buf, len, &ebgp4, &m, &err), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m.update.n_withdrawn4, 2);
	ck_assert_uint_eq(m.update.n_nlri4, 1);
	ck_assert_uint_eq(m.update.attrs.next_hop, inet_addr("192.0.2.1"));
	len = mk_update("", A_ORIGIN A_ASPATH, "180a0200");
	ck_assert_int_eq(bgp_msg_parse(buf, len, &ebgp4, &m, &err), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_MISSING_WELLKNOWN);
	ck_assert_uint_eq(err.data[0], BGP_ATTR_NEXT_HOP);
	/* 7.3: NEXT_HOP of 5 octets -> withdraw. */
	len = mk_update("", A_ORIGIN A_ASPATH "400305c000020100", "180a0200");
	ck_assert_int_eq(bgp_msg_parse(buf, len, &ebgp4, &m, &err), 0);
	ck_assert_int_eq(err.action, BGP_ACT_WITHDRAW);
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
	ck_assert_uint_eq(err.n_problems, 4);
	ck_assert_int_eq(parse_update(A_MP_REACH "40010103" "406301aa", &ebgp4), -1);
	assert_reset(3, 2);
}
END_TEST

START_TEST(test_pmsi)
{
	/* RFC 6514 5: flags 0, type 6 ingress replication, label VNI 100,
	 * id 192.0.2.1. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "c01609" "00" "06" "000064" "c0000201",
				      &ebgp4), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m.update.attrs.pmsi.label, 100);
	/* Too short, or an ingress-replication id that is no address. */
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "c016040006000064", &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_OPTIONAL_ATTR);
	ck_assert_int_eq(parse_update(A_MP_REACH A_ORIGIN A_ASPATH "c01607" "00" "06" "000064" "c000", &ebgp4), 0);
	assert_action(BGP_ACT_WITHDRAW, BGP_UPD_OPTIONAL_ATTR);
}
END_TEST

/* ---- builder ---- */

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

		wbuf_init(&w, out, sizeof(out));
		n = bgp_msg_build_update(&w, &ebgp4, &a, rts + done, 300 - done, false);
		ck_assert_int_gt(n, 0);
		ck_assert_uint_le(w.len, BGP_MAX_LEN);
		if (done + (size_t)n < 300)     /* full: one more route would not fit */
			ck_assert_uint_gt(w.len + 39, BGP_MAX_LEN);
		ck_assert_int_eq(bgp_msg_parse(out, w.len, &ebgp4, &m, &err), 0);
		ck_assert_int_eq(err.action, BGP_ACT_NONE);
		ck_assert_uint_eq(m.update.n_routes, (unsigned)n);
		ck_assert_uint_eq(out[23], BGP_ATTR_F_OPTIONAL | BGP_ATTR_F_EXTLEN);
		for (int i = 0; i < n; i++)
			ck_assert(evpn_route_same_key(&m.update.routes[i], &rts[done + i]));
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
	wbuf_init(&w, out, sizeof(out));
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
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp2, &a, &rt, 1, false), 1);
	p = find_attr(out, w.len, BGP_ATTR_AS_PATH, &s);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(s, 3 + 2 + 4);
	ck_assert_mem_eq(p + 3, "\x02\x02\x5b\xa0\xfd\xe9", 6);
	p = find_attr(out, w.len, BGP_ATTR_AS4_PATH, &s);
	ck_assert_ptr_nonnull(p);
	ck_assert_mem_eq(p, "\xc0\x11\x0a\x02\x02\xfa\x56\xea\x00\x00\x00\xfd\xe9", 13);
	ck_assert_int_eq(bgp_msg_parse(out, w.len, &ebgp2, &m, &err), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	/* RFC 6793 4.2.3: the receiver merges AS4_PATH back in. */
	ck_assert_uint_eq(m.update.attrs.aspath.asn[0], 4200000000u);
	ck_assert_uint_eq(m.update.attrs.as4_used, BGP_AS4_USED_PATH);
	/* Between 4-octet speakers there is no AS4_PATH. */
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp4, &a, &rt, 1, false), 1);
	ck_assert_ptr_null(find_attr(out, w.len, BGP_ATTR_AS4_PATH, &s));
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
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	p = m.update.attrs.aspath;
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
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp4, &a, &rt, 1, false), 1);
	p = find_attr(out, w.len, BGP_ATTR_EXT_COMMUNITIES, &s);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p[0], BGP_ATTR_F_OPTIONAL | BGP_ATTR_F_TRANSITIVE | BGP_ATTR_F_EXTLEN);
	ck_assert_uint_eq(s, 4 + 320);
	ck_assert_int_eq(bgp_msg_parse(out, w.len, &ebgp4, &m, &err), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m.update.attrs.n_ext, 40);
	ck_assert_uint_eq(m.update.attrs.evpn.n_rt, 40);
}
END_TEST

START_TEST(test_err_names)
{
	ck_assert_str_eq(bgp_err_code_name(3), "UPDATE Message Error");
	ck_assert_str_eq(bgp_err_subcode_name(3, 11), "Malformed AS_PATH");
	ck_assert_str_eq(bgp_err_subcode_name(6, 2), "Administrative Shutdown");
	ck_assert_str_eq(bgp_err_subcode_name(3, 99), "Unknown");
	ck_assert_str_eq(bgp_err_code_name(99), "Unknown");
	ck_assert_str_eq(bgp_err_action_name(BGP_ACT_WITHDRAW), "treat-as-withdraw");
	ck_assert_str_eq(bgp_attr_name(BGP_ATTR_PMSI_TUNNEL), "PMSI_TUNNEL");
	ck_assert_str_eq(bgp_msg_type_name(5), "ROUTE-REFRESH");
}
END_TEST


/* RFC 8538 5: Cease/Hard Reset (6/9) whose data is the NOTIFICATION it
 * stands for, here Cease/Administrative Shutdown with an RFC 9003 reason. */
static const char hard_reset_hex[] =
	MARKER "0023" "03"
	"06" "09"               /* Cease / Hard Reset */
	"06" "02"               /* the original: Cease / Administrative Shutdown */
	"0b" "6d61696e74656e616e6365";   /* "maintenance" */

START_TEST(test_hard_reset_golden)
{
	uint8_t want[64];
	size_t n = hex(hard_reset_hex, want);
	struct wbuf w;

	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_hard_reset_cease(&w, BGP_CEASE_ADMIN_SHUTDOWN,
							"maintenance"), 0);
	ck_assert_uint_eq(w.len, n);
	ck_assert_mem_eq(out, want, n);
	ck_assert_int_eq(parse_hex(hard_reset_hex, &ebgp4), 0);
	ck_assert_uint_eq(m.notification.code, BGP_ERR_CEASE);
	ck_assert_uint_eq(m.notification.subcode, BGP_CEASE_HARD_RESET);
	ck_assert(m.notification.hard_reset);
	ck_assert_uint_eq(m.notification.inner_code, BGP_ERR_CEASE);
	ck_assert_uint_eq(m.notification.inner_subcode, BGP_CEASE_ADMIN_SHUTDOWN);
	ck_assert(m.notification.has_reason);
	ck_assert_str_eq(m.notification.reason, "maintenance");
	ck_assert_str_eq(bgp_err_subcode_name(BGP_ERR_CEASE, BGP_CEASE_HARD_RESET), "Hard Reset");
	/* Wrapping a non-Cease code: Hold Timer Expired, no data. */
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_hard_reset(&w, BGP_ERR_HOLD_TIMER, 0, NULL, 0), 0);
	ck_assert_uint_eq(w.len, 23);
	ck_assert_mem_eq(out + 19, "\x06\x09\x04\x00", 4);
	/* A Hard Reset too short to wrap anything is kept as is. */
	ck_assert_int_eq(parse_hex(MARKER "0016" "03" "0609" "06", &ebgp4), 0);
	ck_assert(!m.notification.hard_reset);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("bgp_msg");
	TCase *golden = tcase_create("golden");
	TCase *gobgp = tcase_create("gobgp");
	TCase *rfc7606 = tcase_create("rfc7606");
	TCase *build = tcase_create("build");

	tcase_add_test(golden, test_keepalive_golden);
	tcase_add_test(golden, test_open_golden);
	tcase_add_test(golden, test_open_as4_trans);
	tcase_add_test(golden, test_open_errors);
	tcase_add_test(golden, test_open_extended_params);
	tcase_add_test(golden, test_header_errors);
	tcase_add_test(golden, test_notification_golden);
	tcase_add_test(golden, test_notification_from_err);
	tcase_add_test(golden, test_hard_reset_golden);
	tcase_add_test(golden, test_route_refresh);
	tcase_add_test(golden, test_update_golden_build);
	tcase_add_test(golden, test_update_golden_parse);
	tcase_add_test(golden, test_eor);
	tcase_add_test(golden, test_ext_communities);
	tcase_add_test(golden, test_err_names);
	tcase_add_test(gobgp, test_gobgp_open_keepalive);
	tcase_add_test(gobgp, test_gobgp_macip_v4);
	tcase_add_test(gobgp, test_gobgp_macip_mac_only);
	tcase_add_test(gobgp, test_gobgp_macip_v6_esi_two_labels);
	tcase_add_test(gobgp, test_gobgp_macip_default_gw);
	tcase_add_test(gobgp, test_gobgp_imet);
	tcase_add_test(gobgp, test_gobgp_prefix);
	tcase_add_test(gobgp, test_gobgp_other_types);
	tcase_add_test(gobgp, test_gobgp_withdraw);
	tcase_add_test(gobgp, test_gobgp_notification);
	tcase_add_test(rfc7606, test_7606_valid_baseline);
	tcase_add_test(rfc7606, test_7606_origin);
	tcase_add_test(rfc7606, test_7606_as_path);
	tcase_add_test(rfc7606, test_7606_local_pref_med);
	tcase_add_test(rfc7606, test_7606_discards);
	tcase_add_test(rfc7606, test_7606_lists);
	tcase_add_test(rfc7606, test_7606_unknown_attributes);
	tcase_add_test(rfc7606, test_7606_mp_reach);
	tcase_add_test(rfc7606, test_7606_evpn_nlri);
	tcase_add_test(rfc7606, test_7606_treat_as_withdraw_count);
	tcase_add_test(rfc7606, test_7606_attribute_overrun);
	tcase_add_test(rfc7606, test_7606_ipv4_fields);
	tcase_add_test(rfc7606, test_7606_severity);
	tcase_add_test(rfc7606, test_pmsi);
	tcase_add_test(build, test_update_packing);
	tcase_add_test(build, test_update_build_errors);
	tcase_add_test(build, test_update_as2_peer);
	tcase_add_test(build, test_aspath_helpers);
	tcase_add_test(build, test_extended_length);
	suite_add_tcase(s, golden);
	suite_add_tcase(s, gobgp);
	suite_add_tcase(s, rfc7606);
	suite_add_tcase(s, build);
	return s;
}
