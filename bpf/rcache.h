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
 * A region per CPU, so that no two programs write one set at once; the only overlap
 * is a program interrupted on its CPU by another (BPF_PROG_TEST_RUN runs
 * with softirqs enabled), which vtep_rcache_cpu detects: the inner one
 * leaves the cache alone. Replacement is first-in first-out within the set
 * (way[0] is the newest): two active destinations per set always hit.
 *
 * A cache smaller than the active destinations only adds a miss per
 * lookup (the probe) to the two of vtep_routes. Each CPU watches its own
 * lookups (vtep_maps.h VTEP_RCACHE_WINDOW) and, while nearly every miss
 * evicts a live entry, sends most lookups straight to vtep_routes
 * (rcache_skip counts them). Misses into stale or empty ways (after a
 * change, or while warming up) are not that.
 */
#ifndef VTEP_RCACHE_H
#define VTEP_RCACHE_H

#include "maps.bpf.h"
#include "stats.h"

/* An open cache access: the set to fill on a miss (NULL: the cache is off,
 * busy, thrashing or out of range; nothing to do). */
struct rcache_ref {
	struct vtep_rcache_set *set;
	struct vtep_rcache_cpu *cpu;
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

/* One lookup of the window (vtep_maps.h VTEP_RCACHE_WINDOW): kept says it
 * hit or filled an empty or stale way. */
static __always_inline void rcache_window(struct vtep_rcache_cpu *cpu, int kept)
{
	cpu->kept += kept;
	if (++cpu->probes < VTEP_RCACHE_WINDOW)
		return;
	if (cpu->kept < VTEP_RCACHE_KEPT_MIN)
		cpu->skip = VTEP_RCACHE_SKIP;
	cpu->probes = 0;
	cpu->kept = 0;
}

/* Looks (vni, ip) up in this CPU's set: 1 with the route copied to *out on
 * a hit (what the datapath reads of it; seq and source 0). On a miss (0) with c->set set, the caller looks vtep_routes up
 * and calls rcache_fill() or rcache_close(). */
static __always_inline int rcache_open(struct rcache_ref *c, __u32 vni, __be32 ip,
				       struct vtep_route *out)
{
	struct vtep_rcache_ctl *ctl;
	struct vtep_rcache_way *e;
	__u32 zero = 0, idx;
	int w;

	c->set = NULL;
	ctl = bpf_map_lookup_elem(&vtep_rcache_ctl, &zero);
	if (!ctl)
		return 0;
	c->gen = *(volatile __u32 *)&ctl->gen;
	if (!c->gen)
		return 0;
	c->cpu = bpf_map_lookup_elem(&vtep_rcache_cpu, &zero);
	if (!c->cpu || c->cpu->busy)
		return 0;
	if (c->cpu->skip) {
		c->cpu->skip--;
		STAT_INC(rcache_skip);
		return 0;
	}
	/* The array bounds idx; a CPU beyond vtepd's count finds no set. */
	idx = bpf_get_smp_processor_id() * (ctl->mask + 1) + (rcache_hash(vni, ip) & ctl->mask);
	c->set = bpf_map_lookup_elem(&vtep_rcache, &idx);
	if (!c->set)
		return 0;
	for (w = 0; w < VTEP_RCACHE_WAYS; w++) {
		e = &c->set->way[w];
		if (e->gen == c->gen && e->ip == ip && e->vni == vni) {
			out->vtep = e->vtep;
			out->ifindex = e->ifindex;
			__builtin_memcpy(out->mac, e->mac, sizeof(out->mac));
			out->flags = e->flags;
			out->seq = 0;
			out->source = 0;
			if (!e->used)
				e->used = 1;
			c->set = NULL;
			rcache_window(c->cpu, 1);
			STAT_INC(rcache_hit);
			return 1;
		}
	}
	/* The fill pushes out way[1] when way[0] is live (rcache_fill). */
	e = &c->set->way[1];
	rcache_window(c->cpu, c->set->way[0].gen != c->gen || e->gen != c->gen || e->used);
	c->cpu->busy = 1;
	STAT_INC(rcache_miss);
	return 0;
}

/* Stores what vtep_routes answered for (vni, ip) as the set's newest way:
 * into way[0] when that is stale or empty, else way[0] moves to way[1]
 * (first in, first out). */
static __always_inline void rcache_fill(struct rcache_ref *c, __u32 vni, __be32 ip,
					const struct vtep_route *r)
{
	struct vtep_rcache_set *s = c->set;

	if (!s)
		return;
	if (s->way[0].gen == c->gen)
		s->way[1] = s->way[0];
	s->way[0].vni = vni;
	s->way[0].ip = ip;
	s->way[0].vtep = r->vtep;
	s->way[0].ifindex = r->ifindex;
	__builtin_memcpy(s->way[0].mac, r->mac, sizeof(r->mac));
	s->way[0].flags = r->flags;
	s->way[0].used = 0;
	s->way[0].gen = c->gen;
	c->cpu->busy = 0;
}

/* A miss vtep_routes could not fill (no host route). */
static __always_inline void rcache_close(struct rcache_ref *c)
{
	if (c->set)
		c->cpu->busy = 0;
}

#endif /* VTEP_RCACHE_H */
