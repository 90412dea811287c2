/* test_control_bgp.c - agent/ctl's BGP commands through control_dispatch
 * (no socket) and the fake daemon of control_test_util.h: bgp.routes sorted
 * (VNI, type, MAC, IP, RD, peer, ours first) with our own routes' targets,
 * narrowed to one prefix of either family, and refused when too big for one
 * reply; peers (more than control asks for at first), bgp.routes of a VNI
 * and peer, and version. */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "control_test_util.h"
#include "log.h"
#include "rib.h"

/* ---- bgp.routes: order and our own route targets ---- */

/* Paths in the RIB's (hash) order, deliberately unsorted: index, VNI,
 * type, last MAC octet, IP, peer address (0: ours), RT of a received path. */
static const struct {
	uint32_t vni;
	uint8_t type, mac;
	const char *ip, *peer, *rt;
} paths[] = {
	{ 200, EVPN_RT_MACIP, 2, "10.2.0.5",  "10.0.0.2", "65000:200" },
	{ 100, EVPN_RT_MACIP, 1, "10.1.0.2",  "10.0.0.9", "65000:100" },
	{ 100, EVPN_RT_IMET,  0, "10.0.0.3",  "10.0.0.3", "65000:100" },
	{ 100, EVPN_RT_MACIP, 1, "10.1.0.10", "10.0.0.2", "65000:100" },
	{ 200, EVPN_RT_IMET,  0, "192.0.2.1", NULL,       NULL },
	{ 100, EVPN_RT_MACIP, 1, "10.1.0.2",  NULL,       NULL },
	{ 100, EVPN_RT_MACIP, 1, "10.1.0.2",  "10.0.0.4", "65000:100" },
};
/* The expected order: (VNI, type, MAC, IP numerically, RD, peer, ours first). */
static const int sorted_paths[] = { 5, 6, 1, 3, 2, 0, 4 };

static int f_bgp_routes(struct daemon *d, uint32_t vni, uint32_t peer_address,
			control_bgp_route_fn fn, void *ctx)
{
	(void)d;
	(void)vni;
	(void)peer_address;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct rib_route_info ri = { .vni = paths[i].vni, .seq = (uint32_t)i };
		uint32_t peer = paths[i].peer ? inet_addr(paths[i].peer) : 0;
		int ret;

		ri.route.type = paths[i].type;
		ri.route.mac[0] = 0x02;
		ri.route.mac[5] = paths[i].mac;
		ri.route.ip.len = 4;
		ri.route.ip.v4 = inet_addr(paths[i].ip);
		ri.peer = peer ? 1 + (uint32_t)i : 0;
		ri.duplicate = i == 3;   /* the JSON shows rib_walk's mark */
		if (paths[i].rt) {
			ck_assert_int_eq(config_parse_rt(paths[i].rt, ri.rt[0]), 0);
			ri.n_rt = 1;
		}
		if ((ret = fn(ctx, &ri, peer)))
			return ret;
	}
	return 0;
}

static struct vtep_config fake_cfg;
static struct cfg_vni fake_vnis[2];

/* VNI 100 exports an explicit target, VNI 200 the "auto" one (ASN:VNI). */
static const struct vtep_config *f_config(const struct daemon *d)
{
	(void)d;
	memset(&fake_cfg, 0, sizeof(fake_cfg));
	memset(fake_vnis, 0, sizeof(fake_vnis));
	fake_vnis[0].vni = 100;
	ck_assert_int_eq(config_parse_rt("65000:100", fake_vnis[0].route_target), 0);
	fake_vnis[1].vni = 200;
	fake_vnis[1].rt_auto = true;
	fake_cfg.vnis = fake_vnis;
	fake_cfg.n_vnis = 2;
	fake_cfg.bgp.enabled = true;
	fake_cfg.bgp.asn = 65000;
	return &fake_cfg;
}

static const struct control_ops bgp_ops = {
	.peers = ct_peers, .bgp_routes = f_bgp_routes, .config = f_config,
};

