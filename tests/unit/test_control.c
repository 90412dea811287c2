/* test_control.c - agent/ctl/control_dispatch.c: request validation and dispatch through
 * a fake ops table (garbage, unknown commands, bad arguments never reach the
 * daemon and are counted), and the socket server itself: permissions,
 * stale sockets, partial reads, pipelining, oversized and truncated
 * requests, clients that never finish or never read, and lib/ctlproto's
 * client against it. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "control.h"
#include "ctlproto.h"
#include "log.h"
#include "rib.h"

/* ---- a fake daemon that records what it was asked ---- */

static struct {
	int route_add, route_del, port_add, port_del, reload;
	struct cfg_route r;
	uint32_t del_vni, del_prefix;
	uint8_t del_len;
	struct cfg_route del;
	struct cfg_port p;
	char ifname[CFG_IFNAMSIZ];
	int fail;              /* errno the next call fails with */
	size_t npeers;
} rec;

static int fake_fail(char err[CFG_ERR_LEN])
{
	if (!rec.fail)
		return 0;
	snprintf(err, CFG_ERR_LEN, "fake failure %d", rec.fail);
	return -rec.fail;
}

static int f_route_add(struct daemon *d, const struct cfg_route *r, char err[CFG_ERR_LEN])
{
	(void)d;
	rec.route_add++;
	rec.r = *r;
	return fake_fail(err);
}

static int f_route_del(struct daemon *d, const struct cfg_route *key, char err[CFG_ERR_LEN])
{
	(void)d;
	rec.route_del++;
	rec.del = *key;
	rec.del_vni = key->vni;
	rec.del_prefix = key->prefix;
	rec.del_len = key->prefixlen;
	return fake_fail(err);
}

static int f_port_add(struct daemon *d, const struct cfg_port *p, char err[CFG_ERR_LEN])
{
	(void)d;
	rec.port_add++;
	rec.p = *p;
	return fake_fail(err);
}

static int f_port_del(struct daemon *d, const char *ifname, char err[CFG_ERR_LEN])
{
	(void)d;
	rec.port_del++;
	snprintf(rec.ifname, sizeof(rec.ifname), "%s", ifname);
	return fake_fail(err);
}

static int f_reload(struct daemon *d, char err[CFG_ERR_LEN])
{
	(void)d;
	rec.reload++;
	return fake_fail(err);
}

/* Returns rec.npeers peers, filling at most max (like the daemon's peers op). */
static size_t f_peers(const struct daemon *d, struct bgp_peer_info *out, size_t max)
{
	static const enum bgp_state st[] = { BGP_ST_IDLE, BGP_ST_ESTABLISHED };

	(void)d;
	for (size_t i = 0; i < rec.npeers && i < max; i++)
		out[i] = (struct bgp_peer_info){
			.address = htonl(0xc6336401 + (uint32_t)i), .asn = 65001 + (uint32_t)i,
			.state = st[i & 1], .uptime_s = i * 10, .prefixes_received = i,
			.routes_rejected = 7 * i,
		};
	return rec.npeers;
}

/* One uplink in tc mode because the kernel lacks xdp_meta. */
static int f_status(struct daemon *d, struct uplink_status *out)
{
	(void)d;
	memset(out, 0, sizeof(*out));
	for (int f = 0; f < PROBE_F_COUNT; f++)
		out->features.have[f] = f != PROBE_F_xdp_meta;
	strcpy(out->features.note[PROBE_F_xdp_meta], "cannot use helper");
	strcpy(out->xdp_program, "not loaded");
	out->n_uplinks = 1;
	strcpy(out->uplinks[0].ifname, "up0");
	out->uplinks[0].ifindex = 7;
	out->uplinks[0].attached = true;
	out->uplinks[0].mode = UPLINK_MODE_TC;
	strcpy(out->uplinks[0].reason, "kernel lacks xdp_meta");
	return 0;
}

/* Two pods, given out of order: the reply sorts them by attachment. */
static struct pod fake_pod_v[2] = {
	{ .container_id = "zz", .ifname = "eth0", .netns = "/run/netns/b", .network = "pods",
	  .host_ifname = "vt00000000002", .vni = 100, .mac = { 2, 0, 0, 0, 0, 2 }, .mtu = 1450 },
	{ .container_id = "aa", .ifname = "eth0", .netns = "/run/netns/a", .network = "pods",
	  .host_ifname = "vt00000000001", .vni = 100, .mac = { 2, 0, 0, 0, 0, 1 }, .mtu = 1450,
	  .k8s_namespace = "web", .k8s_name = "db-0", .k8s_uid = "u1" },
};
static const struct pods fake_pods = { fake_pod_v, 2 };

static const struct pods *f_pods(const struct daemon *d)
{
	(void)d;
	return &fake_pods;
}

static const struct control_ops fake_ops = {
	f_route_add, f_route_del, f_port_add, f_port_del, f_reload, f_peers, NULL, NULL, f_status,
	f_pods,
};

static struct daemon *const D = (struct daemon *)&rec;   /* never dereferenced */
static uint64_t errors;

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
	.peers = f_peers, .bgp_routes = f_bgp_routes, .config = f_config,
};

