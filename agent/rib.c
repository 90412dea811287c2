/* rib.c - see rib.h; the layout of the tables is in rib_priv.h.
 *
 * Layout of this file: slabs (paths, interned attributes), destinations and
 * their (VNI, MAC) / (VNI, IP) groups, adding and removing paths, the entry
 * points of the BGP speaker, local ports and GARP, readers, life cycle.
 *
 * Every change to a destination follows one pattern: take its selection
 * (rib_sel_get), change its paths, then rib_best_run() with the old
 * selection, which decides and propagates what changed (maps, export).
 */
#include "rib_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "config.h"
#include "evpn_export.h"
#include "evpn_import.h"
#include "log.h"
#include "mapsync.h"

/* Prometheus "le" bounds of the UPDATE-to-map latency histogram. */
const double rib_lat_bounds_s[RIB_LAT_BUCKETS] = {
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
};

#define RIB_DEFAULT_LOCAL_PREF 100  /* RFC 4271 5.1.5 leaves it local; the usual default */

static uint64_t clock_mono_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t rib_now(const struct rib *rib)
{
	return rib->now_ns(rib->now_ctx);
}

void rib_stat_add(uint64_t *ctr, int64_t delta)
{
	__atomic_fetch_add(ctr, (uint64_t)delta, __ATOMIC_RELAXED);
}

/* ---- slabs ------------------------------------------------------------------- */

struct rib_path *rib_path_at(const struct rib *rib, uint32_t idx)
{
	return &rib->paths[idx];
}

struct rib_attr *rib_attr_at(const struct rib *rib, uint32_t idx)
{
	return idx == RIB_NIL ? NULL : &rib->attrs[idx].a;
}

/* A path slot, zeroed; RIB_NIL when out of memory. Indexes stay valid across
 * growth (only the base pointer moves). */
static uint32_t path_alloc(struct rib *rib)
{
	uint32_t idx;

	if (rib->path_free != RIB_NIL) {
		idx = rib->path_free;
		rib->path_free = rib->paths[idx].next;
	} else {
		if (rib->paths_used == rib->n_paths_cap) {
			uint32_t cap = rib->n_paths_cap ? rib->n_paths_cap * 2 : 1024;
			struct rib_path *np;

			if (cap <= rib->n_paths_cap || cap == RIB_NIL)
				return RIB_NIL;
			np = realloc(rib->paths, (size_t)cap * sizeof(*np));
			if (!np)
				return RIB_NIL;
			rib->paths = np;
			rib->n_paths_cap = cap;
		}
		idx = rib->paths_used++;
	}
	memset(&rib->paths[idx], 0, sizeof(rib->paths[idx]));
	rib->paths[idx].next = RIB_NIL;
	rib->paths[idx].attr = RIB_NIL;
	rib_stat_add(&rib->st.paths, 1);
	return idx;
}

static void attr_unref(struct rib *rib, uint32_t idx)
{
	struct rib_attr_slot *s;

	if (idx == RIB_NIL)
		return;
	s = &rib->attrs[idx];
	if (--s->refs)
		return;
	hashmap_del(&rib->attr_idx, &s->a);
	s->next_free = rib->attr_free;
	rib->attr_free = idx;
}

static void path_release(struct rib *rib, uint32_t idx)
{
	struct rib_path *p = &rib->paths[idx];

	attr_unref(rib, p->attr);
	p->attr = RIB_NIL;
	p->flags = RIB_P_FREE;
	p->next = rib->path_free;
	rib->path_free = idx;
	rib_stat_add(&rib->st.paths, -1);
}

/* Returns a referenced slot for *a (shared with every path of equal
 * attributes), or RIB_NIL when out of memory. */
static uint32_t attr_intern(struct rib *rib, const struct rib_attr *a)
{
	uint32_t *found = hashmap_get(&rib->attr_idx, a), idx;

	if (found) {
		rib->attrs[*found].refs++;
		return *found;
	}
	if (rib->attr_free != RIB_NIL) {
		idx = rib->attr_free;
		rib->attr_free = rib->attrs[idx].next_free;
	} else {
		uint32_t cap = rib->n_attrs_cap ? rib->n_attrs_cap * 2 : 64;
		struct rib_attr_slot *ns;
		uint32_t i;

		ns = realloc(rib->attrs, (size_t)cap * sizeof(*ns));
		if (!ns)
			return RIB_NIL;
		rib->attrs = ns;
		/* New slots go on the free list, highest last. */
		for (i = cap; i-- > rib->n_attrs_cap + 1;) {
			ns[i].refs = 0;
			ns[i].next_free = rib->attr_free;
			rib->attr_free = i;
		}
		idx = rib->n_attrs_cap;
		rib->n_attrs_cap = cap;
	}
	rib->attrs[idx].a = *a;
	rib->attrs[idx].refs = 1;
	if (!hashmap_put(&rib->attr_idx, a, &idx, NULL)) {
		rib->attrs[idx].refs = 0;
		rib->attrs[idx].next_free = rib->attr_free;
		rib->attr_free = idx;
		return RIB_NIL;
	}
	return idx;
}

/* ---- destinations and their groups ------------------------------------------- */

struct rib_dest *rib_dest_get(const struct rib *rib, const struct rib_dkey *k)
{
	return hashmap_get(&rib->dests, k);
}

static struct rib_ipx_key ipx_key(uint32_t vni, uint32_t ip)
{
	struct rib_ipx_key k = { .vni = vni, .ip = ip };

	return k;
}

static struct rib_macx_key macx_key(uint32_t vni, const uint8_t mac[6])
{
	struct rib_macx_key k;

	memset(&k, 0, sizeof(k));
	k.vni = vni;
	memcpy(k.mac, mac, 6);
	return k;
}

void rib_dkey_macip(struct rib_dkey *k, uint32_t vni, const uint8_t mac[6], uint32_t ip,
		    bool has_ip)
{
	memset(k, 0, sizeof(*k));
	k->vni = vni;
	k->type = EVPN_RT_MACIP;
	memcpy(k->mac, mac, 6);
	if (has_ip) {
		k->ip = ip;
		k->plen = 32;
	}
}

