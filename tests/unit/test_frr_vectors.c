/* test_frr_vectors.c - what FRR 8.4 really sends, through vtepd's codecs
 * (agent/wire/bgp_msg.c, bgp_attr.c, evpn_nlri.c) and its session
 * (agent/bgp/bgp_session.c).
 *
 * The messages were captured from a real FRR EVPN leaf by
 * vectors/capture_frr.sh (see its header for the scenario) and are stored
 * in vectors/frr_vectors.h, so FRR is not needed here. Each message is
 * decoded and every field checked against the leaf's configuration:
 *   OPEN          AS 65002, id 192.0.2.2, hold 9, MP L2VPN EVPN, route
 *                 refresh (old and new), enhanced route refresh, 4-octet
 *                 AS, extended message, ADD-PATH, FQDN, graceful restart
 *                 (R and N bits), long-lived GR
 *   UPDATE        type 2 MAC only and MAC+IP (one label, then two with the
 *                 L3 VNI), type 3 with PMSI tunnel, type 5 with the router's
 *                 MAC, MAC Mobility (RFC 7432 7.7), MP_UNREACH withdrawals,
 *                 End-of-RIB, and the peer's own route sent back to it
 *   NOTIFICATION  FRR's answer to a malformed UPDATE
 * Then the NLRIs are re-encoded with evpn_nlri_encode() and the UPDATEs
 * rebuilt with bgp_msg_build_update(): NLRI octets must be identical (their
 * encoding is canonical), attribute values too; attribute headers may
 * differ only by FRR's Extended Length bit (see assert_attrs_as_frr()).
 * Last, the whole capture is replayed into a bgp_session over a socketpair,
 * so the session's own intake (RFC 7606 classification, loop check,
 * End-of-RIB) sees FRR's exact attribute order and flags.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "check_main.h"
#include "bgp.h"
#include "bgp_msg.h"
#include "bgp_session.h"
#include "bgp_test_util.h"
#include "vectors/frr_vectors.h"

#define N_VEC     (sizeof(frr_vectors) / sizeof(frr_vectors[0]))
#define FRR_AS    65002
#define PEER_AS   65001   /* frr_peer.py; vtepd's AS in the session replay */

static const struct bgp_parse_ctx ebgp4 = { .as4 = true, .ibgp = false };
static const uint8_t host_mac[6] = { 0x02, 0, 0, 0, 0x01, 0x21 };
static const uint8_t router_mac[6] = { 0x02, 0, 0, 0, 0x40, 0x00 };   /* br4000 */
static const uint8_t zero_esi[10];

/* Big structs live here, not on the stack. */
static struct bgp_msg m, m2;
static struct bgp_err err;
static uint8_t buf[BGP_MAX_LEN], out[2 * BGP_MAX_LEN];
static size_t buf_len;

static size_t vec(unsigned i, uint8_t *dst)
{
	size_t n = unhex(frr_vectors[i].hex, dst, BGP_MAX_LEN);

	ck_assert_msg(n != (size_t)-1, "bad hex in vector %u", i);
	return n;
}

/* Parses vector i into m (buf holds its octets). */
static int parse_vec(unsigned i)
{
	buf_len = vec(i, buf);
	return bgp_msg_parse(buf, buf_len, &ebgp4, &m, &err);
}

static bool from_frr(unsigned i)
{
	return !strcmp(frr_vectors[i].dir, "frr");
}

/* The nth (from 0) UPDATE FRR sent whose parse satisfies pred; m holds it. */
typedef bool (*upd_pred)(const struct bgp_update *u);

static int find_update(upd_pred pred, int nth)
{
	for (unsigned i = 0; i < N_VEC; i++) {
		if (!from_frr(i) || frr_vectors[i].type != BGP_MSG_UPDATE)
			continue;
		ck_assert_int_eq(parse_vec(i), 0);
		if (pred(&m.update) && nth-- == 0)
			return (int)i;
	}
	ck_abort_msg("no such UPDATE in the FRR capture");
	return -1;
}

static bool reach(const struct bgp_update *u, uint8_t type)
{
	return u->n_routes >= 1 && u->routes[0].type == type && !u->routes[0].withdraw &&
	       BGP_ATTR_HAS(&u->attrs, BGP_ATTR_MP_REACH_NLRI);
}
static bool is_mac_only(const struct bgp_update *u)
{
	return reach(u, EVPN_RT_MACIP) && u->routes[0].ip.len == 0 && !u->attrs.evpn.mac_mobility;
}
static bool is_macip(const struct bgp_update *u)
{
	return reach(u, EVPN_RT_MACIP) && u->routes[0].ip.len == 4 && !u->attrs.evpn.mac_mobility;
}
static bool is_imet(const struct bgp_update *u)
{
	return reach(u, EVPN_RT_IMET);
}
static bool is_prefix(const struct bgp_update *u)
{
	return reach(u, EVPN_RT_PREFIX);
}
static bool is_withdraw(const struct bgp_update *u)
{
	return u->n_routes >= 1 && u->routes[0].withdraw;
}
static bool is_eor(const struct bgp_update *u)
{
	return u->eor;
}
/* FRR's own MAC Mobility routes (next hop: its VTEP 192.0.2.2). */
static bool is_mm_own(const struct bgp_update *u)
{
	return reach(u, EVPN_RT_MACIP) && u->attrs.evpn.mac_mobility &&
	       !memcmp(u->attrs.mp_reach.nh, "\xc0\x00\x02\x02", 4);
}
/* The peer's route, sent back by FRR (next hop 198.51.100.1). */
static bool is_reflected(const struct bgp_update *u)
{
	return reach(u, EVPN_RT_MACIP) && !memcmp(u->attrs.mp_reach.nh, "\xc6\x33\x64\x01", 4);
}

