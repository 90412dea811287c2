/* rib_store.c - the RIB's tables (layout in rib_priv.h): slabs (destinations,
 * paths, interned sources and attributes), the two hash indexes over the
 * destinations and the (VNI, MAC) / (VNI, IP) groups they give, peers,
 * linking and unlinking paths, and a destination's selection as rib_best.c
 * marked it. Pure storage: it never runs the decision (rib_path_insert /
 * rib_path_remove in rib_best.c do).
 *
 * Why indexes of 32-bit slots rather than hash tables of (key, value)
 * slots: each destination is found by its full key, by (VNI, IP) and by
 * (VNI, MAC). With one table per lookup, the key was stored three times and
 * each table kept its load-factor slack for the whole entry: ~210 bytes per
 * route at 1M. Here the key lives once, in the destination, each index
 * costs 4 bytes per slot, and a lookup by full key probes its (VNI, IP)
 * index (its (VNI, MAC) index for a MAC-only route), so no third index is
 * needed. The 8 hash bits in a slot spare a lookup the cache misses of the
 * other destinations in its probe run.
 */
#include "rib_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "evpn_import.h"

#define RIB_MIN_SLOTS 1024u

/* ---- slabs ------------------------------------------------------------------- */

struct rib_path *rib_path_at(const struct rib *rib, uint32_t idx)
{
	return &rib->paths[idx];
}

struct rib_attr *rib_attr_at(const struct rib *rib, uint32_t idx)
{
	return idx == RIB_NIL ? NULL : &rib->attrs[idx].a;
}

/* Big tables are read at random places (a route's index slots, the
 * destinations they lead to): with 4 KiB pages, at 1M routes the TLB
 * misses as often as the cache does, and in a VM a page walk costs several
 * cache misses. Transparent huge pages for them (when the system allows
 * them on request: madvise mode) keep the walks off. Only the whole 2 MiB
 * pages inside [p, p + len) get one; the RSS counts each of those fully,
 * which these tables, touched all over, do anyway. */
#define RIB_HUGE_MIN (4u << 20)
static void huge_advise(void *p, size_t len)
{
	uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;

	if (len < RIB_HUGE_MIN || !p)
		return;
	(void)madvise((void *)a, (uintptr_t)p + len - a, MADV_HUGEPAGE);
}

/* A slab's next capacity (doubling from first), 0 when it cannot grow. */
static uint32_t slab_grow_cap(uint32_t cap, uint32_t first)
{
	uint32_t nc = cap ? cap * 2 : first;

	return nc <= cap || nc == RIB_NIL ? 0 : nc;
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

		if (p->src == RIB_NIL)
			out->has_local = true;
		if (!(p->flags & RIB_P_BEST))
			continue;
		out->has = true;
		out->idx = i;
		out->local = p->src == RIB_NIL;
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
			uint32_t cap = slab_grow_cap(rib->n_paths_cap, 1024);
			struct rib_path *np;

			if (!cap)
				return RIB_NIL;
			np = realloc(rib->paths, (size_t)cap * sizeof(*np));
			if (!np)
				return RIB_NIL;
			huge_advise(np, (size_t)cap * sizeof(*np));
			rib->paths = np;
			rib->n_paths_cap = cap;
		}
		idx = rib->paths_used++;
	}
	memset(&rib->paths[idx], 0, sizeof(rib->paths[idx]));
	rib->paths[idx].next = RIB_NIL;
	rib->paths[idx].src = RIB_NIL;
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
	if (rib->attr_last == idx)
		rib->attr_last = RIB_NIL;
	hashmap_del(&rib->attr_idx, &s->a);
	s->next_free = rib->attr_free;
	rib->attr_free = idx;
}

/* ---- sources: (peer, RD, tag, type), interned --------------------------------- */

void rib_rdkey_make(struct rib_rdkey *sk, uint32_t peer, const uint8_t rd[8], uint32_t etag,
		    uint8_t type)
{
	memset(sk, 0, sizeof(*sk));
	sk->peer = peer;
	sk->etag = etag;
	memcpy(sk->rd, rd, 8);
	sk->type = type;
}

/* The routes of an UPDATE share their source: the last one found is
 * compared first (rib->src_last; src_unref clears it). */
