/* config_entry.c - ports and static routes: the config file's "ports" and
 * "routes" arrays, and the same checks for entries added at run time
 * (vtepctl, the state file; see config.h).
 *
 * A port is a workload on one of our interfaces; its IP is also a /32 host
 * route (DESIGN.md: "The host reaches its workloads through a /32 route on
 * each port"), which is why two ports may not share an IP even in different
 * VNIs, and why a static route may not name a local port's address.
 * Duplicates are found by sorting, so a state file with many thousands of
 * routes is checked in n log n.
 */
#include "config.h"
#include "config_priv.h"
#include "addr6.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int config_port_from_json(struct json_object *o, const char *path, struct cfg_port *port,
			  char err[CFG_ERR_LEN])
{
	static const char *const keys[] = { "ifname", "vni", "ip", "mac", "ip6", "ip6_ll", NULL };
	struct json_object *v;
	char p[JV_PATH_LEN];
	struct cfg_port pt = { .mac_auto = true };
	int ret;

	ret = jv_object(o, path, keys, err);
	if (ret)
		return ret;
	if (!jv_get(o, "ifname", &v))
		return cfg_required(err, jv_key(p, path, "ifname"));
	ret = jv_ifname(v, jv_key(p, path, "ifname"), pt.ifname, err);
	if (ret)
		return ret;
	if (!jv_get(o, "vni", &v))
		return cfg_required(err, jv_key(p, path, "vni"));
	ret = jv_u32(v, jv_key(p, path, "vni"), 1, CFG_VNI_MAX, &pt.vni, err);
	if (ret)
		return ret;
	/* ip may be left out when ip6 is given (an IPv6-only workload) */
	if (jv_get(o, "ip", &v)) {
		ret = jv_ip(v, jv_key(p, path, "ip"), &pt.ip, err);
		if (ret)
			return ret;
	} else if (!jv_get(o, "ip6", &v)) {
		return jv_fail(err, jv_key(p, path, "ip"), "required (or ip6)");
	}
	if (jv_get(o, "mac", &v)) {
		const char *s = jv_cstr(v);

		jv_key(p, path, "mac");
		if (!s || (strcmp(s, "auto") && addr_parse_mac(s, pt.mac)))
			return jv_fail_got(err, p, v,
					   "expected \"auto\" or a MAC address like 02:00:00:00:00:01");
		if (strcmp(s, "auto")) {
			ret = jv_mac(v, p, pt.mac, err);   /* unicast, non-zero */
			if (ret)
				return ret;
			pt.mac_auto = false;
		}
	}
	ret = config_port6_from_json(o, path, &pt, err);
	if (ret)
		return ret;
	*port = pt;
	return 0;
}

int config_route_from_json(struct json_object *o, const char *path, struct cfg_route *route,
			   char err[CFG_ERR_LEN])
{
	static const char *const keys[] = { "vni", "prefix", "vtep", "mac", NULL };
	struct json_object *v;
	char p[JV_PATH_LEN];
	struct cfg_route r = { 0 };
	int ret;

	ret = jv_object(o, path, keys, err);
	if (ret)
		return ret;
	if (!jv_get(o, "vni", &v))
		return cfg_required(err, jv_key(p, path, "vni"));
	ret = jv_u32(v, jv_key(p, path, "vni"), 1, CFG_VNI_MAX, &r.vni, err);
	if (ret)
		return ret;
	if (!jv_get(o, "prefix", &v))
		return cfg_required(err, jv_key(p, path, "prefix"));
	jv_key(p, path, "prefix");
	if (addr6_is_text6(jv_cstr(v))) {
		char buf[ADDR6_PREFIX_STRLEN];

		if (addr6_parse_prefix(jv_cstr(v), r.prefix6, &r.prefixlen, 1))
			return jv_fail_got(err, p, v, "expected X::Y or X::Y/LEN");
		r.v6 = true;
		if (addr6_has_host_bits(r.prefix6, r.prefixlen)) {
			addr6_mask(r.prefix6, r.prefix6, r.prefixlen);
			return jv_fail_got(err, p, v, "expected a prefix without host bits (%s)",
					   addr6_fmt_prefix(r.prefix6, r.prefixlen, buf));
		}
	} else if (addr_parse_prefix(jv_cstr(v), &r.prefix, &r.prefixlen, 1)) {
		return jv_fail_got(err, p, v, "expected A.B.C.D or A.B.C.D/LEN");
	} else if (r.prefix & ~addr_mask(r.prefixlen)) {
		char buf[ADDR_PREFIX_STRLEN];

		return jv_fail_got(err, p, v, "expected a prefix without host bits (%s)",
				   addr_fmt_prefix(r.prefix & addr_mask(r.prefixlen), r.prefixlen,
						   buf));
	}
	if (!jv_get(o, "vtep", &v))
		return cfg_required(err, jv_key(p, path, "vtep"));
	ret = jv_ip(v, jv_key(p, path, "vtep"), &r.vtep, err);
	if (ret)
		return ret;
	if (!jv_get(o, "mac", &v))
		return cfg_required(err, jv_key(p, path, "mac"));
	ret = jv_mac(v, jv_key(p, path, "mac"), r.mac, err);
	if (ret)
		return ret;
	*route = r;
	return 0;
}