static void assert_rd(const struct evpn_route *rt, const char *want)
{
	char s[EVPN_RD_STRLEN];

	ck_assert_str_eq(evpn_rd_fmt(rt->rd, s), want);
	/* FRR writes type 1 (IPv4:n), as "rd 192.0.2.2:100" configures. */
	ck_assert_uint_eq(rt->rd[0] << 8 | rt->rd[1], 1);
}

/* Route target number k among the extended communities: type and parts. */
static void assert_rt(const struct bgp_attrs *a, unsigned k, uint32_t global, uint32_t local)
{
	uint32_t g, l;

	for (unsigned i = 0; i < a->n_ext; i++) {
		if (bgp_ext_rt_parse(a->ext + 8 * i, &g, &l) < 0)
			continue;
		if (k-- == 0) {
			/* FRR: 2-octet AS route targets for AS 65002 (RFC 4360 4). */
			ck_assert_int_eq(bgp_ext_rt_parse(a->ext + 8 * i, &g, &l), BGP_EXT_TYPE_AS2);
			ck_assert_uint_eq(g, global);
			ck_assert_uint_eq(l, local);
			return;
		}
	}
	ck_abort_msg("route target %u missing", k);
}

/* What every route FRR originates carries: ORIGIN, AS_PATH [65002], next
 * hop = its VTEP 192.0.2.2, VXLAN encapsulation (RFC 8365 5.1.3), no
 * LOCAL_PREF on eBGP (RFC 4271 5.1.5). */
static void assert_frr_path(const struct bgp_attrs *a, uint8_t origin)
{
	ck_assert_uint_eq(a->origin, origin);
	ck_assert_uint_eq(a->aspath.n_segs, 1);
	ck_assert_uint_eq(a->aspath.seg[0].type, BGP_AS_SEQUENCE);
	ck_assert_uint_eq(a->aspath.n_asns, 1);
	ck_assert_uint_eq(a->aspath.asn[0], FRR_AS);
	ck_assert(!BGP_ATTR_HAS(a, BGP_ATTR_LOCAL_PREF));
	ck_assert(!BGP_ATTR_HAS(a, BGP_ATTR_NEXT_HOP));
	ck_assert_uint_eq(a->mp_reach.afi, EVPN_AFI);
	ck_assert_uint_eq(a->mp_reach.safi, EVPN_SAFI);
	ck_assert_uint_eq(a->mp_reach.nh_len, 4);
	ck_assert_mem_eq(a->mp_reach.nh, "\xc0\x00\x02\x02", 4);
	ck_assert_uint_eq(a->evpn.encap_types, 1u << BGP_TUNNEL_VXLAN);
	ck_assert(!a->evpn.default_gw);
	ck_assert_uint_eq(a->n_unknown, 0);
}

/* Every NLRI of the UPDATE in m (MP_REACH or MP_UNREACH) re-encodes to
 * FRR's octets, in order: the EVPN NLRI encoding is canonical (fixed
 * layout per type and address length, RFC 7432 7.2, 7.3, RFC 9136 3.1),
 * and the decoder keeps every field, including the zero labels FRR puts
 * in withdrawals. */
static void assert_nlri_as_frr(void)
{
	const struct bgp_mp *mp = m.update.attrs.mp_reach.nlri_len ? &m.update.attrs.mp_reach
								   : &m.update.attrs.mp_unreach;
	uint8_t b[BGP_MAX_LEN];
	struct wbuf w;

	ck_assert_uint_gt(m.update.n_routes, 0);
	wbuf_init(&w, b, sizeof(b));
	for (unsigned i = 0; i < m.update.n_routes; i++)
		ck_assert_int_eq(evpn_nlri_encode(&w, &m.update.routes[i]), 0);
	ck_assert_uint_eq(w.len, mp->nlri_len);
	ck_assert_mem_eq(b, mp->nlri, w.len);
}

/* Rebuilds the UPDATE in m with bgp_msg_build_update() and compares each
 * attribute with FRR's. Values are identical. Headers: FRR 8.4 sets the
 * Extended Length bit on MP_REACH_NLRI, MP_UNREACH_NLRI and AS_PATH
 * whatever their size (in every UPDATE captured, End-of-RIB excepted);
 * vtepd, like GoBGP, uses a 1-octet length when the value fits. RFC 4271 4.3 allows both, and
 * RFC 7606 5.1 only asks MP_REACH/MP_UNREACH to come first, which both do,
 * so FRR's messages are 1 octet longer per such attribute and otherwise
 * the same. Returns how many of FRR's attributes used the longer form. */