START_TEST(dispatch_bgp_routes_sorted)
{
	const char *msg = "{\"cmd\":\"bgp.routes\"}";
	char *line = control_dispatch(D, &bgp_ops, msg, strlen(msg), &errors);
	struct json_object *root, *data, *o, *v;
	const char *error, *note;
	char err[256];
	bool ok;

	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(ctlproto_decode_reply(line, strlen(line), &root, &ok, &data, &error, &note,
					       err, sizeof(err)), 0);
	free(line);
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
	char *line = control_dispatch(D, &bgp_ops, msg, strlen(msg), &errors);
	struct json_object *root, *data;
	const char *error, *note;
	char err[256];
	bool ok;

	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(ctlproto_decode_reply(line, strlen(line), &root, &ok, &data, &error, &note,
					       err, sizeof(err)), 0);
	free(line);
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
	.peers = f_peers, .bgp_routes = f_bgp_routes_many, .config = f_config,
};

START_TEST(dispatch_bgp_routes_too_big)
{
	const char *msg = "{\"cmd\":\"bgp.routes\"}";
	char *line = control_dispatch(D, &bgp_many_ops, msg, strlen(msg), &errors);
	struct json_object *root, *data;
	const char *error, *note;
	char err[256];
	bool ok;

	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(ctlproto_decode_reply(line, strlen(line), &root, &ok, &data, &error, &note,
					       err, sizeof(err)), 0);
	free(line);
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
	.peers = f_peers, .bgp_routes = f_bgp_routes_two_families, .config = f_config,
};

START_TEST(dispatch_bgp_routes_prefix6)
{
	static const char *const msgs[] = {
		"{\"cmd\":\"bgp.routes\",\"args\":{\"prefix\":\"2001:db8::21/128\"}}",
		"{\"cmd\":\"bgp.routes\",\"args\":{\"prefix\":\"32.1.13.184/32\"}}",
	};
	static const int want_seq[] = { 6, 0 };

	for (size_t i = 0; i < 2; i++) {
		char *line = control_dispatch(D, &bgp_two_ops, msgs[i], strlen(msgs[i]), &errors);
		struct json_object *root, *data, *v;
		const char *error, *note;
		char err[256];
		bool ok;

		ck_assert_ptr_nonnull(line);
		ck_assert_int_eq(ctlproto_decode_reply(line, strlen(line), &root, &ok, &data,
						       &error, &note, err, sizeof(err)), 0);
		free(line);
		ck_assert_msg(ok, "%s", error);
		ck_assert_int_eq(json_object_array_length(data), 1);
		ck_assert(json_object_object_get_ex(json_object_array_get_idx(data, 0), "seq", &v));
		ck_assert_int_eq(json_object_get_int(v), want_seq[i]);
		json_object_put(root);
	}
}
END_TEST

/* ---- dispatch without sockets ---- */

/* Dispatches msg; returns the parsed reply (caller puts), ok in *ok. */
static struct json_object *call(const char *msg, bool *ok, const char **error,
				struct json_object **data)
{
	struct json_object *root;
	const char *note;
	char err[256], *line = control_dispatch(D, &fake_ops, msg, strlen(msg), &errors);

	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(line[strlen(line) - 1], '\n');
	ck_assert_int_eq(ctlproto_decode_reply(line, strlen(line), &root, ok, data, error, &note,
					       err, sizeof(err)), 0);
	free(line);
	return root;
}

/* Asserts msg is refused with an error mentioning what, and counted. */
static void refused(const char *msg, const char *what)
{
	struct json_object *root, *data;
	const char *error;
	uint64_t before = errors;
	bool ok;

	root = call(msg, &ok, &error, &data);
	ck_assert_msg(!ok, "accepted: %s", msg);
	ck_assert_msg(strstr(error, what), "error \"%s\" lacks \"%s\" for %s", error, what, msg);
	ck_assert_msg(errors == before + 1, "not counted: %s", msg);
	json_object_put(root);
}

static void accepted(const char *msg)
{
	struct json_object *root, *data;
	const char *error;
	bool ok;

	root = call(msg, &ok, &error, &data);
	ck_assert_msg(ok, "refused %s: %s", msg, ok ? "" : error);
	json_object_put(root);
}

static void reset(void)
{
	memset(&rec, 0, sizeof(rec));
	errors = 0;
}

START_TEST(dispatch_routes)
{
	reset();
	accepted("{\"cmd\":\"routes.add\",\"args\":{\"vni\":100,\"prefix\":\"10.1.0.22/32\","
		 "\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\"}}");
	ck_assert_int_eq(rec.route_add, 1);
	ck_assert_uint_eq(rec.r.vni, 100);
	ck_assert_uint_eq(rec.r.prefix, inet_addr("10.1.0.22"));
	ck_assert_uint_eq(rec.r.prefixlen, 32);
	ck_assert_uint_eq(rec.r.vtep, inet_addr("192.0.2.2"));
	ck_assert_uint_eq(rec.r.mac[5], 0x22);
	accepted("{\"cmd\":\"routes.del\",\"args\":{\"vni\":100,\"prefix\":\"10.1.0.0/16\"}}");
	ck_assert_int_eq(rec.route_del, 1);
	ck_assert_uint_eq(rec.del_vni, 100);
	ck_assert_uint_eq(rec.del_prefix, inet_addr("10.1.0.0"));
	ck_assert_uint_eq(rec.del_len, 16);
	ck_assert_uint_eq(errors, 0);
}
END_TEST

/* IPv6 arguments (control_args.c): a route of either family, a port with
 * ip6 and without ip; the IPv4 rules for hosts (no multicast, loopback,
 * unspecified) and link-local ones refused for host routes and ports. */
