/* mapsync.c - see mapsync.h; the shared insides are in mapsync_priv.h.
 *
 * Layout: the map descriptions, then the dirty set (the keys to resolve and
 * write at the next flush, in the order first marked), then the public
 * intent edits that mark them, then the BGP side's entry points.
 * Resolving is mapsync_resolve.c's, writing mapsync_flush.c's, reconciling
 * with what the maps hold mapsync_reconcile.c's.
 */
#include "mapsync_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "addr.h"

const struct ms_desc ms_descs[MS_NMAPS] = {
	[MS_VNIS] = { VTEP_MAP_VNIS, sizeof(__u32), sizeof(struct vtep_vni), MS_OWNED_ALL },
	[MS_PORTS] = { VTEP_MAP_PORTS, sizeof(__u32), sizeof(struct vtep_port), MS_OWNED_ALL },
	[MS_ROUTES] = { VTEP_MAP_ROUTES, sizeof(struct vtep_route_key), sizeof(struct vtep_route),
			offsetof(struct vtep_route, source) },
	[MS_PREFIXES] = { VTEP_MAP_PREFIXES, sizeof(struct vtep_prefix_key),
			  sizeof(struct vtep_route), offsetof(struct vtep_route, source) },
	[MS_FDB] = { VTEP_MAP_FDB, sizeof(struct vtep_fdb_key), sizeof(struct vtep_fdb),
		     offsetof(struct vtep_fdb, source) },
	[MS_REMOTES] = { VTEP_MAP_REMOTES, sizeof(__u32), sizeof(struct vtep_remote),
			 MS_OWNED_REM },
	[MS_ROUTES6] = { VTEP_MAP_ROUTES6, sizeof(struct vtep_route6_key),
			 sizeof(struct vtep_route), offsetof(struct vtep_route, source) },
	[MS_PREFIXES6] = { VTEP_MAP_PREFIXES6, sizeof(struct vtep_prefix6_key),
			   sizeof(struct vtep_route), offsetof(struct vtep_route, source) },
};

/* ---- the dirty set ---------------------------------------------------------- */

static void ms_dq_init(struct ms_dq *q, enum ms_map m)
{
	q->doff = (ms_descs[m].key_size + 3) & ~(size_t)3;
	q->stride = q->doff + ((ms_dirty_size(m) + 3) & ~(size_t)3);
}

/* The flags (first byte of struct ms_dirty) of key's dirty entry, which is
 * appended (zeroed) when the key is not dirty yet; NULL without memory. */
static uint8_t *ms_dirty_entry(struct mapsync *ms, enum ms_map m, const void *key)
{
	struct ms_dq *q = &ms->dq[m];
	uint32_t *ix;
	bool created;

	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		uint8_t *nb = realloc(q->buf, cap * q->stride);

		if (!nb)
			return NULL;
		q->buf = nb;
		q->cap = cap;
	}
	ix = hashmap_put(&ms->dirty[m], key, NULL, &created);
	if (!ix)
		return NULL;
	if (created) {
		*ix = (uint32_t)q->n++;
		memset(ms_dq_key(q, *ix), 0, q->stride);
		memcpy(ms_dq_key(q, *ix), key, ms_descs[m].key_size);
	}
	return ms_dq_flags(q, *ix);
}

int ms_dirty(struct mapsync *ms, enum ms_map m, const void *key)
{
	if (ms->fd[m] < 0)
		return 0;
	return ms_dirty_entry(ms, m, key) ? 0 : -ENOMEM;
}

/* Marks a key for the BGP side, with its answer (ans: the entry, or NULL for
 * none) or, with has_ans false, to be asked at flush time. */
int ms_dirty_bgp_ans(struct mapsync *ms, enum ms_map m, const void *key, bool has_ans,
		     const void *ans, size_t ans_size, bool over)
{
	struct ms_dirty *d;
	uint8_t *f;

	if (ms->fd[m] < 0)
		return 0;
	f = ms_dirty_entry(ms, m, key);
	if (!f)
		return -ENOMEM;
	*f = (*f & ~(MS_DIRTY_ANSWER | MS_DIRTY_WANT | MS_DIRTY_OVER)) | MS_DIRTY_BGP;
	if (!has_ans || ms_dirty_size(m) == 1)
		return 0;
	d = (struct ms_dirty *)f;
	d->flags |= MS_DIRTY_ANSWER | (ans ? MS_DIRTY_WANT : 0) | (over ? MS_DIRTY_OVER : 0);
	if (ans)
		memcpy(&d->ans, ans, ans_size);
	return 0;
}