static uint32_t src_find(const struct rib *rib, const struct rib_rdkey *sk)
{
	const uint32_t *ix;

	if (rib->src_last != RIB_NIL && !memcmp(&rib->srcs[rib->src_last].key, sk, sizeof(*sk)))
		return rib->src_last;
	ix = hashmap_get(&rib->src_idx, sk);
	if (!ix)
		return RIB_NIL;
	/* A cache, not state: const for the callers, which only look. */
	((struct rib *)rib)->src_last = *ix;
	return *ix;
}

/* A referenced source for a path of sk going into vni; RIB_NIL when out of
 * memory. */
static uint32_t src_ref(struct rib *rib, const struct rib_rdkey *sk, uint32_t vni)
{
	uint32_t idx = src_find(rib, sk);
	struct rib_src_slot *s;

	if (idx != RIB_NIL) {
		s = &rib->srcs[idx];
		if (s->vni != vni)
			s->multi = true;
		s->refs++;
		return idx;
	}
	if (rib->src_free == RIB_NIL) {
		uint32_t cap = slab_grow_cap(rib->n_srcs_cap, 64), i;
		struct rib_src_slot *ns;

		if (!cap)
			return RIB_NIL;
		ns = realloc(rib->srcs, (size_t)cap * sizeof(*ns));
		if (!ns)
			return RIB_NIL;
		rib->srcs = ns;
		for (i = cap; i-- > rib->n_srcs_cap;) {
			ns[i].refs = 0;
			ns[i].next_free = rib->src_free;
			rib->src_free = i;
		}
		rib->n_srcs_cap = cap;
	}
	idx = rib->src_free;
	s = &rib->srcs[idx];
	if (!hashmap_put(&rib->src_idx, sk, &idx, NULL))
		return RIB_NIL;
	rib->src_free = s->next_free;
	memset(s, 0, sizeof(*s));
	s->key = *sk;
	s->vni = vni;
	s->refs = 1;
	return idx;
}

static void src_unref(struct rib *rib, uint32_t idx)
{
	struct rib_src_slot *s = &rib->srcs[idx];

	if (--s->refs)
		return;
	if (rib->src_last == idx)
		rib->src_last = RIB_NIL;
	hashmap_del(&rib->src_idx, &s->key);
	s->next_free = rib->src_free;
	rib->src_free = idx;
}

static void path_release(struct rib *rib, uint32_t idx)
{
	struct rib_path *p = &rib->paths[idx];

	rib_attr_unref(rib, p->attr);
	if (p->src != RIB_NIL)
		src_unref(rib, p->src);
	p->attr = RIB_NIL;
	p->src = RIB_NIL;
	p->flags = RIB_P_FREE;
	p->next = rib->path_free;
	rib->path_free = idx;
	rib_stat_add(&rib->st.paths, -1);
}

/* Returns a referenced slot for *a (shared with every path of equal
 * attributes), or RIB_NIL when out of memory. */
uint32_t rib_attr_intern(struct rib *rib, const struct rib_attr *a)
{
	uint32_t *found, idx;

	/* The routes of an UPDATE share their attributes: the last set
	 * interned is compared first. */
	if (rib->attr_last != RIB_NIL && !memcmp(&rib->attrs[rib->attr_last].a, a, sizeof(*a))) {
		rib->attrs[rib->attr_last].refs++;
		return rib->attr_last;
	}
	found = hashmap_get(&rib->attr_idx, a);
	if (found) {
		rib->attrs[*found].refs++;
		rib->attr_last = *found;
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
	rib->attr_last = idx;
	return idx;
}

/* ---- destinations and their indexes -------------------------------------------- */

/* The two indexes' hashes: cheap multiply-mixes, good enough for addresses
 * and VNIs (consecutive IPs and MACs must spread over the slots). */
static uint32_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)h;
}

static uint32_t ip_hash(uint32_t vni, uint32_t ip)
{
	return mix64(((uint64_t)vni << 32) | ip);
}

static uint32_t mac_hash(uint32_t vni, const uint8_t mac[6])
{
	uint64_t m = 0;

	memcpy(&m, mac, 6);
	return mix64(m ^ ((uint64_t)vni * 0x9e3779b97f4a7c15ull));
}

/* Which index holds a destination: a type-2 MAC-only one is in the MAC
 * index only; every other one is found through its IP's. */
static bool in_ipx(const struct rib_dkey *k)
{
	return k->type != EVPN_RT_MACIP || k->plen;
}

