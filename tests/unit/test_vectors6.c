/* test_vectors6.c - what FRR 8.4 and GoBGP really send for IPv6, through
 * vtepd's codec and RIB into the IPv6 maps.
 *
 * The messages were captured by vectors/capture_frr6.sh (an FRR leaf with
 * an IPv6 SVI; a host that becomes a router; an L3 VNI advertising IPv6
 * unicast) and vectors/capture_gobgp6.sh (`gobgp global rib -a evpn add
 * macadv MAC IPv6 ...` and IPv6 prefix routes), committed in
 * vectors/{frr6,gobgp6}_vectors.h, so neither daemon is needed here.
 *   - every message parses; each IPv6 field is what the capture configured:
 *     MAC+IPv6 (RFC 7432 7.2: IP Address Length 128), one and two labels,
 *     the ARP/ND community's Router flag (RFC 9047: 0x06/0x08, R = 0x01),
 *     type 5 with a /64 and the router's MAC (RFC 9136 3.1, RFC 9135 8.1),
 *     withdrawals;
 *   - every IPv6 NLRI re-encodes to the daemon's octets (canonical layout);
 *   - our own MAC+IPv6 advertisement (evpn_export) of the same host is
 *     FRR's NLRI octet for octet;
 *   - fed into a RIB in capture order, the routes end up in vtep_routes6
 *     (with VTEP_RT_F_ROUTER after the host became a router) and
 *     vtep_prefixes6, and the withdrawals take them out (real BPF maps;
 *     needs root).
 */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "bgp_msg.h"
#include "bgp_test_util.h"
#include "evpn_export.h"
#include "log.h"
#include "mapsync.h"
#include "rib.h"
#include "rib_test_util.h"
#include "vectors/frr6_vectors.h"
#include "vectors/gobgp6_vectors.h"

#define N_FRR   (sizeof(frr6_vectors) / sizeof(frr6_vectors[0]))
#define N_GOBGP (sizeof(gobgp6_vectors) / sizeof(gobgp6_vectors[0]))

static const struct bgp_parse_ctx ebgp4 = { .as4 = true, .ibgp = false };
static struct bgp_msg m;
static struct bgp_err err;
static uint8_t buf[BGP_MAX_LEN];

static const char *vec_hex(bool frr, unsigned i)
{
	return frr ? frr6_vectors[i].hex : gobgp6_vectors[i].hex;
}

static bool vec_from_daemon(bool frr, unsigned i)
{
	return frr ? !strcmp(frr6_vectors[i].dir, "frr") : !strcmp(gobgp6_vectors[i].dir, "gobgp");
}

static int vec_type(bool frr, unsigned i)
{
	return frr ? frr6_vectors[i].type : gobgp6_vectors[i].type;
}

static void parse(bool frr, unsigned i)
{
	size_t n = unhex(vec_hex(frr, i), buf, sizeof(buf));

	ck_assert_msg(n != (size_t)-1, "bad hex in vector %u", i);
	ck_assert_msg(bgp_msg_parse(buf, n, &ebgp4, &m, &err) == 0, "vector %u does not parse", i);
}

static void ip6(const char *s, uint8_t out[16])
{
	ck_assert_int_eq(inet_pton(AF_INET6, s, out), 1);
}

/* The nth (from 0) reachable route of the daemon's UPDATEs of route type
 * `type` and IP length iplen; m holds its UPDATE; returns the route. */
static const struct evpn_route *nth_route(bool frr, uint8_t type, uint8_t iplen, int nth)
{
	unsigned n = frr ? N_FRR : N_GOBGP;

	for (unsigned i = 0; i < n; i++) {
		if (!vec_from_daemon(frr, i) || vec_type(frr, i) != BGP_MSG_UPDATE)
			continue;
		parse(frr, i);
		for (unsigned r = 0; r < m.update.n_routes; r++) {
			const struct evpn_route *rt = &m.update.routes[r];

			if (!rt->withdraw && rt->type == type && rt->ip.len == iplen && nth-- == 0)
				return rt;
		}
	}
	ck_abort_msg("no such route in the capture");
	return NULL;
}