bool rib_macgrp_first(const struct rib *rib, uint32_t vni, const uint8_t mac[6],
		      struct rib_dkey *k)
{
	struct rib_macx_key mk = macx_key(vni, mac);
	const struct rib_macx *mx = hashmap_get(&rib->macx, &mk);

	if (!mx || !mx->n)
		return false;
	rib_dkey_macip(k, vni, mac, mx->head_ip, mx->head_flags & RIB_D_MAC_NEXT_IP);
	return true;
}

bool rib_macgrp_next(const struct rib *rib, struct rib_dkey *k)
{
	const struct rib_dest *d = rib_dest_get(rib, k);
	uint8_t mac[6];

	if (!d || !(d->flags & RIB_D_MAC_NEXT))
		return false;
	/* A copy: rib_dkey_macip() clears *k before it reads the MAC. */
	memcpy(mac, k->mac, 6);
	rib_dkey_macip(k, k->vni, mac, d->mac_next_ip, d->flags & RIB_D_MAC_NEXT_IP);
	return true;
}

bool rib_ipgrp_first(const struct rib *rib, uint32_t vni, uint32_t ip, struct rib_dkey *k)
{
	struct rib_ipx_key ik = ipx_key(vni, ip);
	const struct rib_ipx *ix = hashmap_get(&rib->ipx, &ik);

	if (!ix || !ix->n)
		return false;
	rib_dkey_macip(k, vni, ix->head_mac, ip, true);
	return true;
}

bool rib_ipgrp_next(const struct rib *rib, struct rib_dkey *k)
{
	const struct rib_dest *d = rib_dest_get(rib, k);

	if (!d || !(d->flags & RIB_D_IP_NEXT))
		return false;
	rib_dkey_macip(k, k->vni, d->ip_next_mac, k->ip, true);
	return true;
}

/* Links a new type-2 destination at the head of its groups. */
static int group_link(struct rib *rib, const struct rib_dkey *k, struct rib_dest *d)
{
	struct rib_macx_key mk = macx_key(k->vni, k->mac);
	struct rib_macx *mx;
	bool created;

	mx = hashmap_put(&rib->macx, &mk, NULL, &created);
	if (!mx)
		return -ENOMEM;
	if (mx->n) {
		d->flags |= RIB_D_MAC_NEXT | (mx->head_flags & RIB_D_MAC_NEXT_IP);
		d->mac_next_ip = mx->head_ip;
	}
	mx->head_ip = k->ip;
	mx->head_flags = k->plen ? RIB_D_MAC_NEXT_IP : 0;
	mx->n++;
	if (k->plen) {
		struct rib_ipx_key ik = ipx_key(k->vni, k->ip);
		struct rib_ipx *ix = hashmap_put(&rib->ipx, &ik, NULL, &created);

		if (!ix)
			return -ENOMEM; /* the caller unlinks the MAC side */
		if (ix->n) {
			d->flags |= RIB_D_IP_NEXT;
			memcpy(d->ip_next_mac, ix->head_mac, 6);
		}
		memcpy(ix->head_mac, k->mac, 6);
		ix->n++;
	}
	return 0;
}

/* Takes a type-2 destination out of its groups (before it is deleted). */
static void group_unlink(struct rib *rib, const struct rib_dkey *k, const struct rib_dest *d,
			 bool ip_linked)
{
	struct rib_macx_key mk = macx_key(k->vni, k->mac);
	struct rib_macx *mx = hashmap_get(&rib->macx, &mk);
	struct rib_dkey pk;

	if (mx) {
		if (mx->head_ip == k->ip && !!(mx->head_flags & RIB_D_MAC_NEXT_IP) == !!k->plen) {
			mx->head_ip = d->mac_next_ip;
			mx->head_flags = d->flags & RIB_D_MAC_NEXT_IP;
		} else if (rib_macgrp_first(rib, k->vni, k->mac, &pk)) {
			/* Find the predecessor and bridge over us. */
			for (;;) {
				struct rib_dest *pd = rib_dest_get(rib, &pk);

				if (!pd || !(pd->flags & RIB_D_MAC_NEXT))
					break;
				if (pd->mac_next_ip == k->ip &&
				    !!(pd->flags & RIB_D_MAC_NEXT_IP) == !!k->plen) {
					pd->flags &= ~(RIB_D_MAC_NEXT | RIB_D_MAC_NEXT_IP);
					pd->flags |= d->flags & (RIB_D_MAC_NEXT | RIB_D_MAC_NEXT_IP);
					pd->mac_next_ip = d->mac_next_ip;
					break;
				}
				if (!rib_macgrp_next(rib, &pk))
					break;
			}
		}
		if (--mx->n == 0)
			hashmap_del(&rib->macx, &mk);
	}
	if (k->plen && ip_linked) {
		struct rib_ipx_key ik = ipx_key(k->vni, k->ip);
		struct rib_ipx *ix = hashmap_get(&rib->ipx, &ik);

		if (!ix)
			return;
		if (!memcmp(ix->head_mac, k->mac, 6)) {
			memcpy(ix->head_mac, d->ip_next_mac, 6);
		} else if (rib_ipgrp_first(rib, k->vni, k->ip, &pk)) {
			for (;;) {
				struct rib_dest *pd = rib_dest_get(rib, &pk);

				if (!pd || !(pd->flags & RIB_D_IP_NEXT))
					break;
				if (!memcmp(pd->ip_next_mac, k->mac, 6)) {
					pd->flags &= ~RIB_D_IP_NEXT;
					pd->flags |= d->flags & RIB_D_IP_NEXT;
					memcpy(pd->ip_next_mac, d->ip_next_mac, 6);
					break;
				}
				if (!rib_ipgrp_next(rib, &pk))
					break;
			}
		}
		if (--ix->n == 0)
			hashmap_del(&rib->ipx, &ik);
	}
}

/* The destination at k, created (and linked) if absent; NULL when out of
 * memory. The pointer is valid until the next destination is created or
 * deleted. */