const struct cfg_vni *config_find_vni(const struct vtep_config *cfg, uint32_t vni)
{
	for (size_t i = 0; i < cfg->n_vnis; i++) {
		if (cfg->vnis[i].vni == vni)
			return &cfg->vnis[i];
	}
	return NULL;
}

const struct cfg_port *config_find_port(const struct vtep_config *cfg, const char *ifname)
{
	for (size_t i = 0; i < cfg->n_ports; i++) {
		if (!strcmp(cfg->ports[i].ifname, ifname))
			return &cfg->ports[i];
	}
	return NULL;
}

static const struct cfg_vni *vni_of(const struct vtep_config *cfg, uint32_t vni,
				    const char *path, char *err)
{
	const struct cfg_vni *vn = config_find_vni(cfg, vni);
	char p[JV_PATH_LEN];

	if (!vn)
		jv_fail(err, jv_key(p, path, "vni"), "VNI %u is not in vnis", vni);
	return vn;
}

int config_check_port(const struct vtep_config *cfg, const struct cfg_port *pt,
		      const char *path, char err[CFG_ERR_LEN])
{
	char p[JV_PATH_LEN], ip[ADDR_IP_STRLEN], net[ADDR_PREFIX_STRLEN];
	const struct cfg_vni *vn;

	jv_key(p, path, "ifname");
	if (!jv_ifname_valid(pt->ifname))
		return jv_fail(err, p, "%s", CFG_IFNAME_WANT);
	for (size_t i = 0; i < cfg->n_uplinks; i++) {
		if (!strcmp(pt->ifname, cfg->uplinks[i]))
			return jv_fail(err, p, "%s is an uplink (vtep.uplink)", pt->ifname);
	}
	vn = vni_of(cfg, pt->vni, path, err);
	if (!vn)
		return -EINVAL;
	jv_key(p, path, "ip");
	addr_fmt_ip(pt->ip, ip);
	addr_fmt_prefix(vn->subnet, vn->prefixlen, net);
	if (!pt->ip)
		; /* none: an IPv6-only port (config_check_port6) */
	else if (!addr_in_subnet(pt->ip, vn->subnet, vn->prefixlen))
		return jv_fail(err, p, "%s is outside VNI %u's subnet %s", ip, vn->vni, net);
	else if (pt->ip == vn->gateway_ip)
		return jv_fail(err, p, "%s is VNI %u's gateway_ip", ip, vn->vni);
	else if (pt->ip == vn->host_ip && !pt->hostlink)
		return jv_fail(err, p, "%s is VNI %u's host_ip", ip, vn->vni);
	else if (cfg_ip_is_net_or_bcast(pt->ip, vn->prefixlen))
		return jv_fail(err, p, "%s is the network or broadcast address of %s", ip, net);
	if (config_check_port6(vn, pt, path, err))
		return -EINVAL;
	if (!pt->mac_auto) {
		jv_key(p, path, "mac");
		if (!jv_mac_is_station(pt->mac))
			return jv_fail(err, p,
				       "expected \"auto\" or a unicast non-zero MAC address");
		if (!memcmp(pt->mac, vn->gateway_mac, 6))
			return jv_fail(err, p, "is VNI %u's gateway_mac", vn->vni);
	}
	return 0;
}