static unsigned assert_attrs_as_frr(unsigned idx)
{
	static const uint8_t types[] = {
		BGP_ATTR_ORIGIN, BGP_ATTR_AS_PATH, BGP_ATTR_MED, BGP_ATTR_LOCAL_PREF,
		BGP_ATTR_MP_REACH_NLRI, BGP_ATTR_MP_UNREACH_NLRI, BGP_ATTR_EXT_COMMUNITIES,
		BGP_ATTR_PMSI_TUNNEL,
	};
	static uint8_t orig[BGP_MAX_LEN];
	size_t on = vec(idx, orig);
	bool withdraw;
	unsigned longer = 0;
	struct wbuf w;

	ck_assert_int_eq(bgp_msg_parse(orig, on, &ebgp4, &m, &err), 0);
	withdraw = m.update.routes[0].withdraw;
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(bgp_msg_build_update(&w, &ebgp4, withdraw ? NULL : &m.update.attrs,
					      m.update.routes, m.update.n_routes, withdraw),
			 m.update.n_routes);
	for (size_t i = 0; i < sizeof(types); i++) {
		size_t s1 = 0, s2 = 0, h1, h2;
		const uint8_t *a1 = find_attr(orig, on, types[i], &s1);
		const uint8_t *a2 = find_attr(out, w.len, types[i], &s2);

		ck_assert_msg((a1 == NULL) == (a2 == NULL), "attribute %u: present in one only",
			      types[i]);
		if (!a1)
			continue;
		h1 = a1[0] & BGP_ATTR_F_EXTLEN ? 4 : 3;
		h2 = a2[0] & BGP_ATTR_F_EXTLEN ? 4 : 3;
		ck_assert_msg((a1[0] & ~BGP_ATTR_F_EXTLEN) == (a2[0] & ~BGP_ATTR_F_EXTLEN),
			      "attribute %u flags: FRR %#x, vtepd %#x", types[i], a1[0], a2[0]);
		ck_assert_uint_eq(s1 - h1, s2 - h2);
		ck_assert_msg(memcmp(a1 + h1, a2 + h2, s1 - h1) == 0,
			      "attribute %u value differs from FRR's", types[i]);
		if (h1 > h2) {
			ck_assert_uint_lt(s1 - h1, 256);   /* it would have fit */
			longer++;
		}
	}
	ck_assert_uint_eq(w.len + longer, on);
	/* Ours parses back to the same routes. */
	ck_assert_int_eq(bgp_msg_parse(out, w.len, &ebgp4, &m2, &err), 0);
	ck_assert_int_eq(err.action, BGP_ACT_NONE);
	ck_assert_uint_eq(m2.update.n_routes, m.update.n_routes);
	for (unsigned i = 0; i < m.update.n_routes; i++) {
		ck_assert(evpn_route_same_key(&m2.update.routes[i], &m.update.routes[i]));
		ck_assert_uint_eq(m2.update.routes[i].withdraw, withdraw);
	}
	return longer;
}

/* ---- every message ---------------------------------------------------------------- */

START_TEST(test_frr_all_parse)
{
	unsigned n_frr = 0, n_peer = 0;

	ck_assert_uint_ge(N_VEC, 20);
	for (unsigned i = 0; i < N_VEC; i++) {
		int ret;

		buf_len = vec(i, buf);
		ck_assert_uint_eq(buf[18], (unsigned)frr_vectors[i].type);
		ck_assert_int_eq(bgp_msg_frame(buf, buf_len, &err), (int)buf_len);
		ret = bgp_msg_parse(buf, buf_len, &ebgp4, &m, &err);
		if (!strcmp(frr_vectors[i].what, "UPDATE malformed (attribute length past the end)")) {
			ck_assert_int_eq(ret, -1);   /* see test_frr_notification */
			continue;
		}
		ck_assert_msg(ret == 0 && err.action == BGP_ACT_NONE,
			      "vector %u (%s %s): %s", i, frr_vectors[i].dir, frr_vectors[i].what,
			      err.msg);
		ck_assert_uint_eq(m.type, (unsigned)frr_vectors[i].type);
		if (m.type == BGP_MSG_UPDATE) {
			ck_assert_uint_eq(m.update.n_skipped, 0);
			ck_assert_uint_eq(m.update.n_malformed, 0);
			ck_assert_uint_eq(m.update.withdrawn4_len, 0);
			ck_assert_uint_eq(m.update.nlri4_len, 0);
		}
		if (from_frr(i))
			n_frr++;
		else
			n_peer++;
	}
	ck_assert_uint_gt(n_frr, 0);
	ck_assert_uint_gt(n_peer, 0);
}
END_TEST

START_TEST(test_frr_open)
{
	int seen = 0;

	for (unsigned i = 0; i < N_VEC; i++) {
		if (frr_vectors[i].type != BGP_MSG_OPEN)
			continue;
		ck_assert_int_eq(parse_vec(i), 0);
		ck_assert_int_eq(err.action, BGP_ACT_NONE);
		if (!from_frr(i)) {
			/* frr_peer.py: AS 65001, GR for EVPN without F. */
			ck_assert_uint_eq(m.open.asn, PEER_AS);
			ck_assert_uint_eq(m.open.bgp_id, inet_addr("198.51.100.1"));
			ck_assert(m.open.cap_gr);
			ck_assert_uint_eq(m.open.gr_time, 120);
			ck_assert_uint_eq(m.open.n_gr, 1);
			seen |= 2;
			continue;
		}
		ck_assert_uint_eq(m.open.version, 4);
		ck_assert_uint_eq(m.open.my_as, FRR_AS);
		ck_assert_uint_eq(m.open.asn, FRR_AS);
		/* "frr defaults datacenter": keepalive 3, hold 9. */
		ck_assert_uint_eq(m.open.hold_time, 9);
		ck_assert_uint_eq(m.open.bgp_id, inet_addr("192.0.2.2"));
		/* "no bgp default ipv4-unicast": L2VPN EVPN alone. */
		ck_assert_uint_eq(m.open.n_mp, 1);
		ck_assert_uint_eq(m.open.mp[0].afi, EVPN_AFI);
		ck_assert_uint_eq(m.open.mp[0].safi, EVPN_SAFI);
		ck_assert(m.open.cap_as4);
		ck_assert(m.open.cap_route_refresh);
		ck_assert(m.open.cap_enhanced_rr);      /* RFC 7313, code 70 */
		ck_assert(m.open.cap_ext_message);      /* RFC 8654, code 6 */
		/* "bgp graceful-restart": restart time 120, R (a fresh start
		 * counts as a restart in FRR) and N (RFC 8538), EVPN without F
		 * (nothing preserved yet). */
		ck_assert(m.open.cap_gr);
		ck_assert_uint_eq(m.open.gr_time, 120);
		ck_assert_uint_eq(m.open.gr_flags, BGP_GR_RESTARTING | BGP_GR_NOTIFICATION);
		ck_assert_uint_eq(m.open.n_gr, 1);
		ck_assert_uint_eq(m.open.gr[0].afi, EVPN_AFI);
		ck_assert_uint_eq(m.open.gr[0].safi, EVPN_SAFI);
		ck_assert_uint_eq(m.open.gr[0].flags, 0);
		/* Ignored (RFC 5492 5): the pre-standard route refresh (128),
		 * ADD-PATH (69, receive for EVPN), FQDN (73, "xi-frr") and
		 * long-lived GR (71). */
		ck_assert_uint_eq(m.open.n_unknown_caps, 4);
		seen |= 1;
	}
	ck_assert_int_eq(seen, 3);
}
END_TEST