int ms_dirty_bgp(struct mapsync *ms, enum ms_map m, const void *key)
{
	return ms_dirty_bgp_ans(ms, m, key, false, NULL, 0, false);
}

const char *ms_fmt_key(enum ms_map m, const void *key, char *buf, size_t len)
{
	char a[ADDR_IP_STRLEN], mac[ADDR_MAC_STRLEN];

	switch (m) {
	case MS_ROUTES: {
		const struct vtep_route_key *k = key;

		snprintf(buf, len, "vni %u %s", k->vni, addr_fmt_ip(k->ip, a));
		break;
	}
	case MS_PREFIXES: {
		const struct vtep_prefix_key *k = key;

		snprintf(buf, len, "vni %u %s/%u", ntohl(k->vni), addr_fmt_ip(k->ip, a),
			 k->prefixlen - 32);
		break;
	}
	case MS_FDB: {
		const struct vtep_fdb_key *k = key;

		snprintf(buf, len, "vni %u %s", k->vni, addr_fmt_mac(k->mac, mac));
		break;
	}
	case MS_REMOTES:
		snprintf(buf, len, "%s", addr_fmt_ip(*(const uint32_t *)key, a));
		break;
	case MS_ROUTES6:
	case MS_PREFIXES6:
		return ms6_fmt_key(m, key, buf, len);
	default:
		snprintf(buf, len, "%u", *(const uint32_t *)key);
		break;
	}
	return buf;
}

/* Marks every key a port contributes. */
int ms_dirty_port(struct mapsync *ms, uint32_t ifindex, const struct vtep_port *p)
{
	struct vtep_route_key rk = ms_route_key(p->vni, p->ip);
	int err;

	err = ms_dirty(ms, MS_PORTS, &ifindex);
	if (!err && p->ip)   /* 0: an IPv6-only port */
		err = ms_dirty(ms, MS_ROUTES, &rk);
	err = err ?: ms6_dirty_port(ms, p);
	if (!err && !addr_mac_is_zero(p->mac)) {
		struct vtep_fdb_key fk = ms_fdb_key(p->vni, p->mac);

		err = ms_dirty(ms, MS_FDB, &fk);
	}
	return err;
}

/* A static route is MAC+IP (or a prefix with its inner MAC): its MAC lives
 * in its route entry, so it puts nothing in vtep_fdb. */
int ms_dirty_static(struct mapsync *ms, const struct ms_st_key *k,
		    const struct ms_st_val *v)
{
	int err;

	if (k->len == 32) {
		struct vtep_route_key rk = ms_route_key(k->vni, k->prefix);

		err = ms_dirty(ms, MS_ROUTES, &rk);
	} else {
		struct vtep_prefix_key pk = ms_prefix_key(k->vni, k->prefix, k->len);

		err = ms_dirty(ms, MS_PREFIXES, &pk);
	}
	return err ?: ms_dirty(ms, MS_REMOTES, &v->vtep);
}

/* ---- intent edits ------------------------------------------------------------ */

int mapsync_new(const struct mapsync_fds *fds, size_t route_hint, struct mapsync **out)
{
	struct mapsync *ms = calloc(1, sizeof(*ms));
	int m, err = 0;

	if (!ms)
		return -ENOMEM;
	ms->fd[MS_VNIS] = fds->vnis;
	ms->fd[MS_PORTS] = fds->ports;
	ms->fd[MS_ROUTES] = fds->routes;
	ms->fd[MS_PREFIXES] = fds->prefixes;
	ms->fd[MS_FDB] = fds->fdb;
	ms->fd[MS_REMOTES] = fds->remotes;
	ms->fd[MS_ROUTES6] = fds->routes6;
	ms->fd[MS_PREFIXES6] = fds->prefixes6;
	for (m = 0; m < MS_NMAPS; m++) {
		ms->batch_ok[m] = true;
		err = err ?: hashmap_init(&ms->dirty[m], ms_descs[m].key_size, sizeof(uint32_t), 0);
		ms_dq_init(&ms->dq[m], m);
	}
	err = err ?: hashmap_init(&ms->vnis, sizeof(uint32_t), sizeof(struct vtep_vni), 0);
	err = err ?: hashmap_init(&ms->ports, sizeof(uint32_t), sizeof(struct vtep_port), 0);
	err = err ?: hashmap_init(&ms->local_ip, sizeof(struct vtep_route_key),
				  sizeof(uint32_t), 0);
	err = err ?: hashmap_init(&ms->local_mac, sizeof(struct vtep_fdb_key), sizeof(uint32_t), 0);
	err = err ?: hashmap_init(&ms->statics, sizeof(struct ms_st_key),
				  sizeof(struct ms_st_val), route_hint);
	err = err ?: hashmap_init(&ms->st_remote, sizeof(uint32_t), sizeof(uint32_t), 0);
	err = err ?: ms_pending_init(ms);
	err = err ?: ms_writer_init(ms);
	err = err ?: ms6_init(ms);
	if (err) {
		mapsync_free(ms);
		return err;
	}
	*out = ms;
	return 0;
}