static struct rib_dest *dest_make(struct rib *rib, const struct rib_dkey *k)
{
	struct rib_dest *d;
	bool created;
	int err;

	d = hashmap_put(&rib->dests, k, NULL, &created);
	if (!d || !created)
		return d;
	d->head = RIB_NIL;
	rib_stat_add(&rib->st.dests, 1);
	if (k->type != EVPN_RT_MACIP)
		return d;
	err = group_link(rib, k, d);
	if (err) {
		/* The MAC side may be linked: undo it, without the IP side. */
		struct rib_macx_key mk = macx_key(k->vni, k->mac);

		if (hashmap_get(&rib->macx, &mk))
			group_unlink(rib, k, d, false);
		hashmap_del(&rib->dests, k);
		rib_stat_add(&rib->st.dests, -1);
		return NULL;
	}
	return d;
}

/* Deletes an empty destination. */
static void dest_delete(struct rib *rib, const struct rib_dkey *k)
{
	struct rib_dest *d = rib_dest_get(rib, k);

	if (!d || d->head != RIB_NIL)
		return;
	if (k->type == EVPN_RT_MACIP)
		group_unlink(rib, k, d, true);
	hashmap_del(&rib->dad, k);
	hashmap_del(&rib->dests, k);
	rib_stat_add(&rib->st.dests, -1);
}

/* ---- peers and the RD index --------------------------------------------------- */

const struct rib_peer *rib_peer_get(const struct rib *rib, uint32_t peer)
{
	return hashmap_get(&rib->peers, &peer);
}

static struct rib_peer *peer_make(struct rib *rib, uint32_t peer)
{
	return hashmap_put(&rib->peers, &peer, NULL, NULL);
}

static struct rib_rdkey rdkey(uint32_t peer, const uint8_t rd[8], uint32_t etag, uint8_t type)
{
	struct rib_rdkey k;

	memset(&k, 0, sizeof(k));
	k.peer = peer;
	k.etag = etag;
	memcpy(k.rd, rd, 8);
	k.type = type;
	return k;
}

static int rd_ref(struct rib *rib, const struct rib_rdkey *rk, uint32_t vni)
{
	struct rib_rdval *v;
	bool created;

	v = hashmap_put(&rib->rdmap, rk, NULL, &created);
	if (!v)
		return -ENOMEM;
	if (created)
		v->vni = vni;
	else if (v->vni != vni)
		v->multi = true;
	v->refs++;
	return 0;
}

static void rd_unref(struct rib *rib, const struct rib_rdkey *rk)
{
	struct rib_rdval *v = hashmap_get(&rib->rdmap, rk);

	if (v && --v->refs == 0)
		hashmap_del(&rib->rdmap, rk);
}

/* ---- paths ---------------------------------------------------------------------- */

/* The path of (peer, rd, etag) in destination k: its index and predecessor. */
static bool find_in(const struct rib *rib, const struct rib_dkey *k, uint32_t peer,
		    const uint8_t rd[8], uint32_t etag, uint32_t *idx, uint32_t *prev)
{
	const struct rib_dest *d = rib_dest_get(rib, k);
	uint32_t i, pv = RIB_NIL;

	if (!d)
		return false;
	for (i = d->head; i != RIB_NIL; pv = i, i = rib->paths[i].next) {
		const struct rib_path *p = &rib->paths[i];

		if (p->peer == peer && p->etag == etag && !memcmp(p->rd, rd, 8)) {
			*idx = i;
			*prev = pv;
			return true;
		}
	}
	return false;
}

/* Where a peer's route is held now, whatever VNI it went into: *k (vni
 * filled in from kpart), *idx, *prev. */
static bool find_route(const struct rib *rib, uint32_t peer, const struct evpn_route *rt,
		       const struct rib_dkey *kpart, struct rib_dkey *k, uint32_t *idx,
		       uint32_t *prev)
{
	struct rib_rdkey rk = rdkey(peer, rt->rd, rt->etag, kpart->type);
	const struct rib_rdval *rv = hashmap_get(&rib->rdmap, &rk);
	const uint32_t *vnis;
	size_t n, i;

	if (!rv)
		return false;
	*k = *kpart;
	k->vni = rv->vni;
	if (find_in(rib, k, peer, rt->rd, rt->etag, idx, prev))
		return true;
	if (!rv->multi)
		return false;
	n = evpn_import_vnis(rib->imp, &vnis);
	for (i = 0; i < n; i++) {
		k->vni = vnis[i];
		if (find_in(rib, k, peer, rt->rd, rt->etag, idx, prev))
			return true;
	}
	return false;
}

/* Removes path idx (predecessor prev) from destination k and lets the
 * decision run; deletes the destination when it empties. */
static void path_remove(struct rib *rib, const struct rib_dkey *k, uint32_t idx, uint32_t prev)
{
	struct rib_dest *d = rib_dest_get(rib, k);
	struct rib_path *p = &rib->paths[idx];
	struct rib_sel before;

	if (!d)
		return;
	rib_sel_get(rib, k, d, &before);
	if (prev == RIB_NIL)
		d->head = p->next;
	else
		rib->paths[prev].next = p->next;
	if (p->peer != RIB_PEER_LOCAL) {
		struct rib_rdkey rk = rdkey(p->peer, p->rd, p->etag, k->type);
		struct rib_peer *pr = hashmap_get(&rib->peers, &p->peer);

		rd_unref(rib, &rk);
		if (pr && pr->routes)
			pr->routes--;
	}
	path_release(rib, idx);
	rib_best_run(rib, k, d, &before);
	if (d->head == RIB_NIL)
		dest_delete(rib, k);
}