/* ---- type 2 -------------------------------------------------------------------------- */

START_TEST(test_frr_macip_mac_only)
{
	int i = find_update(is_mac_only, 0);
	const struct bgp_attrs *a = &m.update.attrs;
	const struct evpn_route *rt = &m.update.routes[0];
	char s[EVPN_ROUTE_STRLEN];

	ck_assert_uint_eq(m.update.n_routes, 1);
	ck_assert_str_eq(evpn_route_fmt(rt, s),
			 "[2][192.0.2.2:100][0][02:00:00:00:01:21][-] label 100");
	assert_rd(rt, "192.0.2.2:100");
	ck_assert_mem_eq(rt->esi, zero_esi, 10);     /* single-homed */
	ck_assert_uint_eq(rt->etag, 0);              /* VLAN-based service */
	ck_assert_mem_eq(rt->mac, host_mac, 6);
	ck_assert_uint_eq(rt->ip.len, 0);
	ck_assert_uint_eq(rt->n_labels, 1);
	ck_assert_uint_eq(rt->label[0], 100);        /* the whole field is the VNI */
	ck_assert_uint_eq(evpn_label_vni(rt->label[0]), 100);
	assert_frr_path(a, BGP_ORIGIN_IGP);
	ck_assert(!BGP_ATTR_HAS(a, BGP_ATTR_MED));
	ck_assert(!BGP_ATTR_HAS(a, BGP_ATTR_PMSI_TUNNEL));
	/* FRR's order: encapsulation, then the route target (65002:100). */
	ck_assert_uint_eq(a->n_ext, 2);
	ck_assert_uint_eq(a->evpn.n_rt, 1);
	ck_assert_mem_eq(a->ext, "\x03\x0c\x00\x00\x00\x00\x00\x08", 8);
	assert_rt(a, 0, FRR_AS, 100);
	ck_assert(!a->evpn.mac_mobility);
	ck_assert(!a->evpn.has_router_mac);
	assert_nlri_as_frr();
	/* MP_REACH_NLRI and AS_PATH come with the Extended Length bit. */
	ck_assert_uint_eq(assert_attrs_as_frr((unsigned)i), 2);
}
END_TEST

START_TEST(test_frr_macip_one_label)
{
	int i = find_update(is_macip, 0);
	const struct evpn_route *rt = &m.update.routes[0];
	char s[EVPN_ROUTE_STRLEN];

	ck_assert_uint_eq(m.update.n_routes, 1);
	ck_assert_str_eq(evpn_route_fmt(rt, s),
			 "[2][192.0.2.2:100][0][02:00:00:00:01:21][10.1.0.21] label 100");
	assert_rd(rt, "192.0.2.2:100");
	ck_assert_mem_eq(rt->esi, zero_esi, 10);
	ck_assert_uint_eq(rt->etag, 0);
	ck_assert_mem_eq(rt->mac, host_mac, 6);
	ck_assert_uint_eq(rt->ip.len, 4);
	ck_assert_uint_eq(rt->ip.v4, inet_addr("10.1.0.21"));
	ck_assert_uint_eq(rt->n_labels, 1);          /* no L3 VNI yet */
	ck_assert_uint_eq(rt->label[0], 100);
	assert_frr_path(&m.update.attrs, BGP_ORIGIN_IGP);
	ck_assert_uint_eq(m.update.attrs.n_ext, 2);
	assert_rt(&m.update.attrs, 0, FRR_AS, 100);
	ck_assert(!m.update.attrs.evpn.has_router_mac);
	assert_nlri_as_frr();
	ck_assert_uint_eq(assert_attrs_as_frr((unsigned)i), 2);
}
END_TEST

/* Symmetric IRB (RFC 9135 5.1): with the L3 VNI, MAC+IP carries label 2 =
 * the L3 VNI, the VRF's route target and the router's MAC. */
START_TEST(test_frr_macip_two_labels)
{
	int i = find_update(is_macip, 1);
	const struct bgp_attrs *a = &m.update.attrs;
	const struct evpn_route *rt = &m.update.routes[0];

	ck_assert_uint_eq(m.update.n_routes, 1);
	assert_rd(rt, "192.0.2.2:100");
	ck_assert_mem_eq(rt->mac, host_mac, 6);
	ck_assert_uint_eq(rt->ip.v4, inet_addr("10.1.0.21"));
	ck_assert_uint_eq(rt->n_labels, 2);
	ck_assert_uint_eq(evpn_label_vni(rt->label[0]), 100);
	ck_assert_uint_eq(evpn_label_vni(rt->label[1]), 4000);
	assert_frr_path(a, BGP_ORIGIN_IGP);
	ck_assert_uint_eq(a->n_ext, 4);
	ck_assert_uint_eq(a->evpn.n_rt, 2);
	assert_rt(a, 0, FRR_AS, 100);
	assert_rt(a, 1, FRR_AS, 4000);
	ck_assert(a->evpn.has_router_mac);
	ck_assert_mem_eq(a->evpn.router_mac, router_mac, 6);
	ck_assert(!a->evpn.mac_mobility);
	assert_nlri_as_frr();
	ck_assert_uint_eq(assert_attrs_as_frr((unsigned)i), 2);
}
END_TEST

/* RFC 7432 15: the MAC came back after the peer advertised it with
 * sequence 5, so FRR advertises it with 6, MAC only and MAC+IP. */
