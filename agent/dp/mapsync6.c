/* mapsync6.c - the IPv6 maps' intent (mapsync_priv.h, "IPv6"): the local
 * ports' IPv6 addresses, the IPv6 static routes, and what the intent wants
 * at a key of vtep_routes6 and vtep_prefixes6, with the precedence of the
 * IPv4 maps (mapsync.h): a local port, then a static route, then BGP,
 * except that a local workload that lost to a remote route by MAC mobility
 * (RFC 7432 15) yields to it. The dirty set, the flush and the reconcile
 * are the IPv4 ones (enum ms_map has MS_ROUTES6 and MS_PREFIXES6); mapsync.c
 * and mapsync_resolve.c call in here for the IPv6 part of a port, a route
 * or a key.
 *
 * A port's link-local address (vtep_port.ip6_ll) is not a route: the
 * datapath reads it from vtep_ports for the port's own traffic, and nothing
 * is forwarded to a link-local address (it names an interface, RFC 4291
 * 2.5.6, and every port is a link of its own).
 */
#include "mapsync_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "addr.h"
#include "addr6.h"

_Static_assert(sizeof(struct vtep_route6_key) <= MS_MAX_ENTRY, "route6 key fits");
_Static_assert(sizeof(struct vtep_prefix6_key) <= MS_MAX_ENTRY, "prefix6 key fits");

/* hashmap keys are compared with memcmp: padding zeroed. */
static struct ms_st6_key st6_key(uint32_t vni, const uint8_t prefix[16], uint8_t len)
{
	struct ms_st6_key k;

	memset(&k, 0, sizeof(k));
	k.vni = vni;
	addr6_mask(k.prefix, prefix, len);
	k.len = len;
	return k;
}

int ms6_init(struct mapsync *ms)
{
	int err;

	err = hashmap_init(&ms->local_ip6, sizeof(struct vtep_route6_key), sizeof(uint32_t), 0);
	return err ?: hashmap_init(&ms->statics6, sizeof(struct ms_st6_key),
				   sizeof(struct ms_st_val), 0);
}

void ms6_free(struct mapsync *ms)
{
	hashmap_free(&ms->local_ip6);
	hashmap_free(&ms->statics6);
}

/* ---- ports ---------------------------------------------------------------------- */

int ms6_index_port(struct mapsync *ms, uint32_t ifindex, const struct vtep_port *p)
{
	struct vtep_route6_key k;

	if (addr6_is_zero(p->ip6))
		return 0;
	k = ms_route6_key(p->vni, p->ip6);
	return hashmap_put(&ms->local_ip6, &k, &ifindex, NULL) ? 0 : -ENOMEM;
}

void ms6_unindex_port(struct mapsync *ms, uint32_t ifindex, const struct vtep_port *p)
{
	struct vtep_route6_key k;
	const uint32_t *idx;

	if (addr6_is_zero(p->ip6))
		return;
	k = ms_route6_key(p->vni, p->ip6);
	idx = hashmap_get(&ms->local_ip6, &k);
	if (idx && *idx == ifindex)
		hashmap_del(&ms->local_ip6, &k);
}

int ms6_dirty_port(struct mapsync *ms, const struct vtep_port *p)
{
	struct vtep_route6_key k;

	if (addr6_is_zero(p->ip6))
		return 0;
	k = ms_route6_key(p->vni, p->ip6);
	return ms_dirty(ms, MS_ROUTES6, &k);
}

/* ---- static routes ------------------------------------------------------------------ */

static int st6_dirty(struct mapsync *ms, const struct ms_st6_key *k, const struct ms_st_val *v)
{
	int err;

	if (k->len == 128) {
		struct vtep_route6_key rk = ms_route6_key(k->vni, k->prefix);

		err = ms_dirty(ms, MS_ROUTES6, &rk);
	} else {
		struct vtep_prefix6_key pk = ms_prefix6_key(k->vni, k->prefix, (uint8_t)k->len);

		err = ms_dirty(ms, MS_PREFIXES6, &pk);
	}
	return err ?: ms_dirty(ms, MS_REMOTES, &v->vtep);
}

/* A static route's share of the remotes' reference counts (shared with
 * IPv4: a VTEP is accepted while any route names it). */
