/* remote.c - see remote.h. Arguments go out normalised (addresses
 * re-printed from their parsed form); vtepd validates them again. */
#include "remote.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "addr6.h"
#include "ctlproto.h"
#include "output.h"
#include "vtep_maps.h"

static void add_ip(struct json_object *a, const char *key, uint32_t ip)
{
	char b[ADDR_IP_STRLEN];

	out_add_str(a, key, addr_fmt_ip(ip, b));
}

/* Builds the request for c; returns its command name. */
static const char *build(const struct cmdline *c, struct json_object *a)
{
	char b[ADDR6_PREFIX_STRLEN], m[ADDR_MAC_STRLEN];

	switch (c->obj) {
	case OBJ_ROUTES:
		out_add_int(a, "vni", c->vni);
		out_add_str(a, "prefix", c->prefix_v6 ? addr6_fmt_prefix(c->prefix6, c->prefixlen, b)
						      : addr_fmt_prefix(c->prefix, c->prefixlen, b));
		if (c->verb == VERB_DEL)
			return CTLPROTO_CMD_ROUTES_DEL;
		add_ip(a, "vtep", c->vtep);
		out_add_str(a, "mac", addr_fmt_mac(c->mac, m));
		return CTLPROTO_CMD_ROUTES_ADD;
	case OBJ_PORTS:
		out_add_str(a, "ifname", c->ifname);
		if (c->verb == VERB_DEL)
			return CTLPROTO_CMD_PORTS_DEL;
		out_add_int(a, "vni", c->vni);
		if (c->has_ip)
			add_ip(a, "ip", c->ip);
		if (c->has_ip6)
			out_add_str(a, "ip6", addr6_fmt(c->ip6, b));
		out_add_str(a, "mac", c->mac_auto ? "auto" : addr_fmt_mac(c->mac, m));
		return CTLPROTO_CMD_PORTS_ADD;
	case OBJ_RELOAD:
		return CTLPROTO_CMD_RELOAD;
	case OBJ_PEERS:
		return CTLPROTO_CMD_PEERS;
	case OBJ_BGP_ROUTES:
		if (c->has_vni)
			out_add_int(a, "vni", c->vni);
		if (c->has_peer)
			add_ip(a, "peer", c->peer);
		if (c->has_prefix)
			out_add_str(a, "prefix",
				    c->prefix_v6 ? addr6_fmt_prefix(c->prefix6, c->prefixlen, b)
						 : addr_fmt_prefix(c->prefix, c->prefixlen, b));
		return CTLPROTO_CMD_BGP_ROUTES;
	case OBJ_VERSION:
		return CTLPROTO_CMD_VERSION;
	case OBJ_STATUS:
		return CTLPROTO_CMD_STATUS;
	case OBJ_PODS:
		return CTLPROTO_CMD_PODS;
	default:
		return NULL;
	}
}

static const char *get_str(struct json_object *o, const char *key, const char *def)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return def;
}

static int64_t get_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_int))
		return json_object_get_int64(v);
	return 0;
}

/* "1d02h03m", "02:03:04" style, like FRR's show bgp summary. */
static const char *fmt_uptime(int64_t s, char buf[32])
{
	if (s <= 0)
		snprintf(buf, 32, "never");
	else if (s >= 86400)
		snprintf(buf, 32, "%" PRId64 "d%02" PRId64 "h%02" PRId64 "m",
			 s / 86400, s % 86400 / 3600, s % 3600 / 60);
	else
		snprintf(buf, 32, "%02" PRId64 ":%02" PRId64 ":%02" PRId64,
			 s / 3600, s % 3600 / 60, s % 60);
	return buf;
}

static void print_peers(const struct out *o, struct json_object *data)
{
	size_t n;

	if (o->json) {
		out_value(o, data);
		return;
	}
	printf("%-15s  %-10s  %-11s  %-10s  %-8s  %s\n", "ADDRESS", "ASN", "STATE", "UPTIME",
	       "PREFIXES", "REJECTED");
	n = json_object_is_type(data, json_type_array) ? json_object_array_length(data) : 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(data, i);
		char up[32];

		printf("%-15s  %-10" PRId64 "  %-11s  %-10s  %-8" PRId64 "  %" PRId64 "\n",
		       get_str(p, "address", "?"), get_int(p, "asn"), get_str(p, "state", "?"),
		       fmt_uptime(get_int(p, "uptime_s"), up), get_int(p, "prefixes_received"),
		       get_int(p, "routes_rejected"));
	}
}