void mapsync_set_rcache(struct mapsync *ms, struct rcache *rc)
{
	ms->rc = rc;
}

void mapsync_set_rtab(struct mapsync *ms, struct rtab *rt)
{
	ms->rt = rt;
}

void mapsync_free(struct mapsync *ms)
{
	int m;

	if (!ms)
		return;
	ms_writer_free(ms);
	ms_pending_free(ms);
	ms_job_free(ms->spare);
	free(ms->scratch[0]);
	free(ms->scratch[1]);
	for (m = 0; m < MS_NMAPS; m++) {
		hashmap_free(&ms->dirty[m]);
		free(ms->dq[m].buf);
	}
	hashmap_free(&ms->vnis);
	hashmap_free(&ms->ports);
	hashmap_free(&ms->local_ip);
	hashmap_free(&ms->local_mac);
	hashmap_free(&ms->statics);
	hashmap_free(&ms->st_remote);
	ms6_free(ms);
	free(ms);
}

int mapsync_vni_set(struct mapsync *ms, uint32_t vni, const struct vtep_vni *v)
{
	if (!hashmap_put(&ms->vnis, &vni, v, NULL))
		return -ENOMEM;
	return ms_dirty(ms, MS_VNIS, &vni);
}

int mapsync_vni_del(struct mapsync *ms, uint32_t vni)
{
	if (hashmap_del(&ms->vnis, &vni))
		return -ENOENT;
	return ms_dirty(ms, MS_VNIS, &vni);
}

/* Drops a port's index entries (those that still point at it). */
static void ms_unindex_port(struct mapsync *ms, uint32_t ifindex, const struct vtep_port *p)
{
	struct vtep_route_key rk = ms_route_key(p->vni, p->ip);
	const uint32_t *idx = hashmap_get(&ms->local_ip, &rk);

	if (idx && *idx == ifindex)
		hashmap_del(&ms->local_ip, &rk);
	ms6_unindex_port(ms, ifindex, p);
	if (!addr_mac_is_zero(p->mac)) {
		struct vtep_fdb_key fk = ms_fdb_key(p->vni, p->mac);

		idx = hashmap_get(&ms->local_mac, &fk);
		if (idx && *idx == ifindex)
			hashmap_del(&ms->local_mac, &fk);
	}
}

int mapsync_port_set(struct mapsync *ms, uint32_t ifindex, const struct vtep_port *p)
{
	struct vtep_route_key rk = ms_route_key(p->vni, p->ip);
	const struct vtep_port *cur = hashmap_get(&ms->ports, &ifindex);
	struct vtep_port old;
	int err;

	if (cur) {
		old = *cur;
		ms_unindex_port(ms, ifindex, &old);
		if ((err = ms_dirty_port(ms, ifindex, &old)))
			return err;
	}
	if (!hashmap_put(&ms->ports, &ifindex, p, NULL) ||
	    (p->ip && !hashmap_put(&ms->local_ip, &rk, &ifindex, NULL)) ||
	    ms6_index_port(ms, ifindex, p))
		return -ENOMEM;
	if (!addr_mac_is_zero(p->mac)) {
		struct vtep_fdb_key fk = ms_fdb_key(p->vni, p->mac);

		if (!hashmap_put(&ms->local_mac, &fk, &ifindex, NULL))
			return -ENOMEM;
	}
	if ((err = ms_dirty_port(ms, ifindex, p)))
		return err;
	if (ms->bgp.port)
		ms->bgp.port(ms->bgp.ctx, ifindex, cur ? &old : NULL, p);
	return 0;
}

