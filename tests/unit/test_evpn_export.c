/* test_evpn_export.c - agent/rib/evpn_export: the routes vtepd advertises, their
 * attributes field by field, change coalescing between flushes, withdrawals
 * that name the route as it was sent, reloads, and a round trip of each
 * route through the UPDATE encoder and parser (bgp_msg.c). */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "bgp_msg.h"
#include "evpn_export.h"
#include "log.h"
#include "rib_test_util.h"

static struct vtep_config cfg;
static struct evpn_export *xp;

/* What the notify callback saw, copied (the pointers die with the call). */
#define MAX_SEEN 16
static struct seen {
	struct evpn_route rt;
	bool withdraw;
	bool has_attrs;
	struct bgp_attrs a;
	uint8_t ext[EVPN_EXPORT_MAX_EXT][8];
} *seen;
static size_t n_seen;

static void record(void *ctx, const struct evpn_route *rt, const struct bgp_attrs *a,
		   bool withdraw)
{
	struct seen *s = &seen[n_seen];

	(void)ctx;
	ck_assert_uint_lt(n_seen, MAX_SEEN);
	n_seen++;
	s->rt = *rt;
	s->withdraw = withdraw;
	s->has_attrs = a != NULL;
	if (a) {
		ck_assert_uint_le(a->n_ext, EVPN_EXPORT_MAX_EXT);
		s->a = *a;
		memcpy(s->ext, a->ext, (size_t)a->n_ext * 8);
		s->a.ext = &s->ext[0][0];
	}
}

static void setup(void)
{
	rt_load_config(rt_test_json, &cfg);
	seen = calloc(MAX_SEEN, sizeof(*seen));
	ck_assert_ptr_nonnull(seen);
	n_seen = 0;
	ck_assert_int_eq(evpn_export_new(&cfg, &xp), 0);
	evpn_export_set_notify(xp, record, NULL);
}

static void teardown(void)
{
	evpn_export_free(xp);
	config_free(&cfg);
	free(seen);
}

/* Is ext community e among a's? */
static bool has_ext(const struct bgp_attrs *a, const uint8_t e[8])
{
	uint16_t i;

	for (i = 0; i < a->n_ext; i++)
		if (!memcmp(a->ext + i * 8, e, 8))
			return true;
	return false;
}

static void check_common(const struct bgp_attrs *a, const char *rt_text)
{
	uint8_t rt[8], encap[8];
	uint32_t nh;

	ck_assert(BGP_ATTR_HAS(a, BGP_ATTR_ORIGIN));
	ck_assert_uint_eq(a->origin, BGP_ORIGIN_IGP);
	ck_assert(BGP_ATTR_HAS(a, BGP_ATTR_AS_PATH));
	ck_assert_uint_eq(a->aspath.n_segs, 0);
	ck_assert(BGP_ATTR_HAS(a, BGP_ATTR_MP_REACH_NLRI));
	ck_assert_uint_eq(a->mp_reach.afi, EVPN_AFI);
	ck_assert_uint_eq(a->mp_reach.safi, EVPN_SAFI);
	ck_assert_uint_eq(a->mp_reach.nh_len, 4);
	memcpy(&nh, a->mp_reach.nh, 4);
	ck_assert_uint_eq(nh, mt_ip("192.0.2.1"));
	ck_assert(!BGP_ATTR_HAS(a, BGP_ATTR_LOCAL_PREF)); /* the session's, on iBGP */
	ck_assert_int_eq(config_parse_rt(rt_text, rt), 0);
	ck_assert(has_ext(a, rt));
	bgp_ext_encap(encap, BGP_TUNNEL_VXLAN);
	ck_assert(has_ext(a, encap));
}

/* Type 3 per flood VNI: RD, originator, PMSI tunnel, RT, encapsulation. */
START_TEST(test_imet)
{
	uint8_t rd[8];
	uint32_t id;

	ck_assert_uint_eq(evpn_export_count(xp), 1);
	ck_assert_uint_eq(evpn_export_flush(xp), 1);
	ck_assert_uint_eq(n_seen, 1);
	ck_assert(!seen[0].withdraw);
	ck_assert_uint_eq(seen[0].rt.type, EVPN_RT_IMET);
	evpn_rd_make_ip(rd, mt_ip("192.0.2.1"), 200);   /* auto RD: router_id:vni */
	ck_assert_mem_eq(seen[0].rt.rd, rd, 8);
	ck_assert_uint_eq(seen[0].rt.etag, 0);
	ck_assert_uint_eq(seen[0].rt.ip.len, 4);
	ck_assert_uint_eq(seen[0].rt.ip.v4, mt_ip("192.0.2.1"));
	check_common(&seen[0].a, "65000:200");
	ck_assert(BGP_ATTR_HAS(&seen[0].a, BGP_ATTR_PMSI_TUNNEL));
	ck_assert_uint_eq(seen[0].a.pmsi.tunnel_type, BGP_PMSI_INGRESS_REPL);
	ck_assert_uint_eq(seen[0].a.pmsi.label, 200);
	ck_assert_uint_eq(seen[0].a.pmsi.id_len, 4);
	memcpy(&id, seen[0].a.pmsi.id, 4);
	ck_assert_uint_eq(id, mt_ip("192.0.2.1"));
	/* Nothing changed: nothing to send. */
	ck_assert_uint_eq(evpn_export_flush(xp), 0);
}
END_TEST