static void assert_nlri_roundtrip(const struct evpn_route *rt)
{
	uint8_t want[EVPN_NLRI_MAX_LEN], got[EVPN_NLRI_MAX_LEN];
	struct wbuf w;
	const uint8_t *nlri = m.update.attrs.mp_reach.nlri;
	size_t off = 0;

	/* the route's own octets inside MP_REACH's NLRI field */
	for (;;) {
		ck_assert_uint_lt(off + 2, m.update.attrs.mp_reach.nlri_len + 1u);
		if (nlri[off] == rt->type) {
			wbuf_init(&w, got, sizeof(got));
			ck_assert_int_eq(evpn_nlri_encode(&w, rt), 0);
			memcpy(want, nlri + off, 2u + nlri[off + 1]);
			if (w.len == 2u + nlri[off + 1] && !memcmp(want, got, w.len))
				return;
		}
		off += 2u + nlri[off + 1];
		ck_assert_msg(off < m.update.attrs.mp_reach.nlri_len, "NLRI does not re-encode");
	}
}

START_TEST(test_all_parse)
{
	/* all but the peer's deliberately malformed UPDATE (FRR's NOTIFICATION
	 * answers it) */
	for (unsigned i = 0; i < N_FRR; i++)
		if (!strstr(frr6_vectors[i].what, "malformed"))
			parse(true, i);
	for (unsigned i = 0; i < N_GOBGP; i++)
		parse(false, i);
}
END_TEST

/* FRR's MAC+IPv6: the host's MAC and address, one label (VNI 100), RD
 * 192.0.2.2:100, no ARP/ND community while the host is a host. */
START_TEST(test_frr_macip6)
{
	static const uint8_t host_mac[6] = { 0x02, 0, 0, 0, 0x01, 0x21 };
	const struct evpn_route *rt = nth_route(true, EVPN_RT_MACIP, 16, 0);
	char rd[EVPN_RD_STRLEN];
	uint8_t a[16];

	ip6("2001:db8:100::21", a);
	ck_assert_mem_eq(rt->mac, host_mac, 6);
	ck_assert_mem_eq(rt->ip.v6, a, 16);
	ck_assert_uint_eq(rt->n_labels, 1);
	ck_assert_uint_eq(evpn_label_vni(rt->label[0]), 100);
	ck_assert_str_eq(evpn_rd_fmt(rt->rd, rd), "192.0.2.2:100");
	ck_assert(!m.update.attrs.evpn.has_nd);
	ck_assert_uint_eq(m.update.attrs.mp_reach.nh_len, 4);
	ck_assert_mem_eq(m.update.attrs.mp_reach.nh, "\xc0\x00\x02\x02", 4);
	assert_nlri_roundtrip(rt);
	/* the host became a router: the same route with R (RFC 9047) */
	rt = nth_route(true, EVPN_RT_MACIP, 16, 1);
	ck_assert_mem_eq(rt->ip.v6, a, 16);
	ck_assert(m.update.attrs.evpn.has_nd);
	ck_assert_uint_eq(m.update.attrs.evpn.nd_flags, BGP_EXT_ND_ROUTER);
	assert_nlri_roundtrip(rt);
	/* with the L3 VNI: two labels (RFC 9135 5.1), the router's MAC */
	rt = nth_route(true, EVPN_RT_MACIP, 16, 2);
	ck_assert_uint_eq(rt->n_labels, 2);
	ck_assert_uint_eq(evpn_label_vni(rt->label[1]), 4000);
	ck_assert(m.update.attrs.evpn.has_router_mac);
	ck_assert(m.update.attrs.evpn.has_nd && (m.update.attrs.evpn.nd_flags & BGP_EXT_ND_ROUTER));
	assert_nlri_roundtrip(rt);
}
END_TEST

