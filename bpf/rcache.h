/* rcache.h - the route cache: this CPU's copy of recently used IPv4 host
 * routes, in front of vtep_routes (include/vtep_maps.h has the layout and
 * why: a hit reads one cache line instead of a hash bucket and an element
 * scattered over a table of a million entries).
 *
 * Correctness rests on one rule: an entry counts only while its gen equals
 * vtep_rcache_ctl.gen, and vtepd changes that gen after every write or
 * deletion in vtep_routes (agent/dp/rcache.c). The program reads gen before
 * it looks up vtep_routes and stores the entry under the gen it read, so an
 * entry filled from a route vtepd changed meanwhile is already stale when it
 * is stored. That ordering (the load of gen before the loads of the lookup)
 * is x86's (TSO); vtepd turns the cache off on other architectures.
 *
 * Per CPU, so that no two programs write one set at once; the only overlap
 * is a program interrupted on its CPU by another (BPF_PROG_TEST_RUN runs
 * with softirqs enabled), which vtep_rcache_cpu detects: the inner one
 * leaves the cache alone. Replacement is first-in first-out within the set
 * (way[0] is the newest): two active destinations per set always hit.
 */
#ifndef VTEP_RCACHE_H
#define VTEP_RCACHE_H

#include "maps.bpf.h"
#include "stats.h"

/* An open cache access: the set to fill on a miss (NULL: the cache is off,
 * busy or out of range; nothing to do). */
struct rcache_ref {
	struct vtep_rcache_set *set;
	__u32 *busy;
	__u32 gen;
};

/* Spreads (vni, ip) over the sets: a multiplicative (Fibonacci) hash; the
 * high bits are the well-mixed ones. Not keyed: a peer that chose
 * addresses to collide would only make its own routes miss. */
static __always_inline __u32 rcache_hash(__u32 vni, __be32 ip)
{
	__u64 x = ((__u64)vni << 32 | ip) * 0x9E3779B97F4A7C15ULL;

	return (__u32)(x >> 32);
}

/* Looks (vni, ip) up in this CPU's set: 1 with the route copied to *out on
 * a hit. On a miss (0) with c->set set, the caller looks vtep_routes up
 * and calls rcache_fill() or rcache_close(). */
static __always_inline int rcache_open(struct rcache_ref *c, __u32 vni, __be32 ip,
				       struct vtep_route *out)
{
	struct vtep_rcache_ctl *ctl;
	__u32 zero = 0, idx;
	int w;

	c->set = NULL;
	ctl = bpf_map_lookup_elem(&vtep_rcache_ctl, &zero);
	if (!ctl)
		return 0;
	c->gen = *(volatile __u32 *)&ctl->gen;
	if (!c->gen)
		return 0;
	c->busy = bpf_map_lookup_elem(&vtep_rcache_cpu, &zero);
	if (!c->busy || *c->busy)
		return 0;
	idx = rcache_hash(vni, ip) & ctl->mask;
	c->set = bpf_map_lookup_elem(&vtep_rcache, &idx);
	if (!c->set)
		return 0;
	for (w = 0; w < VTEP_RCACHE_WAYS; w++) {
		struct vtep_rcache_way *e = &c->set->way[w];

		if (e->gen == c->gen && e->ip == ip && e->vni == vni) {
			__builtin_memcpy(out, &e->r, sizeof(*out));
			c->set = NULL;
			STAT_INC(rcache_hit);
			return 1;
		}
	}
	*c->busy = 1;
	STAT_INC(rcache_miss);
	return 0;
}

/* Stores what vtep_routes answered for (vni, ip) as the set's newest way. */
static __always_inline void rcache_fill(struct rcache_ref *c, __u32 vni, __be32 ip,
					const struct vtep_route *r)
{
	struct vtep_rcache_set *s = c->set;

	if (!s)
		return;
	s->way[1] = s->way[0];
	s->way[0].vni = vni;
	s->way[0].ip = ip;
	__builtin_memcpy(&s->way[0].r, r, sizeof(*r));
	s->way[0].gen = c->gen;
	*c->busy = 0;
}

/* A miss vtep_routes could not fill (no host route). */
static __always_inline void rcache_close(struct rcache_ref *c)
{
	if (c->set)
		*c->busy = 0;
}

#endif /* VTEP_RCACHE_H */