START_TEST(dispatch_ipv6)
{
	uint8_t a[16];

	reset();
	accepted("{\"cmd\":\"routes.add\",\"args\":{\"vni\":100,\"prefix\":\"2001:DB8::21/128\","
		 "\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:21\"}}");
	ck_assert_int_eq(rec.route_add, 1);
	ck_assert(rec.r.v6);
	ck_assert_uint_eq(rec.r.prefixlen, 128);
	ck_assert_uint_eq(rec.r.prefix, 0);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::21", a), 1);
	ck_assert_mem_eq(rec.r.prefix6, a, 16);
	accepted("{\"cmd\":\"routes.add\",\"args\":{\"vni\":100,\"prefix\":\"2001:db8:9::/48\","
		 "\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:21\"}}");
	ck_assert_uint_eq(rec.r.prefixlen, 48);
	accepted("{\"cmd\":\"routes.del\",\"args\":{\"vni\":100,\"prefix\":\"2001:db8::21\"}}");
	ck_assert_int_eq(rec.route_del, 1);
	ck_assert(rec.del.v6 && rec.del.prefixlen == 128 && rec.del.vni == 100);
	ck_assert_mem_eq(rec.del.prefix6, a, 16);
	accepted("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w6\",\"vni\":7,"
		 "\"ip6\":\"2001:db8::66\"}}");
	ck_assert_uint_eq(rec.p.ip, 0);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::66", a), 1);
	ck_assert_mem_eq(rec.p.ip6, a, 16);
	accepted("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w7\",\"vni\":7,"
		 "\"ip\":\"10.1.0.17\",\"ip6\":\"2001:db8::67\",\"mac\":\"02:00:00:00:00:17\"}}");
	ck_assert_uint_eq(rec.p.ip, inet_addr("10.1.0.17"));
	ck_assert_uint_eq(rec.p.ip6[15], 0x67);
	ck_assert_uint_eq(errors, 0);
#define RA6(p) "{\"cmd\":\"routes.add\",\"args\":{\"vni\":100,\"prefix\":\"" p "\"," \
	"\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:21\"}}"
	refused(RA6("2001:db8::21/64"), "prefix");
	refused(RA6("2001:db8::21/129"), "prefix");
	refused(RA6("2001:db8::21%eth0"), "prefix");
	refused(RA6("fe80::21"), "not a unicast host address");
	refused(RA6("ff02::1"), "not a unicast host address");
	refused(RA6("::1"), "not a unicast host address");
	refused(RA6("::"), "not a unicast host address");
	refused(RA6("::ffff:10.1.0.1"), "not a unicast host address");
	refused(RA6("ff00::/8"), "multicast or link-local prefix");
	refused(RA6("fe80::/64"), "multicast or link-local prefix");
#undef RA6
	refused("{\"cmd\":\"routes.del\",\"args\":{\"vni\":100,\"prefix\":\"2001:db8::1:/64\"}}",
		"prefix");
#define PA6(ip6) "{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w1\",\"vni\":1,\"ip6\":\"" ip6 "\"}}"
	refused(PA6("fe80::1"), "ip6");
	refused(PA6("ff02::1"), "ip6");
	refused(PA6("::1"), "ip6");
	refused(PA6("::"), "ip6");
	refused(PA6("10.1.0.1"), "ip6");
	refused(PA6("2001:db8::1/128"), "ip6");
#undef PA6
	refused("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w1\",\"vni\":1}}",
		"missing argument \"ip\"");
	ck_assert_int_eq(rec.route_add, 2);
	ck_assert_int_eq(rec.port_add, 2);
}
END_TEST

START_TEST(dispatch_pods)
{
	struct json_object *root, *data, *p, *v;
	const char *error;
	bool ok;

	reset();
	fake_pod_v[0].ip = inet_addr("10.1.1.6");
	fake_pod_v[1].ip = inet_addr("10.1.1.5");
	root = call("{\"cmd\":\"pods\"}", &ok, &error, &data);
	ck_assert(ok);
	ck_assert_int_eq((int)json_object_array_length(data), 2);
	p = json_object_array_get_idx(data, 0);
	ck_assert(json_object_object_get_ex(p, "container_id", &v));
	ck_assert_str_eq(json_object_get_string(v), "aa");
	ck_assert(json_object_object_get_ex(p, "ip", &v));
	ck_assert_str_eq(json_object_get_string(v), "10.1.1.5");
	ck_assert(json_object_object_get_ex(p, "k8s_name", &v));
	ck_assert_str_eq(json_object_get_string(v), "db-0");
	ck_assert(json_object_object_get_ex(p, "host_ifname", &v));
	ck_assert_str_eq(json_object_get_string(v), "vt00000000001");
	p = json_object_array_get_idx(data, 1);
	ck_assert(json_object_object_get_ex(p, "k8s_namespace", &v));
	ck_assert_ptr_null(v);   /* not said by CNI_ARGS: null */
	ck_assert(json_object_object_get_ex(p, "ip6", &v));
	ck_assert_ptr_null(v);   /* IPv4 only: null */
	json_object_put(root);
	/* dual stack and IPv6 only */
	inet_pton(AF_INET6, "2001:db8:1::5", fake_pod_v[1].ip6);
	fake_pod_v[0].ip = 0;
	inet_pton(AF_INET6, "2001:db8:1::6", fake_pod_v[0].ip6);
	root = call("{\"cmd\":\"pods\"}", &ok, &error, &data);
	ck_assert(ok);
	p = json_object_array_get_idx(data, 0);
	ck_assert(json_object_object_get_ex(p, "ip6", &v));
	ck_assert_str_eq(json_object_get_string(v), "2001:db8:1::5");
	ck_assert(json_object_object_get_ex(p, "ip", &v));
	ck_assert_str_eq(json_object_get_string(v), "10.1.1.5");
	p = json_object_array_get_idx(data, 1);
	ck_assert(json_object_object_get_ex(p, "ip", &v));
	ck_assert_ptr_null(v);
	ck_assert(json_object_object_get_ex(p, "ip6", &v));
	ck_assert_str_eq(json_object_get_string(v), "2001:db8:1::6");
	json_object_put(root);
	memset(fake_pod_v[0].ip6, 0, 16);
	memset(fake_pod_v[1].ip6, 0, 16);
	refused("{\"cmd\":\"pods\",\"args\":{\"x\":1}}", "unknown argument");
}
END_TEST

