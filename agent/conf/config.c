/* config.c - reads and checks vtepd's configuration file (config.h).
 *
 * The schema is DESIGN.md's "vtepd -c FILE" table, written out here as one
 * parse function per object. Each function first refuses unknown keys, then
 * reads the keys it knows in table order, so the first error in a file is
 * always the same one. Cross-checks (a port's VNI exists, its IP is inside
 * the VNI's subnet, nothing is configured twice) come after the entries they
 * relate are read (ports and routes: config_entry.c; RT/RD: config_rt.c).
 * Nothing is kept from json-c once config_parse() returns.
 */
#include "config.h"
#include "config_priv.h"
#include "vtep_maps.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#define DEF_BPFFS          "/sys/fs/bpf/vtepd"
#define DEF_CONTROL_SOCKET "/run/vtepd/vtepd.sock"
#define DEF_CNI_SOCKET     "/run/vtepd/cni.sock"
#define DEF_STATE_DIR      "/var/lib/vtepd"
#define DEF_METRICS_ADDR   "127.0.0.1"
#define DEF_METRICS_PORT   9469
#define DEF_GR_S           120
#define DEF_DAD_MOVES      5     /* RFC 7432 s.15.1: N = 5 moves ... */
#define DEF_DAD_WINDOW_S   180   /* ... within M = 180 seconds */
#define DEF_BGP_PORT       179
#define DEF_HOLD_S         90
#define DEF_KEEPALIVE_S    30

#define ASN_MAX            4294967295u
#define LIMIT_TABLE_MAX    (1u << 24)  /* routes/fdb: 16M entries is past any host's RAM budget */
#define LIMIT_PORTS_MAX    65536u
/* route cache entries per CPU: 32 MB of sets per CPU at most */
#define LIMIT_RCACHE_MAX   (1u << 20)
#define MAX_NEIGHBORS      256
#define GR_MAX_S           4095        /* RFC 4724 s.3: Restart Time is 12 bits */
#define DAD_MOVES_MAX      1000
#define DAD_WINDOW_MAX_S   86400
#define HOLD_MIN_S         3           /* RFC 4271 s.4.2: 0 or at least 3 s */
#define MD5_KEY_MAX        80          /* TCP_MD5SIG_MAXKEYLEN */
#define SUN_PATH_LEN       sizeof(((struct sockaddr_un *)0)->sun_path)

/* ------------------------------------------------------------------ vtep */

static int parse_uplinks(struct json_object *v, const char *path, struct vtep_config *cfg,
			 char *err)
{
	char p[JV_PATH_LEN];
	size_t n;
	int ret;

	if (json_object_is_type(v, json_type_string)) {
		cfg->n_uplinks = 1;
		return jv_ifname(v, path, cfg->uplinks[0], err);
	}
	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
		return jv_fail_got(err, path, v,
				   "expected an interface name or a non-empty array of them");
	ret = jv_array(v, path, CFG_MAX_UPLINKS, &n, err);
	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++) {
		jv_idx(p, path, i);
		ret = jv_ifname(json_object_array_get_idx(v, i), p, cfg->uplinks[i], err);
		if (ret)
			return ret;
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(cfg->uplinks[i], cfg->uplinks[j]))
				return jv_fail(err, p, "%s is listed twice", cfg->uplinks[i]);
		}
	}
	cfg->n_uplinks = n;
	return 0;
}