START_TEST(test_frr_mac_mobility)
{
	int seen = 0;

	for (int k = 0; k < 2; k++) {
		int i = find_update(is_mm_own, k);
		const struct bgp_attrs *a = &m.update.attrs;
		const struct evpn_route *rt = &m.update.routes[0];

		ck_assert_uint_eq(m.update.n_routes, 1);
		ck_assert_mem_eq(rt->mac, host_mac, 6);
		assert_rd(rt, "192.0.2.2:100");
		assert_frr_path(a, BGP_ORIGIN_IGP);
		ck_assert(a->evpn.mac_mobility);
		ck_assert(!a->evpn.mm_sticky);
		ck_assert_uint_eq(a->evpn.mm_seq, 6);
		/* FRR puts MAC Mobility last: 06 00 flags 00, reserved, seq. */
		ck_assert_mem_eq(a->ext + 8 * (a->n_ext - 1), "\x06\x00\x00\x00\x00\x00\x00\x06", 8);
		if (rt->ip.len) {
			ck_assert_uint_eq(rt->ip.v4, inet_addr("10.1.0.21"));
			ck_assert_uint_eq(rt->n_labels, 2);
			ck_assert_uint_eq(rt->label[1], 4000);
			ck_assert(a->evpn.has_router_mac);
			seen |= 2;
		} else {
			ck_assert_uint_eq(rt->n_labels, 1);
			ck_assert_uint_eq(rt->label[0], 100);
			seen |= 1;
		}
		assert_nlri_as_frr();
		assert_attrs_as_frr((unsigned)i);
	}
	ck_assert_int_eq(seen, 3);
}
END_TEST

/* FRR does no sender-side loop check on eBGP: the peer's own route came
 * back with AS_PATH 65002 65001. vtepd (AS 65001) must refuse it
 * (test_frr_session_replay). */
START_TEST(test_frr_reflected)
{
	int i = find_update(is_reflected, 0);
	const struct bgp_attrs *a = &m.update.attrs;
	const struct evpn_route *rt = &m.update.routes[0];

	ck_assert_uint_eq(m.update.n_routes, 1);
	assert_rd(rt, "198.51.100.1:100");
	ck_assert_mem_eq(rt->mac, host_mac, 6);
	ck_assert_uint_eq(rt->ip.len, 0);
	ck_assert_uint_eq(rt->label[0], 100);
	ck_assert_uint_eq(a->origin, BGP_ORIGIN_IGP);
	ck_assert_uint_eq(a->aspath.n_segs, 1);
	ck_assert_uint_eq(a->aspath.n_asns, 2);
	ck_assert_uint_eq(a->aspath.asn[0], FRR_AS);
	ck_assert_uint_eq(a->aspath.asn[1], PEER_AS);
	ck_assert_uint_eq(bgp_aspath_hops(&a->aspath), 2);
	ck_assert_uint_eq(bgp_aspath_first(&a->aspath), FRR_AS);
	ck_assert(bgp_aspath_contains(&a->aspath, PEER_AS));
	/* The next hop is kept (RFC 7432 7: the VTEP), not set to FRR's. */
	ck_assert_mem_eq(a->mp_reach.nh, "\xc6\x33\x64\x01", 4);
	/* The communities as the peer sent them: RT, encapsulation, MAC
	 * Mobility sequence 5. */
	ck_assert_uint_eq(a->n_ext, 3);
	assert_rt(a, 0, PEER_AS, 100);
	ck_assert(a->evpn.mac_mobility);
	ck_assert_uint_eq(a->evpn.mm_seq, 5);
	ck_assert_uint_eq(a->evpn.encap_types, 1u << BGP_TUNNEL_VXLAN);
	assert_nlri_as_frr();
	ck_assert_uint_eq(assert_attrs_as_frr((unsigned)i), 2);
}
END_TEST

/* ---- type 3 -------------------------------------------------------------------------- */

START_TEST(test_frr_imet)
{
	int i = find_update(is_imet, 0);
	const struct bgp_attrs *a = &m.update.attrs;
	const struct evpn_route *rt = &m.update.routes[0];
	const struct bgp_pmsi *p = &a->pmsi;
	size_t sz = 0;
	const uint8_t *pa;

	ck_assert_uint_eq(m.update.n_routes, 1);
	assert_rd(rt, "192.0.2.2:100");
	ck_assert_uint_eq(rt->etag, 0);
	ck_assert_uint_eq(rt->ip.len, 4);
	ck_assert_uint_eq(rt->ip.v4, inet_addr("192.0.2.2"));   /* originating router */
	ck_assert_uint_eq(rt->n_labels, 0);
	assert_frr_path(a, BGP_ORIGIN_IGP);
	ck_assert_uint_eq(a->n_ext, 2);
	assert_rt(a, 0, FRR_AS, 100);
	/* PMSI Tunnel (RFC 6514 5; RFC 8365 5.1.3): no flags, ingress
	 * replication, label = VNI 100 in the whole 24-bit field, tunnel id =
	 * FRR's VTEP. Optional transitive, after EXTENDED COMMUNITIES. */
	ck_assert(BGP_ATTR_HAS(a, BGP_ATTR_PMSI_TUNNEL));
	ck_assert_uint_eq(p->flags, 0);
	ck_assert_uint_eq(p->tunnel_type, BGP_PMSI_INGRESS_REPL);
	ck_assert_uint_eq(p->label, 100);
	ck_assert_uint_eq(evpn_label_vni(p->label), 100);
	ck_assert_uint_eq(p->id_len, 4);
	ck_assert_mem_eq(p->id, "\xc0\x00\x02\x02", 4);
	pa = find_attr(buf, buf_len, BGP_ATTR_PMSI_TUNNEL, &sz);
	ck_assert_ptr_nonnull(pa);
	ck_assert_uint_eq(sz, 12);
	ck_assert_mem_eq(pa, "\xc0\x16\x09\x00\x06\x00\x00\x64\xc0\x00\x02\x02", 12);
	assert_nlri_as_frr();
	ck_assert_uint_eq(assert_attrs_as_frr((unsigned)i), 2);
}
END_TEST