/* Inserts a new path (fields in *np) into destination k. 0 or -ENOMEM. */
static int path_insert(struct rib *rib, const struct rib_dkey *k, const struct rib_path *np)
{
	struct rib_sel before;
	struct rib_dest *d;
	uint32_t idx;

	if (np->peer != RIB_PEER_LOCAL) {
		struct rib_rdkey rk = rdkey(np->peer, np->rd, np->etag, k->type);
		struct rib_peer *pr = peer_make(rib, np->peer);

		if (!pr || rd_ref(rib, &rk, k->vni))
			return -ENOMEM;
		pr->routes++;
	}
	idx = path_alloc(rib);
	d = idx == RIB_NIL ? NULL : dest_make(rib, k);
	if (!d) {
		if (idx != RIB_NIL)
			path_release(rib, idx);
		if (np->peer != RIB_PEER_LOCAL) {
			struct rib_rdkey rk = rdkey(np->peer, np->rd, np->etag, k->type);
			struct rib_peer *pr = hashmap_get(&rib->peers, &np->peer);

			rd_unref(rib, &rk);
			if (pr)
				pr->routes--;
		}
		return -ENOMEM;
	}
	rib_sel_get(rib, k, d, &before);
	rib->paths[idx] = *np;
	rib->paths[idx].flags &= ~(RIB_P_BEST | RIB_P_FREE);
	rib->paths[idx].next = d->head;
	d->head = idx;
	rib_best_run(rib, k, d, &before);
	return 0;
}

/* ---- from the BGP speaker ----------------------------------------------------- */

/* The destination key of a route, without the VNI; false for what vtepd
 * does not use (IPv6, other types). */
static bool route_dkey(const struct evpn_route *rt, struct rib_dkey *k)
{
	memset(k, 0, sizeof(*k));
	k->type = rt->type;
	switch (rt->type) {
	case EVPN_RT_MACIP:
		if (rt->ip.len != 0 && rt->ip.len != 4)
			return false;  /* IPv6 host routes: no IPv6 datapath yet */
		memcpy(k->mac, rt->mac, 6);
		if (rt->ip.len == 4) {
			k->ip = rt->ip.v4;
			k->plen = 32;
		}
		return true;
	case EVPN_RT_IMET:
		if (rt->ip.len != 4)
			return false;
		k->ip = rt->ip.v4;
		return true;
	case EVPN_RT_PREFIX:
		if (rt->ip.len != 4 || rt->prefix_len > 32)
			return false;
		k->plen = rt->prefix_len;
		k->ip = rt->ip.v4 & addr_mask(rt->prefix_len);
		return true;
	}
	return false;
}

static void arm_stamp(struct rib *rib)
{
	if (!rib->stamp_armed)
		return;
	rib->stamp_armed = false;
	if (rib->n_stamps < RIB_MAX_STAMPS)
		rib->stamps[rib->n_stamps++] = rib->pending_stamp;
}

void rib_mark_arrival(struct rib *rib, uint64_t t_ns)
{
	rib->pending_stamp = t_ns;
	rib->stamp_armed = true;
}

static void ignore(struct rib *rib, const struct evpn_route *rt, const char *why)
{
	char b[EVPN_ROUTE_STRLEN];

	rib_stat_add(&rib->st.ignored, 1);
	if (log_level >= LOG_LVL_DEBUG)
		log_debug("rib: %s ignored: %s", evpn_route_fmt(rt, b), why);
}

/* Builds the interned form of a route's attributes. */
static void attr_build(const struct evpn_route *rt, const struct bgp_attrs *a,
		       struct rib_attr *ra)
{
	uint16_t i;

	memset(ra, 0, sizeof(*ra));
	ra->local_pref = BGP_ATTR_HAS(a, BGP_ATTR_LOCAL_PREF) ? a->local_pref
							     : RIB_DEFAULT_LOCAL_PREF;
	ra->med = BGP_ATTR_HAS(a, BGP_ATTR_MED) ? a->med : 0;
	if (rt->n_labels)
		ra->label = evpn_label_vni(rt->label[0]);
	else if (BGP_ATTR_HAS(a, BGP_ATTR_PMSI_TUNNEL))
		ra->label = a->pmsi.label & 0xffffff;
	if (BGP_ATTR_HAS(a, BGP_ATTR_AS_PATH)) {
		unsigned h = bgp_aspath_hops(&a->aspath);

		ra->hops = h > 0xffff ? 0xffff : (uint16_t)h;
	}
	ra->origin = a->origin;
	if (a->evpn.has_router_mac) {
		ra->flags |= RIB_A_HAS_RMAC;
		memcpy(ra->router_mac, a->evpn.router_mac, 6);
	}
	if (a->evpn.default_gw)
		ra->flags |= RIB_A_DEF_GW;
	for (i = 0; i < a->n_ext && ra->n_rt < RIB_MAX_RT; i++) {
		const uint8_t *e = a->ext + (size_t)i * 8;
		uint32_t g, l;

		if (bgp_ext_rt_parse(e, &g, &l) >= 0)
			memcpy(ra->rt[ra->n_rt++], e, 8);
	}
}

static int withdraw_route(struct rib *rib, uint32_t peer, const struct evpn_route *rt,
			  const struct rib_dkey *kpart)
{
	struct rib_dkey k;
	uint32_t idx, prev;

	if (!find_route(rib, peer, rt, kpart, &k, &idx, &prev))
		return 0;
	path_remove(rib, &k, idx, prev);
	rib_stat_add(&rib->st.updates, 1);
	return 0;
}