int config_check_route(const struct vtep_config *cfg, const struct cfg_route *r,
		       const char *path, char err[CFG_ERR_LEN])
{
	char p[JV_PATH_LEN], ip[ADDR_IP_STRLEN], pfx[ADDR_PREFIX_STRLEN];
	const struct cfg_vni *vn;

	vn = vni_of(cfg, r->vni, path, err);
	if (!vn)
		return -EINVAL;
	jv_key(p, path, "prefix");
	if (r->v6) {
		if (config_check_route6(vn, r, path, err))
			return -EINVAL;
	} else if (r->prefixlen > 32 || (r->prefix & ~addr_mask(r->prefixlen)))
		return jv_fail(err, p, "expected a prefix without host bits");
	else if (r->prefixlen == 32 && r->prefix == vn->gateway_ip)
		return jv_fail(err, p, "%s is VNI %u's gateway_ip",
			       addr_fmt_prefix(r->prefix, 32, pfx), vn->vni);
	else if (r->prefixlen == 32 && vn->host_ip && r->prefix == vn->host_ip)
		return jv_fail(err, p, "%s is VNI %u's host_ip",
			       addr_fmt_prefix(r->prefix, 32, pfx), vn->vni);
	jv_key(p, path, "vtep");
	addr_fmt_ip(r->vtep, ip);
	if (!cfg_ip_is_vtep(r->vtep))
		return jv_fail(err, p, "%s, got %s", CFG_VTEP_IP_WANT, ip);
	if (r->vtep == cfg->vtep_ip)
		return jv_fail(err, p, "%s is our own vtep.ip", ip);
	jv_key(p, path, "mac");
	if (!jv_mac_is_station(r->mac))
		return jv_fail(err, p, "expected a unicast non-zero MAC address");
	if (!memcmp(r->mac, vn->gateway_mac, 6))
		return jv_fail(err, p, "is VNI %u's gateway_mac", vn->vni);
	return 0;
}

/* ----------------------------------------------------------- conflicts */

struct key_ref {
	const void *entry;
	size_t idx;
};