/* ---- type 5 -------------------------------------------------------------------------- */

START_TEST(test_frr_prefix)
{
	/* "redistribute connected" + "advertise ipv4 unicast": the SVI's
	 * subnet, the VTEP address and the link to the peer. */
	static const struct { const char *pfx; uint8_t len; } want[] = {
		{ "10.1.0.0", 24 }, { "192.0.2.2", 32 }, { "198.51.100.0", 30 },
	};
	int seen = 0;

	for (int k = 0; k < 3; k++) {
		int i = find_update(is_prefix, k);
		const struct bgp_attrs *a = &m.update.attrs;
		const struct evpn_route *rt = &m.update.routes[0];
		int j;

		ck_assert_uint_eq(m.update.n_routes, 1);
		assert_rd(rt, "192.0.2.2:4000");
		ck_assert_mem_eq(rt->esi, zero_esi, 10);
		ck_assert_uint_eq(rt->etag, 0);
		ck_assert_uint_eq(rt->ip.len, 4);
		for (j = 0; j < 3; j++)
			if (rt->ip.v4 == inet_addr(want[j].pfx))
				break;
		ck_assert_int_lt(j, 3);
		ck_assert_uint_eq(rt->prefix_len, want[j].len);
		seen |= 1 << j;
		/* No gateway: the router's MAC names the next hop (RFC 9136
		 * 4.4.1), label = the L3 VNI. */
		ck_assert_uint_eq(rt->gw.len, 4);
		ck_assert_uint_eq(rt->gw.v4, 0);
		ck_assert_uint_eq(rt->n_labels, 1);
		ck_assert_uint_eq(evpn_label_vni(rt->label[0]), 4000);
		/* Redistributed: ORIGIN incomplete, MED = the connected metric 0. */
		assert_frr_path(a, BGP_ORIGIN_INCOMPLETE);
		ck_assert(BGP_ATTR_HAS(a, BGP_ATTR_MED));
		ck_assert_uint_eq(a->med, 0);
		ck_assert_uint_eq(a->n_ext, 3);
		ck_assert_uint_eq(a->evpn.n_rt, 1);
		assert_rt(a, 0, FRR_AS, 4000);
		ck_assert(a->evpn.has_router_mac);
		ck_assert_mem_eq(a->evpn.router_mac, router_mac, 6);
		assert_nlri_as_frr();
		ck_assert_uint_eq(assert_attrs_as_frr((unsigned)i), 2);
	}
	ck_assert_int_eq(seen, 7);
}
END_TEST

/* ---- withdrawals, End-of-RIB, NOTIFICATION ---------------------------------------- */

/* The host's two type-2 routes are withdrawn twice: when the peer takes
 * its MAC (both in one UPDATE) and when it leaves (one or two UPDATEs, as
 * FRR's timing falls). */
START_TEST(test_frr_withdraw)
{
	unsigned n_upd = 0, mac_only = 0, macip = 0, max_per_upd = 0;

	for (unsigned i = 0; i < N_VEC; i++) {
		const struct bgp_attrs *a = &m.update.attrs;

		if (!from_frr(i) || frr_vectors[i].type != BGP_MSG_UPDATE)
			continue;
		ck_assert_int_eq(parse_vec(i), 0);
		if (!is_withdraw(&m.update))
			continue;
		n_upd++;
		/* MP_UNREACH_NLRI alone (RFC 4760 4). */
		ck_assert_uint_eq(a->present, BGP_ATTR_BIT(BGP_ATTR_MP_UNREACH_NLRI));
		ck_assert_uint_eq(a->mp_unreach.afi, EVPN_AFI);
		ck_assert_uint_eq(a->mp_unreach.safi, EVPN_SAFI);
		ck_assert(!m.update.eor);
		if (m.update.n_routes > max_per_upd)
			max_per_upd = m.update.n_routes;
		for (unsigned r = 0; r < m.update.n_routes; r++) {
			const struct evpn_route *rt = &m.update.routes[r];

			ck_assert(rt->withdraw);
			ck_assert_uint_eq(rt->type, EVPN_RT_MACIP);
			assert_rd(rt, "192.0.2.2:100");
			ck_assert_mem_eq(rt->esi, zero_esi, 10);
			ck_assert_mem_eq(rt->mac, host_mac, 6);
			/* FRR zeroes the label of a withdrawn route and sends
			 * one label even for a two-label route (RFC 7432 7.2
			 * leaves labels out of the route key). */
			ck_assert_uint_eq(rt->n_labels, 1);
			ck_assert_uint_eq(rt->label[0], 0);
			if (rt->ip.len) {
				ck_assert_uint_eq(rt->ip.v4, inet_addr("10.1.0.21"));
				macip++;
			} else {
				mac_only++;
			}
		}
		assert_nlri_as_frr();
		ck_assert_uint_eq(assert_attrs_as_frr(i), 1);   /* MP_UNREACH */
	}
	ck_assert_uint_ge(n_upd, 2);
	ck_assert_uint_eq(mac_only, 2);
	ck_assert_uint_eq(macip, 2);
	ck_assert_uint_eq(max_per_upd, 2);
}
END_TEST

