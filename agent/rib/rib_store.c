/* rib_store.c - the RIB's tables (layout in rib_priv.h): slabs (paths,
 * interned attributes), destinations and their (VNI, MAC) / (VNI, IP)
 * groups, peers and the RD index, linking and unlinking paths, and a
 * destination's selection as rib_best.c marked it. Pure storage: it never
 * runs the decision (rib_path_insert / rib_path_remove in rib_best.c do).
 */
#include "rib_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evpn_import.h"

/* ---- slabs ------------------------------------------------------------------- */

struct rib_path *rib_path_at(const struct rib *rib, uint32_t idx)
{
	return &rib->paths[idx];
}

struct rib_attr *rib_attr_at(const struct rib *rib, uint32_t idx)
{
	return idx == RIB_NIL ? NULL : &rib->attrs[idx].a;
}

/* A destination's selection: the path marked best (rib_best.c marks it). */
void rib_sel_get(const struct rib *rib, const struct rib_dkey *k, const struct rib_dest *d,
		 struct rib_sel *out)
{
	uint32_t i;

	memset(out, 0, sizeof(*out));
	out->idx = RIB_NIL;
	if (!d)
		return;
	for (i = d->head; i != RIB_NIL; i = rib->paths[i].next) {
		const struct rib_path *p = &rib->paths[i];

		if (p->peer == RIB_PEER_LOCAL)
			out->has_local = true;
		if (!(p->flags & RIB_P_BEST))
			continue;
		out->has = true;
		out->idx = i;
		out->local = p->peer == RIB_PEER_LOCAL;
		out->flags = p->flags & RIB_P_STICKY;
		out->vtep = p->vtep;
		out->seq = p->seq;
		if (k->type == EVPN_RT_PREFIX) {
			const struct rib_attr *a = rib_attr_at(rib, p->attr);

			if (a && (a->flags & RIB_A_HAS_RMAC)) {
				out->has_rmac = true;
				memcpy(out->mac, a->router_mac, 6);
			}
		} else if (k->type == EVPN_RT_MACIP) {
			const struct rib_attr *a = rib_attr_at(rib, p->attr);

			out->router = a && (a->flags & RIB_A_ROUTER);
		}
	}
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

void rib_attr_unref(struct rib *rib, uint32_t idx)
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

	rib_attr_unref(rib, p->attr);
	p->attr = RIB_NIL;
	p->flags = RIB_P_FREE;
	p->next = rib->path_free;
	rib->path_free = idx;
	rib_stat_add(&rib->st.paths, -1);
}

/* Returns a referenced slot for *a (shared with every path of equal
 * attributes), or RIB_NIL when out of memory. */
uint32_t rib_attr_intern(struct rib *rib, const struct rib_attr *a)
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
		k->plen = rib_ip_is6(ip) ? 128 : 32;  /* an IPv6 address's id (rib_ip6.h) */
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
	rib_ip6_dest_made(rib, k);
	if (k->type != EVPN_RT_MACIP)
		return d;
	err = group_link(rib, k, d);
	if (err) {
		/* The MAC side may be linked: undo it, without the IP side. */
		struct rib_macx_key mk = macx_key(k->vni, k->mac);

		if (hashmap_get(&rib->macx, &mk))
			group_unlink(rib, k, d, false);
		rib_ip6_dest_gone(rib, k);
		hashmap_del(&rib->dests, k);
		rib_stat_add(&rib->st.dests, -1);
		return NULL;
	}
	return d;
}

/* Deletes an empty destination. */
void rib_dest_delete(struct rib *rib, const struct rib_dkey *k)
{
	struct rib_dest *d = rib_dest_get(rib, k);

	if (!d || d->head != RIB_NIL)
		return;
	if (k->type == EVPN_RT_MACIP)
		group_unlink(rib, k, d, true);
	rib_ip6_dest_gone(rib, k);
	hashmap_del(&rib->dad, k);
	hashmap_del(&rib->dests, k);
	rib_stat_add(&rib->st.dests, -1);
}

/* ---- peers and the RD index --------------------------------------------------- */

const struct rib_peer *rib_peer_get(const struct rib *rib, uint32_t peer)
{
	return hashmap_get(&rib->peers, &peer);
}

struct rib_peer *rib_peer_make(struct rib *rib, uint32_t peer)
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
bool rib_route_find(const struct rib *rib, uint32_t peer, const struct evpn_route *rt,
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

/* Unlinks path idx (predecessor prev) from destination k and frees it. */
struct rib_dest *rib_path_unlink(struct rib *rib, const struct rib_dkey *k, uint32_t idx,
				 uint32_t prev, struct rib_sel *before)
{
	struct rib_dest *d = rib_dest_get(rib, k);
	struct rib_path *p = &rib->paths[idx];

	if (!d)
		return NULL;
	rib_sel_get(rib, k, d, before);
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
	return d;
}

/* Links a new path (fields in *np) into destination k, made if new. */
int rib_path_link(struct rib *rib, const struct rib_dkey *k, const struct rib_path *np,
		  struct rib_dest **out, struct rib_sel *before)
{
	struct rib_dest *d;
	uint32_t idx;

	if (np->peer != RIB_PEER_LOCAL) {
		struct rib_rdkey rk = rdkey(np->peer, np->rd, np->etag, k->type);
		struct rib_peer *pr = rib_peer_make(rib, np->peer);

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
	rib_sel_get(rib, k, d, before);
	rib->paths[idx] = *np;
	rib->paths[idx].flags &= ~(RIB_P_BEST | RIB_P_FREE);
	rib->paths[idx].next = d->head;
	d->head = idx;
	*out = d;
	return 0;
}