int mapsync_port_del(struct mapsync *ms, uint32_t ifindex)
{
	const struct vtep_port *cur = hashmap_get(&ms->ports, &ifindex);
	struct vtep_port old;

	if (!cur)
		return -ENOENT;
	int err;

	old = *cur;
	ms_unindex_port(ms, ifindex, &old);
	hashmap_del(&ms->ports, &ifindex);
	if ((err = ms_dirty_port(ms, ifindex, &old)))
		return err;
	if (ms->bgp.port)
		ms->bgp.port(ms->bgp.ctx, ifindex, &old, NULL);
	return 0;
}

/* Adds (delta 1) or drops (delta -1) a static route's share of the remotes
 * reference counts. */
static int ms_static_refs(struct mapsync *ms, const struct ms_st_key *k,
			  const struct ms_st_val *v, int delta)
{
	uint32_t *refs;

	(void)k;
	if (delta > 0) {
		refs = hashmap_put(&ms->st_remote, &v->vtep, NULL, NULL);
		if (!refs)
			return -ENOMEM;
		(*refs)++;
		return 0;
	}
	refs = hashmap_get(&ms->st_remote, &v->vtep);
	if (refs && --(*refs) == 0)
		hashmap_del(&ms->st_remote, &v->vtep);
	return 0;
}

int mapsync_route_add(struct mapsync *ms, const struct mapsync_route *r)
{
	struct ms_st_key k = ms_static_key(r->vni, r->prefix & addr_mask(r->prefixlen), r->prefixlen);
	struct ms_st_val v, *cur;
	int err;

	if (r->v6)
		return ms6_route_add(ms, r);
	if (r->prefixlen > 32)
		return -EINVAL;
	memset(&v, 0, sizeof(v));
	v.vtep = r->vtep;
	memcpy(v.mac, r->mac, 6);
	cur = hashmap_get(&ms->statics, &k);
	if (cur) {
		struct ms_st_val old = *cur;

		ms_static_refs(ms, &k, &old, -1);
		if ((err = ms_dirty_static(ms, &k, &old)))
			return err;
	}
	if (!hashmap_put(&ms->statics, &k, &v, NULL))
		return -ENOMEM;
	if ((err = ms_static_refs(ms, &k, &v, 1)))
		return err;
	return ms_dirty_static(ms, &k, &v);
}

int mapsync_route_del(struct mapsync *ms, uint32_t vni, uint32_t prefix, uint8_t prefixlen)
{
	struct ms_st_key k = ms_static_key(vni, prefix & addr_mask(prefixlen), prefixlen);
	struct ms_st_val *cur = hashmap_get(&ms->statics, &k), old;

	if (!cur)
		return -ENOENT;
	old = *cur;
	hashmap_del(&ms->statics, &k);
	ms_static_refs(ms, &k, &old, -1);
	return ms_dirty_static(ms, &k, &old);
}

static void st_to_route(const struct ms_st_key *k, const struct ms_st_val *v,
			struct mapsync_route *out)
{
	memset(out, 0, sizeof(*out));
	out->vni = k->vni;
	out->prefix = k->prefix;
	out->prefixlen = k->len;
	out->vtep = v->vtep;
	memcpy(out->mac, v->mac, 6);
}

bool mapsync_route_get(const struct mapsync *ms, uint32_t vni, uint32_t prefix,
		       uint8_t prefixlen, struct mapsync_route *out)
{
	struct ms_st_key k = ms_static_key(vni, prefix & addr_mask(prefixlen), prefixlen);
	const struct ms_st_val *v = hashmap_get(&ms->statics, &k);

	if (v && out)
		st_to_route(&k, v, out);
	return v != NULL;
}

int mapsync_route_remove(struct mapsync *ms, const struct mapsync_route *key)
{
	if (key->v6)
		return ms6_route_del(ms, key->vni, key->prefix6, key->prefixlen);
	return mapsync_route_del(ms, key->vni, key->prefix, key->prefixlen);
}

bool mapsync_route_find(const struct mapsync *ms, const struct mapsync_route *key,
			struct mapsync_route *out)
{
	if (key->v6)
		return ms6_route_get(ms, key->vni, key->prefix6, key->prefixlen, out);
	return mapsync_route_get(ms, key->vni, key->prefix, key->prefixlen, out);
}

size_t mapsync_route_count(const struct mapsync *ms)
{
	return hashmap_count(&ms->statics) + hashmap_count(&ms->statics6);
}

/* *pos walks the IPv4 table, then (with MS_POS6 set) the IPv6 one. */
#define MS_POS6 ((size_t)1 << (sizeof(size_t) * 8 - 1))