/* Type 2 for a port: fields, sequence in MAC mobility only when > 0,
 * withdrawal with the RD it was sent with. */
START_TEST(test_macip)
{
	uint8_t mac[6], rd[8], mm[8];
	uint32_t seq;

	evpn_export_flush(xp);
	n_seen = 0;
	mt_mac("02:00:00:00:00:11", mac);
	ck_assert_int_eq(evpn_export_macip_set(xp, 100, mac, mt_ip("10.1.0.11"), 0), 0);
	ck_assert_uint_eq(evpn_export_flush(xp), 1);
	ck_assert_uint_eq(seen[0].rt.type, EVPN_RT_MACIP);
	evpn_rd_make_ip(rd, mt_ip("192.0.2.1"), 100);
	ck_assert_mem_eq(seen[0].rt.rd, rd, 8);
	ck_assert_mem_eq(seen[0].rt.mac, mac, 6);
	ck_assert_uint_eq(seen[0].rt.ip.v4, mt_ip("10.1.0.11"));
	ck_assert_uint_eq(seen[0].rt.n_labels, 1);
	ck_assert_uint_eq(seen[0].rt.label[0], 100);
	ck_assert_uint_eq(seen[0].rt.etag, 0);
	ck_assert(!BGP_ATTR_HAS(&seen[0].a, BGP_ATTR_PMSI_TUNNEL));
	check_common(&seen[0].a, "65001:100");  /* auto RT: our AS : VNI */
	ck_assert_uint_eq(seen[0].a.n_ext, 2);   /* no MAC mobility at sequence 0 */

	/* The same again: nothing. A new sequence: re-advertised with it. */
	ck_assert_int_eq(evpn_export_macip_set(xp, 100, mac, mt_ip("10.1.0.11"), 0), 0);
	ck_assert_uint_eq(evpn_export_flush(xp), 0);
	ck_assert_int_eq(evpn_export_macip_set(xp, 100, mac, mt_ip("10.1.0.11"), 3), 0);
	ck_assert_uint_eq(evpn_export_flush(xp), 1);
	bgp_ext_mac_mobility(mm, 3, false);
	ck_assert(has_ext(&seen[1].a, mm));
	ck_assert(evpn_export_macip_get(xp, 100, mac, mt_ip("10.1.0.11"), &seq));
	ck_assert_uint_eq(seq, 3);

	/* Withdrawn. */
	ck_assert_int_eq(evpn_export_macip_del(xp, 100, mac, mt_ip("10.1.0.11")), 0);
	ck_assert_int_eq(evpn_export_macip_del(xp, 100, mac, mt_ip("10.1.0.11")), -ENOENT);
	ck_assert_uint_eq(evpn_export_flush(xp), 1);
	ck_assert(seen[2].withdraw);
	ck_assert(!seen[2].has_attrs);
	ck_assert_mem_eq(seen[2].rt.rd, rd, 8);
	ck_assert_mem_eq(seen[2].rt.mac, mac, 6);
	ck_assert(!evpn_export_macip_get(xp, 100, mac, mt_ip("10.1.0.11"), NULL));
	ck_assert_uint_eq(evpn_export_count(xp), 1);

	/* Unknown VNI. */
	ck_assert_int_eq(evpn_export_macip_set(xp, 999, mac, mt_ip("10.1.0.11"), 0), -ENOENT);
}
END_TEST