static int cmp_idx(const struct key_ref *a, const struct key_ref *b)
{
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int cmp_ifname(const void *x, const void *y)
{
	const struct key_ref *a = x, *b = y;
	int c = strcmp(((const struct cfg_port *)a->entry)->ifname,
		       ((const struct cfg_port *)b->entry)->ifname);

	return c ? c : cmp_idx(a, b);
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_port_ip(const void *x, const void *y)
{
	const struct key_ref *a = x, *b = y;
	const struct cfg_port *p = a->entry, *q = b->entry;
	int c = cmp_u32(p->ip, q->ip);

	return c ? c : cmp_idx(a, b);
}

/* explicit MACs only: "auto" ports learn theirs */
static int cmp_port_mac(const void *x, const void *y)
{
	const struct key_ref *a = x, *b = y;
	const struct cfg_port *p = a->entry, *q = b->entry;
	int c = cmp_u32(p->vni, q->vni);

	if (!c)
		c = memcmp(p->mac, q->mac, 6);
	return c ? c : cmp_idx(a, b);
}

static int cmp_port_ip6(const void *x, const void *y)
{
	const struct key_ref *a = x, *b = y;
	const struct cfg_port *p = a->entry, *q = b->entry;
	int c = memcmp(p->ip6, q->ip6, 16);

	return c ? c : cmp_idx(a, b);
}

static int cmp_route(const void *x, const void *y)
{
	const struct key_ref *a = x, *b = y;
	int c = config_route_cmp_key(a->entry, b->entry);

	return c ? c : cmp_idx(a, b);
}

static bool same_key(const struct key_ref *x, const struct key_ref *y,
		     int (*cmp)(const void *, const void *))
{
	struct key_ref a = *x, b = *y;

	a.idx = b.idx = 0;   /* only the index breaks ties */
	return cmp(&a, &b) == 0;
}

/* Sorts refs by key (then index) and finds, among entries repeating an
 * earlier entry's key, the one that comes first in the original order, so
 * that errors follow the order of the file. */
static bool first_dup(struct key_ref *refs, size_t n, int (*cmp)(const void *, const void *),
		      size_t *first, size_t *second)
{
	bool found = false;

	qsort(refs, n, sizeof(*refs), cmp);
	for (size_t i = 1; i < n; i++) {
		/* in a run of equal keys the second element is the earliest repeat */
		if (!same_key(&refs[i - 1], &refs[i], cmp) ||
		    (i >= 2 && same_key(&refs[i - 2], &refs[i - 1], cmp)))
			continue;
		if (!found || refs[i].idx < *second) {
			*first = refs[i - 1].idx;
			*second = refs[i].idx;
			found = true;
		}
	}
	return found;
}

static void fill_refs(struct key_ref *refs, const void *base, size_t size, size_t n)
{
	for (size_t i = 0; i < n; i++)
		refs[i] = (struct key_ref){ (const char *)base + i * size, i };
}

/* The refs of the ports that have an address of the family: ip (v6 false)
 * or ip6; returns how many. */
static size_t port_refs(struct key_ref *refs, const struct cfg_port *ports, size_t n, bool v6)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (v6 ? !addr6_is_zero(ports[i].ip6) : ports[i].ip != 0)
			refs[m++] = (struct key_ref){ &ports[i], i };
	return m;
}

/* Routes i (/32 or /128) onto a port's address in the route's VNI, ports
 * sorted by address in refs[0..m): the port's index, or SIZE_MAX. */
static size_t route_on_port(const struct key_ref *refs, size_t m, const struct cfg_route *r)
{
	size_t lo = 0, hi = m;

	/* lower bound of the route's address among the sorted port addresses */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct cfg_port *p = refs[mid].entry;
		int c = r->v6 ? memcmp(p->ip6, r->prefix6, 16) : cmp_u32(p->ip, r->prefix);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < m; lo++) {
		const struct cfg_port *p = refs[lo].entry;

		if (r->v6 ? memcmp(p->ip6, r->prefix6, 16) != 0 : p->ip != r->prefix)
			break;
		if (p->vni == r->vni)
			return refs[lo].idx;
	}
	return SIZE_MAX;
}

int config_find_conflict(const struct cfg_port *ports, size_t n_ports,
			 const struct cfg_route *routes, size_t n_routes,
			 struct cfg_conflict *c)
{
	size_t n = n_ports > n_routes ? n_ports : n_routes, m, m6, a, b;
	struct key_ref *refs, *refs6 = NULL;
	int ret = 0;

	c->kind = CFG_CONFLICT_NONE;
	if (n == 0)
		return 0;
	refs = calloc(n, sizeof(*refs));
	refs6 = calloc(n_ports + 1, sizeof(*refs6));
	if (!refs || !refs6) {
		free(refs);
		free(refs6);
		return -ENOMEM;
	}

	/* ports: the earliest port that repeats an ifname, an IP, an IPv6
	 * address or a MAC (a port without an address of a family has none
	 * to repeat) */
	c->second = SIZE_MAX;
	fill_refs(refs, ports, sizeof(*ports), n_ports);
	if (first_dup(refs, n_ports, cmp_ifname, &a, &b) && b < c->second)
		*c = (struct cfg_conflict){ CFG_CONFLICT_IFNAME, a, b };
	m = port_refs(refs, ports, n_ports, false);
	if (first_dup(refs, m, cmp_port_ip, &a, &b) && b < c->second)
		*c = (struct cfg_conflict){ CFG_CONFLICT_IP, a, b };
	m6 = port_refs(refs6, ports, n_ports, true);
	if (first_dup(refs6, m6, cmp_port_ip6, &a, &b) && b < c->second)
		*c = (struct cfg_conflict){ CFG_CONFLICT_IP6, a, b };
	m = 0;
	for (size_t i = 0; i < n_ports; i++) {
		if (!ports[i].mac_auto)
			refs[m++] = (struct key_ref){ &ports[i], i };
	}
	if (first_dup(refs, m, cmp_port_mac, &a, &b) && b < c->second)
		*c = (struct cfg_conflict){ CFG_CONFLICT_MAC, a, b };
	if (c->kind != CFG_CONFLICT_NONE) {
		ret = 1;
		goto out;
	}