static int st6_refs(struct mapsync *ms, uint32_t vtep, int delta)
{
	uint32_t *refs;

	if (delta > 0) {
		refs = hashmap_put(&ms->st_remote, &vtep, NULL, NULL);
		if (!refs)
			return -ENOMEM;
		(*refs)++;
		return 0;
	}
	refs = hashmap_get(&ms->st_remote, &vtep);
	if (refs && --(*refs) == 0)
		hashmap_del(&ms->st_remote, &vtep);
	return 0;
}

int ms6_route_add(struct mapsync *ms, const struct mapsync_route *r)
{
	struct ms_st6_key k;
	struct ms_st_val v, *cur;
	int err;

	if (r->prefixlen > 128)
		return -EINVAL;
	k = st6_key(r->vni, r->prefix6, r->prefixlen);
	memset(&v, 0, sizeof(v));
	v.vtep = r->vtep;
	memcpy(v.mac, r->mac, 6);
	cur = hashmap_get(&ms->statics6, &k);
	if (cur) {
		struct ms_st_val old = *cur;

		st6_refs(ms, old.vtep, -1);
		if ((err = st6_dirty(ms, &k, &old)))
			return err;
	}
	if (!hashmap_put(&ms->statics6, &k, &v, NULL))
		return -ENOMEM;
	if ((err = st6_refs(ms, v.vtep, 1)))
		return err;
	return st6_dirty(ms, &k, &v);
}

int ms6_route_del(struct mapsync *ms, uint32_t vni, const uint8_t prefix[16], uint8_t len)
{
	struct ms_st6_key k = st6_key(vni, prefix, len);
	struct ms_st_val *cur = hashmap_get(&ms->statics6, &k), old;

	if (!cur)
		return -ENOENT;
	old = *cur;
	hashmap_del(&ms->statics6, &k);
	st6_refs(ms, old.vtep, -1);
	return st6_dirty(ms, &k, &old);
}

static void st6_to_route(const struct ms_st6_key *k, const struct ms_st_val *v,
			 struct mapsync_route *out)
{
	memset(out, 0, sizeof(*out));
	out->vni = k->vni;
	out->v6 = true;
	memcpy(out->prefix6, k->prefix, 16);
	out->prefixlen = (uint8_t)k->len;
	out->vtep = v->vtep;
	memcpy(out->mac, v->mac, 6);
}

bool ms6_route_get(const struct mapsync *ms, uint32_t vni, const uint8_t prefix[16],
		   uint8_t len, struct mapsync_route *out)
{
	struct ms_st6_key k = st6_key(vni, prefix, len);
	const struct ms_st_val *v = hashmap_get(&ms->statics6, &k);

	if (v && out)
		st6_to_route(&k, v, out);
	return v != NULL;
}

bool ms6_route_next(const struct mapsync *ms, size_t *pos, struct mapsync_route *out)
{
	const void *k;
	void *v;

	k = hashmap_next(&ms->statics6, pos, &v);
	if (!k)
		return false;
	st6_to_route(k, v, out);
	return true;
}

int ms6_dirty_statics(struct mapsync *ms)
{
	size_t pos = 0;
	const void *k;
	void *v;
	int err;

	while ((k = hashmap_next(&ms->statics6, &pos, &v)))
		if ((err = st6_dirty(ms, k, v)))
			return err;
	return 0;
}

/* ---- resolve ---------------------------------------------------------------------- */

/* The BGP side's answer at a key: cached in the dirty entry, or asked. */
static bool bgp_route6(const struct mapsync *ms, const struct vtep_route6_key *k,
		       const struct ms_dirty *d, struct vtep_route *out, bool *over)
{
	*over = false;
	if (d && (d->flags & MS_DIRTY_ANSWER)) {
		*over = d->flags & MS_DIRTY_OVER;
		*out = d->ans.r;
		return d->flags & MS_DIRTY_WANT;
	}
	return ms->bgp.route6 && ms->bgp.route6(ms->bgp.ctx, k, out, over);
}

static bool bgp_prefix6(const struct mapsync *ms, const struct vtep_prefix6_key *k,
			const struct ms_dirty *d, struct vtep_route *out)
{
	if (d && (d->flags & MS_DIRTY_ANSWER)) {
		*out = d->ans.r;
		return d->flags & MS_DIRTY_WANT;
	}
	return ms->bgp.prefix6 && ms->bgp.prefix6(ms->bgp.ctx, k, out);
}