static bool get_bool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static void print_bgp_routes(const struct out *o, struct json_object *data)
{
	size_t n;
	int w = 18;

	if (o->json) {
		out_value(o, data);
		return;
	}
	n = json_object_is_type(data, json_type_array) ? json_object_array_length(data) : 0;
	/* the PREFIX column as wide as its widest value (IPv6) */
	for (size_t i = 0; i < n; i++) {
		int l = (int)strlen(get_str(json_object_array_get_idx(data, i), "prefix", "-"));

		w = l > w ? l : w;
	}
	printf("%-8s  %-*s  %-15s  %-17s  %-15s  %s\n",
	       "VNI", w, "PREFIX", "VTEP", "MAC", "PEER", "SEQ");
	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(data, i);

		printf("%-8" PRId64 "  %-*s  %-15s  %-17s  %-15s  %" PRId64 "%s%s\n",
		       get_int(r, "vni"), w, get_str(r, "prefix", "-"), get_str(r, "vtep", "-"),
		       get_str(r, "mac", "-"), get_str(r, "peer", "-"), get_int(r, "seq"),
		       get_bool(r, "pending") ? "  pending (full map)" : "",
		       get_bool(r, "duplicate") ? "  duplicate (address held by another MAC)" : "");
	}
}

/* status: the uplinks first (what an operator asks), then every capability
 * with, for a missing one, why. */
static void print_status(const struct out *o, struct json_object *data)
{
	struct json_object *ups, *feats, *notes;
	size_t n;

	if (o->json) {
		out_value(o, data);
		return;
	}
	printf("vtepd %s%s\n", get_str(data, "version", "?"),
	       get_bool(data, "test_override") ? "  (test override in force: not for production)"
					       : "");
	printf("%-15s  %-4s  %-8s  %s\n", "UPLINK", "MODE", "ATTACHED", "REASON");
	n = json_object_object_get_ex(data, "uplinks", &ups) &&
			    json_object_is_type(ups, json_type_array)
		    ? json_object_array_length(ups) : 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *u = json_object_array_get_idx(ups, i);

		printf("%-15s  %-4s  %-8s  %s%s\n", get_str(u, "ifname", "?"),
		       get_str(u, "mode", "?"), get_bool(u, "attached") ? "yes" : "no",
		       get_bool(u, "generic") ? "generic XDP; " : "", get_str(u, "reason", ""));
	}
	printf("XDP program: %s\n", get_str(data, "xdp_program", "?"));
	if (json_object_object_get_ex(data, "maps", &ups) &&
	    json_object_is_type(ups, json_type_array)) {
		printf("%-15s  %-10s  %s\n", "MAP", "CAPACITY", "PENDING");
		for (size_t i = 0; i < json_object_array_length(ups); i++) {
			struct json_object *m = json_object_array_get_idx(ups, i);

			printf("%-15s  %-10" PRId64 "  %" PRId64 "%s\n", get_str(m, "map", "?"),
			       get_int(m, "capacity"), get_int(m, "pending"),
			       get_int(m, "pending") ? "  (full: waiting for room)" : "");
		}
	}
	if (json_object_object_get_ex(data, "route_lookup", &ups) &&
	    json_object_is_type(ups, json_type_object)) {
		struct json_object *c = NULL, *t = NULL;

		json_object_object_get_ex(ups, "route_cache", &c);
		json_object_object_get_ex(ups, "flat_table", &t);
		if (get_bool(c, "on"))
			printf("route cache: on, %" PRId64 " entries per CPU, generation %" PRId64 "\n",
			       get_int(c, "entries_per_cpu"), get_int(c, "gen"));
		else
			printf("route cache: off\n");
		if (get_bool(t, "on"))
			printf("flat route table: on, %" PRId64 " routes in %" PRId64 " lines\n",
			       get_int(t, "routes"), get_int(t, "lines"));
		else
			printf("flat route table: off (lookups read vtep_routes)\n");
	}
	printf("%-15s  %-4s  %s\n", "FEATURE", "HAVE", "NOTE");
	if (!json_object_object_get_ex(data, "feature_notes", &notes))
		notes = NULL;
	if (json_object_object_get_ex(data, "features", &feats) &&
	    json_object_is_type(feats, json_type_object)) {
		json_object_object_foreach(feats, name, v) {
			printf("%-15s  %-4s  %s\n", name, json_object_get_boolean(v) ? "yes" : "no",
			       notes ? get_str(notes, name, "") : "");
		}
	}
}