int rib_update(struct rib *rib, uint32_t peer, const struct evpn_route *rt,
	       const struct bgp_attrs *a)
{
	struct rib_dkey kpart, k, ok;
	struct rib_path np;
	struct rib_attr ra;
	uint32_t vni, label, vtep = 0, idx, prev;
	const char *why = NULL;
	bool found;
	int err;

	if (!rt || peer == RIB_PEER_LOCAL)
		return -EINVAL;
	if (!route_dkey(rt, &kpart)) {
		ignore(rib, rt, "route type or address family not used");
		return rt->withdraw ? 0 : RIB_UPDATE_IGNORED;
	}
	arm_stamp(rib);
	if (rt->withdraw || !a)
		return withdraw_route(rib, peer, rt, &kpart);

	/* Usable? Otherwise the route replaces what the peer had sent
	 * before under this key: an implicit withdrawal (RFC 4271 3.1). */
	if (a->mp_reach.nh_len != 4)
		why = "next hop is not IPv4";
	else
		memcpy(&vtep, a->mp_reach.nh, 4);
	if (!why && rt->type == EVPN_RT_IMET && BGP_ATTR_HAS(a, BGP_ATTR_PMSI_TUNNEL) &&
	    a->pmsi.id_len == 4)
		memcpy(&vtep, a->pmsi.id, 4);  /* RFC 7432 11.2: the tunnel endpoint */
	if (!why && (vtep == 0 || vtep == rib->vtep_ip))
		why = "next hop is ours or zero";
	if (!why && BGP_ATTR_HAS(a, BGP_ATTR_ORIGINATOR_ID) && rib->router_id &&
	    a->originator_id == rib->router_id)
		why = "our own route reflected back (RFC 4456 8)";
	if (!why && a->evpn.encap_types && !(a->evpn.encap_types & (1u << BGP_TUNNEL_VXLAN)))
		why = "encapsulation is not VXLAN (RFC 8365 5.1.3)";
	if (!why && rt->type == EVPN_RT_IMET && BGP_ATTR_HAS(a, BGP_ATTR_PMSI_TUNNEL) &&
	    a->pmsi.tunnel_type != BGP_PMSI_INGRESS_REPL)
		why = "PMSI tunnel is not ingress replication";
	label = rt->n_labels ? evpn_label_vni(rt->label[0])
			     : (BGP_ATTR_HAS(a, BGP_ATTR_PMSI_TUNNEL) ? a->pmsi.label & 0xffffff : 0);
	vni = why ? 0 : evpn_import_vni(rib->imp, a->ext, a->n_ext, label);
	if (!why && !vni)
		why = "no VNI imports its route targets";

	found = find_route(rib, peer, rt, &kpart, &ok, &idx, &prev);
	if (why) {
		if (found) {
			path_remove(rib, &ok, idx, prev);
			rib_stat_add(&rib->st.updates, 1);
		}
		ignore(rib, rt, why);
		return RIB_UPDATE_IGNORED;
	}
	k = kpart;
	k.vni = vni;
	if (found && ok.vni != vni) {
		path_remove(rib, &ok, idx, prev);  /* its route targets changed */
		found = false;
	}

	attr_build(rt, a, &ra);
	memset(&np, 0, sizeof(np));
	np.peer = peer;
	memcpy(np.rd, rt->rd, 8);
	np.etag = rt->etag;
	np.vtep = vtep;
	if (rt->type == EVPN_RT_MACIP && a->evpn.mac_mobility) {
		np.seq = a->evpn.mm_seq;
		if (a->evpn.mm_sticky)
			np.flags |= RIB_P_STICKY;
	}
	np.attr = attr_intern(rib, &ra);
	if (np.attr == RIB_NIL)
		return -ENOMEM;

	if (found) {
		struct rib_path *p = &rib->paths[idx];
		struct rib_dest *d;
		struct rib_sel before;

		if (p->vtep == np.vtep && p->seq == np.seq && p->attr == np.attr &&
		    (p->flags & RIB_P_STICKY) == (np.flags & RIB_P_STICKY)) {
			/* The same route again (a refresh, or the peer came
			 * back from a graceful restart): no longer stale. */
			p->flags &= ~RIB_P_STALE;
			attr_unref(rib, np.attr);
			return 0;
		}
		d = rib_dest_get(rib, &k);
		rib_sel_get(rib, &k, d, &before);
		attr_unref(rib, p->attr);
		p->vtep = np.vtep;
		p->seq = np.seq;
		p->attr = np.attr;
		p->flags = (p->flags & RIB_P_BEST) | np.flags;
		rib_best_run(rib, &k, d, &before);
		rib_stat_add(&rib->st.updates, 1);
		return 0;
	}
	err = path_insert(rib, &k, &np);
	if (err) {
		attr_unref(rib, np.attr);
		log_err("rib: out of memory: route from peer %u dropped", peer);
		return err;
	}
	rib_stat_add(&rib->st.updates, 1);
	return 0;
}

/* Removes every path of peer (only the stale ones when only_stale; every
 * path of removed VNIs when peer is UINT32_MAX and vni_gone is set). */
struct rib_match {
	uint32_t peer;          /* UINT32_MAX = any */
	bool only_stale;
	const struct evpn_import *keep_vnis; /* non-NULL: remove dests of VNIs it lacks */
};

static bool path_matches(const struct rib_match *m, const struct rib_dkey *k,
			 const struct rib_path *p)
{
	if (m->keep_vnis)
		return !evpn_import_has_vni(m->keep_vnis, k->vni);
	if (p->peer != m->peer)
		return false;
	return !m->only_stale || (p->flags & RIB_P_STALE);
}

static void remove_matching(struct rib *rib, const struct rib_match *m)
{
	struct rib_dkey *keys = NULL;
	size_t n = 0, cap = 0, pos = 0, i;
	const void *kp;
	void *vp;

	/* Collect, then change: hashmap iteration must not see deletions. */
	while ((kp = hashmap_next(&rib->dests, &pos, &vp))) {
		const struct rib_dest *d = vp;
		uint32_t j;

		for (j = d->head; j != RIB_NIL; j = rib->paths[j].next)
			if (path_matches(m, kp, &rib->paths[j]))
				break;
		if (j == RIB_NIL)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct rib_dkey *nk = realloc(keys, nc * sizeof(*nk));

			if (!nk) {
				log_err("rib: out of memory while removing routes");
				break;
			}
			keys = nk;
			cap = nc;
		}
		keys[n++] = *(const struct rib_dkey *)kp;
	}
	for (i = 0; i < n; i++) {
		struct rib_dest *d = rib_dest_get(rib, &keys[i]);
		uint32_t j, prev = RIB_NIL;

		/* One removal at a time (each runs the decision): simple,
		 * and a destination rarely has more than two paths. */
		while (d && d->head != RIB_NIL) {
			for (j = d->head, prev = RIB_NIL; j != RIB_NIL;
			     prev = j, j = rib->paths[j].next)
				if (path_matches(m, &keys[i], &rib->paths[j]))
					break;
			if (j == RIB_NIL)
				break;
			path_remove(rib, &keys[i], j, prev);
			rib_stat_add(&rib->st.updates, 1);
			d = rib_dest_get(rib, &keys[i]);
		}
	}
	free(keys);
}

