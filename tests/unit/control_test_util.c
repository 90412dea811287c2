/* control_test_util.c - the fake daemon of the control tests and the
 * dispatch of one request through it (control_test_util.h). */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_test_util.h"

struct ct_record ct_rec;
struct daemon *const ct_daemon = (struct daemon *)&ct_rec;   /* never dereferenced */
uint64_t ct_errors;

static int fake_fail(char err[CFG_ERR_LEN])
{
	if (!ct_rec.fail)
		return 0;
	snprintf(err, CFG_ERR_LEN, "fake failure %d", ct_rec.fail);
	return -ct_rec.fail;
}

static int f_route_add(struct daemon *d, const struct cfg_route *r, char err[CFG_ERR_LEN])
{
	(void)d;
	ct_rec.route_add++;
	ct_rec.r = *r;
	return fake_fail(err);
}

static int f_route_del(struct daemon *d, const struct cfg_route *key, char err[CFG_ERR_LEN])
{
	(void)d;
	ct_rec.route_del++;
	ct_rec.del = *key;
	ct_rec.del_vni = key->vni;
	ct_rec.del_prefix = key->prefix;
	ct_rec.del_len = key->prefixlen;
	return fake_fail(err);
}

static int f_port_add(struct daemon *d, const struct cfg_port *p, char err[CFG_ERR_LEN])
{
	(void)d;
	ct_rec.port_add++;
	ct_rec.p = *p;
	return fake_fail(err);
}

static int f_port_del(struct daemon *d, const char *ifname, char err[CFG_ERR_LEN])
{
	(void)d;
	ct_rec.port_del++;
	snprintf(ct_rec.ifname, sizeof(ct_rec.ifname), "%s", ifname);
	return fake_fail(err);
}

static int f_reload(struct daemon *d, char err[CFG_ERR_LEN])
{
	(void)d;
	ct_rec.reload++;
	return fake_fail(err);
}

size_t ct_peers(const struct daemon *d, struct bgp_peer_info *out, size_t max)
{
	static const enum bgp_state st[] = { BGP_ST_IDLE, BGP_ST_ESTABLISHED };

	(void)d;
	for (size_t i = 0; i < ct_rec.npeers && i < max; i++)
		out[i] = (struct bgp_peer_info){
			.address = htonl(0xc6336401 + (uint32_t)i), .asn = 65001 + (uint32_t)i,
			.state = st[i & 1], .uptime_s = i * 10, .prefixes_received = i,
			.routes_rejected = 7 * i,
		};
	return ct_rec.npeers;
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
	out->lookup.have = true;
	out->lookup.cache_on = true;
	out->lookup.cache_entries = 32768;
	out->lookup.cache_gen = 5;
	out->lookup.table_on = false;
	out->lookup.table_lines = 466034;
	out->lookup.table_routes = 0;
	return 0;
}

struct pod ct_pod_v[2] = {
	{ .container_id = "zz", .ifname = "eth0", .netns = "/run/netns/b", .network = "pods",
	  .host_ifname = "vt00000000002", .vni = 100, .mac = { 2, 0, 0, 0, 0, 2 }, .mtu = 1450 },
	{ .container_id = "aa", .ifname = "eth0", .netns = "/run/netns/a", .network = "pods",
	  .host_ifname = "vt00000000001", .vni = 100, .mac = { 2, 0, 0, 0, 0, 1 }, .mtu = 1450,
	  .k8s_namespace = "web", .k8s_name = "db-0", .k8s_uid = "u1" },
};
static const struct pods fake_pods = { ct_pod_v, 2 };

static const struct pods *f_pods(const struct daemon *d)
{
	(void)d;
	return &fake_pods;
}

const struct control_ops ct_ops = {
	f_route_add, f_route_del, f_port_add, f_port_del, f_reload, ct_peers, NULL, NULL, f_status,
	f_pods,
};

void ct_reset(void)
{
	memset(&ct_rec, 0, sizeof(ct_rec));
	ct_errors = 0;
}

struct json_object *ct_call(const char *msg, bool *ok, const char **error,
			    struct json_object **data)
{
	return ct_call_ops(&ct_ops, msg, ok, error, data);
}

struct json_object *ct_call_ops(const struct control_ops *ops, const char *msg, bool *ok,
				const char **error, struct json_object **data)
{
	struct json_object *root;
	const char *note;
	char err[256], *line = control_dispatch(ct_daemon, ops, msg, strlen(msg), &ct_errors);

	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(line[strlen(line) - 1], '\n');
	ck_assert_int_eq(ctlproto_decode_reply(line, strlen(line), &root, ok, data, error, &note,
					       err, sizeof(err)), 0);
	free(line);
	return root;
}

void ct_refused(const char *msg, const char *what)
{
	struct json_object *root, *data;
	const char *error;
	uint64_t before = ct_errors;
	bool ok;

	root = ct_call(msg, &ok, &error, &data);
	ck_assert_msg(!ok, "accepted: %s", msg);
	ck_assert_msg(strstr(error, what), "error \"%s\" lacks \"%s\" for %s", error, what, msg);
	ck_assert_msg(ct_errors == before + 1, "not counted: %s", msg);
	json_object_put(root);
}

void ct_accepted(const char *msg)
{
	struct json_object *root, *data;
	const char *error;
	bool ok;

	root = ct_call(msg, &ok, &error, &data);
	ck_assert_msg(ok, "refused %s: %s", msg, ok ? "" : error);
	json_object_put(root);
}