/* pods: one line per attachment; NAMESPACE/NAME when CNI_ARGS named it;
 * IP and IP6 "-" for a family the pod does not have; IP6 as wide as the
 * longest address. */
static void print_pods(const struct out *o, struct json_object *data)
{
	int w6 = 3;
	size_t n;

	if (o->json) {
		out_value(o, data);
		return;
	}
	n = json_object_is_type(data, json_type_array) ? json_object_array_length(data) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *a6 = get_str(json_object_array_get_idx(data, i), "ip6", NULL);

		if (a6 && (int)strlen(a6) > w6)
			w6 = (int)strlen(a6);
	}
	printf("%-13s  %-15s  %-8s  %-15s  %-*s  %-17s  %-15s  %s\n", "HOST IFNAME", "CONTAINER",
	       "VNI", "IP", w6, "IP6", "MAC", "IFNAME", "POD");
	for (size_t i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(data, i);
		const char *ns = get_str(p, "k8s_namespace", NULL), *nm = get_str(p, "k8s_name", NULL);

		printf("%-13s  %-15.12s  %-8" PRId64 "  %-15s  %-*s  %-17s  %-15s  %s%s%s\n",
		       get_str(p, "host_ifname", "?"), get_str(p, "container_id", "?"),
		       get_int(p, "vni"), get_str(p, "ip", "-"), w6, get_str(p, "ip6", "-"),
		       get_str(p, "mac", "?"), get_str(p, "ifname", "?"), ns ? ns : "",
		       ns && nm ? "/" : "", nm ? nm : (ns ? "" : "-"));
	}
}

static int version(const struct cmdline *c, const struct out *o, int ret,
		   struct json_object *data, bool ok)
{
	const char *d = ret == 0 && ok ? get_str(data, "version", NULL) : NULL;

	if (o->json) {
		struct json_object *j = json_object_new_object();

		out_add_str(j, "vtepctl", VTEP_VERSION);
		out_add_str(j, "vtepd", d);
		out_add_int(j, "layout_version", VTEP_LAYOUT_VERSION);
		out_value(o, j);
		json_object_put(j);
	} else {
		printf("vtepctl %s (map layout %d)\n", VTEP_VERSION, VTEP_LAYOUT_VERSION);
		if (d)
			printf("vtepd %s at %s\n", d, c->sock);
		else
			printf("vtepd not reachable at %s\n", c->sock);
	}
	return VTEPCTL_OK;
}

int remote_run(const struct cmdline *c)
{
	struct json_object *args = json_object_new_object(), *root = NULL, *data = NULL;
	const char *cmd, *error = NULL, *note = NULL;
	char err[512];
	struct out o;
	bool ok = false;
	int ret, status;

	out_init(&o, c->json, c->pretty);
	if (!args) {
		fprintf(stderr, "vtepctl: out of memory\n");
		return VTEPCTL_FAILED;
	}
	cmd = build(c, args);
	if (!cmd) {
		json_object_put(args);
		return VTEPCTL_USAGE;
	}
	ret = ctlproto_call(c->sock, cmd, args, c->obj == OBJ_VERSION ? 2000 : CTLPROTO_TIMEOUT_MS,
			    &root, &ok, &data, &error, &note, err, sizeof(err));
	if (c->obj == OBJ_VERSION) {
		status = version(c, &o, ret, data, ok);
		goto out;
	}
	if (ret == -EPROTO) {
		fprintf(stderr, "vtepctl: %s\n", err);
		status = VTEPCTL_FAILED;
		goto out;
	}
	if (ret) {
		fprintf(stderr, "vtepctl: vtepd is not reachable: %s\n", err);
		status = VTEPCTL_UNREACHABLE;
		goto out;
	}
	if (!ok) {
		fprintf(stderr, "vtepctl: %s\n", error);
		status = VTEPCTL_FAILED;
		goto out;
	}
	if (note)
		fprintf(stderr, "vtepctl: note: %s\n", note);
	if (c->obj == OBJ_PEERS)
		print_peers(&o, data);
	else if (c->obj == OBJ_BGP_ROUTES)
		print_bgp_routes(&o, data);
	else if (c->obj == OBJ_STATUS)
		print_status(&o, data);
	else if (c->obj == OBJ_PODS)
		print_pods(&o, data);
	status = VTEPCTL_OK;
out:
	json_object_put(root);
	json_object_put(args);
	return status;
}
