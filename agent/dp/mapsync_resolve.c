/* mapsync_resolve.c - resolve: what the intent (local ports, static routes,
 * the BGP side's answers) wants at one map key, with the precedence of
 * mapsync.h; and whether an entry found in a map is ours (ms_ours) or the
 * BGP side's (ms_is_bgp).
 */
#include "mapsync_priv.h"

#include "addr.h"

/* ---- resolve: what the intent wants at one key ---------------------------- */

/* The attached port at (vni, ip), or NULL. */
static const struct vtep_port *local_at_ip(const struct mapsync *ms, uint32_t vni, uint32_t ip,
					   uint32_t *ifindex)
{
	struct vtep_route_key k = ms_route_key(vni, ip);
	const uint32_t *idx = hashmap_get(&ms->local_ip, &k);

	if (!idx)
		return NULL;
	*ifindex = *idx;
	return hashmap_get(&ms->ports, idx);
}

/* The BGP side's answer at a key: the one it left in the dirty entry when it
 * marked the key (computed while its tables were hot in the cache), else
 * asked now. */
static bool bgp_route(const struct mapsync *ms, const struct vtep_route_key *k,
		      const struct ms_dirty *d, struct vtep_route *out, bool *over)
{
	*over = false;
	if (d && (d->flags & MS_DIRTY_ANSWER)) {
		*over = d->flags & MS_DIRTY_OVER;
		*out = d->ans.r;
		return d->flags & MS_DIRTY_WANT;
	}
	return ms->bgp.route && ms->bgp.route(ms->bgp.ctx, k, out, over);
}

static bool bgp_fdb(const struct mapsync *ms, const struct vtep_fdb_key *k,
		    const struct ms_dirty *d, struct vtep_fdb *out, bool *over)
{
	*over = false;
	if (d && (d->flags & MS_DIRTY_ANSWER)) {
		*over = d->flags & MS_DIRTY_OVER;
		*out = d->ans.f;
		return d->flags & MS_DIRTY_WANT;
	}
	return ms->bgp.fdb && ms->bgp.fdb(ms->bgp.ctx, k, out, over);
}

static bool bgp_prefix(const struct mapsync *ms, const struct vtep_prefix_key *k,
		       const struct ms_dirty *d, struct vtep_route *out)
{
	if (d && (d->flags & MS_DIRTY_ANSWER)) {
		*out = d->ans.r;
		return d->flags & MS_DIRTY_WANT;
	}
	return ms->bgp.prefix && ms->bgp.prefix(ms->bgp.ctx, k, out);
}

static bool want_route(const struct mapsync *ms, const struct vtep_route_key *k,
		       const struct ms_dirty *d, struct vtep_route *out)
{
	const struct vtep_port *p;
	struct ms_st_key sk;
	const struct ms_st_val *st;
	uint32_t ifindex;
	bool over;

	memset(out, 0, sizeof(*out));
	p = local_at_ip(ms, k->vni, k->ip, &ifindex);
	if (p) {
		/* A local workload whose MAC is not known yet hides any static
		 * or BGP route to its IP but cannot be delivered to: no entry. */
		if (addr_mac_is_zero(p->mac))
			return false;
		/* The workload moved to another VTEP (RFC 7432 15): the
		 * remote route with the higher sequence wins. */
		if (bgp_route(ms, k, d, out, &over) && over)
			return true;
		memset(out, 0, sizeof(*out));
		out->ifindex = ifindex;
		memcpy(out->mac, p->mac, 6);
		out->source = VTEP_SRC_LOCAL;
		return true;
	}
	sk = ms_static_key(k->vni, k->ip, 32);
	st = ms->statics.count ? hashmap_get(&ms->statics, &sk) : NULL;
	if (!st)
		return bgp_route(ms, k, d, out, &over);
	out->vtep = st->vtep;
	memcpy(out->mac, st->mac, 6);
	out->source = VTEP_SRC_STATIC;
	return true;
}