START_TEST(dispatch_ports_reload)
{
	reset();
	accepted("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w1\",\"vni\":7,\"ip\":\"10.1.0.11\"}}");
	ck_assert_int_eq(rec.port_add, 1);
	ck_assert_str_eq(rec.p.ifname, "w1");
	ck_assert(rec.p.mac_auto);
	accepted("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w2\",\"vni\":7,\"ip\":\"10.1.0.12\","
		 "\"mac\":\"02:00:00:00:00:12\"}}");
	ck_assert(!rec.p.mac_auto);
	ck_assert_uint_eq(rec.p.mac[5], 0x12);
	accepted("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w3\",\"vni\":7,\"ip\":\"10.1.0.13\","
		 "\"mac\":\"auto\"}}");
	ck_assert(rec.p.mac_auto);
	accepted("{\"cmd\":\"ports.del\",\"args\":{\"ifname\":\"w1\"}}");
	ck_assert_str_eq(rec.ifname, "w1");
	accepted("{\"cmd\":\"reload\"}");
	ck_assert_int_eq(rec.reload, 1);
	ck_assert_uint_eq(errors, 0);
}
END_TEST

START_TEST(dispatch_daemon_failure)
{
	struct json_object *root, *data;
	const char *error;
	bool ok;

	reset();
	rec.fail = EEXIST;
	root = call("{\"cmd\":\"reload\"}", &ok, &error, &data);
	ck_assert(!ok);
	ck_assert_str_eq(error, "fake failure 17");
	json_object_put(root);
	/* A failed operation is not a malformed request. */
	ck_assert_uint_eq(errors, 0);
}
END_TEST

START_TEST(dispatch_peers_bgp_version)
{
	struct json_object *root, *data, *p, *v;
	const char *error;
	bool ok;

	reset();
	rec.npeers = 100; /* more than control asks for at first */
	root = call("{\"cmd\":\"peers\"}", &ok, &error, &data);
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

	root = call("{\"cmd\":\"bgp.routes\",\"args\":{\"vni\":100,\"peer\":\"198.51.100.1\"}}",
		    &ok, &error, &data);
	ck_assert(ok);
	ck_assert(json_object_is_type(data, json_type_array));
	ck_assert_int_eq(json_object_array_length(data), 0);
	json_object_put(root);

	root = call("{\"cmd\":\"version\"}", &ok, &error, &data);
	ck_assert(ok);
	ck_assert(json_object_object_get_ex(data, "version", &v));
	ck_assert_str_eq(json_object_get_string(v), VTEP_VERSION);
	json_object_put(root);
}
END_TEST

/* status: {version, features: {NAME: bool}, feature_notes, xdp_program,
 * test_override, uplinks: [{ifname, ifindex, attached, mode, generic,
 * reason}]}; read only, so any argument is refused. */
START_TEST(dispatch_status)
{
	struct json_object *root, *data, *v, *u;
	const char *error;
	bool ok;

	reset();
	root = call("{\"cmd\":\"status\"}", &ok, &error, &data);
	ck_assert_msg(ok, "%s", error);
	ck_assert(json_object_object_get_ex(data, "features", &v));
	ck_assert_int_eq(json_object_object_length(v), PROBE_F_COUNT);
	ck_assert(json_object_object_get_ex(v, "xdp_meta", &u));
	ck_assert(json_object_is_type(u, json_type_boolean) && !json_object_get_boolean(u));
	ck_assert(json_object_object_get_ex(v, "ringbuf", &u) && json_object_get_boolean(u));
	ck_assert(json_object_object_get_ex(data, "feature_notes", &v));
	ck_assert_int_eq(json_object_object_length(v), 1);
	ck_assert(json_object_object_get_ex(v, "xdp_meta", &u));
	ck_assert_str_eq(json_object_get_string(u), "cannot use helper");
	ck_assert(json_object_object_get_ex(data, "uplinks", &v));
	ck_assert_int_eq(json_object_array_length(v), 1);
	u = json_object_array_get_idx(v, 0);
	ck_assert(json_object_object_get_ex(u, "mode", &v));
	ck_assert_str_eq(json_object_get_string(v), "tc");
	ck_assert(json_object_object_get_ex(u, "reason", &v));
	ck_assert_str_eq(json_object_get_string(v), "kernel lacks xdp_meta");
	ck_assert(json_object_object_get_ex(u, "ifname", &v));
	ck_assert_str_eq(json_object_get_string(v), "up0");
	json_object_put(root);
	refused("{\"cmd\":\"status\",\"args\":{\"vni\":1}}", "unknown argument");
}
END_TEST

