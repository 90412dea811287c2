/* events.h - ring buffer events from the datapath to vtepd.
 *
 * Events are hints (vtepd re-reads its own state before acting on one), so a
 * full ring buffer only costs a counter: the next frame from the workload
 * produces the event again.
 */
#ifndef VTEP_EVENTS_H
#define VTEP_EVENTS_H

#include "maps.bpf.h"
#include "parse.h"
#include "stats.h"

static __always_inline void event_emit(__u32 type, __u32 ifindex, __u32 vni, __be32 ip,
				       const __u8 *mac)
{
	struct vtep_event *e = bpf_ringbuf_reserve(&vtep_events, sizeof(*e), 0);

	if (!e) {
		STAT_INC(events_lost);
		return;
	}
	e->type = type;
	e->ifindex = ifindex;
	e->vni = vni;
	e->ip = ip;
	mac_copy(e->mac, mac);
	e->family = 4;
	e->pad = 0;
	__builtin_memset(e->ip6, 0, sizeof(e->ip6));
	bpf_ringbuf_submit(e, 0);
}

#endif /* VTEP_EVENTS_H */
