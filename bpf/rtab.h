/* rtab.h - the flat route table: vtepd's copy of vtep_routes' IPv4 entries
 * in one mmap-able array, read so that a route costs one cache line
 * (include/vtep_maps.h has the layout and why; agent/dp/rtab.c writes it).
 *
 * vtepd is the only writer and changes a line between two increments of its
 * seq; the header's epoch is odd while vtepd rebuilds the whole table and 0
 * before the first build. A reader takes an answer only when the epoch was
 * even and non-zero before and unchanged after, and each line it used had
 * the same even seq before and after it read the slots. Those loads must
 * stay in program order: x86 keeps loads in order (TSO) and the compiler
 * barriers below keep clang from moving them; vtepd leaves the table off
 * (epoch 0) on other architectures, as it does the route cache. Anything
 * uncertain (being written, rebuilt, or more than RTAB_PROBES lines away)
 * is RTAB_ASK: the caller looks vtep_routes up as before.
 */
#ifndef VTEP_RTAB_H
#define VTEP_RTAB_H

#include "maps.bpf.h"
#include "stats.h"

enum rtab_answer {
	RTAB_ASK,    /* no answer: look vtep_routes up */
	RTAB_HIT,    /* *out holds the route */
	RTAB_ABSENT, /* vtep_routes holds no such host route */
};

#define RTAB_PROBES VTEP_RTAB_PROBES /* include/vtep_maps.h */

#define rtab_barrier() asm volatile("" ::: "memory")

static __always_inline enum rtab_answer rtab_lookup(__u32 vni, __be32 ip, struct vtep_route *out)
{
	union vtep_rtab_elem *h, *e;
	__u32 zero = 0, epoch, lines, idx;
	int p, s, found = -1;

	h = bpf_map_lookup_elem(&vtep_rtab, &zero);
	if (!h)
		return RTAB_ASK;
	epoch = *(volatile __u32 *)&h->hdr.epoch;
	if (!epoch || (epoch & 1))
		return RTAB_ASK;
	rtab_barrier();
	lines = h->hdr.lines;
	idx = vtep_rtab_home(vni, ip, lines);
	for (p = 0; p < RTAB_PROBES; p++) {
		struct vtep_rtab_line *l;
		__u16 seq, over;

		/* The array bounds idx: a header that disagrees with the
		 * map's size finds no line. */
		e = bpf_map_lookup_elem(&vtep_rtab, &idx);
		if (!e)
			return RTAB_ASK;
		l = &e->line;
		seq = *(volatile __u16 *)&l->seq;
		if (seq & 1)
			break;
		rtab_barrier();
		for (s = 0; s < VTEP_RTAB_SLOTS; s++) {
			struct vtep_rtab_slot *sl = &l->slot[s];

			if ((sl->state & VTEP_RTAB_F_USED) && sl->ip == ip && sl->vni == vni) {
				if (sl->state & VTEP_RTAB_F_LOCAL) {
					out->vtep = 0;
					out->ifindex = sl->nh;
				} else {
					out->vtep = sl->nh;
					out->ifindex = 0;
				}
				__builtin_memcpy(out->mac, sl->mac, sizeof(out->mac));
				out->flags = sl->rt_flags;
				out->seq = 0;
				out->source = 0;
				found = s;
				break;
			}
		}
		over = l->over;
		rtab_barrier();
		if (*(volatile __u16 *)&l->seq != seq)
			break;
		if (found >= 0 || !over) {
			if (*(volatile __u32 *)&h->hdr.epoch != epoch)
				break;
			if (found < 0)
				return RTAB_ABSENT;
			STAT_INC(rtab_hit);
			return RTAB_HIT;
		}
		idx = idx >= lines ? 1 : idx + 1;
	}
	STAT_INC(rtab_ask);
	return RTAB_ASK;
}

#endif /* VTEP_RTAB_H */