START_TEST(test_frr_eor)
{
	int i = find_update(is_eor, 0);
	uint8_t b[64];
	struct wbuf w;

	/* RFC 4724 2: MP_UNREACH_NLRI with AFI 25 SAFI 70 and no NLRI. */
	ck_assert_uint_eq(m.update.eor_afi, EVPN_AFI);
	ck_assert_uint_eq(m.update.eor_safi, EVPN_SAFI);
	ck_assert_uint_eq(m.update.n_routes, 0);
	ck_assert_uint_eq(m.update.attrs.present, BGP_ATTR_BIT(BGP_ATTR_MP_UNREACH_NLRI));
	/* Here FRR uses a 1-octet length: ours is the same message. */
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(bgp_msg_build_eor(&w, EVPN_AFI, EVPN_SAFI), 0);
	buf_len = vec((unsigned)i, buf);
	ck_assert_uint_eq(w.len, buf_len);
	ck_assert_mem_eq(b, buf, buf_len);
}
END_TEST

START_TEST(test_frr_notification)
{
	uint8_t b[64];
	struct wbuf w;
	int seen = 0;

	for (unsigned i = 0; i < N_VEC; i++) {
		if (frr_vectors[i].type == BGP_MSG_NOTIFICATION && from_frr(i)) {
			/* FRR's answer to the malformed UPDATE (RFC 4271 6.3):
			 * UPDATE Message Error / Malformed Attribute List, no
			 * data. Our builder writes the same octets. */
			ck_assert_int_eq(parse_vec(i), 0);
			ck_assert_uint_eq(m.notification.code, BGP_ERR_UPDATE);
			ck_assert_uint_eq(m.notification.subcode, BGP_UPD_MALFORMED_ATTR_LIST);
			ck_assert_uint_eq(m.notification.data_len, 0);
			ck_assert(!m.notification.hard_reset);
			ck_assert(!m.notification.has_reason);
			wbuf_init(&w, b, sizeof(b));
			ck_assert_int_eq(bgp_msg_build_notification(&w, BGP_ERR_UPDATE,
								    BGP_UPD_MALFORMED_ATTR_LIST,
								    NULL, 0), 0);
			ck_assert_uint_eq(w.len, buf_len);
			ck_assert_mem_eq(b, buf, buf_len);
			seen |= 1;
		} else if (frr_vectors[i].type == BGP_MSG_UPDATE && !from_frr(i) &&
			   strstr(frr_vectors[i].what, "malformed")) {
			/* The message FRR rejected: vtepd resets the session
			 * with the same code and subcode. */
			ck_assert_int_eq(parse_vec(i), -1);
			ck_assert_int_eq(err.action, BGP_ACT_RESET);
			ck_assert_uint_eq(err.code, BGP_ERR_UPDATE);
			ck_assert_uint_eq(err.subcode, BGP_UPD_MALFORMED_ATTR_LIST);
			seen |= 2;
		}
	}
	ck_assert_int_eq(seen, 3);
}
END_TEST

/* ---- the session replay ---------------------------------------------------------- */

struct replay {
	struct bgp_session *s;
	int sess_fd, peer_fd;
	uint64_t now;
	unsigned adds[6], dels[6];  /* by route type */
	unsigned refused_macs;      /* withdrawals the session made of refused routes */
	unsigned begins, flushes, downs;
	bool kept_stale;
	bool bad_attrs;
};

static int rp_connect(void *ctx, struct bgp_session *s, int *fd)
{
	struct replay *r = ctx;
	int sv[2];

	(void)s;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	r->sess_fd = sv[0];
	r->peer_fd = sv[1];
	*fd = sv[0];
	return 0;
}

static void rp_watch(void *ctx, struct bgp_session *s, int fd, uint32_t ev)
{
	(void)ctx;
	(void)s;
	(void)fd;
	(void)ev;
}

static void rp_unwatch(void *ctx, struct bgp_session *s, int fd)
{
	(void)ctx;
	(void)s;
	(void)fd;
}

static void rp_begin(void *ctx, struct bgp_session *s)
{
	(void)s;
	((struct replay *)ctx)->begins++;
}

static int rp_route(void *ctx, struct bgp_session *s, const struct evpn_route *rt,
		    const struct bgp_attrs *a)
{
	struct replay *r = ctx;

	(void)s;
	ck_assert_uint_lt(rt->type, 6);
	if (rt->withdraw) {
		r->dels[rt->type]++;
		if (a)
			r->bad_attrs = true;
		return 0;
	}
	r->adds[rt->type]++;
	/* What the RIB gets for FRR's routes: its next hop and AS path. */
	if (!a || a->mp_reach.nh_len != 4 || memcmp(a->mp_reach.nh, "\xc0\x00\x02\x02", 4) ||
	    a->aspath.n_asns != 1 || a->aspath.asn[0] != FRR_AS ||
	    !(a->evpn.encap_types & (1u << BGP_TUNNEL_VXLAN)) || a->evpn.n_rt < 1)
		r->bad_attrs = true;
	return 0;
}

static void rp_flush(void *ctx, struct bgp_session *s)
{
	(void)s;
	((struct replay *)ctx)->flushes++;
}

static void rp_down(void *ctx, struct bgp_session *s, bool keep)
{
	struct replay *r = ctx;

	(void)s;
	r->downs++;
	r->kept_stale = keep;
}

static const struct bgp_session_ops rp_ops = {
	.connect = rp_connect,
	.watch = rp_watch,
	.unwatch = rp_unwatch,
	.rib_begin = rp_begin,
	.rib_route = rp_route,
	.rib_flush = rp_flush,
	.rib_peer_down = rp_down,
};

/* Reads what the session sent so far; fails on a NOTIFICATION. Returns
 * the number of messages. */
static unsigned rp_drain(struct replay *r)
{
	static uint8_t rx[4 * BGP_MAX_LEN];
	static size_t have;
	unsigned n = 0;
	ssize_t k;

	while ((k = read(r->peer_fd, rx + have, sizeof(rx) - have)) > 0)
		have += (size_t)k;
	while (have >= BGP_HDR_LEN) {
		size_t len = (size_t)(rx[16] << 8 | rx[17]);

		ck_assert_uint_ge(len, BGP_HDR_LEN);
		if (have < len)
			break;
		ck_assert_msg(rx[18] != BGP_MSG_NOTIFICATION,
			      "vtepd sent a NOTIFICATION %u/%u to FRR's messages", rx[19], rx[20]);
		memmove(rx, rx + len, have - len);
		have -= len;
		n++;
	}
	return n;
}