void rib_peer_down(struct rib *rib, uint32_t peer)
{
	struct rib_match m = { .peer = peer };
	struct rib_peer *pr = hashmap_get(&rib->peers, &peer);

	if (peer == RIB_PEER_LOCAL)
		return;
	remove_matching(rib, &m);
	if (pr) {
		pr->stale = false;
		pr->routes = 0;
	}
	rib_flush(rib);
}

void rib_peer_stale(struct rib *rib, uint32_t peer)
{
	struct rib_peer *pr = hashmap_get(&rib->peers, &peer);
	size_t pos = 0;
	void *vp;

	if (peer == RIB_PEER_LOCAL || !pr)
		return;
	/* RFC 4724 4.2: keep forwarding on the peer's routes, marked stale. */
	while (hashmap_next(&rib->dests, &pos, &vp)) {
		const struct rib_dest *d = vp;
		uint32_t j;

		for (j = d->head; j != RIB_NIL; j = rib->paths[j].next)
			if (rib->paths[j].peer == peer)
				rib->paths[j].flags |= RIB_P_STALE;
	}
	pr->stale = true;
	log_info("rib: peer %u: %llu routes kept as stale (graceful restart)", peer,
		 (unsigned long long)pr->routes);
	rib_flush(rib);
}

void rib_peer_eor(struct rib *rib, uint32_t peer)
{
	struct rib_match m = { .peer = peer, .only_stale = true };
	struct rib_peer *pr = hashmap_get(&rib->peers, &peer);

	if (peer == RIB_PEER_LOCAL || !pr)
		return;
	if (pr->stale) {
		uint64_t before = pr->routes;

		remove_matching(rib, &m);
		pr = hashmap_get(&rib->peers, &peer);
		if (pr) {
			pr->stale = false;
			log_info("rib: peer %u: %llu stale routes swept", peer,
				 (unsigned long long)(before - pr->routes));
		}
	}
	rib_flush(rib);
}

int rib_peer_set(struct rib *rib, uint32_t peer, uint32_t address, uint32_t router_id)
{
	struct rib_peer *pr;

	if (peer == RIB_PEER_LOCAL)
		return -EINVAL;
	pr = peer_make(rib, peer);
	if (!pr)
		return -ENOMEM;
	pr->address = address;
	pr->router_id = router_id;
	return 0;
}

void rib_peer_forget(struct rib *rib, uint32_t peer)
{
	const struct rib_peer *pr = rib_peer_get(rib, peer);

	if (pr && !pr->routes)
		hashmap_del(&rib->peers, &peer);
}

size_t rib_peer_routes(const struct rib *rib, uint32_t peer)
{
	const struct rib_peer *pr = rib_peer_get(rib, peer);

	return pr ? (size_t)pr->routes : 0;
}

/* ---- flushing ----------------------------------------------------------------- */

static void lat_observe(struct rib *rib, uint64_t ns)
{
	double s = (double)ns / 1e9;
	size_t i;

	for (i = 0; i < RIB_LAT_BUCKETS && s > rib_lat_bounds_s[i]; i++)
		;
	rib_stat_add(&rib->lat.counts[i], 1);
	rib_stat_add(&rib->lat.sum_ns, (int64_t)ns);
	rib_stat_add(&rib->lat.count, 1);
}

void rib_flushed(struct rib *rib)
{
	uint64_t now;
	uint32_t i;

	if (rib->n_stamps) {
		now = rib_now(rib);
		for (i = 0; i < rib->n_stamps; i++)
			lat_observe(rib, now > rib->stamps[i] ? now - rib->stamps[i] : 0);
		rib->n_stamps = 0;
	}
	if (rib->exp)
		evpn_export_flush(rib->exp);
}

int rib_flush(struct rib *rib)
{
	if (rib->ms)
		return mapsync_flush(rib->ms); /* calls rib_flushed() at its end */
	rib_flushed(rib);
	return 0;
}

int rib_initial_sync_done(struct rib *rib)
{
	int err;

	if (!rib->ms)
		return 0;
	err = mapsync_bgp_adopt(rib->ms);
	log_info("rib: initial BGP sync done; stale BGP entries of an earlier run removed%s",
		 err ? " (with errors, see above)" : "");
	return err;
}

/* ---- local ports and gratuitous ARP ------------------------------------------- */

static void local_rd(const struct rib *rib, uint32_t vni, uint8_t rd[8])
{
	const uint8_t *r = hashmap_get(&rib->vni_rd, &vni);

	if (r)
		memcpy(rd, r, 8);
	else
		memset(rd, 0, 8);
}

static void local_add(struct rib *rib, uint32_t vni, const uint8_t mac[6], uint32_t ip)
{
	struct rib_path np;
	struct rib_dkey k;
	uint32_t rseq;
	char m[ADDR_MAC_STRLEN], a[ADDR_IP_STRLEN];

	rib_dkey_macip(&k, vni, mac, ip, true);
	memset(&np, 0, sizeof(np));
	np.peer = RIB_PEER_LOCAL;
	local_rd(rib, vni, np.rd);
	np.vtep = rib->vtep_ip;
	np.attr = RIB_NIL;
	/* RFC 7432 15: a MAC that arrives here while known remote is
	 * advertised with the remote sequence number + 1. */
	if (rib_mac_remote_seq(rib, vni, mac, &rseq)) {
		np.seq = rseq + 1;
		log_info("rib: vni %u %s %s arrived here; known remote with sequence %u, "
			 "advertised with %u", vni, addr_fmt_mac(mac, m), addr_fmt_ip(ip, a),
			 rseq, np.seq);
	}
	if (path_insert(rib, &k, &np))
		log_err("rib: out of memory: local route for vni %u %s not kept", vni,
			addr_fmt_ip(ip, a));
}