static int parse_vtep(struct json_object *o, struct vtep_config *cfg, char *err)
{
	static const char *const keys[] = { "ip", "uplink", "uplink_attach", NULL };
	static const char *const attach[] = {
		[CFG_ATTACH_XDP] = "xdp", [CFG_ATTACH_TC] = "tc", [CFG_ATTACH_AUTO] = "auto", NULL
	};
	struct json_object *v;
	int ret, a;

	ret = jv_object(o, "vtep", keys, err);
	if (ret)
		return ret;
	if (!jv_get(o, "ip", &v))
		return cfg_required(err, "vtep.ip");
	ret = jv_ip(v, "vtep.ip", &cfg->vtep_ip, err);
	if (ret)
		return ret;
	if (!cfg_ip_is_vtep(cfg->vtep_ip))
		return jv_fail_got(err, "vtep.ip", v, "%s", CFG_VTEP_IP_WANT);
	if (!jv_get(o, "uplink", &v))
		return cfg_required(err, "vtep.uplink");
	ret = parse_uplinks(v, "vtep.uplink", cfg, err);
	if (ret)
		return ret;
	if (jv_get(o, "uplink_attach", &v)) {
		ret = jv_enum(v, "vtep.uplink_attach", attach, &a, err);
		if (ret)
			return ret;
		cfg->uplink_attach = (enum cfg_uplink_attach)a;
	}
	return 0;
}

/* -------------------------------------------------- paths, metrics, limits */

static int parse_path(struct json_object *root, const char *key, char *out, size_t size,
		      char *err)
{
	struct json_object *v;

	if (!jv_get(root, key, &v))
		return 0;
	return jv_abspath(v, key, out, size, err);
}

/* The CNI plugin's socket (docs/kubernetes.md): a path like
 * control_socket's, or null for no CNI service at all. Left out, it is
 * /run/vtepd/cni.sock beside the default control socket; a config that
 * moves control_socket (a second vtepd on the host, every test and bench
 * instance) moves it along, to the control socket's path with ".sock"
 * replaced by ".cni.sock" (".cni.sock" appended otherwise), so two vtepds
 * never fight over one CNI socket. */
static int derive_cni_socket(struct vtep_config *cfg, char *err)
{
	const char *c = cfg->control_socket;
	size_t n = strlen(c);

	if (n > 5 && !strcmp(c + n - 5, ".sock"))
		n -= 5;
	if ((size_t)snprintf(cfg->cni_socket, SUN_PATH_LEN, "%.*s.cni.sock", (int)n, c) >=
	    SUN_PATH_LEN)
		return jv_fail(err, "cni_socket", "control_socket's path is too long to put the CNI "
			       "socket beside it: set cni_socket");
	return 0;
}

static int parse_cni_socket(struct json_object *root, struct vtep_config *cfg, char *err)
{
	struct json_object *v;
	int ret;

	if (!jv_get(root, "cni_socket", &v))
		return jv_get(root, "control_socket", &v) ? derive_cni_socket(cfg, err) : 0;
	if (!v) {
		cfg->cni_socket[0] = '\0';
		return 0;
	}
	ret = parse_path(root, "cni_socket", cfg->cni_socket, SUN_PATH_LEN, err);
	if (!ret && !strcmp(cfg->cni_socket, cfg->control_socket))
		return jv_fail(err, "cni_socket", "must not be control_socket's path");
	return ret;
}

/* "ADDR:PORT" with an IPv4 ADDR (0.0.0.0 listens everywhere), or null. */
static int parse_metrics(struct json_object *root, struct vtep_config *cfg, char *err)
{
	static const char *const what =
		"expected \"ADDR:PORT\" (IPv4 address, port 1..65535) or null";
	char addr[ADDR_IP_STRLEN];
	struct json_object *v;
	const char *s, *colon;
	uint32_t ip;
	long port = 0;

	if (!jv_get(root, "metrics", &v))
		return 0;
	if (!v) {
		cfg->metrics_enabled = false;
		return 0;
	}
	s = jv_cstr(v);
	if (!s)
		return jv_fail_got(err, "metrics", v, "%s", what);
	colon = strrchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof(addr))
		return jv_fail_got(err, "metrics", v, "%s", what);
	memcpy(addr, s, (size_t)(colon - s));
	addr[colon - s] = '\0';
	if (addr_parse_ip(addr, &ip) || !colon[1] || strlen(colon + 1) > 5)
		return jv_fail_got(err, "metrics", v, "%s", what);
	for (const char *c = colon + 1; *c; c++) {
		if (*c < '0' || *c > '9')
			return jv_fail_got(err, "metrics", v, "%s", what);
		port = port * 10 + (*c - '0');
	}
	if (port < 1 || port > 65535)
		return jv_fail_got(err, "metrics", v, "%s", what);
	cfg->metrics_enabled = true;
	addr_fmt_ip(ip, cfg->metrics_addr);
	cfg->metrics_port = (uint16_t)port;
	return 0;
}