bool mapsync_route_next(const struct mapsync *ms, size_t *pos, struct mapsync_route *out)
{
	const void *k;
	size_t p6;
	void *v;

	if (!(*pos & MS_POS6)) {
		k = hashmap_next(&ms->statics, pos, &v);
		if (k) {
			st_to_route(k, v, out);
			return true;
		}
		*pos = MS_POS6;
	}
	p6 = *pos & ~MS_POS6;
	if (!ms6_route_next(ms, &p6, out))
		return false;
	*pos = p6 | MS_POS6;
	return true;
}

void mapsync_get_stats(const struct mapsync *ms, struct mapsync_stats *out)
{
	*out = ms->stats;
}

void mapsync_pending_get(const struct mapsync *ms,
			 struct mapsync_map_pending out[MAPSYNC_PENDING_MAPS])
{
	static const enum ms_map maps[MAPSYNC_PENDING_MAPS] = { MS_ROUTES, MS_PREFIXES,
								MS_ROUTES6, MS_PREFIXES6,
								MS_FDB };
	int i;

	for (i = 0; i < MAPSYNC_PENDING_MAPS; i++) {
		out[i].map = ms_descs[maps[i]].name;
		out[i].capacity = ms->pend[maps[i]].capacity;
		out[i].pending = __atomic_load_n(&ms->pend[maps[i]].count, __ATOMIC_RELAXED);
	}
}

bool mapsync_pending_route(const struct mapsync *ms, const struct vtep_route_key *k)
{
	return ms_pending_has(ms, MS_ROUTES, k);
}

bool mapsync_pending_prefix(const struct mapsync *ms, const struct vtep_prefix_key *k)
{
	return ms_pending_has(ms, MS_PREFIXES, k);
}

bool mapsync_pending_route6(const struct mapsync *ms, const struct vtep_route6_key *k)
{
	return ms_pending_has(ms, MS_ROUTES6, k);
}

bool mapsync_pending_prefix6(const struct mapsync *ms, const struct vtep_prefix6_key *k)
{
	return ms_pending_has(ms, MS_PREFIXES6, k);
}

bool mapsync_pending_fdb(const struct mapsync *ms, const struct vtep_fdb_key *k)
{
	return ms_pending_has(ms, MS_FDB, k);
}

/* ---- the BGP side -------------------------------------------------------------- */

void mapsync_set_bgp(struct mapsync *ms, const struct mapsync_bgp *bgp)
{
	size_t pos = 0;
	const void *k;
	void *v;

	memset(&ms->bgp, 0, sizeof(ms->bgp));
	if (!bgp)
		return;
	ms->bgp = *bgp;
	if (!ms->bgp.port)
		return;
	/* The callback may touch keys (other tables), never ports. */
	while ((k = hashmap_next(&ms->ports, &pos, &v)))
		ms->bgp.port(ms->bgp.ctx, *(const uint32_t *)k, NULL, v);
}

int mapsync_bgp_touch_route(struct mapsync *ms, const struct vtep_route_key *k)
{
	return ms_dirty_bgp(ms, MS_ROUTES, k);
}

int mapsync_bgp_touch_prefix(struct mapsync *ms, const struct vtep_prefix_key *k)
{
	return ms_dirty_bgp(ms, MS_PREFIXES, k);
}

int mapsync_bgp_touch_fdb(struct mapsync *ms, const struct vtep_fdb_key *k)
{
	return ms_dirty_bgp(ms, MS_FDB, k);
}

int mapsync_bgp_set_route(struct mapsync *ms, const struct vtep_route_key *k,
			  const struct vtep_route *v, bool over_local)
{
	return ms_dirty_bgp_ans(ms, MS_ROUTES, k, true, v, sizeof(*v), over_local);
}

int mapsync_bgp_set_prefix(struct mapsync *ms, const struct vtep_prefix_key *k,
			   const struct vtep_route *v)
{
	return ms_dirty_bgp_ans(ms, MS_PREFIXES, k, true, v, sizeof(*v), false);
}

int mapsync_bgp_set_fdb(struct mapsync *ms, const struct vtep_fdb_key *k,
			const struct vtep_fdb *v, bool over_local)
{
	return ms_dirty_bgp_ans(ms, MS_FDB, k, true, v, sizeof(*v), over_local);
}

int mapsync_bgp_touch_remote(struct mapsync *ms, uint32_t vtep)
{
	return ms_dirty_bgp(ms, MS_REMOTES, &vtep);
}

/* One entry during the adoption scan: a BGP entry that is not what the
 * resolver wants now (stale, or a local/static one wins) is marked. */