/* Churn between two flushes costs nothing on the wire. */
START_TEST(test_coalescing)
{
	uint8_t mac[6];
	int i;

	evpn_export_flush(xp);
	n_seen = 0;
	mt_mac("02:00:00:00:00:12", mac);
	for (i = 0; i < 10; i++) {
		ck_assert_int_eq(evpn_export_macip_set(xp, 100, mac, mt_ip("10.1.0.12"),
						       (uint32_t)i), 0);
		ck_assert_int_eq(evpn_export_macip_del(xp, 100, mac, mt_ip("10.1.0.12")), 0);
	}
	ck_assert_uint_eq(evpn_export_flush(xp), 0);
	ck_assert_uint_eq(n_seen, 0);
	/* Sent, then withdrawn and advertised again before a flush: one
	 * advertisement with the last sequence (it replaces, RFC 4271 3.1). */
	ck_assert_int_eq(evpn_export_macip_set(xp, 100, mac, mt_ip("10.1.0.12"), 1), 0);
	evpn_export_flush(xp);
	ck_assert_int_eq(evpn_export_macip_del(xp, 100, mac, mt_ip("10.1.0.12")), 0);
	ck_assert_int_eq(evpn_export_macip_set(xp, 100, mac, mt_ip("10.1.0.12"), 2), 0);
	n_seen = 0;
	ck_assert_uint_eq(evpn_export_flush(xp), 1);
	ck_assert(!seen[0].withdraw);
}
END_TEST

static unsigned walked;

static void count_walk(void *ctx, const struct evpn_route *rt, const struct bgp_attrs *a,
		       bool withdraw)
{
	(void)ctx;
	ck_assert(!withdraw);
	ck_assert_ptr_nonnull(a);
	ck_assert(rt->type == EVPN_RT_MACIP || rt->type == EVPN_RT_IMET);
	walked++;
}

/* The whole table for a new session, and one route's attributes. */
START_TEST(test_walk_lookup)
{
	uint8_t mac[6], ext[EVPN_EXPORT_MAX_EXT][8];
	struct bgp_attrs *a = calloc(1, sizeof(*a));
	struct evpn_route q;
	int i;

	ck_assert_ptr_nonnull(a);
	for (i = 0; i < 5; i++) {
		mt_mac("02:00:00:00:00:20", mac);
		mac[5] = (uint8_t)i;
		ck_assert_int_eq(evpn_export_macip_set(xp, 100, mac,
						       htonl(0x0a010020 + (uint32_t)i), 0), 0);
	}
	walked = 0;
	evpn_export_walk(xp, count_walk, NULL);
	ck_assert_uint_eq(walked, 6);
	ck_assert_uint_eq(n_seen, 0); /* the walk is not the change feed */

	memset(&q, 0, sizeof(q));
	q.type = EVPN_RT_MACIP;
	evpn_rd_make_ip(q.rd, mt_ip("192.0.2.1"), 100);
	memcpy(q.mac, mac, 6);
	q.ip.len = 4;
	q.ip.v4 = htonl(0x0a010024);
	q.n_labels = 1;
	q.label[0] = 100;
	ck_assert_int_eq(evpn_export_lookup(xp, &q, a, ext), 0);
	check_common(a, "65001:100");
	q.ip.v4 = htonl(0x0a010099);
	ck_assert_int_eq(evpn_export_lookup(xp, &q, a, ext), -ENOENT);
	memset(&q, 0, sizeof(q));
	q.type = EVPN_RT_IMET;
	evpn_rd_make_ip(q.rd, mt_ip("192.0.2.1"), 200);
	ck_assert_int_eq(evpn_export_lookup(xp, &q, a, ext), 0);
	ck_assert(BGP_ATTR_HAS(a, BGP_ATTR_PMSI_TUNNEL));
	free(a);
}
END_TEST