START_TEST(dispatch_garbage)
{
	char *big;

	reset();
	refused("", "empty");
	refused("{", "truncated");
	refused("{\"cmd\":\"routes.add\",\"args\":{\"vni\":1", "truncated");
	refused("not json", "invalid JSON");
	refused("{\"cmd\":\"peers\"} trailing", "invalid JSON");
	refused("[]", "not a JSON object");
	refused("{\"args\":{}}", "cmd");
	refused("{\"cmd\":null}", "cmd");
	refused("{\"cmd\":\"peers\",\"args\":7}", "args");
	refused("{\"cmd\":\"frobnicate\"}", "unknown command \"frobnicate\"");
	refused("{\"cmd\":\"\"}", "unknown command");
	refused("{\"cmd\":\"routes.add\\u0000\"}", "NUL");
	big = malloc(CTLPROTO_MAX_MSG + 2);
	memset(big, ' ', CTLPROTO_MAX_MSG + 1);
	big[CTLPROTO_MAX_MSG + 1] = '\0';
	big[0] = '{';
	refused(big, "longer than");
	free(big);
	ck_assert_int_eq(rec.route_add + rec.route_del + rec.port_add + rec.port_del + rec.reload, 0);
}
END_TEST

START_TEST(dispatch_bad_arguments)
{
	reset();
#define RA(args) "{\"cmd\":\"routes.add\",\"args\":{" args "}}"
	refused(RA(""), "missing argument \"vni\"");
	refused(RA("\"vni\":100"), "missing argument \"prefix\"");
	refused(RA("\"vni\":0,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\""), "vni");
	refused(RA("\"vni\":16777216,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\""), "vni");
	refused(RA("\"vni\":1e3,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\""), "vni");
	refused(RA("\"vni\":\"100\",\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\""), "vni");
	refused(RA("\"vni\":99999999999999999999,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\""), "vni");
	refused(RA("\"vni\":-5,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\""), "vni");
	refused(RA("\"vni\":100,\"prefix\":\"10.1.0.22/16\",\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\""), "prefix");
	refused(RA("\"vni\":100,\"prefix\":22,\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\""), "prefix");
	refused(RA("\"vni\":100,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"0.0.0.0\",\"mac\":\"02:00:00:00:00:22\""), "vtep");
	refused(RA("\"vni\":100,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"239.1.1.1\",\"mac\":\"02:00:00:00:00:22\""), "vtep");
	refused(RA("\"vni\":100,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2\",\"mac\":\"02:00:00:00:00:22\""), "vtep");
	refused(RA("\"vni\":100,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"01:00:5e:00:00:01\""), "unicast");
	refused(RA("\"vni\":100,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"00:00:00:00:00:00\""), "unicast");
	refused(RA("\"vni\":100,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"02-00-00-00-00-22\""), "mac");
	refused(RA("\"vni\":100,\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\",\"mac\":\"02:00:00:00:00:22\",\"colour\":1"), "colour");
#undef RA
	refused("{\"cmd\":\"routes.del\",\"args\":{\"vni\":100}}", "prefix");
	refused("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"\",\"vni\":1,\"ip\":\"10.1.0.1\"}}", "ifname");
	refused("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"0123456789abcdef\",\"vni\":1,\"ip\":\"10.1.0.1\"}}", "ifname");
	refused("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"../x\",\"vni\":1,\"ip\":\"10.1.0.1\"}}", "ifname");
	refused("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w1\",\"vni\":1,\"ip\":\"255.255.255.255\"}}", "ip");
	refused("{\"cmd\":\"ports.add\",\"args\":{\"ifname\":\"w1\",\"vni\":1,\"ip\":\"10.1.0.1\",\"mac\":7}}", "mac");
	refused("{\"cmd\":\"ports.del\",\"args\":{}}", "ifname");
	refused("{\"cmd\":\"ports.del\",\"args\":{\"ifname\":\"w1\\u0000x\"}}", "NUL");
	refused("{\"cmd\":\"ports.del\",\"args\":{\"ifname\":[\"w1\"]}}", "ifname");
	refused("{\"cmd\":\"reload\",\"args\":{\"now\":true}}", "now");
	refused("{\"cmd\":\"peers\",\"args\":{\"all\":true}}", "all");
	refused("{\"cmd\":\"bgp.routes\",\"args\":{\"peer\":\"x\"}}", "peer");
	ck_assert_int_eq(rec.route_add + rec.route_del + rec.port_add + rec.port_del + rec.reload, 0);
}
END_TEST

/* Runs one request with the log at lvl and returns what it logged (the
 * reply is freed). */
static size_t dispatch_logged(const char *msg, enum log_level lvl, char *log, size_t cap)
{
	FILE *f = tmpfile();
	int saved = dup(2);
	char *reply;
	size_t n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(saved, 0);
	log_level = lvl;
	fflush(stderr);
	dup2(fileno(f), 2);
	reply = control_dispatch(D, &fake_ops, msg, strlen(msg), &errors);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	log_level = LOG_LVL_ERR;
	free(reply);
	rewind(f);
	n = fread(log, 1, cap - 1, f);
	fclose(f);
	log[n] = '\0';
	return n;
}