/* FRR's IPv6 type 5: 2001:db8:100::/64 of the SVI, gateway ::, label = the
 * L3 VNI 4000, the router's MAC of br4000. */
START_TEST(test_frr_prefix6)
{
	static const uint8_t rmac[6] = { 0x02, 0, 0, 0, 0x40, 0x00 };
	const struct evpn_route *rt = nth_route(true, EVPN_RT_PREFIX, 16, 0);
	uint8_t a[16], zero[16] = { 0 };

	ip6("2001:db8:100::", a);
	ck_assert_mem_eq(rt->ip.v6, a, 16);
	ck_assert_uint_eq(rt->prefix_len, 64);
	ck_assert_uint_eq(rt->gw.len, 16);
	ck_assert_mem_eq(rt->gw.v6, zero, 16);
	ck_assert_uint_eq(evpn_label_vni(rt->label[0]), 4000);
	ck_assert(m.update.attrs.evpn.has_router_mac);
	ck_assert_mem_eq(m.update.attrs.evpn.router_mac, rmac, 6);
	ck_assert_uint_eq(m.update.attrs.mp_reach.nh_len, 4);
	assert_nlri_roundtrip(rt);
}
END_TEST

/* GoBGP's MAC+IPv6 (one label; two with the router's MAC) and IPv6
 * prefixes (/48, /128, gateway ::). */
START_TEST(test_gobgp_routes6)
{
	const struct evpn_route *rt;
	uint8_t a[16];
	bool seen31 = false, seen32 = false, seen48 = false, seen128 = false;

	for (int k = 0; k < 2; k++) {
		rt = nth_route(false, EVPN_RT_MACIP, 16, k);
		assert_nlri_roundtrip(rt);
		ip6("2001:db8:100::31", a);
		if (!memcmp(rt->ip.v6, a, 16)) {
			ck_assert_uint_eq(rt->n_labels, 1);
			ck_assert_uint_eq(rt->mac[5], 0x31);
			seen31 = true;
		} else {
			ip6("2001:db8:100::32", a);
			ck_assert_mem_eq(rt->ip.v6, a, 16);
			ck_assert_uint_eq(rt->n_labels, 2);
			ck_assert(m.update.attrs.evpn.has_router_mac);
			seen32 = true;
		}
	}
	for (int k = 0; k < 2; k++) {
		rt = nth_route(false, EVPN_RT_PREFIX, 16, k);
		assert_nlri_roundtrip(rt);
		ck_assert(m.update.attrs.evpn.has_router_mac);
		seen48 |= rt->prefix_len == 48;
		seen128 |= rt->prefix_len == 128;
	}
	ck_assert(seen31 && seen32 && seen48 && seen128);
}
END_TEST

/* Our advertisement of FRR's host (RD 192.0.2.2:100, VNI 100) is FRR's
 * MAC+IPv6 NLRI octet for octet. */
static struct evpn_route exported;

static void on_export(void *ctx, const struct evpn_route *rt, const struct bgp_attrs *a,
		      bool withdraw)
{
	(void)ctx;
	(void)a;
	if (!withdraw && rt->type == EVPN_RT_MACIP)
		exported = *rt;
}