static bool want_route6(const struct mapsync *ms, const struct vtep_route6_key *k,
			const struct ms_dirty *d, struct vtep_route *out)
{
	const uint32_t *idx = hashmap_get(&ms->local_ip6, k);
	const struct vtep_port *p = idx ? hashmap_get(&ms->ports, idx) : NULL;
	const struct ms_st_val *st;
	struct ms_st6_key sk;
	bool over;

	memset(out, 0, sizeof(*out));
	if (p) {
		/* As for IPv4: a workload whose MAC is not known yet hides
		 * other routes to its address but cannot be delivered to. */
		if (addr_mac_is_zero(p->mac))
			return false;
		/* It moved to another VTEP (RFC 7432 15). */
		if (bgp_route6(ms, k, d, out, &over) && over)
			return true;
		memset(out, 0, sizeof(*out));
		out->ifindex = *idx;
		memcpy(out->mac, p->mac, 6);
		out->source = VTEP_SRC_LOCAL;
		return true;
	}
	sk = st6_key(k->vni, k->ip, 128);
	st = hashmap_count(&ms->statics6) ? hashmap_get(&ms->statics6, &sk) : NULL;
	if (!st)
		return bgp_route6(ms, k, d, out, &over);
	out->vtep = st->vtep;
	memcpy(out->mac, st->mac, 6);
	out->source = VTEP_SRC_STATIC;
	return true;
}

static bool want_prefix6(const struct mapsync *ms, const struct vtep_prefix6_key *k,
			 const struct ms_dirty *d, struct vtep_route *out)
{
	const struct ms_st_val *st = NULL;
	struct ms_st6_key sk;

	memset(out, 0, sizeof(*out));
	if (k->prefixlen < 32 || k->prefixlen > 32 + 128)
		return false;
	/* Static /128s live in vtep_routes6; a BGP type-5 /128 is a prefix. */
	if (k->prefixlen < 32 + 128) {
		sk = st6_key(ntohl(k->vni), k->ip, (uint8_t)(k->prefixlen - 32));
		st = hashmap_get(&ms->statics6, &sk);
	}
	if (!st)
		return bgp_prefix6(ms, k, d, out);
	out->vtep = st->vtep;
	memcpy(out->mac, st->mac, 6);
	out->source = VTEP_SRC_STATIC;
	return true;
}

bool ms6_want(const struct mapsync *ms, enum ms_map m, const void *key,
	      const struct ms_dirty *d, void *val)
{
	if (m == MS_ROUTES6)
		return want_route6(ms, key, d, val);
	if (m == MS_PREFIXES6)
		return want_prefix6(ms, key, d, val);
	return false;
}

bool mapsync_want_route6(const struct mapsync *ms, const struct vtep_route6_key *k,
			 struct vtep_route *out)
{
	return want_route6(ms, k, NULL, out);
}

bool mapsync_want_prefix6(const struct mapsync *ms, const struct vtep_prefix6_key *k,
			  struct vtep_route *out)
{
	return want_prefix6(ms, k, NULL, out);
}

const char *ms6_fmt_key(enum ms_map m, const void *key, char *buf, size_t len)
{
	char a[ADDR6_STRLEN];

	if (m == MS_ROUTES6) {
		const struct vtep_route6_key *k = key;

		snprintf(buf, len, "vni %u %s", k->vni, addr6_fmt(k->ip, a));
	} else {
		const struct vtep_prefix6_key *k = key;

		snprintf(buf, len, "vni %u %s/%u", ntohl(k->vni), addr6_fmt(k->ip, a),
			 k->prefixlen - 32);
	}
	return buf;
}

/* ---- the BGP side ------------------------------------------------------------------- */

int mapsync_bgp_touch_route6(struct mapsync *ms, const struct vtep_route6_key *k)
{
	return ms_dirty_bgp(ms, MS_ROUTES6, k);
}

int mapsync_bgp_touch_prefix6(struct mapsync *ms, const struct vtep_prefix6_key *k)
{
	return ms_dirty_bgp(ms, MS_PREFIXES6, k);
}

int mapsync_bgp_set_route6(struct mapsync *ms, const struct vtep_route6_key *k,
			   const struct vtep_route *v, bool over_local)
{
	return ms_dirty_bgp_ans(ms, MS_ROUTES6, k, true, v, sizeof(*v), over_local);
}

int mapsync_bgp_set_prefix6(struct mapsync *ms, const struct vtep_prefix6_key *k,
			    const struct vtep_route *v)
{
	return ms_dirty_bgp_ans(ms, MS_PREFIXES6, k, true, v, sizeof(*v), false);
}