static void local_remove(struct rib *rib, uint32_t vni, const uint8_t mac[6], uint32_t ip)
{
	struct rib_dkey k;
	const struct rib_dest *d;
	uint32_t i, prev = RIB_NIL;

	rib_dkey_macip(&k, vni, mac, ip, true);
	d = rib_dest_get(rib, &k);
	if (!d)
		return;
	for (i = d->head; i != RIB_NIL; prev = i, i = rib->paths[i].next)
		if (rib->paths[i].peer == RIB_PEER_LOCAL) {
			path_remove(rib, &k, i, prev);
			return;
		}
}

void rib_local_port(struct rib *rib, const struct vtep_port *old, const struct vtep_port *cur)
{
	bool had = old && !addr_mac_is_zero(old->mac);
	bool has = cur && !addr_mac_is_zero(cur->mac);

	if (had && has && old->vni == cur->vni && old->ip == cur->ip &&
	    !memcmp(old->mac, cur->mac, 6))
		return;
	if (had)
		local_remove(rib, old->vni, old->mac, old->ip);
	if (has)
		local_add(rib, cur->vni, cur->mac, cur->ip);
}

void rib_local_garp(struct rib *rib, const struct vtep_event *ev)
{
	struct rib_dkey k;
	struct rib_dest *d;
	struct rib_sel before;
	struct rib_path *lp = NULL;
	uint32_t i, rseq;
	char m[ADDR_MAC_STRLEN], a[ADDR_IP_STRLEN];

	if (ev->type != VTEP_EV_GARP)
		return;
	rib_dkey_macip(&k, ev->vni, ev->mac, ev->ip, true);
	d = rib_dest_get(rib, &k);
	if (!d)
		return;  /* not a port of ours with that MAC and IP */
	for (i = d->head; i != RIB_NIL; i = rib->paths[i].next)
		if (rib->paths[i].peer == RIB_PEER_LOCAL)
			lp = &rib->paths[i];
	if (!lp || (lp->flags & RIB_P_BEST))
		return;  /* unknown, or already ours */
	if (d->flags & RIB_D_FROZEN) {
		log_warn("rib: vni %u %s %s: gratuitous ARP here ignored: frozen by duplicate "
			 "address detection", ev->vni, addr_fmt_mac(ev->mac, m),
			 addr_fmt_ip(ev->ip, a));
		return;
	}
	if (!rib_mac_remote_seq(rib, ev->vni, ev->mac, &rseq) || lp->seq > rseq)
		return;
	rib_sel_get(rib, &k, d, &before);
	lp->seq = rseq + 1;
	log_info("rib: vni %u %s %s moved here (gratuitous ARP); advertised with sequence %u",
		 ev->vni, addr_fmt_mac(ev->mac, m), addr_fmt_ip(ev->ip, a), lp->seq);
	rib_best_run(rib, &k, d, &before);
}

/* ---- readers -------------------------------------------------------------------- */

int rib_walk(const struct rib *rib, uint32_t vni, uint32_t peer, rib_walk_fn fn, void *ctx)
{
	struct rib_route_info ri;
	size_t pos = 0;
	const void *kp;
	void *vp;

	while ((kp = hashmap_next(&rib->dests, &pos, &vp))) {
		const struct rib_dkey *k = kp;
		const struct rib_dest *d = vp;
		uint32_t j;

		if (vni && k->vni != vni)
			continue;
		for (j = d->head; j != RIB_NIL; j = rib->paths[j].next) {
			const struct rib_path *p = &rib->paths[j];
			const struct rib_attr *at = rib_attr_at(rib, p->attr);
			int ret;

			if (peer != UINT32_MAX && p->peer != peer)
				continue;
			memset(&ri, 0, sizeof(ri));
			ri.peer = p->peer;
			ri.vni = k->vni;
			ri.route.type = k->type;
			memcpy(ri.route.rd, p->rd, 8);
			ri.route.etag = p->etag;
			memcpy(ri.route.mac, k->mac, 6);
			if (k->type != EVPN_RT_MACIP || k->plen) {
				ri.route.ip.len = 4;
				ri.route.ip.v4 = k->ip;
			}
			if (k->type == EVPN_RT_PREFIX)
				ri.route.prefix_len = k->plen;
			if (k->type != EVPN_RT_IMET) {
				ri.route.n_labels = 1;
				ri.route.label[0] = at ? at->label : k->vni;
			}
			ri.vtep = p->vtep;
			ri.seq = p->seq;
			ri.sticky = p->flags & RIB_P_STICKY;
			ri.stale = p->flags & RIB_P_STALE;
			ri.best = p->flags & RIB_P_BEST;
			ri.frozen = d->flags & RIB_D_FROZEN;
			if (at) {
				ri.has_router_mac = at->flags & RIB_A_HAS_RMAC;
				memcpy(ri.router_mac, at->router_mac, 6);
				ri.local_pref = at->local_pref;
				ri.n_rt = at->n_rt;
				memcpy(ri.rt, at->rt, sizeof(ri.rt));
			}
			ret = fn(ctx, &ri);
			if (ret)
				return ret;
		}
	}
	return 0;
}

void rib_latency_get(const struct rib *rib, struct rib_latency *out)
{
	size_t i;

	for (i = 0; i <= RIB_LAT_BUCKETS; i++)
		out->counts[i] = __atomic_load_n(&rib->lat.counts[i], __ATOMIC_RELAXED);
	out->count = __atomic_load_n(&rib->lat.count, __ATOMIC_RELAXED);
	out->sum_ns = __atomic_load_n(&rib->lat.sum_ns, __ATOMIC_RELAXED);
}