/* Every route we send survives our own encoder and parser intact. */
START_TEST(test_wire_round_trip)
{
	static uint8_t buf[BGP_MAX_LEN];
	static struct bgp_msg m;
	struct bgp_parse_ctx ctx = { .as4 = true, .ibgp = false };
	struct bgp_err err;
	struct wbuf w;
	uint8_t mac[6];
	size_t i;

	mt_mac("02:00:00:00:00:31", mac);
	ck_assert_int_eq(evpn_export_macip_set(xp, 100, mac, mt_ip("10.1.0.31"), 7), 0);
	ck_assert_uint_eq(evpn_export_flush(xp), 2);
	for (i = 0; i < n_seen; i++) {
		struct bgp_attrs *a = &seen[i].a;
		const struct evpn_route *got;
		int len;

		/* eBGP: the session prepends our AS (RFC 4271 5.1.2). */
		ck_assert_int_eq(bgp_aspath_prepend(&a->aspath, 65001), 0);
		wbuf_init(&w, buf, sizeof(buf));
		ck_assert_int_eq(bgp_msg_build_update(&w, &ctx, a, &seen[i].rt, 1, false), 1);
		len = bgp_msg_frame(buf, w.len, &err);
		ck_assert_int_eq(len, (int)w.len);
		ck_assert_int_eq(bgp_msg_parse(buf, w.len, &ctx, &m, &err), 0);
		ck_assert_uint_eq(err.action, BGP_ACT_NONE);
		ck_assert_uint_eq(m.type, BGP_MSG_UPDATE);
		ck_assert_uint_eq(m.update.n_routes, 1);
		got = &m.update.routes[0];
		ck_assert(evpn_route_same_key(got, &seen[i].rt));
		ck_assert(!got->withdraw);
		ck_assert_uint_eq(m.update.attrs.evpn.n_rt, 1);
		ck_assert(m.update.attrs.evpn.encap_types & (1u << BGP_TUNNEL_VXLAN));
		if (got->type == EVPN_RT_MACIP) {
			ck_assert_uint_eq(evpn_label_vni(got->label[0]), 100);
			ck_assert(m.update.attrs.evpn.mac_mobility);
			ck_assert_uint_eq(m.update.attrs.evpn.mm_seq, 7);
			ck_assert(!m.update.attrs.evpn.mm_sticky);
		} else {
			ck_assert_uint_eq(m.update.attrs.pmsi.label, 200);
			ck_assert_uint_eq(m.update.attrs.pmsi.tunnel_type, BGP_PMSI_INGRESS_REPL);
		}
	}
}
END_TEST

/* A reload that changes a VNI's RD withdraws the route under the old RD and
 * advertises it under the new one; flood off withdraws type 3. */
START_TEST(test_reload)
{
	struct vtep_config nc;
	uint8_t mac[6], old_rd[8], new_rd[8];
	static const char changed[] =
		"{ \"vtep\": {\"ip\": \"192.0.2.1\", \"uplink\": \"eth0\"},"
		"\"bgp\": {\"asn\": 65001, \"router_id\": \"192.0.2.1\","
		"  \"neighbors\": [{\"address\":\"198.51.100.1\",\"asn\":65000}]},"
		"\"vnis\": ["
		" {\"vni\": 100, \"subnet\": \"10.1.0.0/16\", \"gateway_ip\": \"10.1.255.254\","
		"  \"gateway_mac\": \"02:00:00:00:01:00\", \"route_target\": \"auto\","
		"  \"rd\": \"65001:7\"},"
		" {\"vni\": 200, \"subnet\": \"10.2.0.0/16\", \"gateway_ip\": \"10.2.255.254\","
		"  \"gateway_mac\": \"02:00:00:00:02:00\", \"route_target\": \"65000:200\"} ] }";
	size_t i;
	bool saw_wd = false, saw_adv = false, saw_imet_wd = false;

	mt_mac("02:00:00:00:00:41", mac);
	ck_assert_int_eq(evpn_export_macip_set(xp, 100, mac, mt_ip("10.1.0.41"), 0), 0);
	evpn_export_flush(xp);
	n_seen = 0;
	rt_load_config(changed, &nc);
	ck_assert_int_eq(evpn_export_reload(xp, &nc), 0);
	ck_assert_uint_eq(evpn_export_flush(xp), 3);
	evpn_rd_make_ip(old_rd, mt_ip("192.0.2.1"), 100);
	ck_assert_int_eq(config_parse_rd("65001:7", new_rd), 0);
	for (i = 0; i < n_seen; i++) {
		if (seen[i].rt.type == EVPN_RT_IMET) {
			saw_imet_wd = seen[i].withdraw;
			continue;
		}
		if (seen[i].withdraw) {
			ck_assert_mem_eq(seen[i].rt.rd, old_rd, 8);
			ck_assert(!saw_adv); /* the withdrawal goes first */
			saw_wd = true;
		} else {
			ck_assert_mem_eq(seen[i].rt.rd, new_rd, 8);
			saw_adv = true;
		}
	}
	ck_assert(saw_wd && saw_adv && saw_imet_wd);
	ck_assert_uint_eq(evpn_export_count(xp), 1);
	config_free(&nc);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("evpn_export");
	TCase *tc = tcase_create("export");

	log_level = LOG_LVL_ERR;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_imet);
	tcase_add_test(tc, test_macip);
	tcase_add_test(tc, test_coalescing);
	tcase_add_test(tc, test_walk_lookup);
	tcase_add_test(tc, test_wire_round_trip);
	tcase_add_test(tc, test_reload);
	suite_add_tcase(s, tc);
	return s;
}