static void rp_feed(struct replay *r, unsigned i)
{
	size_t n = vec(i, buf);

	ck_assert_int_eq(write(r->peer_fd, buf, n), (ssize_t)n);
	bgp_session_io(r->s, r->sess_fd, EPOLLIN, r->now);
}

/* Every message FRR sent, in its order, into a session of vtepd's (AS
 * 65001, the peer's AS, so FRR's copy of the peer's route is a loop). */
START_TEST(test_frr_session_replay)
{
	static struct replay r;
	struct bgp_session_cfg c;
	struct bgp_peer_info info;
	unsigned upd = 0, reach = 0, unreach = 0;

	memset(&r, 0, sizeof(r));
	r.sess_fd = r.peer_fd = -1;
	r.now = 1000000;
	memset(&c, 0, sizeof(c));
	c.id = 1;
	c.address = inet_addr("192.0.2.2");
	c.port = 179;
	c.remote_as = FRR_AS;
	c.local_as = PEER_AS;
	c.router_id = inet_addr("198.51.100.1");
	c.next_hop = inet_addr("192.0.2.1");
	c.hold_time = 90;
	c.keepalive = 30;
	c.gr_time = 120;
	ck_assert_int_eq(bgp_session_new(&c, &rp_ops, &r, &r.s), 0);
	bgp_session_start(r.s, r.now);
	bgp_session_io(r.s, r.sess_fd, EPOLLOUT, r.now);
	ck_assert_int_eq(bgp_session_state(r.s), BGP_ST_OPENSENT);
	ck_assert_uint_eq(rp_drain(&r), 1);           /* our OPEN */

	for (unsigned i = 0; i < N_VEC; i++) {
		if (!from_frr(i))
			continue;
		if (frr_vectors[i].type == BGP_MSG_UPDATE) {
			ck_assert_int_eq(bgp_session_state(r.s), BGP_ST_ESTABLISHED);
			ck_assert_int_eq(parse_vec(i), 0);
			upd++;
			for (unsigned k = 0; k < m.update.n_routes; k++) {
				if (m.update.routes[k].withdraw)
					unreach++;
				else
					reach++;
			}
		}
		if (frr_vectors[i].type == BGP_MSG_NOTIFICATION) {
			rp_drain(&r);
			rp_feed(&r, i);
			break;
		}
		rp_feed(&r, i);
		if (frr_vectors[i].type == BGP_MSG_OPEN) {
			ck_assert_int_eq(bgp_session_state(r.s), BGP_ST_OPENCONFIRM);
		}
		rp_drain(&r);
	}
	/* FRR's NOTIFICATION ended the session. Both sides offered the N
	 * bit (FRR's OPEN has it), so its routes are kept stale (RFC 8538 4:
	 * any NOTIFICATION but Hard Reset goes through graceful restart). */
	ck_assert_int_ne(bgp_session_state(r.s), BGP_ST_ESTABLISHED);
	ck_assert_uint_eq(r.downs, 1);
	ck_assert(r.kept_stale);
	bgp_session_info(r.s, r.now, &info);
	ck_assert_uint_eq(info.msgs_in[BGP_MSG_UPDATE - 1], upd);
	ck_assert_uint_eq(info.updates_in, upd);
	ck_assert_uint_eq(info.routes_in, reach);
	ck_assert_uint_eq(info.withdraws_in, unreach);
	ck_assert(info.eor_received);
	/* The capture: MAC only, type 3, MAC+IP twice, three type 5, the
	 * reflected route, MAC only and MAC+IP with MAC Mobility; two
	 * withdrawals of two routes. */
	ck_assert_uint_eq(reach, 10);
	ck_assert_uint_eq(unreach, 4);
	/* The reflected route reached the RIB as a withdrawal (RFC 4271
	 * 9.1.2: our AS in its path); everything else as sent. */
	ck_assert_uint_eq(info.routes_refused, 1);
	ck_assert_uint_eq(r.adds[EVPN_RT_MACIP], 5);
	ck_assert_uint_eq(r.adds[EVPN_RT_IMET], 1);
	ck_assert_uint_eq(r.adds[EVPN_RT_PREFIX], 3);
	ck_assert_uint_eq(r.dels[EVPN_RT_MACIP], 4 + 1);
	ck_assert(!r.bad_attrs);
	ck_assert_uint_eq(r.begins, upd - 1);      /* all but End-of-RIB carry routes */
	ck_assert_uint_gt(r.flushes, 0);
	bgp_session_free(r.s);
	close(r.peer_fd);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("frr_vectors");
	TCase *dec = tcase_create("decode");
	TCase *ses = tcase_create("session");

	tcase_add_test(dec, test_frr_all_parse);
	tcase_add_test(dec, test_frr_open);
	tcase_add_test(dec, test_frr_macip_mac_only);
	tcase_add_test(dec, test_frr_macip_one_label);
	tcase_add_test(dec, test_frr_macip_two_labels);
	tcase_add_test(dec, test_frr_mac_mobility);
	tcase_add_test(dec, test_frr_reflected);
	tcase_add_test(dec, test_frr_imet);
	tcase_add_test(dec, test_frr_prefix);
	tcase_add_test(dec, test_frr_withdraw);
	tcase_add_test(dec, test_frr_eor);
	tcase_add_test(dec, test_frr_notification);
	suite_add_tcase(s, dec);
	tcase_add_test(ses, test_frr_session_replay);
	suite_add_tcase(s, ses);
	return s;
}
