/* control_bgp.c - the replies of the BGP commands (peers, bgp.routes): the
 * daemon's peer table and RIB paths turned into the JSON `vtepctl -j` shows.
 *
 * The arguments are read with control_dispatch.c's readers (control_priv.h);
 * control_dispatch() calls these handlers.
 */
#include "control_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "addr.h"
#include "addr6.h"
#include "bgp_peer.h"
#include "config.h"
#include "evpn_nlri.h"
#include "rib.h"

#define CONTROL_MAX_PEERS   4096

int control_do_peers(struct req *r)
{
	static const char *const keys[] = { NULL };
	struct bgp_peer_info *p = NULL;
	size_t max = 64, n;
	int ret = -ENOMEM;

	if (control_check_keys(r, keys))
		return -EINVAL;
	/* daemon_peers() returns how many peers exist, which may exceed max. */
	for (;;) {
		struct bgp_peer_info *np = realloc(p, max * sizeof(*p));

		if (!np)
			goto out;
		p = np;
		memset(p, 0, max * sizeof(*p));
		n = r->ops->peers(r->d, p, max);
		if (n <= max || max >= CONTROL_MAX_PEERS)
			break;
		max = n < CONTROL_MAX_PEERS ? n : CONTROL_MAX_PEERS;
	}
	if (n > max)
		n = max;
	r->data = json_object_new_array();
	if (!r->data)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		char a[ADDR_IP_STRLEN];

		if (!o || json_object_array_add(r->data, o)) {
			json_object_put(o);
			goto out;
		}
		json_object_object_add(o, "address",
				       json_object_new_string(addr_fmt_ip(p[i].address, a)));
		json_object_object_add(o, "asn", json_object_new_int64(p[i].asn));
		json_object_object_add(o, "state",
				       json_object_new_string(bgp_state_name(p[i].state)));
		json_object_object_add(o, "uptime_s", json_object_new_int64((int64_t)p[i].uptime_s));
		json_object_object_add(o, "prefixes_received",
				       json_object_new_int64((int64_t)p[i].prefixes_received));
		/* Beyond DESIGN.md's keys (additive): announcements no VNI
		 * imports, since vtepd started. */
		json_object_object_add(o, "routes_rejected",
				       json_object_new_int64((int64_t)p[i].routes_rejected));
	}
	ret = 0;
out:
	if (ret)
		snprintf(r->err, sizeof(r->err), "out of memory");
	free(p);
	return ret;
}

/* One RIB path as `vtepctl -j bgp routes` shows it: the keys of the table
 * (vni, prefix, vtep, mac, peer, seq) and the attributes behind them. */
static int bgp_route_json(void *ctx, const struct rib_route_info *ri, uint32_t peer)
{
	struct json_object *arr = ctx, *o = json_object_new_object(), *rts;
	const struct evpn_route *rt = &ri->route;
	char a[ADDR6_PREFIX_STRLEN], m[ADDR_MAC_STRLEN], rd[EVPN_RD_STRLEN], t[CFG_RT_STRLEN];
	unsigned i;

	if (!o || json_object_array_add(arr, o)) {
		json_object_put(o);
		return -ENOMEM;
	}
	json_object_object_add(o, "vni", json_object_new_int64(ri->vni));
	json_object_object_add(o, "type", json_object_new_int(rt->type));
	/* type 2: the host route (null when MAC only); type 5: the prefix;
	 * type 3: none. */
	if ((rt->type == EVPN_RT_MACIP || rt->type == EVPN_RT_PREFIX) && rt->ip.len == 4)
		json_object_object_add(o, "prefix", json_object_new_string(addr_fmt_prefix(
			rt->ip.v4, rt->type == EVPN_RT_PREFIX ? rt->prefix_len : 32, a)));
	else if ((rt->type == EVPN_RT_MACIP || rt->type == EVPN_RT_PREFIX) && rt->ip.len == 16)
		json_object_object_add(o, "prefix", json_object_new_string(addr6_fmt_prefix(
			rt->ip.v6, rt->type == EVPN_RT_PREFIX ? rt->prefix_len : 128, a)));
	else
		json_object_object_add(o, "prefix", NULL);
	json_object_object_add(o, "vtep", ri->vtep ? json_object_new_string(
				       addr_fmt_ip(ri->vtep, a)) : NULL);
	json_object_object_add(o, "mac", rt->type == EVPN_RT_MACIP ? json_object_new_string(
				       addr_fmt_mac(rt->mac, m)) : NULL);
	json_object_object_add(o, "peer", json_object_new_string(
				       peer ? addr_fmt_ip(peer, a) : "local"));
	json_object_object_add(o, "seq", json_object_new_int64(ri->seq));
	json_object_object_add(o, "sticky", json_object_new_boolean(ri->sticky));
	json_object_object_add(o, "rd", json_object_new_string(evpn_rd_fmt(rt->rd, rd)));
	rts = json_object_new_array();
	for (i = 0; rts && i < ri->n_rt && i < RIB_MAX_RT; i++) {
		config_fmt_rt(ri->rt[i], t);
		json_object_array_add(rts, json_object_new_string(t));
	}
	json_object_object_add(o, "route_targets", rts);
	json_object_object_add(o, "label", json_object_new_int64(rt->n_labels ?
				       evpn_label_vni(rt->label[0]) : 0));
	json_object_object_add(o, "best", json_object_new_boolean(ri->best));
	json_object_object_add(o, "stale", json_object_new_boolean(ri->stale));
	json_object_object_add(o, "frozen", json_object_new_boolean(ri->frozen));
	json_object_object_add(o, "pending", json_object_new_boolean(ri->pending));
	json_object_object_add(o, "duplicate", json_object_new_boolean(ri->duplicate));
	json_object_object_add(o, "local_pref", json_object_new_int64(ri->local_pref));
	json_object_object_add(o, "router_mac", ri->has_router_mac ? json_object_new_string(
				       addr_fmt_mac(ri->router_mac, m)) : NULL);
	return 0;
}