/* Regression (tests/fuzz/regress/control/log_line_control_chars_in_mac, found
 * by fuzz_control): a refused request is logged (debug) with its error,
 * which quotes the bad value; a "\u000a" or "\u001b" in it went into the
 * log as a raw line break or terminal escape, so a request could forge log
 * lines. Now every control character is written as \xNN, in the command
 * too. At info level a refused request is not logged at all (never as
 * "done"). */
START_TEST(dispatch_log_escapes_request_text)
{
	static const char msg[] = "{\"cmd\":\"routes.add\",\"args\":{\"vni\":100,"
		"\"prefix\":\"10.1.0.22/32\",\"vtep\":\"192.0.2.2\","
		"\"mac\":\"02:00\\n1 vtepd error: forged\\u001b[2J\"}}";
	static const char cmd[] = "{\"cmd\":\"x\\ny\\u001b\"}";
	char log[1024];
	size_t n;

	reset();
	n = dispatch_logged(msg, LOG_LVL_DEBUG, log, sizeof(log));
	/* One line, ending in the one '\n' log_msg adds. */
	ck_assert_msg(n > 0 && strchr(log, '\n') == log + n - 1, "log: %s", log);
	ck_assert_ptr_null(strchr(log, 0x1b));
	ck_assert_ptr_nonnull(strstr(log, "02:00\\x0a1 vtepd error: forged\\x1b[2J"));
	ck_assert_uint_eq(errors, 1);
	n = dispatch_logged(cmd, LOG_LVL_DEBUG, log, sizeof(log));
	ck_assert_msg(n > 0 && strchr(log, '\n') == log + n - 1, "log: %s", log);
	ck_assert_msg(strstr(log, "control: x\\x0ay\\x1b refused: unknown command "
			     "\"x\\x0ay\\x1b\""), "log: %s", log);
	ck_assert_uint_eq(errors, 2);
	ck_assert_uint_eq(dispatch_logged(msg, LOG_LVL_INFO, log, sizeof(log)), 0);
	ck_assert_int_eq(rec.route_add, 0);
}
END_TEST

/* ---- the socket server ---- */

static char dir[64], path[128];
static struct control *ctl;

static void open_server(void)
{
	char sub[96];

	reset();
	strcpy(dir, "/tmp/vtepd-unit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/run", dir);
	snprintf(path, sizeof(path), "%s/ctl.sock", sub);
	ck_assert_int_eq(control_open_ops(D, &fake_ops, path, &ctl), 0);
}