static bool in_macx(const struct rib_dkey *k)
{
	return k->type == EVPN_RT_MACIP;
}

static uint32_t dest_hash(const struct rib_dkey *k, bool by_mac)
{
	return by_mac ? mac_hash(k->vni, k->mac) : ip_hash(k->vni, k->ip);
}

/* Slots: 0 = empty, else 1 + (8 bits of the hash << 24 | destination). */
static uint32_t slot_make(uint32_t h, uint32_t idx)
{
	return ((h & 0xff000000u) | idx) + 1;
}

static uint32_t slot_idx(uint32_t s)
{
	return (s - 1) & 0xffffffu;
}

static uint32_t slot_tag(uint32_t s)
{
	return (s - 1) >> 24;
}

/* A new destination's slot: the first empty one or tombstone of its probe
 * run (the caller has looked the key up: it is not there). */
static void ix_place(struct rib_index *ix, uint32_t h, uint32_t idx)
{
	uint32_t i = h & ix->mask;

	while (ix->slots[i] && ix->slots[i] != RIB_SLOT_GONE)
		i = (i + 1) & ix->mask;
	if (ix->slots[i] == RIB_SLOT_GONE)
		ix->gone--;
	ix->slots[i] = slot_make(h, idx);
	ix->count++;
}

/* A new slot array of n slots holding every destination of this index.
 * Placing a destination's slot is a cache miss at a random place: the
 * homes of a block are computed and prefetched before the block is
 * placed, so the misses overlap. */
static int ix_rebuild(struct rib *rib, struct rib_index *ix, uint32_t n, bool by_mac)
{
	enum { BLOCK = 32 };
	uint32_t *slots = calloc(n, sizeof(*slots)), hs[BLOCK], is[BLOCK], i, k, nb;

	if (!slots)
		return -ENOMEM;
	huge_advise(slots, (size_t)n * sizeof(*slots));
	free(ix->slots);
	ix->slots = slots;
	ix->mask = n - 1;
	ix->count = 0;
	ix->gone = 0;
	for (i = 0; i < rib->dests_used;) {
		for (nb = 0; nb < BLOCK && i < rib->dests_used; i++) {
			const struct rib_dest *d = &rib->dests[i];

			if ((d->flags & RIB_D_FREE) || !(by_mac ? in_macx(&d->k) : in_ipx(&d->k)))
				continue;
			hs[nb] = dest_hash(&d->k, by_mac);
			is[nb] = i;
			__builtin_prefetch(&slots[hs[nb] & ix->mask], 1);
			nb++;
		}
		for (k = 0; k < nb; k++)
			ix_place(ix, hs[k], is[k]);
	}
	return 0;
}

/* The size for count destinations after a rebuild: at most half full, at
 * least RIB_MIN_SLOTS. */
static uint32_t ix_size_for(uint32_t count)
{
	uint32_t n = RIB_MIN_SLOTS;

	while (n < (1u << 30) && (uint64_t)count * 2 > n)
		n *= 2;
	return n;
}

/* Room for one more in ix: at 3/4 of the slots used (destinations and
 * tombstones), rebuilt half full (grown, or as big when tombstones were
 * most of it). */
static int ix_reserve(struct rib *rib, struct rib_index *ix, bool by_mac)
{
	uint32_t n = ix->mask + 1, want;

	if ((uint64_t)(ix->count + ix->gone + 1) * 4 <= (uint64_t)n * 3)
		return 0;
	want = ix_size_for(ix->count + 1);
	if (want < n && ix->count + 1 > n / 4)
		want = n;  /* no shrinking to grow right back */
	return ix_rebuild(rib, ix, want, by_mac);
}

/* Takes destination idx (hash h) out of ix: its slot becomes a tombstone.
 * Shifting the probe run back instead would touch every destination after
 * it (to find their home slots): a cache miss each, a quarter of the time
 * of withdrawing a million routes. Tombstones are dropped by a rebuild when
 * they are an eighth of the slots (smaller when few destinations are
 * left): more of them make every probe run, which goes on to an empty
 * slot, longer. So endless churn never degrades the index. The destination must
 * be marked free already (a rebuild skips it). */