START_TEST(test_export_as_frr)
{
	static const char json[] =
		"{ \"vtep\": {\"ip\": \"192.0.2.2\", \"uplink\": \"eth0\"},"
		"\"bgp\": {\"asn\": 65002, \"router_id\": \"192.0.2.2\"},"
		"\"vnis\": [ {\"vni\": 100, \"subnet\": \"10.1.0.0/24\", \"gateway_ip\": \"10.1.0.250\","
		"  \"gateway_mac\": \"02:00:00:00:02:fe\", \"rd\": \"192.0.2.2:100\","
		"  \"subnet6\": \"2001:db8:100::/64\"} ] }";
	static const uint8_t host_mac[6] = { 0x02, 0, 0, 0, 0x01, 0x21 };
	struct vtep_config c;
	struct evpn_export *xp;
	uint8_t a[16], got[EVPN_NLRI_MAX_LEN];
	const struct evpn_route *frr;
	struct wbuf w;

	rt_load_config(json, &c);
	ck_assert_int_eq(evpn_export_new(&c, &xp), 0);
	evpn_export_set_notify(xp, on_export, NULL);
	ip6("2001:db8:100::21", a);
	ck_assert_int_eq(evpn_export_macip6_set(xp, 100, host_mac, a, 0), 0);
	evpn_export_flush(xp);
	wbuf_init(&w, got, sizeof(got));
	ck_assert_int_eq(evpn_nlri_encode(&w, &exported), 0);
	frr = nth_route(true, EVPN_RT_MACIP, 16, 0);
	assert_nlri_roundtrip(frr);  /* m holds FRR's UPDATE */
	{
		uint8_t want[EVPN_NLRI_MAX_LEN];
		struct wbuf fw;

		wbuf_init(&fw, want, sizeof(want));
		ck_assert_int_eq(evpn_nlri_encode(&fw, frr), 0);
		ck_assert_uint_eq(w.len, fw.len);
		ck_assert_mem_eq(got, want, w.len);
	}
	evpn_export_free(xp);
	config_free(&c);
}
END_TEST

/* ---- the captures through a RIB into the maps ---------------------------------- */

static struct vtep_config cfg;
static struct mapsync_fds fds;
static struct mapsync *ms;
static struct rib *rib;

static void rib_setup(void)
{
	/* VNI 100 and the L3 VNI 4000 import "auto": any route target whose
	 * number is the VNI (FRR's 65002:N, GoBGP's 65001:100) */
	static const char json[] =
		"{ \"vtep\": {\"ip\": \"192.0.2.1\", \"uplink\": \"eth0\"},"
		"\"bgp\": {\"asn\": 65001, \"router_id\": \"192.0.2.1\"},"
		"\"vnis\": ["
		" {\"vni\": 100, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.255.254\","
		"  \"gateway_mac\": \"02:00:00:00:01:00\", \"subnet6\": \"2001:db8:100::/64\"},"
		" {\"vni\": 4000, \"subnet\": \"10.40.0.0/16\", \"gateway_ip\": \"10.40.255.254\","
		"  \"gateway_mac\": \"02:00:00:00:40:01\", \"subnet6\": \"2001:db8:4000::/64\"} ] }";
	struct rib_env env;

	rt_load_config(json, &cfg);
	mt_maps_open(&fds, 4096);
	ck_assert_int_eq(mapsync_new(&fds, 0, &ms), 0);
	memset(&env, 0, sizeof(env));
	env.cfg = &cfg;
	env.ms = ms;
	ck_assert_int_eq(rib_new(&env, &rib), 0);
}

static void rib_teardown(void)
{
	rib_free(rib);
	mapsync_free(ms);
	mt_maps_close(&fds);
	config_free(&cfg);
}

/* Feeds the daemon's UPDATEs i0..i1 (vector indexes) into the RIB as
 * peer 1, as the speaker would, and flushes. */
static void feed(bool frr, unsigned i0, unsigned i1)
{
	for (unsigned i = i0; i <= i1; i++) {
		if (!vec_from_daemon(frr, i) || vec_type(frr, i) != BGP_MSG_UPDATE)
			continue;
		parse(frr, i);
		for (unsigned r = 0; r < m.update.n_routes; r++)
			ck_assert_int_ge(rib_update(rib, 1, &m.update.routes[r],
						    m.update.routes[r].withdraw ? NULL : &m.update.attrs),
					 0);
	}
	ck_assert_int_eq(rib_flush(rib), 0);
}

/* The index of the daemon's UPDATE whose description contains what
 * (the nth such, from 0). */