/* The RIB walk's paths, collected so that they can be sorted: the RIB walks
 * its hash tables in no useful order. */
struct bgp_path {
	struct rib_route_info ri;
	uint32_t peer;              /* address, network order; 0 = ours */
};

struct bgp_paths {
	struct bgp_path *p;
	size_t n, cap;
	bool by_prefix;             /* only routes of this prefix (type 2 IP /32 or /128, type 5) */
	struct cfg_route prefix;    /* its family, address and length */
};

static bool path_has_prefix(const struct rib_route_info *ri, const struct cfg_route *want)
{
	const struct evpn_route *rt = &ri->route;

	if (want->v6 ? rt->ip.len != 16 || memcmp(rt->ip.v6, want->prefix6, 16)
		     : rt->ip.len != 4 || rt->ip.v4 != want->prefix)
		return false;
	if (rt->type == EVPN_RT_MACIP)
		return want->prefixlen == (want->v6 ? 128 : 32);
	return rt->type == EVPN_RT_PREFIX && rt->prefix_len == want->prefixlen;
}

static int bgp_path_add(void *ctx, const struct rib_route_info *ri, uint32_t peer)
{
	struct bgp_paths *ps = ctx;

	if (ps->by_prefix && !path_has_prefix(ri, &ps->prefix))
		return 0;
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 64;
		struct bgp_path *np = realloc(ps->p, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		ps->p = np;
		ps->cap = cap;
	}
	ps->p[ps->n].ri = *ri;
	ps->p[ps->n++].peer = peer;
	return 0;
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

/* VNI, route type, MAC, IP (numerically, then prefix length), RD, peer
 * (ours first, then by address): one destination's paths end up together. */
static int bgp_path_cmp(const void *pa, const void *pb)
{
	const struct bgp_path *a = pa, *b = pb;
	const struct evpn_route *x = &a->ri.route, *y = &b->ri.route;
	int c;

	if ((c = cmp_u32(a->ri.vni, b->ri.vni)) || (c = cmp_u32(x->type, y->type)) ||
	    (c = memcmp(x->mac, y->mac, sizeof(x->mac))) ||
	    (c = cmp_u32(x->ip.len, y->ip.len)) ||
	    (c = x->ip.len == 16 ? memcmp(x->ip.v6, y->ip.v6, 16)
				 : cmp_u32(ntohl(x->ip.v4), ntohl(y->ip.v4))) ||
	    (c = cmp_u32(x->prefix_len, y->prefix_len)) ||
	    (c = memcmp(x->rd, y->rd, sizeof(x->rd))))
		return c;
	return cmp_u32(ntohl(a->peer), ntohl(b->peer));
}

/* Our own paths enter the RIB from the ports, without attributes: show the
 * route target evpn_export attaches when it advertises them. */
static void bgp_path_local_rt(const struct vtep_config *cfg, struct rib_route_info *ri)
{
	const struct cfg_vni *v;

	if (!cfg || ri->n_rt || !(v = config_find_vni(cfg, ri->vni)))
		return;
	if (!config_vni_rt(cfg, v, ri->rt[0]))
		ri->n_rt = 1;
}

int control_do_bgp_routes(struct req *r)
{
	static const char *const keys[] = { "vni", "peer", "prefix", NULL };
	const struct vtep_config *cfg;
	struct bgp_paths ps = { 0 };
	uint32_t vni = 0, peer = 0;
	int ret;

	if (control_check_keys(r, keys) || control_arg_vni(r, false, NULL, &vni) ||
	    control_arg_host_ip(r, "peer", false, NULL, &peer))
		return -EINVAL;
	if (json_object_object_get_ex(r->args, "prefix", NULL)) {
		if (control_arg_route_prefix(r, &ps.prefix))
			return -EINVAL;
		ps.by_prefix = true;
	}
	r->data = json_object_new_array();
	if (!r->data)
		return -ENOMEM;
	ret = r->ops->bgp_routes ? r->ops->bgp_routes(r->d, vni, peer, bgp_path_add, &ps)
				 : -ENOTSUP;
	if (ret == -ENOTSUP) {
		r->note = "BGP is not configured: no BGP routes to show";
		ret = 0;
		goto out;
	}
	if (ret)
		goto out;
	if (ps.n)
		qsort(ps.p, ps.n, sizeof(*ps.p), bgp_path_cmp);
	cfg = r->ops->config ? r->ops->config(r->d) : NULL;
	for (size_t i = 0; i < ps.n && !ret; i++) {
		if (!ps.p[i].peer)
			bgp_path_local_rt(cfg, &ps.p[i].ri);
		ret = bgp_route_json(r->data, &ps.p[i].ri, ps.p[i].peer);
	}
out:
	if (ret)
		snprintf(r->err, sizeof(r->err), "%s", strerror(-ret));
	free(ps.p);
	return ret;
}