static void ix_remove(struct rib *rib, struct rib_index *ix, uint32_t h, uint32_t idx,
		      bool by_mac)
{
	uint32_t want = slot_make(h, idx), i = h & ix->mask, n = ix->mask + 1, s;

	while ((s = ix->slots[i]) && s != want)
		i = (i + 1) & ix->mask;
	if (!s)
		return;
	ix->slots[i] = RIB_SLOT_GONE;
	ix->count--;
	ix->gone++;
	if ((uint64_t)ix->gone * 8 > n || (n > RIB_MIN_SLOTS && (uint64_t)ix->count * 16 < n &&
					    (uint64_t)ix->gone * 16 > n)) {
		/* Out of memory: the tombstones stay; still correct. */
		(void)ix_rebuild(rib, ix, ix_size_for(ix->count), by_mac);
	}
}

uint32_t rib_dest_find(const struct rib *rib, const struct rib_dkey *k)
{
	bool by_mac = !in_ipx(k);
	const struct rib_index *ix = by_mac ? &rib->macx : &rib->ipx;
	uint32_t h = dest_hash(k, by_mac), i = h & ix->mask, tag = h >> 24, s;

	for (; (s = ix->slots[i]); i = (i + 1) & ix->mask)
		if (s != RIB_SLOT_GONE && slot_tag(s) == tag &&
		    !memcmp(&rib->dests[slot_idx(s)].k, k, sizeof(*k)))
			return slot_idx(s);
	return RIB_NIL;
}

struct rib_dest *rib_dest_get(const struct rib *rib, const struct rib_dkey *k)
{
	uint32_t i = rib_dest_find(rib, k);

	return i == RIB_NIL ? NULL : &rib->dests[i];
}