START_TEST(dispatch_bgp_routes_sorted)
{
	const char *msg = "{\"cmd\":\"bgp.routes\"}";
	struct json_object *root, *data, *o, *v;
	const char *error;
	bool ok;

	root = ct_call_ops(&bgp_ops, msg, &ok, &error, &data);
	ck_assert(ok);
	ck_assert_int_eq(json_object_array_length(data), sizeof(sorted_paths) / sizeof(int));
	for (size_t i = 0; i < sizeof(sorted_paths) / sizeof(int); i++) {
		int k = sorted_paths[i];
		const char *want_rt = paths[k].rt ? paths[k].rt
				      : paths[k].vni == 100 ? "65000:100" : "65000:200";

		o = json_object_array_get_idx(data, i);
		ck_assert(json_object_object_get_ex(o, "seq", &v));
		ck_assert_msg(json_object_get_int(v) == k, "position %zu: path %d, expected %d",
			      i, json_object_get_int(v), k);
		ck_assert(json_object_object_get_ex(o, "peer", &v));
		ck_assert_str_eq(json_object_get_string(v), paths[k].peer ? paths[k].peer : "local");
		ck_assert(json_object_object_get_ex(o, "duplicate", &v));
		ck_assert_int_eq(json_object_get_boolean(v), k == 3);
		/* Our own routes carry the target the export attaches, not []. */
		ck_assert(json_object_object_get_ex(o, "route_targets", &v));
		ck_assert_int_eq(json_object_array_length(v), 1);
		ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(v, 0)), want_rt);
	}
	json_object_put(root);
}
END_TEST

/* prefix P keeps the paths of that host route (or type-5 prefix) only. */
START_TEST(dispatch_bgp_routes_prefix)
{
	const char *msg = "{\"cmd\":\"bgp.routes\",\"args\":{\"prefix\":\"10.1.0.2/32\"}}";
	struct json_object *root, *data;
	const char *error;
	bool ok;

	root = ct_call_ops(&bgp_ops, msg, &ok, &error, &data);
	ck_assert(ok);
	ck_assert_int_eq(json_object_array_length(data), 3);  /* paths 1, 5, 6 */
	json_object_put(root);
}
END_TEST

/* A RIB too big for one reply: an error that says how to ask for less,
 * not a closed connection. */
static int f_bgp_routes_many(struct daemon *d, uint32_t vni, uint32_t peer_address,
			     control_bgp_route_fn fn, void *ctx)
{
	(void)d;
	(void)vni;
	(void)peer_address;
	for (uint32_t i = 0; i < 2000; i++) {
		struct rib_route_info ri = { .vni = 100, .seq = i };
		int ret;

		ri.route.type = EVPN_RT_MACIP;
		ri.route.mac[0] = 0x02;
		ri.route.mac[4] = (uint8_t)(i >> 8);
		ri.route.mac[5] = (uint8_t)i;
		ri.route.ip.len = 4;
		ri.route.ip.v4 = htonl(0x0a010000u + i);
		ri.peer = 1;
		if ((ret = fn(ctx, &ri, inet_addr("10.0.0.2"))))
			return ret;
	}
	return 0;
}

static const struct control_ops bgp_many_ops = {
	.peers = ct_peers, .bgp_routes = f_bgp_routes_many, .config = f_config,
};

START_TEST(dispatch_bgp_routes_too_big)
{
	const char *msg = "{\"cmd\":\"bgp.routes\"}";
	struct json_object *root, *data;
	const char *error;
	bool ok;

	root = ct_call_ops(&bgp_many_ops, msg, &ok, &error, &data);
	ck_assert(!ok);
	ck_assert_ptr_nonnull(strstr(error, "narrow it down"));
	json_object_put(root);
}
END_TEST

/* prefix P of either family: a MAC+IPv6 route is found by its /128, and
 * an IPv4 address that shares its first four bytes is not taken for it. */