static unsigned find(bool frr, const char *what, int nth)
{
	unsigned n = frr ? N_FRR : N_GOBGP;

	for (unsigned i = 0; i < n; i++) {
		const char *w = frr ? frr6_vectors[i].what : gobgp6_vectors[i].what;

		if (vec_from_daemon(frr, i) && strstr(w, what) && nth-- == 0)
			return i;
	}
	ck_abort_msg("no \"%s\" in the capture", what);
	return 0;
}

START_TEST(test_frr_into_maps)
{
	struct vtep_route v;
	uint8_t rmac[6] = { 0x02, 0, 0, 0, 0x40, 0x00 };
	unsigned first_r = find(true, "ND Router flag", 0), t5 = find(true, "type 5", 0);

	/* up to the MAC+IPv6 route of the host: an entry without R */
	feed(true, 0, find(true, "type 2 MAC+IP", 0));
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::21", &v), 0);
	ck_assert_uint_eq(v.vtep, htonl(0xc0000202));
	ck_assert_uint_eq(v.source, VTEP_SRC_BGP);
	ck_assert_uint_eq(v.flags, 0);
	ck_assert_uint_eq(v.mac[5], 0x21);
	/* the host a router: R */
	feed(true, find(true, "type 2 MAC+IP", 0) + 1, first_r);
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::21", &v), 0);
	ck_assert_uint_eq(v.flags, VTEP_RT_F_ROUTER);
	/* the L3 VNI's prefix: into VNI 4000, with the router's MAC */
	feed(true, first_r + 1, t5);
	ck_assert_int_eq(mt_prefix6_get(&fds, 4000, "2001:db8:100::/64", &v), 0);
	ck_assert_mem_eq(v.mac, rmac, 6);
	ck_assert_uint_eq(v.vtep, htonl(0xc0000202));
	/* the host gone: its routes too; the prefix stays */
	feed(true, t5 + 1, N_FRR - 1);
	ck_assert_int_ne(mt_route6_get(&fds, 100, "2001:db8:100::21", &v), 0);
	ck_assert_int_eq(mt_prefix6_get(&fds, 4000, "2001:db8:100::/64", &v), 0);
	ck_assert_uint_eq(mt_count(fds.routes6, sizeof(struct vtep_route6_key)), 0);
	ck_assert_uint_eq(mt_count(fds.routes, 8), 0);
}
END_TEST

START_TEST(test_gobgp_into_maps)
{
	struct vtep_route v;

	feed(false, 0, find(false, "MP_UNREACH", 0) - 1);
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::31", &v), 0);
	ck_assert_uint_eq(v.vtep, htonl(0xc0000202));
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::32", &v), 0);
	ck_assert_int_eq(mt_prefix6_get(&fds, 100, "2001:db8:200::/48", &v), 0);
	ck_assert_uint_eq(v.mac[4], 0xaa);
	ck_assert_int_eq(mt_prefix6_get(&fds, 100, "2001:db8:300::5/128", &v), 0);
	feed(false, find(false, "MP_UNREACH", 0), N_GOBGP - 1);
	ck_assert_int_ne(mt_route6_get(&fds, 100, "2001:db8:100::31", &v), 0);
	ck_assert_int_eq(mt_route6_get(&fds, 100, "2001:db8:100::32", &v), 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("vectors6");
	TCase *codec = tcase_create("codec"), *maps = tcase_create("maps");

	log_level = LOG_LVL_ERR;
	tcase_add_test(codec, test_all_parse);
	tcase_add_test(codec, test_frr_macip6);
	tcase_add_test(codec, test_frr_prefix6);
	tcase_add_test(codec, test_gobgp_routes6);
	tcase_add_test(codec, test_export_as_frr);
	tcase_add_checked_fixture(maps, rib_setup, rib_teardown);
	tcase_add_test(maps, test_frr_into_maps);
	tcase_add_test(maps, test_gobgp_into_maps);
	suite_add_tcase(s, codec);
	suite_add_tcase(s, maps);
	return s;
}