static int parse_limits(struct json_object *root, struct vtep_config *cfg, char *err)
{
	static const char *const keys[] = { "routes", "fdb", "ports", "route_cache", NULL };
	struct json_object *o, *v;
	int ret;

	if (!jv_get(root, "limits", &o))
		return 0;
	ret = jv_object(o, "limits", keys, err);
	if (ret)
		return ret;
	if (jv_get(o, "routes", &v) &&
	    (ret = jv_u32(v, "limits.routes", 1, LIMIT_TABLE_MAX, &cfg->limit_routes, err)))
		return ret;
	if (jv_get(o, "fdb", &v) &&
	    (ret = jv_u32(v, "limits.fdb", 1, LIMIT_TABLE_MAX, &cfg->limit_fdb, err)))
		return ret;
	if (jv_get(o, "ports", &v) &&
	    (ret = jv_u32(v, "limits.ports", 1, LIMIT_PORTS_MAX, &cfg->limit_ports, err)))
		return ret;
	if (jv_get(o, "route_cache", &v)) {
		ret = jv_u32(v, "limits.route_cache", 0, LIMIT_RCACHE_MAX, &cfg->limit_rcache, err);
		if (ret)
			return ret;
		/* Sets of two entries, indexed by a hash's low bits. */
		if (cfg->limit_rcache == 1 || (cfg->limit_rcache & (cfg->limit_rcache - 1)))
			return jv_fail(err, "limits.route_cache",
				       "expected 0 (off) or a power of two from 2 to %u, got %u",
				       LIMIT_RCACHE_MAX, cfg->limit_rcache);
	}
	return 0;
}

/* ------------------------------------------------------------------- bgp */

static int parse_neighbor(struct json_object *o, const char *path, struct cfg_neighbor *n,
			  char *err)
{
	static const char *const keys[] = {
		"address", "asn", "port", "password", "ttl_security", "max_prefixes",
		"passive", "hold_time_s", "keepalive_s", NULL
	};
	struct json_object *v;
	char p[JV_PATH_LEN];
	uint32_t u;
	int ret;

	ret = jv_object(o, path, keys, err);
	if (ret)
		return ret;
	n->port = DEF_BGP_PORT;
	n->hold_time_s = DEF_HOLD_S;

	if (!jv_get(o, "address", &v))
		return cfg_required(err, jv_key(p, path, "address"));
	ret = jv_ip(v, jv_key(p, path, "address"), &n->address, err);
	if (ret)
		return ret;
	if (!cfg_ip_is_unicast(n->address))
		return jv_fail_got(err, p, v, "expected a unicast address");
	if (!jv_get(o, "asn", &v))
		return cfg_required(err, jv_key(p, path, "asn"));
	ret = jv_u32(v, jv_key(p, path, "asn"), 1, ASN_MAX, &n->asn, err);
	if (ret)
		return ret;
	if (jv_get(o, "port", &v)) {
		ret = jv_u32(v, jv_key(p, path, "port"), 1, 65535, &u, err);
		if (ret)
			return ret;
		n->port = (uint16_t)u;
	}
	if (jv_get(o, "password", &v) && v) {
		const char *s;

		ret = jv_string(v, jv_key(p, path, "password"), &s, err);
		if (ret)
			return ret;
		if (!*s || strlen(s) > MD5_KEY_MAX)
			return jv_fail(err, p,
				       "expected a string of 1..%d bytes (TCP MD5 key) or null",
				       MD5_KEY_MAX);
		n->password = strdup(s);
		if (!n->password)
			return jv_fail(err, p, "out of memory"), -ENOMEM;
	}
	if (jv_get(o, "ttl_security", &v) &&
	    (ret = jv_bool(v, jv_key(p, path, "ttl_security"), &n->ttl_security, err)))
		return ret;
	if (jv_get(o, "max_prefixes", &v) &&
	    (ret = jv_u32(v, jv_key(p, path, "max_prefixes"), 0, UINT32_MAX, &n->max_prefixes,
			  err)))
		return ret;
	if (jv_get(o, "passive", &v) &&
	    (ret = jv_bool(v, jv_key(p, path, "passive"), &n->passive, err)))
		return ret;
	if (jv_get(o, "hold_time_s", &v)) {
		/* RFC 4271 s.4.2: "MUST be either zero or at least three seconds" */
		if (jv_u32(v, jv_key(p, path, "hold_time_s"), 0, 65535, &u, NULL) ||
		    (u != 0 && u < HOLD_MIN_S))
			return jv_fail_got(err, p, v, "expected 0 or an integer %d..65535",
					   HOLD_MIN_S);
		n->hold_time_s = (uint16_t)u;
	}
	/* RFC 4271 s.10 suggests a keepalive of a third of the hold time: the
	 * default is 30 s, lowered to hold/3 for short hold times. An explicit
	 * keepalive must stay below the hold time or the session cannot live. */
	n->keepalive_s = DEF_KEEPALIVE_S;
	if (n->hold_time_s && n->hold_time_s / 3 < DEF_KEEPALIVE_S)
		n->keepalive_s = n->hold_time_s / 3;
	if (jv_get(o, "keepalive_s", &v)) {
		uint32_t max = n->hold_time_s ? n->hold_time_s - 1u : 65535u;

		ret = jv_u32(v, jv_key(p, path, "keepalive_s"), n->hold_time_s ? 1 : 0, max, &u,
			     err);
		if (ret) {
			if (n->hold_time_s)
				jv_fail_got(err, p, v,
					    "expected an integer 1..%u (below hold_time_s)", max);
			return ret;
		}
		n->keepalive_s = (uint16_t)u;
	}
	return 0;
}