static int f_bgp_routes_two_families(struct daemon *d, uint32_t vni, uint32_t peer_address,
				     control_bgp_route_fn fn, void *ctx)
{
	static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x21 };
	struct rib_route_info r4 = { .vni = 100, .peer = 1 }, r6 = { .vni = 100, .peer = 1 };

	(void)d;
	(void)vni;
	(void)peer_address;
	r4.route.type = r6.route.type = EVPN_RT_MACIP;
	r4.route.mac[0] = r6.route.mac[0] = 0x02;
	r4.route.ip.len = 4;
	memcpy(&r4.route.ip.v4, a6, 4);
	r6.route.ip.len = 16;
	memcpy(r6.route.ip.v6, a6, 16);
	r6.seq = 6;
	return fn(ctx, &r4, inet_addr("10.0.0.2")) ?: fn(ctx, &r6, inet_addr("10.0.0.2"));
}

static const struct control_ops bgp_two_ops = {
	.peers = ct_peers, .bgp_routes = f_bgp_routes_two_families, .config = f_config,
};

START_TEST(dispatch_bgp_routes_prefix6)
{
	static const char *const msgs[] = {
		"{\"cmd\":\"bgp.routes\",\"args\":{\"prefix\":\"2001:db8::21/128\"}}",
		"{\"cmd\":\"bgp.routes\",\"args\":{\"prefix\":\"32.1.13.184/32\"}}",
	};
	static const int want_seq[] = { 6, 0 };

	for (size_t i = 0; i < 2; i++) {
		struct json_object *root, *data, *v;
		const char *error;
		bool ok;

		root = ct_call_ops(&bgp_two_ops, msgs[i], &ok, &error, &data);
		ck_assert_msg(ok, "%s", error);
		ck_assert_int_eq(json_object_array_length(data), 1);
		ck_assert(json_object_object_get_ex(json_object_array_get_idx(data, 0), "seq", &v));
		ck_assert_int_eq(json_object_get_int(v), want_seq[i]);
		json_object_put(root);
	}
}
END_TEST

START_TEST(dispatch_peers_bgp_version)
{
	struct json_object *root, *data, *p, *v;
	const char *error;
	bool ok;

	ct_reset();
	ct_rec.npeers = 100; /* more than control asks for at first */
	root = ct_call("{\"cmd\":\"peers\"}", &ok, &error, &data);
	ck_assert(ok);
	ck_assert_int_eq(json_object_array_length(data), 100);
	p = json_object_array_get_idx(data, 1);
	ck_assert(json_object_object_get_ex(p, "address", &v));
	ck_assert_str_eq(json_object_get_string(v), "198.51.100.2");
	ck_assert(json_object_object_get_ex(p, "asn", &v));
	ck_assert_int_eq(json_object_get_int(v), 65002);
	ck_assert(json_object_object_get_ex(p, "state", &v));
	ck_assert_str_eq(json_object_get_string(v), "Established");
	ck_assert(json_object_object_get_ex(p, "uptime_s", &v));
	ck_assert(json_object_object_get_ex(p, "prefixes_received", &v));
	ck_assert(json_object_object_get_ex(p, "routes_rejected", &v));
	ck_assert_int_eq(json_object_get_int(v), 7);
	json_object_put(root);

	root = ct_call("{\"cmd\":\"bgp.routes\",\"args\":{\"vni\":100,\"peer\":\"198.51.100.1\"}}",
		       &ok, &error, &data);
	ck_assert(ok);
	ck_assert(json_object_is_type(data, json_type_array));
	ck_assert_int_eq(json_object_array_length(data), 0);
	json_object_put(root);

	root = ct_call("{\"cmd\":\"version\"}", &ok, &error, &data);
	ck_assert(ok);
	ck_assert(json_object_object_get_ex(data, "version", &v));
	ck_assert_str_eq(json_object_get_string(v), VTEP_VERSION);
	json_object_put(root);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("control_bgp");
	TCase *d = tcase_create("dispatch");

	log_level = LOG_LVL_ERR;
	tcase_add_test(d, dispatch_peers_bgp_version);
	tcase_add_test(d, dispatch_bgp_routes_sorted);
	tcase_add_test(d, dispatch_bgp_routes_prefix);
	tcase_add_test(d, dispatch_bgp_routes_prefix6);
	tcase_add_test(d, dispatch_bgp_routes_too_big);
	suite_add_tcase(s, d);
	return s;
}