static void close_server(void)
{
	char sub[96];

	control_close(ctl);
	ctl = NULL;
	snprintf(sub, sizeof(sub), "%s/run", dir);
	rmdir(sub);
	rmdir(dir);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_client(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	strcpy(sa.sun_path, path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Drives the server (as the daemon's loop would) while sending data on fd,
 * then until fd has `lines` complete lines or EOF. Returns bytes read into
 * buf (NUL-terminated); *eof tells whether the server closed. */
static size_t exchange(int fd, const char *data, size_t len, int lines, char *buf, size_t cap,
		       bool *eof)
{
	long long deadline = now_ms() + 5000;
	size_t off = 0, got = 0;
	int seen = 0;

	*eof = false;
	while (now_ms() < deadline) {
		struct pollfd p = { .fd = control_fd(ctl), .events = POLLIN };

		if (off < len) {
			ssize_t w = send(fd, data + off, len - off, MSG_NOSIGNAL);

			if (w > 0)
				off += (size_t)w;
		}
		if (poll(&p, 1, 10) > 0)
			control_handle(ctl);
		for (;;) {
			ssize_t r = recv(fd, buf + got, cap - 1 - got, 0);

			if (r == 0)
				*eof = true;
			if (r <= 0)
				break;
			for (ssize_t i = 0; i < r; i++)
				seen += buf[got + (size_t)i] == '\n';
			got += (size_t)r;
		}
		buf[got] = '\0';
		if (off == len && (seen >= lines || *eof))
			break;
	}
	return got;
}

START_TEST(socket_permissions)
{
	struct stat st;
	char sub[96];

	open_server();
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	snprintf(sub, sizeof(sub), "%s/run", dir);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	/* A second server on a live socket is refused; the first keeps it. */
	{
		struct control *two;

		ck_assert_int_eq(control_open_ops(D, &fake_ops, path, &two), -EADDRINUSE);
		ck_assert_int_eq(stat(path, &st), 0);
	}
	close_server();
	ck_assert_int_eq(stat(path, &st), -1);
}
END_TEST

START_TEST(socket_stale)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char sub[96];
	int fd;

	strcpy(dir, "/tmp/vtepd-unit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/run", dir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	snprintf(path, sizeof(path), "%s/ctl.sock", sub);
	/* A socket file nobody listens on: what a killed vtepd leaves. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	ck_assert_int_eq(control_open_ops(D, &fake_ops, path, &ctl), 0);
	close_server();

	/* A regular file is never deleted. */
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	ck_assert_int_eq(control_open_ops(D, &fake_ops, path, &ctl), -EEXIST);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
}
END_TEST

START_TEST(socket_request_reply)
{
	static const char req[] = "{\"cmd\":\"reload\"}\n";
	char buf[4096];
	bool eof;
	int fd;

	open_server();
	fd = connect_client();
	exchange(fd, req, sizeof(req) - 1, 1, buf, sizeof(buf), &eof);
	ck_assert_str_eq(buf, "{\"ok\":true,\"data\":null}\n");
	ck_assert(!eof);
	ck_assert_int_eq(rec.reload, 1);
	/* The connection stays open for the next request. */
	exchange(fd, req, sizeof(req) - 1, 1, buf, sizeof(buf), &eof);
	ck_assert_str_eq(buf, "{\"ok\":true,\"data\":null}\n");
	ck_assert_int_eq(rec.reload, 2);
	close(fd);
	close_server();
}
END_TEST

START_TEST(socket_partial_reads)
{
	static const char req[] = "{\"cmd\":\"ports.del\",\"args\":{\"ifname\":\"w9\"}}\n";
	char buf[4096];
	bool eof;
	int fd;

	open_server();
	fd = connect_client();
	/* One byte at a time, the server handling each. */
	for (size_t i = 0; i < sizeof(req) - 2; i++) {
		exchange(fd, req + i, 1, 0, buf, sizeof(buf), &eof);
		ck_assert_str_eq(buf, "");
		ck_assert_int_eq(rec.port_del, 0);
	}
	exchange(fd, req + sizeof(req) - 2, 1, 1, buf, sizeof(buf), &eof);
	ck_assert_str_eq(buf, "{\"ok\":true,\"data\":null}\n");
	ck_assert_str_eq(rec.ifname, "w9");
	close(fd);
	close_server();
}
END_TEST

START_TEST(socket_pipelined)
{
	static const char reqs[] =
		"{\"cmd\":\"reload\"}\n"
		"\n"
		"{\"cmd\":\"nope\"}\n"
		"garbage\n"
		"{\"cmd\":\"version\"}\n";
	char buf[8192], *l2, *l3, *l4;
	bool eof;
	int fd;

	open_server();
	fd = connect_client();
	exchange(fd, reqs, sizeof(reqs) - 1, 4, buf, sizeof(buf), &eof);
	/* Four replies, in order; the blank line is skipped; errors do not
	 * end the connection. */
	ck_assert(!eof);
	l2 = strchr(buf, '\n') + 1;
	l3 = strchr(l2, '\n') + 1;
	l4 = strchr(l3, '\n') + 1;
	ck_assert(!strncmp(buf, "{\"ok\":true", 10));
	ck_assert(!strncmp(l2, "{\"ok\":false", 11) && strstr(l2, "unknown command"));
	ck_assert(!strncmp(l3, "{\"ok\":false", 11) && strstr(l3, "invalid JSON"));
	ck_assert(!strncmp(l4, "{\"ok\":true", 10) && strstr(l4, VTEP_VERSION));
	ck_assert_uint_eq(control_errors(ctl), 2);
	close(fd);
	close_server();
}
END_TEST

START_TEST(socket_oversized)
{
	size_t n = CTLPROTO_MAX_MSG + 4096;
	char *big = malloc(n), buf[4096];
	bool eof;
	int fd;

	memset(big, ' ', n);
	big[0] = '{';
	open_server();
	fd = connect_client();
	exchange(fd, big, CTLPROTO_MAX_MSG, 1, buf, sizeof(buf), &eof);
	ck_assert_ptr_nonnull(strstr(buf, "\"ok\":false"));
	ck_assert_ptr_nonnull(strstr(buf, "longer than"));
	/* and then the server hangs up */
	exchange(fd, "", 0, 2, buf, sizeof(buf), &eof);
	ck_assert(eof);
	ck_assert_uint_eq(control_errors(ctl), 1);
	close(fd);
	free(big);
	close_server();
}
END_TEST

START_TEST(socket_truncated_and_unterminated)
{
	static const char part[] = "{\"cmd\":\"routes.add\",\"args\":{\"vni\":1";
	static const char whole[] = "{\"cmd\":\"reload\"}";
	char buf[4096];
	bool eof;
	int fd;

	open_server();
	/* A request cut short by the client's shutdown: an error, then EOF. */
	fd = connect_client();
	exchange(fd, part, sizeof(part) - 1, 0, buf, sizeof(buf), &eof);
	ck_assert_str_eq(buf, "");
	shutdown(fd, SHUT_WR);
	exchange(fd, "", 0, 1, buf, sizeof(buf), &eof);
	ck_assert_ptr_nonnull(strstr(buf, "truncated"));
	exchange(fd, "", 0, 2, buf, sizeof(buf), &eof);
	ck_assert(eof);
	close(fd);
	/* One whole request per connection, no newline: answered. */
	fd = connect_client();
	exchange(fd, whole, sizeof(whole) - 1, 0, buf, sizeof(buf), &eof);
	shutdown(fd, SHUT_WR);
	exchange(fd, "", 0, 1, buf, sizeof(buf), &eof);
	ck_assert_str_eq(buf, "{\"ok\":true,\"data\":null}\n");
	ck_assert_int_eq(rec.reload, 1);
	close(fd);
	ck_assert_uint_eq(control_errors(ctl), 1);
	close_server();
}
END_TEST

START_TEST(socket_slow_client_does_not_block)
{
	static const char req[] = "{\"cmd\":\"reload\"}\n";
	char buf[4096];
	bool eof;
	int slow, fast, gone;

	open_server();
	/* One client sends half a request and stalls; another vanishes right
	 * after its request without reading the reply. */
	slow = connect_client();
	exchange(slow, "{\"cmd\":", 7, 0, buf, sizeof(buf), &eof);
	gone = connect_client();
	ck_assert_int_eq(send(gone, req, sizeof(req) - 1, 0), (ssize_t)sizeof(req) - 1);
	close(gone);
	fast = connect_client();
	exchange(fast, req, sizeof(req) - 1, 1, buf, sizeof(buf), &eof);
	ck_assert_str_eq(buf, "{\"ok\":true,\"data\":null}\n");
	/* The stalled client can still finish. */
	exchange(slow, "\"reload\"}\n", 10, 1, buf, sizeof(buf), &eof);
	ck_assert_str_eq(buf, "{\"ok\":true,\"data\":null}\n");
	close(slow);
	close(fast);
	close_server();
}
END_TEST

START_TEST(socket_reader_that_never_reads)
{
	char line[512], buf[4096];
	bool eof;
	int hog, fd;
	long long deadline;

	open_server();
	rec.npeers = 3;
	/* Pipeline far more replies than a socket buffer holds, never read:
	 * the server must keep serving others. */
	hog = connect_client();
	snprintf(line, sizeof(line), "{\"cmd\":\"peers\"}\n");
	deadline = now_ms() + 2000;
	while (now_ms() < deadline) {
		struct pollfd p = { .fd = control_fd(ctl), .events = POLLIN };

		if (send(hog, line, strlen(line), MSG_NOSIGNAL) < 0 && errno != EAGAIN)
			break;
		if (poll(&p, 1, 1) > 0)
			control_handle(ctl);
	}
	fd = connect_client();
	exchange(fd, "{\"cmd\":\"version\"}\n", 18, 1, buf, sizeof(buf), &eof);
	ck_assert_ptr_nonnull(strstr(buf, "\"ok\":true"));
	close(fd);
	close(hog);
	close_server();
}
END_TEST

struct server_thread {
	volatile int stop;
};

static void *serve(void *arg)
{
	struct server_thread *t = arg;

	while (!t->stop) {
		struct pollfd p = { .fd = control_fd(ctl), .events = POLLIN };

		if (poll(&p, 1, 10) > 0)
			control_handle(ctl);
	}
	return NULL;
}

START_TEST(client_roundtrip)
{
	struct server_thread t = { 0 };
	struct json_object *args = json_object_new_object(), *root, *data;
	const char *error, *note;
	pthread_t th;
	char err[256];
	bool ok;

	open_server();
	rec.npeers = 2;
	ck_assert_int_eq(pthread_create(&th, NULL, serve, &t), 0);
	ck_assert_int_eq(ctlproto_call(path, "peers", NULL, 5000, &root, &ok, &data, &error,
				       &note, err, sizeof(err)), 0);
	ck_assert(ok);
	ck_assert_int_eq(json_object_array_length(data), 2);
	json_object_put(root);

	json_object_object_add(args, "ifname", json_object_new_string("w1"));
	rec.fail = ENODEV;
	ck_assert_int_eq(ctlproto_call(path, "ports.del", args, 5000, &root, &ok, &data, &error,
				       &note, err, sizeof(err)), 0);
	ck_assert(!ok);
	ck_assert_str_eq(error, "fake failure 19");
	json_object_put(root);
	rec.fail = 0;

	ck_assert_int_eq(ctlproto_call(path, "bgp.routes", NULL, 5000, &root, &ok, &data, &error,
				       &note, err, sizeof(err)), 0);
	ck_assert(ok);
	ck_assert_ptr_nonnull(note);
	ck_assert_int_eq(json_object_array_length(data), 0);
	json_object_put(root);

	t.stop = 1;
	pthread_join(th, NULL);
	json_object_put(args);
	close_server();
	/* Gone: the client reports the socket as unreachable. */
	ck_assert_int_eq(ctlproto_call(path, "peers", NULL, 1000, &root, &ok, &data, &error,
				       &note, err, sizeof(err)), -ENOENT);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("control");
	TCase *d = tcase_create("dispatch"), *k = tcase_create("socket");

	/* A client that hangs up must never kill the daemon with SIGPIPE;
	 * control uses MSG_NOSIGNAL, so the default action stays. */
	signal(SIGPIPE, SIG_DFL);
	log_level = LOG_LVL_ERR;
	tcase_add_test(d, dispatch_routes);
	tcase_add_test(d, dispatch_ipv6);
	tcase_add_test(d, dispatch_ports_reload);
	tcase_add_test(d, dispatch_pods);
	tcase_add_test(d, dispatch_daemon_failure);
	tcase_add_test(d, dispatch_peers_bgp_version);
	tcase_add_test(d, dispatch_status);
	tcase_add_test(d, dispatch_bgp_routes_sorted);
	tcase_add_test(d, dispatch_bgp_routes_prefix);
	tcase_add_test(d, dispatch_bgp_routes_prefix6);
	tcase_add_test(d, dispatch_bgp_routes_too_big);
	tcase_add_test(d, dispatch_garbage);
	tcase_add_test(d, dispatch_bad_arguments);
	tcase_add_test(d, dispatch_log_escapes_request_text);
	tcase_add_test(k, socket_permissions);
	tcase_add_test(k, socket_stale);
	tcase_add_test(k, socket_request_reply);
	tcase_add_test(k, socket_partial_reads);
	tcase_add_test(k, socket_pipelined);
	tcase_add_test(k, socket_oversized);
	tcase_add_test(k, socket_truncated_and_unterminated);
	tcase_add_test(k, socket_slow_client_does_not_block);
	tcase_add_test(k, socket_reader_that_never_reads);
	tcase_add_test(k, client_roundtrip);
	tcase_set_timeout(k, 30);
	suite_add_tcase(s, d);
	suite_add_tcase(s, k);
	return s;
}