	/* routes: the earliest route repeating another or a port's address
	 * (refs6 is still sorted by IPv6 address) */
	c->second = SIZE_MAX;
	fill_refs(refs, routes, sizeof(*routes), n_routes);
	if (first_dup(refs, n_routes, cmp_route, &a, &b))
		*c = (struct cfg_conflict){ CFG_CONFLICT_ROUTE, a, b };
	m = port_refs(refs, ports, n_ports, false);
	qsort(refs, m, sizeof(*refs), cmp_port_ip);
	for (size_t i = 0; i < n_routes && i < c->second; i++) {
		const struct cfg_route *r = &routes[i];
		size_t pi;

		if (r->prefixlen != (r->v6 ? 128 : 32))
			continue;
		pi = r->v6 ? route_on_port(refs6, m6, r) : route_on_port(refs, m, r);
		if (pi != SIZE_MAX) {
			c->kind = CFG_CONFLICT_ROUTE_PORT;
			c->first = pi;
			c->second = i;
		}
	}
	ret = c->kind != CFG_CONFLICT_NONE;
out:
	free(refs);
	free(refs6);
	return ret;
}

int config_fmt_conflict(const struct cfg_conflict *c, const struct cfg_port *ports,
			const struct cfg_route *routes, char *buf, size_t size)
{
	char a[CFG_ADDR_STRLEN], m[ADDR_MAC_STRLEN];
	const struct cfg_route *r;

	switch (c->kind) {
	case CFG_CONFLICT_NONE:
		return snprintf(buf, size, "no conflict");
	case CFG_CONFLICT_IFNAME:
		return snprintf(buf, size, "port %s is configured twice", ports[c->second].ifname);
	case CFG_CONFLICT_IP:
		return snprintf(buf, size, "ports %s and %s have the same IP %s",
				ports[c->first].ifname, ports[c->second].ifname,
				addr_fmt_ip(ports[c->second].ip, a));
	case CFG_CONFLICT_MAC:
		return snprintf(buf, size, "ports %s and %s have the same MAC %s in VNI %u",
				ports[c->first].ifname, ports[c->second].ifname,
				addr_fmt_mac(ports[c->second].mac, m), ports[c->second].vni);
	case CFG_CONFLICT_IP6:
		return snprintf(buf, size, "ports %s and %s have the same IPv6 address %s",
				ports[c->first].ifname, ports[c->second].ifname,
				addr6_fmt(ports[c->second].ip6, a));
	case CFG_CONFLICT_ROUTE:
		r = &routes[c->second];
		return snprintf(buf, size, "route %s in VNI %u is configured twice",
				config_route_fmt_prefix(r, a), r->vni);
	case CFG_CONFLICT_ROUTE_PORT:
		r = &routes[c->second];
		return snprintf(buf, size, "route %s in VNI %u is the address of local port %s",
				config_route_fmt_prefix(r, a), r->vni, ports[c->first].ifname);
	}
	return snprintf(buf, size, "conflict");
}

/* ------------------------------------------------------------ the file */

/* The error for a conflict in the file: the later entry's field, naming
 * the earlier entry by index. */