static int parse_dad(struct json_object *o, struct cfg_bgp *bgp, char *err)
{
	static const char *const keys[] = { "moves", "window_s", NULL };
	struct json_object *v;
	int ret;

	ret = jv_object(o, "bgp.dad", keys, err);
	if (ret)
		return ret;
	if (jv_get(o, "moves", &v) &&
	    (ret = jv_u32(v, "bgp.dad.moves", 1, DAD_MOVES_MAX, &bgp->dad_moves, err)))
		return ret;
	if (jv_get(o, "window_s", &v) &&
	    (ret = jv_u32(v, "bgp.dad.window_s", 1, DAD_WINDOW_MAX_S, &bgp->dad_window_s, err)))
		return ret;
	return 0;
}

static int parse_bgp(struct json_object *root, struct cfg_bgp *bgp, char *err)
{
	static const char *const keys[] = {
		"asn", "router_id", "graceful_restart_s", "dad", "neighbors", NULL
	};
	struct json_object *o, *v;
	char p[JV_PATH_LEN];
	size_t n;
	int ret;

	if (!jv_get(root, "bgp", &o))
		return 0;
	ret = jv_object(o, "bgp", keys, err);
	if (ret)
		return ret;
	bgp->enabled = true;
	if (!jv_get(o, "asn", &v))
		return cfg_required(err, "bgp.asn");
	ret = jv_u32(v, "bgp.asn", 1, ASN_MAX, &bgp->asn, err);
	if (ret)
		return ret;
	if (!jv_get(o, "router_id", &v))
		return cfg_required(err, "bgp.router_id");
	ret = jv_ip(v, "bgp.router_id", &bgp->router_id, err);
	if (ret)
		return ret;
	/* RFC 6286 s.2.1: any non-zero 32-bit value */
	if (bgp->router_id == 0)
		return jv_fail_got(err, "bgp.router_id", v, "expected a non-zero IPv4 address");
	if (jv_get(o, "graceful_restart_s", &v) &&
	    (ret = jv_u32(v, "bgp.graceful_restart_s", 0, GR_MAX_S, &bgp->graceful_restart_s, err)))
		return ret;
	if (jv_get(o, "dad", &v) && (ret = parse_dad(v, bgp, err)))
		return ret;
	if (!jv_get(o, "neighbors", &v))
		return 0;
	ret = jv_array(v, "bgp.neighbors", MAX_NEIGHBORS, &n, err);
	if (ret)
		return ret;
	if (n == 0)
		return 0;
	bgp->neighbors = calloc(n, sizeof(*bgp->neighbors));
	if (!bgp->neighbors)
		return jv_fail(err, "bgp.neighbors", "out of memory"), -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct cfg_neighbor *nb = &bgp->neighbors[i];

		bgp->n_neighbors = i + 1;  /* so config_free sees a password */
		jv_idx(p, "bgp.neighbors", i);
		ret = parse_neighbor(json_object_array_get_idx(v, i), p, nb, err);
		if (ret)
			return ret;
		for (size_t j = 0; j < i; j++) {
			if (bgp->neighbors[j].address == nb->address) {
				char ip[ADDR_IP_STRLEN], q[JV_PATH_LEN];

				return jv_fail(err, jv_key(q, p, "address"),
					       "%s is already bgp.neighbors[%zu]",
					       addr_fmt_ip(nb->address, ip), j);
			}
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ vnis */

/* "auto" or text config_parse_rt/rd accepts. */
static int parse_rt_rd(struct json_object *v, const char *path, bool is_rd, bool *is_auto,
		       uint8_t out[8], char *err)
{
	const char *s = jv_cstr(v);

	if (s && !strcmp(s, "auto")) {
		*is_auto = true;
		return 0;
	}
	if (!s || (is_rd ? config_parse_rd(s, out) : config_parse_rt(s, out)))
		return jv_fail_got(err, path, v,
				   "expected \"auto\", \"ASN:NN\" or \"IP:NN\"");
	*is_auto = false;
	return 0;
}

/* host_ip: the host's own address in the VNI, held by the host end of the
 * VNI's host link (docs/kubernetes.md). A host address of the subnet, not
 * the gateway; only where the VNI hands what is outside it to the host (the
 * host link is the host's way into a VNI it routes for). */
static int parse_host_ip(struct json_object *v, const char *path, struct cfg_vni *vn, char *err)
{
	char p[JV_PATH_LEN], buf[ADDR_PREFIX_STRLEN];
	int ret;

	jv_key(p, path, "host_ip");
	ret = jv_ip(v, p, &vn->host_ip, err);
	if (ret)
		return ret;
	if (vn->outside != CFG_OUTSIDE_HOST)
		return jv_fail(err, p, "needs \"outside\": \"host\" (the host link routes for "
			       "the VNI)");
	if (!addr_in_subnet(vn->host_ip, vn->subnet, vn->prefixlen))
		return jv_fail_got(err, p, v, "expected an address inside the subnet %s",
				   addr_fmt_prefix(vn->subnet, vn->prefixlen, buf));
	if (cfg_ip_is_net_or_bcast(vn->host_ip, vn->prefixlen) || vn->host_ip == vn->gateway_ip)
		return jv_fail_got(err, p, v, "expected a host address of %s, not its network, "
				   "broadcast or gateway address",
				   addr_fmt_prefix(vn->subnet, vn->prefixlen, buf));
	return 0;
}

static int parse_vni(struct json_object *o, const char *path, const struct vtep_config *cfg,
		     struct cfg_vni *vn, char *err)
{
	static const char *const keys[] = {
		"vni", "subnet", "gateway_ip", "gateway_mac", "route_target", "rd",
		"arp_reply", "flood", "outside", "host_ip", "subnet6", "gateway_ip6", "slaac", NULL
	};
	static const char *const arp[] = {
		[CFG_ARP_GATEWAY] = "gateway", [CFG_ARP_REAL] = "real", NULL
	};
	static const char *const outside[] = {
		[CFG_OUTSIDE_DROP] = "drop", [CFG_OUTSIDE_HOST] = "host", NULL
	};
	char p[JV_PATH_LEN], buf[ADDR_PREFIX_STRLEN];
	struct json_object *v;
	uint32_t net;
	int ret, a;

	ret = jv_object(o, path, keys, err);
	if (ret)
		return ret;
	vn->rt_auto = true;
	vn->rd_auto = true;
	vn->arp_reply = CFG_ARP_GATEWAY;

	if (!jv_get(o, "vni", &v))
		return cfg_required(err, jv_key(p, path, "vni"));
	ret = jv_u32(v, jv_key(p, path, "vni"), 1, CFG_VNI_MAX, &vn->vni, err);
	if (ret)
		return ret;

	if (!jv_get(o, "subnet", &v))
		return cfg_required(err, jv_key(p, path, "subnet"));
	jv_key(p, path, "subnet");
	if (!jv_cstr(v) || !strchr(jv_cstr(v), '/') ||
	    addr_parse_prefix(jv_cstr(v), &net, &vn->prefixlen, 1) ||
	    vn->prefixlen < 1 || vn->prefixlen > 31)
		return jv_fail_got(err, p, v, "expected a subnet A.B.C.D/LEN with LEN 1..31");
	if (net & ~addr_mask(vn->prefixlen))
		return jv_fail_got(err, p, v, "expected a subnet without host bits (%s)",
				   addr_fmt_prefix(net & addr_mask(vn->prefixlen), vn->prefixlen,
						   buf));
	vn->subnet = net;

	if (!jv_get(o, "gateway_ip", &v))
		return cfg_required(err, jv_key(p, path, "gateway_ip"));
	ret = jv_ip(v, jv_key(p, path, "gateway_ip"), &vn->gateway_ip, err);
	if (ret)
		return ret;
	if (!addr_in_subnet(vn->gateway_ip, vn->subnet, vn->prefixlen))
		return jv_fail_got(err, p, v, "expected an address inside the subnet %s",
				   addr_fmt_prefix(vn->subnet, vn->prefixlen, buf));
	if (cfg_ip_is_net_or_bcast(vn->gateway_ip, vn->prefixlen))
		return jv_fail_got(err, p, v,
				   "expected a host address of %s, not its network or broadcast address",
				   addr_fmt_prefix(vn->subnet, vn->prefixlen, buf));

	if (!jv_get(o, "gateway_mac", &v))
		return cfg_required(err, jv_key(p, path, "gateway_mac"));
	ret = jv_mac(v, jv_key(p, path, "gateway_mac"), vn->gateway_mac, err);
	if (ret)
		return ret;

	if (jv_get(o, "route_target", &v)) {
		ret = parse_rt_rd(v, jv_key(p, path, "route_target"), false, &vn->rt_auto,
				  vn->route_target, err);
		if (ret)
			return ret;
	}
	if (vn->rt_auto && cfg->bgp.enabled && cfg->bgp.asn > 0xffff && vn->vni > 0xffff)
		return jv_fail(err, jv_key(p, path, "route_target"),
			       "\"auto\" (ASN:VNI) cannot encode VNI %u with the 4-octet ASN %u "
			       "(RFC 5668 leaves 2 octets for the number); set it explicitly",
			       vn->vni, cfg->bgp.asn);
	if (jv_get(o, "rd", &v)) {
		ret = parse_rt_rd(v, jv_key(p, path, "rd"), true, &vn->rd_auto, vn->rd, err);
		if (ret)
			return ret;
	}
	if (vn->rd_auto && cfg->bgp.enabled && vn->vni > 0xffff)
		return jv_fail(err, jv_key(p, path, "rd"),
			       "\"auto\" (router_id:VNI) cannot encode VNI %u (a type 1 RD has a "
			       "2-octet number, RFC 4364 s.4.2); set it explicitly", vn->vni);
	if (jv_get(o, "arp_reply", &v)) {
		ret = jv_enum(v, jv_key(p, path, "arp_reply"), arp, &a, err);
		if (ret)
			return ret;
		vn->arp_reply = (enum cfg_arp_reply)a;
	}
	if (jv_get(o, "flood", &v) && (ret = jv_bool(v, jv_key(p, path, "flood"), &vn->flood, err)))
		return ret;
	if (jv_get(o, "outside", &v)) {
		ret = jv_enum(v, jv_key(p, path, "outside"), outside, &a, err);
		if (ret)
			return ret;
		vn->outside = (enum cfg_outside)a;
	}
	if (jv_get(o, "host_ip", &v) && (ret = parse_host_ip(v, path, vn, err)))
		return ret;
	return config_parse_vni6(o, path, vn, err);
}

static int parse_vnis(struct json_object *root, struct vtep_config *cfg, char *err)
{
	struct json_object *v;
	char p[JV_PATH_LEN], q[JV_PATH_LEN];
	size_t n;
	int ret;

	if (!jv_get(root, "vnis", &v))
		return 0;
	ret = jv_array(v, "vnis", VTEP_MAX_VNIS, &n, err);
	if (ret || n == 0)
		return ret;
	cfg->vnis = calloc(n, sizeof(*cfg->vnis));
	if (!cfg->vnis)
		return jv_fail(err, "vnis", "out of memory"), -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		jv_idx(p, "vnis", i);
		ret = parse_vni(json_object_array_get_idx(v, i), p, cfg, &cfg->vnis[i], err);
		if (ret)
			return ret;
		for (size_t j = 0; j < i; j++) {
			if (cfg->vnis[j].vni == cfg->vnis[i].vni)
				return jv_fail(err, jv_key(q, p, "vni"),
					       "VNI %u is already vnis[%zu]", cfg->vnis[i].vni, j);
		}
		cfg->n_vnis = i + 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ top */

static void set_defaults(struct vtep_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->uplink_attach = CFG_ATTACH_AUTO;
	snprintf(cfg->bpffs, sizeof(cfg->bpffs), "%s", DEF_BPFFS);
	snprintf(cfg->control_socket, sizeof(cfg->control_socket), "%s", DEF_CONTROL_SOCKET);
	snprintf(cfg->cni_socket, sizeof(cfg->cni_socket), "%s", DEF_CNI_SOCKET);
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", DEF_STATE_DIR);
	cfg->metrics_enabled = true;
	snprintf(cfg->metrics_addr, sizeof(cfg->metrics_addr), "%s", DEF_METRICS_ADDR);
	cfg->metrics_port = DEF_METRICS_PORT;
	cfg->limit_routes = VTEP_DEF_ROUTES;
	cfg->limit_fdb = VTEP_DEF_FDB;
	cfg->limit_ports = VTEP_DEF_PORTS;
	cfg->limit_rcache = VTEP_DEF_RCACHE;
	cfg->bgp.graceful_restart_s = DEF_GR_S;
	cfg->bgp.dad_moves = DEF_DAD_MOVES;
	cfg->bgp.dad_window_s = DEF_DAD_WINDOW_S;
}

static int parse_root(struct json_object *root, struct vtep_config *cfg, char *err)
{
	static const char *const keys[] = {
		"vtep", "bpffs", "control_socket", "cni_socket", "state_dir", "metrics", "limits",
		"bgp", "vnis", "ports", "routes", NULL
	};
	struct json_object *v;
	int ret;

	if (!json_object_is_type(root, json_type_object))
		return jv_fail(err, NULL, "the configuration must be a JSON object");
	ret = jv_object(root, "", keys, err);
	if (ret)
		return ret;
	if (!jv_get(root, "vtep", &v))
		return cfg_required(err, "vtep");
	if ((ret = parse_vtep(v, cfg, err)) ||
	    (ret = parse_path(root, "bpffs", cfg->bpffs, sizeof(cfg->bpffs), err)) ||
	    /* sun_path, not CFG_PATH_LEN, bounds a socket's path */
	    (ret = parse_path(root, "control_socket", cfg->control_socket, SUN_PATH_LEN, err)) ||
	    (ret = parse_cni_socket(root, cfg, err)) ||
	    (ret = parse_path(root, "state_dir", cfg->state_dir, sizeof(cfg->state_dir), err)) ||
	    (ret = parse_metrics(root, cfg, err)) ||
	    (ret = parse_limits(root, cfg, err)) ||
	    (ret = parse_bgp(root, &cfg->bgp, err)) ||
	    (ret = parse_vnis(root, cfg, err)) ||
	    (ret = config_parse_entries(root, cfg, err)))
		return ret;
	/* every port is also a /32 route in vtep_routes */
	if (cfg->n_ports + cfg->n_routes > cfg->limit_routes)
		return jv_fail(err, "routes", "%zu ports and %zu routes exceed limits.routes (%u)",
			       cfg->n_ports, cfg->n_routes, cfg->limit_routes);
	return 0;
}

static int parse_text(const char *text, size_t len, struct vtep_config *cfg, char *err)
{
	struct json_object *root = NULL;
	int ret;

	set_defaults(cfg);
	ret = jv_parse(text, len, &root, err);
	if (!ret)
		ret = parse_root(root, cfg, err);
	json_object_put(root);
	if (ret)
		config_free(cfg);
	return ret;
}

int config_parse(const char *json, struct vtep_config *cfg, char err[CFG_ERR_LEN])
{
	if (!json) {
		memset(cfg, 0, sizeof(*cfg));
		return jv_fail(err, NULL, "no configuration text");
	}
	return parse_text(json, strlen(json), cfg, err);
}

int config_load(const char *path, struct vtep_config *cfg, char err[CFG_ERR_LEN])
{
	size_t len;
	char *text;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	ret = jv_read_file(path, &text, &len);
	if (ret) {
		/* callers print the path before err, as for content errors */
		jv_fail(err, NULL, "cannot read: %s", strerror(-ret));
		return ret;
	}
	ret = parse_text(text, len, cfg, err);
	free(text);
	return ret;
}

void config_free(struct vtep_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->bgp.n_neighbors; i++)
		free(cfg->bgp.neighbors[i].password);
	free(cfg->bgp.neighbors);
	free(cfg->vnis);
	free(cfg->ports);
	free(cfg->routes);
	memset(cfg, 0, sizeof(*cfg));
}

/* ------------------------------------------------------------ reload */

size_t config_keep_restart_settings(const struct vtep_config *old, struct vtep_config *nc,
				    const char **kept, size_t max)
{
	size_t n = 0;

#define KEPT(name)                     \
	do {                           \
		if (n < max)           \
			kept[n] = name; \
		n++;                   \
	} while (0)
#define KEEP_STR(field, name)                                          \
	if (strcmp(old->field, nc->field)) {                           \
		KEPT(name);                                            \
		memcpy(nc->field, old->field, sizeof(nc->field));      \
	}
#define KEEP_VAL(field, name)           \
	if (old->field != nc->field) {  \
		KEPT(name);             \
		nc->field = old->field; \
	}
	KEEP_STR(bpffs, "bpffs");
	KEEP_STR(control_socket, "control_socket");
	KEEP_STR(cni_socket, "cni_socket");
	KEEP_STR(state_dir, "state_dir");
	KEEP_VAL(uplink_attach, "vtep.uplink_attach");
	KEEP_VAL(limit_routes, "limits.routes");
	KEEP_VAL(limit_fdb, "limits.fdb");
	KEEP_VAL(limit_ports, "limits.ports");
	KEEP_VAL(limit_rcache, "limits.route_cache");
	if (old->metrics_enabled != nc->metrics_enabled || old->metrics_port != nc->metrics_port ||
	    strcmp(old->metrics_addr, nc->metrics_addr)) {
		KEPT("metrics");
		nc->metrics_enabled = old->metrics_enabled;
		nc->metrics_port = old->metrics_port;
		memcpy(nc->metrics_addr, old->metrics_addr, sizeof(nc->metrics_addr));
	}
#undef KEEP_STR
#undef KEEP_VAL
#undef KEPT
	return n;
}