uint32_t rib_dest_next(const struct rib *rib, uint32_t idx)
{
	uint32_t i = idx == RIB_NIL ? 0 : idx + 1;

	for (; i < rib->dests_used; i++)
		if (!(rib->dests[i].flags & RIB_D_FREE))
			return i;
	return RIB_NIL;
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

/* ---- groups: the members of a probe run with the group's key ------------------ */

uint32_t rib_grp_next(const struct rib *rib, struct rib_grp *g)
{
	const struct rib_index *ix = g->ix;
	uint32_t s;

	for (; (s = ix->slots[g->pos]); g->pos = (g->pos + 1) & ix->mask) {
		const struct rib_dkey *k;

		if (s == RIB_SLOT_GONE || slot_tag(s) != g->tag)
			continue;
		k = &rib->dests[slot_idx(s)].k;
		if (k->type != EVPN_RT_MACIP || k->vni != g->vni)
			continue;
		if (g->by_mac ? !memcmp(k->mac, g->mac, 6) : (k->plen && k->ip == g->ip)) {
			g->pos = (g->pos + 1) & ix->mask;
			return slot_idx(s);
		}
	}
	return RIB_NIL;
}

uint32_t rib_macgrp_first(const struct rib *rib, struct rib_grp *g, uint32_t vni,
			  const uint8_t mac[6])
{
	uint32_t h = mac_hash(vni, mac);

	memset(g, 0, sizeof(*g));
	g->ix = &rib->macx;
	g->by_mac = true;
	g->vni = vni;
	memcpy(g->mac, mac, 6);
	g->tag = h >> 24;
	g->pos = h & g->ix->mask;
	return rib_grp_next(rib, g);
}

uint32_t rib_ipgrp_first(const struct rib *rib, struct rib_grp *g, uint32_t vni, uint32_t ip)
{
	uint32_t h = ip_hash(vni, ip);

	memset(g, 0, sizeof(*g));
	g->ix = &rib->ipx;
	g->vni = vni;
	g->ip = ip;
	g->tag = h >> 24;
	g->pos = h & g->ix->mask;
	return rib_grp_next(rib, g);
}

/* The slot line of hash h; deep: the slots are in the cache by now (an
 * earlier call took them): the destinations their tags match too, which a
 * withdrawal or a change of a known route reads next. Always inlined: as a
 * function of its own it has no effect the compiler can see (a prefetch
 * changes nothing), and GCC drops the calls. */
static inline __attribute__((always_inline))
void ix_prefetch(const struct rib *rib, const struct rib_index *ix, uint32_t h, bool deep)
{
	uint32_t i = h & ix->mask, s, k;

	if (!deep) {
		__builtin_prefetch(&ix->slots[i]);
		return;
	}
	for (k = 0; k < 4 && (s = ix->slots[i]); k++, i = (i + 1) & ix->mask)
		if (s != RIB_SLOT_GONE && slot_tag(s) == h >> 24)
			__builtin_prefetch(&rib->dests[slot_idx(s)]);
}

void rib_store_prefetch(const struct rib *rib, uint32_t peer, const struct evpn_route *rt,
			const struct rib_dkey *kpart, bool deep)
{
	struct rib_rdkey sk;
	uint32_t si, vni;

	/* The VNI the peer's routes of this RD went into so far: withdrawals
	 * go there, and announcements almost always. */
	rib_rdkey_make(&sk, peer, rt->rd, rt->etag, kpart->type);
	si = src_find(rib, &sk);
	if (si == RIB_NIL)
		return;
	vni = rib->srcs[si].vni;
	if (in_ipx(kpart))
		ix_prefetch(rib, &rib->ipx, ip_hash(vni, kpart->ip), deep);
	if (in_macx(kpart))
		ix_prefetch(rib, &rib->macx, mac_hash(vni, kpart->mac), deep);
}

/* The destination at k, created (and indexed) if absent; NULL when out of
 * memory. The pointer is valid until the next destination is created. */
static struct rib_dest *dest_make(struct rib *rib, const struct rib_dkey *k)
{
	struct rib_dest *d;
	uint32_t idx = rib_dest_find(rib, k);

	if (idx != RIB_NIL)
		return &rib->dests[idx];
	if (rib->n_dests >= RIB_DEST_MAX)
		return NULL;
	if ((in_ipx(k) && ix_reserve(rib, &rib->ipx, false)) ||
	    (in_macx(k) && ix_reserve(rib, &rib->macx, true)))
		return NULL;
	if (rib->dest_free != RIB_NIL) {
		idx = rib->dest_free;
		rib->dest_free = rib->dests[idx].head;
	} else {
		if (rib->dests_used == rib->n_dests_cap) {
			uint32_t cap = slab_grow_cap(rib->n_dests_cap, 1024);
			struct rib_dest *nd;

			if (!cap)
				return NULL;
			nd = realloc(rib->dests, (size_t)cap * sizeof(*nd));
			if (!nd)
				return NULL;
			huge_advise(nd, (size_t)cap * sizeof(*nd));
			rib->dests = nd;
			rib->n_dests_cap = cap;
		}
		idx = rib->dests_used++;
	}
	d = &rib->dests[idx];
	memset(d, 0, sizeof(*d));
	d->k = *k;
	d->head = RIB_NIL;
	if (in_ipx(k))
		ix_place(&rib->ipx, dest_hash(k, false), idx);
	if (in_macx(k))
		ix_place(&rib->macx, dest_hash(k, true), idx);
	rib->n_dests++;
	rib_stat_add(&rib->st.dests, 1);
	rib_ip6_dest_made(rib, k);
	return d;
}

/* Deletes an empty destination. */
void rib_dest_delete(struct rib *rib, const struct rib_dkey *k)
{
	uint32_t idx = rib_dest_find(rib, k);
	struct rib_dest *d;

	if (idx == RIB_NIL)
		return;
	d = &rib->dests[idx];
	if (d->head != RIB_NIL)
		return;
	/* Free first: a rebuild that ix_remove may start must skip it. */
	rib_ip6_dest_gone(rib, k);
	d->flags = RIB_D_FREE;
	if (in_ipx(k))
		ix_remove(rib, &rib->ipx, dest_hash(k, false), idx, false);
	if (in_macx(k))
		ix_remove(rib, &rib->macx, dest_hash(k, true), idx, true);
	if (hashmap_count(&rib->dad))
		hashmap_del(&rib->dad, k);
	d->head = rib->dest_free;
	rib->dest_free = idx;
	rib->n_dests--;
	rib_stat_add(&rib->st.dests, -1);
}

/* ---- peers ------------------------------------------------------------------------ */

const struct rib_peer *rib_peer_get(const struct rib *rib, uint32_t peer)
{
	return hashmap_get(&rib->peers, &peer);
}

struct rib_peer *rib_peer_make(struct rib *rib, uint32_t peer)
{
	return hashmap_put(&rib->peers, &peer, NULL, NULL);
}

/* ---- paths ---------------------------------------------------------------------- */

/* The path of source s in destination k: its index and predecessor. */
static bool find_in(const struct rib *rib, const struct rib_dkey *k, uint32_t s,
		    uint32_t *idx, uint32_t *prev)
{
	const struct rib_dest *d = rib_dest_get(rib, k);
	uint32_t i, pv = RIB_NIL;

	if (!d)
		return false;
	for (i = d->head; i != RIB_NIL; pv = i, i = rib->paths[i].next) {
		if (rib->paths[i].src == s) {
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
	struct rib_rdkey sk;
	const struct rib_src_slot *s;
	const uint32_t *vnis;
	uint32_t si;
	size_t n, i;

	rib_rdkey_make(&sk, peer, rt->rd, rt->etag, kpart->type);
	si = src_find(rib, &sk);
	if (si == RIB_NIL)
		return false;
	s = &rib->srcs[si];
	*k = *kpart;
	k->vni = s->vni;
	if (find_in(rib, k, si, idx, prev))
		return true;
	if (!s->multi)
		return false;
	n = evpn_import_vnis(rib->imp, &vnis);
	for (i = 0; i < n; i++) {
		k->vni = vnis[i];
		if (find_in(rib, k, si, idx, prev))
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
	if (p->src != RIB_NIL) {
		struct rib_peer *pr = hashmap_get(&rib->peers, &rib->srcs[p->src].key.peer);

		if (pr && pr->routes)
			pr->routes--;
	}
	path_release(rib, idx);
	return d;
}

/* Links a new path (fields in *np, source sk) into destination k, made if
 * new. */
int rib_path_link(struct rib *rib, const struct rib_dkey *k, const struct rib_path *np,
		  const struct rib_rdkey *sk, struct rib_dest **out, struct rib_sel *before)
{
	struct rib_peer *pr = NULL;
	struct rib_dest *d;
	uint32_t idx, si = RIB_NIL;

	if (sk) {
		pr = rib_peer_make(rib, sk->peer);
		if (!pr)
			return -ENOMEM;
		si = src_ref(rib, sk, k->vni);
		if (si == RIB_NIL)
			return -ENOMEM;
	}
	idx = path_alloc(rib);
	d = idx == RIB_NIL ? NULL : dest_make(rib, k);
	if (!d) {
		if (idx != RIB_NIL)
			path_release(rib, idx);
		if (si != RIB_NIL)
			src_unref(rib, si);
		return -ENOMEM;
	}
	if (pr)
		pr->routes++;  /* peers is a table of its own: pr is still valid */
	rib_sel_get(rib, k, d, before);
	rib->paths[idx] = *np;
	rib->paths[idx].src = si;
	rib->paths[idx].flags &= ~(RIB_P_BEST | RIB_P_FREE);
	rib->paths[idx].next = d->head;
	d->head = idx;
	*out = d;
	return 0;
}

/* ---- life cycle --------------------------------------------------------------------- */

int rib_store_init(struct rib *rib)
{
	int err;

	rib->path_free = RIB_NIL;
	rib->attr_free = RIB_NIL;
	rib->src_free = RIB_NIL;
	rib->dest_free = RIB_NIL;
	rib->src_last = RIB_NIL;
	rib->attr_last = RIB_NIL;
	err = ix_rebuild(rib, &rib->ipx, RIB_MIN_SLOTS, false);
	err = err ?: ix_rebuild(rib, &rib->macx, RIB_MIN_SLOTS, true);
	err = err ?: hashmap_init(&rib->attr_idx, sizeof(struct rib_attr), sizeof(uint32_t), 0);
	err = err ?: hashmap_init(&rib->src_idx, sizeof(struct rib_rdkey), sizeof(uint32_t), 0);
	err = err ?: hashmap_init(&rib->peers, sizeof(uint32_t), sizeof(struct rib_peer), 0);
	err = err ?: hashmap_init(&rib->dad, sizeof(struct rib_dkey), sizeof(struct rib_dad), 0);
	return err;
}

void rib_store_free(struct rib *rib)
{
	hashmap_free(&rib->attr_idx);
	hashmap_free(&rib->src_idx);
	hashmap_free(&rib->peers);
	hashmap_free(&rib->dad);
	free(rib->dests);
	free(rib->ipx.slots);
	free(rib->macx.slots);
	free(rib->paths);
	free(rib->attrs);
	free(rib->srcs);
}