static int file_conflict(const struct vtep_config *cfg, const struct cfg_conflict *c, char *err)
{
	char p[JV_PATH_LEN], q[JV_PATH_LEN], a[CFG_ADDR_STRLEN];
	const struct cfg_port *pt = cfg->ports;
	const struct cfg_route *rt = cfg->routes;

	switch (c->kind) {
	case CFG_CONFLICT_IFNAME:
		return jv_fail(err, jv_key(q, jv_idx(p, "ports", c->second), "ifname"),
			       "%s is already ports[%zu]", pt[c->second].ifname, c->first);
	case CFG_CONFLICT_IP:
		return jv_fail(err, jv_key(q, jv_idx(p, "ports", c->second), "ip"),
			       "%s is already ports[%zu] (%s)", addr_fmt_ip(pt[c->second].ip, a),
			       c->first, pt[c->first].ifname);
	case CFG_CONFLICT_MAC:
		return jv_fail(err, jv_key(q, jv_idx(p, "ports", c->second), "mac"),
			       "%s is already ports[%zu] (%s) in VNI %u",
			       addr_fmt_mac(pt[c->second].mac, a), c->first, pt[c->first].ifname,
			       pt[c->second].vni);
	case CFG_CONFLICT_IP6:
		return jv_fail(err, jv_key(q, jv_idx(p, "ports", c->second), "ip6"),
			       "%s is already ports[%zu] (%s)", addr6_fmt(pt[c->second].ip6, a),
			       c->first, pt[c->first].ifname);
	case CFG_CONFLICT_ROUTE:
		return jv_fail(err, jv_key(q, jv_idx(p, "routes", c->second), "prefix"),
			       "%s in VNI %u is already routes[%zu]",
			       config_route_fmt_prefix(&rt[c->second], a), rt[c->second].vni,
			       c->first);
	case CFG_CONFLICT_ROUTE_PORT:
		return jv_fail(err, jv_key(q, jv_idx(p, "routes", c->second), "prefix"),
			       "%s is the address of ports[%zu] (%s)",
			       config_route_fmt_prefix(&rt[c->second], a), c->first,
			       pt[c->first].ifname);
	case CFG_CONFLICT_NONE:
		break;
	}
	return 0;
}

static int parse_array(struct json_object *root, const char *key, size_t elem, void **out,
		       size_t *n, char *err)
{
	struct json_object *v;
	int ret;

	*n = 0;
	if (!jv_get(root, key, &v))
		return 0;
	ret = jv_array(v, key, SIZE_MAX, n, err);
	if (ret || *n == 0)
		return ret;
	*out = calloc(*n, elem);
	if (!*out)
		return jv_fail(err, key, "out of memory"), -ENOMEM;
	return 0;
}

int config_parse_entries(struct json_object *root, struct vtep_config *cfg, char *err)
{
	struct json_object *ports = NULL, *routes = NULL;
	struct cfg_conflict c;
	char p[JV_PATH_LEN];
	size_t n_ports, n_routes;
	int ret;

	jv_get(root, "ports", &ports);
	jv_get(root, "routes", &routes);
	ret = parse_array(root, "ports", sizeof(*cfg->ports), (void **)&cfg->ports, &n_ports, err);
	if (ret)
		return ret;
	if (n_ports > cfg->limit_ports)
		return jv_fail(err, "ports", "%zu ports exceed limits.ports (%u)",
			       n_ports, cfg->limit_ports);
	for (size_t i = 0; i < n_ports; i++) {
		jv_idx(p, "ports", i);
		ret = config_port_from_json(json_object_array_get_idx(ports, i), p, &cfg->ports[i],
					    err);
		if (!ret)
			ret = config_check_port(cfg, &cfg->ports[i], p, err);
		if (ret)
			return ret;
		cfg->n_ports = i + 1;
	}
	ret = parse_array(root, "routes", sizeof(*cfg->routes), (void **)&cfg->routes, &n_routes,
			  err);
	if (ret)
		return ret;
	/* every port is also a /32 route in vtep_routes */
	if (n_ports + n_routes > cfg->limit_routes)
		return jv_fail(err, "routes", "%zu ports and %zu routes exceed limits.routes (%u)",
			       n_ports, n_routes, cfg->limit_routes);
	for (size_t i = 0; i < n_routes; i++) {
		jv_idx(p, "routes", i);
		ret = config_route_from_json(json_object_array_get_idx(routes, i), p,
					     &cfg->routes[i], err);
		if (!ret)
			ret = config_check_route(cfg, &cfg->routes[i], p, err);
		if (ret)
			return ret;
		cfg->n_routes = i + 1;
	}
	ret = config_find_conflict(cfg->ports, cfg->n_ports, cfg->routes, cfg->n_routes, &c);
	if (ret < 0)
		return jv_fail(err, NULL, "out of memory"), ret;
	return ret ? file_conflict(cfg, &c, err) : 0;
}