void rib_get_stats(const struct rib *rib, struct rib_stats *out)
{
	const uint64_t *src = (const uint64_t *)&rib->st;
	uint64_t *dst = (uint64_t *)out;
	size_t i;

	for (i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

/* ---- life cycle --------------------------------------------------------------- */

static int load_config(struct rib *rib, const struct vtep_config *cfg)
{
	size_t i;

	rib->vtep_ip = cfg->vtep_ip;
	rib->router_id = cfg->bgp.enabled ? cfg->bgp.router_id : 0;
	rib->dad_moves = cfg->bgp.enabled ? cfg->bgp.dad_moves : 0;
	rib->dad_window_s = cfg->bgp.dad_window_s;
	hashmap_clear(&rib->vni_rd);
	for (i = 0; i < cfg->n_vnis; i++) {
		uint8_t rd[8] = { 0 };

		config_vni_rd(cfg, &cfg->vnis[i], rd);
		if (!hashmap_put(&rib->vni_rd, &cfg->vnis[i].vni, rd, NULL))
			return -ENOMEM;
	}
	return 0;
}

int rib_new(const struct rib_env *env, struct rib **out)
{
	struct rib *rib;
	int err;

	/* The RIB's tables are the daemon's big allocations, and each one's
	 * array is freed whenever it doubles, as are mapsync's per-flush
	 * buffers. glibc raises its mmap threshold to the size of every
	 * mmap()ed block freed (up to 32 MiB), after which such arrays come
	 * from the heap and their holes stay in the RSS: measured +40 bytes
	 * per route at 300k routes. A fixed threshold (which also turns the
	 * dynamic one off, mallopt(3)) hands them back to the kernel. */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024);
	rib = calloc(1, sizeof(*rib));
	if (!rib)
		return -ENOMEM;
	rib->ms = env->ms;
	rib->exp = env->exp;
	rib->now_ns = env->now_ns ? env->now_ns : clock_mono_ns;
	rib->now_ctx = env->now_ctx;
	rib->path_free = RIB_NIL;
	rib->attr_free = RIB_NIL;
	err = hashmap_init(&rib->dests, sizeof(struct rib_dkey), sizeof(struct rib_dest), 0);
	err = err ?: hashmap_init(&rib->attr_idx, sizeof(struct rib_attr), sizeof(uint32_t), 0);
	err = err ?: hashmap_init(&rib->ipx, sizeof(struct rib_ipx_key), sizeof(struct rib_ipx), 0);
	err = err ?: hashmap_init(&rib->macx, sizeof(struct rib_macx_key),
				  sizeof(struct rib_macx), 0);
	err = err ?: hashmap_init(&rib->rdmap, sizeof(struct rib_rdkey),
				  sizeof(struct rib_rdval), 0);
	err = err ?: hashmap_init(&rib->peers, sizeof(uint32_t), sizeof(struct rib_peer), 0);
	err = err ?: hashmap_init(&rib->dad, sizeof(struct rib_dkey), sizeof(struct rib_dad), 0);
	err = err ?: hashmap_init(&rib->remotes, sizeof(uint32_t), sizeof(uint32_t), 0);
	err = err ?: hashmap_init(&rib->vni_rd, sizeof(uint32_t), 8, 0);
	err = err ?: load_config(rib, env->cfg);
	err = err ?: evpn_import_new(env->cfg, &rib->imp);
	err = err ?: rib_sync_attach(rib);
	if (err) {
		rib_free(rib);
		return err;
	}
	*out = rib;
	return 0;
}

void rib_free(struct rib *rib)
{
	if (!rib)
		return;
	rib_sync_detach(rib);
	evpn_import_free(rib->imp);
	hashmap_free(&rib->dests);
	hashmap_free(&rib->attr_idx);
	hashmap_free(&rib->ipx);
	hashmap_free(&rib->macx);
	hashmap_free(&rib->rdmap);
	hashmap_free(&rib->peers);
	hashmap_free(&rib->dad);
	hashmap_free(&rib->remotes);
	hashmap_free(&rib->vni_rd);
	free(rib->paths);
	free(rib->attrs);
	free(rib);
}

/* Our VTEP address changed: our own paths follow. */
static void local_vtep_changed(struct rib *rib)
{
	struct rib_dkey *keys = NULL;
	size_t n = 0, pos = 0, i;
	const void *kp;
	void *vp;

	keys = malloc((hashmap_count(&rib->dests) + 1) * sizeof(*keys));
	if (!keys)
		return;
	while ((kp = hashmap_next(&rib->dests, &pos, &vp))) {
		const struct rib_dest *d = vp;
		uint32_t j;

		for (j = d->head; j != RIB_NIL; j = rib->paths[j].next)
			if (rib->paths[j].peer == RIB_PEER_LOCAL) {
				keys[n++] = *(const struct rib_dkey *)kp;
				break;
			}
	}
	for (i = 0; i < n; i++) {
		struct rib_dest *d = rib_dest_get(rib, &keys[i]);
		struct rib_sel before;
		uint32_t j;

		rib_sel_get(rib, &keys[i], d, &before);
		for (j = d->head; j != RIB_NIL; j = rib->paths[j].next)
			if (rib->paths[j].peer == RIB_PEER_LOCAL)
				rib->paths[j].vtep = rib->vtep_ip;
		rib_best_run(rib, &keys[i], d, &before);
	}
	free(keys);
}

int rib_reload(struct rib *rib, const struct vtep_config *cfg)
{
	struct evpn_import *imp;
	uint32_t old_vtep = rib->vtep_ip;
	bool changed;
	int err;

	err = evpn_import_new(cfg, &imp);
	if (err)
		return err;
	changed = !evpn_import_equal(rib->imp, imp);
	if (changed) {
		/* Routes of VNIs that are gone leave the maps now. */
		struct rib_match m = { .peer = UINT32_MAX, .keep_vnis = imp };

		remove_matching(rib, &m);
	}
	evpn_import_free(rib->imp);
	rib->imp = imp;
	if ((err = load_config(rib, cfg)))
		return err;
	if (old_vtep != rib->vtep_ip)
		local_vtep_changed(rib);
	if (rib->exp && (err = evpn_export_reload(rib->exp, cfg)))
		return err;
	return changed ? 1 : 0;
}