static bool want_prefix(const struct mapsync *ms, const struct vtep_prefix_key *k,
			const struct ms_dirty *d, struct vtep_route *out)
{
	struct ms_st_key sk;
	const struct ms_st_val *st;

	memset(out, 0, sizeof(*out));
	if (k->prefixlen < 32 || k->prefixlen > 64)
		return false;
	/* Static /32s live in vtep_routes; a BGP type-5 /32 is a prefix. */
	sk = ms_static_key(ntohl(k->vni), k->ip, k->prefixlen - 32);
	st = k->prefixlen < 64 ? hashmap_get(&ms->statics, &sk) : NULL;
	if (!st)
		return bgp_prefix(ms, k, d, out);
	out->vtep = st->vtep;
	memcpy(out->mac, st->mac, 6);
	out->source = VTEP_SRC_STATIC;
	return true;
}

static bool want_fdb(const struct mapsync *ms, const struct vtep_fdb_key *k,
		     const struct ms_dirty *d, struct vtep_fdb *out)
{
	const uint32_t *idx = hashmap_get(&ms->local_mac, k);
	bool over;

	memset(out, 0, sizeof(*out));
	if (idx) {
		if (bgp_fdb(ms, k, d, out, &over) && over)
			return true; /* moved away (RFC 7432 15) */
		memset(out, 0, sizeof(*out));
		out->ifindex = *idx;
		out->source = VTEP_SRC_LOCAL;
		return true;
	}
	return bgp_fdb(ms, k, d, out, &over);
}

static bool want_remote(const struct mapsync *ms, const uint32_t *vtep, struct vtep_remote *out)
{
	const uint32_t *refs = hashmap_get(&ms->st_remote, vtep);
	uint32_t bgp = ms->bgp.remote_refs ? ms->bgp.remote_refs(ms->bgp.ctx, *vtep) : 0;

	memset(out, 0, sizeof(*out));
	if (refs) {
		out->refs = *refs;
		out->sources = 1u << VTEP_SRC_STATIC;
	}
	if (bgp) {
		out->refs += bgp;
		out->sources |= 1u << VTEP_SRC_BGP;
	}
	return out->sources != 0;
}

/* d: the key's dirty entry when it has one (a cached BGP answer), or NULL. */
bool ms_want(const struct mapsync *ms, enum ms_map m, const void *key,
	     const struct ms_dirty *d, void *val)
{
	const void *v;

	switch (m) {
	case MS_VNIS:
	case MS_PORTS:
		v = hashmap_get(m == MS_VNIS ? &ms->vnis : &ms->ports, key);
		if (v)
			memcpy(val, v, ms_descs[m].val_size);
		return v != NULL;
	case MS_ROUTES:
		return want_route(ms, key, d, val);
	case MS_PREFIXES:
		return want_prefix(ms, key, d, val);
	case MS_FDB:
		return want_fdb(ms, key, d, val);
	case MS_REMOTES:
		return want_remote(ms, key, val);
	case MS_ROUTES6:
	case MS_PREFIXES6:
		return ms6_want(ms, m, key, d, val);
	default:
		return false;
	}
}

bool mapsync_want_route(const struct mapsync *ms, const struct vtep_route_key *k,
			struct vtep_route *out)
{
	return want_route(ms, k, NULL, out);
}

bool mapsync_want_fdb(const struct mapsync *ms, const struct vtep_fdb_key *k,
		      struct vtep_fdb *out)
{
	return want_fdb(ms, k, NULL, out);
}

/* Is an entry found in the map BGP-sourced? */
bool ms_is_bgp(enum ms_map m, const void *val)
{
	int off = ms_descs[m].src_off;

	if (off == MS_OWNED_ALL)
		return false;
	if (off == MS_OWNED_REM)
		return ((const struct vtep_remote *)val)->sources & (1u << VTEP_SRC_BGP);
	return ((const uint8_t *)val)[off] == VTEP_SRC_BGP;
}

/* Is an entry found in the map ours to delete or overwrite? BGP entries are
 * once adopted (mapsync_bgp_adopt) or when the BGP side touched the key. */
bool ms_ours(const struct mapsync *ms, enum ms_map m, const void *val, bool bgp_touched)
{
	int off = ms_descs[m].src_off;
	uint8_t src;

	if (off == MS_OWNED_ALL)
		return true;
	if (ms_is_bgp(m, val))
		return ms->bgp_adopted || bgp_touched;
	if (off == MS_OWNED_REM)
		return true;
	src = ((const uint8_t *)val)[off];
	return src == VTEP_SRC_LOCAL || src == VTEP_SRC_STATIC;
}
